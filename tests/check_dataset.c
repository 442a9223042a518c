/* Dataset: building, access, select, sort, head, clone, describe, baskets. */
#include "test_util.h"
#include "core/dataset_internal.h"

#ifndef CRM__NAME_INDEX_MIN
#define CRM__NAME_INDEX_MIN 16
#endif

#include <math.h>
#include <unistd.h>

/* A small mixed dataset:
 *   id   name    amount  when
 *   1    "b"     2.5     100
 *   2    "a"     NaN     missing
 *   3    "b"     -1      50
 *   4    NULL    2.5     100
 *   5    "c"     10      0     */
static crm_dataset *make_small(void)
{
    crm_dataset *ds = NULL;
    double id[] = {1, 2, 3, 4, 5};
    const char *name[] = {"b", "a", "b", NULL, "c"};
    double amount[] = {2.5, NAN, -1, 2.5, 10};
    int64_t when[] = {100, CRM_TIME_MISSING, 50, 100, 0};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 5));
    ck_assert_ok(crm_dataset_add_text(ds, "name", name, 5));
    ck_assert_ok(crm_dataset_add_number(ds, "amount", amount, 5));
    ck_assert_ok(crm_dataset_add_time(ds, "when", when, 5));
    return ds;
}

static void ids_of(const crm_dataset *ds, double *out)
{
    size_t c;
    ck_assert_ok(crm_dataset_column_index(ds, "id", &c));
    ck_assert_ok(crm_dataset_get_number(ds, c, 0, crm_dataset_nrows(ds), out));
}

START_TEST(test_build_and_access)
{
    crm_dataset *ds = make_small();
    ck_assert_uint_eq(crm_dataset_nrows(ds), 5);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 4);
    const char *s;
    ck_assert_ok(crm_dataset_column_name(ds, 2, &s));
    ck_assert_str_eq(s, "amount");
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(ds, 1, &t));
    ck_assert_int_eq(t, CRM_TYPE_TEXT);
    ck_assert_ok(crm_dataset_column_type(ds, 3, &t));
    ck_assert_int_eq(t, CRM_TYPE_TIME);
    size_t miss;
    ck_assert_ok(crm_dataset_missing(ds, 1, &miss));
    ck_assert_uint_eq(miss, 1);
    ck_assert_ok(crm_dataset_missing(ds, 2, &miss));
    ck_assert_uint_eq(miss, 1);
    ck_assert_ok(crm_dataset_missing(ds, 3, &miss));
    ck_assert_uint_eq(miss, 1);
    ck_assert_ok(crm_dataset_get_text(ds, 1, 0, &s));
    ck_assert_str_eq(s, "b");
    ck_assert_ok(crm_dataset_get_text(ds, 1, 3, &s));
    ck_assert_ptr_null(s);
    int32_t codes[5];
    ck_assert_ok(crm_dataset_get_codes(ds, 1, 0, 5, codes));
    ck_assert_int_eq(codes[0], 0);
    ck_assert_int_eq(codes[1], 1);
    ck_assert_int_eq(codes[2], 0);
    ck_assert_int_eq(codes[3], -1);
    ck_assert_int_eq(codes[4], 2);
    size_t levels;
    ck_assert_ok(crm_dataset_text_levels(ds, 1, &levels));
    ck_assert_uint_eq(levels, 3);
    ck_assert_ok(crm_dataset_text_level(ds, 1, 2, &s));
    ck_assert_str_eq(s, "c");
    double v[2];
    ck_assert_ok(crm_dataset_get_number(ds, 2, 3, 2, v));
    ck_assert(v[0] == 2.5 && v[1] == 10);
    int64_t w[5];
    ck_assert_ok(crm_dataset_get_time(ds, 3, 0, 5, w));
    ck_assert(w[1] == CRM_TIME_MISSING && w[2] == 50);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_drop_rename)
{
    crm_dataset *ds = make_small();
    ck_assert_ok(crm_dataset_rename_column(ds, "amount", "total"));
    size_t c;
    ck_assert_ok(crm_dataset_column_index(ds, "total", &c));
    ck_assert_uint_eq(c, 2);
    ck_assert_error(crm_dataset_rename_column(ds, "total", "id"), CRM_E_INVALID);
    ck_assert_error(crm_dataset_rename_column(ds, "nope", "x"), CRM_E_NOTFOUND);
    ck_assert_ok(crm_dataset_drop_column(ds, "name"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 3);
    ck_assert_error(crm_dataset_column_index(ds, "name", &c), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"name\""));
    ck_assert_ok(crm_dataset_column_index(ds, "when", &c));
    ck_assert_uint_eq(c, 2);
    crm_dataset_free(ds);
}
END_TEST

