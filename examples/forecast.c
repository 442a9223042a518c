/* Sales forecasting with libcrm: generate four years of daily sales with a
 * trend and a yearly pattern, sum them per month, let libcrm choose a
 * seasonal ARIMA model (as R's auto.arima), print the next 6 months with 80
 * and 95 % prediction intervals, then save the model, load it back and check
 * that it forecasts the same numbers. Runs without arguments. */
#include <crm.h>
#include <crm/arima.h>
#include <crm/model.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS (4 * 365)

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, crm_last_error());
    return 1;
}

int main(void)
{
    /* daily sales from 2021-01-01: trend, yearly season, noise */
    static int64_t t[DAYS];
    static double amount[DAYS];
    const int64_t start = 1609459200; /* 2021-01-01 00:00:00 UTC */
    unsigned s = 2024;
    for (int i = 0; i < DAYS; i++) {
        s = s * 1103515245u + 12345u;
        double u = (double)(s >> 8) / 16777216.0;
        double season = 1.0 + 0.35 * sin(6.283185307179586 * (i - 80) / 365.25);
        t[i] = start + (int64_t)i * 86400 + 36000; /* 10:00 each day */
        amount[i] = (800.0 + 0.4 * i) * season * (0.7 + 0.6 * u);
    }
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) != CRM_OK || crm_dataset_add_time(ds, "date", t, DAYS) != CRM_OK ||
        crm_dataset_add_number(ds, "amount", amount, DAYS) != CRM_OK)
        return fail("dataset");

    crm_arima_options o;
    crm_arima_options_init(&o, sizeof o);
    o.auto_order = 1;          /* Hyndman-Khandakar search, AICc */
    o.freq = CRM_ARIMA_MONTH; /* sum per calendar month; season 12 */
    crm_model *m = NULL;
    if (crm_arima_fit_dataset(ds, "date", "amount", &o, &m) != CRM_OK) return fail("fit");

    const char *names[] = {"p", "d", "q", "sp", "sd", "sq", "period"};
    double v[7], aicc = 0, n = 0;
    for (int i = 0; i < 7; i++)
        crm_model_stat(m, names[i], &v[i]);
    crm_model_stat(m, "aicc", &aicc);
    crm_model_stat(m, "n", &n);
    printf("%d months -> ARIMA(%d,%d,%d)(%d,%d,%d)[%d], AICc %.2f\n", (int)n, (int)v[0],
           (int)v[1], (int)v[2], (int)v[3], (int)v[4], (int)v[5], (int)v[6], aicc);

    crm_dataset *fc = NULL;
    if (crm_arima_forecast_levels(m, 6, NULL, 0, &fc) != CRM_OK) return fail("forecast");
    int64_t when[6];
    double mean[6], lo80[6], hi80[6], lo95[6], hi95[6];
    crm_dataset_get_time(fc, 0, 0, 6, when);
    crm_dataset_get_number(fc, 2, 0, 6, mean);
    crm_dataset_get_number(fc, 4, 0, 6, lo80);
    crm_dataset_get_number(fc, 5, 0, 6, hi80);
    crm_dataset_get_number(fc, 6, 0, 6, lo95);
    crm_dataset_get_number(fc, 7, 0, 6, hi95);
    printf("%-10s %10s %21s %21s\n", "month", "forecast", "80% interval", "95% interval");
    for (int i = 0; i < 6; i++) {
        /* days since the epoch -> year and month (civil calendar) */
        long z = (long)(when[i] / 86400) + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        long mo = mp < 10 ? mp + 3 : mp - 9, yr = yoe + era * 400 + (mo <= 2);
        printf("%04ld-%02ld    %10.0f  [%8.0f, %8.0f]  [%8.0f, %8.0f]\n", yr, mo, mean[i],
               lo80[i], hi80[i], lo95[i], hi95[i]);
    }

    /* save, load, forecast again: the same numbers */
    char *json = NULL;
    crm_model *back = NULL;
    crm_dataset *fc2 = NULL;
    double mean2[6];
    if (crm_model_to_json(m, &json) != CRM_OK || crm_model_from_json(json, &back) != CRM_OK ||
        crm_arima_forecast_levels(back, 6, NULL, 0, &fc2) != CRM_OK)
        return fail("reload");
    crm_dataset_get_number(fc2, 2, 0, 6, mean2);
    int same = memcmp(mean, mean2, sizeof mean) == 0;
    printf("reloaded model forecasts identically: %s\n", same ? "yes" : "NO");

    crm_free(json);
    crm_dataset_free(fc2);
    crm_dataset_free(fc);
    crm_model_free(back);
    crm_model_free(m);
    crm_dataset_free(ds);
    return same ? 0 : 1;
}
