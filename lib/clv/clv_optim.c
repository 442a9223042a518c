/* Maximum likelihood for the CLV models: BFGS on the logarithms of the
 * parameters with a backtracking (Armijo) line search, then Newton steps on
 * a Hessian from central differences of the analytic gradient; standard
 * errors from the Hessian in the natural parameters. Dimension <= 4. */
#include "clv/clv_internal.h"

#include <math.h>
#include <string.h>

#define MAXD 4
#define PHI_MAX 40.0 /* |log parameter| limit: e^40 ~ 2e17 */

typedef struct problem {
    const crm__clv_data *d;
    double (*loglik)(const crm__clv_data *, const double *, double *);
    int dim;
    double l2;
} problem;

/* Objective in phi = log theta: -(1/n) loglik + l2 |theta|^2, and its
 * gradient in phi. INFINITY when not finite. */
static double objective(const problem *pb, const double *phi, double *g)
{
    double th[MAXD], gt[MAXD], pen = 0;
    for (int i = 0; i < pb->dim; i++) {
        th[i] = exp(phi[i]);
        pen += th[i] * th[i];
    }
    double ll = pb->loglik(pb->d, th, gt), n = pb->d->total;
    double f = -ll / n + pb->l2 * pen;
    if (!isfinite(f)) return INFINITY;
    for (int i = 0; i < pb->dim; i++) {
        g[i] = th[i] * (-gt[i] / n + 2 * pb->l2 * th[i]);
        if (!isfinite(g[i])) return INFINITY;
    }
    return f;
}

static double maxabs(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    return m;
}

