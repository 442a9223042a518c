/* crm clean FILE -o OUT [--filter EXPR]... [--mutate NAME=EXPR]... [--dedup[=COLS]]
 *           [--keep first|last|none] [--drop-missing COLS]
 *           [--impute COL:mean|median|mode|linear[:ORDER]|VALUE]...
 *           [--outliers COL:zscore|iqr|mad[:K]]... [--outlier-action flag|drop|clip]
 *           [--json] [csv flags]:
 * the cleaning steps of crm/clean.h in a fixed order, with a summary per step. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "lists.h"
#include "mutate.h"
#include "options.h"
#include "output.h"
#include "values.h"

#include "crm/clean.h"
#include "crm/dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char clean_usage[] =
    "crm clean FILE -o OUT [--filter EXPR] [--mutate NAME=EXPR]... [--dedup[=COLS]] "
    "[--drop-missing COLS] [--impute COL:mean|median|mode|linear|VALUE]... "
    "[--outliers COL:zscore|iqr|mad[:K]]... [--outlier-action flag|drop|clip] [--keep-dialect] "
    "[--json]";

static void clean_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Read a CSV file, clean it and write the result. The steps run in this order,\n"
           "whatever the order of the options: filter, mutate, dedup, drop-missing,\n"
           "impute, outliers. Each step prints one summary line on stderr.\n\n"
           "Options:\n"
           "  -o, --output FILE         write the cleaned table as CSV (\".gz\" compresses)\n"
           "  --filter EXPR             keep the rows where EXPR holds; repeatable (all must\n"
           "                            hold), e.g. \"CustomerID is not missing\"\n"
           "  --mutate NAME=EXPR        add or replace column NAME; repeatable, in order,\n"
           "                            e.g. \"amount=Quantity * UnitPrice\"\n"
           "  --dedup[=COLS]            drop duplicate rows, equal in every column or in\n"
           "                            the comma-separated COLS (missing equals missing)\n"
           "  --keep first|last|none    which duplicate --dedup keeps (default first)\n"
           "  --drop-missing COLS       drop rows missing any of the comma-separated COLS\n"
           "                            (\"*\" = any column)\n"
           "  --impute COL:METHOD       fill missing cells of COL; METHOD is mean, median,\n"
           "                            mode, linear (row order), linear:ORDER (in the\n"
           "                            order of column ORDER, e.g. a date) or a constant\n"
           "                            VALUE (a number, a text, or YYYY-MM-DD for times);\n"
           "                            repeatable\n"
           "  --outliers COL:RULE[:K]   find outliers of COL by zscore (|z| > K, default 3),\n"
           "                            iqr (outside Q1 - K*IQR, Q3 + K*IQR, default 1.5) or\n"
           "                            mad (modified z-score > K, default 3.5); repeatable\n"
           "  --outlier-action ACTION   flag (default: add COL_outlier with 1/0), drop the\n"
           "                            rows, or clip the values to the bounds\n"
           "  --keep-dialect            write the output with the --delimiter and\n"
           "                            --decimal-comma given for reading; by default the\n"
           "                            output is standard CSV (',' between fields, '.' as\n"
           "                            decimal separator) whatever the input's dialect\n"
           "  --json                    print one JSON object with the steps on stdout\n"
           "                            instead of the summary lines\n"
           "  -h, --help                show this help\n\n"
           "CSV flags (reading; --date-format also applies to the output, --delimiter\n"
           "and --decimal-comma only with --keep-dialect):\n%s",
           clean_usage, cli_csvflags_help);
}

enum { S_FILTER, S_MUTATE, S_DEDUP, S_DROP, S_IMPUTE, S_OUTLIERS, S_KINDS };
static const char *const step_names[S_KINDS] = {"filter",       "mutate", "dedup",
                                                "drop-missing", "impute", "outliers"};

typedef struct step {
    int kind;
    const char *arg; /* borrowed from argv; NULL for --dedup without columns */
} step;

/* Result of one step, for the summary. */
typedef struct step_result {
    const step *s;
    size_t rows_before, rows_after;
    size_t count; /* cells filled, outliers found, duplicates removed ... */
    char detail[96];
} step_result;

/* Column type by name, or -1 (with the library's message printed). */
static int32_t column_type(const crm_dataset *ds, const char *name)
{
    size_t c;
    int32_t t = -1;
    if (crm_dataset_column_index(ds, name, &c) != CRM_OK ||
        crm_dataset_column_type(ds, c, &t) != CRM_OK)
        return -1;
    return t;
}

