/* Transform steps recorded in models (the fit options' mutate entries): a model
 * fitted with steps predicts on raw data bit-identically to a model fitted and
 * applied on data transformed by hand (k-means, logistic and linear regression,
 * trees); the JSON form (version 2, "mutate"), version 1 files, bad steps at fit
 * and at predict, the caller's dataset left alone, allocation failures. */
#define _GNU_SOURCE
#include "file_util.h"

#include "crm/kmeans.h"
#include "crm/linear.h"
#include "crm/model.h"
#include "crm/tree.h"

#define NR 40

/* Raw data: id, a and b (> 0), seg (text, 3 levels), y (0/1), cls (text), t (number).
 * Returns a status (no assertion) so that allocation-failure runs can build it. */
static crm_status make_raw(crm_dataset **out)
{
    double id[NR], a[NR], b[NR], y[NR], t[NR];
    const char *seg[NR], *cls[NR];
    static const char *const segs[] = {"north", "south", "west"};
    for (int i = 0; i < NR; i++) {
        id[i] = i;
        a[i] = (i % 4 == 0 ? 1.5 : 40.0) + (double)((i * 37) % 11) * (i % 4 == 0 ? 0.3 : 9.0);
        b[i] = 2.0 + (double)((i * 13) % 17) * (i % 3 == 0 ? 1.0 : 25.0);
        seg[i] = segs[(i * 7) % 3];
        /* y depends on log(a) and the segment, with some overlap (no separation) */
        double score = log(a[i]) - 3.0 + (seg[i][0] == 's' ? 0.8 : 0.0) + ((i * 5) % 7 - 3) * 0.4;
        y[i] = score > 0 ? 1 : 0;
        cls[i] = b[i] / a[i] > 1.0 ? "high" : (i % 5 == 0 ? "mid" : "low");
        t[i] = 3.0 + 2.0 * log(1 + a[i]) - 0.5 * sqrt(b[i]) + ((i * 3) % 5) * 0.1;
    }
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "id", id, NR);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "a", a, NR);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "b", b, NR);
    if (st == CRM_OK) st = crm_dataset_add_text(ds, "seg", seg, NR);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "y", y, NR);
    if (st == CRM_OK) st = crm_dataset_add_text(ds, "cls", cls, NR);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "t", t, NR);
    if (st != CRM_OK) {
        crm_dataset_free(ds);
        ds = NULL;
    }
    *out = ds;
    return st;
}

static crm_dataset *raw_data(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(make_raw(&ds));
    return ds;
}

/* ds with the "NAME=EXPR" steps applied by hand, through crm_dataset_mutate(). */
static crm_dataset *by_hand(const crm_dataset *raw, const char *const *steps, size_t n)
{
    crm_dataset *d = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &d));
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(steps[i], '=');
        char name[64];
        ck_assert_uint_lt((size_t)(eq - steps[i]), sizeof name);
        memcpy(name, steps[i], (size_t)(eq - steps[i]));
        name[eq - steps[i]] = '\0';
        ck_assert_ok(crm_dataset_mutate(d, name, eq + 1));
    }
    return d;
}

static size_t col_index(const crm_dataset *ds, const char *name)
{
    size_t ci = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &ci));
    return ci;
}

/* Column `name` of x and of y hold the same bits (number) or the same strings (text). */
static void assert_same_column(const crm_dataset *x, const crm_dataset *y, const char *name)
{
    size_t cx = col_index(x, name), cy = col_index(y, name), n = crm_dataset_nrows(x);
    ck_assert_uint_eq(n, crm_dataset_nrows(y));
    int32_t tx = 0, ty = 0;
    ck_assert_ok(crm_dataset_column_type(x, cx, &tx));
    ck_assert_ok(crm_dataset_column_type(y, cy, &ty));
    ck_assert_int_eq(tx, ty);
    for (size_t r = 0; r < n; r++) {
        if (tx == CRM_TYPE_TEXT) {
            const char *sx = NULL, *sy = NULL;
            ck_assert_ok(crm_dataset_get_text(x, cx, r, &sx));
            ck_assert_ok(crm_dataset_get_text(y, cy, r, &sy));
            ck_assert_str_eq(sx, sy);
        } else {
            double vx = 0, vy = 0;
            ck_assert_ok(crm_dataset_get_number(x, cx, r, 1, &vx));
            ck_assert_ok(crm_dataset_get_number(y, cy, r, 1, &vy));
            ck_assert_msg(memcmp(&vx, &vy, sizeof vx) == 0, "%s row %zu: %.17g vs %.17g", name, r,
                          vx, vy);
        }
    }
}

