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
    int max_p, max_q, max_P, max_Q; /* the largest orders searched */
    int approx;     /* CSS fits while searching */
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

/* The current model of the stepwise search and its criterion. */
typedef struct step {
    int p, q, P, Q, constant;
    double best;
} step;

/* Fit the candidate, record it in res, and make its orders the current ones
 * when its criterion beats the best (the constant stays, as forecast's). */
static void step_try(search *S, step *t, cand *res, int *k, int p, int q, int P, int Q, int c)
{
    double ic = try_model(S, p, q, P, Q, c, S->approx, 1);
    push(res, k, p, q, P, Q, c, ic);
    if (ic < t->best) {
        t->best = ic;
        t->p = p;
        t->q = q;
        t->P = P;
        t->Q = Q;
    }
}

/* The stepwise search's first models: the start, the white noise, an AR(1)
 * and an MA(1) (seasonal ones where seasonal), and the start without its
 * constant; res gets them (k counts the rows, as R's `k`). */
static void step_first(search *S, const crm__auto_opts *ao, step *t, cand *res, int *k)
{
    int start_p = ao->start_p, start_q = ao->start_q, start_P = ao->start_P,
        start_Q = ao->start_Q;
    if (S->n < 10) {
        if (start_p > 1) start_p = 1;
        if (start_q > 1) start_q = 1;
        start_P = start_Q = 0;
    }
    int m = S->s, c = t->constant;
    t->p = start_p < S->max_p ? start_p : S->max_p;
    t->q = start_q < S->max_q ? start_q : S->max_q;
    t->P = start_P < S->max_P ? start_P : S->max_P;
    t->Q = start_Q < S->max_Q ? start_Q : S->max_Q;
    t->best = try_model(S, t->p, t->q, t->P, t->Q, c, S->approx, 1);
    push(res, k, t->p, t->q, t->P, t->Q, c, t->best);
    step_try(S, t, res, k, 0, 0, 0, 0, c);
    if (S->max_p > 0 || S->max_P > 0)
        step_try(S, t, res, k, S->max_p > 0, 0, (m > 1) && (S->max_P > 0), 0, c);
    if (S->max_q > 0 || S->max_Q > 0)
        step_try(S, t, res, k, 0, S->max_q > 0, 0, (m > 1) && (S->max_Q > 0), c);
    if (c) step_try(S, t, res, k, 0, 0, 0, 0, 0);
}

/* One round of the stepwise search: the current model's neighbours in
 * forecast's order (the last toggles the constant), each not yet tried
 * fitted until one beats the current model, which it then replaces. */
static void step_round(search *S, step *t, int allow_constant, int nmodels, cand *res, int *k)
{
    int p = t->p, q = t->q, P = t->P, Q = t->Q, constant = t->constant;
    int max_p = S->max_p, max_q = S->max_q, max_P = S->max_P, max_Q = S->max_Q;
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
        {allow_constant, p, q, P, Q, !constant},
    };
    for (int i = 0; i < 17 && !S->fatal; i++) {
        int *c = mv[i];
        if (!c[0] || in_results(res, *k, c[1], c[2], c[3], c[4], c[5])) continue;
        if (*k >= nmodels) {
            (*k)++; /* R's `next` past the limit ends the search */
            break;
        }
        double ic = try_model(S, c[1], c[2], c[3], c[4], c[5], S->approx, 1);
        push(res, k, c[1], c[2], c[3], c[4], c[5], ic);
        if (ic < t->best) {
            t->best = ic;
            t->p = c[1];
            t->q = c[2];
            t->P = c[3];
            t->Q = c[4];
            t->constant = c[5];
            if (i < 16) break; /* R's `next`: restart from the new model */
        }
    }
}

/* forecast's stepwise search from the start model, at most nmodels models,
 * then (approximating) the exact refit of the best. res: nmodels + 400 rows. */
static void search_stepwise(search *S, const crm__auto_opts *ao, int constant, int allow_constant,
                            cand *res)
{
    int nmodels = ao->nmodels, k = 0;
    step t = {0, 0, 0, 0, constant, INFINITY};
    step_first(S, ao, &t, res, &k);
    int startk = 0;
    while (startk < k && k < nmodels && !S->fatal) {
        startk = k;
        step_round(S, &t, allow_constant, nmodels, res, &k);
    }
    if (k > nmodels) k = nmodels;
    if (S->approx && !S->fatal) refit_exact(S, res, k);
}

