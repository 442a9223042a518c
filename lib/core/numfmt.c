/* Locale-independent number parsing and shortest round-trip formatting. */
#define _GNU_SOURCE
#include "core/internal.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

void *crm__c_locale_enter(void)
{
    locale_t c = get_c_locale();
    return c ? (void *)uselocale(c) : NULL;
}

void crm__c_locale_leave(void *old)
{
    if (old) uselocale((locale_t)old);
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static int lower_eq(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return i == n && word[i] == '\0';
}

/* Correctly rounded value of the digits [s, s+n) (digits and at most one
 * decimal separator, already validated) times 10^exp_part. No allocation:
 * only the first SIG_DIGITS significant digits matter for rounding, plus a
 * sticky digit standing for any non-zero digit beyond them, so the number is
 * rewritten as "DDD...D[1]e<exp>" in a fixed buffer and rounded by strtod_l. */
#define SIG_DIGITS 780
static double slow_path(const char *s, size_t n, char decimal, int64_t exp_part)
{
    char tmp[SIG_DIGITS + 40];
    size_t k = 0;
    int64_t exp10 = exp_part;
    int seen_point = 0, sticky = 0, started = 0;
    for (size_t j = 0; j < n; j++) {
        char c = s[j];
        if (c == decimal) {
            seen_point = 1;
            continue;
        }
        if (!started && c == '0') {
            if (seen_point)
                exp10--;
            continue;
        }
        started = 1;
        if (k < SIG_DIGITS) {
            tmp[k++] = c;
            if (seen_point)
                exp10--;
        } else {
            if (!seen_point)
                exp10++;
            if (c != '0')
                sticky = 1;
        }
    }
    if (k == 0)
        return 0.0;
    if (sticky) {
        tmp[k++] = '1';
        exp10--;
    }
    snprintf(tmp + k, sizeof tmp - k, "e%lld", (long long)exp10);
    return strtod_l(tmp, NULL, get_c_locale());
}

int crm__parse_number(const char *s, size_t n, char decimal, double *out)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    while (n > i && is_space(s[n - 1]))
        n--;
    if (i == n)
        return 0;
    int neg = 0;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    if (i == n)
        return 0;
    if ((s[i] | 0x20) == 'i') {
        if (lower_eq(s + i, n - i, "inf") || lower_eq(s + i, n - i, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return 1;
        }
        return 0;
    }
    uint64_t mant = 0;
    int ndig = 0;         /* significant digits kept in mant */
    int dropped = 0;      /* non-zero digits dropped beyond 19 */
    int64_t exp10 = 0;    /* decimal exponent adjustment */
    int any = 0;
    size_t start = i;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        any = 1;
        if (ndig < 19) {
            if (mant || s[i] != '0') {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                ndig++;
            }
        } else {
            exp10++;
            if (s[i] != '0')
                dropped = 1;
        }
    }
    if (i < n && s[i] == decimal) {
        i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            any = 1;
            if (ndig < 19) {
                if (mant || s[i] != '0') {
                    mant = mant * 10 + (uint64_t)(s[i] - '0');
                    ndig++;
                }
                exp10--;
            } else if (s[i] != '0') {
                dropped = 1;
            }
        }
    }
    if (!any)
        return 0;
    size_t mant_end = i;
    int64_t exp_part = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i == n || s[i] < '0' || s[i] > '9')
            return 0;
        int64_t e = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        exp_part = eneg ? -e : e;
        exp10 += exp_part;
    }
    if (i != n)
        return 0;
    double v;
    if (mant == 0) {
        v = 0.0;
    } else if (!dropped && mant <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
        /* Clinger's fast path: both operands exact, one rounding. */
        v = (double)mant;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
    } else {
        v = slow_path(s + start, mant_end - start, decimal, exp_part);
    }
    *out = neg ? -v : v;
    return 1;
}

static size_t fmt_with(double v, int prec, char *buf)
{
    locale_t old = uselocale(get_c_locale());
    int n = snprintf(buf, 40, "%.*g", prec, v);
    uselocale(old);
    return n < 0 ? 0 : (size_t)n;
}

size_t crm__format_number(double v, char decimal, char *buf)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return 0;
    }
    if (isinf(v)) {
        strcpy(buf, v < 0 ? "-inf" : "inf");
        return strlen(buf);
    }
    if (v == 0.0) {
        strcpy(buf, signbit(v) ? "-0" : "0");
        return strlen(buf);
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        /* Integral: plain digits. */
        char tmp[24];
        int k = 0;
        uint64_t u = (uint64_t)fabs(v);
        while (u) {
            tmp[k++] = (char)('0' + u % 10);
            u /= 10;
        }
        size_t len = 0;
        if (v < 0)
            buf[len++] = '-';
        while (k)
            buf[len++] = tmp[--k];
        buf[len] = '\0';
        return len;
    }
    size_t len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = fmt_with(v, prec, buf);
        if (prec == 17 || strtod_l(buf, NULL, get_c_locale()) == v)
            break;
    }
    if (decimal != '.') {
        for (size_t i = 0; i < len; i++)
            if (buf[i] == '.')
                buf[i] = decimal;
    }
    return len;
}
