/* Public ARIMA API: options, fits on values and on datasets (calendar
 * aggregation), forecasts, many series in parallel, and the model kind
 * (summary, statistics, JSON). See crm/arima.h. */
#include "core/par.h"
#include "core/model_internal.h"
#include "core/dataset_internal.h"
#include "arima/arima_internal.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_HORIZON 100000
#define MAX_PERIOD 1000
#define MAX_STATE 2500

static const crm_arima_options ar_defaults = {
    sizeof(crm_arima_options),
    0, 0, 0,    /* p d q */
    0, 0, 0,    /* sp sd sq */
    0,          /* period */
    1, 0,       /* include_mean, include_drift */
    CRM_ARIMA_CSS_ML,
    0,          /* auto_order */
    5, 5, 2, 2, /* max_p max_q max_sp max_sq */
    2, 1,       /* max_d max_sd */
    1, 5,       /* stepwise, max_order */
    -1, -1,     /* auto_d auto_sd */
    -1,         /* approximation */
    CRM_ARIMA_AICC,
    1,          /* transform */
    100,        /* max_iter */
    1.4901161193847656e-08,
    1e6,
    NULL, 0,
    CRM_ARIMA_MONTH,
    1,          /* aggregate */
    0,          /* allow_missing */
    0,          /* n_threads */
    NULL, NULL,
};

crm_status crm_arima_options_init(crm_arima_options *opts, size_t size)
{
    return crm__options_init(opts, size, &ar_defaults, sizeof ar_defaults, sizeof ar_defaults,
                             "crm_arima_options");
}

/* ---- model state ------------------------------------------------------------- */

typedef struct ar_model {
    crm__arima_spec spec; /* spec.fixed is NULL */
    crm__arima_result res;
    int auto_sel;
    int models_tried;
    int freq;          /* 0 = plain values */
    int64_t start_idx; /* period index of the first observation */
} ar_model;

static void ar_free_state(void *sp)
{
    ar_model *m = sp;
    if (!m) return;
    crm__arima_result_free(&m->res);
    crm__free(m);
}

/* ---- calendar periods ---------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Index of the period holding time t (seconds). */
static int64_t period_index(int freq, int64_t t)
{
    int64_t days = floor_div(t, 86400);
    if (freq == CRM_ARIMA_DAY) return days;
    if (freq == CRM_ARIMA_WEEK) return floor_div(days + 3, 7); /* 1969-12-29 was a Monday */
    int64_t y, mo, d;
    crm__civil_from_days(days, &y, &mo, &d);
    if (freq == CRM_ARIMA_MONTH) return y * 12 + (mo - 1);
    if (freq == CRM_ARIMA_QUARTER) return y * 4 + (mo - 1) / 3;
    return y;
}

/* First second of period idx. */
static int64_t period_start(int freq, int64_t idx)
{
    if (freq == CRM_ARIMA_DAY) return idx * 86400;
    if (freq == CRM_ARIMA_WEEK) return (idx * 7 - 3) * 86400;
    if (freq == CRM_ARIMA_MONTH)
        return crm__days_from_civil(floor_div(idx, 12), idx - floor_div(idx, 12) * 12 + 1, 1) *
               86400;
    if (freq == CRM_ARIMA_QUARTER)
        return crm__days_from_civil(floor_div(idx, 4), (idx - floor_div(idx, 4) * 4) * 3 + 1, 1) *
               86400;
    return crm__days_from_civil(idx, 1, 1) * 86400;
}

static const char *freq_name(int freq)
{
    static const char *const names[] = {"values", "day", "week", "month", "quarter", "year"};
    return freq >= 0 && freq <= 5 ? names[freq] : "?";
}

static int freq_season(int freq)
{
    static const int s[] = {1, 7, 52, 12, 4, 1};
    return s[freq];
}

/* ---- options -> spec ------------------------------------------------------------- */

static crm_status load_options(const crm_arima_options *user, crm_arima_options *o,
                               const char *what)
{
    crm_status st = crm__options_load(o, user, &ar_defaults, sizeof ar_defaults,
                                      sizeof ar_defaults, "crm_arima_options");
    if (st != CRM_OK) return st;
#define RANGE(field, lo, hi)                                                                       \
    if (o->field < (lo) || o->field > (hi))                                                        \
        return crm__error(CRM_E_INVALID, "%s: %s must be in %d..%d (got %d)", what, #field, lo,   \
                          hi, (int)o->field);
    RANGE(p, 0, 100)
    RANGE(d, 0, 3)
    RANGE(q, 0, 100)
    RANGE(sp, 0, 100)
    RANGE(sd, 0, 2)
    RANGE(sq, 0, 100)
    RANGE(period, 0, MAX_PERIOD)
    RANGE(include_mean, 0, 1)
    RANGE(include_drift, 0, 1)
    RANGE(method, 0, 2)
    RANGE(auto_order, 0, 1)
    RANGE(max_p, 0, 100)
    RANGE(max_q, 0, 100)
    RANGE(max_sp, 0, 100)
    RANGE(max_sq, 0, 100)
    RANGE(max_d, 0, 3)
    RANGE(max_sd, 0, 2)
    RANGE(stepwise, 0, 1)
    RANGE(max_order, 0, 400)
    RANGE(auto_d, -1, 3)
    RANGE(auto_sd, -1, 2)
    RANGE(approximation, -1, 1)
    RANGE(ic, 0, 2)
    RANGE(transform, 0, 1)
    RANGE(max_iter, 0, 1000000)
    RANGE(freq, 1, 5)
    RANGE(aggregate, 0, 1)
    RANGE(allow_missing, 0, 1)
    RANGE(n_threads, 0, 4096)
#undef RANGE
    if (!(o->reltol > 0) || !isfinite(o->reltol))
        return crm__error(CRM_E_INVALID, "%s: reltol must be positive and finite (got %g)", what,
                          o->reltol);
    if (!(o->kappa > 0) || !isfinite(o->kappa))
        return crm__error(CRM_E_INVALID, "%s: kappa must be positive and finite (got %g)", what,
                          o->kappa);
    if (o->n_fixed < 0 || (o->n_fixed > 0 && !o->fixed))
        return crm__error(CRM_E_INVALID, "%s: fixed is NULL but n_fixed is %lld", what,
                          (long long)o->n_fixed);
    return CRM_OK;
}

