/**
 * @file crm/tree.h
 * @brief CART decision trees: classification (gini, entropy) and regression
 *        (squared error), native text (categorical) features, learned
 *        routing of missing values, best-first growth, minimal
 *        cost-complexity pruning, readable rules and Graphviz output;
 *        random forests of those trees (crm_forest_fit(), at the end).
 *
 * Data. The target is a text column (classification; classes are the
 * distinct values, sorted by unsigned bytes) or a number column (0/1 values
 * for classification, any finite values for regression). Rows whose target
 * is missing are refused (CRM_E_INVALID naming the row). Features are number
 * columns and text columns:
 * - Number features are rounded to single precision (float32) before
 *   fitting and before predicting, as scikit-learn does. A split sends a row
 *   left when its value is <= the threshold; thresholds are the midpoint
 *   (computed in double) of two consecutive distinct float32 values of the
 *   node. Two values whose float32 difference is at most 1e-7 (evaluated in
 *   float32) count as equal, scikit-learn's FEATURE_THRESHOLD.
 * - Text features are split natively into two subsets of categories. For
 *   regression and binary classification the categories present in the node
 *   are sorted by the mean target (the share of the second class) and every
 *   cut of that order is tried: this finds the best subset split (Breiman's
 *   theorem). With more than two classes the same sweep is done once per
 *   class, the categories being sorted by the share of that class, and the
 *   best of those K cuts is kept (a heuristic; not always the best subset).
 *   Categories tie in that order by their code (first appearance in the
 *   training column).
 *
 * Missing values (NaN in number features, missing text). At each split the
 * rows of the node whose feature is missing are tried on both sides of every
 * candidate cut, and go to the side that gives the larger improvement (left
 * on exact ties). A candidate "all present values left, missing right" is
 * also tried when the node has missing values. When no training row of the
 * node was missing, missing values at prediction follow the child with more
 * (weighted) training rows (left on ties); so do text categories that were
 * not present in the node during training. For text features a missing
 * value is handled as one more category of the sweep. Prediction never
 * fails because of missing values or unseen categories.
 *
 * Split choice (exact mode, the default). Every node evaluates every cut of
 * every feature; each feature is sorted once, so a level of the tree takes
 * time O(n d) for n rows and d features, plus the sorting of text
 * categories per node (how: docs/tree.md).
 * The improvement compared between candidates is scikit-learn's proxy
 * (classification: -(w_right * impurity_right) - w_left * impurity_left;
 * regression: sum_left^2 / w_left + sum_right^2 / w_right), computed with
 * the same operations in the same order, so trees are the same as
 * scikit-learn 1.2's. Tie rule: the features of a node are visited in a
 * pseudo-random order and, within a feature, the cuts in increasing
 * threshold order; a candidate replaces the best so far only when its
 * improvement is strictly larger (the first one found wins). The visiting
 * order is drawn with the 32-bit xorshift generator and the draw scheme
 * (including the bookkeeping of features found constant in an ancestor) of
 * scikit-learn's BestSplitter, seeded with the low 31 bits of `seed`
 * (0 is replaced by 1). A scikit-learn tree fitted with random_state = R
 * is reproduced with seed = numpy.random.RandomState(R).randint(0, 2**31 - 1)
 * (209652396 for R = 0). Class counts are exact, so classification trees
 * are the same node for node; sums of a regression target (and of
 * non-integer weights) are accumulated in sorted-row order, scikit-learn's
 * in the order its unstable sort leaves, so two cuts whose improvements
 * tie to the last bits (typically two features separating the same rows of
 * a small node) may be chosen differently, and scikit-learn may split a
 * node whose targets are all equal when rounding leaves its impurity just
 * above DBL_EPSILON (libcrm computes 0 there only when the sums cancel
 * exactly). The result depends only on the data and the
 * options: it is identical on every run, machine and thread count (large
 * nodes search their features on worker threads and compare the cuts in
 * visiting order with the same strict rule; docs/tree.md).
 *
 * Rules of growth (as scikit-learn): a node is a leaf when depth ==
 * max_depth, when it has fewer than max(min_samples_split,
 * 2 * min_samples_leaf) rows, when its impurity is <= DBL_EPSILON, when no
 * cut leaves min_samples_leaf rows on both sides, or when the best split's
 * weighted impurity decrease (N_t / N * (impurity - N_tL / N_t *
 * impurity_L - N_tR / N_t * impurity_R), in weights) plus DBL_EPSILON is
 * below min_impurity_decrease. Nodes grow depth first (left child first)
 * unless max_leaf_nodes > 0: then best first, the leaf whose split has the
 * largest weighted impurity decrease being split next (ties: the older
 * node), until max_leaf_nodes leaves exist.
 *
 * Impurities: gini 1 - sum p_k^2; entropy -sum p_k log2 p_k (log2 computed
 * as log(p) / log(2.0)); squared error: weighted variance of the target.
 * Class weights (class_weight = BALANCED) multiply each row's weight by
 * n / (n_classes * count of its class), as scikit-learn.
 *
 * Histogram mode (max_bins >= 2, approximate). Every number feature is cut
 * once into at most max_bins bins at quantiles of its float32 values over
 * the rows (bin edges are midpoints between consecutive distinct values; a
 * feature with at most max_bins distinct values keeps them all, and the
 * tree is then the exact tree), and only cuts between bins are considered
 * (how the per-bin statistics are built: docs/tree.md). Text features
 * take their categories as bins (at most 254 categories in this mode) and
 * are split as in exact mode. Thresholds are bin edges, so prediction is
 * the same comparison as in exact mode. The tree usually differs slightly
 * from the exact tree.
 *
 * Minimal cost-complexity pruning (Breiman et al. 1984, as scikit-learn):
 * R(t) = weight fraction of node t times its impurity; the weakest link
 * (smallest (R(t) - R(T_t)) / (|leaves(T_t)| - 1), first node in preorder
 * on ties) is pruned while its effective alpha is <= ccp_alpha.
 * crm_tree_pruning_path() lists every effective alpha with the total leaf
 * impurity sum R(T) after pruning at that alpha.
 *
 * Model. The fitted model has kind CRM_MODEL_TREE (crm/model.h).
 * - crm_model_predict() adds the column `pred_col`: for classification the
 *   predicted class (a text column for a text target, a number column for a
 *   0/1 target), being the class with the largest weighted share in the leaf
 *   (the first class in sorted order on ties), plus the number column
 *   `<pred_col>_proba` holding that share; for regression a number column
 *   with the leaf's weighted mean.
 * - crm_model_summary(): one row per node in preorder (node ids as in the
 *   JSON form): `node`, `parent` (-1 for the root), `depth`, `is_leaf`
 *   (0/1), `feature` (text; missing for leaves), `threshold` (number
 *   features; missing otherwise), `categories` (text features: the
 *   categories sent left, joined by ", "), `missing_left` (0/1; missing for
 *   leaves), `left`, `right` (child ids, -1 for leaves), `n` (training
 *   rows), `weighted_n`, `impurity`, `value` (classification: the predicted
 *   class as text; regression: missing), `proba` (classification: share of
 *   the predicted class; regression: the mean).
 * - Statistics (crm_model_stat()): `depth` (of the deepest leaf, root 0),
 *   `leaves`, `nodes`, `n_features`, `n_classes` (0 for regression),
 *   `n_rows` (training rows), `weighted_n`, `train_accuracy`
 *   (classification: share of the training rows predicted right, rows
 *   weighing their sample weight, not their class weight; regression: the
 *   training R^2), `impurity` (sum over the leaves of weight fraction
 *   times impurity: the impurity at alpha 0 of the pruning path of an
 *   unpruned tree), `ccp_alpha`, `max_bins`
 *   (0 in exact mode), `regression` (0/1).
 * - JSON members (kind "tree", see crm/model.h for the envelope):
 *   "task" ("classification" or "regression"), "criterion" ("gini",
 *   "entropy", "mse"), "target", "target_text" (true when the target
 *   column is text), "positive" (index of opts.positive in "classes", or
 *   -1), "classes" (array of class labels as strings; empty
 *   for regression), "features" (array of {"name", "text"}), "levels"
 *   (per feature: the category names of a text feature, [] otherwise),
 *   "importances" (array), "n_rows", "weighted_n", "ccp_alpha",
 *   "max_bins", "train_score", and "nodes": an array in preorder of
 *   objects {"left", "right" (-1 for leaves), "feature" (index, -1 for
 *   leaves), "threshold", "categories" (text features: indices into that
 *   feature's "levels" sent left), "seen" (text features: every index
 *   seen in the node; those not in "categories" go right), "missing_left"
 *   (true/false), "missing_seen" (true/false: the node had missing values
 *   of its feature in training), "unseen_left"
 *   (true/false: where categories seen in neither list go), "n",
 *   "weighted_n", "impurity", "value" (class weights of the node, or
 *   [mean] for regression)}. Every number is finite except "threshold"
 *   ("nan" for leaves and text splits, "inf" or "-inf" when every value
 *   goes one way). Loading refuses a tree whose text splits would need more
 *   than 256 MiB of direction tables (one byte per level of the split
 *   feature, summed over the text-split nodes), so a small hostile file
 *   cannot make the loader allocate gigabytes.
 *
 * Thread-safety: the functions here only read their input datasets and
 * models, which other threads may read meanwhile.
 */
