/* ARIMA: fits on simulated series, options, bad input, datasets (calendar
 * aggregation, non-regular dates), forecasts, fit_many, JSON, allocation
 * failures. Parity with R is in check_arima_shared.c. */
#include "test_util.h"

#include <math.h>

/* Deterministic N(0,1) draws (LCG + Box-Muller). */
static double draw(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u1 = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u2 = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ARMA(1,1) with mean, phi 0.6, theta 0.3, sigma 1. */
static void arma11(double *y, int n, uint64_t seed)
{
    uint64_t s = seed;
    double prev = 0.0, eprev = 0.0;
    for (int i = -100; i < n; i++) {
        double e = draw(&s);
        double v = 0.6 * prev + e + 0.3 * eprev;
        prev = v;
        eprev = e;
        if (i >= 0) y[i] = 10.0 + v;
    }
}

static crm_arima_options opts_order(int p, int d, int q)
{
    crm_arima_options o;
    ck_assert_ok(crm_arima_options_init(&o, sizeof o));
    o.p = p;
    o.d = d;
    o.q = q;
    return o;
}

static double stat(const crm_model *m, const char *name)
{
    double v = NAN;
    ck_assert_ok(crm_model_stat(m, name, &v));
    return v;
}

START_TEST(test_options)
{
    crm_arima_options o;
    ck_assert_ok(crm_arima_options_init(&o, sizeof o));
    ck_assert_int_eq(o.size, sizeof o);
    ck_assert_int_eq(o.include_mean, 1);
    ck_assert_int_eq(o.method, CRM_ARIMA_CSS_ML);
    ck_assert_int_eq(o.max_p, 5);
    ck_assert_int_eq(o.max_sp, 2);
    ck_assert_int_eq(o.max_d, 2);
    ck_assert_int_eq(o.max_sd, 1);
    ck_assert_int_eq(o.stepwise, 1);
    ck_assert_int_eq(o.max_iter, 100);
    ck_assert_double_eq(o.kappa, 1e6);
    ck_assert_int_eq(o.freq, CRM_ARIMA_MONTH);
    ck_assert_error(crm_arima_options_init(NULL, sizeof o), CRM_E_INVALID);
    ck_assert_error(crm_arima_options_init(&o, 8), CRM_E_INVALID);
    /* a larger struct from a newer caller with a non-zero tail is refused */
    struct {
        crm_arima_options o;
        int64_t extra;
    } big;
    ck_assert_ok(crm_arima_options_init(&big.o, sizeof big));
    big.o.size = sizeof big;
    big.extra = 1;
    double y[50];
    arma11(y, 50, 1);
    crm_model *m = NULL;
    ck_assert_error(crm_arima_fit(y, 50, &big.o, &m), CRM_E_FORMAT);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_arma11_fit)
{
    double y[400];
    arma11(y, 400, 7);
    crm_arima_options o = opts_order(1, 0, 1);
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit(y, 400, &o, &m));
    ck_assert_int_eq(crm_model_kind(m), CRM_MODEL_ARIMA);
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 3);
    const char *t;
    ck_assert_ok(crm_dataset_get_text(s, 0, 2, &t));
    ck_assert_str_eq(t, "intercept");
    double est[3], se[3];
    ck_assert_ok(crm_dataset_get_number(s, 1, 0, 3, est));
    ck_assert_ok(crm_dataset_get_number(s, 2, 0, 3, se));
    ck_assert_msg(fabs(est[0] - 0.6) < 4 * se[0], "ar1 %g (se %g)", est[0], se[0]);
    ck_assert_msg(fabs(est[1] - 0.3) < 4 * se[1], "ma1 %g (se %g)", est[1], se[1]);
    ck_assert_msg(fabs(est[2] - 10.0) < 4 * se[2], "mean %g (se %g)", est[2], se[2]);
    ck_assert_double_eq(stat(m, "converged"), 1);
    ck_assert_double_eq(stat(m, "n"), 400);
    ck_assert_double_eq(stat(m, "n_used"), 400);
    double s2 = stat(m, "sigma2");
    ck_assert_msg(s2 > 0.8 && s2 < 1.2, "sigma2 %g", s2);
    double ll = stat(m, "loglik"), aic = stat(m, "aic"), aicc = stat(m, "aicc"),
           bic = stat(m, "bic");
    ck_assert_double_eq_tol(aic, -2 * ll + 2 * 4, 1e-9);
    ck_assert_double_eq_tol(aicc, aic + 2.0 * 4 * 5 / (400 - 4 - 1), 1e-9);
    ck_assert_double_eq_tol(bic, aic + 4 * (log(400.0) - 2), 1e-9);
    double lbp = stat(m, "ljung_box_p");
    ck_assert_msg(lbp > 0.001 && lbp <= 1, "Ljung-Box p %g", lbp);
    ck_assert_double_eq(stat(m, "ljung_box_lag"), 10);
    ck_assert_double_eq(stat(m, "ljung_box_df"), 8);
    double v;
    ck_assert_error(crm_model_stat(m, "nonsense", &v), CRM_E_NOTFOUND);
    /* forecasts revert to the mean, standard errors grow to the process sd */
    crm_dataset *fc = NULL;
    ck_assert_ok(crm_arima_forecast(m, 200, 95, &fc));
    ck_assert_uint_eq(crm_dataset_ncols(fc), 5);
    double mean[200], fse[200], lo[200], up[200];
    ck_assert_ok(crm_dataset_get_number(fc, 1, 0, 200, mean));
    ck_assert_ok(crm_dataset_get_number(fc, 2, 0, 200, fse));
    ck_assert_ok(crm_dataset_get_number(fc, 3, 0, 200, lo));
    ck_assert_ok(crm_dataset_get_number(fc, 4, 0, 200, up));
    ck_assert_double_eq_tol(mean[199], est[2], 1e-9);
    ck_assert_double_eq_tol(fse[0], sqrt(s2), 1e-9);
    double phi = est[0], th = est[1];
    double gamma0 = (1 + 2 * phi * th + th * th) / (1 - phi * phi) * s2;
    ck_assert_double_eq_tol(fse[199], sqrt(gamma0), 1e-6);
    for (int i = 0; i < 200; i++) {
        ck_assert(fse[i] >= fse[0] - 1e-12);
        ck_assert_double_eq_tol(up[i] - mean[i], mean[i] - lo[i], 1e-9);
        ck_assert_double_eq_tol(up[i] - mean[i], 1.959963984540054 * fse[i], 1e-9);
    }
    crm_dataset_free(fc);
    /* several levels */
    double lv[3] = {50, 80, 99.5};
    ck_assert_ok(crm_arima_forecast_levels(m, 4, lv, 3, &fc));
    ck_assert_uint_eq(crm_dataset_ncols(fc), 9);
    const char *nm;
    ck_assert_ok(crm_dataset_column_name(fc, 7, &nm));
    ck_assert_str_eq(nm, "lower_99.5");
    double l50[4], u50[4];
    ck_assert_ok(crm_dataset_get_number(fc, 3, 0, 4, l50));
    ck_assert_ok(crm_dataset_get_number(fc, 4, 0, 4, u50));
    ck_assert_double_eq_tol(u50[0] - l50[0], 2 * 0.6744897501960817 * fse[0], 1e-9);
    crm_dataset_free(fc);
    crm_dataset_free(s);
    crm_model_free(m);
}
END_TEST

