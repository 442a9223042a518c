/* The design matrix of logistic and linear regression: row selection
 * (missing values), one-hot encoding of text features, standardization,
 * chunked filling, the rank test, and the model state shared by both kinds. */
#include "linear/linear_internal.h"
#include "core/par.h"
#include "core/blas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- model state ------------------------------------------------------------ */

void crm__lin_model_free(void *state)
{
    lin_model *m = state;
    if (!m) return;
    crm__free(m->target);
    for (size_t f = 0; m->feat && f < m->nf; f++) {
        crm__free(m->feat[f].name);
        for (size_t l = 0; m->feat[f].levels && l < m->feat[f].nlevels; l++)
            crm__free(m->feat[f].levels[l]);
        crm__free(m->feat[f].levels);
    }
    crm__free(m->feat);
    for (size_t j = 0; m->terms && j < m->p; j++)
        crm__free(m->terms[j]);
    crm__free(m->terms);
    crm__free(m->coef);
    crm__free(m->se);
    crm__free(m->classes[0]);
    crm__free(m->classes[1]);
    crm__free(m);
}

crm_status crm__lin_model_alloc(size_t nf, lin_model **out)
{
    *out = NULL;
    lin_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    m->feat = crm__calloc(nf ? nf : 1, sizeof *m->feat);
    if (!m->feat) {
        crm__free(m);
        return crm__nomem();
    }
    m->nf = nf;
    for (size_t i = 0; i < LIN_MAX_STATS; i++)
        m->stats[i] = NAN;
    *out = m;
    return CRM_OK;
}

/* ---- design ------------------------------------------------------------------ */

void crm__lin_design_free(lin_design *d)
{
    if (!d) return;
    for (size_t f = 0; d->f && f < d->nf; f++)
        crm__free(d->f[f].map);
    crm__free(d->f);
    crm__free(d->rows);
    crm__free(d->shift);
    crm__free(d->scale);
    crm__free(d->y);
    crm__free(d->w);
    crm__free(d->dense);
    memset(d, 0, sizeof *d);
}

