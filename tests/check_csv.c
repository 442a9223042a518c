/* CSV reader and writer: type inference, quoting, options, round trips, bad
 * input and allocation failure. */
#define _GNU_SOURCE
#include "test_util.h"
#include "file_util.h"

#include <math.h>
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers -------------------------------------------------------------- */

static crm_dataset *read_str_opts(const char *csv, const crm_csv_options *o)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv_mem(csv, strlen(csv), o, &ds);
    ck_assert_msg(st == CRM_OK, "read failed: %s: %s", crm_status_str(st), crm_last_error());
    ck_assert_ptr_nonnull(ds);
    return ds;
}

static crm_dataset *read_str(const char *csv)
{
    return read_str_opts(csv, NULL);
}

static int32_t col_type(const crm_dataset *ds, size_t col)
{
    int32_t t = 0;
    ck_assert_ok(crm_dataset_column_type(ds, col, &t));
    return t;
}

static const char *col_name(const crm_dataset *ds, size_t col)
{
    const char *s = NULL;
    ck_assert_ok(crm_dataset_column_name(ds, col, &s));
    return s;
}

static double num_at(const crm_dataset *ds, size_t col, size_t row)
{
    double v = 0;
    ck_assert_ok(crm_dataset_get_number(ds, col, row, 1, &v));
    return v;
}

static int64_t time_at(const crm_dataset *ds, size_t col, size_t row)
{
    int64_t v = 0;
    ck_assert_ok(crm_dataset_get_time(ds, col, row, 1, &v));
    return v;
}

static const char *text_at(const crm_dataset *ds, size_t col, size_t row)
{
    const char *s = NULL;
    ck_assert_ok(crm_dataset_get_text(ds, col, row, &s));
    return s;
}

static size_t missing_in(const crm_dataset *ds, size_t col)
{
    size_t m = 0;
    ck_assert_ok(crm_dataset_missing(ds, col, &m));
    return m;
}

#define ck_assert_text(ds, col, row, want)                                                         \
    do {                                                                                           \
        const char *got_ = text_at(ds, col, row);                                                  \
        ck_assert_ptr_nonnull(got_);                                                               \
        ck_assert_str_eq(got_, want);                                                              \
    } while (0)

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Every cell of a and b equal: same shape, names, types; numbers bit for bit. */
static void assert_same_dataset(const crm_dataset *a, const crm_dataset *b)
{
    size_t nr = crm_dataset_nrows(a), nc = crm_dataset_ncols(a);
    ck_assert_uint_eq(crm_dataset_nrows(b), nr);
    ck_assert_uint_eq(crm_dataset_ncols(b), nc);
    for (size_t j = 0; j < nc; j++) {
        ck_assert_str_eq(col_name(a, j), col_name(b, j));
        int32_t t = col_type(a, j);
        ck_assert_msg(col_type(b, j) == t, "column %s: type %d became %d", col_name(a, j), t,
                      col_type(b, j));
        for (size_t r = 0; r < nr; r++) {
            if (t == CRM_TYPE_NUMBER) {
                double x = num_at(a, j, r), y = num_at(b, j, r);
                ck_assert_msg((isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0,
                              "column %s row %zu: %.17g became %.17g", col_name(a, j), r, x, y);
            } else if (t == CRM_TYPE_TIME) {
                ck_assert_msg(time_at(a, j, r) == time_at(b, j, r), "column %s row %zu differs",
                              col_name(a, j), r);
            } else {
                const char *x = text_at(a, j, r), *y = text_at(b, j, r);
                ck_assert_msg((!x && !y) || (x && y && strcmp(x, y) == 0),
                              "column %s row %zu: [%s] became [%s]", col_name(a, j), r,
                              x ? x : "(missing)", y ? y : "(missing)");
            }
        }
    }
}

/* ---- core ------------------------------------------------------------------ */

START_TEST(test_infer_each_type)
{
    crm_dataset *ds = read_str("n,t,d,e,i\n"
                               "1,a,2020-01-02,,inf\n"
                               "2.5,b,2020-01-03 04:05:06,,-Infinity\n"
                               " -3e2 ,a,,,1\n");
    ck_assert_uint_eq(crm_dataset_nrows(ds), 3);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 5);
    ck_assert_str_eq(col_name(ds, 0), "n");
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    ck_assert_double_eq(num_at(ds, 0, 0), 1.0);
    ck_assert_double_eq(num_at(ds, 0, 1), 2.5);
    ck_assert_double_eq(num_at(ds, 0, 2), -300.0);
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_TEXT);
    ck_assert_text(ds, 1, 0, "a");
    ck_assert_text(ds, 1, 1, "b");
    size_t levels = 0;
    ck_assert_ok(crm_dataset_text_levels(ds, 1, &levels));
    ck_assert_uint_eq(levels, 2);
    ck_assert_int_eq(col_type(ds, 2), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 2, 0), 1577923200);
    ck_assert_int_eq(time_at(ds, 2, 1), 1578024306);
    ck_assert_int_eq(time_at(ds, 2, 2), CRM_TIME_MISSING);
    /* an all-missing column is a number column */
    ck_assert_int_eq(col_type(ds, 3), CRM_TYPE_NUMBER);
    ck_assert_uint_eq(missing_in(ds, 3), 3);
    ck_assert_int_eq(col_type(ds, 4), CRM_TYPE_NUMBER);
    ck_assert(isinf(num_at(ds, 4, 0)) && num_at(ds, 4, 0) > 0);
    ck_assert(isinf(num_at(ds, 4, 1)) && num_at(ds, 4, 1) < 0);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_numbers_correctly_rounded)
{
    /* every value must be the double nearest to the decimal (glibc's strtod
     * rounds correctly, so it serves as the oracle) */
    const char *vals[] = {"2.55", "0.1", "17850.0", "-0.0", "0.30000000000000004", "1e-300",
                          "9007199254740993", "123456789012345678901234567890",
                          "1.7976931348623157e308", "4.9e-324", "3.14159265358979323846",
                          "0.000123456789", "-98765.4321", "7.038531e-26", "1E+2", "+5."};
    size_t n = sizeof vals / sizeof *vals;
    char csv[1024];
    size_t k = (size_t)snprintf(csv, sizeof csv, "x\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(csv + k, sizeof csv - k, "%s\n", vals[i]);
    crm_dataset *ds = read_str(csv);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    for (size_t i = 0; i < n; i++) {
        double want = strtod(vals[i], NULL), got = num_at(ds, 0, i);
        ck_assert_msg(memcmp(&want, &got, sizeof got) == 0, "%s read as %.17g, expected %.17g",
                      vals[i], got, want);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_type_falls_back_late)
{
    /* The cell that makes a column text or time comes after many rows (past
     * the first block): earlier cells must be converted again, byte for byte. */
    size_t n = 20000;
    size_t cap = n * 40 + 100;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    size_t k = (size_t)sprintf(csv, "a,b,c\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(csv + k, "%zu.50,%zu,2021-03-04\n", i, i);
    k += (size_t)sprintf(csv + k, "x,2021-03-05 07:15,3/4/2021\n");
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(csv, k, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), n + 1);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TEXT);
    ck_assert_text(ds, 0, 0, "0.50");
    ck_assert_text(ds, 0, 12345, "12345.50");
    ck_assert_text(ds, 0, n, "x");
    /* numbers then one date-time: neither rule holds for every cell -> text */
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_TEXT);
    ck_assert_text(ds, 1, 7, "7");
    /* ISO then US: one column must use one family -> text */
    ck_assert_int_eq(col_type(ds, 2), CRM_TYPE_TEXT);
    /* dictionary codes follow first appearance */
    int32_t codes[3];
    ck_assert_ok(crm_dataset_get_codes(ds, 1, 0, 3, codes));
    ck_assert_int_eq(codes[0], 0);
    ck_assert_int_eq(codes[1], 1);
    ck_assert_int_eq(codes[2], 2);
    crm_dataset_free(ds);
    free(csv);
}
END_TEST

