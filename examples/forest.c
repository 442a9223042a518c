/* Churn prediction with a random forest: generate 5,000 customers (tenure, contract type,
 * monthly spend, support calls with some missing values) whose churn depends on contract
 * and tenure, fit a forest of 200 trees on the first 4,000 and a single depth-3 tree for
 * comparison, print the forest's out-of-bag error and feature importances (impurity and
 * permutation), the held-out accuracy of both models, then save the forest, load it back and
 * check that it predicts the same. Runs without arguments. */
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
    /* the first 4,000 customers train, the last 1,000 are held out */
    crm_dataset *train = NULL, *test = NULL;
    for (int part = 0; part < 2; part++) {
        size_t lo = part ? 4000 : 0, n = part ? N - 4000 : 4000;
        crm_dataset **ds = part ? &test : &train;
        if (crm_dataset_new(ds) != CRM_OK ||
            crm_dataset_add_number(*ds, "tenure", tenure + lo, n) != CRM_OK ||
            crm_dataset_add_text(*ds, "contract", contract + lo, n) != CRM_OK ||
            crm_dataset_add_number(*ds, "monthly_spend", spend + lo, n) != CRM_OK ||
            crm_dataset_add_number(*ds, "support_calls", calls + lo, n) != CRM_OK ||
            crm_dataset_add_text(*ds, "churn", churn + lo, n) != CRM_OK)
            return fail("dataset");
    }

    const char *features[] = {"tenure", "contract", "monthly_spend", "support_calls"};
    crm_forest_options o;
    crm_forest_options_init(&o, sizeof o); /* pass YOUR sizeof: see crm/common.h */
    o.n_trees = 200;
    o.min_samples_leaf = 5;
    o.importance = CRM_FOREST_IMPORTANCE_PERMUTATION;
    o.seed = 42;
    crm_model *forest = NULL;
    if (crm_forest_fit(train, "churn", features, 4, &o, &forest) != CRM_OK)
        return fail("crm_forest_fit");
    double oob = 0, mtry = 0;
    crm_model_stat(forest, "oob_error", &oob);
    crm_model_stat(forest, "mtry", &mtry);
    printf("forest: 200 trees, mtry %.0f, out-of-bag error %.3f\n", mtry, oob);

    crm_dataset *imp = NULL;
    if (crm_forest_feature_importances(forest, &imp) != CRM_OK) return fail("importances");
    printf("\n  %-14s %10s %12s\n", "feature", "impurity", "permutation");
    for (size_t j = 0; j < 4; j++) {
        const char *name = NULL;
        double v = 0, p = 0;
        crm_dataset_get_text(imp, 0, j, &name);
        crm_dataset_get_number(imp, 1, j, 1, &v);
        crm_dataset_get_number(imp, 2, j, 1, &p);
        printf("  %-14s %10.3f %12.4f\n", name, v, p);
    }
    crm_dataset_free(imp);

    crm_tree_options to;
    crm_tree_options_init(&to, sizeof to);
    to.max_depth = 3;
    to.min_samples_leaf = 50;
    crm_model *tree = NULL;
    if (crm_tree_fit(train, "churn", features, 4, &to, &tree) != CRM_OK)
        return fail("crm_tree_fit");

    /* held-out accuracy of both */
    if (crm_model_predict(forest, test, "forest") != CRM_OK ||
        crm_model_predict(tree, test, "tree") != CRM_OK)
        return fail("crm_model_predict");
    size_t cy, cf, ct, n = crm_dataset_nrows(test), good_f = 0, good_t = 0;
    crm_dataset_column_index(test, "churn", &cy);
    crm_dataset_column_index(test, "forest", &cf);
    crm_dataset_column_index(test, "tree", &ct);
    for (size_t i = 0; i < n; i++) {
        const char *y = NULL, *f = NULL, *t = NULL;
        crm_dataset_get_text(test, cy, i, &y);
        crm_dataset_get_text(test, cf, i, &f);
        crm_dataset_get_text(test, ct, i, &t);
        good_f += strcmp(y, f) == 0;
        good_t += strcmp(y, t) == 0;
    }
    printf("\nheld-out accuracy on %zu customers: forest %.3f, depth-3 tree %.3f\n", n,
           (double)good_f / (double)n, (double)good_t / (double)n);

    /* save (written tree by tree), load, predict with both: the same labels and shares */
    const char *path = "forest_example_model.json";
    crm_model *back = NULL;
    if (crm_model_save(forest, path) != CRM_OK) return fail("crm_model_save");
    if (crm_model_load(path, &back) != CRM_OK) return fail("crm_model_load");
    remove(path);
    if (crm_model_predict(back, test, "again") != CRM_OK) return fail("crm_model_predict");
    size_t ca, pf, pa, same = 0;
    crm_dataset_column_index(test, "again", &ca);
    crm_dataset_column_index(test, "forest_proba", &pf);
    crm_dataset_column_index(test, "again_proba", &pa);
    for (size_t i = 0; i < n; i++) {
        const char *f = NULL, *a = NULL;
        double qf = 0, qa = 0;
        crm_dataset_get_text(test, cf, i, &f);
        crm_dataset_get_text(test, ca, i, &a);
        crm_dataset_get_number(test, pf, i, 1, &qf);
        crm_dataset_get_number(test, pa, i, 1, &qa);
        same += strcmp(f, a) == 0 && qf == qa;
    }
    printf("reloaded forest agrees on %zu of %zu customers\n", same, n);
    crm_model_free(back);
    crm_model_free(tree);
    crm_model_free(forest);
    crm_dataset_free(train);
    crm_dataset_free(test);
    return same == n ? 0 : 1;
}
