/* crm logreg FILE --target COL --features A,B.. [--positive VALUE] [--l2 LAMBDA] ...
 * crm linreg FILE --target COL --features A,B.. [--l2 LAMBDA] ...
 * Logistic and linear regression with the coefficient table (estimates,
 * standard errors, z/t, p-values, odds ratios, 95% intervals). Both commands
 * share this file; cli/linreg.c holds the linreg entry point. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "lists.h"
#include "mutate.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "values.h"

#include "crm/dataset.h"
#include "crm/linear.h"
#include "crm/metrics.h"
#include "crm/model.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char lr_usage[] =
    "crm logreg FILE --target COL --features A,B.. [--positive VALUE] [--l2 LAMBDA] "
    "[--standardize] [--class-weight balanced] [--weight COL] [--missing error|drop] "
    "[--max-iter N] [--tol T] [--no-intercept] [--mutate NAME=EXPR].. [--test FILE] [-o OUT] "
    "[--model M.json] [--json]";
static const char ln_usage[] =
    "crm linreg FILE --target COL --features A,B.. [--l2 LAMBDA] [--weight COL] "
    "[--missing error|drop] [--no-intercept] [--mutate NAME=EXPR].. [--test FILE] [-o OUT] "
    "[--model M.json] [--json]";

static void reg_help(const void *ctx)
{
    int logistic = *(const int *)ctx;
    if (logistic)
        printf("usage: %s\n\n"
               "Fit a binary logistic regression of --target on --features (number columns\n"
               "as they are, text columns one-hot encoded against their first level) by\n"
               "Newton/IRLS, and print the coefficient table: estimate, standard error, z,\n"
               "p-value, odds ratio and its 95%% interval (see crm/linear.h).\n\n"
               "Options:\n"
               "  --target COL          0/1 number column, or text column with two classes\n"
               "  --features A,B..      feature columns (required)\n"
               "  --positive VALUE      positive class of a text target (default: the second\n"
               "                        of the two in byte order)\n"
               "  --l2 LAMBDA           L2 penalty (scikit-learn's C = 1/LAMBDA; default 0:\n"
               "                        unpenalised, with inference)\n"
               "  --standardize         fit on z-scores (matters only with --l2)\n"
               "  --class-weight balanced  weight classes by n / (2 n_class)\n"
               "  --weight COL          number column of row weights\n"
               "  --missing MODE        error (default) or drop rows with missing values\n"
               "  --max-iter N          iterations (default 100)\n"
               "  --tol T               convergence tolerance (default 1e-8)\n"
               "  --no-intercept        fit without the intercept term\n"
               "  --mutate NAME=EXPR    add or replace column NAME before fitting (expressions\n"
               "                        as in crm clean); repeatable, in order; recorded in\n"
               "                        the model, so --test, -o and crm predict apply it to\n"
               "                        raw rows by themselves\n"
               "  --test FILE           held-out rows (same columns): print their AUC, log\n"
               "                        loss, accuracy, precision, recall and F1\n"
               "  -o, --output FILE     write the input rows with \"prediction\" and\n"
               "                        \"prediction_proba\" columns as CSV\n"
               "  --model FILE          save the fitted model as JSON (crm/model.h)\n"
               "  --json                print one JSON object (\"stats\", \"summary\")\n"
               "  -h, --help            show this help\n\n"
               "CSV flags:\n%s",
               lr_usage, cli_csvflags_help);
    else
        printf("usage: %s\n\n"
               "Fit a linear least-squares regression (QR) of the number column --target on\n"
               "--features (text columns one-hot encoded against their first level) and\n"
               "print the coefficient table: estimate, standard error, t, p-value and 95%%\n"
               "interval, with R^2, adjusted R^2, F and the residual standard error.\n\n"
               "Options:\n"
               "  --target COL          number column to predict\n"
               "  --features A,B..      feature columns (required)\n"
               "  --l2 LAMBDA           ridge penalty (default 0: least squares)\n"
               "  --weight COL          number column of row weights\n"
               "  --missing MODE        error (default) or drop rows with missing values\n"
               "  --no-intercept        fit without the intercept term\n"
               "  --mutate NAME=EXPR    add or replace column NAME before fitting (expressions\n"
               "                        as in crm clean); repeatable, in order; recorded in\n"
               "                        the model, so --test, -o and crm predict apply it to\n"
               "                        raw rows by themselves\n"
               "  --test FILE           held-out rows (same columns): print their RMSE, MAE,\n"
               "                        MAPE and R^2\n"
               "  -o, --output FILE     write the input rows with a \"prediction\" column\n"
               "  --model FILE          save the fitted model as JSON\n"
               "  --json                print one JSON object (\"stats\", \"summary\")\n"
               "  -h, --help            show this help\n\n"
               "CSV flags:\n%s",
               ln_usage, cli_csvflags_help);
}

/* The command line of crm logreg / linreg, parsed. */
typedef struct reg_args {
    const char *path, *target, *weight, *test_path, *out, *model_path;
    char **feats;
    size_t nfeat;
    double l2;
    int32_t json, drop, intercept;
    int logistic;
    const char *const *mutate; /* the --mutate steps, recorded in the model */
    size_t n_mutate;
} reg_args;

