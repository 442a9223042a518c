/* Text dictionaries: interning of distinct strings with open addressing. */
#include "core/dataset_internal.h"

#include <string.h>

uint32_t crm__hash_bytes(const char *s, size_t len)
{
    /* FNV-1a over 8-byte words then bytes, finished with a murmur mix. */
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

crm_status crm__dict_new(crm__dict **out)
{
    crm__dict *d = crm__calloc(1, sizeof *d);
    if (!d)
        return crm__nomem();
    atomic_init(&d->refs, 1);
    *out = d;
    return CRM_OK;
}

crm__dict *crm__dict_retain(crm__dict *d)
{
    if (d)
        atomic_fetch_add(&d->refs, 1);
    return d;
}

void crm__dict_release(crm__dict *d)
{
    if (!d)
        return;
    if (atomic_fetch_sub(&d->refs, 1) != 1)
        return;
    crm__free(d->off);
    crm__free(d->hashes);
    crm__free(d->arena);
    crm__free(d->slots);
    crm__free(d);
}

static crm_status rehash(crm__dict *d, size_t nslots)
{
    int32_t *slots = crm__malloc_array(nslots, sizeof *slots);
    if (!slots)
        return crm__nomem();
    memset(slots, 0xff, nslots * sizeof *slots);
    size_t mask = nslots - 1;
    for (size_t c = 0; c < d->n; c++) {
        size_t j = d->hashes[c] & mask;
        while (slots[j] >= 0)
            j = (j + 1) & mask;
        slots[j] = (int32_t)c;
    }
    crm__free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return CRM_OK;
}

static crm_status grow_entries(crm__dict *d, size_t want)
{
    if (want <= d->ncap)
        return CRM_OK;
    size_t cap = d->ncap ? d->ncap : 16;
    while (cap < want)
        cap *= 2;
    size_t *off = crm__realloc_array(d->off, cap, sizeof *off);
    if (!off)
        return crm__nomem();
    d->off = off;
    uint32_t *hs = crm__realloc_array(d->hashes, cap, sizeof *hs);
    if (!hs)
        return crm__nomem();
    d->hashes = hs;
    d->ncap = cap;
    return CRM_OK;
}

static crm_status grow_arena(crm__dict *d, size_t extra)
{
    if (d->arena_len + extra <= d->arena_cap)
        return CRM_OK;
    size_t cap = d->arena_cap ? d->arena_cap : 1024;
    while (cap < d->arena_len + extra)
        cap *= 2;
    char *a = crm__realloc(d->arena, cap);
    if (!a)
        return crm__nomem();
    d->arena = a;
    d->arena_cap = cap;
    return CRM_OK;
}

crm_status crm__dict_reserve(crm__dict *d, size_t n, size_t bytes)
{
    crm_status st = grow_entries(d, n);
    if (!st)
        st = grow_arena(d, bytes);
    if (!st && n * 2 > d->nslots) {
        size_t ns = 16;
        while (ns < n * 2)
            ns *= 2;
        st = rehash(d, ns);
    }
    return st;
}

int32_t crm__dict_find(const crm__dict *d, const char *s, size_t len)
{
    if (!d->nslots)
        return -1;
    uint32_t h = crm__hash_bytes(s, len);
    size_t mask = d->nslots - 1;
    for (size_t j = h & mask;; j = (j + 1) & mask) {
        int32_t c = d->slots[j];
        if (c < 0)
            return -1;
        if (d->hashes[c] == h) {
            const char *t = d->arena + d->off[c];
            if (memcmp(t, s, len) == 0 && t[len] == '\0')
                return c;
        }
    }
}

crm_status crm__dict_intern(crm__dict *d, const char *s, size_t len, int32_t *code)
{
    uint32_t h = crm__hash_bytes(s, len);
    if (d->nslots) {
        size_t mask = d->nslots - 1;
        size_t j = h & mask;
        for (;; j = (j + 1) & mask) {
            int32_t c = d->slots[j];
            if (c < 0)
                break;
            if (d->hashes[c] == h) {
                const char *t = d->arena + d->off[c];
                if (memcmp(t, s, len) == 0 && t[len] == '\0') {
                    *code = c;
                    return CRM_OK;
                }
            }
        }
    }
    if (d->n >= (size_t)INT32_MAX)
        return crm__error(CRM_E_INVALID, "a text column holds more than 2^31-1 distinct values");
    crm_status st;
    if ((d->n + 1) * 2 > d->nslots) {
        st = rehash(d, d->nslots ? d->nslots * 2 : 64);
        if (st)
            return st;
    }
    if ((st = grow_entries(d, d->n + 1)) || (st = grow_arena(d, len + 1)))
        return st;
    memcpy(d->arena + d->arena_len, s, len);
    d->arena[d->arena_len + len] = '\0';
    int32_t c = (int32_t)d->n;
    d->off[c] = d->arena_len;
    d->hashes[c] = h;
    d->arena_len += len + 1;
    d->n++;
    size_t mask = d->nslots - 1;
    size_t j = h & mask;
    while (d->slots[j] >= 0)
        j = (j + 1) & mask;
    d->slots[j] = c;
    *code = c;
    return CRM_OK;
}
