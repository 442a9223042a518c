/* MySQL / MariaDB backend: MariaDB Connector/C (libmariadb.so.3) opened at run
 * time, no link dependency.
 *
 * URIs: mysql://user[:password]@host[:port]/database[?socket=/path] (also
 * mariadb://). Without a password in the URI the client library finds it
 * itself: MYSQL_PWD, or the [client] group of the option files (~/.my.cnf,
 * /etc/mysql/my.cnf), read with MYSQL_READ_DEFAULT_GROUP "client". host
 * "localhost" (or none) with ?socket= connects through that unix socket.
 * Every session is set to utf8mb4 and time_zone '+00:00'.
 *
 * Reads: one prepared statement (parameters bound by the driver, never
 * pasted), fetched unbuffered (the prepared-statement form of
 * mysql_use_result: rows come off the socket as they are read, the client
 * holds one row). Writes: the statements sql.c builds, per batch, inside a
 * transaction (InnoDB): plain INSERTs on a MariaDB server as a one-row INSERT
 * executed with arrays of parameters (unless ?bulk=0), else as LOAD DATA
 * LOCAL INFILE from memory (unless refused or ?local_infile=0), the others
 * prepared once. MySQL
 * commits DDL implicitly: a CREATE TABLE inside the write's transaction is
 * followed by a new transaction here, and a rollback drops the table it
 * created, so a failed create leaves no table behind.
 * Mapping (docs/databases.md): TINYINT..BIGINT, YEAR, BIT, FLOAT, DOUBLE,
 * DECIMAL -> number (integers beyond 2^53 and decimals with more than 15
 * significant digits are refused: a double would change them); DATE,
 * DATETIME, TIMESTAMP -> time (DATETIME is read as UTC, TIMESTAMP in the
 * session's UTC; fractions of a second are dropped); everything else -> text.
 */
#include "sql/sql_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- Connector/C, as far as used (ABI of libmariadb.so.3) --------------------- */

typedef struct st_mysql MYSQL;
typedef struct st_mysql_res MYSQL_RES;
typedef struct st_mysql_stmt MYSQL_STMT;
typedef char my_bool;

typedef struct my_field {
    char *name, *org_name, *table, *org_table, *db, *catalog, *def;
    unsigned long length, max_length;
    unsigned int name_length, org_name_length, table_length, org_table_length, db_length,
        catalog_length, def_length;
    unsigned int flags, decimals, charsetnr;
    int type; /* enum enum_field_types */
    void *extension;
} MYSQL_FIELD;

typedef struct my_bind {
    unsigned long *length;
    my_bool *is_null;
    void *buffer;
    my_bool *error;
    union {
        unsigned char *row_ptr;
        char *indicator;
    } u;
    void (*store_param_func)(void *net, struct my_bind *param);
    void (*fetch_result)(struct my_bind *, MYSQL_FIELD *, unsigned char **row);
    void (*skip_result)(struct my_bind *, MYSQL_FIELD *, unsigned char **row);
    unsigned long buffer_length, offset, length_value;
    unsigned int flags, pack_length;
    int buffer_type; /* enum enum_field_types */
    my_bool error_value, is_unsigned, long_data_used, is_null_value;
    void *extension;
} MYSQL_BIND;

typedef struct my_time {
    unsigned int year, month, day, hour, minute, second;
    unsigned long second_part;
    my_bool neg;
    int time_type; /* enum enum_mysql_timestamp_type */
} MYSQL_TIME;

enum {
    T_DECIMAL = 0,
    T_TINY = 1,
    T_SHORT = 2,
    T_LONG = 3,
    T_FLOAT = 4,
    T_DOUBLE = 5,
    T_NULL = 6,
    T_TIMESTAMP = 7,
    T_LONGLONG = 8,
    T_INT24 = 9,
    T_DATE = 10,
    T_TIME = 11,
    T_DATETIME = 12,
    T_YEAR = 13,
    T_NEWDATE = 14,
    T_VARCHAR = 15,
    T_BIT = 16,
    T_JSON = 245,
    T_NEWDECIMAL = 246,
    T_ENUM = 247,
    T_SET = 248,
    T_TINY_BLOB = 249,
    T_MEDIUM_BLOB = 250,
    T_LONG_BLOB = 251,
    T_BLOB = 252,
    T_VAR_STRING = 253,
    T_STRING = 254,
    T_GEOMETRY = 255
};
enum {
    OPT_CONNECT_TIMEOUT = 0,
    OPT_READ_DEFAULT_GROUP = 5,
    OPT_SET_CHARSET_NAME = 7,
    OPT_LOCAL_INFILE = 8
};
enum {
    ATTR_ARRAY_SIZE = 201,                  /* STMT_ATTR_ARRAY_SIZE */
    INFO_SERVER_CAPABILITIES = 31,          /* MARIADB_CONNECTION_SERVER_CAPABILITIES */
    INFO_EXTENDED_SERVER_CAPABILITIES = 32, /* MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES */
    INDICATOR_NULL = 1                      /* STMT_INDICATOR_NULL */
};
#define MY_CLIENT_MYSQL 1UL             /* a MySQL server (not MariaDB) sets it */
#define MY_EXT_STMT_BULK_OPERATIONS 4UL /* MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32 */
#define MY_NO_DATA 100
#define MY_DATA_TRUNCATED 101
#define MY_UNSIGNED_FLAG 32
#define MY_BINARY_CHARSET 63
#define MY_TIMESTAMP_DATETIME 1

static const char *const my_names[] = {
    "mysql_init",           "mysql_options",         "mysql_real_connect",
    "mysql_error",          "mysql_errno",           "mysql_sqlstate",
    "mysql_close",          "mysql_real_query",      "mysql_commit",
    "mysql_rollback",       "mysql_stmt_init",       "mysql_stmt_prepare",
    "mysql_stmt_bind_param", "mysql_stmt_execute",   "mysql_stmt_result_metadata",
    "mysql_stmt_bind_result", "mysql_stmt_fetch",    "mysql_stmt_fetch_column",
    "mysql_stmt_error",     "mysql_stmt_errno",      "mysql_stmt_sqlstate",
    "mysql_stmt_close",     "mysql_stmt_param_count", "mysql_num_fields",
    "mysql_fetch_fields",   "mysql_free_result",     "mysql_store_result",
    "mysql_set_local_infile_handler", "mysql_affected_rows", "mysql_warning_count",
    "mysql_fetch_row",      "mysql_stmt_attr_set",   "mysql_stmt_affected_rows",
    "mariadb_get_infov",
};
#define MY_NSYMS (sizeof my_names / sizeof my_names[0])

