/* The streaming CSV reader: results and error messages do not depend on the
 * window size (records across window ends, restarts after late type changes,
 * errors in the order of the blocks), gzip input is never sized from its
 * ISIZE trailer, max_rows stops the reading, max_bytes bounds it, wide
 * headers are linear, the basket reader streams too, and usecols reads only
 * the columns named (crm_expr_columns lists those of a filter). */
#define _GNU_SOURCE
#include "test_big.h"
#include "file_util.h"
#include "dataset/csv_internal.h"

#include <math.h>
#include <stdint.h>

/* ---- helpers -------------------------------------------------------------- */

/* The outcome of a read: the status, and the message with the input's name
 * replaced by "<in>". */
typedef struct outcome {
    crm_status st;
    char msg[1100];
    crm_dataset *ds;
} outcome;

static outcome outcome_of(crm_status st, crm_dataset *ds, const char *name)
{
    outcome o;
    o.st = st;
    o.ds = ds;
    o.msg[0] = '\0';
    if (st) {
        const char *m = crm_last_error();
        const char *at = strstr(m, name);
        if (at)
            snprintf(o.msg, sizeof o.msg, "%.*s<in>%s", (int)(at - m), m, at + strlen(name));
        else
            snprintf(o.msg, sizeof o.msg, "%s", m);
        ck_assert_ptr_null(ds);
    }
    return o;
}

/* Same shape, names, types, values (numbers bit for bit) and text codes in
 * the same order (dictionaries built in the same order). */
static void assert_identical(const crm_dataset *a, const crm_dataset *b, const char *what)
{
    size_t nr = crm_dataset_nrows(a), nc = crm_dataset_ncols(a);
    ck_assert_msg(crm_dataset_nrows(b) == nr && crm_dataset_ncols(b) == nc,
                  "%s: shape %zux%zu became %zux%zu", what, nr, nc, crm_dataset_nrows(b),
                  crm_dataset_ncols(b));
    for (size_t j = 0; j < nc; j++) {
        const char *na, *nb;
        int32_t ta, tb;
        ck_assert_ok(crm_dataset_column_name(a, j, &na));
        ck_assert_ok(crm_dataset_column_name(b, j, &nb));
        ck_assert_msg(strcmp(na, nb) == 0, "%s: column %zu: %s became %s", what, j, na, nb);
        ck_assert_ok(crm_dataset_column_type(a, j, &ta));
        ck_assert_ok(crm_dataset_column_type(b, j, &tb));
        ck_assert_msg(ta == tb, "%s: column %s: type %d became %d", what, na, ta, tb);
        if (nr == 0)
            continue;
        if (ta == CRM_TYPE_TEXT) {
            int32_t *ca = malloc(nr * sizeof *ca), *cb = malloc(nr * sizeof *cb);
            ck_assert_ok(crm_dataset_get_codes(a, j, 0, nr, ca));
            ck_assert_ok(crm_dataset_get_codes(b, j, 0, nr, cb));
            ck_assert_msg(memcmp(ca, cb, nr * sizeof *ca) == 0, "%s: column %s: codes differ",
                          what, na);
            size_t la, lb;
            ck_assert_ok(crm_dataset_text_levels(a, j, &la));
            ck_assert_ok(crm_dataset_text_levels(b, j, &lb));
            ck_assert_uint_eq(la, lb);
            for (size_t l = 0; l < la; l++) {
                const char *sa, *sb;
                ck_assert_ok(crm_dataset_text_level(a, j, l, &sa));
                ck_assert_ok(crm_dataset_text_level(b, j, l, &sb));
                ck_assert_msg(strcmp(sa, sb) == 0, "%s: column %s level %zu: [%s] became [%s]",
                              what, na, l, sa, sb);
            }
            free(ca);
            free(cb);
        } else {
            /* numbers and times are both 8 bytes: compare the bits */
            uint64_t *va = malloc(nr * 8), *vb = malloc(nr * 8);
            if (ta == CRM_TYPE_NUMBER) {
                ck_assert_ok(crm_dataset_get_number(a, j, 0, nr, (double *)(void *)va));
                ck_assert_ok(crm_dataset_get_number(b, j, 0, nr, (double *)(void *)vb));
            } else {
                ck_assert_ok(crm_dataset_get_time(a, j, 0, nr, (int64_t *)(void *)va));
                ck_assert_ok(crm_dataset_get_time(b, j, 0, nr, (int64_t *)(void *)vb));
            }
            ck_assert_msg(memcmp(va, vb, nr * 8) == 0, "%s: column %s: values differ", what, na);
            free(va);
            free(vb);
        }
    }
}

static void assert_same_outcome(const outcome *want, const outcome *got, const char *what)
{
    ck_assert_msg(want->st == got->st, "%s: status %s (%s) became %s (%s)", what,
                  crm_status_str(want->st), want->msg, crm_status_str(got->st), got->msg);
    if (want->st)
        ck_assert_msg(strcmp(want->msg, got->msg) == 0, "%s: message \"%s\" became \"%s\"", what,
                      want->msg, got->msg);
    else
        assert_identical(want->ds, got->ds, what);
}

static const size_t windows[] = {1, 2, 3, 4, 5, 7, 16, 64, 1000};

/* Read text with options o: from memory in one piece (the reference), then
 * through the streaming path from memory with every window size, and from a
 * plain and a gzip file with some. All outcomes must be the reference's.
 * Returns the reference outcome (its dataset is the caller's). */
