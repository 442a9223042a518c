/**
 * @file crm/metrics.h
 * @brief Quality of predictions: classification metrics (AUC, log loss,
 *        accuracy, precision, recall, F1, confusion counts) and regression
 *        metrics (RMSE, MAE, MAPE, R^2), for any model's predictions.
 *
 * Both functions read two columns of one dataset (the truth and the
 * prediction, for example a column added by crm_model_predict()) and return
 * a one-row dataset of number columns, so the result composes like every
 * other table (write it to CSV, join it, print it).
 *
 * Classification (crm_metrics_classification()). The truth column is a
 * number column of 0/1 values, or a text column whose value `positive`
 * marks the positive class (every other value is negative). The score column
 * holds the predicted probability (or any score where larger means more
 * likely positive) of each row. Output columns, in this order:
 * - `n`: rows scored; `weight`: their total weight;
 * - `auc`: area under the ROC curve, exact: the probability that a random
 *   positive scores higher than a random negative, ties counting one half
 *   (the Mann-Whitney statistic, equal to scikit-learn's roc_auc_score);
 *   NaN when one class is absent;
 * - `log_loss`: mean of -(y log p + (1 - y) log(1 - p)) with p clipped to
 *   [2^-52, 1 - 2^-52] (scikit-learn 1.2's eps="auto" for doubles); NaN when
 *   a score lies outside [0, 1];
 * - `accuracy`, `precision` (tp / (tp + fp), 0 when nothing is predicted
 *   positive), `recall` (tp / (tp + fn), 0 without positives), `f1`
 *   (harmonic mean of precision and recall, 0 when both are 0), with a row
 *   predicted positive when its score is > threshold;
 * - `tp`, `fp`, `tn`, `fn`: confusion counts (sums of weights) at threshold;
 * - `threshold`: the threshold used.
 *
 * Regression (crm_metrics_regression()). Number truth and prediction
 * columns. Output columns: `n`, `weight`, `rmse` (root of the mean squared
 * error), `mse`, `mae` (mean absolute error), `mape` (mean of
 * |y - yhat| / max(|y|, 2^-52), a fraction, not percent, as scikit-learn),
 * `r2` (1 - SS_res / SS_tot around the mean of y; NaN when y is constant).
 *
 * Weights: `sample_weight` names a number column of weights >= 0; every
 * mean, count and the AUC's pairs are then weighted (as scikit-learn's
 * sample_weight). Sums are exactly rounded (crm: Shewchuk summation), so
 * results do not depend on row order except through AUC tie grouping,
 * which is exact.
 *
 * Missing values in either column, or in the weight, are refused with
 * CRM_E_INVALID naming the column and the 0-based row (filter them first).
 *
 * Thread-safety: the functions only read ds, which other threads may read
 * meanwhile.
 */
#ifndef CRM_METRICS_H
#define CRM_METRICS_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/**
 * Options of crm_metrics_classification() and crm_metrics_regression().
 * Initialise with crm_metrics_options_init(&o, sizeof o).
 */
typedef struct crm_metrics_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    const char *positive;      /**< positive class of a text truth column; required for
                                    text, ignored for number truth; default NULL; borrowed
                                    for the call */
    double threshold;          /**< classification: positive when score > threshold;
                                    default 0.5 */
    const char *sample_weight; /**< number column of weights >= 0, or NULL (default) */
    /* ---- v1.0 ends here; append new fields below only ---- */
} crm_metrics_options;

/**
 * Write the default metric options (positive = NULL, threshold = 0.5,
 * sample_weight = NULL).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size too small).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_metrics_options_init(crm_metrics_options *opts, size_t size);

/**
 * Classification metrics of scores against 0/1 (or text) truth, as a
 * one-row dataset (columns described at the top of this header).
 * @param[in]  ds     dataset holding both columns
 * @param[in]  truth  truth column: number 0/1, or text with opts->positive
 * @param[in]  score  number column of predicted probabilities / scores
 * @param[in]  opts   options, or NULL for the defaults
 * @param[out] out    one-row table of number columns, NULL on failure.
 *                    Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no rows, a missing or
 *         non-finite score, truth other than 0/1, a text truth without
 *         opts->positive, a negative or non-finite weight, a threshold that
 *         is NaN, naming column and row); CRM_E_NOTFOUND (a column does not
 *         exist); CRM_E_TYPE (score or weight not a number column, truth a
 *         time column); CRM_E_FORMAT (opts from a newer library); CRM_E_NOMEM.
 * Ownership: truth, score and opts (with its strings) are only read during
 * the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_metrics_classification(const crm_dataset *ds, const char *truth,
                                              const char *score, const crm_metrics_options *opts,
                                              crm_dataset **out);

/**
 * Regression metrics of predictions against number truth, as a one-row
 * dataset (columns described at the top of this header).
 * @param[in]  ds          dataset holding both columns
 * @param[in]  truth       number column of true values
 * @param[in]  prediction  number column of predicted values
 * @param[in]  opts        options, or NULL for the defaults (positive and
 *                         threshold are ignored)
 * @param[out] out         one-row table of number columns, NULL on failure.
 *                         Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no rows, a missing or
 *         non-finite value naming column and row, a negative weight);
 *         CRM_E_NOTFOUND (a column does not exist); CRM_E_TYPE (not number
 *         columns); CRM_E_FORMAT (opts from a newer library); CRM_E_NOMEM.
 * Ownership: truth, prediction and opts (with its strings) are only read
 * during the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_metrics_regression(const crm_dataset *ds, const char *truth,
                                          const char *prediction, const crm_metrics_options *opts,
                                          crm_dataset **out);

CRM_END_DECL

#endif /* CRM_METRICS_H */
