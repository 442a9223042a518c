/* crm tree FILE --target COL --features A,B.. [--max-depth D] [--min-samples-leaf N]
 *          [--criterion gini|entropy|mse] [--ccp-alpha A] [--rules] [--flat-rules] [--dot FILE]
 *          [--test FILE] [-o OUT] [--model M.json] [--mutate NAME=EXPR].. [--json]
 *          [more tree options] [csv flags]:
 * a CART decision tree (crm_tree_fit) with its statistics, feature importances and rules, and
 * with --test its held-out metrics. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "heldout.h"
#include "json_out.h"
#include "lists.h"
#include "mutate.h"
#include "options.h"
#include "output.h"
#include "progress.h"

#include "crm/dataset.h"
#include "crm/model.h"
#include "crm/tree.h"

#include <stdio.h>

static const char tr_usage[] =
    "crm tree FILE --target COL --features A,B.. [--max-depth D] [--min-samples-leaf N] "
    "[--criterion gini|entropy|mse] [--ccp-alpha A] [--rules] [--flat-rules] [--dot FILE] "
    "[--test FILE] [-o OUT] "
    "[--model M.json] [--mutate NAME=EXPR].. [--json]";

static void tr_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Fit a CART decision tree predicting --target from the --features columns of\n"
           "FILE (number and text columns; text columns are split into category subsets,\n"
           "missing values are routed to the side learned at each split; see crm/tree.h),\n"
           "and print its size, training accuracy and feature importances.\n\n"
           "Options:\n"
           "  --target COL          column to predict (text or 0/1: classification;\n"
           "                        other numbers: regression) (required)\n"
           "  --features A,B..      feature columns (required)\n"
           "  --task T              classification or regression (default: from the target)\n"
           "  --criterion C         gini, entropy (classification) or mse (regression)\n"
           "  --max-depth D         deepest level, root = 0 (default: unlimited)\n"
           "  --min-samples-leaf N  rows each leaf keeps at least (default 1)\n"
           "  --min-samples-split N rows a node needs to be split (default 2)\n"
           "  --min-impurity-decrease X  smallest weighted impurity decrease of a split\n"
           "  --max-leaf-nodes N    grow best first up to N leaves (default: depth first)\n"
           "  --ccp-alpha A         minimal cost-complexity pruning parameter (default 0)\n"
           "  --class-weight W      none or balanced (default none)\n"
           "  --positive VALUE      class whose share the rules show as p(VALUE)\n"
           "  --weight COL          number column of row weights (default: all 1)\n"
           "  --max-bins N          histogram mode with N bins (2..255; default: exact)\n"
           "  --seed S              seed of the feature order (tie-breaks; default 0)\n"
           "  --mutate NAME=EXPR    add or replace column NAME before fitting (expressions\n"
           "                        as in crm clean); repeatable, in order; recorded in\n"
           "                        the model, so -o and crm predict apply it to raw rows\n"
           "                        by themselves\n"
           "  --rules               print the tree as indented if/then rules\n"
           "  --flat-rules          print one IF ... AND ... THEN line per leaf\n"
           "  --dot FILE            write the tree in Graphviz dot language\n"
           "  --path                print the cost-complexity pruning path instead\n"
           "  --test FILE           held-out rows (same columns, same CSV flags): print\n"
           "                        their accuracy, AUC, log loss, precision, recall and F1\n"
           "                        (two classes) or RMSE, MAE and R^2 (regression)\n"
           "  -o, --output FILE     write the input rows with \"prediction\" (and for\n"
           "                        classification \"prediction_proba\") as CSV\n"
           "  --model FILE          save the fitted model as JSON (crm/model.h)\n"
           "  --json                print one JSON object instead of the summary\n"
           "  -h, --help            show this help\n\n"
           "CSV flags:\n%s",
           tr_usage, cli_csvflags_help);
}

static int print_path(const crm_dataset *ds, const char *target, char **feat, size_t nf,
                      const crm_tree_options *to, int json)
{
    crm_dataset *p = NULL;
    if (crm_tree_pruning_path(ds, target, (const char *const *)feat, nf, to, &p) != CRM_OK)
        return cli_lib_error(NULL);
    size_t n = crm_dataset_nrows(p);
    if (json) {
        fputs("{\"path\": ", stdout);
        cli_table_json(p);
        fputs("}\n", stdout);
    } else {
        printf("%24s %24s\n", "ccp_alpha", "impurity");
        for (size_t i = 0; i < n; i++) {
            double a = 0, im = 0;
            crm_dataset_get_number(p, 0, i, 1, &a);
            crm_dataset_get_number(p, 1, i, 1, &im);
            printf("%24.17g %24.17g\n", a, im);
        }
    }
    crm_dataset_free(p);
    return 0;
}

/* What crm tree reports besides the model: the command line, parsed. */
typedef struct tr_report {
    const char *path, *target, *out, *model_path, *dot_path, *test_path;
    char **feat;
    size_t nf;
    int32_t json, rules, flat;
} tr_report;

