/* crm_dataset: lifecycle, building, access, select, head. */
#include "core/dataset_internal.h"

#include <math.h>
#include <string.h>

size_t crm__type_size(int32_t type)
{
    switch (type) {
    case CRM_TYPE_NUMBER:
        return sizeof(double);
    case CRM_TYPE_TIME:
        return sizeof(int64_t);
    case CRM_TYPE_TEXT:
        return sizeof(int32_t);
    }
    return 0;
}

const char *crm__type_name(int32_t type)
{
    switch (type) {
    case CRM_TYPE_NUMBER:
        return "number";
    case CRM_TYPE_TIME:
        return "time";
    case CRM_TYPE_TEXT:
        return "text";
    }
    return "unknown";
}

int crm__cell_missing(const crm__column *c, size_t row)
{
    switch (c->type) {
    case CRM_TYPE_NUMBER:
        return isnan(c->v.num[row]);
    case CRM_TYPE_TIME:
        return c->v.time[row] == CRM_TIME_MISSING;
    default:
        return c->v.code[row] < 0;
    }
}

crm_status crm__column_observed(const crm__column *c, size_t n, double **out, size_t *m)
{
    double *x = crm__malloc_array(n ? n : 1, sizeof *x);
    if (!x)
        return crm__nomem();
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (!isnan(c->v.num[r]))
            x[k++] = c->v.num[r];
    *out = x;
    *m = k;
    return CRM_OK;
}

crm_status crm_dataset_new(crm_dataset **out)
{
    if (!out)
        return crm__error(CRM_E_INVALID, "crm_dataset_new: out is NULL");
    *out = crm__calloc(1, sizeof **out);
    if (!*out)
        return crm__nomem();
    atomic_init(&(*out)->refs, 1);
    return CRM_OK;
}

static void column_free(crm__column *c)
{
    crm__free(c->name);
    crm__free(c->v.ptr);
    crm__dict_release(c->dict);
}

static void dataset_destroy(crm_dataset *ds)
{
    for (size_t i = 0; i < ds->ncols; i++)
        column_free(&ds->cols[i]);
    crm__free(ds->cols);
    crm__free(ds->name_slots);
    crm__free(ds);
}

/* Drop one reference; whoever takes the count to 0 frees (acq_rel: the
 * freeing thread sees every write made before the other references went). */
static void dataset_release(crm_dataset *ds)
{
    if (atomic_fetch_sub_explicit(&ds->refs, 1, memory_order_acq_rel) == 1)
        dataset_destroy(ds);
}

void crm_dataset_free(crm_dataset *ds)
{
    if (!ds)
        return;
    dataset_release(ds);
}

/* The count is the one field a reader changes: pinning casts const away for it
 * alone, and the storage it guards is never written through the pin. */
void crm__dataset_pin(const crm_dataset *ds)
{
    if (ds)
        atomic_fetch_add_explicit(&((crm_dataset *)ds)->refs, 1, memory_order_relaxed);
}

void crm__dataset_unpin(const crm_dataset *ds)
{
    if (ds)
        dataset_release((crm_dataset *)ds);
}

crm_status crm__dataset_check_writable(const crm_dataset *ds, const char *fn)
{
    if (atomic_load_explicit(&((crm_dataset *)ds)->refs, memory_order_acquire) > 1)
        return crm__error(CRM_E_STATE,
                          "%s: the dataset is in use by a running call (a progress callback "
                          "may not change it)",
                          fn);
    return CRM_OK;
}

/* ---- name index ----------------------------------------------------------- */

static uint32_t name_hash(const char *name)
{
    return crm__hash_bytes(name, strlen(name));
}

static size_t slot_col(uint64_t e)
{
    return (size_t)(uint32_t)e - 1;
}

/* Put entry e (hash << 32 | column + 1) in the first free slot from its home. */
static void slot_put(uint64_t *slots, size_t nslots, uint64_t e)
{
    size_t mask = nslots - 1, j = (size_t)(e >> 32) & mask;
    while (slots[j])
        j = (j + 1) & mask;
    slots[j] = e;
}

