/* The rule of crm/common.h, "Outputs after a failure": on any status other than CRM_OK every
 * pointer output (handle, owned or borrowed string) is NULL, every number output is 0 (NaN
 * for a double) and an array the caller provides is left exactly as it was. Every function
 * with outputs is called on bad input - NULL arguments and a deeper failure (unknown column,
 * wrong type or model kind, index out of range, malformed text) - with its outputs preset to
 * sentinels; a few constructors also with each of their allocations failing in turn. */
#include "test_util.h"

static char sentinel_byte;
#define SENTINEL ((void *)&sentinel_byte)

/* `call` (which writes through `&out`) fails and leaves out NULL. */
#define PTR_FAILS(T, call)                                                                         \
    do {                                                                                           \
        T out = (T)SENTINEL;                                                                       \
        crm_status st_ = (call);                                                                   \
        ck_assert_msg(st_ != CRM_OK, "%s succeeded", #call);                                      \
        ck_assert_msg(out == NULL, "%s: pointer output not NULL after %s", #call,                 \
                      crm_status_str(st_));                                                        \
    } while (0)

/* `call` fails and sets the number output `out` (preset to 777) to 0. */
#define NUM_FAILS(T, call)                                                                         \
    do {                                                                                           \
        T out = 777;                                                                               \
        crm_status st_ = (call);                                                                   \
        ck_assert_msg(st_ != CRM_OK, "%s succeeded", #call);                                      \
        ck_assert_msg(out == 0, "%s: number output is %lld, not 0, after %s", #call,              \
                      (long long)out, crm_status_str(st_));                                        \
    } while (0)

/* `call` fails and sets the double output `out` (preset to 1.5) to NaN. */
#define DBL_FAILS(call)                                                                            \
    do {                                                                                           \
        double out = 1.5;                                                                          \
        crm_status st_ = (call);                                                                   \
        ck_assert_msg(st_ != CRM_OK, "%s succeeded", #call);                                      \
        ck_assert_msg(isnan(out), "%s: double output is %g, not NaN, after %s", #call, out,       \
                      crm_status_str(st_));                                                        \
    } while (0)

/* `call` fails and leaves the caller's array `out` (3 elements of 7) as it was. */
#define ARRAY_UNCHANGED(T, call)                                                                   \
    do {                                                                                           \
        T out[3] = {7, 7, 7};                                                                      \
        crm_status st_ = (call);                                                                   \
        ck_assert_msg(st_ != CRM_OK, "%s succeeded", #call);                                      \
        for (int i_ = 0; i_ < 3; i_++)                                                             \
            ck_assert_msg(out[i_] == 7, "%s: array element %d written after %s", #call, i_,       \
                          crm_status_str(st_));                                                    \
    } while (0)

/* Six rows: x (number), t (text), d (time). */
static crm_dataset *fixture(void)
{
    const double x[] = {1, 2, 3, 10, 11, 12};
    const char *t[] = {"a", "b", "a", "b", "a", "b"};
    const int64_t d[] = {0, 86400, 172800, 259200, 345600, 432000};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "t", t, 6));
    ck_assert_ok(crm_dataset_add_time(ds, "d", d, 6));
    return ds;
}

static const char *const NOPE[] = {"nope"};
static const char *const X[] = {"x"};
static const char *const T[] = {"t"};

START_TEST(test_dataset_outputs)
{
    crm_dataset *ds = fixture();
    PTR_FAILS(crm_dataset *, crm_dataset_clone(NULL, &out));
    PTR_FAILS(const char *, crm_dataset_column_name(NULL, 0, &out));
    PTR_FAILS(const char *, crm_dataset_column_name(ds, 99, &out));
    NUM_FAILS(size_t, crm_dataset_column_index(NULL, "x", &out));
    NUM_FAILS(size_t, crm_dataset_column_index(ds, "nope", &out));
    NUM_FAILS(int32_t, crm_dataset_column_type(NULL, 0, &out));
    NUM_FAILS(int32_t, crm_dataset_column_type(ds, 99, &out));
    NUM_FAILS(size_t, crm_dataset_missing(NULL, 0, &out));
    NUM_FAILS(size_t, crm_dataset_missing(ds, 99, &out));
    ARRAY_UNCHANGED(double, crm_dataset_get_number(NULL, 0, 0, 3, out));
    ARRAY_UNCHANGED(double, crm_dataset_get_number(ds, 1, 0, 3, out));
    ARRAY_UNCHANGED(double, crm_dataset_get_number(ds, 0, 5, 3, out));
    ARRAY_UNCHANGED(int64_t, crm_dataset_get_time(ds, 0, 0, 3, out));
    ARRAY_UNCHANGED(int64_t, crm_dataset_get_time(ds, 2, 4, 3, out));
    ARRAY_UNCHANGED(int32_t, crm_dataset_get_codes(ds, 0, 0, 3, out));
    ARRAY_UNCHANGED(int32_t, crm_dataset_get_codes(ds, 1, 5, 3, out));
    PTR_FAILS(const char *, crm_dataset_get_text(NULL, 1, 0, &out));
    PTR_FAILS(const char *, crm_dataset_get_text(ds, 0, 0, &out));
    PTR_FAILS(const char *, crm_dataset_get_text(ds, 1, 99, &out));
    NUM_FAILS(size_t, crm_dataset_text_levels(NULL, 1, &out));
    NUM_FAILS(size_t, crm_dataset_text_levels(ds, 0, &out));
    PTR_FAILS(const char *, crm_dataset_text_level(ds, 1, 99, &out));
    PTR_FAILS(const char *, crm_dataset_text_level(ds, 0, 0, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_select(ds, NOPE, 1, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_select(NULL, X, 1, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_sort(ds, NOPE, 1, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_head(NULL, 1, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_describe(NULL, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_filter(ds, "x >", &out));
    PTR_FAILS(crm_dataset *, crm_dataset_filter(ds, "nope > 1", &out));
    const char *const aggs[] = {"s=sum(t)"};
    PTR_FAILS(crm_dataset *, crm_dataset_group(ds, NOPE, 1, NULL, 0, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_group(ds, X, 1, aggs, 1, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_join(ds, ds, NOPE, 1, CRM_JOIN_INNER, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_join(ds, ds, X, 1, 99, &out));
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_io_outputs)
{
    PTR_FAILS(crm_dataset *, crm_dataset_read_csv("/nonexistent/dir/x.csv", NULL, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_read_csv(NULL, NULL, &out));
    const char bad[] = "a,b\n1,2,3\n";
    PTR_FAILS(crm_dataset *, crm_dataset_read_csv_mem(bad, sizeof bad - 1, NULL, &out));
    PTR_FAILS(char *, crm_dataset_to_csv_string(NULL, NULL, &out));
    crm_dataset *ds = fixture();
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.quote = 300; /* not a byte */
    PTR_FAILS(char *, crm_dataset_to_csv_string(ds, &o, &out));
    crm_dataset_free(ds);
    PTR_FAILS(crm_dataset *, crm_dataset_read_baskets("/nonexistent/dir/x.dat", &out));
    PTR_FAILS(crm_dataset *, crm_dataset_read_sql(NULL, "SELECT 1", NULL, 0, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_read_sql("sqlite::memory:", NULL, NULL, 0, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_read_sql("nosuch://x", "SELECT 1", NULL, 0, NULL, &out));
    PTR_FAILS(crm_dataset *,
              crm_dataset_read_sql("sqlite::memory:", "SELEC 1", NULL, 0, NULL, &out));
    PTR_FAILS(crm_dataset *,
              crm_dataset_read_sql("sqlite::memory:", "SELECT x'00'", NULL, 0, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_dataset_read_sql("sqlite:/nonexistent/dir/x.db", "SELECT 1",
                                                  NULL, 0, NULL, &out));
    crm_sql_options sqo;
    ck_assert_ok(crm_sql_options_init(&sqo, sizeof sqo));
    sqo.client_library = "libsqlite3-not-installed.so.0";
    PTR_FAILS(crm_dataset *,
              crm_dataset_read_sql("sqlite::memory:", "SELECT 1", NULL, 0, &sqo, &out));
    crm_synth_options so;
    ck_assert_ok(crm_synth_options_init(&so, sizeof so));
    so.customers = -1;
    PTR_FAILS(crm_dataset *, crm_synth_transactions(&so, &out));
}
END_TEST

START_TEST(test_clean_and_rfm_outputs)
{
    crm_dataset *ds = fixture();
    NUM_FAILS(size_t, crm_clean_dedup(ds, NOPE, 1, CRM_KEEP_FIRST, &out));
    NUM_FAILS(size_t, crm_clean_dedup(ds, NULL, 0, 99, &out));
    NUM_FAILS(size_t, crm_clean_drop_missing(ds, NOPE, 1, &out));
    NUM_FAILS(size_t, crm_clean_drop_missing(NULL, NULL, 0, &out));
    NUM_FAILS(size_t, crm_clean_impute(ds, "nope", CRM_IMPUTE_MEAN, NULL, &out));
    NUM_FAILS(size_t, crm_clean_impute(ds, "t", CRM_IMPUTE_MEAN, NULL, &out));
    NUM_FAILS(size_t, crm_clean_outliers(ds, "t", CRM_OUTLIER_ZSCORE, 0, CRM_OUTLIER_FLAG, &out));
    NUM_FAILS(size_t, crm_clean_outliers(NULL, "x", CRM_OUTLIER_ZSCORE, 0, CRM_OUTLIER_FLAG, &out));

    PTR_FAILS(crm_dataset *, crm_rfm(NULL, NULL, &out));
    crm_rfm_options ro;
    ck_assert_ok(crm_rfm_options_init(&ro, sizeof ro));
    ro.customer = "nope";
    ro.date = "d";
    ro.amount = "x";
    PTR_FAILS(crm_dataset *, crm_rfm(ds, &ro, &out));
    NUM_FAILS(int64_t, crm_rfm_default_as_of(ds, "x", &out));
    NUM_FAILS(int64_t, crm_rfm_default_as_of(ds, "nope", &out));
    NUM_FAILS(int64_t, crm_rfm_default_as_of(NULL, "d", &out));
    PTR_FAILS(char *, crm_report_render(NULL, NULL, &out));
    PTR_FAILS(char *, crm_report_render(ds, NULL, &out)); /* no column options */
    DBL_FAILS(crm_nps(ds, "nope", &out));
    DBL_FAILS(crm_nps(ds, "t", &out));
    DBL_FAILS(crm_satisfaction(ds, "nope", NULL, 0, &out));
    DBL_FAILS(crm_satisfaction(NULL, "x", NULL, 0, &out));
    PTR_FAILS(crm_dataset *, crm_funnel(ds, "nope", T, 1, &out));
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_model_outputs)
{
    crm_model *m = crm_test_small_model();
    NUM_FAILS(size_t, crm_model_mutate_count(NULL, &out));
    {
        const char *name = SENTINEL, *expr = SENTINEL;
        ck_assert_int_eq(crm_model_mutate(m, 5, &name, &expr), CRM_E_INVALID);
        ck_assert_ptr_null(name);
        ck_assert_ptr_null(expr);
        name = expr = SENTINEL;
        ck_assert_int_eq(crm_model_mutate(NULL, 0, &name, &expr), CRM_E_INVALID);
        ck_assert_ptr_null(name);
        ck_assert_ptr_null(expr);
    }
    PTR_FAILS(crm_dataset *, crm_model_summary(NULL, &out));
    PTR_FAILS(crm_dataset *, crm_kmeans_centers_original(NULL, &out));
    DBL_FAILS(crm_model_stat(m, "nope", &out));
    DBL_FAILS(crm_model_stat(NULL, "inertia", &out));
    NUM_FAILS(size_t, crm_model_stat_count(NULL, &out));
    PTR_FAILS(const char *, crm_model_stat_name(m, 999, &out));
    NUM_FAILS(size_t, crm_model_class_count(NULL, &out));
    PTR_FAILS(const char *, crm_model_class(m, 0, &out));
    PTR_FAILS(char *, crm_model_to_json(NULL, &out));
    PTR_FAILS(crm_model *, crm_model_from_json("{", &out));
    PTR_FAILS(crm_model *, crm_model_from_json("{\"format\": \"other\"}", &out));
    PTR_FAILS(crm_model *, crm_model_load("/nonexistent/dir/m.json", &out));
    /* functions of another kind of model: CRM_E_TYPE */
    PTR_FAILS(crm_dataset *, crm_tree_feature_importances(m, &out));
    PTR_FAILS(char *, crm_tree_export_text(m, &out));
    PTR_FAILS(char *, crm_tree_export_rules(m, &out));
    PTR_FAILS(char *, crm_tree_export_dot(m, &out));
    PTR_FAILS(crm_dataset *, crm_forest_feature_importances(m, &out));
    PTR_FAILS(crm_model *, crm_forest_tree(m, 0, &out));
    PTR_FAILS(crm_dataset *, crm_forest_bag(m, 0, &out));
    PTR_FAILS(crm_dataset *, crm_arima_forecast(m, 3, 95, &out));
    const double levels[] = {80, 95};
    PTR_FAILS(crm_dataset *, crm_arima_forecast_levels(m, 3, levels, 2, &out));
    crm_model_free(m);
}
END_TEST

START_TEST(test_fit_outputs)
{
    crm_dataset *ds = fixture();
    PTR_FAILS(crm_model *, crm_kmeans_fit(ds, NOPE, 1, NULL, &out));
    PTR_FAILS(crm_model *, crm_kmeans_fit(ds, T, 1, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_kmeans_elbow(ds, X, 1, 3, 2, NULL, &out));
    DBL_FAILS(crm_silhouette(ds, X, 1, "nope", NULL, &out));
    DBL_FAILS(crm_silhouette(NULL, X, 1, "t", NULL, &out));
    PTR_FAILS(crm_model *, crm_tree_fit(ds, "nope", X, 1, NULL, &out));
    PTR_FAILS(crm_model *, crm_forest_fit(ds, "nope", X, 1, NULL, &out));
    PTR_FAILS(crm_model *, crm_forest_fit(ds, "t", NOPE, 1, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_tree_pruning_path(ds, "t", NOPE, 1, NULL, &out));
    PTR_FAILS(crm_model *, crm_logreg_fit(ds, "nope", X, 1, NULL, &out));
    PTR_FAILS(crm_model *, crm_logreg_fit(ds, "t", T, 1, NULL, &out));
    PTR_FAILS(crm_model *, crm_linreg_fit(ds, "x", NOPE, 1, NULL, &out));
    PTR_FAILS(crm_dataset *, crm_metrics_classification(ds, "nope", "x", NULL, &out));
    PTR_FAILS(crm_dataset *, crm_metrics_regression(ds, "x", "t", NULL, &out));
    PTR_FAILS(crm_model *, crm_clv_fit(ds, NULL, &out));
    PTR_FAILS(crm_model *, crm_clv_fit(NULL, NULL, &out));
    {
        crm_clv_summary_options so;
        ck_assert_ok(crm_clv_summary_options_init(&so, sizeof so));
        so.customer = "t";
        so.date = "d";
        so.amount = "nope";
        PTR_FAILS(crm_dataset *, crm_clv_summary(ds, &so, &out));
        so.amount = "t";
        PTR_FAILS(crm_dataset *, crm_clv_summary(ds, &so, &out));
        PTR_FAILS(crm_dataset *, crm_clv_summary(NULL, &so, &out));
    }
    const double y[] = {1, 2, 3};
    PTR_FAILS(crm_model *, crm_arima_fit(NULL, 3, NULL, &out));
    PTR_FAILS(crm_model *, crm_arima_fit(y, 0, NULL, &out));
    PTR_FAILS(crm_model *, crm_arima_fit_dataset(ds, "nope", "x", NULL, &out));
    PTR_FAILS(crm_model *, crm_arima_fit_dataset(ds, "d", "t", NULL, &out));
    {
        crm_dataset *fits = SENTINEL, *fc = SENTINEL;
        ck_assert_int_ne(crm_arima_fit_many(ds, "t", "nope", "x", 3, 95, NULL, &fits, &fc),
                         CRM_OK);
        ck_assert_ptr_null(fits);
        ck_assert_ptr_null(fc);
        fits = fc = SENTINEL;
        ck_assert_int_ne(crm_arima_fit_many(ds, "t", "d", "x", 3, 200, NULL, &fits, &fc), CRM_OK);
        ck_assert_ptr_null(fits);
        ck_assert_ptr_null(fc);
    }
    {
        crm_dataset *sets = SENTINEL, *rules = SENTINEL;
        ck_assert_int_ne(crm_apriori(ds, "x", "nope", NULL, &sets, &rules), CRM_OK);
        ck_assert_ptr_null(sets);
        ck_assert_ptr_null(rules);
        sets = rules = SENTINEL;
        ck_assert_int_eq(crm_apriori(ds, "t", "x", NULL, &sets, &rules), CRM_E_TYPE);
        ck_assert_ptr_null(sets);
        ck_assert_ptr_null(rules);
    }
    crm_dataset_free(ds);
}
END_TEST

/* ---- with each allocation failing: the outputs are NULL on every path ---- */

static crm_status alloc_dataset_new(void)
{
    crm_dataset *out = SENTINEL;
    crm_status st = crm_dataset_new(&out);
    if (st != CRM_OK)
        ck_assert_ptr_null(out);
    crm_dataset_free(out);
    return st;
}

static crm_status alloc_read_and_write(void)
{
    static const char text[] = "id,item\n1,a\n1,b\n2,a\n2,b\n3,a\n";
    crm_dataset *ds = SENTINEL;
    crm_status st = crm_dataset_read_csv_mem(text, sizeof text - 1, NULL, &ds);
    if (st != CRM_OK) {
        ck_assert_ptr_null(ds);
        return st;
    }
    char *csv = SENTINEL;
    st = crm_dataset_to_csv_string(ds, NULL, &csv);
    if (st != CRM_OK)
        ck_assert_ptr_null(csv);
    crm_free(csv);
    if (st == CRM_OK) {
        crm_dataset *sets = SENTINEL, *rules = SENTINEL;
        crm_apriori_options o;
        ck_assert_ok(crm_apriori_options_init(&o, sizeof o));
        o.min_support = 0.5;
        o.n_threads = 1;
        st = crm_apriori(ds, "id", "item", &o, &sets, &rules);
        if (st != CRM_OK) {
            ck_assert_ptr_null(sets);
            ck_assert_ptr_null(rules);
        }
        crm_dataset_free(sets);
        crm_dataset_free(rules);
    }
    crm_dataset_free(ds);
    return st;
}

/* An SQL read and write (an in-memory SQLite database: nothing on disk). */
static crm_status alloc_sql(void)
{
    crm_dataset *ds = SENTINEL;
    const char *p[] = {"x"};
    crm_status st = crm_dataset_read_sql("sqlite::memory:",
                                         "SELECT 1 AS n, ? AS t, '2024-01-01' AS d, NULL AS e "
                                         "UNION ALL SELECT 2, 'y', NULL, 3",
                                         p, 1, NULL, &ds);
    if (st != CRM_OK) {
        ck_assert_ptr_null(ds);
        return st;
    }
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    const char *keys[] = {"n"};
    o.mode = CRM_SQL_UPSERT;
    o.key_columns = keys;
    o.n_key_columns = 1;
    st = crm_dataset_write_sql(ds, "sqlite::memory:", "t", &o);
    crm_dataset_free(ds);
    return st;
}

static crm_status alloc_kmeans(void)
{
    const double x[] = {0, 0.1, 5, 5.1};
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st == CRM_OK)
        st = crm_dataset_add_number(ds, "x", x, 4);
    if (st == CRM_OK) {
        crm_kmeans_options o;
        ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
        o.k = 2;
        o.n_init = 1;
        o.n_threads = 1;
        crm_model *m = SENTINEL;
        st = crm_kmeans_fit(ds, X, 1, &o, &m);
        if (st != CRM_OK)
            ck_assert_ptr_null(m);
        crm_model_free(m);
    }
    crm_dataset_free(ds);
    return st;
}

/* Summary table, CLV fit and predict on eight transactions of three customers. */
static crm_status alloc_clv(void)
{
    const char *c[] = {"a", "a", "a", "b", "b", "c", "a", "b"};
    const int64_t d[] = {0, 86400, 5 * 86400, 2 * 86400, 9 * 86400, 3 * 86400, 12 * 86400,
                         13 * 86400};
    const double amt[] = {5, 7, 9, 4, 6, 3, 8, 5};
    crm_dataset *tx = NULL, *sum = NULL;
    crm_model *m = SENTINEL;
    crm_status st = crm_dataset_new(&tx);
    if (st == CRM_OK) st = crm_dataset_add_text(tx, "c", c, 8);
    if (st == CRM_OK) st = crm_dataset_add_time(tx, "d", d, 8);
    if (st == CRM_OK) st = crm_dataset_add_number(tx, "a", amt, 8);
    if (st == CRM_OK) {
        crm_clv_summary_options so;
        ck_assert_ok(crm_clv_summary_options_init(&so, sizeof so));
        so.customer = "c";
        so.date = "d";
        so.amount = "a";
        sum = SENTINEL;
        st = crm_clv_summary(tx, &so, &sum);
        if (st != CRM_OK) ck_assert_ptr_null(sum);
    }
    if (st == CRM_OK) {
        crm_clv_options o;
        ck_assert_ok(crm_clv_options_init(&o, sizeof o));
        o.n_threads = 1;
        st = crm_clv_fit(sum, &o, &m);
        if (st != CRM_OK) ck_assert_ptr_null(m);
        ck_assert_msg(st == CRM_OK || st == CRM_E_NOMEM, "%s", crm_last_error());
    }
    if (st == CRM_OK) st = crm_model_predict(m, sum, "clv");
    if (m != SENTINEL) crm_model_free(m);
    crm_dataset_free(sum);
    crm_dataset_free(tx);
    return st;
}

START_TEST(test_stats_outputs)
{
    crm_dataset *ds = fixture();
    static const char *const keys[] = {"t"};
    static const char *const bad_agg[] = {"sum(t)"};
    static const char *const agg[] = {"sum(x)"};
    const double C[] = {0, 5};
    const uint8_t junk[] = {1, 2, 3, 4};
    PTR_FAILS(crm_stats *, crm_group_stats_compute(ds, keys, 1, bad_agg, 1, &out));
    PTR_FAILS(crm_stats *, crm_group_stats_compute(NULL, keys, 1, agg, 1, &out));
    PTR_FAILS(crm_stats *, crm_rfm_stats_compute(ds, NULL, &out));
    PTR_FAILS(crm_stats *, crm_kmeans_stats_compute(ds, NOPE, 1, C, 2, 2, &out));
    PTR_FAILS(crm_stats *, crm_kmeans_stats_compute(ds, X, 1, C, 1, 2, &out));
    PTR_FAILS(crm_stats *,
              crm_kmeans_stats_candidates(ds, X, 1, C, 2, 2, 0.0, 1.0, 1, 0, &out));
    PTR_FAILS(crm_stats *, crm_levels_stats_compute(ds, NOPE, 1, &out));
    PTR_FAILS(crm_stats *, crm_apriori_stats_local(ds, "x", "nope", NULL, &out));
    PTR_FAILS(crm_stats *, crm_stats_deserialize(junk, sizeof junk, &out));
    PTR_FAILS(crm_stats *, crm_stats_clone(NULL, &out));
    crm_stats *s = NULL;
    ck_assert_ok(crm_kmeans_stats_compute(ds, X, 1, C, 2, 2, &s));
    PTR_FAILS(crm_stats *, crm_logreg_stats_compute(ds, "x", X, 1, s, NULL, C, 2, &out));
    PTR_FAILS(crm_stats *, crm_linreg_stats_compute(ds, "x", X, 1, s, NULL, &out));
    PTR_FAILS(crm_stats *, crm_apriori_stats_count(ds, "x", "t", s, &out));
    PTR_FAILS(crm_dataset *, crm_group_stats_finalize(s, &out));
    PTR_FAILS(crm_dataset *, crm_rfm_stats_finalize(s, NULL, &out));
    {
        crm_dataset *a = SENTINEL, *b = SENTINEL;
        ck_assert_int_ne(crm_apriori_stats_finalize(s, NULL, &a, &b), CRM_OK);
        ck_assert_ptr_null(a);
        ck_assert_ptr_null(b);
    }
    NUM_FAILS(int64_t, crm_stats_rows(NULL, &out));
    NUM_FAILS(size_t, crm_stats_serialized_size(NULL, &out));
    NUM_FAILS(size_t, crm_stats_value_count(s, "nope", &out));
    NUM_FAILS(size_t, crm_levels_stats_terms(s, 1, &out));
    ARRAY_UNCHANGED(double, crm_stats_values(s, "counts", out, 3));
    ARRAY_UNCHANGED(double, crm_kmeans_stats_update(s, out, 3));
    ARRAY_UNCHANGED(double, crm_logreg_stats_step(s, NULL, out, 3));
    ARRAY_UNCHANGED(double, crm_linreg_stats_solve(s, NULL, out, 3));
    ARRAY_UNCHANGED(uint8_t, crm_stats_serialize(s, out, 3));
    crm_stats_free(s);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_outputs_null_on_allocation_failure)
{
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_dataset_new());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_read_and_write());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_kmeans());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_clv());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_sql());
}
END_TEST

Suite *crm_outputs_suite(void)
{
    Suite *s = suite_create("outputs");
    TCase *tc = tcase_create("after_failure");
    tcase_add_test(tc, test_dataset_outputs);
    tcase_add_test(tc, test_io_outputs);
    tcase_add_test(tc, test_clean_and_rfm_outputs);
    tcase_add_test(tc, test_model_outputs);
    tcase_add_test(tc, test_fit_outputs);
    tcase_add_test(tc, test_stats_outputs);
    tcase_add_test(tc, test_outputs_null_on_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