/* Fixed-order spec from options; s = season length. */
static crm_status make_spec(const crm_arima_options *o, int s, const char *what,
                            crm__arima_spec *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->p = o->p;
    sp->d = o->d;
    sp->q = o->q;
    sp->P = o->sp;
    sp->D = o->sd;
    sp->Q = o->sq;
    sp->s = s;
    sp->method = o->method;
    sp->transform = o->transform;
    sp->kappa = o->kappa;
    sp->maxit = o->max_iter;
    sp->reltol = o->reltol;
    sp->want_hessian = 1;
    sp->want_resid = 1;
    if (s == 1 && (sp->P || sp->D || sp->Q))
        return crm__error(CRM_E_INVALID,
                          "%s: seasonal terms (sp=%d, sd=%d, sq=%d) need a period > 1 (period is "
                          "1)",
                          what, sp->P, sp->D, sp->Q);
    if (s == 1) sp->P = sp->D = sp->Q = 0;
    int nd = sp->d + s * sp->D;
    long rp = sp->p + (long)s * sp->P, rq = sp->q + (long)s * sp->Q;
    long r = rp > rq + 1 ? rp : rq + 1;
    if (r + nd > MAX_STATE)
        return crm__error(CRM_E_INVALID,
                          "%s: ARIMA(%d,%d,%d)(%d,%d,%d)[%d] needs a state of %ld values (at most "
                          "%d)",
                          what, sp->p, sp->d, sp->q, sp->P, sp->D, sp->Q, s, r + nd, MAX_STATE);
    if (o->include_drift && sp->d + sp->D != 1)
        return crm__error(CRM_E_INVALID,
                          "%s: include_drift needs d + sd = 1 (got d = %d, sd = %d)", what, sp->d,
                          sp->D);
    if (o->include_drift)
        sp->xreg = CRM__XREG_DRIFT;
    else if (o->include_mean && sp->d + sp->D == 0)
        sp->xreg = CRM__XREG_MEAN;
    int npar = sp->p + sp->q + sp->P + sp->Q + (sp->xreg != CRM__XREG_NONE);
    if (o->fixed) {
        if (o->n_fixed != npar)
            return crm__error(CRM_E_INVALID,
                              "%s: fixed has %lld values but the model has %d coefficients", what,
                              (long long)o->n_fixed, npar);
        for (int i = 0; i < npar; i++)
            if (isinf(o->fixed[i]))
                return crm__error(CRM_E_INVALID, "%s: fixed[%d] is infinite", what, i);
        sp->fixed = o->fixed;
    }
    return CRM_OK;
}

static void auto_opts(const crm_arima_options *o, crm__auto_opts *ao)
{
    ao->max_p = o->max_p;
    ao->max_q = o->max_q;
    ao->max_P = o->max_sp;
    ao->max_Q = o->max_sq;
    ao->max_d = o->max_d;
    ao->max_D = o->max_sd;
    ao->max_order = o->max_order;
    ao->start_p = 2;
    ao->start_q = 2;
    ao->start_P = 1;
    ao->start_Q = 1;
    ao->d = o->auto_d;
    ao->D = o->auto_sd;
    ao->stepwise = o->stepwise;
    ao->approximation = o->approximation;
    ao->allow_mean = 1;
    ao->allow_drift = 1;
    ao->method = -1;
    ao->nmodels = 94;
    ao->ic = o->ic;
}

static int is_constant_obs(const double *y, size_t n)
{
    double first = NAN, sad = 0.0, sa = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i])) continue;
        if (isnan(first)) first = y[i];
        sad += fabs(y[i] - first);
        sa += fabs(y[i]);
        m++;
    }
    if (m == 0) return 1;
    /* R's all.equal(x, rep(x[1])) with tolerance 1.5e-8 */
    double xy = sad / (double)m, xn = sa / (double)m;
    if (isfinite(xn) && xn > 1.5e-8) xy /= xn;
    return !(xy > 1.5e-8);
}

/* Fit values with loaded options (season s). On success *out is a new model. */
static crm_status fit_values(const double *y, size_t n, const crm_arima_options *o, int s,
                             const char *what, ar_model **out)
{
    *out = NULL;
    if (n > (size_t)INT32_MAX / 4)
        return crm__error(CRM_E_INVALID, "%s: series too long (%zu values)", what, n);
    size_t nobs = 0;
    for (size_t i = 0; i < n; i++) {
        if (isinf(y[i]))
            return crm__error(CRM_E_INVALID, "%s: value %zu is infinite", what, i);
        if (isnan(y[i])) {
            if (!o->allow_missing)
                return crm__error(CRM_E_INVALID,
                                  "%s: value %zu is missing (NaN); set allow_missing to treat "
                                  "missing values as gaps",
                                  what, i);
            if (o->method == CRM_ARIMA_CSS)
                return crm__error(CRM_E_INVALID,
                                  "%s: value %zu is missing (NaN); method CSS cannot skip "
                                  "missing values (use ML)",
                                  what, i);
        } else
            nobs++;
    }
    if (nobs == 0) return crm__error(CRM_E_INVALID, "%s: no observed values", what);
    ar_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    crm_status st;
    if (o->auto_order) {
        crm__auto_opts ao;
        auto_opts(o, &ao);
        crm__arima_spec base;
        crm_arima_options o2 = *o;
        o2.p = o2.d = o2.q = o2.sp = o2.sd = o2.sq = 0;
        o2.include_drift = 0;
        o2.fixed = NULL;
        o2.n_fixed = 0;
        st = make_spec(&o2, 1, what, &base);
        if (st == CRM_OK)
            st = crm__arima_auto(y, (int)n, s, &ao, &base, &m->spec, &m->res, &m->models_tried);
        m->auto_sel = 1;
    } else {
        st = make_spec(o, s, what, &m->spec);
        if (st == CRM_OK) {
            const crm__arima_spec *sp = &m->spec;
            int nfree = 0, npar = sp->p + sp->q + sp->P + sp->Q + (sp->xreg != CRM__XREG_NONE);
            for (int i = 0; i < npar; i++)
                nfree += !sp->fixed || isnan(sp->fixed[i]);
            int nd = sp->d + s * sp->D;
            size_t need = (size_t)nd + (size_t)nfree + 1;
            if (sp->method != CRM_ARIMA_ML) {
                size_t nc = (size_t)nd + (size_t)sp->p + (size_t)s * sp->P + 1;
                if (nc > need) need = nc;
            }
            if (nobs < need)
                st = crm__error(CRM_E_INVALID,
                                "%s: ARIMA(%d,%d,%d)(%d,%d,%d)[%d] needs at least %zu observations "
                                "(got %zu)",
                                what, sp->p, sp->d, sp->q, sp->P, sp->D, sp->Q, s, need, nobs);
            else if (is_constant_obs(y, n) && (nfree > 0))
                st = crm__error(CRM_E_INVALID,
                                "%s: the series is constant: nothing to estimate (auto_order fits "
                                "its mean)",
                                what);
            else
                st = crm__arima_fit_series(y, (int)n, sp, &m->res);
        }
        m->models_tried = 1;
    }
    m->spec.fixed = NULL;
    if (st != CRM_OK) {
        crm__arima_result_free(&m->res);
        crm__free(m);
        return st;
    }
    *out = m;
    return CRM_OK;
}

crm_status crm_arima_fit(const double *y, size_t n, const crm_arima_options *opts,
                         crm_model **out)
{
    const char *what = "crm_arima_fit";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", what);
    *out = NULL;
    if (!y && n) return crm__error(CRM_E_INVALID, "%s: y is NULL", what);
    if (n == 0) return crm__error(CRM_E_INVALID, "%s: the series is empty", what);
    crm_arima_options o;
    crm_status st = load_options(opts, &o, what);
    if (st != CRM_OK) return st;
    int s = o.period ? o.period : 1;
    ar_model *m = NULL;
    st = fit_values(y, n, &o, s, what, &m);
    if (st != CRM_OK) return st;
    return crm__model_new(&crm__arima_vtable, m, out);
}

/* ---- datasets -------------------------------------------------------------------- */

