/* Random forests: options, the samples of the trees, the fit (trees grown in parallel on the
 * engine of tree_fit.c), out-of-bag error and permutation importance. Documented in
 * crm/tree.h. */
#include "tree/forest_internal.h"
#include "core/par.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define FR_OPTIONS_SIZE sizeof(crm_forest_options)
/* Rows per task of the out-of-bag pass. */
#define FR_ROW_CHUNK 4096

static const crm_forest_options fr_defaults = {
    sizeof(crm_forest_options),     /* size */
    CRM_TREE_AUTO,                  /* task */
    CRM_TREE_CRITERION_AUTO,        /* criterion */
    100,                            /* n_trees */
    0,                              /* mtry */
    -1,                             /* max_depth */
    CRM_TREE_WEIGHT_NONE,           /* class_weight */
    2,                              /* min_samples_split */
    1,                              /* min_samples_leaf */
    1.0,                            /* sample_fraction */
    1,                              /* replace */
    0,                              /* max_bins */
    CRM_FOREST_IMPORTANCE_IMPURITY, /* importance */
    CRM_FOREST_MTRY_NONCONSTANT,    /* mtry_rule */
    0,                              /* n_threads */
    0,                              /* seed */
    NULL,                           /* positive */
    NULL,                           /* progress */
    NULL,                           /* user */
};

crm_status crm_forest_options_init(crm_forest_options *opts, size_t size)
{
    return crm__options_init(opts, size, &fr_defaults, sizeof fr_defaults, FR_OPTIONS_SIZE,
                             "crm_forest_options");
}

/* ---- options -------------------------------------------------------------------------------- */

static crm_status check_forest_options(const crm_forest_options *o, size_t nf)
{
    const char *w = "crm_forest_fit";
    if (o->n_trees < 1 || o->n_trees > FR_MAX_TREES)
        return crm__error(CRM_E_INVALID, "%s: n_trees must be 1..%d (got %d)", w, FR_MAX_TREES,
                          (int)o->n_trees);
    if (o->mtry < 0 || (size_t)o->mtry > nf)
        return crm__error(CRM_E_INVALID,
                          "%s: mtry must be 0 (automatic) or 1..%zu, the number of features "
                          "(got %d)",
                          w, nf, (int)o->mtry);
    if (o->replace != 0 && o->replace != 1)
        return crm__error(CRM_E_INVALID, "%s: replace must be 0 or 1 (got %d)", w,
                          (int)o->replace);
    double hi = o->replace ? 10.0 : 1.0;
    if (!(o->sample_fraction > 0.0 && o->sample_fraction <= hi))
        return crm__error(CRM_E_INVALID, "%s: sample_fraction must be in (0, %g] %s (got %g)", w,
                          hi, o->replace ? "with replacement" : "without replacement",
                          o->sample_fraction);
    if (o->importance != CRM_FOREST_IMPORTANCE_IMPURITY &&
        o->importance != CRM_FOREST_IMPORTANCE_PERMUTATION)
        return crm__error(CRM_E_INVALID, "%s: unknown importance %d", w, (int)o->importance);
    if (o->mtry_rule != CRM_FOREST_MTRY_NONCONSTANT && o->mtry_rule != CRM_FOREST_MTRY_EXACT)
        return crm__error(CRM_E_INVALID, "%s: unknown mtry_rule %d", w, (int)o->mtry_rule);
    if (o->n_threads < 0)
        return crm__error(CRM_E_INVALID, "%s: n_threads must be >= 0 (got %d)", w,
                          (int)o->n_threads);
    return CRM_OK;
}

/* The options of every tree (the seed is set per tree). */
static void tree_options(const crm_forest_options *o, crm_tree_options *to)
{
    crm_tree_options_init(to, sizeof *to);
    to->task = o->task;
    to->criterion = o->criterion;
    to->max_depth = o->max_depth;
    to->class_weight = o->class_weight;
    to->min_samples_split = o->min_samples_split;
    to->min_samples_leaf = o->min_samples_leaf;
    to->positive = o->positive;
    to->max_bins = o->max_bins;
    to->n_threads = 1;
}

/* Data errors come from the tree engine and name crm_tree_fit: name the forest instead. */
static crm_status rename_error(crm_status st)
{
    const char *msg = crm_last_error();
    const char *pre = "crm_tree_fit: ";
    if (st == CRM_OK || st == CRM_E_NOMEM || strncmp(msg, pre, strlen(pre)) != 0) return st;
    char *copy = crm__strdup(msg + strlen(pre));
    if (!copy) return st;
    crm__error(st, "crm_forest_fit: %s", copy);
    crm__free(copy);
    return st;
}

