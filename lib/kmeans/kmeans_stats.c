/* k-means as mergeable statistics (crm/stats.h): the Lloyd step (per-center exact sums,
 * counts and squared distances at given centers) and the k-means|| candidate step. */
#include "core/stats_internal.h"
#include "kmeans/kmeans_internal.h"

#include <math.h>
#include <string.h>

/* ---- Lloyd step ---------------------------------------------------------------------------- */

typedef struct km_stats {
    size_t k, d;
    double *centers; /* k x d, the centers computed at */
    int64_t *count;  /* k */
    crm__xsums sum;  /* k x d exact sums */
    crm__xsums wcss; /* k exact sums of squared distances */
} km_stats;

static void km_free(void *sp)
{
    km_stats *s = sp;
    if (!s) return;
    crm__free(s->centers);
    crm__free(s->count);
    crm__xsums_free(&s->sum);
    crm__xsums_free(&s->wcss);
    crm__free(s);
}

static km_stats *km_alloc(size_t k, size_t d)
{
    km_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->k = k;
    s->d = d;
    s->centers = crm__malloc_array(k * d, sizeof *s->centers);
    s->count = crm__calloc(k, sizeof *s->count);
    if (!s->centers || !s->count) {
        km_free(s);
        return NULL;
    }
    return s;
}

/* Nearest center of row x (||c||^2 - 2 x.c, ties to the lowest id, as the fit) and the exact
 * squared distance to it. */
static size_t nearest(const double *x, const double *C, const double *cn, size_t k, size_t d,
                      double *dist)
{
    size_t best = 0;
    double bv = INFINITY;
    for (size_t c = 0; c < k; c++) {
        const double *cc = C + c * d;
        double dot = 0;
        for (size_t j = 0; j < d; j++)
            dot += x[j] * cc[j];
        double v = cn[c] - 2.0 * dot;
        if (v < bv) {
            bv = v;
            best = c;
        }
    }
    const double *cc = C + best * d;
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double t = x[j] - cc[j];
        s += t * t;
    }
    *dist = s;
    return best;
}

static crm_status check_centers(const char *fn, const double *centers, size_t n, int32_t k,
                                size_t d)
{
    if (k < 0 || (size_t)k * d != n)
        return crm__error(CRM_E_INVALID, "%s: %zu center values for k = %d and %zu features", fn,
                          n, (int)k, d);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(centers[i]))
            return crm__error(CRM_E_INVALID, "%s: center value %zu is not finite", fn, i);
    return CRM_OK;
}

static uint64_t km_fingerprint(const char *const *cols, size_t d, const double *centers,
                               size_t n, int32_t k)
{
    uint64_t h = crm__fp_u64(CRM__FP_INIT, (uint64_t)k);
    for (size_t j = 0; j < d; j++)
        h = crm__fp_str(h, cols[j]);
    for (size_t i = 0; i < n; i++)
        h = crm__fp_f64(h, centers[i]);
    return h;
}

/* Accumulate the rows into per-center fsums (k x d + k), then keep them compactly. */
static crm_status km_accumulate(km_stats *s, const double *const *X, size_t nrows)
{
    size_t k = s->k, d = s->d;
    crm__fsum *fs = crm__malloc_array(k * d + k, sizeof *fs);
    double *cn = crm__malloc_array(k, sizeof *cn);
    double *x = crm__malloc_array(d, sizeof *x);
    crm_status st = CRM_OK;
    if (!fs || !cn || !x) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < k * d + k; i++)
        crm__fsum_init(&fs[i]);
    for (size_t c = 0; c < k; c++) {
        double t = 0;
        for (size_t j = 0; j < d; j++)
            t += s->centers[c * d + j] * s->centers[c * d + j];
        cn[c] = t;
    }
    for (size_t r = 0; r < nrows; r++) {
        for (size_t j = 0; j < d; j++)
            x[j] = X[j][r];
        double dist;
        size_t c = nearest(x, s->centers, cn, k, d, &dist);
        s->count[c]++;
        for (size_t j = 0; j < d; j++)
            crm__fsum_add(&fs[c * d + j], x[j]);
        crm__fsum_add(&fs[k * d + c], dist);
    }
    for (size_t i = 0; i < k * d && !st; i++)
        st = crm__xsums_push(&s->sum, &fs[i]);
    for (size_t c = 0; c < k && !st; c++)
        st = crm__xsums_push(&s->wcss, &fs[k * d + c]);
