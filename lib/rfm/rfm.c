/* crm_rfm: per-customer recency, frequency, monetary, scores, segments and
 * lifecycle stages (definitions in include/crm/rfm.h).
 *
 * One validation pass over the rows (for the default as_of, one more over the
 * dates, in default_as_of, which crm_rfm_default_as_of shares), dense customer
 * (and invoice) ids from the text codes or a hash of the 64-bit values, a
 * counting sort of the rows by customer so that each customer's amounts are
 * summed exactly with one accumulator, then three rank sorts over the
 * customers. */
#include "crm/rfm.h"
#include "core/dataset_internal.h"
#include "rfm/rfm_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CRM__RFM_OPTIONS_V1_SIZE (offsetof(crm_rfm_options, inactive_days) + sizeof(int64_t))
#define DAY 86400

static const crm_rfm_options rfm_defaults = {
    sizeof(crm_rfm_options), /* size */
    NULL,                    /* customer */
    NULL,                    /* date */
    NULL,                    /* amount */
    NULL,                    /* quantity */
    NULL,                    /* price */
    NULL,                    /* invoice */
    CRM_TIME_MISSING,        /* as_of: day after the last transaction */
    5,                       /* bins */
    90,                      /* active_days */
    365,                     /* inactive_days */
    0,                       /* churn_days */
};

crm_status crm_rfm_options_init(crm_rfm_options *opts, size_t size)
{
    return crm__options_init(opts, size, &rfm_defaults, sizeof rfm_defaults,
                             CRM__RFM_OPTIONS_V1_SIZE, "crm_rfm_options");
}

/* ---- dense ids of a column's values ---------------------------------------- */

/* Maps the values of one column to ids 0..n-1 in order of first appearance.
 * Text columns use their dictionary codes; numbers (by value, -0 = +0) and
 * times use an open-addressing hash of the 64-bit pattern. */
typedef struct dense {
    size_t *id;  /* per row */
    size_t n;    /* number of distinct values */
    size_t *row; /* first row of each id (n entries) */
} dense;

static uint64_t key_of(const crm__column *c, size_t r)
{
    if (c->type == CRM_TYPE_NUMBER) {
        double v = c->v.num[r];
        uint64_t k;
        if (v == 0) v = 0; /* -0 and +0 are one customer */
        memcpy(&k, &v, sizeof k);
        return k;
    }
    return (uint64_t)c->v.time[r];
}

static void dense_free(dense *d)
{
    crm__free(d->id);
    crm__free(d->row);
    d->id = d->row = NULL;
}

/* Drop the per-row ids (the first rows are kept). */
static void dense_free_ids(dense *d)
{
    crm__free(d->id);
    d->id = NULL;
}

static crm_status dense_build(const crm__column *c, size_t nrows, dense *d)
{
    d->n = 0;
    d->id = crm__malloc_array(nrows, sizeof *d->id);
    d->row = NULL;
    if (!d->id) return crm__nomem();
    if (c->type == CRM_TYPE_TEXT) {
        size_t nd = c->dict->n;
        size_t *map = crm__malloc_array(nd, sizeof *map);
        d->row = crm__malloc_array(nd, sizeof *d->row);
        if (!map || !d->row) {
            crm__free(map);
            dense_free(d);
            return crm__nomem();
        }
        for (size_t i = 0; i < nd; i++)
            map[i] = SIZE_MAX;
        const int32_t *code = c->v.code;
        for (size_t r = 0; r < nrows; r++) {
            size_t k = (size_t)code[r];
            if (map[k] == SIZE_MAX) {
                map[k] = d->n;
                d->row[d->n++] = r;
            }
            d->id[r] = map[k];
        }
        crm__free(map);
        return CRM_OK;
    }
    /* hash: slots hold id + 1 (0 = empty); grown at load 1/2 */
    size_t nslots = 1024, cap = 512;
    size_t *slots = crm__calloc(nslots, sizeof *slots);
    uint64_t *keys = crm__malloc_array(cap, sizeof *keys);
    d->row = crm__malloc_array(cap, sizeof *d->row);
    if (!slots || !keys || !d->row) goto nomem;
    for (size_t r = 0; r < nrows; r++) {
        uint64_t k = key_of(c, r);
        size_t mask = nslots - 1, s = (size_t)crm__mix64(k) & mask;
        while (slots[s] && keys[slots[s] - 1] != k)
            s = (s + 1) & mask;
        if (slots[s]) {
            d->id[r] = slots[s] - 1;
            continue;
        }
        if (d->n == cap) { /* keys/rows full: grow them and the table */
            size_t ncap = cap * 2, nns = nslots * 2;
            uint64_t *nk = crm__realloc_array(keys, ncap, sizeof *nk);
            if (!nk) goto nomem;
            keys = nk;
            size_t *nr = crm__realloc_array(d->row, ncap, sizeof *nr);
            if (!nr) goto nomem;
            d->row = nr;
            size_t *ns = crm__calloc(nns, sizeof *ns);
            if (!ns) goto nomem;
            for (size_t i = 0; i < d->n; i++) {
                size_t t = (size_t)crm__mix64(keys[i]) & (nns - 1);
                while (ns[t])
                    t = (t + 1) & (nns - 1);
                ns[t] = i + 1;
            }
            crm__free(slots);
            slots = ns;
            nslots = nns;
            cap = ncap;
            mask = nslots - 1;
            s = (size_t)crm__mix64(k) & mask;
            while (slots[s])
                s = (s + 1) & mask;
        }
        keys[d->n] = k;
        d->row[d->n] = r;
        slots[s] = ++d->n;
        d->id[r] = d->n - 1;
    }
    crm__free(slots);
    crm__free(keys);
    return CRM_OK;
nomem:
    crm__free(slots);
    crm__free(keys);
    dense_free(d);
    return crm__nomem();
}