/* Every column of x equals the same column of y (names, order, values). */
static void assert_same_dataset(const crm_dataset *x, const crm_dataset *y)
{
    ck_assert_uint_eq(crm_dataset_ncols(x), crm_dataset_ncols(y));
    for (size_t j = 0; j < crm_dataset_ncols(x); j++) {
        const char *nx = NULL, *ny = NULL;
        ck_assert_ok(crm_dataset_column_name(x, j, &nx));
        ck_assert_ok(crm_dataset_column_name(y, j, &ny));
        ck_assert_str_eq(nx, ny);
        assert_same_column(x, y, nx);
    }
}

/* The model fitted with steps on raw data (m) predicts on raw data what the model
 * fitted without steps on the hand-made data (plain) predicts there: the same
 * prediction column(s), bit for bit, and raw gains only those columns. */
static void assert_same_predictions(const crm_model *m, const crm_model *plain,
                                    const crm_dataset *raw, const crm_dataset *hand,
                                    const char *const *cols, size_t ncols)
{
    crm_dataset *r = NULL, *h = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &r));
    ck_assert_ok(crm_dataset_clone(hand, &h));
    ck_assert_ok(crm_model_predict(m, r, "pred"));
    ck_assert_ok(crm_model_predict(plain, h, "pred"));
    ck_assert_uint_eq(crm_dataset_ncols(r), crm_dataset_ncols(raw) + ncols);
    for (size_t j = 0; j < ncols; j++)
        assert_same_column(r, h, cols[j]);
    /* the raw columns are untouched: the steps ran on a copy */
    for (size_t j = 0; j < crm_dataset_ncols(raw); j++) {
        const char *name = NULL;
        ck_assert_ok(crm_dataset_column_name(raw, j, &name));
        assert_same_column(r, raw, name);
    }
    crm_dataset_free(r);
    crm_dataset_free(h);
}

/* The statistics of two models agree bit for bit. */
static void assert_same_stats(const crm_model *x, const crm_model *y)
{
    size_t n = 0, n2 = 0;
    ck_assert_ok(crm_model_stat_count(x, &n));
    ck_assert_ok(crm_model_stat_count(y, &n2));
    ck_assert_uint_eq(n, n2);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        double vx = 0, vy = 0;
        ck_assert_ok(crm_model_stat_name(x, i, &name));
        ck_assert_ok(crm_model_stat(x, name, &vx));
        ck_assert_ok(crm_model_stat(y, name, &vy));
        ck_assert_msg(memcmp(&vx, &vy, sizeof vx) == 0 || (isnan(vx) && isnan(vy)),
                      "stat %s: %.17g vs %.17g", name, vx, vy);
    }
}

static const char *const km_steps[] = {"a=log(1 + a)", "b=log(1 + b)"};

static crm_model *fit_kmeans(const crm_dataset *ds, const char *const *steps, size_t n)
{
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 3;
    o.standardize = 1;
    o.seed = 5;
    o.n_threads = 1;
    o.mutate = steps;
    o.n_mutate = n;
    const char *cols[] = {"a", "b"};
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 2, &o, &m));
    return m;
}

