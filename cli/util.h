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

/* ---- output files ------------------------------------------------------------ */

/* Every file the tool writes (-o, --model, --itemsets, --dot) goes through
 * these, and so through the library's atomic writers (crm/common.h, "Files
 * written atomically"): a file is replaced whole once it is complete, and a
 * failed write leaves it as it was - no partial or new file. A command
 * computes everything before it writes its first file, so that a bad option,
 * bad input or a failed fit writes nothing. The path "-" is standard output,
 * written directly. Each returns 0, or reports the failure on stderr and
 * returns CLI_EXIT_INPUT. */

/* 1 when path is "-" (standard output). */
int cli_is_stdout(const char *path);
/* crm_dataset_write_csv(), or the CSV text on standard output for "-". */
int cli_write_csv(const crm_dataset *ds, const char *path, const crm_csv_options *opts);
/* crm_model_save(), or the model's JSON and a newline on standard output for "-". */
int cli_save_model(const crm_model *m, const char *path);
/* crm_file_write() of a NUL-terminated text, or the text on standard output for "-". */
int cli_write_text(const char *path, const char *text);

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

/* ---- option tables ----------------------------------------------------------- */

/* A command describes its options in a table of cli_option and hands it, with
 * its help printer, CSV flags and positional FILE, to cli_parse_options(),
 * which runs the whole option loop. Write the entries with the CLI_FLAG(...) ..
 * CLI_CALL(...) macros below, which fill in the kind and check the type of
 * the destination, e.g.
 *
 *     const cli_option opts[] = {
 *         {"output", 'o', CLI_FILE(&out)},
 *         {"max-depth", 0, CLI_INT32(&to.max_depth), .min = 0, .max = 100000},
 *         {"criterion", 0, CLI_CHOICE(&to.criterion, criteria)},
 *         {"json", 0, CLI_FLAG(&json)},
 *     };
 *
 * The table may point at local variables (it is then an automatic array). */

/* Kinds of option (cli_option.kind) and the type of their destination. */
enum {
    CLI_OPT_FLAG = 1, /* int32_t: set to 1; a value ("--json=x") is a usage error */
    CLI_OPT_OFF,      /* int32_t: set to 0 ("--no-intercept"); no value */
    CLI_OPT_STRING,   /* const char *: the value as written (borrowed from argv) */
    CLI_OPT_FILE,     /* const char *: a file name; empty is a usage error */
    CLI_OPT_INT,      /* int64_t: a whole number, optionally in [min, max] */
    CLI_OPT_INT32,    /* int32_t: a whole number in [min, max], a range inside
                         int32_t's; without one, int32_t's range */
    CLI_OPT_UINT64,   /* uint64_t: a whole number >= 0 (a seed) */
    CLI_OPT_NUMBER,   /* double: a number, optionally in [min, max] */
    CLI_OPT_DATE,     /* int64_t: YYYY-MM-DD as seconds since the epoch (UTC) */
    CLI_OPT_CHOICE,   /* int32_t: the value of the word given, from a cli_choice list */
    CLI_OPT_CALL      /* anything: a cli_option_fn does all the work */
};

/* cli_option.flags: how the range of a number is read and how its error is
 * worded. The range error is "--NAME wants WANTS" followed by nothing (the
 * default), " (got VALUE)" with the parsed value (CLI_GOT_VALUE: %lld for
 * whole numbers, %g for numbers) or " (got \"TEXT\")" with the value as
 * written (CLI_GOT_TEXT, which also words a value that is no number at all
 * this way instead of "--NAME wants a whole number (got \"TEXT\")"). */
enum {
    CLI_MIN_OPEN = 1,  /* the value must be > min (default >= min) */
    CLI_MAX_OPEN = 2,  /* the value must be < max (default <= max) */
    CLI_GOT_VALUE = 4, /* the range error ends in " (got VALUE)" */
    CLI_GOT_TEXT = 8   /* the range error ends in " (got \"TEXT\")" */
};

/* One word of a CLI_OPT_CHOICE option and the value it stands for. A list ends
 * with {NULL, 0}; its order is the order of the words in the error message
 * "--NAME wants A, B or C (got \"X\")". */
typedef struct cli_choice {
    const char *word;
    int32_t value;
} cli_choice;

/* The handler of a CLI_OPT_CALL option: called with the option as written
 * (take its value with cli_value() and friends, or read o->value for an
 * optional inline value) and the entry's dest. Returns 0, or prints a usage
 * error (cli_usage) and returns -1. */
typedef int cli_option_fn(cli_args *a, const cli_opt *o, void *dest);

/* One option of a command. */
typedef struct cli_option {
    const char *name;          /* long name without the dashes, e.g. "max-depth" */
    char short_name;           /* 'o' for -o, or 0 */
    int kind;                  /* CLI_OPT_* */
    void *dest;                /* where the value goes; its type depends on kind */
    const cli_choice *choices; /* CLI_OPT_CHOICE: the accepted words */
    cli_option_fn *fn;         /* CLI_OPT_CALL: the handler */
    /* CLI_OPT_INT, _INT32, _NUMBER: the accepted range when min < max (exact
     * for whole numbers up to 2^53; max = INFINITY: no upper bound). */
    double min, max;
    int flags; /* CLI_MIN_OPEN | CLI_MAX_OPEN | CLI_GOT_VALUE | CLI_GOT_TEXT */
    /* What the range error says the option wants, e.g. "a number in (0, 1]".
     * Default for whole numbers: "a whole number from MIN to MAX", or "a whole
     * number >= MIN" when max is INFINITY; a range of CLI_OPT_NUMBER needs it. */
    const char *wants;
    int *given; /* set to 1 once the option was read without error; may be NULL */
} cli_option;

