/**
 * @file crm/arima.h
 * @brief ARIMA and seasonal ARIMA forecasting: exact likelihood, automatic
 *        order selection, prediction intervals, many series at once.
 *
 * Model. ARIMA(p,d,q)(P,D,Q)[s] for a series y_1..y_n:
 *
 *     phi(B) Phi(B^s) (1-B)^d (1-B^s)^D (y_t - c_t) = theta(B) Theta(B^s) e_t,
 *
 * e_t independent N(0, sigma2), B the backshift operator, phi and theta of
 * degrees p and q, Phi and Theta of degrees P and Q in B^s. c_t is 0, or a
 * constant mean (`include_mean`, only when d + D = 0), or a drift b * t,
 * t = 1..n (`include_drift`, only when d + D = 1), exactly as R's
 * stats::arima with forecast::Arima's drift regressor. Coefficient terms are
 * named as R names them: ar1..arp, ma1..maq, sar1..sarP, sma1..smaQ, then
 * intercept or drift. Signs follow R: phi(B) = 1 - ar1 B - ..., theta(B) =
 * 1 + ma1 B + ....
 *
 * Estimation (`method`), as R's stats::arima 4.2 with its defaults:
 * - CSS: conditional sum of squares. The series is differenced, the first
 *   d + s*D + p + s*P residuals are conditioned on (set to 0) and the
 *   objective 0.5 log(mean of squared residuals) is minimised.
 * - ML: exact Gaussian likelihood from a Kalman filter on the state-space
 *   form: the stationary ARMA part starts from its stationary covariance
 *   (the Gardner, Harvey and Phillips (1980) initial state, computed here
 *   from the autocovariances), the d + s*D differenced states from a
 *   diffuse prior of variance `kappa` (1e6), and observations whose
 *   prediction variance is 1e4 or more do not enter the likelihood. The
 *   objective is 0.5 (log(S/m) + sum(log F_t)/m), S the weighted sum of
 *   squared innovations, F_t their variances, m their count (sigma2
 *   concentrated out). Once the filtered covariance has converged the
 *   filter reuses its last gain (a steady state; the convergence test is in
 *   docs/forecasting.md): exact without MA terms, and with MA terms a
 *   perturbation of the prediction variances of the order of 1e-9
 *   relative, far inside the 1e-4 parity with R.
 * - CSS-ML (default): CSS first; its estimates start ML when the CSS
 *   optimisation converged (a non-stationary CSS AR part is an error, as in
 *   R), otherwise ML starts from zero.
 * With `transform` = 1 (default) the AR and seasonal AR coefficients are
 *   optimised as tanh-mapped partial autocorrelations (Durbin-Levinson; R's
 *   transform.pars), so every trial model is stationary; MA parts found
 *   non-invertible are reflected to their invertible form (roots inside the
 *   unit circle replaced by their inverses) and the fit is re-evaluated, as
 *   R does. The regression coefficient starts at its least-squares value on
 *   the differenced series and is scaled by 10 times its standard error.
 *
 * Optimiser and stopping rule. BFGS with the semantics of R's optim(method =
 * "BFGS") defaults: gradient by central differences with step 1e-3 in the
 * scaled parameters, backtracking line search (step x 0.2, Armijo constant
 * 1e-4), inverse-Hessian reset after an uphill direction and every 2k
 * gradients without progress; it stops when an accepted step changes the
 * objective by at most reltol * (|f| + reltol), reltol = sqrt(DBL_EPSILON)
 * (about 1.49e-8), or when no parameter can change, or after `max_iter`
 * (100) gradient evaluations, which is reported as stat converged = 0 (the
 * fit still succeeds). Standard errors come from the Hessian by central
 * differences of that gradient (step 1e-3) at the optimum, in the
 * transformed scale, mapped back through the Jacobian of the transform.
 *
 * Statistics (crm_model_stat()): `p d q sp sd sq period` (the order),
 * `include_mean`, `include_drift`, `method`, `n` (observations), `n_used`
 * (n minus d + s*D), `loglik`, `aic` (-2 loglik + 2 (k + 1), k the
 * estimated coefficients), `aicc` (aic + 2 k' (k' + 1)/(n_used - k' - 1),
 * k' = k + 1), `bic` (aic + k' (log(n_used) - 2)), `sigma2` (the innovation
 * variance the `sigma2` option chose: forecast's bias-adjusted one by default,
 * or stats::arima's, the sum of squared standardised innovations / n_used for
 * ML and the CSS mean square for CSS; see "Innovation variance"),
 * `converged` (1 / 0), `iterations` (gradient evaluations),
 * `ljung_box`, `ljung_box_p`, `ljung_box_lag`, `ljung_box_df` (Ljung-Box
 * test of the residuals with forecast::checkresiduals' lag: 2s for seasonal
 * series, else 10, at most n/5 rounded, at least df + 3; df = p+q+P+Q),
 * `auto` (1 when the order was selected automatically), `models_tried`,
 * `sigma2_stats`.
 * For CSS aic, aicc and bic are NaN (R reports NA). `sigma2_stats` is
 * stats::arima's sigma2 whichever `sigma2` option was chosen.
 *
 * Innovation variance (`sigma2` option). forecast 8.20's Arima() and
 * auto.arima() replace stats::arima's sigma2 by the bias-adjusted
 * sum(residuals^2) / (n* - npar + 1), n* = n - d - D*s (n the observed values
 * from the first to the last observed one), npar = the number of estimated
 * coefficients + 1, the residuals those of the final fit (ML and CSS-ML: the
 * standardised innovations of the Kalman filter, the first d + s*D included;
 * CSS: the CSS residuals, 0 on the conditioning values), missing ones left
 * out; a held (fixed) coefficient does not count in npar. forecast() and
 * stats::predict() both take the model's sigma2 for the interval, so:
 * - CRM_ARIMA_SIGMA2_FORECAST (default, fixed and automatic orders): stat
 *   `sigma2` and the forecast standard errors and intervals are those of
 *   forecast::forecast(forecast::Arima(...)) and of
 *   forecast(auto.arima(...)); AIC, AICc and BIC do not change (they come
 *   from the likelihood).
 * - CRM_ARIMA_SIGMA2_STATS: stats::arima's sigma2 (the ML estimate, sum of
 *   squared standardised innovations / n_used; CSS: the mean square of the
 *   CSS residuals) and the standard errors of stats::predict(stats::arima(...)).
 * For the default models the two differ by the factor
 * n_used / (n* - npar + 1): 4-5 % in the variance on a 24-month series,
 * under 1 % from about 200 observations.
 *
 * Model (kind CRM_MODEL_ARIMA, crm/model.h): crm_model_summary() gives one
 * row per coefficient with columns term, estimate, std_error (NaN for a held
 * coefficient), z, p_value (two-sided, normal) and fixed (1 when held);
 * crm_model_predict() is refused with CRM_E_TYPE (an ARIMA model forecasts
 * ahead of its own series: use crm_arima_forecast()).
 *
 * Forecasts (crm_arima_forecast()) run the Kalman filter's prediction step
 * from the state filtered at the end of the series (R's KalmanForecast), so
 * they are undifferenced and on the original scale; se = sqrt(F_h sigma2),
 * sigma2 as chosen by the `sigma2` option (forecast's by default);
 * interval = mean +- z se, z the standard normal quantile of the level.
 *
 * Automatic order (`auto_order` = 1), the Hyndman-Khandakar algorithm as in
 * forecast 8.20 auto.arima() with its defaults:
 * 1. D (when s > 1 and n > 2s): 1 when the seasonal strength of an STL
 *    decomposition (stl with s.window 11, as forecast::mstl) exceeds 0.64
 *    (forecast's default test "seas"), at most `max_sd`.
 * 2. d: repeated KPSS tests (level, Bartlett lag trunc(3 sqrt(n)/13)) at 5%
 *    on the seasonally differenced series, at most `max_d`.
 * 3. A constant series after differencing gets the matching no-ARMA model.
 * 4. Stepwise search on AICc (`ic`): start with (2,d,2)(1,D,1), (0,d,0)(0,D,0),
 *    (1,d,0)(1,D,0), (0,d,1)(0,D,1) and the no-constant (0,d,0)(0,D,0); then
 *    repeatedly try the neighbours in forecast's order (P-1, Q-1, P+1, Q+1,
 *    both seasonal, p-1, q-1, p+1, q+1, both, toggling the constant), moving
 *    to the first that improves strictly (ties keep the current model), until
 *    none improves or 94 models were tried. Orders are bounded by max_p = 5,
 *    max_q = 5, max_sp = 2, max_sq = 2, p+q+P+Q <= 5 (non-stepwise), n/3 and,
 *    with seasonal terms, s - 1. A constant (mean or drift) is allowed when
 *    d + D <= 1. Fits whose AR or MA roots lie within 1.01 of the unit
 *    circle, or whose variances are NaN, are rejected.
 * 5. Approximation: when n > 150 or s > 12 the search uses CSS with an
 *    offset as auto.arima does and the best models are refitted exactly in
 *    order of their approximate criterion until one fits.
 * `stepwise` = 0 searches every order within the bounds instead.
 *
 * Datasets (crm_arima_fit_dataset()): the rows are summed per calendar
 * period (`freq`: day; week starting on Monday; month; quarter; year; in
 * UTC), from the first to the last period present, empty periods counting
 * 0. With `aggregate` = 0 the rows must already be one per period, at the
 * period starts, consecutive: other dates are refused (non-regular dates).
 *
 * JSON members (kind "arima", see crm/model.h): "order" [p,d,q,P,D,Q,s],
 * "xreg" ("none", "intercept", "drift"), "method" ("CSS-ML", "ML", "CSS"),
 * "transform" (0/1), "kappa", "terms" (names), "coef",
 * "mask" (1 = estimated), "var" (k x k covariance of the estimated
 * coefficients, row-major), "sigma2", "loglik", "aic", "aicc", "bic",
 * "converged", "iterations", "n", "n_used", "ljung_box" [stat, p, lag, df],
 * "auto", "models_tried", "phi", "theta", "delta" (the expanded
 * polynomials), "state" and "cov" (filtered state and its covariance at the
 * end of the series), "freq" and "start" (period and first period's time in
 * seconds; freq 0 when fitted on plain values). Every number is finite
 * except "var", "loglik", "aic", "aicc", "bic" and the Ljung-Box statistic
 * and p-value, which may be "nan" (and the criteria infinite). Forecasts
 * from a loaded model are bit-identical.
 *
 * Thread-safety: a model is read-only; every function here only reads its
 * inputs, which other threads may read meanwhile.
 */
