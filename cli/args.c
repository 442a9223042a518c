/* Reading a command's arguments (see args.h). */
#include "args.h"

#include "errors.h"
#include "values.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_args_init(cli_args *a, int argc, char **argv, const char *cmd, const char *usage)
{
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    a->only_positional = 0;
    a->cmd = cmd;
    a->usage = usage;
}

int cli_next(cli_args *a, cli_opt *o, const char **positional)
{
    for (;;) {
        if (a->i >= a->argc) return CLI_END;
        const char *s = a->argv[a->i++];
        if (a->only_positional || s[0] != '-' || s[1] == '\0') {
            *positional = s;
            return CLI_POSITIONAL;
        }
        if (strcmp(s, "--") == 0) {
            a->only_positional = 1;
            continue;
        }
        memset(o, 0, sizeof *o);
        o->text = s;
        if (s[1] == '-') {
            o->name = s + 2;
            const char *eq = strchr(o->name, '=');
            o->len = eq ? (size_t)(eq - o->name) : strlen(o->name);
            o->value = eq ? eq + 1 : NULL;
        } else {
            o->name = s + 1;
            o->len = 1;
            o->is_short = 1;
            o->value = s[2] ? s + 2 : NULL;
            if (o->value && o->value[0] == '=') o->value++;
        }
        return CLI_OPTION;
    }
}

int cli_is(const cli_opt *o, const char *long_name, char short_name)
{
    if (o->is_short) return short_name && o->name[0] == short_name;
    return long_name && strlen(long_name) == o->len && strncmp(o->name, long_name, o->len) == 0;
}

static void usage_tail(const cli_args *a)
{
    fprintf(stderr, "usage: %s\n", a->usage);
    if (a->cmd)
        fprintf(stderr, "Try 'crm %s --help' for more information.\n", a->cmd);
    else
        fputs("Try 'crm --help' for more information.\n", stderr);
}

int cli_usage(const cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(fmt, ap);
    va_end(ap);
    usage_tail(a);
    return CLI_EXIT_USAGE;
}

int cli_value(cli_args *a, const cli_opt *o, const char **out)
{
    if (o->value) {
        *out = o->value;
        return 0;
    }
    if (a->i >= a->argc) {
        cli_usage(a, "option %s needs a value", o->text);
        return -1;
    }
    *out = a->argv[a->i++];
    return 0;
}

int cli_one_file(const cli_args *a, const char *pos, const char **path)
{
    if (*path) return cli_usage(a, "unexpected argument \"%s\" (one FILE only)", pos);
    *path = pos;
    return 0;
}

int cli_file_value(cli_args *a, const cli_opt *o, const char **out)
{
    int r = cli_value(a, o, out);
    if (!r && !(*out)[0]) {
        if (o->is_short)
            cli_usage(a, "-%.*s wants a file name", (int)o->len, o->name);
        else
            cli_usage(a, "--%.*s wants a file name", (int)o->len, o->name);
        return -1;
    }
    return r;
}

/* cli_value() parsed as a whole number (whole: into an int64_t) or a number
 * (into a double). Returns 0, or prints a usage error and returns -1. */
static int parsed_value(cli_args *a, const cli_opt *o, int whole, void *out)
{
    const char *v = NULL;
    if (cli_value(a, o, &v)) return -1;
    if (whole ? cli_parse_int64(v, out) : cli_parse_double(v, out)) {
        cli_usage(a, "--%.*s wants %s (got \"%s\")", (int)o->len, o->name,
                  whole ? "a whole number" : "a number", v);
        return -1;
    }
    return 0;
}

int cli_int_value(cli_args *a, const cli_opt *o, int64_t *out)
{
    return parsed_value(a, o, 1, out);
}

int cli_number_value(cli_args *a, const cli_opt *o, double *out)
{
    return parsed_value(a, o, 0, out);
}

int cli_flag(const cli_args *a, const cli_opt *o)
{
    if (o->value) {
        if (o->is_short)
            cli_usage(a, "unknown option %s", o->text);
        else
            cli_usage(a, "option --%.*s takes no value", (int)o->len, o->name);
        return -1;
    }
    return 0;
}

int cli_unknown(const cli_args *a, const cli_opt *o)
{
    if (o->is_short) return cli_usage(a, "unknown option -%c", o->name[0]);
    return cli_usage(a, "unknown option --%.*s", (int)o->len, o->name);
}
