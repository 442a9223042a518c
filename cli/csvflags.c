/* The CSV flags shared by every crm command (see csvflags.h). */
#include "csvflags.h"

#include "errors.h"
#include "lists.h"
#include "values.h"

#include "crm/sql.h"

#include <stdlib.h>
#include <string.h>

const char cli_csvflags_help[] =
    "  --delimiter C      field separator: one character or \"tab\"\n"
    "                     (default: detect , ; tab | when reading; ',' when writing)\n"
    "  --decimal-comma    numbers use ',' as the decimal separator\n"
    "  --type COL:TYPE    read column COL as number, text or time; repeatable\n"
    "  --na STR           also treat STR as a missing value; repeatable\n"
    "                     (the defaults NA, N/A, null, NULL, NaN and empty stay)\n"
    "  --date-format FMT  strptime-style format of date-time cells, e.g. \"%d/%m/%Y %H:%M\"\n"
    "  --lenient          pad short rows, drop extra fields, replace invalid UTF-8\n"
    "  --no-header        the first line is data; columns are named V1, V2, ...\n"
    "  --max-rows N       read at most N data rows\n"
    "  --max-bytes N      refuse a file whose text (after gzip decompression) is\n"
    "                     longer than N bytes; suffixes K, M, G multiply by 1024,\n"
    "                     1024^2, 1024^3 (default: no limit for plain files; gzip\n"
    "                     data may expand to 100 times its size, at least 64M)\n"
    "  --sql URI          read the input from a database instead of FILE:\n"
    "                     sqlite:PATH, postgresql://..., mysql://... (no password\n"
    "                     here: PGPASSWORD, ~/.pgpass, ~/.my.cnf; docs/databases.md)\n"
    "  --query SQL        the query --sql runs, e.g. \"SELECT * FROM orders\"\n"
    "  --param VALUE      a value for the next placeholder (? or $1) of --query,\n"
    "                     bound by the driver, never pasted into the SQL; repeatable\n"
    "  -o URI --table NAME  write the output into table NAME of a database\n"
    "  --mode M           create (default: the table must not exist), replace (its\n"
    "                     rows), append or upsert; one transaction either way\n"
    "  --key COL[,COL]    key columns of --mode upsert (and of a created table)\n";

int cli_csvflags_init(cli_csvflags *f, int argc)
{
    memset(f, 0, sizeof *f);
    if (crm_csv_options_init(&f->opts, sizeof f->opts) != CRM_OK) return cli_lib_error(NULL);
    size_t cap = argc > 0 ? (size_t)argc : 1;
    f->na = calloc(cap, sizeof *f->na);
    f->types = calloc(cap, sizeof *f->types);
    f->params = calloc(cap, sizeof *f->params);
    f->mode = CRM_SQL_CREATE;
    if (!f->na || !f->types || !f->params) {
        cli_csvflags_free(f);
        return cli_out_of_memory();
    }
    return 0;
}

void cli_csvflags_free(cli_csvflags *f)
{
    free(f->na);
    free(f->types);
    free(f->params);
    cli_free_list(f->keys, f->nkeys);
    f->na = NULL;
    f->types = NULL;
    f->params = NULL;
    f->keys = NULL;
    f->nkeys = 0;
}

int cli_is_sql_uri(const char *s)
{
    static const char *const prefixes[] = {"sqlite:", "sqlite3:", "postgresql://", "postgres://",
                                           "mysql://", "mariadb://"};
    for (size_t i = 0; s && i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0) return 1;
    return 0;
}

/* 1 when a connection string holds a password ("user:pw@" or "password="). */
int cli_uri_has_password(const char *uri)
{
    const char *auth = strstr(uri, "://");
    if (auth) {
        auth += 3;
        size_t n = strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < auth + n; p++)
            if (*p == '@') at = p;
        if (at && memchr(auth, ':', (size_t)(at - auth))) return 1;
    }
    return strstr(uri, "password=") != NULL;
}

int cli_csvflags_check(cli_csvflags *f, const cli_args *a, const char **file)
{
    if (!f->sql) {
        if (f->query || f->nparams) {
            cli_usage(a, "--query and --param need --sql URI");
            return -1;
        }
        return 0;
    }
    if (!f->query) {
        cli_usage(a, "--sql needs --query \"SELECT ...\"");
        return -1;
    }
    if (file && *file) {
        cli_usage(a, "give FILE or --sql URI, not both");
        return -1;
    }
    if (cli_uri_has_password(f->sql)) {
        cli_usage(a, "--sql: no password on the command line (other users can see it); use "
                     "PGPASSWORD or ~/.pgpass, ~/.my.cnf");
        return -1;
    }
    if (file) *file = f->sql;
    return 0;
}

crm_status cli_read_table(const char *path, const cli_csvflags *f, crm_dataset **out)
{
    if (!f->sql) return crm_dataset_read_csv(path, &f->opts, out);
    crm_sql_options so;
    crm_status st = crm_sql_options_init(&so, sizeof so);
    if (st != CRM_OK) return st;
    if (f->opts.max_rows > 0) so.max_rows = f->opts.max_rows;
    return crm_dataset_read_sql(f->sql, f->query, f->params, f->nparams, &so, out);
}

static const char *const sql_modes[] = {"create", "replace", "append", "upsert"};

