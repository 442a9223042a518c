/* Forecast: monthly sales (sum of the amounts per calendar month), an
 * automatically chosen (seasonal) ARIMA, h months ahead with 80 % and 95 %
 * intervals, as a chart with history, forecast and bands. */
#include "report/report_internal.h"

#include "crm/arima.h"
#include "crm/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Fewer monthly values than this: no forecast (the library would fit a
 * constant to one or two points). */
#define MIN_MONTHS 6

typedef struct series {
    double *v;
    char (*lab)[32];
    size_t n;
} series;

static int64_t month_of(int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), y, m, d;
    crm__civil_from_days(days, &y, &m, &d);
    return y * 12 + (m - 1);
}

/* Sum of the amounts per calendar month (UTC), first to last month with data. */
static crm_status monthly(const crm_dataset *tx, const char *date, const char *amount,
                          series *s)
{
    size_t n = crm_dataset_nrows(tx), ct, ca;
    int64_t *t = crm__malloc_array(n ? n : 1, sizeof *t);
    double *a = crm__malloc_array(n ? n : 1, sizeof *a);
    crm_status st = t && a ? CRM_OK : crm__nomem();
    if (!st) st = crm_dataset_column_index(tx, date, &ct);
    if (!st) st = crm_dataset_column_index(tx, amount, &ca);
    if (!st) st = crm_dataset_get_time(tx, ct, 0, n, t);
    if (!st) st = crm_dataset_get_number(tx, ca, 0, n, a);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; !st && i < n; i++) {
        if (t[i] == CRM_TIME_MISSING) continue;
        int64_t m = month_of(t[i]);
        lo = m < lo ? m : lo;
        hi = m > hi ? m : hi;
    }
    if (!st && lo <= hi && hi - lo < 12000) {
        s->n = (size_t)(hi - lo + 1);
        s->v = crm__calloc(s->n, sizeof *s->v);
        s->lab = crm__calloc(s->n, sizeof *s->lab);
        if (!s->v || !s->lab) st = crm__nomem();
        for (size_t i = 0; !st && i < n; i++)
            if (t[i] != CRM_TIME_MISSING && !isnan(a[i])) s->v[month_of(t[i]) - lo] += a[i];
        for (size_t i = 0; !st && i < s->n; i++) {
            int64_t m = lo + (int64_t)i;
            snprintf(s->lab[i], sizeof s->lab[i], "%04lld-%02lld", (long long)(m / 12),
                     (long long)(m % 12 + 1));
        }
    }
    crm__free(t);
    crm__free(a);
    return st;
}

static void model_sentence(rep_page *p, const crm_model *m, size_t nh)
{
    double v[9] = {0}, tried = NAN, aicc = NAN;
    static const char *const nm[] = {"p", "d", "q", "sp", "sd", "sq", "period", "include_mean",
                                     "include_drift"};
    for (int i = 0; i < 9; i++) crm_model_stat(m, nm[i], &v[i]);
    crm_model_stat(m, "models_tried", &tried);
    crm_model_stat(m, "aicc", &aicc);
    rep_printf(p, "<p>The model: ARIMA(%d,%d,%d)", (int)v[0], (int)v[1], (int)v[2]);
    if (v[3] + v[4] + v[5] > 0)
        rep_printf(p, "(%d,%d,%d)[%d]", (int)v[3], (int)v[4], (int)v[5], (int)v[6]);
    rep_printf(p, "%s, chosen automatically among %.0f candidates by the lowest AICc",
               v[7] != 0 ? " with non-zero mean" : v[8] != 0 ? " with drift" : "", tried);
    if (isfinite(aicc)) {
        rep_raw(p, " (<span");
        rep_check(p, "arima.aicc", aicc);
        rep_printf(p, ">%.1f</span>)", aicc);
    }
    rep_printf(p, " on %zu months of sales: ", nh);
    if (v[3] + v[4] + v[5] > 0)
        rep_raw(p, "it predicts each month from recent months and from the same month a year "
                   "earlier, so a seasonal peak repeats.");
    else
        rep_raw(p, "it predicts each month from the recent level of the sales; no seasonal term "
                   "was chosen (one needs at least two full years with a clear yearly "
                   "pattern).");
    rep_raw(p, "</p>\n");
}

