/*
 * Internals of the CLV module (include/crm/clv.h): the compressed data of the
 * two likelihoods, their evaluation with analytic gradients, the optimizer
 * and the per-customer predictions. Never installed.
 */
#ifndef CRM_CLV_INTERNAL_H
#define CRM_CLV_INTERNAL_H

#include "core/internal.h"
#include "crm/clv.h"

/* Customers compressed into distinct rows (BG/NBD: (x, t_x, T); Gamma-Gamma:
 * (x, m)) with their counts, sorted by the values, grouped by x: the rows of
 * group k are [xstart[k], xstart[k + 1]) and all hold x = xv[k]. */
typedef struct crm__clv_data {
    size_t n;       /* distinct rows */
    double *v[3];   /* BG/NBD: x, t_x, T; Gamma-Gamma: x, m, ln m */
    double *w;      /* count of each distinct row */
    uint32_t *gid;  /* group of each row */
    size_t nx;      /* groups (distinct x) */
    double *xv;     /* x of each group */
    double *xw;     /* count of customers in each group */
    double *gs;     /* scratch of the evaluations: 2 * nx */
    size_t *xstart; /* nx + 1 starts */
    double total;   /* sum of w */
    /* BG/NBD: when every t_x and T is a whole number up to tmax (<= 2^17), the
     * evaluations take ln(alpha + t) from a table of tmax + 1 values */
    size_t tmax;    /* 0: no table */
    double *ltab;   /* scratch for that table */
    double *part;   /* scratch of the evaluations: 5 sums per block of rows */
    int nthreads;   /* workers for the evaluations */
} crm__clv_data;

/* Compress n customers (k = 3 columns for BG/NBD, 2 for Gamma-Gamma, the
 * first being x). Values are used as given (already validated). */
crm_status crm__clv_data_build(const double *const *cols, int k, size_t n, int nthreads,
                               crm__clv_data *out);
void crm__clv_data_free(crm__clv_data *d);

/* Total log-likelihood at theta and its gradient with respect to theta
 * (grad may be NULL). BG/NBD: theta = (r, alpha, a, b); Gamma-Gamma:
 * theta = (p, q, v). All parameters > 0. */
double crm__clv_bg_loglik(const crm__clv_data *d, const double *theta, double *grad);
double crm__clv_gg_loglik(const crm__clv_data *d, const double *theta, double *grad);

/* Result of a maximum likelihood fit. */
typedef struct crm__clv_fit {
    double theta[4];
    double se[4];
    double loglik; /* unpenalized */
    int iterations;
    int converged;
} crm__clv_fit;

/* Maximise loglik(d, theta) - n l2 |theta|^2 over theta > 0 from theta0
 * (dim parameters): BFGS on log theta, then Newton steps; standard errors
 * from the Hessian. CRM_E_NUMERIC when no finite optimum is found. */
crm_status crm__clv_maximize(const crm__clv_data *d,
                             double (*loglik)(const crm__clv_data *, const double *, double *),
                             int dim, const double *theta0, double l2, int max_iter, double tol,
                             crm__clv_fit *out);

/* Digamma function for x > 0. */
double crm__clv_digamma(double x);

/* BG/NBD parameters (r, alpha, a, b) and predictions of one customer. */
double crm__clv_p_alive(const double *bg, double x, double tx, double T);
/* Expected purchases in the next t periods (formula in crm/clv.h). */
double crm__clv_expected(const double *bg, double x, double tx, double T, double t);
/* Gamma-Gamma conditional expected spend; gg = (p, q, v). */
double crm__clv_spend(const double *gg, double x, double m);
/* Discounted CLV over `months` months (formula in crm/clv.h). */
double crm__clv_value(const double *bg, const double *gg, double x, double tx, double T, double m,
                      int months, double discount, double per_month);

#endif /* CRM_CLV_INTERNAL_H */
