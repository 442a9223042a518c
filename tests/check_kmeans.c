/* k-means: hand-checked tiny cases, empty-cluster re-seeding, determinism across thread
 * counts and algorithms, standardize, save/load with bit-identical predictions, elbow,
 * silhouette, bad input, cancellation, allocation failures. */
#include "test_util.h"

#include "crm/kmeans.h"
#include "crm/linear.h"
#include "crm/model.h"

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

size_t crm__alloc_live(void);

static crm_dataset *ds_1d(const double *x, size_t n)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, n));
    return ds;
}

static double stat(const crm_model *m, const char *name)
{
    double v = NAN;
    ck_assert_ok(crm_model_stat(m, name, &v));
    return v;
}

static void get_col(const crm_dataset *ds, const char *name, double *out)
{
    size_t ci = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &ci));
    ck_assert_ok(crm_dataset_get_number(ds, ci, 0, crm_dataset_nrows(ds), out));
}

/* Deterministic pseudo-random data: n rows, d columns "c0".."c{d-1}", 4 loose groups. */
static crm_dataset *gen(size_t n, size_t d, uint64_t seed)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    double *v = malloc(n * sizeof *v);
    uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) / 9007199254740992.0;
            v[i] = (double)((i * 7 + j) % 4) * 3.0 + 2.0 * u + (double)j;
        }
        char name[32];
        snprintf(name, sizeof name, "c%zu", j);
        ck_assert_ok(crm_dataset_add_number(ds, name, v, n));
    }
    free(v);
    return ds;
}

static const char *const gen_cols[] = {"c0", "c1", "c2", "c3", "c4", "c5"};

START_TEST(test_tiny_given)
{
    const double x[] = {0, 1, 2, 10, 11, 12};
    const double init[] = {0, 1};
    crm_dataset *ds = ds_1d(x, 6);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 2;
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = init;
    o.tol = 0;
    const char *cols[] = {"x"};
    for (int alg = 0; alg <= 2; alg++) {
        o.algorithm = alg;
        crm_model *m = NULL;
        ck_assert_ok(crm_kmeans_fit(ds, cols, 1, &o, &m));
        ck_assert_int_eq(crm_model_kind(m), CRM_MODEL_KMEANS);
        /* 0 | 1 2 10 11 12 -> centers 0, 7.2 -> 0 1 2 | 10 11 12 -> 1, 11 -> unchanged */
        ck_assert(stat(m, "inertia") == 4.0);
        ck_assert(stat(m, "n_iter") == 3.0);
        ck_assert(stat(m, "iterations") == 3.0);
        ck_assert(stat(m, "converged") == 1.0);
        ck_assert(stat(m, "k") == 2.0);
        ck_assert(stat(m, "n_rows") == 6.0);
        crm_dataset *s = NULL;
        ck_assert_ok(crm_model_summary(m, &s));
        ck_assert_uint_eq(crm_dataset_nrows(s), 2);
        ck_assert_uint_eq(crm_dataset_ncols(s), 4);
        double c[2], sz[2], w[2], xc[2];
        get_col(s, "cluster", c);
        get_col(s, "size", sz);
        get_col(s, "wcss", w);
        get_col(s, "x", xc);
        ck_assert(c[0] == 0 && c[1] == 1);
        ck_assert(sz[0] == 3 && sz[1] == 3);
        ck_assert(w[0] == 2 && w[1] == 2);
        ck_assert(xc[0] == 1 && xc[1] == 11);
        crm_dataset_free(s);
        crm_dataset *p = ds_1d(x, 6);
        ck_assert_ok(crm_model_predict(m, p, "cluster"));
        double lab[6];
        get_col(p, "cluster", lab);
        for (int i = 0; i < 6; i++)
            ck_assert(lab[i] == (i < 3 ? 0.0 : 1.0));
        /* predicting again into the same column name fails and leaves p unchanged */
        ck_assert_error(crm_model_predict(m, p, "cluster"), CRM_E_INVALID);
        ck_assert_uint_eq(crm_dataset_ncols(p), 2);
        crm_dataset_free(p);
        crm_model_free(m);
    }
    /* max_iter = 1: not converged, labels still agree with the final centers */
    o.max_iter = 1;
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 1, &o, &m));
    ck_assert(stat(m, "converged") == 0.0);
    ck_assert(stat(m, "n_iter") == 1.0);
    /* centers 0 and 7.2: rows 0,1,2 -> 0 (wcss 0+1+4), 10,11,12 -> 7.2 */
    double want = 5.0 + (2.8 * 2.8 + 3.8 * 3.8 + 4.8 * 4.8);
    ck_assert_msg(fabs(stat(m, "inertia") - want) < 1e-12, "%.17g", stat(m, "inertia"));
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* n_init_centers: 0 = not given (k * ncols values read, as for callers compiled before the
 * field), otherwise it must be k * ncols; the fit starts from the given centers. */