START_TEST(test_methods_and_fixed)
{
    double y[300];
    arma11(y, 300, 3);
    for (int meth = 0; meth < 3; meth++) {
        crm_arima_options o = opts_order(1, 0, 1);
        o.method = meth;
        crm_model *m = NULL;
        ck_assert_ok(crm_arima_fit(y, 300, &o, &m));
        ck_assert_double_eq(stat(m, "method"), meth);
        if (meth == CRM_ARIMA_CSS)
            ck_assert(isnan(stat(m, "aic")));
        else
            ck_assert(isfinite(stat(m, "aic")));
        crm_model_free(m);
    }
    /* hold ma1 at 0.3: two coefficients estimated, the third reported as fixed */
    crm_arima_options o = opts_order(1, 0, 1);
    double fixed[3] = {NAN, 0.3, NAN};
    o.fixed = fixed;
    o.n_fixed = 3;
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit(y, 300, &o, &m));
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    double est[3], se[3], fx[3];
    ck_assert_ok(crm_dataset_get_number(s, 1, 0, 3, est));
    ck_assert_ok(crm_dataset_get_number(s, 2, 0, 3, se));
    ck_assert_ok(crm_dataset_get_number(s, 5, 0, 3, fx));
    ck_assert_double_eq(est[1], 0.3);
    ck_assert(isnan(se[1]));
    ck_assert_double_eq(fx[1], 1);
    ck_assert_double_eq(fx[0], 0);
    double ll = stat(m, "loglik");
    ck_assert_double_eq_tol(stat(m, "aic"), -2 * ll + 2 * 3, 1e-9);
    crm_dataset_free(s);
    crm_model_free(m);
    /* everything fixed: nothing to optimise, still a model */
    double all[3] = {0.5, 0.3, 10.0};
    o.fixed = all;
    ck_assert_ok(crm_arima_fit(y, 300, &o, &m));
    ck_assert_double_eq(stat(m, "converged"), 1);
    crm_model_free(m);
    /* fixed of the wrong length */
    o.n_fixed = 2;
    ck_assert_error(crm_arima_fit(y, 300, &o, &m), CRM_E_INVALID);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_seasonal_and_drift)
{
    /* a random walk with drift plus a monthly pattern */
    double y[120];
    uint64_t s = 11;
    double level = 100;
    for (int i = 0; i < 120; i++) {
        level += 0.5 + draw(&s);
        y[i] = level + 10 * sin(6.283185307179586 * i / 12.0);
    }
    crm_arima_options o = opts_order(0, 1, 1);
    o.include_drift = 1;
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit(y, 120, &o, &m));
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    const char *t;
    ck_assert_ok(crm_dataset_get_text(sum, 0, 1, &t));
    ck_assert_str_eq(t, "drift");
    crm_dataset_free(sum);
    crm_model_free(m);
    o = opts_order(0, 1, 1);
    o.sq = 1;
    o.sd = 1;
    o.period = 12;
    ck_assert_ok(crm_arima_fit(y, 120, &o, &m));
    ck_assert_double_eq(stat(m, "n_used"), 120 - 13);
    crm_dataset *fc = NULL;
    ck_assert_ok(crm_arima_forecast(m, 24, 80, &fc));
    double mean[24];
    ck_assert_ok(crm_dataset_get_number(fc, 1, 0, 24, mean));
    /* the seasonal pattern carries on: month 3 (peak) above month 9 (trough) */
    ck_assert(mean[3] - mean[9] > 10);
    crm_dataset_free(fc);
    crm_model_free(m);
    /* auto finds the seasonal difference */
    crm_arima_options a;
    ck_assert_ok(crm_arima_options_init(&a, sizeof a));
    a.auto_order = 1;
    a.period = 12;
    ck_assert_ok(crm_arima_fit(y, 120, &a, &m));
    ck_assert_double_eq(stat(m, "auto"), 1);
    ck_assert_double_eq(stat(m, "sd"), 1);
    ck_assert(stat(m, "models_tried") > 5);
    crm_model_free(m);
}
END_TEST

