/* File reading, a core service: chunk sources over files and memory (plain or
 * gzip) used by the CSV and basket readers, and whole-file reads used by the
 * model loader. Never installed. */
#ifndef CRM_CORE_FILEIO_H
#define CRM_CORE_FILEIO_H

#include "core/internal.h"

/* Chunk sources.
 * The text of a file or of a memory buffer, gzip-decompressed when it starts
 * with gzip's magic bytes (concatenated members and zero padding after the
 * last member allowed), handed out one chunk at a time by crm__src_next().
 * A source holds O(chunk) memory whatever the input's size, and never sizes
 * an allocation from a length the input claims (gzip's ISIZE trailer).
 *
 * The "next chunk" call is the only way text leaves a source, so a source that
 * inflates on a thread of its own can later implement the same call by
 * handing over buffers it filled ahead.
 *
 * Limits: max_bytes > 0 refuses text longer than max_bytes bytes; 0 applies the
 * default: no limit for plain text, and for gzip data CRM__GZ_RATIO (100) times
 * the compressed size (that of the file or buffer; for a pipe, the compressed
 * bytes read so far), at least 64 MiB. hard_cap > 0 is a further cap (e.g. for
 * model files) named by cap_what in the message. Going past a limit is
 * CRM_E_IO naming the input and the limit. */
typedef struct crm__src crm__src;

/* Open a file. Errors: CRM_E_IO (cannot open, a directory), CRM_E_NOMEM. */
crm_status crm__src_open_file(const char *path, int64_t max_bytes, int64_t hard_cap,
                              const char *cap_what, crm__src **out);
/* Whether the n bytes at p start with gzip's magic bytes. */
int crm__is_gzip(const void *p, size_t n);

/* A source over len bytes at buf (not copied: they must outlive the source);
 * `name` is used in messages. */
crm_status crm__src_open_mem(const void *buf, size_t len, const char *name, int64_t max_bytes,
                             crm__src **out);
/* Next chunk: up to cap bytes of text into dst; *got = 0 only at the end of
 * the text. Errors (sticky: later calls return them again): CRM_E_IO (read
 * error, truncated or corrupt gzip data, a limit), CRM_E_NOMEM. */
crm_status crm__src_next(crm__src *s, char *dst, size_t cap, size_t *got);
/* 1 when crm__src_rewind() works: memory, regular files (not pipes). */
int crm__src_rewindable(const crm__src *s);
/* Start again from the first byte of the text. */
crm_status crm__src_rewind(crm__src *s);
/* Check the rest of the input as the whole-file reader did before any CSV
 * error: inflate (and drop) the rest of gzip data, so that truncated or
 * corrupt data and the limit are reported; plain text is only compared with
 * the limit by its size. CRM_OK when the source already failed. */
crm_status crm__src_drain(crm__src *s);
int crm__src_is_gzip(const crm__src *s);
/* Size of the text for sizing buffers, never for limits: exact for plain text
 * of known size (memory, regular file); for gzip data of known compressed size
 * the expansion seen so far times that size (at most 20 times it, within the
 * limit); else -1. */
int64_t crm__src_text_estimate(const crm__src *s);
void crm__src_close(crm__src *s);
/* Allow the source to inflate gzip data in one piece (libdeflate, about 2.7
 * times zlib's speed) before the first chunk: a regular file or a buffer
 * whose text fits 40 times its compressed size, the limit and 64 MiB. Memory
 * is then the text as a whole (at most 64 MiB) instead of O(chunk); on any
 * failure the source streams through zlib from the first byte, with zlib's
 * messages. For readers that read the whole text (not with max_rows). A
 * no-op in builds without libdeflate. */
void crm__src_allow_whole(crm__src *s);

/* Read a whole file (gzip-decompressed when needed) into a new NUL-terminated
 * buffer (*len excludes the NUL), under the default limit and hard_cap (0 =
 * none). Used for model files. Errors: as crm__src_next(), CRM_E_NOMEM. */
crm_status crm__read_file(const char *path, int64_t hard_cap, const char *cap_what, char **out,
                          size_t *len);

/* zlib allocation hooks routing zlib's memory through the library allocator
 * (so allocation-failure injection reaches it). Defined in fileio.c; the
 * types are zlib's voidpf/uInt written out to keep zlib.h out of this header. */
void *crm__zalloc(void *opaque, unsigned items, unsigned size);
void crm__zfree(void *opaque, void *p);

#endif /* CRM_CORE_FILEIO_H */
