/* crm predict MODEL.json FILE -o OUT [--column NAME] [--mutate NAME=EXPR]... [--json]
 *             [csv flags]:
 * apply a saved model (any kind) to the rows of a CSV file and write them with the
 * prediction column(s) appended. */
#include "csvflags.h"

#include <stdlib.h>
#include <string.h>

static const char pr_usage[] =
    "crm predict MODEL.json FILE -o OUT [--column NAME] [--mutate NAME=EXPR]... [--json] "
    "[csv flags]";

static void pr_help(void)
{
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

int cli_cmd_predict(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "predict", pr_usage);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *model_path = NULL, *path = NULL, *out = NULL, *col = NULL;
    const char **mutates = calloc((size_t)(argc > 0 ? argc : 1), sizeof *mutates);
    size_t nmut = 0;
    int json = 0;
    crm_model *m = NULL;
    crm_dataset *ds = NULL;
    if (!mutates) {
        cli_error("out of memory");
        cli_csvflags_free(&f);
        return CLI_EXIT_INPUT;
    }
    cli_opt o;
    const char *pos = NULL;
    int k;
    while ((k = cli_next(&a, &o, &pos)) != CLI_END) {
        if (k == CLI_POSITIONAL) {
            if (!model_path) {
                if (!pos[0]) {
                    rc = cli_usage(&a, "MODEL.json must not be empty");
                    goto done;
                }
                model_path = pos;
            } else if ((rc = cli_one_file(&a, pos, &path))) {
                goto done;
            }
            continue;
        }
        int r = cli_csvflags_try(&f, &a, &o);
        if (r > 0) continue;
        if (r == 0) {
            if (cli_is(&o, "help", 'h')) {
                pr_help();
                goto done;
            } else if (cli_is(&o, "output", 'o')) {
                r = cli_file_value(&a, &o, &out);
            } else if (cli_is(&o, "column", 0)) {
                r = cli_value(&a, &o, &col);
                if (!r && !col[0]) {
                    cli_usage(&a, "--column must not be empty");
                    r = -1;
                }
            } else if (cli_is(&o, "mutate", 0)) {
                const char *v = NULL;
                r = cli_value(&a, &o, &v);
                if (!r && cli_check_mutate(&a, v))
                    r = -1;
                else if (!r)
                    mutates[nmut++] = v;
            } else if (cli_is(&o, "json", 0)) {
                r = cli_flag(&a, &o);
                json = 1;
            } else {
                rc = cli_unknown(&a, &o);
                goto done;
            }
        }
        if (r < 0) {
            rc = CLI_EXIT_USAGE;
            goto done;
        }
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
    if (crm_dataset_read_csv(path, &f.opts, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    for (size_t i = 0; i < nmut; i++) {
        crm_status st = cli_mutate(ds, mutates[i]);
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
    if (crm_dataset_write_csv(ds, out, &f.opts) != CRM_OK) {
        rc = cli_lib_error(out);
        goto done;
    }
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
    free(mutates);
    crm_dataset_free(ds);
    crm_model_free(m);
    cli_csvflags_free(&f);
    return rc;
}
