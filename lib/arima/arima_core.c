/* The ARIMA engine: parameter transforms, stationary initial covariance,
 * the Kalman filter likelihood, CSS, the BFGS optimiser with numerical
 * derivatives, one fit of a fixed order, and forecasts (see crm/arima.h for
 * the semantics, which follow R's stats::arima). */
#include "arima/arima_internal.h"
#include "core/blas.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define LOG_2PI 1.8378770664093454836

/* ---- polynomials ------------------------------------------------------------ */

/* Map unconstrained raw[0..p) to the coefficients of a stationary AR(p):
 * tanh gives partial autocorrelations, Durbin-Levinson turns them into AR
 * coefficients. */
static void ar_from_pacf(int p, const double *raw, double *out)
{
    double work[CRM__ARIMA_MAXORD];
    for (int j = 0; j < p; j++)
        work[j] = out[j] = tanh(raw[j]);
    for (int j = 1; j < p; j++) {
        double a = out[j];
        for (int k = 0; k < j; k++)
            work[k] -= a * out[j - k - 1];
        for (int k = 0; k < j; k++)
            out[k] = work[k];
    }
}

/* Inverse of ar_from_pacf (stationary AR coefficients to raw values). */
static void pacf_from_ar(int p, const double *phi, double *out)
{
    double work[CRM__ARIMA_MAXORD];
    for (int j = 0; j < p; j++)
        work[j] = out[j] = phi[j];
    for (int j = p - 1; j > 0; j--) {
        double a = out[j];
        for (int k = 0; k < j; k++)
            work[k] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
        for (int k = 0; k < j; k++)
            out[k] = work[k];
    }
    for (int j = 0; j < p; j++)
        out[j] = atanh(out[j]);
}

/* Expand (ar, ma, sar, sma) into phi[0..p+s*P) and theta[0..q+s*Q). With
 * trans, the AR parts of par are raw values mapped through ar_from_pacf. */
static void expand_pars(const crm__arima_spec *sp, const double *par, int trans, double *phi,
                        double *theta)
{
    int p = sp->p, q = sp->q, P = sp->P, Q = sp->Q, s = sp->s;
    int rp = p + s * P, rq = q + s * Q;
    double ar[CRM__ARIMA_MAXORD], sar[CRM__ARIMA_MAXORD];
    const double *ma = par + p, *sma = par + p + q + P;
    if (trans) {
        if (p) ar_from_pacf(p, par, ar);
        if (P) ar_from_pacf(P, par + p + q, sar);
    } else {
        memcpy(ar, par, (size_t)p * sizeof *ar);
        memcpy(sar, par + p + q, (size_t)P * sizeof *sar);
    }
    for (int i = 0; i < rp; i++)
        phi[i] = i < p ? ar[i] : 0.0;
    for (int i = 0; i < rq; i++)
        theta[i] = i < q ? ma[i] : 0.0;
    for (int j = 0; j < P; j++) {
        phi[(j + 1) * s - 1] += sar[j];
        for (int i = 0; i < p; i++)
            phi[(j + 1) * s + i] -= ar[i] * sar[j];
    }
    for (int j = 0; j < Q; j++) {
        theta[(j + 1) * s - 1] += sma[j];
        for (int i = 0; i < q; i++)
            theta[(j + 1) * s + i] += ma[i] * sma[j];
    }
}

/* par with its AR parts mapped from raw to coefficients (R's undoPars). */
static void undo_pars(const crm__arima_spec *sp, const double *in, int npar, double *out)
{
    memcpy(out, in, (size_t)npar * sizeof *out);
    if (sp->p) ar_from_pacf(sp->p, in, out);
    if (sp->P) ar_from_pacf(sp->P, in + sp->p + sp->q, out + sp->p + sp->q);
}

/* Jacobian of undo_pars by forward differences (step 1e-3), A[i*npar + j] =
 * d out_j / d in_i, as R's ARIMA_Gradtrans. */
static void grad_trans(const crm__arima_spec *sp, const double *x, int npar, double *A)
{
    const double eps = 1e-3;
    double w1[CRM__ARIMA_MAXORD], w2[CRM__ARIMA_MAXORD], w3[CRM__ARIMA_MAXORD];
    memset(A, 0, (size_t)npar * (size_t)npar * sizeof *A);
    for (int i = 0; i < npar; i++)
        A[i * npar + i] = 1.0;
    int blocks[2][2] = {{0, sp->p}, {sp->p + sp->q, sp->P}};
    for (int b = 0; b < 2; b++) {
        int v = blocks[b][0], m = blocks[b][1];
        if (!m) continue;
        for (int i = 0; i < m; i++)
            w1[i] = x[v + i];
        ar_from_pacf(m, w1, w2);
        for (int i = 0; i < m; i++) {
            w1[i] += eps;
            ar_from_pacf(m, w1, w3);
            for (int j = 0; j < m; j++)
                A[(v + i) * npar + v + j] = (w3[j] - w2[j]) / eps;
            w1[i] -= eps;
        }
    }
}

/* Eigenvalues of the companion matrix of z^m - c[0] z^(m-1) - ... - c[m-1]
 * (upper Hessenberg; LAPACK dhseqr). work: m*m + 2m doubles. Returns 0 on
 * success. The roots of 1 - c[0] z - ... - c[m-1] z^m are 1 / eigenvalue. */
static int companion_eigs(int m, const double *c, double *wr, double *wi, double *work)
{
    double *H = work, *w = work + (size_t)m * (size_t)m;
    memset(H, 0, (size_t)m * (size_t)m * sizeof *H);
    for (int j = 0; j < m; j++)
        H[(size_t)j * (size_t)m] = c[j]; /* first row, column-major */
    for (int i = 1; i < m; i++)
        H[i + (size_t)(i - 1) * (size_t)m] = 1.0;
    lapack_int info =
        LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', m, 1, m, H, m, wr, wi, NULL, 1, w, 2 * m);
    return info != 0;
}

/* Smallest modulus of the roots of 1 - c[0] z - ... - c[m-1] z^m (trailing
 * |c| <= tiny ignored); +Inf when there are none; NaN when the eigenvalue
 * computation fails. */
static double min_root(int m, const double *c, double tiny, double *work)
{
    while (m > 0 && !(fabs(c[m - 1]) > tiny))
        m--;
    if (m == 0) return INFINITY;
    double *wr = work, *wi = work + m;
    if (companion_eigs(m, c, wr, wi, work + 2 * m)) return NAN;
    double best = INFINITY;
    for (int i = 0; i < m; i++) {
        double mod = 1.0 / hypot(wr[i], wi[i]);
        if (mod < best) best = mod;
    }
    return best;
}

double crm__arima_min_root(int m, const double *c, double tiny, double *work)
{
    return min_root(m, c, tiny, work);
}

/* R's arCheck: all roots of 1 - ar1 z - ... outside the unit circle. */
static int ar_check(int p, const double *ar, double *work)
{
    double r = min_root(p, ar, 0.0, work);
    return r > 1.0;
}

/* R's maInvert: reflect the roots of 1 + ma1 z + ... inside the unit circle. */
static void ma_invert(int q, double *ma, double *work)
{
    int q0 = q;
    while (q0 > 0 && ma[q0 - 1] == 0.0)
        q0--;
    if (!q0) return;
    double c[CRM__ARIMA_MAXORD] = {0};
    for (int i = 0; i < q0; i++)
        c[i] = -ma[i];
    double *wr = work, *wi = work + q0;
    if (companion_eigs(q0, c, wr, wi, work + 2 * q0)) return;
    /* eigenvalue lambda = 1/root; root inside <=> |lambda| > 1 */
    int any = 0;
    for (int i = 0; i < q0; i++)
        if (hypot(wr[i], wi[i]) > 1.0) any = 1;
    if (!any) return;
    if (q0 == 1) {
        ma[0] = 1.0 / ma[0];
        return;
    }
    /* rebuild prod (1 - lambda_i z) with lambda_i -> 1/lambda_i when |lambda_i| > 1 */
    double xr[CRM__ARIMA_MAXORD + 1], xi[CRM__ARIMA_MAXORD + 1];
    xr[0] = 1.0;
    xi[0] = 0.0;
    for (int k = 0; k < q0; k++) {
        double lr = wr[k], li = wi[k], m2 = lr * lr + li * li;
        if (sqrt(m2) > 1.0) {
            lr = lr / m2;
            li = -li / m2;
        }
        xr[k + 1] = 0.0;
        xi[k + 1] = 0.0;
        for (int j = k + 1; j >= 1; j--) {
            /* x_j -= lambda * x_{j-1} */
            double ar_ = xr[j - 1], ai = xi[j - 1];
            xr[j] -= lr * ar_ - li * ai;
            xi[j] -= lr * ai + li * ar_;
        }
    }
    for (int i = 0; i < q0; i++)
        ma[i] = xr[i + 1];
}

/* ---- stationary covariance of the ARMA state ------------------------------- */

/* Solve A x = b in place (column-major m x m A, b overwritten by x) by LU with
 * partial pivoting. This runs once per likelihood evaluation on a system of
 * at most p + s*P + 1 equations, where a LAPACK call costs more in thread-pool
 * wake-ups than the elimination itself. Returns 1 when A is singular. */