static void index_insert(crm_dataset *ds, size_t col)
{
    uint32_t h = name_hash(ds->cols[col].name);
    slot_put(ds->name_slots, ds->name_nslots, (uint64_t)h << 32 | (uint32_t)(col + 1));
}

/* Take column col (under its current name) out of the index: backward-shift
 * deletion keeps every other name reachable from its home slot. */
static void index_remove(crm_dataset *ds, size_t col)
{
    size_t mask = ds->name_nslots - 1;
    size_t i = name_hash(ds->cols[col].name) & mask;
    while (slot_col(ds->name_slots[i]) != col)
        i = (i + 1) & mask;
    for (;;) {
        ds->name_slots[i] = 0;
        size_t k = i;
        for (;;) {
            k = (k + 1) & mask;
            if (!ds->name_slots[k])
                return;
            size_t h = (size_t)(ds->name_slots[k] >> 32) & mask;
            /* the entry at k stays when its home h lies cyclically in (i, k] */
            if (i <= k ? (i < h && h <= k) : (i < h || h <= k))
                continue;
            break;
        }
        ds->name_slots[i] = ds->name_slots[k];
        i = k;
    }
}

/* Fill the index again from the columns (same slot count, no allocation). */
static void index_rebuild(crm_dataset *ds)
{
    if (!ds->name_slots)
        return;
    memset(ds->name_slots, 0, ds->name_nslots * sizeof *ds->name_slots);
    for (size_t i = 0; i < ds->ncols; i++)
        index_insert(ds, i);
}

/* Make room in the index for ncols + 1 names (before a column is appended):
 * the index starts at CRM__NAME_INDEX_MIN columns and doubles at half full. */
static crm_status index_reserve(crm_dataset *ds)
{
    size_t want = ds->ncols + 1;
    if (want < CRM__NAME_INDEX_MIN || (ds->name_slots && 2 * want <= ds->name_nslots))
        return CRM_OK;
    if (want >= UINT32_MAX || want > SIZE_MAX / 32)
        return crm__nomem();
    size_t n = 64;
    while (n < 4 * want)
        n *= 2;
    uint64_t *slots = crm__calloc(n, sizeof *slots);
    if (!slots)
        return crm__nomem();
    uint64_t *old = ds->name_slots;
    size_t nold = ds->name_nslots;
    ds->name_slots = slots;
    ds->name_nslots = n;
    if (!old) {
        index_rebuild(ds);
        return CRM_OK;
    }
    for (size_t i = 0; i < nold; i++) /* move the entries with their hashes */
        if (old[i])
            slot_put(slots, n, old[i]);
    crm__free(old);
    return CRM_OK;
}

size_t crm__dataset_lookup(const crm_dataset *ds, const char *name)
{
    if (!ds->name_slots) {
        for (size_t i = 0; i < ds->ncols; i++)
            if (strcmp(ds->cols[i].name, name) == 0)
                return i;
        return SIZE_MAX;
    }
    size_t mask = ds->name_nslots - 1;
    uint32_t h = name_hash(name);
    for (size_t j = h & mask; ds->name_slots[j]; j = (j + 1) & mask) {
        uint64_t e = ds->name_slots[j];
        if ((uint32_t)(e >> 32) == h && strcmp(ds->cols[slot_col(e)].name, name) == 0)
            return slot_col(e);
    }
    return SIZE_MAX;
}

crm_status crm__dataset_find(const crm_dataset *ds, const char *name, size_t *idx)
{
    size_t i = crm__dataset_lookup(ds, name);
    if (i == SIZE_MAX)
        return crm__error(CRM_E_NOTFOUND, "no column named \"%s\"", name);
    *idx = i;
    return CRM_OK;
}

