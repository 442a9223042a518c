/* Group and join parity with pandas on Online Retail: every cell of the golden
 * tables written by tests/reference/group_join.py (numbers bit for bit). */
#include "test_util.h"

#include "core/dataset_internal.h"

#include <math.h>

typedef struct golden_table {
    char *name;
    char **lines; /* header, then rows */
    size_t nlines;
} golden_table;

static char *golden_text;
static golden_table golden[8];
static size_t ngolden;

static void load_golden(void)
{
    FILE *f = fopen(crm_test_file("reference/golden/group_join.tsv"), "rb");
    ck_assert_msg(f != NULL, "cannot open the golden file");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    golden_text = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(golden_text);
    ck_assert_uint_eq(fread(golden_text, 1, (size_t)len, f), (size_t)len);
    golden_text[len] = '\0';
    fclose(f);
    ngolden = 0;
    golden_table *cur = NULL;
    for (char *line = golden_text; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "@table ", 7) == 0) {
            ck_assert_uint_lt(ngolden, 8);
            cur = &golden[ngolden++];
            cur->name = line + 7;
            cur->lines = malloc(sizeof(char *) * 20000);
            cur->nlines = 0;
        } else if (line[0] != '#' && line[0] && cur) {
            ck_assert_uint_lt(cur->nlines, 20000);
            cur->lines[cur->nlines++] = line;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
}

static void free_golden(void)
{
    for (size_t i = 0; i < ngolden; i++)
        free(golden[i].lines);
    free(golden_text);
    ngolden = 0;
}

static const golden_table *find_table(const char *name)
{
    for (size_t i = 0; i < ngolden; i++)
        if (strcmp(golden[i].name, name) == 0)
            return &golden[i];
    ck_abort_msg("golden table %s not found", name);
    return NULL;
}