#ifndef CRM_TREE_H
#define CRM_TREE_H

#include "crm/dataset.h"
#include "crm/model.h"

CRM_BEGIN_DECL

/**
 * Task of a tree.
 * @type[enum] crm_tree_task
 */
typedef enum crm_tree_task {
    CRM_TREE_AUTO = 0,           /**< classification for a text or 0/1 target, else regression */
    CRM_TREE_CLASSIFICATION = 1, /**< classification */
    CRM_TREE_REGRESSION = 2      /**< regression */
} crm_tree_task;

/**
 * Split criterion of a tree.
 * @type[enum] crm_tree_criterion
 */
typedef enum crm_tree_criterion {
    CRM_TREE_CRITERION_AUTO = 0, /**< gini for classification, mse for regression */
    CRM_TREE_GINI = 1,           /**< Gini impurity (classification) */
    CRM_TREE_ENTROPY = 2,        /**< entropy, information gain (classification) */
    CRM_TREE_MSE = 3             /**< squared error (regression) */
} crm_tree_criterion;

/**
 * Class weighting of a classification tree.
 * @type[enum] crm_tree_class_weight
 */
typedef enum crm_tree_class_weight {
    CRM_TREE_WEIGHT_NONE = 0,    /**< every row weighs its sample weight */
    CRM_TREE_WEIGHT_BALANCED = 1 /**< times n / (n_classes * count of its class) */
} crm_tree_class_weight;

