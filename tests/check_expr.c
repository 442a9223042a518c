/* Expressions: crm_dataset_filter() and crm_dataset_mutate(). */
#include "test_util.h"

#include <math.h>

/* The test table (times: 2011-12-09 08:26:00, 2010-12-01, missing,
 * 2011-01-01, 1970-01-01, 1969-12-31 23:59:59):
 *   id  q    p    s          t           "Unit Price"  s2
 *   1   2    1.5  "C123"     1323419160  1             "abc"
 *   2   -1   2    "abc"      1291161600  2             "abc"
 *   3   NaN  3    NULL       missing     3             "x"
 *   4   0    NaN  "O'Brien"  1293840000  4             NULL
 *   5   10   0    "Cab"      0           5             "Cab"
 *   6   3.5  2    "abc"      -1          6             "b"      */
static crm_dataset *make_ds(void)
{
    crm_dataset *ds = NULL;
    double id[] = {1, 2, 3, 4, 5, 6};
    double q[] = {2, -1, NAN, 0, 10, 3.5};
    double p[] = {1.5, 2, 3, NAN, 0, 2};
    const char *s[] = {"C123", "abc", NULL, "O'Brien", "Cab", "abc"};
    int64_t t[] = {1323419160, 1291161600, CRM_TIME_MISSING, 1293840000, 0, -1};
    double up[] = {1, 2, 3, 4, 5, 6};
    const char *s2[] = {"abc", "abc", "x", NULL, "Cab", "b"};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "q", q, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "p", p, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "s", s, 6));
    ck_assert_ok(crm_dataset_add_time(ds, "t", t, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "Unit Price", up, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "s2", s2, 6));
    return ds;
}

/* Three-valued columns a and b holding every combination of 1, 0, missing. */
static crm_dataset *make_logic(void)
{
    crm_dataset *ds = NULL;
    double id[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    double a[] = {1, 1, 1, 0, 0, 0, NAN, NAN, NAN};
    double b[] = {1, 0, NAN, 1, 0, NAN, 1, 0, NAN};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, 9));
    ck_assert_ok(crm_dataset_add_number(ds, "a", a, 9));
    ck_assert_ok(crm_dataset_add_number(ds, "b", b, 9));
    return ds;
}

/* ids of the rows kept by a filter, as "1,3,5" ("" for none). */
static const char *kept(const crm_dataset *ds, const char *expr)
{
    static char buf[4096];
    crm_dataset *o = NULL;
    crm_status st = crm_dataset_filter(ds, expr, &o);
    ck_assert_msg(st == CRM_OK, "filter %s: %s", expr, crm_last_error());
    ck_assert_uint_eq(crm_dataset_ncols(o), crm_dataset_ncols(ds));
    size_t c, n = crm_dataset_nrows(o);
    ck_assert_ok(crm_dataset_column_index(o, "id", &c));
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        double v;
        ck_assert_ok(crm_dataset_get_number(o, c, i, 1, &v));
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%g", i ? "," : "", v);
    }
    crm_dataset_free(o);
    return buf;
}

/* Values of a mutated column (on a clone), as "2,-1,NA" (numbers %.15g,
 * times as seconds, texts as themselves). *type receives the column type. */
static const char *values_typed(const crm_dataset *ds, const char *expr, int32_t *type)
{
    static char buf[8192];
    crm_dataset *c = NULL;
    ck_assert_ok(crm_dataset_clone(ds, &c));
    crm_status st = crm_dataset_mutate(c, "__r", expr);
    ck_assert_msg(st == CRM_OK, "mutate %s: %s", expr, crm_last_error());
    size_t col = crm_dataset_ncols(c) - 1, n = crm_dataset_nrows(c);
    const char *name;
    ck_assert_ok(crm_dataset_column_name(c, col, &name));
    ck_assert_str_eq(name, "__r");
    ck_assert_ok(crm_dataset_column_type(c, col, type));
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(buf);
        char *dst = buf + len;
        size_t cap = sizeof buf - len;
        const char *sep = i ? "," : "";
        if (*type == CRM_TYPE_NUMBER) {
            double v;
            ck_assert_ok(crm_dataset_get_number(c, col, i, 1, &v));
            if (isnan(v))
                snprintf(dst, cap, "%sNA", sep);
            else
                snprintf(dst, cap, "%s%.15g", sep, v);
        } else if (*type == CRM_TYPE_TIME) {
            int64_t v;
            ck_assert_ok(crm_dataset_get_time(c, col, i, 1, &v));
            if (v == CRM_TIME_MISSING)
                snprintf(dst, cap, "%sNA", sep);
            else
                snprintf(dst, cap, "%s%lld", sep, (long long)v);
        } else {
            const char *s;
            ck_assert_ok(crm_dataset_get_text(c, col, i, &s));
            snprintf(dst, cap, "%s%s", sep, s ? s : "NA");
        }
    }
    crm_dataset_free(c);
    return buf;
}

static const char *values(const crm_dataset *ds, const char *expr)
{
    int32_t t;
    const char *r = values_typed(ds, expr, &t);
    ck_assert_msg(t == CRM_TYPE_NUMBER, "%s: expected a number result, got type %d", expr, t);
    return r;
}