/* ---- growing the trees ---------------------------------------------------------------------- */

typedef struct fr_fit {
    const tr_data *D;
    const tr_base *B;
    const crm_tree_options *to;
    size_t mtry, d;
    int mtry_exact;
    uint64_t seed;
    double fraction;
    int replace;
    tr_model *trees;
    double *imp;            /* T x d per-tree importances */
    unsigned char *inbag;   /* T x nbytes bits: row in tree t's sample */
    size_t nbytes;
    crm_status *status;     /* per tree */
    size_t first;           /* first tree of the group being grown */
} fr_fit;

static void grow_task(void *p, size_t k, int worker)
{
    (void)worker;
    fr_fit *F = p;
    size_t t = F->first + k, n = F->D->n;
    uint32_t *cnt = crm__malloc_array(n, sizeof *cnt);
    double *w = crm__malloc_array(n, sizeof *w);
    unsigned char *in = crm__malloc(n);
    crm_status st = CRM_OK;
    if (!cnt || !w || !in) st = crm__nomem();
    if (st == CRM_OK) {
        crm__forest_draw(F->seed, t, n, F->fraction, F->replace, cnt);
        unsigned char *bits = F->inbag + t * F->nbytes;
        for (size_t i = 0; i < n; i++) {
            in[i] = cnt[i] > 0;
            w[i] = (double)cnt[i] * (F->D->w ? F->D->w[i] : 1.0);
            if (in[i]) bits[i >> 3] |= (unsigned char)(1u << (i & 7));
        }
        crm_tree_options to = *F->to;
        to.seed = F->seed + (uint64_t)t;
        /* every row once with weight 1: the bag is the data (the CART tree of those rows) */
        int all = !F->replace && F->fraction >= 1.0;
        const tr_bag bag = {all ? NULL : in, all ? NULL : w};
        st = crm__tree_grow(F->D, F->B, &bag, &to, F->mtry, F->mtry_exact, &F->trees[t]);
    }
    if (st == CRM_OK) {
        F->trees[t].importances = F->imp + t * F->d;
        crm__tree_importances(&F->trees[t]);
        F->trees[t].importances = NULL;
    }
    crm__free(cnt);
    crm__free(w);
    crm__free(in);
    F->status[t] = st;
}

/* Grow the trees in groups of a few per thread; progress is reported after each group. */
static crm_status grow_all(fr_fit *F, size_t T, int nthreads, const crm_forest_options *o)
{
    size_t group = (size_t)nthreads * 4;
    for (size_t first = 0; first < T; first += group) {
        size_t cnt = T - first < group ? T - first : group;
        F->first = first;
        crm__par_for(nthreads < (int)cnt ? nthreads : (int)cnt, cnt, grow_task, F);
        for (size_t t = first; t < first + cnt; t++)
            if (F->status[t] != CRM_OK) return F->status[t];
        if (o->progress && o->progress((double)(first + cnt) / (double)T, o->user))
            return crm__error(CRM_E_CANCELLED, "crm_forest_fit: cancelled by the progress callback");
    }
    return CRM_OK;
}

/* Mean of the trees' normalised importances, renormalised (as scikit-learn). */
static void mean_importances(const fr_model *f, const double *imp)
{
    size_t d = f->meta->d;
    double *out = f->meta->importances, sum = 0.0;
    for (size_t j = 0; j < d; j++) {
        double s = 0.0;
        for (size_t t = 0; t < f->T; t++)
            s += imp[t * d + j];
        out[j] = s / (double)f->T;
        sum += out[j];
    }
    if (sum > 0.0)
        for (size_t j = 0; j < d; j++)
            out[j] /= sum;
}

/* ---- out of bag ------------------------------------------------------------------------------ */

typedef struct fr_oob {
    const fr_model *f;
    const tr_data *D;
    const crm__column *const *cols;
    int32_t *const *lmap;
    const unsigned char *inbag;
    size_t nbytes;
    double *err;  /* per row: 0/1 misclassified or squared error; NaN when never out of bag */
    double *pred; /* per row (or NULL): K shares or the mean, NaN when never out of bag */
    unsigned char **use; /* per worker: T flags */
    double **acc;        /* per worker: K sums */
} fr_oob;

