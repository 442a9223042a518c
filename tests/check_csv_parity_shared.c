/* Parity with pandas: every line of tests/reference/golden/csv_summary.tsv
 * (written by tests/reference/csv_summary.py) must be reproduced by libcrm
 * reading the same shared files. Numbers compare bit for bit (hex floats),
 * except mean and std: to the exact values (rational arithmetic rounded once)
 * within TOL_EXACT, to pandas' own Series.mean()/std() within TOL_PANDAS. The
 * largest differences are printed ("parity:" lines). */
#include "core/internal.h"
#include "test_util.h"

#include <math.h>

/* Relative tolerances, a small multiple of the largest difference measured on the
 * reference machine; docs/datasets.md quotes them. */
#define TOL_EXACT_MEAN 1e-15  /* measured 0 (a few ulps) */
#define TOL_EXACT_STD 1e-15   /* 1.2e-16 */
#define TOL_PANDAS_MEAN 1e-15 /* 0 (a few ulps) */
#define TOL_PANDAS_STD 1e-11  /* 1.7e-12: pandas' std is not exactly rounded on Online Retail */

typedef struct loaded {
    char file[256];
    crm_dataset *ds;
    crm_dataset *desc;
} loaded;

static double desc_stat(const loaded *L, size_t col, const char *stat)
{
    size_t c;
    double v;
    ck_assert_ok(crm_dataset_column_index(L->desc, stat, &c));
    ck_assert_ok(crm_dataset_get_number(L->desc, c, col, 1, &v));
    return v;
}

static void load(loaded *L, const char *file)
{
    if (L->ds && strcmp(L->file, file) == 0)
        return;
    crm_dataset_free(L->ds);
    crm_dataset_free(L->desc);
    L->ds = L->desc = NULL;
    snprintf(L->file, sizeof L->file, "%s", file);
    ck_assert_ok(crm_dataset_read_csv(crm_test_data(file), NULL, &L->ds));
    ck_assert_ok(crm_dataset_describe(L->ds, &L->desc));
}

static double exact_sum(const crm_dataset *ds, size_t col)
{
    size_t n = crm_dataset_nrows(ds);
    double *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    ck_assert_ok(crm_dataset_get_number(ds, col, 0, n, x));
    crm__fsum s;
    crm__fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            crm__fsum_add(&s, x[i]);
    free(x);
    return crm__fsum_result(&s);
}

static const char *type_name(int32_t t)
{
    return t == CRM_TYPE_NUMBER ? "number" : t == CRM_TYPE_TEXT ? "text" : "time";
}

START_TEST(test_golden_csv_summary)
{
    FILE *f = fopen(crm_test_file("reference/golden/csv_summary.tsv"), "r");
    ck_assert_msg(f != NULL, "cannot open the golden file");
    char line[1024];
    loaded L = {{0}, NULL, NULL};
    int checked = 0, lines = 0, exact = 0;
    crm_parity pm = CRM_PARITY_REL("describe() mean vs the exact mean", TOL_EXACT_MEAN),
               ps = CRM_PARITY_REL("describe() std vs the exact std", TOL_EXACT_STD),
               ppm = CRM_PARITY_REL("describe() mean vs pandas Series.mean()", TOL_PANDAS_MEAN),
               pps = CRM_PARITY_REL("describe() std vs pandas Series.std()", TOL_PANDAS_STD);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        lines++;
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
        const char *file = fields[0], *colname = fields[1], *type = fields[2], *stat = fields[3],
                   *want = fields[4];
        load(&L, file);
        if (strcmp(colname, "-") == 0) {
            size_t got = strcmp(stat, "rows") == 0 ? crm_dataset_nrows(L.ds) : crm_dataset_ncols(L.ds);
            ck_assert_msg(got == strtoull(want, NULL, 10), "%s %s: got %zu, pandas %s", file, stat,
                          got, want);
            checked++;
            continue;
        }
        size_t col;
        ck_assert_ok(crm_dataset_column_index(L.ds, colname, &col));
        int32_t t;
        ck_assert_ok(crm_dataset_column_type(L.ds, col, &t));
        ck_assert_msg(strcmp(type_name(t), type) == 0, "%s %s: type %s, pandas %s", file, colname,
                      type_name(t), type);
        char got[64];
        if (strcmp(stat, "missing") == 0 || strcmp(stat, "distinct") == 0) {
            snprintf(got, sizeof got, "%.0f", desc_stat(&L, col, stat));
            ck_assert_msg(strcmp(got, want) == 0, "%s %s %s: got %s, pandas %s", file, colname,
                          stat, got, want);
        } else if (strcmp(type, "time") == 0) {
            crm__format_time((int64_t)desc_stat(&L, col, stat), 0, got);
            ck_assert_msg(strcmp(got, want) == 0, "%s %s %s: got %s, pandas %s", file, colname,
                          stat, got, want);
        } else if (strncmp(stat, "mean", 4) == 0 || strncmp(stat, "std", 3) == 0) {
            int from_pandas = strstr(stat, "_pandas") != NULL, mean = stat[0] == 'm';
            double g = desc_stat(&L, col, mean ? "mean" : "std");
            double w = strtod(want, NULL);
            crm_parity *p = from_pandas ? (mean ? &ppm : &pps) : (mean ? &pm : &ps);
            crm_parity_check(p, g, w, "%s %s %s", file, colname, stat);
        } else {
            double g = strcmp(stat, "sum") == 0 ? exact_sum(L.ds, col) : desc_stat(&L, col, stat);
            double w = strtod(want, NULL);
            ck_assert_msg(memcmp(&g, &w, sizeof g) == 0, "%s %s %s: got %a, pandas %a", file,
                          colname, stat, g, w);
            exact++;
        }
        checked++;
    }
    fclose(f);
    crm_dataset_free(L.ds);
    crm_dataset_free(L.desc);
    ck_assert_int_eq(checked, lines);
    ck_assert_int_ge(lines, 100); /* both files, every column */
    fprintf(stderr, "parity: %d golden lines, %d numbers (sum, min, max, quantiles) bit for bit\n",
            lines, exact);
    crm_parity_report(&pm);
    crm_parity_report(&ps);
    crm_parity_report(&ppm);
    crm_parity_report(&pps);
}
END_TEST

Suite *crm_csv_parity_shared_suite(void)
{
    Suite *s = suite_create("csv_parity_shared");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_golden_csv_summary);
    suite_add_tcase(s, tc);
    return s;
}
