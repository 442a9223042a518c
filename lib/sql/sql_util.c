/* Helpers of the SQL module shared by sql.c and the backends: connection
 * string parsing, run-time loading of client libraries, quoted identifiers,
 * time text. */
#include "sql/sql_internal.h"

#include <dlfcn.h>
#include <string.h>

/* ---- URI parsing ----------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* New NUL-terminated percent-decoded copy of [s, s+n); plus_space: '+' is a
 * space (query strings). A bad escape or an encoded NUL: CRM_E_INVALID. */
static crm_status decode(const char *s, size_t n, int plus_space, const char *what, char **out)
{
    *out = NULL;
    char *d = crm__malloc(n + 1);
    if (!d)
        return crm__nomem();
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                crm__free(d);
                return crm__error(CRM_E_INVALID, "sql URI: bad %%-escape in the %s", what);
            }
            d[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[j++] = plus_space && s[i] == '+' ? ' ' : s[i];
        }
    }
    d[j] = '\0';
    *out = d;
    return CRM_OK;
}

static crm_status parse_query(const char *q, crm__sql_uri *u)
{
    size_t cnt = 1;
    for (const char *p = q; *p; p++)
        cnt += *p == '&';
    u->kv = crm__calloc(cnt, sizeof *u->kv);
    if (!u->kv)
        return crm__nomem();
    const char *p = q;
    while (*p) {
        size_t len = strcspn(p, "&");
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            crm__sql_kv *kv = &u->kv[u->nkv];
            crm_status st = decode(p, klen, 1, "query string", &kv->key);
            if (st == CRM_OK)
                st = eq ? decode(eq + 1, len - klen - 1, 1, "query string", &kv->value)
                        : decode("", 0, 1, "query string", &kv->value);
            if (st != CRM_OK) {
                crm__free(kv->key);
                kv->key = NULL;
                return st;
            }
            u->nkv++;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return CRM_OK;
}

/* //[user[:password]@][host][:port][/database] (the query already cut off). */
static crm_status parse_authority(const char *s, size_t n, crm__sql_uri *u)
{
    const char *end = s + n;
    const char *slash = memchr(s, '/', n);
    const char *auth_end = slash ? slash : end;
    const char *at = NULL;
    for (const char *p = s; p < auth_end; p++)
        if (*p == '@')
            at = p;
    crm_status st = CRM_OK;
    const char *h = s;
    if (at) {
        const char *colon = memchr(s, ':', (size_t)(at - s));
        st = decode(s, (size_t)((colon ? colon : at) - s), 0, "user name", &u->user);
        if (st == CRM_OK && colon)
            st = decode(colon + 1, (size_t)(at - colon - 1), 0, "password", &u->password);
        h = at + 1;
    }
    const char *hend = auth_end;
    const char *port = NULL;
    size_t hlen = h < hend ? (size_t)(hend - h) : 0; /* h <= hend: '@' lies before hend */
    if (st == CRM_OK && hlen > 0 && *h == '[') { /* [IPv6] */
        const char *rb = memchr(h, ']', hlen);
        if (!rb)
            return crm__error(CRM_E_INVALID, "sql URI: unbalanced '[' in the host");
        st = decode(h + 1, (size_t)(rb - h - 1), 0, "host", &u->host);
        if (rb + 1 < hend && rb[1] == ':')
            port = rb + 2;
        else if (rb + 1 != hend)
            return crm__error(CRM_E_INVALID, "sql URI: unexpected text after the IPv6 host");
    } else if (st == CRM_OK) {
        const char *colon = memchr(h, ':', hlen);
        if (colon)
            port = colon + 1;
        if ((colon ? colon : hend) > h)
            st = decode(h, (size_t)((colon ? colon : hend) - h), 0, "host", &u->host);
    }
    if (st == CRM_OK && port) {
        int64_t v = 0;
        if (port == hend)
            return crm__error(CRM_E_INVALID, "sql URI: empty port");
        for (const char *p = port; p < hend; p++) {
            if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > 65535)
                return crm__error(CRM_E_INVALID, "sql URI: port must be a number 1..65535");
        }
        if (v == 0)
            return crm__error(CRM_E_INVALID, "sql URI: port must be a number 1..65535");
        u->port = (int32_t)v;
    }
    if (st == CRM_OK && slash && slash + 1 < end)
        st = decode(slash + 1, (size_t)(end - slash - 1), 0, "database name", &u->database);
    return st;
}

static crm_status parse_sqlite(const char *rest, crm__sql_uri *u)
{
    size_t n = strcspn(rest, "?");
    const char *p = rest;
    if (n >= 2 && p[0] == '/' && p[1] == '/') { /* sqlite:///abs/path, sqlite://rel */
        p += 2;
        n -= 2;
    }
    if (n == 0)
        return crm__error(CRM_E_INVALID, "sql URI: sqlite: needs a file name (sqlite:PATH)");
    crm_status st = decode(p, n, 0, "file name", &u->path);
    if (st == CRM_OK && p[n] == '?')
        st = parse_query(p + n + 1, u);
    return st;
}

