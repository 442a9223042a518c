/* crm_clv_summary: the per-customer frequency / recency / T / monetary table
 * (and holdout columns) from transaction lines (definitions in
 * include/crm/clv.h). The rows are keyed by (customer order key, period) and
 * sorted; one walk over the sorted rows fills the table. */
#include "clv/clv_internal.h"
#include "core/dataset_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CRM__CLV_SUMMARY_V1_SIZE                                                                   \
    (offsetof(crm_clv_summary_options, observation_end) + sizeof(int64_t))
#define DAY 86400

static const crm_clv_summary_options summary_defaults = {
    sizeof(crm_clv_summary_options), /* size */
    NULL,                            /* customer */
    NULL,                            /* date */
    NULL,                            /* amount */
    CRM_CLV_DAY,                     /* period */
    CRM_TIME_MISSING,                /* calibration_end */
    CRM_TIME_MISSING,                /* observation_end */
};

crm_status crm_clv_summary_options_init(crm_clv_summary_options *opts, size_t size)
{
    return crm__options_init(opts, size, &summary_defaults, sizeof summary_defaults,
                             CRM__CLV_SUMMARY_V1_SIZE, "crm_clv_summary_options");
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Period index of a time: UTC day, or week from Monday (1970-01-01 was a Thursday). */
static int64_t period_of(int64_t t, int32_t period)
{
    int64_t day = floor_div(t, DAY);
    return period == CRM_CLV_WEEK ? floor_div(day + 3, 7) : day;
}

typedef struct txrow {
    uint64_t key; /* customer order key */
    int64_t per;  /* period */
    double amt;
    size_t row;
} txrow;

static int cmp_txrow(const void *pa, const void *pb)
{
    const txrow *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->per != b->per) return a->per < b->per ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

static int cmp_str(const void *pa, const void *pb)
{
    const char *const *a = pa, *const *b = pb;
    return strcmp(*a, *b);
}

/* Order keys of a text column's codes: the rank of each string in byte order. */
static crm_status text_ranks(const crm__column *c, uint64_t **out)
{
    size_t nd = c->dict->n;
    const char **s = crm__malloc_array(nd ? nd : 1, sizeof *s);
    uint64_t *rank = crm__malloc_array(nd ? nd : 1, sizeof *rank);
    if (!s || !rank) {
        crm__free(s);
        crm__free(rank);
        return crm__nomem();
    }
    for (size_t i = 0; i < nd; i++)
        s[i] = crm__dict_str(c->dict, (int32_t)i);
    qsort(s, nd, sizeof *s, cmp_str);
    for (size_t i = 0; i < nd; i++)
        rank[crm__dict_find(c->dict, s[i], strlen(s[i]))] = i;
    crm__free(s);
    *out = rank;
    return CRM_OK;
}

static uint64_t order_key(const crm__column *c, size_t r, const uint64_t *rank)
{
    if (c->type == CRM_TYPE_TEXT) return rank[c->v.code[r]];
    if (c->type == CRM_TYPE_TIME) return (uint64_t)c->v.time[r] ^ (UINT64_C(1) << 63);
    double v = c->v.num[r];
    uint64_t b;
    if (v == 0) v = 0;
    memcpy(&b, &v, sizeof b);
    return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

typedef struct sum_input {
    const crm__column *cust, *date, *amt;
    size_t n;
    int64_t cal, obs; /* periods */
    int holdout;
} sum_input;

static crm_status find_col(const crm_dataset *tx, const char *name, const char *what, int type,
                           const crm__column **out)
{
    if (!name) return crm__error(CRM_E_INVALID, "crm_clv_summary: %s is not set", what);
    size_t idx;
    crm_status st = crm__dataset_find(tx, name, &idx);
    if (st) return st;
    const crm__column *c = &tx->cols[idx];
    if (type && c->type != type)
        return crm__error(CRM_E_TYPE, "crm_clv_summary: %s column \"%s\" is %s, not %s", what,
                          name, crm__type_name(c->type), crm__type_name(type));
    *out = c;
    return CRM_OK;
}

static crm_status read_input(const crm_dataset *tx, const crm_clv_summary_options *o,
                             sum_input *in)
{
    crm_status st = find_col(tx, o->customer, "customer", 0, &in->cust);
    if (!st) st = find_col(tx, o->date, "date", CRM_TYPE_TIME, &in->date);
    if (!st) st = find_col(tx, o->amount, "amount", CRM_TYPE_NUMBER, &in->amt);
    if (st) return st;
    in->n = tx->nrows;
    int64_t last = INT64_MIN;
    for (size_t r = 0; r < in->n; r++) {
        const char *bad = crm__cell_missing(in->cust, r)            ? o->customer
                          : in->date->v.time[r] == CRM_TIME_MISSING ? o->date
                          : !isfinite(in->amt->v.num[r])             ? o->amount
                                                                     : NULL;
        if (bad)
            return crm__error(CRM_E_INVALID,
                              "crm_clv_summary: column \"%s\", row %zu: missing or not finite "
                              "value (filter such rows first)",
                              bad, r);
        if (in->date->v.time[r] > last) last = in->date->v.time[r];
    }
    int64_t cal = o->calibration_end == CRM_TIME_MISSING ? last : o->calibration_end;
    int64_t obs = o->observation_end == CRM_TIME_MISSING ? last : o->observation_end;
    if (obs < cal)
        return crm__error(CRM_E_INVALID,
                          "crm_clv_summary: observation_end is before calibration_end");
    in->cal = period_of(cal, o->period);
    in->obs = period_of(obs, o->period);
    in->holdout = o->calibration_end != CRM_TIME_MISSING;
    return CRM_OK;
}

/* Sorted (customer, period) rows up to the observation end. */
static crm_status sorted_rows(const sum_input *in, int32_t period, txrow **out, size_t *nout)
{
    uint64_t *rank = NULL;
    if (in->cust->type == CRM_TYPE_TEXT) {
        crm_status st = text_ranks(in->cust, &rank);
        if (st) return st;
    }
    txrow *rows = crm__malloc_array(in->n, sizeof *rows);
    if (!rows) {
        crm__free(rank);
        return crm__nomem();
    }
    size_t k = 0;
    for (size_t r = 0; r < in->n; r++) {
        int64_t p = period_of(in->date->v.time[r], period);
        if (p > in->obs) continue;
        rows[k].key = order_key(in->cust, r, rank);
        rows[k].per = p;
        rows[k].amt = in->amt->v.num[r];
        rows[k].row = r;
        k++;
    }
    crm__free(rank);
    qsort(rows, k, sizeof *rows, cmp_txrow);
    *out = rows;
    *nout = k;
    return CRM_OK;
}

/* Output columns: frequency, recency, T, monetary, frequency_holdout,
 * monetary_holdout, duration_holdout; first row of each customer. */
typedef struct sum_out {
    double *v[7];
    size_t *first;
    size_t n;
} sum_out;

/* One customer's sorted rows [lo, hi) into output row j. Returns 0 when the
 * customer has no purchase in the calibration window (skipped). */
static int one_customer(const sum_input *in, const txrow *rows, size_t lo, size_t hi, sum_out *o,
                        size_t j)
{
    int64_t f = rows[lo].per;
    if (f > in->cal) return 0;
    double nper = 0, rep = 0, hsum = 0, hper = 0, cur = 0;
    int64_t last = f;
    for (size_t i = lo; i < hi;) {
        int64_t p = rows[i].per;
        cur = 0;
        for (; i < hi && rows[i].per == p; i++)
            cur += rows[i].amt;
        if (p <= in->cal) {
            if (nper > 0) rep += cur;
            nper += 1;
            last = p;
        } else {
            hper += 1;
            hsum += cur;
        }
    }
    double x = nper - 1;
    o->v[0][j] = x;
    o->v[1][j] = (double)(last - f);
    o->v[2][j] = (double)(in->cal - f);
    o->v[3][j] = x > 0 ? rep / x : 0;
    o->v[4][j] = hper;
    o->v[5][j] = hper > 0 ? hsum / hper : 0;
    o->v[6][j] = (double)(in->obs - in->cal);
    o->first[j] = rows[lo].row;
    return 1;
}

static crm_status add_customer_col(crm_dataset *res, const crm__column *cc, const size_t *first,
                                   size_t n)
{
    if (cc->type == CRM_TYPE_TEXT) {
        int32_t *code = crm__malloc_array(n ? n : 1, sizeof *code);
        if (!code) return crm__nomem();
        for (size_t p = 0; p < n; p++)
            code[p] = cc->v.code[first[p]];
        crm_status st = crm__dataset_add_owned(res, "customer", CRM_TYPE_TEXT, code,
                                               crm__dict_retain(cc->dict), n);
        if (st) {
            crm__dict_release(cc->dict);
            crm__free(code);
        }
        return st;
    }
    void *data;
    if (cc->type == CRM_TYPE_TIME) {
        int64_t *v = crm__malloc_array(n ? n : 1, sizeof *v);
        if (!v) return crm__nomem();
        for (size_t p = 0; p < n; p++)
            v[p] = cc->v.time[first[p]];
        data = v;
    } else {
        double *v = crm__malloc_array(n ? n : 1, sizeof *v);
        if (!v) return crm__nomem();
        for (size_t p = 0; p < n; p++)
            v[p] = cc->v.num[first[p]] == 0 ? 0 : cc->v.num[first[p]];
        data = v;
    }
    crm_status st = crm__dataset_add_owned(res, "customer", cc->type, data, NULL, n);
    if (st) crm__free(data);
    return st;
}

static const char *const out_names[7] = {"frequency",        "recency",          "T",
                                         "monetary",         "frequency_holdout", "monetary_holdout",
                                         "duration_holdout"};

static crm_status build_table(const sum_input *in, sum_out *o, crm_dataset **out)
{
    crm_dataset *res = NULL;
    crm_status st = crm_dataset_new(&res);
    if (!st) st = add_customer_col(res, in->cust, o->first, o->n);
    int ncols = in->holdout ? 7 : 4;
    for (int j = 0; !st && j < ncols; j++) {
        st = crm__dataset_add_owned(res, out_names[j], CRM_TYPE_NUMBER, o->v[j], NULL, o->n);
        if (!st) o->v[j] = NULL;
    }
    if (st) {
        crm_dataset_free(res);
        return st;
    }
    *out = res;
    return CRM_OK;
}

crm_status crm_clv_summary(const crm_dataset *tx, const crm_clv_summary_options *user,
                           crm_dataset **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_clv_summary: out is NULL");
    *out = NULL;
    if (!tx) return crm__error(CRM_E_INVALID, "crm_clv_summary: tx is NULL");
    crm_clv_summary_options o;
    crm_status st = crm__options_load(&o, user, &summary_defaults, sizeof o,
                                      CRM__CLV_SUMMARY_V1_SIZE, "crm_clv_summary_options");
    if (st) return st;
    if (o.period != CRM_CLV_DAY && o.period != CRM_CLV_WEEK)
        return crm__error(CRM_E_INVALID, "crm_clv_summary: unknown period %d", (int)o.period);
    if (tx->nrows == 0) return crm__error(CRM_E_INVALID, "crm_clv_summary: no rows");
    sum_input in;
    memset(&in, 0, sizeof in); /* read_input fills it; zero for the compiler's flow analysis */
    if ((st = read_input(tx, &o, &in))) return st;
    txrow *rows = NULL;
    size_t nr = 0;
    if ((st = sorted_rows(&in, o.period, &rows, &nr))) return st;
    size_t ncust = 0;
    for (size_t i = 0; i < nr; i++)
        ncust += i == 0 || rows[i].key != rows[i - 1].key;
    sum_out so;
    memset(&so, 0, sizeof so);
    size_t m = ncust ? ncust : 1;
    for (int j = 0; j < 7; j++)
        if (!(so.v[j] = crm__malloc_array(m, sizeof(double)))) st = crm__nomem();
    if (!(so.first = crm__malloc_array(m, sizeof *so.first))) st = crm__nomem();
    for (size_t lo = 0; !st && lo < nr;) {
        size_t hi = lo + 1;
        while (hi < nr && rows[hi].key == rows[lo].key)
            hi++;
        so.n += (size_t)one_customer(&in, rows, lo, hi, &so, so.n);
        lo = hi;
    }
    if (!st && so.n == 0)
        st = crm__error(CRM_E_INVALID, "crm_clv_summary: no purchase up to the calibration end");
    if (!st) st = build_table(&in, &so, out);
    for (int j = 0; j < 7; j++)
        crm__free(so.v[j]);
    crm__free(so.first);
    crm__free(rows);
    return st;
}