done:
    crm__free(fs);
    crm__free(cn);
    crm__free(x);
    return st;
}

crm_status crm_kmeans_stats_compute(const crm_dataset *ds, const char *const *cols,
                                    size_t ncols, const double *centers, size_t n, int32_t k,
                                    crm_stats **out)
{
    const char *fn = "crm_kmeans_stats_compute";
    if (out) *out = NULL;
    if (!ds || !out || !centers) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (k < 1) return crm__error(CRM_E_INVALID, "%s: k must be >= 1 (got %d)", fn, (int)k);
    const double **X = NULL;
    crm_status st = crm__km_columns(ds, cols, ncols, fn, &X);
    if (st) return st;
    if ((st = check_centers(fn, centers, n, k, ncols))) goto done;
    km_stats *s = km_alloc((size_t)k, ncols);
    if (!s) {
        st = crm__nomem();
        goto done;
    }
    memcpy(s->centers, centers, n * sizeof *centers);
    if ((st = km_accumulate(s, X, ds->nrows))) {
        km_free(s);
        goto done;
    }
    st = crm__stats_wrap(&crm__stats_kmeans_ops, km_fingerprint(cols, ncols, centers, n, k),
                         (int64_t)ds->nrows, s, out);
done:
    crm__free(X);
    return st;
}

static crm_status km_merge(void *ip, const void *op)
{
    km_stats *a = ip;
    const km_stats *b = op;
    size_t k = a->k, d = a->d;
    for (size_t c = 0; c < k; c++)
        if (b->count[c] > CRM__MAX_COUNT - a->count[c]) return crm__count_overflow();
    crm__xsums sum = {0}, wcss = {0};
    crm_status st = CRM_OK;
    for (size_t i = 0; i < k * d + k && !st; i++) {
        const crm__xsums *xa = i < k * d ? &a->sum : &a->wcss;
        const crm__xsums *xb = i < k * d ? &b->sum : &b->wcss;
        size_t at = i < k * d ? i : i - k * d;
        crm__fsum f;
        crm__xsums_get(xa, at, &f);
        crm__xsums_add_to(xb, at, &f);
        st = crm__xsums_push(i < k * d ? &sum : &wcss, &f);
    }
    if (st) {
        crm__xsums_free(&sum);
        crm__xsums_free(&wcss);
        return st;
    }
    for (size_t c = 0; c < k; c++)
        a->count[c] += b->count[c];
    crm__xsums_free(&a->sum);
    crm__xsums_free(&a->wcss);
    a->sum = sum;
    a->wcss = wcss;
    return CRM_OK;
}

static void km_write(crm__wbuf *w, const void *sp)
{
    const km_stats *s = sp;
    crm__w_u64(w, s->k);
    crm__w_u64(w, s->d);
    for (size_t i = 0; i < s->k * s->d; i++)
        crm__w_f64(w, s->centers[i]);
    for (size_t c = 0; c < s->k; c++)
        crm__w_i64(w, s->count[c]);
    crm__xsums_write(w, &s->sum);
    crm__xsums_write(w, &s->wcss);
}

static crm_status km_read(crm__rbuf *r, void **out)
{
    size_t k = crm__r_count(r, 16), d = crm__r_count(r, 8);
    if (r->bad || k == 0 || d == 0 || k > SIZE_MAX / 8 / d) {
        r->bad = 1;
        return CRM_OK;
    }
    if (k * d > (r->n - r->pos) / 8) {
        r->bad = 1;
        return CRM_OK;
    }
    km_stats *s = km_alloc(k, d);
    if (!s) return crm__nomem();
    *out = s;
    for (size_t i = 0; i < k * d; i++)
        s->centers[i] = crm__r_f64(r);
    for (size_t c = 0; c < k; c++)
        if ((s->count[c] = crm__r_i64(r)) < 0 || s->count[c] > CRM__MAX_COUNT) r->bad = 1;
    crm_status st = crm__xsums_read(r, &s->sum);
    if (!st) st = crm__xsums_read(r, &s->wcss);
    if (!r->bad && !st && (s->sum.n != k * d || s->wcss.n != k)) r->bad = 1;
    return st;
}

