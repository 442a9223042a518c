/* k-means: k-means++ / random / given initialisation, Lloyd iterations with
 * blocked GEMM distances and Hamerly bounds, the model kind "kmeans". */
#include "kmeans/kmeans_internal.h"
#include "core/par.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#define KM_OPTIONS_V1_SIZE (offsetof(crm_kmeans_options, user) + sizeof(void *))
/* At most this many reduction blocks, and partial sums of at most this many bytes. */
#define KM_MAX_BLOCKS 256
#define KM_PARTIAL_BYTES ((size_t)32 << 20)
/* Scratch per worker: column-major chunk, GEMM result, row minima, accumulator lanes,
 * row-major chunk, the second minima and squared row norms of a bound-recording pass,
 * and three more chunk-sized arrays for Hamerly's search of packed rows. */
#define KM_SCRATCH(ch, d, k) ((ch) * (2 * (d) + (k) + 6) + (k) + 1)
/* AUTO moves from Lloyd to Hamerly once fewer than one row in KM_AUTO_SWITCH changed
 * its label in a pass (after the first): the next Lloyd pass records the bounds. */
#define KM_AUTO_SWITCH 100
/* OpenBLAS runs a GEMM on its own threads from m * n * k = 4 * 65536 up: chunks stay
 * below that, so that BLAS always runs on the worker thread that calls it. */
#define KM_BLAS_SERIAL ((size_t)4 * 65536)
/* Rows gathered at a time: at most KM_GATHER_MAX, chunk and GEMM result within
 * KM_GATHER_DOUBLES doubles. */
#define KM_GATHER_MAX ((size_t)2048)
#define KM_GATHER_DOUBLES ((size_t)98304)

_Atomic int crm__km_test_nocells;
_Atomic unsigned long crm__km_test_switches;

static const crm_kmeans_options km_defaults = {
    sizeof(crm_kmeans_options), /* size */
    8,                          /* k */
    10,                         /* n_init */
    300,                        /* max_iter */
    CRM_KMEANS_INIT_PLUSPLUS,   /* init */
    1e-4,                       /* tol */
    NULL,                       /* init_centers */
    0,                          /* seed */
    0,                          /* standardize */
    0,                          /* n_threads */
    CRM_KMEANS_AUTO,            /* algorithm */
    NULL,                       /* progress */
    NULL,                       /* user */
    NULL,                       /* sample_weight */
    NULL,                       /* mutate */
    0,                          /* n_mutate */
    0,                          /* n_init_centers */
};

crm_status crm_kmeans_options_init(crm_kmeans_options *opts, size_t size)
{
    return crm__options_init(opts, size, &km_defaults, sizeof km_defaults, KM_OPTIONS_V1_SIZE,
                             "crm_kmeans_options");
}

/* ---- data access ----------------------------------------------------------- */

crm_status crm__km_columns(const crm_dataset *ds, const char *const *cols, size_t ncols,
                           const char *what, const double ***ptrs)
{
    *ptrs = NULL;
    if (!cols) return crm__error(CRM_E_INVALID, "%s: cols is NULL", what);
    if (ncols == 0) return crm__error(CRM_E_INVALID, "%s: no feature columns (ncols is 0)", what);
    for (size_t j = 0; j < ncols; j++) {
        if (!cols[j]) return crm__error(CRM_E_INVALID, "%s: column name %zu is NULL", what, j);
        for (size_t i = 0; i < j; i++)
            if (strcmp(cols[i], cols[j]) == 0)
                return crm__error(CRM_E_INVALID, "%s: column \"%s\" is listed twice", what,
                                  cols[j]);
    }
    const double **p = crm__malloc_array(ncols, sizeof *p);
    if (!p) return crm__nomem();
    for (size_t j = 0; j < ncols; j++) {
        size_t idx;
        crm_status st = crm__dataset_find(ds, cols[j], &idx);
        if (st != CRM_OK) {
            crm__free(p);
            return crm__error(st, "%s: no column named \"%s\"", what, cols[j]);
        }
        const crm__column *c = &ds->cols[idx];
        if (c->type != CRM_TYPE_NUMBER) {
            crm__free(p);
            return crm__error(CRM_E_TYPE, "%s: column \"%s\" is a %s column, not a number column",
                              what, cols[j], crm__type_name(c->type));
        }
        for (size_t r = 0; r < ds->nrows; r++) {
            double v = c->v.num[r];
            if (CRM__UNLIKELY(!isfinite(v))) {
                crm__free(p);
                if (isnan(v))
                    return crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: missing value",
                                      what, cols[j], r);
                return crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: value %s", what,
                                  cols[j], r, v < 0 ? "-inf" : "inf");
            }
        }
        p[j] = c->v.num;
    }
    *ptrs = p;
    return CRM_OK;
}

void crm__km_gather(const km_data *X, size_t r0, size_t m, double *xb)
{
    size_t d = X->d;
    for (size_t j = 0; j < d; j++) {
        const double *c = X->cols[j] + r0;
        if (X->scale) {
            double mu = X->mean[j], s = X->scale[j];
            for (size_t i = 0; i < m; i++)
                xb[i * d + j] = (c[i] - mu) / s;
        } else {
            for (size_t i = 0; i < m; i++)
                xb[i * d + j] = c[i];
        }
    }
}

static double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

/* ---- the pass over all rows ------------------------------------------------ */

typedef struct km_ctx {
    const km_data *X;
    size_t k, d;
    size_t chunk;      /* rows gathered at a time (a multiple of sub) */
    size_t sub;        /* rows per GEMM: KM_CHUNK, halved while sub * k * d is too big */
    size_t block_rows; /* rows per reduction block (multiple of chunk) */
    size_t nblocks;
    int nthreads;
    double *scratch; /* per worker: KM_SCRATCH(c->chunk, d, k) doubles */
    /* per pass */
    const double *centers; /* k*d */
    double *cnorm;         /* k */
    int32_t *labels;       /* n */
    int update;            /* accumulate per-block sums and counts */
    int wcss;              /* accumulate per-block wcss (direct distances) */
    double *psum;          /* nblocks * k * d */
    double *pcnt;          /* nblocks * k */
    double *pwcss;         /* nblocks * k */
    size_t *pchanged;      /* nblocks */
    /* Hamerly */
    int hamerly;
    int record;          /* Lloyd pass that also records the bounds (AUTO's switch) */
    float *ub, *lb;      /* n each: upper bound on distance to own center, lower bound to others,
                            rounded outwards to single precision (half the memory of doubles) */
    const double *shift; /* k: distance each center moved in the last update */
    const double *half;  /* k: half the distance to the nearest other center */
    double maxshift;
    int bounds_valid;
    double rel;   /* rounding allowance of a GEMM-form distance, relative to ||x||^2 + cmax */
    double cmax;  /* largest squared center norm of the pass */
    double xnmax; /* largest ||x||^2 seen by a searching pass (all rows once bounds exist) */
    double slack; /* margin of the bound test (see run_pass) */
    double *pxn;  /* nblocks: largest ||x||^2 per block in the last pass */
    /* cells: the sums of every chunk kept from pass to pass and formed again only for
     * the chunks where a label changed (NULL: the sums are formed every pass) */
    double *csum;          /* nchunks * k * d */
    double *ccnt;          /* nchunks * k */
    unsigned char *cdirty; /* nchunks: the chunk's sums must be formed again */
    unsigned char *chot;   /* nchunks: a label of the chunk changed in the last pass */
    /* k-means++ */
    double *closest;    /* n */
    const double *cand; /* ncand * d */
    size_t ncand;
    double *ppot; /* nblocks * ncand */
} km_ctx;

/* dots = -2 X C^T for the m x d column-major chunk xc (leading dimension m) and the
 * k x d row-major centers, as m x k column-major (leading dimension m): one GEMM per
 * `sub` rows, so that every call stays below the size from which OpenBLAS spreads a
 * GEMM over its own threads. The rows of a GEMM do not interact, so the split does
 * not change any value. */
static void km_dots(const double *xc, size_t m, size_t d, const double *centers, size_t k,
                    size_t sub, double *dots)
{
    for (size_t s0 = 0; s0 < m; s0 += sub) {
        size_t ms = m - s0 < sub ? m - s0 : sub;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)ms, (int)k, (int)d, -2.0,
                    xc + s0, (int)m, centers, (int)d, 0.0, dots + s0, (int)m);
    }
}

/* Copy rows [r0, r0+m) column-major into xc (standardized when X says so). */
static void gather_cm(const km_data *X, size_t r0, size_t m, double *xc)
{
    for (size_t j = 0; j < X->d; j++) {
        const double *col = X->cols[j] + r0;
        double *dst = xc + j * m;
        if (X->scale) {
            double mu = X->mean[j], sc = X->scale[j];
            for (size_t i = 0; i < m; i++)
                dst[i] = (col[i] - mu) / sc;
        } else {
            memcpy(dst, col, m * sizeof *dst);
        }
    }
}

