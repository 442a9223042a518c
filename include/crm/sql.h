/**
 * @file crm/sql.h
 * @brief SQL databases: read a query into a dataset, write a dataset into a
 *        table (SQLite, PostgreSQL, MySQL/MariaDB).
 *
 * Connection strings (`uri`):
 * - `sqlite:PATH` (a relative or absolute file name), `sqlite:///abs/path`
 *   (the same as `sqlite:/abs/path`), `sqlite::memory:`. Query keys:
 *   `mode=ro` (open read-only), `mode=rw` (the file must exist), `mode=rwc`
 *   (default: created when absent; reads always open read-only),
 *   `busy_timeout=MS` (wait for a lock held by another connection, default
 *   5000). A '?' or '%' in a file name is written %3F, %25.
 * - `postgresql://user@host:port/db?...` or `postgres://...`, and libpq
 *   keyword strings such as `host=/run/postgresql dbname=shop`: handed to
 *   libpq as they are.
 * - `mysql://user@host:port/db?socket=/run/mysqld/mysqld.sock` or
 *   `mariadb://...` (MariaDB Connector/C).
 * Passwords need not be in the string: libpq reads PGPASSWORD and ~/.pgpass,
 * the MariaDB client its option files (~/.my.cnf). A password that is in the
 * string never appears in an error message. docs/databases.md has every
 * backend's keys.
 *
 * Client libraries are opened at run time (dlopen): libcrm itself links
 * against none of them. When one is not installed, the call fails with
 * CRM_E_UNSUPPORTED naming the Debian package, e.g. "libsqlite3.so.0 not
 * found: install libsqlite3-0 (...)" (PostgreSQL: libpq5, MariaDB:
 * libmariadb3).
 *
 * Reading (crm_dataset_read_sql()). Rows are fetched in batches of
 * `batch_rows` (a server-side cursor or an unbuffered result, never the whole
 * result at once) straight into the dataset's columns, so peak memory is the
 * dataset plus one batch. Each result column becomes one dataset column of
 * the same name (two result columns of one name are refused: give one an
 * alias), its type decided by the declared type of the column:
 *
 * | SQLite declared type | column | cell conversion |
 * |---|---|---|
 * | DATE, DATETIME, TIMESTAMP, TIMESTAMPTZ (first word) | time | text: ISO 8601 (below); an integer or real: Unix seconds (fraction dropped) |
 * | containing INT; REAL, FLOA, DOUB; NUMERIC, DECIMAL, BOOLEAN, BOOL | number | integer: exactly, else CRM_E_TYPE; real: as is; text that is a number: parsed, other text: CRM_E_TYPE |
 * | containing CHAR, CLOB, TEXT | text | an integer or real: its decimal text |
 * | none (an expression), BLOB, anything else | by value | the first non-NULL value decides: integer or real -> number, text -> text; all NULL -> number |
 *
 * NULL is missing in every column. A BLOB value is CRM_E_TYPE (CAST it to
 * TEXT). An integer that a double cannot hold exactly (beyond +-2^53, not a
 * multiple of the spacing there) is CRM_E_TYPE, not silently rounded: CAST
 * such ids AS TEXT. Text must be valid UTF-8; the empty string stays an empty
 * string (not missing).
 *
 * Time rule (every backend): dataset times are seconds since the Unix epoch,
 * UTC. A value with a time zone or offset (TIMESTAMPTZ, text ending in `Z` or
 * `+02:00`) is converted to UTC; a value without one (DATE, DATETIME,
 * TIMESTAMP WITHOUT TIME ZONE, plain text) is read as UTC wall-clock time,
 * never as the session's or machine's local time. Fractions of a second are
 * dropped. Text forms read: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.frac]]`
 * (also with `T`), with an optional `Z`, `+HH:MM` or `+HH` offset.
 *
 * Parameters. `params[0..nparams)` are bound to the placeholders of the
 * query by the client library (`?` in SQLite and MySQL, `$1`, `$2`, ... in
 * PostgreSQL, `?NNN`/`:name` as SQLite allows); they are never pasted into
 * the SQL text, so any text is harmless. Each parameter is a UTF-8 string,
 * or NULL for SQL NULL. Numbers are passed as their decimal text ("42",
 * "9.5"), times as "YYYY-MM-DD HH:MM:SS" (UTC). SQLite binds a canonical
 * decimal integer ("42", "-7", not "042" or "+7") as an INTEGER and every
 * other string as TEXT (its affinity rules convert the text when it is
 * compared with a column); PostgreSQL infers each parameter's type from the
 * query; MySQL binds text and converts as for any string.
 *
 * Writing (crm_dataset_write_sql()). One transaction: the table is exactly
 * as before when anything fails (a refused value, a duplicate key, a lost
 * connection, a cancel from the progress callback). Columns are written by
 * name; rows go in multi-row INSERT statements of up to `batch_rows` rows
 * (fewer when the server's limit of bound parameters is reached), prepared
 * once and executed batch after batch. Modes (@type[enum] crm_sql_mode):
 * - CRM_SQL_CREATE (default): create the table; when it already exists, fail
 *   with CRM_E_STATE and leave it alone (the mode never touches an existing
 *   table);
 * - CRM_SQL_REPLACE: delete every row of the table and insert the dataset's
 *   (the table keeps its definition, indexes, grants and the views on it);
 *   created when absent;
 * - CRM_SQL_APPEND: insert the rows; created when absent;
 * - CRM_SQL_UPSERT: insert the rows, updating the non-key columns of rows
 *   whose key columns (`key_columns`, which need a PRIMARY KEY or UNIQUE
 *   constraint on them) match: one INSERT ... ON CONFLICT (SQLite,
 *   PostgreSQL) or ON DUPLICATE KEY UPDATE (MySQL) per batch, not a
 *   statement per row. Created when absent, with PRIMARY KEY (key_columns).
 * A created table has one column per dataset column, of the type the backend
 * maps the column type to (SQLite: number NUMERIC, text TEXT, time
 * TIMESTAMP; override with `column_types`), and with `key_columns` a
 * PRIMARY KEY on them. Writing into an existing table, every dataset column
 * must exist there (CRM_E_NOTFOUND) and map to the same type when read back
 * (CRM_E_TYPE: a text column into an INTEGER column); columns of the table
 * that the dataset lacks get their defaults. Cells: a missing value is NULL;
 * numbers are bound as doubles (SQLite's NUMERIC stores whole numbers as
 * INTEGER; -0 reads back as 0), +-Inf where the server stores them; text as
 * text; times as the backend's time type (SQLite: the text
 * "YYYY-MM-DD HH:MM:SS", UTC, years 0000 to 9999, else CRM_E_TYPE). So every
 * cell reads back equal with crm_dataset_read_sql().
 *
 * Identifiers. Table and column names are always quoted ("name", `name` in
 * MySQL, with the quote character doubled inside), so any name is a name and
 * never SQL; names with control characters or invalid UTF-8 are refused
 * (CRM_E_INVALID). `table` may be "schema.table" (the first '.' separates
 * them); a table whose own name holds a '.' cannot be addressed.
 *
 * Errors. The server's or client library's message is passed through,
 * prefixed with the backend (and for writes with the table and rows):
 * CRM_E_PARSE for SQL the server refuses (syntax, unknown table or column),
 * CRM_E_IO for a connection that fails or is lost (also a locked SQLite
 * database after busy_timeout, a file that cannot be opened),
 * CRM_E_INVALID for a value or constraint the server refuses (duplicate
 * key, NOT NULL), CRM_E_TYPE for values that cannot be mapped,
 * CRM_E_UNSUPPORTED for a missing client library.
 *
 * Thread-safety. Each call opens its own connection and closes it before it
 * returns; calls from several threads at once are independent. The dataset
 * written is only read (and held while the progress callback runs, as the
 * fits do: crm_dataset_free(), "In use").
 */
