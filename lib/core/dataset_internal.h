/*
 * Internal layout of crm_dataset (columns, text dictionaries), the storage every
 * module reads and builds.
 * Never installed.
 */
#ifndef CRM_CORE_DATASET_INTERNAL_H
#define CRM_CORE_DATASET_INTERNAL_H

#include "core/internal.h"

#include <stdatomic.h>

/* Text dictionary: distinct strings stored once, addressed by int32 code.
 * Codes are assigned in order of first interning. A dictionary may be shared
 * between datasets (refcount) and is then immutable; crm__dict_unshare()
 * gives a private copy before modification. */
typedef struct crm__dict {
    atomic_int refs;
    size_t n;         /* number of strings */
    size_t ncap;      /* capacity of off/hash arrays */
    size_t *off;      /* n offsets into arena (NUL-terminated strings) */
    uint32_t *hashes; /* n hashes */
    char *arena;
    size_t arena_len, arena_cap;
    int32_t *slots; /* open addressing: code or -1; nslots power of two */
    size_t nslots;
} crm__dict;

crm_status crm__dict_new(crm__dict **out);
/* Pre-size for about `n` strings of `bytes` total. */
crm_status crm__dict_reserve(crm__dict *d, size_t n, size_t bytes);
void crm__dict_release(crm__dict *d); /* drop one reference */
crm__dict *crm__dict_retain(crm__dict *d);
/* Code of [s, s+len) (no NUL inside), adding it when new. */
crm_status crm__dict_intern(crm__dict *d, const char *s, size_t len, int32_t *code);
/* Code of a string or -1 when absent. */
int32_t crm__dict_find(const crm__dict *d, const char *s, size_t len);
static inline const char *crm__dict_str(const crm__dict *d, int32_t code)
{
    return d->arena + d->off[code];
}
uint32_t crm__hash_bytes(const char *s, size_t len);

typedef struct crm__column {
    char *name;
    int32_t type; /* crm_type */
    union {
        double *num;   /* CRM_TYPE_NUMBER */
        int64_t *time; /* CRM_TYPE_TIME */
        int32_t *code; /* CRM_TYPE_TEXT: -1 = missing */
        void *ptr;
    } v;
    crm__dict *dict; /* CRM_TYPE_TEXT only */
} crm__column;

struct crm_dataset {
    size_t nrows;
    size_t ncols;
    size_t cap;
    crm__column *cols;
    /* Name index, kept by dataset.c once a dataset has CRM__NAME_INDEX_MIN
     * columns (NULL before): open addressing (linear probing), a slot holds
     * the name's hash << 32 | (column index + 1), 0 = empty; name_nslots is
     * a power of two at least twice ncols. */
    uint64_t *name_slots;
    size_t name_nslots;
    /* References: the owner holds one (from crm_dataset_new until
     * crm_dataset_free), every running call that reads the dataset while it
     * runs user code (a progress callback) holds one more (crm__dataset_pin).
     * The storage is freed when the count reaches 0. */
    atomic_size_t refs;
};

/* Datasets with at least this many columns find names through the index. */
#define CRM__NAME_INDEX_MIN 16

/* Take one more reference to ds (NULL: no-op) for the length of a call that
 * reads it while user code may run (a progress callback, another thread): the
 * storage outlives a crm_dataset_free() made meanwhile, and calls that change
 * ds refuse it (crm__dataset_check_writable). Every pin is paired with one
 * crm__dataset_unpin(). ds is const for the caller's sake: only the count
 * changes. */
void crm__dataset_pin(const crm_dataset *ds);
/* Drop the reference taken by crm__dataset_pin(); frees the storage when it
 * was the last one (the owner freed ds during the call). NULL: no-op. */
void crm__dataset_unpin(const crm_dataset *ds);
/* CRM_OK when ds may be changed or freed in place; CRM_E_STATE ("<fn>: the
 * dataset is in use by a running call ...") while a running call pins it.
 * ds must not be NULL. */
crm_status crm__dataset_check_writable(const crm_dataset *ds, const char *fn);

/* Index of the column named `name`, or SIZE_MAX (no error is set). */
size_t crm__dataset_lookup(const crm_dataset *ds, const char *name);
/* Look up a column by name; sets an error naming the column when absent. */
crm_status crm__dataset_find(const crm_dataset *ds, const char *name, size_t *idx);
/* Check that `name` may be added as a new column. */
crm_status crm__dataset_check_new_name(const crm_dataset *ds, const char *name);
/* The names of the prediction columns of a model: out_col, and with `proba`
 * also out_col + "_proba" (*pname, new; NULL without proba), each checked with
 * crm__dataset_check_new_name() (messages prefixed with `what`). */
crm_status crm__dataset_prediction_names(const crm_dataset *ds, const char *out_col, int proba,
                                         const char *what, char **pname);
/* Append a column, taking ownership of `data` (nrows values of the type's
 * element) and of one reference to `dict` (text only) - on success only; on
 * failure the caller still owns them. The name is copied. For an empty
 * dataset, nrows fixes the row count; otherwise it must match. */
crm_status crm__dataset_add_owned(crm_dataset *ds, const char *name, int32_t type, void *data,
                                  crm__dict *dict, size_t nrows);
/* New dataset with rows `rows[0..n)` of ds in that order (gather). */
crm_status crm__dataset_take(const crm_dataset *ds, const size_t *rows, size_t n,
                             crm_dataset **out);
/* Size in bytes of one element of a column type. */
size_t crm__type_size(int32_t type);
const char *crm__type_name(int32_t type);
/* New array (crm__malloc, at least 1 element) of the non-missing values of the
 * first n rows of number column c, in row order; *m is their count. */
crm_status crm__column_observed(const crm__column *c, size_t n, double **out, size_t *m);
/* 1 when cell `row` of column c is missing. */
int crm__cell_missing(const crm__column *c, size_t row);

#endif /* CRM_CORE_DATASET_INTERNAL_H */
