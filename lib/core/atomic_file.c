/* Atomic file output (see atomic_file.h for the rule) and crm_file_write(). */
#define _POSIX_C_SOURCE 200809L
#include "core/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Symbolic links followed before giving up (Linux's own limit). */
#define MAX_LINKS 40
/* Bytes of the target's name kept in the temporary's name (NAME_MAX is 255). */
#define MAX_BASE 200
/* Names tried before giving up when every one exists. */
#define MAX_TRIES 100

static crm_status open_error(const char *path, int err)
{
    char eb[CRM__STRERROR_SIZE];
    return crm__error(CRM_E_IO, "%s: cannot open for writing: %s", path,
                      crm__strerror(err, eb, sizeof eb));
}

static crm_status write_error(const char *path, int err)
{
    char eb[CRM__STRERROR_SIZE];
    return crm__error(CRM_E_IO, "%s: cannot write: %s", path,
                      crm__strerror(err ? err : EIO, eb, sizeof eb));
}

/* Length of the directory part of p, its last '/' included (0: none). */
static size_t dir_len(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? (size_t)(s - p) + 1 : 0;
}

static void release(crm__afile *f)
{
    crm__free(f->target);
    crm__free(f->tmp);
    f->target = NULL;
    f->tmp = NULL;
    f->fd = -1;
}

/* The contents of symbolic link `link` as a new string. */
static crm_status read_link(const char *path, const char *link, char **out)
{
    for (size_t cap = 256;; cap *= 2) {
        if (cap > ((size_t)1 << 20)) return open_error(path, ENAMETOOLONG);
        char *s = crm__malloc(cap);
        if (!s) return crm__nomem();
        ssize_t n = readlink(link, s, cap);
        if (n < 0) {
            int e = errno;
            crm__free(s);
            return open_error(path, e);
        }
        if ((size_t)n < cap) {
            s[n] = '\0';
            *out = s;
            return CRM_OK;
        }
        crm__free(s);
    }
}

/* Follow the chain of symbolic links that starts at path to the file it
 * names, which need not exist yet (*out: a new string). */
static crm_status resolve(const char *path, char **out)
{
    char *cur = crm__strdup(path);
    if (!cur) return crm__nomem();
    for (int hops = 0;; hops++) {
        struct stat sb;
        if (lstat(cur, &sb) != 0) {
            int e = errno;
            if (e == ENOENT) break; /* a new file (possibly through a dangling link) */
            crm__free(cur);
            return open_error(path, e);
        }
        if (!S_ISLNK(sb.st_mode)) break;
        char *link = NULL;
        crm_status st = hops < MAX_LINKS ? read_link(path, cur, &link) : open_error(path, ELOOP);
        if (st) {
            crm__free(cur);
            return st;
        }
        if (link[0] != '/') {
            /* relative to the directory holding the link */
            size_t d = dir_len(cur), n = strlen(link);
            char *next = crm__malloc(d + n + 1);
            if (!next) {
                crm__free(link);
                crm__free(cur);
                return crm__nomem();
            }
            memcpy(next, cur, d);
            memcpy(next + d, link, n + 1);
            crm__free(link);
            link = next;
        }
        crm__free(cur);
        cur = link;
    }
    *out = cur;
    return CRM_OK;
}

/* Write to a special file where it is (no temporary). */
static crm_status open_direct(crm__afile *f)
{
    int fd = open(f->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return open_error(f->path, errno);
    struct stat sb;
    int e = fstat(fd, &sb) != 0   ? errno
            : S_ISDIR(sb.st_mode) ? EISDIR
            : S_ISREG(sb.st_mode) ? EAGAIN
                                  : 0;
    if (e) {
        /* replaced by a regular file since it was looked at: never write one in place */
        close(fd);
        return open_error(f->path, e);
    }
    f->fd = fd;
    return CRM_OK;
}

/* 8 letters and digits for a temporary's name; `salt` differs between tries. */
static void random_suffix(char *s, const void *where, uint64_t salt)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
                 (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)where ^
                 salt * 0x9e3779b97f4a7c15ULL;
    x = crm__mix64(x);
    for (int i = 0; i < 8; i++) {
        s[i] = abc[x % 62];
        x /= 62;
    }
}