/* Split a line at tabs in place; returns the number of fields. */
static size_t split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    for (char *p = line;;) {
        ck_assert_uint_lt(n, max);
        fields[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

/* Compare a result dataset with a golden table cell by cell. */
static void compare(const crm_dataset *ds, const char *table, size_t want_rows)
{
    const golden_table *g = find_table(table);
    char *fields[32], *names[32];
    char *header = strdup(g->lines[0]);
    size_t nf = split(header, names, 32);
    ck_assert_uint_eq(crm_dataset_ncols(ds), nf);
    for (size_t c = 0; c < nf; c++) {
        const char *name;
        ck_assert_ok(crm_dataset_column_name(ds, c, &name));
        ck_assert_msg(strcmp(name, names[c]) == 0, "%s: column %zu is %s, golden has %s", table,
                      c, name, names[c]);
    }
    size_t nrows = g->nlines - 1;
    ck_assert_uint_eq(nrows, want_rows);
    ck_assert_uint_eq(crm_dataset_nrows(ds), nrows);
    size_t bad = 0, cells = 0;
    for (size_t r = 0; r < nrows; r++) {
        char *line = strdup(g->lines[r + 1]);
        ck_assert_uint_eq(split(line, fields, 32), nf);
        for (size_t c = 0; c < nf; c++) {
            int32_t type;
            ck_assert_ok(crm_dataset_column_type(ds, c, &type));
            const char *want = fields[c];
            char got[64];
            const char *gs = got;
            int ok;
            if (type == CRM_TYPE_NUMBER) {
                double v, w = strcmp(want, "nan") == 0 ? NAN : strtod(want, NULL);
                ck_assert_ok(crm_dataset_get_number(ds, (size_t)c, r, 1, &v));
                ok = isnan(w) ? isnan(v) : (v == w && signbit(v) == signbit(w));
                snprintf(got, sizeof got, "%a", v);
            } else if (type == CRM_TYPE_TIME) {
                int64_t t;
                ck_assert_ok(crm_dataset_get_time(ds, c, r, 1, &t));
                if (t == CRM_TIME_MISSING)
                    strcpy(got, "\\N");
                else
                    crm__format_time(t, 0, got);
                ok = strcmp(got, want) == 0;
            } else {
                ck_assert_ok(crm_dataset_get_text(ds, c, r, &gs));
                if (!gs)
                    gs = "\\N";
                ok = strcmp(gs, want) == 0;
            }
            cells++;
            if (!ok && bad++ < 10)
                fprintf(stderr, "%s row %zu column %s: libcrm %s, pandas %s\n", table, r,
                        names[c], gs, want);
        }
        free(line);
    }
    free(header);
    ck_assert_msg(bad == 0, "%s: %zu of %zu cells differ from pandas", table, bad, cells);
    ck_assert_uint_gt(cells, 0);
    fprintf(stderr, "parity: %s: %zu cells equal to pandas' (numbers bit for bit)\n", table,
            cells);
}

static crm_dataset *read_retail(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_data("online_retail/online_retail.csv.gz"), NULL,
                                      &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 541909);
    return ds;
}

START_TEST(test_country)
{
    load_golden();
    crm_dataset *ds = read_retail(), *g = NULL;
    const char *keys[] = {"Country"};
    const char *aggs[] = {"rows=count()",
                          "sum(Quantity)",
                          "mean(Quantity)",
                          "min(Quantity)",
                          "max(Quantity)",
                          "median(Quantity)",
                          "sum(UnitPrice)",
                          "mean(UnitPrice)",
                          "min(UnitPrice)",
                          "max(UnitPrice)",
                          "median(UnitPrice)",
                          "count_distinct(InvoiceNo)",
                          "count_distinct(CustomerID)",
                          "first(Description)",
                          "last(Description)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 15, &g));
    compare(g, "country", 38);
    crm_dataset_free(g);
    crm_dataset_free(ds);
    free_golden();
}
END_TEST

START_TEST(test_customer)
{
    load_golden();
    crm_dataset *ds = read_retail(), *g = NULL;
    const char *keys[] = {"CustomerID"};
    const char *aggs[] = {"rows=count()", "sum(Quantity)", "min(InvoiceDate)",
                          "max(InvoiceDate)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 4, &g));
    compare(g, "customer", 4373);
    crm_dataset_free(g);
    crm_dataset_free(ds);
    free_golden();
}
END_TEST

START_TEST(test_join)
{
    load_golden();
    crm_dataset *ds = read_retail(), *left = NULL, *pos = NULL, *right = NULL, *j = NULL;
    const char *keys[] = {"CustomerID"};
    const char *la[] = {"Country=first(Country)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, la, 1, &left));
    /* rows with Quantity > 0 */
    size_t n = crm_dataset_nrows(ds), q = 0, m = 0;
    ck_assert_ok(crm_dataset_column_index(ds, "Quantity", &q));
    double *qv = malloc(n * sizeof *qv);
    size_t *rows = malloc(n * sizeof *rows);
    ck_assert_ok(crm_dataset_get_number(ds, q, 0, n, qv));
    for (size_t r = 0; r < n; r++)
        if (qv[r] > 0)
            rows[m++] = r;
    ck_assert_ok(crm__dataset_take(ds, rows, m, &pos));
    free(qv);
    free(rows);
    const char *ra[] = {"rows=count()", "sum(Quantity)", "max(InvoiceDate)",
                        "Country=last(Country)"};
    ck_assert_ok(crm_dataset_group(pos, keys, 1, ra, 4, &right));
    ck_assert_ok(crm_dataset_join(left, right, keys, 1, CRM_JOIN_INNER, &j));
    compare(j, "join_inner", 4339);
    crm_dataset_free(j);
    ck_assert_ok(crm_dataset_join(left, right, keys, 1, CRM_JOIN_LEFT, &j));
    compare(j, "join_left", 4373);
    crm_dataset_free(j);
    crm_dataset_free(right);
    crm_dataset_free(pos);
    crm_dataset_free(left);
    crm_dataset_free(ds);
    free_golden();
}
END_TEST

Suite *crm_group_shared_suite(void)
{
    Suite *s = suite_create("group_shared");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_country);
    tcase_add_test(core, test_customer);
    tcase_add_test(core, test_join);
    tcase_set_timeout(core, 120);
    suite_add_tcase(s, core);
    return s;
}
