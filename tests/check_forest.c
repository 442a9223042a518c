/* Random forests: with no bootstrap and mtry = every feature each tree is the CART tree of
 * crm_tree_fit() (structure and predictions); the OOB error equals its definition recomputed
 * from the per-tree samples and trees; the result does not depend on the thread count (1, 2,
 * 7; exact and histogram mode); JSON save/load round trip; cancel; bad input; limits (one
 * tree, one row, a constant target); regression; allocation failures. */
#define _GNU_SOURCE
#include "test_util.h"
#include "file_util.h"

#include "crm/model.h"
#include "crm/tree.h"

#include <math.h>

#define NR 300

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

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static double u01(uint64_t i)
{
    return (double)(mix(i) >> 11) * 0x1p-53;
}

/* NR rows: number features a, b (b with missing values), noise c, text feature plan (4 levels,
 * some missing), a 0/1 target y with noise and a regression target spend. */
static crm_dataset *ds_mixed(void)
{
    static const char *const plans[] = {"basic", "plus", "pro", "family"};
    double a[NR], b[NR], c[NR], y[NR], spend[NR];
    const char *plan[NR];
    for (size_t i = 0; i < NR; i++) {
        a[i] = 100.0 * u01(4 * i);
        b[i] = (i % 11 == 3) ? NAN : 50.0 * u01(4 * i + 1);
        c[i] = u01(4 * i + 2);
        size_t p = (size_t)(4.0 * u01(4 * i + 3));
        plan[i] = (i % 13 == 5) ? NULL : plans[p];
        double s = a[i] / 100.0 + (p == 2 ? 0.4 : 0.0) + (isnan(b[i]) ? 0.3 : b[i] / 100.0);
        y[i] = s + 0.4 * (u01(1000 + i) - 0.5) > 0.8 ? 1.0 : 0.0;
        spend[i] = 10.0 * a[i] + 3.0 * (p == 1) + u01(2000 + i);
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "a", a, NR));
    ck_assert_ok(crm_dataset_add_number(ds, "b", b, NR));
    ck_assert_ok(crm_dataset_add_number(ds, "c", c, NR));
    ck_assert_ok(crm_dataset_add_text(ds, "plan", plan, NR));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, NR));
    ck_assert_ok(crm_dataset_add_number(ds, "spend", spend, NR));
    return ds;
}

static const char *const FEAT[] = {"a", "b", "c", "plan"};

/* Predictions of m on ds: the prediction column and, for a classifier, the proba column. */
static void predict(const crm_model *m, const crm_dataset *ds, double *pred, double *proba)
{
    crm_dataset *cp = NULL;
    ck_assert_ok(crm_dataset_head(ds, crm_dataset_nrows(ds), &cp));
    ck_assert_ok(crm_model_predict(m, cp, "p"));
    get_col(cp, "p", pred);
    if (proba) get_col(cp, "p_proba", proba);
    crm_dataset_free(cp);
}

static char *to_json(const crm_model *m)
{
    char *s = NULL;
    ck_assert_ok(crm_model_to_json(m, &s));
    return s;
}

/* The node tables of two trees are equal cell by cell (NaN equal to NaN). */
static void assert_same_summary(const crm_model *x, const crm_model *y)
{
    crm_dataset *a = NULL, *b = NULL;
    ck_assert_ok(crm_model_summary(x, &a));
    ck_assert_ok(crm_model_summary(y, &b));
    size_t n = crm_dataset_nrows(a), nc = crm_dataset_ncols(a);
    ck_assert_uint_eq(n, crm_dataset_nrows(b));
    ck_assert_uint_eq(nc, crm_dataset_ncols(b));
    char *ja = NULL, *jb = NULL;
    for (size_t c = 0; c < nc; c++)
        for (size_t r = 0; r < n; r++) {
            const char *ta = NULL, *tb = NULL;
            double va = 0, vb = 0;
            if (crm_dataset_get_text(a, c, r, &ta) == CRM_OK) {
                ck_assert_ok(crm_dataset_get_text(b, c, r, &tb));
                ck_assert_msg((!ta && !tb) || (ta && tb && strcmp(ta, tb) == 0),
                              "column %zu row %zu differs", c, r);
                continue;
            }
            ck_assert_ok(crm_dataset_get_number(a, c, r, 1, &va));
            ck_assert_ok(crm_dataset_get_number(b, c, r, 1, &vb));
            ck_assert_msg((isnan(va) && isnan(vb)) || va == vb, "column %zu row %zu: %.17g vs %.17g",
                          c, r, va, vb);
        }
    (void)ja;
    (void)jb;
    crm_dataset_free(a);
    crm_dataset_free(b);
}

