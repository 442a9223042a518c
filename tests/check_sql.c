/* crm/sql.h over SQLite (always available): the type mapping of the header,
 * NULLs, empty strings, Unicode, the UTC rule, parameters and injection
 * attempts, the server's messages, transactional writes (a failed or
 * cancelled write leaves the table as it was, asserted by reading it back),
 * the four write modes, a round trip of every cell, a 1,000,000-row read with
 * its peak memory, and a missing client library.
 * The fixtures are made with SQLite itself, opened at run time like libcrm
 * does (no link dependency). */
#include "test_util.h"

#include <dlfcn.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- fixtures through libsqlite3 --------------------------------------------- */

typedef struct sqlite3 sqlite3;
static struct {
    void *lib;
    int (*open)(const char *, sqlite3 **);
    int (*exec)(sqlite3 *, const char *, void *, void *, char **);
    int (*close)(sqlite3 *);
} sq;

static char dir[64];
static char dbpath[128];
static char uri[160];

static void load_sqlite(void)
{
    if (sq.lib)
        return;
    sq.lib = dlopen("libsqlite3.so.0", RTLD_NOW);
    ck_assert_msg(sq.lib != NULL, "libsqlite3.so.0 not found: install libsqlite3-0");
    void *f[3] = {dlsym(sq.lib, "sqlite3_open"), dlsym(sq.lib, "sqlite3_exec"),
                  dlsym(sq.lib, "sqlite3_close")};
    memcpy(&sq.open, &f[0], sizeof f[0]);
    memcpy(&sq.exec, &f[1], sizeof f[1]);
    memcpy(&sq.close, &f[2], sizeof f[2]);
    ck_assert(sq.open && sq.exec && sq.close);
}

/* Run SQL on the test database with SQLite itself. */
static void exec_sql(const char *sql)
{
    load_sqlite();
    sqlite3 *db = NULL;
    char *err = NULL;
    ck_assert_int_eq(sq.open(dbpath, &db), 0);
    int rc = sq.exec(db, sql, NULL, NULL, &err);
    ck_assert_msg(rc == 0, "sqlite3_exec(%s): %s", sql, err ? err : "?");
    sq.close(db);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/crm_check_sql_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(dbpath, sizeof dbpath, "%s/shop.db", dir);
    snprintf(uri, sizeof uri, "sqlite:%s", dbpath);
}

static void teardown(void)
{
    char p[200];
    const char *files[] = {"shop.db", "shop.db-journal", "shop.db-wal", "shop.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static crm_dataset *query(const char *sql)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_sql(uri, sql, NULL, 0, NULL, &ds));
    return ds;
}

static size_t count_rows(const char *table)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) AS n FROM \"%s\"", table);
    crm_dataset *ds = query(sql);
    double n = -1;
    ck_assert_ok(crm_dataset_get_number(ds, 0, 0, 1, &n));
    crm_dataset_free(ds);
    return (size_t)n;
}

static int32_t col_type(const crm_dataset *ds, const char *name)
{
    size_t i = 0;
    int32_t t = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &i));
    ck_assert_ok(crm_dataset_column_type(ds, i, &t));
    return t;
}

static double num(const crm_dataset *ds, const char *name, size_t row)
{
    size_t i = 0;
    double v = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &i));
    ck_assert_ok(crm_dataset_get_number(ds, i, row, 1, &v));
    return v;
}

static int64_t tim(const crm_dataset *ds, const char *name, size_t row)
{
    size_t i = 0;
    int64_t v = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &i));
    ck_assert_ok(crm_dataset_get_time(ds, i, row, 1, &v));
    return v;
}

static const char *txt(const crm_dataset *ds, const char *name, size_t row)
{
    size_t i = 0;
    const char *s = NULL;
    ck_assert_ok(crm_dataset_column_index(ds, name, &i));
    ck_assert_ok(crm_dataset_get_text(ds, i, row, &s));
    return s;
}

/* Every cell of a and b equal (numbers bit for bit, NaN = NaN). */
static void assert_same(const crm_dataset *a, const crm_dataset *b)
{
    ck_assert_uint_eq(crm_dataset_ncols(a), crm_dataset_ncols(b));
    ck_assert_uint_eq(crm_dataset_nrows(a), crm_dataset_nrows(b));
    for (size_t c = 0; c < crm_dataset_ncols(a); c++) {
        const char *na = NULL, *nb = NULL;
        int32_t ta = 0, tb = 0;
        ck_assert_ok(crm_dataset_column_name(a, c, &na));
        ck_assert_ok(crm_dataset_column_name(b, c, &nb));
        ck_assert_str_eq(na, nb);
        ck_assert_ok(crm_dataset_column_type(a, c, &ta));
        ck_assert_ok(crm_dataset_column_type(b, c, &tb));
        ck_assert_msg(ta == tb, "column %s: type %d vs %d", na, ta, tb);
        for (size_t r = 0; r < crm_dataset_nrows(a); r++) {
            if (ta == CRM_TYPE_NUMBER) {
                double x = num(a, na, r), y = num(b, na, r);
                ck_assert_msg((isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0,
                              "column %s row %zu: %.17g vs %.17g", na, r, x, y);
            } else if (ta == CRM_TYPE_TIME) {
                ck_assert_msg(tim(a, na, r) == tim(b, na, r), "column %s row %zu", na, r);
            } else {
                const char *x = txt(a, na, r), *y = txt(b, na, r);
                ck_assert_msg((!x && !y) || (x && y && strcmp(x, y) == 0),
                              "column %s row %zu: \"%s\" vs \"%s\"", na, r, x ? x : "(null)",
                              y ? y : "(null)");
            }
        }
    }
}

/* A table "o" of orders: id INTEGER PRIMARY KEY, customer TEXT, amount REAL. */
static void make_orders(void)
{
    exec_sql("CREATE TABLE o (id INTEGER PRIMARY KEY, customer TEXT, amount REAL);"
             "INSERT INTO o VALUES (1, 'ann', 10.5), (2, 'bob', 20), (3, 'ann', NULL);");
}

static crm_dataset *small_dataset(const double *id, const char *const *who, size_t n)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", id, n));
    ck_assert_ok(crm_dataset_add_text(ds, "customer", who, n));
    return ds;
}