/* Stable merge sort of dictionary codes by their strings in byte order. */
static void sort_codes(const crm__dict *dict, int32_t *v, int32_t *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    sort_codes(dict, v, tmp, h);
    sort_codes(dict, v + h, tmp, n - h);
    size_t a = 0, b = h, k = 0;
    while (a < h && b < n)
        tmp[k++] =
            strcmp(crm__dict_str(dict, v[b]), crm__dict_str(dict, v[a])) < 0 ? v[b++] : v[a++];
    while (a < h)
        tmp[k++] = v[a++];
    while (b < n)
        tmp[k++] = v[b++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Sorted distinct codes of the used rows of a text column (new array). */
static crm_status used_levels(const crm__column *c, const size_t *rows, size_t n, int32_t **codes,
                              size_t *ncodes)
{
    size_t nd = c->dict->n;
    unsigned char *seen = crm__calloc(nd ? nd : 1, 1);
    if (!seen) return crm__nomem();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t code = c->v.code[rows ? rows[i] : i];
        if (code >= 0 && !seen[code]) {
            seen[code] = 1;
            k++;
        }
    }
    int32_t *v = crm__malloc_array(k ? k : 1, sizeof *v);
    if (!v) {
        crm__free(seen);
        return crm__nomem();
    }
    size_t j = 0;
    for (size_t code = 0; code < nd; code++)
        if (seen[code]) v[j++] = (int32_t)code;
    crm__free(seen);
    int32_t *tmp = crm__malloc_array(k ? k : 1, sizeof *tmp);
    if (!tmp) {
        crm__free(v);
        return crm__nomem();
    }
    sort_codes(c->dict, v, tmp, k);
    crm__free(tmp);
    *codes = v;
    *ncodes = k;
    return CRM_OK;
}

static crm_status find_col(const crm_dataset *ds, const char *name, const char *what,
                           const char *role, const crm__column **out)
{
    size_t idx;
    crm_status st = crm__dataset_find(ds, name, &idx);
    if (st != CRM_OK) return crm__error(st, "%s: %s column \"%s\" not found", what, role, name);
    const crm__column *c = &ds->cols[idx];
    if (c->type == CRM_TYPE_TIME)
        return crm__error(CRM_E_TYPE,
                          "%s: %s column \"%s\" is a time column (convert it to a number, e.g. "
                          "days, first)",
                          what, role, name);
    *out = c;
    return CRM_OK;
}

static char *term_name(const char *col, const char *level)
{
    size_t a = strlen(col), b = strlen(level);
    char *s = crm__malloc(a + b + 2);
    if (!s) return NULL;
    memcpy(s, col, a);
    s[a] = '=';
    memcpy(s + a + 1, level, b + 1);
    return s;
}

/* The column-wise validity scan of crm__lin_design_build: task k checks
 * columns k, k + SCAN_MAX_TASKS, ... of the features, the target and the
 * weight (in that order) and sets clean[k]. */
#define SCAN_MAX_TASKS 64

typedef struct scan_ctx {
    const crm__column **fc;
    size_t nf;
    const crm__column *tc, *wc;
    int logistic;
    size_t N;
    unsigned char *clean;
} scan_ctx;

static int scan_column(const scan_ctx *sc, const crm__column *c)
{
    size_t N = sc->N;
    if (c->type == CRM_TYPE_NUMBER) {
        const double *v = c->v.num;
        /* x * 0 is 0 for finite x, NaN otherwise: four sums keep the loop fast */
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        size_t r = 0;
        for (; r + 4 <= N; r += 4) {
            a0 += v[r] * 0.0;
            a1 += v[r + 1] * 0.0;
            a2 += v[r + 2] * 0.0;
            a3 += v[r + 3] * 0.0;
        }
        for (; r < N; r++)
            a0 += v[r] * 0.0;
        if ((a0 + a1) + (a2 + a3) != 0.0) return 0;
        int clean = 1;
        if (sc->logistic && c == sc->tc)
            for (size_t q = 0; q < N && clean; q++)
                clean = v[q] == 0.0 || v[q] == 1.0;
        if (c == sc->wc)
            for (size_t q = 0; q < N && clean; q++)
                clean = v[q] >= 0.0;
        return clean;
    }
    const int32_t *v = c->v.code;
    int clean = 1;
    for (size_t r = 0; r < N && clean; r++)
        clean = v[r] >= 0;
    return clean;
}

static void scan_task(void *ctx, size_t k, int worker)
{
    (void)worker;
    scan_ctx *sc = ctx;
    int clean = 1;
    for (size_t j = k; j <= sc->nf + 1 && clean; j += SCAN_MAX_TASKS) {
        const crm__column *c = j < sc->nf ? sc->fc[j] : j == sc->nf ? sc->tc : sc->wc;
        if (c) clean = scan_column(sc, c);
    }
    sc->clean[k] = (unsigned char)clean;
}

/* The inputs of crm__lin_design_build: the names, the columns they resolve to, and the
 * options that the columns are checked against. */
typedef struct design_src {
    const char *target, *weight; /* weight: NULL when none */
    const char *const *features;
    size_t nf;
    const crm__column *tc, *wc; /* target; weight or NULL */
    const crm__column **fc;     /* nf features */
    lin_target_spec spec;
    int32_t missing;
    const char *what;
} design_src;

/* The names: the target and the features given and distinct, the weight not the target. */
static crm_status check_names(const design_src *s)
{
    const char *what = s->what, *target = s->target;
    const char *const *features = s->features;
    if (!target) return crm__error(CRM_E_INVALID, "%s: target is NULL", what);
    if (s->nf && !features) return crm__error(CRM_E_INVALID, "%s: features is NULL", what);
    for (size_t j = 0; j < s->nf; j++) {
        if (!features[j]) return crm__error(CRM_E_INVALID, "%s: feature name %zu is NULL", what, j);
        if (strcmp(features[j], target) == 0)
            return crm__error(CRM_E_INVALID, "%s: the target \"%s\" is also a feature", what,
                              target);
        for (size_t i = 0; i < j; i++)
            if (strcmp(features[i], features[j]) == 0)
                return crm__error(CRM_E_INVALID, "%s: feature \"%s\" is listed twice", what,
                                  features[j]);
    }
    if (s->weight && (strcmp(s->weight, target) == 0))
        return crm__error(CRM_E_INVALID, "%s: the target \"%s\" is also the weight column", what,
                          target);
    return CRM_OK;
}

/* The columns of the names (s->fc allocated; the caller frees it, also on an error), their
 * types checked; and the missing mode. */
static crm_status find_columns(const crm_dataset *ds, design_src *s)
{
    const char *what = s->what;
    crm_status st = find_col(ds, s->target, what, "target", &s->tc);
    if (st != CRM_OK) return st;
    if (!s->spec.logistic && s->tc->type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "%s: target column \"%s\" is a text column (need numbers)",
                          what, s->target);
    if (s->weight) {
        st = find_col(ds, s->weight, what, "sample_weight", &s->wc);
        if (st != CRM_OK) return st;
        if (s->wc->type != CRM_TYPE_NUMBER)
            return crm__error(CRM_E_TYPE, "%s: sample_weight column \"%s\" is not a number column",
                              what, s->weight);
    }
    s->fc = crm__calloc(s->nf ? s->nf : 1, sizeof *s->fc);
    if (!s->fc) return crm__nomem();
    for (size_t j = 0; j < s->nf && st == CRM_OK; j++)
        st = find_col(ds, s->features[j], what, "feature", &s->fc[j]);
    if (st != CRM_OK) return st;
    if (s->missing != CRM_LINEAR_MISSING_ERROR && s->missing != CRM_LINEAR_MISSING_DROP)
        return crm__error(CRM_E_INVALID, "%s: unknown missing mode %d", what, (int)s->missing);
    return CRM_OK;
}

/* Row r, one with a missing or bad value somewhere in the design: *keep = 0 when it has a
 * missing value (an error unless missing = drop), else 1 and its values are checked
 * (finite; a 0/1 number target for logistic regression; weights >= 0). */
static crm_status check_row(const design_src *s, size_t r, int *keep)
{
    const char *what = s->what;
    const crm__column *tc = s->tc, *wc = s->wc;
    const crm__column **fc = s->fc;
    const char *bad = NULL;
    if (crm__cell_missing(tc, r)) bad = s->target;
    for (size_t j = 0; !bad && j < s->nf; j++)
        if (crm__cell_missing(fc[j], r)) bad = s->features[j];
    if (!bad && wc && crm__cell_missing(wc, r)) bad = s->weight;
    *keep = !bad;
    if (bad) {
        if (s->missing == CRM_LINEAR_MISSING_ERROR)
            return crm__error(CRM_E_INVALID,
                              "%s: column \"%s\" row %zu: missing value (filter it first, or set "
                              "missing = drop)",
                              what, bad, r);
        return CRM_OK;
    }
    for (size_t j = 0; j < s->nf; j++)
        if (fc[j]->type == CRM_TYPE_NUMBER && !isfinite(fc[j]->v.num[r]))
            return crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: %g is not finite", what,
                              s->features[j], r, fc[j]->v.num[r]);
    if (tc->type == CRM_TYPE_NUMBER) {
        double y = tc->v.num[r];
        if (!isfinite(y))
            return crm__error(CRM_E_INVALID, "%s: target \"%s\" row %zu: %g is not finite", what,
                              s->target, r, y);
        if (s->spec.logistic && y != 0.0 && y != 1.0)
            return crm__error(CRM_E_INVALID,
                              "%s: target \"%s\" row %zu: %g is not 0 or 1 (a number target of "
                              "logistic regression holds 0/1 classes)",
                              what, s->target, r, y);
    }
    if (wc) {
        double w = wc->v.num[r];
        if (!(w >= 0.0) || !isfinite(w))
            return crm__error(CRM_E_INVALID,
                              "%s: sample_weight \"%s\" row %zu: %g is not a finite number >= 0",
                              what, s->weight, r, w);
    }
    return CRM_OK;
}

