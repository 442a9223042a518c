/* PostgreSQL backend: libpq (libpq.so.5) opened at run time, no link dependency.
 *
 * Connection strings go to PQconnectdb() exactly as written (libpq keywords or a
 * postgresql:// URI), so libpq itself reads passwords from PGPASSWORD,
 * ~/.pgpass or a service file, and unix sockets come from host=/dir. Every
 * session is set to UTF-8, TimeZone UTC and ISO dates.
 *
 * Reads: BEGIN; DECLARE crm_cursor NO SCROLL CURSOR FOR <query> with the
 * parameters bound by PQexecParams (text values, types inferred by the
 * server); FETCH batch_rows at a time, in binary when every column has a type
 * decoded here, in text otherwise (enums, json, intervals, ...: their text).
 * Writes: the statements sql.c builds, prepared once (PQprepare) and run per
 * batch with text parameters, inside sql.c's BEGIN ... COMMIT.
 * Mapping (docs/databases.md): bool, int2/4/8, oid, float4/8, numeric -> number
 * (integers beyond 2^53 and decimals with more than 15 significant digits are
 * refused: a double would change them); date, timestamp, timestamptz -> time
 * (timestamp without time zone is read as UTC, fractions of a second are
 * dropped); everything else -> text.
 */
#include "sql/sql_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- libpq, as far as used (stable ABI since libpq 9.x) ---------------------- */

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef unsigned int Oid;

enum { PG_CONNECTION_OK = 0 };
enum {
    PGRES_EMPTY_QUERY = 0,
    PGRES_COMMAND_OK = 1,
    PGRES_TUPLES_OK = 2,
    PGRES_SINGLE_TUPLE = 9
};
enum { PQTRANS_IDLE = 0, PQTRANS_INTRANS = 2, PQTRANS_INERROR = 3 };
#define PG_DIAG_SQLSTATE 'C'
#define PG_DIAG_MESSAGE_PRIMARY 'M'
#define PG_DIAG_MESSAGE_DETAIL 'D'

static const char *const pg_names[] = {
    "PQconnectdb",    "PQstatus",          "PQerrorMessage", "PQfinish",
    "PQexec",         "PQexecParams",      "PQprepare",      "PQexecPrepared",
    "PQresultStatus", "PQresultErrorField", "PQclear",       "PQntuples",
    "PQnfields",      "PQfname",           "PQftype",        "PQfformat",
    "PQgetvalue",     "PQgetlength",       "PQgetisnull",    "PQdescribePortal",
    "PQsetClientEncoding", "PQtransactionStatus", "PQcmdStatus", "PQsetNoticeProcessor",
};
#define PG_NSYMS (sizeof pg_names / sizeof pg_names[0])

typedef struct pg_api {
    PGconn *(*connectdb)(const char *conninfo);
    int (*status)(const PGconn *c);
    char *(*error_message)(const PGconn *c);
    void (*finish)(PGconn *c);
    PGresult *(*exec)(PGconn *c, const char *sql);
    PGresult *(*exec_params)(PGconn *c, const char *sql, int n, const Oid *types,
                             const char *const *values, const int *lengths, const int *formats,
                             int result_format);
    PGresult *(*prepare)(PGconn *c, const char *name, const char *sql, int n, const Oid *types);
    PGresult *(*exec_prepared)(PGconn *c, const char *name, int n, const char *const *values,
                               const int *lengths, const int *formats, int result_format);
    int (*result_status)(const PGresult *r);
    char *(*result_error_field)(const PGresult *r, int field);
    void (*clear)(PGresult *r);
    int (*ntuples)(const PGresult *r);
    int (*nfields)(const PGresult *r);
    char *(*fname)(const PGresult *r, int i);
    Oid (*ftype)(const PGresult *r, int i);
    int (*fformat)(const PGresult *r, int i);
    char *(*getvalue)(const PGresult *r, int row, int col);
    int (*getlength)(const PGresult *r, int row, int col);
    int (*getisnull)(const PGresult *r, int row, int col);
    PGresult *(*describe_portal)(PGconn *c, const char *portal);
    int (*set_client_encoding)(PGconn *c, const char *encoding);
    int (*transaction_status)(const PGconn *c);
    char *(*cmd_status)(PGresult *r);
    void *(*set_notice_processor)(PGconn *c, void (*fn)(void *arg, const char *msg), void *arg);
} pg_api;

struct crm__sql_conn {
    pg_api api;
    PGconn *pg;
    unsigned stmt_seq; /* names of prepared statements */
};

/* Type OIDs of the built-in types decoded here (pg_type.dat). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_CHAR = 18,
    OID_NAME = 19,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_JSON = 114,
    OID_XML = 142,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_UNKNOWN = 705,
    OID_MONEY = 790,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIME = 1083,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
    OID_INTERVAL = 1186,
    OID_NUMERIC = 1700,
    OID_UUID = 2950,
    OID_JSONB = 3802
};

/* 1 = decoded in binary; crm type of every OID (others: text, in text form). */
typedef struct pg_type_info {
    Oid oid;
    const char *name;
    int32_t type;
    int binary;
} pg_type_info;

