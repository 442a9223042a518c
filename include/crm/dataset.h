/**
 * @file crm/dataset.h
 * @brief crm_dataset: a table of typed columns, read from and written to CSV.
 *
 * Every libcrm analysis reads a dataset and returns its results as datasets,
 * so results compose (RFM table -> k-means -> join -> CSV).
 *
 * Column types:
 * - CRM_TYPE_NUMBER: IEEE double; NaN is missing.
 * - CRM_TYPE_TEXT: UTF-8 strings, dictionary-encoded (each distinct string is
 *   stored once and rows hold int32 codes into the column's dictionary, in
 *   order of first appearance); missing is code -1 and reads back as NULL.
 * - CRM_TYPE_TIME: int64 seconds since 1970-01-01T00:00:00 UTC;
 *   CRM_TIME_MISSING is missing.
 *
 * Columns and rows are addressed by 0-based index in accessors; analysis calls
 * take column names. Column names are unique, non-empty UTF-8.
 *
 * Values and in-place operations (crm/common.h has the full list). The
 * functions here that take a `const crm_dataset *` never change it, and
 * those that hand back a dataset create a new one. Six change a dataset in
 * place: crm_dataset_add_number(), _add_text(), _add_time(), _drop_column(),
 * _rename_column() and crm_dataset_mutate(); so do the cleaning functions of
 * crm/clean.h and crm_model_predict(). Each is all-or-nothing: a failed call
 * leaves the dataset, and every dataset it shares a text dictionary with,
 * exactly as it was.
 *
 * Ownership. Datasets handed out through `crm_dataset **out` belong to the
 * caller (free with crm_dataset_free()); inputs - names, values, expressions,
 * options - are copied or only read during the call and stay the caller's.
 * Borrowed strings (column names, text cells, dictionary entries) stay valid
 * until the dataset is changed in place or freed.
 *
 * Thread-safety. Functions taking a `const crm_dataset *` only read it:
 * other threads may read the same dataset meanwhile. The in-place functions
 * need the dataset to themselves for the duration of the call.
 */
#ifndef CRM_DATASET_H
#define CRM_DATASET_H

#include "crm/common.h"

CRM_BEGIN_DECL

/** A table of typed columns. Opaque; create with crm_dataset_new() or a reader. */
typedef struct crm_dataset crm_dataset;

/**
 * Column types.
 * @type[enum] crm_type
 */
typedef enum crm_type {
    CRM_TYPE_NUMBER = 1, /**< double, NaN = missing */
    CRM_TYPE_TEXT = 2,   /**< UTF-8, dictionary-encoded, NULL = missing */
    CRM_TYPE_TIME = 3    /**< int64 seconds since the Unix epoch (UTC) */
} crm_type;

/** Missing value of a CRM_TYPE_TIME cell (INT64_MIN). */
#define CRM_TIME_MISSING (-9223372036854775807LL - 1)

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Create an empty dataset (no columns, no rows). The first column added fixes
 * the number of rows.
 * @param[out] out  new dataset, NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (out is NULL); CRM_E_NOMEM.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_dataset_new(crm_dataset **out);

/**
 * Free a dataset and every string borrowed from it. NULL is a harmless no-op.
 * Models fitted on the dataset and datasets derived from it stay valid (a text
 * dictionary shared with a clone or selection lives on in them).
 *
 * In use. The calls that may run user code while they read a dataset (a
 * progress callback, crm_progress_fn) - crm_kmeans_fit(), crm_kmeans_elbow(),
 * crm_logreg_fit(), crm_tree_fit(), crm_tree_pruning_path(), crm_apriori(),
 * crm_arima_fit_many() - and the other fits, crm_linreg_fit() and
 * crm_arima_fit_dataset(), hold their input dataset for the whole call,
 * whether or not a callback is set. Meanwhile the dataset is "in use":
 * - crm_dataset_free() may be called (from the callback, or from another
 *   thread): the handle is ended for the caller at once, but the storage is
 *   freed only when the last running call that uses the dataset returns, and
 *   those calls finish on the data they started with;
 * - every function that changes it in place (crm/common.h, "Values and
 *   in-place operations") refuses it with CRM_E_STATE ("crm_dataset_mutate:
 *   the dataset is in use by a running call (a progress callback may not
 *   change it)") and leaves it unchanged;
 * - reads stay allowed, other fits included (from the callback or other
 *   threads).
 * Once those calls have returned, the dataset can be changed again.
 * @param[in] ds  dataset to free, or NULL
 * Cannot fail.
 * Ownership: ds is released; it and the strings borrowed from it must not be
 * used afterwards (a running call that uses it keeps the storage until it
 * returns, see above).
 * Thread-safety: no other thread may use ds meanwhile, except the running
 * calls that hold it (see "In use").
 */
CRM_API void crm_dataset_free(crm_dataset *ds);