/* ---- reading: the type mapping ------------------------------------------------- */

START_TEST(test_type_mapping)
{
    exec_sql("CREATE TABLE t (i INTEGER, bi BIGINT, r REAL, d2 DOUBLE PRECISION, f FLOAT,"
             " n NUMERIC, dec DECIMAL(10,2), b BOOLEAN, tx TEXT, vc VARCHAR(20), ch CHAR(3),"
             " cl CLOB, da DATE, dt DATETIME, ts TIMESTAMP, tz TIMESTAMPTZ, bl BLOB, nt,"
             " odd STRING);"
             "INSERT INTO t VALUES (1, 9007199254740992, 0.25, -1e22, 3.5, 12.5, 7.25, 1,"
             " 'x', 'vc', 'abc', 'clob', '2024-02-29', '2024-02-29 23:59:59',"
             " '2024-02-29T01:02:03.999', '2024-02-29 10:00:00+02:00', 5, 'free', 'str');"
             "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
             " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);");
    crm_dataset *ds = query("SELECT * FROM t");
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    const char *nums[] = {"i", "bi", "r", "d2", "f", "n", "dec", "b", "bl"};
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        ck_assert_msg(col_type(ds, nums[k]) == CRM_TYPE_NUMBER, "%s", nums[k]);
        ck_assert(isnan(num(ds, nums[k], 1)));
    }
    const char *texts[] = {"tx", "vc", "ch", "cl", "nt", "odd"};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        ck_assert_msg(col_type(ds, texts[k]) == CRM_TYPE_TEXT, "%s", texts[k]);
        ck_assert_ptr_null(txt(ds, texts[k], 1));
    }
    const char *times[] = {"da", "dt", "ts", "tz"};
    for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
        ck_assert_msg(col_type(ds, times[k]) == CRM_TYPE_TIME, "%s", times[k]);
        ck_assert(tim(ds, times[k], 1) == CRM_TIME_MISSING);
    }
    ck_assert(num(ds, "i", 0) == 1);
    ck_assert(num(ds, "bi", 0) == 9007199254740992.0);
    ck_assert(num(ds, "r", 0) == 0.25);
    ck_assert(num(ds, "d2", 0) == -1e22);
    ck_assert(num(ds, "dec", 0) == 7.25);
    ck_assert(num(ds, "b", 0) == 1);
    ck_assert(num(ds, "bl", 0) == 5); /* a BLOB column holding a number: by value */
    ck_assert_str_eq(txt(ds, "ch", 0), "abc");
    ck_assert_str_eq(txt(ds, "odd", 0), "str");
    const int64_t day = 1709164800; /* 2024-02-29 00:00:00 UTC */
    ck_assert_int_eq(tim(ds, "da", 0), day);
    ck_assert_int_eq(tim(ds, "dt", 0), day + 86399);
    ck_assert_int_eq(tim(ds, "ts", 0), day + 3723); /* fraction dropped */
    ck_assert_int_eq(tim(ds, "tz", 0), day + 8 * 3600); /* +02:00 -> UTC */
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_expressions_by_value)
{
    exec_sql("CREATE TABLE e (x);");
    crm_dataset *ds = query("SELECT 1 + 1 AS two, 'a' || 'b' AS ab, NULL AS nil,"
                            " 2.5 AS half, CAST(5 AS TEXT) AS five");
    ck_assert_int_eq(col_type(ds, "two"), CRM_TYPE_NUMBER);
    ck_assert_int_eq(col_type(ds, "ab"), CRM_TYPE_TEXT);
    ck_assert_int_eq(col_type(ds, "nil"), CRM_TYPE_NUMBER);
    ck_assert_int_eq(col_type(ds, "five"), CRM_TYPE_TEXT);
    ck_assert(num(ds, "two", 0) == 2 && num(ds, "half", 0) == 2.5);
    ck_assert(isnan(num(ds, "nil", 0)));
    ck_assert_str_eq(txt(ds, "ab", 0), "ab");
    crm_dataset_free(ds);
    /* leading NULLs, then the first value decides; numbers in a text column become text */
    ds = query("SELECT column1 AS v FROM (VALUES (NULL), (NULL), ('x'), (42), (0.5))");
    ck_assert_int_eq(col_type(ds, "v"), CRM_TYPE_TEXT);
    ck_assert_ptr_null(txt(ds, "v", 1));
    ck_assert_str_eq(txt(ds, "v", 2), "x");
    ck_assert_str_eq(txt(ds, "v", 3), "42");
    ck_assert_str_eq(txt(ds, "v", 4), "0.5");
    crm_dataset_free(ds);
    /* an empty table: its columns, 0 rows, types from the declared types */
    ds = query("SELECT x, 1 AS one FROM e");
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_nulls_empty_unicode_zones)
{
    exec_sql("CREATE TABLE u (s TEXT, t DATETIME);"
             "INSERT INTO u VALUES ('', '2024-01-01'), (NULL, '2024-01-01 00:00:00Z'),"
             " ('Zoë 東京 🛒 e\xcc\x81', '2023-12-31 19:00:00-05:00'),"
             " ('tab\there \"q\" ''a''', '2024-01-01T05:30:00+05:30'),"
             " ('x', 1704067200), ('y', '2024-01-01 00:00');");
    crm_dataset *ds = query("SELECT * FROM u");
    ck_assert_str_eq(txt(ds, "s", 0), ""); /* empty stays empty, not missing */
    ck_assert_ptr_null(txt(ds, "s", 1));
    ck_assert_str_eq(txt(ds, "s", 2), "Zoë 東京 🛒 e\xcc\x81");
    ck_assert_str_eq(txt(ds, "s", 3), "tab\there \"q\" 'a'");
    for (size_t r = 0; r < 6; r++) /* the same instant, written six ways */
        ck_assert_msg(tim(ds, "t", r) == 1704067200, "row %zu: %lld", r,
                      (long long)tim(ds, "t", r));
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_values_that_cannot_be_read)
{
    exec_sql("CREATE TABLE bad (i INTEGER, d DATE, b BLOB, z);"
             "INSERT INTO bad VALUES (9007199254740993, '2024-01-01', NULL, 1);"
             "INSERT INTO bad VALUES (1, 'soon', x'00ff', 'text');");
    crm_dataset *ds = (crm_dataset *)&ds;
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT i FROM bad", NULL, 0, NULL, &ds),
                    CRM_E_TYPE);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "column \"i\", row 0"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "9007199254740993"));
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT d FROM bad", NULL, 0, NULL, &ds),
                    CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "column \"d\", row 1: \"soon\""));
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT b FROM bad", NULL, 0, NULL, &ds),
                    CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "BLOB"));
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT z FROM bad", NULL, 0, NULL, &ds),
                    CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"text\" is not a number"));
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT 1 AS a, 2 AS a", NULL, 0, NULL, &ds),
                    CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "two columns named \"a\""));
    ck_assert_ptr_null(ds);
    /* an exact integer beyond 2^53 is fine */
    ds = query("SELECT 1152921504606846976 AS big");
    ck_assert(num(ds, "big", 0) == 1152921504606846976.0);
    crm_dataset_free(ds);
}
END_TEST

