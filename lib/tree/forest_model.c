/* The random forest model kind "forest": prediction, per-tree table, statistics, JSON (written
 * tree by tree) and the public accessors (importances, one tree, one sample, out-of-bag
 * predictions). */
#include "tree/forest_internal.h"
#include "core/par.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FR_ROW_CHUNK 4096

void crm__forest_free_trees(tr_model *trees, size_t T)
{
    if (!trees) return;
    for (size_t t = 0; t < T; t++) {
        crm__free(trees[t].nodes);
        crm__free(trees[t].values);
        crm__free(trees[t].dirs);
    }
    crm__free(trees);
}

void crm__forest_free_state(void *state)
{
    fr_model *f = state;
    if (!f) return;
    crm__forest_free_trees(f->trees, f->T);
    crm__tree_free_state(f->meta);
    crm__free(f->perm);
    crm__free(f);
}

void crm__forest_draw(uint64_t seed, size_t t, size_t n, double fraction, int replace,
                      uint32_t *counts)
{
    crm__rng r;
    crm__rng_seed_stream(&r, seed, (uint64_t)t);
    double want = floor(fraction * (double)n + 0.5);
    size_t m = want < 1.0 ? 1 : (size_t)want;
    memset(counts, 0, n * sizeof *counts);
    if (replace) {
        for (size_t k = 0; k < m; k++)
            counts[crm__rng_below(&r, n)]++;
        return;
    }
    if (m >= n) {
        for (size_t i = 0; i < n; i++)
            counts[i] = 1;
        return;
    }
    /* selection sampling (Knuth's algorithm S): m distinct rows, each set equally likely */
    size_t left = m;
    for (size_t i = 0; i < n && left > 0; i++) {
        if (crm__rng_uniform(&r) * (double)(n - i) < (double)left) {
            counts[i] = 1;
            left--;
        }
    }
}

void crm__forest_tree_init(tr_model *tree, const tr_model *meta)
{
    *tree = *meta;
    tree->nodes = NULL;
    tree->nnodes = 0;
    tree->values = NULL;
    tree->nvalues = 0;
    tree->dirs = NULL;
    tree->ndirs = 0;
    tree->importances = NULL;
}

size_t crm__forest_accumulate(const fr_model *f, const crm__column *const *cols,
                              int32_t *const *lmap, size_t r, const unsigned char *use,
                              double *acc)
{
    const tr_model *meta = f->meta;
    size_t K = meta->K, used = 0;
    for (size_t t = 0; t < f->T; t++) {
        if (use && !use[t]) continue;
        const tr_model *m = &f->trees[t];
        const tr_node *nd = &m->nodes[crm__tree_walk(m, cols, lmap, r)];
        const double *v = m->values + nd->value_off;
        if (meta->regression)
            acc[0] += v[0];
        else
            for (size_t k = 0; k < K; k++)
                acc[k] += v[k] / nd->wn;
        used++;
    }
    return used;
}

static size_t fr_width(const fr_model *f)
{
    return f->meta->regression ? 1 : f->meta->K;
}

/* ---- predict -------------------------------------------------------------------------------- */

typedef struct fr_pjob {
    const fr_model *f;
    const crm__column *const *cols;
    int32_t *const *lmap;
    size_t n;
    double *acc; /* n x width */
} fr_pjob;

static void pred_task(void *p, size_t k, int worker)
{
    (void)worker;
    fr_pjob *J = p;
    size_t K = fr_width(J->f);
    size_t lo = k * FR_ROW_CHUNK, hi = lo + FR_ROW_CHUNK < J->n ? lo + FR_ROW_CHUNK : J->n;
    for (size_t r = lo; r < hi; r++) {
        double *a = J->acc + r * K;
        memset(a, 0, K * sizeof *a);
        crm__forest_accumulate(J->f, J->cols, J->lmap, r, NULL, a);
        for (size_t q = 0; q < K; q++)
            a[q] /= (double)J->f->T;
    }
}