/**
 * Deep copy of a dataset: same column names, types, cells and row count (text
 * dictionaries are shared read-only, which is invisible to the caller: an
 * in-place change of either dataset never shows in the other).
 * @param[in]  ds   dataset to copy
 * @param[out] out  the copy, NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (ds or out is NULL); CRM_E_NOMEM.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_clone(const crm_dataset *ds, crm_dataset **out);

/* ------------------------------------------------------------------------ */
/* Building from host memory                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Append a number column to ds, in place. Values are copied; NaN means
 * missing, +-Inf are kept as given.
 * @param[in,out] ds      dataset to extend
 * @param[in]     name    column name (UTF-8, non-empty, not already present)
 * @param[in]     values  n doubles (may be NULL only when n is 0)
 * @param[in]     n       number of values; must equal crm_dataset_nrows(ds)
 *                        unless ds has no columns yet
 * @return CRM_OK; CRM_E_INVALID (ds NULL, values NULL with n > 0, name NULL,
 *         empty, not valid UTF-8 or already a column, n differs from the row
 *         count; the message names the column);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: name and values are copied and stay the caller's; the new column
 * belongs to ds.
 * Thread-safety: no other thread may use ds during the call.
 */
CRM_API crm_status crm_dataset_add_number(crm_dataset *ds, const char *name, const double *values,
                                          size_t n);

/**
 * Append a text column to ds, in place. Strings are copied into the column's
 * dictionary (codes in order of first appearance); a NULL entry means missing.
 * @param[in,out] ds      dataset to extend
 * @param[in]     name    column name (see crm_dataset_add_number())
 * @param[in]     values  n NUL-terminated UTF-8 strings or NULLs (may be NULL
 *                        only when n is 0)
 * @param[in]     n       number of values; must equal the row count unless ds
 *                        has no columns yet
 * @return CRM_OK; CRM_E_INVALID (as crm_dataset_add_number(), or a value that
 *         is not valid UTF-8: the message names the column, the 0-based row
 *         and the byte); CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: name and the strings are copied and stay the caller's; the new
 * column belongs to ds.
 * Thread-safety: no other thread may use ds during the call.
 */
CRM_API crm_status crm_dataset_add_text(crm_dataset *ds, const char *name,
                                        const char *const *values, size_t n);

/**
 * Append a time column of seconds since the Unix epoch (UTC) to ds, in place.
 * Values are copied; CRM_TIME_MISSING means missing.
 * @param[in,out] ds      dataset to extend
 * @param[in]     name    column name (see crm_dataset_add_number())
 * @param[in]     values  n int64 seconds (may be NULL only when n is 0)
 * @param[in]     n       number of values; must equal the row count unless ds
 *                        has no columns yet
 * @return CRM_OK; CRM_E_INVALID (as crm_dataset_add_number()); CRM_E_STATE (ds
 *         is in use by a running call: crm_dataset_free()); CRM_E_NOMEM.
 *         On failure ds is unchanged.
 * Ownership: name and values are copied and stay the caller's; the new column
 * belongs to ds.
 * Thread-safety: no other thread may use ds during the call.
 */
CRM_API crm_status crm_dataset_add_time(crm_dataset *ds, const char *name, const int64_t *values,
                                        size_t n);

/**
 * Remove a column from ds, in place. The columns after it move down one index;
 * removing the last column leaves a dataset of 0 rows.
 * @param[in,out] ds    dataset
 * @param[in]     name  column to remove
 * @return CRM_OK; CRM_E_INVALID (ds or name NULL); CRM_E_NOTFOUND (no such
 *         column, naming it);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free()). On failure ds is
 *         unchanged.
 * Ownership: the column's memory is released; strings borrowed from ds before
 * the call must not be used afterwards (crm/common.h). name stays the caller's.
 * Thread-safety: no other thread may use ds during the call.
 */
CRM_API crm_status crm_dataset_drop_column(crm_dataset *ds, const char *name);

/**
 * Rename a column of ds, in place (it keeps its position, type and cells).
 * Renaming a column to its own name does nothing.
 * @param[in,out] ds        dataset
 * @param[in]     name      current name
 * @param[in]     new_name  new name (non-empty UTF-8, not used by another column)
 * @return CRM_OK; CRM_E_INVALID (NULL argument, new_name empty, not valid
 *         UTF-8 or the name of another column); CRM_E_NOTFOUND (no column
 *         `name`, naming it); CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: new_name is copied; name and new_name stay the caller's. The old
 * name, if borrowed from ds, becomes invalid.
 * Thread-safety: no other thread may use ds during the call.
 */
CRM_API crm_status crm_dataset_rename_column(crm_dataset *ds, const char *name,
                                             const char *new_name);