START_TEST(test_quoting)
{
    crm_dataset *ds = read_str("a,b,c\n"
                               "\"x,y\",\"he said \"\"hi\"\"\",plain\n"
                               "\"multi\nline\",ab\"c,\"\"\n"
                               "\"NA\",\" \",  lead\n");
    ck_assert_uint_eq(crm_dataset_nrows(ds), 3);
    ck_assert_text(ds, 0, 0, "x,y");
    ck_assert_text(ds, 1, 0, "he said \"hi\"");
    ck_assert_text(ds, 2, 0, "plain");
    ck_assert_text(ds, 0, 1, "multi\nline");
    /* a quote inside an unquoted field is kept literally */
    ck_assert_text(ds, 1, 1, "ab\"c");
    /* "" is an empty cell: missing */
    ck_assert_ptr_null(text_at(ds, 2, 1));
    /* quoted text that would otherwise be missing is kept */
    ck_assert_text(ds, 0, 2, "NA");
    ck_assert_text(ds, 1, 2, " ");
    /* text is not trimmed */
    ck_assert_text(ds, 2, 2, "  lead");
    crm_dataset_free(ds);

    /* quote = 0: quotes are ordinary bytes */
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.quote = 0;
    ds = read_str_opts("a,b\n\"x,y\"\n", &o);
    ck_assert_text(ds, 0, 0, "\"x");
    ck_assert_text(ds, 1, 0, "y\"");
    crm_dataset_free(ds);
    /* quoted numbers are numbers */
    ds = read_str("v\n\"1.5\"\n\"-2\"\n");
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    ck_assert_double_eq(num_at(ds, 0, 1), -2.0);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_crlf_bom_blank_lines)
{
    crm_dataset *ds = read_str("\xEF\xBB\xBFid,name\r\n1,x\r\n\r\n2,\"y\r\nz\"\r\n3,w");
    ck_assert_str_eq(col_name(ds, 0), "id");
    ck_assert_uint_eq(crm_dataset_nrows(ds), 3);
    ck_assert_text(ds, 1, 0, "x");
    ck_assert_text(ds, 1, 1, "y\r\nz");
    ck_assert_text(ds, 1, 2, "w");
    ck_assert_double_eq(num_at(ds, 0, 2), 3.0);
    crm_dataset_free(ds);
    /* lone CR line ends, trailing delimiter gives an empty last field */
    ds = read_str("a,b\r1,\r2,y\r");
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    ck_assert_ptr_null(text_at(ds, 1, 0));
    ck_assert_text(ds, 1, 1, "y");
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_delimiter_detection)
{
    const char delims[4] = {',', ';', '\t', '|'};
    for (int i = 0; i < 4; i++) {
        char d = delims[i];
        char csv[128];
        /* the header holds a quoted comma, which must not count */
        snprintf(csv, sizeof csv, "\"x,y\"%cb%cc\n1%c2%c3\n4%c5%c6\n", d, d, d, d, d, d);
        crm_dataset *ds = read_str(csv);
        ck_assert_msg(crm_dataset_ncols(ds) == 3, "delimiter %d: %zu columns", d,
                      crm_dataset_ncols(ds));
        ck_assert_str_eq(col_name(ds, 0), "x,y");
        ck_assert_double_eq(num_at(ds, 2, 1), 6.0);
        crm_dataset_free(ds);
    }
    /* the most frequent wins */
    crm_dataset *ds = read_str("a;b;c,d\n1;2;3,4\n");
    ck_assert_uint_eq(crm_dataset_ncols(ds), 3);
    ck_assert_text(ds, 2, 0, "3,4");
    crm_dataset_free(ds);
    /* an explicit delimiter is used as given */
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.delimiter = ';';
    ds = read_str_opts("a,b;c\n1,2;3\n", &o);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    ck_assert_str_eq(col_name(ds, 0), "a,b");
    crm_dataset_free(ds);
    /* one column: no delimiter at all */
    ds = read_str("only\n1\n2\n");
    ck_assert_uint_eq(crm_dataset_ncols(ds), 1);
    ck_assert_double_eq(num_at(ds, 0, 1), 2.0);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_na_values)
{
    crm_dataset *ds = read_str("a,b\nNA,x\nN/A,null\nNULL,NaN\n \t,y\n7,\n");
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    ck_assert_uint_eq(missing_in(ds, 0), 4);
    ck_assert_double_eq(num_at(ds, 0, 4), 7.0);
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_TEXT);
    ck_assert_uint_eq(missing_in(ds, 1), 3);
    ck_assert_text(ds, 1, 3, "y");
    crm_dataset_free(ds);

    /* extra NA strings add to the defaults ... */
    const char *extra[] = {"-", "missing"};
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.na_values = extra;
    o.n_na_values = 2;
    ds = read_str_opts("a\n1\n-\nmissing\nNA\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    ck_assert_uint_eq(missing_in(ds, 0), 3);
    crm_dataset_free(ds);
    /* ... or replace them */
    o.keep_default_na = 0;
    ds = read_str_opts("a\n1\n-\nNA\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TEXT);
    ck_assert_ptr_null(text_at(ds, 0, 1));
    ck_assert_text(ds, 0, 2, "NA");
    crm_dataset_free(ds);
    /* whitespace-only is missing even without any NA string */
    o.n_na_values = 0;
    o.na_values = NULL;
    ds = read_str_opts("a\n1\n  \n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    ck_assert_uint_eq(missing_in(ds, 0), 1);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_decimal_comma)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.decimal_comma = 1;
    crm_dataset *ds = read_str_opts("price;qty\n1,5;2\n-0,25;1e3\n\"3,75\";4\n", &o);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    ck_assert_double_eq(num_at(ds, 0, 0), 1.5);
    ck_assert_double_eq(num_at(ds, 0, 1), -0.25);
    ck_assert_double_eq(num_at(ds, 0, 2), 3.75);
    ck_assert_double_eq(num_at(ds, 1, 1), 1000.0);
    crm_dataset_free(ds);
    /* without the option "1,5" is not a number */
    o.decimal_comma = 0;
    ds = read_str_opts("price;qty\n1,5;2\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TEXT);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_type_overrides)
{
    const char *types[] = {"id:text", "when:time", "n:number", "a:b:text"};
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.types = types;
    o.n_types = 4;
    crm_dataset *ds = read_str_opts("id,when,n,a:b\n007,2020-01-02,1,5\n08,,NA,6\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TEXT);
    ck_assert_text(ds, 0, 0, "007");
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 1, 1), CRM_TIME_MISSING);
    ck_assert_int_eq(col_type(ds, 2), CRM_TYPE_NUMBER);
    /* the name is everything before the last ':' */
    ck_assert_int_eq(col_type(ds, 3), CRM_TYPE_TEXT);
    ck_assert_text(ds, 3, 1, "6");
    crm_dataset_free(ds);

    /* a cell that does not fit a forced type: file:line:column and the value */
    const char *num[] = {"v:number"};
    o.types = num;
    o.n_types = 1;
    ds = (crm_dataset *)1;
    const char *csv = "k,v\n1,2\n2,12x\n";
    ck_assert_error(crm_dataset_read_csv_mem(csv, strlen(csv), &o, &ds), CRM_E_PARSE);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "<memory>:3:2:"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"12x\""));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"v\""));
    const char *tim[] = {"k:time"};
    o.types = tim;
    ck_assert_error(crm_dataset_read_csv_mem(csv, strlen(csv), &o, &ds), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "<memory>:2:1:"));
    /* unknown column or type word: bad options */
    const char *unknown[] = {"nope:text"};
    o.types = unknown;
    ck_assert_error(crm_dataset_read_csv_mem(csv, strlen(csv), &o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "nope"));
    const char *badword[] = {"k:integer"};
    o.types = badword;
    ck_assert_error(crm_dataset_read_csv_mem(csv, strlen(csv), &o, &ds), CRM_E_INVALID);
    const char *nocolon[] = {"k"};
    o.types = nocolon;
    ck_assert_error(crm_dataset_read_csv_mem(csv, strlen(csv), &o, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);
}
END_TEST

