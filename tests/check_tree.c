/* CART trees: hand-checked splits (number, text, several classes, regression), missing-value
 * routing with a provably right direction, unseen categories, bad input and documented
 * single-leaf trees, best-first growth, pruning, histogram mode, weights, JSON round trip with
 * bit-identical predictions, exports, allocation failures. */
#include "test_util.h"

#include "crm/model.h"
#include "crm/tree.h"

#include <locale.h>
#include <math.h>

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

static const char *get_text(const crm_dataset *ds, const char *name, size_t row)
{
    size_t ci = 0;
    const char *s = NULL;
    ck_assert_ok(crm_dataset_column_index(ds, name, &ci));
    ck_assert_ok(crm_dataset_get_text(ds, ci, row, &s));
    return s;
}

/* x = 0..9, y = "yes" from 5 on. */
static crm_dataset *ds_step(void)
{
    double x[10];
    const char *y[10];
    for (int i = 0; i < 10; i++) {
        x[i] = i;
        y[i] = i >= 5 ? "yes" : "no";
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 10));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y, 10));
    return ds;
}

START_TEST(test_number_split)
{
    crm_dataset *ds = ds_step();
    const char *f[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    ck_assert_int_eq(crm_model_kind(m), CRM_MODEL_TREE);
    ck_assert_double_eq(stat(m, "depth"), 1);
    ck_assert_double_eq(stat(m, "leaves"), 2);
    ck_assert_double_eq(stat(m, "nodes"), 3);
    ck_assert_double_eq(stat(m, "n_classes"), 2);
    ck_assert_double_eq(stat(m, "train_accuracy"), 1.0);
    ck_assert_double_eq(stat(m, "impurity"), 0.0);
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 3);
    double thr[3], n[3], imp[3];
    get_col(s, "threshold", thr);
    get_col(s, "n", n);
    get_col(s, "impurity", imp);
    ck_assert_double_eq(thr[0], 4.5);
    ck_assert(isnan(thr[1]));
    ck_assert_double_eq(n[0], 10);
    ck_assert_double_eq(n[1], 5);
    ck_assert_double_eq(imp[0], 0.5);
    ck_assert_str_eq(get_text(s, "feature", 0), "x");
    ck_assert_str_eq(get_text(s, "value", 1), "no");
    ck_assert_str_eq(get_text(s, "value", 2), "yes");
    crm_dataset_free(s);
    ck_assert_ok(crm_model_predict(m, ds, "pred"));
    double p[10];
    get_col(ds, "pred_proba", p);
    for (int i = 0; i < 10; i++) {
        ck_assert_str_eq(get_text(ds, "pred", (size_t)i), i >= 5 ? "yes" : "no");
        ck_assert_double_eq(p[i], 1.0);
    }
    /* the prediction columns exist now: predicting again is refused, ds unchanged */
    ck_assert_error(crm_model_predict(m, ds, "pred"), CRM_E_INVALID);
    ck_assert_error(crm_model_predict(m, ds, "pred_proba"), CRM_E_INVALID);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 4);
    crm_dataset *imp_t = NULL;
    ck_assert_ok(crm_tree_feature_importances(m, &imp_t));
    double iv;
    ck_assert_ok(crm_dataset_get_number(imp_t, 1, 0, 1, &iv));
    ck_assert_double_eq(iv, 1.0);
    crm_dataset_free(imp_t);
    double v;
    ck_assert_error(crm_model_stat(m, "inertia", &v), CRM_E_NOTFOUND);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_regression)
{
    double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8] = {2, 2, 2, 7, 7, 7, 7, 7.5};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 8));
    const char *f[] = {"x"};
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.max_depth = 1;
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, &o, &m)); /* AUTO: not 0/1 -> regression */
    ck_assert_double_eq(stat(m, "regression"), 1);
    ck_assert_double_eq(stat(m, "n_classes"), 0);
    ck_assert_ok(crm_model_predict(m, ds, "pred"));
    double p[8];
    get_col(ds, "pred", p);
    ck_assert_double_eq(p[0], 2.0);
    ck_assert_double_eq(p[7], 35.5 / 5.0);
    size_t ci;
    ck_assert_error(crm_dataset_column_index(ds, "pred_proba", &ci), CRM_E_NOTFOUND);
    char *txt = NULL;
    ck_assert_ok(crm_tree_export_text(m, &txt));
    ck_assert_ptr_nonnull(strstr(txt, "if x <= 3.5\n|   then value=2 (n=3, mse=0)\n"));
    crm_free(txt);
    crm_model_free(m);
    /* gini on a regression target is refused */
    o.criterion = CRM_TREE_GINI;
    o.task = CRM_TREE_REGRESSION;
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
    ck_assert_ptr_null(m);
    crm_dataset_free(ds);
}
END_TEST

/* Text feature: the target depends on the category in a pattern one-hot would need two
 * splits for ({A, C} vs {B, D}); the sorted-by-mean sweep finds it in one. */