/* ------------------------------------------------------------------------ */
/* Introspection and access                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Number of rows.
 * @param[in] ds  dataset; NULL gives 0
 * @return the row count (cannot fail)
 * Ownership: nothing changes hands.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API size_t crm_dataset_nrows(const crm_dataset *ds);

/**
 * Number of columns.
 * @param[in] ds  dataset; NULL gives 0
 * @return the column count (cannot fail)
 * Ownership: nothing changes hands.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API size_t crm_dataset_ncols(const crm_dataset *ds);

/**
 * Name of column `col`.
 * @param[in]  ds   dataset
 * @param[in]  col  0-based column index
 * @param[out] out  the name, NULL on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range).
 * Ownership: out is borrowed from ds; valid until ds is changed in place or
 * freed.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_column_name(const crm_dataset *ds, size_t col, const char **out);

/**
 * Index of the column called `name` (exact, case-sensitive match).
 * @param[in]  ds    dataset
 * @param[in]  name  column name
 * @param[out] out   0-based index; 0 on failure
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_NOTFOUND (no such
 *         column; the message names it).
 * Ownership: name stays the caller's.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_column_index(const crm_dataset *ds, const char *name, size_t *out);

/**
 * Type of column `col`.
 * @param[in]  ds   dataset
 * @param[in]  col  0-based column index
 * @param[out] out  one of ::crm_type (@type[enum] crm_type); 0 on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range).
 * Ownership: nothing changes hands.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_column_type(const crm_dataset *ds, size_t col, int32_t *out);

/**
 * Number of missing cells in column `col` (NaN, CRM_TIME_MISSING or a missing
 * text, by the column's type).
 * @param[in]  ds   dataset
 * @param[in]  col  0-based column index
 * @param[out] out  missing count; 0 on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range).
 * Ownership: nothing changes hands.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_missing(const crm_dataset *ds, size_t col, size_t *out);

/**
 * Copy rows [row0, row0 + n) of a number column into caller memory.
 * @param[in]  ds    dataset
 * @param[in]  col   0-based index of a CRM_TYPE_NUMBER column
 * @param[in]  row0  first row
 * @param[in]  n     number of rows; row0 + n must not exceed the row count
 * @param[out] out   n doubles (NaN where missing); unchanged on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range, rows out
 *         of range); CRM_E_TYPE (not a number column, naming it and its type).
 * Ownership: out is the caller's memory, room for n values.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_get_number(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                                          double *out);

/**
 * Text of one cell.
 * @param[in]  ds   dataset
 * @param[in]  col  0-based index of a CRM_TYPE_TEXT column
 * @param[in]  row  0-based row
 * @param[out] out  UTF-8 string, NULL when the cell is missing (status is
 *                  still CRM_OK) and on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col or row out of range);
 *         CRM_E_TYPE (not a text column, naming it and its type).
 * Ownership: out is borrowed from ds; valid until ds is changed in place or
 * freed.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_get_text(const crm_dataset *ds, size_t col, size_t row,
                                        const char **out);

/**
 * Copy rows [row0, row0 + n) of a time column into caller memory.
 * @param[in]  ds    dataset
 * @param[in]  col   0-based index of a CRM_TYPE_TIME column
 * @param[in]  row0  first row
 * @param[in]  n     number of rows; row0 + n must not exceed the row count
 * @param[out] out   n int64 seconds (CRM_TIME_MISSING where missing);
 *                   unchanged on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range, rows out
 *         of range); CRM_E_TYPE (not a time column, naming it and its type).
 * Ownership: out is the caller's memory, room for n values.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_get_time(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                                        int64_t *out);

/**
 * Dictionary codes of rows [row0, row0 + n) of a text column: code c refers to
 * crm_dataset_text_level(ds, col, c); -1 means missing. Codes are assigned in
 * order of first appearance. Bindings use it to convert whole columns without
 * one call per cell.
 * @param[in]  ds    dataset
 * @param[in]  col   0-based index of a CRM_TYPE_TEXT column
 * @param[in]  row0  first row
 * @param[in]  n     number of rows; row0 + n must not exceed the row count
 * @param[out] out   n codes; unchanged on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range, rows out
 *         of range); CRM_E_TYPE (not a text column, naming it and its type).
 * Ownership: out is the caller's memory, room for n values.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_get_codes(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                                         int32_t *out);

/**
 * Number of entries in a text column's dictionary. Every entry is used by at
 * least one row of a dataset read from CSV or built with
 * crm_dataset_add_text(); after select/sort/head/filter a dictionary may hold
 * entries no remaining row uses.
 * @param[in]  ds   dataset
 * @param[in]  col  0-based index of a CRM_TYPE_TEXT column
 * @param[out] out  number of dictionary entries; 0 on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range);
 *         CRM_E_TYPE (not a text column).
 * Ownership: nothing changes hands.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_text_levels(const crm_dataset *ds, size_t col, size_t *out);

/**
 * One entry of a text column's dictionary.
 * @param[in]  ds    dataset
 * @param[in]  col   0-based index of a CRM_TYPE_TEXT column
 * @param[in]  code  0 <= code < crm_dataset_text_levels()
 * @param[out] out   the entry, NULL on failure
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, col out of range, code out
 *         of range); CRM_E_TYPE (not a text column).
 * Ownership: out is borrowed from ds; valid until ds is changed in place or
 * freed.
 * Thread-safety: only reads ds; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_text_level(const crm_dataset *ds, size_t col, size_t code,
                                          const char **out);

/* ------------------------------------------------------------------------ */
/* Derived datasets                                                          */
/* ------------------------------------------------------------------------ */

