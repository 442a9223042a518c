/* Logistic and linear regression as mergeable statistics (crm/stats.h): the design schema
 * (text levels, merged by union), the R factor of [X y] (TSQR), and the gradient, Hessian and
 * log-likelihood at given coefficients; the Newton step, the least-squares solve and the
 * linear model built from merged statistics. */
#include "core/dataset_internal.h"
#include "core/stats_internal.h"
#include "linear/linear_internal.h"
#include "core/blas.h"

#include <math.h>
#include <string.h>

/* ---- levels (the design schema) ------------------------------------------------------------ */

typedef struct lv_stats {
    size_t nf;
    char **name;
    int32_t *type; /* CRM_TYPE_NUMBER or CRM_TYPE_TEXT */
    crm__kcol *lv; /* text features: distinct levels, ascending */
} lv_stats;

static void lv_free(void *sp)
{
    lv_stats *s = sp;
    if (!s) return;
    for (size_t f = 0; f < s->nf; f++) {
        crm__free(s->name ? s->name[f] : NULL);
        if (s->lv) crm__kcol_free(&s->lv[f]);
    }
    crm__free(s->name);
    crm__free(s->type);
    crm__free(s->lv);
    crm__free(s);
}

static lv_stats *lv_new(size_t nf)
{
    lv_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->nf = nf;
    s->name = crm__calloc(nf + 1, sizeof *s->name);
    s->type = crm__calloc(nf + 1, sizeof *s->type);
    s->lv = crm__calloc(nf + 1, sizeof *s->lv);
    if (!s->name || !s->type || !s->lv) {
        lv_free(s);
        return NULL;
    }
    return s;
}

static uint64_t lv_fingerprint(const char *const *features, size_t nf)
{
    uint64_t h = crm__fp_u64(CRM__FP_INIT, nf);
    for (size_t f = 0; f < nf; f++)
        h = crm__fp_str(h, features[f]);
    return h;
}

static crm_status find_feature(const crm_dataset *ds, const char *fn, const char *name,
                               int text_ok, size_t *idx)
{
    if (!name) return crm__error(CRM_E_INVALID, "%s: a column name is NULL", fn);
    if (crm__dataset_find(ds, name, idx))
        return crm__error(CRM_E_NOTFOUND, "%s: no column named \"%s\"", fn, name);
    int32_t t = ds->cols[*idx].type;
    if (t != CRM_TYPE_NUMBER && !(text_ok && t == CRM_TYPE_TEXT))
        return crm__error(CRM_E_TYPE, "%s: column \"%s\" is %s, not number%s", fn, name,
                          crm__type_name(t), text_ok ? " or text" : "");
    return CRM_OK;
}

static int col_cmp(const void *ctx, size_t a, size_t b)
{
    return crm__cell_cmp(ctx, a, b);
}

/* Distinct non-missing levels of text column c, ascending, into k. */
static crm_status text_levels(const crm__column *c, size_t nrows, crm__kcol *k)
{
    size_t *v = crm__malloc_array(nrows + 1, sizeof *v), *tmp = crm__malloc_array(nrows + 1, sizeof *tmp);
    crm_status st = CRM_OK;
    if (!v || !tmp) {
        st = crm__nomem();
        goto done;
    }
    size_t m = 0;
    for (size_t r = 0; r < nrows; r++)
        if (c->v.code[r] >= 0) v[m++] = r;
    crm__sort_rows(v, tmp, m, col_cmp, c);
    for (size_t i = 0; i < m && !st; i++)
        if (i == 0 || crm__cell_cmp(c, v[i], v[i - 1]) != 0)
            st = crm__kcol_push_cell(k, c, v[i]);
done:
    crm__free(v);
    crm__free(tmp);
    return st;
}