/* Write a regular (or new) file through a temporary next to its target. */
static crm_status open_temp(crm__afile *f)
{
    crm_status st = resolve(f->path, &f->target);
    if (st) return st;
    struct stat old;
    int have_old = 0;
    if (stat(f->target, &old) == 0) {
        have_old = 1;
        if (!S_ISREG(old.st_mode)) {
            st = open_error(f->path, S_ISDIR(old.st_mode) ? EISDIR : EAGAIN);
            release(f);
            return st;
        }
    } else if (errno != ENOENT) {
        st = open_error(f->path, errno);
        release(f);
        return st;
    }
    size_t d = dir_len(f->target), base = strlen(f->target) - d;
    if (base == 0) {
        release(f);
        return open_error(f->path, EISDIR);
    }
    if (base > MAX_BASE) base = MAX_BASE;
    /* DIR/.NAME.XXXXXXXX */
    f->tmp = crm__malloc(d + 1 + base + 1 + 8 + 1);
    if (!f->tmp) {
        release(f);
        return crm__nomem();
    }
    memcpy(f->tmp, f->target, d);
    f->tmp[d] = '.';
    memcpy(f->tmp + d + 1, f->target + d, base);
    f->tmp[d + 1 + base] = '.';
    f->tmp[d + 1 + base + 1 + 8] = '\0';
    int fd = -1;
    for (uint64_t i = 0; i < MAX_TRIES && fd < 0; i++) {
        random_suffix(f->tmp + d + 1 + base + 1, f, i);
        /* 0666: the process's umask applies, as for fopen() */
        fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) {
            st = open_error(f->path, errno);
            release(f);
            return st;
        }
    }
    if (fd < 0) {
        release(f);
        return open_error(f->path, EEXIST);
    }
    f->fd = fd;
    if (have_old) {
        /* the replacement keeps the owner (where allowed) and the mode */
        struct stat now;
        if (fstat(fd, &now) == 0 && (now.st_uid != old.st_uid || now.st_gid != old.st_gid) &&
            fchown(fd, old.st_uid, old.st_gid) != 0) {
            /* not allowed (not root): the file becomes the writer's, like a new one */
        }
        if (fchmod(fd, old.st_mode & 07777) != 0 && errno != EPERM) {
            st = open_error(f->path, errno);
            crm__afile_abort(f);
            return st;
        }
    }
    return CRM_OK;
}

/* The descriptor a name of an open descriptor stands for: /dev/stdout (1),
 * /dev/stderr (2), /dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N; -1
 * for any other name. */
static int fd_name(const char *p)
{
    static const char *const prefix[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"};
    if (strcmp(p, "/dev/stdout") == 0) return 1;
    if (strcmp(p, "/dev/stderr") == 0) return 2;
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
        size_t n = strlen(prefix[i]);
        if (strncmp(p, prefix[i], n) != 0) continue;
        long fd = 0;
        const char *d = p + n;
        if (!*d) return -1;
        for (; *d; d++) {
            if (*d < '0' || *d > '9' || fd > 100000000L) return -1;
            fd = fd * 10 + (*d - '0');
        }
        return (int)fd;
    }
    return -1;
}

/* The open descriptor that path names, directly or through symbolic links
 * (an application's link to /dev/stdout, say), or -1. Those names are links
 * into /proc whose targets are the file the descriptor has open (or
 * "pipe:[...]"): replacing that file would cut the descriptor off from it,
 * so such a path is written through the descriptor instead. */
static int named_fd(const char *path)
{
    char cur[4096], link[4096];
    size_t len = strlen(path);
    if (len >= sizeof cur) return -1;
    memcpy(cur, path, len + 1);
    for (int hops = 0; hops <= MAX_LINKS; hops++) {
        int fd = fd_name(cur);
        if (fd >= 0) return fd;
        struct stat sb;
        if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode)) return -1;
        ssize_t n = readlink(cur, link, sizeof link);
        if (n < 0 || (size_t)n >= sizeof link) return -1;
        link[n] = '\0';
        if (link[0] == '/') {
            memcpy(cur, link, (size_t)n + 1);
        } else {
            size_t d = dir_len(cur);
            if (d + (size_t)n >= sizeof cur) return -1;
            memcpy(cur + d, link, (size_t)n + 1);
        }
    }
    return -1;
}

