/**
 * @file crm/kmeans.h
 * @brief k-means clustering (customer segmentation), the elbow table and the
 *        silhouette score.
 *
 * Algorithm. crm_kmeans_fit() runs `n_init` restarts and keeps the one with
 * the lowest inertia (sum of squared distances of the rows to their centers;
 * the first restart wins ties). Each restart:
 *
 * 1. Initial centers: k-means++ with greedy local trials (as scikit-learn:
 *    the first center is a uniformly drawn row; each further center is the
 *    best, by resulting inertia, of 2 + floor(ln k) rows drawn with
 *    probability proportional to their squared distance to the nearest chosen
 *    center), or k distinct uniformly drawn rows (RANDOM), or the centers
 *    given in `init_centers` (GIVEN; then every restart is the same and
 *    n_init is treated as 1). All randomness comes from `seed` (restart r
 *    uses its own stream), so results are identical on every machine.
 * 2. Lloyd iterations: assign every row to its nearest center (squared
 *    Euclidean distances computed as ||c||^2 - 2 x.c; ties go to the
 *    lowest cluster id), then move each center to the mean of its rows.
 *    The fit stops when an assignment equals the previous
 *    one ("strict convergence"), or when the squared center shift summed over
 *    the centers is at most tol * (mean of the per-column variances of the
 *    fitted data), scikit-learn's meaning of tol, or after max_iter
 *    iterations. With tol = 0 it stops only when the assignment no longer
 *    changes (or the centers no longer move). When it did not stop by
 *    strict convergence, the rows are assigned once more to the final
 *    centers, so labels and centers always agree.
 * 3. Empty clusters: when a cluster loses all its rows during an iteration,
 *    it is re-seeded with the row farthest from its current center (as
 *    scikit-learn does): the empty clusters, in increasing id order, take
 *    the rows with the largest squared distance to their assigned center, in
 *    decreasing distance order (ties: lower row first); each such row leaves
 *    its cluster (rows of weight 0 are never taken, nor a row whose leaving
 *    would empty its own cluster; a cluster nobody can seed keeps its center).
 *
 * `algorithm` picks Lloyd (every distance every iteration) or Hamerly's
 * bound-based variant, which keeps an upper bound on each row's distance to
 * its center and a lower bound to the others (8 bytes per row) and computes
 * distances only for rows whose bounds no longer prove the assignment. AUTO
 * runs Lloyd while many labels change and Hamerly once a pass after the
 * first changes fewer than 1 % of the labels; from k >= 32 AUTO is Hamerly
 * throughout. All three give the same assignments, centers and inertia to
 * the last bit. How the bounds allow for rounding, when each variant is
 * faster, and the block sizes and BLAS threading: docs/kmeans.md.
 *
 * Determinism and threads. Rows are processed in fixed blocks whose
 * boundaries depend only on the number of rows; sums are formed per block
 * in row order and merged in block order, so results are bit-identical for
 * every `n_threads`. A Lloyd iteration takes time O(n k d) for n rows, k
 * clusters and d features.
 *
 * Standardize. With standardize = 1 every column is replaced by its
 * z-score (x - mean) / sd (sd with divisor n, as scikit-learn's
 * StandardScaler) before fitting; the model stores mean and sd, predicts on
 * raw data by applying the same scaling, and reports centers in the
 * original units in crm_model_summary().
 *
 * Model. The fitted model has kind CRM_MODEL_KMEANS (crm/model.h).
 * - crm_model_predict() adds a number column holding the 0-based cluster id
 *   (0..k-1) of each row: the nearest center, computed exactly as during
 *   the fit, so predicting on the training rows reproduces the fit's labels.
 * - crm_model_summary(): one row per cluster, columns `cluster` (0..k-1),
 *   `size` (rows), `wcss` (within-cluster sum of squared distances, in the
 *   fitted units: z-scores when standardized) and one column per feature,
 *   named as the feature, holding the center in original units (a feature
 *   named cluster, size or wcss gets the column name "center_<name>"), that
 *   is with the standardization undone; the transform steps (log1p, ...) are
 *   undone by crm_kmeans_centers_original().
 * - Statistics (crm_model_stat()): `k`, `n_features`, `n_rows` (rows fitted),
 *   `inertia` (sum of wcss), `n_iter` (Lloyd iterations of the kept
 *   restart), `iterations` (same as n_iter), `converged` (1 when stopped by
 *   strict or tol convergence, 0 at max_iter), `standardize` (0/1),
 *   `best_init` (0-based restart kept), `tol_abs` (the absolute tolerance
 *   used).
 * - JSON members (kind "kmeans", see crm/model.h for the envelope):
 *   "features" (array of column names), "k", "standardize" (true/false),
 *   "mean" and "scale" (arrays of d numbers; present when standardize),
 *   "centers" (k arrays of d numbers, in fitted units: z-scores when
 *   standardize is true), "size", "wcss" (arrays of k numbers),
 *   "inertia", "n_iter", "converged", "n_rows", "best_init", "tol_abs".
 *   Every number is finite; "size" holds whole row counts adding up to
 *   "n_rows".
 *
 * Thread-safety: the functions here only read their input datasets, which
 * other threads may read meanwhile.
 */
