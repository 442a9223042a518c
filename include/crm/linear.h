/**
 * @file crm/linear.h
 * @brief Logistic regression (churn, lead scoring) and linear least squares
 *        (spend, trends) with statistical inference: standard errors,
 *        z / t statistics, p-values, odds ratios, confidence intervals.
 *
 * Design matrix. Both fits build the same design from a dataset:
 * - an intercept term named "intercept" first (unless fit_intercept = 0);
 * - then, in the order the features are given, one term per number column
 *   (named as the column, values as they are), and for each text column one
 *   0/1 indicator term per level except the first level in byte order
 *   (the reference level), named "col=level" (for example
 *   "Contract=One year" with reference "Month-to-month"). Levels are those
 *   present in the rows fitted. A text feature with a single level adds no
 *   term. Time columns are refused (convert them to a number of days first).
 * - Rows with a missing feature, target or weight are refused with
 *   CRM_E_INVALID naming the column and the 0-based row
 *   (missing = CRM_LINEAR_MISSING_ERROR, the default), or dropped
 *   (CRM_LINEAR_MISSING_DROP; stat "n_rows" counts the rows kept).
 *   Infinite values are always refused.
 * - The design must have full column rank: a term that is (numerically) a
 *   linear combination of the terms before it - a constant feature next to
 *   the intercept, a duplicated or derived column, more terms than rows - is
 *   refused with CRM_E_NUMERIC naming the term. The test, logistic: with
 *   X^T W X scaled to a unit diagonal, the squared Cholesky pivot of the
 *   term (the squared share of the column not explained by the earlier
 *   terms) below 1e-11; linear: |R_jj| of the QR factor below 1e-7 times the
 *   column norm (R's lm tolerance). Penalised fits (l2 > 0) skip the test.
 *
 * Logistic regression. crm_logreg_fit() maximises the weighted
 * log-likelihood  sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)]  minus
 * (l2 / 2) times the sum of the squared coefficients other than the
 * intercept (the intercept is never penalised), with p_i = 1 / (1 + exp(-x_i b)).
 * scikit-learn's `C` is 1 / l2 (LogisticRegression(C=1) is l2 = 1).
 * - Newton / IRLS (up to 2,000 terms, or solver = CRM_LOGREG_NEWTON): the
 *   gradient X^T (w (y - p)) and the Hessian X^T diag(w p (1 - p)) X over
 *   all rows; the step solves the Hessian system by Cholesky after scaling
 *   it to a unit diagonal. A step that lowers the penalised log-likelihood
 *   is halved (up to 30 times). Convergence is tested on the gradient
 *   preconditioned by the Hessian: the fit has converged when the Newton
 *   step, measured per coefficient in units of 1 / sqrt(H_jj) (the scale of
 *   a standard error), is at most tol everywhere (stat "grad_norm" reports
 *   the final value). The start is the intercept-only fit (b = 0 without an
 *   intercept); on large data it is first moved near the optimum with steps
 *   on fixed subsamples of the rows and steps that reuse a Hessian (how,
 *   and when: docs/regression.md). Those steps are part of the start: stat
 *   `n_iter` counts only the Newton iterations over all rows, and max_iter
 *   limits them. The stopping rule is always applied to the full gradient
 *   and a double-precision Hessian over all rows, so the optimum, the
 *   stopping decision and the standard errors are those of plain Newton,
 *   except that a step of at most 1e-5 with step^2 <= tol / 100 is taken as
 *   the last one without another pass over the data, so the standard errors
 *   come from the Hessian one tiny step before the optimum (relative effect
 *   about step / sqrt(n)). Time O(n p^2) per iteration for n rows and p
 *   terms.
 * - L-BFGS (more than 2,000 terms, or solver = CRM_LOGREG_LBFGS): 10
 *   correction pairs, backtracking (Armijo) line search, in coordinates
 *   scaled by the root mean square of each term; converged when the largest
 *   |g_j| / rms_j divided by the sum of the weights is at most tol, or when
 *   the objective no longer decreases beyond rounding (a numerical optimum).
 * - Separation. Without a penalty, complete or quasi-complete separation
 *   (a combination of terms that predicts some rows perfectly, so the
 *   likelihood has no maximum) makes coefficients grow without bound. It
 *   is detected when, while not yet converged, a fitted probability comes
 *   within about 1e-13 of 0 or 1 (|x_i b| > 30), and refused with
 *   CRM_E_NUMERIC naming the term that moves most in the last step
 *   (measured in standard deviations of the term). A penalised fit
 *   (l2 > 0) always has a finite optimum.
 * - Targets: a number column must hold only 0 and 1; a text column must hold
 *   exactly two distinct values: the positive class is `positive`, or when
 *   positive is NULL the second of the two in byte order (scikit-learn's
 *   convention). Both classes must occur.
 * - Weights: `sample_weight` names a number column of weights >= 0 (a weight
 *   of k is the same as k copies of the row); class_weight =
 *   CRM_LOGREG_CLASS_WEIGHT_BALANCED multiplies the weights of class c by
 *   n / (2 n_c) (n_c rows of class c among the n fitted), as scikit-learn's
 *   "balanced".
 * - standardize = 1 fits on z-scores of the number features ((x - mean) /
 *   sd, divisor n; indicator terms are not scaled; without an intercept the
 *   columns are only divided by sd). This changes the fit only when l2 > 0
 *   (the penalty then applies to standardized coefficients). Coefficients,
 *   standard errors and predictions are always reported on the original
 *   scale.
 *
 * Inference (unpenalised fits, l2 = 0). The covariance of the coefficients
 * is the inverse of the Hessian at the optimum (the observed = expected
 * information). z = estimate / std_error, p_value = 2 P(Z > |z|) (standard
 * normal, via erfc), 95% interval estimate -/+ 1.959963984540054 std_error,
 * odds_ratio = exp(estimate). For penalised fits std_error, z, p_value and
 * the intervals are NaN (a penalised estimate has no such standard error).
 *
 * Linear regression. crm_linreg_fit() minimises the weighted residual sum of
 * squares sum_i w_i (y_i - x_i b)^2 plus l2 times the sum of the squared
 * coefficients other than the intercept (ridge; scikit-learn's Ridge(alpha =
 * l2)). It solves by Householder QR of the design with rows scaled by
 * sqrt(w_i) (and, for ridge, sqrt(l2) times the identity appended below
 * the penalised columns). Without a penalty:
 * sigma2 = RSS / (n - p) (n rows, p terms; weights count as repetition only
 * in the sums), standard errors from sigma2 (R^T R)^-1, t = estimate /
 * std_error, two-sided p-values from Student's t with n - p degrees of
 * freedom (regularized incomplete beta), 95% intervals from its 0.975
 * quantile; R^2 (centred with an intercept, uncentred without, as
 * statsmodels), adjusted R^2, F statistic and its p-value, residual standard
 * error sqrt(sigma2), Gaussian log-likelihood, AIC and BIC as statsmodels
 * OLS. At least p + 1 rows are needed.
 *
 * Model. The fitted model has kind CRM_MODEL_LOGREG or CRM_MODEL_LINREG
 * (crm/model.h).
 * - crm_model_predict(m, ds, pred_col) looks the features up by name in ds
 *   (a text feature may hold only levels seen in the fit; missing or
 *   non-finite values, or an unseen level, are refused naming the column,
 *   row and value). Logistic: adds `pred_col`, the predicted class (a number
 *   column 0/1 for a number target; the positive or the other class's text
 *   for a text target) where the probability is > 0.5, and
 *   `<pred_col>_proba`, the probability of the positive class. Linear: adds
 *   `pred_col`, the fitted value x b. The linear predictor is summed term by
 *   term in design order from the stored coefficients, so a model loaded
 *   from JSON predicts bit-identically.
 * - crm_model_summary(): one row per term, columns `term` (text),
 *   `estimate`, `std_error`, then `z` (logistic) or `t` (linear),
 *   `p_value`, for logistic `odds_ratio`, then `ci_low`, `ci_high` (95%
 *   interval of the estimate), and for logistic `or_ci_low`, `or_ci_high`
 *   (the interval of the odds ratio, exp of ci_low / ci_high).
 * - Statistics (crm_model_stat()), logistic: `n_rows`, `n_terms`,
 *   `n_iter`, `iterations` (same), `converged` (0/1), `loglik` (unpenalised,
 *   weighted), `loglik_null` (intercept-only model, or p = 0.5 without
 *   intercept), `mcfadden_r2` (1 - loglik / loglik_null), `aic`
 *   (-2 loglik + 2 n_terms), `bic` (-2 loglik + n_terms ln n_rows),
 *   `deviance` (-2 loglik), `null_deviance`, `df_model` (n_terms minus the
 *   intercept), `df_resid` (n_rows - n_terms), `l2`, `objective` (-loglik +
 *   l2/2 |b|^2 at the fitted scale), `grad_norm` (the final convergence
 *   measure). (The AUC of predictions comes from crm/metrics.h.)
 *   Linear: `n_rows`, `n_terms`, `r2`, `adj_r2`, `f_stat`, `f_pvalue`,
 *   `sigma` (residual standard error), `sigma2`, `rss`, `tss`, `df_model`,
 *   `df_resid`, `loglik`, `aic`, `bic`, `l2`. Statistics that need an
 *   unpenalised fit are NaN for ridge / L2 fits (l2 > 0) except the R^2
 *   values, rss, tss, loglik and the likelihood figures of logistic
 *   regression.
 * - JSON members (kinds "logreg" and "linreg", see crm/model.h for the
 *   envelope): "target" (name), "features" (array of
 *   {"name", "type": "number"|"text", "levels": [...] for text, in byte
 *   order, the first being the reference}), "intercept" (true/false),
 *   "terms" (array of term names), "coef", "std_error" (arrays, one value
 *   per term, original scale; std_error may hold "nan"), "stats" (object:
 *   every statistic above by name; the penalty is stats "l2"; "nan", like
 *   an absent member, is a statistic not known); logistic
 *   only: "classes" (null for a number target, else [negative, positive]
 *   text).
 *
 * Threads. Gradient, Hessian and log-likelihood are summed in row order
 * within fixed reduction blocks whose boundaries depend only on the number
 * of rows and terms, and the blocks are merged in block order: results are
 * bit-identical for every n_threads (chunk sizes and BLAS threading:
 * docs/regression.md). The linear fit works on the materialised n x p
 * design (memory O(n p)).
 *
 * Thread-safety: the functions here only read their input datasets, which
 * other threads may read meanwhile; concurrent fits on distinct outputs are
 * safe.
 */
