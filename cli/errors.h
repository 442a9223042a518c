/* Exit codes and error messages of the crm command-line tool: every message
 * goes to stderr as "crm: <message>". */
#ifndef CRM_CLI_ERRORS_H
#define CRM_CLI_ERRORS_H

#include <stdarg.h>

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

/* Print "crm: <message>" and a newline on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* cli_error() with the arguments in a va_list. */
void cli_verror(const char *fmt, va_list ap) CLI_PRINTF(1, 0);

/* Report the calling thread's last libcrm failure as "crm: <crm_last_error()>",
 * prefixed with "<name>: " when the message does not already mention `name`
 * (a file name, say). Returns CLI_EXIT_INPUT. */
int cli_lib_error(const char *name);

/* Print "crm: out of memory"; returns CLI_EXIT_INPUT. */
int cli_out_of_memory(void);

#endif /* CRM_CLI_ERRORS_H */
