/* Row keys for group and join: key table, gather, dictionary ranks, radix sort. */
#include "dataset/keyhash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void crm__keycol_set(crm__keycol *k, const crm__column *c, const int32_t *map)
{
    memset(k, 0, sizeof *k);
    k->type = c->type;
    if (c->type == CRM_TYPE_NUMBER)
        k->num = c->v.num;
    else if (c->type == CRM_TYPE_TIME)
        k->time = c->v.time;
    else
        k->code = c->v.code;
    k->map = map;
}

crm_status crm__keytab_init(crm__keytab *t, size_t nkeys, size_t expected)
{
    memset(t, 0, sizeof *t);
    t->nkeys = nkeys;
    size_t ns = 64;
    while (ns < expected * 2 && ns < ((size_t)1 << 40))
        ns *= 2;
    size_t cap = ns / 2;
    t->slots = crm__calloc(ns, sizeof *t->slots);
    t->keys = crm__malloc_array(cap, nkeys * sizeof *t->keys);
    t->hashes = crm__malloc_array(cap, sizeof *t->hashes);
    if (!t->slots || !t->keys || !t->hashes) {
        crm__keytab_free(t);
        return crm__nomem();
    }
    t->nslots = ns;
    t->cap = cap;
    return CRM_OK;
}

void crm__keytab_free(crm__keytab *t)
{
    crm__free(t->slots);
    crm__free(t->keys);
    crm__free(t->hashes);
    memset(t, 0, sizeof *t);
}

static void place(uint64_t *slots, size_t mask, uint64_t h, uint32_t id)
{
    size_t i = (size_t)h & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = ((h >> 32) << 32) | ((uint64_t)id + 1u);
}

crm_status crm__keytab_add(crm__keytab *t, const uint64_t *vals, uint64_t h, uint32_t *id)
{
    if (t->n >= UINT32_MAX - 1)
        return crm__error(CRM_E_INVALID, "more than %u distinct keys", (unsigned)(UINT32_MAX - 2));
    if (t->n == t->cap) {
        /* grow: keys and hashes double, slots double (load factor <= 1/2) */
        size_t cap = t->cap * 2, ns = t->nslots * 2;
        uint64_t *slots = crm__calloc(ns, sizeof *slots);
        if (!slots)
            return crm__nomem();
        uint64_t *keys = crm__realloc_array(t->keys, cap, t->nkeys * sizeof *keys);
        if (!keys) {
            crm__free(slots);
            return crm__nomem();
        }
        t->keys = keys;
        uint64_t *hashes = crm__realloc_array(t->hashes, cap, sizeof *hashes);
        if (!hashes) {
            crm__free(slots);
            return crm__nomem();
        }
        t->hashes = hashes;
        for (size_t i = 0; i < t->n; i++)
            place(slots, ns - 1, t->hashes[i], (uint32_t)i);
        crm__free(t->slots);
        t->slots = slots;
        t->nslots = ns;
        t->cap = cap;
    }
    uint32_t nid = (uint32_t)t->n;
    memcpy(t->keys + t->n * t->nkeys, vals, t->nkeys * sizeof *vals);
    t->hashes[t->n] = h;
    place(t->slots, t->nslots - 1, h, nid);
    t->n++;
    *id = nid;
    return CRM_OK;
}

crm_status crm__column_gather(crm_dataset *dst, const char *name, const crm__column *src,
                              const int64_t *rows, size_t n)
{
    size_t es = crm__type_size(src->type);
    void *data = crm__malloc_array(n, es);
    if (!data)
        return crm__nomem();
    switch (src->type) {
    case CRM_TYPE_NUMBER: {
        double *d = data;
        for (size_t i = 0; i < n; i++)
            d[i] = rows[i] < 0 ? NAN : src->v.num[rows[i]];
        break;
    }
    case CRM_TYPE_TIME: {
        int64_t *d = data;
        for (size_t i = 0; i < n; i++)
            d[i] = rows[i] < 0 ? CRM_TIME_MISSING : src->v.time[rows[i]];
        break;
    }
    default: {
        int32_t *d = data;
        for (size_t i = 0; i < n; i++)
            d[i] = rows[i] < 0 ? -1 : src->v.code[rows[i]];
        break;
    }
    }
    crm_status st = crm__dataset_add_owned(dst, name, src->type, data, src->dict, n);
    if (st) {
        crm__free(data);
        return st;
    }
    crm__dict_retain(src->dict);
    return CRM_OK;
}

typedef struct str_code {
    const char *s;
    int32_t code;
} str_code;

static int cmp_str_code(const void *pa, const void *pb)
{
    const str_code *a = pa, *b = pb;
    int c = strcmp(a->s, b->s);
    return c ? c : (a->code > b->code) - (a->code < b->code);
}

crm_status crm__dict_ranks(const crm__dict *d, int32_t **out)
{
    size_t n = d->n;
    str_code *sc = crm__malloc_array(n, sizeof *sc);
    int32_t *rank = crm__malloc_array(n, sizeof *rank);
    if (!sc || !rank) {
        crm__free(sc);
        crm__free(rank);
        return crm__nomem();
    }
    for (size_t i = 0; i < n; i++) {
        sc[i].s = crm__dict_str(d, (int32_t)i);
        sc[i].code = (int32_t)i;
    }
    qsort(sc, n, sizeof *sc, cmp_str_code);
    for (size_t i = 0; i < n; i++)
        rank[sc[i].code] = (int32_t)i;
    crm__free(sc);
    *out = rank;
    return CRM_OK;
}

void crm__radix_sort_u64(uint64_t *keys, uint32_t *ids, uint64_t *tmpk, uint32_t *tmpi, size_t n)
{
    if (n < 2)
        return;
    uint64_t all_or = 0, all_and = ~UINT64_C(0);
    for (size_t i = 0; i < n; i++) {
        all_or |= keys[i];
        all_and &= keys[i];
    }
    uint64_t *sk = keys, *dk = tmpk;
    uint32_t *si = ids, *di = tmpi;
    for (int shift = 0; shift < 64; shift += 8) {
        if ((((all_or ^ all_and) >> shift) & 0xffu) == 0)
            continue; /* every key has the same byte here */
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((sk[i] >> shift) & 0xffu) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            size_t pos = count[(sk[i] >> shift) & 0xffu]++;
            dk[pos] = sk[i];
            di[pos] = si[i];
        }
        uint64_t *tk = sk;
        sk = dk;
        dk = tk;
        uint32_t *ti = si;
        si = di;
        di = ti;
    }
    if (sk != keys) {
        memcpy(keys, sk, n * sizeof *keys);
        memcpy(ids, si, n * sizeof *ids);
    }
}