static outcome check_windows(const char *text, size_t len, const crm_csv_options *o)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv_mem(text, len, o, &ds);
    outcome ref = outcome_of(st, ds, "<memory>");
    char what[96];
    for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) {
        ds = NULL;
        st = crm__csv_read_mem_window(text, len, o, windows[w], &ds);
        outcome got = outcome_of(st, ds, "<memory>");
        snprintf(what, sizeof what, "memory, window %zu", windows[w]);
        assert_same_outcome(&ref, &got, what);
        crm_dataset_free(got.ds);
    }
    char path[64];
    for (int gz = 0; gz < 2; gz++) {
        temp_path(path, sizeof path, gz ? ".csv.gz" : ".csv");
        if (gz)
            write_gzip(path, text, len);
        else
            write_bytes(path, text, len);
        static const size_t fw[] = {1, 3, 64, 0};
        for (size_t w = 0; w < sizeof fw / sizeof *fw; w++) {
            ds = NULL;
            st = crm__csv_read_file_window(path, o, fw[w], &ds);
            outcome got = outcome_of(st, ds, path);
            snprintf(what, sizeof what, "%s file, window %zu", gz ? "gzip" : "plain", fw[w]);
            assert_same_outcome(&ref, &got, what);
            crm_dataset_free(got.ds);
        }
        remove(path);
    }
    return ref;
}

static void check_windows_str(const char *text, const crm_csv_options *o)
{
    outcome ref = check_windows(text, strlen(text), o);
    crm_dataset_free(ref.ds);
}

static crm_csv_options opts(void)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    return o;
}

/* ---- window sizes ------------------------------------------------------------ */

static const struct {
    const char *text;
    size_t len; /* 0: strlen */
} stream_inputs[] = {
    {"a,b\n1,x\n2,y\n", 0},
    {"a,b\r\n1,\"x\r\ny\"\r\n\r\n2,\"\"\"q\"\"\"\r\n", 0},
    {"a,b\r1,2\r\r3,4\r", 0},
    {"\xEF\xBB\xBF\n\r\n\nname,v\n\xC3\xA9,1\n\xE6\x97\xA5\xE6\x9C\xAC,2\n\xF0\x9F\x8E\x89,3", 0},
    {"id;amount;when\n1;2,5;2011-12-09 08:26\n2;;12/9/2011 8:26\n", 0},
    {"a|b\tc\n1|2\t3\n", 0},
    {"x,y\n\"open,never closed\n1,2\n", 0},
    {"x,y\n\"a\"b,2\n", 0},
    {"x,y\n1,2\n3,4,5\n", 0},
    {"x,y,z\n1,2,3\n4,5\n", 0},
    {"x,y\n1,\xff\n", 0},
    {"x,y\n1,\xe2\x82\xac\n2,\xe2\x82x\n", 0},
    {"x,y\n1,a\0b\n", 10},
    {"h\n", 0},
    {"", 0},
    {"\n\n\r\n", 0},
    {"a,a\n1,2\n", 0},
    {",b,\n1,2,3\n", 0},
    {"n,t\n1,2011-12-09\n2,2011-12-10\n3,12/11/2011\nx,2011-12-12\n", 0},
    {"q\n\"NA\"\nNA\n\" \"\n \n", 0},
    {"a,b\n1,\"x\"\"\"\n2,\"\"\n", 0},
    {"a,b\n1,2", 0},
    {"a,b\n1,\"2\"", 0},
    /* an extra field whose closing quote may be the first of a doubled one */
    {"a\x01" "a\x1a" "b\n1,\"x \"\"1,,\n", 0},
    {"a\n1,\"x\"\n", 0},
};

static void check_all_inputs(const crm_csv_options *o)
{
    for (size_t i = 0; i < sizeof stream_inputs / sizeof *stream_inputs; i++) {
        const char *t = stream_inputs[i].text;
        outcome r = check_windows(t, stream_inputs[i].len ? stream_inputs[i].len : strlen(t), o);
        crm_dataset_free(r.ds);
    }
}

START_TEST(test_window_sizes_strict)
{
    crm_csv_options o = opts();
    check_all_inputs(&o);
}
END_TEST

START_TEST(test_window_sizes_lenient)
{
    crm_csv_options o = opts();
    o.strict = 0;
    check_all_inputs(&o);
    /* a character split by every window end, and bytes to replace */
    check_windows_str("a,b\n\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac,\xf0\x9f\x8e\x89\xff\xe2\x82,"
                      "\xc0\xaf\n\xed\xa0\x80,z\n",
                      &o);
}
END_TEST

START_TEST(test_window_sizes_options)
{
    crm_csv_options o = opts();
    o.max_rows = 2;
    check_windows_str("a,b\n1,2\n3,4\n5,6\n", &o);
    check_windows_str("a,b\n1,2\n3,\"unbalanced\n", &o);
    o = opts();
    o.header = 0;
    check_windows_str("1,2\n3,4\n", &o);
    o = opts();
    const char *types[] = {"b:text", "a:time"};
    o.types = types;
    o.n_types = 2;
    check_windows_str("a,b\n2011-01-01,1\n2011-01-02,2\n", &o);
    check_windows_str("a,b\n2011-01-01,1\n12,2\n", &o);
    o.n_types = 1;
    o.date_format = "%d/%m/%Y";
    check_windows_str("a,b\n02/01/2011,1\n03/01/2011,2\n", &o);
    o = opts();
    o.delimiter = ';';
    o.quote = 0;
    check_windows_str("a;b\n\"1;2\n", &o);
}
END_TEST

/* Text of n rows "i,VALUE_i,DATE_i" where column v turns to text at row
 * text_at and column d meets a non-date at row bad_date (SIZE_MAX: never). */
static char *late_rows(size_t n, size_t text_at, size_t bad_date, size_t *len)
{
    size_t cap = n * 48 + 64, k = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    k += (size_t)sprintf(s, "i,v,d,w\n");
    for (size_t r = 0; r < n; r++) {
        char v[32], d[32];
        if (r == text_at)
            snprintf(v, sizeof v, "x%zu", r);
        else
            snprintf(v, sizeof v, "%zu.5", r % 977);
        if (r == bad_date)
            snprintf(d, sizeof d, "%zu", r);
        else
            snprintf(d, sizeof d, "2011-%02zu-%02zu 10:%02zu", r % 12 + 1, r % 28 + 1, r % 60);
        k += (size_t)snprintf(s + k, cap - k, "%zu,%s,%s,%s\n", r, v, d, r % 3 ? "w" : "NA");
    }
    *len = k;
    return s;
}

