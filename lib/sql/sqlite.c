/* The SQLite backend: libsqlite3.so.0 opened at run time (package
 * libsqlite3-0). Type mapping and URI keys: crm/sql.h and docs/databases.md. */
#include "sql/sql_internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

/* The constants of sqlite3.h used here (stable since SQLite 3.0). */
enum {
    SQ_OK = 0,
    SQ_ERROR = 1,
    SQ_PERM = 3,
    SQ_NOMEM = 7,
    SQ_CONSTRAINT = 19,
    SQ_MISMATCH = 20,
    SQ_MISUSE = 21,
    SQ_TOOBIG = 18,
    SQ_RANGE = 25,
    SQ_ROW = 100,
    SQ_DONE = 101,
    SQ_CONSTRAINT_DATATYPE = 3091,
    SQ_INTEGER = 1,
    SQ_FLOAT = 2,
    SQ_TEXT = 3,
    SQ_BLOB = 4,
    SQ_NULL = 5,
    SQ_OPEN_READONLY = 0x1,
    SQ_OPEN_READWRITE = 0x2,
    SQ_OPEN_CREATE = 0x4,
    SQ_OPEN_NOMUTEX = 0x8000,
    SQ_LIMIT_VARIABLE_NUMBER = 9
};

/* SQLITE_TRANSIENT: SQLite copies the bound text. */
#define SQ_TRANSIENT ((void (*)(void *))(intptr_t)-1)

/* The functions used, looked up by name in this order. */
static const char *const sq_names[] = {
    "sqlite3_open_v2",          "sqlite3_close_v2",         "sqlite3_errmsg",
    "sqlite3_extended_errcode", "sqlite3_errstr",           "sqlite3_busy_timeout",
    "sqlite3_limit",            "sqlite3_prepare_v2",       "sqlite3_finalize",
    "sqlite3_reset",            "sqlite3_step",             "sqlite3_bind_parameter_count",
    "sqlite3_bind_null",        "sqlite3_bind_int64",       "sqlite3_bind_double",
    "sqlite3_bind_text",        "sqlite3_column_count",     "sqlite3_column_name",
    "sqlite3_column_decltype",  "sqlite3_column_type",      "sqlite3_column_int64",
    "sqlite3_column_double",    "sqlite3_column_text",      "sqlite3_column_bytes",
    "sqlite3_exec",             "sqlite3_free",             "sqlite3_get_autocommit",
};
#define SQ_NFUNCS (sizeof sq_names / sizeof sq_names[0])

typedef union sq_api {
    void *raw[SQ_NFUNCS];
    struct {
        int (*open_v2)(const char *, sqlite3 **, int, const char *);
        int (*close_v2)(sqlite3 *);
        const char *(*errmsg)(sqlite3 *);
        int (*extended_errcode)(sqlite3 *);
        const char *(*errstr)(int);
        int (*busy_timeout)(sqlite3 *, int);
        int (*limit)(sqlite3 *, int, int);
        int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
        int (*finalize)(sqlite3_stmt *);
        int (*reset)(sqlite3_stmt *);
        int (*step)(sqlite3_stmt *);
        int (*bind_parameter_count)(sqlite3_stmt *);
        int (*bind_null)(sqlite3_stmt *, int);
        int (*bind_int64)(sqlite3_stmt *, int, long long);
        int (*bind_double)(sqlite3_stmt *, int, double);
        int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
        int (*column_count)(sqlite3_stmt *);
        const char *(*column_name)(sqlite3_stmt *, int);
        const char *(*column_decltype)(sqlite3_stmt *, int);
        int (*column_type)(sqlite3_stmt *, int);
        long long (*column_int64)(sqlite3_stmt *, int);
        double (*column_double)(sqlite3_stmt *, int);
        const unsigned char *(*column_text)(sqlite3_stmt *, int);
        int (*column_bytes)(sqlite3_stmt *, int);
        int (*exec)(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *,
                    char **);
        void (*free)(void *);
        int (*get_autocommit)(sqlite3 *);
    } f;
} sq_api;

_Static_assert(sizeof(((sq_api *)0)->f) == sizeof(((sq_api *)0)->raw),
               "sq_api: one pointer per name");

struct crm__sql_conn {
    void *lib;
    sq_api a;
    sqlite3 *db;
};

struct crm__sql_cursor {
    crm__sql_conn *c;
    sqlite3_stmt *st;
    int ncols;
};

struct crm__sql_stmt {
    crm__sql_conn *c;
    sqlite3_stmt *st;
    size_t nparams;
    char *times; /* nparams slots of 32 bytes: time texts, bound without a copy */
};

