/* Logistic and linear regression: hand-checked cases (the textbook trend),
 * design encoding, weights as repetition, class weights, standardize, the
 * distribution functions against scipy, save/load with bit-identical
 * predictions, bad input, cancellation, allocation failures. */
#include "test_util.h"

#include "linear/linear_internal.h"

#include <math.h>
#include <stddef.h>

/* Valgrind runs x87 long double arithmetic at double precision, which costs the
 * continued fraction of the incomplete beta (evaluated in long double) up to
 * four digits for a million degrees of freedom: the distribution checks use
 * wider tolerances there (natively they hold to 1e-13 and 1e-14). */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

static double stat(const crm_model *m, const char *name)
{
    double v = NAN;
    ck_assert_ok(crm_model_stat(m, name, &v));
    return v;
}

static void get_col(const crm_dataset *ds, const char *name, double *out)
{
    size_t ci = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &ci));
    ck_assert_ok(crm_dataset_get_number(ds, ci, 0, crm_dataset_nrows(ds), out));
}

static double sum_at(const crm_dataset *sum, const char *col, size_t row)
{
    size_t ci = 0;
    double v = NAN;
    ck_assert_ok(crm_dataset_column_index(sum, col, &ci));
    ck_assert_ok(crm_dataset_get_number(sum, ci, row, 1, &v));
    return v;
}

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* n rows: x1 ~ U(0, 4), x2 ~ U(-1, 1), grp in {a, b, c}, y ~ Bernoulli(logit(-1 + 0.8 x1
 * - 1.5 x2 + 0.7 [grp = b] - 0.4 [grp = c])), z = 3 + 2 x1 - x2 + noise. */
static crm_dataset *gen(size_t n, uint64_t seed)
{
    rng_state = seed;
    double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y),
           *z = malloc(n * sizeof *z);
    const char **g = malloc(n * sizeof *g), **yt = malloc(n * sizeof *yt);
    static const char *const lv[] = {"a", "b", "c"};
    for (size_t i = 0; i < n; i++) {
        x1[i] = 4 * urand();
        x2[i] = 2 * urand() - 1;
        size_t k = (size_t)(3 * urand());
        g[i] = lv[k];
        double e = -1 + 0.8 * x1[i] - 1.5 * x2[i] + (k == 1 ? 0.7 : k == 2 ? -0.4 : 0.0);
        y[i] = urand() < 1 / (1 + exp(-e)) ? 1.0 : 0.0;
        yt[i] = y[i] == 1.0 ? "churn" : "stay";
        z[i] = 3 + 2 * x1[i] - x2[i] + (urand() - 0.5);
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x1", x1, n));
    ck_assert_ok(crm_dataset_add_number(ds, "x2", x2, n));
    ck_assert_ok(crm_dataset_add_text(ds, "grp", g, n));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, n));
    ck_assert_ok(crm_dataset_add_text(ds, "yt", yt, n));
    ck_assert_ok(crm_dataset_add_number(ds, "z", z, n));
    free(x1);
    free(x2);
    free(y);
    free(z);
    free(g);
    free(yt);
    return ds;
}

static const char *const feats[] = {"x1", "x2", "grp"};

/* ---- core ------------------------------------------------------------------------ */

START_TEST(test_trend)
{
    /* x = 1..5, y = 100, 120, 130, 140, 150: slope 12, intercept 92 (mean of y is 128) */
    const double x[] = {1, 2, 3, 4, 5}, y[] = {100, 120, 130, 140, 150};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 5));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 5));
    const char *f[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_linreg_fit(ds, "y", f, 1, NULL, &m));
    ck_assert_int_eq(crm_model_kind(m), CRM_MODEL_LINREG);
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    ck_assert_double_eq_tol(sum_at(sum, "estimate", 0), 92.0, 1e-12);
    ck_assert_double_eq_tol(sum_at(sum, "estimate", 1), 12.0, 1e-13);
    /* statsmodels: bse 3.829708431025351, 1.1547005383792512; R^2 = 0.972972972972973 */
    ck_assert_double_eq_tol(sum_at(sum, "std_error", 0), 3.829708431025351, 1e-12);
    ck_assert_double_eq_tol(sum_at(sum, "std_error", 1), 1.1547005383792512, 1e-13);
    ck_assert_double_eq_tol(stat(m, "r2"), 0.972972972972973, 1e-14);
    ck_assert_double_eq(stat(m, "df_resid"), 3);
    const char *term = NULL;
    ck_assert_ok(crm_dataset_get_text(sum, 0, 0, &term));
    ck_assert_str_eq(term, "intercept");
    ck_assert_ok(crm_model_predict(m, ds, "fit"));
    double fit[5];
    get_col(ds, "fit", fit);
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(fit[i], 92.0 + 12.0 * (i + 1), 1e-12);
    crm_dataset_free(sum);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_dist_scipy)
{
    FILE *f = fopen(crm_test_file("reference/golden/linear_dist.tsv"), "r");
    ck_assert_ptr_nonnull(f);
    char key[8];
    int nt = 0, nz = 0;
    double ptol = UNDER_VALGRIND() ? 1e-10 : 1e-13, qtol = UNDER_VALGRIND() ? 1e-10 : 1e-14;
    for (;;) {
        if (fscanf(f, "%7s", key) != 1) break;
        if (strcmp(key, "t") == 0) {
            double t, df, p2, q, xp2, xq;
            ck_assert_int_eq(fscanf(f, "%lf %lf %lf %lf %lf %lf", &t, &df, &p2, &q, &xp2, &xq), 6);
            double got = crm__t_p2(t, df);
            /* against the 40-digit values: 1e-13 relative (the tail's exponent is
             * computed in double, so huge t * large df lose a little more) */
            ck_assert_msg(fabs(got - xp2) <= ptol * xp2 + 1e-300,
                          "t=%g df=%g: p %.17g vs exact %.17g (rel %.3g)", t, df, got, xp2,
                          fabs(got - xp2) / xp2);
            ck_assert_msg(fabs(got - p2) <= 10 * ptol * p2 + 1e-300,
                          "t=%g df=%g: p %.17g vs scipy %.17g (rel %.3g)", t, df, got, p2,
                          fabs(got - p2) / p2);
            /* the quantile to 1e-14 of the exact one; scipy's t.ppf is only good to
             * ~1e-10 (at df = 5 it is 3.8e-10 off) */
            double gq = crm__t_quantile(0.975, df);
            ck_assert_msg(fabs(gq - xq) <= qtol * xq, "df=%g: quantile %.17g vs exact %.17g", df,
                          gq, xq);
            ck_assert_msg(fabs(gq - q) <= 1e-9 * q, "df=%g: quantile %.17g vs scipy %.17g", df, gq,
                          q);
            nt++;
        } else {
            double z, p2, xp2;
            ck_assert_int_eq(fscanf(f, "%lf %lf %lf", &z, &p2, &xp2), 3);
            double got = crm__normal_p2(z);
            ck_assert_msg(fabs(got - xp2) <= 1e-14 * xp2, "z=%g: %.17g vs exact %.17g", z, got,
                          xp2);
            /* scipy's norm.sf loses ~6e-14 at z = 30 (the rounding of z / sqrt(2)) */
            ck_assert_msg(fabs(got - p2) <= 1e-13 * p2, "z=%g: %.17g vs scipy %.17g", z, got, p2);
            nz++;
        }
    }
    fclose(f);
    ck_assert_int_eq(nt, 100);
    ck_assert_int_eq(nz, 8);
    /* F tail: F(1, d) at t^2 is the two-sided t p-value */
    ck_assert_double_eq_tol(crm__f_sf(2.5 * 2.5, 1, 30), crm__t_p2(2.5, 30), 1e-15);
    ck_assert_double_eq_tol(crm__ibeta(2, 3, 0.4, 0.6), 0.5248, 1e-15);
}
END_TEST

