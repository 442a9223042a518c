/* libcrm market-basket example: which products sell together? Finds the
 * frequent itemsets of the invoices and prints the top cross-sell rules by
 * lift. Without arguments it uses the synthetic shop (crm_synth_transactions);
 * with a CSV file of Online Retail's columns (InvoiceNo, Description, Quantity,
 * Country) it analyses that file, optionally for one country.
 *
 *   ./apriori                                   # the synthetic shop
 *   ./apriori online_retail.csv.gz France       # French invoices, 5% support
 */
#include <crm.h>
#include <crm/assoc.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "apriori: %s failed (%s): %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

/* Print the first `top` rules: lift, confidence, support, antecedent -> consequent. */
static crm_status print_rules(const crm_dataset *rules, size_t top)
{
    size_t n = crm_dataset_nrows(rules), ca, cc, cl, cf, cs;
    crm_status st = crm_dataset_column_index(rules, "antecedent", &ca);
    if (st == CRM_OK) st = crm_dataset_column_index(rules, "consequent", &cc);
    if (st == CRM_OK) st = crm_dataset_column_index(rules, "lift", &cl);
    if (st == CRM_OK) st = crm_dataset_column_index(rules, "confidence", &cf);
    if (st == CRM_OK) st = crm_dataset_column_index(rules, "support", &cs);
    if (st != CRM_OK) return st;
    printf("%7s %10s %8s  rule\n", "lift", "confidence", "support");
    for (size_t r = 0; r < n && r < top; r++) {
        const char *a = NULL, *c = NULL;
        double lift, conf, sup;
        if ((st = crm_dataset_get_text(rules, ca, r, &a)) != CRM_OK ||
            (st = crm_dataset_get_text(rules, cc, r, &c)) != CRM_OK ||
            (st = crm_dataset_get_number(rules, cl, r, 1, &lift)) != CRM_OK ||
            (st = crm_dataset_get_number(rules, cf, r, 1, &conf)) != CRM_OK ||
            (st = crm_dataset_get_number(rules, cs, r, 1, &sup)) != CRM_OK)
            return st;
        printf("%7.2f %10.3f %8.4f  {%s} -> {%s}\n", lift, conf, sup, a, c);
    }
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_dataset *raw = NULL, *tx = NULL, *itemsets = NULL, *rules = NULL;
    crm_status st;

    /* 1. order lines: one row per (invoice, product) */
    if (argc > 1) {
        st = crm_dataset_read_csv(argv[1], NULL, &raw);
        if (st != CRM_OK) return fail("crm_dataset_read_csv", st);
    } else {
        crm_synth_options so;
        st = crm_synth_options_init(&so, sizeof so);
        if (st != CRM_OK) return fail("crm_synth_options_init", st);
        st = crm_synth_transactions(&so, &raw);
        if (st != CRM_OK) return fail("crm_synth_transactions", st);
    }

    /* 2. sales only (no returns or cancellations), optionally one country */
    char expr[256];
    snprintf(expr, sizeof expr, "Quantity > 0 and not startswith(InvoiceNo, 'C')%s%s%s",
             argc > 2 ? " and Country = '" : "", argc > 2 ? argv[2] : "", argc > 2 ? "'" : "");
    st = crm_dataset_filter(raw, expr, &tx);
    crm_dataset_free(raw);
    if (st != CRM_OK) return fail("crm_dataset_filter", st);

    /* 3. itemsets in at least 1% of the invoices (5% for one country), and the
     *    rules with confidence >= 0.3 and lift >= 2 */
    crm_apriori_options o;
    st = crm_apriori_options_init(&o, sizeof o);
    if (st != CRM_OK) return fail("crm_apriori_options_init", st);
    o.min_support = argc > 2 ? 0.05 : 0.01;
    o.min_confidence = 0.3;
    o.min_lift = 2;
    st = crm_apriori(tx, "InvoiceNo", "Description", &o, &itemsets, &rules);
    crm_dataset_free(tx);
    if (st != CRM_OK) return fail("crm_apriori", st);

    /* 4. report */
    printf("%zu frequent itemsets, %zu rules; the top 10 by lift:\n", crm_dataset_nrows(itemsets),
           crm_dataset_nrows(rules));
    st = print_rules(rules, 10);
    crm_dataset_free(itemsets);
    crm_dataset_free(rules);
    if (st != CRM_OK) return fail("reading the rules", st);
    return 0;
}
