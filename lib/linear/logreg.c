/* Logistic regression: Newton / IRLS with a chunked dsyrk Hessian and a
 * Cholesky solve, step halving, separation detection, L-BFGS for wide
 * designs, L2 penalty, weights, inference from the inverse Hessian. */
#include "linear/linear_internal.h"
#include "core/par.h"
#include "linear/logreg_kernels.h"
#include "core/blas.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define LR_OPTIONS_V1_SIZE (offsetof(crm_logreg_options, user) + sizeof(void *))
/* Above this many terms AUTO uses L-BFGS. */
#define LR_NEWTON_MAX_TERMS 2000
/* |x b| beyond which a correctly fitted row counts as separated (p within ~1e-13 of 0/1). */
#define LR_SEPARATION_MARGIN 30.0
#define LR_LBFGS_M 10
/* A Newton step at most this large (in standard-error units) is the last one. */
#define LR_LAST_STEP 1e-5
/* Reduction blocks: at most this many, with partial sums of at most this many bytes. */
#define LR_MAX_BLOCKS 64
#define LR_PARTIAL_BYTES ((size_t)32 << 20)
/* Chunks: at least LR_MIN_NCHUNKS of them where that leaves at least LR_MIN_CH rows each
 * (lr_work_init). */
#define LR_MIN_NCHUNKS 64
#define LR_MIN_CH 512
/* The one-hot columns of text features are made once for all rows when they take at most
 * this many bytes (crm__lin_design_dense_text), else per chunk in every pass. */
#define LR_DENSE_TEXT_BYTES ((size_t)256 << 20)
/* Rows per cache block within a chunk (lr_chunk). */
#define LR_ROWS 512
/* Starting point from subsamples (newton_sub): every LR_SUB_COARSE-th, then
 * every LR_SUB_STRIDE-th chunk of rows, each used when it gives at least
 * LR_SUB_MIN_CHUNKS chunks and LR_SUB_MIN_ROWS rows per term; Newton stopped
 * at a step of at most LR_SUB_DONE (in the subsample's standard-error
 * units), or abandoned after LR_SUB_MAX_ITER steps. On the coarse subsample,
 * followed by a Newton step on the finer one, a step of at most
 * LR_SUB_COARSE_DONE is the last: Newton's error after a step of s is about
 * s^2 / sqrt(rows) standard errors, so 8 leaves well under one (a fraction
 * of the coarse optimum's own distance from the finer one, about
 * sqrt(LR_SUB_COARSE / LR_SUB_STRIDE - 1)), and the step on the finer
 * subsample lands where it would from the coarse optimum (on the
 * 1,000,000 x 50 benchmark: two coarse steps, 20.9 and 7.5, instead of
 * three). */
#define LR_SUB_COARSE 16
#define LR_SUB_STRIDE 4
#define LR_SUB_MIN_CHUNKS 16
#define LR_SUB_MIN_ROWS 200
#define LR_SUB_DONE 1.0
#define LR_SUB_COARSE_DONE 8.0
#define LR_SUB_MAX_ITER 12
/* After a Newton step larger than this, the next Hessian may be single precision. */
#define LR_F32_STEP 1.0
/* Fixed-Hessian steps after a subsample start (newton_fixed): at most
 * LR_FIXED_MAX_ITER, given up when a step is more than LR_FIXED_RATE times
 * the one before, ended when the error they leave (estimated as the last step
 * times the last ratio of steps, in standard-error units) is at most
 * LR_FIXED_DONE, a quarter of what the final Newton pass may find to take
 * its step as the last. */
#define LR_FIXED_MAX_ITER 8
#define LR_FIXED_RATE 0.25
#define LR_FIXED_DONE (0.25 * LR_LAST_STEP)

static const crm_logreg_options lr_defaults = {
    sizeof(crm_logreg_options),   /* size */
    0.0,                          /* l2 */
    1,                            /* fit_intercept */
    0,                            /* standardize */
    NULL,                         /* positive */
    CRM_LOGREG_CLASS_WEIGHT_NONE, /* class_weight */
    100,                          /* max_iter */
    1e-8,                         /* tol */
    CRM_LINEAR_MISSING_ERROR,     /* missing */
    CRM_LOGREG_AUTO,              /* solver */
    NULL,                         /* sample_weight */
    0,                            /* n_threads */
    NULL,                         /* progress */
    NULL,                         /* user */
    NULL,                         /* mutate */
    0,                            /* n_mutate */
};

crm_status crm_logreg_options_init(crm_logreg_options *opts, size_t size)
{
    return crm__options_init(opts, size, &lr_defaults, sizeof lr_defaults, LR_OPTIONS_V1_SIZE,
                             "crm_logreg_options");
}

crm_status crm__logreg_options_load(crm_logreg_options *dst, const crm_logreg_options *user)
{
    return crm__options_load(dst, user, &lr_defaults, sizeof lr_defaults, LR_OPTIONS_V1_SIZE,
                             "crm_logreg_options");
}

/* ---- per-chunk accumulation --------------------------------------------------- */

typedef struct lr_acc {
    double ll;     /* weighted log-likelihood */
    double margin; /* largest (2y - 1) x b over rows of positive weight */
    double *g;     /* p: X^T w (y - p) */
    double *H;     /* p x p lower: X^T diag(w p (1 - p)) X, or NULL */
} lr_acc;

/* Rows are split into chunks of ch rows, grouped into nblocks reduction blocks
 * whose boundaries depend only on n and p; each block sums its chunks in row
 * order and the blocks are merged in block order, so results do not depend on
 * the number of threads. */
typedef struct lr_work {
    const lin_design *d;
    size_t ch; /* chunk rows (leading dimension) */
    size_t nchunks, nblocks;
    int nthreads;
    size_t stride;       /* this pass reads every stride-th chunk only (1: all rows) */
    double *scratch;     /* per worker: X (ch x p), eta, r, s (ch each), tmp (2 ch) */
    double *ones;        /* ch values 1 (the intercept column) */
    const double **cols; /* per worker: p column pointers */
    double *part;        /* per block: ll, margin, g (p), H (p x p) */
    const double *b;     /* coefficients of the current pass */
    int want_h;          /* this pass forms the Hessian */
    int h_f32;           /* ... in single precision (an intermediate Newton step) */
    float *f32;          /* per worker, allocated on first use: X (ch x p), H (p x p) */
    int has_h;           /* the partials have room for Hessians */
} lr_work;