/* Wide datasets find names through a hash index: building 50,000 columns
 * used to compare each new name with all earlier ones (quadratic: about ten
 * seconds); lookups, duplicates, rename, drop and select must stay exact. */
START_TEST(test_many_columns)
{
    enum { NC = 50000 };
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    char name[32];
    for (int j = 0; j < NC; j++) {
        double v = j;
        snprintf(name, sizeof name, "col%d", j);
        ck_assert_ok(crm_dataset_add_number(ds, name, &v, 1));
    }
    ck_assert_uint_eq(crm_dataset_ncols(ds), NC);
    size_t c = 0;
    for (int j = 0; j < NC; j += 997) {
        snprintf(name, sizeof name, "col%d", j);
        ck_assert_ok(crm_dataset_column_index(ds, name, &c));
        ck_assert_uint_eq(c, (size_t)j);
    }
    double one = 1;
    ck_assert_error(crm_dataset_add_number(ds, "col49999", &one, 1), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "already exists"));
    ck_assert_error(crm_dataset_column_index(ds, "col50000", &c), CRM_E_NOTFOUND);
    /* rename: the old name is gone, the new one found, a taken name refused */
    ck_assert_ok(crm_dataset_rename_column(ds, "col123", "renamed"));
    ck_assert_ok(crm_dataset_column_index(ds, "renamed", &c));
    ck_assert_uint_eq(c, 123);
    ck_assert_error(crm_dataset_column_index(ds, "col123", &c), CRM_E_NOTFOUND);
    ck_assert_error(crm_dataset_rename_column(ds, "renamed", "col124"), CRM_E_INVALID);
    ck_assert_ok(crm_dataset_rename_column(ds, "renamed", "col123"));
    for (int j = 100; j < 150; j++) {
        snprintf(name, sizeof name, "col%d", j);
        ck_assert_ok(crm_dataset_column_index(ds, name, &c));
        ck_assert_uint_eq(c, (size_t)j);
    }
    /* drop: later columns move down by one */
    ck_assert_ok(crm_dataset_drop_column(ds, "col10"));
    ck_assert_error(crm_dataset_column_index(ds, "col10", &c), CRM_E_NOTFOUND);
    ck_assert_ok(crm_dataset_column_index(ds, "col11", &c));
    ck_assert_uint_eq(c, 10);
    ck_assert_ok(crm_dataset_column_index(ds, "col49999", &c));
    ck_assert_uint_eq(c, NC - 2);
    ck_assert_ok(crm_dataset_column_index(ds, "col9", &c));
    ck_assert_uint_eq(c, 9);
    ck_assert_ok(crm_dataset_add_number(ds, "col10", &one, 1));
    ck_assert_ok(crm_dataset_column_index(ds, "col10", &c));
    ck_assert_uint_eq(c, NC - 1);
    /* select every column, last first; a name listed twice is refused */
    const char **names = malloc(NC * sizeof *names);
    ck_assert_ptr_nonnull(names);
    for (size_t j = 0; j < NC; j++)
        ck_assert_ok(crm_dataset_column_name(ds, NC - 1 - j, &names[j]));
    crm_dataset *sel = NULL;
    ck_assert_ok(crm_dataset_select(ds, names, NC, &sel));
    ck_assert_uint_eq(crm_dataset_ncols(sel), NC);
    ck_assert_ok(crm_dataset_column_index(sel, "col0", &c));
    ck_assert_uint_eq(c, NC - 1);
    double v = -1;
    ck_assert_ok(crm_dataset_get_number(sel, NC - 1, 0, 1, &v));
    ck_assert(v == 0.0);
    crm_dataset_free(sel);
    names[NC - 1] = names[0];
    sel = (crm_dataset *)1;
    ck_assert_error(crm_dataset_select(ds, names, NC, &sel), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "listed twice"));
    ck_assert_ptr_null(sel);
    free(names);
    crm_dataset_free(ds);
}
END_TEST