/* Add the prediction columns from the per-row aggregates acc (n x width; NaN: no prediction). */
crm_status crm__forest_emit(const fr_model *f, crm_dataset *ds, const char *out_col, const char *pname,
                       const double *acc, size_t n)
{
    const tr_model *m = f->meta;
    size_t K = fr_width(f);
    double *res = crm__malloc_array(n ? n : 1, sizeof *res);
    double *proba = m->regression ? NULL : crm__malloc_array(n ? n : 1, sizeof *proba);
    const char **labels =
        (!m->regression && m->target_text) ? crm__calloc(n ? n : 1, sizeof *labels) : NULL;
    crm_status st = CRM_OK;
    if (!res || (!m->regression && !proba) || (!m->regression && m->target_text && !labels))
        st = crm__nomem();
    for (size_t r = 0; st == CRM_OK && r < n; r++) {
        const double *a = acc + r * K;
        if (m->regression) {
            res[r] = a[0];
            continue;
        }
        if (isnan(a[0])) {
            res[r] = proba[r] = NAN;
            if (labels) labels[r] = NULL;
            continue;
        }
        size_t b = 0;
        for (size_t q = 1; q < K; q++)
            if (a[q] > a[b]) b = q;
        proba[r] = a[b];
        if (labels)
            labels[r] = m->classes[b];
        else
            res[r] = strcmp(m->classes[b], "1") == 0 ? 1.0 : 0.0;
    }
    if (st == CRM_OK && labels)
        st = crm_dataset_add_text(ds, out_col, labels, n);
    else if (st == CRM_OK) {
        st = crm__dataset_add_owned(ds, out_col, CRM_TYPE_NUMBER, res, NULL, n);
        if (st == CRM_OK) res = NULL;
    }
    if (st == CRM_OK && proba) {
        st = crm__dataset_add_owned(ds, pname, CRM_TYPE_NUMBER, proba, NULL, n);
        if (st == CRM_OK)
            proba = NULL;
        else
            crm_dataset_drop_column(ds, out_col);
    }
    crm__free(res);
    crm__free(proba);
    crm__free(labels);
    return st;
}

static crm_status fr_predict(const void *sp, crm_dataset *ds, const char *out_col)
{
    const fr_model *f = sp;
    const char *w = "crm_model_predict";
    char *pname = NULL;
    crm_status st = crm__dataset_prediction_names(ds, out_col, !f->meta->regression, w, &pname);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows, K = fr_width(f);
    const crm__column **cols = NULL;
    int32_t **lmap = NULL;
    double *acc = crm__malloc_array(n ? n : 1, K * sizeof *acc);
    if (!acc) st = crm__nomem();
    if (st == CRM_OK) st = crm__tree_bind(f->meta, ds, w, &cols, &lmap);
    if (st == CRM_OK) {
        /* each row sums its trees in order: the result does not depend on the threads */
        fr_pjob J = {f, (const crm__column *const *)cols, lmap, n, acc};
        size_t chunks = (n + FR_ROW_CHUNK - 1) / FR_ROW_CHUNK;
        if (chunks) crm__par_for(crm__par_threads(0, chunks), chunks, pred_task, &J);
        st = crm__forest_emit(f, ds, out_col, pname, acc, n);
    }
    crm__tree_unbind(f->meta, cols, lmap);
    crm__free(acc);
    crm__free(pname);
    return st;
}

/* ---- per-tree table and statistics --------------------------------------------------------- */

static void tree_shape(const tr_model *m, double *leaves, double *depth)
{
    int32_t dmax = 0;
    size_t k = 0;
    for (size_t i = 0; i < m->nnodes; i++) {
        if (m->nodes[i].depth > dmax) dmax = m->nodes[i].depth;
        k += m->nodes[i].left < 0;
    }
    *leaves = (double)k;
    *depth = (double)dmax;
}

