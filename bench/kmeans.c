/* Benchmark: k-means (crm_kmeans_fit) on generated rows, from given initial centers.
 *
 * Usage: bench_kmeans [ROWS [ITERS [ALGORITHM [THREADS]]]]
 *   ROWS (default 1000000) x 16 columns, k = 8; ITERS (default 30) = max_iter with tol = 0;
 *   ALGORITHM lloyd | hamerly | auto (default auto); THREADS (default 0 = all cores).
 * Data (identical in bench/kmeans_sklearn.py): h(i) = splitmix64(i) for i = row*16 + col,
 * u = (h >> 11) * 2^-53, value = center[row % 8][col] + 40 * (u - 0.5) with
 * center[c][j] = ((c * 16 + j) * 7919) % 23 - 11. Initial centers: rows 0..7.
 * Prints one machine-readable line:
 *   bench=kmeans impl=libcrm-ALG rows=R cols=16 k=8 threads=T n_iter=N fit_s=S
 *   per_iter_ms=MS inertia=I sum_pass_ms=MS peak_rss_kb=KB data_kb=KB
 * fit_s is the fastest of 5 fits (the machine may be shared); sum_pass_ms is the fastest of 5 plain sums over all
 * the data (the memory-bandwidth floor of one pass); peak_rss_kb is getrusage ru_maxrss. */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>
#include <crm/kmeans.h>
#include <crm/model.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "bench_util.h"

#define D 16
#define K 8

static double value(size_t row, size_t col)
{
    double u = (double)(splitmix64((uint64_t)(row * D + col)) >> 11) * 0x1p-53;
    double center = (double)((((uint64_t)row % K) * D + col) * 7919 % 23) - 11.0;
    return center + 40.0 * (u - 0.5);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int iters = argc > 2 ? atoi(argv[2]) : 30;
    const char *alg = argc > 3 ? argv[3] : "auto";
    int threads = argc > 4 ? atoi(argv[4]) : 0;
    crm_dataset *ds = NULL;
    double *v = malloc(rows * sizeof *v);
    if (!v || crm_dataset_new(&ds) != CRM_OK) return 1;
    const char *cols[D];
    static char names[D][8];
    for (size_t j = 0; j < D; j++) {
        for (size_t i = 0; i < rows; i++)
            v[i] = value(i, j);
        snprintf(names[j], sizeof names[j], "x%zu", j);
        cols[j] = names[j];
        if (crm_dataset_add_number(ds, names[j], v, rows) != CRM_OK) return 1;
    }
    free(v);
    double init[K * D];
    for (size_t c = 0; c < K; c++)
        for (size_t j = 0; j < D; j++)
            init[c * D + j] = value(c, j);
    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = K;
    o.init = CRM_KMEANS_INIT_GIVEN;
    o.init_centers = init;
    o.tol = 0;
    o.max_iter = iters;
    o.n_threads = threads;
    o.algorithm = strcmp(alg, "lloyd") == 0     ? CRM_KMEANS_LLOYD
                  : strcmp(alg, "hamerly") == 0 ? CRM_KMEANS_HAMERLY
                                                : CRM_KMEANS_AUTO;
    double t[5], inertia = 0, n_iter = 0;
    for (int r = 0; r < 5; r++) {
        crm_model *m = NULL;
        double t0 = now();
        if (crm_kmeans_fit(ds, cols, D, &o, &m) != CRM_OK) {
            fprintf(stderr, "bench_kmeans: %s\n", crm_last_error());
            return 1;
        }
        t[r] = now() - t0;
        crm_model_stat(m, "inertia", &inertia);
        crm_model_stat(m, "n_iter", &n_iter);
        crm_model_free(m);
    }
    qsort(t, 5, sizeof *t, cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long peak_fit = ru.ru_maxrss;
    crm_dataset_free(ds);
    /* one plain pass over the same amount of data (rows x 16 doubles), after the dataset is
     * freed so that it does not add to the peak above */
    double sp[5], sink = 0;
    double *all = malloc(rows * D * sizeof *all);
    if (!all) return 1;
    for (size_t i = 0; i < rows * D; i++)
        all[i] = (double)(i & 1023);
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        size_t n = rows * D, i = 0;
        for (; i + 4 <= n; i += 4) {
            a0 += all[i];
            a1 += all[i + 1];
            a2 += all[i + 2];
            a3 += all[i + 3];
        }
        sink += a0 + a1 + a2 + a3;
        sp[r] = now() - t0;
    }
    free(all);
    qsort(sp, 5, sizeof *sp, cmp_double);
    printf("bench=kmeans impl=libcrm-%s rows=%zu cols=%d k=%d threads=%d n_iter=%d fit_s=%.4f "
           "per_iter_ms=%.3f inertia=%.17g sum_pass_ms=%.3f peak_rss_kb=%ld data_kb=%zu%s\n",
           alg, rows, D, K, threads, (int)n_iter, t[0], 1000.0 * t[0] / n_iter, inertia,
           1000.0 * sp[0], peak_fit, rows * D * sizeof(double) / 1024, sink == 0.12345 ? " " : "");
    return 0;
}
