/* Benchmark: the mergeable-statistics path against the one-machine call, in one process.
 *
 * Usage: bench_stats ROWS CUSTOMERS PARTS [RUNS]
 * Rows as bench_rfm --synthetic (h = splitmix64 of the row number: customer = h % CUSTOMERS,
 * amount = 1 + (h >> 40) % 10000 / 100, time = 2011-01-01 + (h >> 20) % (365 days),
 * invoice = row / 4), cut into PARTS consecutive chunks of equal size. For RFM and for a
 * group-by (sum, mean, count of amount by customer; group_var: also var, which only the
 * statistics side has) each run times
 *   one:   crm_rfm / crm_dataset_group on all rows;
 *   stats: per chunk compute + serialize into one buffer (compute_s), then
 *          crm_stats_merge_buffers (deserialize, tree merge) and finalize (merge_s)
 *          (what a cluster does, minus the network and the parallelism);
 * and asserts the two tables equal bit for bit (group-by: the columns both have).
 * Single thread. Prints per analysis one line:
 *   bench=stats clock=wall|cpu what=W rows=R customers=C parts=P runs=N one_s=S stats_s=S compute_s=S
 *   merge_s=S bytes=B equal=1
 * (medians; bytes: the serialized statistics of all chunks together). BENCH_CLOCK=cpu times
 * with the process's CPU clock instead of the wall clock. */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Wall clock, or the process's CPU time with BENCH_CLOCK=cpu (on a shared machine; the
 * calls timed here run on one thread). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void die(crm_status st, const char *what)
{
    if (st == CRM_OK) return;
    fprintf(stderr, "bench_stats: %s: %s\n", what, crm_last_error());
    exit(1);
}

/* Rows [r0, r1) of the synthetic transactions. */
static crm_dataset *make_rows(size_t r0, size_t r1, size_t customers)
{
    size_t n = r1 - r0;
    double *cust = malloc((n + 1) * sizeof *cust), *amt = malloc((n + 1) * sizeof *amt);
    double *inv = malloc((n + 1) * sizeof *inv);
    int64_t *t = malloc((n + 1) * sizeof *t);
    if (!cust || !amt || !inv || !t) exit(1);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = splitmix64(r0 + i);
        cust[i] = (double)(h % customers);
        amt[i] = 1.0 + (double)((h >> 40) % 10000) / 100.0;
        t[i] = 1293840000 + (int64_t)((h >> 20) % (365 * 86400));
        inv[i] = (double)((r0 + i) / 4);
    }
    crm_dataset *ds = NULL;
    die(crm_dataset_new(&ds), "new");
    die(crm_dataset_add_number(ds, "customer", cust, n), "add");
    die(crm_dataset_add_time(ds, "time", t, n), "add");
    die(crm_dataset_add_number(ds, "amount", amt, n), "add");
    die(crm_dataset_add_number(ds, "invoice", inv, n), "add");
    free(cust);
    free(amt);
    free(inv);
    free(t);
    return ds;
}

static int same_numbers(const crm_dataset *a, const crm_dataset *b, size_t ncols)
{
    size_t n = crm_dataset_nrows(a);
    if (n != crm_dataset_nrows(b)) return 0;
    double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    int ok = 1;
    for (size_t c = 0; c < ncols && ok; c++) {
        int32_t ta;
        die(crm_dataset_column_type(a, c, &ta), "type");
        if (ta != CRM_TYPE_NUMBER) continue;
        die(crm_dataset_get_number(a, c, 0, n, x), "get");
        die(crm_dataset_get_number(b, c, 0, n, y), "get");
        for (size_t i = 0; i < n && ok; i++)
            ok = memcmp(&x[i], &y[i], sizeof x[i]) == 0 || (isnan(x[i]) && isnan(y[i]));
    }
    free(x);
    free(y);
    return ok;
}

typedef struct timing {
    double one, stats, compute, merge;
    size_t bytes;
    int equal;
} timing;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *const gkeys[] = {"customer"};
static const char *const gaggs[] = {"s=sum(amount)", "m=mean(amount)", "n=count(amount)"};
static const char *const gaggs_var[] = {"s=sum(amount)", "m=mean(amount)", "n=count(amount)",
                                        "v=var(amount)"};

/* what: 0 RFM, 1 group-by with the one-machine call's aggregations (sum, mean, count), 2 the
 * same plus var (the statistics side only: crm_dataset_group has no var; its one_s is the
 * 3-aggregation call). */