static int small_solve(int m, double *A, double *b)
{
    for (int k = 0; k < m; k++) {
        int piv = k;
        double best = fabs(A[k + (size_t)k * m]);
        for (int i = k + 1; i < m; i++) {
            double v = fabs(A[i + (size_t)k * m]);
            if (v > best) {
                best = v;
                piv = i;
            }
        }
        if (!(best > 0.0)) return 1;
        if (piv != k) {
            for (int j = 0; j < m; j++) {
                double t = A[k + (size_t)j * m];
                A[k + (size_t)j * m] = A[piv + (size_t)j * m];
                A[piv + (size_t)j * m] = t;
            }
            double t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        double d = A[k + (size_t)k * m];
        for (int i = k + 1; i < m; i++) {
            double f = A[i + (size_t)k * m] / d;
            if (f == 0.0) continue;
            for (int j = k + 1; j < m; j++)
                A[i + (size_t)j * m] -= f * A[k + (size_t)j * m];
            b[i] -= f * b[k];
        }
    }
    for (int i = m - 1; i >= 0; i--) {
        double v = b[i];
        for (int j = i + 1; j < m; j++)
            v -= A[i + (size_t)j * m] * b[j];
        b[i] = v / A[i + (size_t)i * m];
    }
    return 0;
}

/* Covariance (unit innovation variance) of the r-dimensional state of
 * ARMA(phi[0..rp), theta[0..rq)) in the form of the Kalman filter below,
 * written into the top-left r x r block of Pn (leading dimension ld,
 * column-major). work: 4(r+1) + (rp+1)^2 doubles, iwork rp + r + 2 ints. Returns 0, or
 * 1 when the autocovariance system is singular. */
static int stationary_cov(int rp, const double *phi, int rq, const double *theta, int r, double *Pn,
                          int ld, double *work, int *iwork)
{
    if (r == 1) {
        Pn[0] = rp > 0 ? 1.0 / (1.0 - phi[0] * phi[0]) : 1.0;
        return 0;
    }
    double *psi = work, *gam = psi + r + 1, *th = gam + r + 1, *ph = th + r + 1;
    double *A = ph + r + 1;
    /* th[k] = theta_k with theta_0 = 1; ph[k] = phi_k (1-based), zero padded */
    for (int k = 0; k <= r; k++) {
        th[k] = k == 0 ? 1.0 : (k <= rq ? theta[k - 1] : 0.0);
        ph[k] = (k >= 1 && k <= rp) ? phi[k - 1] : 0.0;
    }
    for (int j = 0; j <= r; j++) {
        double v = th[j];
        for (int i = 1; i <= j && i <= rp; i++)
            v += ph[i] * psi[j - i];
        psi[j] = v;
    }
    /* autocovariances gamma(0..r) */
    if (rp == 0) {
        for (int k = 0; k <= r; k++) {
            double v = 0.0;
            for (int j = k; j <= rq; j++)
                v += th[j] * th[j - k];
            gam[k] = v;
        }
    } else {
        int m = rp + 1;
        memset(A, 0, (size_t)m * (size_t)m * sizeof *A);
        for (int k = 0; k < m; k++) {
            A[k + (size_t)k * m] += 1.0;
            for (int i = 1; i <= rp; i++) {
                int c = k - i < 0 ? i - k : k - i;
                A[k + (size_t)c * m] -= ph[i];
            }
            double v = 0.0;
            for (int j = k; j <= rq; j++)
                v += th[j] * psi[j - k];
            gam[k] = v;
        }
        if (small_solve(m, A, gam)) return 1;
        for (int k = m; k <= r; k++) {
            double v = 0.0;
            for (int i = 1; i <= rp; i++)
                v += ph[i] * gam[k - i];
            for (int j = k; j <= rq; j++)
                v += th[j] * psi[j - k];
            gam[k] = v;
        }
        for (int k = 0; k <= r; k++)
            if (!isfinite(gam[k])) return 1;
    }
    /* The nonzero coefficients, ascending: an[] the lags m of ph, tn[] those of
     * th below r. A zero coefficient's term is +-0, which leaves a sum that
     * starts at +0 unchanged, so only these are visited (seasonal models have a
     * handful of nonzero lags among dozens). */
    int *an = iwork, *tn = iwork + rp + 1, na = 0, nt = 0;
    for (int m = 1; m <= rp; m++)
        if (ph[m] != 0.0) an[na++] = m;
    for (int m = 0; m < r; m++)
        if (th[m] != 0.0) tn[nt++] = m;
    /* state i: sum_{j>=1} ph[i+j] y_{t-j} + sum_{j>=0} th[i+j] e_{t-j} */
    for (int i = 0; i < r; i++) {
        for (int k = i; k < r; k++) {
            double v = 0.0;
            /* AR terms of state i (lag j = mj - i) with those of state k (l = ml - k) */
            for (int za = 0; za < na; za++) {
                int mj = an[za];
                if (mj <= i) continue;
                int j = mj - i;
                double fj = ph[mj];
                for (int zb = 0; zb < na; zb++) {
                    int ml = an[zb];
                    if (ml <= k) continue;
                    int l = ml - k;
                    int h = j - l < 0 ? l - j : j - l;
                    v += fj * ph[ml] * gam[h];
                }
                /* E[y_{t-j} e_{t-l}] = psi_{l-j}, l = ml - k from j to r - 1 - k */
                for (int zt = 0; zt < nt; zt++) {
                    int ml = tn[zt];
                    if (ml < k + j) continue;
                    v += fj * th[ml] * psi[ml - k - j];
                }
            }
            for (int zb = 0; zb < na; zb++) {
                int ml = an[zb];
                if (ml <= k) continue;
                int l = ml - k;
                double fl = ph[ml];
                /* th[i + j] for j from l to r - 1 - i */
                for (int zt = 0; zt < nt; zt++) {
                    int m3 = tn[zt];
                    if (m3 < i + l) continue;
                    v += th[m3] * fl * psi[m3 - i - l];
                }
            }
            /* pure MA terms th[i + j] th[k + j], summed from the last lag down */
            double vm = 0.0;
            for (int zt = nt - 1; zt >= 0 && tn[zt] >= k; zt--) {
                int j = tn[zt] - k;
                vm = th[i + j] * th[tn[zt]] + vm;
            }
            v += vm;
            Pn[i + (size_t)k * ld] = v;
            Pn[k + (size_t)i * ld] = v;
        }
    }
    return 0;
}

/* ---- the Kalman filter ------------------------------------------------------- */

/* out[i] = in[i] - M[i] * f for i < n: the covariance update of one column,
 * f = M[j] / gain. (R divides every product M[i] M[j] by the gain; one
 * division per column and a product per entry is several times cheaper and
 * differs from it in the last bit only; the fixed-order parity suite prints
 * how far the fits then are from R's.) The same operations four lanes at a
 * time where AVX is available at run time, two with SSE2: per-lane IEEE
 * arithmetic, so every path gives the same bits. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang_analyzer__)
#define CRM__HAVE_AVX_PATH 1
#include <immintrin.h>
__attribute__((target("avx"))) static void cov_update_avx(double *restrict out,
                                                          const double *restrict in,
                                                          const double *restrict M, double f, int n)
{
    int i = 0;
    __m256d vf = _mm256_set1_pd(f);
    for (; i + 4 <= n; i += 4) {
        __m256d q = _mm256_mul_pd(_mm256_loadu_pd(M + i), vf);
        _mm256_storeu_pd(out + i, _mm256_sub_pd(_mm256_loadu_pd(in + i), q));
    }
    for (; i < n; i++)
        out[i] = in[i] - M[i] * f;
}

/* Whether the CPU has AVX, looked up once. Fits of crm_arima_fit_many run on several
 * threads that may all ask first at the same time: the cache is atomic (relaxed: every
 * thread computes and stores the same value), not a plain static, which was a data race. */
static int have_avx(void)
{
    static atomic_int cached = -1;
    int v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (v < 0) {
        v = __builtin_cpu_supports("avx") ? 1 : 0;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return v;
}
#endif

static inline void cov_update(double *restrict out, const double *restrict in,
                              const double *restrict M, double f, int n)
{
    int i = 0;
#if defined(CRM__HAVE_AVX_PATH)
    if (n >= 8 && have_avx()) {
        cov_update_avx(out, in, M, f, n);
        return;
    }
#endif
#if defined(__SSE2__)
    __m128d vf = _mm_set1_pd(f);
    for (; i + 2 <= n; i += 2) {
        __m128d q = _mm_mul_pd(_mm_loadu_pd(M + i), vf);
        _mm_storeu_pd(out + i, _mm_sub_pd(_mm_loadu_pd(in + i), q));
    }
#endif
    for (; i < n; i++)
        out[i] = in[i] - M[i] * f;
}

/* Relative tolerance of the tolerance-based steady-state switch of kf_run. */
#define CRM_ARIMA_KF_STEADY_TOL 1e-9

/* Whether the covariances P and Q (n entries) agree to within bound in every
 * entry (stops at the first entry that does not). */
static int cov_close(const double *P, const double *Q, size_t n, double bound)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(P[i] - Q[i]) <= bound)) return 0;
    return 1;
}

/* Copy n doubles between buffers that do not overlap; inlined, for the short
 * rows and columns of the filter where a library call costs more than the copy. */
static inline void copy_short(double *restrict dst, const double *restrict src, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] = src[i];
}

/* Column j of T P, T the transition matrix (AR companion block of size r,
 * differencing block of size d; pnz lists the nonzero AR coefficients of the
 * first r-1 rows, whose other rows are shifts: adding a zero term changes no
 * bits). */
static inline void t_col(const double *P, double *restrict out, int j, int r, int rd, int d,
                         const double *phi, int p, const int *pnz, int npz, const double *delta,
                         const int *dnz, int nzd)
{
    const double *Pj = P + (size_t)rd * (size_t)j;
    double p0 = Pj[0];
    copy_short(out, Pj + 1, r - 1);
    for (int z = 0; z < npz; z++) {
        int i = pnz[z];
        out[i] = Pj[i + 1] + phi[i] * p0;
    }
    out[r - 1] = r - 1 < p ? phi[r - 1] * p0 : 0.0;
    double tmp = p0;
    for (int z = 0; z < nzd; z++) {
        int kk = dnz[z];
        tmp += delta[kk] * Pj[r + kk];
    }
    out[r] = tmp;
    copy_short(out + r + 1, Pj + r, d - 1);
}