/* ---- sorting helpers ---------------------------------------------------------- */

/* Order-preserving map of a double (not NaN) to an unsigned key. */
static uint64_t dkey(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

/* Scratch of a stable LSD radix sort (bytes, skipping constant ones). */
typedef struct radix {
    uint64_t *k[2];
    size_t *i[2];
} radix;

static crm_status radix_new(radix *r, size_t n)
{
    r->k[0] = crm__malloc_array(n, sizeof(uint64_t));
    r->k[1] = crm__malloc_array(n, sizeof(uint64_t));
    r->i[0] = crm__malloc_array(n, sizeof(size_t));
    r->i[1] = crm__malloc_array(n, sizeof(size_t));
    if (r->k[0] && r->k[1] && r->i[0] && r->i[1]) return CRM_OK;
    return crm__nomem();
}

static void radix_free(radix *r)
{
    for (int j = 0; j < 2; j++) {
        crm__free(r->k[j]);
        crm__free(r->i[j]);
        r->k[j] = NULL;
        r->i[j] = NULL;
    }
}

/* Sort r->k[0][0..n) with r->i[0] alongside, stably; returns the sorted index
 * array (one of r->i). n >= 1. */
static const size_t *radix_sort(radix *r, size_t n)
{
    int cur = 0;
    size_t cnt[256];
    for (int shift = 0; shift < 64; shift += 8) {
        const uint64_t *k = r->k[cur];
        const size_t *ix = r->i[cur];
        memset(cnt, 0, sizeof cnt);
        for (size_t j = 0; j < n; j++)
            cnt[(k[j] >> shift) & 255]++;
        if (cnt[(k[0] >> shift) & 255] == n) continue; /* all keys share this byte */
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        uint64_t *k2 = r->k[1 - cur];
        size_t *i2 = r->i[1 - cur];
        for (size_t j = 0; j < n; j++) {
            size_t at = cnt[(k[j] >> shift) & 255]++;
            k2[at] = k[j];
            i2[at] = ix[j];
        }
        cur = 1 - cur;
    }
    return r->i[cur];
}

typedef struct by_text {
    const char *v;
    size_t i;
} by_text;

static int cmp_by_text(const void *a, const void *b)
{
    const by_text *x = a, *y = b;
    int c = strcmp(x->v, y->v);
    if (c) return c;
    return (x->i > y->i) - (x->i < y->i);
}

/* order[p] = dense id of the customer at position p (ascending customer). */
static crm_status customer_order(const crm__column *c, const dense *d, radix *rx, size_t *order)
{
    size_t n = d->n;
    if (c->type == CRM_TYPE_TEXT) {
        by_text *a = crm__malloc_array(n, sizeof *a);
        if (!a) return crm__nomem();
        for (size_t i = 0; i < n; i++) {
            a[i].v = crm__dict_str(c->dict, c->v.code[d->row[i]]);
            a[i].i = i;
        }
        qsort(a, n, sizeof *a, cmp_by_text);
        for (size_t i = 0; i < n; i++)
            order[i] = a[i].i;
        crm__free(a);
        return CRM_OK;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = d->row[i];
        rx->k[0][i] = c->type == CRM_TYPE_TIME ? (uint64_t)c->v.time[r] ^ (UINT64_C(1) << 63)
                                               : dkey(c->v.num[r]);
        rx->i[0][i] = i;
    }
    memcpy(order, radix_sort(rx, n), n * sizeof *order);
    return CRM_OK;
}

/* score[p] = 1 + floor(bins * (rank - 1) / n), rank of (sign * value[p], p)
 * ascending. */
static void scores(const double *value, double sign, size_t n, int32_t bins, radix *rx,
                   double *score)
{
    for (size_t p = 0; p < n; p++) {
        rx->k[0][p] = dkey(sign * value[p]);
        rx->i[0][p] = p;
    }
    const size_t *ord = radix_sort(rx, n);
    for (size_t r = 0; r < n; r++)
        score[ord[r]] = (double)(1 + ((uint64_t)bins * r) / n);
}

/* One transaction line, grouped by customer. */
typedef struct txrec {
    double amt;
    int64_t t;
    uint64_t inv; /* invoice key: text code, or the value's bits */
} txrec;

static int cmp_inv(const void *a, const void *b)
{
    uint64_t x = ((const txrec *)a)->inv, y = ((const txrec *)b)->inv;
    return (x > y) - (x < y);
}

/* Number of distinct invoice keys in g[0..n) (reorders g). */
static size_t distinct_inv(txrec *g, size_t n)
{
    int sorted = 1;
    for (size_t j = 1; j < n && sorted; j++)
        sorted = g[j - 1].inv <= g[j].inv;
    if (!sorted) {
        if (n <= 32) {
            for (size_t j = 1; j < n; j++) {
                txrec x = g[j];
                size_t k = j;
                for (; k > 0 && g[k - 1].inv > x.inv; k--)
                    g[k] = g[k - 1];
                g[k] = x;
            }
        } else {
            qsort(g, n, sizeof *g, cmp_inv);
        }
    }
    size_t cnt = n > 0;
    for (size_t j = 1; j < n; j++)
        cnt += g[j].inv != g[j - 1].inv;
    return cnt;
}

static int is_missing(const crm__column *c, size_t r)
{
    switch (c->type) {
    case CRM_TYPE_NUMBER:
        return isnan(c->v.num[r]);
    case CRM_TYPE_TIME:
        return c->v.time[r] == CRM_TIME_MISSING;
    default:
        return c->v.code[r] < 0;
    }
}

/* ---- segments and lifecycle stages ---------------------------------------------- */

enum {
    CHAMPIONS,
    LOYAL,
    POTENTIAL,
    NEWCOMERS,
    PROMISING,
    NEED_ATTENTION,
    ABOUT_TO_SLEEP,
    AT_RISK,
    CANNOT_LOSE,
    HIBERNATING,
    LOST,
    NSEGMENTS
};

/* The one table of segment names, best first: the strings of the segment column and of
 * crm_rfm_segment_name(). */
static const char *const segment_names[NSEGMENTS] = {
    [CHAMPIONS] = "Champions",
    [LOYAL] = "Loyal Customers",
    [POTENTIAL] = "Potential Loyalists",
    [NEWCOMERS] = "New Customers",
    [PROMISING] = "Promising",
    [NEED_ATTENTION] = "Need Attention",
    [ABOUT_TO_SLEEP] = "About To Sleep",
    [AT_RISK] = "At Risk",
    [CANNOT_LOSE] = "Cannot Lose Them",
    [HIBERNATING] = "Hibernating",
    [LOST] = "Lost",
};

/* segment_grid[r - 1][f - 1]: the segment of (r_score, f_score) on the 1..5 scale. */
static const unsigned char segment_grid[5][5] = {
    /* r = 1 */ {LOST, LOST, AT_RISK, AT_RISK, CANNOT_LOSE},
    /* r = 2 */ {HIBERNATING, HIBERNATING, AT_RISK, AT_RISK, CANNOT_LOSE},
    /* r = 3 */ {ABOUT_TO_SLEEP, ABOUT_TO_SLEEP, NEED_ATTENTION, LOYAL, LOYAL},
    /* r = 4 */ {PROMISING, POTENTIAL, POTENTIAL, LOYAL, LOYAL},
    /* r = 5 */ {NEWCOMERS, POTENTIAL, POTENTIAL, CHAMPIONS, CHAMPIONS},
};

enum { ACTIVE, INACTIVE, CHURNED, NSTAGES };

/* The lifecycle stages, most recent first: the strings of the lifecycle column and of
 * crm_rfm_stage_name(). */
static const char *const stage_names[NSTAGES] = {
    [ACTIVE] = "active",
    [INACTIVE] = "inactive",
    [CHURNED] = "churned",
};

size_t crm_rfm_segment_count(void)
{
    return NSEGMENTS;
}

const char *crm_rfm_segment_name(size_t i)
{
    return i < NSEGMENTS ? segment_names[i] : NULL;
}

size_t crm_rfm_stage_count(void)
{
    return NSTAGES;
}

const char *crm_rfm_stage_name(size_t i)
{
    return i < NSTAGES ? stage_names[i] : NULL;
}

/* Score s in 1..bins on the 1..5 scale: the quintile holding the middle of its bin. */
static int to5(int s, int bins)
{
    return 1 + (10 * s - 5) / (2 * bins);
}

/* ---- output helpers --------------------------------------------------------- */

/* Append a column, taking ownership of data whatever happens. */
static crm_status add_owned(crm_dataset *ds, const char *name, int32_t type, void *data, size_t n)
{
    crm_status st = crm__dataset_add_owned(ds, name, type, data, NULL, n);
    if (st) crm__free(data);
    return st;
}

static crm_status find_typed(const crm_dataset *tx, const char *name, const char *what,
                             int32_t type, size_t *idx)
{
    crm_status st = crm__dataset_find(tx, name, idx);
    if (st) return crm__error(st, "crm_rfm: %s column \"%s\" not found", what, name);
    int32_t t = tx->cols[*idx].type;
    if (type && t != type)
        return crm__error(CRM_E_TYPE, "crm_rfm: %s column \"%s\" is %s, not %s", what, name,
                          crm__type_name(t), crm__type_name(type));
    return CRM_OK;
}

static crm_status missing_error(const char *what, const char *name, size_t row)
{
    return crm__error(CRM_E_INVALID,
                      "crm_rfm: %s column \"%s\", row %zu: missing value (filter such rows "
                      "first, e.g. \"%s is not missing\")",
                      what, name, row, name);
}

/* The as_of of crm_rfm when none is given: midnight UTC after the last date of column
 * date_col (fn names the caller in error messages). crm_rfm and crm_rfm_default_as_of both
 * use this. */
static crm_status default_as_of(const crm_dataset *tx, const char *date_col, const char *fn,
                                int64_t *out)
{
    size_t id;
    if (crm__dataset_find(tx, date_col, &id))
        return crm__error(CRM_E_NOTFOUND, "%s: date column \"%s\" not found", fn, date_col);
    const crm__column *c = &tx->cols[id];
    if (c->type != CRM_TYPE_TIME)
        return crm__error(CRM_E_TYPE, "%s: date column \"%s\" is %s, not %s", fn, date_col,
                          crm__type_name(c->type), crm__type_name(CRM_TYPE_TIME));
    size_t n = tx->nrows;
    if (n == 0) return crm__error(CRM_E_INVALID, "%s: the transactions have no rows", fn);
    const int64_t *date = c->v.time;
    int64_t tmax = INT64_MIN;
    for (size_t r = 0; r < n; r++) {
        if (date[r] == CRM_TIME_MISSING)
            return crm__error(CRM_E_INVALID, "%s: date column \"%s\", row %zu: missing value", fn,
                              date_col, r);
        if (date[r] > tmax) tmax = date[r];
    }
    return crm__rfm_as_of_after(tmax, fn, date_col, out);
}

crm_status crm__rfm_as_of_after(int64_t tmax, const char *fn, const char *date_col, int64_t *out)
{
    int64_t day = tmax >= 0 ? tmax / DAY : -((-(tmax + 1)) / DAY) - 1;
    if (day >= INT64_MAX / DAY)
        return crm__error(CRM_E_INVALID, "%s: date column \"%s\": last date out of range", fn,
                          date_col);
    *out = (day + 1) * DAY;
    return CRM_OK;
}

crm_status crm_rfm_default_as_of(const crm_dataset *tx, const char *date_col, int64_t *out)
{
    if (out)
        *out = 0; /* the value of a number output after a failure (crm/common.h) */
    if (!tx || !date_col || !out)
        return crm__error(CRM_E_INVALID, "crm_rfm_default_as_of: NULL argument");
    return default_as_of(tx, date_col, "crm_rfm_default_as_of", out);
}

/* ---- crm_rfm ----------------------------------------------------------------- */

/* The churn table: RFM of the rows up to as_of plus `churned` (no row in
 * (as_of, as_of + churn_days]). Built from crm_rfm itself, group and join. */
static crm_status rfm_churn(const crm_dataset *tx, const crm_rfm_options *o, crm_dataset **out)
{
    if (o->churn_days < 0)
        return crm__error(CRM_E_INVALID, "crm_rfm: churn_days must be >= 0 (got %lld)",
                          (long long)o->churn_days);
    if (o->as_of == CRM_TIME_MISSING)
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: churn_days needs an explicit as_of (the cutoff)");
    if (o->churn_days > (INT64_MAX - o->as_of) / DAY - 1)
        return crm__error(CRM_E_INVALID, "crm_rfm: as_of + churn_days is out of range");
    size_t id, ic;
    crm_status st = crm__dataset_find(tx, o->date, &id);
    if (st == CRM_OK) st = crm__dataset_find(tx, o->customer, &ic);
    if (st != CRM_OK) return crm__error_prefix(st, "crm_rfm");
    if (tx->cols[id].type != CRM_TYPE_TIME)
        return crm__error(CRM_E_TYPE, "crm_rfm: date column \"%s\" is a %s column, not time",
                          o->date, crm__type_name(tx->cols[id].type));
    const int64_t *date = tx->cols[id].v.time;
    int64_t end = o->as_of + o->churn_days * DAY;
    size_t n = tx->nrows, nb = 0, na = 0;
    size_t *before = crm__malloc_array(n ? n : 1, sizeof *before);
    size_t *after = crm__malloc_array(n ? n : 1, sizeof *after);
    crm_dataset *b = NULL, *a = NULL, *seen = NULL, *res = NULL, *joined = NULL;
    double *churned = NULL, *flag = NULL;
    if (!before || !after) st = crm__nomem();
    for (size_t r = 0; st == CRM_OK && r < n; r++) {
        if (date[r] == CRM_TIME_MISSING)
            st = missing_error("date", o->date, r);
        else if (date[r] <= o->as_of)
            before[nb++] = r;
        else if (date[r] <= end)
            after[na++] = r;
    }
    if (st == CRM_OK && nb == 0)
        st = crm__error(CRM_E_INVALID, "crm_rfm: no transaction at or before as_of");
    if (st == CRM_OK) st = crm__dataset_take(tx, before, nb, &b);
    crm_rfm_options o2 = *o;
    o2.churn_days = 0;
    if (st == CRM_OK) st = crm_rfm(b, &o2, &res);
    /* customers seen in the window: distinct keys, a flag, left-joined */
    const char *key = "customer";
    if (st == CRM_OK) st = crm__dataset_take(tx, after, na, &a);
    if (st == CRM_OK) st = crm_dataset_select(a, &o->customer, 1, &seen);
    crm_dataset_free(a);
    a = NULL;
    if (st == CRM_OK && strcmp(o->customer, key) != 0)
        st = crm_dataset_rename_column(seen, o->customer, key);
    if (st == CRM_OK) st = crm_dataset_group(seen, &key, 1, NULL, 0, &a);
    size_t ns = a ? a->nrows : 0;
    if (st == CRM_OK) {
        flag = crm__malloc_array(ns ? ns : 1, sizeof *flag);
        if (!flag) st = crm__nomem();
        for (size_t i = 0; st == CRM_OK && i < ns; i++)
            flag[i] = 1.0;
    }
    if (st == CRM_OK) st = crm_dataset_add_number(a, "__crm_seen", flag, ns);
    if (st == CRM_OK) st = crm_dataset_join(res, a, &key, 1, CRM_JOIN_LEFT, &joined);
    size_t nc = joined ? joined->nrows : 0, is = 0;
    if (st == CRM_OK) st = crm__dataset_find(joined, "__crm_seen", &is);
    if (st == CRM_OK) {
        churned = crm__malloc_array(nc ? nc : 1, sizeof *churned);
        if (!churned) st = crm__nomem();
        for (size_t i = 0; st == CRM_OK && i < nc; i++)
            churned[i] = isnan(joined->cols[is].v.num[i]) ? 1.0 : 0.0;
    }
    if (st == CRM_OK) st = crm_dataset_drop_column(joined, "__crm_seen");
    if (st == CRM_OK) st = crm_dataset_add_number(joined, "churned", churned, nc);
    crm__free(before);
    crm__free(after);
    crm__free(flag);
    crm__free(churned);
    crm_dataset_free(b);
    crm_dataset_free(a);
    crm_dataset_free(seen);
    crm_dataset_free(res);
    if (st != CRM_OK) {
        crm_dataset_free(joined);
        return st;
    }
    *out = joined;
    return CRM_OK;
}

/* The options crm_rfm checks before it looks at the data. */
static crm_status check_options(const crm_rfm_options *o)
{
    if (!o->customer || !o->date)
        return crm__error(CRM_E_INVALID, "crm_rfm: options customer and date are required");
    if (o->amount && (o->quantity || o->price))
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: give either amount or quantity and price, not both");
    if (!o->amount && (!o->quantity || !o->price))
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: an amount column, or both quantity and price, is required");
    if (o->bins < 1 || o->bins > 9)
        return crm__error(CRM_E_INVALID, "crm_rfm: bins must be in 1..9 (got %d)", (int)o->bins);
    return CRM_OK;
}

/* The lifecycle options (the churn table does not use them). */
static crm_status check_stage_days(const crm_rfm_options *o)
{
    if (o->active_days < 0)
        return crm__error(CRM_E_INVALID, "crm_rfm: active_days must be >= 0 (got %lld)",
                          (long long)o->active_days);
    if (o->inactive_days < o->active_days)
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: inactive_days (%lld) must be >= active_days (%lld)",
                          (long long)o->inactive_days, (long long)o->active_days);
    return CRM_OK;
}