crm_status crm__dataset_check_new_name(const crm_dataset *ds, const char *name)
{
    if (!name)
        return crm__error(CRM_E_INVALID, "column name is NULL");
    size_t len = strlen(name);
    if (len == 0)
        return crm__error(CRM_E_INVALID, "column name is empty");
    if (!crm__utf8_valid(name, len))
        return crm__error(CRM_E_INVALID, "column name is not valid UTF-8");
    if (crm__dataset_lookup(ds, name) != SIZE_MAX)
        return crm__error(CRM_E_INVALID, "a column named \"%s\" already exists", name);
    return CRM_OK;
}

crm_status crm__dataset_prediction_names(const crm_dataset *ds, const char *out_col, int proba,
                                         const char *what, char **pname)
{
    *pname = NULL;
    crm_status st = crm__dataset_check_new_name(ds, out_col);
    if (st != CRM_OK) return crm__error_prefix(st, what);
    if (!proba) return CRM_OK;
    size_t len = strlen(out_col);
    char *p = crm__malloc(len + 7);
    if (!p) return crm__nomem();
    memcpy(p, out_col, len);
    memcpy(p + len, "_proba", 7);
    st = crm__dataset_check_new_name(ds, p);
    if (st != CRM_OK) {
        crm__free(p);
        return crm__error_prefix(st, what);
    }
    *pname = p;
    return CRM_OK;
}

crm_status crm__dataset_add_owned(crm_dataset *ds, const char *name, int32_t type, void *data,
                                  crm__dict *dict, size_t nrows)
{
    crm_status st = crm__dataset_check_new_name(ds, name);
    if (st)
        return st;
    if (ds->ncols > 0 && nrows != ds->nrows)
        return crm__error(CRM_E_INVALID, "column \"%s\" has %zu values but the dataset has %zu rows",
                          name, nrows, ds->nrows);
    if (ds->ncols == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 8;
        crm__column *cols = crm__realloc_array(ds->cols, cap, sizeof *cols);
        if (!cols)
            return crm__nomem();
        ds->cols = cols;
        ds->cap = cap;
    }
    if ((st = index_reserve(ds)))
        return st;
    char *nm = crm__strdup(name);
    if (!nm)
        return crm__nomem();
    crm__column *c = &ds->cols[ds->ncols];
    memset(c, 0, sizeof *c);
    c->name = nm;
    c->type = type;
    c->v.ptr = data;
    c->dict = dict;
    ds->ncols++;
    ds->nrows = nrows;
    if (ds->name_slots)
        index_insert(ds, ds->ncols - 1);
    return CRM_OK;
}

static crm_status check_add_args(crm_dataset *ds, const char *name, const void *values, size_t n,
                                  const char *fn)
{
    if (!ds)
        return crm__error(CRM_E_INVALID, "%s: ds is NULL", fn);
    crm_status st = crm__dataset_check_writable(ds, fn);
    if (st)
        return st;
    if (!values && n > 0)
        return crm__error(CRM_E_INVALID, "%s: values is NULL", fn);
    if ((st = crm__dataset_check_new_name(ds, name)))
        return crm__error_prefix(st, fn);
    if (ds->ncols > 0 && n != ds->nrows)
        return crm__error(CRM_E_INVALID, "%s: column \"%s\" has %zu values but the dataset has %zu rows",
                          fn, name, n, ds->nrows);
    return CRM_OK;
}

static crm_status add_copy(crm_dataset *ds, const char *name, int32_t type, const void *values,
                           size_t n, const char *fn)
{
    crm_status st = check_add_args(ds, name, values, n, fn);
    if (st)
        return st;
    size_t es = crm__type_size(type);
    void *data = crm__malloc_array(n, es);
    if (!data)
        return crm__nomem();
    if (n)
        memcpy(data, values, n * es);
    st = crm__dataset_add_owned(ds, name, type, data, NULL, n);
    if (st)
        crm__free(data);
    return st;
}

crm_status crm_dataset_add_number(crm_dataset *ds, const char *name, const double *values, size_t n)
{
    return add_copy(ds, name, CRM_TYPE_NUMBER, values, n, "crm_dataset_add_number");
}