/* Columns that change type after their first rows have left the window: the
 * read starts over (once, or twice when the second pass finds more) and the
 * result is what reading the whole text at once gives. */
START_TEST(test_late_type_changes)
{
    static const size_t cases[][2] = {
        {2900, SIZE_MAX}, /* number -> text, late */
        {SIZE_MAX, 2950}, /* time -> text, late */
        {2990, 5},        /* time -> text early, number -> text late */
        {2999, 2999},     /* both on the last row */
        {0, SIZE_MAX},    /* on the first row */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        size_t len;
        char *text = late_rows(3000, cases[c][0], cases[c][1], &len);
        crm_csv_options o = opts();
        outcome ref = check_windows(text, len, &o);
        ck_assert_int_eq(ref.st, CRM_OK);
        int32_t t;
        ck_assert_ok(crm_dataset_column_type(ref.ds, 1, &t));
        ck_assert_int_eq(t, cases[c][0] < 3000 ? CRM_TYPE_TEXT : CRM_TYPE_NUMBER);
        ck_assert_ok(crm_dataset_column_type(ref.ds, 2, &t));
        ck_assert_int_eq(t, cases[c][1] < 3000 ? CRM_TYPE_TEXT : CRM_TYPE_TIME);
        crm_dataset_free(ref.ds);
        /* with max_rows before the late cell the column keeps its type */
        o.max_rows = 100;
        ref = check_windows(text, len, &o);
        ck_assert_int_eq(ref.st, CRM_OK);
        ck_assert_ok(crm_dataset_column_type(ref.ds, 2, &t));
        ck_assert_int_eq(t, cases[c][1] < 100 ? CRM_TYPE_TEXT : CRM_TYPE_TIME);
        crm_dataset_free(ref.ds);
        free(text);
    }
    /* a number column meeting an ISO date late, then a US date: time cannot
     * hold both (nor the numbers): text */
    check_windows_str("a\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n2011-01-01\n1/2/2011\n", NULL);
    check_windows_str("a\n\n\n\n\n2011-01-01\n2011-01-01\n2011-01-02\n1/2/2011\n", NULL);
}
END_TEST

/* Errors come in the order of blocks of rows: within a block, tokenizing
 * errors first, then the first column (not row) with a cell that does not fit
 * its forced type - also when the window holds only part of the block. */
START_TEST(test_error_order_in_blocks)
{
    size_t cap = 4200 * 16, k = 0;
    char *s = malloc(cap);
    k += (size_t)sprintf(s, "a,b\n");
    for (size_t r = 0; r < 4100; r++)
        k += (size_t)sprintf(s + k, "%s,%s\n", r == 3000 ? "bad_a" : "1", r == 10 ? "bad_b" : "2");
    crm_csv_options o = opts();
    const char *types[] = {"a:number", "b:number"};
    o.types = types;
    o.n_types = 2;
    outcome ref = check_windows(s, k, &o);
    ck_assert_int_eq(ref.st, CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(ref.msg, "<in>:3002:1: column \"a\": \"bad_a\""));
    crm_dataset_free(ref.ds);
    /* a ragged row later in the same block comes first */
    char *t = malloc(cap + 16);
    size_t m = (size_t)sprintf(t, "a,b\n");
    for (size_t r = 0; r < 4100; r++)
        m += (size_t)sprintf(t + m, "%s\n",
                             r == 3500 ? "1" : r == 3000 ? "bad_a,2" : r == 10 ? "1,bad_b" : "1,2");
    ref = check_windows(t, m, &o);
    ck_assert_int_eq(ref.st, CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(ref.msg, "<in>:3502:2: row has 1 field, expected 2"));
    /* in the next block: the mismatch of the first block wins */
    m = (size_t)sprintf(t, "a,b\n");
    for (size_t r = 0; r < 4100; r++)
        m += (size_t)sprintf(t + m, "%s\n", r == 4097 ? "1" : r == 10 ? "1,bad_b" : "1,2");
    ref = check_windows(t, m, &o);
    ck_assert_int_eq(ref.st, CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(ref.msg, "<in>:12:2: column \"b\": \"bad_b\""));
    free(s);
    free(t);
}
END_TEST

/* Line numbers after many window moves, with LF, CRLF, lone CR and line
 * breaks inside quoted fields. */
START_TEST(test_line_numbers_across_windows)
{
    size_t cap = 2000 * 24, k = 0;
    char *s = malloc(cap);
    k += (size_t)sprintf(s, "a,b\r\n");
    for (size_t r = 0; r < 1500; r++) {
        const char *eol = r % 3 == 0 ? "\n" : r % 3 == 1 ? "\r\n" : "\r";
        if (r % 7 == 0)
            k += (size_t)sprintf(s + k, "%zu,\"two\r\nlines\"%s", r, eol);
        else
            k += (size_t)sprintf(s + k, "%zu,x%s", r, eol);
    }
    k += (size_t)sprintf(s + k, "1,2,3\n");
    outcome ref = check_windows(s, k, NULL);
    ck_assert_int_eq(ref.st, CRM_E_PARSE);
    /* 1 header line, 1500 rows, 215 of them (r % 7 == 0) on two lines */
    ck_assert_ptr_nonnull(strstr(ref.msg, "<in>:1717:3: row has more than the 2 fields"));
    free(s);
}
END_TEST

/* A header longer than the window, with the delimiter to be detected. */
START_TEST(test_long_header)
{
    size_t cap = 3000 * 12, k = 0;
    char *s = malloc(cap);
    for (size_t j = 0; j < 2000; j++)
        k += (size_t)sprintf(s + k, "%s\"c %zu\"", j ? ";" : "", j);
    k += (size_t)sprintf(s + k, "\n");
    for (size_t j = 0; j < 2000; j++)
        k += (size_t)sprintf(s + k, "%s%zu", j ? ";" : "", j);
    k += (size_t)sprintf(s + k, "\n");
    outcome ref = check_windows(s, k, NULL);
    ck_assert_int_eq(ref.st, CRM_OK);
    ck_assert_uint_eq(crm_dataset_ncols(ref.ds), 2000);
    crm_dataset_free(ref.ds);
    free(s);
}
END_TEST

