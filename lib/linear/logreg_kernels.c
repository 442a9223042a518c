/* Logistic regression inner kernels: x b, the per-row probabilities, weights
 * and log-likelihood terms, the gradient X^T r and the weighted copies for the
 * Hessian, over rows [off, off + m) of a chunk whose columns lie at cols[t].
 * Built with -O3 -fno-math-errno (see CMakeLists.txt; errno is never read and
 * sqrt's argument is never negative) and cloned per instruction set (AVX-512,
 * AVX2, baseline) where the compiler supports it. Every loop is either
 * elementwise or sums in fixed lanes (row i into lane i % LR_LANES, the lanes
 * added in a fixed tree), and the clones perform the same floating-point
 * operations in the same order (ISO C mode: no contraction into FMA, no
 * reassociation), so every clone gives bit-identical results on every CPU.
 *
 * exp and log1p are computed here, not by libm, so that the per-row loop
 * vectorises and its results do not depend on the C library: the algorithms
 * and coefficients of fdlibm's e_exp.c and e_log.c (Sun Microsystems, 1993;
 * errors below 1 ulp), restricted to the arguments the fit needs. */
#include "linear/logreg_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    !defined(CRM_NO_CLONES)
#define LR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LR_CLONES
#endif

#define LR_LANES 8

/* exp(x) for x <= 0; arguments below -708 are taken as -708 (exp(-708) is
 * about 3e-308: rows that far out contribute nothing at double precision).
 * fdlibm's reduction x = k ln2 + r, |r| <= ln2 / 2, k ln2 in two parts, and
 * its rational approximation of exp(r); 2^k is built from the bits of the
 * rounded k (round to nearest by adding 1.5 * 2^52), no integer conversion. */
static inline double lr_exp_neg(double x)
{
    const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10,
                 invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
                 P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
                 P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08,
                 shift = 0x1.8p52;
    x = x < -708.0 ? -708.0 : x;
    double kd = x * invln2 + shift; /* k in the low bits */
    uint64_t kb;
    memcpy(&kb, &kd, sizeof kb);
    kd -= shift;
    double hi = x - kd * ln2hi, lo = kd * ln2lo, r = hi - lo;
    double t = r * r;
    double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    /* 2^k, -1022 <= k <= 0: the exponent field k + 1023 */
    uint64_t sb = (kb + 1023u) << 52;
    double scale;
    memcpy(&scale, &sb, sizeof scale);
    return y * scale;
}

/* log(u) for 1 <= u <= 2 (fdlibm's e_log.c: u = 2^k (1 + f), k = 0 or 1 with
 * 1 + f in [sqrt(2) / 2, sqrt(2)], s = f / (2 + f), a polynomial in s^2). */
static inline double lr_log_12(double u)
{
    const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10,
                 Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                 Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                 Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                 Lg7 = 1.479819860511658591e-01, sqrt2 = 1.41421356237309504880;
    int big = u > sqrt2;
    double k = big ? 1.0 : 0.0, v = big ? 0.5 * u : u;
    double f = v - 1.0, s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6)), t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1, hfsq = 0.5 * f * f;
    return k * ln2hi - ((hfsq - (s * (hfsq + R) + k * ln2lo)) - f);
}

/* log1p(q) for 0 <= q <= 1: log(1 + q) corrected by the rounding of 1 + q,
 * log1p(q) = log(u) + (q - (u - 1)) / u with u = 1 + q rounded (u - 1 is
 * exact, and the correction is the first-order term of log(1 + q) - log(u)). */
static inline double lr_log1p_01(double q)
{
    double u = 1.0 + q;
    return lr_log_12(u) + (q - (u - 1.0)) / u;
}

LR_CLONES
void crm__lr_xb(const double *const *cols, size_t off, const double *b, size_t p, size_t m,
                double *restrict eta)
{
    /* four columns at a time: eta is read and written once per four */
    for (size_t i = 0; i < m; i++)
        eta[i] = 0.0;
    size_t t = 0;
    for (; t + 4 <= p; t += 4) {
        const double *restrict c0 = cols[t] + off, *restrict c1 = cols[t + 1] + off,
                               *restrict c2 = cols[t + 2] + off, *restrict c3 = cols[t + 3] + off;
        double b0 = b[t], b1 = b[t + 1], b2 = b[t + 2], b3 = b[t + 3];
        for (size_t i = 0; i < m; i++)
            eta[i] += (b0 * c0[i] + b1 * c1[i]) + (b2 * c2[i] + b3 * c3[i]);
    }
    for (; t < p; t++) {
        const double *restrict c0 = cols[t] + off;
        double b0 = b[t];
        for (size_t i = 0; i < m; i++)
            eta[i] += b0 * c0[i];
    }
}

