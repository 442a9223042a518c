/* CSV reader on the shared real-world files: Online Retail (gzip, 541,909
 * rows) and Telco churn (CRLF, blank cells), and a full round trip. */
#define _GNU_SOURCE
#include "test_util.h"

#include <math.h>
#include <stdint.h>
#include <unistd.h>

static size_t col_of(const crm_dataset *ds, const char *name)
{
    size_t i = 0;
    ck_assert_msg(crm_dataset_column_index(ds, name, &i) == CRM_OK, "no column %s", name);
    return i;
}

static int32_t type_of(const crm_dataset *ds, const char *name)
{
    int32_t t = 0;
    ck_assert_ok(crm_dataset_column_type(ds, col_of(ds, name), &t));
    return t;
}

static size_t missing_of(const crm_dataset *ds, const char *name)
{
    size_t m = 0;
    ck_assert_ok(crm_dataset_missing(ds, col_of(ds, name), &m));
    return m;
}

static size_t levels_of(const crm_dataset *ds, const char *name)
{
    size_t m = 0;
    ck_assert_ok(crm_dataset_text_levels(ds, col_of(ds, name), &m));
    return m;
}

static crm_dataset *online_retail(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_data("online_retail/online_retail.csv.gz"), NULL,
                                      &ds));
    return ds;
}

