/* Cleaning: dedup, drop_missing, impute, outliers, convert (crm/clean.h). */
#include "test_util.h"

#include "crm/clean.h"
#include "core/quantile.h"

#include <math.h>

static size_t col_of(const crm_dataset *ds, const char *name)
{
    size_t c = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    return c;
}

static double num_at(const crm_dataset *ds, const char *name, size_t row)
{
    double v = -12345;
    ck_assert_ok(crm_dataset_get_number(ds, col_of(ds, name), row, 1, &v));
    return v;
}

static const char *text_at(const crm_dataset *ds, const char *name, size_t row)
{
    const char *s = NULL;
    ck_assert_ok(crm_dataset_get_text(ds, col_of(ds, name), row, &s));
    return s;
}

static int64_t time_at(const crm_dataset *ds, const char *name, size_t row)
{
    int64_t t = 0;
    ck_assert_ok(crm_dataset_get_time(ds, col_of(ds, name), row, 1, &t));
    return t;
}

/* Same double, or both NaN. */
static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void assert_ids(const crm_dataset *ds, const double *want, size_t n)
{
    ck_assert_uint_eq(crm_dataset_nrows(ds), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(num_at(ds, "id", i) == want[i], "row %zu: id %g, expected %g", i,
                      num_at(ds, "id", i), want[i]);
}

/*   id  k1   k2    when
 *   0   1    "a"   10
 *   1   NaN  "b"   missing
 *   2   1    "a"   10
 *   3   NaN  "b"   missing
 *   4   -0   NULL  20
 *   5   1    "a"   30
 *   6   0    NULL  20        */
static crm_dataset *make_dups(void)
{
    double id[] = {0, 1, 2, 3, 4, 5, 6};
    double k1[] = {1, NAN, 1, NAN, -0.0, 1, 0};
    const char *k2[] = {"a", "b", "a", "b", NULL, "a", NULL};
    int64_t when[] = {10, CRM_TIME_MISSING, 10, CRM_TIME_MISSING, 20, 30, 20};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 7));
    ck_assert_ok(crm_dataset_add_number(ds, "k1", k1, 7));
    ck_assert_ok(crm_dataset_add_text(ds, "k2", k2, 7));
    ck_assert_ok(crm_dataset_add_time(ds, "when", when, 7));
    return ds;
}

START_TEST(test_dedup_keep)
{
    const char *keys[] = {"k1", "k2"};
    size_t removed = 99;
    /* groups: {0,2,5} (1,"a"), {1,3} (NaN,"b"), {4,6} (0,NULL): NaN == NaN, -0 == 0 */
    crm_dataset *ds = make_dups();
    ck_assert_ok(crm_clean_dedup(ds, keys, 2, CRM_KEEP_FIRST, &removed));
    ck_assert_uint_eq(removed, 4);
    assert_ids(ds, (double[]){0, 1, 4}, 3);
    ck_assert(isnan(num_at(ds, "k1", 1)));
    ck_assert_str_eq(text_at(ds, "k2", 1), "b");
    ck_assert_int_eq(time_at(ds, "when", 2), 20);
    crm_dataset_free(ds);

    ds = make_dups();
    ck_assert_ok(crm_clean_dedup(ds, keys, 2, CRM_KEEP_LAST, &removed));
    ck_assert_uint_eq(removed, 4);
    assert_ids(ds, (double[]){3, 5, 6}, 3);
    crm_dataset_free(ds);

    ds = make_dups();
    ck_assert_ok(crm_clean_dedup(ds, keys, 2, CRM_KEEP_NONE, &removed));
    ck_assert_uint_eq(removed, 7);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 4);
    crm_dataset_free(ds);

    /* one key of each type; all columns (id makes every row distinct) */
    ds = make_dups();
    const char *kt[] = {"when"};
    ck_assert_ok(crm_clean_dedup(ds, kt, 1, CRM_KEEP_NONE, &removed));
    ck_assert_uint_eq(removed, 6); /* only 30 is unique; missing == missing */
    assert_ids(ds, (double[]){5}, 1);
    crm_dataset_free(ds);
    ds = make_dups();
    ck_assert_ok(crm_clean_dedup(ds, NULL, 0, CRM_KEEP_FIRST, &removed));
    ck_assert_uint_eq(removed, 0);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 7);
    const char *k3[] = {"k2"};
    ck_assert_ok(crm_clean_dedup(ds, k3, 1, CRM_KEEP_LAST, NULL));
    assert_ids(ds, (double[]){3, 5, 6}, 3);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_dedup_all_columns)
{
    double id[] = {1, 2, 1, 1, 2};
    const char *t[] = {"x", "y", "x", "z", "y"};
    crm_dataset *ds = NULL;
    size_t removed = 0;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 5));
    ck_assert_ok(crm_dataset_add_text(ds, "t", t, 5));
    ck_assert_ok(crm_clean_dedup(ds, NULL, 0, CRM_KEEP_FIRST, &removed));
    ck_assert_uint_eq(removed, 2);
    assert_ids(ds, (double[]){1, 2, 1}, 3);
    ck_assert_str_eq(text_at(ds, "t", 2), "z");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_drop_missing)
{
    crm_dataset *ds = make_dups();
    size_t removed = 0;
    const char *c1[] = {"k1"};
    ck_assert_ok(crm_clean_drop_missing(ds, c1, 1, &removed));
    ck_assert_uint_eq(removed, 2);
    assert_ids(ds, (double[]){0, 2, 4, 5, 6}, 5);
    ck_assert_ok(crm_clean_drop_missing(ds, NULL, 0, &removed));
    ck_assert_uint_eq(removed, 2); /* k2 missing in rows 4 and 6 */
    assert_ids(ds, (double[]){0, 2, 5}, 3);
    ck_assert_ok(crm_clean_drop_missing(ds, NULL, 0, &removed));
    ck_assert_uint_eq(removed, 0);
    crm_dataset_free(ds);
    ds = make_dups();
    const char *c2[] = {"when", "id"};
    ck_assert_ok(crm_clean_drop_missing(ds, c2, 2, &removed));
    assert_ids(ds, (double[]){0, 2, 4, 5, 6}, 5);
    crm_dataset_free(ds);
}
END_TEST

static crm_dataset *make_gaps(void)
{
    /* x: NaN 1 NaN 3 NaN NaN   (linear: NaN 1 2 3 3 3)
     * pos: 5 0 2 4 1 9          (order for linear by pos) */
    double id[] = {0, 1, 2, 3, 4, 5};
    double x[] = {NAN, 1, NAN, 3, NAN, NAN};
    double pos[] = {5, 0, 2, 4, 1, 9};
    const char *t[] = {"pear", NULL, "fig", "pear", "fig", NULL};
    int64_t when[] = {100, CRM_TIME_MISSING, 50, 50, 100, 7};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "pos", pos, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "t", t, 6));
    ck_assert_ok(crm_dataset_add_time(ds, "when", when, 6));
    return ds;
}