START_TEST(test_kmeans_steps)
{
    crm_dataset *raw = raw_data(), *keep = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &keep));
    crm_dataset *hand = by_hand(raw, km_steps, 2);
    crm_model *m = fit_kmeans(raw, km_steps, 2);
    crm_model *plain = fit_kmeans(hand, NULL, 0);
    assert_same_dataset(raw, keep); /* the fit left the caller's dataset alone */
    assert_same_stats(m, plain);
    const char *pc[] = {"pred"};
    assert_same_predictions(m, plain, raw, hand, pc, 1);
    /* the recorded steps */
    size_t n = 99;
    const char *name = NULL, *expr = NULL;
    ck_assert_ok(crm_model_mutate_count(m, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(crm_model_mutate(m, 1, &name, &expr));
    ck_assert_str_eq(name, "b");
    ck_assert_str_eq(expr, "log(1 + b)");
    ck_assert_error(crm_model_mutate(m, 2, &name, &expr), CRM_E_INVALID);
    ck_assert_ptr_null(name);
    ck_assert_ptr_null(expr);
    ck_assert_ok(crm_model_mutate_count(plain, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_error(crm_model_mutate_count(NULL, &n), CRM_E_INVALID);
    ck_assert_error(crm_model_mutate(m, 0, NULL, &expr), CRM_E_INVALID);
    /* the elbow table applies the steps too */
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.seed = 5;
    o.n_threads = 1;
    o.standardize = 1;
    const char *cols[] = {"a", "b"};
    crm_dataset *e1 = NULL, *e2 = NULL;
    ck_assert_ok(crm_kmeans_elbow(hand, cols, 2, 1, 4, &o, &e2));
    o.mutate = km_steps;
    o.n_mutate = 2;
    ck_assert_ok(crm_kmeans_elbow(raw, cols, 2, 1, 4, &o, &e1));
    assert_same_dataset(e1, e2);
    assert_same_dataset(raw, keep);
    crm_dataset_free(e1);
    crm_dataset_free(e2);
    crm_model_free(m);
    crm_model_free(plain);
    crm_dataset_free(hand);
    crm_dataset_free(keep);
    crm_dataset_free(raw);
}
END_TEST

static const char *const lr_steps[] = {"la=log(a)", "seg=seg"};

static crm_model *fit_logreg(const crm_dataset *ds, const char *const *steps, size_t n)
{
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    o.n_threads = 1;
    o.l2 = 0.5;
    o.mutate = steps;
    o.n_mutate = n;
    const char *feats[] = {"la", "seg"};
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", feats, 2, &o, &m));
    return m;
}

START_TEST(test_logreg_steps)
{
    crm_dataset *raw = raw_data(), *keep = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &keep));
    crm_dataset *hand = by_hand(raw, lr_steps, 2);
    crm_model *m = fit_logreg(raw, lr_steps, 2);
    crm_model *plain = fit_logreg(hand, NULL, 0);
    assert_same_dataset(raw, keep);
    assert_same_stats(m, plain);
    const char *pc[] = {"pred", "pred_proba"};
    assert_same_predictions(m, plain, raw, hand, pc, 2);
    crm_model_free(m);
    crm_model_free(plain);
    crm_dataset_free(hand);
    crm_dataset_free(keep);
    crm_dataset_free(raw);
}
END_TEST

static const char *const ln_steps[] = {"la=log(1 + a)", "sb=b * b", "sb=sb / 100"};

static crm_model *fit_linreg(const crm_dataset *ds, const char *const *steps, size_t n)
{
    crm_linreg_options o;
    ck_assert_ok(crm_linreg_options_init(&o, sizeof o));
    o.mutate = steps;
    o.n_mutate = n;
    const char *feats[] = {"la", "sb", "seg"};
    crm_model *m = NULL;
    ck_assert_ok(crm_linreg_fit(ds, "t", feats, 3, &o, &m));
    return m;
}

START_TEST(test_linreg_steps)
{
    crm_dataset *raw = raw_data(), *keep = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &keep));
    crm_dataset *hand = by_hand(raw, ln_steps, 3);
    crm_model *m = fit_linreg(raw, ln_steps, 3);
    crm_model *plain = fit_linreg(hand, NULL, 0);
    assert_same_dataset(raw, keep);
    assert_same_stats(m, plain);
    const char *pc[] = {"pred"};
    assert_same_predictions(m, plain, raw, hand, pc, 1);
    crm_model_free(m);
    crm_model_free(plain);
    crm_dataset_free(hand);
    crm_dataset_free(keep);
    crm_dataset_free(raw);
}
END_TEST