START_TEST(test_logreg_design_and_json)
{
    crm_dataset *ds = gen(3000, 11);
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.positive = "churn";
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "yt", feats, 3, &o, &m));
    ck_assert_int_eq(crm_model_kind(m), CRM_MODEL_LOGREG);
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    ck_assert_uint_eq(crm_dataset_nrows(sum), 5);
    static const char *const terms[] = {"intercept", "x1", "x2", "grp=b", "grp=c"};
    static const char *const cols[] = {"term",      "estimate",   "std_error", "z",
                                       "p_value",   "odds_ratio", "ci_low",    "ci_high",
                                       "or_ci_low", "or_ci_high"};
    ck_assert_uint_eq(crm_dataset_ncols(sum), 10);
    for (size_t c = 0; c < 10; c++) {
        const char *nm = NULL;
        ck_assert_ok(crm_dataset_column_name(sum, c, &nm));
        ck_assert_str_eq(nm, cols[c]);
    }
    for (size_t j = 0; j < 5; j++) {
        const char *t = NULL;
        ck_assert_ok(crm_dataset_get_text(sum, 0, j, &t));
        ck_assert_str_eq(t, terms[j]);
        double est = sum_at(sum, "estimate", j), se = sum_at(sum, "std_error", j);
        ck_assert_double_eq_tol(sum_at(sum, "odds_ratio", j), exp(est), 1e-15 * exp(est));
        ck_assert_double_eq_tol(sum_at(sum, "ci_low", j), est - 1.959963984540054 * se, 1e-14);
        ck_assert(se > 0 && se < 0.5);
    }
    /* the true coefficients -1, 0.8, -1.5, 0.7, -0.4 within 4 standard errors */
    static const double truth[] = {-1, 0.8, -1.5, 0.7, -0.4};
    for (size_t j = 0; j < 5; j++)
        ck_assert(fabs(sum_at(sum, "estimate", j) - truth[j]) < 4 * sum_at(sum, "std_error", j));
    /* the same fit with the 0/1 number target */
    crm_model *m2 = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, NULL, &m2));
    crm_dataset *sum2 = NULL;
    ck_assert_ok(crm_model_summary(m2, &sum2));
    for (size_t j = 0; j < 5; j++)
        ck_assert_double_eq(sum_at(sum2, "estimate", j), sum_at(sum, "estimate", j));
    /* save / load: bit-identical predictions */
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    ck_assert_ptr_nonnull(strstr(js, "\"kind\":\"logreg\""));
    ck_assert_ptr_nonnull(strstr(js, "\"classes\":[\"stay\",\"churn\"]"));
    crm_model *m3 = NULL;
    ck_assert_ok(crm_model_from_json(js, &m3));
    char *js2 = NULL;
    ck_assert_ok(crm_model_to_json(m3, &js2));
    ck_assert_str_eq(js, js2);
    ck_assert_ok(crm_model_predict(m, ds, "p"));
    ck_assert_ok(crm_model_predict(m3, ds, "q"));
    size_t n = crm_dataset_nrows(ds);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    get_col(ds, "p_proba", a);
    get_col(ds, "q_proba", b);
    ck_assert_int_eq(memcmp(a, b, n * sizeof *a), 0);
    size_t ci;
    ck_assert_ok(crm_dataset_column_index(ds, "p", &ci));
    for (size_t i = 0; i < n; i++) {
        const char *lab = NULL;
        ck_assert_ok(crm_dataset_get_text(ds, ci, i, &lab));
        ck_assert_str_eq(lab, a[i] > 0.5 ? "churn" : "stay");
    }
    /* the stats survive too */
    size_t ns = 0;
    ck_assert_ok(crm_model_stat_count(m3, &ns));
    ck_assert_uint_eq(ns, 17);
    for (size_t i = 0; i < ns; i++) {
        const char *name = NULL;
        ck_assert_ok(crm_model_stat_name(m, i, &name));
        double v1 = stat(m, name), v2 = stat(m3, name);
        ck_assert(v1 == v2 || (isnan(v1) && isnan(v2)));
    }
    ck_assert_int_eq((int)stat(m, "converged"), 1);
    ck_assert_double_eq_tol(stat(m, "mcfadden_r2"), 1 - stat(m, "loglik") / stat(m, "loglik_null"),
                            1e-15);
    free(a);
    free(b);
    crm_free(js);
    crm_free(js2);
    crm_dataset_free(sum);
    crm_dataset_free(sum2);
    crm_model_free(m);
    crm_model_free(m2);
    crm_model_free(m3);
    crm_dataset_free(ds);
}
END_TEST