/* Build past the size where the name index starts, rename, drop, select. */
static crm_status wide_body(void)
{
    crm_dataset *ds = NULL, *sel = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st)
        return st;
    char name[32];
    for (int j = 0; j < 3 * CRM__NAME_INDEX_MIN && !st; j++) {
        double v = j;
        snprintf(name, sizeof name, "c%d", j);
        st = crm_dataset_add_number(ds, name, &v, 1);
    }
    if (!st)
        st = crm_dataset_rename_column(ds, "c5", "five");
    if (!st)
        st = crm_dataset_drop_column(ds, "c7");
    const char *pick[] = {"c40", "five", "c0"};
    if (!st)
        st = crm_dataset_select(ds, pick, 3, &sel);
    size_t c = 0;
    if (!st && (crm_dataset_column_index(sel, "five", &c) != CRM_OK || c != 1 ||
                crm_dataset_column_index(ds, "c40", &c) != CRM_OK || c != 39))
        st = CRM_E_STATE;
    crm_dataset_free(sel);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures_wide)
{
    CRM_TEST_EACH_ALLOC_FAILURE(wide_body());
}
END_TEST

START_TEST(test_select_head_clone)
{
    crm_dataset *ds = make_small(), *sel = NULL, *hd = NULL, *cl = NULL;
    const char *cols[] = {"when", "id"};
    ck_assert_ok(crm_dataset_select(ds, cols, 2, &sel));
    ck_assert_uint_eq(crm_dataset_ncols(sel), 2);
    ck_assert_uint_eq(crm_dataset_nrows(sel), 5);
    const char *s;
    ck_assert_ok(crm_dataset_column_name(sel, 0, &s));
    ck_assert_str_eq(s, "when");
    ck_assert_ok(crm_dataset_head(ds, 2, &hd));
    ck_assert_uint_eq(crm_dataset_nrows(hd), 2);
    ck_assert_ok(crm_dataset_clone(ds, &cl));
    crm_dataset_free(ds); /* derived datasets outlive their source */
    ck_assert_ok(crm_dataset_get_text(hd, 1, 1, &s));
    ck_assert_str_eq(s, "a");
    ck_assert_ok(crm_dataset_get_text(cl, 1, 4, &s));
    ck_assert_str_eq(s, "c");
    crm_dataset *big = NULL;
    ck_assert_ok(crm_dataset_head(cl, 100, &big));
    ck_assert_uint_eq(crm_dataset_nrows(big), 5);
    crm_dataset_free(big);
    crm_dataset_free(sel);
    crm_dataset_free(hd);
    crm_dataset_free(cl);
}
END_TEST

