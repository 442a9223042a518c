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

#endif /* CRM_TREE_TREE_INTERNAL_H */