static int do_impute(crm_dataset *ds, const char *arg, step_result *res)
{
    const char *m = NULL;
    char *col = cli_split_at(arg, ':', &m);
    if (!col) return cli_out_of_memory();
    crm_impute_options o;
    crm_impute_options_init(&o, sizeof o);
    int32_t method;
    int rc = 0;
    if (strcmp(m, "mean") == 0) {
        method = CRM_IMPUTE_MEAN;
    } else if (strcmp(m, "median") == 0) {
        method = CRM_IMPUTE_MEDIAN;
    } else if (strcmp(m, "mode") == 0) {
        method = CRM_IMPUTE_MODE;
    } else if (strcmp(m, "linear") == 0) {
        method = CRM_IMPUTE_LINEAR;
    } else if (strncmp(m, "linear:", 7) == 0) {
        method = CRM_IMPUTE_LINEAR;
        o.order_by = m + 7;
    } else {
        method = CRM_IMPUTE_CONSTANT;
        int32_t t = column_type(ds, col);
        if (t < 0) {
            rc = cli_lib_error(NULL);
            goto done;
        }
        if (t == CRM_TYPE_TEXT) {
            o.text_constant = m;
        } else if (t == CRM_TYPE_TIME) {
            int64_t secs;
            if (cli_parse_date(m, &secs) != 0) {
                cli_error("--impute %s: \"%s\" is not mean, median, mode, linear or a date "
                          "YYYY-MM-DD for time column \"%s\"",
                          arg, m, col);
                rc = CLI_EXIT_INPUT;
                goto done;
            }
            o.constant = (double)secs;
        } else if (cli_parse_double(m, &o.constant) != 0) {
            cli_error("--impute %s: \"%s\" is not mean, median, mode, linear or a number for "
                      "number column \"%s\"",
                      arg, m, col);
            rc = CLI_EXIT_INPUT;
            goto done;
        }
    }
    size_t filled = 0;
    if (crm_clean_impute(ds, col, method, &o, &filled) != CRM_OK) {
        rc = cli_lib_error(NULL);
        goto done;
    }
    res->count = filled;
    snprintf(res->detail, sizeof res->detail, "%s", m);
done:
    free(col);
    return rc;
}

static int do_outliers(crm_dataset *ds, const char *arg, int32_t action, step_result *res)
{
    const char *r = NULL;
    char *col = cli_split_at(arg, ':', &r);
    if (!col) return cli_out_of_memory();
    int32_t rule = strncmp(r, "zscore", 6) == 0 ? CRM_OUTLIER_ZSCORE
                   : strncmp(r, "iqr", 3) == 0  ? CRM_OUTLIER_IQR
                                                : CRM_OUTLIER_MAD;
    const char *ks = strchr(r, ':');
    double k = 0;
    if (ks) cli_parse_double(ks + 1, &k); /* checked when the options were read */
    size_t affected = 0;
    int rc = 0;
    if (crm_clean_outliers(ds, col, rule, k, action, &affected) != CRM_OK) {
        rc = cli_lib_error(NULL);
    } else {
        res->count = affected;
        double kk = k > 0                        ? k
                    : rule == CRM_OUTLIER_ZSCORE ? 3.0
                    : rule == CRM_OUTLIER_IQR    ? 1.5
                                                 : 3.5;
        snprintf(res->detail, sizeof res->detail, "%s k=%g",
                 rule == CRM_OUTLIER_ZSCORE ? "zscore"
                 : rule == CRM_OUTLIER_IQR  ? "iqr"
                                            : "mad",
                 kk);
    }
    free(col);
    return rc;
}

/* Check the syntax of a step argument at parse time. Returns 0 or a usage error. */
static int check_step(cli_args *a, int kind, const char *arg)
{
    if (kind == S_MUTATE) {
        return cli_check_mutate(a, arg);
    } else if (kind == S_IMPUTE) {
        const char *c = strchr(arg, ':');
        if (!c || c == arg || !c[1])
            return cli_usage(a, "--impute wants COL:METHOD, got \"%s\"", arg);
        if (strcmp(c + 1, "linear:") == 0)
            return cli_usage(a, "--impute %s: linear: wants an order column", arg);
    } else if (kind == S_OUTLIERS) {
        const char *c = strchr(arg, ':');
        if (!c || c == arg)
            return cli_usage(a, "--outliers wants COL:zscore|iqr|mad[:K], got \"%s\"", arg);
        const char *r = c + 1, *k = strchr(r, ':');
        size_t rl = k ? (size_t)(k - r) : strlen(r);
        if (!((rl == 6 && strncmp(r, "zscore", 6) == 0) || (rl == 3 && strncmp(r, "iqr", 3) == 0) ||
              (rl == 3 && strncmp(r, "mad", 3) == 0)))
            return cli_usage(a, "--outliers %s: rule must be zscore, iqr or mad", arg);
        double kv;
        if (k && (cli_parse_double(k + 1, &kv) != 0 || !(kv > 0) || !isfinite(kv)))
            return cli_usage(a, "--outliers %s: K must be a positive number", arg);
    } else if ((kind == S_DROP || (kind == S_DEDUP && arg)) && !*arg) {
        return cli_usage(a, "--%s wants a comma-separated list of columns", step_names[kind]);
    }
    return 0;
}

