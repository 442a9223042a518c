/**
 * @file crm/rfm.h
 * @brief RFM scoring, named segments and lifecycle stages per customer, and
 *        the CRM KPIs: Net Promoter Score, satisfaction ratio, funnel conversion.
 *
 * RFM table. crm_rfm() turns transaction lines (one row per order line or
 * per order) into one row per customer with the columns, in this order:
 *
 * | column       | type          | meaning                                                  |
 * |--------------|---------------|----------------------------------------------------------|
 * | customer     | as the input  | customer id; rows sorted by it ascending (numbers and    |
 * |              |               | times numerically, text by byte order)                   |
 * | recency_days | number        | floor((as_of - last purchase) / 86400 s): whole days, as |
 * |              |               | pandas' `(as_of - last_date).days`                       |
 * | frequency    | number        | distinct invoice values when `invoice` is given, else    |
 * |              |               | the number of rows                                       |
 * | monetary     | number        | exactly rounded sum of the amounts (amount column, or    |
 * |              |               | quantity * price per row, each product rounded once)     |
 * | tenure_days  | number        | floor((as_of - first purchase) / 86400 s)                |
 * | r_score      | number        | 1..bins, recency reversed (most recent = bins)           |
 * | f_score      | number        | 1..bins                                                  |
 * | m_score      | number        | 1..bins                                                  |
 * | rfm_cell     | text          | the three scores as digits, e.g. "545"                   |
 * | rfm_score    | number        | r_score + f_score + m_score                              |
 * | segment      | text          | named segment from (r_score, f_score), grid below        |
 * | lifecycle    | text          | "active", "inactive" or "churned"                        |
 *
 * Scores. With n customers, each of F (frequency) and M (monetary) ranks the
 * customers by the value ascending, ties broken by customer id ascending, so
 * ranks are 1..n without ties; the score is 1 + floor(bins * (rank - 1) / n).
 * Recency is reversed: R ranks customers by recency_days *descending* (the
 * longest-absent customer gets rank 1), ties again broken by customer id
 * ascending, and uses the same formula; the most recent customers therefore
 * get the highest score. Ties are not averaged: two customers with equal
 * values may get different scores when a bin boundary falls between them
 * (this is `rank(method="first")` followed by equal-count bins, without
 * pandas qcut's floating-point bin edges).
 *
 * Segments, from (r_score, f_score) on the 1..5 scale:
 *
 *  r \ f | 1              | 2              | 3              | 4          | 5
 *  ------+----------------+----------------+----------------+------------+-----------------
 *  5     | New Customers  | Pot. Loyalists | Pot. Loyalists | Champions  | Champions
 *  4     | Promising      | Pot. Loyalists | Pot. Loyalists | Loyal Cust.| Loyal Cust.
 *  3     | About To Sleep | About To Sleep | Need Attention | Loyal Cust.| Loyal Cust.
 *  2     | Hibernating    | Hibernating    | At Risk        | At Risk    | Cannot Lose Them
 *  1     | Lost           | Lost           | At Risk        | At Risk    | Cannot Lose Them
 *
 * ("Pot. Loyalists" is "Potential Loyalists", "Loyal Cust." is "Loyal
 * Customers"; these are the exact strings of the segment column, as are the
 * other names in the grid.)
 *
 * With bins != 5 each score s (1..bins) is first mapped to the 1..5 scale by
 * the quintile holding the middle of its bin: s5 = 1 + floor((10 s - 5) / (2 bins)).
 * For bins = 5 this is s itself; for bins = 3 it maps 1, 2, 3 to 1, 3, 5;
 * for bins = 1 every score maps to 3.
 *
 * Lifecycle, from the exact time since the last purchase d = as_of - last:
 * "active" when d < active_days days (equivalently recency_days < active_days),
 * "inactive" when d < inactive_days days, "churned" otherwise.
 *
 * Input rules. The date column must be a time column; amount, quantity and
 * price number columns; customer and invoice may be of any type. Every row
 * counts, so clean the data first (crm_dataset_filter(), e.g.
 * `CustomerID is not missing and Quantity > 0 and UnitPrice > 0`):
 * a row with a missing customer, date, invoice, amount, quantity or price, an
 * amount (or quantity * price) that is not a finite number > 0, or a date
 * later than an explicit as_of is refused with CRM_E_INVALID naming the
 * column, the 0-based row and the value.
 *
 * Churn table (churn_days = N > 0, as_of required). For training a churn
 * model: the RFM table is computed from the transactions dated at or before
 * as_of only (later transactions are not refused), for the customers with
 * at least one of them, and a number column `churned` is appended: 1 when
 * the customer has no transaction in (as_of, as_of + N days], else 0. The
 * caller chooses as_of so that the data cover that window (transactions
 * after as_of + N days are ignored). Row numbers in error messages then count
 * the rows dated at or before as_of.
 *
 * Thread-safety: all functions here only read their input dataset, which
 * other threads may read meanwhile.
 */
