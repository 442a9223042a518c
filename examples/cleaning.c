/* libcrm cleaning example: deduplicate, drop rows without a customer, fill
 * gaps, tame outliers and convert a column, printing what each step did.
 * Without arguments it cleans a small table built in memory; with a CSV file
 * of Online Retail's columns (InvoiceNo, StockCode, Quantity, InvoiceDate,
 * UnitPrice, CustomerID) it cleans that file and writes cleaned.csv.
 *
 *   ./cleaning                          # the built-in table
 *   ./cleaning online_retail.csv.gz     # your own transactions
 */
#include <crm.h>
#include <crm/clean.h>

#include <math.h>
#include <stdio.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "cleaning: %s failed (%s): %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

/* A small, dirty order table: a repeated line, gaps, one absurd quantity. */
static crm_status build_demo(crm_dataset **out)
{
    const char *invoice[] = {"536365", "536365", "536366", "536366", "536367",
                             "536368", "536369", "536370", "536371", "536372"};
    const char *stock[] = {"85123A", "71053", "22633", "22633", "84879",
                           "22960",  "21756", "22728", "21730", "22086"};
    double quantity[] = {6, 6, 12, 12, 32, NAN, 3, 24, 8, 9000};
    double price[] = {2.55, 3.39, 1.85, 1.85, 1.69, 4.25, 2.1, 3.75, NAN, 2.55};
    double customer[] = {17850, 17850, 17850, 17850, 13047, 13047, NAN, 12583, 17850, 14688};
    const char *date[] = {"2010-12-01 08:26", "2010-12-01 08:26", "2010-12-01 08:28",
                          "2010-12-01 08:28", "2010-12-01 08:34", "2010-12-01 08:34",
                          "2010-12-01 08:35", "2010-12-01 08:45", "2010-12-01 09:00",
                          "2010-12-01 09:01"};
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st == CRM_OK) st = crm_dataset_add_text(ds, "InvoiceNo", invoice, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(ds, "StockCode", stock, 10);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "Quantity", quantity, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(ds, "InvoiceDate", date, 10);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "UnitPrice", price, 10);
    if (st == CRM_OK) st = crm_dataset_add_number(ds, "CustomerID", customer, 10);
    /* the dates came in as text: make them a time column */
    if (st == CRM_OK) st = crm_clean_convert(ds, "InvoiceDate", CRM_TYPE_TIME, NULL);
    if (st != CRM_OK) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_dataset *ds = NULL;
    crm_status st = argc > 1 ? crm_dataset_read_csv(argv[1], NULL, &ds) : build_demo(&ds);
    if (st != CRM_OK) return fail(argc > 1 ? argv[1] : "building the table", st);
    printf("rows: %zu\n", crm_dataset_nrows(ds));

    /* 1. exact duplicate lines (every column equal), keep the first */
    size_t removed = 0;
    st = crm_clean_dedup(ds, NULL, 0, CRM_KEEP_FIRST, &removed);
    if (st != CRM_OK) return crm_dataset_free(ds), fail("dedup", st);
    printf("dedup: %zu duplicate rows removed, %zu left\n", removed, crm_dataset_nrows(ds));

    /* 2. rows without a customer are useless for customer analytics */
    const char *needed[] = {"CustomerID"};
    st = crm_clean_drop_missing(ds, needed, 1, &removed);
    if (st != CRM_OK) return crm_dataset_free(ds), fail("drop_missing", st);
    printf("drop_missing: %zu rows without CustomerID removed, %zu left\n", removed,
           crm_dataset_nrows(ds));

    /* 3. fill gaps: quantity by the median, price by interpolation in time order */
    size_t filled = 0;
    st = crm_clean_impute(ds, "Quantity", CRM_IMPUTE_MEDIAN, NULL, &filled);
    if (st != CRM_OK) return crm_dataset_free(ds), fail("impute Quantity", st);
    printf("impute: %zu quantities set to the median\n", filled);
    crm_impute_options io;
    st = crm_impute_options_init(&io, sizeof io);
    if (st == CRM_OK) {
        io.order_by = "InvoiceDate";
        st = crm_clean_impute(ds, "UnitPrice", CRM_IMPUTE_LINEAR, &io, &filled);
    }
    if (st != CRM_OK) return crm_dataset_free(ds), fail("impute UnitPrice", st);
    printf("impute: %zu prices interpolated in time order\n", filled);

    /* 4. flag quantities far from the rest (modified z-score > 3.5), then clip
     *    them to Tukey's fences */
    size_t outliers = 0;
    st = crm_clean_outliers(ds, "Quantity", CRM_OUTLIER_MAD, 0, CRM_OUTLIER_FLAG, &outliers);
    if (st != CRM_OK) return crm_dataset_free(ds), fail("outliers (flag)", st);
    printf("outliers: %zu quantities flagged in Quantity_outlier\n", outliers);
    st = crm_clean_outliers(ds, "Quantity", CRM_OUTLIER_IQR, 1.5, CRM_OUTLIER_CLIP, &outliers);
    if (st != CRM_OK) return crm_dataset_free(ds), fail("outliers (clip)", st);
    printf("outliers: %zu quantities clipped to the IQR fences\n", outliers);

    /* 5. customer ids are labels, not amounts */
    st = crm_clean_convert(ds, "CustomerID", CRM_TYPE_TEXT, NULL);
    if (st != CRM_OK) return crm_dataset_free(ds), fail("convert", st);

    char *csv = NULL;
    if (argc > 1) {
        st = crm_dataset_write_csv(ds, "cleaned.csv", NULL);
        if (st == CRM_OK) printf("wrote cleaned.csv: %zu rows\n", crm_dataset_nrows(ds));
    } else {
        st = crm_dataset_to_csv_string(ds, NULL, &csv);
        if (st == CRM_OK) printf("\n%s", csv);
        crm_free(csv);
    }
    crm_dataset_free(ds);
    return st == CRM_OK ? 0 : fail("writing", st);
}