START_TEST(test_datetime_forms)
{
    crm_dataset *ds = read_str("iso,us,off\n"
                               "2020-01-02,3/4/2021 19:15,2020-01-02T01:02:03+02:00\n"
                               "2020-01-03 04:05:06,3/5/2021 7:15,2020-01-03T04:05:06.999Z\n"
                               "2024-02-29T23:59:59,12/31/1969 23:00:00,1969-12-31 23:00-00:00\n"
                               "2020-01-02 00:00,3/4/2021,2020-01-02 03:00:00-03:00\n");
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 0, 0), 1577923200);
    ck_assert_int_eq(time_at(ds, 0, 1), 1578024306);
    ck_assert_int_eq(time_at(ds, 0, 2), 1709251199);
    ck_assert_int_eq(time_at(ds, 0, 3), 1577923200);
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 1, 0), 1614885300);
    ck_assert_int_eq(time_at(ds, 1, 1), 1614928500);
    ck_assert_int_eq(time_at(ds, 1, 2), -3600);
    ck_assert_int_eq(time_at(ds, 1, 3), 1614816000);
    ck_assert_int_eq(col_type(ds, 2), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 2, 0), 1577919723); /* offset converted to UTC */
    ck_assert_int_eq(time_at(ds, 2, 1), 1578024306); /* fraction truncated */
    ck_assert_int_eq(time_at(ds, 2, 2), -3600);
    ck_assert_int_eq(time_at(ds, 2, 3), 1577923200 + 6 * 3600);
    crm_dataset_free(ds);

    /* calendar checks: not dates, so the columns are text */
    const char *bad[] = {"2021-02-29", "2020-13-01", "2020-04-31", "2020-01-01 24:00",
                         "2020-01-01 10:60", "13/1/2020", "2020-1-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char csv[64];
        snprintf(csv, sizeof csv, "d\n2020-01-01\n%s\n", bad[i]);
        ds = read_str(csv);
        ck_assert_msg(col_type(ds, 0) == CRM_TYPE_TEXT, "%s was taken as a date", bad[i]);
        crm_dataset_free(ds);
    }
    /* a leap second is accepted */
    ds = read_str("d\n2016-12-31 23:59:60\n");
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TIME);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_date_format)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.date_format = "%d.%m.%Y %H:%M";
    crm_dataset *ds =
        read_str_opts("d,iso\n02.01.2020 04:05,2020-01-02\n4.3.2021 19:15,2020-01-03\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 0, 0), 1577923200 + 4 * 3600 + 5 * 60);
    ck_assert_int_eq(time_at(ds, 0, 1), 1614885300);
    /* the format replaces the automatic forms */
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_TEXT);
    crm_dataset_free(ds);

    o.date_format = "%b %d %y %H:%M:%S %p %%";
    ds = read_str_opts("d\nMar 04 21 07:15:00 PM %\nmarch 5 21 12:00:00 am %\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 0, 0), 1614885300);
    ck_assert_int_eq(time_at(ds, 0, 1), 1614902400);
    crm_dataset_free(ds);

    /* numbers stay numbers even when they also fit the format */
    o.date_format = "%Y%m%d";
    ds = read_str_opts("d\n20200102\n20200103\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    crm_dataset_free(ds);
    const char *types[] = {"d:time"};
    o.types = types;
    o.n_types = 1;
    ds = read_str_opts("d\n20200102\n", &o);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_TIME);
    ck_assert_int_eq(time_at(ds, 0, 0), 1577923200);
    crm_dataset_free(ds);

    o.date_format = "%Y-%q";
    crm_dataset *bad = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv_mem("d\n1\n", 4, &o, &bad), CRM_E_INVALID);
    ck_assert_ptr_null(bad);
}
END_TEST

