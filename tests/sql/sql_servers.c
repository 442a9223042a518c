/* The SQL backends against real servers: PostgreSQL, MariaDB/MySQL and SQLite,
 * the same checks on each (acceptance 2 and 3 of the SQL issue).
 *
 * Usage: crm_sql_servers [CASE]
 * The servers come from the environment (scripts/ci_sql.sh starts throwaway
 * ones and sets these):
 *   CRM_TEST_PG_URI   libpq connection string of an empty database
 *   CRM_TEST_MY_URI   mysql://USER@HOST/DB?socket=... of an empty database
 *   (passwords in PGPASSWORD / MYSQL_PWD, as the client libraries read them)
 *   CRM_TEST_PG_STOP, CRM_TEST_PG_START, CRM_TEST_MY_STOP, CRM_TEST_MY_START
 *                     shell commands that kill a server and start it again
 *                     (the mid-read / mid-write fault cases; without them
 *                     those cases fail)
 * SQLite always runs (a database file in a temporary directory). Without
 * either server URI the program exits 77 (skipped); with CI=true that is a
 * failure (exit 1).
 */
#include "sql/sql_internal.h"
#include "test_util.h"

#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

enum { B_SQLITE, B_PG, B_MY };

typedef struct backend {
    int kind;
    const char *name;
    char uri[4096];
} backend;

static backend backends[4];
static int nbackends;
static char tmpdir[256];

static const backend *B(int i)
{
    return &backends[i];
}

/* ---- helpers ----------------------------------------------------------------------- */

static const crm__sql_backend *vtable(int kind)
{
    return kind == B_PG ? &crm__sql_backend_pg
                        : kind == B_MY ? &crm__sql_backend_mysql : &crm__sql_backend_sqlite;
}

/* Run statements on one connection (test set-up in the server's own dialect). */
static void sql_exec_n(const backend *b, const char *const *sql, size_t n)
{
    crm__sql_uri u;
    ck_assert_msg(crm__sql_uri_parse(b->uri, &u) == CRM_OK, "%s", crm_last_error());
    const crm__sql_backend *vt = vtable(b->kind);
    crm__sql_conn *c = NULL;
    ck_assert_msg(vt->connect(&u, NULL, 0, &c) == CRM_OK, "%s: %s", b->name, crm_last_error());
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(vt->exec(c, sql[i]) == CRM_OK, "%s: %s: %s", b->name, sql[i],
                      crm_last_error());
    vt->disconnect(c);
    crm__sql_uri_free(&u);
}

static void sql_exec(const backend *b, const char *sql)
{
    sql_exec_n(b, &sql, 1);
}

static void drop(const backend *b, const char *table)
{
    char sql[512];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", table);
    sql_exec(b, sql);
}

static crm_dataset *read_ok(const backend *b, const char *query)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_sql(b->uri, query, NULL, 0, NULL, &ds);
    ck_assert_msg(st == CRM_OK, "%s: %s: %s", b->name, query, crm_last_error());
    return ds;
}