/* out = f * mm + (column j of T P), entry by entry, the same bits as forming the
 * column with t_col first and then adding: the column is never stored and read
 * back (a store of a short memmove followed at once by vector loads of the same
 * bytes stalls on store forwarding). */
static inline void t_col_axpy(const double *P, double *restrict out, double f,
                              const double *restrict mm, int j, int r, int rd, const double *phi,
                              int p, const int *pnz, int npz, const double *delta, const int *dnz,
                              int nzd)
{
    const double *Pj = P + (size_t)rd * (size_t)j;
    double p0 = Pj[0];
    for (int x = 0; x < r - 1; x++)
        out[x] = f * mm[x] + Pj[x + 1];
    for (int z = 0; z < npz; z++) {
        int i = pnz[z];
        double t = Pj[i + 1] + phi[i] * p0;
        out[i] = f * mm[i] + t;
    }
    out[r - 1] = f * mm[r - 1] + (r - 1 < p ? phi[r - 1] * p0 : 0.0);
    double tmp = p0;
    for (int z = 0; z < nzd; z++) {
        int kk = dnz[z];
        tmp += delta[kk] * Pj[r + kk];
    }
    out[r] = f * mm[r] + tmp;
    for (int x = r + 1; x < rd; x++)
        out[x] = f * mm[x] + Pj[x - 1];
}

typedef struct kf_work {
    int rp, rq, r, nd, rd;
    int nzd;      /* nonzero entries of delta */
    int *dnz;     /* their indices (nd ints) */
    int *pnz;     /* scratch for the indices of the nonzero AR coefficients (rp ints) */
    int *tnz;     /* scratch for the indices of the nonzero MA coefficients (rq + 1 ints) */
    double *tval; /* and their values (rq + 1 doubles) */
    double *phi, *theta, *delta;
    double *a, *anew, *M, *P, *Pnew, *mm;
    double *Pcopy; /* rd*rd: second buffer for P (the previous one, steady-state test) */
    double *cov_work;
    int *cov_iwork; /* rp + r + 2 ints for stationary_cov */
} kf_work;

/* Set the initial state: a = 0, Pnew = [Q0 0; 0 kappa I]. Returns 0, or 1
 * when the stationary covariance cannot be computed. */
static int kf_init(kf_work *k, double kappa)
{
    int rd = k->rd;
    memset(k->a, 0, (size_t)rd * sizeof *k->a);
    memset(k->Pnew, 0, (size_t)rd * (size_t)rd * sizeof *k->Pnew);
    if (stationary_cov(k->rp, k->phi, k->rq, k->theta, k->r, k->Pnew, rd, k->cov_work,
                       k->cov_iwork))
        return 1;
    for (int i = 0; i < k->nd; i++)
        k->Pnew[(size_t)(k->r + i) * (size_t)(rd + 1)] = kappa;
    return 0;
}

/* Collect the indices of the nonzero AR coefficients of the shift rows in
 * k->pnz (seasonal models have few) and the nonzero MA coefficients, theta_0 = 1
 * first, in k->tnz and k->tval; their counts go to *npz and *ntz. */
static void kf_nonzeros(kf_work *k, int *npz, int *ntz)
{
    int r = k->r, p = k->rp, q = k->rq;
    const double *phi = k->phi, *theta = k->theta;
    *npz = 0;
    for (int i = 0; i < p && i < r - 1; i++)
        if (phi[i] != 0.0) k->pnz[(*npz)++] = i;
    *ntz = 0;
    for (int i = 0; i <= q; i++) {
        double v = i == 0 ? 1.0 : theta[i - 1];
        if (v != 0.0) {
            k->tnz[*ntz] = i;
            k->tval[(*ntz)++] = v;
        }
    }
}

/* Predicted state anew = T a. */
static inline void kf_predict_state(const kf_work *k, const double *a, double *anew)
{
    int r = k->r, rd = k->rd, p = k->rp, d = k->nd;
    const double *phi = k->phi, *delta = k->delta;
    for (int i = 0; i < r; i++) {
        double tmp = (i < r - 1) ? a[i + 1] : 0.0;
        if (i < p) tmp += phi[i] * a[0];
        anew[i] = tmp;
    }
    if (d > 0) {
        for (int i = r + 1; i < rd; i++)
            anew[i] = a[i - 1];
        double tmp = a[0];
        for (int i = 0; i < d; i++)
            tmp += delta[i] * a[r + i];
        anew[r] = tmp;
    }
}

/* Predicted covariance Pnew = T P T' + theta theta' without differencing
 * (r x r), entry by entry. */
static inline void kf_predict_cov_arma(const kf_work *k, const double *P, double *Pnew)
{
    int r = k->r, p = k->rp, q = k->rq;
    const double *phi = k->phi, *theta = k->theta;
    for (int i = 0; i < r; i++) {
        double vi = i == 0 ? 1.0 : (i - 1 < q ? theta[i - 1] : 0.0);
        for (int j = 0; j < r; j++) {
            double tmp = j == 0 ? vi : (j - 1 < q ? vi * theta[j - 1] : 0.0);
            if (i < p && j < p) tmp += phi[i] * phi[j] * P[0];
            if (i < r - 1 && j < r - 1) tmp += P[i + 1 + r * (j + 1)];
            if (i < p && j < r - 1) tmp += phi[i] * P[j + 1];
            if (j < p && i < r - 1) tmp += phi[j] * P[i + 1];
            Pnew[i + r * j] = tmp;
        }
    }
}

/* Predicted covariance Pnew = T P T' + theta theta' with differencing (rd x
 * rd), column by column: column i of Pnew is T times one column of P (times a
 * shift of T'), so a column that is a plain shift is computed in place rather
 * than through mm and copied; mm holds only the columns of T P that are
 * combined (column 0, the AR columns, the last differencing column). npz and
 * ntz: the counts of kf_nonzeros. */
static inline void kf_predict_cov_diff(const kf_work *k, const double *P, double *Pnew, int npz,
                                       int ntz)
{
    int r = k->r, rd = k->rd, p = k->rp, d = k->nd;
    const double *phi = k->phi, *delta = k->delta;
    const int *pnz = k->pnz, *tnz = k->tnz;
    const double *tval = k->tval;
    double *mm = k->mm;
    t_col(P, mm, 0, r, rd, d, phi, p, pnz, npz, delta, k->dnz, k->nzd);
    for (int i = 1; i < d; i++)
        t_col(P, Pnew + (size_t)rd * (r + i), r + i - 1, r, rd, d, phi, p, pnz, npz, delta, k->dnz,
              k->nzd);
    for (int i = 0; i < r; i++) {
        double *Pi = Pnew + (size_t)rd * i;
        if (i < p && phi[i] != 0.0) {
            double f = phi[i];
            if (i < r - 1) {
                t_col_axpy(P, Pi, f, mm, i + 1, r, rd, phi, p, pnz, npz, delta, k->dnz, k->nzd);
            } else {
                for (int j = 0; j < rd; j++)
                    Pi[j] = f * mm[j];
            }
        } else if (i < r - 1) {
            t_col(P, Pi, i + 1, r, rd, d, phi, p, pnz, npz, delta, k->dnz, k->nzd);
        } else {
            memset(Pi, 0, (size_t)rd * sizeof *Pi);
        }
    }
    double *Pr = Pnew + (size_t)rd * r;
    for (int j = 0; j < rd; j++)
        Pr[j] = mm[j];
    for (int z = 0; z < k->nzd; z++) {
        int kk = k->dnz[z];
        /* column r+kk of T P: already in Pnew (column r+kk+1) unless it is the last one */
        const double *mk;
        if (kk + 1 < d) {
            mk = Pnew + (size_t)rd * (r + kk + 1);
        } else {
            double *t = mm + (size_t)rd * (r + kk);
            t_col(P, t, r + kk, r, rd, d, phi, p, pnz, npz, delta, k->dnz, k->nzd);
            mk = t;
        }
        double dk = delta[kk];
        for (int j = 0; j < rd; j++)
            Pr[j] += dk * mk[j];
    }
    /* + theta theta' (theta_0 = 1); zero coefficients add nothing */
    for (int zj = 0; zj < ntz; zj++) {
        int j = tnz[zj];
        double vj = tval[zj];
        double *Pj = Pnew + (size_t)rd * (size_t)j;
        for (int zi = 0; zi < ntz; zi++)
            Pj[tnz[zi]] += tval[zi] * vj;
    }
}

/* Prediction variance gain = Z' Pnew Z and M = Pnew Z (k->M), Z = (1, 0..., delta). */
static inline double kf_gain(const kf_work *k, const double *Pnew)
{
    int r = k->r, rd = k->rd, d = k->nd;
    const double *delta = k->delta;
    double *M = k->M;
    /* accumulated as P00 + delta' (column 0) + delta' M */
    double gain = Pnew[0];
    for (int i = 0; i < d; i++)
        gain += delta[i] * Pnew[r + i];
    /* zero entries of delta add nothing and are skipped */
    copy_short(M, Pnew, rd);
    for (int z = 0; z < k->nzd; z++) {
        int kk = k->dnz[z];
        const double *col = Pnew + (size_t)rd * (r + kk);
        double dk = delta[kk];
        for (int i = 0; i < rd; i++)
            M[i] += col[i] * dk;
    }
    for (int i = 0; i < d; i++)
        gain += delta[i] * M[r + i];
    return gain;
}

