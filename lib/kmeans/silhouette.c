/* Silhouette score (exact, or over a seeded sample of rows). */
#include "kmeans/kmeans_internal.h"
#include "core/par.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIL_OPTIONS_V1_SIZE (offsetof(crm_silhouette_options, n_threads) + sizeof(int32_t))

static const crm_silhouette_options sil_defaults = {
    sizeof(crm_silhouette_options), /* size */
    10000,                          /* sample_size */
    0,                              /* seed */
    0,                              /* n_threads */
};

crm_status crm_silhouette_options_init(crm_silhouette_options *opts, size_t size)
{
    return crm__options_init(opts, size, &sil_defaults, sizeof sil_defaults, SIL_OPTIONS_V1_SIZE,
                             "crm_silhouette_options");
}

typedef struct sil_ctx {
    const km_data *X;
    const size_t *rows; /* m rows of the sample (or all) */
    size_t m;
    const size_t *lab;   /* m cluster indices */
    const double *csize; /* L */
    size_t L;
    double *dsum; /* per worker: L sums */
    double *xm;   /* m x d: the rows, row-major */
    double *s;    /* m results */
} sil_ctx;

#define SIL_TASK 64

static void sil_task(void *p, size_t task, int worker)
{
    sil_ctx *c = p;
    size_t d = c->X->d, L = c->L;
    double *sum = c->dsum + (size_t)worker * L;
    size_t lo = task * SIL_TASK, hi = lo + SIL_TASK < c->m ? lo + SIL_TASK : c->m;
    for (size_t i = lo; i < hi; i++) {
        const double *xi = c->xm + i * d;
        memset(sum, 0, L * sizeof *sum);
        for (size_t j = 0; j < c->m; j++) {
            if (j == i) continue;
            const double *xj = c->xm + j * d;
            double s2 = 0.0;
            for (size_t t = 0; t < d; t++) {
                double v = xi[t] - xj[t];
                s2 += v * v;
            }
            sum[c->lab[j]] += sqrt(s2);
        }
        size_t own = c->lab[i];
        if (c->csize[own] <= 1.0) {
            c->s[i] = 0.0;
            continue;
        }
        double a = sum[own] / (c->csize[own] - 1.0);
        double b = INFINITY;
        for (size_t q = 0; q < L; q++)
            if (q != own && sum[q] / c->csize[q] < b) b = sum[q] / c->csize[q];
        double mx = a > b ? a : b;
        c->s[i] = mx > 0.0 ? (b - a) / mx : 0.0;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

crm_status crm_silhouette(const crm_dataset *ds, const char *const *cols, size_t ncols,
                          const char *label_col, const crm_silhouette_options *opts, double *out)
{
    const char *w = "crm_silhouette";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NAN;
    if (!ds || !label_col)
        return crm__error(CRM_E_INVALID, "%s: %s is NULL", w, ds ? "label_col" : "dataset");
    crm_silhouette_options o;
    crm_status st = crm__options_load(&o, opts, &sil_defaults, sizeof sil_defaults,
                                      SIL_OPTIONS_V1_SIZE, "crm_silhouette_options");
    if (st != CRM_OK) return st;
    if (o.sample_size < 0 || o.n_threads < 0)
        return crm__error(CRM_E_INVALID, "%s: sample_size and n_threads must be >= 0", w);
    const double **ptrs = NULL;
    st = crm__km_columns(ds, cols, ncols, w, &ptrs);
    if (st != CRM_OK) return st;
    const double **lp = NULL;
    st = crm__km_columns(ds, &label_col, 1, w, &lp);
    if (st != CRM_OK) {
        crm__free(ptrs);
        return st;
    }
    const double *labels = lp[0];
    crm__free(lp);
    size_t n = ds->nrows;
    for (size_t r = 0; r < n; r++) {
        if (labels[r] != floor(labels[r])) {
            crm__free(ptrs);
            return crm__error(CRM_E_INVALID,
                              "%s: column \"%s\" row %zu: label %g is not a whole "
                              "number",
                              w, label_col, r, labels[r]);
        }
    }
    size_t m = n;
    if (o.sample_size > 0 && (uint64_t)n > (uint64_t)o.sample_size) m = (size_t)o.sample_size;
    km_data X = {n, ncols, ptrs, NULL, NULL, NULL};
    sil_ctx c;
    memset(&c, 0, sizeof c);
    size_t *rows = crm__malloc_array(m ? m : 1, sizeof *rows);
    size_t *lab = crm__malloc_array(m ? m : 1, sizeof *lab);
    double *uniq = crm__malloc_array(m ? m : 1, sizeof *uniq);
    double *s = crm__malloc_array(m ? m : 1, sizeof *s);
    double *csize = NULL;
    if (!rows || !lab || !uniq || !s) {
        st = crm__nomem();
        goto done;
    }
    if (m == n) {
        for (size_t i = 0; i < n; i++)
            rows[i] = i;
    } else {
        /* Floyd's sample of m distinct rows, then in row order */
        crm__rng rng;
        crm__rng_seed(&rng, o.seed);
        size_t *seen = rows;
        for (size_t i = 0; i < m; i++) {
            size_t j = n - m + i;
            size_t t = (size_t)crm__rng_below(&rng, (uint64_t)j + 1);
            /* membership test by linear search is O(m^2); sort-insert instead */
            size_t lo = 0, hi = i;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (seen[mid] < t)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < i && seen[lo] == t) {
                t = j; /* j is larger than every earlier pick: append */
                lo = i;
            }
            memmove(seen + lo + 1, seen + lo, (i - lo) * sizeof *seen);
            seen[lo] = t;
        }
        qsort(rows, m, sizeof *rows, cmp_size);
    }
    for (size_t i = 0; i < m; i++)
        uniq[i] = labels[rows[i]];
    qsort(uniq, m, sizeof *uniq, cmp_double);
    size_t L = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || uniq[i] != uniq[L - 1]) uniq[L++] = uniq[i];
    if (L < 2 || L > m - 1) {
        st = crm__error(CRM_E_INVALID, "%s: %zu distinct labels in %zu rows; need 2 to n - 1", w, L,
                        m);
        goto done;
    }
    csize = crm__calloc(L, sizeof *csize);
    if (!csize) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        double v = labels[rows[i]];
        size_t lo = 0, hi = L;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (uniq[mid] < v)
                lo = mid + 1;
            else
                hi = mid;
        }
        lab[i] = lo;
        csize[lo] += 1.0;
    }
    size_t ntasks = (m + SIL_TASK - 1) / SIL_TASK;
    int nt = crm__par_threads(o.n_threads, ntasks);
    c.X = &X;
    c.rows = rows;
    c.m = m;
    c.lab = lab;
    c.csize = csize;
    c.L = L;
    c.s = s;
    c.dsum = crm__malloc_array((size_t)nt * L, sizeof(double));
    c.xm = crm__malloc_array(m * ncols, sizeof(double));
    if (!c.dsum || !c.xm) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        crm__km_gather(&X, rows[i], 1, c.xm + i * ncols);
    crm__par_for(nt, ntasks, sil_task, &c);
    double tot = 0.0;
    for (size_t i = 0; i < m; i++)
        tot += s[i];
    *out = tot / (double)m;
done:
    crm__free(c.dsum);
    crm__free(c.xm);
    crm__free(csize);
    crm__free(rows);
    crm__free(lab);
    crm__free(uniq);
    crm__free(s);
    crm__free(ptrs);
    return st;
}
