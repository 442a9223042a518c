/* crm_clv_fit and the CLV model kind: validation of the summary table, the
 * two fits, statistics, summary table, predict, JSON (include/crm/clv.h). */
#include "clv/clv_internal.h"
#include "core/dataset_internal.h"
#include "core/model_internal.h"
#include "core/par.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define CRM__CLV_OPTIONS_V1_SIZE (offsetof(crm_clv_options, n_threads) + sizeof(int32_t))

static const crm_clv_options clv_defaults = {
    sizeof(crm_clv_options), /* size */
    NULL,                    /* frequency_col: "frequency" */
    NULL,                    /* recency_col: "recency" */
    NULL,                    /* t_col: "T" */
    NULL,                    /* monetary_col: "monetary" */
    0.0,                     /* l2 */
    500,                     /* max_iter */
    1e-9,                    /* tol */
    CRM_CLV_DAY,             /* period */
    12,                      /* horizon */
    0.01,                    /* discount */
    0.0,                     /* periods_per_month */
    -1.0,                    /* t */
    0,                       /* n_threads */
};

crm_status crm_clv_options_init(crm_clv_options *opts, size_t size)
{
    return crm__options_init(opts, size, &clv_defaults, sizeof clv_defaults,
                             CRM__CLV_OPTIONS_V1_SIZE, "crm_clv_options");
}

typedef struct clv_model {
    char *cols[4]; /* frequency, recency, T, monetary */
    double bg[4], gg[3], se[7], ll[2], corr;
    double counts[3]; /* customers, repeat customers, distinct triples */
    int converged[2], iterations[2];
    double l2, discount, per_month, t;
    int32_t horizon;
} clv_model;

static void clv_free_state(void *s)
{
    clv_model *m = s;
    if (!m) return;
    for (int i = 0; i < 4; i++)
        crm__free(m->cols[i]);
    crm__free(m);
}

/* ---- reading and checking the summary table -------------------------------- */

/* The four columns of ds (validated: see crm_clv_fit in crm/clv.h), as
 * arrays col[0..3] (borrowed from ds). */
static crm_status read_columns(const crm_dataset *ds, char *const *names, const char *fn,
                               const double **col)
{
    for (int j = 0; j < 4; j++) {
        size_t idx;
        crm_status st = crm__dataset_find(ds, names[j], &idx);
        if (st) return st;
        const crm__column *c = &ds->cols[idx];
        if (c->type != CRM_TYPE_NUMBER)
            return crm__error(CRM_E_TYPE, "%s: column \"%s\" is %s, not a number column", fn,
                              names[j], crm__type_name(c->type));
        col[j] = c->v.num;
    }
    size_t n = ds->nrows;
    for (size_t i = 0; i < n; i++) {
        double x = col[0][i], tx = col[1][i], T = col[2][i], m = col[3][i];
        int bad = -1;
        const char *why = "";
        for (int j = 0; j < 4 && bad < 0; j++)
            if (!isfinite(col[j][i])) bad = j, why = "is missing or not finite";
        if (bad < 0 && !(x >= 0 && x == floor(x)))
            bad = 0, why = "must be a whole number >= 0";
        else if (bad < 0 && tx < 0)
            bad = 1, why = "must be >= 0";
        else if (bad < 0 && T < tx)
            bad = 2, why = "is less than the recency";
        else if (bad < 0 && x == 0 && tx != 0)
            bad = 1, why = "must be 0 when the frequency is 0";
        if (bad >= 0)
            return crm__error(CRM_E_INVALID, "%s: column \"%s\", row %zu: %g %s", fn, names[bad],
                              i, col[bad][i], why);
        (void)m;
    }
    return CRM_OK;
}

/* Repeat customers' (x, m) into new arrays; checks m > 0. */
static crm_status repeat_rows(const double *const *col, size_t n, char *const *names, double **xo,
                              double **mo, size_t *nr)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += col[0][i] > 0;
    *xo = crm__malloc_array(k ? k : 1, sizeof(double));
    *mo = crm__malloc_array(k ? k : 1, sizeof(double));
    if (!*xo || !*mo) return crm__nomem();
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (col[0][i] == 0) continue;
        if (!(col[3][i] > 0))
            return crm__error(CRM_E_INVALID,
                              "crm_clv_fit: column \"%s\", row %zu: %g: the mean spend of a "
                              "customer with repeat purchases must be > 0 (Gamma-Gamma); drop "
                              "returns and zero-value orders first",
                              names[3], i, col[3][i]);
        (*xo)[k] = col[0][i];
        (*mo)[k] = col[3][i];
        k++;
    }
    *nr = k;
    return CRM_OK;
}

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

