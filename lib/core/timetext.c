/* Date-time text: parsing the forms the CSV reader and crm_clean_convert
 * accept (ISO 8601, US M/D/YYYY, a strptime-style subset) and formatting with
 * that subset. One implementation for the reader, the writer and convert. */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>


static inline int dig(char ch)
{
    return (unsigned)(ch - '0') < 10 ? ch - '0' : -1;
}

static inline int num2(const char *s)
{
    int a = dig(s[0]), b = dig(s[1]);
    return (a < 0 || b < 0) ? -1 : a * 10 + b;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int make_time(int64_t y, int mo, int d, int h, int mi, int se, int64_t offset, int64_t *t)
{
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || se < 0 || se > 60)
        return 0;
    *t = crm__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    return 1;
}

/* Day number of a valid date, or 0 with *ok = 0. */
static int64_t civil_days(int64_t y, int mo, int d, int *ok)
{
    *ok = mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo);
    return *ok ? crm__days_from_civil(y, mo, d) : 0;
}

/* ISO 8601: YYYY-MM-DD[( |T)HH:MM[:SS[.frac]][Z|(+|-)HH:MM]] */
int crm__time_parse_iso(const char *s, size_t n, int64_t *t, crm__date_memo *dm)
{
    if (n < 10)
        return 0;
    int64_t days;
    if (dm && dm->valid && memcmp(s, dm->key, 10) == 0) {
        days = dm->days;
    } else {
        if (s[4] != '-' || s[7] != '-')
            return 0;
        int y1 = num2(s), y2 = num2(s + 2), mo = num2(s + 5), d = num2(s + 8), ok;
        if (y1 < 0 || y2 < 0 || mo < 0 || d < 0)
            return 0;
        days = civil_days(y1 * 100 + y2, mo, d, &ok);
        if (!ok)
            return 0;
        if (dm) {
            memcpy(dm->key, s, 10);
            dm->valid = 1;
            dm->days = days;
        }
    }
    int h = 0, mi = 0, se = 0;
    int64_t off = 0;
    size_t i = 10;
    if (i < n) {
        if ((s[i] != ' ' && s[i] != 'T') || n < i + 6 || s[i + 3] != ':')
            return 0;
        h = num2(s + i + 1);
        mi = num2(s + i + 4);
        if (h < 0 || mi < 0)
            return 0;
        i += 6;
        if (i < n && s[i] == ':') {
            if (n < i + 3 || (se = num2(s + i + 1)) < 0)
                return 0;
            i += 3;
            if (i < n && s[i] == '.') {
                size_t f0 = ++i;
                while (i < n && dig(s[i]) >= 0)
                    i++;
                if (i == f0)
                    return 0;
            }
        }
        if (i < n && s[i] == 'Z') {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            if (n < i + 6 || s[i + 3] != ':')
                return 0;
            int oh = num2(s + i + 1), om = num2(s + i + 4);
            if (oh < 0 || om < 0 || oh > 23 || om > 59)
                return 0;
            off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
            i += 6;
        }
        if (i != n || h > 23 || mi > 59 || se > 60)
            return 0;
    }
    *t = days * 86400 + h * 3600 + mi * 60 + se - off;
    return 1;
}

/* Read 1..maxd digits at s[*i]. */
static int read_int(const char *s, size_t n, size_t *i, int maxd, int *out)
{
    int v = 0, k = 0;
    while (*i < n && k < maxd && dig(s[*i]) >= 0) {
        v = v * 10 + dig(s[*i]);
        (*i)++;
        k++;
    }
    *out = v;
    return k > 0;
}

/* US: M/D/YYYY[ H:MM[:SS]] */
int crm__time_parse_us(const char *s, size_t n, int64_t *t)
{
    size_t i = 0;
    int mo, d, y, h = 0, mi = 0, se = 0;
    if (!read_int(s, n, &i, 2, &mo) || i >= n || s[i++] != '/')
        return 0;
    if (!read_int(s, n, &i, 2, &d) || i >= n || s[i++] != '/')
        return 0;
    size_t y0 = i;
    if (!read_int(s, n, &i, 4, &y) || i - y0 != 4)
        return 0;
    if (i < n) {
        if (s[i++] != ' ' || !read_int(s, n, &i, 2, &h) || i + 3 > n || s[i] != ':' ||
            (mi = num2(s + i + 1)) < 0)
            return 0;
        i += 3;
        if (i < n) {
            if (i + 3 > n || s[i] != ':' || (se = num2(s + i + 1)) < 0)
                return 0;
            i += 3;
        }
        if (i != n)
            return 0;
    }
    return make_time(y, mo, d, h, mi, se, 0, t);
}