/* ---- errors ------------------------------------------------------------------ */

static crm_status sq_status(int rc)
{
    if (rc == SQ_CONSTRAINT_DATATYPE)
        return CRM_E_TYPE;
    switch (rc & 0xff) {
    case SQ_ERROR:
        return CRM_E_PARSE;
    case SQ_CONSTRAINT:
    case SQ_TOOBIG:
    case SQ_RANGE:
        return CRM_E_INVALID;
    case SQ_MISMATCH:
        return CRM_E_TYPE;
    case SQ_NOMEM:
        return CRM_E_NOMEM;
    case SQ_MISUSE:
        return CRM_E_STATE;
    default:
        return CRM_E_IO;
    }
}

/* The connection's last error, passed through. */
static crm_status sq_fail(crm__sql_conn *c, int rc)
{
    int ext = c->a.f.extended_errcode(c->db);
    return crm__error(sq_status(ext ? ext : rc), "sqlite: %s", c->a.f.errmsg(c->db));
}

/* ---- connections ----------------------------------------------------------------- */

static const char *sq_column_type(int32_t type, int32_t is_key)
{
    (void)is_key;
    return type == CRM_TYPE_TEXT ? "TEXT" : type == CRM_TYPE_TIME ? "TIMESTAMP" : "NUMERIC";
}

/* SQLite allows 32766 parameters (999 before 3.32), but a statement that binds
 * more than about a thousand is slower per row: 100,000 rows x 4 columns took
 * 0.10 s in statements of 100 or 1,000 rows and 0.14 s in statements of
 * 8,191 rows (the limit), 0.33 s one row at a time. */
static size_t sq_max_params(crm__sql_conn *c)
{
    int n = c->a.f.limit(c->db, SQ_LIMIT_VARIABLE_NUMBER, -1);
    return n > 0 && n < 1000 ? (size_t)n : 1000;
}

/* Open flags and busy timeout from the URI's query keys. */
static crm_status sq_uri_options(const crm__sql_uri *u, int32_t readonly, int *flags, int *busy)
{
    *flags = SQ_OPEN_READWRITE | SQ_OPEN_CREATE;
    *busy = 5000;
    for (size_t i = 0; i < u->nkv; i++) {
        const char *k = u->kv[i].key, *v = u->kv[i].value;
        if (strcmp(k, "mode") == 0) {
            if (strcmp(v, "ro") == 0)
                *flags = SQ_OPEN_READONLY;
            else if (strcmp(v, "rw") == 0)
                *flags = SQ_OPEN_READWRITE;
            else if (strcmp(v, "rwc") != 0)
                return crm__error(CRM_E_INVALID, "sqlite: mode must be ro, rw or rwc (got \"%s\")",
                                  v);
        } else if (strcmp(k, "busy_timeout") == 0) {
            long ms = 0;
            const char *p = v;
            for (; *p >= '0' && *p <= '9' && ms <= 86400000L; p++)
                ms = ms * 10 + (*p - '0');
            if (*p || p == v || ms > 86400000L)
                return crm__error(CRM_E_INVALID,
                                  "sqlite: busy_timeout must be 0..86400000 ms (got \"%s\")", v);
            *busy = (int)ms;
        } else {
            return crm__error(CRM_E_INVALID,
                              "sqlite: unknown URI key \"%s\" (known: mode, busy_timeout)", k);
        }
    }
    if (readonly)
        *flags = SQ_OPEN_READONLY;
    *flags |= SQ_OPEN_NOMUTEX;
    return CRM_OK;
}

static void sq_disconnect(crm__sql_conn *c)
{
    if (!c)
        return;
    if (c->db)
        c->a.f.close_v2(c->db);
    if (c->lib)
        dlclose(c->lib);
    crm__free(c);
}

static crm_status sq_connect(const crm__sql_uri *uri, const char *client_library, int32_t readonly,
                             crm__sql_conn **out)
{
    static const char *const sonames[] = {"libsqlite3.so.0"};
    *out = NULL;
    int flags, busy;
    crm_status st = sq_uri_options(uri, readonly, &flags, &busy);
    if (st != CRM_OK)
        return st;
    crm__sql_conn *c = crm__calloc(1, sizeof *c);
    if (!c)
        return crm__nomem();
    st = crm__sql_dlopen(client_library, sonames, 1, "libsqlite3-0", &c->lib);
    if (st == CRM_OK)
        st = crm__sql_dlsyms(c->lib, "libsqlite3", sq_names, c->a.raw, SQ_NFUNCS);
    if (st != CRM_OK) {
        sq_disconnect(c);
        return st;
    }
    int rc = c->a.f.open_v2(uri->path, &c->db, flags, NULL);
    if (rc != SQ_OK) {
        st = crm__error(CRM_E_IO, "sqlite: %s: %s", uri->path,
                        c->db ? c->a.f.errmsg(c->db) : c->a.f.errstr(rc));
        sq_disconnect(c);
        return st;
    }
    c->a.f.busy_timeout(c->db, busy);
    *out = c;
    return CRM_OK;
}