#ifndef CRM_SQL_H
#define CRM_SQL_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/**
 * What crm_dataset_write_sql() does with the target table.
 * @type[enum] crm_sql_mode
 */
typedef enum crm_sql_mode {
    CRM_SQL_CREATE = 0,  /**< create it; CRM_E_STATE when it exists (default) */
    CRM_SQL_REPLACE = 1, /**< replace its rows (created when absent) */
    CRM_SQL_APPEND = 2,  /**< add the rows (created when absent) */
    CRM_SQL_UPSERT = 3   /**< insert or update by key_columns (created when absent) */
} crm_sql_mode;

/**
 * Options of crm_dataset_read_sql() and crm_dataset_write_sql(). Initialise
 * with crm_sql_options_init(&o, sizeof o); see crm/common.h for the size rule.
 * @since 1.1
 */
typedef struct crm_sql_options {
    size_t size;                    /**< sizeof as the caller compiled it (set by init) */
    int32_t mode;                   /**< @type[enum] crm_sql_mode; writing only; default
                                         CRM_SQL_CREATE */
    int32_t batch_rows;             /**< rows per fetch (reading) and per INSERT statement
                                         (writing), 1 to 1000000; default 10000 */
    const char *const *key_columns; /**< writing: the key columns of CRM_SQL_UPSERT (required
                                         there) and of the PRIMARY KEY of a created table, or
                                         NULL (default); copied during the call */
    int64_t n_key_columns;          /**< number of entries in key_columns; default 0 */
    const char *const *column_types; /**< writing: SQL types of created columns,
                                          "NAME:TYPE" (e.g. "customer:VARCHAR(64)"; TYPE of
                                          letters, digits, spaces, _ ( ) and commas), or
                                          NULL (default) for the backend's mapping */
    int64_t n_column_types;         /**< number of entries in column_types; default 0 */
    int64_t max_rows;               /**< reading: stop after this many rows; 0 (default) =
                                         all */
    crm_progress_fn progress;       /**< called after every batch with the fraction done
                                         (writing: rows written / rows; reading: rows /
                                         max_rows, 0 without max_rows), or NULL (default);
                                         non-zero cancels (CRM_E_CANCELLED; a write is rolled
                                         back) */
    void *user;                     /**< passed to progress; default NULL */
    const char *client_library;     /**< path or soname of the client library to load
                                         instead of the backend's default (libsqlite3.so.0,
                                         libpq.so.5, libmariadb.so.3), or NULL (default) */
} crm_sql_options;

