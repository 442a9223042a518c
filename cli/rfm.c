/* crm rfm FILE [-o OUT] --customer COL --date COL (--amount COL | --quantity COL --price COL)
 *          [--invoice COL] [--as-of YYYY-MM-DD] [--bins N] [--active-days N]
 *          [--inactive-days N] [--churn-days N] [--filter EXPR] [--json] [csv flags]:
 * per-customer RFM table (crm_rfm) with a summary of segments and lifecycle stages. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "options.h"
#include "output.h"
#include "values.h"

#include "crm/dataset.h"
#include "crm/rfm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char rfm_usage[] =
    "crm rfm FILE [-o OUT] --customer COL --date COL (--amount COL | --quantity COL --price COL) "
    "[--invoice COL] [--as-of YYYY-MM-DD] [--bins N] [--active-days N] [--inactive-days N] "
    "[--churn-days N] "
    "[--filter EXPR] [--json]";

static void rfm_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Turn transaction lines into one row per customer: recency_days, frequency,\n"
           "monetary, tenure_days, r/f/m scores (1..bins, recency reversed), rfm_cell,\n"
           "rfm_score, the named segment and the lifecycle stage (see crm/rfm.h), and\n"
           "print how many customers fall in each segment and stage.\n\n"
           "Options:\n"
           "  -o, --output FILE     write the RFM table as CSV (\".gz\" compresses); without\n"
           "                        it only the summary is printed\n"
           "  --customer COL        customer id column (required)\n"
           "  --date COL            transaction time column (required)\n"
           "  --amount COL          amount per row, or:\n"
           "  --quantity COL        quantity per row, with\n"
           "  --price COL           unit price per row (amount = quantity * price)\n"
           "  --invoice COL         frequency counts distinct invoices (default: rows)\n"
           "  --as-of YYYY-MM-DD    reference day (default: the day after the last\n"
           "                        transaction)\n"
           "  --bins N              score bins, 1..9 (default 5)\n"
           "  --active-days N       'active' when the last purchase is less than N days\n"
           "                        before as_of (default 90)\n"
           "  --inactive-days N     'inactive' when less than N days, else 'churned'\n"
           "                        (default 365)\n"
           "  --churn-days N        churn table for a churn model (needs --as-of): features\n"
           "                        from the rows up to --as-of only, plus a 0/1 column\n"
           "                        'churned' = no purchase in the N days after it\n"
           "  --filter EXPR         keep only the rows where EXPR holds, e.g.\n"
           "                        \"CustomerID is not missing and Quantity > 0\"\n"
           "  --json                print one JSON object instead of the summary\n"
           "  -h, --help            show this help\n\n"
           "Every row used must have a customer, a date and an amount > 0: use --filter\n"
           "to drop cancellations, returns and rows without a customer.\n\n"
           "CSV flags (reading; --delimiter, --decimal-comma, --date-format also apply\n"
           "to the output):\n%s",
           rfm_usage, cli_csvflags_help);
}

/* Count the values of text column `name` of ds that equal name_of(k), k < nnames. */
static int count_values(const crm_dataset *ds, const char *name, const char *(*name_of)(size_t),
                        size_t nnames, size_t *counts)
{
    size_t c, levels, n = crm_dataset_nrows(ds);
    if (crm_dataset_column_index(ds, name, &c) != CRM_OK ||
        crm_dataset_text_levels(ds, c, &levels) != CRM_OK)
        return cli_lib_error(NULL);
    size_t *per = calloc(levels + 1, sizeof *per);
    int32_t *codes = malloc((n ? n : 1) * sizeof *codes);
    if (!per || !codes) {
        free(per);
        free(codes);
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    if (crm_dataset_get_codes(ds, c, 0, n, codes) != CRM_OK) {
        free(per);
        free(codes);
        return cli_lib_error(NULL);
    }
    for (size_t i = 0; i < n; i++)
        if (codes[i] >= 0) per[codes[i]]++;
    for (size_t k = 0; k < nnames; k++)
        counts[k] = 0;
    for (size_t l = 0; l < levels; l++) {
        const char *s = NULL;
        if (crm_dataset_text_level(ds, c, l, &s) != CRM_OK) {
            free(per);
            free(codes);
            return cli_lib_error(NULL);
        }
        for (size_t k = 0; k < nnames; k++)
            if (strcmp(s, name_of(k)) == 0) counts[k] += per[l];
    }
    free(per);
    free(codes);
    return 0;
}

int cli_cmd_rfm(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "rfm", rfm_usage);
    crm_rfm_options ro;
    if (crm_rfm_options_init(&ro, sizeof ro) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *filter = NULL;
    int32_t json = 0;
    int64_t bins = ro.bins;
    crm_dataset *ds = NULL, *tx = NULL, *res = NULL;
    size_t *seg = NULL; /* per segment, then per lifecycle stage: customers */
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"customer", 0, CLI_STRING(&ro.customer)},
        {"date", 0, CLI_STRING(&ro.date)},
        {"amount", 0, CLI_STRING(&ro.amount)},
        {"quantity", 0, CLI_STRING(&ro.quantity)},
        {"price", 0, CLI_STRING(&ro.price)},
        {"invoice", 0, CLI_STRING(&ro.invoice)},
        {"filter", 0, CLI_STRING(&filter)},
        {"as-of", 0, CLI_DATE(&ro.as_of)},
        {"bins", 0, CLI_INT(&bins), .min = 1, .max = 9, .flags = CLI_GOT_VALUE},
        {"active-days", 0, CLI_INT(&ro.active_days)},
        {"inactive-days", 0, CLI_INT(&ro.inactive_days)},
        {"churn-days", 0, CLI_INT(&ro.churn_days), .min = 1, .max = INFINITY},
        {"json", 0, CLI_FLAG(&json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = rfm_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    ro.bins = (int32_t)bins;
    if (!ro.customer || !ro.date) {
        rc = cli_usage(&a, "--customer and --date are required");
        goto done;
    }
    if (ro.amount ? (ro.quantity || ro.price) : (!ro.quantity || !ro.price)) {
        rc = cli_usage(&a, "give either --amount or both --quantity and --price");
        goto done;
    }

    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    tx = ds;
    if (filter) {
        if (crm_dataset_filter(ds, filter, &tx) != CRM_OK) {
            tx = NULL;
            rc = cli_lib_error("--filter");
            goto done;
        }
    }
    if (crm_rfm(tx, &ro, &res) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    int64_t as_of = ro.as_of;
    if (as_of == CRM_TIME_MISSING && crm_rfm_default_as_of(tx, ro.date, &as_of) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    size_t nseg = crm_rfm_segment_count(), nstage = crm_rfm_stage_count();
    seg = malloc((nseg + nstage) * sizeof *seg);
    if (!seg) {
        cli_error("out of memory");
        rc = CLI_EXIT_INPUT;
        goto done;
    }
    size_t *life = seg + nseg;
    if ((rc = count_values(res, "segment", crm_rfm_segment_name, nseg, seg)) ||
        (rc = count_values(res, "lifecycle", crm_rfm_stage_name, nstage, life)))
        goto done;
    if (out && (rc = cli_write_table(res, out, &f.opts, &f))) goto done;

    char day[32];
    cli_format_time(as_of, day, sizeof day);
    day[10] = '\0';
    size_t ncust = crm_dataset_nrows(res);
    if (json) {
        fputs("{\"file\": ", stdout);
        cli_json_string(stdout, path);
        printf(", \"rows\": %zu, \"rows_used\": %zu, \"customers\": %zu, \"as_of\": ",
               crm_dataset_nrows(ds), crm_dataset_nrows(tx), ncust);
        cli_json_string(stdout, day);
        printf(", \"bins\": %d, \"output\": ", (int)ro.bins);
        if (out)
            cli_json_string(stdout, out);
        else
            fputs("null", stdout);
        fputs(", \"segments\": {", stdout);
        for (size_t s = 0; s < nseg; s++) {
            fputs(s ? ", " : "", stdout);
            cli_json_string(stdout, crm_rfm_segment_name(s));
            printf(": %zu", seg[s]);
        }
        fputs("}, \"lifecycle\": {", stdout);
        for (size_t s = 0; s < nstage; s++)
            printf("%s\"%s\": %zu", s ? ", " : "", crm_rfm_stage_name(s), life[s]);
        fputs("}}\n", stdout);
    } else {
        printf("file:       %s\n", path);
        if (filter)
            printf("rows:       %zu (%zu after --filter)\n", crm_dataset_nrows(ds),
                   crm_dataset_nrows(tx));
        else
            printf("rows:       %zu\n", crm_dataset_nrows(ds));
        printf("customers:  %zu\nas_of:      %s\nbins:       %d\n", ncust, day, (int)ro.bins);
        if (out) printf("output:     %s\n", out);
        printf("\n%-20s %9s %7s\n", "segment", "customers", "share");
        for (size_t s = 0; s < nseg; s++)
            printf("%-20s %9zu %6.1f%%\n", crm_rfm_segment_name(s), seg[s],
                   ncust ? 100.0 * (double)seg[s] / (double)ncust : 0.0);
        printf("\n%-20s %9s %7s\n", "lifecycle", "customers", "share");
        for (size_t s = 0; s < nstage; s++)
            printf("%-20s %9zu %6.1f%%\n", crm_rfm_stage_name(s), life[s],
                   ncust ? 100.0 * (double)life[s] / (double)ncust : 0.0);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        rc = CLI_EXIT_INPUT;
    }
done:
    free(seg);
    crm_dataset_free(res);
    if (tx != ds) crm_dataset_free(tx);
    crm_dataset_free(ds);
    cli_csvflags_free(&f);
    return rc;
}
