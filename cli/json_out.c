/* JSON output of --json (see json_out.h). */
#include "json_out.h"

#include "values.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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
            const char *esc = c == '\n'   ? "\\n"
                              : c == '\r' ? "\\r"
                              : c == '\t' ? "\\t"
                              : c == '\b' ? "\\b"
                              : c == '\f' ? "\\f"
                                          : NULL;
            if (esc)
                fputs(esc, f);
            else
                fprintf(f, "\\u%04x", c);
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

void cli_json_string_or_null(FILE *f, const char *s)
{
    if (s)
        cli_json_string(f, s);
    else
        fputs("null", f);
}

void cli_json_string_list(FILE *f, char *const *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        cli_json_string(f, v[i]);
    }
    fputc(']', f);
}

void cli_json_model_start(const char *path, size_t rows, const char *target, char *const *feats,
                          size_t nfeats, const crm_model *m)
{
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, path);
    printf(", \"rows\": %zu, \"target\": ", rows);
    cli_json_string(stdout, target);
    fputs(", \"features\": ", stdout);
    cli_json_string_list(stdout, feats, nfeats);
    fputs(", \"stats\": ", stdout);
    cli_stats_json(m);
}

void cli_json_files_end(const char *out, const char *model_path)
{
    fputs(", \"output\": ", stdout);
    cli_json_string_or_null(stdout, out);
    fputs(", \"model\": ", stdout);
    cli_json_string_or_null(stdout, model_path);
    fputs("}\n", stdout);
}

/* Cell (c, r) of t as a JSON value. */
static void cell_json(const crm_dataset *t, size_t c, size_t r, int32_t type)
{
    if (type == CRM_TYPE_TEXT) {
        const char *s = NULL;
        crm_dataset_get_text(t, c, r, &s);
        cli_json_string_or_null(stdout, s);
    } else if (type == CRM_TYPE_TIME) {
        int64_t tv = 0;
        char b[32];
        crm_dataset_get_time(t, c, r, 1, &tv);
        cli_format_date(tv, b, sizeof b);
        cli_json_string(stdout, b);
    } else {
        double v = NAN;
        crm_dataset_get_number(t, c, r, 1, &v);
        cli_json_number(stdout, v);
    }
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
            cell_json(t, c, r, type);
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