START_TEST(test_init_centers_length)
{
    const double x[] = {0, 1, 2, 10, 11, 12};
    const double zero[] = {0, 0, 0, 0, 0, 0};
    const double init[] = {0, 0, 1, 0}; /* (0, 0) and (1, 0), row-major */
    crm_dataset *ds = ds_1d(x, 6);
    ck_assert_ok(crm_dataset_add_number(ds, "y", zero, 6));
    const char *cols[] = {"x", "y"};
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    ck_assert_uint_eq(o.n_init_centers, 0);
    o.k = 2;
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = init;
    o.max_iter = 1;
    crm_model *m = NULL;
    /* centers (0, 0) and (7.2, 0) after one pass: rows 0,1,2 -> 0 (wcss 0+1+4), the rest
     * -> 7.2; any other start gives another inertia */
    const double want = 5.0 + (2.8 * 2.8 + 3.8 * 3.8 + 4.8 * 4.8);
    const size_t ok_lengths[] = {0, 4};
    for (size_t i = 0; i < 2; i++) {
        o.n_init_centers = ok_lengths[i];
        ck_assert_ok(crm_kmeans_fit(ds, cols, 2, &o, &m));
        ck_assert(stat(m, "n_iter") == 1.0);
        ck_assert_msg(fabs(stat(m, "inertia") - want) < 1e-12, "%.17g", stat(m, "inertia"));
        crm_model_free(m);
        m = NULL;
    }
    const size_t bad_lengths[] = {1, 2, 3, 5, 8};
    for (size_t i = 0; i < 5; i++) {
        o.n_init_centers = bad_lengths[i];
        ck_assert_error(crm_kmeans_fit(ds, cols, 2, &o, &m), CRM_E_INVALID);
        ck_assert_ptr_null(m);
        char num[32];
        snprintf(num, sizeof num, "has %zu value%s but", bad_lengths[i],
                 bad_lengths[i] == 1 ? "" : "s");
        ck_assert_msg(strstr(crm_last_error(), num) && strstr(crm_last_error(), "= 4"), "%s",
                      crm_last_error());
    }
    /* checked whenever init_centers is set, also with another init */
    o.init = CRM_KMEANS_INIT_RANDOM;
    o.n_init_centers = 2;
    ck_assert_error(crm_kmeans_fit(ds, cols, 2, &o, &m), CRM_E_INVALID);
    /* a count without centers */
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = NULL;
    o.n_init_centers = 4;
    ck_assert_error(crm_kmeans_fit(ds, cols, 2, &o, &m), CRM_E_INVALID);
    /* a caller compiled before n_init_centers: the field is not read */
    crm_kmeans_options old = o;
    old.size = offsetof(crm_kmeans_options, n_init_centers);
    old.init_centers = init;
    old.n_init_centers = 3;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 2, &old, &m));
    ck_assert_msg(fabs(stat(m, "inertia") - want) < 1e-12, "%.17g", stat(m, "inertia"));
    crm_model_free(m);
    /* the elbow refuses GIVEN and does not use init_centers, whatever its length */
    o.init = CRM_KMEANS_INIT_PLUSPLUS;
    o.init_centers = init;
    o.n_init_centers = 4;
    o.max_iter = 300;
    crm_dataset *e = NULL;
    ck_assert_ok(crm_kmeans_elbow(ds, cols, 2, 1, 3, &o, &e));
    ck_assert_uint_eq(crm_dataset_nrows(e), 3);
    crm_dataset_free(e);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_empty_cluster)
{
    /* all rows go to center 0 first; the empty clusters 1 and 2 take the rows
     * farthest from their center: 100 (cluster 1), then 2 (cluster 2) */
    const double x[] = {0, 1, 2, 100};
    const double init[] = {0, 1000, 2000};
    crm_dataset *ds = ds_1d(x, 4);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 3;
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = init;
    o.tol = 0;
    const char *cols[] = {"x"};
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 1, &o, &m));
    ck_assert(stat(m, "inertia") == 0.5);
    ck_assert(stat(m, "n_iter") == 2.0);
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    double xc[3];
    get_col(s, "x", xc);
    ck_assert(xc[0] == 0.5 && xc[1] == 100 && xc[2] == 2);
    crm_dataset_free(s);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

static char *fit_json(const crm_dataset *ds, size_t d, crm_kmeans_options *o)
{
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, d, o, &m));
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    crm_model_free(m);
    return js;
}

START_TEST(test_determinism_threads)
{
    crm_dataset *ds = gen(20000, 5, 1);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 6;
    o.n_init = 3;
    o.seed = 42;
    for (int init = CRM_KMEANS_INIT_PLUSPLUS; init <= CRM_KMEANS_INIT_RANDOM; init++) {
        o.init = init;
        o.n_threads = 1;
        o.algorithm = CRM_KMEANS_LLOYD;
        char *a = fit_json(ds, 5, &o);
        o.n_threads = 2;
        char *b = fit_json(ds, 5, &o);
        o.n_threads = 0;
        char *c = fit_json(ds, 5, &o);
        o.algorithm = CRM_KMEANS_HAMERLY;
        char *h = fit_json(ds, 5, &o);
        ck_assert_str_eq(a, b);
        ck_assert_str_eq(a, c);
        ck_assert_str_eq(a, h);
        free(NULL);
        crm_free(a);
        crm_free(b);
        crm_free(c);
        crm_free(h);
    }
    /* many clusters: smaller GEMM chunks (k * d large), Hamerly under AUTO */
    crm_dataset *big = gen(20000, 6, 7);
    crm_kmeans_options ob;
    ck_assert_ok(crm_kmeans_options_init(&ob, sizeof ob));
    ob.k = 100;
    ob.n_init = 1;
    ob.max_iter = 20;
    ob.n_threads = 1;
    ob.algorithm = CRM_KMEANS_LLOYD;
    char *l1 = fit_json(big, 6, &ob);
    ob.n_threads = 2;
    char *l2 = fit_json(big, 6, &ob);
    ob.algorithm = CRM_KMEANS_AUTO;
    char *h2 = fit_json(big, 6, &ob);
    ck_assert_str_eq(l1, l2);
    ck_assert_str_eq(l1, h2);
    crm_free(l1);
    crm_free(l2);
    crm_free(h2);
    crm_dataset_free(big);
    /* a different seed gives a different run (k-means++ draws) but a similar inertia */
    o.init = CRM_KMEANS_INIT_PLUSPLUS;
    crm_model *m1 = NULL, *m2 = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, 5, &o, &m1));
    o.seed = 43;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, 5, &o, &m2));
    ck_assert(stat(m2, "inertia") < 1.05 * stat(m1, "inertia"));
    ck_assert(stat(m1, "inertia") < 1.05 * stat(m2, "inertia"));
    crm_model_free(m1);
    crm_model_free(m2);
    crm_dataset_free(ds);
}
END_TEST

