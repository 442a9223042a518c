/**
 * @file crm/stats.h
 * @brief Mergeable statistics: per-chunk kernels, exact merges and update
 *        steps, so that an engine that splits the rows into partitions (Dask,
 *        a job queue, several machines) gets the one-machine answer.
 *
 * Model. Every estimator that can run over partitions is split into three
 * steps:
 *
 * 1. compute: a crm_X_stats_compute() call reads one chunk of rows (a
 *    dataset, possibly with no rows) at given parameters (centers,
 *    coefficients, a candidate list) and returns a crm_stats handle;
 * 2. merge: crm_stats_merge() folds one handle into another of the same kind
 *    and the same parameters; handles travel between processes as byte
 *    buffers (crm_stats_serialize(), crm_stats_deserialize());
 * 3. finalize / update: a crm_X_stats_finalize() (or _update, _step) call
 *    turns merged statistics into the result (a dataset, new centers, new
 *    coefficients).
 *
 * Exactness. Sums that decide a result bit for bit (group-by sum, mean and
 * var, RFM monetary, k-means per-center sums) are kept as exact
 * floating-point expansions (Shewchuk's algorithm, as Python's math.fsum), so
 * a merge loses nothing and the rounded result does not depend on how the
 * rows were split or on the merge order. Counts are exact integers. The
 * regression statistics (gradient, Hessian or X'X, log-likelihood) are plain
 * double sums: merge order changes their last bits, and the fitted
 * coefficients agree with the one-machine fit to about 1e-12 relative.
 *
 * Partitioning rules. Rows may be split anywhere (any sizes, empty chunks),
 * except for Apriori (CRM_STATS_ITEMSETS, CRM_STATS_ITEM_COUNTS): every row
 * of a transaction must be in the same chunk (partition by the transaction
 * column). RFM carries the distinct invoice ids per customer, so an invoice
 * may span chunks.
 *
 * Byte format (version CRM_STATS_FORMAT_VERSION), little-endian:
 * magic "CRMSTATS" (8 bytes), format version (uint32), library version
 * number (uint32, CRM_VERSION_NUMBER of the writer), kind (uint32),
 * parameter fingerprint (uint64, a hash of the parameters the statistics were
 * computed at: columns, centers, coefficients, candidate list, options that
 * change the values), row count (int64), payload length (uint64), payload,
 * then a 64-bit checksum of everything before it (format 2: the bytes read as
 * little-endian 64-bit words, the last zero-padded; h = 0xcbf29ce484222325 xor
 * the byte count, then per word h = (h xor w) * 0x9e3779b97f4a7c15,
 * h ^= h >> 29; format 1 used FNV-1a byte by byte and is refused). The checksum
 * catches accidents, not forgery: a buffer is trusted data of the same
 * deployment. crm_stats_deserialize() refuses, with
 * CRM_E_FORMAT and a message saying which, a buffer of another magic, format
 * version or library version, an unknown kind, a checksum mismatch, or a
 * payload whose lengths do not add up; it never reads outside the buffer.
 *
 * Errors in a chunk name the 0-based row of that chunk (the caller knows
 * which chunk it passed and adds it to the message).
 *
 * Thread-safety: distinct crm_stats handles are independent; a handle may be
 * used from any thread, one thread at a time. Input datasets are only read.
 */
#ifndef CRM_STATS_H
#define CRM_STATS_H

#include "crm/assoc.h"
#include "crm/dataset.h"
#include "crm/linear.h"
#include "crm/model.h"
#include "crm/rfm.h"

CRM_BEGIN_DECL

/** Version of the byte format written by crm_stats_serialize(). */
#define CRM_STATS_FORMAT_VERSION 2

/**
 * Mergeable statistics of one estimator over some rows (opaque handle).
 * Free with crm_stats_free().
 */
typedef struct crm_stats crm_stats;

