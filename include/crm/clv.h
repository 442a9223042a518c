/**
 * @file crm/clv.h
 * @brief Customer lifetime value: the per-customer summary table from
 *        transactions, the BG/NBD purchase model and the Gamma-Gamma spend
 *        model, P(alive), expected purchases, expected spend and CLV.
 *
 * Summary table. crm_clv_summary() turns transaction lines into one row per
 * customer (the table every CLV model starts from, as `lifetimes`'
 * summary_data_from_transaction_data). Times are cut into periods: days
 * (UTC calendar days) or weeks (Monday to Sunday, UTC); all purchases of a
 * customer in one period count as one purchase whose value is their sum.
 * With the customer's first period f, last period in the calibration window
 * l and the period of the calibration end e (inclusive):
 * - `frequency` = number of distinct periods with a purchase, minus 1 (the
 *   repeat purchases);
 * - `recency` = l - f (0 for a customer without repeat purchases);
 * - `T` = e - f (the customer's age at the calibration end);
 * - `monetary` = mean value of the repeat periods (the first period is left
 *   out); 0 when frequency is 0.
 * With `calibration_end` set, purchases after it (up to `observation_end`)
 * form the holdout: `frequency_holdout` (number of periods with a purchase
 * after e), `monetary_holdout` (their mean value, 0 when none) and
 * `duration_holdout` (observation-end period - e). Customers whose first
 * purchase is after the calibration end are left out (they have no
 * calibration history), as are purchases after `observation_end`.
 *
 * BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy
 * way"). While alive a customer buys at Poisson rate lambda ~ Gamma(r,
 * alpha); after each repeat purchase he drops out with probability
 * p ~ Beta(a, b). The log-likelihood of one customer (x = frequency,
 * t_x = recency, T) is
 *
 *     ln G(r+x) - ln G(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)
 *       + ln[ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ].
 *
 * crm_clv_fit() maximises the sum over customers by quasi-Newton (BFGS on
 * the logarithms of the parameters, analytic gradient, backtracking line
 * search) and finishes with Newton steps on a Hessian formed by central
 * differences of the analytic gradient; the standard errors are the square
 * roots of the diagonal of the inverse of that Hessian (of the total
 * negative log-likelihood, in the natural parameters, penalty included).
 * Customers are first compressed into the distinct (x, t_x, T) triples with
 * their counts, so the cost of an iteration follows the number of distinct
 * triples, not of customers. The optional L2 penalty is the one of
 * `lifetimes`: the objective minimised is
 * -(1/n) sum ll + l2 (r^2 + alpha^2 + a^2 + b^2).
 *
 * Gamma-Gamma (Fader and Hardie 2013, "The Gamma-Gamma model of monetary
 * value"), fitted on the customers with frequency > 0: a customer's
 * transaction values are Gamma(p, nu), nu ~ Gamma(q, v). The log-likelihood
 * of a customer with x repeat purchases of mean value m is
 *
 *     ln G(px+q) - ln G(px) - ln G(q) + q ln v + (px-1) ln m + px ln x
 *       - (px+q) ln(x m + v)
 *
 * (the factor of the individual values other than their mean is left out:
 * it does not depend on the parameters). Fitted the same way (same penalty
 * on p, q, v). The model assumes that spend does not depend on frequency;
 * the Pearson correlation of frequency and monetary over the repeat
 * customers is reported as the statistic `corr_frequency_monetary` (values
 * far from 0 mean the assumption does not hold).
 *
 * Pareto/NBD is not offered: its likelihood needs the Gauss hypergeometric
 * function at arguments where it cancels badly (alpha close to beta, large
 * frequencies), and we could not make it as robust as the BG/NBD here.
 *
 * Predictions (crm_model_predict() on a summary table, by the column names
 * of the options). For each customer, with D = 1 + [x>0] a/(b+x-1)
 * ((alpha+T)/(alpha+t_x))^(r+x):
 * - `p_alive` = 1 / D;
 * - `expected_purchases` in the next t periods (t = opts.t), the FHL 2005
 *   conditional expectation
 *   (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *   2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] / D, evaluated through Euler's
 *   transformation as (a+b+x-1) [(1 - (1-z)^(a-1))/(a-1) - (1-z)^(a-1)
 *   sum_k>=1 (a+b-1-r)_k (a)_(k-1) / ((a+b+x-1)_k k!) z^k] / D with
 *   z = t/(alpha+T+t): a series of terms of one sign (no cancellation),
 *   defined at a = 1 too. When (a-1) ln(1+t/(alpha+T)) > 40 (large a,
 *   where (1-z)^(a-1) underflows and the series needs about a z terms) the
 *   same quantity is taken in its integral form D^-1 E[h(p)], p ~ Beta(a,
 *   b+x), h(p) = (1 - (1 + p t/(alpha+T))^-(r+x)) / p, by the trapezoidal
 *   rule in logit(p) (geometric convergence; the density's normalising
 *   constant by the same sum): finite for every finite parameter, to about
 *   1e-15 relative; as a, b -> infinity with a/(a+b) -> d it tends to the
 *   fixed-dropout value (1 - (1 + d t/(alpha+T))^-(r+x)) / d / D;
 * - `expected_spend` = p (v + x m) / (p x + q - 1) (the Gamma-Gamma
 *   conditional mean; for x = 0 the population mean p v / (q - 1)); NaN
 *   when q <= 1 (the mean does not exist);
 * - the CLV column (named by pred_col) = sum over months i = 1..H of
 *   expected_spend (E(i k) - E((i-1) k)) / (1 + discount)^i, with E(s)
 *   the expected purchases in the next s periods and k = periods_per_month
 *   (the discounted monthly sum of `lifetimes`' customer_lifetime_value:
 *   a purchase made in month i is discounted by i months).
 * The columns are added in the order pred_col, p_alive,
 * expected_purchases, expected_spend; none of them may exist already.
 *
 * Model. Kind CRM_MODEL_CLV (crm/model.h).
 * - Statistics (crm_model_stat()): `r alpha a b` and `se_r se_alpha se_a
 *   se_b` (BG/NBD), `p q v` and `se_p se_q se_v` (Gamma-Gamma),
 *   `loglik_bgnbd`, `loglik_gamma_gamma` (unpenalized), `loglik` (their
 *   sum), `n_customers`, `n_repeat` (customers with frequency > 0),
 *   `n_triples` (distinct (x, t_x, T)), `corr_frequency_monetary`,
 *   `converged_bgnbd`, `iterations_bgnbd`, `converged_gamma_gamma`,
 *   `iterations_gamma_gamma`, `l2`, `horizon`, `discount`,
 *   `periods_per_month`, `t`, `dropout_rate` (a/(a+b), the mean dropout
 *   probability), `dropout_rate_fixed` (1 when a + b > 1e6, else 0: see
 *   below).
 * - Boundary of the BG/NBD fit. When the data are as likely under one
 *   dropout probability for every customer as under any spread of it, the
 *   likelihood keeps rising as a, b -> infinity with a/(a+b) fixed (the
 *   BG/NBD tends to that fixed-dropout model): the fit stops with a and b
 *   very large (converged_bgnbd often 0, se_a and se_b huge), returns
 *   CRM_OK with finite parameters and sets `dropout_rate_fixed` = 1 (a + b
 *   > 1e6: the Beta's standard deviation is below 5e-4). Read a and b then
 *   only through `dropout_rate`; the predictions are those of the limit
 *   model and finite. Small shops often end there (e.g. crm synth
 *   --customers 200 --days 400: a ~ 7e5, b ~ 9e6).
 * - crm_model_summary(): columns `model` ("bgnbd" or "gamma_gamma"),
 *   `term`, `estimate`, `std_error`; one row per parameter.
 * - JSON members (kind "clv"): "columns" (the 4 summary column names),
 *   "bgnbd" [r, alpha, a, b], "gamma_gamma" [p, q, v] (all > 0, finite),
 *   "se" (7 numbers, NaN allowed), "loglik" [bgnbd, gamma_gamma],
 *   "counts" [n_customers, n_repeat, n_triples], "corr" (NaN allowed),
 *   "converged" [0/1, 0/1], "iterations" [n, n], "l2", "horizon",
 *   "discount", "periods_per_month", "t".
 *
 * Determinism and threads: sums over the triples and the customers are
 * formed in fixed blocks merged in block order, so results are
 * bit-identical for every n_threads.
 *
 * Thread-safety: the functions here only read their input datasets, which
 * other threads may read meanwhile.
 */
