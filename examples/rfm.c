/* libcrm RFM example: score customers from transaction lines, count them per
 * segment and lifecycle stage, and compute three KPIs (NPS, satisfaction,
 * funnel conversion). Without arguments it uses a small synthetic shop; with
 * a CSV file of Online Retail's columns (InvoiceNo, Quantity, InvoiceDate,
 * UnitPrice, CustomerID) it cleans and scores that file.
 *
 *   ./rfm                              # 200 synthetic customers
 *   ./rfm online_retail.csv.gz         # your own transactions
 */
#include <crm.h>
#include <crm/rfm.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "rfm: %s failed (%s): %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

/* Print how many rows of text column `name` hold each value. */
static crm_status print_counts(const crm_dataset *ds, const char *name)
{
    size_t col, levels, n = crm_dataset_nrows(ds);
    crm_status st = crm_dataset_column_index(ds, name, &col);
    if (st == CRM_OK) st = crm_dataset_text_levels(ds, col, &levels);
    if (st != CRM_OK) return st;
    printf("%s:\n", name);
    for (size_t level = 0; level < levels; level++) {
        const char *value = NULL;
        size_t count = 0;
        st = crm_dataset_text_level(ds, col, level, &value);
        if (st != CRM_OK) return st;
        for (size_t row = 0; row < n; row++) {
            int32_t code;
            st = crm_dataset_get_codes(ds, col, row, 1, &code);
            if (st != CRM_OK) return st;
            count += code == (int32_t)level;
        }
        if (count) printf("  %-20s %6zu\n", value, count);
    }
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_dataset *raw = NULL, *tx = NULL, *rfm = NULL;
    crm_status st;

    /* 1. transaction lines */
    if (argc > 1) {
        st = crm_dataset_read_csv(argv[1], NULL, &raw);
        if (st != CRM_OK) return fail("crm_dataset_read_csv", st);
    } else {
        crm_synth_options so;
        st = crm_synth_options_init(&so, sizeof so);
        if (st != CRM_OK) return fail("crm_synth_options_init", st);
        so.customers = 200;
        so.seed = 7;
        st = crm_synth_transactions(&so, &raw);
        if (st != CRM_OK) return fail("crm_synth_transactions", st);
    }

    /* 2. the standard cleaning: known customer, no returns or cancellations */
    st = crm_dataset_filter(raw,
                            "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                            "and not startswith(InvoiceNo, 'C')",
                            &tx);
    if (st != CRM_OK) {
        crm_dataset_free(raw);
        return fail("crm_dataset_filter", st);
    }

    /* 3. one row per customer */
    crm_rfm_options o;
    st = crm_rfm_options_init(&o, sizeof o);
    if (st == CRM_OK) {
        o.customer = "CustomerID";
        o.date = "InvoiceDate";
        o.quantity = "Quantity";
        o.price = "UnitPrice";
        o.invoice = "InvoiceNo"; /* frequency = distinct invoices */
        st = crm_rfm(tx, &o, &rfm);
    }
    if (st != CRM_OK) {
        crm_dataset_free(tx);
        crm_dataset_free(raw);
        return fail("crm_rfm", st);
    }
    printf("%zu transaction lines, %zu after cleaning, %zu customers\n", crm_dataset_nrows(raw),
           crm_dataset_nrows(tx), crm_dataset_nrows(rfm));
    st = print_counts(rfm, "segment");
    if (st == CRM_OK) st = print_counts(rfm, "lifecycle");
    if (st != CRM_OK) {
        crm_dataset_free(rfm);
        crm_dataset_free(tx);
        crm_dataset_free(raw);
        return fail("reading the RFM table", st);
    }

    /* 4. KPIs on a small survey table: rating 0..10, feedback, furthest stage */
    double rating[] = {10, 9, 9, 8, 7, 6, 10, 3, 9, 10};
    const char *feedback[] = {"good", "good", "bad", "good", "good",
                              NULL,   "good", "bad", "good", "good"};
    const char *stage[] = {"visit", "cart", "purchase", "visit", "cart",
                           "purchase", "visit", "visit", "checkout", "purchase"};
    const char *stages[] = {"visit", "cart", "checkout", "purchase"};
    const char *positive[] = {"good"};
    crm_dataset *survey = NULL, *funnel = NULL;
    double nps = 0, sat = 0;
    st = crm_dataset_new(&survey);
    if (st == CRM_OK) st = crm_dataset_add_number(survey, "rating", rating, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(survey, "feedback", feedback, 10);
    if (st == CRM_OK) st = crm_dataset_add_text(survey, "stage", stage, 10);
    if (st == CRM_OK) st = crm_nps(survey, "rating", &nps);
    if (st == CRM_OK) st = crm_satisfaction(survey, "feedback", positive, 1, &sat);
    if (st == CRM_OK) st = crm_funnel(survey, "stage", stages, 4, &funnel);
    if (st == CRM_OK) {
        /* 6 promoters, 2 detractors of 10: NPS 40; 7 of 9 answers good */
        printf("NPS %.1f, satisfaction %.3f\nfunnel:\n", nps, sat);
        double count[4], conversion[4];
        st = crm_dataset_get_number(funnel, 1, 0, 4, count);
        if (st == CRM_OK) st = crm_dataset_get_number(funnel, 2, 0, 4, conversion);
        for (size_t k = 0; st == CRM_OK && k < 4; k++)
            printf("  %-10s %3.0f  %s%.2f\n", stages[k], count[k], k ? "conversion " : "",
                   k ? conversion[k] : 1.0);
    }
    crm_dataset_free(funnel);
    crm_dataset_free(survey);
    crm_dataset_free(rfm);
    crm_dataset_free(tx);
    crm_dataset_free(raw);
    if (st != CRM_OK) return fail("KPIs", st);
    return 0;
}