/* Integer weights are repetitions: the same coefficients and standard errors as
 * the duplicated rows. */
START_TEST(test_weights_are_repetition)
{
    crm_dataset *ds = gen(400, 5);
    size_t n = 400;
    double *w = malloc(n * sizeof *w);
    size_t *rows = malloc(3 * n * sizeof *rows), nr = 0;
    for (size_t i = 0; i < n; i++) {
        w[i] = (double)(i % 3);
        for (size_t k = 0; k < i % 3; k++)
            rows[nr++] = i;
    }
    ck_assert_ok(crm_dataset_add_number(ds, "w", w, n));
    /* the duplicated table via a repeated-row filter: build it column by column */
    crm_dataset *dup = NULL;
    ck_assert_ok(crm_dataset_new(&dup));
    double *v = malloc(nr * sizeof *v), *src = malloc(n * sizeof *src);
    const char **t = malloc(nr * sizeof *t);
    static const char *const numcols[] = {"x1", "x2", "y", "z"};
    for (size_t c = 0; c < 4; c++) {
        get_col(ds, numcols[c], src);
        for (size_t i = 0; i < nr; i++)
            v[i] = src[rows[i]];
        ck_assert_ok(crm_dataset_add_number(dup, numcols[c], v, nr));
    }
    size_t gi;
    ck_assert_ok(crm_dataset_column_index(ds, "grp", &gi));
    for (size_t i = 0; i < nr; i++)
        ck_assert_ok(crm_dataset_get_text(ds, gi, rows[i], &t[i]));
    ck_assert_ok(crm_dataset_add_text(dup, "grp", t, nr));
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.sample_weight = "w";
    crm_model *a = NULL, *b = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
    ck_assert_ok(crm_logreg_fit(dup, "y", feats, 3, NULL, &b));
    crm_dataset *sa = NULL, *sb = NULL;
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_ok(crm_model_summary(b, &sb));
    for (size_t j = 0; j < 5; j++) {
        double ea = sum_at(sa, "estimate", j), eb = sum_at(sb, "estimate", j);
        ck_assert_msg(fabs(ea - eb) <= 1e-10 * fabs(eb), "term %zu: %.17g vs %.17g", j, ea, eb);
        double qa = sum_at(sa, "std_error", j), qb = sum_at(sb, "std_error", j);
        ck_assert_msg(fabs(qa - qb) <= 1e-10 * qb, "se %zu: %.17g vs %.17g", j, qa, qb);
    }
    ck_assert_double_eq_tol(stat(a, "loglik"), stat(b, "loglik"), 1e-9);
    crm_dataset_free(sa);
    crm_dataset_free(sb);
    crm_model_free(a);
    crm_model_free(b);
    /* weighted least squares: coefficients of the duplicated rows too */
    crm_linreg_options lo;
    ck_assert_ok(crm_linreg_options_init(&lo, sizeof lo));
    lo.sample_weight = "w";
    ck_assert_ok(crm_linreg_fit(ds, "z", feats, 3, &lo, &a));
    ck_assert_ok(crm_linreg_fit(dup, "z", feats, 3, NULL, &b));
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_ok(crm_model_summary(b, &sb));
    for (size_t j = 0; j < 5; j++) {
        double ea = sum_at(sa, "estimate", j), eb = sum_at(sb, "estimate", j);
        ck_assert_msg(fabs(ea - eb) <= 1e-10 * fabs(eb) + 1e-12, "term %zu: %.17g vs %.17g", j, ea,
                      eb);
    }
    ck_assert_double_eq_tol(stat(a, "r2"), stat(b, "r2"), 1e-12);
    crm_dataset_free(sa);
    crm_dataset_free(sb);
    crm_model_free(a);
    crm_model_free(b);
    free(w);
    free(rows);
    free(v);
    free(src);
    free(t);
    crm_dataset_free(dup);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_class_weight_and_l2)
{
    crm_dataset *ds = gen(1000, 3);
    size_t n = 1000;
    double *y = malloc(n * sizeof *y), *w = malloc(n * sizeof *w);
    get_col(ds, "y", y);
    double n1 = 0;
    for (size_t i = 0; i < n; i++)
        n1 += y[i];
    for (size_t i = 0; i < n; i++)
        w[i] = y[i] == 1.0 ? n / (2 * n1) : n / (2 * (n - n1));
    ck_assert_ok(crm_dataset_add_number(ds, "bw", w, n));
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.class_weight = CRM_LOGREG_CLASS_WEIGHT_BALANCED;
    o.l2 = 0.5;
    crm_model *a = NULL, *b = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
    o.class_weight = CRM_LOGREG_CLASS_WEIGHT_NONE;
    o.sample_weight = "bw";
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &b));
    crm_dataset *sa = NULL, *sb = NULL;
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_ok(crm_model_summary(b, &sb));
    for (size_t j = 0; j < 5; j++)
        ck_assert_double_eq_tol(sum_at(sa, "estimate", j), sum_at(sb, "estimate", j), 1e-12);
    ck_assert(isnan(sum_at(sa, "std_error", 1)));
    crm_dataset_free(sa);
    crm_dataset_free(sb);
    crm_model_free(a);
    crm_model_free(b);
    /* a huge penalty shrinks every slope to ~0 but never the intercept */
    crm_logreg_options_init(&o, sizeof o);
    o.l2 = 1e9;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_double_eq_tol(sum_at(sa, "estimate", 0), log(n1 / (n - n1)), 1e-5);
    for (size_t j = 1; j < 5; j++)
        ck_assert(fabs(sum_at(sa, "estimate", j)) < 1e-5);
    crm_dataset_free(sa);
    crm_model_free(a);
    /* penalised standardize: the penalty acts on z-scores, so the fit differs
     * from the raw one, but predictions use the original scale */
    o.l2 = 5;
    o.standardize = 1;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
    o.standardize = 0;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &b));
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_ok(crm_model_summary(b, &sb));
    ck_assert(fabs(sum_at(sa, "estimate", 1) - sum_at(sb, "estimate", 1)) > 1e-6);
    crm_dataset_free(sa);
    crm_dataset_free(sb);
    crm_model_free(a);
    crm_model_free(b);
    free(y);
    free(w);
    crm_dataset_free(ds);
}
END_TEST

