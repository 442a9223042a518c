/*
 * Internal layout of the random forest model (kind "forest"), shared by the fitting code
 * (forest.c) and the model functions (forest_model.c). Never installed.
 */
#ifndef CRM_TREE_FOREST_INTERNAL_H
#define CRM_TREE_FOREST_INTERNAL_H

#include "tree/tree_internal.h"

/* Most trees of a forest. */
#define FR_MAX_TREES 100000

typedef struct fr_model {
    tr_model *meta;    /* target, classes, features, levels; importances (impurity) */
    size_t T;          /* trees */
    tr_model *trees;   /* T trees; each borrows meta's names and levels, owns its nodes */
    double *perm;      /* permutation importances (d), or NULL */
    int32_t mtry, mtry_rule, max_depth, replace, max_bins, class_weight;
    int64_t min_split, min_leaf;
    double fraction;
    uint64_t seed;
    double n_rows;     /* training rows */
    double oob_error;  /* NaN when no row is out of bag */
    double oob_rows;
    double oob_score;  /* 1 - oob_error, or the OOB R^2 */
} fr_model;

void crm__forest_free_state(void *state);
/* Free the trees' own arrays (nodes, values, dirs) and the array. */
void crm__forest_free_trees(tr_model *trees, size_t T);
/* The sample of tree t: counts[i] = times row i (of n) is drawn. */
void crm__forest_draw(uint64_t seed, size_t t, size_t n, double fraction, int replace,
                      uint32_t *counts);
/* A tree sharing meta's names, classes and levels (no nodes yet). */
void crm__forest_tree_init(tr_model *tree, const tr_model *meta);
/* Aggregate the trees' leaves for dataset row r into acc (K class shares or 1 mean summed),
 * over the trees t with use == NULL or use[t] set. Returns the number of trees used. */
size_t crm__forest_accumulate(const fr_model *f, const crm__column *const *cols,
                              int32_t *const *lmap, size_t r, const unsigned char *use,
                              double *acc);
/* The forest of a model (CRM_E_TYPE naming w when it is another kind). */
crm_status crm__forest_get(const crm_model *m, const char *w, const fr_model **out);
/* Add the prediction columns out_col and pname (classifiers) from the per-row aggregates acc
 * (n x K class shares, or n means; NaN: no prediction). */
crm_status crm__forest_emit(const fr_model *f, crm_dataset *ds, const char *out_col,
                            const char *pname, const double *acc, size_t n);
/* Out-of-bag predictions of the training rows ds (n_rows of them) into pred (n x K class
 * shares, or n means; NaN for rows in every sample). */
crm_status crm__forest_oob_values(const fr_model *f, const crm_dataset *ds, double *pred);

#endif /* CRM_TREE_FOREST_INTERNAL_H */
