/* Held-out metrics of a fitted tree or forest (--test FILE of crm tree and crm forest). */
#include "heldout.h"

#include "errors.h"

#include "crm/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double col_at(const crm_dataset *t, const char *name)
{
    size_t j = 0;
    double v = 0;
    if (crm_dataset_column_index(t, name, &j) != CRM_OK ||
        crm_dataset_get_number(t, j, 0, 1, &v) != CRM_OK)
        return 0;
    return v;
}

/* The expression of P(positive class) from the model's prediction columns: the trees report
 * the share of the predicted class (__crm_pred_proba), so for two classes the positive
 * class's probability is that share where the positive class is predicted and one minus it
 * elsewhere. A number (0/1) prediction compares with the number, a text one with the text
 * literal (single quotes doubled). NULL when out of memory. */
static char *positive_expr(const crm_dataset *test, const char *positive)
{
    size_t j = 0;
    int32_t type = 0;
    if (crm_dataset_column_index(test, "__crm_pred", &j) != CRM_OK ||
        crm_dataset_column_type(test, j, &type) != CRM_OK)
        return NULL;
    size_t len = 2 * strlen(positive) + 160;
    char *lit = malloc(len), *e = malloc(len + 128);
    if (!lit || !e) {
        free(lit);
        free(e);
        return NULL;
    }
    if (type == CRM_TYPE_NUMBER) {
        snprintf(lit, len, "%s", positive);
    } else {
        size_t k = 0;
        lit[k++] = '\'';
        for (const char *c = positive; *c; c++) {
            if (*c == '\'') lit[k++] = '\'';
            lit[k++] = *c;
        }
        lit[k++] = '\'';
        lit[k] = '\0';
    }
    snprintf(e, len + 128,
             "(__crm_pred = %s) * __crm_pred_proba + (__crm_pred != %s) * (1 - __crm_pred_proba)",
             lit, lit);
    free(lit);
    return e;
}

/* Score the predicted two-class rows of test by the probability of the positive class.
 * Returns 0, or the exit status after a message. */
static int score_classes(crm_dataset *test, const char *path, const crm_model *m,
                         const char *target, const char *positive, crm_dataset **out)
{
    size_t nclasses = 0;
    if (crm_model_class_count(m, &nclasses) != CRM_OK) return cli_lib_error(NULL);
    if (nclasses == 0)
        positive = "1";
    else if (!positive && crm_model_class(m, 1, &positive) != CRM_OK)
        return cli_lib_error(NULL);
    char *e = positive_expr(test, positive);
    if (!e) return cli_out_of_memory();
    crm_status st = crm_dataset_mutate(test, "__crm_score", e);
    free(e);
    crm_metrics_options mo;
    crm_metrics_options_init(&mo, sizeof mo);
    mo.positive = positive;
    if (st == CRM_OK) st = crm_metrics_classification(test, target, "__crm_score", &mo, out);
    return st == CRM_OK ? 0 : cli_lib_error(path);
}

int cli_heldout_metrics(const char *path, const cli_csvflags *f, const crm_model *m,
                        const char *target, const char *positive, crm_dataset **out)
{
    double regression = 0;
    size_t nclasses = 0;
    crm_model_stat(m, "regression", &regression);
    /* a 0/1 number target has no class labels (count 0): its positive class is 1 */
    if (regression == 0 && (crm_model_class_count(m, &nclasses) != CRM_OK || nclasses > 2 ||
                            nclasses == 1)) {
        cli_error("--test: held-out metrics need a two-class (or regression) target; %s has %zu "
                  "classes",
                  target, nclasses);
        return CLI_EXIT_INPUT;
    }
    crm_dataset *test = NULL;
    if (cli_read_table(path, f, &test) != CRM_OK) return cli_lib_error(path);
    int rc = 0;
    if (crm_model_predict(m, test, "__crm_pred") != CRM_OK) {
        rc = cli_lib_error(path);
    } else if (regression != 0) {
        crm_metrics_options mo;
        crm_metrics_options_init(&mo, sizeof mo);
        if (crm_metrics_regression(test, target, "__crm_pred", &mo, out) != CRM_OK)
            rc = cli_lib_error(path);
    } else {
        rc = score_classes(test, path, m, target, positive, out);
    }
    crm_dataset_free(test);
    return rc;
}

void cli_heldout_print(const char *path, const crm_dataset *tm, int regression)
{
    printf("\nheld-out rows (%s): %.0f\n", path, col_at(tm, "n"));
    if (regression)
        printf("  RMSE %.6g   MAE %.6g   R^2 %.4f\n", col_at(tm, "rmse"), col_at(tm, "mae"),
               col_at(tm, "r2"));
    else
        printf("  accuracy %.4f   AUC %.4f   log loss %.4f   precision %.4f   recall %.4f   "
               "F1 %.4f\n",
               col_at(tm, "accuracy"), col_at(tm, "auc"), col_at(tm, "log_loss"),
               col_at(tm, "precision"), col_at(tm, "recall"), col_at(tm, "f1"));
}