static double col_at(const crm_dataset *s, const char *name, size_t r)
{
    size_t ci;
    double v = NAN;
    if (crm_dataset_column_index(s, name, &ci) == CRM_OK) crm_dataset_get_number(s, ci, r, 1, &v);
    return v;
}

static double st_of(const crm_model *m, const char *name)
{
    double v = NAN;
    crm_model_stat(m, name, &v);
    return v;
}

static void print_human(const reg_args *ra, size_t nrows, size_t nused, const char *positive,
                        const crm_model *m, const crm_dataset *sum)
{
    char b1[48], b2[48], b3[48];
    int logistic = ra->logistic;
    printf("file:        %s\nrows:        %zu", ra->path, nused);
    if (nused != nrows) printf(" (%zu with missing values dropped)", nrows - nused);
    printf("\ntarget:      %s", ra->target);
    if (logistic && positive) printf(" (positive class: %s)", positive);
    printf("\n");
    if (logistic) {
        printf("model:       logistic regression, %d terms, %s after %d iterations\n",
               (int)st_of(m, "n_terms"), st_of(m, "converged") != 0 ? "converged" : "NOT converged",
               (int)st_of(m, "n_iter"));
        cli_format_number(st_of(m, "loglik"), b1, sizeof b1);
        cli_format_number(st_of(m, "loglik_null"), b2, sizeof b2);
        cli_format_number(st_of(m, "mcfadden_r2"), b3, sizeof b3);
        printf("loglik:      %s (null %s), McFadden R^2 %s\n", b1, b2, b3);
        cli_format_number(st_of(m, "aic"), b1, sizeof b1);
        cli_format_number(st_of(m, "bic"), b2, sizeof b2);
        printf("AIC:         %s   BIC: %s", b1, b2);
        if (st_of(m, "l2") > 0) printf("   (L2 penalty %g: no standard errors)", st_of(m, "l2"));
        printf("\n");
    } else {
        printf("model:       linear regression, %d terms\n", (int)st_of(m, "n_terms"));
        cli_format_number(st_of(m, "r2"), b1, sizeof b1);
        cli_format_number(st_of(m, "adj_r2"), b2, sizeof b2);
        printf("R^2:         %s (adjusted %s)\n", b1, b2);
        cli_format_number(st_of(m, "f_stat"), b1, sizeof b1);
        cli_format_number(st_of(m, "f_pvalue"), b2, sizeof b2);
        cli_format_number(st_of(m, "sigma"), b3, sizeof b3);
        printf("F:           %s (p %s), residual standard error %s\n", b1, b2, b3);
    }
    if (ra->out) printf("output:      %s\n", ra->out);
    if (ra->model_path) printf("model file:  %s\n", ra->model_path);
    printf("\n%-40s %12s %11s %9s %10s", "term", "estimate", "std_error", logistic ? "z" : "t",
           "p_value");
    if (logistic)
        printf(" %11s  %s\n", "odds_ratio", "95% interval of the odds ratio");
    else
        printf("  %s\n", "95% interval");
    size_t nr = crm_dataset_nrows(sum);
    for (size_t r = 0; r < nr; r++) {
        const char *term = NULL;
        crm_dataset_get_text(sum, 0, r, &term);
        double est = col_at(sum, "estimate", r), se = col_at(sum, "std_error", r);
        double zt = col_at(sum, logistic ? "z" : "t", r), pv = col_at(sum, "p_value", r);
        printf("%-40.40s %12.6g %11.4g %9.3f %10.3g", term ? term : "", est, se, zt, pv);
        if (logistic)
            printf(" %11.5g  [%.5g, %.5g]\n", col_at(sum, "odds_ratio", r),
                   col_at(sum, "or_ci_low", r), col_at(sum, "or_ci_high", r));
        else
            printf("  [%.6g, %.6g]\n", col_at(sum, "ci_low", r), col_at(sum, "ci_high", r));
    }
}

