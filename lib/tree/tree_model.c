/* The tree model kind "tree": prediction, node table, statistics, JSON,
 * feature importances and the text and Graphviz exports. */
#include "tree/tree_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void crm__tree_free_state(void *state)
{
    tr_model *m = state;
    if (!m) return;
    crm__free(m->target);
    if (m->classes)
        for (size_t k = 0; k < m->K; k++)
            crm__free(m->classes[k]);
    crm__free(m->classes);
    for (size_t j = 0; j < m->d; j++) {
        if (m->names) crm__free(m->names[j]);
        if (m->levels && m->levels[j]) {
            for (size_t l = 0; l < m->nlev[j]; l++)
                crm__free(m->levels[j][l]);
            crm__free(m->levels[j]);
        }
    }
    crm__free(m->names);
    crm__free(m->is_text);
    crm__free(m->nlev);
    crm__free(m->levels);
    crm__free(m->importances);
    crm__free(m->nodes);
    crm__free(m->dirs);
    crm__free(m->values);
    crm__free(m);
}

crm_status crm__tree_alloc(size_t d, size_t K, tr_model **out)
{
    *out = NULL;
    tr_model *m = crm__calloc(1, sizeof *m);
    if (!m) return crm__nomem();
    m->d = d;
    m->K = K;
    m->positive = -1;
    m->classes = crm__calloc(K ? K : 1, sizeof *m->classes);
    m->names = crm__calloc(d, sizeof *m->names);
    m->is_text = crm__calloc(d, sizeof *m->is_text);
    m->nlev = crm__calloc(d, sizeof *m->nlev);
    m->levels = crm__calloc(d, sizeof *m->levels);
    m->importances = crm__calloc(d, sizeof *m->importances);
    if (!m->classes || !m->names || !m->is_text || !m->nlev || !m->levels || !m->importances) {
        crm__tree_free_state(m);
        return crm__nomem();
    }
    *out = m;
    return CRM_OK;
}

static int go_left(const tr_model *m, const tr_node *nd, const float *num, const int32_t *code)
{
    size_t f = (size_t)nd->feature;
    if (m->is_text[f]) {
        int32_t c = code[f];
        if (c == -1) return nd->missing_left;
        if (c < 0) return nd->unseen_left;
        unsigned char dir = m->dirs[nd->dir_off + (size_t)c];
        return dir == TR_DIR_LEFT ? 1 : dir == TR_DIR_RIGHT ? 0 : nd->unseen_left;
    }
    float x = num[f];
    if (isnan(x)) return nd->missing_left;
    return (double)x <= nd->threshold;
}

size_t crm__tree_leaf(const tr_model *m, const float *num, const int32_t *code)
{
    size_t i = 0;
    while (m->nodes[i].left >= 0) {
        const tr_node *nd = &m->nodes[i];
        i = (size_t)(go_left(m, nd, num, code) ? nd->left : nd->right);
    }
    return i;
}

size_t crm__tree_argmax(const tr_model *m, const tr_node *nd)
{
    const double *v = m->values + nd->value_off;
    size_t b = 0;
    for (size_t k = 1; k < m->K; k++)
        if (v[k] > v[b]) b = k;
    return b;
}

void crm__tree_importances(tr_model *m)
{
    double *imp = m->importances;
    for (size_t j = 0; j < m->d; j++)
        imp[j] = 0.0;
    for (size_t i = 0; i < m->nnodes; i++) {
        const tr_node *nd = &m->nodes[i];
        if (nd->left < 0) continue;
        const tr_node *l = &m->nodes[nd->left], *r = &m->nodes[nd->right];
        imp[nd->feature] += nd->wn * nd->impurity - l->wn * l->impurity - r->wn * r->impurity;
    }
    double sum = 0.0;
    for (size_t j = 0; j < m->d; j++) {
        imp[j] /= m->nodes[0].wn;
        sum += imp[j];
    }
    if (sum > 0.0)
        for (size_t j = 0; j < m->d; j++)
            imp[j] /= sum;
}

static size_t tree_depth(const tr_model *m)
{
    int32_t dmax = 0;
    for (size_t i = 0; i < m->nnodes; i++)
        if (m->nodes[i].depth > dmax) dmax = m->nodes[i].depth;
    return (size_t)dmax;
}

static size_t tree_leaves(const tr_model *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->nnodes; i++)
        k += m->nodes[i].left < 0;
    return k;
}

static double leaf_impurity(const tr_model *m)
{
    double s = 0.0;
    for (size_t i = 0; i < m->nnodes; i++)
        if (m->nodes[i].left < 0) s += m->nodes[i].wn * m->nodes[i].impurity / m->nodes[0].wn;
    return s;
}

/* ---- predict -------------------------------------------------------------------------------- */

crm_status crm__tree_bind(const tr_model *m, const crm_dataset *ds, const char *w,
                          const crm__column ***cols_out, int32_t ***lmap_out)
{
    size_t d = m->d;
    *cols_out = NULL;
    *lmap_out = NULL;
    const crm__column **cols = crm__calloc(d, sizeof *cols);
    int32_t **lmap = crm__calloc(d, sizeof *lmap);
    crm_status st = CRM_OK;
    if (!cols || !lmap) st = crm__nomem();
    for (size_t j = 0; st == CRM_OK && j < d; j++) {
        size_t ci;
        st = crm__dataset_find(ds, m->names[j], &ci);
        if (st != CRM_OK) {
            st = crm__error(st, "%s: the model's feature column \"%s\" is not in the dataset", w,
                            m->names[j]);
            break;
        }
        const crm__column *c = &ds->cols[ci];
        int32_t want = m->is_text[j] ? CRM_TYPE_TEXT : CRM_TYPE_NUMBER;
        if (c->type != want) {
            st = crm__error(CRM_E_TYPE,
                            "%s: feature \"%s\" is a %s column; the model was fitted "
                            "on a %s column",
                            w, m->names[j], crm__type_name(c->type), crm__type_name(want));
            break;
        }
        cols[j] = c;
        if (!m->is_text[j]) continue;
        size_t nd = c->dict->n;
        lmap[j] = crm__malloc_array(nd ? nd : 1, sizeof *lmap[j]);
        if (!lmap[j]) {
            st = crm__nomem();
            break;
        }
        for (size_t k = 0; k < nd; k++)
            lmap[j][k] = -2; /* unseen */
        for (size_t l = 0; l < m->nlev[j]; l++) {
            const char *lv = m->levels[j][l];
            int32_t dc = crm__dict_find(c->dict, lv, strlen(lv));
            if (dc >= 0) lmap[j][dc] = (int32_t)l;
        }
    }
    if (st != CRM_OK) {
        crm__tree_unbind(m, cols, lmap);
        return st;
    }
    *cols_out = cols;
    *lmap_out = lmap;
    return CRM_OK;
}