crm_status crm_dataset_add_time(crm_dataset *ds, const char *name, const int64_t *values, size_t n)
{
    return add_copy(ds, name, CRM_TYPE_TIME, values, n, "crm_dataset_add_time");
}

crm_status crm_dataset_add_text(crm_dataset *ds, const char *name, const char *const *values,
                                size_t n)
{
    static const char fn[] = "crm_dataset_add_text";
    crm_status st = check_add_args(ds, name, values, n, fn);
    if (st)
        return st;
    int32_t *codes = crm__malloc_array(n, sizeof *codes);
    crm__dict *dict = NULL;
    if (!codes)
        return crm__nomem();
    if ((st = crm__dict_new(&dict)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) {
            codes[i] = -1;
            continue;
        }
        size_t len = strlen(values[i]);
        size_t bad = crm__utf8_first_invalid(values[i], len);
        if (bad != len) {
            st = crm__error(CRM_E_INVALID, "%s: column \"%s\", row %zu: invalid UTF-8 at byte %zu",
                            fn, name, i, bad);
            goto fail;
        }
        if ((st = crm__dict_intern(dict, values[i], len, &codes[i])))
            goto fail;
    }
    if ((st = crm__dataset_add_owned(ds, name, CRM_TYPE_TEXT, codes, dict, n)))
        goto fail;
    return CRM_OK;
fail:
    crm__free(codes);
    crm__dict_release(dict);
    return st;
}

crm_status crm_dataset_drop_column(crm_dataset *ds, const char *name)
{
    if (!ds || !name)
        return crm__error(CRM_E_INVALID, "crm_dataset_drop_column: NULL argument");
    size_t i = 0;
    crm_status st = crm__dataset_check_writable(ds, "crm_dataset_drop_column");
    if (st || (st = crm__dataset_find(ds, name, &i)))
        return st;
    column_free(&ds->cols[i]);
    memmove(&ds->cols[i], &ds->cols[i + 1], (ds->ncols - i - 1) * sizeof *ds->cols);
    ds->ncols--;
    if (ds->ncols == 0)
        ds->nrows = 0;
    index_rebuild(ds); /* the columns after i moved down */
    return CRM_OK;
}

crm_status crm_dataset_rename_column(crm_dataset *ds, const char *name, const char *new_name)
{
    if (!ds || !name || !new_name)
        return crm__error(CRM_E_INVALID, "crm_dataset_rename_column: NULL argument");
    size_t i = 0;
    crm_status st = crm__dataset_check_writable(ds, "crm_dataset_rename_column");
    if (st || (st = crm__dataset_find(ds, name, &i)))
        return st;
    if (strcmp(name, new_name) == 0)
        return CRM_OK;
    if ((st = crm__dataset_check_new_name(ds, new_name)))
        return st;
    char *nm = crm__strdup(new_name);
    if (!nm)
        return crm__nomem();
    if (ds->name_slots)
        index_remove(ds, i);
    crm__free(ds->cols[i].name);
    ds->cols[i].name = nm;
    if (ds->name_slots)
        index_insert(ds, i);
    return CRM_OK;
}

size_t crm_dataset_nrows(const crm_dataset *ds)
{
    return ds ? ds->nrows : 0;
}

size_t crm_dataset_ncols(const crm_dataset *ds)
{
    return ds ? ds->ncols : 0;
}

static crm_status check_col(const crm_dataset *ds, size_t col, const void *out, const char *fn)
{
    if (!ds || !out)
        return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (col >= ds->ncols)
        return crm__error(CRM_E_INVALID, "%s: column index %zu out of range (dataset has %zu)", fn,
                          col, ds->ncols);
    return CRM_OK;
}

crm_status crm_dataset_column_name(const crm_dataset *ds, size_t col, const char **out)
{
    if (out)
        *out = NULL;
    crm_status st = check_col(ds, col, out, "crm_dataset_column_name");
    if (st)
        return st;
    *out = ds->cols[col].name;
    return CRM_OK;
}