/* The five terms with the largest |z| (the intercept aside), with odds ratios. */
static void print_factors(const crm_dataset *sum)
{
    size_t nr = crm_dataset_nrows(sum), best[5], nb = 0;
    for (size_t k = 0; k < 5; k++) {
        size_t pick = nr;
        double bz = -1;
        for (size_t r = 0; r < nr; r++) {
            const char *term = NULL;
            crm_dataset_get_text(sum, 0, r, &term);
            if (term && strcmp(term, "intercept") == 0) continue;
            int used = 0;
            for (size_t q = 0; q < nb; q++)
                used |= best[q] == r;
            double z = fabs(col_at(sum, "z", r));
            if (!used && z > bz) {
                bz = z;
                pick = r;
            }
        }
        if (pick == nr) break;
        best[nb++] = pick;
    }
    if (!nb || isnan(col_at(sum, "z", best[0]))) return;
    printf("\nstrongest factors (largest |z|):\n");
    for (size_t k = 0; k < nb; k++) {
        const char *term = NULL;
        crm_dataset_get_text(sum, 0, best[k], &term);
        double orr = col_at(sum, "odds_ratio", best[k]);
        printf("  %-38.38s odds ratio %-9.4g (%s the odds by %.2g%% per unit; p = %.2g)\n",
               term ? term : "", orr, orr >= 1 ? "raises" : "lowers", 100 * fabs(orr - 1),
               col_at(sum, "p_value", best[k]));
    }
}

static void print_test(const char *path, const crm_dataset *tm, int logistic)
{
    printf("\nheld-out rows (%s): %.0f\n", path, col_at(tm, "n", 0));
    if (logistic)
        printf("  AUC %.4f   log loss %.4f   accuracy %.4f   precision %.4f   recall %.4f   "
               "F1 %.4f\n",
               col_at(tm, "auc", 0), col_at(tm, "log_loss", 0), col_at(tm, "accuracy", 0),
               col_at(tm, "precision", 0), col_at(tm, "recall", 0), col_at(tm, "f1", 0));
    else
        printf("  RMSE %.6g   MAE %.6g   MAPE %.4g   R^2 %.4f\n", col_at(tm, "rmse", 0),
               col_at(tm, "mae", 0), col_at(tm, "mape", 0), col_at(tm, "r2", 0));
}

/* The rows without a missing value in any of the columns (for --missing drop). */
static int drop_missing(crm_dataset **ds, char **cols, size_t ncols, const char *target,
                        const char *weight)
{
    size_t len = 64;
    for (size_t j = 0; j < ncols; j++)
        len += strlen(cols[j]) + 40;
    len += strlen(target) + (weight ? strlen(weight) : 0) + 80;
    char *e = malloc(len);
    if (!e) return -1;
    e[0] = '\0';
    size_t k = 0;
    for (size_t j = 0; j < ncols + 2; j++) {
        const char *c = j < ncols ? cols[j] : j == ncols ? target : weight;
        if (!c) continue;
        k += (size_t)snprintf(e + k, len - k, "%s\"%s\" is not missing", k ? " and " : "", c);
    }
    crm_dataset *f = NULL;
    crm_status st = crm_dataset_filter(*ds, e, &f);
    free(e);
    if (st != CRM_OK) return -1;
    crm_dataset_free(*ds);
    *ds = f;
    return 0;
}

