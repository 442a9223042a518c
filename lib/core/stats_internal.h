/*
 * Mergeable statistics (crm/stats.h): the handle, the byte writer and bounds-checked reader,
 * exact sums kept compactly, and typed key columns. Every module that implements a kind
 * defines one crm__stats_ops; lib/core/stats.c dispatches on the kind.
 */
#ifndef CRM_CORE_STATS_INTERNAL_H
#define CRM_CORE_STATS_INTERNAL_H

#include "core/dataset_internal.h"
#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- bytes out --------------------------------------------------------------------------- */
/* Little-endian writer; the first failure sticks in st (and later puts do nothing). Three
 * modes: into the growable b (fixed NULL, counting 0); into the caller's fixed[0..cap) (b.len
 * is the position; writing past cap fails with CRM_E_INVALID); or counting (only b.len grows:
 * the size without the copies). {{0}, CRM_OK, NULL, 0, 0} is a growable writer. */
typedef struct crm__wbuf {
    crm__buf b;
    crm_status st;
    uint8_t *fixed;
    size_t cap;
    int counting;
} crm__wbuf;
void crm__w_bytes(crm__wbuf *w, const void *p, size_t n);
void crm__w_u32(crm__wbuf *w, uint32_t v);
void crm__w_u64(crm__wbuf *w, uint64_t v);
void crm__w_i64(crm__wbuf *w, int64_t v);
void crm__w_f64(crm__wbuf *w, double v);
void crm__w_str(crm__wbuf *w, const char *s); /* NULL allowed (missing) */

/* ---- bytes in ---------------------------------------------------------------------------- */
/* Bounds-checked reader: a read past the end (or a length that cannot fit in what is left)
 * sets bad and returns zeros; the caller checks bad once at the end of a section. */
typedef struct crm__rbuf {
    const uint8_t *p;
    size_t n, pos;
    int bad;
} crm__rbuf;
uint32_t crm__r_u32(crm__rbuf *r);
uint64_t crm__r_u64(crm__rbuf *r);
int64_t crm__r_i64(crm__rbuf *r);
double crm__r_f64(crm__rbuf *r);
/* A count of items of at least `min_item` bytes each that must still fit in the buffer
 * (refuses absurd lengths before any allocation). */
size_t crm__r_count(crm__rbuf *r, size_t min_item);
/* A string written by crm__w_str; *out = NULL for missing. Returns CRM_E_NOMEM or CRM_OK
 * (a bad read leaves bad set and *out NULL). */
crm_status crm__r_str(crm__rbuf *r, char **out);
/* CRM_E_FORMAT naming `what` when r->bad, else CRM_OK. */
crm_status crm__r_check(const crm__rbuf *r, const char *what);

/* ---- fingerprints ------------------------------------------------------------------------ */
/* FNV-1a 64 over bytes, chained through h (start with CRM__FP_INIT). */
#define CRM__FP_INIT UINT64_C(0xcbf29ce484222325)
uint64_t crm__fp_bytes(uint64_t h, const void *p, size_t n);
uint64_t crm__fp_str(uint64_t h, const char *s); /* NULL hashes differently from "" */
uint64_t crm__fp_u64(uint64_t h, uint64_t v);
uint64_t crm__fp_f64(uint64_t h, double v);

/* ---- exact sums, compactly ---------------------------------------------------------------- */
/* A list of exact sums, each kept as its non-zero partials (usually 1 to 3 doubles), so a
 * million customers do not cost a full crm__fsum each. */
typedef struct crm__xsums {
    size_t n;         /* number of sums */
    size_t np, capp;  /* partials stored, capacity */
    size_t capn;      /* capacity of off/special/nspecial */
    size_t *off;      /* n + 1 offsets into p */
    double *p;
    double *special;  /* per sum: the crm__fsum special part */
    uint8_t *nspecial;
} crm__xsums;
void crm__xsums_free(crm__xsums *x);
crm_status crm__xsums_push(crm__xsums *x, const crm__fsum *f);
void crm__xsums_get(const crm__xsums *x, size_t i, crm__fsum *f); /* f is re-initialised */
void crm__xsums_add_to(const crm__xsums *x, size_t i, crm__fsum *f); /* f += sum i, exactly */
double crm__xsums_result(const crm__xsums *x, size_t i);
void crm__xsums_write(crm__wbuf *w, const crm__xsums *x);
crm_status crm__xsums_read(crm__rbuf *r, crm__xsums *x);
/* a += b exactly (every partial of b added to a). */
void crm__fsum_merge(crm__fsum *a, const crm__fsum *b);