/* The fitted tree and its exports. */
typedef struct tr_fit {
    crm_model *m;
    crm_dataset *imp, *sum, *test; /* test: the --test metrics (NULL without) */
    char *text, *dot, *flat_text;
} tr_fit;

static void tr_fit_free(tr_fit *t)
{
    crm_free(t->text);
    crm_free(t->flat_text);
    crm_free(t->dot);
    crm_model_free(t->m);
    crm_dataset_free(t->sum);
    crm_dataset_free(t->imp);
    crm_dataset_free(t->test);
}

/* Fit the tree (with the progress on a terminal) and export what r asks for;
 * with -o the predictions are added to ds. Returns 0, or the exit status after
 * a message. */
static int fit_tree(crm_dataset *ds, const tr_report *r, crm_tree_options *to, tr_fit *t)
{
    cli_progress pr;
    if (cli_progress_init(&pr, "tree", !r->json)) {
        to->progress = cli_progress_show;
        to->user = &pr;
    }
    crm_status fst = crm_tree_fit(ds, r->target, (const char *const *)r->feat, r->nf, to, &t->m);
    cli_progress_clear(&pr);
    if (fst != CRM_OK) return cli_lib_error(r->path);
    if (crm_model_summary(t->m, &t->sum) != CRM_OK ||
        crm_tree_feature_importances(t->m, &t->imp) != CRM_OK ||
        crm_tree_export_text(t->m, &t->text) != CRM_OK ||
        (r->flat && crm_tree_export_rules(t->m, &t->flat_text) != CRM_OK))
        return cli_lib_error(NULL);
    if (r->dot_path && crm_tree_export_dot(t->m, &t->dot) != CRM_OK) return cli_lib_error(NULL);
    if (r->out && crm_model_predict(t->m, ds, "prediction") != CRM_OK) return cli_lib_error(r->out);
    return 0;
}

static void print_tree_json(const crm_dataset *ds, const tr_report *r, const tr_fit *t)
{
    cli_json_model_start(r->path, crm_dataset_nrows(ds), r->target, r->feat, r->nf, t->m);
    fputs(", \"importances\": ", stdout);
    cli_table_json(t->imp);
    fputs(", \"summary\": ", stdout);
    cli_table_json(t->sum);
    if (r->rules) {
        fputs(", \"rules\": ", stdout);
        cli_json_string(stdout, t->text);
    }
    if (r->flat) {
        fputs(", \"flat_rules\": ", stdout);
        cli_json_string(stdout, t->flat_text);
    }
    if (t->test) {
        fputs(", \"test\": ", stdout);
        cli_table_json(t->test);
    }
    cli_json_files_end(r->out, r->model_path);
}

static void print_tree_text(const crm_dataset *ds, const tr_report *r, const tr_fit *t)
{
    double regression = 0, depth = 0, leaves = 0, score = 0;
    crm_model_stat(t->m, "regression", &regression);
    crm_model_stat(t->m, "depth", &depth);
    crm_model_stat(t->m, "leaves", &leaves);
    crm_model_stat(t->m, "train_accuracy", &score);
    printf("file:        %s\nrows:        %zu\ntarget:      %s (%s)\nfeatures:    ", r->path,
           crm_dataset_nrows(ds), r->target, regression != 0 ? "regression" : "classification");
    for (size_t j = 0; j < r->nf; j++)
        printf("%s%s", j ? ", " : "", r->feat[j]);
    printf("\ndepth:       %d\nleaves:      %d\n", (int)depth, (int)leaves);
    printf("%s %.4f\n", regression != 0 ? "training R^2:" : "training accuracy:", score);
    if (r->out) printf("output:      %s\n", r->out);
    if (r->model_path) printf("model:       %s\n", r->model_path);
    if (r->dot_path) printf("dot:         %s\n", r->dot_path);
    printf("\n%-24s %10s\n", "feature", "importance");
    for (size_t j = 0; j < r->nf; j++) {
        const char *name = NULL;
        double iv2 = 0;
        crm_dataset_get_text(t->imp, 0, j, &name);
        crm_dataset_get_number(t->imp, 1, j, 1, &iv2);
        printf("%-24s %10.4f\n", name, iv2);
    }
    if (t->test) cli_heldout_print(r->test_path, t->test, regression != 0);
    if (r->rules) printf("\n%s", t->text);
    if (r->flat) printf("\n%s", t->flat_text);
}

