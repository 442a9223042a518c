/* A small strict JSON reader and writer (see json.h). */
#include "core/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct jp {
    const char *s;
    size_t pos;
    int depth;
} jp;

static crm_status jp_fail(const jp *p, const char *what)
{
    return crm__error(CRM_E_PARSE, "JSON: %s at offset %zu", what, p->pos);
}

static void jp_ws(jp *p)
{
    for (;;) {
        char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            p->pos++;
        else
            return;
    }
}

static void json_clear(crm__json *v)
{
    if (v->type == CRM__JSON_STRING) {
        crm__free(v->str);
    } else if (v->type == CRM__JSON_ARRAY || v->type == CRM__JSON_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            json_clear(&v->items[i]);
            if (v->keys) crm__free(v->keys[i]);
        }
        crm__free(v->items);
        crm__free(v->keys);
    }
    memset(v, 0, sizeof *v);
}

void crm__json_free(crm__json *v)
{
    if (!v) return;
    json_clear(v);
    crm__free(v);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int jp_hex4(jp *p, uint32_t *out)
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p->s[p->pos + (size_t)i]);
        if (h < 0) return 0;
        u = u * 16 + (uint32_t)h;
    }
    p->pos += 4;
    *out = u;
    return 1;
}

static size_t put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* p->pos at the opening quote. The decoded string is never longer than the
 * source text, so one allocation of the raw length suffices. */
static crm_status jp_string(jp *p, char **out, size_t *outlen)
{
    size_t start = ++p->pos;
    size_t end = start;
    for (;;) {
        unsigned char c = (unsigned char)p->s[end];
        if (c == '\0') {
            p->pos = end;
            return jp_fail(p, "unterminated string");
        }
        if (c == '"') break;
        if (c < 0x20) {
            p->pos = end;
            return jp_fail(p, "control character in string");
        }
        if (c == '\\') {
            if (p->s[end + 1] == '\0') {
                p->pos = end + 1;
                return jp_fail(p, "unterminated string");
            }
            end++;
        }
        end++;
    }
    if (!crm__utf8_valid(p->s + start, end - start)) {
        p->pos = start + crm__utf8_first_invalid(p->s + start, end - start);
        return jp_fail(p, "invalid UTF-8 in string");
    }
    char *d = crm__malloc(end - start + 1);
    if (!d) return crm__nomem();
    size_t n = 0;
    while (p->pos < end) {
        char c = p->s[p->pos];
        if (c != '\\') {
            d[n++] = c;
            p->pos++;
            continue;
        }
        p->pos++;
        char e = p->s[p->pos++];
        switch (e) {
        case '"':
            d[n++] = '"';
            break;
        case '\\':
            d[n++] = '\\';
            break;
        case '/':
            d[n++] = '/';
            break;
        case 'b':
            d[n++] = '\b';
            break;
        case 'f':
            d[n++] = '\f';
            break;
        case 'n':
            d[n++] = '\n';
            break;
        case 'r':
            d[n++] = '\r';
            break;
        case 't':
            d[n++] = '\t';
            break;
        case 'u': {
            uint32_t cp;
            if (p->pos + 4 > end || !jp_hex4(p, &cp)) {
                crm__free(d);
                return jp_fail(p, "bad \\u escape");
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (p->pos + 6 > end || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    crm__free(d);
                    return jp_fail(p, "unpaired surrogate in \\u escape");
                }
                p->pos += 2;
                if (!jp_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    crm__free(d);
                    return jp_fail(p, "unpaired surrogate in \\u escape");
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                crm__free(d);
                return jp_fail(p, "unpaired surrogate in \\u escape");
            } else if (cp == 0) {
                crm__free(d);
                return jp_fail(p, "\\u0000 in string");
            }
            n += put_utf8(d + n, cp);
            break;
        }
        default:
            p->pos--;
            crm__free(d);
            return jp_fail(p, "bad escape in string");
        }
    }
    d[n] = '\0';
    p->pos = end + 1;
    *out = d;
    *outlen = n;
    return CRM_OK;
}

static crm_status jp_number(jp *p, crm__json *v)
{
    const char *s = p->s;
    size_t i = p->pos;
    if (s[i] == '-') i++;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        p->pos = i;
        return jp_fail(p, "bad number");
    }
    if (s[i] == '.') {
        i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            p->pos = i;
            return jp_fail(p, "bad number");
        }
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-') i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            p->pos = i;
            return jp_fail(p, "bad number");
        }
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    double d;
    if (!crm__parse_number(s + p->pos, i - p->pos, '.', &d)) return jp_fail(p, "bad number");
    if (!isfinite(d)) return jp_fail(p, "number out of range");
    v->type = CRM__JSON_NUMBER;
    v->num = d;
    p->pos = i;
    return CRM_OK;
}