#ifndef CRM_ARIMA_H
#define CRM_ARIMA_H

#include "crm/dataset.h"
#include "crm/model.h"

CRM_BEGIN_DECL

/**
 * Estimation method of ARIMA.
 * @type[enum] crm_arima_method
 */
typedef enum crm_arima_method {
    CRM_ARIMA_CSS_ML = 0, /**< CSS start, exact ML finish (default) */
    CRM_ARIMA_ML = 1,     /**< exact maximum likelihood */
    CRM_ARIMA_CSS = 2     /**< conditional sum of squares */
} crm_arima_method;

/**
 * Calendar period of a dataset's time column.
 * @type[enum] crm_arima_freq
 */
typedef enum crm_arima_freq {
    CRM_ARIMA_DAY = 1,     /**< calendar days (UTC); default season 7 */
    CRM_ARIMA_WEEK = 2,    /**< weeks starting on Monday; default season 52 */
    CRM_ARIMA_MONTH = 3,   /**< calendar months (default); default season 12 */
    CRM_ARIMA_QUARTER = 4, /**< calendar quarters; default season 4 */
    CRM_ARIMA_YEAR = 5     /**< calendar years; not seasonal */
} crm_arima_freq;

/**
 * Information criterion of the automatic search.
 * @type[enum] crm_arima_ic
 */