/* The rows to fit: use[r] for each of the N dataset rows, *n of them. */
static crm_status select_rows(const design_src *s, size_t N, int32_t n_threads,
                              unsigned char *use, size_t *n)
{
    /* Fast path: scan column by column; rows with a missing or bad value are
     * then examined one by one (in row order, so errors name the first). */
    memset(use, 1, N);
    scan_ctx sc = {s->fc, s->nf, s->tc, s->wc, s->spec.logistic, N, NULL};
    unsigned char clean_col[SCAN_MAX_TASKS];
    sc.clean = clean_col;
    /* the columns are independent: scanned on up to n_threads threads, a
     * share of them each (the scan reads the whole design once; it is bound
     * by memory bandwidth, which two cores have more of than one) */
    size_t ntasks = s->nf + 2 < SCAN_MAX_TASKS ? s->nf + 2 : SCAN_MAX_TASKS;
    crm__par_for(crm__par_threads(n_threads, ntasks), ntasks, scan_task, &sc);
    int clean = 1;
    for (size_t k = 0; k < ntasks; k++)
        clean &= clean_col[k];
    *n = clean ? N : 0;
    crm_status st = CRM_OK;
    for (size_t r = 0; !clean && r < N && st == CRM_OK; r++) {
        int keep = 0;
        st = check_row(s, r, &keep);
        use[r] = (unsigned char)keep;
        *n += (size_t)keep;
    }
    if (st == CRM_OK && *n == 0)
        st = crm__error(CRM_E_INVALID, "%s: no rows to fit (%zu rows, all with missing values)",
                        s->what, N);
    return st;
}