/* Newton and L-BFGS reach the same penalised optimum; AUTO takes L-BFGS above
 * 2,000 terms. */
START_TEST(test_lbfgs)
{
    crm_dataset *ds = gen(2000, 9);
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.l2 = 0.1;
    o.solver = CRM_LOGREG_NEWTON;
    crm_model *a = NULL, *b = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
    o.solver = CRM_LOGREG_LBFGS;
    o.tol = 1e-12;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &b));
    ck_assert_int_eq((int)stat(b, "converged"), 1);
    crm_dataset *sa = NULL, *sb = NULL;
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_ok(crm_model_summary(b, &sb));
    for (size_t j = 0; j < 5; j++)
        ck_assert_double_eq_tol(sum_at(sa, "estimate", j), sum_at(sb, "estimate", j), 1e-6);
    ck_assert_double_eq_tol(stat(a, "objective"), stat(b, "objective"), 1e-9);
    crm_dataset_free(sa);
    crm_dataset_free(sb);
    crm_model_free(a);
    crm_model_free(b);
    /* 2,100 rows, an id-like text feature of 2,050 levels: 2,050 terms -> L-BFGS */
    size_t n = 2100;
    const char **ids = malloc(n * sizeof *ids);
    char(*buf)[16] = malloc(n * sizeof *buf);
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "id%05zu", i % 2050);
        ids[i] = buf[i];
    }
    crm_dataset *wide = gen(n, 4);
    ck_assert_ok(crm_dataset_add_text(wide, "id", ids, n));
    const char *wf[] = {"x1", "id"};
    o.solver = CRM_LOGREG_AUTO;
    o.l2 = 1.0;
    o.tol = 1e-8;
    ck_assert_ok(crm_logreg_fit(wide, "y", wf, 2, &o, &a));
    ck_assert_double_eq(stat(a, "n_terms"), 2051);
    ck_assert_int_eq((int)stat(a, "converged"), 1);
    ck_assert(stat(a, "n_iter") > 8); /* L-BFGS, not Newton */
    crm_model_free(a);
    free(ids);
    free(buf);
    crm_dataset_free(wide);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_linreg_ridge_and_missing)
{
    crm_dataset *ds = gen(500, 21);
    crm_linreg_options o;
    ck_assert_ok(crm_linreg_options_init(&o, sizeof o));
    crm_model *a = NULL, *b = NULL;
    ck_assert_ok(crm_linreg_fit(ds, "z", feats, 3, &o, &a));
    crm_dataset *sa = NULL, *sb = NULL;
    ck_assert_ok(crm_model_summary(a, &sa));
    ck_assert_double_eq_tol(sum_at(sa, "estimate", 1), 2.0, 0.1);
    ck_assert_double_eq_tol(sum_at(sa, "estimate", 2), -1.0, 0.1);
    ck_assert(sum_at(sa, "p_value", 1) < 1e-100);
    ck_assert(stat(a, "r2") > 0.9 && stat(a, "adj_r2") < stat(a, "r2"));
    ck_assert_double_eq_tol(stat(a, "sigma"), sqrt(stat(a, "sigma2")), 1e-15);
    /* ridge: the normal equations (X^T X + l2 I') b = X^T y hold */
    o.l2 = 50;
    ck_assert_ok(crm_linreg_fit(ds, "z", feats, 3, &o, &b));
    ck_assert_ok(crm_model_summary(b, &sb));
    ck_assert(fabs(sum_at(sb, "estimate", 1)) < fabs(sum_at(sa, "estimate", 1)));
    ck_assert(isnan(sum_at(sb, "std_error", 1)));
    {
        size_t n = 500;
        double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2),
               *z = malloc(n * sizeof *z);
        get_col(ds, "x1", x1);
        get_col(ds, "x2", x2);
        get_col(ds, "z", z);
        size_t gi;
        ck_assert_ok(crm_dataset_column_index(ds, "grp", &gi));
        double bb[5], g[5] = {0};
        for (size_t j = 0; j < 5; j++)
            bb[j] = sum_at(sb, "estimate", j);
        for (size_t i = 0; i < n; i++) {
            const char *s = NULL;
            ck_assert_ok(crm_dataset_get_text(ds, gi, i, &s));
            double x[5] = {1, x1[i], x2[i], s[0] == 'b', s[0] == 'c'};
            double r = z[i];
            for (size_t j = 0; j < 5; j++)
                r -= x[j] * bb[j];
            for (size_t j = 0; j < 5; j++)
                g[j] += x[j] * r;
        }
        for (size_t j = 1; j < 5; j++)
            g[j] -= 50 * bb[j];
        for (size_t j = 0; j < 5; j++)
            ck_assert_msg(fabs(g[j]) < 1e-9, "gradient %zu = %g", j, g[j]);
        free(x1);
        free(x2);
        free(z);
    }
    crm_dataset_free(sa);
    crm_dataset_free(sb);
    crm_model_free(a);
    crm_model_free(b);
    /* a missing value: refused naming the row, or dropped */
    double nanv[3] = {1, NAN, 2};
    const char *gt[3] = {"a", "b", NULL};
    const double zz[3] = {1, 2, 3};
    crm_dataset *s = NULL;
    ck_assert_ok(crm_dataset_new(&s));
    ck_assert_ok(crm_dataset_add_number(s, "x", nanv, 3));
    ck_assert_ok(crm_dataset_add_text(s, "g", gt, 3));
    ck_assert_ok(crm_dataset_add_number(s, "z", zz, 3));
    const char *f1[] = {"x"};
    crm_linreg_options_init(&o, sizeof o);
    ck_assert_error(crm_linreg_fit(s, "z", f1, 1, &o, &a), CRM_E_INVALID);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 1"));
    crm_dataset_free(s);
    crm_dataset_free(ds);
}
END_TEST

