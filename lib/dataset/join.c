/* crm_dataset_join: hash join (inner, left) on one or more key columns.
 *
 * The right rows are interned by key into a hash table (text keys translated
 * into the left dictionaries' codes, so strings compare by content), then
 * bucketed by key in right order; the left rows probe it in order, which
 * gives pandas' merge(sort=False) row order. Missing keys never match. */
#include "dataset/keyhash.h"

#include <string.h>

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

/* Resolve key k on both sides: lk[k] and rk[k], the right text codes translated into the left
 * dictionary's (maps[k], CRM__KEY_ABSENT for a string not on the left). */
static crm_status find_key(const crm_dataset *left, const crm_dataset *right,
                           const char *const *keys, size_t k, crm__keycol *lk, crm__keycol *rk,
                           int32_t **maps)
{
    size_t a, b;
    crm_status st = crm__key_name_check("crm_dataset_join", keys, k);
    if (st)
        return st;
    if (crm__dataset_find(left, keys[k], &a))
        return crm__error(CRM_E_NOTFOUND, "crm_dataset_join: left dataset has no key column \"%s\"",
                          keys[k]);
    if (crm__dataset_find(right, keys[k], &b))
        return crm__error(CRM_E_NOTFOUND,
                          "crm_dataset_join: right dataset has no key column \"%s\"", keys[k]);
    const crm__column *lc = &left->cols[a], *rc = &right->cols[b];
    if (lc->type != rc->type)
        return crm__error(CRM_E_TYPE,
                          "crm_dataset_join: key \"%s\" is %s on the left but %s on the right",
                          keys[k], crm__type_name(lc->type), crm__type_name(rc->type));
    if (rc->type == CRM_TYPE_TEXT && rc->dict != lc->dict) {
        size_t nd = rc->dict->n;
        maps[k] = crm__malloc_array(nd, sizeof *maps[k]);
        if (!maps[k])
            return crm__nomem();
        for (size_t c = 0; c < nd; c++) {
            const char *s = crm__dict_str(rc->dict, (int32_t)c);
            int32_t lcode = crm__dict_find(lc->dict, s, strlen(s));
            maps[k][c] = lcode >= 0 ? lcode : CRM__KEY_ABSENT;
        }
    }
    crm__keycol_set(&lk[k], lc, NULL);
    crm__keycol_set(&rk[k], rc, maps[k]);
    return CRM_OK;
}

/* 1 when a key cell of row r is missing or cannot match. */
static int row_nomatch(const crm__keycol *kc, size_t nkeys, size_t r)
{
    int skip = 0;
    for (size_t k = 0; k < nkeys && !skip; k++)
        skip = crm__keycol_nomatch(&kc[k], r);
    return skip;
}

/* Build: the right rows interned by key into t (rid[r]: the key's id, UINT32_MAX when it
 * cannot match), then bucketed by id in right order: rlist[off[i]..off[i + 1]) (*off: t->n + 1
 * entries, *rlist: nr). */
static crm_status build_right(const crm__keycol *rk, size_t nkeys, size_t nr, crm__keytab *t,
                              uint64_t *vals, uint32_t *rid, size_t **off_out, size_t **rlist_out)
{
    crm_status st;
    for (size_t r = 0; r < nr; r++) {
        if (row_nomatch(rk, nkeys, r)) {
            rid[r] = UINT32_MAX;
            continue;
        }
        uint64_t h = crm__key_row(rk, nkeys, r, vals);
        if ((st = crm__keytab_intern(t, vals, h, &rid[r])))
            return st;
    }
    size_t nid = t->n;
    size_t *off = *off_out = crm__calloc(nid + 1, sizeof *off);
    size_t *rlist = *rlist_out = crm__malloc_array(nr, sizeof *rlist);
    if (!off || !rlist)
        return crm__nomem();
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
    return CRM_OK;
}

/* Probe: the right key id of every left row in order (lid[l], UINT32_MAX: no match), the slots
 * of the rows ahead prefetched; returns the number of output rows. */
static size_t probe_left(const crm__keycol *lk, size_t nkeys, size_t nl, const crm__keytab *t,
                         uint64_t *vals, const size_t *off, int32_t how, uint32_t *lid)
{
    size_t m = 0;
    crm__keyring ring;
    crm__keyring_init(&ring, lk, nkeys, nl, vals);
    for (size_t l = 0; l < nl; l++) {
        uint64_t h = crm__keyring_next(&ring, lk, nkeys, nl, l, t, vals);
        int64_t f = -1;
        if (!row_nomatch(lk, nkeys, l)) {
            for (size_t k = 0; k < nkeys; k++)
                vals[k] = crm__keycol_value(&lk[k], l);
            f = crm__keytab_find(t, vals, h);
        }
        lid[l] = f < 0 ? UINT32_MAX : (uint32_t)f;
        size_t cnt = f < 0 ? 0 : off[f + 1] - off[f];
        m += cnt ? cnt : (how == CRM_JOIN_LEFT);
    }
    return m;
}

/* The output row pairs: (li[o], ri[o]) for o < m, left rows in order, each with its right rows
 * in right order (ri -1: an unmatched left row of a left join). */
static void pair_rows(const uint32_t *lid, size_t nl, const size_t *off, const size_t *rlist,
                      int32_t how, int64_t *li, int64_t *ri)
{
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
}

/* Output: the left columns, then the right non-key columns, gathered by the row pairs; a
 * non-key name on both sides gets _x (left) and _y (right). */
static crm_status emit_join(const crm_dataset *left, const crm_dataset *right,
                            const char *const *keys, size_t nkeys, const int64_t *li,
                            const int64_t *ri, size_t m, crm_dataset **out)
{
    crm_dataset *res = NULL;
    crm_status st = crm_dataset_new(&res);
    for (size_t c = 0; !st && c < left->ncols; c++) {
        const crm__column *col = &left->cols[c];
        int clash = !is_key(col->name, keys, nkeys) && has_nonkey(right, col->name, keys, nkeys);
        st = add_gathered(res, col, li, m, clash, "_x");
    }
    for (size_t c = 0; !st && c < right->ncols; c++) {
        const crm__column *col = &right->cols[c];
        if (is_key(col->name, keys, nkeys))
            continue;
        int clash = has_nonkey(left, col->name, keys, nkeys);
        st = add_gathered(res, col, ri, m, clash, "_y");
    }
    if (st) {
        crm_dataset_free(res);
        return st;
    }
    res->nrows = m;
    *out = res;
    return CRM_OK;
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
    crm__keytab t;
    memset(&t, 0, sizeof t);
    if (!lk || !rk || !maps || !vals) {
        st = crm__nomem();
        goto done;
    }
    for (size_t k = 0; k < nkeys; k++)
        if ((st = find_key(left, right, keys, k, lk, rk, maps)))
            goto done;
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
    if ((st = build_right(rk, nkeys, nr, &t, vals, rid, &off, &rlist)))
        goto done;

    /* probe: left rows in order; then the matching row pairs */
    m = probe_left(lk, nkeys, nl, &t, vals, off, how, lid);
    li = crm__malloc_array(m, sizeof *li);
    ri = crm__malloc_array(m, sizeof *ri);
    if (!li || !ri) {
        st = crm__nomem();
        goto done;
    }
    pair_rows(lid, nl, off, rlist, how, li, ri);

    /* output: left columns, then right non-key columns */
    st = emit_join(left, right, keys, nkeys, li, ri, m, out);
done:
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