static const char *const tr_steps[] = {"ratio=b / a", "south=seg = 'south'"};

static crm_model *fit_tree(const crm_dataset *ds, const char *const *steps, size_t n)
{
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.max_depth = 4;
    o.n_threads = 1;
    o.mutate = steps;
    o.n_mutate = n;
    const char *feats[] = {"ratio", "south", "a"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, "cls", feats, 3, &o, &m));
    return m;
}

START_TEST(test_tree_steps)
{
    crm_dataset *raw = raw_data(), *keep = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &keep));
    crm_dataset *hand = by_hand(raw, tr_steps, 2);
    crm_model *m = fit_tree(raw, tr_steps, 2);
    crm_model *plain = fit_tree(hand, NULL, 0);
    assert_same_dataset(raw, keep);
    assert_same_stats(m, plain);
    const char *pc[] = {"pred", "pred_proba"};
    assert_same_predictions(m, plain, raw, hand, pc, 2);
    /* the pruning path applies the steps too */
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.n_threads = 1;
    const char *feats[] = {"ratio", "south", "a"};
    crm_dataset *p1 = NULL, *p2 = NULL;
    ck_assert_ok(crm_tree_pruning_path(hand, "cls", feats, 3, &o, &p2));
    o.mutate = tr_steps;
    o.n_mutate = 2;
    ck_assert_ok(crm_tree_pruning_path(raw, "cls", feats, 3, &o, &p1));
    assert_same_dataset(p1, p2);
    crm_dataset_free(p1);
    crm_dataset_free(p2);
    crm_model_free(m);
    crm_model_free(plain);
    crm_dataset_free(hand);
    crm_dataset_free(keep);
    crm_dataset_free(raw);
}
END_TEST

