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
           "  --mutate NAME=EXPR    add or replace column NAME before predicting, for\n"
           "                        features that were transformed before the fit (k-means\n"
           "                        with --log x: --mutate \"x=log(1 + x)\"); repeatable, in\n"
           "                        order; expressions as in crm clean\n"
           "  --json                print one JSON object describing the run\n"
           "  -h, --help            show this help\n\n"
           "CSV flags (for FILE and OUT):\n%s",
           pr_usage, cli_csvflags_help);
}

static const char *kind_name(int32_t kind)
{
    switch (kind) {
    case CRM_MODEL_KMEANS:
        return "kmeans";
    case CRM_MODEL_TREE:
        return "tree";
    case CRM_MODEL_LOGREG:
        return "logreg";
    case CRM_MODEL_LINREG:
        return "linreg";
    case CRM_MODEL_ARIMA:
        return "arima";
    default:
        return "unknown";
    }
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

/* The --mutate arguments, in order (v has room for one per argument). */
typedef struct pr_mutates {
    const char **v;
    size_t n;
} pr_mutates;

static int mutate_option(cli_args *a, const cli_opt *o, void *dest)
{
    pr_mutates *mu = dest;
    const char *v = NULL;
    if (cli_value(a, o, &v) || cli_check_mutate(a, v)) return -1;
    mu->v[mu->n++] = v;
    return 0;
}

int cli_cmd_predict(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "predict", pr_usage);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *model_path = NULL, *path = NULL, *out = NULL, *col = NULL;
    pr_files files = {NULL, NULL};
    pr_mutates mutates = {calloc((size_t)(argc > 0 ? argc : 1), sizeof *mutates.v), 0};
    int32_t json = 0;
    crm_model *m = NULL;
    crm_dataset *ds = NULL;
    if (!mutates.v) {
        cli_error("out of memory");
        cli_csvflags_free(&f);
        return CLI_EXIT_INPUT;
    }
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"column", 0, CLI_CALL(column_option, &col)},
        {"mutate", 0, CLI_CALL(mutate_option, &mutates)},
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
    if (crm_dataset_read_csv(path, &f.opts, &ds) != CRM_OK) {
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
    if ((rc = cli_write_csv(ds, out, &f.opts))) goto done;
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
    free(mutates.v);
    crm_dataset_free(ds);
    crm_model_free(m);
    cli_csvflags_free(&f);
    return rc;
}