START_TEST(test_bad_input)
{
    double y[100], c[60];
    arma11(y, 100, 5);
    for (int i = 0; i < 60; i++)
        c[i] = 3.0;
    crm_model *m = NULL;
    crm_arima_options o = opts_order(1, 0, 1);
    /* NULL arguments, empty series */
    ck_assert_error(crm_arima_fit(NULL, 10, &o, &m), CRM_E_INVALID);
    ck_assert_error(crm_arima_fit(y, 0, &o, &m), CRM_E_INVALID);
    ck_assert_error(crm_arima_fit(y, 10, &o, NULL), CRM_E_INVALID);
    /* series shorter than the model needs */
    crm_arima_options big = opts_order(3, 1, 3);
    ck_assert_error(crm_arima_fit(y, 7, &big, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "needs at least") != NULL);
    crm_arima_options seas = opts_order(0, 1, 1);
    seas.sd = 1;
    seas.sq = 1;
    seas.period = 12;
    ck_assert_error(crm_arima_fit(y, 14, &seas, &m), CRM_E_INVALID);
    /* constant series */
    ck_assert_error(crm_arima_fit(c, 60, &o, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "constant") != NULL);
    /* NaN inside the series, and Inf */
    double w[100];
    memcpy(w, y, sizeof w);
    w[40] = NAN;
    ck_assert_error(crm_arima_fit(w, 100, &o, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "value 40") != NULL);
    w[40] = INFINITY;
    ck_assert_error(crm_arima_fit(w, 100, &o, &m), CRM_E_INVALID);
    /* orders out of range */
    crm_arima_options r = opts_order(-1, 0, 0);
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    r = opts_order(101, 0, 0);
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    r = opts_order(0, 4, 0);
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    r = opts_order(0, 0, 0);
    r.method = 7;
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    r.method = 0;
    r.kappa = -1;
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    /* period 1 with seasonal terms */
    r = opts_order(1, 0, 0);
    r.sp = 1;
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "period") != NULL);
    r.period = 1;
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    /* drift needs d + D = 1 */
    r = opts_order(1, 0, 0);
    r.include_drift = 1;
    ck_assert_error(crm_arima_fit(y, 100, &r, &m), CRM_E_INVALID);
    ck_assert_ptr_null(m);
    /* forecasts: bad horizon and level */
    ck_assert_ok(crm_arima_fit(y, 100, &o, &m));
    crm_dataset *fc = NULL;
    ck_assert_error(crm_arima_forecast(m, 0, 95, &fc), CRM_E_INVALID);
    ck_assert_error(crm_arima_forecast(m, 5, 100, &fc), CRM_E_INVALID);
    ck_assert_error(crm_arima_forecast(m, 5, 0, &fc), CRM_E_INVALID);
    ck_assert_error(crm_arima_forecast(NULL, 5, 95, &fc), CRM_E_INVALID);
    double dup[2] = {80, 80};
    ck_assert_error(crm_arima_forecast_levels(m, 5, dup, 2, &fc), CRM_E_INVALID);
    ck_assert_ptr_null(fc);
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_error(crm_model_predict(m, ds, "x"), CRM_E_TYPE);
    crm_dataset_free(ds);
    crm_model_free(m);
}
END_TEST

