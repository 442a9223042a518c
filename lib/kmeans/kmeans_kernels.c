/* k-means inner kernels: the argmin over the GEMM result and the per-cluster sums
 * of a chunk. Built with -O3 (see CMakeLists.txt) and cloned per instruction set
 * (AVX-512, AVX2, baseline) where the compiler supports it; the clones perform the
 * same floating-point operations in the same order (ISO C mode: no contraction into
 * FMA, no reassociation), so every clone gives bit-identical results. */
#include "kmeans/kmeans_internal.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    !defined(CRM_NO_CLONES)
#define KM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KM_CLONES
#endif

/* xn[i] := |row i|^2 of the column-major m x d chunk xc (inlined into each clone). */
static inline __attribute__((always_inline)) void row_sqnorms(const double *xc, size_t m,
                                                              size_t d, double *xn)
{
    for (size_t i = 0; i < m; i++)
        xn[i] = 0.0;
    for (size_t j = 0; j < d; j++) {
        const double *col = xc + j * m;
        for (size_t i = 0; i < m; i++)
            xn[i] += col[i] * col[i];
    }
}

KM_CLONES
size_t crm__km_argmin(const double *dots, const double *cnorm, size_t m, size_t k, double *bd,
                      int32_t *bj, int32_t *lab)
{
    /* dots holds -2 x.c (m x k, column-major); the distance up to ||x||^2 is
     * cnorm[j] + dots[j * m + i]. Cluster by cluster, vectorized over rows; the
     * first minimum wins (strict <). */
    for (size_t i = 0; i < m; i++) {
        bd[i] = cnorm[0] + dots[i];
        bj[i] = 0;
    }
    for (size_t j = 1; j < k; j++) {
        const double *dj = dots + j * m;
        double cj = cnorm[j];
        int32_t jj = (int32_t)j;
        for (size_t i = 0; i < m; i++) {
            double v = cj + dj[i];
            int lt = v < bd[i];
            bd[i] = lt ? v : bd[i];
            bj[i] = lt ? jj : bj[i];
        }
    }
    size_t changed = 0;
    for (size_t i = 0; i < m; i++) {
        changed += lab[i] != bj[i];
        lab[i] = bj[i];
    }
    return changed;
}

KM_CLONES
size_t crm__km_argmin_rec(const double *dots, const double *cnorm, const double *xc, size_t m,
                          size_t k, size_t d, double rel, double cmax, double *bd, double *b2,
                          double *xn, int32_t *bj, int32_t *lab, float *ub, float *lb,
                          double *xnmax)
{
    /* the same minimum and winner as crm__km_argmin (same operations, same order),
     * and the second smallest value beside it */
    for (size_t i = 0; i < m; i++) {
        bd[i] = cnorm[0] + dots[i];
        b2[i] = INFINITY;
        bj[i] = 0;
    }
    for (size_t j = 1; j < k; j++) {
        const double *dj = dots + j * m;
        double cj = cnorm[j];
        int32_t jj = (int32_t)j;
        for (size_t i = 0; i < m; i++) {
            double v = cj + dj[i];
            int lt = v < bd[i];
            double o = bd[i];
            b2[i] = lt ? o : (v < b2[i] ? v : b2[i]);
            bd[i] = lt ? v : o;
            bj[i] = lt ? jj : bj[i];
        }
    }
    row_sqnorms(xc, m, d, xn);
    /* without branches, so that it vectorizes (with k = 1, b2 is infinite and so is the
     * lower bound: there is no other center) */
    for (size_t i = 0; i < m; i++) {
        double x = xn[i], e = rel * (x + cmax);
        double hi = x + bd[i] + e, lo = x + b2[i] - e;
        hi = hi > 0.0 ? hi : 0.0;
        lo = lo > 0.0 ? lo : 0.0;
        ub[i] = crm__km_fup(sqrt(hi));
        lb[i] = crm__km_fdown(sqrt(lo));
    }
    double mx = *xnmax, m1 = mx, m2 = mx, m3 = mx;
    size_t p = 0;
    for (; p + 4 <= m; p += 4) {
        mx = xn[p] > mx ? xn[p] : mx;
        m1 = xn[p + 1] > m1 ? xn[p + 1] : m1;
        m2 = xn[p + 2] > m2 ? xn[p + 2] : m2;
        m3 = xn[p + 3] > m3 ? xn[p + 3] : m3;
    }
    for (; p < m; p++)
        mx = xn[p] > mx ? xn[p] : mx;
    mx = mx > m1 ? mx : m1;
    m2 = m2 > m3 ? m2 : m3;
    mx = mx > m2 ? mx : m2;
    *xnmax = mx;
    size_t changed = 0;
    for (size_t i = 0; i < m; i++) {
        changed += lab[i] != bj[i];
        lab[i] = bj[i];
    }
    return changed;
}

