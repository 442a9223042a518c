/**
 * @file crm/assoc.h
 * @brief Market-basket analysis: frequent itemsets and association rules
 *        ("customers who buy X also buy Y").
 *
 * Transactions. crm_apriori() reads a long table with one row per
 * (transaction, item) pair, e.g. InvoiceNo x Description of order lines, or
 * the `tid`, `item` table of crm_dataset_read_baskets(). A transaction is a
 * distinct non-missing value of the transaction column (number, text or time;
 * numbers compare by value, -0 = +0). The item column must be a text column.
 * An item listed twice in one transaction counts once. Rows whose transaction
 * or item is missing are ignored; a transaction whose rows all have a missing
 * item still counts as a transaction (with no items). N, the support
 * denominator, is the number of distinct non-missing transaction values.
 *
 * Frequent itemsets. The support of an itemset is count / N, where count is
 * the number of transactions holding every item of the set. An itemset is
 * frequent when count >= min_count (if min_count > 0), otherwise when
 * count / N >= min_support, both evaluated as doubles exactly as written, so
 * 7 transactions out of 25 reach min_support 0.28 (no ceil(0.28 * 25)
 * rounding trap). Target CRM_APRIORI_CLOSED keeps the frequent itemsets no
 * superset of which has the same count; CRM_APRIORI_MAXIMAL keeps those with
 * no frequent proper superset. Both are decided against all frequent itemsets,
 * whatever max_len says.
 *
 * Itemsets table, columns in this order:
 *
 * | column  | type   | meaning                                                        |
 * |---------|--------|----------------------------------------------------------------|
 * | items   | text   | the items, in byte order of their text, joined by the separator |
 * | size    | number | number of items                                                 |
 * | count   | number | transactions holding all the items                              |
 * | support | number | count / N                                                       |
 *
 * Rows are ordered by size ascending, then count descending, then by the item
 * lists compared item by item in byte order.
 *
 * Rules table. Every frequent itemset S with 2 <= |S| <= max_len (all frequent
 * itemsets, whatever the target) gives one rule A -> C for every split of S
 * into two non-empty disjoint parts A and C (all splits, as mlxtend's
 * association_rules; arules and Borgelt's apriori keep single-item
 * consequents only: filter on the consequent if you want that). With
 * n(X) the count of itemset X, the columns are, in this order:
 *
 * | column             | type   | value                                          |
 * |--------------------|--------|------------------------------------------------|
 * | antecedent         | text   | items of A, encoded as the items column        |
 * | consequent         | text   | items of C                                     |
 * | antecedent_support | number | sA = n(A) / N                                  |
 * | consequent_support | number | sC = n(C) / N                                  |
 * | support            | number | s = n(S) / N                                   |
 * | confidence         | number | c = n(S) / n(A)                                |
 * | lift               | number | c / sC                                         |
 * | leverage           | number | s - sA * sC                                    |
 * | conviction         | number | (1 - sC) / (1 - c); +infinity when c = 1        |
 * | count              | number | n(S)                                           |
 *
 * A rule is kept when confidence >= min_confidence and lift >= min_lift.
 * Conviction is +INFINITY in the number column when the confidence is 1;
 * crm_dataset_write_csv() writes it as "inf" (and the CLI's --json as null).
 * Rows are ordered by lift descending, then confidence descending, then count
 * descending, then antecedent and consequent item lists in byte order.
 *
 * Redundant rules (prune_redundant = 1). Every split of a frequent itemset is
 * a rule, so one set of k items bought together yields up to 2^k - 2 rules
 * that restate the same baskets ({X, Y, Z} gives X -> Y, Z and Y, Z -> X and
 * four more). With prune_redundant the rules that pass min_confidence and
 * min_lift are reduced in two steps, each decided on exact counts:
 *
 * 1. One rule per itemset: of the rules with the same union S = A u C, only
 *    the best is kept: the highest lift (the smallest n(A) * n(C)), then the
 *    highest confidence (the smallest n(A)), then the first by antecedent and
 *    then consequent item lists in byte order.
 * 2. No needless antecedent items: a rule A -> C kept by step 1 is dropped
 *    when another rule A' -> C kept by step 1 has the same consequent, an
 *    antecedent A' that is a proper subset of A and a confidence at least as
 *    high (n(A' u C) * n(A) >= n(S) * n(A'); with the same consequent its
 *    lift is then at least as high too): the extra items of A add nothing.
 *    Whether step 2 compares with the rules kept by step 1 or with its own
 *    survivors makes no difference (a rule's dominator is dominated only by
 *    a rule that dominates it as well).
 *
 * The rules left keep the order above; the itemsets table is not affected.
 * Without prune_redundant every rule is reported, as mlxtend does.
 *
 * Item text. Each set is written as its items joined by `separator` (default
 * ", "). Inside an item, a backslash is written as two backslashes and every
 * occurrence of the separator's first character is preceded by a backslash,
 * so the separator never occurs unescaped: split by reading left to right,
 * taking "\x" as the literal character x. Items without a backslash or that
 * character are written as they are ("HEART, RED" with the default separator
 * becomes "HEART\, RED").
 *
 * Counts and determinism. Every count is exact (itemsets are enumerated
 * depth first, counting only extensions of frequent itemsets; how:
 * docs/assoc.md). The subtrees of the single items are mined on up to
 * n_threads threads and merged in a fixed order, so the tables are the same
 * for every n_threads. Memory stays proportional to the transactions (never
 * a dense one-hot table) plus the output.
 *
 * Thread-safety: crm_apriori() only reads its input dataset, which other
 * threads may read meanwhile. The progress callback is only ever called on
 * the calling thread.
 */