static void oob_task(void *p, size_t k, int worker)
{
    fr_oob *O = p;
    const fr_model *f = O->f;
    size_t n = O->D->n, K = f->meta->regression ? 1 : f->meta->K;
    size_t lo = k * FR_ROW_CHUNK, hi = lo + FR_ROW_CHUNK < n ? lo + FR_ROW_CHUNK : n;
    unsigned char *use = O->use[worker];
    double *acc = O->acc[worker];
    for (size_t i = lo; i < hi; i++) {
        for (size_t t = 0; t < f->T; t++)
            use[t] = !(O->inbag[t * O->nbytes + (i >> 3)] & (1u << (i & 7)));
        memset(acc, 0, K * sizeof *acc);
        size_t used = crm__forest_accumulate(f, O->cols, O->lmap, O->D->rowmap[i], use, acc);
        if (!used) {
            O->err[i] = NAN;
            if (O->pred)
                for (size_t q = 0; q < K; q++)
                    O->pred[i * K + q] = NAN;
            continue;
        }
        for (size_t q = 0; q < K; q++)
            acc[q] /= (double)used;
        if (O->pred) memcpy(O->pred + i * K, acc, K * sizeof *acc);
        if (f->meta->regression) {
            double e = O->D->y[i] - acc[0];
            O->err[i] = e * e;
        } else {
            size_t b = 0;
            for (size_t q = 1; q < K; q++)
                if (acc[q] > acc[b]) b = q;
            O->err[i] = (int32_t)b == O->D->yc[i] ? 0.0 : 1.0;
        }
    }
}

/* Out-of-bag predictions of the training rows (pred: n x K, or NULL) and each row's error
 * (err: n, NaN for rows in every sample). */
static crm_status oob_pass(const fr_model *f, const tr_data *D, const crm__column *const *cols,
                           int32_t *const *lmap, const unsigned char *inbag, size_t nbytes,
                           int nthreads, double *err, double *pred)
{
    size_t K = f->meta->regression ? 1 : f->meta->K;
    size_t chunks = (D->n + FR_ROW_CHUNK - 1) / FR_ROW_CHUNK;
    int nt = crm__par_threads(nthreads, chunks);
    fr_oob O = {f, D, cols, lmap, inbag, nbytes, err, pred, NULL, NULL};
    O.use = crm__calloc((size_t)nt, sizeof *O.use);
    O.acc = crm__calloc((size_t)nt, sizeof *O.acc);
    crm_status st = O.use && O.acc ? CRM_OK : crm__nomem();
    for (int t = 0; st == CRM_OK && t < nt; t++) {
        O.use[t] = crm__malloc(f->T);
        O.acc[t] = crm__malloc_array(K, sizeof *O.acc[t]);
        if (!O.use[t] || !O.acc[t]) st = crm__nomem();
    }
    if (st == CRM_OK) crm__par_for(nt, chunks, oob_task, &O);
    for (int t = 0; t < nt; t++) {
        if (O.use) crm__free(O.use[t]);
        if (O.acc) crm__free(O.acc[t]);
    }
    crm__free(O.use);
    crm__free(O.acc);
    return st;
}

/* oob_error, oob_rows and oob_score from the rows' errors (summed in row order). */
static void oob_summary(fr_model *f, const tr_data *D, const double *err)
{
    double s = 0.0, rows = 0.0, mean = 0.0;
    for (size_t i = 0; i < D->n; i++)
        if (!isnan(err[i])) {
            s += err[i];
            rows += 1.0;
            if (f->meta->regression) mean += D->y[i];
        }
    f->oob_rows = rows;
    f->oob_error = rows > 0.0 ? s / rows : NAN;
    if (!f->meta->regression) {
        f->oob_score = 1.0 - f->oob_error;
        return;
    }
    mean /= rows;
    double sst = 0.0;
    for (size_t i = 0; i < D->n; i++)
        if (!isnan(err[i])) sst += (D->y[i] - mean) * (D->y[i] - mean);
    f->oob_score = rows > 0.0 && sst > 0.0 ? 1.0 - s / sst : NAN;
}

/* ---- permutation importance ------------------------------------------------------------------ */

typedef struct fr_perm {
    const fr_model *f;
    const tr_data *D;
    const crm__column *const *cols;
    int32_t *const *lmap;
    const unsigned char *inbag;
    size_t nbytes;
    double *rise;      /* T x d: the tree's error rise per feature; NaN without OOB rows */
    crm_status *status;
} fr_perm;

