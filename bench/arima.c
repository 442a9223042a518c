/* Benchmark: ARIMA fits (crm_arima_fit) and automatic selection over a panel
 * (crm_arima_fit_many).
 *
 * Usage:
 *   bench_arima single AIRPASSENGERS.csv [REPS]
 *     the airline model ARIMA(0,1,1)(0,1,1)[12] on log AirPassengers under
 *     CSS-ML and ML; prints the fastest of REPS (default 50) fits.
 *   bench_arima auto PANEL.csv THREADS [ORDERS_OUT]
 *     automatic order selection (defaults, as forecast::auto.arima) for every
 *     series of a panel with columns id,month,value (bench/arima_panel.R), all
 *     series through crm_arima_fit_many on THREADS threads; writes
 *     "id p d q P D Q s constant" per series to ORDERS_OUT when given.
 * Prints machine-readable key=value lines. */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>
#include <crm/arima.h>
#include <crm/model.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"

/* CPU time of the whole process (every thread), for runs on a loaded machine. */
static int fail(const char *what)
{
    fprintf(stderr, "bench_arima: %s: %s\n", what, crm_last_error());
    return 1;
}

static int single(const char *path, int reps)
{
    crm_dataset *ds = NULL;
    if (crm_dataset_read_csv(path, NULL, &ds) != CRM_OK) return fail(path);
    size_t col, n = crm_dataset_nrows(ds);
    double *y = malloc(n * sizeof *y);
    if (!y || crm_dataset_column_index(ds, "value", &col) != CRM_OK ||
        crm_dataset_get_number(ds, col, 0, n, y) != CRM_OK)
        return fail("values");
    for (size_t i = 0; i < n; i++)
        y[i] = log(y[i]);
    static const char *const names[] = {"CSS-ML", "ML"};
    for (int meth = 0; meth < 2; meth++) {
        crm_arima_options o;
        crm_arima_options_init(&o, sizeof o);
        o.d = 1;
        o.q = 1;
        o.sd = 1;
        o.sq = 1;
        o.period = 12;
        o.method = meth == 0 ? CRM_ARIMA_CSS_ML : CRM_ARIMA_ML;
        double best = INFINITY, ll = 0, coef[2] = {0, 0};
        for (int r = 0; r < reps; r++) {
            crm_model *m = NULL;
            double t0 = now();
            if (crm_arima_fit(y, n, &o, &m) != CRM_OK) return fail("fit");
            double dt = now() - t0;
            if (dt < best) best = dt;
            crm_model_stat(m, "loglik", &ll);
            crm_dataset *s = NULL;
            crm_model_summary(m, &s);
            crm_dataset_get_number(s, 1, 0, 2, coef);
            crm_dataset_free(s);
            crm_model_free(m);
        }
        printf("bench=arima_single impl=libcrm-%s fit_ms=%.3f ma1=%.6f sma1=%.6f loglik=%.6f\n",
               names[meth], best * 1e3, coef[0], coef[1], ll);
    }
    free(y);
    crm_dataset_free(ds);
    return 0;
}

static int panel(const char *path, int threads, const char *orders_out)
{
    crm_dataset *ds = NULL;
    if (crm_dataset_read_csv(path, NULL, &ds) != CRM_OK) return fail(path);
    crm_arima_options o;
    crm_arima_options_init(&o, sizeof o);
    o.auto_order = 1;
    o.freq = CRM_ARIMA_MONTH;
    o.n_threads = threads;
    crm_dataset *fits = NULL, *fcs = NULL;
    double t0 = now(), c0 = cpu_now();
    if (crm_arima_fit_many(ds, "id", "month", "value", 12, 95, &o, &fits, &fcs) != CRM_OK)
        return fail("fit_many");
    double dt = now() - t0, dc = cpu_now() - c0;
    size_t ng = crm_dataset_nrows(fits);
    static const char *const cols[] = {"id", "p", "d", "q", "sp", "sd", "sq", "period", "constant"};
    double *v = malloc(9 * ng * sizeof *v);
    if (!v) return 1;
    for (int c = 0; c < 9; c++) {
        size_t ci;
        if (crm_dataset_column_index(fits, cols[c], &ci) != CRM_OK ||
            crm_dataset_get_number(fits, ci, 0, ng, v + (size_t)c * ng) != CRM_OK)
            return fail("fits table");
    }
    size_t failed = 0;
    for (size_t g = 0; g < ng; g++)
        failed += isnan(v[ng + g]);
    if (orders_out) {
        FILE *f = fopen(orders_out, "w");
        if (!f) return 1;
        for (size_t g = 0; g < ng; g++) {
            for (int c = 0; c < 9; c++)
                fprintf(f, "%s%d", c ? " " : "", (int)v[(size_t)c * ng + g]);
            fprintf(f, "\n");
        }
        fclose(f);
    }
    printf("bench=arima_auto impl=libcrm threads=%d series=%zu failed=%zu total_s=%.3f "
           "per_series_s=%.4f cpu_s=%.3f per_series_cpu_s=%.4f\n",
           threads, ng, failed, dt, dt / (double)ng, dc, dc / (double)ng);
    free(v);
    crm_dataset_free(fits);
    crm_dataset_free(fcs);
    crm_dataset_free(ds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "single") == 0)
        return single(argv[2], argc > 3 ? atoi(argv[3]) : 50);
    if (argc >= 4 && strcmp(argv[1], "auto") == 0)
        return panel(argv[2], atoi(argv[3]), argc > 4 ? argv[4] : NULL);
    fprintf(stderr, "usage: bench_arima single AIRPASSENGERS.csv [REPS]\n"
                    "       bench_arima auto PANEL.csv THREADS [ORDERS_OUT]\n");
    return 2;
}