#ifndef CRM_LINEAR_H
#define CRM_LINEAR_H

#include "crm/dataset.h"
#include "crm/model.h"

CRM_BEGIN_DECL

/**
 * What to do with rows with a missing value in a feature, the target or the
 * weight column.
 * @type[enum] crm_linear_missing
 */
typedef enum crm_linear_missing {
    CRM_LINEAR_MISSING_ERROR = 0, /**< refuse with CRM_E_INVALID naming the row (default) */
    CRM_LINEAR_MISSING_DROP = 1   /**< leave such rows out of the fit */
} crm_linear_missing;

/**
 * Class weights of logistic regression.
 * @type[enum] crm_logreg_class_weight
 */
typedef enum crm_logreg_class_weight {
    CRM_LOGREG_CLASS_WEIGHT_NONE = 0,    /**< every class weighs 1 (default) */
    CRM_LOGREG_CLASS_WEIGHT_BALANCED = 1 /**< class c weighs n / (2 n_c) */
} crm_logreg_class_weight;

/**
 * Optimiser of logistic regression.
 * @type[enum] crm_logreg_solver
 */
typedef enum crm_logreg_solver {
    CRM_LOGREG_AUTO = 0,   /**< Newton up to 2,000 terms, L-BFGS above (default) */
    CRM_LOGREG_NEWTON = 1, /**< Newton / IRLS with Cholesky */
    CRM_LOGREG_LBFGS = 2   /**< limited-memory BFGS */
} crm_logreg_solver;