static const pg_type_info pg_types[] = {
    {OID_BOOL, "boolean", CRM_TYPE_NUMBER, 1},
    {OID_INT2, "smallint", CRM_TYPE_NUMBER, 1},
    {OID_INT4, "integer", CRM_TYPE_NUMBER, 1},
    {OID_INT8, "bigint", CRM_TYPE_NUMBER, 1},
    {OID_OID, "oid", CRM_TYPE_NUMBER, 1},
    {OID_FLOAT4, "real", CRM_TYPE_NUMBER, 1},
    {OID_FLOAT8, "double precision", CRM_TYPE_NUMBER, 1},
    {OID_NUMERIC, "numeric", CRM_TYPE_NUMBER, 1},
    {OID_TEXT, "text", CRM_TYPE_TEXT, 1},
    {OID_VARCHAR, "character varying", CRM_TYPE_TEXT, 1},
    {OID_BPCHAR, "character", CRM_TYPE_TEXT, 1},
    {OID_NAME, "name", CRM_TYPE_TEXT, 1},
    {OID_CHAR, "\"char\"", CRM_TYPE_TEXT, 1},
    {OID_UNKNOWN, "unknown", CRM_TYPE_TEXT, 1},
    {OID_UUID, "uuid", CRM_TYPE_TEXT, 1},
    {OID_DATE, "date", CRM_TYPE_TIME, 1},
    {OID_TIMESTAMP, "timestamp without time zone", CRM_TYPE_TIME, 1},
    {OID_TIMESTAMPTZ, "timestamp with time zone", CRM_TYPE_TIME, 1},
    {OID_JSON, "json", CRM_TYPE_TEXT, 0},
    {OID_JSONB, "jsonb", CRM_TYPE_TEXT, 0},
    {OID_XML, "xml", CRM_TYPE_TEXT, 0},
    {OID_BYTEA, "bytea", CRM_TYPE_TEXT, 0},
    {OID_MONEY, "money", CRM_TYPE_TEXT, 0},
    {OID_TIME, "time without time zone", CRM_TYPE_TEXT, 0},
    {OID_INTERVAL, "interval", CRM_TYPE_TEXT, 0},
};

static const pg_type_info *pg_type_of(Oid oid)
{
    for (size_t i = 0; i < sizeof pg_types / sizeof pg_types[0]; i++)
        if (pg_types[i].oid == oid)
            return &pg_types[i];
    return NULL;
}

/* ---- errors --------------------------------------------------------------------- */

/* libpq messages end in a newline and may span lines: the first line, trimmed. */
static size_t first_line(const char *s)
{
    size_t n = strcspn(s, "\n");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    return n;
}

/* The status of an SQLSTATE (see sql_internal.h for the classes). */
static crm_status status_of(const char *state)
{
    if (!state || strlen(state) != 5)
        return CRM_E_IO;
    if (strcmp(state, "42501") == 0) /* insufficient privilege */
        return CRM_E_IO;
    if (strncmp(state, "42", 2) == 0 || strncmp(state, "0A", 2) == 0 ||
        strncmp(state, "34", 2) == 0 || strncmp(state, "26", 2) == 0)
        return CRM_E_PARSE; /* syntax, unknown table/column, unsupported, cursor name */
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0 ||
        strncmp(state, "54", 2) == 0)
        return CRM_E_INVALID; /* constraint, bad value, limits */
    if (strncmp(state, "25", 2) == 0)
        return CRM_E_STATE;
    return CRM_E_IO; /* connection, server shutdown, resources, deadlock, ... */
}

/* Set the error of a failed result r (or of the connection when r is NULL or
 * the connection is gone); clears r. */
static crm_status pg_fail(crm__sql_conn *c, PGresult *r, const char *what)
{
    const pg_api *a = &c->api;
    crm_status st;
    if (r && a->status(c->pg) == PG_CONNECTION_OK && a->result_error_field(r, PG_DIAG_SQLSTATE)) {
        const char *state = a->result_error_field(r, PG_DIAG_SQLSTATE);
        const char *msg = a->result_error_field(r, PG_DIAG_MESSAGE_PRIMARY);
        const char *detail = a->result_error_field(r, PG_DIAG_MESSAGE_DETAIL);
        st = status_of(state);
        if (detail)
            crm__error(st, "postgresql: %s: %s (%s; SQLSTATE %s)", what, msg ? msg : "error",
                       detail, state);
        else
            crm__error(st, "postgresql: %s: %s (SQLSTATE %s)", what, msg ? msg : "error", state);
    } else {
        const char *msg = a->error_message(c->pg);
        if (!msg || !*msg)
            msg = "no answer from the server";
        st = CRM_E_IO;
        crm__error(st, "postgresql: %s: %.*s", what, (int)first_line(msg), msg);
    }
    if (r)
        a->clear(r);
    return st;
}

