/* crm_rfm: per-customer recency, frequency, monetary, scores, segments and
 * lifecycle stages (definitions in include/crm/rfm.h).
 *
 * One validation pass over the rows, dense customer (and invoice) ids from
 * the text codes or a hash of the 64-bit values, a counting sort of the rows
 * by customer so that each customer's amounts are summed exactly with one
 * accumulator, then three rank sorts over the customers. */
#include "crm/rfm.h"
#include "data/dataset_internal.h"

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

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void dense_free(dense *d)
{
    crm__free(d->id);
    crm__free(d->row);
    d->id = d->row = NULL;
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
        size_t mask = nslots - 1, s = (size_t)mix64(k) & mask;
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
                size_t t = (size_t)mix64(keys[i]) & (nns - 1);
                while (ns[t])
                    t = (t + 1) & (nns - 1);
                ns[t] = i + 1;
            }
            crm__free(slots);
            slots = ns;
            nslots = nns;
            cap = ncap;
            mask = nslots - 1;
            s = (size_t)mix64(k) & mask;
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

typedef struct by_num {
    double v;
    size_t i;
} by_num;

static int cmp_by_num(const void *a, const void *b)
{
    const by_num *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

typedef struct by_time {
    int64_t v;
    size_t i;
} by_time;

static int cmp_by_time(const void *a, const void *b)
{
    const by_time *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
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
static crm_status customer_order(const crm__column *c, const dense *d, size_t *order)
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
    } else if (c->type == CRM_TYPE_TIME) {
        by_time *a = crm__malloc_array(n, sizeof *a);
        if (!a) return crm__nomem();
        for (size_t i = 0; i < n; i++) {
            a[i].v = c->v.time[d->row[i]];
            a[i].i = i;
        }
        qsort(a, n, sizeof *a, cmp_by_time);
        for (size_t i = 0; i < n; i++)
            order[i] = a[i].i;
        crm__free(a);
    } else {
        by_num *a = crm__malloc_array(n, sizeof *a);
        if (!a) return crm__nomem();
        for (size_t i = 0; i < n; i++) {
            a[i].v = c->v.num[d->row[i]];
            a[i].i = i;
        }
        qsort(a, n, sizeof *a, cmp_by_num);
        for (size_t i = 0; i < n; i++)
            order[i] = a[i].i;
        crm__free(a);
    }
    return CRM_OK;
}

/* score[p] = 1 + floor(bins * (rank - 1) / n), rank of (sign * value[p], p)
 * ascending; `tmp` holds n entries. */
static void scores(const double *value, double sign, size_t n, int32_t bins, by_num *tmp,
                   double *score)
{
    for (size_t p = 0; p < n; p++) {
        tmp[p].v = sign * value[p];
        tmp[p].i = p;
    }
    qsort(tmp, n, sizeof *tmp, cmp_by_num);
    for (size_t r = 0; r < n; r++)
        score[tmp[r].i] = (double)(1 + ((uint64_t)bins * r) / n);
}

/* ---- segments ------------------------------------------------------------------ */

static const char *const segment_grid[5][5] = {
    /* r = 1 */ {"Lost", "Lost", "At Risk", "At Risk", "Cannot Lose Them"},
    /* r = 2 */ {"Hibernating", "Hibernating", "At Risk", "At Risk", "Cannot Lose Them"},
    /* r = 3 */
    {"About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"},
    /* r = 4 */
    {"Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers",
     "Loyal Customers"},
    /* r = 5 */
    {"New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"},
};

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

/* ---- crm_rfm ----------------------------------------------------------------- */

