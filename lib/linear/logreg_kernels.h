/* Inner kernels of the logistic regression fit (logreg_kernels.c): rows
 * [off, off + m) of a chunk whose column t lies at cols[t]. Never installed. */
#ifndef CRM_LINEAR_LOGREG_KERNELS_H
#define CRM_LINEAR_LOGREG_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* eta = X b */
void crm__lr_xb(const double *const *cols, size_t off, const double *b, size_t p, size_t m,
                double *eta);
/* Per row, at eta with targets y and weights w (NULL: all 1): r = w (y - p) and
 * s = sqrt(w p (1 - p)) with p = 1 / (1 + exp(-eta)); *margin is raised to the
 * largest (2y - 1) eta over rows of positive weight; returns the sum of the
 * log-likelihood terms w (y eta - log(1 + exp(eta))). tmp: 2 m doubles. */
double crm__lr_rows(const double *eta, const double *y, const double *w, size_t m, double *r,
                    double *s, double *tmp, double *margin);
/* g += X^T r */
void crm__lr_grad(const double *const *cols, size_t off, const double *r, size_t p, size_t m,
                  double *g);
/* X[i, t] = cols[t][i] s[i] (leading dimension ld, rows from off; in place
 * when X + t ld is cols[t]), in double or rounded to single precision */
void crm__lr_scale(const double *const *cols, size_t off, const double *s, size_t p, size_t m,
                   double *X, size_t ld);
void crm__lr_scale_f32(const double *const *cols, size_t off, const double *s, size_t p, size_t m,
                       float *X, size_t ld);

#endif
