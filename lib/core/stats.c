/* Mergeable statistics: the handle, versioned byte buffers, exact sums kept compactly and
 * typed key columns (crm/stats.h; the kinds live in their modules' *_stats.c files). */
#include "core/stats_internal.h"

#include "core/dataset_internal.h"

#include <math.h>
#include <string.h>

static const char stats_magic[8] = {'C', 'R', 'M', 'S', 'T', 'A', 'T', 'S'};
#define HEADER_BYTES (8 + 4 + 4 + 4 + 8 + 8 + 8) /* magic .. payload length */
#define TRAILER_BYTES 8                         /* checksum */

/* ---- bytes out ----------------------------------------------------------------------------- */

/* Where the next n bytes go, NULL when they are not to be stored (counting, or a failure,
 * which then sticks in w->st); b.len already advanced. */
static inline uint8_t *w_room(crm__wbuf *w, size_t n)
{
    if (w->st) return NULL;
    if (w->counting) {
        w->b.len += n;
        return NULL;
    }
    uint8_t *d;
    if (w->fixed) {
        if (n > w->cap - w->b.len) {
            w->st = CRM_E_INVALID; /* the caller (crm_stats_serialize) says why */
            return NULL;
        }
        d = w->fixed + w->b.len;
    } else {
        if (w->b.len + n + 1 > w->b.cap && (w->st = crm__buf_reserve(&w->b, n))) return NULL;
        d = (uint8_t *)w->b.data + w->b.len;
    }
    w->b.len += n;
    return d;
}

void crm__w_bytes(crm__wbuf *w, const void *p, size_t n)
{
    uint8_t *d = w_room(w, n);
    if (d && n) memcpy(d, p, n);
}

void crm__w_u64(crm__wbuf *w, uint64_t v)
{
    uint8_t *d = w_room(w, 8);
    if (!d) return;
    for (int i = 0; i < 8; i++)
        d[i] = (uint8_t)(v >> (8 * i));
}

void crm__w_u32(crm__wbuf *w, uint32_t v)
{
    uint8_t *d = w_room(w, 4);
    if (!d) return;
    for (int i = 0; i < 4; i++)
        d[i] = (uint8_t)(v >> (8 * i));
}

void crm__w_i64(crm__wbuf *w, int64_t v)
{
    crm__w_u64(w, (uint64_t)v);
}

void crm__w_f64(crm__wbuf *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    crm__w_u64(w, u);
}

/* length + 1 (0 = missing), then the bytes */
void crm__w_str(crm__wbuf *w, const char *s)
{
    if (!s) {
        crm__w_u64(w, 0);
        return;
    }
    size_t n = strlen(s);
    crm__w_u64(w, (uint64_t)n + 1);
    crm__w_bytes(w, s, n);
}

/* ---- bytes in ------------------------------------------------------------------------------ */