static crm_status fr_summary(const void *sp, crm_dataset **out)
{
    const fr_model *f = sp;
    size_t T = f->T;
    double *v = crm__malloc_array(6 * T, sizeof *v);
    if (!v) return crm__nomem();
    for (size_t t = 0; t < T; t++) {
        const tr_model *m = &f->trees[t];
        v[t] = (double)t;
        v[T + t] = (double)m->nnodes;
        tree_shape(m, &v[2 * T + t], &v[3 * T + t]);
        v[4 * T + t] = m->nodes[0].n;
        v[5 * T + t] = m->nodes[0].wn;
    }
    static const char *const names[] = {"tree", "nodes", "leaves", "depth", "in_bag", "weighted_n"};
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    for (size_t c = 0; st == CRM_OK && c < 6; c++)
        st = crm_dataset_add_number(ds, names[c], v + c * T, T);
    crm__free(v);
    if (st != CRM_OK) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

static const char *const fr_stat_names[] = {
    "n_trees",  "n_features",  "n_classes",  "n_rows",   "mtry",      "max_depth",
    "min_samples_leaf", "sample_fraction", "replace", "mtry_rule", "max_bins", "nodes",
    "mean_leaves", "mean_depth", "oob_rows", "oob_error", "oob_score", "regression", NULL};

static double fr_stat(const void *sp, size_t i)
{
    const fr_model *f = sp;
    double nodes = 0.0, leaves = 0.0, depth = 0.0;
    for (size_t t = 0; i >= 11 && i <= 13 && t < f->T; t++) {
        double l, d;
        tree_shape(&f->trees[t], &l, &d);
        nodes += (double)f->trees[t].nnodes;
        leaves += l;
        depth += d;
    }
    const double v[] = {(double)f->T,       (double)f->meta->d,  (double)f->meta->K,
                        f->n_rows,          f->mtry,             f->max_depth,
                        (double)f->min_leaf, f->fraction,        f->replace,
                        f->mtry_rule,       f->max_bins,         nodes,
                        leaves / (double)f->T, depth / (double)f->T, f->oob_rows,
                        f->oob_error,       f->oob_score,        f->meta->regression};
    return i < sizeof v / sizeof v[0] ? v[i] : NAN;
}

static size_t fr_classes(const void *sp, char *const **labels)
{
    const fr_model *f = sp;
    *labels = f->meta->classes;
    return f->meta->target_text && !f->meta->regression ? f->meta->K : 0;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static crm_status write_ints(crm__buf *b, const char *key, const tr_model *m, int which)
{
    crm_status st = crm__buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; st == CRM_OK && i < m->nnodes; i++) {
        const tr_node *nd = &m->nodes[i];
        int v = which == 0   ? nd->left
                : which == 1 ? nd->right
                : which == 2 ? nd->feature
                             : nd->missing_left + 2 * nd->unseen_left + 4 * nd->missing_seen;
        st = crm__buf_printf(b, i ? ",%d" : "%d", v);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

static crm_status write_reals(crm__buf *b, const char *key, const tr_model *m, int which)
{
    crm_status st = crm__buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; st == CRM_OK && i < m->nnodes; i++) {
        const tr_node *nd = &m->nodes[i];
        double v = which == 0 ? nd->threshold : which == 1 ? nd->n : which == 2 ? nd->wn
                                                                              : nd->impurity;
        if (i) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_number(b, v);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

/* "categories" (pass 0: the levels sent left) or "seen" (pass 1) of the text splits. */
static crm_status write_dirs(crm__buf *b, const tr_model *m, int pass)
{
    crm_status st = crm__buf_printf(b, ",\"%s\":[", pass ? "seen" : "categories");
    int firstnode = 1;
    for (size_t i = 0; st == CRM_OK && i < m->nnodes; i++) {
        const tr_node *nd = &m->nodes[i];
        if (nd->left < 0 || !m->is_text[nd->feature]) continue;
        st = crm__buf_append(b, firstnode ? "[" : ",[", firstnode ? 1 : 2);
        firstnode = 0;
        int first = 1;
        for (size_t l = 0; st == CRM_OK && l < m->nlev[nd->feature]; l++) {
            unsigned char dir = m->dirs[nd->dir_off + l];
            if (pass ? dir == TR_DIR_UNSEEN : dir != TR_DIR_LEFT) continue;
            st = crm__buf_printf(b, "%s%zu", first ? "" : ",", l);
            first = 0;
        }
        if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

static crm_status write_tree(crm__buf *b, const tr_model *m)
{
    crm_status st = crm__buf_printf(b, "{\"nodes\":%zu", m->nnodes);
    static const char *const ik[] = {"left", "right", "feature", "flags"};
    static const char *const rk[] = {"threshold", "n", "weighted_n", "impurity"};
    for (int q = 0; st == CRM_OK && q < 4; q++)
        st = write_ints(b, ik[q], m, q);
    for (int q = 0; st == CRM_OK && q < 4; q++)
        st = write_reals(b, rk[q], m, q);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"value\":", 9);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->values, m->nvalues);
    for (int pass = 0; st == CRM_OK && pass < 2; pass++)
        st = write_dirs(b, m, pass);
    if (st == CRM_OK) st = crm__buf_append(b, "}", 1);
    return st;
}

static crm_status write_header(const fr_model *f, crm__buf *b)
{
    const tr_model *m = f->meta;
    size_t d = m->d;
    crm_status st = crm__tree_json_head(m, b);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"importances\":", 15);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->importances, d);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"permutation_importances\":", 27);
    if (st == CRM_OK) {
        if (!f->perm)
            st = crm__buf_append(b, "null", 4);
        else
            st = crm__json_write_numbers(b, f->perm, d);
    }
    if (st == CRM_OK)
        st = crm__buf_printf(b,
                             ",\"n_rows\":%.0f,\"mtry\":%d,\"mtry_rule\":%d,\"max_depth\":%d,"
                             "\"min_samples_split\":%lld,\"min_samples_leaf\":%lld,"
                             "\"sample_fraction\":",
                             f->n_rows, (int)f->mtry, (int)f->mtry_rule, (int)f->max_depth,
                             (long long)f->min_split, (long long)f->min_leaf);
    if (st == CRM_OK) st = crm__json_write_number(b, f->fraction);
    if (st == CRM_OK)
        st = crm__buf_printf(b,
                             ",\"replace\":%d,\"max_bins\":%d,\"class_weight\":%d,"
                             "\"seed\":\"%llu\",\"oob_rows\":%.0f,\"oob_error\":",
                             (int)f->replace, (int)f->max_bins, (int)f->class_weight,
                             (unsigned long long)f->seed, f->oob_rows);
    if (st == CRM_OK) st = crm__json_write_number(b, f->oob_error);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"oob_score\":", 13);
    if (st == CRM_OK) st = crm__json_write_number(b, f->oob_score);
    return st;
}

