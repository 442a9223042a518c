/**
 * @file crm/model.h
 * @brief crm_model: one handle type for every fitted model (k-means, trees,
 *        logistic and linear regression, ARIMA), with predict, summary,
 *        named statistics and versioned JSON save/load.
 *
 * Lifecycle. A model is created by a fit function of its module (for example
 * crm_kmeans_fit() in crm/kmeans.h) or by crm_model_from_json() /
 * crm_model_load(), and freed with crm_model_free(). A model copies
 * everything it needs (feature column names, scaling, parameters) and keeps no
 * pointer into the dataset it was fitted on: datasets and models may be freed
 * in any order.
 *
 * Prediction finds the model's feature columns by name in the dataset passed
 * to crm_model_predict(), so a model fitted on one file predicts on another
 * with the same column names (in any order, with any other columns).
 *
 * Transform steps. The fit options of k-means, trees and logistic and linear
 * regression take `mutate` / `n_mutate`: "NAME=EXPR" steps (split at the
 * first '='; EXPR in the expression language of crm_dataset_mutate(), see
 * crm/dataset.h and docs/expressions.md) applied in order to a copy of the
 * dataset before the fit - the caller's dataset is never modified - and
 * recorded in the model (at most 4096 steps). crm_model_predict() applies the
 * recorded steps to a copy of the dataset it is given, predicts into the copy
 * and moves only the prediction column(s) into the caller's dataset, so a
 * model predicts on raw data exactly as on data transformed by hand.
 * crm_model_mutate_count() and crm_model_mutate() list the steps. A model
 * without steps predicts into the caller's dataset directly (nothing is
 * copied).
 *
 * JSON format (versions 1 and 2). crm_model_to_json() and crm_model_save()
 * write one JSON object:
 *
 *     {"format": "libcrm-model", "version": 1, "kind": "kmeans",
 *      "libcrm": "1.0.0", ...members of the kind...}
 *
 * - "format" is always "libcrm-model"; "version" is the format version: 1
 *   for a model without transform steps (byte-for-byte the files of libcrm
 *   1.0), 2 for a model with steps, so that a library that knows only
 *   version 1 refuses it (CRM_E_FORMAT) instead of predicting on
 *   untransformed data; "kind" names the model kind ("kmeans", "tree",
 *   "logreg", "linreg", "arima", "clv"); "libcrm" is the version of the library
 *   that wrote the file (informational only).
 * - "mutate" (version 2 only; written after "libcrm" when the model has
 *   steps): the steps in order, as [["NAME", "EXPR"], ...]. Readers check it:
 *   an array of at most 4096 items, each an array of two non-empty strings
 *   (else CRM_E_PARSE); a version 1 file with "mutate" is CRM_E_PARSE.
 * - The members of each kind are documented in that kind's header (for
 *   k-means: crm/kmeans.h).
 * - Numbers are written as the shortest decimal text that reads back to the
 *   same double, and read back exactly, so a loaded model predicts
 *   bit-identically to the model that was saved. Non-finite doubles, which
 *   JSON cannot express as numbers, are written as the strings "nan", "inf"
 *   and "-inf" and read back from those strings.
 * - Readers ignore members they do not know, so later 1.x libraries may add
 *   members; a file with another "format", a "version" other than 1 or 2, or
 *   an unknown "kind" is refused with CRM_E_FORMAT.
 *
 * Thread-safety: a model is read-only after it is created; every function
 * here except crm_model_free() only reads it, so one model may be used by
 * several threads at once (each predicting into its own dataset).
 */
#ifndef CRM_MODEL_H
#define CRM_MODEL_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/** A fitted model of any kind. Opaque; free with crm_model_free(). */
typedef struct crm_model crm_model;

/**
 * Model kinds, as returned by crm_model_kind().
 * @type[enum] crm_model_type
 */
typedef enum crm_model_type {
    CRM_MODEL_KMEANS = 1, /**< k-means clustering (crm/kmeans.h), JSON kind "kmeans" */
    CRM_MODEL_TREE = 2,   /**< CART decision tree, JSON kind "tree" */
    CRM_MODEL_LOGREG = 3, /**< logistic regression, JSON kind "logreg" */
    CRM_MODEL_LINREG = 4, /**< linear regression, JSON kind "linreg" */
    CRM_MODEL_ARIMA = 5,  /**< (S)ARIMA, JSON kind "arima" */
    CRM_MODEL_FOREST = 6, /**< random forest (crm/tree.h), JSON kind "forest" */
    CRM_MODEL_CLV = 7     /**< BG/NBD + Gamma-Gamma customer lifetime value (crm/clv.h),
                               JSON kind "clv" */
} crm_model_type;

/**
 * Newest version of the model JSON format, read and written by this library:
 * 2, written for models with transform steps ("mutate"); models without
 * steps are still written as version 1. Both are read.
 */
#define CRM_MODEL_FORMAT_VERSION 2

