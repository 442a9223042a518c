/* crm arima FILE --time COL --value COL [--period day|week|month|quarter|year]
 *           (--order p,d,q [--seasonal P,D,Q,S] | --auto) [--method css-ml|ml|css]
 *           [--drift] [--no-mean] [--horizon H] [--level L].. [--by COL] [--threads N]
 *           [-o OUT] [--model M.json] [--json] [csv flags]:
 * ARIMA forecasting of a transaction table aggregated per period
 * (crm_arima_fit_dataset, crm_arima_forecast_levels, crm_arima_fit_many). */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "options.h"
#include "output.h"
#include "values.h"

#include "crm/arima.h"
#include "crm/dataset.h"
#include "crm/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char ar_usage[] =
    "crm arima FILE --time COL --value COL [--period day|week|month|quarter|year] "
    "(--order p,d,q [--seasonal P,D,Q,S] | --auto) [--method css-ml|ml|css] [--horizon H] "
    "[--level 95] [-o OUT] [--json] [--model M.json] [--by COL]";

static void ar_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Sum --value per calendar period of --time (empty periods count 0), fit an\n"
           "ARIMA model (exact likelihood as R's arima; --auto selects the order as\n"
           "forecast::auto.arima) and print the coefficients and the forecasts with\n"
           "prediction intervals (see crm/arima.h).\n\n"
           "Options:\n"
           "  --time COL            time column (required)\n"
           "  --value COL           number column summed per period (required)\n"
           "  --period P            day, week (from Monday), month (default), quarter, year\n"
           "  --order p,d,q         non-seasonal order\n"
           "  --seasonal P,D,Q,S    seasonal order and season length S (default S:\n"
           "                        7 day, 52 week, 12 month, 4 quarter)\n"
           "  --auto                select the order automatically (Hyndman-Khandakar)\n"
           "  --method M            css-ml (default), ml or css\n"
           "  --drift               estimate a drift (needs d + D = 1)\n"
           "  --no-mean             no mean when d + D = 0\n"
           "  --horizon H           periods to forecast (default 12)\n"
           "  --level L             prediction interval level in percent; repeatable\n"
           "                        (default 80 and 95)\n"
           "  --by COL              one model per value of COL (a product, a store),\n"
           "                        fitted in parallel; prints one line per series\n"
           "  --threads N           worker threads for --by (default 0 = all cores)\n"
           "  -o, --output FILE     write the forecasts as CSV\n"
           "  --model FILE          save the fitted model as JSON (not with --by)\n"
           "  --json                print one JSON object instead of the tables\n"
           "  -h, --help            show this help\n\n"
           "CSV flags:\n%s",
           ar_usage, cli_csvflags_help);
}

static int parse_ints(const char *s, int64_t *v, int n)
{
    int k = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char buf[32];
        if (k == n || len == 0 || len >= sizeof buf) return -1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (cli_parse_int64(buf, &v[k]) || v[k] < 0 || v[k] > 100000) return -1;
        k++;
        if (!e) break;
        p = e + 1;
    }
    return k == n ? 0 : -1;
}

/* --order p,d,q and --seasonal P,D,Q,S (dest: the crm_arima_options). */
static int order_option(cli_args *a, const cli_opt *o, void *dest)
{
    crm_arima_options *ao = dest;
    int seasonal = cli_is(o, "seasonal", 0);
    int64_t ord[4];
    const char *v = NULL;
    if (cli_value(a, o, &v)) return -1;
    if (parse_ints(v, ord, seasonal ? 4 : 3)) {
        if (seasonal)
            cli_usage(a, "--seasonal wants P,D,Q,S (whole numbers, got \"%s\")", v);
        else
            cli_usage(a, "--order wants p,d,q (whole numbers, got \"%s\")", v);
        return -1;
    }
    if (seasonal) {
        ao->sp = (int32_t)ord[0];
        ao->sd = (int32_t)ord[1];
        ao->sq = (int32_t)ord[2];
        ao->period = (int32_t)ord[3];
    } else {
        ao->p = (int32_t)ord[0];
        ao->d = (int32_t)ord[1];
        ao->q = (int32_t)ord[2];
    }
    return 0;
}

