/* Benchmark: the whole k-means fit as a user times it (crm_kmeans_fit with k-means++
 * seeding, the default tol = 1e-4 and the default algorithm) on generated blobs.
 *
 * Usage: bench_kmeans_fit ROWS K N_INIT THREADS [REPEATS]
 *   ROWS x 16 columns in K blobs; THREADS is n_threads (0 = all cores); the fastest of
 *   REPEATS (default 3) fits, seed 0.
 * Data (identical in bench/kmeans_fit_sklearn.py): h(i) = splitmix64(i) for
 * i = row * 16 + col, u = (h >> 11) * 2^-53; blob b = row % K has center
 * c[b][j] = 20 * (u(b, j, salt) - 0.5), u(b, j, salt) from splitmix64(2^40 + b * 16 + j);
 * value = c[row % K][col] + 2 * (u - 0.5). The blobs are apart by far more than their
 * width, so both implementations should reach the same optimum from k-means++ seeding.
 * Prints one machine-readable line:
 *   bench=kmeans_fit impl=libcrm rows=R cols=16 k=K n_init=N threads=T n_iter=I fit_s=S
 *   cpu_s=C fits=F inertia=X
 * fit_s is the fastest wall-clock time of the fits, cpu_s the smallest process CPU time
 * (all threads) of a fit: on a loaded machine the CPU time is the steadier figure. */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>
#include <crm/kmeans.h>
#include <crm/model.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "bench_util.h"

#define D 16

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_kmeans_fit ROWS K N_INIT THREADS [REPEATS]\n");
        return 2;
    }
    size_t rows = (size_t)strtoull(argv[1], NULL, 10);
    int k = atoi(argv[2]), n_init = atoi(argv[3]), threads = atoi(argv[4]);
    int reps = argc > 5 ? atoi(argv[5]) : 3;
    if (rows == 0 || k < 1 || n_init < 1 || threads < 0 || reps < 1) return 2;
    double *center = malloc((size_t)k * D * sizeof *center);
    double *v = malloc(rows * sizeof *v);
    crm_dataset *ds = NULL;
    if (!center || !v || crm_dataset_new(&ds) != CRM_OK) return 1;
    for (size_t b = 0; b < (size_t)k; b++)
        for (size_t j = 0; j < D; j++)
            center[b * D + j] = 20.0 * (unit01((1ULL << 40) + b * D + j) - 0.5);
    const char *cols[D];
    static char names[D][8];
    for (size_t j = 0; j < D; j++) {
        for (size_t i = 0; i < rows; i++)
            v[i] = center[(i % (size_t)k) * D + j] + 2.0 * (unit01(i * D + j) - 0.5);
        snprintf(names[j], sizeof names[j], "x%zu", j);
        cols[j] = names[j];
        if (crm_dataset_add_number(ds, names[j], v, rows) != CRM_OK) return 1;
    }
    free(v);
    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = k;
    o.n_init = n_init;
    o.n_threads = threads;
    o.seed = 0;
    double best = 1e300, best_cpu = 1e300, inertia = 0, n_iter = 0;
    for (int r = 0; r < reps; r++) {
        crm_model *m = NULL;
        double c0 = cpu_now(), t0 = now();
        if (crm_kmeans_fit(ds, cols, D, &o, &m) != CRM_OK) {
            fprintf(stderr, "bench_kmeans_fit: %s\n", crm_last_error());
            return 1;
        }
        double t = now() - t0, tc = cpu_now() - c0;
        if (t < best) best = t;
        if (tc < best_cpu) best_cpu = tc;
        crm_model_stat(m, "inertia", &inertia);
        crm_model_stat(m, "n_iter", &n_iter);
        crm_model_free(m);
    }
    printf("bench=kmeans_fit impl=libcrm rows=%zu cols=%d k=%d n_init=%d threads=%d n_iter=%d "
           "fit_s=%.4f cpu_s=%.4f fits=%d inertia=%.17g\n",
           rows, D, k, n_init, threads, (int)n_iter, best, best_cpu, reps, inertia);
    crm_dataset_free(ds);
    free(center);
    return 0;
}
