/* Shared between crm_dataset_group (group.c) and its mergeable statistics (group_stats.c). */
#ifndef CRM_DATASET_GROUP_INTERNAL_H
#define CRM_DATASET_GROUP_INTERNAL_H

#include "core/internal.h"

/* Correctly rounded S / cnt where S is the exact sum held by F (cnt > 0). */
double crm__group_exact_mean(const crm__fsum *F, size_t cnt);

/* The rows' groups, as crm_dataset_group finds them: gid[r] (n = ds->nrows entries, the
 * caller's) the dense id of row r's group, *rep[g] a row of group g, *order the ng group ids
 * by key ascending (numbers and times ascending, text by bytes, missing last: the crm__kcol
 * order). *rep and *order are the caller's (crm__free), NULL on failure. kidx: key columns. */
crm_status crm__group_rows(const crm_dataset *ds, const size_t *kidx, size_t nkeys, uint32_t *gid,
                           int64_t **rep, uint32_t **order, size_t *ng);

#endif /* CRM_DATASET_GROUP_INTERNAL_H */
