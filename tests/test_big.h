/* Helpers for tests on big inputs: gzip files that expand enormously (built
 * without compressing gigabytes), and peak memory of a call run in a child
 * process. */
#ifndef CRM_TEST_BIG_H
#define CRM_TEST_BIG_H

#include "test_util.h"

#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* Raw deflate of [p, p + n) ended by a full flush: a byte-aligned run of
 * blocks that does not refer to earlier data, so copies of it can follow each
 * other. *out is malloc'd. */
static inline size_t big_deflate_block(const void *p, size_t n, int finish, unsigned char **out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n) + 64;
    unsigned char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)n;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    int zr = deflate(&zs, finish ? Z_FINISH : Z_FULL_FLUSH);
    ck_assert_int_eq(zr, finish ? Z_STREAM_END : Z_OK);
    size_t len = cap - zs.avail_out;
    deflateEnd(&zs);
    *out = buf;
    return len;
}

/* Write a gzip file whose text is head followed by `repeats` copies of
 * chunk (one member; ISIZE = the true size modulo 2^32). Returns the size of
 * the text. */
static inline uint64_t big_write_gzip(const char *path, const void *head, size_t head_len,
                                      const void *chunk, size_t chunk_len, size_t repeats)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    static const unsigned char gz_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    ck_assert_uint_eq(fwrite(gz_header, 1, 10, f), 10);
    unsigned char *blk;
    size_t n;
    uLong crc = crc32(0L, Z_NULL, 0);
    if (head_len) {
        n = big_deflate_block(head, head_len, 0, &blk);
        ck_assert_uint_eq(fwrite(blk, 1, n, f), n);
        free(blk);
        crc = crc32(crc, head, (uInt)head_len);
    }
    n = big_deflate_block(chunk, chunk_len, 0, &blk);
    uLong chunk_crc = crc32(crc32(0L, Z_NULL, 0), chunk, (uInt)chunk_len);
    for (size_t i = 0; i < repeats; i++) {
        ck_assert_uint_eq(fwrite(blk, 1, n, f), n);
        crc = crc32_combine(crc, chunk_crc, (z_off_t)chunk_len);
    }
    free(blk);
    n = big_deflate_block("", 0, 1, &blk);
    ck_assert_uint_eq(fwrite(blk, 1, n, f), n);
    free(blk);
    uint64_t total = head_len + (uint64_t)chunk_len * repeats;
    unsigned char trailer[8];
    for (int i = 0; i < 4; i++) {
        trailer[i] = (unsigned char)(crc >> (8 * i));
        trailer[4 + i] = (unsigned char)(total >> (8 * i));
    }
    ck_assert_uint_eq(fwrite(trailer, 1, 8, f), 8);
    ck_assert_int_eq(fclose(f), 0);
    return total;
}

/* What a call run in a child process gave: its status and message, its peak
 * resident set (the child alone) and wall time. */
typedef struct big_run {
    int status;   /* crm_status, or 100 + k when the child's own check k failed */
    char msg[1024];
    long peak_kb;
    double secs;
} big_run;

/* Run fn(arg) in a child. fn returns a crm_status (or 100 + k for a failed
 * check of its own); the message of crm_last_error() comes back too. */
static inline big_run big_measure(int (*fn)(void *), void *arg)
{
    big_run r;
    memset(&r, 0, sizeof r);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int st = fn(arg);
        const char *m = crm_last_error();
        ssize_t w = write(fds[1], m, strlen(m));
        (void)w;
        close(fds[1]);
        _exit(st < 0 ? -st : st);
    }
    close(fds[1]);
    size_t k = 0;
    ssize_t got;
    while (k < sizeof r.msg - 1 && (got = read(fds[0], r.msg + k, sizeof r.msg - 1 - k)) > 0)
        k += (size_t)got;
    r.msg[k] = '\0';
    close(fds[0]);
    int ws = 0;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &ws, 0, &ru), pid);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_msg(WIFEXITED(ws), "child did not exit normally (signal %d)",
                  WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    int code = WEXITSTATUS(ws);
    r.status = code >= 100 ? code : -code;
    r.peak_kb = ru.ru_maxrss;
    r.secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    return r;
}

/* Peak memory bounds are not meaningful under AddressSanitizer (shadow
 * memory, quarantine): there the figures are printed but not compared. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_RSS_CHECKED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_RSS_CHECKED 0
#endif
#endif
#ifndef BIG_RSS_CHECKED
#define BIG_RSS_CHECKED 1
#endif

/* Nor under valgrind, which preloads its own libraries. */
static inline int big_rss_checked(void)
{
    const char *pre = getenv("LD_PRELOAD");
    if (pre && strstr(pre, "vgpreload"))
        return 0;
    return BIG_RSS_CHECKED;
}

#define big_assert_peak_below(r, mib)                                                              \
    do {                                                                                           \
        if (big_rss_checked())                                                                     \
            ck_assert_msg((r).peak_kb < (long)(mib)*1024, "peak RSS %ld KiB, bound %d MiB",        \
                          (r).peak_kb, (int)(mib));                                                \
        else                                                                                       \
            printf("peak RSS %ld KiB not compared with %d MiB (sanitizer or valgrind)\n",          \
                   (r).peak_kb, (int)(mib));                                                       \
    } while (0)

#endif /* CRM_TEST_BIG_H */