/**
 * Kind of a model.
 * @param[in] m  model, or NULL
 * @return @type[enum] crm_model_type; one of the crm_model_type values, or 0
 *         when m is NULL (cannot fail).
 * Ownership: nothing changes hands.
 * Thread-safety: safe; only reads m.
 */
CRM_API int32_t crm_model_kind(const crm_model *m);

/**
 * Name of a model kind, as in the JSON "kind" member.
 * @param[in] kind  @type[enum] crm_model_type; a crm_model_type value (for example
 *                  crm_model_kind(m))
 * @return "kmeans", "tree", "logreg", "linreg", "arima" or "clv"; NULL for any other
 *         value. Ownership: static string, valid for the life of the program.
 * Thread-safety: safe from any thread.
 */
CRM_API const char *crm_model_kind_name(int32_t kind);

/**
 * Number of transform steps recorded in the model (the fit options' `mutate`
 * entries; see "Transform steps" at the top of this header).
 * @param[in]  m    model
 * @param[out] out  number of steps (0 on failure, and for a model fitted
 *                  without steps)
 * @return CRM_OK, CRM_E_INVALID (NULL argument).
 * Ownership: nothing changes hands.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_mutate_count(const crm_model *m, size_t *out);

/**
 * The i-th recorded transform step: crm_model_predict() runs
 * crm_dataset_mutate(copy, *out_name, *out_expr) for each step in order.
 * @param[in]  m         model
 * @param[in]  i         0-based index, below crm_model_mutate_count()
 * @param[out] out_name  column the step adds or replaces (NULL on failure)
 * @param[out] out_expr  its expression (NULL on failure).
 *                       Ownership: both are borrowed from m, valid until
 *                       crm_model_free(m).
 * @return CRM_OK, CRM_E_INVALID (NULL argument, i out of range).
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_mutate(const crm_model *m, size_t i, const char **out_name,
                                    const char **out_expr);

/**
 * Free a model. NULL is a harmless no-op. Datasets the model was fitted on
 * or predicted into are not affected.
 * @param[in] m  model to free, or NULL
 * Cannot fail.
 * Ownership: m is released and must not be used afterwards; the static
 * strings of crm_model_stat_name() stay valid.
 * Thread-safety: no other thread may use m meanwhile.
 */
CRM_API void crm_model_free(crm_model *m);

/**
 * Apply the model to the rows of `ds` and append the prediction column(s)
 * to ds, in place (crm/common.h, "Values and in-place operations"). The
 * model's feature columns are looked up by name in ds. For k-means one
 * number column named `pred_col` is added holding the 0-based cluster id of
 * each row; classifiers also add `<pred_col>_proba` (see the kind's header).
 * An ARIMA model forecasts with crm_arima_forecast() instead. A model with
 * transform steps applies them first to a copy of ds (see "Transform steps"
 * above) and then adds only the prediction column(s) to ds: columns the
 * steps add or replace stay in the copy.
 * @param[in]     m        fitted model
 * @param[in,out] ds       dataset holding the model's feature columns; the
 *                         prediction column(s) are appended to it
 * @param[in]     pred_col  name of the prediction column (must not exist in ds)
 * @return CRM_OK; CRM_E_INVALID (NULL argument, pred_col empty, pred_col or
 *         `<pred_col>_proba` already a column of ds, a missing or non-finite
 *         feature value or, for the regressions, an unseen text level,
 *         naming the column and the 0-based row); CRM_E_NOTFOUND (a feature
 *         column is absent); CRM_E_TYPE (a feature column has the wrong
 *         type, or m is an ARIMA model); a recorded step failing, with the
 *         message naming the step and its 1-based number ("recorded step 1
 *         (x=log(1 + x))"): CRM_E_NOTFOUND (a column the step needs),
 *         CRM_E_TYPE (operands of the wrong type), CRM_E_PARSE (a malformed
 *         expression); CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: the new column belongs to ds; pred_col stays the caller's.
 * Thread-safety: m is only read; no other thread may use ds meanwhile.
 */
CRM_API crm_status crm_model_predict(const crm_model *m, crm_dataset *ds, const char *pred_col);

