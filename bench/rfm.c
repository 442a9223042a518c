/* Benchmark: load + clean + RFM on Online Retail with libcrm.
 *
 * Usage: bench_rfm FILE [RUNS]   (FILE is the .csv.gz; RUNS defaults to 5)
 *        bench_rfm --synthetic ROWS CUSTOMERS [RUNS]
 * Each run reads the file (crm_dataset_read_csv), keeps the standard RFM rows
 * (crm_dataset_filter: CustomerID present, Quantity > 0, UnitPrice > 0,
 * InvoiceNo not starting with 'C') and builds the RFM table (crm_rfm with
 * quantity * price and distinct invoices). Prints one machine-readable line:
 *   bench=rfm impl=libcrm file=NAME runs=N median_s=S min_s=S load_s=S clean_s=S rfm_s=S
 *   rows=R kept=K customers=C days=D scores=S monetary=M peak_rss_kb=KB
 * (load_s, clean_s, rfm_s are the medians of the three steps; peak_rss_kb is
 * the process's peak resident set, getrusage ru_maxrss). days, scores and monetary
 * check the RFM table against pandas' (not timed): the sum of recency_days,
 * frequency and tenure_days, the sum of rfm_score (integers: exact), and the sum of
 * monetary in customer order.
 *
 * --synthetic times crm_rfm alone on ROWS generated lines (the same data as
 * bench/rfm_pandas.py --synthetic): with h = splitmix64 of the row number,
 * customer = h % CUSTOMERS, amount = 1 + (h >> 40) % 10000 / 100,
 * time = 2011-01-01 + (h >> 20) % (365 days), invoice = row / 4. Prints
 *   bench=rfm_synth impl=libcrm rows=R customers=C runs=N median_s=S min_s=S days=D scores=S
 *   monetary=M peak_rss_kb=KB */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>
#include <crm/rfm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char filter[] = "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and "
                             "not startswith(InvoiceNo, 'C')";

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

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "bench_rfm: %s: %s: %s\n", what, crm_status_str(st), crm_last_error());
    return 1;
}

/* Sums over the RFM table that the pandas side computes the same way. */
static int checksum(const crm_dataset *rfm, double *days, double *scores, double *money)
{
    static const char *const cols[] = {"recency_days", "frequency", "tenure_days", "rfm_score",
                                       "monetary"};
    size_t n = crm_dataset_nrows(rfm);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) return 1;
    *days = *scores = *money = 0;
    for (size_t k = 0; k < 5; k++) {
        size_t c = 0;
        if (crm_dataset_column_index(rfm, cols[k], &c) || crm_dataset_get_number(rfm, c, 0, n, x)) {
            free(x);
            return 1;
        }
        double *to = k < 3 ? days : k == 3 ? scores : money;
        for (size_t i = 0; i < n; i++)
            *to += x[i];
    }
    free(x);
    return 0;
}