#ifndef CRM_ASSOC_H
#define CRM_ASSOC_H

#include "crm/dataset.h"

CRM_BEGIN_DECL

/**
 * Which frequent itemsets crm_apriori() reports.
 * @type[enum] crm_apriori_target
 */
typedef enum crm_apriori_target {
    CRM_APRIORI_ALL = 1,    /**< every frequent itemset */
    CRM_APRIORI_CLOSED = 2, /**< frequent itemsets with no superset of equal count */
    CRM_APRIORI_MAXIMAL = 3 /**< frequent itemsets with no frequent proper superset */
} crm_apriori_target;

/**
 * Options of crm_apriori(). Initialise with crm_apriori_options_init(&o,
 * sizeof o); see crm/common.h for the size rule.
 */
typedef struct crm_apriori_options {
    size_t size;           /**< sizeof as the caller compiled it (set by init) */
    double min_support;    /**< minimum support as a fraction of the transactions,
                                0 < min_support <= 1; default 0.01; used when
                                min_count is 0 */
    int64_t min_count;     /**< minimum number of transactions; 0 (default) = use
                                min_support; >= 0 */
    int32_t max_len;       /**< largest itemset size; -1 (default) = unlimited;
                                otherwise >= 1 (0 is refused) */
    int32_t target;        /**< @type[enum] crm_apriori_target; default CRM_APRIORI_ALL */
    double min_confidence; /**< rules: minimum confidence, 0..1; default 0 (all) */
    double min_lift;       /**< rules: minimum lift, >= 0; default 0 (all) */
    int32_t n_threads;     /**< threads, 0 = all online cores; >= 0; default 0. The
                                subtrees of the single items are mined in
                                parallel and merged in item order: results are
                                identical for every value */
    crm_progress_fn progress; /**< called now and then with the fraction done
                                (0..1) on the calling thread; a non-zero return
                                cancels with CRM_E_CANCELLED; NULL (default) = none */
    void *user;            /**< passed to progress; default NULL */
    const char *separator; /**< joins items in the text columns; non-empty, no
                                backslash as its first character; NULL (default)
                                = ", ". Borrowed for the call only */
    /* ---- v1.0 ends here; append new fields below only ---- */
    int32_t prune_redundant; /**< 1: drop the redundant rules (see "Redundant rules"
                                at the top of this header); 0: keep every rule;
                                default 0 */
} crm_apriori_options;

/**
 * Write the default options into `opts` (min_support 0.01, min_count 0,
 * max_len -1, target CRM_APRIORI_ALL, min_confidence 0, min_lift 0,
 * n_threads 0, no progress callback, separator NULL = ", ", prune_redundant 0).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK, CRM_E_INVALID (opts NULL or size smaller than the v1.0 struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_apriori_options_init(crm_apriori_options *opts, size_t size);

/**
 * Frequent itemsets and association rules of the transactions in `tx` (the
 * tables, conventions and ordering are described at the top of this header).
 * @param[in]  tx          long table, one row per (transaction, item)
 * @param[in]  tid_col     name of the transaction id column (any type)
 * @param[in]  item_col    name of the item column (text)
 * @param[in]  opts        options, or NULL for the defaults
 * @param[out] out_itemsets  the itemsets table, or NULL when not wanted; set
 *                           to NULL on failure. Ownership: caller
 *                           (crm_dataset_free).
 * @param[out] out_rules     the rules table, or NULL when not wanted (rules
 *                           are then not generated); set to NULL on failure.
 *                           Ownership: caller (crm_dataset_free).
 * @return CRM_OK;
 *         CRM_E_INVALID (tx, tid_col or item_col NULL, both outputs NULL,
 *         tid_col equal to item_col, no transactions (no row with a
 *         non-missing transaction id), min_support not in (0, 1] while
 *         min_count is 0, min_count < 0, max_len 0 or below -1,
 *         min_confidence not in [0, 1], min_lift negative or not finite,
 *         target unknown, n_threads < 0, an empty separator or one starting
 *         with a backslash, prune_redundant neither 0 nor 1, an itemset of
 *         more than 62 items when rules are wanted);
 *         CRM_E_NOTFOUND (no column named tid_col or item_col);
 *         CRM_E_TYPE (the item column is not a text column);
 *         CRM_E_FORMAT (opts from a newer library with unknown fields set);
 *         CRM_E_CANCELLED (the progress callback returned non-zero);
 *         CRM_E_NOMEM.
 * Ownership: the column names and opts (with separator) are only read
 * during the call.
 * Thread-safety: tx may be read by other threads meanwhile.
 */
CRM_API crm_status crm_apriori(const crm_dataset *tx, const char *tid_col, const char *item_col,
                               const crm_apriori_options *opts, crm_dataset **out_itemsets,
                               crm_dataset **out_rules);

CRM_END_DECL

#endif /* CRM_ASSOC_H */