/* Find the named columns with their types (the transactions may have no rows). */
crm_status crm__rfm_find_input(const crm_dataset *tx, const crm_rfm_options *o, rfm_input *in)
{
    size_t ic, id, ia = 0, iq = 0, ip = 0, ii = 0;
    crm_status st;
    if ((st = find_typed(tx, o->customer, "customer", 0, &ic)) ||
        (st = find_typed(tx, o->date, "date", CRM_TYPE_TIME, &id)))
        return st;
    if (o->amount) {
        if ((st = find_typed(tx, o->amount, "amount", CRM_TYPE_NUMBER, &ia))) return st;
    } else if ((st = find_typed(tx, o->quantity, "quantity", CRM_TYPE_NUMBER, &iq)) ||
               (st = find_typed(tx, o->price, "price", CRM_TYPE_NUMBER, &ip))) {
        return st;
    }
    if (o->invoice && (st = find_typed(tx, o->invoice, "invoice", 0, &ii))) return st;
    in->nrows = tx->nrows;
    in->cust = &tx->cols[ic];
    in->inv = o->invoice ? &tx->cols[ii] : NULL;
    in->date = tx->cols[id].v.time;
    in->a = o->amount ? tx->cols[ia].v.num : NULL;
    in->q = o->amount ? NULL : tx->cols[iq].v.num;
    in->pr = o->amount ? NULL : tx->cols[ip].v.num;
    return CRM_OK;
}