#define ck_values(ds, expr, want) ck_assert_str_eq(values(ds, expr), want)
#define ck_kept(ds, expr, want) ck_assert_str_eq(kept(ds, expr), want)

START_TEST(test_arithmetic)
{
    crm_dataset *ds = make_ds();
    ck_values(ds, "q + p", "3.5,1,NA,NA,10,5.5");
    ck_values(ds, "q - p", "0.5,-3,NA,NA,10,1.5");
    ck_values(ds, "q * p", "3,-2,NA,NA,0,7");
    ck_values(ds, "q / p", "1.33333333333333,-0.5,NA,NA,NA,1.75"); /* 10 / 0 is missing */
    ck_values(ds, "-q", "-2,1,NA,-0,-10,-3.5");
    ck_values(ds, "- -q", "2,-1,NA,0,10,3.5");
    ck_values(ds, "q * 2 + 1", "5,-1,NA,1,21,8");
    ck_values(ds, "1 / 0 + q", "NA,NA,NA,NA,NA,NA");
    ck_values(ds, "0 / 0", "NA,NA,NA,NA,NA,NA");
    ck_values(ds, "\"Unit Price\" * 2", "2,4,6,8,10,12");
    ck_values(ds, "\"q\" + id", "3,1,NA,4,15,9.5");
    /* number literals */
    ck_values(ds, "1e3 + .5 + 1.5e-1 + 2E+2 + 0 * id", "1200.65,1200.65,1200.65,1200.65,1200.65,"
                                                       "1200.65");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_precedence)
{
    crm_dataset *ds = make_ds();
    ck_values(ds, "1 + 2 * 3 + 0 * id", "7,7,7,7,7,7");
    ck_values(ds, "(1 + 2) * 3 + 0 * id", "9,9,9,9,9,9");
    ck_values(ds, "2 * 3 - 4 / 2 + 0 * id", "4,4,4,4,4,4");
    ck_values(ds, "10 - 4 - 3 + 0 * id", "3,3,3,3,3,3");  /* left-associative */
    ck_values(ds, "16 / 4 / 2 + 0 * id", "2,2,2,2,2,2");  /* left-associative */
    ck_values(ds, "-2 * 3 + 0 * id", "-6,-6,-6,-6,-6,-6"); /* unary minus binds tightest */
    ck_values(ds, "-id * 2", "-2,-4,-6,-8,-10,-12");
    ck_values(ds, "id - -1", "2,3,4,5,6,7");
    ck_values(ds, "id * 2 > 6", "0,0,0,1,1,1");            /* arithmetic before comparison */
    ck_values(ds, "id + 1 = 3", "0,1,0,0,0,0");
    /* not binds looser than comparison: not (id = 1) */
    ck_values(ds, "not id = 1", "0,1,1,1,1,1");
    /* and binds tighter than or */
    ck_values(ds, "id = 1 or id = 2 and id = 3", "1,0,0,0,0,0");
    ck_values(ds, "(id = 1 or id = 2) and id = 2", "0,1,0,0,0,0");
    /* not binds tighter than and/or */
    ck_values(ds, "not id = 1 and id < 3", "0,1,0,0,0,0");
    ck_values(ds, "not id < 3 or id = 1", "1,0,1,1,1,1");
    ck_values(ds, "id is missing or id > 5", "0,0,0,0,0,1");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_comparisons_and_filter)
{
    crm_dataset *ds = make_ds();
    ck_values(ds, "q > 0", "1,0,NA,0,1,1");
    ck_kept(ds, "q > 0", "1,5,6");
    ck_kept(ds, "q >= 2", "1,5,6");
    ck_kept(ds, "q < 0", "2");
    ck_kept(ds, "q <= 0", "2,4");
    ck_kept(ds, "q = 0", "4");
    ck_kept(ds, "q == 0", "4");
    ck_kept(ds, "q != 0", "1,2,5,6"); /* missing q is dropped */
    ck_kept(ds, "q <> 0", "1,2,5,6");
    ck_kept(ds, "not (q > 0)", "2,4"); /* not missing is missing */
    ck_kept(ds, "q", "1,2,5,6");        /* non-zero is true */
    ck_kept(ds, "true", "1,2,3,4,5,6");
    ck_kept(ds, "false", "");
    ck_kept(ds, "1 = 1", "1,2,3,4,5,6");
    ck_kept(ds, "q > p", "1,5,6");
    ck_kept(ds, "\"Unit Price\" >= 3 AND q > 0 Or id = 2", "2,5,6");
    ck_values(ds, "true + false + 0 * id", "1,1,1,1,1,1");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_logic_truth_tables)
{
    crm_dataset *ds = make_logic();
    /*                a: 1  1  1  0  0  0  NA NA NA
     *                b: 1  0  NA 1  0  NA 1  0  NA */
    ck_values(ds, "a and b", "1,0,NA,0,0,0,NA,0,NA");
    ck_values(ds, "a or b", "1,1,1,1,0,NA,1,NA,NA");
    ck_values(ds, "not a", "0,0,0,1,1,1,NA,NA,NA");
    ck_values(ds, "a is missing", "0,0,0,0,0,0,1,1,1");
    ck_values(ds, "a is not missing", "1,1,1,1,1,1,0,0,0");
    ck_values(ds, "not (a and b)", "0,1,NA,1,1,1,NA,1,NA");
    ck_values(ds, "a and b or not a", "1,0,NA,1,1,1,NA,NA,NA");
    ck_values(ds, "a = b", "1,0,NA,0,1,NA,NA,NA,NA");
    ck_kept(ds, "a or b", "1,2,3,4,7");
    ck_kept(ds, "a and b", "1");
    ck_kept(ds, "not (a or b)", "5");
    /* numbers as booleans: non-zero is true */
    ck_values(ds, "a * 5 and b * -2", "1,0,NA,0,0,0,NA,0,NA");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_missing_propagation)
{
    crm_dataset *ds = make_ds();
    ck_values(ds, "q is missing", "0,0,1,0,0,0");
    ck_values(ds, "p is missing", "0,0,0,1,0,0");
    ck_values(ds, "s is missing", "0,0,1,0,0,0");
    ck_values(ds, "t is missing", "0,0,1,0,0,0");
    ck_values(ds, "s2 is not missing", "1,1,1,0,1,1");
    ck_values(ds, "(q + p) is missing", "0,0,1,1,0,0");
    ck_values(ds, "('x' is missing) + 0 * id", "0,0,0,0,0,0");
    ck_values(ds, "abs(q) + year(t) * 0", "2,1,NA,0,10,3.5");
    ck_values(ds, "s = 'abc'", "0,1,NA,0,0,1");
    ck_values(ds, "t > date('2011-01-01')", "1,0,NA,0,0,0");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_text)
{
    crm_dataset *ds = make_ds();
    ck_kept(ds, "s = 'abc'", "2,6");
    ck_kept(ds, "'abc' = s", "2,6");
    ck_kept(ds, "s != 'abc'", "1,4,5");
    ck_kept(ds, "s = 'zzz'", "");
    ck_kept(ds, "s != 'zzz'", "1,2,4,5,6");
    ck_kept(ds, "s < 'C2'", "1");         /* byte order: "Cab" > "C2" */
    ck_kept(ds, "s > 'Z'", "2,6");        /* lowercase after uppercase */
    ck_kept(ds, "'b' > s", "1,2,4,5,6");  /* literal on the left */
    ck_kept(ds, "s <= 'Cab'", "1,5");
    ck_kept(ds, "s >= 'O''Brien'", "2,4,6");
    ck_kept(ds, "s = 'O''Brien'", "4");
    ck_kept(ds, "s = s", "1,2,4,5,6");
    ck_kept(ds, "s = s2", "2,5");         /* columns with different dictionaries */
    ck_kept(ds, "s != s2", "1,6");
    ck_kept(ds, "s < s2", "1,6");
    ck_kept(ds, "s > s2", "");
    ck_kept(ds, "startswith(s, 'C')", "1,5");
    ck_kept(ds, "not startswith(s, 'C')", "2,4,6"); /* missing stays missing */
    ck_kept(ds, "startswith(s, 'C1')", "1");
    ck_kept(ds, "startswith(s, '')", "1,2,4,5,6");
    ck_kept(ds, "contains(s, 'b')", "2,5,6");
    ck_kept(ds, "contains(s, 'B')", "4");  /* case-sensitive */
    ck_kept(ds, "contains(s, '''')", "4");
    ck_kept(ds, "contains(s, '')", "1,2,4,5,6");
    ck_kept(ds, "startswith('Cx', 'C')", "1,2,3,4,5,6");
    ck_kept(ds, "contains('Cx', 'y')", "");
    ck_kept(ds, "'a' < 'b'", "1,2,3,4,5,6");
    ck_kept(ds, "STARTSWITH(s, 'C')", "1,5"); /* function names are case-insensitive */
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_time)
{
    crm_dataset *ds = make_ds();
    ck_kept(ds, "t >= date('2011-01-01')", "1,4");
    ck_kept(ds, "t < date('2011-01-01')", "2,5,6");
    ck_kept(ds, "t = date('2011-12-09 08:26:00')", "1");
    ck_kept(ds, "t = date('2011-12-09T08:26')", "1");
    ck_kept(ds, "t != date('2011-12-09 08:26')", "2,4,5,6");
    ck_kept(ds, "t < t", "");
    ck_values(ds, "year(t)", "2011,2010,NA,2011,1970,1969");
    ck_values(ds, "month(t)", "12,12,NA,1,1,12");
    ck_values(ds, "day(t)", "9,1,NA,1,1,31");
    ck_values(ds, "days_between(t, date('2011-12-10'))", "0,374,NA,343,15318,15318");
    ck_values(ds, "days_between(date('2011-12-10'), t)", "0,-374,NA,-343,-15318,-15318");
    /* truncation toward zero: -86399 seconds is 0 days */
    ck_values(ds, "days_between(t, date('1969-12-31'))", "-15318,-14945,NA,-14976,-1,0");
    ck_values(ds, "t - date('2011-12-09')", "30360,-32227200,NA,-29548800,-1323388800,"
                                            "-1323388801");
    ck_values(ds, "(t + 60) - t", "60,60,NA,60,60,60");
    int32_t type;
    ck_assert_str_eq(values_typed(ds, "t + 86400", &type),
                     "1323505560,1291248000,NA,1293926400,86400,86399");
    ck_assert_int_eq(type, CRM_TYPE_TIME);
    ck_assert_str_eq(values_typed(ds, "60.9 + t", &type), /* seconds truncated toward zero */
                     "1323419220,1291161660,NA,1293840060,60,59");
    ck_assert_int_eq(type, CRM_TYPE_TIME);
    ck_assert_str_eq(values_typed(ds, "t - q", &type),
                     "1323419158,1291161601,NA,1293840000,-10,-4");
    ck_assert_int_eq(type, CRM_TYPE_TIME);
    ck_assert_str_eq(values_typed(ds, "t + 1e300", &type), "NA,NA,NA,NA,NA,NA");
    ck_assert_str_eq(values_typed(ds, "date('2011-12-09')", &type),
                     "1323388800,1323388800,1323388800,1323388800,1323388800,1323388800");
    ck_assert_int_eq(type, CRM_TYPE_TIME);
    ck_values(ds, "year(t + 86400 * 31)", "2012,2011,NA,2011,1970,1970");
    ck_values(ds, "year(date('2000-02-29')) + month(date('2000-02-29')) * 0 + 0 * id",
              "2000,2000,2000,2000,2000,2000");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_functions)
{
    crm_dataset *ds = make_ds();
    ck_values(ds, "abs(q)", "2,1,NA,0,10,3.5");
    ck_values(ds, "log(p)", "0.405465108108164,0.693147180559945,1.09861228866811,NA,NA,"
                            "0.693147180559945");
    ck_values(ds, "log(q)", "0.693147180559945,NA,NA,NA,2.30258509299405,1.25276296849537");
    ck_values(ds, "log1p(q)", "1.09861228866811,NA,NA,0,2.39789527279837,1.50407739677627");
    /* log(1 + x) without rounding 1 + x: x - x^2 / 2 to the last digit shown */
    ck_values(ds, "log1p(id * 1e-12) * 1e12",
              "0.9999999999995,1.999999999998,2.9999999999955,3.999999999992,4.9999999999875,"
              "5.999999999982");
    ck_values(ds, "exp(q - q)", "1,1,NA,1,1,1");
    ck_values(ds, "round(q * 0.5)", "1,-1,NA,0,5,2"); /* 1.75 -> 2, -0.5 -> -1 */
    ck_values(ds, "round(id - 0.5)", "1,2,3,4,5,6");   /* halves away from zero */
    ck_values(ds, "round(0.5 - id)", "-1,-2,-3,-4,-5,-6");
    ck_values(ds, "round(-0.4 + 0 * id)", "-0,-0,-0,-0,-0,-0");
    ck_values(ds, "round(id * 1.25, 1)", "1.3,2.5,3.8,5,6.3,7.5");
    ck_values(ds, "round(-1.25 * id, 1)", "-1.3,-2.5,-3.8,-5,-6.3,-7.5");
    /* 2.675 * 100 rounds to exactly 267.5 in double precision, which rounds up */
    ck_values(ds, "round(2.675 + 0 * id, 2)", "2.68,2.68,2.68,2.68,2.68,2.68");
    ck_values(ds, "round(id * 1234.5, -2)", "1200,2500,3700,4900,6200,7400");
    ck_values(ds, "round(id * 1e300, 2)", "1e+300,2e+300,3e+300,4e+300,5e+300,6e+300");
    ck_values(ds, "round(q, 0)", "2,-1,NA,0,10,4");
    ck_values(ds, "round(q / 3, 22)", "0.666666666666667,-0.333333333333333,NA,0,3.33333333333333,"
                                      "1.16666666666667");
    ck_values(ds, "abs(-3) + log(exp(2)) + 0 * id", "5,5,5,5,5,5");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_api_example)
{
    crm_dataset *ds = NULL;
    double cust[] = {17850, NAN, 13047, 12583, 17850, 13047};
    double qty[] = {6, 3, -1, 24, 0, 2};
    const char *inv[] = {"536365", "536366", "C536379", "536370", "536371", "536372"};
    int64_t when[] = {1291191960, 1294000000, 1294100000, 1294200000, 1294300000, 1293839999};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "CustomerID", cust, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "Quantity", qty, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "InvoiceNo", inv, 6));
    ck_assert_ok(crm_dataset_add_time(ds, "InvoiceDate", when, 6));
    crm_dataset *o = NULL;
    ck_assert_ok(crm_dataset_filter(ds,
                                    "CustomerID is not missing and Quantity > 0 and not "
                                    "startswith(InvoiceNo, 'C') and\n InvoiceDate >= "
                                    "date('2011-01-01')",
                                    &o));
    ck_assert_uint_eq(crm_dataset_nrows(o), 1);
    const char *s;
    ck_assert_ok(crm_dataset_get_text(o, 2, 0, &s));
    ck_assert_str_eq(s, "536370");
    crm_dataset_free(o);
    ck_assert_ok(crm_dataset_filter(
        ds, "CustomerID is not missing and Quantity > 0 and not startswith(InvoiceNo, 'C')", &o));
    ck_assert_uint_eq(crm_dataset_nrows(o), 3); /* 536365, 536370, 536372 */
    ck_assert_ok(crm_dataset_get_text(o, 2, 2, &s));
    ck_assert_str_eq(s, "536372");
    crm_dataset_free(o);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_mutate_columns)
{
    crm_dataset *ds = make_ds();
    size_t nc = crm_dataset_ncols(ds);
    /* a new column is appended */
    ck_assert_ok(crm_dataset_mutate(ds, "amount", "q * p"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), nc + 1);
    const char *name;
    ck_assert_ok(crm_dataset_column_name(ds, nc, &name));
    ck_assert_str_eq(name, "amount");
    double v[6];
    ck_assert_ok(crm_dataset_get_number(ds, nc, 0, 6, v));
    ck_assert(v[0] == 3 && v[1] == -2 && isnan(v[2]) && isnan(v[3]) && v[4] == 0 && v[5] == 7);
    /* replacing keeps the position; the type follows the expression */
    ck_assert_ok(crm_dataset_mutate(ds, "q", "q * 2"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), nc + 1);
    ck_assert_ok(crm_dataset_column_name(ds, 1, &name));
    ck_assert_str_eq(name, "q");
    ck_assert_ok(crm_dataset_get_number(ds, 1, 0, 6, v));
    ck_assert(v[0] == 4 && v[1] == -2 && isnan(v[2]) && v[3] == 0 && v[4] == 20 && v[5] == 7);
    ck_assert_ok(crm_dataset_mutate(ds, "q", "s"));
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(ds, 1, &t));
    ck_assert_int_eq(t, CRM_TYPE_TEXT);
    const char *str;
    ck_assert_ok(crm_dataset_get_text(ds, 1, 3, &str));
    ck_assert_str_eq(str, "O'Brien");
    ck_assert_ok(crm_dataset_get_text(ds, 1, 2, &str));
    ck_assert_ptr_null(str);
    /* the copy shares nothing visible with the source column */
    ck_assert_ok(crm_dataset_mutate(ds, "s", "'x'"));
    ck_assert_ok(crm_dataset_get_text(ds, 1, 3, &str));
    ck_assert_str_eq(str, "O'Brien");
    ck_assert_ok(crm_dataset_get_text(ds, 3, 2, &str));
    ck_assert_str_eq(str, "x");
    size_t levels;
    ck_assert_ok(crm_dataset_text_levels(ds, 3, &levels));
    ck_assert_uint_eq(levels, 1);
    /* a column replaced by an expression of itself */
    ck_assert_ok(crm_dataset_mutate(ds, "t", "t + 1"));
    int64_t w[6];
    ck_assert_ok(crm_dataset_get_time(ds, 4, 0, 6, w));
    ck_assert(w[0] == 1323419161 && w[2] == CRM_TIME_MISSING && w[5] == 0);
    ck_assert_ok(crm_dataset_mutate(ds, "u", "\"Unit Price\" > 3"));
    ck_assert_ok(crm_dataset_get_number(ds, nc + 1, 0, 6, v));
    ck_assert(v[0] == 0 && v[2] == 0 && v[3] == 1 && v[5] == 1);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 6);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_awkward_names)
{
    /* names that look like keywords or functions, and one with a quote */
    crm_dataset *ds = make_ds();
    ck_assert_ok(crm_dataset_mutate(ds, "and", "id * 10"));
    ck_assert_ok(crm_dataset_mutate(ds, "missing", "id + 100"));
    ck_assert_ok(crm_dataset_mutate(ds, "year", "id - 1"));
    ck_assert_ok(crm_dataset_mutate(ds, "say \"hi\"", "id * -1"));
    ck_values(ds, "\"and\" + 1", "11,21,31,41,51,61");
    ck_values(ds, "missing is missing", "0,0,0,0,0,0");
    ck_values(ds, "missing - 100 = id", "1,1,1,1,1,1");
    ck_values(ds, "year + year(t) * 0", "0,1,NA,3,4,5");
    ck_values(ds, "\"say \"\"hi\"\"\" + id", "0,0,0,0,0,0");
    ck_kept(ds, "\"and\" > 30 AND NOT \"missing\" > 105", "4,5");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_long_chains)
{
    crm_dataset *ds = make_ds();
    /* 2000-term chains are flat, not 2000 levels deep */
    static char buf[20000];
    strcpy(buf, "id");
    for (int i = 1; i < 2000; i++)
        strcat(buf, " + 1");
    ck_values(ds, buf, "2000,2001,2002,2003,2004,2005");
    strcpy(buf, "id = 0");
    for (int i = 1; i < 1000; i++) {
        char term[32];
        snprintf(term, sizeof term, " or id = %d", i);
        strcat(buf, term);
    }
    ck_kept(ds, buf, "1,2,3,4,5,6");
    strcpy(buf, "q");
    for (int i = 1; i < 500; i++)
        strcat(buf, " * 1 - q + q");
    ck_values(ds, buf, "2,-1,NA,0,10,3.5");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_blocks)
{
    /* more rows than one evaluation block, with a missing value at the edges */
    enum { N = 5000 };
    static double x[N];
    static const char *s[N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        s[i] = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : NULL;
    }
    x[1023] = NAN;
    x[1024] = NAN;
    crm_dataset *ds = NULL, *o = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, N));
    ck_assert_ok(crm_dataset_add_text(ds, "s", s, N));
    ck_assert_ok(crm_dataset_filter(ds, "x > 1000 and s = 'b'", &o));
    /* i in (1000, 5000) with i % 3 == 1, minus 1024 (missing x) */
    size_t want = 0;
    for (int i = 1001; i < N; i++)
        want += (i % 3 == 1 && i != 1024);
    ck_assert_uint_eq(crm_dataset_nrows(o), want);
    double first, last;
    ck_assert_ok(crm_dataset_get_number(o, 0, 0, 1, &first));
    ck_assert_ok(crm_dataset_get_number(o, 0, want - 1, 1, &last));
    ck_assert(first == 1003 && last == 4999);
    crm_dataset_free(o);
    ck_assert_ok(crm_dataset_mutate(ds, "y", "x * 2 + 1"));
    double y[N];
    ck_assert_ok(crm_dataset_get_number(ds, 2, 0, N, y));
    for (int i = 0; i < N; i++) {
        if (i == 1023 || i == 1024)
            ck_assert(isnan(y[i]));
        else
            ck_assert(y[i] == 2.0 * i + 1);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_empty_datasets)
{
    crm_dataset *ds = NULL, *o = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    /* no columns at all: only constants */
    ck_assert_ok(crm_dataset_filter(ds, "1 = 1", &o));
    ck_assert_uint_eq(crm_dataset_nrows(o), 0);
    crm_dataset_free(o);
    ck_assert_error(crm_dataset_filter(ds, "x > 1", &o), CRM_E_NOTFOUND);
    /* columns, no rows */
    ck_assert_ok(crm_dataset_add_number(ds, "x", NULL, 0));
    ck_assert_ok(crm_dataset_add_text(ds, "s", NULL, 0));
    ck_assert_ok(crm_dataset_filter(ds, "x > 1 and s = 'a'", &o));
    ck_assert_uint_eq(crm_dataset_nrows(o), 0);
    ck_assert_uint_eq(crm_dataset_ncols(o), 2);
    crm_dataset_free(o);
    ck_assert_ok(crm_dataset_mutate(ds, "y", "x * 2"));
    ck_assert_ok(crm_dataset_mutate(ds, "z", "'lit'"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 4);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_nesting_limit)
{
    crm_dataset *ds = make_ds();
    crm_dataset *o = NULL;
    /* 100 levels are fine */
    static char buf[300010];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        buf[n++] = '(';
    buf[n++] = 'q';
    for (int i = 0; i < 100; i++)
        buf[n++] = ')';
    strcpy(buf + n, " > 0");
    ck_kept(ds, buf, "1,5,6");
    n = 0;
    for (int i = 0; i < 99; i++)
        n += (size_t)sprintf(buf + n, "abs(");
    buf[n++] = 'q';
    for (int i = 0; i < 99; i++)
        buf[n++] = ')';
    buf[n] = '\0';
    ck_values(ds, buf, "2,1,NA,0,10,3.5");
    /* 100,000 levels: a clear error, no stack overflow */
    n = 0;
    for (int i = 0; i < 100000; i++)
        buf[n++] = '(';
    buf[n++] = '1';
    for (int i = 0; i < 100000; i++)
        buf[n++] = ')';
    buf[n] = '\0';
    o = (crm_dataset *)1;
    ck_assert_error(crm_dataset_filter(ds, buf, &o), CRM_E_PARSE);
    ck_assert_ptr_null(o);
    ck_assert_str_eq(crm_last_error(),
                     "expr:101: expression nested too deeply (more than 100 levels)");
    n = 0;
    for (int i = 0; i < 70000; i++)
        n += (size_t)sprintf(buf + n, "not ");
    strcpy(buf + n, "q");
    ck_assert_error(crm_dataset_filter(ds, buf, &o), CRM_E_PARSE);
    n = 0;
    for (int i = 0; i < 100000; i++)
        buf[n++] = '-';
    strcpy(buf + n, "q");
    ck_assert_error(crm_dataset_mutate(ds, "z", buf), CRM_E_PARSE);
    n = 0;
    for (int i = 0; i < 50000; i++)
        n += (size_t)sprintf(buf + n, "abs(");
    buf[n] = '\0';
    ck_assert_error(crm_dataset_mutate(ds, "z", buf), CRM_E_PARSE);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 7);
    crm_dataset_free(ds);
}
END_TEST

