/* crm_apriori: frequent itemsets and association rules (definitions in
 * include/crm/assoc.h).
 *
 * 1. Dense transaction ids (text codes, or a hash of the 64-bit values), the
 *    rows grouped by transaction with a counting sort, duplicate items removed.
 * 2. Item counts; infrequent items dropped; the frequent ones recoded by
 *    count ascending, so that the items after a prefix are the frequent ones
 *    and the projected transaction lists stay short.
 * 3. Depth-first enumeration on the prefix tree of itemsets: a node holds the
 *    list of transactions containing its itemset; one pass over those
 *    transactions (only their items after the node's last item) counts every
 *    extension, a second pass hands each frequent extension its own
 *    transaction list (occurrence delivery). Only extensions of frequent
 *    itemsets are ever counted, every count is exact.
 * 4. Closed/maximal filtering and the rules look subsets up in a hash table
 *    of the frequent itemsets; both tables are sorted and built as datasets. */
#include "crm/assoc.h"
#include "core/par.h"
#include "core/dataset_internal.h"
#include "assoc/assoc_internal.h"

#include <stdatomic.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CRM__APRIORI_OPTIONS_V1_SIZE                                                               \
    (offsetof(crm_apriori_options, separator) + sizeof(const char *))

static const crm_apriori_options apriori_defaults = {
    sizeof(crm_apriori_options), /* size */
    0.01,                        /* min_support */
    0,                           /* min_count */
    -1,                          /* max_len: unlimited */
    CRM_APRIORI_ALL,             /* target */
    0.0,                         /* min_confidence */
    0.0,                         /* min_lift */
    0,                           /* n_threads */
    NULL,                        /* progress */
    NULL,                        /* user */
    NULL,                        /* separator: ", " */
    0,                           /* prune_redundant */
};

crm_status crm_apriori_options_init(crm_apriori_options *opts, size_t size)
{
    return crm__options_init(opts, size, &apriori_defaults, sizeof apriori_defaults,
                             CRM__APRIORI_OPTIONS_V1_SIZE, "crm_apriori_options");
}

crm_status crm__apriori_options_load(crm_apriori_options *dst, const crm_apriori_options *user)
{
    return crm__options_load(dst, user, &apriori_defaults, sizeof apriori_defaults,
                             CRM__APRIORI_OPTIONS_V1_SIZE, "crm_apriori_options");
}

/* ---- small helpers ------------------------------------------------------------- */

/* Grow *p (elements of `elem` bytes) to hold at least `need` elements. */
static crm_status grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return CRM_OK;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *q = crm__realloc_array(*p, nc, elem);
    if (!q) return crm__nomem();
    *p = q;
    *cap = nc;
    return CRM_OK;
}

/* (Re)build the open-addressing table of keys[0..n): slots hold key indices,
 * -1 = empty; at most half full. */
static crm_status rehash(const uint64_t *keys, size_t n, int32_t **slots, size_t *nslots)
{
    size_t ns = 1024;
    while (ns < 2 * n + 2)
        ns *= 2;
    int32_t *sl = crm__malloc_array(ns, sizeof *sl);
    if (!sl) return crm__nomem();
    for (size_t i = 0; i < ns; i++)
        sl[i] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t t = (size_t)crm__mix64(keys[i]) & (ns - 1);
        while (sl[t] >= 0)
            t = (t + 1) & (ns - 1);
        sl[t] = (int32_t)i;
    }
    crm__free(*slots);
    *slots = sl;
    *nslots = ns;
    return CRM_OK;
}

/* Dense transaction id of every row (-1: missing id), in order of first
 * appearance. */
static crm_status dense_tids(const crm__column *c, size_t nrows, int32_t *id, size_t *ntx)
{
    size_t n = 0;
    if (c->type == CRM_TYPE_TEXT) {
        size_t nd = c->dict->n;
        int32_t *map = crm__malloc_array(nd ? nd : 1, sizeof *map);
        if (!map) return crm__nomem();
        for (size_t i = 0; i < nd; i++)
            map[i] = -1;
        for (size_t r = 0; r < nrows; r++) {
            int32_t k = c->v.code[r];
            if (k < 0) {
                id[r] = -1;
                continue;
            }
            if (map[k] < 0) map[k] = (int32_t)n++;
            id[r] = map[k];
        }
        crm__free(map);
        *ntx = n;
        return CRM_OK;
    }
    /* numbers (by value, -0 = +0) and times. While the values only grow (sorted
     * input, such as the line numbers of a basket file) a new value is a new
     * transaction and needs no lookup; at the first value that does not grow,
     * an open-addressing table of the keys seen so far takes over. */
    uint64_t *keys = NULL;
    size_t kcap = 0, nslots = 0;
    int32_t *slots = NULL;
    int growing = 1;
    double vmax = 0;
    int64_t tmax = 0;
    uint64_t prev = 0;
    int32_t prev_id = -1;
    crm_status st = CRM_OK;
    for (size_t r = 0; r < nrows; r++) {
        uint64_t k;
        int up;
        if (c->type == CRM_TYPE_NUMBER) {
            double v = c->v.num[r];
            if (isnan(v)) {
                id[r] = -1;
                continue;
            }
            if (v == 0) v = 0;
            memcpy(&k, &v, sizeof k);
            up = n == 0 || v > vmax;
            if (up) vmax = v;
        } else {
            int64_t v = c->v.time[r];
            if (v == CRM_TIME_MISSING) {
                id[r] = -1;
                continue;
            }
            k = (uint64_t)v;
            up = n == 0 || v > tmax;
            if (up) tmax = v;
        }
        if (prev_id >= 0 && k == prev) { /* runs of one transaction: no lookup */
            id[r] = prev_id;
            continue;
        }
        if (growing && !up) { /* hash from now on */
            growing = 0;
            if ((st = rehash(keys, n, &slots, &nslots))) goto fail;
        }
        size_t s = 0;
        if (!growing) {
            size_t mask = nslots - 1;
            s = (size_t)crm__mix64(k) & mask;
            while (slots[s] >= 0 && keys[slots[s]] != k)
                s = (s + 1) & mask;
        }
        if (growing || slots[s] < 0) { /* a new transaction */
            if (n >= (size_t)INT32_MAX) {
                st = crm__error(CRM_E_INVALID, "crm_apriori: more than %d transactions",
                                (int)INT32_MAX);
                goto fail;
            }
            if ((st = grow((void **)&keys, &kcap, n + 1, sizeof *keys))) goto fail;
            keys[n] = k;
            if (!growing) {
                if ((n + 1) * 2 > nslots) { /* load 1/2 */
                    if ((st = rehash(keys, n + 1, &slots, &nslots))) goto fail;
                } else {
                    slots[s] = (int32_t)n;
                }
            }
            id[r] = (int32_t)n++;
        } else {
            id[r] = slots[s];
        }
        prev = k;
        prev_id = id[r];
    }
    crm__free(slots);
    crm__free(keys);
    *ntx = n;
    return CRM_OK;
fail:
    crm__free(slots);
    crm__free(keys);
    return st;
}

/* ---- the miner --------------------------------------------------------------------- */

typedef struct miner {
    int32_t nitems;   /* frequent items */
    int32_t minc;     /* minimum count */
    int32_t maxdepth; /* largest itemset size to enumerate */
    int32_t *cnt;     /* per item, zero between uses */
    int32_t *touched; /* items whose cnt is non-zero */
    size_t *fill;     /* per item: next free slot of its bucket, SIZE_MAX = none */
    int32_t *stk;     /* transaction lists of the open nodes */
    size_t stk_len, stk_cap;
    int32_t *ext; /* frequent extensions of the open nodes: (item, count) pairs */
    size_t *ext_start;
    size_t ext_len, ext_cap, exts_cap;
    /* the prefix tree of frequent itemsets, in order of discovery */
    size_t *par; /* parent set, SIZE_MAX for size 1 */
    int32_t *item;
    int32_t *count;
    int32_t *size;
    size_t nsets, sets_cap;
    int32_t *scr; /* pass 1 copy of the items counted (see mine) */
    size_t scr_cap;
} miner;

