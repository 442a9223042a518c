/* Atomic file output (lib/core/atomic_file.c) through every writer:
 * crm_dataset_write_csv (plain and gzip), crm_model_save and crm_file_write.
 * A write replaces a regular file whole or leaves it exactly as it was (bytes,
 * mode, symbolic links; no temporary left in the directory, no new file after
 * a failure) and writes special files (FIFOs, devices) in place without ever
 * removing them. Failures are injected with a cell the writer cannot write,
 * a file-size limit (RLIMIT_FSIZE), allocation failure at every allocation,
 * a FIFO whose reader went away and /dev/full behind a symbolic link; names
 * of open descriptors (/dev/stdout) are written through the descriptor.
 * /dev/full itself is written in the io_root suite. */
#include "io_util.h"

#include <math.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/* What the target holds before a write. */
static const char OLD[] = "old contents, not CSV\n";
#define OLD_LEN (sizeof OLD - 1)

/* The writers, each with a file name that selects it. */
enum { W_CSV, W_GZ, W_MODEL, W_FILE, NW };
static const char *const wname[NW] = {"out.csv", "out.csv.gz", "model.json", "out.txt"};

static const char SMALL_CSV[] = "x,s,t\n1.5,a,2011-01-01\n-2,,2011-01-02 10:00:00\n,\"b,c\",\n";
/* crm_file_write's payload: NUL bytes included */
static const char FILE_BYTES[] = "bytes\0with\0NULs\n";
#define FILE_LEN (sizeof FILE_BYTES - 1)

static crm_dataset *small_ds(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(SMALL_CSV, sizeof SMALL_CSV - 1, NULL, &ds));
    return ds;
}

/* n rows of about 24 bytes (1.4 MB for BIG: past the writer's 1 MB chunks,
 * and a pipe's buffer many times over); with bad, the last text cell holds
 * the delimiter, which cannot be written with quoting disabled: the writer
 * fails after most of the file. */
#define BIG 60000
static crm_dataset *big_ds(size_t n, int bad)
{
    double *x = malloc(n * sizeof *x);
    char **s = malloc(n * sizeof *s);
    ck_assert(x && s);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i * 0.25;
        s[i] = malloc(32);
        ck_assert_ptr_nonnull(s[i]);
        snprintf(s[i], 32, "row %zu value", i);
    }
    if (bad) snprintf(s[n - 1], 32, "a,b");
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, n));
    ck_assert_ok(crm_dataset_add_text(ds, "s", (const char *const *)s, n));
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
    free(x);
    return ds;
}

/* The bytes writer w puts in a file on success (for gzip: the CSV inside). */
static char *expected(int w, size_t *n)
{
    char *s = NULL;
    if (w == W_CSV || w == W_GZ) {
        crm_dataset *ds = small_ds();
        char *t = NULL;
        ck_assert_ok(crm_dataset_to_csv_string(ds, NULL, &t));
        s = strdup(t);
        crm_free(t);
        crm_dataset_free(ds);
    } else if (w == W_MODEL) {
        crm_model *m = crm_test_small_model();
        char *t = NULL;
        ck_assert_ok(crm_model_to_json(m, &t));
        s = malloc(strlen(t) + 2);
        ck_assert_ptr_nonnull(s);
        sprintf(s, "%s\n", t);
        crm_free(t);
        crm_model_free(m);
    } else {
        s = malloc(FILE_LEN + 1);
        ck_assert_ptr_nonnull(s);
        memcpy(s, FILE_BYTES, FILE_LEN + 1);
        *n = FILE_LEN;
        return s;
    }
    ck_assert_ptr_nonnull(s);
    *n = strlen(s);
    return s;
}