/* The squared distances v (m) of the rows of the column-major chunk xc to center ct
 * (d values) from the GEMM column dt (-2 x.c), the squared row norms xn and the
 * center's squared norm cn. A GEMM-form value within its rounding allowance
 * rel * (||x||^2 + ||c||^2) of zero (or below it) is formed again directly, so that a
 * row equal to the center gets 0 exactly and is never drawn again. */
static void pp_dist(const double *xc, size_t m, size_t d, const double *dt, const double *ct,
                    double cn, const double *xn, double rel, double *v)
{
    int few = 0;
    for (size_t i = 0; i < m; i++) {
        double s = xn[i] + cn + dt[i];
        v[i] = s;
        few |= s <= rel * (xn[i] + cn);
    }
    if (!few) return; /* (rare: a row next to the center) */
    for (size_t i = 0; i < m; i++) {
        if (!(v[i] <= rel * (xn[i] + cn))) continue;
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            double t = xc[j * m + i] - ct[j];
            s += t * t;
        }
        v[i] = s;
    }
}

/* sum of w[i] * v[i] (or of v[i] without weights) in four lanes in a fixed order */
static double pp_sum(const double *v, const double *w, size_t m)
{
    double l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0;
    size_t i = 0;
    if (w) {
        for (; i + 4 <= m; i += 4) {
            l0 += w[i] * v[i];
            l1 += w[i + 1] * v[i + 1];
            l2 += w[i + 2] * v[i + 2];
            l3 += w[i + 3] * v[i + 3];
        }
        for (; i < m; i++)
            l0 += w[i] * v[i];
    } else {
        for (; i + 4 <= m; i += 4) {
            l0 += v[i];
            l1 += v[i + 1];
            l2 += v[i + 2];
            l3 += v[i + 3];
        }
        for (; i < m; i++)
            l0 += v[i];
    }
    return (l0 + l1) + (l2 + l3);
}

KM_CLONES
void crm__km_pp_chunk(const double *xc, size_t m, size_t d, const double *dots, const double *ctr,
                      const double *cn, int upd, size_t nc, double rel, const double *w,
                      double *closest, double *xn, double *v, double *pot)
{
    row_sqnorms(xc, m, d, xn);
    size_t c0 = upd ? 1 : 0;
    if (upd) {
        pp_dist(xc, m, d, dots, ctr, cn[0], xn, rel, v);
        if (upd > 1) {
            memcpy(closest, v, m * sizeof *closest);
        } else {
            for (size_t i = 0; i < m; i++)
                closest[i] = v[i] < closest[i] ? v[i] : closest[i];
        }
        pot[0] += pp_sum(closest, w, m);
    }
    for (size_t t = 0; t < nc; t++) {
        const double *dt = dots + (c0 + t) * m;
        double ct = cn[c0 + t];
        if (!w) {
            /* the common case in one loop: the sum of min(closest, distance) in four
             * lanes, exactly as pp_sum adds them, unless a distance needs forming again */
            double l[4] = {0.0, 0.0, 0.0, 0.0};
            int few = 0;
            size_t i = 0;
            for (; i + 4 <= m; i += 4) {
                for (size_t q = 0; q < 4; q++) {
                    double e = xn[i + q] + ct, s = e + dt[i + q];
                    few |= s <= rel * e;
                    l[q] += s < closest[i + q] ? s : closest[i + q];
                }
            }
            for (; i < m; i++) {
                double e = xn[i] + ct, s = e + dt[i];
                few |= s <= rel * e;
                l[0] += s < closest[i] ? s : closest[i];
            }
            if (!few) {
                pot[1 + t] += (l[0] + l[1]) + (l[2] + l[3]);
                continue;
            }
        }
        pp_dist(xc, m, d, dt, ctr + (c0 + t) * d, ct, xn, rel, v);
        for (size_t i = 0; i < m; i++)
            v[i] = v[i] < closest[i] ? v[i] : closest[i];
        pot[1 + t] += pp_sum(v, w, m);
    }
}

KM_CLONES
double crm__km_lane_sum(const double *x, size_t n, double mu, int square)
{
    double s = 0.0, comp = 0.0;
    for (size_t lo = 0; lo < n; lo += 512) {
        size_t hi = lo + 512 < n ? lo + 512 : n;
        double l[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        size_t i = lo;
        if (square) {
            for (; i + 8 <= hi; i += 8)
                for (size_t q = 0; q < 8; q++) {
                    double t = x[i + q] - mu;
                    l[q] += t * t;
                }
            for (; i < hi; i++) {
                double t = x[i] - mu;
                l[0] += t * t;
            }
        } else {
            for (; i + 8 <= hi; i += 8)
                for (size_t q = 0; q < 8; q++)
                    l[q] += x[i + q];
            for (; i < hi; i++)
                l[0] += x[i];
        }
        double b = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
        double t = s + b;
        comp += fabs(s) >= fabs(b) ? (s - t) + b : (b - t) + s;
        s = t;
    }
    return s + comp;
}