typedef struct my_api {
    MYSQL *(*init)(MYSQL *m);
    int (*options)(MYSQL *m, int option, const void *arg);
    MYSQL *(*real_connect)(MYSQL *m, const char *host, const char *user, const char *passwd,
                           const char *db, unsigned int port, const char *socket,
                           unsigned long flags);
    const char *(*error)(MYSQL *m);
    unsigned int (*errno_)(MYSQL *m);
    const char *(*sqlstate)(MYSQL *m);
    void (*close)(MYSQL *m);
    int (*real_query)(MYSQL *m, const char *q, unsigned long len);
    my_bool (*commit)(MYSQL *m);
    my_bool (*rollback)(MYSQL *m);
    MYSQL_STMT *(*stmt_init)(MYSQL *m);
    int (*stmt_prepare)(MYSQL_STMT *s, const char *q, unsigned long len);
    my_bool (*stmt_bind_param)(MYSQL_STMT *s, MYSQL_BIND *b);
    int (*stmt_execute)(MYSQL_STMT *s);
    MYSQL_RES *(*stmt_result_metadata)(MYSQL_STMT *s);
    my_bool (*stmt_bind_result)(MYSQL_STMT *s, MYSQL_BIND *b);
    int (*stmt_fetch)(MYSQL_STMT *s);
    int (*stmt_fetch_column)(MYSQL_STMT *s, MYSQL_BIND *b, unsigned int col, unsigned long off);
    const char *(*stmt_error)(MYSQL_STMT *s);
    unsigned int (*stmt_errno)(MYSQL_STMT *s);
    const char *(*stmt_sqlstate)(MYSQL_STMT *s);
    my_bool (*stmt_close)(MYSQL_STMT *s);
    unsigned long (*stmt_param_count)(MYSQL_STMT *s);
    unsigned int (*num_fields)(MYSQL_RES *r);
    MYSQL_FIELD *(*fetch_fields)(MYSQL_RES *r);
    void (*free_result)(MYSQL_RES *r);
    MYSQL_RES *(*store_result)(MYSQL *m);
    void (*set_local_infile_handler)(MYSQL *m, int (*init)(void **, const char *, void *),
                                     int (*read)(void *, char *, unsigned int),
                                     void (*end)(void *),
                                     int (*error)(void *, char *, unsigned int), void *user);
    unsigned long long (*affected_rows)(MYSQL *m);
    unsigned int (*warning_count)(MYSQL *m);
    char **(*fetch_row)(MYSQL_RES *r);
    my_bool (*stmt_attr_set)(MYSQL_STMT *s, int attr, const void *value);
    unsigned long long (*stmt_affected_rows)(MYSQL_STMT *s);
    my_bool (*get_infov)(MYSQL *m, int value, void *arg, ...);
} my_api;

/* The rows one LOAD DATA LOCAL INFILE statement reads (see "writing" below). */
typedef struct my_infile {
    const char *data;
    size_t len, pos;
} my_infile;

struct crm__sql_conn {
    my_api api;
    MYSQL *my;
    int in_txn;        /* between begin() and commit()/rollback() */
    char *created;     /* quoted name of the table CREATEd in this transaction */
    int bulk;          /* INSERTs may go as one execution with arrays of parameters */
    int load_data;     /* INSERTs may go as LOAD DATA LOCAL INFILE (until the server refuses) */
    my_infile infile;  /* what the client sends when the server asks for the "file" */
};

/* ---- errors -------------------------------------------------------------------- */

/* The status of a server or client error (see sql_internal.h for the classes). */
static crm_status status_of(unsigned int err, const char *state)
{
    if (err >= 2000 && err < 3000)
        return CRM_E_IO; /* client errors: cannot connect, server gone, lost connection */
    if (err == 1044 || err == 1045 || err == 1142 || err == 1143 || err == 1049)
        return CRM_E_IO; /* access denied, unknown database */
    if (state && strncmp(state, "42", 2) == 0)
        return CRM_E_PARSE; /* syntax, unknown table or column */
    if (state && (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0))
        return CRM_E_INVALID; /* duplicate key, constraint, bad value */
    if (err == 1265 || err == 1366 || err == 1292 || err == 1264 || err == 1406 ||
        err == 1048 || err == 1062 || err == 1452 || err == 1451)
        return CRM_E_INVALID; /* truncated, wrong value, NULL, duplicate, foreign key */
    if (err == 1146 || err == 1054 || err == 1064 || err == 1149)
        return CRM_E_PARSE;
    return CRM_E_IO;
}

static crm_status my_fail(crm__sql_conn *c, MYSQL_STMT *s, const char *what)
{
    const my_api *a = &c->api;
    unsigned int err = s ? a->stmt_errno(s) : a->errno_(c->my);
    const char *msg = s ? a->stmt_error(s) : a->error(c->my);
    const char *state = s ? a->stmt_sqlstate(s) : a->sqlstate(c->my);
    if (err == 0) { /* a statement error reported on the connection */
        err = a->errno_(c->my);
        msg = a->error(c->my);
        state = a->sqlstate(c->my);
    }
    return crm__error(status_of(err, state), "mysql: %s: %s (error %u, SQLSTATE %s)", what,
                      msg && *msg ? msg : "unknown error", err, state ? state : "HY000");
}

static crm_status my_command(crm__sql_conn *c, const char *sql, const char *what)
{
    if (c->api.real_query(c->my, sql, (unsigned long)strlen(sql)) != 0)
        return my_fail(c, NULL, what);
    MYSQL_RES *r = c->api.store_result(c->my); /* a statement may answer rows: drop them */
    if (r)
        c->api.free_result(r);
    return CRM_OK;
}

/* ---- connection ---------------------------------------------------------------- */

/* The protocol allows 65535 parameters, but MariaDB 10.11 runs large prepared
 * INSERTs slower per row: 100,000 rows of 12 columns took 3.5 s at 5,461 rows a
 * statement and 1.5 to 1.9 s at 1,000 (bench/sql/run.sh's scores table). */
static size_t my_max_params(crm__sql_conn *c)
{
    (void)c;
    return 12288;
}

static const char *my_column_type(int32_t type, int32_t is_key)
{
    switch (type) {
    case CRM_TYPE_NUMBER:
        return "DOUBLE";
    case CRM_TYPE_TIME:
        return "DATETIME";
    default:
        return is_key ? "VARCHAR(255)" : "LONGTEXT"; /* TEXT cannot be a key */
    }
}

static crm_status check_uri(const crm__sql_uri *uri)
{
    for (size_t i = 0; i < uri->nkv; i++) {
        const char *k = uri->kv[i].key, *v = uri->kv[i].value;
        if ((strcmp(k, "local_infile") == 0 || strcmp(k, "bulk") == 0) && v &&
            (strcmp(v, "0") == 0 || strcmp(v, "1") == 0))
            continue;
        if (strcmp(k, "socket") != 0)
            return crm__error(CRM_E_INVALID,
                              "mysql: unknown URI option \"%s\" (known: socket=/path, "
                              "bulk=0|1, local_infile=0|1)",
                              k);
    }
    if (!uri->database || !*uri->database)
        return crm__error(CRM_E_INVALID, "mysql: the URI names no database "
                                         "(mysql://user@host/DATABASE)");
    return CRM_OK;
}

static crm_status session_setup(crm__sql_conn *c)
{
    return my_command(c, "SET time_zone = '+00:00'", "session setup");
}

/* LOAD DATA LOCAL INFILE callbacks: the "file" is always the rows in
 * c->infile, whatever name the server asks for; no file is ever opened. */
static int infile_init(void **ptr, const char *filename, void *user)
{
    (void)filename;
    *ptr = user;
    return 0;
}

static int infile_read(void *ptr, char *buf, unsigned int len)
{
    my_infile *f = ptr;
    size_t n = f->len - f->pos < len ? f->len - f->pos : len;
    if (n)
        memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (int)n;
}

static void infile_end(void *ptr)
{
    (void)ptr;
}

static int infile_error(void *ptr, char *msg, unsigned int len)
{
    (void)ptr;
    if (len)
        snprintf(msg, len, "no rows to send");
    return 2000;
}

/* MariaDB (10.2 and later) runs a prepared statement once for arrays of
 * parameters (COM_STMT_BULK_EXECUTE); MySQL servers do not. */
