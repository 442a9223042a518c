/* Automatic ARIMA order selection (the Hyndman-Khandakar algorithm with the
 * defaults of forecast 8.20's auto.arima): STL seasonal strength for D,
 * KPSS tests for d, stepwise search on an information criterion, CSS
 * approximation for long or highly seasonal series. See crm/arima.h. */
#include "arima/arima_internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- small statistics ----------------------------------------------------------- */

int crm__is_constant(const double *x, int n)
{
    /* all.equal(x, rep(x[1], n)) with tolerance 1.5e-8: mean absolute
     * difference, relative to the mean absolute value when that exceeds the
     * tolerance */
    if (n <= 0) return 1;
    double first = x[0], sad = 0.0, sa = 0.0;
    for (int i = 0; i < n; i++) {
        sad += fabs(x[i] - first);
        sa += fabs(x[i]);
    }
    double xy = sad / n, xn = sa / n;
    if (isfinite(xn) && xn > 1.5e-8) xy /= xn;
    return !(xy > 1.5e-8);
}

static double variance(const double *x, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++)
        m += x[i];
    m /= n;
    double v = 0.0;
    for (int i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    return v / (n - 1);
}

/* KPSS level-stationarity statistic with Bartlett weights and lag
 * trunc(3 sqrt(n) / 13). */
double crm__kpss_stat(const double *x, int n)
{
    double mean = 0.0;
    for (int i = 0; i < n; i++)
        mean += x[i];
    mean /= n;
    double S = 0.0, num = 0.0, s2 = 0.0;
    for (int i = 0; i < n; i++) {
        double e = x[i] - mean;
        S += e;
        num += S * S;
        s2 += e * e;
    }
    num /= (double)n * (double)n;
    s2 /= n;
    int lmax = (int)trunc(3.0 * sqrt((double)n) / 13.0);
    double den = s2;
    if (lmax > 0) {
        double acc = 0.0;
        for (int l = 1; l <= lmax; l++) {
            double c = 0.0;
            for (int t = l; t < n; t++)
                c += (x[t] - mean) * (x[t - l] - mean);
            acc += (1.0 - (double)l / (lmax + 1)) * c;
        }
        den = s2 + 2.0 / n * acc;
    }
    return num / den;
}

/* p-value of the KPSS level test by linear interpolation in the 10%, 5%,
 * 2.5% and 1% critical values, clamped at the ends. */
static double kpss_pvalue(double stat)
{
    static const double cv[4] = {0.347, 0.463, 0.574, 0.739};
    static const double pv[4] = {0.10, 0.05, 0.025, 0.01};
    if (!(stat > cv[0])) return pv[0];
    if (stat >= cv[3]) return pv[3];
    int i = 0;
    while (stat > cv[i + 1])
        i++;
    return pv[i] + (pv[i + 1] - pv[i]) * ((stat - cv[i]) / (cv[i + 1] - cv[i]));
}

int crm__ndiffs(const double *x0, int n, int max_d)
{
    if (n < 1 || crm__is_constant(x0, n)) return 0;
    double *x = crm__malloc_array((size_t)n, sizeof *x);
    if (!x) return -1;
    memcpy(x, x0, (size_t)n * sizeof *x);
    int d = 0;
    int dodiff = n > 1 && kpss_pvalue(crm__kpss_stat(x, n)) < 0.05;
    while (dodiff && d < max_d) {
        d++;
        for (int i = 0; i + 1 < n; i++)
            x[i] = x[i + 1] - x[i];
        n--;
        if (n < 1 || crm__is_constant(x, n)) break;
        dodiff = n > 1 && kpss_pvalue(crm__kpss_stat(x, n)) < 0.05;
    }
    crm__free(x);
    return d;
}

/* ---- STL (Cleveland et al. 1990), loess without robustness ---------------------- */

/* Loess estimate at xs (1-based positions) from y[nleft..nright] (1-based).
 * Returns 1 and sets *ys, or 0 when all weights vanish. */