/* Hamerly on one chunk of m rows from r0. xc (m x d column-major) receives the gathered
 * chunk when *have is set or when this function gathers it (then it sets *have);
 * otherwise rows are read from the dataset's columns. Rows whose bounds prove that
 * their center is still the nearest (by the margin c->slack, see run_pass) are
 * skipped; the others get the exact distance to their own center, and those whose
 * bound still fails (all rows when the bounds are not valid yet) are packed into xf
 * and searched through one GEMM, as Lloyd does. Bounds from the GEMM
 * (crm__km_argmin_rec): the nearest and second-nearest GEMM-form distances widened by
 * a rounding allowance that covers the error of ||x||^2 - 2 x.c + ||c||^2 (at most
 * about (d + 3) units in the last place of ||x||^2 + ||c||^2; allowed for four times
 * over), so that they bound the exact distances. `fl` holds m row indices; zs, s2s and
 * ex are chunk-sized scratch. */
static void hamerly_chunk(km_ctx *c, size_t r0, size_t m, double *xc, int *have, double *xf,
                          double *dots, uint32_t *fl, size_t *changed, double *xnmax, double *zs,
                          double *s2s, double *ex)
{
    size_t k = c->k, d = c->d, nf = 0;
    double slack = c->slack;
    if (c->bounds_valid) {
        /* the bounds alone: rows they cannot settle go to fl, with their z */
        for (size_t i = 0; i < m; i++) {
            size_t r = r0 + i;
            int32_t a = c->labels[r];
            double u = (double)c->ub[r] + c->shift[a];
            double l = (double)c->lb[r] - c->maxshift;
            double z = c->half[a] > l ? c->half[a] : l;
            c->lb[r] = crm__km_fdown(l);
            c->ub[r] = crm__km_fup(u);
            zs[nf] = z;
            fl[nf] = (uint32_t)i;
            nf += u + slack > z;
        }
        /* Their exact distance to their own center, feature by feature. When few rows
         * need it and the chunk's labels did not change in the last pass (so that its sums
         * will probably not be formed again), read only those rows from the dataset's
         * columns (standardized as gather_cm does: the same values); else gather the
         * whole chunk now, once. */
        const km_data *X = c->X;
        if (!*have && (nf * 8 > m || !c->csum || c->chot[r0 / c->chunk])) {
            gather_cm(X, r0, m, xc);
            *have = 1;
        }
        for (size_t q = 0; q < nf; q++)
            s2s[q] = 0.0;
        for (size_t t = 0; t < d; t++) {
            const double *col = *have ? xc + t * m : X->cols[t] + r0;
            int stdz = !*have && X->scale;
            for (size_t q = 0; q < nf; q++) {
                double x = col[fl[q]];
                if (stdz) x = (x - X->mean[t]) / X->scale[t];
                double dd = x - c->centers[(size_t)c->labels[r0 + fl[q]] * d + t];
                s2s[q] += dd * dd;
            }
        }
        size_t nf2 = 0;
        for (size_t q = 0; q < nf; q++) {
            double u = sqrt(s2s[q]);
            c->ub[r0 + fl[q]] = crm__km_fup(u);
            fl[nf2] = fl[q];
            nf2 += u + slack > zs[q];
        }
        nf = nf2;
    } else {
        for (size_t i = 0; i < m; i++)
            fl[i] = (uint32_t)i;
        nf = m;
    }
    if (nf == 0) return;
    for (size_t t = 0; t < d; t++) {
        double *dst = xf + t * nf;
        if (*have) {
            const double *src = xc + t * m;
            for (size_t q = 0; q < nf; q++)
                dst[q] = src[fl[q]];
        } else {
            const double *col = c->X->cols[t] + r0;
            if (c->X->scale) {
                double mu = c->X->mean[t], sc = c->X->scale[t];
                for (size_t q = 0; q < nf; q++)
                    dst[q] = (col[fl[q]] - mu) / sc;
            } else {
                for (size_t q = 0; q < nf; q++)
                    dst[q] = col[fl[q]];
            }
        }
    }
    km_dots(xf, nf, d, c->centers, k, c->sub, dots);
    /* argmin, second minimum and bounds of the packed rows, column by column (the same
     * minima and winners as Lloyd's argmin), then scattered back */
    int32_t *bj = (int32_t *)(void *)ex, *lab = bj + nf;
    float *ub = (float *)(void *)(ex + c->chunk), *lb = ub + nf;
    double *bd = ex + 2 * c->chunk;
    for (size_t q = 0; q < nf; q++)
        lab[q] = c->labels[r0 + fl[q]];
    *changed += crm__km_argmin_rec(dots, c->cnorm, xf, nf, k, d, c->rel, c->cmax, bd, zs, s2s, bj,
                                   lab, ub, lb, xnmax);
    for (size_t q = 0; q < nf; q++) {
        size_t r = r0 + fl[q];
        c->labels[r] = lab[q];
        c->ub[r] = ub[q];
        c->lb[r] = lb[q];
    }
}

/* Add the rows of a column-major chunk (xc[j * m + i]) to the per-cluster sums. The rows
 * are first grouped by cluster (a stable counting sort into `perm`), then each cluster's
 * values of a feature are summed in four interleaved register accumulators (position
 * p of the group goes to lane p % 4), combined as (l0 + l1) + (l2 + l3). Fixed order,
 * no dependency through memory between rows. Used by Lloyd and Hamerly alike.
 * `start` has k + 1 entries, perm m. */
static void accumulate_cm(const double *xc, size_t m, size_t d, size_t k, const int32_t *lab,
                          const double *w, size_t *start, uint32_t *perm, double *psum,
                          double *pcnt)
{
    memset(start, 0, (k + 1) * sizeof *start);
    for (size_t i = 0; i < m; i++)
        start[lab[i] + 1]++;
    for (size_t a = 0; a < k; a++) {
        if (!w) pcnt[a] += (double)start[a + 1];
        start[a + 1] += start[a];
    }
    if (w)
        for (size_t i = 0; i < m; i++)
            pcnt[lab[i]] += w[i];
    for (size_t i = 0; i < m; i++)
        perm[start[lab[i]]++] = (uint32_t)i;
    /* start[a] is now the end of group a; its beginning is start[a - 1] (0 for a = 0) */
    for (size_t j = 0; j < d; j++) {
        const double *col = xc + j * m;
        size_t lo = 0;
        for (size_t a = 0; a < k; a++) {
            size_t hi = start[a];
            if (hi == lo) continue;
            double l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0;
            size_t p = lo;
            if (w) {
                for (; p + 4 <= hi; p += 4) {
                    l0 += w[perm[p]] * col[perm[p]];
                    l1 += w[perm[p + 1]] * col[perm[p + 1]];
                    l2 += w[perm[p + 2]] * col[perm[p + 2]];
                    l3 += w[perm[p + 3]] * col[perm[p + 3]];
                }
                for (; p < hi; p++)
                    l0 += w[perm[p]] * col[perm[p]];
            }
            for (; p + 4 <= hi; p += 4) {
                l0 += col[perm[p]];
                l1 += col[perm[p + 1]];
                l2 += col[perm[p + 2]];
                l3 += col[perm[p + 3]];
            }
            if (p < hi) l0 += col[perm[p++]];
            if (p < hi) l1 += col[perm[p++]];
            if (p < hi) l2 += col[perm[p++]];
            psum[a * d + j] += (l0 + l1) + (l2 + l3);
            lo = hi;
        }
    }
}

/* A cell's stored sums added to its block's psum and pcnt. */
static void km_add_cell(const km_ctx *c, size_t cell, double *psum, double *pcnt)
{
    size_t k = c->k, kd = c->k * c->d;
    const double *cs = c->csum + cell * kd, *cc = c->ccnt + cell * k;
    for (size_t t = 0; t < kd; t++)
        psum[t] += cs[t];
    for (size_t j = 0; j < k; j++)
        pcnt[j] += cc[j];
}

/* The sums of one chunk (cell) added to its block's psum and pcnt. Without cells they are
 * accumulated into psum directly; with cells into the cell's own sums first (from zero),
 * which are then added: accumulate_cm adds each cluster's chunk total to psum once, and
 * 0 + v = v, so both give the same bits, and a clean cell's stored sums added again
 * give the same bits as forming them anew. */
