/* Logistic and linear regression on the Telco churn data against the golden
 * statsmodels / scikit-learn results of tests/reference/linear.py. */
#include "test_util.h"

#include <math.h>

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

static void rel_close(double got, double want, double tol, const char *what, size_t i)
{
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1.0;
    ck_assert_msg(fabs(got - want) <= tol * scale, "%s[%zu]: %.17g vs golden %.17g (rel %.3g)",
                  what, i, got, want, fabs(got - want) / scale);
}

/* Compare a summary column with a golden line, term by term. */
static void check_column(const crm_dataset *sum, const char *col, const gline *gl, double tol)
{
    size_t ci, p = crm_dataset_nrows(sum);
    ck_assert_uint_eq(p, gl->n);
    ck_assert_ok(crm_dataset_column_index(sum, col, &ci));
    double *v = malloc(p * sizeof *v);
    ck_assert_ok(crm_dataset_get_number(sum, ci, 0, p, v));
    for (size_t j = 0; j < p; j++)
        rel_close(v[j], gl->v[j], tol, col, j);
    free(v);
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
    check_column(sum, "estimate", gget(&g, "logit_params"), 1e-6);
    check_column(sum, "std_error", gget(&g, "logit_bse"), 1e-6);
    check_column(sum, "z", gget(&g, "logit_z"), 1e-6);
    check_column(sum, "p_value", gget(&g, "logit_pvalues"), 1e-5);
    check_column(sum, "ci_low", gget(&g, "logit_ci_low"), 1e-6);
    check_column(sum, "ci_high", gget(&g, "logit_ci_high"), 1e-6);
    rel_close(stat(m, "loglik"), g1(&g, "logit_llf"), 1e-10, "loglik", 0);
    /* statsmodels fits the null model iteratively (its value is 8e-8 below the
     * closed form log-likelihood of the intercept-only model, ours) */
    rel_close(stat(m, "loglik_null"), g1(&g, "logit_llnull"), 1e-10, "llnull", 0);
    ck_assert_double_ge(stat(m, "loglik_null"), g1(&g, "logit_llnull"));
    rel_close(stat(m, "mcfadden_r2"), g1(&g, "logit_prsquared"), 1e-9, "prsquared", 0);
    rel_close(stat(m, "aic"), g1(&g, "logit_aic"), 1e-10, "aic", 0);
    rel_close(stat(m, "bic"), g1(&g, "logit_bic"), 1e-10, "bic", 0);
    /* predictions agree with statsmodels' fitted probabilities */
    ck_assert_ok(crm_model_predict(m, ds, "pred"));
    const gline *pr = gget(&g, "logit_proba");
    size_t n = crm_dataset_nrows(ds), ci;
    ck_assert_uint_eq(pr->n, n);
    double *p = malloc(n * sizeof *p);
    ck_assert_ok(crm_dataset_column_index(ds, "pred_proba", &ci));
    ck_assert_ok(crm_dataset_get_number(ds, ci, 0, n, p));
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs(p[i] - pr->v[i]) <= 1e-8, "row %zu: %.17g vs %.17g", i, p[i], pr->v[i]);
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
    check_column(sum, "estimate", gget(&g, "logit_params"), 1e-6);
    check_column(sum, "std_error", gget(&g, "logit_bse"), 1e-6);
    crm_dataset_free(sum);
    crm_model_free(m);
    o.solver = CRM_LOGREG_LBFGS;
    o.tol = 1e-10;
    o.max_iter = 20000;
    ck_assert_ok(crm_logreg_fit(ds, "Churn", logit_features, 8, &o, &m));
    ck_assert_ok(crm_model_summary(m, &sum));
    check_column(sum, "estimate", gget(&g, "logit_params"), 1e-5);
    rel_close(stat(m, "loglik"), g1(&g, "logit_llf"), 1e-10, "loglik", 0);
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
    check_column(sum, "estimate", gget(&g, "l2_params"), 1e-6);
    rel_close(stat(m, "objective"), g1(&g, "l2_objective"), 1e-12, "objective", 0);
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
    check_column(sum, "estimate", gget(&g, "ols_params"), 1e-8);
    check_column(sum, "std_error", gget(&g, "ols_bse"), 1e-8);
    check_column(sum, "t", gget(&g, "ols_t"), 1e-8);
    check_column(sum, "p_value", gget(&g, "ols_pvalues"), 1e-8);
    check_column(sum, "ci_low", gget(&g, "ols_ci_low"), 1e-8);
    check_column(sum, "ci_high", gget(&g, "ols_ci_high"), 1e-8);
    rel_close(stat(m, "r2"), g1(&g, "ols_rsquared"), 1e-10, "r2", 0);
    rel_close(stat(m, "adj_r2"), g1(&g, "ols_rsquared_adj"), 1e-10, "adj_r2", 0);
    rel_close(stat(m, "f_stat"), g1(&g, "ols_fvalue"), 1e-8, "f", 0);
    rel_close(stat(m, "loglik"), g1(&g, "ols_llf"), 1e-10, "llf", 0);
    rel_close(stat(m, "aic"), g1(&g, "ols_aic"), 1e-10, "aic", 0);
    rel_close(stat(m, "bic"), g1(&g, "ols_bic"), 1e-10, "bic", 0);
    rel_close(stat(m, "sigma2"), g1(&g, "ols_scale"), 1e-9, "sigma2", 0);
    rel_close(stat(m, "rss"), g1(&g, "ols_ssr"), 1e-9, "rss", 0);
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
        rel_close(v, g1(&g, keys[k][1]), 1e-9, keys[k][0], 0);
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
        rel_close(v, g1(&g, keys[k][1]), 1e-12, keys[k][0], 0);
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
