/* crm_dataset_write_sql(): one transaction per call; the statements (CREATE
 * TABLE, DELETE, multi-row INSERT or upsert with quoted identifiers) are
 * built here for every backend from its dialect (sql_internal.h). */
#include "sql/sql_core.h"

#include <math.h>
#include <string.h>

typedef struct writer {
    const crm_dataset *ds;
    const crm_sql_options *o;
    crm__sql_session s;
    char *schema;      /* NULL: the connection's default */
    char *table;       /* unquoted */
    crm__buf qtable;   /* quoted, with the schema */
    size_t *keys;      /* column indexes of key_columns */
    size_t nkeys;
    const char **types; /* per dataset column: a column_types override or NULL */
} writer;

/* ---- checks before connecting ----------------------------------------------------- */

static crm_status split_table(writer *w, const char *table)
{
    const char *dot = strchr(table, '.');
    if (!*table || (dot && (dot == table || !dot[1])))
        return crm__error(CRM_E_INVALID, "table name \"%s\" is empty or has an empty part",
                          table);
    w->table = crm__strdup(dot ? dot + 1 : table);
    w->schema = dot ? crm__strndup(table, (size_t)(dot - table)) : NULL;
    if (!w->table || (dot && !w->schema))
        return crm__nomem();
    return CRM_OK;
}

static crm_status check_keys(writer *w)
{
    const crm_sql_options *o = w->o;
    if (o->mode == CRM_SQL_UPSERT && o->n_key_columns == 0)
        return crm__error(CRM_E_INVALID, "mode UPSERT needs key_columns");
    w->nkeys = (size_t)o->n_key_columns;
    w->keys = crm__calloc(w->nkeys ? w->nkeys : 1, sizeof *w->keys);
    if (!w->keys)
        return crm__nomem();
    for (size_t i = 0; i < w->nkeys; i++) {
        const char *k = o->key_columns[i];
        if (!k)
            return crm__error(CRM_E_INVALID, "key_columns[%zu] is NULL", i);
        crm_status st = crm__dataset_find(w->ds, k, &w->keys[i]);
        if (st != CRM_OK)
            return crm__error_prefix(st, "key column");
        for (size_t j = 0; j < i; j++)
            if (w->keys[j] == w->keys[i])
                return crm__error(CRM_E_INVALID, "key column \"%s\" is listed twice", k);
        const crm__column *c = &w->ds->cols[w->keys[i]];
        for (size_t r = 0; r < w->ds->nrows; r++)
            if (crm__cell_missing(c, r))
                return crm__error(CRM_E_INVALID, "key column \"%s\" is missing in row %zu", k, r);
    }
    return CRM_OK;
}

/* UPSERT: two rows with one key would hit one table row twice in a statement. */
static crm_status check_unique_keys(writer *w)
{
    if (w->o->mode != CRM_SQL_UPSERT || w->ds->nrows < 2)
        return CRM_OK;
    crm_dataset *sel = NULL;
    size_t removed = 0;
    crm_status st = crm_dataset_select(w->ds, w->o->key_columns, w->nkeys, &sel);
    if (st == CRM_OK)
        st = crm_clean_dedup(sel, w->o->key_columns, w->nkeys, CRM_KEEP_FIRST, &removed);
    crm_dataset_free(sel);
    if (st == CRM_OK && removed > 0)
        return crm__error(CRM_E_INVALID,
                          "%zu row(s) repeat the key of an earlier row (UPSERT needs one row "
                          "per key)",
                          removed);
    return st;
}

static int valid_sql_type(const char *t)
{
    if (!*t)
        return 0;
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
              *t == ' ' || *t == '_' || *t == '(' || *t == ')' || *t == ','))
            return 0;
    return 1;
}

static crm_status check_types(writer *w)
{
    const crm_sql_options *o = w->o;
    w->types = crm__calloc(w->ds->ncols, sizeof *w->types);
    if (!w->types)
        return crm__nomem();
    for (int64_t i = 0; i < o->n_column_types; i++) {
        const char *e = o->column_types[i];
        const char *colon = e ? strrchr(e, ':') : NULL;
        if (!colon || colon == e || !valid_sql_type(colon + 1))
            return crm__error(CRM_E_INVALID,
                              "column_types[%lld] must be \"NAME:TYPE\" with TYPE of letters, "
                              "digits, spaces, _ ( ) and commas",
                              (long long)i);
        char *name = crm__strndup(e, (size_t)(colon - e));
        if (!name)
            return crm__nomem();
        size_t idx = crm__dataset_lookup(w->ds, name);
        crm_status st = idx == SIZE_MAX ? crm__error(CRM_E_NOTFOUND,
                                                     "column_types: no column \"%s\"", name)
                                        : CRM_OK;
        crm__free(name);
        if (st != CRM_OK)
            return st;
        w->types[idx] = colon + 1;
    }
    return CRM_OK;
}