#ifndef CRM_CLV_H
#define CRM_CLV_H

#include "crm/dataset.h"
#include "crm/model.h"

CRM_BEGIN_DECL

/**
 * Period unit of the CLV summary table.
 * @type[enum] crm_clv_period
 */
typedef enum crm_clv_period {
    CRM_CLV_DAY = 1, /**< UTC calendar days (default) */
    CRM_CLV_WEEK = 2 /**< weeks from Monday to Sunday, UTC */
} crm_clv_period;

/**
 * Options of crm_clv_summary(). Initialise with
 * crm_clv_summary_options_init(&o, sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_clv_summary_options {
    size_t size;              /**< sizeof as the caller compiled it (set by init) */
    const char *customer;     /**< customer id column (any type); required; default NULL */
    const char *date;         /**< transaction time column (CRM_TYPE_TIME); required;
                                   default NULL */
    const char *amount;       /**< amount column (number, finite); required; default NULL */
    int32_t period;           /**< @type[enum] crm_clv_period; default CRM_CLV_DAY */
    int64_t calibration_end;  /**< last moment of the calibration window (inclusive, its
                                   period counts), seconds since the epoch;
                                   CRM_TIME_MISSING (default): the last transaction, and
                                   no holdout columns */
    int64_t observation_end;  /**< last moment of the holdout window; CRM_TIME_MISSING
                                   (default): the last transaction */
} crm_clv_summary_options;