crm_status crm_dataset_column_index(const crm_dataset *ds, const char *name, size_t *out)
{
    if (out)
        *out = 0; /* the value of a number output after a failure (crm/common.h) */
    if (!ds || !name || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_column_index: NULL argument");
    return crm__dataset_find(ds, name, out);
}

crm_status crm_dataset_column_type(const crm_dataset *ds, size_t col, int32_t *out)
{
    if (out)
        *out = 0;
    crm_status st = check_col(ds, col, out, "crm_dataset_column_type");
    if (st)
        return st;
    *out = ds->cols[col].type;
    return CRM_OK;
}

crm_status crm_dataset_missing(const crm_dataset *ds, size_t col, size_t *out)
{
    if (out)
        *out = 0;
    crm_status st = check_col(ds, col, out, "crm_dataset_missing");
    if (st)
        return st;
    const crm__column *c = &ds->cols[col];
    size_t m = 0;
    switch (c->type) {
    case CRM_TYPE_NUMBER:
        for (size_t r = 0; r < ds->nrows; r++)
            m += isnan(c->v.num[r]) != 0;
        break;
    case CRM_TYPE_TIME:
        for (size_t r = 0; r < ds->nrows; r++)
            m += c->v.time[r] == CRM_TIME_MISSING;
        break;
    default:
        for (size_t r = 0; r < ds->nrows; r++)
            m += c->v.code[r] < 0;
    }
    *out = m;
    return CRM_OK;
}

static crm_status check_range(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                              const void *out, int32_t type, const char *fn)
{
    crm_status st = check_col(ds, col, out, fn);
    if (st)
        return st;
    if (ds->cols[col].type != type)
        return crm__error(CRM_E_TYPE, "%s: column \"%s\" is %s, not %s", fn, ds->cols[col].name,
                          crm__type_name(ds->cols[col].type), crm__type_name(type));
    if (row0 > ds->nrows || n > ds->nrows - row0)
        return crm__error(CRM_E_INVALID, "%s: rows [%zu, %zu+%zu) out of range (dataset has %zu)",
                          fn, row0, row0, n, ds->nrows);
    return CRM_OK;
}

crm_status crm_dataset_get_number(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                                  double *out)
{
    crm_status st = check_range(ds, col, row0, n, out, CRM_TYPE_NUMBER, "crm_dataset_get_number");
    if (st)
        return st;
    if (n)
        memcpy(out, ds->cols[col].v.num + row0, n * sizeof *out);
    return CRM_OK;
}

crm_status crm_dataset_get_time(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                                int64_t *out)
{
    crm_status st = check_range(ds, col, row0, n, out, CRM_TYPE_TIME, "crm_dataset_get_time");
    if (st)
        return st;
    if (n)
        memcpy(out, ds->cols[col].v.time + row0, n * sizeof *out);
    return CRM_OK;
}

crm_status crm_dataset_get_codes(const crm_dataset *ds, size_t col, size_t row0, size_t n,
                                 int32_t *out)
{
    crm_status st = check_range(ds, col, row0, n, out, CRM_TYPE_TEXT, "crm_dataset_get_codes");
    if (st)
        return st;
    if (n)
        memcpy(out, ds->cols[col].v.code + row0, n * sizeof *out);
    return CRM_OK;
}

crm_status crm_dataset_get_text(const crm_dataset *ds, size_t col, size_t row, const char **out)
{
    if (out)
        *out = NULL;
    crm_status st = check_range(ds, col, row, 1, out, CRM_TYPE_TEXT, "crm_dataset_get_text");
    if (st)
        return st;
    int32_t c = ds->cols[col].v.code[row];
    *out = c < 0 ? NULL : crm__dict_str(ds->cols[col].dict, c);
    return CRM_OK;
}

crm_status crm_dataset_text_levels(const crm_dataset *ds, size_t col, size_t *out)
{
    if (out)
        *out = 0;
    crm_status st = check_range(ds, col, 0, 0, out, CRM_TYPE_TEXT, "crm_dataset_text_levels");
    if (st)
        return st;
    *out = ds->cols[col].dict->n;
    return CRM_OK;
}

crm_status crm_dataset_text_level(const crm_dataset *ds, size_t col, size_t code, const char **out)
{
    if (out)
        *out = NULL;
    crm_status st = check_range(ds, col, 0, 0, out, CRM_TYPE_TEXT, "crm_dataset_text_level");
    if (st)
        return st;
    const crm__dict *d = ds->cols[col].dict;
    if (code >= d->n)
        return crm__error(CRM_E_INVALID,
                          "crm_dataset_text_level: code %zu out of range (column \"%s\" has %zu levels)",
                          code, ds->cols[col].name, d->n);
    *out = crm__dict_str(d, (int32_t)code);
    return CRM_OK;
}

/* Copy column `c` restricted to rows (or all rows when rows == NULL) into dst. */
static crm_status copy_column(crm_dataset *dst, const crm__column *c, const size_t *rows, size_t n)
{
    size_t es = crm__type_size(c->type);
    void *data = crm__malloc_array(n, es);
    if (!data)
        return crm__nomem();
    if (!rows) {
        if (n)
            memcpy(data, c->v.ptr, n * es);
    } else if (c->type == CRM_TYPE_TEXT) {
        int32_t *d = data;
        for (size_t i = 0; i < n; i++)
            d[i] = c->v.code[rows[i]];
    } else {
        uint64_t *d = data; /* double and int64 are both 8 bytes */
        const uint64_t *s = c->v.ptr;
        for (size_t i = 0; i < n; i++)
            d[i] = s[rows[i]];
    }
    crm_status st = crm__dataset_add_owned(dst, c->name, c->type, data, c->dict, n);
    if (st) {
        crm__free(data);
        return st;
    }
    crm__dict_retain(c->dict);
    return CRM_OK;
}

crm_status crm__dataset_take(const crm_dataset *ds, const size_t *rows, size_t n, crm_dataset **out)
{
    crm_dataset *d = NULL;
    crm_status st = crm_dataset_new(&d);
    if (st)
        return st;
    for (size_t i = 0; i < ds->ncols; i++) {
        if ((st = copy_column(d, &ds->cols[i], rows, n))) {
            crm_dataset_free(d);
            return st;
        }
    }
    d->nrows = n;
    *out = d;
    return CRM_OK;
}

crm_status crm_dataset_clone(const crm_dataset *ds, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_clone: NULL argument");
    return crm__dataset_take(ds, NULL, ds->nrows, out);
}

crm_status crm_dataset_head(const crm_dataset *ds, size_t n, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_head: NULL argument");
    return crm__dataset_take(ds, NULL, n < ds->nrows ? n : ds->nrows, out);
}

crm_status crm_dataset_select(const crm_dataset *ds, const char *const *names, size_t n,
                              crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !names || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_select: NULL argument");
    if (n == 0)
        return crm__error(CRM_E_INVALID, "crm_dataset_select: no columns given");
    crm_dataset *d = NULL;
    crm_status st = crm_dataset_new(&d);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        size_t idx = 0;
        if (!names[i]) {
            st = crm__error(CRM_E_INVALID, "crm_dataset_select: names[%zu] is NULL", i);
            goto fail;
        }
        if ((st = crm__dataset_find(ds, names[i], &idx)))
            goto fail;
        if ((st = copy_column(d, &ds->cols[idx], NULL, ds->nrows))) {
            if (st == CRM_E_INVALID)
                crm__error(CRM_E_INVALID, "crm_dataset_select: column \"%s\" is listed twice",
                           names[i]);
            goto fail;
        }
    }
    d->nrows = ds->nrows;
    *out = d;
    return CRM_OK;
fail:
    crm_dataset_free(d);
    return st;
}