void crm__tree_unbind(const tr_model *m, const crm__column **cols, int32_t **lmap)
{
    if (lmap)
        for (size_t j = 0; j < m->d; j++)
            crm__free(lmap[j]);
    crm__free(lmap);
    crm__free(cols);
}

size_t crm__tree_walk(const tr_model *m, const crm__column *const *cols, int32_t *const *lmap,
                      size_t r)
{
    return crm__tree_walk_swap(m, cols, lmap, r, SIZE_MAX, 0);
}

size_t crm__tree_walk_swap(const tr_model *m, const crm__column *const *cols,
                           int32_t *const *lmap, size_t row, size_t jf, size_t rj)
{
    /* walk the tree reading only the features on the path */
    size_t i = 0;
    while (m->nodes[i].left >= 0) {
        const tr_node *t = &m->nodes[i];
        size_t f = (size_t)t->feature;
        size_t r = f == jf ? rj : row;
        int left;
        if (m->is_text[f]) {
            int32_t cd = cols[f]->v.code[r];
            int32_t c = cd < 0 ? -1 : lmap[f][cd];
            if (c == -1)
                left = t->missing_left;
            else if (c < 0)
                left = t->unseen_left;
            else {
                unsigned char dir = m->dirs[t->dir_off + (size_t)c];
                left = dir == TR_DIR_LEFT ? 1 : dir == TR_DIR_RIGHT ? 0 : t->unseen_left;
            }
        } else {
            float x = (float)cols[f]->v.num[r];
            left = isnan(x) ? t->missing_left : (double)x <= t->threshold;
        }
        i = (size_t)(left ? t->left : t->right);
    }
    return i;
}

static crm_status tr_predict(const void *sp, crm_dataset *ds, const char *out_col)
{
    const tr_model *m = sp;
    const char *w = "crm_model_predict";
    char *pname = NULL;
    crm_status st = crm__dataset_prediction_names(ds, out_col, !m->regression, w, &pname);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows;
    const crm__column **cols = NULL;
    int32_t **lmap = NULL;
    double *res = crm__malloc_array(n, sizeof *res);
    double *proba = m->regression ? NULL : crm__malloc_array(n, sizeof *proba);
    const char **labels =
        (!m->regression && m->target_text) ? crm__malloc_array(n ? n : 1, sizeof *labels) : NULL;
    if (!res || (!m->regression && !proba) || (!m->regression && m->target_text && !labels)) {
        st = crm__nomem();
        goto done;
    }
    st = crm__tree_bind(m, ds, w, &cols, &lmap);
    if (st != CRM_OK) goto done;
    for (size_t r = 0; r < n; r++) {
        const tr_node *nd = &m->nodes[crm__tree_walk(m, cols, lmap, r)];
        if (m->regression) {
            res[r] = m->values[nd->value_off];
        } else {
            size_t k = crm__tree_argmax(m, nd);
            proba[r] = m->values[nd->value_off + k] / nd->wn;
            if (labels)
                labels[r] = m->classes[k];
            else
                res[r] = strcmp(m->classes[k], "1") == 0 ? 1.0 : 0.0;
        }
    }
    if (labels)
        st = crm_dataset_add_text(ds, out_col, labels, n);
    else {
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
done:
    crm__tree_unbind(m, cols, lmap);
    crm__free(res);
    crm__free(proba);
    crm__free(labels);
    crm__free(pname);
    return st;
}

/* ---- text helpers -----------------------------------------------------------------------------
 */

/* Append the categories of node nd going in direction dir, joined by sep. */
static crm_status cats_text(crm__buf *b, const tr_model *m, const tr_node *nd, unsigned char dir,
                            const char *sep)
{
    size_t f = (size_t)nd->feature;
    int first = 1;
    crm_status st = CRM_OK;
    for (size_t l = 0; st == CRM_OK && l < m->nlev[f]; l++) {
        if (m->dirs[nd->dir_off + l] != dir) continue;
        if (!first) st = crm__buf_printf(b, "%s", sep);
        if (st == CRM_OK) st = crm__buf_printf(b, "%s", m->levels[f][l]);
        first = 0;
    }
    return st;
}

/* ---- summary ----------------------------------------------------------------------------------
 */

static crm_status tr_summary(const void *sp, crm_dataset **out)
{
    const tr_model *m = sp;
    size_t nn = m->nnodes;
    enum { NUMC = 12 };
    static const char *const numname[NUMC] = {"node",      "parent",       "depth",    "is_leaf",
                                              "threshold", "missing_left", "left",     "right",
                                              "n",         "weighted_n",   "impurity", "proba"};
    double *v = crm__malloc_array(nn * NUMC, sizeof *v);
    const char **feat = crm__calloc(nn, sizeof *feat);
    char **cats = crm__calloc(nn, sizeof *cats);
    const char **val = crm__calloc(nn, sizeof *val);
    crm_dataset *t = NULL;
    crm_status st = CRM_OK;
    if (!v || !feat || !cats || !val) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < nn; i++) {
        const tr_node *nd = &m->nodes[i];
        int leaf = nd->left < 0;
        double *r = v;
        r[0 * nn + i] = (double)i;
        r[1 * nn + i] = (double)nd->parent;
        r[2 * nn + i] = (double)nd->depth;
        r[3 * nn + i] = (double)leaf;
        r[4 * nn + i] = (!leaf && !m->is_text[nd->feature]) ? nd->threshold : NAN;
        r[5 * nn + i] = leaf ? NAN : (double)nd->missing_left;
        r[6 * nn + i] = (double)nd->left;
        r[7 * nn + i] = (double)nd->right;
        r[8 * nn + i] = nd->n;
        r[9 * nn + i] = nd->wn;
        r[10 * nn + i] = nd->impurity;
        if (m->regression) {
            r[11 * nn + i] = m->values[nd->value_off];
        } else {
            size_t k = crm__tree_argmax(m, nd);
            r[11 * nn + i] = m->values[nd->value_off + k] / nd->wn;
            val[i] = m->classes[k];
        }
        if (!leaf) {
            feat[i] = m->names[nd->feature];
            if (m->is_text[nd->feature]) {
                crm__buf b = {NULL, 0, 0};
                st = cats_text(&b, m, nd, TR_DIR_LEFT, ", ");
                if (st == CRM_OK) st = crm__buf_reserve(&b, 0);
                if (st != CRM_OK) {
                    crm__buf_free(&b);
                    goto done;
                }
                b.data[b.len] = '\0';
                cats[i] = b.data;
            }
        }
    }
    st = crm_dataset_new(&t);
    for (size_t c = 0; st == CRM_OK && c < 4; c++)
        st = crm_dataset_add_number(t, numname[c], v + c * nn, nn);
    if (st == CRM_OK) st = crm_dataset_add_text(t, "feature", feat, nn);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "threshold", v + 4 * nn, nn);
    if (st == CRM_OK) st = crm_dataset_add_text(t, "categories", (const char *const *)cats, nn);
    for (size_t c = 5; st == CRM_OK && c < 11; c++)
        st = crm_dataset_add_number(t, numname[c], v + c * nn, nn);
    if (st == CRM_OK) st = crm_dataset_add_text(t, "value", val, nn);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "proba", v + 11 * nn, nn);
