/**
 * @file crm/report.h
 * @brief One self-contained HTML report for a shop owner: overview, RFM
 *        segments, clusters, churn risk, cross-sell rules and a sales forecast,
 *        computed from a transaction table.
 *
 * crm_report_render() runs the library's own analyses on a transaction
 * dataset (one row per order line) and returns one HTML page; crm_report_write()
 * writes that page to a file atomically. The page is self-contained and works
 * offline: no script, no font, no image and no link leave the file. Charts are
 * inline SVG drawn by the library (no JavaScript dependency; they print as
 * vectors; the numbers are in the file). Every chart is followed by a table of
 * the numbers it draws and a CSV download link (a data: URI). Colours follow
 * the reader's light or dark preference; the layout follows the window width
 * and has print rules.
 *
 * Sections and how they are computed (same options as the CLI equivalents
 * listed in docs/report.md, so the page's numbers equal their JSON output):
 *
 * | section    | computation                                                          |
 * |------------|----------------------------------------------------------------------|
 * | overview   | crm_rfm(): customers, orders (sum of frequency), revenue (sum of     |
 * |            | monetary), first and last purchase, lifecycle counts                 |
 * | RFM        | crm_rfm(): segment sizes and revenue share, r_score x f_score grid   |
 * | clusters   | crm_kmeans_fit() on recency_days, log1p(frequency), log1p(monetary), |
 * |            | standardized, k clusters; centres shown in days, orders and money    |
 * | churn      | crm_rfm() churn table at as_of - churn_days, crm_logreg_fit() on     |
 * |            | recency_days, frequency, monetary, tenure_days; crm_model_predict()  |
 * |            | on today's RFM table; the top customers not yet churned              |
 * | value      | crm_clv_summary() (days), crm_clv_fit() (BG/NBD, Gamma-Gamma, 12     |
 * |            | months, 1 % monthly discount), crm_model_predict(): top by CLV       |
 * | cross-sell | crm_apriori() with invoices as baskets (needs invoice and item)      |
 * | forecast   | crm_arima_fit_dataset(), monthly sums, automatic order,              |
 * |            | crm_arima_forecast_levels() at 80 % and 95 %                         |
 *
 * Sections that cannot be computed from the data (too few customers for k
 * clusters, fewer than two classes for churn, no repeat purchases for the
 * value model, no invoice or item column, fewer than 6 months to forecast)
 * show one sentence saying why instead of a chart; the call still succeeds.
 * Every value a test may compare is written as an attribute data-check="KEY"
 * with data-value="NUMBER" (the shortest text that reads back to the same
 * double); docs/report.md lists the keys. Cross-sell rules are pruned of
 * redundant ones (crm_apriori_options.prune_redundant); when churned and
 * staying customers are separated perfectly by some measure, the churn model
 * is refitted with an L2 penalty of 1 (the page says so).
 *
 * Thread-safety: the functions only read the input dataset, which other
 * threads may read meanwhile.
 */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/**
 * Options of crm_report_render() and crm_report_write(). Initialise with
 * crm_report_options_init(&o, sizeof o); see crm/common.h for the size rule.
 * Strings are borrowed for the duration of the call only.
 */
