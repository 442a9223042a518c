/*
 * Internal layout of the CART tree model (kind "tree"), shared by the fitting
 * code (tree_fit.c) and the model functions (tree_model.c). Never installed.
 */
#ifndef CRM_TREE_TREE_INTERNAL_H
#define CRM_TREE_TREE_INTERNAL_H

#include "core/model_internal.h"
#include "crm/tree.h"
#include "core/dataset_internal.h"

/* Directions stored per (node, category) of a text split. */
#define TR_DIR_RIGHT 0
#define TR_DIR_LEFT 1
#define TR_DIR_UNSEEN 2
/* Largest direction table a loaded tree may need (the sum, over its text
 * splits, of the split feature's level count, one byte each): a model file
 * of a few megabytes could otherwise ask for gigabytes. */
#define TR_MAX_DIRS ((size_t)256 << 20)

/* Largest max_bins of histogram mode. */
#define TR_MAX_BINS 255

typedef struct tr_node {
    int32_t left, right; /* children, -1 for a leaf */
    int32_t parent;      /* -1 for the root */
    int32_t feature;     /* -1 for a leaf */
    int32_t depth;
    int32_t missing_left; /* missing values go left (1) or right (0) */
    int32_t unseen_left;  /* categories not seen in the node go left (1) or right (0) */
    int32_t missing_seen; /* the node had missing values of its feature in training */
    double threshold;     /* number feature: left when (float)x <= threshold */
    size_t dir_off;       /* text feature: offset of nlev[feature] TR_DIR_* bytes in dirs */
    double n, wn, impurity;
    size_t value_off; /* K class weights (classification) or 1 mean (regression) in values */
} tr_node;

typedef struct tr_model {
    int32_t regression; /* 0 classification, 1 regression */
    int32_t criterion;  /* CRM_TREE_GINI/ENTROPY/MSE */
    int32_t target_text;
    int32_t positive; /* class index shown as "p" in rules, -1 = predicted class */
    char *target;
    size_t K;       /* classes (0 for regression) */
    char **classes; /* K labels */
    size_t d;
    char **names;
    int32_t *is_text;
    size_t *nlev;   /* levels of each text feature */
    char ***levels; /* level names of each text feature */
    double *importances;
    size_t nnodes;
    tr_node *nodes; /* preorder */
    unsigned char *dirs;
    size_t ndirs;
    double *values;
    size_t nvalues;
    double n_rows, weighted_n, ccp_alpha, max_bins, train_score;
} tr_model;

/* The training data of a fit, as prepared from the dataset (tree_fit.c). Rows are numbered
 * 0..n-1 ("compact" rows: those of positive sample weight, in dataset order). */
typedef struct tr_data {
    size_t nall;      /* dataset rows */
    size_t n;         /* rows used (weight > 0) */
    uint32_t *rowmap; /* compact -> dataset row */
    int32_t *yc;      /* classification: class of each row */
    double *y;        /* regression: target of each row */
    double *w;        /* NULL when all 1 */
    const double *sw; /* the sample_weight column (dataset rows), or NULL */
    int balanced;     /* class weights are part of w */
    int32_t *is_text;
    size_t *nlev;
    int32_t **lvl; /* text feature: dataset code -> model level (-1 unused) */
    const crm__column **cols;
} tr_data;

/* Prepared split data shared by the trees of a forest: every feature sorted (exact mode) or
 * binned (histogram mode), over all the rows of a tr_data. Read-only once built. */
typedef struct tr_base tr_base;

/* The rows a tree is grown on: a mask over the rows of the tr_data and their weights. */
typedef struct tr_bag {
    const unsigned char *in; /* non-zero: the row is in the bag; NULL: every row */
    const double *w;         /* weight of each row (its count times its class weight), or
                                NULL: the tr_data's weights */
} tr_bag;

/* Check the (loaded) options, resolve the columns and the target, and allocate the model with
 * its names, classes and levels (*out; crm__tree_free_state). Errors as crm_tree_fit(). */
crm_status crm__tree_setup(const crm_dataset *ds, const char *target, const char *const *features,
                           size_t nf, const crm_tree_options *o, tr_model **out, tr_data *D);
void crm__tree_data_free(tr_data *D, size_t d);
/* Value of feature j at dataset row r as a fit sees it (float32; a text feature's level; NaN
 * for missing). */
float crm__tree_feat_value(const tr_data *D, size_t j, size_t r);
crm_status crm__tree_base_new(const tr_data *D, size_t d, int32_t max_bins, tr_base **out);
void crm__tree_base_free(tr_base *B);
/* Grow one tree of options o (seed, max_depth, min_samples_*, n_threads; no pruning, no
 * best-first growth) on the bag, each node drawing features as scikit-learn's BestSplitter
 * with max_features = mtry (d: every feature, the CART tree) - with mtry_exact, exactly mtry
 * of them (ranger's rule: no more draws when they are all constant) - into m, whose names,
 * classes and levels are set: fills nodes, values, dirs and weighted_n. Thread-safe for
 * distinct m. */
crm_status crm__tree_grow(const tr_data *D, const tr_base *B, const tr_bag *bag,
                          const crm_tree_options *o, size_t mtry, int mtry_exact, tr_model *m);

void crm__tree_free_state(void *state);
/* New empty model state with d features and K classes (names NULL). */
crm_status crm__tree_alloc(size_t d, size_t K, tr_model **out);

/* Leaf reached by a row. `num[f]` is the float32-rounded value of number
 * feature f (NaN missing); `code[f]` is the model level of text feature f
 * (-1 missing, -2 unseen). */
size_t crm__tree_leaf(const tr_model *m, const float *num, const int32_t *code);
/* Predicted class index (first maximum) of a node of a classifier. */
size_t crm__tree_argmax(const tr_model *m, const tr_node *nd);
/* Feature importances (normalised) from nodes; writes m->importances. */
void crm__tree_importances(tr_model *m);

/* JSON members shared by the tree and forest kinds: ,"task" ... "levels":[...] (writer), and
 * the model they describe with its names, classes and levels (reader; w names the document in
 * messages). */
crm_status crm__tree_json_head(const tr_model *m, crm__buf *b);
crm_status crm__tree_json_read_head(const crm__json *doc, const char *w, tr_model **out);

/* Columns of ds a prediction reads: cols[j] for feature j (type checked), and for a text
 * feature lmap[j] mapping the column's codes to the model's levels (-2 unseen). `w` names the
 * caller in messages. Free with crm__tree_unbind(). */
crm_status crm__tree_bind(const tr_model *m, const crm_dataset *ds, const char *w,
                          const crm__column ***cols, int32_t ***lmap);
void crm__tree_unbind(const tr_model *m, const crm__column **cols, int32_t **lmap);
/* The leaf reached by row r of the bound columns. */
size_t crm__tree_walk(const tr_model *m, const crm__column *const *cols, int32_t *const *lmap,
                      size_t r);
/* The same, feature jf read from row rj instead (permutation importance). */
size_t crm__tree_walk_swap(const tr_model *m, const crm__column *const *cols,
                           int32_t *const *lmap, size_t row, size_t jf, size_t rj);

#endif /* CRM_TREE_TREE_INTERNAL_H */