/* The column names of the options, NULL replaced by the default names. */
static void column_names(const crm_clv_options *o, const char **names)
{
    names[0] = o->frequency_col ? o->frequency_col : "frequency";
    names[1] = o->recency_col ? o->recency_col : "recency";
    names[2] = o->t_col ? o->t_col : "T";
    names[3] = o->monetary_col ? o->monetary_col : "monetary";
}

static crm_status check_options(const crm_clv_options *o)
{
    const char *names[4];
    column_names(o, names);
    for (int j = 0; j < 4; j++)
        if (!names[j][0])
            return crm__error(CRM_E_INVALID, "crm_clv_fit: a column name option is empty");
    if (!(o->l2 >= 0 && isfinite(o->l2)))
        return crm__error(CRM_E_INVALID, "crm_clv_fit: l2 must be >= 0 and finite (got %g)", o->l2);
    if (o->max_iter < 1)
        return crm__error(CRM_E_INVALID, "crm_clv_fit: max_iter must be >= 1 (got %d)",
                          (int)o->max_iter);
    if (!(o->tol > 0 && isfinite(o->tol)))
        return crm__error(CRM_E_INVALID, "crm_clv_fit: tol must be > 0 (got %g)", o->tol);
    if (o->period != CRM_CLV_DAY && o->period != CRM_CLV_WEEK)
        return crm__error(CRM_E_INVALID, "crm_clv_fit: unknown period %d", (int)o->period);
    if (o->horizon < 0 || o->horizon > 1200)
        return crm__error(CRM_E_INVALID, "crm_clv_fit: horizon must be 0..1200 months (got %d)",
                          (int)o->horizon);
    if (!(o->discount > -1 && isfinite(o->discount)))
        return crm__error(CRM_E_INVALID, "crm_clv_fit: discount must be > -1 (got %g)",
                          o->discount);
    if (!(o->periods_per_month >= 0 && isfinite(o->periods_per_month)))
        return crm__error(CRM_E_INVALID, "crm_clv_fit: periods_per_month must be >= 0 (got %g)",
                          o->periods_per_month);
    if (!(o->t >= 0 || o->t == -1) || !isfinite(o->t))
        return crm__error(CRM_E_INVALID, "crm_clv_fit: t must be >= 0 or -1 (got %g)", o->t);
    if (o->n_threads < 0)
        return crm__error(CRM_E_INVALID, "crm_clv_fit: n_threads must be >= 0 (got %d)",
                          (int)o->n_threads);
    return CRM_OK;
}

static crm_status new_state(const crm_clv_options *o, clv_model **out)
{
    clv_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    const char *names[4];
    column_names(o, names);
    for (int j = 0; j < 4; j++)
        if (!(m->cols[j] = crm__strdup(names[j]))) {
            clv_free_state(m);
            return crm__nomem();
        }
    m->l2 = o->l2;
    m->horizon = o->horizon;
    m->discount = o->discount;
    m->per_month = o->periods_per_month > 0 ? o->periods_per_month
                   : o->period == CRM_CLV_WEEK  ? 4.345
                                                : 30.0;
    m->t = o->t >= 0 ? o->t : o->horizon * m->per_month;
    *out = m;
    return CRM_OK;
}