crm_status crm_rfm(const crm_dataset *tx, const crm_rfm_options *user, crm_dataset **out)
{
    if (out) *out = NULL;
    if (!tx || !out) return crm__error(CRM_E_INVALID, "crm_rfm: NULL argument");
    crm_rfm_options o;
    crm_status st = crm__options_load(&o, user, &rfm_defaults, sizeof rfm_defaults,
                                      CRM__RFM_OPTIONS_V1_SIZE, "crm_rfm_options");
    if (st) return st;
    if (!o.customer || !o.date)
        return crm__error(CRM_E_INVALID, "crm_rfm: options customer and date are required");
    if (o.amount && (o.quantity || o.price))
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: give either amount or quantity and price, not both");
    if (!o.amount && (!o.quantity || !o.price))
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: an amount column, or both quantity and price, is required");
    if (o.bins < 1 || o.bins > 9)
        return crm__error(CRM_E_INVALID, "crm_rfm: bins must be in 1..9 (got %d)", (int)o.bins);
    if (o.active_days < 0)
        return crm__error(CRM_E_INVALID, "crm_rfm: active_days must be >= 0 (got %lld)",
                          (long long)o.active_days);
    if (o.inactive_days < o.active_days)
        return crm__error(CRM_E_INVALID,
                          "crm_rfm: inactive_days (%lld) must be >= active_days (%lld)",
                          (long long)o.inactive_days, (long long)o.active_days);

    size_t ic, id, ia = 0, iq = 0, ip = 0, ii = 0;
    if ((st = find_typed(tx, o.customer, "customer", 0, &ic)) ||
        (st = find_typed(tx, o.date, "date", CRM_TYPE_TIME, &id)))
        return st;
    if (o.amount) {
        if ((st = find_typed(tx, o.amount, "amount", CRM_TYPE_NUMBER, &ia))) return st;
    } else if ((st = find_typed(tx, o.quantity, "quantity", CRM_TYPE_NUMBER, &iq)) ||
               (st = find_typed(tx, o.price, "price", CRM_TYPE_NUMBER, &ip))) {
        return st;
    }
    if (o.invoice && (st = find_typed(tx, o.invoice, "invoice", 0, &ii))) return st;
    size_t nrows = tx->nrows;
    if (nrows == 0) return crm__error(CRM_E_INVALID, "crm_rfm: the transactions have no rows");

    const crm__column *cc = &tx->cols[ic];
    const crm__column *inv = o.invoice ? &tx->cols[ii] : NULL;
    const int64_t *date = tx->cols[id].v.time;
    int has_as_of = o.as_of != CRM_TIME_MISSING;

    dense cust = {0}, dinv = {0};
    double *amt = NULL;
    double *out_num[8] = {0};
    size_t *start = NULL, *order = NULL, *mark = NULL;
    int64_t *first = NULL, *last = NULL;
    double *gamt = NULL;
    size_t *ginv = NULL;
    by_num *tmp = NULL;
    crm_dataset *res = NULL;
    const char **txt = NULL;
    char(*cells)[4] = NULL;

    /* 1. validate every row and compute the amounts */
    amt = crm__malloc_array(nrows, sizeof *amt);
    if (!amt) return crm__nomem();
    {
        const double *a = o.amount ? tx->cols[ia].v.num : NULL;
        const double *q = o.amount ? NULL : tx->cols[iq].v.num;
        const double *p = o.amount ? NULL : tx->cols[ip].v.num;
        for (size_t r = 0; r < nrows; r++) {
            if (crm__cell_missing(cc, r)) {
                st = missing_error("customer", o.customer, r);
                goto fail;
            }
            if (date[r] == CRM_TIME_MISSING) {
                st = missing_error("date", o.date, r);
                goto fail;
            }
            if (has_as_of && date[r] > o.as_of) {
                char b1[32], b2[32];
                crm__format_time(date[r], 0, b1);
                crm__format_time(o.as_of, 0, b2);
                st = crm__error(CRM_E_INVALID,
                                "crm_rfm: date column \"%s\", row %zu: %s is after as_of %s",
                                o.date, r, b1, b2);
                goto fail;
            }
            if (inv && crm__cell_missing(inv, r)) {
                st = missing_error("invoice", o.invoice, r);
                goto fail;
            }
            double v;
            if (a) {
                v = a[r];
                if (isnan(v)) {
                    st = missing_error("amount", o.amount, r);
                    goto fail;
                }
            } else {
                if (isnan(q[r])) {
                    st = missing_error("quantity", o.quantity, r);
                    goto fail;
                }
                if (isnan(p[r])) {
                    st = missing_error("price", o.price, r);
                    goto fail;
                }
                v = q[r] * p[r];
            }
            if (!(v > 0) || isinf(v)) {
                if (a)
                    st = crm__error(CRM_E_INVALID,
                                    "crm_rfm: amount column \"%s\", row %zu: amount %.17g is not "
                                    "a finite number > 0 (filter such rows first)",
                                    o.amount, r, v);
                else
                    st = crm__error(CRM_E_INVALID,
                                    "crm_rfm: row %zu: quantity \"%s\" %.17g * price \"%s\" %.17g "
                                    "= %.17g is not a finite number > 0 (filter such rows first)",
                                    r, o.quantity, q[r], o.price, p[r], v);
                goto fail;
            }
            amt[r] = v;
        }
    }

    /* 2. dense customer ids; first/last purchase; counting sort by customer */
    if ((st = dense_build(cc, nrows, &cust))) goto fail;
    size_t n = cust.n;
    first = crm__malloc_array(n, sizeof *first);
    last = crm__malloc_array(n, sizeof *last);
    start = crm__calloc(n + 1, sizeof *start);
    gamt = crm__malloc_array(nrows, sizeof *gamt);
    if (!first || !last || !start || !gamt) goto nomem;
    for (size_t c = 0; c < n; c++) {
        first[c] = INT64_MAX;
        last[c] = INT64_MIN;
    }
    int64_t tmax = INT64_MIN;
    for (size_t r = 0; r < nrows; r++) {
        size_t c = cust.id[r];
        int64_t t = date[r];
        if (t < first[c]) first[c] = t;
        if (t > last[c]) last[c] = t;
        if (t > tmax) tmax = t;
        start[c + 1]++;
    }
    for (size_t c = 0; c < n; c++)
        start[c + 1] += start[c];
    if (inv) {
        if ((st = dense_build(inv, nrows, &dinv))) goto fail;
        ginv = crm__malloc_array(nrows, sizeof *ginv);
        mark = crm__malloc_array(dinv.n, sizeof *mark);
        if (!ginv || !mark) goto nomem;
        for (size_t k = 0; k < dinv.n; k++)
            mark[k] = SIZE_MAX;
    }
    {
        /* fill: start[c] walks forward, then is restored by shifting */
        for (size_t r = 0; r < nrows; r++) {
            size_t c = cust.id[r], at = start[c]++;
            gamt[at] = amt[r];
            if (inv) ginv[at] = dinv.id[r];
        }
        for (size_t c = n; c > 0; c--)
            start[c] = start[c - 1];
        start[0] = 0;
    }
    crm__free(amt);
    amt = NULL;

    /* as_of */
    int64_t as_of = o.as_of;
    if (!has_as_of) {
        int64_t day = tmax >= 0 ? tmax / DAY : -((-(tmax + 1)) / DAY) - 1;
        if (day >= INT64_MAX / DAY) {
            st = crm__error(CRM_E_INVALID, "crm_rfm: date column \"%s\": last date out of range",
                            o.date);
            goto fail;
        }
        as_of = (day + 1) * DAY;
    }

    /* 3. customers in ascending order; per-customer figures */
    order = crm__malloc_array(n, sizeof *order);
    if (!order) goto nomem;
    if ((st = customer_order(cc, &cust, order))) goto fail;
    enum { REC, FREQ, MON, TEN, RS, FS, MS, SCORE };
    for (int k = 0; k < 8; k++) {
        out_num[k] = crm__malloc_array(n, sizeof(double));
        if (!out_num[k]) goto nomem;
    }
    for (size_t p = 0; p < n; p++) {
        size_t c = order[p];
        crm__fsum fs;
        crm__fsum_init(&fs);
        size_t cnt = 0;
        for (size_t j = start[c]; j < start[c + 1]; j++) {
            crm__fsum_add(&fs, gamt[j]);
            if (inv && mark[ginv[j]] != c) {
                mark[ginv[j]] = c;
                cnt++;
            }
        }
        out_num[MON][p] = crm__fsum_result(&fs);
        out_num[FREQ][p] = (double)(inv ? cnt : start[c + 1] - start[c]);
        /* as_of >= every date: the differences are non-negative and fit in uint64 */
        out_num[REC][p] = (double)(((uint64_t)as_of - (uint64_t)last[c]) / DAY);
        out_num[TEN][p] = (double)(((uint64_t)as_of - (uint64_t)first[c]) / DAY);
    }

    /* 4. scores */
    tmp = crm__malloc_array(n, sizeof *tmp);
    txt = crm__malloc_array(n, sizeof *txt);
    cells = crm__malloc_array(n, sizeof *cells);
    if (!tmp || !txt || !cells) goto nomem;
    scores(out_num[REC], -1.0, n, o.bins, tmp, out_num[RS]);
    scores(out_num[FREQ], 1.0, n, o.bins, tmp, out_num[FS]);
    scores(out_num[MON], 1.0, n, o.bins, tmp, out_num[MS]);
    for (size_t p = 0; p < n; p++)
        out_num[SCORE][p] = out_num[RS][p] + out_num[FS][p] + out_num[MS][p];

    /* 5. the table */
    if ((st = crm_dataset_new(&res))) goto fail;
    {
        void *data;
        if (cc->type == CRM_TYPE_TEXT) {
            int32_t *code = crm__malloc_array(n, sizeof *code);
            if (!code) goto nomem;
            for (size_t p = 0; p < n; p++)
                code[p] = cc->v.code[cust.row[order[p]]];
            st = crm__dataset_add_owned(res, "customer", CRM_TYPE_TEXT, code,
                                        crm__dict_retain(cc->dict), n);
            if (st) {
                crm__dict_release(cc->dict);
                crm__free(code);
                goto fail;
            }
        } else {
            if (cc->type == CRM_TYPE_TIME) {
                int64_t *v = crm__malloc_array(n, sizeof *v);
                if (!v) goto nomem;
                for (size_t p = 0; p < n; p++)
                    v[p] = cc->v.time[cust.row[order[p]]];
                data = v;
            } else {
                double *v = crm__malloc_array(n, sizeof *v);
                if (!v) goto nomem;
                for (size_t p = 0; p < n; p++) {
                    v[p] = cc->v.num[cust.row[order[p]]];
                    if (v[p] == 0) v[p] = 0;
                }
                data = v;
            }
            if ((st = add_owned(res, "customer", cc->type, data, n))) goto fail;
        }
    }
    static const char *const names[4] = {"recency_days", "frequency", "monetary", "tenure_days"};
    static const char *const snames[3] = {"r_score", "f_score", "m_score"};
    for (int k = 0; k < 7; k++) {
        st = add_owned(res, k < 4 ? names[k] : snames[k - 4], CRM_TYPE_NUMBER, out_num[k], n);
        out_num[k] = NULL;
        if (st) goto fail;
    }
    /* the score columns moved into res: read them back from there */
    {
        const double *rs = res->cols[5].v.num, *fsc = res->cols[6].v.num, *ms = res->cols[7].v.num;
        for (size_t p = 0; p < n; p++) {
            cells[p][0] = (char)('0' + (int)rs[p]);
            cells[p][1] = (char)('0' + (int)fsc[p]);
            cells[p][2] = (char)('0' + (int)ms[p]);
            cells[p][3] = '\0';
            txt[p] = cells[p];
        }
        if ((st = crm_dataset_add_text(res, "rfm_cell", txt, n))) goto fail;
        st = add_owned(res, "rfm_score", CRM_TYPE_NUMBER, out_num[SCORE], n);
        out_num[SCORE] = NULL;
        if (st) goto fail;
        for (size_t p = 0; p < n; p++)
            txt[p] = segment_grid[to5((int)rs[p], o.bins) - 1][to5((int)fsc[p], o.bins) - 1];
        if ((st = crm_dataset_add_text(res, "segment", txt, n))) goto fail;
        const double *rec = res->cols[1].v.num;
        for (size_t p = 0; p < n; p++) {
            double d = rec[p];
            txt[p] = d < (double)o.active_days     ? "active"
                     : d < (double)o.inactive_days ? "inactive"
                                                   : "churned";
        }
        if ((st = crm_dataset_add_text(res, "lifecycle", txt, n))) goto fail;
    }
    *out = res;
    res = NULL;
    st = CRM_OK;
    goto done;
nomem:
    st = crm__nomem();
fail:
    crm_dataset_free(res);
    res = NULL;
done:
    crm__free(amt);
    dense_free(&cust);
    dense_free(&dinv);
    for (int k = 0; k < 8; k++)
        crm__free(out_num[k]);
    crm__free(start);
    crm__free(order);
    crm__free(mark);
    crm__free(first);
    crm__free(last);
    crm__free(gamt);
    crm__free(ginv);
    crm__free(tmp);
    crm__free(txt);
    crm__free(cells);
    return st;
}