crm_status crm_levels_stats_compute(const crm_dataset *ds, const char *const *features,
                                    size_t nf, crm_stats **out)
{
    const char *fn = "crm_levels_stats_compute";
    if (out) *out = NULL;
    if (!ds || !features || !out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (nf == 0) return crm__error(CRM_E_INVALID, "%s: no features", fn);
    lv_stats *s = lv_new(nf);
    if (!s) return crm__nomem();
    crm_status st = CRM_OK;
    for (size_t f = 0; f < nf && !st; f++) {
        size_t idx;
        if ((st = find_feature(ds, fn, features[f], 1, &idx))) break;
        const crm__column *c = &ds->cols[idx];
        s->type[f] = c->type;
        s->lv[f].type = CRM_TYPE_TEXT;
        if (!(s->name[f] = crm__strdup(features[f]))) st = crm__nomem();
        if (!st && c->type == CRM_TYPE_TEXT) st = text_levels(c, ds->nrows, &s->lv[f]);
    }
    if (st) {
        lv_free(s);
        return st;
    }
    return crm__stats_wrap(&crm__stats_levels_ops, lv_fingerprint(features, nf),
                           (int64_t)ds->nrows, s, out);
}

static crm_status lv_merge(void *ip, const void *op)
{
    lv_stats *a = ip;
    const lv_stats *b = op;
    for (size_t f = 0; f < a->nf; f++) {
        if (a->type[f] != b->type[f])
            return crm__error(CRM_E_TYPE, "crm_stats_merge: feature \"%s\" is a %s column in one "
                                          "chunk and %s in another",
                              a->name[f], crm__type_name(a->type[f]), crm__type_name(b->type[f]));
        crm__kcol t = {CRM_TYPE_TEXT, 0, 0, NULL, NULL, NULL};
        size_t i = 0, j = 0;
        crm_status st = CRM_OK;
        const crm__kcol *x = &a->lv[f], *y = &b->lv[f];
        while (!st && (i < x->n || j < y->n)) {
            int c = i >= x->n ? 1 : j >= y->n ? -1 : crm__kcol_cmp(x, i, y, j);
            st = c <= 0 ? crm__kcol_push(&t, x, i++) : crm__kcol_push(&t, y, j++);
            if (c == 0) j++;
        }
        if (st) {
            crm__kcol_free(&t);
            return st;
        }
        crm__kcol_free(&a->lv[f]);
        a->lv[f] = t;
    }
    return CRM_OK;
}

static void lv_write(crm__wbuf *w, const void *sp)
{
    const lv_stats *s = sp;
    crm__w_u64(w, s->nf);
    for (size_t f = 0; f < s->nf; f++) {
        crm__w_str(w, s->name[f]);
        crm__w_u32(w, (uint32_t)s->type[f]);
        crm__kcol_write(w, &s->lv[f]);
    }
}

static crm_status lv_read(crm__rbuf *r, void **out)
{
    size_t nf = crm__r_count(r, 20);
    if (r->bad || nf == 0) {
        r->bad = 1;
        return CRM_OK;
    }
    lv_stats *s = lv_new(nf);
    if (!s) return crm__nomem();
    *out = s;
    for (size_t f = 0; f < nf && !r->bad; f++) {
        crm_status st = crm__r_str(r, &s->name[f]);
        if (st) return st;
        uint32_t t = crm__r_u32(r);
        if (!s->name[f] || (t != CRM_TYPE_NUMBER && t != CRM_TYPE_TEXT)) r->bad = 1;
        s->type[f] = (int32_t)t;
        if ((st = crm__kcol_read(r, &s->lv[f]))) return st;
        if (s->lv[f].n && s->lv[f].type != CRM_TYPE_TEXT) r->bad = 1;
        s->lv[f].type = CRM_TYPE_TEXT;
    }
    return CRM_OK;
}

static size_t lv_terms(const lv_stats *s, int intercept)
{
    size_t p = intercept ? 1 : 0;
    for (size_t f = 0; f < s->nf; f++)
        p += s->type[f] == CRM_TYPE_NUMBER ? 1 : (s->lv[f].n ? s->lv[f].n - 1 : 0);
    return p;
}

static crm_status lv_values(const void *sp, const char *name, double *out, size_t *n)
{
    (void)out;
    (void)n;
    (void)sp;
    return crm__error(CRM_E_NOTFOUND, "crm_stats_values: level statistics have no \"%s\"", name);
}

const crm__stats_ops crm__stats_levels_ops = {CRM_STATS_LEVELS, "levels", lv_free, lv_merge, 0,
                                              lv_write, lv_read, lv_values};

crm_status crm_levels_stats_terms(const crm_stats *levels, int32_t fit_intercept, size_t *out)
{
    if (out) *out = 0;
    crm_status st;
    const lv_stats *s = crm__stats_state(levels, CRM_STATS_LEVELS, "crm_levels_stats_terms", &st);
    if (!s) return st;
    if (!out) return crm__error(CRM_E_INVALID, "crm_levels_stats_terms: NULL argument");
    *out = lv_terms(s, fit_intercept != 0);
    return CRM_OK;
}

/* ---- the design of one chunk --------------------------------------------------------------- */

typedef struct sdesign {
    size_t p, nf;
    int intercept;
    const crm__column **col; /* nf */
    int32_t **map;           /* text: dict code -> term (or -1: reference / unknown level) */
    size_t *term;            /* number: its term; text: first term */
    const crm__column *y;
    int32_t ypos;            /* text target: positive code, -1 none */
} sdesign;

static void sd_free(sdesign *d)
{
    for (size_t f = 0; f < d->nf && d->map; f++)
        crm__free(d->map[f]);
    crm__free(d->map);
    crm__free(d->col);
    crm__free(d->term);
}

/* Map text column c's dictionary codes onto the global levels (first = reference). */
static crm_status map_levels(const crm__column *c, const crm__kcol *lv, size_t first,
                             const char *fn, const char *name, int32_t **out)
{
    size_t nd = c->dict->n;
    int32_t *m = crm__malloc_array(nd + 1, sizeof *m);
    if (!m) return crm__nomem();
    for (size_t code = 0; code < nd; code++) {
        const char *s = crm__dict_str(c->dict, (int32_t)code);
        size_t lo = 0, hi = lv->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(lv->str[mid], s) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo >= lv->n || strcmp(lv->str[lo], s) != 0) {
            m[code] = -2; /* not a known level: refused if a row uses it */
        } else {
            m[code] = lo == 0 ? -1 : (int32_t)(first + lo - 1);
        }
    }
    (void)fn;
    (void)name;
    *out = m;
    return CRM_OK;
}