/* Run a command without parameters that must succeed. */
static crm_status pg_command(crm__sql_conn *c, const char *sql, const char *what)
{
    PGresult *r = c->api.exec(c->pg, sql);
    int s = r ? c->api.result_status(r) : -1;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        return pg_fail(c, r, what);
    c->api.clear(r);
    return CRM_OK;
}

/* ---- connection ---------------------------------------------------------------- */

static size_t pg_max_params(crm__sql_conn *c)
{
    (void)c;
    return 65535; /* the protocol's 16-bit parameter count */
}

static const char *pg_column_type(int32_t type, int32_t is_key)
{
    (void)is_key;
    switch (type) {
    case CRM_TYPE_NUMBER:
        return "double precision";
    case CRM_TYPE_TIME:
        return "timestamp with time zone";
    default:
        return "text";
    }
}

/* libpq prints the server's NOTICE and WARNING messages on stderr by default;
 * the library never prints. */
static void ignore_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static crm_status pg_connect(const crm__sql_uri *uri, const char *client_library, int32_t readonly,
                             crm__sql_conn **out)
{
    static const char *const sonames[] = {"libpq.so.5"};
    (void)readonly;
    *out = NULL;
    void *h = NULL;
    crm_status st = crm__sql_dlopen(client_library, sonames, 1, "libpq5", &h);
    if (st != CRM_OK)
        return st;
    crm__sql_conn *c = crm__calloc(1, sizeof *c);
    if (!c)
        return crm__nomem();
    void *syms[PG_NSYMS];
    st = crm__sql_dlsyms(h, "libpq", pg_names, syms, PG_NSYMS);
    if (st != CRM_OK) {
        crm__free(c);
        return st;
    }
    memcpy(&c->api, syms, sizeof c->api);
    _Static_assert(sizeof(pg_api) == sizeof syms, "pg_api matches pg_names");
    c->pg = c->api.connectdb(uri->raw);
    if (!c->pg) {
        crm__free(c);
        return crm__nomem();
    }
    if (c->api.status(c->pg) != PG_CONNECTION_OK) {
        const char *msg = c->api.error_message(c->pg);
        st = crm__error(CRM_E_IO, "postgresql: cannot connect: %.*s", (int)first_line(msg), msg);
        c->api.finish(c->pg);
        crm__free(c);
        return st;
    }
    c->api.set_notice_processor(c->pg, ignore_notice, NULL);
    if (c->api.set_client_encoding(c->pg, "UTF8") != 0)
        st = pg_fail(c, NULL, "setting the client encoding to UTF8");
    if (st == CRM_OK)
        st = pg_command(c, "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'", "session setup");
    if (st != CRM_OK) {
        c->api.finish(c->pg);
        crm__free(c);
        return st;
    }
    *out = c;
    return CRM_OK;
}

static void pg_disconnect(crm__sql_conn *c)
{
    if (!c)
        return;
    c->api.finish(c->pg);
    crm__free(c);
}

/* ---- parameters --------------------------------------------------------------- */

/* Text forms of params[0..n) in one arena: values[i] points into it (NULL for
 * SQL NULL). Numbers: the shortest text that reads back to the same double
 * (Infinity, -Infinity); times: "YYYY-MM-DD HH:MM:SS+00". */
typedef struct pg_params {
    crm__buf arena;
    size_t *off;
    const char **values;
    size_t cap;
} pg_params;

static crm_status params_build(pg_params *p, const crm__sql_value *params, size_t n)
{
    if (n > p->cap) {
        size_t *off = crm__realloc_array(p->off, n, sizeof *off);
        if (!off)
            return crm__nomem();
        p->off = off;
        const char **v = crm__realloc_array(p->values, n, sizeof *v);
        if (!v)
            return crm__nomem();
        p->values = v;
        p->cap = n;
    }
    p->arena.len = 0;
    for (size_t i = 0; i < n; i++) {
        const crm__sql_value *v = &params[i];
        char buf[48];
        size_t len = 0;
        const char *s = buf;
        p->off[i] = SIZE_MAX;
        switch (v->kind) {
        case CRM__SQL_NULL:
            continue;
        case CRM__SQL_NUMBER:
            if (v->num != v->num)
                continue;
            if (v->num > 1.7976931348623157e308 || v->num < -1.7976931348623157e308) {
                s = v->num > 0 ? "Infinity" : "-Infinity";
                len = strlen(s);
            } else {
                len = crm__format_number(v->num, '.', buf);
            }
            break;
        case CRM__SQL_TIME:
            len = crm__sql_format_time(v->time, buf);
            memcpy(buf + len, "+00", 4);
            len += 3;
            break;
        default:
            if (v->len && memchr(v->text, '\0', v->len))
                return crm__error(CRM_E_INVALID, "postgresql: parameter %zu: text contains a "
                                                 "NUL byte, which PostgreSQL cannot store",
                                  i + 1);
            s = v->text ? v->text : "";
            len = v->len;
        }
        p->off[i] = p->arena.len;
        crm_status st = crm__buf_append(&p->arena, s, len);
        if (st == CRM_OK)
            st = crm__buf_append(&p->arena, "", 1);
        if (st != CRM_OK)
            return st;
    }
    for (size_t i = 0; i < n; i++)
        p->values[i] = p->off[i] == SIZE_MAX ? NULL : p->arena.data + p->off[i];
    return CRM_OK;
}

