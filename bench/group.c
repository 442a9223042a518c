/* Benchmark: group-by with crm_dataset_group() (sum, mean, count of a number
 * column) on generated rows.
 *
 * Usage:
 *   bench_group --write FILE [ROWS [KEYS]]   write ROWS (default 10,000,000) rows of
 *       little-endian int64 key (uniform in [0, KEYS), default 1,000,000) and
 *       float64 value (uniform in [0, 1000), 1% missing), as two column blocks:
 *       u64 rows, then ROWS keys, then ROWS values; bench/group_pandas.py reads
 *       the same file.
 *   bench_group FILE [RUNS]   time the group-by RUNS times (default 5) and
 *       print one machine-readable line:
 *   bench=group impl=libcrm rows=R groups=G runs=N median_s=S min_s=S checksum=X peak_rss_kb=K
 * Only the group-by call is timed (the data are loaded once, before).
 * peak_rss_kb is the process's peak resident set (getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <math.h>
#include <stdint.h>
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

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int write_data(const char *path, uint64_t rows, uint64_t keys)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    uint64_t s = 42;
    int64_t *k = malloc(rows * sizeof *k);
    double *v = malloc(rows * sizeof *v);
    if (!k || !v) {
        fclose(f);
        free(k);
        free(v);
        return 1;
    }
    for (uint64_t i = 0; i < rows; i++) {
        uint64_t a = splitmix(&s), b = splitmix(&s);
        k[i] = (int64_t)(a % keys);
        v[i] = (b % 100) == 0 ? NAN : (double)(b >> 11) * 0x1p-53 * 1000.0;
    }
    int bad = fwrite(&rows, sizeof rows, 1, f) != 1 || fwrite(k, sizeof *k, rows, f) != rows ||
              fwrite(v, sizeof *v, rows, f) != rows;
    bad |= fclose(f) != 0;
    free(k);
    free(v);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--write") == 0)
        return write_data(argv[2], argc > 3 ? strtoull(argv[3], NULL, 10) : 10000000u,
                          argc > 4 ? strtoull(argv[4], NULL, 10) : 1000000u);
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [RUNS] | --write FILE [ROWS [KEYS]]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1)
        runs = 1;
    FILE *f = fopen(argv[1], "rb");
    uint64_t rows = 0;
    if (!f || fread(&rows, sizeof rows, 1, f) != 1) {
        fprintf(stderr, "bench_group: cannot read %s\n", argv[1]);
        return 1;
    }
    int64_t *k = malloc(rows * sizeof *k);
    double *kd = malloc(rows * sizeof *kd);
    double *v = malloc(rows * sizeof *v);
    double *t = malloc((size_t)runs * sizeof *t);
    if (!k || !kd || !v || !t || fread(k, sizeof *k, rows, f) != rows ||
        fread(v, sizeof *v, rows, f) != rows) {
        fprintf(stderr, "bench_group: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    for (uint64_t i = 0; i < rows; i++)
        kd[i] = (double)k[i]; /* libcrm numbers are doubles */
    free(k);
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) || crm_dataset_add_number(ds, "key", kd, rows) ||
        crm_dataset_add_number(ds, "value", v, rows)) {
        fprintf(stderr, "bench_group: %s\n", crm_last_error());
        return 1;
    }
    free(kd);
    free(v);
    const char *keys[] = {"key"};
    const char *aggs[] = {"sum(value)", "mean(value)", "count(value)"};
    size_t groups = 0;
    double checksum = 0;
    for (int i = 0; i < runs; i++) {
        crm_dataset *g = NULL;
        double t0 = now();
        crm_status st = crm_dataset_group(ds, keys, 1, aggs, 3, &g);
        t[i] = now() - t0;
        if (st != CRM_OK) {
            fprintf(stderr, "bench_group: %s: %s\n", crm_status_str(st), crm_last_error());
            return 1;
        }
        groups = crm_dataset_nrows(g);
        double x = 0;
        checksum = 0;
        for (size_t c = 1; c <= 3; c++)
            for (size_t r = 0; r < groups; r += 9973) {
                crm_dataset_get_number(g, c, r, 1, &x);
                checksum += x;
            }
        crm_dataset_free(g);
    }
    crm_dataset_free(ds);
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=group impl=libcrm rows=%llu groups=%zu runs=%d median_s=%.4f min_s=%.4f "
           "checksum=%.17g peak_rss_kb=%ld\n",
           (unsigned long long)rows, groups, runs, median, t[0], checksum, (long)ru.ru_maxrss);
    free(t);
    return 0;
}