#ifndef CRM_KMEANS_H
#define CRM_KMEANS_H

#include "crm/dataset.h"
#include "crm/model.h"

CRM_BEGIN_DECL

/**
 * Initial centers of k-means.
 * @type[enum] crm_kmeans_init
 */
typedef enum crm_kmeans_init {
    CRM_KMEANS_INIT_PLUSPLUS = 1, /**< k-means++ with greedy local trials (default) */
    CRM_KMEANS_INIT_RANDOM = 2,   /**< k distinct rows drawn uniformly */
    CRM_KMEANS_INIT_GIVEN = 3     /**< opts.init_centers */
} crm_kmeans_init;

/**
 * Iteration algorithm of k-means.
 * @type[enum] crm_kmeans_algorithm
 */
typedef enum crm_kmeans_algorithm {
    CRM_KMEANS_AUTO = 0,   /**< Lloyd, then Hamerly once fewer than 1 % of the labels
                                change in a pass; Hamerly throughout when k >= 32 (default) */
    CRM_KMEANS_LLOYD = 1,  /**< every distance every iteration */
    CRM_KMEANS_HAMERLY = 2 /**< Lloyd with Hamerly's distance bounds */
} crm_kmeans_algorithm;

/**
 * Options of crm_kmeans_fit(). Initialise with
 * crm_kmeans_options_init(&o, sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_kmeans_options {
    size_t size;                /**< sizeof as the caller compiled it (set by init) */
    int32_t k;                  /**< number of clusters, >= 1; default 8 */
    int32_t n_init;             /**< restarts, lowest inertia kept, >= 1; default 10 */
    int32_t max_iter;           /**< Lloyd iterations per restart, >= 1; default 300 */
    int32_t init;               /**< @type[enum] crm_kmeans_init; default
                                     CRM_KMEANS_INIT_PLUSPLUS */
    double tol;                 /**< relative tolerance (see the header), >= 0; default 1e-4 */
    const double *init_centers; /**< GIVEN: k * ncols values, row-major (center after
                                     center), in the units of the data as given (raw,
                                     also with standardize); default NULL; borrowed
                                     for the call */
    uint64_t seed;              /**< seed of all randomness; default 0 */
    int32_t standardize;        /**< 1: fit on z-scores; default 0 */
    int32_t n_threads;          /**< worker threads, 0 (default) = all cores; the result
                                     does not depend on it */
    int32_t algorithm;          /**< @type[enum] crm_kmeans_algorithm; default
                                     CRM_KMEANS_AUTO */
    crm_progress_fn progress;   /**< called after every iteration with the fraction
                                     done in [0, 1], or NULL (default); non-zero return
                                     cancels (CRM_E_CANCELLED) */
    void *user;                 /**< passed to progress; default NULL */
    /* ---- v1.0 ends here; append new fields below only ---- */
    const char *sample_weight; /**< number column of sample weights (>= 0, finite), or NULL
                                    (default): every row weighs 1. Weights scale a row's share
                                    of the centers, of inertia and wcss and of the k-means++
                                    draws (not `size`, not the tol variance, not the
                                    standardization); borrowed for the call */
    const char *const *mutate; /**< "NAME=EXPR" transform steps applied in order to a copy
                                    of the dataset before the fit and recorded in the model
                                    (crm/model.h, "Transform steps"), or NULL (default);
                                    borrowed for the call */
    size_t n_mutate;           /**< number of mutate entries, <= 4096; default 0 */
    size_t n_init_centers;     /**< number of values in init_centers, or 0 (default):
                                    not given, k * ncols values are read (callers
                                    compiled before this field). When init_centers is
                                    set and this is not 0 it must equal k * ncols */
} crm_kmeans_options;