/* Prediction interval levels of --level, repeatable. */
typedef struct levels {
    double v[16];
    size_t n;
} levels;

static int level_option(cli_args *a, const cli_opt *o, void *dest)
{
    levels *l = dest;
    double lv = 0;
    if (cli_number_value(a, o, &lv)) return -1;
    if (!(lv > 0 && lv < 100)) {
        cli_usage(a, "--level wants a percentage between 0 and 100 (got %g)", lv);
        return -1;
    }
    if (l->n == 16) {
        cli_usage(a, "--level: at most 16 levels");
        return -1;
    }
    l->v[l->n++] = lv;
    return 0;
}

static void model_name(const crm_model *m, char *buf, size_t size)
{
    double v[9];
    static const char *const nm[] = {
        "p", "d", "q", "sp", "sd", "sq", "period", "include_mean", "include_drift"};
    for (int i = 0; i < 9; i++)
        crm_model_stat(m, nm[i], &v[i]);
    int len = snprintf(buf, size, "ARIMA(%d,%d,%d)", (int)v[0], (int)v[1], (int)v[2]);
    if (v[3] + v[4] + v[5] > 0 && len > 0 && (size_t)len < size)
        len += snprintf(buf + len, size - (size_t)len, "(%d,%d,%d)[%d]", (int)v[3], (int)v[4],
                        (int)v[5], (int)v[6]);
    if (len > 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, "%s",
                 v[7] != 0   ? " with non-zero mean"
                 : v[8] != 0 ? " with drift"
                             : "");
}

/* Print a table as aligned text (times as dates, numbers with 6 digits). */
static void print_table(const crm_dataset *t, size_t max_rows)
{
    size_t nr = crm_dataset_nrows(t), nc = crm_dataset_ncols(t);
    for (size_t c = 0; c < nc; c++) {
        const char *name = NULL;
        crm_dataset_column_name(t, c, &name);
        printf(c ? " %12.12s" : "%-12.12s", name);
    }
    printf("\n");
    for (size_t r = 0; r < nr && r < max_rows; r++) {
        for (size_t c = 0; c < nc; c++) {
            int32_t type = 0;
            char b[48];
            crm_dataset_column_type(t, c, &type);
            if (type == CRM_TYPE_TEXT) {
                const char *s = NULL;
                crm_dataset_get_text(t, c, r, &s);
                snprintf(b, sizeof b, "%s", s ? s : "-");
            } else if (type == CRM_TYPE_TIME) {
                int64_t tv = 0;
                crm_dataset_get_time(t, c, r, 1, &tv);
                cli_format_date(tv, b, sizeof b);
            } else {
                double v = NAN;
                crm_dataset_get_number(t, c, r, 1, &v);
                cli_format_number(v, b, sizeof b);
            }
            printf(c ? " %12.12s" : "%-12.12s", b);
        }
        printf("\n");
    }
    if (nr > max_rows) printf("... (%zu rows)\n", nr);
}

/* What crm arima was asked to do. */
typedef struct ar_cmd {
    crm_arima_options ao;
    cli_csvflags f;
    const char *path, *out, *model_path, *tcol, *vcol, *by;
    int32_t json;
    int64_t horizon;
    levels lv;
} ar_cmd;

/* Read the command line into c (ao and f initialised). Returns 0 when the
 * command goes on, or 1 when it must stop and return *rc (after --help or a
 * usage error). */