static crm_status add_set(miner *m, size_t parent, int32_t item, int32_t count, int32_t size)
{
    if (m->nsets == m->sets_cap) {
        size_t nc = m->sets_cap ? m->sets_cap * 2 : 1024;
        size_t *p = crm__realloc_array(m->par, nc, sizeof *p);
        if (!p) return crm__nomem();
        m->par = p;
        int32_t *a = crm__realloc_array(m->item, nc, sizeof *a);
        if (!a) return crm__nomem();
        m->item = a;
        a = crm__realloc_array(m->count, nc, sizeof *a);
        if (!a) return crm__nomem();
        m->count = a;
        a = crm__realloc_array(m->size, nc, sizeof *a);
        if (!a) return crm__nomem();
        m->size = a;
        m->sets_cap = nc;
    }
    size_t i = m->nsets++;
    m->par[i] = parent;
    m->item[i] = item;
    m->count[i] = count;
    m->size[i] = size;
    return CRM_OK;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Ascending sort of a short array (insertion sort; qsort past 32). */
static void sort_i32(int32_t *v, size_t n)
{
    if (n > 32) {
        qsort(v, n, sizeof *v, cmp_i32);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        int32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Expand the node `set` (SIZE_MAX = the empty root) of size `depth`, whose
 * transactions are stk[tids, tids + ntids) and whose last item is `last`. */
static crm_status mine(miner *m, size_t set, int32_t depth, const int32_t *ti, size_t tids,
                       size_t ntids, int32_t last)
{
    int32_t *cnt = m->cnt;
    crm_status st = CRM_OK;
    /* pass 1: count the extensions. Below the root, when children may follow,
     * the items counted are also copied to the scratch buffer (a length, then
     * the items in descending order), so that pass 2 reads them from one
     * place instead of from transactions scattered over memory. */
    size_t ntouch = 0, sw = 0;
    int copy = depth + 1 < m->maxdepth;
    for (size_t i = 0; i < ntids; i++) {
        size_t t = (size_t)m->stk[tids + i];
        if (copy) {
            if (sw + (size_t)ti[t] + 1 > m->scr_cap &&
                (st =
                     grow((void **)&m->scr, &m->scr_cap, sw + (size_t)ti[t] + 1, sizeof *m->scr))) {
                for (size_t k = 0; k < ntouch; k++)
                    cnt[m->touched[k]] = 0;
                return st;
            }
            size_t w0 = sw++;
            for (size_t j = t + (size_t)ti[t]; j > t && ti[j] > last; j--) {
                int32_t b = ti[j];
                m->scr[sw++] = b;
                if (cnt[b]++ == 0) m->touched[ntouch++] = b;
            }
            m->scr[w0] = (int32_t)(sw - w0 - 1);
        } else {
            for (size_t j = t + (size_t)ti[t]; j > t && ti[j] > last; j--) {
                int32_t b = ti[j];
                if (cnt[b]++ == 0) m->touched[ntouch++] = b;
            }
        }
    }
    size_t e0 = m->ext_len, ne = 0, total = 0, nr = 0;
    int32_t *rti = NULL;
    for (size_t k = 0; k < ntouch; k++) {
        int32_t b = m->touched[k];
        if (cnt[b] >= m->minc) ne++;
    }
    if ((st = grow((void **)&m->ext, &m->ext_cap, e0 + 2 * ne, sizeof *m->ext)) ||
        (st = grow((void **)&m->ext_start, &m->exts_cap, (e0 + 2 * ne) / 2 + 1,
                   sizeof *m->ext_start))) {
        for (size_t k = 0; k < ntouch; k++)
            cnt[m->touched[k]] = 0;
        return st;
    }
    ne = 0;
    for (size_t k = 0; k < ntouch; k++) {
        int32_t b = m->touched[k];
        if (cnt[b] >= m->minc) m->ext[e0 + 2 * ne++] = b;
    }
    /* ascending items: children in a fixed order */
    if (ne > 1) {
        for (size_t k = 0; k < ne; k++)
            m->ext[e0 + k] = m->ext[e0 + 2 * k];
        sort_i32(m->ext + e0, ne);
        for (size_t k = ne; k-- > 0;)
            m->ext[e0 + 2 * k] = m->ext[e0 + k];
    }
    for (size_t k = 0; k < ne; k++) {
        int32_t b = m->ext[e0 + 2 * k];
        m->ext[e0 + 2 * k + 1] = cnt[b];
        total += (size_t)cnt[b];
    }
    for (size_t k = 0; k < ntouch; k++)
        cnt[m->touched[k]] = 0;
    m->ext_len = e0 + 2 * ne;
    if (ne == 0) return CRM_OK;

    size_t first = m->nsets;
    for (size_t k = 0; k < ne; k++)
        if ((st = add_set(m, set, m->ext[e0 + 2 * k], m->ext[e0 + 2 * k + 1], depth + 1))) goto out;
    if (depth + 1 >= m->maxdepth || ne < 2) goto out; /* no child can grow */

    /* pass 2: each extension's transactions (occurrence delivery). Below the
     * root the transactions are first shrunk to the frequent extensions (the
     * only items a descendant can hold) and copied together; a transaction is
     * not handed to its largest item, which it cannot extend, and one left
     * with a single item is dropped. */
    size_t s0 = m->stk_len;
    if ((st = grow((void **)&m->stk, &m->stk_cap, s0 + total, sizeof *m->stk))) goto out;
    for (size_t k = 0, at = s0; k < ne; k++) {
        int32_t b = m->ext[e0 + 2 * k];
        m->ext_start[e0 / 2 + k] = at;
        m->fill[b] = at;
        at += (size_t)m->ext[e0 + 2 * k + 1];
    }
    const int32_t *cti = ti;
    {
        rti = crm__malloc_array(total + ntids, sizeof *rti);
        if (!rti) {
            st = crm__nomem();
            for (size_t k = 0; k < ne; k++)
                m->fill[m->ext[e0 + 2 * k]] = SIZE_MAX;
            goto out;
        }
        size_t w = 0;
        for (size_t i = 0, r = 0; i < ntids; i++) {
            size_t n = (size_t)m->scr[r++], w0 = w;
            w++; /* the length */
            for (size_t j = r; j < r + n; j++)
                if (m->fill[m->scr[j]] != SIZE_MAX) rti[w++] = m->scr[j];
            r += n;
            size_t len = w - w0 - 1;
            if (len < 2) { /* nothing for a child to count */
                w = w0;
                continue;
            }
            rti[w0] = (int32_t)len;
            for (size_t x = w0 + 1, y = w - 1; x < y; x++, y--) { /* ascending */
                int32_t v = rti[x];
                rti[x] = rti[y];
                rti[y] = v;
            }
            for (size_t j = w0 + 1; j + 1 < w; j++)
                m->stk[m->fill[rti[j]]++] = (int32_t)w0;
            nr++;
        }
        cti = rti;
    }
    for (size_t k = 0; k < ne; k++) { /* the delivered lengths replace the counts */
        int32_t b = m->ext[e0 + 2 * k];
        m->ext[e0 + 2 * k + 1] = (int32_t)(m->fill[b] - m->ext_start[e0 / 2 + k]);
        m->fill[b] = SIZE_MAX;
    }
    m->stk_len = s0 + total;
    for (size_t k = 0; k < ne; k++) {
        int32_t b = m->ext[e0 + 2 * k];
        int32_t c = m->ext[e0 + 2 * k + 1];
        if (k + 1 < ne && c > 0) { /* an extension needs an item after b */
            size_t st0 = m->ext_start[e0 / 2 + k];
            if ((st = mine(m, first + k, depth + 1, cti, st0, (size_t)c, b))) goto out;
        }
    }
    m->stk_len = s0;
out:
    (void)nr;
    crm__free(rti);
    m->ext_len = e0;
    return st;
}

static void miner_free(miner *m)
{
    crm__free(m->cnt);
    crm__free(m->touched);
    crm__free(m->fill);
    crm__free(m->stk);
    crm__free(m->ext);
    crm__free(m->ext_start);
    crm__free(m->scr);
    crm__free(m->par);
    crm__free(m->item);
    crm__free(m->count);
    crm__free(m->size);
}

/* ---- the root's children, in parallel ------------------------------------------------ */

/* Parent of the sets a root child's subtree emits directly: the root child itself. */
#define ROOT_CHILD (SIZE_MAX - 1)

typedef struct root_job {
    miner *w;             /* one miner (scratch and output) per worker */
    const int32_t *ti;    /* packed transactions */
    const int32_t *buck;  /* root buckets: the transactions of each item */
    const size_t *bstart; /* nitems + 1 offsets into buck */
    size_t ntasks;        /* root children that can grow */
    size_t *blk_start;    /* per task: its sets in w[blk_worker] */
    size_t *blk_end;
    int *blk_worker;
    crm_status *status;
    atomic_int stop;
    atomic_size_t done;
    int cancelled; /* set by worker 0 only */
    crm_progress_fn progress;
    void *user;
} root_job;

static void root_task(void *ctx, size_t k, int worker)
{
    root_job *j = ctx;
    miner *m = &j->w[worker];
    j->blk_worker[k] = worker;
    j->blk_start[k] = j->blk_end[k] = m->nsets;
    if (atomic_load(&j->stop)) {
        j->status[k] = CRM_E_CANCELLED;
        return;
    }
    size_t c = j->bstart[k + 1] - j->bstart[k];
    crm_status st = CRM_OK;
    /* fewer transactions than min_count: no extension of item k can be frequent */
    if (c >= (size_t)m->minc && !(st = grow((void **)&m->stk, &m->stk_cap, c, sizeof *m->stk))) {
        memcpy(m->stk, j->buck + j->bstart[k], c * sizeof *m->stk);
        m->stk_len = c;
        st = mine(m, ROOT_CHILD, 1, j->ti, 0, c, (int32_t)k);
        m->stk_len = 0;
    }
    j->blk_end[k] = m->nsets;
    j->status[k] = st;
    if (st) atomic_store(&j->stop, 1);
    size_t done = atomic_fetch_add(&j->done, 1) + 1;
    if (worker == 0 && j->progress && !atomic_load(&j->stop) &&
        j->progress(0.9 * (double)done / (double)j->ntasks, j->user) != 0) {
        j->cancelled = 1;
        atomic_store(&j->stop, 1);
    }
}

/* Every frequent itemset: the single items (counts `count`), then the subtree
 * of each root child, mined on up to n_threads threads and merged in item
 * order, so the result never depends on the thread count. */
static crm_status mine_all(miner *m, const int32_t *ti, size_t nt, size_t lenti,
                           const int32_t *count, int32_t n_threads, crm_progress_fn progress,
                           void *user)
{
    size_t nf = (size_t)m->nitems;
    crm_status st = CRM_OK;
    for (size_t f = 0; f < nf; f++)
        if ((st = add_set(m, SIZE_MAX, (int32_t)f, count[f], 1))) return st;
    if (nf < 2 || m->maxdepth < 2 || nt == 0) return CRM_OK;
    size_t ntasks = nf - 1; /* the last item has nothing after it */
    int nw = crm__par_threads(n_threads, ntasks);
    root_job j;
    memset(&j, 0, sizeof j);
    size_t *bstart = crm__calloc(nf + 1, sizeof *bstart);
    int32_t *buck = crm__malloc_array(lenti ? lenti : 1, sizeof *buck);
    j.w = crm__calloc((size_t)nw, sizeof *j.w);
    j.blk_start = crm__malloc_array(ntasks, sizeof *j.blk_start);
    j.blk_end = crm__malloc_array(ntasks, sizeof *j.blk_end);
    j.blk_worker = crm__malloc_array(ntasks, sizeof *j.blk_worker);
    j.status = crm__malloc_array(ntasks, sizeof *j.status);
    if (!bstart || !buck || !j.w || !j.blk_start || !j.blk_end || !j.blk_worker || !j.status) {
        st = crm__nomem();
        goto done;
    }
    /* root buckets: each transaction goes to every item but its last */
    for (size_t t = 0, at = 0; t < nt; t++) {
        size_t len = (size_t)ti[at];
        for (size_t x = at + 1; x < at + len; x++)
            bstart[ti[x] + 1]++;
        at += len + 1;
    }
    for (size_t f = 0; f < nf; f++)
        bstart[f + 1] += bstart[f];
    {
        size_t *fill = m->fill; /* all SIZE_MAX: borrow it as the bucket cursor */
        for (size_t f = 0; f < nf; f++)
            fill[f] = bstart[f];
        for (size_t t = 0, at = 0; t < nt; t++) {
            size_t len = (size_t)ti[at];
            for (size_t x = at + 1; x < at + len; x++)
                buck[fill[ti[x]]++] = (int32_t)at;
            at += len + 1;
        }
        for (size_t f = 0; f < nf; f++)
            fill[f] = SIZE_MAX;
    }
    for (int w = 0; w < nw; w++) {
        miner *x = &j.w[w];
        x->nitems = m->nitems;
        x->minc = m->minc;
        x->maxdepth = m->maxdepth;
        x->cnt = crm__calloc(nf, sizeof *x->cnt);
        x->touched = crm__malloc_array(nf, sizeof *x->touched);
        x->fill = crm__malloc_array(nf, sizeof *x->fill);
        if (!x->cnt || !x->touched || !x->fill) {
            st = crm__nomem();
            goto done;
        }
        for (size_t f = 0; f < nf; f++)
            x->fill[f] = SIZE_MAX;
    }
    j.ti = ti;
    j.buck = buck;
    j.bstart = bstart;
    j.ntasks = ntasks;
    atomic_init(&j.stop, 0);
    atomic_init(&j.done, 0);
    j.progress = progress;
    j.user = user;
    crm__par_for(nw, ntasks, root_task, &j);
    /* failures, in task order; messages are thread-local, so set them here */
    for (size_t k = 0; k < ntasks && !st; k++)
        if (j.status[k] == CRM_E_NOMEM) st = crm__nomem();
    if (!st && j.cancelled)
        st = crm__error(CRM_E_CANCELLED, "crm_apriori: cancelled by the progress callback");
    for (size_t k = 0; k < ntasks && !st; k++)
        if (j.status[k] != CRM_OK)
            st = crm__error(j.status[k], "crm_apriori: counting failed (%s)",
                            crm_status_str(j.status[k]));
    /* merge the subtrees in item order */
    for (size_t k = 0; k < ntasks && !st; k++) {
        const miner *x = &j.w[j.blk_worker[k]];
        size_t bs = j.blk_start[k], g0 = m->nsets;
        for (size_t i = bs; i < j.blk_end[k] && !st; i++) {
            size_t par = x->par[i] == ROOT_CHILD ? k : g0 + (x->par[i] - bs);
            st = add_set(m, par, x->item[i], x->count[i], x->size[i]);
        }
    }
done:
    if (j.w)
        for (int w = 0; w < nw; w++)
            miner_free(&j.w[w]);
    crm__free(j.w);
    crm__free(j.blk_start);
    crm__free(j.blk_end);
    crm__free(j.blk_worker);
    crm__free(j.status);
    crm__free(bstart);
    crm__free(buck);
    return st;
}

/* ---- itemset lookup ------------------------------------------------------------------- */

typedef struct setindex {
    const int32_t *items; /* flat items of every set, ascending codes */
    const size_t *off;    /* nsets + 1 offsets */
    size_t *slots;        /* set index + 1, 0 = empty */
    size_t mask;
} setindex;

static uint64_t hash_items(const int32_t *v, size_t k)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ k;
    for (size_t i = 0; i < k; i++)
        h = crm__mix64(h ^ (uint64_t)(uint32_t)v[i]) + 0x9e3779b97f4a7c15ULL;
    return h;
}

static crm_status setindex_build(setindex *x, const int32_t *items, const size_t *off, size_t n)
{
    size_t ns = 16;
    while (ns < 2 * n)
        ns *= 2;
    x->items = items;
    x->off = off;
    x->slots = crm__calloc(ns, sizeof *x->slots);
    if (!x->slots) return crm__nomem();
    x->mask = ns - 1;
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)hash_items(items + off[i], off[i + 1] - off[i]) & x->mask;
        while (x->slots[s])
            s = (s + 1) & x->mask;
        x->slots[s] = i + 1;
    }
    return CRM_OK;
}

