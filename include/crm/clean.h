/**
 * @file crm/clean.h
 * @brief Cleaning a dataset in place: duplicates, missing values, imputation,
 *        outliers and type conversion.
 *
 * Every function here changes its dataset in place (see "Values and
 * in-place operations" in crm/common.h) and is all-or-nothing: the new
 * columns are built first and swapped in only when everything succeeded, so
 * a failed call leaves the dataset exactly as it was (and leaks nothing).
 * Strings borrowed from a dataset (crm_dataset_get_text(), column names)
 * become invalid when a call here changes it. To keep the original, clean a
 * crm_dataset_clone() of it.
 *
 * Conventions, named so that results can be compared with the tools
 * analysts use:
 * - Duplicates follow pandas' DataFrame.drop_duplicates(): keep the first,
 *   the last or none of each set of equal rows; the kept rows stay in their
 *   order; missing equals missing (NaN == NaN) and 0.0 equals -0.0.
 * - Quantiles are numpy's default linear rule (R type 7, pandas' default).
 *   Medians are numpy's median (mean of the two middle values for an even
 *   count), as scikit-learn's SimpleImputer and np.median compute them.
 * - Means are exactly rounded sums (math.fsum) divided by the count; the
 *   standard deviation has ddof = 1 (pandas' Series.std()).
 */
#ifndef CRM_CLEAN_H
#define CRM_CLEAN_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/* ------------------------------------------------------------------------ */
/* Duplicates and missing values                                             */
/* ------------------------------------------------------------------------ */

/**
 * Which row of a set of duplicates crm_clean_dedup() keeps.
 * @type[enum] crm_keep
 */
typedef enum crm_keep {
    CRM_KEEP_FIRST = 1, /**< the first occurrence (pandas keep="first") */
    CRM_KEEP_LAST = 2,  /**< the last occurrence (pandas keep="last") */
    CRM_KEEP_NONE = 3   /**< drop every row that has a duplicate (pandas keep=False) */
} crm_keep;

/**
 * Remove duplicate rows in place. Two rows are duplicates when they are equal
 * in every key column (every column when nkeys is 0): numbers compare by
 * value with missing equal to missing and 0.0 equal to -0.0, texts by their
 * bytes, times by their seconds (missing equal to missing). The rows kept
 * stay in their original order. Same result as pandas'
 * `df.drop_duplicates(subset=keys, keep=...)`.
 * Runs in expected linear time (one hash of the keys per row).
 * @param[in,out] ds       dataset to clean
 * @param[in]     keys     key column names, or NULL when nkeys is 0
 * @param[in]     nkeys    number of keys; 0 means all columns
 * @param[in]     keep     CRM_KEEP_FIRST, CRM_KEEP_LAST or CRM_KEEP_NONE
 *                         (@type[enum] crm_keep)
 * @param[out]    out_removed  number of rows removed (may be NULL); 0 on failure
 * @return CRM_OK; CRM_E_INVALID (ds NULL, keys NULL with nkeys > 0, a NULL
 *         key, a key listed twice, keep out of range, 2^32 - 1 rows or more);
 *         CRM_E_NOTFOUND (unknown key, named);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: keys stay the caller's; the removed rows are released.
 * Thread-safety: ds must not be used by another thread during the call.
 */
CRM_API crm_status crm_clean_dedup(crm_dataset *ds, const char *const *keys, size_t nkeys,
                                   int32_t keep, size_t *out_removed);

/**
 * Remove, in place, every row that is missing in any of the listed columns
 * (in any column when count is 0), as pandas' `df.dropna(subset=cols)`. The
 * rows kept stay in their order.
 * @param[in,out] ds       dataset to clean
 * @param[in]     cols     column names, or NULL when count is 0
 * @param[in]     count    number of columns; 0 means all columns
 * @param[out]    out_removed  number of rows removed (may be NULL); 0 on failure
 * @return CRM_OK; CRM_E_INVALID (ds NULL, cols NULL with count > 0, a NULL
 *         name, a column listed twice); CRM_E_NOTFOUND (unknown column,
 *         named); CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: cols stay the caller's; the removed rows are released.
 * Thread-safety: ds must not be used by another thread during the call.
 */
CRM_API crm_status crm_clean_drop_missing(crm_dataset *ds, const char *const *cols,
                                          size_t count, size_t *out_removed);

/* ------------------------------------------------------------------------ */
/* Imputation                                                                */
/* ------------------------------------------------------------------------ */

/**
 * How crm_clean_impute() fills missing cells.
 * @type[enum] crm_impute_method
 */
typedef enum crm_impute_method {
    CRM_IMPUTE_MEAN = 1,     /**< mean of the non-missing values (number columns) */
    CRM_IMPUTE_MEDIAN = 2,   /**< median of the non-missing values (number columns) */
    CRM_IMPUTE_MODE = 3,     /**< most frequent value, ties to the smallest (any type) */
    CRM_IMPUTE_CONSTANT = 4, /**< a constant from the options (any type) */
    CRM_IMPUTE_LINEAR = 5    /**< linear interpolation in row order or order_by order */
} crm_impute_method;