static void params_free(pg_params *p)
{
    crm__buf_free(&p->arena);
    crm__free(p->off);
    crm__free(p->values);
}

/* ---- reading ------------------------------------------------------------------- */

struct crm__sql_cursor {
    crm__sql_conn *c;
    PGresult *desc;  /* the portal's description: names and types */
    PGresult *batch; /* the rows of the last FETCH */
    int nrows;       /* rows in batch */
    int row;         /* current row in batch, -1 before the first */
    int binary;      /* FETCH in binary */
    int done;        /* the last FETCH returned fewer rows than asked */
    int own_txn;     /* the cursor began the transaction */
    int failed;
    size_t ncols;
    const pg_type_info **types; /* per column, NULL for types read as text */
    char fetch_sql[64];
    char scratch[64]; /* uuid text of the current cell */
};

/* The query as DECLARE wants it: without trailing blanks and semicolons. */
static crm_status declare_sql(const char *sql, crm__buf *b)
{
    size_t n = strlen(sql);
    while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' ||
                     sql[n - 1] == '\t' || sql[n - 1] == '\r'))
        n--;
    crm_status st = crm__buf_printf(b, "DECLARE crm_cursor NO SCROLL CURSOR FOR ");
    if (st == CRM_OK)
        st = crm__buf_append(b, sql, n);
    return st;
}

static crm_status fetch(crm__sql_cursor *cur)
{
    const pg_api *a = &cur->c->api;
    if (cur->batch)
        a->clear(cur->batch);
    cur->batch = a->exec_params(cur->c->pg, cur->fetch_sql, 0, NULL, NULL, NULL, NULL,
                                cur->binary);
    if (!cur->batch || a->result_status(cur->batch) != PGRES_TUPLES_OK) {
        PGresult *r = cur->batch;
        cur->batch = NULL;
        cur->failed = 1;
        return pg_fail(cur->c, r, "reading the result");
    }
    cur->nrows = a->ntuples(cur->batch);
    cur->row = -1;
    return CRM_OK;
}

/* Describe the open cursor: column names and types, binary or text. */
static crm_status describe(crm__sql_cursor *cur)
{
    const pg_api *a = &cur->c->api;
    cur->desc = a->describe_portal(cur->c->pg, "crm_cursor");
    if (!cur->desc || a->result_status(cur->desc) != PGRES_COMMAND_OK) {
        PGresult *r = cur->desc;
        cur->desc = NULL;
        return pg_fail(cur->c, r, "describing the result");
    }
    cur->ncols = (size_t)a->nfields(cur->desc);
    cur->types = crm__calloc(cur->ncols ? cur->ncols : 1, sizeof *cur->types);
    if (!cur->types)
        return crm__nomem();
    cur->binary = 1;
    for (size_t i = 0; i < cur->ncols; i++) {
        cur->types[i] = pg_type_of(a->ftype(cur->desc, (int)i));
        if (!cur->types[i] || !cur->types[i]->binary)
            cur->binary = 0;
    }
    return CRM_OK;
}

static void pg_close(crm__sql_cursor *cur);

static crm_status pg_query(crm__sql_conn *c, const char *sql, const crm__sql_value *params,
                           size_t nparams, size_t batch_rows, crm__sql_cursor **out)
{
    *out = NULL;
    if (nparams > 65535)
        return crm__error(CRM_E_INVALID, "postgresql: %zu parameters (at most 65535)", nparams);
    crm__sql_cursor *cur = crm__calloc(1, sizeof *cur);
    if (!cur)
        return crm__nomem();
    cur->c = c;
    cur->row = -1;
    snprintf(cur->fetch_sql, sizeof cur->fetch_sql, "FETCH FORWARD %zu FROM crm_cursor",
             batch_rows ? batch_rows : 10000);
    crm_status st = CRM_OK;
    if (c->api.transaction_status(c->pg) == PQTRANS_IDLE) {
        st = pg_command(c, "BEGIN READ ONLY", "starting the read");
        cur->own_txn = st == CRM_OK;
    }
    crm__buf b = {0};
    pg_params p = {0};
    if (st == CRM_OK)
        st = declare_sql(sql, &b);
    if (st == CRM_OK)
        st = params_build(&p, params, nparams);
    if (st == CRM_OK) {
        PGresult *r = c->api.exec_params(c->pg, b.data, (int)nparams, NULL, p.values, NULL, NULL,
                                         0);
        if (!r || c->api.result_status(r) != PGRES_COMMAND_OK)
            st = pg_fail(c, r, "query");
        else
            c->api.clear(r);
    }
    crm__buf_free(&b);
    params_free(&p);
    if (st == CRM_OK)
        st = describe(cur);
    if (st == CRM_OK)
        st = fetch(cur);
    if (st != CRM_OK) {
        cur->failed = 1;
        pg_close(cur);
        return st;
    }
    *out = cur;
    return CRM_OK;
}

