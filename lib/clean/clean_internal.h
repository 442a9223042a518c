/* Helpers shared by the cleaning module. Never installed. */
#ifndef CRM_CLEAN_CLEAN_INTERNAL_H
#define CRM_CLEAN_CLEAN_INTERNAL_H

#include "crm/clean.h"
#include "core/dataset_internal.h"

/* Keep only the rows whose keep[r] is non-zero, in order, in place: the new
 * columns are built first and swapped in on success (ds unchanged on
 * failure). *removed gets the number of rows dropped. */
crm_status crm__clean_keep_rows(crm_dataset *ds, const unsigned char *keep, size_t *removed);

#endif /* CRM_CLEAN_CLEAN_INTERNAL_H */