/* Series of rows[0..nr) (all rows when rows is NULL) aggregated per period.
 * *y (crm__malloc) gets the values, *start the first period index. */
static crm_status aggregate(const crm__column *tc, const crm__column *vc, const size_t *rows,
                            size_t nr, const crm_arima_options *o, const char *what, double **y,
                            size_t *ny, int64_t *start)
{
    *y = NULL;
    *ny = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t k = 0; k < nr; k++) {
        size_t i = rows ? rows[k] : k;
        int64_t t = tc->v.time[i];
        if (t == CRM_TIME_MISSING)
            return crm__error(CRM_E_INVALID, "%s: column \"%s\": row %zu has no time", what,
                              tc->name, i);
        int64_t idx = period_index(o->freq, t);
        if (idx < lo) lo = idx;
        if (idx > hi) hi = idx;
    }
    if (nr == 0) return crm__error(CRM_E_INVALID, "%s: no rows", what);
    if (hi - lo >= 10000000)
        return crm__error(CRM_E_INVALID, "%s: the times span %lld %ss (at most 10,000,000)", what,
                          (long long)(hi - lo + 1), freq_name(o->freq));
    size_t m = (size_t)(hi - lo + 1);
    double *v = crm__calloc(m, sizeof *v);
    if (!v) return crm__nomem();
    if (o->aggregate) {
        for (size_t k = 0; k < nr; k++) {
            size_t i = rows ? rows[k] : k;
            double x = vc->v.num[i];
            if (isnan(x)) continue;
            v[period_index(o->freq, tc->v.time[i]) - lo] += x;
        }
    } else {
        unsigned char *seen = crm__calloc(m, 1);
        if (!seen) {
            crm__free(v);
            return crm__nomem();
        }
        crm_status st = CRM_OK;
        for (size_t k = 0; k < nr && st == CRM_OK; k++) {
            size_t i = rows ? rows[k] : k;
            int64_t t = tc->v.time[i], idx = period_index(o->freq, t);
            char buf[32];
            if (t != period_start(o->freq, idx)) {
                crm__format_time(t, 0, buf);
                st = crm__error(CRM_E_INVALID,
                                "%s: non-regular dates: row %zu (%s) is not the start of a %s "
                                "(aggregate is 0)",
                                what, i, buf, freq_name(o->freq));
            } else if (seen[idx - lo]) {
                crm__format_time(t, 1, buf);
                st = crm__error(CRM_E_INVALID,
                                "%s: non-regular dates: row %zu repeats the %s %s (aggregate is "
                                "0)",
                                what, i, freq_name(o->freq), buf);
            } else {
                seen[idx - lo] = 1;
                v[idx - lo] = vc->v.num[i];
            }
        }
        for (size_t j = 0; j < m && st == CRM_OK; j++)
            if (!seen[j]) {
                char buf[32];
                crm__format_time(period_start(o->freq, lo + (int64_t)j), 1, buf);
                st = crm__error(CRM_E_INVALID,
                                "%s: non-regular dates: no row for the %s starting %s (aggregate "
                                "is 0)",
                                what, freq_name(o->freq), buf);
            }
        crm__free(seen);
        if (st != CRM_OK) {
            crm__free(v);
            return st;
        }
    }
    *y = v;
    *ny = m;
    *start = lo;
    return CRM_OK;
}

static crm_status find_columns(const crm_dataset *ds, const char *time_col, const char *value_col,
                               const char *what, const crm__column **tc, const crm__column **vc)
{
    *tc = NULL; /* defined on every path, failures included */
    *vc = NULL;
    if (!time_col || !value_col)
        return crm__error(CRM_E_INVALID, "%s: column name is NULL", what);
    size_t ti, vi;
    crm_status st = crm__dataset_find(ds, time_col, &ti);
    if (st == CRM_OK) st = crm__dataset_find(ds, value_col, &vi);
    if (st != CRM_OK) return st;
    *tc = &ds->cols[ti];
    *vc = &ds->cols[vi];
    if ((*tc)->type != CRM_TYPE_TIME)
        return crm__error(CRM_E_TYPE, "%s: column \"%s\" is %s, not time", what, time_col,
                          crm__type_name((*tc)->type));
    if ((*vc)->type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "%s: column \"%s\" is %s, not number", what, value_col,
                          crm__type_name((*vc)->type));
    return CRM_OK;
}

static crm_status arima_fit_dataset_pinned(const crm_dataset *ds, const char *time_col,
                                           const char *value_col, const crm_arima_options *opts,
                                           crm_model **out)
{
    const char *what = "crm_arima_fit_dataset";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", what);
    *out = NULL;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", what);
    crm_arima_options o;
    crm_status st = load_options(opts, &o, what);
    if (st != CRM_OK) return st;
    const crm__column *tc = NULL, *vc = NULL;
    st = find_columns(ds, time_col, value_col, what, &tc, &vc);
    if (st != CRM_OK) return st;
    if (ds->nrows == 0) return crm__error(CRM_E_INVALID, "%s: the dataset has no rows", what);
    double *y;
    size_t n;
    int64_t start;
    st = aggregate(tc, vc, NULL, ds->nrows, &o, what, &y, &n, &start);
    if (st != CRM_OK) return st;
    int s = o.period ? o.period : freq_season(o.freq);
    ar_model *m = NULL;
    st = fit_values(y, n, &o, s, what, &m);
    crm__free(y);
    if (st != CRM_OK) return st;
    m->freq = o.freq;
    m->start_idx = start;
    return crm__model_new(&crm__arima_vtable, m, out);
}

/* crm_arima_fit_dataset calls no progress callback but pins ds like the other fits: a
 * crm_dataset_free() made meanwhile frees it when the call returns. */
crm_status crm_arima_fit_dataset(const crm_dataset *ds, const char *time_col,
                                 const char *value_col, const crm_arima_options *opts,
                                 crm_model **out)
{
    crm__dataset_pin(ds);
    crm_status st = arima_fit_dataset_pinned(ds, time_col, value_col, opts, out);
    crm__dataset_unpin(ds);
    return st;
}

/* ---- forecasts ---------------------------------------------------------------------- */

/* Standard normal quantile by Newton steps on erfc. */
static double qnorm_std(double pr)
{
    double z = 0.0;
    /* starting value from a logistic approximation */
    z = log(pr / (1 - pr)) / 1.702;
    for (int i = 0; i < 60; i++) {
        double cdf = 0.5 * erfc(-z / sqrt(2.0));
        double pdf = exp(-0.5 * z * z) / sqrt(2.0 * 3.14159265358979323846);
        double step = (cdf - pr) / pdf;
        z -= step;
        if (fabs(step) < 1e-15 * (1 + fabs(z))) break;
    }
    return z;
}

static const ar_model *arima_of(const crm_model *m, const char *what, crm_status *st)
{
    if (!m) {
        *st = crm__error(CRM_E_INVALID, "%s: model is NULL", what);
        return NULL;
    }
    if (m->vt != &crm__arima_vtable) {
        *st = crm__error(CRM_E_TYPE, "%s: the model is a %s model, not arima", what,
                         m->vt->json_kind);
        return NULL;
    }
    return m->state;
}