static crm_status km_values(const void *sp, const char *name, double *out, size_t *n)
{
    const km_stats *s = sp;
    size_t k = s->k, d = s->d;
    if (strcmp(name, "centers") == 0) {
        *n = k * d;
        if (out) memcpy(out, s->centers, k * d * sizeof *out);
    } else if (strcmp(name, "sums") == 0) {
        *n = k * d;
        for (size_t i = 0; out && i < k * d; i++)
            out[i] = crm__xsums_result(&s->sum, i);
    } else if (strcmp(name, "counts") == 0) {
        *n = k;
        for (size_t c = 0; out && c < k; c++)
            out[c] = (double)s->count[c];
    } else if (strcmp(name, "wcss") == 0) {
        *n = k;
        for (size_t c = 0; out && c < k; c++)
            out[c] = crm__xsums_result(&s->wcss, c);
    } else if (strcmp(name, "inertia") == 0) {
        *n = 1;
        if (out) {
            crm__fsum f;
            crm__fsum_init(&f);
            for (size_t c = 0; c < k; c++)
                crm__xsums_add_to(&s->wcss, c, &f);
            out[0] = crm__fsum_result(&f);
        }
    } else {
        return crm__error(CRM_E_NOTFOUND, "crm_stats_values: k-means statistics have no \"%s\" "
                                          "(centers, sums, counts, wcss, inertia)",
                          name);
    }
    return CRM_OK;
}