int cli_cmd_tree(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "tree", tr_usage);
    crm_tree_options to;
    if (crm_tree_options_init(&to, sizeof to) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    cli_mutate_list mutates;
    int rc = cli_csv_mutate_init(&f, &mutates, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *model_path = NULL, *dot_path = NULL, *target = NULL,
               *featarg = NULL, *test_path = NULL;
    int32_t json = 0, rules = 0, flat = 0, want_path = 0;
    char **feat = NULL;
    size_t nf = 0;
    crm_dataset *ds = NULL;
    tr_fit t = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    static const cli_choice criteria[] = {
        {"gini", CRM_TREE_GINI}, {"entropy", CRM_TREE_ENTROPY}, {"mse", CRM_TREE_MSE}, {NULL, 0}};
    static const cli_choice tasks[] = {{"classification", CRM_TREE_CLASSIFICATION},
                                       {"regression", CRM_TREE_REGRESSION},
                                       {NULL, 0}};
    static const cli_choice weights[] = {
        {"none", CRM_TREE_WEIGHT_NONE}, {"balanced", CRM_TREE_WEIGHT_BALANCED}, {NULL, 0}};
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"model", 0, CLI_FILE(&model_path)},
        {"dot", 0, CLI_FILE(&dot_path)},
        {"test", 0, CLI_FILE(&test_path)},
        {"target", 0, CLI_STRING(&target)},
        {"features", 0, CLI_STRING(&featarg)},
        {"weight", 0, CLI_STRING(&to.sample_weight)},
        {"positive", 0, CLI_STRING(&to.positive)},
        {"max-depth", 0, CLI_INT32(&to.max_depth), .min = 0, .max = 100000},
        {"min-samples-leaf", 0, CLI_INT(&to.min_samples_leaf)},
        {"min-samples-split", 0, CLI_INT(&to.min_samples_split)},
        {"max-leaf-nodes", 0, CLI_INT(&to.max_leaf_nodes)},
        {"max-bins", 0, CLI_INT32(&to.max_bins), .min = 0, .max = 255},
        {"min-impurity-decrease", 0, CLI_NUMBER(&to.min_impurity_decrease)},
        {"ccp-alpha", 0, CLI_NUMBER(&to.ccp_alpha)},
        {"seed", 0, CLI_UINT64(&to.seed)},
        {"criterion", 0, CLI_CHOICE(&to.criterion, criteria)},
        {"task", 0, CLI_CHOICE(&to.task, tasks)},
        {"class-weight", 0, CLI_CHOICE(&to.class_weight, weights)},
        {"rules", 0, CLI_FLAG(&rules)},
        {"flat-rules", 0, CLI_FLAG(&flat)},
        {"path", 0, CLI_FLAG(&want_path)},
        {"mutate", 0, CLI_CALL(cli_mutate_option, &mutates)},
        {"json", 0, CLI_FLAG(&json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = tr_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    to.mutate = mutates.v;
    to.n_mutate = mutates.n;
    if ((rc = cli_target_features(&a, target, featarg, &feat, &nf))) goto done;
    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (want_path) {
        rc = print_path(ds, target, feat, nf, &to, json);
        goto done;
    }
    const tr_report r = {path, target, out,  model_path, dot_path, test_path,
                         feat, nf,     json, rules,      flat};
    if ((rc = fit_tree(ds, &r, &to, &t))) goto done;
    if (test_path &&
        (rc = cli_heldout_metrics(test_path, &f, t.m, target, to.positive, &t.test)))
        goto done;
    /* everything is computed: the files last, so that a failure writes none */
    if (dot_path && (rc = cli_write_text(dot_path, t.dot))) goto done;
    if (out && (rc = cli_write_table(ds, out, &f.opts, &f))) goto done;
    if (model_path && (rc = cli_save_model(t.m, model_path))) goto done;
    if (json)
        print_tree_json(ds, &r, &t);
    else
        print_tree_text(ds, &r, &t);
    rc = cli_flush_stdout();
done:
    tr_fit_free(&t);
    crm_dataset_free(ds);
    cli_free_list(feat, nf);
    cli_mutate_list_free(&mutates);
    cli_csvflags_free(&f);
    return rc;
}