static crm_status sd_build(const crm_dataset *ds, const char *target, const char *const *features,
                           size_t nf, const lv_stats *lv, int intercept, const char *positive,
                           int logistic, const char *fn, sdesign *d)
{
    memset(d, 0, sizeof *d);
    if (nf != lv->nf) return crm__error(CRM_E_INVALID, "%s: %zu features, the levels have %zu", fn, nf, lv->nf);
    d->nf = nf;
    d->intercept = intercept;
    d->col = crm__calloc(nf + 1, sizeof *d->col);
    d->map = crm__calloc(nf + 1, sizeof *d->map);
    d->term = crm__calloc(nf + 1, sizeof *d->term);
    if (!d->col || !d->map || !d->term) return crm__nomem();
    size_t t = intercept ? 1 : 0, idx;
    crm_status st;
    for (size_t f = 0; f < nf; f++) {
        if (!features[f] || strcmp(features[f], lv->name[f]) != 0)
            return crm__error(CRM_E_INVALID, "%s: feature %zu is not \"%s\" of the levels", fn, f,
                              lv->name[f]);
        if ((st = find_feature(ds, fn, features[f], 1, &idx))) return st;
        d->col[f] = &ds->cols[idx];
        if (d->col[f]->type != lv->type[f])
            return crm__error(CRM_E_TYPE, "%s: feature \"%s\" is %s here, %s in the levels", fn,
                              features[f], crm__type_name(d->col[f]->type),
                              crm__type_name(lv->type[f]));
        d->term[f] = t;
        if (lv->type[f] == CRM_TYPE_TEXT) {
            if ((st = map_levels(d->col[f], &lv->lv[f], t, fn, features[f], &d->map[f])))
                return st;
            t += lv->lv[f].n ? lv->lv[f].n - 1 : 0;
        } else {
            t++;
        }
    }
    d->p = t;
    if (!target) return crm__error(CRM_E_INVALID, "%s: target is NULL", fn);
    if ((st = find_feature(ds, fn, target, logistic, &idx))) return st;
    d->y = &ds->cols[idx];
    d->ypos = -1;
    if (d->y->type == CRM_TYPE_TEXT) {
        if (!positive)
            return crm__error(CRM_E_INVALID, "%s: a text target needs opts.positive (the classes "
                                             "of one chunk are not the global ones)",
                              fn);
        d->ypos = crm__dict_find(d->y->dict, positive, strlen(positive));
    }
    return CRM_OK;
}

/* Row r into x (p values) and *y; 0 = use, 1 = skip (missing), -1 = error set. */
static int sd_row(const sdesign *d, size_t r, int logistic, int32_t missing, const char *fn,
                  double *x, double *y)
{
    memset(x, 0, d->p * sizeof *x);
    if (d->intercept) x[0] = 1.0;
    int miss = crm__cell_missing(d->y, r);
    for (size_t f = 0; f < d->nf && !miss; f++) {
        const crm__column *c = d->col[f];
        if (crm__cell_missing(c, r)) {
            miss = 1;
        } else if (c->type == CRM_TYPE_NUMBER) {
            x[d->term[f]] = c->v.num[r];
        } else {
            int32_t t = d->map[f][c->v.code[r]];
            if (t == -2) {
                crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: level \"%s\" is not in the "
                                          "merged levels",
                           fn, c->name, r, crm__dict_str(c->dict, c->v.code[r]));
                return -1;
            }
            if (t >= 0) x[t] = 1.0;
        }
    }
    if (miss) {
        if (missing == CRM_LINEAR_MISSING_DROP) return 1;
        crm__error(CRM_E_INVALID, "%s: row %zu: missing value (set missing = "
                                  "CRM_LINEAR_MISSING_DROP to leave such rows out)",
                   fn, r);
        return -1;
    }
    if (d->y->type == CRM_TYPE_TEXT) {
        *y = d->y->v.code[r] == d->ypos ? 1.0 : 0.0;
    } else {
        *y = d->y->v.num[r];
        if (logistic && *y != 0.0 && *y != 1.0) {
            crm__error(CRM_E_INVALID, "%s: target \"%s\" row %zu: %.17g is not 0 or 1", fn,
                       d->y->name, r, *y);
            return -1;
        }
    }
    for (size_t j = 0; j < d->p; j++)
        if (!isfinite(x[j])) {
            crm__error(CRM_E_INVALID, "%s: row %zu: a feature value is not finite", fn, r);
            return -1;
        }
    return 0;
}

/* ---- X'X, X'y / gradient, Hessian ---------------------------------------------------------- */

typedef struct reg_stats {
    int logistic;
    size_t p;
    double *coef; /* logistic: computed at */
    double *H;    /* p x p: X'X or X'WX */
    double *g;    /* p: X'y or the gradient */
    double ll;    /* y'y or the log-likelihood */
    double wsum;  /* rows used */
    double *R;    /* linear: (p + 1) x (p + 1) R factor of [X y], row-major upper (TSQR) */
} reg_stats;

static void reg_free(void *sp)
{
    reg_stats *s = sp;
    if (!s) return;
    crm__free(s->coef);
    crm__free(s->H);
    crm__free(s->g);
    crm__free(s->R);
    crm__free(s);
}

static reg_stats *reg_new(int logistic, size_t p)
{
    reg_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->logistic = logistic;
    s->p = p;
    s->coef = crm__calloc(p + 1, sizeof *s->coef);
    s->H = crm__calloc(p * p + 1, sizeof *s->H);
    s->g = crm__calloc(p + 1, sizeof *s->g);
    if (!logistic) s->R = crm__calloc((p + 1) * (p + 1), sizeof *s->R);
    if (!s->coef || !s->H || !s->g || (!logistic && !s->R)) {
        reg_free(s);
        return NULL;
    }
    return s;
}

/* log(1 + exp(e)) without overflow */
static double log1pexp(double e)
{
    return e > 0 ? e + log1p(exp(-e)) : log1p(exp(e));
}

/* ---- linear regression: TSQR ------------------------------------------------------------- */
/* The linear statistics are the R factor of [X y] (q = p + 1 columns): a chunk folds its rows
 * in by Householder QR of [R; next QR_BLOCK rows], a merge is the QR of [R_a; R_b], and the
 * solve is R11 b = r (back substitution), RSS = R_qq^2: the one-machine fit's algorithm
 * (Householder QR of the design), where X'X and Cholesky lost ~3e-11 relative. */