/* Fit both models into m from the validated columns. */
static crm_status fit_models(clv_model *m, const double *const *col, size_t n,
                             const crm_clv_options *o)
{
    double *xr = NULL, *mr = NULL;
    size_t nr = 0;
    crm__clv_data bd, gd;
    memset(&bd, 0, sizeof bd);
    memset(&gd, 0, sizeof gd);
    crm_status st = repeat_rows(col, n, m->cols, &xr, &mr, &nr);
    if (st == CRM_OK && nr == 0)
        st = crm__error(CRM_E_INVALID, "crm_clv_fit: no customer with repeat purchases "
                                       "(frequency > 0): BG/NBD and Gamma-Gamma cannot be fitted");
    if (st == CRM_OK) st = crm__clv_data_build(col, 3, n, o->n_threads, &bd);
    double meanT = 0, meanm = 0;
    for (size_t i = 0; st == CRM_OK && i < n; i++)
        meanT += col[2][i] / (double)n;
    for (size_t i = 0; st == CRM_OK && i < nr; i++)
        meanm += mr[i] / (double)nr;
    crm__clv_fit fb, fg;
    if (st == CRM_OK) {
        double th0[4] = {1, meanT > 0 ? meanT : 1, 1, 1};
        st = crm__clv_maximize(&bd, crm__clv_bg_loglik, 4, th0, o->l2, o->max_iter, o->tol, &fb);
        if (st) crm__error_prefix(st, "crm_clv_fit: BG/NBD");
    }
    if (st == CRM_OK) {
        const double *gc[2] = {xr, mr};
        st = crm__clv_data_build(gc, 2, nr, o->n_threads, &gd);
    }
    if (st == CRM_OK) {
        double th0[3] = {1, 2, meanm};
        st = crm__clv_maximize(&gd, crm__clv_gg_loglik, 3, th0, o->l2, o->max_iter, o->tol, &fg);
        if (st) crm__error_prefix(st, "crm_clv_fit: Gamma-Gamma");
    }
    if (st == CRM_OK) {
        memcpy(m->bg, fb.theta, sizeof m->bg);
        memcpy(m->gg, fg.theta, sizeof m->gg);
        memcpy(m->se, fb.se, 4 * sizeof(double));
        memcpy(m->se + 4, fg.se, 3 * sizeof(double));
        m->ll[0] = fb.loglik;
        m->ll[1] = fg.loglik;
        m->converged[0] = fb.converged;
        m->converged[1] = fg.converged;
        m->iterations[0] = fb.iterations;
        m->iterations[1] = fg.iterations;
        m->counts[0] = (double)n;
        m->counts[1] = (double)nr;
        m->counts[2] = (double)bd.n;
        m->corr = pearson(xr, mr, nr);
    }
    crm__clv_data_free(&bd);
    crm__clv_data_free(&gd);
    crm__free(xr);
    crm__free(mr);
    return st;
}

crm_status crm_clv_fit(const crm_dataset *summary, const crm_clv_options *user, crm_model **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_clv_fit: out is NULL");
    *out = NULL;
    if (!summary) return crm__error(CRM_E_INVALID, "crm_clv_fit: summary is NULL");
    crm_clv_options o;
    crm_status st = crm__options_load(&o, user, &clv_defaults, sizeof o, CRM__CLV_OPTIONS_V1_SIZE,
                                      "crm_clv_options");
    if (st) return st;
    if ((st = check_options(&o))) return st;
    if (summary->nrows == 0) return crm__error(CRM_E_INVALID, "crm_clv_fit: no rows");
    clv_model *m = NULL;
    if ((st = new_state(&o, &m))) return st;
    const double *col[4];
    st = read_columns(summary, m->cols, "crm_clv_fit", col);
    if (st == CRM_OK) st = fit_models(m, col, summary->nrows, &o);
    if (st) {
        clv_free_state(m);
        return st;
    }
    return crm__model_new(&crm__clv_vtable, m, out);
}

/* ---- the model kind ------------------------------------------------------------- */

typedef struct pred_ctx {
    const clv_model *m;
    const double *const *col;
    double *out[4]; /* clv, p_alive, expected_purchases, expected_spend */
    size_t n;
} pred_ctx;

#define PRED_BLOCK 1024

static void pred_block(void *vctx, size_t blk, int worker)
{
    (void)worker;
    const pred_ctx *c = vctx;
    const clv_model *m = c->m;
    size_t lo = blk * PRED_BLOCK, hi = lo + PRED_BLOCK < c->n ? lo + PRED_BLOCK : c->n;
    for (size_t i = lo; i < hi; i++) {
        double x = c->col[0][i], tx = c->col[1][i], T = c->col[2][i], mm = c->col[3][i];
        c->out[1][i] = crm__clv_p_alive(m->bg, x, tx, T);
        c->out[2][i] = crm__clv_expected(m->bg, x, tx, T, m->t);
        c->out[3][i] = crm__clv_spend(m->gg, x, mm);
        c->out[0][i] = crm__clv_value(m->bg, m->gg, x, tx, T, mm, m->horizon, m->discount,
                                      m->per_month);
    }
}