/**
 * Options of crm_tree_fit(). Initialise with
 * crm_tree_options_init(&o, sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_tree_options {
    size_t size;                  /**< sizeof as the caller compiled it (set by init) */
    int32_t task;                 /**< @type[enum] crm_tree_task; default CRM_TREE_AUTO */
    int32_t criterion;            /**< @type[enum] crm_tree_criterion; default
                                       CRM_TREE_CRITERION_AUTO */
    int32_t max_depth;            /**< deepest level (root 0); 0 = a single leaf;
                                       -1 (default) = unlimited */
    int32_t class_weight;         /**< @type[enum] crm_tree_class_weight; default
                                       CRM_TREE_WEIGHT_NONE */
    int64_t min_samples_split;    /**< rows a node needs to be split, >= 2; default 2 */
    int64_t min_samples_leaf;     /**< rows each child must keep, >= 1; default 1 */
    double min_impurity_decrease; /**< smallest weighted impurity decrease of a split
                                       (see the header), >= 0; default 0 */
    int64_t max_leaf_nodes;       /**< 0 (default) = unlimited, depth-first growth;
                                       >= 2: best-first growth up to this many leaves */
    double ccp_alpha;             /**< cost-complexity pruning parameter, >= 0; default 0 */
    const char *positive;         /**< class whose share the rules and dot output show
                                       as "p", or NULL (default): the predicted class; must
                                       be a class of the target; borrowed for the call */
    uint64_t seed;                /**< seed of the feature visiting order (tie rule, see the
                                       header); default 0 */
    int32_t max_bins;             /**< 0 (default) = exact mode; 2..255: histogram mode */
    int32_t n_threads;            /**< worker threads, 0 (default) = all cores; the result
                                       does not depend on it */
    const char *sample_weight;    /**< number column of row weights (>= 0, finite), or NULL
                                       (default): every row weighs 1; borrowed for the call */
    crm_progress_fn progress;     /**< called as the tree grows with the fraction of rows
                                       settled in leaves, or NULL (default); non-zero
                                       return cancels (CRM_E_CANCELLED) */
    void *user;                   /**< passed to progress; default NULL */
    /* ---- v1.0 ends here; append new fields below only ---- */
    const char *const *mutate; /**< "NAME=EXPR" transform steps applied in order to a copy
                                    of the dataset before the fit and recorded in the model
                                    (crm/model.h, "Transform steps"), or NULL (default);
                                    borrowed for the call */
    size_t n_mutate;           /**< number of mutate entries, <= 4096; default 0 */
} crm_tree_options;

