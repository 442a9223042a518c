/* Thread-safe stand-ins for the libc calls that keep global state. The
 * library runs on several threads at once (fit_many, the worker pools), so
 * it never calls lgamma() (which writes the global signgam) or strerror()
 * (which may return a shared buffer); the ctest "symbols" checks the built
 * library for them and for the other non-reentrant calls. */
#define _POSIX_C_SOURCE 200809L /* XSI strerror_r */
#define _DEFAULT_SOURCE         /* lgamma_r */
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double crm__lgamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

const char *crm__strerror(int err, char *buf, size_t cap)
{
    if (cap == 0) return "";
    if (strerror_r(err, buf, cap) != 0) snprintf(buf, cap, "error %d", err);
    return buf;
}