static crm_status fr_to_json_stream(const void *state, crm__buf *b,
                                    crm_status (*flush)(void *ctx, crm__buf *b), void *ctx)
{
    const fr_model *f = state;
    crm_status st = write_header(f, b);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"trees\":[", 10);
    for (size_t t = 0; st == CRM_OK && t < f->T; t++) {
        if (t) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = write_tree(b, &f->trees[t]);
        if (st == CRM_OK && flush) st = flush(ctx, b);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

static crm_status fr_to_json(const void *sp, crm__buf *b)
{
    return fr_to_json_stream(sp, b, NULL, NULL);
}

/* An array member of exactly n items. */
static crm_status get_arr(const crm__json *o, const char *key, const char *w, size_t n,
                          const crm__json **out)
{
    const crm__json *a = crm__json_get(o, key);
    if (!a || a->type != CRM__JSON_ARRAY || a->len != n)
        return crm__error(CRM_E_PARSE, "%s: \"%s\" must be an array of %zu items", w, key, n);
    *out = a;
    return CRM_OK;
}

/* The integer arrays of a tree: children (-1 or a later node), feature, flags. */
static crm_status read_tree_ints(tr_model *m, const crm__json *o, size_t nn, const char *w)
{
    static const char *const keys[] = {"left", "right", "feature", "flags"};
    for (int q = 0; q < 4; q++) {
        const crm__json *a = NULL;
        crm_status st = get_arr(o, keys[q], w, nn, &a);
        int64_t hi = q < 2 ? (int64_t)nn - 1 : q == 2 ? (int64_t)m->d - 1 : 7;
        for (size_t i = 0; st == CRM_OK && i < nn; i++) {
            int64_t v = 0;
            st = crm__json_int_at(a, i, w, keys[q], q < 3 ? -1 : 0, hi, &v);
            tr_node *nd = &m->nodes[i];
            if (q == 0) nd->left = (int32_t)v;
            if (q == 1) nd->right = (int32_t)v;
            if (q == 2) nd->feature = (int32_t)v;
            if (q == 3) {
                nd->missing_left = (int32_t)(v & 1);
                nd->unseen_left = (int32_t)((v >> 1) & 1);
                nd->missing_seen = (int32_t)((v >> 2) & 1);
            }
        }
        if (st != CRM_OK) return st;
    }
    return CRM_OK;
}

static crm_status read_tree_reals(tr_model *m, const crm__json *o, size_t nn, const char *w)
{
    static const char *const keys[] = {"threshold", "n", "weighted_n", "impurity"};
    static const double lo[] = {-INFINITY, 1.0, DBL_TRUE_MIN, -DBL_MAX};
    static const double hi[] = {INFINITY, 9007199254740992.0, DBL_MAX, DBL_MAX};
    for (int q = 0; q < 4; q++) {
        const crm__json *a = NULL;
        crm_status st = get_arr(o, keys[q], w, nn, &a);
        for (size_t i = 0; st == CRM_OK && i < nn; i++) {
            double v = 0.0;
            st = crm__json_real_at(a, i, w, keys[q], lo[q], hi[q], q == 0 ? CRM__JSON_NAN_OK : 0,
                                   &v);
            tr_node *nd = &m->nodes[i];
            if (q == 0) nd->threshold = v;
            if (q == 1) nd->n = floor(v);
            if (q == 2) nd->wn = v;
            if (q == 3) nd->impurity = v;
        }
        if (st != CRM_OK) return st;
    }
    return CRM_OK;
}

/* Structure: children after their parent, each reached once; depths. */
static crm_status link_tree(tr_model *m, size_t nn, const char *w)
{
    for (size_t i = 0; i < nn; i++)
        m->nodes[i].parent = -1;
    for (size_t i = 0; i < nn; i++) {
        tr_node *nd = &m->nodes[i];
        int leaf = nd->left < 0;
        if (leaf != (nd->right < 0) || leaf != (nd->feature < 0) ||
            (!leaf && ((size_t)nd->left <= i || (size_t)nd->right <= i)))
            return crm__error(CRM_E_PARSE, "%s: node %zu: inconsistent children", w, i);
        if (!leaf && !m->is_text[nd->feature] && isnan(nd->threshold))
            return crm__error(CRM_E_PARSE, "%s: node %zu: threshold is not a number", w, i);
        for (int side = 0; !leaf && side < 2; side++) {
            tr_node *ch = &m->nodes[side ? nd->right : nd->left];
            if (ch->parent >= 0)
                return crm__error(CRM_E_PARSE, "%s: node %zu: a child has two parents", w, i);
            ch->parent = (int32_t)i;
            ch->depth = nd->depth + 1;
        }
    }
    for (size_t i = 1; i < nn; i++)
        if (m->nodes[i].parent < 0)
            return crm__error(CRM_E_PARSE, "%s: node %zu is not reachable", w, i);
    return CRM_OK;
}

/* Direction tables of the text splits from "categories" and "seen". */
static crm_status read_tree_dirs(tr_model *m, const crm__json *o, size_t nn, const char *w)
{
    size_t ns = 0, ndirs = 0;
    for (size_t i = 0; i < nn; i++) {
        tr_node *nd = &m->nodes[i];
        if (nd->left < 0 || !m->is_text[nd->feature]) continue;
        nd->dir_off = ndirs;
        ndirs += m->nlev[nd->feature];
        ns++;
        if (ndirs > TR_MAX_DIRS)
            return crm__error(CRM_E_PARSE, "%s: the text splits need too large direction tables",
                              w);
    }
    const crm__json *cats = NULL, *seen = NULL;
    crm_status st = get_arr(o, "categories", w, ns, &cats);
    if (st == CRM_OK) st = get_arr(o, "seen", w, ns, &seen);
    if (st != CRM_OK) return st;
    m->dirs = crm__malloc(ndirs ? ndirs : 1);
    if (!m->dirs) return crm__nomem();
    m->ndirs = ndirs;
    size_t k = 0;
    for (size_t i = 0; i < nn; i++) {
        const tr_node *nd = &m->nodes[i];
        if (nd->left < 0 || !m->is_text[nd->feature]) continue;
        size_t nl = m->nlev[nd->feature];
        memset(m->dirs + nd->dir_off, TR_DIR_UNSEEN, nl);
        for (int pass = 0; pass < 2; pass++) {
            const crm__json *arr = pass ? &cats->items[k] : &seen->items[k];
            if (arr->type != CRM__JSON_ARRAY)
                return crm__error(CRM_E_PARSE, "%s: node %zu: bad category list", w, i);
            for (size_t q = 0; q < arr->len; q++) {
                double x;
                if (!crm__json_number(&arr->items[q], &x) || !(x >= 0 && x < (double)nl) ||
                    x != floor(x))
                    return crm__error(CRM_E_PARSE, "%s: node %zu: bad category index", w, i);
                m->dirs[nd->dir_off + (size_t)x] = pass ? TR_DIR_LEFT : TR_DIR_RIGHT;
            }
        }
        k++;
    }
    return CRM_OK;
}

static crm_status read_tree(tr_model *m, const crm__json *o, size_t t)
{
    char w[64];
    snprintf(w, sizeof w, "forest model JSON: tree %zu", t);
    if (o->type != CRM__JSON_OBJECT) return crm__error(CRM_E_PARSE, "%s is not an object", w);
    int64_t nn64 = 0;
    crm_status st = crm__json_get_int(o, "nodes", w, 1, 0x7FFFFFFF, &nn64);
    if (st != CRM_OK) return st;
    size_t nn = (size_t)nn64, vw = m->regression ? 1 : m->K;
    const crm__json *vals = crm__json_get(o, "value");
    if (!vals || vals->type != CRM__JSON_ARRAY || vals->len / vw != nn || vals->len % vw != 0)
        return crm__error(CRM_E_PARSE, "%s: \"value\" must hold %zu numbers per node", w, vw);
    m->nodes = crm__calloc(nn, sizeof *m->nodes);
    m->values = crm__malloc_array(nn * vw, sizeof *m->values);
    if (!m->nodes || !m->values) return crm__nomem();
    m->nnodes = nn;
    m->nvalues = nn * vw;
    st = crm__json_get_reals(o, "value", w, nn * vw, m->regression ? -DBL_MAX : 0.0, DBL_MAX, 0,
                             m->values);
    for (size_t i = 0; i < nn; i++)
        m->nodes[i].value_off = i * vw;
    if (st == CRM_OK) st = read_tree_ints(m, o, nn, w);
    if (st == CRM_OK) st = read_tree_reals(m, o, nn, w);
    if (st == CRM_OK) st = link_tree(m, nn, w);
    if (st == CRM_OK) st = read_tree_dirs(m, o, nn, w);
    return st;
}

/* "seed": a decimal string of a 64-bit unsigned integer. */
static crm_status read_seed(const crm__json *doc, const char *w, uint64_t *out)
{
    const char *s = NULL;
    crm_status st = crm__json_get_string(doc, "seed", w, &s);
    if (st != CRM_OK) return st;
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - dgt) / 10) break;
        v = v * 10 + dgt;
    }
    if (i == 0 || s[i] != '\0')
        return crm__error(CRM_E_PARSE, "%s: \"seed\" must be a decimal unsigned 64-bit integer", w);
    *out = v;
    return CRM_OK;
}