#ifndef CRM_RFM_H
#define CRM_RFM_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/**
 * Options of crm_rfm(). Initialise with crm_rfm_options_init(&o, sizeof o);
 * see crm/common.h for the size rule. Column names are borrowed for the
 * duration of the call only.
 */
typedef struct crm_rfm_options {
    size_t size;           /**< sizeof as the caller compiled it (set by init) */
    const char *customer;  /**< customer id column (any type); required (default NULL) */
    const char *date;      /**< transaction time column (CRM_TYPE_TIME); required (default
                                NULL) */
    const char *amount;    /**< amount column (number), or NULL (default) to use quantity *
                                price */
    const char *quantity;  /**< quantity column (number); used when amount is NULL;
                                default NULL */
    const char *price;     /**< unit price column (number); used when amount is NULL;
                                default NULL */
    const char *invoice;   /**< invoice column (any type), or NULL (default): frequency
                                counts rows */
    int64_t as_of;         /**< reference time in seconds since the epoch; CRM_TIME_MISSING
                                (default) = midnight UTC after the last transaction's date */
    int32_t bins;          /**< number of score bins, 1..9; default 5 */
    int64_t active_days;   /**< "active" when the last purchase is less than this many days
                                before as_of; default 90; >= 0 */
    int64_t inactive_days; /**< "inactive" when less than this many days (else "churned");
                                default 365; >= active_days */
    /* ---- v1.0 ends here; append new fields below only ---- */
    int64_t churn_days; /**< 0 (default): off. N > 0 (needs as_of): a churn table, see
                             "Churn table" above; @since 1.1 */
} crm_rfm_options;

/**
 * Write the default RFM options into `opts` (all column names NULL,
 * as_of = CRM_TIME_MISSING, bins = 5, active_days = 90, inactive_days = 365,
 * churn_days = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1.0 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_rfm_options_init(crm_rfm_options *opts, size_t size);

/**
 * Per-customer RFM table (columns, scores, segments and lifecycle as
 * described at the top of this header) from transaction lines.
 * @param[in]  tx    transactions, one row per line or order
 * @param[in]  opts  options; customer, date and either amount or both
 *                   quantity and price are required
 * @param[out] out   the RFM table, one row per customer in ascending customer
 *                   order, NULL on failure. Ownership: caller (crm_dataset_free).
 * @return CRM_OK;
 *         CRM_E_INVALID (NULL argument, no rows, a required column name not
 *         set, amount given together with quantity/price, bins outside 1..9,
 *         negative active_days, inactive_days < active_days, churn_days
 *         negative or without as_of, no transaction up to as_of with
 *         churn_days, and the row errors listed under "Input rules" above);
 *         CRM_E_NOTFOUND (a named column does not exist, naming it);
 *         CRM_E_TYPE (date not a time column, amount/quantity/price not number
 *         columns, naming the column and its type);
 *         CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_NOMEM.
 * Ownership: opts and its column names are only read during the call.
 * Thread-safety: tx may be read by other threads meanwhile.
 */
CRM_API crm_status crm_rfm(const crm_dataset *tx, const crm_rfm_options *opts, crm_dataset **out);

/**
 * The as_of that crm_rfm() uses when opts->as_of is CRM_TIME_MISSING: midnight
 * UTC after the latest date in column `date_col` (crm_rfm() computes its
 * default with this same code, so the two always agree). For a summary that
 * shows the reference day of a table computed with the default.
 * @param[in]  tx        transactions
 * @param[in]  date_col  name of the time column (crm_rfm's opts->date)
 * @param[out] out       seconds since the epoch; 0 on failure
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no rows, a missing date, naming
 *         the row, a last date whose next midnight is out of range);
 *         CRM_E_NOTFOUND (no such column); CRM_E_TYPE (not a time column).
 * Ownership: tx and date_col stay the caller's; only read during the call.
 * Thread-safety: tx may be read by other threads meanwhile.
 * @since 1.1
 */
CRM_API crm_status crm_rfm_default_as_of(const crm_dataset *tx, const char *date_col,
                                         int64_t *out);

/**
 * Number of RFM segments: the names crm_rfm_segment_name() gives for
 * 0 .. count - 1 (11).
 * @return the segment count
 * Ownership: nothing changes hands.
 * Thread-safety: safe from any thread.
 * @since 1.1
 */