static const struct {
    const char *expr;
    crm_status status;
    const char *msg; /* expected crm_last_error() (prefix match) */
} bad_cases[] = {
    {"(q > 0", CRM_E_PARSE, "expr:7: expected ')'"},
    {"abs(q > 0", CRM_E_PARSE, "expr:10: expected ',' or ')' in the arguments of abs()"},
    {"q > 0)", CRM_E_PARSE, "expr:6: unbalanced ')'"},
    {"foo(q)", CRM_E_PARSE, "expr:1: unknown function 'foo'"},
    {"abs(q, p)", CRM_E_PARSE, "expr:1: abs() takes 1 argument, got 2"},
    {"round()", CRM_E_PARSE, "expr:1: round() takes 1 or 2 arguments, got 0"},
    {"q > 0 and days_between(t)", CRM_E_PARSE, "expr:11: days_between() takes 2 arguments, got 1"},
    {"nope > 1", CRM_E_NOTFOUND, "expr:1: no column named \"nope\""},
    {"q > 1 and Q > 1", CRM_E_NOTFOUND, "expr:11: no column named \"Q\" (did you mean \"q\"?)"},
    {"\"Unit price\" > 1", CRM_E_NOTFOUND, "expr:1: no column named \"Unit price\""},
    {"s + 1", CRM_E_TYPE, "expr:3: cannot apply '+' to column \"s\" (text) and 1 (number)"},
    {"q * 2 + s", CRM_E_TYPE, "expr:7: cannot apply '+' to q * 2 (number) and column \"s\" (text)"},
    {"q > 'a'", CRM_E_TYPE, "expr:3: cannot compare column \"q\" (number) with 'a' (text)"},
    {"t > '2011-01-01'", CRM_E_TYPE, "expr:3: cannot compare column \"t\" (time) with '2011-01-01' "
                                     "(text) (write a time as date('YYYY-MM-DD'))"},
    {"t * 2", CRM_E_TYPE, "expr:3: cannot apply '*' to column \"t\" (time) and 2 (number)"},
    {"t + t", CRM_E_TYPE,
     "expr:3: cannot apply '+' to column \"t\" (time) and column \"t\" (time)"},
    {"2 - t", CRM_E_TYPE, "expr:3: cannot apply '-'"},
    {"date('garbage')", CRM_E_PARSE, "expr:6: date(): 'garbage' is not a date"},
    {"date('2011-02-29')", CRM_E_PARSE, "expr:6: date(): '2011-02-29' is not a date"},
    {"date('2011-12-09 24:00')", CRM_E_PARSE, "expr:6: date(): "},
    {"date('2011-12-09 10')", CRM_E_PARSE, "expr:6: date(): "},
    {"date(s) > t", CRM_E_TYPE, "expr:6: date() needs a text literal"},
    {"", CRM_E_PARSE, "expr:1: empty expression"},
    {"   ", CRM_E_PARSE, "expr:4: empty expression"},
    {"q > 0 q", CRM_E_PARSE,
     "expr:7: expected an operator or the end of the expression, found 'q'"},
    {"q >", CRM_E_PARSE, "expr:4: unexpected end of expression"},
    {"q > 0 and", CRM_E_PARSE, "expr:10: unexpected end of expression"},
    {"s = 'abc", CRM_E_PARSE, "expr:5: unterminated text literal"},
    {"\"abc > 1", CRM_E_PARSE, "expr:1: unterminated quoted column name"},
    {"\"\" > 1", CRM_E_PARSE, "expr:1: empty column name"},
    {"q # 1", CRM_E_PARSE, "expr:3: unexpected character '#'"},
    {"12abc", CRM_E_PARSE, "expr:1: malformed number '12abc'"},
    {"1 < q < 3", CRM_E_PARSE, "expr:7: comparisons cannot be chained"},
    {"q is 3", CRM_E_PARSE, "expr:6: expected 'missing' after 'is'"},
    {"q is not nothing", CRM_E_PARSE, "expr:10: expected 'missing' after 'is not'"},
    {"q * * 2", CRM_E_PARSE, "expr:5: expected a value"},
    {"not s", CRM_E_TYPE, "expr:1: 'not' needs a number or boolean, got column \"s\" (text)"},
    {"s and q", CRM_E_TYPE, "expr:3: 'and' needs numbers or booleans, got column \"s\" (text)"},
    {"q or t", CRM_E_TYPE, "expr:3: 'or' needs numbers or booleans"},
    {"-s", CRM_E_TYPE, "expr:1: unary '-' needs a number or boolean, got column \"s\" (text)"},
    {"year(q)", CRM_E_TYPE, "expr:6: year() needs a time, got column \"q\" (number)"},
    {"startswith(q, 'C')", CRM_E_TYPE, "expr:1: startswith() needs text as its first argument"},
    {"contains(s, s2)", CRM_E_TYPE, "expr:13: contains() needs a text literal"},
    {"round(q, p)", CRM_E_TYPE, "expr:10: round() needs a whole-number literal"},
    {"round(q, 1.5)", CRM_E_TYPE, "expr:10: round() needs a whole-number literal"},
    {"round(q, 23)", CRM_E_TYPE, "expr:10: round() needs a whole-number literal"},
    {"log(s)", CRM_E_TYPE, "expr:1: log() needs a number, got column \"s\" (text)"},
    {"s = '\xff'", CRM_E_PARSE, "expr:6: invalid UTF-8"},
    {"s", CRM_E_TYPE, "filter condition is text"},
    {"t + 1", CRM_E_TYPE, "filter condition is time"},
};