static const uint8_t *r_take(crm__rbuf *r, size_t n)
{
    if (r->bad || n > r->n - r->pos) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

uint64_t crm__r_u64(crm__rbuf *r)
{
    const uint8_t *b = r_take(r, 8);
    if (!b) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

uint32_t crm__r_u32(crm__rbuf *r)
{
    const uint8_t *b = r_take(r, 4);
    if (!b) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

int64_t crm__r_i64(crm__rbuf *r)
{
    return (int64_t)crm__r_u64(r);
}

double crm__r_f64(crm__rbuf *r)
{
    uint64_t u = crm__r_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

size_t crm__r_count(crm__rbuf *r, size_t min_item)
{
    uint64_t c = crm__r_u64(r);
    if (r->bad) return 0;
    size_t left = r->n - r->pos;
    if (min_item == 0) min_item = 1;
    if (c > left / min_item) {
        r->bad = 1;
        return 0;
    }
    return (size_t)c;
}

crm_status crm__r_str(crm__rbuf *r, char **out)
{
    *out = NULL;
    uint64_t len = crm__r_u64(r);
    if (r->bad || len == 0) return CRM_OK;
    if (len - 1 > r->n - r->pos) {
        r->bad = 1;
        return CRM_OK;
    }
    const uint8_t *p = r_take(r, (size_t)(len - 1));
    if (!p) return CRM_OK;
    if (memchr(p, 0, (size_t)(len - 1))) { /* text never holds NUL */
        r->bad = 1;
        return CRM_OK;
    }
    *out = crm__strndup((const char *)p, (size_t)(len - 1));
    return *out ? CRM_OK : crm__nomem();
}

crm_status crm__r_check(const crm__rbuf *r, const char *what)
{
    if (!r->bad) return CRM_OK;
    return crm__error(CRM_E_FORMAT,
                      "crm_stats_deserialize: truncated or inconsistent %s at byte %zu", what,
                      r->pos);
}

/* ---- fingerprints -------------------------------------------------------------------------- */

uint64_t crm__fp_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

uint64_t crm__fp_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return crm__fp_bytes(h, b, 8);
}

uint64_t crm__fp_f64(uint64_t h, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return crm__fp_u64(h, u);
}

uint64_t crm__fp_str(uint64_t h, const char *s)
{
    if (!s) return crm__fp_u64(h, 0);
    size_t n = strlen(s);
    return crm__fp_bytes(crm__fp_u64(h, (uint64_t)n + 1), s, n);
}

/* ---- exact sums ---------------------------------------------------------------------------- */

void crm__fsum_merge(crm__fsum *a, const crm__fsum *b)
{
    for (int j = 0; j < b->n; j++)
        crm__fsum_add(a, b->p[j]);
    if (b->nspecial) crm__fsum_add(a, b->special);
}

void crm__xsums_free(crm__xsums *x)
{
    crm__free(x->off);
    crm__free(x->p);
    crm__free(x->special);
    crm__free(x->nspecial);
    memset(x, 0, sizeof *x);
}

static crm_status xsums_grow(crm__xsums *x, size_t more_p)
{
    if (x->n + 1 >= x->capn) {
        size_t cap = x->capn ? 2 * x->capn : 16;
        size_t *off = crm__realloc_array(x->off, cap + 1, sizeof *off);
        if (!off) return crm__nomem();
        x->off = off;
        double *sp = crm__realloc_array(x->special, cap, sizeof *sp);
        if (!sp) return crm__nomem();
        x->special = sp;
        uint8_t *ns = crm__realloc_array(x->nspecial, cap, sizeof *ns);
        if (!ns) return crm__nomem();
        x->nspecial = ns;
        if (!x->capn) x->off[0] = 0;
        x->capn = cap;
    }
    if (x->np + more_p > x->capp) {
        size_t cap = x->capp ? 2 * x->capp : 32;
        while (cap < x->np + more_p)
            cap *= 2;
        double *p = crm__realloc_array(x->p, cap, sizeof *p);
        if (!p) return crm__nomem();
        x->p = p;
        x->capp = cap;
    }
    return CRM_OK;
}

crm_status crm__xsums_push(crm__xsums *x, const crm__fsum *f)
{
    crm_status st = xsums_grow(x, (size_t)f->n);
    if (st) return st;
    for (int i = 0; i < f->n; i++) /* 1 to 3 values: a loop, not a memcpy call */
        x->p[x->np + (size_t)i] = f->p[i];
    x->np += (size_t)f->n;
    x->special[x->n] = f->special;
    x->nspecial[x->n] = (uint8_t)(f->nspecial != 0);
    x->n++;
    x->off[x->n] = x->np;
    return CRM_OK;
}

void crm__xsums_get(const crm__xsums *x, size_t i, crm__fsum *f)
{
    crm__fsum_init(f);
    size_t a = x->off[i], b = x->off[i + 1];
    f->n = (int)(b - a);
    if (b > a) memcpy(f->p, x->p + a, (b - a) * sizeof *f->p);
    f->special = x->special[i];
    f->nspecial = x->nspecial[i];
}

void crm__xsums_add_to(const crm__xsums *x, size_t i, crm__fsum *f)
{
    for (size_t j = x->off[i]; j < x->off[i + 1]; j++)
        crm__fsum_add(f, x->p[j]);
    if (x->nspecial[i]) crm__fsum_add(f, x->special[i]);
}

double crm__xsums_result(const crm__xsums *x, size_t i)
{
    crm__fsum f;
    crm__xsums_get(x, i, &f);
    return crm__fsum_result(&f);
}

void crm__xsums_write(crm__wbuf *w, const crm__xsums *x)
{
    crm__w_u64(w, x->n);
    for (size_t i = 0; i < x->n; i++) {
        size_t a = x->off[i], b = x->off[i + 1];
        crm__w_u32(w, (uint32_t)(b - a) | (x->nspecial[i] ? 0x80000000u : 0));
        if (x->nspecial[i]) crm__w_f64(w, x->special[i]);
        for (size_t j = a; j < b; j++)
            crm__w_f64(w, x->p[j]);
    }
}

crm_status crm__xsums_read(crm__rbuf *r, crm__xsums *x)
{
    memset(x, 0, sizeof *x);
    size_t n = crm__r_count(r, 4);
    for (size_t i = 0; i < n && !r->bad; i++) {
        uint32_t h = crm__r_u32(r);
        crm__fsum f;
        crm__fsum_init(&f);
        uint32_t np = h & 0x7fffffffu;
        if (np > 64) r->bad = 1;
        if (h & 0x80000000u) {
            f.special = crm__r_f64(r);
            f.nspecial = 1;
        }
        for (uint32_t j = 0; j < np && !r->bad; j++)
            f.p[j] = crm__r_f64(r);
        f.n = (int)np;
        if (r->bad) break;
        crm_status st = crm__xsums_push(x, &f);
        if (st) return st;
    }
    if (n == 0 && !r->bad) {
        crm_status st = xsums_grow(x, 0); /* off[0] exists */
        if (st) return st;
    }
    return CRM_OK;
}

/* ---- typed key columns --------------------------------------------------------------------- */

void crm__kcol_free(crm__kcol *k)
{
    if (k->str)
        for (size_t i = 0; i < k->n; i++)
            crm__free(k->str[i]);
    crm__free(k->str);
    crm__free(k->num);
    crm__free(k->time);
    int32_t type = k->type;
    memset(k, 0, sizeof *k);
    k->type = type;
}

int crm__kcol_missing(const crm__kcol *k, size_t i)
{
    switch (k->type) {
    case CRM_TYPE_NUMBER:
        return isnan(k->num[i]);
    case CRM_TYPE_TIME:
        return k->time[i] == CRM_TIME_MISSING;
    default:
        return k->str[i] == NULL;
    }
}

int crm__kcol_cmp(const crm__kcol *a, size_t i, const crm__kcol *b, size_t j)
{
    int ma = crm__kcol_missing(a, i), mb = crm__kcol_missing(b, j);
    if (ma || mb) return ma - mb;
    switch (a->type) {
    case CRM_TYPE_NUMBER:
        return (a->num[i] > b->num[j]) - (a->num[i] < b->num[j]);
    case CRM_TYPE_TIME:
        return (a->time[i] > b->time[j]) - (a->time[i] < b->time[j]);
    default: {
        int c = strcmp(a->str[i], b->str[j]);
        return (c > 0) - (c < 0);
    }
    }
}

static crm_status kcol_reserve(crm__kcol *k)
{
    if (k->n < k->cap) return CRM_OK;
    size_t cap = k->cap ? 2 * k->cap : 16;
    if (k->type == CRM_TYPE_NUMBER) {
        double *v = crm__realloc_array(k->num, cap, sizeof *v);
        if (!v) return crm__nomem();
        k->num = v;
    } else if (k->type == CRM_TYPE_TIME) {
        int64_t *v = crm__realloc_array(k->time, cap, sizeof *v);
        if (!v) return crm__nomem();
        k->time = v;
    } else {
        char **v = crm__realloc_array(k->str, cap, sizeof *v);
        if (!v) return crm__nomem();
        k->str = v;
    }
    k->cap = cap;
    return CRM_OK;
}

static crm_status kcol_push_raw(crm__kcol *k, double num, int64_t t, const char *s)
{
    crm_status st = kcol_reserve(k);
    if (st) return st;
    if (k->type == CRM_TYPE_NUMBER) {
        k->num[k->n] = num == 0 ? 0.0 : num; /* -0 and +0 are one key */
    } else if (k->type == CRM_TYPE_TIME) {
        k->time[k->n] = t;
    } else {
        char *c = NULL;
        if (s && !(c = crm__strdup(s))) return crm__nomem();
        k->str[k->n] = c;
    }
    k->n++;
    return CRM_OK;
}

crm_status crm__kcol_push(crm__kcol *dst, const crm__kcol *src, size_t i)
{
    if (dst->type == 0) dst->type = src->type;
    return kcol_push_raw(dst, src->num ? src->num[i] : 0, src->time ? src->time[i] : 0,
                         src->str ? src->str[i] : NULL);
}

crm_status crm__kcol_push_cell(crm__kcol *dst, const crm__column *c, size_t row)
{
    if (dst->type == 0) dst->type = c->type;
    switch (c->type) {
    case CRM_TYPE_NUMBER:
        return kcol_push_raw(dst, c->v.num[row], 0, NULL);
    case CRM_TYPE_TIME:
        return kcol_push_raw(dst, 0, c->v.time[row], NULL);
    default:
        return kcol_push_raw(dst, 0, 0,
                             c->v.code[row] < 0 ? NULL : crm__dict_str(c->dict, c->v.code[row]));
    }
}

void crm__kcol_write(crm__wbuf *w, const crm__kcol *k)
{
    crm__w_u32(w, (uint32_t)k->type);
    crm__w_u64(w, k->n);
    for (size_t i = 0; i < k->n; i++) {
        if (k->type == CRM_TYPE_NUMBER)
            crm__w_f64(w, k->num[i]);
        else if (k->type == CRM_TYPE_TIME)
            crm__w_i64(w, k->time[i]);
        else
            crm__w_str(w, k->str[i]);
    }
}

crm_status crm__kcol_read(crm__rbuf *r, crm__kcol *k)
{
    memset(k, 0, sizeof *k);
    uint32_t type = crm__r_u32(r);
    size_t n = crm__r_count(r, 8);
    if (r->bad) return CRM_OK;
    if (type > CRM_TYPE_TIME || (type == 0 && n > 0)) {
        r->bad = 1;
        return CRM_OK;
    }
    k->type = (int32_t)type;
    for (size_t i = 0; i < n && !r->bad; i++) {
        crm_status st;
        if (type == CRM_TYPE_NUMBER) {
            st = kcol_push_raw(k, crm__r_f64(r), 0, NULL);
        } else if (type == CRM_TYPE_TIME) {
            st = kcol_push_raw(k, 0, crm__r_i64(r), NULL);
        } else {
            char *s = NULL;
            if ((st = crm__r_str(r, &s))) return st;
            st = kcol_reserve(k);
            if (st) {
                crm__free(s);
                return st;
            }
            k->str[k->n++] = s;
        }
        if (st) return st;
    }
    return CRM_OK;
}

crm_status crm__kcol_unify(crm__kcol *a, const crm__kcol *b, const char *what)
{
    if (a->type == b->type || b->n == 0) return CRM_OK;
    if (a->n == 0) { /* retype (after freeing what an empty column may hold) */
        crm__kcol_free(a);
        a->type = b->type;
        return CRM_OK;
    }
    return crm__error(CRM_E_TYPE, "crm_stats_merge: %s is a %s column in one part and %s in the "
                                  "other",
                      what, crm__type_name(a->type), crm__type_name(b->type));
}

crm_status crm__kcol_to_dataset(crm__kcol *k, crm_dataset *ds, const char *name)
{
    crm_status st;
    if (k->type == CRM_TYPE_TEXT) {
        st = crm_dataset_add_text(ds, name, (const char *const *)k->str, k->n);
    } else if (k->type == CRM_TYPE_TIME) {
        st = crm_dataset_add_time(ds, name, k->time, k->n);
    } else {
        if (k->type == 0) k->type = CRM_TYPE_NUMBER;
        st = crm_dataset_add_number(ds, name, k->num, k->n);
    }
    if (!st) crm__kcol_free(k);
    return st;
}

crm_status crm__count_overflow(void)
{
    return crm__error(CRM_E_INVALID, "crm_stats_merge: a count would exceed 2^53");
}

/* ---- rows in key order -------------------------------------------------------------------- */

int crm__cell_cmp(const crm__column *c, size_t a, size_t b)
{
    int ma = crm__cell_missing(c, a), mb = crm__cell_missing(c, b);
    if (ma || mb) return ma - mb;
    if (c->type == CRM_TYPE_NUMBER)
        return (c->v.num[a] > c->v.num[b]) - (c->v.num[a] < c->v.num[b]);
    if (c->type == CRM_TYPE_TIME)
        return (c->v.time[a] > c->v.time[b]) - (c->v.time[a] < c->v.time[b]);
    if (c->v.code[a] == c->v.code[b]) return 0;
    int r = strcmp(crm__dict_str(c->dict, c->v.code[a]), crm__dict_str(c->dict, c->v.code[b]));
    return (r > 0) - (r < 0);
}

void crm__sort_rows(size_t *v, size_t *tmp, size_t n,
                    int (*cmp)(const void *ctx, size_t x, size_t y), const void *ctx)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, t = lo;
            while (i < mid && j < hi)
                tmp[t++] = cmp(ctx, v[j], v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[t++] = v[i++];
            while (j < hi)
                tmp[t++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
}

/* ---- the handle ---------------------------------------------------------------------------- */

/* Names of the kinds, for messages (the kinds themselves live in their modules; the
 * registry that reads a buffer back is lib/stats/registry.c). */
static const char *kind_name(int32_t kind)
{
    static const char *const names[] = {"?",         "group-by",  "RFM",
                                        "k-means",   "k-means||", "levels",
                                        "linear regression", "logistic regression",
                                        "Apriori candidates", "Apriori counts"};
    return kind >= 1 && kind <= 9 ? names[kind] : "unknown";
}

crm_status crm__stats_wrap(const crm__stats_ops *ops, uint64_t fingerprint, int64_t rows,
                           void *state, crm_stats **out)
{
    crm_stats *s = crm__calloc(1, sizeof *s);
    if (!s) {
        ops->free(state);
        return crm__nomem();
    }
    s->ops = ops;
    s->fingerprint = fingerprint;
    s->rows = rows;
    s->state = state;
    *out = s;
    return CRM_OK;
}

const void *crm__stats_state(const crm_stats *s, int32_t kind, const char *fn, crm_status *st)
{
    if (!s) {
        *st = crm__error(CRM_E_INVALID, "%s: NULL statistics", fn);
        return NULL;
    }
    if (s->ops->kind != kind) {
        *st = crm__error(CRM_E_TYPE, "%s: expected %s statistics, got %s", fn, kind_name(kind),
                         s->ops->name);
        return NULL;
    }
    *st = CRM_OK;
    return s->state;
}

void crm_stats_free(crm_stats *s)
{
    if (!s) return;
    s->ops->free(s->state);
    crm__free(s);
}

int32_t crm_stats_get_kind(const crm_stats *s)
{
    return s ? s->ops->kind : 0;
}

crm_status crm_stats_rows(const crm_stats *s, int64_t *out)
{
    if (out) *out = 0;
    if (!s || !out) return crm__error(CRM_E_INVALID, "crm_stats_rows: NULL argument");
    *out = s->rows;
    return CRM_OK;
}

/* The trailer: a 64-bit hash of the buffer read as little-endian 64-bit words (the last one
 * zero-padded, the length mixed in first). Each step (xor a word, multiply by an odd constant,
 * xor-shift) is a bijection of the state, so a change confined to one word always changes
 * the checksum. Format 1 hashed byte by byte (FNV-1a): a quarter of the time of serializing
 * and reading a large buffer back (perf, bench/stats.c). */
static uint64_t checksum(const uint8_t *p, size_t n)
{
    uint64_t h = CRM__FP_INIT ^ (uint64_t)n;
    size_t i = 0;
    for (;; i += 8) {
        uint64_t w = 0;
        size_t m = n - i < 8 ? n - i : 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (m == 8)
            memcpy(&w, p + i, 8); /* one load; the loop below is not always turned into one */
        else
#endif
            for (size_t j = 0; j < m; j++)
                w |= (uint64_t)p[i + j] << (8 * j);
        h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 29;
        if (m < 8) break;
    }
    return h;
}

/* The whole buffer (header, payload, checksum) into w: the payload is written in place after
 * the header and its length patched in (no second copy). */
crm_status crm__stats_write_all(const crm_stats *s, crm__wbuf *w)
{
    size_t start = w->b.len;
    crm__w_bytes(w, stats_magic, 8);
    crm__w_u32(w, CRM_STATS_FORMAT_VERSION);
    crm__w_u32(w, (uint32_t)CRM_VERSION_NUMBER);
    crm__w_u32(w, (uint32_t)s->ops->kind);
    crm__w_u64(w, s->fingerprint);
    crm__w_i64(w, s->rows);
    crm__w_u64(w, 0); /* payload length, patched below */
    size_t p0 = w->b.len;
    s->ops->write(w, s->state);
    if (w->st) return w->st;
    if (w->counting) {
        w->b.len += TRAILER_BYTES;
        return CRM_OK;
    }
    uint8_t *d = w->fixed ? w->fixed : (uint8_t *)w->b.data;
    uint64_t plen = (uint64_t)(w->b.len - p0);
    for (int i = 0; i < 8; i++)
        d[p0 - 8 + (size_t)i] = (uint8_t)(plen >> (8 * i));
    crm__w_u64(w, checksum(d + start, w->b.len - start));
    return w->st;
}

crm_status crm_stats_serialized_size(const crm_stats *s, size_t *out)
{
    if (out) *out = 0;
    if (!s || !out) return crm__error(CRM_E_INVALID, "crm_stats_serialized_size: NULL argument");
    crm__wbuf w = {{0}, CRM_OK, NULL, 0, 1};
    crm_status st = crm__stats_write_all(s, &w);
    *out = st ? 0 : w.b.len;
    return st;
}

crm_status crm_stats_serialize(const crm_stats *s, uint8_t *out, size_t n)
{
    if (!s || !out) return crm__error(CRM_E_INVALID, "crm_stats_serialize: NULL argument");
    crm__wbuf w = {{0}, CRM_OK, out, n, 0};
    crm_status st = crm__stats_write_all(s, &w);
    if (st == CRM_E_INVALID || (!st && w.b.len != n)) {
        size_t need = 0;
        if ((st = crm_stats_serialized_size(s, &need))) return st;
        return crm__error(CRM_E_INVALID,
                          "crm_stats_serialize: buffer of %zu bytes, the statistics take %zu "
                          "(crm_stats_serialized_size)",
                          n, need);
    }
    return st;
}

/* Header fields, checked in the order a reader can trust them. */
crm_status crm__stats_read_header(const uint8_t *buf, size_t n,
                                  const crm__stats_ops *(*lookup)(uint32_t kind),
                                  const crm__stats_ops **ops, uint64_t *fp, int64_t *rows,
                                  crm__rbuf *payload)
{
    const char *fn = "crm_stats_deserialize";
    if (n < 8 || memcmp(buf, stats_magic, 8) != 0)
        return crm__error(CRM_E_FORMAT, "%s: not a libcrm statistics buffer (no CRMSTATS magic)",
                          fn);
    crm__rbuf r = {buf, n, 8, 0};
    uint32_t fmt = crm__r_u32(&r), lib = crm__r_u32(&r), kind = crm__r_u32(&r);
    *fp = crm__r_u64(&r);
    *rows = crm__r_i64(&r);
    uint64_t plen = crm__r_u64(&r);
    if (r.bad) return crm__error(CRM_E_FORMAT, "%s: truncated header (%zu bytes)", fn, n);
    if (fmt != CRM_STATS_FORMAT_VERSION)
        return crm__error(CRM_E_FORMAT, "%s: statistics format version %u, this library reads %d",
                          fn, fmt, CRM_STATS_FORMAT_VERSION);
    if (lib != (uint32_t)CRM_VERSION_NUMBER)
        return crm__error(CRM_E_FORMAT,
                          "%s: statistics written by libcrm %u.%u.%u, this is libcrm %s: every "
                          "process must run the same library version",
                          fn, lib / 10000, lib / 100 % 100, lib % 100, crm_version());
    if (!(*ops = lookup(kind)))
        return crm__error(CRM_E_FORMAT, "%s: unknown statistics kind %u", fn, kind);
    if (plen > n - r.pos || n - r.pos - plen != TRAILER_BYTES)
        return crm__error(CRM_E_FORMAT,
                          "%s: payload length %llu does not match the buffer's %zu bytes", fn,
                          (unsigned long long)plen, n);
    uint64_t want = checksum(buf, n - TRAILER_BYTES);
    crm__rbuf t = {buf, n, n - TRAILER_BYTES, 0};
    if (crm__r_u64(&t) != want)
        return crm__error(CRM_E_FORMAT, "%s: checksum mismatch (corrupted buffer)", fn);
    if (*rows < 0 || *rows > CRM__MAX_COUNT)
        return crm__error(CRM_E_FORMAT, "%s: row count out of range", fn);
    payload->p = buf + r.pos;
    payload->n = (size_t)plen;
    payload->pos = 0;
    payload->bad = 0;
    return CRM_OK;
}

crm_status crm_stats_value_count(const crm_stats *s, const char *name, size_t *out)
{
    if (out) *out = 0;
    if (!s || !name || !out)
        return crm__error(CRM_E_INVALID, "crm_stats_value_count: NULL argument");
    size_t n = 0;
    crm_status st = s->ops->values(s->state, name, NULL, &n);
    if (!st) *out = n;
    return st;
}

crm_status crm_stats_values(const crm_stats *s, const char *name, double *out, size_t n)
{
    if (!s || !name || !out) return crm__error(CRM_E_INVALID, "crm_stats_values: NULL argument");
    size_t want = 0;
    crm_status st = s->ops->values(s->state, name, NULL, &want);
    if (st) return st;
    if (want != n)
        return crm__error(CRM_E_INVALID, "crm_stats_values: \"%s\" has %zu values, not %zu", name,
                          want, n);
    return s->ops->values(s->state, name, out, &n);
}