/**
 * Options of crm_logreg_fit(). Initialise with
 * crm_logreg_options_init(&o, sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_logreg_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    double l2;                 /**< L2 penalty lambda >= 0 (= 1 / scikit-learn's C); default 0 */
    int32_t fit_intercept;     /**< 1 (default): add the "intercept" term; 0: none */
    int32_t standardize;       /**< 1: fit on z-scores of the number features; default 0 */
    const char *positive;      /**< positive class of a text target, or NULL (default): the
                                    second of the two classes in byte order; borrowed for
                                    the call */
    int32_t class_weight;      /**< @type[enum] crm_logreg_class_weight; default
                                    CRM_LOGREG_CLASS_WEIGHT_NONE */
    int32_t max_iter;          /**< iterations, >= 1; default 100 (Newton) - L-BFGS uses
                                    max(max_iter, 1000) */
    double tol;                /**< convergence tolerance (see the header), > 0; default 1e-8 */
    int32_t missing;           /**< @type[enum] crm_linear_missing; default
                                    CRM_LINEAR_MISSING_ERROR */
    int32_t solver;            /**< @type[enum] crm_logreg_solver; default CRM_LOGREG_AUTO */
    const char *sample_weight; /**< number column of row weights (>= 0), or NULL
                                    (default): all 1; borrowed for the call */
    int32_t n_threads;         /**< worker threads, 0 (default) = all cores; the result
                                    does not depend on it */
    crm_progress_fn progress;  /**< called after every iteration with the fraction of
                                    max_iter used, or NULL (default); non-zero return
                                    cancels (CRM_E_CANCELLED) */
    void *user;                /**< passed to progress; default NULL */
    /* ---- v1.0 ends here; append new fields below only ---- */
    const char *const *mutate; /**< "NAME=EXPR" transform steps applied in order to a copy
                                    of the dataset before the fit and recorded in the model
                                    (crm/model.h, "Transform steps"), or NULL (default);
                                    borrowed for the call */
    size_t n_mutate;           /**< number of mutate entries, <= 4096; default 0 */
} crm_logreg_options;