START_TEST(test_json_steps)
{
    crm_dataset *raw = raw_data();
    crm_model *m = fit_kmeans(raw, km_steps, 2);
    char *j = NULL;
    ck_assert_ok(crm_model_to_json(m, &j));
    ck_assert_msg(
        strncmp(j, "{\"format\":\"libcrm-model\",\"version\":2,\"kind\":\"kmeans\"", 51) == 0,
        "%.80s", j);
    ck_assert_ptr_nonnull(
        strstr(j, ",\"mutate\":[[\"a\",\"log(1 + a)\"],[\"b\",\"log(1 + b)\"]],"));
    /* save and load: the same text, the same steps, the same predictions */
    char path[64];
    temp_path(path, sizeof path, ".json");
    ck_assert_ok(crm_model_save(m, path));
    crm_model *m2 = NULL;
    ck_assert_ok(crm_model_load(path, &m2));
    remove(path);
    char *j2 = NULL;
    ck_assert_ok(crm_model_to_json(m2, &j2));
    ck_assert_str_eq(j, j2);
    size_t n = 0;
    const char *name = NULL, *expr = NULL;
    ck_assert_ok(crm_model_mutate_count(m2, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(crm_model_mutate(m2, 0, &name, &expr));
    ck_assert_str_eq(name, "a");
    ck_assert_str_eq(expr, "log(1 + a)");
    const char *pc[] = {"pred"};
    assert_same_predictions(m, m2, raw, raw, pc, 1);
    /* a model without steps is still version 1, without "mutate" */
    crm_model *plain = fit_kmeans(raw, NULL, 0);
    char *jp = NULL;
    ck_assert_ok(crm_model_to_json(plain, &jp));
    ck_assert_msg(
        strncmp(jp, "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"kmeans\"", 51) == 0,
        "%.80s", jp);
    ck_assert_ptr_null(strstr(jp, "mutate"));
    crm_model *mp = NULL;
    ck_assert_ok(crm_model_from_json(jp, &mp));
    ck_assert_ok(crm_model_mutate_count(mp, &n));
    ck_assert_uint_eq(n, 0);
    crm_model_free(mp);
    crm_free(jp);
    crm_free(j);
    crm_free(j2);
    crm_model_free(plain);
    crm_model_free(m2);
    crm_model_free(m);
    crm_dataset_free(raw);
}
END_TEST

/* The JSON of a model with steps, with `from` (which must occur once) replaced by `to`. */
static char *edited_json(const char *from, const char *to)
{
    crm_dataset *raw = raw_data();
    crm_model *m = fit_kmeans(raw, km_steps, 2);
    char *j = NULL;
    ck_assert_ok(crm_model_to_json(m, &j));
    crm_model_free(m);
    crm_dataset_free(raw);
    char *at = strstr(j, from);
    ck_assert_msg(at != NULL, "\"%s\" not in the model JSON", from);
    size_t nf = strlen(from), nt = strlen(to), len = strlen(j);
    char *out = malloc(len - nf + nt + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, j, (size_t)(at - j));
    memcpy(out + (at - j), to, nt);
    memcpy(out + (at - j) + nt, at + nf, len - (size_t)(at - j) - nf + 1);
    crm_free(j);
    return out;
}

START_TEST(test_json_steps_checked)
{
    static const struct {
        const char *from, *to;
        crm_status st;
        const char *msg;
    } cases[] = {
        {"\"version\":2", "\"version\":3", CRM_E_FORMAT, "version 3"},
        {"\"version\":2", "\"version\":1", CRM_E_PARSE, "\"mutate\""},
        {"[[\"a\",\"log(1 + a)\"],[\"b\",\"log(1 + b)\"]]", "7", CRM_E_PARSE, "not an array"},
        {"[\"a\",\"log(1 + a)\"]", "[\"a\"]", CRM_E_PARSE, "item 0"},
        {"[\"a\",\"log(1 + a)\"]", "[\"a\",\"x\",\"y\"]", CRM_E_PARSE, "item 0"},
        {"[\"a\",\"log(1 + a)\"]", "[\"a\",1]", CRM_E_PARSE, "item 0"},
        {"[\"a\",\"log(1 + a)\"]", "[\"\",\"a\"]", CRM_E_PARSE, "empty column name"},
        {"[\"b\",\"log(1 + b)\"]", "[\"b\",\"\"]", CRM_E_PARSE, "item 1 has an empty expression"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *j = edited_json(cases[i].from, cases[i].to);
        crm_model *m = (crm_model *)&cases; /* must be set to NULL */
        ck_assert_error(crm_model_from_json(j, &m), cases[i].st);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(crm_last_error(), cases[i].msg) != NULL, "case %zu: %s", i,
                      crm_last_error());
        free(j);
    }
    /* version 2 with an empty list: no steps */
    char *j = edited_json("[[\"a\",\"log(1 + a)\"],[\"b\",\"log(1 + b)\"]]", "[]");
    crm_model *m = NULL;
    size_t n = 9;
    ck_assert_ok(crm_model_from_json(j, &m));
    ck_assert_ok(crm_model_mutate_count(m, &n));
    ck_assert_uint_eq(n, 0);
    crm_model_free(m);
    free(j);
}
END_TEST

START_TEST(test_bad_steps_at_fit)
{
    crm_dataset *raw = raw_data(), *keep = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &keep));
    static const struct {
        const char *step;
        crm_status st;
        const char *msg;
    } cases[] = {
        {"noequals", CRM_E_INVALID, "mutate step 2 \"noequals\" has no '='"},
        {"=a + 1", CRM_E_INVALID, "mutate step 2 \"=a + 1\" has an empty column name"},
        {"c=log(1 + ", CRM_E_INVALID, "mutate step 2 (c=log(1 + )"},
        {"c=", CRM_E_INVALID, "mutate step 2 (c=)"},
        {"c=nope + 1", CRM_E_NOTFOUND, "no column named \"nope\""},
        {"c=seg + 1", CRM_E_TYPE, "mutate step 2"},
    };
    const char *cols[] = {"a", "b"};
    const char *feats[] = {"a", "seg"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *steps[] = {"a=log(1 + a)", cases[i].step};
        crm_model *m = NULL;
        crm_kmeans_options ko;
        ck_assert_ok(crm_kmeans_options_init(&ko, sizeof ko));
        ko.k = 2;
        ko.mutate = steps;
        ko.n_mutate = 2;
        ck_assert_error(crm_kmeans_fit(raw, cols, 2, &ko, &m), cases[i].st);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(crm_last_error(), "crm_kmeans_fit: ") == crm_last_error(), "%s",
                      crm_last_error());
        ck_assert_msg(strstr(crm_last_error(), cases[i].msg) != NULL, "case %zu: %s", i,
                      crm_last_error());
        crm_linreg_options no;
        ck_assert_ok(crm_linreg_options_init(&no, sizeof no));
        no.mutate = steps;
        no.n_mutate = 2;
        ck_assert_error(crm_linreg_fit(raw, "t", feats, 2, &no, &m), cases[i].st);
        ck_assert_ptr_null(m);
        crm_logreg_options lo;
        ck_assert_ok(crm_logreg_options_init(&lo, sizeof lo));
        lo.mutate = steps;
        lo.n_mutate = 2;
        ck_assert_error(crm_logreg_fit(raw, "y", feats, 2, &lo, &m), cases[i].st);
        ck_assert_ptr_null(m);
        crm_tree_options to;
        ck_assert_ok(crm_tree_options_init(&to, sizeof to));
        to.mutate = steps;
        to.n_mutate = 2;
        ck_assert_error(crm_tree_fit(raw, "cls", feats, 2, &to, &m), cases[i].st);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(crm_last_error(), cases[i].msg) != NULL, "tree case %zu: %s", i,
                      crm_last_error());
    }
    /* mutate NULL with a count; a NULL entry */
    crm_kmeans_options ko;
    ck_assert_ok(crm_kmeans_options_init(&ko, sizeof ko));
    ko.k = 2;
    ko.n_mutate = 1;
    crm_model *m = NULL;
    ck_assert_error(crm_kmeans_fit(raw, cols, 2, &ko, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "mutate is NULL"));
    const char *nul[] = {NULL};
    ko.mutate = nul;
    ck_assert_error(crm_kmeans_fit(raw, cols, 2, &ko, &m), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "mutate step 1 is NULL"));
    ck_assert_ptr_null(m);
    assert_same_dataset(raw, keep);
    crm_dataset_free(keep);
    crm_dataset_free(raw);
}
END_TEST

