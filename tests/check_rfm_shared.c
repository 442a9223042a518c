/* RFM parity with pandas on Online Retail (golden file from tests/reference/rfm.py):
 * the standard preparation (CustomerID present, Quantity > 0, UnitPrice > 0,
 * InvoiceNo not starting with 'C', amount = Quantity * UnitPrice, as_of = the
 * day after the last invoice), every customer compared. */
#include "test_util.h"

#include "crm/rfm.h"
#include "core/dataset_internal.h"

#include <math.h>

/* pandas' own groupby sum of the amounts (not exactly rounded) against libcrm's
 * exactly rounded monetary, relative: a small multiple of the largest difference
 * measured; docs/rfm.md quotes it. Every other number and text is compared for
 * equality. */
#define TOL_MONETARY_PANDAS 1e-15 /* measured 2.2e-16 (one ulp) */

static size_t col(const crm_dataset *ds, const char *name)
{
    size_t c = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    return c;
}

static int32_t type_of(const crm_dataset *ds, const char *name)
{
    int32_t t = 0;
    ck_assert_ok(crm_dataset_column_type(ds, col(ds, name), &t));
    return t;
}

/* The filtered transactions, built with a loop over the columns. */
static crm_dataset *prepared(void)
{
    crm_dataset *raw = NULL, *tx = NULL;
    ck_assert_ok(
        crm_dataset_read_csv(crm_test_data("online_retail/online_retail.csv.gz"), NULL, &raw));
    size_t n = crm_dataset_nrows(raw);
    ck_assert_uint_eq(n, 541909);
    ck_assert_int_eq(type_of(raw, "CustomerID"), CRM_TYPE_NUMBER);
    ck_assert_int_eq(type_of(raw, "InvoiceNo"), CRM_TYPE_TEXT);
    ck_assert_int_eq(type_of(raw, "InvoiceDate"), CRM_TYPE_TIME);
    double *cid = malloc(n * sizeof *cid), *q = malloc(n * sizeof *q), *p = malloc(n * sizeof *p);
    int32_t *inv = malloc(n * sizeof *inv);
    size_t *rows = malloc(n * sizeof *rows);
    ck_assert(cid && q && p && inv && rows);
    ck_assert_ok(crm_dataset_get_number(raw, col(raw, "CustomerID"), 0, n, cid));
    ck_assert_ok(crm_dataset_get_number(raw, col(raw, "Quantity"), 0, n, q));
    ck_assert_ok(crm_dataset_get_number(raw, col(raw, "UnitPrice"), 0, n, p));
    size_t ci = col(raw, "InvoiceNo"), levels = 0;
    ck_assert_ok(crm_dataset_get_codes(raw, ci, 0, n, inv));
    ck_assert_ok(crm_dataset_text_levels(raw, ci, &levels));
    char *cancel = calloc(levels + 1, 1);
    ck_assert_ptr_nonnull(cancel);
    for (size_t k = 0; k < levels; k++) {
        const char *s = NULL;
        ck_assert_ok(crm_dataset_text_level(raw, ci, k, &s));
        cancel[k] = s[0] == 'C';
    }
    size_t m = 0;
    for (size_t r = 0; r < n; r++)
        if (!isnan(cid[r]) && q[r] > 0 && p[r] > 0 && inv[r] >= 0 && !cancel[inv[r]]) rows[m++] = r;
    ck_assert_uint_eq(m, 397884);
    ck_assert_ok(crm__dataset_take(raw, rows, m, &tx));
    free(cid);
    free(q);
    free(p);
    free(inv);
    free(rows);
    free(cancel);
    crm_dataset_free(raw);
    return tx;
}

static crm_dataset *golden(void)
{
    crm_csv_options o;
    ck_assert_ok(crm_csv_options_init(&o, sizeof o));
    const char *types[] = {"rfm_cell:text"};
    o.types = types;
    o.n_types = 1;
    crm_dataset *g = NULL;
    ck_assert_ok(
        crm_dataset_read_csv(crm_test_file("reference/golden/rfm_online_retail.csv"), &o, &g));
    return g;
}

