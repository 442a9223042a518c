/* Reading a crm command's arguments one at a time: the cursor, the value of
 * an option, and the usage errors ("crm: <message>", the usage line, a hint). */
#ifndef CRM_CLI_ARGS_H
#define CRM_CLI_ARGS_H

#include "errors.h"

#include <stddef.h>
#include <stdint.h>

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

#endif /* CRM_CLI_ARGS_H */
