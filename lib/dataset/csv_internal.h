/* Internal declarations of the CSV reader and writer. Never installed. */
#ifndef CRM_DATASET_CSV_INTERNAL_H
#define CRM_DATASET_CSV_INTERNAL_H

#include "core/dataset_internal.h"
#include "core/fileio.h"

/* Size of crm_csv_options as published in libcrm 1.0 (the smallest accepted). */
#define CRM__CSV_OPTIONS_V1_SIZE (offsetof(crm_csv_options, max_rows) + sizeof(int64_t))

extern const crm_csv_options crm__csv_defaults;
/* Copy the caller's options (NULL = defaults) per the size rule. */
crm_status crm__csv_options_load(crm_csv_options *dst, const crm_csv_options *user);

/* Checks shared by the reader and the writer: delimiter and quote bytes
 * (the delimiter 0 stands for default_delimiter when comparing with the
 * quote), the NA list and the date format. */
crm_status crm__csv_options_check(const crm_csv_options *o, int32_t default_delimiter);

/* Internal entry points of the CSV reader for tests: read with a window of
 * `window` bytes (0 = the default) from a file, or from memory through the
 * streaming path (as a file would be read). */
crm_status crm__csv_read_file_window(const char *path, const crm_csv_options *opts,
                                     size_t window, crm_dataset **out);
crm_status crm__csv_read_mem_window(const char *buf, size_t len, const crm_csv_options *opts,
                                    size_t window, crm_dataset **out);

#endif /* CRM_DATASET_CSV_INTERNAL_H */