START_TEST(test_impute_numbers)
{
    size_t filled = 0;
    crm_dataset *ds = make_gaps();
    ck_assert_ok(crm_clean_impute(ds, "x", CRM_IMPUTE_MEAN, NULL, &filled));
    ck_assert_uint_eq(filled, 4);
    double want_mean[] = {2, 1, 2, 3, 2, 2};
    for (size_t i = 0; i < 6; i++)
        ck_assert(num_at(ds, "x", i) == want_mean[i]);
    crm_dataset_free(ds);

    ds = make_gaps();
    ck_assert_ok(crm_clean_impute(ds, "x", CRM_IMPUTE_LINEAR, NULL, &filled));
    ck_assert_uint_eq(filled, 3); /* the leading gap stays */
    double want_lin[] = {NAN, 1, 2, 3, 3, 3};
    for (size_t i = 0; i < 6; i++)
        ck_assert(same(num_at(ds, "x", i), want_lin[i]));
    crm_dataset_free(ds);

    /* by pos: points (0, 1) and (4, 3); row 2 at pos 2 -> 2; row 4 at pos 1 -> 1.5;
     * row 0 at pos 5 and row 5 at pos 9 after the last point -> 3 */
    ds = make_gaps();
    crm_impute_options o;
    ck_assert_ok(crm_impute_options_init(&o, sizeof o));
    o.order_by = "pos";
    ck_assert_ok(crm_clean_impute(ds, "x", CRM_IMPUTE_LINEAR, &o, &filled));
    ck_assert_uint_eq(filled, 4);
    double want_pos[] = {3, 1, 2, 3, 1.5, 3};
    for (size_t i = 0; i < 6; i++)
        ck_assert(num_at(ds, "x", i) == want_pos[i]);
    crm_dataset_free(ds);

    /* median of {1, 3} = 2; mode of {2, 1, 2, 1, 7} = 1 (tie to the smaller) */
    ds = make_gaps();
    ck_assert_ok(crm_clean_impute(ds, "x", CRM_IMPUTE_MEDIAN, NULL, &filled));
    ck_assert(num_at(ds, "x", 0) == 2);
    crm_dataset_free(ds);
    double m[] = {2, NAN, 1, 2, 1, 7};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "m", m, 6));
    ck_assert_ok(crm_clean_impute(ds, "m", CRM_IMPUTE_MODE, NULL, &filled));
    ck_assert_uint_eq(filled, 1);
    ck_assert(num_at(ds, "m", 1) == 1);
    /* nothing left to fill */
    ck_assert_ok(crm_clean_impute(ds, "m", CRM_IMPUTE_MEAN, NULL, &filled));
    ck_assert_uint_eq(filled, 0);
    crm_dataset_free(ds);

    ds = make_gaps();
    o.constant = -1.5;
    ck_assert_ok(crm_clean_impute(ds, "x", CRM_IMPUTE_CONSTANT, &o, &filled));
    ck_assert_uint_eq(filled, 4);
    ck_assert(num_at(ds, "x", 5) == -1.5 && num_at(ds, "x", 3) == 3);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_impute_linear_by_time)
{
    /* positions from a time column, equal times use the last point of the tie */
    double y[] = {10, NAN, 30, NAN, NAN};
    int64_t t[] = {0, 100, 200, 200, 50};
    crm_dataset *ds = NULL;
    size_t filled = 0;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 5));
    ck_assert_ok(crm_dataset_add_time(ds, "t", t, 5));
    crm_impute_options o;
    ck_assert_ok(crm_impute_options_init(&o, sizeof o));
    o.order_by = "t";
    ck_assert_ok(crm_clean_impute(ds, "y", CRM_IMPUTE_LINEAR, &o, &filled));
    ck_assert_uint_eq(filled, 3);
    ck_assert(num_at(ds, "y", 1) == 20);
    ck_assert(num_at(ds, "y", 3) == 30);
    ck_assert(num_at(ds, "y", 4) == 15);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_impute_text_time)
{
    size_t filled = 0;
    crm_dataset *ds = make_gaps();
    /* pear 2, fig 2: tie to "fig" (byte order) */
    ck_assert_ok(crm_clean_impute(ds, "t", CRM_IMPUTE_MODE, NULL, &filled));
    ck_assert_uint_eq(filled, 2);
    ck_assert_str_eq(text_at(ds, "t", 1), "fig");
    ck_assert_str_eq(text_at(ds, "t", 5), "fig");
    ck_assert_str_eq(text_at(ds, "t", 0), "pear");
    /* 100 twice, 50 twice: tie to 50 */
    ck_assert_ok(crm_clean_impute(ds, "when", CRM_IMPUTE_MODE, NULL, &filled));
    ck_assert_uint_eq(filled, 1);
    ck_assert_int_eq(time_at(ds, "when", 1), 50);
    crm_dataset_free(ds);

    ds = make_gaps();
    crm_dataset *copy = NULL;
    ck_assert_ok(crm_dataset_clone(ds, &copy)); /* shares the dictionary */
    crm_impute_options o;
    ck_assert_ok(crm_impute_options_init(&o, sizeof o));
    o.text_constant = "unknown";
    o.constant = 86400;
    ck_assert_ok(crm_clean_impute(ds, "t", CRM_IMPUTE_CONSTANT, &o, &filled));
    ck_assert_uint_eq(filled, 2);
    ck_assert_str_eq(text_at(ds, "t", 1), "unknown");
    ck_assert_str_eq(text_at(ds, "t", 2), "fig");
    ck_assert_ptr_null(text_at(copy, "t", 1)); /* the clone is untouched */
    size_t levels = 0;
    ck_assert_ok(crm_dataset_text_levels(copy, col_of(copy, "t"), &levels));
    ck_assert_uint_eq(levels, 2);
    o.text_constant = "pear"; /* an existing level */
    ck_assert_ok(crm_clean_impute(copy, "t", CRM_IMPUTE_CONSTANT, &o, &filled));
    ck_assert_str_eq(text_at(copy, "t", 5), "pear");
    ck_assert_ok(crm_clean_impute(ds, "when", CRM_IMPUTE_CONSTANT, &o, &filled));
    ck_assert_int_eq(time_at(ds, "when", 1), 86400);
    crm_dataset_free(copy);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_outliers_hand)
{
    /* x = 1 2 3 4 100 NaN: Q1 = 2, Q3 = 4, IQR = 2, fences -1 and 7 */
    double x[] = {1, 2, 3, 4, 100, NAN};
    double id[] = {0, 1, 2, 3, 4, 5};
    crm_dataset *ds = NULL;
    size_t affected = 0;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_clean_outliers(ds, "x", CRM_OUTLIER_IQR, 0, CRM_OUTLIER_FLAG, &affected));
    ck_assert_uint_eq(affected, 1);
    double want[] = {0, 0, 0, 0, 1, NAN};
    for (size_t i = 0; i < 6; i++)
        ck_assert(same(num_at(ds, "x_outlier", i), want[i]));
    ck_assert_error(crm_clean_outliers(ds, "x", CRM_OUTLIER_IQR, 0, CRM_OUTLIER_FLAG, &affected),
                    CRM_E_INVALID);
    ck_assert_uint_eq(affected, 0);
    ck_assert_ok(crm_clean_outliers(ds, "x", CRM_OUTLIER_IQR, 1.5, CRM_OUTLIER_CLIP, &affected));
    ck_assert_uint_eq(affected, 1);
    ck_assert(num_at(ds, "x", 4) == 7 && num_at(ds, "x", 3) == 4 && isnan(num_at(ds, "x", 5)));
    crm_dataset_free(ds);

    /* MAD: median 3, |x - 3| = 2 1 0 1 97 -> MAD 1; 0.6745 * 97 > 3.5; 0.6745 * 2 < 3.5 */
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_clean_outliers(ds, "x", CRM_OUTLIER_MAD, 0, CRM_OUTLIER_DROP, &affected));
    ck_assert_uint_eq(affected, 1);
    assert_ids(ds, (double[]){0, 1, 2, 3, 5}, 5);
    /* now 1 2 3 4: median 2.5, |x - m| = 1.5 .5 .5 1.5, MAD 1; with k = 1 the scores of
     * 1 and 4 are 0.6745 * 1.5 = 1.01 > 1: clipped to 2.5 -+ 1 / 0.6745 */
    ck_assert_ok(crm_clean_outliers(ds, "x", CRM_OUTLIER_MAD, 1, CRM_OUTLIER_CLIP, &affected));
    ck_assert_uint_eq(affected, 2);
    ck_assert(num_at(ds, "x", 0) == 2.5 - 1.0 * 1.0 / 0.6745);
    ck_assert(num_at(ds, "x", 3) == 2.5 + 1.0 * 1.0 / 0.6745);
    ck_assert(num_at(ds, "x", 1) == 2 && isnan(num_at(ds, "x", 4)));
    crm_dataset_free(ds);

    /* z-score: 0 x 9, 10 once: mean 1, std sqrt(10): z of 10 = 2.846 */
    double z[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 10};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "z", z, 10));
    ck_assert_ok(crm_clean_outliers(ds, "z", CRM_OUTLIER_ZSCORE, 0, CRM_OUTLIER_FLAG, &affected));
    ck_assert_uint_eq(affected, 0);
    ck_assert_ok(crm_clean_outliers(ds, "z", CRM_OUTLIER_ZSCORE, 2.5, CRM_OUTLIER_CLIP, &affected));
    ck_assert_uint_eq(affected, 1);
    ck_assert(num_at(ds, "z", 9) == 1 + 2.5 * sqrt(10.0));
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_outliers_zero_spread)
{
    /* constant column and MAD = 0: nothing is an outlier, for every rule */
    double c[] = {5, 5, NAN, 5, 5};
    double m[] = {5, 5, 5, 5, 100}; /* MAD = 0 although 100 is far away */
    crm_dataset *ds = NULL;
    size_t affected = 9;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "c", c, 5));
    ck_assert_ok(crm_dataset_add_number(ds, "m", m, 5));
    for (int32_t rule = CRM_OUTLIER_ZSCORE; rule <= CRM_OUTLIER_MAD; rule++) {
        ck_assert_ok(crm_clean_outliers(ds, "c", rule, 0, CRM_OUTLIER_DROP, &affected));
        ck_assert_uint_eq(affected, 0);
    }
    ck_assert_ok(crm_clean_outliers(ds, "m", CRM_OUTLIER_MAD, 0, CRM_OUTLIER_DROP, &affected));
    ck_assert_uint_eq(affected, 0);
    ck_assert_ok(crm_clean_outliers(ds, "m", CRM_OUTLIER_IQR, 0, CRM_OUTLIER_DROP, &affected));
    ck_assert_uint_eq(affected, 0); /* IQR = 0 as well */
    ck_assert_uint_eq(crm_dataset_nrows(ds), 5);
    ck_assert_ok(crm_clean_outliers(ds, "m", CRM_OUTLIER_ZSCORE, 1, CRM_OUTLIER_DROP, &affected));
    ck_assert_uint_eq(affected, 1);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 4);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_convert)
{
    const char *s[] = {"12", " -3.5 ", NULL, "1e3", "inf"};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "s", s, 5));
    ck_assert_ok(crm_clean_convert(ds, "s", CRM_TYPE_NUMBER, NULL));
    int32_t type = 0;
    ck_assert_ok(crm_dataset_column_type(ds, 0, &type));
    ck_assert_int_eq(type, CRM_TYPE_NUMBER);
    ck_assert(num_at(ds, "s", 0) == 12 && num_at(ds, "s", 1) == -3.5);
    ck_assert(isnan(num_at(ds, "s", 2)) && num_at(ds, "s", 3) == 1000);
    ck_assert(isinf(num_at(ds, "s", 4)));
    ck_assert_ok(crm_clean_convert(ds, "s", CRM_TYPE_TEXT, NULL));
    ck_assert_str_eq(text_at(ds, "s", 0), "12");
    ck_assert_str_eq(text_at(ds, "s", 1), "-3.5");
    ck_assert_ptr_null(text_at(ds, "s", 2));
    ck_assert_str_eq(text_at(ds, "s", 3), "1000");
    ck_assert_str_eq(text_at(ds, "s", 4), "inf");
    crm_dataset_free(ds);

    const char *comma[] = {"1,5", "2"};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "c", comma, 2));
    ck_assert_ok(crm_clean_convert(ds, "c", CRM_TYPE_NUMBER, ","));
    ck_assert(num_at(ds, "c", 0) == 1.5);
    ck_assert_ok(crm_clean_convert(ds, "c", CRM_TYPE_TIME, NULL));
    ck_assert_int_eq(time_at(ds, "c", 0), 1);
    ck_assert_ok(crm_clean_convert(ds, "c", CRM_TYPE_NUMBER, NULL));
    ck_assert(num_at(ds, "c", 1) == 2);
    crm_dataset_free(ds);

    const char *d[] = {"2011-12-09", "2011-12-09 08:26:00", "12/1/2010 8:26", NULL,
                       "2011-12-09T10:00:00+01:00"};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "d", d, 5));
    ck_assert_ok(crm_clean_convert(ds, "d", CRM_TYPE_TIME, NULL));
    ck_assert_int_eq(time_at(ds, "d", 0), 1323388800);
    ck_assert_int_eq(time_at(ds, "d", 1), 1323388800 + 8 * 3600 + 26 * 60);
    ck_assert_int_eq(time_at(ds, "d", 2), 1291191960);
    ck_assert_int_eq(time_at(ds, "d", 3), CRM_TIME_MISSING);
    ck_assert_int_eq(time_at(ds, "d", 4), 1323388800 + 9 * 3600);
    ck_assert_ok(crm_clean_convert(ds, "d", CRM_TYPE_TEXT, NULL));
    ck_assert_str_eq(text_at(ds, "d", 1), "2011-12-09 08:26:00");
    ck_assert_str_eq(text_at(ds, "d", 0), "2011-12-09 00:00:00");
    crm_dataset_free(ds);

    const char *f[] = {"09/Dec/2011 03:05 PM", "01/Jan/1970 12:00 AM"};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "f", f, 2));
    ck_assert_ok(crm_clean_convert(ds, "f", CRM_TYPE_TIME, "%d/%b/%Y %H:%M %p"));
    ck_assert_int_eq(time_at(ds, "f", 0), 1323388800 + 15 * 3600 + 5 * 60);
    ck_assert_int_eq(time_at(ds, "f", 1), 0);
    ck_assert_ok(crm_clean_convert(ds, "f", CRM_TYPE_TEXT, "%Y%m%d"));
    ck_assert_str_eq(text_at(ds, "f", 0), "20111209");
    crm_dataset_free(ds);

    /* dates only -> YYYY-MM-DD; number <-> time in seconds, fractions truncated */
    int64_t days[] = {0, 86400, CRM_TIME_MISSING};
    double secs[] = {1.9, -1.9, NAN};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_time(ds, "day", days, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "secs", secs, 3));
    ck_assert_ok(crm_clean_convert(ds, "day", CRM_TYPE_TEXT, NULL));
    ck_assert_str_eq(text_at(ds, "day", 1), "1970-01-02");
    ck_assert_ok(crm_clean_convert(ds, "secs", CRM_TYPE_TIME, NULL));
    ck_assert_int_eq(time_at(ds, "secs", 0), 1);
    ck_assert_int_eq(time_at(ds, "secs", 1), -1);
    ck_assert_int_eq(time_at(ds, "secs", 2), CRM_TIME_MISSING);
    ck_assert_ok(crm_clean_convert(ds, "secs", CRM_TYPE_NUMBER, NULL));
    ck_assert(num_at(ds, "secs", 1) == -1 && isnan(num_at(ds, "secs", 2)));
    ck_assert_ok(crm_clean_convert(ds, "secs", CRM_TYPE_NUMBER, NULL)); /* same type */
    crm_dataset_free(ds);
}
END_TEST