crm_status crm__afile_open(crm__afile *f, const char *path)
{
    f->path = path;
    f->target = NULL;
    f->tmp = NULL;
    f->fd = -1;
    if (!path[0]) return open_error(path, ENOENT);
    int named = named_fd(path);
    if (named >= 0) {
        /* a duplicate shares the offset (and O_APPEND) with the caller's descriptor */
        int fd = fcntl(named, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) return open_error(path, errno);
        f->fd = fd;
        return CRM_OK;
    }
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) return open_error(path, EISDIR);
        if (!S_ISREG(sb.st_mode)) return open_direct(f); /* device, FIFO, socket */
    } else if (errno != ENOENT) {
        return open_error(path, errno);
    }
    return open_temp(f);
}

crm_status crm__afile_write(crm__afile *f, const void *data, size_t len)
{
    if (f->fd < 0) return write_error(f->path, EBADF);
    const char *p = data;
    while (len > 0) {
        size_t chunk = len < ((size_t)1 << 30) ? len : ((size_t)1 << 30);
        ssize_t w = write(f->fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR) continue;
            return write_error(f->path, errno);
        }
        if (w == 0) return write_error(f->path, EIO);
        p += w;
        len -= (size_t)w;
    }
    return CRM_OK;
}

void crm__afile_abort(crm__afile *f)
{
    if (f->fd >= 0) close(f->fd);
    if (f->tmp) unlink(f->tmp);
    release(f);
}

crm_status crm__afile_commit(crm__afile *f)
{
    if (f->fd < 0) {
        crm__afile_abort(f);
        return write_error(f->path, EBADF);
    }
    if (!f->tmp) { /* a special file: only its close can still fail */
        int r = close(f->fd);
        int e = errno;
        f->fd = -1;
        release(f);
        return r != 0 && e != EINTR ? write_error(f->path, e) : CRM_OK;
    }
    crm_status st;
    if (fsync(f->fd) != 0 && errno != EINVAL) { /* EINVAL: the file system cannot sync */
        st = write_error(f->path, errno);
        crm__afile_abort(f);
        return st;
    }
    int r = close(f->fd);
    int e = errno;
    f->fd = -1;
    if (r != 0 && e != EINTR) {
        st = write_error(f->path, e);
        crm__afile_abort(f);
        return st;
    }
    if (rename(f->tmp, f->target) != 0) {
        char eb[CRM__STRERROR_SIZE];
        st = crm__error(CRM_E_IO, "%s: cannot replace the file: %s", f->path,
                        crm__strerror(errno, eb, sizeof eb));
        crm__afile_abort(f);
        return st;
    }
    /* Make the rename itself durable: fsync the directory (its path is the
     * temporary's up to the last '/'). A failure changes nothing any more. */
    size_t d = dir_len(f->tmp);
    if (d == 0) {
        f->tmp[0] = '.';
        f->tmp[1] = '\0';
    } else {
        f->tmp[d] = '\0';
    }
    int dfd = open(f->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0) {
            /* not supported everywhere; the file is in place already */
        }
        close(dfd);
    }
    crm__free(f->tmp);
    f->tmp = NULL; /* renamed: nothing to remove */
    release(f);
    return CRM_OK;
}

crm_status crm__write_file(const char *path, const void *data, size_t len)
{
    crm__afile f;
    crm_status st = crm__afile_open(&f, path);
    if (st) return st;
    if ((st = crm__afile_write(&f, data, len))) {
        crm__afile_abort(&f);
        return st;
    }
    return crm__afile_commit(&f);
}

crm_status crm_file_write(const char *path, const char *data, size_t len)
{
    if (!path) return crm__error(CRM_E_INVALID, "crm_file_write: path is NULL");
    if (!data && len > 0) return crm__error(CRM_E_INVALID, "crm_file_write: data is NULL");
    return crm__write_file(path, data, len);
}
