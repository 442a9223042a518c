/* crm_clean_convert: column type conversion in place. */
#include "clean/clean_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- date-time parsing (the CSV reader's forms) ---------------------------- */

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

/* ISO 8601: YYYY-MM-DD[( |T)HH:MM[:SS[.frac]][Z|(+|-)HH:MM]] */
static int parse_iso(const char *s, size_t n, int64_t *t)
{
    if (n < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y1 = num2(s), y2 = num2(s + 2), mo = num2(s + 5), d = num2(s + 8);
    if (y1 < 0 || y2 < 0 || mo < 0 || d < 0)
        return 0;
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
        if (i != n)
            return 0;
    }
    return make_time(y1 * 100 + y2, mo, d, h, mi, se, off, t);
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
static int parse_us(const char *s, size_t n, int64_t *t)
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
static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

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
static int parse_format(const char *fmt, const char *s, size_t n, int64_t *t)
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
        default: /* '%' (checked beforehand) */
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

static crm_status check_format(const char *fmt)
{
    for (const char *f = fmt; *f; f++) {
        if (*f != '%')
            continue;
        f++;
        if (!*f || !strchr("YmdHMSybp%", *f))
            return crm__error(CRM_E_INVALID,
                              "format \"%s\": unsupported directive \"%%%c\" (use %%Y %%m %%d "
                              "%%H %%M %%S %%y %%b %%p %%%%)",
                              fmt, *f ? *f : ' ');
    }
    return CRM_OK;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int parse_time(const char *fmt, const char *s, size_t n, int64_t *t)
{
    while (n && is_blank(s[0])) {
        s++;
        n--;
    }
    while (n && is_blank(s[n - 1]))
        n--;
    if (fmt)
        return parse_format(fmt, s, n, t);
    return parse_iso(s, n, t) || parse_us(s, n, t);
}

/* ---- formatting ------------------------------------------------------------ */

static void format_time(const char *fmt, int64_t t, int date_only, crm__buf *b)
{
    b->len = 0;
    if (!fmt) {
        b->len = crm__format_time(t, date_only, b->data);
        return;
    }
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y, m, d;
    crm__civil_from_days(days, &y, &m, &d);
    int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), se = (int)(secs % 60);
    int twelve = strstr(fmt, "%p") != NULL;
    char tmp[32];
    for (const char *f = fmt; *f; f++) {
        int len = 0;
        if (*f != '%') {
            tmp[0] = *f;
            len = 1;
        } else {
            f++;
            switch (*f) {
            case 'Y':
                len = snprintf(tmp, sizeof tmp, "%04lld", (long long)y);
                break;
            case 'y':
                len = snprintf(tmp, sizeof tmp, "%02lld", (long long)(((y % 100) + 100) % 100));
                break;
            case 'm':
                len = snprintf(tmp, sizeof tmp, "%02lld", (long long)m);
                break;
            case 'd':
                len = snprintf(tmp, sizeof tmp, "%02lld", (long long)d);
                break;
            case 'H':
                len = snprintf(tmp, sizeof tmp, "%02d",
                               twelve ? (h % 12 == 0 ? 12 : h % 12) : h);
                break;
            case 'M':
                len = snprintf(tmp, sizeof tmp, "%02d", mi);
                break;
            case 'S':
                len = snprintf(tmp, sizeof tmp, "%02d", se);
                break;
            case 'b':
                len = snprintf(tmp, sizeof tmp, "%s", month_abbr[m - 1]);
                break;
            case 'p':
                len = snprintf(tmp, sizeof tmp, "%s", h < 12 ? "AM" : "PM");
                break;
            default:
                tmp[0] = '%';
                len = 1;
            }
        }
        /* the buffer was reserved for the longest expansion (checked by the caller) */
        memcpy(b->data + b->len, tmp, (size_t)len);
        b->len += (size_t)len;
    }
    b->data[b->len] = '\0';
}

/* ---- conversions ------------------------------------------------------------- */

static crm_status text_to_number(const crm__column *c, size_t n, const char *format, double **out)
{
    char decimal = '.';
    if (format) {
        if (strcmp(format, ",") == 0)
            decimal = ',';
        else if (strcmp(format, ".") != 0)
            return crm__error(CRM_E_INVALID,
                              "format for text -> number must be NULL, \".\" or \",\" (the "
                              "decimal separator), got \"%s\"",
                              format);
    }
    size_t nd = c->dict->n;
    double *lv = crm__malloc_array(nd ? nd : 1, sizeof *lv);
    double *v = crm__malloc_array(n ? n : 1, sizeof *v);
    if (!lv || !v) {
        crm__free(lv);
        crm__free(v);
        return crm__nomem();
    }
    for (size_t k = 0; k < nd; k++) {
        const char *s = crm__dict_str(c->dict, (int32_t)k);
        if (!crm__parse_number(s, strlen(s), decimal, &lv[k]))
            lv[k] = NAN; /* marks a failure: a parsed NaN cannot occur */
    }
    for (size_t r = 0; r < n; r++) {
        int32_t code = c->v.code[r];
        if (code < 0) {
            v[r] = NAN;
            continue;
        }
        if (isnan(lv[code])) {
            crm_status st =
                crm__error(CRM_E_PARSE, "column \"%s\", row %zu: \"%s\" is not a number", c->name,
                           r, crm__dict_str(c->dict, code));
            crm__free(lv);
            crm__free(v);
            return st;
        }
        v[r] = lv[code];
    }
    crm__free(lv);
    *out = v;
    return CRM_OK;
}

static crm_status text_to_time(const crm__column *c, size_t n, const char *format, int64_t **out)
{
    size_t nd = c->dict->n;
    int64_t *lv = crm__malloc_array(nd ? nd : 1, sizeof *lv);
    int64_t *v = crm__malloc_array(n ? n : 1, sizeof *v);
    if (!lv || !v) {
        crm__free(lv);
        crm__free(v);
        return crm__nomem();
    }
    for (size_t k = 0; k < nd; k++) {
        const char *s = crm__dict_str(c->dict, (int32_t)k);
        if (!parse_time(format, s, strlen(s), &lv[k]))
            lv[k] = CRM_TIME_MISSING;
    }
    for (size_t r = 0; r < n; r++) {
        int32_t code = c->v.code[r];
        if (code < 0) {
            v[r] = CRM_TIME_MISSING;
            continue;
        }
        if (lv[code] == CRM_TIME_MISSING) {
            crm_status st =
                format ? crm__error(CRM_E_PARSE,
                                    "column \"%s\", row %zu: \"%s\" does not match the format "
                                    "\"%s\"",
                                    c->name, r, crm__dict_str(c->dict, code), format)
                       : crm__error(CRM_E_PARSE,
                                    "column \"%s\", row %zu: \"%s\" is not a date-time",
                                    c->name, r, crm__dict_str(c->dict, code));
            crm__free(lv);
            crm__free(v);
            return st;
        }
        v[r] = lv[code];
    }
    crm__free(lv);
    *out = v;
    return CRM_OK;
}

/* Number or time column to text: format each value and intern it. */
static crm_status to_text(const crm__column *c, size_t n, const char *format, int32_t **out,
                          crm__dict **dict_out)
{
    crm__dict *d = NULL;
    crm__buf b = {0};
    int32_t *v = crm__malloc_array(n ? n : 1, sizeof *v);
    crm_status st = v ? crm__dict_new(&d) : crm__nomem();
    /* room for the longest value: a number (32 bytes), or a time per format
     * directive (at most 21 bytes each) */
    size_t room = 64 + (format ? strlen(format) * 21 : 0);
    if (!st)
        st = crm__buf_reserve(&b, room);
    int date_only = 1;
    if (!st && c->type == CRM_TYPE_TIME && !format) {
        for (size_t r = 0; r < n && date_only; r++) {
            int64_t t = c->v.time[r];
            date_only = t == CRM_TIME_MISSING || t % 86400 == 0;
        }
    }
    for (size_t r = 0; r < n && !st; r++) {
        if (crm__cell_missing(c, r)) {
            v[r] = -1;
            continue;
        }
        if (c->type == CRM_TYPE_NUMBER) {
            b.len = crm__format_number(c->v.num[r], '.', b.data);
        } else {
            format_time(format, c->v.time[r], date_only, &b);
        }
        st = crm__dict_intern(d, b.data, b.len, &v[r]);
    }
    crm__buf_free(&b);
    if (st) {
        crm__dict_release(d);
        crm__free(v);
        return st;
    }
    *out = v;
    *dict_out = d;
    return CRM_OK;
}

crm_status crm_clean_convert(crm_dataset *ds, const char *col, int32_t type, const char *format)
{
    if (!ds || !col)
        return crm__error(CRM_E_INVALID, "crm_clean_convert: NULL argument");
    if (type < CRM_TYPE_NUMBER || type > CRM_TYPE_TIME)
        return crm__error(CRM_E_INVALID, "crm_clean_convert: unknown type %d", (int)type);
    size_t ci;
    crm_status st = crm__dataset_find(ds, col, &ci);
    if (st)
        return st;
    crm__column *c = &ds->cols[ci];
    size_t n = ds->nrows;
    int32_t from = c->type;
    if (format && (type == CRM_TYPE_TIME || (from == CRM_TYPE_TIME && type == CRM_TYPE_TEXT)) &&
        (st = check_format(format)))
        return st;
    if (format && from != CRM_TYPE_TEXT && !(from == CRM_TYPE_TIME && type == CRM_TYPE_TEXT))
        return crm__error(CRM_E_INVALID,
                          "crm_clean_convert: a format does not apply to %s -> %s (column "
                          "\"%s\")",
                          crm__type_name(from), crm__type_name(type), col);
    if (from == type)
        return CRM_OK;
    void *data = NULL;
    crm__dict *dict = NULL;
    if (from == CRM_TYPE_TEXT && type == CRM_TYPE_NUMBER) {
        double *v = NULL;
        st = text_to_number(c, n, format, &v);
        data = v;
    } else if (from == CRM_TYPE_TEXT) {
        int64_t *v = NULL;
        st = text_to_time(c, n, format, &v);
        data = v;
    } else if (type == CRM_TYPE_TEXT) {
        int32_t *v = NULL;
        st = to_text(c, n, format, &v, &dict);
        data = v;
    } else if (type == CRM_TYPE_NUMBER) { /* time -> number */
        double *v = crm__malloc_array(n ? n : 1, sizeof *v);
        if (!v)
            return crm__nomem();
        for (size_t r = 0; r < n; r++)
            v[r] = c->v.time[r] == CRM_TIME_MISSING ? NAN : (double)c->v.time[r];
        data = v;
    } else { /* number -> time */
        int64_t *v = crm__malloc_array(n ? n : 1, sizeof *v);
        if (!v)
            return crm__nomem();
        for (size_t r = 0; r < n; r++) {
            double x = c->v.num[r];
            if (isnan(x)) {
                v[r] = CRM_TIME_MISSING;
            } else if (!(fabs(x) < 9.2e18)) {
                crm__free(v);
                return crm__error(CRM_E_NUMERIC,
                                  "column \"%s\", row %zu: %g is not a time in seconds (out of "
                                  "range)",
                                  col, r, x);
            } else {
                v[r] = (int64_t)x; /* truncation toward zero */
            }
        }
        data = v;
    }
    if (st)
        return st;
    crm__free(c->v.ptr);
    crm__dict_release(c->dict);
    c->v.ptr = data;
    c->dict = dict;
    c->type = type;
    return CRM_OK;
}