/* Sums of one chunk of rows [r0, r0 + m) at coefficients b, added into acc.
 * The columns are read where they lie (crm__lin_design_cols); only the
 * Hessian needs a copy, scaled by sqrt(w p (1 - p)) as it is made. The chunk
 * is worked through in blocks of LR_ROWS rows, each taken from x b to the
 * gradient and the scaled copy while its rows are in cache (LR_ROWS x p
 * doubles: 200 KiB at 50 terms, within a core's L2): the design is read
 * from memory once per pass, by x b. (On the 1,000,000 x 50 benchmark blocks
 * of 256 to 2,048 rows measured the same: a whole 4,096-row chunk, 1.6 MiB,
 * stays in L3 between the loops; smaller blocks keep it so on smaller
 * caches.) The Hessian of the whole chunk is then one SYRK on the scaled
 * copy (one per block measured the same). The row loops are the kernels of
 * logreg_kernels.c (vectorised, with their own exp and log1p, the same bits
 * on every CPU); the gradient is summed there in fixed lanes rather than by
 * DDOT, whose kernel OpenBLAS picks by CPU. */
static void lr_chunk(const lin_design *d, double *sc, const double **cols, const double *ones,
                     size_t ld, const double *b, size_t r0, size_t m, float *f32, lr_acc *acc)
{
    size_t p = d->p;
    double *X = sc, *eta = sc + ld * p, *r = eta + ld, *s = r + ld, *tmp = s + ld;
    crm__lin_design_cols(d, r0, m, X, ld, ones, cols);
    const double *const *cc = (const double *const *)cols;
    for (size_t i0 = 0; i0 < m; i0 += LR_ROWS) {
        size_t mb = m - i0 < LR_ROWS ? m - i0 : LR_ROWS;
        crm__lr_xb(cc, i0, b, p, mb, eta);
        acc->ll += crm__lr_rows(eta, d->y + r0 + i0, d->w ? d->w + r0 + i0 : NULL, mb, r, s, tmp,
                                &acc->margin);
        crm__lr_grad(cc, i0, r, p, mb, acc->g);
        if (acc->H) {
            if (f32)
                crm__lr_scale_f32(cc, i0, s, p, mb, f32, ld);
            else
                crm__lr_scale(cc, i0, s, p, mb, X, ld);
        }
    }
    if (!acc->H) return;
    if (f32) {
        /* single precision: the chunk's Hessian by ssyrk, added to the double sums */
        float *Hf = f32 + ld * p;
        cblas_ssyrk(CblasColMajor, CblasLower, CblasTrans, (blasint)p, (blasint)m, 1.0f, f32,
                    (blasint)ld, 0.0f, Hf, (blasint)p);
        for (size_t c = 0; c < p; c++)
            for (size_t j = c; j < p; j++)
                acc->H[c * p + j] += (double)Hf[c * p + j];
        return;
    }
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (blasint)p, (blasint)m, 1.0, X, (blasint)ld,
                1.0, acc->H, (blasint)p);
}

/* Doubles per block partial: ll, margin, g and (when Hessians are formed) H. */
static size_t part_stride(const lr_work *wk, size_t p)
{
    return 2 + p + (wk->has_h ? p * p : 0);
}

static void lr_block(void *ctx, size_t blk, int worker)
{
    lr_work *wk = ctx;
    const lin_design *d = wk->d;
    size_t p = d->p, n = d->n;
    double *part = wk->part + blk * part_stride(wk, p);
    lr_acc acc = {0.0, -INFINITY, part + 2, wk->want_h ? part + 2 + p : NULL};
    memset(acc.g, 0, p * sizeof *acc.g);
    if (acc.H) memset(acc.H, 0, p * p * sizeof *acc.H);
    size_t c0 = blk * wk->nchunks / wk->nblocks, c1 = (blk + 1) * wk->nchunks / wk->nblocks;
    double *sc = wk->scratch + (size_t)worker * (wk->ch * (p + 5));
    const double **cols = wk->cols + (size_t)worker * p;
    for (size_t c = c0; c < c1; c++) {
        if (c % wk->stride) continue;
        size_t r0 = c * wk->ch, m = n - r0 < wk->ch ? n - r0 : wk->ch;
        lr_chunk(d, sc, cols, wk->ones, wk->ch, wk->b, r0, m,
                 wk->h_f32 ? wk->f32 + (size_t)worker * (wk->ch * p + p * p) : NULL, &acc);
    }
    part[0] = acc.ll;
    part[1] = acc.margin;
}

/* The whole pass: per-block sums, merged in block order. */
static void lr_pass(lr_work *wk, const double *b, lr_acc *acc)
{
    size_t p = wk->d->p;
    wk->b = b;
    wk->want_h = acc->H != NULL;
    crm__par_for(wk->nthreads, wk->nblocks, lr_block, wk);
    acc->ll = 0;
    acc->margin = -INFINITY;
    memset(acc->g, 0, p * sizeof *acc->g);
    if (acc->H) memset(acc->H, 0, p * p * sizeof *acc->H);
    for (size_t k = 0; k < wk->nblocks; k++) {
        const double *part = wk->part + k * part_stride(wk, p);
        acc->ll += part[0];
        if (part[1] > acc->margin) acc->margin = part[1];
        for (size_t j = 0; j < p; j++)
            acc->g[j] += part[2 + j];
        if (acc->H)
            for (size_t c = 0; c < p; c++)
                for (size_t j = c; j < p; j++)
                    acc->H[c * p + j] += part[2 + p + c * p + j];
    }
}