static void km_sums(km_ctx *c, size_t cell, const double *xc, size_t r0, size_t m, double *acc,
                    double *best, double *psum, double *pcnt)
{
    size_t k = c->k, d = c->d;
    const double *w = c->X->w ? c->X->w + r0 : NULL;
    if (!c->csum) {
        accumulate_cm(xc, m, d, k, c->labels + r0, w, (size_t *)(void *)acc,
                      (uint32_t *)(void *)best, psum, pcnt);
        return;
    }
    double *cs = c->csum + cell * k * d, *cc = c->ccnt + cell * k;
    memset(cs, 0, k * d * sizeof *cs);
    memset(cc, 0, k * sizeof *cc);
    accumulate_cm(xc, m, d, k, c->labels + r0, w, (size_t *)(void *)acc, (uint32_t *)(void *)best,
                  cs, cc);
    c->cdirty[cell] = 0;
    km_add_cell(c, cell, psum, pcnt);
}

/* Lloyd on one chunk in column-major layout: xc[j * m + i] is feature j of row r0 + i.
 * dots = X * C^T by one GEMM (m x k, column-major), then the argmin runs down the
 * columns (vectorizable over rows). Accumulation and wcss keep the row order of the
 * row-major path, so both give bit-identical sums. */
static void lloyd_chunk_cm(km_ctx *c, size_t r0, size_t m, double *xc, double *dots, double *best,
                           double *acc, int32_t *newlab, double *psum, double *pcnt, double *pw,
                           size_t *changed, double *b2, double *xn, double *xnmax)
{
    size_t k = c->k, d = c->d;
    gather_cm(c->X, r0, m, xc);
    km_dots(xc, m, d, c->centers, k, c->sub, dots);
    int32_t *lab = c->labels + r0;
    /* scaling by -2 is exact, so cnorm + dots equals cnorm - 2 x.c bit for bit */
    size_t ch;
    if (c->record)
        ch = crm__km_argmin_rec(dots, c->cnorm, xc, m, k, d, c->rel, c->cmax, best, b2, xn, newlab,
                                lab, c->ub + r0, c->lb + r0, xnmax);
    else
        ch = crm__km_argmin(dots, c->cnorm, m, k, best, newlab, lab);
    *changed += ch;
    if (c->chot) c->chot[r0 / c->chunk] = ch != 0;
    if (psum) {
        size_t cell = r0 / c->chunk;
        if (!c->csum || c->cdirty[cell] || ch)
            km_sums(c, cell, xc, r0, m, acc, best, psum, pcnt);
        else
            km_add_cell(c, cell, psum, pcnt);
    }
    if (pw) {
        for (size_t i = 0; i < m; i++) {
            size_t a = (size_t)lab[i];
            const double *ca = c->centers + a * d;
            const double *x = xc + i;
            double s2 = 0.0;
            for (size_t j = 0; j < d; j++) {
                double t = x[j * m] - ca[j];
                s2 += t * t;
            }
            pw[a] += c->X->w ? c->X->w[r0 + i] * s2 : s2;
        }
    }
}

static void pass_block(void *ctxp, size_t b, int worker)
{
    km_ctx *c = ctxp;
    size_t k = c->k, d = c->d, n = c->X->n;
    double *xb = c->scratch + (size_t)worker * KM_SCRATCH(c->chunk, d, k);
    double *dots = xb + c->chunk * d;
    double *best = dots + c->chunk * k;
    double *acc = best + c->chunk;
    double *xr = acc + k + 1;
    double *b2 = xr + c->chunk * d;
    double *xn = b2 + c->chunk;
    double xnmax = 0.0;
    size_t lo = b * c->block_rows;
    size_t hi = lo + c->block_rows < n ? lo + c->block_rows : n;
    double *psum = c->update ? c->psum + b * k * d : NULL;
    double *pcnt = c->update ? c->pcnt + b * k : NULL;
    double *pw = c->wcss ? c->pwcss + b * k : NULL;
    if (psum) {
        memset(psum, 0, k * d * sizeof *psum);
        memset(pcnt, 0, k * sizeof *pcnt);
    }
    if (pw) memset(pw, 0, k * sizeof *pw);
    size_t changed = 0;
    for (size_t r0 = lo; r0 < hi; r0 += c->chunk) {
        size_t m = hi - r0 < c->chunk ? hi - r0 : c->chunk;
        if (!c->hamerly) {
            lloyd_chunk_cm(c, r0, m, xb, dots, best, acc, (int32_t *)(void *)xr, psum, pcnt, pw,
                           &changed, b2, xn, &xnmax);
            continue;
        }
        /* with valid bounds the rows they cannot settle are read where they lie; the
         * whole chunk is gathered only for a first search of every row, for sums that
         * must be formed again, and for the final wcss */
        int have = !c->bounds_valid;
        if (have) gather_cm(c->X, r0, m, xb);
        size_t before = changed;
        hamerly_chunk(c, r0, m, xb, &have, xr, dots, (uint32_t *)(void *)best, &changed, &xnmax, b2,
                      xn, xn + c->chunk);
        if (c->chot) c->chot[r0 / c->chunk] = changed != before;
        if (psum) {
            size_t cell = r0 / c->chunk;
            if (!c->csum || c->cdirty[cell] || changed != before) {
                if (!have) gather_cm(c->X, r0, m, xb);
                have = 1;
                km_sums(c, cell, xb, r0, m, acc, best, psum, pcnt);
            } else {
                km_add_cell(c, cell, psum, pcnt);
            }
        }
        if (pw && !have) gather_cm(c->X, r0, m, xb);
        for (size_t i = 0; pw && i < m; i++) {
            size_t a = (size_t)c->labels[r0 + i];
            const double *ca = c->centers + a * d;
            double s2 = 0.0;
            for (size_t t = 0; t < d; t++) {
                double dd = xb[t * m + i] - ca[t];
                s2 += dd * dd;
            }
            pw[a] += c->X->w ? c->X->w[r0 + i] * s2 : s2;
        }
    }
    c->pchanged[b] = changed;
    c->pxn[b] = xnmax;
}

static size_t run_pass(km_ctx *c)
{
    size_t k = c->k, d = c->d;
    for (size_t j = 0; j < k; j++) {
        const double *cj = c->centers + j * d;
        double s = 0.0;
        for (size_t t = 0; t < d; t++)
            s += cj[t] * cj[t];
        c->cnorm[j] = s;
    }
    double cmax = 0.0;
    for (size_t j = 0; j < k; j++)
        if (c->cnorm[j] > cmax) cmax = c->cnorm[j];
    c->cmax = cmax;
    c->rel = 4.0 * (double)(d + 4) * DBL_EPSILON;
    /* A row skipped by its bounds keeps its center; so that this is what Lloyd's
     * GEMM-form argmin would choose too, the bounds must separate the exact distances
     * by more than twice the GEMM's rounding allowance E = rel * (||x||^2 + cmax): with
     * U >= the distance to the own center and Z <= those to the others, (Z - U)^2 > 2E
     * implies U^2 + E < Z^2 - E. Add 2^-30 of the scale of the distances for the rounding
     * of the bound updates themselves (a few units in the last place per iteration). */
    if (c->bounds_valid)
        c->slack = sqrt(2.0 * c->rel * (c->xnmax + cmax)) + 0x1p-30 * (sqrt(c->xnmax) + sqrt(cmax));
    crm__par_for(c->nthreads, c->nblocks, pass_block, c);
    size_t changed = 0;
    for (size_t b = 0; b < c->nblocks; b++) {
        changed += c->pchanged[b];
        if (c->pxn[b] > c->xnmax) c->xnmax = c->pxn[b];
    }
    return changed;
}

/* ---- k-means++ ----------------------------------------------------------------- */

static void pp_block(void *ctxp, size_t b, int worker)
{
    km_ctx *c = ctxp;
    size_t d = c->d, n = c->X->n, nc = c->ncand;
    double *xb = c->scratch + (size_t)worker * KM_SCRATCH(c->chunk, d, c->k);
    size_t lo = b * c->block_rows;
    size_t hi = lo + c->block_rows < n ? lo + c->block_rows : n;
    double *pot = c->ppot + b * nc;
    for (size_t t = 0; t < nc; t++)
        pot[t] = 0.0;
    for (size_t r0 = lo; r0 < hi; r0 += c->chunk) {
        size_t m = hi - r0 < c->chunk ? hi - r0 : c->chunk;
        crm__km_gather(c->X, r0, m, xb);
        for (size_t i = 0; i < m; i++) {
            const double *x = xb + i * d;
            double cl = c->closest[r0 + i];
            if (nc == 0) {
                /* update closest with the single candidate in cand */
                double v = sqdist(x, c->cand, d);
                if (!(cl <= v)) c->closest[r0 + i] = v;
                continue;
            }
            for (size_t t = 0; t < nc; t++) {
                double v = sqdist(x, c->cand + t * d, d);
                double mn = v < cl ? v : cl;
                pot[t] += c->X->w ? c->X->w[r0 + i] * mn : mn;
            }
        }
    }
}

static void get_row(const km_data *X, size_t r, double *out)
{
    crm__km_gather(X, r, 1, out);
}