/* Error of tree m on dataset row r, feature jf read from row rj. */
static double tree_err(const fr_perm *P, const tr_model *m, size_t i, size_t jf, size_t rj)
{
    size_t r = P->D->rowmap[i];
    const tr_node *nd = &m->nodes[crm__tree_walk_swap(m, P->cols, P->lmap, r, jf, rj)];
    if (m->regression) {
        double e = P->D->y[i] - m->values[nd->value_off];
        return e * e;
    }
    return (int32_t)crm__tree_argmax(m, nd) == P->D->yc[i] ? 0.0 : 1.0;
}

static void perm_task(void *p, size_t t, int worker)
{
    (void)worker;
    fr_perm *P = p;
    const fr_model *f = P->f;
    const tr_model *m = &f->trees[t];
    size_t n = P->D->n, d = f->meta->d, no = 0;
    double *rise = P->rise + t * d;
    size_t *oob = crm__malloc_array(n ? n : 1, sizeof *oob);
    size_t *perm = crm__malloc_array(n ? n : 1, sizeof *perm);
    if (!oob || !perm) {
        crm__free(oob);
        crm__free(perm);
        P->status[t] = crm__nomem();
        return;
    }
    const unsigned char *bits = P->inbag + t * P->nbytes;
    for (size_t i = 0; i < n; i++)
        if (!(bits[i >> 3] & (1u << (i & 7)))) oob[no++] = i;
    double base = 0.0;
    for (size_t q = 0; q < no; q++)
        base += tree_err(P, m, oob[q], SIZE_MAX, 0);
    for (size_t j = 0; j < d; j++) {
        if (no == 0) {
            rise[j] = NAN;
            continue;
        }
        crm__rng r;
        crm__rng_seed_stream(&r, f->seed ^ 0x5045524D55544531ULL, (uint64_t)(t * d + j));
        memcpy(perm, oob, no * sizeof *perm);
        for (size_t q = no - 1; q > 0; q--) {
            size_t u = (size_t)crm__rng_below(&r, q + 1), x = perm[q];
            perm[q] = perm[u];
            perm[u] = x;
        }
        double e = 0.0;
        for (size_t q = 0; q < no; q++)
            e += tree_err(P, m, oob[q], j, P->D->rowmap[perm[q]]);
        rise[j] = (e - base) / (double)no;
    }
    crm__free(oob);
    crm__free(perm);
    P->status[t] = CRM_OK;
}

static crm_status permutation(fr_model *f, fr_perm *P, int nthreads)
{
    size_t d = f->meta->d;
    P->rise = crm__malloc_array(f->T * d, sizeof *P->rise);
    P->status = crm__malloc_array(f->T, sizeof *P->status);
    f->perm = crm__calloc(d, sizeof *f->perm);
    crm_status st = P->rise && P->status && f->perm ? CRM_OK : crm__nomem();
    if (st == CRM_OK) crm__par_for(crm__par_threads(nthreads, f->T), f->T, perm_task, P);
    for (size_t t = 0; st == CRM_OK && t < f->T; t++)
        st = P->status[t];
    for (size_t j = 0; st == CRM_OK && j < d; j++) {
        double s = 0.0, c = 0.0;
        for (size_t t = 0; t < f->T; t++)
            if (!isnan(P->rise[t * d + j])) {
                s += P->rise[t * d + j];
                c += 1.0;
            }
        f->perm[j] = c > 0.0 ? s / c : NAN;
    }
    crm__free(P->rise);
    crm__free(P->status);
    return st;
}

/* ---- the fit -------------------------------------------------------------------------------- */

/* The forest's own members from the options; mtry resolved. */
static fr_model *forest_new(tr_model *meta, const crm_forest_options *o, const tr_data *D)
{
    fr_model *f = crm__calloc(1, sizeof *f);
    if (!f) return NULL;
    size_t d = meta->d;
    f->meta = meta;
    f->T = (size_t)o->n_trees;
    if (o->mtry > 0)
        f->mtry = o->mtry;
    else if (meta->regression)
        f->mtry = d / 3 > 0 ? (int32_t)(d / 3) : 1;
    else {
        size_t m = (size_t)floor(sqrt((double)d));
        f->mtry = m > 0 ? (int32_t)m : 1;
    }
    f->mtry_rule = o->mtry_rule;
    f->max_depth = o->max_depth;
    f->replace = o->replace;
    f->max_bins = o->max_bins;
    f->class_weight = o->class_weight;
    f->min_split = o->min_samples_split;
    f->min_leaf = o->min_samples_leaf;
    f->fraction = o->sample_fraction;
    f->seed = o->seed;
    f->n_rows = (double)D->n;
    f->oob_error = NAN;
    f->oob_score = NAN;
    return f;
}