START_TEST(test_online_retail)
{
    crm_dataset *ds = online_retail();
    ck_assert_uint_eq(crm_dataset_nrows(ds), 541909);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 8);
    const char *names[] = {"InvoiceNo",   "StockCode", "Description", "Quantity",
                           "InvoiceDate", "UnitPrice", "CustomerID",  "Country"};
    const int32_t types[] = {CRM_TYPE_TEXT, CRM_TYPE_TEXT,   CRM_TYPE_TEXT,   CRM_TYPE_NUMBER,
                             CRM_TYPE_TIME, CRM_TYPE_NUMBER, CRM_TYPE_NUMBER, CRM_TYPE_TEXT};
    for (size_t j = 0; j < 8; j++) {
        const char *nm = NULL;
        ck_assert_ok(crm_dataset_column_name(ds, j, &nm));
        ck_assert_str_eq(nm, names[j]);
        ck_assert_msg(type_of(ds, names[j]) == types[j], "%s has type %d", names[j],
                      type_of(ds, names[j]));
    }
    ck_assert_uint_eq(missing_of(ds, "Description"), 1454);
    ck_assert_uint_eq(missing_of(ds, "CustomerID"), 135080);
    ck_assert_uint_eq(missing_of(ds, "Quantity"), 0);
    ck_assert_uint_eq(missing_of(ds, "InvoiceDate"), 0);
    ck_assert_uint_eq(levels_of(ds, "Country"), 38);
    ck_assert_uint_eq(levels_of(ds, "InvoiceNo"), 25900);
    ck_assert_uint_eq(levels_of(ds, "StockCode"), 4070);
    size_t date = col_of(ds, "InvoiceDate");
    int64_t t = 0;
    ck_assert_ok(crm_dataset_get_time(ds, date, 0, 1, &t));
    ck_assert_int_eq(t, 1291191960); /* 2010-12-01 08:26:00 */
    ck_assert_ok(crm_dataset_get_time(ds, date, 541908, 1, &t));
    ck_assert_int_eq(t, 1323435000); /* 2011-12-09 12:50:00 */
    /* first row, and the quoted, doubled-quote and non-ASCII cells the README names */
    const char *s = NULL;
    ck_assert_ok(crm_dataset_get_text(ds, col_of(ds, "Description"), 0, &s));
    ck_assert_str_eq(s, "WHITE HANGING HEART T-LIGHT HOLDER");
    ck_assert_ok(crm_dataset_get_text(ds, col_of(ds, "Description"), 541908, &s));
    ck_assert_str_eq(s, "BAKING SET 9 PIECE RETROSPOT "); /* trailing space kept */
    size_t desc = col_of(ds, "Description");
    size_t nlev = levels_of(ds, "Description");
    int lounge = 0, frame = 0, pound = 0;
    for (size_t c = 0; c < nlev; c++) {
        ck_assert_ok(crm_dataset_text_level(ds, desc, c, &s));
        lounge |= strcmp(s, "AIRLINE LOUNGE,METAL SIGN") == 0;
        frame |= strcmp(s, "RECORD FRAME 7\" SINGLE SIZE ") == 0;
        pound |= strcmp(s, "Dotcomgiftshop Gift Voucher \xC2\xA3"
                           "40.00") == 0;
    }
    ck_assert(lounge && frame && pound);
    double v[2];
    ck_assert_ok(crm_dataset_get_number(ds, col_of(ds, "UnitPrice"), 0, 1, v));
    ck_assert_double_eq(v[0], 2.55);
    ck_assert_ok(crm_dataset_get_number(ds, col_of(ds, "CustomerID"), 0, 1, v));
    ck_assert_double_eq(v[0], 17850.0);
    /* extremes from the README */
    size_t q = col_of(ds, "Quantity");
    double *qty = malloc(541909 * sizeof *qty);
    ck_assert_ok(crm_dataset_get_number(ds, q, 0, 541909, qty));
    double lo = 0, hi = 0;
    size_t neg = 0;
    for (size_t r = 0; r < 541909; r++) {
        lo = fmin(lo, qty[r]);
        hi = fmax(hi, qty[r]);
        neg += qty[r] < 0;
    }
    ck_assert_double_eq(hi, 80995.0);
    ck_assert_double_eq(lo, -80995.0);
    ck_assert_uint_eq(neg, 10624);
    free(qty);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_telco)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(
        crm_test_data("telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"), NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 7043);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 21);
    ck_assert_int_eq(type_of(ds, "TotalCharges"), CRM_TYPE_NUMBER);
    ck_assert_uint_eq(missing_of(ds, "TotalCharges"), 11);
    ck_assert_int_eq(type_of(ds, "tenure"), CRM_TYPE_NUMBER);
    ck_assert_int_eq(type_of(ds, "MonthlyCharges"), CRM_TYPE_NUMBER);
    ck_assert_int_eq(type_of(ds, "Churn"), CRM_TYPE_TEXT);
    /* CRLF: the last field has no '\r' */
    size_t churn = col_of(ds, "Churn");
    ck_assert_uint_eq(levels_of(ds, "Churn"), 2);
    const char *a = NULL, *b = NULL;
    ck_assert_ok(crm_dataset_text_level(ds, churn, 0, &a));
    ck_assert_ok(crm_dataset_text_level(ds, churn, 1, &b));
    ck_assert_str_eq(a, "No");
    ck_assert_str_eq(b, "Yes");
    int32_t *codes = malloc(7043 * sizeof *codes);
    ck_assert_ok(crm_dataset_get_codes(ds, churn, 0, 7043, codes));
    size_t yes = 0;
    for (size_t r = 0; r < 7043; r++)
        yes += codes[r] == 1;
    ck_assert_uint_eq(yes, 1869);
    free(codes);
    ck_assert_uint_eq(levels_of(ds, "customerID"), 7043);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_online_retail_roundtrip)
{
    crm_dataset *a = online_retail();
    char path[64];
    snprintf(path, sizeof path, "/tmp/crm_check_csv_shared_XXXXXX.csv");
    int fd = mkstemps(path, 4);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ok(crm_dataset_write_csv(a, path, NULL));
    crm_dataset *b = NULL;
    ck_assert_ok(crm_dataset_read_csv(path, NULL, &b));
    remove(path);
    size_t nr = crm_dataset_nrows(a), nc = crm_dataset_ncols(a);
    ck_assert_uint_eq(crm_dataset_nrows(b), nr);
    ck_assert_uint_eq(crm_dataset_ncols(b), nc);
    void *x = malloc(nr * 8), *y = malloc(nr * 8);
    for (size_t j = 0; j < nc; j++) {
        int32_t ta = 0, tb = 0;
        ck_assert_ok(crm_dataset_column_type(a, j, &ta));
        ck_assert_ok(crm_dataset_column_type(b, j, &tb));
        ck_assert_int_eq(ta, tb);
        if (ta == CRM_TYPE_NUMBER) {
            ck_assert_ok(crm_dataset_get_number(a, j, 0, nr, x));
            ck_assert_ok(crm_dataset_get_number(b, j, 0, nr, y));
            for (size_t r = 0; r < nr; r++) {
                double u = ((double *)x)[r], v = ((double *)y)[r];
                ck_assert_msg((isnan(u) && isnan(v)) || memcmp(&u, &v, sizeof u) == 0,
                              "column %zu row %zu: %.17g became %.17g", j, r, u, v);
            }
        } else if (ta == CRM_TYPE_TIME) {
            ck_assert_ok(crm_dataset_get_time(a, j, 0, nr, x));
            ck_assert_ok(crm_dataset_get_time(b, j, 0, nr, y));
            ck_assert_int_eq(memcmp(x, y, nr * 8), 0);
        } else {
            /* both read from CSV: same dictionary order, so equal codes and levels */
            ck_assert_ok(crm_dataset_get_codes(a, j, 0, nr, x));
            ck_assert_ok(crm_dataset_get_codes(b, j, 0, nr, y));
            ck_assert_int_eq(memcmp(x, y, nr * 4), 0);
            size_t la = 0, lb = 0;
            ck_assert_ok(crm_dataset_text_levels(a, j, &la));
            ck_assert_ok(crm_dataset_text_levels(b, j, &lb));
            ck_assert_uint_eq(la, lb);
            for (size_t c = 0; c < la; c++) {
                const char *s = NULL, *t = NULL;
                ck_assert_ok(crm_dataset_text_level(a, j, c, &s));
                ck_assert_ok(crm_dataset_text_level(b, j, c, &t));
                ck_assert_str_eq(s, t);
            }
        }
    }
    free(x);
    free(y);
    crm_dataset_free(a);
    crm_dataset_free(b);
}
END_TEST

Suite *crm_csv_shared_suite(void)
{
    Suite *s = suite_create("csv_shared");
    TCase *tc = tcase_create("shared");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_online_retail);
    tcase_add_test(tc, test_telco);
    tcase_add_test(tc, test_online_retail_roundtrip);
    suite_add_tcase(s, tc);
    return s;
}