/**
 * New dataset holding the named columns, in the order given (a name may not
 * repeat), with all rows.
 * @param[in]  ds     dataset
 * @param[in]  names  column names
 * @param[in]  n      number of names (>= 1)
 * @param[out] out    new dataset, NULL on failure.
 *                    Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (ds, names or out NULL, n is 0, a NULL name,
 *         a name listed twice); CRM_E_NOTFOUND (the message names the column);
 *         CRM_E_NOMEM.
 * Ownership: names stay the caller's.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_select(const crm_dataset *ds, const char *const *names, size_t n,
                                      crm_dataset **out);

/**
 * New dataset with the rows in sorted order. The sort is stable and by
 * several keys: rows are compared on keys[0], ties on keys[1], and so on; rows
 * equal on every key keep their input order. Numbers and times compare
 * numerically, text by unsigned bytes of UTF-8 (= Unicode code point order).
 * Missing values sort last in both directions (pandas' na_position="last").
 * Time O(n log n) comparisons for n rows.
 * @param[in]  ds          dataset
 * @param[in]  keys        column names to sort by
 * @param[in]  nkeys       number of keys (>= 1)
 * @param[in]  descending  NULL for all ascending, or nkeys flags (0 ascending,
 *                         non-zero descending)
 * @param[out] out         sorted dataset, NULL on failure.
 *                         Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (ds, keys or out NULL, nkeys is 0, a NULL
 *         key); CRM_E_NOTFOUND (a key is not a column, naming it); CRM_E_NOMEM.
 * Ownership: keys and descending stay the caller's.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_sort(const crm_dataset *ds, const char *const *keys, size_t nkeys,
                                    const int32_t *descending, crm_dataset **out);

/**
 * New dataset with the first n rows (all rows when n exceeds the row count).
 * @param[in]  ds   dataset
 * @param[in]  n    rows to keep
 * @param[out] out  new dataset, NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL); CRM_E_NOMEM.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_head(const crm_dataset *ds, size_t n, crm_dataset **out);

/**
 * Per-column summary, one row per column of ds, with columns
 * `column` (text), `type` ("number", "text" or "time"), `count` (non-missing
 * cells), `missing`, `mean`, `std`, `min`, `q25`, `median`, `q75`, `max`
 * and `distinct` (number of distinct non-missing values).
 * For number columns the moments ignore missing cells; `std` is the sample
 * standard deviation (n - 1 denominator, NaN below two values); quantiles use
 * linear interpolation between order statistics (numpy's default, R type 7,
 * pandas' describe()). The mean is computed from an exactly rounded sum.
 * For time columns, mean/min/quantiles/max are seconds since the epoch and
 * std is NaN. For text columns only count, missing and distinct are set, the
 * rest is NaN.
 * @param[in]  ds   dataset
 * @param[out] out  summary dataset, NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL); CRM_E_NOMEM.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_describe(const crm_dataset *ds, crm_dataset **out);

/* ------------------------------------------------------------------------ */
/* Expressions: filter and mutate                                            */
/* ------------------------------------------------------------------------ */

/*
 * One small expression language serves crm_dataset_filter(),
 * crm_dataset_mutate() and the command line (guide: docs/expressions.md):
 * - literals: numbers (12, -3.5, 1e3, .5), 'text' (a quote inside is doubled:
 *   'O''Brien'), true, false (the numbers 1 and 0);
 * - column names, bare (ASCII letters, digits, _ and ., not starting with a digit)
 *   or in double quotes for any other name ("Unit Price"; a double quote inside
 *   is doubled);
 * - arithmetic + - * / on numbers (division by zero gives missing), unary -;
 *   time - time gives seconds, time + number and time - number add or
 *   subtract seconds (truncated toward zero; missing on overflow);
 * - comparisons = != < <= > >= (also == and <>) between two numbers, two
 *   texts (byte order, case-sensitive) or two times; a time is compared with
 *   date('...'), never with a text;
 * - and, or, not (words), parentheses;
 * - x is missing, x is not missing (any type; never missing themselves);
 * - date('2011-12-09'), date('2011-12-09 08:26') and date('2011-12-09 08:26:00')
 *   time literals (UTC; 'T' may replace the space);
 * - functions startswith(s, 'prefix'), contains(s, 'part') (s text, the
 *   pattern a text literal; case-sensitive), abs(x), log(x) (natural; missing
 *   for x <= 0), log1p(x) (log(1 + x) without rounding 1 + x first; missing
 *   for x <= -1), exp(x), round(x) (half away from zero) and round(x, digits)
 *   (digits a whole-number literal in -22..22: round(x * 10^digits) / 10^digits
 *   in double precision, halves away from zero), year(t), month(t), day(t)
 *   (UTC), days_between(a, b) (whole days from time a to time b, b - a,
 *   rounded toward zero).
 * Keywords and function names are case-insensitive; column names are not.
 * Missing values propagate like SQL NULL: arithmetic and functions on a
 * missing value give missing; a comparison with missing gives missing; `not`
 * of missing is missing; `and`/`or` are three-valued (false and missing =
 * false, true or missing = true, otherwise missing). A number used as a
 * condition is true when non-zero. A filter keeps only rows where the
 * condition is true (missing counts as false). Precedence, lowest first: or,
 * and, not, comparisons and `is` (which do not chain: `1 < x < 3` is an
 * error), + -, * /, unary -; + - * / are left-associative. Parentheses,
 * function calls, `not` and unary - nest at most 100 deep.
 * An expression is compiled once and evaluated column at a time.
 * Errors: CRM_E_PARSE for malformed text, including unknown functions, a
 * wrong number of arguments and bad date literals, with the 1-based character
 * position ("expr:14: expected ')', found end of expression"); CRM_E_NOTFOUND
 * for an unknown column ("expr:1: no column named \"Qty\""); CRM_E_TYPE for
 * operands of the wrong type (naming the column or function and the types
 * involved).
 */