enum { QR_BLOCK = 256, QR_WORK = 32 };

/* R (q x q, row-major upper) := the R factor of [R; rows] (rows: m x q, row-major), with a
 * non-negative diagonal. A: (q + m) x q scratch, tau: TAU_LEN(q) (tau, then dgeqrf's
 * workspace of QR_WORK columns, so that no call allocates). */
#define TAU_LEN(q) ((q) * (1 + QR_WORK))
static crm_status qr_stack(double *R, const double *rows, size_t m, size_t q, double *A,
                           double *tau)
{
    size_t M = q + m;
    for (size_t j = 0; j < q; j++) {
        for (size_t i = 0; i < q; i++)
            A[j * M + i] = i <= j ? R[i * q + j] : 0.0;
        for (size_t i = 0; i < m; i++)
            A[j * M + q + i] = rows[i * q + j];
    }
    lapack_int info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, (lapack_int)M, (lapack_int)q, A,
                                          (lapack_int)M, tau, tau + q,
                                          (lapack_int)(q * QR_WORK));
    if (info < 0) { /* -1000: OpenBLAS missing (core/blas.h); else an argument error */
        crm_status b = crm__blas_require("linear regression statistics");
        return b != CRM_OK ? b
                           : crm__error(CRM_E_NUMERIC, "linear regression statistics: QR failed");
    }
    if (info != 0) return crm__error(CRM_E_NUMERIC, "linear regression statistics: QR failed");
    for (size_t i = 0; i < q; i++) {
        double sg = A[i * M + i] < 0 ? -1.0 : 1.0;
        for (size_t j = 0; j < q; j++)
            R[i * q + j] = j >= i ? sg * A[j * M + i] : 0.0;
    }
    return CRM_OK;
}

/* Fold the used rows of the chunk into s->R, QR_BLOCK rows at a time. */
static crm_status tsqr_accumulate(reg_stats *s, const sdesign *d, size_t nrows, int32_t missing,
                                  const char *fn)
{
    size_t p = s->p, q = p + 1, m = 0;
    double *blk = crm__malloc_array(QR_BLOCK * q, sizeof *blk);
    double *A = crm__malloc_array((QR_BLOCK + q) * q, sizeof *A);
    double *tau = crm__malloc_array(TAU_LEN(q), sizeof *tau);
    crm_status st = (blk && A && tau) ? CRM_OK : crm__nomem();
    for (size_t r = 0; r < nrows && !st; r++) {
        double y;
        int u = sd_row(d, r, 0, missing, fn, blk + m * q, &y);
        if (u < 0) st = CRM_E_INVALID;
        if (u) continue;
        blk[m * q + p] = y;
        s->wsum += 1.0;
        if (++m == QR_BLOCK) {
            st = qr_stack(s->R, blk, m, q, A, tau);
            m = 0;
        }
    }
    if (!st && m) st = qr_stack(s->R, blk, m, q, A, tau);
    crm__free(blk);
    crm__free(A);
    crm__free(tau);
    return st;
}

static crm_status reg_accumulate(reg_stats *s, const sdesign *d, size_t nrows, int32_t missing,
                                 const char *fn)
{
    size_t p = s->p;
    double *x = crm__malloc_array(p + 1, sizeof *x);
    if (!x) return crm__nomem();
    for (size_t r = 0; r < nrows; r++) {
        double y;
        int u = sd_row(d, r, s->logistic, missing, fn, x, &y);
        if (u < 0) {
            crm__free(x);
            return CRM_E_INVALID;
        }
        if (u) continue;
        double w = 1.0, resid = y;
        if (s->logistic) {
            double eta = 0;
            for (size_t j = 0; j < p; j++)
                eta += x[j] * s->coef[j];
            double mu = 1.0 / (1.0 + exp(-eta));
            w = mu * (1.0 - mu);
            resid = y - mu;
            s->ll += y * eta - log1pexp(eta);
        } else {
            s->ll += y * y;
        }
        for (size_t j = 0; j < p; j++) {
            if (x[j] == 0.0) continue;
            s->g[j] += x[j] * resid;
            double wx = w * x[j];
            for (size_t k = 0; k <= j; k++)
                s->H[j * p + k] += wx * x[k];
        }
        s->wsum += 1.0;
    }
    for (size_t j = 0; j < p; j++) /* mirror the lower triangle */
        for (size_t k = 0; k < j; k++)
            s->H[k * p + j] = s->H[j * p + k];
    crm__free(x);
    return CRM_OK;
}

static uint64_t reg_fingerprint(int logistic, const char *target, const char *const *features,
                                size_t nf, const crm_stats *levels, int intercept,
                                const char *positive, int32_t missing, const double *coef,
                                size_t p)
{
    uint64_t h = crm__fp_u64(lv_fingerprint(features, nf), (uint64_t)logistic);
    h = crm__fp_str(crm__fp_str(h, target), positive);
    h = crm__fp_u64(crm__fp_u64(h, (uint64_t)intercept), (uint64_t)missing);
    const lv_stats *lv = levels->state; /* the levels' identity */
    for (size_t f = 0; f < lv->nf; f++)
        for (size_t i = 0; i < lv->lv[f].n; i++)
            h = crm__fp_str(h, lv->lv[f].str[i]);
    for (size_t j = 0; coef && j < p; j++)
        h = crm__fp_f64(h, coef[j]);
    return h;
}