START_TEST(test_sort_multi_key_stable)
{
    crm_dataset *ds = make_small(), *s1 = NULL;
    double ids[5];
    /* by name: a(2), b(1), b(3), c(5), missing(4) last */
    const char *k1[] = {"name"};
    ck_assert_ok(crm_dataset_sort(ds, k1, 1, NULL, &s1));
    ids_of(s1, ids);
    double e1[] = {2, 1, 3, 5, 4};
    for (int i = 0; i < 5; i++)
        ck_assert(ids[i] == e1[i]);
    crm_dataset_free(s1);
    /* name descending, then amount ascending: c(5), b(3:-1), b(1:2.5), a(2), missing(4) */
    const char *k2[] = {"name", "amount"};
    int32_t d2[] = {1, 0};
    ck_assert_ok(crm_dataset_sort(ds, k2, 2, d2, &s1));
    ids_of(s1, ids);
    double e2[] = {5, 3, 1, 2, 4};
    for (int i = 0; i < 5; i++)
        ck_assert(ids[i] == e2[i]);
    crm_dataset_free(s1);
    /* amount descending: NaN last; ties (1 and 4 at 2.5) keep input order */
    const char *k3[] = {"amount"};
    int32_t d3[] = {1};
    ck_assert_ok(crm_dataset_sort(ds, k3, 1, d3, &s1));
    ids_of(s1, ids);
    double e3[] = {5, 1, 4, 3, 2};
    for (int i = 0; i < 5; i++)
        ck_assert(ids[i] == e3[i]);
    crm_dataset_free(s1);
    /* time ascending: 0(5), 50(3), 100(1), 100(4), missing(2) */
    const char *k4[] = {"when"};
    ck_assert_ok(crm_dataset_sort(ds, k4, 1, NULL, &s1));
    ids_of(s1, ids);
    double e4[] = {5, 3, 1, 4, 2};
    for (int i = 0; i < 5; i++)
        ck_assert(ids[i] == e4[i]);
    crm_dataset_free(s1);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_sort_large_stable)
{
    /* 10,000 rows with 7 key values: stable order within equal keys. */
    enum { N = 10000 };
    static double key[N], pos[N];
    for (int i = 0; i < N; i++) {
        key[i] = (double)((i * 7919) % 7);
        pos[i] = i;
    }
    crm_dataset *ds = NULL, *s = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "key", key, N));
    ck_assert_ok(crm_dataset_add_number(ds, "pos", pos, N));
    const char *k[] = {"key"};
    ck_assert_ok(crm_dataset_sort(ds, k, 1, NULL, &s));
    static double sk[N], sp[N];
    ck_assert_ok(crm_dataset_get_number(s, 0, 0, N, sk));
    ck_assert_ok(crm_dataset_get_number(s, 1, 0, N, sp));
    for (int i = 1; i < N; i++) {
        ck_assert(sk[i - 1] <= sk[i]);
        if (sk[i - 1] == sk[i])
            ck_assert(sp[i - 1] < sp[i]);
    }
    crm_dataset_free(s);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_text_sort_is_code_point_order)
{
    const char *v[] = {"\xc3\xa9t\xc3\xa9", "Zebra", "apple", "Apple", "\302\24340" /* "£40" (octal escapes stop after 3 digits) */};
    double id[] = {0, 1, 2, 3, 4};
    crm_dataset *ds = NULL, *s = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "t", v, 5));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 5));
    const char *k[] = {"t"};
    ck_assert_ok(crm_dataset_sort(ds, k, 1, NULL, &s));
    double ids[5];
    ids_of(s, ids);
    /* Apple < Zebra < apple < U+00A3 < U+00E9 (Python's sorted() agrees) */
    double e[] = {3, 1, 2, 4, 0};
    for (int i = 0; i < 5; i++)
        ck_assert(ids[i] == e[i]);
    crm_dataset_free(s);
    crm_dataset_free(ds);
}
END_TEST

static double stat_of(const crm_dataset *d, size_t row, const char *name)
{
    size_t c;
    double v;
    ck_assert_ok(crm_dataset_column_index(d, name, &c));
    ck_assert_ok(crm_dataset_get_number(d, c, row, 1, &v));
    return v;
}