/* ---- parity with numpy/pandas on the generated table ------------------------ */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static double parse_hex(const char *s)
{
    if (strncmp(s, "nan", 3) == 0)
        return NAN;
    return strtod(s, NULL);
}

static crm_dataset *golden_input(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(
        crm_dataset_read_csv(crm_test_file("reference/golden/clean_input.csv"), NULL, &ds));
    return ds;
}

static void check_impute_line(const char *col, const char *key, const char *value)
{
    crm_dataset *ds = golden_input();
    size_t n = crm_dataset_nrows(ds), filled = 0;
    if (strcmp(key, "missing") == 0) {
        size_t miss = 0;
        ck_assert_ok(crm_dataset_missing(ds, col_of(ds, col), &miss));
        ck_assert_uint_eq(miss, strtoul(value, NULL, 10));
    } else if (strcmp(col, "fruit") == 0) {
        ck_assert_str_eq(key, "mode");
        ck_assert_ok(crm_clean_impute(ds, col, CRM_IMPUTE_MODE, NULL, &filled));
        crm_dataset *orig = golden_input();
        size_t checked = 0;
        for (size_t r = 0; r < n; r++) {
            if (text_at(orig, col, r))
                continue;
            ck_assert_str_eq(text_at(ds, col, r), value);
            checked++;
        }
        crm_dataset_free(orig);
        ck_assert_uint_eq(checked, filled);
        ck_assert_uint_gt(checked, 0);
    } else if (strncmp(key, "linear", 6) == 0) {
        crm_impute_options o;
        ck_assert_ok(crm_impute_options_init(&o, sizeof o));
        if (strcmp(key, "linear_by_pos") == 0)
            o.order_by = "pos";
        ck_assert_ok(crm_clean_impute(ds, col, CRM_IMPUTE_LINEAR, &o, &filled));
        const char *p = value;
        for (size_t r = 0; r < n; r++) {
            double want = parse_hex(p);
            double got = num_at(ds, col, r);
            ck_assert_msg(same(got, want), "%s %s row %zu: %a, expected %a", col, key, r, got,
                          want);
            p = strchr(p, ',');
            ck_assert(r + 1 == n || p != NULL);
            if (p)
                p++;
        }
    } else {
        int32_t method = strcmp(key, "median") == 0 ? CRM_IMPUTE_MEDIAN
                         : strcmp(key, "mode") == 0 ? CRM_IMPUTE_MODE
                                                    : CRM_IMPUTE_MEAN;
        double tol = 0;
        if (strncmp(key, "mean_ref:", 9) == 0)
            tol = strtod(key + 9, NULL);
        crm_dataset *orig = golden_input();
        ck_assert_ok(crm_clean_impute(ds, col, method, NULL, &filled));
        double want = parse_hex(value);
        size_t checked = 0;
        for (size_t r = 0; r < n; r++) {
            if (!isnan(num_at(orig, col, r)))
                continue;
            double got = num_at(ds, col, r);
            if (tol == 0)
                ck_assert_msg(same(got, want), "%s %s: %a, expected %a", col, key, got, want);
            else
                ck_assert_msg(fabs(got - want) <= tol * fabs(want), "%s %s: %a vs %a", col, key,
                              got, want);
            checked++;
        }
        ck_assert_uint_eq(checked, filled);
        ck_assert_uint_gt(checked, 0);
        crm_dataset_free(orig);
    }
    crm_dataset_free(ds);
}