/* The design's and the model's own arrays and settings: used rows (d->rows, when not all
 * N rows are used), features, targets, weights, the target's name. */
static crm_status design_alloc(lin_design *d, lin_model *m, const design_src *s,
                               const unsigned char *use, size_t N, int intercept)
{
    size_t n = d->n;
    if (n < N) {
        d->rows = crm__malloc_array(n, sizeof *d->rows);
        if (!d->rows) return crm__nomem();
        for (size_t r = 0, i = 0; r < N; r++)
            if (use[r]) d->rows[i++] = r;
    }
    m->logistic = s->spec.logistic;
    m->intercept = intercept;
    m->target = crm__strdup(s->target);
    d->f = crm__calloc(s->nf ? s->nf : 1, sizeof *d->f);
    d->y = crm__malloc_array(n, sizeof *d->y);
    if (s->wc) d->w = crm__malloc_array(n, sizeof *d->w);
    if (!m->target || !d->f || !d->y || (s->wc && !d->w)) return crm__nomem();
    return CRM_OK;
}

/* A text target (logistic regression): exactly 2 classes in the rows fitted; y is 1 for the
 * positive one (spec.positive, else the second in byte order). */
static crm_status text_target(lin_design *d, lin_model *m, const design_src *s)
{
    const crm__column *tc = s->tc;
    size_t n = d->n;
    int32_t *codes = NULL;
    size_t k = 0;
    crm_status st = used_levels(tc, d->rows, n, &codes, &k);
    if (st != CRM_OK) return st;
    int32_t pos = -1;
    if (s->spec.positive) {
        for (size_t l = 0; l < k; l++)
            if (strcmp(crm__dict_str(tc->dict, codes[l]), s->spec.positive) == 0) pos = codes[l];
    } else if (k == 2) {
        pos = codes[1];
    }
    if (k != 2) {
        st = crm__error(CRM_E_INVALID,
                        "%s: target \"%s\" has %zu class%s in the rows fitted; logistic "
                        "regression needs exactly 2",
                        s->what, s->target, k, k == 1 ? "" : "es");
    } else if (pos < 0) {
        st = crm__error(CRM_E_INVALID,
                        "%s: positive class \"%s\" is not a value of target \"%s\" (its "
                        "values are \"%s\" and \"%s\")",
                        s->what, s->spec.positive, s->target, crm__dict_str(tc->dict, codes[0]),
                        crm__dict_str(tc->dict, codes[1]));
    } else {
        int32_t neg = codes[0] == pos ? codes[1] : codes[0];
        m->classes[0] = crm__strdup(crm__dict_str(tc->dict, neg));
        m->classes[1] = crm__strdup(crm__dict_str(tc->dict, pos));
        if (!m->classes[0] || !m->classes[1]) st = crm__nomem();
        for (size_t i = 0; st == CRM_OK && i < n; i++)
            d->y[i] = tc->v.code[d->rows ? d->rows[i] : i] == pos ? 1.0 : 0.0;
    }
    crm__free(codes);
    return st;
}

/* A number target: y as it is; for logistic regression both 0 and 1 must occur. */
static crm_status number_target(lin_design *d, const design_src *s)
{
    size_t n = d->n, ones = 0;
    for (size_t i = 0; i < n; i++) {
        d->y[i] = s->tc->v.num[d->rows ? d->rows[i] : i];
        ones += d->y[i] == 1.0;
    }
    if (s->spec.logistic && (ones == 0 || ones == n))
        return crm__error(CRM_E_INVALID,
                          "%s: target \"%s\" has only one class (every row fitted is %d); "
                          "logistic regression needs both 0 and 1",
                          s->what, s->target, ones ? 1 : 0);
    return CRM_OK;
}