/**
 * What a crm_stats handle holds.
 * @type[enum] crm_stats_kind
 */
typedef enum crm_stats_kind {
    CRM_STATS_GROUP = 1,             /**< group-by aggregates (crm_group_stats_compute) */
    CRM_STATS_RFM = 2,               /**< per-customer RFM partials (crm_rfm_stats_compute) */
    CRM_STATS_KMEANS = 3,            /**< per-center sums and counts (crm_kmeans_stats_compute) */
    CRM_STATS_KMEANS_CANDIDATES = 4, /**< k-means|| candidate rows
                                          (crm_kmeans_stats_candidates) */
    CRM_STATS_LEVELS = 5,            /**< text levels of regression features
                                          (crm_levels_stats_compute) */
    CRM_STATS_LINREG = 6,            /**< X'X, X'y, y'y (crm_linreg_stats_compute) */
    CRM_STATS_LOGREG = 7,            /**< gradient, Hessian, log-likelihood
                                          (crm_logreg_stats_compute) */
    CRM_STATS_ITEMSETS = 8,          /**< Apriori SON candidates (crm_apriori_stats_local) */
    CRM_STATS_ITEM_COUNTS = 9        /**< exact counts of candidates
                                          (crm_apriori_stats_count) */
} crm_stats_kind;

/* ------------------------------------------------------------------------ */
/* Handles, merge, bytes                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Free statistics.
 * @param[in] s  handle, or NULL (no-op)
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s must not be in use by another thread.
 */
CRM_API void crm_stats_free(crm_stats *s);

/**
 * The kind of statistics a handle holds.
 * @param[in] s  handle
 * @return a crm_stats_kind value @type[enum] crm_stats_kind, or 0 when s is NULL.
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API int32_t crm_stats_get_kind(const crm_stats *s);

/**
 * Number of input rows the statistics cover (after merges: the total).
 * @param[in]  s    handle
 * @param[out] out  row count
 * @return CRM_OK, CRM_E_INVALID (NULL argument).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_stats_rows(const crm_stats *s, int64_t *out);

/**
 * Copy a handle.
 * @param[in]  s    handle
 * @param[out] out  the copy, NULL on failure. Ownership: caller (crm_stats_free).
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_NOMEM.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_stats_clone(const crm_stats *s, crm_stats **out);

/**
 * Fold `other` into `into`: afterwards `into` holds the statistics of the
 * rows of both. Both must be of the same kind and computed at the same
 * parameters (same fingerprint). Merging is associative; for every kind but
 * CRM_STATS_LINREG and CRM_STATS_LOGREG it is also exact (the result does not
 * depend on the order or grouping of merges). Regression sums are plain
 * double sums: merge in partition order (a fixed tree) for reproducible bits.
 * @param[in,out] into   statistics to extend
 * @param[in]     other  statistics to add (only read)
 * @return CRM_OK, CRM_E_INVALID (NULL argument, into == other),
 *         CRM_E_TYPE (different kinds, naming both), CRM_E_STATE (different
 *         parameters: columns, centers, coefficients, candidates or options),
 *         CRM_E_NOMEM (then into is unchanged).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: into must not be used by another thread; other is only read.
 */
CRM_API crm_status crm_stats_merge(crm_stats *into, const crm_stats *other);