/**
 * Write the default logistic regression options into `opts` (l2 = 0,
 * fit_intercept = 1, standardize = 0, positive = NULL, class_weight = NONE,
 * max_iter = 100, tol = 1e-8, missing = ERROR, solver = AUTO,
 * sample_weight = NULL, n_threads = 0, progress = NULL, user = NULL,
 * mutate = NULL, n_mutate = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1.0 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_logreg_options_init(crm_logreg_options *opts, size_t size);

/**
 * Fit a binary logistic regression of `target` on `features` (design,
 * algorithm, inference, model and JSON form described at the top of this
 * header).
 * @param[in]  ds        dataset
 * @param[in]  target    target column: number (0/1) or text (two classes)
 * @param[in]  features  feature column names (number or text columns, distinct,
 *                       not the target)
 * @param[in]  nf        number of features (0 fits the intercept alone)
 * @param[in]  opts      options, or NULL for the defaults
 * @param[out] out       fitted model (kind CRM_MODEL_LOGREG), NULL on failure.
 *                       Ownership: caller; free with crm_model_free(). The
 *                       model keeps no reference to ds.
 * @return CRM_OK (also when max_iter is reached: see stat "converged");
 *         CRM_E_INVALID (NULL argument, a duplicate feature or the target
 *         among the features, no term at all, l2 negative or not finite,
 *         tol not > 0, max_iter < 1, unknown class_weight, missing or
 *         solver, n_threads < 0; a missing or infinite value naming the
 *         column and row; a number target value other than 0/1; a text
 *         target with other than two classes, or one class absent; positive
 *         not among the target's values; a negative or non-finite weight; no
 *         rows left after dropping missing ones);
 *         CRM_E_NOTFOUND (a column does not exist); CRM_E_TYPE (a time
 *         column, naming it);
 *         CRM_E_NUMERIC (rank-deficient design naming the term; separation
 *         naming the term; a standardized feature with sd 0; a non-finite
 *         result);
 *         CRM_E_CANCELLED (the progress callback returned non-zero);
 *         a mutate step failing (opts.mutate; the message names the step
 *         and its 1-based number): CRM_E_INVALID (NULL, no '=', an empty
 *         name, invalid UTF-8, a malformed expression, more than 4096 steps),
 *         CRM_E_NOTFOUND (a column the step needs), CRM_E_TYPE (operands
 *         of the wrong type in a step);
 *         CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_NOMEM.
 * Ownership: target, features and opts (with its strings) are only read
 * during the call; the model keeps its own copy of the mutate steps.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_logreg_fit(const crm_dataset *ds, const char *target,
                                  const char *const *features, size_t nf,
                                  const crm_logreg_options *opts, crm_model **out);

/**
 * Options of crm_linreg_fit(). Initialise with
 * crm_linreg_options_init(&o, sizeof o).
 */
