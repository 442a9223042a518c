/*
 * The SQL module's backend interface (never installed).
 *
 * lib/sql/sql.c implements crm/sql.h once for every database: it parses the
 * URI, picks the backend by scheme, streams the rows of a query into column
 * builders batch by batch, builds every SQL statement of a write (CREATE
 * TABLE, DELETE, batched multi-row INSERT / upsert with quoted identifiers)
 * and runs it in one transaction. A backend (lib/sql/sqlite.c, pg.c,
 * mysql.c) only talks to its client library, which it opens at run time with
 * crm__sql_dlopen(): libcrm links against none of them.
 *
 * Backend contract (every function pointer of crm__sql_backend):
 * - returns CRM_OK or a negative crm_status after calling crm__error() with a
 *   message that passes the server's or client library's own text through,
 *   prefixed with the backend name: "sqlite: near \"SELEC\": syntax error";
 * - CRM_E_UNSUPPORTED: the client library cannot be loaded (crm__sql_dlopen);
 *   CRM_E_IO: cannot connect, connection lost, server gone; CRM_E_PARSE: the
 *   server refused the SQL text (syntax, unknown table or column);
 *   CRM_E_INVALID: the server refused a value or a constraint (duplicate
 *   key, NOT NULL, type); CRM_E_TYPE: a value of a type libcrm cannot map;
 *   CRM_E_NOMEM: an allocation failed (crm__malloc & co only);
 * - never prints, never exits, leaks nothing on any path; after a failure of
 *   a statement the connection stays usable for rollback() and disconnect();
 * - objects are used by one thread at a time (one connection per call of the
 *   public API); nothing is global besides the dlopen'ed library handle,
 *   which a backend may cache (opened once under a pthread_once or a mutex).
 */
#ifndef CRM_SQL_INTERNAL_H
#define CRM_SQL_INTERNAL_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- values ------------------------------------------------------------- */

/* Kind of a bound parameter or of a fetched cell. */
enum {
    CRM__SQL_NULL = 0,   /* SQL NULL (a missing cell) */
    CRM__SQL_NUMBER = 1, /* num: a finite double or +-Inf (never NaN: NaN is NULL) */
    CRM__SQL_TEXT = 2,   /* text, len: UTF-8, not NUL-terminated necessarily */
    CRM__SQL_TIME = 3    /* time: seconds since 1970-01-01 00:00:00 UTC */
};

/* One value passed to or from a backend. For a cell, text is borrowed from
 * the cursor and valid until its next next() or close(). For a parameter,
 * text is borrowed from the caller for the length of the call. */
typedef struct crm__sql_value {
    int32_t kind; /* CRM__SQL_* */
    double num;
    int64_t time;
    const char *text;
    size_t len;
} crm__sql_value;

/* ---- connection strings ------------------------------------------------- */

/* One key=value of a URI query string (percent-decoded). */
typedef struct crm__sql_kv {
    char *key;
    char *value;
} crm__sql_kv;

/* A parsed connection string (crm__sql_uri_parse). Every string is
 * percent-decoded, owned by the struct, NULL when absent.
 *   sqlite:PATH, sqlite:///abs/path, sqlite://rel/path, sqlite::memory:
 *       -> scheme "sqlite", path; query (?mode=ro ...) in kv
 *   postgresql://user:pw@host:port/db?k=v, postgres://...
 *       -> scheme "postgresql"; user, password, host, port, database, kv
 *   a libpq keyword string "host=/run/postgresql dbname=shop" (no scheme,
 *   contains '=') -> scheme "postgresql", only raw is set (libpq parses it)
 *   mysql://user:pw@host:port/db?socket=/run/mysqld/mysqld.sock, mariadb://...
 *       -> scheme "mysql"; the same parts
 * raw is always the whole string as given (libpq takes its URI as is). The
 * password, when present, is never put in an error message. */
typedef struct crm__sql_uri {
    char *raw;
    char *scheme; /* "sqlite", "postgresql" or "mysql" (aliases normalised) */
    char *user;
    char *password;
    char *host;
    int32_t port; /* 0 when absent */
    char *database;
    char *path; /* sqlite: the file name (":memory:" for an in-memory database) */
    crm__sql_kv *kv;
    size_t nkv;
} crm__sql_uri;