START_TEST(test_missing_and_nonconvergence)
{
    double y[200];
    arma11(y, 200, 9);
    y[50] = NAN;
    y[51] = NAN;
    crm_arima_options o = opts_order(1, 0, 1);
    o.allow_missing = 1;
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit(y, 200, &o, &m));
    ck_assert_double_eq(stat(m, "n_used"), 198);
    crm_model_free(m);
    o.method = CRM_ARIMA_CSS;
    ck_assert_error(crm_arima_fit(y, 200, &o, &m), CRM_E_INVALID);
    /* stopping at the iteration limit is not failing */
    arma11(y, 200, 9);
    o = opts_order(2, 0, 2);
    o.max_iter = 1;
    o.method = CRM_ARIMA_ML;
    ck_assert_ok(crm_arima_fit(y, 200, &o, &m));
    ck_assert_double_eq(stat(m, "converged"), 0);
    crm_model_free(m);
    /* auto on a constant series: the mean model */
    double c[30];
    for (int i = 0; i < 30; i++)
        c[i] = 7.5;
    crm_arima_options a;
    ck_assert_ok(crm_arima_options_init(&a, sizeof a));
    a.auto_order = 1;
    ck_assert_ok(crm_arima_fit(c, 30, &a, &m));
    ck_assert_double_eq(stat(m, "p") + stat(m, "d") + stat(m, "q"), 0);
    crm_dataset *fc = NULL;
    ck_assert_ok(crm_arima_forecast(m, 3, 95, &fc));
    double mean[3];
    ck_assert_ok(crm_dataset_get_number(fc, 1, 0, 3, mean));
    ck_assert_double_eq(mean[2], 7.5);
    crm_dataset_free(fc);
    crm_model_free(m);
}
END_TEST