START_TEST(test_describe_values)
{
    /* numpy: x = [1, 2, 3, 4, 10]; mean 4, std(ddof=1) = sqrt(12.5),
     * percentiles 25/50/75 -> 2, 3, 4 */
    double x[] = {4, 1, NAN, 10, 3, 2};
    const char *t[] = {"a", "b", "a", NULL, "a", "c"};
    int64_t w[] = {0, 86400, 172800, CRM_TIME_MISSING, 0, 0};
    crm_dataset *ds = NULL, *d = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "t", t, 6));
    ck_assert_ok(crm_dataset_add_time(ds, "w", w, 6));
    ck_assert_ok(crm_dataset_describe(ds, &d));
    ck_assert_uint_eq(crm_dataset_nrows(d), 3);
    ck_assert_uint_eq(crm_dataset_ncols(d), 12);
    const char *s;
    ck_assert_ok(crm_dataset_get_text(d, 0, 1, &s));
    ck_assert_str_eq(s, "t");
    ck_assert_ok(crm_dataset_get_text(d, 1, 2, &s));
    ck_assert_str_eq(s, "time");
    ck_assert(stat_of(d, 0, "count") == 5);
    ck_assert(stat_of(d, 0, "missing") == 1);
    ck_assert(stat_of(d, 0, "mean") == 4);
    ck_assert(stat_of(d, 0, "std") == sqrt(12.5));
    ck_assert(stat_of(d, 0, "min") == 1);
    ck_assert(stat_of(d, 0, "q25") == 2);
    ck_assert(stat_of(d, 0, "median") == 3);
    ck_assert(stat_of(d, 0, "q75") == 4);
    ck_assert(stat_of(d, 0, "max") == 10);
    ck_assert(stat_of(d, 0, "distinct") == 5);
    ck_assert(stat_of(d, 1, "count") == 5);
    ck_assert(stat_of(d, 1, "distinct") == 3);
    ck_assert(isnan(stat_of(d, 1, "mean")));
    ck_assert(stat_of(d, 2, "min") == 0);
    ck_assert(stat_of(d, 2, "max") == 172800);
    ck_assert(stat_of(d, 2, "median") == 0);
    ck_assert(stat_of(d, 2, "distinct") == 3);
    ck_assert(isnan(stat_of(d, 2, "std")));
    crm_dataset_free(d);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_describe_interpolation)
{
    /* numpy.percentile([0.1, 0.7, 0.2, 100], [25, 50, 75]) =
     * [0.17500000000000002, 0.44999999999999996, 25.525] (numpy 1.24, linear,
     * two-sided lerp) */
    double x[] = {0.1, 0.7, 0.2, 100};
    crm_dataset *ds = NULL, *d = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 4));
    ck_assert_ok(crm_dataset_describe(ds, &d));
    ck_assert(stat_of(d, 0, "q25") == 0.17500000000000002);
    ck_assert(stat_of(d, 0, "median") == 0.44999999999999996);
    ck_assert(stat_of(d, 0, "q75") == 25.525);
    crm_dataset_free(d);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_empty_and_single_row)
{
    crm_dataset *ds = NULL, *d = NULL, *s = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_describe(ds, &d));
    ck_assert_uint_eq(crm_dataset_nrows(d), 0);
    crm_dataset_free(d);
    double one = 7;
    ck_assert_ok(crm_dataset_add_number(ds, "x", &one, 1));
    ck_assert_ok(crm_dataset_describe(ds, &d));
    ck_assert(stat_of(d, 0, "median") == 7);
    ck_assert(isnan(stat_of(d, 0, "std")));
    const char *k[] = {"x"};
    ck_assert_ok(crm_dataset_sort(ds, k, 1, NULL, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 1);
    crm_dataset_free(s);
    crm_dataset_free(d);
    crm_dataset_free(ds);
    /* zero rows */
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", NULL, 0));
    ck_assert_ok(crm_dataset_sort(ds, k, 1, NULL, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 0);
    ck_assert_ok(crm_dataset_describe(ds, &d));
    ck_assert(stat_of(d, 0, "count") == 0);
    ck_assert(isnan(stat_of(d, 0, "mean")));
    crm_dataset_free(s);
    crm_dataset_free(d);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_arguments)
{
    crm_dataset *ds = make_small(), *o = (crm_dataset *)1;
    double v[5] = {0};
    const char *s = "x";
    ck_assert_error(crm_dataset_add_number(NULL, "x", v, 5), CRM_E_INVALID);
    ck_assert_error(crm_dataset_add_number(ds, "x", v, 4), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "4 values"));
    ck_assert_error(crm_dataset_add_number(ds, "id", v, 5), CRM_E_INVALID);
    ck_assert_error(crm_dataset_add_number(ds, "", v, 5), CRM_E_INVALID);
    ck_assert_error(crm_dataset_add_number(ds, "bad\xff", v, 5), CRM_E_INVALID);
    ck_assert_error(crm_dataset_add_number(ds, NULL, v, 5), CRM_E_INVALID);
    ck_assert_error(crm_dataset_add_number(ds, "x", NULL, 5), CRM_E_INVALID);
    const char *bad[] = {"ok", "ok", "\xc3", "ok", "ok"};
    ck_assert_error(crm_dataset_add_text(ds, "bad", bad, 5), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 2"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 4); /* unchanged */
    ck_assert_error(crm_dataset_get_number(ds, 1, 0, 1, v), CRM_E_TYPE);
    ck_assert_error(crm_dataset_get_number(ds, 0, 4, 2, v), CRM_E_INVALID);
    ck_assert_error(crm_dataset_get_number(ds, 9, 0, 1, v), CRM_E_INVALID);
    ck_assert_error(crm_dataset_get_text(ds, 0, 0, &s), CRM_E_TYPE);
    ck_assert_ptr_null(s);
    ck_assert_error(crm_dataset_get_text(ds, 1, 5, &s), CRM_E_INVALID);
    ck_assert_error(crm_dataset_text_level(ds, 1, 3, &s), CRM_E_INVALID);
    const char *nope[] = {"nope"};
    ck_assert_error(crm_dataset_select(ds, nope, 1, &o), CRM_E_NOTFOUND);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "nope"));
    const char *twice[] = {"id", "id"};
    o = (crm_dataset *)1;
    ck_assert_error(crm_dataset_select(ds, twice, 2, &o), CRM_E_INVALID);
    ck_assert_ptr_null(o);
    o = (crm_dataset *)1;
    ck_assert_error(crm_dataset_sort(ds, nope, 1, NULL, &o), CRM_E_NOTFOUND);
    ck_assert_ptr_null(o);
    ck_assert_error(crm_dataset_sort(ds, nope, 0, NULL, &o), CRM_E_INVALID);
    ck_assert_error(crm_dataset_select(ds, nope, 0, &o), CRM_E_INVALID);
    ck_assert_error(crm_dataset_describe(NULL, &o), CRM_E_INVALID);
    ck_assert_error(crm_dataset_clone(NULL, &o), CRM_E_INVALID);
    ck_assert_error(crm_dataset_head(ds, 1, NULL), CRM_E_INVALID);
    ck_assert_uint_eq(crm_dataset_nrows(NULL), 0);
    ck_assert_uint_eq(crm_dataset_ncols(NULL), 0);
    crm_dataset_free(ds);
}
END_TEST

