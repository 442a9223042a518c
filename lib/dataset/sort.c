/* crm_dataset_sort: stable multi-key sort (merge sort of a row permutation). */
#include "core/dataset_internal.h"

#include <math.h>
#include <string.h>

typedef struct sort_key {
    int32_t type;
    int desc;
    const double *num;
    const int64_t *time;
    const int32_t *code;
    int32_t *rank; /* text: rank of each dictionary code in byte order */
} sort_key;

typedef struct sort_ctx {
    sort_key *keys;
    size_t nkeys;
} sort_ctx;

/* <0, 0, >0; missing values last whatever the direction. */
static int cmp_rows(const sort_ctx *ctx, size_t a, size_t b)
{
    for (size_t k = 0; k < ctx->nkeys; k++) {
        const sort_key *key = &ctx->keys[k];
        int ma, mb, c;
        switch (key->type) {
        case CRM_TYPE_NUMBER: {
            double x = key->num[a], y = key->num[b];
            ma = isnan(x);
            mb = isnan(y);
            c = ma || mb ? 0 : (x < y ? -1 : x > y);
            break;
        }
        case CRM_TYPE_TIME: {
            int64_t x = key->time[a], y = key->time[b];
            ma = x == CRM_TIME_MISSING;
            mb = y == CRM_TIME_MISSING;
            c = x < y ? -1 : x > y;
            break;
        }
        default: {
            int32_t x = key->code[a], y = key->code[b];
            ma = x < 0;
            mb = y < 0;
            c = ma || mb ? 0 : (key->rank[x] < key->rank[y] ? -1 : key->rank[x] > key->rank[y]);
            break;
        }
        }
        if (ma || mb) {
            if (ma && mb)
                continue;
            return ma ? 1 : -1;
        }
        if (c)
            return key->desc ? -c : c;
    }
    return 0;
}

/* Ranks of dictionary entries in byte order (strcmp compares unsigned bytes,
 * which for UTF-8 is code point order). Merge sort: no global state. */
static crm_status level_ranks(const crm__dict *d, int32_t **out)
{
    size_t n = d->n;
    int32_t *order = crm__malloc_array(n, sizeof *order);
    int32_t *tmp = crm__malloc_array(n, sizeof *tmp);
    int32_t *rank = crm__malloc_array(n, sizeof *rank);
    if (!order || !tmp || !rank) {
        crm__free(order);
        crm__free(tmp);
        crm__free(rank);
        return crm__nomem();
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (int32_t)i;
    /* bottom-up merge sort by string */
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (strcmp(crm__dict_str(d, order[j]), crm__dict_str(d, order[i])) < 0)
                    tmp[k++] = order[j++];
                else
                    tmp[k++] = order[i++];
            }
            while (i < mid)
                tmp[k++] = order[i++];
            while (j < hi)
                tmp[k++] = order[j++];
        }
        int32_t *t = order;
        order = tmp;
        tmp = t;
    }
    for (size_t i = 0; i < n; i++)
        rank[order[i]] = (int32_t)i;
    crm__free(order);
    crm__free(tmp);
    *out = rank;
    return CRM_OK;
}

crm_status crm_dataset_sort(const crm_dataset *ds, const char *const *keys, size_t nkeys,
                            const int32_t *descending, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !keys || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_sort: NULL argument");
    if (nkeys == 0)
        return crm__error(CRM_E_INVALID, "crm_dataset_sort: no sort keys given");
    crm_status st = CRM_OK;
    size_t n = ds->nrows;
    sort_key *sk = crm__calloc(nkeys, sizeof *sk);
    size_t *perm = NULL, *tmp = NULL;
    if (!sk)
        return crm__nomem();
    for (size_t k = 0; k < nkeys; k++) {
        size_t idx = 0;
        if (!keys[k]) {
            st = crm__error(CRM_E_INVALID, "crm_dataset_sort: keys[%zu] is NULL", k);
            goto done;
        }
        if ((st = crm__dataset_find(ds, keys[k], &idx)))
            goto done;
        const crm__column *c = &ds->cols[idx];
        sk[k].type = c->type;
        sk[k].desc = descending && descending[k];
        sk[k].num = c->v.num;
        sk[k].time = c->v.time;
        sk[k].code = c->v.code;
        if (c->type == CRM_TYPE_TEXT && (st = level_ranks(c->dict, &sk[k].rank)))
            goto done;
    }
    perm = crm__malloc_array(n, sizeof *perm);
    tmp = crm__malloc_array(n, sizeof *tmp);
    if (!perm || !tmp) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    sort_ctx ctx = {sk, nkeys};
    /* Insertion sort runs of 16, then bottom-up merges: stable. */
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t i = lo + 1; i < hi; i++) {
            size_t v = perm[i], j = i;
            while (j > lo && cmp_rows(&ctx, perm[j - 1], v) > 0) {
                perm[j] = perm[j - 1];
                j--;
            }
            perm[j] = v;
        }
    }
    for (size_t width = run; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            if (mid >= hi || cmp_rows(&ctx, perm[mid - 1], perm[mid]) <= 0) {
                memcpy(tmp + lo, perm + lo, (hi - lo) * sizeof *perm);
                continue;
            }
            while (i < mid && j < hi) {
                if (cmp_rows(&ctx, perm[j], perm[i]) < 0)
                    tmp[k++] = perm[j++];
                else
                    tmp[k++] = perm[i++];
            }
            while (i < mid)
                tmp[k++] = perm[i++];
            while (j < hi)
                tmp[k++] = perm[j++];
        }
        size_t *t = perm;
        perm = tmp;
        tmp = t;
    }
    st = crm__dataset_take(ds, perm, n, out);
done:
    for (size_t k = 0; k < nkeys; k++)
        crm__free(sk[k].rank);
    crm__free(sk);
    crm__free(perm);
    crm__free(tmp);
    return st;
}