/**
 * Write the default k-means options into `opts` (k = 8, n_init = 10,
 * max_iter = 300, init = PLUSPLUS, tol = 1e-4, init_centers = NULL,
 * seed = 0, standardize = 0, n_threads = 0, algorithm = AUTO,
 * progress = NULL, user = NULL, sample_weight = NULL, mutate = NULL,
 * n_mutate = 0, n_init_centers = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1.0 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_kmeans_options_init(crm_kmeans_options *opts, size_t size);

/**
 * Fit k-means on the number columns `cols` of `ds` (algorithm, model,
 * statistics and JSON form described at the top of this header).
 * @param[in]  ds     dataset
 * @param[in]  cols   names of the feature columns (number columns, distinct)
 * @param[in]  ncols  number of feature columns, >= 1
 * @param[in]  opts   options, or NULL for the defaults
 * @param[out] out    fitted model (kind CRM_MODEL_KMEANS), NULL on failure.
 *                    Ownership: caller; free with crm_model_free(). The model
 *                    keeps no reference to ds.
 * @return CRM_OK (also when max_iter is reached: see stat "converged");
 *         CRM_E_INVALID (NULL argument, ncols 0, a duplicate column, k < 1,
 *         k larger than the number of distinct rows, n_init < 1,
 *         max_iter < 1, tol negative or not finite, unknown init or
 *         algorithm, GIVEN without init_centers or with a non-finite value,
 *         init_centers with n_init_centers neither 0 nor k * ncols (naming
 *         both numbers), n_init_centers not 0 without init_centers,
 *         n_threads < 0, a missing (NaN) or infinite value, naming the
 *         column and the 0-based row; a negative sample weight, naming the
 *         row);
 *         CRM_E_NOTFOUND (a column or the sample_weight column does not
 *         exist); CRM_E_TYPE (a feature or weight column is not a number
 *         column, naming it and its type);
 *         CRM_E_NUMERIC (standardize with a constant column, naming it);
 *         CRM_E_CANCELLED (the progress callback returned non-zero);
 *         a mutate step failing (opts.mutate; the message names the step
 *         and its 1-based number): CRM_E_INVALID (NULL, no '=', an empty
 *         name, invalid UTF-8, a malformed expression, more than 4096 steps),
 *         CRM_E_NOTFOUND (a column the step needs), CRM_E_TYPE (operands
 *         of the wrong type in a step);
 *         CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_NOMEM.
 * Ownership: cols and opts (with init_centers, sample_weight and mutate) are
 * only read during the call; the model keeps its own copy of the mutate
 * steps.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_kmeans_fit(const crm_dataset *ds, const char *const *cols, size_t ncols,
                                  const crm_kmeans_options *opts, crm_model **out);

/**
 * The centers in the units of the input columns: the model's transform steps
 * (opts.mutate, the CLI's --log) undone, as well as the standardization.
 * crm_model_summary() reports the centers with the standardization undone
 * but in the units the steps produced (log units after "C=log1p(C)"); this
 * maps them back through the steps, so a center reads in days, orders or
 * money. For each feature f, the recorded steps are walked from the last to
 * the first; a step that writes f is undone when its expression is one of
 *   log1p(f), log(1 + f), log(f + 1)   (undone with expm1),
 *   log(f)                             (undone with exp),
 *   exp(f)                             (undone with log),
 * f referring to the column itself (bare or "quoted", function names in any
 * case, spaces anywhere, the literal 1 also as 1.0); the first step writing
 * f in any other form ends the walk, and f's centers stay in the units that
 * step defines (e.g. "aov=monetary/frequency": money per order). Features no
 * step writes are in their input units.
 * Note the mapped center is a center of the transformed data taken back: after
 * log1p, expm1(mean of log1p(x)), a geometric-type mean that is lower than the
 * arithmetic mean of the cluster's raw values (and less pulled by outliers).
 * @param[in]  m    a k-means model (fitted or loaded)
 * @param[out] out  new table, one row per cluster: `cluster` (0..k-1), `size`
 *                  (rows) and one number column per feature, named as in
 *                  crm_model_summary() ("center_<name>" for a feature named
 *                  cluster, size or wcss), holding the center in original
 *                  units; NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (m or out NULL); CRM_E_TYPE (m is not a
 *         k-means model); CRM_E_NOMEM.
 * Ownership: nothing of m changes hands.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_kmeans_centers_original(const crm_model *m, crm_dataset **out);

/**
 * Elbow table: fit k-means for every k in k_min..k_max with the options
 * `opts` (their k is ignored) and report the inertia of each. The mutate
 * steps of opts are applied once, to one copy used for every k.
 * @param[in]  ds     dataset
 * @param[in]  cols   names of the feature columns
 * @param[in]  ncols  number of feature columns, >= 1
 * @param[in]  k_min  smallest k, >= 1
 * @param[in]  k_max  largest k, >= k_min
 * @param[in]  opts   options, or NULL for the defaults (GIVEN is refused;
 *                    init_centers is not used)
 * @param[out] out    table with number columns `k` and `inertia` (one row
 *                    per k, ascending), plus `n_iter`, NULL on failure.
 *                    Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (k_min < 1, k_max < k_min, init GIVEN) and
 *         every error of crm_kmeans_fit().
 * Ownership: cols and opts are only read during the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_kmeans_elbow(const crm_dataset *ds, const char *const *cols, size_t ncols,
                                    int32_t k_min, int32_t k_max, const crm_kmeans_options *opts,
                                    crm_dataset **out);

/**
 * Options of crm_silhouette(). Initialise with
 * crm_silhouette_options_init(&o, sizeof o).
 */
