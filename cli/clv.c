/* crm clv FILE --customer C --date D --amount A [--period day|week]
 *        [--calibration-end DATE] [--observation-end DATE] [--horizon N] [--discount R]
 *        [--l2 L] [--top N] [-o OUT] [--model M.json] [--json] [csv flags]:
 * customer lifetime value: the summary table (crm_clv_summary), BG/NBD and
 * Gamma-Gamma (crm_clv_fit) and the per-customer predictions. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "options.h"
#include "output.h"
#include "values.h"

#include "crm/clv.h"
#include "crm/dataset.h"
#include "crm/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char clv_usage[] =
    "crm clv FILE --customer COL --date COL --amount COL [--period day|week] "
    "[--calibration-end YYYY-MM-DD] [--horizon MONTHS] [--discount R] [-o OUT] [--json]";

static void clv_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Turn transaction lines into one row per customer (frequency = repeat purchase\n"
           "periods, recency, T, monetary = mean repeat spend), fit the BG/NBD purchase\n"
           "model and the Gamma-Gamma spend model, and predict per customer P(alive), the\n"
           "expected purchases and spend over the horizon and the discounted CLV (see\n"
           "crm/clv.h). Prints the parameters and the customers worth the most.\n\n"
           "Options:\n"
           "  --customer COL          customer id column (required)\n"
           "  --date COL              transaction time column (required)\n"
           "  --amount COL            amount per row (required; > 0 for repeat customers'\n"
           "                          periods: use crm clean --filter to drop returns)\n"
           "  --period P              day (default) or week (Monday to Sunday)\n"
           "  --calibration-end DATE  fit on the periods up to DATE (inclusive); the table\n"
           "                          gets frequency_holdout, monetary_holdout and\n"
           "                          duration_holdout from the purchases after it\n"
           "  --observation-end DATE  ignore purchases after DATE\n"
           "  --horizon MONTHS        CLV and expected purchases over MONTHS months\n"
           "                          (default 12; a month is 30 days or 4.345 weeks)\n"
           "  --discount R            monthly discount rate (default 0.01)\n"
           "  --l2 L                  L2 penalty on the parameters (default 0)\n"
           "  --top N                 customers listed, highest CLV first (default 10)\n"
           "  -o, --output FILE       write the per-customer table with p_alive,\n"
           "                          expected_purchases, expected_spend and clv as CSV\n"
           "  --model FILE            save the fitted model as JSON (crm predict applies it\n"
           "                          to a summary table)\n"
           "  --json                  print one JSON object instead of the tables\n"
           "  -h, --help              show this help\n\n"
           "CSV flags:\n%s",
           clv_usage, cli_csvflags_help);
}

static const cli_choice period_words[] = {{"day", CRM_CLV_DAY}, {"week", CRM_CLV_WEEK}, {NULL, 0}};

typedef struct clv_cmd {
    crm_clv_summary_options so;
    crm_clv_options fo;
    cli_csvflags f;
    const char *path, *out, *model_path;
    int32_t json;
    int64_t top;
} clv_cmd;

static int parse_clv(clv_cmd *c, int argc, char **argv, int *rc)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "clv", clv_usage);
    int64_t horizon = c->fo.horizon;
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&c->out)},
        {"model", 0, CLI_FILE(&c->model_path)},
        {"customer", 0, CLI_STRING(&c->so.customer)},
        {"date", 0, CLI_STRING(&c->so.date)},
        {"amount", 0, CLI_STRING(&c->so.amount)},
        {"period", 0, CLI_CHOICE(&c->so.period, period_words)},
        {"calibration-end", 0, CLI_DATE(&c->so.calibration_end)},
        {"observation-end", 0, CLI_DATE(&c->so.observation_end)},
        {"horizon", 0, CLI_INT(&horizon), .min = 0, .max = 1200, .flags = CLI_GOT_VALUE},
        {"discount", 0, CLI_NUMBER(&c->fo.discount), .min = -1, .max = INFINITY,
         .flags = CLI_MIN_OPEN | CLI_GOT_VALUE, .wants = "a number > -1"},
        {"l2", 0, CLI_NUMBER(&c->fo.l2), .min = 0, .max = INFINITY, .flags = CLI_GOT_VALUE,
         .wants = "a number >= 0"},
        {"top", 0, CLI_INT(&c->top), .min = 0, .max = INFINITY},
        {"json", 0, CLI_FLAG(&c->json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &c->f,
                           .file = &c->path,
                           .help = clv_help};
    if (cli_parse_options(&a, &spec, rc)) return 1;
    c->fo.horizon = (int32_t)horizon;
    c->fo.period = c->so.period;
    if (!c->so.customer || !c->so.date || !c->so.amount) {
        *rc = cli_usage(&a, "--customer, --date and --amount are required");
        return 1;
    }
    return 0;
}

/* The customer id of row r (column 0) as text. */
static void id_text(const crm_dataset *t, size_t r, char *buf, size_t size)
{
    int32_t type = 0;
    crm_dataset_column_type(t, 0, &type);
    if (type == CRM_TYPE_TEXT) {
        const char *s = NULL;
        crm_dataset_get_text(t, 0, r, &s);
        snprintf(buf, size, "%s", s ? s : "-");
    } else if (type == CRM_TYPE_TIME) {
        int64_t v = 0;
        crm_dataset_get_time(t, 0, r, 1, &v);
        cli_format_time(v, buf, size);
    } else {
        double v = NAN;
        crm_dataset_get_number(t, 0, r, 1, &v);
        cli_format_number(v, buf, size);
    }
}