typedef enum crm_arima_ic {
    CRM_ARIMA_AICC = 0, /**< corrected AIC (default) */
    CRM_ARIMA_AIC = 1,  /**< AIC */
    CRM_ARIMA_BIC = 2   /**< BIC */
} crm_arima_ic;

/**
 * Innovation variance a fit reports (stat `sigma2`) and forecasts with.
 * @type[enum] crm_arima_sigma2
 */
typedef enum crm_arima_sigma2 {
    CRM_ARIMA_SIGMA2_FORECAST = 0, /**< forecast::Arima / auto.arima: sum of squared
                                        residuals / (n* - npar + 1) (default) */
    CRM_ARIMA_SIGMA2_STATS = 1     /**< stats::arima: the ML estimate (CSS: the CSS
                                        mean square), as stats::predict uses */
} crm_arima_sigma2;

/**
 * Options of the ARIMA fits. Initialise with
 * crm_arima_options_init(&o, sizeof o); see crm/common.h for the size rule.
 * The field API.md calls `auto` is `auto_order` (auto is a C keyword).
 */
typedef struct crm_arima_options {
    size_t size;           /**< sizeof as the caller compiled it (set by init) */
    int32_t p;             /**< AR order, 0..100; default 0 */
    int32_t d;             /**< differences, 0..3; default 0 */
    int32_t q;             /**< MA order, 0..100; default 0 */
    int32_t sp;            /**< seasonal AR order P; default 0 */
    int32_t sd;            /**< seasonal differences D, 0..2; default 0 */
    int32_t sq;            /**< seasonal MA order Q; default 0 */
    int32_t period;        /**< season length s, >= 1; 0 (default) = from `freq` for
                                datasets (7, 52, 12, 4, 1), 1 for plain series */
    int32_t include_mean;  /**< 1 (default): estimate a mean when d + D = 0 */
    int32_t include_drift; /**< 1: estimate a drift when d + D = 1; default 0 */
    int32_t method;        /**< @type[enum] crm_arima_method; default CRM_ARIMA_CSS_ML */
    int32_t auto_order;    /**< 1: select the order automatically (then p..sq,
                                include_mean, include_drift, fixed and method are
                                ignored: the search fits with CSS-ML, or CSS while
                                approximating, as auto.arima); default 0 */
    int32_t max_p;         /**< auto: largest p; default 5 */
    int32_t max_q;         /**< auto: largest q; default 5 */
    int32_t max_sp;        /**< auto: largest P; default 2 */
    int32_t max_sq;        /**< auto: largest Q; default 2 */
    int32_t max_d;         /**< auto: largest d; default 2 */
    int32_t max_sd;        /**< auto: largest D; default 1 */
    int32_t stepwise;      /**< auto: 1 (default) stepwise search, 0 every order */
    int32_t max_order;     /**< auto, stepwise = 0: largest p+q+P+Q; default 5 */
    int32_t auto_d;        /**< auto: fixed d, or -1 (default) for the KPSS tests */
    int32_t auto_sd;       /**< auto: fixed D, or -1 (default) for the seasonal test */
    int32_t approximation; /**< auto: -1 (default) CSS search when n > 150 or s > 12,
                                0 never, 1 always */
    int32_t ic;            /**< @type[enum] crm_arima_ic; auto: criterion; default
                                CRM_ARIMA_AICC */
    int32_t transform;     /**< 1 (default): optimise the AR parts as partial
                                autocorrelations (stationary) */
    int32_t max_iter;      /**< BFGS gradient evaluations, >= 0; default 100 */
    double reltol;         /**< BFGS relative tolerance, > 0; default sqrt(DBL_EPSILON) */
    double kappa;          /**< prior variance of differenced states, > 0; default 1e6 */
    const double *fixed;   /**< n_fixed values in term order (ar, ma, sar, sma,
                                intercept|drift); NaN = estimate, a number = hold it
                                at that value; NULL (default) estimates all.
                                Holding an AR term switches the transform off, as R.
                                Borrowed for the call */
    int64_t n_fixed;       /**< number of values in fixed; default 0 */
    int32_t freq;          /**< @type[enum] crm_arima_freq; datasets: calendar period;
                                default CRM_ARIMA_MONTH */
    int32_t aggregate;     /**< datasets: 1 (default) sum rows per period, empty
                                periods 0; 0 rows must be one per period already */
    int32_t allow_missing; /**< 0 (default): a NaN in the series is an error; 1: NaN
                                are missing observations, skipped by the Kalman filter
                                (CSS-ML then runs as ML, as R; CSS refuses them) */
    int32_t n_threads;     /**< crm_arima_fit_many: worker threads, 0 (default) = all
                                cores; results do not depend on it */
    crm_progress_fn progress; /**< crm_arima_fit_many: called after each chunk of
                                series with the fraction done, or NULL (default);
                                non-zero cancels (CRM_E_CANCELLED) */
    void *user;            /**< passed to progress; default NULL */
    /* ---- v1.0 ends here; append new fields below only ---- */
    int32_t sigma2;        /**< @type[enum] crm_arima_sigma2; which innovation variance the
                                model reports and its forecast intervals use (see "Innovation
                                variance" above); default CRM_ARIMA_SIGMA2_FORECAST */
} crm_arima_options;