/**
 * New dataset with the rows of ds for which `expr` is true, in their order.
 * @param[in]  ds    dataset
 * @param[in]  expr  condition in the expression language above, e.g.
 *                   `CustomerID is not missing and Quantity > 0 and not startswith(InvoiceNo, 'C')`
 * @param[out] out   filtered dataset (possibly with 0 rows), NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_PARSE (malformed
 *         expression, with the character position); CRM_E_NOTFOUND (unknown
 *         column); CRM_E_TYPE (operands of the wrong type, or a condition that
 *         is not boolean/number); CRM_E_NOMEM.
 * Ownership: expr stays the caller's.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_filter(const crm_dataset *ds, const char *expr, crm_dataset **out);

/**
 * Add a column computed by `expr` to ds, in place, or replace the column of
 * that name in place (it keeps its position). The type follows the
 * expression: number (comparisons and logic give 1/0, missing stays missing),
 * time, or text (a text result is a column reference, copied, or a text
 * literal repeated on every row). The expression may use the column it
 * replaces.
 * @param[in,out] ds    dataset
 * @param[in]     name  name of the new or replaced column
 * @param[in]     expr  expression, e.g. `Quantity * UnitPrice`
 * @return CRM_OK; CRM_E_INVALID (NULL argument, a new name that is empty or
 *         not valid UTF-8); CRM_E_PARSE (malformed expression, with the
 *         character position); CRM_E_NOTFOUND (unknown column); CRM_E_TYPE
 *         (operands of the wrong type);
 *         CRM_E_STATE (ds is in use by a running call: crm_dataset_free());
 *         CRM_E_NOMEM. On failure ds is unchanged.
 * Ownership: name is copied; name and expr stay the caller's. The new column
 * belongs to ds; strings borrowed from a replaced column become invalid.
 * Thread-safety: no other thread may use ds during the call.
 */
CRM_API crm_status crm_dataset_mutate(crm_dataset *ds, const char *name, const char *expr);

/**
 * The columns an expression refers to, without a dataset: a new dataset
 * with one text column `column`, one row per distinct name in order of
 * first appearance (a quoted name without its quotes). Used to read only
 * the columns a filter needs (crm_csv_options.usecols). Only the tokens are
 * looked at: an expression that is malformed beyond them, or names a
 * column that a dataset lacks, fails later in crm_dataset_filter() /
 * crm_dataset_mutate(), not here.
 * @param[in]  expr  expression in the language above
 * @param[out] out   new dataset (possibly with 0 rows), NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_PARSE (a character
 *         or literal the language does not have, invalid UTF-8, with the
 *         character position); CRM_E_NOMEM.
 * Ownership: expr stays the caller's.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_expr_columns(const char *expr, crm_dataset **out);

/* ------------------------------------------------------------------------ */
/* Group and join                                                            */
/* ------------------------------------------------------------------------ */

/**
 * Group rows by the key columns and aggregate. Each aggregation is a string
 * `[NAME=]FUNCTION(COLUMN)` with FUNCTION one of sum, mean, min, max, count,
 * count_distinct, first, last, median; `count()` (no column) counts rows.
 * Spaces around NAME and FUNCTION are ignored; COLUMN is taken verbatim.
 * Without NAME the output column is `COLUMN_FUNCTION` (`count` for count()).
 * Missing values are skipped by every function (count(COLUMN) counts
 * non-missing cells; first/last are the first/last non-missing value in row
 * order; an all-missing group gives missing, except sum = 0 and counts = 0,
 * as pandas). sum and mean are exactly rounded (the exact sum of the group's
 * values, and the exact sum divided by the count, each rounded once to the
 * nearest double); median uses the mean of the two middle values, (a + b) / 2.
 * sum/mean/median need number columns; min/max/first/last accept any type
 * and keep it (text compares by bytes, the first row holding the extreme is
 * taken); count, count_distinct (distinct non-missing values) and the number
 * results are number columns.
 * Keys may be of any type; number keys compare by value (-0.0 equals 0.0)
 * and missing key values form their own group (pandas' dropna=False). Output:
 * the key columns then one column per aggregation, one row per group, groups
 * sorted by the keys ascending (as pandas' groupby(sort=True); text by bytes),
 * missing keys last.
 * @param[in]  ds     dataset
 * @param[in]  keys   key column names (nkeys >= 1, distinct)
 * @param[in]  nkeys  number of keys
 * @param[in]  aggs   aggregation strings (may be NULL when naggs is 0)
 * @param[in]  naggs  number of aggregations (may be 0: distinct key combinations)
 * @param[out] out    grouped dataset, NULL on failure.
 *                    Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK, CRM_E_INVALID (NULL argument, no keys, a key listed twice,
 *         an output name used twice or equal to a key, more than 2^32 - 3
 *         rows), CRM_E_PARSE (malformed aggregation, naming it),
 *         CRM_E_NOTFOUND (unknown key or column, unknown FUNCTION),
 *         CRM_E_TYPE (e.g. sum of a text column), CRM_E_NOMEM.
 * Ownership: keys and aggs stay the caller's.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_group(const crm_dataset *ds, const char *const *keys, size_t nkeys,
                                     const char *const *aggs, size_t naggs, crm_dataset **out);

/**
 * Join kinds for crm_dataset_join().
 * @type[enum] crm_join
 */