/* Reading a 50,000-column header compared each name with all earlier ones
 * (about ten seconds); it must take a fraction of this test's timeout. */
START_TEST(test_wide_header_is_linear)
{
    enum { NC = 50000 };
    size_t cap = NC * 16 + 16, k = 0;
    char *s = malloc(cap);
    for (size_t j = 0; j < NC; j++)
        k += (size_t)sprintf(s + k, "%scol%zu", j ? "," : "", j);
    k += (size_t)sprintf(s + k, "\n");
    for (size_t j = 0; j < NC; j++)
        k += (size_t)sprintf(s + k, "%s%zu", j ? "," : "", j % 10);
    crm_csv_options o = opts();
    const char *types[] = {"col49999:text", "col0:time"};
    o.types = types;
    o.n_types = 1;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(s, k, &o, &ds));
    ck_assert_uint_eq(crm_dataset_ncols(ds), NC);
    size_t idx;
    ck_assert_ok(crm_dataset_column_index(ds, "col31415", &idx));
    ck_assert_uint_eq(idx, 31415);
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(ds, NC - 1, &t));
    ck_assert_int_eq(t, CRM_TYPE_TEXT);
    crm_dataset_free(ds);
    /* a duplicate among them is still found, naming both columns */
    k = 0;
    for (size_t j = 0; j < NC; j++)
        k += (size_t)sprintf(s + k, "%scol%zu", j ? "," : "", j == NC - 1 ? (size_t)7 : j);
    k += (size_t)sprintf(s + k, "\n");
    ds = (crm_dataset *)1;
    ck_assert_error(crm_dataset_read_csv_mem(s, k, NULL, &ds), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "duplicate column name \"col7\" (columns 8 and 50000)"));
    free(s);
}
END_TEST

/* ---- gzip: claimed lengths, early stop, limits ---------------------------------- */

/* An allocator that records the largest request and refuses any over 1 GiB
 * (so that a reader trusting a claimed size fails fast instead of paging). */
static size_t largest;
static void *big_malloc(size_t n, void *u)
{
    (void)u;
    if (n > largest)
        largest = n;
    return n > ((size_t)1 << 30) ? NULL : malloc(n);
}
static void *big_realloc(void *p, size_t n, void *u)
{
    (void)u;
    if (n > largest)
        largest = n;
    return n > ((size_t)1 << 30) ? NULL : realloc(p, n);
}
static void big_free(void *p, void *u)
{
    (void)u;
    free(p);
}

/* A gzip file whose trailer claims a size (ISIZE) it does not have: no
 * reader may size an allocation from it (the whole-file reader allocated
 * ISIZE + 1 bytes up front). The data then fails its length check. */
START_TEST(test_claimed_isize_is_not_trusted)
{
    static const uint32_t claims[] = {0x7FFFFFFEu, 0xFFFFFFFFu,
                                      (uint32_t)(10000000000ULL & 0xFFFFFFFFu)};
    const char *csv = "a,b\n1,2\n3,4\n";
    char path[64];
    temp_path(path, sizeof path, ".csv.gz");
    for (size_t i = 0; i < sizeof claims / sizeof *claims; i++) {
        write_gzip(path, csv, strlen(csv));
        FILE *f = fopen(path, "r+b");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fseek(f, -4, SEEK_END), 0);
        unsigned char le[4] = {(unsigned char)claims[i], (unsigned char)(claims[i] >> 8),
                               (unsigned char)(claims[i] >> 16), (unsigned char)(claims[i] >> 24)};
        ck_assert_uint_eq(fwrite(le, 1, 4, f), 4);
        long size = ftell(f);
        ck_assert_int_eq(fclose(f), 0);
        char *bytes = malloc((size_t)size);
        f = fopen(path, "rb");
        ck_assert_uint_eq(fread(bytes, 1, (size_t)size, f), (size_t)size);
        fclose(f);
        ck_assert_ok(crm_set_allocator(big_malloc, big_realloc, big_free, NULL));
        largest = 0;
        crm_dataset *ds = NULL;
        crm_status st_file = crm_dataset_read_csv(path, NULL, &ds);
        char msg_file[1100];
        snprintf(msg_file, sizeof msg_file, "%s", crm_last_error());
        size_t l_file = largest;
        largest = 0;
        crm_status st_mem = crm_dataset_read_csv_mem(bytes, (size_t)size, NULL, &ds);
        size_t l_mem = largest;
        largest = 0;
        crm_status st_bask = crm_dataset_read_baskets(path, &ds);
        size_t l_bask = largest;
        largest = 0;
        crm_model *m = NULL;
        crm_status st_model = crm_model_load(path, &m);
        size_t l_model = largest;
        ck_assert_ok(crm_set_allocator(NULL, NULL, NULL, NULL));
        ck_assert_msg(st_file == CRM_E_IO && strstr(msg_file, "incorrect length check"),
                      "claim %u: %s", claims[i], msg_file);
        ck_assert_int_eq(st_mem, CRM_E_IO);
        ck_assert_int_eq(st_bask, CRM_E_IO);
        ck_assert_int_eq(st_model, CRM_E_IO);
        ck_assert_msg(l_file < ((size_t)16 << 20), "claim %u: file read asked for %zu bytes",
                      claims[i], l_file);
        ck_assert_msg(l_mem < ((size_t)16 << 20), "claim %u: memory read asked for %zu bytes",
                      claims[i], l_mem);
        ck_assert_msg(l_bask < ((size_t)16 << 20), "claim %u: baskets asked for %zu bytes",
                      claims[i], l_bask);
        ck_assert_msg(l_model < ((size_t)16 << 20), "claim %u: model load asked for %zu bytes",
                      claims[i], l_model);
        free(bytes);
    }
    remove(path);
}
END_TEST