/* Filtered covariance P = Pnew - M M' / gain. */
static inline void kf_update_cov(const kf_work *k, double *P, const double *Pnew, double gain)
{
    int rd = k->rd, p = k->rp, d = k->nd;
    const double *M = k->M;
    if (p == 0 || (d == 0 && p == 1)) {
        /* Without AR terms (or with one and no differencing) every Pnew is
         * exactly symmetric (the same products and sums in the same order on
         * both sides), so the upper triangle is computed and mirrored: the same
         * bits. */
        for (int j = 0; j < rd; j++)
            cov_update(P + (size_t)rd * j, Pnew + (size_t)rd * j, M, M[j] / gain, j + 1);
        for (int j = 0; j < rd; j++)
            for (int i = 0; i < j; i++)
                P[j + (size_t)rd * i] = P[i + (size_t)rd * j];
    } else {
        for (int j = 0; j < rd; j++)
            cov_update(P + (size_t)rd * j, Pnew + (size_t)rd * j, M, M[j] / gain, rd);
    }
}

/* Run the filter over y[0..n) (R's ARIMA_Like, prediction variance of the
 * first observation from Pnew as set by kf_init). Sums over observations
 * with prediction variance < 1e4. resid (n, optional) gets the
 * standardised innovations. On return a and P hold the filtered state. */
static void kf_run(kf_work *kw, const double *y, int n, double *ssq_out, double *sumlog_out,
                   int *nu_out, double *resid)
{
    /* The steps read the dimensions and arrays from this local copy, which no
     * call in the loop (log, cov_update, memcpy) can change, so the compiler
     * keeps them at hand; read through kw, the split filter measured about 12%
     * slower on the airline fit of bench/arima.c. */
    const kf_work kl = *kw, *k = &kl;
    int r = k->r, rd = k->rd, d = k->nd;
    const double *delta = k->delta;
    double *a = k->a, *anew = k->anew, *M = k->M, *P = k->P, *Pnew = k->Pnew;
    double *Pold = k->Pcopy; /* the previous P, kept by swapping buffers instead of copying */
    double ssq = 0.0, sumlog = 0.0;
    int nu = 0;
    /* Steady state, bit for bit: once the filtered covariance P comes out of a
     * step with exactly the bits it went in with, every later step (until a
     * missing value) would recompute the same Pnew, M, gain and P, so they are
     * reused instead. The previous P is kept (in the other buffer) only when
     * two successive gains are equal, which happens only near convergence.
     * With MA terms the covariance approaches its fixed point only
     * geometrically and seldom repeats bit for bit; there the switch is taken
     * once two successive gains agree to CRM_ARIMA_KF_STEADY_TOL (relative)
     * and then two successive filtered covariances agree entry by entry to
     * that tolerance times the gain. Without MA terms the rule stays exact.
     * (This bookkeeping stays inline in plain variables: as a struct updated
     * by a helper the filter measured a few percent slower.) */
    int steady = 0, have_copy = 0;
    double gain_s = 0.0, last_gain = NAN;
    const double tol = k->rq > 0 ? CRM_ARIMA_KF_STEADY_TOL : 0.0;
    const size_t rdd = (size_t)rd * (size_t)rd;
    int npz, ntz;
    kf_nonzeros(kw, &npz, &ntz);
    for (int l = 0; l < n; l++) {
        kf_predict_state(k, a, anew);
        if (l > 0 && !steady) {
            if (d == 0)
                kf_predict_cov_arma(k, P, Pnew);
            else
                kf_predict_cov_diff(k, P, Pnew, npz, ntz);
        }
        if (!isnan(y[l])) {
            double resid0 = y[l] - anew[0];
            for (int i = 0; i < d; i++)
                resid0 -= delta[i] * anew[r + i];
            double gain = steady ? gain_s : kf_gain(k, Pnew);
            if (gain < 1e4) {
                nu++;
                ssq += resid0 * resid0 / gain;
                sumlog += log(gain);
            }
            if (resid) resid[l] = resid0 / sqrt(gain);
            for (int i = 0; i < rd; i++)
                a[i] = anew[i] + M[i] * resid0 / gain;
            if (!steady && have_copy) {
                /* keep the previous P for the steady-state test: write the new one
                 * into the other buffer (the update reads Pnew and M only) */
                double *t = P;
                P = Pold;
                Pold = t;
            }
            /* once steady, P, M and gain are those of the previous step */
            if (!steady) kf_update_cov(k, P, Pnew, gain);
            if (!steady && l > 0) {
                if (have_copy && (tol == 0.0 ? memcmp(P, Pold, rdd * sizeof *P) == 0
                                             : cov_close(P, Pold, rdd, tol * gain))) {
                    steady = 1;
                } else if (gain == last_gain || fabs(gain - last_gain) <= tol * gain) {
                    have_copy = 1;
                } else {
                    have_copy = 0;
                }
                last_gain = gain;
                gain_s = gain;
            }
        } else {
            memcpy(a, anew, (size_t)rd * sizeof *a);
            memcpy(P, Pnew, rdd * sizeof *P);
            if (resid) resid[l] = NAN;
            steady = 0;
            have_copy = 0;
            last_gain = NAN;
        }
    }
    *ssq_out = ssq;
    *sumlog_out = sumlog;
    if (P != kw->P) memcpy(kw->P, P, rdd * sizeof *P);
    *nu_out = nu;
}

/* ---- conditional sum of squares --------------------------------------------- */

/* R's ARIMA_CSS: mean of squared residuals after conditioning on ncond
 * observations. w and res: n doubles of scratch (res gets the residuals). */
static double css_value(const crm__arima_spec *sp, const double *y, int n, int ncond,
                        const double *phi, int rp, const double *theta, int rq, double *w,
                        double *res)
{
    memcpy(w, y, (size_t)n * sizeof *w);
    for (int i = 0; i < sp->d; i++)
        for (int l = n - 1; l > 0; l--)
            w[l] -= w[l - 1];
    for (int i = 0; i < sp->D; i++)
        for (int l = n - 1; l >= sp->s; l--)
            w[l] -= w[l - sp->s];
    double ssq = 0.0;
    int nu = 0;
    for (int l = 0; l < ncond && l < n; l++)
        res[l] = 0.0;
    for (int l = ncond; l < n; l++) {
        double tmp = w[l];
        for (int j = 0; j < rp; j++)
            tmp -= phi[j] * w[l - j - 1];
        int jm = l - ncond < rq ? l - ncond : rq;
        for (int j = 0; j < jm; j++)
            tmp -= theta[j] * res[l - j - 1];
        res[l] = tmp;
        if (!isnan(tmp)) {
            nu++;
            ssq += tmp * tmp;
        }
    }
    return ssq / (double)nu;
}

/* ---- objective ------------------------------------------------------------------ */

typedef struct objective {
    const crm__arima_spec *sp;
    const double *y; /* series */
    int n;
    int npar, narma;
    const double *xreg; /* n values of the regressor, or NULL */
    double *coef;       /* full parameter vector; free entries overwritten */
    const int *mask;
    int css;   /* 1: CSS objective */
    int trans; /* ML: raw AR parameters */
    int ncond;
    kf_work kf;
    double *yw;      /* n: series minus regression */
    double *w1, *w2; /* n scratch each */
    /* optimiser scaling */
    const double *parscale;
    int nfree;
    double *xfull; /* nfree scratch */
} objective;

static const double *series_minus_xreg(objective *o, const double *par)
{
    if (!o->xreg) return o->y;
    double b = par[o->narma];
    for (int i = 0; i < o->n; i++)
        o->yw[i] = o->y[i] - o->xreg[i] * b;
    return o->yw;
}

/* Objective at the full parameter vector par. */
static double objective_full(objective *o, const double *par)
{
    const crm__arima_spec *sp = o->sp;
    kf_work *k = &o->kf;
    if (o->css) {
        expand_pars(sp, par, 0, k->phi, k->theta);
        const double *x = series_minus_xreg(o, par);
        double v = css_value(sp, x, o->n, o->ncond, k->phi, k->rp, k->theta, k->rq, o->w1, o->w2);
        return 0.5 * log(v);
    }
    expand_pars(sp, par, o->trans, k->phi, k->theta);
    if (kf_init(k, sp->kappa)) return DBL_MAX;
    const double *x = series_minus_xreg(o, par);
    double ssq, sumlog;
    int nu;
    kf_run(k, x, o->n, &ssq, &sumlog, &nu, NULL);
    double s2 = ssq / nu;
    return 0.5 * (log(s2) + sumlog / nu);
}

/* Objective at scaled free parameters z (x = z * parscale), as optim's fminfn. */
static double fn_scaled(objective *o, const double *z)
{
    int j = 0;
    for (int i = 0; i < o->npar; i++)
        if (o->mask[i]) {
            o->coef[i] = z[j] * o->parscale[j];
            j++;
        }
    return objective_full(o, o->coef);
}

/* Central-difference gradient in the scaled parameters (optim's fmingr).
 * Returns 0, or 1 when a difference is not finite. */
static int gr_scaled(objective *o, const double *z, double *g)
{
    int m = o->nfree;
    double *x = o->xfull;
    memcpy(x, z, (size_t)m * sizeof *x);
    for (int i = 0; i < m; i++) {
        const double eps = 1e-3;
        x[i] = z[i] + eps;
        double v1 = fn_scaled(o, x);
        x[i] = z[i] - eps;
        double v2 = fn_scaled(o, x);
        g[i] = (v1 - v2) / (2 * eps);
        if (!isfinite(g[i])) return 1;
        x[i] = z[i];
    }
    return 0;
}

/* ---- BFGS (variable metric, the algorithm of R's optim "BFGS") ------------------ */

typedef struct bfgs_result {
    double fmin;
    int fail;  /* 0 converged, 1 iteration limit */
    int error; /* 1 initial value not finite, 2 gradient not finite */
    int grcount;
} bfgs_result;

