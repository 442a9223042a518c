/* crm_dataset_read_baskets: FIMI-style basket files into a long tid,item table.
 * The text streams through a window (a chunk source, see fileio.c) that holds
 * whole lines: memory is the table being built plus the window, which grows
 * only to hold the longest line. */
#include "dataset/csv_internal.h"

#include <stdio.h>
#include <string.h>

/* Normal size of the window. */
#define BASKET_WINDOW ((size_t)1 << 20)

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

typedef struct bwin {
    crm__src *src;
    char *buf;
    size_t n, cap;
    int eof;
} bwin;

/* Drop the bytes before *pos (it becomes 0), make room (doubling while a
 * line fills more than half the window, back to the normal size after it)
 * and read until the window is full or the text ends. */
static crm_status bwin_advance(bwin *w, size_t *pos)
{
    size_t keep = *pos < w->n ? *pos : w->n;
    memmove(w->buf, w->buf + keep, w->n - keep);
    w->n -= keep;
    *pos = 0;
    size_t want = w->cap;
    if (w->n > w->cap / 2) {
        if (w->cap > SIZE_MAX / 2)
            return crm__nomem();
        want = w->cap * 2;
    } else if (w->cap > BASKET_WINDOW && w->n <= BASKET_WINDOW / 2) {
        want = BASKET_WINDOW;
    }
    if (want != w->cap) {
        char *nb = crm__realloc(w->buf, want);
        if (!nb)
            return crm__nomem();
        w->buf = nb;
        w->cap = want;
    }
    while (w->n < w->cap && !w->eof) {
        size_t got, ask = w->cap - w->n;
        crm_status st = crm__src_next(w->src, w->buf + w->n, ask, &got);
        if (st)
            return st;
        if (got == 0)
            w->eof = 1;
        w->n += got;
        if (got < ask)
            break; /* at a limit (see crm__src_next) */
    }
    return CRM_OK;
}

static crm_status read_lines(bwin *w, const char *path, crm__dict *dict, double **tid,
                             int32_t **item, size_t *count)
{
    size_t n = 0, cap = 0;
    size_t line = 1, pos = 0;
    crm_status st;
    while (w->n < 3 && !w->eof)
        if ((st = bwin_advance(w, &pos)))
            return st;
    if (w->n >= 3 && memcmp(w->buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    for (;;) {
        if (pos >= w->n) {
            if (w->eof)
                break;
            if ((st = bwin_advance(w, &pos)))
                return st;
            continue;
        }
        const char *buf = w->buf;
        const char *nl = memchr(buf + pos, '\n', w->n - pos);
        if (!nl && !w->eof) {
            /* the line goes on past the window */
            if ((st = bwin_advance(w, &pos)))
                return st;
            continue;
        }
        size_t eol = nl ? (size_t)(nl - buf) : w->n;
        size_t bad = crm__utf8_first_invalid(buf + pos, eol - pos);
        if (bad != eol - pos)
            return crm__error(CRM_E_PARSE, "%s:%zu:%zu: invalid UTF-8", path, line, bad + 1);
        const char *nul = memchr(buf + pos, '\0', eol - pos);
        if (nul)
            return crm__error(CRM_E_PARSE, "%s:%zu:%zu: NUL byte", path, line,
                              (size_t)(nul - (buf + pos)) + 1);
        size_t i = pos;
        while (i < eol) {
            while (i < eol && is_sep(buf[i]))
                i++;
            if (i >= eol)
                break;
            size_t start = i;
            while (i < eol && !is_sep(buf[i]))
                i++;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 4096;
                double *t2 = crm__realloc_array(*tid, nc, sizeof *t2);
                if (!t2)
                    return crm__nomem();
                *tid = t2;
                int32_t *i2 = crm__realloc_array(*item, nc, sizeof *i2);
                if (!i2)
                    return crm__nomem();
                *item = i2;
                cap = nc;
            }
            if ((st = crm__dict_intern(dict, buf + start, i - start, &(*item)[n])))
                return st;
            (*tid)[n] = (double)line;
            n++;
        }
        pos = eol + 1;
        line++;
    }
    *count = n;
    return CRM_OK;
}

crm_status crm_dataset_read_baskets(const char *path, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_read_baskets: NULL argument");
    bwin w = {NULL, NULL, 0, 0, 0};
    crm_status st = crm__src_open_file(path, 0, 0, NULL, &w.src);
    if (st)
        return st;
    double *tid = NULL;
    int32_t *item = NULL;
    crm__dict *dict = NULL;
    crm_dataset *ds = NULL;
    size_t n = 0;
    if (!(w.buf = crm__malloc(BASKET_WINDOW))) {
        st = crm__nomem();
        goto fail;
    }
    w.cap = BASKET_WINDOW;
    if ((st = crm__dict_new(&dict)))
        goto fail;
    if ((st = read_lines(&w, path, dict, &tid, &item, &n))) {
        if (st != CRM_E_NOMEM) {
            /* the rest of the input first, as when the whole file was read before
             * parsing (truncated or corrupt gzip data, the default limit) */
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", crm_last_error());
            crm_status d = crm__src_drain(w.src);
            st = d ? d : crm__error(st, "%s", msg);
        }
        goto fail;
    }
    crm__free(w.buf);
    w.buf = NULL;
    crm__src_close(w.src);
    w.src = NULL;
    if ((st = crm_dataset_new(&ds)))
        goto fail;
    if (!tid && !(tid = crm__malloc(sizeof *tid))) {
        st = crm__nomem();
        goto fail;
    }
    if (!item && !(item = crm__malloc(sizeof *item))) {
        st = crm__nomem();
        goto fail;
    }
    if ((st = crm__dataset_add_owned(ds, "tid", CRM_TYPE_NUMBER, tid, NULL, n)))
        goto fail;
    tid = NULL;
    if ((st = crm__dataset_add_owned(ds, "item", CRM_TYPE_TEXT, item, dict, n)))
        goto fail;
    *out = ds;
    return CRM_OK;
fail:
    crm__free(w.buf);
    crm__src_close(w.src);
    crm__free(tid);
    crm__free(item);
    crm__dict_release(dict);
    crm_dataset_free(ds);
    return st;
}