static void check_outlier_line(const char *col, const char *key, const char *value)
{
    char rule_s[16] = "";
    double k = 0;
    char what[16] = "";
    ck_assert_int_eq(sscanf(key, "%15[a-z]:%lf:%15s", rule_s, &k, what), 3);
    int32_t rule = strcmp(rule_s, "zscore") == 0 ? CRM_OUTLIER_ZSCORE
                   : strcmp(rule_s, "iqr") == 0  ? CRM_OUTLIER_IQR
                                                 : CRM_OUTLIER_MAD;
    crm_dataset *ds = golden_input();
    size_t n = crm_dataset_nrows(ds), affected = 0;
    if (strcmp(what, "flags") == 0 || strcmp(what, "count") == 0) {
        ck_assert_ok(crm_clean_outliers(ds, col, rule, k, CRM_OUTLIER_FLAG, &affected));
        char name[64];
        snprintf(name, sizeof name, "%s_outlier", col);
        if (strcmp(what, "count") == 0) {
            ck_assert_uint_eq(affected, strtoul(value, NULL, 10));
        } else {
            ck_assert_uint_eq(strlen(value), n);
            for (size_t r = 0; r < n; r++) {
                double f = num_at(ds, name, r);
                char c = isnan(f) ? '-' : f == 1 ? '1' : '0';
                ck_assert_msg(c == value[r], "%s %s row %zu: %c, expected %c", col, key, r, c,
                              value[r]);
            }
            /* DROP removes exactly the flagged rows */
            crm_dataset *d2 = golden_input();
            ck_assert_ok(crm_clean_outliers(d2, col, rule, k, CRM_OUTLIER_DROP, &affected));
            ck_assert_uint_eq(crm_dataset_nrows(d2), n - affected);
            for (size_t r = 0, j = 0; r < n; r++)
                if (value[r] != '1')
                    ck_assert(num_at(d2, "id", j++) == (double)r);
            crm_dataset_free(d2);
        }
    } else {
        /* lo / hi: the clipped values of the flagged rows on that side */
        crm_dataset *orig = golden_input();
        ck_assert_ok(crm_clean_outliers(ds, col, rule, k, CRM_OUTLIER_CLIP, &affected));
        double want = parse_hex(value);
        size_t seen = 0;
        for (size_t r = 0; r < n; r++) {
            double x0 = num_at(orig, col, r), x1 = num_at(ds, col, r);
            if (same(x0, x1))
                continue;
            int high = x1 > x0 ? 0 : 1;
            if (high != (strcmp(what, "hi") == 0))
                continue;
            ck_assert_msg(same(x1, want), "%s %s row %zu: clipped to %a, expected %a", col, key,
                          r, x1, want);
            seen++;
        }
        (void)seen;
        crm_dataset_free(orig);
    }
    crm_dataset_free(ds);
}