static size_t pg_ncols(crm__sql_cursor *cur)
{
    return cur->ncols;
}

static crm_status pg_column(crm__sql_cursor *cur, size_t i, crm__sql_colinfo *out)
{
    if (i >= cur->ncols)
        return crm__error(CRM_E_INVALID, "postgresql: column %zu of %zu", i, cur->ncols);
    const pg_type_info *t = cur->types[i];
    out->name = cur->c->api.fname(cur->desc, (int)i);
    out->decl = t ? t->name : "";
    out->type = t ? t->type : CRM_TYPE_TEXT;
    return CRM_OK;
}

static crm_status pg_next(crm__sql_cursor *cur, int32_t *out_has_row)
{
    *out_has_row = 0;
    if (cur->failed)
        return crm__error(CRM_E_STATE, "postgresql: the query failed before");
    if (cur->row + 1 >= cur->nrows) {
        if (cur->done || cur->nrows == 0) {
            cur->done = 1;
            return CRM_OK;
        }
        crm_status st = fetch(cur);
        if (st != CRM_OK)
            return st;
        if (cur->nrows == 0) {
            cur->done = 1;
            return CRM_OK;
        }
    }
    cur->row++;
    *out_has_row = 1;
    return CRM_OK;
}

/* ---- decoding cells ----------------------------------------------------------- */

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Seconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
#define PG_EPOCH_OFFSET 946684800LL

static crm_status cell_error(crm__sql_cursor *cur, size_t i, const char *fmt, const char *value)
{
    crm__buf b = {0};
    const char *name = cur->c->api.fname(cur->desc, (int)i);
    crm_status st = crm__buf_printf(&b, fmt, value);
    if (st != CRM_OK)
        return st;
    st = crm__error(CRM_E_TYPE, "postgresql: column \"%s\": %s", name, b.data);
    crm__buf_free(&b);
    return st;
}

/* A decimal text (PostgreSQL's numeric output: [-]digits[.digits], or NaN,
 * Infinity) as a number: exact only with at most 15 significant digits, so
 * longer ones are refused rather than rounded. */
static crm_status decimal_text(crm__sql_cursor *cur, size_t i, const char *s, size_t n,
                               crm__sql_value *out)
{
    if (n == 3 && memcmp(s, "NaN", 3) == 0) {
        out->kind = CRM__SQL_NULL;
        return CRM_OK;
    }
    size_t first = SIZE_MAX, last = 0, sig = 0, m = 0;
    while (m < n && s[m] != 'e' && s[m] != 'E')
        m++; /* the mantissa */
    for (size_t k = 0; k < m; k++) {
        if (s[k] >= '1' && s[k] <= '9') {
            if (first == SIZE_MAX)
                first = k;
            last = k;
        }
    }
    if (first != SIZE_MAX)
        for (size_t k = first; k <= last; k++)
            sig += s[k] >= '0' && s[k] <= '9';
    char tmp[96];
    int shown = n < 60 ? (int)n : 60;
    memcpy(tmp, s, (size_t)shown);
    strcpy(tmp + shown, n > 60 ? "..." : "");
    if (sig > 15)
        return cell_error(cur, i,
                          "%s has more than 15 significant digits, more than a number holds "
                          "exactly; cast it in the query (::float8 to round, ::text to keep it)",
                          tmp);
    if (!crm__parse_number(s, n, '.', &out->num))
        return cell_error(cur, i, "\"%s\" is not a number", tmp);
    out->kind = CRM__SQL_NUMBER;
    return CRM_OK;
}