/* Test hooks of the k-means module (lib/kmeans/kmeans.c): turn the per-chunk cells of
 * center sums off; count AUTO's moves from Lloyd to Hamerly. */
extern _Atomic int crm__km_test_nocells;
extern _Atomic unsigned long crm__km_test_switches;

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Heavily overlapping blobs (as bench/kmeans.c): the labels settle slowly, so that a
 * pass with fewer than 1 % changes comes long before convergence. Columns c0.., and a
 * weight column "w" in [0.5, 1.5). */
static crm_dataset *gen_overlap(size_t n, size_t d, size_t groups)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    double *v = malloc(n * sizeof *v);
    for (size_t j = 0; j <= d; j++) {
        for (size_t i = 0; i < n; i++) {
            double u = (double)(mix64((uint64_t)(i * (d + 1) + j)) >> 11) * 0x1p-53;
            double c = (double)(((i % groups) * 16 + j) * 7919 % 23) - 11.0;
            v[i] = j < d ? c + 40.0 * (u - 0.5) : 0.5 + u;
        }
        char name[32];
        if (j < d)
            snprintf(name, sizeof name, "c%zu", j);
        else
            snprintf(name, sizeof name, "w");
        ck_assert_ok(crm_dataset_add_number(ds, name, v, n));
    }
    free(v);
    return ds;
}

/* JSON of a fit plus its labels (predict on the fitted rows). */
static char *fit_all(const crm_dataset *ds, size_t d, crm_kmeans_options *o, double *lab)
{
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, d, o, &m));
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    crm_dataset *p = NULL;
    ck_assert_ok(crm_dataset_clone(ds, &p));
    ck_assert_ok(crm_model_predict(m, p, "seg"));
    get_col(p, "seg", lab);
    crm_dataset_free(p);
    crm_model_free(m);
    return js;
}

/* AUTO (Lloyd, then Hamerly from bounds recorded by a Lloyd pass), HAMERLY and LLOYD
 * give the same centers, sizes, wcss, inertia, iterations and labels to the last bit,
 * with and without the cells of center sums, on any number of threads; also with
 * standardize and with sample weights. */
START_TEST(test_auto_switch)
{
    size_t n = 30000, d = 4;
    crm_dataset *ds = gen_overlap(n, d, 5);
    double *l0 = malloc(n * sizeof *l0), *l1 = malloc(n * sizeof *l1);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 5;
    o.n_init = 2;
    o.seed = 3;
    o.tol = 0;
    o.max_iter = 60;
    for (int variant = 0; variant < 3; variant++) {
        o.standardize = variant == 1;
        o.sample_weight = variant == 2 ? "w" : NULL;
        atomic_store(&crm__km_test_nocells, 0);
        o.algorithm = CRM_KMEANS_LLOYD;
        o.n_threads = 1;
        char *want = fit_all(ds, d, &o, l0);
        for (int cells = 1; cells >= 0; cells--) {
            atomic_store(&crm__km_test_nocells, !cells);
            for (int alg = CRM_KMEANS_AUTO; alg <= CRM_KMEANS_HAMERLY; alg++) {
                for (int th = 1; th <= 2; th++) {
                    o.algorithm = alg;
                    o.n_threads = th;
                    unsigned long sw0 = atomic_load(&crm__km_test_switches);
                    char *got = fit_all(ds, d, &o, l1);
                    unsigned long sw = atomic_load(&crm__km_test_switches) - sw0;
                    /* AUTO moved to Hamerly in both restarts; the others never move */
                    if (alg == CRM_KMEANS_AUTO)
                        ck_assert_uint_eq(sw, 2);
                    else
                        ck_assert_uint_eq(sw, 0);
                    ck_assert_str_eq(want, got);
                    ck_assert(memcmp(l0, l1, n * sizeof *l0) == 0);
                    crm_free(got);
                }
            }
        }
        crm_free(want);
    }
    atomic_store(&crm__km_test_nocells, 0);
    free(l0);
    free(l1);
    crm_dataset_free(ds);
}
END_TEST

/* An empty cluster re-seeded after the sums of every chunk are formed: the chunk of the
 * moved row must have its sums formed again even where no label of it changes in the
 * next pass. Cells on and off, every algorithm: the same result. */