typedef struct rows_job {
    const char *path;
    int64_t max_rows;
} rows_job;

static int read_rows_job(void *arg)
{
    rows_job *j = arg;
    crm_csv_options o;
    crm_csv_options_init(&o, sizeof o);
    o.max_rows = j->max_rows;
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv(j->path, &o, &ds);
    if (st)
        return st;
    int bad = crm_dataset_nrows(ds) != (size_t)j->max_rows;
    crm_dataset_free(ds);
    return bad ? 101 : CRM_OK;
}

/* max_rows stops reading and inflating: 10 rows of a gzip file holding 256 MiB
 * of rows cost a few MiB (the whole-file reader inflated all of it). */
START_TEST(test_max_rows_stops_inflating)
{
    char path[64];
    temp_path(path, sizeof path, ".csv.gz");
    static char rows[1 << 20];
    size_t k = 0;
    while (k + 8 <= sizeof rows) {
        memcpy(rows + k, "1,2,3,4\n", 8);
        k += 8;
    }
    big_write_gzip(path, "a,b,c,d\n", 8, rows, k, 256);
    rows_job j = {path, 10};
    big_run r = big_measure(read_rows_job, &j);
    ck_assert_msg(r.status == CRM_OK, "status %d: %s", r.status, r.msg);
    big_assert_peak_below(r, 40);
    remove(path);
}
END_TEST

START_TEST(test_max_bytes)
{
    const char *csv = "a,b\n1,2\n3,4\n"; /* 12 bytes */
    crm_csv_options o = opts();
    crm_dataset *ds = NULL;
    o.max_bytes = -1;
    ck_assert_error(crm_dataset_read_csv_mem(csv, 12, &o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "max_bytes is negative"));
    char plain[64], gz[64];
    temp_path(plain, sizeof plain, ".csv");
    temp_path(gz, sizeof gz, ".csv.gz");
    write_bytes(plain, csv, 12);
    write_gzip(gz, csv, 12);
    FILE *f = fopen(gz, "rb");
    char gzbytes[256];
    size_t gzlen = fread(gzbytes, 1, sizeof gzbytes, f);
    fclose(f);
    for (int w = 0; w < 3; w++) {
        size_t win = w == 0 ? 0 : w == 1 ? 1 : 5;
        /* exactly the text's size reads it; one byte less is refused */
        o.max_bytes = 12;
        ck_assert_ok(crm__csv_read_file_window(plain, &o, win, &ds));
        ck_assert_uint_eq(crm_dataset_nrows(ds), 2);
        crm_dataset_free(ds);
        ck_assert_ok(crm__csv_read_file_window(gz, &o, win, &ds));
        crm_dataset_free(ds);
        ck_assert_ok(crm__csv_read_mem_window(gzbytes, gzlen, &o, win, &ds));
        crm_dataset_free(ds);
        o.max_bytes = 11;
        ck_assert_error(crm__csv_read_file_window(plain, &o, win, &ds), CRM_E_IO);
        ck_assert_ptr_null(ds);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), plain));
        ck_assert_ptr_nonnull(strstr(crm_last_error(), "longer than max_bytes (11 bytes)"));
        ck_assert_error(crm__csv_read_file_window(gz, &o, win, &ds), CRM_E_IO);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), "longer than max_bytes (11 bytes)"));
        ck_assert_error(crm__csv_read_mem_window(gzbytes, gzlen, &o, win, &ds), CRM_E_IO);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), "<memory>: the text is longer than"));
        /* max_rows ending the read first: no error */
        o.max_rows = 1;
        o.max_bytes = 9;
        ck_assert_ok(crm__csv_read_file_window(gz, &o, win ? win : 1, &ds));
        ck_assert_uint_eq(crm_dataset_nrows(ds), 1);
        crm_dataset_free(ds);
        o.max_rows = 0;
    }
    o.max_bytes = 11;
    ck_assert_error(crm_dataset_read_csv_mem(csv, 12, &o, &ds), CRM_E_IO);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "<memory>: the text is longer than max_bytes"));
    o.max_bytes = 12;
    ck_assert_ok(crm_dataset_read_csv_mem(csv, 12, &o, &ds));
    crm_dataset_free(ds);
    /* max_rows ending the read before the limit, plain text in memory and in
     * a file alike (memory once refused the whole buffer up front) */
    o.max_rows = 1;
    o.max_bytes = 9;
    write_bytes(plain, csv, 12);
    ck_assert_ok(crm_dataset_read_csv_mem(csv, 12, &o, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 1);
    crm_dataset_free(ds);
    ck_assert_ok(crm_dataset_read_csv(plain, &o, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 1);
    crm_dataset_free(ds);
    o.max_rows = 0;
    /* a CSV error inside the limit, the limit passed later: the limit, as the
     * whole input is judged before its text */
    write_bytes(plain, "a,b\n1\n3,4\n", 10);
    o.max_bytes = 9;
    ck_assert_error(crm_dataset_read_csv(plain, &o, &ds), CRM_E_IO);
    o.max_bytes = 0;
    ck_assert_error(crm_dataset_read_csv(plain, &o, &ds), CRM_E_PARSE);
    /* a caller compiled before max_bytes existed (1.0 layout): the default */
    struct {
        crm_csv_options o;
    } old;
    ck_assert_ok(crm_csv_options_init(&old.o, offsetof(crm_csv_options, max_bytes)));
    ck_assert_ok(crm_dataset_read_csv_mem(csv, 12, &old.o, &ds));
    crm_dataset_free(ds);
    remove(plain);
    remove(gz);
}
END_TEST

/* Truncated or corrupt gzip data is reported even when a CSV error comes
 * earlier in the text, as when the whole file was inflated first. */
START_TEST(test_gzip_errors_before_csv_errors)
{
    size_t cap = 300000, k = 0;
    char *s = malloc(cap);
    k += (size_t)sprintf(s, "a,b\n1\n");
    while (k < cap - 16)
        k += (size_t)sprintf(s + k, "%zu,%zu\n", k, k % 7);
    char path[64];
    temp_path(path, sizeof path, ".csv.gz");
    write_gzip(path, s, k);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    ck_assert_int_eq(truncate(path, n - 12), 0);
    crm_dataset *ds = NULL;
    for (int w = 0; w < 2; w++) {
        ck_assert_error(crm__csv_read_file_window(path, NULL, w ? 64 : 0, &ds), CRM_E_IO);
        ck_assert_ptr_nonnull(strstr(crm_last_error(), "truncated gzip data"));
        ck_assert_ptr_null(ds);
    }
    /* bad options and a damaged file: the file */
    crm_csv_options o = opts();
    o.max_rows = -3;
    ck_assert_error(crm_dataset_read_csv(path, &o, &ds), CRM_E_IO);
    write_gzip(path, s, k);
    ck_assert_error(crm_dataset_read_csv(path, &o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "max_rows is negative"));
    ck_assert_error(crm_dataset_read_csv(path, NULL, &ds), CRM_E_PARSE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), ":2:2: row has 1 field, expected 2"));
    remove(path);
    free(s);
}
END_TEST

