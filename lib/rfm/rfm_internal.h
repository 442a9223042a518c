/* Shared between crm_rfm (rfm.c) and its mergeable statistics (rfm_stats.c), so that both
 * validate, score and label with the same code. */
#ifndef CRM_RFM_INTERNAL_H
#define CRM_RFM_INTERNAL_H

#include "core/dataset_internal.h"

/* The transaction columns crm_rfm reads. */
typedef struct rfm_input {
    const crm__column *cust;
    const crm__column *inv; /* NULL: frequency counts rows */
    const int64_t *date;
    const double *a;        /* amount, or NULL: */
    const double *q, *pr;   /* quantity and price */
    size_t nrows;
} rfm_input;

/* The number columns of the table, in order; SCORE is rfm_score. */
enum { REC, FREQ, MON, TEN, RS, FS, MS, SCORE, NNUM };

/* Options with defaults, checked (bins, windows, churn_days sign). */
crm_status crm__rfm_load_options(const crm_rfm_options *user, crm_rfm_options *o);
/* The named columns with their types (no row-count check). */
crm_status crm__rfm_find_input(const crm_dataset *tx, const crm_rfm_options *o, rfm_input *in);
/* Every row has a customer, a date (not after an explicit as_of), an invoice when counted and
 * an amount that is a finite number > 0; errors name the 0-based row. */
crm_status crm__rfm_validate_rows(const rfm_input *in, const crm_rfm_options *o);
/* The default as_of: midnight UTC after tmax. */
crm_status crm__rfm_as_of_after(int64_t tmax, const char *fn, const char *date_col, int64_t *out);
/* r/f/m scores and rfm_score into out_num[RS..SCORE] from out_num[REC], [FREQ], [MON]. */
crm_status crm__rfm_scores(double *const *out_num, size_t n, int32_t bins);
/* res (holding the customer column, n rows) + the number columns (taken from out_num,
 * set to NULL) + the labels -> *out; res is freed on failure. */
crm_status crm__rfm_emit(crm_dataset *res, size_t n, double **out_num, const crm_rfm_options *o,
                         crm_dataset **out);

/* The rows grouped by customer, customers ascending as in crm_rfm's table: customer p's rows
 * are (*rows)[(*start)[p] .. (*start)[p + 1]), ascending; *n customers. *rows (nrows) and
 * *start (n + 1) are the caller's (crm__free), NULL on failure. */
crm_status crm__rfm_customer_rows(const rfm_input *in, size_t **rows, size_t **start, size_t *n);

#endif /* CRM_RFM_INTERNAL_H */
