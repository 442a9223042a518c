/* crm_apriori on the FIMI retail.dat baskets (88,162 transactions) against the
 * exact pure-Python counting of tests/reference/apriori.py (golden files):
 * itemsets per size at min_support 0.5% and 0.1%, every itemset and count at
 * 0.5%, every rule (all splits, min_confidence 0.5) with its measures. */
#include "test_util.h"

#include "crm/assoc.h"

#include <math.h>

/* Counts, supports, confidence and lift are the same IEEE operations as the reference's
 * and compare bit for bit. Leverage (s - sA sC) and conviction ((1 - sC) / (1 - conf))
 * against those formulas evaluated here: a small multiple of the largest difference
 * measured (docs/assoc.md quotes them). */
#define TOL_LEVERAGE 1e-15   /* relative; measured 0 (a few ulps) */
#define TOL_CONVICTION 1e-15 /* relative; measured 0 (a few ulps) */

/* Read a golden TSV: the lines after the header, tab-separated fields. */
typedef struct tsv {
    char *text;
    char **lines;
    size_t n;
} tsv;

static void tsv_read(const char *name, tsv *t)
{
    FILE *f = fopen(crm_test_file(name), "rb");
    ck_assert_msg(f != NULL, "cannot open %s", crm_test_file(name));
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->text = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(t->text);
    ck_assert_uint_eq(fread(t->text, 1, (size_t)len, f), (size_t)len);
    t->text[len] = '\0';
    fclose(f);
    size_t cap = 16;
    t->lines = malloc(cap * sizeof *t->lines);
    t->n = 0;
    char *p = strchr(t->text, '\n'); /* skip the header */
    ck_assert_ptr_nonnull(p);
    p++;
    while (*p) {
        char *e = strchr(p, '\n');
        if (e) *e = '\0';
        if (t->n == cap) {
            cap *= 2;
            t->lines = realloc(t->lines, cap * sizeof *t->lines);
            ck_assert_ptr_nonnull(t->lines);
        }
        t->lines[t->n++] = p;
        if (!e) break;
        p = e + 1;
    }
}

static void tsv_free(tsv *t)
{
    free(t->text);
    free(t->lines);
}

/* Split line at tabs into at most nf fields (modifies the line). */
static size_t fields(char *line, char **f, size_t nf)
{
    size_t k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < nf; p++) {
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    }
    return k;
}

static crm_dataset *retail(void)
{
    crm_dataset *tx = NULL;
    ck_assert_ok(crm_dataset_read_baskets(crm_test_data("fimi_retail/retail.dat"), &tx));
    return tx;
}

static const char *text_at(const crm_dataset *ds, const char *col, size_t row)
{
    size_t c;
    const char *s = NULL;
    ck_assert_ok(crm_dataset_column_index(ds, col, &c));
    ck_assert_ok(crm_dataset_get_text(ds, c, row, &s));
    return s;
}

static double *numbers(const crm_dataset *ds, const char *col)
{
    size_t c, n = crm_dataset_nrows(ds);
    double *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    ck_assert_ok(crm_dataset_column_index(ds, col, &c));
    ck_assert_ok(crm_dataset_get_number(ds, c, 0, n, v));
    return v;
}