static crm_status init_plusplus(km_ctx *c, crm__rng *rng, double *centers)
{
    const km_data *X = c->X;
    size_t n = X->n, d = c->d, k = c->k;
    size_t L = 2 + (size_t)floor(log((double)k));
    double *cand = crm__malloc_array(L * d, sizeof *cand);
    double *ppot = crm__malloc_array(c->nblocks * L, sizeof *ppot);
    double *rv = crm__malloc_array(L, sizeof *rv);
    size_t *ids = crm__malloc_array(L, sizeof *ids);
    if (!cand || !ppot || !rv || !ids) {
        crm__free(cand);
        crm__free(ppot);
        crm__free(rv);
        crm__free(ids);
        return crm__nomem();
    }
    c->ppot = ppot;
    if (X->w) {
        /* first center drawn with probability proportional to the weights */
        double W = 0.0;
        for (size_t i = 0; i < n; i++)
            W += X->w[i];
        double u = crm__rng_uniform(rng) * W, run = 0.0;
        size_t first = n - 1;
        for (size_t i = 0; i < n; i++) {
            run += X->w[i];
            if (run > u && X->w[i] > 0.0) {
                first = i;
                break;
            }
        }
        get_row(X, first, centers);
    } else {
        get_row(X, (size_t)crm__rng_below(rng, n), centers);
    }
    for (size_t i = 0; i < n; i++)
        c->closest[i] = INFINITY;
    c->cand = centers;
    c->ncand = 0;
    crm__par_for(c->nthreads, c->nblocks, pp_block, c);
    double pot = 0.0;
    for (size_t i = 0; i < n; i++)
        pot += X->w ? X->w[i] * c->closest[i] : c->closest[i];
    for (size_t ci = 1; ci < k; ci++) {
        for (size_t t = 0; t < L; t++)
            rv[t] = crm__rng_uniform(rng) * pot;
        /* candidate t: first row whose running sum of closest reaches rv[t] */
        for (size_t t = 0; t < L; t++)
            ids[t] = n;
        double run = 0.0;
        size_t left = L;
        for (size_t i = 0; i < n && left; i++) {
            double p = X->w ? X->w[i] * c->closest[i] : c->closest[i];
            run += p;
            if (!(p > 0.0)) continue; /* a row with no probability is never a candidate */
            for (size_t t = 0; t < L; t++) {
                if (ids[t] == n && run >= rv[t]) {
                    ids[t] = i;
                    left--;
                }
            }
        }
        for (size_t t = 0; t < L; t++) {
            if (ids[t] >= n) ids[t] = n - 1;
            get_row(X, ids[t], cand + t * d);
        }
        c->cand = cand;
        c->ncand = L;
        crm__par_for(c->nthreads, c->nblocks, pp_block, c);
        size_t best = 0;
        double bestpot = INFINITY;
        for (size_t t = 0; t < L; t++) {
            double s = 0.0;
            for (size_t b = 0; b < c->nblocks; b++)
                s += ppot[b * L + t];
            if (s < bestpot) {
                bestpot = s;
                best = t;
            }
        }
        memcpy(centers + ci * d, cand + best * d, d * sizeof *centers);
        c->cand = centers + ci * d;
        c->ncand = 0;
        crm__par_for(c->nthreads, c->nblocks, pp_block, c);
        pot = 0.0;
        for (size_t i = 0; i < n; i++)
            pot += X->w ? X->w[i] * c->closest[i] : c->closest[i];
    }
    c->ppot = NULL;
    crm__free(cand);
    crm__free(ppot);
    crm__free(rv);
    crm__free(ids);
    return CRM_OK;
}

/* k distinct row indices drawn uniformly (Floyd's algorithm, in draw order). */
static crm_status init_random(km_ctx *c, crm__rng *rng, double *centers)
{
    size_t n = c->X->n, k = c->k;
    size_t *pick = crm__malloc_array(k, sizeof *pick);
    if (!pick) return crm__nomem();
    for (size_t i = 0; i < k; i++) {
        size_t j = n - k + i;
        size_t t = (size_t)crm__rng_below(rng, (uint64_t)j + 1);
        for (size_t q = 0; q < i; q++)
            if (pick[q] == t) {
                t = j;
                break;
            }
        pick[i] = t;
    }
    for (size_t i = 0; i < k; i++)
        get_row(c->X, pick[i], centers + i * c->d);
    crm__free(pick);
    return CRM_OK;
}

/* ---- distinct rows ---------------------------------------------------------- */

static uint64_t row_hash(const km_data *X, size_t r)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (size_t j = 0; j < X->d; j++) {
        double v = X->cols[j][r] + 0.0; /* -0 hashes as 0 */
        uint64_t u;
        memcpy(&u, &v, sizeof u);
        h ^= u + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    }
    return h * 0xff51afd7ed558ccdULL;
}

static int row_eq(const km_data *X, size_t a, size_t b)
{
    for (size_t j = 0; j < X->d; j++)
        if (X->cols[j][a] != X->cols[j][b]) return 0;
    return 1;
}

/* Number of distinct rows, counting at most up to `limit`. */
static crm_status count_distinct(const km_data *X, size_t limit, size_t *out)
{
    size_t cap = 16;
    while (cap < 2 * limit)
        cap *= 2;
    size_t *slot = crm__malloc_array(cap, sizeof *slot);
    if (!slot) return crm__nomem();
    for (size_t i = 0; i < cap; i++)
        slot[i] = SIZE_MAX;
    size_t cnt = 0;
    for (size_t r = 0; r < X->n && cnt < limit; r++) {
        if (X->w && !(X->w[r] > 0.0)) continue;
        size_t s = (size_t)(row_hash(X, r) & (cap - 1));
        for (;;) {
            if (slot[s] == SIZE_MAX) {
                slot[s] = r;
                cnt++;
                break;
            }
            if (row_eq(X, slot[s], r)) break;
            s = (s + 1) & (cap - 1);
        }
    }
    crm__free(slot);
    *out = cnt;
    return CRM_OK;
}

/* ---- the model state ----------------------------------------------------------- */

typedef struct km_model {
    size_t k, d;
    char **names;    /* d */
    double *centers; /* k*d, fitted units */
    double *mean;    /* d or NULL */
    double *scale;   /* d or NULL */
    double *size;    /* k */
    double *wcss;    /* k */
    double inertia;
    double n_iter;
    double converged;
    double n_rows;
    double best_init;
    double tol_abs;
} km_model;

static void km_free_state(void *p)
{
    km_model *m = p;
    if (!m) return;
    if (m->names)
        for (size_t j = 0; j < m->d; j++)
            crm__free(m->names[j]);
    crm__free(m->names);
    crm__free(m->centers);
    crm__free(m->mean);
    crm__free(m->scale);
    crm__free(m->size);
    crm__free(m->wcss);
    crm__free(m);
}

static crm_status km_alloc_state(size_t k, size_t d, int standardize, km_model **out)
{
    km_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    m->k = k;
    m->d = d;
    m->names = crm__calloc(d, sizeof *m->names);
    m->centers = crm__malloc_array(k * d, sizeof *m->centers);
    m->size = crm__malloc_array(k, sizeof *m->size);
    m->wcss = crm__malloc_array(k, sizeof *m->wcss);
    if (standardize) {
        m->mean = crm__malloc_array(d, sizeof *m->mean);
        m->scale = crm__malloc_array(d, sizeof *m->scale);
    }
    if (!m->names || !m->centers || !m->size || !m->wcss ||
        (standardize && (!m->mean || !m->scale))) {
        km_free_state(m);
        return crm__nomem();
    }
    *out = m;
    return CRM_OK;
}

/* ---- context setup ---------------------------------------------------------------- */

static void ctx_free(km_ctx *c)
{
    crm__free(c->scratch);
    crm__free(c->cnorm);
    crm__free(c->labels);
    crm__free(c->psum);
    crm__free(c->pcnt);
    crm__free(c->pwcss);
    crm__free(c->pchanged);
    crm__free(c->pxn);
    crm__free(c->csum);
    crm__free(c->ccnt);
    crm__free(c->cdirty);
    crm__free(c->chot);
    crm__free(c->ub);
    crm__free(c->lb);
    crm__free(c->closest);
    memset(c, 0, sizeof *c);
}