static crm_status forecast_table(rep_page *p, const series *h, const crm_dataset *fc)
{
    size_t nf = crm_dataset_nrows(fc), c;
    static const char *const cols[] = {"mean", "lower_80", "upper_80", "lower_95", "upper_95"};
    double *v = crm__calloc(5 * (nf ? nf : 1), sizeof *v);
    int64_t *t = crm__calloc(nf ? nf : 1, sizeof *t);
    char(*lab)[32] = crm__calloc(nf ? nf : 1, sizeof *lab);
    const char **hl = crm__calloc(h->n + 1, sizeof *hl), **fl = crm__calloc(nf + 1, sizeof *fl);
    size_t nrow = h->n + nf;
    const char **text = crm__calloc(7 * nrow + 1, sizeof *text);
    const char **check = crm__calloc(7 * nrow + 1, sizeof *check);
    double *num = crm__calloc(7 * nrow + 1, sizeof *num);
    char(*key)[48] = crm__calloc(5 * nf + 1, sizeof *key);
    crm_status st = v && t && lab && hl && fl && text && check && num && key ? CRM_OK
                                                                            : crm__nomem();
    for (int j = 0; !st && j < 5; j++) {
        st = crm_dataset_column_index(fc, cols[j], &c);
        if (!st) st = crm_dataset_get_number(fc, c, 0, nf, v + (size_t)j * nf);
    }
    if (!st) st = crm_dataset_column_index(fc, "time", &c);
    if (!st) st = crm_dataset_get_time(fc, c, 0, nf, t);
    for (size_t i = 0; !st && i < nf; i++) {
        int64_t m = month_of(t[i]);
        snprintf(lab[i], sizeof lab[i], "%04lld-%02lld", (long long)(m / 12),
                 (long long)(m % 12 + 1));
        fl[i] = lab[i];
    }
    for (size_t i = 0; i < h->n && hl; i++) hl[i] = h->lab[i];
    if (!st) {
        rep_figure_open(p, "Monthly sales: history and forecast");
        rep_svg_forecast(p, hl, h->v, h->n, fl, v, v + nf, v + 2 * nf, v + 3 * nf, v + 4 * nf,
                         nf);
        for (size_t i = 0; i < nrow; i++) {
            int is_fc = i >= h->n;
            size_t f = i - h->n;
            text[7 * i] = is_fc ? lab[f] : h->lab[i];
            num[7 * i + 1] = is_fc ? NAN : h->v[i];
            for (int j = 0; j < 5; j++) {
                num[7 * i + 2 + j] = is_fc ? v[(size_t)j * nf + f] : NAN;
                if (!is_fc) continue;
                snprintf(key[5 * f + j], 48, "arima.forecast.%zu.%s", f + 1, cols[j]);
                check[7 * i + 2 + j] = key[5 * f + j];
            }
        }
        const char *hdr[] = {"month", "sales", "forecast", "80% low", "80% high", "95% low",
                             "95% high"};
        rep_table tt = {nrow, 7, hdr, text, num, check, "forecast.csv", 0};
        rep_table_html(p, &tt);
        rep_figure_close(p);
        st = p->st;
    }
    crm__free(v), crm__free(t), crm__free(lab), crm__free(hl), crm__free(fl);
    crm__free(text), crm__free(check), crm__free(num), crm__free(key);
    return st;
}

crm_status rep_section_forecast(rep_page *p, const crm_dataset *tx, const char *amount_col)
{
    rep_raw(p, "<section id=\"forecast\"><h2>Sales forecast</h2>\n");
    crm_arima_options ao;
    crm_arima_options_init(&ao, sizeof ao);
    ao.auto_order = 1;
    ao.freq = CRM_ARIMA_MONTH;
    crm_model *m = NULL;
    crm_dataset *fc = NULL;
    series h = {0};
    static const double levels[2] = {80, 95};
    crm_status st = monthly(tx, p->o->date, amount_col, &h);
    if (!st && h.n < MIN_MONTHS) {
        rep_printf(p, "<p class=\"muted\">No forecast for these data: %zu month%s of sales; "
                      "a forecast needs at least %d.</p>\n",
                   h.n, h.n == 1 ? "" : "s", MIN_MONTHS);
    } else if (!st) {
        st = crm_arima_fit_dataset(tx, p->o->date, amount_col, &ao, &m);
        if (!st) st = crm_arima_forecast_levels(m, p->o->horizon, levels, 2, &fc);
        if (rep_soft_error(st)) {
            rep_unavailable(p, "No forecast for these data");
            st = CRM_OK;
        } else if (!st) {
            model_sentence(p, m, h.n);
            st = forecast_table(p, &h, fc);
        }
    }
    if (!st) rep_raw(p, "</section>\n");
    crm__free(h.v);
    crm__free(h.lab);
    crm_dataset_free(fc);
    crm_model_free(m);
    return st ? st : p->st;
}
