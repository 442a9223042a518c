/* Churn-risk model on generated shop data: synthetic transactions -> a churn
 * table (RFM features from the history before a cutoff, churned = no purchase
 * in the 90 days after it) -> logistic regression with odds ratios ->
 * held-out AUC on a later cutoff -> save the model. Also the textbook linear
 * trend. Runs without arguments. */
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, crm_last_error());
    return 1;
}

/* The churn table of the shop at a cutoff (seconds since the epoch). */
static crm_status churn_table(const crm_dataset *sales, int64_t cutoff, crm_dataset **out)
{
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.amount = "Amount";
    o.invoice = "InvoiceNo";
    o.as_of = cutoff;
    o.churn_days = 90;
    return crm_rfm(sales, &o, out);
}

static double number(const crm_dataset *t, const char *col, size_t row)
{
    size_t ci = 0;
    double v = NAN;
    if (crm_dataset_column_index(t, col, &ci) == CRM_OK) crm_dataset_get_number(t, ci, row, 1, &v);
    return v;
}

int main(void)
{
    /* 1. two years of a 1,000-customer shop, cleaned to real sales */
    crm_synth_options so;
    crm_synth_options_init(&so, sizeof so);
    so.customers = 1000;
    so.seed = 42;
    crm_dataset *shop = NULL, *sales = NULL;
    if (crm_synth_transactions(&so, &shop) != CRM_OK) return fail("synth");
    if (crm_dataset_filter(shop,
                           "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and "
                           "not startswith(InvoiceNo, 'C')",
                           &sales) != CRM_OK)
        return fail("filter");
    if (crm_dataset_mutate(sales, "Amount", "Quantity * UnitPrice") != CRM_OK)
        return fail("mutate");

    /* 2. churn tables at two cutoffs: fit on the first, evaluate on the later one */
    int64_t cutoff = (int64_t)19539 * DAY; /* 2023-07-01 */
    crm_dataset *train = NULL, *later = NULL;
    if (churn_table(sales, cutoff, &train) != CRM_OK) return fail("churn table");
    if (churn_table(sales, cutoff + 93 * DAY, &later) != CRM_OK) return fail("churn table");

    /* 3. logistic regression: odds ratios with 95% intervals */
    const char *features[] = {"recency_days", "frequency", "monetary", "tenure_days"};
    crm_logreg_options lo;
    crm_logreg_options_init(&lo, sizeof lo);
    crm_model *m = NULL;
    if (crm_logreg_fit(train, "churned", features, 4, &lo, &m) != CRM_OK) return fail("logreg");
    crm_dataset *coef = NULL;
    if (crm_model_summary(m, &coef) != CRM_OK) return fail("summary");
    printf("churn model on %zu customers\n", crm_dataset_nrows(train));
    printf("%-14s %12s %10s %10s  %s\n", "term", "estimate", "p_value", "odds_ratio",
           "95% interval");
    for (size_t r = 0; r < crm_dataset_nrows(coef); r++) {
        const char *term = NULL;
        crm_dataset_get_text(coef, 0, r, &term);
        printf("%-14s %12.6g %10.3g %10.5g  [%.5g, %.5g]\n", term, number(coef, "estimate", r),
               number(coef, "p_value", r), number(coef, "odds_ratio", r),
               number(coef, "or_ci_low", r), number(coef, "or_ci_high", r));
    }
    double r2 = NAN;
    crm_model_stat(m, "mcfadden_r2", &r2);
    printf("McFadden R^2 %.4f\n", r2);

    /* 4. held-out AUC: predict the later customers, compare with what they did */
    if (crm_model_predict(m, later, "risk") != CRM_OK) return fail("predict");
    crm_dataset *q = NULL;
    if (crm_metrics_classification(later, "churned", "risk_proba", NULL, &q) != CRM_OK)
        return fail("metrics");
    printf("held-out (%zu customers at the later cutoff): AUC %.4f, log loss %.4f\n",
           crm_dataset_nrows(later), number(q, "auc", 0), number(q, "log_loss", 0));

    /* 5. the model as JSON: a loaded copy predicts bit-identically */
    char *json = NULL;
    if (crm_model_to_json(m, &json) != CRM_OK) return fail("to_json");
    printf("model JSON: %zu bytes\n", strlen(json));
    crm_free(json);

    /* 6. a linear trend: x = 1..5, y = 100, 120, 130, 140, 150 -> y = 92 + 12 x */
    const double x[] = {1, 2, 3, 4, 5}, y[] = {100, 120, 130, 140, 150};
    crm_dataset *tr = NULL;
    crm_model *lm = NULL;
    crm_dataset *lc = NULL;
    const char *xf[] = {"x"};
    if (crm_dataset_new(&tr) != CRM_OK || crm_dataset_add_number(tr, "x", x, 5) != CRM_OK ||
        crm_dataset_add_number(tr, "y", y, 5) != CRM_OK ||
        crm_linreg_fit(tr, "y", xf, 1, NULL, &lm) != CRM_OK || crm_model_summary(lm, &lc) != CRM_OK)
        return fail("trend");
    printf("trend: y = %.6g + %.6g x\n", number(lc, "estimate", 0), number(lc, "estimate", 1));

    crm_dataset_free(lc);
    crm_model_free(lm);
    crm_dataset_free(tr);
    crm_dataset_free(q);
    crm_dataset_free(coef);
    crm_model_free(m);
    crm_dataset_free(later);
    crm_dataset_free(train);
    crm_dataset_free(sales);
    crm_dataset_free(shop);
    return 0;
}
