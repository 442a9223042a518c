/* Benchmark: the CLV fit (crm_clv_fit: BG/NBD and Gamma-Gamma, standard errors included)
 * on a simulated summary table of whole-day periods.
 *
 * Usage: bench_clv [CUSTOMERS [THREADS [CSV]]]
 *   CUSTOMERS (default 1000000); THREADS (default 0 = all cores); CSV: also write the
 *   summary table there (frequency, recency, T, monetary), the input of bench/clv_scipy.py.
 * Data: BG/NBD with r = 0.243, alpha = 30.9 (per day; CDNOW's 4.414 per week), a = 0.793,
 * b = 2.426; ages T uniform on 1..730 days; purchase times drawn in continuous time and
 * recorded as whole days (recency = floor(t_x)); spend Gamma-Gamma p = 6.25, q = 3.74,
 * v = 15.44. The library's PRNG with seed 2026, so every run fits the same table.
 * Prints one machine-readable line:
 *   bench=clv impl=libcrm customers=N threads=T distinct=D repeat=R fit_s=S cpu_s=C
 *   r=.. alpha=.. a=.. b=.. p=.. q=.. v=.. loglik=.. peak_rss_kb=KB
 * fit_s is the fastest wall time of 5 fits of the whole crm_clv_fit call, cpu_s the
 * fastest process CPU time (all threads) of the same fits: on a shared machine the wall
 * time also counts the time other processes hold the cores. */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double rgamma(crm__rng *g, double shape)
{
    if (shape < 1) return rgamma(g, shape + 1) * pow(crm__rng_uniform(g), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double z = crm__rng_normal(g), v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        if (log(crm__rng_uniform(g)) < 0.5 * z * z + d - d * v + d * log(v)) return d * v;
    }
}

static void simulate(size_t n, double *x, double *tx, double *T, double *m)
{
    const double r = 0.243, alpha = 30.9, a = 0.793, b = 2.426, p = 6.25, q = 3.74, v = 15.44;
    crm__rng g;
    crm__rng_seed(&g, 2026);
    for (size_t i = 0; i < n; i++) {
        double lam = rgamma(&g, r) / alpha, ga = rgamma(&g, a), gb = rgamma(&g, b);
        double pd = ga / (ga + gb), nu = rgamma(&g, q) / v, t = 0;
        T[i] = (double)(1 + crm__rng_below(&g, 730));
        x[i] = tx[i] = 0;
        for (;;) {
            t += -log1p(-crm__rng_uniform(&g)) / lam;
            if (t > T[i]) break;
            x[i] += 1;
            tx[i] = floor(t);
            if (crm__rng_uniform(&g) < pd) break;
        }
        m[i] = x[i] > 0 ? rgamma(&g, p * x[i]) / nu / x[i] : 0;
    }
}

static double stat(const crm_model *m, const char *name)
{
    double v = NAN;
    crm_model_stat(m, name, &v);
    return v;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    const char *csv = argc > 3 ? argv[3] : NULL;
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T),
           *m = malloc(n * sizeof *m);
    if (!x || !tx || !T || !m) return 1;
    simulate(n, x, tx, T, m);
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) || crm_dataset_add_number(ds, "frequency", x, n) ||
        crm_dataset_add_number(ds, "recency", tx, n) || crm_dataset_add_number(ds, "T", T, n) ||
        crm_dataset_add_number(ds, "monetary", m, n)) {
        fprintf(stderr, "bench_clv: %s\n", crm_last_error());
        return 1;
    }
    if (csv && crm_dataset_write_csv(ds, csv, NULL) != CRM_OK) {
        fprintf(stderr, "bench_clv: %s\n", crm_last_error());
        return 1;
    }
    crm_clv_options o;
    crm_clv_options_init(&o, sizeof o);
    o.n_threads = threads;
    double best = INFINITY, best_cpu = INFINITY;
    crm_model *fit = NULL;
    for (int run = 0; run < 5; run++) {
        crm_model_free(fit);
        fit = NULL;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (crm_clv_fit(ds, &o, &fit) != CRM_OK) {
            fprintf(stderr, "bench_clv: %s\n", crm_last_error());
            return 1;
        }
        double dt = clock_s(CLOCK_MONOTONIC) - t0, dc = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        best = dt < best ? dt : best;
        best_cpu = dc < best_cpu ? dc : best_cpu;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=clv impl=libcrm customers=%zu threads=%d distinct=%.0f repeat=%.0f "
           "fit_s=%.4f cpu_s=%.4f r=%.17g alpha=%.17g a=%.17g b=%.17g p=%.17g q=%.17g v=%.17g "
           "loglik=%.17g peak_rss_kb=%ld\n",
           n, threads, stat(fit, "n_triples"), stat(fit, "n_repeat"), best, best_cpu, stat(fit, "r"),
           stat(fit, "alpha"), stat(fit, "a"), stat(fit, "b"), stat(fit, "p"), stat(fit, "q"),
           stat(fit, "v"), stat(fit, "loglik"), (long)ru.ru_maxrss);
    crm_model_free(fit);
    crm_dataset_free(ds);
    free(x);
    free(tx);
    free(T);
    free(m);
    return 0;
}