/* ---- statements ------------------------------------------------------------------------ */

/* Prepare exactly one statement of sql (trailing blanks and ';' allowed). */
static crm_status sq_prepare1(crm__sql_conn *c, const char *sql, sqlite3_stmt **out)
{
    const char *tail = NULL;
    *out = NULL;
    int rc = c->a.f.prepare_v2(c->db, sql, -1, out, &tail);
    if (rc != SQ_OK) {
        crm_status st = sq_fail(c, rc);
        c->a.f.finalize(*out);
        *out = NULL;
        return st;
    }
    int more = 0;
    if (tail && *tail) { /* only blanks, ';' and comments may follow */
        sqlite3_stmt *next = NULL;
        rc = c->a.f.prepare_v2(c->db, tail, -1, &next, NULL);
        more = rc != SQ_OK || next != NULL;
        c->a.f.finalize(next);
    }
    if (!*out || more) {
        c->a.f.finalize(*out);
        *out = NULL;
        return crm__error(CRM_E_INVALID, "sqlite: %s",
                          more ? "the SQL holds more than one statement"
                               : "the SQL holds no statement");
    }
    return CRM_OK;
}

/* 1 and *v when s is a canonical decimal integer that fits int64. */
static int canonical_int(const char *s, size_t n, long long *v)
{
    size_t i = s[0] == '-';
    if (n == i || n - i > 19 || (s[i] == '0' && n - i > 1) || (i && s[i] == '0'))
        return 0;
    unsigned long long u = 0;
    for (size_t k = i; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return 0;
        u = u * 10 + (unsigned long long)(s[k] - '0');
    }
    if (u > (i ? 9223372036854775808ULL : 9223372036854775807ULL))
        return 0;
    *v = i ? (long long)(0 - u) : (long long)u;
    return 1;
}

/* Bind value v to parameter j (1-based). query: text that is a canonical
 * integer is bound as an INTEGER (crm/sql.h, "Parameters"). slot: NULL, or 32
 * bytes that outlive the statement's execution: text is then bound without
 * a copy (SQLITE_STATIC; the caller's text lives as long). */
static crm_status sq_bind(crm__sql_conn *c, sqlite3_stmt *st, int j, const crm__sql_value *v,
                          int query, char *slot)
{
    int rc;
    long long iv;
    char local[40];
    char *buf = slot ? slot : local;
    void (*keep)(void *) = slot ? NULL : SQ_TRANSIENT;
    switch (v->kind) {
    case CRM__SQL_NUMBER:
        rc = c->a.f.bind_double(st, j, v->num);
        break;
    case CRM__SQL_TEXT:
        if (v->len > 0x7fffffff)
            return crm__error(CRM_E_INVALID, "sqlite: a text of %zu bytes is too long", v->len);
        if (query && canonical_int(v->text, v->len, &iv))
            rc = c->a.f.bind_int64(st, j, iv);
        else
            rc = c->a.f.bind_text(st, j, v->text, (int)v->len, keep);
        break;
    case CRM__SQL_TIME:
        /* 0000-01-01 .. 9999-12-31 23:59:59: the text form reads back */
        if (v->time < -62167219200LL || v->time >= 253402300800LL)
            return crm__error(CRM_E_TYPE,
                              "sqlite: time %lld s is outside the years 0000 to 9999 and cannot "
                              "be written",
                              (long long)v->time);
        rc = c->a.f.bind_text(st, j, buf, (int)crm__sql_format_time(v->time, buf), keep);
        break;
    default:
        rc = c->a.f.bind_null(st, j);
        break;
    }
    return rc == SQ_OK ? CRM_OK : sq_fail(c, rc);
}

/* ---- reading ---------------------------------------------------------------------------- */

static int word_is(const char *d, size_t n, const char *w)
{
    return strlen(w) == n && strncmp(d, w, n) == 0;
}