/* Write with writer w to path the content of expected(w). */
static crm_status do_write(int w, const char *path)
{
    crm_status st;
    if (w == W_CSV || w == W_GZ) {
        crm_dataset *ds = small_ds();
        st = crm_dataset_write_csv(ds, path, NULL);
        crm_dataset_free(ds);
    } else if (w == W_MODEL) {
        crm_model *m = crm_test_small_model();
        st = crm_model_save(m, path);
        crm_model_free(m);
    } else {
        st = crm_file_write(path, FILE_BYTES, FILE_LEN);
    }
    return st;
}

/* Write with writer w something larger than `limit` bytes (every payload of
 * do_write() is larger than 16) under a file-size limit of `limit` bytes: the
 * write fails part-way with EFBIG. */
static crm_status write_past_limit(int w, const char *path, rlim_t limit)
{
    crm_dataset *ds = (w == W_CSV || w == W_GZ) ? small_ds() : NULL;
    crm_model *m = w == W_MODEL ? crm_test_small_model() : NULL;
    char *bytes = w == W_FILE ? calloc(1, (size_t)limit * 4) : NULL;
    if (w == W_FILE) ck_assert_ptr_nonnull(bytes);
    int e1 = io_limit_file_size(limit);
    crm_status st = ds  ? crm_dataset_write_csv(ds, path, NULL)
                    : m ? crm_model_save(m, path)
                        : crm_file_write(path, bytes, (size_t)limit * 4);
    int e2 = io_unlimit();
    ck_assert_int_eq(e1, 0);
    ck_assert_int_eq(e2, 0);
    crm_dataset_free(ds);
    crm_model_free(m);
    free(bytes);
    return st;
}

/* path holds what writer w writes. */
static void assert_written(int w, const char *path)
{
    size_t n = 0;
    char *want = expected(w, &n);
    if (w == W_GZ) {
        size_t got = 0;
        char *raw = io_get(path, &got);
        ck_assert_ptr_nonnull(raw);
        ck_assert_msg(got >= 2 && (unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b,
                      "%s: not gzip", path);
        free(raw);
        crm_dataset *back = NULL;
        ck_assert_ok(crm_dataset_read_csv(path, NULL, &back));
        char *t = NULL;
        ck_assert_ok(crm_dataset_to_csv_string(back, NULL, &t));
        ck_assert_str_eq(t, want);
        crm_free(t);
        crm_dataset_free(back);
    } else {
        io_assert_bytes(path, want, n);
    }
    free(want);
}

static unsigned current_umask(void)
{
    mode_t u = umask(0);
    umask(u);
    return (unsigned)u;
}

/* ---- regular files ------------------------------------------------------------ */

START_TEST(test_new_file_mode)
{
    /* a new file gets 0666 & ~umask (as fopen() gives), not a temporary's 0600 */
    const mode_t masks[] = {022, 077, 0, 027};
    mode_t saved = umask(022);
    for (int w = 0; w < NW; w++) {
        for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
            char dir[256], path[512];
            io_mkdtemp(dir, sizeof dir);
            io_join(path, sizeof path, dir, wname[w]);
            umask(masks[i]);
            crm_status st = do_write(w, path);
            umask(022);
            ck_assert_msg(st == CRM_OK, "%s: %s", path, crm_last_error());
            ck_assert_uint_eq(io_mode(path), 0666u & ~(unsigned)masks[i]);
            assert_written(w, path);
            io_assert_listing(dir, wname[w]);
            io_rmtree(dir);
        }
    }
    umask(saved);
}
END_TEST

START_TEST(test_replace_keeps_mode)
{
    for (int w = 0; w < NW; w++) {
        const unsigned modes[] = {0640, 0600, 0755, 0444};
        for (size_t i = 0; i < 4; i++) {
            char dir[256], path[512];
            io_mkdtemp(dir, sizeof dir);
            io_join(path, sizeof path, dir, wname[w]);
            io_put(path, OLD, OLD_LEN, modes[i]);
            ck_assert_msg(do_write(w, path) == CRM_OK, "%s: %s", path, crm_last_error());
            assert_written(w, path);
            ck_assert_uint_eq(io_mode(path), modes[i]);
            io_assert_listing(dir, wname[w]);
            io_rmtree(dir);
        }
    }
}
END_TEST