/**
 * Options of crm_clean_impute(). Initialise with
 * crm_impute_options_init(&o, sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_impute_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    double constant;           /**< CRM_IMPUTE_CONSTANT value for number columns, and for time
                                    columns in seconds since the epoch (must be a whole
                                    number); default 0 */
    const char *text_constant; /**< CRM_IMPUTE_CONSTANT value for text columns (UTF-8,
                                    copied); default NULL, which a text column refuses */
    const char *order_by;      /**< CRM_IMPUTE_LINEAR: a number or time column giving the
                                    position of each row (e.g. the invoice date); default
                                    NULL = row order */
    /* ---- v1.0 ends here; append new fields below only ---- */
} crm_impute_options;

/**
 * Write the default imputation options into `opts` (constant 0,
 * text_constant NULL, order_by NULL).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK; CRM_E_INVALID (opts NULL or size smaller than the v1.0
 *         struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_impute_options_init(crm_impute_options *opts, size_t size);

/**
 * Fill the missing cells of one column in place.
 *
 * - CRM_IMPUTE_MEAN: the mean of the non-missing values, exactly rounded
 *   sum / count (scikit-learn's SimpleImputer(strategy="mean") sums with
 *   numpy's pairwise rule and may differ in the last bit).
 * - CRM_IMPUTE_MEDIAN: numpy's median of the non-missing values (the mean
 *   (a + b) / 2 of the two middle values for an even count), as
 *   SimpleImputer(strategy="median").
 * - CRM_IMPUTE_MODE: the most frequent non-missing value; ties go to the
 *   smallest value (numbers and times by value, texts by byte order, which
 *   is code point order), as SimpleImputer(strategy="most_frequent").
 *   Works on number, text and time columns.
 * - CRM_IMPUTE_CONSTANT: opts->constant (number; time, as seconds) or
 *   opts->text_constant (text).
 * - CRM_IMPUTE_LINEAR: linear interpolation between the nearest non-missing
 *   neighbours. Without opts->order_by the position of a row is its index,
 *   exactly pandas' Series.interpolate(method="linear"): missing cells
 *   before the first value stay missing, cells after the last value take the
 *   last value. With order_by, each missing cell at position t gets
 *   numpy.interp(t, T, Y) where (T, Y) are the non-missing cells sorted by
 *   their position (stable), with the same rule at the ends: positions
 *   before the first T stay missing, positions after the last T take the
 *   last Y. A column without any value is left as it is (*out_filled = 0).
 * Mean, median and mode of a column without any non-missing value (and at
 * least one row) are undefined: CRM_E_NUMERIC, the dataset is unchanged.
 * @param[in,out] ds      dataset to change
 * @param[in]     col     column to fill
 * @param[in]     method  one of ::crm_impute_method (@type[enum] crm_impute_method)
 * @param[in]     opts    options, or NULL for defaults
 * @param[out]    out_filled  number of cells filled (may be NULL); 0 on failure
 * @return CRM_OK; CRM_E_INVALID (NULL ds or col, unknown method, NaN
 *         constant, text column without text_constant, text_constant not
 *         valid UTF-8, time constant not a whole number in range, order_by
 *         naming col itself, order_by missing at a row that takes part: the
 *         message names the row);
 *         CRM_E_NOTFOUND (col or order_by unknown); CRM_E_TYPE (mean, median
 *         or linear of a non-number column; order_by of text); CRM_E_NUMERIC
 *         (mean, median or mode of an all-missing column); CRM_E_FORMAT
 *         (opts from a newer library with unknown fields set);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: col, opts and its strings stay the caller's (text_constant is
 * copied into the column's dictionary).
 * Thread-safety: ds must not be used by another thread during the call.
 */
CRM_API crm_status crm_clean_impute(crm_dataset *ds, const char *col, int32_t method,
                                    const crm_impute_options *opts, size_t *out_filled);

/* ------------------------------------------------------------------------ */
/* Outliers                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Outlier rules of crm_clean_outliers(). Each is computed over the
 * non-missing values of the column.
 * @type[enum] crm_outlier_rule
 */
typedef enum crm_outlier_rule {
    /** |x - mean| / std > k with std of ddof = 1 (pandas' Series.std());
     *  default k = 3. Bounds: mean -+ k * std. */
    CRM_OUTLIER_ZSCORE = 1,
    /** Tukey's fences: x < Q1 - k * IQR or x > Q3 + k * IQR with Q1, Q3 by
     *  numpy's default linear rule and IQR = Q3 - Q1; default k = 1.5. */
    CRM_OUTLIER_IQR = 2,
    /** Modified z-score of Iglewicz and Hoaglin: |0.6745 * (x - median) /
     *  MAD| > k, MAD = median(|x - median|) (unscaled, numpy medians);
     *  default k = 3.5. 0.6745 is 1 / 1.4826, the scale of R's mad(): the
     *  score equals (x - median) / mad(x) of R to four digits. Bounds:
     *  median -+ k * MAD / 0.6745. */
    CRM_OUTLIER_MAD = 3
} crm_outlier_rule;