static int stl_est(const double *y, int n, int len, int ideg, double xs, double *ys, int nleft,
                   int nright, double *w)
{
    double range = (double)n - 1.0;
    double h = fmax(xs - nleft, nright - xs);
    if (len > n) h += (double)((len - n) / 2);
    double h9 = 0.999 * h, h1 = 0.001 * h, a = 0.0;
    for (int j = nleft; j <= nright; j++) {
        w[j - 1] = 0.0;
        double r = fabs(j - xs);
        if (r <= h9) {
            if (r <= h1)
                w[j - 1] = 1.0;
            else {
                double u = r / h;
                u = 1.0 - u * u * u;
                w[j - 1] = u * u * u;
            }
            a += w[j - 1];
        }
    }
    if (a <= 0.0) return 0;
    for (int j = nleft; j <= nright; j++)
        w[j - 1] /= a;
    if (h > 0.0 && ideg > 0) {
        a = 0.0;
        for (int j = nleft; j <= nright; j++)
            a += w[j - 1] * j;
        double b = xs - a, c = 0.0;
        for (int j = nleft; j <= nright; j++)
            c += w[j - 1] * (j - a) * (j - a);
        if (sqrt(c) > 0.001 * range) {
            b /= c;
            for (int j = nleft; j <= nright; j++)
                w[j - 1] *= b * (j - a) + 1.0;
        }
    }
    double v = 0.0;
    for (int j = nleft; j <= nright; j++)
        v += w[j - 1] * y[j - 1];
    *ys = v;
    return 1;
}

/* Loess smooth of y[0..n) evaluated every njump points, linear in between. */
static void stl_ess(const double *y, int n, int len, int ideg, int njump, double *ys, double *w)
{
    if (n < 2) {
        ys[0] = y[0];
        return;
    }
    int newnj = njump < n - 1 ? njump : n - 1;
    int nleft = 0, nright = 0;
    if (len >= n) {
        nleft = 1;
        nright = n;
        for (int i = 1; i <= n; i += newnj)
            if (!stl_est(y, n, len, ideg, i, &ys[i - 1], nleft, nright, w)) ys[i - 1] = y[i - 1];
    } else if (newnj == 1) {
        int nsh = (len + 1) / 2;
        nleft = 1;
        nright = len;
        for (int i = 1; i <= n; i++) {
            if (i > nsh && nright != n) {
                nleft++;
                nright++;
            }
            if (!stl_est(y, n, len, ideg, i, &ys[i - 1], nleft, nright, w)) ys[i - 1] = y[i - 1];
        }
    } else {
        int nsh = (len + 1) / 2;
        for (int i = 1; i <= n; i += newnj) {
            if (i < nsh) {
                nleft = 1;
                nright = len;
            } else if (i >= n - nsh + 1) {
                nleft = n - len + 1;
                nright = n;
            } else {
                nleft = i - nsh + 1;
                nright = len + i - nsh;
            }
            if (!stl_est(y, n, len, ideg, i, &ys[i - 1], nleft, nright, w)) ys[i - 1] = y[i - 1];
        }
    }
    if (newnj != 1) {
        for (int i = 1; i <= n - newnj; i += newnj) {
            double delta = (ys[i + newnj - 1] - ys[i - 1]) / newnj;
            for (int j = i + 1; j <= i + newnj - 1; j++)
                ys[j - 1] = ys[i - 1] + delta * (j - i);
        }
        int k = ((n - 1) / newnj) * newnj + 1;
        if (k != n) {
            if (!stl_est(y, n, len, ideg, n, &ys[n - 1], nleft, nright, w)) ys[n - 1] = y[n - 1];
            if (k != n - 1) {
                double delta = (ys[n - 1] - ys[k - 1]) / (n - k);
                for (int j = k + 1; j <= n - 1; j++)
                    ys[j - 1] = ys[k - 1] + delta * (j - k);
            }
        }
    }
}

/* Moving average of length len over x[0..n): n - len + 1 values. */
static void stl_ma(const double *x, int n, int len, double *ave)
{
    int newn = n - len + 1;
    double v = 0.0;
    for (int i = 0; i < len; i++)
        v += x[i];
    ave[0] = v / len;
    for (int j = 1; j < newn; j++) {
        v = v - x[j - 1] + x[len + j - 1];
        ave[j] = v / len;
    }
}

/* STL decomposition (non-robust, 2 inner passes) with s.window ns (odd),
 * seasonal degree 0, trend degree 1, lowpass degree 1; seasonal and trend
 * get n values. Returns 0, -1 on allocation failure. */
