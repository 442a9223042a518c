/* crm apriori FILE (--tid COL --item COL | --baskets) (--min-support S | --min-count N)
 *             [--min-confidence C] [--min-lift L] [--max-len L]
 *             [--target all|closed|maximal] [--separator STR] [--filter EXPR] [--dedup]
 *             [-o RULES.csv] [--itemsets OUT.csv] [--top N] [--json] [csv flags]:
 * frequent itemsets and association rules (crm_apriori) with a summary and the
 * top rules by lift. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "values.h"

#include "crm/assoc.h"
#include "crm/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char apriori_usage[] =
    "crm apriori FILE (--tid COL --item COL | --baskets) (--min-support S | --min-count N) "
    "[--min-confidence C] [--min-lift L] [--max-len L] [--target all|closed|maximal] "
    "[--filter EXPR] [--dedup] [-o RULES.csv] [--itemsets OUT.csv] [--top N] [--json]";

static void apriori_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Find the sets of items bought together in at least a given share of the\n"
           "transactions, and the rules \"customers who buy A also buy C\" between them\n"
           "(every split of every frequent itemset), with support, confidence, lift,\n"
           "leverage and conviction (see crm/assoc.h). Prints the number of transactions,\n"
           "items and itemsets per size, and the top rules by lift.\n\n"
           "Options:\n"
           "  --tid COL             transaction column, e.g. InvoiceNo\n"
           "  --item COL            item column (text), e.g. Description or StockCode\n"
           "  --baskets             FILE is a basket file (one transaction per line, items\n"
           "                        separated by spaces; FIMI format) instead of a CSV\n"
           "  --min-support S       minimum share of transactions, 0 < S <= 1\n"
           "  --min-count N         minimum number of transactions (instead of --min-support)\n"
           "  --min-confidence C    keep rules with confidence >= C, 0..1 (default 0)\n"
           "  --min-lift L          keep rules with lift >= L (default 0)\n"
           "  --max-len L           largest itemset size (default: no limit)\n"
           "  --target T            itemsets to report: all (default), closed or maximal\n"
           "  --separator STR       joins the items of a set in the output (default \", \")\n"
           "  --dedup               drop the redundant rules: one rule per itemset (the\n"
           "                        best by lift, then confidence), and no rule whose\n"
           "                        extra antecedent items add no confidence over a\n"
           "                        shorter rule with the same consequent (crm/assoc.h)\n"
           "  --filter EXPR         keep only the rows where EXPR holds, e.g.\n"
           "                        \"Country = 'France' and Quantity > 0\"\n"
           "  -o, --output FILE     write every rule as CSV (\".gz\" compresses); conviction\n"
           "                        is written \"inf\" when the confidence is 1\n"
           "  --itemsets FILE       write the frequent itemsets as CSV\n"
           "  --top N               rules shown in the summary (default 10)\n"
           "  --json                print one JSON object instead of the summary\n"
           "  -h, --help            show this help\n\n"
           "Rows with a missing transaction or item are ignored; an item listed twice in\n"
           "a transaction counts once.\n\n"
           "CSV flags (reading; --delimiter, --decimal-comma also apply to the output):\n%s",
           apriori_usage, cli_csvflags_help);
}

/* ---- what was found ------------------------------------------------------------------ */

/* Number of distinct non-missing values of column `name`: the groups of
 * crm_dataset_group() by it, less the one of the missing values. */
static int count_distinct(const crm_dataset *ds, const char *name, size_t *out)
{
    size_t c, missing = 0;
    crm_dataset *g = NULL;
    if (crm_dataset_column_index(ds, name, &c) != CRM_OK ||
        crm_dataset_missing(ds, c, &missing) != CRM_OK ||
        crm_dataset_group(ds, &name, 1, NULL, 0, &g) != CRM_OK)
        return cli_lib_error(NULL);
    *out = crm_dataset_nrows(g) - (missing > 0);
    crm_dataset_free(g);
    return 0;
}

/* ---- output -------------------------------------------------------------------------- */

typedef struct table {
    size_t n;
    double *v[8];
} table;

