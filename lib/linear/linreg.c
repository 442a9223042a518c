/* Linear least squares and ridge: Householder QR of the (weighted,
 * augmented) design, rank-deficiency test on the R diagonal, inference
 * with Student's t. */
#include "linear/linear_internal.h"
#include "core/blas.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define LN_OPTIONS_V1_SIZE (offsetof(crm_linreg_options, sample_weight) + sizeof(const char *))
/* |R_jj| below this share of ||x_j||: term j is a combination of earlier terms (R's lm). */
#define LN_RANK_TOL 1e-7

static const crm_linreg_options ln_defaults = {
    sizeof(crm_linreg_options), /* size */
    0.0,                        /* l2 */
    1,                          /* fit_intercept */
    CRM_LINEAR_MISSING_ERROR,   /* missing */
    NULL,                       /* sample_weight */
    NULL,                       /* mutate */
    0,                          /* n_mutate */
};

crm_status crm_linreg_options_init(crm_linreg_options *opts, size_t size)
{
    return crm__options_init(opts, size, &ln_defaults, sizeof ln_defaults, LN_OPTIONS_V1_SIZE,
                             "crm_linreg_options");
}

crm_status crm__linreg_options_load(crm_linreg_options *dst, const crm_linreg_options *user)
{
    return crm__options_load(dst, user, &ln_defaults, sizeof ln_defaults, LN_OPTIONS_V1_SIZE,
                             "crm_linreg_options");
}

/* crm_linreg_fit() on the working copy of its transform steps (crm__steps_fit). */
static crm_status fit_plain(const crm_dataset *work, const crm__fit_args *a, crm_model **out)
{
    crm_linreg_options o = *(const crm_linreg_options *)a->opts;
    o.n_mutate = 0;
    return crm_linreg_fit(work, a->target, a->features, a->nf, &o, out);
}

/* The least-squares problem and its QR factors: X (M x p, column-major: the n weighted rows
 * of the design, then for ridge one row sqrt(l2) per penalised term) and y (M), factored in
 * place (X: R and the Householder vectors, tau; y: Q^T y once solved); the column norms of
 * the weighted design, the LAPACK workspace, one chunk of residuals. */
typedef struct ln_qr {
    size_t M, lw;
    double *X, *y, *tau, *cn, *work, *r;
} ln_qr;

static void qr_free(ln_qr *q)
{
    crm__free(q->X);
    crm__free(q->y);
    crm__free(q->tau);
    crm__free(q->cn);
    crm__free(q->work);
    crm__free(q->r);
}

/* The weighted (and for l2 > 0 augmented) design and target, and the QR factorization of
 * the design. */
static crm_status qr_factor(ln_qr *q, const lin_design *d, double l2, const char *w)
{
    size_t n = d->n, p = d->p, j0 = d->intercept ? 1 : 0;
    int ridge = l2 > 0;
    size_t M = n + (ridge ? p - j0 : 0);
    q->M = M;
    q->X = crm__calloc(M * p, sizeof *q->X);
    q->y = crm__calloc(M, sizeof *q->y);
    q->tau = crm__malloc_array(p, sizeof *q->tau);
    q->cn = crm__malloc_array(p, sizeof *q->cn);
    q->r = crm__malloc_array(n < LIN_CHUNK ? n : LIN_CHUNK, sizeof *q->r);
    if (!q->X || !q->y || !q->tau || !q->cn || !q->r) return crm__nomem();
    double *X = q->X, *y = q->y;
    crm__lin_design_fill(d, 0, n, X, M);
    memcpy(y, d->y, n * sizeof *y);
    if (d->w)
        for (size_t i = 0; i < n; i++) {
            double s = sqrt(d->w[i]);
            y[i] *= s;
            for (size_t j = 0; j < p; j++)
                X[j * M + i] *= s;
        }
    for (size_t j = 0; j < p; j++)
        q->cn[j] = cblas_dnrm2((blasint)n, X + j * M, 1);
    if (ridge)
        for (size_t j = j0; j < p; j++)
            X[j * M + n + (j - j0)] = sqrt(l2);
    double q1 = 0, q2 = 0;
    lapack_int info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, (lapack_int)M, (lapack_int)p, X,
                                          (lapack_int)M, q->tau, &q1, -1);
    if (info == 0)
        info = LAPACKE_dormqr_work(LAPACK_COL_MAJOR, 'L', 'T', (lapack_int)M, 1, (lapack_int)p, X,
                                   (lapack_int)M, q->tau, y, (lapack_int)M, &q2, -1);
    q->lw = (size_t)(q1 > q2 ? q1 : q2) + 1;
    if (info != 0)
        return crm__error(CRM_E_NUMERIC, "%s: QR workspace query failed (%d)", w, (int)info);
    q->work = crm__malloc_array(q->lw, sizeof *q->work);
    if (!q->work) return crm__nomem();
    info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, (lapack_int)M, (lapack_int)p, X, (lapack_int)M,
                               q->tau, q->work, (lapack_int)q->lw);
    if (info != 0) return crm__error(CRM_E_NUMERIC, "%s: QR failed (%d)", w, (int)info);
    return CRM_OK;
}