/**
 * Merge many serialized statistics at once (what the client of a cluster does
 * with the partitions' results): the n buffers, concatenated in `buf`
 * (buffer i has lens[i] bytes), are read and merged in a balanced tree in
 * buffer order ((0,1), (2,3), ..., then those results the same way), so each
 * entry is copied O(log n) times, where a left-to-right fold of n partials
 * costs O(n) copies of the growing total. For the regression kinds the tree
 * is fixed by n, so the bits do not depend on the process that merges.
 * @param[in]  buf   the buffers, back to back
 * @param[in]  lens  their sizes (n values)
 * @param[in]  n     number of buffers (>= 1)
 * @param[out] out   merged statistics, NULL on failure. Ownership: caller
 *                   (crm_stats_free).
 * @return CRM_OK, CRM_E_INVALID (NULL argument, n = 0, a negative length),
 *         and the errors of
 *         crm_stats_deserialize() and crm_stats_merge(), the message naming
 *         the 0-based buffer (or the two buffers being merged).
 * Ownership: buf and lens are only read during the call.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_stats_merge_buffers(const uint8_t *buf, const int64_t *lens, size_t n,
                                           crm_stats **out);

/**
 * Size in bytes of the buffer crm_stats_serialize() writes.
 * @param[in]  s    handle
 * @param[out] out  byte count
 * @return CRM_OK, CRM_E_INVALID (NULL argument).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_stats_serialized_size(const crm_stats *s, size_t *out);

/**
 * Write the statistics as a versioned byte buffer (format at the top of this
 * header) that crm_stats_deserialize() reads back in another process or on
 * another machine with the same library version.
 * @param[in]  s    handle
 * @param[out] out  buffer of n bytes
 * @param[in]  n    its size: exactly crm_stats_serialized_size()
 * @return CRM_OK, CRM_E_INVALID (NULL argument, n not the serialized size).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_stats_serialize(const crm_stats *s, uint8_t *out, size_t n);

/**
 * Read statistics written by crm_stats_serialize().
 * @param[in]  buf  bytes
 * @param[in]  n    their number
 * @param[out] out  statistics, NULL on failure. Ownership: caller (crm_stats_free).
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_FORMAT (not a
 *         statistics buffer, another format or library version, unknown kind,
 *         checksum mismatch, truncated or inconsistent payload; the message
 *         says which and, for versions, both numbers), CRM_E_NOMEM.
 * Ownership: buf is only read during the call.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_stats_deserialize(const uint8_t *buf, size_t n, crm_stats **out);

/**
 * Number of values of a named array of the statistics (see
 * crm_stats_values()).
 * @param[in]  s     handle
 * @param[in]  name  array name
 * @param[out] out   number of values
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_NOTFOUND (no such
 *         array for this kind, naming it).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_stats_value_count(const crm_stats *s, const char *name, size_t *out);

/**
 * Copy a named array of the statistics, as doubles (exact sums rounded once).
 * Names per kind:
 * - CRM_STATS_KMEANS: "centers" (k x d, the centers computed at, row-major),
 *   "sums" (k x d per-center sums), "counts" (k), "inertia" (1; sum of the
 *   squared distances to the nearest center), "wcss" (k);
 * - CRM_STATS_KMEANS_CANDIDATES: "candidates" (m x d sampled rows, ordered by
 *   chunk index then row), "weights" (m: 1 each, or the chunk's row count for
 *   the k = 0 draw), "cost" (1; sum of squared distances of the rows to the
 *   nearest given center, exact), "d" (1);
 * - CRM_STATS_LINREG: "xtx" (p x p), "xty" (p), "yty" (1), "weight" (1,
 *   rows used);
 * - CRM_STATS_LOGREG: "coef" (p, computed at), "gradient" (p, of the
 *   log-likelihood, without penalty), "hessian" (p x p, X'WX), "loglik" (1),
 *   "weight" (1);
 * - CRM_STATS_ITEMSETS and CRM_STATS_ITEM_COUNTS: "sizes" (items of each
 *   candidate, candidates ordered by size then items); ITEM_COUNTS also
 *   "counts" (one per candidate) and "transactions" (1).
 * Group-by, RFM and levels statistics have no arrays: finalize them.
 * @param[in]  s     handle
 * @param[in]  name  array name
 * @param[out] out   values
 * @param[in]  n     their number: exactly crm_stats_value_count()
 * @return CRM_OK, CRM_E_INVALID (NULL argument, wrong n), CRM_E_NOTFOUND.
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_stats_values(const crm_stats *s, const char *name, double *out, size_t n);

/* ------------------------------------------------------------------------ */
/* Group-by                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Group-by partial aggregates of a chunk. Keys and aggregation strings as
 * crm_dataset_group() (`[NAME=]FUNCTION(COLUMN)`), with FUNCTION one of sum,
 * mean, min, max, count, var (sample variance, divisor count - 1, as pandas;
 * missing when fewer than 2 values) and `count()`; sum, mean, min, max and
 * var need number columns. Sums are exact expansions and var is computed at
 * finalize from the exact sums of x and of x*x (each product split exactly
 * with fma), so the finalized table is bit-identical to crm_dataset_group()
 * on all the rows (for the functions both have) however the rows were split.
 * @param[in]  ds     chunk (may have no rows)
 * @param[in]  keys   key column names (nkeys >= 1)
 * @param[in]  nkeys  number of keys
 * @param[in]  aggs   aggregation strings
 * @param[in]  naggs  number of aggregations
 * @param[out] out    statistics (CRM_STATS_GROUP), NULL on failure.
 *                    Ownership: caller (crm_stats_free).
 * @return CRM_OK, CRM_E_INVALID, CRM_E_PARSE, CRM_E_NOTFOUND, CRM_E_TYPE,
 *         CRM_E_NOMEM, as crm_dataset_group().
 * Thread-safety: ds is only read.
 */