/**
 * The model as a table. For k-means: one row per cluster with the columns
 * cluster, size, wcss and one column per feature holding the center (see
 * crm/kmeans.h).
 * @param[in]  m    fitted model
 * @param[out] out  new dataset, NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_summary(const crm_model *m, crm_dataset **out);

/**
 * A named scalar statistic of the model (for k-means: inertia, n_iter,
 * converged, k, ...; see the kind's header for the full list).
 * @param[in]  m     fitted model
 * @param[in]  name  statistic name
 * @param[out] out   the value (NaN on failure)
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_NOTFOUND (unknown
 *         name; the message lists the valid names).
 * Ownership: name stays the caller's.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_stat(const crm_model *m, const char *name, double *out);

/**
 * Number of statistics crm_model_stat() knows for this model.
 * @param[in]  m    fitted model
 * @param[out] out  number of statistic names (0 on failure)
 * @return CRM_OK, CRM_E_INVALID (NULL argument).
 * Ownership: nothing changes hands.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_stat_count(const crm_model *m, size_t *out);

/**
 * Name of the i-th statistic of the model, in a fixed order per kind.
 * @param[in]  m    fitted model
 * @param[in]  i    0-based index, below crm_model_stat_count()
 * @param[out] out  the name (NULL on failure). Ownership: static string,
 *                  valid for the life of the program.
 * @return CRM_OK, CRM_E_INVALID (NULL argument, i out of range).
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_stat_name(const crm_model *m, size_t i, const char **out);

/**
 * Number of classes of a classifier fitted on a text target: the labels its
 * predictions take. A tree classifier: its classes, sorted by unsigned bytes
 * (crm/tree.h); logistic regression: 2, the negative class then the positive
 * one (the class whose probability `<pred_col>_proba` holds, crm/linear.h).
 * Every other model - k-means, regression, ARIMA, a classifier on a 0/1
 * number target - has 0.
 * @param[in]  m    fitted model
 * @param[out] out  number of classes (0 on failure)
 * @return CRM_OK, CRM_E_INVALID (NULL argument).
 * Ownership: nothing changes hands.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_class_count(const crm_model *m, size_t *out);

/**
 * Label of the i-th class of a classifier (order: crm_model_class_count()).
 * @param[in]  m    fitted model
 * @param[in]  i    0-based index, below crm_model_class_count()
 * @param[out] out  the label (NULL on failure). Ownership: borrowed from m,
 *                  valid until crm_model_free(m).
 * @return CRM_OK, CRM_E_INVALID (NULL argument, i out of range, naming the
 *         number of classes).
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_class(const crm_model *m, size_t i, const char **out);

/**
 * Serialise the model to JSON text (format described at the top of this
 * header).
 * @param[in]  m    fitted model
 * @param[out] out  NUL-terminated UTF-8 JSON text, NULL on failure.
 *                  Ownership: caller; free with crm_free().
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_model_to_json(const crm_model *m, char **out);

/**
 * Read a model from JSON text written by crm_model_to_json().
 * @param[in]  json  NUL-terminated UTF-8 JSON text
 * @param[out] out   the model, NULL on failure.
 *                   Ownership: caller; free with crm_model_free().
 * Every member is checked before it is used: counts and indices must be
 * whole numbers in their range (counts >= 0, flags 0 or 1, indices within
 * the arrays they index), array lengths must match the sizes they follow
 * from, and NaN or infinite values are refused where a fitted model cannot
 * hold them (the JSON members of each kind, in its header, say which may).
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_PARSE (not JSON, with
 *         the byte offset, or a member missing, of the wrong type, out of
 *         range or inconsistent, naming the member and the value found);
 *         CRM_E_FORMAT ("format" is not
 *         "libcrm-model", "version" is not 1 or 2, or "kind" is unknown);
 *         CRM_E_NOMEM.
 * Ownership: json is only read during the call.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_model_from_json(const char *json, crm_model **out);

/**
 * Write crm_model_to_json() text to a file (replacing it), with a final
 * newline. The file is written atomically (crm/common.h, "Files written
 * atomically"): a temporary file next to path is synced and renamed over it
 * once the whole text is written; on failure path is exactly as before (an
 * existing model file keeps its bytes and mode, no partial file and no
 * temporary is left). A symbolic link stays a link (its target is replaced);
 * devices and FIFOs are written in place and never removed.
 * @param[in] m     fitted model
 * @param[in] path  file path
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_IO (cannot create,
 *         write, sync or rename, or path is a directory; naming the path and
 *         the system's reason), CRM_E_NOMEM.
 * Ownership: path stays the caller's.
 * Thread-safety: safe; only reads m. Two calls writing the same path each
 * write a whole file and the last one to finish wins.
 */
CRM_API crm_status crm_model_save(const crm_model *m, const char *path);

/**
 * Read a model file written by crm_model_save().
 *
 * A gzip-compressed copy is decompressed. Limits: at most 1 GiB of JSON text;
 * gzip data may also
 * expand to no more than 100 times its compressed size (at least 64 MiB), as
 * for crm_csv_options.max_bytes = 0. A file beyond a limit is CRM_E_IO naming
 * the path and the limit; memory stays bounded by the limit.
 * @param[in]  path  file path
 * @param[out] out   the model, NULL on failure.
 *                   Ownership: caller; free with crm_model_free().
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_IO (cannot read,
 *         naming the path; truncated or corrupt gzip data; a limit), and the
 *         errors of crm_model_from_json() with the path prefixed to the
 *         message.
 * Ownership: path stays the caller's.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_model_load(const char *path, crm_model **out);

CRM_END_DECL

#endif /* CRM_MODEL_H */