/**
 * Write the default summary options into `opts` (customer, date, amount NULL,
 * period = CRM_CLV_DAY, calibration_end = observation_end = CRM_TIME_MISSING).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_clv_summary_options_init(crm_clv_summary_options *opts, size_t size);

/**
 * The per-customer summary table (definitions at the top of this header).
 * @param[in]  tx    transactions, one row per line or order
 * @param[in]  opts  options; customer, date and amount are required
 * @param[out] out   new dataset, one row per customer in ascending customer
 *                   order (text by bytes, numbers and times by value), columns
 *                   customer (the type of the customer column), frequency,
 *                   recency, T, monetary, and with calibration_end
 *                   frequency_holdout, monetary_holdout, duration_holdout
 *                   (numbers). NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, no rows, a column name not
 *         set, unknown period, a missing customer, date or amount or a
 *         non-finite amount, naming the column and the 0-based row,
 *         observation_end before calibration_end, no purchase up to the
 *         calibration end); CRM_E_NOTFOUND (a column does not exist);
 *         CRM_E_TYPE (date not a time column, amount not a number column);
 *         CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_NOMEM.
 * Ownership: opts and its column names are only read during the call.
 * Thread-safety: tx may be read by other threads meanwhile.
 */
CRM_API crm_status crm_clv_summary(const crm_dataset *tx, const crm_clv_summary_options *opts,
                                   crm_dataset **out);

/**
 * Options of crm_clv_fit(). Initialise with crm_clv_options_init(&o, sizeof o);
 * see crm/common.h for the size rule.
 */
typedef struct crm_clv_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    const char *frequency_col; /**< repeat purchases column (whole numbers >= 0), or NULL
                                    (default): "frequency"; borrowed for the call */
    const char *recency_col;   /**< recency column (0 <= recency <= T, 0 when frequency is
                                    0), or NULL (default): "recency"; borrowed for the call */
    const char *t_col;         /**< customer age column (>= 0), or NULL (default): "T";
                                    borrowed for the call */
    const char *monetary_col;  /**< mean repeat spend column (> 0 where frequency > 0), or
                                    NULL (default): "monetary"; borrowed for the call */
    double l2;                 /**< L2 penalty (see the header), >= 0; default 0 */
    int32_t max_iter;          /**< quasi-Newton iterations per model, >= 1; default 500 */
    double tol;                /**< convergence: largest gradient component of the mean
                                    negative log-likelihood in log-parameters, > 0;
                                    default 1e-9 */
    int32_t period;            /**< @type[enum] crm_clv_period of the summary table, used
                                    for the periods_per_month of 0; default
                                    CRM_CLV_DAY */
    int32_t horizon;           /**< CLV horizon in whole months, 0..1200; default 12 */
    double discount;           /**< monthly discount rate, > -1; default 0.01 */
    double periods_per_month;  /**< periods per month, > 0, or 0 (default 0): 30 for days,
                                    4.345 for weeks (as lifetimes) */
    double t;                  /**< periods of expected_purchases, >= 0, or -1 (default -1):
                                    horizon * periods_per_month */
    int32_t n_threads;         /**< worker threads, 0 (default 0) = all cores; the result
                                    does not depend on it */
} crm_clv_options;

/**
 * Write the default CLV options into `opts` (frequency_col, recency_col,
 * t_col and monetary_col NULL: "frequency", "recency", "T", "monetary"; l2 = 0,
 * max_iter = 500, tol = 1e-9, period = CRM_CLV_DAY, horizon = 12,
 * discount = 0.01, periods_per_month = 0, t = -1, n_threads = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_clv_options_init(crm_clv_options *opts, size_t size);

/**
 * Fit BG/NBD and Gamma-Gamma on a summary table (crm_clv_summary() or any
 * table with the same meaning, for example lifetimes' CDNOW sample).
 * @param[in]  summary  one row per customer
 * @param[in]  opts     options, or NULL for the defaults
 * @param[out] out      fitted model (kind CRM_MODEL_CLV), NULL on failure.
 *                      Ownership: caller; free with crm_model_free().
 * @return CRM_OK (also when max_iter is reached: statistics converged_bgnbd
 *         and converged_gamma_gamma); CRM_E_INVALID (NULL argument, no rows,
 *         an option out of range, a value breaking the rules of the option
 *         fields - a missing or non-finite value, a frequency that is not a
 *         whole number >= 0, recency < 0, T < recency, recency > 0 with
 *         frequency 0, monetary <= 0 with frequency > 0 - naming the column,
 *         the 0-based row and the value; no customer with frequency > 0:
 *         neither model can be fitted); CRM_E_NOTFOUND (a column does not
 *         exist); CRM_E_TYPE (a column is not a number column);
 *         CRM_E_NUMERIC (the likelihood has no finite optimum, e.g. every
 *         customer buys at a single frequency and mean; never NaN
 *         parameters with CRM_OK); CRM_E_FORMAT (opts from a newer library
 *         with unknown fields set); CRM_E_NOMEM.
 * Ownership: opts and its column names are only read during the call.
 * Thread-safety: summary may be read by other threads meanwhile.
 */
CRM_API crm_status crm_clv_fit(const crm_dataset *summary, const crm_clv_options *opts,
                               crm_model **out);

CRM_END_DECL

#endif /* CRM_CLV_H */