static int stl(const double *y, int n, int np, int ns, double *season, double *trend)
{
    int nt = (int)ceil(1.5 * np / (1.0 - 1.5 / ns));
    nt = (int)nearbyint((double)nt);
    if (nt % 2 == 0) nt++;
    int nl = np % 2 == 0 ? np + 1 : np;
    int isdeg = 0, itdeg = 1, ildeg = 1;
    int nsjump = (int)ceil(ns / 10.0), ntjump = (int)ceil(nt / 10.0), nljump = (int)ceil(nl / 10.0);
    if (ns < 3) ns = 3;
    if (nt < 3) nt = 3;
    if (nl < 3) nl = 3;
    if (np < 2) np = 2;
    size_t m = (size_t)n + 2 * (size_t)np;
    double *work = crm__malloc_array(5 * m, sizeof *work);
    if (!work) return -1;
    double *w1 = work, *w2 = w1 + m, *w3 = w2 + m, *w4 = w3 + m, *w5 = w4 + m;
    for (int i = 0; i < n; i++)
        trend[i] = 0.0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++)
            w1[i] = y[i] - trend[i];
        /* cycle-subseries smoothing into w2 (n + 2np values) */
        for (int j = 1; j <= np; j++) {
            int k = (n - j) / np + 1;
            for (int i = 1; i <= k; i++)
                w3[i - 1] = w1[(i - 1) * np + j - 1];
            stl_ess(w3, k, ns, isdeg, nsjump, w4 + 1, w5);
            int nright = ns < k ? ns : k;
            if (!stl_est(w3, k, ns, isdeg, 0.0, &w4[0], 1, nright, w5)) w4[0] = w4[1];
            int nleft = k - ns + 1 > 1 ? k - ns + 1 : 1;
            if (!stl_est(w3, k, ns, isdeg, k + 1.0, &w4[k + 1], nleft, k, w5)) w4[k + 1] = w4[k];
            for (int mm = 1; mm <= k + 2; mm++)
                w2[(mm - 1) * np + j - 1] = w4[mm - 1];
        }
        /* low-pass: moving averages np, np, 3, then loess */
        stl_ma(w2, (int)m, np, w3);
        stl_ma(w3, (int)m - np + 1, np, w1);
        stl_ma(w1, (int)m - 2 * np + 2, 3, w3);
        stl_ess(w3, n, nl, ildeg, nljump, w1, w5);
        for (int i = 0; i < n; i++)
            season[i] = w2[np + i] - w1[i];
        for (int i = 0; i < n; i++)
            w1[i] = y[i] - season[i];
        stl_ess(w1, n, nt, itdeg, ntjump, trend, w5);
    }
    crm__free(work);
    return 0;
}

/* Seasonal strength max(0, min(1, 1 - var(R) / var(R + S))) of an STL fit
 * with s.window 11 (forecast's mstl); NaN when not computable (n <= 2s),
 * -1 on allocation failure. */
double crm__seas_strength(const double *x, int n, int s)
{
    if (s < 2 || n <= 2 * s) return NAN;
    double *buf = crm__malloc_array(3 * (size_t)n, sizeof *buf);
    if (!buf) return -1.0;
    double *seas = buf, *trend = buf + n, *rem = trend + n;
    if (stl(x, n, s, 11, seas, trend)) {
        crm__free(buf);
        return -1.0;
    }
    for (int i = 0; i < n; i++)
        rem[i] = x[i] - seas[i] - trend[i];
    double vr = variance(rem, n);
    for (int i = 0; i < n; i++)
        rem[i] += seas[i];
    double vrs = variance(rem, n);
    crm__free(buf);
    double v = 1.0 - vr / vrs;
    if (!(v > 0)) v = 0.0; /* also NaN: max(0, NaN) is 0 in this use */
    if (v > 1) v = 1.0;
    return v;
}