/* Index of the set with items v[0..k) (ascending), or SIZE_MAX. */
static size_t setindex_find(const setindex *x, const int32_t *v, size_t k)
{
    size_t s = (size_t)hash_items(v, k) & x->mask;
    for (;;) {
        size_t e = x->slots[s];
        if (!e) return SIZE_MAX;
        e--;
        if (x->off[e + 1] - x->off[e] == k && memcmp(x->items + x->off[e], v, k * sizeof *v) == 0)
            return e;
        s = (s + 1) & x->mask;
    }
}

/* ---- sorting of the outputs -------------------------------------------------------- */

/* Compare two rank sequences of lengths ka and kb lexicographically. */
static int cmp_seq(const int32_t *a, size_t ka, const int32_t *b, size_t kb)
{
    size_t k = ka < kb ? ka : kb;
    for (size_t i = 0; i < k; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return (ka > kb) - (ka < kb);
}

typedef struct set_ref {
    size_t set;
    int32_t size;
    int32_t count;
    const int32_t *ranks; /* the items as ranks, ascending */
} set_ref;

static int cmp_set_ref(const void *pa, const void *pb)
{
    const set_ref *a = pa, *b = pb;
    if (a->size != b->size) return a->size < b->size ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return cmp_seq(a->ranks, (size_t)a->size, b->ranks, (size_t)b->size);
}

typedef struct rule {
    double lift, conf;
    int32_t count;
    int32_t na, nc;   /* antecedent and consequent sizes */
    size_t set;       /* the itemset A u C */
    uint64_t mask;    /* bit i set: the set's i-th item (code order) is in A */
    const int32_t *r; /* na ranks of A then nc ranks of C, each ascending */
} rule;

static int cmp_rule(const void *pa, const void *pb)
{
    const rule *a = pa, *b = pb;
    if (a->lift != b->lift) return a->lift > b->lift ? -1 : 1;
    if (a->conf != b->conf) return a->conf > b->conf ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    int c = cmp_seq(a->r, (size_t)a->na, b->r, (size_t)b->na);
    if (c) return c;
    return cmp_seq(a->r + a->na, (size_t)a->nc, b->r + b->na, (size_t)b->nc);
}

/* ---- text of item lists -------------------------------------------------------------- */

typedef struct strs {
    crm__buf buf; /* NUL-terminated strings back to back */
    size_t *off;  /* start of each */
    size_t n, cap;
} strs;

static crm_status strs_begin(strs *s)
{
    crm_status st = grow((void **)&s->off, &s->cap, s->n + 1, sizeof *s->off);
    if (st) return st;
    s->off[s->n++] = s->buf.len;
    return CRM_OK;
}

/* Append the items with ranks r[0..k) joined by sep, then the NUL. */
static crm_status strs_join(strs *s, const int32_t *r, size_t k, char *const *esc,
                            const size_t *elen, const char *sep, size_t seplen)
{
    crm_status st = strs_begin(s);
    for (size_t i = 0; i < k && !st; i++) {
        if (i) st = crm__buf_append(&s->buf, sep, seplen);
        if (!st) st = crm__buf_append(&s->buf, esc[r[i]], elen[r[i]]);
    }
    if (!st) st = crm__buf_append(&s->buf, "", 1);
    return st;
}

static crm_status add_text_col(crm_dataset *ds, const char *name, const strs *s, const char **ptrs)
{
    for (size_t i = 0; i < s->n; i++)
        ptrs[i] = s->buf.data + s->off[i];
    return crm_dataset_add_text(ds, name, ptrs, s->n);
}

static crm_status add_num_col(crm_dataset *ds, const char *name, double *v, size_t n)
{
    crm_status st = crm__dataset_add_owned(ds, name, CRM_TYPE_NUMBER, v, NULL, n);
    if (st) crm__free(v);
    return st;
}

static void strs_free(strs *s)
{
    crm__buf_free(&s->buf);
    crm__free(s->off);
}

/* A new table of n rows: text columns tnames[k] from texts[k] (k < nt), then number columns
 * names[k] taken from col[k] (k < nc; each set to NULL once taken). ptrs: scratch of n. */
static crm_status new_table(const char *const *tnames, const strs *texts, size_t nt,
                            const char *const *names, double **col, size_t nc, size_t n,
                            const char **ptrs, crm_dataset **out)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    for (size_t k = 0; k < nt && !st; k++)
        st = add_text_col(ds, tnames[k], &texts[k], ptrs);
    for (size_t k = 0; k < nc && !st; k++) {
        st = add_num_col(ds, names[k], col[k], n);
        col[k] = NULL;
    }
    if (st) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

typedef struct by_text {
    const char *s;
    int32_t code;
} by_text;

static int cmp_by_text(const void *a, const void *b)
{
    const by_text *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    if (c) return c;
    return (x->code > y->code) - (x->code < y->code);
}

typedef struct item_count {
    int32_t count;
    int32_t code;
} item_count;

static int cmp_item_count(const void *a, const void *b)
{
    const item_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? -1 : 1;
    return (x->code > y->code) - (x->code < y->code);
}

/* ---- crm_apriori ------------------------------------------------------------------------ */

static crm_status check_options(const crm_apriori_options *o)
{
    if (o->min_count < 0)
        return crm__error(CRM_E_INVALID, "crm_apriori: min_count must be >= 0 (got %lld)",
                          (long long)o->min_count);
    if (o->min_count == 0 && !(o->min_support > 0 && o->min_support <= 1))
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: min_support must be in (0, 1] (got %g); or set min_count",
                          o->min_support);
    if (o->max_len == 0 || o->max_len < -1)
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: max_len must be >= 1, or -1 for no limit (got %d)",
                          (int)o->max_len);
    if (!(o->min_confidence >= 0 && o->min_confidence <= 1))
        return crm__error(CRM_E_INVALID, "crm_apriori: min_confidence must be in [0, 1] (got %g)",
                          o->min_confidence);
    if (!(o->min_lift >= 0) || isinf(o->min_lift))
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: min_lift must be a finite number >= 0 (got %g)",
                          o->min_lift);
    if (o->target < CRM_APRIORI_ALL || o->target > CRM_APRIORI_MAXIMAL)
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: target must be CRM_APRIORI_ALL (1), CLOSED (2) or "
                          "MAXIMAL (3) (got %d)",
                          (int)o->target);
    if (o->n_threads < 0)
        return crm__error(CRM_E_INVALID, "crm_apriori: n_threads must be >= 0 (got %d)",
                          (int)o->n_threads);
    if (o->separator && (!o->separator[0] || o->separator[0] == '\\'))
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: separator must be non-empty and must not start with a "
                          "backslash (got \"%s\")",
                          o->separator);
    if (o->prune_redundant != 0 && o->prune_redundant != 1)
        return crm__error(CRM_E_INVALID, "crm_apriori: prune_redundant must be 0 or 1 (got %d)",
                          (int)o->prune_redundant);
    return CRM_OK;
}

