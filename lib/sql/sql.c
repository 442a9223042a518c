/* crm_dataset_read_sql() and the parts shared with the writer (sql_write.c):
 * options, backend dispatch, the column builders that take the rows of a
 * query batch by batch. */
#include "sql/sql_core.h"

#include <math.h>
#include <string.h>

/* ---- options ------------------------------------------------------------------ */

static const crm_sql_options sql_defaults = {
    .size = sizeof(crm_sql_options),
    .mode = CRM_SQL_CREATE,
    .batch_rows = 10000,
};

/* The first published layout ends after client_library. */
#define SQL_OPTIONS_MIN_SIZE sizeof(crm_sql_options)

crm_status crm_sql_options_init(crm_sql_options *opts, size_t size)
{
    return crm__options_init(opts, size, &sql_defaults, sizeof sql_defaults,
                             SQL_OPTIONS_MIN_SIZE, "crm_sql_options");
}

crm_status crm__sql_options_load(crm_sql_options *o, const crm_sql_options *user, const char *fn)
{
    crm_status st = crm__options_load(o, user, &sql_defaults, sizeof sql_defaults,
                                      SQL_OPTIONS_MIN_SIZE, fn);
    if (st != CRM_OK)
        return st;
    if (o->batch_rows < 1 || o->batch_rows > 1000000)
        return crm__error(CRM_E_INVALID, "%s: batch_rows must be 1..1000000 (got %d)", fn,
                          (int)o->batch_rows);
    if (o->mode < CRM_SQL_CREATE || o->mode > CRM_SQL_UPSERT)
        return crm__error(CRM_E_INVALID, "%s: unknown mode %d (CRM_SQL_CREATE, _REPLACE, "
                                         "_APPEND or _UPSERT)",
                          fn, (int)o->mode);
    if (o->max_rows < 0)
        return crm__error(CRM_E_INVALID, "%s: max_rows must be >= 0", fn);
    if (o->n_key_columns < 0 || (o->n_key_columns > 0 && !o->key_columns))
        return crm__error(CRM_E_INVALID, "%s: key_columns is NULL or n_key_columns < 0", fn);
    if (o->n_column_types < 0 || (o->n_column_types > 0 && !o->column_types))
        return crm__error(CRM_E_INVALID, "%s: column_types is NULL or n_column_types < 0", fn);
    return CRM_OK;
}

/* ---- connections ---------------------------------------------------------------- */

crm_status crm__sql_open(const char *uri, const crm_sql_options *o, int32_t readonly,
                         crm__sql_session *s)
{
    memset(s, 0, sizeof *s);
    crm_status st = crm__sql_uri_parse(uri, &s->uri);
    if (st != CRM_OK)
        return st;
    if (strcmp(s->uri.scheme, "sqlite") == 0)
        s->be = &crm__sql_backend_sqlite;
    else if (strcmp(s->uri.scheme, "postgresql") == 0)
        s->be = &crm__sql_backend_pg;
    else
        s->be = &crm__sql_backend_mysql;
    st = s->be->connect(&s->uri, o->client_library, readonly, &s->conn);
    if (st != CRM_OK) {
        s->conn = NULL;
        crm__sql_close(s);
    }
    return st;
}

void crm__sql_close(crm__sql_session *s)
{
    if (s->be && s->conn)
        s->be->disconnect(s->conn);
    s->conn = NULL;
    crm__sql_uri_free(&s->uri);
}

/* ---- column builders ------------------------------------------------------------- */

typedef struct colbuf {
    char *name;       /* copied: a cursor's names may not outlive its first row */
    int32_t type;     /* crm_type, or 0 while undecided (by value, only NULLs so far) */
    size_t n, cap;
    void *data;
    crm__dict *dict;
} colbuf;

static void colbuf_free(colbuf *c)
{
    crm__free(c->name);
    crm__free(c->data);
    if (c->dict)
        crm__dict_release(c->dict);
    c->name = NULL;
    c->data = NULL;
    c->dict = NULL;
}

/* Room for one more value; an undecided column only counts. */
static crm_status colbuf_grow(colbuf *c, size_t hint)
{
    if (c->type == 0 || c->n < c->cap)
        return CRM_OK;
    size_t cap = c->cap ? c->cap * 2 : (hint < 1024 ? 1024 : hint);
    void *d = crm__realloc_array(c->data, cap, crm__type_size(c->type));
    if (!d)
        return crm__nomem();
    c->data = d;
    c->cap = cap;
    return CRM_OK;
}

static void colbuf_put_missing(colbuf *c)
{
    if (c->type == CRM_TYPE_NUMBER)
        ((double *)c->data)[c->n] = NAN;
    else if (c->type == CRM_TYPE_TIME)
        ((int64_t *)c->data)[c->n] = CRM_TIME_MISSING;
    else if (c->type == CRM_TYPE_TEXT)
        ((int32_t *)c->data)[c->n] = -1;
}