static int parse_arima(ar_cmd *c, int argc, char **argv, int *rc)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "arima", ar_usage);
    int have_order = 0, have_seasonal = 0;
    static const cli_choice periods[] = {{"day", CRM_ARIMA_DAY},     {"week", CRM_ARIMA_WEEK},
                                         {"month", CRM_ARIMA_MONTH}, {"quarter", CRM_ARIMA_QUARTER},
                                         {"year", CRM_ARIMA_YEAR},   {NULL, 0}};
    static const cli_choice methods[] = {
        {"css-ml", CRM_ARIMA_CSS_ML}, {"ml", CRM_ARIMA_ML}, {"css", CRM_ARIMA_CSS}, {NULL, 0}};
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&c->out)},
        {"model", 0, CLI_FILE(&c->model_path)},
        {"time", 0, CLI_STRING(&c->tcol)},
        {"value", 0, CLI_STRING(&c->vcol)},
        {"by", 0, CLI_STRING(&c->by)},
        {"period", 0, CLI_CHOICE(&c->ao.freq, periods)},
        {"order", 0, CLI_CALL(order_option, &c->ao), .given = &have_order},
        {"seasonal", 0, CLI_CALL(order_option, &c->ao), .given = &have_seasonal},
        {"auto", 0, CLI_FLAG(&c->ao.auto_order)},
        {"drift", 0, CLI_FLAG(&c->ao.include_drift)},
        {"no-mean", 0, CLI_OFF(&c->ao.include_mean)},
        {"method", 0, CLI_CHOICE(&c->ao.method, methods)},
        {"horizon", 0, CLI_INT(&c->horizon), .min = 1, .max = 100000},
        {"level", 0, CLI_CALL(level_option, &c->lv)},
        {"threads", 0, CLI_INT32(&c->ao.n_threads), .min = 0, .max = 4096},
        {"json", 0, CLI_FLAG(&c->json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &c->f,
                           .file = &c->path,
                           .help = ar_help};
    if (cli_parse_options(&a, &spec, rc)) return 1;
    if (!c->tcol || !c->vcol)
        *rc = cli_usage(&a, "--time and --value are required");
    else if (have_order == c->ao.auto_order)
        *rc = cli_usage(&a, "give either --order p,d,q or --auto");
    else if (have_seasonal && c->ao.auto_order)
        *rc = cli_usage(&a, "--seasonal goes with --order (--auto chooses the seasonal order)");
    else if (c->by && c->model_path)
        *rc = cli_usage(&a, "--model saves one model; it cannot be used with --by");
    if (*rc) return 1;
    if (c->lv.n == 0) {
        c->lv.v[0] = 80;
        c->lv.v[1] = 95;
        c->lv.n = 2;
    }
    return 0;
}

/* --by: one model per series (crm_arima_fit_many), a line per series. */
static int run_by(const ar_cmd *c, const crm_dataset *ds)
{
    crm_dataset *fits = NULL, *fc = NULL;
    double level = c->lv.v[c->lv.n - 1];
    int rc = 0;
    if (crm_arima_fit_many(ds, c->by, c->tcol, c->vcol, (int32_t)c->horizon, level, &c->ao, &fits,
                           &fc) != CRM_OK)
        rc = cli_lib_error(c->path);
    if (!rc && c->out) rc = cli_write_table(fc, c->out, &c->f.opts, &c->f);
    if (!rc && c->json) {
        fputs("{\"file\": ", stdout);
        cli_json_string(stdout, c->path);
        fputs(", \"fits\": ", stdout);
        cli_table_json(fits);
        fputs(", \"forecasts\": ", stdout);
        cli_table_json(fc);
        fputs("}\n", stdout);
    } else if (!rc) {
        printf("file:        %s\nseries:      %zu (by %s)\nlevel:       %g%%\n", c->path,
               crm_dataset_nrows(fits), c->by, level);
        if (c->out) printf("forecasts:   %s\n", c->out);
        printf("\n");
        print_table(fits, 1000);
    }
    crm_dataset_free(fits);
    crm_dataset_free(fc);
    return rc;
}