/* Binary numeric: int16 ndigits, weight, sign, dscale, then base-10000 digits. */
static crm_status decode_numeric(crm__sql_cursor *cur, size_t i, const unsigned char *p, int len,
                                 crm__sql_value *out)
{
    if (len < 8)
        return cell_error(cur, i, "%s", "malformed numeric value");
    int nd = (int16_t)be(p, 2), weight = (int16_t)be(p + 2, 2);
    int sign = (int)be(p + 4, 2);
    if (sign == 0xC000) {
        out->kind = CRM__SQL_NULL; /* NaN: missing */
        return CRM_OK;
    }
    if (sign == 0xD000 || sign == 0xF000) {
        out->kind = CRM__SQL_NUMBER;
        out->num = sign == 0xD000 ? HUGE_VAL : -HUGE_VAL;
        return CRM_OK;
    }
    if (nd < 0 || len < 8 + 2 * nd)
        return cell_error(cur, i, "%s", "malformed numeric value");
    /* as PostgreSQL prints it: groups 0..weight before the point, the rest after */
    if (nd > 1000 || weight > 1000 || weight < -1000)
        return cell_error(cur, i, "%s", "numeric value with more than 4000 digits");
    char buf[4 * 2200 + 16];
    size_t k = 0;
    if (sign == 0x4000)
        buf[k++] = '-';
    int hi = weight > 0 ? weight : 0;                    /* positions (powers of 10000) */
    int lo = weight - nd + 1 < 0 ? weight - nd + 1 : 0; /* written, highest first */
    for (int pos = hi; pos >= lo; pos--) {
        int j = weight - pos; /* digit group at this position, if any */
        int d = j >= 0 && j < nd ? (int)be(p + 8 + 2 * j, 2) : 0;
        if (pos == -1)
            buf[k++] = '.';
        if (pos == hi) { /* the first group: no leading zeros */
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%d", d);
            continue;
        }
        buf[k++] = (char)('0' + d / 1000);
        buf[k++] = (char)('0' + d / 100 % 10);
        buf[k++] = (char)('0' + d / 10 % 10);
        buf[k++] = (char)('0' + d % 10);
    }
    while (k > 0 && memchr(buf, '.', k) && (buf[k - 1] == '0' || buf[k - 1] == '.'))
        k--; /* trailing fraction zeros */
    if (nd == 0)
        k = (size_t)snprintf(buf, sizeof buf, "0");
    return decimal_text(cur, i, buf, k, out);
}

/* The shortest decimal of a float4 (as PostgreSQL prints it) as a double. */
static double float4_value(float f)
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

static crm_status decode_integer(crm__sql_cursor *cur, size_t i, int64_t v, crm__sql_value *out)
{
    if (v > ((int64_t)1 << 53) || v < -((int64_t)1 << 53)) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%lld", (long long)v);
        return cell_error(cur, i,
                          "%s is beyond 2^53, more than a number holds exactly; cast it in the "
                          "query (::float8 to round, ::text to keep it)",
                          tmp);
    }
    out->kind = CRM__SQL_NUMBER;
    out->num = (double)v;
    return CRM_OK;
}

static crm_status decode_time_us(crm__sql_cursor *cur, size_t i, int64_t us, crm__sql_value *out)
{
    if (us == INT64_MAX || us == INT64_MIN)
        return cell_error(cur, i, "%s", "infinite timestamps have no time value");
    int64_t s = us / 1000000 - (us % 1000000 < 0); /* floor: fractions are dropped */
    out->kind = CRM__SQL_TIME;
    out->time = s + PG_EPOCH_OFFSET;
    return CRM_OK;
}

/* Size of the binary value of a fixed-size type, or 0. */
static int fixed_size(Oid oid)
{
    switch (oid) {
    case OID_BOOL:
        return 1;
    case OID_INT2:
        return 2;
    case OID_INT4:
    case OID_OID:
    case OID_FLOAT4:
    case OID_DATE:
        return 4;
    case OID_INT8:
    case OID_FLOAT8:
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        return 8;
    case OID_UUID:
        return 16;
    default:
        return 0;
    }
}

static crm_status decode_binary(crm__sql_cursor *cur, size_t i, Oid oid, const unsigned char *p,
                                int len, crm__sql_value *out)
{
    if (fixed_size(oid) && len != fixed_size(oid))
        return cell_error(cur, i, "%s", "a binary value of the wrong size from the server");
    switch (oid) {
    case OID_BOOL:
        out->kind = CRM__SQL_NUMBER;
        out->num = p[0] ? 1 : 0;
        return CRM_OK;
    case OID_INT2:
        return decode_integer(cur, i, (int16_t)be(p, 2), out);
    case OID_INT4:
        return decode_integer(cur, i, (int32_t)be(p, 4), out);
    case OID_OID:
        return decode_integer(cur, i, (int64_t)be(p, 4), out);
    case OID_INT8:
        return decode_integer(cur, i, (int64_t)be(p, 8), out);
    case OID_FLOAT4: {
        uint32_t u = (uint32_t)be(p, 4);
        float f;
        memcpy(&f, &u, 4);
        out->kind = f != f ? CRM__SQL_NULL : CRM__SQL_NUMBER;
        out->num = float4_value(f);
        return CRM_OK;
    }
    case OID_FLOAT8: {
        uint64_t u = be(p, 8);
        double d;
        memcpy(&d, &u, 8);
        out->kind = d != d ? CRM__SQL_NULL : CRM__SQL_NUMBER;
        out->num = d;
        return CRM_OK;
    }
    case OID_NUMERIC:
        return decode_numeric(cur, i, p, len, out);
    case OID_DATE: {
        int32_t d = (int32_t)be(p, 4);
        if (d == INT32_MAX || d == INT32_MIN)
            return cell_error(cur, i, "%s", "infinite dates have no time value");
        out->kind = CRM__SQL_TIME;
        out->time = (int64_t)d * 86400 + PG_EPOCH_OFFSET;
        return CRM_OK;
    }
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        return decode_time_us(cur, i, (int64_t)be(p, 8), out);
    case OID_UUID: {
        static const char hex[] = "0123456789abcdef";
        size_t k = 0;
        for (int b = 0; b < 16 && b < len; b++) {
            if (b == 4 || b == 6 || b == 8 || b == 10)
                cur->scratch[k++] = '-';
            cur->scratch[k++] = hex[p[b] >> 4];
            cur->scratch[k++] = hex[p[b] & 15];
        }
        out->kind = CRM__SQL_TEXT;
        out->text = cur->scratch;
        out->len = k;
        return CRM_OK;
    }
    default: /* text, varchar, bpchar, name, "char", unknown: the bytes */
        out->kind = CRM__SQL_TEXT;
        out->text = (const char *)p;
        out->len = (size_t)len;
        return CRM_OK;
    }
}