/* Grow every tree of f on D (each tree's in-bag rows into inbag) and average the importances. */
static crm_status grow_forest(fr_model *f, const tr_data *D, const crm_tree_options *to,
                              const crm_forest_options *o, unsigned char *inbag, size_t nbytes)
{
    size_t d = f->meta->d, T = f->T;
    tr_base *B = NULL;
    crm_status st = crm__tree_base_new(D, d, o->max_bins, &B);
    f->trees = crm__calloc(T, sizeof *f->trees);
    double *imp = crm__calloc(T * d, sizeof *imp);
    crm_status *status = crm__calloc(T, sizeof *status);
    if (st == CRM_OK && (!f->trees || !imp || !status)) st = crm__nomem();
    if (st == CRM_OK) {
        for (size_t t = 0; t < T; t++)
            crm__forest_tree_init(&f->trees[t], f->meta);
        fr_fit F = {D,     B,   to,    (size_t)f->mtry, d,      f->mtry_rule == CRM_FOREST_MTRY_EXACT,
                    f->seed, f->fraction, f->replace, f->trees, imp, inbag, nbytes, status, 0};
        st = grow_all(&F, T, crm__par_threads(o->n_threads, T), o);
    }
    crm__tree_base_free(B);
    if (st == CRM_OK) mean_importances(f, imp);
    crm__free(imp);
    crm__free(status);
    return st;
}

/* Out-of-bag error and, when asked, permutation importance, on the training rows of ds. */
static crm_status forest_oob(fr_model *f, const crm_dataset *ds, const tr_data *D,
                             const crm_forest_options *o, const unsigned char *inbag,
                             size_t nbytes)
{
    const crm__column **cols = NULL;
    int32_t **lmap = NULL;
    crm_status st = crm__tree_bind(f->meta, ds, "crm_forest_fit", &cols, &lmap);
    double *err = crm__malloc_array(D->n, sizeof *err);
    if (st == CRM_OK && !err) st = crm__nomem();
    if (st == CRM_OK)
        st = oob_pass(f, D, (const crm__column *const *)cols, lmap, inbag, nbytes, o->n_threads,
                      err, NULL);
    if (st == CRM_OK) oob_summary(f, D, err);
    if (st == CRM_OK && o->importance == CRM_FOREST_IMPORTANCE_PERMUTATION) {
        fr_perm P = {f, D, (const crm__column *const *)cols, lmap, inbag, nbytes, NULL, NULL};
        st = permutation(f, &P, o->n_threads);
    }
    crm__free(err);
    crm__tree_unbind(f->meta, cols, lmap);
    return st;
}

static crm_status forest_fit_pinned(const crm_dataset *ds, const char *target,
                                    const char *const *features, size_t nf,
                                    const crm_forest_options *opts, crm_model **out)
{
    const char *w = "crm_forest_fit";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", w);
    crm_forest_options o;
    crm_status st = crm__options_load(&o, opts, &fr_defaults, sizeof fr_defaults,
                                      FR_OPTIONS_SIZE, "crm_forest_options");
    if (st == CRM_OK) st = check_forest_options(&o, nf);
    if (st != CRM_OK) return st;
    crm_tree_options to;
    tree_options(&o, &to);
    tr_data D;
    tr_model *meta = NULL;
    st = rename_error(crm__tree_setup(ds, target, features, nf, &to, &meta, &D));
    if (st != CRM_OK) return st;
    fr_model *f = forest_new(meta, &o, &D);
    if (!f) {
        crm__tree_free_state(meta);
        crm__tree_data_free(&D, nf);
        return crm__nomem();
    }
    size_t nbytes = (D.n + 7) / 8;
    unsigned char *inbag = crm__calloc(f->T * nbytes, 1);
    st = inbag ? CRM_OK : crm__nomem();
    if (st == CRM_OK) st = rename_error(grow_forest(f, &D, &to, &o, inbag, nbytes));
    if (st == CRM_OK) st = forest_oob(f, ds, &D, &o, inbag, nbytes);
    crm__free(inbag);
    crm__tree_data_free(&D, nf);
    if (st != CRM_OK) {
        crm__forest_free_state(f);
        return st;
    }
    return crm__model_new(&crm__forest_vtable, f, out);
}