/* Fit the model of crm logreg (lo) or crm linreg (no) with the options the
 * two share; logreg's progress shows on a terminal. */
static crm_status fit_model(const crm_dataset *ds, const reg_args *r, crm_logreg_options *lo,
                            crm_linreg_options *no, crm_model **m)
{
    const char *const *feats = (const char *const *)r->feats;
    if (!r->logistic) {
        no->l2 = r->l2;
        no->fit_intercept = r->intercept;
        no->sample_weight = r->weight;
        no->mutate = r->mutate;
        no->n_mutate = r->n_mutate;
        return crm_linreg_fit(ds, r->target, feats, r->nfeat, no, m);
    }
    lo->l2 = r->l2;
    lo->fit_intercept = r->intercept;
    lo->sample_weight = r->weight;
    lo->mutate = r->mutate;
    lo->n_mutate = r->n_mutate;
    cli_progress pr;
    if (cli_progress_init(&pr, "logreg", !r->json)) {
        lo->progress = cli_progress_show;
        lo->user = &pr;
    }
    crm_status st = crm_logreg_fit(ds, r->target, feats, r->nfeat, lo, m);
    cli_progress_clear(&pr);
    lo->progress = NULL;
    lo->user = NULL;
    return st;
}

/* The metrics of the --test rows, predicted by m (*tm: one row). The positive
 * class of a text target without --positive is the model's (crm_model_class).
 * Returns 0, or the exit status after a message. */
static int test_metrics(const reg_args *r, const crm_model *m, const char *positive,
                        const crm_csv_options *csv, crm_dataset **tm)
{
    crm_dataset *test = NULL;
    if (crm_dataset_read_csv(r->test_path, csv, &test) != CRM_OK)
        return cli_lib_error(r->test_path);
    if (r->drop && drop_missing(&test, r->feats, r->nfeat, r->target, r->weight)) {
        int rc = cli_lib_error(r->test_path);
        crm_dataset_free(test);
        return rc;
    }
    crm_metrics_options mo;
    crm_metrics_options_init(&mo, sizeof mo);
    mo.positive = positive;
    crm_status ms = crm_model_predict(m, test, "__crm_pred");
    if (ms == CRM_OK && r->logistic) {
        /* a text target without --positive: the model's positive class, the one
         * whose probability __crm_pred_proba holds */
        size_t nclasses = 0;
        if (!mo.positive && crm_model_class_count(m, &nclasses) == CRM_OK && nclasses == 2)
            ms = crm_model_class(m, 1, &mo.positive);
        if (ms == CRM_OK)
            ms = crm_metrics_classification(test, r->target, "__crm_pred_proba", &mo, tm);
    } else if (ms == CRM_OK) {
        ms = crm_metrics_regression(test, r->target, "__crm_pred", &mo, tm);
    }
    int rc = ms == CRM_OK ? 0 : cli_lib_error(r->test_path);
    crm_dataset_free(test);
    return rc;
}

static void print_reg_json(const crm_dataset *ds, const reg_args *r, const crm_model *m,
                           const crm_dataset *sum, const crm_dataset *tm)
{
    cli_json_model_start(r->path, crm_dataset_nrows(ds), r->target, r->feats, r->nfeat, m);
    fputs(", \"summary\": ", stdout);
    cli_table_json(sum);
    if (tm) {
        fputs(", \"test\": ", stdout);
        cli_table_json(tm);
    }
    cli_json_files_end(r->out, r->model_path);
}

