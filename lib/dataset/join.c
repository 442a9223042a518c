/* crm_dataset_join: hash join (inner, left) on one or more key columns.
 *
 * The right rows are interned by key into a hash table (text keys translated
 * into the left dictionaries' codes, so strings compare by content), then
 * bucketed by key in right order; the left rows probe it in order, which
 * gives pandas' merge(sort=False) row order. Missing keys never match. */
#include "dataset/keyhash.h"

#include <string.h>

/* rows looked ahead when prefetching hash slots */
enum { AHEAD = 32 };

static int is_key(const char *name, const char *const *keys, size_t nkeys)
{
    for (size_t k = 0; k < nkeys; k++)
        if (strcmp(name, keys[k]) == 0)
            return 1;
    return 0;
}

static int has_nonkey(const crm_dataset *ds, const char *name, const char *const *keys,
                      size_t nkeys)
{
    if (crm__dataset_lookup(ds, name) == SIZE_MAX)
        return 0;
    return !is_key(name, keys, nkeys);
}

/* Append src gathered by rows, under its name or name + suffix on a clash. */
static crm_status add_gathered(crm_dataset *res, const crm__column *c, const int64_t *rows,
                               size_t n, int clash, const char *suffix)
{
    if (!clash)
        return crm__column_gather(res, c->name, c, rows, n);
    size_t len = strlen(c->name);
    char *nm = crm__malloc(len + 3);
    if (!nm)
        return crm__nomem();
    memcpy(nm, c->name, len);
    memcpy(nm + len, suffix, 3);
    crm_status st = crm__column_gather(res, nm, c, rows, n);
    crm__free(nm);
    return st;
}