int crm__nsdiffs(const double *x0, int n, int s, int max_D)
{
    if (n < 1 || crm__is_constant(x0, n) || s >= n || s < 2) return 0;
    double *x = crm__malloc_array((size_t)n, sizeof *x);
    if (!x) return -1;
    memcpy(x, x0, (size_t)n * sizeof *x);
    int D = 0;
    double st = crm__seas_strength(x, n, s);
    if (st == -1.0) {
        crm__free(x);
        return -1;
    }
    int dodiff = !isnan(st) && st > 0.64;
    while (dodiff && D < max_D) {
        D++;
        for (int i = 0; i + s < n; i++)
            x[i] = x[i + s] - x[i];
        n -= s;
        if (crm__is_constant(x, n)) break;
        if (n >= 2 * s && D < max_D) {
            st = crm__seas_strength(x, n, s);
            if (st == -1.0) {
                crm__free(x);
                return -1;
            }
            dodiff = !isnan(st) && st > 0.64;
        } else {
            dodiff = 0;
        }
    }
    crm__free(x);
    return D;
}

/* ---- the search ------------------------------------------------------------------ */

typedef struct cand {
    int p, q, P, Q, constant;
    double ic;
} cand;

typedef struct search {
    const double *x;
    int n;          /* length (first non-missing on) */
    int serieslength;
    int s;          /* m: season length (1 when not seasonal) */
    int d, D;
    int ic_kind;
    double offset;
    crm__arima_spec base;
    int nfits;
    /* best fit so far */
    crm__arima_result best;
    crm__arima_spec best_spec;
    double best_ic;
    crm_status fatal; /* CRM_E_NOMEM stops the search */
} search;

/* myarima(): fit one candidate; returns its criterion (Inf when it failed
 * or is rejected). With keep, a better fit than the best replaces it. */
static double try_model(search *S, int p, int q, int P, int Q, int constant, int approx,
                        int keep)
{
    if (S->fatal) return INFINITY;
    crm__arima_spec sp = S->base;
    int m = S->s;
    int use_season = (P + S->D + Q) > 0 && m > 1;
    sp.p = p;
    sp.d = S->d;
    sp.q = q;
    sp.P = use_season ? P : 0;
    sp.D = use_season ? S->D : 0;
    sp.Q = use_season ? Q : 0;
    sp.s = use_season ? m : 1;
    int diffs = S->d + S->D;
    sp.xreg = CRM__XREG_NONE;
    if (constant) sp.xreg = diffs == 1 ? CRM__XREG_DRIFT : (diffs == 0 ? CRM__XREG_MEAN : 0);
    if (sp.method < 0) sp.method = approx ? CRM_ARIMA_CSS : CRM_ARIMA_CSS_ML;
    sp.fixed = NULL;
    sp.want_hessian = 1;
    crm__arima_result r;
    S->nfits++;
    crm_status st = crm__arima_fit_series(S->x, S->n, &sp, &r);
    if (st == CRM_E_NOMEM) {
        S->fatal = st;
        return INFINITY;
    }
    if (st != CRM_OK) return INFINITY;
    int nstar = S->serieslength - S->d - S->D * m;
    int nfree = 0;
    for (int i = 0; i < r.npar; i++)
        nfree += r.mask[i];
    double npar = nfree + 1;
    double aic = r.aic;
    if (sp.method == CRM_ARIMA_CSS) aic = S->offset + nstar * log(r.sigma2) + 2 * npar;
    double ic = INFINITY;
    if (!isnan(aic)) {
        double bic = aic + npar * (log((double)nstar) - 2);
        double aicc = aic + 2 * npar * (npar + 1) / (nstar - npar - 1);
        ic = S->ic_kind == 1 ? aic : (S->ic_kind == 2 ? bic : aicc);
        if (isnan(ic)) ic = INFINITY;
    }
    /* roots near the unit circle, unusable covariance */
    double *work = NULL;
    int mr = r.rp > r.rq ? r.rp : r.rq;
    if (ic < INFINITY && (p + P > 0 || q + Q > 0)) {
        work = crm__malloc_array((size_t)(mr + 2) * (size_t)(mr + 6), sizeof *work);
        if (!work) {
            crm__arima_result_free(&r);
            S->fatal = crm__nomem();
            return INFINITY;
        }
    }
    double minroot = 2.0;
    if (ic < INFINITY && p + P > 0) {
        /* trailing |c| <= 1e-8 ignored, as forecast's check */
        double v = crm__arima_min_root(r.rp, r.phi, 1e-8, work);
        if (isnan(v)) ic = INFINITY;
        else if (v < minroot) minroot = v;
    }
    if (ic < INFINITY && q + Q > 0) {
        double *c = work + (size_t)(mr + 2) * (size_t)(mr + 4);
        for (int i = 0; i < r.rq; i++)
            c[i] = -r.theta[i];
        double v = crm__arima_min_root(r.rq, c, 1e-8, work);
        if (isnan(v)) ic = INFINITY;
        else if (v < minroot) minroot = v;
    }
    crm__free(work);
    int bad_var = 0;
    for (int i = 0; i < r.npar; i++)
        if (r.mask[i] && (r.var_bad || isnan(sqrt(r.var[i * r.npar + i])))) bad_var = 1;
    if (minroot < 1 + 0.01 || bad_var) ic = INFINITY;
    if (keep && ic < S->best_ic) {
        crm__arima_result_free(&S->best);
        S->best = r;
        S->best_spec = sp;
        S->best_ic = ic;
    } else {
        crm__arima_result_free(&r);
    }
    return ic;
}