START_TEST(test_failing_writer_keeps_file)
{
    /* The writer fails after writing most of the file (a cell with the
     * delimiter and quoting disabled): an existing file keeps its bytes and
     * mode, a new one never appears. */
    crm_dataset *ds = big_ds(BIG, 1);
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.quote = 0;
    for (int w = W_CSV; w <= W_GZ; w++) {
        char dir[256], path[512];
        io_mkdtemp(dir, sizeof dir);
        io_join(path, sizeof path, dir, wname[w]);
        io_put(path, OLD, OLD_LEN, 0604);
        ck_assert_error(crm_dataset_write_csv(ds, path, &o), CRM_E_INVALID);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), "quoting is disabled"));
        io_assert_bytes(path, OLD, OLD_LEN);
        ck_assert_uint_eq(io_mode(path), 0604);
        io_assert_listing(dir, wname[w]);
        /* a new file */
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_error(crm_dataset_write_csv(ds, path, &o), CRM_E_INVALID);
        io_assert_listing(dir, "");
        io_rmtree(dir);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_file_size_limit_keeps_file)
{
    /* RLIMIT_FSIZE: every writer fails part-way with EFBIG, as on a full
     * disk; the old file is untouched and no temporary is left. */
    for (int w = 0; w < NW; w++) {
        char dir[256], path[512];
        io_mkdtemp(dir, sizeof dir);
        io_join(path, sizeof path, dir, wname[w]);
        io_put(path, OLD, OLD_LEN, 0640);
        crm_status st = write_past_limit(w, path, 16);
        ck_assert_msg(st == CRM_E_IO, "%s: got %s (%s)", path, crm_status_str(st),
                      crm_last_error());
        ck_assert_msg(strstr(crm_last_error(), path) && strstr(crm_last_error(), strerror(EFBIG)),
                      "message: %s", crm_last_error());
        io_assert_bytes(path, OLD, OLD_LEN);
        ck_assert_uint_eq(io_mode(path), 0640);
        io_assert_listing(dir, wname[w]);
        /* a new file */
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(write_past_limit(w, path, 16), CRM_E_IO);
        io_assert_listing(dir, "");
        io_rmtree(dir);
    }
}
END_TEST

/* allocation failure at every allocation of a write over an existing file */
static int alloc_w;
static char alloc_dir[256];
static char *alloc_json;
static char *alloc_want; /* expected(alloc_w) */
static size_t alloc_want_n;

static crm_status alloc_body(void)
{
    char path[512];
    io_join(path, sizeof path, alloc_dir, wname[alloc_w]);
    io_put(path, OLD, OLD_LEN, 0640);
    crm_status st;
    if (alloc_w == W_MODEL) {
        crm_model *m = NULL;
        st = crm_model_from_json(alloc_json, &m);
        if (st == CRM_OK) st = crm_model_save(m, path);
        crm_model_free(m);
    } else if (alloc_w == W_FILE) {
        st = crm_file_write(path, FILE_BYTES, FILE_LEN);
    } else {
        crm_dataset *ds = NULL;
        st = crm_dataset_read_csv_mem(SMALL_CSV, sizeof SMALL_CSV - 1, NULL, &ds);
        if (st == CRM_OK) st = crm_dataset_write_csv(ds, path, NULL);
        crm_dataset_free(ds);
    }
    if (st != CRM_OK) {
        io_assert_bytes(path, OLD, OLD_LEN);
        ck_assert_uint_eq(io_mode(path), 0640);
    } else if (alloc_w == W_GZ) {
        size_t n = 0;
        char *got = io_get(path, &n);
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(n >= 2 && (unsigned char)got[0] == 0x1f && (unsigned char)got[1] == 0x8b,
                      "%s: not replaced by gzip data", path);
        free(got);
    } else {
        io_assert_bytes(path, alloc_want, alloc_want_n);
    }
    io_assert_listing(alloc_dir, wname[alloc_w]);
    return st;
}