/* Set up the blocks and per-worker scratch of a pass over d. */
static crm_status lr_work_init(lr_work *wk, const lin_design *d, int32_t n_threads, int has_h)
{
    size_t p = d->p, n = d->n;
    memset(wk, 0, sizeof *wk);
    wk->d = d;
    wk->has_h = has_h;
    /* chunk rows: at most LIN_CHUNK, and ch * p below OpenBLAS's threading
     * threshold (4 * 65536) so BLAS stays on the calling worker thread */
    size_t ch = (size_t)4 * 65536 / (p ? p : 1);
    if (ch > LIN_CHUNK) ch = LIN_CHUNK;
    /* fewer rows: chunks of n / LR_MIN_NCHUNKS rows (at least LR_MIN_CH), so that the
     * subsamples of newton_sub have enough chunks to start from */
    size_t small = (n + LR_MIN_NCHUNKS - 1) / LR_MIN_NCHUNKS;
    if (small < LR_MIN_CH) small = LR_MIN_CH;
    if (small < ch) ch = small;
    if (ch < 16) ch = 16;
    wk->ch = n < ch ? n : ch;
    wk->nchunks = (n + wk->ch - 1) / wk->ch;
    size_t maxb = LR_PARTIAL_BYTES / (part_stride(wk, p) * sizeof(double));
    if (maxb < 1) maxb = 1;
    if (maxb > LR_MAX_BLOCKS) maxb = LR_MAX_BLOCKS;
    wk->nblocks = wk->nchunks < maxb ? wk->nchunks : maxb;
    wk->nthreads = crm__par_threads(n_threads, wk->nblocks);
    wk->scratch = crm__malloc_array((size_t)wk->nthreads * wk->ch * (p + 5), sizeof *wk->scratch);
    wk->part = crm__malloc_array(wk->nblocks * part_stride(wk, p), sizeof *wk->part);
    wk->ones = crm__malloc_array(wk->ch ? wk->ch : 1, sizeof *wk->ones);
    wk->cols = crm__malloc_array((size_t)wk->nthreads * (p ? p : 1), sizeof *wk->cols);
    wk->stride = 1;
    if (!wk->scratch || !wk->part || !wk->ones || !wk->cols) return crm__nomem();
    for (size_t i = 0; i < wk->ch; i++)
        wk->ones[i] = 1.0;
    return CRM_OK;
}

static void lr_work_free(lr_work *wk)
{
    crm__free(wk->scratch);
    crm__free(wk->part);
    crm__free(wk->ones);
    crm__free(wk->f32);
    crm__free((void *)wk->cols);
}

/* Penalty sum of squares (the intercept, term 0 when fitted, is free). */
static double pen_ss(const lin_design *d, const double *b)
{
    double s = 0;
    for (size_t j = d->intercept ? 1 : 0; j < d->p; j++)
        s += b[j] * b[j];
    return s;
}

/* Equilibrate and factor the (penalised) Hessian: Hs = D H D = L L^T with
 * D = diag(1 / sqrt(H_jj)). Returns 0, or 1 + the failing term index. */
static size_t factor_hessian(const double *H, size_t p, double *Hs, double *D)
{
    for (size_t j = 0; j < p; j++) {
        double h = H[j * p + j];
        if (!(h > 0) || !isfinite(h)) return j + 1;
        D[j] = 1.0 / sqrt(h);
    }
    for (size_t k = 0; k < p; k++)
        for (size_t j = k; j < p; j++)
            Hs[k * p + j] = H[k * p + j] * D[j] * D[k];
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)p, Hs, (lapack_int)p);
    if (info > 0) return (size_t)info;
    if (info < 0) return 1;
    return 0;
}

static crm_status separation_error(const lin_model *m, const double *step, const double *rms,
                                   size_t p, const char *w)
{
    size_t best = 0;
    double bv = -1;
    for (size_t j = 0; j < p; j++) {
        double v = fabs(step[j]) * (rms ? rms[j] : 1.0);
        if (v > bv) {
            bv = v;
            best = j;
        }
    }
    return crm__error(CRM_E_NUMERIC,
                      "%s: complete or quasi-complete separation: fitted probabilities of 0 or "
                      "1, coefficients growing without bound, most along term \"%s\"; the "
                      "classes are (almost) perfectly separated - drop or merge that term, or "
                      "set l2 > 0",
                      w, m->terms[best]);
}

typedef struct lr_fit {
    double *b; /* p, fitted scale */
    double *g, *H, *Hs, *D, *step, *bprev, *rms;
    int factored;    /* Hs holds the factor of H at b */
    double sub_frac; /* > 0 after a subsample start: Hs and D hold the factor of
                        that subsample's Hessian, which read this fraction of the rows */
    int converged;
    double n_iter;
    double measure; /* final convergence measure */
    lr_acc acc;
} lr_fit;

static crm_status progress_call(const crm_logreg_options *o, double frac, const char *w)
{
    if (o->progress && o->progress(frac > 1 ? 1 : frac, o->user) != 0)
        return crm__error(CRM_E_CANCELLED, "%s: cancelled by the progress callback", w);
    return CRM_OK;
}

/* Make the single-precision Hessian scratch; 0 when there is no memory for it
 * (the passes then stay in double precision). */
static int lr_f32_ready(lr_work *wk)
{
    size_t p = wk->d->p;
    if (!wk->f32)
        wk->f32 = crm__malloc_array((size_t)wk->nthreads * (wk->ch * p + p * p), sizeof *wk->f32);
    return wk->f32 != NULL;
}

/* Steps on all rows with a fixed Hessian: that of the 1-in-4 subsample
 * (newton_sub), scaled to all rows, as the preconditioner of the exact
 * full-data gradient. A pass then needs x b, the probabilities and the
 * gradient only, no Hessian (about 0.4 of the cost of a pass forming a
 * single-precision one). Newton with an approximate Hessian converges
 * linearly, at a rate of about ||H_sub^-1 H - I||, which with the subsample's
 * rows and a start within a few standard errors is a few hundredths (on the
 * 1,000,000 x 50 benchmark: steps of 4.1, 0.047, 1.7e-3 and 4e-5 standard
 * errors, leaving 1.4e-6 for the final pass). Returns 1 when the estimated
 * error left is at most LR_FIXED_DONE (the next pass is then the final,
 * double-precision Newton pass), 0 otherwise: the steps stopped contracting,
 * the log-likelihood fell (f->b is then back at the point before that step),
 * or a row came near separation; Newton then goes on from f->b. Like the
 * subsample steps, these refine the start: they are not Newton iterations
 * (n_iter, max_iter). f->bprev and *pen_prev hold the point before the last
 * step and its penalised log-likelihood, as after a Newton step (for the
 * step halving). */