/* Fix the type of an undecided column; the rows so far were NULL. */
static crm_status colbuf_decide(colbuf *c, int32_t type, size_t hint)
{
    size_t n = c->n;
    c->type = type;
    c->cap = 0;
    size_t cap = n + 1 > hint ? n + 1 : hint;
    c->data = crm__malloc_array(cap, crm__type_size(type));
    if (!c->data)
        return crm__nomem();
    c->cap = cap;
    if (type == CRM_TYPE_TEXT && !c->dict && crm__dict_new(&c->dict) != CRM_OK)
        return CRM_E_NOMEM;
    for (c->n = 0; c->n < n; c->n++)
        colbuf_put_missing(c);
    return CRM_OK;
}

static crm_status put_text(colbuf *c, const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        return crm__error(CRM_E_TYPE, "text holds a NUL byte");
    if (!crm__utf8_valid(s, len))
        return crm__error(CRM_E_TYPE, "text is not valid UTF-8");
    int32_t code;
    crm_status st = crm__dict_intern(c->dict, s, len, &code);
    if (st == CRM_OK)
        ((int32_t *)c->data)[c->n] = code;
    return st;
}

static crm_status put_number(colbuf *c, const crm__sql_value *v)
{
    double d = v->num;
    if (v->kind == CRM__SQL_TEXT) {
        if (!crm__parse_number(v->text, v->len, '.', &d))
            return crm__error(CRM_E_TYPE, "\"%.*s\" is not a number", (int)(v->len > 40 ? 40 : v->len),
                              v->text);
    } else if (v->kind == CRM__SQL_TIME) {
        return crm__error(CRM_E_TYPE, "a time value in a number column");
    }
    ((double *)c->data)[c->n] = d;
    return CRM_OK;
}

static crm_status put_time(colbuf *c, const crm__sql_value *v)
{
    int64_t t = v->time;
    if (v->kind == CRM__SQL_TEXT) {
        if (!crm__sql_parse_time(v->text, v->len, &t))
            return crm__error(CRM_E_TYPE, "\"%.*s\" is not a date or date-time",
                              (int)(v->len > 40 ? 40 : v->len), v->text);
    } else if (v->kind == CRM__SQL_NUMBER) {
        double f = floor(v->num);
        if (!(f >= -9.2e18 && f <= 9.2e18))
            return crm__error(CRM_E_TYPE, "%g is not a time in Unix seconds", v->num);
        t = (int64_t)f;
    }
    ((int64_t *)c->data)[c->n] = t;
    return CRM_OK;
}

/* Append one cell (any kind) to c, converting it to the column's type. */
static crm_status colbuf_put(colbuf *c, const crm__sql_value *v, size_t hint)
{
    crm_status st = CRM_OK;
    if (c->type == 0 && v->kind != CRM__SQL_NULL)
        st = colbuf_decide(c, v->kind == CRM__SQL_TEXT   ? CRM_TYPE_TEXT
                              : v->kind == CRM__SQL_TIME ? CRM_TYPE_TIME
                                                         : CRM_TYPE_NUMBER,
                           hint);
    if (st == CRM_OK)
        st = colbuf_grow(c, hint);
    if (st != CRM_OK || c->type == 0) {
        c->n += st == CRM_OK;
        return st;
    }
    if (v->kind == CRM__SQL_NULL) {
        colbuf_put_missing(c);
    } else if (c->type == CRM_TYPE_NUMBER) {
        st = put_number(c, v);
    } else if (c->type == CRM_TYPE_TIME) {
        st = put_time(c, v);
    } else if (v->kind == CRM__SQL_TEXT) {
        st = put_text(c, v->text, v->len);
    } else {
        char buf[40];
        size_t len = v->kind == CRM__SQL_NUMBER ? crm__format_number(v->num, '.', buf)
                                                : crm__sql_format_time(v->time, buf);
        st = put_text(c, buf, len);
    }
    c->n += st == CRM_OK;
    return st;
}

/* Move the builders into a new dataset of nrows rows. */
static crm_status build_dataset(colbuf *cols, size_t ncols, size_t nrows, crm_dataset **out)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    for (size_t i = 0; st == CRM_OK && i < ncols; i++) {
        colbuf *c = &cols[i];
        if (c->type == 0 && (st = colbuf_decide(c, CRM_TYPE_NUMBER, 1)) != CRM_OK)
            break;
        if (!c->data && !(c->data = crm__malloc(crm__type_size(c->type)))) {
            st = crm__nomem();
            break;
        }
        st = crm__dataset_add_owned(ds, c->name, c->type, c->data, c->dict, nrows);
        if (st == CRM_OK) {
            c->data = NULL;
            c->dict = NULL;
        }
    }
    if (st != CRM_OK) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

/* ---- reading ----------------------------------------------------------------------- */

typedef struct reader {
    crm__sql_session s;
    crm__sql_cursor *cur;
    colbuf *cols;
    size_t ncols;
    const crm_sql_options *o;
} reader;

