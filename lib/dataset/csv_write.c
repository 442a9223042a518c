/* CSV writer: crm_dataset_write_csv() (plain or gzip) and crm_dataset_to_csv_string(). */
#include "core/atomic_file.h"
#include "dataset/csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* Output is collected in a buffer and handed to the file (or the deflater)
 * whenever it passes this size. */
#define SINK_CHUNK ((size_t)1 << 20)

typedef struct sink {
    crm__buf buf;
    crm__afile *file; /* NULL: memory output */
    const char *path;
    int gz;
    int zlive;
    z_stream zs;
    unsigned char *zout;
} sink;

static crm_status put_file(sink *k, const void *p, size_t n)
{
    return crm__afile_write(k->file, p, n);
}

/* Hand the buffered bytes to the file; `finish` ends the gzip stream. */
static crm_status sink_flush(sink *k, int finish)
{
    if (!k->file)
        return CRM_OK;
    crm_status st = CRM_OK;
    if (!k->gz) {
        st = put_file(k, k->buf.data, k->buf.len);
        k->buf.len = 0;
        return st;
    }
    const size_t zcap = (size_t)1 << 16;
    k->zs.next_in = (Bytef *)k->buf.data;
    k->zs.avail_in = (uInt)k->buf.len;
    for (;;) {
        k->zs.next_out = k->zout;
        k->zs.avail_out = (uInt)zcap;
        int zr = deflate(&k->zs, finish ? Z_FINISH : Z_NO_FLUSH);
        if (zr == Z_STREAM_ERROR)
            return crm__error(CRM_E_IO, "%s: gzip compression failed", k->path);
        if ((st = put_file(k, k->zout, zcap - k->zs.avail_out)))
            return st;
        if (finish ? zr == Z_STREAM_END : (k->zs.avail_in == 0 && k->zs.avail_out > 0))
            break;
    }
    k->buf.len = 0;
    return CRM_OK;
}

static inline crm_status sink_put(sink *k, const char *s, size_t n)
{
    crm_status st = crm__buf_append(&k->buf, s, n);
    if (!st && k->file && k->buf.len >= SINK_CHUNK)
        st = sink_flush(k, 0);
    return st;
}

static inline crm_status sink_byte(sink *k, char ch)
{
    if (k->buf.len + 1 < k->buf.cap) {
        k->buf.data[k->buf.len++] = ch;
        return CRM_OK;
    }
    return sink_put(k, &ch, 1);
}

/* ------------------------------------------------------------------------ */

typedef struct writer {
    sink out;
    char delim, quote;
    char decimal;
    int header;
    const char *date_format;
    const crm_csv_options *o;
    crm__buf tmp; /* formatted date-times */
} writer;

static const char *const default_na[] = {"NA", "N/A", "null", "NULL", "NaN"};

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f';
}

static int equals_na(const writer *w, const char *s, size_t len)
{
    if (w->o->keep_default_na)
        for (size_t i = 0; i < sizeof default_na / sizeof *default_na; i++)
            if (strlen(default_na[i]) == len && memcmp(default_na[i], s, len) == 0)
                return 1;
    for (int64_t i = 0; i < w->o->n_na_values; i++) {
        const char *na = w->o->na_values[i];
        if (strlen(na) == len && memcmp(na, s, len) == 0)
            return 1;
    }
    return 0;
}

/* 2: the field holds a delimiter, quote or line break (quoting is needed for
 * the file to parse); 1: it would otherwise read back differently (empty,
 * leading or trailing blanks, an NA string, or a leading U+FEFF that a reader
 * would take for a byte-order mark at the start of the file); 0: written as is. */
static int quote_need(const writer *w, const char *s, size_t len, int check_na)
{
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == w->delim || ch == '\n' || ch == '\r' || (w->quote && ch == w->quote))
            return 2;
    }
    if (len == 0 || is_blank(s[0]) || is_blank(s[len - 1]))
        return 1;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        return 1;
    if (check_na && len < 64 && equals_na(w, s, len))
        return 1;
    return 0;
}

static crm_status put_field(writer *w, const char *s, size_t len, int check_na, const char *what)
{
    int need = quote_need(w, s, len, check_na);
    if (!need)
        return sink_put(&w->out, s, len);
    if (!w->quote) {
        if (need == 2)
            return crm__error(CRM_E_INVALID,
                              "%s holds the delimiter or a line break but quoting is disabled "
                              "(quote = 0)",
                              what);
        return sink_put(&w->out, s, len);
    }
    crm_status st = sink_byte(&w->out, w->quote);
    size_t from = 0;
    for (size_t i = 0; i < len && !st; i++) {
        if (s[i] == w->quote) {
            /* double the quote: write up to and including it, then it again */
            st = sink_put(&w->out, s + from, i + 1 - from);
            from = i;
        }
    }
    if (!st)
        st = sink_put(&w->out, s + from, len - from);
    if (!st)
        st = sink_byte(&w->out, w->quote);
    return st;
}