START_TEST(test_header_options)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.header = 0;
    crm_dataset *ds = read_str_opts("1,a\n2,b\n", &o);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    ck_assert_str_eq(col_name(ds, 0), "V1");
    ck_assert_str_eq(col_name(ds, 1), "V2");
    ck_assert_double_eq(num_at(ds, 0, 0), 1.0);
    crm_dataset_free(ds);
    /* empty header cells are named as pandas names them */
    ds = read_str(",b,\"\"\n1,2,3\n");
    ck_assert_str_eq(col_name(ds, 0), "Unnamed: 0");
    ck_assert_str_eq(col_name(ds, 1), "b");
    ck_assert_str_eq(col_name(ds, 2), "Unnamed: 2");
    crm_dataset_free(ds);
    /* header only: the columns, no rows, number type */
    ds = read_str("a,b\n");
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    ck_assert_int_eq(col_type(ds, 1), CRM_TYPE_NUMBER);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_max_rows)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.max_rows = 2;
    /* the ragged row after the limit is never read */
    crm_dataset *ds = read_str_opts("a,b\n1,x\n\n2,y\n3,z,extra\n", &o);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    ck_assert_text(ds, 1, 1, "y");
    crm_dataset_free(ds);
    o.max_rows = 100;
    ds = read_str_opts("a\n1\n2\n", &o);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    crm_dataset_free(ds);
    o.max_rows = -1;
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv_mem("a\n1\n", 4, &o, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);
}
END_TEST

START_TEST(test_lenient)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.strict = 0;
    static const char csv[] = "a,b,c\n1,2\n3,4,5,6\n7,x\xff,\"q\"r\n8,\0z,9\n";
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(csv, sizeof csv - 1, &o, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 4);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 3);
    ck_assert_int_eq(col_type(ds, 0), CRM_TYPE_NUMBER);
    /* short row padded with missing, long row cut */
    ck_assert_int_eq(col_type(ds, 2), CRM_TYPE_TEXT);
    ck_assert_ptr_null(text_at(ds, 2, 0));
    ck_assert_text(ds, 2, 1, "5");
    /* invalid byte and NUL replaced by U+FFFD; text after a closing quote kept */
    ck_assert_text(ds, 1, 2, "x\xEF\xBF\xBD");
    ck_assert_text(ds, 2, 2, "qr");
    ck_assert_text(ds, 1, 3, "\xEF\xBF\xBDz");
    crm_dataset_free(ds);
}
END_TEST