crm_status crm_kmeans_stats_update(const crm_stats *st_, double *out, size_t n)
{
    const char *fn = "crm_kmeans_stats_update";
    crm_status st;
    const km_stats *s = crm__stats_state(st_, CRM_STATS_KMEANS, fn, &st);
    if (!s) return st;
    if (!out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (n != s->k * s->d)
        return crm__error(CRM_E_INVALID, "%s: n is %zu, the centers take %zu", fn, n,
                          s->k * s->d);
    for (size_t c = 0; c < s->k; c++)
        for (size_t j = 0; j < s->d; j++) {
            size_t i = c * s->d + j;
            out[i] = s->count[c] ? crm__xsums_result(&s->sum, i) / (double)s->count[c]
                                 : s->centers[i];
        }
    return CRM_OK;
}

const crm__stats_ops crm__stats_kmeans_ops = {CRM_STATS_KMEANS, "k-means", km_free, km_merge, 1,
                                              km_write, km_read, km_values};

/* ---- k-means|| candidates ------------------------------------------------------------------ */

typedef struct kc_stats {
    size_t d, m;        /* features, candidates */
    double *x;          /* m x d */
    int64_t *chunk;     /* m: chunk of each candidate */
    int64_t *row;       /* m: row in its chunk */
    double *weight;     /* m: 1, or the chunk's rows for k = 0 */
    crm__xsums cost;    /* 1 exact sum */
} kc_stats;

static void kc_free(void *sp)
{
    kc_stats *s = sp;
    if (!s) return;
    crm__free(s->x);
    crm__free(s->chunk);
    crm__free(s->row);
    crm__free(s->weight);
    crm__xsums_free(&s->cost);
    crm__free(s);
}

static crm_status kc_alloc(kc_stats *s, size_t m)
{
    s->m = m;
    s->x = crm__malloc_array(m * s->d + 1, sizeof *s->x);
    s->chunk = crm__malloc_array(m + 1, sizeof *s->chunk);
    s->row = crm__malloc_array(m + 1, sizeof *s->row);
    s->weight = crm__malloc_array(m + 1, sizeof *s->weight);
    if (!s->x || !s->chunk || !s->row || !s->weight) return crm__nomem();
    return CRM_OK;
}

/* Rows kept (the PRNG stream of (seed, chunk)), into keep[]; *m their count; cost summed. */
static void kc_sample(const double *const *X, size_t nrows, size_t d, const double *C,
                      size_t k, double l, double cost, crm__rng *rng, uint8_t *keep, size_t *m,
                      crm__fsum *fcost)
{
    *m = 0;
    if (k == 0) {
        if (nrows > 0) {
            keep[crm__rng_below(rng, nrows)] = 1;
            *m = 1;
        }
        return;
    }
    for (size_t r = 0; r < nrows; r++) {
        double best = INFINITY;
        for (size_t c = 0; c < k; c++) {
            double s = 0;
            for (size_t j = 0; j < d; j++) {
                double t = X[j][r] - C[c * d + j];
                s += t * t;
            }
            if (s < best) best = s;
        }
        crm__fsum_add(fcost, best);
        double p = l * best / cost;
        double u = crm__rng_uniform(rng);
        if (u < p) {
            keep[r] = 1;
            (*m)++;
        }
    }
}

crm_status crm_kmeans_stats_candidates(const crm_dataset *ds, const char *const *cols,
                                       size_t ncols, const double *centers, size_t n,
                                       int32_t k, double oversample, double cost,
                                       uint64_t seed, int64_t chunk, crm_stats **out)
{
    const char *fn = "crm_kmeans_stats_candidates";
    if (out) *out = NULL;
    if (!ds || !out || (n > 0 && !centers))
        return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (!(oversample > 0) || !isfinite(oversample))
        return crm__error(CRM_E_INVALID, "%s: oversample must be > 0", fn);
    if (k > 0 && (!(cost > 0) || !isfinite(cost)))
        return crm__error(CRM_E_INVALID, "%s: cost must be a finite number > 0", fn);
    if (chunk < 0) return crm__error(CRM_E_INVALID, "%s: chunk must be >= 0", fn);
    const double **X = NULL;
    crm_status st = crm__km_columns(ds, cols, ncols, fn, &X);
    if (st) return st;
    kc_stats *s = NULL;
    uint8_t *keep = NULL;
    if ((st = check_centers(fn, centers ? centers : (const double *)&cost, n, k, ncols)))
        goto done;
    s = crm__calloc(1, sizeof *s);
    keep = crm__calloc(ds->nrows + 1, 1);
    if (!s || !keep) goto nomem;
    s->d = ncols;
    crm__rng rng;
    crm__rng_seed_stream(&rng, seed, (uint64_t)chunk);
    crm__fsum fcost;
    crm__fsum_init(&fcost);
    size_t m = 0;
    kc_sample(X, ds->nrows, ncols, centers, (size_t)k, oversample, cost, &rng, keep, &m, &fcost);
    if ((st = kc_alloc(s, m)) || (st = crm__xsums_push(&s->cost, &fcost))) goto done;
    size_t at = 0;
    for (size_t r = 0; r < ds->nrows; r++) {
        if (!keep[r]) continue;
        for (size_t j = 0; j < ncols; j++)
            s->x[at * ncols + j] = X[j][r];
        s->chunk[at] = chunk;
        s->row[at] = (int64_t)r;
        s->weight[at] = k == 0 ? (double)ds->nrows : 1.0;
        at++;
    }
    uint64_t h = crm__fp_u64(crm__fp_u64(CRM__FP_INIT, ncols), seed);
    for (size_t j = 0; j < ncols; j++)
        h = crm__fp_str(h, cols[j]);
    for (size_t i = 0; i < n; i++)
        h = crm__fp_f64(h, centers[i]);
    h = crm__fp_f64(crm__fp_f64(h, oversample), k > 0 ? cost : 0.0);
    st = crm__stats_wrap(&crm__stats_kmcand_ops, h, (int64_t)ds->nrows, s, out);
    s = NULL;
    goto done;
nomem:
    st = crm__nomem();
done:
    kc_free(s);
    crm__free(keep);
    crm__free(X);
    return st;
}

/* Merge: candidates ordered by (chunk, row), whatever the merge order. */
static crm_status kc_merge(void *ip, const void *op)
{
    kc_stats *a = ip;
    const kc_stats *b = op;
    if (a->d != b->d) return crm__error(CRM_E_STATE, "crm_stats_merge: feature counts differ");
    kc_stats t = {a->d, 0, NULL, NULL, NULL, NULL, {0}};
    crm_status st = kc_alloc(&t, a->m + b->m);
    size_t i = 0, j = 0, o = 0, d = a->d;
    while (!st && (i < a->m || j < b->m)) {
        int take_a = j >= b->m || (i < a->m && (a->chunk[i] < b->chunk[j] ||
                                                 (a->chunk[i] == b->chunk[j] &&
                                                  a->row[i] <= b->row[j])));
        const kc_stats *src = take_a ? a : b;
        size_t at = take_a ? i++ : j++;
        memcpy(t.x + o * d, src->x + at * d, d * sizeof *t.x);
        t.chunk[o] = src->chunk[at];
        t.row[o] = src->row[at];
        t.weight[o] = src->weight[at];
        o++;
    }
    crm__fsum f;
    if (!st) {
        crm__xsums_get(&a->cost, 0, &f);
        crm__xsums_add_to(&b->cost, 0, &f);
        st = crm__xsums_push(&t.cost, &f);
    }
    if (st) {
        crm__free(t.x);
        crm__free(t.chunk);
        crm__free(t.row);
        crm__free(t.weight);
        crm__xsums_free(&t.cost);
        return st;
    }
    crm__free(a->x);
    crm__free(a->chunk);
    crm__free(a->row);
    crm__free(a->weight);
    crm__xsums_free(&a->cost);
    *a = t;
    return CRM_OK;
}

static void kc_write(crm__wbuf *w, const void *sp)
{
    const kc_stats *s = sp;
    crm__w_u64(w, s->d);
    crm__w_u64(w, s->m);
    for (size_t i = 0; i < s->m; i++) {
        crm__w_i64(w, s->chunk[i]);
        crm__w_i64(w, s->row[i]);
        crm__w_f64(w, s->weight[i]);
        for (size_t j = 0; j < s->d; j++)
            crm__w_f64(w, s->x[i * s->d + j]);
    }
    crm__xsums_write(w, &s->cost);
}

static crm_status kc_read(crm__rbuf *r, void **out)
{
    size_t d = crm__r_count(r, 8);
    size_t m = crm__r_count(r, 24 + 8 * d);
    if (r->bad || d == 0) {
        r->bad = 1;
        return CRM_OK;
    }
    kc_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return crm__nomem();
    *out = s;
    s->d = d;
    crm_status st = kc_alloc(s, m);
    if (st) return st;
    for (size_t i = 0; i < m; i++) {
        s->chunk[i] = crm__r_i64(r);
        s->row[i] = crm__r_i64(r);
        s->weight[i] = crm__r_f64(r);
        for (size_t j = 0; j < d; j++)
            s->x[i * d + j] = crm__r_f64(r);
    }
    st = crm__xsums_read(r, &s->cost);
    if (!st && !r->bad && s->cost.n != 1) r->bad = 1;
    return st;
}

static crm_status kc_values(const void *sp, const char *name, double *out, size_t *n)
{
    const kc_stats *s = sp;
    if (strcmp(name, "candidates") == 0) {
        *n = s->m * s->d;
        if (out) memcpy(out, s->x, *n * sizeof *out);
    } else if (strcmp(name, "weights") == 0) {
        *n = s->m;
        if (out) memcpy(out, s->weight, *n * sizeof *out);
    } else if (strcmp(name, "cost") == 0) {
        *n = 1;
        if (out) out[0] = crm__xsums_result(&s->cost, 0);
    } else if (strcmp(name, "d") == 0) {
        *n = 1;
        if (out) out[0] = (double)s->d;
    } else {
        return crm__error(CRM_E_NOTFOUND, "crm_stats_values: k-means|| statistics have no "
                                          "\"%s\" (candidates, weights, cost, d)",
                          name);
    }
    return CRM_OK;
}

const crm__stats_ops crm__stats_kmcand_ops = {CRM_STATS_KMEANS_CANDIDATES, "k-means||",
                                              kc_free, kc_merge, 1, kc_write, kc_read, kc_values};