/**
 * Write the default ARIMA options into `opts` (ARIMA(0,0,0) with mean,
 * period 0, CSS-ML, no auto; auto limits max_p = 5, max_q = 5, max_sp = 2,
 * max_sq = 2, max_d = 2, max_sd = 1, stepwise = 1, max_order = 5,
 * auto_d = -1, auto_sd = -1, approximation = -1, ic = AICC; transform = 1,
 * max_iter = 100, reltol = sqrt(DBL_EPSILON), kappa = 1e6, fixed = NULL,
 * n_fixed = 0, freq = MONTH, aggregate = 1, allow_missing = 0, n_threads = 0, progress = NULL,
 * user = NULL, sigma2 = CRM_ARIMA_SIGMA2_FORECAST).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size too small).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_arima_options_init(crm_arima_options *opts, size_t size);

/**
 * Fit an ARIMA model (fixed order, or automatic with auto_order) to a plain
 * series of n values in time order.
 * @param[in]  y     n values in time order (NaN only with allow_missing)
 * @param[in]  n     number of values
 * @param[in]  opts  options, or NULL for the defaults (ARIMA(0,0,0) + mean)
 * @param[out] out   fitted model (kind CRM_MODEL_ARIMA), NULL on failure.
 *                   Ownership: caller; free with crm_model_free().
 * @return CRM_OK (also when the optimiser stopped at max_iter: stat
 *         converged = 0); CRM_E_INVALID (NULL argument; an order out of
 *         range; period < 1, or seasonal terms with period 1; drift with
 *         d + D other than 1; fixed of the wrong length; an infinite value, or a
 *         NaN without allow_missing, naming the 0-based position;
 *         too few observations for the model, naming the order and the
 *         count needed; a constant series with ARMA terms (nothing to
 *         estimate); with CSS a missing value); CRM_E_NUMERIC (no finite
 *         model: non-stationary AR part from CSS, initial value or
 *         gradient not finite, singular Hessian); CRM_E_FORMAT (opts from
 *         a newer library); CRM_E_NOMEM.
 * Ownership: y and opts (with fixed) are only read during the call.
 * Thread-safety: safe; concurrent fits are independent.
 */
