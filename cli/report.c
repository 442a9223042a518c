/* crm report FILE -o report.html --customer COL --date COL (--amount COL | --quantity COL
 *            --price COL) [--invoice COL] [--item COL] [--filter EXPR] [--title T] ...:
 * one self-contained HTML report (crm_report_write). */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "options.h"

#include "crm/dataset.h"
#include "crm/report.h"

#include <math.h>
#include <stdio.h>

static const char report_usage[] =
    "crm report FILE -o OUT.html --customer COL --date COL (--amount COL | --quantity COL "
    "--price COL) [--invoice COL] [--item COL] [--filter EXPR] [--title TEXT] "
    "[--currency TEXT] [--as-of YYYY-MM-DD] [--k K] [--seed S] [--churn-days N] [--top N] "
    "[--min-support S] [--min-lift L] [--rules N] [--horizon H] [--threads N]";

static void report_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Write one self-contained HTML page for a shop owner: overview and lifecycle,\n"
           "RFM segments with what to do about each, customer clusters in days, orders and\n"
           "money, the customers most at risk of churning and why, the customers worth the\n"
           "most (CLV over 12 months), cross-sell rules and a\n"
           "monthly sales forecast with 80/95%% intervals. Charts are inline SVG; the page\n"
           "needs no network. docs/report.md lists the crm commands giving the same numbers.\n\n"
           "Options:\n"
           "  -o, --output FILE     the HTML file to write (required; replaced atomically)\n"
           "  --customer COL        customer id column (required)\n"
           "  --date COL            transaction time column (required)\n"
           "  --amount COL          amount per row, or:\n"
           "  --quantity COL        quantity per row, with\n"
           "  --price COL           unit price per row (amount = quantity * price)\n"
           "  --invoice COL         orders are distinct invoices (default: rows)\n"
           "  --item COL            product column: cross-sell rules (needs --invoice)\n"
           "  --filter EXPR         keep only the rows where EXPR holds\n"
           "  --title TEXT          page title (default \"Customer report\")\n"
           "  --currency TEXT       put before money amounts, e.g. '£'\n"
           "  --as-of YYYY-MM-DD    reference day (default: the day after the last purchase)\n"
           "  --k K                 customer clusters, 1..20 (default 4)\n"
           "  --seed S              seed of the clustering (default 0)\n"
           "  --churn-days N        churned = no purchase in N days (default 90)\n"
           "  --top N               customers listed as most at risk (default 20)\n"
           "  --top-value N         customers listed as worth the most (default 20)\n"
           "  --min-support S       cross-sell: minimum share of orders (default 0.01)\n"
           "  --min-lift L          cross-sell: minimum lift (default 2)\n"
           "  --rules N             cross-sell rules shown (default 10)\n"
           "  --horizon H           months to forecast, 1..60 (default 6)\n"
           "  --threads N           worker threads (default 0: all cores)\n"
           "  -h, --help            show this help\n\n"
           "The input is a CSV file, or a database query: --sql URI --query SQL\n"
           "[--param VALUE]... in place of FILE (see below).\n\n"
           "CSV and database flags (reading):\n%s",
           report_usage, cli_csvflags_help);
}

int cli_cmd_report(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "report", report_usage);
    crm_report_options ro;
    if (crm_report_options_init(&ro, sizeof ro) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL;
    crm_dataset *ds = NULL;
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"customer", 0, CLI_STRING(&ro.customer)},
        {"date", 0, CLI_STRING(&ro.date)},
        {"amount", 0, CLI_STRING(&ro.amount)},
        {"quantity", 0, CLI_STRING(&ro.quantity)},
        {"price", 0, CLI_STRING(&ro.price)},
        {"invoice", 0, CLI_STRING(&ro.invoice)},
        {"item", 0, CLI_STRING(&ro.item)},
        {"filter", 0, CLI_STRING(&ro.filter)},
        {"title", 0, CLI_STRING(&ro.title)},
        {"currency", 0, CLI_STRING(&ro.currency)},
        {"as-of", 0, CLI_DATE(&ro.as_of)},
        {"k", 0, CLI_INT32(&ro.k), .min = 1, .max = 20},
        {"seed", 0, CLI_UINT64(&ro.seed)},
        {"churn-days", 0, CLI_INT(&ro.churn_days), .min = 1, .max = 36500},
        {"top", 0, CLI_INT32(&ro.top_at_risk), .min = 0, .max = 1000},
        {"top-value", 0, CLI_INT32(&ro.top_clv), .min = 0, .max = 1000},
        {"min-support", 0, CLI_NUMBER(&ro.min_support), .min = 0, .max = 1},
        {"min-lift", 0, CLI_NUMBER(&ro.min_lift), .min = 0, .max = INFINITY},
        {"rules", 0, CLI_INT32(&ro.max_rules), .min = 0, .max = 1000},
        {"horizon", 0, CLI_INT32(&ro.horizon), .min = 1, .max = 60},
        {"threads", 0, CLI_INT32(&ro.n_threads), .min = 0, .max = 4096},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = report_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if (!out) {
        rc = cli_usage(&a, "-o OUT.html is required");
        goto done;
    }
    if (!ro.customer || !ro.date) {
        rc = cli_usage(&a, "--customer and --date are required");
        goto done;
    }
    if (ro.amount ? (ro.quantity || ro.price) : (!ro.quantity || !ro.price)) {
        rc = cli_usage(&a, "give either --amount or both --quantity and --price");
        goto done;
    }
    if (cli_read_table(path, &f, &ds) != CRM_OK) { /* a CSV file, or --sql URI --query */
        rc = cli_lib_error(path);
        goto done;
    }
    if (crm_report_write(ds, &ro, out) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    fprintf(stderr, "wrote %s\n", out);
done:
    crm_dataset_free(ds);
    cli_csvflags_free(&f);
    return rc;
}
