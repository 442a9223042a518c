/* The HTML report: sections present, hostile text escaped, degenerate data,
 * bad options, atomic write, allocation failure. */
#define _GNU_SOURCE /* mkstemps in file_util.h */
#include "file_util.h"

#include "crm/report.h"
#include "crm/synth.h"

#include <math.h>

#define DAY 86400

/* Cleaned synthetic shop transactions (crm synth + the demo's clean filter). */
static crm_dataset *shop(int64_t customers)
{
    crm_synth_options so;
    ck_assert_ok(crm_synth_options_init(&so, sizeof so));
    so.customers = customers;
    so.seed = 42;
    crm_dataset *raw = NULL, *tx = NULL;
    ck_assert_ok(crm_synth_transactions(&so, &raw));
    ck_assert_ok(crm_dataset_filter(raw,
                                    "CustomerID is not missing and Quantity > 0 and "
                                    "UnitPrice > 0 and not startswith(InvoiceNo, 'C')",
                                    &tx));
    crm_dataset_free(raw);
    return tx;
}

static void shop_options(crm_report_options *o)
{
    ck_assert_ok(crm_report_options_init(o, sizeof *o));
    o->customer = "CustomerID";
    o->date = "InvoiceDate";
    o->quantity = "Quantity";
    o->price = "UnitPrice";
    o->invoice = "InvoiceNo";
    o->item = "Description";
    o->n_threads = 1;
}

/* The data-value of data-check="key" in page, NaN when absent. */
static double check_value(const char *page, const char *key)
{
    char pat[256];
    snprintf(pat, sizeof pat, "data-check=\"%s\" data-value=\"", key);
    const char *at = strstr(page, pat);
    if (!at) return NAN;
    return strtod(at + strlen(pat), NULL);
}