static void ctx_blocks(km_ctx *c, size_t n, size_t k, size_t d)
{
    size_t sub = KM_CHUNK;
    while (sub > 8 && sub * k * d >= KM_BLAS_SERIAL)
        sub /= 2;
    c->sub = sub;
    /* Gather as many rows as fit the chunk and its GEMM result in 768 KiB (up to
     * KM_GATHER_MAX): long runs of each column read faster from memory. */
    size_t ch = sub;
    while (ch * 2 <= KM_GATHER_MAX && ch * 2 * (d + k) <= KM_GATHER_DOUBLES)
        ch *= 2;
    c->chunk = ch;
    size_t nchunks = (n + ch - 1) / ch;
    if (nchunks == 0) nchunks = 1;
    size_t maxb = KM_PARTIAL_BYTES / ((k * d + 2 * k + 1) * sizeof(double));
    if (maxb > KM_MAX_BLOCKS) maxb = KM_MAX_BLOCKS;
    if (maxb < 1) maxb = 1;
    size_t cpb = (nchunks + maxb - 1) / maxb; /* chunks per block */
    c->block_rows = cpb * ch;
    c->nblocks = (nchunks + cpb - 1) / cpb;
}

static crm_status ctx_init(km_ctx *c, const km_data *X, size_t k, int32_t n_threads, int fit,
                           int hamerly)
{
    memset(c, 0, sizeof *c);
    size_t n = X->n, d = X->d;
    c->X = X;
    c->k = k;
    c->d = d;
    ctx_blocks(c, n, k, d);
    c->nthreads = crm__par_threads(n_threads, c->nblocks);
    c->scratch =
        crm__malloc_array((size_t)c->nthreads, KM_SCRATCH(c->chunk, d, k) * sizeof(double));
    c->cnorm = crm__malloc_array(k, sizeof *c->cnorm);
    c->labels = crm__malloc_array(n, sizeof *c->labels);
    c->pwcss = crm__malloc_array(c->nblocks * k, sizeof *c->pwcss);
    c->pchanged = crm__malloc_array(c->nblocks, sizeof *c->pchanged);
    c->pxn = crm__malloc_array(c->nblocks, sizeof *c->pxn);
    int ok = c->scratch && c->cnorm && c->labels && c->pwcss && c->pchanged && c->pxn;
    if (ok && fit) {
        c->psum = crm__malloc_array(c->nblocks * k, d * sizeof *c->psum);
        c->pcnt = crm__malloc_array(c->nblocks * k, sizeof *c->pcnt);
        c->closest = crm__malloc_array(n, sizeof *c->closest);
        ok = c->psum && c->pcnt && c->closest;
        if (ok && hamerly) {
            c->ub = crm__malloc_array(n, sizeof *c->ub);
            c->lb = crm__malloc_array(n, sizeof *c->lb);
            ok = c->ub && c->lb;
        }
        /* Cells (one per chunk) where they are small beside the data and the rows are
         * unweighted (weighted counts are running sums over the block, which per-chunk
         * totals would round differently). */
        size_t nch = (n + c->chunk - 1) / c->chunk;
        if (ok && !X->w && nch * (k * d + k) <= n * d / 16 && !atomic_load(&crm__km_test_nocells)) {
            c->csum = crm__malloc_array(nch * k, d * sizeof *c->csum);
            c->ccnt = crm__malloc_array(nch * k, sizeof *c->ccnt);
            c->cdirty = crm__malloc_array(nch, 1);
            c->chot = crm__malloc_array(nch, 1);
            ok = c->csum && c->ccnt && c->cdirty && c->chot;
        }
    }
    if (!ok) {
        ctx_free(c);
        return crm__nomem();
    }
    return CRM_OK;
}

/* ---- one restart ------------------------------------------------------------------ */

typedef struct km_run {
    double *centers; /* k*d: in: initial; out: final */
    double *size;    /* k */
    double *wcss;    /* k */
    double inertia;
    int n_iter;
    int converged;
} km_run;

typedef struct km_work {
    double *sums;   /* k*d */
    double *cnt;    /* k */
    double *newc;   /* k*d */
    double *shift;  /* k */
    double *half;   /* k */
    double *far;    /* per empty cluster: distance */
    size_t *farrow; /* per empty cluster: row */
} km_work;

/* Reseed empty clusters with the rows farthest from their assigned (old) centers. */
static void relocate_empty(km_ctx *c, km_work *w, const double *old)
{
    size_t k = c->k, d = c->d, n = c->X->n;
    size_t nempty = 0;
    for (size_t j = 0; j < k; j++)
        if (w->cnt[j] == 0.0) nempty++;
    if (nempty == 0) return;
    /* top-nempty rows by distance, sorted descending (ties: lower row first) */
    size_t have = 0;
    double *xb = c->scratch;
    for (size_t r = 0; r < n; r++) {
        if (c->X->w && !(c->X->w[r] > 0.0)) continue; /* a weightless row cannot seed */
        get_row(c->X, r, xb);
        double v = sqdist(xb, old + (size_t)c->labels[r] * d, d);
        if (have == nempty && !(v > w->far[have - 1])) continue;
        size_t pos = have < nempty ? have : nempty - 1;
        if (have < nempty) have++;
        while (pos > 0 && v > w->far[pos - 1]) {
            w->far[pos] = w->far[pos - 1];
            w->farrow[pos] = w->farrow[pos - 1];
            pos--;
        }
        w->far[pos] = v;
        w->farrow[pos] = r;
    }
    size_t e = 0;
    for (size_t j = 0; j < k && e < have; j++) {
        if (w->cnt[j] != 0.0) continue;
        size_t r = w->farrow[e++];
        size_t from = (size_t)c->labels[r];
        double wr = c->X->w ? c->X->w[r] : 1.0;
        if (!(w->cnt[from] - wr > 0.0)) continue; /* it would empty its own cluster */
        get_row(c->X, r, xb);
        for (size_t t = 0; t < d; t++) {
            w->sums[from * d + t] -= wr * xb[t];
            w->sums[j * d + t] = wr * xb[t];
        }
        w->cnt[from] -= wr;
        w->cnt[j] = wr;
        c->labels[r] = (int32_t)j;
        if (c->cdirty) c->cdirty[r / c->chunk] = 1; /* its chunk's sums are stale now */
        if (c->ub) {                                /* force a full search for this row next time */
            c->ub[r] = INFINITY;
            c->lb[r] = 0.0f;
        }
    }
}

static crm_status lloyd(km_ctx *c, km_work *w, const crm_kmeans_options *o, double tol_abs,
                        size_t run_i, km_run *res)
{
    size_t k = c->k, d = c->d;
    double *centers = res->centers;
    for (size_t i = 0; i < c->X->n; i++)
        c->labels[i] = -1;
    c->centers = centers;
    c->bounds_valid = 0;
    c->record = 0;
    if (c->cdirty) {
        memset(c->cdirty, 1, (c->X->n + c->chunk - 1) / c->chunk);
        memset(c->chot, 1, (c->X->n + c->chunk - 1) / c->chunk);
    }
    /* AUTO on small k starts with Lloyd and moves to Hamerly when few labels change */
    int hamerly =
        o->algorithm == CRM_KMEANS_HAMERLY || (o->algorithm == CRM_KMEANS_AUTO && k >= 32);
    int autosw = o->algorithm == CRM_KMEANS_AUTO && !hamerly && c->ub != NULL;
    c->hamerly = hamerly;
    int strict = 0;
    res->converged = 0;
    res->n_iter = 0;
    for (int32_t it = 0; it < o->max_iter; it++) {
        c->update = 1;
        c->wcss = 0;
        size_t changed = run_pass(c);
        if (c->record) {
            /* the bounds of every row are recorded: Hamerly from the next pass on */
            c->record = 0;
            c->hamerly = 1;
        } else if (autosw && !c->hamerly && it > 0 && changed * KM_AUTO_SWITCH < c->X->n) {
            c->record = 1;
            atomic_fetch_add(&crm__km_test_switches, 1);
        }
        memset(w->sums, 0, k * d * sizeof *w->sums);
        memset(w->cnt, 0, k * sizeof *w->cnt);
        for (size_t b = 0; b < c->nblocks; b++) {
            const double *ps = c->psum + b * k * d;
            const double *pc = c->pcnt + b * k;
            for (size_t t = 0; t < k * d; t++)
                w->sums[t] += ps[t];
            for (size_t j = 0; j < k; j++)
                w->cnt[j] += pc[j];
        }
        relocate_empty(c, w, centers);
        double tot = 0.0, maxs = 0.0;
        for (size_t j = 0; j < k; j++) {
            double s2 = 0.0;
            for (size_t t = 0; t < d; t++) {
                /* a cluster still empty (no row could seed it) keeps its center */
                double v = w->cnt[j] > 0.0 ? w->sums[j * d + t] / w->cnt[j] : centers[j * d + t];
                double dd = v - centers[j * d + t];
                s2 += dd * dd;
                w->newc[j * d + t] = v;
            }
            w->shift[j] = sqrt(s2);
            if (w->shift[j] > maxs) maxs = w->shift[j];
            tot += s2;
        }
        memcpy(centers, w->newc, k * d * sizeof *centers);
        res->n_iter = it + 1;
        if (c->hamerly) {
            /* bounds after the move */
            for (size_t j = 0; j < k; j++) {
                double h = INFINITY;
                for (size_t q = 0; q < k; q++) {
                    if (q == j) continue;
                    double v = sqrt(sqdist(centers + j * d, centers + q * d, d));
                    if (v < h) h = v;
                }
                w->half[j] = 0.5 * h;
            }
            c->shift = w->shift;
            c->half = w->half;
            c->maxshift = maxs;
            c->bounds_valid = 1;
        }
        if (it > 0 && changed == 0) {
            strict = 1;
            res->converged = 1;
            break;
        }
        if (tot <= tol_abs) {
            res->converged = 1;
            break;
        }
        if (o->progress) {
            double f = ((double)run_i + (double)(it + 1) / (double)o->max_iter) / (double)o->n_init;
            if (o->progress(f > 1.0 ? 1.0 : f, o->user) != 0)
                return crm__error(CRM_E_CANCELLED, "crm_kmeans_fit: cancelled by the progress "
                                                   "callback");
        }
    }
    (void)strict;
    /* final assignment to the final centers, with within-cluster sums of squares */
    c->record = 0; /* (a switch due after the last iteration is moot) */
    c->update = 0;
    c->wcss = 1;
    run_pass(c);
    memset(res->size, 0, k * sizeof *res->size);
    memset(res->wcss, 0, k * sizeof *res->wcss);
    for (size_t b = 0; b < c->nblocks; b++)
        for (size_t j = 0; j < k; j++)
            res->wcss[j] += c->pwcss[b * k + j];
    for (size_t i = 0; i < c->X->n; i++)
        res->size[c->labels[i]] += 1.0;
    double in = 0.0;
    for (size_t j = 0; j < k; j++)
        in += res->wcss[j];
    res->inertia = in;
    return CRM_OK;
}