/**
 * Write the default tree options into `opts` (task AUTO, criterion AUTO,
 * max_depth -1, class_weight NONE, min_samples_split 2, min_samples_leaf 1,
 * min_impurity_decrease 0, max_leaf_nodes 0, ccp_alpha 0, positive NULL,
 * seed 0, max_bins 0, n_threads 0, sample_weight NULL, progress NULL,
 * user NULL, mutate NULL, n_mutate 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1.0 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_tree_options_init(crm_tree_options *opts, size_t size);

/**
 * Fit a CART tree predicting `target` from the columns `features` of `ds`
 * (algorithm, model, statistics and JSON form described at the top of this
 * header). A target with a single class, or features that are all constant,
 * give a valid single-leaf tree.
 * @param[in]  ds        dataset
 * @param[in]  target    name of the target column (text or number)
 * @param[in]  features  names of the feature columns (number or text, distinct,
 *                       not the target)
 * @param[in]  nf        number of features, >= 1
 * @param[in]  opts      options, or NULL for the defaults
 * @param[out] out       fitted model (kind CRM_MODEL_TREE), NULL on failure.
 *                       Ownership: caller; free with crm_model_free(). The model
 *                       keeps no reference to ds.
 * @return CRM_OK; CRM_E_INVALID (NULL argument, nf 0, a duplicate feature or
 *         the target among the features, no rows, a missing or non-finite
 *         target naming the row, a number target other than 0/1 for
 *         classification, a text target for regression, an infinite feature
 *         value naming the column and row, a criterion that does not fit the
 *         task, max_depth < -1, min_samples_split < 2, min_samples_leaf < 1,
 *         min_impurity_decrease or ccp_alpha negative or not finite,
 *         max_leaf_nodes 1 or negative, max_bins 1 or outside 0..255,
 *         n_threads < 0, an unknown task or class_weight, a positive class
 *         that is not a class, a negative or non-finite sample weight naming
 *         the row, or all weights 0);
 *         CRM_E_NOTFOUND (a column does not exist); CRM_E_TYPE (a time
 *         column as feature or target, or a sample_weight column that is not
 *         a number column); CRM_E_CANCELLED (the progress callback returned
 *         non-zero);
 *         a mutate step failing (opts.mutate; the message names the step
 *         and its 1-based number): CRM_E_INVALID (NULL, no '=', an empty
 *         name, invalid UTF-8, a malformed expression, more than 4096 steps),
 *         CRM_E_NOTFOUND (a column the step needs), CRM_E_TYPE (operands
 *         of the wrong type in a step);
 *         CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_NOMEM.
 * Ownership: target, features and opts (with its strings) are only read
 * during the call; the model keeps its own copy of the mutate steps.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_tree_fit(const crm_dataset *ds, const char *target,
                                const char *const *features, size_t nf,
                                const crm_tree_options *opts, crm_model **out);

/**
 * Minimal cost-complexity pruning path: fit the tree of `opts` with
 * ccp_alpha = 0 and list the effective alphas at which subtrees are pruned
 * (as scikit-learn's cost_complexity_pruning_path).
 * @param[in]  ds        dataset
 * @param[in]  target    name of the target column
 * @param[in]  features  names of the feature columns
 * @param[in]  nf        number of features, >= 1
 * @param[in]  opts      options (ccp_alpha is ignored; mutate steps are applied
 *                       as by crm_tree_fit()), or NULL for the defaults
 * @param[out] out       table with number columns `ccp_alpha` (increasing, the
 *                       first 0) and `impurity` (total leaf impurity of the
 *                       tree pruned at that alpha; the last row is the root
 *                       alone), NULL on failure.
 *                       Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK and every error of crm_tree_fit(), for the same causes.
 * Ownership: target, features and opts are only read during the call.
 * Thread-safety: ds may be read by other threads meanwhile.
 */
