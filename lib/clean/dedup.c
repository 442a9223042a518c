/* crm_clean_dedup and crm_clean_drop_missing: row removal in place. */
#include "clean/clean_internal.h"

#include <math.h>
#include <string.h>

crm_status crm__clean_keep_rows(crm_dataset *ds, const unsigned char *keep, size_t *removed)
{
    size_t n = ds->nrows, m = 0;
    for (size_t r = 0; r < n; r++)
        m += keep[r] != 0;
    *removed = n - m;
    if (m == n)
        return CRM_OK;
    crm_dataset *nd = NULL;
    crm_status st = crm_dataset_new(&nd);
    for (size_t j = 0; j < ds->ncols && !st; j++) {
        const crm__column *c = &ds->cols[j];
        /* one spare element: the branch-free compaction below writes one past the
         * last kept row */
        void *data = crm__malloc_array(m + 1, crm__type_size(c->type));
        if (!data) {
            st = crm__nomem();
            break;
        }
        if (c->type == CRM_TYPE_TEXT) {
            int32_t *d = data;
            size_t k = 0;
            for (size_t r = 0; r < n; r++) {
                d[k] = c->v.code[r];
                k += keep[r] != 0;
            }
        } else { /* double and int64 are both 8 bytes */
            uint64_t *d = data;
            const uint64_t *src = c->v.ptr;
            size_t k = 0;
            for (size_t r = 0; r < n; r++) {
                d[k] = src[r];
                k += keep[r] != 0;
            }
        }
        if ((st = crm__dataset_add_owned(nd, c->name, c->type, data, c->dict, m)))
            crm__free(data);
        else
            crm__dict_retain(c->dict);
    }
    if (st) {
        crm_dataset_free(nd);
        return st;
    }
    nd->nrows = m;
    /* swap the contents: ds gets the new columns, nd the old ones */
    crm_dataset tmp = *ds;
    *ds = *nd;
    *nd = tmp;
    crm_dataset_free(nd);
    return CRM_OK;
}

/* Resolve a list of column names (all columns when n == 0) to indices. */
static crm_status resolve_columns(const crm_dataset *ds, const char *const *names, size_t n,
                                  const char *what, size_t **idx, size_t *count)
{
    size_t k = n ? n : ds->ncols;
    size_t *ix = crm__malloc_array(k, sizeof *ix);
    if (!ix)
        return crm__nomem();
    for (size_t i = 0; i < k; i++) {
        if (!n) {
            ix[i] = i;
            continue;
        }
        if (!names[i]) {
            crm__free(ix);
            return crm__error(CRM_E_INVALID, "%s: column name %zu is NULL", what, i);
        }
        crm_status st = crm__dataset_find(ds, names[i], &ix[i]);
        if (st) {
            crm__free(ix);
            return crm__error(st, "%s: no column named \"%s\"", what, names[i]);
        }
        for (size_t j = 0; j < i; j++) {
            if (ix[j] == ix[i]) {
                crm__free(ix);
                return crm__error(CRM_E_INVALID, "%s: column \"%s\" is listed twice", what,
                                  names[i]);
            }
        }
    }
    *idx = ix;
    *count = k;
    return CRM_OK;
}

/* ---- hashing ------------------------------------------------------------- */

/* Bits of a number key: every NaN alike, -0.0 as 0.0. */
static inline uint64_t num_bits(double v)
{
    uint64_t b;
    if (v != v)
        return 0x7ff8000000000000ULL;
    if (v == 0)
        v = 0;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* h[i] combined with the key column c at row r0 + i, for i < n. */
static void hash_column(const crm__column *c, size_t r0, size_t n, uint64_t *h, int first)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    switch (c->type) {
    case CRM_TYPE_NUMBER: {
        const double *x = c->v.num + r0;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = num_bits(x[i]);
            h[i] = first ? crm__mix64(v) : crm__mix64(h[i] * k ^ v);
        }
        break;
    }
    case CRM_TYPE_TIME: {
        const int64_t *x = c->v.time + r0;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = (uint64_t)x[i];
            h[i] = first ? crm__mix64(v) : crm__mix64(h[i] * k ^ v);
        }
        break;
    }
    default: {
        const int32_t *x = c->v.code + r0;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = (uint64_t)(uint32_t)x[i];
            h[i] = first ? crm__mix64(v) : crm__mix64(h[i] * k ^ v);
        }
        break;
    }
    }
}