CRM_API crm_status crm_group_stats_compute(const crm_dataset *ds, const char *const *keys,
                                           size_t nkeys, const char *const *aggs, size_t naggs,
                                           crm_stats **out);

/**
 * The grouped table of merged group-by statistics: the same columns, order
 * and values as crm_dataset_group() on all the rows.
 * @param[in]  s    CRM_STATS_GROUP statistics
 * @param[out] out  grouped dataset, NULL on failure. Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID (NULL argument), CRM_E_TYPE (another kind),
 *         CRM_E_NOMEM.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_group_stats_finalize(const crm_stats *s, crm_dataset **out);

/* ------------------------------------------------------------------------ */
/* RFM                                                                       */
/* ------------------------------------------------------------------------ */

/**
 * Per-customer RFM partials of a chunk of transaction lines: first and last
 * purchase, the distinct invoice ids (or the line count without an invoice
 * column), the exact expansion of the amounts, and the latest transaction
 * time (for the default as_of). The input rules (missing values, amounts)
 * are crm_rfm()'s; errors name the 0-based row of the chunk.
 * @param[in]  tx    chunk of transactions (may have no rows)
 * @param[in]  opts  crm_rfm() options (columns); bins, as_of and the
 *                   lifecycle windows are only used by finalize
 * @param[out] out   statistics (CRM_STATS_RFM), NULL on failure. Ownership: caller.
 * @return CRM_OK; CRM_E_INVALID (NULL argument, a required column name not
 *         set, bad options, a row with a missing or bad value, naming the
 *         row); CRM_E_NOTFOUND (a named column does not exist); CRM_E_TYPE
 *         (wrong column type); CRM_E_FORMAT (opts from a newer library);
 *         CRM_E_NOMEM. A chunk without rows is fine.
 * Thread-safety: tx is only read.
 */
CRM_API crm_status crm_rfm_stats_compute(const crm_dataset *tx, const crm_rfm_options *opts,
                                         crm_stats **out);

