/*
 * ARIMA engine shared by lib/ts: one fit of a fixed order on a plain series,
 * the Kalman filter, forecasts, and the automatic order search. Never
 * installed.
 */
#ifndef CRM_ARIMA_ARIMA_INTERNAL_H
#define CRM_ARIMA_ARIMA_INTERNAL_H

#include "core/internal.h"
#include "crm/arima.h"

#define CRM__ARIMA_MAXORD 100 /* p + s*P and q + s*Q are each below 10,000 */

/* Regressor of a fit: none, a constant (d + D = 0) or a drift 1..n (d + D = 1). */
enum { CRM__XREG_NONE = 0, CRM__XREG_MEAN = 1, CRM__XREG_DRIFT = 2 };

/* What to fit. */
typedef struct crm__arima_spec {
    int p, d, q, P, D, Q, s; /* s = 1 when not seasonal */
    int xreg;                /* CRM__XREG_* */
    int method;              /* crm_arima_method */
    int transform;           /* keep the AR parts stationary (transform.pars) */
    double kappa;            /* prior variance of the differenced states */
    const double *fixed;     /* npar values, NaN = estimated; NULL = all estimated */
    int maxit;               /* BFGS iterations */
    double reltol;           /* BFGS relative stopping tolerance */
    int want_hessian;        /* compute standard errors */
    int want_resid;          /* keep residuals and filtered state */
} crm__arima_spec;

/* Result of one fit. Arrays belong to the result (crm__arima_result_free). */
typedef struct crm__arima_result {
    int npar;       /* p + q + P + Q + (xreg != NONE) */
    double *coef;   /* npar, R's order: ar, ma, sar, sma, intercept|drift */
    double *var;    /* npar * npar covariance (0 rows/cols for fixed), row-major */
    int *mask;      /* npar, 1 = estimated */
    double sigma2;  /* innovation variance */
    double loglik;  /* Gaussian log-likelihood (CSS: the conditional one) */
    double aic, aicc, bic; /* NaN for CSS */
    int code;       /* optimiser code: 0 converged, 1 iteration limit */
    int var_bad;    /* 1: no covariance (Hessian singular or not computed) */
    int n_used;     /* observations - length of the differencing polynomial */
    int ncond;      /* conditioning observations of CSS */
    int iterations; /* BFGS gradient evaluations of the last optimisation */
    double ljung_box, ljung_box_p;
    int lb_lag, lb_df;
    int n;          /* series length */
    double *resid;  /* n residuals (NaN at missing values) */
    /* filtered state at the end of the series, for forecasting */
    int rp, rq, nd, rd; /* lengths of phi, theta, Delta; state dimension */
    double *phi, *theta, *delta, *a, *P;
} crm__arima_result;

void crm__arima_result_free(crm__arima_result *r);

/* Fit spec to y[0..n) (NaN = missing). Errors: CRM_E_INVALID (too few
 * observations), CRM_E_NUMERIC (non-stationary AR part from CSS, initial
 * value not finite, non-finite finite-difference gradient, singular Hessian),
 * CRM_E_NOMEM. The message names the order. */
crm_status crm__arima_fit_series(const double *y, int n, const crm__arima_spec *spec,
                                 crm__arima_result *out);

/* Forecasts h steps ahead from the filtered state: mean and standard error. */
crm_status crm__arima_forecast_raw(const crm__arima_result *r, const crm__arima_spec *spec, int h,
                                   double *mean, double *se);

/* Smallest modulus of the roots of 1 - c[0] z - ... - c[m-1] z^m, trailing
 * |c| <= tiny ignored (+Inf when none; NaN when not computable). work:
 * (m+2)(m+4) doubles. */
double crm__arima_min_root(int m, const double *c, double tiny, double *work);

/* Regularised upper incomplete gamma Q(a, x): p-value of chi-square tests. */
double crm__chisq_upper(double x, double df);

/* ---- automatic selection (lib/arima/arima_auto.c) --------------------------- */

/* Options of the search (the public options' fields it uses). */
typedef struct crm__auto_opts {
    int max_p, max_q, max_P, max_Q, max_d, max_D, max_order;
    int start_p, start_q, start_P, start_Q;
    int d, D;  /* -1 = chosen by the tests */
    int stepwise;
    int approximation; /* -1 = auto (n > 150 or s > 12) */
    int allow_mean, allow_drift;
    int method; /* 0 = CSS-ML/CSS as auto.arima, else forced */
    int nmodels;
    int ic; /* 0 aicc, 1 aic, 2 bic */
} crm__auto_opts;

/* Select and fit. On success *spec_out holds the chosen order and *res its
 * final (exact unless method CSS) fit; *nfits the number of models tried. */
crm_status crm__arima_auto(const double *y, int n, int s, const crm__auto_opts *ao,
                           const crm__arima_spec *base, crm__arima_spec *spec_out,
                           crm__arima_result *res, int *nfits);

/* Unit-root and seasonality helpers (exposed for tests). */
double crm__kpss_stat(const double *x, int n);
int crm__ndiffs(const double *x, int n, int max_d);
int crm__nsdiffs(const double *x, int n, int s, int max_D);
double crm__seas_strength(const double *x, int n, int s);
int crm__is_constant(const double *x, int n);

#endif /* CRM_ARIMA_ARIMA_INTERNAL_H */