CRM_API crm_status crm_tree_pruning_path(const crm_dataset *ds, const char *target,
                                         const char *const *features, size_t nf,
                                         const crm_tree_options *opts, crm_dataset **out);

/**
 * Feature importances: each feature's total weighted impurity decrease over
 * the splits that use it, normalised to sum to 1 (all 0 for a single-leaf
 * tree), as scikit-learn's feature_importances_.
 * @param[in]  m    fitted tree (kind CRM_MODEL_TREE)
 * @param[out] out  table with a text column `feature` and a number column
 *                  `importance`, one row per feature in fitting order, NULL on
 *                  failure. Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_TYPE (not a tree);
 *         CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_tree_feature_importances(const crm_model *m, crm_dataset **out);

/**
 * The tree as indented if/then rules, one line per test and one per leaf:
 *
 *     if Contract in {Month-to-month} (missing: yes)
 *     |   if tenure <= 5.5
 *     |   |   then Yes (p=0.70, n=1024) [No: 307, Yes: 717]
 *
 * Leaves show the predicted class, its share p (or the share of
 * opts.positive when it was set), the training rows n and the weighted
 * class counts (regression: "then value=… (n=…, mse=…)"). Numbers are
 * printed with up to 6 significant digits. Where missing values go is
 * shown as "(missing: yes)" on the branch that takes them.
 * @param[in]  m    fitted tree
 * @param[out] out  NUL-terminated UTF-8 text ending in a newline, NULL on
 *                  failure. Ownership: caller; free with crm_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_TYPE (not a tree);
 *         CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_tree_export_text(const crm_model *m, char **out);

/**
 * The tree as flat rules, one line per leaf in preorder, the tests of its
 * path merged per feature (a number feature's bounds into one range, a
 * text feature's category sets into one set) and joined by AND:
 *
 *     IF Contract in {Month-to-month} AND tenure <= 5.5 THEN Yes (p=0.561, n=1318) [No: 578, Yes:
 * 740] IF 5.5 < tenure <= 15.5 AND (MonthlyCharges > 68.6 or missing) THEN ...
 *
 * A condition says "or missing" when missing values reach the leaf and a
 * test on the path saw missing values in training. A text feature's set
 * lists every training category that reaches the leaf (including ones a
 * node had not seen, which follow its larger child). The leaf part is as
 * in crm_tree_export_text(); a single-leaf tree gives one "THEN …" line.
 * @param[in]  m    fitted tree
 * @param[out] out  NUL-terminated UTF-8 text ending in a newline, NULL on
 *                  failure. Ownership: caller; free with crm_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_TYPE (not a tree);
 *         CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_tree_export_rules(const crm_model *m, char **out);

/**
 * The tree in Graphviz dot language (a digraph; node ids as in the summary;
 * each box shows the test, the impurity, n and the class counts or mean;
 * edges are labelled "yes"/"no").
 * @param[in]  m    fitted tree
 * @param[out] out  NUL-terminated text, NULL on failure.
 *                  Ownership: caller; free with crm_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_TYPE (not a tree);
 *         CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_tree_export_dot(const crm_model *m, char **out);

/* ---- random forests ----------------------------------------------------------------------- */

/**
 * What crm_forest_fit() computes as feature importance besides the impurity
 * decrease.
 * @type[enum] crm_forest_importance
 */