static crm_status jp_value(jp *p, crm__json *v);

static crm_status jp_grow(crm__json **items, char ***keys, size_t n, size_t *cap, int with_keys)
{
    if (n < *cap) return CRM_OK;
    size_t nc = *cap ? *cap * 2 : 4;
    crm__json *ni = crm__realloc_array(*items, nc, sizeof **items);
    if (!ni) return crm__nomem();
    *items = ni;
    if (with_keys) {
        char **nk = crm__realloc_array(*keys, nc, sizeof **keys);
        if (!nk) return crm__nomem();
        *keys = nk;
    }
    *cap = nc;
    return CRM_OK;
}

static crm_status jp_container(jp *p, crm__json *v, int is_obj)
{
    if (++p->depth > CRM__JSON_MAX_DEPTH) return jp_fail(p, "nesting too deep");
    char close = is_obj ? '}' : ']';
    v->type = is_obj ? CRM__JSON_OBJECT : CRM__JSON_ARRAY;
    p->pos++;
    size_t cap = 0;
    crm_status st = CRM_OK;
    jp_ws(p);
    if (p->s[p->pos] == close) {
        p->pos++;
        p->depth--;
        return CRM_OK;
    }
    for (;;) {
        jp_ws(p);
        st = jp_grow(&v->items, &v->keys, v->len, &cap, is_obj);
        if (st != CRM_OK) return st;
        char *key = NULL;
        if (is_obj) {
            if (p->s[p->pos] != '"') return jp_fail(p, "expected a string key");
            size_t klen;
            st = jp_string(p, &key, &klen);
            if (st != CRM_OK) return st;
            jp_ws(p);
            if (p->s[p->pos] != ':') {
                crm__free(key);
                return jp_fail(p, "expected ':'");
            }
            p->pos++;
            jp_ws(p);
        }
        crm__json *item = &v->items[v->len];
        memset(item, 0, sizeof *item);
        if (is_obj) v->keys[v->len] = key;
        v->len++; /* owned from here on, even when partially parsed */
        st = jp_value(p, item);
        if (st != CRM_OK) return st;
        jp_ws(p);
        char c = p->s[p->pos];
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == close) {
            p->pos++;
            p->depth--;
            return CRM_OK;
        }
        return jp_fail(p, c ? (is_obj ? "expected ',' or '}'" : "expected ',' or ']'")
                            : "unexpected end of input");
    }
}

static int jp_lit(jp *p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(p->s + p->pos, lit, n) != 0) return 0;
    p->pos += n;
    return 1;
}

