/* crm_dataset_read_baskets: FIMI-style basket files into a long tid,item table. */
#include "data/csv_internal.h"

#include <string.h>

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

crm_status crm_dataset_read_baskets(const char *path, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_read_baskets: NULL argument");
    char *buf = NULL;
    size_t len = 0;
    crm_status st = crm__read_file(path, &buf, &len);
    if (st)
        return st;
    double *tid = NULL;
    int32_t *item = NULL;
    crm__dict *dict = NULL;
    crm_dataset *ds = NULL;
    size_t n = 0, cap = 0;
    /* Rough guess of the item count: one per 4 bytes. */
    size_t guess = len / 4 + 16;
    if ((st = crm__dict_new(&dict)))
        goto fail;
    size_t line = 1;
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && buf[eol] != '\n')
            eol++;
        size_t bad = crm__utf8_first_invalid(buf + pos, eol - pos);
        if (bad != eol - pos) {
            st = crm__error(CRM_E_PARSE, "%s:%zu:%zu: invalid UTF-8", path, line, bad + 1);
            goto fail;
        }
        const char *nul = memchr(buf + pos, '\0', eol - pos);
        if (nul) {
            st = crm__error(CRM_E_PARSE, "%s:%zu:%zu: NUL byte", path, line,
                            (size_t)(nul - (buf + pos)) + 1);
            goto fail;
        }
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
                size_t nc = cap ? cap * 2 : guess;
                double *t2 = crm__realloc_array(tid, nc, sizeof *t2);
                if (!t2) {
                    st = crm__nomem();
                    goto fail;
                }
                tid = t2;
                int32_t *i2 = crm__realloc_array(item, nc, sizeof *i2);
                if (!i2) {
                    st = crm__nomem();
                    goto fail;
                }
                item = i2;
                cap = nc;
            }
            if ((st = crm__dict_intern(dict, buf + start, i - start, &item[n])))
                goto fail;
            tid[n] = (double)line;
            n++;
        }
        pos = eol + 1;
        line++;
    }
    crm__free(buf);
    buf = NULL;
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
    crm__free(buf);
    crm__free(tid);
    crm__free(item);
    crm__dict_release(dict);
    crm_dataset_free(ds);
    return st;
}