START_TEST(test_alloc_failure_keeps_file)
{
    crm_model *m = crm_test_small_model();
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    alloc_json = strdup(js);
    crm_free(js);
    crm_model_free(m);
    for (alloc_w = 0; alloc_w < NW; alloc_w++) {
        alloc_want = expected(alloc_w, &alloc_want_n);
        io_mkdtemp(alloc_dir, sizeof alloc_dir);
        CRM_TEST_EACH_ALLOC_FAILURE(alloc_body());
        io_rmtree(alloc_dir);
        free(alloc_want);
        alloc_want = NULL;
    }
    free(alloc_json);
    alloc_json = NULL;
}
END_TEST

/* ---- symbolic links ------------------------------------------------------------- */

static void assert_link(const char *link, const char *to)
{
    struct stat sb;
    ck_assert_msg(lstat(link, &sb) == 0, "%s: %s", link, strerror(errno));
    ck_assert_msg(S_ISLNK(sb.st_mode), "%s is no longer a symbolic link", link);
    char buf[1024];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    ck_assert_int_ge(n, 0);
    buf[n] = '\0';
    ck_assert_str_eq(buf, to);
}

START_TEST(test_symlinks)
{
    /* A link (absolute, relative, a chain of two) to an existing file: on
     * success the link stays and its target gets the new bytes (its mode
     * kept); on failure both are unchanged. The temporary goes next to the
     * target and is gone afterwards. */
    for (int w = 0; w < NW; w++) {
        char dir[256], real[512], target[600], abs_link[512], rel_link[512], chain[512];
        char rel_to[64];
        io_mkdtemp(dir, sizeof dir);
        io_join(real, sizeof real, dir, "real");
        ck_assert_int_eq(mkdir(real, 0755), 0);
        io_join(target, sizeof target, real, wname[w]);
        snprintf(rel_to, sizeof rel_to, "real/%s", wname[w]);
        io_put(target, OLD, OLD_LEN, 0640);
        char abs_name[64], rel_name[64], chain_name[64], listing[256];
        snprintf(abs_name, sizeof abs_name, "abs-%s", wname[w]);
        snprintf(rel_name, sizeof rel_name, "rel-%s", wname[w]);
        snprintf(chain_name, sizeof chain_name, "chain-%s", wname[w]);
        snprintf(listing, sizeof listing, "%s %s real %s", abs_name, chain_name, rel_name);
        io_join(abs_link, sizeof abs_link, dir, abs_name);
        io_join(rel_link, sizeof rel_link, dir, rel_name);
        io_join(chain, sizeof chain, dir, chain_name);
        ck_assert_int_eq(symlink(target, abs_link), 0);
        ck_assert_int_eq(symlink(rel_to, rel_link), 0);
        ck_assert_int_eq(symlink(rel_name, chain), 0);
        const char *links[] = {abs_link, rel_link, chain};
        for (int l = 0; l < 3; l++) {
            /* failure: both unchanged */
            ck_assert_int_eq(write_past_limit(w, links[l], 16), CRM_E_IO);
            assert_link(abs_link, target);
            assert_link(rel_link, rel_to);
            assert_link(chain, rel_name);
            io_assert_bytes(target, OLD, OLD_LEN);
            ck_assert_uint_eq(io_mode(target), 0640);
            io_assert_listing(dir, listing);
            io_assert_listing(real, wname[w]);
            /* success: the link stays, the target has the new bytes */
            ck_assert_msg(do_write(w, links[l]) == CRM_OK, "%s: %s", links[l], crm_last_error());
            assert_link(abs_link, target);
            assert_link(rel_link, rel_to);
            assert_link(chain, rel_name);
            assert_written(w, target);
            ck_assert_uint_eq(io_mode(target), 0640);
            io_assert_listing(dir, listing);
            io_assert_listing(real, wname[w]);
            io_put(target, OLD, OLD_LEN, 0640);
        }
        io_rmtree(dir);
    }
}
END_TEST