static crm_status jp_value(jp *p, crm__json *v)
{
    char c = p->s[p->pos];
    switch (c) {
    case '{':
        return jp_container(p, v, 1);
    case '[':
        return jp_container(p, v, 0);
    case '"': {
        crm_status st = jp_string(p, &v->str, &v->len);
        if (st == CRM_OK) v->type = CRM__JSON_STRING;
        return st;
    }
    case 't':
        if (jp_lit(p, "true")) {
            v->type = CRM__JSON_TRUE;
            return CRM_OK;
        }
        break;
    case 'f':
        if (jp_lit(p, "false")) {
            v->type = CRM__JSON_FALSE;
            return CRM_OK;
        }
        break;
    case 'n':
        if (jp_lit(p, "null")) {
            v->type = CRM__JSON_NULL;
            return CRM_OK;
        }
        break;
    case '\0':
        return jp_fail(p, "unexpected end of input");
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return jp_number(p, v);
    }
    return jp_fail(p, "unexpected character");
}

crm_status crm__json_parse(const char *text, crm__json **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "JSON: out is NULL");
    *out = NULL;
    if (!text) return crm__error(CRM_E_INVALID, "JSON: text is NULL");
    crm__json *v = crm__calloc(1, sizeof *v);
    if (!v) return crm__nomem();
    jp p = {text, 0, 0};
    jp_ws(&p);
    crm_status st = jp_value(&p, v);
    if (st == CRM_OK) {
        jp_ws(&p);
        if (p.s[p.pos] != '\0') st = jp_fail(&p, "trailing characters after the JSON value");
    }
    if (st != CRM_OK) {
        crm__json_free(v);
        return st;
    }
    *out = v;
    return CRM_OK;
}

const crm__json *crm__json_get(const crm__json *v, const char *key)
{
    if (!v || v->type != CRM__JSON_OBJECT) return NULL;
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->keys[i], key) == 0) return &v->items[i];
    return NULL;
}

int crm__json_number(const crm__json *v, double *out)
{
    if (!v) return 0;
    if (v->type == CRM__JSON_NUMBER) {
        *out = v->num;
        return 1;
    }
    if (v->type == CRM__JSON_STRING) {
        if (strcmp(v->str, "nan") == 0) {
            *out = NAN;
            return 1;
        }
        if (strcmp(v->str, "inf") == 0) {
            *out = INFINITY;
            return 1;
        }
        if (strcmp(v->str, "-inf") == 0) {
            *out = -INFINITY;
            return 1;
        }
    }
    return 0;
}

crm_status crm__json_get_number(const crm__json *obj, const char *key, const char *what,
                                double *out)
{
    const crm__json *v = crm__json_get(obj, key);
    if (!v) return crm__error(CRM_E_PARSE, "%s: missing member \"%s\"", what, key);
    if (!crm__json_number(v, out))
        return crm__error(CRM_E_PARSE, "%s: member \"%s\" is not a number", what, key);
    return CRM_OK;
}

crm_status crm__json_get_string(const crm__json *obj, const char *key, const char *what,
                                const char **out)
{
    const crm__json *v = crm__json_get(obj, key);
    if (!v) return crm__error(CRM_E_PARSE, "%s: missing member \"%s\"", what, key);
    if (v->type != CRM__JSON_STRING)
        return crm__error(CRM_E_PARSE, "%s: member \"%s\" is not a string", what, key);
    *out = v->str;
    return CRM_OK;
}

crm_status crm__json_get_array(const crm__json *obj, const char *key, const char *what,
                               size_t expect_len, const crm__json **out)
{
    const crm__json *v = crm__json_get(obj, key);
    if (!v) return crm__error(CRM_E_PARSE, "%s: missing member \"%s\"", what, key);
    if (v->type != CRM__JSON_ARRAY)
        return crm__error(CRM_E_PARSE, "%s: member \"%s\" is not an array", what, key);
    if (v->len != expect_len)
        return crm__error(CRM_E_PARSE, "%s: member \"%s\" has %zu items, expected %zu", what, key,
                          v->len, expect_len);
    *out = v;
    return CRM_OK;
}

/* ---- checked members ----------------------------------------------------------- */

#define NO_INDEX ((size_t)-1)