/**
 * The RFM table of merged RFM statistics: bit-identical to crm_rfm() on all
 * the rows with the same options (scores need the global distribution, so
 * they are only computed here).
 * @param[in]  s     CRM_STATS_RFM statistics
 * @param[in]  opts  crm_rfm() options (bins, as_of, active_days,
 *                   inactive_days; churn_days must be 0)
 * @param[out] out   RFM table, NULL on failure. Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID (no customers, bad options), CRM_E_TYPE
 *         (another kind), CRM_E_NOMEM.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_rfm_stats_finalize(const crm_stats *s, const crm_rfm_options *opts,
                                          crm_dataset **out);

/* ------------------------------------------------------------------------ */
/* k-means                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * One Lloyd step over a chunk: assign every row to its nearest center
 * (squared Euclidean distance, ties to the lowest id, as crm_kmeans_fit())
 * and accumulate per-center exact sums, counts and squared distances.
 * Rows with a missing value are refused (CRM_E_INVALID naming column and
 * row), as crm_kmeans_fit().
 * @param[in]  ds       chunk (may have no rows)
 * @param[in]  cols     feature columns (number), d = ncols >= 1
 * @param[in]  ncols    number of features
 * @param[in]  centers  k x d centers, row-major
 * @param[in]  n        k * d
 * @param[in]  k        number of centers, >= 1
 * @param[out] out      statistics (CRM_STATS_KMEANS), NULL on failure. Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID (NULL argument, n != k * d, a non-finite
 *         center, a missing or non-finite value), CRM_E_NOTFOUND, CRM_E_TYPE,
 *         CRM_E_NOMEM.
 * Thread-safety: ds is only read.
 */
CRM_API crm_status crm_kmeans_stats_compute(const crm_dataset *ds, const char *const *cols,
                                            size_t ncols, const double *centers, size_t n,
                                            int32_t k, crm_stats **out);

/**
 * Update step: the new centers are the per-center means (exact sum divided
 * by the count, rounded once); a center with no rows keeps its position.
 * @param[in]  s    merged CRM_STATS_KMEANS statistics
 * @param[out] out  k x d new centers
 * @param[in]  n    k * d
 * @return CRM_OK, CRM_E_INVALID (NULL argument, wrong n), CRM_E_TYPE.
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_kmeans_stats_update(const crm_stats *s, double *out, size_t n);

/**
 * k-means|| (scalable k-means++, Bahmani et al. 2012) candidate step over a
 * chunk: every row x is kept with probability min(1, oversample * D(x) /
 * cost), D(x) the squared distance to the nearest given center, drawn from
 * the library's PRNG seeded by (seed, chunk): the result depends only on the
 * rows, the chunk index and the seed, never on scheduling. With k = 0
 * centers, one row is drawn uniformly per chunk with weight (chunk rows) for
 * the caller to pick the first center from (see docs/scale-out.md). Also
 * accumulates the chunk's cost (sum of D(x)) for the next round.
 * @param[in]  ds          chunk
 * @param[in]  cols        feature columns, d = ncols
 * @param[in]  ncols       number of features
 * @param[in]  centers     current candidate centers, k x d
 * @param[in]  n           k * d (may be 0)
 * @param[in]  k           number of centers (>= 0)
 * @param[in]  oversample  expected rows sampled per round (l), > 0
 * @param[in]  cost        total cost over all chunks at these centers (> 0;
 *                         ignored when k = 0)
 * @param[in]  seed        seed of the round
 * @param[in]  chunk       0-based chunk index (>= 0)
 * @param[out] out         statistics (CRM_STATS_KMEANS_CANDIDATES). Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID, CRM_E_NOTFOUND, CRM_E_TYPE, CRM_E_NOMEM.
 * Thread-safety: ds is only read.
 */
CRM_API crm_status crm_kmeans_stats_candidates(const crm_dataset *ds, const char *const *cols,
                                               size_t ncols, const double *centers, size_t n,
                                               int32_t k, double oversample, double cost,
                                               uint64_t seed, int64_t chunk, crm_stats **out);

/* ------------------------------------------------------------------------ */
/* Logistic and linear regression                                            */
/* ------------------------------------------------------------------------ */