START_TEST(test_relocate_cells)
{
    size_t n = 20000, d = 3;
    /* gen()'s four groups and one outlying row (row 7000 at 40, 40, 40) */
    crm_dataset *g = gen(n, d, 5), *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    double *v = malloc(n * sizeof *v);
    for (size_t j = 0; j < d; j++) {
        get_col(g, gen_cols[j], v);
        v[7000] = 40.0;
        ck_assert_ok(crm_dataset_add_number(ds, gen_cols[j], v, n));
    }
    free(v);
    crm_dataset_free(g);
    /* The centers of the groups, so that after the first pass no label changes but the
     * re-seeding's (the outlier moves to the last center, far from every row, which
     * no row chose): the outlier's chunk must have its sums formed again although
     * none of its labels changes in the next pass. */
    double init[5 * 3];
    for (size_t c = 0; c < 4; c++)
        for (size_t j = 0; j < d; j++)
            init[c * d + j] = (double)((c + j) % 4) * 3.0 + (double)j + 1.0;
    for (size_t j = 0; j < d; j++)
        init[4 * d + j] = 1e6;
    double *l0 = malloc(n * sizeof *l0), *l1 = malloc(n * sizeof *l1);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 5;
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = init;
    o.tol = 0;
    o.algorithm = CRM_KMEANS_LLOYD;
    atomic_store(&crm__km_test_nocells, 1);
    char *want = fit_all(ds, d, &o, l0);
    /* the far center was re-seeded with the outlier alone; the second pass changed no
     * label */
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, d, &o, &m));
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    double sz[5];
    get_col(s, "size", sz);
    ck_assert(sz[0] + sz[1] + sz[2] + sz[3] == (double)n - 1 && sz[4] == 1);
    ck_assert(stat(m, "n_iter") == 2.0);
    crm_dataset_free(s);
    crm_model_free(m);
    for (int cells = 1; cells >= 0; cells--) {
        atomic_store(&crm__km_test_nocells, !cells);
        for (int alg = CRM_KMEANS_AUTO; alg <= CRM_KMEANS_HAMERLY; alg++) {
            for (int th = 1; th <= 2; th++) {
                o.algorithm = alg;
                o.n_threads = th;
                char *got = fit_all(ds, d, &o, l1);
                ck_assert_str_eq(want, got);
                ck_assert(memcmp(l0, l1, n * sizeof *l0) == 0);
                crm_free(got);
            }
        }
    }
    atomic_store(&crm__km_test_nocells, 0);
    crm_free(want);
    free(l0);
    free(l1);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_save_load_predict)
{
    crm_dataset *ds = gen(3000, 3, 2);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 5;
    o.standardize = 1;
    o.tol = 0; /* strict convergence: the centers are the means of the final labels */
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, 3, &o, &m));
    ck_assert(stat(m, "standardize") == 1.0);
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    ck_assert(strstr(js, "\"mean\":[") != NULL);
    crm_model *m2 = NULL;
    ck_assert_ok(crm_model_from_json(js, &m2));
    /* predict on a different dataset: columns reordered, plus an extra column */
    crm_dataset *q = gen(1000, 4, 9), *q2 = NULL;
    ck_assert_ok(crm_dataset_clone(q, &q2));
    ck_assert_ok(crm_model_predict(m, q, "seg"));
    ck_assert_ok(crm_model_predict(m2, q2, "seg"));
    double *a = malloc(1000 * sizeof *a), *b = malloc(1000 * sizeof *b);
    get_col(q, "seg", a);
    get_col(q2, "seg", b);
    ck_assert(memcmp(a, b, 1000 * sizeof *a) == 0);
    /* fitted rows: predict reproduces the sizes of the summary */
    crm_dataset *p = NULL, *s = NULL;
    ck_assert_ok(crm_dataset_clone(ds, &p));
    ck_assert_ok(crm_model_predict(m2, p, "seg"));
    ck_assert_ok(crm_model_summary(m2, &s));
    double *lab = malloc(3000 * sizeof *lab), sz[5], c0[5];
    get_col(p, "seg", lab);
    get_col(s, "size", sz);
    get_col(s, "c0", c0);
    double tot = 0;
    for (int j = 0; j < 5; j++) {
        size_t cnt = 0;
        double sum = 0;
        double *x = malloc(3000 * sizeof *x);
        get_col(ds, "c0", x);
        for (size_t i = 0; i < 3000; i++)
            if (lab[i] == j) {
                cnt++;
                sum += x[i];
            }
        free(x);
        ck_assert_uint_eq(cnt, (size_t)sz[j]);
        /* centers are reported in original units */
        ck_assert_msg(fabs(sum / (double)cnt - c0[j]) < 1e-9 * (1 + fabs(c0[j])), "%g vs %g",
                      sum / (double)cnt, c0[j]);
        tot += sz[j];
    }
    ck_assert(tot == 3000);
    char *js2 = NULL;
    ck_assert_ok(crm_model_to_json(m2, &js2));
    ck_assert_str_eq(js, js2);
    free(a);
    free(b);
    free(lab);
    crm_free(js);
    crm_free(js2);
    crm_dataset_free(p);
    crm_dataset_free(s);
    crm_dataset_free(q);
    crm_dataset_free(q2);
    crm_model_free(m);
    crm_model_free(m2);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_elbow_silhouette)
{
    crm_dataset *ds = gen(2000, 2, 3);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.n_init = 2;
    crm_dataset *e = NULL;
    ck_assert_ok(crm_kmeans_elbow(ds, gen_cols, 2, 1, 5, &o, &e));
    ck_assert_uint_eq(crm_dataset_nrows(e), 5);
    double k[5], in[5];
    get_col(e, "k", k);
    get_col(e, "inertia", in);
    for (int i = 0; i < 5; i++) {
        ck_assert(k[i] == i + 1);
        if (i) ck_assert(in[i] < in[i - 1]);
    }
    crm_dataset_free(e);
    ck_assert_error(crm_kmeans_elbow(ds, gen_cols, 2, 3, 2, &o, &e), CRM_E_INVALID);
    ck_assert_ptr_null(e);
    /* silhouette by hand: 0 0 | 3 4 (labels 0 0 1 1) */
    const double x[] = {0, 0, 3, 4}, lab[] = {0, 0, 1, 1};
    crm_dataset *t = ds_1d(x, 4);
    ck_assert_ok(crm_dataset_add_number(t, "lab", lab, 4));
    const char *cols[] = {"x"};
    double s = 0;
    ck_assert_ok(crm_silhouette(t, cols, 1, "lab", NULL, &s));
    /* rows 0,1: a=0, b=3.5 -> 1; row 2: a=1, b=3 -> 2/3; row 3: a=1, b=4 -> 3/4 */
    ck_assert(fabs(s - (2.0 + 2.0 / 3.0 + 0.75) / 4.0) < 1e-15);
    /* sampled: the first sample_size rows of a seeded sample, deterministic */
    crm_silhouette_options so;
    ck_assert_ok(crm_silhouette_options_init(&so, sizeof so));
    so.sample_size = 500;
    crm_model *m = NULL;
    o.k = 4;
    ck_assert_ok(crm_kmeans_fit(ds, gen_cols, 2, &o, &m));
    ck_assert_ok(crm_model_predict(m, ds, "cl"));
    double s1 = 0, s2 = 0, sx = 0;
    ck_assert_ok(crm_silhouette(ds, gen_cols, 2, "cl", &so, &s1));
    so.n_threads = 1;
    ck_assert_ok(crm_silhouette(ds, gen_cols, 2, "cl", &so, &s2));
    ck_assert(s1 == s2);
    /* 500 rows are 8 tasks: 2 and 3 workers whatever the number of cores (the
     * ThreadSanitizer run relies on it); the result does not depend on them */
    for (int32_t th = 2; th <= 3; th++) {
        double st = 0;
        so.n_threads = th;
        ck_assert_ok(crm_silhouette(ds, gen_cols, 2, "cl", &so, &st));
        ck_assert(st == s2);
    }
    ck_assert_ok(crm_silhouette(ds, gen_cols, 2, "cl", NULL, &sx));
    ck_assert(fabs(s1 - sx) < 0.1);
    ck_assert(s1 != sx);
    const double one[] = {0, 0, 0, 0};
    ck_assert_ok(crm_dataset_add_number(t, "one", one, 4));
    ck_assert_error(crm_silhouette(t, cols, 1, "one", NULL, &s), CRM_E_INVALID);
    ck_assert(isnan(s));
    crm_model_free(m);
    crm_dataset_free(t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_weights)
{
    /* weights 2,1,1,1 equal the row 0 given twice */
    const double xw[] = {0, 1, 10, 11, 1000}, w[] = {2, 1, 1, 1, 0};
    const double xd[] = {0, 0, 1, 10, 11};
    const double init[] = {0, 10};
    crm_dataset *a = ds_1d(xw, 5), *b = ds_1d(xd, 5);
    ck_assert_ok(crm_dataset_add_number(a, "w", w, 5));
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 2;
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = init;
    o.tol = 0;
    const char *cols[] = {"x"};
    crm_model *mb = NULL;
    ck_assert_ok(crm_kmeans_fit(b, cols, 1, &o, &mb));
    for (int alg = CRM_KMEANS_LLOYD; alg <= CRM_KMEANS_HAMERLY; alg++) {
        o.algorithm = alg;
        o.sample_weight = "w";
        crm_model *ma = NULL;
        /* the weightless row 1000 would be its own cluster without weights */
        ck_assert_ok(crm_kmeans_fit(a, cols, 1, &o, &ma));
        double want = 2.0 / 9.0 + 4.0 / 9.0 + 0.5;
        ck_assert_msg(fabs(stat(ma, "inertia") - want) < 1e-12, "%.17g", stat(ma, "inertia"));
        ck_assert_msg(fabs(stat(mb, "inertia") - want) < 1e-12, "%.17g", stat(mb, "inertia"));
        crm_dataset *sa = NULL;
        ck_assert_ok(crm_model_summary(ma, &sa));
        double ca[2], sz[2];
        get_col(sa, "x", ca);
        get_col(sa, "size", sz);
        ck_assert(fabs(ca[0] - 1.0 / 3.0) < 1e-15);
        /* the weightless row still belongs to the nearest cluster */
        ck_assert(ca[1] == 10.5);
        ck_assert(sz[0] == 2 && sz[1] == 3);
        crm_dataset_free(sa);
        crm_model_free(ma);
    }
    /* bad weights */
    const double neg[] = {1, 1, -1, 1, 1};
    const char *txt[] = {"a", "b", "c", "d", "e"};
    ck_assert_ok(crm_dataset_add_number(a, "neg", neg, 5));
    ck_assert_ok(crm_dataset_add_text(a, "t", txt, 5));
    crm_model *m = (crm_model *)1;
    o.sample_weight = "neg";
    ck_assert_error(crm_kmeans_fit(a, cols, 1, &o, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "row 2: negative weight") != NULL);
    ck_assert_ptr_null(m);
    o.sample_weight = "t";
    ck_assert_error(crm_kmeans_fit(a, cols, 1, &o, &m), CRM_E_TYPE);
    o.sample_weight = "nope";
    ck_assert_error(crm_kmeans_fit(a, cols, 1, &o, &m), CRM_E_NOTFOUND);
    /* only 4 rows of positive weight, all distinct: k = 5 is refused */
    o.sample_weight = "w";
    o.init = CRM_KMEANS_INIT_PLUSPLUS;
    o.k = 5;
    ck_assert_error(crm_kmeans_fit(a, cols, 1, &o, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "positive weight (4)") != NULL);
    crm_model_free(mb);
    crm_dataset_free(a);
    crm_dataset_free(b);
    /* weighted k-means++: identical for any thread count */
    crm_dataset *g = gen(6000, 3, 5);
    double *wv = malloc(6000 * sizeof *wv);
    for (int i = 0; i < 6000; i++)
        wv[i] = (double)(i % 5);
    ck_assert_ok(crm_dataset_add_number(g, "w", wv, 6000));
    free(wv);
    crm_kmeans_options_init(&o, sizeof o);
    o.k = 5;
    o.n_init = 2;
    o.sample_weight = "w";
    o.n_threads = 1;
    char *j1 = fit_json(g, 3, &o);
    o.n_threads = 2;
    char *j2 = fit_json(g, 3, &o);
    ck_assert_str_eq(j1, j2);
    crm_free(j1);
    crm_free(j2);
    crm_dataset_free(g);
}
END_TEST

static int32_t cancel_cb(double f, void *user)
{
    (void)f;
    int *calls = user;
    return ++*calls >= 2;
}

START_TEST(test_cancel)
{
    crm_dataset *ds = gen(5000, 3, 4);
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 7;
    o.tol = 0;
    int calls = 0;
    o.progress = cancel_cb;
    o.user = &calls;
    crm_model *m = (crm_model *)1;
    size_t live = crm__alloc_live();
    ck_assert_error(crm_kmeans_fit(ds, gen_cols, 3, &o, &m), CRM_E_CANCELLED);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(calls, 2);
    ck_assert_uint_eq(crm__alloc_live(), live);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_input)
{
    const double x[] = {1, 2, 3, 2, 1, 3}, nanx[] = {1, 2, NAN, 4, 5, 6},
                 cst[] = {5, 5, 5, 5, 5, 5}, infx[] = {1, 2, 3, 4, INFINITY, 6};
    const char *txt[] = {"a", "b", "c", "d", "e", "f"};
    crm_dataset *ds = ds_1d(x, 6);
    ck_assert_ok(crm_dataset_add_number(ds, "withnan", nanx, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "const", cst, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "withinf", infx, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "name", txt, 6));
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    crm_model *m = (crm_model *)1;
    const char *cx[] = {"x"}, *cn[] = {"withnan"}, *cc[] = {"x", "const"}, *ct[] = {"name"},
               *cu[] = {"nope"}, *cd[] = {"x", "x"}, *ci[] = {"withinf"}, *cnull[] = {NULL};
    size_t live = crm__alloc_live();
    struct {
        const char *const *cols;
        size_t n;
        int k, standardize;
        crm_status want;
        const char *needle;
    } cases[] = {
        {cx, 1, 0, 0, CRM_E_INVALID, "k must be >= 1"},
        {cx, 1, -3, 0, CRM_E_INVALID, "k must be >= 1"},
        {cx, 1, 4, 0, CRM_E_INVALID, "distinct rows (3)"},
        {cn, 1, 2, 0, CRM_E_INVALID, "column \"withnan\" row 2: missing"},
        {ci, 1, 2, 0, CRM_E_INVALID, "column \"withinf\" row 4"},
        {ct, 1, 2, 0, CRM_E_TYPE, "\"name\" is a text column"},
        {cx, 0, 2, 0, CRM_E_INVALID, "no feature columns"},
        {cc, 2, 2, 1, CRM_E_NUMERIC, "\"const\" is constant"},
        {cu, 1, 2, 0, CRM_E_NOTFOUND, "\"nope\""},
        {cd, 2, 2, 0, CRM_E_INVALID, "listed twice"},
        {cnull, 1, 2, 0, CRM_E_INVALID, "NULL"},
        {NULL, 1, 2, 0, CRM_E_INVALID, "cols is NULL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        o.k = cases[i].k;
        o.standardize = cases[i].standardize;
        m = (crm_model *)1;
        crm_status st = crm_kmeans_fit(ds, cases[i].cols, cases[i].n, &o, &m);
        ck_assert_msg(st == cases[i].want, "case %zu: %s (%s)", i, crm_status_str(st),
                      crm_last_error());
        ck_assert_msg(strstr(crm_last_error(), cases[i].needle) != NULL,
                      "case %zu: \"%s\" lacks \"%s\"", i, crm_last_error(), cases[i].needle);
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(crm__alloc_live(), live);
    }
    o.standardize = 0;
    o.k = 2;
    o.tol = -1;
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &o, &m), CRM_E_INVALID);
    o.tol = 1e-4;
    o.init = CRM_KMEANS_INIT_GIVEN;
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &o, &m), CRM_E_INVALID);
    o.init = 9;
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &o, &m), CRM_E_INVALID);
    o.init = CRM_KMEANS_INIT_PLUSPLUS;
    o.n_init = 0;
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &o, &m), CRM_E_INVALID);
    o.n_init = 1;
    ck_assert_error(crm_kmeans_fit(NULL, cx, 1, &o, &m), CRM_E_INVALID);
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &o, NULL), CRM_E_INVALID);
    /* a caller compiled against the v1.0 struct (no sample_weight): the field is not read */
    crm_kmeans_options v1 = o;
    v1.size = offsetof(crm_kmeans_options, sample_weight);
    v1.sample_weight = "no such column";
    v1.k = 2;
    v1.n_init = 1;
    ck_assert_ok(crm_kmeans_fit(ds, cx, 1, &v1, &m));
    crm_model_free(m);
    v1.size = offsetof(crm_kmeans_options, user);
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &v1, &m), CRM_E_INVALID);
    /* options from a newer library with a non-zero unknown tail */
    struct {
        crm_kmeans_options o;
        double extra;
    } big;
    memset(&big, 0, sizeof big);
    ck_assert_ok(crm_kmeans_options_init(&big.o, sizeof big));
    ck_assert_uint_eq(big.o.size, sizeof big);
    big.o.k = 2;
    ck_assert_ok(crm_kmeans_fit(ds, cx, 1, &big.o, &m));
    crm_model_free(m);
    big.extra = 1.0;
    ck_assert_error(crm_kmeans_fit(ds, cx, 1, &big.o, &m), CRM_E_FORMAT);
    /* predict: missing feature column, text feature, NaN -> ds unchanged */
    o.k = 2;
    ck_assert_ok(crm_kmeans_fit(ds, cx, 1, &o, &m));
    crm_dataset *p = NULL;
    ck_assert_ok(crm_dataset_new(&p));
    ck_assert_ok(crm_dataset_add_number(p, "y", x, 6));
    ck_assert_error(crm_model_predict(m, p, "c"), CRM_E_NOTFOUND);
    ck_assert_ok(crm_dataset_add_text(p, "x", txt, 6));
    ck_assert_error(crm_model_predict(m, p, "c"), CRM_E_TYPE);
    ck_assert_ok(crm_dataset_drop_column(p, "x"));
    ck_assert_ok(crm_dataset_add_number(p, "x", nanx, 6));
    ck_assert_error(crm_model_predict(m, p, "c"), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "row 2") != NULL);
    ck_assert_error(crm_model_predict(m, p, ""), CRM_E_INVALID);
    ck_assert_uint_eq(crm_dataset_ncols(p), 2);
    crm_dataset_free(p);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------ */

