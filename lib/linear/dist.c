/* Distribution functions for p-values and intervals: the regularized
 * incomplete beta function (continued fraction, modified Lentz), Student's
 * t and F tails, the t quantile; the normal tail comes from libm's erfc. */
#include "linear/linear_internal.h"

#include <float.h>
#include <math.h>

#define LN_SQRT_2PI 0.91893853320467274178

/* lgamma(x) - ((x - 0.5) log x - x + log sqrt(2 pi)), the Stirling remainder,
 * for x >= 10 (series to x^-13: error below 1e-17). */
static double stirling_rest(double x)
{
    double r = 1.0 / x, r2 = r * r;
    return r * (1.0 / 12 - r2 * (1.0 / 360 -
                                 r2 * (1.0 / 1260 -
                                       r2 * (1.0 / 1680 - r2 * (1.0 / 1188 - r2 * (691.0 / 360360 -
                                                                                   r2 / 156.0))))));
}

/* log B(a, b), accurate also when a or b is large (no cancellation of large
 * lgamma values). */
static double log_beta(double a, double b)
{
    if (a < b) {
        double t = a;
        a = b;
        b = t;
    }
    /* now a >= b */
    if (a < 10.0) return crm__lgamma(a) + crm__lgamma(b) - crm__lgamma(a + b);
    double ab = a + b;
    if (b < 10.0) {
        /* lgamma(a) - lgamma(a + b) = -[(a - 0.5) log1p(b / a) + b log(a + b) - b]
         *                             + rest(a) - rest(a + b) */
        double d = (a - 0.5) * log1p(b / a) + b * log(ab) - b;
        return crm__lgamma(b) - d + stirling_rest(a) - stirling_rest(ab);
    }
    return LN_SQRT_2PI + (a - 0.5) * log(a / ab) + b * log(b / ab) - 0.5 * log(b) +
           stirling_rest(a) + stirling_rest(b) - stirling_rest(ab);
}

/* Continued fraction of I_x(a, b) (without the prefactor), for
 * x < (a + 1) / (a + b + 2): 1 / (1 + d1 / (1 + d2 / (1 + ...))), y = 1 - x.
 * For large a the result is a times more sensitive to x than to anything
 * else, so a rounded x would cost a * eps: when x is near 1 every term c * x
 * is formed as c - c * y from the accurate y instead (rounding errors then
 * stay per term). The recurrences run in long double where it is wider, as
 * the thousands of terms needed for large a would otherwise add up their
 * rounding errors. */
static double beta_cf(double a_, double b_, double x_, double y_)
{
    const long double tiny = 1e-300L, a = a_, b = b_, x = x_, y = y_;
    const int near1 = x_ > 0.5;
#define CF_TIMES_X(c) (near1 ? (c) - (c)*y : (c)*x)
    long double c = 1.0L, d = 1.0L - CF_TIMES_X((a + b) / (a + 1.0L));
    if (fabsl(d) < tiny) d = tiny;
    d = 1.0L / d;
    long double h = d;
    for (int m = 1; m <= 100000; m++) {
        long double mm = (long double)m, a2m = a + 2.0L * mm;
        long double num = CF_TIMES_X(mm * (b - mm) / ((a2m - 1.0L) * a2m));
        d = 1.0L + num * d;
        if (fabsl(d) < tiny) d = tiny;
        c = 1.0L + num / c;
        if (fabsl(c) < tiny) c = tiny;
        d = 1.0L / d;
        h *= d * c;
        num = -CF_TIMES_X((a + mm) * (a + b + mm) / (a2m * (a2m + 1.0L)));
        d = 1.0L + num * d;
        if (fabsl(d) < tiny) d = tiny;
        c = 1.0L + num / c;
        if (fabsl(c) < tiny) c = tiny;
        d = 1.0L / d;
        long double del = d * c;
        h *= del;
        if (fabsl(del - 1.0L) <= LDBL_EPSILON) break;
    }
#undef CF_TIMES_X
    return (double)h;
}

double crm__ibeta(double a, double b, double x, double y)
{
    if (!(a > 0) || !(b > 0) || isnan(x) || isnan(y)) return NAN;
    if (x <= 0.0) return 0.0;
    if (y <= 0.0) return 1.0;
    double lx = x > 0.5 ? log1p(-y) : log(x);
    double ly = y > 0.5 ? log1p(-x) : log(y);
    double front = exp(a * lx + b * ly - log_beta(a, b));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_cf(a, b, x, y) / a;
    return 1.0 - front * beta_cf(b, a, y, x) / b;
}

double crm__normal_p2(double z)
{
    if (isnan(z)) return NAN;
    /* erfc(u) with u = |z| / sqrt(2) rounded; the rounding error du of u
     * (recovered with fma and the low part of 1/sqrt(2)) would cost about
     * 2 u^2 eps relative for large |z|, so correct to first order:
     * erfc(u + du) = erfc(u) - du 2 / sqrt(pi) exp(-u^2). */
    const double hi = 0.70710678118654757, lo = -4.8336466567264567e-17;
    double a = fabs(z), u = a * hi;
    double du = fma(a, hi, -u) + a * lo;
    double p = erfc(u);
    return p - du * 1.1283791670955126 * exp(-u * u);
}

double crm__t_p2(double t, double df)
{
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(df)) return crm__normal_p2(t);
    double t2 = t * t;
    if (isinf(t2)) return 0.0;
    double den = df + t2;
    return crm__ibeta(0.5 * df, 0.5, df / den, t2 / den);
}

double crm__f_sf(double f, double d1, double d2)
{
    if (isnan(f) || !(d1 > 0) || !(d2 > 0)) return NAN;
    if (f <= 0) return 1.0;
    if (isinf(f)) return 0.0;
    double den = d2 + d1 * f;
    return crm__ibeta(0.5 * d2, 0.5 * d1, d2 / den, d1 * f / den);
}

/* Density of Student's t. */
static double t_pdf(double t, double df)
{
    return exp(crm__lgamma(0.5 * (df + 1.0)) - crm__lgamma(0.5 * df) -
               0.5 * log(df * 3.14159265358979323846) - 0.5 * (df + 1.0) * log1p(t * t / df));
}

double crm__t_quantile(double q, double df)
{
    if (!(q > 0.5 && q < 1.0) || !(df > 0)) return NAN;
    double alpha = 2.0 * (1.0 - q); /* two-sided tail */
    double lo = 0.0, hi = 2.0;
    while (crm__t_p2(hi, df) > alpha && hi < 1e300)
        hi *= 2.0;
    double t = 0.5 * (lo + hi);
    for (int it = 0; it < 200; it++) {
        double h = crm__t_p2(t, df) - alpha;
        if (h > 0)
            lo = t;
        else
            hi = t;
        double deriv =
            isinf(df) ? 2.0 * exp(-0.5 * t * t) / 2.5066282746310002 : 2.0 * t_pdf(t, df);
        double next = deriv > 0 ? t + h / deriv : 0.5 * (lo + hi);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (fabs(next - t) <= 4.0 * DBL_EPSILON * t) {
            t = next;
            break;
        }
        t = next;
    }
    return t;
}