static crm_dataset *csv(const char *text)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(text, strlen(text), NULL, &ds));
    return ds;
}

START_TEST(test_dataset_aggregation)
{
    /* transactions: several per month, March empty, times within the day */
    const char *text = "date,amount\n"
                       "2021-01-03 10:00:00,5\n2021-01-20 12:00:00,7\n2021-02-01 00:00:00,1\n"
                       "2021-04-30 23:59:59,4\n2021-05-02 08:00:00,2\n2021-05-03 08:00:00,\n"
                       "2021-06-15 08:00:00,3\n2021-07-01 08:00:00,9\n2021-08-01 08:00:00,4\n"
                       "2021-09-01 08:00:00,6\n2021-10-01 08:00:00,2\n";
    crm_dataset *ds = csv(text);
    crm_arima_options o = opts_order(0, 0, 0);
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit_dataset(ds, "date", "amount", &o, &m));
    ck_assert_double_eq(stat(m, "n"), 10); /* Jan..Oct */
    /* the mean of the monthly sums 12,1,0,4,2,3,9,4,6,2 */
    crm_dataset *s = NULL;
    ck_assert_ok(crm_model_summary(m, &s));
    double mu;
    ck_assert_ok(crm_dataset_get_number(s, 1, 0, 1, &mu));
    ck_assert_double_eq_tol(mu, 4.3, 1e-6);
    crm_dataset_free(s);
    crm_dataset *fc = NULL;
    ck_assert_ok(crm_arima_forecast(m, 3, 95, &fc));
    int64_t t[3];
    ck_assert_ok(crm_dataset_get_time(fc, 0, 0, 3, t));
    ck_assert_int_eq(t[0], 1635724800); /* 2021-11-01 */
    ck_assert_int_eq(t[2], 1640995200); /* 2022-01-01 */
    crm_dataset_free(fc);
    crm_model_free(m);
    /* weeks start on Monday: 2021-01-03 is a Sunday, 2021-01-04 a Monday */
    o.freq = CRM_ARIMA_WEEK;
    ck_assert_ok(crm_arima_fit_dataset(ds, "date", "amount", &o, &m));
    ck_assert_ok(crm_arima_forecast(m, 1, 95, &fc));
    ck_assert_ok(crm_dataset_get_time(fc, 0, 0, 1, t));
    ck_assert_int_eq(((t[0] / 86400) + 3) % 7, 0); /* a Monday */
    ck_assert_double_eq(stat(m, "period"), 52);
    crm_dataset_free(fc);
    crm_model_free(m);
    o.freq = CRM_ARIMA_QUARTER;
    ck_assert_ok(crm_arima_fit_dataset(ds, "date", "amount", &o, &m));
    ck_assert_double_eq(stat(m, "n"), 4);
    crm_model_free(m);
    /* non-regular dates when the rows must already be one per period */
    o.freq = CRM_ARIMA_MONTH;
    o.aggregate = 0;
    ck_assert_error(crm_arima_fit_dataset(ds, "date", "amount", &o, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "non-regular") != NULL);
    crm_dataset *reg = csv("date,v\n2021-01-01,1\n2021-02-01,2\n2021-04-01,3\n");
    ck_assert_error(crm_arima_fit_dataset(reg, "date", "v", &o, &m), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "2021-03-01") != NULL);
    crm_dataset_free(reg);
    reg = csv("date,v\n2021-01-01,1\n2021-02-01,2\n2021-02-01,3\n");
    ck_assert_error(crm_arima_fit_dataset(reg, "date", "v", &o, &m), CRM_E_INVALID);
    crm_dataset_free(reg);
    /* wrong columns */
    ck_assert_error(crm_arima_fit_dataset(ds, "nope", "amount", &o, &m), CRM_E_NOTFOUND);
    ck_assert_error(crm_arima_fit_dataset(ds, "amount", "amount", &o, &m), CRM_E_TYPE);
    ck_assert_error(crm_arima_fit_dataset(ds, "date", "date", &o, &m), CRM_E_TYPE);
    ck_assert_ptr_null(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_fit_many)
{
    /* three shops: two long enough, one with a single month */
    char *buf = malloc(1 << 16);
    size_t len = (size_t)sprintf(buf, "shop,date,sales\n");
    uint64_t s = 4;
    for (int k = 0; k < 60; k++) {
        int y = 2015 + k / 12, mo = k % 12 + 1;
        len += (size_t)sprintf(buf + len, "north,%d-%02d-10,%.3f\n", y, mo, 50 + 5 * draw(&s));
        len += (size_t)sprintf(buf + len, "south,%d-%02d-11,%.3f\n", y, mo, 80 + k + draw(&s));
    }
    len += (size_t)sprintf(buf + len, "tiny,2016-01-05,3\n");
    crm_dataset *ds = csv(buf);
    free(buf);
    crm_arima_options o;
    ck_assert_ok(crm_arima_options_init(&o, sizeof o));
    o.auto_order = 1;
    o.n_threads = 2;
    crm_dataset *fits = NULL, *fcs = NULL;
    ck_assert_ok(crm_arima_fit_many(ds, "shop", "date", "sales", 6, 90, &o, &fits, &fcs));
    ck_assert_uint_eq(crm_dataset_nrows(fits), 3);
    ck_assert_uint_eq(crm_dataset_nrows(fcs), 12 + 6);
    const char *t;
    ck_assert_ok(crm_dataset_get_text(fits, 0, 2, &t));
    ck_assert_str_eq(t, "tiny");
    size_t ce;
    ck_assert_ok(crm_dataset_column_index(fits, "error", &ce));
    ck_assert_ok(crm_dataset_get_text(fits, ce, 0, &t));
    ck_assert_ptr_null(t);
    double n[3];
    ck_assert_ok(crm_dataset_get_number(fits, 1, 0, 3, n));
    ck_assert_double_eq(n[0], 60);
    ck_assert_double_eq(n[2], 1);
    /* the same fits one by one; thread count does not change results */
    crm_dataset *fits1 = NULL, *fcs1 = NULL;
    o.n_threads = 1;
    ck_assert_ok(crm_arima_fit_many(ds, "shop", "date", "sales", 6, 90, &o, &fits1, &fcs1));
    double a[18], b[18];
    size_t cm;
    ck_assert_ok(crm_dataset_column_index(fcs, "mean", &cm));
    ck_assert_ok(crm_dataset_get_number(fcs, cm, 0, 12, a));
    ck_assert_ok(crm_dataset_get_number(fcs1, cm, 0, 12, b));
    ck_assert_int_eq(memcmp(a, b, 12 * sizeof *a), 0);
    /* the series "south" alone gives the same forecast */
    crm_dataset *south = NULL;
    ck_assert_ok(crm_dataset_filter(ds, "shop == 'south'", &south));
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit_dataset(south, "date", "sales", &o, &m));
    crm_dataset *fc = NULL;
    ck_assert_ok(crm_arima_forecast(m, 6, 90, &fc));
    ck_assert_ok(crm_dataset_get_number(fc, 2, 0, 6, b));
    ck_assert_int_eq(memcmp(a + 6, b, 6 * sizeof *a), 0);
    crm_dataset_free(fc);
    crm_model_free(m);
    crm_dataset_free(south);
    crm_dataset_free(fits1);
    crm_dataset_free(fcs1);
    crm_dataset_free(fits);
    crm_dataset_free(fcs);
    ck_assert_error(crm_arima_fit_many(ds, "shop", "date", "sales", 6, 90, &o, NULL, &fcs),
                    CRM_E_INVALID);
    ck_assert_error(crm_arima_fit_many(ds, "nope", "date", "sales", 6, 90, &o, &fits, &fcs),
                    CRM_E_NOTFOUND);
    ck_assert_error(crm_arima_fit_many(ds, "shop", "date", "sales", -1, 90, &o, &fits, &fcs),
                    CRM_E_INVALID);
    crm_dataset_free(ds);
}
END_TEST

