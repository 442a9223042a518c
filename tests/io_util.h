/* File helpers of the io suites: scratch directories, whole files, directory
 * listings, and a file-size limit (RLIMIT_FSIZE) that makes writes fail
 * part-way, as a full disk would. */
#ifndef CRM_TEST_IO_UTIL_H
#define CRM_TEST_IO_UTIL_H

#include "test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* A new empty directory ($TMPDIR or /tmp) into buf. */
static inline void io_mkdtemp(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, size, "%s/crm_check_io_XXXXXX", base && base[0] ? base : "/tmp");
    ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s: %s", buf, strerror(errno));
}

/* dir/name into buf (a static buffer per call site is the caller's). */
static inline const char *io_join(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < size);
    return buf;
}

/* Create or overwrite path with n bytes and the given mode (chmod, so the
 * umask does not apply). */
static inline void io_put(const char *path, const char *bytes, size_t n, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
}

/* The whole file (malloc, NUL-terminated, length in *n), or NULL when it
 * cannot be opened. */
static inline char *io_get(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    for (;;) {
        len += fread(s + len, 1, cap - len - 1, f);
        if (len < cap - 1) break;
        cap *= 2;
        s = realloc(s, cap);
        ck_assert_ptr_nonnull(s);
    }
    ck_assert_int_eq(ferror(f), 0);
    fclose(f);
    s[len] = '\0';
    *n = len;
    return s;
}

/* path holds exactly these n bytes. */
static inline void io_assert_bytes(const char *path, const char *bytes, size_t n)
{
    size_t got = 0;
    char *s = io_get(path, &got);
    ck_assert_msg(s != NULL, "%s: cannot be read (%s)", path, strerror(errno));
    ck_assert_msg(got == n && memcmp(s, bytes, n) == 0,
                  "%s: holds %zu bytes (\"%.40s\"...), expected %zu (\"%.40s\"...)", path, got, s,
                  n, bytes);
    free(s);
}

/* Permission bits of path (following links). */
static inline unsigned io_mode(const char *path)
{
    struct stat sb;
    ck_assert_msg(stat(path, &sb) == 0, "%s: %s", path, strerror(errno));
    return (unsigned)(sb.st_mode & 07777);
}

static inline int io_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted and joined by single spaces, into buf. */
static inline const char *io_listing(const char *dir, char *buf, size_t size)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        ck_assert_uint_lt(n, 256);
        names[n] = strdup(e->d_name);
        ck_assert_ptr_nonnull(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, io_cmp_names);
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? " " : "", names[i]);
        ck_assert(w >= 0 && (size_t)w < size - len);
        len += (size_t)w;
        free(names[i]);
    }
    return buf;
}

/* dir holds exactly the names in `want` (sorted, space-separated): no
 * temporary left behind, nothing new created. */
#define io_assert_listing(dir, want)                                                               \
    do {                                                                                           \
        char lst_[4096];                                                                           \
        const char *got_ = io_listing((dir), lst_, sizeof lst_);                                   \
        ck_assert_msg(strcmp(got_, (want)) == 0, "%s holds \"%s\", expected \"%s\"", (dir), got_,  \
                      (want));                                                                     \
    } while (0)

/* Remove dir and everything in it (links are removed, not followed). */
static inline void io_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            io_rmtree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Limit the size of files this process writes: a write past `bytes` fails
 * with EFBIG (SIGXFSZ is ignored so that it does not end the process). This
 * works for root too. Undo with io_unlimit(). Both return 0 or an errno and
 * make no Check call: Check itself writes to a file, so nothing may assert
 * between the two. */
static struct rlimit io_saved_limit;

static inline int io_limit_file_size(rlim_t bytes)
{
    if (getrlimit(RLIMIT_FSIZE, &io_saved_limit) != 0) return errno;
    struct rlimit r = io_saved_limit;
    r.rlim_cur = bytes;
    signal(SIGXFSZ, SIG_IGN);
    return setrlimit(RLIMIT_FSIZE, &r) != 0 ? errno : 0;
}

static inline int io_unlimit(void)
{
    int e = setrlimit(RLIMIT_FSIZE, &io_saved_limit) != 0 ? errno : 0;
    signal(SIGXFSZ, SIG_DFL);
    return e;
}

#endif /* CRM_TEST_IO_UTIL_H */