START_TEST(test_retail_counts_by_size)
{
    crm_dataset *tx = retail();
    tsv g;
    tsv_read("reference/golden/apriori_retail_counts.tsv", &g);
    static const double sups[] = {0.005, 0.001};
    for (int k = 0; k < 2; k++) {
        crm_dataset *sets = NULL;
        crm_apriori_options o;
        crm_apriori_options_init(&o, sizeof o);
        o.min_support = sups[k];
        ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
        double *size = numbers(sets, "size");
        size_t n = crm_dataset_nrows(sets), by[16] = {0}, want_total = 0;
        for (size_t i = 0; i < n; i++) {
            ck_assert(size[i] >= 1 && size[i] < 16);
            by[(int)size[i]]++;
        }
        for (size_t i = 0; i < g.n; i++) {
            char line[128], *f[3];
            snprintf(line, sizeof line, "%s", g.lines[i]);
            ck_assert_uint_eq(fields(line, f, 3), 3);
            if (atof(f[0]) != sups[k]) continue;
            int sz = atoi(f[1]);
            size_t want = (size_t)atol(f[2]);
            ck_assert_msg(by[sz] == want, "min_support %g size %d: %zu itemsets, golden %zu",
                          sups[k], sz, by[sz], want);
            want_total += want;
        }
        ck_assert_uint_eq(n, want_total);
        /* PERFORMANCE.md's table: 580 and 7,589 */
        ck_assert_uint_eq(n, k == 0 ? 580 : 7589);
        free(size);
        crm_dataset_free(sets);
    }
    tsv_free(&g);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_retail_itemsets_and_rules)
{
    crm_dataset *tx = retail(), *sets = NULL, *rules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = 0.005;
    o.min_confidence = 0.5;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
    double nt = 88162;

    tsv g;
    tsv_read("reference/golden/apriori_retail_0.005.tsv", &g);
    ck_assert_uint_eq(crm_dataset_nrows(sets), g.n);
    double *count = numbers(sets, "count"), *support = numbers(sets, "support");
    for (size_t i = 0; i < g.n; i++) {
        char *f[2];
        ck_assert_uint_eq(fields(g.lines[i], f, 2), 2);
        ck_assert_str_eq(text_at(sets, "items", i), f[0]);
        ck_assert_double_eq(count[i], atof(f[1]));
        ck_assert_double_eq(support[i], atof(f[1]) / nt);
    }
    free(count);
    free(support);
    tsv_free(&g);

    tsv_read("reference/golden/apriori_retail_rules_0.005.tsv", &g);
    ck_assert_uint_eq(crm_dataset_nrows(rules), g.n); /* 438 all-split rules */
    ck_assert_uint_eq(g.n, 438);
    static const char *const cols[] = {
        "antecedent_support", "consequent_support", "support", "confidence", "lift",
        "leverage",           "conviction",         "count"};
    double *v[8];
    for (int k = 0; k < 8; k++)
        v[k] = numbers(rules, cols[k]);
    crm_parity plev = CRM_PARITY_REL("rule leverage vs s - sA sC", TOL_LEVERAGE),
               pconv = CRM_PARITY_REL("rule conviction vs (1 - sC) / (1 - conf)", TOL_CONVICTION);
    for (size_t i = 0; i < g.n; i++) {
        char *f[7];
        ck_assert_uint_eq(fields(g.lines[i], f, 7), 7);
        ck_assert_str_eq(text_at(rules, "antecedent", i), f[0]);
        ck_assert_str_eq(text_at(rules, "consequent", i), f[1]);
        double na = atof(f[2]), nc = atof(f[3]), ns = atof(f[4]);
        double conf = strtod(f[5], NULL), lift = strtod(f[6], NULL);
        double sa = na / nt, sc = nc / nt, s = ns / nt;
        ck_assert_double_eq(v[0][i], sa);
        ck_assert_double_eq(v[1][i], sc);
        ck_assert_double_eq(v[2][i], s);
        ck_assert_double_eq(v[3][i], conf); /* the same IEEE operations: bit-identical */
        ck_assert_double_eq(v[4][i], lift);
        crm_parity_check(&plev, v[5][i], s - sa * sc, "rule %zu", i);
        if (conf == 1)
            ck_assert(isinf(v[6][i]));
        else
            crm_parity_check(&pconv, v[6][i], (1 - sc) / (1 - conf), "rule %zu", i);
        ck_assert_double_eq(v[7][i], ns);
    }
    fprintf(stderr, "parity: %zu itemsets (items, count, support) and %zu rules (items, supports, "
                    "confidence, lift, count) bit for bit\n",
            crm_dataset_nrows(sets), g.n);
    crm_parity_report(&plev);
    crm_parity_report(&pconv);
    for (int k = 0; k < 8; k++)
        free(v[k]);
    tsv_free(&g);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_retail_closed_maximal)
{
    /* At 0.5% every frequent itemset is closed except those with a superset
     * of equal count; counts checked for consistency with the full list. */
    crm_dataset *tx = retail(), *all = NULL, *closed = NULL, *maximal = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = 0.005;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &all, NULL));
    o.target = CRM_APRIORI_CLOSED;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &closed, NULL));
    o.target = CRM_APRIORI_MAXIMAL;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &maximal, NULL));
    size_t na = crm_dataset_nrows(all), nc = crm_dataset_nrows(closed),
           nm = crm_dataset_nrows(maximal);
    ck_assert_uint_le(nm, nc);
    ck_assert_uint_le(nc, na);
    ck_assert_uint_gt(nm, 0);
    /* the single 5-itemset is maximal and closed */
    ck_assert_str_eq(text_at(maximal, "items", nm - 1), text_at(all, "items", na - 1));
    ck_assert_str_eq(text_at(closed, "items", nc - 1), text_at(all, "items", na - 1));
    crm_dataset_free(all);
    crm_dataset_free(closed);
    crm_dataset_free(maximal);
    crm_dataset_free(tx);
}
END_TEST

/* The same tables, to the last bit, for every thread count. */
START_TEST(test_retail_threads)
{
    crm_dataset *tx = retail();
    char *want_sets = NULL, *want_rules = NULL;
    for (int32_t n = 1; n <= 4; n++) {
        crm_dataset *sets = NULL, *rules = NULL;
        crm_apriori_options o;
        crm_apriori_options_init(&o, sizeof o);
        o.min_support = 0.002;
        o.min_confidence = 0.3;
        o.n_threads = n;
        ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
        ck_assert_uint_eq(crm_dataset_nrows(sets), 2691); /* PERFORMANCE.md: 2,691 at 0.2% */
        char *cs = NULL, *cr = NULL;
        ck_assert_ok(crm_dataset_to_csv_string(sets, NULL, &cs));
        ck_assert_ok(crm_dataset_to_csv_string(rules, NULL, &cr));
        if (n == 1) {
            want_sets = cs;
            want_rules = cr;
        } else {
            ck_assert_msg(strcmp(cs, want_sets) == 0, "itemsets differ with %d threads", n);
            ck_assert_msg(strcmp(cr, want_rules) == 0, "rules differ with %d threads", n);
            crm_free(cs);
            crm_free(cr);
        }
        crm_dataset_free(sets);
        crm_dataset_free(rules);
    }
    crm_free(want_sets);
    crm_free(want_rules);
    crm_dataset_free(tx);
}
END_TEST

Suite *crm_assoc_shared_suite(void)
{
    Suite *s = suite_create("assoc_shared");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_retail_counts_by_size);
    tcase_add_test(core, test_retail_itemsets_and_rules);
    tcase_add_test(core, test_retail_closed_maximal);
    tcase_add_test(core, test_retail_threads);
    tcase_set_timeout(core, 300);
    suite_add_tcase(s, core);
    return s;
}