/* Ljung-Box p-values use log-gamma: computed on worker threads they must be
 * exactly those of the single-threaded run and of each series fitted alone
 * (and race-free: the library calls lgamma_r, never lgamma and its global
 * signgam; the ctest "symbols" checks that, a ThreadSanitizer build runs this). */
START_TEST(test_fit_many_threads_ljung_box)
{
    enum { G = 12, N = 48 };
    char *buf = malloc(1 << 17);
    size_t len = (size_t)sprintf(buf, "g,date,v\n");
    double y[G][N];
    for (int g = 0; g < G; g++) {
        arma11(y[g], N, 100 + (uint64_t)g);
        for (int k = 0; k < N; k++)
            len += (size_t)sprintf(buf + len, "s%02d,%d-%02d-01,%.17g\n", g, 2010 + k / 12,
                                   k % 12 + 1, y[g][k]);
    }
    crm_dataset *ds = csv(buf);
    free(buf);
    crm_arima_options o = opts_order(1, 0, 1);
    crm_dataset *fits[3] = {NULL, NULL, NULL}, *fcs = NULL;
    const int32_t threads[3] = {1, 4, 0};
    for (int t = 0; t < 3; t++) {
        o.n_threads = threads[t];
        ck_assert_ok(crm_arima_fit_many(ds, "g", "date", "v", 0, 95, &o, &fits[t], &fcs));
        crm_dataset_free(fcs);
        fcs = NULL;
        ck_assert_uint_eq(crm_dataset_nrows(fits[t]), G);
    }
    size_t clb;
    ck_assert_ok(crm_dataset_column_index(fits[0], "ljung_box_p", &clb));
    double p1[G], pt[G];
    ck_assert_ok(crm_dataset_get_number(fits[0], clb, 0, G, p1));
    for (int t = 1; t < 3; t++) {
        ck_assert_ok(crm_dataset_get_number(fits[t], clb, 0, G, pt));
        ck_assert_int_eq(memcmp(p1, pt, sizeof p1), 0);
    }
    /* each series alone: the same statistic, a real p-value */
    o.n_threads = 1;
    for (int g = 0; g < G; g++) {
        crm_model *m = NULL;
        ck_assert_ok(crm_arima_fit(y[g], N, &o, &m));
        double p = stat(m, "ljung_box_p");
        ck_assert_msg(p > 0.0 && p < 1.0, "group %d: p %g", g, p);
        ck_assert_msg(memcmp(&p, &p1[g], sizeof p) == 0, "group %d: %.17g vs %.17g", g, p, p1[g]);
        ck_assert_double_eq(stat(m, "ljung_box_lag"), 10);
        ck_assert_double_eq(stat(m, "ljung_box_df"), 8);
        crm_model_free(m);
    }
    for (int t = 0; t < 3; t++)
        crm_dataset_free(fits[t]);
    crm_dataset_free(ds);
}
END_TEST