static crm_status sort_describe_body(void)
{
    crm_dataset *ds = NULL, *s = NULL, *d = NULL;
    double id[] = {3, 1, 2, 2};
    const char *name[] = {"x", "y", NULL, "x"};
    const char *k[] = {"name", "id"};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "id", id, 4);
    if (!st)
        st = crm_dataset_add_text(ds, "name", name, 4);
    if (!st)
        st = crm_dataset_sort(ds, k, 2, NULL, &s);
    if (!st)
        st = crm_dataset_describe(s, &d);
    crm_dataset_free(d);
    crm_dataset_free(s);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(sort_describe_body());
}
END_TEST

static char *write_temp(const char *content)
{
    static char path[64];
    strcpy(path, "/tmp/crm_baskets_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

START_TEST(test_baskets)
{
    char *p = write_temp("1 2 3 \n\n2 3\r\n  7\t8 \n");
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_baskets(p, &ds));
    unlink(p);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 7);
    double tid[7];
    ck_assert_ok(crm_dataset_get_number(ds, 0, 0, 7, tid));
    double etid[] = {1, 1, 1, 3, 3, 4, 4};
    const char *eitem[] = {"1", "2", "3", "2", "3", "7", "8"};
    for (int i = 0; i < 7; i++) {
        const char *s;
        ck_assert(tid[i] == etid[i]);
        ck_assert_ok(crm_dataset_get_text(ds, 1, (size_t)i, &s));
        ck_assert_str_eq(s, eitem[i]);
    }
    size_t levels;
    ck_assert_ok(crm_dataset_text_levels(ds, 1, &levels));
    ck_assert_uint_eq(levels, 5);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_baskets_bad_input)
{
    crm_dataset *ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_baskets("/nonexistent/dir/baskets.dat", &ds), CRM_E_IO);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "baskets.dat"));
    char *p = write_temp("1 2\n3 \xff 4\n");
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_baskets(p, &ds), CRM_E_PARSE);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), ":2:3:"));
    unlink(p);
    ck_assert_error(crm_dataset_read_baskets(NULL, &ds), CRM_E_INVALID);
    /* empty file: no rows, two columns */
    p = write_temp("");
    ck_assert_ok(crm_dataset_read_baskets(p, &ds));
    unlink(p);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_build_and_access);
    tcase_add_test(core, test_drop_rename);
    tcase_add_test(core, test_select_head_clone);
    tcase_add_test(core, test_sort_multi_key_stable);
    tcase_add_test(core, test_text_sort_is_code_point_order);
    tcase_add_test(core, test_describe_values);
    tcase_add_test(core, test_describe_interpolation);
    tcase_add_test(core, test_baskets);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("limits");
    tcase_add_test(lim, test_sort_large_stable);
    tcase_add_test(lim, test_empty_and_single_row);
    tcase_add_test(lim, test_alloc_failures);
    tcase_add_test(lim, test_many_columns);
    tcase_add_test(lim, test_alloc_failures_wide);
    suite_add_tcase(s, lim);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_bad_arguments);
    tcase_add_test(bad, test_baskets_bad_input);
    suite_add_tcase(s, bad);
    return s;
}