typedef enum crm_forest_importance {
    CRM_FOREST_IMPORTANCE_IMPURITY = 0,   /**< mean impurity decrease only */
    CRM_FOREST_IMPORTANCE_PERMUTATION = 1 /**< also out-of-bag permutation importance */
} crm_forest_importance;

/**
 * How a node of a forest's tree draws its mtry candidate features.
 * @type[enum] crm_forest_mtry_rule
 */
typedef enum crm_forest_mtry_rule {
    CRM_FOREST_MTRY_NONCONSTANT = 0, /**< scikit-learn's: draw until mtry features were
                                          visited and at least one of them varies in the
                                          node */
    CRM_FOREST_MTRY_EXACT = 1        /**< ranger's: exactly mtry features; when all of them
                                          are constant in the node it is a leaf */
} crm_forest_mtry_rule;

/**
 * Options of crm_forest_fit(). Initialise with
 * crm_forest_options_init(&o, sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_forest_options {
    size_t size;               /**< sizeof as the caller compiled it (set by init) */
    int32_t task;              /**< @type[enum] crm_tree_task; default CRM_TREE_AUTO */
    int32_t criterion;         /**< @type[enum] crm_tree_criterion; default
                                    CRM_TREE_CRITERION_AUTO */
    int32_t n_trees;           /**< trees, 1..100000; default 100 */
    int32_t mtry;              /**< features drawn per node (scikit-learn's max_features),
                                    1..number of features; 0 (default) = floor(sqrt(d)) for
                                    classification, max(1, floor(d / 3)) for regression */
    int32_t max_depth;         /**< deepest level (root 0); -1 (default) = unlimited */
    int32_t class_weight;      /**< @type[enum] crm_tree_class_weight; default
                                    CRM_TREE_WEIGHT_NONE */
    int64_t min_samples_split; /**< distinct rows a node needs to be split, >= 2; default 2 */
    int64_t min_samples_leaf;  /**< distinct rows each child keeps, >= 1; default 1 */
    double sample_fraction;    /**< rows drawn per tree, as a share of the rows, in (0, 1]
                                    without replacement, (0, 10] with; default 1 */
    int32_t replace;           /**< 1 (default): draw with replacement (bootstrap);
                                    0: without (subsampling; with sample_fraction 1 every
                                    tree sees every row) */
    int32_t max_bins;          /**< 0 (default) = exact mode; 2..255: histogram mode */
    int32_t importance;        /**< @type[enum] crm_forest_importance; default
                                    CRM_FOREST_IMPORTANCE_IMPURITY */
    int32_t mtry_rule;         /**< @type[enum] crm_forest_mtry_rule; default
                                    CRM_FOREST_MTRY_NONCONSTANT */
    int32_t n_threads;         /**< worker threads, 0 (default) = all cores; the result
                                    does not depend on it */
    uint64_t seed;             /**< seed of the bags and of each tree; default 0 */
    const char *positive;      /**< class shown as "p" in the rules of the trees, or NULL
                                    (default); borrowed for the call */
    crm_progress_fn progress;  /**< called with the share of trees grown, or NULL (default);
                                    non-zero return cancels (CRM_E_CANCELLED) */
    void *user;                /**< passed to progress; default NULL */
} crm_forest_options;