/* ---- fit ----------------------------------------------------------------------------- */

static crm_status check_options(const crm_kmeans_options *o, size_t d)
{
    const char *w = "crm_kmeans_fit";
    if (o->k < 1) return crm__error(CRM_E_INVALID, "%s: k must be >= 1 (got %d)", w, (int)o->k);
    if (o->n_init < 1)
        return crm__error(CRM_E_INVALID, "%s: n_init must be >= 1 (got %d)", w, (int)o->n_init);
    if (o->max_iter < 1)
        return crm__error(CRM_E_INVALID, "%s: max_iter must be >= 1 (got %d)", w, (int)o->max_iter);
    if (!(o->tol >= 0.0) || !isfinite(o->tol))
        return crm__error(CRM_E_INVALID, "%s: tol must be a finite number >= 0 (got %g)", w,
                          o->tol);
    if (o->init != CRM_KMEANS_INIT_PLUSPLUS && o->init != CRM_KMEANS_INIT_RANDOM &&
        o->init != CRM_KMEANS_INIT_GIVEN)
        return crm__error(CRM_E_INVALID, "%s: unknown init %d", w, (int)o->init);
    if (o->algorithm != CRM_KMEANS_AUTO && o->algorithm != CRM_KMEANS_LLOYD &&
        o->algorithm != CRM_KMEANS_HAMERLY)
        return crm__error(CRM_E_INVALID, "%s: unknown algorithm %d", w, (int)o->algorithm);
    if (o->n_threads < 0)
        return crm__error(CRM_E_INVALID, "%s: n_threads must be >= 0 (got %d)", w,
                          (int)o->n_threads);
    if (o->standardize != 0 && o->standardize != 1)
        return crm__error(CRM_E_INVALID, "%s: standardize must be 0 or 1 (got %d)", w,
                          (int)o->standardize);
    if (o->n_init_centers != 0 && !o->init_centers)
        return crm__error(CRM_E_INVALID, "%s: n_init_centers is %zu but init_centers is NULL", w,
                          o->n_init_centers);
    if (o->init_centers && o->n_init_centers != 0 && o->n_init_centers != (size_t)o->k * d)
        return crm__error(CRM_E_INVALID,
                          "%s: init_centers has %zu value%s but k * ncols = %d * %zu = %zu are "
                          "needed",
                          w, o->n_init_centers, o->n_init_centers == 1 ? "" : "s", (int)o->k, d,
                          (size_t)o->k * d);
    if (o->init == CRM_KMEANS_INIT_GIVEN) {
        if (!o->init_centers)
            return crm__error(CRM_E_INVALID, "%s: init is GIVEN but init_centers is NULL", w);
        for (size_t i = 0; i < (size_t)o->k * d; i++)
            if (!isfinite(o->init_centers[i]))
                return crm__error(CRM_E_INVALID,
                                  "%s: init_centers[%zu] (center %zu, column %zu) is not finite", w,
                                  i, i / d, i % d);
    }
    return CRM_OK;
}

/* Sum of x[0..n) in blocks of 512 added naively, the block sums compensated
 * (Neumaier): accurate to a few ulps for the moment sums needed here and as
 * fast as a plain loop. Deterministic (fixed order). */
static double acc_sum(const double *x, size_t n, double mu, double scale, int square)
{
    double s = 0.0, comp = 0.0;
    for (size_t lo = 0; lo < n; lo += 512) {
        size_t hi = lo + 512 < n ? lo + 512 : n;
        double b = 0.0;
        if (square) {
            for (size_t i = lo; i < hi; i++) {
                double t = (x[i] - mu) / scale;
                b += t * t;
            }
        } else {
            for (size_t i = lo; i < hi; i++)
                b += x[i];
        }
        double t = s + b;
        comp += fabs(s) >= fabs(b) ? (s - t) + b : (b - t) + s;
        s = t;
    }
    return s + comp;
}

static double col_mean(const double *x, size_t n)
{
    return acc_sum(x, n, 0.0, 1.0, 0) / (double)n;
}

static double col_var(const double *x, size_t n, double mu, double scale)
{
    return acc_sum(x, n, mu, scale, 1) / (double)n;
}

/* crm_kmeans_fit() on the working copy of its transform steps (crm__steps_fit). */
static crm_status fit_plain(const crm_dataset *work, const crm__fit_args *a, crm_model **out)
{
    crm_kmeans_options o = *(const crm_kmeans_options *)a->opts;
    o.n_mutate = 0;
    return crm_kmeans_fit(work, a->features, a->nf, &o, out);
}

/* The sample_weight column (X->w), if the options name one: a number column without
 * negative weights. */
static crm_status read_weights(const crm_dataset *ds, const crm_kmeans_options *o, km_data *X)
{
    const char *w = "crm_kmeans_fit";
    if (!o->sample_weight) return CRM_OK;
    const double **wp = NULL;
    crm_status st = crm__km_columns(ds, &o->sample_weight, 1, w, &wp);
    if (st != CRM_OK) return st;
    X->w = wp[0];
    crm__free(wp);
    for (size_t r = 0; r < X->n; r++)
        if (X->w[r] < 0.0)
            return crm__error(CRM_E_INVALID,
                              "%s: sample_weight column \"%s\" row %zu: negative weight %g", w,
                              o->sample_weight, r, X->w[r]);
    return CRM_OK;
}

/* The column names, and (standardize) each column's mean and standard deviation; *tol_abs:
 * tol times the mean variance of the (standardized) columns. */
static crm_status set_columns(km_model *m, const km_data *X, const char *const *cols,
                              const crm_kmeans_options *o, double *tol_abs)
{
    const char *w = "crm_kmeans_fit";
    size_t n = X->n, d = X->d;
    const double **ptrs = X->cols;
    for (size_t j = 0; j < d; j++) {
        m->names[j] = crm__strdup(cols[j]);
        if (!m->names[j]) return crm__nomem();
    }
    /* the variances only scale tol: with tol = 0 (as scikit-learn) they are not needed,
     * which saves one or two passes over the data */
    int need_var = o->tol > 0.0;
    double varsum = 0.0;
    for (size_t j = 0; j < d; j++) {
        if (o->standardize) {
            double mu = col_mean(ptrs[j], n);
            double var = col_var(ptrs[j], n, mu, 1.0);
            if (!(var > 0.0))
                return crm__error(CRM_E_NUMERIC,
                                  "%s: column \"%s\" is constant; it cannot be "
                                  "standardized",
                                  w, cols[j]);
            m->mean[j] = mu;
            m->scale[j] = sqrt(var);
            if (need_var) varsum += col_var(ptrs[j], n, mu, m->scale[j]);
        } else if (need_var) {
            double mu = col_mean(ptrs[j], n);
            varsum += col_var(ptrs[j], n, mu, 1.0);
        }
    }
    *tol_abs = need_var ? o->tol * (varsum / (double)d) : 0.0;
    return CRM_OK;
}

