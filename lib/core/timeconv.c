/* Civil-date arithmetic on the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil algorithm), independent of the C library's time zone. */
#include "core/internal.h"

#include <stdio.h>

int64_t crm__days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void crm__civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

size_t crm__format_time(int64_t t, int date_only, char *buf)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y, m, d;
    crm__civil_from_days(days, &y, &m, &d);
    int n;
    if (date_only)
        n = snprintf(buf, 32, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
    else
        n = snprintf(buf, 32, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", (long long)y,
                     (long long)m, (long long)d, (long long)(secs / 3600),
                     (long long)(secs / 60 % 60), (long long)(secs % 60));
    return n < 0 ? 0 : (size_t)n;
}
