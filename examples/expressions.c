/* libcrm expressions: filter rows and derive columns with
 * crm_dataset_filter() and crm_dataset_mutate() (see docs/expressions.md).
 *
 *   ./expressions                   # a built-in table of eight order lines
 *   ./expressions online_retail.csv.gz
 *
 * The file must have the Online Retail columns CustomerID, Quantity,
 * UnitPrice, InvoiceNo and InvoiceDate. Every call's status is checked; on
 * failure the program prints crm_last_error() and exits 1.
 */
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "expressions: %s failed (%s): %s\n", what, crm_status_str(st),
            crm_last_error());
    return 1;
}

/* Eight order lines: a cancellation, a line without customer, a free sample. */
static crm_status build_orders(crm_dataset **out)
{
    const char *invoice[] = {"536365", "536365", "C536379", "536370",
                             "536371", "536372", "536373", "536374"};
    double customer[] = {17850, 17850, 14527, 12583, NAN, 13047, 13047, 15100};
    double quantity[] = {6, 8, -1, 24, 3, 2, 12, 32};
    double price[] = {2.55, 3.39, 27.50, 3.75, 4.25, 0, 1.65, 10.95};
    int64_t date[] = {1291191960, 1291191960, 1291200000, 1294000000,
                      1294100000, 1294200000, 1323419160, 1323420000};
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st == CRM_OK) st = crm_dataset_add_text(ds, "InvoiceNo", invoice, 8);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "CustomerID", customer, 8);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "Quantity", quantity, 8);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "UnitPrice", price, 8);
    if (st == CRM_OK) st = crm_dataset_add_time(ds, "InvoiceDate", date, 8);
    if (st != CRM_OK) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

/* Print the first `max` rows of every column. */
static crm_status print_rows(const crm_dataset *ds, size_t max)
{
    size_t ncols = crm_dataset_ncols(ds), nrows = crm_dataset_nrows(ds);
    crm_status st;
    for (size_t c = 0; c < ncols; c++) {
        const char *name;
        if ((st = crm_dataset_column_name(ds, c, &name)) != CRM_OK) return st;
        printf("%s%s", c ? "\t" : "", name);
    }
    printf("\n");
    for (size_t r = 0; r < nrows && r < max; r++) {
        for (size_t c = 0; c < ncols; c++) {
            int32_t type;
            if ((st = crm_dataset_column_type(ds, c, &type)) != CRM_OK) return st;
            printf("%s", c ? "\t" : "");
            if (type == CRM_TYPE_NUMBER) {
                double v;
                if ((st = crm_dataset_get_number(ds, c, r, 1, &v)) != CRM_OK) return st;
                if (isnan(v))
                    printf("NA");
                else
                    printf("%g", v);
            } else if (type == CRM_TYPE_TEXT) {
                const char *s;
                if ((st = crm_dataset_get_text(ds, c, r, &s)) != CRM_OK) return st;
                printf("%s", s ? s : "NA");
            } else {
                int64_t t;
                if ((st = crm_dataset_get_time(ds, c, r, 1, &t)) != CRM_OK) return st;
                time_t tt = (time_t)t;
                struct tm *tm = t == CRM_TIME_MISSING ? NULL : gmtime(&tt);
                char buf[32] = "NA";
                if (tm) strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", tm);
                printf("%s", buf);
            }
        }
        printf("\n");
    }
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_dataset *ds = NULL, *sales = NULL, *big = NULL, *none = NULL;
    crm_status st;
    if (argc > 1) {
        st = crm_dataset_read_csv(argv[1], NULL, &ds);
        if (st != CRM_OK) return fail("crm_dataset_read_csv", st);
    } else {
        st = build_orders(&ds);
        if (st != CRM_OK) return fail("building the orders", st);
    }

    /* Keep real sales: a known customer, a positive quantity and price, and an
     * invoice number that does not start with C (cancellations). */
    st = crm_dataset_filter(ds,
                            "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                            "and not startswith(InvoiceNo, 'C')",
                            &sales);
    if (st != CRM_OK) goto fail_filter;
    printf("%zu of %zu rows are sales\n", crm_dataset_nrows(sales), crm_dataset_nrows(ds));

    /* Derive columns: the line amount, its year and whether it is large. */
    st = crm_dataset_mutate(sales, "amount", "round(Quantity * UnitPrice, 2)");
    if (st == CRM_OK) st = crm_dataset_mutate(sales, "year", "year(InvoiceDate)");
    if (st == CRM_OK) st = crm_dataset_mutate(sales, "large", "Quantity * UnitPrice >= 100");
    if (st != CRM_OK) goto fail_mutate;

    st = crm_dataset_filter(sales, "large and InvoiceDate >= date('2011-01-01')", &big);
    if (st != CRM_OK) goto fail_filter;
    printf("%zu large sales since 2011-01-01:\n", crm_dataset_nrows(big));
    st = print_rows(big, 5);
    if (st != CRM_OK) goto fail_print;

    /* A malformed expression is refused with the position of the problem. */
    st = crm_dataset_filter(ds, "(Quantity > 0", &none);
    printf("\"(Quantity > 0\" -> %s: %s\n", crm_status_str(st), crm_last_error());
    st = crm_dataset_filter(ds, "Country + 1 > 0", &none);
    printf("\"Country + 1 > 0\" -> %s: %s\n", crm_status_str(st), crm_last_error());

    crm_dataset_free(big);
    crm_dataset_free(sales);
    crm_dataset_free(ds);
    return 0;

fail_filter:
    fail("crm_dataset_filter", st);
    goto cleanup;
fail_mutate:
    fail("crm_dataset_mutate", st);
    goto cleanup;
fail_print:
    fail("reading the result", st);
cleanup:
    crm_dataset_free(big);
    crm_dataset_free(sales);
    crm_dataset_free(ds);
    return 1;
}