static void push(cand *res, int *k, int p, int q, int P, int Q, int c, double ic)
{
    res[*k].p = p;
    res[*k].q = q;
    res[*k].P = P;
    res[*k].Q = Q;
    res[*k].constant = c;
    res[*k].ic = ic;
    (*k)++;
}

static int in_results(const cand *res, int k, int p, int q, int P, int Q, int c)
{
    for (int i = 0; i < k; i++)
        if (res[i].p == p && res[i].q == q && res[i].P == P && res[i].Q == Q &&
            res[i].constant == c)
            return 1;
    return 0;
}

/* Refit candidates exactly, best approximate criterion first (stable order),
 * until one succeeds. */
static void refit_exact(search *S, cand *res, int k)
{
    int *idx = crm__malloc_array((size_t)k + 1, sizeof *idx);
    if (!idx) {
        S->fatal = crm__nomem();
        return;
    }
    for (int i = 0; i < k; i++)
        idx[i] = i;
    for (int i = 1; i < k; i++) { /* stable insertion sort by ic */
        int v = idx[i], j = i;
        while (j > 0 && res[idx[j - 1]].ic > res[v].ic) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
    S->best_ic = INFINITY;
    crm__arima_result_free(&S->best);
    for (int i = 0; i < k && !S->fatal; i++) {
        cand *c = &res[idx[i]];
        double ic = try_model(S, c->p, c->q, c->P, c->Q, c->constant, 0, 1);
        if (ic < INFINITY) break;
    }
    crm__free(idx);
}

crm_status crm__arima_auto(const double *y, int n, int s, const crm__auto_opts *ao,
                           const crm__arima_spec *base, crm__arima_spec *spec_out,
                           crm__arima_result *res_out, int *nfits)
{
    memset(res_out, 0, sizeof *res_out);
    *nfits = 0;
    int first = 0, last = n - 1;
    while (first < n && isnan(y[first]))
        first++;
    while (last >= 0 && isnan(y[last]))
        last--;
    if (first > last) return crm__error(CRM_E_INVALID, "auto ARIMA: no observed values");
    const double *x = y + first;
    int nx = n - first;
    int serieslength = 0;
    int anyna = 0;
    for (int i = first; i <= last; i++) {
        if (!isnan(y[i]))
            serieslength++;
        else
            anyna = 1;
    }
    search S;
    memset(&S, 0, sizeof S);
    S.x = x;
    S.n = nx;
    S.serieslength = serieslength;
    S.base = *base;
    S.base.method = ao->method;
    S.best_ic = INFINITY;
    S.ic_kind = ao->ic;
    crm_status st = CRM_OK;
    double *obs = crm__malloc_array((size_t)serieslength + 1, sizeof *obs);
    if (!obs) return crm__nomem();
    {
        int k = 0;
        for (int i = 0; i < nx; i++)
            if (!isnan(x[i])) obs[k++] = x[i];
    }
    if (crm__is_constant(obs, serieslength)) {
        /* constant: ARIMA(0,0,0) with the mean held at the series' value */
        double mean = 0.0;
        for (int i = 0; i < serieslength; i++)
            mean += obs[i];
        mean /= serieslength;
        crm__arima_spec sp = S.base;
        sp.p = sp.d = sp.q = sp.P = sp.D = sp.Q = 0;
        sp.s = 1;
        sp.xreg = CRM__XREG_MEAN;
        sp.method = sp.method < 0 ? CRM_ARIMA_CSS_ML : sp.method;
        sp.fixed = &mean;
        st = crm__arima_fit_series(x, nx, &sp, res_out);
        crm__free(obs);
        if (st != CRM_OK) return st;
        sp.fixed = NULL;
        *spec_out = sp;
        *nfits = 1;
        return CRM_OK;
    }
    int m = s < 1 ? 1 : s;
    int max_p = ao->max_p, max_q = ao->max_q, max_P = ao->max_P, max_Q = ao->max_Q;
    if (max_p > serieslength / 3) max_p = serieslength / 3;
    if (max_q > serieslength / 3) max_q = serieslength / 3;
    if (max_P > serieslength / 3 / m) max_P = serieslength / 3 / m;
    if (max_Q > serieslength / 3 / m) max_Q = serieslength / 3 / m;
    if (serieslength <= 3) S.ic_kind = 1;
    int d = ao->d, D = ao->D;
    if (m == 1) {
        D = 0;
        max_P = max_Q = 0;
    } else if (D < 0 && nx <= 2 * m) {
        D = 0;
    } else if (D < 0) {
        if (anyna)
            D = 0; /* the seasonal-strength test needs a complete series */
        else {
            D = crm__nsdiffs(x, nx, m, ao->max_D);
            if (D < 0) {
                crm__free(obs);
                return crm__nomem();
            }
        }
        if (D > 0 && nx - D * m <= 0) D--;
    }
    /* dx: the differenced observed values */
    double *dx = crm__malloc_array((size_t)nx + 1, sizeof *dx);
    if (!dx) {
        crm__free(obs);
        return crm__nomem();
    }
    int nd = nx;
    memcpy(dx, x, (size_t)nx * sizeof *dx);
    for (int i = 0; i < D; i++) {
        for (int j = 0; j + m < nd; j++)
            dx[j] = dx[j + m] - dx[j];
        nd = nd > m ? nd - m : 0;
    }
    if (d < 0) {
        /* na.omit */
        int k = 0;
        double *tmp = crm__malloc_array((size_t)nd + 1, sizeof *tmp);
        if (!tmp) {
            crm__free(obs);
            crm__free(dx);
            return crm__nomem();
        }
        for (int i = 0; i < nd; i++)
            if (!isnan(dx[i])) tmp[k++] = dx[i];
        d = crm__ndiffs(tmp, k, ao->max_d);
        crm__free(tmp);
        if (d < 0) {
            crm__free(obs);
            crm__free(dx);
            return crm__nomem();
        }
        if (d > 0 && nd - d <= 0) d--;
    }
    for (int i = 0; i < d; i++) {
        for (int j = 0; j + 1 < nd; j++)
            dx[j] = dx[j + 1] - dx[j];
        nd = nd > 0 ? nd - 1 : 0;
    }
    S.d = d;
    S.D = D;
    S.s = m;
    crm__free(obs);
    if (nd == 0) {
        crm__free(dx);
        return crm__error(CRM_E_INVALID, "auto ARIMA: not enough data after differencing");
    }
    {
        int k = 0;
        double mean = 0.0;
        for (int i = 0; i < nd; i++)
            if (!isnan(dx[i])) {
                dx[k++] = dx[i];
                mean += dx[i];
            }
        nd = k;
        mean /= nd > 0 ? nd : 1;
        if (nd > 0 && crm__is_constant(dx, nd)) {
            /* a constant after differencing: no ARMA terms */
            crm__arima_spec sp = S.base;
            sp.p = sp.q = sp.P = sp.Q = 0;
            sp.d = d;
            sp.D = D;
            sp.s = D > 0 ? m : 1;
            sp.method = sp.method < 0 ? CRM_ARIMA_CSS_ML : sp.method;
            double fx = NAN;
            sp.xreg = CRM__XREG_NONE;
            if (D > 0 && d == 0) {
                sp.xreg = CRM__XREG_DRIFT;
                fx = mean / m;
            } else if (D == 0 && d < 2) {
                sp.xreg = d == 0 ? CRM__XREG_MEAN : CRM__XREG_DRIFT;
                fx = mean;
            } else if (D == 0 && d > 2) {
                crm__free(dx);
                return crm__error(CRM_E_INVALID,
                                  "auto ARIMA: the data follow a simple polynomial and are not "
                                  "suitable for ARIMA modelling");
            }
            sp.fixed = sp.xreg != CRM__XREG_NONE ? &fx : NULL;
            crm__free(dx);
            st = crm__arima_fit_series(x, nx, &sp, res_out);
            if (st != CRM_OK) return st;
            sp.fixed = NULL;
            *spec_out = sp;
            *nfits = 1;
            return CRM_OK;
        }
    }
    crm__free(dx);
    if (m > 1) {
        if (max_P > 0 && max_p > m - 1) max_p = m - 1;
        if (max_Q > 0 && max_q > m - 1) max_q = m - 1;
    }
    int approximation = ao->approximation;
    if (approximation < 0) approximation = nx > 150 || m > 12;
    if (approximation) {
        crm__arima_spec sp = S.base;
        sp.p = sp.q = sp.P = sp.Q = 0;
        sp.d = d;
        sp.D = D;
        sp.s = D > 0 ? m : 1;
        sp.xreg = d + D == 0 ? CRM__XREG_MEAN : CRM__XREG_NONE;
        sp.method = CRM_ARIMA_CSS_ML;
        sp.want_hessian = 1;
        crm__arima_result r;
        st = crm__arima_fit_series(x, nx, &sp, &r);
        if (st == CRM_E_NOMEM) return st;
        S.offset = st == CRM_OK ? -2 * r.loglik - serieslength * log(r.sigma2) : 0.0;
        if (st == CRM_OK) crm__arima_result_free(&r);
        st = CRM_OK;
    }
    int allowdrift = ao->allow_drift && d + D == 1;
    int allowmean = ao->allow_mean && d + D == 0;
    int constant = allowdrift || allowmean;
    int nmodels = ao->nmodels;
    cand *res = crm__calloc((size_t)(nmodels > 0 ? nmodels : 1) + 400, sizeof *res);
    if (!res) return crm__nomem();
    int k = 0;
    if (!ao->stepwise) {
        int maxK = constant;
        for (int i = 0; i <= max_p && !S.fatal; i++)
            for (int j = 0; j <= max_q; j++)
                for (int I = 0; I <= max_P; I++)
                    for (int J = 0; J <= max_Q; J++) {
                        if (i + j + I + J > ao->max_order) continue;
                        for (int K = 0; K <= maxK; K++) {
                            double ic = try_model(&S, i, j, I, J, K, approximation, 1);
                            (void)ic;
                            if (k < nmodels + 399) {
                                res[k].p = i;
                                res[k].q = j;
                                res[k].P = I;
                                res[k].Q = J;
                                res[k].constant = K;
                                res[k].ic = ic;
                                k++;
                            }
                        }
                    }
        if (approximation && S.best_ic < INFINITY && !S.fatal) {
            crm__arima_spec bs = S.best_spec;
            int bc = bs.xreg != CRM__XREG_NONE;
            S.best_ic = INFINITY;
            crm__arima_result_free(&S.best);
            double ic = try_model(&S, bs.p, bs.q, bs.P, bs.Q, bc, 0, 1);
            if (!(ic < INFINITY) && !S.fatal) {
                /* search again without the approximation */
                for (int i = 0; i <= max_p && !S.fatal; i++)
                    for (int j = 0; j <= max_q; j++)
                        for (int I = 0; I <= max_P; I++)
                            for (int J = 0; J <= max_Q; J++) {
                                if (i + j + I + J > ao->max_order) continue;
                                for (int K = 0; K <= maxK; K++)
                                    try_model(&S, i, j, I, J, K, 0, 1);
                            }
            }
        }
    } else {
        int start_p = ao->start_p, start_q = ao->start_q, start_P = ao->start_P,
            start_Q = ao->start_Q;
        if (nx < 10) {
            if (start_p > 1) start_p = 1;
            if (start_q > 1) start_q = 1;
            start_P = start_Q = 0;
        }
        int p = start_p < max_p ? start_p : max_p;
        int q = start_q < max_q ? start_q : max_q;
        int P = start_P < max_P ? start_P : max_P;
        int Q = start_Q < max_Q ? start_Q : max_Q;
        /* k counts the rows of res (models tried), as R's `k` */
        double best = try_model(&S, p, q, P, Q, constant, approximation, 1);
        push(res, &k, p, q, P, Q, constant, best);
        double ic = try_model(&S, 0, 0, 0, 0, constant, approximation, 1);
        push(res, &k, 0, 0, 0, 0, constant, ic);
        if (ic < best) {
            best = ic;
            p = q = P = Q = 0;
        }
        if (max_p > 0 || max_P > 0) {
            int pp = max_p > 0, PP = (m > 1) && (max_P > 0);
            ic = try_model(&S, pp, 0, PP, 0, constant, approximation, 1);
            push(res, &k, pp, 0, PP, 0, constant, ic);
            if (ic < best) {
                best = ic;
                p = pp;
                P = PP;
                q = Q = 0;
            }
        }
        if (max_q > 0 || max_Q > 0) {
            int qq = max_q > 0, QQ = (m > 1) && (max_Q > 0);
            ic = try_model(&S, 0, qq, 0, QQ, constant, approximation, 1);
            push(res, &k, 0, qq, 0, QQ, constant, ic);
            if (ic < best) {
                best = ic;
                p = P = 0;
                Q = QQ;
                q = qq;
            }
        }
        if (constant) {
            ic = try_model(&S, 0, 0, 0, 0, 0, approximation, 1);
            push(res, &k, 0, 0, 0, 0, 0, ic);
            if (ic < best) {
                best = ic;
                p = q = P = Q = 0;
            }
        }
        int startk = 0;
        while (startk < k && k < nmodels && !S.fatal) {
            startk = k;
            /* the neighbours in forecast's order; the last toggles the constant */
            int mv[17][6] = {
                {P > 0, p, q, P - 1, Q, constant},
                {Q > 0, p, q, P, Q - 1, constant},
                {P < max_P, p, q, P + 1, Q, constant},
                {Q < max_Q, p, q, P, Q + 1, constant},
                {Q > 0 && P > 0, p, q, P - 1, Q - 1, constant},
                {Q < max_Q && P > 0, p, q, P - 1, Q + 1, constant},
                {Q > 0 && P < max_P, p, q, P + 1, Q - 1, constant},
                {Q < max_Q && P < max_P, p, q, P + 1, Q + 1, constant},
                {p > 0, p - 1, q, P, Q, constant},
                {q > 0, p, q - 1, P, Q, constant},
                {p < max_p, p + 1, q, P, Q, constant},
                {q < max_q, p, q + 1, P, Q, constant},
                {q > 0 && p > 0, p - 1, q - 1, P, Q, constant},
                {q < max_q && p > 0, p - 1, q + 1, P, Q, constant},
                {q > 0 && p < max_p, p + 1, q - 1, P, Q, constant},
                {q < max_q && p < max_p, p + 1, q + 1, P, Q, constant},
                {allowdrift || allowmean, p, q, P, Q, !constant},
            };
            for (int i = 0; i < 17 && !S.fatal; i++) {
                int *c = mv[i];
                if (!c[0] || in_results(res, k, c[1], c[2], c[3], c[4], c[5])) continue;
                k++;
                if (k > nmodels) break; /* R's `next` past the limit ends the search */
                ic = try_model(&S, c[1], c[2], c[3], c[4], c[5], approximation, 1);
                res[k - 1].p = c[1];
                res[k - 1].q = c[2];
                res[k - 1].P = c[3];
                res[k - 1].Q = c[4];
                res[k - 1].constant = c[5];
                res[k - 1].ic = ic;
                if (ic < best) {
                    best = ic;
                    p = c[1];
                    q = c[2];
                    P = c[3];
                    Q = c[4];
                    constant = c[5];
                    if (i < 16) break; /* R's `next`: restart from the new model */
                }
            }
        }
        if (k > nmodels) k = nmodels;
        if (approximation && !S.fatal) refit_exact(&S, res, k);
    }
    crm__free(res);
    *nfits = S.nfits;
    if (S.fatal) {
        crm__arima_result_free(&S.best);
        return S.fatal;
    }
    if (!(S.best_ic < INFINITY)) {
        crm__arima_result_free(&S.best);
        return crm__error(CRM_E_NUMERIC, "auto ARIMA: no suitable ARIMA model found (%d tried)",
                          S.nfits);
    }
    *res_out = S.best;
    *spec_out = S.best_spec;
    spec_out->fixed = NULL;
    return CRM_OK;
}