static crm_status clv_predict(const void *state, crm_dataset *ds, const char *out_col)
{
    const clv_model *m = state;
    const double *col[4];
    crm_status st = read_columns(ds, m->cols, "crm_model_predict", col);
    const char *names[4] = {out_col, "p_alive", "expected_purchases", "expected_spend"};
    for (int j = 0; st == CRM_OK && j < 4; j++) {
        st = crm__dataset_check_new_name(ds, names[j]);
        for (int k = 0; st == CRM_OK && k < j; k++)
            if (strcmp(names[j], names[k]) == 0)
                st = crm__error(CRM_E_INVALID, "crm_model_predict: pred_col \"%s\" is one of "
                                               "the CLV model's other columns",
                                out_col);
    }
    if (st) return st;
    size_t n = ds->nrows;
    pred_ctx c = {m, col, {NULL, NULL, NULL, NULL}, n};
    for (int j = 0; j < 4; j++)
        c.out[j] = crm__malloc_array(n ? n : 1, sizeof(double));
    if (!c.out[0] || !c.out[1] || !c.out[2] || !c.out[3]) st = crm__nomem();
    if (st == CRM_OK) {
        size_t nb = (n + PRED_BLOCK - 1) / PRED_BLOCK;
        crm__par_for(crm__par_threads(0, nb), nb, pred_block, &c);
    }
    int added = 0;
    for (; st == CRM_OK && added < 4; added++) {
        st = crm__dataset_add_owned(ds, names[added], CRM_TYPE_NUMBER, c.out[added], NULL, n);
        if (st == CRM_OK) c.out[added] = NULL;
    }
    if (st) { /* undo: ds unchanged on failure */
        for (int j = added - 1; j >= 0; j--)
            crm_dataset_drop_column(ds, names[j]);
    }
    for (int j = 0; j < 4; j++)
        crm__free(c.out[j]);
    return st;
}

static const char *const par_names[7] = {"r", "alpha", "a", "b", "p", "q", "v"};

static crm_status clv_summary(const void *state, crm_dataset **out)
{
    const clv_model *m = state;
    const char *model[7], *term[7];
    double est[7];
    for (int i = 0; i < 7; i++) {
        model[i] = i < 4 ? "bgnbd" : "gamma_gamma";
        term[i] = par_names[i];
        est[i] = i < 4 ? m->bg[i] : m->gg[i - 4];
    }
    crm_dataset *t = NULL;
    crm_status st = crm_dataset_new(&t);
    if (st == CRM_OK) st = crm_dataset_add_text(t, "model", model, 7);
    if (st == CRM_OK) st = crm_dataset_add_text(t, "term", term, 7);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "estimate", est, 7);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "std_error", m->se, 7);
    if (st) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

static const char *const clv_stat_names[] = {
    "r", "alpha", "a", "b", "se_r", "se_alpha", "se_a", "se_b", "p", "q", "v", "se_p", "se_q",
    "se_v", "loglik_bgnbd", "loglik_gamma_gamma", "loglik", "n_customers", "n_repeat",
    "n_triples", "corr_frequency_monetary", "converged_bgnbd", "iterations_bgnbd",
    "converged_gamma_gamma", "iterations_gamma_gamma", "l2", "horizon", "discount",
    "periods_per_month", "t", "dropout_rate", "dropout_rate_fixed", NULL};

/* a + b above which the Beta(a, b) of the dropout probability is taken as a
 * point mass (its standard deviation is below 5e-4): see crm/clv.h. */
#define DROPOUT_FIXED_AB 1e6

static double clv_stat(const void *state, size_t i)
{
    const clv_model *m = state;
    if (i < 4) return m->bg[i];
    if (i < 8) return m->se[i - 4];
    if (i < 11) return m->gg[i - 8];
    if (i < 14) return m->se[i - 7];
    switch (i) {
    case 14: return m->ll[0];
    case 15: return m->ll[1];
    case 16: return m->ll[0] + m->ll[1];
    case 17: return m->counts[0];
    case 18: return m->counts[1];
    case 19: return m->counts[2];
    case 20: return m->corr;
    case 21: return m->converged[0];
    case 22: return m->iterations[0];
    case 23: return m->converged[1];
    case 24: return m->iterations[1];
    case 25: return m->l2;
    case 26: return m->horizon;
    case 27: return m->discount;
    case 28: return m->per_month;
    case 29: return m->t;
    case 30: return m->bg[2] / (m->bg[2] + m->bg[3]);
    default: return m->bg[2] + m->bg[3] > DROPOUT_FIXED_AB;
    }
}

