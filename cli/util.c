/* Shared helpers of the crm command-line tool (see util.h). */
#include "util.h"

#include "csvflags.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------- */

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("crm: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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

/* ---- output files ------------------------------------------------------------ */

int cli_is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

/* len bytes to standard output, flushed. */
static int put_stdout(const char *data, size_t len)
{
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_INPUT;
    }
    return 0;
}

int cli_write_csv(const crm_dataset *ds, const char *path, const crm_csv_options *opts)
{
    if (!cli_is_stdout(path))
        return crm_dataset_write_csv(ds, path, opts) == CRM_OK ? 0 : cli_lib_error(path);
    char *csv = NULL;
    if (crm_dataset_to_csv_string(ds, opts, &csv) != CRM_OK) return cli_lib_error(NULL);
    int rc = put_stdout(csv, strlen(csv));
    crm_free(csv);
    return rc;
}

int cli_save_model(const crm_model *m, const char *path)
{
    if (!cli_is_stdout(path))
        return crm_model_save(m, path) == CRM_OK ? 0 : cli_lib_error(path);
    char *js = NULL;
    if (crm_model_to_json(m, &js) != CRM_OK) return cli_lib_error(NULL);
    int rc = put_stdout(js, strlen(js));
    if (!rc) rc = put_stdout("\n", 1);
    crm_free(js);
    return rc;
}

int cli_write_text(const char *path, const char *text)
{
    if (cli_is_stdout(path)) return put_stdout(text, strlen(text));
    return crm_file_write(path, text, strlen(text)) == CRM_OK ? 0 : cli_lib_error(path);
}

/* ---- argument parsing ---------------------------------------------------- */

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
    fputs("crm: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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

int cli_int_value(cli_args *a, const cli_opt *o, int64_t *out)
{
    const char *v = NULL;
    if (cli_value(a, o, &v)) return -1;
    if (cli_parse_int64(v, out)) {
        cli_usage(a, "--%.*s wants a whole number (got \"%s\")", (int)o->len, o->name, v);
        return -1;
    }
    return 0;
}

int cli_number_value(cli_args *a, const cli_opt *o, double *out)
{
    const char *v = NULL;
    if (cli_value(a, o, &v)) return -1;
    if (cli_parse_double(v, out)) {
        cli_usage(a, "--%.*s wants a number (got \"%s\")", (int)o->len, o->name, v);
        return -1;
    }
    return 0;
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

/* ---- option tables ----------------------------------------------------------- */

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
    if (s->file && !*s->file) {
        *rc = cli_usage(a, "missing FILE");
        return 1;
    }
    return 0;
}

/* ---- values ------------------------------------------------------------------ */

int cli_parse_int64(const char *s, int64_t *out)
{
    if (!s[0] || s[0] == ' ' || s[0] == '\t') return -1;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *out = (int64_t)v;
    return 0;
}

int cli_parse_uint64(const char *s, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9') return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    if (!s[0] || s[0] == ' ' || s[0] == '\t') return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno == ERANGE || *end) return -1;
    *out = v;
    return 0;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int cli_parse_date(const char *s, int64_t *out)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(s) != sizeof shape - 1) return -1;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return -1;
    }
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int64_t m = (s[5] - '0') * 10 + (s[6] - '0');
    int64_t d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap) return -1;
    *out = days_from_civil(y, m, d) * 86400;
    return 0;
}

void cli_format_time(int64_t t, char *buf, size_t size)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", (long long)y, (long long)m,
             (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60),
             (long long)(secs % 60));
}

void cli_format_number(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else if (fabs(v) < 1e15 && v == floor(v))
        snprintf(buf, size, "%.0f", v);
    else if (fabs(v) >= 1e5 && fabs(v) < 1e15)
        snprintf(buf, size, "%.1f", v);
    else
        snprintf(buf, size, "%.6g", v);
}