static int cancel_cb(double fraction, void *user)
{
    (void)fraction;
    int *calls = user;
    return ++*calls >= 2;
}

START_TEST(test_cancel_and_progress)
{
    crm_dataset *ds = gen(500, 2);
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    int calls = 0;
    o.progress = cancel_cb;
    o.user = &calls;
    crm_model *m = NULL;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_CANCELLED);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(calls, 2);
    /* max_iter reached is not an error */
    o.progress = NULL;
    o.max_iter = 1;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &m));
    ck_assert_int_eq((int)stat(m, "converged"), 0);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* ---- limits ----------------------------------------------------------------------- */

START_TEST(test_intercept_only_and_no_intercept)
{
    crm_dataset *ds = gen(300, 7);
    double y[300];
    get_col(ds, "y", y);
    double s = 0;
    for (int i = 0; i < 300; i++)
        s += y[i];
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", NULL, 0, NULL, &m));
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    ck_assert_double_eq_tol(sum_at(sum, "estimate", 0), log(s / (300 - s)), 1e-12);
    ck_assert_double_eq_tol(stat(m, "loglik"), stat(m, "loglik_null"), 1e-9);
    crm_dataset_free(sum);
    crm_model_free(m);
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.fit_intercept = 0;
    const char *f[] = {"x1", "x2"};
    ck_assert_ok(crm_logreg_fit(ds, "y", f, 2, &o, &m));
    ck_assert_double_eq(stat(m, "n_terms"), 2);
    ck_assert_double_eq_tol(stat(m, "loglik_null"), 300 * log(0.5), 1e-9);
    crm_model_free(m);
    /* predicting needs the features, of the right type, and known levels */
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, NULL, &m));
    crm_dataset *other = NULL;
    const double xv[2] = {1, 2};
    const char *gv[2] = {"a", "zzz"};
    ck_assert_ok(crm_dataset_new(&other));
    ck_assert_ok(crm_dataset_add_number(other, "x1", xv, 2));
    ck_assert_error(crm_model_predict(m, other, "p"), CRM_E_NOTFOUND);
    ck_assert_ok(crm_dataset_add_number(other, "x2", xv, 2));
    ck_assert_ok(crm_dataset_add_text(other, "grp", gv, 2));
    ck_assert_error(crm_model_predict(m, other, "p"), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "zzz"));
    ck_assert_uint_eq(crm_dataset_ncols(other), 3);
    ck_assert_error(crm_model_predict(m, other, "x1"), CRM_E_INVALID);
    crm_dataset_free(other);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_options_defaults)
{
    crm_logreg_options o;
    memset(&o, 0xff, sizeof o);
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert(o.l2 == 0.0 && o.fit_intercept == 1 && o.standardize == 0);
    ck_assert_ptr_null(o.positive);
    ck_assert_ptr_null(o.sample_weight);
    ck_assert_int_eq(o.class_weight, CRM_LOGREG_CLASS_WEIGHT_NONE);
    ck_assert_int_eq(o.max_iter, 100);
    ck_assert(o.tol == 1e-8);
    ck_assert_int_eq(o.missing, CRM_LINEAR_MISSING_ERROR);
    ck_assert_int_eq(o.solver, CRM_LOGREG_AUTO);
    ck_assert_int_eq(o.n_threads, 0);
    ck_assert(o.progress == NULL && o.user == NULL);
    crm_linreg_options l;
    memset(&l, 0xff, sizeof l);
    ck_assert_ok(crm_linreg_options_init(&l, sizeof l));
    ck_assert(l.size == sizeof l && l.l2 == 0.0 && l.fit_intercept == 1);
    ck_assert(l.missing == CRM_LINEAR_MISSING_ERROR && l.sample_weight == NULL);
    crm_metrics_options mo;
    memset(&mo, 0xff, sizeof mo);
    ck_assert_ok(crm_metrics_options_init(&mo, sizeof mo));
    ck_assert(mo.positive == NULL && mo.threshold == 0.5 && mo.sample_weight == NULL);
    /* results do not depend on the number of threads */
    crm_dataset *ds = gen(20000, 17);
    crm_model *a = NULL, *b = NULL;
    o.n_threads = 1;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
    o.n_threads = 3;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &b));
    char *ja = NULL, *jb = NULL;
    ck_assert_ok(crm_model_to_json(a, &ja));
    ck_assert_ok(crm_model_to_json(b, &jb));
    ck_assert_str_eq(ja, jb);
    crm_free(ja);
    crm_free(jb);
    crm_model_free(a);
    crm_model_free(b);
    crm_dataset_free(ds);
}
END_TEST

