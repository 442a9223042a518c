/* Benchmark: load a CSV file with crm_dataset_read_csv().
 *
 * Usage: bench_csv FILE [RUNS]   (RUNS defaults to 5)
 * Prints one machine-readable line:
 *   bench=csv impl=libcrm file=NAME runs=N median_s=S min_s=S rows=R cols=C numcols=M
 *   missing=X minmax=Y peak_rss_kb=K
 * numcols, missing and minmax check that both sides read the same table (not timed): the
 * number of number columns, their missing cells, and the sum over them, in column order, of
 * min + max (exact values, so equal bit for bit). peak_rss_kb is the process's peak
 * resident set (getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "bench_util.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The number columns: how many, their missing cells, the sum of min + max in column order. */
static int check(const crm_dataset *ds, size_t *numcols, size_t *missing, double *minmax)
{
    size_t n = crm_dataset_nrows(ds);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return 1;
    *numcols = *missing = 0;
    *minmax = 0;
    for (size_t j = 0; j < crm_dataset_ncols(ds); j++) {
        int32_t type = 0;
        if (crm_dataset_column_type(ds, j, &type) != CRM_OK || type != CRM_TYPE_NUMBER)
            continue;
        if (crm_dataset_get_number(ds, j, 0, n, x) != CRM_OK) {
            free(x);
            return 1;
        }
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i])) {
                (*missing)++;
                continue;
            }
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
        }
        (*numcols)++;
        *minmax += lo + hi;
    }
    free(x);
    return 0;
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
    size_t rows = 0, cols = 0, numcols = 0, missing = 0;
    double minmax = 0;
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
        if (i == runs - 1 && check(ds, &numcols, &missing, &minmax) != 0) {
            free(t);
            return 1;
        }
        crm_dataset_free(ds);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *name = strrchr(argv[1], '/');
    printf("bench=csv impl=libcrm file=%s runs=%d median_s=%.4f min_s=%.4f rows=%zu cols=%zu "
           "numcols=%zu missing=%zu minmax=%.17g peak_rss_kb=%ld\n",
           name ? name + 1 : argv[1], runs, median, t[0], rows, cols, numcols, missing, minmax,
           (long)ru.ru_maxrss);
    free(t);
    return 0;
}