/* ---- reading: parameters, errors ------------------------------------------------------ */

START_TEST(test_params_and_injection)
{
    make_orders();
    crm_dataset *ds = NULL;
    const char *who[] = {"ann"};
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT id FROM o WHERE customer = ? ORDER BY id",
                                      who, 1, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    crm_dataset_free(ds);
    /* a canonical integer binds as INTEGER (LIMIT needs one), a decimal as text */
    const char *lim[] = {"2", "15.5"};
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT id FROM o WHERE amount > ?2 OR amount IS NULL"
                                           " ORDER BY id LIMIT ?1",
                                      lim, 2, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    ck_assert(num(ds, "id", 0) == 2 && num(ds, "id", 1) == 3);
    crm_dataset_free(ds);
    const char *null_param[] = {NULL};
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT id FROM o WHERE amount IS ?", null_param, 1,
                                      NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 1);
    crm_dataset_free(ds);
    /* injection attempts through parameters are values, nothing else */
    const char *evil[] = {"ann' OR '1'='1", "1; DROP TABLE o; --", "ann\"; DROP TABLE o; --"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_ok(crm_dataset_read_sql(uri, "SELECT * FROM o WHERE customer = ?", &evil[i], 1,
                                          NULL, &ds));
        ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
        crm_dataset_free(ds);
    }
    ck_assert_uint_eq(count_rows("o"), 3);
    /* a second statement is refused; a read never writes */
    ds = (crm_dataset *)&ds;
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT 1; DROP TABLE o", NULL, 0, NULL, &ds),
                    CRM_E_INVALID);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "more than one statement"));
    ck_assert_error(crm_dataset_read_sql(uri, "DELETE FROM o RETURNING id", NULL, 0, NULL, &ds),
                    CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "readonly"));
    ck_assert_uint_eq(count_rows("o"), 3);
    ds = query("SELECT 1 AS one; -- a comment may follow\n");
    crm_dataset_free(ds);
    /* wrong parameter count, invalid UTF-8 */
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT * FROM o WHERE id = ?", NULL, 0, NULL, &ds),
                    CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "1 placeholder(s) but 0 parameter(s)"));
    const char *bad_utf8[] = {"\xff"};
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT ?", bad_utf8, 1, NULL, &ds), CRM_E_INVALID);
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT ?", NULL, 1, NULL, &ds), CRM_E_INVALID);
}
END_TEST