/* A dataset of awkward values for the round trips. */
static crm_dataset *awkward_dataset(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    double nums[] = {0.1 + 0.2, 1e-300,    -0.0,  9007199254740993.0, 123456789012345678.0,
                     NAN,       -INFINITY, 1e308, 5e-324,             2.5};
    size_t n = sizeof nums / sizeof *nums;
    const char *texts[] = {"say \"hi\"", "a,b",  "line\nbreak", "  leading", "trailing ",
                           NULL,         "NA",   " ",           "N/A",       "x\ty"};
    int64_t times[] = {1577923200, 1578024306, CRM_TIME_MISSING, -3600, 0,
                       86400,      1323435000, 1709251199,       1,     -86400 * 365};
    int64_t days[] = {1577923200,      0, -86400, CRM_TIME_MISSING, 86400 * 20000,
                      86400 * 5,       0, 0,      0,                0};
    ck_assert_ok(crm_dataset_add_number(ds, "num", nums, n));
    ck_assert_ok(crm_dataset_add_text(ds, "text, with \"quotes\"", texts, n));
    ck_assert_ok(crm_dataset_add_time(ds, "when", times, n));
    ck_assert_ok(crm_dataset_add_time(ds, "day", days, n));
    return ds;
}

START_TEST(test_roundtrip_awkward)
{
    crm_dataset *ds = awkward_dataset();
    char *text = NULL;
    ck_assert_ok(crm_dataset_to_csv_string(ds, NULL, &text));
    /* the writer's choices, spelled out */
    ck_assert_ptr_nonnull(strstr(text, "num,\"text, with \"\"quotes\"\"\",when,day\n"));
    ck_assert_ptr_nonnull(strstr(text, "0.30000000000000004,\"say \"\"hi\"\"\","
                                       "2020-01-02 00:00:00,2020-01-02\n"));
    ck_assert_ptr_nonnull(strstr(text, "-0,\"line\nbreak\",,1969-12-31\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n,,1970-01-02 00:00:00,1970-01-06\n"));
    ck_assert_ptr_nonnull(strstr(text, "-inf,\"NA\","));
    ck_assert_ptr_nonnull(strstr(text, "1e+308,\" \",2024-02-29 23:59:59,"));
    crm_dataset *back = read_str(text);
    assert_same_dataset(ds, back);
    crm_dataset_free(back);
    crm_free(text);

    /* other options: ';' with decimal comma, a date format, no header */
    const char *types[] = {"V3:time", "V4:time"};
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.delimiter = ';';
    o.decimal_comma = 1;
    o.date_format = "%d/%m/%Y %H.%M.%S";
    o.header = 0;
    ck_assert_ok(crm_dataset_to_csv_string(ds, &o, &text));
    ck_assert_ptr_nonnull(
        strstr(text, "0,30000000000000004;\"say \"\"hi\"\"\";02/01/2020 00.00.00;"));
    o.types = types;
    o.n_types = 2;
    back = read_str_opts(text, &o);
    ck_assert_str_eq(col_name(back, 0), "V1");
    ck_assert_ok(crm_dataset_rename_column(back, "V1", "num"));
    ck_assert_ok(crm_dataset_rename_column(back, "V2", "text, with \"quotes\""));
    ck_assert_ok(crm_dataset_rename_column(back, "V3", "when"));
    ck_assert_ok(crm_dataset_rename_column(back, "V4", "day"));
    assert_same_dataset(ds, back);
    crm_dataset_free(back);
    crm_free(text);

    /* through a file */
    char path[64];
    temp_path(path, sizeof path, ".csv");
    ck_assert_ok(crm_dataset_write_csv(ds, path, NULL));
    back = NULL;
    ck_assert_ok(crm_dataset_read_csv(path, NULL, &back));
    assert_same_dataset(ds, back);
    crm_dataset_free(back);
    remove(path);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_roundtrip_from_csv)
{
    /* read -> write -> read gives the same cells */
    const char *csv = "id,name,price,when,note\n"
                      "1,\"Smith, J\",2.55,2020-01-02 03:04:05,\"say \"\"hi\"\"\"\n"
                      "2,Ann,,2020-01-03,\"NA\"\n"
                      "3,\"multi\nline\",1e-300,,  x\n"
                      "4,Bob,0.1,2011-12-09 12:50:00,\n";
    crm_dataset *a = read_str(csv);
    char *text = NULL;
    ck_assert_ok(crm_dataset_to_csv_string(a, NULL, &text));
    crm_dataset *b = read_str(text);
    assert_same_dataset(a, b);
    ck_assert_text(b, 4, 1, "NA");
    crm_dataset_free(b);
    crm_free(text);
    crm_dataset_free(a);

    /* a name starting with U+FEFF (found by fuzzing): the written file must not
     * start with what a reader takes for a byte-order mark */
    a = read_str("\r\n\xEF\xBB\xBFx,y\n1,2\n");
    ck_assert_str_eq(col_name(a, 0), "\xEF\xBB\xBFx");
    ck_assert_ok(crm_dataset_to_csv_string(a, NULL, &text));
    b = read_str(text);
    assert_same_dataset(a, b);
    crm_dataset_free(b);
    crm_free(text);
    crm_dataset_free(a);

    /* a single column with missing cells: no empty lines are written */
    const double v[] = {1, NAN, 3};
    ck_assert_ok(crm_dataset_new(&a));
    ck_assert_ok(crm_dataset_add_number(a, "x", v, 3));
    ck_assert_ok(crm_dataset_to_csv_string(a, NULL, &text));
    ck_assert_str_eq(text, "x\n1\n\"\"\n3\n");
    b = read_str(text);
    assert_same_dataset(a, b);
    crm_dataset_free(b);
    crm_free(text);
    crm_dataset_free(a);
}
END_TEST