/**
 * Write the default SQL options into `opts` (mode CREATE, batch_rows 10000,
 * key_columns NULL, n_key_columns 0, column_types NULL, n_column_types 0,
 * max_rows 0, progress NULL, user NULL, client_library NULL).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK; CRM_E_INVALID (opts NULL or size smaller than the first
 *         layout).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 * @since 1.1
 */
CRM_API crm_status crm_sql_options_init(crm_sql_options *opts, size_t size);

/**
 * Run a query and read its rows into a new dataset (types, conversions and
 * the time rule at the top of this header). A query returning no rows gives
 * a dataset with its columns and 0 rows.
 * @param[in]  uri      connection string (see the top of this header)
 * @param[in]  query    one SQL statement returning rows (SELECT, WITH, VALUES,
 *                      PRAGMA ...)
 * @param[in]  params   nparams parameter values (UTF-8 text, NULL entries =
 *                      SQL NULL) bound to the query's placeholders; may be
 *                      NULL when nparams is 0
 * @param[in]  nparams  number of parameters; must equal the number of
 *                      placeholders
 * @param[in]  opts     options (batch_rows, max_rows, progress, user,
 *                      client_library), or NULL for the defaults
 * @param[out] out      the rows, NULL on failure.
 *                      Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL uri, query or out, params NULL with
 *         nparams > 0, a malformed URI, bad options, a parameter that is not
 *         valid UTF-8, a parameter count that differs from the query's, a
 *         query that returns no columns, two result columns of one name);
 *         CRM_E_PARSE (the server refused the query: its message); CRM_E_IO
 *         (cannot connect or open the database, the connection was lost);
 *         CRM_E_TYPE (a value that cannot be mapped: a BLOB, an inexact
 *         integer, text in a number or time column, invalid UTF-8, naming the
 *         column and the 0-based row); CRM_E_UNSUPPORTED (the client library
 *         is not installed, naming the package); CRM_E_CANCELLED (the progress
 *         callback returned non-zero); CRM_E_FORMAT (opts from a newer
 *         library); CRM_E_NOMEM.
 * Ownership: every argument stays the caller's.
 * Thread-safety: safe from any thread; each call uses its own connection.
 * @since 1.1
 */
CRM_API crm_status crm_dataset_read_sql(const char *uri, const char *query,
                                        const char *const *params, size_t nparams,
                                        const crm_sql_options *opts, crm_dataset **out);

/**
 * Write a dataset into a table, in one transaction (modes, types and
 * identifiers at the top of this header).
 * @param[in] ds     dataset to write (at least one column; 0 rows create or
 *                   empty the table as the mode says)
 * @param[in] uri    connection string
 * @param[in] table  table name, or "schema.table"
 * @param[in] opts   options (mode, key_columns, column_types, batch_rows,
 *                   progress, user, client_library), or NULL for the defaults
 * @return CRM_OK; CRM_E_INVALID (NULL ds, uri or table, a dataset without
 *         columns, a malformed URI, bad options, UPSERT without key columns,
 *         a key column listed twice or missing in a row, two rows with the
 *         same key in UPSERT, a bad column_types entry, a name the backend
 *         cannot quote; the server refused a value: a duplicate key on
 *         APPEND, NOT NULL, its message); CRM_E_STATE (CREATE and the table
 *         exists); CRM_E_NOTFOUND (a key column is not in the dataset, a
 *         dataset column is not in the existing table); CRM_E_TYPE (a column
 *         whose type differs from the existing table's, a value the backend
 *         cannot store); CRM_E_PARSE (the server refused the SQL, e.g. upsert
 *         keys without a unique constraint); CRM_E_IO (cannot connect, the
 *         connection was lost, the database is locked or read-only);
 *         CRM_E_UNSUPPORTED; CRM_E_CANCELLED (the progress callback returned
 *         non-zero; rolled back); CRM_E_FORMAT (opts from a newer library);
 *         CRM_E_NOMEM. After any failure the table is exactly as before.
 * Ownership: every argument stays the caller's.
 * Thread-safety: ds is only read (held while the call runs); other threads
 * may read it meanwhile.
 * @since 1.1
 */
CRM_API crm_status crm_dataset_write_sql(const crm_dataset *ds, const char *uri, const char *table,
                                         const crm_sql_options *opts);

CRM_END_DECL

#endif /* CRM_SQL_H */