START_TEST(test_server_messages)
{
    make_orders();
    crm_dataset *ds = (crm_dataset *)&ds;
    ck_assert_error(crm_dataset_read_sql(uri, "SELEC id FROM o", NULL, 0, NULL, &ds),
                    CRM_E_PARSE);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "sqlite: near \"SELEC\": syntax error"));
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT * FROM nope", NULL, 0, NULL, &ds),
                    CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "no such table: nope"));
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT nope FROM o", NULL, 0, NULL, &ds),
                    CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "no such column: nope"));
    ck_assert_error(crm_dataset_read_sql(uri, "CREATE TABLE z (a)", NULL, 0, NULL, &ds),
                    CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "no columns"));
    /* a database that does not exist is not created by a read */
    char missing[200];
    snprintf(missing, sizeof missing, "sqlite:%s/none.db", dir);
    ck_assert_error(crm_dataset_read_sql(missing, "SELECT 1", NULL, 0, NULL, &ds), CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "none.db"));
    ck_assert_int_ne(access(missing + 7, F_OK), 0);
}
END_TEST

START_TEST(test_uris_and_options)
{
    make_orders();
    crm_dataset *ds = NULL;
    char u[256];
    snprintf(u, sizeof u, "sqlite://%s", dbpath); /* sqlite:///abs/path */
    ck_assert_ok(crm_dataset_read_sql(u, "SELECT * FROM o", NULL, 0, NULL, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 3);
    crm_dataset_free(ds);
    snprintf(u, sizeof u, "sqlite:%s?mode=ro&busy_timeout=100", dbpath);
    ck_assert_ok(crm_dataset_read_sql(u, "SELECT * FROM o", NULL, 0, NULL, &ds));
    /* mode=ro refuses writes with SQLite's message */
    ck_assert_error(crm_dataset_write_sql(ds, u, "o_copy", NULL), CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "readonly"));
    crm_dataset_free(ds);
    ds = (crm_dataset *)&ds;
    const char *bad[] = {"sqlite:", "sqlite:x.db?mode=rx", "sqlite:x.db?cache=shared",
                         "sqlite:x.db?busy_timeout=-1", "oracle://x", "no scheme here",
                         "sqlite:bad%zzescape", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_error(crm_dataset_read_sql(bad[i], "SELECT 1", NULL, 0, NULL, &ds),
                        CRM_E_INVALID);
        ck_assert_ptr_null(ds);
    }
    /* options: size rule, ranges */
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    ck_assert_int_eq(o.mode, CRM_SQL_CREATE);
    ck_assert_int_eq(o.batch_rows, 10000);
    o.batch_rows = 0;
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT 1", NULL, 0, &o, &ds), CRM_E_INVALID);
    o.batch_rows = 2;
    o.max_rows = 2;
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT * FROM o", NULL, 0, &o, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
    crm_dataset_free(ds);
    struct {
        crm_sql_options o;
        char tail[16];
    } big;
    memset(&big, 0, sizeof big);
    ck_assert_ok(crm_sql_options_init(&big.o, sizeof big));
    big.tail[3] = 1;
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT 1", NULL, 0, &big.o, &ds), CRM_E_FORMAT);
    ck_assert_error(crm_sql_options_init(&o, 4), CRM_E_INVALID);
    ck_assert_error(crm_dataset_read_sql(NULL, "SELECT 1", NULL, 0, NULL, &ds), CRM_E_INVALID);
    ck_assert_error(crm_dataset_read_sql(uri, NULL, NULL, 0, NULL, &ds), CRM_E_INVALID);
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT 1", NULL, 0, NULL, NULL), CRM_E_INVALID);
    /* schema-qualified names */
    const double id[] = {7};
    const char *who[] = {"eve"};
    crm_dataset *w = small_dataset(id, who, 1);
    ck_assert_ok(crm_dataset_write_sql(w, uri, "main.qualified", NULL));
    ck_assert_uint_eq(count_rows("qualified"), 1);
    ck_assert_error(crm_dataset_write_sql(w, uri, "main.", NULL), CRM_E_INVALID);
    crm_dataset_free(w);
}
END_TEST

START_TEST(test_missing_library)
{
    make_orders();
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    o.client_library = "libsqlite3-not-installed.so.0";
    crm_dataset *ds = (crm_dataset *)&ds;
    ck_assert_error(crm_dataset_read_sql(uri, "SELECT * FROM o", NULL, 0, &o, &ds),
                    CRM_E_UNSUPPORTED);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(
        strstr(crm_last_error(), "libsqlite3-not-installed.so.0 not found: install libsqlite3-0"));
    const double id[] = {1};
    const char *who[] = {"x"};
    ds = small_dataset(id, who, 1);
    ck_assert_error(crm_dataset_write_sql(ds, uri, "z", &o), CRM_E_UNSUPPORTED);
    ck_assert_str_eq(crm_status_str(CRM_E_UNSUPPORTED), "CRM_E_UNSUPPORTED");
    crm_dataset_free(ds);
}
END_TEST

/* ---- writing -------------------------------------------------------------------------- */

