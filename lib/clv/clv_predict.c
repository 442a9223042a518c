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

double crm__clv_expected(const double *bg, double x, double tx, double T, double t)
{
    if (t == 0) return 0;
    double r = bg[0], al = bg[1], a = bg[2], b = bg[3];
    double z = t / (al + T + t), L = -log1p(t / (al + T)); /* L = ln(1 - z) */
    double C = a + b + x - 1, CA = a + b - 1 - r;
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