/* Parse s into *out (zeroed first). CRM_E_INVALID naming the fault ("sql
 * URI: unknown scheme \"foo\" (sqlite:, postgresql://, mysql://)"; never
 * echoing a password); CRM_E_NOMEM. On failure *out holds nothing to free. */
crm_status crm__sql_uri_parse(const char *s, crm__sql_uri *out);
void crm__sql_uri_free(crm__sql_uri *u);
/* Value of query key `key`, or NULL. */
const char *crm__sql_uri_get(const crm__sql_uri *u, const char *key);
/* The URI for messages: raw with the password replaced by "***". New string
 * (crm__free), NULL when out of memory. */
char *crm__sql_uri_redacted(const crm__sql_uri *u);

/* ---- run-time loading of client libraries ------------------------------- */

/* dlopen() the client library of a backend: `override` when it is non-NULL
 * and non-empty (crm_sql_options.client_library: a path or soname of another
 * build; tests name a missing one), otherwise the first of
 * sonames[0..nsonames) that loads. On failure: CRM_E_UNSUPPORTED with
 * "<soname> not found: install <package> (<dlerror text>)", e.g.
 * "libpq.so.5 not found: install libpq5 (...)". *out is NULL then. The
 * library never reads the environment (tests/symbols.sh): there is no
 * variable to point it elsewhere. A backend may dlclose() at disconnect or
 * keep the handle; dlopen() of a loaded library only counts a reference. */
crm_status crm__sql_dlopen(const char *override, const char *const *sonames, size_t nsonames,
                           const char *package, void **out);
/* Look up each of names[0..n) in handle into syms[i] (a function pointer
 * stored through void *: POSIX guarantees the conversion). A missing symbol
 * is CRM_E_UNSUPPORTED "<lib>: symbol <name> not found (client library too
 * old?)". */
crm_status crm__sql_dlsyms(void *handle, const char *lib, const char *const *names, void **syms,
                           size_t n);

/* ---- the backend vtable -------------------------------------------------- */

typedef struct crm__sql_conn crm__sql_conn;     /* defined by each backend */
typedef struct crm__sql_cursor crm__sql_cursor; /* a running query */
typedef struct crm__sql_stmt crm__sql_stmt;     /* a prepared write statement */

/* Metadata of one result column. name and decl are borrowed from the cursor
 * (valid until close). type is the crm_type the backend's mapping table gives
 * the declared type, or 0 when the column has no declared type (an SQLite
 * expression): then the first non-NULL value fixes it (number or text). */
typedef struct crm__sql_colinfo {
    const char *name;
    const char *decl; /* declared type as the server names it ("TIMESTAMP"), "" if none */
    int32_t type;     /* CRM_TYPE_NUMBER / TEXT / TIME, or 0 */
} crm__sql_colinfo;

/* Placeholder style of prepared statements. */
enum {
    CRM__SQL_PH_QMARK = 1, /* ?  (SQLite, MySQL) */
    CRM__SQL_PH_DOLLAR = 2 /* $1, $2, ... (PostgreSQL) */
};

/* Upsert dialect. */
enum {
    CRM__SQL_UPSERT_ON_CONFLICT = 1, /* INSERT ... ON CONFLICT (k) DO UPDATE SET c = excluded.c */
    CRM__SQL_UPSERT_ON_DUPLICATE = 2 /* INSERT ... ON DUPLICATE KEY UPDATE c = VALUES(c) */
};

