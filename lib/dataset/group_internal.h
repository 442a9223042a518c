/* Shared between crm_dataset_group (group.c) and its mergeable statistics (group_stats.c). */
#ifndef CRM_DATASET_GROUP_INTERNAL_H
#define CRM_DATASET_GROUP_INTERNAL_H

#include "core/internal.h"

/* Correctly rounded S / cnt where S is the exact sum held by F (cnt > 0). */
double crm__group_exact_mean(const crm__fsum *F, size_t cnt);

#endif /* CRM_DATASET_GROUP_INTERNAL_H */
