/* Logistic and linear regression on the Telco churn data against the golden
 * statsmodels / scikit-learn results of tests/reference/linear.py. */
#include "test_util.h"

#include <math.h>

/* Tolerances (relative unless said otherwise), each a small multiple (at most
 * 10x) of the largest difference the suite prints in its "parity:" lines on the
 * reference machine, with a floor of a few ulps where the values agree to the
 * last bit. docs/regression.md quotes them. */
#define TOL_LOGIT_EST 3e-14    /* measured 5.5e-15 */
#define TOL_LOGIT_SE 1e-7      /* 2.5e-8: statsmodels' covariance is that of its last step */
#define TOL_LOGIT_Z 1e-7       /* 2.5e-8 */
#define TOL_LOGIT_P 1e-5       /* 1.9e-6: p of |z| up to 15, relative error ~ z^2 that of z */
#define TOL_LOGIT_CI_LOW 5e-8  /* 9.2e-9 */
#define TOL_LOGIT_CI_HIGH 5e-8 /* 1.4e-8 */
#define TOL_LOGIT_LLF 1e-15    /* 0 */
#define TOL_LOGIT_LLNULL 1e-10 /* 1.9e-11: statsmodels fits the null model iteratively */
#define TOL_LOGIT_R2 3e-10     /* 5.2e-11, from the null log-likelihood */
#define TOL_LOGIT_IC 1e-15     /* 0 */
#define TOL_LOGIT_PROBA 3e-15  /* 5.6e-16, absolute */
#define TOL_STD_EST 1e-14      /* 2.4e-15 */
#define TOL_LBFGS_EST 2e-6     /* 4.4e-7: L-BFGS stops at tol 1e-10 */
#define TOL_LBFGS_LLF 4e-15    /* 9.2e-16 */
#define TOL_L2_EST 4e-12       /* 8.3e-13 */
#define TOL_L2_OBJ 1e-15       /* 1.5e-16 */
#define TOL_OLS_EST 5e-13      /* 9.7e-14 */
#define TOL_OLS_SE 3e-14       /* 6.4e-15 */
#define TOL_OLS_T 5e-13        /* 9.8e-14 */
#define TOL_OLS_P 3e-12        /* 5.6e-13 */
#define TOL_OLS_CI_LOW 1e-13   /* 1.9e-14 */
#define TOL_OLS_CI_HIGH 2e-13  /* 4.7e-14 */
#define TOL_OLS_R2 2e-15       /* 4.9e-16 */
#define TOL_OLS_F 2e-14        /* 5.1e-15 */
#define TOL_OLS_LLF 1e-15      /* 1.3e-16 */
#define TOL_OLS_SS 2e-14       /* 4.1e-15 */
#define TOL_REG_METRICS 4e-15  /* 1e-15 (MAE), 5.4e-16 (MAPE), 0 (RMSE, R^2) */
#define TOL_CLS_METRICS 1e-15  /* 1.3e-16 (AUC), 0 (the others) */

/* One golden file: "key<TAB>v<TAB>v..." lines. */
typedef struct gline {
    char *key;
    size_t n;
    char **s;
    double *v;
} gline;

typedef struct golden {
    size_t n;
    gline *l;
} golden;

static void golden_read(const char *rel, golden *g)
{
    FILE *f = fopen(crm_test_file(rel), "r");
    ck_assert_msg(f != NULL, "cannot open %s", rel);
    g->n = 0;
    g->l = NULL;
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (g->n == cap) g->l = realloc(g->l, (cap = cap ? 2 * cap : 64) * sizeof *g->l);
        gline *gl = &g->l[g->n++];
        size_t k = 0;
        for (char *p = line; *p; p++)
            k += *p == '\t';
        gl->n = k;
        gl->s = calloc(k + 1, sizeof *gl->s);
        gl->v = calloc(k + 1, sizeof *gl->v);
        char *save = NULL, *tok = strtok_r(line, "\t", &save);
        gl->key = strdup(tok);
        for (size_t i = 0; i < k; i++) {
            tok = strtok_r(NULL, "\t", &save);
            gl->s[i] = strdup(tok ? tok : "");
            gl->v[i] = tok ? strtod(tok, NULL) : NAN;
        }
    }
    free(line);
    fclose(f);
}