typedef struct crm__sql_backend {
    const char *name;   /* "sqlite", "postgresql", "mysql": message prefix */
    char ident_quote;   /* '"' or '`'; doubled inside an identifier */
    int32_t placeholder; /* CRM__SQL_PH_* */
    int32_t upsert;      /* CRM__SQL_UPSERT_* */
    /* Most parameters one statement may bind on this connection (SQLite:
     * the variable limit, at most 1000: larger statements run slower there;
     * PostgreSQL and MySQL 65535). */
    size_t (*max_params)(crm__sql_conn *c);

    /* SQL type of a created column of crm_type `type`; is_key: the column is
     * part of the primary key (MySQL cannot index TEXT: VARCHAR(255)).
     * Returns a static string. */
    const char *(*column_type)(int32_t type, int32_t is_key);

    /* Open a connection. client_library: crm_sql_options.client_library
     * (NULL: the default sonames), passed to crm__sql_dlopen(). readonly: the
     * call only reads (a backend may open read-only). CRM_E_UNSUPPORTED
     * (client library missing), CRM_E_IO (cannot connect: server's message,
     * never the password), CRM_E_INVALID (a URI part the backend does not
     * understand, named). */
    crm_status (*connect)(const crm__sql_uri *uri, const char *client_library, int32_t readonly,
                          crm__sql_conn **out);
    /* Close and free; NULL is a no-op. Never fails. */
    void (*disconnect)(crm__sql_conn *c);

    /* Run a query with nparams bound parameters (never pasted into the SQL)
     * and open a cursor on its rows. batch_rows: how many rows the backend
     * may hold client-side at once (server-side cursor fetch size,
     * mysql_use_result); it must not buffer the whole result. */
    crm_status (*query)(crm__sql_conn *c, const char *sql, const crm__sql_value *params,
                        size_t nparams, size_t batch_rows, crm__sql_cursor **out);
    /* Number of result columns (valid right after query()). */
    size_t (*ncols)(crm__sql_cursor *cur);
    /* Metadata of column i < ncols. */
    crm_status (*column)(crm__sql_cursor *cur, size_t i, crm__sql_colinfo *out);
    /* Advance to the next row: *out_has_row = 1, or 0 at the end. */
    crm_status (*next)(crm__sql_cursor *cur, int32_t *out_has_row);
    /* Cell i of the current row. A backend returns the value in its natural
     * kind (TIME when the server has a time type and sends it as such, TEXT
     * when the server sends text); sql.c converts to the column's type:
     * text in a number column is parsed (an error when not a number), text
     * in a time column is parsed as ISO 8601 (UTC rule of crm/sql.h), a
     * number in a time column is Unix seconds. */
    crm_status (*cell)(crm__sql_cursor *cur, size_t i, crm__sql_value *out);
    /* Finish (discarding unread rows) and free; NULL is a no-op. */
    void (*close)(crm__sql_cursor *cur);

    /* Transactions: one per write; rollback is also called after a failed
     * begin or a failed statement and must then not fail again loudly (it
     * returns a status, sql.c keeps the first error's message). */
    crm_status (*begin)(crm__sql_conn *c);
    crm_status (*commit)(crm__sql_conn *c);
    crm_status (*rollback)(crm__sql_conn *c);
    /* Run a statement without parameters or results (CREATE, DROP, DELETE). */
    crm_status (*exec)(crm__sql_conn *c, const char *sql);
    /* *out = 1 when the table exists (schema NULL: the default schema or
     * database of the connection). Names are plain, unquoted. */
    crm_status (*table_exists)(crm__sql_conn *c, const char *schema, const char *table,
                               int32_t *out);
    /* Prepare a statement with nparams placeholders, run it with values
     * (any number of times), free it. */
    crm_status (*prepare)(crm__sql_conn *c, const char *sql, size_t nparams, crm__sql_stmt **out);
    crm_status (*execute)(crm__sql_stmt *st, const crm__sql_value *params, size_t nparams);
    void (*finalize)(crm__sql_stmt *st);
} crm__sql_backend;

/* The backends (each file defines one). pg.c and mysql.c replace
 * stub_pg.c and stub_mysql.c, whose backends only answer CRM_E_UNSUPPORTED. */
extern const crm__sql_backend crm__sql_backend_sqlite;
extern const crm__sql_backend crm__sql_backend_pg;
extern const crm__sql_backend crm__sql_backend_mysql;

/* ---- helpers for backends (sql.c) ---------------------------------------- */

/* Append name to b as a quoted identifier: q + name with every q doubled + q.
 * CRM_E_INVALID for an empty name, a NUL-free name with control characters
 * or invalid UTF-8; CRM_E_NOMEM. */
crm_status crm__sql_quote_ident(crm__buf *b, const char *name, char q);
/* Format t as "YYYY-MM-DD HH:MM:SS" (UTC) into buf (>= 32 bytes); returns length. */
size_t crm__sql_format_time(int64_t t, char *buf);
/* Parse a date or date-time text of the server (ISO 8601, ' ' or 'T',
 * optional fraction and offset; an offset is applied, no offset is UTC):
 * 1 and *t, or 0. */
int crm__sql_parse_time(const char *s, size_t n, int64_t *t);

#endif /* CRM_SQL_INTERNAL_H */
