/* crm_dataset_group: hash group-by with exact sums and means.
 *
 * Rows are hashed to dense group ids in one pass (open addressing, ids in
 * order of first appearance; with one key column the key sits in the slot,
 * the table is pre-sized from a sampled distinct-count estimate and the slots
 * of rows further on are prefetched); every aggregation then runs column at
 * a time over the id array; only the groups are sorted (LSD radix sort on
 * order-preserving 64-bit images of the keys) for the output order.
 *
 * Exact sums: each group accumulates a double-double (TwoSum of the running
 * sum, plus the sum of the exact rounding errors) together with the summed
 * magnitudes of the rounding errors made in that second sum (usually 0).
 * When this bound proves that the rounded result (and the quotient for the
 * mean, ties to even included) cannot differ from the exactly rounded one,
 * it is taken; otherwise, rarely, the group is summed again with Shewchuk's
 * exact algorithm (crm__fsum) and the mean is rounded correctly from the
 * exact sum with sign tests. */
#include "dataset/group_internal.h"
#include "dataset/keyhash.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* rows looked ahead when prefetching hash slots and accumulators */
enum { AHEAD = 32 };

enum { F_SUM, F_MEAN, F_MIN, F_MAX, F_COUNT, F_COUNT_DISTINCT, F_FIRST, F_LAST, F_MEDIAN, F_NFN };

static const char *const fn_names[F_NFN] = {"sum",   "mean",           "min",   "max",
                                             "count", "count_distinct", "first", "last",
                                             "median"};

typedef struct agg {
    int fn;
    int rows; /* count() */
    size_t col;
    char *name;
    double *sum, *mean, *cnt; /* per group, owned by one sum/mean agg of the column */
    int owns;
} agg;

/* ---- parsing ------------------------------------------------------------ */

