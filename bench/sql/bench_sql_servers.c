/* Benchmark: crm_dataset_read_sql() and crm_dataset_write_sql() against the
 * same databases as bench/sql/sql_pandas.py (bench/sql/run.sh runs both).
 *
 * Usage:
 *   bench_sql_servers load  URI TABLE FILE.csv   write a CSV file into a table (set-up)
 *   bench_sql_servers read  URI RUNS             SELECT * FROM order_lines, RUNS times
 *   bench_sql_servers write URI RUNS SCORES.csv  write the scores table, RUNS times
 * Passwords come from PGPASSWORD / MYSQL_PWD (the client libraries read them).
 *
 * read prints one line
 *   bench=sql_read impl=libcrm backend=B runs=N best_s=S median_s=S rows=R qty=Q cents=C
 *   cust=U cust_missing=M epoch=E desc_bytes=D peak_rss_kb=K base_rss_kb=K
 * whose check values (computed outside the timing) are exact integers, as the
 * pandas side computes them: sums of Quantity, of UnitPrice in cents, of
 * CustomerID, missing CustomerIDs, of the InvoiceDate seconds since the epoch,
 * of the UTF-8 bytes of Description.
 * write creates table crm_scores_c<run> per run (mode CREATE: one transaction,
 * CREATE TABLE and prepared multi-row INSERTs) and prints
 *   bench=sql_write impl=libcrm backend=B runs=N best_s=S median_s=S rows=R peak_rss_kb=K
 * Both run on one thread (so do the drivers pandas uses). */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <math.h>
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

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static const char *backend_of(const char *uri)
{
    return strncmp(uri, "sqlite:", 7) == 0 ? "sqlite" : strncmp(uri, "mysql:", 6) == 0 ? "my"
                                                                                        : "pg";
}

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "bench_sql_servers: %s: %s: %s\n", what, crm_status_str(st),
            crm_last_error());
    return 1;
}

static int col(const crm_dataset *ds, const char *name, size_t *j)
{
    crm_status st = crm_dataset_column_index(ds, name, j);
    return st == CRM_OK ? 0 : fail(name, st);
}

/* The check values of the order lines (exact integers, as the pandas side). */
static int check(const crm_dataset *ds, char *out, size_t cap)
{
    size_t n = crm_dataset_nrows(ds), jq, jp, jc, jd, jt;
    if (col(ds, "Quantity", &jq) || col(ds, "UnitPrice", &jp) || col(ds, "CustomerID", &jc) ||
        col(ds, "Description", &jd) || col(ds, "InvoiceDate", &jt))
        return 1;
    double *x = malloc((n ? n : 1) * sizeof *x);
    int64_t *t = malloc((n ? n : 1) * sizeof *t);
    if (!x || !t)
        return 1;
    long long qty = 0, cents = 0, cust = 0, missing = 0, epoch = 0, bytes = 0;
    crm_dataset_get_number(ds, jq, 0, n, x);
    for (size_t i = 0; i < n; i++)
        qty += (long long)x[i];
    crm_dataset_get_number(ds, jp, 0, n, x);
    for (size_t i = 0; i < n; i++)
        cents += llround(x[i] * 100);
    crm_dataset_get_number(ds, jc, 0, n, x);
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            missing++;
        else
            cust += (long long)x[i];
    }
    crm_dataset_get_time(ds, jt, 0, n, t);
    for (size_t i = 0; i < n; i++)
        epoch += t[i];
    for (size_t i = 0; i < n; i++) {
        const char *s = NULL;
        crm_dataset_get_text(ds, jd, i, &s);
        bytes += s ? (long long)strlen(s) : 0;
    }
    snprintf(out, cap, "rows=%zu qty=%lld cents=%lld cust=%lld cust_missing=%lld epoch=%lld "
                       "desc_bytes=%lld",
             n, qty, cents, cust, missing, epoch, bytes);
    free(x);
    free(t);
    return 0;
}

static void times(double *t, int runs, double *best, double *median)
{
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    *best = t[0];
    *median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
}

static int bench_read(const char *uri, int runs)
{
    long base = rss_kb();
    double *t = malloc((size_t)runs * sizeof *t);
    char chk[512] = "";
    for (int r = 0; r < runs; r++) {
        crm_dataset *ds = NULL;
        double t0 = now();
        crm_status st = crm_dataset_read_sql(uri, "SELECT * FROM order_lines", NULL, 0, NULL, &ds);
        t[r] = now() - t0;
        if (st != CRM_OK)
            return fail("read", st);
        if (r == runs - 1 && check(ds, chk, sizeof chk))
            return 1;
        crm_dataset_free(ds);
    }
    double best, median;
    times(t, runs, &best, &median);
    printf("bench=sql_read impl=libcrm backend=%s runs=%d best_s=%.4f median_s=%.4f %s "
           "peak_rss_kb=%ld base_rss_kb=%ld\n",
           backend_of(uri), runs, best, median, chk, peak_kb(), base);
    free(t);
    return 0;
}

static int bench_write(const char *uri, int runs, const char *csv, const char *prefix)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv(csv, NULL, &ds);
    if (st != CRM_OK)
        return fail(csv, st);
    long base = rss_kb();
    double *t = malloc((size_t)runs * sizeof *t);
    char table[64] = "";
    for (int r = 0; r < runs; r++) {
        snprintf(table, sizeof table, "%.40s%d", prefix, r);
        double t0 = now();
        st = crm_dataset_write_sql(ds, uri, table, NULL); /* CREATE: a new table */
        t[r] = now() - t0;
        if (st != CRM_OK)
            return fail("write", st);
    }
    crm_dataset *back = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
    st = crm_dataset_read_sql(uri, sql, NULL, 0, NULL, &back);
    if (st != CRM_OK)
        return fail("read back", st);
    double best, median;
    times(t, runs, &best, &median);
    printf("bench=sql_write impl=libcrm backend=%s runs=%d best_s=%.4f median_s=%.4f rows=%zu "
           "peak_rss_kb=%ld base_rss_kb=%ld\n",
           backend_of(uri), runs, best, median, crm_dataset_nrows(back), peak_kb(), base);
    crm_dataset_free(back);
    crm_dataset_free(ds);
    free(t);
    return 0;
}

static int load(const char *uri, const char *table, const char *csv)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv(csv, NULL, &ds);
    if (st != CRM_OK)
        return fail(csv, st);
    crm_sql_options o;
    crm_sql_options_init(&o, sizeof o);
    o.mode = CRM_SQL_REPLACE;
    st = crm_dataset_write_sql(ds, uri, table, &o);
    crm_dataset_free(ds);
    return st == CRM_OK ? 0 : fail("load", st);
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "load") == 0)
        return load(argv[2], argv[3], argv[4]);
    int runs = argc > 3 ? atoi(argv[3]) : 0;
    if (argc >= 4 && runs > 0 && strcmp(argv[1], "read") == 0)
        return bench_read(argv[2], runs);
    if (argc >= 5 && runs > 0 && strcmp(argv[1], "write") == 0)
        return bench_write(argv[2], runs, argv[4], argc > 5 ? argv[5] : "crm_scores_c");
    fprintf(stderr, "usage: bench_sql_servers load URI TABLE FILE.csv | read URI RUNS | "
                    "write URI RUNS SCORES.csv [TABLE_PREFIX]\n");
    return 2;
}