/* The error for row r whose amount v is not a finite number > 0. */
static crm_status amount_error(const rfm_input *in, const crm_rfm_options *o, size_t r, double v)
{
    if (in->a)
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: amount column \"%s\", row %zu: amount %.17g is not "
                          "a finite number > 0 (filter such rows first)",
                          o->amount, r, v);
    return crm__error(CRM_E_INVALID,
                      "crm_rfm: row %zu: quantity \"%s\" %.17g * price \"%s\" %.17g "
                      "= %.17g is not a finite number > 0 (filter such rows first)",
                      r, o->quantity, in->q[r], o->price, in->pr[r], v);
}

/* Step 1: every row has a customer, a date (not after an explicit as_of), an invoice when one
 * is counted, and an amount that is a finite number > 0. */
crm_status crm__rfm_validate_rows(const rfm_input *in, const crm_rfm_options *o)
{
    const double *a = in->a, *q = in->q, *pr = in->pr;
    int has_as_of = o->as_of != CRM_TIME_MISSING;
    for (size_t r = 0; r < in->nrows; r++) {
        if (is_missing(in->cust, r)) return missing_error("customer", o->customer, r);
        int64_t t = in->date[r];
        if (t == CRM_TIME_MISSING) return missing_error("date", o->date, r);
        if (has_as_of && t > o->as_of) {
            char b1[32], b2[32];
            crm__format_time(t, 0, b1);
            crm__format_time(o->as_of, 0, b2);
            return crm__error(CRM_E_INVALID,
                              "crm_rfm: date column \"%s\", row %zu: %s is after as_of %s", o->date,
                              r, b1, b2);
        }
        if (in->inv && is_missing(in->inv, r)) return missing_error("invoice", o->invoice, r);
        double v;
        if (a) {
            v = a[r];
            if (isnan(v)) return missing_error("amount", o->amount, r);
        } else {
            if (isnan(q[r])) return missing_error("quantity", o->quantity, r);
            if (isnan(pr[r])) return missing_error("price", o->price, r);
            v = q[r] * pr[r];
        }
        if (!(v > 0) || isinf(v)) return amount_error(in, o, r, v);
    }
    return CRM_OK;
}