START_TEST(test_bad_expressions)
{
    crm_dataset *ds = make_ds();
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        crm_dataset *o = (crm_dataset *)1;
        crm_status st = crm_dataset_filter(ds, bad_cases[i].expr, &o);
        ck_assert_msg(st == bad_cases[i].status, "%s: got %s (%s), expected %s", bad_cases[i].expr,
                      crm_status_str(st), crm_last_error(), crm_status_str(bad_cases[i].status));
        ck_assert_ptr_null(o);
        ck_assert_msg(strncmp(crm_last_error(), bad_cases[i].msg, strlen(bad_cases[i].msg)) == 0,
                      "%s: message \"%s\", expected \"%s...\"", bad_cases[i].expr,
                      crm_last_error(), bad_cases[i].msg);
    }
    /* positions count characters, not bytes */
    crm_dataset *o = NULL;
    ck_assert_error(crm_dataset_filter(ds, "s = 'é' and (q > 0", &o), CRM_E_PARSE);
    ck_assert_str_eq(crm_last_error(), "expr:19: expected ')', found end of expression");
    ck_assert_uint_eq(crm_dataset_ncols(ds), 7);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_arguments_and_unchanged)
{
    crm_dataset *ds = make_ds();
    crm_dataset *o = (crm_dataset *)1;
    ck_assert_error(crm_dataset_filter(NULL, "q > 0", &o), CRM_E_INVALID);
    ck_assert_ptr_null(o);
    o = (crm_dataset *)1;
    ck_assert_error(crm_dataset_filter(ds, NULL, &o), CRM_E_INVALID);
    ck_assert_ptr_null(o);
    ck_assert_error(crm_dataset_filter(ds, "q > 0", NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_mutate(NULL, "x", "1"), CRM_E_INVALID);
    ck_assert_error(crm_dataset_mutate(ds, NULL, "1"), CRM_E_INVALID);
    ck_assert_error(crm_dataset_mutate(ds, "x", NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_mutate(ds, "", "1"), CRM_E_INVALID);
    ck_assert_error(crm_dataset_mutate(ds, "bad\xff", "1"), CRM_E_INVALID);
    /* failed mutates leave the dataset as it was */
    ck_assert_error(crm_dataset_mutate(ds, "q", "s + 1"), CRM_E_TYPE);
    ck_assert_error(crm_dataset_mutate(ds, "q", "(q"), CRM_E_PARSE);
    ck_assert_error(crm_dataset_mutate(ds, "new", "nope * 2"), CRM_E_NOTFOUND);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 7);
    ck_assert_str_eq(values(ds, "q"), "2,-1,NA,0,10,3.5");
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(ds, 1, &t));
    ck_assert_int_eq(t, CRM_TYPE_NUMBER);
    size_t idx;
    ck_assert_error(crm_dataset_column_index(ds, "new", &idx), CRM_E_NOTFOUND);
    crm_dataset_free(ds);
}
END_TEST

