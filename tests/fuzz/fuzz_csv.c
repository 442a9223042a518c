/* libFuzzer harness for the CSV reader (see README.md in this folder).
 *
 * The first FUZZ_CSV_CTRL bytes of an input choose the reader options (one
 * byte per field of crm_csv_options, in decode_options()); the rest is the
 * CSV text. The text is read
 *   - from memory,
 *   - from a file,
 *   - from a gzip-compressed file (name ending in .gz) and from gzip bytes in
 *     memory (unless the text itself starts with the gzip magic bytes),
 * and every read must give the same result: the same dataset (names, types,
 * values) or the same error status and message (the file name replaced by
 * "<memory>"). A failed read must leave *out NULL and a message. A dataset
 * read must also write back to CSV and read again with the same shape.
 * Anything else aborts, and so does any sanitizer finding. */
#include "fuzz_util.h"

#define FUZZ_CSV_CTRL 16 /* option bytes reserved at the start of an input */

typedef struct ctrl {
    const uint8_t *p;
    size_t n, i;
} ctrl;

/* Next option byte (0 past the end: every field then takes its default). */
static unsigned take(ctrl *c)
{
    return c->i < c->n ? c->p[c->i++] : 0u;
}

#define PICK(c, arr) ((arr)[take(c) % (sizeof(arr) / sizeof((arr)[0]))])

static const int32_t delimiters[] = {0, ',', ';', '\t', '|', ' ', ':', '"', '\n', 'a', 0x80};
static const int32_t quotes[] = {'"', '\'', 0, ',', '"', '\n', 0x100};
static const char *const na_a[] = {"-", "n/a"};
static const char *const na_b[] = {"", "x", "1"};
typedef struct strlist {
    const char *const *v;
    int64_t n;
} strlist;
static const strlist na_sets[] = {{NULL, 0}, {na_a, 2}, {na_b, 3}, {NULL, -1}};
static const char *const ty_a[] = {"a:number", "b:text"};
static const char *const ty_b[] = {"V1:time", "V2:number"};
static const char *const ty_c[] = {"x:text", "d:time", "n:number"};
static const char *const ty_d[] = {"a:bogus"};
static const char *const ty_e[] = {"a:text", "a:number"};
static const strlist type_sets[] = {{NULL, 0}, {ty_a, 2}, {ty_b, 2},
                                    {ty_c, 3}, {ty_d, 1}, {ty_e, 2}};
static const char *const date_formats[] = {
    NULL, "%Y-%m-%d", "%d/%m/%Y %H:%M", "%b %d %y %I %p", "%Y%m%d%H%M%S", "%%%Y", "%q", "", "%"};
static const int64_t max_rows[] = {0, 0, 1, 2, 3, 7, -1};
static const int64_t max_bytes[] = {0, 0, 0, 1, 7, 64, 1000, -1};
static const char *const uc_a[] = {"a"};
static const char *const uc_b[] = {"b", "a"};
static const char *const uc_c[] = {"V2"};
static const char *const uc_d[] = {"a", "a"};
static const char *const uc_e[] = {"a", NULL};
static const char *const uc_f[] = {"zz"};
static const strlist usecols_sets[] = {{NULL, 0}, {NULL, 0}, {uc_a, 1}, {uc_b, 2}, {uc_c, 1},
                                       {uc_d, 2}, {uc_e, 2}, {uc_f, 1}, {NULL, 1}, {uc_a, -1}};

/* One line per field of crm_csv_options, in the order of the struct: a new
 * field is one more line (and one more byte of FUZZ_CSV_CTRL). */
static void decode_options(ctrl *c, crm_csv_options *o)
{
    o->delimiter = PICK(c, delimiters);
    o->quote = PICK(c, quotes);
    o->header = !(take(c) & 1);
    o->decimal_comma = take(c) & 1;
    o->strict = !(take(c) & 1);
    o->keep_default_na = !(take(c) & 1);
    strlist na = PICK(c, na_sets);
    o->na_values = na.v;
    o->n_na_values = na.n;
    strlist ty = PICK(c, type_sets);
    o->types = ty.v;
    o->n_types = ty.n;
    o->date_format = PICK(c, date_formats);
    o->max_rows = PICK(c, max_rows);
    o->max_bytes = PICK(c, max_bytes);
    strlist uc = PICK(c, usecols_sets);
    o->usecols = uc.v;
    o->n_usecols = uc.n;
}

static void check_roundtrip(const crm_dataset *ds)
{
    char *text = NULL;
    FUZZ_CHECK(crm_dataset_to_csv_string(ds, NULL, &text) == CRM_OK, "to_csv_string: %s",
               crm_last_error());
    if (crm_dataset_ncols(ds) > 0 && crm_dataset_nrows(ds) > 0) {
        crm_dataset *back = NULL;
        crm_csv_options o;
        crm_csv_options_init(&o, sizeof o);
        o.delimiter = ',';
        FUZZ_CHECK(crm_dataset_read_csv_mem(text, strlen(text), &o, &back) == CRM_OK,
                   "written CSV does not read back: %s\n%s", crm_last_error(), text);
        FUZZ_CHECK(crm_dataset_nrows(back) == crm_dataset_nrows(ds) &&
                       crm_dataset_ncols(back) == crm_dataset_ncols(ds),
                   "written CSV reads back as %zu x %zu, not %zu x %zu", crm_dataset_nrows(back),
                   crm_dataset_ncols(back), crm_dataset_nrows(ds), crm_dataset_ncols(ds));
        crm_dataset_free(back);
    }
    crm_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctrl c = {data, size < FUZZ_CSV_CTRL ? size : FUZZ_CSV_CTRL, 0};
    const uint8_t *text = data + c.n;
    size_t len = size - c.n;
    crm_csv_options o;
    crm_csv_options_init(&o, sizeof o);
    decode_options(&c, &o);

    crm_dataset *ds = (crm_dataset *)1;
    crm_status st = crm_dataset_read_csv_mem((const char *)text, len, &o, &ds);
    fuzz_result mem = fuzz_take(st, ds, NULL);
    if (st == CRM_OK) check_roundtrip(mem.ds);

    const char *path = fuzz_path("in.csv");
    fuzz_write_file(path, text, len);
    ds = (crm_dataset *)1;
    st = crm_dataset_read_csv(path, &o, &ds);
    fuzz_result file = fuzz_take(st, ds, path);
    fuzz_same(&mem, &file, "memory vs file");
    fuzz_result_free(&file);

    if (!fuzz_is_gzip(text, len)) {
        size_t zn = 0;
        unsigned char *z = fuzz_gzip(text, len, &zn);
        const char *zpath = fuzz_path("in.csv.gz");
        fuzz_write_file(zpath, z, zn);
        ds = (crm_dataset *)1;
        st = crm_dataset_read_csv(zpath, &o, &ds);
        fuzz_result gzfile = fuzz_take(st, ds, zpath);
        fuzz_same(&mem, &gzfile, "memory vs gzip file");
        fuzz_result_free(&gzfile);
        ds = (crm_dataset *)1;
        st = crm_dataset_read_csv_mem((const char *)z, zn, &o, &ds);
        fuzz_result gzmem = fuzz_take(st, ds, NULL);
        fuzz_same(&mem, &gzmem, "memory vs gzip memory");
        fuzz_result_free(&gzmem);
        free(z);
    }
    fuzz_result_free(&mem);
    return 0;
}