static void trim(const char **b, const char **e)
{
    while (*b < *e && (**b == ' ' || **b == '\t'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

static crm_status parse_agg(const crm_dataset *ds, const char *s, agg *a)
{
    const char *open = strchr(s, '(');
    size_t len = strlen(s);
    if (!open)
        return crm__error(CRM_E_PARSE, "aggregation \"%s\": expected FUNCTION(COLUMN)", s);
    if (len == 0 || s[len - 1] != ')')
        return crm__error(CRM_E_PARSE, "aggregation \"%s\": expected ')' at the end", s);
    const char *eq = memchr(s, '=', (size_t)(open - s));
    const char *fb = eq ? eq + 1 : s, *fe = open;
    trim(&fb, &fe);
    const char *nb = s, *ne = eq;
    if (eq) {
        trim(&nb, &ne);
        if (nb == ne)
            return crm__error(CRM_E_PARSE, "aggregation \"%s\": empty name before '='", s);
    }
    a->fn = -1;
    for (int f = 0; f < F_NFN; f++)
        if (strlen(fn_names[f]) == (size_t)(fe - fb) &&
            memcmp(fn_names[f], fb, (size_t)(fe - fb)) == 0)
            a->fn = f;
    if (fe == fb)
        return crm__error(CRM_E_PARSE, "aggregation \"%s\": missing function name", s);
    if (a->fn < 0)
        return crm__error(CRM_E_NOTFOUND,
                          "aggregation \"%s\": unknown function \"%.*s\" (expected sum, mean, min, "
                          "max, count, count_distinct, first, last or median)",
                          s, (int)(fe - fb), fb);
    const char *cb = open + 1, *ce = s + len - 1;
    size_t clen = (size_t)(ce - cb);
    char *col = crm__strndup(cb, clen);
    if (!col)
        return crm__nomem();
    crm_status st = CRM_OK;
    if (clen == 0) {
        if (a->fn != F_COUNT) {
            crm__free(col);
            return crm__error(CRM_E_PARSE, "aggregation \"%s\": %s needs a column", s,
                              fn_names[a->fn]);
        }
        a->rows = 1;
    } else if (crm__dataset_find(ds, col, &a->col)) {
        st = crm__error(CRM_E_NOTFOUND, "aggregation \"%s\": no column named \"%s\"", s, col);
    } else if ((a->fn == F_SUM || a->fn == F_MEAN || a->fn == F_MEDIAN) &&
               ds->cols[a->col].type != CRM_TYPE_NUMBER) {
        st = crm__error(CRM_E_TYPE, "aggregation \"%s\": %s needs a number column, \"%s\" is %s", s,
                        fn_names[a->fn], col, crm__type_name(ds->cols[a->col].type));
    }
    if (st) {
        crm__free(col);
        return st;
    }
    if (eq) {
        a->name = crm__strndup(nb, (size_t)(ne - nb));
    } else if (a->rows) {
        a->name = crm__strdup("count");
    } else {
        size_t fl = strlen(fn_names[a->fn]);
        a->name = crm__malloc(clen + fl + 2);
        if (a->name) {
            memcpy(a->name, col, clen);
            a->name[clen] = '_';
            memcpy(a->name + clen + 1, fn_names[a->fn], fl + 1);
        }
    }
    crm__free(col);
    return a->name ? CRM_OK : crm__nomem();
}

/* ---- exact sums and means ------------------------------------------------ */

typedef struct dd_acc {
    double hi, lo, err;
    size_t cnt;
} dd_acc;

/* Correctly rounded S / n where S is the exact sum held by F (shared with the mergeable
 * group-by statistics, group_stats.c). */
double crm__group_exact_mean(const crm__fsum *F, size_t cnt)
{
    double r = crm__fsum_result(F);
    double n = (double)cnt;
    if (!isfinite(r) || F->nspecial)
        return r / n;
    double q = r / n;
    for (int it = 0; it < 4 && isfinite(q); it++) {
        double up = nextafter(q, INFINITY), dn = nextafter(q, -INFINITY);
        if (!isfinite(up) || !isfinite(dn))
            break;
        double P = q * n, e = fma(q, n, -P); /* q * n == P + e exactly */
        /* sign of 2S - 2qn - n*gap: compare the remainder with half a gap */
        crm__fsum G;
        crm__fsum_init(&G);
        for (int k = 0; k < F->n; k++)
            crm__fsum_add(&G, 2.0 * F->p[k]);
        crm__fsum_add(&G, -2.0 * P);
        crm__fsum_add(&G, -2.0 * e);
        crm__fsum H = G;
        crm__fsum_add(&G, -(n * (up - q)));
        double su = crm__fsum_result(&G);
        if (su > 0) {
            q = up;
            continue;
        }
        uint64_t bits;
        if (su == 0) { /* exactly half way: ties to even */
            memcpy(&bits, &q, sizeof bits);
            return (bits & 1u) ? up : q;
        }
        crm__fsum_add(&H, n * (q - dn));
        double sd = crm__fsum_result(&H);
        if (sd < 0) {
            q = dn;
            continue;
        }
        if (sd == 0) {
            memcpy(&bits, &q, sizeof bits);
            return (bits & 1u) ? dn : q;
        }
        break;
    }
    return q;
}

/* Distances from a finite x to its neighbours toward +inf (*gu) and -inf
 * (*gd); 0 for zero, subnormal or tiny x (the callers then take the exact
 * path). */
static inline void gaps(double x, double *gu, double *gd)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    uint64_t e = (b >> 52) & 0x7ffu;
    *gu = *gd = 0.0;
    if (e <= 53 || e == 0x7ffu)
        return;
    uint64_t ub = (e - 52) << 52; /* 2^(exponent - 52): the spacing in [2^k, 2^(k+1)) */
    double ulp;
    memcpy(&ulp, &ub, sizeof ulp);
    int pow2 = (b & ((UINT64_C(1) << 52) - 1)) == 0;
    double below = pow2 ? ulp * 0.5 : ulp; /* spacing toward zero */
    if (x > 0) {
        *gu = ulp;
        *gd = below;
    } else {
        *gu = below;
        *gd = ulp;
    }
}

/* Exact error of the product p = fl(a * b): a * b == p + result, for
 * |a|, |b| < 2^995 and |p| > 2^-900 (the caller checks). */
static inline double prod_err(double a, double b, double p)
{
#ifdef FP_FAST_FMA
    return fma(a, b, -p);
#else
    const double split = 134217729.0; /* 2^27 + 1 (Veltkamp) */
    double t = split * a;
    double ah = t - (t - a), al = a - ah;
    t = split * b;
    double bh = t - (t - b), bl = b - bh;
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
}

static inline double even_of(double a, double b)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    return (bits & 1u) ? b : a;
}

/* Fast path: 1 when the double-double accumulator proves the exactly rounded
 * sum and mean of the group; 0 when the group must be summed exactly. The
 * true sum is S = hi + lo + E with |E| <= err (the summed magnitudes of the
 * rounding errors made while adding to lo; usually 0). */
static int finish_fast(const dd_acc *a, double *sum, double *mean)
{
    double hi = a->hi, lo = a->lo;
    if (!isfinite(hi) || !isfinite(lo) || !isfinite(a->err))
        return 0;
    double r = hi + lo;
    if (!isfinite(r))
        return 0;
    double bb = r - hi;
    double d = (hi - (r - bb)) + (lo - bb); /* hi + lo == r + d exactly */
    double B = a->err * (1.0 + 0x1p-20);
    double gu, gd;
    if (B > 0) {
        gaps(r, &gu, &gd);
        double t1 = d + B, t2 = d - B;
        if (!(t1 + fabs(t1) * 0x1p-52 < gu * 0.5) || !(t2 - fabs(t2) * 0x1p-52 > -gd * 0.5))
            return 0;
    }
    /* mean: q is the exactly rounded S / n when the remainder R = S - q*n lies
     * within half a gap of q (times n), ties to even; otherwise step to
     * q + R/n and check again */
    double n = (double)a->cnt;
    if (r == 0.0) {
        if (B > 0 || d != 0.0)
            return 0;
        *sum = r;
        *mean = 0.0;
        return 1;
    }
    double q = r / n;
    for (int it = 0;; it++) {
        if (it == 3 || !(fabs(q) < 0x1p995 && fabs(q) > 0x1p-900))
            return 0;
        double P = q * n, e = prod_err(q, n, P); /* q * n == P + e exactly */
        double t = hi - P;
        double tb = t - hi;
        if ((hi - (t - tb)) + (-P - tb) != 0.0)
            return 0; /* hi - P not exact */
        double u1 = t + lo;
        double R = u1 - e; /* ~ S - q*n */
        gaps(q, &gu, &gd);
        if (!(gu >= DBL_MIN) || !(gd >= DBL_MIN))
            return 0;
        double hu = n * gu * 0.5, hd = n * gd * 0.5;
        if (B == 0.0) {
            /* S == hi + lo: R is exact when both roundings were */
            double b1 = u1 - t, x1 = (t - (u1 - b1)) + (lo - b1);
            double b2 = R - u1, x2 = (u1 - (R - b2)) + (-e - b2);
            if (x1 == 0.0 && x2 == 0.0) {
                if (R < hu && R > -hd)
                    break;
                if (R == hu) {
                    q = even_of(q, q + gu);
                    break;
                }
                if (R == -hd) {
                    q = even_of(q, q - gd);
                    break;
                }
                q += R / n;
                continue;
            }
        }
        double BR = B + (fabs(u1) + fabs(R)) * 0x1p-52;
        double a1 = R + BR, a2 = R - BR;
        if (a1 + fabs(a1) * 0x1p-52 < hu && a2 - fabs(a2) * 0x1p-52 > -hd)
            break;
        q += R / n;
    }
    *sum = r;
    *mean = q;
    return 1;
}

/* Exactly rounded per-group sum and mean of a number column (missing skipped;
 * empty groups: sum 0, mean NaN). */
static crm_status sum_mean(const double *x, const uint32_t *gid, size_t n, size_t ng, double *sum,
                           double *mean, double *count)
{
    dd_acc *acc = crm__calloc(ng ? ng : 1, sizeof *acc);
    uint32_t *fb = NULL;
    crm__fsum *fs = NULL;
    crm_status st = CRM_OK;
    if (!acc) {
        st = crm__nomem();
        goto done;
    }
    for (size_t r = 0; r < n; r++) {
        if (r + AHEAD < n)
            CRM__PREFETCH(&acc[gid[r + AHEAD]]);
        double v = x[r];
        if (v != v)
            continue;
        dd_acc *a = &acc[gid[r]];
        a->cnt++;
        double h = a->hi;
        double s = h + v;
        double bb = s - h;
        double e = (h - (s - bb)) + (v - bb);
        double lo = a->lo;
        double l = lo + e;
        double lb = l - lo;
        double le = (lo - (l - lb)) + (e - lb); /* rounding error of lo + e */
        a->hi = s;
        a->lo = l;
        a->err += fabs(le);
    }
    size_t nfb = 0;
    for (size_t g = 0; g < ng; g++) {
        count[g] = (double)acc[g].cnt;
        if (acc[g].cnt == 0) {
            sum[g] = 0.0;
            mean[g] = NAN;
        } else if (!finish_fast(&acc[g], &sum[g], &mean[g])) {
            if (!fb) {
                fb = crm__malloc_array(ng, sizeof *fb);
                if (!fb) {
                    st = crm__nomem();
                    goto done;
                }
                for (size_t i = 0; i < ng; i++)
                    fb[i] = UINT32_MAX;
            }
            fb[g] = (uint32_t)nfb++;
        }
    }
    if (nfb) {
        fs = crm__malloc_array(nfb, sizeof *fs);
        if (!fs) {
            st = crm__nomem();
            goto done;
        }
        for (size_t i = 0; i < nfb; i++)
            crm__fsum_init(&fs[i]);
        for (size_t r = 0; r < n; r++) {
            uint32_t k = fb[gid[r]];
            if (k != UINT32_MAX && x[r] == x[r])
                crm__fsum_add(&fs[k], x[r]);
        }
        for (size_t g = 0; g < ng; g++) {
            if (fb[g] == UINT32_MAX)
                continue;
            sum[g] = crm__fsum_result(&fs[fb[g]]);
            mean[g] = crm__group_exact_mean(&fs[fb[g]], acc[g].cnt);
        }
    }
done:
    crm__free(acc);
    crm__free(fb);
    crm__free(fs);
    return st;
}

/* ---- other aggregations -------------------------------------------------- */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static crm_status medians(const double *x, const uint32_t *gid, size_t n, size_t ng, double *med)
{
    size_t *off = crm__calloc(ng + 1, sizeof *off);
    double *buf = NULL;
    if (!off)
        return crm__nomem();
    for (size_t r = 0; r < n; r++)
        if (x[r] == x[r])
            off[gid[r] + 1]++;
    for (size_t g = 0; g < ng; g++)
        off[g + 1] += off[g];
    buf = crm__malloc_array(off[ng], sizeof *buf);
    if (!buf) {
        crm__free(off);
        return crm__nomem();
    }
    for (size_t r = 0; r < n; r++)
        if (x[r] == x[r])
            buf[off[gid[r]]++] = x[r];
    /* off[g] now holds the end of group g */
    size_t begin = 0;
    for (size_t g = 0; g < ng; g++) {
        size_t m = off[g] - begin;
        double *v = buf + begin;
        if (m == 0) {
            med[g] = NAN;
        } else {
            qsort(v, m, sizeof *v, cmp_double);
            med[g] = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2.0;
        }
        begin = off[g];
    }
    crm__free(buf);
    crm__free(off);
    return CRM_OK;
}

/* Number of distinct non-missing values per group. */
static crm_status count_distinct(const crm__column *c, const uint32_t *gid, size_t n, size_t ng,
                                 double *out)
{
    crm__keycol kc;
    crm__keycol_set(&kc, c, NULL);
    crm__keytab t;
    crm_status st = crm__keytab_init(&t, 2, ng);
    if (st)
        return st;
    for (size_t g = 0; g < ng; g++)
        out[g] = 0;
    for (size_t r = 0; r < n; r++) {
        if (crm__keycol_nomatch(&kc, r))
            continue;
        uint64_t v[2] = {gid[r], crm__keycol_value(&kc, r)};
        uint64_t h = crm__key_hash_final(crm__key_hash_step(crm__key_hash_step(0, v[0]), v[1]));
        if (crm__keytab_find(&t, v, h) >= 0)
            continue;
        uint32_t id;
        if ((st = crm__keytab_add(&t, v, h, &id)))
            break;
        out[gid[r]] += 1;
    }
    crm__keytab_free(&t);
    return st;
}

/* Row chosen per group (first/last non-missing, or the first row holding the
 * minimum/maximum); -1 for an all-missing group. */
static crm_status pick_rows(const crm__column *c, int fn, const uint32_t *gid, size_t n, size_t ng,
                            int64_t *sel)
{
    for (size_t g = 0; g < ng; g++)
        sel[g] = -1;
    if (fn == F_FIRST || fn == F_LAST) {
        crm__keycol kc;
        crm__keycol_set(&kc, c, NULL);
        for (size_t r = 0; r < n; r++)
            if (!crm__keycol_nomatch(&kc, r) && (fn == F_LAST || sel[gid[r]] < 0))
                sel[gid[r]] = (int64_t)r;
        return CRM_OK;
    }
    int mx = fn == F_MAX;
    if (c->type == CRM_TYPE_NUMBER) {
        const double *x = c->v.num;
        for (size_t r = 0; r < n; r++) {
            double v = x[r];
            if (v != v)
                continue;
            int64_t *s = &sel[gid[r]];
            if (*s < 0 || (mx ? v > x[*s] : v < x[*s]))
                *s = (int64_t)r;
        }
    } else if (c->type == CRM_TYPE_TIME) {
        const int64_t *x = c->v.time;
        for (size_t r = 0; r < n; r++) {
            int64_t v = x[r];
            if (v == CRM_TIME_MISSING)
                continue;
            int64_t *s = &sel[gid[r]];
            if (*s < 0 || (mx ? v > x[*s] : v < x[*s]))
                *s = (int64_t)r;
        }
    } else {
        int32_t *rank = NULL;
        crm_status st = crm__dict_ranks(c->dict, &rank);
        if (st)
            return st;
        const int32_t *x = c->v.code;
        for (size_t r = 0; r < n; r++) {
            int32_t v = x[r];
            if (v < 0)
                continue;
            int64_t *s = &sel[gid[r]];
            if (*s < 0 || (mx ? rank[v] > rank[x[*s]] : rank[v] < rank[x[*s]]))
                *s = (int64_t)r;
        }
        crm__free(rank);
    }
    return CRM_OK;
}

/* Order-preserving image of a canonical key value (missing largest). */
static uint64_t sortable(int32_t type, uint64_t v, const int32_t *rank)
{
    switch (type) {
    case CRM_TYPE_NUMBER:
        if (v == CRM__KEY_NAN_BITS)
            return UINT64_MAX;
        return (v >> 63) ? ~v : v | (UINT64_C(1) << 63);
    case CRM_TYPE_TIME:
        if ((int64_t)v == CRM_TIME_MISSING)
            return UINT64_MAX;
        return (v ^ (UINT64_C(1) << 63)) - 1u;
    default:
        return (int64_t)v < 0 ? UINT64_MAX : (uint64_t)rank[v];
    }
}

/* ---- rows -> group ids ------------------------------------------------------ */

/* One key column: the key lives in the slot (one cache miss per row) and the
 * slots of rows AHEAD further on are prefetched. Fills gid[0..n) and returns
 * the canonical key and the first row of each group, in order of appearance. */
typedef struct slot1 {
    uint64_t key;
    uint64_t id1; /* id + 1; 0 = empty */
} slot1;

/* Multiplicative (Fibonacci) hash of a canonical key value: the table index
 * is taken from the top bits, h >> (64 - log2(slots)). */
static inline uint64_t hash1(uint64_t v)
{
    return (v ^ (v >> 29)) * UINT64_C(0x9e3779b97f4a7c15);
}

static inline unsigned shift_of(size_t nslots)
{
    unsigned sh = 64;
    while (nslots > 1) {
        nslots >>= 1;
        sh--;
    }
    return sh;
}

/* Estimated number of distinct keys (Chao1 on an evenly spaced sample of at
 * most 2^16 rows), so that the table rarely has to grow. Several key
 * columns are identified by the 64-bit hash of the row's key vector (vals:
 * scratch of nkeys values). */
static crm_status estimate_groups(const crm__keycol *kc, size_t nkeys, size_t n, uint64_t *vals,
                                  size_t *out)
{
    enum { SAMPLE = 1 << 16, SLOTS = 1 << 17 };
    *out = n;
    if (n <= SAMPLE)
        return CRM_OK;
    slot1 *t = crm__calloc(SLOTS, sizeof *t);
    if (!t)
        return crm__nomem();
    size_t stride = n / SAMPLE, d = 0;
    for (size_t s = 0; s < SAMPLE; s++) {
        size_t row = s * stride;
        uint64_t v = nkeys == 1 ? crm__keycol_value(kc, row) : crm__key_row(kc, nkeys, row, vals);
        size_t i = (size_t)(hash1(v) >> 47); /* SLOTS = 2^17 */
        while (t[i].id1 && t[i].key != v)
            i = (i + 1) & (SLOTS - 1);
        if (!t[i].id1) {
            t[i].key = v;
            d++;
        }
        t[i].id1++; /* here: the count of the key in the sample */
    }
    double f1 = 0, f2 = 0;
    for (size_t i = 0; i < SLOTS; i++) {
        f1 += t[i].id1 == 1;
        f2 += t[i].id1 == 2;
    }
    crm__free(t);
    double est = (double)d + (f2 > 0 ? f1 * f1 / (2 * f2) : f1 * (f1 - 1) / 2);
    est *= 1.1;
    *out = est >= (double)n ? n : (size_t)est;
    return CRM_OK;
}

/* Canonical value of cell r of a key column whose type is a constant at the
 * call site (so that the compiler drops the type switch from the row loop). */
static inline uint64_t key_value_t(const crm__keycol *kc, int32_t type, size_t r)
{
    if (type == CRM_TYPE_NUMBER)
        return crm__key_num_bits(kc->num[r]);
    if (type == CRM_TYPE_TIME)
        return (uint64_t)kc->time[r];
    return (uint64_t)(int64_t)kc->code[r];
}

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline crm_status ids_one_key_t(const crm__keycol *kc, int32_t type, size_t n, uint32_t *gid,
                                       uint64_t **keys_out, int64_t **rep_out, size_t *ng_out)
{
    /* load factor at most 11/16 (linear probing, 4 slots per cache line) */
    size_t ns = 1024, est = 0;
    crm_status st = estimate_groups(kc, 1, n, NULL, &est);
    if (st)
        return st;
    while (ns / 16 * 11 < est && ns < ((size_t)1 << 40))
        ns *= 2;
    size_t cap = ns / 16 * 11, ng = 0;
    uint64_t ring[AHEAD]; /* hashes of the rows ahead */
    for (size_t r = 0; r < AHEAD && r < n; r++)
        ring[r] = hash1(key_value_t(kc, type, r));
    slot1 *slots = crm__calloc(ns, sizeof *slots);
    uint64_t *keys = crm__malloc_array(cap, sizeof *keys);
    int64_t *rep = crm__malloc_array(cap, sizeof *rep);
    if (!slots || !keys || !rep)
        goto nomem;
    size_t mask = ns - 1;
    unsigned sh = shift_of(ns);
    for (size_t r = 0; r < n; r++) {
        uint64_t h = ring[r % AHEAD];
        if (r + AHEAD < n) {
            uint64_t ha = hash1(key_value_t(kc, type, r + AHEAD));
            ring[r % AHEAD] = ha;
            CRM__PREFETCH(&slots[ha >> sh]);
        }
        uint64_t v = key_value_t(kc, type, r);
        size_t i = (size_t)(h >> sh);
        for (;; i = (i + 1) & mask) {
            slot1 *sl = &slots[i];
            if (sl->id1 && sl->key == v) {
                gid[r] = (uint32_t)(sl->id1 - 1);
                break;
            }
            if (sl->id1)
                continue;
            if (ng == cap) { /* grow: twice the slots, rehash */
                size_t ns2 = ns * 2, cap2 = ns2 / 16 * 11;
                slot1 *s2 = crm__calloc(ns2, sizeof *s2);
                if (!s2)
                    goto nomem;
                uint64_t *k2 = crm__realloc_array(keys, cap2, sizeof *k2);
                if (!k2) {
                    crm__free(s2);
                    goto nomem;
                }
                keys = k2;
                int64_t *r2 = crm__realloc_array(rep, cap2, sizeof *r2);
                if (!r2) {
                    crm__free(s2);
                    goto nomem;
                }
                rep = r2;
                for (size_t g = 0; g < ng; g++) {
                    if (g + AHEAD < ng)
                        CRM__PREFETCH(&s2[hash1(keys[g + AHEAD]) >> (sh - 1)]);
                    size_t j = (size_t)(hash1(keys[g]) >> (sh - 1));
                    while (s2[j].id1)
                        j = (j + 1) & (ns2 - 1);
                    s2[j].key = keys[g];
                    s2[j].id1 = g + 1;
                }
                crm__free(slots);
                slots = s2;
                ns = ns2;
                cap = cap2;
                mask = ns - 1;
                sh = shift_of(ns);
                for (i = (size_t)(hash1(v) >> sh); slots[i].id1; i = (i + 1) & mask)
                    ;
                sl = &slots[i];
            }
            sl->key = v;
            sl->id1 = ng + 1;
            keys[ng] = v;
            rep[ng] = (int64_t)r;
            gid[r] = (uint32_t)ng++;
            break;
        }
    }
    crm__free(slots);
    *keys_out = keys;
    *rep_out = rep;
    *ng_out = ng;
    return CRM_OK;
nomem:
    crm__free(slots);
    crm__free(keys);
    crm__free(rep);
    return crm__nomem();
}

static crm_status ids_one_key(const crm__keycol *kc, size_t n, uint32_t *gid, uint64_t **keys_out,
                              int64_t **rep_out, size_t *ng_out)
{
    switch (kc->type) {
    case CRM_TYPE_NUMBER:
        return ids_one_key_t(kc, CRM_TYPE_NUMBER, n, gid, keys_out, rep_out, ng_out);
    case CRM_TYPE_TIME:
        return ids_one_key_t(kc, CRM_TYPE_TIME, n, gid, keys_out, rep_out, ng_out);
    default:
        return ids_one_key_t(kc, CRM_TYPE_TEXT, n, gid, keys_out, rep_out, ng_out);
    }
}

/* Any number of key columns: key vectors in a crm__keytab. */
static crm_status ids_keytab(const crm__keycol *kc, size_t nkeys, size_t n, uint32_t *gid,
                             crm__keytab *t, uint64_t *vals, int64_t **rep_out)
{
    size_t est = 0;
    crm_status st = estimate_groups(kc, nkeys, n, vals, &est);
    if (st || (st = crm__keytab_init(t, nkeys, est)))
        return st;
    size_t repcap = est > 1024 ? est : 1024;
    int64_t *rep = crm__malloc_array(repcap, sizeof *rep);
    uint64_t *ahead = crm__malloc_array(nkeys, sizeof *ahead);
    if (!rep || !ahead) {
        crm__free(rep);
        crm__free(ahead);
        return crm__nomem();
    }
    crm__keyring ring;
    crm__keyring_init(&ring, kc, nkeys, n, ahead);
    for (size_t r = 0; r < n; r++) {
        uint64_t h = crm__keyring_next(&ring, kc, nkeys, n, r, t, ahead);
        for (size_t k = 0; k < nkeys; k++)
            vals[k] = crm__keycol_value(&kc[k], r);
        uint32_t g;
        int64_t f = crm__keytab_find(t, vals, h);
        if (f >= 0) {
            g = (uint32_t)f;
        } else {
            if ((st = crm__keytab_add(t, vals, h, &g)))
                break;
            if (g >= repcap) {
                size_t cap = repcap * 2;
                int64_t *nr = crm__realloc_array(rep, cap, sizeof *nr);
                if (!nr) {
                    st = crm__nomem();
                    break;
                }
                rep = nr;
                repcap = cap;
            }
            rep[g] = (int64_t)r;
        }
        gid[r] = g;
    }
    crm__free(ahead);
    if (st) {
        crm__free(rep);
        return st;
    }
    *rep_out = rep;
    return CRM_OK;
}

/* The sum/mean aggregation of column col holding the per-group sums, means
 * and counts, computed on first use; *out = NULL when no sum or mean of col
 * was asked for. */
static crm_status sums_of(const crm_dataset *ds, const uint32_t *gid, size_t ng, agg *ag,
                          size_t naggs, size_t col, agg **out)
{
    *out = NULL;
    for (size_t j = 0; j < naggs; j++) {
        agg *o = &ag[j];
        if (o->rows || o->col != col || (o->fn != F_SUM && o->fn != F_MEAN))
            continue;
        if (!o->owns) {
            o->owns = 1;
            o->sum = crm__malloc_array(ng, sizeof *o->sum);
            o->mean = crm__malloc_array(ng, sizeof *o->mean);
            o->cnt = crm__malloc_array(ng, sizeof *o->cnt);
            if (!o->sum || !o->mean || !o->cnt)
                return crm__nomem();
            crm_status st =
                sum_mean(ds->cols[col].v.num, gid, ds->nrows, ng, o->sum, o->mean, o->cnt);
            if (st)
                return st;
        }
        *out = o;
        return CRM_OK;
    }
    return CRM_OK;
}

/* ---- the call ------------------------------------------------------------ */

static crm_status add_numbers(crm_dataset *res, const char *name, const double *pergroup,
                              const uint32_t *order, size_t ng)
{
    double *v = crm__malloc_array(ng, sizeof *v);
    if (!v)
        return crm__nomem();
    for (size_t i = 0; i < ng; i++)
        v[i] = pergroup[order[i]];
    crm_status st = crm__dataset_add_owned(res, name, CRM_TYPE_NUMBER, v, NULL, ng);
    if (st)
        crm__free(v);
    return st;
}

/* Per group: the number of rows (c NULL) or of non-missing cells of c. */
static void count_rows(const crm__column *c, const uint32_t *gid, size_t n, size_t ng, double *cnt)
{
    for (size_t g = 0; g < ng; g++)
        cnt[g] = 0;
    if (!c) {
        for (size_t r = 0; r < n; r++) {
            if (r + AHEAD < n)
                CRM__PREFETCH(&cnt[gid[r + AHEAD]]);
            cnt[gid[r]] += 1;
        }
        return;
    }
    crm__keycol kv;
    crm__keycol_set(&kv, c, NULL);
    for (size_t r = 0; r < n; r++) {
        if (r + AHEAD < n)
            CRM__PREFETCH(&cnt[gid[r + AHEAD]]);
        if (!crm__keycol_nomatch(&kv, r))
            cnt[gid[r]] += 1;
    }
}

/* The grouping as the output steps see it, with their scratch. */
typedef struct grouped {
    const crm_dataset *ds;
    const uint32_t *gid;   /* group of every row */
    const uint32_t *order; /* the groups in output order */
    size_t ng;
    agg *ag; /* all the aggregations (sum and mean share their per-group sums) */
    size_t naggs;
    int64_t *rows, *sel; /* ng rows each */
    double *work;        /* ng values */
} grouped;

/* Append the column of aggregation a, the groups in output order. */
static crm_status emit_agg(const grouped *g, agg *a, crm_dataset *res)
{
    const crm_dataset *ds = g->ds;
    size_t n = ds->nrows, ng = g->ng;
    const crm__column *c = a->rows ? NULL : &ds->cols[a->col];
    agg *sm = NULL;
    crm_status st;
    switch (a->fn) {
    case F_SUM:
    case F_MEAN:
        if ((st = sums_of(ds, g->gid, ng, g->ag, g->naggs, a->col, &sm)))
            return st;
        return add_numbers(res, a->name, a->fn == F_SUM ? sm->sum : sm->mean, g->order, ng);
    case F_COUNT:
        if (!a->rows && (st = sums_of(ds, g->gid, ng, g->ag, g->naggs, a->col, &sm)))
            return st;
        if (sm) /* counted along with the sums */
            return add_numbers(res, a->name, sm->cnt, g->order, ng);
        count_rows(c, g->gid, n, ng, g->work);
        return add_numbers(res, a->name, g->work, g->order, ng);
    case F_COUNT_DISTINCT:
        if ((st = count_distinct(c, g->gid, n, ng, g->work)))
            return st;
        return add_numbers(res, a->name, g->work, g->order, ng);
    case F_MEDIAN:
        if ((st = medians(c->v.num, g->gid, n, ng, g->work)))
            return st;
        return add_numbers(res, a->name, g->work, g->order, ng);
    default: /* min, max, first, last: keep the type */
        if ((st = pick_rows(c, a->fn, g->gid, n, ng, g->sel)))
            return st;
        for (size_t i = 0; i < ng; i++)
            g->rows[i] = g->sel[g->order[i]];
        return crm__column_gather(res, a->name, c, g->rows, ng);
    }
}

/* Resolve the key columns: kidx[k] and kc[k] for keys[k] (each named once). */
static crm_status find_keys(const crm_dataset *ds, const char *const *keys, size_t nkeys,
                            size_t *kidx, crm__keycol *kc)
{
    for (size_t k = 0; k < nkeys; k++) {
        crm_status st = crm__key_name_check("crm_dataset_group", keys, k);
        if (st || (st = crm__dataset_find(ds, keys[k], &kidx[k])))
            return st;
        crm__keycol_set(&kc[k], &ds->cols[kidx[k]], NULL);
    }
    return CRM_OK;
}

/* Parse aggs into ag: each gives a column name that no key and no other aggregation gives. */
static crm_status parse_aggs(const crm_dataset *ds, const char *const *keys, size_t nkeys,
                             const char *const *aggs, size_t naggs, agg *ag)
{
    for (size_t i = 0; i < naggs; i++) {
        crm_status st;
        if (!aggs[i])
            return crm__error(CRM_E_INVALID, "crm_dataset_group: aggs[%zu] is NULL", i);
        if ((st = parse_agg(ds, aggs[i], &ag[i])))
            return st;
        for (size_t k = 0; k < nkeys; k++)
            if (strcmp(ag[i].name, keys[k]) == 0)
                return crm__error(CRM_E_INVALID,
                                  "crm_dataset_group: aggregation \"%s\" gives the name \"%s\" of "
                                  "a key column",
                                  aggs[i], ag[i].name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ag[i].name, ag[j].name) == 0)
                return crm__error(CRM_E_INVALID,
                                  "crm_dataset_group: aggregations \"%s\" and \"%s\" both give a "
                                  "column named \"%s\"",
                                  aggs[j], aggs[i], ag[i].name);
    }
    return CRM_OK;
}