/* ---- typed key columns -------------------------------------------------------------------- */
/* Values of one column type, growable: numbers (NaN missing), times (CRM_TIME_MISSING), text
 * (owned strings, NULL missing). type 0 = not known yet (no values). Order: numbers and times
 * ascending (-0 = +0), text by bytes, missing last. */
typedef struct crm__kcol {
    int32_t type;
    size_t n, cap;
    double *num;
    int64_t *time;
    char **str;
} crm__kcol;
void crm__kcol_free(crm__kcol *k);
int crm__kcol_cmp(const crm__kcol *a, size_t i, const crm__kcol *b, size_t j);
int crm__kcol_missing(const crm__kcol *k, size_t i);
crm_status crm__kcol_push(crm__kcol *dst, const crm__kcol *src, size_t i); /* copies */
crm_status crm__kcol_push_cell(crm__kcol *dst, const crm__column *c, size_t row);
void crm__kcol_write(crm__wbuf *w, const crm__kcol *k);
crm_status crm__kcol_read(crm__rbuf *r, crm__kcol *k);
/* Unify types before a merge into a: an empty a takes b's type, an empty b adds nothing;
 * CRM_E_TYPE when two non-empty columns differ (naming `what`). */
crm_status crm__kcol_unify(crm__kcol *a, const crm__kcol *b, const char *what);
/* A dataset column holding k's values (moved out of k; k is left empty). */
crm_status crm__kcol_to_dataset(crm__kcol *k, crm_dataset *ds, const char *name);

/* ---- rows in key order ------------------------------------------------------------------ */
/* -1/0/1 comparing cells a and b of one column in the kcol order (missing last). */
int crm__cell_cmp(const crm__column *c, size_t a, size_t b);
/* Stable merge sort of v[0..n) with cmp(ctx, x, y); tmp holds n entries. */
void crm__sort_rows(size_t *v, size_t *tmp, size_t n,
                    int (*cmp)(const void *ctx, size_t x, size_t y), const void *ctx);

/* ---- counts --------------------------------------------------------------------------------- */
/* Counts stay at most 2^53 (exact as doubles); a buffer or merge beyond is refused. */
#define CRM__MAX_COUNT (INT64_C(1) << 53)
/* CRM_E_INVALID: "crm_stats_merge: a count would exceed 2^53". */
crm_status crm__count_overflow(void);

/* ---- the handle --------------------------------------------------------------------------- */
typedef struct crm__stats_ops {
    int32_t kind;
    const char *name;
    void (*free)(void *state);
    /* into += other. atomic_merge = 1: merge leaves into as it was when it fails (it builds
     * the result aside, or cannot fail after its first change); 0: it may leave into
     * half-merged, and crm_stats_merge merges into a copy. */
    crm_status (*merge)(void *into, const void *other);
    int atomic_merge;
    void (*write)(crm__wbuf *w, const void *state);
    crm_status (*read)(crm__rbuf *r, void **out);
    /* named arrays: out == NULL asks for the count only (*n set); else copies *n values */
    crm_status (*values)(const void *state, const char *name, double *out, size_t *n);
} crm__stats_ops;

struct crm_stats {
    const crm__stats_ops *ops;
    uint64_t fingerprint;
    int64_t rows;
    void *state;
};

/* A handle owning state (freed through ops on failure). */
crm_status crm__stats_wrap(const crm__stats_ops *ops, uint64_t fingerprint, int64_t rows,
                           void *state, crm_stats **out);
/* The whole serialized buffer of s (header, payload, checksum) into w. */
crm_status crm__stats_write_all(const crm_stats *s, crm__wbuf *w);
/* Check a buffer's magic, versions, kind (through lookup), lengths and checksum; the payload
 * reader on success. */
crm_status crm__stats_read_header(const uint8_t *buf, size_t n,
                                  const crm__stats_ops *(*lookup)(uint32_t kind),
                                  const crm__stats_ops **ops, uint64_t *fp, int64_t *rows,
                                  crm__rbuf *payload);
/* The state of s when it has the expected kind, else NULL with CRM_E_TYPE set in *st. */
const void *crm__stats_state(const crm_stats *s, int32_t kind, const char *fn, crm_status *st);

extern const crm__stats_ops crm__stats_group_ops;
extern const crm__stats_ops crm__stats_rfm_ops;
extern const crm__stats_ops crm__stats_kmeans_ops;
extern const crm__stats_ops crm__stats_kmcand_ops;
extern const crm__stats_ops crm__stats_levels_ops;
extern const crm__stats_ops crm__stats_linreg_ops;
extern const crm__stats_ops crm__stats_logreg_ops;
extern const crm__stats_ops crm__stats_itemsets_ops;
extern const crm__stats_ops crm__stats_itemcounts_ops;

#endif /* CRM_CORE_STATS_INTERNAL_H */