static crm_status reg_compute(const crm_dataset *ds, const char *target,
                              const char *const *features, size_t nf, const crm_stats *levels,
                              int logistic, int intercept, const char *positive, int32_t missing,
                              const double *coef, size_t ncoef, const char *fn, crm_stats **out)
{
    if (out) *out = NULL;
    if (!ds || !features || !out || (logistic && !coef))
        return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    crm_status st;
    const lv_stats *lv = crm__stats_state(levels, CRM_STATS_LEVELS, fn, &st);
    if (!lv) return st;
    sdesign d;
    if ((st = sd_build(ds, target, features, nf, lv, intercept, positive, logistic, fn, &d))) {
        sd_free(&d);
        return st;
    }
    size_t p = d.p;
    if (logistic && ncoef != p) {
        sd_free(&d);
        return crm__error(CRM_E_INVALID, "%s: %zu coefficients, the design has %zu terms", fn,
                          ncoef, p);
    }
    reg_stats *s = reg_new(logistic, p);
    if (!s) {
        sd_free(&d);
        return crm__nomem();
    }
    if (logistic) memcpy(s->coef, coef, p * sizeof *coef);
    st = logistic ? reg_accumulate(s, &d, ds->nrows, missing, fn)
                  : tsqr_accumulate(s, &d, ds->nrows, missing, fn);
    sd_free(&d);
    if (st) {
        reg_free(s);
        return st;
    }
    uint64_t fp = reg_fingerprint(logistic, target, features, nf, levels, intercept, positive,
                                  missing, logistic ? coef : NULL, p);
    return crm__stats_wrap(logistic ? &crm__stats_logreg_ops : &crm__stats_linreg_ops, fp,
                           (int64_t)ds->nrows, s, out);
}

crm_status crm_logreg_stats_compute(const crm_dataset *ds, const char *target,
                                    const char *const *features, size_t nf,
                                    const crm_stats *levels, const crm_logreg_options *opts,
                                    const double *coef, size_t ncoef, crm_stats **out)
{
    const char *fn = "crm_logreg_stats_compute";
    crm_logreg_options o;
    crm_status ost = crm__logreg_options_load(&o, opts);
    if (ost) return ost;
    if (o.standardize || o.class_weight)
        return crm__error(CRM_E_INVALID, "%s: standardize and class_weight are not supported by "
                                         "the statistics (set them to 0)",
                          fn);
    return reg_compute(ds, target, features, nf, levels, 1, o.fit_intercept != 0, o.positive,
                       o.missing, coef, ncoef, fn, out);
}

crm_status crm_linreg_stats_compute(const crm_dataset *ds, const char *target,
                                    const char *const *features, size_t nf,
                                    const crm_stats *levels, const crm_linreg_options *opts,
                                    crm_stats **out)
{
    const char *fn = "crm_linreg_stats_compute";
    crm_linreg_options o;
    crm_status ost = crm__linreg_options_load(&o, opts);
    if (ost) return ost;
    return reg_compute(ds, target, features, nf, levels, 0, o.fit_intercept != 0, NULL,
                       o.missing, NULL, 0, fn, out);
}

static crm_status reg_merge(void *ip, const void *op)
{
    reg_stats *a = ip;
    const reg_stats *b = op;
    if (a->p != b->p) return crm__error(CRM_E_STATE, "crm_stats_merge: term counts differ");
    if (!a->logistic) { /* QR of [R_a; R_b], into a copy: a stays as it was on failure */
        size_t q = a->p + 1;
        double *R = crm__malloc_array(q * q, sizeof *R), *A = crm__malloc_array(2 * q * q, sizeof *A);
        double *tau = crm__malloc_array(TAU_LEN(q), sizeof *tau);
        crm_status st = (R && A && tau) ? CRM_OK : crm__nomem();
        if (!st) {
            memcpy(R, a->R, q * q * sizeof *R);
            st = qr_stack(R, b->R, q, q, A, tau);
        }
        if (!st) {
            crm__free(a->R);
            a->R = R;
            R = NULL;
            a->wsum += b->wsum;
        }
        crm__free(R);
        crm__free(A);
        crm__free(tau);
        return st;
    }
    for (size_t i = 0; i < a->p * a->p; i++)
        a->H[i] += b->H[i];
    for (size_t j = 0; j < a->p; j++)
        a->g[j] += b->g[j];
    a->ll += b->ll;
    a->wsum += b->wsum;
    return CRM_OK;
}

static void reg_write(crm__wbuf *w, const void *sp)
{
    const reg_stats *s = sp;
    crm__w_u32(w, (uint32_t)s->logistic);
    crm__w_u64(w, s->p);
    if (!s->logistic) { /* the upper triangle of R, row by row */
        size_t q = s->p + 1;
        for (size_t i = 0; i < q; i++)
            for (size_t j = i; j < q; j++)
                crm__w_f64(w, s->R[i * q + j]);
        crm__w_f64(w, s->wsum);
        return;
    }
    for (size_t j = 0; j < s->p; j++)
        crm__w_f64(w, s->coef[j]);
    for (size_t i = 0; i < s->p * s->p; i++)
        crm__w_f64(w, s->H[i]);
    for (size_t j = 0; j < s->p; j++)
        crm__w_f64(w, s->g[j]);
    crm__w_f64(w, s->ll);
    crm__w_f64(w, s->wsum);
}