/* What the steps of one crm_apriori call share. */
typedef struct apriori_run {
    crm_apriori_options o;
    const crm__column *ci; /* the item column (text) */
    const char *sep;       /* item separator of the text columns */
    size_t seplen;
    int32_t maxlen;  /* largest itemset size reported (INT32_MAX: no limit) */
    size_t ntx;      /* transactions */
    int32_t minc;    /* minimum count */
    size_t nfreq;    /* frequent items */
    item_count *ic;  /* the frequent items by count ascending: index = new code */
    int32_t *recode; /* per dictionary code: new code, -1 when not frequent */
    miner m;         /* the frequent itemsets */
    size_t *soff;    /* nsets + 1 offsets of each set's items in: */
    int32_t *sitems; /* the items of every set, ascending codes */
    int32_t *sranks; /* the same, as text ranks ascending */
    int32_t *rank;   /* per new code: rank of its text in byte order */
    char **esc;      /* per rank: the text, separator and backslash escaped */
    size_t *elen;
    setindex sx;         /* sets by their items (closed/maximal filter, rules) */
    unsigned char *keep; /* per set: in the itemsets table */
} apriori_run;

static void run_free(apriori_run *R)
{
    miner_free(&R->m);
    crm__free(R->ic);
    crm__free(R->recode);
    crm__free(R->soff);
    crm__free(R->sitems);
    crm__free(R->sranks);
    crm__free(R->rank);
    if (R->esc)
        for (size_t f = 0; f < R->nfreq; f++)
            crm__free(R->esc[f]);
    crm__free(R->esc);
    crm__free(R->elen);
    crm__free(R->sx.slots);
    crm__free(R->keep);
}

/* The arguments and options; R->ci, sep and maxlen from them, *itid the transaction column. */
static crm_status check_call(const crm_dataset *tx, const char *tid_col, const char *item_col,
                             const crm_apriori_options *user, apriori_run *R, size_t *itid)
{
    crm_status st = crm__apriori_options_load(&R->o, user);
    if (st) return st;
    if ((st = check_options(&R->o))) return st;
    if (strcmp(tid_col, item_col) == 0)
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: the transaction and item columns are both \"%s\"", tid_col);
    size_t iitem;
    if ((st = crm__dataset_find(tx, tid_col, itid)))
        return crm__error(st, "crm_apriori: transaction column \"%s\" not found", tid_col);
    if ((st = crm__dataset_find(tx, item_col, &iitem)))
        return crm__error(st, "crm_apriori: item column \"%s\" not found", item_col);
    const crm__column *ci = R->ci = &tx->cols[iitem];
    if (ci->type != CRM_TYPE_TEXT)
        return crm__error(CRM_E_TYPE,
                          "crm_apriori: item column \"%s\" is %s, not text (convert it, or read "
                          "it with the CSV type override \"%s:text\")",
                          item_col, crm__type_name(ci->type), item_col);
    R->sep = R->o.separator ? R->o.separator : ", ";
    R->seplen = strlen(R->sep);
    R->maxlen = R->o.max_len < 0 ? INT32_MAX : R->o.max_len;
    return CRM_OK;
}

/* Step 1: the items of each transaction, titems[toff[t]..toff[t + 1]) for t < R->ntx, grouped
 * with a counting sort (rows with a missing transaction id or item are left out). */
static crm_status transactions(apriori_run *R, const crm__column *tid, size_t nrows,
                               const char *tid_col, int32_t **titems_out, size_t **toff_out)
{
    const crm__column *ci = R->ci;
    int32_t *rowtx = crm__malloc_array(nrows ? nrows : 1, sizeof *rowtx);
    if (!rowtx) return crm__nomem();
    size_t ntx = 0;
    crm_status st = dense_tids(tid, nrows, rowtx, &ntx);
    if (!st && ntx == 0)
        st = crm__error(CRM_E_INVALID,
                        "crm_apriori: no transactions (%zu rows, none with a non-missing \"%s\")",
                        nrows, tid_col);
    size_t *toff = NULL;
    int32_t *titems = NULL;
    if (!st && !(toff = *toff_out = crm__calloc(ntx + 1, sizeof *toff))) st = crm__nomem();
    if (st) goto done;
    for (size_t r = 0; r < nrows; r++)
        if (rowtx[r] >= 0 && ci->v.code[r] >= 0) toff[rowtx[r] + 1]++;
    for (size_t t = 0; t < ntx; t++)
        toff[t + 1] += toff[t];
    size_t nocc = toff[ntx];
    if (!(titems = *titems_out = crm__malloc_array(nocc ? nocc : 1, sizeof *titems))) {
        st = crm__nomem();
        goto done;
    }
    for (size_t r = 0; r < nrows; r++)
        if (rowtx[r] >= 0 && ci->v.code[r] >= 0) titems[toff[rowtx[r]]++] = ci->v.code[r];
    for (size_t t = ntx; t > 0; t--)
        toff[t] = toff[t - 1];
    toff[0] = 0;
    R->ntx = ntx;
done:
    crm__free(rowtx);
    return st;
}