/* Least squares only: the rank test on the diagonal of R (a term whose |R_jj| is below
 * LN_RANK_TOL of its column norm depends on the terms before it). */
static crm_status rank_check(const ln_qr *q, const lin_model *m, const char *w)
{
    for (size_t j = 0; j < m->p; j++) {
        double rjj = fabs(q->X[j * q->M + j]);
        if (!(q->cn[j] > 0) || rjj < LN_RANK_TOL * q->cn[j])
            return crm__error(CRM_E_NUMERIC,
                              q->cn[j] > 0
                                  ? "%s: the design is rank deficient: term \"%s\" is "
                                    "(numerically) a linear combination of the terms before "
                                    "it (a constant feature, a duplicated or derived "
                                    "column); drop it"
                                  : "%s: term \"%s\" is 0 in every row fitted; drop it",
                              w, m->terms[j]);
    }
    return CRM_OK;
}

/* The coefficients (m->coef): R b = Q^T y. */
static crm_status qr_solve(ln_qr *q, lin_model *m, const char *w)
{
    size_t M = q->M, p = m->p;
    double *b = m->coef;
    lapack_int info =
        LAPACKE_dormqr_work(LAPACK_COL_MAJOR, 'L', 'T', (lapack_int)M, 1, (lapack_int)p, q->X,
                            (lapack_int)M, q->tau, q->y, (lapack_int)M, q->work, (lapack_int)q->lw);
    if (info == 0)
        info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', (lapack_int)p, 1, q->X,
                              (lapack_int)M, q->y, (lapack_int)M);
    if (info != 0)
        return crm__error(CRM_E_NUMERIC, "%s: triangular solve failed (%d)", w, (int)info);
    memcpy(b, q->y, p * sizeof *b);
    return crm__lin_coef_finite(m, w);
}

/* The weighted residual and total sums of squares, the residuals from the design itself (not
 * from Q^T y), in chunks (r: one chunk of residuals). */
static crm_status sums_of_squares(const lin_design *d, const double *b, double *r, double *rss_out,
                                  double *tss_out)
{
    size_t n = d->n, p = d->p;
    size_t ch = n < LIN_CHUNK ? n : LIN_CHUNK;
    double *Xc = crm__malloc_array(ch * p, sizeof *Xc);
    if (!Xc) return crm__nomem();
    double wsum, wy, rss = 0, tss = 0;
    crm__lin_weighted_sums(d, &wsum, &wy);
    double ybar = d->intercept ? wy / wsum : 0.0;
    for (size_t r0 = 0; r0 < n; r0 += ch) {
        size_t mm = n - r0 < ch ? n - r0 : ch;
        crm__lin_design_fill(d, r0, mm, Xc, ch);
        memcpy(r, d->y + r0, mm * sizeof *r);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (blasint)mm, (blasint)p, -1.0, Xc, (blasint)ch,
                    b, 1, 1.0, r, 1);
        for (size_t i = 0; i < mm; i++) {
            double wi = d->w ? d->w[r0 + i] : 1.0, dy = d->y[r0 + i] - ybar;
            rss += wi * r[i] * r[i];
            tss += wi * dy * dy;
        }
    }
    crm__free(Xc);
    *rss_out = rss;
    *tss_out = tss;
    return CRM_OK;
}

double crm__linreg_summary_stats(double *S, double nn, size_t p, int intercept, double rss,
                                 double tss, double l2, double slw)
{
    double k = (double)p, kc = intercept ? 1.0 : 0.0;
    double dfr = nn - k, dfm = k - kc;
    S[NS_N_ROWS] = nn;
    S[NS_N_TERMS] = k;
    S[NS_RSS] = rss;
    S[NS_TSS] = tss;
    S[NS_R2] = 1.0 - rss / tss;
    S[NS_ADJ_R2] = 1.0 - (nn - kc) / dfr * (rss / tss);
    S[NS_DF_MODEL] = dfm;
    S[NS_DF_RESID] = dfr;
    S[NS_LOGLIK] =
        -0.5 * nn * (log(2.0 * 3.14159265358979323846) + log(rss / nn) + 1.0) + 0.5 * slw;
    S[NS_AIC] = -2.0 * S[NS_LOGLIK] + 2.0 * k;
    S[NS_BIC] = -2.0 * S[NS_LOGLIK] + k * log(nn);
    S[NS_L2] = l2;
    if (l2 > 0) return NAN;
    double sigma2 = rss / dfr;
    S[NS_SIGMA2] = sigma2;
    S[NS_SIGMA] = sqrt(sigma2);
    if (dfm > 0) {
        S[NS_F_STAT] = ((tss - rss) / dfm) / sigma2;
        S[NS_F_PVALUE] = crm__f_sf(S[NS_F_STAT], dfm, dfr);
    }
    return sigma2;
}