/* ---- JSON ----------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned min;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

void cli_json_files_end(const char *out, const char *model_path)
{
    const char *name[2] = {"output", "model"}, *val[2] = {out, model_path};
    for (int i = 0; i < 2; i++) {
        printf(", \"%s\": ", name[i]);
        if (val[i])
            cli_json_string(stdout, val[i]);
        else
            fputs("null", stdout);
    }
    fputs("}\n", stdout);
}

void cli_json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n':
                fputs("\\n", f);
                break;
            case '\r':
                fputs("\\r", f);
                break;
            case '\t':
                fputs("\\t", f);
                break;
            case '\b':
                fputs("\\b", f);
                break;
            case '\f':
                fputs("\\f", f);
                break;
            default:
                fprintf(f, "\\u%04x", c);
            }
            s++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            s++;
        } else {
            size_t n = utf8_seq(s);
            if (n == 0) {
                fputs("\\ufffd", f);
                s++;
            } else {
                fwrite(s, 1, n, f);
                s += n;
            }
        }
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, f);
}

int cli_check_mutate(const cli_args *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return cli_usage(a, "--mutate wants NAME=EXPR, got \"%s\"", arg);
    return 0;
}

crm_status cli_mutate(crm_dataset *ds, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t len = (size_t)(eq - arg);
    char *name = malloc(len + 1);
    if (!name) return CRM_E_NOMEM;
    memcpy(name, arg, len);
    name[len] = '\0';
    crm_status st = crm_dataset_mutate(ds, name, eq + 1);
    free(name);
    return st;
}

int cli_mutate_list_init(cli_mutate_list *l, int argc)
{
    l->n = 0;
    l->v = calloc((size_t)(argc > 0 ? argc : 1), sizeof *l->v);
    if (l->v) return 0;
    cli_error("out of memory");
    return CLI_EXIT_INPUT;
}

void cli_mutate_list_free(cli_mutate_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int cli_mutate_option(cli_args *a, const cli_opt *o, void *dest)
{
    cli_mutate_list *l = dest;
    const char *v = NULL;
    if (cli_value(a, o, &v) || cli_check_mutate(a, v)) return -1;
    l->v[l->n++] = v;
    return 0;
}

/* Split "a,b,c" into a new array of new strings. */
int cli_split_list(const char *s, char ***out, size_t *n)
{
    size_t cnt = 1;
    for (const char *p = s; *p; p++)
        cnt += *p == ',';
    char **v = calloc(cnt, sizeof *v);
    if (!v) return -1;
    size_t i = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        v[i] = malloc(len + 1);
        if (!v[i]) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return -1;
        }
        memcpy(v[i], p, len);
        v[i][len] = '\0';
        i++;
        if (!e) break;
        p = e + 1;
    }
    *out = v;
    *n = cnt;
    return 0;
}

void cli_free_list(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int cli_target_features(const cli_args *a, const char *target, const char *featarg, char ***feats,
                        size_t *n)
{
    if (!target || !target[0]) return cli_usage(a, "--target is required");
    if (!featarg || !featarg[0]) return cli_usage(a, "--features is required");
    if (cli_split_list(featarg, feats, n)) {
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    return 0;
}

void cli_table_json(const crm_dataset *t)
{
    size_t nr = crm_dataset_nrows(t), nc = crm_dataset_ncols(t);
    fputs("[", stdout);
    for (size_t r = 0; r < nr; r++) {
        fputs(r ? ", {" : "{", stdout);
        for (size_t c = 0; c < nc; c++) {
            const char *name = NULL;
            int32_t type = 0;
            crm_dataset_column_name(t, c, &name);
            crm_dataset_column_type(t, c, &type);
            fputs(c ? ", " : "", stdout);
            cli_json_string(stdout, name);
            fputs(": ", stdout);
            if (type == CRM_TYPE_TEXT) {
                const char *s = NULL;
                crm_dataset_get_text(t, c, r, &s);
                if (s)
                    cli_json_string(stdout, s);
                else
                    fputs("null", stdout);
            } else if (type == CRM_TYPE_TIME) {
                int64_t tv = 0;
                char b[32];
                crm_dataset_get_time(t, c, r, 1, &tv);
                cli_format_time(tv, b, sizeof b);
                b[10] = '\0';
                cli_json_string(stdout, b);
            } else {
                double v = NAN;
                crm_dataset_get_number(t, c, r, 1, &v);
                cli_json_number(stdout, v);
            }
        }
        fputs("}", stdout);
    }
    fputs("]", stdout);
}

void cli_stats_json(const crm_model *m)
{
    size_t n = 0;
    crm_model_stat_count(m, &n);
    fputs("{", stdout);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        double v = NAN;
        crm_model_stat_name(m, i, &name);
        crm_model_stat(m, name, &v);
        fputs(i ? ", " : "", stdout);
        cli_json_string(stdout, name);
        fputs(": ", stdout);
        cli_json_number(stdout, v);
    }
    fputs("}", stdout);
}