/* The minimum count: min_count, or the least count whose support reaches min_support. */
static int32_t min_count(const crm_apriori_options *o, size_t ntx)
{
    int64_t minc64 = o->min_count;
    if (minc64 == 0) {
        double want = o->min_support * (double)ntx;
        minc64 = (int64_t)floor(want) - 2;
        if (minc64 < 1) minc64 = 1;
        while ((double)minc64 / (double)ntx < o->min_support)
            minc64++;
    }
    int32_t minc = minc64 > (int64_t)ntx ? (int32_t)ntx + 1 : (int32_t)minc64;
    if (minc64 > INT32_MAX) minc = INT32_MAX;
    return minc;
}

/* Step 2: each item's count (transactions holding it), the minimum count, and the frequent
 * items recoded by count ascending (R->ic, R->recode). */
static crm_status frequent_items(apriori_run *R, const int32_t *titems, const size_t *toff)
{
    size_t ndict = R->ci->dict->n, ntx = R->ntx, nfreq = 0;
    int32_t *mark = crm__malloc_array(ndict ? ndict : 1, sizeof *mark);
    int32_t *icount = crm__calloc(ndict ? ndict : 1, sizeof *icount);
    int32_t *recode = R->recode = crm__malloc_array(ndict ? ndict : 1, sizeof *recode);
    crm_status st = CRM_OK;
    if (!mark || !icount || !recode) goto nomem;
    for (size_t k = 0; k < ndict; k++)
        mark[k] = -1;
    for (size_t t = 0; t < ntx; t++) {
        for (size_t j = toff[t]; j < toff[t + 1]; j++) {
            int32_t c = titems[j];
            if (mark[c] != (int32_t)t) {
                mark[c] = (int32_t)t;
                icount[c]++;
            }
        }
    }
    int32_t minc = R->minc = min_count(&R->o, ntx);
    for (size_t k = 0; k < ndict; k++)
        if (icount[k] >= minc) nfreq++;
    item_count *ic = R->ic = crm__malloc_array(nfreq ? nfreq : 1, sizeof *ic);
    if (!ic) goto nomem;
    R->nfreq = nfreq;
    size_t f = 0;
    for (size_t k = 0; k < ndict; k++) {
        recode[k] = -1;
        if (icount[k] >= minc) {
            ic[f].count = icount[k];
            ic[f].code = (int32_t)k;
            f++;
        }
    }
    qsort(ic, nfreq, sizeof *ic, cmp_item_count);
    for (f = 0; f < nfreq; f++)
        recode[ic[f].code] = (int32_t)f;
    goto done;
nomem:
    st = crm__nomem();
done:
    crm__free(mark);
    crm__free(icount);
    return st;
}

/* Step 3: the shrunk transactions, packed: each as its length followed by its frequent items
 * (recoded, distinct, ascending); transactions left empty are dropped. Reorders titems and
 * toff; *nt transactions, *nocc items. */
static crm_status shrink(const apriori_run *R, int32_t *titems, size_t *toff, int32_t **packed_out,
                         size_t *nt_out, size_t *nocc_out)
{
    size_t ndict = R->ci->dict->n, w = 0, nt = 0;
    const int32_t *recode = R->recode;
    int32_t *mark = crm__malloc_array(ndict ? ndict : 1, sizeof *mark);
    if (!mark) return crm__nomem();
    for (size_t k = 0; k < ndict; k++)
        mark[k] = -1;
    for (size_t t = 0; t < R->ntx; t++) {
        size_t s = toff[t], e = toff[t + 1], w0 = w;
        for (size_t j = s; j < e; j++) {
            int32_t c = titems[j];
            if (recode[c] >= 0 && mark[c] != (int32_t)t) {
                mark[c] = (int32_t)t;
                titems[w++] = recode[c];
            }
        }
        if (w == w0) continue;
        if (w - w0 > 1) sort_i32(titems + w0, w - w0);
        toff[nt++] = w0;
    }
    toff[nt] = w;
    crm__free(mark);
    /* the transaction lists hold the offsets of the lengths */
    if (w + nt > (size_t)INT32_MAX)
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: more than %d frequent (transaction, item) pairs",
                          (int)INT32_MAX);
    int32_t *packed = *packed_out = crm__malloc_array(w + nt + 1, sizeof *packed);
    if (!packed) return crm__nomem();
    for (size_t t = 0, at = 0; t < nt; t++) {
        size_t len = toff[t + 1] - toff[t];
        packed[at++] = (int32_t)len;
        memcpy(packed + at, titems + toff[t], len * sizeof *packed);
        at += len;
    }
    *nt_out = nt;
    *nocc_out = w;
    return CRM_OK;
}

/* Step 4: every frequent itemset into R->m (see mine_all). */
static crm_status enumerate(apriori_run *R, const int32_t *packed, size_t nt, size_t nocc)
{
    miner *m = &R->m;
    size_t nfreq = R->nfreq;
    m->nitems = (int32_t)nfreq;
    m->minc = R->minc;
    m->maxdepth = (R->o.target != CRM_APRIORI_ALL && R->maxlen < INT32_MAX) ? R->maxlen + 1
                                                                            : R->maxlen;
    m->cnt = crm__calloc(nfreq ? nfreq : 1, sizeof *m->cnt);
    m->touched = crm__malloc_array(nfreq ? nfreq : 1, sizeof *m->touched);
    m->fill = crm__malloc_array(nfreq ? nfreq : 1, sizeof *m->fill);
    if (!m->cnt || !m->touched || !m->fill) return crm__nomem();
    for (size_t f = 0; f < nfreq; f++)
        m->fill[f] = SIZE_MAX;
    int32_t *cnts = crm__malloc_array(nfreq ? nfreq : 1, sizeof *cnts);
    if (!cnts) return crm__nomem();
    for (size_t f = 0; f < nfreq; f++)
        cnts[f] = R->ic[f].count;
    crm_status st = mine_all(m, packed, nt, nocc, cnts, R->o.n_threads, R->o.progress, R->o.user);
    crm__free(cnts);
    crm__free(m->stk);
    m->stk = NULL;
    crm__free(m->cnt);
    m->cnt = NULL;
    return st;
}

/* Step 5a: the items of every set, ascending codes (R->soff, R->sitems), read off the prefix
 * tree. */
static crm_status set_items(apriori_run *R)
{
    const miner *m = &R->m;
    size_t nsets = m->nsets;
    size_t *soff = R->soff = crm__malloc_array(nsets + 1, sizeof *soff);
    if (!soff) return crm__nomem();
    soff[0] = 0;
    for (size_t i = 0; i < nsets; i++)
        soff[i + 1] = soff[i] + (size_t)m->size[i];
    int32_t *sitems = R->sitems = crm__malloc_array(soff[nsets] ? soff[nsets] : 1, sizeof *sitems);
    R->sranks = crm__malloc_array(soff[nsets] ? soff[nsets] : 1, sizeof *R->sranks);
    if (!sitems || !R->sranks) return crm__nomem();
    for (size_t i = 0; i < nsets; i++) {
        size_t j = i;
        for (size_t p = soff[i + 1]; p > soff[i]; p--) {
            sitems[p - 1] = m->item[j];
            j = m->par[j];
        }
    }
    return CRM_OK;
}

/* s with a backslash before each backslash and each first character of the separator
 * (*out: malloc'ed, *len its length). */
static crm_status escape_item(const char *s, char sep0, char **out, size_t *len)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += (*p == '\\' || *p == sep0) ? 2 : 1;
    char *e = crm__malloc(n + 1);
    if (!e) return crm__nomem();
    size_t w = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\\' || *p == sep0) e[w++] = '\\';
        e[w++] = *p;
    }
    e[w] = '\0';
    *out = e;
    *len = w;
    return CRM_OK;
}

/* Step 5b: the frequent items' text: R->rank (byte order of the strings), R->esc and R->elen
 * by rank, and each set's items as ranks ascending (R->sranks). */