/**
 * What crm_clean_outliers() does with the outliers it finds.
 * @type[enum] crm_outlier_action
 */
typedef enum crm_outlier_action {
    /** add a number column `<col>_outlier`: 1 for an outlier, 0 otherwise,
     *  missing where the value is missing */
    CRM_OUTLIER_FLAG = 1,
    CRM_OUTLIER_DROP = 2, /**< remove the rows holding an outlier (order kept) */
    CRM_OUTLIER_CLIP = 3  /**< replace each outlier by the bound on its side */
} crm_outlier_action;

/**
 * Find the outliers of a number column by a rule and flag, drop or clip
 * them in place. Missing values are never outliers and stay missing.
 * When the spread is zero (std = 0, IQR = 0 or MAD = 0, e.g. a constant
 * column) or there are too few values (fewer than 2 for z-scores, none for
 * the others), nothing is an outlier: the call succeeds with *out_affected = 0
 * (FLAG still adds its column of zeros). Infinite values take part in the
 * statistics as numpy would (an infinite value makes the mean and std
 * infinite or NaN, and then nothing is flagged by z-score).
 * @param[in,out] ds        dataset to change
 * @param[in]     col       number column to examine
 * @param[in]     rule      one of ::crm_outlier_rule (@type[enum] crm_outlier_rule)
 * @param[in]     k         threshold; 0 means the rule's default (3, 1.5, 3.5)
 * @param[in]     action    one of ::crm_outlier_action (@type[enum] crm_outlier_action)
 * @param[out]    out_affected  number of outliers found (flagged, dropped or
 *                              clipped; may be NULL); 0 on failure
 * @return CRM_OK; CRM_E_INVALID (NULL ds or col, unknown rule or action, k
 *         negative or not finite, FLAG when `<col>_outlier` already exists);
 *         CRM_E_NOTFOUND (unknown column); CRM_E_TYPE (not a number column);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free()); CRM_E_NOMEM.
 *         On failure ds is unchanged.
 * Ownership: col stays the caller's; with DROP the removed rows are released.
 * Thread-safety: ds must not be used by another thread during the call.
 */
CRM_API crm_status crm_clean_outliers(crm_dataset *ds, const char *col, int32_t rule, double k,
                                      int32_t action, size_t *out_affected);

/* ------------------------------------------------------------------------ */
/* Type conversion                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Convert a column to another type in place (it keeps its name and
 * position). Missing stays missing. Conversions:
 * - text -> number: each value must be a number as the CSV reader accepts it
 *   (surrounding spaces, sign, exponent, inf), correctly rounded; `format`
 *   is NULL or "." for a decimal point, "," for a decimal comma.
 * - text -> time: with format NULL, each value in one of the CSV reader's
 *   forms (ISO 8601 date or date-time, with optional fraction (truncated)
 *   and Z or +HH:MM offset; US M/D/YYYY [H:MM[:SS]]); otherwise a
 *   strptime-style format using %Y %m %d %H %M %S %y %b %p %% and literal
 *   characters (as crm_csv_options.date_format).
 * - number -> text: the shortest text that reads back to the same double
 *   ("12", "0.1", "1e+300", "inf"); format must be NULL.
 * - time -> text: `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DD` when every value is
 *   at midnight (as the CSV writer), or the strptime-style format given.
 * - number -> time: the number is seconds since the epoch; a fraction is
 *   truncated toward zero. time -> number: seconds since the epoch.
 * - to the same type: nothing changes.
 * @param[in,out] ds      dataset to change
 * @param[in]     col     column to convert
 * @param[in]     type    target type, one of ::crm_type (@type[enum] crm_type)
 * @param[in]     format  see above; NULL for the defaults
 * @return CRM_OK; CRM_E_INVALID (NULL ds or col, unknown type, a format that
 *         does not apply or has an unsupported directive); CRM_E_NOTFOUND
 *         (unknown column); CRM_E_PARSE (a text that is not a number or a
 *         date-time: the message names the column, the 0-based row and the
 *         value); CRM_E_NUMERIC (number -> time of a non-finite or
 *         out-of-range value, naming the row);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: col and format stay the caller's; strings borrowed from the
 * converted column become invalid.
 * Thread-safety: ds must not be used by another thread during the call.
 */
CRM_API crm_status crm_clean_convert(crm_dataset *ds, const char *col, int32_t type,
                                     const char *format);

CRM_END_DECL

#endif /* CRM_CLEAN_H */
