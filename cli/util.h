/* Shared helpers of the crm command-line tool: messages and exit codes,
 * argument parsing, JSON output, value parsing and date formatting.
 * The tool uses only libcrm's public API. */
#ifndef CRM_CLI_UTIL_H
#define CRM_CLI_UTIL_H

#include <crm.h>

#include <stdint.h>
#include <stdio.h>

/* Exit codes. */
enum {
    CLI_EXIT_OK = 0,    /* success */
    CLI_EXIT_INPUT = 1, /* bad input: a library call failed */
    CLI_EXIT_USAGE = 2  /* unknown flag, missing argument, bad command line */
};

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* ---- messages ---------------------------------------------------------- */

/* Print "crm: <message>" and a newline on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Report the calling thread's last libcrm failure as "crm: <crm_last_error()>",
 * prefixed with "<name>: " when the message does not already mention `name`
 * (a file name, say). Returns CLI_EXIT_INPUT. */
int cli_lib_error(const char *name);

/* ---- argument parsing ---------------------------------------------------- */

/* A cursor over a command's arguments. Options are "--name", "--name=value",
 * "--name value", "-x", "-xVALUE" and "-x VALUE"; "--" ends the options and "-"
 * alone is a positional argument. */
typedef struct cli_args {
    int argc;
    char **argv;
    int i; /* next argument */
    int only_positional;
    const char *cmd;   /* command name for messages, e.g. "info" */
    const char *usage; /* one-line usage, e.g. "crm info FILE [options]" */
} cli_args;

/* One option as written on the command line. */
typedef struct cli_opt {
    const char *name;  /* long or short name, without dashes (not NUL-terminated) */
    size_t len;        /* length of name */
    int is_short;      /* 1 for "-x" */
    const char *value; /* inline value ("--name=value", "-xVALUE"), or NULL */
    const char *text;  /* the argument as written */
} cli_opt;

enum { CLI_END = 0, CLI_OPTION = 1, CLI_POSITIONAL = 2 };

void cli_args_init(cli_args *a, int argc, char **argv, const char *cmd, const char *usage);

/* Next item: CLI_OPTION (fills *o), CLI_POSITIONAL (sets *positional) or CLI_END. */
int cli_next(cli_args *a, cli_opt *o, const char **positional);

/* 1 when o is --long_name (or -short_name when short_name is not 0). */
int cli_is(const cli_opt *o, const char *long_name, char short_name);

/* The value of an option that takes one (inline, or the next argument).
 * Returns 0, or prints a usage error and returns -1. */
int cli_value(cli_args *a, const cli_opt *o, const char **out);

/* Take the positional argument FILE into *path; a second one is a usage
 * error. Returns 0, or the usage exit status. */
int cli_one_file(const cli_args *a, const char *pos, const char **path);

/* cli_value() for an option naming a file: an empty value is a usage error. */
int cli_file_value(cli_args *a, const cli_opt *o, const char **out);

/* cli_value() parsed as a whole number / a number; anything else is a usage
 * error naming the option ("--bins wants a whole number (got "x")"). */
int cli_int_value(cli_args *a, const cli_opt *o, int64_t *out);
int cli_number_value(cli_args *a, const cli_opt *o, double *out);

/* Check that a flag was given without a value. Returns 0, or prints a usage
 * error and returns -1. */
int cli_flag(const cli_args *a, const cli_opt *o);

/* Print "crm: unknown option X", the usage line and a hint; returns CLI_EXIT_USAGE. */
int cli_unknown(const cli_args *a, const cli_opt *o);

/* Print "crm: <message>", the usage line and a hint; returns CLI_EXIT_USAGE. */
int cli_usage(const cli_args *a, const char *fmt, ...) CLI_PRINTF(2, 3);

/* ---- --mutate NAME=EXPR ----------------------------------------------------- */

/* Check the syntax of a --mutate argument ("NAME=EXPR", both non-empty).
 * Returns 0, or prints a usage error and returns CLI_EXIT_USAGE. */
int cli_check_mutate(const cli_args *a, const char *arg);

/* Apply a checked --mutate argument to ds (crm_dataset_mutate). Returns CRM_OK,
 * the library's status (message in crm_last_error()), or CRM_E_NOMEM. */
crm_status cli_mutate(crm_dataset *ds, const char *arg);

/* ---- values ------------------------------------------------------------------ */

/* Whole-string parses; return 0 on success, -1 when s is not a valid value. */
int cli_parse_int64(const char *s, int64_t *out);
int cli_parse_uint64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);
/* "YYYY-MM-DD" to seconds since the epoch (UTC midnight). */
int cli_parse_date(const char *s, int64_t *out);

/* Seconds since the epoch as "YYYY-MM-DD HH:MM:SS" (buf >= 32 bytes). */
void cli_format_time(int64_t t, char *buf, size_t size);
/* A number for people: integers without a fraction, others with 6
 * significant digits (no exponent between 1e-4 and 1e15); "-" for NaN. */
void cli_format_number(double v, char *buf, size_t size);

/* ---- JSON ----------------------------------------------------------------- */

/* Write s as a JSON string literal (quotes, escapes; invalid UTF-8 bytes
 * become U+FFFD). */
void cli_json_string(FILE *f, const char *s);
/* Write v as a JSON number that reads back exactly; null for NaN and infinities. */
void cli_json_number(FILE *f, double v);

/* ---- lists and tables ------------------------------------------------------- */

/* Split "a,b,c" into *n new strings (*out: a new array; free with
 * cli_free_list). Returns 0, or -1 when out of memory. */
int cli_split_list(const char *s, char ***out, size_t *n);
void cli_free_list(char **v, size_t n);

/* Print a table on stdout as a JSON list of row objects keyed by column name:
 * numbers (null for missing), text (null for missing), times as "YYYY-MM-DD". */
void cli_table_json(const crm_dataset *t);

/* Print every statistic of m (crm_model_stat_count / _name / crm_model_stat) on
 * stdout as one JSON object {"name": value, ...}, in the model's order. */
void cli_stats_json(const crm_model *m);

/* ---- commands -------------------------------------------------------------- */

int cli_cmd_apriori(int argc, char **argv);
int cli_cmd_arima(int argc, char **argv);
int cli_cmd_clean(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_kmeans(int argc, char **argv);
int cli_cmd_predict(int argc, char **argv);
int cli_cmd_linreg(int argc, char **argv);
int cli_cmd_logreg(int argc, char **argv);
/* crm logreg (logistic = 1) and crm linreg (0), cli/logreg.c. */
int cli_regression(int argc, char **argv, int logistic);
int cli_cmd_rfm(int argc, char **argv);
int cli_cmd_synth(int argc, char **argv);
int cli_cmd_tree(int argc, char **argv);

#endif /* CRM_CLI_UTIL_H */