typedef enum crm_join {
    CRM_JOIN_INNER = 1, /**< rows whose keys occur on both sides */
    CRM_JOIN_LEFT = 2   /**< every left row; right columns missing where no match */
} crm_join;

/**
 * Join two datasets on equal key columns (same names on both sides and the
 * same types). Output columns: the left columns, then the right columns
 * except the keys; a non-key name present on both sides gets the suffix
 * "_x" (left) and "_y" (right), as pandas' merge. Row order: left rows in
 * their order, each followed by its matches in right order (pandas'
 * merge(sort=False)); a left row without a match appears once in a left
 * join, with the right columns missing. Number keys compare by value (-0.0
 * equals 0.0), text keys by content (the two dictionaries may differ).
 * Missing key values never match (unlike pandas, which matches NaN to NaN;
 * documented deviation: SQL semantics).
 * @param[in]  left   left dataset
 * @param[in]  right  right dataset
 * @param[in]  keys   key column names (distinct)
 * @param[in]  nkeys  number of keys (>= 1)
 * @param[in]  how    CRM_JOIN_INNER or CRM_JOIN_LEFT (@type[enum] crm_join)
 * @param[out] out    joined dataset, NULL on failure.
 *                    Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK, CRM_E_INVALID (NULL argument, no keys, a key listed twice,
 *         unknown `how`, a suffixed name that is already a column, more than
 *         2^32 - 3 right rows), CRM_E_NOTFOUND (key missing on a side, naming
 *         it and the side), CRM_E_TYPE (key types differ), CRM_E_NOMEM.
 * Ownership: keys stay the caller's.
 * Thread-safety: left and right are only read; other threads may read them
 * meanwhile.
 */
CRM_API crm_status crm_dataset_join(const crm_dataset *left, const crm_dataset *right,
                                    const char *const *keys, size_t nkeys, int32_t how,
                                    crm_dataset **out);

/* ------------------------------------------------------------------------ */
/* CSV                                                                       */
/* ------------------------------------------------------------------------ */

/**
 * Options for reading and writing CSV. Initialise with
 * crm_csv_options_init(&o, sizeof o); see crm/common.h for the size rule.
 *
 * Type inference (reading), applied to each column unless `types` overrides it:
 * 1. A cell is missing when it is empty (nothing, or a quoted "" ), or when
 *    it is unquoted and whitespace-only or equal to an NA string (default
 *    "NA", "N/A", "null", "NULL", "NaN"; compared without trimming). Quoted
 *    text such as "NA" or " " is kept as text, so written files read back
 *    unchanged. A non-missing empty string cannot be represented in CSV: it
 *    is written as "" and reads back as missing (as in pandas).
 * 2. A column is NUMBER when every non-missing cell is a decimal number:
 *    optional sign, digits with an optional fraction (decimal point '.', or ','
 *    with decimal_comma), optional exponent (e/E, sign, digits); surrounding
 *    spaces are allowed; "inf"/"infinity" with optional sign are also accepted.
 *    Values are correctly rounded to the nearest double. A column where every
 *    cell is missing is NUMBER.
 * 3. Otherwise a column is TIME when every non-missing cell is a date-time in
 *    one of the recognised forms: ISO 8601 `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`,
 *    `YYYY-MM-DD HH:MM:SS` (also with 'T' instead of the space, fractional
 *    seconds, which are truncated, and a `Z` or `+HH:MM`/`-HH:MM` offset, which
 *    is converted to UTC), or US `M/D/YYYY` with optional ` H:MM` or ` H:MM:SS`.
 *    With `date_format` set, that format replaces the automatic forms.
 * 4. Otherwise the column is TEXT; text cells are kept byte for byte (no
 *    trimming).
 */