static uint64_t splitmix64(uint64_t i)
{
    uint64_t z = (i + 1) * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int synthetic(size_t rows, size_t customers, int runs)
{
    double *t = malloc((size_t)runs * sizeof *t);
    double *cust = malloc(rows * sizeof *cust), *amount = malloc(rows * sizeof *amount);
    double *inv = malloc(rows * sizeof *inv);
    int64_t *when = malloc(rows * sizeof *when);
    if (!t || !cust || !amount || !inv || !when) return 1;
    for (size_t i = 0; i < rows; i++) {
        uint64_t h = splitmix64(i);
        cust[i] = (double)(h % customers);
        amount[i] = 1 + (double)((h >> 40) % 10000) / 100;
        when[i] = 1293840000 + (int64_t)((h >> 20) % (365 * 86400));
        inv[i] = (double)(i / 4);
    }
    crm_dataset *tx = NULL;
    crm_status st = crm_dataset_new(&tx);
    if (!st) st = crm_dataset_add_number(tx, "customer", cust, rows);
    if (!st) st = crm_dataset_add_time(tx, "date", when, rows);
    if (!st) st = crm_dataset_add_number(tx, "amount", amount, rows);
    if (!st) st = crm_dataset_add_number(tx, "invoice", inv, rows);
    free(cust);
    free(amount);
    free(inv);
    free(when);
    if (st) return fail("build", st);
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "customer";
    o.date = "date";
    o.amount = "amount";
    o.invoice = "invoice";
    size_t ncust = 0;
    double days = 0, scores = 0, money = 0;
    for (int i = 0; i < runs; i++) {
        crm_dataset *rfm = NULL;
        double t0 = now();
        if ((st = crm_rfm(tx, &o, &rfm))) return fail("rfm", st);
        t[i] = now() - t0;
        ncust = crm_dataset_nrows(rfm);
        if (i == runs - 1 && checksum(rfm, &days, &scores, &money)) return fail("checksum", 1);
        crm_dataset_free(rfm);
    }
    crm_dataset_free(tx);
    double med = median(t, runs);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=rfm_synth impl=libcrm rows=%zu customers=%zu runs=%d median_s=%.4f min_s=%.4f "
           "days=%.17g scores=%.17g monetary=%.17g peak_rss_kb=%ld\n",
           rows, ncust, runs, med, t[0], days, scores, money, (long)ru.ru_maxrss);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--synthetic") == 0) {
        long long rows = atoll(argv[2]), customers = atoll(argv[3]);
        int runs = argc > 4 ? atoi(argv[4]) : 5;
        if (rows < 1 || customers < 1) {
            fprintf(stderr, "bench_rfm: ROWS and CUSTOMERS must be >= 1\n");
            return 2;
        }
        return synthetic((size_t)rows, (size_t)customers, runs < 1 ? 1 : runs);
    }

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.csv.gz [RUNS] | --synthetic ROWS CUSTOMERS [RUNS]\n",
                argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1) runs = 1;
    double *t = malloc(4 * (size_t)runs * sizeof *t);
    if (!t) return 1;
    double *tl = t + runs, *tc = t + 2 * runs, *tr = t + 3 * runs;
    size_t rows = 0, kept = 0, customers = 0;
    double days = 0, scores = 0, money = 0;
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.quantity = "Quantity";
    o.price = "UnitPrice";
    o.invoice = "InvoiceNo";
    for (int i = 0; i < runs; i++) {
        crm_dataset *raw = NULL, *tx = NULL, *rfm = NULL;
        double t0 = now();
        crm_status st = crm_dataset_read_csv(argv[1], NULL, &raw);
        if (st) return fail("read", st);
        double t1 = now();
        if ((st = crm_dataset_filter(raw, filter, &tx))) return fail("filter", st);
        double t2 = now();
        if ((st = crm_rfm(tx, &o, &rfm))) return fail("rfm", st);
        double t3 = now();
        t[i] = t3 - t0;
        tl[i] = t1 - t0;
        tc[i] = t2 - t1;
        tr[i] = t3 - t2;
        rows = crm_dataset_nrows(raw);
        kept = crm_dataset_nrows(tx);
        customers = crm_dataset_nrows(rfm);
        if (i == runs - 1 && checksum(rfm, &days, &scores, &money)) return fail("checksum", 1);
        crm_dataset_free(rfm);
        crm_dataset_free(tx);
        crm_dataset_free(raw);
    }
    double med = median(t, runs), ml = median(tl, runs), mc = median(tc, runs),
           mr = median(tr, runs);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *name = strrchr(argv[1], '/');
    printf("bench=rfm impl=libcrm file=%s runs=%d median_s=%.4f min_s=%.4f load_s=%.4f "
           "clean_s=%.4f rfm_s=%.4f rows=%zu kept=%zu customers=%zu days=%.17g scores=%.17g "
           "monetary=%.17g peak_rss_kb=%ld\n",
           name ? name + 1 : argv[1], runs, med, t[0], ml, mc, mr, rows, kept, customers, days,
           scores, money, (long)ru.ru_maxrss);
    free(t);
    return 0;
}