/* Destination type check: p as a void *, and a compile-time error (pointer
 * type mismatch) unless p is a T *. */
#define CLI_DEST(T, p) ((void *)(1 ? (p) : (T *)0))

/* The kind and destination of a table entry (see the example above). */
#define CLI_FLAG(p) .kind = CLI_OPT_FLAG, .dest = CLI_DEST(int32_t, p)
#define CLI_OFF(p) .kind = CLI_OPT_OFF, .dest = CLI_DEST(int32_t, p)
#define CLI_STRING(p) .kind = CLI_OPT_STRING, .dest = CLI_DEST(const char *, p)
#define CLI_FILE(p) .kind = CLI_OPT_FILE, .dest = CLI_DEST(const char *, p)
#define CLI_INT(p) .kind = CLI_OPT_INT, .dest = CLI_DEST(int64_t, p)
#define CLI_INT32(p) .kind = CLI_OPT_INT32, .dest = CLI_DEST(int32_t, p)
#define CLI_UINT64(p) .kind = CLI_OPT_UINT64, .dest = CLI_DEST(uint64_t, p)
#define CLI_NUMBER(p) .kind = CLI_OPT_NUMBER, .dest = CLI_DEST(double, p)
#define CLI_DATE(p) .kind = CLI_OPT_DATE, .dest = CLI_DEST(int64_t, p)
#define CLI_CHOICE(p, list) .kind = CLI_OPT_CHOICE, .dest = CLI_DEST(int32_t, p), .choices = (list)
#define CLI_CALL(f, p) .kind = CLI_OPT_CALL, .fn = (f), .dest = (p)

/* The handler of positional arguments when a command takes other than one
 * FILE: called for each one in order. Returns 0, or prints a usage error and
 * returns -1. */
typedef int cli_positional_fn(const cli_args *a, const char *arg, void *dest);

/* Everything cli_parse_options() needs to know about a command. */
typedef struct cli_spec {
    const cli_option *options; /* the command's options (not --help or the CSV flags) */
    size_t noptions;
    struct cli_csvflags *csv;      /* the CSV flags are read into *csv (csvflags.h);
                                      NULL: they are unknown options */
    const char **file;             /* the positional FILE goes here: required, and a
                                      second one is a usage error; NULL: see positional */
    cli_positional_fn *positional; /* when file is NULL; both NULL: a positional
                                      argument is a usage error */
    void *positional_dest;         /* passed to positional */
    void (*help)(const void *ctx); /* prints the command's --help on stdout */
    const void *help_ctx;          /* passed to help */
} cli_spec;

/* Read all of a's arguments as s describes: positional arguments, the CSV
 * flags, --help/-h (calls s->help, once, and stops), the options of the
 * table (a value given twice: the last one counts; CLI_OPT_CALL handlers may
 * collect them) and anything else as an unknown option (cli_unknown).
 * Without FILE (s->file set), "missing FILE". Messages go to stderr.
 * Returns 0 when the command goes on (*rc = CLI_EXIT_OK), or 1 when it must
 * stop and return *rc: CLI_EXIT_OK after --help, CLI_EXIT_USAGE after a usage
 * error. Values stored through the table are borrowed from argv. */
int cli_parse_options(cli_args *a, const cli_spec *s, int *rc);

/* ---- --mutate NAME=EXPR ----------------------------------------------------- */

/* Check the syntax of a --mutate argument ("NAME=EXPR", both non-empty).
 * Returns 0, or prints a usage error and returns CLI_EXIT_USAGE. */
int cli_check_mutate(const cli_args *a, const char *arg);

/* Apply a checked --mutate argument to ds (crm_dataset_mutate). Returns CRM_OK,
 * the library's status (message in crm_last_error()), or CRM_E_NOMEM. */
crm_status cli_mutate(crm_dataset *ds, const char *arg);

/* The --mutate arguments of a command, in order (borrowed from argv). */
typedef struct cli_mutate_list {
    const char **v; /* room for one per command-line argument */
    size_t n;
} cli_mutate_list;

/* Make room for argc entries. Returns 0, or prints "out of memory" and
 * returns CLI_EXIT_INPUT. Free with cli_mutate_list_free(). */
int cli_mutate_list_init(cli_mutate_list *l, int argc);
void cli_mutate_list_free(cli_mutate_list *l);

/* CLI_CALL callback of a repeatable --mutate NAME=EXPR option (dest: a
 * cli_mutate_list): checks the syntax (cli_check_mutate) and appends it. */
int cli_mutate_option(cli_args *a, const cli_opt *o, void *dest);

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
/* End a model command's --json object on stdout: `, "output": OUT, "model":
 * MODEL}` and a newline, each path as a string or null when not given. */
void cli_json_files_end(const char *out, const char *model_path);

/* ---- lists and tables ------------------------------------------------------- */

/* Split "a,b,c" into *n new strings (*out: a new array; free with
 * cli_free_list). Returns 0, or -1 when out of memory. */
int cli_split_list(const char *s, char ***out, size_t *n);
void cli_free_list(char **v, size_t n);

/* The --target and --features of a supervised command (tree, logreg, linreg):
 * both are required and non-empty ("--target is required" as a usage error);
 * the features are split at commas into *feats / *n (free with cli_free_list).
 * Returns 0, the usage exit status, or CLI_EXIT_INPUT when out of memory. */
int cli_target_features(const cli_args *a, const char *target, const char *featarg, char ***feats,
                        size_t *n);

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