/* Step 2: dense customer ids (cust keeps each one's first row) and the lines grouped by
 * customer with a counting sort: customer c's lines are (*recs)[(*start)[c]..(*start)[c + 1]). */
static crm_status group_lines(const rfm_input *in, dense *cust, size_t **start_out,
                              txrec **recs_out)
{
    size_t nrows = in->nrows;
    const crm__column *inv = in->inv;
    crm_status st = dense_build(in->cust, nrows, cust);
    if (st) return st;
    size_t n = cust->n;
    size_t *start = *start_out = crm__calloc(n + 1, sizeof *start);
    txrec *recs = *recs_out = crm__malloc_array(nrows, sizeof *recs);
    if (!start || !recs) return crm__nomem();
    for (size_t r = 0; r < nrows; r++)
        start[cust->id[r] + 1]++;
    for (size_t c = 0; c < n; c++)
        start[c + 1] += start[c];
    for (size_t r = 0; r < nrows; r++) {
        txrec *x = &recs[start[cust->id[r]]++];
        x->amt = in->a ? in->a[r] : in->q[r] * in->pr[r];
        x->t = in->date[r];
        x->inv = !inv ? 0 : inv->type == CRM_TYPE_TEXT ? (uint64_t)inv->v.code[r] : key_of(inv, r);
    }
    for (size_t c = n; c > 0; c--)
        start[c] = start[c - 1];
    start[0] = 0;
    dense_free_ids(cust);
    return CRM_OK;
}


