/* Cleaning parity with pandas on Online Retail (../shared/data). */
#include "test_util.h"

#include "crm/clean.h"

#include <math.h>

/* Value of KEY in the golden file (numbers, or C99 hex floats). */
static double golden(const char *key)
{
    FILE *f = fopen(crm_test_file("reference/golden/clean_online_retail.tsv"), "r");
    ck_assert_msg(f != NULL, "cannot open the golden file");
    char line[256];
    double v = NAN;
    size_t len = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, len) == 0 && line[len] == '\t') {
            v = strtod(line + len + 1, NULL);
            break;
        }
    }
    fclose(f);
    ck_assert_msg(!isnan(v), "no %s in the golden file", key);
    return v;
}

static crm_dataset *load(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_data("online_retail/online_retail.csv.gz"), NULL,
                                      &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), (size_t)golden("rows"));
    return ds;
}

START_TEST(test_duplicates)
{
    crm_dataset *ds = load(), *c = NULL;
    size_t removed = 0;
    ck_assert_ok(crm_dataset_clone(ds, &c));
    ck_assert_ok(crm_clean_dedup(c, NULL, 0, CRM_KEEP_FIRST, &removed));
    ck_assert_uint_eq(removed, 5268);
    ck_assert_uint_eq(removed, (size_t)golden("duplicated_all"));
    const char *cust[] = {"CustomerID"};
    ck_assert_ok(crm_clean_drop_missing(c, cust, 1, &removed));
    ck_assert_uint_eq(crm_dataset_nrows(c), (size_t)golden("rows_dedup_then_customer"));
    crm_dataset_free(c);

    ck_assert_ok(crm_dataset_clone(ds, &c));
    ck_assert_ok(crm_clean_dedup(c, NULL, 0, CRM_KEEP_NONE, &removed));
    ck_assert_uint_eq(removed, (size_t)golden("duplicated_all_keep_none"));
    crm_dataset_free(c);

    const char *keys[] = {"InvoiceNo", "StockCode"};
    ck_assert_ok(crm_dataset_clone(ds, &c));
    ck_assert_ok(crm_clean_dedup(c, keys, 2, CRM_KEEP_LAST, &removed));
    ck_assert_uint_eq(removed, (size_t)golden("duplicated_invoice_stock_keep_last"));
    /* the rows kept are the right ones: their Quantity sums exactly as in pandas */
    size_t q = 0, n = crm_dataset_nrows(c);
    ck_assert_ok(crm_dataset_column_index(c, "Quantity", &q));
    double *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    ck_assert_ok(crm_dataset_get_number(c, q, 0, n, v));
    double sum = 0; /* integers well below 2^53: exact */
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    ck_assert(sum == golden("dedup_invoice_stock_keep_last_quantity_fsum"));
    fprintf(stderr, "parity: dedup counts (3 rules) and the kept rows' Quantity sum equal "
                    "pandas'\n");
    free(v);
    crm_dataset_free(c);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_missing_customer)
{
    crm_dataset *ds = load();
    size_t removed = 0;
    const char *cust[] = {"CustomerID"};
    ck_assert_ok(crm_clean_drop_missing(ds, cust, 1, &removed));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 406829);
    ck_assert_uint_eq(crm_dataset_nrows(ds), (size_t)golden("rows_with_customer"));
    ck_assert_ok(crm_clean_drop_missing(ds, NULL, 0, &removed));
    ck_assert_uint_eq(crm_dataset_nrows(ds), (size_t)golden("rows_without_any_missing"));
    fprintf(stderr, "parity: drop_missing row counts equal pandas'\n");
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_clean_shared_suite(void)
{
    Suite *s = suite_create("clean_shared");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, test_duplicates);
    tcase_add_test(core, test_missing_customer);
    suite_add_tcase(s, core);
    return s;
}
