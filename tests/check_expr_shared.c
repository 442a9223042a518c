/* Parity with pandas on Online Retail: every line of
 * tests/reference/golden/expr_summary.tsv (written by
 * tests/reference/expr_summary.py) must be reproduced by crm_dataset_filter()
 * and crm_dataset_mutate(): the same number of kept rows, the same rows (sum
 * of their row numbers), and bit-identical exactly rounded sums of mutated
 * columns. */
#include "core/internal.h"
#include "test_util.h"

#include <math.h>

#define ROW_COL "__row"

/* Online Retail with an extra column holding each row's 0-based number. */
static crm_dataset *load_retail(void)
{
    crm_dataset *ds = NULL;
    const char *path = crm_test_data("online_retail/online_retail.csv.gz");
    ck_assert_ok(crm_dataset_read_csv(path, NULL, &ds));
    size_t n = crm_dataset_nrows(ds);
    ck_assert_uint_eq(n, 541909);
    double *row = malloc(n * sizeof *row);
    ck_assert_ptr_nonnull(row);
    for (size_t i = 0; i < n; i++)
        row[i] = (double)i;
    ck_assert_ok(crm_dataset_add_number(ds, ROW_COL, row, n));
    free(row);
    return ds;
}

/* Exactly rounded sum of the non-missing values of a number column, and the
 * number of missing ones. */
static double column_fsum(const crm_dataset *ds, const char *name, size_t *missing)
{
    size_t c, n = crm_dataset_nrows(ds);
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(ds, c, &t));
    ck_assert_int_eq(t, CRM_TYPE_NUMBER);
    double *x = malloc((n ? n : 1) * sizeof *x);
    ck_assert_ptr_nonnull(x);
    ck_assert_ok(crm_dataset_get_number(ds, c, 0, n, x));
    crm__fsum s;
    crm__fsum_init(&s);
    *missing = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            (*missing)++;
        else
            crm__fsum_add(&s, x[i]);
    }
    free(x);
    return crm__fsum_result(&s);
}

START_TEST(test_golden_expr_summary)
{
    FILE *f = fopen(crm_test_file("reference/golden/expr_summary.tsv"), "r");
    ck_assert_msg(f != NULL, "cannot open the golden file");
    crm_dataset *ds = load_retail();
    char line[2048];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *fields[5];
        char *p = line;
        for (int i = 0; i < 5; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if (i < 4) {
                ck_assert_msg(p != NULL, "malformed golden line");
                *p++ = '\0';
            }
        }
        const char *kind = fields[0], *fexpr = fields[1], *mexpr = fields[2], *stat = fields[3],
                   *want = fields[4];
        crm_dataset *o = NULL;
        crm_status st = crm_dataset_filter(ds, fexpr, &o);
        ck_assert_msg(st == CRM_OK, "filter %s: %s", fexpr, crm_last_error());
        size_t missing;
        if (strcmp(kind, "filter") == 0) {
            if (strcmp(stat, "rows") == 0) {
                unsigned long long w = strtoull(want, NULL, 10);
                ck_assert_msg(crm_dataset_nrows(o) == w, "%s: %zu rows, pandas %llu", fexpr,
                              crm_dataset_nrows(o), w);
            } else {
                double got = column_fsum(o, ROW_COL, &missing);
                double w = (double)strtoull(want, NULL, 10);
                ck_assert_msg(got == w, "%s: row-number sum %.17g, pandas %.17g", fexpr, got, w);
            }
        } else {
            st = crm_dataset_mutate(o, "__value", mexpr);
            ck_assert_msg(st == CRM_OK, "mutate %s: %s", mexpr, crm_last_error());
            double got = column_fsum(o, "__value", &missing);
            if (strcmp(stat, "fsum") == 0) {
                double w = strtod(want, NULL);
                ck_assert_msg(got == w, "%s | %s: sum %a, pandas %a", fexpr, mexpr, got, w);
            } else {
                ck_assert_msg(missing == strtoull(want, NULL, 10),
                              "%s | %s: %zu missing, pandas %s", fexpr, mexpr, missing, want);
            }
        }
        crm_dataset_free(o);
        checked++;
    }
    fclose(f);
    ck_assert_int_ge(checked, 60);
    fprintf(stderr, "parity: %d golden lines (row counts, row-number sums, exactly rounded sums) "
                    "equal to pandas' (bit for bit)\n",
            checked);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_rfm_preparation_rows)
{
    /* The standard RFM preparation keeps exactly the rows pandas keeps
     * (406,829 rows have a CustomerID; 397,884 survive the whole filter),
     * and a filter that removes every row gives an empty dataset. */
    crm_dataset *ds = load_retail(), *o = NULL;
    ck_assert_ok(crm_dataset_filter(ds,
                                    "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                                    "and not startswith(InvoiceNo, 'C')",
                                    &o));
    ck_assert_uint_eq(crm_dataset_nrows(o), 397884);
    ck_assert_uint_eq(crm_dataset_ncols(o), 9);
    ck_assert_ok(crm_dataset_mutate(o, "amount", "Quantity * UnitPrice"));
    crm_dataset *none = NULL;
    ck_assert_ok(crm_dataset_filter(o, "amount <= 0", &none));
    ck_assert_uint_eq(crm_dataset_nrows(none), 0);
    ck_assert_uint_eq(crm_dataset_ncols(none), 10);
    crm_dataset_free(none);
    crm_dataset_free(o);
    ck_assert_ok(crm_dataset_filter(ds, "CustomerID is not missing", &o));
    ck_assert_uint_eq(crm_dataset_nrows(o), 406829);
    crm_dataset_free(o);
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_expr_shared_suite(void)
{
    Suite *s = suite_create("expr_shared");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, test_golden_expr_summary);
    tcase_add_test(core, test_rfm_preparation_rows);
    suite_add_tcase(s, core);
    return s;
}