/* The key value of cell r as 64 bits: equal cells give equal bits. */
static inline uint64_t key_bits(const crm__column *c, size_t r)
{
    switch (c->type) {
    case CRM_TYPE_NUMBER:
        return num_bits(c->v.num[r]);
    case CRM_TYPE_TIME:
        return (uint64_t)c->v.time[r];
    default:
        return (uint64_t)(uint32_t)c->v.code[r];
    }
}

enum { PREFETCH_AHEAD = 16, HASH_BLOCK = 4096 };

static inline int rows_equal(const crm_dataset *ds, const size_t *key, size_t nk, size_t a,
                             size_t b)
{
    for (size_t j = 0; j < nk; j++) {
        const crm__column *c = &ds->cols[key[j]];
        if (key_bits(c, a) != key_bits(c, b))
            return 0;
    }
    return 1;
}

/* Mark in kp the rows that `keep` keeps. Rows go by blocks of HASH_BLOCK
 * (backwards for CRM_KEEP_LAST): the block's hashes are computed a key column
 * at a time into a small buffer, then each row goes through an
 * open-addressing table (load <= 0.75) whose 8-byte slots hold the high half
 * of the hash as a tag and the first row seen of each distinct key. A tag
 * match is confirmed by comparing the key cells. Slots and the key cells of
 * the row they name are prefetched some rows ahead. */
static crm_status mark_rows(const crm_dataset *ds, const size_t *key, size_t nk, int32_t keep,
                            unsigned char *kp, size_t *ndistinct)
{
    size_t n = ds->nrows;
    size_t nslots = 16;
    while (nslots < n + n / 3 + 1)
        nslots *= 2;
    uint64_t *hb = crm__malloc_array(HASH_BLOCK, sizeof *hb);
    uint64_t *slots = crm__malloc_array(nslots, sizeof *slots);
    if (!hb || !slots) {
        crm__free(hb);
        crm__free(slots);
        return crm__nomem();
    }
    memset(slots, 0, nslots * sizeof *slots);
    const uint64_t tagmask = 0xffffffff00000000ULL;
    size_t mask = nslots - 1, distinct = 0;
    int back = keep == CRM_KEEP_LAST;
    for (size_t done = 0; done < n;) {
        size_t m = n - done < HASH_BLOCK ? n - done : HASH_BLOCK;
        size_t r0 = back ? n - done - m : done; /* rows r0 .. r0 + m of this block */
        done += m;
        if (nk == 0)
            memset(hb, 0, m * sizeof *hb);
        for (size_t j = 0; j < nk; j++)
            hash_column(&ds->cols[key[j]], r0, m, hb, j == 0);
        for (size_t i = 0; i < m; i++) {
            size_t b = back ? m - 1 - i : i; /* index in the block */
            if (i + 2 * PREFETCH_AHEAD < m) {
                size_t ba = back ? b - 2 * PREFETCH_AHEAD : b + 2 * PREFETCH_AHEAD;
                CRM__PREFETCH(&slots[(size_t)hb[ba] & mask]);
            }
            if (i + PREFETCH_AHEAD < m) {
                size_t ba = back ? b - PREFETCH_AHEAD : b + PREFETCH_AHEAD;
                uint64_t e = slots[(size_t)hb[ba] & mask];
                if (e && (e & tagmask) == (hb[ba] & tagmask)) {
                    size_t rep = (size_t)(uint32_t)e - 1;
                    for (size_t j = 0; j < nk; j++)
                        CRM__PREFETCH((const char *)ds->cols[key[j]].v.ptr +
                                 rep * crm__type_size(ds->cols[key[j]].type));
                }
            }
            size_t r = r0 + b;
            uint64_t hr = hb[b];
            uint64_t tag = hr & tagmask;
            size_t s = (size_t)hr & mask;
            for (;;) {
                uint64_t e = slots[s];
                if (!e) {
                    slots[s] = tag | (uint64_t)(r + 1);
                    kp[r] = 1;
                    distinct++;
                    break;
                }
                if ((e & tagmask) == tag) {
                    size_t rep = (size_t)(uint32_t)e - 1;
                    if (rows_equal(ds, key, nk, rep, r)) {
                        kp[r] = 0;
                        if (keep == CRM_KEEP_NONE)
                            kp[rep] = 0;
                        break;
                    }
                }
                s = (s + 1) & mask;
            }
        }
    }
    crm__free(hb);
    crm__free(slots);
    *ndistinct = distinct;
    return CRM_OK;
}