static crm_status parse_server(const char *rest, crm__sql_uri *u)
{
    if (strncmp(rest, "//", 2) != 0)
        return crm__error(CRM_E_INVALID, "sql URI: %s URIs start with %s://", u->scheme,
                          u->scheme);
    rest += 2;
    size_t n = strcspn(rest, "?#");
    crm_status st = parse_authority(rest, n, u);
    if (st == CRM_OK && rest[n] == '?') {
        size_t qn = strcspn(rest + n + 1, "#");
        char *q = crm__strndup(rest + n + 1, qn);
        if (!q)
            return crm__nomem();
        st = parse_query(q, u);
        crm__free(q);
    }
    return st;
}

/* Scheme of s (letters, digits, + - . after a letter, then ':'), or 0. */
static size_t scheme_len(const char *s)
{
    size_t i = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    while (s[i] && s[i] != ':') {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
        i++;
    }
    return s[i] == ':' ? i : 0;
}

static int scheme_is(const char *s, size_t n, const char *name)
{
    if (strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (c != name[i])
            return 0;
    }
    return 1;
}

static crm_status uri_dispatch(const char *s, crm__sql_uri *u)
{
    size_t sl = scheme_len(s);
    const char *norm = NULL;
    if (sl && (scheme_is(s, sl, "sqlite") || scheme_is(s, sl, "sqlite3")))
        norm = "sqlite";
    else if (sl && (scheme_is(s, sl, "postgresql") || scheme_is(s, sl, "postgres")))
        norm = "postgresql";
    else if (sl && (scheme_is(s, sl, "mysql") || scheme_is(s, sl, "mariadb")))
        norm = "mysql";
    else if (!sl && strchr(s, '='))
        norm = "postgresql"; /* a libpq keyword/value string */
    if (!norm) {
        if (sl)
            return crm__error(CRM_E_INVALID,
                              "sql URI: unknown scheme \"%.*s\" (use sqlite:, postgresql:// or "
                              "mysql://)",
                              (int)(sl > 32 ? 32 : sl), s);
        return crm__error(CRM_E_INVALID, "sql URI: no scheme (use sqlite:PATH, postgresql://... "
                                         "or a libpq \"key=value\" string, mysql://...)");
    }
    u->scheme = crm__strdup(norm);
    if (!u->scheme)
        return crm__nomem();
    if (!sl)
        return CRM_OK; /* libpq parses keyword strings itself */
    if (strcmp(norm, "sqlite") == 0)
        return parse_sqlite(s + sl + 1, u);
    return parse_server(s + sl + 1, u);
}

crm_status crm__sql_uri_parse(const char *s, crm__sql_uri *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s)
        return crm__error(CRM_E_INVALID, "sql URI: empty");
    if (!crm__utf8_valid(s, strlen(s)))
        return crm__error(CRM_E_INVALID, "sql URI: not valid UTF-8");
    out->raw = crm__strdup(s);
    if (!out->raw)
        return crm__nomem();
    crm_status st = uri_dispatch(s, out);
    if (st != CRM_OK)
        crm__sql_uri_free(out);
    return st;
}

void crm__sql_uri_free(crm__sql_uri *u)
{
    if (!u)
        return;
    crm__free(u->raw);
    crm__free(u->scheme);
    crm__free(u->user);
    crm__free(u->password);
    crm__free(u->host);
    crm__free(u->database);
    crm__free(u->path);
    for (size_t i = 0; i < u->nkv; i++) {
        crm__free(u->kv[i].key);
        crm__free(u->kv[i].value);
    }
    crm__free(u->kv);
    memset(u, 0, sizeof *u);
}

const char *crm__sql_uri_get(const crm__sql_uri *u, const char *key)
{
    for (size_t i = 0; i < u->nkv; i++)
        if (strcmp(u->kv[i].key, key) == 0)
            return u->kv[i].value;
    return NULL;
}

/* Append [s, s+n) to b with every password value replaced by "***": the
 * userinfo password of a URI, and password=... of a libpq keyword string or
 * of a URI query. */