/**
 * Write the default forest options into `opts` (task AUTO, criterion AUTO,
 * n_trees 100, mtry 0, max_depth -1, class_weight NONE, min_samples_split 2,
 * min_samples_leaf 1, sample_fraction 1, replace 1, max_bins 0, importance
 * IMPURITY, mtry_rule NONCONSTANT, n_threads 0, seed 0, positive NULL, progress NULL, user NULL).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_forest_options_init(crm_forest_options *opts, size_t size);

/**
 * Fit a random forest (Breiman 2001) predicting `target` from `features`:
 * n_trees CART trees of this header's engine (the same splits, native text
 * features, missing-value routing, exact or histogram mode), each grown on
 * its own sample of the rows and drawing `mtry` candidate features per node.
 *
 * Sampling. Tree t draws round(sample_fraction * n) rows (at least 1) with
 * replacement (replace = 1; a row drawn c times weighs c, as scikit-learn)
 * or without; its stream is xoshiro256** seeded with stream t of `seed`
 * (see crm_forest_bag()). The tree itself is the CART tree of
 * crm_tree_fit() on those rows with seed = `seed` + t and scikit-learn's
 * max_features = mtry: a node draws features (in the tie-rule order of the
 * header) until it has visited mtry of them and at least one varies in the
 * node (mtry_rule NONCONSTANT), or exactly mtry (mtry_rule EXACT, as R
 * ranger: a node whose mtry features are all constant is a leaf; on data
 * with many one-hot or otherwise often-constant columns this grows smaller,
 * more varied trees); with replace = 0, sample_fraction = 1 and mtry = every
 * feature, tree t is exactly crm_tree_fit() with seed + t. Histogram mode
 * bins each feature once, over all the rows.
 *
 * Prediction (crm_model_predict()): classification averages the trees'
 * leaf class shares (soft voting, as scikit-learn) and adds `pred_col` (the
 * class of largest mean share, the first on ties) and `<pred_col>_proba`
 * (that share); regression adds the mean of the trees' leaf means. Rows are
 * predicted on worker threads; each row sums its trees in order, so the
 * result does not depend on the thread count.
 *
 * Out of bag. Each training row is predicted by the trees whose sample does
 * not contain it, aggregated as above (rows in every sample have no OOB
 * prediction). `oob_error` is the share of those rows whose OOB class is
 * wrong (classification) or their mean squared OOB error (regression); NaN
 * when no row is out of bag (replace 0 with sample_fraction 1).
 *
 * Importance: the mean over the trees of each tree's normalised impurity
 * decrease (as scikit-learn's feature_importances_), renormalised to sum to
 * 1; with importance = PERMUTATION also the out-of-bag permutation
 * importance (Breiman; ranger's "permutation", unscaled): per tree, the rise
 * of its error (misclassified share or mean squared error) on its OOB rows
 * when feature j's values are permuted among them, averaged over the trees
 * that have OOB rows.
 *
 * Model: kind CRM_MODEL_FOREST. Statistics (crm_model_stat()): `n_trees`,
 * `n_features`, `n_classes` (0 for regression), `n_rows`, `mtry`,
 * `max_depth` (-1 unlimited), `min_samples_leaf`, `sample_fraction`,
 * `replace`, `mtry_rule`, `max_bins`, `nodes` (all trees), `mean_leaves`, `mean_depth`,
 * `oob_rows` (rows with an OOB prediction), `oob_error`, `oob_score`
 * (1 - oob_error for classification, OOB R^2 for regression), `regression`
 * (0/1). Summary (crm_model_summary()): one row per tree: `tree`, `nodes`,
 * `leaves`, `depth`, `in_bag` (distinct rows in its sample), `weighted_n`.
 * JSON (kind "forest"): "task", "criterion", "target", "target_text",
 * "positive", "classes", "features", "levels" (as a tree), "importances",
 * "permutation_importances" (array, or null), "n_rows", "mtry",
 * "mtry_rule" (0/1), "max_depth", "min_samples_split", "min_samples_leaf", "sample_fraction",
 * "replace", "max_bins", "class_weight", "seed", "oob_error" (number or
 * "nan"), "oob_rows", and "trees": per tree an object of parallel arrays
 * over its nodes in preorder, "left", "right", "feature", "threshold",
 * "flags" (1 missing_left + 2 unseen_left + 4 missing_seen), "n",
 * "weighted_n", "impurity", "value" (K class weights per node, or the mean),
 * and for its text splits in preorder "categories" and "seen" (arrays of
 * level-index arrays, as a tree's nodes). crm_model_save() writes a forest
 * tree by tree (the text of a whole forest is never held in memory);
 * crm_model_load() reads files up to 1 GiB.
 *
 * @param[in]  ds        dataset
 * @param[in]  target    target column (text or number, as crm_tree_fit())
 * @param[in]  features  feature columns (number or text, distinct, not the target)
 * @param[in]  nf        number of features, >= 1
 * @param[in]  opts      options, or NULL for the defaults
 * @param[out] out       fitted model (kind CRM_MODEL_FOREST), NULL on failure.
 *                       Ownership: caller; free with crm_model_free(). The model
 *                       keeps no reference to ds.
 * @return CRM_OK; CRM_E_INVALID (every data error of crm_tree_fit(), n_trees
 *         outside 1..100000, mtry outside 0..nf, sample_fraction outside its
 *         range, replace not 0/1, an unknown importance or mtry_rule, and the tree options
 *         as crm_tree_fit() checks them); CRM_E_NOTFOUND (a column does not
 *         exist); CRM_E_TYPE (a time column); CRM_E_CANCELLED (the progress
 *         callback returned non-zero); CRM_E_FORMAT (opts from a newer library
 *         with unknown fields set); CRM_E_NOMEM.
 * Ownership: target, features and opts are only read during the call.
 * Thread-safety: ds may be read by other threads meanwhile. The progress
 * callback is called on the calling thread, between groups of trees.
 */