/* Step 1: the dense group id of every row, a representative row of each group (*rep) and the
 * groups' keys (*gkeys, ng * nkeys values: *keys1 for one key column, else t's). */
static crm_status group_ids(const crm__keycol *kc, size_t nkeys, size_t n, uint32_t *gid,
                            crm__keytab *t, uint64_t *vals, uint64_t **keys1, int64_t **rep,
                            size_t *ng, const uint64_t **gkeys)
{
    crm_status st;
    if (nkeys == 1) {
        if ((st = ids_one_key(kc, n, gid, keys1, rep, ng)))
            return st;
        *gkeys = *keys1;
        return CRM_OK;
    }
    if ((st = ids_keytab(kc, nkeys, n, gid, t, vals, rep)))
        return st;
    *ng = t->n;
    *gkeys = t->keys;
    return CRM_OK;
}

/* Step 2: order[0..ng) = the groups by their keys ascending, missing last (stable LSD passes,
 * last key first). */
static crm_status sort_groups(const crm_dataset *ds, const size_t *kidx, size_t nkeys,
                              const uint64_t *gkeys, size_t ng, uint32_t *order)
{
    crm_status st = CRM_OK;
    uint32_t *tmpi = crm__malloc_array(ng, sizeof *tmpi);
    uint64_t *sk = crm__malloc_array(ng, sizeof *sk);
    uint64_t *tmpk = crm__malloc_array(ng, sizeof *tmpk);
    int32_t *rank = NULL;
    if (!tmpi || !sk || !tmpk)
        st = crm__nomem();
    for (size_t g = 0; !st && g < ng; g++)
        order[g] = (uint32_t)g;
    for (size_t k = nkeys; !st && k-- > 0;) {
        const crm__column *c = &ds->cols[kidx[k]];
        if (c->type == CRM_TYPE_TEXT && (st = crm__dict_ranks(c->dict, &rank)))
            break;
        for (size_t i = 0; i < ng; i++)
            sk[i] = sortable(c->type, gkeys[(size_t)order[i] * nkeys + k], rank);
        crm__radix_sort_u64(sk, order, tmpk, tmpi, ng);
        crm__free(rank);
        rank = NULL;
    }
    crm__free(tmpi);
    crm__free(sk);
    crm__free(tmpk);
    return st;
}