/* ---- bad input ----------------------------------------------------------------------- */

START_TEST(test_bad_input)
{
    crm_dataset *ds = gen(200, 13);
    crm_model *m = NULL;
    crm_logreg_options o;
    crm_linreg_options lo;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    ck_assert_ok(crm_linreg_options_init(&lo, sizeof lo));
    /* NULLs */
    ck_assert_error(crm_logreg_fit(NULL, "y", feats, 3, NULL, &m), CRM_E_INVALID);
    ck_assert_error(crm_logreg_fit(ds, NULL, feats, 3, NULL, &m), CRM_E_INVALID);
    ck_assert_error(crm_logreg_fit(ds, "y", NULL, 3, NULL, &m), CRM_E_INVALID);
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, NULL, NULL), CRM_E_INVALID);
    ck_assert_error(crm_linreg_fit(ds, "z", feats, 3, NULL, NULL), CRM_E_INVALID);
    ck_assert_error(crm_logreg_options_init(NULL, sizeof o), CRM_E_INVALID);
    ck_assert_error(crm_logreg_options_init(&o, 8), CRM_E_INVALID);
    ck_assert_error(crm_linreg_options_init(&lo, 8), CRM_E_INVALID);
    /* unknown / wrong columns */
    const char *nf[] = {"nope"};
    ck_assert_error(crm_logreg_fit(ds, "y", nf, 1, NULL, &m), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "nope"));
    ck_assert_error(crm_logreg_fit(ds, "nope", feats, 3, NULL, &m), CRM_E_NOTFOUND);
    ck_assert_error(crm_linreg_fit(ds, "yt", feats, 3, NULL, &m), CRM_E_TYPE);
    const char *dupf[] = {"x1", "x1"};
    ck_assert_error(crm_logreg_fit(ds, "y", dupf, 2, NULL, &m), CRM_E_INVALID);
    const char *tf[] = {"x1", "y"};
    ck_assert_error(crm_logreg_fit(ds, "y", tf, 2, NULL, &m), CRM_E_INVALID);
    /* options */
    o.l2 = -1;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_INVALID);
    o.l2 = 0;
    o.tol = 0;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_INVALID);
    o.tol = 1e-8;
    o.max_iter = 0;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_INVALID);
    o.max_iter = 100;
    o.class_weight = 9;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_INVALID);
    o.class_weight = 0;
    o.missing = 5;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_INVALID);
    o.missing = 0;
    o.n_threads = -1;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &o, &m), CRM_E_INVALID);
    o.n_threads = 0;
    lo.l2 = NAN;
    ck_assert_error(crm_linreg_fit(ds, "z", feats, 3, &lo, &m), CRM_E_INVALID);
    lo.l2 = 0;
    /* a newer caller's struct with an unknown field set */
    struct {
        crm_logreg_options o;
        double extra;
    } big;
    memset(&big, 0, sizeof big);
    ck_assert_ok(crm_logreg_options_init(&big.o, sizeof big));
    big.extra = 1;
    ck_assert_error(crm_logreg_fit(ds, "y", feats, 3, &big.o, &m), CRM_E_FORMAT);
    /* unknown positive label; a number target that is not 0/1 */
    o.positive = "maybe";
    ck_assert_error(crm_logreg_fit(ds, "yt", feats, 3, &o, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "maybe"));
    o.positive = NULL;
    ck_assert_error(crm_logreg_fit(ds, "z", feats, 3, &o, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "0 or 1"));
    ck_assert_ptr_null(m);
    crm_dataset_free(ds);
}
END_TEST