static int32_t cancel_now(double f, void *u)
{
    (void)f;
    (void)u;
    return 1;
}

START_TEST(test_fit_many_cancel)
{
    crm_dataset *ds = csv("g,date,v\na,2020-01-01,1\na,2020-02-01,2\nb,2020-01-01,3\n");
    crm_arima_options o;
    ck_assert_ok(crm_arima_options_init(&o, sizeof o));
    o.progress = cancel_now;
    crm_dataset *fits = NULL, *fcs = NULL;
    ck_assert_error(crm_arima_fit_many(ds, "g", "date", "v", 2, 95, &o, &fits, &fcs),
                    CRM_E_CANCELLED);
    ck_assert_ptr_null(fits);
    ck_assert_ptr_null(fcs);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_json)
{
    double y[150];
    arma11(y, 150, 21);
    crm_arima_options o = opts_order(2, 1, 1);
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit(y, 150, &o, &m));
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    ck_assert(strstr(js, "\"kind\":\"arima\"") != NULL);
    ck_assert(strstr(js, "\"terms\":[\"ar1\",\"ar2\",\"ma1\"]") != NULL);
    crm_model *m2 = NULL;
    ck_assert_ok(crm_model_from_json(js, &m2));
    size_t ns = 0;
    ck_assert_ok(crm_model_stat_count(m, &ns));
    for (size_t i = 0; i < ns; i++) {
        const char *name;
        ck_assert_ok(crm_model_stat_name(m, i, &name));
        double a = stat(m, name), b = stat(m2, name);
        ck_assert_msg(a == b || (isnan(a) && isnan(b)), "%s: %g vs %g", name, a, b);
    }
    crm_dataset *f1 = NULL, *f2 = NULL;
    ck_assert_ok(crm_arima_forecast(m, 10, 95, &f1));
    ck_assert_ok(crm_arima_forecast(m2, 10, 95, &f2));
    double a[10], b[10];
    for (size_t c = 1; c < 5; c++) {
        ck_assert_ok(crm_dataset_get_number(f1, c, 0, 10, a));
        ck_assert_ok(crm_dataset_get_number(f2, c, 0, 10, b));
        ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    }
    crm_dataset_free(f1);
    crm_dataset_free(f2);
    /* a truncated document is refused */
    char *cut = strstr(js, ",\"cov\"");
    ck_assert_ptr_nonnull(cut);
    strcpy(cut, "}");
    crm_model *m3 = NULL;
    ck_assert_error(crm_model_from_json(js, &m3), CRM_E_PARSE);
    crm_free(js);
    crm_model_free(m2);
    crm_model_free(m);
}
END_TEST