/* Minimise over b[0..n) (scaled). work: n*n + 4n doubles. */
static bfgs_result bfgs(objective *o, double *b, int n, int maxit, double reltol, double *work)
{
    const double stepredn = 0.2, acctol = 0.0001, reltest = 10.0, abstol = -INFINITY;
    bfgs_result res = {0.0, 0, 0, 0};
    double *g = work, *t = g + n, *X = t + n, *c = X + n, *B = c + n; /* B lower triangle */
    if (maxit <= 0) {
        res.fmin = fn_scaled(o, b);
        return res;
    }
    double f = fn_scaled(o, b);
    if (!isfinite(f)) {
        res.error = 1;
        return res;
    }
    double fmin = f;
    int gradcount = 1, iter = 1;
    if (gr_scaled(o, b, g)) {
        res.error = 2;
        return res;
    }
    int ilast = gradcount, count;
    do {
        if (ilast == gradcount) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++)
                    B[i * n + j] = 0.0;
                B[i * n + i] = 1.0;
            }
        }
        for (int i = 0; i < n; i++) {
            X[i] = b[i];
            c[i] = g[i];
        }
        double gradproj = 0.0;
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (int j = 0; j <= i; j++)
                s -= B[i * n + j] * g[j];
            for (int j = i + 1; j < n; j++)
                s -= B[j * n + i] * g[j];
            t[i] = s;
            gradproj += s * g[i];
        }
        if (gradproj < 0.0) {
            double steplength = 1.0;
            int accpoint = 0;
            do {
                count = 0;
                for (int i = 0; i < n; i++) {
                    b[i] = X[i] + steplength * t[i];
                    if (reltest + X[i] == reltest + b[i]) count++;
                }
                if (count < n) {
                    f = fn_scaled(o, b);
                    accpoint = isfinite(f) && (f <= fmin + gradproj * steplength * acctol);
                    if (!accpoint) steplength *= stepredn;
                }
            } while (!(count == n || accpoint));
            int enough = (f > abstol) && fabs(f - fmin) > reltol * (fabs(fmin) + reltol);
            if (!enough) {
                count = n;
                fmin = f;
            }
            if (count < n) {
                fmin = f;
                if (gr_scaled(o, b, g)) {
                    res.error = 2;
                    return res;
                }
                gradcount++;
                iter++;
                double D1 = 0.0;
                for (int i = 0; i < n; i++) {
                    t[i] = steplength * t[i];
                    c[i] = g[i] - c[i];
                    D1 += t[i] * c[i];
                }
                if (D1 > 0) {
                    double D2 = 0.0;
                    for (int i = 0; i < n; i++) {
                        double s = 0.0;
                        for (int j = 0; j <= i; j++)
                            s += B[i * n + j] * c[j];
                        for (int j = i + 1; j < n; j++)
                            s += B[j * n + i] * c[j];
                        X[i] = s;
                        D2 += s * c[i];
                    }
                    D2 = 1.0 + D2 / D1;
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j <= i; j++)
                            B[i * n + j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1;
                } else {
                    ilast = gradcount;
                }
            } else {
                if (ilast < gradcount) {
                    count = 0;
                    ilast = gradcount;
                }
            }
        } else {
            count = 0;
            if (ilast == gradcount)
                count = n;
            else
                ilast = gradcount;
        }
        if (iter >= maxit) break;
        if (gradcount - ilast > 2 * n) ilast = gradcount;
    } while (count != n || ilast != gradcount);
    res.fmin = fmin;
    res.fail = iter < maxit ? 0 : 1;
    res.grcount = gradcount;
    return res;
}

/* Hessian in the unscaled parameters at x (optim's optimhess): central
 * differences of the scaled gradient. H: n*n row-major. work: 3n doubles.
 * Returns 0, or 1 when a gradient is not finite. */
static int hessian(objective *o, const double *x, int n, double *H, double *work)
{
    double *dpar = work, *df1 = dpar + n, *df2 = df1 + n;
    for (int i = 0; i < n; i++)
        dpar[i] = x[i] / o->parscale[i];
    for (int i = 0; i < n; i++) {
        double eps = 1e-3 / o->parscale[i];
        dpar[i] += eps;
        if (gr_scaled(o, dpar, df1)) return 1;
        dpar[i] -= 2 * eps;
        if (gr_scaled(o, dpar, df2)) return 1;
        for (int j = 0; j < n; j++)
            H[i * n + j] = (df1[j] - df2[j]) / (2 * eps * o->parscale[i] * o->parscale[j]);
        dpar[i] += eps;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            double tmp = 0.5 * (H[i * n + j] + H[j * n + i]);
            H[i * n + j] = H[j * n + i] = tmp;
        }
    return 0;
}

/* X = solve(H, B) for n x n H and n x m B (row-major, overwritten: B gets X),
 * refusing (return 1) singular or computationally singular systems
 * (reciprocal condition number below DBL_EPSILON), as R's solve(). work: n*n
 * + 4n doubles, iwork 2n. */
static int solve_checked(int n, int m, const double *H, double *B, double *work, lapack_int *iwork)
{
    double *A = work, *w = work + (size_t)n * n;
    /* column-major copy of H */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            A[i + (size_t)j * n] = H[i * n + j];
    double anorm = 0.0;
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += fabs(A[i + (size_t)j * n]);
        if (s > anorm || isnan(s)) anorm = s;
    }
    if (!isfinite(anorm)) return 1;
    lapack_int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, A, n, iwork);
    if (info != 0) return 1;
    double rcond = 0.0;
    info = LAPACKE_dgecon_work(LAPACK_COL_MAJOR, '1', n, A, n, anorm, &rcond, w, iwork + n);
    if (info != 0 || !(rcond >= DBL_EPSILON)) return 1;
    /* B row-major n x m == column-major m x n transposed; solve column by column */
    double *col = w;
    for (int k = 0; k < m; k++) {
        for (int i = 0; i < n; i++)
            col[i] = B[i * m + k];
        info = LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', n, 1, A, n, iwork, col, n);
        if (info != 0) return 1;
        for (int i = 0; i < n; i++)
            B[i * m + k] = col[i];
    }
    return 0;
}

/* ---- the fit ----------------------------------------------------------------------- */

void crm__arima_result_free(crm__arima_result *r)
{
    if (!r) return;
    crm__free(r->coef);
    crm__free(r->var);
    crm__free(r->mask);
    crm__free(r->resid);
    crm__free(r->phi);
    crm__free(r->theta);
    crm__free(r->delta);
    crm__free(r->a);
    crm__free(r->P);
    memset(r, 0, sizeof *r);
}

/* Coefficients of prod (1-B)^d (1-B^s)^D = 1 - delta_1 B - ...: delta[0..nd). */
static void diff_poly(int d, int D, int s, double *delta)
{
    double poly[2 * CRM__ARIMA_MAXORD + 8];
    int len = 1;
    poly[0] = 1.0;
    for (int i = 0; i < d + D; i++) {
        int lag = i < d ? 1 : s;
        for (int j = len; j < len + lag; j++)
            poly[j] = 0.0;
        for (int j = len + lag - 1; j >= lag; j--)
            poly[j] -= poly[j - lag];
        len += lag;
    }
    for (int i = 1; i < len; i++)
        delta[i - 1] = -poly[i];
}

/* Least-squares slope of dy on dz (no intercept) and its standard error;
 * pairs with a NaN are skipped. Returns the number of pairs used. */
static int ls_slope(const double *dy, const double *dz, int m, double *beta, double *se)
{
    double szz = 0.0, szy = 0.0;
    int k = 0;
    for (int i = 0; i < m; i++) {
        if (isnan(dy[i]) || isnan(dz[i])) continue;
        szz += dz[i] * dz[i];
        szy += dz[i] * dy[i];
        k++;
    }
    if (k == 0 || szz == 0.0) {
        *beta = NAN;
        *se = NAN;
        return 0;
    }
    double b = szy / szz, rss = 0.0;
    for (int i = 0; i < m; i++) {
        if (isnan(dy[i]) || isnan(dz[i])) continue;
        double e = dy[i] - b * dz[i];
        rss += e * e;
    }
    *beta = b;
    *se = k > 1 ? sqrt(rss / (k - 1) / szz) : NAN;
    return k;
}

static void diff_inplace(double *v, int *m, int lag)
{
    for (int i = 0; i + lag < *m; i++)
        v[i] = v[i + lag] - v[i];
    *m -= lag;
    if (*m < 0) *m = 0;
}

static const char *method_name(int method)
{
    return method == CRM_ARIMA_ML ? "ML" : method == CRM_ARIMA_CSS ? "CSS" : "CSS-ML";
}

/* Ljung-Box test of the residuals (missing ones dropped) with
 * forecast::checkresiduals' lag rule. x: n doubles of scratch. */
static void ljung_box(crm__arima_result *r, const crm__arima_spec *sp, double *x)
{
    int n = r->n, m = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(r->resid[i])) x[m++] = r->resid[i];
    int df = sp->p + sp->q + sp->P + sp->Q;
    int lag = sp->s > 1 ? 2 * sp->s : 10;
    int n5 = (int)nearbyint((double)n / 5.0);
    if (n5 < lag) lag = n5;
    if (lag < df + 3) lag = df + 3;
    r->lb_lag = lag;
    r->lb_df = lag - df;
    r->ljung_box = NAN;
    r->ljung_box_p = NAN;
    if (m < 2) return;
    double mean = 0.0;
    for (int i = 0; i < m; i++)
        mean += x[i];
    mean /= m;
    double c0 = 0.0;
    for (int i = 0; i < m; i++) {
        x[i] -= mean;
        c0 += x[i] * x[i];
    }
    if (!(c0 > 0)) return;
    double q = 0.0;
    for (int k = 1; k <= lag && k < m; k++) {
        double ck = 0.0;
        for (int i = 0; i + k < m; i++)
            ck += x[i] * x[i + k];
        double rk = ck / c0;
        q += rk * rk / (double)(m - k);
    }
    q *= (double)m * (m + 2);
    r->ljung_box = q;
    r->ljung_box_p = r->lb_df > 0 ? crm__chisq_upper(q, r->lb_df) : NAN;
}

