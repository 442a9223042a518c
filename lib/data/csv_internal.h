/* Internal declarations of the CSV reader and writer. Never installed. */
#ifndef CRM_DATA_CSV_INTERNAL_H
#define CRM_DATA_CSV_INTERNAL_H

#include "data/dataset_internal.h"

/* Size of crm_csv_options as published in libcrm 1.0 (the smallest accepted). */
#define CRM__CSV_OPTIONS_V1_SIZE (offsetof(crm_csv_options, max_rows) + sizeof(int64_t))

extern const crm_csv_options crm__csv_defaults;
/* Copy the caller's options (NULL = defaults) per the size rule. */
crm_status crm__csv_options_load(crm_csv_options *dst, const crm_csv_options *user);

/* Checks shared by the reader and the writer: delimiter and quote bytes
 * (the delimiter 0 stands for default_delimiter when comparing with the
 * quote), the NA list and the date format. */
crm_status crm__csv_options_check(const crm_csv_options *o, int32_t default_delimiter);

/* Read a whole file into memory, decompressing gzip (by magic bytes) when
 * needed. *out is NUL-terminated (not counted in *len). Errors: CRM_E_IO
 * (open/read failure, truncated or corrupt gzip; message names the path),
 * CRM_E_NOMEM. Also used by crm_dataset_read_baskets(). */
crm_status crm__read_file(const char *path, char **out, size_t *len);

/* Decompress a complete gzip stream (concatenated members allowed) held in
 * memory into a new NUL-terminated buffer. `name` is used in error messages.
 * Errors: CRM_E_IO (truncated or corrupt data), CRM_E_NOMEM. */
crm_status crm__gunzip(const unsigned char *src, size_t n, const char *name, char **out,
                       size_t *len);

/* zlib allocation hooks routing zlib's memory through the library allocator
 * (so allocation-failure injection reaches it). Defined in fileio.c; the
 * types are zlib's voidpf/uInt written out to keep zlib.h out of this header. */
void *crm__zalloc(void *opaque, unsigned items, unsigned size);
void crm__zfree(void *opaque, void *p);

#endif /* CRM_DATA_CSV_INTERNAL_H */