static crm_status forecast_table(const ar_model *am, int32_t h, const double *levels,
                                 size_t nlevels, int single, const char *what, crm_dataset **out)
{
    if (h < 1 || h > MAX_HORIZON)
        return crm__error(CRM_E_INVALID, "%s: h must be in 1..%d (got %d)", what, MAX_HORIZON,
                          (int)h);
    for (size_t i = 0; i < nlevels; i++) {
        if (!(levels[i] > 0 && levels[i] < 100))
            return crm__error(CRM_E_INVALID, "%s: level %g is not in (0, 100)", what, levels[i]);
        for (size_t j = 0; j < i; j++)
            if (levels[j] == levels[i])
                return crm__error(CRM_E_INVALID, "%s: level %g is given twice", what, levels[i]);
    }
    size_t hh = (size_t)h;
    double *v = crm__malloc_array(hh * 4, sizeof *v);
    int64_t *tt = am->freq ? crm__malloc_array(hh, sizeof *tt) : NULL;
    crm_dataset *t = NULL;
    crm_status st = (!v || (am->freq && !tt)) ? crm__nomem() : CRM_OK;
    double *mean = v, *se = v + hh, *lo = se + hh, *up = lo + hh;
    if (st == CRM_OK) st = crm__arima_forecast_raw(&am->res, &am->spec, (int)h, mean, se);
    if (st == CRM_OK) st = crm_dataset_new(&t);
    if (st == CRM_OK && am->freq) {
        for (size_t i = 0; i < hh; i++)
            tt[i] = period_start(am->freq, am->start_idx + am->res.n + (int64_t)i);
        st = crm_dataset_add_time(t, "time", tt, hh);
    }
    if (st == CRM_OK) {
        for (size_t i = 0; i < hh; i++)
            lo[i] = (double)(i + 1);
        st = crm_dataset_add_number(t, "step", lo, hh);
    }
    if (st == CRM_OK) st = crm_dataset_add_number(t, "mean", mean, hh);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "se", se, hh);
    for (size_t k = 0; st == CRM_OK && k < nlevels; k++) {
        double z = qnorm_std(0.5 + levels[k] / 200.0);
        for (size_t i = 0; i < hh; i++) {
            lo[i] = mean[i] - z * se[i];
            up[i] = mean[i] + z * se[i];
        }
        char nl[48], nu[48], num[40];
        if (single) {
            snprintf(nl, sizeof nl, "lower");
            snprintf(nu, sizeof nu, "upper");
        } else {
            size_t len = crm__format_number(levels[k], '.', num);
            num[len] = '\0';
            snprintf(nl, sizeof nl, "lower_%s", num);
            snprintf(nu, sizeof nu, "upper_%s", num);
        }
        st = crm_dataset_add_number(t, nl, lo, hh);
        if (st == CRM_OK) st = crm_dataset_add_number(t, nu, up, hh);
    }
    crm__free(v);
    crm__free(tt);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

crm_status crm_arima_forecast(const crm_model *m, int32_t h, double level, crm_dataset **out)
{
    const char *what = "crm_arima_forecast";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", what);
    *out = NULL;
    crm_status st = CRM_OK;
    const ar_model *am = arima_of(m, what, &st);
    if (!am) return st;
    return forecast_table(am, h, &level, 1, 1, what, out);
}

crm_status crm_arima_forecast_levels(const crm_model *m, int32_t h, const double *levels,
                                     size_t nlevels, crm_dataset **out)
{
    const char *what = "crm_arima_forecast_levels";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", what);
    *out = NULL;
    crm_status st = CRM_OK;
    const ar_model *am = arima_of(m, what, &st);
    if (!am) return st;
    static const double def[2] = {80.0, 95.0};
    if (nlevels == 0) {
        if (levels) return crm__error(CRM_E_INVALID, "%s: nlevels is 0 but levels is not NULL", what);
        levels = def;
        nlevels = 2;
    } else if (!levels) {
        return crm__error(CRM_E_INVALID, "%s: levels is NULL", what);
    }
    if (nlevels > 16) return crm__error(CRM_E_INVALID, "%s: at most 16 levels (got %zu)", what, nlevels);
    return forecast_table(am, h, levels, nlevels, 0, what, out);
}

/* ---- many series ---------------------------------------------------------------------- */

typedef struct many_task {
    size_t *rows;
    size_t nrows;
    ar_model *model;
    double *fc; /* 4h: mean, se, lower, upper */
    crm_status st;
    char err[256];
} many_task;

typedef struct many_ctx {
    const crm__column *tc, *vc;
    const crm_arima_options *o;
    many_task *tasks;
    size_t first;
    int32_t h;
    double z;
} many_ctx;

static void many_run(void *cp, size_t task, int worker)
{
    (void)worker;
    many_ctx *c = cp;
    many_task *t = &c->tasks[c->first + task];
    const char *what = "crm_arima_fit_many";
    double *y = NULL;
    size_t n = 0;
    int64_t start = 0;
    crm_status st = aggregate(c->tc, c->vc, t->rows, t->nrows, c->o, what, &y, &n, &start);
    int s = c->o->period ? c->o->period : freq_season(c->o->freq);
    if (st == CRM_OK) st = fit_values(y, n, c->o, s, what, &t->model);
    crm__free(y);
    if (st == CRM_OK) {
        t->model->freq = c->o->freq;
        t->model->start_idx = start;
        if (c->h > 0) {
            size_t hh = (size_t)c->h;
            t->fc = crm__malloc_array(4 * hh, sizeof *t->fc);
            if (!t->fc)
                st = crm__nomem();
            else
                st = crm__arima_forecast_raw(&t->model->res, &t->model->spec, c->h, t->fc,
                                             t->fc + hh);
            if (st == CRM_OK)
                for (size_t i = 0; i < hh; i++) {
                    t->fc[2 * hh + i] = t->fc[i] - c->z * t->fc[hh + i];
                    t->fc[3 * hh + i] = t->fc[i] + c->z * t->fc[hh + i];
                }
        }
    }
    t->st = st;
    if (st != CRM_OK) snprintf(t->err, sizeof t->err, "%s", crm_last_error());
}

static crm_status add_key_column(crm_dataset *t, const crm__column *bc, const size_t *rep,
                                 size_t n)
{
    crm_status st;
    if (bc->type == CRM_TYPE_TEXT) {
        const char **s = crm__malloc_array(n ? n : 1, sizeof *s);
        if (!s) return crm__nomem();
        for (size_t i = 0; i < n; i++) {
            int32_t code = bc->v.code[rep[i]];
            s[i] = code < 0 ? NULL : crm__dict_str(bc->dict, code);
        }
        st = crm_dataset_add_text(t, bc->name, s, n);
        crm__free(s);
    } else if (bc->type == CRM_TYPE_NUMBER) {
        double *v = crm__malloc_array(n ? n : 1, sizeof *v);
        if (!v) return crm__nomem();
        for (size_t i = 0; i < n; i++)
            v[i] = bc->v.num[rep[i]];
        st = crm_dataset_add_number(t, bc->name, v, n);
        crm__free(v);
    } else {
        int64_t *v = crm__malloc_array(n ? n : 1, sizeof *v);
        if (!v) return crm__nomem();
        for (size_t i = 0; i < n; i++)
            v[i] = bc->v.time[rep[i]];
        st = crm_dataset_add_time(t, bc->name, v, n);
        crm__free(v);
    }
    return st;
}

