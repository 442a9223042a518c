/* Apriori as mergeable statistics, the SON algorithm (crm/stats.h): pass 1 keeps the itemsets
 * frequent within each chunk (merged: their union), pass 2 counts every candidate exactly in
 * each chunk (merged: sums); finalize runs crm_apriori's own output steps (apriori.c). */
#include "assoc/assoc_internal.h"
#include "core/stats_internal.h"

#include <stdlib.h>
#include <string.h>

/* Candidate itemsets: items (distinct, ascending), sets of item ids (ascending) ordered by
 * size then ids; with counts for pass 2. */
typedef struct son_stats {
    int counted;     /* CRM_STATS_ITEM_COUNTS */
    crm__kcol items; /* text */
    size_t nsets, capsets, nids, capids;
    size_t *off;     /* nsets + 1 */
    int32_t *ids;
    int64_t *count;  /* nsets (counted) */
    int64_t ntx;     /* transactions (counted) */
} son_stats;

static void son_free(void *sp)
{
    son_stats *s = sp;
    if (!s) return;
    crm__kcol_free(&s->items);
    crm__free(s->off);
    crm__free(s->ids);
    crm__free(s->count);
    crm__free(s);
}

static son_stats *son_new(int counted)
{
    son_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->counted = counted;
    s->items.type = CRM_TYPE_TEXT;
    s->off = crm__calloc(1, sizeof *s->off);
    if (!s->off) {
        crm__free(s);
        return NULL;
    }
    return s;
}

static crm_status son_add_set(son_stats *s, const int32_t *v, size_t k, int64_t count)
{
    if (s->nsets + 1 >= s->capsets) {
        size_t cap = s->capsets ? 2 * s->capsets : 64;
        size_t *o = crm__realloc_array(s->off, cap + 1, sizeof *o);
        if (!o) return crm__nomem();
        s->off = o;
        int64_t *c = crm__realloc_array(s->count, cap, sizeof *c);
        if (!c) return crm__nomem();
        s->count = c;
        s->capsets = cap;
    }
    if (s->nids + k > s->capids) {
        size_t cap = s->capids ? 2 * s->capids : 256;
        while (cap < s->nids + k)
            cap *= 2;
        int32_t *i = crm__realloc_array(s->ids, cap, sizeof *i);
        if (!i) return crm__nomem();
        s->ids = i;
        s->capids = cap;
    }
    memcpy(s->ids + s->nids, v, k * sizeof *v);
    s->nids += k;
    s->count[s->nsets] = count;
    s->off[++s->nsets] = s->nids;
    return CRM_OK;
}