static crm_status reg_read_kind(crm__rbuf *r, void **out, int logistic)
{
    uint32_t lg = crm__r_u32(r);
    size_t p = crm__r_count(r, 8);
    size_t left = (r->n - r->pos) / 8; /* doubles left */
    int fits = p > 0 && (logistic ? p <= left / p : p < left && p + 2 <= 2 * left / (p + 1));
    if (r->bad || lg != (uint32_t)logistic || p == 0 || !fits) {
        r->bad = 1;
        return CRM_OK;
    }
    reg_stats *s = reg_new(logistic, p);
    if (!s) return crm__nomem();
    *out = s;
    if (!logistic) {
        size_t q = p + 1;
        for (size_t i = 0; i < q; i++)
            for (size_t j = i; j < q; j++)
                s->R[i * q + j] = crm__r_f64(r);
        s->wsum = crm__r_f64(r);
        return CRM_OK;
    }
    for (size_t j = 0; j < p; j++)
        s->coef[j] = crm__r_f64(r);
    for (size_t i = 0; i < p * p; i++)
        s->H[i] = crm__r_f64(r);
    for (size_t j = 0; j < p; j++)
        s->g[j] = crm__r_f64(r);
    s->ll = crm__r_f64(r);
    s->wsum = crm__r_f64(r);
    return CRM_OK;
}

static crm_status logreg_read(crm__rbuf *r, void **out)
{
    return reg_read_kind(r, out, 1);
}

static crm_status linreg_read(crm__rbuf *r, void **out)
{
    return reg_read_kind(r, out, 0);
}

/* The linear statistics' named arrays from R: "r" ((p + 1) x (p + 1), row-major), and
 * "xtx" = R11'R11, "xty" = R11'r, "yty" = |R_.y|^2 (rounded differently from plain sums). */
static crm_status lin_values(const reg_stats *s, const char *name, double *out, size_t *n)
{
    size_t p = s->p, q = p + 1;
    const double *R = s->R;
    if (strcmp(name, "r") == 0) {
        *n = q * q;
        if (out) memcpy(out, R, q * q * sizeof *out);
    } else if (strcmp(name, "xtx") == 0 || strcmp(name, "xty") == 0) {
        int xty = name[2] == 'y';
        *n = xty ? p : p * p;
        for (size_t j = 0; out && j < p; j++)
            for (size_t k = 0; k < (xty ? 1 : p); k++) {
                size_t c = xty ? p : k, top = j < c ? j : c;
                double v = 0;
                for (size_t i = 0; i <= top; i++)
                    v += R[i * q + j] * R[i * q + c];
                out[j * (xty ? 1 : p) + k] = v;
            }
    } else if (strcmp(name, "yty") == 0 || strcmp(name, "weight") == 0) {
        *n = 1;
        double v = s->wsum;
        if (name[0] == 'y') {
            v = 0;
            for (size_t i = 0; i < q; i++)
                v += R[i * q + p] * R[i * q + p];
        }
        if (out) out[0] = v;
    } else {
        return crm__error(CRM_E_NOTFOUND, "crm_stats_values: linear statistics have no \"%s\"",
                          name);
    }
    return CRM_OK;
}

static crm_status reg_values(const void *sp, const char *name, double *out, size_t *n)
{
    const reg_stats *s = sp;
    if (!s->logistic) return lin_values(s, name, out, n);
    size_t p = s->p;
    const double *src = NULL;
    double one;
    if (strcmp(name, s->logistic ? "hessian" : "xtx") == 0) {
        *n = p * p;
        src = s->H;
    } else if (strcmp(name, s->logistic ? "gradient" : "xty") == 0) {
        *n = p;
        src = s->g;
    } else if (s->logistic && strcmp(name, "coef") == 0) {
        *n = p;
        src = s->coef;
    } else if (strcmp(name, s->logistic ? "loglik" : "yty") == 0) {
        *n = 1;
        one = s->ll;
        src = &one;
    } else if (strcmp(name, "weight") == 0) {
        *n = 1;
        one = s->wsum;
        src = &one;
    } else {
        return crm__error(CRM_E_NOTFOUND, "crm_stats_values: %s statistics have no \"%s\"",
                          s->logistic ? "logistic" : "linear", name);
    }
    if (out) memcpy(out, src, *n * sizeof *out);
    return CRM_OK;
}

const crm__stats_ops crm__stats_logreg_ops = {CRM_STATS_LOGREG, "logistic regression",
                                              reg_free, reg_merge, 1, reg_write, logreg_read,
                                              reg_values};
const crm__stats_ops crm__stats_linreg_ops = {CRM_STATS_LINREG, "linear regression", reg_free,
                                              reg_merge, 1, reg_write, linreg_read, reg_values};

/* ---- update steps -------------------------------------------------------------------------- */

/* Solve A x = b (A p x p symmetric positive definite, destroyed) by Cholesky. */
static crm_status chol_solve(double *A, double *b, size_t p, const char *fn)
{
    for (size_t j = 0; j < p; j++) {
        double s = A[j * p + j];
        for (size_t k = 0; k < j; k++)
            s -= A[j * p + k] * A[j * p + k];
        if (!(s > 0) || !isfinite(s))
            return crm__error(CRM_E_NUMERIC, "%s: the matrix is singular at term %zu (a term is "
                                             "constant or a combination of others)",
                              fn, j);
        double l = sqrt(s);
        A[j * p + j] = l;
        for (size_t i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (size_t k = 0; k < j; k++)
                t -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = t / l;
        }
    }
    for (size_t i = 0; i < p; i++) { /* L z = b */
        double t = b[i];
        for (size_t k = 0; k < i; k++)
            t -= A[i * p + k] * b[k];
        b[i] = t / A[i * p + i];
    }
    for (size_t i = p; i-- > 0;) { /* L' x = z */
        double t = b[i];
        for (size_t k = i + 1; k < p; k++)
            t -= A[k * p + i] * b[k];
        b[i] = t / A[i * p + i];
    }
    return CRM_OK;
}