START_TEST(test_gzip_roundtrip)
{
    crm_dataset *ds = awkward_dataset();
    char path[64];
    temp_path(path, sizeof path, ".csv.gz");
    ck_assert_ok(crm_dataset_write_csv(ds, path, NULL));
    /* really gzip */
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char magic[2] = {0, 0};
    ck_assert_uint_eq(fread(magic, 1, 2, f), 2);
    fclose(f);
    ck_assert_int_eq(magic[0], 0x1f);
    ck_assert_int_eq(magic[1], 0x8b);
    crm_dataset *back = NULL;
    ck_assert_ok(crm_dataset_read_csv(path, NULL, &back));
    assert_same_dataset(ds, back);
    crm_dataset_free(back);

    /* gzip bytes given to the memory reader */
    long n = file_size(path);
    char *bytes = malloc((size_t)n);
    f = fopen(path, "rb");
    ck_assert_uint_eq(fread(bytes, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    back = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(bytes, (size_t)n, NULL, &back));
    assert_same_dataset(ds, back);
    crm_dataset_free(back);
    free(bytes);
    remove(path);
    crm_dataset_free(ds);

    /* concatenated gzip members read as one stream */
    temp_path(path, sizeof path, ".gz");
    char part[64];
    temp_path(part, sizeof part, ".gz");
    write_gzip(path, "a,b\n1,x\n", 8);
    write_gzip(part, "2,y\n", 4);
    FILE *out = fopen(path, "ab");
    FILE *in = fopen(part, "rb");
    char buf[256];
    size_t got = fread(buf, 1, sizeof buf, in);
    ck_assert_uint_eq(fwrite(buf, 1, got, out), got);
    fclose(in);
    fclose(out);
    back = NULL;
    ck_assert_ok(crm_dataset_read_csv(path, NULL, &back));
    ck_assert_uint_eq(crm_dataset_nrows(back), 2);
    ck_assert_text(back, 1, 1, "y");
    crm_dataset_free(back);
    remove(part);
    remove(path);
}
END_TEST

START_TEST(test_writer_format)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    const double x[] = {1.5, -2, INFINITY};
    const char *s[] = {"plain", "", "tab\there"};
    const int64_t t[] = {0, 86400, CRM_TIME_MISSING};
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 3));
    ck_assert_ok(crm_dataset_add_text(ds, "s", s, 3));
    ck_assert_ok(crm_dataset_add_time(ds, "t", t, 3));
    char *text = NULL;
    ck_assert_ok(crm_dataset_to_csv_string(ds, NULL, &text));
    ck_assert_str_eq(text, "x,s,t\n1.5,plain,1970-01-01\n-2,\"\",1970-01-02\ninf,tab\there,\n");
    crm_free(text);
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.delimiter = '\t';
    o.header = 0;
    ck_assert_ok(crm_dataset_to_csv_string(ds, &o, &text));
    ck_assert_str_eq(text, "1.5\tplain\t1970-01-01\n-2\t\"\"\t1970-01-02\ninf\t\"tab\there\"\t\n");
    crm_free(text);
    /* a delimiter inside a field with quoting disabled cannot be written */
    o.quote = 0;
    text = (char *)1;
    ck_assert_error(crm_dataset_to_csv_string(ds, &o, &text), CRM_E_INVALID);
    ck_assert_ptr_null(text);
    /* bad arguments */
    ck_assert_error(crm_dataset_to_csv_string(NULL, NULL, &text), CRM_E_INVALID);
    ck_assert_error(crm_dataset_to_csv_string(ds, NULL, NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_write_csv(ds, NULL, NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_write_csv(ds, "/nonexistent-dir/x.csv", NULL), CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "/nonexistent-dir/x.csv"));
    crm_dataset_free(ds);
    /* an empty dataset gives an empty text */
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_to_csv_string(ds, NULL, &text));
    ck_assert_str_eq(text, "");
    crm_free(text);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_arguments)
{
    crm_dataset *ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv_mem(NULL, 3, NULL, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);
    ck_assert_error(crm_dataset_read_csv_mem("a\n", 2, NULL, NULL), CRM_E_INVALID);
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv(NULL, NULL, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv("/nonexistent-dir/none.csv", NULL, &ds), CRM_E_IO);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "/nonexistent-dir/none.csv"));
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.delimiter = '"';
    ck_assert_error(crm_dataset_read_csv_mem("a\n", 2, &o, &ds), CRM_E_INVALID);
    o.delimiter = 300;
    ck_assert_error(crm_dataset_read_csv_mem("a\n", 2, &o, &ds), CRM_E_INVALID);
    o.delimiter = 0;
    o.n_na_values = 2;
    ck_assert_error(crm_dataset_read_csv_mem("a\n", 2, &o, &ds), CRM_E_INVALID);
    o.n_na_values = 0;
    o.size = 8;
    ck_assert_error(crm_dataset_read_csv_mem("a\n", 2, &o, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);
}
END_TEST

/* ---- limits ---------------------------------------------------------------- */