static const double af_x[] = {0, 1, 2, 10, 11, 12, 20, 21, 5, 6};
static const double af_y[] = {1, 0, 1, 5, 5, 6, 0, 1, 3, 3};
static char *af_json;

static crm_status af_dataset(crm_dataset **ds)
{
    crm_status st = crm_dataset_new(ds);
    if (st == CRM_OK) st = crm_dataset_add_number(*ds, "x", af_x, 10);
    if (st == CRM_OK) st = crm_dataset_add_number(*ds, "y", af_y, 10);
    return st;
}

static crm_status af_fit(int to_json)
{
    crm_dataset *ds = NULL;
    crm_model *m = NULL;
    char *js = NULL;
    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = 3;
    o.n_init = 2;
    o.standardize = 1;
    o.n_threads = 2;
    const char *cols[] = {"x", "y"};
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_kmeans_fit(ds, cols, 2, &o, &m);
    if (st == CRM_OK && to_json) st = crm_model_to_json(m, &js);
    crm_free(js);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

static crm_status af_fit_only(void)
{
    return af_fit(0);
}
static crm_status af_fit_json(void)
{
    return af_fit(1);
}

static crm_status af_load_predict(void)
{
    crm_dataset *ds = NULL, *s = NULL;
    crm_model *m = NULL;
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_model_from_json(af_json, &m);
    if (st == CRM_OK) st = crm_model_predict(m, ds, "cluster");
    if (st == CRM_OK) st = crm_model_summary(m, &s);
    crm_dataset_free(s);
    crm_model_free(m);
    crm_dataset_free(ds);
    return st;
}

static crm_status af_elbow_silhouette(void)
{
    crm_dataset *ds = NULL, *e = NULL;
    const char *cols[] = {"x", "y"};
    double s = 0;
    crm_status st = af_dataset(&ds);
    if (st == CRM_OK) st = crm_kmeans_elbow(ds, cols, 2, 1, 3, NULL, &e);
    if (st == CRM_OK) st = crm_silhouette(ds, cols, 1, "y", NULL, &s);
    crm_dataset_free(e);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(af_fit_only());
    CRM_TEST_EACH_ALLOC_FAILURE(af_fit_json());
    crm_dataset *ds = NULL;
    crm_model *m = NULL;
    ck_assert_ok(af_dataset(&ds));
    const char *cols[] = {"x", "y"};
    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = 3;
    o.standardize = 1;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 2, &o, &m));
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    af_json = strdup(js);
    crm_free(js);
    crm_model_free(m);
    crm_dataset_free(ds);
    CRM_TEST_EACH_ALLOC_FAILURE(af_load_predict());
    CRM_TEST_EACH_ALLOC_FAILURE(af_elbow_silhouette());
    free(af_json);
}
END_TEST