/* ---- statements --------------------------------------------------------------------- */

static crm_status quote(writer *w, crm__buf *b, const char *name)
{
    return crm__sql_quote_ident(b, name, w->s.be->ident_quote);
}

static crm_status append_columns(writer *w, crm__buf *b, const size_t *idx, size_t n)
{
    crm_status st = CRM_OK;
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        if (i > 0)
            st = crm__buf_append(b, ", ", 2);
        if (st == CRM_OK)
            st = quote(w, b, w->ds->cols[idx ? idx[i] : i].name);
    }
    return st;
}

static crm_status create_table(writer *w)
{
    const crm_dataset *ds = w->ds;
    crm__buf b = {0};
    crm_status st = crm__buf_printf(&b, "CREATE TABLE %s (", w->qtable.data);
    for (size_t i = 0; st == CRM_OK && i < ds->ncols; i++) {
        int is_key = 0;
        for (size_t k = 0; k < w->nkeys; k++)
            is_key |= w->keys[k] == i;
        st = i ? crm__buf_append(&b, ", ", 2) : CRM_OK;
        if (st == CRM_OK)
            st = quote(w, &b, ds->cols[i].name);
        if (st == CRM_OK)
            st = crm__buf_printf(&b, " %s",
                                 w->types[i] ? w->types[i]
                                             : w->s.be->column_type(ds->cols[i].type, is_key));
    }
    if (st == CRM_OK && w->nkeys > 0) {
        st = crm__buf_append(&b, ", PRIMARY KEY (", 15);
        if (st == CRM_OK)
            st = append_columns(w, &b, w->keys, w->nkeys);
        if (st == CRM_OK)
            st = crm__buf_append(&b, ")", 1);
    }
    if (st == CRM_OK)
        st = crm__buf_append(&b, ")", 1);
    if (st == CRM_OK)
        st = w->s.be->exec(w->s.conn, b.data);
    crm__buf_free(&b);
    return st;
}

/* Index of the table column named like dataset column `name` (exact, else
 * ASCII case-insensitive as SQL compares names), or SIZE_MAX. */
static size_t find_table_column(const crm__sql_colinfo *tc, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tc[i].name, name) == 0)
            return i;
    for (size_t i = 0; i < n; i++) {
        const char *a = tc[i].name, *b = name;
        while (*a && *b && (*a | 32 * (*a >= 'A' && *a <= 'Z')) ==
                               (*b | 32 * (*b >= 'A' && *b <= 'Z'))) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return i;
    }
    return SIZE_MAX;
}

/* An existing table: every dataset column is there with the same type. */
static crm_status check_table(writer *w)
{
    const crm__sql_backend *be = w->s.be;
    crm__buf b = {0};
    crm__sql_cursor *cur = NULL;
    crm__sql_colinfo *tc = NULL;
    crm_status st = crm__buf_printf(&b, "SELECT * FROM %s WHERE 1 = 0", w->qtable.data);
    if (st == CRM_OK)
        st = be->query(w->s.conn, b.data, NULL, 0, 1, &cur);
    size_t n = st == CRM_OK ? be->ncols(cur) : 0;
    if (st == CRM_OK && !(tc = crm__calloc(n ? n : 1, sizeof *tc)))
        st = crm__nomem();
    for (size_t i = 0; st == CRM_OK && i < n; i++)
        st = be->column(cur, i, &tc[i]);
    for (size_t i = 0; st == CRM_OK && i < w->ds->ncols; i++) {
        const crm__column *c = &w->ds->cols[i];
        size_t j = find_table_column(tc, n, c->name);
        if (j == SIZE_MAX)
            st = crm__error(CRM_E_NOTFOUND, "table \"%s\" has no column \"%s\"", w->table,
                            c->name);
        else if (tc[j].type != 0 && tc[j].type != c->type)
            st = crm__error(CRM_E_TYPE,
                            "column \"%s\" is %s in the dataset but %s (%s) in table \"%s\"",
                            c->name, crm__type_name(c->type), tc[j].decl,
                            crm__type_name(tc[j].type), w->table);
    }
    crm__free(tc);
    if (cur)
        be->close(cur);
    crm__buf_free(&b);
    return st;
}