static int newton_fixed(lr_work *wk, const crm_logreg_options *o, lr_fit *f, double *pen_prev)
{
    const lin_design *d = wk->d;
    size_t p = d->p, j0 = d->intercept ? 1 : 0;
    double l2 = o->l2, fr = f->sub_frac, prev = 0;
    f->acc.g = f->g;
    f->acc.H = NULL;
    wk->h_f32 = 0;
    for (int k = 0; k < LR_FIXED_MAX_ITER; k++) {
        lr_pass(wk, f->b, &f->acc);
        double pen = f->acc.ll - 0.5 * l2 * pen_ss(d, f->b);
        if (!isfinite(pen) || pen < *pen_prev - 1e-13 * fabs(*pen_prev) ||
            (l2 == 0.0 && f->acc.margin > LR_SEPARATION_MARGIN)) {
            if (k > 0) memcpy(f->b, f->bprev, p * sizeof *f->b);
            return 0;
        }
        for (size_t j = j0; j < p; j++)
            f->g[j] -= l2 * f->b[j];
        /* step = (H_sub / fr)^-1 g with H_sub = D^-1 L L^T D^-1; measured in
         * the full data's standard-error units, sqrt(fr) times the subsample's */
        for (size_t j = 0; j < p; j++)
            f->step[j] = f->D[j] * f->g[j];
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)p, 1, f->Hs, (lapack_int)p, f->step,
                       (lapack_int)p);
        double meas = 0;
        for (size_t j = 0; j < p; j++) {
            double u = fr * f->step[j];
            if (fabs(u) > meas) meas = fabs(u);
            f->step[j] = u * f->D[j];
        }
        meas /= sqrt(fr);
        if (!isfinite(meas)) return 0;
        double ratio = k > 0 ? meas / prev : 1.0;
        if (k > 0 && ratio > LR_FIXED_RATE) return 0;
        memcpy(f->bprev, f->b, p * sizeof *f->b);
        for (size_t j = 0; j < p; j++)
            f->b[j] += f->step[j];
        *pen_prev = pen;
        if (k > 0 && meas * ratio <= LR_FIXED_DONE) return 1;
        prev = meas;
    }
    return 0;
}

static crm_status newton(lr_work *wk, const lin_model *m, const crm_logreg_options *o, lr_fit *f,
                         int check_rank, int warm, const char *w)
{
    const lin_design *d = wk->d;
    size_t p = d->p, j0 = d->intercept ? 1 : 0;
    double l2 = o->l2, pen_prev = -INFINITY;
    int it = 0, halvings = 0;
    /* From a subsample's optimum: steps with its Hessian first; then, unless
     * they got near the optimum, the first Newton pass is not the last (its
     * step is a few standard errors) and its Hessian may be single precision. */
    int near = warm && f->sub_frac > 0 && newton_fixed(wk, o, f, &pen_prev);
    f->acc.g = f->g;
    f->acc.H = f->H;
    wk->h_f32 = warm && !near && lr_f32_ready(wk);
    lr_pass(wk, f->b, &f->acc);
    if (check_rank) {
        /* from the intercept-only start every row has the same p (1 - p): this
         * Hessian is proportional to X^T W X; from a subsample's optimum it is
         * X^T diag(w p (1 - p)) X with every weight positive, of the same rank.
         * Either way it serves as the rank test with no extra pass. */
        memcpy(f->Hs, f->H, p * p * sizeof *f->H);
        for (size_t j = 0; j < p; j++)
            f->rms[j] = sqrt(f->H[j * p + j]);
        crm_status st = crm__lin_gram_check(f->Hs, p, m, w);
        if (st != CRM_OK) return st;
    }
    for (;;) {
        double pen = f->acc.ll - 0.5 * l2 * pen_ss(d, f->b);
        if (!isfinite(pen))
            return crm__error(CRM_E_NUMERIC, "%s: the log-likelihood is not finite at iteration %d",
                              w, it);
        /* after a step (Newton, or a fixed-Hessian one before the first pass) */
        if (pen_prev > -INFINITY && pen < pen_prev - 1e-13 * fabs(pen_prev)) {
            if (++halvings > 30) {
                /* no step along the Newton direction improves: numerical optimum */
                memcpy(f->b, f->bprev, p * sizeof *f->b);
                wk->h_f32 = 0;
                lr_pass(wk, f->b, &f->acc);
                for (size_t j = j0; j < p; j++) {
                    f->g[j] -= l2 * f->b[j];
                    f->H[j * p + j] += l2;
                }
                f->factored = factor_hessian(f->H, p, f->Hs, f->D) == 0;
                f->converged = 1;
                break;
            }
            for (size_t j = 0; j < p; j++)
                f->b[j] = f->bprev[j] + 0.5 * (f->b[j] - f->bprev[j]);
            wk->h_f32 = 0;
            lr_pass(wk, f->b, &f->acc);
            continue;
        }
        halvings = 0;
        for (size_t j = j0; j < p; j++) {
            f->g[j] -= l2 * f->b[j];
            f->H[j * p + j] += l2;
        }
        size_t bad = factor_hessian(f->H, p, f->Hs, f->D);
        if (bad) {
            if (l2 == 0.0 && f->acc.margin > 10.0) {
                for (size_t j = 0; j < p; j++)
                    f->step[j] = j == bad - 1 ? 1.0 : 0.0;
                return separation_error(m, f->step, NULL, p, w);
            }
            return crm__error(CRM_E_NUMERIC,
                              "%s: the Hessian is not positive definite at term \"%s\" "
                              "(iteration %d)",
                              w, m->terms[bad - 1], it);
        }
        /* a single-precision Hessian gives a step, never the stopping decision
         * nor the standard errors */
        int single = wk->h_f32;
        f->factored = !single;
        double meas = 0;
        for (size_t j = 0; j < p; j++)
            f->step[j] = f->D[j] * f->g[j];
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)p, 1, f->Hs, (lapack_int)p, f->step,
                       (lapack_int)p);
        for (size_t j = 0; j < p; j++) {
            if (fabs(f->step[j]) > meas) meas = fabs(f->step[j]);
            f->step[j] *= f->D[j];
        }
        f->measure = meas;
        f->n_iter = it;
        if (!isfinite(meas))
            return crm__error(CRM_E_NUMERIC, "%s: the Newton step is not finite at iteration %d", w,
                              it);
        if (!single && meas <= o->tol) {
            f->converged = 1;
            break;
        }
        if (!single && meas <= LR_LAST_STEP && meas * meas <= 1e-2 * o->tol && it < o->max_iter) {
            /* Newton converges quadratically: after this step the error is about
             * meas^2, far below tol, so take it without another pass. The
             * log-likelihood at the new point follows from the quadratic model
             * (exact up to meas^3); the Hessian (for the standard errors) stays
             * the one at the current point, off by about meas / sqrt(n) relative. */
            double gs = 0;
            for (size_t j = 0; j < p; j++)
                gs += f->g[j] * f->step[j];
            for (size_t j = 0; j < p; j++)
                f->b[j] += f->step[j];
            f->acc.ll = pen + 0.5 * gs + 0.5 * l2 * pen_ss(d, f->b);
            f->n_iter = ++it;
            f->converged = 1;
            break;
        }
        if (l2 == 0.0 && it >= 1 && f->acc.margin > LR_SEPARATION_MARGIN)
            return separation_error(m, f->step, f->rms, p, w);
        if (it >= o->max_iter) break;
        memcpy(f->bprev, f->b, p * sizeof *f->b);
        for (size_t j = 0; j < p; j++)
            f->b[j] += f->step[j];
        pen_prev = pen;
        it++;
        f->n_iter = it;
        crm_status st = progress_call(o, (double)it / (double)o->max_iter, w);
        if (st != CRM_OK) return st;
        /* A step above LR_F32_STEP leaves the next one far above LR_LAST_STEP
         * (Newton's error after a step of s is about s^2 / sqrt(n)): when
         * started from a subsample, that next pass forms its Hessian in single
         * precision. */
        wk->h_f32 = warm && meas > LR_F32_STEP && wk->f32;
        lr_pass(wk, f->b, &f->acc);
    }
    return CRM_OK;
}