/* Scratch of the Lloyd iterations and the results of the current and the best run. */
static crm_status runs_alloc(km_work *wk, km_run *best, km_run *cur, size_t k, size_t d)
{
    wk->sums = crm__malloc_array(k * d, sizeof(double));
    wk->newc = crm__malloc_array(k * d, sizeof(double));
    wk->cnt = crm__malloc_array(k, sizeof(double));
    wk->shift = crm__malloc_array(k, sizeof(double));
    wk->half = crm__malloc_array(k, sizeof(double));
    wk->far = crm__malloc_array(k, sizeof(double));
    wk->farrow = crm__malloc_array(k, sizeof(size_t));
    best->centers = crm__malloc_array(k * d, sizeof(double));
    best->size = crm__malloc_array(k, sizeof(double));
    best->wcss = crm__malloc_array(k, sizeof(double));
    cur->centers = crm__malloc_array(k * d, sizeof(double));
    cur->size = crm__malloc_array(k, sizeof(double));
    cur->wcss = crm__malloc_array(k, sizeof(double));
    if (!wk->sums || !wk->newc || !wk->cnt || !wk->shift || !wk->half || !wk->far ||
        !wk->farrow || !best->centers || !best->size || !best->wcss || !cur->centers ||
        !cur->size || !cur->wcss)
        return crm__nomem();
    return CRM_OK;
}

static void runs_free(km_work *wk, km_run *best, km_run *cur)
{
    crm__free(wk->sums);
    crm__free(wk->newc);
    crm__free(wk->cnt);
    crm__free(wk->shift);
    crm__free(wk->half);
    crm__free(wk->far);
    crm__free(wk->farrow);
    crm__free(best->centers);
    crm__free(best->size);
    crm__free(best->wcss);
    crm__free(cur->centers);
    crm__free(cur->size);
    crm__free(cur->wcss);
}

/* The initial centers of run r (in the fitted scale): the given ones, random rows or
 * k-means++, from the run's own random stream. */
static crm_status init_centers(km_ctx *c, const crm_kmeans_options *o, const km_model *m,
                               int32_t r, double *centers)
{
    size_t k = c->k, d = c->d;
    crm__rng rng;
    crm__rng_seed_stream(&rng, o->seed, (uint64_t)r);
    if (o->init == CRM_KMEANS_INIT_GIVEN) {
        memcpy(centers, o->init_centers, k * d * sizeof(double));
        if (o->standardize)
            for (size_t i = 0; i < k; i++)
                for (size_t j = 0; j < d; j++)
                    centers[i * d + j] = (centers[i * d + j] - m->mean[j]) / m->scale[j];
        return CRM_OK;
    }
    if (o->init == CRM_KMEANS_INIT_RANDOM) return init_random(c, &rng, centers);
    return init_plusplus(c, &rng, centers);
}

/* The n_init runs, each from its own initial centers; the best (least inertia, the first of
 * equals) ends in *best, its index in *best_i. */
static crm_status best_run(km_ctx *c, km_work *wk, const crm_kmeans_options *o,
                           const km_model *m, double tol_abs, km_run *best, km_run *cur,
                           size_t *best_i)
{
    for (int32_t r = 0; r < o->n_init; r++) {
        crm_status st = init_centers(c, o, m, r, cur->centers);
        if (st != CRM_OK) return st;
        st = lloyd(c, wk, o, tol_abs, (size_t)r, cur);
        if (st != CRM_OK) return st;
        if (r == 0 || cur->inertia < best->inertia) {
            km_run t = *best;
            *best = *cur;
            *cur = t;
            *best_i = (size_t)r;
        }
    }
    return CRM_OK;
}

static crm_status kmeans_fit_pinned(const crm_dataset *ds, const char *const *cols, size_t ncols,
                                    const crm_kmeans_options *opts, crm_model **out)
{
    const char *w = "crm_kmeans_fit";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", w);
    crm_kmeans_options o;
    crm_status st = crm__options_load(&o, opts, &km_defaults, sizeof km_defaults,
                                      KM_OPTIONS_V1_SIZE, "crm_kmeans_options");
    if (st != CRM_OK) return st;
    if (o.n_mutate) {
        const crm__fit_args a = {NULL, cols, ncols, &o};
        return crm__steps_fit(ds, o.mutate, o.n_mutate, "crm_kmeans_fit", fit_plain, &a, out);
    }
    if (!cols) return crm__error(CRM_E_INVALID, "%s: cols is NULL", w);
    st = check_options(&o, ncols);
    if (st != CRM_OK) return st;
    if (o.init == CRM_KMEANS_INIT_GIVEN) o.n_init = 1;
    const double **ptrs = NULL;
    st = crm__km_columns(ds, cols, ncols, w, &ptrs);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows, d = ncols, k = (size_t)o.k;
    km_model *m = NULL;
    km_ctx c;
    memset(&c, 0, sizeof c);
    km_work wk;
    memset(&wk, 0, sizeof wk);
    km_run best, cur;
    memset(&best, 0, sizeof best);
    memset(&cur, 0, sizeof cur);
    km_data X = {n, d, ptrs, NULL, NULL, NULL};
    size_t distinct = 0, best_i = 0;
    double tol_abs = 0.0;
    if (n == 0) st = crm__error(CRM_E_INVALID, "%s: the dataset has no rows", w);
    if (st == CRM_OK) st = read_weights(ds, &o, &X);
    if (st == CRM_OK) st = count_distinct(&X, k, &distinct);
    if (st == CRM_OK && distinct < k)
        st = crm__error(CRM_E_INVALID,
                        "%s: k = %zu is larger than the number of distinct rows%s (%zu)", w, k,
                        X.w ? " of positive weight" : "", distinct);
    if (st == CRM_OK) st = km_alloc_state(k, d, o.standardize, &m);
    if (st == CRM_OK) st = set_columns(m, &X, cols, &o, &tol_abs);
    if (st == CRM_OK) {
        X.mean = m->mean;
        X.scale = m->scale;
        /* bounds for HAMERLY, and for AUTO, which may move to Hamerly */
        st = ctx_init(&c, &X, k, o.n_threads, 1, o.algorithm != CRM_KMEANS_LLOYD);
    }
    if (st == CRM_OK) st = runs_alloc(&wk, &best, &cur, k, d);
    if (st == CRM_OK) st = best_run(&c, &wk, &o, m, tol_abs, &best, &cur, &best_i);
    if (st == CRM_OK) {
        memcpy(m->centers, best.centers, k * d * sizeof(double));
        memcpy(m->size, best.size, k * sizeof(double));
        memcpy(m->wcss, best.wcss, k * sizeof(double));
        m->inertia = best.inertia;
        m->n_iter = best.n_iter;
        m->converged = best.converged;
        m->n_rows = (double)n;
        m->best_init = (double)best_i;
        m->tol_abs = tol_abs;
        st = crm__model_new(&crm__kmeans_vtable, m, out);
        m = NULL;
    }
    km_free_state(m);
    ctx_free(&c);
    runs_free(&wk, &best, &cur);
    crm__free(ptrs);
    return st;
}

/* crm_kmeans_fit pins ds for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_kmeans_fit(const crm_dataset *ds, const char *const *cols, size_t ncols,
                          const crm_kmeans_options *opts, crm_model **out)
{
    crm__dataset_pin(ds);
    crm_status st = kmeans_fit_pinned(ds, cols, ncols, opts, out);
    crm__dataset_unpin(ds);
    return st;
}

/* ---- model vtable ------------------------------------------------------------------ */

static crm_status km_predict(const void *sp, crm_dataset *ds, const char *out_col)
{
    const km_model *m = sp;
    const char *w = "crm_model_predict";
    crm_status st = crm__dataset_check_new_name(ds, out_col);
    if (st != CRM_OK) return crm__error_prefix(st, w);
    const double **ptrs = NULL;
    st = crm__km_columns(ds, (const char *const *)m->names, m->d, w, &ptrs);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows;
    km_data X = {n, m->d, ptrs, m->mean, m->scale, NULL};
    km_ctx c;
    double *res = crm__malloc_array(n, sizeof *res);
    if (!res) {
        crm__free(ptrs);
        return crm__nomem();
    }
    st = ctx_init(&c, &X, m->k, 0, 0, 0);
    if (st != CRM_OK) {
        crm__free(res);
        crm__free(ptrs);
        return st;
    }
    c.centers = m->centers;
    c.update = 0;
    c.wcss = 0;
    for (size_t i = 0; i < n; i++)
        c.labels[i] = -1;
    if (n) run_pass(&c);
    for (size_t i = 0; i < n; i++)
        res[i] = (double)c.labels[i];
    ctx_free(&c);
    crm__free(ptrs);
    st = crm__dataset_add_owned(ds, out_col, CRM_TYPE_NUMBER, res, NULL, n);
    if (st != CRM_OK) crm__free(res);
    return st;
}