/* crm_type of a declared type (crm/sql.h table), 0: by value. */
static int32_t sq_decl_type(const char *decl)
{
    char up[64];
    size_t n = 0;
    for (; decl[n] && n + 1 < sizeof up; n++)
        up[n] = decl[n] >= 'a' && decl[n] <= 'z' ? (char)(decl[n] - 32) : decl[n];
    up[n] = '\0';
    size_t w = strcspn(up, " (");
    if (word_is(up, w, "DATE") || word_is(up, w, "DATETIME") || word_is(up, w, "TIMESTAMP") ||
        word_is(up, w, "TIMESTAMPTZ"))
        return CRM_TYPE_TIME;
    if (strstr(up, "INT"))
        return CRM_TYPE_NUMBER;
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
        return CRM_TYPE_TEXT;
    if (strstr(up, "BLOB"))
        return 0;
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB") ||
        word_is(up, w, "NUMERIC") || word_is(up, w, "DECIMAL") || word_is(up, w, "BOOLEAN") ||
        word_is(up, w, "BOOL"))
        return CRM_TYPE_NUMBER;
    return 0;
}

static void sq_close(crm__sql_cursor *cur)
{
    if (!cur)
        return;
    cur->c->a.f.finalize(cur->st);
    crm__free(cur);
}

static crm_status sq_query(crm__sql_conn *c, const char *sql, const crm__sql_value *params,
                           size_t nparams, size_t batch_rows, crm__sql_cursor **out)
{
    (void)batch_rows; /* sqlite3_step() hands out one row at a time */
    *out = NULL;
    crm__sql_cursor *cur = crm__calloc(1, sizeof *cur);
    if (!cur)
        return crm__nomem();
    cur->c = c;
    crm_status st = sq_prepare1(c, sql, &cur->st);
    if (st == CRM_OK) {
        int want = c->a.f.bind_parameter_count(cur->st);
        if ((size_t)want != nparams)
            st = crm__error(CRM_E_INVALID,
                            "sqlite: the query has %d placeholder(s) but %zu parameter(s) were "
                            "given",
                            want, nparams);
    }
    for (size_t i = 0; st == CRM_OK && i < nparams; i++)
        st = sq_bind(c, cur->st, (int)i + 1, &params[i], 1, NULL);
    if (st != CRM_OK) {
        sq_close(cur);
        return st;
    }
    cur->ncols = c->a.f.column_count(cur->st);
    *out = cur;
    return CRM_OK;
}

static size_t sq_ncols(crm__sql_cursor *cur)
{
    return cur->ncols > 0 ? (size_t)cur->ncols : 0;
}

static crm_status sq_column(crm__sql_cursor *cur, size_t i, crm__sql_colinfo *out)
{
    const char *name = cur->c->a.f.column_name(cur->st, (int)i);
    const char *decl = cur->c->a.f.column_decltype(cur->st, (int)i);
    if (!name)
        return crm__nomem();
    out->name = name;
    out->decl = decl ? decl : "";
    out->type = decl ? sq_decl_type(decl) : 0;
    return CRM_OK;
}

static crm_status sq_next(crm__sql_cursor *cur, int32_t *out_has_row)
{
    int rc = cur->c->a.f.step(cur->st);
    *out_has_row = rc == SQ_ROW;
    return rc == SQ_ROW || rc == SQ_DONE ? CRM_OK : sq_fail(cur->c, rc);
}

static crm_status sq_cell(crm__sql_cursor *cur, size_t i, crm__sql_value *out)
{
    const sq_api *a = &cur->c->a;
    int col = (int)i;
    memset(out, 0, sizeof *out);
    switch (a->f.column_type(cur->st, col)) {
    case SQ_INTEGER: {
        long long v = a->f.column_int64(cur->st, col);
        double d = (double)v;
        if (d >= 9223372036854775808.0 || (long long)d != v)
            return crm__error(CRM_E_TYPE,
                              "integer %lld does not fit a double exactly (CAST the column AS "
                              "TEXT)",
                              v);
        out->kind = CRM__SQL_NUMBER;
        out->num = d;
        return CRM_OK;
    }
    case SQ_FLOAT:
        out->kind = CRM__SQL_NUMBER;
        out->num = a->f.column_double(cur->st, col);
        return CRM_OK;
    case SQ_TEXT:
        out->kind = CRM__SQL_TEXT;
        out->text = (const char *)a->f.column_text(cur->st, col);
        out->len = (size_t)a->f.column_bytes(cur->st, col);
        if (!out->text)
            return crm__nomem();
        return CRM_OK;
    case SQ_BLOB:
        return crm__error(CRM_E_TYPE, "BLOB values cannot be read (CAST the column AS TEXT)");
    default:
        out->kind = CRM__SQL_NULL;
        return CRM_OK;
    }
}