static int bulk_supported(crm__sql_conn *c)
{
    unsigned long caps = 0, ext = 0;
    if (c->api.get_infov(c->my, INFO_SERVER_CAPABILITIES, &caps) ||
        c->api.get_infov(c->my, INFO_EXTENDED_SERVER_CAPABILITIES, &ext))
        return 0;
    return !(caps & MY_CLIENT_MYSQL) && (ext & MY_EXT_STMT_BULK_OPERATIONS);
}

static crm_status my_connect(const crm__sql_uri *uri, const char *client_library,
                             int32_t readonly, crm__sql_conn **out)
{
    static const char *const sonames[] = {"libmariadb.so.3"};
    (void)readonly;
    *out = NULL;
    crm_status st = check_uri(uri);
    if (st != CRM_OK)
        return st;
    void *h = NULL;
    st = crm__sql_dlopen(client_library, sonames, 1, "libmariadb3", &h);
    if (st != CRM_OK)
        return st;
    crm__sql_conn *c = crm__calloc(1, sizeof *c);
    if (!c)
        return crm__nomem();
    void *syms[MY_NSYMS];
    _Static_assert(sizeof(my_api) == sizeof syms, "my_api matches my_names");
    st = crm__sql_dlsyms(h, "libmariadb", my_names, syms, MY_NSYMS);
    if (st != CRM_OK) {
        crm__free(c);
        return st;
    }
    memcpy(&c->api, syms, sizeof c->api);
    c->my = c->api.init(NULL);
    if (!c->my) {
        crm__free(c);
        return crm__nomem();
    }
    unsigned int timeout = 30;
    c->api.options(c->my, OPT_READ_DEFAULT_GROUP, "client"); /* ~/.my.cnf [client] */
    c->api.options(c->my, OPT_SET_CHARSET_NAME, "utf8mb4");
    c->api.options(c->my, OPT_CONNECT_TIMEOUT, &timeout);
    /* INSERTs of append/replace/create go as LOAD DATA LOCAL INFILE streamed from
     * memory through the handler above (never a file), unless ?local_infile=0 */
    const char *li = crm__sql_uri_get(uri, "local_infile");
    unsigned int local_infile = !(li && strcmp(li, "0") == 0);
    c->load_data = (int)local_infile;
    c->api.options(c->my, OPT_LOCAL_INFILE, &local_infile);
    c->api.set_local_infile_handler(c->my, infile_init, infile_read, infile_end, infile_error,
                                    &c->infile);
    const char *sock = crm__sql_uri_get(uri, "socket");
    if (!c->api.real_connect(c->my, uri->host && *uri->host ? uri->host : NULL, uri->user,
                             uri->password, uri->database, (unsigned int)uri->port, sock, 0)) {
        (void)my_fail(c, NULL, "cannot connect");
        st = CRM_E_IO; /* whatever the server said: no connection */
    }
    if (st == CRM_OK)
        st = session_setup(c);
    if (st == CRM_OK) {
        const char *bulk = crm__sql_uri_get(uri, "bulk");
        c->bulk = !(bulk && strcmp(bulk, "0") == 0) && bulk_supported(c);
    }
    if (st != CRM_OK) {
        c->api.close(c->my);
        crm__free(c);
        return st;
    }
    *out = c;
    return CRM_OK;
}

static void my_disconnect(crm__sql_conn *c)
{
    if (!c)
        return;
    c->api.close(c->my);
    crm__free(c->created);
    crm__free(c);
}

/* ---- parameters --------------------------------------------------------------- */

typedef struct my_params {
    MYSQL_BIND *bind;
    double *num;
    MYSQL_TIME *time;
    unsigned long *len;
    size_t cap;
} my_params;

static void params_free(my_params *p)
{
    crm__free(p->bind);
    crm__free(p->num);
    crm__free(p->time);
    crm__free(p->len);
}

/* Numbers as DOUBLE, text as STRING, times as DATETIME (UTC), NULL as NULL. */
/* A libcrm time (seconds since 1970, UTC) as a DATETIME into *t; parameter number `param`
 * (1-based) for the message when the year is outside MySQL's DATETIME range. */
static crm_status datetime_of(int64_t time, size_t param, MYSQL_TIME *t)
{
    int64_t days = time / 86400 - (time % 86400 < 0);
    int64_t sec = time - days * 86400, y, m, d;
    crm__civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return crm__error(CRM_E_INVALID, "mysql: parameter %zu: year %lld is outside "
                                         "the DATETIME range 0..9999",
                          param, (long long)y);
    *t = (MYSQL_TIME){.year = (unsigned)y,
                      .month = (unsigned)m,
                      .day = (unsigned)d,
                      .hour = (unsigned)(sec / 3600),
                      .minute = (unsigned)(sec / 60 % 60),
                      .second = (unsigned)(sec % 60),
                      .time_type = MY_TIMESTAMP_DATETIME};
    return CRM_OK;
}

static crm_status params_bind(my_params *p, const crm__sql_value *params, size_t n)
{
    if (n > p->cap) {
        params_free(p);
        memset(p, 0, sizeof *p);
        p->bind = crm__calloc(n, sizeof *p->bind);
        p->num = crm__calloc(n, sizeof *p->num);
        p->time = crm__calloc(n, sizeof *p->time);
        p->len = crm__calloc(n, sizeof *p->len);
        if (!p->bind || !p->num || !p->time || !p->len)
            return crm__nomem();
        p->cap = n;
    }
    memset(p->bind, 0, n * sizeof *p->bind);
    for (size_t i = 0; i < n; i++) {
        const crm__sql_value *v = &params[i];
        MYSQL_BIND *b = &p->bind[i];
        switch (v->kind) {
        case CRM__SQL_NUMBER:
            if (v->num != v->num) {
                b->buffer_type = T_NULL;
                break;
            }
            p->num[i] = v->num;
            b->buffer_type = T_DOUBLE;
            b->buffer = &p->num[i];
            break;
        case CRM__SQL_TEXT:
            p->len[i] = (unsigned long)v->len;
            b->buffer_type = T_STRING;
            b->buffer = (void *)(v->text ? v->text : "");
            b->buffer_length = p->len[i];
            b->length = &p->len[i];
            break;
        case CRM__SQL_TIME: {
            crm_status st = datetime_of(v->time, i + 1, &p->time[i]);
            if (st) return st;
            b->buffer_type = T_DATETIME;
            b->buffer = &p->time[i];
            break;
        }
        default:
            b->buffer_type = T_NULL;
        }
    }
    return CRM_OK;
}

/* ---- reading ------------------------------------------------------------------- */

enum { K_INT = 1, K_UINT, K_FLOAT, K_DOUBLE, K_DECIMAL, K_TIME, K_TEXT };

typedef struct my_col {
    int kind;         /* K_* */
    int32_t type;     /* crm type */
    const char *decl; /* type name */
    union {
        int64_t i;
        uint64_t u;
        float f;
        double d;
        MYSQL_TIME t;
    } v;
    char *buf; /* K_TEXT, K_DECIMAL */
    unsigned long cap, len;
    my_bool is_null, error;
} my_col;

struct crm__sql_cursor {
    crm__sql_conn *c;
    MYSQL_STMT *stmt;
    MYSQL_RES *meta;
    MYSQL_FIELD *fields;
    size_t ncols;
    my_col *cols;
    MYSQL_BIND *bind;
    int done, failed;
};