/* number, text and time columns with every kind of cell */
static crm_dataset *every_cell(void)
{
    const double n[] = {0.1,    1e300, -5e-324, 9007199254740993.0, 1e17, -2.5, NAN,
                        INFINITY, -INFINITY, 42};
    const char *t[] = {"", NULL, "Zoë", "東京 🛒", "a\"b", "it's", "tab\there", "x;DROP TABLE o",
                       "e\xcc\x81", "line\nbreak"};
    const int64_t d[] = {0, -86400 * 365LL, 1709164800, CRM_TIME_MISSING, 253402300799LL,
                         -62167219200LL, 1, 86399, 1704067200, 951782400};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "num", n, 10));
    ck_assert_ok(crm_dataset_add_text(ds, "text", t, 10));
    ck_assert_ok(crm_dataset_add_time(ds, "when", d, 10));
    ck_assert_ok(crm_dataset_add_number(ds, "Mixed Case \"quoted\" name", n, 10));
    return ds;
}

START_TEST(test_round_trip)
{
    crm_dataset *ds = every_cell(), *back = NULL;
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "cells", NULL));
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT * FROM cells", NULL, 0, NULL, &back));
    assert_same(ds, back);
    crm_dataset_free(back);
    /* batches of 3 rows: 3 + 3 + 3 + 1, through two prepared statements */
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    o.batch_rows = 3;
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "cells3", &o));
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT * FROM cells3", NULL, 0, &o, &back));
    assert_same(ds, back);
    crm_dataset_free(back);
    /* the created table's types */
    back = query("SELECT name, type FROM pragma_table_info('cells') ORDER BY cid");
    ck_assert_str_eq(txt(back, "type", 0), "NUMERIC");
    ck_assert_str_eq(txt(back, "type", 1), "TEXT");
    ck_assert_str_eq(txt(back, "type", 2), "TIMESTAMP");
    crm_dataset_free(back);
    back = query("SELECT \"when\" AS w FROM cells LIMIT 1 OFFSET 2");
    ck_assert_int_eq(col_type(back, "w"), CRM_TYPE_TIME);
    crm_dataset_free(back);
    /* an empty dataset creates an empty table */
    crm_dataset *none = NULL;
    ck_assert_ok(crm_dataset_head(ds, 0, &none));
    ck_assert_ok(crm_dataset_write_sql(none, uri, "empty", NULL));
    ck_assert_uint_eq(count_rows("empty"), 0);
    crm_dataset_free(none);
    /* column type overrides */
    const char *types[] = {"text:VARCHAR(64)", "num:DOUBLE PRECISION"};
    o.column_types = types;
    o.n_column_types = 2;
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "typed", &o));
    back = query("SELECT type FROM pragma_table_info('typed') ORDER BY cid");
    ck_assert_str_eq(txt(back, "type", 0), "DOUBLE PRECISION");
    ck_assert_str_eq(txt(back, "type", 1), "VARCHAR(64)");
    crm_dataset_free(back);
    const char *evil_type[] = {"text:TEXT); DROP TABLE cells; --"};
    o.column_types = evil_type;
    o.n_column_types = 1;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "typed2", &o), CRM_E_INVALID);
    const char *no_col[] = {"nope:TEXT"};
    o.column_types = no_col;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "typed2", &o), CRM_E_NOTFOUND);
    ck_assert_uint_eq(count_rows("cells"), 10);
    crm_dataset_free(ds);
}
END_TEST

/* Read table `name` whole, ordered by its first column. */
static crm_dataset *table(const char *name)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1", name);
    return query(sql);
}