static double *numbers(const crm_dataset *ds, const char *name)
{
    size_t n = crm_dataset_nrows(ds);
    double *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    ck_assert_ok(crm_dataset_get_number(ds, col(ds, name), 0, n, v));
    return v;
}

/* Compare an RFM table with the golden one, every customer and column. */
static void compare(const crm_dataset *r, const crm_dataset *g)
{
    size_t n = crm_dataset_nrows(g);
    ck_assert_uint_eq(n, 4338);
    ck_assert_uint_eq(crm_dataset_nrows(r), n);
    ck_assert_uint_eq(crm_dataset_ncols(r), 12);
    static const char *const exact[] = {"customer", "recency_days", "frequency",
                                        "monetary", "tenure_days",  "r_score",
                                        "f_score",  "m_score",      "rfm_score"};
    for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++) {
        double *a = numbers(r, exact[k]), *b = numbers(g, exact[k]);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(a[i] == b[i], "%s, customer %zu: libcrm %.17g, pandas %.17g", exact[k], i,
                          a[i], b[i]);
        free(a);
        free(b);
    }
    /* pandas' own (not exactly rounded) sum */
    double *a = numbers(r, "monetary"), *b = numbers(g, "monetary_pandas");
    crm_parity pm = CRM_PARITY_REL("RFM monetary vs pandas' groupby sum", TOL_MONETARY_PANDAS);
    size_t differ = 0;
    for (size_t i = 0; i < n; i++) {
        crm_parity_check(&pm, a[i], b[i], "customer %zu", i);
        differ += a[i] != b[i];
    }
    fprintf(stderr, "parity: %zu customers x %zu number columns equal to pandas' golden table; "
                    "pandas' own sum differs from the exact one for %zu customers\n",
            n, sizeof exact / sizeof exact[0], differ);
    crm_parity_report(&pm);
    free(a);
    free(b);
    static const char *const texts[] = {"rfm_cell", "segment", "lifecycle"};
    for (size_t k = 0; k < 3; k++) {
        size_t cr = col(r, texts[k]), cg = col(g, texts[k]);
        for (size_t i = 0; i < n; i++) {
            const char *x = NULL, *y = NULL;
            ck_assert_ok(crm_dataset_get_text(r, cr, i, &x));
            ck_assert_ok(crm_dataset_get_text(g, cg, i, &y));
            ck_assert_msg(x && y && strcmp(x, y) == 0, "%s, customer %zu: \"%s\" vs \"%s\"",
                          texts[k], i, x ? x : "(null)", y ? y : "(null)");
        }
    }
}

START_TEST(test_rfm_online_retail)
{
    crm_dataset *tx = prepared(), *g = golden(), *r = NULL;
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.quantity = "Quantity";
    o.price = "UnitPrice";
    o.invoice = "InvoiceNo";
    ck_assert_ok(crm_rfm(tx, &o, &r));
    compare(r, g);
    crm_dataset_free(r);

    /* the same with an explicit as_of (2011-12-10) */
    o.as_of = (int64_t)15318 * 86400;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    compare(r, g);
    crm_dataset_free(r);
    crm_dataset_free(g);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_online_retail_unfiltered)
{
    /* the raw file holds cancellations: refused, naming the first bad row */
    crm_dataset *raw = NULL, *r = (crm_dataset *)1;
    ck_assert_ok(
        crm_dataset_read_csv(crm_test_data("online_retail/online_retail.csv.gz"), NULL, &raw));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.quantity = "Quantity";
    o.price = "UnitPrice";
    ck_assert_error(crm_rfm(raw, &o, &r), CRM_E_INVALID);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(crm_last_error(), "row "), "%s", crm_last_error());
    ck_assert_uint_eq(crm_dataset_nrows(raw), 541909);
    crm_dataset_free(raw);
}
END_TEST

Suite *crm_rfm_shared_suite(void)
{
    Suite *s = suite_create("rfm_shared");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_rfm_online_retail);
    tcase_add_test(core, test_rfm_online_retail_unfiltered);
    tcase_set_timeout(core, 300);
    suite_add_tcase(s, core);
    return s;
}