typedef struct crm_csv_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    int32_t delimiter;         /**< field separator byte; 0 = auto-detect among , ; TAB | from the
                                    header line (read), ',' (write); default 0 */
    int32_t quote;             /**< quote byte; default '"'; 0 disables quoting */
    int32_t header;            /**< 1 (default) = first line holds column names; 0 = names are
                                    "V1", "V2", ... (read) / no header line (write) */
    int32_t decimal_comma;     /**< 1 = numbers use ',' as decimal separator; default 0 */
    int32_t strict;            /**< 1 (default): a row with the wrong number of fields or invalid
                                    UTF-8 is CRM_E_PARSE. 0: short rows are padded with missing,
                                    extra fields are dropped, invalid UTF-8 bytes become U+FFFD */
    int32_t keep_default_na;   /**< 1 (default): na_values add to the default NA strings;
                                    0: na_values replace them */
    const char *const *na_values; /**< extra NA strings, or NULL (default). Copied during the
                                       call */
    int64_t n_na_values;       /**< number of entries in na_values; default 0 */
    const char *const *types;  /**< per-column type overrides "NAME:number|text|time", or
                                    NULL (default) */
    int64_t n_types;           /**< number of entries in types; default 0 */
    const char *date_format;   /**< strptime-style format for time columns (%Y %m %d %H %M %S
                                    %y %b %p %%, literal characters), or NULL (default) for
                                    auto-detection. Also used to write time columns when set */
    int64_t max_rows;          /**< read at most this many data rows; 0 (default) = all */
    /* ---- v1.0 ends here; append new fields below only ---- */
    int64_t max_bytes;         /**< reading: refuse text longer than this many bytes (counted
                                    after gzip decompression) with CRM_E_IO naming the file and
                                    the limit. 0 (default): no limit for plain text; gzip data
                                    may expand to 100 times its compressed size, and at least
                                    to 64 MiB (a decompression bomb fails early). Negative is
                                    CRM_E_INVALID. Not used for writing */
    const char *const *usecols; /**< reading: names of the columns to read (header names;
                                     V1, V2, ... with header = 0), or NULL (default) for
                                     every column. The dataset holds them in the file's
                                     order. The other columns are split off each row but
                                     never converted: no type inference, no type override
                                     check, no NUL or UTF-8 check of their cells (pandas'
                                     usecols); the structure of every row (quotes, number
                                     of fields) and the header are checked as without
                                     usecols. A name that is not a column is
                                     CRM_E_NOTFOUND; a NULL entry or a name listed twice is
                                     CRM_E_INVALID. Copied during the call. Not used for
                                     writing */
    int64_t n_usecols;         /**< number of entries in usecols; 0 (default) = every
                                    column */
} crm_csv_options;

/**
 * Write the default CSV options into `opts` (delimiter 0 = auto-detect,
 * quote '"', header 1, decimal_comma 0, strict 1, keep_default_na 1,
 * na_values NULL, types NULL, date_format NULL, max_rows 0, max_bytes 0,
 * usecols NULL, n_usecols 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK; CRM_E_INVALID (opts NULL or size smaller than the v1.0
 *         struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_csv_options_init(crm_csv_options *opts, size_t size);

/**
 * Read a CSV file. Files whose name ends in ".gz", or that start with the
 * gzip magic bytes, are decompressed transparently. RFC 4180 quoting is
 * supported (delimiters, doubled quotes and line breaks inside quotes), as are
 * LF and CRLF line ends and a UTF-8 byte-order mark. Lines that are entirely
 * empty are skipped. Column types follow the rules of ::crm_csv_options.
 *
 * Memory. The text is read a chunk at a time: memory is the dataset being
 * built plus a window that grows only to hold the longest record, whatever
 * the size of the file (a pipe's text is kept in memory as a whole). gzip
 * data whose text fits 64 MiB (and 40 times its compressed size, and the
 * limit) is inflated in one piece when libcrm is built with libdeflate: the
 * text is then held whole, at most 64 MiB (not with max_rows). With
 * max_rows, reading (and inflating) stops after those rows. A column whose
 * type changes late in the file may make the reader start over from the
 * first byte (at most twice), with the result of reading it whole. No size
 * that the input claims (gzip's ISIZE trailer) sizes an allocation. The
 * window and the passes: docs/datasets.md.
 *
 * Limits. A field holds at most 4 GiB. max_bytes bounds the text read; by
 * default gzip data may expand to 100 times its compressed size (at least
 * 64 MiB), which stops a decompression bomb early. Errors of the input itself
 * (a truncated or corrupt .gz file, the byte limit) are reported before a CSV
 * error that comes earlier in the text, as if the whole file were checked
 * first; with max_rows, the input after the rows read is not looked at.
 * @param[in]  path  file name
 * @param[in]  opts  options, or NULL for defaults
 * @param[out] out   new dataset, NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, bad options, unknown column in
 *         a type override); CRM_E_NOTFOUND (a name in usecols that is not a
 *         column, naming it); CRM_E_IO (cannot open or read, truncated or
 *         corrupt gzip data, text beyond max_bytes or the default gzip limit;
 *         the message names the file and the limit); CRM_E_PARSE (malformed
 *         CSV, empty file, duplicate column names, a cell that does not fit an
 *         overridden type; the message holds `path:line:column`);
 *         CRM_E_FORMAT (opts from a newer library with fields set that this
 *         one does not know); CRM_E_NOMEM.
 * Ownership: path and opts (with its strings) are only read during the call.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_dataset_read_csv(const char *path, const crm_csv_options *opts,
                                        crm_dataset **out);

/**
 * Read CSV text from memory (gzip data is recognised by its magic bytes).
 * Error messages use "<memory>" as the file name. Plain text is parsed where
 * it lies (no copy, unless invalid UTF-8 is replaced in lenient mode); gzip
 * data is inflated a chunk at a time as for files. Types, limits (max_bytes
 * and the default gzip limit) and errors are as for crm_dataset_read_csv().
 * @param[in]  buf   bytes (need not be NUL-terminated; may be NULL when len is 0)
 * @param[in]  len   number of bytes
 * @param[in]  opts  options, or NULL for defaults
 * @param[out] out   new dataset, NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (out NULL, buf NULL with len > 0, bad options,
 *         unknown column in a type override); CRM_E_NOTFOUND (a name in
 *         usecols that is not a column); CRM_E_IO (truncated or corrupt
 *         gzip data, text beyond max_bytes or the default gzip limit);
 *         CRM_E_PARSE (malformed CSV, empty text, duplicate column names, a
 *         cell that does not fit an overridden type; the message holds
 *         `<memory>:line:column`); CRM_E_FORMAT (opts from a newer library
 *         with fields set that this one does not know); CRM_E_NOMEM.
 * Ownership: buf and opts are only read during the call; the dataset holds
 * copies.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_dataset_read_csv_mem(const char *buf, size_t len,
                                            const crm_csv_options *opts, crm_dataset **out);

/**
 * Write a dataset as CSV (gzip-compressed when the path ends in ".gz").
 * Numbers are written in the shortest form that reads back to the same double
 * ("inf", "-inf" for infinities); times as `YYYY-MM-DD HH:MM:SS`, or
 * `YYYY-MM-DD` when every value of the column is at midnight, or with
 * opts->date_format when set; missing cells are empty. Fields containing the
 * delimiter, the quote, a line break, leading or trailing spaces, or that
 * would read back as missing (e.g. a text "NA") are quoted. Lines end in LF.
 *
 * The file is written atomically (crm/common.h, "Files written
 * atomically"): the CSV goes to a temporary file next to path (next to the
 * file a symbolic link points to, the link staying a link), is synced and
 * renamed over path only once every row was written, keeping the mode of the
 * file it replaces. On any failure - a cell that cannot be written, a full
 * disk, an allocation - path is exactly as before: an existing file keeps its
 * bytes and mode, no new file and no temporary is left. Devices, FIFOs and
 * sockets (/dev/null, a named pipe) are written in place and never removed.
 * @param[in] ds    dataset
 * @param[in] path  output file (replaced as a whole; ".gz" compresses)
 * @param[in] opts  options (delimiter, quote, header, decimal_comma,
 *                  date_format are used), or NULL for defaults
 * @return CRM_OK; CRM_E_INVALID (NULL argument, bad options, or a field that
 *         cannot be written with quote = 0); CRM_E_IO (path cannot be
 *         created, written, synced or renamed, or is a directory; the message
 *         names path and the system's reason); CRM_E_FORMAT (opts from a newer library with
 *         fields set that this one does not know); CRM_E_NOMEM.
 * Ownership: ds, path and opts are only read during the call.
 * Thread-safety: ds is only read (other threads may read it meanwhile);
 * writers of the same path each write a whole file, the last one to finish
 * wins.
 */