crm_status crm_dataset_join(const crm_dataset *left, const crm_dataset *right,
                            const char *const *keys, size_t nkeys, int32_t how, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!left || !right || !keys || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_join: NULL argument");
    if (nkeys == 0)
        return crm__error(CRM_E_INVALID, "crm_dataset_join: no key columns given");
    if (how != CRM_JOIN_INNER && how != CRM_JOIN_LEFT)
        return crm__error(CRM_E_INVALID,
                          "crm_dataset_join: how must be CRM_JOIN_INNER (1) or CRM_JOIN_LEFT (2), "
                          "got %d",
                          (int)how);
    crm_status st = CRM_OK;
    size_t nl = left->nrows, nr = right->nrows, m = 0;
    crm__keycol *lk = crm__calloc(nkeys, sizeof *lk);
    crm__keycol *rk = crm__calloc(nkeys, sizeof *rk);
    int32_t **maps = crm__calloc(nkeys, sizeof *maps);
    uint64_t *vals = crm__calloc(nkeys, sizeof *vals);
    uint32_t *rid = NULL, *lid = NULL;
    size_t *off = NULL, *rlist = NULL;
    int64_t *li = NULL, *ri = NULL;
    crm_dataset *res = NULL;
    crm__keytab t;
    memset(&t, 0, sizeof t);
    if (!lk || !rk || !maps || !vals) {
        st = crm__nomem();
        goto done;
    }
    for (size_t k = 0; k < nkeys; k++) {
        size_t a, b;
        if (!keys[k]) {
            st = crm__error(CRM_E_INVALID, "crm_dataset_join: keys[%zu] is NULL", k);
            goto done;
        }
        for (size_t j = 0; j < k; j++)
            if (strcmp(keys[j], keys[k]) == 0) {
                st = crm__error(CRM_E_INVALID, "crm_dataset_join: key \"%s\" is listed twice",
                                keys[k]);
                goto done;
            }
        if (crm__dataset_find(left, keys[k], &a)) {
            st = crm__error(CRM_E_NOTFOUND,
                            "crm_dataset_join: left dataset has no key column \"%s\"", keys[k]);
            goto done;
        }
        if (crm__dataset_find(right, keys[k], &b)) {
            st = crm__error(CRM_E_NOTFOUND,
                            "crm_dataset_join: right dataset has no key column \"%s\"", keys[k]);
            goto done;
        }
        const crm__column *lc = &left->cols[a], *rc = &right->cols[b];
        if (lc->type != rc->type) {
            st = crm__error(CRM_E_TYPE,
                            "crm_dataset_join: key \"%s\" is %s on the left but %s on the right",
                            keys[k], crm__type_name(lc->type), crm__type_name(rc->type));
            goto done;
        }
        if (rc->type == CRM_TYPE_TEXT && rc->dict != lc->dict) {
            /* right codes -> left codes (CRM__KEY_ABSENT when the string is not on the left) */
            size_t nd = rc->dict->n;
            maps[k] = crm__malloc_array(nd, sizeof *maps[k]);
            if (!maps[k]) {
                st = crm__nomem();
                goto done;
            }
            for (size_t c = 0; c < nd; c++) {
                const char *s = crm__dict_str(rc->dict, (int32_t)c);
                int32_t lcode = crm__dict_find(lc->dict, s, strlen(s));
                maps[k][c] = lcode >= 0 ? lcode : CRM__KEY_ABSENT;
            }
        }
        crm__keycol_set(&lk[k], lc, NULL);
        crm__keycol_set(&rk[k], rc, maps[k]);
    }
    if (nr >= UINT32_MAX - 2) {
        st = crm__error(CRM_E_INVALID, "crm_dataset_join: %zu right rows is more than supported",
                        nr);
        goto done;
    }

    /* build: right rows by key, each bucket in right order */
    rid = crm__malloc_array(nr, sizeof *rid);
    lid = crm__malloc_array(nl, sizeof *lid);
    if (!rid || !lid || (st = crm__keytab_init(&t, nkeys, nr))) {
        if (!st)
            st = crm__nomem();
        goto done;
    }
    for (size_t r = 0; r < nr; r++) {
        int skip = 0;
        for (size_t k = 0; k < nkeys && !skip; k++)
            skip = crm__keycol_nomatch(&rk[k], r);
        if (skip) {
            rid[r] = UINT32_MAX;
            continue;
        }
        uint64_t h = crm__key_row(rk, nkeys, r, vals);
        if ((st = crm__keytab_intern(&t, vals, h, &rid[r])))
            goto done;
    }
    size_t nid = t.n;
    off = crm__calloc(nid + 1, sizeof *off);
    rlist = crm__malloc_array(nr, sizeof *rlist);
    if (!off || !rlist) {
        st = crm__nomem();
        goto done;
    }
    for (size_t r = 0; r < nr; r++)
        if (rid[r] != UINT32_MAX)
            off[rid[r] + 1]++;
    for (size_t i = 0; i < nid; i++)
        off[i + 1] += off[i];
    for (size_t r = 0; r < nr; r++)
        if (rid[r] != UINT32_MAX)
            rlist[off[rid[r]]++] = r;
    for (size_t i = nid; i > 0; i--) /* restore bucket starts */
        off[i] = off[i - 1];
    off[0] = 0;

    /* probe: left rows in order, the slots of the rows AHEAD further on prefetched */
    uint64_t ring[AHEAD];
    for (size_t l = 0; l < AHEAD && l < nl; l++)
        ring[l] = crm__key_row(lk, nkeys, l, vals);
    for (size_t l = 0; l < nl; l++) {
        uint64_t h = ring[l % AHEAD];
        if (l + AHEAD < nl) {
            uint64_t ha = crm__key_row(lk, nkeys, l + AHEAD, vals);
            ring[l % AHEAD] = ha;
            CRM__PREFETCH(&t.slots[ha & (t.nslots - 1)]);
        }
        int skip = 0;
        for (size_t k = 0; k < nkeys && !skip; k++)
            skip = crm__keycol_nomatch(&lk[k], l);
        int64_t f = -1;
        if (!skip) {
            for (size_t k = 0; k < nkeys; k++)
                vals[k] = crm__keycol_value(&lk[k], l);
            f = crm__keytab_find(&t, vals, h);
        }
        lid[l] = f < 0 ? UINT32_MAX : (uint32_t)f;
        size_t cnt = f < 0 ? 0 : off[f + 1] - off[f];
        m += cnt ? cnt : (how == CRM_JOIN_LEFT);
    }
    li = crm__malloc_array(m, sizeof *li);
    ri = crm__malloc_array(m, sizeof *ri);
    if (!li || !ri) {
        st = crm__nomem();
        goto done;
    }
    size_t o = 0;
    for (size_t l = 0; l < nl; l++) {
        if (lid[l] == UINT32_MAX) {
            if (how == CRM_JOIN_LEFT) {
                li[o] = (int64_t)l;
                ri[o++] = -1;
            }
            continue;
        }
        for (size_t j = off[lid[l]]; j < off[lid[l] + 1]; j++) {
            li[o] = (int64_t)l;
            ri[o++] = (int64_t)rlist[j];
        }
    }

    /* output: left columns, then right non-key columns */
    if ((st = crm_dataset_new(&res)))
        goto done;
    for (size_t c = 0; c < left->ncols; c++) {
        const crm__column *col = &left->cols[c];
        int clash = !is_key(col->name, keys, nkeys) && has_nonkey(right, col->name, keys, nkeys);
        if ((st = add_gathered(res, col, li, m, clash, "_x")))
            goto done;
    }
    for (size_t c = 0; c < right->ncols; c++) {
        const crm__column *col = &right->cols[c];
        if (is_key(col->name, keys, nkeys))
            continue;
        int clash = has_nonkey(left, col->name, keys, nkeys);
        if ((st = add_gathered(res, col, ri, m, clash, "_y")))
            goto done;
    }
    res->nrows = m;
    *out = res;
    res = NULL;
done:
    crm_dataset_free(res);
    crm__keytab_free(&t);
    for (size_t k = 0; maps && k < nkeys; k++)
        crm__free(maps[k]);
    crm__free(maps);
    crm__free(lk);
    crm__free(rk);
    crm__free(vals);
    crm__free(rid);
    crm__free(lid);
    crm__free(off);
    crm__free(rlist);
    crm__free(li);
    crm__free(ri);
    return st;
}
