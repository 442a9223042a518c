/* libcrm group and join: per-customer totals from order lines, joined back
 * onto a customer table. Every call's status is checked; on failure the
 * program prints crm_last_error() and exits 1.
 *
 *   ./group_join
 */
#include <crm.h>

#include <math.h>
#include <stdio.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "group_join: %s failed (%s): %s\n", what, crm_status_str(st),
            crm_last_error());
    return 1;
}

/* Print a dataset: one line per row, cells separated by tabs. */
static void print(const crm_dataset *ds)
{
    size_t nc = crm_dataset_ncols(ds), nr = crm_dataset_nrows(ds);
    for (size_t c = 0; c < nc; c++) {
        const char *name = NULL;
        crm_dataset_column_name(ds, c, &name);
        printf("%s%s", c ? "\t" : "", name);
    }
    printf("\n");
    for (size_t r = 0; r < nr; r++) {
        for (size_t c = 0; c < nc; c++) {
            int32_t type = 0;
            crm_dataset_column_type(ds, c, &type);
            printf("%s", c ? "\t" : "");
            if (type == CRM_TYPE_NUMBER) {
                double v = NAN;
                crm_dataset_get_number(ds, c, r, 1, &v);
                if (isnan(v))
                    printf("NA");
                else
                    printf("%g", v);
            } else if (type == CRM_TYPE_TEXT) {
                const char *s = NULL;
                crm_dataset_get_text(ds, c, r, &s);
                printf("%s", s ? s : "NA");
            } else {
                int64_t t = CRM_TIME_MISSING;
                crm_dataset_get_time(ds, c, r, 1, &t);
                if (t == CRM_TIME_MISSING)
                    printf("NA");
                else
                    printf("%lld", (long long)t);
            }
        }
        printf("\n");
    }
}

int main(void)
{
    crm_dataset *orders = NULL, *customers = NULL, *totals = NULL, *joined = NULL;
    crm_status st;
    int rc = 1;

    /* order lines: customer, invoice, amount (NaN = missing) */
    const char *customer[] = {"C2", "C1", "C2", NULL, "C3", "C2"};
    const char *invoice[] = {"I1", "I2", "I1", "I3", "I4", "I5"};
    double amount[] = {10.5, 3, 4.5, 7, NAN, 2};
    if ((st = crm_dataset_new(&orders)) ||
        (st = crm_dataset_add_text(orders, "customer", customer, 6)) ||
        (st = crm_dataset_add_text(orders, "invoice", invoice, 6)) ||
        (st = crm_dataset_add_number(orders, "amount", amount, 6))) {
        fail("building orders", st);
        goto done;
    }

    /* group: one row per customer (missing customer last), four aggregates */
    const char *keys[] = {"customer"};
    const char *aggs[] = {"lines=count()", "sum(amount)", "mean(amount)",
                          "invoices=count_distinct(invoice)"};
    if ((st = crm_dataset_group(orders, keys, 1, aggs, 4, &totals))) {
        fail("crm_dataset_group", st);
        goto done;
    }
    printf("per customer:\n");
    print(totals);

    /* join: the totals onto a customer table (its own dictionary of names) */
    const char *id[] = {"C1", "C2", "C4"};
    const char *city[] = {"Leeds", "York", "Bath"};
    if ((st = crm_dataset_new(&customers)) ||
        (st = crm_dataset_add_text(customers, "customer", id, 3)) ||
        (st = crm_dataset_add_text(customers, "city", city, 3))) {
        fail("building customers", st);
        goto done;
    }
    if ((st = crm_dataset_join(customers, totals, keys, 1, CRM_JOIN_LEFT, &joined))) {
        fail("crm_dataset_join", st);
        goto done;
    }
    printf("\ncustomers with their totals (left join):\n");
    print(joined);

    /* a bad aggregation is an error with a message, not a crash */
    const char *bad[] = {"sum(customer)"};
    crm_dataset *none = NULL;
    st = crm_dataset_group(orders, keys, 1, bad, 1, &none);
    printf("\nsum(customer): %s: %s\n", crm_status_str(st), crm_last_error());
    rc = 0;
done:
    crm_dataset_free(joined);
    crm_dataset_free(customers);
    crm_dataset_free(totals);
    crm_dataset_free(orders);
    return rc;
}