START_TEST(test_bad_steps_at_predict)
{
    crm_dataset *raw = raw_data();
    /* a step that needs a column the features do not name */
    const char *steps[] = {"la=log(a)", "s=la + b"};
    crm_linreg_options o;
    ck_assert_ok(crm_linreg_options_init(&o, sizeof o));
    o.mutate = steps;
    o.n_mutate = 2;
    const char *feats[] = {"s"};
    crm_model *m = NULL;
    ck_assert_ok(crm_linreg_fit(raw, "t", feats, 1, &o, &m));
    crm_dataset *nob = NULL, *keep = NULL;
    const char *keepcols[] = {"id", "a", "seg"};
    ck_assert_ok(crm_dataset_select(raw, keepcols, 3, &nob));
    ck_assert_ok(crm_dataset_clone(nob, &keep));
    ck_assert_error(crm_model_predict(m, nob, "pred"), CRM_E_NOTFOUND);
    ck_assert_msg(strstr(crm_last_error(), "crm_model_predict: recorded step 2 (s=la + b)") ==
                      crm_last_error(),
                  "%s", crm_last_error());
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "no column named \"b\""));
    assert_same_dataset(nob, keep);
    /* the prediction column exists already: nothing changes either */
    crm_dataset *full = NULL, *keep2 = NULL;
    ck_assert_ok(crm_dataset_clone(raw, &full));
    ck_assert_ok(crm_dataset_clone(raw, &keep2));
    ck_assert_error(crm_model_predict(m, full, "b"), CRM_E_INVALID);
    assert_same_dataset(full, keep2);
    /* a step column the model adds is not left behind; a second predict works */
    ck_assert_ok(crm_model_predict(m, full, "pred"));
    ck_assert_uint_eq(crm_dataset_ncols(full), crm_dataset_ncols(raw) + 1);
    size_t ci = 0;
    ck_assert_int_eq(crm_dataset_column_index(full, "la", &ci), CRM_E_NOTFOUND);
    ck_assert_ok(crm_model_predict(m, full, "pred2"));
    assert_same_column(full, full, "pred2");
    crm_dataset_free(full);
    crm_dataset_free(keep2);
    crm_dataset_free(nob);
    crm_dataset_free(keep);
    crm_model_free(m);
    crm_dataset_free(raw);
}
END_TEST