/* Lane sums: lane l holds rows i with i % LR_LANES == l, the lanes added as
 * ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)). With GCC's vector extension a
 * vector of LR_LANES doubles (one AVX-512 register, two AVX2 or four SSE2
 * ones: the same per-lane operations); otherwise arrays, the same sums. */
#if defined(__GNUC__)
typedef double lr_v8 __attribute__((vector_size(LR_LANES * sizeof(double))));
/* (a macro: a function returning a vector would change the ABI by clone) */
#define LR_LOAD8(v, x) memcpy(&(v), (x), sizeof(v))
#define LR_V8_ZERO ((lr_v8){0, 0, 0, 0, 0, 0, 0, 0})
typedef int64_t lr_i8 __attribute__((vector_size(LR_LANES * sizeof(int64_t))));
#endif

static inline double lr_lanes_sum(const double *a)
{
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* One row at eta e, target y, weight w: q = exp(-|e|), p = 1 / (1 + q) or
 * q / (1 + q), log(1 + exp(e)) = max(e, 0) + log1p(q). */
static inline void lr_row(double e, double y, double w, double *ll, double *r, double *mg,
                          double *s)
{
    double q = lr_exp_neg(-fabs(e)), q1 = 1.0 + q, pr = (e >= 0 ? 1.0 : q) / q1;
    *ll = w * (y * e - ((e > 0 ? e : 0.0) + lr_log1p_01(q)));
    *r = w * (y - pr);
    *mg = w > 0 ? (y > 0.5 ? e : -e) : -INFINITY;
    *s = sqrt(w * pr * (1.0 - pr));
}

LR_CLONES
double crm__lr_rows(const double *restrict eta, const double *restrict y, const double *restrict w,
                    size_t m, double *restrict r, double *restrict s, double *restrict tmp,
                    double *margin)
{
    double *restrict lli = tmp, *restrict mgi = tmp + m;
    /* two loops, not one reading w ? w[i] : 1.0: the compiler would make that
     * a masked load from the null pointer, whose suppressed faults cost a
     * microcode assist per vector on some CPUs */
    if (w)
        for (size_t i = 0; i < m; i++)
            lr_row(eta[i], y[i], w[i], lli + i, r + i, mgi + i, s + i);
    else
        for (size_t i = 0; i < m; i++)
            lr_row(eta[i], y[i], 1.0, lli + i, r + i, mgi + i, s + i);
    /* the sum in lanes; the largest margin (any order gives the same) */
    double ls[LR_LANES] = {0}, ms[LR_LANES];
    for (int l = 0; l < LR_LANES; l++)
        ms[l] = -INFINITY;
    size_t m8 = m / LR_LANES * LR_LANES;
#if defined(__GNUC__)
    lr_v8 vl = LR_V8_ZERO, vm;
    memcpy(&vm, ms, sizeof vm);
    for (size_t i = 0; i < m8; i += LR_LANES) {
        lr_v8 x, li;
        LR_LOAD8(x, mgi + i);
        LR_LOAD8(li, lli + i);
        lr_i8 gt = x > vm, xi, mi;
        memcpy(&xi, &x, sizeof xi);
        memcpy(&mi, &vm, sizeof mi);
        mi = (xi & gt) | (mi & ~gt);
        memcpy(&vm, &mi, sizeof vm);
        vl += li;
    }
    memcpy(ls, &vl, sizeof ls);
    memcpy(ms, &vm, sizeof ms);
#else
    for (size_t i = 0; i < m8; i += LR_LANES)
        for (int l = 0; l < LR_LANES; l++) {
            ls[l] += lli[i + l];
            ms[l] = mgi[i + l] > ms[l] ? mgi[i + l] : ms[l];
        }
#endif
    for (size_t i = m8, l = 0; i < m; i++, l++) {
        ls[l] += lli[i];
        ms[l] = mgi[i] > ms[l] ? mgi[i] : ms[l];
    }
    for (int l = 0; l < LR_LANES; l++)
        if (ms[l] > *margin) *margin = ms[l];
    return lr_lanes_sum(ls);
}

LR_CLONES
void crm__lr_grad(const double *const *cols, size_t off, const double *restrict r, size_t p,
                  size_t m, double *restrict g)
{
    size_t t = 0, m8 = m / LR_LANES * LR_LANES;
    for (; t + 4 <= p; t += 4) {
        const double *restrict c0 = cols[t] + off, *restrict c1 = cols[t + 1] + off,
                               *restrict c2 = cols[t + 2] + off, *restrict c3 = cols[t + 3] + off;
        double a0[LR_LANES] = {0}, a1[LR_LANES] = {0}, a2[LR_LANES] = {0}, a3[LR_LANES] = {0};
#if defined(__GNUC__)
        lr_v8 v0 = LR_V8_ZERO, v1 = LR_V8_ZERO, v2 = LR_V8_ZERO, v3 = LR_V8_ZERO;
        for (size_t i = 0; i < m8; i += LR_LANES) {
            lr_v8 ri, x0, x1, x2, x3;
            LR_LOAD8(ri, r + i);
            LR_LOAD8(x0, c0 + i);
            LR_LOAD8(x1, c1 + i);
            LR_LOAD8(x2, c2 + i);
            LR_LOAD8(x3, c3 + i);
            v0 += x0 * ri;
            v1 += x1 * ri;
            v2 += x2 * ri;
            v3 += x3 * ri;
        }
        memcpy(a0, &v0, sizeof a0);
        memcpy(a1, &v1, sizeof a1);
        memcpy(a2, &v2, sizeof a2);
        memcpy(a3, &v3, sizeof a3);
#else
        for (size_t i = 0; i < m8; i += LR_LANES)
            for (int l = 0; l < LR_LANES; l++) {
                double ri = r[i + l];
                a0[l] += c0[i + l] * ri;
                a1[l] += c1[i + l] * ri;
                a2[l] += c2[i + l] * ri;
                a3[l] += c3[i + l] * ri;
            }
#endif
        for (size_t i = m8, l = 0; i < m; i++, l++) {
            a0[l] += c0[i] * r[i];
            a1[l] += c1[i] * r[i];
            a2[l] += c2[i] * r[i];
            a3[l] += c3[i] * r[i];
        }
        g[t] += lr_lanes_sum(a0);
        g[t + 1] += lr_lanes_sum(a1);
        g[t + 2] += lr_lanes_sum(a2);
        g[t + 3] += lr_lanes_sum(a3);
    }
    for (; t < p; t++) {
        const double *restrict c0 = cols[t] + off;
        double a0[LR_LANES] = {0};
        for (size_t i = 0; i < m8; i += LR_LANES)
            for (int l = 0; l < LR_LANES; l++)
                a0[l] += c0[i + l] * r[i + l];
        for (size_t i = m8, l = 0; i < m; i++, l++)
            a0[l] += c0[i] * r[i];
        g[t] += lr_lanes_sum(a0);
    }
}

LR_CLONES
void crm__lr_scale(const double *const *cols, size_t off, const double *restrict s, size_t p,
                   size_t m, double *X, size_t ld)
{
    /* a column may be scaled in place (X + t ld + off == cols[t] + off) */
    for (size_t t = 0; t < p; t++) {
        const double *src = cols[t] + off;
        double *col = X + t * ld + off;
        for (size_t i = 0; i < m; i++)
            col[i] = src[i] * s[i];
    }
}

LR_CLONES
void crm__lr_scale_f32(const double *const *cols, size_t off, const double *restrict s, size_t p,
                       size_t m, float *restrict X, size_t ld)
{
    for (size_t t = 0; t < p; t++) {
        const double *restrict src = cols[t] + off;
        float *restrict col = X + t * ld + off;
        for (size_t i = 0; i < m; i++)
            col[i] = (float)(src[i] * s[i]);
    }
}