/* The weights of the rows fitted; they must not sum to 0. */
static crm_status read_weights(lin_design *d, const design_src *s)
{
    double tw = 0;
    for (size_t i = 0; i < d->n; i++) {
        d->w[i] = s->wc->v.num[d->rows ? d->rows[i] : i];
        tw += d->w[i];
    }
    if (!(tw > 0))
        return crm__error(CRM_E_INVALID, "%s: the weights in \"%s\" sum to 0", s->what,
                          s->weight);
    return CRM_OK;
}

/* Text feature j, its first term at *p: its levels in the rows fitted (in byte order, the
 * first the reference) and an indicator term for each other level (*p advanced past them). */
static crm_status text_feature(lin_design *d, lin_model *m, const design_src *s, size_t j,
                               size_t *p)
{
    const crm__column *c = s->fc[j];
    lin_feature *lf = &m->feat[j];
    lin_dfeat *df = &d->f[j];
    df->code = c->v.code;
    df->term = *p;
    int32_t *codes = NULL;
    size_t k = 0;
    crm_status st = used_levels(c, d->rows, d->n, &codes, &k);
    if (st != CRM_OK) return st;
    size_t nd = c->dict->n;
    df->map = crm__malloc_array(nd ? nd : 1, sizeof *df->map);
    lf->levels = crm__calloc(k ? k : 1, sizeof *lf->levels);
    if (!df->map || !lf->levels) st = crm__nomem();
    for (size_t code = 0; st == CRM_OK && code < nd; code++)
        df->map[code] = -1;
    for (size_t l = 0; st == CRM_OK && l < k; l++) {
        lf->levels[l] = crm__strdup(crm__dict_str(c->dict, codes[l]));
        if (!lf->levels[l])
            st = crm__nomem();
        else
            lf->nlevels = l + 1;
        if (l > 0) df->map[codes[l]] = (int32_t)(*p)++;
    }
    crm__free(codes);
    df->nterms = *p - df->term;
    return st;
}

/* The features and their terms (the intercept first, when fitted): *p terms in all. */
static crm_status design_features(lin_design *d, lin_model *m, const design_src *s,
                                  int intercept, size_t *p_out)
{
    size_t p = intercept ? 1 : 0;
    crm_status st = CRM_OK;
    for (size_t j = 0; st == CRM_OK && j < s->nf; j++) {
        lin_feature *lf = &m->feat[j];
        lin_dfeat *df = &d->f[j];
        lf->name = crm__strdup(s->features[j]);
        if (!lf->name) return crm__nomem();
        lf->type = s->fc[j]->type;
        df->type = s->fc[j]->type;
        if (s->fc[j]->type == CRM_TYPE_NUMBER) {
            df->num = s->fc[j]->v.num;
            df->term = p++;
            continue;
        }
        st = text_feature(d, m, s, j, &p);
    }
    *p_out = p;
    return st;
}

/* The p terms: coefficient arrays, unit shifts and scales, and the names ("intercept", a
 * number feature's name, "feature=level" for an indicator). */
static crm_status design_terms(lin_design *d, lin_model *m, size_t p, const char *what)
{
    if (p == 0)
        return crm__error(CRM_E_INVALID, "%s: no terms to fit (no intercept and no features)",
                          what);
    d->p = p;
    m->p = p;
    m->terms = crm__calloc(p, sizeof *m->terms);
    m->coef = crm__calloc(p, sizeof *m->coef);
    m->se = crm__calloc(p, sizeof *m->se);
    d->shift = crm__calloc(p, sizeof *d->shift);
    d->scale = crm__malloc_array(p, sizeof *d->scale);
    if (!m->terms || !m->coef || !m->se || !d->shift || !d->scale) return crm__nomem();
    for (size_t j = 0; j < p; j++)
        d->scale[j] = 1.0;
    size_t t = 0;
    if (d->intercept) {
        m->terms[t] = crm__strdup("intercept");
        if (!m->terms[t++]) return crm__nomem();
    }
    for (size_t j = 0; j < d->nf; j++) {
        lin_feature *lf = &m->feat[j];
        if (lf->type == CRM_TYPE_NUMBER) {
            m->terms[t] = crm__strdup(lf->name);
            if (!m->terms[t++]) return crm__nomem();
            continue;
        }
        for (size_t l = 1; l < lf->nlevels; l++) {
            m->terms[t] = term_name(lf->name, lf->levels[l]);
            if (!m->terms[t++]) return crm__nomem();
        }
    }
    return CRM_OK;
}