static int64_t epoch(int y, int m, int d, int hh, int mm, int ss)
{
    return crm__days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

static size_t col(const crm_dataset *ds, const char *name)
{
    size_t j = 0;
    ck_assert_msg(crm_dataset_column_index(ds, name, &j) == CRM_OK, "column %s: %s", name,
                  crm_last_error());
    return j;
}

static int32_t type_of(const crm_dataset *ds, const char *name)
{
    int32_t t = -1;
    ck_assert_int_eq(crm_dataset_column_type(ds, col(ds, name), &t), CRM_OK);
    return t;
}

static double num(const crm_dataset *ds, const char *name, size_t row)
{
    double v = 0;
    ck_assert_msg(crm_dataset_get_number(ds, col(ds, name), row, 1, &v) == CRM_OK, "%s: %s",
                  name, crm_last_error());
    return v;
}

static int64_t tim(const crm_dataset *ds, const char *name, size_t row)
{
    int64_t v = 0;
    ck_assert_msg(crm_dataset_get_time(ds, col(ds, name), row, 1, &v) == CRM_OK, "%s: %s",
                  name, crm_last_error());
    return v;
}

/* Text of a cell, NULL when missing. */
static const char *txt(const crm_dataset *ds, const char *name, size_t row)
{
    const char *s = NULL;
    crm_status st = crm_dataset_get_text(ds, col(ds, name), row, &s);
    ck_assert_msg(st == CRM_OK, "%s: %s", name, crm_last_error());
    return s;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Every cell of a and b equal: same columns, types, rows; numbers bit for bit
 * (any NaN equals any NaN), texts byte for byte (missing only equals missing). */
static void assert_same(const crm_dataset *a, const crm_dataset *b, const char *what)
{
    size_t n = crm_dataset_nrows(a), k = crm_dataset_ncols(a);
    ck_assert_msg(n == crm_dataset_nrows(b) && k == crm_dataset_ncols(b),
                  "%s: %zu x %zu vs %zu x %zu", what, n, k, crm_dataset_nrows(b),
                  crm_dataset_ncols(b));
    for (size_t j = 0; j < k; j++) {
        const char *name = NULL;
        crm_dataset_column_name(a, j, &name);
        int32_t ta = type_of(a, name), tb = type_of(b, name);
        ck_assert_msg(ta == tb, "%s: column %s: type %d vs %d", what, name, ta, tb);
        for (size_t i = 0; i < n; i++) {
            if (ta == CRM_TYPE_NUMBER) {
                double x = num(a, name, i), y = num(b, name, i);
                ck_assert_msg((isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0,
                              "%s: %s[%zu]: %.17g vs %.17g", what, name, i, x, y);
            } else if (ta == CRM_TYPE_TIME) {
                ck_assert_msg(tim(a, name, i) == tim(b, name, i), "%s: %s[%zu]: %lld vs %lld",
                              what, name, i, (long long)tim(a, name, i),
                              (long long)tim(b, name, i));
            } else {
                const char *x = txt(a, name, i), *y = txt(b, name, i);
                ck_assert_msg((!x && !y) || (x && y && strcmp(x, y) == 0),
                              "%s: %s[%zu]: %s vs %s", what, name, i, x ? x : "(missing)",
                              y ? y : "(missing)");
            }
        }
    }
}

static void expect_error(crm_status st, crm_status want, const char *needle, const char *what)
{
    const char *msg = crm_last_error();
    ck_assert_msg(st == want, "%s: status %s (want %s): %s", what, crm_status_str(st),
                  crm_status_str(want), msg ? msg : "");
    if (needle)
        ck_assert_msg(msg && strstr(msg, needle), "%s: message \"%s\" lacks \"%s\"", what,
                      msg ? msg : "", needle);
}

/* ---- the mapping tables ----------------------------------------------------------- */

static void types_pg(const backend *b)
{
    const char *setup[] = {
        "DROP TABLE IF EXISTS types_t",
        "DROP TYPE IF EXISTS mood",
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "CREATE TABLE types_t (id int4, i2 int2, i4 int4, i8 int8, o oid, f4 real, "
        "f8 double precision, nu numeric(12,4), bo boolean, t text, vc varchar(20), "
        "bc char(5), e mood, u uuid, j jsonb, d date, ts timestamp, tstz timestamptz)",
        "SET TIME ZONE 'Europe/Berlin'",
        "INSERT INTO types_t VALUES (1, -32768, 2147483647, 9007199254740992, 4000000000, 0.1, "
        "1e308, 12345678.1234, true, 'é 日本 😀', '', 'ab', 'happy', "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}', '1969-07-20', "
        "'2024-02-29 23:59:59.999', '2024-03-31 04:30:00')",
        "INSERT INTO types_t (id) VALUES (2)",
    };
    sql_exec_n(b, setup, sizeof setup / sizeof setup[0]);
    /* the enum and jsonb columns are read as text; the rest in binary */
    crm_dataset *all = read_ok(b, "SELECT * FROM types_t ORDER BY id");
    crm_dataset *bin = read_ok(b, "SELECT id, i2, i4, i8, o, f4, f8, nu, bo, t, vc, bc, u, d, "
                                  "ts, tstz FROM types_t ORDER BY id");
    crm_dataset *ds[2] = {all, bin};
    for (int k = 0; k < 2; k++) {
        const crm_dataset *x = ds[k];
        const char *nums[] = {"i2", "i4", "i8", "o", "f4", "f8", "nu", "bo"};
        const double want[] = {-32768, 2147483647, 9007199254740992.0, 4000000000.0, 0.1,
                               1e308, 12345678.1234, 1};
        for (int j = 0; j < 8; j++) {
            ck_assert_int_eq(type_of(x, nums[j]), CRM_TYPE_NUMBER);
            ck_assert_msg(num(x, nums[j], 0) == want[j], "pg %s %s: %.17g", k ? "bin" : "text",
                          nums[j], num(x, nums[j], 0));
            ck_assert(isnan(num(x, nums[j], 1)));
        }
        ck_assert_str_eq(txt(x, "t", 0), "é 日本 😀");
        ck_assert_str_eq(txt(x, "vc", 0), "");
        ck_assert_str_eq(txt(x, "bc", 0), "ab   "); /* char(n) as the server pads it */
        ck_assert_str_eq(txt(x, "u", 0), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        ck_assert_ptr_null(txt(x, "t", 1));
        ck_assert_int_eq(type_of(x, "d"), CRM_TYPE_TIME);
        ck_assert_int_eq(tim(x, "d", 0), epoch(1969, 7, 20, 0, 0, 0));
        ck_assert_int_eq(tim(x, "ts", 0), epoch(2024, 2, 29, 23, 59, 59)); /* as UTC */
        ck_assert_int_eq(tim(x, "tstz", 0), epoch(2024, 3, 31, 2, 30, 0));  /* CEST -> UTC */
        ck_assert_int_eq(tim(x, "ts", 1), CRM_TIME_MISSING);
    }
    ck_assert_str_eq(txt(all, "e", 0), "happy");
    ck_assert_str_eq(txt(all, "j", 0), "{\"a\": 1}");
    crm_dataset_free(all);
    crm_dataset_free(bin);
}

static void types_my(const backend *b)
{
    const char *setup[] = {
        "DROP TABLE IF EXISTS types_t",
        "CREATE TABLE types_t (id INT, ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, bi BIGINT, "
        "ub BIGINT UNSIGNED, f FLOAT, d DOUBLE, de DECIMAL(12,4), y YEAR, bo BOOLEAN, "
        "c CHAR(5), vc VARCHAR(20), t TEXT, e ENUM('sad','happy'), dt DATE, dtt DATETIME, "
        "ts TIMESTAMP NULL)",
        "SET time_zone = '+02:00'",
        "INSERT INTO types_t VALUES (1, -128, -32768, 8388607, 2147483647, 9007199254740992, "
        "18446744073709551615 DIV 2048, 0.1, 1e308, 12345678.1234, 2024, TRUE, 'ab', '', "
        "'é 日本 😀', 'happy', '1969-07-20', '2024-02-29 23:59:59', '2024-03-31 04:30:00')",
        "INSERT INTO types_t (id) VALUES (2)",
    };
    sql_exec_n(b, setup, sizeof setup / sizeof setup[0]);
    crm_dataset *x = read_ok(b, "SELECT * FROM types_t ORDER BY id");
    const char *nums[] = {"ti", "si", "mi", "i", "bi", "ub", "f", "d", "de", "y", "bo"};
    const double want[] = {-128, -32768, 8388607, 2147483647, 9007199254740992.0,
                           9007199254740991.0, 0.1, 1e308, 12345678.1234, 2024, 1};
    for (int j = 0; j < 11; j++) {
        ck_assert_int_eq(type_of(x, nums[j]), CRM_TYPE_NUMBER);
        ck_assert_msg(num(x, nums[j], 0) == want[j], "mysql %s: %.17g", nums[j],
                      num(x, nums[j], 0));
        ck_assert(isnan(num(x, nums[j], 1)));
    }
    ck_assert_str_eq(txt(x, "c", 0), "ab");
    ck_assert_str_eq(txt(x, "vc", 0), "");
    ck_assert_str_eq(txt(x, "t", 0), "é 日本 😀");
    ck_assert_str_eq(txt(x, "e", 0), "happy");
    ck_assert_ptr_null(txt(x, "t", 1));
    ck_assert_int_eq(tim(x, "dt", 0), epoch(1969, 7, 20, 0, 0, 0));
    ck_assert_int_eq(tim(x, "dtt", 0), epoch(2024, 2, 29, 23, 59, 59)); /* DATETIME as UTC */
    ck_assert_int_eq(tim(x, "ts", 0), epoch(2024, 3, 31, 2, 30, 0));    /* +02:00 -> UTC */
    ck_assert_int_eq(tim(x, "dtt", 1), CRM_TIME_MISSING);
    crm_dataset_free(x);
}

static void types_sqlite(const backend *b)
{
    const char *setup[] = {
        "DROP TABLE IF EXISTS types_t",
        "CREATE TABLE types_t (id INTEGER, i INTEGER, r REAL, n NUMERIC, t TEXT, "
        "d DATE, dt DATETIME, ts TIMESTAMP)",
        "INSERT INTO types_t VALUES (1, 9007199254740992, 0.1, 12345678.1234, 'é 日本 😀', "
        "'1969-07-20', '2024-02-29 23:59:59', '2024-03-31T04:30:00+02:00')",
        "INSERT INTO types_t (id, t) VALUES (2, '')",
    };
    sql_exec_n(b, setup, sizeof setup / sizeof setup[0]);
    crm_dataset *x = read_ok(b, "SELECT * FROM types_t ORDER BY id");
    ck_assert_msg(num(x, "i", 0) == 9007199254740992.0 && num(x, "r", 0) == 0.1 &&
                      num(x, "n", 0) == 12345678.1234,
                  "sqlite numbers");
    ck_assert(isnan(num(x, "i", 1)));
    ck_assert_str_eq(txt(x, "t", 0), "é 日本 😀");
    ck_assert_str_eq(txt(x, "t", 1), "");
    ck_assert_int_eq(tim(x, "d", 0), epoch(1969, 7, 20, 0, 0, 0));
    ck_assert_int_eq(tim(x, "dt", 0), epoch(2024, 2, 29, 23, 59, 59));
    ck_assert_int_eq(tim(x, "ts", 0), epoch(2024, 3, 31, 2, 30, 0));
    ck_assert_int_eq(tim(x, "ts", 1), CRM_TIME_MISSING);
    crm_dataset_free(x);
}

START_TEST(test_types)
{
    const backend *b = B(_i);
    if (b->kind == B_PG)
        types_pg(b);
    else if (b->kind == B_MY)
        types_my(b);
    else
        types_sqlite(b);
}
END_TEST

/* Values a double would change are refused, naming the column. */
START_TEST(test_inexact_refused)
{
    const backend *b = B(_i);
    crm_dataset *ds = NULL;
    const char *q = b->kind == B_PG ? "SELECT 1.0 / 3 AS third"
                    : b->kind == B_MY ? "SELECT CAST(1 AS DECIMAL(30,20)) / 3 AS third"
                                      : "SELECT 9007199254740993 AS third";
    crm_status st = crm_dataset_read_sql(b->uri, q, NULL, 0, NULL, &ds);
    expect_error(st, CRM_E_TYPE, "third", b->name);
    ck_assert_ptr_null(ds);
    if (b->kind != B_SQLITE) {
        st = crm_dataset_read_sql(b->uri, "SELECT CAST(9007199254740993 AS DECIMAL(20,0)) AS big",
                                  NULL, 0, NULL, &ds);
        expect_error(st, CRM_E_TYPE, "big", b->name);
    }
}
END_TEST

START_TEST(test_empty_result)
{
    const backend *b = B(_i);
    drop(b, "empty_t");
    sql_exec(b, b->kind == B_PG ? "CREATE TABLE empty_t (n double precision, s text, t timestamp)"
                                : "CREATE TABLE empty_t (n DOUBLE, s TEXT, t DATETIME)");
    crm_dataset *ds = read_ok(b, "SELECT * FROM empty_t");
    ck_assert_int_eq(crm_dataset_nrows(ds), 0);
    ck_assert_int_eq(crm_dataset_ncols(ds), 3);
    ck_assert_int_eq(type_of(ds, "n"), CRM_TYPE_NUMBER);
    ck_assert_int_eq(type_of(ds, "s"), CRM_TYPE_TEXT);
    ck_assert_int_eq(type_of(ds, "t"), CRM_TYPE_TIME);
    crm_dataset_free(ds);
}
END_TEST

/* A million rows: every value checked, peak memory reported (and bounded: the
 * dataset plus batches, not the whole result held by the client library). */
START_TEST(test_million_rows)
{
    const backend *b = B(_i);
    const char *q =
        b->kind == B_PG
            ? "SELECT i::float8 AS n, 'c' || (i % 1000) AS s, timestamp '2024-01-01' + "
              "(i % 365) * interval '1 day' AS t FROM generate_series(1, 1000000) i"
            : "SELECT CAST(seq AS DOUBLE) AS n, CONCAT('c', seq % 1000) AS s, "
              "CAST(DATE '2024-01-01' + INTERVAL (seq % 365) DAY AS DATETIME) AS t "
              "FROM seq_1_to_1000000"; /* MariaDB's sequence engine */
    if (b->kind == B_SQLITE) { /* an expression has no declared type: a table */
        const char *setup[] = {
            "DROP TABLE IF EXISTS big",
            "CREATE TABLE big (n REAL, s TEXT, t TIMESTAMP)",
            "INSERT INTO big WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g "
            "WHERE i < 1000000) SELECT i, 'c' || (i % 1000), "
            "date('2024-01-01', '+' || (i % 365) || ' days') FROM g",
        };
        sql_exec_n(b, setup, 3);
        q = "SELECT * FROM big";
    }
    long before = peak_rss_kb();
    crm_dataset *ds = read_ok(b, q);
    long after = peak_rss_kb();
    size_t n = crm_dataset_nrows(ds);
    ck_assert_int_eq(n, 1000000);
    double *x = malloc(n * sizeof *x);
    int64_t *t = malloc(n * sizeof *t);
    ck_assert(crm_dataset_get_number(ds, col(ds, "n"), 0, n, x) == CRM_OK);
    ck_assert(crm_dataset_get_time(ds, col(ds, "t"), 0, n, t) == CRM_OK);
    for (size_t i = 0; i < n; i++) {
        ck_assert(x[i] == (double)(i + 1));
        ck_assert(t[i] == epoch(2024, 1, 1, 0, 0, 0) + (int64_t)((i + 1) % 365) * 86400);
    }
    ck_assert_str_eq(txt(ds, "s", 999999), "c0");
    /* the dataset: 8 + 4 + 8 bytes a row, 20 MB */
    long grown = after - before;
    printf("%s: 1,000,000 rows x 3 columns read; peak RSS grew by %.1f MiB "
           "(dataset about 19 MiB; peak RSS of the process %.1f MiB)\n",
           b->name, grown / 1024.0, after / 1024.0);
    fflush(stdout);
    ck_assert_msg(grown < 80 * 1024, "%s: peak RSS grew by %ld KiB reading 1M rows", b->name,
                  grown);
    free(x);
    free(t);
    crm_dataset_free(ds);
}
END_TEST

/* ---- round trips and modes ------------------------------------------------------- */

static crm_dataset *sample(void)
{
    double id[] = {1, 2, 3, 4, 5, 6};
    double x[] = {0.1, -1.5, 1e308, 2.2250738585072014e-308, NAN, 123456789.123};
    const char *s[] = {"", "plain", "quote ' \" ` back\\slash ;-- ", "é 日本 😀",
                       "line\nbreak\ttab", NULL};
    int64_t t[] = {0, -2208988800LL, 4102444799LL, 1709289000, CRM_TIME_MISSING,
                   253402300799LL};
    crm_dataset *ds = NULL;
    ck_assert(crm_dataset_new(&ds) == CRM_OK);
    ck_assert(crm_dataset_add_number(ds, "id", id, 6) == CRM_OK);
    ck_assert(crm_dataset_add_number(ds, "x", x, 6) == CRM_OK);
    ck_assert(crm_dataset_add_text(ds, "s", s, 6) == CRM_OK);
    ck_assert(crm_dataset_add_time(ds, "t", t, 6) == CRM_OK);
    return ds;
}

static crm_sql_options opts_mode(int32_t mode, const char *const *keys, int64_t nkeys)
{
    crm_sql_options o;
    crm_sql_options_init(&o, sizeof o);
    o.mode = mode;
    o.key_columns = keys;
    o.n_key_columns = nkeys;
    return o;
}

START_TEST(test_round_trip)
{
    const backend *b = B(_i);
    drop(b, "rt");
    crm_dataset *ds = sample();
    ck_assert_msg(crm_dataset_write_sql(ds, b->uri, "rt", NULL) == CRM_OK, "%s: %s", b->name,
                  crm_last_error());
    crm_dataset *back = read_ok(b, "SELECT * FROM rt ORDER BY id");
    assert_same(ds, back, b->name);
    crm_dataset_free(back);
    /* CREATE never touches an existing table */
    crm_status st = crm_dataset_write_sql(ds, b->uri, "rt", NULL);
    expect_error(st, CRM_E_STATE, NULL, "create on an existing table");
    back = read_ok(b, "SELECT * FROM rt ORDER BY id");
    assert_same(ds, back, "after the refused create");
    crm_dataset_free(back);
    crm_dataset_free(ds);
}
END_TEST

static crm_dataset *scores(const double *id, const char *const *seg, size_t n)
{
    crm_dataset *ds = NULL;
    ck_assert(crm_dataset_new(&ds) == CRM_OK);
    ck_assert(crm_dataset_add_number(ds, "customer", id, n) == CRM_OK);
    ck_assert(crm_dataset_add_text(ds, "segment", seg, n) == CRM_OK);
    return ds;
}

START_TEST(test_modes)
{
    const backend *b = B(_i);
    const char *key[] = {"customer"};
    drop(b, "modes");
    double id1[] = {1, 2, 3};
    const char *s1[] = {"Lost", "Champions", "At Risk"};
    crm_dataset *a = scores(id1, s1, 3);
    crm_sql_options o = opts_mode(CRM_SQL_CREATE, key, 1);
    ck_assert_msg(crm_dataset_write_sql(a, b->uri, "modes", &o) == CRM_OK, "%s", crm_last_error());
    /* upsert: 3 updated, 4 new; one statement per batch */
    double id2[] = {3, 4};
    const char *s2[] = {"Champions", "New Customers"};
    crm_dataset *u = scores(id2, s2, 2);
    o = opts_mode(CRM_SQL_UPSERT, key, 1);
    ck_assert_msg(crm_dataset_write_sql(u, b->uri, "modes", &o) == CRM_OK, "%s: %s", b->name,
                  crm_last_error());
    crm_dataset *r = read_ok(b, "SELECT customer, segment FROM modes ORDER BY customer");
    double id3[] = {1, 2, 3, 4};
    const char *s3[] = {"Lost", "Champions", "Champions", "New Customers"};
    crm_dataset *want = scores(id3, s3, 4);
    assert_same(want, r, "upsert");
    crm_dataset_free(r);
    /* append with a duplicate key: refused, the table unchanged */
    double id4[] = {5, 1};
    const char *s4[] = {"Promising", "Hibernating"};
    crm_dataset *d = scores(id4, s4, 2);
    o = opts_mode(CRM_SQL_APPEND, NULL, 0);
    crm_status st = crm_dataset_write_sql(d, b->uri, "modes", &o);
    expect_error(st, CRM_E_INVALID, NULL, "append with a duplicate key");
    r = read_ok(b, "SELECT customer, segment FROM modes ORDER BY customer");
    assert_same(want, r, "after the refused append");
    crm_dataset_free(r);
    /* replace: only the new rows */
    o = opts_mode(CRM_SQL_REPLACE, NULL, 0);
    ck_assert_msg(crm_dataset_write_sql(u, b->uri, "modes", &o) == CRM_OK, "%s", crm_last_error());
    r = read_ok(b, "SELECT customer, segment FROM modes ORDER BY customer");
    assert_same(u, r, "replace");
    crm_dataset_free(r);
    crm_dataset_free(a);
    crm_dataset_free(u);
    crm_dataset_free(d);
    crm_dataset_free(want);
}
END_TEST

/* A column the table's type cannot take, a value the server cannot store: an
 * error, the table unchanged. */
START_TEST(test_unwritable)
{
    const backend *b = B(_i);
    drop(b, "typed");
    sql_exec(b, "CREATE TABLE typed (customer INTEGER, segment TEXT)");
    sql_exec(b, "INSERT INTO typed VALUES (1, 'Lost')");
    crm_dataset *before = read_ok(b, "SELECT * FROM typed");
    const char *segs[] = {"x"};
    crm_dataset *ds = NULL;
    ck_assert(crm_dataset_new(&ds) == CRM_OK);
    ck_assert(crm_dataset_add_text(ds, "customer", segs, 1) == CRM_OK);
    ck_assert(crm_dataset_add_text(ds, "segment", segs, 1) == CRM_OK);
    crm_sql_options o = opts_mode(CRM_SQL_APPEND, NULL, 0);
    crm_status st = crm_dataset_write_sql(ds, b->uri, "typed", &o);
    ck_assert_msg(st == CRM_E_TYPE || st == CRM_E_INVALID, "%s: text into INTEGER: %s (%s)",
                  b->name, crm_status_str(st), crm_last_error());
    crm_dataset *after = read_ok(b, "SELECT * FROM typed");
    assert_same(before, after, "after a text column into INTEGER");
    crm_dataset_free(after);
    crm_dataset_free(ds);
    if (b->kind == B_MY) { /* MySQL stores no infinity, and no year past 9999 */
        double inf[] = {2, INFINITY};
        const char *s[] = {"a", "b"};
        crm_dataset *bad = scores(inf, s, 2);
        st = crm_dataset_write_sql(bad, b->uri, "typed", &o);
        ck_assert_msg(st != CRM_OK, "mysql stored infinity");
        after = read_ok(b, "SELECT * FROM typed");
        assert_same(before, after, "after infinity into MySQL");
        crm_dataset_free(after);
        crm_dataset_free(bad);
    }
    crm_dataset_free(before);
}
END_TEST

static int cancel_second(double fraction, void *user)
{
    (void)fraction;
    return ++*(int *)user >= 2;
}

/* A failed CREATE leaves no table (MySQL commits its CREATE TABLE implicitly:
 * the backend drops it again). */
START_TEST(test_failed_create)
{
    const backend *b = B(_i);
    drop(b, "created");
    crm_dataset *ds = sample();
    int calls = 0;
    crm_sql_options o = opts_mode(CRM_SQL_CREATE, NULL, 0);
    o.batch_rows = 2;
    o.progress = cancel_second;
    o.user = &calls;
    crm_status st = crm_dataset_write_sql(ds, b->uri, "created", &o);
    expect_error(st, CRM_E_CANCELLED, NULL, b->name);
    crm_dataset *r = NULL;
    st = crm_dataset_read_sql(b->uri, "SELECT * FROM created", NULL, 0, NULL, &r);
    expect_error(st, CRM_E_PARSE, "created", "the table of a cancelled create");
    ck_assert_ptr_null(r);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_injection)
{
    const backend *b = B(_i);
    drop(b, "victim");
    sql_exec(b, "CREATE TABLE victim (name TEXT)");
    sql_exec(b, "INSERT INTO victim VALUES ('alice')");
    const char *evil = "x' OR '1'='1'; DROP TABLE victim; --";
    const char *q = b->kind == B_PG ? "SELECT name FROM victim WHERE name = $1"
                                    : "SELECT name FROM victim WHERE name = ?";
    crm_dataset *ds = NULL;
    ck_assert_msg(crm_dataset_read_sql(b->uri, q, &evil, 1, NULL, &ds) == CRM_OK, "%s",
                  crm_last_error());
    ck_assert_int_eq(crm_dataset_nrows(ds), 0);
    crm_dataset_free(ds);
    /* table names are quoted: a name is a name */
    const char *names[] = {"victim\"; DROP TABLE victim; --", "victim`; DROP TABLE victim; --",
                           "victim'); DROP TABLE victim; --"};
    double id[] = {1};
    const char *s[] = {"a"};
    crm_dataset *w = scores(id, s, 1);
    crm_sql_options o = opts_mode(CRM_SQL_REPLACE, NULL, 0); /* created when absent */
    for (int k = 0; k < 3; k++) {
        crm_status st = crm_dataset_write_sql(w, b->uri, names[k], &o);
        ck_assert_msg(st == CRM_OK || st == CRM_E_INVALID, "%s: table %s: %s", b->name, names[k],
                      crm_last_error());
    }
    crm_dataset_free(w);
    ds = read_ok(b, "SELECT name FROM victim");
    ck_assert_int_eq(crm_dataset_nrows(ds), 1);
    ck_assert_str_eq(txt(ds, "name", 0), "alice");
    crm_dataset_free(ds);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------- */

START_TEST(test_syntax_error)
{
    const backend *b = B(_i);
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_sql(b->uri, "SELEC 1", NULL, 0, NULL, &ds);
    const char *needle = b->kind == B_PG ? "syntax error at or near \"SELEC\""
                         : b->kind == B_MY ? "You have an error in your SQL syntax"
                                           : "syntax error";
    expect_error(st, CRM_E_PARSE, needle, b->name);
    ck_assert_ptr_null(ds);
    st = crm_dataset_read_sql(b->uri, "SELECT * FROM no_such_table", NULL, 0, NULL, &ds);
    expect_error(st, CRM_E_PARSE, "no_such_table", b->name);
    ck_assert_ptr_null(ds);
}
END_TEST

/* The URI with a wrong password. */
static void wrong_password_uri(const backend *b, char *out, size_t cap)
{
    if (b->kind == B_PG) {
        snprintf(out, cap, "%s password=wrong-password", b->uri);
        return;
    }
    const char *at = strchr(b->uri, '@');
    ck_assert_ptr_nonnull(at);
    snprintf(out, cap, "%.*s:wrong-password%s", (int)(at - b->uri), b->uri, at);
}

START_TEST(test_wrong_password)
{
    const backend *b = B(_i);
    char uri[4200];
    wrong_password_uri(b, uri, sizeof uri);
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_sql(uri, "SELECT 1 AS one", NULL, 0, NULL, &ds);
    expect_error(st, CRM_E_IO,
                 b->kind == B_PG ? "password authentication failed" : "Access denied", b->name);
    const char *msg = crm_last_error();
    ck_assert_msg(!strstr(msg, "wrong-password"), "the password is in the message: %s", msg);
    ck_assert_ptr_null(ds);
}
END_TEST

START_TEST(test_missing_client_library)
{
    const backend *b = B(_i);
    crm_sql_options o;
    crm_sql_options_init(&o, sizeof o);
    o.client_library = "libcrm-test-missing.so.1";
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_sql(b->uri, "SELECT 1 AS one", NULL, 0, &o, &ds);
    expect_error(st, CRM_E_UNSUPPORTED, b->kind == B_PG ? "install libpq5" : "install libmariadb3",
                 b->name);
    ck_assert_ptr_null(ds);
}
END_TEST

/* ---- the server stopped mid-read and mid-write ------------------------------------- */

typedef struct fault {
    const char *stop;
    int calls;
} fault;

static int stop_server(double fraction, void *user)
{
    (void)fraction;
    fault *f = user;
    if (f->calls++ == 0)
        ck_assert_msg(system(f->stop) == 0, "stopping the server failed: %s", f->stop);
    return 0;
}

static void restart(const backend *b)
{
    const char *start = getenv(b->kind == B_PG ? "CRM_TEST_PG_START" : "CRM_TEST_MY_START");
    ck_assert_msg(system(start) == 0, "restarting the server failed: %s", start);
}

static const char *stop_cmd(const backend *b)
{
    const char *stop = getenv(b->kind == B_PG ? "CRM_TEST_PG_STOP" : "CRM_TEST_MY_STOP");
    ck_assert_msg(stop && *stop && getenv(b->kind == B_PG ? "CRM_TEST_PG_START"
                                                          : "CRM_TEST_MY_START"),
                  "%s: CRM_TEST_*_STOP / _START are not set", b->name);
    return stop;
}

START_TEST(test_server_stops_mid_read)
{
    const backend *b = B(_i + 1); /* servers only */
    fault f = {stop_cmd(b), 0};
    crm_sql_options o;
    crm_sql_options_init(&o, sizeof o);
    o.batch_rows = 1000;
    o.progress = stop_server;
    o.user = &f;
    const char *q = b->kind == B_PG
                        ? "SELECT i, md5(i::text) AS h FROM generate_series(1, 3000000) i"
                        : "SELECT seq AS i, MD5(seq) AS h FROM seq_1_to_3000000";
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_sql(b->uri, q, NULL, 0, &o, &ds);
    const char *msg = crm_last_error();
    restart(b);
    ck_assert_msg(f.calls > 0, "%s: the progress callback never ran", b->name);
    ck_assert_msg(st == CRM_E_IO, "%s: stopped mid-read: %s: %s", b->name, crm_status_str(st),
                  msg ? msg : "");
    ck_assert_ptr_null(ds);
    printf("%s, server stopped mid-read: %s\n", b->name, msg);
}
END_TEST

START_TEST(test_server_stops_mid_write)
{
    const backend *b = B(_i + 1);
    const char *key[] = {"customer"};
    drop(b, "faultw");
    enum { N0 = 1000, N1 = 300000 };
    double *id = malloc(N1 * sizeof *id);
    const char **seg = malloc(N1 * sizeof *seg);
    for (int i = 0; i < N1; i++) {
        id[i] = i;
        seg[i] = i % 3 ? "Loyal Customers" : "At Risk";
    }
    crm_dataset *first = scores(id, seg, N0);
    crm_sql_options o = opts_mode(CRM_SQL_CREATE, key, 1);
    ck_assert_msg(crm_dataset_write_sql(first, b->uri, "faultw", &o) == CRM_OK, "%s",
                  crm_last_error());
    for (int i = 0; i < N1; i++)
        id[i] = N0 + i;
    crm_dataset *more = scores(id, seg, N1);
    fault f = {stop_cmd(b), 0};
    o = opts_mode(CRM_SQL_APPEND, NULL, 0);
    o.batch_rows = 1000;
    o.progress = stop_server;
    o.user = &f;
    crm_status st = crm_dataset_write_sql(more, b->uri, "faultw", &o);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", crm_last_error() ? crm_last_error() : "");
    restart(b);
    ck_assert_msg(f.calls > 0, "%s: the progress callback never ran", b->name);
    ck_assert_msg(st == CRM_E_IO, "%s: stopped mid-write: %s: %s", b->name, crm_status_str(st),
                  msg);
    printf("%s, server stopped mid-write: %s\n", b->name, msg);
    crm_dataset *back = read_ok(b, "SELECT customer, segment FROM faultw ORDER BY customer");
    assert_same(first, back, "the table after the server stopped mid-write");
    crm_dataset_free(back);
    crm_dataset_free(first);
    crm_dataset_free(more);
    free(id);
    free(seg);
}
END_TEST

/* ---- runner ----------------------------------------------------------------------- */

/* Texts and numbers at the edges of MariaDB's LOAD DATA text (escapes, \N,
 * integers written by hand, 17 digits): every cell back as written. */
START_TEST(test_text_edges)
{
    const backend *b = B(_i);
    drop(b, "edges");
    double id[] = {1, 2, 3, 4, 5, 6, 7};
    double x[] = {-0.5, 1e-300, 999999999999999, -999999999999999, 1e15, -4503599627370497,
                  0.30000000000000004};
    const char *t[] = {"\\N", "N", "\\", "a\r\nb", "\\t\\n", "\t", "NULL"};
    crm_dataset *ds = NULL;
    ck_assert(crm_dataset_new(&ds) == CRM_OK);
    ck_assert(crm_dataset_add_number(ds, "id", id, 7) == CRM_OK);
    ck_assert(crm_dataset_add_number(ds, "x", x, 7) == CRM_OK);
    ck_assert(crm_dataset_add_text(ds, "t", t, 7) == CRM_OK);
    ck_assert_msg(crm_dataset_write_sql(ds, b->uri, "edges", NULL) == CRM_OK, "%s: %s", b->name,
                  crm_last_error());
    crm_dataset *back = read_ok(b, "SELECT * FROM edges ORDER BY id");
    assert_same(ds, back, b->name);
    crm_dataset_free(back);
    crm_dataset_free(ds);
    drop(b, "edges");
}
END_TEST

static Suite *servers_suite(void)
{
    Suite *s = suite_create("sql_servers");
    int nserv = nbackends - 1;
    struct {
        const char *name;
        const TTest *fn;
        int servers_only;
    } cases[] = {
        {"types", test_types, 0},
        {"inexact_refused", test_inexact_refused, 0},
        {"empty_result", test_empty_result, 0},
        {"million_rows", test_million_rows, 0},
        {"round_trip", test_round_trip, 0},
        {"text_edges", test_text_edges, 0},
        {"modes", test_modes, 0},
        {"unwritable", test_unwritable, 0},
        {"failed_create", test_failed_create, 0},
        {"injection", test_injection, 0},
        {"syntax_error", test_syntax_error, 0},
        {"wrong_password", test_wrong_password, 1},
        {"missing_client_library", test_missing_client_library, 1},
        {"server_stops_mid_read", test_server_stops_mid_read, 2},
        {"server_stops_mid_write", test_server_stops_mid_write, 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        TCase *tc = tcase_create(cases[k].name);
        tcase_set_timeout(tc, 240);
        if (cases[k].servers_only == 2) /* the index counts servers: backends 1.. */
            tcase_add_loop_test(tc, cases[k].fn, 0, nserv);
        else if (cases[k].servers_only == 1)
            tcase_add_loop_test(tc, cases[k].fn, 1, nbackends);
        else
            tcase_add_loop_test(tc, cases[k].fn, 0, nbackends);
        suite_add_tcase(s, tc);
    }
    return s;
}

static void add_backend(int kind, const char *name, const char *uri)
{
    backend *b = &backends[nbackends++];
    b->kind = kind;
    b->name = name;
    snprintf(b->uri, sizeof b->uri, "%s", uri);
}

int main(int argc, char **argv)
{
    const char *pg = getenv("CRM_TEST_PG_URI"), *my = getenv("CRM_TEST_MY_URI");
    if ((!pg || !*pg) && (!my || !*my)) {
        printf("%s sql_servers: CRM_TEST_PG_URI and CRM_TEST_MY_URI are not set (run "
               "scripts/ci_sql.sh, which starts throwaway servers)\n",
               crm_test_ci() ? "FAIL" : "SKIP");
        return crm_test_ci() ? EXIT_FAILURE : 77;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/crm_sql_servers_XXXXXX");
    if (!mkdtemp(tmpdir))
        return EXIT_FAILURE;
    char sqlite_uri[512];
    snprintf(sqlite_uri, sizeof sqlite_uri, "sqlite:%s/test.db", tmpdir);
    char db[600];
    snprintf(db, sizeof db, "%s/test.db", tmpdir);
    FILE *f = fopen(db, "w"); /* an empty file is an empty database: reads open it read-only */
    if (!f)
        return EXIT_FAILURE;
    fclose(f);
    add_backend(B_SQLITE, "sqlite", sqlite_uri);
    if (pg && *pg)
        add_backend(B_PG, "postgresql", pg);
    if (my && *my) {
        add_backend(B_MY, "mysql", my);
        /* the same server without LOAD DATA LOCAL INFILE: writes as prepared INSERTs */
        char my_insert[4200];
        snprintf(my_insert, sizeof my_insert, "%s%slocal_infile=0", my,
                 strchr(my, '?') ? "&" : "?");
        add_backend(B_MY, "mysql (local_infile=0)", my_insert);
    }
    SRunner *sr = srunner_create(servers_suite());
    srunner_run(sr, NULL, argc > 1 ? argv[1] : NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    unlink(db);
    rmdir(tmpdir);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
