/* The elbow table: k-means inertia for each k of a range. */
#include "kmeans/kmeans_internal.h"

static crm_status kmeans_elbow_pinned(const crm_dataset *ds, const char *const *cols, size_t ncols,
                                      int32_t k_min, int32_t k_max, const crm_kmeans_options *opts,
                                      crm_dataset **out)
{
    const char *w = "crm_kmeans_elbow";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    if (k_min < 1 || k_max < k_min)
        return crm__error(CRM_E_INVALID, "%s: need 1 <= k_min <= k_max (got %d..%d)", w, (int)k_min,
                          (int)k_max);
    crm_kmeans_options defaults, o;
    crm_status st = crm_kmeans_options_init(&defaults, sizeof defaults);
    if (st == CRM_OK)
        st = crm__options_load(&o, opts, &defaults, sizeof defaults,
                               offsetof(crm_kmeans_options, user) + sizeof(void *),
                               "crm_kmeans_options");
    if (st != CRM_OK) return st;
    if (o.init == CRM_KMEANS_INIT_GIVEN)
        return crm__error(CRM_E_INVALID, "%s: init GIVEN cannot be used for a range of k", w);
    o.init_centers = NULL; /* unused without GIVEN, and its length fits one k only */
    o.n_init_centers = 0;
    const crm_dataset *work = NULL; /* the steps are applied once, for every k */
    st = crm__steps_apply(ds, o.mutate, o.n_mutate, w, &work);
    if (st != CRM_OK) return st;
    o.mutate = NULL;
    o.n_mutate = 0;
    size_t nk = (size_t)k_max - (size_t)k_min + 1;
    double *kv = crm__malloc_array(nk, sizeof *kv);
    double *iv = crm__malloc_array(nk, sizeof *iv);
    double *nv = crm__malloc_array(nk, sizeof *nv);
    crm_dataset *t = NULL;
    if (!kv || !iv || !nv) st = crm__nomem();
    for (size_t i = 0; st == CRM_OK && i < nk; i++) {
        crm_model *m = NULL;
        o.k = k_min + (int32_t)i;
        st = crm_kmeans_fit(work, cols, ncols, &o, &m);
        if (st == CRM_OK) {
            kv[i] = (double)o.k;
            crm_model_stat(m, "inertia", &iv[i]);
            crm_model_stat(m, "n_iter", &nv[i]);
        }
        crm_model_free(m);
    }
    crm__steps_release(ds, work);
    if (st == CRM_OK) st = crm_dataset_new(&t);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "k", kv, nk);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "inertia", iv, nk);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "n_iter", nv, nk);
    crm__free(kv);
    crm__free(iv);
    crm__free(nv);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

/* crm_kmeans_elbow pins ds for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_kmeans_elbow(const crm_dataset *ds, const char *const *cols, size_t ncols,
                            int32_t k_min, int32_t k_max, const crm_kmeans_options *opts,
                            crm_dataset **out)
{
    crm__dataset_pin(ds);
    crm_status st = kmeans_elbow_pinned(ds, cols, ncols, k_min, k_max, opts, out);
    crm__dataset_unpin(ds);
    return st;
}