/* Newton steps on a fixed subsample of the rows, every stride-th chunk (the
 * same rows for any thread count), from f->b: until a step is at most
 * `done` (in the subsample's standard-error units; INFINITY: just one
 * step). Returns 1 with f->b moved, 0 (f->b undefined) when the
 * subsample is too small or ill-conditioned, a step does not improve its
 * log-likelihood, a row comes near separation or the steps do not settle. */
static int newton_sub_level(lr_work *wk, const crm_logreg_options *o, lr_fit *f, size_t stride,
                            double done)
{
    const lin_design *d = wk->d;
    size_t p = d->p, j0 = d->intercept ? 1 : 0;
    size_t nsub = (wk->nchunks + stride - 1) / stride;
    if (nsub < LR_SUB_MIN_CHUNKS || nsub * wk->ch < (size_t)LR_SUB_MIN_ROWS * p) return 0;
    /* rows read: chunks 0, stride, 2 stride, ...; only the last chunk may be short */
    size_t rows = 0;
    for (size_t c = 0; c < wk->nchunks; c += stride)
        rows += d->n - c * wk->ch < wk->ch ? d->n - c * wk->ch : wk->ch;
    /* the penalty in proportion to the rows read */
    double l2 = o->l2 * (double)rows / (double)d->n, pen_prev = -INFINITY;
    f->acc.g = f->g;
    f->acc.H = f->H;
    wk->stride = stride;
    wk->h_f32 = lr_f32_ready(wk); /* steps towards a starting point: single precision will do */
    int ok = 0;
    for (int it = 0; it < LR_SUB_MAX_ITER; it++) {
        lr_pass(wk, f->b, &f->acc);
        double pen = f->acc.ll - 0.5 * l2 * pen_ss(d, f->b);
        if (!isfinite(pen) || pen < pen_prev - 1e-13 * fabs(pen_prev)) break;
        if (o->l2 == 0.0 && f->acc.margin > LR_SEPARATION_MARGIN) break;
        for (size_t j = j0; j < p; j++) {
            f->g[j] -= l2 * f->b[j];
            f->H[j * p + j] += l2;
        }
        if (factor_hessian(f->H, p, f->Hs, f->D) != 0) break;
        /* a (nearly) rank-deficient subsample: leave the diagnosis to the full data */
        int weak = 0;
        for (size_t j = 0; j < p; j++)
            if (f->Hs[j * p + j] * f->Hs[j * p + j] < 1e-11) weak = 1;
        if (weak) break;
        double meas = 0;
        for (size_t j = 0; j < p; j++)
            f->step[j] = f->D[j] * f->g[j];
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)p, 1, f->Hs, (lapack_int)p, f->step,
                       (lapack_int)p);
        for (size_t j = 0; j < p; j++) {
            if (fabs(f->step[j]) > meas) meas = fabs(f->step[j]);
            f->step[j] *= f->D[j];
        }
        if (!isfinite(meas)) break;
        for (size_t j = 0; j < p; j++)
            f->b[j] += f->step[j];
        if (meas <= done) {
            ok = 1;
            f->sub_frac = (double)rows / (double)d->n;
            break;
        }
        pen_prev = pen;
    }
    wk->stride = 1;
    wk->h_f32 = 0;
    return ok;
}

/* A starting point for the Newton iterations on all rows, close to their
 * optimum at a fraction of a pass per step: Newton on every
 * LR_SUB_COARSE-th chunk, then one step on every LR_SUB_STRIDE-th chunk
 * (or, where the coarse subsample is too small, Newton on every
 * LR_SUB_STRIDE-th chunk). Returns 1 with f->b moved there, or 0 with f->b
 * untouched: the fit then starts from f->b as if there were no subsample.
 * The fit's stopping rule, log-likelihood and Hessian all come from the
 * passes over all rows that follow. */
static int newton_sub(lr_work *wk, const crm_logreg_options *o, lr_fit *f)
{
    size_t p = wk->d->p;
    double *b0 = f->bprev; /* the start (newton() overwrites bprev before use) */
    memcpy(b0, f->b, p * sizeof *f->b);
    f->sub_frac = 0;
    int ok = newton_sub_level(wk, o, f, LR_SUB_COARSE, LR_SUB_COARSE_DONE) &&
             newton_sub_level(wk, o, f, LR_SUB_STRIDE, INFINITY);
    if (!ok) {
        memcpy(f->b, b0, p * sizeof *f->b);
        ok = newton_sub_level(wk, o, f, LR_SUB_STRIDE, LR_SUB_DONE);
    }
    if (!ok) {
        memcpy(f->b, b0, p * sizeof *f->b);
        f->sub_frac = 0;
    }
    return ok;
}

