/*
 * Order statistics shared by the modules: numpy's linear quantile rule and
 * median, by selection (no full sort). Never installed.
 */
#ifndef CRM_CORE_QUANTILE_H
#define CRM_CORE_QUANTILE_H

#include <stddef.h>

/* numpy's two-sided lerp between a and b at t in [0, 1] (bit for bit as
 * numpy.quantile's "linear" method computes it). */
double crm__lerp(double a, double b, double t);

/* Reorder x[0..n) so that x[k] holds the k-th smallest value (0-based), every
 * element before it is <= x[k] and every element after it is >= x[k]; returns
 * x[k]. x holds no NaN; k < n. Expected linear time, deterministic. */
double crm__select(double *x, size_t n, size_t k);

/* numpy.quantile(x, p) with the default linear method (R type 7) of the n > 0
 * non-NaN values x[0..n), 0 <= p <= 1. Reorders x. Calls with increasing p on
 * the same array reuse the earlier partitioning. */
double crm__quantile_select(double *x, size_t n, double p);

/* numpy.quantile(x, [p1, p2]) for p1 <= p2 in one pass of selection: the
 * second order statistic is selected only among the values above the first.
 * Reorders x; n > 0. */
void crm__quantile_pair(double *x, size_t n, double p1, double p2, double *q1, double *q2);

/* numpy.median(x) of the n > 0 non-NaN values x[0..n): the middle value, or
 * (a + b) / 2 of the two middle values for an even n. Reorders x. */
double crm__median_select(double *x, size_t n);

#endif /* CRM_CORE_QUANTILE_H */
