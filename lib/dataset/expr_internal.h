/*
 * Internal interface of the expression language (see the comment block above
 * crm_dataset_filter() in crm/dataset.h and docs/expressions.md). Never
 * installed. An expression is compiled once against a dataset's schema into
 * a linear program of vector instructions, then evaluated block by block.
 */
#ifndef CRM_DATASET_EXPR_INTERNAL_H
#define CRM_DATASET_EXPR_INTERNAL_H

#include "core/dataset_internal.h"

/* Rows evaluated per block. */
#define CRM__EXPR_BLOCK 1024

/* Deepest nesting of parentheses, function calls, `not` and unary minus. */
#define CRM__EXPR_MAX_DEPTH 100

typedef struct crm__expr crm__expr;

/* Compile `text` against the columns of ds. The program keeps column indices
 * and lookup tables built from ds's dictionaries, so it may only be evaluated
 * on ds itself, unchanged. Errors: CRM_E_INVALID, CRM_E_PARSE, CRM_E_NOTFOUND,
 * CRM_E_TYPE, CRM_E_NOMEM (the message starts with "expr:POSITION: "). */
crm_status crm__expr_compile(const crm_dataset *ds, const char *text, crm__expr **out);

/* Result type of a compiled expression (crm_type). */
int32_t crm__expr_type(const crm__expr *e);

/* Evaluate over all rows of ds into a new array of ds->nrows elements of the
 * result type (double, int64_t or int32_t codes). For text results *dict
 * receives one reference to the codes' dictionary; otherwise it is NULL.
 * On failure nothing is allocated. */
crm_status crm__expr_eval(const crm__expr *e, const crm_dataset *ds, void **data,
                          crm__dict **dict);

/* Indices of the rows where a number/boolean expression is true (non-zero and
 * not missing), ascending, in a new array (*rows, *n). CRM_E_TYPE when the
 * expression is text or time. */
crm_status crm__expr_select(const crm__expr *e, const crm_dataset *ds, size_t **rows, size_t *n);

void crm__expr_free(crm__expr *e);

#endif /* CRM_DATASET_EXPR_INTERNAL_H */