/* One fit in progress: its dimensions, the objective and the workspace
 * (carved out of one allocation by fit_alloc). */
typedef struct fit_ctx {
    crm__arima_spec sp;
    int p, q, P, Q, s;
    int narma, npar, rp, rq, r, nd, rd;
    int method; /* CSS-ML becomes ML with missing values */
    int ncond, n_used;
    objective o;
    double *work;
    lapack_int *iwork;
    int *dnz;
    size_t opt_need;
    double *xreg, *eigw, *init, *parscale, *ps_free, *zfree, *xfree;
    double *bfgs_work, *H, *A, *solve_work;
    lapack_int *solve_iwork;
    int nfree, no_optim, transform;
    bfgs_result br;
    int hess_bad;
    double value; /* the objective at the estimates */
} fit_ctx;

/* Dimensions, method and conditioning of spec on y[0..n); refuses a series
 * with too few observations for the model. */
static crm_status fit_plan(fit_ctx *c, const double *y, int n, const crm__arima_spec *spec)
{
    memset(c, 0, sizeof *c);
    c->sp = *spec;
    const crm__arima_spec *sp = &c->sp;
    int p = c->p = sp->p, q = c->q = sp->q, P = c->P = sp->P, Q = c->Q = sp->Q, s = c->s = sp->s;
    c->narma = p + q + P + Q;
    c->npar = c->narma + (sp->xreg != CRM__XREG_NONE);
    c->rp = p + s * P;
    c->rq = q + s * Q;
    c->r = c->rp > c->rq + 1 ? c->rp : c->rq + 1;
    c->nd = sp->d + s * sp->D;
    c->rd = c->r + c->nd;
    int method = sp->method;
    int anyna = 0, nobs = 0;
    for (int i = 0; i < n; i++) {
        if (isnan(y[i]))
            anyna = 1;
        else
            nobs++;
    }
    if (method == CRM_ARIMA_CSS_ML && anyna) method = CRM_ARIMA_ML;
    c->method = method;
    c->ncond = 0;
    if (method != CRM_ARIMA_ML) c->ncond = sp->d + sp->D * s + p + s * P;
    c->n_used = nobs - c->nd;
    if (c->n_used <= 0 || (method != CRM_ARIMA_ML && n <= c->ncond))
        return crm__error(CRM_E_INVALID,
                          "ARIMA(%d,%d,%d)(%d,%d,%d)[%d]: too few observations (%d; the model "
                          "needs more than %d)",
                          p, sp->d, q, P, sp->D, Q, s, nobs,
                          method != CRM_ARIMA_ML ? c->ncond : c->nd);
    return CRM_OK;
}

/* Point the filter's and the optimiser's arrays into c->work (sizes as
 * counted by fit_alloc; cov_need and eig_need as there). */
static void fit_carve(fit_ctx *c, crm__arima_result *out, int n, size_t cov_need, size_t eig_need)
{
    size_t nn = (size_t)n, rdd = (size_t)c->rd * (size_t)c->rd, np = (size_t)c->npar;
    size_t rd = (size_t)c->rd, opt_need = c->opt_need;
    kf_work *k = &c->o.kf;
    double *wp = c->work;
    k->rp = c->rp;
    k->rq = c->rq;
    k->r = c->r;
    k->nd = c->nd;
    k->rd = c->rd;
    k->phi = out->phi;
    k->theta = out->theta;
    k->delta = out->delta;
    k->a = out->a;
    k->P = wp;
    k->Pnew = wp + rdd;
    k->mm = wp + 2 * rdd;
    k->Pcopy = wp + 3 * rdd;
    wp += 4 * rdd;
    k->anew = wp;
    k->M = wp + rd;
    wp += 4 * rd;
    k->cov_work = wp;
    wp += cov_need;
    k->tval = wp;
    wp += (size_t)c->rq + 1;
    c->o.yw = wp;
    c->o.w1 = wp + nn;
    c->o.w2 = wp + 2 * nn;
    c->xreg = wp + 3 * nn;
    wp += 4 * nn + (size_t)c->rp + (size_t)c->rq + (size_t)c->nd;
    c->eigw = wp;
    wp += eig_need;
    c->init = wp;
    c->parscale = wp + np;
    c->zfree = wp + 2 * np;
    c->xfree = wp + 3 * np;
    c->o.xfull = wp + 4 * np;
    wp += 5 * np;
    c->bfgs_work = wp;
    c->H = wp + opt_need;
    c->A = wp + 2 * opt_need;
    c->solve_work = wp + 3 * opt_need;
    c->ps_free = wp + 5 * opt_need;
    c->solve_iwork = c->iwork + c->rp + 2;
    k->dnz = c->dnz;
    k->pnz = c->dnz + c->nd + 1;
    k->tnz = k->pnz + c->rp + 1;
    k->cov_iwork = k->tnz + c->rq + 1;
}

/* Allocate the result's arrays and the workspace. */
static crm_status fit_alloc(fit_ctx *c, crm__arima_result *out, int n)
{
    int r = c->r, rp = c->rp, rq = c->rq, nd = c->nd, rd = c->rd;
    size_t nn = (size_t)n, rdd = (size_t)rd * (size_t)rd, np = (size_t)c->npar;
    size_t cov_need = 4 * ((size_t)r + 1) + ((size_t)rp + 1) * ((size_t)rp + 1);
    size_t eig_need = (size_t)(rp > rq ? rp : rq) + 2;
    eig_need = eig_need * eig_need + 4 * eig_need;
    c->opt_need = np * np + 4 * np;
    size_t nwork = 4 * rdd + 4 * (size_t)rd + cov_need + 4 * nn + (size_t)rp + (size_t)rq +
                   (size_t)nd + eig_need + 6 * c->opt_need + 8 * np + (size_t)rq + 1;
    c->work = crm__malloc_array(nwork, sizeof *c->work);
    c->iwork = crm__malloc_array((size_t)(rp + 2) + 2 * np + 2, sizeof *c->iwork);
    c->dnz =
        crm__malloc_array((size_t)nd + 2 * (size_t)rp + (size_t)rq + (size_t)r + 5, sizeof *c->dnz);
    out->coef = crm__calloc(np ? np : 1, sizeof *out->coef);
    out->var = crm__calloc(np > 0 ? np * np : 1, sizeof *out->var);
    out->mask = crm__calloc(np ? np : 1, sizeof *out->mask);
    out->resid = crm__malloc_array(nn, sizeof *out->resid);
    out->phi = crm__malloc_array((size_t)rp + 1, sizeof *out->phi);
    out->theta = crm__malloc_array((size_t)rq + 1, sizeof *out->theta);
    out->delta = crm__malloc_array((size_t)nd + 1, sizeof *out->delta);
    out->a = crm__malloc_array((size_t)rd, sizeof *out->a);
    out->P = crm__malloc_array(rdd, sizeof *out->P);
    if (!c->work || !c->iwork || !c->dnz || !out->coef || !out->var || !out->mask ||
        !out->resid || !out->phi || !out->theta || !out->delta || !out->a || !out->P)
        return crm__nomem();
    fit_carve(c, out, n, cov_need, eig_need);
    return CRM_OK;
}

/* Start and scale of the regression coefficient: least squares on the
 * differenced series (on the series itself when that gives none). */
static void fit_xreg_start(fit_ctx *c, const double *y, int n)
{
    const crm__arima_spec *sp = &c->sp;
    size_t nn = (size_t)n;
    double *xreg = c->xreg;
    for (int i = 0; i < n; i++)
        xreg[i] = sp->xreg == CRM__XREG_DRIFT ? (double)(i + 1) : 1.0;
    c->o.xreg = xreg;
    double *dy = c->o.w1, *dz = c->o.w2;
    memcpy(dy, y, nn * sizeof *dy);
    memcpy(dz, xreg, nn * sizeof *dz);
    int m1 = n, m2 = n;
    for (int i = 0; i < sp->d; i++) {
        diff_inplace(dy, &m1, 1);
        diff_inplace(dz, &m2, 1);
    }
    if (c->s > 1)
        for (int i = 0; i < sp->D; i++) {
            diff_inplace(dy, &m1, c->s);
            diff_inplace(dz, &m2, c->s);
        }
    double beta = NAN, se = NAN;
    if (m1 > 1) ls_slope(dy, dz, m1, &beta, &se);
    if (isnan(beta)) ls_slope(y, xreg, n, &beta, &se);
    c->init[c->narma] = beta;
    c->parscale[c->narma] = 10 * se;
    if (!(c->parscale[c->narma] > 0) || !isfinite(c->parscale[c->narma]))
        c->parscale[c->narma] = 1.0;
}

/* The differencing polynomial, the free parameters (mask; fixed values into
 * coef), whether the AR parts are transformed, and the start and scale of
 * every parameter. */