static crm_status write_all(writer *w, const crm_dataset *ds)
{
    crm_status st = CRM_OK;
    size_t nc = ds->ncols, nr = ds->nrows;
    if (nc == 0)
        return CRM_OK;
    if (w->header) {
        for (size_t j = 0; j < nc && !st; j++) {
            if (j)
                st = sink_byte(&w->out, w->delim);
            if (!st)
                st = put_field(w, ds->cols[j].name, strlen(ds->cols[j].name), 0, "a column name");
        }
        if (!st)
            st = sink_byte(&w->out, '\n');
    }
    /* Time columns holding only midnights are written as dates. */
    unsigned char *date_only = crm__calloc(nc, 1);
    if (!date_only)
        return crm__nomem();
    for (size_t j = 0; j < nc; j++) {
        const crm__column *c = &ds->cols[j];
        if (c->type != CRM_TYPE_TIME)
            continue;
        int all = 1;
        for (size_t r = 0; r < nr && all; r++)
            if (c->v.time[r] != CRM_TIME_MISSING && c->v.time[r] % 86400 != 0)
                all = 0;
        date_only[j] = (unsigned char)all;
    }
    /* A row whose only cell is missing would be an empty line, which readers
     * skip: such cells are written as "" instead. */
    int lone = nc == 1 && w->quote;
    char num[40], tbuf[40];
    for (size_t r = 0; r < nr && !st; r++) {
        for (size_t j = 0; j < nc && !st; j++) {
            const crm__column *c = &ds->cols[j];
            if (j && (st = sink_byte(&w->out, w->delim)))
                break;
            if (crm__cell_missing(c, r)) {
                if (lone) {
                    char qq[2] = {w->quote, w->quote};
                    st = sink_put(&w->out, qq, 2);
                }
                continue;
            }
            switch (c->type) {
            case CRM_TYPE_NUMBER: {
                size_t len = crm__format_number(c->v.num[r], w->decimal, num);
                st = put_field(w, num, len, 1, "a number");
                break;
            }
            case CRM_TYPE_TIME:
                if (w->date_format) {
                    w->tmp.len = 0;
                    st = crm__time_format(w->date_format, c->v.time[r], 0, &w->tmp);
                    if (!st)
                        st = put_field(w, w->tmp.data, w->tmp.len, 1, "a formatted date-time");
                } else {
                    size_t len = crm__format_time(c->v.time[r], date_only[j], tbuf);
                    st = put_field(w, tbuf, len, 1, "a date-time");
                }
                break;
            default: {
                const char *s = crm__dict_str(c->dict, c->v.code[r]);
                st = put_field(w, s, strlen(s), 1, "a text cell");
            }
            }
        }
        if (!st)
            st = sink_byte(&w->out, '\n');
    }
    crm__free(date_only);
    return st;
}

static crm_status writer_init(writer *w, crm_csv_options *o, const crm_csv_options *user)
{
    crm_status st = crm__csv_options_load(o, user);
    if (st)
        return st;
    if ((st = crm__csv_options_check(o, ',')))
        return st;
    memset(w, 0, sizeof *w);
    w->delim = o->delimiter ? (char)o->delimiter : ',';
    w->quote = (char)o->quote;
    w->decimal = o->decimal_comma ? ',' : '.';
    w->header = o->header != 0;
    w->date_format = o->date_format;
    w->o = o;
    return CRM_OK;
}

crm_status crm_dataset_to_csv_string(const crm_dataset *ds, const crm_csv_options *opts, char **out)
{
    if (out)
        *out = NULL;
    if (!ds || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_to_csv_string: NULL argument");
    crm_csv_options o;
    writer w;
    crm_status st = writer_init(&w, &o, opts);
    if (st)
        return st;
    w.out.path = "<memory>";
    st = write_all(&w, ds);
    if (!st)
        st = crm__buf_reserve(&w.out.buf, 0); /* room for the terminator of an empty text */
    crm__buf_free(&w.tmp);
    if (st) {
        crm__buf_free(&w.out.buf);
        return st;
    }
    w.out.buf.data[w.out.buf.len] = '\0';
    *out = w.out.buf.data;
    return CRM_OK;
}

static int has_gz_suffix(const char *path)
{
    size_t n = strlen(path);
    return n >= 3 && path[n - 3] == '.' && (path[n - 2] | 0x20) == 'g' &&
           (path[n - 1] | 0x20) == 'z';
}

crm_status crm_dataset_write_csv(const crm_dataset *ds, const char *path,
                                 const crm_csv_options *opts)
{
    if (!ds || !path)
        return crm__error(CRM_E_INVALID, "crm_dataset_write_csv: NULL argument");
    crm_csv_options o;
    writer w;
    crm_status st = writer_init(&w, &o, opts);
    if (st)
        return st;
    w.out.path = path;
    w.out.gz = has_gz_suffix(path);
    if (w.out.gz) {
        w.out.zs.zalloc = crm__zalloc;
        w.out.zs.zfree = crm__zfree;
        w.out.zs.opaque = Z_NULL;
        if (!(w.out.zout = crm__malloc((size_t)1 << 16)))
            return crm__nomem();
        int zr = deflateInit2(&w.out.zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                              Z_DEFAULT_STRATEGY);
        if (zr != Z_OK) {
            crm__free(w.out.zout);
            return zr == Z_MEM_ERROR ? crm__nomem()
                                     : crm__error(CRM_E_IO, "%s: gzip setup failed", path);
        }
        w.out.zlive = 1;
    }
    if ((st = crm__buf_reserve(&w.out.buf, SINK_CHUNK)))
        goto done;
    /* Atomic (core/atomic_file.h): a temporary renamed over path on success;
     * on failure path is left as it was - never removed. */
    crm__afile file;
    if ((st = crm__afile_open(&file, path)))
        goto done;
    w.out.file = &file;
    st = write_all(&w, ds);
    if (!st)
        st = sink_flush(&w.out, 1);
    if (!st)
        st = crm__afile_commit(&file);
    else
        crm__afile_abort(&file);
done:
    if (w.out.zlive)
        deflateEnd(&w.out.zs);
    crm__free(w.out.zout);
    crm__buf_free(&w.out.buf);
    crm__buf_free(&w.tmp);
    return st;
}