typedef struct crm_silhouette_options {
    size_t size;         /**< sizeof as the caller compiled it (set by init) */
    int64_t sample_size; /**< exact up to this many rows; above, the score of a seeded
                              uniform sample of this many rows (without replacement);
                              0 = always exact; default 10000 */
    uint64_t seed;       /**< seed of the sample; default 0 */
    int32_t n_threads;   /**< worker threads, 0 (default) = all cores */
    /* ---- v1.0 ends here; append new fields below only ---- */
} crm_silhouette_options;

/**
 * Write the default silhouette options (sample_size = 10000, seed = 0,
 * n_threads = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size too small).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_silhouette_options_init(crm_silhouette_options *opts, size_t size);

/**
 * Mean silhouette coefficient of a clustering, as
 * sklearn.metrics.silhouette_score with the Euclidean metric: for each row,
 * a = mean distance to the other rows of its cluster, b = smallest mean
 * distance to the rows of another cluster, s = (b - a) / max(a, b), and
 * s = 0 for a row alone in its cluster; the score is the mean of s.
 * Distances are computed directly as sqrt(sum of squared differences).
 * With more rows than opts.sample_size, the score is computed on a uniform
 * sample of sample_size rows drawn with opts.seed (labels as in the full
 * data).
 * @param[in]  ds         dataset
 * @param[in]  cols       names of the feature columns (number columns)
 * @param[in]  ncols      number of feature columns, >= 1
 * @param[in]  label_col  number column of whole-number cluster labels (for
 *                        example the column added by crm_model_predict())
 * @param[in]  opts       options, or NULL for the defaults
 * @param[out] out        the score in [-1, 1]; NaN on failure
 * @return CRM_OK; CRM_E_INVALID (NULL argument, ncols 0, a missing or
 *         non-finite value or a label that is not a whole number, naming the
 *         column and row; fewer than 2 or more than n - 1 distinct labels);
 *         CRM_E_NOTFOUND (a column does not exist); CRM_E_TYPE (not a number
 *         column); CRM_E_FORMAT (opts from a newer library); CRM_E_NOMEM.
 * Ownership: cols, label_col and opts are only read during the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_silhouette(const crm_dataset *ds, const char *const *cols, size_t ncols,
                                  const char *label_col, const crm_silhouette_options *opts,
                                  double *out);

CRM_END_DECL

#endif /* CRM_KMEANS_H */