static int cmp_sets(const int32_t *a, size_t ka, const int32_t *b, size_t kb)
{
    if (ka != kb) return ka < kb ? -1 : 1;
    for (size_t i = 0; i < ka; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

static uint64_t son_fingerprint(const son_stats *s)
{
    uint64_t h = crm__fp_u64(CRM__FP_INIT, s->items.n);
    for (size_t i = 0; i < s->items.n; i++)
        h = crm__fp_str(h, s->items.str[i]);
    h = crm__fp_u64(h, s->nsets);
    return crm__fp_bytes(h, s->ids, s->nids * sizeof *s->ids);
}

/* ---- pass 1 -------------------------------------------------------------------------------- */

/* Split an itemsets "items" cell (separator \x1f, backslash escapes) into strings. */
static crm_status split_items(const char *cell, char ***out, size_t *n)
{
    size_t len = strlen(cell), k = 1;
    for (size_t i = 0; i < len; i++) {
        if (cell[i] == '\\') i++;
        else if (cell[i] == '\x1f') k++;
    }
    char **v = crm__calloc(k, sizeof *v);
    char *buf = crm__malloc(len + 1);
    if (!v || !buf) {
        crm__free(v);
        crm__free(buf);
        return crm__nomem();
    }
    size_t w = 0, m = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || cell[i] == '\x1f') {
            buf[w] = 0;
            if (!(v[m++] = crm__strdup(buf + start))) break;
            start = ++w;
            continue;
        }
        if (cell[i] == '\\' && i + 1 < len) i++;
        buf[w++] = cell[i];
    }
    crm__free(buf);
    *out = v;
    *n = m;
    if (m != k) {
        for (size_t i = 0; i < m; i++)
            crm__free(v[i]);
        crm__free(v);
        return crm__nomem();
    }
    return CRM_OK;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Index of s in the ascending text kcol, or -1. */
static int32_t item_id(const crm__kcol *items, const char *s)
{
    size_t lo = 0, hi = items->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(items->str[mid], s);
        if (c == 0) return (int32_t)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

typedef struct set_ref {
    const int32_t *v;
    size_t k;
} set_ref;

static int cmp_set_ref(const void *a, const void *b)
{
    const set_ref *x = a, *y = b;
    return cmp_sets(x->v, x->k, y->v, y->k);
}

/* The table's itemsets as candidates of s (items and sets sorted). */
static crm_status from_table(son_stats *s, const crm_dataset *ids)
{
    size_t n = ids->nrows, nall = 0;
    char ***sets = crm__calloc(n + 1, sizeof *sets);
    size_t *k = crm__calloc(n + 1, sizeof *k);
    char **all = NULL;
    int32_t *flat = NULL;
    set_ref *refs = NULL;
    crm_status st = sets && k ? CRM_OK : crm__nomem();
    const crm__column *c = &ids->cols[0];
    for (size_t r = 0; r < n && !st; r++) {
        st = split_items(crm__dict_str(c->dict, c->v.code[r]), &sets[r], &k[r]);
        nall += k[r];
    }
    if (!st && !(all = crm__malloc_array(nall + 1, sizeof *all))) st = crm__nomem();
    if (st) goto done;
    for (size_t r = 0, at = 0; r < n; r++)
        for (size_t j = 0; j < k[r]; j++)
            all[at++] = sets[r][j];
    qsort(all, nall, sizeof *all, str_cmp);
    for (size_t i = 0; i < nall && !st; i++)
        if (i == 0 || strcmp(all[i], all[i - 1]) != 0) {
            crm__kcol one = {CRM_TYPE_TEXT, 1, 1, NULL, NULL, &all[i]};
            st = crm__kcol_push(&s->items, &one, 0);
        }
    flat = crm__malloc_array(nall + 1, sizeof *flat);
    refs = crm__malloc_array(n + 1, sizeof *refs);
    if (!st && (!flat || !refs)) st = crm__nomem();
    if (st) goto done;
    for (size_t r = 0, at = 0; r < n; r++) {
        refs[r].v = flat + at;
        refs[r].k = k[r];
        for (size_t j = 0; j < k[r]; j++)
            flat[at++] = item_id(&s->items, sets[r][j]);
        /* items of a set are distinct: sort their ids */
        for (size_t a = 1; a < k[r]; a++)
            for (size_t b = a; b > 0 && flat[at - k[r] + b - 1] > flat[at - k[r] + b]; b--) {
                int32_t t = flat[at - k[r] + b];
                flat[at - k[r] + b] = flat[at - k[r] + b - 1];
                flat[at - k[r] + b - 1] = t;
            }
    }
    qsort(refs, n, sizeof *refs, cmp_set_ref);
    for (size_t r = 0; r < n && !st; r++)
        st = son_add_set(s, refs[r].v, refs[r].k, 0);
done:
    for (size_t r = 0; r < n && sets; r++) {
        for (size_t j = 0; sets[r] && j < k[r]; j++)
            crm__free(sets[r][j]);
        crm__free(sets[r]);
    }
    crm__free(sets);
    crm__free(k);
    crm__free(all);
    crm__free(flat);
    crm__free(refs);
    return st;
}

static crm_status find_cols(const crm_dataset *tx, const char *tid_col, const char *item_col,
                            const char *fn, size_t *it, size_t *ii)
{
    if (!tid_col || !item_col) return crm__error(CRM_E_INVALID, "%s: NULL column name", fn);
    if (crm__dataset_find(tx, tid_col, it))
        return crm__error(CRM_E_NOTFOUND, "%s: transaction column \"%s\" not found", fn, tid_col);
    if (crm__dataset_find(tx, item_col, ii))
        return crm__error(CRM_E_NOTFOUND, "%s: item column \"%s\" not found", fn, item_col);
    if (tx->cols[*ii].type != CRM_TYPE_TEXT)
        return crm__error(CRM_E_TYPE, "%s: item column \"%s\" is %s, not text", fn, item_col,
                          crm__type_name(tx->cols[*ii].type));
    return CRM_OK;
}

crm_status crm_apriori_stats_local(const crm_dataset *tx, const char *tid_col,
                                   const char *item_col, const crm_apriori_options *opts,
                                   crm_stats **out)
{
    const char *fn = "crm_apriori_stats_local";
    if (out) *out = NULL;
    if (!tx || !out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    size_t it, ii;
    crm_status st = find_cols(tx, tid_col, item_col, fn, &it, &ii);
    if (st) return st;
    crm_apriori_options o;
    if ((st = crm__apriori_options_load(&o, opts))) return st;
    if (o.min_count != 0)
        return crm__error(CRM_E_INVALID, "%s: min_count must be 0 (SON needs a relative "
                                         "min_support)",
                          fn);
    /* a slightly lower local threshold: the union then surely holds every globally frequent
     * set, whatever the rounding of count / N in each chunk */
    o.min_support *= 1.0 - 1e-9;
    if (o.target != CRM_APRIORI_ALL) o.max_len = -1; /* closed/maximal need every set */
    o.target = CRM_APRIORI_ALL;
    o.separator = "\x1f";
    o.min_confidence = 0;
    o.min_lift = 0;
    son_stats *s = son_new(0);
    if (!s) return crm__nomem();
    size_t ntid = 0;
    for (size_t r = 0; r < tx->nrows; r++)
        ntid += !crm__cell_missing(&tx->cols[it], r);
    if (ntid > 0) {
        crm_dataset *ids = NULL;
        st = crm_apriori(tx, tid_col, item_col, &o, &ids, NULL);
        if (!st) st = from_table(s, ids);
        crm_dataset_free(ids);
    }
    if (st) {
        son_free(s);
        return st;
    }
    return crm__stats_wrap(&crm__stats_itemsets_ops, crm__fp_str(CRM__FP_INIT, "son"),
                           (int64_t)tx->nrows, s, out);
}

/* ---- merge (union of candidates; sums of counts) ------------------------------------------ */

static crm_status union_sets(son_stats *a, const son_stats *b)
{
    son_stats *t = son_new(0);
    int32_t *ma = crm__malloc_array(a->items.n + 1, sizeof *ma);
    int32_t *mb = crm__malloc_array(b->items.n + 1, sizeof *mb);
    int32_t *va = NULL, *vb = NULL;
    crm_status st = t && ma && mb ? CRM_OK : crm__nomem();
    size_t i = 0, j = 0;
    while (!st && (i < a->items.n || j < b->items.n)) {
        int c = i >= a->items.n ? 1 : j >= b->items.n ? -1 : crm__kcol_cmp(&a->items, i, &b->items, j);
        int32_t id = (int32_t)t->items.n;
        st = crm__kcol_push(&t->items, c <= 0 ? &a->items : &b->items, c <= 0 ? i : j);
        if (c <= 0) ma[i++] = id;
        if (c >= 0) mb[j++] = id;
    }
    size_t maxk = 1;
    for (size_t x = 0; x < a->nsets; x++)
        if (a->off[x + 1] - a->off[x] > maxk) maxk = a->off[x + 1] - a->off[x];
    for (size_t x = 0; x < b->nsets; x++)
        if (b->off[x + 1] - b->off[x] > maxk) maxk = b->off[x + 1] - b->off[x];
    if (!st && (!(va = crm__malloc_array(maxk, sizeof *va)) || !(vb = crm__malloc_array(maxk, sizeof *vb))))
        st = crm__nomem();
    /* remapping keeps the id order (both maps are increasing): the set order is kept too */
    i = j = 0;
    while (!st && (i < a->nsets || j < b->nsets)) {
        size_t ka = i < a->nsets ? a->off[i + 1] - a->off[i] : 0;
        size_t kb = j < b->nsets ? b->off[j + 1] - b->off[j] : 0;
        for (size_t p = 0; p < ka; p++)
            va[p] = ma[a->ids[a->off[i] + p]];
        for (size_t p = 0; p < kb; p++)
            vb[p] = mb[b->ids[b->off[j] + p]];
        int c = i >= a->nsets ? 1 : j >= b->nsets ? -1 : cmp_sets(va, ka, vb, kb);
        if (c <= 0)
            st = son_add_set(t, va, ka, a->counted ? a->count[i] + (c == 0 ? b->count[j] : 0) : 0);
        else
            st = son_add_set(t, vb, kb, b->counted ? b->count[j] : 0);
        if (c <= 0) i++;
        if (c >= 0) j++;
    }
    crm__free(ma);
    crm__free(mb);
    crm__free(va);
    crm__free(vb);
    if (st) {
        son_free(t);
        return st;
    }
    t->counted = a->counted;
    t->ntx = a->ntx + b->ntx;
    son_stats tmp = *a;
    *a = *t;
    *t = tmp;
    son_free(t);
    return CRM_OK;
}

static crm_status son_merge(void *ip, const void *op)
{
    son_stats *a = ip;
    const son_stats *b = op;
    if (!a->counted) return union_sets(a, b);
    /* counted: same candidates (the fingerprint says so) */
    if (a->nsets != b->nsets) return crm__error(CRM_E_STATE, "crm_stats_merge: candidate lists differ");
    if (b->ntx > CRM__MAX_COUNT - a->ntx) return crm__count_overflow();
    for (size_t i = 0; i < a->nsets; i++)
        if (b->count[i] > CRM__MAX_COUNT - a->count[i]) return crm__count_overflow();
    for (size_t i = 0; i < a->nsets; i++)
        a->count[i] += b->count[i];
    a->ntx += b->ntx;
    return CRM_OK;
}

/* ---- pass 2 -------------------------------------------------------------------------------- */

typedef struct tx_order {
    const crm__column *tid, *item;
} tx_order;

static int by_tid_item(const void *ctx, size_t a, size_t b)
{
    const tx_order *o = ctx;
    int c = crm__cell_cmp(o->tid, a, b);
    return c ? c : crm__cell_cmp(o->item, a, b);
}

/* Count of transactions holding every item of the set: intersect the items' tid lists. */
static int64_t count_set(const int32_t *v, size_t k, const size_t *toff, const int32_t *tl,
                         int32_t *buf, int32_t *buf2)
{
    size_t n = toff[v[0] + 1] - toff[v[0]];
    memcpy(buf, tl + toff[v[0]], n * sizeof *buf);
    for (size_t p = 1; p < k && n; p++) {
        const int32_t *o = tl + toff[v[p]];
        size_t no = toff[v[p] + 1] - toff[v[p]], i = 0, j = 0, m = 0;
        while (i < n && j < no) {
            if (buf[i] < o[j]) i++;
            else if (buf[i] > o[j]) j++;
            else buf2[m++] = buf[i++], j++;
        }
        memcpy(buf, buf2, m * sizeof *buf);
        n = m;
    }
    return (int64_t)n;
}

/* tid lists per candidate item (toff/tl), and the transaction count. */
static crm_status tid_lists(const crm_dataset *tx, size_t it, size_t ii, const son_stats *c,
                            size_t **toff_out, int32_t **tl_out, int64_t *ntx)
{
    size_t n = tx->nrows, ni = c->items.n;
    const crm__column *tid = &tx->cols[it], *item = &tx->cols[ii];
    size_t *v = crm__malloc_array(n + 1, sizeof *v), *tmp = crm__malloc_array(n + 1, sizeof *tmp);
    int32_t *rid = crm__malloc_array(n + 1, sizeof *rid), *rtx = crm__malloc_array(n + 1, sizeof *rtx);
    size_t *toff = *toff_out = crm__calloc(ni + 2, sizeof *toff);
    int32_t *tl = *tl_out = crm__malloc_array(n + 1, sizeof *tl);
    if (!v || !tmp || !rid || !rtx || !toff || !tl) {
        crm__free(v);
        crm__free(tmp);
        crm__free(rid);
        crm__free(rtx);
        return crm__nomem();
    }
    size_t m = 0;
    for (size_t r = 0; r < n; r++)
        if (!crm__cell_missing(tid, r)) v[m++] = r;
    tx_order o = {tid, item};
    crm__sort_rows(v, tmp, m, by_tid_item, &o);
    int32_t t = -1;
    for (size_t i = 0; i < m; i++) {
        size_t r = v[i];
        if (i == 0 || crm__cell_cmp(tid, v[i - 1], r) != 0) t++;
        rtx[i] = t;
        rid[i] = -1;
        if (item->v.code[r] < 0) continue;
        if (i > 0 && rtx[i - 1] == t && by_tid_item(&o, v[i - 1], r) == 0) continue;
        rid[i] = item_id(&c->items, crm__dict_str(item->dict, item->v.code[r]));
        if (rid[i] >= 0) toff[rid[i] + 1]++;
    }
    *ntx = t + 1;
    for (size_t k = 0; k < ni; k++)
        toff[k + 1] += toff[k];
    for (size_t i = 0; i < m; i++) /* transactions in increasing order: lists stay sorted */
        if (rid[i] >= 0) tl[toff[rid[i]]++] = rtx[i];
    for (size_t k = ni; k > 0; k--)
        toff[k] = toff[k - 1];
    toff[0] = 0;
    crm__free(v);
    crm__free(tmp);
    crm__free(rid);
    crm__free(rtx);
    return CRM_OK;
}

static crm_status son_copy_sets(son_stats *s, const son_stats *c)
{
    crm_status st = CRM_OK;
    for (size_t i = 0; i < c->items.n && !st; i++)
        st = crm__kcol_push(&s->items, &c->items, i);
    for (size_t i = 0; i < c->nsets && !st; i++)
        st = son_add_set(s, c->ids + c->off[i], c->off[i + 1] - c->off[i], 0);
    return st;
}

crm_status crm_apriori_stats_count(const crm_dataset *tx, const char *tid_col,
                                   const char *item_col, const crm_stats *candidates,
                                   crm_stats **out)
{
    const char *fn = "crm_apriori_stats_count";
    if (out) *out = NULL;
    if (!tx || !out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    crm_status st;
    const son_stats *c = crm__stats_state(candidates, CRM_STATS_ITEMSETS, fn, &st);
    if (!c) return st;
    size_t it, ii;
    if ((st = find_cols(tx, tid_col, item_col, fn, &it, &ii))) return st;
    son_stats *s = son_new(1);
    size_t *toff = NULL;
    int32_t *tl = NULL, *buf = NULL, *buf2 = NULL;
    if (!s) return crm__nomem();
    if ((st = son_copy_sets(s, c)) || (st = tid_lists(tx, it, ii, c, &toff, &tl, &s->ntx)))
        goto done;
    buf = crm__malloc_array((size_t)s->ntx + 1, sizeof *buf);
    buf2 = crm__malloc_array((size_t)s->ntx + 1, sizeof *buf2);
    if (!buf || !buf2) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < s->nsets; i++)
        s->count[i] = count_set(s->ids + s->off[i], s->off[i + 1] - s->off[i], toff, tl, buf, buf2);
done:
    crm__free(toff);
    crm__free(tl);
    crm__free(buf);
    crm__free(buf2);
    if (st) {
        son_free(s);
        return st;
    }
    return crm__stats_wrap(&crm__stats_itemcounts_ops, son_fingerprint(s), (int64_t)tx->nrows, s,
                           out);
}

/* ---- bytes, values, finalize --------------------------------------------------------------- */

static void son_write(crm__wbuf *w, const void *sp)
{
    const son_stats *s = sp;
    crm__kcol_write(w, &s->items);
    crm__w_u64(w, s->nsets);
    for (size_t i = 0; i < s->nsets; i++) {
        size_t k = s->off[i + 1] - s->off[i];
        crm__w_u32(w, (uint32_t)k);
        for (size_t p = 0; p < k; p++)
            crm__w_u32(w, (uint32_t)s->ids[s->off[i] + p]);
        if (s->counted) crm__w_i64(w, s->count[i]);
    }
    if (s->counted) crm__w_i64(w, s->ntx);
}

static crm_status son_read_kind(crm__rbuf *r, void **out, int counted)
{
    son_stats *s = son_new(counted);
    if (!s) return crm__nomem();
    *out = s;
    crm_status st = crm__kcol_read(r, &s->items);
    if (st) return st;
    if (s->items.n && s->items.type != CRM_TYPE_TEXT) r->bad = 1;
    /* every item is a text: a missing one is a corrupt buffer, not an item */
    for (size_t i = 0; i < s->items.n && !r->bad; i++)
        if (!s->items.str || !s->items.str[i]) r->bad = 1;
    s->items.type = CRM_TYPE_TEXT;
    size_t n = crm__r_count(r, 8);
    int32_t v[64];
    for (size_t i = 0; i < n && !r->bad && !st; i++) {
        uint32_t k = crm__r_u32(r);
        if (k == 0 || k > 64) {
            r->bad = 1;
            break;
        }
        for (uint32_t p = 0; p < k; p++) {
            v[p] = (int32_t)crm__r_u32(r);
            if (v[p] < 0 || (size_t)v[p] >= s->items.n || (p > 0 && v[p] <= v[p - 1])) r->bad = 1;
        }
        int64_t cnt = counted ? crm__r_i64(r) : 0;
        if (cnt < 0 || cnt > CRM__MAX_COUNT) r->bad = 1;
        if (!r->bad) st = son_add_set(s, v, k, cnt);
    }
    if (counted && !r->bad) s->ntx = crm__r_i64(r);
    if (s->ntx < 0 || s->ntx > CRM__MAX_COUNT) r->bad = 1;
    return st;
}

static crm_status itemsets_read(crm__rbuf *r, void **out)
{
    return son_read_kind(r, out, 0);
}

static crm_status itemcounts_read(crm__rbuf *r, void **out)
{
    return son_read_kind(r, out, 1);
}

static crm_status son_values(const void *sp, const char *name, double *out, size_t *n)
{
    const son_stats *s = sp;
    if (strcmp(name, "sizes") == 0) {
        *n = s->nsets;
        for (size_t i = 0; out && i < s->nsets; i++)
            out[i] = (double)(s->off[i + 1] - s->off[i]);
    } else if (s->counted && strcmp(name, "counts") == 0) {
        *n = s->nsets;
        for (size_t i = 0; out && i < s->nsets; i++)
            out[i] = (double)s->count[i];
    } else if (s->counted && strcmp(name, "transactions") == 0) {
        *n = 1;
        if (out) out[0] = (double)s->ntx;
    } else {
        return crm__error(CRM_E_NOTFOUND, "crm_stats_values: itemset statistics have no \"%s\"",
                          name);
    }
    return CRM_OK;
}

const crm__stats_ops crm__stats_itemsets_ops = {CRM_STATS_ITEMSETS, "Apriori candidates", son_free,
                                                son_merge, 1, son_write, itemsets_read, son_values};
const crm__stats_ops crm__stats_itemcounts_ops = {CRM_STATS_ITEM_COUNTS, "Apriori counts",
                                                  son_free, son_merge, 1, son_write, itemcounts_read,
                                                  son_values};

crm_status crm_apriori_stats_finalize(const crm_stats *counts, const crm_apriori_options *opts,
                                      crm_dataset **out_itemsets, crm_dataset **out_rules)
{
    const char *fn = "crm_apriori_stats_finalize";
    if (out_itemsets) *out_itemsets = NULL;
    if (out_rules) *out_rules = NULL;
    crm_status st;
    const son_stats *s = crm__stats_state(counts, CRM_STATS_ITEM_COUNTS, fn, &st);
    if (!s) return st;
    if (!out_itemsets && !out_rules)
        return crm__error(CRM_E_INVALID, "%s: both outputs are NULL", fn);
    return crm__apriori_emit(opts, (size_t)s->ntx, (const char *const *)s->items.str,
                             s->items.n, s->off, s->ids, s->count, s->nsets, out_itemsets,
                             out_rules);
}