/* The steps in the order given (v has room for one per argument). */
typedef struct step_list {
    step *v;
    size_t n;
} step_list;

/* --filter, --mutate, --dedup[=COLS], --drop-missing, --impute, --outliers: one
 * step each, its argument checked. */
static int step_option(cli_args *a, const cli_opt *o, void *dest)
{
    step_list *l = dest;
    int kind = 0;
    while (kind < S_KINDS - 1 && !cli_is(o, step_names[kind], 0))
        kind++;
    const char *v = o->value; /* only --dedup=COLS takes a value */
    if (kind != S_DEDUP && cli_value(a, o, &v)) return -1;
    if (check_step(a, kind, v)) return -1;
    l->v[l->n].kind = kind;
    l->v[l->n].arg = v;
    l->n++;
    return 0;
}

static const char *const keep_words[] = {"first", "last", "none"};
static const char *const action_words[] = {"flag", "drop", "clip"};

/* --keep first|last|none and --outlier-action flag|drop|clip (dest: an int32_t,
 * 1 + the index of the word: CRM_KEEP_* and CRM_OUTLIER_FLAG .. _CLIP). */
static int word_option(cli_args *a, const cli_opt *o, void *dest)
{
    int is_keep = cli_is(o, "keep", 0);
    const char *const *names = is_keep ? keep_words : action_words;
    const char *v = NULL;
    if (cli_value(a, o, &v)) return -1;
    for (int i = 0; i < 3; i++) {
        if (strcmp(v, names[i]) == 0) {
            *(int32_t *)dest = i + 1;
            return 0;
        }
    }
    cli_usage(a, "--%s must be %s, %s or %s, got \"%s\"", is_keep ? "keep" : "outlier-action",
              names[0], names[1], names[2], v);
    return -1;
}

static int run_step(crm_dataset **ds, const step *s, int32_t keep, int32_t action, step_result *res)
{
    crm_dataset *d = *ds;
    res->s = s;
    res->rows_before = crm_dataset_nrows(d);
    res->detail[0] = '\0';
    int rc = 0;
    switch (s->kind) {
    case S_FILTER: {
        crm_dataset *out = NULL;
        if (crm_dataset_filter(d, s->arg, &out) != CRM_OK) return cli_lib_error(NULL);
        crm_dataset_free(d);
        *ds = d = out;
        res->count = res->rows_before - crm_dataset_nrows(d);
        break;
    }
    case S_MUTATE: {
        size_t before = crm_dataset_ncols(d);
        crm_status st = cli_mutate(d, s->arg);
        if (st == CRM_E_NOMEM) return cli_out_of_memory();
        if (st != CRM_OK)
            rc = cli_lib_error(NULL);
        else
            snprintf(res->detail, sizeof res->detail, "%s %.*s",
                     crm_dataset_ncols(d) > before ? "added" : "replaced",
                     (int)(strchr(s->arg, '=') - s->arg), s->arg);
        break;
    }
    case S_DEDUP:
    case S_DROP: {
        size_t n = 0, removed = 0;
        char **names = NULL;
        int all = !s->arg || strcmp(s->arg, "*") == 0;
        if (!all && cli_split_list(s->arg, &names, &n)) return cli_out_of_memory();
        crm_status st = s->kind == S_DEDUP
                            ? crm_clean_dedup(d, (const char *const *)names, n, keep, &removed)
                            : crm_clean_drop_missing(d, (const char *const *)names, n, &removed);
        cli_free_list(names, n);
        if (st != CRM_OK) return cli_lib_error(NULL);
        res->count = removed;
        break;
    }
    case S_IMPUTE:
        rc = do_impute(d, s->arg, res);
        break;
    default:
        rc = do_outliers(d, s->arg, action, res);
    }
    res->rows_after = crm_dataset_nrows(d);
    return rc;
}

static void print_summary(const step_result *r)
{
    const step *s = r->s;
    switch (s->kind) {
    case S_FILTER:
        fprintf(stderr, "filter: %zu -> %zu rows (%zu removed): %s\n", r->rows_before,
                r->rows_after, r->count, s->arg);
        break;
    case S_MUTATE:
        fprintf(stderr, "mutate: %s\n", r->detail);
        break;
    case S_DEDUP:
        fprintf(stderr, "dedup: %zu -> %zu rows (%zu duplicates removed; keys: %s)\n",
                r->rows_before, r->rows_after, r->count, s->arg ? s->arg : "all columns");
        break;
    case S_DROP:
        fprintf(stderr, "drop-missing: %zu -> %zu rows (%zu removed; columns: %s)\n",
                r->rows_before, r->rows_after, r->count, strcmp(s->arg, "*") == 0 ? "any" : s->arg);
        break;
    case S_IMPUTE:
        fprintf(stderr, "impute %s: %zu cells filled\n", s->arg, r->count);
        break;
    default:
        fprintf(stderr, "outliers %s (%s): %zu outliers, %zu -> %zu rows\n", s->arg, r->detail,
                r->count, r->rows_before, r->rows_after);
    }
}

