/* Exit codes and error messages of the crm tool (see errors.h). */
#include "errors.h"

#include "crm/common.h"

#include <stdio.h>
#include <string.h>

void cli_verror(const char *fmt, va_list ap)
{
    fputs("crm: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(fmt, ap);
    va_end(ap);
}

int cli_lib_error(const char *name)
{
    const char *msg = crm_last_error();
    if (!msg[0]) msg = "unknown error";
    if (name && !strstr(msg, name))
        cli_error("%s: %s", name, msg);
    else
        cli_error("%s", msg);
    return CLI_EXIT_INPUT;
}

int cli_out_of_memory(void)
{
    cli_error("out of memory");
    return CLI_EXIT_INPUT;
}