static void fit_start(fit_ctx *c, crm__arima_result *out, const double *y, int n)
{
    const crm__arima_spec *sp = &c->sp;
    int p = c->p, q = c->q, P = c->P, npar = c->npar;
    kf_work *k = &c->o.kf;
    diff_poly(sp->d, sp->D, c->s, out->delta);
    k->nzd = 0;
    for (int i = 0; i < c->nd; i++)
        if (out->delta[i] != 0.0) c->dnz[k->nzd++] = i;
    int *mask = out->mask;
    double *coef = out->coef;
    c->nfree = 0;
    for (int i = 0; i < npar; i++) {
        double f = (sp->fixed ? sp->fixed[i] : NAN);
        mask[i] = isnan(f);
        coef[i] = f;
        c->nfree += mask[i];
    }
    c->no_optim = c->nfree == 0;
    c->transform = sp->transform && !c->no_optim;
    if (c->transform) {
        for (int i = 0; i < p; i++)
            if (!mask[i]) c->transform = 0;
        for (int i = 0; i < P; i++)
            if (!mask[p + q + i]) c->transform = 0;
    }
    for (int i = 0; i < npar; i++) {
        c->init[i] = 0.0;
        c->parscale[i] = 1.0;
    }
    if (sp->xreg != CRM__XREG_NONE) fit_xreg_start(c, y, n);
    for (int i = 0; i < npar; i++)
        if (!mask[i]) c->init[i] = coef[i];
    int m = 0;
    for (int i = 0; i < npar; i++)
        if (mask[i]) c->ps_free[m++] = c->parscale[i];
    c->o.sp = &c->sp;
    c->o.y = y;
    c->o.n = n;
    c->o.npar = npar;
    c->o.narma = c->narma;
    c->o.mask = mask;
    c->o.parscale = c->ps_free;
    c->o.nfree = c->nfree;
    c->o.coef = coef;
    c->o.ncond = c->ncond;
}

/* The free parameters of src, scaled, into zfree (the optimiser's point). */
static void fit_pack(fit_ctx *c, const double *src)
{
    int j = 0;
    for (int i = 0; i < c->npar; i++)
        if (c->o.mask[i]) {
            c->zfree[j] = src[i] / c->ps_free[j];
            j++;
        }
}

/* The optimiser's point zfree, unscaled, into the free parameters of dst and
 * into xfree. */
static void fit_unpack(fit_ctx *c, double *dst)
{
    int j = 0;
    for (int i = 0; i < c->npar; i++)
        if (c->o.mask[i]) {
            dst[i] = c->zfree[j] * c->ps_free[j];
            c->xfree[j] = dst[i];
            j++;
        }
}

/* Minimise the objective from the start src (BFGS); the error of a failed
 * start or gradient names the order and the objective. */
static crm_status fit_optimise(fit_ctx *c, const double *src)
{
    fit_pack(c, src);
    c->br = bfgs(&c->o, c->zfree, c->nfree, c->sp.maxit, c->sp.reltol, c->bfgs_work);
    if (!c->br.error) return CRM_OK;
    const crm__arima_spec *sp = &c->sp;
    return crm__error(CRM_E_NUMERIC,
                      c->br.error == 1
                          ? "ARIMA(%d,%d,%d)(%d,%d,%d)[%d] (%s): initial value of the objective "
                            "is not finite"
                          : "ARIMA(%d,%d,%d)(%d,%d,%d)[%d] (%s): non-finite finite-difference "
                            "gradient",
                      c->p, sp->d, c->q, c->P, sp->D, c->Q, c->s,
                      method_name(c->o.css ? CRM_ARIMA_CSS : c->method));
}

/* A = var of the free parameters through the Jacobian G of the AR transform
 * at coef: A' solve(H n_used, A) with A = G[mask, mask] (H scaled already).
 * Returns 1 when H is singular. */
static int fit_cov_transformed(fit_ctx *c, const double *coef)
{
    int npar = c->npar, nfree = c->nfree;
    const int *mask = c->o.mask;
    double *A = c->A, *H = c->H;
    double *G = c->solve_work + c->opt_need; /* npar x npar */
    grad_trans(&c->sp, coef, npar, G);
    int ii = 0;
    for (int i = 0; i < npar; i++) {
        if (!mask[i]) continue;
        int jj = 0;
        for (int j = 0; j < npar; j++) {
            if (!mask[j]) continue;
            A[ii * nfree + jj] = G[i * npar + j];
            jj++;
        }
        ii++;
    }
    memcpy(G, A, (size_t)nfree * nfree * sizeof *G);
    /* X = solve(H n, A); var = A' X */
    if (solve_checked(nfree, nfree, H, G, c->solve_work, c->solve_iwork)) return 1;
    double *V = H;
    for (int i = 0; i < nfree; i++)
        for (int j = 0; j < nfree; j++) {
            double v = 0.0;
            for (int k = 0; k < nfree; k++)
                v += A[k * nfree + i] * G[k * nfree + j];
            V[i * nfree + j] = v;
        }
    memcpy(A, V, (size_t)nfree * nfree * sizeof *A);
    return 0;
}

/* Covariance of the free parameters into A from the numerical Hessian at
 * xfree (optimHess): solve(H n_used), through the AR transform's Jacobian
 * when transformed. Leaves the estimates in coef; sets hess_bad when the
 * Hessian cannot be had or inverted. */
static void fit_covariance(fit_ctx *c, double *coef, int transformed)
{
    int nfree = c->nfree;
    if (hessian(&c->o, c->xfree, nfree, c->H, c->bfgs_work)) c->hess_bad = 1;
    fit_unpack(c, coef);
    if (c->hess_bad) return;
    for (int i = 0; i < nfree * nfree; i++)
        c->H[i] *= c->n_used;
    if (transformed) {
        if (fit_cov_transformed(c, coef)) c->hess_bad = 1;
        return;
    }
    for (int i = 0; i < nfree; i++)
        for (int j = 0; j < nfree; j++)
            c->A[i * nfree + j] = i == j ? 1.0 : 0.0;
    if (solve_checked(nfree, nfree, c->H, c->A, c->solve_work, c->solve_iwork)) c->hess_bad = 1;
}

/* Method CSS: minimise the conditional sum of squares, then run the filter
 * for the final state; residuals and sigma2 are CSS's. */
static crm_status fit_css(fit_ctx *c, crm__arima_result *out)
{
    const crm__arima_spec *sp = &c->sp;
    double *coef = out->coef;
    c->o.css = 1;
    c->o.trans = 0;
    for (int i = 0; i < c->npar; i++)
        coef[i] = c->init[i];
    if (c->no_optim) {
        c->value = objective_full(&c->o, coef);
    } else {
        crm_status st = fit_optimise(c, c->init);
        if (st != CRM_OK) return st;
        fit_unpack(c, coef);
        c->value = c->br.fmin;
        if (sp->want_hessian) fit_covariance(c, coef, 0);
    }
    expand_pars(sp, coef, 0, out->phi, out->theta);
    const double *x = series_minus_xreg(&c->o, coef);
    if (kf_init(&c->o.kf, sp->kappa))
        return crm__error(CRM_E_NUMERIC,
                          "ARIMA(%d,%d,%d)(%d,%d,%d)[%d]: non-stationary AR part from CSS", c->p,
                          sp->d, c->q, c->P, sp->D, c->Q, c->s);
    double ssq, sumlog;
    int nu;
    kf_run(&c->o.kf, x, c->o.n, &ssq, &sumlog, &nu, NULL);
    out->sigma2 = css_value(sp, x, c->o.n, c->ncond, out->phi, c->rp, out->theta, c->rq, c->o.w1,
                            out->resid);
    return CRM_OK;
}

/* CSS-ML's first stage: the CSS estimates (when they converge) become the
 * start of ML, whose AR parts must be stationary. */
static crm_status fit_css_start(fit_ctx *c, crm__arima_result *out)
{
    const crm__arima_spec *sp = &c->sp;
    int p = c->p, q = c->q, P = c->P;
    double *init = c->init;
    c->o.css = 1;
    c->o.trans = 0;
    for (int i = 0; i < c->npar; i++)
        out->coef[i] = init[i];
    if (!c->no_optim) {
        crm_status st = fit_optimise(c, init);
        if (st != CRM_OK) return st;
        if (c->br.fail == 0) fit_unpack(c, init);
    }
    if ((p && !ar_check(p, init, c->eigw)) || (P && !ar_check(P, init + p + q, c->eigw)))
        return crm__error(CRM_E_NUMERIC,
                          "ARIMA(%d,%d,%d)(%d,%d,%d)[%d]: non-stationary %sAR part from CSS", p,
                          sp->d, q, P, sp->D, c->Q, c->s,
                          (p && !ar_check(p, init, c->eigw)) ? "" : "seasonal ");
    c->o.ncond = 0;
    return CRM_OK;
}

/* The start in the transformed parameters: raw AR values, invertible MA parts. */
static void fit_raw_start(fit_ctx *c)
{
    int p = c->p, q = c->q, P = c->P, Q = c->Q;
    double *init = c->init;
    double tmp[CRM__ARIMA_MAXORD];
    if (p) {
        pacf_from_ar(p, init, tmp);
        memcpy(init, tmp, (size_t)p * sizeof *tmp);
    }
    if (P) {
        pacf_from_ar(P, init + p + q, tmp);
        memcpy(init + p + q, tmp, (size_t)P * sizeof *tmp);
    }
    if (q) ma_invert(q, init + p, c->eigw);
    if (Q) ma_invert(Q, init + p + q + P, c->eigw);
}

/* After a transformed ML fit: invert the MA parts where all are free, and
 * where that moved the estimates, evaluate the objective there (optim with
 * maxit = 0). */
static void fit_reflect_ma(fit_ctx *c, double *coef)
{
    int p = c->p, q = c->q, P = c->P, Q = c->Q;
    const int *mask = c->o.mask;
    int allq = 1, allQ = 1;
    for (int i = 0; i < q; i++)
        allq &= mask[p + i];
    for (int i = 0; i < Q; i++)
        allQ &= mask[p + q + P + i];
    if (q && allq) ma_invert(q, coef + p, c->eigw);
    if (Q && allQ) ma_invert(Q, coef + p + q + P, c->eigw);
    int changed = 0, j = 0;
    for (int i = 0; i < c->npar; i++)
        if (mask[i]) {
            if (coef[i] != c->xfree[j]) changed = 1;
            j++;
        }
    if (changed) {
        fit_pack(c, coef);
        c->value = fn_scaled(&c->o, c->zfree);
        fit_unpack(c, coef);
    }
}

