/* The CSV flags every crm command accepts, turned into a crm_csv_options:
 *   --delimiter C       field separator: one character, or "tab"
 *   --decimal-comma     ',' is the decimal separator
 *   --type COL:TYPE     column type override (number, text, time); repeatable
 *   --na STR            extra missing-value string (adds to the defaults); repeatable
 *   --date-format FMT   strptime-style format for time columns
 *   --lenient           ragged rows and invalid UTF-8 are repaired, not refused
 *   --no-header         the first line is data
 *   --max-rows N        read at most N data rows
 *   --max-bytes N       refuse text longer than N bytes (K, M, G suffixes)
 * and the database flags (crm/sql.h), the same for every command:
 *   --sql URI --query SQL [--param VALUE]...   read the input from a query
 *                       instead of FILE
 *   -o URI --table NAME [--mode create|replace|append|upsert] [--key COL[,COL]]
 *                       write the output into a table (cli_write_table)
 */
#ifndef CRM_CLI_CSVFLAGS_H
#define CRM_CLI_CSVFLAGS_H

#include "args.h"

#include "crm/dataset.h"

#include <stddef.h>

typedef struct cli_csvflags {
    crm_csv_options opts; /* ready to pass to the library after parsing */
    const char **na;      /* --na values (borrowed from argv) */
    size_t nna;
    const char **types; /* --type values (borrowed from argv) */
    size_t ntypes;
    /* SQL source and sink; every string borrowed from argv */
    const char *sql;     /* --sql URI, or NULL: read FILE */
    const char *query;   /* --query */
    const char **params; /* --param values in order */
    size_t nparams;
    const char *table;  /* --table: the table -o URI writes */
    int32_t mode;       /* --mode (crm_sql_mode) */
    char **keys;        /* --key split at commas (owned) */
    size_t nkeys;
} cli_csvflags;

/* Help text of the CSV flags, one flag per line, indented by two spaces. */
extern const char cli_csvflags_help[];

/* Defaults. Returns 0, or prints an error and returns CLI_EXIT_INPUT. */
int cli_csvflags_init(cli_csvflags *f, int argc);

/* Handle o when it is a CSV flag. Returns 1 when consumed, 0 when o is not a
 * CSV flag, -1 after printing a usage error. */
int cli_csvflags_try(cli_csvflags *f, cli_args *a, const cli_opt *o);

void cli_csvflags_free(cli_csvflags *f);

/* After the options were read: --sql needs --query and no FILE (then *file
 * becomes the URI, for messages); --query, --param need --sql; a password in
 * the URI is refused. Returns 0, or prints a usage error and returns -1. */
int cli_csvflags_check(cli_csvflags *f, const cli_args *a, const char **file);

/* 1 when s is a database URI (sqlite:, postgresql://, postgres://, mysql://,
 * mariadb://) rather than a file name. */
int cli_is_sql_uri(const char *s);

/* 1 when a connection string holds a password ("user:pw@host" or "password=...");
 * the tool refuses those: a command line is visible to other users. */
int cli_uri_has_password(const char *uri);

/* Read the command's input: the query of --sql, or the CSV file path. */
crm_status cli_read_table(const char *path, const cli_csvflags *f, crm_dataset **out);

#endif /* CRM_CLI_CSVFLAGS_H */