static double dot(const double *a, const double *b, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* Backtracking along d from phi (f, g there); on success phi, f, g move. */
static int line_search(const problem *pb, double *phi, double *f, double *g, const double *d)
{
    int n = pb->dim;
    double slope = dot(g, d, n), s = 1, pn[MAXD], gn[MAXD];
    for (int ls = 0; ls < 60; ls++, s *= 0.5) {
        int out = 0;
        for (int i = 0; i < n; i++) {
            pn[i] = phi[i] + s * d[i];
            out |= fabs(pn[i]) > PHI_MAX;
        }
        if (out) continue;
        double fn = objective(pb, pn, gn);
        /* Armijo; or, where f no longer resolves the decrease (near the optimum its
         * changes are rounding), a step that does not raise f beyond rounding and
         * shrinks the gradient */
        int noise = fabs(fn - *f) <= 1e-13 * fabs(*f) && maxabs(gn, n) < maxabs(g, n);
        if (fn <= *f + 1e-4 * s * slope || noise) {
            memcpy(phi, pn, sizeof(double) * (size_t)n);
            memcpy(g, gn, sizeof(double) * (size_t)n);
            *f = fn;
            return 1;
        }
    }
    return 0;
}

/* Cholesky solve of H x = b (H n x n, overwritten by its factor). 0 when H
 * is not positive definite. */
static int chol_solve(double *H, int n, const double *b, double *x)
{
    for (int j = 0; j < n; j++) {
        double s = H[j * n + j];
        for (int k = 0; k < j; k++)
            s -= H[j * n + k] * H[j * n + k];
        if (!(s > 0)) return 0;
        H[j * n + j] = sqrt(s);
        for (int i = j + 1; i < n; i++) {
            double t = H[i * n + j];
            for (int k = 0; k < j; k++)
                t -= H[i * n + k] * H[j * n + k];
            H[i * n + j] = t / H[j * n + j];
        }
    }
    double y[MAXD];
    for (int i = 0; i < n; i++) {
        double t = b[i];
        for (int k = 0; k < i; k++)
            t -= H[i * n + k] * y[k];
        y[i] = t / H[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double t = y[i];
        for (int k = i + 1; k < n; k++)
            t -= H[k * n + i] * x[k];
        x[i] = t / H[i * n + i];
    }
    return 1;
}

/* Hessian of the objective in phi by central differences of the gradient. */
static int hessian_phi(const problem *pb, const double *phi, double *H)
{
    int n = pb->dim;
    const double h = 1e-5;
    for (int j = 0; j < n; j++) {
        double p1[MAXD], p2[MAXD], g1[MAXD], g2[MAXD];
        memcpy(p1, phi, sizeof p1);
        memcpy(p2, phi, sizeof p2);
        p1[j] += h;
        p2[j] -= h;
        if (!isfinite(objective(pb, p1, g1)) || !isfinite(objective(pb, p2, g2))) return 0;
        for (int i = 0; i < n; i++)
            H[i * n + j] = (g1[i] - g2[i]) / (2 * h);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
    return 1;
}

/* BFGS iterations; returns the number done. */
static int bfgs(const problem *pb, double *phi, double *f, double *g, int max_iter, double tol)
{
    int n = pb->dim, it = 0;
    double Hi[MAXD * MAXD];
    for (int i = 0; i < n * n; i++)
        Hi[i] = (i % (n + 1)) == 0;
    for (; it < max_iter && maxabs(g, n) > tol; it++) {
        double d[MAXD], po[MAXD], go[MAXD];
        for (int i = 0; i < n; i++) {
            d[i] = 0;
            for (int j = 0; j < n; j++)
                d[i] -= Hi[i * n + j] * g[j];
        }
        if (dot(d, g, n) >= 0) {
            for (int i = 0; i < n * n; i++)
                Hi[i] = (i % (n + 1)) == 0;
            for (int i = 0; i < n; i++)
                d[i] = -g[i];
        }
        double m = maxabs(d, n);
        if (m > 2)
            for (int i = 0; i < n; i++)
                d[i] *= 2 / m;
        memcpy(po, phi, sizeof po);
        memcpy(go, g, sizeof go);
        if (!line_search(pb, phi, f, g, d)) break;
        double s[MAXD], y[MAXD], Hy[MAXD];
        for (int i = 0; i < n; i++) {
            s[i] = phi[i] - po[i];
            y[i] = g[i] - go[i];
        }
        double sy = dot(s, y, n);
        if (!(sy > 1e-300) || !(sy > 1e-14 * sqrt(dot(s, s, n) * dot(y, y, n)))) continue;
        if (it == 0) /* scale the first approximation (Nocedal and Wright 6.20) */
            for (int i = 0; i < n * n; i++)
                Hi[i] *= sy / dot(y, y, n);
        for (int i = 0; i < n; i++) {
            Hy[i] = 0;
            for (int j = 0; j < n; j++)
                Hy[i] += Hi[i * n + j] * y[j];
        }
        double yHy = dot(y, Hy, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Hi[i * n + j] += ((sy + yHy) * s[i] * s[j]) / (sy * sy) -
                                 (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
    }
    return it;
}

/* Newton steps until the gradient stops shrinking. The last Hessian computed
 * (in phi) is left in Hl, *have_h set when there is one. */
static int newton(const problem *pb, double *phi, double *f, double *g, double tol, double *Hl,
                  int *have_h)
{
    int n = pb->dim, it = 0;
    *have_h = 0;
    for (; it < 20 && maxabs(g, n) > 1e-3 * tol; it++) {
        double H[MAXD * MAXD], d[MAXD], mg[MAXD], g0 = maxabs(g, n);
        if (!hessian_phi(pb, phi, H)) break;
        memcpy(Hl, H, sizeof H);
        *have_h = 1;
        for (int i = 0; i < n; i++)
            mg[i] = -g[i];
        if (!chol_solve(H, n, mg, d)) break;
        double po[MAXD], go[MAXD], fo = *f;
        memcpy(po, phi, sizeof po);
        memcpy(go, g, sizeof go);
        if (!line_search(pb, phi, f, g, d) || maxabs(g, n) >= g0) {
            if (maxabs(g, n) >= g0) { /* keep the better point */
                memcpy(phi, po, sizeof po);
                memcpy(g, go, sizeof go);
                *f = fo;
            }
            break;
        }
    }
    return it;
}

/* Standard errors from Hp, the Hessian of the objective in phi (from central
 * differences of the gradient, at or one Newton step before the optimum): in
 * theta, f_ij = (Hp_ij - [i = j] g_i) / (theta_i theta_j); the covariance is the
 * inverse of n f''. NaN when it is not positive definite. */
static void std_errors(const problem *pb, const double *phi, const double *g, const double *Hp,
                       double *se)
{
    int n = pb->dim;
    double H[MAXD * MAXD], th[MAXD], N = pb->d->total;
    for (int i = 0; i < n; i++) {
        th[i] = exp(phi[i]);
        se[i] = NAN;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            H[i * n + j] = N * (Hp[i * n + j] - (i == j ? g[i] : 0)) / (th[i] * th[j]);
    for (int c = 0; c < n; c++) {
        double Hc[MAXD * MAXD], e[MAXD] = {0}, col[MAXD];
        memcpy(Hc, H, sizeof Hc);
        e[c] = 1;
        if (!chol_solve(Hc, n, e, col)) return;
        se[c] = sqrt(col[c]);
    }
}

crm_status crm__clv_maximize(const crm__clv_data *d,
                             double (*loglik)(const crm__clv_data *, const double *, double *),
                             int dim, const double *theta0, double l2, int max_iter, double tol,
                             crm__clv_fit *out)
{
    problem pb = {d, loglik, dim, l2};
    double phi[MAXD] = {0}, g[MAXD] = {0};
    memset(out, 0, sizeof *out);
    for (int i = 0; i < dim; i++)
        phi[i] = log(theta0[i]);
    double f = objective(&pb, phi, g);
    if (!isfinite(f))
        return crm__error(CRM_E_NUMERIC, "the likelihood is not finite at the starting point");
    double Hp[MAXD * MAXD];
    int have_h = 0;
    int it = bfgs(&pb, phi, &f, g, max_iter, tol);
    it += newton(&pb, phi, &f, g, tol, Hp, &have_h);
    for (int i = 0; i < dim; i++) {
        out->theta[i] = exp(phi[i]);
        if (!isfinite(out->theta[i]) || fabs(phi[i]) >= PHI_MAX - 1)
            return crm__error(CRM_E_NUMERIC,
                              "the likelihood has no finite maximum (parameter %d runs to %s)",
                              i + 1, phi[i] > 0 ? "infinity" : "zero");
    }
    out->iterations = it;
    out->converged = maxabs(g, dim) <= tol;
    out->loglik = loglik(d, out->theta, NULL);
    if (!have_h && !hessian_phi(&pb, phi, Hp))
        for (int i = 0; i < dim; i++)
            out->se[i] = NAN;
    else
        std_errors(&pb, phi, g, Hp, out->se);
    return CRM_OK;
}