int cli_regression(int argc, char **argv, int logistic)
{
    cli_args a;
    cli_args_init(&a, argc, argv, logistic ? "logreg" : "linreg", logistic ? lr_usage : ln_usage);
    crm_logreg_options lo;
    crm_linreg_options no;
    if (crm_logreg_options_init(&lo, sizeof lo) != CRM_OK ||
        crm_linreg_options_init(&no, sizeof no) != CRM_OK)
        return cli_lib_error(NULL);
    cli_csvflags f;
    cli_mutate_list mutates;
    int rc = cli_csv_mutate_init(&f, &mutates, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *model_path = NULL, *featarg = NULL, *target = NULL,
               *weight = NULL, *test_path = NULL;
    int32_t json = 0, drop = 0, intercept = 1;
    double l2 = 0;
    char **feats = NULL;
    size_t nfeat = 0;
    crm_dataset *ds = NULL, *sum = NULL, *tm = NULL;
    crm_model *m = NULL;
    static const cli_choice missing[] = {{"error", 0}, {"drop", 1}, {NULL, 0}};
    static const cli_choice weights[] = {{"balanced", CRM_LOGREG_CLASS_WEIGHT_BALANCED},
                                         {"none", CRM_LOGREG_CLASS_WEIGHT_NONE},
                                         {NULL, 0}};
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"model", 0, CLI_FILE(&model_path)},
        {"features", 0, CLI_STRING(&featarg)},
        {"target", 0, CLI_STRING(&target)},
        {"weight", 0, CLI_STRING(&weight)},
        {"test", 0, CLI_FILE(&test_path)},
        {"l2", 0, CLI_NUMBER(&l2), .min = 0, .max = DBL_MAX, .wants = "a number >= 0"},
        {"missing", 0, CLI_CHOICE(&drop, missing)},
        {"no-intercept", 0, CLI_OFF(&intercept)},
        {"mutate", 0, CLI_CALL(cli_mutate_option, &mutates)},
        {"json", 0, CLI_FLAG(&json)},
        /* crm logreg only: */
        {"positive", 0, CLI_STRING(&lo.positive)},
        {"tol", 0, CLI_NUMBER(&lo.tol), .min = 0, .max = INFINITY, .flags = CLI_MIN_OPEN,
         .wants = "a number > 0"},
        {"max-iter", 0, CLI_INT32(&lo.max_iter), .min = 1, .max = 100000000},
        {"standardize", 0, CLI_FLAG(&lo.standardize)},
        {"class-weight", 0, CLI_CHOICE(&lo.class_weight, weights)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0] - (logistic ? 0 : 5),
                           .csv = &f,
                           .file = &path,
                           .help = reg_help,
                           .help_ctx = &logistic};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if ((rc = cli_target_features(&a, target, featarg, &feats, &nfeat))) goto done;
    const reg_args r = {path, target, weight, test_path, out, model_path,
                        feats, nfeat, l2, json, drop, intercept, logistic,
                        mutates.v, mutates.n};
    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    size_t nrows = crm_dataset_nrows(ds);
    if (drop && drop_missing(&ds, feats, nfeat, target, weight)) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (fit_model(ds, &r, &lo, &no, &m) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (crm_model_summary(m, &sum) != CRM_OK) {
        rc = cli_lib_error(NULL);
        goto done;
    }
    if (test_path && (rc = test_metrics(&r, m, lo.positive, &f.opts, &tm))) goto done;
    if (out && crm_model_predict(m, ds, "prediction") != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    /* everything is computed: the files last, so that a failure writes none */
    if (out && (rc = cli_write_table(ds, out, &f.opts, &f))) goto done;
    if (model_path && (rc = cli_save_model(m, model_path))) goto done;
    if (json) {
        print_reg_json(ds, &r, m, sum, tm);
    } else {
        print_human(&r, nrows, crm_dataset_nrows(ds), lo.positive, m, sum);
        if (logistic) print_factors(sum);
        if (tm) print_test(test_path, tm, logistic);
    }
    rc = cli_flush_stdout();
done:
    crm_model_free(m);
    crm_dataset_free(sum);
    crm_dataset_free(tm);
    crm_dataset_free(ds);
    cli_free_list(feats, nfeat);
    cli_mutate_list_free(&mutates);
    cli_csvflags_free(&f);
    return rc;
}

int cli_cmd_logreg(int argc, char **argv)
{
    return cli_regression(argc, argv, 1);
}