static crm_status read_settings(fr_model *f, const crm__json *doc, const char *w)
{
    size_t d = f->meta->d;
    int64_t v[10];
    static const char *const keys[] = {"n_rows",           "mtry",    "max_depth",
                                       "min_samples_split", "min_samples_leaf", "replace",
                                       "max_bins",         "class_weight", "oob_rows",
                                       "mtry_rule"};
    const int64_t lo[] = {1, 1, -1, 2, 1, 0, 0, 0, 0, 0};
    const int64_t hi[] = {0xFFFFFFF0LL,      (int64_t)d, INT32_MAX,    CRM__JSON_INT_MAX,
                          CRM__JSON_INT_MAX, 1,          TR_MAX_BINS, 1,
                          0xFFFFFFF0LL,      1};
    crm_status st = CRM_OK;
    for (int q = 0; st == CRM_OK && q < 10; q++)
        st = crm__json_get_int(doc, keys[q], w, lo[q], hi[q], &v[q]);
    if (st == CRM_OK && v[6] == 1)
        st = crm__error(CRM_E_PARSE, "%s: \"max_bins\" must be 0 or 2..%d (got 1)", w, TR_MAX_BINS);
    if (st != CRM_OK) return st;
    f->n_rows = (double)v[0];
    f->mtry = (int32_t)v[1];
    f->max_depth = (int32_t)v[2];
    f->min_split = v[3];
    f->min_leaf = v[4];
    f->replace = (int32_t)v[5];
    f->max_bins = (int32_t)v[6];
    f->class_weight = (int32_t)v[7];
    f->oob_rows = (double)v[8];
    f->mtry_rule = (int32_t)v[9];
    st = crm__json_get_real(doc, "sample_fraction", w, DBL_TRUE_MIN, f->replace ? 10.0 : 1.0, 0,
                            &f->fraction);
    if (st == CRM_OK)
        st = crm__json_get_real(doc, "oob_error", w, 0.0, DBL_MAX, CRM__JSON_NAN_OK,
                                &f->oob_error);
    if (st == CRM_OK)
        st = crm__json_get_real(doc, "oob_score", w, -DBL_MAX, 1.0, CRM__JSON_NAN_OK,
                                &f->oob_score);
    if (st == CRM_OK) st = read_seed(doc, w, &f->seed);
    return st;
}

