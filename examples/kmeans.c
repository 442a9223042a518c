/* k-means segmentation with libcrm: generate 3,000 customers with three
 * spending patterns, fit k-means on standardized features, print the clusters,
 * save the model, load it back and check that it predicts the same segments.
 * Runs without arguments. */
#include <crm.h>
#include <crm/kmeans.h>
#include <crm/model.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 3000

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, crm_last_error());
    return 1;
}

int main(void)
{
    /* three groups: rare small spenders, regulars, a few big spenders */
    static double visits[N], spend[N];
    unsigned s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        double u = (double)(s >> 8) / 16777216.0;
        int g = i % 10 < 6 ? 0 : (i % 10 < 9 ? 1 : 2);
        visits[i] = (g == 0 ? 2 : g == 1 ? 12 : 30) + 4 * u;
        spend[i] = (g == 0 ? 40 : g == 1 ? 300 : 2500) * (0.8 + 0.4 * u);
    }
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) != CRM_OK ||
        crm_dataset_add_number(ds, "visits", visits, N) != CRM_OK ||
        crm_dataset_add_number(ds, "spend", spend, N) != CRM_OK)
        return fail("dataset");

    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = 3;
    o.standardize = 1; /* spend is in currency units, visits in counts */
    o.seed = 42;
    const char *cols[] = {"visits", "spend"};
    crm_model *m = NULL;
    if (crm_kmeans_fit(ds, cols, 2, &o, &m) != CRM_OK) return fail("crm_kmeans_fit");

    double inertia = 0, n_iter = 0;
    crm_model_stat(m, "inertia", &inertia);
    crm_model_stat(m, "n_iter", &n_iter);
    printf("inertia %.4f after %.0f iterations\n", inertia, n_iter);

    crm_dataset *sum = NULL;
    if (crm_model_summary(m, &sum) != CRM_OK) return fail("crm_model_summary");
    printf("cluster   size   visits     spend\n");
    for (size_t r = 0; r < crm_dataset_nrows(sum); r++) {
        double c[5];
        for (size_t j = 0; j < 5; j++)
            crm_dataset_get_number(sum, j, r, 1, &c[j]);
        printf("%7.0f %6.0f %8.2f %9.2f\n", c[0], c[1], c[3], c[4]);
    }

    /* save, load, predict with both: the segments are identical */
    if (crm_model_save(m, "kmeans_model.json") != CRM_OK) return fail("crm_model_save");
    crm_model *loaded = NULL;
    if (crm_model_load("kmeans_model.json", &loaded) != CRM_OK) return fail("crm_model_load");
    crm_dataset *a = NULL, *b = NULL;
    if (crm_dataset_clone(ds, &a) != CRM_OK || crm_dataset_clone(ds, &b) != CRM_OK ||
        crm_model_predict(m, a, "segment") != CRM_OK ||
        crm_model_predict(loaded, b, "segment") != CRM_OK)
        return fail("crm_model_predict");
    static double la[N], lb[N];
    crm_dataset_get_number(a, 2, 0, N, la);
    crm_dataset_get_number(b, 2, 0, N, lb);
    int same = 1;
    for (int i = 0; i < N; i++)
        same &= la[i] == lb[i];
    printf("saved and reloaded model predicts the same segments: %s\n", same ? "yes" : "no");
    remove("kmeans_model.json");

    crm_dataset_free(a);
    crm_dataset_free(b);
    crm_dataset_free(sum);
    crm_model_free(loaded);
    crm_model_free(m);
    crm_dataset_free(ds);
    return same ? 0 : 1;
}