static const char *const rule_cols[8] = {
    "antecedent_support", "consequent_support", "support", "confidence", "lift",
    "leverage",           "conviction",         "count"};

static int load_rules(const crm_dataset *rules, size_t top, table *t)
{
    t->n = crm_dataset_nrows(rules) < top ? crm_dataset_nrows(rules) : top;
    for (int k = 0; k < 8; k++) {
        size_t c;
        t->v[k] = malloc((t->n ? t->n : 1) * sizeof(double));
        if (!t->v[k] || crm_dataset_column_index(rules, rule_cols[k], &c) != CRM_OK ||
            crm_dataset_get_number(rules, c, 0, t->n, t->v[k]) != CRM_OK) {
            cli_error("cannot read the rules");
            return CLI_EXIT_INPUT;
        }
    }
    return 0;
}

static const char *rule_text(const crm_dataset *rules, const char *col, size_t row)
{
    size_t c;
    const char *s = NULL;
    if (crm_dataset_column_index(rules, col, &c) != CRM_OK ||
        crm_dataset_get_text(rules, c, row, &s) != CRM_OK || !s)
        return "";
    return s;
}

/* The command line of crm apriori, parsed, for the summary. */
typedef struct ap_args {
    const char *path, *out, *sets_out, *filter;
    int have_support;
    int64_t min_count;
    const crm_apriori_options *ao;
} ap_args;

/* What crm apriori found, for the summary. */
typedef struct ap_result {
    size_t rows, rows_used, ntx, nitems, nsets, nrules;
    size_t by[64], maxk; /* itemsets per size 1..maxk (the table is ordered by size) */
    table t;             /* the top rules' measures */
} ap_result;

/* Itemsets per size into res->by[1..maxk] (sizes above 63 are not counted). */
static int count_by_size(const crm_dataset *sets, ap_result *res)
{
    size_t c, nsets = crm_dataset_nrows(sets);
    double *sz = malloc((nsets ? nsets : 1) * sizeof *sz);
    if (!sz || crm_dataset_column_index(sets, "size", &c) != CRM_OK ||
        crm_dataset_get_number(sets, c, 0, nsets, sz) != CRM_OK) {
        free(sz);
        return cli_lib_error(NULL);
    }
    for (size_t i = 0; i < nsets; i++) {
        size_t s = (size_t)sz[i];
        if (s < 64) res->by[s]++;
        if (s > res->maxk) res->maxk = s;
    }
    free(sz);
    if (res->maxk > 63) res->maxk = 63;
    return 0;
}

/* The counts of the summary and the top rules. Returns 0 or the exit status. */
static int summarise(const crm_dataset *ds, const crm_dataset *tx, const char *tid,
                     const char *item, const crm_dataset *sets, const crm_dataset *rules,
                     size_t top, ap_result *res)
{
    int rc;
    res->rows = crm_dataset_nrows(ds);
    res->rows_used = crm_dataset_nrows(tx);
    res->nsets = crm_dataset_nrows(sets);
    res->nrules = crm_dataset_nrows(rules);
    if ((rc = count_distinct(tx, tid, &res->ntx)) || (rc = count_distinct(tx, item, &res->nitems)))
        return rc;
    if ((rc = count_by_size(sets, res))) return rc;
    return load_rules(rules, top, &res->t);
}

static const char *target_word(int32_t target)
{
    return target == CRM_APRIORI_CLOSED    ? "closed"
           : target == CRM_APRIORI_MAXIMAL ? "maximal"
                                           : "all";
}