START_TEST(test_parity_golden)
{
    char *text = read_all(crm_test_file("reference/golden/clean_expected.tsv"));
    size_t lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            f[i] = strchr(f[i - 1], '\t');
            ck_assert_ptr_nonnull(f[i]);
            *f[i]++ = '\0';
        }
        if (strcmp(f[1], "impute") == 0)
            check_impute_line(f[0], f[2], f[3]);
        else
            check_outlier_line(f[0], f[2], f[3]);
        lines++;
    }
    ck_assert_uint_ge(lines, 100);
    free(text);
}
END_TEST

/* ---- limits ---------------------------------------------------------------- */

START_TEST(test_empty_and_single_row)
{
    crm_dataset *ds = NULL;
    size_t k = 9;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", NULL, 0));
    ck_assert_ok(crm_clean_dedup(ds, NULL, 0, CRM_KEEP_FIRST, &k));
    ck_assert_uint_eq(k, 0);
    ck_assert_ok(crm_clean_drop_missing(ds, NULL, 0, &k));
    ck_assert_ok(crm_clean_impute(ds, "x", CRM_IMPUTE_MEAN, NULL, &k));
    ck_assert_uint_eq(k, 0);
    ck_assert_ok(crm_clean_outliers(ds, "x", CRM_OUTLIER_IQR, 0, CRM_OUTLIER_FLAG, &k));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    ck_assert_ok(crm_clean_convert(ds, "x", CRM_TYPE_TEXT, NULL));
    crm_dataset_free(ds);

    double one[] = {4};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", one, 1));
    for (int32_t rule = CRM_OUTLIER_ZSCORE; rule <= CRM_OUTLIER_MAD; rule++) {
        ck_assert_ok(crm_clean_outliers(ds, "x", rule, 0, CRM_OUTLIER_DROP, &k));
        ck_assert_uint_eq(k, 0);
    }
    ck_assert_ok(crm_clean_dedup(ds, NULL, 0, CRM_KEEP_NONE, &k));
    ck_assert_uint_eq(k, 0);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 1);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_dedup_large)
{
    enum { N = 50000 };
    static double id[N], key[N];
    for (int i = 0; i < N; i++) {
        id[i] = i;
        key[i] = (double)((i * 7919) % 1000);
    }
    crm_dataset *ds = NULL;
    size_t removed = 0;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, N));
    ck_assert_ok(crm_dataset_add_number(ds, "key", key, N));
    const char *k[] = {"key"};
    ck_assert_ok(crm_clean_dedup(ds, k, 1, CRM_KEEP_LAST, &removed));
    ck_assert_uint_eq(removed, N - 1000);
    /* the last occurrence of each key: the rows N-1000 .. N-1, in order */
    for (size_t i = 0; i < 1000; i++)
        ck_assert(num_at(ds, "id", i) == (double)(N - 1000 + i));
    crm_dataset_free(ds);
}
END_TEST

/* Random keys with many ties, NaN, -0.0, missing texts and times: the rows
 * kept equal a brute-force reading of pandas' rules for every keep. */