static void golden_free(golden *g)
{
    for (size_t i = 0; i < g->n; i++) {
        for (size_t j = 0; j < g->l[i].n; j++)
            free(g->l[i].s[j]);
        free(g->l[i].s);
        free(g->l[i].v);
        free(g->l[i].key);
    }
    free(g->l);
}

static const gline *gget(const golden *g, const char *key)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->l[i].key, key) == 0) return &g->l[i];
    ck_abort_msg("golden key %s missing", key);
    return NULL;
}

static double g1(const golden *g, const char *key)
{
    return gget(g, key)->v[0];
}

static crm_dataset *telco(void)
{
    crm_dataset *raw = NULL, *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(
        crm_test_data("telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"), NULL, &raw));
    ck_assert_ok(crm_dataset_filter(raw, "TotalCharges is not missing", &ds));
    crm_dataset_free(raw);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 7032);
    return ds;
}

/* Compare a summary column with a golden line, term by term. */
static void check_column(const crm_dataset *sum, const char *col, const gline *gl, crm_parity *p)
{
    size_t ci, n = crm_dataset_nrows(sum);
    ck_assert_uint_eq(n, gl->n);
    ck_assert_ok(crm_dataset_column_index(sum, col, &ci));
    double *v = malloc(n * sizeof *v);
    ck_assert_ok(crm_dataset_get_number(sum, ci, 0, n, v));
    for (size_t j = 0; j < n; j++)
        crm_parity_check(p, v[j], gl->v[j], "%s of term %zu", col, j);
    free(v);
    crm_parity_report(p);
}

/* One statistic against its golden value. */
static void check_stat(double got, double want, const char *what, double tol)
{
    crm_parity p = CRM_PARITY_REL(what, tol);
    crm_parity_check(&p, got, want, "value");
    crm_parity_report(&p);
}

static void check_terms(const crm_dataset *sum, const gline *gl)
{
    size_t p = crm_dataset_nrows(sum);
    ck_assert_uint_eq(p, gl->n);
    for (size_t j = 0; j < p; j++) {
        const char *s = NULL;
        ck_assert_ok(crm_dataset_get_text(sum, 0, j, &s));
        ck_assert_str_eq(s, gl->s[j]);
    }
}

static double stat(const crm_model *m, const char *name)
{
    double v = NAN;
    ck_assert_ok(crm_model_stat(m, name, &v));
    return v;
}

static const char *const logit_features[] = {"tenure",        "MonthlyCharges",  "TotalCharges",
                                             "SeniorCitizen", "Contract",        "InternetService",
                                             "PaymentMethod", "PaperlessBilling"};
static const char *const ols_features[] = {"tenure",          "MonthlyCharges",  "SeniorCitizen",
                                           "Contract",        "InternetService", "PaymentMethod",
                                           "PaperlessBilling"};