/* The bad-input table of the issue: each a clear error. */
START_TEST(test_bad_data)
{
    crm_model *m = NULL;
    crm_dataset *ds = NULL;
    const double x[] = {1, 2, 3, 4, 5, 6, 7, 8};
    const double c[] = {3, 3, 3, 3, 3, 3, 3, 3};
    const double ysep[] = {0, 0, 0, 0, 1, 1, 1, 1};
    const double yq[] = {0, 0, 0, 1, 0, 1, 1, 1};
    const double ynan[] = {0, 1, 0, 1, NAN, 1, 0, 1};
    const double xnan[] = {1, 2, NAN, 4, 5, 6, 7, 8};
    const char *one[] = {"a", "a", "a", "a", "a", "a", "a", "a"};
    const char *three[] = {"a", "b", "c", "a", "b", "c", "a", "b"};
    const char *lv8[] = {"p", "q", "r", "s", "t", "u", "v", "w"};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "c", c, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "ysep", ysep, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "yq", yq, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "ynan", ynan, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "xnan", xnan, 8));
    ck_assert_ok(crm_dataset_add_text(ds, "one", one, 8));
    ck_assert_ok(crm_dataset_add_text(ds, "three", three, 8));
    ck_assert_ok(crm_dataset_add_text(ds, "lv8", lv8, 8));
    const char *fx[] = {"x"}, *fxc[] = {"x", "c"}, *fl[] = {"x", "lv8"}, *fn[] = {"xnan"};
    /* constant feature next to the intercept */
    ck_assert_error(crm_logreg_fit(ds, "yq", fxc, 2, NULL, &m), CRM_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"c\""));
    ck_assert_error(crm_linreg_fit(ds, "x", (const char *[]){"c"}, 1, NULL, &m), CRM_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"c\""));
    /* perfectly separated data, naming the term */
    ck_assert_error(crm_logreg_fit(ds, "ysep", fx, 1, NULL, &m), CRM_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "separation"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"x\""));
    /* ... which a penalty fixes */
    crm_logreg_options o;
    crm_logreg_options_init(&o, sizeof o);
    o.l2 = 1;
    ck_assert_ok(crm_logreg_fit(ds, "ysep", fx, 1, &o, &m));
    crm_model_free(m);
    /* more terms than rows */
    ck_assert_error(crm_logreg_fit(ds, "yq", fl, 2, NULL, &m), CRM_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "more terms"));
    ck_assert_error(crm_linreg_fit(ds, "c", fl, 2, NULL, &m), CRM_E_NUMERIC);
    /* target with one class / three classes */
    ck_assert_error(crm_logreg_fit(ds, "one", fx, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "1 class"));
    ck_assert_error(crm_logreg_fit(ds, "three", fx, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "3 classes"));
    ck_assert_error(crm_logreg_fit(ds, "c", fx, 1, NULL, &m), CRM_E_INVALID);
    /* NaN in a feature and in the target, naming the row; dropped on request */
    ck_assert_error(crm_logreg_fit(ds, "yq", fn, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"xnan\" row 2"));
    ck_assert_error(crm_logreg_fit(ds, "ynan", fx, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 4"));
    crm_logreg_options_init(&o, sizeof o);
    o.missing = CRM_LINEAR_MISSING_DROP;
    ck_assert_ok(crm_logreg_fit(ds, "yq", fn, 1, &o, &m));
    ck_assert_double_eq(stat(m, "n_rows"), 7);
    crm_model_free(m);
    /* the failed calls left the dataset usable */
    ck_assert_ok(crm_logreg_fit(ds, "yq", fx, 1, NULL, &m));
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_json)
{
    static const char *const docs[] = {
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"logreg\"}",
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"logreg\",\"target\":\"y\","
        "\"features\":[{\"name\":\"g\",\"type\":\"text\",\"levels\":[\"b\",\"a\"]}],"
        "\"intercept\":true,\"terms\":[\"intercept\",\"g=a\"],\"coef\":[1,2],"
        "\"std_error\":[1,1],\"classes\":null,\"stats\":{}}",
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"linreg\",\"target\":\"y\","
        "\"features\":[{\"name\":\"x\",\"type\":\"number\"}],\"intercept\":true,"
        "\"terms\":[\"intercept\"],\"coef\":[1],\"std_error\":[1],\"stats\":{}}",
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"linreg\",\"target\":\"y\","
        "\"features\":[{\"name\":\"x\",\"type\":\"time\"}],\"intercept\":true,"
        "\"terms\":[\"intercept\",\"x\"],\"coef\":[1,2],\"std_error\":[1,1],\"stats\":{}}",
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"linreg\",\"target\":\"y\","
        "\"features\":[{\"name\":\"x\",\"type\":\"number\"}],\"intercept\":true,"
        "\"terms\":[\"intercept\",\"x\"],\"coef\":[1,\"inf\"],\"std_error\":[1,1],\"stats\":{}}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        crm_model *m = (crm_model *)1;
        crm_status st = crm_model_from_json(docs[i], &m);
        ck_assert_msg(st == CRM_E_PARSE, "doc %zu: %s (%s)", i, crm_status_str(st),
                      crm_last_error());
        ck_assert_ptr_null(m);
    }
    /* a minimal valid linreg document predicts */
    crm_model *m = NULL;
    ck_assert_ok(crm_model_from_json(
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"linreg\",\"target\":\"y\","
        "\"features\":[{\"name\":\"x\",\"type\":\"number\"}],\"intercept\":true,"
        "\"terms\":[\"intercept\",\"x\"],\"coef\":[1,2],\"std_error\":[\"nan\",1],\"stats\":{}}",
        &m));
    crm_dataset *ds = NULL;
    const double x[] = {0, 1, 2};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 3));
    ck_assert_ok(crm_model_predict(m, ds, "yhat"));
    double v[3];
    get_col(ds, "yhat", v);
    ck_assert_double_eq(v[2], 5.0);
    ck_assert(isnan(stat(m, "r2")));
    crm_dataset_free(ds);
    crm_model_free(m);
}
END_TEST

/* ---- allocation failures ----------------------------------------------------------- */

