/* Classification and regression metrics: hand-computed values, ties in the
 * AUC, weights as repetition, text truth, bad input, allocation failures. */
#include "test_util.h"

#include <math.h>

static double mval(const crm_dataset *t, const char *name)
{
    size_t ci = 0;
    double v = NAN;
    ck_assert_ok(crm_dataset_column_index(t, name, &ci));
    ck_assert_ok(crm_dataset_get_number(t, ci, 0, 1, &v));
    return v;
}

static crm_dataset *two(const double *y, const double *s, size_t n)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, n));
    ck_assert_ok(crm_dataset_add_number(ds, "s", s, n));
    return ds;
}

START_TEST(test_classification_hand)
{
    /* positives score 0.35, 0.8; negatives 0.1, 0.4: pairs (0.35 > 0.1), (0.8 > both):
     * 3 of 4 -> AUC 0.75 */
    const double y[] = {0, 0, 1, 1}, s[] = {0.1, 0.4, 0.35, 0.8};
    crm_dataset *ds = two(y, s, 4), *t = NULL;
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", NULL, &t));
    ck_assert_double_eq_tol(mval(t, "auc"), 0.75, 1e-15);
    double ll = -(log(0.9) + log(0.6) + log(0.35) + log(0.8)) / 4;
    ck_assert_double_eq_tol(mval(t, "log_loss"), ll, 1e-15);
    /* at 0.5: predicted positive only 0.8 -> tp 1, fp 0, tn 2, fn 1 */
    ck_assert_double_eq(mval(t, "tp"), 1);
    ck_assert_double_eq(mval(t, "fp"), 0);
    ck_assert_double_eq(mval(t, "tn"), 2);
    ck_assert_double_eq(mval(t, "fn"), 1);
    ck_assert_double_eq(mval(t, "accuracy"), 0.75);
    ck_assert_double_eq(mval(t, "precision"), 1.0);
    ck_assert_double_eq(mval(t, "recall"), 0.5);
    ck_assert_double_eq_tol(mval(t, "f1"), 2.0 / 3.0, 1e-15);
    ck_assert_double_eq(mval(t, "n"), 4);
    ck_assert_uint_eq(crm_dataset_ncols(t), 13);
    crm_dataset_free(t);
    /* threshold 0.3 */
    crm_metrics_options o;
    ck_assert_ok(crm_metrics_options_init(&o, sizeof o));
    o.threshold = 0.3;
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", &o, &t));
    ck_assert_double_eq(mval(t, "tp"), 2);
    ck_assert_double_eq(mval(t, "fp"), 1);
    ck_assert_double_eq(mval(t, "threshold"), 0.3);
    crm_dataset_free(t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_auc_ties_and_weights)
{
    /* all scores tied: 0.5 */
    const double y[] = {0, 1, 0, 1, 1}, s[] = {0.3, 0.3, 0.3, 0.3, 0.3};
    crm_dataset *ds = two(y, s, 5), *t = NULL;
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", NULL, &t));
    ck_assert_double_eq(mval(t, "auc"), 0.5);
    crm_dataset_free(t);
    crm_dataset_free(ds);
    /* ties across classes count one half: pos {0.2, 0.5, 0.5}, neg {0.5, 0.1}
     * pairs: 0.2>0.1 (1), 0.2<0.5 (0), 0.5=0.5 (.5) x2, 0.5>0.1 (1) x2 -> 4 / 6 */
    const double y2[] = {1, 1, 1, 0, 0}, s2[] = {0.2, 0.5, 0.5, 0.5, 0.1};
    ds = two(y2, s2, 5);
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", NULL, &t));
    ck_assert_double_eq_tol(mval(t, "auc"), 4.0 / 6.0, 1e-15);
    crm_dataset_free(t);
    /* integer weights = repeated rows */
    const double w[] = {2, 0, 1, 3, 1};
    ck_assert_ok(crm_dataset_add_number(ds, "w", w, 5));
    crm_metrics_options o;
    ck_assert_ok(crm_metrics_options_init(&o, sizeof o));
    o.sample_weight = "w";
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", &o, &t));
    const double yr[] = {1, 1, 1, 0, 0, 0, 0}, sr[] = {0.2, 0.2, 0.5, 0.5, 0.5, 0.5, 0.1};
    crm_dataset *rep = two(yr, sr, 7), *tr = NULL;
    ck_assert_ok(crm_metrics_classification(rep, "y", "s", NULL, &tr));
    static const char *const keys[] = {"auc", "log_loss", "accuracy", "precision", "recall",
                                       "f1",  "tp",       "fp",       "tn",        "fn"};
    for (size_t k = 0; k < 10; k++)
        ck_assert_msg(fabs(mval(t, keys[k]) - mval(tr, keys[k])) <= 1e-15, "%s: %.17g vs %.17g",
                      keys[k], mval(t, keys[k]), mval(tr, keys[k]));
    ck_assert_double_eq(mval(t, "weight"), 7);
    crm_dataset_free(t);
    crm_dataset_free(tr);
    crm_dataset_free(rep);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_text_truth_and_one_class)
{
    const char *yt[] = {"Yes", "No", "No", "Yes"};
    const double s[] = {0.9, 0.2, 0.6, 0.4};
    crm_dataset *ds = NULL, *t = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "y", yt, 4));
    ck_assert_ok(crm_dataset_add_number(ds, "s", s, 4));
    crm_metrics_options o;
    ck_assert_ok(crm_metrics_options_init(&o, sizeof o));
    ck_assert_error(crm_metrics_classification(ds, "y", "s", &o, &t), CRM_E_INVALID);
    ck_assert_ptr_null(t);
    o.positive = "Yes";
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", &o, &t));
    ck_assert_double_eq(mval(t, "auc"), 0.75);
    crm_dataset_free(t);
    /* a positive label nobody has: one class, AUC NaN */
    o.positive = "Maybe";
    ck_assert_ok(crm_metrics_classification(ds, "y", "s", &o, &t));
    ck_assert(isnan(mval(t, "auc")));
    ck_assert_double_eq(mval(t, "recall"), 0);
    crm_dataset_free(t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_regression_hand)
{
    const double y[] = {1, 2, 4}, p[] = {1.5, 2, 3};
    crm_dataset *ds = two(y, p, 3), *t = NULL;
    ck_assert_ok(crm_metrics_regression(ds, "y", "s", NULL, &t));
    ck_assert_double_eq_tol(mval(t, "mse"), (0.25 + 0 + 1) / 3, 1e-15);
    ck_assert_double_eq_tol(mval(t, "rmse"), sqrt(1.25 / 3), 1e-15);
    ck_assert_double_eq_tol(mval(t, "mae"), 1.5 / 3, 1e-15);
    ck_assert_double_eq_tol(mval(t, "mape"), (0.5 + 0 + 0.25) / 3, 1e-15);
    /* mean 7/3, SS_tot = 16/9 + 1/9 + 25/9 = 42/9 */
    ck_assert_double_eq_tol(mval(t, "r2"), 1 - 1.25 / (42.0 / 9.0), 1e-15);
    crm_dataset_free(t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_input)
{
    const double y[] = {0, 1, 2}, s[] = {0.1, NAN, 0.3};
    crm_dataset *ds = two(y, s, 3), *t = NULL, *empty = NULL;
    ck_assert_error(crm_metrics_classification(NULL, "y", "s", NULL, &t), CRM_E_INVALID);
    ck_assert_error(crm_metrics_classification(ds, "y", "s", NULL, NULL), CRM_E_INVALID);
    ck_assert_error(crm_metrics_classification(ds, "y", "s", NULL, &t), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 1"));
    ck_assert_error(crm_metrics_classification(ds, "nope", "s", NULL, &t), CRM_E_NOTFOUND);
    ck_assert_error(crm_metrics_regression(ds, "y", "nope", NULL, &t), CRM_E_NOTFOUND);
    ck_assert_error(crm_metrics_regression(ds, "y", "s", NULL, &t), CRM_E_INVALID);
    const double s2[] = {0.1, 0.2, 0.3};
    ck_assert_ok(crm_dataset_add_number(ds, "s2", s2, 3));
    ck_assert_error(crm_metrics_classification(ds, "y", "s2", NULL, &t), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "0 or 1"));
    crm_metrics_options o;
    ck_assert_ok(crm_metrics_options_init(&o, sizeof o));
    o.sample_weight = "s";
    ck_assert_error(crm_metrics_regression(ds, "y", "s2", &o, &t), CRM_E_INVALID);
    o.sample_weight = NULL;
    o.threshold = NAN;
    ck_assert_error(crm_metrics_classification(ds, "y", "s2", &o, &t), CRM_E_INVALID);
    ck_assert_ok(crm_dataset_new(&empty));
    ck_assert_error(crm_metrics_regression(empty, "y", "s", NULL, &t), CRM_E_INVALID);
    ck_assert_ptr_null(t);
    ck_assert_error(crm_metrics_options_init(&o, 4), CRM_E_INVALID);
    crm_dataset_free(empty);
    crm_dataset_free(ds);
}
END_TEST

static crm_status af_metrics(void)
{
    const double y[] = {0, 1, 1, 0, 1}, s[] = {0.2, 0.7, 0.4, 0.4, 0.9};
    crm_dataset *ds = NULL, *a = NULL, *b = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "y", y, 5);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "s", s, 5);
    if (st == CRM_OK) st = crm_metrics_classification(ds, "y", "s", NULL, &a);
    if (st == CRM_OK) st = crm_metrics_regression(ds, "y", "s", NULL, &b);
    crm_dataset_free(a);
    crm_dataset_free(b);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(af_metrics());
}
END_TEST

Suite *crm_metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_classification_hand);
    tcase_add_test(tc, test_auc_ties_and_weights);
    tcase_add_test(tc, test_text_truth_and_one_class);
    tcase_add_test(tc, test_regression_hand);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad_input");
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