/* "\"key\"" or "\"key\"[i]" */
static void label_of(char *buf, size_t cap, const char *key, size_t idx)
{
    if (idx == NO_INDEX)
        snprintf(buf, cap, "\"%s\"", key);
    else
        snprintf(buf, cap, "\"%s\"[%zu]", key, idx);
}

/* What the value is, for messages: the number, or its JSON type. */
static void describe(const crm__json *v, char *buf /* >= 48 */)
{
    double d;
    if (crm__json_number(v, &d)) {
        if (isnan(d)) {
            strcpy(buf, "nan");
            return;
        }
        size_t n = crm__format_number(d, '.', buf);
        buf[n] = '\0';
        return;
    }
    static const char *const names[] = {"null",     "false",    "true",     "a number",
                                        "a string", "an array", "an object"};
    strcpy(buf, v->type >= 0 && v->type <= CRM__JSON_OBJECT ? names[v->type] : "?");
}

static crm_status check_int(const crm__json *v, const char *what, const char *key, size_t idx,
                            int64_t lo, int64_t hi, int64_t *out)
{
    char lab[160], got[48];
    label_of(lab, sizeof lab, key, idx);
    if (!v) return crm__error(CRM_E_PARSE, "%s: missing member %s", what, lab);
    double d;
    /* lo and hi are exact doubles (|bound| <= 2^53), so the comparisons are
     * exact and a value that passes converts to int64_t without overflow */
    if (crm__json_number(v, &d) && d >= (double)lo && d <= (double)hi && d == floor(d)) {
        *out = (int64_t)d;
        return CRM_OK;
    }
    describe(v, got);
    return crm__error(CRM_E_PARSE, "%s: %s must be a whole number in %lld..%lld (got %s)", what,
                      lab, (long long)lo, (long long)hi, got);
}

crm_status crm__json_int(const crm__json *v, const char *what, const char *key, int64_t lo,
                         int64_t hi, int64_t *out)
{
    return check_int(v, what, key, NO_INDEX, lo, hi, out);
}

crm_status crm__json_get_int(const crm__json *obj, const char *key, const char *what, int64_t lo,
                             int64_t hi, int64_t *out)
{
    return check_int(crm__json_get(obj, key), what, key, NO_INDEX, lo, hi, out);
}

crm_status crm__json_int_at(const crm__json *arr, size_t i, const char *what, const char *key,
                            int64_t lo, int64_t hi, int64_t *out)
{
    return check_int(&arr->items[i], what, key, i, lo, hi, out);
}

crm_status crm__json_get_i32(const crm__json *obj, const char *key, const char *what, int32_t lo,
                             int32_t hi, int32_t *out)
{
    int64_t v = 0;
    crm_status st = check_int(crm__json_get(obj, key), what, key, NO_INDEX, lo, hi, &v);
    if (st == CRM_OK) *out = (int32_t)v;
    return st;
}

crm_status crm__json_get_bool(const crm__json *obj, const char *key, const char *what, int *out)
{
    const crm__json *v = crm__json_get(obj, key);
    if (!v) return crm__error(CRM_E_PARSE, "%s: missing member \"%s\"", what, key);
    if (v->type != CRM__JSON_TRUE && v->type != CRM__JSON_FALSE) {
        char got[48];
        describe(v, got);
        return crm__error(CRM_E_PARSE, "%s: \"%s\" must be true or false (got %s)", what, key, got);
    }
    *out = v->type == CRM__JSON_TRUE;
    return CRM_OK;
}