static crm_status af_dataset(crm_dataset **ds)
{
    static const double x[] = {0.5, 1.5, 2.0, 3.5, 0.2, 2.2, 3.1, 1.1, 0.7, 2.9};
    static const double z[] = {1.0, 2.5, 2.0, 4.0, 0.8, 3.0, 3.5, 1.0, 1.5, 2.5};
    static const char *const y[] = {"n", "n", "y", "y", "n", "y", "y", "n", "y", "n"};
    static const char *const g[] = {"a", "b", "a", "b", "c", "c", "a", "b", "c", "a"};
    crm_status st = crm_dataset_new(ds);
    if (st == CRM_OK) st = crm_dataset_add_number(*ds, "x", x, 10);
    if (st == CRM_OK) st = crm_dataset_add_number(*ds, "z", z, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(*ds, "y", y, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(*ds, "g", g, 10);
    return st;
}

static crm_status af_logreg(void)
{
    crm_dataset *ds = NULL, *s = NULL;
    crm_model *m = NULL, *m2 = NULL;
    char *js = NULL;
    const char *f[] = {"x", "g"};
    crm_logreg_options o;
    crm_logreg_options_init(&o, sizeof o);
    o.positive = "y";
    o.l2 = 0.1;
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_logreg_fit(ds, "y", f, 2, &o, &m);
    if (st == CRM_OK) st = crm_model_summary(m, &s);
    if (st == CRM_OK) st = crm_model_to_json(m, &js);
    if (st == CRM_OK) st = crm_model_from_json(js, &m2);
    if (st == CRM_OK) st = crm_model_predict(m2, ds, "p");
    crm_free(js);
    crm_dataset_free(s);
    crm_model_free(m);
    crm_model_free(m2);
    crm_dataset_free(ds);
    return st;
}

static crm_status af_logreg_lbfgs(void)
{
    crm_dataset *ds = NULL;
    crm_model *m = NULL;
    const char *f[] = {"x", "z"};
    crm_logreg_options o;
    crm_logreg_options_init(&o, sizeof o);
    o.positive = "y";
    o.solver = CRM_LOGREG_LBFGS;
    o.class_weight = CRM_LOGREG_CLASS_WEIGHT_BALANCED;
    o.standardize = 1;
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_logreg_fit(ds, "y", f, 2, &o, &m);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

static crm_status af_linreg(void)
{
    crm_dataset *ds = NULL, *s = NULL, *mt = NULL;
    crm_model *m = NULL;
    const char *f[] = {"x", "g"};
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_linreg_fit(ds, "z", f, 2, NULL, &m);
    if (st == CRM_OK) st = crm_model_summary(m, &s);
    if (st == CRM_OK) st = crm_model_predict(m, ds, "zh");
    if (st == CRM_OK) st = crm_metrics_regression(ds, "z", "zh", NULL, &mt);
    crm_dataset_free(mt);
    crm_dataset_free(s);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

/* Large enough for the Newton fit to start from a subsample's optimum (and to
 * take its intermediate Hessians in single precision): the same optimum and
 * standard errors as L-BFGS run to a tight tolerance, with and without a
 * penalty, and bit-identical results for 1 and 2 threads. */
START_TEST(test_subsample_start)
{
    crm_dataset *ds = gen(300000, 21);
    for (int pen = 0; pen < 2; pen++) {
        crm_logreg_options o;
        ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
        o.l2 = pen ? 1.0 : 0.0;
        o.n_threads = 1;
        crm_model *a = NULL, *a2 = NULL, *b = NULL;
        ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a));
        ck_assert_int_eq((int)stat(a, "converged"), 1);
        ck_assert_int_le((int)stat(a, "n_iter"), 4);
        o.n_threads = 2;
        ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &a2));
        o.solver = CRM_LOGREG_LBFGS;
        o.tol = 1e-13;
        ck_assert_ok(crm_logreg_fit(ds, "y", feats, 3, &o, &b));
        ck_assert_int_eq((int)stat(b, "converged"), 1);
        crm_dataset *sa = NULL, *sa2 = NULL, *sb = NULL;
        ck_assert_ok(crm_model_summary(a, &sa));
        ck_assert_ok(crm_model_summary(a2, &sa2));
        ck_assert_ok(crm_model_summary(b, &sb));
        for (size_t j = 0; j < 5; j++) {
            double ea = sum_at(sa, "estimate", j), eb = sum_at(sb, "estimate", j);
            ck_assert(ea == sum_at(sa2, "estimate", j));
            ck_assert_double_eq_tol(ea, eb, 1e-6 * (fabs(eb) > 1 ? fabs(eb) : 1.0));
            if (!pen) {
                double sea = sum_at(sa, "std_error", j), seb = sum_at(sb, "std_error", j);
                ck_assert(sea == sum_at(sa2, "std_error", j));
                ck_assert_double_eq_tol(sea, seb, 1e-6 * seb);
            }
        }
        ck_assert(stat(a, "loglik") == stat(a2, "loglik"));
        ck_assert_double_eq_tol(stat(a, "objective"), stat(b, "objective"),
                                1e-10 * fabs(stat(b, "objective")));
        ck_assert(stat(a, "objective") <= stat(b, "objective") * (1 + 1e-15));
        crm_dataset_free(sa);
        crm_dataset_free(sa2);
        crm_dataset_free(sb);
        crm_model_free(a);
        crm_model_free(a2);
        crm_model_free(b);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(af_logreg());
    CRM_TEST_EACH_ALLOC_FAILURE(af_logreg_lbfgs());
    CRM_TEST_EACH_ALLOC_FAILURE(af_linreg());
}
END_TEST

Suite *crm_linear_suite(void)
{
    Suite *s = suite_create("linear");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_trend);
    tcase_add_test(tc, test_dist_scipy);
    tcase_add_test(tc, test_logreg_design_and_json);
    tcase_add_test(tc, test_weights_are_repetition);
    tcase_add_test(tc, test_class_weight_and_l2);
    tcase_add_test(tc, test_lbfgs);
    tcase_add_test(tc, test_subsample_start);
    tcase_add_test(tc, test_linreg_ridge_and_missing);
    tcase_add_test(tc, test_cancel_and_progress);
    tcase_add_test(tc, test_options_defaults);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_intercept_only_and_no_intercept);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad_input");
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_bad_data);
    tcase_add_test(tc, test_bad_json);
    suite_add_tcase(s, tc);
    return s;
}