START_TEST(test_logit_statsmodels)
{
    golden g;
    golden_read("reference/golden/linear_telco.tsv", &g);
    crm_dataset *ds = telco();
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.positive = "Yes";
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "Churn", logit_features, 8, &o, &m));
    ck_assert_int_eq((int)stat(m, "converged"), 1);
    ck_assert_int_le((int)stat(m, "n_iter"), 8);
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    check_terms(sum, gget(&g, "logit_terms"));
    crm_parity est = CRM_PARITY_REL("logit estimate vs statsmodels", TOL_LOGIT_EST),
               se = CRM_PARITY_REL("logit std_error vs statsmodels", TOL_LOGIT_SE),
               z = CRM_PARITY_REL("logit z vs statsmodels", TOL_LOGIT_Z),
               pv = CRM_PARITY_REL("logit p_value vs statsmodels", TOL_LOGIT_P),
               lo = CRM_PARITY_REL("logit ci_low vs statsmodels", TOL_LOGIT_CI_LOW),
               hi = CRM_PARITY_REL("logit ci_high vs statsmodels", TOL_LOGIT_CI_HIGH);
    check_column(sum, "estimate", gget(&g, "logit_params"), &est);
    check_column(sum, "std_error", gget(&g, "logit_bse"), &se);
    check_column(sum, "z", gget(&g, "logit_z"), &z);
    check_column(sum, "p_value", gget(&g, "logit_pvalues"), &pv);
    check_column(sum, "ci_low", gget(&g, "logit_ci_low"), &lo);
    check_column(sum, "ci_high", gget(&g, "logit_ci_high"), &hi);
    check_stat(stat(m, "loglik"), g1(&g, "logit_llf"), "logit loglik vs statsmodels",
               TOL_LOGIT_LLF);
    /* statsmodels fits the null model iteratively (its value is below the closed
     * form log-likelihood of the intercept-only model, ours) */
    check_stat(stat(m, "loglik_null"), g1(&g, "logit_llnull"), "logit loglik_null vs statsmodels",
               TOL_LOGIT_LLNULL);
    ck_assert_double_ge(stat(m, "loglik_null"), g1(&g, "logit_llnull"));
    check_stat(stat(m, "mcfadden_r2"), g1(&g, "logit_prsquared"),
               "logit mcfadden_r2 vs statsmodels", TOL_LOGIT_R2);
    check_stat(stat(m, "aic"), g1(&g, "logit_aic"), "logit aic vs statsmodels", TOL_LOGIT_IC);
    check_stat(stat(m, "bic"), g1(&g, "logit_bic"), "logit bic vs statsmodels", TOL_LOGIT_IC);
    /* predictions agree with statsmodels' fitted probabilities */
    ck_assert_ok(crm_model_predict(m, ds, "pred"));
    const gline *pr = gget(&g, "logit_proba");
    size_t n = crm_dataset_nrows(ds), ci;
    ck_assert_uint_eq(pr->n, n);
    double *p = malloc(n * sizeof *p);
    ck_assert_ok(crm_dataset_column_index(ds, "pred_proba", &ci));
    ck_assert_ok(crm_dataset_get_number(ds, ci, 0, n, p));
    crm_parity pp = CRM_PARITY_ABS("logit fitted probability vs statsmodels", TOL_LOGIT_PROBA);
    for (size_t i = 0; i < n; i++)
        crm_parity_check(&pp, p[i], pr->v[i], "row %zu", i);
    crm_parity_report(&pp);
    const char *lab = NULL;
    ck_assert_ok(crm_dataset_column_index(ds, "pred", &ci));
    ck_assert_ok(crm_dataset_get_text(ds, ci, 0, &lab));
    ck_assert_str_eq(lab, p[0] > 0.5 ? "Yes" : "No");
    free(p);
    crm_dataset_free(sum);
    crm_model_free(m);
    crm_dataset_free(ds);
    golden_free(&g);
}
END_TEST

/* Standardize (unpenalised) is the same model; L-BFGS reaches the same optimum. */
START_TEST(test_logit_variants)
{
    golden g;
    golden_read("reference/golden/linear_telco.tsv", &g);
    crm_dataset *ds = telco();
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.positive = "Yes";
    o.standardize = 1;
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "Churn", logit_features, 8, &o, &m));
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    crm_parity est = CRM_PARITY_REL("logit (standardize) estimate vs statsmodels", TOL_STD_EST),
               se = CRM_PARITY_REL("logit (standardize) std_error vs statsmodels", TOL_LOGIT_SE),
               lest = CRM_PARITY_REL("logit (L-BFGS, tol 1e-10) estimate vs statsmodels",
                                     TOL_LBFGS_EST);
    check_column(sum, "estimate", gget(&g, "logit_params"), &est);
    check_column(sum, "std_error", gget(&g, "logit_bse"), &se);
    crm_dataset_free(sum);
    crm_model_free(m);
    o.solver = CRM_LOGREG_LBFGS;
    o.tol = 1e-10;
    o.max_iter = 20000;
    ck_assert_ok(crm_logreg_fit(ds, "Churn", logit_features, 8, &o, &m));
    ck_assert_ok(crm_model_summary(m, &sum));
    check_column(sum, "estimate", gget(&g, "logit_params"), &lest);
    check_stat(stat(m, "loglik"), g1(&g, "logit_llf"), "logit (L-BFGS) loglik vs statsmodels",
               TOL_LBFGS_LLF);
    crm_dataset_free(sum);
    crm_model_free(m);
    crm_dataset_free(ds);
    golden_free(&g);
}
END_TEST