typedef struct crm_linreg_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    double l2;                 /**< ridge penalty >= 0 (scikit-learn's Ridge alpha); default 0 */
    int32_t fit_intercept;     /**< 1 (default): add the "intercept" term; 0: none */
    int32_t missing;           /**< @type[enum] crm_linear_missing; default
                                    CRM_LINEAR_MISSING_ERROR */
    const char *sample_weight; /**< number column of row weights (>= 0), or NULL
                                    (default): all 1; borrowed for the call */
    /* ---- v1.0 ends here; append new fields below only ---- */
    const char *const *mutate; /**< "NAME=EXPR" transform steps applied in order to a copy
                                    of the dataset before the fit and recorded in the model
                                    (crm/model.h, "Transform steps"), or NULL (default);
                                    borrowed for the call */
    size_t n_mutate;           /**< number of mutate entries, <= 4096; default 0 */
} crm_linreg_options;

/**
 * Write the default linear regression options into `opts` (l2 = 0,
 * fit_intercept = 1, missing = ERROR, sample_weight = NULL, mutate = NULL,
 * n_mutate = 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1.0 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_linreg_options_init(crm_linreg_options *opts, size_t size);

/**
 * Fit a linear least-squares (or ridge) regression of the number column
 * `target` on `features` (design, algorithm, inference, model and JSON form
 * described at the top of this header).
 * @param[in]  ds        dataset
 * @param[in]  target    number column to predict
 * @param[in]  features  feature column names (number or text columns, distinct,
 *                       not the target)
 * @param[in]  nf        number of features (0 fits the intercept alone)
 * @param[in]  opts      options, or NULL for the defaults
 * @param[out] out       fitted model (kind CRM_MODEL_LINREG), NULL on failure.
 *                       Ownership: caller; free with crm_model_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, a duplicate feature or the
 *         target among the features, no term, l2 negative or not finite,
 *         unknown missing, a missing or infinite value naming the column and
 *         row, a negative weight, fewer than n_terms + 1 rows for an
 *         unpenalised fit); CRM_E_NOTFOUND (a column does not exist);
 *         CRM_E_TYPE (a text or time target, a time feature);
 *         CRM_E_NUMERIC (rank-deficient design naming the term; a constant
 *         target with nothing to explain is fine); a mutate step failing (as
 *         for crm_logreg_fit()); CRM_E_FORMAT (opts from a newer library
 *         with unknown fields set); CRM_E_NOMEM.
 * Ownership: target, features and opts (with its strings) are only read
 * during the call; the model keeps its own copy of the mutate steps.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_linreg_fit(const crm_dataset *ds, const char *target,
                                  const char *const *features, size_t nf,
                                  const crm_linreg_options *opts, crm_model **out);

CRM_END_DECL

#endif /* CRM_LINEAR_H */