/* Fit every order with p+q+P+Q <= max_order, with and without the constant
 * (up to max_constant), approximating or not; with res, record them (up to
 * nmodels + 399 rows). */
static void grid_pass(search *S, const crm__auto_opts *ao, int max_constant, int approx,
                      cand *res, int *k)
{
    for (int i = 0; i <= S->max_p && !S->fatal; i++)
        for (int j = 0; j <= S->max_q; j++)
            for (int I = 0; I <= S->max_P; I++)
                for (int J = 0; J <= S->max_Q; J++) {
                    if (i + j + I + J > ao->max_order) continue;
                    for (int K = 0; K <= max_constant; K++) {
                        double ic = try_model(S, i, j, I, J, K, approx, 1);
                        if (res && *k < ao->nmodels + 399) push(res, k, i, j, I, J, K, ic);
                    }
                }
}

/* The search over every order; approximating, the best refitted exactly, and
 * when that fails, every order again without the approximation. */
static void search_grid(search *S, const crm__auto_opts *ao, int constant, cand *res)
{
    int k = 0;
    grid_pass(S, ao, constant, S->approx, res, &k);
    if (!S->approx || !(S->best_ic < INFINITY) || S->fatal) return;
    crm__arima_spec bs = S->best_spec;
    int bc = bs.xreg != CRM__XREG_NONE;
    S->best_ic = INFINITY;
    crm__arima_result_free(&S->best);
    double ic = try_model(S, bs.p, bs.q, bs.P, bs.Q, bc, 0, 1);
    if (!(ic < INFINITY) && !S->fatal) grid_pass(S, ao, constant, 0, NULL, &k);
}

/* The observed part of y: from the first observed value on (*first), the
 * number of observed values up to the last one, and whether any inside is
 * missing. Returns 0 when none is observed. */
static int observed_span(const double *y, int n, int *first, int *serieslength, int *anyna)
{
    int f = 0, last = n - 1;
    while (f < n && isnan(y[f]))
        f++;
    while (last >= 0 && isnan(y[last]))
        last--;
    if (f > last) return 0;
    *first = f;
    *serieslength = 0;
    *anyna = 0;
    for (int i = f; i <= last; i++) {
        if (!isnan(y[i]))
            (*serieslength)++;
        else
            *anyna = 1;
    }
    return 1;
}

/* Whether the observed values of the search's series are all the same
 * (-1: no memory); *mean gets their mean when they are. */
static int series_constant(const search *S, double *mean)
{
    double *obs = crm__malloc_array((size_t)S->serieslength + 1, sizeof *obs);
    if (!obs) return -1;
    int k = 0;
    for (int i = 0; i < S->n; i++)
        if (!isnan(S->x[i])) obs[k++] = S->x[i];
    int constant = crm__is_constant(obs, S->serieslength);
    if (constant) {
        double sum = 0.0;
        for (int i = 0; i < S->serieslength; i++)
            sum += obs[i];
        *mean = sum / S->serieslength;
    }
    crm__free(obs);
    return constant;
}

/* Fit spec as the answer of the search without searching (one model). */
static crm_status fit_only(const search *S, crm__arima_spec sp, crm__arima_spec *spec_out,
                           crm__arima_result *res_out, int *nfits)
{
    crm_status st = crm__arima_fit_series(S->x, S->n, &sp, res_out);
    if (st != CRM_OK) return st;
    sp.fixed = NULL;
    *spec_out = sp;
    *nfits = 1;
    return CRM_OK;
}

/* The largest orders: the options', at most a third of the observations
 * (seasonal: a third of the seasons), no seasonal terms without a season, and
 * non-seasonal orders below the season with seasonal terms. */
static void search_limits(search *S, const crm__auto_opts *ao)
{
    int sl = S->serieslength, m = S->s;
    S->max_p = ao->max_p < sl / 3 ? ao->max_p : sl / 3;
    S->max_q = ao->max_q < sl / 3 ? ao->max_q : sl / 3;
    S->max_P = ao->max_P < sl / 3 / m ? ao->max_P : sl / 3 / m;
    S->max_Q = ao->max_Q < sl / 3 / m ? ao->max_Q : sl / 3 / m;
    if (m == 1) S->max_P = S->max_Q = 0;
    if (m > 1) {
        if (S->max_P > 0 && S->max_p > m - 1) S->max_p = m - 1;
        if (S->max_Q > 0 && S->max_q > m - 1) S->max_q = m - 1;
    }
}

