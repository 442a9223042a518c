/* Exactly rounded floating-point summation (Shewchuk 1997, as Python's
 * math.fsum): the result is the double nearest to the true sum. */
#include "core/internal.h"

#include <math.h>

void crm__fsum_init(crm__fsum *s)
{
    s->n = 0;
    s->special = 0.0;
    s->nspecial = 0;
}

void crm__fsum_add(crm__fsum *s, double x)
{
    if (!isfinite(x)) {
        s->special += x;
        s->nspecial = 1;
        return;
    }
    int i = crm__partials_add(s->p, s->n, &x);
    if (!isfinite(x)) { /* overflow of a partial */
        s->special += x;
        s->nspecial = 1;
        s->n = 0;
        return;
    }
    if (i < 64)
        s->p[i++] = x;
    s->n = i;
}

double crm__fsum_result(const crm__fsum *s)
{
    if (s->nspecial)
        return s->special;
    int n = s->n;
    if (n == 0)
        return 0.0;
    double hi = s->p[--n];
    double lo = 0.0;
    while (n > 0) {
        double x = hi;
        double y = s->p[--n];
        hi = x + y;
        double yr = hi - x;
        lo = y - yr;
        if (lo != 0.0)
            break;
    }
    /* Half-way correction (round-half-even across partials), as CPython. */
    if (n > 0 && ((lo < 0.0 && s->p[n - 1] < 0.0) || (lo > 0.0 && s->p[n - 1] > 0.0))) {
        double y = lo * 2.0;
        double x = hi + y;
        double yr = x - hi;
        if (y == yr)
            hi = x;
    }
    return hi;
}