CRM_API crm_status crm_arima_fit(const double *y, size_t n, const crm_arima_options *opts,
                                 crm_model **out);

/**
 * Aggregate a transaction table to a regular period (opts->freq, summing
 * `value_col` per period, empty periods 0) and fit as crm_arima_fit().
 * Rows with a missing time are refused; rows with a missing value are
 * skipped. Forecast tables of the model carry a `time` column (period
 * starts).
 * @param[in]  ds         dataset
 * @param[in]  time_col   time column (CRM_TYPE_TIME)
 * @param[in]  value_col  number column
 * @param[in]  opts       options, or NULL (monthly, ARIMA(0,0,0) + mean)
 * @param[out] out        fitted model (kind CRM_MODEL_ARIMA), NULL on failure.
 *                        Ownership: caller; free with crm_model_free().
 * @return CRM_OK; CRM_E_NOTFOUND (no such column); CRM_E_TYPE (time_col not
 *         a time column or value_col not a number column); CRM_E_INVALID
 *         (NULL argument, empty dataset, a missing time naming the row,
 *         unknown freq, non-regular dates with aggregate = 0 naming the
 *         row, and the errors of crm_arima_fit()); CRM_E_NUMERIC (as
 *         crm_arima_fit()); CRM_E_FORMAT (opts from a newer library);
 *         CRM_E_NOMEM.
 * Ownership: the column names and opts are only read during the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_arima_fit_dataset(const crm_dataset *ds, const char *time_col,
                                         const char *value_col, const crm_arima_options *opts,
                                         crm_model **out);

/**
 * Forecast h steps ahead with one prediction interval.
 * @param[in]  m      ARIMA model
 * @param[in]  h      steps, 1..100000
 * @param[in]  level  interval level in percent, in (0, 100), e.g. 95
 * @param[out] out    table with number columns step (1..h), mean, se, lower,
 *                    upper, preceded by a time column `time` when the model
 *                    was fitted from a dataset; NULL on failure.
 *                    Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, h or level out of range);
 *         CRM_E_TYPE (not an ARIMA model); CRM_E_NOMEM.
 * Ownership: nothing else changes hands.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_arima_forecast(const crm_model *m, int32_t h, double level,
                                      crm_dataset **out);

/**
 * Forecast h steps ahead with several prediction intervals: columns step,
 * mean, se, then lower_<L>, upper_<L> for each level L in the given order
 * (L written as the shortest number, e.g. lower_80, upper_97.5), preceded
 * by `time` when fitted from a dataset.
 * @param[in]  m        ARIMA model
 * @param[in]  h        steps, 1..100000
 * @param[in]  levels   nlevels levels in percent, each in (0, 100), distinct;
 *                      NULL with nlevels 0 gives 80 and 95
 * @param[in]  nlevels  number of levels, 0..16
 * @param[out] out      table, NULL on failure.
 *                      Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL m or out, h out of range, levels NULL
 *         with nlevels > 0 or not NULL with nlevels 0, more than 16 levels, a
 *         level outside (0, 100) or given twice); CRM_E_TYPE (not an ARIMA
 *         model); CRM_E_NOMEM.
 * Ownership: levels are only read during the call.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_arima_forecast_levels(const crm_model *m, int32_t h, const double *levels,
                                             size_t nlevels, crm_dataset **out);

/**
 * Fit one model per group of `by_col` (each group aggregated as in
 * crm_arima_fit_dataset(), over the group's own first to last period) in
 * parallel over opts->n_threads, and forecast each h steps.
 * A group whose fit fails does not fail the call: its row in `out_fits` carries
 * the error text and NaN statistics, and it has no forecast rows.
 * @param[in]  ds         dataset
 * @param[in]  by_col     grouping column (text or number)
 * @param[in]  time_col   time column
 * @param[in]  value_col  number column
 * @param[in]  h          forecast steps, 0..100000 (0: no forecasts)
 * @param[in]  level      interval level in percent, in (0, 100)
 * @param[in]  opts       options, or NULL (then auto_order is NOT implied:
 *                        set it for automatic orders)
 * @param[out] out_fits   one row per group in order of first appearance:
 *                        the group key (named as by_col), n, p, d, q, sp, sd,
 *                        sq, period, constant (1 mean/drift), loglik, aic,
 *                        aicc, bic, sigma2, converged, ljung_box_p, error
 *                        (text, missing when the fit succeeded).
 *                        Ownership: caller; free with crm_dataset_free().
 * @param[out] out_forecasts  group key, step, time, mean, se, lower, upper; h
 *                        rows per fitted group.
 *                        Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK (also when some groups failed); CRM_E_NOTFOUND (a column
 *         does not exist); CRM_E_TYPE (time_col not a time column or
 *         value_col not a number column); CRM_E_INVALID (NULL argument, h
 *         or level out of range, missing time or group key naming the row,
 *         invalid options); CRM_E_CANCELLED (the progress callback returned
 *         non-zero); CRM_E_FORMAT (opts from a newer library); CRM_E_NOMEM.
 *         Both outputs are NULL on failure.
 * Ownership: the column names and opts are only read during the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_arima_fit_many(const crm_dataset *ds, const char *by_col,
                                      const char *time_col, const char *value_col, int32_t h,
                                      double level, const crm_arima_options *opts,
                                      crm_dataset **out_fits, crm_dataset **out_forecasts);

CRM_END_DECL

#endif /* CRM_ARIMA_H */