START_TEST(test_symlink_failing_writer)
{
    crm_dataset *ds = big_ds(BIG, 1);
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    o.quote = 0;
    char dir[256], target[512], link[512];
    io_mkdtemp(dir, sizeof dir);
    io_join(target, sizeof target, dir, "t.csv");
    io_join(link, sizeof link, dir, "l.csv");
    io_put(target, OLD, OLD_LEN, 0640);
    ck_assert_int_eq(symlink("t.csv", link), 0);
    ck_assert_error(crm_dataset_write_csv(ds, link, &o), CRM_E_INVALID);
    assert_link(link, "t.csv");
    io_assert_bytes(target, OLD, OLD_LEN);
    io_assert_listing(dir, "l.csv t.csv");
    io_rmtree(dir);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_dangling_symlink)
{
    /* a link to a file that does not exist yet: the file is created where
     * the link points (as fopen() would), the link stays; after a failure
     * neither the file nor a temporary appears */
    mode_t saved = umask(022);
    for (int w = 0; w < NW; w++) {
        char dir[256], link[512], target[512], lname[64];
        io_mkdtemp(dir, sizeof dir);
        /* (the link's name ends like the target's: ".gz" of the name given selects gzip) */
        snprintf(lname, sizeof lname, "link-%s", wname[w]);
        io_join(link, sizeof link, dir, lname);
        io_join(target, sizeof target, dir, wname[w]);
        ck_assert_int_eq(symlink(wname[w], link), 0);
        ck_assert_int_eq(write_past_limit(w, link, 16), CRM_E_IO);
        assert_link(link, wname[w]);
        io_assert_listing(dir, lname);
        ck_assert_msg(do_write(w, link) == CRM_OK, "%s: %s", link, crm_last_error());
        assert_link(link, wname[w]);
        assert_written(w, target);
        ck_assert_uint_eq(io_mode(target), 0644);
        char want[128];
        snprintf(want, sizeof want, "%s %s", lname, wname[w]);
        io_assert_listing(dir, want);
        io_rmtree(dir);
    }
    umask(saved);
}
END_TEST

/* ---- special files -------------------------------------------------------------- */

/* A process that opens the FIFO for reading and copies what it reads to
 * copy_to (or, with copy_to NULL, closes it at once without reading). */
static pid_t fifo_reader(const char *fifo, const char *copy_to)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid > 0) return pid;
    int in = open(fifo, O_RDONLY);
    if (in < 0) _exit(2);
    if (!copy_to) {
        close(in);
        _exit(0);
    }
    int out = open(copy_to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) _exit(3);
    static char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) _exit(4);
    _exit(n < 0 || close(out) != 0 ? 5 : 0);
}

static void reap(pid_t pid, int kill_first)
{
    if (kill_first) kill(pid, SIGKILL);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (!kill_first)
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "FIFO reader: status %d",
                      status);
}

static void assert_fifo(const char *path)
{
    struct stat sb;
    ck_assert_msg(lstat(path, &sb) == 0, "%s is gone: %s", path, strerror(errno));
    ck_assert_msg(S_ISFIFO(sb.st_mode), "%s is no longer a FIFO", path);
}

START_TEST(test_fifo_written_directly)
{
    /* every writer writes a FIFO in place (no temporary, no rename) */
    for (int w = 0; w < NW; w++) {
        char dir[256], fifo[512], got[512];
        io_mkdtemp(dir, sizeof dir);
        io_join(fifo, sizeof fifo, dir, wname[w]);
        io_join(got, sizeof got, dir, "got");
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        pid_t pid = fifo_reader(fifo, got);
        crm_status st = do_write(w, fifo);
        reap(pid, st != CRM_OK);
        ck_assert_msg(st == CRM_OK, "%s: %s", fifo, crm_last_error());
        assert_fifo(fifo);
        assert_written(w, got);
        char want[128];
        snprintf(want, sizeof want, "got %s", wname[w]);
        io_assert_listing(dir, want);
        io_rmtree(dir);
    }
}
END_TEST

