/* libFuzzer harness for crm_dataset_read_baskets() (see README.md in this
 * folder). Each input is written to a file, as it is and gzip-compressed
 * (name ending in .gz), and read back. Both reads must agree (the same table,
 * or the same error and message with the file name replaced). A failure must
 * leave *out NULL and a message. A table must be exactly what a plain
 * tokeniser finds: after a UTF-8 byte-order mark, one transaction per line
 * (tid = 1-based line number), items separated by spaces, tabs and carriage
 * returns; invalid UTF-8 and NUL bytes are errors. The table then runs
 * through crm_apriori() (small itemsets), which must succeed. Anything else
 * aborts, and so does any sanitizer finding. */
#include "fuzz_util.h"

#include <crm/assoc.h>

static int is_sep(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The table the input must give (when it reads): items in order. */
static void check_tokens(const crm_dataset *ds, const uint8_t *d, size_t n)
{
    FUZZ_CHECK(crm_dataset_ncols(ds) == 2, "%zu columns", crm_dataset_ncols(ds));
    const char *name = NULL;
    int32_t type = 0;
    FUZZ_CHECK(crm_dataset_column_name(ds, 0, &name) == CRM_OK && strcmp(name, "tid") == 0 &&
                   crm_dataset_column_type(ds, 0, &type) == CRM_OK && type == CRM_TYPE_NUMBER,
               "column 0");
    FUZZ_CHECK(crm_dataset_column_name(ds, 1, &name) == CRM_OK && strcmp(name, "item") == 0 &&
                   crm_dataset_column_type(ds, 1, &type) == CRM_OK && type == CRM_TYPE_TEXT,
               "column 1");
    size_t rows = crm_dataset_nrows(ds), r = 0, line = 1, i = 0;
    if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < n) {
        size_t eol = i;
        while (eol < n && d[eol] != '\n')
            eol++;
        for (size_t k = i; k < eol;) {
            while (k < eol && is_sep(d[k]))
                k++;
            if (k >= eol) break;
            size_t start = k;
            while (k < eol && !is_sep(d[k]))
                k++;
            FUZZ_CHECK(r < rows, "fewer rows (%zu) than items", rows);
            double tid = 0;
            const char *item = NULL;
            FUZZ_CHECK(crm_dataset_get_number(ds, 0, r, 1, &tid) == CRM_OK &&
                           crm_dataset_get_text(ds, 1, r, &item) == CRM_OK && item,
                       "row %zu", r);
            FUZZ_CHECK(tid == (double)line, "row %zu: tid %g, line %zu", r, tid, line);
            FUZZ_CHECK(strlen(item) == k - start && memcmp(item, d + start, k - start) == 0,
                       "row %zu: item \"%s\"", r, item);
            r++;
        }
        i = eol + 1;
        line++;
    }
    FUZZ_CHECK(r == rows, "%zu rows, %zu items", rows, r);
}

static void check_apriori(const crm_dataset *ds)
{
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    o.max_len = 3;
    o.n_threads = 1;
    crm_dataset *sets = NULL, *rules = NULL;
    crm_status st = crm_apriori(ds, "tid", "item", &o, &sets, &rules);
    if (crm_dataset_nrows(ds) == 0)
        FUZZ_CHECK(st == CRM_E_INVALID, "apriori on no transactions: %s", crm_status_str(st));
    else
        FUZZ_CHECK(st == CRM_OK, "apriori: %s", crm_last_error());
    crm_dataset_free(sets);
    crm_dataset_free(rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path("in.txt");
    fuzz_write_file(path, data, size);
    crm_dataset *ds = (crm_dataset *)1;
    crm_status st = crm_dataset_read_baskets(path, &ds);
    fuzz_result plain = fuzz_take(st, ds, path);
    if (st == CRM_OK && !fuzz_is_gzip(data, size)) {
        check_tokens(plain.ds, data, size);
        if (size <= 512) check_apriori(plain.ds);
    }
    if (!fuzz_is_gzip(data, size)) {
        size_t zn = 0;
        unsigned char *z = fuzz_gzip(data, size, &zn);
        const char *zpath = fuzz_path("in.txt.gz");
        fuzz_write_file(zpath, z, zn);
        free(z);
        ds = (crm_dataset *)1;
        st = crm_dataset_read_baskets(zpath, &ds);
        fuzz_result gz = fuzz_take(st, ds, zpath);
        fuzz_same(&plain, &gz, "file vs gzip file");
        fuzz_result_free(&gz);
    }
    fuzz_result_free(&plain);
    return 0;
}