/* The mapping of a result column: how it is fetched and what it becomes. */
static void classify(const MYSQL_FIELD *f, my_col *col)
{
    int unsig = (f->flags & MY_UNSIGNED_FLAG) != 0;
    col->type = CRM_TYPE_NUMBER;
    switch (f->type) {
    case T_TINY:
        col->decl = "TINYINT";
        break;
    case T_SHORT:
        col->decl = "SMALLINT";
        break;
    case T_INT24:
        col->decl = "MEDIUMINT";
        break;
    case T_LONG:
        col->decl = "INT";
        break;
    case T_LONGLONG:
        col->decl = "BIGINT";
        break;
    case T_YEAR:
        col->decl = "YEAR";
        break;
    case T_BIT:
        col->decl = "BIT";
        break;
    case T_FLOAT:
        col->kind = K_FLOAT;
        col->decl = "FLOAT";
        return;
    case T_DOUBLE:
        col->kind = K_DOUBLE;
        col->decl = "DOUBLE";
        return;
    case T_DECIMAL:
    case T_NEWDECIMAL:
        col->kind = K_DECIMAL;
        col->decl = "DECIMAL";
        return;
    case T_DATE:
    case T_NEWDATE:
        col->kind = K_TIME;
        col->type = CRM_TYPE_TIME;
        col->decl = "DATE";
        return;
    case T_DATETIME:
        col->kind = K_TIME;
        col->type = CRM_TYPE_TIME;
        col->decl = "DATETIME";
        return;
    case T_TIMESTAMP:
        col->kind = K_TIME;
        col->type = CRM_TYPE_TIME;
        col->decl = "TIMESTAMP";
        return;
    default:
        col->kind = K_TEXT;
        col->type = CRM_TYPE_TEXT;
        col->decl = f->type == T_ENUM ? "ENUM" : f->type == T_SET ? "SET"
                    : f->type == T_JSON ? "JSON" : f->type == T_TIME ? "TIME"
                    : f->type == T_NULL ? "NULL"
                    : f->type >= T_TINY_BLOB && f->type <= T_BLOB
                        ? (f->charsetnr == MY_BINARY_CHARSET ? "BLOB" : "TEXT")
                    : f->type == T_STRING ? "CHAR" : "VARCHAR";
        return;
    }
    col->kind = unsig ? K_UINT : K_INT;
}

static crm_status bind_results(crm__sql_cursor *cur)
{
    cur->cols = crm__calloc(cur->ncols ? cur->ncols : 1, sizeof *cur->cols);
    cur->bind = crm__calloc(cur->ncols ? cur->ncols : 1, sizeof *cur->bind);
    if (!cur->cols || !cur->bind)
        return crm__nomem();
    for (size_t i = 0; i < cur->ncols; i++) {
        my_col *col = &cur->cols[i];
        MYSQL_BIND *b = &cur->bind[i];
        classify(&cur->fields[i], col);
        b->is_null = &col->is_null;
        b->error = &col->error;
        b->length = &col->len;
        switch (col->kind) {
        case K_INT:
        case K_UINT:
            b->buffer_type = T_LONGLONG;
            b->is_unsigned = col->kind == K_UINT;
            b->buffer = &col->v.i;
            break;
        case K_FLOAT:
            b->buffer_type = T_FLOAT;
            b->buffer = &col->v.f;
            break;
        case K_DOUBLE:
            b->buffer_type = T_DOUBLE;
            b->buffer = &col->v.d;
            break;
        case K_TIME:
            b->buffer_type = T_DATETIME;
            b->buffer = &col->v.t;
            break;
        default: /* text and decimals as text: a buffer that grows on truncation */
            col->cap = 64;
            col->buf = crm__malloc(col->cap);
            if (!col->buf)
                return crm__nomem();
            b->buffer_type = T_STRING;
            b->buffer = col->buf;
            b->buffer_length = col->cap;
        }
    }
    if (cur->c->api.stmt_bind_result(cur->stmt, cur->bind))
        return my_fail(cur->c, cur->stmt, "binding the result");
    return CRM_OK;
}

static void my_close(crm__sql_cursor *cur);

static crm_status run_stmt(crm__sql_cursor *cur, const char *sql, const crm__sql_value *params,
                           size_t nparams)
{
    crm__sql_conn *c = cur->c;
    cur->stmt = c->api.stmt_init(c->my);
    if (!cur->stmt)
        return my_fail(c, NULL, "query");
    if (c->api.stmt_prepare(cur->stmt, sql, (unsigned long)strlen(sql)) != 0)
        return my_fail(c, cur->stmt, "query");
    if (c->api.stmt_param_count(cur->stmt) != nparams)
        return crm__error(CRM_E_INVALID, "mysql: the query has %lu placeholders, %zu "
                                         "parameters were given",
                          c->api.stmt_param_count(cur->stmt), nparams);
    my_params p = {0};
    crm_status st = params_bind(&p, params, nparams);
    if (st == CRM_OK && nparams && c->api.stmt_bind_param(cur->stmt, p.bind))
        st = my_fail(c, cur->stmt, "binding the parameters");
    if (st == CRM_OK && c->api.stmt_execute(cur->stmt) != 0)
        st = my_fail(c, cur->stmt, "query");
    params_free(&p);
    return st;
}

static crm_status my_query(crm__sql_conn *c, const char *sql, const crm__sql_value *params,
                           size_t nparams, size_t batch_rows, crm__sql_cursor **out)
{
    (void)batch_rows; /* unbuffered: the client holds one row at a time */
    *out = NULL;
    crm__sql_cursor *cur = crm__calloc(1, sizeof *cur);
    if (!cur)
        return crm__nomem();
    cur->c = c;
    crm_status st = run_stmt(cur, sql, params, nparams);
    if (st == CRM_OK) {
        cur->meta = c->api.stmt_result_metadata(cur->stmt);
        if (!cur->meta)
            st = crm__error(CRM_E_INVALID, "mysql: the statement returns no rows");
    }
    if (st == CRM_OK) {
        cur->ncols = c->api.num_fields(cur->meta);
        cur->fields = c->api.fetch_fields(cur->meta);
        st = bind_results(cur);
    }
    if (st != CRM_OK) {
        my_close(cur);
        return st;
    }
    *out = cur;
    return CRM_OK;
}

static size_t my_ncols(crm__sql_cursor *cur)
{
    return cur->ncols;
}

static crm_status my_column(crm__sql_cursor *cur, size_t i, crm__sql_colinfo *out)
{
    if (i >= cur->ncols)
        return crm__error(CRM_E_INVALID, "mysql: column %zu of %zu", i, cur->ncols);
    out->name = cur->fields[i].name;
    out->decl = cur->cols[i].decl;
    out->type = cur->cols[i].type;
    return CRM_OK;
}

/* Fetch the rest of the text cells that did not fit their buffers. */
static crm_status refetch_truncated(crm__sql_cursor *cur)
{
    int rebind = 0;
    for (size_t i = 0; i < cur->ncols; i++) {
        my_col *col = &cur->cols[i];
        if (!col->error || col->is_null || (col->kind != K_TEXT && col->kind != K_DECIMAL))
            continue;
        unsigned long need = col->len + 1;
        unsigned long cap = col->cap * 2 > need ? col->cap * 2 : need;
        char *nb = crm__realloc(col->buf, cap);
        if (!nb)
            return crm__nomem();
        col->buf = nb;
        col->cap = cap;
        MYSQL_BIND *b = &cur->bind[i];
        b->buffer = col->buf;
        b->buffer_length = col->cap;
        if (cur->c->api.stmt_fetch_column(cur->stmt, b, (unsigned int)i, 0) != 0)
            return my_fail(cur->c, cur->stmt, "reading the result");
        col->error = 0;
        rebind = 1;
    }
    if (rebind && cur->c->api.stmt_bind_result(cur->stmt, cur->bind))
        return my_fail(cur->c, cur->stmt, "binding the result");
    return CRM_OK;
}