/**
 * The design schema of a chunk: for each text feature its distinct
 * non-missing levels (merged: their union, sorted by bytes), so every chunk
 * builds the same design matrix (first level = reference, terms `col=level`,
 * as crm_logreg_fit()). Number features are recorded by name.
 * @param[in]  ds        chunk
 * @param[in]  features  feature column names
 * @param[in]  nf        number of features (>= 1)
 * @param[out] out       statistics (CRM_STATS_LEVELS). Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID, CRM_E_NOTFOUND, CRM_E_TYPE, CRM_E_NOMEM.
 * Thread-safety: ds is only read.
 */
CRM_API crm_status crm_levels_stats_compute(const crm_dataset *ds, const char *const *features,
                                            size_t nf, crm_stats **out);

/**
 * Number of design terms (coefficients) of a merged schema, intercept first
 * when fit_intercept is 1.
 * @param[in]  levels         merged CRM_STATS_LEVELS statistics
 * @param[in]  fit_intercept  1: count the intercept term
 * @param[out] out            number of terms p
 * @return CRM_OK, CRM_E_INVALID, CRM_E_TYPE.
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: levels is only read.
 */
CRM_API crm_status crm_levels_stats_terms(const crm_stats *levels, int32_t fit_intercept,
                                          size_t *out);

/**
 * Logistic regression statistics of a chunk at coefficients `coef`:
 * gradient and Hessian (X'WX) of the log-likelihood and the log-likelihood.
 * The design follows `levels`; rows with a missing feature or target follow
 * opts.missing (drop or error). Supported options: fit_intercept, l2 (applied
 * in crm_logreg_stats_step), positive, missing; standardize and class_weight
 * must be 0 / none.
 * @param[in]  ds        chunk
 * @param[in]  target    target column (0/1 number, or text with opts.positive)
 * @param[in]  features  feature names (as given to crm_levels_stats_compute)
 * @param[in]  nf        number of features
 * @param[in]  levels    merged CRM_STATS_LEVELS statistics of all chunks
 * @param[in]  opts      options (NULL: defaults)
 * @param[in]  coef      current coefficients (p; zeros to start)
 * @param[in]  ncoef     p, from crm_levels_stats_terms()
 * @param[out] out       statistics (CRM_STATS_LOGREG). Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID, CRM_E_NOTFOUND, CRM_E_TYPE, CRM_E_NOMEM.
 * Thread-safety: inputs are only read.
 */
CRM_API crm_status crm_logreg_stats_compute(const crm_dataset *ds, const char *target,
                                            const char *const *features, size_t nf,
                                            const crm_stats *levels,
                                            const crm_logreg_options *opts, const double *coef,
                                            size_t ncoef, crm_stats **out);

/**
 * Newton update from merged logistic statistics: coef + (H + l2 I')^-1
 * (g - l2 coef') (the intercept is not penalized), with step halving left to
 * the caller (compare loglik).
 * @param[in]  s     merged CRM_STATS_LOGREG statistics
 * @param[in]  opts  options (l2; NULL: defaults)
 * @param[out] out   new coefficients (p)
 * @param[in]  n     p
 * @return CRM_OK, CRM_E_INVALID, CRM_E_TYPE, CRM_E_NUMERIC (singular Hessian).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_logreg_stats_step(const crm_stats *s, const crm_logreg_options *opts,
                                         double *out, size_t n);

/**
 * Linear regression statistics of a chunk: X'X, X'y, y'y and the row count,
 * with the design of `levels`.
 * @param[in]  ds        chunk
 * @param[in]  target    number target column
 * @param[in]  features  feature names
 * @param[in]  nf        number of features
 * @param[in]  levels    merged CRM_STATS_LEVELS statistics
 * @param[in]  opts      options (fit_intercept, missing; NULL: defaults)
 * @param[out] out       statistics (CRM_STATS_LINREG). Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID, CRM_E_NOTFOUND, CRM_E_TYPE, CRM_E_NOMEM.
 * Thread-safety: inputs are only read.
 */