START_TEST(test_report_sections)
{
    crm_dataset *tx = shop(300);
    crm_report_options o;
    shop_options(&o);
    o.title = "Shop report";
    char *page = NULL;
    ck_assert_ok(crm_report_render(tx, &o, &page));
    ck_assert_ptr_nonnull(page);
    ck_assert(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    const char *must[] = {"<title>Shop report</title>", "<section id=\"overview\">",
                          "<section id=\"rfm\">", "<section id=\"clusters\">",
                          "<section id=\"churn\">", "<section id=\"clv\">",
                          "<section id=\"crosssell\">",
                          "<section id=\"forecast\">", "prefers-color-scheme:dark",
                          "@media print", "data:text/csv;charset=utf-8,",
                          "multiplies the odds of churning by", "Customers who buy",
                          "</html>\n"};
    for (size_t i = 0; i < sizeof must / sizeof *must; i++)
        ck_assert_msg(strstr(page, must[i]), "missing %s", must[i]);
    ck_assert_ptr_null(strstr(page, "<script"));
    ck_assert_ptr_null(strstr(page, "http://"));
    ck_assert_ptr_null(strstr(page, "https://"));
    ck_assert_ptr_null(strstr(page, "src=\""));
    ck_assert_ptr_null(strstr(page, "nan"));
    /* the numbers agree with each other and with crm_rfm() */
    crm_rfm_options ro;
    ck_assert_ok(crm_rfm_options_init(&ro, sizeof ro));
    ro.customer = o.customer, ro.date = o.date, ro.quantity = o.quantity, ro.price = o.price;
    ro.invoice = o.invoice;
    crm_dataset *rfm = NULL;
    ck_assert_ok(crm_rfm(tx, &ro, &rfm));
    double n = (double)crm_dataset_nrows(rfm), seg = 0, life = 0;
    ck_assert_double_eq(check_value(page, "rfm.customers"), n);
    for (size_t s = 0; s < crm_rfm_segment_count(); s++) {
        char key[64];
        snprintf(key, sizeof key, "rfm.segment.%s", crm_rfm_segment_name(s));
        seg += check_value(page, key);
    }
    for (size_t s = 0; s < crm_rfm_stage_count(); s++) {
        char key[64];
        snprintf(key, sizeof key, "rfm.lifecycle.%s", crm_rfm_stage_name(s));
        life += check_value(page, key);
    }
    ck_assert_double_eq(seg, n);
    ck_assert_double_eq(life, n);
    double sizes = 0;
    for (int c = 0; c < 4; c++) {
        char key[64];
        snprintf(key, sizeof key, "kmeans.size.%d", c);
        sizes += check_value(page, key);
    }
    ck_assert_double_eq(sizes, n);
    ck_assert(isfinite(check_value(page, "arima.forecast.6.mean")));
    ck_assert(isnan(check_value(page, "arima.forecast.7.mean")));
    ck_assert(check_value(page, "arima.forecast.1.lower_95") <=
              check_value(page, "arima.forecast.1.lower_80"));
    crm_dataset_free(rfm);
    crm_free(page);
    crm_dataset_free(tx);
}
END_TEST

/* Customer ids and product names that try to break out of the HTML. */
START_TEST(test_report_escapes_hostile_text)
{
    enum { N = 60 };
    const char *cust[N], *item[N], *inv[N];
    int64_t when[N];
    double amount[N];
    static const char *const ids[] = {"<script>alert(1)</script>", "\"><img src=x onerror=y>",
                                      "a&b", "'quote'", "</textarea><svg onload=z>"};
    static const char *const items[] = {"<b>BOLD</b> MUG", "CUP \"><script>x</script>",
                                        "PLATE & SAUCER, BLUE", "BOWL\x1fX"};
    static char invoices[N][16];
    for (int i = 0; i < N; i++) {
        cust[i] = ids[i % 5];
        item[i] = items[(i / 2) % 4];
        snprintf(invoices[i], sizeof invoices[i], "I%d", i / 3);
        inv[i] = invoices[i];
        when[i] = (int64_t)(i * 13 % 400) * DAY;
        amount[i] = 1 + i % 7;
    }
    crm_dataset *tx = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "cust", cust, N));
    ck_assert_ok(crm_dataset_add_text(tx, "item", item, N));
    ck_assert_ok(crm_dataset_add_text(tx, "inv", inv, N));
    ck_assert_ok(crm_dataset_add_time(tx, "when", when, N));
    ck_assert_ok(crm_dataset_add_number(tx, "amount", amount, N));
    crm_report_options o;
    ck_assert_ok(crm_report_options_init(&o, sizeof o));
    o.customer = "cust", o.date = "when", o.amount = "amount", o.invoice = "inv", o.item = "item";
    o.title = "<script>t()</script>";
    o.currency = "<i>$</i>";
    o.min_support = 0.05;
    o.min_lift = 0;
    o.k = 2;
    char *page = NULL;
    ck_assert_ok(crm_report_render(tx, &o, &page));
    const char *never[] = {"<script", "<img", "<svg onload", "</textarea", "<b>BOLD", "<i>$",
                           "onerror=y>"};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        ck_assert_msg(!strstr(page, never[i]), "unescaped %s", never[i]);
    ck_assert(strstr(page, "&lt;script&gt;t()&lt;/script&gt;"));
    ck_assert(strstr(page, "&lt;b&gt;BOLD&lt;/b&gt; MUG"));
    crm_free(page);
    crm_dataset_free(tx);
}
END_TEST

/* Customers behind a cross-sell rule, by hand: X and Y are together in orders I1 and
 * I2 (customer A) and I3 (customer B); C buys X (I4) and Y (I5) but never in one order;
 * I6 and I7 hold Z alone. Rule X -> Y (or Y -> X): 3 orders, 2 customers; support
 * {X, Y} = 3/7, support X = support Y = 4/7, confidence 3/4, lift (3/7) / (4/7)^2. */