START_TEST(test_fifo_reader_gone)
{
    /* The reader closes the FIFO without reading: the write fails (EPIPE,
     * SIGPIPE ignored here) and the FIFO stays. */
    signal(SIGPIPE, SIG_IGN);
    crm_dataset *ds = big_ds(BIG, 0);
    size_t big = (size_t)4 << 20;
    char *bytes = calloc(1, big);
    ck_assert_ptr_nonnull(bytes);
    for (int w = 0; w < NW; w++) {
        if (w == W_MODEL)
            continue; /* a model is smaller than a pipe's buffer: it may get through */
        char dir[256], fifo[512];
        io_mkdtemp(dir, sizeof dir);
        io_join(fifo, sizeof fifo, dir, wname[w]);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        pid_t pid = fifo_reader(fifo, NULL);
        crm_status st =
            w == W_FILE ? crm_file_write(fifo, bytes, big) : crm_dataset_write_csv(ds, fifo, NULL);
        reap(pid, 0);
        ck_assert_msg(st == CRM_E_IO, "%s: got %s", fifo, crm_status_str(st));
        ck_assert_ptr_nonnull(strstr(crm_last_error(), strerror(EPIPE)));
        assert_fifo(fifo);
        io_assert_listing(dir, wname[w]);
        io_rmtree(dir);
    }
    free(bytes);
    crm_dataset_free(ds);
    signal(SIGPIPE, SIG_DFL);
}
END_TEST

START_TEST(test_device_behind_symlink)
{
    /* A link to /dev/full: the write fails with ENOSPC and the link stays
     * (removing the path on failure would delete the link). A link to
     * /dev/null: the write succeeds, the link stays. No root needed. */
    struct stat full0, null0, full1, null1;
    ck_assert_int_eq(stat("/dev/full", &full0), 0);
    ck_assert_int_eq(stat("/dev/null", &null0), 0);
    for (int w = 0; w < NW; w++) {
        char dir[256], full[512], null[512], want[256];
        io_mkdtemp(dir, sizeof dir);
        char fname[64], nname[64];
        snprintf(fname, sizeof fname, "full-%s", wname[w]);
        snprintf(nname, sizeof nname, "null-%s", wname[w]);
        io_join(full, sizeof full, dir, fname);
        io_join(null, sizeof null, dir, nname);
        ck_assert_int_eq(symlink("/dev/full", full), 0);
        ck_assert_int_eq(symlink("/dev/null", null), 0);
        crm_status st = do_write(w, full);
        ck_assert_msg(st == CRM_E_IO, "%s: got %s", full, crm_status_str(st));
        ck_assert_msg(strstr(crm_last_error(), strerror(ENOSPC)) != NULL, "message: %s",
                      crm_last_error());
        assert_link(full, "/dev/full");
        ck_assert_msg(do_write(w, null) == CRM_OK, "%s: %s", null, crm_last_error());
        assert_link(null, "/dev/null");
        snprintf(want, sizeof want, "%s %s", fname, nname);
        io_assert_listing(dir, want);
        io_rmtree(dir);
    }
    ck_assert_int_eq(stat("/dev/full", &full1), 0);
    ck_assert_int_eq(stat("/dev/null", &null1), 0);
    ck_assert(S_ISCHR(full1.st_mode) && full1.st_rdev == full0.st_rdev);
    ck_assert(S_ISCHR(null1.st_mode) && null1.st_rdev == null0.st_rdev);
}
END_TEST

