/* Shared pieces of logistic and linear regression: the design matrix, the
 * model state of both kinds, distribution functions and metric kernels.
 * Never installed. */
#ifndef CRM_LINEAR_LINEAR_INTERNAL_H
#define CRM_LINEAR_LINEAR_INTERNAL_H

#include "core/model_internal.h"
#include "crm/linear.h"
#include "crm/metrics.h"
#include "core/dataset_internal.h"

/* Rows per chunk of the design (gradient / Hessian accumulation unit). */
#define LIN_CHUNK 4096

/* ---- model state (both kinds) ------------------------------------------------ */

typedef struct lin_feature {
    char *name;
    int32_t type;   /* CRM_TYPE_NUMBER or CRM_TYPE_TEXT */
    size_t nlevels; /* text: levels in byte order, the first is the reference */
    char **levels;
} lin_feature;

/* Statistic slots; which names apply depends on the kind. */
enum { LIN_MAX_STATS = 24 };

typedef struct lin_model {
    int logistic;
    char *target;
    size_t nf;
    lin_feature *feat;
    int intercept;
    size_t p;
    char **terms;
    double *coef;     /* p, original scale */
    double *se;       /* p (NaN for penalised fits) */
    char *classes[2]; /* logistic text target: negative, positive; NULL for numbers */
    double stats[LIN_MAX_STATS];
} lin_model;

extern const char *const crm__logreg_stat_names[];
extern const char *const crm__linreg_stat_names[];
/* Their indices (the order of the names, lib/linear/lmodel.c). */
enum {
    NS_N_ROWS,
    NS_N_TERMS,
    NS_R2,
    NS_ADJ_R2,
    NS_F_STAT,
    NS_F_PVALUE,
    NS_SIGMA,
    NS_SIGMA2,
    NS_RSS,
    NS_TSS,
    NS_DF_MODEL,
    NS_DF_RESID,
    NS_LOGLIK,
    NS_AIC,
    NS_BIC,
    NS_L2,
    NS_COUNT
};
enum {
    LS_N_ROWS,
    LS_N_TERMS,
    LS_N_ITER,
    LS_ITERATIONS,
    LS_CONVERGED,
    LS_LOGLIK,
    LS_LOGLIK_NULL,
    LS_MCFADDEN,
    LS_AIC,
    LS_BIC,
    LS_DEVIANCE,
    LS_NULL_DEVIANCE,
    LS_DF_MODEL,
    LS_DF_RESID,
    LS_L2,
    LS_OBJECTIVE,
    LS_GRAD_NORM,
    LS_COUNT
};

void crm__lin_model_free(void *state);
crm_status crm__lin_model_alloc(size_t nf, lin_model **out);
/* The caller's options (NULL: the defaults) into *dst under the options ABI rule
 * (crm__options_load with the published first layout), for the fits and the statistics. */
crm_status crm__linreg_options_load(crm_linreg_options *dst, const crm_linreg_options *user);
crm_status crm__logreg_options_load(crm_logreg_options *dst, const crm_logreg_options *user);
/* Fill crm_linreg_fit's fit statistics into S (NS_* slots) from nn rows (or the weight sum),
 * p terms, the residual and total sums of squares, the ridge penalty l2 and the sum of the
 * log weights slw (0 unweighted; the log-likelihood adds slw / 2). Returns sigma^2, NaN for
 * ridge (l2 > 0: no sigma, F or standard errors). Shared by the one-machine fit and the model
 * built from merged statistics, so both report the same quantities the same way. */
double crm__linreg_summary_stats(double *S, double nn, size_t p, int intercept, double rss,
                                 double tss, double l2, double slw);

/* ---- design ---------------------------------------------------------------- */

typedef struct lin_dfeat {
    int32_t type;
    const double *num;   /* number feature */
    const int32_t *code; /* text feature */
    int32_t *map;        /* text: dict code -> term index, -1 reference level / unused */
    size_t term;         /* number: its term index; text: its first term */
    size_t nterms;       /* text: number of indicator terms (levels - 1) */
    const double *dense; /* text: its indicator columns for all n rows (leading dimension n),
                            when made by crm__lin_design_dense_text, else NULL */
} lin_dfeat;

typedef struct lin_design {
    size_t n;     /* rows used */
    size_t *rows; /* used row -> dataset row, or NULL when all rows are used */
    size_t nf;
    lin_dfeat *f;
    size_t p;
    int intercept;
    double *shift; /* p: subtracted before scaling (0 when not standardized) */
    double *scale; /* p: divisor (1 when not standardized) */
    double *y;     /* n targets (0/1 for logistic) */
    double *w;     /* n weights, or NULL (all 1) */
    double *dense; /* the one block of every text feature's dense columns, or NULL */
} lin_design;