static crm_status item_text(apriori_run *R)
{
    size_t nfreq = R->nfreq;
    R->rank = crm__malloc_array(nfreq ? nfreq : 1, sizeof *R->rank);
    R->esc = crm__calloc(nfreq ? nfreq : 1, sizeof *R->esc);
    R->elen = crm__malloc_array(nfreq ? nfreq : 1, sizeof *R->elen);
    by_text *bt = crm__malloc_array(nfreq ? nfreq : 1, sizeof *bt);
    crm_status st = CRM_OK;
    if (!R->rank || !R->esc || !R->elen || !bt) {
        crm__free(bt);
        return crm__nomem();
    }
    for (size_t f = 0; f < nfreq; f++) {
        bt[f].s = crm__dict_str(R->ci->dict, R->ic[f].code);
        bt[f].code = (int32_t)f;
    }
    qsort(bt, nfreq, sizeof *bt, cmp_by_text);
    for (size_t f = 0; f < nfreq; f++)
        R->rank[bt[f].code] = (int32_t)f;
    for (size_t f = 0; f < nfreq && !st; f++)
        st = escape_item(bt[f].s, R->sep[0], &R->esc[f], &R->elen[f]);
    crm__free(bt);
    if (st) return st;
    for (size_t i = 0; i < R->m.nsets; i++) {
        size_t a = R->soff[i], k = R->soff[i + 1] - a;
        for (size_t p = 0; p < k; p++)
            R->sranks[a + p] = R->rank[R->sitems[a + p]];
        if (k > 1) qsort(R->sranks + a, k, sizeof *R->sranks, cmp_i32);
    }
    return CRM_OK;
}

/* Step 6: R->keep: the sets up to max_len, for closed (maximal) targets only those with no
 * superset one item larger of the same count (no such superset at all). */
static crm_status keep_sets(apriori_run *R)
{
    const miner *m = &R->m;
    size_t nsets = m->nsets;
    unsigned char *keep = R->keep = crm__malloc(nsets ? nsets : 1);
    if (!keep) return crm__nomem();
    for (size_t i = 0; i < nsets; i++)
        keep[i] = m->size[i] <= R->maxlen;
    if (R->o.target == CRM_APRIORI_ALL) return CRM_OK;
    int32_t buf[64];
    int32_t *tmp = buf;
    int32_t maxk = 0;
    for (size_t i = 0; i < nsets; i++)
        if (m->size[i] > maxk) maxk = m->size[i];
    if (maxk > 64 && !(tmp = crm__malloc_array((size_t)maxk, sizeof *tmp))) return crm__nomem();
    for (size_t i = 0; i < nsets; i++) {
        size_t k = (size_t)m->size[i];
        if (k < 2) continue;
        const int32_t *v = R->sitems + R->soff[i];
        for (size_t drop = 0; drop < k; drop++) {
            size_t w = 0;
            for (size_t p = 0; p < k; p++)
                if (p != drop) tmp[w++] = v[p];
            size_t j = setindex_find(&R->sx, tmp, k - 1);
            if (j == SIZE_MAX) continue; /* cannot happen: subsets are frequent */
            if (R->o.target == CRM_APRIORI_MAXIMAL || m->count[j] == m->count[i]) keep[j] = 0;
        }
    }
    if (tmp != buf) crm__free(tmp);
    return CRM_OK;
}

/* Step 7: the itemsets table: the kept sets by size, count descending, then items. */
static crm_status emit_itemsets(const apriori_run *R, crm_dataset **out)
{
    static const char *const tname[1] = {"items"};
    static const char *const names[3] = {"size", "count", "support"};
    const miner *m = &R->m;
    size_t nsets = m->nsets, nk = 0;
    for (size_t i = 0; i < nsets; i++)
        nk += R->keep[i];
    set_ref *refs = crm__malloc_array(nk ? nk : 1, sizeof *refs);
    const char **ptrs = crm__malloc_array(nk ? nk : 1, sizeof *ptrs);
    double *col[3] = {0};
    strs text[1];
    memset(text, 0, sizeof text);
    crm_status st = CRM_OK;
    if (!refs || !ptrs) goto nomem;
    nk = 0;
    for (size_t i = 0; i < nsets; i++) {
        if (!R->keep[i]) continue;
        refs[nk].set = i;
        refs[nk].size = m->size[i];
        refs[nk].count = m->count[i];
        refs[nk].ranks = R->sranks + R->soff[i];
        nk++;
    }
    qsort(refs, nk, sizeof *refs, cmp_set_ref);
    for (int k = 0; k < 3; k++)
        if (!(col[k] = crm__malloc_array(nk ? nk : 1, sizeof(double)))) goto nomem;
    for (size_t r = 0; r < nk; r++) {
        if ((st = strs_join(&text[0], refs[r].ranks, (size_t)refs[r].size, R->esc, R->elen,
                            R->sep, R->seplen)))
            goto done;
        col[0][r] = (double)refs[r].size;
        col[1][r] = (double)refs[r].count;
        col[2][r] = (double)refs[r].count / (double)R->ntx;
    }
    st = new_table(tname, text, 1, names, col, 3, nk, ptrs, out);
    goto done;
nomem:
    st = crm__nomem();
done:
    for (int k = 0; k < 3; k++)
        crm__free(col[k]);
    strs_free(&text[0]);
    crm__free(ptrs);
    crm__free(refs);
    return st;
}

/* The items v[0..k) split by mask: bit p set puts v[p] in a (the antecedent), else in c. */
static inline void split_items(const int32_t *v, size_t k, uint64_t mask, int32_t *a, size_t *na,
                               int32_t *c, size_t *nc)
{
    *na = *nc = 0;
    for (size_t p = 0; p < k; p++) {
        if (mask >> p & 1)
            a[(*na)++] = v[p];
        else
            c[(*nc)++] = v[p];
    }
}

/* The rules found so far. */
typedef struct rule_list {
    rule *r;
    size_t n, cap;
    int32_t *keys; /* the rules' ranks, back to back in rule order */
    size_t keys_len, keys_cap;
} rule_list;

/* Step 8a: every rule A -> C (A, C non-empty, A u C a reported set) with confidence and lift
 * at least the minimums, sorted by lift, confidence, count descending, then A, then C. */
static crm_status find_rules(const apriori_run *R, rule_list *L)
{
    const miner *m = &R->m;
    crm_status st;
    int32_t a[64], c[64];
    for (size_t i = 0; i < m->nsets; i++) {
        size_t k = (size_t)m->size[i];
        if (k < 2 || m->size[i] > R->maxlen) continue;
        if (k > 62)
            return crm__error(CRM_E_INVALID,
                              "crm_apriori: a frequent itemset has %zu items: too many rules "
                              "(set max_len or raise min_support)",
                              k);
        const int32_t *v = R->sitems + R->soff[i];
        double n_s = (double)m->count[i];
        for (uint64_t mask = 1; mask + 1 < (UINT64_C(1) << k); mask++) {
            size_t na, nc;
            split_items(v, k, mask, a, &na, c, &nc);
            size_t ja = setindex_find(&R->sx, a, na), jc = setindex_find(&R->sx, c, nc);
            if (ja == SIZE_MAX || jc == SIZE_MAX) continue; /* cannot happen */
            double conf = n_s / (double)m->count[ja];
            double sc = (double)m->count[jc] / (double)R->ntx;
            double lift = conf / sc;
            if (conf < R->o.min_confidence || lift < R->o.min_lift) continue;
            if (L->n == L->cap && (st = grow((void **)&L->r, &L->cap, L->n + 1, sizeof *L->r)))
                return st;
            if ((st = grow((void **)&L->keys, &L->keys_cap, L->keys_len + k, sizeof *L->keys)))
                return st;
            rule *ru = &L->r[L->n++];
            ru->lift = lift;
            ru->conf = conf;
            ru->count = m->count[i];
            ru->na = (int32_t)na;
            ru->nc = (int32_t)nc;
            ru->set = i;
            ru->mask = mask;
            ru->r = NULL;
            int32_t *rk = L->keys + L->keys_len;
            for (size_t p = 0; p < na; p++)
                rk[p] = R->rank[a[p]];
            for (size_t p = 0; p < nc; p++)
                rk[na + p] = R->rank[c[p]];
            qsort(rk, na, sizeof *rk, cmp_i32);
            qsort(rk + na, nc, sizeof *rk, cmp_i32);
            L->keys_len += k;
        }
    }
    /* keys were appended in rule order: point at them now that L->keys is final */
    for (size_t r = 0, at = 0; r < L->n; r++) {
        L->r[r].r = L->keys + at;
        at += (size_t)(L->r[r].na + L->r[r].nc);
    }
    if (L->n > 1) qsort(L->r, L->n, sizeof *L->r, cmp_rule);
    return CRM_OK;
}