/* The bits of row i's key (a text code, a time, or a number with -0 as 0). */
static uint64_t key_bits(const crm__column *bc, size_t i)
{
    uint64_t key;
    if (bc->type == CRM_TYPE_TEXT)
        key = (uint64_t)(uint32_t)bc->v.code[i];
    else if (bc->type == CRM_TYPE_TIME)
        key = (uint64_t)bc->v.time[i];
    else {
        double x = bc->v.num[i] == 0.0 ? 0.0 : bc->v.num[i];
        memcpy(&key, &x, sizeof key);
    }
    return key;
}

/* Whether rows i and j have the same key. */
static int same_key(const crm__column *bc, size_t i, size_t j)
{
    if (bc->type == CRM_TYPE_TEXT) return bc->v.code[i] == bc->v.code[j];
    if (bc->type == CRM_TYPE_TIME) return bc->v.time[i] == bc->v.time[j];
    return bc->v.num[i] == bc->v.num[j];
}

/* Group the n rows by the key column bc (named by_col), groups in order of
 * first appearance: gid[i] the group of row i, first_row[g] the first row of
 * group g, *ng the number of groups. Refuses a row without a key. */
static crm_status group_rows(const crm__column *bc, size_t n, const char *by_col,
                             const char *what, size_t *gid, size_t *first_row, size_t *ng)
{
    for (size_t i = 0; i < n; i++)
        if (crm__cell_missing(bc, i))
            return crm__error(CRM_E_INVALID, "%s: column \"%s\": row %zu has no group key", what,
                              by_col, i);
    /* simple open-addressing on the key's bits */
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    size_t *slot = crm__malloc_array(cap, sizeof *slot);
    if (!slot) return crm__nomem();
    for (size_t i = 0; i < cap; i++)
        slot[i] = SIZE_MAX;
    *ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t hsh = (size_t)crm__mix64(key_bits(bc, i)) & (cap - 1);
        for (;;) {
            size_t g = slot[hsh];
            if (g == SIZE_MAX) {
                slot[hsh] = *ng;
                first_row[*ng] = i;
                gid[i] = (*ng)++;
                break;
            }
            if (same_key(bc, first_row[g], i)) {
                gid[i] = g;
                break;
            }
            hsh = (hsh + 1) & (cap - 1);
        }
    }
    crm__free(slot);
    return CRM_OK;
}

/* Point each of the ng tasks at its rows, in row order, laid out group after
 * group in order (n). count: ng zeroed counters (scratch). */
static void task_rows(many_task *tasks, size_t ng, const size_t *gid, size_t n, size_t *order,
                      size_t *count)
{
    for (size_t i = 0; i < n; i++)
        count[gid[i]]++;
    size_t off = 0;
    for (size_t g = 0; g < ng; g++) {
        tasks[g].rows = order + off;
        off += count[g];
        count[g] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t g = gid[i];
        tasks[g].rows[count[g]++] = i;
    }
    for (size_t g = 0; g < ng; g++)
        tasks[g].nrows = count[g];
}

/* Fit and forecast every task on the thread pool, in chunks of 8 tasks a
 * thread, with the progress callback after each chunk. A task's own failure
 * stays in the task; running out of memory or a cancellation ends the run. */
static crm_status run_tasks(many_ctx *c, size_t ng, const char *what)
{
    const crm_arima_options *o = c->o;
    int nthreads = crm__par_threads(o->n_threads, ng);
    size_t chunk = (size_t)nthreads * 8;
    for (size_t first = 0; first < ng; first += chunk) {
        size_t cnt = ng - first < chunk ? ng - first : chunk;
        c->first = first;
        crm__par_for(nthreads, cnt, many_run, c);
        for (size_t g = first; g < first + cnt; g++)
            if (c->tasks[g].st == CRM_E_NOMEM) return crm__nomem();
        if (o->progress && o->progress((double)(first + cnt) / (double)ng, o->user))
            return crm__error(CRM_E_CANCELLED, "%s: cancelled by the progress callback", what);
    }
    return CRM_OK;
}

/* Column k of the fits table for the model m (NaN for a failed series). */
static double fits_value(const ar_model *m, size_t k)
{
    if (!m) return NAN;
    const crm__arima_spec *sp = &m->spec;
    switch (k) {
    case 0: return (double)m->res.n;
    case 1: return sp->p;
    case 2: return sp->d;
    case 3: return sp->q;
    case 4: return sp->P;
    case 5: return sp->D;
    case 6: return sp->Q;
    case 7: return sp->s;
    case 8: return sp->xreg != CRM__XREG_NONE;
    case 9: return m->res.loglik;
    case 10: return m->res.aic;
    case 11: return m->res.aicc;
    case 12: return m->res.bic;
    case 13: return m->res.sigma2;
    case 14: return m->res.code == 0;
    case 15: return m->res.ljung_box_p;
    default: return NAN;
    }
}

/* The fits table: a row a series (key, length, order, criteria, error). */
static crm_status fits_table(const crm__column *bc, const many_task *tasks,
                             const size_t *first_row, size_t ng, crm_dataset **out)
{
    static const char *const cols[] = {"n",   "p",      "d",    "q",   "sp",     "sd",
                                       "sq",  "period", "constant", "loglik", "aic",
                                       "aicc", "bic",   "sigma2", "converged", "ljung_box_p"};
    const size_t ncol = sizeof cols / sizeof cols[0];
    double *v = crm__malloc_array(ng ? ng : 1, sizeof *v);
    const char **err = crm__malloc_array(ng ? ng : 1, sizeof *err);
    crm_status st = (v && err) ? crm_dataset_new(out) : crm__nomem();
    if (st == CRM_OK) st = add_key_column(*out, bc, first_row, ng);
    for (size_t k = 0; st == CRM_OK && k < ncol; k++) {
        for (size_t g = 0; g < ng; g++)
            v[g] = fits_value(tasks[g].model, k);
        st = crm_dataset_add_number(*out, cols[k], v, ng);
    }
    if (st == CRM_OK) {
        for (size_t g = 0; g < ng; g++)
            err[g] = tasks[g].st == CRM_OK ? NULL : tasks[g].err;
        st = crm_dataset_add_text(*out, "error", err, ng);
    }
    crm__free(v);
    crm__free(err);
    return st;
}

/* The forecasts table: h rows a fitted series (key, step, time, mean, se,
 * interval). */