START_TEST(test_kind_name)
{
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_KMEANS), "kmeans");
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_TREE), "tree");
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_LOGREG), "logreg");
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_LINREG), "linreg");
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_ARIMA), "arima");
    ck_assert_ptr_null(crm_model_kind_name(0));
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_FOREST), "forest");
    ck_assert_ptr_null(crm_model_kind_name(99));
    ck_assert_ptr_null(crm_model_kind_name(-1));
}
END_TEST

/* ---- allocation failures --------------------------------------------------- */

static char *alloc_json; /* a tree model with steps (libc memory) */

static crm_status fit_body(void)
{
    crm_linreg_options o;
    crm_linreg_options_init(&o, sizeof o);
    o.mutate = ln_steps;
    o.n_mutate = 3;
    const char *feats[] = {"la", "sb"};
    crm_dataset *raw = NULL;
    crm_model *m = NULL;
    crm_status st = make_raw(&raw);
    if (st == CRM_OK) st = crm_linreg_fit(raw, "t", feats, 2, &o, &m);
    crm_model_free(m);
    crm_dataset_free(raw);
    return st;
}

/* Load the model, predict into raw data: all or nothing. */
static crm_status predict_body(void)
{
    crm_dataset *raw = NULL;
    crm_model *m = NULL;
    crm_status st = make_raw(&raw);
    if (st == CRM_OK) st = crm_model_from_json(alloc_json, &m);
    if (st == CRM_OK) {
        st = crm_model_predict(m, raw, "pred");
        ck_assert_uint_eq(crm_dataset_ncols(raw), st == CRM_OK ? 9 : 7);
    }
    crm_model_free(m);
    crm_dataset_free(raw);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(fit_body());
    crm_dataset *raw = raw_data();
    crm_model *m = fit_tree(raw, tr_steps, 2);
    char *j = NULL;
    ck_assert_ok(crm_model_to_json(m, &j));
    alloc_json = strdup(j);
    crm_free(j);
    crm_model_free(m);
    crm_dataset_free(raw);
    CRM_TEST_EACH_ALLOC_FAILURE(predict_body());
    free(alloc_json);
    alloc_json = NULL;
}
END_TEST

Suite *crm_mutate_steps_suite(void)
{
    Suite *s = suite_create("mutate_steps");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_kmeans_steps);
    tcase_add_test(tc, test_logreg_steps);
    tcase_add_test(tc, test_linreg_steps);
    tcase_add_test(tc, test_tree_steps);
    tcase_add_test(tc, test_json_steps);
    tcase_add_test(tc, test_json_steps_checked);
    tcase_add_test(tc, test_bad_steps_at_fit);
    tcase_add_test(tc, test_bad_steps_at_predict);
    tcase_add_test(tc, test_kind_name);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