static const char *const month_names[12] = {"january", "february", "march",     "april",
                                            "may",     "june",     "july",      "august",
                                            "september", "october", "november", "december"};

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Month name (full or first three letters, any case) at s[*i]. */
static int read_month(const char *s, size_t n, size_t *i, int *mo)
{
    for (int m = 0; m < 12; m++) {
        const char *nm = month_names[m];
        size_t len = strlen(nm);
        size_t k = 0;
        while (k < len && *i + k < n && lower((unsigned char)s[*i + k]) == nm[k])
            k++;
        if (k == len || k == 3) {
            *i += k;
            *mo = m + 1;
            return 1;
        }
    }
    return 0;
}

/* strptime-style subset: %Y %m %d %H %M %S %y %b %p %% and literal bytes. */
int crm__time_parse_format(const char *fmt, const char *s, size_t n, int64_t *t)
{
    int y = 1900, mo = 1, d = 1, h = 0, mi = 0, se = 0, pm = -1;
    size_t i = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            if (i >= n || s[i] != *f)
                return 0;
            i++;
            continue;
        }
        f++;
        int ok = 1;
        switch (*f) {
        case 'Y':
            ok = read_int(s, n, &i, 4, &y);
            break;
        case 'y':
            ok = read_int(s, n, &i, 2, &y);
            y += y < 69 ? 2000 : 1900;
            break;
        case 'm':
            ok = read_int(s, n, &i, 2, &mo);
            break;
        case 'd':
            ok = read_int(s, n, &i, 2, &d);
            break;
        case 'H':
            ok = read_int(s, n, &i, 2, &h);
            break;
        case 'M':
            ok = read_int(s, n, &i, 2, &mi);
            break;
        case 'S':
            ok = read_int(s, n, &i, 2, &se);
            break;
        case 'b':
            ok = read_month(s, n, &i, &mo);
            break;
        case 'p': {
            int c0 = i < n ? lower((unsigned char)s[i]) : 0;
            if (i + 2 <= n && (c0 == 'a' || c0 == 'p') && lower((unsigned char)s[i + 1]) == 'm') {
                pm = c0 == 'p';
                i += 2;
            } else {
                ok = 0;
            }
            break;
        }
        default: /* '%' (formats are checked with crm__time_check_format first) */
            ok = i < n && s[i] == '%';
            i++;
        }
        if (!ok)
            return 0;
    }
    if (i != n)
        return 0;
    if (pm >= 0) {
        if (h < 1 || h > 12)
            return 0;
        h = h % 12 + (pm ? 12 : 0);
    }
    return make_time(y, mo, d, h, mi, se, 0, t);
}

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

crm_status crm__time_check_format(const char *fmt, const char *what)
{
    for (const char *f = fmt; *f; f++) {
        if (*f != '%')
            continue;
        f++;
        if (!*f || !strchr("YmdHMSybp%", *f))
            return crm__error(CRM_E_INVALID,
                              "%s \"%s\": unsupported directive \"%%%c\" (use %%Y %%m %%d %%H %%M "
                              "%%S %%y %%b %%p %%%%)",
                              what, fmt, *f ? *f : ' ');
    }
    return CRM_OK;
}

crm_status crm__time_format(const char *fmt, int64_t t, int date_only, crm__buf *b)
{
    if (!fmt) {
        crm_status st = crm__buf_reserve(b, 32);
        if (st)
            return st;
        b->len += crm__format_time(t, date_only, b->data + b->len);
        return CRM_OK;
    }
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y, m, d;
    crm__civil_from_days(days, &y, &m, &d);
    int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), se = (int)(secs % 60);
    int twelve = strstr(fmt, "%p") != NULL;
    crm_status st = CRM_OK;
    for (const char *f = fmt; *f && !st; f++) {
        if (*f != '%') {
            st = crm__buf_append(b, f, 1);
            continue;
        }
        f++;
        switch (*f) {
        case 'Y':
            st = crm__buf_printf(b, "%04lld", (long long)y);
            break;
        case 'y':
            st = crm__buf_printf(b, "%02lld", (long long)(((y % 100) + 100) % 100));
            break;
        case 'm':
            st = crm__buf_printf(b, "%02lld", (long long)m);
            break;
        case 'd':
            st = crm__buf_printf(b, "%02lld", (long long)d);
            break;
        case 'H':
            st = crm__buf_printf(b, "%02d", twelve ? (h % 12 == 0 ? 12 : h % 12) : h);
            break;
        case 'M':
            st = crm__buf_printf(b, "%02d", mi);
            break;
        case 'S':
            st = crm__buf_printf(b, "%02d", se);
            break;
        case 'b':
            st = crm__buf_append(b, month_abbr[m - 1], 3);
            break;
        case 'p':
            st = crm__buf_append(b, h < 12 ? "AM" : "PM", 2);
            break;
        case '%':
            st = crm__buf_append(b, "%", 1);
            break;
        default:
            st = crm__time_check_format(fmt, "format");
        }
        if (!*f)
            break;
    }
    return st;
}