static crm_status forecasts_table(const crm__column *bc, const many_task *tasks,
                                  const size_t *first_row, size_t ng, int32_t h,
                                  crm_dataset **out)
{
    size_t rows = 0;
    for (size_t g = 0; g < ng; g++)
        if (tasks[g].model && h > 0) rows += (size_t)h;
    size_t *rep = crm__malloc_array(rows ? rows : 1, sizeof *rep);
    double *v = crm__malloc_array(5 * (rows ? rows : 1), sizeof *v);
    int64_t *tt = crm__malloc_array(rows ? rows : 1, sizeof *tt);
    crm_status st = (rep && v && tt) ? crm_dataset_new(out) : crm__nomem();
    if (st == CRM_OK) {
        size_t r = 0, hh = (size_t)h;
        for (size_t g = 0; g < ng; g++) {
            const ar_model *m = tasks[g].model;
            if (!m || h == 0) continue;
            for (size_t i = 0; i < hh; i++, r++) {
                rep[r] = first_row[g];
                tt[r] = period_start(m->freq, m->start_idx + m->res.n + (int64_t)i);
                v[r] = (double)(i + 1);
                for (int k = 0; k < 4; k++)
                    v[(size_t)(k + 1) * rows + r] = tasks[g].fc[(size_t)k * hh + i];
            }
        }
        st = add_key_column(*out, bc, rep, rows);
        if (st == CRM_OK) st = crm_dataset_add_number(*out, "step", v, rows);
        if (st == CRM_OK) st = crm_dataset_add_time(*out, "time", tt, rows);
        static const char *const nm[] = {"mean", "se", "lower", "upper"};
        for (int k = 0; st == CRM_OK && k < 4; k++)
            st = crm_dataset_add_number(*out, nm[k], v + (size_t)(k + 1) * rows, rows);
    }
    crm__free(rep);
    crm__free(v);
    crm__free(tt);
    return st;
}

/* The arguments of crm_arima_fit_many: outputs, dataset, columns, horizon,
 * level and options (checked into *o). */
static crm_status many_args(const crm_dataset *ds, const char *by_col, const char *time_col,
                            const char *value_col, int32_t h, double level,
                            const crm_arima_options *opts, crm_dataset **out_fits,
                            crm_dataset **out_forecasts, crm_arima_options *o,
                            const crm__column **tc, const crm__column **vc,
                            const crm__column **bc)
{
    const char *what = "crm_arima_fit_many";
    if (!out_fits || !out_forecasts)
        return crm__error(CRM_E_INVALID, "%s: an output is NULL", what);
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", what);
    if (!by_col) return crm__error(CRM_E_INVALID, "%s: by_col is NULL", what);
    if (h < 0 || h > MAX_HORIZON)
        return crm__error(CRM_E_INVALID, "%s: h must be in 0..%d (got %d)", what, MAX_HORIZON,
                          (int)h);
    if (!(level > 0 && level < 100))
        return crm__error(CRM_E_INVALID, "%s: level %g is not in (0, 100)", what, level);
    crm_status st = load_options(opts, o, what);
    if (st != CRM_OK) return st;
    st = find_columns(ds, time_col, value_col, what, tc, vc);
    if (st != CRM_OK) return st;
    size_t bi;
    st = crm__dataset_find(ds, by_col, &bi);
    if (st != CRM_OK) return st;
    *bc = &ds->cols[bi];
    return CRM_OK;
}

static crm_status arima_fit_many_pinned(const crm_dataset *ds, const char *by_col,
                                        const char *time_col, const char *value_col, int32_t h,
                                        double level, const crm_arima_options *opts,
                                        crm_dataset **out_fits, crm_dataset **out_forecasts)
{
    const char *what = "crm_arima_fit_many";
    if (out_fits) *out_fits = NULL;
    if (out_forecasts) *out_forecasts = NULL;
    crm_arima_options o;
    const crm__column *tc = NULL, *vc = NULL, *bc = NULL;
    crm_status st = many_args(ds, by_col, time_col, value_col, h, level, opts, out_fits,
                              out_forecasts, &o, &tc, &vc, &bc);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows;
    size_t *gid = crm__malloc_array(n ? n : 1, sizeof *gid);
    size_t *order = crm__malloc_array(n ? n : 1, sizeof *order);
    size_t *first_row = crm__malloc_array(n ? n : 1, sizeof *first_row);
    size_t *count = crm__calloc(n ? n : 1, sizeof *count);
    size_t ng = 0;
    many_task *tasks = NULL;
    crm_dataset *F = NULL, *C = NULL;
    if (!gid || !order || !first_row || !count) st = crm__nomem();
    if (st == CRM_OK) st = group_rows(bc, n, by_col, what, gid, first_row, &ng);
    if (st == CRM_OK && !(tasks = crm__calloc(ng ? ng : 1, sizeof *tasks))) st = crm__nomem();
    if (st == CRM_OK) {
        task_rows(tasks, ng, gid, n, order, count);
        many_ctx c = {tc, vc, &o, tasks, 0, h, qnorm_std(0.5 + level / 200.0)};
        st = run_tasks(&c, ng, what);
    }
    if (st == CRM_OK) st = fits_table(bc, tasks, first_row, ng, &F);
    if (st == CRM_OK) st = forecasts_table(bc, tasks, first_row, ng, h, &C);
    if (tasks)
        for (size_t g = 0; g < ng; g++) {
            if (tasks[g].model) ar_free_state(tasks[g].model);
            crm__free(tasks[g].fc);
        }
    crm__free(tasks);
    crm__free(gid);
    crm__free(order);
    crm__free(first_row);
    crm__free(count);
    if (st != CRM_OK) {
        crm_dataset_free(F);
        crm_dataset_free(C);
        return st;
    }
    *out_fits = F;
    *out_forecasts = C;
    return CRM_OK;
}

/* crm_arima_fit_many pins ds for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_arima_fit_many(const crm_dataset *ds, const char *by_col, const char *time_col,
                              const char *value_col, int32_t h, double level,
                              const crm_arima_options *opts, crm_dataset **out_fits,
                              crm_dataset **out_forecasts)
{
    crm__dataset_pin(ds);
    crm_status st = arima_fit_many_pinned(ds, by_col, time_col, value_col, h, level, opts, out_fits,
                                          out_forecasts);
    crm__dataset_unpin(ds);
    return st;
}

/* ---- the model kind -------------------------------------------------------------------- */

static int term_name(const crm__arima_spec *sp, int i, char *buf, size_t len)
{
    int p = sp->p, q = sp->q, P = sp->P, Q = sp->Q;
    if (i < p) return snprintf(buf, len, "ar%d", i + 1);
    if (i < p + q) return snprintf(buf, len, "ma%d", i - p + 1);
    if (i < p + q + P) return snprintf(buf, len, "sar%d", i - p - q + 1);
    if (i < p + q + P + Q) return snprintf(buf, len, "sma%d", i - p - q - P + 1);
    return snprintf(buf, len, "%s", sp->xreg == CRM__XREG_DRIFT ? "drift" : "intercept");
}

static crm_status ar_predict(const void *sp, crm_dataset *ds, const char *out_col)
{
    (void)sp;
    (void)ds;
    (void)out_col;
    return crm__error(CRM_E_TYPE,
                      "arima models forecast ahead of their series: use crm_arima_forecast()");
}

