/* No CPU is used by idle library threads after a call returns, the first call of
 * a fresh process included (issue 19, acceptance 3).
 *
 * ctest runs this program in its own process, so each call below is the first of
 * its kind there, and the first logistic fit is the first BLAS call of the
 * process. After each call returns, the process sleeps for one second and its CPU
 * time (getrusage RUSAGE_SELF, user + system, all threads) over that second must
 * stay below IDLE_LIMIT_MS; so must the second right after the data is made,
 * before any fit (a library that starts threads when it is loaded spins there).
 * The program prints each figure and how many threads the process has after each
 * call (1: libcrm's pool and BLAS left none).
 *
 * Why 2 ms: the noise measured on the shared 2-core development machine under a
 * load of 3-16 was 0.00-0.03 ms per idle second (a sleeping process is charged
 * only for its wake-up); OpenBLAS's spinning server thread cost 45-105 ms per
 * second after the first BLAS call. 2 ms is far above the noise and far below
 * one spin period of a single idle thread.
 *
 * Usage: idle_cpu [SECONDS]   (default 1; exit 0 when every call stays under the
 * limit, 1 otherwise, 2 when a call fails) */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define IDLE_LIMIT_MS 2.0

static double idle_seconds = 1.0;

static double cpu_ms(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 +
           (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* CPU time of the whole process over idle_seconds of sleep */
static double idle_cpu_ms(void)
{
    double t0 = cpu_ms();
    struct timespec ts = {(time_t)idle_seconds,
                          (long)((idle_seconds - (double)(time_t)idle_seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return cpu_ms() - t0;
}

static uint64_t lcg = 88172645463325252ULL;
static double unif(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) / 9007199254740992.0;
}

/* n rows of 6 number features x1..x6 and a 0/1 target y */
static crm_status make_numbers(size_t n, crm_dataset **out)
{
    static const char *names[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
    double *x = malloc(n * 6 * sizeof *x), *y = malloc(n * sizeof *y);
    crm_status st = CRM_E_NOMEM;
    if (x && y) {
        for (size_t i = 0; i < n; i++) {
            double eta = -0.5;
            for (size_t j = 0; j < 6; j++) {
                x[j * n + i] = unif() * 2 - 1 + (double)(i % 3);
                eta += (0.3 * (double)j - 0.7) * x[j * n + i];
            }
            y[i] = unif() < 1 / (1 + exp(-eta)) ? 1 : 0;
        }
        st = crm_dataset_new(out);
        for (size_t j = 0; st == CRM_OK && j < 6; j++)
            st = crm_dataset_add_number(*out, names[j], x + j * n, n);
        if (st == CRM_OK) st = crm_dataset_add_number(*out, "y", y, n);
    }
    free(x);
    free(y);
    return st;
}

static crm_dataset *numbers, *shop;
static const char *feats[] = {"x1", "x2", "x3", "x4", "x5", "x6"};

static crm_status run_logreg(void)
{
    crm_model *m = NULL;
    crm_status st = crm_logreg_fit(numbers, "y", feats, 6, NULL, &m);
    crm_model_free(m);
    return st;
}

static crm_status run_linreg(void)
{
    crm_model *m = NULL;
    crm_status st = crm_linreg_fit(numbers, "x6", feats, 5, NULL, &m);
    crm_model_free(m);
    return st;
}

static crm_status run_kmeans(void)
{
    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = 5;
    crm_model *m = NULL;
    crm_status st = crm_kmeans_fit(numbers, feats, 4, &o, &m);
    crm_model_free(m);
    return st;
}

static crm_status run_arima(void)
{
    double y[144];
    for (int t = 0; t < 144; t++)
        y[t] = 100 + 2.0 * t + 20 * sin(2 * 3.141592653589793 * t / 12) + 5 * unif();
    crm_arima_options o;
    crm_arima_options_init(&o, sizeof o);
    o.auto_order = 1;
    crm_model *m = NULL;
    crm_status st = crm_arima_fit(y, 144, &o, &m);
    crm_model_free(m);
    return st;
}

static crm_status run_apriori(void)
{
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = 0.002;
    crm_dataset *its = NULL;
    crm_status st = crm_apriori(shop, "InvoiceNo", "StockCode", &o, &its, NULL);
    crm_dataset_free(its);
    return st;
}

static crm_status run_rfm(void)
{
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.quantity = "Quantity";
    o.price = "UnitPrice";
    o.invoice = "InvoiceNo";
    crm_dataset *out = NULL;
    crm_status st = crm_rfm(shop, &o, &out);
    crm_dataset_free(out);
    return st;
}

int main(int argc, char **argv)
{
    if (argc > 1) idle_seconds = atof(argv[1]);
    if (!(idle_seconds > 0)) idle_seconds = 1.0;
    crm_synth_options so;
    crm_synth_options_init(&so, sizeof so);
    so.customers = 2000;
    so.days = 365;
    so.dirt = 0;
    if (make_numbers(50000, &numbers) != CRM_OK || crm_synth_transactions(&so, &shop) != CRM_OK) {
        fprintf(stderr, "idle_cpu: cannot make the data: %s\n", crm_last_error());
        return 2;
    }
    /* libcrm loaded, nothing fitted yet: with OpenBLAS linked, its server threads
     * started with the process and spun here */
    double loaded = idle_cpu_ms();
    int bad = !(loaded < IDLE_LIMIT_MS);
    printf("%-40s %8.3f ms CPU over %.1f s idle, %d thread(s) %s\n", "loaded, no fit yet", loaded,
           idle_seconds, thread_count(), bad ? "FAIL (limit 2 ms)" : "ok");
    static const struct {
        const char *name;
        crm_status (*fn)(void);
    } steps[] = {{"logistic regression (first BLAS call)", run_logreg},
                 {"logistic regression (second)", run_logreg},
                 {"linear regression", run_linreg},
                 {"k-means", run_kmeans},
                 {"auto-ARIMA", run_arima},
                 {"apriori", run_apriori},
                 {"RFM", run_rfm}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        crm_status st = steps[i].fn();
        if (st != CRM_OK) {
            fprintf(stderr, "idle_cpu: %s failed: %s\n", steps[i].name, crm_last_error());
            return 2;
        }
        double ms = idle_cpu_ms();
        int ok = ms < IDLE_LIMIT_MS;
        printf("%-40s %8.3f ms CPU over %.1f s idle, %d thread(s) %s\n", steps[i].name, ms,
               idle_seconds, thread_count(), ok ? "ok" : "FAIL (limit 2 ms)");
        bad |= !ok;
    }
    crm_dataset_free(numbers);
    crm_dataset_free(shop);
    return bad;
}