START_TEST(test_text_split)
{
    const char *c[12] = {"A", "B", "C", "D", "A", "B", "C", "D", "A", "B", "C", "D"};
    double y[12] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "cat", c, 12));
    ck_assert_ok(crm_dataset_add_number(ds, "churn", y, 12));
    const char *f[] = {"cat"};
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.max_depth = 1;
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "churn", f, 1, &o, &m));
    ck_assert_double_eq(stat(m, "regression"), 0);
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    /* left: the categories of lower churn share */
    ck_assert_str_eq(get_text(s, "categories", 0), "B, D");
    crm_dataset_free(s);
    char *txt = NULL;
    ck_assert_ok(crm_tree_export_text(m, &txt));
    ck_assert_str_eq(txt, "if cat in {B, D}\n"
                          "|   then 0 (p=1.000, n=6) [0: 6, 1: 0]\n"
                          "if cat in {A, C}\n"
                          "|   then 1 (p=0.833, n=6) [0: 1, 1: 5]\n");
    crm_free(txt);
    ck_assert_ok(crm_tree_export_rules(m, &txt));
    ck_assert_str_eq(txt, "IF cat in {B, D} THEN 0 (p=1.000, n=6) [0: 6, 1: 0]\n"
                          "IF cat in {A, C} THEN 1 (p=0.833, n=6) [0: 1, 1: 5]\n");
    crm_free(txt);
    /* unseen and missing categories follow the majority branch (equal here: left) */
    const char *c2[4] = {"A", "E", NULL, "D"};
    crm_dataset *t = NULL;
    ck_assert_ok(crm_dataset_new(&t));
    ck_assert_ok(crm_dataset_add_text(t, "cat", c2, 4));
    ck_assert_ok(crm_model_predict(m, t, "p"));
    double p[4], pp[4];
    get_col(t, "p", p);
    get_col(t, "p_proba", pp);
    ck_assert_double_eq(p[0], 1);
    ck_assert_double_eq(p[1], 0);
    ck_assert_double_eq(p[2], 0);
    ck_assert_double_eq(p[3], 0);
    ck_assert_double_eq_tol(pp[0], 5.0 / 6.0, 1e-15);
    crm_dataset_free(t);
    /* a number column where the text feature was fitted is refused */
    double xn[2] = {1, 2};
    ck_assert_ok(crm_dataset_new(&t));
    ck_assert_ok(crm_dataset_add_number(t, "cat", xn, 2));
    ck_assert_error(crm_model_predict(m, t, "p"), CRM_E_TYPE);
    ck_assert_uint_eq(crm_dataset_ncols(t), 1);
    crm_dataset_free(t);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* Flat rules merge the tests of a path: two cuts of x become one range. */
START_TEST(test_flat_rules)
{
    double x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const char *y[9] = {"no", "no", "yes", "yes", "yes", "yes", "no", "no", "no"};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 9));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y, 9));
    const char *f[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    char *txt = NULL;
    ck_assert_ok(crm_tree_export_rules(m, &txt));
    ck_assert_str_eq(txt, "IF x <= 2.5 THEN no (p=1.000, n=2) [no: 2, yes: 0]\n"
                          "IF 2.5 < x <= 6.5 THEN yes (p=1.000, n=4) [no: 0, yes: 4]\n"
                          "IF x > 6.5 THEN no (p=1.000, n=3) [no: 3, yes: 0]\n");
    crm_free(txt);
    ck_assert_error(crm_tree_export_rules(NULL, &txt), CRM_E_INVALID);
    ck_assert_error(crm_tree_export_rules(m, NULL), CRM_E_INVALID);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* Three classes on one text feature: the per-class sweeps separate them in depth 2. */
START_TEST(test_multiclass_text)
{
    const char *c[9] = {"a", "b", "c", "d", "e", "f", "a", "c", "e"};
    const char *y[9] = {"red", "green", "blue", "blue", "green", "red", "red", "blue", "green"};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "c", c, 9));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y, 9));
    const char *f[] = {"c"};
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.criterion = CRM_TREE_ENTROPY;
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, &o, &m));
    ck_assert_double_eq(stat(m, "n_classes"), 3);
    ck_assert_double_eq(stat(m, "train_accuracy"), 1.0);
    ck_assert_double_eq(stat(m, "leaves"), 3);
    ck_assert_double_eq(stat(m, "depth"), 2);
    ck_assert_ok(crm_model_predict(m, ds, "p"));
    for (size_t i = 0; i < 9; i++)
        ck_assert_str_eq(get_text(ds, "p", i), y[i]);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* Missing values: x <= 5 is "no", x > 5 "yes", and the rows with x missing are all "yes".
 * The only pure split sends the missing rows right: the learned direction must be right,
 * and the tree must be perfect with a single split. Mirrored: missing rows "no" go left. */