static crm_status append_upsert(writer *w, crm__buf *b)
{
    const crm_dataset *ds = w->ds;
    int on_conflict = w->s.be->upsert == CRM__SQL_UPSERT_ON_CONFLICT;
    crm_status st = CRM_OK;
    if (on_conflict) {
        st = crm__buf_append(b, " ON CONFLICT (", 14);
        if (st == CRM_OK)
            st = append_columns(w, b, w->keys, w->nkeys);
        if (st == CRM_OK)
            st = crm__buf_append(b, ") DO ", 5);
    } else {
        st = crm__buf_append(b, " ON DUPLICATE KEY UPDATE ", 25);
    }
    size_t nset = 0;
    for (size_t i = 0; st == CRM_OK && i < ds->ncols; i++) {
        int is_key = 0;
        for (size_t k = 0; k < w->nkeys; k++)
            is_key |= w->keys[k] == i;
        if (is_key)
            continue;
        const char *sep = nset ? ", " : on_conflict ? "UPDATE SET " : "";
        st = crm__buf_append(b, sep, strlen(sep));
        if (st == CRM_OK)
            st = quote(w, b, ds->cols[i].name);
        if (st == CRM_OK)
            st = crm__buf_append(b, on_conflict ? " = excluded." : " = VALUES(",
                                 on_conflict ? 12 : 10);
        if (st == CRM_OK)
            st = quote(w, b, ds->cols[i].name);
        if (st == CRM_OK && !on_conflict)
            st = crm__buf_append(b, ")", 1);
        nset++;
    }
    if (st == CRM_OK && nset == 0) { /* every column is a key: nothing to update */
        if (on_conflict) {
            st = crm__buf_append(b, "NOTHING", 7);
        } else {
            st = quote(w, b, ds->cols[w->keys[0]].name);
            if (st == CRM_OK)
                st = crm__buf_append(b, " = ", 3);
            if (st == CRM_OK)
                st = quote(w, b, ds->cols[w->keys[0]].name);
        }
    }
    return st;
}

/* INSERT INTO t (c...) VALUES (?, ...), ... for nrows rows [+ upsert]. */
static crm_status insert_sql(writer *w, size_t nrows, crm__buf *b)
{
    const crm_dataset *ds = w->ds;
    int dollar = w->s.be->placeholder == CRM__SQL_PH_DOLLAR;
    crm_status st = crm__buf_printf(b, "INSERT INTO %s (", w->qtable.data);
    if (st == CRM_OK)
        st = append_columns(w, b, NULL, ds->ncols);
    if (st == CRM_OK)
        st = crm__buf_append(b, ") VALUES ", 9);
    size_t p = 0;
    for (size_t r = 0; st == CRM_OK && r < nrows; r++) {
        st = crm__buf_append(b, r ? ", (" : "(", r ? 3 : 1);
        for (size_t c = 0; st == CRM_OK && c < ds->ncols; c++) {
            if (c)
                st = crm__buf_append(b, ", ", 2);
            if (st == CRM_OK)
                st = dollar ? crm__buf_printf(b, "$%zu", ++p) : crm__buf_append(b, "?", 1);
        }
        if (st == CRM_OK)
            st = crm__buf_append(b, ")", 1);
    }
    if (st == CRM_OK && w->o->mode == CRM_SQL_UPSERT)
        st = append_upsert(w, b);
    return st;
}

/* The cells of rows [r0, r0 + n) as values, row after row. */
static void fill_values(const crm_dataset *ds, size_t r0, size_t n, crm__sql_value *v)
{
    for (size_t r = r0; r < r0 + n; r++) {
        for (size_t c = 0; c < ds->ncols; c++, v++) {
            const crm__column *col = &ds->cols[c];
            memset(v, 0, sizeof *v);
            if (col->type == CRM_TYPE_NUMBER) {
                v->num = col->v.num[r];
                v->kind = isnan(v->num) ? CRM__SQL_NULL : CRM__SQL_NUMBER;
            } else if (col->type == CRM_TYPE_TIME) {
                v->time = col->v.time[r];
                v->kind = v->time == CRM_TIME_MISSING ? CRM__SQL_NULL : CRM__SQL_TIME;
            } else if (col->v.code[r] >= 0) {
                v->kind = CRM__SQL_TEXT;
                v->text = crm__dict_str(col->dict, col->v.code[r]);
                v->len = strlen(v->text);
            }
        }
    }
}

/* Run the INSERTs: full batches through one prepared statement, the rest
 * through a second one. */