/* A cell in text form (a result with a type not decoded in binary). */
static crm_status decode_text(crm__sql_cursor *cur, size_t i, const pg_type_info *t,
                              const char *s, int len, crm__sql_value *out)
{
    if (!t || t->type == CRM_TYPE_TEXT) {
        out->kind = CRM__SQL_TEXT;
        out->text = s;
        out->len = (size_t)len;
        return CRM_OK;
    }
    if (t->oid == OID_BOOL) {
        out->kind = CRM__SQL_NUMBER;
        out->num = s[0] == 't';
        return CRM_OK;
    }
    if (t->oid == OID_FLOAT4 || t->oid == OID_FLOAT8) {
        if (len == 3 && memcmp(s, "NaN", 3) == 0) {
            out->kind = CRM__SQL_NULL;
            return CRM_OK;
        }
        int neg = s[0] == '-';
        if (strcmp(s + neg, "Infinity") == 0) {
            out->kind = CRM__SQL_NUMBER;
            out->num = neg ? -HUGE_VAL : HUGE_VAL;
            return CRM_OK;
        }
        if (!crm__parse_number(s, (size_t)len, '.', &out->num))
            return cell_error(cur, i, "\"%s\" is not a number", s);
        out->kind = CRM__SQL_NUMBER;
        return CRM_OK;
    }
    if (t->oid == OID_NUMERIC)
        return decimal_text(cur, i, s, (size_t)len, out);
    if (t->type == CRM_TYPE_NUMBER) { /* int2, int4, int8, oid: [-]digits */
        int neg = s[0] == '-';
        uint64_t v = 0;
        int k = neg;
        for (; k < len && s[k] >= '0' && s[k] <= '9' && v <= UINT64_MAX / 10 - 1; k++)
            v = v * 10 + (uint64_t)(s[k] - '0');
        if (k != len || k == neg || v > (uint64_t)INT64_MAX)
            return cell_error(cur, i, "\"%s\" is not an integer", s);
        return decode_integer(cur, i, neg ? -(int64_t)v : (int64_t)v, out);
    }
    if (crm__sql_parse_time(s, (size_t)len, &out->time)) {
        out->kind = CRM__SQL_TIME;
        return CRM_OK;
    }
    return cell_error(cur, i, "\"%s\" is not a date or time libcrm reads", s);
}

static crm_status pg_cell(crm__sql_cursor *cur, size_t i, crm__sql_value *out)
{
    memset(out, 0, sizeof *out);
    if (cur->row < 0 || cur->row >= cur->nrows || i >= cur->ncols)
        return crm__error(CRM_E_STATE, "postgresql: no current row or column %zu", i);
    const pg_api *a = &cur->c->api;
    if (a->getisnull(cur->batch, cur->row, (int)i)) {
        out->kind = CRM__SQL_NULL;
        return CRM_OK;
    }
    const char *v = a->getvalue(cur->batch, cur->row, (int)i);
    int len = a->getlength(cur->batch, cur->row, (int)i);
    const pg_type_info *t = cur->types[i];
    if (cur->binary)
        return decode_binary(cur, i, t->oid, (const unsigned char *)v, len, out);
    return decode_text(cur, i, t, v, len, out);
}

static void pg_close(crm__sql_cursor *cur)
{
    if (!cur)
        return;
    crm__sql_conn *c = cur->c;
    if (cur->batch)
        c->api.clear(cur->batch);
    if (cur->desc)
        c->api.clear(cur->desc);
    if (c->api.status(c->pg) == PG_CONNECTION_OK) {
        int ts = c->api.transaction_status(c->pg);
        if (cur->own_txn) {
            PGresult *r = c->api.exec(c->pg, "ROLLBACK"); /* ends the read-only transaction */
            c->api.clear(r);
        } else if (ts == PQTRANS_INTRANS && cur->desc) {
            PGresult *r = c->api.exec(c->pg, "CLOSE crm_cursor");
            c->api.clear(r);
        }
    }
    crm__free(cur->types);
    crm__free(cur);
}