START_TEST(test_missing_direction)
{
    for (int mirror = 0; mirror < 2; mirror++) {
        double x[15];
        const char *y[15];
        for (int i = 0; i < 10; i++) {
            x[i] = i + 1;
            y[i] = i + 1 > 5 ? "yes" : "no";
        }
        for (int i = 10; i < 15; i++) {
            x[i] = NAN;
            y[i] = mirror ? "no" : "yes";
        }
        crm_dataset *ds = NULL;
        ck_assert_ok(crm_dataset_new(&ds));
        ck_assert_ok(crm_dataset_add_number(ds, "x", x, 15));
        ck_assert_ok(crm_dataset_add_text(ds, "y", y, 15));
        const char *f[] = {"x"};
        crm_model *m = NULL;
        ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
        ck_assert_double_eq(stat(m, "leaves"), 2);
        ck_assert_double_eq(stat(m, "train_accuracy"), 1.0);
        crm_dataset *s = NULL;
        ck_assert_ok(crm_model_summary(m, &s));
        double ml[3], thr[3];
        get_col(s, "missing_left", ml);
        get_col(s, "threshold", thr);
        ck_assert_double_eq(thr[0], 5.5);
        ck_assert_double_eq(ml[0], mirror ? 1 : 0);
        crm_dataset_free(s);
        char *txt = NULL;
        ck_assert_ok(crm_tree_export_text(m, &txt));
        ck_assert_ptr_nonnull(
            strstr(txt, mirror ? "if x <= 5.5 or missing\n" : "if x > 5.5 or missing\n"));
        crm_free(txt);
        ck_assert_ok(crm_tree_export_rules(m, &txt));
        if (mirror)
            ck_assert_str_eq(txt,
                             "IF (x <= 5.5 or missing) THEN no (p=1.000, n=10) [no: 10, yes: 0]\n"
                             "IF x > 5.5 THEN yes (p=1.000, n=5) [no: 0, yes: 5]\n");
        else
            ck_assert_str_eq(txt,
                             "IF x <= 5.5 THEN no (p=1.000, n=5) [no: 5, yes: 0]\n"
                             "IF (x > 5.5 or missing) THEN yes (p=1.000, n=10) [no: 0, yes: 10]\n");
        crm_free(txt);
        /* prediction never fails: missing, infinite, out of range */
        double q[4] = {NAN, INFINITY, -INFINITY, 1e300};
        crm_dataset *t = NULL;
        ck_assert_ok(crm_dataset_new(&t));
        ck_assert_ok(crm_dataset_add_number(t, "x", q, 4));
        ck_assert_ok(crm_model_predict(m, t, "p"));
        ck_assert_str_eq(get_text(t, "p", 0), mirror ? "no" : "yes");
        ck_assert_str_eq(get_text(t, "p", 1), "yes");
        ck_assert_str_eq(get_text(t, "p", 2), "no");
        ck_assert_str_eq(get_text(t, "p", 3), "yes");
        crm_dataset_free(t);
        crm_model_free(m);
        crm_dataset_free(ds);
    }
    /* no missing value in training: missing values follow the larger child */
    double x[7] = {1, 2, 3, 4, 5, 6, 7};
    const char *y[7] = {"a", "a", "b", "b", "b", "b", "b"};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 7));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y, 7));
    const char *f[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    double q = NAN;
    crm_dataset *t = NULL;
    ck_assert_ok(crm_dataset_new(&t));
    ck_assert_ok(crm_dataset_add_number(t, "x", &q, 1));
    ck_assert_ok(crm_model_predict(m, t, "p"));
    ck_assert_str_eq(get_text(t, "p", 0), "b");
    crm_dataset_free(t);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* Bad input: clear errors, or a documented single-leaf tree. */
START_TEST(test_bad_input)
{
    crm_dataset *ds = ds_step();
    const char *f[] = {"x"};
    crm_model *m = NULL;
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    /* max_depth 0: one leaf predicting the majority (ties: first class) */
    o.max_depth = 0;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, &o, &m));
    ck_assert_double_eq(stat(m, "leaves"), 1);
    ck_assert_double_eq(stat(m, "depth"), 0);
    crm_model_free(m);
    /* min_samples_leaf above half the rows: one leaf */
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.min_samples_leaf = 6;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, &o, &m));
    ck_assert_double_eq(stat(m, "leaves"), 1);
    crm_model_free(m);
    /* one class: one leaf, impurity 0 */
    const char *one[10] = {"a", "a", "a", "a", "a", "a", "a", "a", "a", "a"};
    ck_assert_ok(crm_dataset_add_text(ds, "one", one, 10));
    ck_assert_ok(crm_tree_fit(ds, "one", f, 1, NULL, &m));
    ck_assert_double_eq(stat(m, "leaves"), 1);
    ck_assert_double_eq(stat(m, "n_classes"), 1);
    ck_assert_double_eq(stat(m, "train_accuracy"), 1);
    crm_model_free(m);
    /* constant features: one leaf */
    double k[10] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    ck_assert_ok(crm_dataset_add_number(ds, "k", k, 10));
    const char *fk[] = {"k"};
    ck_assert_ok(crm_tree_fit(ds, "y", fk, 1, NULL, &m));
    ck_assert_double_eq(stat(m, "leaves"), 1);
    crm_model_free(m);
    /* NaN target */
    double yn[10] = {0, 1, 0, 1, NAN, 0, 1, 0, 1, 0};
    ck_assert_ok(crm_dataset_add_number(ds, "yn", yn, 10));
    ck_assert_error(crm_tree_fit(ds, "yn", f, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 4"));
    ck_assert_ptr_null(m);
    /* a 0/1/2 target as a classifier */
    double y3[10] = {0, 1, 2, 1, 0, 0, 1, 0, 1, 0};
    ck_assert_ok(crm_dataset_add_number(ds, "y3", y3, 10));
    o.task = CRM_TREE_CLASSIFICATION;
    o.min_samples_leaf = 1;
    ck_assert_error(crm_tree_fit(ds, "y3", f, 1, &o, &m), CRM_E_INVALID);
    /* regression on a text target, mse for a classifier */
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.task = CRM_TREE_REGRESSION;
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.criterion = CRM_TREE_MSE;
    o.task = CRM_TREE_CLASSIFICATION;
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
    /* options out of range */
    const struct {
        int field;
        double v;
    } bad[] = {{0, -2}, {1, 1},   {2, 0},  {3, -1}, {4, NAN}, {5, 1},
               {6, 1},  {7, 256}, {8, -1}, {9, 7},  {10, 5},  {11, -1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_ok(crm_tree_options_init(&o, sizeof o));
        switch (bad[i].field) {
        case 0:
            o.max_depth = (int32_t)bad[i].v;
            break;
        case 1:
            o.min_samples_split = (int64_t)bad[i].v;
            break;
        case 2:
            o.min_samples_leaf = (int64_t)bad[i].v;
            break;
        case 3:
            o.min_impurity_decrease = bad[i].v;
            break;
        case 4:
            o.ccp_alpha = bad[i].v;
            break;
        case 5:
            o.max_leaf_nodes = (int64_t)bad[i].v;
            break;
        case 6:
            o.max_bins = (int32_t)bad[i].v;
            break;
        case 7:
            o.max_bins = (int32_t)bad[i].v;
            break;
        case 8:
            o.n_threads = (int32_t)bad[i].v;
            break;
        case 9:
            o.task = (int32_t)bad[i].v;
            break;
        case 10:
            o.criterion = (int32_t)bad[i].v;
            break;
        default:
            o.ccp_alpha = bad[i].v;
            break;
        }
        ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
        ck_assert_ptr_null(m);
    }
    /* positive class */
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.positive = "maybe";
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
    /* columns */
    const char *nf[] = {"nope"};
    ck_assert_error(crm_tree_fit(ds, "y", nf, 1, NULL, &m), CRM_E_NOTFOUND);
    ck_assert_error(crm_tree_fit(ds, "nope", f, 1, NULL, &m), CRM_E_NOTFOUND);
    const char *dup[] = {"x", "x"};
    ck_assert_error(crm_tree_fit(ds, "y", dup, 2, NULL, &m), CRM_E_INVALID);
    const char *self[] = {"y"};
    ck_assert_error(crm_tree_fit(ds, "y", self, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_error(crm_tree_fit(ds, "y", f, 0, NULL, &m), CRM_E_INVALID);
    ck_assert_error(crm_tree_fit(NULL, "y", f, 1, NULL, &m), CRM_E_INVALID);
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, NULL, NULL), CRM_E_INVALID);
    int64_t tv[10] = {0};
    ck_assert_ok(crm_dataset_add_time(ds, "t", tv, 10));
    const char *ft[] = {"t"};
    ck_assert_error(crm_tree_fit(ds, "y", ft, 1, NULL, &m), CRM_E_TYPE);
    double inf[10] = {0, 1, INFINITY, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_ok(crm_dataset_add_number(ds, "inf", inf, 10));
    const char *fi[] = {"inf"};
    ck_assert_error(crm_tree_fit(ds, "y", fi, 1, NULL, &m), CRM_E_INVALID);
    /* weights */
    double w[10] = {1, 1, 1, -1, 1, 1, 1, 1, 1, 1}, w0[10] = {0};
    ck_assert_ok(crm_dataset_add_number(ds, "w", w, 10));
    ck_assert_ok(crm_dataset_add_number(ds, "w0", w0, 10));
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.sample_weight = "w";
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
    o.sample_weight = "w0";
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_INVALID);
    o.sample_weight = "y";
    ck_assert_error(crm_tree_fit(ds, "y", f, 1, &o, &m), CRM_E_TYPE);
    /* empty dataset */
    crm_dataset *e = NULL;
    ck_assert_ok(crm_dataset_head(ds, 0, &e));
    ck_assert_error(crm_tree_fit(e, "y", f, 1, NULL, &m), CRM_E_INVALID);
    crm_dataset_free(e);
    /* options size rule */
    ck_assert_error(crm_tree_options_init(&o, 4), CRM_E_INVALID);
    ck_assert_error(crm_tree_options_init(NULL, sizeof o), CRM_E_INVALID);
    /* accessors on other kinds / NULL */
    char *txt = NULL;
    ck_assert_error(crm_tree_export_text(NULL, &txt), CRM_E_INVALID);
    ck_assert_error(crm_tree_export_dot(NULL, &txt), CRM_E_INVALID);
    crm_dataset_free(ds);
}
END_TEST

/* Deterministic mixed data: n rows, number features a, b, c (c with missing values), text
 * feature seg, target churn (text) depending on all of them with noise. */
static crm_dataset *gen(size_t n, uint64_t seed)
{
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    const char **seg = malloc(n * sizeof *seg), **y = malloc(n * sizeof *y);
    double *amt = malloc(n * sizeof *amt);
    static const char *const segs[] = {"north", "south", "east", "west", "online"};
    uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (size_t i = 0; i < n; i++) {
        double u[5];
        for (int k = 0; k < 5; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[k] = (double)(s >> 11) / 9007199254740992.0;
        }
        a[i] = floor(u[0] * 100);
        b[i] = u[1] * 10;
        c[i] = u[2] < 0.1 ? NAN : floor(u[2] * 50);
        seg[i] = segs[(size_t)(u[3] * 5)];
        double score = (a[i] < 30) + (b[i] > 7) + (seg[i][0] == 's' || seg[i][0] == 'o') +
                       (isnan(c[i]) ? 1 : 0) + (u[4] < 0.2);
        y[i] = score >= 2 ? "yes" : "no";
        amt[i] = 3 * a[i] + (seg[i][0] == 'o' ? 40 : 0) + b[i];
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "a", a, n));
    ck_assert_ok(crm_dataset_add_number(ds, "b", b, n));
    ck_assert_ok(crm_dataset_add_number(ds, "c", c, n));
    ck_assert_ok(crm_dataset_add_text(ds, "seg", seg, n));
    ck_assert_ok(crm_dataset_add_text(ds, "churn", y, n));
    ck_assert_ok(crm_dataset_add_number(ds, "amount", amt, n));
    free(a);
    free(b);
    free(c);
    free(seg);
    free(y);
    free(amt);
    return ds;
}

static const char *const gen_f[] = {"a", "b", "c", "seg"};

START_TEST(test_json_round_trip)
{
    crm_dataset *ds = gen(2000, 1);
    for (int reg = 0; reg < 2; reg++) {
        crm_tree_options o;
        ck_assert_ok(crm_tree_options_init(&o, sizeof o));
        o.max_depth = 6;
        crm_model *m = NULL, *m2 = NULL;
        ck_assert_ok(crm_tree_fit(ds, reg ? "amount" : "churn", gen_f, 4, &o, &m));
        char *js = NULL, *js2 = NULL;
        ck_assert_ok(crm_model_to_json(m, &js));
        ck_assert_ok(crm_model_from_json(js, &m2));
        ck_assert_ok(crm_model_to_json(m2, &js2));
        ck_assert_str_eq(js, js2);
        crm_dataset *t1 = gen(500, 2), *t2 = gen(500, 2);
        ck_assert_ok(crm_model_predict(m, t1, "p"));
        ck_assert_ok(crm_model_predict(m2, t2, "p"));
        double p1[500], p2[500];
        if (reg) {
            get_col(t1, "p", p1);
            get_col(t2, "p", p2);
        } else {
            get_col(t1, "p_proba", p1);
            get_col(t2, "p_proba", p2);
            for (size_t i = 0; i < 500; i++)
                ck_assert_str_eq(get_text(t1, "p", i), get_text(t2, "p", i));
        }
        ck_assert_int_eq(memcmp(p1, p2, sizeof p1), 0);
        const char *names[] = {"depth", "leaves", "nodes", "train_accuracy", "impurity"};
        for (size_t i = 0; i < 5; i++)
            ck_assert_double_eq(stat(m, names[i]), stat(m2, names[i]));
        crm_dataset_free(t1);
        crm_dataset_free(t2);
        crm_free(js);
        crm_free(js2);
        crm_model_free(m);
        crm_model_free(m2);
    }
    /* malformed documents */
    const char *badj[] = {
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"tree\"}",
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"tree\",\"task\":\"x\","
        "\"criterion\":\"gini\",\"target\":\"y\"}",
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"tree\",\"task\":\"regression\","
        "\"criterion\":\"mse\",\"target\":\"y\",\"target_text\":false,\"positive\":-1,"
        "\"classes\":[],\"features\":[{\"name\":\"x\",\"text\":false}],\"levels\":[[]],"
        "\"importances\":[1],\"n_rows\":2,\"weighted_n\":2,\"ccp_alpha\":0,\"max_bins\":0,"
        "\"train_score\":1,\"nodes\":[{\"left\":1,\"right\":1,\"feature\":0,\"threshold\":1,"
        "\"missing_left\":true,\"unseen_left\":true,\"missing_seen\":false,\"n\":2,"
        "\"weighted_n\":2,\"impurity\":0,\"value\":[1]}]}",
    };
    for (size_t i = 0; i < sizeof badj / sizeof badj[0]; i++) {
        crm_model *m = NULL;
        crm_status st = crm_model_from_json(badj[i], &m);
        ck_assert_msg(st == CRM_E_PARSE, "document %zu: %s", i, crm_status_str(st));
        ck_assert_ptr_null(m);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_exports_and_pruning)
{
    crm_dataset *ds = gen(3000, 3);
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.max_depth = 4;
    o.positive = "yes";
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "churn", gen_f, 4, &o, &m));
    char *txt = NULL, *dot = NULL;
    ck_assert_ok(crm_tree_export_text(m, &txt));
    ck_assert_ptr_nonnull(strstr(txt, "p(yes)="));
    ck_assert_ptr_nonnull(strstr(txt, "seg in {"));
    ck_assert_int_eq(txt[strlen(txt) - 1], '\n');
    size_t thens = 0;
    for (const char *p = txt; (p = strstr(p, "then ")); p++)
        thens++;
    ck_assert_uint_eq(thens, (size_t)stat(m, "leaves"));
    ck_assert_ok(crm_tree_export_dot(m, &dot));
    ck_assert_ptr_nonnull(strstr(dot, "digraph tree {"));
    ck_assert_ptr_nonnull(strstr(dot, "0 -> 1 [label=\"yes\"]"));
    crm_free(txt);
    crm_free(dot);
    /* pruning path: starts at alpha 0 with the tree's leaf impurity, ends at the root */
    crm_dataset *path = NULL;
    ck_assert_ok(crm_tree_pruning_path(ds, "churn", gen_f, 4, &o, &path));
    size_t np = crm_dataset_nrows(path);
    ck_assert_uint_ge(np, 2);
    double *al = malloc(np * sizeof *al), *im = malloc(np * sizeof *im);
    get_col(path, "ccp_alpha", al);
    get_col(path, "impurity", im);
    ck_assert_double_eq(al[0], 0.0);
    ck_assert_double_eq_tol(im[0], stat(m, "impurity"), 1e-15);
    for (size_t i = 1; i < np; i++) {
        ck_assert(al[i] >= al[i - 1]);
        ck_assert(im[i] >= im[i - 1] - 1e-15);
    }
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    double root_imp;
    ck_assert_ok(crm_dataset_get_number(s, 12, 0, 1, &root_imp));
    ck_assert_double_eq_tol(im[np - 1], root_imp, 1e-15);
    crm_dataset_free(s);
    /* ccp_alpha between two path alphas prunes to that step's leaf impurity */
    size_t mid = np / 2;
    crm_model *mp = NULL;
    o.ccp_alpha = al[mid];
    ck_assert_ok(crm_tree_fit(ds, "churn", gen_f, 4, &o, &mp));
    ck_assert(stat(mp, "leaves") < stat(m, "leaves"));
    size_t last = mid;
    while (last + 1 < np && al[last + 1] <= al[mid])
        last++;
    ck_assert_double_eq_tol(stat(mp, "impurity"), im[last], 1e-12);
    crm_model_free(mp);
    o.ccp_alpha = al[np - 1] * 2;
    ck_assert_ok(crm_tree_fit(ds, "churn", gen_f, 4, &o, &mp));
    ck_assert_double_eq(stat(mp, "leaves"), 1);
    crm_model_free(mp);
    free(al);
    free(im);
    crm_dataset_free(path);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* Best-first growth stops at max_leaf_nodes; each added split is the best available, so the
 * training accuracy does not fall as leaves are allowed. */
START_TEST(test_best_first)
{
    crm_dataset *ds = gen(3000, 4);
    double prev = 0;
    for (int64_t L = 2; L <= 12; L += 2) {
        crm_tree_options o;
        ck_assert_ok(crm_tree_options_init(&o, sizeof o));
        o.max_leaf_nodes = L;
        crm_model *m = NULL;
        ck_assert_ok(crm_tree_fit(ds, "churn", gen_f, 4, &o, &m));
        ck_assert_double_eq(stat(m, "leaves"), (double)L);
        double acc = stat(m, "train_accuracy");
        ck_assert(acc >= prev);
        prev = acc;
        crm_model_free(m);
    }
    crm_dataset_free(ds);
}
END_TEST

/* Histogram mode: with no more distinct values than bins the bins are exact, so the tree is
 * the exact-mode tree; with fewer bins it stays close in accuracy. */
START_TEST(test_histogram)
{
    crm_dataset *ds = gen(4000, 5);
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.max_depth = 6;
    const char *f[] = {"a", "c", "seg"}; /* a: 100 values, c: 50 values + missing */
    crm_model *ex = NULL, *hi = NULL;
    ck_assert_ok(crm_tree_fit(ds, "churn", f, 3, &o, &ex));
    o.max_bins = 255;
    ck_assert_ok(crm_tree_fit(ds, "churn", f, 3, &o, &hi));
    crm_dataset *s1 = NULL, *s2 = NULL;
    ck_assert_ok(crm_model_summary(ex, &s1));
    ck_assert_ok(crm_model_summary(hi, &s2));
    size_t nn = crm_dataset_nrows(s1);
    ck_assert_uint_eq(nn, crm_dataset_nrows(s2));
    double *v1 = malloc(nn * sizeof *v1), *v2 = malloc(nn * sizeof *v2);
    const char *cols[] = {"left", "threshold", "n", "impurity"};
    for (size_t c = 0; c < 4; c++) {
        get_col(s1, cols[c], v1);
        get_col(s2, cols[c], v2);
        for (size_t i = 0; i < nn; i++)
            ck_assert_msg((isnan(v1[i]) && isnan(v2[i])) || v1[i] == v2[i],
                          "%s of node %zu: %g vs %g", cols[c], i, v1[i], v2[i]);
    }
    free(v1);
    free(v2);
    crm_dataset_free(s1);
    crm_dataset_free(s2);
    crm_model_free(hi);
    /* the same with best-first growth */
    o.max_leaf_nodes = 10;
    o.max_bins = 0;
    crm_model *bx = NULL, *bh = NULL;
    ck_assert_ok(crm_tree_fit(ds, "churn", f, 3, &o, &bx));
    o.max_bins = 255;
    ck_assert_ok(crm_tree_fit(ds, "churn", f, 3, &o, &bh));
    char *tx = NULL, *th = NULL;
    ck_assert_ok(crm_tree_export_text(bx, &tx));
    ck_assert_ok(crm_tree_export_text(bh, &th));
    ck_assert_str_eq(tx, th);
    ck_assert_double_eq(stat(bh, "leaves"), 10);
    crm_free(tx);
    crm_free(th);
    crm_model_free(bx);
    crm_model_free(bh);
    o.max_leaf_nodes = 0;
    /* continuous b with 16 bins: accuracy within 2 points of exact */
    const char *g[] = {"a", "b", "c", "seg"};
    crm_model *e2 = NULL;
    o.max_bins = 0;
    ck_assert_ok(crm_tree_fit(ds, "churn", g, 4, &o, &e2));
    o.max_bins = 16;
    ck_assert_ok(crm_tree_fit(ds, "churn", g, 4, &o, &hi));
    ck_assert_double_eq(stat(hi, "max_bins"), 16);
    ck_assert(fabs(stat(hi, "train_accuracy") - stat(e2, "train_accuracy")) < 0.02);
    crm_model_free(hi);
    crm_model_free(e2);
    crm_model_free(ex);
    crm_dataset_free(ds);
}
END_TEST

/* Weights: a weight of 2 equals the row duplicated (same splits, same weighted counts);
 * balanced class weights give both classes the same total weight at the root. */
START_TEST(test_weights)
{
    double x[6] = {1, 2, 3, 4, 5, 6}, w[6] = {1, 2, 1, 1, 1, 1};
    const char *y[6] = {"a", "b", "a", "b", "b", "b"};
    double xd[7] = {1, 2, 2, 3, 4, 5, 6};
    const char *yd[7] = {"a", "b", "b", "a", "b", "b", "b"};
    crm_dataset *d1 = NULL, *d2 = NULL;
    ck_assert_ok(crm_dataset_new(&d1));
    ck_assert_ok(crm_dataset_add_number(d1, "x", x, 6));
    ck_assert_ok(crm_dataset_add_number(d1, "w", w, 6));
    ck_assert_ok(crm_dataset_add_text(d1, "y", y, 6));
    ck_assert_ok(crm_dataset_new(&d2));
    ck_assert_ok(crm_dataset_add_number(d2, "x", xd, 7));
    ck_assert_ok(crm_dataset_add_text(d2, "y", yd, 7));
    const char *f[] = {"x"};
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    crm_model *m1 = NULL, *m2 = NULL;
    o.sample_weight = "w";
    ck_assert_ok(crm_tree_fit(d1, "y", f, 1, &o, &m1));
    ck_assert_ok(crm_tree_fit(d2, "y", f, 1, NULL, &m2));
    crm_dataset *s1 = NULL, *s2 = NULL;
    ck_assert_ok(crm_model_summary(m1, &s1));
    ck_assert_ok(crm_model_summary(m2, &s2));
    size_t nn = crm_dataset_nrows(s1);
    ck_assert_uint_eq(nn, crm_dataset_nrows(s2));
    double a[16], b[16];
    get_col(s1, "weighted_n", a);
    get_col(s2, "weighted_n", b);
    for (size_t i = 0; i < nn; i++)
        ck_assert_double_eq(a[i], b[i]);
    get_col(s1, "threshold", a);
    get_col(s2, "threshold", b);
    for (size_t i = 0; i < nn; i++)
        ck_assert(a[i] == b[i] || (isnan(a[i]) && isnan(b[i])));
    crm_dataset_free(s1);
    crm_dataset_free(s2);
    crm_model_free(m1);
    crm_model_free(m2);
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.class_weight = CRM_TREE_WEIGHT_BALANCED;
    o.max_depth = 0;
    ck_assert_ok(crm_tree_fit(d1, "y", f, 1, &o, &m1));
    char *txt = NULL;
    ck_assert_ok(crm_tree_export_text(m1, &txt));
    ck_assert_str_eq(txt, "then a (p=0.500, n=6) [a: 3, b: 3]\n");
    crm_free(txt);
    crm_model_free(m1);
    crm_dataset_free(d1);
    crm_dataset_free(d2);

    /* A target value found only in rows of weight 0 is no class, and balanced weights
     * skip its rows (its class number used to be read unset). n = 6 rows, 2 classes:
     * a weighs 6 / (2 * 3) = 1, b 6 / (2 * 2) = 1.5, the root 3 * 1 + 2 * 1.5 = 6. */
    double x3[6] = {1, 2, 3, 4, 5, 6}, w3[6] = {1, 1, 1, 1, 0, 1};
    const char *y3[6] = {"a", "b", "a", "b", "zz", "a"};
    ck_assert_ok(crm_dataset_new(&d1));
    ck_assert_ok(crm_dataset_add_number(d1, "x", x3, 6));
    ck_assert_ok(crm_dataset_add_number(d1, "w", w3, 6));
    ck_assert_ok(crm_dataset_add_text(d1, "y", y3, 6));
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.class_weight = CRM_TREE_WEIGHT_BALANCED;
    o.sample_weight = "w";
    for (int rep = 0; rep < 3; rep++) {
        ck_assert_ok(crm_tree_fit(d1, "y", f, 1, &o, &m1));
        ck_assert_ok(crm_model_summary(m1, &s1));
        get_col(s1, "weighted_n", a);
        ck_assert_double_eq(a[0], 6.0);
        crm_dataset_free(s1);
        crm_model_free(m1);
    }
    crm_dataset_free(d1);
}
END_TEST

/* The same options give the same model, bit for bit, for any number of threads (the nodes
 * here are large enough to be searched and partitioned on the worker threads), in exact
 * and histogram mode, for classification and regression. */
START_TEST(test_determinism)
{
    crm_dataset *ds = gen(60000, 6);
    for (int mode = 0; mode < 4; mode++) {
        char *js[4];
        const int threads[4] = {1, 2, 3, 0};
        for (int r = 0; r < 4; r++) {
            crm_tree_options o;
            ck_assert_ok(crm_tree_options_init(&o, sizeof o));
            o.max_depth = 8;
            o.n_threads = threads[r];
            o.max_bins = mode & 1 ? 64 : 0;
            crm_model *m = NULL;
            ck_assert_ok(crm_tree_fit(ds, mode & 2 ? "amount" : "churn", gen_f, 4, &o, &m));
            ck_assert_ok(crm_model_to_json(m, &js[r]));
            crm_model_free(m);
        }
        for (int r = 1; r < 4; r++)
            ck_assert_msg(strcmp(js[0], js[r]) == 0, "mode %d: %d threads differ from 1", mode,
                          threads[r]);
        for (int r = 0; r < 4; r++)
            crm_free(js[r]);
    }
    crm_dataset_free(ds);
}
END_TEST

static int cancel_cb(double fraction, void *user)
{
    (void)fraction;
    return ++*(int *)user >= 3;
}

START_TEST(test_cancel)
{
    crm_dataset *ds = gen(2000, 7);
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    int calls = 0;
    o.progress = cancel_cb;
    o.user = &calls;
    crm_model *m = NULL;
    ck_assert_error(crm_tree_fit(ds, "churn", gen_f, 4, &o, &m), CRM_E_CANCELLED);
    ck_assert_ptr_null(m);
    crm_dataset_free(ds);
}
END_TEST

/* ---- limits --------------------------------------------------------------------------- */

/* One row, two rows, an unlimited tree on duplicated rows (stops at constant features), two
 * bins, and a text feature of 300 categories (exact mode; histogram mode refuses it). */
START_TEST(test_limits)
{
    double x1 = 5;
    const char *y1 = "a";
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", &x1, 1));
    ck_assert_ok(crm_dataset_add_text(ds, "y", &y1, 1));
    const char *f[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    ck_assert_double_eq(stat(m, "leaves"), 1);
    crm_model_free(m);
    crm_dataset_free(ds);

    double x2[2] = {1, 2};
    const char *y2[2] = {"a", "b"};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x2, 2));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y2, 2));
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    ck_assert_double_eq(stat(m, "leaves"), 2);
    ck_assert_double_eq(stat(m, "train_accuracy"), 1);
    crm_model_free(m);
    crm_dataset_free(ds);

    /* duplicated rows with conflicting labels: unlimited depth stops at identical rows */
    double x3[40];
    const char *y3[40];
    for (int i = 0; i < 40; i++) {
        x3[i] = i % 4;
        y3[i] = (i / 4) % 2 ? "a" : "b";
    }
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x3, 40));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y3, 40));
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    ck_assert(stat(m, "leaves") <= 4);
    crm_model_free(m);
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.max_bins = 2;
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, &o, &m));
    ck_assert(stat(m, "leaves") <= 2);
    crm_model_free(m);
    crm_dataset_free(ds);

    /* 300 categories: category k churns when k % 3 == 0; one subset split separates them */
    enum { NC = 300, NR = 900 };
    static char names[NC][8];
    const char *c[NR];
    double y[NR];
    for (int i = 0; i < NR; i++) {
        int k = i % NC;
        snprintf(names[k], sizeof names[k], "c%d", k);
        c[i] = names[k];
        y[i] = k % 3 == 0;
    }
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "cat", c, NR));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, NR));
    const char *fc[] = {"cat"};
    ck_assert_ok(crm_tree_fit(ds, "y", fc, 1, NULL, &m));
    ck_assert_double_eq(stat(m, "leaves"), 2);
    ck_assert_double_eq(stat(m, "train_accuracy"), 1);
    crm_model_free(m);
    o.max_bins = 255;
    ck_assert_error(crm_tree_fit(ds, "y", fc, 1, &o, &m), CRM_E_INVALID);
    ck_assert_ptr_null(m);
    crm_dataset_free(ds);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------ */