START_TEST(test_no_bootstrap_is_cart)
{
    crm_dataset *ds = ds_mixed();
    crm_forest_options o;
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 4;
    o.replace = 0;
    o.mtry = 4;
    o.seed = 7;
    o.n_threads = 2;
    crm_model *f = NULL;
    ck_assert_ok(crm_forest_fit(ds, "y", FEAT, 4, &o, &f));
    ck_assert_int_eq(crm_model_kind(f), CRM_MODEL_FOREST);
    ck_assert(isnan(stat(f, "oob_error"))); /* every row in every sample */
    ck_assert_double_eq(stat(f, "oob_rows"), 0);
    for (size_t t = 0; t < 4; t++) {
        crm_tree_options to;
        ck_assert_ok(crm_tree_options_init(&to, sizeof to));
        to.seed = 7 + t;
        crm_model *cart = NULL, *tree = NULL;
        ck_assert_ok(crm_tree_fit(ds, "y", FEAT, 4, &to, &cart));
        ck_assert_ok(crm_forest_tree(f, t, &tree));
        ck_assert_int_eq(crm_model_kind(tree), CRM_MODEL_TREE);
        ck_assert_double_eq(stat(tree, "nodes"), stat(cart, "nodes"));
        assert_same_summary(tree, cart);
        double p1[NR], q1[NR], p2[NR], q2[NR];
        predict(tree, ds, p1, q1);
        predict(cart, ds, p2, q2);
        ck_assert_mem_eq(p1, p2, sizeof p1);
        ck_assert_mem_eq(q1, q2, sizeof q1);
        crm_model_free(cart);
        crm_model_free(tree);
    }
    /* the same holds for the regression trees */
    crm_model_free(f);
    o.n_trees = 2;
    ck_assert_ok(crm_forest_fit(ds, "spend", FEAT, 4, &o, &f));
    for (size_t t = 0; t < 2; t++) {
        crm_tree_options to;
        ck_assert_ok(crm_tree_options_init(&to, sizeof to));
        to.seed = 7 + t;
        crm_model *cart = NULL, *tree = NULL;
        ck_assert_ok(crm_tree_fit(ds, "spend", FEAT, 4, &to, &cart));
        ck_assert_ok(crm_forest_tree(f, t, &tree));
        assert_same_summary(tree, cart);
        crm_model_free(cart);
        crm_model_free(tree);
    }
    crm_model_free(f);
    crm_dataset_free(ds);
}
END_TEST

