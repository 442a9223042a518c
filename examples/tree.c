/* Churn rules with a CART decision tree: generate 5,000 customers (tenure, contract type,
 * monthly spend, support calls with some missing values) whose churn depends on contract
 * and tenure, fit a depth-3 tree, print its if/then rules and feature importances, save the
 * model, load it back and check that it predicts the same. Runs without arguments. */
#include <crm.h>
#include <crm/model.h>
#include <crm/tree.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 5000

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, crm_last_error());
    return 1;
}

int main(void)
{
    static double tenure[N], spend[N], calls[N];
    static const char *contract[N], *churn[N];
    static const char *const kinds[] = {"month-to-month", "one year", "two year"};
    unsigned s = 2024;
    for (int i = 0; i < N; i++) {
        double u[4];
        for (int k = 0; k < 4; k++) {
            s = s * 1103515245u + 12345u;
            u[k] = (double)(s >> 8) / 16777216.0;
        }
        int c = u[0] < 0.55 ? 0 : (u[0] < 0.8 ? 1 : 2);
        contract[i] = kinds[c];
        tenure[i] = floor(u[1] * 72);
        spend[i] = 20 + floor(u[2] * 10000) / 100;
        calls[i] = i % 17 == 0 ? NAN : floor(u[3] * 6); /* some unknown */
        double risk = (c == 0   ? 0.45
                       : c == 1 ? 0.12
                                : 0.03) +
                      (tenure[i] < 6 ? 0.25 : 0.0) + (calls[i] >= 4 ? 0.1 : 0.0);
        s = s * 1103515245u + 12345u;
        churn[i] = (double)(s >> 8) / 16777216.0 < risk ? "yes" : "no";
    }
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) != CRM_OK ||
        crm_dataset_add_number(ds, "tenure", tenure, N) != CRM_OK ||
        crm_dataset_add_text(ds, "contract", contract, N) != CRM_OK ||
        crm_dataset_add_number(ds, "monthly_spend", spend, N) != CRM_OK ||
        crm_dataset_add_number(ds, "support_calls", calls, N) != CRM_OK ||
        crm_dataset_add_text(ds, "churn", churn, N) != CRM_OK)
        return fail("dataset");

    const char *features[] = {"tenure", "contract", "monthly_spend", "support_calls"};
    crm_tree_options o;
    crm_tree_options_init(&o, sizeof o);
    o.max_depth = 3;
    o.min_samples_leaf = 50;
    o.positive = "yes"; /* the rules show the churn share p(yes) of each leaf */
    crm_model *m = NULL;
    if (crm_tree_fit(ds, "churn", features, 4, &o, &m) != CRM_OK) return fail("crm_tree_fit");

    double leaves = 0, acc = 0;
    crm_model_stat(m, "leaves", &leaves);
    crm_model_stat(m, "train_accuracy", &acc);
    printf("%d customers, %.0f leaves, training accuracy %.3f\n\n", N, leaves, acc);
    char *rules = NULL;
    if (crm_tree_export_text(m, &rules) != CRM_OK) return fail("crm_tree_export_text");
    fputs(rules, stdout);
    crm_free(rules);

    crm_dataset *imp = NULL;
    if (crm_tree_feature_importances(m, &imp) != CRM_OK) return fail("importances");
    printf("\nfeature importances:\n");
    for (size_t j = 0; j < 4; j++) {
        const char *name = NULL;
        double v = 0;
        crm_dataset_get_text(imp, 0, j, &name);
        crm_dataset_get_number(imp, 1, j, 1, &v);
        printf("  %-14s %.3f\n", name, v);
    }
    crm_dataset_free(imp);

    /* save, load, predict with both: the same labels and probabilities */
    const char *path = "tree_example_model.json";
    crm_model *back = NULL;
    if (crm_model_save(m, path) != CRM_OK) return fail("crm_model_save");
    if (crm_model_load(path, &back) != CRM_OK) return fail("crm_model_load");
    remove(path);
    if (crm_model_predict(m, ds, "p1") != CRM_OK || crm_model_predict(back, ds, "p2") != CRM_OK)
        return fail("crm_model_predict");
    size_t c1, c2, q1, q2;
    crm_dataset_column_index(ds, "p1", &c1);
    crm_dataset_column_index(ds, "p2", &c2);
    crm_dataset_column_index(ds, "p1_proba", &q1);
    crm_dataset_column_index(ds, "p2_proba", &q2);
    size_t same = 0;
    for (size_t i = 0; i < N; i++) {
        const char *a = NULL, *b = NULL;
        double pa = 0, pb = 0;
        crm_dataset_get_text(ds, c1, i, &a);
        crm_dataset_get_text(ds, c2, i, &b);
        crm_dataset_get_number(ds, q1, i, 1, &pa);
        crm_dataset_get_number(ds, q2, i, 1, &pb);
        same += strcmp(a, b) == 0 && pa == pb;
    }
    printf("\nreloaded model agrees on %zu of %d customers\n", same, N);
    crm_model_free(back);
    crm_model_free(m);
    crm_dataset_free(ds);
    return same == N ? 0 : 1;
}