/* Step 3: the table: the key columns (each group's representative row), then one column per
 * aggregation, the groups in g->order. */
static crm_status emit_groups(grouped *g, const char *const *keys, const size_t *kidx,
                              size_t nkeys, const int64_t *rep, crm_dataset **out)
{
    size_t ng = g->ng;
    crm_dataset *res = NULL;
    crm_status st = CRM_OK;
    g->rows = crm__malloc_array(ng, sizeof *g->rows);
    g->sel = crm__malloc_array(ng, sizeof *g->sel);
    g->work = crm__malloc_array(ng, sizeof *g->work);
    if (!g->rows || !g->sel || !g->work || (st = crm_dataset_new(&res))) {
        if (!st)
            st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < ng; i++)
        g->rows[i] = rep[g->order[i]];
    for (size_t k = 0; k < nkeys && !st; k++)
        st = crm__column_gather(res, keys[k], &g->ds->cols[kidx[k]], g->rows, ng);
    for (size_t i = 0; i < g->naggs && !st; i++)
        st = emit_agg(g, &g->ag[i], res);
    if (!st) {
        res->nrows = ng;
        *out = res;
        res = NULL;
    }
done:
    crm_dataset_free(res);
    crm__free(g->rows);
    crm__free(g->sel);
    crm__free(g->work);
    return st;
}