CRM_API crm_status crm_dataset_write_csv(const crm_dataset *ds, const char *path,
                                         const crm_csv_options *opts);

/**
 * Write a dataset as CSV text into a new NUL-terminated buffer (same format as
 * crm_dataset_write_csv()).
 * @param[in]  ds    dataset
 * @param[in]  opts  options (delimiter, quote, header, decimal_comma,
 *                   date_format are used), or NULL for defaults
 * @param[out] out   the text, NULL on failure.
 *                   Ownership: caller; free with crm_free().
 * @return CRM_OK; CRM_E_INVALID (ds or out NULL, bad options, a field that
 *         cannot be written with quote = 0); CRM_E_FORMAT (opts from a newer
 *         library with fields set that this one does not know); CRM_E_NOMEM.
 * Thread-safety: ds is only read; other threads may read it meanwhile.
 */
CRM_API crm_status crm_dataset_to_csv_string(const crm_dataset *ds, const crm_csv_options *opts,
                                             char **out);

/**
 * Read a FIMI-style basket file (one transaction per line, items separated by
 * spaces or tabs, trailing whitespace allowed; ".gz" handled as for CSV) into
 * a long table with columns `tid` (number: the 1-based line number of the
 * transaction) and `item` (text). Empty lines are transactions without items
 * and produce no rows. The text is read a chunk at a time: memory is the table
 * being built plus a window that grows only to hold the longest line. gzip
 * data may expand to 100 times its compressed size (at least 64 MiB), as with
 * crm_csv_options.max_bytes = 0; beyond that the call fails with CRM_E_IO.
 * @param[in]  path  file name
 * @param[out] out   new dataset, NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (path or out NULL); CRM_E_IO (cannot open or
 *         read, naming the file; truncated or corrupt gzip data; the gzip
 *         limit); CRM_E_PARSE (invalid UTF-8 or NUL byte, with line and
 *         column); CRM_E_NOMEM.
 * Ownership: path stays the caller's.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_dataset_read_baskets(const char *path, crm_dataset **out);

CRM_END_DECL

#endif /* CRM_DATASET_H */