/* ---- baskets ------------------------------------------------------------------- */

/* Lines longer than the basket reader's window and lines across its ends
 * give the same table from a plain and a gzip file. */
START_TEST(test_baskets_stream)
{
    size_t cap = (size_t)8 << 20, k = 0;
    char *s = malloc(cap);
    size_t items = 0, lines = 0;
    /* 3 MiB of short lines, one line of 300,000 items (about 2 MiB), short lines */
    while (k < ((size_t)3 << 20)) {
        k += (size_t)sprintf(s + k, "%zu %zu\t%zu \n", lines % 1000, (lines + 1) % 1000,
                             (lines + 2) % 1000);
        items += 3;
        lines++;
    }
    for (size_t i = 0; i < 300000; i++)
        k += (size_t)sprintf(s + k, "w%zu ", i);
    s[k++] = '\n';
    items += 300000;
    lines++;
    k += (size_t)sprintf(s + k, "a b\n\nc");
    items += 3;
    lines += 3;
    char plain[64], gz[64];
    temp_path(plain, sizeof plain, ".dat");
    temp_path(gz, sizeof gz, ".dat.gz");
    write_bytes(plain, s, k);
    write_gzip(gz, s, k);
    crm_dataset *a = NULL, *b = NULL;
    ck_assert_ok(crm_dataset_read_baskets(plain, &a));
    ck_assert_ok(crm_dataset_read_baskets(gz, &b));
    ck_assert_uint_eq(crm_dataset_nrows(a), items);
    assert_identical(a, b, "baskets");
    double tid;
    ck_assert_ok(crm_dataset_get_number(a, 0, items - 1, 1, &tid));
    ck_assert(tid == (double)lines);
    const char *it;
    ck_assert_ok(crm_dataset_get_text(a, 1, items - 4, &it));
    ck_assert_str_eq(it, "w299999");
    crm_dataset_free(a);
    crm_dataset_free(b);
    /* an invalid byte in the long line: its line and column */
    s[k - 200] = (char)0xff;
    write_bytes(plain, s, k);
    ck_assert_error(crm_dataset_read_baskets(plain, &a), CRM_E_PARSE);
    char want[64];
    snprintf(want, sizeof want, ":%zu:", lines - 3);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), want));
    remove(plain);
    remove(gz);
    free(s);
}
END_TEST


/* ---- usecols -------------------------------------------------------------- */

static crm_csv_options cols_opts(const char *const *names, int64_t n)
{
    crm_csv_options o = opts();
    o.usecols = names;
    o.n_usecols = n;
    return o;
}

/* Read text whole and with usecols (every window, plain and gzip files): the
 * projection equals crm_dataset_select of the whole read, in file order. */
static void check_projection(const char *text, const char *const *names, size_t n,
                             const char *const *file_order)
{
    crm_csv_options all = opts();
    outcome whole = check_windows(text, strlen(text), &all);
    ck_assert_msg(whole.st == CRM_OK, "%s", whole.msg);
    crm_dataset *want = NULL;
    ck_assert_ok(crm_dataset_select(whole.ds, file_order, n, &want));
    crm_csv_options o = cols_opts(names, (int64_t)n);
    outcome got = check_windows(text, strlen(text), &o);
    ck_assert_msg(got.st == CRM_OK, "%s", got.msg);
    assert_identical(want, got.ds, "usecols");
    crm_dataset_free(want);
    crm_dataset_free(whole.ds);
    crm_dataset_free(got.ds);
}

START_TEST(test_usecols_projection)
{
    const char *text = "id,note,when,amount,country\n"
                       "1,\"a, quoted\",2011-01-02 10:00,2.5,UK\n"
                       "2,plain,2011-01-03 11:30,-1,France\n"
                       "3,,2011-01-04,NA,UK\n"
                       "4,\"two\nlines\",2011-01-05 00:00:01,1e3,\n";
    static const char *const two[] = {"amount", "id"};
    static const char *const two_order[] = {"id", "amount"};
    check_projection(text, two, 2, two_order);
    static const char *const one[] = {"when"};
    check_projection(text, one, 1, one);
    /* every column, listed in another order: the whole read */
    static const char *const five[] = {"country", "amount", "when", "note", "id"};
    static const char *const five_order[] = {"id", "note", "when", "amount", "country"};
    check_projection(text, five, 5, five_order);
    /* no header: the generated names */
    crm_csv_options o = cols_opts((const char *const[]){"V3"}, 1);
    o.header = 0;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem("1,2,3\n4,5,6\n", 12, &o, &ds));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 1);
    double v[2];
    ck_assert_ok(crm_dataset_get_number(ds, 0, 0, 2, v));
    ck_assert(v[0] == 3 && v[1] == 6);
    crm_dataset_free(ds);
}
END_TEST

