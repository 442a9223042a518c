/* Oversize inputs: each is read in a child process and must end with the
 * documented result within a bound on its peak memory (ru_maxrss of the
 * child). The figures are printed ("oversize: ...") for docs/testing.md.
 *   - a 1,000,000-column header;
 *   - a gzip bomb: 1 GiB of zero bytes (the file is about 1 MB), with the
 *     default limit and with max_bytes, through the CSV, basket and model
 *     readers;
 *   - 1 GiB of repeated CSV rows in gzip: max_rows stops the inflating,
 *     max_bytes ends the read;
 *   - a 100 MB single field, unquoted and quoted (with doubled quotes).
 * The inputs are generated at run time in /tmp and removed. */
#define _GNU_SOURCE
#include "test_big.h"

#include <stdio.h>

static void report(const char *what, const big_run *r)
{
    printf("oversize: %-58s status %-14s wall %6.2f s  peak RSS %7.1f MiB\n", what,
           r->status >= 100 ? "CHECK-FAILED" : crm_status_str(r->status), r->secs,
           (double)r->peak_kb / 1024.0);
    fflush(stdout);
}

static void temp_name(char *buf, size_t size, const char *suffix)
{
    snprintf(buf, size, "/tmp/crm_oversize_XXXXXX%s", suffix);
    int fd = mkstemps(buf, (int)strlen(suffix));
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static char field_byte(size_t i, int quoted);

/* ---- the calls run in the child ---------------------------------------------- */

typedef struct job {
    const char *path;
    crm_csv_options opts;
    int kind;        /* 0 CSV, 1 baskets, 2 model */
    size_t want_rows; /* checks on success (0: none) */
    size_t want_cols;
    size_t field_len; /* a text field of this length in row 0, column 1 */
    char field_quoted;
} job;

static int run_job(void *arg)
{
    job *j = arg;
    if (j->kind == 1) {
        crm_dataset *ds = NULL;
        return crm_dataset_read_baskets(j->path, &ds);
    }
    if (j->kind == 2) {
        crm_model *m = NULL;
        return crm_model_load(j->path, &m);
    }
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv(j->path, &j->opts, &ds);
    if (st)
        return st;
    if (j->want_rows && crm_dataset_nrows(ds) != j->want_rows)
        return 101;
    if (j->want_cols && crm_dataset_ncols(ds) != j->want_cols)
        return 102;
    if (j->want_cols > 2) {
        /* names and values at both ends */
        const char *s;
        double v;
        size_t last = j->want_cols - 1;
        char want[32];
        snprintf(want, sizeof want, "c%zu", last);
        if (crm_dataset_column_name(ds, last, &s) || strcmp(s, want) != 0)
            return 103;
        size_t idx;
        if (crm_dataset_column_index(ds, "c500000", &idx) || idx != 500000)
            return 104;
        if (crm_dataset_get_number(ds, last, 0, 1, &v) || v != (double)(last % 1000))
            return 105;
    }
    if (j->field_len) {
        const char *s = NULL;
        if (crm_dataset_get_text(ds, 1, 0, &s) || !s || strlen(s) != j->field_len)
            return 106;
        for (size_t i = 0; i < j->field_len; i += 4093)
            if (s[i] != field_byte(i, j->field_quoted))
                return 107;
        for (size_t i = 7; i < j->field_len; i += 1000003) /* where quotes may be */
            if (s[i] != field_byte(i, j->field_quoted) || s[i + 1] != field_byte(i + 1, 0))
                return 107;
        if (crm_dataset_get_text(ds, 1, 1, &s) || !s || strcmp(s, "x") != 0)
            return 108;
    }
    crm_dataset_free(ds);
    return CRM_OK;
}

static job csv_job(const char *path)
{
    job j;
    memset(&j, 0, sizeof j);
    j.path = path;
    ck_assert_ok(crm_csv_options_init(&j.opts, sizeof j.opts));
    return j;
}

/* ---- tests -------------------------------------------------------------------- */

START_TEST(test_million_column_header)
{
    enum { NC = 1000000 };
    char path[64];
    temp_name(path, sizeof path, ".csv");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t j = 0; j < NC; j++)
        fprintf(f, "%sc%zu", j ? "," : "", j);
    fputc('\n', f);
    for (size_t j = 0; j < NC; j++)
        fprintf(f, "%s%zu", j ? "," : "", j % 1000);
    fputc('\n', f);
    ck_assert_int_eq(fclose(f), 0);
    job j = csv_job(path);
    j.want_rows = 1;
    j.want_cols = NC;
    big_run r = big_measure(run_job, &j);
    report("1,000,000-column header + 1 row (13 MB)", &r);
    ck_assert_msg(r.status == CRM_OK, "status %d: %s", r.status, r.msg);
    big_assert_peak_below(r, 768);
    remove(path);
}
END_TEST

