/* The option loop of every crm command (see options.h). */
#include "options.h"

#include "csvflags.h"
#include "errors.h"
#include "values.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_whole(const cli_option *op)
{
    return op->kind == CLI_OPT_INT || op->kind == CLI_OPT_INT32;
}

/* The range of op: [*lo, *hi]; 0 when op has none. */
static int range_of(const cli_option *op, double *lo, double *hi)
{
    *lo = op->min;
    *hi = op->max;
    if (op->min < op->max) return 1;
    if (op->kind != CLI_OPT_INT32) return 0;
    *lo = INT32_MIN;
    *hi = INT32_MAX;
    return 1;
}

static int in_range(const cli_option *op, double v)
{
    double lo, hi;
    if (!range_of(op, &lo, &hi)) return 1;
    int lo_ok = op->flags & CLI_MIN_OPEN ? v > lo : v >= lo;
    int hi_ok = op->flags & CLI_MAX_OPEN ? v < hi : v <= hi;
    return lo_ok && hi_ok;
}

/* "--NAME wants WANTS" and the ending op->flags ask for; returns -1. */
static int range_error(const cli_args *a, const cli_option *op, const char *text, int64_t iv,
                       double dv)
{
    char buf[96];
    const char *wants = op->wants;
    if (!wants) {
        double lo, hi;
        range_of(op, &lo, &hi);
        if (!is_whole(op))
            snprintf(buf, sizeof buf, "a number from %g to %g", lo, hi);
        else if (isinf(hi))
            snprintf(buf, sizeof buf, "a whole number >= %lld", (long long)lo);
        else
            snprintf(buf, sizeof buf, "a whole number from %lld to %lld", (long long)lo,
                     (long long)hi);
        wants = buf;
    }
    if (op->flags & CLI_GOT_TEXT)
        cli_usage(a, "--%s wants %s (got \"%s\")", op->name, wants, text);
    else if ((op->flags & CLI_GOT_VALUE) && is_whole(op))
        cli_usage(a, "--%s wants %s (got %lld)", op->name, wants, (long long)iv);
    else if (op->flags & CLI_GOT_VALUE)
        cli_usage(a, "--%s wants %s (got %g)", op->name, wants, dv);
    else
        cli_usage(a, "--%s wants %s", op->name, wants);
    return -1;
}

/* "--NAME wants A, B or C (got \"X\")"; returns -1. */
static int choice_error(const cli_args *a, const cli_option *op, const char *v)
{
    char buf[256];
    size_t len = 0, n = 0;
    buf[0] = '\0';
    while (op->choices[n].word)
        n++;
    for (size_t i = 0; i < n && len < sizeof buf; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int k = snprintf(buf + len, sizeof buf - len, "%s%s", sep, op->choices[i].word);
        if (k < 0) break;
        len += (size_t)k;
    }
    cli_usage(a, "--%s wants %s (got \"%s\")", op->name, buf, v);
    return -1;
}

/* Read the value of option o (entry op) into op->dest. Returns 0 or -1. */
static int take_option(cli_args *a, const cli_opt *o, const cli_option *op)
{
    const char *v = NULL;
    int64_t iv = 0;
    double dv = 0;
    switch (op->kind) {
    case CLI_OPT_FLAG:
    case CLI_OPT_OFF:
        if (cli_flag(a, o)) return -1;
        *(int32_t *)op->dest = op->kind == CLI_OPT_FLAG;
        return 0;
    case CLI_OPT_STRING:
        return cli_value(a, o, (const char **)op->dest);
    case CLI_OPT_FILE:
        return cli_file_value(a, o, (const char **)op->dest);
    case CLI_OPT_INT:
    case CLI_OPT_INT32:
        if (op->flags & CLI_GOT_TEXT) {
            if (cli_value(a, o, &v)) return -1;
            if (cli_parse_int64(v, &iv)) return range_error(a, op, v, 0, 0);
        } else if (cli_int_value(a, o, &iv)) {
            return -1;
        }
        if (!in_range(op, (double)iv)) return range_error(a, op, v, iv, 0);
        if (op->kind == CLI_OPT_INT)
            *(int64_t *)op->dest = iv;
        else
            *(int32_t *)op->dest = (int32_t)iv;
        return 0;
    case CLI_OPT_NUMBER:
        if (op->flags & CLI_GOT_TEXT) {
            if (cli_value(a, o, &v)) return -1;
            if (cli_parse_double(v, &dv)) return range_error(a, op, v, 0, 0);
        } else if (cli_number_value(a, o, &dv)) {
            return -1;
        }
        if (!in_range(op, dv)) return range_error(a, op, v, 0, dv);
        *(double *)op->dest = dv;
        return 0;
    case CLI_OPT_UINT64:
    case CLI_OPT_DATE: {
        int date = op->kind == CLI_OPT_DATE;
        if (cli_value(a, o, &v)) return -1;
        if (date ? cli_parse_date(v, (int64_t *)op->dest)
                 : cli_parse_uint64(v, (uint64_t *)op->dest)) {
            cli_usage(a, "--%s wants %s (got \"%s\")", op->name,
                      date ? "a date YYYY-MM-DD" : "a whole number >= 0", v);
            return -1;
        }
        return 0;
    }
    case CLI_OPT_CHOICE:
        if (cli_value(a, o, &v)) return -1;
        for (const cli_choice *c = op->choices; c->word; c++) {
            if (strcmp(v, c->word) == 0) {
                *(int32_t *)op->dest = c->value;
                return 0;
            }
        }
        return choice_error(a, op, v);
    default:
        return op->fn(a, o, op->dest);
    }
}

int cli_parse_options(cli_args *a, const cli_spec *s, int *rc)
{
    cli_opt o;
    const char *pos = NULL;
    int k;
    *rc = CLI_EXIT_OK;
    while ((k = cli_next(a, &o, &pos)) != CLI_END) {
        int r = 0;
        if (k == CLI_POSITIONAL) {
            if (s->file)
                r = cli_one_file(a, pos, s->file) ? -1 : 0;
            else if (s->positional)
                r = s->positional(a, pos, s->positional_dest);
            else {
                cli_usage(a, "unexpected argument \"%s\"", pos);
                r = -1;
            }
        } else if (s->csv && (r = cli_csvflags_try(s->csv, a, &o)) != 0) {
            /* a CSV flag: consumed (1) or a usage error (-1) */
        } else if (s->help && cli_is(&o, "help", 'h')) {
            s->help(s->help_ctx);
            return 1;
        } else {
            const cli_option *op = NULL;
            for (size_t i = 0; i < s->noptions && !op; i++)
                if (cli_is(&o, s->options[i].name, s->options[i].short_name)) op = &s->options[i];
            if (!op) {
                *rc = cli_unknown(a, &o);
                return 1;
            }
            r = take_option(a, &o, op);
            if (r == 0 && op->given) *op->given = 1;
        }
        if (r < 0) {
            *rc = CLI_EXIT_USAGE;
            return 1;
        }
    }
    if (s->csv && cli_csvflags_check(s->csv, a, s->file)) {
        *rc = CLI_EXIT_USAGE;
        return 1;
    }
    if (s->file && !*s->file) {
        *rc = cli_usage(a, "missing FILE (or --sql URI --query SQL)");
        return 1;
    }
    return 0;
}