crm_status crm_clean_dedup(crm_dataset *ds, const char *const *keys, size_t nkeys, int32_t keep,
                           size_t *out_removed)
{
    if (out_removed)
        *out_removed = 0;
    if (!ds || (nkeys && !keys))
        return crm__error(CRM_E_INVALID, "crm_clean_dedup: NULL argument");
    if (crm__dataset_check_writable(ds, "crm_clean_dedup"))
        return CRM_E_STATE;
    if (keep < CRM_KEEP_FIRST || keep > CRM_KEEP_NONE)
        return crm__error(CRM_E_INVALID,
                          "crm_clean_dedup: keep must be CRM_KEEP_FIRST (1), CRM_KEEP_LAST (2) "
                          "or CRM_KEEP_NONE (3), got %d",
                          (int)keep);
    size_t n = ds->nrows;
    if (n >= UINT32_MAX)
        return crm__error(CRM_E_INVALID, "crm_clean_dedup: %zu rows is more than supported", n);
    size_t *key = NULL, nk = 0, nd = 0, rm = 0;
    crm_status st = resolve_columns(ds, keys, nkeys, "crm_clean_dedup", &key, &nk);
    if (st)
        return st;
    unsigned char *kp = crm__malloc(n);
    if (!kp) {
        crm__free(key);
        return crm__nomem();
    }
    st = mark_rows(ds, key, nk, keep, kp, &nd);
    if (!st && nd < n)
        st = crm__clean_keep_rows(ds, kp, &rm);
    crm__free(key);
    crm__free(kp);
    if (!st && out_removed)
        *out_removed = rm;
    return st;
}

crm_status crm_clean_drop_missing(crm_dataset *ds, const char *const *cols, size_t count,
                                  size_t *out_removed)
{
    if (out_removed)
        *out_removed = 0;
    if (!ds || (count && !cols))
        return crm__error(CRM_E_INVALID, "crm_clean_drop_missing: NULL argument");
    if (crm__dataset_check_writable(ds, "crm_clean_drop_missing"))
        return CRM_E_STATE;
    size_t *idx = NULL, k = 0, nr = ds->nrows, rm = 0;
    crm_status st = resolve_columns(ds, cols, count, "crm_clean_drop_missing", &idx, &k);
    if (st)
        return st;
    unsigned char *kp = crm__malloc(nr);
    if (!kp) {
        crm__free(idx);
        return crm__nomem();
    }
    memset(kp, 1, nr);
    for (size_t j = 0; j < k; j++) {
        const crm__column *c = &ds->cols[idx[j]];
        switch (c->type) {
        case CRM_TYPE_NUMBER:
            for (size_t r = 0; r < nr; r++)
                kp[r] = (unsigned char)(kp[r] & !isnan(c->v.num[r]));
            break;
        case CRM_TYPE_TIME:
            for (size_t r = 0; r < nr; r++)
                kp[r] = (unsigned char)(kp[r] & (c->v.time[r] != CRM_TIME_MISSING));
            break;
        default:
            for (size_t r = 0; r < nr; r++)
                kp[r] = (unsigned char)(kp[r] & (c->v.code[r] >= 0));
        }
    }
    st = crm__clean_keep_rows(ds, kp, &rm);
    crm__free(idx);
    crm__free(kp);
    if (!st && out_removed)
        *out_removed = rm;
    return st;
}