static crm_status insert_rows(writer *w)
{
    const crm__sql_backend *be = w->s.be;
    const crm_dataset *ds = w->ds;
    size_t nrows = ds->nrows, ncols = ds->ncols;
    size_t per = be->max_params(w->s.conn) / ncols;
    if (per == 0)
        return crm__error(CRM_E_INVALID, "%zu columns are more than one %s statement can bind",
                          ncols, be->name);
    if (per > (size_t)w->o->batch_rows)
        per = (size_t)w->o->batch_rows;
    crm__sql_value *vals = crm__malloc_array(per * ncols, sizeof *vals);
    crm__sql_stmt *stmt = NULL;
    size_t stmt_rows = 0;
    crm_status st = vals ? CRM_OK : crm__nomem();
    for (size_t r0 = 0; st == CRM_OK && r0 < nrows; r0 += per) {
        size_t n = nrows - r0 < per ? nrows - r0 : per;
        if (n != stmt_rows) {
            crm__buf b = {0};
            be->finalize(stmt);
            stmt = NULL;
            st = insert_sql(w, n, &b);
            if (st == CRM_OK)
                st = be->prepare(w->s.conn, b.data, n * ncols, &stmt);
            crm__buf_free(&b);
            stmt_rows = st == CRM_OK ? n : 0;
        }
        if (st == CRM_OK) {
            fill_values(ds, r0, n, vals);
            st = be->execute(stmt, vals, n * ncols);
            if (st != CRM_OK && st != CRM_E_NOMEM) {
                char where[96];
                snprintf(where, sizeof where, "table \"%.40s\", rows %zu..%zu", w->table, r0,
                         r0 + n - 1);
                crm__error_prefix(st, where);
            }
        }
        if (st == CRM_OK && w->o->progress &&
            w->o->progress((double)(r0 + n) / (double)nrows, w->o->user))
            st = crm__error(CRM_E_CANCELLED, "cancelled by the progress callback (rolled back)");
    }
    be->finalize(stmt);
    crm__free(vals);
    return st;
}

/* ---- the transaction ------------------------------------------------------------------- */

static crm_status write_in_tx(writer *w)
{
    const crm__sql_backend *be = w->s.be;
    int32_t exists = 0;
    crm_status st = be->table_exists(w->s.conn, w->schema, w->table, &exists);
    if (st == CRM_OK && exists && w->o->mode == CRM_SQL_CREATE)
        return crm__error(CRM_E_STATE,
                          "table \"%s\" already exists (mode CREATE never touches an existing "
                          "table: use REPLACE, APPEND or UPSERT)",
                          w->table);
    if (st == CRM_OK)
        st = exists ? check_table(w) : create_table(w);
    if (st == CRM_OK && exists && w->o->mode == CRM_SQL_REPLACE) {
        crm__buf b = {0};
        st = crm__buf_printf(&b, "DELETE FROM %s", w->qtable.data);
        if (st == CRM_OK)
            st = be->exec(w->s.conn, b.data);
        crm__buf_free(&b);
    }
    if (st == CRM_OK)
        st = insert_rows(w);
    return st;
}

static crm_status write_sql(writer *w, const char *uri)
{
    crm_status st = crm__sql_open(uri, w->o, 0, &w->s);
    if (st != CRM_OK)
        return st;
    const crm__sql_backend *be = w->s.be;
    if (w->schema) {
        st = quote(w, &w->qtable, w->schema);
        if (st == CRM_OK)
            st = crm__buf_append(&w->qtable, ".", 1);
    }
    if (st == CRM_OK)
        st = quote(w, &w->qtable, w->table);
    if (st == CRM_OK && (st = be->begin(w->s.conn)) == CRM_OK) {
        st = write_in_tx(w);
        if (st == CRM_OK)
            st = be->commit(w->s.conn);
        if (st != CRM_OK) {
            /* keep the first failure's message over whatever rollback says */
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", crm_last_error());
            be->rollback(w->s.conn);
            crm__error(st, "%s", msg);
        }
    }
    crm__sql_close(&w->s);
    return st;
}

crm_status crm_dataset_write_sql(const crm_dataset *ds, const char *uri, const char *table,
                                 const crm_sql_options *opts)
{
    static const char fn[] = "crm_dataset_write_sql";
    if (!ds || !uri || !table)
        return crm__error(CRM_E_INVALID, "%s: %s is NULL", fn,
                          !ds ? "ds" : !uri ? "uri" : "table");
    if (ds->ncols == 0)
        return crm__error(CRM_E_INVALID, "%s: the dataset has no columns", fn);
    crm_sql_options o;
    crm_status st = crm__sql_options_load(&o, opts, fn);
    if (st != CRM_OK)
        return st;
    writer w;
    memset(&w, 0, sizeof w);
    w.ds = ds;
    w.o = &o;
    crm__dataset_pin(ds);
    st = split_table(&w, table);
    if (st == CRM_OK)
        st = check_keys(&w);
    if (st == CRM_OK)
        st = check_types(&w);
    if (st == CRM_OK)
        st = check_unique_keys(&w);
    if (st == CRM_OK)
        st = write_sql(&w, uri);
    crm__dataset_unpin(ds);
    crm__free(w.schema);
    crm__free(w.table);
    crm__free(w.keys);
    crm__free(w.types);
    crm__buf_free(&w.qtable);
    if (st != CRM_OK && st != CRM_E_NOMEM)
        crm__error_prefix(st, fn);
    return st;
}