static crm_status clv_to_json(const void *state, crm__buf *b)
{
    const clv_model *m = state;
    double conv[2] = {m->converged[0], m->converged[1]};
    double iters[2] = {m->iterations[0], m->iterations[1]};
    crm_status st = crm__buf_printf(b, ",\"columns\":");
    if (st == CRM_OK) st = crm__json_write_strings(b, m->cols, 4);
#define NUMS(name, v, n)                                                                           \
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"" name "\":");                                   \
    if (st == CRM_OK) st = crm__json_write_numbers(b, (v), (n));
#define NUM(name, v)                                                                               \
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"" name "\":");                                   \
    if (st == CRM_OK) st = crm__json_write_number(b, (v));
    NUMS("bgnbd", m->bg, 4)
    NUMS("gamma_gamma", m->gg, 3)
    NUMS("se", m->se, 7)
    NUMS("loglik", m->ll, 2)
    NUMS("counts", m->counts, 3)
    NUM("corr", m->corr)
    NUMS("converged", conv, 2)
    NUMS("iterations", iters, 2)
    NUM("l2", m->l2)
    NUM("horizon", m->horizon)
    NUM("discount", m->discount)
    NUM("periods_per_month", m->per_month)
    NUM("t", m->t)
#undef NUM
#undef NUMS
    return st;
}

static crm_status clv_from_json(const crm__json *doc, void **state)
{
    const char *w = "clv model JSON";
    const double FIN = DBL_MAX;
    clv_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    const crm__json *cols = NULL;
    crm_status st = crm__json_get_array(doc, "columns", w, 4, &cols);
    for (size_t j = 0; st == CRM_OK && j < 4; j++) {
        if (cols->items[j].type != CRM__JSON_STRING || !cols->items[j].str[0])
            st = crm__error(CRM_E_PARSE, "%s: \"columns\"[%zu] must be a non-empty string", w, j);
        else if (!(m->cols[j] = crm__strdup(cols->items[j].str)))
            st = crm__nomem();
    }
    if (st == CRM_OK) st = crm__json_get_reals(doc, "bgnbd", w, 4, DBL_MIN, FIN, 0, m->bg);
    if (st == CRM_OK) st = crm__json_get_reals(doc, "gamma_gamma", w, 3, DBL_MIN, FIN, 0, m->gg);
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "se", w, 7, 0, INFINITY, CRM__JSON_NAN_OK, m->se);
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "loglik", w, 2, -INFINITY, INFINITY, CRM__JSON_NAN_OK,
                                 m->ll);
    if (st == CRM_OK) st = crm__json_get_reals(doc, "counts", w, 3, 0, FIN, 0, m->counts);
    if (st == CRM_OK)
        st = crm__json_get_real(doc, "corr", w, -1, 1, CRM__JSON_NAN_OK, &m->corr);
    const crm__json *arr = NULL;
    int64_t iv = 0;
    if (st == CRM_OK) st = crm__json_get_array(doc, "converged", w, 2, &arr);
    for (size_t j = 0; st == CRM_OK && j < 2; j++) {
        st = crm__json_int_at(arr, j, w, "converged", 0, 1, &iv);
        m->converged[j] = (int)iv;
    }
    if (st == CRM_OK) st = crm__json_get_array(doc, "iterations", w, 2, &arr);
    for (size_t j = 0; st == CRM_OK && j < 2; j++) {
        st = crm__json_int_at(arr, j, w, "iterations", 0, INT32_MAX, &iv);
        m->iterations[j] = (int)iv;
    }
    if (st == CRM_OK) st = crm__json_get_real(doc, "l2", w, 0, FIN, 0, &m->l2);
    if (st == CRM_OK) st = crm__json_get_i32(doc, "horizon", w, 0, 1200, &m->horizon);
    if (st == CRM_OK) st = crm__json_get_real(doc, "discount", w, -1, FIN, 0, &m->discount);
    if (st == CRM_OK && m->discount == -1)
        st = crm__error(CRM_E_PARSE, "%s: \"discount\" must be > -1", w);
    if (st == CRM_OK)
        st = crm__json_get_real(doc, "periods_per_month", w, DBL_MIN, FIN, 0, &m->per_month);
    if (st == CRM_OK) st = crm__json_get_real(doc, "t", w, 0, FIN, 0, &m->t);
    if (st) {
        clv_free_state(m);
        return st;
    }
    *state = m;
    return CRM_OK;
}

const crm__model_vtable crm__clv_vtable = {
    CRM_MODEL_CLV,  "clv",    clv_free_state, clv_predict,   clv_summary,
    clv_stat_names, clv_stat, clv_to_json,    clv_from_json, NULL,
    NULL, /* to_json_stream: written whole */
};