static void print_apriori_json(const ap_args *p, const ap_result *res, const crm_dataset *rules)
{
    const crm_apriori_options *ao = p->ao;
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, p->path);
    printf(", \"rows\": %zu, \"rows_used\": %zu, \"transactions\": %zu, \"items\": %zu", res->rows,
           res->rows_used, res->ntx, res->nitems);
    fputs(", \"min_support\": ", stdout);
    if (p->have_support)
        cli_json_number(stdout, ao->min_support);
    else
        fputs("null", stdout);
    printf(", \"min_count\": %lld, \"min_confidence\": ", (long long)p->min_count);
    cli_json_number(stdout, ao->min_confidence);
    fputs(", \"min_lift\": ", stdout);
    cli_json_number(stdout, ao->min_lift);
    printf(", \"target\": \"%s\", \"itemsets\": %zu, \"itemsets_by_size\": [",
           target_word(ao->target), res->nsets);
    for (size_t s = 1; s <= res->maxk; s++)
        printf("%s%zu", s > 1 ? ", " : "", res->by[s]);
    printf("], \"rules\": %zu, \"dedup\": %s, \"output\": ", res->nrules,
           ao->prune_redundant ? "true" : "false");
    cli_json_string_or_null(stdout, p->out);
    fputs(", \"itemsets_output\": ", stdout);
    cli_json_string_or_null(stdout, p->sets_out);
    fputs(", \"top_rules\": [", stdout);
    for (size_t r = 0; r < res->t.n; r++) {
        fputs(r ? ", {\"antecedent\": " : "{\"antecedent\": ", stdout);
        cli_json_string(stdout, rule_text(rules, "antecedent", r));
        fputs(", \"consequent\": ", stdout);
        cli_json_string(stdout, rule_text(rules, "consequent", r));
        for (int c = 0; c < 8; c++) {
            printf(", \"%s\": ", rule_cols[c]);
            cli_json_number(stdout, res->t.v[c][r]);
        }
        fputs("}", stdout);
    }
    fputs("]}\n", stdout);
}

static void print_apriori_text(const ap_args *p, const ap_result *res, const crm_dataset *rules)
{
    const crm_apriori_options *ao = p->ao;
    const char *target = target_word(ao->target);
    printf("file:           %s\n", p->path);
    if (p->filter)
        printf("rows:           %zu (%zu after --filter)\n", res->rows, res->rows_used);
    else
        printf("rows:           %zu\n", res->rows);
    printf("transactions:   %zu\nitems:          %zu\n", res->ntx, res->nitems);
    if (p->have_support)
        printf("min_support:    %g\n", ao->min_support);
    else
        printf("min_count:      %lld\n", (long long)p->min_count);
    printf("itemsets:       %zu%s", res->nsets, res->nsets && strcmp(target, "all") ? " " : "");
    if (strcmp(target, "all")) printf("(%s)", target);
    for (size_t s = 1; s <= res->maxk; s++)
        printf("%s%zu of size %zu", s == 1 ? ": " : ", ", res->by[s], s);
    printf("\nrules:          %zu", res->nrules);
    if (ao->min_confidence > 0 || ao->min_lift > 0)
        printf(" (confidence >= %g, lift >= %g)", ao->min_confidence, ao->min_lift);
    if (ao->prune_redundant) printf(" (redundant rules removed)");
    putchar('\n');
    if (p->out) printf("rules output:   %s\n", p->out);
    if (p->sets_out) printf("itemsets out:   %s\n", p->sets_out);
    if (!res->t.n) return;
    printf("\ntop %zu rules by lift:\n%8s %10s %9s %6s  %s\n", res->t.n, "lift", "confidence",
           "support", "count", "rule");
    for (size_t r = 0; r < res->t.n; r++) {
        char l[32], c[32], s[32];
        cli_format_number(res->t.v[4][r], l, sizeof l);
        cli_format_number(res->t.v[3][r], c, sizeof c);
        cli_format_number(res->t.v[2][r], s, sizeof s);
        printf("%8.8s %10.10s %9.9s %6.0f  {%s} -> {%s}\n", l, c, s, res->t.v[7][r],
               rule_text(rules, "antecedent", r), rule_text(rules, "consequent", r));
    }
}