crm_status crm__lin_design_build(const crm_dataset *ds, const char *target,
                                 const char *const *features, size_t nf, int intercept,
                                 int32_t missing, const char *weight, lin_target_spec spec,
                                 int32_t n_threads, const char *what, lin_design *d,
                                 lin_model **model)
{
    memset(d, 0, sizeof *d);
    *model = NULL;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", what);
    design_src s = {target, weight, features, nf, NULL, NULL, NULL, spec, missing, what};
    crm_status st = check_names(&s);
    if (st != CRM_OK) return st;
    st = find_columns(ds, &s);
    if (st != CRM_OK) {
        crm__free(s.fc);
        return st;
    }
    size_t N = ds->nrows, n = 0;
    unsigned char *use = crm__malloc(N ? N : 1);
    if (!use) {
        crm__free(s.fc);
        return crm__nomem();
    }
    st = select_rows(&s, N, n_threads, use, &n);
    lin_model *m = NULL;
    if (st == CRM_OK) st = crm__lin_model_alloc(nf, &m);
    d->n = n;
    d->nf = nf;
    d->intercept = intercept;
    if (st == CRM_OK) st = design_alloc(d, m, &s, use, N, intercept);
    crm__free(use);
    if (st == CRM_OK)
        st = s.tc->type == CRM_TYPE_TEXT ? text_target(d, m, &s) : number_target(d, &s);
    if (st == CRM_OK && s.wc) st = read_weights(d, &s);
    size_t p = 0;
    if (st == CRM_OK) st = design_features(d, m, &s, intercept, &p);
    if (st == CRM_OK) st = design_terms(d, m, p, what);
    crm__free(s.fc);
    if (st != CRM_OK) {
        crm__lin_model_free(m);
        crm__lin_design_free(d);
        return st;
    }
    *model = m;
    return CRM_OK;
}

crm_status crm__lin_design_standardize(lin_design *d, const lin_model *m, const char *what)
{
    for (size_t j = 0; j < d->nf; j++) {
        const lin_dfeat *f = &d->f[j];
        if (f->type != CRM_TYPE_NUMBER) continue;
        crm__fsum s;
        crm__fsum_init(&s);
        for (size_t i = 0; i < d->n; i++)
            crm__fsum_add(&s, f->num[d->rows ? d->rows[i] : i]);
        double mean = crm__fsum_result(&s) / (double)d->n;
        crm__fsum_init(&s);
        for (size_t i = 0; i < d->n; i++) {
            double v = f->num[d->rows ? d->rows[i] : i] - mean;
            crm__fsum_add(&s, v * v);
        }
        double sd = sqrt(crm__fsum_result(&s) / (double)d->n);
        if (!(sd > 0.0))
            return crm__error(CRM_E_NUMERIC,
                              "%s: feature \"%s\" is constant in the rows fitted; it cannot be "
                              "standardized",
                              what, m->feat[j].name);
        d->shift[f->term] = d->intercept ? mean : 0.0;
        d->scale[f->term] = sd;
    }
    return CRM_OK;
}

/* Number feature f over rows [r0, r0 + m) into col, shifted and scaled. */
static void fill_number(const lin_design *d, const lin_dfeat *f, size_t r0, size_t m, double *col)
{
    double sh = d->shift[f->term], sc = d->scale[f->term];
    if (d->rows) {
        for (size_t i = 0; i < m; i++)
            col[i] = f->num[d->rows[r0 + i]];
    } else {
        memcpy(col, f->num + r0, m * sizeof *col);
    }
    if (sh != 0.0 || sc != 1.0)
        for (size_t i = 0; i < m; i++)
            col[i] = (col[i] - sh) / sc;
}

/* Indicator terms of text feature f into T, its first term's column (leading dimension ld):
 * zero its term columns, then set the ones. */