static crm_status my_next(crm__sql_cursor *cur, int32_t *out_has_row)
{
    *out_has_row = 0;
    if (cur->failed)
        return crm__error(CRM_E_STATE, "mysql: the query failed before");
    if (cur->done)
        return CRM_OK;
    int rc = cur->c->api.stmt_fetch(cur->stmt);
    if (rc == MY_NO_DATA) {
        cur->done = 1;
        return CRM_OK;
    }
    if (rc == 1) {
        cur->failed = 1;
        return my_fail(cur->c, cur->stmt, "reading the result");
    }
    if (rc == MY_DATA_TRUNCATED) {
        crm_status st = refetch_truncated(cur);
        if (st != CRM_OK) {
            cur->failed = 1;
            return st;
        }
    }
    *out_has_row = 1;
    return CRM_OK;
}

static crm_status cell_error(crm__sql_cursor *cur, size_t i, const char *what, const char *value)
{
    return crm__error(CRM_E_TYPE, "mysql: column \"%s\": %s %s", cur->fields[i].name, value,
                      what);
}

static crm_status decimal_cell(crm__sql_cursor *cur, size_t i, const char *s, size_t n,
                               crm__sql_value *out)
{
    size_t first = SIZE_MAX, last = 0, sig = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k] >= '1' && s[k] <= '9') {
            if (first == SIZE_MAX)
                first = k;
            last = k;
        }
    if (first != SIZE_MAX)
        for (size_t k = first; k <= last; k++)
            sig += s[k] >= '0' && s[k] <= '9';
    char tmp[72];
    snprintf(tmp, sizeof tmp, "%.*s%s", n > 60 ? 60 : (int)n, s, n > 60 ? "..." : "");
    if (sig > 15)
        return cell_error(cur, i,
                          "has more than 15 significant digits, more than a number holds "
                          "exactly; cast it in the query (CAST(x AS DOUBLE) to round, "
                          "CAST(x AS CHAR) to keep it)",
                          tmp);
    if (!crm__parse_number(s, n, '.', &out->num))
        return cell_error(cur, i, "is not a number", tmp);
    out->kind = CRM__SQL_NUMBER;
    return CRM_OK;
}

/* The shortest decimal of a FLOAT (as MySQL prints it) as a double. */
static double float_value(float f)
{
    char buf[32];
    void *old = crm__c_locale_enter();
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
        double d = 0;
        if (crm__parse_number(buf, strlen(buf), '.', &d) && (float)d == f) {
            crm__c_locale_leave(old);
            return d;
        }
    }
    crm__c_locale_leave(old);
    return (double)f;
}

static crm_status integer_cell(crm__sql_cursor *cur, size_t i, const my_col *col,
                               crm__sql_value *out)
{
    const uint64_t lim = (uint64_t)1 << 53;
    int too_big = col->kind == K_UINT ? col->v.u > lim
                                      : col->v.i > (int64_t)lim || col->v.i < -(int64_t)lim;
    if (too_big) {
        char tmp[32];
        if (col->kind == K_UINT)
            snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)col->v.u);
        else
            snprintf(tmp, sizeof tmp, "%lld", (long long)col->v.i);
        return cell_error(cur, i,
                          "is beyond 2^53, more than a number holds exactly; cast it in the "
                          "query (CAST(x AS DOUBLE) to round, CAST(x AS CHAR) to keep it)",
                          tmp);
    }
    out->kind = CRM__SQL_NUMBER;
    out->num = col->kind == K_UINT ? (double)col->v.u : (double)col->v.i;
    return CRM_OK;
}

static crm_status my_cell(crm__sql_cursor *cur, size_t i, crm__sql_value *out)
{
    memset(out, 0, sizeof *out);
    if (i >= cur->ncols)
        return crm__error(CRM_E_STATE, "mysql: no column %zu", i);
    my_col *col = &cur->cols[i];
    if (col->is_null) {
        out->kind = CRM__SQL_NULL;
        return CRM_OK;
    }
    switch (col->kind) {
    case K_INT:
    case K_UINT:
        return integer_cell(cur, i, col, out);
    case K_FLOAT:
        out->kind = col->v.f != col->v.f ? CRM__SQL_NULL : CRM__SQL_NUMBER;
        out->num = float_value(col->v.f);
        return CRM_OK;
    case K_DOUBLE:
        out->kind = col->v.d != col->v.d ? CRM__SQL_NULL : CRM__SQL_NUMBER;
        out->num = col->v.d;
        return CRM_OK;
    case K_DECIMAL:
        return decimal_cell(cur, i, col->buf, col->len, out);
    case K_TIME: {
        const MYSQL_TIME *t = &col->v.t;
        if (t->month == 0 || t->day == 0) /* the zero date 0000-00-00 */
            return cell_error(cur, i, "is not a date (a zero date)", "0000-00-00");
        out->kind = CRM__SQL_TIME;
        out->time = crm__days_from_civil(t->year, t->month, t->day) * 86400 +
                    (int64_t)t->hour * 3600 + (int64_t)t->minute * 60 + t->second;
        return CRM_OK;
    }
    default:
        out->kind = CRM__SQL_TEXT;
        out->text = col->buf;
        out->len = col->len;
        return CRM_OK;
    }
}

static void my_close(crm__sql_cursor *cur)
{
    if (!cur)
        return;
    if (cur->meta)
        cur->c->api.free_result(cur->meta);
    if (cur->stmt)
        cur->c->api.stmt_close(cur->stmt); /* reads and drops unread rows */
    for (size_t i = 0; cur->cols && i < cur->ncols; i++)
        crm__free(cur->cols[i].buf);
    crm__free(cur->cols);
    crm__free(cur->bind);
    crm__free(cur);
}

/* ---- writing ------------------------------------------------------------------ */

static crm_status my_begin(crm__sql_conn *c)
{
    crm__free(c->created);
    c->created = NULL;
    crm_status st = my_command(c, "START TRANSACTION", "START TRANSACTION");
    c->in_txn = st == CRM_OK;
    return st;
}

static crm_status my_commit(crm__sql_conn *c)
{
    c->in_txn = 0;
    crm__free(c->created);
    c->created = NULL;
    if (c->api.commit(c->my))
        return my_fail(c, NULL, "COMMIT");
    return CRM_OK;
}

static crm_status my_rollback(crm__sql_conn *c)
{
    c->in_txn = 0;
    crm_status st = CRM_OK;
    if (c->api.rollback(c->my))
        st = my_fail(c, NULL, "ROLLBACK");
    if (st == CRM_OK && c->created) { /* the CREATE committed itself: undo it */
        crm__buf b = {0};
        st = crm__buf_printf(&b, "DROP TABLE %s", c->created);
        if (st == CRM_OK)
            st = my_command(c, b.data, "ROLLBACK (dropping the created table)");
        crm__buf_free(&b);
    }
    crm__free(c->created);
    c->created = NULL;
    return st;
}

/* The quoted table name of "CREATE TABLE `name` (...)" or "CREATE TABLE
 * `schema`.`name` (...)" as sql_write.c writes it, or NULL. */