/* Objective (to minimise) and its gradient with respect to c, for L-BFGS in
 * the diagonally scaled coordinates b = c / rms (b is written to bout). */
static double lb_eval(lr_work *wk, const double *c, const double *rms, double l2, lr_acc *acc,
                      double *bout, double *grad)
{
    const lin_design *d = wk->d;
    size_t p = d->p, j0 = d->intercept ? 1 : 0;
    for (size_t j = 0; j < p; j++)
        bout[j] = c[j] / rms[j];
    lr_pass(wk, bout, acc);
    for (size_t j = 0; j < p; j++)
        grad[j] = (-acc->g[j] + (j >= j0 ? l2 * bout[j] : 0.0)) / rms[j];
    return -acc->ll + 0.5 * l2 * pen_ss(d, bout);
}

/* Root mean square (weighted) of every term: the L-BFGS scaling. */
static void term_rms(lr_work *wk, double *rms, double wsum)
{
    const lin_design *d = wk->d;
    size_t p = d->p, n = d->n;
    for (size_t j = 0; j < p; j++)
        rms[j] = 0;
    for (size_t r0 = 0; r0 < n; r0 += wk->ch) {
        size_t m = n - r0 < wk->ch ? n - r0 : wk->ch;
        crm__lin_design_fill(d, r0, m, wk->scratch, wk->ch);
        for (size_t j = 0; j < p; j++) {
            const double *col = wk->scratch + j * wk->ch;
            double s = 0;
            for (size_t i = 0; i < m; i++)
                s += (d->w ? d->w[r0 + i] : 1.0) * col[i] * col[i];
            rms[j] += s;
        }
    }
    for (size_t j = 0; j < p; j++)
        rms[j] = rms[j] > 0 ? sqrt(rms[j] / wsum) : 1.0;
}

static crm_status lbfgs(lr_work *wk, const lin_model *m, const crm_logreg_options *o, lr_fit *f,
                        double wsum, const char *w)
{
    const lin_design *d = wk->d;
    size_t p = d->p, M = LR_LBFGS_M;
    int maxit = o->max_iter > 1000 ? o->max_iter : 1000;
    double *S = crm__malloc_array(2 * M * p + 6 * p + M, sizeof *S);
    if (!S) return crm__nomem();
    double *Y = S + M * p, *grad = Y + M * p, *gnew = grad + p, *dir = gnew + p, *rho = dir + p;
    double *c = rho + M, *cprev = c + p, *sc = cprev + p;
    term_rms(wk, sc, wsum);
    for (size_t j = 0; j < p; j++)
        c[j] = f->b[j] * sc[j];
    double alpha[LR_LBFGS_M];
    size_t mem = 0, head = 0;
    f->acc.g = f->g;
    f->acc.H = NULL;
    double fx = lb_eval(wk, c, sc, o->l2, &f->acc, f->b, grad);
    crm_status st = CRM_OK;
    int it = 0;
    for (;;) {
        double gmax = 0;
        for (size_t j = 0; j < p; j++)
            if (fabs(grad[j]) > gmax) gmax = fabs(grad[j]);
        f->measure = gmax / wsum;
        f->n_iter = it;
        if (!isfinite(fx) || !isfinite(gmax)) {
            st = crm__error(CRM_E_NUMERIC, "%s: L-BFGS produced a non-finite objective", w);
            break;
        }
        if (f->measure <= o->tol) {
            f->converged = 1;
            break;
        }
        if (it >= maxit) break;
        /* two-loop recursion */
        for (size_t j = 0; j < p; j++)
            dir[j] = -grad[j];
        for (size_t k = 0; k < mem; k++) {
            size_t i = (head + M - 1 - k) % M;
            alpha[i] = rho[i] * cblas_ddot((blasint)p, S + i * p, 1, dir, 1);
            cblas_daxpy((blasint)p, -alpha[i], Y + i * p, 1, dir, 1);
        }
        if (mem) {
            size_t i = (head + M - 1) % M;
            double gam = cblas_ddot((blasint)p, S + i * p, 1, Y + i * p, 1) /
                         cblas_ddot((blasint)p, Y + i * p, 1, Y + i * p, 1);
            cblas_dscal((blasint)p, gam, dir, 1);
        } else {
            double gn = cblas_dnrm2((blasint)p, grad, 1);
            cblas_dscal((blasint)p, 1.0 / (gn > 1.0 ? gn : 1.0), dir, 1);
        }
        for (size_t k = mem; k-- > 0;) {
            size_t i = (head + M - 1 - k) % M;
            double beta = rho[i] * cblas_ddot((blasint)p, Y + i * p, 1, dir, 1);
            cblas_daxpy((blasint)p, alpha[i] - beta, S + i * p, 1, dir, 1);
        }
        double gd = cblas_ddot((blasint)p, grad, 1, dir, 1);
        if (!(gd < 0)) {
            mem = 0;
            for (size_t j = 0; j < p; j++)
                dir[j] = -grad[j];
            gd = -cblas_ddot((blasint)p, grad, 1, grad, 1);
        }
        memcpy(cprev, c, p * sizeof *c);
        double stepsz = 1.0, fnew = fx;
        int ok = 0;
        for (int ls = 0; ls < 40; ls++) {
            for (size_t j = 0; j < p; j++)
                c[j] = cprev[j] + stepsz * dir[j];
            fnew = lb_eval(wk, c, sc, o->l2, &f->acc, f->b, gnew);
            if (isfinite(fnew) && fnew <= fx + 1e-4 * stepsz * gd) {
                ok = 1;
                break;
            }
            stepsz *= 0.5;
        }
        /* no decrease beyond rounding: the numerical optimum */
        if (!ok || fx - fnew <= 4.0 * DBL_EPSILON * (fabs(fx) > 1.0 ? fabs(fx) : 1.0)) {
            if (!ok) {
                memcpy(c, cprev, p * sizeof *c);
                fx = lb_eval(wk, c, sc, o->l2, &f->acc, f->b, grad);
            } else {
                memcpy(grad, gnew, p * sizeof *grad);
                fx = fnew;
            }
            f->converged = 1;
            it++;
            f->n_iter = it;
            break;
        }
        double *s = S + head * p, *y = Y + head * p;
        for (size_t j = 0; j < p; j++) {
            s[j] = c[j] - cprev[j];
            y[j] = gnew[j] - grad[j];
        }
        double sy = cblas_ddot((blasint)p, s, 1, y, 1);
        if (sy > 1e-16 * cblas_ddot((blasint)p, y, 1, y, 1)) {
            rho[head] = 1.0 / sy;
            head = (head + 1) % M;
            if (mem < M) mem++;
        }
        memcpy(grad, gnew, p * sizeof *grad);
        fx = fnew;
        it++;
        st = progress_call(o, (double)it / (double)maxit, w);
        if (st != CRM_OK) break;
    }
    crm__free(S);
    if (st == CRM_OK && o->l2 == 0.0 && f->acc.margin > LR_SEPARATION_MARGIN) {
        for (size_t j = 0; j < p; j++)
            f->step[j] = f->b[j];
        st = separation_error(m, f->step, f->rms, p, w);
    }
    return st;
}