typedef struct crm_report_options {
    size_t size;             /**< sizeof as the caller compiled it (set by init) */
    const char *customer;    /**< customer id column (any type); required; @default NULL */
    const char *date;        /**< transaction time column (CRM_TYPE_TIME); required;
                                  @default NULL */
    const char *amount;      /**< amount column (number), or NULL to use quantity * price;
                                  @default NULL */
    const char *quantity;    /**< quantity column (number), used when amount is NULL;
                                  @default NULL */
    const char *price;       /**< unit price column (number), used when amount is NULL;
                                  @default NULL */
    const char *invoice;     /**< invoice column (any type): orders count distinct invoices
                                  and cross-sell baskets are invoices; NULL: every row is an
                                  order and there is no cross-sell section; @default NULL */
    const char *item;        /**< product column (any type) for cross-sell, or NULL (no
                                  cross-sell section); @default NULL */
    const char *filter;      /**< expression (crm_dataset_filter()) keeping the rows to
                                  analyse, or NULL for all rows; @default NULL */
    const char *title;       /**< page title, or NULL for "Customer report"; @default NULL */
    const char *currency;    /**< text put before money amounts (e.g. "£"), or NULL for
                                  none; @default NULL */
    int64_t as_of;           /**< reference time (seconds since the epoch), or
                                  CRM_TIME_MISSING: midnight UTC after the last transaction,
                                  as crm_rfm(); @default CRM_TIME_MISSING */
    int32_t bins;            /**< RFM score bins, 1..9; @default 5 */
    int64_t active_days;     /**< lifecycle "active" window in days, as crm_rfm();
                                  @default 90 */
    int64_t inactive_days;   /**< lifecycle "inactive" window in days, as crm_rfm();
                                  @default 365 */
    int32_t k;               /**< number of customer clusters, 1..20; @default 4 */
    uint64_t seed;           /**< seed of the clustering; @default 0 */
    int64_t churn_days;      /**< churn window: a customer churned when there is no purchase
                                  in this many days; also how far before as_of the churn
                                  model is trained; >= 1; @default 90 */
    int32_t top_at_risk;     /**< customers listed as most at risk, 0..1000; @default 20 */
    int32_t top_clv;         /**< customers listed as worth the most, 0..1000; @default 20 */
    double min_support;      /**< cross-sell: minimum share of orders holding the items,
                                  0 < x <= 1; @default 0.01 */
    double min_lift;         /**< cross-sell: minimum lift, >= 0; @default 2 */
    int32_t max_rules;       /**< cross-sell: rules shown, 0..1000; @default 10 */
    int32_t horizon;         /**< forecast months, 1..60; @default 6 */
    int32_t n_threads;       /**< worker threads of the fits, 0 = all cores; the report does
                                  not depend on it; @default 0 */
    /* ---- v1.1 ends here; append new fields below only ---- */
} crm_report_options;

/**
 * Write the default report options into `opts` (every string NULL,
 * as_of = CRM_TIME_MISSING, bins = 5, active_days = 90, inactive_days = 365,
 * k = 4, seed = 0, churn_days = 90, top_at_risk = 20, top_clv = 20, min_support = 0.01,
 * min_lift = 2, max_rules = 10, horizon = 6, n_threads = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size too small).
 * Ownership: opts is the caller's struct; only its first size bytes are written.
 * Thread-safety: safe from any thread.
 * @since 1.1
 */
CRM_API crm_status crm_report_options_init(crm_report_options *opts, size_t size);

/**
 * Build the HTML report of a transaction table in memory.
 * @param[in]  tx       transactions, one row per order line; rows the analyses cannot
 *                      use (missing customer, amount <= 0, ...) must be filtered out
 *                      first or with opts->filter, as for crm_rfm()
 * @param[in]  opts     options; customer, date and amount or quantity and price are
 *                      required
 * @param[out] out      the page: NUL-terminated UTF-8 HTML (it holds no NUL itself),
 *                      NULL on failure. Ownership: caller; free with crm_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no rows (also after the filter), a
 *         required column not set, an option out of range, a row crm_rfm() refuses,
 *         naming it); CRM_E_NOTFOUND (a named column does not exist); CRM_E_TYPE (a
 *         column of the wrong type); CRM_E_PARSE (a bad filter expression, naming the
 *         position); CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_NOMEM.
 * Ownership: tx, opts and its strings stay the caller's.
 * Thread-safety: tx may be read by other threads meanwhile.
 * @since 1.1
 */
CRM_API crm_status crm_report_render(const crm_dataset *tx, const crm_report_options *opts,
                                     char **out);

/**
 * Build the HTML report (as crm_report_render()) and write it to `path`
 * atomically: readers see the old file or the whole new one, never a part.
 * @param[in] tx    transactions
 * @param[in] opts  options as for crm_report_render()
 * @param[in] path  file to write (replaced)
 * @return CRM_OK; the errors of crm_report_render(); CRM_E_IO (cannot write, naming
 *         the path and the reason); on failure the file is unchanged.
 * Ownership: every argument stays the caller's.
 * Thread-safety: tx may be read by other threads meanwhile.
 * @since 1.1
 */
CRM_API crm_status crm_report_write(const crm_dataset *tx, const crm_report_options *opts,
                                    const char *path);

CRM_END_DECL

#endif /* CRM_REPORT_H */