START_TEST(test_big_field)
{
    size_t big = 10u << 20;
    char *csv = malloc(big + 64);
    ck_assert_ptr_nonnull(csv);
    size_t k = (size_t)sprintf(csv, "a,b\n1,\"");
    for (size_t i = 0; i < big; i++)
        csv[k + i] = (char)('a' + i % 26);
    csv[k + 5] = ',';
    csv[k + 7] = '\n';
    k += big;
    memcpy(csv + k, "\"\n2,x\n", 6);
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(csv, k + 6, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    const char *s = text_at(ds, 1, 0);
    ck_assert_uint_eq(strlen(s), big);
    ck_assert_int_eq(memcmp(s, csv + 7, big), 0);
    ck_assert_text(ds, 1, 1, "x");
    crm_dataset_free(ds);
    /* the same field never closed */
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv_mem(csv, k, NULL, &ds), CRM_E_PARSE);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "<memory>:2:2:"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "quote"));
    free(csv);
}
END_TEST

START_TEST(test_wide_file)
{
    size_t nc = 3000;
    char *csv = malloc(nc * 24 + 16);
    size_t k = 0;
    for (size_t j = 0; j < nc; j++)
        k += (size_t)sprintf(csv + k, "%sc%zu", j ? "," : "", j);
    csv[k++] = '\n';
    for (int r = 0; r < 3; r++) {
        for (size_t j = 0; j < nc; j++)
            k += (size_t)sprintf(csv + k, "%s%zu", j ? "," : "", j * 10 + (size_t)r);
        csv[k++] = '\n';
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(csv, k, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_ncols(ds), nc);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 3);
    ck_assert_str_eq(col_name(ds, nc - 1), "c2999");
    ck_assert_double_eq(num_at(ds, nc - 1, 2), 29992.0);
    crm_dataset_free(ds);
    free(csv);
}
END_TEST

/* Representative input for allocation failure: quotes, text, numbers, times,
 * missing cells, a type fallback. */
static const char rep_csv[] = "id,name,price,when,note,code\n"
                              "1,\"Smith, J\",2.5,2020-01-02 03:04:05,\"say \"\"hi\"\"\",17\n"
                              "2,Ann,,2020-01-03,NA,x1\n"
                              "3,\"multi\nline\",1e3,,plain,\n"
                              "4,Ann,0.1,2011-12-09 12:50:00,\"NA\",18\n";

static crm_status read_rep_mem(void)
{
    crm_dataset *ds = (crm_dataset *)1;
    crm_status st = crm_dataset_read_csv_mem(rep_csv, sizeof rep_csv - 1, NULL, &ds);
    if (st == CRM_OK) {
        if (crm_dataset_nrows(ds) != 4 || crm_dataset_ncols(ds) != 6)
            st = CRM_E_STATE;
        crm_dataset_free(ds);
    } else if (ds != NULL) {
        return CRM_E_STATE; /* *out must be NULL on failure */
    }
    return st;
}

static char rep_gz_path[64];

static crm_status read_rep_gz(void)
{
    crm_dataset *ds = (crm_dataset *)1;
    crm_status st = crm_dataset_read_csv(rep_gz_path, NULL, &ds);
    if (st == CRM_OK) {
        if (crm_dataset_nrows(ds) != 4)
            st = CRM_E_STATE;
        crm_dataset_free(ds);
    } else if (ds != NULL) {
        return CRM_E_STATE;
    }
    return st;
}

/* Read the representative input, then write it as text or to rep_gz_path. */
static crm_status write_rep(int to_file)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv_mem(rep_csv, sizeof rep_csv - 1, NULL, &ds);
    if (st)
        return st;
    if (to_file) {
        st = crm_dataset_write_csv(ds, rep_gz_path, NULL);
    } else {
        char *text = (char *)1;
        st = crm_dataset_to_csv_string(ds, NULL, &text);
        if (st == CRM_OK)
            crm_free(text);
        else if (text != NULL)
            st = CRM_E_STATE; /* *out must be NULL on failure */
    }
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failure_read_mem)
{
    CRM_TEST_EACH_ALLOC_FAILURE(read_rep_mem());
}
END_TEST

START_TEST(test_alloc_failure_read_gz)
{
    temp_path(rep_gz_path, sizeof rep_gz_path, ".csv.gz");
    write_gzip(rep_gz_path, rep_csv, sizeof rep_csv - 1);
    CRM_TEST_EACH_ALLOC_FAILURE(read_rep_gz());
    remove(rep_gz_path);
}
END_TEST

START_TEST(test_alloc_failure_write)
{
    CRM_TEST_EACH_ALLOC_FAILURE(write_rep(0));
    temp_path(rep_gz_path, sizeof rep_gz_path, ".csv.gz");
    CRM_TEST_EACH_ALLOC_FAILURE(write_rep(1));
    ck_assert_ok(write_rep(1));
    crm_dataset *want = read_str(rep_csv);
    crm_dataset *back = NULL;
    ck_assert_ok(crm_dataset_read_csv(rep_gz_path, NULL, &back));
    assert_same_dataset(want, back);
    crm_dataset_free(back);
    crm_dataset_free(want);
    remove(rep_gz_path);
}
END_TEST

/* ---- bad input ------------------------------------------------------------- */

typedef struct bad_case {
    const char *name;
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
    crm_status status;
    const char *where; /* expected substring of the message */
    const char *what;  /* a second expected substring, or NULL */
} bad_case;

