/* libcrm CLV example: from transaction lines to the customers worth the most over
 * the next 12 months. Builds the per-customer summary table (frequency, recency,
 * T, monetary), fits BG/NBD (purchases) and Gamma-Gamma (spend), and prints the
 * parameters and the ten customers with the highest discounted CLV. Without
 * arguments it uses a small synthetic shop; with a CSV file of Online Retail's
 * columns (InvoiceNo, Quantity, InvoiceDate, UnitPrice, CustomerID) that file.
 *
 *   ./clv                              # 1,000 synthetic customers, 2 years
 *   ./clv online_retail.csv.gz         # your own transactions
 */
#include <crm.h>
#include <crm/clv.h>

#include <stdio.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "clv: %s failed (%s): %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

static double stat(const crm_model *m, const char *name)
{
    double v = 0;
    crm_model_stat(m, name, &v);
    return v;
}

/* Print the first n rows of the table sorted by CLV (customer as text or number). */
static crm_status print_top(const crm_dataset *sum, size_t n)
{
    const char *key = "clv";
    const int32_t desc = 1;
    crm_dataset *sorted = NULL;
    crm_status st = crm_dataset_sort(sum, &key, 1, &desc, &sorted);
    if (st != CRM_OK) return st;
    static const char *const cols[5] = {"frequency", "recency", "p_alive", "expected_purchases",
                                        "clv"};
    printf("%-10s %9s %8s %8s %10s %10s\n", "customer", "frequency", "recency", "p_alive",
           "purchases", "clv");
    for (size_t r = 0; r < n && r < crm_dataset_nrows(sorted); r++) {
        double id = 0, v[5] = {0};
        crm_dataset_get_number(sorted, 0, r, 1, &id);
        for (int j = 0; j < 5; j++) {
            size_t c = 0;
            crm_dataset_column_index(sorted, cols[j], &c);
            crm_dataset_get_number(sorted, c, r, 1, &v[j]);
        }
        printf("%-10.0f %9.0f %8.0f %8.3f %10.2f %10.2f\n", id, v[0], v[1], v[2], v[3], v[4]);
    }
    crm_dataset_free(sorted);
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_dataset *raw = NULL, *tx = NULL, *sum = NULL;
    crm_model *m = NULL;
    crm_status st;

    /* 1. transaction lines */
    if (argc > 1) {
        st = crm_dataset_read_csv(argv[1], NULL, &raw);
        if (st != CRM_OK) return fail("crm_dataset_read_csv", st);
    } else {
        crm_synth_options so;
        st = crm_synth_options_init(&so, sizeof so);
        if (st != CRM_OK) return fail("crm_synth_options_init", st);
        so.customers = 1000;
        so.seed = 42;
        st = crm_synth_transactions(&so, &raw);
        if (st != CRM_OK) return fail("crm_synth_transactions", st);
    }

    /* 2. real sales of known customers, with the line amount */
    st = crm_dataset_filter(raw,
                            "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                            "and not startswith(InvoiceNo, 'C')",
                            &tx);
    if (st == CRM_OK) st = crm_dataset_mutate(tx, "Amount", "Quantity * UnitPrice");
    crm_dataset_free(raw);
    if (st != CRM_OK) {
        crm_dataset_free(tx);
        return fail("filter and mutate", st);
    }

    /* 3. one row per customer: frequency, recency, T (days), monetary */
    crm_clv_summary_options so;
    st = crm_clv_summary_options_init(&so, sizeof so);
    if (st == CRM_OK) {
        so.customer = "CustomerID";
        so.date = "InvoiceDate";
        so.amount = "Amount";
        so.period = CRM_CLV_DAY;
        st = crm_clv_summary(tx, &so, &sum);
    }
    crm_dataset_free(tx);
    if (st != CRM_OK) return fail("crm_clv_summary", st);

    /* 4. BG/NBD + Gamma-Gamma; CLV over 12 months at 1 % a month */
    crm_clv_options o;
    st = crm_clv_options_init(&o, sizeof o);
    if (st == CRM_OK) {
        o.period = CRM_CLV_DAY;
        o.horizon = 12;
        o.discount = 0.01;
        st = crm_clv_fit(sum, &o, &m);
    }
    if (st != CRM_OK) {
        crm_dataset_free(sum);
        return fail("crm_clv_fit", st);
    }
    printf("%zu customers, %.0f with repeat purchases\n", crm_dataset_nrows(sum),
           stat(m, "n_repeat"));
    printf("BG/NBD:      r = %.4f  alpha = %.4f  a = %.4f  b = %.4f\n", stat(m, "r"),
           stat(m, "alpha"), stat(m, "a"), stat(m, "b"));
    printf("Gamma-Gamma: p = %.4f  q = %.4f  v = %.4f  (corr(frequency, monetary) %.3f)\n\n",
           stat(m, "p"), stat(m, "q"), stat(m, "v"), stat(m, "corr_frequency_monetary"));

    /* 5. per customer: clv, p_alive, expected_purchases, expected_spend */
    st = crm_model_predict(m, sum, "clv");
    if (st == CRM_OK) st = print_top(sum, 10);
    crm_model_free(m);
    crm_dataset_free(sum);
    if (st != CRM_OK) return fail("crm_model_predict", st);
    return 0;
}