START_TEST(test_dedup_random_vs_brute_force)
{
    enum { N = 1500 };
    static double id[N], k1[N];
    static const char *k2[N];
    static int64_t k3[N];
    static const char *const words[] = {"a", "b", "c", NULL};
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int v = (int)((x >> 33) % 9);
        id[i] = i;
        k1[i] = v == 7 ? NAN : v == 8 ? -0.0 : (double)(v % 4);
        k2[i] = words[(x >> 40) % 4];
        k3[i] = (x >> 50) % 3 == 0 ? CRM_TIME_MISSING : (int64_t)((x >> 52) % 2);
    }
    const char *keys[] = {"k1", "k2", "k3"};
    for (int32_t keep = CRM_KEEP_FIRST; keep <= CRM_KEEP_NONE; keep++) {
        for (size_t nk = 1; nk <= 3; nk++) {
            static unsigned char want[N];
            size_t nwant = 0;
            for (int i = 0; i < N; i++) {
                int before = 0, after = 0;
                for (int j = 0; j < N; j++) {
                    if (j == i)
                        continue;
                    int eq = (k1[i] == k1[j] || (isnan(k1[i]) && isnan(k1[j])));
                    if (nk >= 2)
                        eq = eq && (k2[i] == k2[j] || (k2[i] && k2[j] && !strcmp(k2[i], k2[j])));
                    if (nk >= 3)
                        eq = eq && k3[i] == k3[j];
                    if (eq && j < i)
                        before = 1;
                    if (eq && j > i)
                        after = 1;
                }
                want[i] = keep == CRM_KEEP_FIRST ? !before
                          : keep == CRM_KEEP_LAST ? !after
                                                  : !before && !after;
                nwant += want[i];
            }
            crm_dataset *ds = NULL;
            size_t removed = 0;
            ck_assert_ok(crm_dataset_new(&ds));
            ck_assert_ok(crm_dataset_add_number(ds, "id", id, N));
            ck_assert_ok(crm_dataset_add_number(ds, "k1", k1, N));
            ck_assert_ok(crm_dataset_add_text(ds, "k2", k2, N));
            ck_assert_ok(crm_dataset_add_time(ds, "k3", k3, N));
            ck_assert_ok(crm_clean_dedup(ds, keys, nk, keep, &removed));
            ck_assert_uint_eq(removed, N - nwant);
            for (size_t i = 0, j = 0; i < N; i++)
                if (want[i])
                    ck_assert_msg(num_at(ds, "id", j++) == (double)i, "keep %d nk %zu", keep, nk);
            crm_dataset_free(ds);
        }
    }
}
END_TEST

static int cmp_dbl(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Selection gives the sorted array's order statistics, numpy's linear
 * quantiles and medians, on sizes around the sampling threshold, with and
 * without ties. */
START_TEST(test_selection_matches_sort)
{
    enum { MAXN = 5000 };
    static double x[MAXN], sorted[MAXN], work[MAXN];
    const size_t sizes[] = {1, 2, 3, 7, 16, 17, 601, 602, 1000, 4999, 5000};
    uint64_t r = 99;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int ties = 0; ties < 2; ties++) {
            for (size_t i = 0; i < n; i++) {
                r = r * 6364136223846793005ULL + 1442695040888963407ULL;
                x[i] = ties ? (double)((r >> 33) % 5) : (double)(r >> 11) / 1024.0 - 1e12;
            }
            memcpy(sorted, x, n * sizeof *x);
            qsort(sorted, n, sizeof *sorted, cmp_dbl);
            const size_t ks[] = {0, n / 4, n / 2, n - 1};
            for (int ki = 0; ki < 4; ki++) {
                memcpy(work, x, n * sizeof *x);
                ck_assert(crm__select(work, n, ks[ki]) == sorted[ks[ki]]);
                for (size_t i = 0; i < ks[ki]; i++)
                    ck_assert(work[i] <= sorted[ks[ki]]);
                for (size_t i = ks[ki] + 1; i < n; i++)
                    ck_assert(work[i] >= sorted[ks[ki]]);
            }
            const double ps[] = {0, 0.25, 0.5, 0.75, 0.9, 1};
            for (int pi = 0; pi < 6; pi++) {
                double h = (double)(n - 1) * ps[pi];
                size_t i = (size_t)floor(h);
                double want = crm__lerp(sorted[i], sorted[i + 1 < n ? i + 1 : i], h - floor(h));
                memcpy(work, x, n * sizeof *x);
                ck_assert(crm__quantile_select(work, n, ps[pi]) == want);
            }
            double q1, q3;
            memcpy(work, x, n * sizeof *x);
            crm__quantile_pair(work, n, 0.25, 0.75, &q1, &q3);
                    double h1 = (double)(n - 1) * 0.25, h3 = (double)(n - 1) * 0.75;
            size_t i1 = (size_t)floor(h1), i3 = (size_t)floor(h3);
            ck_assert(q1 ==
                      crm__lerp(sorted[i1], sorted[i1 + 1 < n ? i1 + 1 : i1], h1 - floor(h1)));
            ck_assert(q3 ==
                      crm__lerp(sorted[i3], sorted[i3 + 1 < n ? i3 + 1 : i3], h3 - floor(h3)));
            memcpy(work, x, n * sizeof *x);
            double med = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
            ck_assert(crm__median_select(work, n) == med);
        }
    }
}
END_TEST

static crm_status alloc_dedup(void)
{
    crm_dataset *ds = NULL;
    double k1[] = {1, 2, 1, NAN, NAN};
    const char *k2[] = {"a", "b", "a", NULL, NULL};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "k1", k1, 5);
    if (!st)
        st = crm_dataset_add_text(ds, "k2", k2, 5);
    size_t removed = 0;
    if (!st) {
        st = crm_clean_dedup(ds, NULL, 0, CRM_KEEP_FIRST, &removed);
        if (!st && (removed != 2 || crm_dataset_nrows(ds) != 3))
            st = CRM_E_STATE;
        if (st == CRM_E_NOMEM && crm_dataset_nrows(ds) != 5)
            st = CRM_E_STATE; /* unchanged on failure */
    }
    crm_dataset_free(ds);
    return st;
}

static crm_status alloc_impute(void)
{
    crm_dataset *ds = NULL;
    double x[] = {NAN, 1, NAN, 3, 2};
    const char *t[] = {"a", NULL, "b", "b", NULL};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "x", x, 5);
    if (!st)
        st = crm_dataset_add_text(ds, "t", t, 5);
    crm_impute_options o;
    crm_impute_options_init(&o, sizeof o);
    o.text_constant = "zzz";
    for (int32_t m = CRM_IMPUTE_MEAN; m <= CRM_IMPUTE_LINEAR && !st; m++) {
        crm_dataset *c = NULL;
        st = crm_dataset_clone(ds, &c);
        if (!st) {
            st = crm_clean_impute(c, "x", m, &o, NULL);
            size_t miss = 0;
            crm_dataset_missing(c, 0, &miss);
            if (st == CRM_E_NOMEM && miss != 2)
                st = CRM_E_STATE; /* unchanged on failure */
        }
        if (!st && (m == CRM_IMPUTE_MODE || m == CRM_IMPUTE_CONSTANT)) {
            st = crm_clean_impute(c, "t", m, &o, NULL);
            size_t miss = 0;
            crm_dataset_missing(c, 1, &miss);
            if (st == CRM_E_NOMEM && miss != 2)
                st = CRM_E_STATE;
        }
        crm_dataset_free(c);
    }
    /* linear interpolation in the order of another column */
    double pos[] = {4, 3, 2, 1, 0};
    if (!st)
        st = crm_dataset_add_number(ds, "pos", pos, 5);
    o.order_by = "pos";
    if (!st) {
        st = crm_clean_impute(ds, "x", CRM_IMPUTE_LINEAR, &o, NULL);
        size_t miss = 0;
        crm_dataset_missing(ds, 0, &miss);
        if (st == CRM_E_NOMEM && miss != 2)
            st = CRM_E_STATE;
    }
    crm_dataset_free(ds);
    return st;
}

