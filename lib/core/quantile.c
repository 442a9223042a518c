/* Selection-based order statistics (numpy's linear quantile and median). */
#include "core/quantile.h"

#include <math.h>

double crm__lerp(double a, double b, double t)
{
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

static inline void swap_d(double *x, size_t i, size_t j)
{
    double t = x[i];
    x[i] = x[j];
    x[j] = t;
}

/* Floyd and Rivest's SELECT (CACM 18(3), 1975, algorithm 489): on large
 * ranges a recursive selection in a small sample brackets the k-th value
 * tightly, so the partition that follows discards almost everything. About
 * n + o(n) comparisons; deterministic. */
static void fr_select(double *x, size_t left, size_t right, size_t k)
{
    while (right > left) {
        if (right - left > 600) {
            double n = (double)(right - left + 1);
            double i = (double)(k - left + 1);
            double z = log(n);
            double s = 0.5 * exp(2.0 * z / 3.0);
            double sd = 0.5 * sqrt(z * s * (n - s) / n) * (i - n / 2 < 0 ? -1.0 : 1.0);
            double lo = (double)k - i * s / n + sd;
            double hi = (double)k + (n - i) * s / n + sd;
            size_t nl = lo > (double)left ? (size_t)lo : left;
            size_t nr = hi < (double)right ? (size_t)hi : right;
            if (nl <= k && k <= nr)
                fr_select(x, nl, nr, k);
        }
        double t = x[k];
        size_t i = left, j = right;
        swap_d(x, left, k);
        if (x[right] > t)
            swap_d(x, right, left);
        while (i < j) {
            swap_d(x, i, j);
            i++;
            j--;
            while (x[i] < t)
                i++;
            while (x[j] > t)
                j--;
        }
        if (x[left] == t) {
            swap_d(x, left, j);
        } else {
            j++;
            swap_d(x, j, right);
        }
        /* now x[j] == t, x[left..j) <= t <= x(j..right] */
        if (j <= k)
            left = j + 1;
        if (k <= j) {
            if (j == 0)
                break;
            right = j - 1;
        }
    }
}

double crm__select(double *x, size_t n, size_t k)
{
    fr_select(x, 0, n - 1, k);
    return x[k];
}

/* Smallest of x[from..n) (n > from). */
static double min_from(const double *x, size_t from, size_t n)
{
    double m = x[from];
    for (size_t i = from + 1; i < n; i++)
        if (x[i] < m)
            m = x[i];
    return m;
}

double crm__quantile_select(double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    double lo = floor(h);
    size_t i = (size_t)lo;
    double t = h - lo;
    if (i + 1 >= n) {
        double a = crm__select(x, n, n - 1);
        return crm__lerp(a, a, t);
    }
    double a = crm__select(x, n, i);
    double b = min_from(x, i + 1, n);
    return crm__lerp(a, b, t);
}

/* Order statistic index and fraction of numpy's linear rule. */
static size_t lin_index(size_t n, double p, double *t)
{
    double h = (double)(n - 1) * p;
    double lo = floor(h);
    *t = h - lo;
    return (size_t)lo;
}

void crm__quantile_pair(double *x, size_t n, double p1, double p2, double *q1, double *q2)
{
    double t1, t2;
    size_t i1 = lin_index(n, p1, &t1), i2 = lin_index(n, p2, &t2);
    double a1 = crm__select(x, n, i1);
    double b1 = i1 + 1 < n ? min_from(x, i1 + 1, n) : a1;
    *q1 = crm__lerp(a1, b1, t1);
    /* x[i1 + 1 ..] holds the values >= a1: select inside it */
    double a2 = i2 == i1 ? a1 : crm__select(x + i1 + 1, n - i1 - 1, i2 - i1 - 1);
    double b2 = i2 + 1 < n ? min_from(x, i2 + 1, n) : a2;
    *q2 = crm__lerp(a2, b2, t2);
}

double crm__median_select(double *x, size_t n)
{
    size_t half = n / 2;
    if (n % 2)
        return crm__select(x, n, half);
    double a = crm__select(x, n, half - 1);
    double b = min_from(x, half, n);
    return (a + b) / 2.0;
}