START_TEST(test_logit_l2_sklearn)
{
    golden g;
    golden_read("reference/golden/linear_telco.tsv", &g);
    crm_dataset *ds = telco();
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.positive = "Yes";
    o.l2 = 1.0;
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "Churn", logit_features, 8, &o, &m));
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    crm_parity est = CRM_PARITY_REL("L2 logit estimate vs scikit-learn newton-cholesky", TOL_L2_EST);
    check_column(sum, "estimate", gget(&g, "l2_params"), &est);
    check_stat(stat(m, "objective"), g1(&g, "l2_objective"),
               "L2 logit objective vs scikit-learn newton-cholesky", TOL_L2_OBJ);
    /* scikit-learn's lbfgs stops well short of the optimum on this unscaled design */
    ck_assert_double_lt(stat(m, "objective"), g1(&g, "lbfgs_objective") - 1.0);
    double se = NAN;
    size_t ci;
    ck_assert_ok(crm_dataset_column_index(sum, "std_error", &ci));
    ck_assert_ok(crm_dataset_get_number(sum, ci, 1, 1, &se));
    ck_assert(isnan(se));
    crm_dataset_free(sum);
    crm_model_free(m);
    crm_dataset_free(ds);
    golden_free(&g);
}
END_TEST

START_TEST(test_ols_statsmodels)
{
    golden g;
    golden_read("reference/golden/linear_telco.tsv", &g);
    crm_dataset *ds = telco();
    crm_model *m = NULL;
    ck_assert_ok(crm_linreg_fit(ds, "TotalCharges", ols_features, 7, NULL, &m));
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    check_terms(sum, gget(&g, "ols_terms"));
    crm_parity est = CRM_PARITY_REL("OLS estimate vs statsmodels", TOL_OLS_EST),
               se = CRM_PARITY_REL("OLS std_error vs statsmodels", TOL_OLS_SE),
               t = CRM_PARITY_REL("OLS t vs statsmodels", TOL_OLS_T),
               pv = CRM_PARITY_REL("OLS p_value vs statsmodels", TOL_OLS_P),
               lo = CRM_PARITY_REL("OLS ci_low vs statsmodels", TOL_OLS_CI_LOW),
               hi = CRM_PARITY_REL("OLS ci_high vs statsmodels", TOL_OLS_CI_HIGH);
    check_column(sum, "estimate", gget(&g, "ols_params"), &est);
    check_column(sum, "std_error", gget(&g, "ols_bse"), &se);
    check_column(sum, "t", gget(&g, "ols_t"), &t);
    check_column(sum, "p_value", gget(&g, "ols_pvalues"), &pv);
    check_column(sum, "ci_low", gget(&g, "ols_ci_low"), &lo);
    check_column(sum, "ci_high", gget(&g, "ols_ci_high"), &hi);
    check_stat(stat(m, "r2"), g1(&g, "ols_rsquared"), "OLS r2 vs statsmodels", TOL_OLS_R2);
    check_stat(stat(m, "adj_r2"), g1(&g, "ols_rsquared_adj"), "OLS adj_r2 vs statsmodels",
               TOL_OLS_R2);
    check_stat(stat(m, "f_stat"), g1(&g, "ols_fvalue"), "OLS f_stat vs statsmodels", TOL_OLS_F);
    check_stat(stat(m, "loglik"), g1(&g, "ols_llf"), "OLS loglik vs statsmodels", TOL_OLS_LLF);
    check_stat(stat(m, "aic"), g1(&g, "ols_aic"), "OLS aic vs statsmodels", TOL_OLS_LLF);
    check_stat(stat(m, "bic"), g1(&g, "ols_bic"), "OLS bic vs statsmodels", TOL_OLS_LLF);
    check_stat(stat(m, "sigma2"), g1(&g, "ols_scale"), "OLS sigma2 vs statsmodels", TOL_OLS_SS);
    check_stat(stat(m, "rss"), g1(&g, "ols_ssr"), "OLS rss vs statsmodels", TOL_OLS_SS);
    /* regression metrics of the fitted values */
    ck_assert_ok(crm_model_predict(m, ds, "fit"));
    crm_dataset *mt = NULL;
    ck_assert_ok(crm_metrics_regression(ds, "TotalCharges", "fit", NULL, &mt));
    static const char *const keys[][2] = {
        {"rmse", "reg_rmse"}, {"mae", "reg_mae"}, {"mape", "reg_mape"}, {"r2", "reg_r2"}};
    for (size_t k = 0; k < 4; k++) {
        size_t ci;
        double v;
        ck_assert_ok(crm_dataset_column_index(mt, keys[k][0], &ci));
        ck_assert_ok(crm_dataset_get_number(mt, ci, 0, 1, &v));
        char what[64];
        snprintf(what, sizeof what, "OLS fit %s vs sklearn.metrics", keys[k][0]);
        check_stat(v, g1(&g, keys[k][1]), what, TOL_REG_METRICS);
    }
    crm_dataset_free(mt);
    crm_dataset_free(sum);
    crm_model_free(m);
    crm_dataset_free(ds);
    golden_free(&g);
}
END_TEST