CRM_API size_t crm_rfm_segment_count(void);

/**
 * Name of segment i, best first: "Champions", "Loyal Customers", "Potential
 * Loyalists", "New Customers", "Promising", "Need Attention", "About To
 * Sleep", "At Risk", "Cannot Lose Them", "Hibernating", "Lost". These are the
 * exact strings of crm_rfm()'s segment column (the grid at the top of this
 * header).
 * @param[in] i  0 .. crm_rfm_segment_count() - 1
 * @return a static string, or NULL when i is out of range
 * Ownership: library; never free it.
 * Thread-safety: safe from any thread.
 * @since 1.1
 */
CRM_API const char *crm_rfm_segment_name(size_t i);

/**
 * Number of lifecycle stages: the names crm_rfm_stage_name() gives for
 * 0 .. count - 1 (3).
 * @return the stage count
 * Ownership: nothing changes hands.
 * Thread-safety: safe from any thread.
 * @since 1.1
 */
CRM_API size_t crm_rfm_stage_count(void);

/**
 * Name of lifecycle stage i, most recent first: "active", "inactive",
 * "churned"; the exact strings of crm_rfm()'s lifecycle column.
 * @param[in] i  0 .. crm_rfm_stage_count() - 1
 * @return a static string, or NULL when i is out of range
 * Ownership: library; never free it.
 * Thread-safety: safe from any thread.
 * @since 1.1
 */
CRM_API const char *crm_rfm_stage_name(size_t i);

/**
 * Net Promoter Score of a column of 0..10 ratings:
 * 100 * (promoters - detractors) / n, where promoters rate 9 or 10,
 * detractors 0 to 6 and n counts the non-missing ratings (missing cells are
 * ignored). The result lies in -100..100.
 * @param[in]  ds   dataset
 * @param[in]  col  name of a number column of whole ratings 0..10
 * @param[out] out  the score; NaN on failure
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no non-missing rating, a
 *         rating that is not a whole number in 0..10, naming the row and
 *         value); CRM_E_NOTFOUND (no such column); CRM_E_TYPE (not a number
 *         column).
 * Ownership: col stays the caller's.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_nps(const crm_dataset *ds, const char *col, double *out);

/**
 * Satisfaction ratio: the fraction (0..1) of the non-missing cells of `col`
 * that are positive. For a text column a cell is positive when it equals
 * (byte for byte) one of the `positive` strings. For a number column with
 * positive == NULL and npositive == 0, a cell is positive when it equals 1
 * (0/1 flags; any other value counts as not positive). Missing cells are
 * ignored.
 * @param[in]  ds         dataset
 * @param[in]  col        name of a text or number column
 * @param[in]  positive   positive labels (text column; at least one), or NULL
 *                        (number column)
 * @param[in]  npositive  number of labels
 * @param[out] out        the ratio; NaN on failure
 * @return CRM_OK; CRM_E_INVALID (NULL argument, a NULL label, labels given for
 *         a number column or none for a text column, no non-missing cell);
 *         CRM_E_NOTFOUND (no such column); CRM_E_TYPE (a time column);
 *         CRM_E_NOMEM.
 * Ownership: col and the labels stay the caller's.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_satisfaction(const crm_dataset *ds, const char *col,
                                    const char *const *positive, size_t npositive, double *out);

/**
 * Funnel conversion from each entity's furthest stage. `stage_col` holds, per
 * row (one entity), the furthest stage it reached, one of `stages` (ordered
 * from first to last). An entity that reached stage k also passed every
 * earlier stage. Missing cells are ignored.
 * Output, one row per stage in the given order:
 * `stage` (text), `count` (number of entities that reached at least this
 * stage), `conversion` (count / count of the previous stage; NaN for the first
 * stage and where the previous count is 0), `overall` (count / count of the
 * first stage; NaN when that is 0).
 * @param[in]  ds         dataset, one row per entity
 * @param[in]  stage_col  name of a text column
 * @param[in]  stages     stage names in funnel order (distinct, non-NULL)
 * @param[in]  nstages    number of stages (>= 1)
 * @param[out] out        the funnel table, NULL on failure.
 *                        Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no stages, a duplicate stage
 *         name, a cell holding a value not in `stages`, naming the row and
 *         value); CRM_E_NOTFOUND (no such column); CRM_E_TYPE (not a text
 *         column); CRM_E_NOMEM.
 * Ownership: stage_col and stages stay the caller's.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_funnel(const crm_dataset *ds, const char *stage_col,
                              const char *const *stages, size_t nstages, crm_dataset **out);

CRM_END_DECL

#endif /* CRM_RFM_H */