START_TEST(test_report_crosssell_customers)
{
    enum { N = 12 };
    const char *cust[N] = {"A", "A", "A", "A", "B", "B", "C", "C", "C", "C", "A", "B"};
    const char *inv[N] = {"I1", "I1", "I2", "I2", "I3", "I3", "I4", "I4", "I5", "I5", "I6",
                          "I7"};
    const char *item[N] = {"X", "Y", "Y", "X", "X", "Y", "X", "Z", "Y", "Z", "Z", "Z"};
    int64_t when[N];
    double amount[N];
    for (int i = 0; i < N; i++) {
        when[i] = (int64_t)(10 + 20 * (inv[i][1] - '0')) * DAY;
        amount[i] = 1 + i % 3;
    }
    crm_dataset *tx = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "cust", cust, N));
    ck_assert_ok(crm_dataset_add_text(tx, "inv", inv, N));
    ck_assert_ok(crm_dataset_add_text(tx, "item", item, N));
    ck_assert_ok(crm_dataset_add_time(tx, "when", when, N));
    ck_assert_ok(crm_dataset_add_number(tx, "amount", amount, N));
    crm_report_options o;
    ck_assert_ok(crm_report_options_init(&o, sizeof o));
    o.customer = "cust", o.date = "when", o.amount = "amount", o.invoice = "inv", o.item = "item";
    o.min_support = 0.3; /* {X, Y}: 3/7 orders; {X, Z}, {Y, Z}: 1/7 each */
    o.min_lift = 0;
    o.n_threads = 1;
    char *page = NULL;
    ck_assert_ok(crm_report_render(tx, &o, &page));
    ck_assert_double_eq(check_value(page, "apriori.rules"), 1); /* Y -> X redundant */
    ck_assert_double_eq(check_value(page, "report.rule.0.customers"), 2);
    ck_assert_double_eq(check_value(page, "apriori.rule.0.count"), 3);
    ck_assert_double_eq_tol(check_value(page, "apriori.rule.0.confidence"), 0.75, 1e-12);
    ck_assert_double_eq_tol(check_value(page, "apriori.rule.0.lift"), (3.0 / 7) / (16.0 / 49),
                            1e-12);
    ck_assert(isnan(check_value(page, "report.rule.1.customers")));
    ck_assert(strstr(page, "2</span> customers did, in <span"));
    ck_assert(strstr(page, "3</span> orders (<span"));
    ck_assert(strstr(page, ">customers</th>"));
    crm_free(page);
    crm_dataset_free(tx);
}
END_TEST

/* One customer, one row: the report still renders; analyses that need more
 * data say why in a sentence. */
START_TEST(test_report_degenerate)
{
    const char *cust[] = {"c1"};
    int64_t when[] = {100 * DAY};
    double amount[] = {5};
    crm_dataset *tx = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "cust", cust, 1));
    ck_assert_ok(crm_dataset_add_time(tx, "when", when, 1));
    ck_assert_ok(crm_dataset_add_number(tx, "amount", amount, 1));
    crm_report_options o;
    ck_assert_ok(crm_report_options_init(&o, sizeof o));
    o.customer = "cust", o.date = "when", o.amount = "amount";
    char *page = NULL;
    ck_assert_ok(crm_report_render(tx, &o, &page));
    ck_assert(strstr(page, "No clusters for these data"));
    ck_assert(strstr(page, "No churn model for these data"));
    ck_assert(strstr(page, "No customer value model for these data"));
    ck_assert(strstr(page, "No cross-sell analysis"));
    ck_assert(strstr(page, "No forecast for these data"));
    ck_assert_double_eq(check_value(page, "rfm.customers"), 1);
    crm_free(page);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_report_bad_options)
{
    crm_dataset *tx = shop(50);
    crm_report_options o;
    char *page = (char *)"x";
    shop_options(&o);
    ck_assert_int_eq(crm_report_render(NULL, &o, &page), CRM_E_INVALID);
    ck_assert_ptr_null(page);
    ck_assert_int_eq(crm_report_render(tx, &o, NULL), CRM_E_INVALID);
    ck_assert_int_eq(crm_report_render(tx, NULL, &page), CRM_E_INVALID); /* no columns */
    ck_assert(strstr(crm_last_error(), "customer"));
    struct {
        const char *what;
        crm_status st;
    } cases[] = {{"k", CRM_E_INVALID},         {"horizon", CRM_E_INVALID},
                 {"support", CRM_E_INVALID},   {"column", CRM_E_NOTFOUND},
                 {"filter", CRM_E_PARSE},      {"empty", CRM_E_INVALID},
                 {"both", CRM_E_INVALID},      {"type", CRM_E_TYPE},
                 {"churn", CRM_E_INVALID},     {"rules", CRM_E_INVALID},
                 {"clv", CRM_E_INVALID}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        shop_options(&o);
        const char *w = cases[i].what;
        if (!strcmp(w, "k")) o.k = 0;
        if (!strcmp(w, "horizon")) o.horizon = 61;
        if (!strcmp(w, "support")) o.min_support = 0;
        if (!strcmp(w, "column")) o.customer = "Nope";
        if (!strcmp(w, "filter")) o.filter = "Quantity >";
        if (!strcmp(w, "empty")) o.filter = "Quantity < 0";
        if (!strcmp(w, "both")) o.amount = "Quantity";
        if (!strcmp(w, "type")) o.date = "Quantity";
        if (!strcmp(w, "churn")) o.churn_days = 0;
        if (!strcmp(w, "rules")) o.max_rules = -1;
        if (!strcmp(w, "clv")) o.top_clv = 1001;
        page = (char *)"x";
        crm_status st = crm_report_render(tx, &o, &page);
        ck_assert_msg(st == cases[i].st, "%s: got %s (%s)", w, crm_status_str(st),
                      crm_last_error());
        ck_assert_ptr_null(page);
        ck_assert(crm_last_error()[0] != '\0');
    }
    /* a newer caller's struct with an unknown field set */
    struct {
        crm_report_options o;
        int64_t extra;
    } big;
    memset(&big, 0, sizeof big);
    shop_options(&big.o);
    big.o.size = sizeof big;
    big.extra = 1;
    ck_assert_int_eq(crm_report_render(tx, &big.o, &page), CRM_E_FORMAT);
    ck_assert_int_eq(crm_report_options_init(NULL, sizeof o), CRM_E_INVALID);
    ck_assert_int_eq(crm_report_options_init(&o, 4), CRM_E_INVALID);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_report_write)
{
    crm_dataset *tx = shop(60);
    crm_report_options o;
    shop_options(&o);
    char path[64];
    temp_path(path, sizeof path, ".html");
    write_bytes(path, "old", 3);
    ck_assert_int_eq(crm_report_write(tx, NULL, path), CRM_E_INVALID);
    ck_assert_int_eq(crm_report_write(tx, &o, NULL), CRM_E_INVALID);
    FILE *f = fopen(path, "rb");
    char head[4] = {0};
    ck_assert_uint_eq(fread(head, 1, 3, f), 3);
    fclose(f);
    ck_assert_str_eq(head, "old"); /* a failed call leaves the file */
    ck_assert_ok(crm_report_write(tx, &o, path));
    char *page = NULL;
    ck_assert_ok(crm_report_render(tx, &o, &page));
    f = fopen(path, "rb");
    size_t n = strlen(page);
    char *got = malloc(n + 1);
    ck_assert_uint_eq(fread(got, 1, n + 1, f), n);
    fclose(f);
    ck_assert(memcmp(got, page, n) == 0);
    free(got);
    crm_free(page);
    ck_assert_int_eq(crm_report_write(tx, &o, "/nonexistent-dir/r.html"), CRM_E_IO);
    ck_assert(strstr(crm_last_error(), "/nonexistent-dir/r.html"));
    remove(path);
    crm_dataset_free(tx);
}
END_TEST

