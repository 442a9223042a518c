/* Shared pieces of the k-means module. Never installed. */
#ifndef CRM_KMEANS_KMEANS_INTERNAL_H
#define CRM_KMEANS_KMEANS_INTERNAL_H

#include "core/model_internal.h"
#include "crm/kmeans.h"
#include "core/dataset_internal.h"

#include <stdatomic.h>
#include <string.h>

/* Rows are processed in chunks of KM_CHUNK rows (one GEMM each) grouped into
 * reduction blocks whose boundaries depend only on n. */
#define KM_CHUNK 512

/* The feature matrix as columns of the dataset, optionally standardized on the fly. */
typedef struct km_data {
    size_t n, d;
    const double **cols; /* d column pointers */
    const double *mean;  /* d, or NULL */
    const double *scale; /* d, or NULL */
    const double *w;     /* n sample weights, or NULL (all 1) */
} km_data;

/* Resolve `cols` to number columns of ds (NOTFOUND/TYPE/INVALID errors naming
 * them) and check every value is finite (error naming column and row).
 * *ptrs gets a new array of ncols column pointers. */
crm_status crm__km_columns(const crm_dataset *ds, const char *const *cols, size_t ncols,
                           const char *what, const double ***ptrs);
/* Copy rows [r0, r0+m) into xb (m x d row-major), standardized when X says so. */
void crm__km_gather(const km_data *X, size_t r0, size_t m, double *xb);

/* Nearest center of each of m rows from the GEMM result dots (m x k column-major,
 * holding -2 x.c) and the squared center norms: bd (m) gets the minima, bj (m) the
 * winners (lowest index on ties); lab (m) is updated from bj. Returns how many
 * labels changed. (kmeans_kernels.c) */
size_t crm__km_argmin(const double *dots, const double *cnorm, size_t m, size_t k, double *bd,
                      int32_t *bj, int32_t *lab);

/* For the tests only: non-zero turns the per-chunk cells of center sums off for fits
 * started afterwards; crm__km_test_switches counts AUTO's moves from Lloyd to Hamerly. */
extern _Atomic int crm__km_test_nocells;
extern _Atomic unsigned long crm__km_test_switches;

/* v rounded up (crm__km_fup) or down (crm__km_fdown; 0 for v <= 0) to a float, for
 * v >= 0: one step of the bit pattern where the conversion went the wrong way, so that
 * bounds kept in single precision stay valid. Inline and without branches: a libm
 * nextafterf call per row cost 4 % of a pass, and a branch on the direction of the
 * rounding (taken half the time at random) cost two mispredictions per row. */
static inline float crm__km_fup(double v)
{
    float f = (float)v;
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    b += (uint32_t)((double)f < v);
    memcpy(&f, &b, sizeof f);
    return f;
}

static inline float crm__km_fdown(double v)
{
    double p = v > 0.0 ? v : 0.0;
    float f = (float)p;
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    b -= (uint32_t)((double)f > p);
    memcpy(&f, &b, sizeof f);
    return f;
}

/* crm__km_argmin (the same minima, winners and labels, bit for bit) that also records
 * Hamerly bounds for the m rows of the column-major chunk xc (leading dimension m):
 * ub (m) an upper bound on the distance to the winner, lb (m) a lower bound on the
 * distance to every other center, both from the GEMM-form values widened by the
 * rounding allowance rel * (||x||^2 + cmax) (cmax: the largest squared center norm)
 * and rounded outwards to float. b2 and xn (m) are scratch; *xnmax is raised to the
 * largest ||x||^2 of the chunk. Returns how many labels changed. */
size_t crm__km_argmin_rec(const double *dots, const double *cnorm, const double *xc, size_t m,
                          size_t k, size_t d, double rel, double cmax, double *bd, double *b2,
                          double *xn, int32_t *bj, int32_t *lab, float *ub, float *lb,
                          double *xnmax);

/* One chunk of m rows (column-major xc, d features) in a k-means++ pass. dots (m x
 * (upd != 0) + nc, column-major) holds -2 x.c for the rows ctr (row-major, squared
 * norms cn) of the centers: first, when upd is set, the center last chosen, whose
 * distance lowers closest (m; upd = 2: closest is not read but set, for the first
 * center), then the nc candidates. pot[0] gets the (w-weighted) sum of closest after
 * that update added, pot[1 + t] the sum of min(closest, distance to candidate t).
 * Distances are the GEMM form, formed directly where it is within its rounding
 * allowance rel * (||x||^2 + ||c||^2) of zero (so a row equal to a center gets 0). xn
 * and v (m) are scratch. (kmeans_kernels.c) */
void crm__km_pp_chunk(const double *xc, size_t m, size_t d, const double *dots, const double *ctr,
                      const double *cn, int upd, size_t nc, double rel, const double *w,
                      double *closest, double *xn, double *v, double *pot);

/* The sum of x (n), or (square) of (x - mu)^2, in blocks of 512 values summed in eight
 * lanes (so that it vectorizes), the block sums compensated (Neumaier): a fixed order,
 * accurate to a few units in the last place. (kmeans_kernels.c) */
double crm__km_lane_sum(const double *x, size_t n, double mu, int square);

/* The feature names of a k-means model's state (d of them, in fit order). (kmeans.c) */
const char *const *crm__km_feature_names(const void *state, size_t *d);

#endif /* CRM_KMEANS_KMEANS_INTERNAL_H */
