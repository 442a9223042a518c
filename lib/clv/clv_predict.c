/* Per-customer predictions of the CLV model: P(alive), expected purchases
 * (FHL 2005, through Euler's transformation of the hypergeometric function),
 * expected spend (Gamma-Gamma) and the discounted CLV. Formulas in
 * include/crm/clv.h. */
#include "clv/clv_internal.h"

#include <math.h>

/* ln of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x), the odds of having dropped out. */
static double log_odds_dead(const double *bg, double x, double tx, double T)
{
    double r = bg[0], al = bg[1], a = bg[2], b = bg[3];
    return log(a) - log(b + x - 1) + (r + x) * (log(al + T) - log(al + tx));
}

double crm__clv_p_alive(const double *bg, double x, double tx, double T)
{
    if (x == 0) return 1;
    double z = log_odds_dead(bg, x, tx, T);
    if (z > 0) {
        double e = exp(-z);
        return e / (1 + e);
    }
    return 1 / (1 + exp(z));
}

/* expm1(e L) / e, continuous at e = 0 (value L). */
static double expm1_ratio(double e, double L)
{
    double u = e * L;
    if (fabs(u) < 1e-5) return L * (1 + u / 2 + u * u / 6);
    return expm1(u) / e;
}

/* ln(1 + e^y) without overflow. */
static double softplus(double y)
{
    return y > 0 ? y + log1p(exp(-y)) : log1p(exp(y));
}

/* h(p) = (1 - (1 + p u)^-s) / p, the expected purchases in the next t periods
 * of a customer alive with dropout probability p, averaged over his rate
 * (s = r + x, u = t / (alpha + T)); h(0) = s u. */
static double h_fixed(double p, double s, double u)
{
    double e = s * log1p(p * u);
    if (p * u < 1e-300) return s * u;
    return -expm1(-e) / p;
}

/* E[h(p)] for p ~ Beta(A, B) by the trapezoidal rule in y = logit(p), where
 * the density is proportional to exp(A y - (A + B) ln(1 + e^y)): smooth,
 * log-concave, analytic in the strip |Im y| < pi, so the rule converges
 * geometrically; the step is at most half the standard deviation in y and
 * 1/4, the range goes out from the mode until the weights fall below e^-46.
 * The normalising constant is formed by the same sum (no log-beta
 * difference of huge arguments). Used when A is large, where the series of
 * crm__clv_expected() would need about A z terms and overflows. */
static double beta_mean_h(double A, double B, double s, double u)
{
    double nu = A + B, mu = A / nu, y0 = log(A) - log(B);
    double sd = sqrt(nu / (A * B)), step = sd / 2 < 0.25 ? sd / 2 : 0.25;
    double num = h_fixed(mu, s, u), den = 1;
    for (int dir = -1; dir <= 1; dir += 2) {
        for (int k = 1; k < 100000; k++) {
            double d = dir * k * step, y = y0 + d;
            /* ln density(y) - ln density(y0) = A d - nu ln(1 + mu (e^d - 1)) */
            double lw = A * d - nu * log1p(mu * expm1(d));
            if (lw < -46) break;
            double w = exp(lw), p = y > 0 ? 1 / (1 + exp(-y)) : exp(y - softplus(y));
            num += w * h_fixed(p, s, u);
            den += w;
        }
    }
    return num / den;
}

double crm__clv_expected(const double *bg, double x, double tx, double T, double t)
{
    if (t == 0) return 0;
    double r = bg[0], al = bg[1], a = bg[2], b = bg[3];
    double z = t / (al + T + t), L = -log1p(t / (al + T)); /* L = ln(1 - z) */
    double C = a + b + x - 1, CA = a + b - 1 - r;
    /* Large a: (1 - z)^(a-1) underflows while the series grows like its
     * inverse (NaN, or millions of terms); take the posterior expectation
     * E[h(p)], p ~ Beta(a, b + x), instead (the same quantity). */
    if ((a - 1) * -L > 40) return beta_mean_h(a, b + x, r + x, t / (al + T)) *
                                  crm__clv_p_alive(bg, x, tx, T);
    /* sum_k>=1 (CA)_k (a)_(k-1) / ((C)_k k!) z^k: terms of one sign from the
     * point where CA + k > 0 on; stop once they no longer change the sum. */
    double term = CA * z / C, S = term;
    for (long k = 1; k < 10000000L; k++) {
        term *= (CA + (double)k) * (a + (double)k - 1) * z / ((C + (double)k) * (double)(k + 1));
        S += term;
        if (term == 0 || (fabs(term) <= 1e-17 * fabs(S) && (double)k > -CA)) break;
    }
    double G = -expm1_ratio(a - 1, L) - exp((a - 1) * L) * S;
    double pa = crm__clv_p_alive(bg, x, tx, T);
    return C * G * pa;
}

double crm__clv_spend(const double *gg, double x, double m)
{
    double p = gg[0], q = gg[1], v = gg[2];
    if (!(q > 1)) return NAN;
    if (x == 0) return p * v / (q - 1);
    return p * (v + x * m) / (p * x + q - 1);
}

double crm__clv_value(const double *bg, const double *gg, double x, double tx, double T, double m,
                      int months, double discount, double per_month)
{
    double spend = crm__clv_spend(gg, x, m), prev = 0, sum = 0;
    for (int i = 1; i <= months; i++) {
        double e = crm__clv_expected(bg, x, tx, T, i * per_month);
        sum += spend * (e - prev) / pow(1 + discount, i);
        prev = e;
    }
    return sum;
}