crm_status crm_dataset_group(const crm_dataset *ds, const char *const *keys, size_t nkeys,
                             const char *const *aggs, size_t naggs, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !keys || !out || (!aggs && naggs))
        return crm__error(CRM_E_INVALID, "crm_dataset_group: NULL argument");
    if (nkeys == 0)
        return crm__error(CRM_E_INVALID, "crm_dataset_group: no key columns given");
    crm_status st = CRM_OK;
    size_t n = ds->nrows, ng = 0;
    size_t *kidx = crm__calloc(nkeys, sizeof *kidx);
    crm__keycol *kc = crm__calloc(nkeys, sizeof *kc);
    uint64_t *vals = crm__calloc(nkeys, sizeof *vals);
    agg *ag = crm__calloc(naggs ? naggs : 1, sizeof *ag);
    uint32_t *gid = NULL, *order = NULL;
    uint64_t *keys1 = NULL;
    const uint64_t *gkeys = NULL;
    int64_t *rep = NULL;
    crm__keytab t;
    memset(&t, 0, sizeof t);
    if (!kidx || !kc || !vals || !ag) {
        st = crm__nomem();
        goto done;
    }
    if ((st = find_keys(ds, keys, nkeys, kidx, kc)) ||
        (st = parse_aggs(ds, keys, nkeys, aggs, naggs, ag)))
        goto done;
    if (n >= UINT32_MAX - 2) {
        st = crm__error(CRM_E_INVALID, "crm_dataset_group: %zu rows is more than supported", n);
        goto done;
    }

    /* 1. rows -> dense group ids */
    if (!(gid = crm__malloc_array(n, sizeof *gid))) {
        st = crm__nomem();
        goto done;
    }
    if ((st = group_ids(kc, nkeys, n, gid, &t, vals, &keys1, &rep, &ng, &gkeys)))
        goto done;

    /* 2. the order of the groups */
    if (!(order = crm__malloc_array(ng, sizeof *order))) {
        st = crm__nomem();
        goto done;
    }
    if ((st = sort_groups(ds, kidx, nkeys, gkeys, ng, order)))
        goto done;
    crm__keytab_free(&t);
    crm__free(keys1);
    keys1 = NULL;

    /* 3. output: keys, then one column per aggregation */
    grouped g = {ds, gid, order, ng, ag, naggs, NULL, NULL, NULL};
    st = emit_groups(&g, keys, kidx, nkeys, rep, out);