int cli_cmd_apriori(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "apriori", apriori_usage);
    crm_apriori_options ao;
    if (crm_apriori_options_init(&ao, sizeof ao) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *sets_out = NULL, *filter = NULL;
    const char *tid = NULL, *item = NULL;
    int32_t json = 0, baskets = 0;
    int have_support = 0, have_count = 0;
    int64_t max_len = -1, top = 10, min_count = 0;
    crm_dataset *ds = NULL, *tx = NULL, *sets = NULL, *rules = NULL;
    ap_result res;
    memset(&res, 0, sizeof res);
    static const cli_choice targets[] = {{"all", CRM_APRIORI_ALL},
                                         {"closed", CRM_APRIORI_CLOSED},
                                         {"maximal", CRM_APRIORI_MAXIMAL},
                                         {NULL, 0}};
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"itemsets", 0, CLI_FILE(&sets_out)},
        {"tid", 0, CLI_STRING(&tid)},
        {"item", 0, CLI_STRING(&item)},
        {"baskets", 0, CLI_FLAG(&baskets)},
        {"min-support", 0, CLI_NUMBER(&ao.min_support), .min = 0, .max = 1,
         .flags = CLI_MIN_OPEN | CLI_GOT_VALUE, .wants = "a number in (0, 1]",
         .given = &have_support},
        {"min-count", 0, CLI_INT(&min_count), .min = 1, .max = INFINITY, .flags = CLI_GOT_VALUE,
         .given = &have_count},
        {"min-confidence", 0, CLI_NUMBER(&ao.min_confidence)},
        {"min-lift", 0, CLI_NUMBER(&ao.min_lift)},
        {"max-len", 0, CLI_INT(&max_len), .min = 1, .max = INT32_MAX, .flags = CLI_GOT_VALUE,
         .wants = "a whole number >= 1"},
        {"target", 0, CLI_CHOICE(&ao.target, targets)},
        {"separator", 0, CLI_STRING(&ao.separator)},
        {"filter", 0, CLI_STRING(&filter)},
        {"dedup", 0, CLI_FLAG(&ao.prune_redundant)},
        {"top", 0, CLI_INT(&top), .min = 0, .max = INFINITY, .flags = CLI_GOT_VALUE},
        {"json", 0, CLI_FLAG(&json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = apriori_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if (baskets ? (tid || item) : (!tid || !item)) {
        rc = cli_usage(&a, "give either --tid and --item (a CSV file) or --baskets");
        goto done;
    }
    if (have_support == have_count) {
        rc = cli_usage(&a, "give one of --min-support and --min-count");
        goto done;
    }
    if (baskets) {
        tid = "tid";
        item = "item";
    }
    ao.min_count = min_count;
    ao.max_len = (int32_t)max_len;

    if (baskets && f.sql) {
        rc = cli_usage(&a, "--baskets reads a basket file; with --sql give --tid and --item");
        goto done;
    }
    crm_status st =
        baskets ? crm_dataset_read_baskets(path, &ds) : cli_read_table(path, &f, &ds);
    if (st != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    tx = ds;
    if (filter && crm_dataset_filter(ds, filter, &tx) != CRM_OK) {
        tx = NULL;
        rc = cli_lib_error("--filter");
        goto done;
    }
    cli_progress pr;
    if (cli_progress_init(&pr, "apriori", !json)) {
        ao.progress = cli_progress_show;
        ao.user = &pr;
    }
    st = crm_apriori(tx, tid, item, &ao, &sets, &rules);
    cli_progress_clear(&pr);
    if (st != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if ((rc = summarise(ds, tx, tid, item, sets, rules, (size_t)top, &res))) goto done;
    /* everything is computed: the files last, so that a failure writes none */
    if (out && (rc = cli_write_table(rules, out, &f.opts, &f))) goto done;
    if (sets_out && (rc = cli_write_csv(sets, sets_out, &f.opts))) goto done;
    const ap_args p = {path, out, sets_out, filter, have_support, min_count, &ao};
    if (json)
        print_apriori_json(&p, &res, rules);
    else
        print_apriori_text(&p, &res, rules);
    rc = cli_flush_stdout();
done:
    for (int c = 0; c < 8; c++)
        free(res.t.v[c]);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    if (tx != ds) crm_dataset_free(tx);
    crm_dataset_free(ds);
    cli_csvflags_free(&f);
    return rc;
}