START_TEST(test_socket_kept)
{
    /* a socket cannot be opened for writing: an error, and the socket stays */
    char dir[256], path[512];
    io_mkdtemp(dir, sizeof dir);
    io_join(path, sizeof path, dir, "sock");
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    ck_assert_uint_lt(strlen(path), sizeof addr.sun_path);
    strcpy(addr.sun_path, path);
    int sk = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(sk, 0);
    ck_assert_int_eq(bind(sk, (struct sockaddr *)&addr, sizeof addr), 0);
    for (int w = 0; w < NW; w++) {
        crm_status st = do_write(w, path);
        ck_assert_msg(st == CRM_E_IO, "%s: got %s", path, crm_status_str(st));
        struct stat sb;
        ck_assert_int_eq(lstat(path, &sb), 0);
        ck_assert(S_ISSOCK(sb.st_mode));
        io_assert_listing(dir, "sock");
    }
    close(sk);
    io_rmtree(dir);
}
END_TEST

START_TEST(test_descriptor_names)
{
    /* /dev/stdout, /dev/fd/N and a link to /dev/stdout, with the descriptor
     * holding a regular file opened for appending: the bytes go through the
     * descriptor (after what is there, in order with what the process writes
     * itself), the file stays the same file, nothing is replaced */
    crm_dataset *ds = small_ds();
    char *csv = NULL;
    ck_assert_ok(crm_dataset_to_csv_string(ds, NULL, &csv));
    char dir[256], path[512], link[512], byfd[64];
    io_mkdtemp(dir, sizeof dir);
    io_join(path, sizeof path, dir, "stdout.txt");
    io_join(link, sizeof link, dir, "link");
    ck_assert_int_eq(symlink("/dev/stdout", link), 0);
    io_put(path, "before\n", 7, 0640);
    struct stat before, after;
    ck_assert_int_eq(stat(path, &before), 0);
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    snprintf(byfd, sizeof byfd, "/dev/fd/%d", fd);
    fflush(stdout);
    int saved = dup(1);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_eq(dup2(fd, 1), 1);
    crm_status st1 = crm_dataset_write_csv(ds, "/dev/stdout", NULL);
    ssize_t w = write(1, "after\n", 6);
    crm_status st2 = crm_file_write(byfd, "via fd\n", 7);
    crm_status st3 = crm_file_write(link, "via link\n", 9);
    dup2(saved, 1);
    close(saved);
    close(fd);
    ck_assert_msg(st1 == CRM_OK && st2 == CRM_OK && st3 == CRM_OK, "%s %s %s: %s",
                  crm_status_str(st1), crm_status_str(st2), crm_status_str(st3), crm_last_error());
    ck_assert_int_eq(w, 6);
    size_t n = 7 + strlen(csv) + 6 + 7 + 9;
    char *want = malloc(n + 1);
    ck_assert_ptr_nonnull(want);
    snprintf(want, n + 1, "before\n%safter\nvia fd\nvia link\n", csv);
    io_assert_bytes(path, want, n);
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert(after.st_ino == before.st_ino);
    ck_assert_uint_eq(io_mode(path), 0640);
    assert_link(link, "/dev/stdout");
    io_assert_listing(dir, "link stdout.txt");
    /* a descriptor that is not open */
    ck_assert_error(crm_file_write("/dev/fd/999999", "x", 1), CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), strerror(EBADF)));
    free(want);
    crm_free(csv);
    crm_dataset_free(ds);
    io_rmtree(dir);
}
END_TEST