static crm_status compute(int what, const crm_dataset *ds, const crm_rfm_options *o,
                          crm_stats **out)
{
    if (what == 0) return crm_rfm_stats_compute(ds, o, out);
    if (what == 1) return crm_group_stats_compute(ds, gkeys, 1, gaggs, 3, out);
    return crm_group_stats_compute(ds, gkeys, 1, gaggs_var, 4, out);
}

static timing run_once(int what, const crm_dataset *all, crm_dataset **parts, size_t np,
                       const crm_rfm_options *o)
{
    timing tm = {0, 0, 0, 0, 0, 0};
    crm_dataset *one = NULL, *dist = NULL;
    double t0 = now();
    if (what == 0)
        die(crm_rfm(all, o, &one), "crm_rfm");
    else
        die(crm_dataset_group(all, gkeys, 1, gaggs, 3, &one), "group");
    double t1 = now();
    int64_t *lens = malloc(np * sizeof *lens);
    crm_stats **st = malloc(np * sizeof *st);
    for (size_t p = 0; p < np; p++) {
        die(compute(what, parts[p], o, &st[p]), "compute");
        size_t n = 0;
        die(crm_stats_serialized_size(st[p], &n), "size");
        lens[p] = (int64_t)n;
        tm.bytes += n;
    }
    uint8_t *all_bytes = malloc(tm.bytes);
    if (!all_bytes) exit(1);
    for (size_t p = 0, off = 0; p < np; off += (size_t)lens[p], p++) {
        die(crm_stats_serialize(st[p], all_bytes + off, (size_t)lens[p]), "serialize");
        crm_stats_free(st[p]);
    }
    free(st);
    double tc = now();
    crm_stats *total = NULL;
    die(crm_stats_merge_buffers(all_bytes, lens, np, &total), "merge");
    free(all_bytes);
    free(lens);
    if (what == 0)
        die(crm_rfm_stats_finalize(total, o, &dist), "finalize");
    else
        die(crm_group_stats_finalize(total, &dist), "finalize");
    double t2 = now();
    tm.merge = t2 - tc;
    tm.one = t1 - t0;
    tm.stats = t2 - t1;
    tm.compute = tc - t1;
    tm.equal = same_numbers(one, dist, what == 0 ? 10 : 4);
    crm_stats_free(total);
    crm_dataset_free(one);
    crm_dataset_free(dist);
    return tm;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_stats ROWS CUSTOMERS PARTS [RUNS]\n");
        return 2;
    }
    size_t rows = strtoull(argv[1], NULL, 10), customers = strtoull(argv[2], NULL, 10);
    size_t np = strtoull(argv[3], NULL, 10);
    int runs = argc > 4 ? atoi(argv[4]) : 3;
    const char *clk = getenv("BENCH_CLOCK");
    if (clk && strcmp(clk, "cpu") == 0) bench_clock = CLOCK_PROCESS_CPUTIME_ID;
    if (rows == 0 || customers == 0 || np == 0 || runs < 1) return 2;
    crm_dataset *all = make_rows(0, rows, customers);
    crm_dataset **parts = malloc(np * sizeof *parts);
    for (size_t p = 0; p < np; p++)
        parts[p] = make_rows(rows * p / np, rows * (p + 1) / np, customers);
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "customer";
    o.date = "time";
    o.amount = "amount";
    o.invoice = "invoice";
    static const char *const names[3] = {"rfm", "group", "group_var"};
    for (int what = 0; what < 3; what++) {
        double one[64], st[64], co[64], me[64];
        size_t bytes = 0;
        int equal = 1;
        for (int r = 0; r < runs && r < 64; r++) {
            timing tm = run_once(what, all, parts, np, &o);
            one[r] = tm.one;
            st[r] = tm.stats;
            co[r] = tm.compute;
            me[r] = tm.merge;
            bytes = tm.bytes;
            equal &= tm.equal;
        }
        int n = runs < 64 ? runs : 64;
        printf("bench=stats clock=%s what=%s rows=%zu customers=%zu parts=%zu runs=%d one_s=%.3f "
               "stats_s=%.3f compute_s=%.3f merge_s=%.3f bytes=%zu equal=%d\n",
               bench_clock == CLOCK_MONOTONIC ? "wall" : "cpu", names[what], rows, customers, np, n, median(one, n), median(st, n),
               median(co, n), median(me, n), bytes, equal);
        if (!equal) return 1;
    }
    for (size_t p = 0; p < np; p++)
        crm_dataset_free(parts[p]);
    free(parts);
    crm_dataset_free(all);
    return 0;
}