START_TEST(test_modes)
{
    make_orders();
    crm_dataset *before = table("o");
    const double id[] = {2, 4};
    const char *who[] = {"bea", "dan"};
    crm_dataset *ds = small_dataset(id, who, 2);
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    /* create never touches an existing table */
    ck_assert_error(crm_dataset_write_sql(ds, uri, "o", &o), CRM_E_STATE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "table \"o\" already exists"));
    crm_dataset *after = table("o");
    assert_same(before, after);
    crm_dataset_free(after);
    /* upsert: id 2 updated (amount, not written, kept), id 4 inserted */
    const char *keys[] = {"id"};
    o.mode = CRM_SQL_UPSERT;
    o.key_columns = keys;
    o.n_key_columns = 1;
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "o", &o));
    after = table("o");
    ck_assert_uint_eq(crm_dataset_nrows(after), 4);
    ck_assert_str_eq(txt(after, "customer", 1), "bea");
    ck_assert(num(after, "amount", 1) == 20);
    ck_assert_str_eq(txt(after, "customer", 3), "dan");
    ck_assert(isnan(num(after, "amount", 3)));
    crm_dataset_free(after);
    /* append: duplicate key -> error, table unchanged */
    crm_dataset *mid = table("o");
    o.mode = CRM_SQL_APPEND;
    o.key_columns = NULL;
    o.n_key_columns = 0;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "o", &o), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "UNIQUE constraint failed: o.id"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "table \"o\", rows 0..1"));
    after = table("o");
    assert_same(mid, after);
    crm_dataset_free(after);
    /* append of new keys */
    const double id2[] = {10, 11};
    crm_dataset *more = small_dataset(id2, who, 2);
    ck_assert_ok(crm_dataset_write_sql(more, uri, "o", &o));
    ck_assert_uint_eq(count_rows("o"), 6);
    /* replace: the rows go, the definition (primary key, other columns) stays */
    o.mode = CRM_SQL_REPLACE;
    ck_assert_ok(crm_dataset_write_sql(more, uri, "o", &o));
    after = table("o");
    ck_assert_uint_eq(crm_dataset_nrows(after), 2);
    ck_assert_uint_eq(crm_dataset_ncols(after), 3);
    crm_dataset_free(after);
    crm_sql_options zero;
    memset(&zero, 0, sizeof zero); /* size 0: never initialised */
    ck_assert_error(crm_dataset_write_sql(ds, uri, "o", &zero), CRM_E_INVALID);
    /* append, replace and upsert create an absent table */
    o.mode = CRM_SQL_APPEND;
    ck_assert_ok(crm_dataset_write_sql(more, uri, "fresh_append", &o));
    o.mode = CRM_SQL_REPLACE;
    ck_assert_ok(crm_dataset_write_sql(more, uri, "fresh_replace", &o));
    o.mode = CRM_SQL_UPSERT;
    o.key_columns = keys;
    o.n_key_columns = 1;
    ck_assert_ok(crm_dataset_write_sql(more, uri, "fresh_upsert", &o));
    ck_assert_ok(crm_dataset_write_sql(more, uri, "fresh_upsert", &o)); /* again: updates */
    ck_assert_uint_eq(count_rows("fresh_upsert"), 2);
    crm_dataset_free(more);
    crm_dataset_free(mid);
    crm_dataset_free(before);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_upsert_rules)
{
    exec_sql("CREATE TABLE s (shop TEXT, customer TEXT, score REAL, PRIMARY KEY (shop, customer));"
             "INSERT INTO s VALUES ('a', 'x', 1), ('a', 'y', 2), ('b', 'x', 3);"
             "CREATE TABLE nokey (customer TEXT, score REAL);");
    const char *shop[] = {"a", "b", "b"}, *cust[] = {"y", "x", "z"};
    const double score[] = {20, 30, 40};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "shop", shop, 3));
    ck_assert_ok(crm_dataset_add_text(ds, "customer", cust, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "score", score, 3));
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    o.mode = CRM_SQL_UPSERT;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "s", &o), CRM_E_INVALID); /* no keys */
    const char *keys[] = {"shop", "customer"};
    o.key_columns = keys;
    o.n_key_columns = 2;
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "s", &o));
    crm_dataset *t = query("SELECT shop || customer AS k, score FROM s ORDER BY k");
    ck_assert_uint_eq(crm_dataset_nrows(t), 4);
    const char *k[] = {"ax", "ay", "bx", "bz"};
    const double want[] = {1, 20, 30, 40};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(txt(t, "k", i), k[i]);
        ck_assert(num(t, "score", i) == want[i]);
    }
    crm_dataset_free(t);
    /* keys must be unique in the dataset and present */
    const char *dup_shop[] = {"a", "a", "b"}, *dup_cust[] = {"q", "q", "r"};
    crm_dataset *dup = NULL;
    ck_assert_ok(crm_dataset_new(&dup));
    ck_assert_ok(crm_dataset_add_text(dup, "shop", dup_shop, 3));
    ck_assert_ok(crm_dataset_add_text(dup, "customer", dup_cust, 3));
    ck_assert_error(crm_dataset_write_sql(dup, uri, "s", &o), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "repeat the key"));
    const char *miss_cust[] = {"q", NULL, "r"};
    crm_dataset *miss = NULL;
    ck_assert_ok(crm_dataset_new(&miss));
    ck_assert_ok(crm_dataset_add_text(miss, "shop", dup_shop, 3));
    ck_assert_ok(crm_dataset_add_text(miss, "customer", miss_cust, 3));
    ck_assert_error(crm_dataset_write_sql(miss, uri, "s", &o), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "missing in row 1"));
    const char *unknown[] = {"shop", "nope"};
    o.key_columns = unknown;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "s", &o), CRM_E_NOTFOUND);
    const char *twice[] = {"shop", "shop"};
    o.key_columns = twice;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "s", &o), CRM_E_INVALID);
    /* a key without a unique constraint: SQLite's message */
    const char *ck[] = {"customer"};
    o.key_columns = ck;
    o.n_key_columns = 1;
    crm_dataset *sel = NULL;
    const char *cols[] = {"customer", "score"};
    ck_assert_ok(crm_dataset_select(ds, cols, 2, &sel));
    ck_assert_error(crm_dataset_write_sql(sel, uri, "nokey", &o), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "ON CONFLICT clause does not match"));
    ck_assert_uint_eq(count_rows("nokey"), 0);
    /* every column a key: existing rows are left alone */
    o.key_columns = keys;
    o.n_key_columns = 2;
    crm_dataset *keys_only = NULL;
    ck_assert_ok(crm_dataset_select(ds, keys, 2, &keys_only));
    ck_assert_ok(crm_dataset_write_sql(keys_only, uri, "s", &o));
    ck_assert_uint_eq(count_rows("s"), 4);
    crm_dataset_free(keys_only);
    crm_dataset_free(sel);
    crm_dataset_free(miss);
    crm_dataset_free(dup);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_failed_writes_leave_table)
{
    make_orders();
    exec_sql("CREATE TABLE strict_t (id INTEGER, n INTEGER) STRICT;"
             "INSERT INTO strict_t VALUES (1, 1);");
    crm_dataset *before = table("o"), *after = NULL;
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    o.mode = CRM_SQL_REPLACE;
    /* a time SQLite's text form cannot hold: refused, the created table is gone too */
    const int64_t far[] = {0, 253402300800LL};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_time(ds, "t", far, 2));
    ck_assert_error(crm_dataset_write_sql(ds, uri, "far", NULL), CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "cannot be written"));
    crm_dataset *exists = query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'far'");
    ck_assert(num(exists, "n", 0) == 0);
    crm_dataset_free(exists);
    crm_dataset_free(ds);
    /* a text column into an INTEGER column: refused before any row changes */
    const char *who[] = {"1", "2"};
    const double id[] = {1, 2};
    ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "id", who, 2));
    ck_assert_error(crm_dataset_write_sql(ds, uri, "o", &o), CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "column \"id\" is text in the dataset but "
                                                   "INTEGER (number) in table \"o\""));
    crm_dataset_free(ds);
    /* a column the table lacks */
    ds = small_dataset(id, who, 2);
    ck_assert_ok(crm_dataset_add_number(ds, "extra", id, 2));
    ck_assert_error(crm_dataset_write_sql(ds, uri, "o", &o), CRM_E_NOTFOUND);
    crm_dataset_free(ds);
    /* STRICT: 2.5 into an INTEGER column is SQLite's type error, in the second batch */
    const double ids[] = {5, 6, 7}, n[] = {1, 2, 2.5};
    ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "id", ids, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "n", n, 3));
    o.batch_rows = 2;
    crm_dataset *strict_before = table("strict_t");
    ck_assert_error(crm_dataset_write_sql(ds, uri, "strict_t", &o), CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "cannot store REAL value in INTEGER column"));
    after = table("strict_t");
    assert_same(strict_before, after);
    crm_dataset_free(after);
    crm_dataset_free(strict_before);
    crm_dataset_free(ds);
    after = table("o");
    assert_same(before, after);
    crm_dataset_free(after);
    crm_dataset_free(before);
}
END_TEST

