/* Benchmark: load a CSV file with crm_dataset_read_csv().
 *
 * Usage: bench_csv FILE [RUNS]   (RUNS defaults to 5)
 * Prints one machine-readable line:
 *   bench=csv impl=libcrm file=NAME runs=N median_s=S min_s=S rows=R cols=C peak_rss_kb=K
 * peak_rss_kb is the process's peak resident set (getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1)
        runs = 1;
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t)
        return 1;
    size_t rows = 0, cols = 0;
    for (int i = 0; i < runs; i++) {
        crm_dataset *ds = NULL;
        double t0 = now();
        crm_status st = crm_dataset_read_csv(argv[1], NULL, &ds);
        t[i] = now() - t0;
        if (st != CRM_OK) {
            fprintf(stderr, "bench_csv: %s: %s\n", crm_status_str(st), crm_last_error());
            free(t);
            return 1;
        }
        rows = crm_dataset_nrows(ds);
        cols = crm_dataset_ncols(ds);
        crm_dataset_free(ds);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *name = strrchr(argv[1], '/');
    printf("bench=csv impl=libcrm file=%s runs=%d median_s=%.4f min_s=%.4f rows=%zu cols=%zu "
           "peak_rss_kb=%ld\n",
           name ? name + 1 : argv[1], runs, median, t[0], rows, cols, (long)ru.ru_maxrss);
    free(t);
    return 0;
}