static crm_status km_summary(const void *sp, crm_dataset **out)
{
    const km_model *m = sp;
    size_t k = m->k, d = m->d;
    crm_dataset *t = NULL;
    double *v = crm__malloc_array(k, sizeof *v);
    char *name = NULL;
    crm_status st = v ? crm_dataset_new(&t) : crm__nomem();
    if (st == CRM_OK) {
        for (size_t j = 0; j < k; j++)
            v[j] = (double)j;
        st = crm_dataset_add_number(t, "cluster", v, k);
    }
    if (st == CRM_OK) st = crm_dataset_add_number(t, "size", m->size, k);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "wcss", m->wcss, k);
    for (size_t f = 0; st == CRM_OK && f < d; f++) {
        for (size_t j = 0; j < k; j++) {
            double c = m->centers[j * d + f];
            v[j] = m->scale ? c * m->scale[f] + m->mean[f] : c;
        }
        const char *nm = m->names[f];
        if (strcmp(nm, "cluster") == 0 || strcmp(nm, "size") == 0 || strcmp(nm, "wcss") == 0) {
            size_t len = strlen(nm);
            name = crm__malloc(len + 8);
            if (!name) {
                st = crm__nomem();
                break;
            }
            memcpy(name, "center_", 7);
            memcpy(name + 7, nm, len + 1);
            nm = name;
        }
        st = crm_dataset_add_number(t, nm, v, k);
        crm__free(name);
        name = NULL;
    }
    crm__free(v);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

const char *const *crm__km_feature_names(const void *state, size_t *d)
{
    const km_model *m = state;
    *d = m->d;
    return (const char *const *)m->names;
}

static const char *const km_stat_names[] = {"k",         "n_features", "n_rows",    "inertia",
                                            "n_iter",    "iterations", "converged", "standardize",
                                            "best_init", "tol_abs",    NULL};

static double km_stat(const void *sp, size_t i)
{
    const km_model *m = sp;
    switch (i) {
    case 0:
        return (double)m->k;
    case 1:
        return (double)m->d;
    case 2:
        return m->n_rows;
    case 3:
        return m->inertia;
    case 4:
    case 5:
        return m->n_iter;
    case 6:
        return m->converged;
    case 7:
        return m->scale ? 1.0 : 0.0;
    case 8:
        return m->best_init;
    default:
        return m->tol_abs;
    }
}

static crm_status km_to_json(const void *sp, crm__buf *b)
{
    const km_model *m = sp;
    size_t k = m->k, d = m->d;
    crm_status st = crm__buf_append(b, ",\"features\":[", 13);
    for (size_t j = 0; st == CRM_OK && j < d; j++) {
        if (j) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_string(b, m->names[j]);
    }
    if (st == CRM_OK)
        st = crm__buf_printf(b, "],\"k\":%zu,\"standardize\":%s", k, m->scale ? "true" : "false");
    if (st == CRM_OK && m->scale) {
        st = crm__buf_append(b, ",\"mean\":", 8);
        if (st == CRM_OK) st = crm__json_write_numbers(b, m->mean, d);
        if (st == CRM_OK) st = crm__buf_append(b, ",\"scale\":", 9);
        if (st == CRM_OK) st = crm__json_write_numbers(b, m->scale, d);
    }
    if (st == CRM_OK) st = crm__buf_append(b, ",\"centers\":[", 12);
    for (size_t j = 0; st == CRM_OK && j < k; j++) {
        if (j) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_numbers(b, m->centers + j * d, d);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "],\"size\":", 9);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->size, k);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"wcss\":", 8);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->wcss, k);
    static const char *const keys[] = {"inertia", "n_iter",    "converged",
                                       "n_rows",  "best_init", "tol_abs"};
    const double vals[] = {m->inertia, m->n_iter,    m->converged,
                           m->n_rows,  m->best_init, m->tol_abs};
    for (size_t i = 0; st == CRM_OK && i < 6; i++) {
        st = crm__buf_printf(b, ",\"%s\":", keys[i]);
        if (st == CRM_OK) st = crm__json_write_number(b, vals[i]);
    }
    return st;
}

static crm_status km_from_json(const crm__json *doc, void **state)
{
    const char *w = "kmeans model JSON";
    const crm__json *feat = crm__json_get(doc, "features");
    if (!feat || feat->type != CRM__JSON_ARRAY || feat->len == 0)
        return crm__error(CRM_E_PARSE, "%s: \"features\" must be a non-empty array of names", w);
    size_t d = feat->len;
    int64_t kk = 0;
    crm_status st = crm__json_get_int(doc, "k", w, 1, 1000000000, &kk);
    if (st != CRM_OK) return st;
    size_t k = (size_t)kk;
    int standardize = 0;
    st = crm__json_get_bool(doc, "standardize", w, &standardize);
    if (st != CRM_OK) return st;
    const crm__json *centers;
    st = crm__json_get_array(doc, "centers", w, k, &centers);
    if (st != CRM_OK) return st;
    km_model *m = NULL;
    st = km_alloc_state(k, d, standardize, &m);
    if (st != CRM_OK) return st;
    for (size_t j = 0; st == CRM_OK && j < d; j++) {
        const crm__json *s = &feat->items[j];
        if (s->type != CRM__JSON_STRING || s->len == 0) {
            st = crm__error(CRM_E_PARSE, "%s: \"features\"[%zu] is not a non-empty string", w, j);
            break;
        }
        for (size_t q = 0; q < j; q++)
            if (strcmp(m->names[q], s->str) == 0)
                st = crm__error(CRM_E_PARSE, "%s: feature \"%s\" is listed twice", w, s->str);
        if (st != CRM_OK) break;
        m->names[j] = crm__strdup(s->str);
        if (!m->names[j]) st = crm__nomem();
    }
    for (size_t j = 0; st == CRM_OK && j < k; j++) {
        const crm__json *row = &centers->items[j];
        if (row->type != CRM__JSON_ARRAY || row->len != d) {
            st = crm__error(CRM_E_PARSE, "%s: \"centers\"[%zu] is not an array of %zu numbers", w,
                            j, d);
            break;
        }
        for (size_t f = 0; st == CRM_OK && f < d; f++)
            st = crm__json_real_at(row, f, w, "centers", -DBL_MAX, DBL_MAX, 0,
                                   &m->centers[j * d + f]);
    }
    if (st == CRM_OK && standardize) {
        st = crm__json_get_reals(doc, "mean", w, d, -DBL_MAX, DBL_MAX, 0, m->mean);
        if (st == CRM_OK)
            st = crm__json_get_reals(doc, "scale", w, d, DBL_TRUE_MIN, DBL_MAX, 0, m->scale);
    }
    /* k distinct rows at least were fitted; every row is in one cluster (sizes
     * count rows, whatever their weight) */
    int64_t n_rows = 0, v = 0, total = 0;
    const crm__json *a = NULL;
    if (st == CRM_OK) st = crm__json_get_array(doc, "size", w, k, &a);
    for (size_t j = 0; st == CRM_OK && j < k; j++) {
        st = crm__json_int_at(a, j, w, "size", 0, CRM__JSON_INT_MAX - total, &v);
        total += v;
        m->size[j] = (double)v;
    }
    if (st == CRM_OK) st = crm__json_get_int(doc, "n_rows", w, kk, CRM__JSON_INT_MAX, &n_rows);
    m->n_rows = (double)n_rows;
    if (st == CRM_OK && total != n_rows)
        st = crm__error(CRM_E_PARSE, "%s: the sizes add up to %lld, not to \"n_rows\" %lld", w,
                        (long long)total, (long long)n_rows);
    if (st == CRM_OK) st = crm__json_get_reals(doc, "wcss", w, k, 0.0, DBL_MAX, 0, m->wcss);
    if (st == CRM_OK) st = crm__json_get_real(doc, "inertia", w, 0.0, DBL_MAX, 0, &m->inertia);
    if (st == CRM_OK) st = crm__json_get_int(doc, "n_iter", w, 1, INT32_MAX, &v);
    m->n_iter = (double)v;
    if (st == CRM_OK) st = crm__json_get_int(doc, "converged", w, 0, 1, &v);
    m->converged = (double)v;
    if (st == CRM_OK) st = crm__json_get_int(doc, "best_init", w, 0, INT32_MAX - 1, &v);
    m->best_init = (double)v;
    if (st == CRM_OK) st = crm__json_get_real(doc, "tol_abs", w, 0.0, DBL_MAX, 0, &m->tol_abs);
    if (st != CRM_OK) {
        km_free_state(m);
        return st;
    }
    *state = m;
    return CRM_OK;
}

const crm__model_vtable crm__kmeans_vtable = {
    CRM_MODEL_KMEANS, "kmeans", km_free_state, km_predict,   km_summary,
    km_stat_names,    km_stat,  km_to_json,    km_from_json, NULL,
    NULL, /* to_json_stream: written whole */
};
