/* crm info FILE [csv flags] [--json]: schema, inferred types, missing values
 * and crm_dataset_describe() statistics of a CSV file. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "options.h"
#include "output.h"
#include "values.h"

#include "crm/dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char info_usage[] = "crm info FILE [csv flags] [--json]";

static void info_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Read a CSV file (\".gz\" is decompressed) and print its number of rows and\n"
           "columns and, per column: the inferred type, missing cells and the summary\n"
           "statistics of crm_dataset_describe() (count, mean, std, min, q25, median,\n"
           "q75, max, distinct). Time columns show dates; text columns show counts.\n\n"
           "Options:\n"
           "  --json             print one JSON object instead of a table\n"
           "  -h, --help         show this help\n\n"
           "CSV flags:\n%s",
           info_usage, cli_csvflags_help);
}

/* describe() result columns, in output order after the name. */
enum {
    D_COLUMN,
    D_TYPE,
    D_MISSING,
    D_COUNT,
    D_MEAN,
    D_STD,
    D_MIN,
    D_Q25,
    D_MEDIAN,
    D_Q75,
    D_MAX,
    D_DISTINCT,
    D_N
};
static const char *const d_names[D_N] = {"column", "type", "missing", "count", "mean", "std",
                                         "min",    "q25",  "median",  "q75",   "max",  "distinct"};

typedef struct summary {
    const crm_dataset *ds;
    size_t idx[D_N]; /* column index of each statistic in ds */
    size_t n;        /* described columns */
} summary;

static int summary_open(summary *s, const crm_dataset *ds)
{
    s->ds = ds;
    s->n = crm_dataset_nrows(ds);
    for (int k = 0; k < D_N; k++) {
        if (crm_dataset_column_index(ds, d_names[k], &s->idx[k]) != CRM_OK)
            return cli_lib_error(NULL);
    }
    return 0;
}

static double stat(const summary *s, size_t row, int k)
{
    double v = NAN;
    if (crm_dataset_get_number(s->ds, s->idx[k], row, 1, &v) != CRM_OK) return NAN;
    return v;
}

static const char *text(const summary *s, size_t row, int k)
{
    const char *v = NULL;
    if (crm_dataset_get_text(s->ds, s->idx[k], row, &v) != CRM_OK || !v) return "";
    return v;
}

/* Statistics that are times in a time column. */
static int is_time_stat(int k)
{
    return k == D_MEAN || k == D_MIN || k == D_Q25 || k == D_MEDIAN || k == D_Q75 || k == D_MAX;
}

static void format_cell(const summary *s, size_t row, int k, char *buf, size_t size)
{
    if (k == D_COLUMN || k == D_TYPE) {
        snprintf(buf, size, "%s", text(s, row, k));
        return;
    }
    double v = stat(s, row, k);
    if (is_time_stat(k) && strcmp(text(s, row, D_TYPE), "time") == 0 && isfinite(v))
        cli_format_time((int64_t)floor(v), buf, size);
    else
        cli_format_number(v, buf, size);
}

/* Order of the human table: the short statistics first, then the wide ones. */
static const int table_order[D_N] = {D_COLUMN, D_TYPE, D_MISSING, D_COUNT,  D_DISTINCT, D_MEAN,
                                     D_STD,    D_MIN,  D_Q25,     D_MEDIAN, D_Q75,      D_MAX};

static int print_table(const summary *s, const char *path, size_t rows, size_t cols)
{
    enum { CELL = 64 };
    char(*cells)[CELL] = calloc((s->n + 1) * D_N, CELL);
    if (!cells) return cli_out_of_memory();
    size_t width[D_N] = {0};
    for (int j = 0; j < D_N; j++) {
        snprintf(cells[j], CELL, "%s", d_names[table_order[j]]);
        width[j] = strlen(cells[j]);
    }
    for (size_t r = 0; r < s->n; r++) {
        for (int j = 0; j < D_N; j++) {
            char *c = cells[(r + 1) * D_N + (size_t)j];
            format_cell(s, r, table_order[j], c, CELL);
            size_t len = strlen(c);
            if (len > width[j]) width[j] = len;
        }
    }
    printf("file:    %s\nrows:    %zu\ncolumns: %zu\n\n", path, rows, cols);
    for (size_t r = 0; r <= s->n; r++) {
        for (int j = 0; j < D_N; j++) {
            const char *c = cells[r * D_N + (size_t)j];
            int w = (int)width[j];
            int k = table_order[j];
            if (k == D_COLUMN || k == D_TYPE)
                printf("%s%-*s", j ? "  " : "", w, c);
            else
                printf("  %*s", w, c);
        }
        putchar('\n');
    }
    free(cells);
    return 0;
}

static void print_json(const summary *s, const char *path, size_t rows)
{
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, path);
    printf(", \"rows\": %zu, \"columns\": [", rows);
    for (size_t r = 0; r < s->n; r++) {
        int is_time = strcmp(text(s, r, D_TYPE), "time") == 0;
        fputs(r ? ",\n  {" : "\n  {", stdout);
        fputs("\"name\": ", stdout);
        cli_json_string(stdout, text(s, r, D_COLUMN));
        fputs(", \"type\": ", stdout);
        cli_json_string(stdout, text(s, r, D_TYPE));
        for (int k = D_MISSING; k < D_N; k++) {
            double v = stat(s, r, k);
            printf(", \"%s\": ", d_names[k]);
            if (is_time && is_time_stat(k) && isfinite(v)) {
                char buf[32];
                cli_format_time((int64_t)floor(v), buf, sizeof buf);
                cli_json_string(stdout, buf);
            } else {
                cli_json_number(stdout, v);
            }
        }
        fputc('}', stdout);
    }
    fputs(s->n ? "\n]}\n" : "]}\n", stdout);
}

int cli_cmd_info(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "info", info_usage);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *path = NULL;
    int32_t json = 0;
    crm_dataset *ds = NULL, *desc = NULL;
    const cli_option opts[] = {{"json", 0, CLI_FLAG(&json)}};
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = info_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;

    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (crm_dataset_describe(ds, &desc) != CRM_OK) {
        rc = cli_lib_error(path);
        crm_dataset_free(ds);
        goto done;
    }
    summary s;
    rc = summary_open(&s, desc);
    if (!rc) {
        if (json)
            print_json(&s, path, crm_dataset_nrows(ds));
        else
            rc = print_table(&s, path, crm_dataset_nrows(ds), crm_dataset_ncols(ds));
    }
    crm_dataset_free(desc);
    crm_dataset_free(ds);
    if (!rc) rc = cli_flush_stdout();
done:
    cli_csvflags_free(&f);
    return rc;
}
