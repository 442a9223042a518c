/*
 * Atomic file output: every file libcrm writes (CSV, gzip CSV, model JSON,
 * crm_file_write()) goes through this service, and so must any future writer.
 *
 * The rule. Writing to PATH either replaces it as a whole or leaves it exactly
 * as it was:
 * - A regular file, existing or new, is written to a temporary file created
 *   with O_CREAT | O_EXCL in the directory of the file being replaced (named
 *   ".NAME.XXXXXXXX"); when PATH is a symbolic link the chain is followed and
 *   its final target is replaced, so the link itself stays a link. The bytes
 *   are written, fsync()ed, the temporary gets the permission bits (and, where
 *   allowed, the owner) of the file it replaces - a new file gets
 *   0666 & ~umask like fopen() - and only then is it renamed over the target;
 *   the directory is fsync()ed after the rename. On any failure the temporary
 *   is removed: an existing file keeps its bytes and mode, no new file appears.
 *   (Hard links to the old file keep the old contents; extended attributes and
 *   ACLs of the old file are not copied.)
 * - Special files - character and block devices (/dev/null, /dev/full), FIFOs,
 *   sockets, also reached through a symbolic link such as /dev/stdout - are
 *   written directly: no temporary, no rename, and they are never removed. A
 *   write error there is reported as an error.
 * - A name of an open descriptor - /dev/stdout, /dev/stderr, /dev/fd/N,
 *   /proc/self/fd/N, or a symbolic link to one - is written through a
 *   duplicate of that descriptor (sharing its offset and O_APPEND), whatever
 *   it has open: the file it has open is never replaced or removed.
 * - A directory is refused (CRM_E_IO, nothing touched).
 * The process may still be killed between the creation of the temporary and
 * the rename; a ".NAME.XXXXXXXX" file may then stay behind (never the
 * target). Opening a FIFO blocks until a reader opens it, and writing to a
 * FIFO whose reader went away raises SIGPIPE, as with any write.
 *
 * Use:
 *     crm__afile f;
 *     crm_status st = crm__afile_open(&f, path);
 *     if (st) return st;                      (nothing to release)
 *     st = crm__afile_write(&f, bytes, n);    (any number of times)
 *     if (st) { crm__afile_abort(&f); return st; }
 *     return crm__afile_commit(&f);           (releases f, also on failure)
 * crm__write_file() does the three steps for one buffer.
 *
 * Errors are CRM_E_IO with a message naming the path and the system's reason
 * ("PATH: cannot open for writing: ...", "PATH: cannot write: ..."), or
 * CRM_E_NOMEM. Thread-safety: distinct crm__afile values are independent; two
 * writers of the same path each write a whole file, the last rename wins.
 */
#ifndef CRM_CORE_ATOMIC_FILE_H
#define CRM_CORE_ATOMIC_FILE_H

#include "core/internal.h"

typedef struct crm__afile {
    const char *path; /* as the caller gave it (borrowed), for messages */
    char *target;     /* the file replaced on commit (symbolic links resolved) */
    char *tmp;        /* the temporary; NULL when written directly */
    int fd;           /* -1 when closed */
} crm__afile;

/* Open PATH for writing as described above. On failure nothing was created
 * and f needs no release. */
crm_status crm__afile_open(crm__afile *f, const char *path);

/* Append len bytes (data may be NULL when len is 0). On failure call
 * crm__afile_abort(). */
crm_status crm__afile_write(crm__afile *f, const void *data, size_t len);

/* Make the bytes written so far the contents of PATH: flush, fsync, rename
 * (or, for a special file, close). Releases f whatever the result; on failure
 * PATH is as it was before crm__afile_open() (a special file may have
 * received part of the bytes). */
crm_status crm__afile_commit(crm__afile *f);

/* Give up: close and remove the temporary (a special file is only closed).
 * Releases f; harmless on a released f. */
void crm__afile_abort(crm__afile *f);

/* Open, write [data, data + len) and commit. */
crm_status crm__write_file(const char *path, const void *data, size_t len);

#endif /* CRM_CORE_ATOMIC_FILE_H */
