/* Held-out metrics of a fitted tree or forest: the --test FILE option of crm tree and
 * crm forest. The rows are predicted by the model and scored by crm/metrics.h. */
#ifndef CRM_CLI_HELDOUT_H
#define CRM_CLI_HELDOUT_H

#include "csvflags.h"

#include "crm/dataset.h"
#include "crm/model.h"

/* Read the --test table `path` (as the training file: cli_read_table() with the same CSV
 * flags), predict it with m (a tree or forest model with target `target`) and score it:
 * classification with a two-class target: crm_metrics_classification() of the probability of
 * the positive class (`positive`, or the model's second class when NULL, as the training
 * summary; 1 for a 0/1 number target), regression: crm_metrics_regression(). *out: the
 * one-row metrics table.
 * Returns 0, or the exit status after a message (a target of more than two classes is
 * refused: the metrics are binary). */
int cli_heldout_metrics(const char *path, const cli_csvflags *f, const crm_model *m,
                        const char *target, const char *positive, crm_dataset **out);

/* Print the held-out block of the text summary: accuracy, AUC (and log loss, precision,
 * recall, F1) for classification, RMSE, MAE, R^2 for regression. */
void cli_heldout_print(const char *path, const crm_dataset *tm, int regression);

#endif /* CRM_CLI_HELDOUT_H */