/* Step 3: recency, frequency, monetary and tenure of each of the n customers, at its position
 * pos_of[c] in the output. */
static crm_status figures(const rfm_input *in, const size_t *start, txrec *recs, size_t n,
                          const size_t *pos_of, int64_t as_of, double *const *out_num)
{
    const crm__column *inv = in->inv;
    size_t *mark = NULL;
    if (inv && inv->type == CRM_TYPE_TEXT) {
        mark = crm__malloc_array(inv->dict->n ? inv->dict->n : 1, sizeof *mark);
        if (!mark) return crm__nomem();
        for (size_t k = 0; k < inv->dict->n; k++)
            mark[k] = SIZE_MAX;
    }
    for (size_t c = 0; c < n; c++) {
        txrec *g = recs + start[c];
        size_t len = start[c + 1] - start[c], cnt = len;
        crm__fsum fs;
        crm__fsum_init(&fs);
        int64_t first = INT64_MAX, last = INT64_MIN;
        for (size_t j = 0; j < len; j++) {
            crm__fsum_add(&fs, g[j].amt);
            if (g[j].t < first) first = g[j].t;
            if (g[j].t > last) last = g[j].t;
        }
        if (mark) {
            cnt = 0;
            for (size_t j = 0; j < len; j++) {
                if (mark[g[j].inv] != c) {
                    mark[g[j].inv] = c;
                    cnt++;
                }
            }
        } else if (inv) {
            cnt = distinct_inv(g, len);
        }
        size_t p = pos_of[c];
        out_num[MON][p] = crm__fsum_result(&fs);
        out_num[FREQ][p] = (double)cnt;
        /* as_of >= every date: the differences are non-negative and fit in uint64 */
        out_num[REC][p] = (double)(((uint64_t)as_of - (uint64_t)last) / DAY);
        out_num[TEN][p] = (double)(((uint64_t)as_of - (uint64_t)first) / DAY);
    }
    crm__free(mark);
    return CRM_OK;
}

/* For the mergeable statistics (rfm_stats.c): see rfm_internal.h. The same dense ids and
 * customer order as crm_rfm, then a stable counting sort of the rows by position. */
