/* crm synth [-o FILE] [--customers N] [--products N] [--days N]
 *           [--start YYYY-MM-DD] [--seed S] [--dirt X] [csv flags]:
 * deterministic, realistic shop transactions (crm_synth_transactions) as CSV. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "options.h"
#include "output.h"
#include "values.h"

#include "crm/dataset.h"
#include "crm/synth.h"

#include <stdio.h>

static const char synth_usage[] =
    "crm synth [-o FILE] [--customers N] [--products N] [--days N] [--start YYYY-MM-DD] "
    "[--seed S] [--dirt X]";

static void synth_help(const void *ctx)
{
    const crm_synth_options *d = ctx;
    char start[32];
    cli_format_date(d->start, start, sizeof start);
    printf("usage: %s\n\n"
           "Generate invoice lines of a realistic online shop (the columns of the UCI\n"
           "Online Retail data: InvoiceNo, StockCode, Description, Quantity, InvoiceDate,\n"
           "UnitPrice, CustomerID, Country). The same options give the same file on\n"
           "every machine.\n\n"
           "Options:\n"
           "  -o, --output FILE  write the CSV to FILE (gzip-compressed when it ends in\n"
           "                     \".gz\") and print a summary on stderr; default: stdout\n"
           "  --customers N      number of customers (default %lld)\n"
           "  --products N       catalogue size (default %lld)\n"
           "  --days N           length of the period in days (default %lld)\n"
           "  --start DATE       first day, YYYY-MM-DD (default %s)\n"
           "  --seed S           random seed, 0 to 2^64-1 (default %llu)\n"
           "  --dirt X           scale of duplicates, cancellations, missing customer ids\n"
           "                     and price outliers: 0 = clean, 1 = realistic (default %g)\n"
           "  -h, --help         show this help\n\n"
           "CSV flags (for writing, --delimiter, --decimal-comma, --date-format and\n"
           "--no-header apply):\n%s",
           synth_usage, (long long)d->customers, (long long)d->products, (long long)d->days, start,
           (unsigned long long)d->seed, d->dirt, cli_csvflags_help);
}

int cli_cmd_synth(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "synth", synth_usage);
    crm_synth_options so;
    if (crm_synth_options_init(&so, sizeof so) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *out = NULL;
    crm_dataset *ds = NULL;
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},        {"customers", 0, CLI_INT(&so.customers)},
        {"products", 0, CLI_INT(&so.products)}, {"days", 0, CLI_INT(&so.days)},
        {"start", 0, CLI_DATE(&so.start)},      {"seed", 0, CLI_UINT64(&so.seed)},
        {"dirt", 0, CLI_NUMBER(&so.dirt)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .help = synth_help,
                           .help_ctx = &so};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if (crm_synth_transactions(&so, &ds) != CRM_OK) {
        rc = cli_lib_error(NULL);
        goto done;
    }
    if (!out || cli_is_stdout(out)) {
        rc = cli_write_csv(ds, "-", &f.opts);
        goto done;
    }
    if ((rc = cli_write_table(ds, out, &f.opts, &f))) goto done;
    char start[32];
    cli_format_date(so.start, start, sizeof start);
    fprintf(stderr,
            "crm: wrote %zu rows x %zu columns to %s (%lld customers, %lld products, %lld days "
            "from %s, seed %llu, dirt %g)\n",
            crm_dataset_nrows(ds), crm_dataset_ncols(ds), out, (long long)so.customers,
            (long long)so.products, (long long)so.days, start, (unsigned long long)so.seed,
            so.dirt);
done:
    crm_dataset_free(ds);
    cli_csvflags_free(&f);
    return rc;
}