static void print_text(const clv_cmd *c, const crm_model *m, const crm_dataset *top,
                       size_t ntx, size_t ncust)
{
    double v[32];
    static const char *const nm[] = {
        "r",  "alpha", "a",    "b",    "se_r",         "se_alpha",          "se_a",
        "se_b", "p",   "q",    "v",    "se_p",         "se_q",              "se_v",
        "loglik_bgnbd", "loglik_gamma_gamma", "n_repeat", "corr_frequency_monetary",
        "converged_bgnbd", "converged_gamma_gamma", "dropout_rate", "dropout_rate_fixed"};
    for (size_t i = 0; i < sizeof nm / sizeof nm[0]; i++)
        crm_model_stat(m, nm[i], &v[i]);
    printf("file:        %s\nrows:        %zu\ncustomers:   %zu (%.0f with repeat purchases)\n",
           c->path, ntx, ncust, v[16]);
    printf("period:      %s\nhorizon:     %d months, discount %g a month\n",
           c->so.period == CRM_CLV_WEEK ? "week" : "day", (int)c->fo.horizon, c->fo.discount);
    printf("\nBG/NBD (loglik %.6g%s)\n", v[14], v[18] != 0 ? "" : ", not converged");
    for (int i = 0; i < 4; i++)
        printf("  %-6s %12.6g  (se %.3g)\n", nm[i], v[i], v[4 + i]);
    if (v[21] != 0)
        printf("  a and b run off to infinity: every customer drops out after a purchase\n"
               "  with the same probability a/(a+b) = %.4g (the fixed-dropout limit)\n",
               v[20]);
    printf("Gamma-Gamma (loglik %.6g%s)\n", v[15], v[19] != 0 ? "" : ", not converged");
    for (int i = 0; i < 3; i++)
        printf("  %-6s %12.6g  (se %.3g)\n", nm[8 + i], v[8 + i], v[11 + i]);
    printf("  corr(frequency, monetary) = %.3f%s\n", v[17],
           fabs(v[17]) > 0.3 ? "  (the spend model assumes about 0)" : "");
    size_t n = crm_dataset_nrows(top);
    if (n == 0) return;
    printf("\n%-16s %9s %8s %8s %10s %10s %12s\n", "customer", "frequency", "recency", "T",
           "p_alive", "purchases", "clv");
    for (size_t r = 0; r < n; r++) {
        char id[64];
        id_text(top, r, id, sizeof id);
        double f[6];
        static const char *const cols[6] = {"frequency", "recency",           "T",
                                            "p_alive",   "expected_purchases", "clv"};
        for (int j = 0; j < 6; j++) {
            size_t ci = 0;
            f[j] = NAN;
            if (crm_dataset_column_index(top, cols[j], &ci) == CRM_OK)
                crm_dataset_get_number(top, ci, r, 1, &f[j]);
        }
        printf("%-16.16s %9.0f %8.0f %8.0f %10.4f %10.3f %12.2f\n", id, f[0], f[1], f[2], f[3],
               f[4], f[5]);
    }
}

int cli_cmd_clv(int argc, char **argv)
{
    clv_cmd c;
    memset(&c, 0, sizeof c);
    c.top = 10;
    if (crm_clv_summary_options_init(&c.so, sizeof c.so) != CRM_OK ||
        crm_clv_options_init(&c.fo, sizeof c.fo) != CRM_OK)
        return cli_lib_error(NULL);
    int rc = cli_csvflags_init(&c.f, argc);
    if (rc) return rc;
    crm_dataset *tx = NULL, *sum = NULL, *sorted = NULL, *top = NULL;
    crm_model *m = NULL;
    if (parse_clv(&c, argc, argv, &rc)) goto done;
    if (crm_dataset_read_csv(c.path, &c.f.opts, &tx) != CRM_OK ||
        crm_clv_summary(tx, &c.so, &sum) != CRM_OK || crm_clv_fit(sum, &c.fo, &m) != CRM_OK ||
        crm_model_predict(m, sum, "clv") != CRM_OK) {
        rc = cli_lib_error(c.path);
        goto done;
    }
    const char *key = "clv";
    const int32_t desc = 1;
    if (crm_dataset_sort(sum, &key, 1, &desc, &sorted) != CRM_OK ||
        crm_dataset_head(sorted, (size_t)c.top, &top) != CRM_OK) {
        rc = cli_lib_error(NULL);
        goto done;
    }
    if (c.out && (rc = cli_write_csv(sum, c.out, &c.f.opts))) goto done;
    if (c.model_path && (rc = cli_save_model(m, c.model_path))) goto done;
    if (c.json) {
        fputs("{\"file\": ", stdout);
        cli_json_string(stdout, c.path);
        printf(", \"rows\": %zu, \"customers\": %zu, \"period\": \"%s\", \"stats\": ",
               crm_dataset_nrows(tx), crm_dataset_nrows(sum),
               c.so.period == CRM_CLV_WEEK ? "week" : "day");
        cli_stats_json(m);
        fputs(", \"summary\": ", stdout);
        crm_dataset *s = NULL;
        if (crm_model_summary(m, &s) == CRM_OK) cli_table_json(s);
        crm_dataset_free(s);
        fputs(", \"top\": ", stdout);
        cli_table_json(top);
        cli_json_files_end(c.out, c.model_path);
    } else {
        print_text(&c, m, top, crm_dataset_nrows(tx), crm_dataset_nrows(sum));
    }
    rc = cli_flush_stdout();
done:
    crm_dataset_free(top);
    crm_dataset_free(sorted);
    crm_dataset_free(sum);
    crm_dataset_free(tx);
    crm_model_free(m);
    cli_csvflags_free(&c.f);
    return rc;
}
