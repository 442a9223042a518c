/* crm forest FILE --target COL --features A,B.. [--trees N] [--mtry M] [--max-depth D]
 *            [--min-samples-leaf N] [--sample-fraction F] [--no-bootstrap] [--class-weight W]
 *            [--histogram] [--threads T] [--seed S] [--importance permutation] [--test FILE]
 *            [-o OUT] [--model M.json] [--json] [csv flags]:
 * a random forest (crm_forest_fit) with its out-of-bag error and feature importances, and
 * with --test its held-out metrics. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "heldout.h"
#include "json_out.h"
#include "lists.h"
#include "options.h"
#include "output.h"
#include "progress.h"

#include "crm/dataset.h"
#include "crm/model.h"
#include "crm/tree.h"

#include <math.h>
#include <stdio.h>

static const char fr_usage[] =
    "crm forest FILE --target COL --features A,B.. [--trees N] [--mtry M] [--max-depth D] "
    "[--min-samples-leaf N] [--sample-fraction F] [--no-bootstrap] [--class-weight W] "
    "[--histogram] [--threads T] [--seed S] [--importance permutation] [--test FILE] [-o OUT] "
    "[--model M.json] [--json]";

static void fr_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Fit a random forest predicting --target from the --features columns of FILE:\n"
           "CART trees (as crm tree: text columns split natively, missing values routed)\n"
           "each grown on a bootstrap sample of the rows, drawing --mtry features per\n"
           "node; print its out-of-bag error and feature importances (see crm/tree.h).\n\n"
           "Options:\n"
           "  --target COL          column to predict (text or 0/1: classification;\n"
           "                        other numbers: regression) (required)\n"
           "  --features A,B..      feature columns (required)\n"
           "  --trees N             number of trees (default 100)\n"
           "  --mtry M              features drawn per node (default: sqrt of the\n"
           "                        features for classification, a third for regression)\n"
           "  --mtry-rule R         nonconstant (default; scikit-learn: draw on while every\n"
           "                        feature drawn is constant in the node) or exact (ranger)\n"
           "  --task T              classification or regression (default: from the target)\n"
           "  --criterion C         gini, entropy (classification) or mse (regression)\n"
           "  --max-depth D         deepest level, root = 0 (default: unlimited)\n"
           "  --min-samples-leaf N  rows each leaf keeps at least (default 1)\n"
           "  --min-samples-split N rows a node needs to be split (default 2)\n"
           "  --sample-fraction F   rows drawn per tree, as a share of the rows (default 1)\n"
           "  --no-bootstrap        draw without replacement (with the default fraction 1,\n"
           "                        every tree sees every row)\n"
           "  --class-weight W      none or balanced (default none)\n"
           "  --positive VALUE      class whose share the trees' rules show\n"
           "  --histogram           histogram mode (255 bins; faster, approximate)\n"
           "  --max-bins N          histogram mode with N bins (2..255; default: exact)\n"
           "  --threads T           worker threads (default: all cores; the forest is the\n"
           "                        same for any count)\n"
           "  --seed S              seed of the samples and the trees (default 0)\n"
           "  --importance permutation  also the out-of-bag permutation importance\n"
           "  --test FILE           held-out rows (same columns, same CSV flags): print\n"
           "                        their accuracy, AUC, log loss, precision, recall and F1\n"
           "                        (two classes) or RMSE, MAE and R^2 (regression)\n"
           "  -o, --output FILE     write the input rows with \"prediction\" (and for\n"
           "                        classification \"prediction_proba\") as CSV\n"
           "  --model FILE          save the fitted model as JSON (crm/model.h)\n"
           "  --json                print one JSON object instead of the summary\n"
           "  -h, --help            show this help\n\n"
           "CSV flags:\n%s",
           fr_usage, cli_csvflags_help);
}

/* What crm forest reports besides the model: the command line, parsed. */
typedef struct fr_report {
    const char *path, *target, *out, *model_path, *test_path;
    char **feat;
    size_t nf;
    int32_t json;
} fr_report;