static char *af_json;

static crm_status af_dataset(crm_dataset **ds)
{
    static const double x[] = {1, 2, 3, NAN, 5, 6, 7, 8, 9, 10};
    static const char *const c[] = {"p", "q", "p", "r", NULL, "q", "r", "p", "q", "r"};
    static const char *const y[] = {"n", "n", "y", "y", "n", "y", "y", "n", "y", "n"};
    crm_status st = crm_dataset_new(ds);
    if (st == CRM_OK) st = crm_dataset_add_number(*ds, "x", x, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(*ds, "c", c, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(*ds, "y", y, 10);
    return st;
}

static crm_status af_fit(int32_t max_bins, int64_t leaves, int to_json)
{
    crm_dataset *ds = NULL, *path = NULL, *imp = NULL;
    crm_model *m = NULL;
    char *js = NULL, *txt = NULL, *dot = NULL;
    crm_tree_options o;
    crm_tree_options_init(&o, sizeof o);
    o.max_bins = max_bins;
    o.max_leaf_nodes = leaves;
    o.ccp_alpha = 0.01;
    const char *f[] = {"x", "c"};
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_tree_fit(ds, "y", f, 2, &o, &m);
    if (st == CRM_OK && to_json) st = crm_model_to_json(m, &js);
    if (st == CRM_OK && to_json) st = crm_tree_export_text(m, &txt);
    if (st == CRM_OK && to_json) st = crm_tree_export_dot(m, &dot);
    if (st == CRM_OK && to_json) {
        crm_free(txt);
        txt = NULL;
        st = crm_tree_export_rules(m, &txt);
    }
    if (st == CRM_OK && to_json) st = crm_tree_feature_importances(m, &imp);
    if (st == CRM_OK && !to_json) st = crm_tree_pruning_path(ds, "y", f, 2, &o, &path);
    crm_free(js);
    crm_free(txt);
    crm_free(dot);
    crm_dataset_free(path);
    crm_dataset_free(imp);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

static crm_status af_exact(void)
{
    return af_fit(0, 0, 1);
}
static crm_status af_hist_best(void)
{
    return af_fit(8, 4, 1);
}
static crm_status af_path(void)
{
    return af_fit(0, 0, 0);
}

static crm_status af_load_predict(void)
{
    crm_dataset *ds = NULL, *s = NULL;
    crm_model *m = NULL;
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_model_from_json(af_json, &m);
    if (st == CRM_OK) st = crm_model_predict(m, ds, "p");
    if (st == CRM_OK) st = crm_model_summary(m, &s);
    crm_dataset_free(s);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(af_exact());
    CRM_TEST_EACH_ALLOC_FAILURE(af_hist_best());
    CRM_TEST_EACH_ALLOC_FAILURE(af_path());
    crm_dataset *ds = NULL;
    crm_model *m = NULL;
    ck_assert_ok(af_dataset(&ds));
    const char *f[] = {"x", "c"};
    ck_assert_ok(crm_tree_fit(ds, "y", f, 2, NULL, &m));
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    af_json = strdup(js);
    crm_free(js);
    crm_model_free(m);
    crm_dataset_free(ds);
    CRM_TEST_EACH_ALLOC_FAILURE(af_load_predict());
    free(af_json);
}
END_TEST

/* Exports and messages format numbers with a '.' whatever LC_NUMERIC says.
 * Run in the locale named by CRM_TEST_LOCALE (tests/locale.sh compiles a
 * German one, whose decimal separator is ','), else in the "C" locale. */
START_TEST(test_exports_ignore_locale)
{
    const char *loc = getenv("CRM_TEST_LOCALE");
    if (loc) {
        ck_assert_msg(setlocale(LC_ALL, loc) != NULL, "locale %s is not available", loc);
        char probe[16];
        snprintf(probe, sizeof probe, "%.1f", 0.5);
        ck_assert_str_eq(probe, "0,5"); /* the locale really has a decimal comma */
    }
    const double x[] = {1, 2, 3, 4, 5, 6, 7, 8}, y[] = {0, 0, 0, 0, 1, 1, 1, 1};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 8));
    const char *feats[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "y", feats, 1, NULL, &m));
    char *text = NULL, *rules = NULL, *dot = NULL;
    ck_assert_ok(crm_tree_export_text(m, &text));
    ck_assert_ok(crm_tree_export_rules(m, &rules));
    ck_assert_ok(crm_tree_export_dot(m, &dot));
    ck_assert_msg(strstr(text, "4.5") && !strstr(text, "4,5"), "%s", text);
    ck_assert_msg(strstr(rules, "x <= 4.5") && !strstr(rules, "4,5"), "%s", rules);
    ck_assert_msg(strstr(rules, "1.000") && !strstr(rules, "1,000"), "%s", rules);
    ck_assert_msg(strstr(dot, "4.5") && !strstr(dot, "4,5"), "%s", dot);
    crm_free(text);
    crm_free(rules);
    crm_free(dot);
    /* a message with a %g */
    crm_model *bad = NULL;
    ck_assert_error(crm_model_from_json("{\"format\":\"libcrm-model\",\"version\":1.5}", &bad),
                    CRM_E_FORMAT);
    ck_assert_msg(strstr(crm_last_error(), "version 1.5 ") != NULL, "%s", crm_last_error());
    crm_model_free(m);
    crm_dataset_free(ds);
    if (loc) setlocale(LC_ALL, "C");
}
END_TEST

Suite *crm_tree_suite(void)
{
    Suite *s = suite_create("tree");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_number_split);
    tcase_add_test(tc, test_regression);
    tcase_add_test(tc, test_text_split);
    tcase_add_test(tc, test_multiclass_text);
    tcase_add_test(tc, test_flat_rules);
    tcase_add_test(tc, test_missing_direction);
    tcase_add_test(tc, test_json_round_trip);
    tcase_add_test(tc, test_exports_and_pruning);
    tcase_add_test(tc, test_best_first);
    tcase_add_test(tc, test_histogram);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_determinism);
    suite_add_tcase(s, tc);
    TCase *lim = tcase_create("limits");
    tcase_set_timeout(lim, 300);
    tcase_add_test(lim, test_limits);
    suite_add_tcase(s, lim);
    TCase *bad = tcase_create("bad_input");
    tcase_set_timeout(bad, 300);
    tcase_add_test(bad, test_bad_input);
    tcase_add_test(bad, test_cancel);
    tcase_add_test(bad, test_alloc_failures);
    suite_add_tcase(s, bad);
    TCase *loc = tcase_create("locale");
    tcase_add_test(loc, test_exports_ignore_locale);
    suite_add_tcase(s, loc);
    return s;
}