static const bad_case bad_cases[] = {
    {"unbalanced quote", "a,b\n1,\"xyz\n2,3\n", 0, CRM_E_PARSE, "<memory>:2:2:", "quote"},
    {"text after closing quote", "a,b\n\"x\"y,2\n", 0, CRM_E_PARSE, "<memory>:2:1:", "closing"},
    {"too many fields", "a,b\n1,2\n3,4,5\n", 0, CRM_E_PARSE, "<memory>:3:3:", "fields"},
    {"too few fields", "a,b,c\n1,2,3\n4,5\n", 0, CRM_E_PARSE, "<memory>:3:3:", "expected 3"},
    {"too few after a multi-line field", "a,b,c\n\"1\n2\",2,3\n4,5\n", 0, CRM_E_PARSE,
     "<memory>:4:3:", NULL},
    {"invalid UTF-8", "a,b\n1,ok\n2,x\xff\n", 0, CRM_E_PARSE, "<memory>:3:2:", "UTF-8"},
    {"overlong UTF-8", "a,b\n1,\xc0\xaf\n", 0, CRM_E_PARSE, "<memory>:2:2:", "UTF-8"},
    {"invalid UTF-8 in the header", "a,\xe2\x82\n1,2\n", 0, CRM_E_PARSE, "<memory>:1:2:",
     "UTF-8"},
    {"NUL byte", "a,b\n1,x\0y\n", 10, CRM_E_PARSE, "<memory>:2:2:", "NUL"},
    {"empty file", "", 0, CRM_E_PARSE, "<memory>:1:1:", "empty"},
    {"only a BOM and blank lines", "\xEF\xBB\xBF\r\n\n", 0, CRM_E_PARSE, "<memory>:", "empty"},
    {"duplicate column names", "a,b,a\n1,2,3\n", 0, CRM_E_PARSE, "<memory>:1:3:",
     "columns 1 and 3"},
    {"truncated gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b", 11, CRM_E_IO, "<memory>",
     "truncated"},
    {"corrupt gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff\xff\xff", 16,
     CRM_E_IO, "<memory>", "corrupt"},
};

START_TEST(test_bad_input_table)
{
    const bad_case *c = &bad_cases[_i];
    size_t len = c->len ? c->len : strlen(c->bytes);
    crm_dataset *ds = (crm_dataset *)1;
    crm_status st = crm_dataset_read_csv_mem(c->bytes, len, NULL, &ds);
    ck_assert_msg(st == c->status, "%s: got %s (%s), expected %s", c->name, crm_status_str(st),
                  crm_last_error(), crm_status_str(c->status));
    ck_assert_msg(ds == NULL, "%s: *out not NULL on failure", c->name);
    ck_assert_msg(strstr(crm_last_error(), c->where) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  c->name, crm_last_error(), c->where);
    if (c->what)
        ck_assert_msg(strstr(crm_last_error(), c->what) != NULL,
                      "%s: message \"%s\" lacks \"%s\"", c->name, crm_last_error(), c->what);
}
END_TEST

START_TEST(test_header_only_is_ok)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem("a,b\r\n", 5, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_files)
{
    /* a real gzip file cut short */
    const char *csv = "id,name\n1,alpha\n2,beta\n3,gamma\n4,delta\n5,epsilon\n6,zeta\n";
    char path[64];
    temp_path(path, sizeof path, ".csv.gz");
    write_gzip(path, csv, strlen(csv));
    long n = file_size(path);
    ck_assert_int_eq(truncate(path, n - 10), 0);
    crm_dataset *ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv(path, NULL, &ds), CRM_E_IO);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), path));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "truncated"));
    /* garbage after a complete member */
    write_gzip(path, csv, strlen(csv));
    FILE *f = fopen(path, "ab");
    fputs("garbage", f);
    fclose(f);
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv(path, NULL, &ds), CRM_E_IO);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "corrupt"));
    /* parse errors name the file */
    write_bytes(path, "a,b\n1,2\n3\n", 10);
    ck_assert_error(crm_dataset_read_csv(path, NULL, &ds), CRM_E_PARSE);
    char where[96];
    snprintf(where, sizeof where, "%s:3:2:", path);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), where));
    /* a 0-byte file */
    write_bytes(path, "", 0);
    ck_assert_error(crm_dataset_read_csv(path, NULL, &ds), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "empty"));
    remove(path);
    /* a directory */
    ck_assert_error(crm_dataset_read_csv("/tmp", NULL, &ds), CRM_E_IO);
    ck_assert_ptr_null(ds);
}
END_TEST

Suite *crm_csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_infer_each_type);
    tcase_add_test(core, test_numbers_correctly_rounded);
    tcase_add_test(core, test_type_falls_back_late);
    tcase_add_test(core, test_quoting);
    tcase_add_test(core, test_crlf_bom_blank_lines);
    tcase_add_test(core, test_delimiter_detection);
    tcase_add_test(core, test_na_values);
    tcase_add_test(core, test_decimal_comma);
    tcase_add_test(core, test_type_overrides);
    tcase_add_test(core, test_datetime_forms);
    tcase_add_test(core, test_date_format);
    tcase_add_test(core, test_header_options);
    tcase_add_test(core, test_max_rows);
    tcase_add_test(core, test_lenient);
    tcase_add_test(core, test_roundtrip_awkward);
    tcase_add_test(core, test_roundtrip_from_csv);
    tcase_add_test(core, test_gzip_roundtrip);
    tcase_add_test(core, test_writer_format);
    tcase_add_test(core, test_bad_arguments);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_set_timeout(limits, 120);
    tcase_add_test(limits, test_big_field);
    tcase_add_test(limits, test_wide_file);
    tcase_add_test(limits, test_alloc_failure_read_mem);
    tcase_add_test(limits, test_alloc_failure_read_gz);
    tcase_add_test(limits, test_alloc_failure_write);
    suite_add_tcase(s, limits);

    TCase *bad = tcase_create("bad_input");
    tcase_add_loop_test(bad, test_bad_input_table, 0, (int)(sizeof bad_cases / sizeof *bad_cases));
    tcase_add_test(bad, test_header_only_is_ok);
    tcase_add_test(bad, test_bad_files);
    suite_add_tcase(s, bad);
    return s;
}
