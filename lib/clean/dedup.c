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
    size_t *rows = crm__malloc_array(m, sizeof *rows);
    if (!rows)
        return crm__nomem();
    for (size_t r = 0, j = 0; r < n; r++)
        if (keep[r])
            rows[j++] = r;
    crm_dataset *nd = NULL;
    crm_status st = crm__dataset_take(ds, rows, m, &nd);
    crm__free(rows);
    if (st)
        return st;
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

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

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

/* h[r] combined with the key column c, for every row. */
static void hash_column(const crm__column *c, size_t n, uint64_t *h, int first)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    switch (c->type) {
    case CRM_TYPE_NUMBER:
        for (size_t r = 0; r < n; r++) {
            uint64_t v = num_bits(c->v.num[r]);
            h[r] = first ? mix64(v) : mix64(h[r] * k ^ v);
        }
        break;
    case CRM_TYPE_TIME:
        for (size_t r = 0; r < n; r++) {
            uint64_t v = (uint64_t)c->v.time[r];
            h[r] = first ? mix64(v) : mix64(h[r] * k ^ v);
        }
        break;
    default:
        for (size_t r = 0; r < n; r++) {
            uint64_t v = (uint64_t)(uint32_t)c->v.code[r];
            h[r] = first ? mix64(v) : mix64(h[r] * k ^ v);
        }
        break;
    }
}

static inline int cell_equal(const crm__column *c, size_t a, size_t b)
{
    switch (c->type) {
    case CRM_TYPE_NUMBER: {
        double x = c->v.num[a], y = c->v.num[b];
        return x == y || (x != x && y != y);
    }
    case CRM_TYPE_TIME:
        return c->v.time[a] == c->v.time[b];
    default:
        return c->v.code[a] == c->v.code[b];
    }
}

static inline int rows_equal(const crm_dataset *ds, const size_t *key, size_t nk, size_t a,
                             size_t b)
{
    for (size_t j = 0; j < nk; j++)
        if (!cell_equal(&ds->cols[key[j]], a, b))
            return 0;
    return 1;
}

/* Group id (in order of first appearance) of every row by the key columns. */
static crm_status group_rows(const crm_dataset *ds, const size_t *key, size_t nk, uint32_t *gid,
                             size_t *ngroups)
{
    size_t n = ds->nrows;
    uint64_t *h = crm__malloc_array(n, sizeof *h);
    if (!h)
        return crm__nomem();
    if (nk == 0)
        memset(h, 0, n * sizeof *h);
    for (size_t j = 0; j < nk; j++)
        hash_column(&ds->cols[key[j]], n, h, j == 0);
    size_t nslots = 16;
    while (nslots < n * 2)
        nslots *= 2;
    /* slot: high 32 bits of the hash, low 32 bits group id + 1 (0 = empty) */
    uint64_t *slots = crm__calloc(nslots, sizeof *slots);
    uint32_t *rep = crm__malloc_array(n ? n : 1, sizeof *rep); /* first row of each group */
    if (!slots || !rep) {
        crm__free(h);
        crm__free(slots);
        crm__free(rep);
        return crm__nomem();
    }
    size_t mask = nslots - 1;
    uint32_t ng = 0;
    for (size_t r = 0; r < n; r++) {
        uint64_t hr = h[r];
        uint64_t tag = hr & 0xffffffff00000000ULL;
        size_t s = (size_t)hr & mask;
        for (;;) {
            uint64_t e = slots[s];
            if (!e) {
                slots[s] = tag | (uint64_t)(ng + 1);
                rep[ng] = (uint32_t)r;
                gid[r] = ng++;
                break;
            }
            if ((e & 0xffffffff00000000ULL) == tag) {
                uint32_t g = (uint32_t)(e & 0xffffffffULL) - 1;
                if (rows_equal(ds, key, nk, rep[g], r)) {
                    gid[r] = g;
                    break;
                }
            }
            s = (s + 1) & mask;
        }
    }
    crm__free(h);
    crm__free(slots);
    crm__free(rep);
    *ngroups = ng;
    return CRM_OK;
}

crm_status crm_clean_dedup(crm_dataset *ds, const char *const *keys, size_t nkeys, int32_t keep,
                           size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!ds || (nkeys && !keys))
        return crm__error(CRM_E_INVALID, "crm_clean_dedup: NULL argument");
    if (keep < CRM_KEEP_FIRST || keep > CRM_KEEP_NONE)
        return crm__error(CRM_E_INVALID,
                          "crm_clean_dedup: keep must be CRM_KEEP_FIRST (1), CRM_KEEP_LAST (2) "
                          "or CRM_KEEP_NONE (3), got %d",
                          (int)keep);
    size_t n = ds->nrows;
    if (n >= UINT32_MAX)
        return crm__error(CRM_E_INVALID, "crm_clean_dedup: %zu rows is more than supported", n);
    size_t *key = NULL, nk = 0, ng = 0, rm = 0;
    crm_status st = resolve_columns(ds, keys, nkeys, "crm_clean_dedup", &key, &nk);
    if (st)
        return st;
    uint32_t *gid = crm__malloc_array(n ? n : 1, sizeof *gid);
    unsigned char *kp = crm__malloc(n);
    uint32_t *aux = NULL;
    if (!gid || !kp) {
        st = crm__nomem();
        goto done;
    }
    if ((st = group_rows(ds, key, nk, gid, &ng)))
        goto done;
    if (ng == n)
        goto done; /* no duplicates */
    aux = crm__calloc(ng ? ng : 1, sizeof *aux);
    if (!aux) {
        st = crm__nomem();
        goto done;
    }
    if (keep == CRM_KEEP_FIRST) {
        /* group ids are assigned in order of first appearance */
        uint32_t next = 0;
        for (size_t r = 0; r < n; r++) {
            kp[r] = (unsigned char)(gid[r] == next);
            next += kp[r];
        }
    } else if (keep == CRM_KEEP_LAST) {
        for (size_t r = 0; r < n; r++)
            aux[gid[r]] = (uint32_t)r;
        for (size_t r = 0; r < n; r++)
            kp[r] = (unsigned char)(aux[gid[r]] == (uint32_t)r);
    } else {
        for (size_t r = 0; r < n; r++)
            aux[gid[r]] += (uint32_t)(aux[gid[r]] < 2);
        for (size_t r = 0; r < n; r++)
            kp[r] = (unsigned char)(aux[gid[r]] == 1);
    }
    st = crm__clean_keep_rows(ds, kp, &rm);
done:
    crm__free(key);
    crm__free(gid);
    crm__free(kp);
    crm__free(aux);
    if (!st && removed)
        *removed = rm;
    return st;
}

crm_status crm_clean_drop_missing(crm_dataset *ds, const char *const *cols, size_t n,
                                  size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!ds || (n && !cols))
        return crm__error(CRM_E_INVALID, "crm_clean_drop_missing: NULL argument");
    size_t *idx = NULL, k = 0, nr = ds->nrows, rm = 0;
    crm_status st = resolve_columns(ds, cols, n, "crm_clean_drop_missing", &idx, &k);
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
    if (!st && removed)
        *removed = rm;
    return st;
}