/* Step 8b: the rules table, one row per rule of L in its order. */
static crm_status emit_rules(const apriori_run *R, const rule_list *L, crm_dataset **out)
{
    static const char *const tnames[2] = {"antecedent", "consequent"};
    static const char *const names[8] = {
        "antecedent_support", "consequent_support", "support", "confidence", "lift",
        "leverage",           "conviction",         "count"};
    size_t nrules = L->n;
    double *col[8] = {0};
    const char **ptrs = NULL;
    strs text[2];
    memset(text, 0, sizeof text);
    crm_status st = CRM_OK;
    int32_t a[64], c[64];
    for (int k = 0; k < 8; k++)
        if (!(col[k] = crm__malloc_array(nrules ? nrules : 1, sizeof(double)))) goto nomem;
    double dn = (double)R->ntx;
    for (size_t r = 0; r < nrules; r++) {
        const rule *ru = &L->r[r];
        size_t na, nc;
        split_items(R->sitems + R->soff[ru->set], (size_t)(ru->na + ru->nc), ru->mask, a, &na, c,
                    &nc);
        double n_a = (double)R->m.count[setindex_find(&R->sx, a, na)];
        double n_c = (double)R->m.count[setindex_find(&R->sx, c, nc)];
        double n_s = (double)ru->count;
        double sa = n_a / dn, sc = n_c / dn, s = n_s / dn;
        double conf = n_s / n_a;
        if ((st = strs_join(&text[0], ru->r, na, R->esc, R->elen, R->sep, R->seplen)) ||
            (st = strs_join(&text[1], ru->r + na, nc, R->esc, R->elen, R->sep, R->seplen)))
            goto done;
        col[0][r] = sa;
        col[1][r] = sc;
        col[2][r] = s;
        col[3][r] = conf;
        col[4][r] = conf / sc;
        col[5][r] = s - sa * sc;
        col[6][r] = conf == 1 ? INFINITY : (1 - sc) / (1 - conf);
        col[7][r] = n_s;
    }
    if (!(ptrs = crm__malloc_array(nrules ? nrules : 1, sizeof *ptrs))) goto nomem;
    st = new_table(tnames, text, 2, names, col, 8, nrules, ptrs, out);
    goto done;
nomem:
    st = crm__nomem();
done:
    for (int k = 0; k < 8; k++)
        crm__free(col[k]);
    strs_free(&text[0]);
    strs_free(&text[1]);
    crm__free(ptrs);
    return st;
}

/* Count of the set whose items (ascending codes) are a[0..na) merged with c[0..nc), both
 * ascending; *set gets its index (SIZE_MAX when not frequent: cannot happen for a subset of a
 * frequent set). */
static int64_t union_count(const apriori_run *R, const int32_t *a, size_t na, const int32_t *c,
                           size_t nc, int32_t *buf, size_t *set)
{
    size_t i = 0, j = 0, w = 0;
    while (i < na || j < nc)
        buf[w++] = (j == nc || (i < na && a[i] < c[j])) ? a[i++] : c[j++];
    *set = setindex_find(&R->sx, buf, w);
    return *set == SIZE_MAX ? 0 : (int64_t)R->m.count[*set];
}

/* Count of the set a[0..na) (ascending codes). */
static int64_t set_count(const apriori_run *R, const int32_t *a, size_t na)
{
    size_t j = setindex_find(&R->sx, a, na);
    return j == SIZE_MAX ? 0 : (int64_t)R->m.count[j];
}

/* Prune step 1: of the rules of each itemset keep the first with the smallest n(A) * n(C),
 * then the smallest n(A) (the highest lift, then confidence, compared exactly; among equals
 * the first in L's order, which is by antecedent then consequent). best[set] gets the kept
 * rule's new index. */
static void prune_per_set(const apriori_run *R, rule_list *L, size_t *best)
{
    int32_t a[64], c[64];
    size_t w = 0;
    for (size_t r = 0; r < L->n; r++) {
        const rule *ru = &L->r[r];
        size_t na, nc;
        split_items(R->sitems + R->soff[ru->set], (size_t)(ru->na + ru->nc), ru->mask, a, &na, c,
                    &nc);
        int64_t n_a = set_count(R, a, na), n_c = set_count(R, c, nc);
        size_t q = best[ru->set];
        if (q != SIZE_MAX) {
            const rule *kept = &L->r[q];
            int32_t ka[64], kc[64];
            size_t kna, knc;
            split_items(R->sitems + R->soff[kept->set], (size_t)(kept->na + kept->nc), kept->mask,
                        ka, &kna, kc, &knc);
            int64_t k_a = set_count(R, ka, kna), k_c = set_count(R, kc, knc);
            /* counts < 2^31: the products fit in int64 */
            if (n_a * n_c > k_a * k_c || (n_a * n_c == k_a * k_c && n_a >= k_a)) continue;
            /* better, though later in L's order: the lifts of A -> C and C -> A are equal
             * but as doubles may differ in the last bit (prune_rules sorts again) */
            L->r[q] = *ru;
            continue;
        }
        best[ru->set] = w;
        L->r[w++] = *ru;
    }
    L->n = w;
}

/* Prune step 2: 1 when a rule kept by step 1 with the consequent c and an antecedent that is a
 * proper subset of a has a confidence at least n_s / n_a. Up to 20 antecedent items the
 * subsets are looked up; above, the kept rules are scanned. */
static int dominated(const apriori_run *R, const rule_list *L, const size_t *best,
                     const int32_t *a, size_t na, const int32_t *c, size_t nc, int64_t n_s,
                     int64_t n_a)
{
    int32_t sub[64], buf[64], ka[64], kc[64];
    if (na <= 20) {
        for (uint64_t m = 1; m + 1 < (UINT64_C(1) << na); m++) {
            size_t ns = 0, set;
            for (size_t p = 0; p < na; p++)
                if (m >> p & 1) sub[ns++] = a[p];
            int64_t n_u = union_count(R, sub, ns, c, nc, buf, &set);
            if (set == SIZE_MAX || best[set] == SIZE_MAX) continue;
            const rule *k = &L->r[best[set]];
            if ((size_t)k->nc != nc) continue; /* the kept rule of A' u C is another split */
            size_t kna, knc;
            split_items(R->sitems + R->soff[set], (size_t)(k->na + k->nc), k->mask, ka, &kna, kc,
                        &knc);
            if (memcmp(kc, c, nc * sizeof *c) != 0) continue;
            if (n_u * n_a >= n_s * set_count(R, sub, ns)) return 1;
        }
        return 0;
    }
    for (size_t q = 0; q < L->n; q++) {
        const rule *k = &L->r[q];
        if ((size_t)k->nc != nc || (size_t)k->na >= na) continue;
        size_t kna, knc;
        split_items(R->sitems + R->soff[k->set], (size_t)(k->na + k->nc), k->mask, ka, &kna, kc,
                    &knc);
        if (memcmp(kc, c, nc * sizeof *c) != 0) continue;
        size_t i = 0;
        for (size_t p = 0; p < na && i < kna; p++) /* ka a subset of a: both ascending */
            i += a[p] == ka[i];
        if (i == kna && (int64_t)k->count * n_a >= n_s * set_count(R, ka, kna)) return 1;
    }
    return 0;
}

/* prune_redundant (include/crm/assoc.h, "Redundant rules"): L, sorted, reduced to its
 * non-redundant rules in the same order. */
static crm_status prune_rules(const apriori_run *R, rule_list *L)
{
    size_t nsets = R->m.nsets;
    size_t *best = crm__malloc_array(nsets ? nsets : 1, sizeof *best);
    unsigned char *drop = NULL;
    if (!best) return crm__nomem();
    for (size_t i = 0; i < nsets; i++)
        best[i] = SIZE_MAX;
    prune_per_set(R, L, best);
    if (!(drop = crm__calloc(L->n ? L->n : 1, 1))) {
        crm__free(best);
        return crm__nomem();
    }
    int32_t a[64], c[64];
    for (size_t r = 0; r < L->n; r++) {
        const rule *ru = &L->r[r];
        if (ru->na < 2) continue;
        size_t na, nc;
        split_items(R->sitems + R->soff[ru->set], (size_t)(ru->na + ru->nc), ru->mask, a, &na, c,
                    &nc);
        drop[r] = (unsigned char)dominated(R, L, best, a, na, c, nc, (int64_t)ru->count,
                                           set_count(R, a, na));
    }
    size_t w = 0;
    for (size_t r = 0; r < L->n; r++)
        if (!drop[r]) L->r[w++] = L->r[r];
    L->n = w;
    if (L->n > 1) qsort(L->r, L->n, sizeof *L->r, cmp_rule);
    crm__free(drop);
    crm__free(best);
    return CRM_OK;
}

/* Step 8: the rules table. */
static crm_status rules_table(const apriori_run *R, crm_dataset **out)
{
    rule_list L;
    memset(&L, 0, sizeof L);
    crm_status st = find_rules(R, &L);
    if (!st && R->o.prune_redundant) st = prune_rules(R, &L);
    if (!st) st = emit_rules(R, &L, out);
    crm__free(L.r);
    crm__free(L.keys);
    return st;
}