static void print_json(const char *in, const char *out, size_t rows_in, const crm_dataset *ds,
                       const step_result *res, size_t nres, const char *action)
{
    fputs("{\"input\": ", stdout);
    cli_json_string(stdout, in);
    fputs(", \"output\": ", stdout);
    cli_json_string(stdout, out);
    printf(", \"rows_in\": %zu, \"rows_out\": %zu, \"columns\": %zu, \"steps\": [", rows_in,
           crm_dataset_nrows(ds), crm_dataset_ncols(ds));
    for (size_t i = 0; i < nres; i++) {
        const step_result *r = &res[i];
        fputs(i ? ",\n  {\"step\": " : "\n  {\"step\": ", stdout);
        cli_json_string(stdout, step_names[r->s->kind]);
        fputs(", \"arg\": ", stdout);
        cli_json_string_or_null(stdout, r->s->arg);
        printf(", \"rows_before\": %zu, \"rows_after\": %zu", r->rows_before, r->rows_after);
        switch (r->s->kind) {
        case S_FILTER:
        case S_DEDUP:
        case S_DROP:
            printf(", \"removed\": %zu", r->count);
            break;
        case S_IMPUTE:
            printf(", \"filled\": %zu", r->count);
            break;
        case S_OUTLIERS:
            printf(", \"outliers\": %zu, \"action\": ", r->count);
            cli_json_string(stdout, action);
            break;
        default:
            break;
        }
        fputc('}', stdout);
    }
    fputs(nres ? "\n]}\n" : "]}\n", stdout);
}

int cli_cmd_clean(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "clean", clean_usage);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    step *steps = malloc(((size_t)argc + 1) * sizeof *steps);
    step_result *res = malloc(((size_t)argc + 1) * sizeof *res);
    size_t nres = 0, rows_in = 0;
    const char *path = NULL, *out = NULL;
    int32_t json = 0, keep_dialect = 0;
    int32_t keep = CRM_KEEP_FIRST, action = CRM_OUTLIER_FLAG;
    step_list sl = {steps, 0};
    crm_dataset *ds = NULL;
    if (!steps || !res) {
        rc = cli_out_of_memory();
        goto done;
    }
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"json", 0, CLI_FLAG(&json)},
        {"keep-dialect", 0, CLI_FLAG(&keep_dialect)},
        {"filter", 0, CLI_CALL(step_option, &sl)},
        {"mutate", 0, CLI_CALL(step_option, &sl)},
        {"dedup", 0, CLI_CALL(step_option, &sl)},
        {"drop-missing", 0, CLI_CALL(step_option, &sl)},
        {"impute", 0, CLI_CALL(step_option, &sl)},
        {"outliers", 0, CLI_CALL(step_option, &sl)},
        {"keep", 0, CLI_CALL(word_option, &keep)},
        {"outlier-action", 0, CLI_CALL(word_option, &action)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = clean_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if (!out) {
        rc = cli_usage(&a, "missing -o OUT");
        goto done;
    }
    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    rows_in = crm_dataset_nrows(ds);
    for (int kind = 0; kind < S_KINDS; kind++) {
        for (size_t i = 0; i < sl.n; i++) {
            if (steps[i].kind != kind) continue;
            if ((rc = run_step(&ds, &steps[i], keep, action, &res[nres]))) goto done;
            if (!json) print_summary(&res[nres]);
            nres++;
        }
    }
    crm_csv_options wo = f.opts; /* same date format (and quote) as the input */
    wo.header = 1;
    if (!keep_dialect) { /* standard CSV unless asked to keep the input's dialect */
        wo.delimiter = ',';
        wo.decimal_comma = 0;
    }
    if ((rc = cli_write_table(ds, out, &wo, &f))) goto done;
    if (json)
        print_json(path, out, rows_in, ds, res, nres, action_words[action - 1]);
    else
        fprintf(stderr, "wrote %s: %zu rows, %zu columns (read %zu rows)\n", out,
                crm_dataset_nrows(ds), crm_dataset_ncols(ds), rows_in);
    rc = cli_flush_stdout();
done:
    crm_dataset_free(ds);
    free(steps);
    free(res);
    cli_csvflags_free(&f);
    return rc;
}