/* Cells of a column that is not read are not converted: no type inference
 * (no restart), no type override check, no NUL or UTF-8 check; the row
 * structure is checked as always. */
START_TEST(test_usecols_skipped_cells)
{
    static const char *const a[] = {"a"};
    crm_csv_options o = cols_opts(a, 1);
    /* a forced type that the skipped column does not fit */
    o.types = (const char *const[]){"b:number"};
    o.n_types = 1;
    outcome r = check_windows("a,b\n1,x\n2,y\n", 12, &o);
    ck_assert_msg(r.st == CRM_OK, "%s", r.msg);
    ck_assert_uint_eq(crm_dataset_ncols(r.ds), 1);
    crm_dataset_free(r.ds);
    crm_csv_options all = opts();
    all.types = o.types;
    all.n_types = 1;
    r = check_windows("a,b\n1,x\n2,y\n", 12, &all);
    ck_assert_int_eq(r.st, CRM_E_PARSE);
    /* invalid UTF-8 and a NUL byte in the skipped column, then in a read one */
    o = cols_opts(a, 1);
    static const char bad[] = "a,b\n1,\xff\n2,x\0y\n3,z\n";
    r = check_windows(bad, sizeof bad - 1, &o);
    ck_assert_msg(r.st == CRM_OK, "%s", r.msg);
    ck_assert_uint_eq(crm_dataset_nrows(r.ds), 3);
    crm_dataset_free(r.ds);
    static const char bad_a[] = "a,b\n1,\xff\n2\xfe,x\n";
    r = check_windows(bad_a, sizeof bad_a - 1, &o);
    ck_assert_int_eq(r.st, CRM_E_PARSE);
    ck_assert_msg(strstr(r.msg, ":3:1: invalid UTF-8 (byte 0xFE)"), "%s", r.msg);
    /* a late text cell in a skipped column needs no restart: the same values */
    size_t n = 20000, len = 0;
    char *t = malloc(n * 16 + 32);
    len += (size_t)sprintf(t, "a,b\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(t + len, "%zu,%s\n", i, i + 1 == n ? "late" : "7");
    r = check_windows(t, len, &o);
    ck_assert_msg(r.st == CRM_OK, "%s", r.msg);
    ck_assert_uint_eq(crm_dataset_nrows(r.ds), n);
    crm_dataset_free(r.ds);
    free(t);
    /* the structure of rows is checked whatever is read */
    static const char *const unb = "a,b\n1,\"open\n2,x\n";
    outcome w = check_windows(unb, strlen(unb), &all);
    r = check_windows(unb, strlen(unb), &o);
    ck_assert_int_eq(r.st, CRM_E_PARSE);
    ck_assert_str_eq(r.msg, w.msg);
    all = opts();
    w = check_windows("a,b\n1,2,3\n", 10, &all);
    r = check_windows("a,b\n1,2,3\n", 10, &o);
    ck_assert_int_eq(r.st, CRM_E_PARSE);
    ck_assert_str_eq(r.msg, w.msg);
}
END_TEST

START_TEST(test_usecols_limits)
{
    const char *text = "a,b,c\n1,2,3\n";
    crm_dataset *ds = (crm_dataset *)1;
    /* a name that is not a column, named in the message (file and memory) */
    crm_csv_options o = cols_opts((const char *const[]){"a", "zz"}, 2);
    ck_assert_error(crm_dataset_read_csv_mem(text, strlen(text), &o, &ds), CRM_E_NOTFOUND);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(crm_last_error(), "usecols: no column named \"zz\""), "%s",
                  crm_last_error());
    char path[64];
    temp_path(path, sizeof path, ".csv.gz");
    write_gzip(path, text, strlen(text));
    ck_assert_error(crm_dataset_read_csv(path, &o, &ds), CRM_E_NOTFOUND);
    /* listed twice, a NULL entry, a NULL list, a negative count */
    o = cols_opts((const char *const[]){"b", "a", "b"}, 3);
    ck_assert_error(crm_dataset_read_csv(path, &o, &ds), CRM_E_INVALID);
    ck_assert_msg(strstr(crm_last_error(), "\"b\" twice"), "%s", crm_last_error());
    o = cols_opts((const char *const[]){"a", NULL}, 2);
    ck_assert_error(crm_dataset_read_csv_mem(text, strlen(text), &o, &ds), CRM_E_INVALID);
    o = cols_opts(NULL, 1);
    ck_assert_error(crm_dataset_read_csv_mem(text, strlen(text), &o, &ds), CRM_E_INVALID);
    o = cols_opts((const char *const[]){"a"}, -1);
    ck_assert_error(crm_dataset_read_csv_mem(text, strlen(text), &o, &ds), CRM_E_INVALID);
    /* n_usecols 0 reads every column, whatever usecols points to */
    o = cols_opts((const char *const[]){"a"}, 0);
    ck_assert_ok(crm_dataset_read_csv(path, &o, &ds));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 3);
    crm_dataset_free(ds);
    /* a corrupt gzip file reports the corruption before an unknown name */
    o = cols_opts((const char *const[]){"zz"}, 1);
    FILE *f = fopen(path, "r+b");
    ck_assert_int_eq(fseek(f, -6, SEEK_END), 0);
    fputc(0x55, f);
    fclose(f);
    ck_assert_error(crm_dataset_read_csv(path, &o, &ds), CRM_E_IO);
    remove(path);
}
END_TEST