static crm_status fit_forecast_json(const double *y, size_t n, const crm_arima_options *o)
{
    crm_model *m = NULL;
    crm_status st = crm_arima_fit(y, n, o, &m);
    if (st != CRM_OK) return st;
    crm_dataset *fc = NULL;
    st = crm_arima_forecast(m, 5, 95, &fc);
    crm_dataset_free(fc);
    char *js = NULL;
    if (st == CRM_OK) st = crm_model_to_json(m, &js);
    crm_model *m2 = NULL;
    if (st == CRM_OK) st = crm_model_from_json(js, &m2);
    crm_free(js);
    crm_model_free(m2);
    crm_model_free(m);
    return st;
}

START_TEST(test_alloc_failures)
{
    double y[80];
    arma11(y, 80, 2);
    crm_arima_options o = opts_order(1, 1, 1);
    o.sd = 1;
    o.period = 4;
    CRM_TEST_EACH_ALLOC_FAILURE(fit_forecast_json(y, 80, &o));
    crm_arima_options a;
    ck_assert_ok(crm_arima_options_init(&a, sizeof a));
    a.auto_order = 1;
    a.period = 4;
    CRM_TEST_EACH_ALLOC_FAILURE(fit_forecast_json(y, 40, &a));
}
END_TEST

static crm_status many_run(void)
{
    static const char text[] =
        "g,date,v\na,2020-01-01,1\na,2020-02-01,2\na,2020-03-01,4\na,2020-04-01,3\n"
        "a,2020-05-01,5\nb,2020-01-01,3\nb,2020-03-01,1\nb,2020-04-01,2\nb,2020-05-01,2\n";
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv_mem(text, sizeof text - 1, NULL, &ds);
    if (st != CRM_OK) return st;
    crm_arima_options o;
    crm_arima_options_init(&o, sizeof o);
    o.p = 1;
    o.n_threads = 1; /* the counting allocator of the tests is not thread-safe */
    crm_dataset *f = NULL, *c = NULL;
    st = crm_arima_fit_many(ds, "g", "date", "v", 2, 95, &o, &f, &c);
    crm_dataset_free(f);
    crm_dataset_free(c);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failures_many)
{
    CRM_TEST_EACH_ALLOC_FAILURE(many_run());
}
END_TEST

Suite *crm_arima_suite(void)
{
    Suite *s = suite_create("arima");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_arma11_fit);
    tcase_add_test(tc, test_methods_and_fixed);
    tcase_add_test(tc, test_seasonal_and_drift);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_missing_and_nonconvergence);
    tcase_add_test(tc, test_dataset_aggregation);
    tcase_add_test(tc, test_fit_many);
    tcase_add_test(tc, test_fit_many_cancel);
    tcase_add_test(tc, test_fit_many_threads_ljung_box);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_alloc_failures);
    tcase_add_test(tc, test_alloc_failures_many);
    suite_add_tcase(s, tc);
    return s;
}