static crm_status reader_columns(reader *r)
{
    const crm__sql_backend *be = r->s.be;
    r->ncols = be->ncols(r->cur);
    if (r->ncols == 0)
        return crm__error(CRM_E_INVALID, "the query returns no columns (only statements "
                                         "returning rows can be read)");
    r->cols = crm__calloc(r->ncols, sizeof *r->cols);
    if (!r->cols)
        return crm__nomem();
    for (size_t i = 0; i < r->ncols; i++) {
        crm__sql_colinfo ci;
        crm_status st = be->column(r->cur, i, &ci);
        if (st != CRM_OK)
            return st;
        if (!(r->cols[i].name = crm__strdup(ci.name)))
            return crm__nomem();
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->cols[j].name, ci.name) == 0)
                return crm__error(CRM_E_INVALID,
                                  "the query returns two columns named \"%s\" (give one an "
                                  "alias: ... AS other_name)",
                                  ci.name);
        if (ci.type != 0 && (st = colbuf_decide(&r->cols[i], ci.type, 1024)) != CRM_OK)
            return st;
    }
    return CRM_OK;
}

static crm_status reader_rows(reader *r, size_t *out_rows)
{
    const crm__sql_backend *be = r->s.be;
    size_t batch = (size_t)r->o->batch_rows, row = 0;
    size_t limit = r->o->max_rows > 0 ? (size_t)r->o->max_rows : SIZE_MAX;
    crm_status st = CRM_OK;
    while (row < limit) {
        int32_t has = 0;
        if ((st = be->next(r->cur, &has)) != CRM_OK || !has)
            break;
        for (size_t i = 0; i < r->ncols && st == CRM_OK; i++) {
            crm__sql_value v;
            st = be->cell(r->cur, i, &v);
            if (st == CRM_OK)
                st = colbuf_put(&r->cols[i], &v, batch);
            if (st != CRM_OK && st != CRM_E_NOMEM) {
                char where[96];
                snprintf(where, sizeof where, "column \"%.40s\", row %zu", r->cols[i].name, row);
                crm__error_prefix(st, where);
            }
        }
        if (st != CRM_OK)
            break;
        row++;
        if (r->o->progress && row % batch == 0 &&
            r->o->progress(limit == SIZE_MAX ? 0.0 : (double)row / (double)limit, r->o->user))
            return crm__error(CRM_E_CANCELLED, "cancelled by the progress callback");
    }
    *out_rows = row;
    return st;
}

/* Parameters as values of kind TEXT (or NULL). */
static crm_status make_params(const char *const *params, size_t n, crm__sql_value **out)
{
    *out = crm__calloc(n ? n : 1, sizeof **out);
    if (!*out)
        return crm__nomem();
    for (size_t i = 0; i < n; i++) {
        crm__sql_value *v = &(*out)[i];
        if (!params[i])
            continue;
        v->kind = CRM__SQL_TEXT;
        v->text = params[i];
        v->len = strlen(params[i]);
        if (!crm__utf8_valid(v->text, v->len))
            return crm__error(CRM_E_INVALID, "parameter %zu is not valid UTF-8", i + 1);
    }
    return CRM_OK;
}

static crm_status read_sql(const char *uri, const char *query, const crm__sql_value *params,
                           size_t nparams, const crm_sql_options *o, crm_dataset **out)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.o = o;
    size_t nrows = 0;
    crm_status st = crm__sql_open(uri, o, 1, &r.s);
    if (st != CRM_OK)
        return st;
    st = r.s.be->query(r.s.conn, query, params, nparams, (size_t)o->batch_rows, &r.cur);
    if (st == CRM_OK)
        st = reader_columns(&r);
    if (st == CRM_OK)
        st = reader_rows(&r, &nrows);
    if (r.cur)
        r.s.be->close(r.cur);
    if (st == CRM_OK)
        st = build_dataset(r.cols, r.ncols, nrows, out);
    for (size_t i = 0; r.cols && i < r.ncols; i++)
        colbuf_free(&r.cols[i]);
    crm__free(r.cols);
    crm__sql_close(&r.s);
    return st;
}

crm_status crm_dataset_read_sql(const char *uri, const char *query, const char *const *params,
                                size_t nparams, const crm_sql_options *opts, crm_dataset **out)
{
    static const char fn[] = "crm_dataset_read_sql";
    if (out)
        *out = NULL;
    if (!uri || !query || !out || (!params && nparams > 0))
        return crm__error(CRM_E_INVALID, "%s: %s is NULL", fn,
                          !uri ? "uri" : !query ? "query" : !out ? "out" : "params");
    crm_sql_options o;
    crm_status st = crm__sql_options_load(&o, opts, fn);
    if (st != CRM_OK)
        return st;
    crm__sql_value *pv = NULL;
    st = make_params(params, nparams, &pv);
    if (st == CRM_OK)
        st = read_sql(uri, query, pv, nparams, &o, out);
    crm__free(pv);
    if (st != CRM_OK && st != CRM_E_NOMEM)
        crm__error_prefix(st, fn);
    return st;
}