static void fill_text_at(const lin_design *d, const lin_dfeat *f, size_t r0, size_t m, double *T,
                         size_t ld)
{
    for (size_t t = 0; t < f->nterms; t++)
        memset(T + t * ld, 0, m * sizeof *T);
    for (size_t i = 0; i < m; i++) {
        int32_t t = f->map[f->code[d->rows ? d->rows[r0 + i] : r0 + i]];
        if (t >= 0) T[((size_t)t - f->term) * ld + i] = 1.0;
    }
}

/* The same into the design X, term t at column t. */
static void fill_text(const lin_design *d, const lin_dfeat *f, size_t r0, size_t m, double *X,
                      size_t ld)
{
    fill_text_at(d, f, r0, m, X + f->term * ld, ld);
}

void crm__lin_design_fill(const lin_design *d, size_t r0, size_t m, double *X, size_t ld)
{
    if (d->intercept)
        for (size_t i = 0; i < m; i++)
            X[i] = 1.0;
    for (size_t j = 0; j < d->nf; j++) {
        const lin_dfeat *f = &d->f[j];
        if (f->type == CRM_TYPE_NUMBER) fill_number(d, f, r0, m, X + f->term * ld);
    }
    for (size_t j = 0; j < d->nf; j++) {
        const lin_dfeat *f = &d->f[j];
        if (f->type == CRM_TYPE_TEXT) fill_text(d, f, r0, m, X, ld);
    }
}

void crm__lin_design_cols(const lin_design *d, size_t r0, size_t m, double *X, size_t ld,
                          const double *ones, const double **cols)
{
    if (d->intercept) cols[0] = ones;
    for (size_t j = 0; j < d->nf; j++) {
        const lin_dfeat *f = &d->f[j];
        if (f->type == CRM_TYPE_NUMBER) {
            if (!d->rows && d->shift[f->term] == 0.0 && d->scale[f->term] == 1.0) {
                cols[f->term] = f->num + r0; /* read where it lies */
            } else {
                fill_number(d, f, r0, m, X + f->term * ld);
                cols[f->term] = X + f->term * ld;
            }
        } else if (f->dense) {
            for (size_t t = 0; t < f->nterms; t++)
                cols[f->term + t] = f->dense + t * d->n + r0;
        } else {
            fill_text(d, f, r0, m, X, ld);
            for (size_t t = 0; t < f->nterms; t++)
                cols[f->term + t] = X + (f->term + t) * ld;
        }
    }
}

crm_status crm__lin_design_dense_text(lin_design *d, size_t max_bytes)
{
    size_t nt = 0;
    for (size_t j = 0; j < d->nf; j++)
        if (d->f[j].type == CRM_TYPE_TEXT) nt += d->f[j].nterms;
    if (nt == 0 || d->n == 0 || nt > max_bytes / sizeof(double) / d->n) return CRM_OK;
    double *block = crm__malloc_array(nt * d->n, sizeof *block);
    if (!block) return crm__nomem();
    d->dense = block;
    for (size_t j = 0; j < d->nf; j++) {
        lin_dfeat *f = &d->f[j];
        if (f->type != CRM_TYPE_TEXT) continue;
        fill_text_at(d, f, 0, d->n, block, d->n);
        f->dense = block;
        block += f->nterms * d->n;
    }
    return CRM_OK;
}

crm_status crm__lin_gram_check(double *G, size_t p, const lin_model *m, const char *what)
{
    crm_status st = CRM_OK;
    double *dinv = crm__malloc_array(p, sizeof *dinv);
    if (!dinv) return crm__nomem();
    for (size_t j = 0; st == CRM_OK && j < p; j++) {
        double g = G[j * p + j];
        if (!(g > 0.0))
            st = crm__error(CRM_E_NUMERIC,
                            "%s: term \"%s\" is 0 in every row fitted (a constant or empty "
                            "column); drop it",
                            what, m->terms[j]);
        else
            dinv[j] = 1.0 / sqrt(g);
    }
    if (st == CRM_OK) {
        for (size_t k = 0; k < p; k++)
            for (size_t j = k; j < p; j++)
                G[k * p + j] *= dinv[j] * dinv[k];
        lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)p, G, (lapack_int)p);
        size_t bad = p;
        if (info > 0)
            bad = (size_t)info - 1;
        else if (info < 0)
            st = crm__error(CRM_E_NUMERIC, "%s: Cholesky failed (%d)", what, (int)info);
        for (size_t j = 0; st == CRM_OK && j < bad; j++) {
            double l = G[j * p + j];
            if (l * l < 1e-11) bad = j;
        }
        if (st == CRM_OK && bad < p)
            st = crm__error(CRM_E_NUMERIC,
                            "%s: the design is rank deficient: term \"%s\" is (numerically) a "
                            "linear combination of the terms before it (a constant feature, a "
                            "duplicated or derived column); drop it",
                            what, m->terms[bad]);
    }
    crm__free(dinv);
    return st;
}