/* ---- writing ------------------------------------------------------------------ */

static crm_status pg_begin(crm__sql_conn *c)
{
    return pg_command(c, "BEGIN", "BEGIN");
}

static crm_status pg_commit(crm__sql_conn *c)
{
    PGresult *r = c->api.exec(c->pg, "COMMIT");
    if (!r || c->api.result_status(r) != PGRES_COMMAND_OK)
        return pg_fail(c, r, "COMMIT");
    /* COMMIT of a failed transaction answers ROLLBACK without an error */
    int rolled_back = strcmp(c->api.cmd_status(r), "ROLLBACK") == 0;
    c->api.clear(r);
    if (rolled_back)
        return crm__error(CRM_E_STATE, "postgresql: COMMIT: the transaction had failed and was "
                                       "rolled back");
    return CRM_OK;
}

static crm_status pg_rollback(crm__sql_conn *c)
{
    if (c->api.status(c->pg) != PG_CONNECTION_OK)
        return CRM_E_IO; /* nothing to roll back on a lost connection: the server did */
    return pg_command(c, "ROLLBACK", "ROLLBACK");
}

static crm_status pg_exec(crm__sql_conn *c, const char *sql)
{
    return pg_command(c, sql, "statement");
}

static crm_status pg_table_exists(crm__sql_conn *c, const char *schema, const char *table,
                                  int32_t *out)
{
    *out = 0;
    const char *values[2] = {schema, table};
    PGresult *r = c->api.exec_params(
        c->pg,
        "SELECT 1 FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace s "
        "ON s.oid = k.relnamespace WHERE k.relname = $2 AND k.relkind IN ('r','p','v','m','f') "
        "AND s.nspname = COALESCE($1, pg_catalog.current_schema())",
        2, NULL, values, NULL, NULL, 0);
    if (!r || c->api.result_status(r) != PGRES_TUPLES_OK)
        return pg_fail(c, r, "looking up the table");
    *out = c->api.ntuples(r) > 0;
    c->api.clear(r);
    return CRM_OK;
}

struct crm__sql_stmt {
    crm__sql_conn *c;
    char name[32];
    size_t nparams;
    pg_params p;
};

static crm_status pg_prepare(crm__sql_conn *c, const char *sql, size_t nparams,
                             crm__sql_stmt **out)
{
    *out = NULL;
    if (nparams > 65535)
        return crm__error(CRM_E_INVALID, "postgresql: %zu parameters (at most 65535)", nparams);
    crm__sql_stmt *st = crm__calloc(1, sizeof *st);
    if (!st)
        return crm__nomem();
    st->c = c;
    st->nparams = nparams;
    snprintf(st->name, sizeof st->name, "crm_stmt_%u", ++c->stmt_seq);
    PGresult *r = c->api.prepare(c->pg, st->name, sql, (int)nparams, NULL);
    if (!r || c->api.result_status(r) != PGRES_COMMAND_OK) {
        crm__free(st);
        return pg_fail(c, r, "statement");
    }
    c->api.clear(r);
    *out = st;
    return CRM_OK;
}

static crm_status pg_execute(crm__sql_stmt *st, const crm__sql_value *params, size_t nparams)
{
    if (nparams != st->nparams)
        return crm__error(CRM_E_INVALID, "postgresql: %zu values for %zu parameters", nparams,
                          st->nparams);
    crm_status s = params_build(&st->p, params, nparams);
    if (s != CRM_OK)
        return s;
    crm__sql_conn *c = st->c;
    PGresult *r = c->api.exec_prepared(c->pg, st->name, (int)nparams, st->p.values, NULL, NULL, 0);
    int rs = r ? c->api.result_status(r) : -1;
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
        return pg_fail(c, r, "writing");
    c->api.clear(r);
    return CRM_OK;
}

static void pg_finalize(crm__sql_stmt *st)
{
    if (!st)
        return;
    crm__sql_conn *c = st->c;
    if (c->api.status(c->pg) == PG_CONNECTION_OK &&
        c->api.transaction_status(c->pg) != PQTRANS_INERROR) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
        PGresult *r = c->api.exec(c->pg, sql);
        c->api.clear(r);
    }
    params_free(&st->p);
    crm__free(st);
}

const crm__sql_backend crm__sql_backend_pg = {
    .name = "postgresql",
    .ident_quote = '"',
    .placeholder = CRM__SQL_PH_DOLLAR,
    .upsert = CRM__SQL_UPSERT_ON_CONFLICT,
    .max_params = pg_max_params,
    .column_type = pg_column_type,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .query = pg_query,
    .ncols = pg_ncols,
    .column = pg_column,
    .next = pg_next,
    .cell = pg_cell,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .table_exists = pg_table_exists,
    .prepare = pg_prepare,
    .execute = pg_execute,
    .finalize = pg_finalize,
};