done:
    if (cats)
        for (size_t i = 0; i < nn; i++)
            crm__free(cats[i]);
    crm__free(cats);
    crm__free(v);
    crm__free(feat);
    crm__free(val);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

/* ---- statistics ------------------------------------------------------------------------------ */

static const char *const tr_stat_names[] = {
    "depth",          "leaves",   "nodes",     "n_features", "n_classes",  "n_rows", "weighted_n",
    "train_accuracy", "impurity", "ccp_alpha", "max_bins",   "regression", NULL};

static double tr_stat(const void *sp, size_t i)
{
    const tr_model *m = sp;
    switch (i) {
    case 0:
        return (double)tree_depth(m);
    case 1:
        return (double)tree_leaves(m);
    case 2:
        return (double)m->nnodes;
    case 3:
        return (double)m->d;
    case 4:
        return (double)m->K;
    case 5:
        return m->n_rows;
    case 6:
        return m->weighted_n;
    case 7:
        return m->train_score;
    case 8:
        return leaf_impurity(m);
    case 9:
        return m->ccp_alpha;
    case 10:
        return m->max_bins;
    default:
        return m->regression;
    }
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static const char *crit_name(int32_t c)
{
    return c == CRM_TREE_ENTROPY ? "entropy" : c == CRM_TREE_MSE ? "mse" : "gini";
}

crm_status crm__tree_json_head(const tr_model *m, crm__buf *b)
{
    crm_status st =
        crm__buf_printf(b, ",\"task\":\"%s\",\"criterion\":\"%s\",\"target\":",
                        m->regression ? "regression" : "classification", crit_name(m->criterion));
    if (st == CRM_OK) st = crm__json_write_string(b, m->target);
    if (st == CRM_OK)
        st = crm__buf_printf(b, ",\"target_text\":%s,\"positive\":%d,\"classes\":",
                             m->target_text ? "true" : "false", (int)m->positive);
    if (st == CRM_OK) st = crm__json_write_strings(b, m->classes, m->K);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"features\":[", 13);
    for (size_t j = 0; st == CRM_OK && j < m->d; j++) {
        if (j) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__buf_append(b, "{\"name\":", 8);
        if (st == CRM_OK) st = crm__json_write_string(b, m->names[j]);
        if (st == CRM_OK)
            st = crm__buf_printf(b, ",\"text\":%s}", m->is_text[j] ? "true" : "false");
    }
    if (st == CRM_OK) st = crm__buf_append(b, "],\"levels\":[", 12);
    for (size_t j = 0; st == CRM_OK && j < m->d; j++) {
        if (j) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_strings(b, m->levels[j], m->nlev[j]);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

static crm_status tr_to_json(const void *sp, crm__buf *b)
{
    const tr_model *m = sp;
    crm_status st = crm__tree_json_head(m, b);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"importances\":", 15);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->importances, m->d);
    static const char *const keys[] = {"n_rows", "weighted_n", "ccp_alpha", "max_bins",
                                       "train_score"};
    const double vals[] = {m->n_rows, m->weighted_n, m->ccp_alpha, m->max_bins, m->train_score};
    for (size_t i = 0; st == CRM_OK && i < 5; i++) {
        st = crm__buf_printf(b, ",\"%s\":", keys[i]);
        if (st == CRM_OK) st = crm__json_write_number(b, vals[i]);
    }
    if (st == CRM_OK) st = crm__buf_append(b, ",\"nodes\":[", 10);
    size_t vw = m->regression ? 1 : m->K;
    for (size_t i = 0; st == CRM_OK && i < m->nnodes; i++) {
        const tr_node *nd = &m->nodes[i];
        if (i) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK)
            st = crm__buf_printf(b, "{\"left\":%d,\"right\":%d,\"feature\":%d,\"threshold\":",
                                 (int)nd->left, (int)nd->right, (int)nd->feature);
        if (st == CRM_OK) st = crm__json_write_number(b, nd->threshold);
        if (st == CRM_OK && nd->left >= 0 && m->is_text[nd->feature]) {
            for (int pass = 0; st == CRM_OK && pass < 2; pass++) {
                st = crm__buf_append(b, pass ? ",\"seen\":[" : ",\"categories\":[", pass ? 9 : 15);
                int first = 1;
                for (size_t l = 0; st == CRM_OK && l < m->nlev[nd->feature]; l++) {
                    unsigned char dir = m->dirs[nd->dir_off + l];
                    if (pass ? dir == TR_DIR_UNSEEN : dir != TR_DIR_LEFT) continue;
                    st = crm__buf_printf(b, "%s%zu", first ? "" : ",", l);
                    first = 0;
                }
                if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
            }
        }
        if (st == CRM_OK)
            st = crm__buf_printf(b,
                                 ",\"missing_left\":%s,\"unseen_left\":%s,\"missing_seen\":%s,"
                                 "\"n\":",
                                 nd->missing_left ? "true" : "false",
                                 nd->unseen_left ? "true" : "false",
                                 nd->missing_seen ? "true" : "false");
        if (st == CRM_OK) st = crm__json_write_number(b, nd->n);
        if (st == CRM_OK) st = crm__buf_append(b, ",\"weighted_n\":", 14);
        if (st == CRM_OK) st = crm__json_write_number(b, nd->wn);
        if (st == CRM_OK) st = crm__buf_append(b, ",\"impurity\":", 12);
        if (st == CRM_OK) st = crm__json_write_number(b, nd->impurity);
        if (st == CRM_OK) st = crm__buf_append(b, ",\"value\":", 9);
        if (st == CRM_OK) st = crm__json_write_numbers(b, m->values + nd->value_off, vw);
        if (st == CRM_OK) st = crm__buf_append(b, "}", 1);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

static crm_status read_strings(const crm__json *a, char **out, const char *w, const char *key)
{
    for (size_t i = 0; i < a->len; i++) {
        if (a->items[i].type != CRM__JSON_STRING)
            return crm__error(CRM_E_PARSE, "%s: \"%s\"[%zu] is not a string", w, key, i);
        out[i] = crm__strdup(a->items[i].str);
        if (!out[i]) return crm__nomem();
    }
    return CRM_OK;
}

static int json_bool(const crm__json *o, const char *key, int *out)
{
    const crm__json *v = crm__json_get(o, key);
    if (!v || (v->type != CRM__JSON_TRUE && v->type != CRM__JSON_FALSE)) return 0;
    *out = v->type == CRM__JSON_TRUE;
    return 1;
}

/* Index member in -1..n-1 (n <= INT32_MAX). */
static crm_status json_index(const crm__json *o, const char *key, const char *what, size_t n,
                             int32_t *out)
{
    return crm__json_get_i32(o, key, what, -1, (int32_t)n - 1, out);
}

/* The task (regression or classification) and criterion named in a tree model document. */
static crm_status parse_kind(const char *task, const char *crit, const char *w, int *regression,
                             int32_t *criterion)
{
    *regression = strcmp(task, "regression") == 0;
    if (!*regression && strcmp(task, "classification") != 0)
        return crm__error(CRM_E_PARSE, "%s: unknown task \"%s\"", w, task);
    *criterion = strcmp(crit, "gini") == 0      ? CRM_TREE_GINI
                 : strcmp(crit, "entropy") == 0 ? CRM_TREE_ENTROPY
                 : strcmp(crit, "mse") == 0     ? CRM_TREE_MSE
                                                : 0;
    if (!*criterion) return crm__error(CRM_E_PARSE, "%s: unknown criterion \"%s\"", w, crit);
    return CRM_OK;
}

/* The target: its name, whether it was text, the positive class and the classes. */
static crm_status read_target(tr_model *m, const crm__json *doc, const char *target,
                              const crm__json *cls, const char *w)
{
    crm_status st = CRM_OK;
    m->target = crm__strdup(target);
    if (!m->target) st = crm__nomem();
    int tt = 0;
    if (st == CRM_OK) st = crm__json_get_bool(doc, "target_text", w, &tt);
    m->target_text = tt;
    /* -1 or a class index (none for regression); checked before it is converted */
    if (st == CRM_OK && m->K > INT32_MAX) st = crm__error(CRM_E_PARSE, "%s: too many classes", w);
    if (st == CRM_OK) st = json_index(doc, "positive", w, m->K, &m->positive);
    if (st == CRM_OK && !m->regression) st = read_strings(cls, m->classes, w, "classes");
    return st;
}

/* The features: names, kinds, and the levels of the text features. */
static crm_status read_features(tr_model *m, const crm__json *feat, const crm__json *lev,
                                const char *w)
{
    for (size_t j = 0; j < m->d; j++) {
        const crm__json *f = &feat->items[j];
        const crm__json *nm = crm__json_get(f, "name");
        int text = 0;
        if (!nm || nm->type != CRM__JSON_STRING || nm->len == 0 || !json_bool(f, "text", &text))
            return crm__error(CRM_E_PARSE, "%s: \"features\"[%zu] must be {\"name\", \"text\"}",
                              w, j);
        m->names[j] = crm__strdup(nm->str);
        if (!m->names[j]) return crm__nomem();
        m->is_text[j] = text;
        const crm__json *lv = &lev->items[j];
        if (lv->type != CRM__JSON_ARRAY || (!text && lv->len != 0))
            return crm__error(CRM_E_PARSE, "%s: \"levels\"[%zu] is not a valid array", w, j);
        m->levels[j] = crm__calloc(lv->len ? lv->len : 1, sizeof *m->levels[j]);
        if (!m->levels[j]) return crm__nomem();
        m->nlev[j] = lv->len;
        crm_status st = read_strings(lv, m->levels[j], w, "levels");
        if (st != CRM_OK) return st;
    }
    return CRM_OK;
}

/* The model-wide numbers: importances, row counts, ccp_alpha, max_bins, train_score. */
static crm_status read_scalars(tr_model *m, const crm__json *doc, const char *w)
{
    /* (impurity decreases: finite, a rounding below 0 possible) */
    crm_status st =
        crm__json_get_reals(doc, "importances", w, m->d, -DBL_MAX, DBL_MAX, 0, m->importances);
    int64_t iv = 0;
    if (st == CRM_OK) st = crm__json_get_int(doc, "n_rows", w, 1, CRM__JSON_INT_MAX, &iv);
    m->n_rows = (double)iv;
    if (st == CRM_OK)
        st = crm__json_get_real(doc, "weighted_n", w, DBL_TRUE_MIN, DBL_MAX, 0, &m->weighted_n);
    if (st == CRM_OK) st = crm__json_get_real(doc, "ccp_alpha", w, 0.0, DBL_MAX, 0, &m->ccp_alpha);
    if (st == CRM_OK) st = crm__json_get_int(doc, "max_bins", w, 0, TR_MAX_BINS, &iv);
    if (st == CRM_OK && iv == 1)
        st = crm__error(CRM_E_PARSE, "%s: \"max_bins\" must be 0 or 2..%d (got 1)", w, TR_MAX_BINS);
    m->max_bins = (double)iv;
    /* training accuracy, or the training R^2 (at most 1) */
    if (st == CRM_OK)
        st = crm__json_get_real(doc, "train_score", w, m->regression ? -DBL_MAX : 0.0, 1.0, 0,
                                &m->train_score);
    return st;
}

/* The members of node i of nn (its value: vw numbers); a text split takes the next
 * directions of the table (*ndirs counts them). */
static crm_status read_node(tr_model *m, const crm__json *o, size_t i, size_t nn, size_t vw,
                            size_t *ndirs, const char *w)
{
    tr_node *nd = &m->nodes[i];
    char wn[64];
    snprintf(wn, sizeof wn, "%s: node %zu", w, i);
    int ml = 0, ul = 0, ms = 0;
    if (o->type != CRM__JSON_OBJECT) return crm__error(CRM_E_PARSE, "%s is not an object", wn);
    crm_status st = json_index(o, "left", wn, nn, &nd->left);
    if (st == CRM_OK) st = json_index(o, "right", wn, nn, &nd->right);
    if (st == CRM_OK) st = json_index(o, "feature", wn, m->d, &nd->feature);
    if (st == CRM_OK) st = crm__json_get_bool(o, "missing_left", wn, &ml);
    if (st == CRM_OK) st = crm__json_get_bool(o, "unseen_left", wn, &ul);
    if (st == CRM_OK) st = crm__json_get_bool(o, "missing_seen", wn, &ms);
    nd->missing_left = ml;
    nd->unseen_left = ul;
    nd->missing_seen = ms;
    nd->parent = -1;
    /* (+-inf: every value goes one way; NaN for leaves and text splits) */
    if (st == CRM_OK)
        st = crm__json_get_real(o, "threshold", wn, -INFINITY, INFINITY, CRM__JSON_NAN_OK,
                                &nd->threshold);
    int64_t iv = 0;
    if (st == CRM_OK) st = crm__json_get_int(o, "n", wn, 1, CRM__JSON_INT_MAX, &iv);
    nd->n = (double)iv;
    if (st == CRM_OK)
        st = crm__json_get_real(o, "weighted_n", wn, DBL_TRUE_MIN, DBL_MAX, 0, &nd->wn);
    /* (an impurity may round to just below 0) */
    if (st == CRM_OK)
        st = crm__json_get_real(o, "impurity", wn, -DBL_MAX, DBL_MAX, 0, &nd->impurity);
    /* class weights (>= 0), or the mean of a regression leaf */
    if (st == CRM_OK)
        st = crm__json_get_reals(o, "value", wn, vw, m->regression ? -DBL_MAX : 0.0, DBL_MAX, 0,
                                 m->values + i * vw);
    nd->value_off = i * vw;
    if (st != CRM_OK) return st;
    int leaf = nd->left < 0;
    if (leaf != (nd->right < 0) || leaf != (nd->feature < 0) ||
        (!leaf && ((size_t)nd->left <= i || (size_t)nd->right <= i)))
        return crm__error(CRM_E_PARSE, "%s: node %zu: inconsistent children", w, i);
    if (!leaf && m->is_text[nd->feature]) {
        nd->dir_off = *ndirs;
        *ndirs += m->nlev[nd->feature];
        if (*ndirs > TR_MAX_DIRS)
            return crm__error(CRM_E_PARSE,
                              "%s: the text splits need more than %zu MiB of direction tables "
                              "(text-split nodes times their feature's levels; node %zu)",
                              w, TR_MAX_DIRS >> 20, i);
    } else if (!leaf && isnan(nd->threshold)) {
        return crm__error(CRM_E_PARSE, "%s: node %zu: threshold is not a number", w, i);
    }
    return CRM_OK;
}

/* First pass over the nodes: each node's own members (values vw wide), then the direction
 * table of the text splits. */
static crm_status read_nodes(tr_model *m, const crm__json *nodes, size_t vw, const char *w)
{
    size_t nn = nodes->len, ndirs = 0;
    m->nodes = crm__calloc(nn, sizeof *m->nodes);
    m->values = crm__malloc_array(nn * vw, sizeof *m->values);
    if (!m->nodes || !m->values) return crm__nomem();
    if (m->d > INT32_MAX) return crm__error(CRM_E_PARSE, "%s: too many features", w);
    for (size_t i = 0; i < nn; i++) {
        crm_status st = read_node(m, &nodes->items[i], i, nn, vw, &ndirs, w);
        if (st != CRM_OK) return st;
    }
    m->dirs = crm__malloc(ndirs ? ndirs : 1);
    m->ndirs = ndirs;
    if (!m->dirs) return crm__nomem();
    return CRM_OK;
}

/* The directions of the text split of node i (document o): "categories" go left, the other
 * "seen" ones right, the rest are unseen. */
static crm_status read_dirs(tr_model *m, const crm__json *o, size_t i, const char *w)
{
    const tr_node *nd = &m->nodes[i];
    size_t nl = m->nlev[nd->feature];
    memset(m->dirs + nd->dir_off, TR_DIR_UNSEEN, nl);
    const crm__json *seen = crm__json_get(o, "seen");
    const crm__json *cats = crm__json_get(o, "categories");
    if (!seen || seen->type != CRM__JSON_ARRAY || !cats || cats->type != CRM__JSON_ARRAY)
        return crm__error(CRM_E_PARSE, "%s: node %zu: \"categories\" and \"seen\" needed", w, i);
    for (int pass = 0; pass < 2; pass++) {
        const crm__json *arr = pass ? cats : seen;
        for (size_t q = 0; q < arr->len; q++) {
            double x;
            if (!crm__json_number(&arr->items[q], &x) || !(x >= 0 && x < (double)nl) ||
                x != floor(x))
                return crm__error(CRM_E_PARSE, "%s: node %zu: bad category index", w, i);
            m->dirs[nd->dir_off + (size_t)x] = pass ? TR_DIR_LEFT : TR_DIR_RIGHT;
        }
    }
    return CRM_OK;
}

/* Second pass: parents and depths (each child exactly once, every node but the root
 * reached) and the directions of the text splits. */
static crm_status link_nodes(tr_model *m, const crm__json *nodes, const char *w)
{
    size_t nn = nodes->len;
    for (size_t i = 0; i < nn; i++) {
        tr_node *nd = &m->nodes[i];
        if (nd->left < 0) continue;
        for (int side = 0; side < 2; side++) {
            tr_node *ch = &m->nodes[side ? nd->right : nd->left];
            if (ch->parent >= 0)
                return crm__error(CRM_E_PARSE, "%s: node %zu: a child has two parents", w, i);
            ch->parent = (int32_t)i;
            ch->depth = nd->depth + 1;
        }
        if (!m->is_text[nd->feature]) continue;
        crm_status st = read_dirs(m, &nodes->items[i], i, w);
        if (st != CRM_OK) return st;
    }
    for (size_t i = 1; i < nn; i++)
        if (m->nodes[i].parent < 0)
            return crm__error(CRM_E_PARSE, "%s: node %zu is not reachable", w, i);
    return CRM_OK;
}

crm_status crm__tree_json_read_head(const crm__json *doc, const char *w, tr_model **out)
{
    *out = NULL;
    const char *task, *crit, *target;
    crm_status st = crm__json_get_string(doc, "task", w, &task);
    if (st == CRM_OK) st = crm__json_get_string(doc, "criterion", w, &crit);
    if (st == CRM_OK) st = crm__json_get_string(doc, "target", w, &target);
    if (st != CRM_OK) return st;
    int regression = 0;
    int32_t criterion = 0;
    st = parse_kind(task, crit, w, &regression, &criterion);
    if (st != CRM_OK) return st;
    const crm__json *cls = crm__json_get(doc, "classes");
    const crm__json *feat = crm__json_get(doc, "features");
    const crm__json *lev = crm__json_get(doc, "levels");
    if (!cls || cls->type != CRM__JSON_ARRAY || !feat || feat->type != CRM__JSON_ARRAY ||
        feat->len == 0 || !lev || lev->type != CRM__JSON_ARRAY || lev->len != feat->len)
        return crm__error(CRM_E_PARSE,
                          "%s: \"classes\", \"features\" and \"levels\" must be arrays "
                          "(features and levels non-empty, of equal length)",
                          w);
    size_t K = regression ? 0 : cls->len, d = feat->len;
    if (!regression && K == 0) return crm__error(CRM_E_PARSE, "%s: no classes", w);
    tr_model *m = NULL;
    st = crm__tree_alloc(d, K, &m);
    if (st != CRM_OK) return st;
    m->regression = regression;
    m->criterion = criterion;
    st = read_target(m, doc, target, cls, w);
    if (st == CRM_OK) st = read_features(m, feat, lev, w);
    if (st != CRM_OK) {
        crm__tree_free_state(m);
        return st;
    }
    *out = m;
    return CRM_OK;
}

static crm_status tr_from_json(const crm__json *doc, void **state)
{
    const char *w = "tree model JSON";
    const crm__json *nodes = crm__json_get(doc, "nodes");
    if (!nodes || nodes->type != CRM__JSON_ARRAY || nodes->len == 0)
        return crm__error(CRM_E_PARSE, "%s: \"nodes\" must be a non-empty array", w);
    size_t nn = nodes->len;
    if (nn > 0x7FFFFFFF) return crm__error(CRM_E_PARSE, "%s: too many nodes", w);
    tr_model *m = NULL;
    crm_status st = crm__tree_json_read_head(doc, w, &m);
    if (st != CRM_OK) return st;
    size_t vw = m->regression ? 1 : m->K;
    st = read_scalars(m, doc, w);
    if (st == CRM_OK) st = read_nodes(m, nodes, vw, w);
    if (st == CRM_OK) st = link_nodes(m, nodes, w);
    if (st != CRM_OK) {
        crm__tree_free_state(m);
        return st;
    }
    m->nnodes = nn;
    m->nvalues = nn * vw;
    *state = m;
    return CRM_OK;
}

/* The class labels of a tree classifier on a text target (none otherwise). */
static size_t tr_classes(const void *sp, char *const **labels)
{
    const tr_model *m = sp;
    *labels = m->classes;
    return m->target_text && !m->regression ? m->K : 0;
}

const crm__model_vtable crm__tree_vtable = {
    CRM_MODEL_TREE, "tree",  crm__tree_free_state, tr_predict,   tr_summary,
    tr_stat_names,  tr_stat, tr_to_json,           tr_from_json, tr_classes,
    NULL, /* to_json_stream: written whole */
};

/* ---- public accessors ------------------------------------------------------------------- */

static crm_status get_tree(const crm_model *m, const char *w, const tr_model **out)
{
    if (!m) return crm__error(CRM_E_INVALID, "%s: model is NULL", w);
    if (m->vt != &crm__tree_vtable)
        return crm__error(CRM_E_TYPE, "%s: the model is a %s model, not a tree", w,
                          m->vt->json_kind);
    *out = m->state;
    return CRM_OK;
}

crm_status crm_tree_feature_importances(const crm_model *model, crm_dataset **out)
{
    const char *w = "crm_tree_feature_importances";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const tr_model *m = NULL;
    crm_status st = get_tree(model, w, &m);
    if (st != CRM_OK) return st;
    crm_dataset *t = NULL;
    st = crm_dataset_new(&t);
    if (st == CRM_OK) st = crm_dataset_add_text(t, "feature", (const char *const *)m->names, m->d);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "importance", m->importances, m->d);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

static crm_status num_text(crm__buf *b, double v)
{
    return crm__buf_printf(b, "%.6g", v);
}

/* Condition of the branch `left` of node nd. */
static crm_status cond_text(crm__buf *b, const tr_model *m, const tr_node *nd, int left)
{
    size_t f = (size_t)nd->feature;
    crm_status st = crm__buf_printf(b, "%s", m->names[f]);
    if (m->is_text[f]) {
        if (st == CRM_OK) st = crm__buf_append(b, " in {", 5);
        if (st == CRM_OK) st = cats_text(b, m, nd, left ? TR_DIR_LEFT : TR_DIR_RIGHT, ", ");
        if (st == CRM_OK) st = crm__buf_append(b, "}", 1);
    } else if (isinf(nd->threshold)) {
        if (st == CRM_OK) st = crm__buf_printf(b, left ? " is present" : " is missing");
        return st;
    } else {
        if (st == CRM_OK) st = crm__buf_printf(b, left ? " <= " : " > ");
        if (st == CRM_OK) st = num_text(b, nd->threshold);
    }
    if (st == CRM_OK && nd->missing_seen && (nd->missing_left != 0) == (left != 0))
        st = crm__buf_printf(b, " or missing");
    return st;
}

static crm_status leaf_text(crm__buf *b, const tr_model *m, const tr_node *nd, const char *then)
{
    const double *v = m->values + nd->value_off;
    if (m->regression)
        return crm__buf_printf(b, "%s value=%.6g (n=%.0f, mse=%.6g)\n", then, v[0], nd->n,
                               nd->impurity);
    size_t k = crm__tree_argmax(m, nd);
    crm_status st;
    if (m->positive >= 0)
        st = crm__buf_printf(b, "%s %s (p(%s)=%.3f, n=%.0f) [", then, m->classes[k],
                             m->classes[m->positive], v[m->positive] / nd->wn, nd->n);
    else
        st = crm__buf_printf(b, "%s %s (p=%.3f, n=%.0f) [", then, m->classes[k], v[k] / nd->wn,
                             nd->n);
    for (size_t c = 0; st == CRM_OK && c < m->K; c++)
        st = crm__buf_printf(b, "%s%s: %.6g", c ? ", " : "", m->classes[c], v[c]);
    if (st == CRM_OK) st = crm__buf_append(b, "]\n", 2);
    return st;
}

static crm_status indent(crm__buf *b, int32_t depth)
{
    crm_status st = CRM_OK;
    for (int32_t i = 0; st == CRM_OK && i < depth; i++)
        st = crm__buf_append(b, "|   ", 4);
    return st;
}

static crm_status finish(crm__buf *b, crm_status st, char **out)
{
    if (st == CRM_OK) st = crm__buf_reserve(b, 0);
    if (st != CRM_OK) {
        crm__buf_free(b);
        return st;
    }
    b->data[b->len] = '\0';
    *out = b->data;
    return CRM_OK;
}

crm_status crm_tree_export_text(const crm_model *model, char **out)
{
    const char *w = "crm_tree_export_text";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const tr_model *m = NULL;
    crm_status st = get_tree(model, w, &m);
    if (st != CRM_OK) return st;
    crm__buf b = {NULL, 0, 0};
    /* explicit stack of (node, branch): branch 0 = print left test, 1 = right test */
    size_t nn = m->nnodes;
    size_t *stack = crm__malloc_array(2 * nn + 2, sizeof *stack);
    if (!stack) return crm__nomem();
    size_t top = 0;
    stack[top++] = 0;
    while (st == CRM_OK && top > 0) {
        size_t code = stack[--top];
        size_t i = code >> 1;
        const tr_node *nd = &m->nodes[i];
        if (nd->left < 0) {
            st = indent(&b, nd->depth);
            if (st == CRM_OK) st = leaf_text(&b, m, nd, "then");
            continue;
        }
        /* children: right test after the left subtree */
        st = indent(&b, nd->depth);
        int right = (int)(code & 1);
        if (st == CRM_OK) st = crm__buf_append(&b, "if ", 3);
        if (st == CRM_OK) st = cond_text(&b, m, nd, !right);
        if (st == CRM_OK) st = crm__buf_append(&b, "\n", 1);
        if (!right) stack[top++] = (i << 1) | 1;
        stack[top++] = (size_t)(right ? nd->right : nd->left) << 1;
        /* a child node starts with code child << 1; leaves print directly */
    }
    crm__free(stack);
    return finish(&b, st, out);
}

/* Per-feature constraint of one leaf's path (crm_tree_export_rules). */
typedef struct tr_cons {
    int used;       /* 0, or 1 + the rank of the feature's first test on the path */
    double lo, hi;  /* number feature: lo < x <= hi */
    int present_ok; /* a present value can reach the leaf */
    int miss_ok;    /* a missing value can reach the leaf */
    int miss_seen;  /* some test on the path saw missing values in training */
} tr_cons;

crm_status crm_tree_export_rules(const crm_model *model, char **out)
{
    const char *w = "crm_tree_export_rules";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const tr_model *m = NULL;
    crm_status st = get_tree(model, w, &m);
    if (st != CRM_OK) return st;
    size_t d = m->d, totlev = 0;
    for (size_t j = 0; j < d; j++)
        totlev += m->nlev[j];
    tr_cons *cons = crm__malloc_array(d, sizeof *cons);
    size_t *off = crm__malloc_array(d, sizeof *off);
    unsigned char *allowed = crm__malloc(totlev ? totlev : 1);
    size_t *path = crm__malloc_array(m->nnodes, sizeof *path);
    size_t *order = crm__malloc_array(d, sizeof *order);
    crm__buf b = {NULL, 0, 0};
    if (!cons || !off || !allowed || !path || !order) {
        st = crm__nomem();
        goto done;
    }
    for (size_t j = 0, o = 0; j < d; j++) {
        off[j] = o;
        o += m->nlev[j];
    }
    for (size_t i = 0; st == CRM_OK && i < m->nnodes; i++) {
        const tr_node *leaf = &m->nodes[i];
        if (leaf->left >= 0) continue;
        size_t np = 0;
        for (size_t k = i; m->nodes[k].parent >= 0; k = (size_t)m->nodes[k].parent)
            path[np++] = k;
        for (size_t j = 0; j < d; j++) {
            cons[j] = (tr_cons){0, -INFINITY, INFINITY, 1, 1, 0};
            memset(allowed + off[j], 1, m->nlev[j]);
        }
        size_t nused = 0;
        for (size_t q = np; q-- > 0;) { /* root first */
            size_t child = path[q];
            const tr_node *nd = &m->nodes[m->nodes[child].parent];
            int left = nd->left == (int32_t)child;
            size_t f = (size_t)nd->feature;
            tr_cons *c = &cons[f];
            if (!c->used) {
                c->used = 1;
                order[nused++] = f;
            }
            c->miss_ok &= (nd->missing_left != 0) == left;
            c->miss_seen |= nd->missing_seen != 0;
            if (m->is_text[f]) {
                for (size_t l = 0; l < m->nlev[f]; l++) {
                    unsigned char dir = m->dirs[nd->dir_off + l];
                    int goes_left = dir == TR_DIR_LEFT    ? 1
                                    : dir == TR_DIR_RIGHT ? 0
                                                          : nd->unseen_left != 0;
                    if (goes_left != left) allowed[off[f] + l] = 0;
                }
            } else if (isinf(nd->threshold)) {
                if (!left) c->present_ok = 0; /* the "is missing" branch */
            } else if (left) {
                if (nd->threshold < c->hi) c->hi = nd->threshold;
            } else {
                if (nd->threshold > c->lo) c->lo = nd->threshold;
            }
        }
        st = crm__buf_append(&b, nused ? "IF " : "", nused ? 3 : 0);
        for (size_t u = 0; st == CRM_OK && u < nused; u++) {
            size_t f = order[u];
            const tr_cons *c = &cons[f];
            int miss = c->miss_ok && c->miss_seen;
            if (u) st = crm__buf_append(&b, " AND ", 5);
            if (st == CRM_OK && miss && c->present_ok) st = crm__buf_append(&b, "(", 1);
            if (st != CRM_OK) break;
            if (!c->present_ok) {
                st = crm__buf_printf(&b, "%s is missing", m->names[f]);
                continue;
            }
            if (m->is_text[f]) {
                st = crm__buf_printf(&b, "%s in {", m->names[f]);
                int first = 1;
                for (size_t l = 0; st == CRM_OK && l < m->nlev[f]; l++) {
                    if (!allowed[off[f] + l]) continue;
                    st = crm__buf_printf(&b, "%s%s", first ? "" : ", ", m->levels[f][l]);
                    first = 0;
                }
                if (st == CRM_OK) st = crm__buf_append(&b, "}", 1);
            } else if (isinf(c->lo) && isinf(c->hi)) {
                st = crm__buf_printf(&b, "%s is present", m->names[f]);
            } else if (isinf(c->lo)) {
                st = crm__buf_printf(&b, "%s <= %.6g", m->names[f], c->hi);
            } else if (isinf(c->hi)) {
                st = crm__buf_printf(&b, "%s > %.6g", m->names[f], c->lo);
            } else {
                st = crm__buf_printf(&b, "%.6g < %s <= %.6g", c->lo, m->names[f], c->hi);
            }
            if (st == CRM_OK && miss) st = crm__buf_append(&b, " or missing)", 12);
        }
        if (st == CRM_OK) st = crm__buf_append(&b, nused ? " " : "", nused ? 1 : 0);
        if (st == CRM_OK) st = leaf_text(&b, m, leaf, "THEN");
    }
done:
    crm__free(cons);
    crm__free(off);
    crm__free(allowed);
    crm__free(path);
    crm__free(order);
    if (st != CRM_OK) {
        crm__buf_free(&b);
        return st;
    }
    return finish(&b, st, out);
}

static crm_status dot_escape(crm__buf *b, const char *s)
{
    crm_status st = CRM_OK;
    for (; st == CRM_OK && *s; s++) {
        if (*s == '"' || *s == '\\')
            st = crm__buf_printf(b, "\\%c", *s);
        else
            st = crm__buf_append(b, s, 1);
    }
    return st;
}

crm_status crm_tree_export_dot(const crm_model *model, char **out)
{
    const char *w = "crm_tree_export_dot";
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", w);
    *out = NULL;
    const tr_model *m = NULL;
    crm_status st = get_tree(model, w, &m);
    if (st != CRM_OK) return st;
    crm__buf b = {NULL, 0, 0}, t = {NULL, 0, 0};
    st = crm__buf_printf(&b, "digraph tree {\nnode [shape=box, fontname=\"helvetica\"];\n"
                             "edge [fontname=\"helvetica\"];\n");
    for (size_t i = 0; st == CRM_OK && i < m->nnodes; i++) {
        const tr_node *nd = &m->nodes[i];
        t.len = 0;
        if (nd->left >= 0) {
            st = cond_text(&t, m, nd, 1);
            if (st == CRM_OK) st = crm__buf_append(&t, "\n", 1);
        }
        if (st == CRM_OK)
            st = crm__buf_printf(&t, "%s = %.4g\nn = %.0f\n", crit_name(m->criterion), nd->impurity,
                                 nd->n);
        const double *v = m->values + nd->value_off;
        if (st == CRM_OK && m->regression) st = crm__buf_printf(&t, "value = %.6g", v[0]);
        if (st == CRM_OK && !m->regression) {
            st = crm__buf_append(&t, "value = [", 9);
            for (size_t k = 0; st == CRM_OK && k < m->K; k++)
                st = crm__buf_printf(&t, "%s%.6g", k ? ", " : "", v[k]);
            if (st == CRM_OK)
                st = crm__buf_printf(&t, "]\nclass = %s", m->classes[crm__tree_argmax(m, nd)]);
        }
        if (st == CRM_OK) st = crm__buf_reserve(&t, 0);
        if (st != CRM_OK) break;
        t.data[t.len] = '\0';
        st = crm__buf_printf(&b, "%zu [label=\"", i);
        /* newlines as \n in dot */
        for (char *p = t.data; st == CRM_OK && p;) {
            char *nl = strchr(p, '\n');
            if (nl) *nl = '\0';
            st = dot_escape(&b, p);
            if (st == CRM_OK && nl) st = crm__buf_append(&b, "\\n", 2);
            p = nl ? nl + 1 : NULL;
        }
        if (st == CRM_OK) st = crm__buf_append(&b, "\"];\n", 4);
        if (st == CRM_OK && nd->parent >= 0)
            st = crm__buf_printf(&b, "%d -> %zu [label=\"%s\"];\n", (int)nd->parent, i,
                                 m->nodes[nd->parent].left == (int32_t)i ? "yes" : "no");
    }
    crm__buf_free(&t);
    if (st == CRM_OK) st = crm__buf_append(&b, "}\n", 2);
    return finish(&b, st, out);
}