/* Seasonal differences: the options' D, or from the seasonal-strength test
 * (none without a season, with two seasons or less, or with missing values);
 * -1: no memory. */
static int seasonal_diffs(const search *S, const crm__auto_opts *ao, int anyna)
{
    int D = ao->D, m = S->s, nx = S->n;
    if (m == 1) return 0;
    if (D >= 0) return D;
    if (nx <= 2 * m) return 0;
    if (anyna) {
        D = 0; /* the seasonal-strength test needs a complete series */
    } else {
        D = crm__nsdiffs(S->x, nx, m, ao->max_D);
        if (D < 0) return -1;
    }
    if (D > 0 && nx - D * m <= 0) D--;
    return D;
}

/* dx (S->n + 1 doubles) = the series differenced D times at the season and
 * then d times, d the options' or from the KPSS tests on the seasonally
 * differenced series (missing values omitted). *nd: the length of dx.
 * Returns d, or -1 (no memory). */
static int difference(const search *S, const crm__auto_opts *ao, int D, double *dx, int *nd)
{
    int m = S->s, d = ao->d, len = S->n;
    memcpy(dx, S->x, (size_t)S->n * sizeof *dx);
    for (int i = 0; i < D; i++) {
        for (int j = 0; j + m < len; j++)
            dx[j] = dx[j + m] - dx[j];
        len = len > m ? len - m : 0;
    }
    if (d < 0) {
        /* na.omit */
        int k = 0;
        double *tmp = crm__malloc_array((size_t)len + 1, sizeof *tmp);
        if (!tmp) return -1;
        for (int i = 0; i < len; i++)
            if (!isnan(dx[i])) tmp[k++] = dx[i];
        d = crm__ndiffs(tmp, k, ao->max_d);
        crm__free(tmp);
        if (d < 0) return -1;
        if (d > 0 && len - d <= 0) d--;
    }
    for (int i = 0; i < d; i++) {
        for (int j = 0; j + 1 < len; j++)
            dx[j] = dx[j + 1] - dx[j];
        len = len > 0 ? len - 1 : 0;
    }
    *nd = len;
    return d;
}

/* Choose d and D (S->d, S->D) and whether the differenced series is constant
 * (*flat, its mean in *mean). */
static crm_status choose_diffs(search *S, const crm__auto_opts *ao, int anyna, int *flat,
                               double *mean)
{
    int D = seasonal_diffs(S, ao, anyna);
    if (D < 0) return crm__nomem();
    double *dx = crm__malloc_array((size_t)S->n + 1, sizeof *dx);
    if (!dx) return crm__nomem();
    int nd;
    int d = difference(S, ao, D, dx, &nd);
    if (d < 0) {
        crm__free(dx);
        return crm__nomem();
    }
    S->d = d;
    S->D = D;
    if (nd == 0) {
        crm__free(dx);
        return crm__error(CRM_E_INVALID, "auto ARIMA: not enough data after differencing");
    }
    int k = 0;
    double sum = 0.0;
    for (int i = 0; i < nd; i++)
        if (!isnan(dx[i])) {
            dx[k++] = dx[i];
            sum += dx[i];
        }
    *mean = sum / (k > 0 ? k : 1);
    *flat = k > 0 && crm__is_constant(dx, k);
    crm__free(dx);
    return CRM_OK;
}

/* A series constant after differencing: no ARMA terms, a drift or mean held
 * at the differenced series' mean where d and D allow one. */
static crm_status fit_flat(const search *S, double mean, crm__arima_spec *spec_out,
                           crm__arima_result *res_out, int *nfits)
{
    int d = S->d, D = S->D, m = S->s;
    crm__arima_spec sp = S->base;
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
        return crm__error(CRM_E_INVALID, "auto ARIMA: the data follow a simple polynomial and "
                                         "are not suitable for ARIMA modelling");
    }
    sp.fixed = sp.xreg != CRM__XREG_NONE ? &fx : NULL;
    return fit_only(S, sp, spec_out, res_out, nfits);
}

