/* crm_clean_convert: column type conversion in place. */
#include "clean/clean_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- date-times (parsing and formatting live in lib/core/timetext.c) ------- */

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
        return crm__time_parse_format(fmt, s, n, t);
    return crm__time_parse_iso(s, n, t, NULL) || crm__time_parse_us(s, n, t);
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
    /* room for a number (32 bytes); formatted times grow the buffer as needed */
    size_t room = 64;
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
            b.len = 0;
            st = crm__time_format(format, c->v.time[r], date_only, &b);
        }
        if (!st)
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
    if (crm__dataset_check_writable(ds, "crm_clean_convert"))
        return CRM_E_STATE;
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
        (st = crm__time_check_format(format, "format")))
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