static crm_status alloc_outliers(void)
{
    crm_dataset *ds = NULL;
    double x[] = {1, 2, 3, 4, 100, NAN};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "x", x, 6);
    for (int32_t a = CRM_OUTLIER_FLAG; a <= CRM_OUTLIER_CLIP && !st; a++) {
        for (int32_t r = CRM_OUTLIER_ZSCORE; r <= CRM_OUTLIER_MAD && !st; r++) {
            crm_dataset *c = NULL;
            st = crm_dataset_clone(ds, &c);
            if (!st) {
                st = crm_clean_outliers(c, "x", r, 1, a, NULL);
                double x4 = 0;
                crm_dataset_get_number(c, 0, 4, 1, &x4);
                if (st == CRM_E_NOMEM &&
                    (crm_dataset_ncols(c) != 1 || crm_dataset_nrows(c) != 6 || x4 != 100))
                    st = CRM_E_STATE;
            }
            crm_dataset_free(c);
        }
    }
    crm_dataset_free(ds);
    return st;
}

/* One conversion; on failure the column keeps its type. */
static crm_status convert_step(crm_dataset *ds, size_t col, const char *name, int32_t type,
                               const char *format)
{
    int32_t before = 0, after = 0;
    crm_dataset_column_type(ds, col, &before);
    crm_status st = crm_clean_convert(ds, name, type, format);
    crm_dataset_column_type(ds, col, &after);
    if (st == CRM_E_NOMEM && after != before)
        return CRM_E_STATE;
    return st;
}

static crm_status alloc_convert(void)
{
    crm_dataset *ds = NULL;
    const char *s[] = {"1", "2.5", NULL, "1"};
    const char *d[] = {"2011-01-01", NULL, "2011-01-02 10:00", "2011-01-01"};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_text(ds, "s", s, 4);
    if (!st)
        st = crm_dataset_add_text(ds, "d", d, 4);
    const struct {
        size_t col;
        const char *name;
        int32_t type;
        const char *format;
    } steps[] = {{0, "s", CRM_TYPE_NUMBER, NULL}, {0, "s", CRM_TYPE_TEXT, NULL},
                 {1, "d", CRM_TYPE_TIME, NULL},   {1, "d", CRM_TYPE_TEXT, "%d.%m.%Y"},
                 {0, "s", CRM_TYPE_NUMBER, NULL}, {0, "s", CRM_TYPE_TIME, NULL},
                 {0, "s", CRM_TYPE_NUMBER, NULL}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && !st; i++)
        st = convert_step(ds, steps[i].col, steps[i].name, steps[i].type, steps[i].format);
    crm_dataset_free(ds);
    return st;
}

static crm_status alloc_drop_missing(void)
{
    crm_dataset *ds = NULL;
    double x[] = {NAN, 1, 2};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "x", x, 3);
    size_t removed = 0;
    if (!st) {
        st = crm_clean_drop_missing(ds, NULL, 0, &removed);
        if (st == CRM_E_NOMEM && crm_dataset_nrows(ds) != 3)
            st = CRM_E_STATE;
    }
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_dedup());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_drop_missing());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_impute());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_outliers());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_convert());
}
END_TEST

/* ---- bad input ------------------------------------------------------------- */