/* crm_logreg_fit() on the working copy of its transform steps (crm__steps_fit). */
static crm_status fit_plain(const crm_dataset *work, const crm__fit_args *a, crm_model **out)
{
    crm_logreg_options o = *(const crm_logreg_options *)a->opts;
    o.n_mutate = 0;
    return crm_logreg_fit(work, a->target, a->features, a->nf, &o, out);
}

/* Balanced class weights: the rows of each class weigh n / (2 n_class) in all (times their
 * sample weights, when given). */
static crm_status balance_classes(lin_design *d)
{
    size_t n = d->n, n1 = 0;
    for (size_t i = 0; i < n; i++)
        n1 += d->y[i] == 1.0;
    double c1 = (double)n / (2.0 * (double)n1), c0 = (double)n / (2.0 * (double)(n - n1));
    if (!d->w) {
        d->w = crm__malloc_array(n, sizeof *d->w);
        if (!d->w) return crm__nomem();
        for (size_t i = 0; i < n; i++)
            d->w[i] = 1.0;
    }
    for (size_t i = 0; i < n; i++)
        d->w[i] *= d->y[i] == 1.0 ? c1 : c0;
    return CRM_OK;
}

/* The fit's vectors of p (coefficients at 0, term scales at 1) and, when need_h, its p x p
 * Hessian and factor. */
static crm_status fit_alloc(lr_fit *f, size_t p, int need_h)
{
    f->b = crm__calloc(p, sizeof *f->b);
    f->g = crm__malloc_array(p, sizeof *f->g);
    if (need_h) {
        f->H = crm__malloc_array(p * p, sizeof *f->H);
        f->Hs = crm__malloc_array(p * p, sizeof *f->Hs);
    }
    f->D = crm__malloc_array(p, sizeof *f->D);
    f->step = crm__malloc_array(p, sizeof *f->step);
    f->bprev = crm__malloc_array(p, sizeof *f->bprev);
    f->rms = crm__malloc_array(p, sizeof *f->rms);
    if (!f->b || !f->g || (need_h && (!f->H || !f->Hs)) || !f->D || !f->step || !f->bprev ||
        !f->rms)
        return crm__nomem();
    for (size_t j = 0; j < p; j++)
        f->rms[j] = 1.0;
    return CRM_OK;
}

static void fit_free(lr_fit *f)
{
    crm__free(f->b);
    crm__free(f->g);
    crm__free(f->H);
    crm__free(f->Hs);
    crm__free(f->D);
    crm__free(f->step);
    crm__free(f->bprev);
    crm__free(f->rms);
}

/* Inference of an unpenalised fit: the covariance, the inverse Hessian at the optimum, into
 * f->Hs (fitted scale; lower triangle). */
static crm_status inverse_hessian(lr_work *wk, const lin_model *m, lr_fit *f, const char *w)
{
    size_t p = wk->d->p;
    if (!f->factored) {
        f->acc.g = f->g;
        f->acc.H = f->H;
        lr_pass(wk, f->b, &f->acc);
        size_t bad = factor_hessian(f->H, p, f->Hs, f->D);
        if (bad)
            return crm__error(CRM_E_NUMERIC, "%s: the Hessian is singular at term \"%s\"", w,
                              m->terms[bad - 1]);
        f->factored = 1;
    }
    /* the inverse column by column from the factor (into f->H, no longer
     * needed): OpenBLAS runs dpotri's dlauum, and dtrsm with many right-hand
     * sides, on its own threads even for a few dozen terms, and those
     * threads then spin beside ours; one right-hand side stays on this one */
    memset(f->H, 0, p * p * sizeof *f->H);
    for (size_t j = 0; j < p; j++) {
        f->H[j * p + j] = 1.0;
        lapack_int info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)p, 1, f->Hs,
                                         (lapack_int)p, f->H + j * p, (lapack_int)p);
        if (info != 0)
            return crm__error(CRM_E_NUMERIC, "%s: cannot invert the Hessian (%d)", w, (int)info);
    }
    for (size_t k = 0; k < p; k++)
        for (size_t j = k; j < p; j++)
            f->Hs[k * p + j] = f->H[k * p + j] * f->D[j] * f->D[k];
    return CRM_OK;
}

/* The coefficients on the original scale, and their standard errors (from the covariance in
 * f->Hs when inference, else NaN). */
static crm_status coefficients(const lin_design *d, lin_model *m, const lr_fit *f, int inference,
                               const char *w)
{
    size_t p = d->p;
    crm__lin_unscale(d, f->b, inference ? f->Hs : NULL, m->coef, m->se);
    if (!inference)
        for (size_t j = 0; j < p; j++)
            m->se[j] = NAN;
    return crm__lin_coef_finite(m, w);
}