static char *created_table(const char *sql)
{
    static const char head[] = "CREATE TABLE ";
    if (strncmp(sql, head, sizeof head - 1) != 0)
        return NULL;
    const char *start = sql + sizeof head - 1, *p = start;
    for (;;) {
        if (*p != '`')
            return NULL;
        for (p++;; p++) { /* to the closing quote; `` is a quote inside */
            if (!*p)
                return NULL;
            if (*p == '`' && p[1] == '`')
                p++;
            else if (*p == '`')
                break;
        }
        p++;
        if (*p != '.')
            break;
        p++;
    }
    return crm__strndup(start, (size_t)(p - start));
}

static crm_status my_exec(crm__sql_conn *c, const char *sql)
{
    crm_status st = my_command(c, sql, "statement");
    if (st != CRM_OK || !c->in_txn)
        return st;
    /* DDL (CREATE, DROP, ALTER, RENAME, TRUNCATE) ended the transaction: remember a
     * table created now and go on in a new transaction */
    if (strncmp(sql, "CREATE ", 7) == 0 || strncmp(sql, "DROP ", 5) == 0 ||
        strncmp(sql, "ALTER ", 6) == 0 || strncmp(sql, "RENAME ", 7) == 0 ||
        strncmp(sql, "TRUNCATE ", 9) == 0) {
        char *t = created_table(sql);
        if (t) {
            crm__free(c->created);
            c->created = t;
        }
        st = my_command(c, "START TRANSACTION", "START TRANSACTION");
    }
    return st;
}

static crm_status my_table_exists(crm__sql_conn *c, const char *schema, const char *table,
                                  int32_t *out)
{
    *out = 0;
    crm__sql_value p[2] = {{.kind = schema ? CRM__SQL_TEXT : CRM__SQL_NULL,
                            .text = schema,
                            .len = schema ? strlen(schema) : 0},
                           {.kind = CRM__SQL_TEXT, .text = table, .len = strlen(table)}};
    crm__sql_cursor *cur = NULL;
    crm_status st = my_query(c,
                             "SELECT 1 FROM information_schema.tables WHERE table_schema = "
                             "COALESCE(?, DATABASE()) AND table_name = ?",
                             p, 2, 1, &cur);
    int32_t has = 0;
    if (st == CRM_OK)
        st = my_next(cur, &has);
    if (st == CRM_OK)
        *out = has;
    my_close(cur);
    return st;
}

/* Writes. sql.c prepares "INSERT INTO t (c, ...) VALUES (?, ...), ..." per batch.
 * Without an upsert clause, on a MariaDB server such a batch goes as one
 * execution of the one-row INSERT "INSERT INTO t (c, ...) VALUES (?, ...)" with
 * an array of values per parameter (Connector/C's STMT_ATTR_ARRAY_SIZE, sent as
 * COM_STMT_BULK_EXECUTE): numbers travel as binary doubles, the server parses
 * one statement of one row and no text at all; a duplicate key or a value the
 * column refuses is an error of the execution as for any INSERT, and any
 * warning or a row count other than the batch's fails the write as below
 * (bench/sql, same run: see docs/benchmarks.md "MariaDB writes as arrays of
 * parameters"). ?bulk=0 in the URI, or a MySQL server, takes the next path.
 * Otherwise such a batch goes as one LOAD DATA LOCAL INFILE
 * into the same table and columns, the rows streamed from memory as
 * tab-separated text through infile_read() (numbers with 17 significant
 * digits, which read back to the same double; times as UTC DATETIME text;
 * tab, newline, backslash and NUL escaped; NULL as \N): the server parses no
 * statement with thousands of parameters, where a prepared INSERT spends a
 * fifth of its time (bench/sql, same run: 1.48 s against 1.71 s for 100,000
 * rows of 12 columns; InnoDB's row insert is most of the rest). LOCAL
 * implies IGNORE (a duplicate key or a value the column cannot hold would be
 * skipped or changed with a warning), so every warning, and any
 * row count other than the batch's, fails the write, with the server's first
 * warning as the message: the caller rolls back. A server or client that
 * refuses LOCAL INFILE (error 4166 or 1148: MariaDB's local_infile=OFF, or
 * ?local_infile=0 in the URI) gets the prepared INSERT, from then on for the
 * connection. */
/* The batch as arrays for the one-row INSERT: cell (row r, column k) at
 * [k * rows + r]. Connector/C reads a DOUBLE column as an array of doubles and
 * a STRING or DATETIME column as an array of pointers (to the bytes, with
 * their lengths in len; to a MYSQL_TIME). */
typedef struct my_bulk {
    MYSQL_BIND *bind; /* one per column */
    double *num;
    MYSQL_TIME *time;
    const void **ptr;
    unsigned long *len;
    char *ind; /* INDICATOR_NULL or 0 */
    size_t cap; /* cells allocated */
} my_bulk;

struct crm__sql_stmt {
    crm__sql_conn *c;
    MYSQL_STMT *stmt; /* the prepared INSERT; NULL until needed */
    MYSQL_STMT *bulk; /* the prepared one-row INSERT, or NULL */
    char *sql;        /* the INSERT */
    char *load_sql;   /* the LOAD DATA for the same rows, or NULL (upserts, other SQL) */
    size_t nparams, ncols;
    my_params p;
    my_bulk b;
    crm__buf rows; /* the batch as LOAD DATA text */
};

/* After the backquoted identifier starting at p, or NULL. */
static const char *skip_ident(const char *p)
{
    if (*p != '`')
        return NULL;
    for (p++;; p++) {
        if (!*p)
            return NULL;
        if (*p == '`' && p[1] == '`')
            p++;
        else if (*p == '`')
            return p + 1;
    }
}

/* The parts of sql.c's "INSERT INTO `t` (`c`, ...) VALUES (?, ...), ..." */
typedef struct my_insert {
    const char *table, *cols; /* "`t`" and "(`c`, ...)" as sql.c quoted them */
    int table_len, cols_len;
    size_t ncols;
} my_insert;

/* 1 and *ins for a plain INSERT of nparams placeholders with nothing after, 0
 * for any other statement (an upsert). */
static int parse_insert(const char *sql, size_t nparams, my_insert *ins)
{
    static const char head[] = "INSERT INTO ";
    if (strncmp(sql, head, sizeof head - 1) != 0)
        return 0;
    const char *table = sql + sizeof head - 1, *p = table;
    while ((p = skip_ident(p)) && *p == '.')
        p++;
    if (!p || strncmp(p, " (", 2) != 0)
        return 0;
    const char *table_end = p, *cols = p + 1;
    size_t n = 0;
    for (p += 2; (p = skip_ident(p)) && ++n && strncmp(p, ", ", 2) == 0; p += 2) {
    }
    if (!p || strncmp(p, ") VALUES ", 9) != 0 || n == 0 || nparams % n != 0)
        return 0;
    const char *cols_end = p + 1;
    p += 9;
    for (size_t r = 0; r < nparams / n; r++) { /* exactly the rows of placeholders */
        if (r && strncmp(p, ", ", 2) != 0)
            return 0;
        p += r ? 2 : 0;
        if (*p++ != '(')
            return 0;
        for (size_t k = 0; k < n; k++) {
            if (k && strncmp(p, ", ", 2) != 0)
                return 0;
            p += k ? 2 : 0;
            if (*p++ != '?')
                return 0;
        }
        if (*p++ != ')')
            return 0;
    }
    if (*p) /* an upsert clause: the prepared statement */
        return 0;
    *ins = (my_insert){.table = table,
                       .table_len = (int)(table_end - table),
                       .cols = cols,
                       .cols_len = (int)(cols_end - cols),
                       .ncols = n};
    return 1;
}