static int cancel_at_second(double fraction, void *user)
{
    int *calls = user;
    (*calls)++;
    ck_assert(fraction > 0 && fraction <= 1);
    return *calls >= 2;
}

START_TEST(test_cancel_mid_write)
{
    make_orders();
    crm_dataset *before = table("o");
    double id[100];
    const char *who[100];
    for (int i = 0; i < 100; i++) {
        id[i] = 100 + i;
        who[i] = i % 2 ? "odd" : "even";
    }
    crm_dataset *ds = small_dataset(id, who, 100);
    int calls = 0;
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    o.batch_rows = 10;
    o.progress = cancel_at_second;
    o.user = &calls;
    const crm_sql_mode modes[] = {CRM_SQL_REPLACE, CRM_SQL_APPEND};
    for (size_t m = 0; m < 2; m++) {
        calls = 0;
        o.mode = modes[m];
        ck_assert_error(crm_dataset_write_sql(ds, uri, "o", &o), CRM_E_CANCELLED);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), "rolled back"));
        ck_assert_int_eq(calls, 2);
        crm_dataset *after = table("o");
        assert_same(before, after);
        crm_dataset_free(after);
    }
    /* create mode: no table is left behind */
    calls = 0;
    o.mode = CRM_SQL_CREATE;
    ck_assert_error(crm_dataset_write_sql(ds, uri, "new_t", &o), CRM_E_CANCELLED);
    crm_dataset *exists = query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'new_t'");
    ck_assert(num(exists, "n", 0) == 0);
    crm_dataset_free(exists);
    crm_dataset_free(ds);
    crm_dataset_free(before);
}
END_TEST

START_TEST(test_identifier_injection)
{
    make_orders();
    const double id[] = {1};
    const char *who[] = {"x"};
    crm_dataset *ds = small_dataset(id, who, 1);
    const char *evil = "o\"; DROP TABLE o; --";
    ck_assert_ok(crm_dataset_write_sql(ds, uri, evil, NULL));
    ck_assert_uint_eq(count_rows("o"), 3); /* still there */
    crm_dataset *back = NULL;
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT * FROM \"o\"\"; DROP TABLE o; --\"", NULL, 0,
                                      NULL, &back));
    assert_same(ds, back);
    crm_dataset_free(back);
    ck_assert_ok(crm_dataset_rename_column(ds, "customer", "c\"); DROP TABLE o; --"));
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "evil_cols", NULL));
    ck_assert_uint_eq(count_rows("o"), 3);
    ck_assert_error(crm_dataset_write_sql(ds, uri, "bad\nname", NULL), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "control character"));
    ck_assert_error(crm_dataset_write_sql(ds, uri, "", NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_write_sql(NULL, uri, "t", NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_write_sql(ds, NULL, "t", NULL), CRM_E_INVALID);
    ck_assert_error(crm_dataset_write_sql(ds, uri, NULL, NULL), CRM_E_INVALID);
    crm_dataset *empty = NULL;
    ck_assert_ok(crm_dataset_new(&empty));
    ck_assert_error(crm_dataset_write_sql(empty, uri, "t", NULL), CRM_E_INVALID);
    crm_dataset_free(empty);
    ck_assert_uint_eq(count_rows("o"), 3);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_locked_database)
{
    make_orders();
    load_sqlite();
    sqlite3 *db = NULL;
    ck_assert_int_eq(sq.open(dbpath, &db), 0);
    ck_assert_int_eq(sq.exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), 0);
    const double id[] = {9};
    const char *who[] = {"x"};
    crm_dataset *ds = small_dataset(id, who, 1);
    char u[200];
    snprintf(u, sizeof u, "%s?busy_timeout=50", uri);
    crm_sql_options o;
    ck_assert_ok(crm_sql_options_init(&o, sizeof o));
    o.mode = CRM_SQL_APPEND;
    ck_assert_error(crm_dataset_write_sql(ds, u, "o", &o), CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "database is locked"));
    ck_assert_int_eq(sq.exec(db, "ROLLBACK", NULL, NULL, NULL), 0);
    sq.close(db);
    ck_assert_ok(crm_dataset_write_sql(ds, u, "o", &o));
    ck_assert_uint_eq(count_rows("o"), 4);
    crm_dataset_free(ds);
}
END_TEST