/* ---- writing ----------------------------------------------------------------------------- */

static crm_status sq_exec(crm__sql_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = c->a.f.exec(c->db, sql, NULL, NULL, &msg);
    if (rc == SQ_OK)
        return CRM_OK;
    int ext = c->a.f.extended_errcode(c->db);
    crm_status st = crm__error(sq_status(ext ? ext : rc), "sqlite: %s",
                               msg ? msg : c->a.f.errstr(rc));
    c->a.f.free(msg);
    return st;
}

static crm_status sq_begin(crm__sql_conn *c)
{
    return sq_exec(c, "BEGIN IMMEDIATE");
}

static crm_status sq_commit(crm__sql_conn *c)
{
    return sq_exec(c, "COMMIT");
}

static crm_status sq_rollback(crm__sql_conn *c)
{
    return c->a.f.get_autocommit(c->db) ? CRM_OK : sq_exec(c, "ROLLBACK");
}

static crm_status sq_table_exists(crm__sql_conn *c, const char *schema, const char *table,
                                  int32_t *out)
{
    *out = 0;
    crm__buf b = {0};
    crm_status st = crm__buf_append(&b, "SELECT 1 FROM ", 14);
    if (st == CRM_OK)
        st = crm__sql_quote_ident(&b, schema ? schema : "main", '"');
    if (st == CRM_OK)
        st = crm__buf_printf(&b, ".sqlite_master WHERE type IN ('table', 'view') AND name = ?1");
    sqlite3_stmt *q = NULL;
    if (st == CRM_OK)
        st = sq_prepare1(c, b.data, &q);
    crm__buf_free(&b);
    if (st != CRM_OK)
        return st;
    int rc = c->a.f.bind_text(q, 1, table, -1, SQ_TRANSIENT);
    if (rc == SQ_OK)
        rc = c->a.f.step(q);
    if (rc == SQ_ROW || rc == SQ_DONE)
        *out = rc == SQ_ROW;
    else
        st = sq_fail(c, rc);
    c->a.f.finalize(q);
    return st;
}

static crm_status sq_prepare(crm__sql_conn *c, const char *sql, size_t nparams,
                             crm__sql_stmt **out)
{
    *out = NULL;
    crm__sql_stmt *s = crm__calloc(1, sizeof *s);
    if (!s)
        return crm__nomem();
    s->c = c;
    s->nparams = nparams;
    s->times = crm__malloc_array(nparams ? nparams : 1, 32);
    crm_status st = s->times ? sq_prepare1(c, sql, &s->st) : crm__nomem();
    if (st != CRM_OK) {
        crm__free(s->times);
        crm__free(s);
        return st;
    }
    *out = s;
    return CRM_OK;
}

static crm_status sq_execute(crm__sql_stmt *s, const crm__sql_value *params, size_t nparams)
{
    crm__sql_conn *c = s->c;
    crm_status st = CRM_OK;
    if (nparams != s->nparams)
        return crm__error(CRM_E_INVALID, "sqlite: %zu values for %zu placeholders", nparams,
                          s->nparams);
    for (size_t i = 0; st == CRM_OK && i < nparams; i++)
        st = sq_bind(c, s->st, (int)i + 1, &params[i], 0, s->times + 32 * i);
    if (st == CRM_OK) {
        int rc = c->a.f.step(s->st);
        if (rc != SQ_DONE && rc != SQ_ROW)
            st = sq_fail(c, rc);
    }
    c->a.f.reset(s->st);
    return st;
}

static void sq_finalize(crm__sql_stmt *s)
{
    if (!s)
        return;
    s->c->a.f.finalize(s->st);
    crm__free(s->times);
    crm__free(s);
}

const crm__sql_backend crm__sql_backend_sqlite = {
    .name = "sqlite",
    .ident_quote = '"',
    .placeholder = CRM__SQL_PH_QMARK,
    .upsert = CRM__SQL_UPSERT_ON_CONFLICT,
    .max_params = sq_max_params,
    .column_type = sq_column_type,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .query = sq_query,
    .ncols = sq_ncols,
    .column = sq_column,
    .next = sq_next,
    .cell = sq_cell,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .table_exists = sq_table_exists,
    .prepare = sq_prepare,
    .execute = sq_execute,
    .finalize = sq_finalize,
};
