/*
 * Row keys for group and join: canonical 64-bit values per key cell, a hash
 * of a row's key vector, a table interning key vectors to dense ids, and a
 * column gather with missing rows. Never installed.
 *
 * Canonical values: numbers by bit pattern with -0.0 == 0.0 and every NaN
 * equal (pandas' rule); times as they are; text as dictionary codes, which
 * compare strings only within one dictionary: a second dataset's codes are
 * first translated into the first one's code space (crm__keycol.map).
 */
#ifndef CRM_DATASET_KEYHASH_H
#define CRM_DATASET_KEYHASH_H

#include "core/dataset_internal.h"

#include <string.h>

/* Canonical value of a missing number (the quiet NaN bit pattern). */
#define CRM__KEY_NAN_BITS UINT64_C(0x7ff8000000000000)
/* Translated text code of a string absent from the other dictionary. */
#define CRM__KEY_ABSENT (-2)

typedef struct crm__keycol {
    int32_t type;
    const double *num;
    const int64_t *time;
    const int32_t *code;
    const int32_t *map; /* text only: code translation, or NULL (identity) */
} crm__keycol;

void crm__keycol_set(crm__keycol *k, const crm__column *c, const int32_t *map);

static inline uint64_t crm__key_num_bits(double x)
{
    if (x != x)
        return CRM__KEY_NAN_BITS;
    if (x == 0.0)
        return 0;
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Canonical value of cell r. */
static inline uint64_t crm__keycol_value(const crm__keycol *k, size_t r)
{
    switch (k->type) {
    case CRM_TYPE_NUMBER:
        return crm__key_num_bits(k->num[r]);
    case CRM_TYPE_TIME:
        return (uint64_t)k->time[r];
    default: {
        int32_t c = k->code[r];
        if (c >= 0 && k->map)
            c = k->map[c];
        return (uint64_t)(int64_t)c;
    }
    }
}

/* 1 when cell r is missing or (translated text) cannot match anything. */
static inline int crm__keycol_nomatch(const crm__keycol *k, size_t r)
{
    switch (k->type) {
    case CRM_TYPE_NUMBER:
        return k->num[r] != k->num[r];
    case CRM_TYPE_TIME:
        return k->time[r] == CRM_TIME_MISSING;
    default: {
        int32_t c = k->code[r];
        return c < 0 || (k->map && k->map[c] < 0);
    }
    }
}

static inline uint64_t crm__key_hash_step(uint64_t h, uint64_t v)
{
    h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    return h;
}

static inline uint64_t crm__key_hash_final(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* Canonical key vector and hash of row r. */
static inline uint64_t crm__key_row(const crm__keycol *cols, size_t nkeys, size_t r, uint64_t *vals)
{
    uint64_t h = 0;
    for (size_t k = 0; k < nkeys; k++) {
        vals[k] = crm__keycol_value(&cols[k], r);
        h = crm__key_hash_step(h, vals[k]);
    }
    return crm__key_hash_final(h);
}

/* Check keys[k] of a key list: not NULL and not one of keys[0..k); fn names the call in the
 * error message. */
static inline crm_status crm__key_name_check(const char *fn, const char *const *keys, size_t k)
{
    if (!keys[k])
        return crm__error(CRM_E_INVALID, "%s: keys[%zu] is NULL", fn, k);
    for (size_t j = 0; j < k; j++)
        if (strcmp(keys[j], keys[k]) == 0)
            return crm__error(CRM_E_INVALID, "%s: key \"%s\" is listed twice", fn, keys[k]);
    return CRM_OK;
}

/* Open-addressing table of key vectors -> dense ids 0, 1, ... in order of
 * first insertion. Slots hold (hash high 32 bits << 32) | (id + 1); 0 = empty. */
typedef struct crm__keytab {
    size_t nkeys;
    uint64_t *keys;   /* n * nkeys canonical values */
    uint64_t *hashes; /* n hashes */
    uint64_t *slots;
    size_t nslots; /* power of two */
    size_t n, cap;
} crm__keytab;

crm_status crm__keytab_init(crm__keytab *t, size_t nkeys, size_t expected);
void crm__keytab_free(crm__keytab *t);
/* Add key vector `vals` with hash h as id t->n (the caller checked it is absent). */
crm_status crm__keytab_add(crm__keytab *t, const uint64_t *vals, uint64_t h, uint32_t *id);

static inline int crm__keytab_eq(const crm__keytab *t, uint32_t id, const uint64_t *vals)
{
    const uint64_t *k = t->keys + (size_t)id * t->nkeys;
    for (size_t i = 0; i < t->nkeys; i++)
        if (k[i] != vals[i])
            return 0;
    return 1;
}

/* Id of the key vector, or -1 when absent. */
static inline int64_t crm__keytab_find(const crm__keytab *t, const uint64_t *vals, uint64_t h)
{
    size_t mask = t->nslots - 1;
    uint64_t tag = h >> 32;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint64_t s = t->slots[i];
        if (!s)
            return -1;
        if (s >> 32 == tag && crm__keytab_eq(t, (uint32_t)s - 1u, vals))
            return (int64_t)((uint32_t)s - 1u);
    }
}

/* Id of the key vector, adding it when new. */
static inline crm_status crm__keytab_intern(crm__keytab *t, const uint64_t *vals, uint64_t h,
                                            uint32_t *id)
{
    int64_t f = crm__keytab_find(t, vals, h);
    if (f >= 0) {
        *id = (uint32_t)f;
        return CRM_OK;
    }
    return crm__keytab_add(t, vals, h, id);
}

/* Rows a row loop looks ahead to prefetch their hash slots. */
enum { CRM__KEY_AHEAD = 32 };

/* The hashes of the key vectors of the CRM__KEY_AHEAD rows after the current one in a loop over
 * the rows in order; the slot of each in a crm__keytab is prefetched as it enters. */
typedef struct crm__keyring {
    uint64_t h[CRM__KEY_AHEAD];
} crm__keyring;

/* Start a loop over rows 0..n) (scratch: nkeys values, overwritten). */
static inline void crm__keyring_init(crm__keyring *q, const crm__keycol *kc, size_t nkeys,
                                     size_t n, uint64_t *scratch)
{
    for (size_t r = 0; r < CRM__KEY_AHEAD && r < n; r++)
        q->h[r] = crm__key_row(kc, nkeys, r, scratch);
}

/* Hash of row r, called for r = 0, 1, ... in turn; hashes row r + CRM__KEY_AHEAD and
 * prefetches its slot in t (scratch: nkeys values, overwritten). */
static inline uint64_t crm__keyring_next(crm__keyring *q, const crm__keycol *kc, size_t nkeys,
                                         size_t n, size_t r, const crm__keytab *t,
                                         uint64_t *scratch)
{
    uint64_t h = q->h[r % CRM__KEY_AHEAD];
    if (r + CRM__KEY_AHEAD < n) {
        uint64_t ha = crm__key_row(kc, nkeys, r + CRM__KEY_AHEAD, scratch);
        q->h[r % CRM__KEY_AHEAD] = ha;
        CRM__PREFETCH(&t->slots[ha & (t->nslots - 1)]);
    }
    return h;
}

/* Append to dst a copy of column src named `name` with row rows[i] of src at
 * row i (rows[i] < 0 gives a missing cell). Text columns share the dictionary. */
crm_status crm__column_gather(crm_dataset *dst, const char *name, const crm__column *src,
                              const int64_t *rows, size_t n);

/* Rank of each dictionary code in byte order of the strings (*out: d->n entries). */
crm_status crm__dict_ranks(const crm__dict *d, int32_t **out);

/* Stable LSD radix sort of ids[0..n) by keys[0..n) (both permuted together);
 * tmpk/tmpi are scratch of n entries. */
void crm__radix_sort_u64(uint64_t *keys, uint32_t *ids, uint64_t *tmpk, uint32_t *tmpi, size_t n);

#endif /* CRM_DATASET_KEYHASH_H */