static crm_status redact_into(crm__buf *b, const char *s)
{
    const char *auth = strstr(s, "//");
    crm_status st = CRM_OK;
    if (auth) {
        auth += 2;
        size_t alen = strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < auth + alen; p++)
            if (*p == '@')
                at = p;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            st = crm__buf_append(b, s, (size_t)(colon + 1 - s));
            if (st == CRM_OK)
                st = crm__buf_append(b, "***", 3);
            s = at;
        }
    }
    while (st == CRM_OK && *s) {
        const char *pw = strstr(s, "password=");
        if (!pw) {
            st = crm__buf_append(b, s, strlen(s));
            break;
        }
        st = crm__buf_append(b, s, (size_t)(pw - s) + 9);
        if (st == CRM_OK)
            st = crm__buf_append(b, "***", 3);
        s = pw + 9;
        if (*s == '\'') { /* libpq quoted value */
            s++;
            while (*s && *s != '\'')
                s += s[0] == '\\' && s[1] ? 2 : 1;
            if (*s)
                s++;
        } else {
            s += strcspn(s, " \t&#");
        }
    }
    return st;
}

char *crm__sql_uri_redacted(const crm__sql_uri *u)
{
    crm__buf b = {0};
    if (redact_into(&b, u->raw ? u->raw : "") != CRM_OK || crm__buf_reserve(&b, 0) != CRM_OK) {
        crm__buf_free(&b);
        return NULL;
    }
    b.data[b.len] = '\0';
    return b.data;
}

/* ---- client libraries --------------------------------------------------------- */

crm_status crm__sql_dlopen(const char *override, const char *const *sonames, size_t nsonames,
                           const char *package, void **out)
{
    *out = NULL;
    const char *first = override && *override ? override : nsonames ? sonames[0] : "?";
    const char *why = NULL;
    if (override && *override) {
        *out = dlopen(override, RTLD_NOW | RTLD_LOCAL);
        why = *out ? NULL : dlerror();
    } else {
        for (size_t i = 0; i < nsonames && !*out; i++) {
            *out = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
            if (!*out && !why)
                why = dlerror();
        }
    }
    if (*out)
        return CRM_OK;
    return crm__error(CRM_E_UNSUPPORTED, "%s not found: install %s (%s)", first, package,
                      why ? why : "cannot be loaded");
}

crm_status crm__sql_dlsyms(void *handle, const char *lib, const char *const *names, void **syms,
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        syms[i] = dlsym(handle, names[i]);
        if (!syms[i])
            return crm__error(CRM_E_UNSUPPORTED,
                              "%s: symbol %s not found (client library too old?)", lib,
                              names[i]);
    }
    return CRM_OK;
}

/* ---- identifiers and times ----------------------------------------------------- */

crm_status crm__sql_quote_ident(crm__buf *b, const char *name, char q)
{
    size_t n = strlen(name);
    if (n == 0)
        return crm__error(CRM_E_INVALID, "SQL identifier is empty");
    if (!crm__utf8_valid(name, n))
        return crm__error(CRM_E_INVALID, "SQL identifier is not valid UTF-8");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f)
            return crm__error(CRM_E_INVALID,
                              "SQL identifier \"%s\" contains a control character", name);
    }
    crm_status st = crm__buf_reserve(b, n * 2 + 2);
    if (st != CRM_OK)
        return st;
    b->data[b->len++] = q;
    for (size_t i = 0; i < n; i++) {
        if (name[i] == q)
            b->data[b->len++] = q;
        b->data[b->len++] = name[i];
    }
    b->data[b->len++] = q;
    b->data[b->len] = '\0';
    return CRM_OK;
}

static void put2(char *p, int64_t v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* Every time cell of a write goes through here: digits by hand, snprintf took
 * a third of a 100,000-row SQLite write. */
size_t crm__sql_format_time(int64_t t, char *buf)
{
    if (t < -62167219200LL || t >= 253402300800LL) /* outside years 0000..9999 */
        return crm__format_time(t, 0, buf);
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y, m, d;
    crm__civil_from_days(days, &y, &m, &d);
    put2(buf, y / 100);
    put2(buf + 2, y % 100);
    buf[4] = '-';
    put2(buf + 5, m);
    buf[7] = '-';
    put2(buf + 8, d);
    buf[10] = ' ';
    put2(buf + 11, secs / 3600);
    buf[13] = ':';
    put2(buf + 14, secs / 60 % 60);
    buf[16] = ':';
    put2(buf + 17, secs % 60);
    buf[19] = '\0';
    return 19;
}

int crm__sql_parse_time(const char *s, size_t n, int64_t *t)
{
    /* servers write "+00" (PostgreSQL) as well as "+00:00"; "Z" is ISO */
    char tmp[64];
    if (n >= 3 && n + 3 < sizeof tmp && (s[n - 3] == '+' || s[n - 3] == '-') && n > 10 &&
        s[n - 2] >= '0' && s[n - 2] <= '9' && s[n - 1] >= '0' && s[n - 1] <= '9') {
        memcpy(tmp, s, n);
        memcpy(tmp + n, ":00", 3);
        return crm__time_parse_iso(tmp, n + 3, t, NULL);
    }
    return crm__time_parse_iso(s, n, t, NULL);
}