/* Fit the forest (with the progress on a terminal); with -o the predictions are added to ds.
 * Returns 0, or the exit status after a message. */
static int fit_forest(crm_dataset *ds, const fr_report *r, crm_forest_options *fo,
                      crm_model **m, crm_dataset **imp)
{
    cli_progress pr;
    if (cli_progress_init(&pr, "forest", !r->json)) {
        fo->progress = cli_progress_show;
        fo->user = &pr;
    }
    crm_status fst = crm_forest_fit(ds, r->target, (const char *const *)r->feat, r->nf, fo, m);
    cli_progress_clear(&pr);
    if (fst != CRM_OK) return cli_lib_error(r->path);
    if (crm_forest_feature_importances(*m, imp) != CRM_OK) return cli_lib_error(NULL);
    if (r->out && crm_model_predict(*m, ds, "prediction") != CRM_OK) return cli_lib_error(r->out);
    return 0;
}

static void print_forest_text(const crm_dataset *ds, const fr_report *r, const crm_model *m,
                              const crm_dataset *imp, const crm_dataset *test, int perm)
{
    double regression = 0, trees = 0, mtry = 0, oob = 0, score = 0, rows = 0, leaves = 0,
           depth = 0;
    crm_model_stat(m, "regression", &regression);
    crm_model_stat(m, "n_trees", &trees);
    crm_model_stat(m, "mtry", &mtry);
    crm_model_stat(m, "oob_error", &oob);
    crm_model_stat(m, "oob_score", &score);
    crm_model_stat(m, "oob_rows", &rows);
    crm_model_stat(m, "mean_leaves", &leaves);
    crm_model_stat(m, "mean_depth", &depth);
    printf("file:        %s\nrows:        %zu\ntarget:      %s (%s)\nfeatures:    ", r->path,
           crm_dataset_nrows(ds), r->target, regression != 0 ? "regression" : "classification");
    for (size_t j = 0; j < r->nf; j++)
        printf("%s%s", j ? ", " : "", r->feat[j]);
    printf("\ntrees:       %d (mtry %d, mean depth %.1f, mean leaves %.1f)\n", (int)trees,
           (int)mtry, depth, leaves);
    if (isnan(oob))
        printf("oob error:   - (no row is out of bag)\n");
    else if (regression != 0)
        printf("oob error:   %.6g (mean squared error; OOB R^2 %.4f, %.0f rows)\n", oob, score,
               rows);
    else
        printf("oob error:   %.4f (OOB accuracy %.4f, %.0f rows)\n", oob, score, rows);
    if (r->out) printf("output:      %s\n", r->out);
    if (r->model_path) printf("model:       %s\n", r->model_path);
    printf("\n%-24s %10s%s\n", "feature", "importance", perm ? "  permutation" : "");
    for (size_t j = 0; j < r->nf; j++) {
        const char *name = NULL;
        double iv = 0, pv = 0;
        crm_dataset_get_text(imp, 0, j, &name);
        crm_dataset_get_number(imp, 1, j, 1, &iv);
        crm_dataset_get_number(imp, 2, j, 1, &pv);
        printf("%-24s %10.4f", name, iv);
        if (perm) printf("  %11.4f", pv);
        printf("\n");
    }
    if (test) cli_heldout_print(r->test_path, test, regression != 0);
}