START_TEST(test_gzip_bomb_of_zeros)
{
    char path[64];
    temp_name(path, sizeof path, ".csv.gz");
    static char zeros[1 << 20];
    uint64_t text = big_write_gzip(path, NULL, 0, zeros, sizeof zeros, 1024);
    ck_assert_uint_eq(text, (uint64_t)1 << 30);
    /* default options: 100 times the compressed size (about 1 MB), at least 64 MiB */
    job j = csv_job(path);
    big_run r = big_measure(run_job, &j);
    report("1 GiB of zeros in gzip, CSV, default limit", &r);
    ck_assert_msg(r.status == CRM_E_IO, "status %d: %s", r.status, r.msg);
    ck_assert_ptr_nonnull(strstr(r.msg, path));
    ck_assert_ptr_nonnull(strstr(r.msg, "the default limit for gzip input"));
    big_assert_peak_below(r, 320);
    /* an explicit max_bytes */
    j.opts.max_bytes = (int64_t)16 << 20;
    r = big_measure(run_job, &j);
    report("1 GiB of zeros in gzip, CSV, max_bytes 16 MiB", &r);
    ck_assert_msg(r.status == CRM_E_IO, "status %d: %s", r.status, r.msg);
    ck_assert_ptr_nonnull(strstr(r.msg, "longer than max_bytes (16777216 bytes)"));
    big_assert_peak_below(r, 96);
    /* the basket reader and model files: the default limit, and model files' cap */
    j.kind = 1;
    r = big_measure(run_job, &j);
    report("1 GiB of zeros in gzip, baskets, default limit", &r);
    ck_assert_msg(r.status == CRM_E_IO, "status %d: %s", r.status, r.msg);
    ck_assert_ptr_nonnull(strstr(r.msg, "the default limit for gzip input"));
    big_assert_peak_below(r, 320);
    j.kind = 2;
    r = big_measure(run_job, &j);
    report("1 GiB of zeros in gzip, model file", &r);
    ck_assert_msg(r.status == CRM_E_IO, "status %d: %s", r.status, r.msg);
    ck_assert_ptr_nonnull(strstr(r.msg, "the default limit for gzip input"));
    big_assert_peak_below(r, 320);
    remove(path);
}
END_TEST

START_TEST(test_gzip_bomb_of_rows)
{
    char path[64];
    temp_name(path, sizeof path, ".csv.gz");
    static char rows[1 << 20]; /* 1 MiB of "1,2,3\n" then "4,5,6\n" ... (6-byte rows) */
    size_t k = 0;
    while (k + 6 <= sizeof rows) {
        memcpy(rows + k, (k / 6) % 2 ? "4,5,6\n" : "1,2,3\n", 6);
        k += 6;
    }
    static const char head[] = "a,b,c\n";
    uint64_t text = big_write_gzip(path, head, 6, rows, k, 1024);
    ck_assert_uint_gt(text, (uint64_t)1 << 29);
    job j = csv_job(path);
    j.opts.max_rows = 10;
    j.want_rows = 10;
    big_run r = big_measure(run_job, &j);
    report("1 GiB of CSV rows in gzip, max_rows 10", &r);
    ck_assert_msg(r.status == CRM_OK, "status %d: %s", r.status, r.msg);
    big_assert_peak_below(r, 48);
    j.opts.max_rows = 0;
    j.want_rows = 0;
    j.opts.max_bytes = (int64_t)32 << 20;
    r = big_measure(run_job, &j);
    report("1 GiB of CSV rows in gzip, max_bytes 32 MiB", &r);
    ck_assert_msg(r.status == CRM_E_IO, "status %d: %s", r.status, r.msg);
    ck_assert_ptr_nonnull(strstr(r.msg, "longer than max_bytes (33554432 bytes)"));
    /* the dataset built until then: 5.6 million rows of 3 numbers, 134 MB */
    big_assert_peak_below(r, 256);
    remove(path);
}
END_TEST

/* The value of byte i of the big field: letters, and (quoted) a quote every
 * 1000003 bytes. */
static char field_byte(size_t i, int quoted)
{
    return quoted && i % 1000003 == 7 ? '"' : (char)('a' + i % 26);
}

/* "a,b\n1,FIELD\n2,x\n" with a field of n bytes, quoted (its quotes doubled)
 * or not. */
static void write_big_field(const char *path, size_t n, int quoted)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(quoted ? "a,b\n1,\"" : "a,b\n1,", f);
    static char buf[1 << 16];
    size_t done = 0, k = 0;
    while (done < n) {
        char ch = field_byte(done++, quoted);
        buf[k++] = ch;
        if (ch == '"')
            buf[k++] = '"';
        if (k >= sizeof buf - 2 || done == n) {
            ck_assert_uint_eq(fwrite(buf, 1, k, f), k);
            k = 0;
        }
    }
    fputs(quoted ? "\"\n2,x\n" : "\n2,x\n", f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_hundred_megabyte_field)
{
    const size_t n = (size_t)100 << 20;
    char path[64];
    temp_name(path, sizeof path, ".csv");
    write_big_field(path, n, 0);
    job j = csv_job(path);
    j.want_rows = 2;
    j.field_len = n;
    big_run r = big_measure(run_job, &j);
    report("a 100 MiB unquoted field", &r);
    ck_assert_msg(r.status == CRM_OK, "status %d: %s", r.status, r.msg);
    big_assert_peak_below(r, 480);
    write_big_field(path, n, 1);
    j.field_quoted = 1;
    r = big_measure(run_job, &j);
    report("a 100 MiB quoted field with doubled quotes", &r);
    ck_assert_msg(r.status == CRM_OK, "status %d: %s", r.status, r.msg);
    big_assert_peak_below(r, 480);
    remove(path);
}
END_TEST

Suite *crm_oversize_suite(void)
{
    Suite *s = suite_create("oversize");
    TCase *tc = tcase_create("oversize");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_million_column_header);
    tcase_add_test(tc, test_gzip_bomb_of_zeros);
    tcase_add_test(tc, test_gzip_bomb_of_rows);
    tcase_add_test(tc, test_hundred_megabyte_field);
    suite_add_tcase(s, tc);
    return s;
}