/* The fit statistics from the sums of squares, and the standard errors (least squares:
 * sigma^2 (R^T R)^-1, from the factor in q->X; NaN for ridge). */
static crm_status fit_stats(lin_model *m, const lin_design *d, ln_qr *q, double rss, double tss,
                            double l2, const char *w)
{
    size_t n = d->n, p = d->p;
    double slw = 0;
    for (size_t i = 0; d->w && i < n; i++)
        if (d->w[i] > 0) slw += log(d->w[i]);
    double sigma2 =
        crm__linreg_summary_stats(m->stats, (double)n, p, d->intercept, rss, tss, l2, slw);
    if (l2 > 0) {
        for (size_t j = 0; j < p; j++)
            m->se[j] = NAN;
        return CRM_OK;
    }
    lapack_int info = LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', (lapack_int)p, q->X, (lapack_int)q->M);
    if (info != 0) return crm__error(CRM_E_NUMERIC, "%s: cannot invert R^T R (%d)", w, (int)info);
    for (size_t j = 0; j < p; j++)
        m->se[j] = sqrt(sigma2 * q->X[j * q->M + j]);
    return CRM_OK;
}

static crm_status linreg_fit_pinned(const crm_dataset *ds, const char *target,
                                    const char *const *features, size_t nf,
                                    const crm_linreg_options *opts, crm_model **out)
{
    const char *w = "crm_linreg_fit";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    crm_linreg_options o;
    crm_status st = crm__linreg_options_load(&o, opts);
    if (st != CRM_OK) return st;
    if (o.n_mutate) {
        const crm__fit_args a = {target, features, nf, &o};
        return crm__steps_fit(ds, o.mutate, o.n_mutate, "crm_linreg_fit", fit_plain, &a, out);
    }
    if (!(o.l2 >= 0) || !isfinite(o.l2))
        return crm__error(CRM_E_INVALID, "%s: l2 must be a finite number >= 0 (got %g)", w, o.l2);
    lin_design d;
    lin_model *m = NULL;
    lin_target_spec spec = {0, NULL};
    st = crm__lin_design_build(ds, target, features, nf, o.fit_intercept != 0, o.missing,
                               o.sample_weight, spec, 1, w, &d, &m);
    if (st != CRM_OK) return st;
    size_t n = d.n, p = d.p;
    int ridge = o.l2 > 0;
    if (!ridge && n <= p)
        st = crm__error(CRM_E_NUMERIC,
                        "%s: %zu rows for %zu terms: least squares needs more rows than terms "
                        "(drop features or levels, or set l2 > 0)",
                        w, n, p);
    ln_qr q;
    memset(&q, 0, sizeof q);
    double rss = 0, tss = 0;
    if (st == CRM_OK) st = qr_factor(&q, &d, o.l2, w);
    if (st == CRM_OK && !ridge) st = rank_check(&q, m, w);
    if (st == CRM_OK) st = qr_solve(&q, m, w);
    if (st == CRM_OK) st = sums_of_squares(&d, m->coef, q.r, &rss, &tss);
    if (st == CRM_OK) st = fit_stats(m, &d, &q, rss, tss, o.l2, w);
    qr_free(&q);
    crm__lin_design_free(&d);
    if (st != CRM_OK) {
        crm__lin_model_free(m);
        return st;
    }
    return crm__model_new(&crm__linreg_vtable, m, out);
}

/* crm_linreg_fit has no progress callback but pins ds like the other fits: a
 * crm_dataset_free() made meanwhile frees it when the call returns. */
crm_status crm_linreg_fit(const crm_dataset *ds, const char *target, const char *const *features,
                          size_t nf, const crm_linreg_options *opts, crm_model **out)
{
    if (crm__blas_require("crm_linreg_fit") != CRM_OK) {
        if (out) *out = NULL;
        return CRM_E_UNSUPPORTED;
    }
    crm__dataset_pin(ds);
    crm_status st = linreg_fit_pinned(ds, target, features, nf, opts, out);
    crm__dataset_unpin(ds);
    return st;
}