START_TEST(test_bad_arguments)
{
    crm_dataset *ds = make_gaps();
    size_t k = 7;
    const char *nope[] = {"nope"};
    const char *twice[] = {"x", "x"};
    ck_assert_error(crm_clean_dedup(NULL, NULL, 0, CRM_KEEP_FIRST, &k), CRM_E_INVALID);
    ck_assert_uint_eq(k, 0);
    ck_assert_error(crm_clean_dedup(ds, NULL, 1, CRM_KEEP_FIRST, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_dedup(ds, NULL, 0, 0, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_dedup(ds, NULL, 0, 4, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_dedup(ds, nope, 1, CRM_KEEP_FIRST, &k), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"nope\""));
    ck_assert_error(crm_clean_dedup(ds, twice, 2, CRM_KEEP_FIRST, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_drop_missing(NULL, NULL, 0, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_drop_missing(ds, nope, 1, &k), CRM_E_NOTFOUND);
    ck_assert_error(crm_clean_drop_missing(ds, NULL, 2, &k), CRM_E_INVALID);

    ck_assert_error(crm_clean_impute(NULL, "x", CRM_IMPUTE_MEAN, NULL, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_impute(ds, NULL, CRM_IMPUTE_MEAN, NULL, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_impute(ds, "x", 0, NULL, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_impute(ds, "x", 6, NULL, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_impute(ds, "nope", CRM_IMPUTE_MEAN, NULL, &k), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "nope"));
    ck_assert_error(crm_clean_impute(ds, "t", CRM_IMPUTE_MEAN, NULL, &k), CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"t\""));
    ck_assert_error(crm_clean_impute(ds, "when", CRM_IMPUTE_MEDIAN, NULL, &k), CRM_E_TYPE);
    ck_assert_error(crm_clean_impute(ds, "t", CRM_IMPUTE_LINEAR, NULL, &k), CRM_E_TYPE);
    ck_assert_error(crm_clean_impute(ds, "t", CRM_IMPUTE_CONSTANT, NULL, &k), CRM_E_INVALID);
    crm_impute_options o;
    ck_assert_ok(crm_impute_options_init(&o, sizeof o));
    o.constant = NAN;
    ck_assert_error(crm_clean_impute(ds, "x", CRM_IMPUTE_CONSTANT, &o, &k), CRM_E_INVALID);
    o.constant = 1.5;
    ck_assert_error(crm_clean_impute(ds, "when", CRM_IMPUTE_CONSTANT, &o, &k), CRM_E_INVALID);
    o.order_by = "t";
    ck_assert_error(crm_clean_impute(ds, "x", CRM_IMPUTE_LINEAR, &o, &k), CRM_E_TYPE);
    o.order_by = "x";
    ck_assert_error(crm_clean_impute(ds, "x", CRM_IMPUTE_LINEAR, &o, &k), CRM_E_INVALID);
    o.order_by = "nope";
    ck_assert_error(crm_clean_impute(ds, "x", CRM_IMPUTE_LINEAR, &o, &k), CRM_E_NOTFOUND);
    /* options size rule */
    ck_assert_error(crm_impute_options_init(NULL, sizeof o), CRM_E_INVALID);
    ck_assert_error(crm_impute_options_init(&o, 4), CRM_E_INVALID);
    struct {
        crm_impute_options o;
        double extra;
    } big;
    memset(&big, 0, sizeof big);
    ck_assert_ok(crm_impute_options_init(&big.o, sizeof big));
    ck_assert_ok(crm_clean_impute(ds, "pos", CRM_IMPUTE_MEAN, &big.o, &k));
    big.extra = 1;
    ck_assert_error(crm_clean_impute(ds, "x", CRM_IMPUTE_MEAN, &big.o, &k), CRM_E_FORMAT);

    ck_assert_error(crm_clean_outliers(NULL, "x", 1, 0, 1, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_outliers(ds, "x", 0, 0, 1, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_outliers(ds, "x", 1, 0, 4, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_outliers(ds, "x", 1, -1, 1, &k), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "-1"));
    ck_assert_error(crm_clean_outliers(ds, "x", 1, NAN, 1, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_outliers(ds, "x", 1, INFINITY, 1, &k), CRM_E_INVALID);
    ck_assert_error(crm_clean_outliers(ds, "t", 1, 0, 1, &k), CRM_E_TYPE);
    ck_assert_error(crm_clean_outliers(ds, "nope", 1, 0, 1, &k), CRM_E_NOTFOUND);

    ck_assert_error(crm_clean_convert(NULL, "x", CRM_TYPE_TEXT, NULL), CRM_E_INVALID);
    ck_assert_error(crm_clean_convert(ds, "x", 0, NULL), CRM_E_INVALID);
    ck_assert_error(crm_clean_convert(ds, "x", 4, NULL), CRM_E_INVALID);
    ck_assert_error(crm_clean_convert(ds, "nope", CRM_TYPE_TEXT, NULL), CRM_E_NOTFOUND);
    ck_assert_error(crm_clean_convert(ds, "x", CRM_TYPE_TEXT, "%Y"), CRM_E_INVALID);
    ck_assert_error(crm_clean_convert(ds, "t", CRM_TYPE_TIME, "%Q"), CRM_E_INVALID);
    ck_assert_error(crm_clean_convert(ds, "t", CRM_TYPE_NUMBER, "x"), CRM_E_INVALID);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 6);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 5);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_all_missing_and_order_gaps)
{
    double nan5[] = {NAN, NAN, NAN};
    double y[] = {1, NAN, 3};
    double pos[] = {0, NAN, 2};
    crm_dataset *ds = NULL;
    size_t k = 5;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "e", nan5, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "pos", pos, 3));
    ck_assert_error(crm_clean_impute(ds, "e", CRM_IMPUTE_MEAN, NULL, &k), CRM_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"e\""));
    ck_assert_error(crm_clean_impute(ds, "e", CRM_IMPUTE_MEDIAN, NULL, &k), CRM_E_NUMERIC);
    ck_assert_error(crm_clean_impute(ds, "e", CRM_IMPUTE_MODE, NULL, &k), CRM_E_NUMERIC);
    ck_assert_ok(crm_clean_impute(ds, "e", CRM_IMPUTE_LINEAR, NULL, &k));
    ck_assert_uint_eq(k, 0); /* nothing to interpolate from: left as it is */
    ck_assert(isnan(num_at(ds, "e", 1)));
    ck_assert_ok(crm_clean_outliers(ds, "e", CRM_OUTLIER_MAD, 0, CRM_OUTLIER_CLIP, &k));
    ck_assert_uint_eq(k, 0);
    crm_impute_options o;
    ck_assert_ok(crm_impute_options_init(&o, sizeof o));
    o.order_by = "pos";
    ck_assert_error(crm_clean_impute(ds, "y", CRM_IMPUTE_LINEAR, &o, &k), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 1"));
    ck_assert(isnan(num_at(ds, "y", 1)));
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_convert_failure_leaves_dataset)
{
    const char *s[10] = {"1", "2", "3", "4", "5", "6x", "7", "8", "9", "10"};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "s", s, 10));
    ck_assert_error(crm_clean_convert(ds, "s", CRM_TYPE_NUMBER, NULL), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 5"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"6x\""));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"s\""));
    int32_t type = 0;
    ck_assert_ok(crm_dataset_column_type(ds, 0, &type));
    ck_assert_int_eq(type, CRM_TYPE_TEXT);
    ck_assert_str_eq(text_at(ds, "s", 5), "6x");
    ck_assert_str_eq(text_at(ds, "s", 9), "10");
    ck_assert_error(crm_clean_convert(ds, "s", CRM_TYPE_TIME, NULL), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 0"));
    /* "%d" reads "1" .. "5" as days of January 1900; "6x" fails */
    ck_assert_error(crm_clean_convert(ds, "s", CRM_TYPE_TIME, "%d"), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 5"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "%d"));
    ck_assert_str_eq(text_at(ds, "s", 0), "1");
    crm_dataset_free(ds);
    double big[] = {1, INFINITY};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "big", big, 2));
    ck_assert_error(crm_clean_convert(ds, "big", CRM_TYPE_TIME, NULL), CRM_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 1"));
    ck_assert(num_at(ds, "big", 0) == 1);
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_clean_suite(void)
{
    Suite *s = suite_create("clean");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_dedup_keep);
    tcase_add_test(core, test_dedup_all_columns);
    tcase_add_test(core, test_drop_missing);
    tcase_add_test(core, test_impute_numbers);
    tcase_add_test(core, test_impute_linear_by_time);
    tcase_add_test(core, test_impute_text_time);
    tcase_add_test(core, test_outliers_hand);
    tcase_add_test(core, test_outliers_zero_spread);
    tcase_add_test(core, test_convert);
    tcase_add_test(core, test_parity_golden);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("limits");
    tcase_set_timeout(lim, 60);
    tcase_add_test(lim, test_empty_and_single_row);
    tcase_add_test(lim, test_dedup_large);
    tcase_add_test(lim, test_dedup_random_vs_brute_force);
    tcase_add_test(lim, test_selection_matches_sort);
    tcase_add_test(lim, test_alloc_failures);
    suite_add_tcase(s, lim);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_bad_arguments);
    tcase_add_test(bad, test_all_missing_and_order_gaps);
    tcase_add_test(bad, test_convert_failure_leaves_dataset);
    suite_add_tcase(s, bad);
    return s;
}