/* LOAD DATA into the table and columns of ins, or NULL (no memory). */
static char *load_data_sql(const my_insert *ins)
{
    crm__buf b = {0};
    if (crm__buf_printf(&b, "LOAD DATA LOCAL INFILE 'rows' INTO TABLE %.*s CHARACTER SET utf8mb4 "
                            "%.*s",
                        ins->table_len, ins->table, ins->cols_len, ins->cols) != CRM_OK) {
        crm__buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* Prepare the one-row INSERT of ins into s->bulk. */
static crm_status bulk_prepare(crm__sql_stmt *s, const my_insert *ins)
{
    crm__sql_conn *c = s->c;
    crm__buf b = {0};
    crm_status st = crm__buf_printf(&b, "INSERT INTO %.*s %.*s VALUES (", ins->table_len,
                                    ins->table, ins->cols_len, ins->cols);
    for (size_t k = 0; st == CRM_OK && k < ins->ncols; k++)
        st = crm__buf_append(&b, k ? ", ?" : "?", k ? 3 : 1);
    if (st == CRM_OK)
        st = crm__buf_append(&b, ")", 1);
    if (st == CRM_OK && !(s->bulk = c->api.stmt_init(c->my)))
        st = my_fail(c, NULL, "statement");
    if (st == CRM_OK && c->api.stmt_prepare(s->bulk, b.data, (unsigned long)b.len) != 0)
        st = my_fail(c, s->bulk, "statement");
    crm__buf_free(&b);
    return st;
}

static crm_status stmt_prepare(crm__sql_stmt *s)
{
    crm__sql_conn *c = s->c;
    s->stmt = c->api.stmt_init(c->my);
    if (!s->stmt)
        return my_fail(c, NULL, "statement");
    if (c->api.stmt_prepare(s->stmt, s->sql, (unsigned long)strlen(s->sql)) != 0)
        return my_fail(c, s->stmt, "statement");
    if (c->api.stmt_param_count(s->stmt) != s->nparams)
        return crm__error(CRM_E_INVALID, "mysql: statement with %lu placeholders, %zu expected",
                          c->api.stmt_param_count(s->stmt), s->nparams);
    return CRM_OK;
}

static void my_finalize(crm__sql_stmt *s);

static crm_status my_prepare(crm__sql_conn *c, const char *sql, size_t nparams,
                             crm__sql_stmt **out)
{
    *out = NULL;
    crm__sql_stmt *s = crm__calloc(1, sizeof *s);
    if (!s)
        return crm__nomem();
    s->c = c;
    s->nparams = nparams;
    s->sql = crm__strdup(sql);
    crm_status st = s->sql ? CRM_OK : crm__nomem();
    my_insert ins;
    if (st == CRM_OK && (c->bulk || c->load_data) && parse_insert(sql, nparams, &ins)) {
        s->ncols = ins.ncols;
        if (c->bulk)
            st = bulk_prepare(s, &ins);
        if (st == CRM_OK && c->load_data && !(s->load_sql = load_data_sql(&ins)))
            st = crm__nomem();
    }
    if (st == CRM_OK && !s->bulk && !s->load_sql)
        st = stmt_prepare(s);
    if (st != CRM_OK) {
        my_finalize(s);
        return st;
    }
    *out = s;
    return CRM_OK;
}

/* A number as text that reads back to the same double: integers (most score
 * columns) by hand, the rest with 17 significant digits; snprintf for every
 * value took as long as the server's work on the batch. */
static crm_status infile_number(crm__buf *b, double x)
{
    char tmp[40];
    int n;
    if (x > -1e15 && x < 1e15 && x == (double)(int64_t)x && !(x == 0 && signbit(x))) {
        int64_t i = (int64_t)x;
        uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
        char *e = tmp + sizeof tmp, *p = e;
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (i < 0)
            *--p = '-';
        return crm__buf_append(b, p, (size_t)(e - p));
    }
    n = snprintf(tmp, sizeof tmp, "%.17g", x);
    return crm__buf_append(b, tmp, (size_t)n);
}

/* One value as LOAD DATA text (see above). */
static crm_status infile_value(crm__buf *b, const crm__sql_value *v, size_t i)
{
    switch (v->kind) {
    case CRM__SQL_NUMBER:
        if (v->num != v->num)
            return crm__buf_append(b, "\\N", 2);
        return infile_number(b, v->num);
    case CRM__SQL_TIME: {
        MYSQL_TIME t = {0};
        crm_status st = datetime_of(v->time, i + 1, &t);
        if (st) return st;
        return crm__buf_printf(b, "%04u-%02u-%02u %02u:%02u:%02u", t.year, t.month, t.day,
                               t.hour, t.minute, t.second);
    }
    case CRM__SQL_TEXT: {
        crm_status st = crm__buf_reserve(b, 2 * v->len);
        for (size_t k = 0; st == CRM_OK && k < v->len; k++) {
            char ch = v->text[k], e = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\\' ? '\\'
                                                   : ch == '\0' ? '0' : 0;
            if (e) {
                b->data[b->len++] = '\\';
                b->data[b->len++] = e;
            } else {
                b->data[b->len++] = ch;
            }
        }
        if (st == CRM_OK)
            b->data[b->len] = '\0';
        return st;
    }
    default:
        return crm__buf_append(b, "\\N", 2);
    }
}

/* The first warning of the last statement as an error. */
static crm_status load_warning(crm__sql_conn *c, unsigned long long rows, size_t n)
{
    unsigned int code = 0;
    char msg[512] = "";
    if (c->api.real_query(c->my, "SHOW WARNINGS LIMIT 1", 21) == 0) {
        MYSQL_RES *r = c->api.store_result(c->my);
        char **row = r ? c->api.fetch_row(r) : NULL;
        if (row && row[1] && row[2]) {
            for (const char *d = row[1]; *d >= '0' && *d <= '9' && code < 100000; d++)
                code = code * 10 + (unsigned int)(*d - '0'); /* no locale-dependent libc */
            snprintf(msg, sizeof msg, "%s", row[2]);
        }
        if (r)
            c->api.free_result(r);
    }
    crm_status st = status_of(code, NULL);
    return crm__error(st == CRM_E_IO ? CRM_E_INVALID : st,
                      "mysql: writing: %s (error %u; %llu of %zu rows written, nothing kept)",
                      *msg ? msg : "the server changed or skipped values", code, rows, n);
}

/* The batch as one LOAD DATA; *refused when the server or client refuses
 * LOCAL INFILE (then nothing was written and CRM_OK is returned). */
static crm_status load_rows(crm__sql_stmt *s, const crm__sql_value *params, size_t nparams,
                            int *refused)
{
    crm__sql_conn *c = s->c;
    s->rows.len = 0;
    crm_status st = CRM_OK;
    for (size_t i = 0; st == CRM_OK && i < nparams; i++) {
        st = infile_value(&s->rows, &params[i], i);
        if (st == CRM_OK)
            st = crm__buf_append(&s->rows, (i + 1) % s->ncols ? "\t" : "\n", 1);
    }
    if (st != CRM_OK)
        return st;
    c->infile = (my_infile){.data = s->rows.data, .len = s->rows.len};
    int failed = c->api.real_query(c->my, s->load_sql, (unsigned long)strlen(s->load_sql));
    c->infile = (my_infile){0};
    unsigned int err = failed ? c->api.errno_(c->my) : 0;
    *refused = err == 4166 || err == 1148;
    if (*refused)
        return CRM_OK;
    if (failed)
        return my_fail(c, NULL, "writing");
    size_t n = nparams / s->ncols;
    unsigned long long rows = c->api.affected_rows(c->my);
    if (c->api.warning_count(c->my) != 0 || rows != (unsigned long long)n)
        return load_warning(c, rows, n);
    return CRM_OK;
}

/* Room for `cells` cells and ncols binds in s->b. */
static crm_status bulk_reserve(crm__sql_stmt *s, size_t cells)
{
    my_bulk *b = &s->b;
    if (cells <= b->cap)
        return CRM_OK;
    crm__free(b->bind);
    crm__free(b->num);
    crm__free(b->time);
    crm__free(b->ptr);
    crm__free(b->len);
    crm__free(b->ind);
    memset(b, 0, sizeof *b);
    b->bind = crm__calloc(s->ncols, sizeof *b->bind);
    b->num = crm__malloc_array(cells, sizeof *b->num);
    b->time = crm__malloc_array(cells, sizeof *b->time);
    b->ptr = crm__malloc_array(cells, sizeof *b->ptr);
    b->len = crm__malloc_array(cells, sizeof *b->len);
    b->ind = crm__malloc_array(cells, sizeof *b->ind);
    if (!b->bind || !b->num || !b->time || !b->ptr || !b->len || !b->ind)
        return crm__nomem();
    b->cap = cells;
    return CRM_OK;
}

/* Column k of the n rows of params into s->b (see my_bulk). The column's kind
 * is its first non-NULL value's; *mixed = 1 when another row has another kind
 * (sql.c never sends that: the prepared INSERT then takes the batch). */
static crm_status bulk_column(crm__sql_stmt *s, const crm__sql_value *params, size_t n, size_t k,
                              int *mixed)
{
    my_bulk *b = &s->b;
    size_t nc = s->ncols, o = k * n;
    int32_t kind = CRM__SQL_NULL;
    for (size_t r = 0; r < n && kind == CRM__SQL_NULL; r++) {
        const crm__sql_value *v = &params[r * nc + k];
        if (v->kind != CRM__SQL_NULL && !(v->kind == CRM__SQL_NUMBER && v->num != v->num))
            kind = v->kind;
    }
    MYSQL_BIND *bd = &b->bind[k];
    memset(bd, 0, sizeof *bd);
    bd->buffer_type = kind == CRM__SQL_NUMBER ? T_DOUBLE : kind == CRM__SQL_TIME ? T_DATETIME
                                                                                : T_STRING;
    bd->buffer = kind == CRM__SQL_NUMBER ? (void *)&b->num[o] : (void *)&b->ptr[o];
    bd->length = &b->len[o];
    bd->u.indicator = &b->ind[o];
    for (size_t r = 0; r < n; r++) {
        const crm__sql_value *v = &params[r * nc + k];
        size_t i = o + r;
        b->ind[i] = v->kind == CRM__SQL_NULL || (v->kind == CRM__SQL_NUMBER && v->num != v->num);
        b->len[i] = 0;
        b->ptr[i] = "";
        b->num[i] = 0;
        if (b->ind[i]) {
            b->ind[i] = INDICATOR_NULL;
            continue;
        }
        if (v->kind != kind) {
            *mixed = 1;
            return CRM_OK;
        }
        if (kind == CRM__SQL_NUMBER) {
            b->num[i] = v->num;
        } else if (kind == CRM__SQL_TEXT) {
            b->ptr[i] = v->text ? v->text : "";
            b->len[i] = (unsigned long)v->len;
        } else {
            crm_status st = datetime_of(v->time, r * nc + k + 1, &b->time[i]);
            if (st) return st;
            b->ptr[i] = &b->time[i];
        }
    }
    return CRM_OK;
}

/* The batch as one execution of the one-row INSERT with arrays; *mixed when a
 * column mixes kinds (nothing was sent then). */
static crm_status bulk_rows(crm__sql_stmt *s, const crm__sql_value *params, size_t nparams,
                            int *mixed)
{
    crm__sql_conn *c = s->c;
    size_t n = nparams / s->ncols;
    crm_status st = bulk_reserve(s, nparams);
    for (size_t k = 0; st == CRM_OK && k < s->ncols && !*mixed; k++)
        st = bulk_column(s, params, n, k, mixed);
    if (st != CRM_OK || *mixed)
        return st;
    unsigned int rows = (unsigned int)n;
    if (c->api.stmt_attr_set(s->bulk, ATTR_ARRAY_SIZE, &rows) ||
        c->api.stmt_bind_param(s->bulk, s->b.bind))
        return my_fail(c, s->bulk, "binding the values");
    if (c->api.stmt_execute(s->bulk) != 0)
        return my_fail(c, s->bulk, "writing");
    unsigned long long done = c->api.stmt_affected_rows(s->bulk);
    if (c->api.warning_count(c->my) != 0 || done != (unsigned long long)n)
        return load_warning(c, done, n);
    return CRM_OK;
}

static crm_status my_execute(crm__sql_stmt *s, const crm__sql_value *params, size_t nparams)
{
    if (nparams != s->nparams)
        return crm__error(CRM_E_INVALID, "mysql: %zu values for %zu parameters", nparams,
                          s->nparams);
    if (s->bulk && nparams > 0) {
        int mixed = 0;
        crm_status st = bulk_rows(s, params, nparams, &mixed);
        if (st != CRM_OK || !mixed)
            return st;
    }
    if (s->load_sql && s->c->load_data) {
        int refused = 0;
        crm_status st = load_rows(s, params, nparams, &refused);
        if (st != CRM_OK || !refused)
            return st;
        s->c->load_data = 0; /* refused: prepared INSERTs from now on */
    }
    if (!s->stmt) {
        crm_status st = stmt_prepare(s);
        if (st != CRM_OK)
            return st;
    }
    crm_status st = params_bind(&s->p, params, nparams);
    if (st != CRM_OK)
        return st;
    if (nparams && s->c->api.stmt_bind_param(s->stmt, s->p.bind))
        return my_fail(s->c, s->stmt, "binding the values");
    if (s->c->api.stmt_execute(s->stmt) != 0)
        return my_fail(s->c, s->stmt, "writing");
    return CRM_OK;
}

static void my_finalize(crm__sql_stmt *s)
{
    if (!s)
        return;
    if (s->stmt)
        s->c->api.stmt_close(s->stmt);
    if (s->bulk)
        s->c->api.stmt_close(s->bulk);
    params_free(&s->p);
    crm__free(s->b.bind);
    crm__free(s->b.num);
    crm__free(s->b.time);
    crm__free(s->b.ptr);
    crm__free(s->b.len);
    crm__free(s->b.ind);
    crm__free(s->sql);
    crm__free(s->load_sql);
    crm__buf_free(&s->rows);
    crm__free(s);
}

const crm__sql_backend crm__sql_backend_mysql = {
    .name = "mysql",
    .ident_quote = '`',
    .placeholder = CRM__SQL_PH_QMARK,
    .upsert = CRM__SQL_UPSERT_ON_DUPLICATE,
    .max_params = my_max_params,
    .column_type = my_column_type,
    .connect = my_connect,
    .disconnect = my_disconnect,
    .query = my_query,
    .ncols = my_ncols,
    .column = my_column,
    .next = my_next,
    .cell = my_cell,
    .close = my_close,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .exec = my_exec,
    .table_exists = my_table_exists,
    .prepare = my_prepare,
    .execute = my_execute,
    .finalize = my_finalize,
};
