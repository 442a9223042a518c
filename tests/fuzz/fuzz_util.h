/* Helpers shared by the libFuzzer harnesses of this folder: scratch files,
 * gzip, and the comparison of two read results (dataset or error). */
#ifndef CRM_FUZZ_UTIL_H
#define CRM_FUZZ_UTIL_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#endif

#include <crm.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Abort with a note on stderr (libFuzzer saves the input as a crash). */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed: %s: ", #cond);                                     \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- scratch files (one folder per process, removed at exit) ---------------- */

static char fuzz_dir[64];

static inline void fuzz_rm_dir(void)
{
    static const char *const names[] = {"in.csv", "in.csv.gz", "in.txt", "in.txt.gz"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", fuzz_dir, names[i]);
        remove(p);
    }
    rmdir(fuzz_dir);
}

/* Path of scratch file `name` (one of the names above), in $TMPDIR, else in
 * /dev/shm when there is one (rewriting a file on a disk file system costs
 * milliseconds, a fuzzer runs it thousands of times a second), else /tmp. */
static inline const char *fuzz_path(const char *name)
{
    static char p[128];
    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp) tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/crmfuzzXXXXXX", tmp);
        if (!mkdtemp(fuzz_dir)) abort();
        atexit(fuzz_rm_dir);
    }
    snprintf(p, sizeof p, "%s/%s", fuzz_dir, name);
    return p;
}

static inline void fuzz_write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) abort();
    if (n && fwrite(data, 1, n, fp) != n) abort();
    if (fclose(fp) != 0) abort();
}

/* gzip member of data (malloc'ed, *out_n bytes). */
static inline unsigned char *fuzz_gzip(const void *data, size_t n, size_t *out_n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    uLong cap = deflateBound(&zs, (uLong)n) + 32;
    unsigned char *out = malloc(cap);
    if (!out) abort();
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
    *out_n = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* 1 when data starts with the gzip magic bytes (readers then decompress). */
static inline int fuzz_is_gzip(const uint8_t *data, size_t n)
{
    return n >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* ---- read results --------------------------------------------------------- */

typedef struct fuzz_result {
    crm_status st;
    crm_dataset *ds; /* on success */
    char *msg;       /* on failure: the message, with `path` replaced by "<memory>" */
    char *text;      /* on success: the dataset as CSV text (header, every value) */
} fuzz_result;

/* msg with a leading `path` (messages start "path:line:col: ...") replaced
 * by "<memory>" (malloc'ed). Only the start: the input may hold the path too. */
static inline char *fuzz_unpath(const char *msg, const char *path)
{
    size_t np = path ? strlen(path) : 0;
    int lead = np && strncmp(msg, path, np) == 0;
    const char *rest = lead ? msg + np : msg;
    char *out = malloc(strlen(rest) + 9);
    if (!out) abort();
    snprintf(out, strlen(rest) + 9, "%s%s", lead ? "<memory>" : "", rest);
    return out;
}

/* Record the outcome of a read: a failure must leave *out NULL and a message;
 * a success a dataset that writes as CSV. */
static inline fuzz_result fuzz_take(crm_status st, crm_dataset *ds, const char *path)
{
    fuzz_result r = {st, NULL, NULL, NULL};
    if (st != CRM_OK) {
        FUZZ_CHECK(ds == NULL, "failed read (%s) left a dataset", crm_status_str(st));
        FUZZ_CHECK(crm_last_error()[0] != '\0', "failed read (%s) without a message",
                   crm_status_str(st));
        r.msg = fuzz_unpath(crm_last_error(), path);
        return r;
    }
    FUZZ_CHECK(ds != NULL, "successful read without a dataset");
    r.ds = ds;
    char *text = NULL;
    FUZZ_CHECK(crm_dataset_to_csv_string(ds, NULL, &text) == CRM_OK, "to_csv_string: %s",
               crm_last_error());
    /* the column types are not all visible in the text: prefix them */
    size_t nc = crm_dataset_ncols(ds), len = strlen(text);
    r.text = malloc(len + nc + 2);
    if (!r.text) abort();
    for (size_t j = 0; j < nc; j++) {
        int32_t type = 0;
        FUZZ_CHECK(crm_dataset_column_type(ds, j, &type) == CRM_OK, "column_type");
        r.text[j] = (char)('0' + type);
    }
    r.text[nc] = '\n';
    memcpy(r.text + nc + 1, text, len + 1);
    crm_free(text);
    return r;
}

static inline void fuzz_result_free(fuzz_result *r)
{
    crm_dataset_free(r->ds);
    free(r->msg);
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* Two reads of the same bytes must agree: the same dataset, or the same error. */
static inline void fuzz_same(const fuzz_result *a, const fuzz_result *b, const char *what)
{
    FUZZ_CHECK(a->st == b->st, "%s: %s vs %s (%s | %s)", what, crm_status_str(a->st),
               crm_status_str(b->st), a->msg ? a->msg : "", b->msg ? b->msg : "");
    if (a->st != CRM_OK)
        FUZZ_CHECK(strcmp(a->msg, b->msg) == 0, "%s: messages differ:\n  %s\n  %s", what, a->msg,
                   b->msg);
    else
        FUZZ_CHECK(strcmp(a->text, b->text) == 0, "%s: datasets differ:\n%s\n---\n%s", what,
                   a->text, b->text);
}

#endif /* CRM_FUZZ_UTIL_H */