/* AUC and log loss of statsmodels' probabilities equal sklearn.metrics to 1e-12. */
START_TEST(test_metrics_sklearn)
{
    golden g;
    golden_read("reference/golden/linear_telco.tsv", &g);
    crm_dataset *ds = telco();
    const gline *pr = gget(&g, "logit_proba");
    ck_assert_ok(crm_dataset_add_number(ds, "p", pr->v, pr->n));
    crm_metrics_options o;
    ck_assert_ok(crm_metrics_options_init(&o, sizeof o));
    o.positive = "Yes";
    crm_dataset *mt = NULL;
    ck_assert_ok(crm_metrics_classification(ds, "Churn", "p", &o, &mt));
    static const char *const keys[][2] = {
        {"auc", "metric_auc"},           {"log_loss", "metric_log_loss"},
        {"accuracy", "metric_accuracy"}, {"precision", "metric_precision"},
        {"recall", "metric_recall"},     {"f1", "metric_f1"}};
    for (size_t k = 0; k < 6; k++) {
        size_t ci;
        double v;
        ck_assert_ok(crm_dataset_column_index(mt, keys[k][0], &ci));
        ck_assert_ok(crm_dataset_get_number(mt, ci, 0, 1, &v));
        char what[64];
        snprintf(what, sizeof what, "%s of the Logit probabilities vs sklearn.metrics", keys[k][0]);
        check_stat(v, g1(&g, keys[k][1]), what, TOL_CLS_METRICS);
    }
    crm_dataset_free(mt);
    crm_dataset_free(ds);
    golden_free(&g);
}
END_TEST

Suite *crm_linear_shared_suite(void)
{
    Suite *s = suite_create("linear_shared");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_logit_statsmodels);
    tcase_add_test(tc, test_logit_variants);
    tcase_add_test(tc, test_logit_l2_sklearn);
    tcase_add_test(tc, test_ols_statsmodels);
    tcase_add_test(tc, test_metrics_sklearn);
    suite_add_tcase(s, tc);
    return s;
}
