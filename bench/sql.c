/* Benchmark: a query into a dataset with crm_dataset_read_sql(), and score rows into a
 * table with crm_dataset_write_sql(), against any database libcrm reaches.
 *
 * Usage: bench_sql read URI QUERY [RUNS]
 *        bench_sql write URI ROWS [RUNS]
 * read: runs QUERY RUNS times (default 5) into a dataset.
 * write: builds ROWS score rows (customer number, segment text, score number, scored_at
 * time; deterministic) and writes them RUNS times, each into a new table
 * bench_scores_<run> (mode create, one transaction), dropped by the caller.
 * Prints one machine-readable line:
 *   bench=sql_read impl=libcrm runs=N median_s=S min_s=S rows=R cols=C numsum=X missing=M
 *   peak_rss_kb=K
 *   bench=sql_write impl=libcrm runs=N median_s=S min_s=S rows=R numsum=X peak_rss_kb=K
 * numsum (sum of every number cell, in column order then row order) and missing (missing
 * cells of all columns) check that both sides read or wrote the same values. */
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

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Sum of the number cells (column by column, row order) and missing cells of all columns. */
static int check(const crm_dataset *ds, double *numsum, size_t *missing)
{
    size_t n = crm_dataset_nrows(ds);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return 1;
    *numsum = 0;
    *missing = 0;
    for (size_t j = 0; j < crm_dataset_ncols(ds); j++) {
        int32_t type = 0;
        size_t miss = 0;
        if (crm_dataset_column_type(ds, j, &type) != CRM_OK ||
            crm_dataset_missing(ds, j, &miss) != CRM_OK)
            break;
        *missing += miss;
        if (type != CRM_TYPE_NUMBER || crm_dataset_get_number(ds, j, 0, n, x) != CRM_OK)
            continue;
        for (size_t i = 0; i < n; i++)
            if (!isnan(x[i]))
                *numsum += x[i];
    }
    free(x);
    return 0;
}

static int bench_read(const char *uri, const char *query, int runs)
{
    double *t = calloc((size_t)runs, sizeof *t), numsum = 0;
    size_t rows = 0, cols = 0, missing = 0;
    for (int r = 0; r < runs; r++) {
        crm_dataset *ds = NULL;
        double t0 = now();
        if (crm_dataset_read_sql(uri, query, NULL, 0, NULL, &ds) != CRM_OK) {
            fprintf(stderr, "bench_sql: %s\n", crm_last_error());
            return 1;
        }
        t[r] = now() - t0;
        rows = crm_dataset_nrows(ds);
        cols = crm_dataset_ncols(ds);
        if (r == 0 && check(ds, &numsum, &missing))
            return 1;
        crm_dataset_free(ds);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("bench=sql_read impl=libcrm runs=%d median_s=%.6f min_s=%.6f rows=%zu cols=%zu "
           "numsum=%.17g missing=%zu peak_rss_kb=%ld\n",
           runs, t[runs / 2], t[0], rows, cols, numsum, missing, peak_rss_kb());
    free(t);
    return 0;
}

/* ROWS deterministic score rows, as the pandas side builds them. */
static crm_dataset *scores(size_t n)
{
    static const char *const seg[] = {"Champions", "Loyal Customers", "At Risk", "Hibernating",
                                      "Lost", "New Customers", "Promising"};
    double *cust = malloc(n * sizeof *cust), *score = malloc(n * sizeof *score);
    const char **s = malloc(n * sizeof *s);
    int64_t *at = malloc(n * sizeof *at);
    crm_dataset *ds = NULL;
    if (!cust || !score || !s || !at || crm_dataset_new(&ds) != CRM_OK)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        cust[i] = (double)(100000 + i);
        s[i] = seg[i % 7];
        score[i] = (double)((i * 7919) % 10007) / 10007.0;
        at[i] = 1735689600 + (int64_t)(i % 86400);
    }
    if (crm_dataset_add_number(ds, "customer", cust, n) != CRM_OK ||
        crm_dataset_add_text(ds, "segment", s, n) != CRM_OK ||
        crm_dataset_add_number(ds, "score", score, n) != CRM_OK ||
        crm_dataset_add_time(ds, "scored_at", at, n) != CRM_OK) {
        crm_dataset_free(ds);
        ds = NULL;
    }
    free(cust);
    free(score);
    free(s);
    free(at);
    return ds;
}

static int bench_write(const char *uri, size_t n, int runs)
{
    crm_dataset *ds = scores(n);
    double *t = calloc((size_t)runs, sizeof *t), numsum = 0;
    size_t missing = 0;
    if (!ds || !t || check(ds, &numsum, &missing))
        return 1;
    for (int r = 0; r < runs; r++) {
        char table[64];
        snprintf(table, sizeof table, "bench_scores_%d", r);
        double t0 = now();
        if (crm_dataset_write_sql(ds, uri, table, NULL) != CRM_OK) {
            fprintf(stderr, "bench_sql: %s\n", crm_last_error());
            return 1;
        }
        t[r] = now() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("bench=sql_write impl=libcrm runs=%d median_s=%.6f min_s=%.6f rows=%zu numsum=%.17g "
           "peak_rss_kb=%ld\n",
           runs, t[runs / 2], t[0], n, numsum, peak_rss_kb());
    crm_dataset_free(ds);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "read") == 0)
        return bench_read(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 5);
    if (argc >= 4 && strcmp(argv[1], "write") == 0)
        return bench_write(argv[2], (size_t)atol(argv[3]), argc > 4 ? atoi(argv[4]) : 5);
    fprintf(stderr, "usage: bench_sql read URI QUERY [RUNS]\n"
                    "       bench_sql write URI ROWS [RUNS]\n");
    return 2;
}