START_TEST(test_directory_refused)
{
    for (int w = 0; w < NW; w++) {
        char dir[256], sub[512], keep[600], link[512];
        io_mkdtemp(dir, sizeof dir);
        io_join(sub, sizeof sub, dir, "sub");
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        io_join(keep, sizeof keep, sub, "keep");
        io_put(keep, OLD, OLD_LEN, 0644);
        io_join(link, sizeof link, dir, "link");
        ck_assert_int_eq(symlink("sub", link), 0);
        const char *paths[] = {sub, link};
        for (int i = 0; i < 2; i++) {
            crm_status st = do_write(w, paths[i]);
            ck_assert_msg(st == CRM_E_IO, "%s: got %s", paths[i], crm_status_str(st));
            ck_assert_ptr_nonnull(strstr(crm_last_error(), strerror(EISDIR)));
            io_assert_listing(dir, "link sub");
            io_assert_listing(sub, "keep");
            io_assert_bytes(keep, OLD, OLD_LEN);
        }
        io_rmtree(dir);
    }
}
END_TEST

START_TEST(test_missing_directory)
{
    for (int w = 0; w < NW; w++) {
        char dir[256], path[512];
        io_mkdtemp(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/no-such-dir/%s", dir, wname[w]);
        ck_assert_error(do_write(w, path), CRM_E_IO);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), path));
        io_assert_listing(dir, "");
        ck_assert_error(do_write(w, ""), CRM_E_IO);
        io_rmtree(dir);
    }
}
END_TEST

START_TEST(test_long_name)
{
    /* a name near NAME_MAX still leaves room for the temporary's */
    char name[256];
    memset(name, 'n', 240);
    strcpy(name + 240, ".csv");
    char dir[256], path[600];
    io_mkdtemp(dir, sizeof dir);
    io_join(path, sizeof path, dir, name);
    io_put(path, OLD, OLD_LEN, 0600);
    ck_assert_ok(do_write(W_CSV, path));
    assert_written(W_CSV, path);
    ck_assert_uint_eq(io_mode(path), 0600);
    io_assert_listing(dir, name);
    ck_assert_int_eq(write_past_limit(W_CSV, path, 16), CRM_E_IO);
    assert_written(W_CSV, path);
    io_assert_listing(dir, name);
    io_rmtree(dir);
}
END_TEST

START_TEST(test_file_write_arguments)
{
    char dir[256], path[512];
    io_mkdtemp(dir, sizeof dir);
    io_join(path, sizeof path, dir, "f");
    ck_assert_error(crm_file_write(NULL, "x", 1), CRM_E_INVALID);
    ck_assert_error(crm_file_write(path, NULL, 1), CRM_E_INVALID);
    io_assert_listing(dir, "");
    /* nothing to write: an empty file, with the umask's mode */
    ck_assert_ok(crm_file_write(path, NULL, 0));
    io_assert_bytes(path, "", 0);
    ck_assert_uint_eq(io_mode(path), 0666u & ~current_umask());
    ck_assert_ok(crm_file_write(path, FILE_BYTES, FILE_LEN));
    io_assert_bytes(path, FILE_BYTES, FILE_LEN);
    io_assert_listing(dir, "f");
    io_rmtree(dir);
}
END_TEST

Suite *crm_io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_new_file_mode);
    tcase_add_test(tc, test_replace_keeps_mode);
    tcase_add_test(tc, test_failing_writer_keeps_file);
    tcase_add_test(tc, test_file_size_limit_keeps_file);
    tcase_add_test(tc, test_alloc_failure_keeps_file);
    tcase_add_test(tc, test_symlinks);
    tcase_add_test(tc, test_symlink_failing_writer);
    tcase_add_test(tc, test_dangling_symlink);
    tcase_add_test(tc, test_fifo_written_directly);
    tcase_add_test(tc, test_fifo_reader_gone);
    tcase_add_test(tc, test_device_behind_symlink);
    tcase_add_test(tc, test_socket_kept);
    tcase_add_test(tc, test_descriptor_names);
    tcase_add_test(tc, test_directory_refused);
    tcase_add_test(tc, test_missing_directory);
    tcase_add_test(tc, test_long_name);
    tcase_add_test(tc, test_file_write_arguments);
    suite_add_tcase(s, tc);
    return s;
}