/* Target handling of the design builder. */
typedef struct lin_target_spec {
    int logistic;
    const char *positive;
} lin_target_spec;

/* Build the design and the model skeleton (features, levels, terms, target,
 * classes) for a fit. `missing` is crm_linear_missing; the validity scan of
 * the columns runs on up to n_threads threads (0: all cores). */
crm_status crm__lin_design_build(const crm_dataset *ds, const char *target,
                                 const char *const *features, size_t nf, int intercept,
                                 int32_t missing, const char *weight, lin_target_spec spec,
                                 int32_t n_threads, const char *what, lin_design *d,
                                 lin_model **model);
void crm__lin_design_free(lin_design *d);

/* Standardize the number terms: shift by the (weighted? no: plain) mean when
 * an intercept is fitted, scale by the standard deviation (divisor n).
 * CRM_E_NUMERIC naming the feature when a standard deviation is 0. */
crm_status crm__lin_design_standardize(lin_design *d, const lin_model *m, const char *what);

/* Fill rows [r0, r0+m) of the design into X (column-major, leading dimension ld). */
void crm__lin_design_fill(const lin_design *d, size_t r0, size_t m, double *X, size_t ld);
/* The columns of rows [r0, r0 + m) without copying what need not be: cols[t]
 * points at m values of term t - the dataset's own column for an unscaled
 * number feature used row for row, `ones` (m values 1) for the intercept,
 * else column t of X (leading dimension ld), filled as crm__lin_design_fill
 * fills it. */
/* Make the indicator columns of every text feature once, for all rows (f->dense, one block
 * d->dense freed with d), when they take at most max_bytes in all: crm__lin_design_cols then
 * points at them instead of filling them per chunk (a pass of the fit reads them like number
 * columns; the values, and so the results, are the same). Larger designs, or none with a
 * text feature, are left as they are. CRM_OK, or CRM_E_NOMEM. */
crm_status crm__lin_design_dense_text(lin_design *d, size_t max_bytes);
void crm__lin_design_cols(const lin_design *d, size_t r0, size_t m, double *X, size_t ld,
                          const double *ones, const double **cols);

/* Check that the weighted design has full column rank (Gram test, see
 * crm/linear.h): one pass forming X^T W X, then crm__lin_gram_check.
 * CRM_E_NUMERIC naming the first dependent term. When rms is not NULL it gets
 * the weighted root sum of squares of every term (p values). */
crm_status crm__lin_rank_check(const lin_design *d, const lin_model *m, const char *what,
                               double *rms);
/* The Gram test on a given p x p matrix proportional to X^T W X (lower
 * triangle, column-major; destroyed). */
crm_status crm__lin_gram_check(double *G, size_t p, const lin_model *m, const char *what);
/* CRM_E_NUMERIC when the design has more terms than rows. */
crm_status crm__lin_too_wide(const lin_design *d, const char *what);

/* The total weight of the rows fitted (*wsum) and the weighted sum of their targets (*wy),
 * summed in row order. */
void crm__lin_weighted_sums(const lin_design *d, double *wsum, double *wy);
/* CRM_E_NUMERIC naming the first term whose coefficient (m->coef) is not finite. */
crm_status crm__lin_coef_finite(const lin_model *m, const char *what);

/* Map the coefficients b (fitted scale) to the original scale; cov (p x p,
 * column-major, lower triangle valid, fitted scale) when non-NULL gives the
 * standard errors on the original scale in se. */
void crm__lin_unscale(const lin_design *d, const double *b, const double *cov, double *coef,
                      double *se);

/* ---- distributions ------------------------------------------------------- */

/* Regularized incomplete beta I_x(a, b), with y = 1 - x passed separately
 * (accurately) by the caller. */
double crm__ibeta(double a, double b, double x, double y);
/* Two-sided p-value of a standard normal statistic: P(|Z| > |z|). */
double crm__normal_p2(double z);
/* Two-sided p-value of Student's t with df degrees of freedom. */
double crm__t_p2(double t, double df);
/* Upper-tail p-value of F(d1, d2). */
double crm__f_sf(double f, double d1, double d2);
/* Quantile q (0.5 < q < 1) of Student's t. */
double crm__t_quantile(double q, double df);

#endif /* CRM_LINEAR_LINEAR_INTERNAL_H */