/* Methods ML and CSS-ML: maximise the exact likelihood (from the CSS
 * estimates for CSS-ML), then run the filter for the final state and the
 * residuals. */
static crm_status fit_ml(fit_ctx *c, crm__arima_result *out)
{
    const crm__arima_spec *sp = &c->sp;
    double *coef = out->coef;
    crm_status st;
    if (c->method == CRM_ARIMA_CSS_ML && (st = fit_css_start(c, out)) != CRM_OK) return st;
    c->o.css = 0;
    c->o.trans = c->transform;
    if (c->transform) fit_raw_start(c);
    for (int i = 0; i < c->npar; i++)
        coef[i] = c->o.mask[i] ? c->init[i] : coef[i];
    if (c->no_optim) {
        c->value = objective_full(&c->o, coef);
        c->br.fail = 0;
    } else {
        if ((st = fit_optimise(c, c->init)) != CRM_OK) return st;
        fit_unpack(c, coef);
        c->value = c->br.fmin;
        if (c->transform) fit_reflect_ma(c, coef);
        if (sp->want_hessian) fit_covariance(c, coef, c->transform);
        if (c->transform) {
            undo_pars(sp, coef, c->npar, c->solve_work);
            memcpy(coef, c->solve_work, (size_t)c->npar * sizeof *coef);
        }
    }
    expand_pars(sp, coef, 0, out->phi, out->theta);
    const double *x = series_minus_xreg(&c->o, coef);
    if (kf_init(&c->o.kf, sp->kappa))
        return crm__error(CRM_E_NUMERIC,
                          "ARIMA(%d,%d,%d)(%d,%d,%d)[%d]: the fitted ARMA part has no stationary "
                          "covariance",
                          c->p, sp->d, c->q, c->P, sp->D, c->Q, c->s);
    double ssq, sumlog;
    int nu;
    kf_run(&c->o.kf, x, c->o.n, &ssq, &sumlog, &nu, out->resid);
    out->sigma2 = ssq / c->n_used;
    return CRM_OK;
}

/* Fill the result: covariance of all parameters (zero rows and columns for
 * fixed ones), the final state, counts, likelihood and information criteria,
 * and the Ljung-Box test of the residuals. */
static void fit_store(fit_ctx *c, crm__arima_result *out)
{
    int npar = c->npar, nfree = c->nfree, n_used = c->n_used, method = c->method;
    const int *mask = out->mask;
    int no_var = c->hess_bad || !c->sp.want_hessian;
    int ii = 0;
    for (int i = 0; i < npar; i++) {
        int jj = 0;
        for (int j = 0; j < npar; j++) {
            double v = 0.0;
            if (mask[i] && mask[j]) v = no_var ? NAN : c->A[ii * nfree + jj];
            out->var[i * npar + j] = v;
            if (mask[j]) jj++;
        }
        if (mask[i]) ii++;
    }
    memcpy(out->P, c->o.kf.P, (size_t)c->rd * (size_t)c->rd * sizeof *out->P);
    out->npar = npar;
    out->n = c->o.n;
    out->n_used = n_used;
    out->ncond = method == CRM_ARIMA_ML ? 0 : (method == CRM_ARIMA_CSS ? c->ncond : 0);
    out->code = c->br.fail;
    out->iterations = c->br.grcount;
    out->rp = c->rp;
    out->rq = c->rq;
    out->nd = c->nd;
    out->rd = c->rd;
    double val2 = 2 * n_used * c->value + n_used + n_used * LOG_2PI;
    out->loglik = -0.5 * val2;
    if (method != CRM_ARIMA_CSS) {
        out->aic = val2 + 2 * nfree + 2;
        double k = nfree + 1;
        out->aicc = out->aic + 2 * k * (n_used / (n_used - k - 1) - 1);
        out->bic = out->aic + k * (log((double)n_used) - 2);
    } else {
        out->aic = out->aicc = out->bic = NAN;
    }
    out->var_bad = no_var;
    ljung_box(out, &c->sp, c->o.w1);
}

crm_status crm__arima_fit_series(const double *y, int n, const crm__arima_spec *spec,
                                 crm__arima_result *out)
{
    memset(out, 0, sizeof *out);
    fit_ctx c;
    crm_status st = fit_plan(&c, y, n, spec);
    if (st != CRM_OK) return st;
    st = fit_alloc(&c, out, n);
    if (st == CRM_OK) {
        fit_start(&c, out, y, n);
        st = c.method == CRM_ARIMA_CSS ? fit_css(&c, out) : fit_ml(&c, out);
    }
    if (st == CRM_OK) fit_store(&c, out);
    crm__free(c.work);
    crm__free(c.iwork);
    crm__free(c.dnz);
    if (st != CRM_OK) crm__arima_result_free(out);
    return st;
}

/* ---- forecasts ----------------------------------------------------------------- */

/* out = T x for the transition matrix T of r (rd entries; out and x distinct). */
static void t_times(const crm__arima_result *r, const double *x, double *out)
{
    int rd = r->rd, rp = r->rp, nd = r->nd, rr = rd - nd;
    for (int i = 0; i < rr; i++) {
        double tmp = i < rr - 1 ? x[i + 1] : 0.0;
        if (i < rp) tmp += r->phi[i] * x[0];
        out[i] = tmp;
    }
    if (nd > 0) {
        double tmp = x[0];
        for (int k = 0; k < nd; k++)
            tmp += r->delta[k] * x[rr + k];
        out[rr] = tmp;
        for (int i = rr + 1; i < rd; i++)
            out[i] = x[i - 1];
    }
}

crm_status crm__arima_forecast_raw(const crm__arima_result *r, const crm__arima_spec *spec, int h,
                                   double *mean, double *se)
{
    int rd = r->rd, rp = r->rp, rq = r->rq, nd = r->nd;
    int rr = rd - nd;
    size_t rdd = (size_t)rd * (size_t)rd;
    double *a = crm__malloc_array((size_t)rd * 2 + 2 * rdd, sizeof *a);
    if (!a) return crm__nomem();
    double *anew = a + rd, *P = anew + rd, *mm = P + rdd;
    memcpy(a, r->a, (size_t)rd * sizeof *a);
    memcpy(P, r->P, rdd * sizeof *P);
    for (int l = 0; l < h; l++) {
        t_times(r, a, anew);
        memcpy(a, anew, (size_t)rd * sizeof *a);
        double fc = a[0];
        for (int i = 0; i < nd; i++)
            fc += r->delta[i] * a[rr + i];
        if (spec->xreg == CRM__XREG_MEAN)
            fc += r->coef[r->npar - 1];
        else if (spec->xreg == CRM__XREG_DRIFT)
            fc += r->coef[r->npar - 1] * ((double)r->n + (double)(l + 1));
        mean[l] = fc;
        /* mm = T P (column j of P -> column j of mm) */
        for (int j = 0; j < rd; j++)
            t_times(r, P + (size_t)rd * j, mm + (size_t)rd * j);
        /* P = mm T' + V: row i of T applied to the rows of mm */
        for (int i = 0; i < rr; i++) {
            double f = i < rp ? r->phi[i] : 0.0;
            for (int j = 0; j < rd; j++) {
                double tmp = f * mm[j];
                if (i < rr - 1) tmp += mm[j + (size_t)rd * (i + 1)];
                P[j + (size_t)rd * i] = tmp;
            }
        }
        if (nd > 0) {
            for (int j = 0; j < rd; j++) {
                double tmp = mm[j];
                for (int k = 0; k < nd; k++)
                    tmp += r->delta[k] * mm[j + (size_t)rd * (rr + k)];
                P[j + (size_t)rd * rr] = tmp;
            }
            for (int i = rr + 1; i < rd; i++)
                for (int j = 0; j < rd; j++)
                    P[j + (size_t)rd * i] = mm[j + (size_t)rd * (i - 1)];
        }
        for (int i = 0; i <= rq && i < rr; i++) {
            double vi = i == 0 ? 1.0 : r->theta[i - 1];
            for (int j = 0; j <= rq && j < rr; j++)
                P[i + (size_t)rd * j] += vi * (j == 0 ? 1.0 : r->theta[j - 1]);
        }
        /* Z' P Z */
        double v = 0.0;
        for (int i = 0; i < rd; i++) {
            double zi = i == 0 ? 1.0 : (i >= rr ? r->delta[i - rr] : 0.0);
            if (zi == 0.0) continue;
            for (int j = 0; j < rd; j++) {
                double zj = j == 0 ? 1.0 : (j >= rr ? r->delta[j - rr] : 0.0);
                if (zj == 0.0) continue;
                v += zi * zj * P[i + (size_t)rd * j];
            }
        }
        se[l] = sqrt(v * r->sigma2);
    }
    crm__free(a);
    return CRM_OK;
}

/* ---- chi-square upper tail --------------------------------------------------- */

/* Regularised upper incomplete gamma Q(a, x) by the series (x < a + 1) or
 * Lentz's continued fraction. */
static double gamma_q(double a, double x)
{
    if (!(x > 0)) return 1.0;
    double lg = crm__lgamma(a);
    if (x < a + 1) {
        double sum = 1.0 / a, term = sum, ap = a;
        for (int i = 0; i < 10000; i++) {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (fabs(term) < fabs(sum) * 1e-17) break;
        }
        double pval = sum * exp(-x + a * log(x) - lg);
        return 1.0 - pval;
    }
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, hh = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        hh *= del;
        if (fabs(del - 1) < 1e-17) break;
    }
    return exp(-x + a * log(x) - lg) * hh;
}

double crm__chisq_upper(double x, double df)
{
    if (isnan(x) || !(df > 0)) return NAN;
    return gamma_q(df / 2, x / 2);
}