/* ---- a million rows: streaming and peak memory ---------------------------------------- */

/* Counting allocator: bytes alive and their peak (a size header per block). */
static size_t mem_live, mem_peak;

static void *peak_malloc(size_t n, void *user)
{
    (void)user;
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    mem_live += n;
    if (mem_live > mem_peak)
        mem_peak = mem_live;
    return (char *)p + 16;
}

static void *peak_realloc(void *q, size_t n, void *user)
{
    (void)user;
    size_t *p = (size_t *)((char *)q - 16), old = p[0];
    p = realloc(p, n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    mem_live = mem_live - old + n;
    if (mem_live > mem_peak)
        mem_peak = mem_live;
    return (char *)p + 16;
}

static void peak_free(void *q, void *user)
{
    (void)user;
    size_t *p = (size_t *)((char *)q - 16);
    mem_live -= p[0];
    free(p);
}

START_TEST(test_million_rows)
{
    const size_t n = 1000000;
    double *amount = malloc(n * sizeof *amount);
    int64_t *when = malloc(n * sizeof *when);
    const char **who = malloc(n * sizeof *who);
    char names[100][24];
    for (int i = 0; i < 100; i++)
        snprintf(names[i], sizeof names[i], "customer %d", i);
    for (size_t i = 0; i < n; i++) {
        amount[i] = (double)(i % 9973) / 8.0;
        when[i] = 1600000000 + (int64_t)i * 37;
        who[i] = i % 97 == 0 ? NULL : names[i % 100];
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "amount", amount, n));
    ck_assert_ok(crm_dataset_add_time(ds, "ordered", when, n));
    ck_assert_ok(crm_dataset_add_text(ds, "customer", who, n));
    free(amount);
    free(when);
    free(who);
    ck_assert_ok(crm_dataset_write_sql(ds, uri, "lines", NULL));
    crm_dataset_free(ds);

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    mem_live = mem_peak = 0;
    ck_assert_ok(crm_set_allocator(peak_malloc, peak_realloc, peak_free, NULL));
    crm_dataset *back = NULL;
    ck_assert_ok(crm_dataset_read_sql(uri, "SELECT amount, ordered, customer FROM lines",
                                      NULL, 0, NULL, &back));
    size_t kept = mem_live, peak = mem_peak;
    getrusage(RUSAGE_SELF, &ru1);
    ck_assert_uint_eq(crm_dataset_nrows(back), n);
    ck_assert(num(back, "amount", 123457) == (double)(123457 % 9973) / 8.0);
    ck_assert_int_eq(tim(back, "ordered", n - 1), 1600000000 + (int64_t)(n - 1) * 37);
    ck_assert_ptr_null(txt(back, "customer", 97));
    ck_assert_str_eq(txt(back, "customer", 98), "customer 98");
    crm_dataset_free(back);
    ck_assert_ok(crm_set_allocator(NULL, NULL, NULL, NULL));
    /* 20 bytes a row of cells: the columns grow by doubling from a batch, so the
     * peak is the dataset (with its spare capacity) plus a realloc in flight */
    fprintf(stderr,
            "sql: read %zu rows x 3 columns from SQLite: dataset %.1f MiB, peak libcrm memory "
            "%.1f MiB, process max RSS %ld -> %ld MiB\n",
            n, (double)kept / 1048576.0, (double)peak / 1048576.0, ru0.ru_maxrss / 1024,
            ru1.ru_maxrss / 1024);
    ck_assert_msg(peak <= kept + kept / 2 + (4u << 20), "peak %zu for a dataset of %zu", peak,
                  kept);
}
END_TEST

Suite *crm_sql_suite(void)
{
    Suite *s = suite_create("sql");
    TCase *tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_type_mapping);
    tcase_add_test(tc, test_expressions_by_value);
    tcase_add_test(tc, test_nulls_empty_unicode_zones);
    tcase_add_test(tc, test_values_that_cannot_be_read);
    tcase_add_test(tc, test_params_and_injection);
    tcase_add_test(tc, test_server_messages);
    tcase_add_test(tc, test_uris_and_options);
    tcase_add_test(tc, test_missing_library);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_modes);
    tcase_add_test(tc, test_upsert_rules);
    tcase_add_test(tc, test_failed_writes_leave_table);
    tcase_add_test(tc, test_cancel_mid_write);
    tcase_add_test(tc, test_identifier_injection);
    tcase_add_test(tc, test_locked_database);
    tcase_add_test(tc, test_million_rows);
    suite_add_tcase(s, tc);
    return s;
}
