/* A crm command's options described in a table and read in one call:
 * cli_parse_options() runs the whole option loop (positional FILE, CSV flags,
 * --help, the table, unknown options). */
#ifndef CRM_CLI_OPTIONS_H
#define CRM_CLI_OPTIONS_H

#include "args.h"

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

#endif /* CRM_CLI_OPTIONS_H */