/* crm_kmeans_centers_original: the centers mapped back through the steps, against the
 * hand computation. Rows 0-2 and 3-5 form the two clusters in every feature:
 *   x  step x=log1p(x):             x + 1 = 2, 4, 8 | 1e3, 1e4, 1e5: geometric means 4 and
 *                                   1e4, so the centers are 3 and 9999
 *   y  step y=LOG( y ):             2, 4, 8 | 1e3, 1e4, 1e5: 4 and 1e4
 *   e  step e=exp(e):               log of the mean of exp(e)
 *   z  step z=z * 2 (not undone):   2 x (1, 2, 3 | 100, 200, 300): 4 and 400
 *   q  no step:                     0, 0, 3 | 50, 60, 70: 1 and 60
 *   "my col" step log("my col" + 1): as x
 *   w  steps w=log(1.0 + w), then w=log1p(w): both undone, expm1(expm1(the mean of
 *      log1p(log1p(x)))) (not x's center: the mean is taken after both steps)
 * standardize on, so the summary's un-standardization comes first. */
START_TEST(test_centers_original)
{
    const double x[] = {1, 3, 7, 999, 9999, 99999};
    const double y[] = {2, 4, 8, 1e3, 1e4, 1e5};
    const double e[] = {0, 0.5, 1, 5, 6, 7};
    const double z[] = {1, 2, 3, 100, 200, 300};
    const double q[] = {0, 0, 3, 50, 60, 70};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "e", e, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "z", z, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "q", q, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "my col", x, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "w", x, 6));
    const char *cols[] = {"x", "y", "e", "z", "q", "my col", "w"};
    const char *steps[] = {"x=log1p(x)",          "y=LOG( y )",       "e=exp(e)",
                           "z=z * 2",             "w=log(1.0 + w)",   "my col=log(\"my col\" + 1)",
                           "w=log1p(w)"};
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 2;
    o.standardize = 1;
    o.mutate = steps;
    o.n_mutate = 7;
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 7, &o, &m));
    crm_dataset *t = NULL, *sum = NULL;
    ck_assert_ok(crm_kmeans_centers_original(m, &t));
    ck_assert_ok(crm_model_summary(m, &sum));
    ck_assert_uint_eq(crm_dataset_nrows(t), 2);
    ck_assert_uint_eq(crm_dataset_ncols(t), 9); /* cluster, size, 7 features */
    const char *names[9] = {"cluster", "size", "x", "y", "e", "z", "q", "my col", "w"};
    for (size_t c = 0; c < 9; c++) {
        const char *nm = NULL;
        ck_assert_ok(crm_dataset_column_name(t, c, &nm));
        ck_assert_str_eq(nm, names[c]);
    }
    double v[2], s[2];
    get_col(t, "x", v);
    size_t a = v[0] < 100 ? 0 : 1, b = 1 - a; /* a: rows 0-2 */
    double ww[2] = {0, 0};
    for (size_t i = 0; i < 6; i++)
        ww[i / 3] += log1p(log1p(x[i])) / 3;
    double want[7][2] = {
        {3, 9999},
        {4, 1e4},
        {log((exp(0.0) + exp(0.5) + exp(1.0)) / 3), log((exp(5.0) + exp(6.0) + exp(7.0)) / 3)},
        {4, 400},
        {1, 60},
        {3, 9999},
        {expm1(expm1(ww[0])), expm1(expm1(ww[1]))}};
    for (size_t f = 0; f < 7; f++) {
        get_col(t, cols[f], v);
        for (size_t r = 0; r < 2; r++) {
            double w = want[f][r == a ? 0 : 1];
            ck_assert_msg(fabs(v[r] - w) <= 1e-12 * fabs(w), "%s cluster %zu: got %.17g, want %.17g",
                          cols[f], r, v[r], w);
        }
    }
    /* exactly the inverse applied to the summary's centers */
    get_col(sum, "x", s);
    get_col(t, "x", v);
    ck_assert(v[0] == expm1(s[0]) && v[1] == expm1(s[1]));
    get_col(sum, "y", s);
    get_col(t, "y", v);
    ck_assert(v[0] == exp(s[0]) && v[1] == exp(s[1]));
    get_col(sum, "e", s);
    get_col(t, "e", v);
    ck_assert(v[0] == log(s[0]) && v[1] == log(s[1]));
    get_col(sum, "z", s);
    get_col(t, "z", v);
    ck_assert(v[0] == s[0] && v[1] == s[1]);
    get_col(sum, "w", s);
    get_col(t, "w", v);
    ck_assert(v[0] == expm1(expm1(s[0])) && v[1] == expm1(expm1(s[1])));
    get_col(t, "size", v);
    ck_assert(v[a] == 3 && v[b] == 3);
    crm_dataset_free(t);
    crm_dataset_free(sum);
    /* a saved and loaded model gives the same table */
    char *json = NULL;
    crm_model *m2 = NULL;
    ck_assert_ok(crm_model_to_json(m, &json));
    ck_assert_ok(crm_model_from_json(json, &m2));
    crm_dataset *t2 = NULL;
    ck_assert_ok(crm_kmeans_centers_original(m, &t));
    ck_assert_ok(crm_kmeans_centers_original(m2, &t2));
    char *c1 = NULL, *c2 = NULL;
    ck_assert_ok(crm_dataset_to_csv_string(t, NULL, &c1));
    ck_assert_ok(crm_dataset_to_csv_string(t2, NULL, &c2));
    ck_assert_str_eq(c1, c2);
    crm_free(c1);
    crm_free(c2);
    crm_free(json);
    crm_dataset_free(t);
    crm_dataset_free(t2);
    crm_model_free(m2);
    crm_model_free(m);
    /* without steps or standardization: the summary's centers; a feature named size */
    const double sz[] = {0, 1, 10, 11};
    crm_dataset *d2 = ds_1d(sz, 4);
    ck_assert_ok(crm_dataset_add_number(d2, "size", sz, 4));
    const char *c2cols[] = {"x", "size"};
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 2;
    ck_assert_ok(crm_kmeans_fit(d2, c2cols, 2, &o, &m));
    ck_assert_ok(crm_kmeans_centers_original(m, &t));
    get_col(t, "center_size", v);
    ck_assert(fabs(v[0] - v[1]) == 10 && (v[0] == 0.5 || v[0] == 10.5));
    crm_dataset_free(t);
    /* bad calls */
    t = (crm_dataset *)m;
    ck_assert_error(crm_kmeans_centers_original(m, NULL), CRM_E_INVALID);
    ck_assert_error(crm_kmeans_centers_original(NULL, &t), CRM_E_INVALID);
    ck_assert_ptr_null(t);
    crm_model_free(m);
    crm_model *lr = NULL;
    const char *lrf[] = {"q"};
    ck_assert_ok(crm_linreg_fit(ds, "z", lrf, 1, NULL, &lr));
    t = d2;
    ck_assert_error(crm_kmeans_centers_original(lr, &t), CRM_E_TYPE);
    ck_assert_ptr_null(t);
    crm_model_free(lr);
    crm_dataset_free(d2);
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_kmeans_suite(void)
{
    Suite *s = suite_create("kmeans");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_tiny_given);
    tcase_add_test(tc, test_init_centers_length);
    tcase_add_test(tc, test_empty_cluster);
    tcase_add_test(tc, test_determinism_threads);
    tcase_add_test(tc, test_auto_switch);
    tcase_add_test(tc, test_relocate_cells);
    tcase_add_test(tc, test_save_load_predict);
    tcase_add_test(tc, test_centers_original);
    tcase_add_test(tc, test_elbow_silhouette);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