static crm_status filter_mutate_body(void)
{
    crm_dataset *ds = NULL, *o = NULL;
    double q[] = {2, -1, NAN, 4};
    const char *s[] = {"C1", "a", NULL, "b"};
    int64_t t[] = {1323419160, 0, CRM_TIME_MISSING, 1293840000};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "q", q, 4);
    if (!st)
        st = crm_dataset_add_text(ds, "s", s, 4);
    if (!st)
        st = crm_dataset_add_time(ds, "t", t, 4);
    if (!st)
        st = crm_dataset_filter(ds,
                                "q is not missing and (q * 2 > 0 or s < 'b') and not "
                                "startswith(s, 'C') and t >= date('1970-01-01') and "
                                "year(t + 1) > 1000 and s != s",
                                &o);
    crm_dataset_free(o);
    o = NULL;
    if (!st)
        st = crm_dataset_filter(ds, "q > 0", &o);
    crm_dataset_free(o);
    if (!st)
        st = crm_dataset_mutate(ds, "amount", "round(q * 1.5, 1) + days_between(t, t)");
    if (!st)
        st = crm_dataset_mutate(ds, "label", "'x'");
    if (!st)
        st = crm_dataset_mutate(ds, "q", "s");
    if (!st)
        st = crm_dataset_mutate(ds, "t", "t + 60");
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(filter_mutate_body());
}
END_TEST

Suite *crm_expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_arithmetic);
    tcase_add_test(core, test_precedence);
    tcase_add_test(core, test_comparisons_and_filter);
    tcase_add_test(core, test_logic_truth_tables);
    tcase_add_test(core, test_missing_propagation);
    tcase_add_test(core, test_text);
    tcase_add_test(core, test_time);
    tcase_add_test(core, test_functions);
    tcase_add_test(core, test_api_example);
    tcase_add_test(core, test_mutate_columns);
    tcase_add_test(core, test_awkward_names);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("limits");
    tcase_add_test(lim, test_long_chains);
    tcase_add_test(lim, test_blocks);
    tcase_add_test(lim, test_empty_datasets);
    tcase_add_test(lim, test_nesting_limit);
    tcase_add_test(lim, test_alloc_failures);
    suite_add_tcase(s, lim);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_bad_expressions);
    tcase_add_test(bad, test_bad_arguments_and_unchanged);
    suite_add_tcase(s, bad);
    return s;
}