crm_status crm__rfm_customer_rows(const rfm_input *in, size_t **rows_out, size_t **start_out,
                                  size_t *n_out)
{
    size_t nrows = in->nrows, n = 0;
    dense cust = {NULL, 0, NULL};
    radix rx = {{NULL, NULL}, {NULL, NULL}};
    size_t *order = NULL, *pos_of = NULL, *start = NULL, *rows = NULL;
    *rows_out = *start_out = NULL;
    *n_out = 0;
    crm_status st = dense_build(in->cust, nrows, &cust);
    if (st) return st;
    n = cust.n;
    order = crm__malloc_array(n + 1, sizeof *order);
    pos_of = crm__malloc_array(n + 1, sizeof *pos_of);
    start = crm__calloc(n + 2, sizeof *start);
    rows = crm__malloc_array(nrows + 1, sizeof *rows);
    if (!order || !pos_of || !start || !rows) {
        st = crm__nomem();
        goto done;
    }
    if (n && ((st = radix_new(&rx, n)) || (st = customer_order(in->cust, &cust, &rx, order))))
        goto done;
    for (size_t p = 0; p < n; p++)
        pos_of[order[p]] = p;
    for (size_t r = 0; r < nrows; r++)
        start[pos_of[cust.id[r]] + 1]++;
    for (size_t p = 0; p < n; p++)
        start[p + 1] += start[p];
    for (size_t r = 0; r < nrows; r++)
        rows[start[pos_of[cust.id[r]]]++] = r;
    for (size_t p = n; p > 0; p--)
        start[p] = start[p - 1];
    start[0] = 0;
    *rows_out = rows;
    *start_out = start;
    *n_out = n;
    rows = start = NULL;
done:
    dense_free(&cust);
    radix_free(&rx);
    crm__free(order);
    crm__free(pos_of);
    crm__free(start);
    crm__free(rows);
    return st;
}

/* The customer column: customer order[p]'s id at row p (-0 written as 0). */
static crm_status add_customers(crm_dataset *res, const crm__column *cc, const dense *cust,
                                const size_t *order, size_t n)
{
    void *data;
    if (cc->type == CRM_TYPE_TEXT) {
        int32_t *code = crm__malloc_array(n, sizeof *code);
        if (!code) return crm__nomem();
        for (size_t p = 0; p < n; p++)
            code[p] = cc->v.code[cust->row[order[p]]];
        crm_status st = crm__dataset_add_owned(res, "customer", CRM_TYPE_TEXT, code,
                                               crm__dict_retain(cc->dict), n);
        if (st) {
            crm__dict_release(cc->dict);
            crm__free(code);
        }
        return st;
    }
    if (cc->type == CRM_TYPE_TIME) {
        int64_t *v = crm__malloc_array(n, sizeof *v);
        if (!v) return crm__nomem();
        for (size_t p = 0; p < n; p++)
            v[p] = cc->v.time[cust->row[order[p]]];
        data = v;
    } else {
        double *v = crm__malloc_array(n, sizeof *v);
        if (!v) return crm__nomem();
        for (size_t p = 0; p < n; p++) {
            v[p] = cc->v.num[cust->row[order[p]]];
            if (v[p] == 0) v[p] = 0;
        }
        data = v;
    }
    return add_owned(res, "customer", cc->type, data, n);
}

/* The columns after the scores: rfm_cell, rfm_score (taken from *score), segment and lifecycle,
 * from the columns already in res. */
static crm_status add_labels(crm_dataset *res, size_t n, double **score, const crm_rfm_options *o)
{
    const char **txt = crm__malloc_array(n, sizeof *txt);
    char(*cells)[4] = crm__malloc_array(n, sizeof *cells);
    crm_status st = CRM_OK;
    if (!txt || !cells) {
        st = crm__nomem();
        goto done;
    }
    const double *rs = res->cols[5].v.num, *fsc = res->cols[6].v.num, *ms = res->cols[7].v.num;
    for (size_t p = 0; p < n; p++) {
        cells[p][0] = (char)('0' + (int)rs[p]);
        cells[p][1] = (char)('0' + (int)fsc[p]);
        cells[p][2] = (char)('0' + (int)ms[p]);
        cells[p][3] = '\0';
        txt[p] = cells[p];
    }
    if ((st = crm_dataset_add_text(res, "rfm_cell", txt, n))) goto done;
    st = add_owned(res, "rfm_score", CRM_TYPE_NUMBER, *score, n);
    *score = NULL;
    if (st) goto done;
    for (size_t p = 0; p < n; p++)
        txt[p] = segment_names[segment_grid[to5((int)rs[p], o->bins) - 1]
                                           [to5((int)fsc[p], o->bins) - 1]];
    if ((st = crm_dataset_add_text(res, "segment", txt, n))) goto done;
    const double *rec = res->cols[1].v.num;
    for (size_t p = 0; p < n; p++) {
        double d = rec[p];
        txt[p] = stage_names[d < (double)o->active_days     ? ACTIVE
                             : d < (double)o->inactive_days ? INACTIVE
                                                            : CHURNED];
    }
    st = crm_dataset_add_text(res, "lifecycle", txt, n);
done:
    crm__free(txt);
    crm__free(cells);
    return st;
}

/* Step 4 for crm_rfm_stats_finalize (crm_rfm runs it inline with its scratch): the scores
 * and rfm_score of out_num from its first four columns. */
crm_status crm__rfm_scores(double *const *out_num, size_t n, int32_t bins)
{
    radix rx = {{NULL, NULL}, {NULL, NULL}};
    crm_status st = n ? radix_new(&rx, n) : CRM_OK;
    if (!st && n) {
        scores(out_num[REC], -1.0, n, bins, &rx, out_num[RS]);
        scores(out_num[FREQ], 1.0, n, bins, &rx, out_num[FS]);
        scores(out_num[MON], 1.0, n, bins, &rx, out_num[MS]);
        for (size_t p = 0; p < n; p++)
            out_num[SCORE][p] = out_num[RS][p] + out_num[FS][p] + out_num[MS][p];
    }
    radix_free(&rx);
    return st;
}