/* crm_forest_fit pins ds for the whole call: the progress callback may free it (the storage
 * then goes when the call returns) but not change it. */
crm_status crm_forest_fit(const crm_dataset *ds, const char *target, const char *const *features,
                          size_t nf, const crm_forest_options *opts, crm_model **out)
{
    crm__dataset_pin(ds);
    crm_status st = forest_fit_pinned(ds, target, features, nf, opts, out);
    crm__dataset_unpin(ds);
    return st;
}

/* ---- out-of-bag predictions of a fitted forest ---------------------------------------------- */

/* The in-bag bits of every tree, regenerated from the seed. */
static crm_status regen_bags(const fr_model *f, size_t n, unsigned char **out, size_t *nbytes)
{
    *nbytes = (n + 7) / 8;
    size_t total = f->T * *nbytes;
    unsigned char *bits = crm__calloc(total ? total : 1, 1);
    uint32_t *cnt = crm__malloc_array(n ? n : 1, sizeof *cnt);
    if (!bits || !cnt) {
        crm__free(bits);
        crm__free(cnt);
        return crm__nomem();
    }
    for (size_t t = 0; t < f->T; t++) {
        crm__forest_draw(f->seed, t, n, f->fraction, f->replace, cnt);
        for (size_t i = 0; i < n; i++)
            if (cnt[i]) bits[t * *nbytes + (i >> 3)] |= (unsigned char)(1u << (i & 7));
    }
    crm__free(cnt);
    *out = bits;
    return CRM_OK;
}

crm_status crm__forest_oob_values(const fr_model *f, const crm_dataset *ds, double *pred)
{
    size_t n = (size_t)f->n_rows;
    const crm__column **cols = NULL;
    int32_t **lmap = NULL;
    unsigned char *bits = NULL;
    size_t nbytes = 0;
    tr_data D;
    memset(&D, 0, sizeof D);
    D.n = n;
    D.rowmap = crm__malloc_array(n ? n : 1, sizeof *D.rowmap);
    double *err = crm__malloc_array(n ? n : 1, sizeof *err);
    crm_status st = D.rowmap && err ? CRM_OK : crm__nomem();
    /* the target is not needed for predictions: a constant stands in for it */
    if (st == CRM_OK) {
        if (f->meta->regression)
            st = (D.y = crm__calloc(n ? n : 1, sizeof *D.y)) ? CRM_OK : crm__nomem();
        else
            st = (D.yc = crm__calloc(n ? n : 1, sizeof *D.yc)) ? CRM_OK : crm__nomem();
    }
    for (size_t i = 0; st == CRM_OK && i < n; i++)
        D.rowmap[i] = (uint32_t)i;
    if (st == CRM_OK) st = crm__tree_bind(f->meta, ds, "crm_forest_oob_predict", &cols, &lmap);
    if (st == CRM_OK) st = regen_bags(f, n, &bits, &nbytes);
    if (st == CRM_OK)
        st = oob_pass(f, &D, (const crm__column *const *)cols, lmap, bits, nbytes, 0, err, pred);
    crm__free(bits);
    crm__free(err);
    crm__free(D.rowmap);
    crm__free(D.y);
    crm__free(D.yc);
    crm__tree_unbind(f->meta, cols, lmap);
    return st;
}

crm_status crm_forest_oob_predict(const crm_model *model, crm_dataset *ds, const char *pred_col)
{
    const char *w = "crm_forest_oob_predict";
    const fr_model *f = NULL;
    crm_status st = crm__forest_get(model, w, &f);
    if (st != CRM_OK) return st;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", w);
    if (model->nsteps)
        return crm__error(CRM_E_INVALID, "%s: the forest has transform steps", w);
    if ((double)ds->nrows != f->n_rows)
        return crm__error(CRM_E_INVALID,
                          "%s: the dataset has %zu rows; the forest was fitted on %.0f", w,
                          ds->nrows, f->n_rows);
    char *pname = NULL;
    st = crm__dataset_prediction_names(ds, pred_col, !f->meta->regression, w, &pname);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows, K = f->meta->regression ? 1 : f->meta->K;
    double *acc = crm__malloc_array(n ? n : 1, K * sizeof *acc);
    if (!acc) st = crm__nomem();
    if (st == CRM_OK) st = crm__forest_oob_values(f, ds, acc);
    if (st == CRM_OK) st = crm__forest_emit(f, ds, pred_col, pname, acc, n);
    crm__free(acc);
    crm__free(pname);
    return st;
}