static crm_status read_importances(fr_model *f, const crm__json *doc, const char *w)
{
    size_t d = f->meta->d;
    crm_status st = crm__json_get_reals(doc, "importances", w, d, -DBL_MAX, DBL_MAX, 0,
                                        f->meta->importances);
    const crm__json *p = crm__json_get(doc, "permutation_importances");
    if (st != CRM_OK || (p && p->type == CRM__JSON_NULL)) return st;
    f->perm = crm__malloc_array(d, sizeof *f->perm);
    if (!f->perm) return crm__nomem();
    return crm__json_get_reals(doc, "permutation_importances", w, d, -DBL_MAX, DBL_MAX,
                               CRM__JSON_NAN_OK, f->perm);
}

static crm_status fr_from_json(const crm__json *doc, void **state)
{
    const char *w = "forest model JSON";
    const crm__json *trees = crm__json_get(doc, "trees");
    if (!trees || trees->type != CRM__JSON_ARRAY || trees->len == 0 || trees->len > FR_MAX_TREES)
        return crm__error(CRM_E_PARSE, "%s: \"trees\" must be an array of 1..%d trees", w,
                          FR_MAX_TREES);
    fr_model *f = crm__calloc(1, sizeof *f);
    if (!f) return crm__nomem();
    crm_status st = crm__tree_json_read_head(doc, w, &f->meta);
    if (st == CRM_OK) st = read_importances(f, doc, w);
    if (st == CRM_OK) st = read_settings(f, doc, w);
    if (st == CRM_OK) {
        f->trees = crm__calloc(trees->len, sizeof *f->trees);
        if (!f->trees) st = crm__nomem();
    }
    if (st == CRM_OK) {
        f->T = trees->len;
        for (size_t t = 0; t < f->T; t++)
            crm__forest_tree_init(&f->trees[t], f->meta);
    }
    for (size_t t = 0; st == CRM_OK && t < f->T; t++)
        st = read_tree(&f->trees[t], &trees->items[t], t);
    if (st != CRM_OK) {
        crm__forest_free_state(f);
        return st;
    }
    *state = f;
    return CRM_OK;
}