static crm_status ar_summary(const void *sp, crm_dataset **out)
{
    const ar_model *m = sp;
    int k = m->res.npar;
    size_t nk = (size_t)k;
    double *v = crm__malloc_array(4 * (nk ? nk : 1), sizeof *v);
    char *names = crm__malloc_array(nk ? nk : 1, 16);
    const char **np = crm__malloc_array(nk ? nk : 1, sizeof *np);
    crm_dataset *t = NULL;
    crm_status st = (v && names && np) ? crm_dataset_new(&t) : crm__nomem();
    if (st == CRM_OK) {
        for (int i = 0; i < k; i++) {
            term_name(&m->spec, i, names + 16 * (size_t)i, 16);
            np[i] = names + 16 * (size_t)i;
            double est = m->res.coef[i];
            double se = m->res.mask[i] ? sqrt(m->res.var[i * k + i]) : NAN;
            double z = est / se;
            v[i] = est;
            v[nk + (size_t)i] = se;
            v[2 * nk + (size_t)i] = z;
            v[3 * nk + (size_t)i] = isnan(z) ? NAN : erfc(fabs(z) / sqrt(2.0));
        }
        st = crm_dataset_add_text(t, "term", np, nk);
    }
    if (st == CRM_OK) st = crm_dataset_add_number(t, "estimate", v, nk);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "std_error", v + nk, nk);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "z", v + 2 * nk, nk);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "p_value", v + 3 * nk, nk);
    if (st == CRM_OK) {
        for (int i = 0; i < k; i++)
            v[i] = m->res.mask[i] ? 0.0 : 1.0;
        st = crm_dataset_add_number(t, "fixed", v, nk);
    }
    crm__free(v);
    crm__free(names);
    crm__free(np);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

static const char *const ar_stat_names[] = {
    "p",          "d",           "q",         "sp",           "sd",
    "sq",         "period",      "include_mean", "include_drift", "method",
    "n",          "n_used",      "loglik",    "aic",          "aicc",
    "bic",        "sigma2",      "converged", "iterations",   "ljung_box",
    "ljung_box_p", "ljung_box_lag", "ljung_box_df", "auto",   "models_tried",
    NULL};

static double ar_stat(const void *sp_, size_t i)
{
    const ar_model *m = sp_;
    const crm__arima_spec *sp = &m->spec;
    const crm__arima_result *r = &m->res;
    switch (i) {
    case 0: return sp->p;
    case 1: return sp->d;
    case 2: return sp->q;
    case 3: return sp->P;
    case 4: return sp->D;
    case 5: return sp->Q;
    case 6: return sp->s;
    case 7: return sp->xreg == CRM__XREG_MEAN;
    case 8: return sp->xreg == CRM__XREG_DRIFT;
    case 9: return sp->method;
    case 10: return r->n;
    case 11: return r->n_used;
    case 12: return r->loglik;
    case 13: return r->aic;
    case 14: return r->aicc;
    case 15: return r->bic;
    case 16: return r->sigma2;
    case 17: return r->code == 0;
    case 18: return r->iterations;
    case 19: return r->ljung_box;
    case 20: return r->ljung_box_p;
    case 21: return r->lb_lag;
    case 22: return r->lb_df;
    case 23: return m->auto_sel;
    default: return m->models_tried;
    }
}

static const char *const method_names[] = {"CSS-ML", "ML", "CSS"};
static const char *const xreg_names[] = {"none", "intercept", "drift"};

static crm_status ar_to_json(const void *sp_, crm__buf *b)
{
    const ar_model *m = sp_;
    const crm__arima_spec *sp = &m->spec;
    const crm__arima_result *r = &m->res;
    int k = r->npar;
    crm_status st = crm__buf_printf(b, ",\"order\":[%d,%d,%d,%d,%d,%d,%d],\"xreg\":", sp->p, sp->d,
                                    sp->q, sp->P, sp->D, sp->Q, sp->s);
    if (st == CRM_OK) st = crm__json_write_string(b, xreg_names[sp->xreg]);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"method\":");
    if (st == CRM_OK) st = crm__json_write_string(b, method_names[sp->method]);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"transform\":%d,\"kappa\":", sp->transform);
    if (st == CRM_OK) st = crm__json_write_number(b, sp->kappa);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"terms\":[");
    for (int i = 0; st == CRM_OK && i < k; i++) {
        char nm[16];
        term_name(sp, i, nm, sizeof nm);
        if (i) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_string(b, nm);
    }
    if (st == CRM_OK) st = crm__buf_printf(b, "],\"coef\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->coef, (size_t)k);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"mask\":[");
    for (int i = 0; st == CRM_OK && i < k; i++)
        st = crm__buf_printf(b, "%s%d", i ? "," : "", r->mask[i]);
    if (st == CRM_OK) st = crm__buf_printf(b, "],\"var\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->var, (size_t)k * (size_t)k);
#define NUM(name, val)                                                                             \
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"" name "\":");                                   \
    if (st == CRM_OK) st = crm__json_write_number(b, (val));
    NUM("sigma2", r->sigma2)
    NUM("loglik", r->loglik)
    NUM("aic", r->aic)
    NUM("aicc", r->aicc)
    NUM("bic", r->bic)
    NUM("converged", r->code == 0)
    NUM("iterations", r->iterations)
    NUM("n", r->n)
    NUM("n_used", r->n_used)
    NUM("auto", m->auto_sel)
    NUM("models_tried", m->models_tried)
    NUM("freq", m->freq)
#undef NUM
    if (st == CRM_OK) {
        char buf[32];
        crm__format_time(m->freq ? period_start(m->freq, m->start_idx) : 0, 1, buf);
        st = crm__buf_printf(b, ",\"start\":");
        if (st == CRM_OK) st = crm__json_write_string(b, m->freq ? buf : "");
    }
    if (st == CRM_OK) {
        double lb[4] = {r->ljung_box, r->ljung_box_p, r->lb_lag, r->lb_df};
        st = crm__buf_printf(b, ",\"ljung_box\":");
        if (st == CRM_OK) st = crm__json_write_numbers(b, lb, 4);
    }
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"phi\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->phi, (size_t)r->rp);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"theta\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->theta, (size_t)r->rq);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"delta\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->delta, (size_t)r->nd);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"state\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->a, (size_t)r->rd);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"cov\":");
    if (st == CRM_OK) st = crm__json_write_numbers(b, r->P, (size_t)r->rd * (size_t)r->rd);
    return st;
}

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

/* Every member is range-checked before it is converted or used: counts and
 * flags are whole numbers in their range, sizes follow from the order, and
 * only the figures a fitted model can hold as NaN or infinite (loglik and the
 * criteria, the covariance of the coefficients, the Ljung-Box statistic and
 * p-value) may be non-finite. */