CRM_API crm_status crm_forest_fit(const crm_dataset *ds, const char *target,
                                  const char *const *features, size_t nf,
                                  const crm_forest_options *opts, crm_model **out);

/**
 * Feature importances of a forest.
 * @param[in]  m    fitted forest (kind CRM_MODEL_FOREST)
 * @param[out] out  table with a text column `feature` and number columns
 *                  `importance` (mean impurity decrease, sums to 1) and
 *                  `permutation` (OOB permutation importance; missing unless
 *                  the forest was fitted with importance = PERMUTATION), one
 *                  row per feature in fitting order, NULL on failure.
 *                  Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_TYPE (not a forest);
 *         CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_forest_feature_importances(const crm_model *m, crm_dataset **out);

/**
 * One tree of a forest as a tree model (kind CRM_MODEL_TREE): export it as
 * rules or dot, predict with it, save it. Its `train_accuracy` statistic is
 * 0 (not computed), its `n_rows` the distinct rows of its sample.
 * @param[in]  m     fitted forest
 * @param[in]  tree  index, 0..n_trees-1
 * @param[out] out   new tree model, NULL on failure. Ownership: caller; free
 *                   with crm_model_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, tree out of range); CRM_E_TYPE
 *         (not a forest); CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_forest_tree(const crm_model *m, size_t tree, crm_model **out);

/**
 * The sample of one tree: how many times each training row was drawn
 * (0: the row is out of bag for that tree), regenerated from the forest's
 * seed and options exactly as the fit drew it.
 * @param[in]  m     fitted forest
 * @param[in]  tree  index, 0..n_trees-1
 * @param[out] out   table with one number column `count`, one row per
 *                   training row in dataset order, NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (NULL argument, tree out of range); CRM_E_TYPE
 *         (not a forest); CRM_E_NOMEM.
 * Thread-safety: safe; only reads m.
 */
CRM_API crm_status crm_forest_bag(const crm_model *m, size_t tree, crm_dataset **out);

/**
 * Out-of-bag predictions on the training data: like crm_model_predict(),
 * but each row aggregates only the trees whose sample does not contain it.
 * Rows in every sample get a missing prediction (and proba).
 * @param[in]     m        fitted forest (without transform steps)
 * @param[in,out] ds       the training rows, in the order of the fit (same
 *                         row count); the columns are added to it
 * @param[in]     pred_col name of the prediction column (a classifier also
 *                         adds `<pred_col>_proba`); must not exist
 * @return CRM_OK; CRM_E_INVALID (NULL argument, a row count other than the
 *         fit's, an existing column); CRM_E_NOTFOUND, CRM_E_TYPE (a feature
 *         column missing or of another type); CRM_E_TYPE (not a forest);
 *         CRM_E_NOMEM. ds is unchanged on failure.
 * Ownership: the new columns belong to ds; pred_col is only read.
 * Thread-safety: m may be read by other threads; ds must not be used by
 * others meanwhile.
 */
CRM_API crm_status crm_forest_oob_predict(const crm_model *m, crm_dataset *ds,
                                          const char *pred_col);

CRM_END_DECL

#endif /* CRM_TREE_H */