const crm__model_vtable crm__forest_vtable = {
    CRM_MODEL_FOREST, "forest", crm__forest_free_state, fr_predict,   fr_summary,
    fr_stat_names,    fr_stat,  fr_to_json,             fr_from_json, fr_classes,
    fr_to_json_stream,
};

/* ---- public accessors ------------------------------------------------------------------- */

crm_status crm__forest_get(const crm_model *m, const char *w, const fr_model **out)
{
    if (!m) return crm__error(CRM_E_INVALID, "%s: model is NULL", w);
    if (m->vt != &crm__forest_vtable)
        return crm__error(CRM_E_TYPE, "%s: the model is a %s model, not a forest", w,
                          m->vt->json_kind);
    *out = m->state;
    return CRM_OK;
}

crm_status crm_forest_feature_importances(const crm_model *model, crm_dataset **out)
{
    const char *w = "crm_forest_feature_importances";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const fr_model *f = NULL;
    crm_status st = crm__forest_get(model, w, &f);
    if (st != CRM_OK) return st;
    size_t d = f->meta->d;
    double *perm = crm__malloc_array(d, sizeof *perm);
    if (!perm) return crm__nomem();
    for (size_t j = 0; j < d; j++)
        perm[j] = f->perm ? f->perm[j] : NAN;
    crm_dataset *t = NULL;
    st = crm_dataset_new(&t);
    if (st == CRM_OK)
        st = crm_dataset_add_text(t, "feature", (const char *const *)f->meta->names, d);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "importance", f->meta->importances, d);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "permutation", perm, d);
    crm__free(perm);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