/* (H + l2 I') x = rhs; I' skips the intercept (term 0 when fitted). */
static crm_status penalised_solve(const reg_stats *s, double l2, int intercept, double *rhs,
                                  const char *fn)
{
    size_t p = s->p;
    double *A = crm__malloc_array(p * p, sizeof *A);
    if (!A) return crm__nomem();
    memcpy(A, s->H, p * p * sizeof *A);
    for (size_t j = intercept ? 1 : 0; j < p; j++)
        A[j * p + j] += l2;
    crm_status st = chol_solve(A, rhs, p, fn);
    crm__free(A);
    return st;
}

crm_status crm_logreg_stats_step(const crm_stats *stats, const crm_logreg_options *opts,
                                 double *out, size_t n)
{
    const char *fn = "crm_logreg_stats_step";
    crm_status st;
    const reg_stats *s = crm__stats_state(stats, CRM_STATS_LOGREG, fn, &st);
    if (!s) return st;
    if (!out || n != s->p)
        return crm__error(CRM_E_INVALID, "%s: out must hold the %zu coefficients", fn, s->p);
    double l2 = opts ? opts->l2 : 0.0;
    int intercept = opts ? opts->fit_intercept != 0 : 1;
    if (!(l2 >= 0) || !isfinite(l2)) return crm__error(CRM_E_INVALID, "%s: l2 must be >= 0", fn);
    double *step = crm__malloc_array(n, sizeof *step); /* out stays as it was on failure */
    if (!step) return crm__nomem();
    for (size_t j = 0; j < n; j++)
        step[j] = s->g[j] - ((intercept && j == 0) ? 0.0 : l2 * s->coef[j]);
    if (!(st = penalised_solve(s, l2, intercept, step, fn)))
        for (size_t j = 0; j < n; j++)
            out[j] = s->coef[j] + step[j];
    crm__free(step);
    return st;
}

/* R11 b = r by back substitution on a (p + 1) x (p + 1) R (ridge: after QR with the rows
 * sqrt(l2) e_j of the penalised terms, as the one-machine fit augments its design). The rank
 * test is the one-machine fit's: |R_jj| below 1e-7 of the column norm |X_j| (from R). */
static crm_status tsqr_solve(const reg_stats *s, double l2, int intercept, double *b,
                             const char *fn)
{
    size_t p = s->p, q = p + 1, j0 = intercept ? 1 : 0;
    double *R = crm__malloc_array(q * q, sizeof *R), *A = crm__malloc_array(2 * q * q, sizeof *A);
    double *rows = crm__calloc(q * q, sizeof *rows);
    double *tau = crm__malloc_array(TAU_LEN(q), sizeof *tau);
    crm_status st = (R && A && rows && tau) ? CRM_OK : crm__nomem();
    if (!st) memcpy(R, s->R, q * q * sizeof *R);
    if (!st && l2 > 0) {
        for (size_t j = j0; j < p; j++)
            rows[(j - j0) * q + j] = sqrt(l2);
        st = qr_stack(R, rows, p - j0, q, A, tau);
    }
    for (size_t j = 0; j < p && !st; j++) {
        double cn = 0;
        for (size_t i = 0; i <= j; i++)
            cn += s->R[i * q + j] * s->R[i * q + j];
        cn = sqrt(cn);
        if (l2 == 0 && (!(cn > 0) || fabs(R[j * q + j]) < 1e-7 * cn))
            st = crm__error(CRM_E_NUMERIC, "%s: the design is rank deficient (term %zu is "
                                           "numerically a linear combination of the terms "
                                           "before it, or 0 in every row)",
                            fn, j);
    }
    for (size_t j = p; j-- > 0 && !st;) {
        double v = R[j * q + p];
        for (size_t k = j + 1; k < p; k++)
            v -= R[j * q + k] * b[k];
        b[j] = v / R[j * q + j];
    }
    crm__free(R);
    crm__free(A);
    crm__free(rows);
    crm__free(tau);
    return st;
}

crm_status crm_linreg_stats_solve(const crm_stats *stats, const crm_linreg_options *opts,
                                  double *out, size_t n)
{
    const char *fn = "crm_linreg_stats_solve";
    crm_status st;
    const reg_stats *s = crm__stats_state(stats, CRM_STATS_LINREG, fn, &st);
    if (!s) return st;
    if (!out || n != s->p)
        return crm__error(CRM_E_INVALID, "%s: out must hold the %zu coefficients", fn, s->p);
    double l2 = opts ? opts->l2 : 0.0;
    int intercept = opts ? opts->fit_intercept != 0 : 1;
    if (!(l2 >= 0) || !isfinite(l2)) return crm__error(CRM_E_INVALID, "%s: l2 must be >= 0", fn);
    double *b = crm__malloc_array(n, sizeof *b); /* out stays as it was on failure */
    if (!b) return crm__nomem();
    if (!(st = tsqr_solve(s, l2, intercept, b, fn))) memcpy(out, b, n * sizeof *out);
    crm__free(b);
    return st;
}

/* ---- a linear model from merged statistics ------------------------------------------------- */

/* The model's features and term names from the merged levels (as crm__lin_design_build names
 * them: "intercept", a number feature's name, "feature=level" past the reference level). */