done:
    crm__keytab_free(&t);
    for (size_t i = 0; ag && i < naggs; i++) {
        crm__free(ag[i].name);
        if (ag[i].owns) {
            crm__free(ag[i].sum);
            crm__free(ag[i].mean);
            crm__free(ag[i].cnt);
        }
    }
    crm__free(ag);
    crm__free(kidx);
    crm__free(kc);
    crm__free(vals);
    crm__free(gid);
    crm__free(order);
    crm__free(rep);
    crm__free(keys1);
    return st;
}

/* Steps 1 and 2 for the mergeable statistics (group_stats.c): see group_internal.h. */
crm_status crm__group_rows(const crm_dataset *ds, const size_t *kidx, size_t nkeys, uint32_t *gid,
                           int64_t **rep, uint32_t **order, size_t *ng)
{
    size_t n = ds->nrows;
    *rep = NULL;
    *order = NULL;
    *ng = 0;
    if (n >= UINT32_MAX - 2)
        return crm__error(CRM_E_INVALID, "crm_group_stats_compute: %zu rows is more than "
                                         "supported",
                          n);
    crm_status st = CRM_OK;
    crm__keycol *kc = crm__calloc(nkeys, sizeof *kc);
    uint64_t *vals = crm__calloc(nkeys, sizeof *vals), *keys1 = NULL;
    const uint64_t *gkeys = NULL;
    crm__keytab t;
    memset(&t, 0, sizeof t);
    if (!kc || !vals) {
        st = crm__nomem();
        goto done;
    }
    for (size_t k = 0; k < nkeys; k++)
        crm__keycol_set(&kc[k], &ds->cols[kidx[k]], NULL);
    if ((st = group_ids(kc, nkeys, n, gid, &t, vals, &keys1, rep, ng, &gkeys)))
        goto done;
    if (!(*order = crm__malloc_array(*ng + 1, sizeof **order))) {
        st = crm__nomem();
        goto done;
    }
    st = sort_groups(ds, kidx, nkeys, gkeys, *ng, *order);
done:
    if (st) {
        crm__free(*rep);
        crm__free(*order);
        *rep = NULL;
        *order = NULL;
        *ng = 0;
    }
    crm__keytab_free(&t);
    crm__free(keys1);
    crm__free(kc);
    crm__free(vals);
    return st;
}
