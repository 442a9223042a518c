/* Benchmark: frequent itemsets of a FIMI basket file with libcrm, end to end.
 *
 * Usage: bench_apriori FILE MIN_SUPPORT [RUNS [THREADS]]   (RUNS defaults to 5,
 *        THREADS to 0 = all cores)
 * Each run reads the file (crm_dataset_read_baskets) and mines every frequent
 * itemset (crm_apriori, itemsets only, min_support as a fraction), which is
 * what Borgelt's `apriori -sS FILE OUT` and `fpgrowth -sS FILE OUT` do. Prints
 * one machine-readable line:
 *   bench=apriori impl=libcrm file=NAME min_support=S threads=T runs=N median_s=S min_s=S
 *   read_s=S mine_s=S itemsets=K by_size=a,b,c,... peak_rss_kb=KB
 * (read_s and mine_s are the medians of the two steps; peak_rss_kb is the
 * process's peak resident set, getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>
#include <crm/assoc.h>

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

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "bench_apriori: %s: %s: %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_apriori FILE MIN_SUPPORT [RUNS [THREADS]]\n");
        return 2;
    }
    const char *path = argv[1];
    double minsup = atof(argv[2]);
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    int threads = argc > 4 ? atoi(argv[4]) : 0;
    if (runs < 1) runs = 1;
    double *tot = malloc((size_t)runs * sizeof *tot);
    double *rd = malloc((size_t)runs * sizeof *rd);
    double *mn = malloc((size_t)runs * sizeof *mn);
    if (!tot || !rd || !mn) return 1;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = minsup;
    o.n_threads = threads;
    size_t nsets = 0;
    long by_size[64] = {0};
    int maxk = 0;
    for (int r = 0; r < runs; r++) {
        crm_dataset *tx = NULL, *sets = NULL;
        double t0 = now();
        crm_status st = crm_dataset_read_baskets(path, &tx);
        if (st) return fail(path, st);
        double t1 = now();
        st = crm_apriori(tx, "tid", "item", &o, &sets, NULL);
        if (st) return fail("crm_apriori", st);
        double t2 = now();
        rd[r] = t1 - t0;
        mn[r] = t2 - t1;
        tot[r] = t2 - t0;
        if (r == 0) {
            size_t col, n = crm_dataset_nrows(sets);
            nsets = n;
            double *sz = malloc((n ? n : 1) * sizeof *sz);
            if (!sz || crm_dataset_column_index(sets, "size", &col) != CRM_OK ||
                crm_dataset_get_number(sets, col, 0, n, sz) != CRM_OK)
                return 1;
            for (size_t i = 0; i < n; i++) {
                int k = (int)sz[i];
                if (k < 64) by_size[k]++;
                if (k > maxk) maxk = k;
            }
            free(sz);
        }
        crm_dataset_free(sets);
        crm_dataset_free(tx);
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mt = median(rd, runs), mm = median(mn, runs), med = median(tot, runs);
    printf("bench=apriori impl=libcrm file=%s min_support=%g threads=%d runs=%d median_s=%.4f "
           "min_s=%.4f "
           "read_s=%.4f mine_s=%.4f itemsets=%zu by_size=",
           base, minsup, threads, runs, med, tot[0], mt, mm, nsets);
    for (int k = 1; k <= maxk && k < 64; k++)
        printf("%s%ld", k > 1 ? "," : "", by_size[k]);
    printf(" peak_rss_kb=%ld\n", (long)ru.ru_maxrss);
    free(tot);
    free(rd);
    free(mn);
    return 0;
}