/* OOB error from its definition: per row, the trees whose sample does not contain it. */
START_TEST(test_oob_definition)
{
    crm_dataset *ds = ds_mixed();
    for (int reg = 0; reg < 2; reg++) {
        crm_forest_options o;
        ck_assert_ok(crm_forest_options_init(&o, sizeof o));
        o.n_trees = 15;
        o.seed = 3;
        crm_model *f = NULL;
        const char *target = reg ? "spend" : "y";
        ck_assert_ok(crm_forest_fit(ds, target, FEAT, 4, &o, &f));
        double sum[NR] = {0}, used[NR] = {0}, yv[NR];
        get_col(ds, target, yv);
        for (size_t t = 0; t < 15; t++) {
            crm_dataset *bag = NULL;
            crm_model *tree = NULL;
            ck_assert_ok(crm_forest_bag(f, t, &bag));
            ck_assert_uint_eq(crm_dataset_nrows(bag), NR);
            double cnt[NR], pred[NR], proba[NR];
            get_col(bag, "count", cnt);
            double total = 0;
            for (size_t i = 0; i < NR; i++)
                total += cnt[i];
            ck_assert_double_eq(total, NR); /* bootstrap: n draws */
            ck_assert_ok(crm_forest_tree(f, t, &tree));
            predict(tree, ds, pred, reg ? NULL : proba);
            for (size_t i = 0; i < NR; i++) {
                if (cnt[i] != 0) continue;
                /* leaves are pure (no depth limit, distinct values): shares 0 or 1 */
                sum[i] += reg ? pred[i] : (pred[i] == 1.0 ? proba[i] : 1.0 - proba[i]);
                used[i] += 1;
            }
            crm_dataset_free(bag);
            crm_model_free(tree);
        }
        double err = 0, rows = 0, oobp[NR];
        crm_dataset *cp = NULL;
        ck_assert_ok(crm_dataset_head(ds, NR, &cp));
        ck_assert_ok(crm_forest_oob_predict(f, cp, "oob"));
        get_col(cp, "oob", oobp);
        for (size_t i = 0; i < NR; i++) {
            if (used[i] == 0) {
                ck_assert(isnan(oobp[i]));
                continue;
            }
            double p = sum[i] / used[i];
            double e = reg ? (yv[i] - p) * (yv[i] - p) : (double)((p > 0.5 ? 1.0 : 0.0) != yv[i]);
            if (reg)
                ck_assert_double_eq_tol(oobp[i], p, 1e-9 * fabs(p));
            else
                ck_assert_double_eq(oobp[i], p > 0.5 ? 1.0 : 0.0);
            err += e;
            rows += 1;
        }
        ck_assert_double_eq(stat(f, "oob_rows"), rows);
        ck_assert(rows > 0.9 * NR);
        if (reg)
            ck_assert_double_eq_tol(stat(f, "oob_error"), err / rows, 1e-9 * err / rows);
        else
            ck_assert_double_eq(stat(f, "oob_error"), err / rows);
        crm_dataset_free(cp);
        crm_model_free(f);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_threads_invariant)
{
    crm_dataset *ds = ds_mixed();
    for (int hist = 0; hist < 2; hist++) {
        char *ref = NULL;
        double pref[NR], qref[NR];
        static const int32_t threads[] = {1, 2, 7};
        for (int k = 0; k < 3; k++) {
            crm_forest_options o;
            ck_assert_ok(crm_forest_options_init(&o, sizeof o));
            o.n_trees = 13;
            o.max_bins = hist ? 16 : 0;
            o.importance = CRM_FOREST_IMPORTANCE_PERMUTATION;
            o.n_threads = threads[k];
            o.seed = 11;
            o.mtry_rule = hist ? CRM_FOREST_MTRY_EXACT : CRM_FOREST_MTRY_NONCONSTANT;
            crm_model *f = NULL;
            ck_assert_ok(crm_forest_fit(ds, "y", FEAT, 4, &o, &f));
            char *js = to_json(f);
            double p[NR], q[NR];
            predict(f, ds, p, q);
            if (k == 0) {
                ref = js;
                memcpy(pref, p, sizeof p);
                memcpy(qref, q, sizeof q);
            } else {
                ck_assert_str_eq(js, ref);
                ck_assert_mem_eq(p, pref, sizeof p);
                ck_assert_mem_eq(q, qref, sizeof q);
                crm_free(js);
            }
            crm_model_free(f);
        }
        crm_free(ref);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_save_load)
{
    crm_dataset *ds = ds_mixed();
    for (int reg = 0; reg < 2; reg++) {
        crm_forest_options o;
        ck_assert_ok(crm_forest_options_init(&o, sizeof o));
        o.n_trees = 9;
        o.importance = CRM_FOREST_IMPORTANCE_PERMUTATION;
        o.seed = UINT64_C(18446744073709551615);
        crm_model *f = NULL, *g = NULL;
        ck_assert_ok(crm_forest_fit(ds, reg ? "spend" : "y", FEAT, 4, &o, &f));
        char path[64];
        temp_path(path, sizeof path, ".json");
        ck_assert_ok(crm_model_save(f, path));
        ck_assert_ok(crm_model_load(path, &g));
        remove(path);
        char *a = to_json(f), *b = to_json(g);
        ck_assert_str_eq(a, b);
        double p1[NR], p2[NR];
        predict(f, ds, p1, NULL);
        predict(g, ds, p2, NULL);
        ck_assert_mem_eq(p1, p2, sizeof p1);
        ck_assert_double_eq(stat(g, "oob_error"), stat(f, "oob_error"));
        /* the bags are regenerated from the saved seed */
        crm_dataset *b1 = NULL, *b2 = NULL;
        ck_assert_ok(crm_forest_bag(f, 8, &b1));
        ck_assert_ok(crm_forest_bag(g, 8, &b2));
        double c1[NR], c2[NR];
        get_col(b1, "count", c1);
        get_col(b2, "count", c2);
        ck_assert_mem_eq(c1, c2, sizeof c1);
        crm_dataset_free(b1);
        crm_dataset_free(b2);
        crm_free(a);
        crm_free(b);
        crm_model_free(f);
        crm_model_free(g);
    }
    crm_dataset_free(ds);
}
END_TEST

static int32_t cancel_at_half(double fraction, void *user)
{
    int *calls = user;
    (*calls)++;
    return fraction >= 0.5;
}

START_TEST(test_cancel)
{
    crm_dataset *ds = ds_mixed();
    crm_forest_options o;
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 40;
    o.n_threads = 1;
    int calls = 0;
    o.progress = cancel_at_half;
    o.user = &calls;
    crm_model *f = (crm_model *)1;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_CANCELLED);
    ck_assert_ptr_null(f);
    ck_assert_int_ge(calls, 2);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_input)
{
    crm_dataset *ds = ds_mixed();
    crm_forest_options o;
    crm_model *f = NULL;
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 0;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ptr_null(strstr(crm_last_error(), "crm_tree_fit"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "n_trees"));
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.mtry = 5;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.replace = 0;
    o.sample_fraction = 1.5;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    o.sample_fraction = 0.0;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.replace = 2;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.importance = 9;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.mtry_rule = 2;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.min_samples_leaf = 0;
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, &o, &f), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "crm_forest_fit: min_samples_leaf"));
    ck_assert_int_eq(crm_forest_fit(ds, "nope", FEAT, 4, NULL, &f), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "crm_forest_fit"));
    ck_assert_int_eq(crm_forest_fit(ds, "plan", FEAT, 3, NULL, &f), CRM_E_INVALID); /* missing */
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 0, NULL, &f), CRM_E_INVALID);
    ck_assert_int_eq(crm_forest_fit(NULL, "y", FEAT, 4, NULL, &f), CRM_E_INVALID);
    ck_assert_int_eq(crm_forest_fit(ds, "y", FEAT, 4, NULL, NULL), CRM_E_INVALID);
    ck_assert_ptr_null(f);
    /* accessors */
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 3;
    ck_assert_ok(crm_forest_fit(ds, "y", FEAT, 4, &o, &f));
    crm_model *t = NULL;
    crm_dataset *b = NULL;
    ck_assert_int_eq(crm_forest_tree(f, 3, &t), CRM_E_INVALID);
    ck_assert_int_eq(crm_forest_bag(f, 3, &b), CRM_E_INVALID);
    crm_dataset *small = NULL;
    ck_assert_ok(crm_dataset_head(ds, 10, &small));
    ck_assert_int_eq(crm_forest_oob_predict(f, small, "o"), CRM_E_INVALID);
    ck_assert_int_eq(crm_forest_oob_predict(f, NULL, "o"), CRM_E_INVALID);
    ck_assert_ok(crm_forest_tree(f, 0, &t));
    crm_model *t2 = f; /* any non-NULL value: a failure must set it to NULL */
    ck_assert_int_eq(crm_forest_tree(t, 0, &t2), CRM_E_TYPE); /* a tree is no forest */
    ck_assert_ptr_null(t2);
    crm_model_free(t);
    t = NULL;
    /* predicting needs the feature columns */
    crm_dataset *nofeat = NULL;
    ck_assert_ok(crm_dataset_new(&nofeat));
    const double x[1] = {1};
    ck_assert_ok(crm_dataset_add_number(nofeat, "a", x, 1));
    ck_assert_int_eq(crm_model_predict(f, nofeat, "p"), CRM_E_NOTFOUND);
    ck_assert_uint_eq(crm_dataset_ncols(nofeat), 1);
    /* malformed model files */
    char *js = to_json(f);
    char *bad = strdup(js);
    char *p = strstr(bad, "\"left\":[");
    ck_assert_ptr_nonnull(p);
    p[8] = '9'; /* a child index before its node or out of range */
    ck_assert_int_eq(crm_model_from_json(bad, &t), CRM_E_PARSE);
    ck_assert_ptr_null(t);
    free(bad);
    bad = strdup(js);
    p = strstr(bad, "\"seed\":\"");
    ck_assert_ptr_nonnull(p);
    p[8] = 'x';
    ck_assert_int_eq(crm_model_from_json(bad, &t), CRM_E_PARSE);
    free(bad);
    crm_free(js);
    crm_dataset_free(nofeat);
    crm_dataset_free(small);
    crm_model_free(f);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_limits)
{
    crm_dataset *ds = ds_mixed();
    crm_forest_options o;
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 1;
    crm_model *f = NULL;
    ck_assert_ok(crm_forest_fit(ds, "y", FEAT, 4, &o, &f));
    ck_assert_double_eq(stat(f, "n_trees"), 1);
    ck_assert_double_eq(stat(f, "mtry"), 2); /* floor(sqrt(4)) */
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(f, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 1);
    crm_dataset_free(s);
    crm_model_free(f);
    /* one row */
    crm_dataset *one = NULL;
    ck_assert_ok(crm_dataset_head(ds, 1, &one));
    ck_assert_ok(crm_forest_fit(one, "y", FEAT, 4, NULL, &f));
    ck_assert_double_eq(stat(f, "nodes"), 100);
    ck_assert(isnan(stat(f, "oob_error")));
    double p[1];
    predict(f, one, p, NULL);
    double y0[1];
    get_col(one, "y", y0);
    ck_assert_double_eq(p[0], y0[0]);
    crm_model_free(f);
    crm_dataset_free(one);
    /* constant target: single-leaf trees, every prediction that value, OOB error 0 */
    double cst[NR];
    for (size_t i = 0; i < NR; i++)
        cst[i] = 1.0;
    crm_dataset *cp = NULL;
    ck_assert_ok(crm_dataset_head(ds, NR, &cp));
    ck_assert_ok(crm_dataset_add_number(cp, "k", cst, NR));
    o.n_trees = 5;
    ck_assert_ok(crm_forest_fit(cp, "k", FEAT, 4, &o, &f));
    ck_assert_double_eq(stat(f, "nodes"), 5);
    ck_assert_double_eq(stat(f, "oob_error"), 0);
    double pk[NR], qk[NR];
    predict(f, cp, pk, qk);
    for (size_t i = 0; i < NR; i++) {
        ck_assert_double_eq(pk[i], 1.0);
        ck_assert_double_eq(qk[i], 1.0);
    }
    crm_model_free(f);
    crm_dataset_free(cp);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_regression_and_importance)
{
    crm_dataset *ds = ds_mixed();
    crm_forest_options o;
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 30;
    o.importance = CRM_FOREST_IMPORTANCE_PERMUTATION;
    crm_model *f = NULL;
    ck_assert_ok(crm_forest_fit(ds, "spend", FEAT, 4, &o, &f));
    ck_assert_double_eq(stat(f, "regression"), 1);
    ck_assert_double_eq(stat(f, "mtry"), 1); /* max(1, floor(4 / 3)) */
    /* spend is 10 a + small terms; one feature drawn per node of which three are (nearly)
     * noise: OOB R^2 0.896 */
    ck_assert(stat(f, "oob_score") > 0.85);
    crm_dataset *imp = NULL;
    ck_assert_ok(crm_forest_feature_importances(f, &imp));
    double iv[4], pv[4];
    get_col(imp, "importance", iv);
    get_col(imp, "permutation", pv);
    ck_assert_double_eq_tol(iv[0] + iv[1] + iv[2] + iv[3], 1.0, 1e-12);
    for (size_t j = 1; j < 4; j++) {
        ck_assert(iv[0] > iv[j]);
        ck_assert(pv[0] > pv[j]);
    }
    crm_dataset_free(imp);
    /* without permutation importance the column is missing */
    crm_model_free(f);
    o.importance = CRM_FOREST_IMPORTANCE_IMPURITY;
    o.n_trees = 3;
    ck_assert_ok(crm_forest_fit(ds, "y", FEAT, 4, &o, &f));
    ck_assert_ok(crm_forest_feature_importances(f, &imp));
    get_col(imp, "permutation", pv);
    ck_assert(isnan(pv[0]));
    crm_dataset_free(imp);
    crm_model_free(f);
    crm_dataset_free(ds);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------ */

static char *af_json;

static crm_status af_dataset(crm_dataset **ds)
{
    static const double x[] = {1, 2, 3, NAN, 5, 6, 7, 8, 9, 10, 11, 12};
    static const char *const c[] = {"p", "q", "p", "r", NULL, "q", "r", "p", "q", "r", "p", "q"};
    static const char *const y[] = {"n", "n", "y", "y", "n", "y", "y", "n", "y", "n", "y", "y"};
    crm_status st = crm_dataset_new(ds);
    if (st == CRM_OK) st = crm_dataset_add_number(*ds, "x", x, 12);
    if (st == CRM_OK) st = crm_dataset_add_text(*ds, "c", c, 12);
    if (st == CRM_OK) st = crm_dataset_add_text(*ds, "y", y, 12);
    return st;
}

static crm_status af_fit(int32_t max_bins)
{
    crm_dataset *ds = NULL, *imp = NULL, *bag = NULL;
    crm_model *m = NULL, *t = NULL;
    char *js = NULL;
    crm_forest_options o;
    crm_forest_options_init(&o, sizeof o);
    o.n_trees = 3;
    o.max_bins = max_bins;
    o.n_threads = 1;
    o.importance = CRM_FOREST_IMPORTANCE_PERMUTATION;
    const char *f[] = {"x", "c"};
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_forest_fit(ds, "y", f, 2, &o, &m);
    if (st == CRM_OK) st = crm_model_to_json(m, &js);
    if (st == CRM_OK) st = crm_forest_feature_importances(m, &imp);
    if (st == CRM_OK) st = crm_forest_tree(m, 1, &t);
    if (st == CRM_OK) st = crm_forest_bag(m, 1, &bag);
    if (st == CRM_OK) st = crm_forest_oob_predict(m, ds, "oob");
    crm_free(js);
    crm_dataset_free(imp);
    crm_dataset_free(bag);
    crm_model_free(t);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

static crm_status af_exact(void)
{
    return af_fit(0);
}
static crm_status af_hist(void)
{
    return af_fit(8);
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
    CRM_TEST_EACH_ALLOC_FAILURE(af_hist());
    crm_dataset *ds = NULL;
    crm_model *m = NULL;
    ck_assert_ok(af_dataset(&ds));
    const char *f[] = {"x", "c"};
    crm_forest_options o;
    ck_assert_ok(crm_forest_options_init(&o, sizeof o));
    o.n_trees = 3;
    ck_assert_ok(crm_forest_fit(ds, "y", f, 2, &o, &m));
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

Suite *crm_forest_suite(void)
{
    Suite *s = suite_create("forest");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_no_bootstrap_is_cart);
    tcase_add_test(tc, test_oob_definition);
    tcase_add_test(tc, test_threads_invariant);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_regression_and_importance);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