/* Approximating: the offset of the CSS criterion, from a CSS-ML fit of the
 * differenced white noise (0 when it fails). */
static crm_status approx_offset(search *S)
{
    crm__arima_spec sp = S->base;
    sp.p = sp.q = sp.P = sp.Q = 0;
    sp.d = S->d;
    sp.D = S->D;
    sp.s = S->D > 0 ? S->s : 1;
    sp.xreg = S->d + S->D == 0 ? CRM__XREG_MEAN : CRM__XREG_NONE;
    sp.method = CRM_ARIMA_CSS_ML;
    sp.want_hessian = 1;
    crm__arima_result r;
    crm_status st = crm__arima_fit_series(S->x, S->n, &sp, &r);
    if (st == CRM_E_NOMEM) return st;
    S->offset = st == CRM_OK ? -2 * r.loglik - S->serieslength * log(r.sigma2) : 0.0;
    if (st == CRM_OK) crm__arima_result_free(&r);
    return CRM_OK;
}

/* Search the orders (grid or stepwise) and hand over the best fit. */
static crm_status search_run(search *S, const crm__auto_opts *ao, crm__arima_spec *spec_out,
                             crm__arima_result *res_out, int *nfits)
{
    int d = S->d, D = S->D;
    int allowdrift = ao->allow_drift && d + D == 1;
    int allowmean = ao->allow_mean && d + D == 0;
    int constant = allowdrift || allowmean;
    int nmodels = ao->nmodels;
    cand *res = crm__calloc((size_t)(nmodels > 0 ? nmodels : 1) + 400, sizeof *res);
    if (!res) return crm__nomem();
    if (!ao->stepwise)
        search_grid(S, ao, constant, res);
    else
        search_stepwise(S, ao, constant, allowdrift || allowmean, res);
    crm__free(res);
    *nfits = S->nfits;
    if (S->fatal) {
        crm__arima_result_free(&S->best);
        return S->fatal;
    }
    if (!(S->best_ic < INFINITY)) {
        crm__arima_result_free(&S->best);
        return crm__error(CRM_E_NUMERIC, "auto ARIMA: no suitable ARIMA model found (%d tried)",
                          S->nfits);
    }
    *res_out = S->best;
    *spec_out = S->best_spec;
    spec_out->fixed = NULL;
    return CRM_OK;
}

crm_status crm__arima_auto(const double *y, int n, int s, const crm__auto_opts *ao,
                           const crm__arima_spec *base, crm__arima_spec *spec_out,
                           crm__arima_result *res_out, int *nfits)
{
    memset(res_out, 0, sizeof *res_out);
    *nfits = 0;
    int first, serieslength, anyna;
    if (!observed_span(y, n, &first, &serieslength, &anyna))
        return crm__error(CRM_E_INVALID, "auto ARIMA: no observed values");
    search S;
    memset(&S, 0, sizeof S);
    S.x = y + first;
    S.n = n - first;
    S.serieslength = serieslength;
    S.base = *base;
    S.base.method = ao->method;
    S.best_ic = INFINITY;
    S.ic_kind = ao->ic;
    S.s = s < 1 ? 1 : s;
    double mean = 0.0;
    int constant = series_constant(&S, &mean);
    if (constant < 0) return crm__nomem();
    if (constant) {
        /* constant: ARIMA(0,0,0) with the mean held at the series' value */
        crm__arima_spec sp = S.base;
        sp.p = sp.d = sp.q = sp.P = sp.D = sp.Q = 0;
        sp.s = 1;
        sp.xreg = CRM__XREG_MEAN;
        sp.method = sp.method < 0 ? CRM_ARIMA_CSS_ML : sp.method;
        sp.fixed = &mean;
        return fit_only(&S, sp, spec_out, res_out, nfits);
    }
    search_limits(&S, ao);
    if (serieslength <= 3) S.ic_kind = 1;
    int flat = 0;
    crm_status st = choose_diffs(&S, ao, anyna, &flat, &mean);
    if (st != CRM_OK) return st;
    if (flat) return fit_flat(&S, mean, spec_out, res_out, nfits);
    S.approx = ao->approximation;
    if (S.approx < 0) S.approx = S.n > 150 || S.s > 12;
    if (S.approx && (st = approx_offset(&S)) != CRM_OK) return st;
    return search_run(&S, ao, spec_out, res_out, nfits);
}