static void print_single_json(const ar_cmd *c, const crm_model *m, const char *name,
                              const crm_dataset *sum, const crm_dataset *fc)
{
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, c->path);
    fputs(", \"model\": ", stdout);
    cli_json_string(stdout, name);
    fputs(", \"stats\": ", stdout);
    cli_stats_json(m);
    fputs(", \"coefficients\": ", stdout);
    cli_table_json(sum);
    fputs(", \"forecasts\": ", stdout);
    cli_table_json(fc);
    fputs(", \"output\": ", stdout);
    cli_json_string_or_null(stdout, c->out);
    fputs(", \"model_file\": ", stdout);
    cli_json_string_or_null(stdout, c->model_path);
    fputs("}\n", stdout);
}

static void print_single_text(const ar_cmd *c, const crm_model *m, const char *name,
                              const crm_dataset *sum, const crm_dataset *fc)
{
    double st[8];
    static const char *const sn[] = {"n",    "sigma2", "loglik",      "aic",
                                     "aicc", "bic",    "ljung_box_p", "converged"};
    for (int i = 0; i < 8; i++)
        crm_model_stat(m, sn[i], &st[i]);
    char b[6][48];
    for (int i = 0; i < 6; i++)
        cli_format_number(st[i + 1], b[i], sizeof b[i]);
    printf("file:        %s\nseries:      %d periods of %s by %s\nmodel:       %s%s\n"
           "sigma2:      %s\nloglik:      %s\nAIC:         %s   AICc: %s   BIC: %s\n"
           "Ljung-Box p: %s\n",
           c->path, (int)st[0], c->vcol, c->tcol, name, st[7] != 0 ? "" : " (not converged)",
           b[0], b[1], b[2], b[3], b[4], b[5]);
    if (c->out) printf("output:      %s\n", c->out);
    if (c->model_path) printf("model file:  %s\n", c->model_path);
    printf("\n");
    print_table(sum, 1000);
    printf("\n");
    print_table(fc, 100000);
}

/* One series: fit, forecast, write the files, print. */
static int run_single(const ar_cmd *c, const crm_dataset *ds)
{
    crm_model *m = NULL;
    crm_dataset *sum = NULL, *fc = NULL;
    int rc = 0;
    if (crm_arima_fit_dataset(ds, c->tcol, c->vcol, &c->ao, &m) != CRM_OK)
        rc = cli_lib_error(c->path);
    else if (crm_model_summary(m, &sum) != CRM_OK ||
             crm_arima_forecast_levels(m, (int32_t)c->horizon, c->lv.v, c->lv.n, &fc) != CRM_OK)
        rc = cli_lib_error(NULL);
    if (!rc && c->out) rc = cli_write_table(fc, c->out, &c->f.opts, &c->f);
    if (!rc && c->model_path) rc = cli_save_model(m, c->model_path);
    if (!rc) {
        char name[128];
        model_name(m, name, sizeof name);
        if (c->json)
            print_single_json(c, m, name, sum, fc);
        else
            print_single_text(c, m, name, sum, fc);
    }
    crm_model_free(m);
    crm_dataset_free(sum);
    crm_dataset_free(fc);
    return rc;
}

int cli_cmd_arima(int argc, char **argv)
{
    ar_cmd c = {.horizon = 12};
    if (crm_arima_options_init(&c.ao, sizeof c.ao) != CRM_OK) return cli_lib_error(NULL);
    int rc = cli_csvflags_init(&c.f, argc);
    if (rc) return rc;
    crm_dataset *ds = NULL;
    if (parse_arima(&c, argc, argv, &rc)) goto done;
    if (cli_read_table(c.path, &c.f, &ds) != CRM_OK) {
        rc = cli_lib_error(c.path);
        goto done;
    }
    rc = c.by ? run_by(&c, ds) : run_single(&c, ds);
    if (!rc) rc = cli_flush_stdout();
done:
    crm_dataset_free(ds);
    cli_csvflags_free(&c.f);
    return rc;
}
