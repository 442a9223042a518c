/* Scratch files for the Check suites: temporary names, whole files, gzip files. */
#ifndef CRM_TEST_FILE_UTIL_H
#define CRM_TEST_FILE_UTIL_H

#include "test_util.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

/* A fresh temporary file name with the given suffix (the file exists, empty). */
static inline void temp_path(char *buf, size_t size, const char *suffix)
{
    snprintf(buf, size, "/tmp/crm_check_XXXXXX%s", suffix);
    int fd = mkstemps(buf, (int)strlen(suffix));
    ck_assert_msg(fd >= 0, "mkstemps failed");
    close(fd);
}

static inline void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* gzip-compress data into path with zlib's gzip writer. */
static inline void write_gzip(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    ck_assert_ptr_nonnull(g);
    if (n)
        ck_assert_int_eq(gzwrite(g, data, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

#endif /* CRM_TEST_FILE_UTIL_H */
