/* crm predict MODEL.json FILE -o OUT [--column NAME] [--mutate NAME=EXPR]... [--json]
 *             [csv flags]:
 * apply a saved model (any kind) to the rows of a CSV file and write them with the
 * prediction column(s) appended. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "mutate.h"
#include "options.h"
#include "output.h"

#include "crm/dataset.h"
#include "crm/model.h"

#include <stdlib.h>
#include <string.h>

static const char pr_usage[] =
    "crm predict MODEL.json FILE -o OUT [--column NAME] [--mutate NAME=EXPR]... [--json] "
    "[csv flags]";

static void pr_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Apply a model saved with --model (by kmeans, logreg, linreg or tree) to the rows\n"
           "of FILE and write them to OUT with the prediction column(s) appended. The model\n"
           "finds its feature columns in FILE by name (any order, other columns ignored).\n\n"
           "  -o, --output OUT      the rows with the prediction column(s) (required)\n"
           "  --column NAME         name of the prediction column; default \"cluster\" for\n"
           "                        k-means, \"prediction\" otherwise (classifiers also add\n"
           "                        NAME_proba, the probability of the predicted class)\n"
           "  --mutate NAME=EXPR    add or replace column NAME of FILE before predicting;\n"
           "                        repeatable, in order; expressions as in crm clean. The\n"
           "                        steps recorded in the model (the fit's --mutate and\n"
           "                        --log) are applied automatically after these: do not\n"
           "                        repeat them here\n"
           "  --json                print one JSON object describing the run\n"
           "  -h, --help            show this help\n\n"
           "CSV flags (for FILE and OUT):\n%s",
           pr_usage, cli_csvflags_help);
}

/* The model kind's name (crm_model_kind_name), "unknown" for a kind it does not name. */
static const char *kind_name(int32_t kind)
{
    const char *name = crm_model_kind_name(kind);
    return name ? name : "unknown";
}

/* The positional arguments: MODEL.json, then FILE. */
typedef struct pr_files {
    const char *model, *data;
} pr_files;

static int pr_positional(const cli_args *a, const char *arg, void *dest)
{
    pr_files *p = dest;
    if (p->model) return cli_one_file(a, arg, &p->data) ? -1 : 0;
    if (!arg[0]) {
        cli_usage(a, "MODEL.json must not be empty");
        return -1;
    }
    p->model = arg;
    return 0;
}

/* --column NAME: not empty. */
static int column_option(cli_args *a, const cli_opt *o, void *dest)
{
    const char **col = dest;
    if (cli_value(a, o, col)) return -1;
    if (!(*col)[0]) {
        cli_usage(a, "--column must not be empty");
        return -1;
    }
    return 0;
}

int cli_cmd_predict(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "predict", pr_usage);
    cli_csvflags f;
    cli_mutate_list mutates;
    int rc = cli_csv_mutate_init(&f, &mutates, argc);
    if (rc) return rc;
    const char *model_path = NULL, *path = NULL, *out = NULL, *col = NULL;
    pr_files files = {NULL, NULL};
    int32_t json = 0;
    crm_model *m = NULL;
    crm_dataset *ds = NULL;
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"column", 0, CLI_CALL(column_option, &col)},
        {"mutate", 0, CLI_CALL(cli_mutate_option, &mutates)},
        {"json", 0, CLI_FLAG(&json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .positional = pr_positional,
                           .positional_dest = &files,
                           .help = pr_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    model_path = files.model;
    path = files.data;
    if (f.sql) { /* the rows come from --sql --query instead of FILE */
        if (path) {
            rc = cli_usage(&a, "give FILE or --sql URI, not both");
            goto done;
        }
        path = f.sql;
    }
    if (!model_path || !path) {
        rc = cli_usage(&a, "missing %s", model_path ? "FILE" : "MODEL.json and FILE");
        goto done;
    }
    if (!out) {
        rc = cli_usage(&a, "-o OUT is required");
        goto done;
    }
    if (crm_model_load(model_path, &m) != CRM_OK) {
        rc = cli_lib_error(model_path);
        goto done;
    }
    int32_t kind = crm_model_kind(m);
    if (!col) col = kind == CRM_MODEL_KMEANS ? "cluster" : "prediction";
    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    for (size_t i = 0; i < mutates.n; i++) {
        crm_status st = cli_mutate(ds, mutates.v[i]);
        if (st == CRM_E_NOMEM) {
            cli_error("out of memory");
            rc = CLI_EXIT_INPUT;
            goto done;
        }
        if (st != CRM_OK) {
            rc = cli_lib_error("--mutate");
            goto done;
        }
    }
    if (crm_model_predict(m, ds, col) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if ((rc = cli_write_table(ds, out, &f.opts, &f))) goto done;
    if (json) {
        fputs("{\"model\": ", stdout);
        cli_json_string(stdout, model_path);
        fputs(", \"kind\": ", stdout);
        cli_json_string(stdout, kind_name(kind));
        fputs(", \"file\": ", stdout);
        cli_json_string(stdout, path);
        printf(", \"rows\": %zu, \"column\": ", crm_dataset_nrows(ds));
        cli_json_string(stdout, col);
        fputs(", \"output\": ", stdout);
        cli_json_string(stdout, out);
        fputs("}\n", stdout);
    } else {
        printf("%s model %s applied to %zu rows of %s: column \"%s\" written to %s\n",
               kind_name(kind), model_path, crm_dataset_nrows(ds), path, col, out);
    }
done:
    cli_mutate_list_free(&mutates);
    crm_dataset_free(ds);
    crm_model_free(m);
    cli_csvflags_free(&f);
    return rc;
}
