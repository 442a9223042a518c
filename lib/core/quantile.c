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

double crm__select(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        if (hi - lo < 16) { /* insertion sort of the short range */
            for (size_t i = lo + 1; i <= hi; i++) {
                double v = x[i];
                size_t j = i;
                while (j > lo && x[j - 1] > v) {
                    x[j] = x[j - 1];
                    j--;
                }
                x[j] = v;
            }
            break;
        }
        /* median of three as pivot, moved to lo */
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < x[lo])
            swap_d(x, mid, lo);
        if (x[hi] < x[lo])
            swap_d(x, hi, lo);
        if (x[hi] < x[mid])
            swap_d(x, hi, mid);
        swap_d(x, lo, mid);
        double pivot = x[lo];
        /* Hoare partition: [lo, j] <= pivot <= [j + 1, hi] */
        size_t i = lo, j = hi + 1;
        for (;;) {
            do
                i++;
            while (i <= hi && x[i] < pivot);
            do
                j--;
            while (x[j] > pivot);
            if (i >= j)
                break;
            swap_d(x, i, j);
        }
        swap_d(x, lo, j); /* the pivot lands at its final place j */
        if (j == k)
            return x[k];
        if (k < j)
            hi = j - 1;
        else
            lo = j + 1;
    }
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

double crm__median_select(double *x, size_t n)
{
    size_t half = n / 2;
    if (n % 2)
        return crm__select(x, n, half);
    double a = crm__select(x, n, half - 1);
    double b = min_from(x, half, n);
    return (a + b) / 2.0;
}
