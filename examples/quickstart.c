/* libcrm quickstart: load transactions (a CSV file given as the first
 * argument, or a small synthetic shop), then print the schema and the
 * describe() summary. Every call's status is checked; on failure the
 * program prints crm_last_error() and exits 1.
 *
 *   ./quickstart              # 100 synthetic customers
 *   ./quickstart orders.csv   # your own file
 */
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "quickstart: %s failed (%s): %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

static const char *type_name(int32_t type)
{
    return type == CRM_TYPE_NUMBER ? "number" : type == CRM_TYPE_TEXT ? "text" : "time";
}

int main(int argc, char **argv)
{
    crm_dataset *ds = NULL;
    crm_status st;
    if (argc > 1) {
        st = crm_dataset_read_csv(argv[1], NULL, &ds);
        if (st != CRM_OK) return fail("crm_dataset_read_csv", st);
    } else {
        crm_synth_options o;
        st = crm_synth_options_init(&o, sizeof o);
        if (st != CRM_OK) return fail("crm_synth_options_init", st);
        o.customers = 100;
        o.days = 365;
        o.seed = 42;
        st = crm_synth_transactions(&o, &ds);
        if (st != CRM_OK) return fail("crm_synth_transactions", st);
    }
    printf("libcrm %s: %zu rows, %zu columns\n", crm_version(), crm_dataset_nrows(ds),
           crm_dataset_ncols(ds));
    for (size_t c = 0; c < crm_dataset_ncols(ds); c++) {
        const char *name = NULL;
        int32_t type = 0;
        size_t missing = 0;
        if ((st = crm_dataset_column_name(ds, c, &name)) != CRM_OK ||
            (st = crm_dataset_column_type(ds, c, &type)) != CRM_OK ||
            (st = crm_dataset_missing(ds, c, &missing)) != CRM_OK) {
            crm_dataset_free(ds);
            return fail("column introspection", st);
        }
        printf("  %-12s %-6s %zu missing\n", name, type_name(type), missing);
    }

    /* describe() returns a dataset: one row per column of ds. */
    crm_dataset *sum = NULL;
    st = crm_dataset_describe(ds, &sum);
    crm_dataset_free(ds);
    if (st != CRM_OK) return fail("crm_dataset_describe", st);
    static const char *const stats[] = {"count", "mean", "std", "min", "median", "max", "distinct"};
    enum { NSTATS = sizeof stats / sizeof stats[0] };
    size_t col_name = 0, col_type = 0, col_stat[NSTATS];
    st = crm_dataset_column_index(sum, "column", &col_name);
    if (st == CRM_OK) st = crm_dataset_column_index(sum, "type", &col_type);
    for (size_t k = 0; k < NSTATS && st == CRM_OK; k++)
        st = crm_dataset_column_index(sum, stats[k], &col_stat[k]);
    if (st != CRM_OK) {
        crm_dataset_free(sum);
        return fail("crm_dataset_column_index", st);
    }
    printf("\n%-12s", "column");
    for (size_t k = 0; k < NSTATS; k++)
        printf(" %14s", stats[k]);
    printf("\n");
    for (size_t r = 0; r < crm_dataset_nrows(sum); r++) {
        const char *name = NULL, *type = NULL;
        if ((st = crm_dataset_get_text(sum, col_name, r, &name)) != CRM_OK ||
            (st = crm_dataset_get_text(sum, col_type, r, &type)) != CRM_OK) {
            crm_dataset_free(sum);
            return fail("crm_dataset_get_text", st);
        }
        int is_time = strcmp(type, "time") == 0;
        printf("%-12s", name);
        for (size_t k = 0; k < NSTATS; k++) {
            double v = NAN;
            if ((st = crm_dataset_get_number(sum, col_stat[k], r, 1, &v)) != CRM_OK) {
                crm_dataset_free(sum);
                return fail("crm_dataset_get_number", st);
            }
            if (isnan(v)) {
                printf(" %14s", "-");
            } else if (is_time && k >= 1 && k <= 5) {
                /* time statistics are seconds since 1970-01-01 UTC */
                time_t t = (time_t)floor(v);
                char day[32] = "?";
                const struct tm *tm = gmtime(&t);
                if (tm) strftime(day, sizeof day, "%Y-%m-%d", tm);
                printf(" %14s", day);
            } else {
                printf(" %14.6g", v);
            }
        }
        printf("\n");
    }
    crm_dataset_free(sum);
    return 0;
}