static crm_status model_schema(lin_model *m, const lv_stats *lv, const char *target, size_t p)
{
    m->target = crm__strdup(target);
    m->p = p;
    m->terms = crm__calloc(p, sizeof *m->terms);
    m->coef = crm__calloc(p, sizeof *m->coef);
    m->se = crm__calloc(p, sizeof *m->se);
    if (!m->target || !m->terms || !m->coef || !m->se) return crm__nomem();
    size_t t = 0;
    if (m->intercept && !(m->terms[t++] = crm__strdup("intercept"))) return crm__nomem();
    for (size_t f = 0; f < lv->nf; f++) {
        lin_feature *lf = &m->feat[f];
        lf->type = lv->type[f];
        if (!(lf->name = crm__strdup(lv->name[f]))) return crm__nomem();
        if (lf->type == CRM_TYPE_NUMBER) {
            if (!(m->terms[t++] = crm__strdup(lf->name))) return crm__nomem();
            continue;
        }
        lf->nlevels = lv->lv[f].n;
        if (!(lf->levels = crm__calloc(lf->nlevels + 1, sizeof *lf->levels))) return crm__nomem();
        for (size_t l = 0; l < lf->nlevels; l++) {
            const char *v = lv->lv[f].str[l];
            if (!(lf->levels[l] = crm__strdup(v))) return crm__nomem();
            if (l == 0) continue;
            size_t a = strlen(lf->name), b = strlen(v);
            char *name = crm__malloc(a + b + 2);
            if (!name) return crm__nomem();
            memcpy(name, lf->name, a);
            name[a] = '=';
            memcpy(name + a + 1, v, b + 1);
            m->terms[t++] = name;
        }
    }
    return CRM_OK;
}

/* crm_linreg_fit's fit statistics and standard errors from R (n rows, coefficients in m):
 * RSS = |R [b; -1]|^2, TSS = |R_.y|^2 without the intercept's row (the part of y orthogonal to
 * the constant: no cancellation), se_j = sigma * |row j of R11^-1|. */
static crm_status model_fit_stats(lin_model *m, const reg_stats *s, double l2)
{
    size_t p = s->p, q = p + 1;
    const double *R = s->R;
    double rss = 0, tss = 0, nn = s->wsum;
    for (size_t i = 0; i < q; i++) {
        double v = -R[i * q + p];
        for (size_t j = i; j < p; j++)
            v += R[i * q + j] * m->coef[j];
        rss += v * v;
        if (i >= (m->intercept ? 1u : 0u)) tss += R[i * q + p] * R[i * q + p];
    }
    double sigma2 = crm__linreg_summary_stats(m->stats, nn, p, m->intercept, rss, tss, l2, 0.0);
    if (l2 > 0) {
        for (size_t j = 0; j < p; j++)
            m->se[j] = NAN;
        return CRM_OK;
    }
    double *Ri = crm__calloc(p * p, sizeof *Ri); /* R11^-1, row-major upper */
    if (!Ri) return crm__nomem();
    for (size_t c = p; c-- > 0;) /* column c of R11^-1 by back substitution */
        for (size_t j = c + 1; j-- > 0;) {
            double v = j == c ? 1.0 : 0.0;
            for (size_t i = j + 1; i <= c; i++)
                v -= R[j * q + i] * Ri[i * p + c];
            Ri[j * p + c] = v / R[j * q + j];
        }
    for (size_t j = 0; j < p; j++) {
        double d = 0;
        for (size_t c = j; c < p; c++)
            d += Ri[j * p + c] * Ri[j * p + c];
        m->se[j] = sqrt(sigma2 * d);
    }
    crm__free(Ri);
    return CRM_OK;
}

crm_status crm_linreg_stats_model(const crm_stats *stats, const crm_stats *levels,
                                  const char *target, const char *const *features, size_t nf,
                                  const crm_linreg_options *opts, crm_model **out)
{
    const char *fn = "crm_linreg_stats_model";
    if (out) *out = NULL;
    if (!out || !target || !features) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    crm_status st;
    const reg_stats *s = crm__stats_state(stats, CRM_STATS_LINREG, fn, &st);
    const lv_stats *lv = s ? crm__stats_state(levels, CRM_STATS_LEVELS, fn, &st) : NULL;
    if (!lv) return st;
    crm_linreg_options o;
    crm_status ost = crm__linreg_options_load(&o, opts);
    if (ost) return ost;
    int intercept = o.fit_intercept != 0;
    if (nf != lv->nf || lv_terms(lv, intercept) != s->p ||
        reg_fingerprint(0, target, features, nf, levels, intercept, NULL, o.missing, NULL,
                        s->p) != stats->fingerprint)
        return crm__error(CRM_E_STATE, "%s: the statistics were computed with another target, "
                                       "features, levels or options",
                          fn);
    if (!(o.l2 >= 0) || !isfinite(o.l2))
        return crm__error(CRM_E_INVALID, "%s: l2 must be a finite number >= 0", fn);
    if (o.l2 == 0 && !(s->wsum > (double)s->p))
        return crm__error(CRM_E_NUMERIC, "%s: %.0f rows for %zu terms: least squares needs more "
                                         "rows than terms",
                          fn, s->wsum, s->p);
    lin_model *m = NULL;
    if ((st = crm__lin_model_alloc(nf, &m))) return st;
    m->intercept = intercept;
    if (!(st = model_schema(m, lv, target, s->p)) &&
        !(st = tsqr_solve(s, o.l2, intercept, m->coef, fn)))
        st = model_fit_stats(m, s, o.l2);
    if (!st) st = crm__model_new(&crm__linreg_vtable, m, out);
    else crm__lin_model_free(m);
    return st;
}