CRM_API crm_status crm_linreg_stats_compute(const crm_dataset *ds, const char *target,
                                            const char *const *features, size_t nf,
                                            const crm_stats *levels,
                                            const crm_linreg_options *opts, crm_stats **out);

/**
 * Least-squares (ridge with opts.l2) coefficients from merged statistics:
 * solves (X'X + l2 I') b = X'y by Cholesky.
 * @param[in]  s     merged CRM_STATS_LINREG statistics
 * @param[in]  opts  options (l2; NULL: defaults)
 * @param[out] out   coefficients (p)
 * @param[in]  n     p
 * @return CRM_OK, CRM_E_INVALID, CRM_E_TYPE, CRM_E_NUMERIC (rank deficient).
 * Ownership: the handles stay the caller's; nothing is retained.
 * Thread-safety: s is only read.
 */
CRM_API crm_status crm_linreg_stats_solve(const crm_stats *s, const crm_linreg_options *opts,
                                          double *out, size_t n);

/* ------------------------------------------------------------------------ */
/* Apriori (SON)                                                             */
/* ------------------------------------------------------------------------ */

/**
 * SON pass 1: the itemsets frequent within a chunk at opts.min_support
 * (relative to the chunk's transactions; min_count must be 0). Merged: the
 * union, which contains every globally frequent itemset. Every row of a
 * transaction must be in the same chunk.
 * @param[in]  tx        chunk of (transaction, item) rows
 * @param[in]  tid_col   transaction column
 * @param[in]  item_col  item column (text)
 * @param[in]  opts      crm_apriori() options (min_support, max_len)
 * @param[out] out       statistics (CRM_STATS_ITEMSETS). Ownership: caller.
 * @return CRM_OK; CRM_E_INVALID (NULL argument, min_count set, bad
 *         options); CRM_E_NOTFOUND (a column does not exist); CRM_E_TYPE
 *         (item column not text); CRM_E_NOMEM. A chunk without transactions
 *         gives no candidates.
 * Thread-safety: tx is only read.
 */
CRM_API crm_status crm_apriori_stats_local(const crm_dataset *tx, const char *tid_col,
                                           const char *item_col,
                                           const crm_apriori_options *opts, crm_stats **out);

/**
 * SON pass 2: the exact count, in a chunk, of every candidate itemset of
 * merged pass-1 statistics, and the chunk's transaction count.
 * @param[in]  tx          chunk
 * @param[in]  tid_col     transaction column
 * @param[in]  item_col    item column (text)
 * @param[in]  candidates  merged CRM_STATS_ITEMSETS statistics
 * @param[out] out         statistics (CRM_STATS_ITEM_COUNTS). Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID, CRM_E_NOTFOUND, CRM_E_TYPE, CRM_E_NOMEM.
 * Thread-safety: inputs are only read.
 */
CRM_API crm_status crm_apriori_stats_count(const crm_dataset *tx, const char *tid_col,
                                           const char *item_col, const crm_stats *candidates,
                                           crm_stats **out);

/**
 * The itemsets and rules tables of crm_apriori() from merged pass-2 counts:
 * the same rows, order and counts as crm_apriori() on all the transactions.
 * @param[in]  counts         merged CRM_STATS_ITEM_COUNTS statistics
 * @param[in]  opts           crm_apriori() options
 * @param[out] out_itemsets   itemsets table, NULL on failure. Ownership: caller.
 * @param[out] out_rules      rules table, NULL on failure. Ownership: caller.
 * @return CRM_OK, CRM_E_INVALID, CRM_E_TYPE, CRM_E_NOMEM.
 * Thread-safety: counts is only read.
 */
CRM_API crm_status crm_apriori_stats_finalize(const crm_stats *counts,
                                              const crm_apriori_options *opts,
                                              crm_dataset **out_itemsets,
                                              crm_dataset **out_rules);

CRM_END_DECL

#endif /* CRM_STATS_H */