/* Step 5: the table: customer, the number columns (taken from out_num), then the labels. */
static crm_status emit_table(const rfm_input *in, const dense *cust, const size_t *order,
                             size_t n, double **out_num, const crm_rfm_options *o,
                             crm_dataset **out)
{
    crm_dataset *res = NULL;
    crm_status st = crm_dataset_new(&res);
    if (!st) st = add_customers(res, in->cust, cust, order, n);
    if (st) {
        crm_dataset_free(res);
        return st;
    }
    return crm__rfm_emit(res, n, out_num, o, out);
}

crm_status crm__rfm_emit(crm_dataset *res, size_t n, double **out_num, const crm_rfm_options *o,
                         crm_dataset **out)
{
    static const char *const names[SCORE] = {"recency_days", "frequency", "monetary",
                                             "tenure_days",  "r_score",   "f_score",
                                             "m_score"};
    crm_status st = CRM_OK;
    for (int k = 0; k < SCORE && !st; k++) {
        st = add_owned(res, names[k], CRM_TYPE_NUMBER, out_num[k], n);
        out_num[k] = NULL;
    }
    /* the score columns moved into res: the labels read them back from there */
    if (!st) st = add_labels(res, n, &out_num[SCORE], o);
    if (st) {
        crm_dataset_free(res);
        return st;
    }
    *out = res;
    return CRM_OK;
}

crm_status crm_rfm(const crm_dataset *tx, const crm_rfm_options *user, crm_dataset **out)
{
    if (out) *out = NULL;
    if (!tx || !out) return crm__error(CRM_E_INVALID, "crm_rfm: NULL argument");
    crm_rfm_options o;
    crm_status st = crm__options_load(&o, user, &rfm_defaults, sizeof rfm_defaults,
                                      CRM__RFM_OPTIONS_V1_SIZE, "crm_rfm_options");
    if (st || (st = check_options(&o))) return st;
    if (o.churn_days != 0) return rfm_churn(tx, &o, out);
    rfm_input in = {0};
    if ((st = check_stage_days(&o)) || (st = crm__rfm_find_input(tx, &o, &in))) return st;
    if (in.nrows == 0) return crm__error(CRM_E_INVALID, "crm_rfm: the transactions have no rows");

    /* 1. validate every row; the as_of */
    if ((st = crm__rfm_validate_rows(&in, &o))) return st;
    int64_t as_of = o.as_of;
    if (as_of == CRM_TIME_MISSING && (st = default_as_of(tx, o.date, "crm_rfm", &as_of)))
        return st;

    dense cust = {0};
    radix rx = {{NULL, NULL}, {NULL, NULL}};
    double *out_num[NNUM] = {0};
    size_t *start = NULL, *order = NULL, *pos_of = NULL;
    txrec *recs = NULL;

    /* 2. dense customer ids; the lines grouped by customer */
    if ((st = group_lines(&in, &cust, &start, &recs))) goto done;
    size_t n = cust.n;

    /* 3. customers in ascending order; per-customer figures */
    order = crm__malloc_array(n, sizeof *order);
    pos_of = crm__malloc_array(n, sizeof *pos_of);
    if (!order || !pos_of) goto nomem;
    if ((st = radix_new(&rx, n)) || (st = customer_order(in.cust, &cust, &rx, order))) goto done;
    for (size_t p = 0; p < n; p++)
        pos_of[order[p]] = p;
    for (int k = 0; k < NNUM; k++)
        if (!(out_num[k] = crm__malloc_array(n, sizeof(double)))) goto nomem;
    if ((st = figures(&in, start, recs, n, pos_of, as_of, out_num))) goto done;
    crm__free(recs);
    recs = NULL;

    /* 4. scores */
    scores(out_num[REC], -1.0, n, o.bins, &rx, out_num[RS]);
    scores(out_num[FREQ], 1.0, n, o.bins, &rx, out_num[FS]);
    scores(out_num[MON], 1.0, n, o.bins, &rx, out_num[MS]);
    for (size_t p = 0; p < n; p++)
        out_num[SCORE][p] = out_num[RS][p] + out_num[FS][p] + out_num[MS][p];

    /* 5. the table */
    st = emit_table(&in, &cust, order, n, out_num, &o, out);
    goto done;
nomem:
    st = crm__nomem();
done:
    dense_free(&cust);
    radix_free(&rx);
    for (int k = 0; k < NNUM; k++)
        crm__free(out_num[k]);
    crm__free(start);
    crm__free(order);
    crm__free(pos_of);
    crm__free(recs);
    return st;
}

crm_status crm__rfm_load_options(const crm_rfm_options *user, crm_rfm_options *o)
{
    crm_status st = crm__options_load(o, user, &rfm_defaults, sizeof rfm_defaults,
                                      CRM__RFM_OPTIONS_V1_SIZE, "crm_rfm_options");
    if (!st) st = check_options(o);
    if (!st) st = check_stage_days(o);
    return st;
}