/* The fit statistics; wsum and w1: the total weight, and that of class 1. */
static void fit_stats(lin_model *m, const lin_design *d, const lr_fit *f, double l2, double wsum,
                      double w1)
{
    size_t n = d->n;
    double ybar = w1 / wsum;
    double ll = f->acc.ll, ll0;
    if (d->intercept)
        ll0 = w1 * log(ybar) + (wsum - w1) * log1p(-ybar);
    else
        ll0 = wsum * log(0.5);
    double k = (double)d->p;
    double *s = m->stats;
    s[LS_N_ROWS] = (double)n;
    s[LS_N_TERMS] = k;
    s[LS_N_ITER] = f->n_iter;
    s[LS_ITERATIONS] = f->n_iter;
    s[LS_CONVERGED] = f->converged;
    s[LS_LOGLIK] = ll;
    s[LS_LOGLIK_NULL] = ll0;
    s[LS_MCFADDEN] = 1.0 - ll / ll0;
    s[LS_AIC] = -2.0 * ll + 2.0 * k;
    s[LS_BIC] = -2.0 * ll + k * log((double)n);
    s[LS_DEVIANCE] = -2.0 * ll;
    s[LS_NULL_DEVIANCE] = -2.0 * ll0;
    s[LS_DF_MODEL] = k - (d->intercept ? 1.0 : 0.0);
    s[LS_DF_RESID] = (double)n - k;
    s[LS_L2] = l2;
    s[LS_OBJECTIVE] = -ll + 0.5 * l2 * pen_ss(d, f->b);
    s[LS_GRAD_NORM] = f->measure;
}

static crm_status logreg_fit_pinned(const crm_dataset *ds, const char *target,
                                    const char *const *features, size_t nf,
                                    const crm_logreg_options *opts, crm_model **out)
{
    const char *w = "crm_logreg_fit";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    crm_logreg_options o;
    crm_status st = crm__logreg_options_load(&o, opts);
    if (st != CRM_OK) return st;
    if (o.n_mutate) {
        const crm__fit_args a = {target, features, nf, &o};
        return crm__steps_fit(ds, o.mutate, o.n_mutate, "crm_logreg_fit", fit_plain, &a, out);
    }
    if (!(o.l2 >= 0) || !isfinite(o.l2))
        return crm__error(CRM_E_INVALID, "%s: l2 must be a finite number >= 0 (got %g)", w, o.l2);
    if (!(o.tol > 0) || !isfinite(o.tol))
        return crm__error(CRM_E_INVALID, "%s: tol must be a finite number > 0 (got %g)", w, o.tol);
    if (o.max_iter < 1)
        return crm__error(CRM_E_INVALID, "%s: max_iter must be >= 1 (got %d)", w, (int)o.max_iter);
    if (o.class_weight != CRM_LOGREG_CLASS_WEIGHT_NONE &&
        o.class_weight != CRM_LOGREG_CLASS_WEIGHT_BALANCED)
        return crm__error(CRM_E_INVALID, "%s: unknown class_weight %d", w, (int)o.class_weight);
    if (o.solver != CRM_LOGREG_AUTO && o.solver != CRM_LOGREG_NEWTON &&
        o.solver != CRM_LOGREG_LBFGS)
        return crm__error(CRM_E_INVALID, "%s: unknown solver %d", w, (int)o.solver);
    if (o.n_threads < 0)
        return crm__error(CRM_E_INVALID, "%s: n_threads must be >= 0 (got %d)", w,
                          (int)o.n_threads);

    lin_design d;
    lin_model *m = NULL;
    lin_target_spec spec = {1, o.positive};
    st = crm__lin_design_build(ds, target, features, nf, o.fit_intercept != 0, o.missing,
                               o.sample_weight, spec, o.n_threads, w, &d, &m);
    if (st != CRM_OK) return st;
    size_t p = d.p;
    lr_fit f;
    memset(&f, 0, sizeof f);
    lr_work wk;
    memset(&wk, 0, sizeof wk);

    if (o.class_weight == CRM_LOGREG_CLASS_WEIGHT_BALANCED) st = balance_classes(&d);
    if (st == CRM_OK && o.standardize) st = crm__lin_design_standardize(&d, m, w);
    int use_newton =
        o.solver == CRM_LOGREG_NEWTON || (o.solver == CRM_LOGREG_AUTO && p <= LR_NEWTON_MAX_TERMS);
    /* p x p matrices only for Newton or for the inference of an unpenalised fit */
    int need_h = use_newton || o.l2 == 0.0;
    if (st == CRM_OK) st = fit_alloc(&f, p, need_h);
    /* one-hot columns made once rather than in every pass (same values, same results) */
    if (st == CRM_OK) st = crm__lin_design_dense_text(&d, LR_DENSE_TEXT_BYTES);
    if (st == CRM_OK) st = lr_work_init(&wk, &d, o.n_threads, need_h);
    if (st == CRM_OK && o.l2 == 0.0) {
        st = crm__lin_too_wide(&d, w);
        if (st == CRM_OK && !use_newton) st = crm__lin_rank_check(&d, m, w, f.rms);
    }
    double wsum = 0, w1 = 0;
    crm__lin_weighted_sums(&d, &wsum, &w1);
    double ybar = w1 / wsum;
    if (st == CRM_OK && (!(ybar > 0) || !(ybar < 1)))
        st = crm__error(CRM_E_INVALID, "%s: one class of \"%s\" has weight 0", w, target);
    if (st == CRM_OK) {
        if (d.intercept) f.b[0] = log(ybar / (1.0 - ybar));
        int warm = use_newton && newton_sub(&wk, &o, &f);
        st = use_newton ? newton(&wk, m, &o, &f, o.l2 == 0.0, warm, w)
                        : lbfgs(&wk, m, &o, &f, wsum, w);
    }
    /* Inference: covariance = inverse Hessian at the optimum (unpenalised). */
    int inference = o.l2 == 0.0;
    if (st == CRM_OK && inference) st = inverse_hessian(&wk, m, &f, w);
    if (st == CRM_OK) st = coefficients(&d, m, &f, inference, w);
    if (st == CRM_OK) fit_stats(m, &d, &f, o.l2, wsum, w1);
    fit_free(&f);
    lr_work_free(&wk);
    crm__lin_design_free(&d);
    if (st != CRM_OK) {
        crm__lin_model_free(m);
        return st;
    }
    return crm__model_new(&crm__logreg_vtable, m, out);
}

/* crm_logreg_fit pins ds for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_logreg_fit(const crm_dataset *ds, const char *target, const char *const *features,
                          size_t nf, const crm_logreg_options *opts, crm_model **out)
{
    if (crm__blas_require("crm_logreg_fit") != CRM_OK) {
        if (out) *out = NULL;
        return CRM_E_UNSUPPORTED;
    }
    crm__dataset_pin(ds);
    crm_status st = logreg_fit_pinned(ds, target, features, nf, opts, out);
    crm__dataset_unpin(ds);
    return st;
}