static crm_status apriori_pinned(const crm_dataset *tx, const char *tid_col, const char *item_col,
                                 const crm_apriori_options *user, crm_dataset **out_itemsets,
                                 crm_dataset **out_rules)
{
    if (out_itemsets) *out_itemsets = NULL;
    if (out_rules) *out_rules = NULL;
    if (!tx || !tid_col || !item_col)
        return crm__error(CRM_E_INVALID, "crm_apriori: NULL %s",
                          !tx        ? "dataset"
                          : !tid_col ? "tid_col"
                                     : "item_col");
    if (!out_itemsets && !out_rules)
        return crm__error(CRM_E_INVALID,
                          "crm_apriori: both outputs are NULL (ask for itemsets, rules or both)");
    apriori_run R;
    memset(&R, 0, sizeof R);
    size_t itid;
    crm_status st = check_call(tx, tid_col, item_col, user, &R, &itid);
    if (st) return st;
    int32_t *titems = NULL, *packed = NULL;
    size_t *toff = NULL, nt = 0, nocc = 0;
    crm_dataset *ids = NULL, *rds = NULL;

    /* 1. transactions; 2. the frequent items; 3. the transactions shrunk to them */
    if ((st = transactions(&R, &tx->cols[itid], tx->nrows, tid_col, &titems, &toff)) ||
        (st = frequent_items(&R, titems, toff)) ||
        (st = shrink(&R, titems, toff, &packed, &nt, &nocc)))
        goto done;
    crm__free(titems);
    titems = NULL;
    /* toff and packed are freed at the end, as before this function was split: freeing them
     * after their last use changes how glibc's malloc places the later allocations and
     * doubled the page faults of repeated calls (bench_apriori: 10.4k -> 19.9k, read and
     * mine steps 3-15% slower) */

    /* 4. enumerate the frequent itemsets */
    if ((st = enumerate(&R, packed, nt, nocc))) goto done;

    /* 5. items of every set, item text and ranks, lookup table */
    if ((st = set_items(&R)) || (st = item_text(&R))) goto done;
    int need_index = out_rules || R.o.target != CRM_APRIORI_ALL;
    if (need_index && (st = setindex_build(&R.sx, R.sitems, R.soff, R.m.nsets))) goto done;

    /* 6. closed / maximal; 7. itemsets table; 8. rules table */
    if ((st = keep_sets(&R)) || (out_itemsets && (st = emit_itemsets(&R, &ids))) ||
        (out_rules && (st = rules_table(&R, &rds))))
        goto done;
    if (R.o.progress && R.o.progress(1.0, R.o.user) != 0) {
        st = crm__error(CRM_E_CANCELLED, "crm_apriori: cancelled by the progress callback");
        goto done;
    }
    if (out_itemsets) *out_itemsets = ids;
    if (out_rules) *out_rules = rds;
    ids = rds = NULL;
done:
    crm_dataset_free(ids);
    crm_dataset_free(rds);
    crm__free(titems);
    crm__free(toff);
    crm__free(packed);
    run_free(&R);
    return st;
}

/* crm_apriori pins tx for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_apriori(const crm_dataset *tx, const char *tid_col, const char *item_col,
                       const crm_apriori_options *user, crm_dataset **out_itemsets,
                       crm_dataset **out_rules)
{
    crm__dataset_pin(tx);
    crm_status st = apriori_pinned(tx, tid_col, item_col, user, out_itemsets, out_rules);
    crm__dataset_unpin(tx);
    return st;
}

/* ---- the SON finalize (apriori_stats.c) ------------------------------------------------ */

/* The miner's prefix tree from counted sets: the sets at or above the minimum count, each
 * with its items recoded as crm_apriori recodes them (frequent items by count ascending). */
static crm_status son_sets(apriori_run *R, const size_t *off, const int32_t *ids,
                           const int64_t *count, size_t nsets, size_t nitems)
{
    int32_t *recode = R->recode = crm__malloc_array(nitems ? nitems : 1, sizeof *recode);
    item_count *ic = R->ic = crm__malloc_array(nitems ? nitems : 1, sizeof *ic);
    if (!recode || !ic) return crm__nomem();
    for (size_t k = 0; k < nitems; k++)
        recode[k] = -1;
    size_t nfreq = 0;
    for (size_t i = 0; i < nsets; i++)
        if (off[i + 1] - off[i] == 1 && count[i] >= R->minc) {
            ic[nfreq].count = (int32_t)count[i];
            ic[nfreq++].code = ids[off[i]];
        }
    qsort(ic, nfreq, sizeof *ic, cmp_item_count);
    for (size_t f = 0; f < nfreq; f++)
        recode[ic[f].code] = (int32_t)f;
    R->nfreq = nfreq;
    /* the kept sets' recoded items, ascending, to find each one's parent */
    size_t *koff = crm__malloc_array(nsets + 1, sizeof *koff);
    int32_t *kit = crm__malloc_array(off[nsets] ? off[nsets] : 1, sizeof *kit);
    size_t *kset = crm__malloc_array(nsets ? nsets : 1, sizeof *kset);
    setindex sx = {0};
    crm_status st = CRM_OK;
    if (!koff || !kit || !kset) {
        st = crm__nomem();
        goto done;
    }
    size_t nk = 0;
    koff[0] = 0;
    for (size_t i = 0; i < nsets; i++) {
        size_t k = off[i + 1] - off[i], ok = count[i] >= R->minc && count[i] <= INT32_MAX;
        for (size_t p = 0; p < k && ok; p++)
            ok = recode[ids[off[i] + p]] >= 0;
        if (!ok) continue;
        for (size_t p = 0; p < k; p++)
            kit[koff[nk] + p] = recode[ids[off[i] + p]];
        sort_i32(kit + koff[nk], k);
        kset[nk] = i;
        koff[nk + 1] = koff[nk] + k;
        nk++;
    }
    if ((st = setindex_build(&sx, kit, koff, nk))) goto done;
    for (size_t j = 0; j < nk && !st; j++) {
        size_t k = koff[j + 1] - koff[j];
        size_t par = k == 1 ? SIZE_MAX : setindex_find(&sx, kit + koff[j], k - 1);
        if (k > 1 && par == SIZE_MAX)
            st = crm__error(CRM_E_INVALID, "crm_apriori_stats_finalize: a subset of a frequent "
                                           "itemset is missing from the candidates");
        else
            st = add_set(&R->m, par, kit[koff[j + 1] - 1], (int32_t)count[kset[j]], (int32_t)k);
    }
done:
    crm__free(sx.slots);
    crm__free(koff);
    crm__free(kit);
    crm__free(kset);
    return st;
}

crm_status crm__apriori_emit(const crm_apriori_options *user, size_t ntx,
                             const char *const *items, size_t nitems, const size_t *off,
                             const int32_t *ids, const int64_t *count, size_t nsets,
                             crm_dataset **out_itemsets, crm_dataset **out_rules)
{
    apriori_run R;
    memset(&R, 0, sizeof R);
    crm__column col;
    memset(&col, 0, sizeof col);
    crm_dataset *ids_ds = NULL, *rds = NULL;
    crm_status st = crm__apriori_options_load(&R.o, user);
    if (!st) st = check_options(&R.o);
    if (!st && ntx == 0)
        st = crm__error(CRM_E_INVALID, "crm_apriori_stats_finalize: no transactions");
    if (!st && ntx > (size_t)INT32_MAX)
        st = crm__error(CRM_E_INVALID, "crm_apriori_stats_finalize: more than %d transactions",
                        (int)INT32_MAX);
    if (!st) st = crm__dict_new(&col.dict);
    for (size_t k = 0; k < nitems && !st; k++) {
        int32_t code;
        st = crm__dict_intern(col.dict, items[k], strlen(items[k]), &code);
        /* item k must be code k: the sets refer to items by position */
        if (!st && code != (int32_t)k)
            st = crm__error(CRM_E_FORMAT, "crm_apriori_stats_finalize: item \"%s\" listed twice "
                                          "in the statistics", items[k]);
    }
    if (st) goto done;
    col.type = CRM_TYPE_TEXT;
    R.ci = &col;
    R.sep = R.o.separator ? R.o.separator : ", ";
    R.seplen = strlen(R.sep);
    R.maxlen = R.o.max_len < 0 ? INT32_MAX : R.o.max_len;
    R.ntx = ntx;
    R.minc = min_count(&R.o, ntx);
    if ((st = son_sets(&R, off, ids, count, nsets, nitems))) goto done;
    /* steps 5-8 of crm_apriori */
    if ((st = set_items(&R)) || (st = item_text(&R))) goto done;
    if ((st = setindex_build(&R.sx, R.sitems, R.soff, R.m.nsets))) goto done;
    if ((st = keep_sets(&R)) || (out_itemsets && (st = emit_itemsets(&R, &ids_ds))) ||
        (out_rules && (st = rules_table(&R, &rds))))
        goto done;
    if (out_itemsets) *out_itemsets = ids_ds;
    if (out_rules) *out_rules = rds;
    ids_ds = rds = NULL;
done:
    crm_dataset_free(ids_ds);
    crm_dataset_free(rds);
    run_free(&R);
    if (col.dict) crm__dict_release(col.dict);
    return st;
}