static crm_status ar_from_json(const crm__json *doc, void **state)
{
    const char *w = "arima model JSON";
    const double FIN = DBL_MAX; /* finite bound */
    ar_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    crm__arima_spec *sp = &m->spec;
    crm__arima_result *r = &m->res;
    const char *xs, *ms, *start;
    const crm__json *ord = crm__json_get(doc, "order");
    crm_status st = CRM_OK;
    if (!ord || ord->type != CRM__JSON_ARRAY || ord->len != 7)
        st = crm__error(CRM_E_PARSE, "%s: \"order\" must be an array [p,d,q,P,D,Q,s]", w);
    static const int lim[7] = {100, 3, 100, 100, 2, 100, MAX_PERIOD};
    int *fields[7] = {&sp->p, &sp->d, &sp->q, &sp->P, &sp->D, &sp->Q, &sp->s};
    for (int i = 0; st == CRM_OK && i < 7; i++) {
        int64_t v = 0;
        st = crm__json_int_at(ord, (size_t)i, w, "order", i == 6 ? 1 : 0, lim[i], &v);
        *fields[i] = (int)v;
    }
    if (st == CRM_OK) st = crm__json_get_string(doc, "xreg", w, &xs);
    if (st == CRM_OK && (sp->xreg = lookup(xreg_names, 3, xs)) < 0)
        st = crm__error(CRM_E_PARSE, "%s: unknown \"xreg\" \"%s\"", w, xs);
    if (st == CRM_OK) st = crm__json_get_string(doc, "method", w, &ms);
    if (st == CRM_OK && (sp->method = lookup(method_names, 3, ms)) < 0)
        st = crm__error(CRM_E_PARSE, "%s: unknown \"method\" \"%s\"", w, ms);
    int64_t iv = 0;
    if (st == CRM_OK) st = crm__json_get_int(doc, "transform", w, 0, 1, &iv);
    sp->transform = (int)iv;
    if (st == CRM_OK) st = crm__json_get_real(doc, "kappa", w, DBL_TRUE_MIN, FIN, 0, &sp->kappa);
    int k = sp->p + sp->q + sp->P + sp->Q + (sp->xreg != CRM__XREG_NONE);
    int rp = sp->p + sp->s * sp->P, rq = sp->q + sp->s * sp->Q;
    int rr = rp > rq + 1 ? rp : rq + 1, nd = sp->d + sp->s * sp->D, rd = rr + nd;
    if (st == CRM_OK && rd > MAX_STATE) st = crm__error(CRM_E_PARSE, "%s: state too large", w);
    if (st == CRM_OK) {
        size_t nk = (size_t)k, rdd = (size_t)rd * (size_t)rd;
        r->npar = k;
        r->rp = rp;
        r->rq = rq;
        r->nd = nd;
        r->rd = rd;
        r->coef = crm__calloc(nk ? nk : 1, sizeof *r->coef);
        r->var = crm__calloc(nk ? nk * nk : 1, sizeof *r->var);
        r->mask = crm__calloc(nk ? nk : 1, sizeof *r->mask);
        r->phi = crm__calloc((size_t)rp + 1, sizeof *r->phi);
        r->theta = crm__calloc((size_t)rq + 1, sizeof *r->theta);
        r->delta = crm__calloc((size_t)nd + 1, sizeof *r->delta);
        r->a = crm__calloc((size_t)rd, sizeof *r->a);
        r->P = crm__calloc(rdd, sizeof *r->P);
        if (!r->coef || !r->var || !r->mask || !r->phi || !r->theta || !r->delta || !r->a ||
            !r->P)
            st = crm__nomem();
    }
    if (st == CRM_OK) st = crm__json_get_reals(doc, "coef", w, (size_t)k, -FIN, FIN, 0, r->coef);
    const crm__json *mask = NULL;
    if (st == CRM_OK) st = crm__json_get_array(doc, "mask", w, (size_t)k, &mask);
    for (int i = 0; st == CRM_OK && i < k; i++) {
        st = crm__json_int_at(mask, (size_t)i, w, "mask", 0, 1, &iv);
        r->mask[i] = (int)iv;
    }
    /* (NaN when the Hessian was singular or not computed) */
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "var", w, (size_t)k * (size_t)k, -INFINITY, INFINITY,
                                 CRM__JSON_NAN_OK, r->var);
    if (st == CRM_OK) st = crm__json_get_real(doc, "sigma2", w, 0.0, FIN, 0, &r->sigma2);
    static const char *const lik[4] = {"loglik", "aic", "aicc", "bic"};
    double *likv[4] = {&r->loglik, &r->aic, &r->aicc, &r->bic};
    for (int i = 0; st == CRM_OK && i < 4; i++)
        st = crm__json_get_real(doc, lik[i], w, -INFINITY, INFINITY, CRM__JSON_NAN_OK, likv[i]);
    if (st == CRM_OK) st = crm__json_get_int(doc, "converged", w, 0, 1, &iv);
    r->code = !iv;
    if (st == CRM_OK) st = crm__json_get_int(doc, "iterations", w, 0, INT32_MAX, &iv);
    r->iterations = (int)iv;
    if (st == CRM_OK) st = crm__json_get_int(doc, "n", w, 1, INT32_MAX, &iv);
    r->n = (int)iv;
    if (st == CRM_OK) st = crm__json_get_int(doc, "n_used", w, 0, r->n, &iv);
    r->n_used = (int)iv;
    if (st == CRM_OK) st = crm__json_get_int(doc, "auto", w, 0, 1, &iv);
    m->auto_sel = (int)iv;
    if (st == CRM_OK) st = crm__json_get_int(doc, "models_tried", w, 0, INT32_MAX, &iv);
    m->models_tried = (int)iv;
    if (st == CRM_OK) st = crm__json_get_int(doc, "freq", w, 0, 5, &iv);
    m->freq = (int)iv;
    if (st == CRM_OK) st = crm__json_get_string(doc, "start", w, &start);
    if (st == CRM_OK && m->freq) {
        int64_t t;
        if (!crm__time_parse_iso(start, strlen(start), &t, NULL))
            st = crm__error(CRM_E_PARSE, "%s: \"start\" is not a date", w);
        else
            m->start_idx = period_index(m->freq, t);
    }
    const crm__json *lb = NULL;
    if (st == CRM_OK) st = crm__json_get_array(doc, "ljung_box", w, 4, &lb);
    /* [statistic, p-value, lag, degrees of freedom = lag - (p + q + P + Q)] */
    int npq = sp->p + sp->q + sp->P + sp->Q;
    if (st == CRM_OK)
        st = crm__json_real_at(lb, 0, w, "ljung_box", 0.0, FIN, CRM__JSON_NAN_OK,
                            &r->ljung_box);
    if (st == CRM_OK)
        st = crm__json_real_at(lb, 1, w, "ljung_box", 0.0, 1.0, CRM__JSON_NAN_OK,
                            &r->ljung_box_p);
    if (st == CRM_OK) st = crm__json_int_at(lb, 2, w, "ljung_box", 1, INT32_MAX, &iv);
    r->lb_lag = (int)iv;
    if (st == CRM_OK)
        st = crm__json_int_at(lb, 3, w, "ljung_box", iv - npq, iv - npq, &iv);
    r->lb_df = (int)iv;
    if (st == CRM_OK) st = crm__json_get_reals(doc, "phi", w, (size_t)rp, -FIN, FIN, 0, r->phi);
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "theta", w, (size_t)rq, -FIN, FIN, 0, r->theta);
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "delta", w, (size_t)nd, -FIN, FIN, 0, r->delta);
    if (st == CRM_OK) st = crm__json_get_reals(doc, "state", w, (size_t)rd, -FIN, FIN, 0, r->a);
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "cov", w, (size_t)rd * (size_t)rd, -FIN, FIN, 0, r->P);
    if (st != CRM_OK) {
        ar_free_state(m);
        return st;
    }
    *state = m;
    return CRM_OK;
}

const crm__model_vtable crm__arima_vtable = {
    CRM_MODEL_ARIMA, "arima",  ar_free_state, ar_predict,   ar_summary,
    ar_stat_names,   ar_stat,  ar_to_json,    ar_from_json, NULL,
    NULL, /* to_json_stream: written whole */
};