static void *memdup(const void *p, size_t n)
{
    void *q = crm__malloc(n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

/* The model-wide members of a tree (names, classes, levels) copied from meta. */
static crm_status copy_meta(tr_model *m, const tr_model *meta)
{
    m->regression = meta->regression;
    m->criterion = meta->criterion;
    m->target_text = meta->target_text;
    m->positive = meta->positive;
    m->target = crm__strdup(meta->target);
    if (!m->target) return crm__nomem();
    for (size_t k = 0; k < meta->K; k++)
        if (!(m->classes[k] = crm__strdup(meta->classes[k]))) return crm__nomem();
    for (size_t j = 0; j < meta->d; j++) {
        if (!(m->names[j] = crm__strdup(meta->names[j]))) return crm__nomem();
        m->is_text[j] = meta->is_text[j];
        m->nlev[j] = meta->nlev[j];
        m->levels[j] = crm__calloc(meta->nlev[j] ? meta->nlev[j] : 1, sizeof *m->levels[j]);
        if (!m->levels[j]) return crm__nomem();
        for (size_t l = 0; l < meta->nlev[j]; l++)
            if (!(m->levels[j][l] = crm__strdup(meta->levels[j][l]))) return crm__nomem();
    }
    return CRM_OK;
}

crm_status crm_forest_tree(const crm_model *model, size_t tree, crm_model **out)
{
    const char *w = "crm_forest_tree";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const fr_model *f = NULL;
    crm_status st = crm__forest_get(model, w, &f);
    if (st != CRM_OK) return st;
    if (tree >= f->T)
        return crm__error(CRM_E_INVALID, "%s: tree %zu out of range (%zu trees)", w, tree, f->T);
    const tr_model *src = &f->trees[tree];
    tr_model *m = NULL;
    st = crm__tree_alloc(f->meta->d, f->meta->K, &m);
    if (st == CRM_OK) st = copy_meta(m, f->meta);
    if (st == CRM_OK) {
        m->nodes = memdup(src->nodes, src->nnodes * sizeof *src->nodes);
        m->values = memdup(src->values, src->nvalues * sizeof *src->values);
        m->dirs = memdup(src->dirs, src->ndirs);
        if (!m->nodes || !m->values || !m->dirs) st = crm__nomem();
    }
    if (st != CRM_OK) {
        crm__tree_free_state(m);
        return st;
    }
    m->nnodes = src->nnodes;
    m->nvalues = src->nvalues;
    m->ndirs = src->ndirs;
    m->n_rows = m->nodes[0].n;
    m->weighted_n = m->nodes[0].wn;
    m->max_bins = f->max_bins;
    crm__tree_importances(m);
    return crm__model_new(&crm__tree_vtable, m, out);
}

crm_status crm_forest_bag(const crm_model *model, size_t tree, crm_dataset **out)
{
    const char *w = "crm_forest_bag";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const fr_model *f = NULL;
    crm_status st = crm__forest_get(model, w, &f);
    if (st != CRM_OK) return st;
    if (tree >= f->T)
        return crm__error(CRM_E_INVALID, "%s: tree %zu out of range (%zu trees)", w, tree, f->T);
    size_t n = (size_t)f->n_rows;
    uint32_t *cnt = crm__malloc_array(n, sizeof *cnt);
    double *v = crm__malloc_array(n, sizeof *v);
    if (!cnt || !v) st = crm__nomem();
    crm_dataset *t = NULL;
    if (st == CRM_OK) {
        crm__forest_draw(f->seed, tree, n, f->fraction, f->replace, cnt);
        for (size_t i = 0; i < n; i++)
            v[i] = (double)cnt[i];
        st = crm_dataset_new(&t);
    }
    if (st == CRM_OK) st = crm_dataset_add_number(t, "count", v, n);
    crm__free(cnt);
    crm__free(v);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}