crm_status crm__lin_too_wide(const lin_design *d, const char *what)
{
    if (d->p > d->n)
        return crm__error(CRM_E_NUMERIC,
                          "%s: more terms (%zu) than rows (%zu): the coefficients are not "
                          "identified (drop features or levels, or set l2 > 0)",
                          what, d->p, d->n);
    return CRM_OK;
}

crm_status crm__lin_rank_check(const lin_design *d, const lin_model *m, const char *what,
                               double *rms)
{
    size_t p = d->p, n = d->n;
    crm_status st = crm__lin_too_wide(d, what);
    if (st != CRM_OK) return st;
    size_t ch = n < LIN_CHUNK ? n : LIN_CHUNK;
    double *X = crm__malloc_array(ch * p, sizeof *X);
    double *G = crm__calloc(p * p, sizeof *G);
    if (!X || !G) {
        crm__free(X);
        crm__free(G);
        return crm__nomem();
    }
    for (size_t r0 = 0; r0 < n; r0 += ch) {
        size_t mm = n - r0 < ch ? n - r0 : ch;
        crm__lin_design_fill(d, r0, mm, X, ch);
        if (d->w)
            for (size_t t = 0; t < p; t++)
                for (size_t i = 0; i < mm; i++)
                    X[t * ch + i] *= sqrt(d->w[r0 + i]);
        cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (blasint)p, (blasint)mm, 1.0, X,
                    (blasint)ch, 1.0, G, (blasint)p);
    }
    crm__free(X);
    for (size_t j = 0; rms && j < p; j++)
        rms[j] = sqrt(G[j * p + j]);
    st = crm__lin_gram_check(G, p, m, what);
    crm__free(G);
    return st;
}

void crm__lin_weighted_sums(const lin_design *d, double *wsum_out, double *wy_out)
{
    double wsum = 0, wy = 0;
    for (size_t i = 0; i < d->n; i++) {
        double wi = d->w ? d->w[i] : 1.0;
        wsum += wi;
        wy += wi * d->y[i];
    }
    *wsum_out = wsum;
    *wy_out = wy;
}

crm_status crm__lin_coef_finite(const lin_model *m, const char *what)
{
    for (size_t j = 0; j < m->p; j++)
        if (!isfinite(m->coef[j]))
            return crm__error(CRM_E_NUMERIC, "%s: coefficient of \"%s\" is not finite", what,
                              m->terms[j]);
    return CRM_OK;
}

void crm__lin_unscale(const lin_design *d, const double *b, const double *cov, double *coef,
                      double *se)
{
    size_t p = d->p;
    for (size_t j = 0; j < p; j++)
        coef[j] = b[j] / d->scale[j];
    if (d->intercept) {
        double s = b[0];
        for (size_t j = 1; j < p; j++)
            s -= b[j] * d->shift[j] / d->scale[j];
        coef[0] = s;
    }
    if (!cov) return;
    for (size_t j = 0; j < p; j++)
        se[j] = sqrt(cov[j * p + j]) / d->scale[j];
    if (d->intercept) {
        /* var(b0 - sum_j c_j b_j), c_j = shift_j / scale_j */
        double v = 0;
        for (size_t k = 0; k < p; k++) {
            double ck = k == 0 ? 1.0 : -d->shift[k] / d->scale[k];
            if (ck == 0.0) continue;
            for (size_t j = 0; j < p; j++) {
                double cj = j == 0 ? 1.0 : -d->shift[j] / d->scale[j];
                if (cj == 0.0) continue;
                double c = j >= k ? cov[k * p + j] : cov[j * p + k];
                v += ck * cj * c;
            }
        }
        se[0] = sqrt(v);
    }
}