static void range_text(double lo, double hi, int flags, char *buf, size_t cap)
{
    char a[48], b[48];
    size_t n = crm__format_number(lo, '.', a);
    a[n] = '\0';
    n = crm__format_number(hi, '.', b);
    b[n] = '\0';
    if (lo == -DBL_MAX && hi == DBL_MAX)
        snprintf(buf, cap, "a finite number");
    else if (lo == -INFINITY && hi == INFINITY)
        snprintf(buf, cap, "a number");
    else if (lo == DBL_TRUE_MIN && hi == DBL_MAX)
        snprintf(buf, cap, "a finite number > 0");
    else if (hi == DBL_MAX)
        snprintf(buf, cap, "a finite number >= %s", a);
    else if (hi == INFINITY)
        snprintf(buf, cap, "a number >= %s", a);
    else if (lo == -DBL_MAX)
        snprintf(buf, cap, "a finite number <= %s", b);
    else
        snprintf(buf, cap, "a number in [%s, %s]", a, b);
    if (flags & CRM__JSON_NAN_OK) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, " or \"nan\"");
    }
}

static crm_status check_real(const crm__json *v, const char *what, const char *key, size_t idx,
                             double lo, double hi, int flags, double *out)
{
    char lab[160], got[48], want[128];
    label_of(lab, sizeof lab, key, idx);
    if (!v) return crm__error(CRM_E_PARSE, "%s: missing member %s", what, lab);
    double d;
    if (crm__json_number(v, &d) &&
        ((d >= lo && d <= hi) || (isnan(d) && (flags & CRM__JSON_NAN_OK)))) {
        *out = d;
        return CRM_OK;
    }
    describe(v, got);
    range_text(lo, hi, flags, want, sizeof want);
    return crm__error(CRM_E_PARSE, "%s: %s must be %s (got %s)", what, lab, want, got);
}

crm_status crm__json_real(const crm__json *v, const char *what, const char *key, double lo,
                          double hi, int flags, double *out)
{
    return check_real(v, what, key, NO_INDEX, lo, hi, flags, out);
}

crm_status crm__json_get_real(const crm__json *obj, const char *key, const char *what, double lo,
                              double hi, int flags, double *out)
{
    return check_real(crm__json_get(obj, key), what, key, NO_INDEX, lo, hi, flags, out);
}

crm_status crm__json_real_at(const crm__json *arr, size_t i, const char *what, const char *key,
                             double lo, double hi, int flags, double *out)
{
    return check_real(&arr->items[i], what, key, i, lo, hi, flags, out);
}

crm_status crm__json_get_reals(const crm__json *obj, const char *key, const char *what, size_t n,
                               double lo, double hi, int flags, double *out)
{
    const crm__json *a;
    crm_status st = crm__json_get_array(obj, key, what, n, &a);
    for (size_t i = 0; st == CRM_OK && i < n; i++)
        st = check_real(&a->items[i], what, key, i, lo, hi, flags, &out[i]);
    return st;
}

/* ---- writer ---------------------------------------------------------------- */

crm_status crm__json_write_string(crm__buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    crm_status st = crm__buf_append(b, "\"", 1);
    if (st != CRM_OK) return st;
    size_t run = 0;
    const char *p = s;
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c != '\0' && c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        if (run) {
            st = crm__buf_append(b, p - run, run);
            if (st != CRM_OK) return st;
            run = 0;
        }
        if (c == '\0') break;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        st = crm__buf_append(b, esc, n);
        if (st != CRM_OK) return st;
    }
    return crm__buf_append(b, "\"", 1);
}

crm_status crm__json_write_strings(crm__buf *b, char *const *s, size_t n)
{
    crm_status st = crm__buf_append(b, "[", 1);
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        if (i) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_string(b, s[i]);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

crm_status crm__json_write_number(crm__buf *b, double v)
{
    if (isnan(v)) return crm__buf_append(b, "\"nan\"", 5);
    if (isinf(v))
        return v < 0 ? crm__buf_append(b, "\"-inf\"", 6) : crm__buf_append(b, "\"inf\"", 5);
    char tmp[40];
    size_t n = crm__format_number(v, '.', tmp);
    return crm__buf_append(b, tmp, n);
}

crm_status crm__json_write_numbers(crm__buf *b, const double *v, size_t n)
{
    crm_status st = crm__buf_append(b, "[", 1);
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        if (i) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_number(b, v[i]);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}