static crm_status alloc_report(void)
{
    static const char *const cust[] = {"a", "b", "c", "a", "b", "c", "d", "d"};
    static const char *const item[] = {"x", "y", "x", "y", "x", "y", "x", "y"};
    static const char *const inv[] = {"1", "1", "2", "2", "3", "4", "5", "5"};
    int64_t when[8];
    double amount[8];
    for (int i = 0; i < 8; i++) when[i] = (int64_t)(i * 45) * DAY, amount[i] = 1 + i;
    crm_dataset *tx = NULL;
    crm_status st = crm_dataset_new(&tx);
    if (!st) st = crm_dataset_add_text(tx, "cust", cust, 8);
    if (!st) st = crm_dataset_add_text(tx, "item", item, 8);
    if (!st) st = crm_dataset_add_text(tx, "inv", inv, 8);
    if (!st) st = crm_dataset_add_time(tx, "when", when, 8);
    if (!st) st = crm_dataset_add_number(tx, "amount", amount, 8);
    crm_report_options o;
    crm_report_options_init(&o, sizeof o);
    o.customer = "cust", o.date = "when", o.amount = "amount", o.invoice = "inv", o.item = "item";
    o.k = 2, o.min_support = 0.2, o.min_lift = 0, o.n_threads = 1, o.churn_days = 60;
    char *page = NULL;
    if (!st) st = crm_report_render(tx, &o, &page);
    crm_free(page);
    crm_dataset_free(tx);
    return st;
}

START_TEST(test_report_alloc_failure)
{
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_report());
}
END_TEST

Suite *crm_report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_report_sections);
    tcase_add_test(core, test_report_escapes_hostile_text);
    tcase_add_test(core, test_report_write);
    tcase_add_test(core, test_report_crosssell_customers);
    tcase_set_timeout(core, 60);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_report_degenerate);
    tcase_add_test(limits, test_report_alloc_failure);
    tcase_set_timeout(limits, 120);
    suite_add_tcase(s, limits);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_report_bad_options);
    suite_add_tcase(s, bad);
    return s;
}