/* The columns an expression refers to, for usecols. */
START_TEST(test_expr_columns)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_expr_columns("CustomerID is not missing and Quantity > 0 and "
                                  "not startswith(InvoiceNo, 'C') and \"Unit Price\" > 1 and "
                                  "Quantity < 5 and year(InvoiceDate) = 2011 and missing is "
                                  "missing",
                                  &ds));
    static const char *const want[] = {"CustomerID", "Quantity", "InvoiceNo", "Unit Price",
                                       "InvoiceDate", "missing"};
    ck_assert_uint_eq(crm_dataset_nrows(ds), 6);
    for (size_t i = 0; i < 6; i++) {
        const char *s = NULL;
        ck_assert_ok(crm_dataset_get_text(ds, 0, i, &s));
        ck_assert_str_eq(s, want[i]);
    }
    crm_dataset_free(ds);
    ck_assert_ok(crm_expr_columns("1 + 2", &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    crm_dataset_free(ds);
    ck_assert_error(crm_expr_columns("a ? b", &ds), CRM_E_PARSE);
    ck_assert_ptr_null(ds);
    ck_assert_error(crm_expr_columns(NULL, &ds), CRM_E_INVALID);
}
END_TEST


static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(*n + 1);
    ck_assert_uint_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* gzip input read in one piece (libdeflate, when built with it) and through
 * zlib's stream give the same dataset: one member, two members with zero
 * padding, text that expands more than 40 times (streamed), and max_rows
 * (streamed). */
START_TEST(test_gzip_whole_and_streamed)
{
    size_t n = 60000, len = 0;
    char *t = malloc(n * 48 + 16);
    len += (size_t)sprintf(t, "id,name,when,x\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(t + len, "%zu,n%zu,2011-%02zu-%02zu 10:%02zu,%zu.%02zu\n", i,
                               i % 977, 1 + i % 12, 1 + i % 28, i % 60, i * 7 % 1000, i % 100);
    crm_dataset *want = NULL, *got = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(t, len, NULL, &want));
    char p1[64], p2[64], both[64];
    temp_path(p1, sizeof p1, ".csv.gz");
    temp_path(p2, sizeof p2, ".csv.gz");
    temp_path(both, sizeof both, ".csv.gz");
    write_gzip(p1, t, len);
    ck_assert_ok(crm_dataset_read_csv(p1, NULL, &got));
    assert_identical(want, got, "one member");
    crm_dataset_free(got);
    crm_csv_options o = opts();
    o.max_rows = (int64_t)n + 5; /* streamed */
    ck_assert_ok(crm_dataset_read_csv(p1, &o, &got));
    assert_identical(want, got, "one member, streamed");
    crm_dataset_free(got);
    size_t half = len / 2, a, b;
    write_gzip(p1, t, half);
    write_gzip(p2, t + half, len - half);
    char *ga = read_all(p1, &a), *gb = read_all(p2, &b);
    char *cat = malloc(a + b + 8);
    memcpy(cat, ga, a);
    memcpy(cat + a, gb, b);
    memset(cat + a + b, 0, 8);
    write_bytes(both, cat, a + b + 8);
    ck_assert_ok(crm_dataset_read_csv(both, NULL, &got));
    assert_identical(want, got, "two members and zero padding");
    crm_dataset_free(got);
    ck_assert_ok(crm_dataset_read_csv_mem(cat, a + b + 8, NULL, &got));
    assert_identical(want, got, "two members in memory");
    crm_dataset_free(got);
    /* garbage after the padding: zlib's message, whichever way it is read */
    cat[a + b + 7] = 'x';
    write_bytes(both, cat, a + b + 8);
    ck_assert_error(crm_dataset_read_csv(both, NULL, &got), CRM_E_IO);
    ck_assert_msg(strstr(crm_last_error(), "trailing garbage"), "%s", crm_last_error());
    crm_dataset_free(want);
    /* expands about 1000 times: streamed */
    size_t m = 2000000;
    char *z = malloc(m + 8);
    memcpy(z, "a,b\n", 4);
    for (size_t i = 4; i + 4 <= m; i += 4)
        memcpy(z + i, "1,2\n", 4);
    ck_assert_ok(crm_dataset_read_csv_mem(z, m, NULL, &want));
    write_gzip(p1, z, m);
    ck_assert_ok(crm_dataset_read_csv(p1, NULL, &got));
    assert_identical(want, got, "expands 1000 times");
    crm_dataset_free(got);
    crm_dataset_free(want);
    remove(p1);
    remove(p2);
    remove(both);
    free(z);
    free(ga);
    free(gb);
    free(cat);
    free(t);
}
END_TEST

Suite *crm_csv_stream_suite(void)
{
    Suite *s = suite_create("csv_stream");
    TCase *win = tcase_create("windows");
    tcase_set_timeout(win, 60);
    tcase_add_test(win, test_window_sizes_strict);
    tcase_add_test(win, test_window_sizes_lenient);
    tcase_add_test(win, test_window_sizes_options);
    tcase_add_test(win, test_late_type_changes);
    tcase_add_test(win, test_error_order_in_blocks);
    tcase_add_test(win, test_line_numbers_across_windows);
    tcase_add_test(win, test_long_header);
    suite_add_tcase(s, win);
    TCase *lim = tcase_create("limits");
    tcase_set_timeout(lim, 60); /* megabytes through gzip: 2 s at -O0, more on a busy machine */
    tcase_add_test(lim, test_wide_header_is_linear);
    tcase_add_test(lim, test_claimed_isize_is_not_trusted);
    tcase_add_test(lim, test_max_rows_stops_inflating);
    tcase_add_test(lim, test_max_bytes);
    tcase_add_test(lim, test_gzip_errors_before_csv_errors);
    tcase_add_test(lim, test_baskets_stream);
    tcase_add_test(lim, test_gzip_whole_and_streamed);
    suite_add_tcase(s, lim);
    TCase *cols = tcase_create("usecols");
    tcase_set_timeout(cols, 60);
    tcase_add_test(cols, test_usecols_projection);
    tcase_add_test(cols, test_usecols_skipped_cells);
    tcase_add_test(cols, test_usecols_limits);
    tcase_add_test(cols, test_expr_columns);
    suite_add_tcase(s, cols);
    return s;
}
