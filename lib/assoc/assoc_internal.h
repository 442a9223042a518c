/* Shared between crm_apriori (apriori.c) and its mergeable statistics (apriori_stats.c). */
#ifndef CRM_ASSOC_INTERNAL_H
#define CRM_ASSOC_INTERNAL_H

#include "core/dataset_internal.h"

/* Steps 5-8 of crm_apriori (item text, closed/maximal, the itemsets and rules tables) over
 * sets counted elsewhere: items[0..nitems) distinct strings (their index is their id); set i
 * has the ids ids[off[i]..off[i + 1]) and count[i] of ntx transactions. Sets below the
 * minimum count of the options are dropped; every subset of a kept set must be a set. */
crm_status crm__apriori_emit(const crm_apriori_options *user, size_t ntx,
                             const char *const *items, size_t nitems, const size_t *off,
                             const int32_t *ids, const int64_t *count, size_t nsets,
                             crm_dataset **out_itemsets, crm_dataset **out_rules);

/* The caller's options (NULL: the defaults) into *dst under the options ABI rule
 * (crm__options_load with the published first layout), for crm_apriori and the statistics. */
crm_status crm__apriori_options_load(crm_apriori_options *dst, const crm_apriori_options *user);

#endif /* CRM_ASSOC_INTERNAL_H */