/* The database flags (--sql, --query, --param, --table, --mode, --key). */
static int sqlflags_try(cli_csvflags *f, cli_args *a, const cli_opt *o)
{
    const char *v = NULL;
    const char **dest = cli_is(o, "sql", 0)     ? &f->sql
                        : cli_is(o, "query", 0) ? &f->query
                        : cli_is(o, "table", 0) ? &f->table
                                                : NULL;
    if (dest) {
        if (cli_value(a, o, &v)) return -1;
        if (!v[0]) {
            cli_usage(a, "--%.*s wants a value", (int)o->len, o->name);
            return -1;
        }
        *dest = v;
        return 1;
    }
    if (cli_is(o, "param", 0)) {
        if (cli_value(a, o, &v)) return -1;
        f->params[f->nparams++] = v;
        return 1;
    }
    if (cli_is(o, "mode", 0)) {
        if (cli_value(a, o, &v)) return -1;
        for (int32_t i = 0; i < 4; i++) {
            if (strcmp(v, sql_modes[i]) == 0) {
                f->mode = i;
                return 1;
            }
        }
        cli_usage(a, "--mode wants create, replace, append or upsert (got \"%s\")", v);
        return -1;
    }
    if (cli_is(o, "key", 0)) {
        if (cli_value(a, o, &v)) return -1;
        cli_free_list(f->keys, f->nkeys);
        f->keys = NULL;
        f->nkeys = 0;
        if (cli_split_list(v, &f->keys, &f->nkeys)) {
            cli_out_of_memory();
            return -1;
        }
        if (f->nkeys == 0) {
            cli_usage(a, "--key wants COL[,COL...]");
            return -1;
        }
        return 1;
    }
    return 0;
}

/* A positive byte count with an optional K, M or G suffix (powers of 1024). */
static int parse_bytes(const char *v, int64_t *out)
{
    size_t len = strlen(v);
    int shift = 0;
    char buf[32];
    if (len == 0 || len >= sizeof buf) return -1;
    switch (v[len - 1]) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: break;
    }
    memcpy(buf, v, len + 1);
    if (shift) buf[len - 1] = '\0';
    int64_t n = 0;
    if (buf[0] < '0' || buf[0] > '9' || cli_parse_int64(buf, &n) || n < 1) return -1;
    if (n > (INT64_MAX >> shift)) return -1;
    *out = n << shift;
    return 0;
}

static int valid_type_override(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s) return 0;
    const char *t = colon + 1;
    return strcmp(t, "number") == 0 || strcmp(t, "text") == 0 || strcmp(t, "time") == 0;
}

int cli_csvflags_try(cli_csvflags *f, cli_args *a, const cli_opt *o)
{
    const char *v = NULL;
    if (o->is_short) return 0;
    int sql = sqlflags_try(f, a, o);
    if (sql) return sql;
    if (cli_is(o, "delimiter", 0)) {
        if (cli_value(a, o, &v)) return -1;
        if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
            f->opts.delimiter = '\t';
        else if (strlen(v) == 1 && v[0] != '"' && v[0] != '\n' && v[0] != '\r')
            f->opts.delimiter = (unsigned char)v[0];
        else {
            cli_usage(a, "--delimiter wants one character or \"tab\" (got \"%s\")", v);
            return -1;
        }
        return 1;
    }
    if (cli_is(o, "decimal-comma", 0)) {
        if (cli_flag(a, o)) return -1;
        f->opts.decimal_comma = 1;
        return 1;
    }
    if (cli_is(o, "type", 0)) {
        if (cli_value(a, o, &v)) return -1;
        if (!valid_type_override(v)) {
            cli_usage(a, "--type wants COLUMN:number, COLUMN:text or COLUMN:time (got \"%s\")", v);
            return -1;
        }
        f->types[f->ntypes++] = v;
        f->opts.types = f->types;
        f->opts.n_types = (int64_t)f->ntypes;
        return 1;
    }
    if (cli_is(o, "na", 0)) {
        if (cli_value(a, o, &v)) return -1;
        f->na[f->nna++] = v;
        f->opts.na_values = f->na;
        f->opts.n_na_values = (int64_t)f->nna;
        f->opts.keep_default_na = 1;
        return 1;
    }
    if (cli_is(o, "date-format", 0)) {
        if (cli_value(a, o, &v)) return -1;
        if (!v[0]) {
            cli_usage(a, "--date-format wants a format such as \"%%Y-%%m-%%d %%H:%%M\"");
            return -1;
        }
        f->opts.date_format = v;
        return 1;
    }
    if (cli_is(o, "lenient", 0)) {
        if (cli_flag(a, o)) return -1;
        f->opts.strict = 0;
        return 1;
    }
    if (cli_is(o, "no-header", 0)) {
        if (cli_flag(a, o)) return -1;
        f->opts.header = 0;
        return 1;
    }
    if (cli_is(o, "max-rows", 0)) {
        int64_t n = 0;
        if (cli_value(a, o, &v)) return -1;
        if (cli_parse_int64(v, &n) || n < 1) {
            cli_usage(a, "--max-rows wants a positive whole number (got \"%s\")", v);
            return -1;
        }
        f->opts.max_rows = n;
        return 1;
    }
    if (cli_is(o, "max-bytes", 0)) {
        int64_t n = 0;
        if (cli_value(a, o, &v)) return -1;
        if (parse_bytes(v, &n)) {
            cli_usage(a, "--max-bytes wants a positive whole number of bytes, with an optional K, "
                         "M or G suffix (got \"%s\")",
                      v);
            return -1;
        }
        f->opts.max_bytes = n;
        return 1;
    }
    return 0;
}