int cli_cmd_forest(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "forest", fr_usage);
    crm_forest_options fo;
    if (crm_forest_options_init(&fo, sizeof fo) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *model_path = NULL, *target = NULL, *featarg = NULL,
               *test_path = NULL;
    int32_t json = 0, histogram = 0;
    char **feat = NULL;
    size_t nf = 0;
    crm_dataset *ds = NULL, *imp = NULL, *test = NULL;
    crm_model *m = NULL;
    static const cli_choice criteria[] = {
        {"gini", CRM_TREE_GINI}, {"entropy", CRM_TREE_ENTROPY}, {"mse", CRM_TREE_MSE}, {NULL, 0}};
    static const cli_choice tasks[] = {{"classification", CRM_TREE_CLASSIFICATION},
                                       {"regression", CRM_TREE_REGRESSION},
                                       {NULL, 0}};
    static const cli_choice weights[] = {
        {"none", CRM_TREE_WEIGHT_NONE}, {"balanced", CRM_TREE_WEIGHT_BALANCED}, {NULL, 0}};
    static const cli_choice rules[] = {{"nonconstant", CRM_FOREST_MTRY_NONCONSTANT},
                                       {"exact", CRM_FOREST_MTRY_EXACT},
                                       {NULL, 0}};
    static const cli_choice importances[] = {{"impurity", CRM_FOREST_IMPORTANCE_IMPURITY},
                                             {"permutation", CRM_FOREST_IMPORTANCE_PERMUTATION},
                                             {NULL, 0}};
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"model", 0, CLI_FILE(&model_path)},
        {"test", 0, CLI_FILE(&test_path)},
        {"target", 0, CLI_STRING(&target)},
        {"features", 0, CLI_STRING(&featarg)},
        {"positive", 0, CLI_STRING(&fo.positive)},
        {"trees", 0, CLI_INT32(&fo.n_trees), .min = 1, .max = 100000},
        {"mtry", 0, CLI_INT32(&fo.mtry), .min = 1, .max = 1000000},
        {"max-depth", 0, CLI_INT32(&fo.max_depth), .min = 0, .max = 100000},
        {"min-samples-leaf", 0, CLI_INT(&fo.min_samples_leaf)},
        {"min-samples-split", 0, CLI_INT(&fo.min_samples_split)},
        {"sample-fraction", 0, CLI_NUMBER(&fo.sample_fraction)},
        {"no-bootstrap", 0, CLI_OFF(&fo.replace)},
        {"max-bins", 0, CLI_INT32(&fo.max_bins), .min = 0, .max = 255},
        {"histogram", 0, CLI_FLAG(&histogram)},
        {"threads", 0, CLI_INT32(&fo.n_threads), .min = 0, .max = 4096},
        {"seed", 0, CLI_UINT64(&fo.seed)},
        {"criterion", 0, CLI_CHOICE(&fo.criterion, criteria)},
        {"task", 0, CLI_CHOICE(&fo.task, tasks)},
        {"class-weight", 0, CLI_CHOICE(&fo.class_weight, weights)},
        {"importance", 0, CLI_CHOICE(&fo.importance, importances)},
        {"mtry-rule", 0, CLI_CHOICE(&fo.mtry_rule, rules)},
        {"json", 0, CLI_FLAG(&json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = fr_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if (histogram && fo.max_bins == 0) fo.max_bins = 255;
    if ((rc = cli_target_features(&a, target, featarg, &feat, &nf))) goto done;
    if (crm_dataset_read_csv(path, &f.opts, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    const fr_report r = {path, target, out, model_path, test_path, feat, nf, json};
    if ((rc = fit_forest(ds, &r, &fo, &m, &imp))) goto done;
    if (test_path && (rc = cli_heldout_metrics(test_path, &f, m, target, fo.positive, &test)))
        goto done;
    /* everything is computed: the files last, so that a failure writes none */
    if (out && (rc = cli_write_csv(ds, out, &f.opts))) goto done;
    if (model_path && (rc = cli_save_model(m, model_path))) goto done;
    if (json) {
        cli_json_model_start(path, crm_dataset_nrows(ds), target, feat, nf, m);
        fputs(", \"importances\": ", stdout);
        cli_table_json(imp);
        if (test) {
            fputs(", \"test\": ", stdout);
            cli_table_json(test);
        }
        cli_json_files_end(out, model_path);
    } else {
        print_forest_text(ds, &r, m, imp, test,
                          fo.importance == CRM_FOREST_IMPORTANCE_PERMUTATION);
    }
    rc = cli_flush_stdout();
done:
    crm_model_free(m);
    crm_dataset_free(imp);
    crm_dataset_free(test);
    crm_dataset_free(ds);
    cli_free_list(feat, nf);
    cli_csvflags_free(&f);
    return rc;
}
