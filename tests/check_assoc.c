/* Frequent itemsets and association rules (crm_apriori): a hand-checked
 * example, brute-force enumeration of every itemset and rule on generated
 * data, closed/maximal targets, the text encoding, limits and bad input. */
#include "test_util.h"

#include "crm/assoc.h"

#include <math.h>
#include <stdint.h>

/* ---- helpers ------------------------------------------------------------------ */

static crm_dataset *make_tx(const double *tid, const char *const *item, size_t n)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "tid", tid, n));
    ck_assert_ok(crm_dataset_add_text(ds, "item", item, n));
    return ds;
}

static const char *text_at(const crm_dataset *ds, const char *col, size_t row)
{
    size_t c;
    const char *s = NULL;
    ck_assert_ok(crm_dataset_column_index(ds, col, &c));
    ck_assert_ok(crm_dataset_get_text(ds, c, row, &s));
    ck_assert_ptr_nonnull(s);
    return s;
}

static double num_at(const crm_dataset *ds, const char *col, size_t row)
{
    size_t c;
    double v;
    ck_assert_ok(crm_dataset_column_index(ds, col, &c));
    ck_assert_ok(crm_dataset_get_number(ds, c, row, 1, &v));
    return v;
}

static void assert_close(double got, double want, const char *what, size_t row)
{
    if (isinf(want)) {
        ck_assert_msg(got == want, "%s row %zu: got %.17g, want %.17g", what, row, got, want);
        return;
    }
    ck_assert_msg(fabs(got - want) <= 1e-12 * (1 + fabs(want)), "%s row %zu: got %.17g, want %.17g",
                  what, row, got, want);
}

/* The hand-checked example (N = 5 transactions):
 *   1: a b c     2: a b (b twice)     3: a c     4: b     5: a b c d
 * plus a row with a missing item (transaction 4) and one with a missing
 * transaction id, both ignored.
 * Counts: a 4, b 4, c 3, d 1; ab 3, ac 3, bc 2; abc 2. */
static const double ex_tid[] = {1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5, NAN};
static const char *const ex_item[] = {"a", "b",  "c", "a", "b", "b", "c", "a",
                                      "b", NULL, "d", "c", "b", "a", "z"};
enum { EX_N = 15 };

static crm_dataset *example(void)
{
    return make_tx(ex_tid, ex_item, EX_N);
}

/* ---- core ------------------------------------------------------------------------ */

START_TEST(test_example_itemsets)
{
    crm_dataset *tx = example(), *sets = NULL, *rules = NULL;
    crm_apriori_options o;
    ck_assert_ok(crm_apriori_options_init(&o, sizeof o));
    o.min_count = 2;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
    static const char *const want[] = {"a", "b", "c", "a, b", "a, c", "b, c", "a, b, c"};
    static const double wsize[] = {1, 1, 1, 2, 2, 2, 3};
    static const double wcount[] = {4, 4, 3, 3, 3, 2, 2};
    ck_assert_uint_eq(crm_dataset_nrows(sets), 7);
    ck_assert_uint_eq(crm_dataset_ncols(sets), 4);
    const char *name = NULL;
    ck_assert_ok(crm_dataset_column_name(sets, 0, &name));
    ck_assert_str_eq(name, "items");
    for (size_t r = 0; r < 7; r++) {
        ck_assert_str_eq(text_at(sets, "items", r), want[r]);
        ck_assert_double_eq(num_at(sets, "size", r), wsize[r]);
        ck_assert_double_eq(num_at(sets, "count", r), wcount[r]);
        ck_assert_double_eq(num_at(sets, "support", r), wcount[r] / 5);
    }
    /* 6 rules from the pairs, 6 from abc */
    ck_assert_uint_eq(crm_dataset_nrows(rules), 12);
    ck_assert_uint_eq(crm_dataset_ncols(rules), 10);
    /* lift 1.25 with confidence 1: c -> a (count 3) before b, c -> a (count 2) */
    ck_assert_str_eq(text_at(rules, "antecedent", 0), "c");
    ck_assert_str_eq(text_at(rules, "consequent", 0), "a");
    ck_assert_double_eq(num_at(rules, "antecedent_support", 0), 0.6);
    ck_assert_double_eq(num_at(rules, "consequent_support", 0), 0.8);
    ck_assert_double_eq(num_at(rules, "support", 0), 0.6);
    ck_assert_double_eq(num_at(rules, "confidence", 0), 1);
    ck_assert_double_eq(num_at(rules, "lift", 0), 1.25);
    assert_close(num_at(rules, "leverage", 0), 0.12, "leverage", 0);
    ck_assert(isinf(num_at(rules, "conviction", 0)) && num_at(rules, "conviction", 0) > 0);
    ck_assert_double_eq(num_at(rules, "count", 0), 3);
    ck_assert_str_eq(text_at(rules, "antecedent", 1), "b, c");
    ck_assert_str_eq(text_at(rules, "consequent", 1), "a");
    ck_assert_double_eq(num_at(rules, "count", 1), 2);
    /* the last rules have lift 5/6: b -> c (conf 0.5, count 2) ... */
    double last = num_at(rules, "lift", 11);
    assert_close(last, (2.0 / 3) / 0.8, "lift", 11);
    /* conviction of a -> b: (1 - 0.8) / (1 - 0.75) */
    int seen = 0;
    for (size_t r = 0; r < 12; r++) {
        if (strcmp(text_at(rules, "antecedent", r), "a") == 0 &&
            strcmp(text_at(rules, "consequent", r), "b") == 0) {
            seen = 1;
            assert_close(num_at(rules, "conviction", r), 0.2 / 0.25, "conviction", r);
            assert_close(num_at(rules, "lift", r), 0.75 / 0.8, "lift", r);
            assert_close(num_at(rules, "leverage", r), 0.6 - 0.8 * 0.8, "leverage", r);
        }
    }
    ck_assert(seen);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_example_targets)
{
    crm_dataset *tx = example(), *sets = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    o.target = CRM_APRIORI_CLOSED;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    static const char *const closed[] = {"a", "b", "a, b", "a, c", "a, b, c"};
    ck_assert_uint_eq(crm_dataset_nrows(sets), 5);
    for (size_t r = 0; r < 5; r++)
        ck_assert_str_eq(text_at(sets, "items", r), closed[r]);
    crm_dataset_free(sets);
    o.target = CRM_APRIORI_MAXIMAL;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 1);
    ck_assert_str_eq(text_at(sets, "items", 0), "a, b, c");
    crm_dataset_free(sets);
    /* maximal with max_len 2: still decided against all frequent itemsets,
     * so no pair is maximal (abc is frequent) */
    o.max_len = 2;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 0);
    crm_dataset_free(sets);
    o.target = CRM_APRIORI_CLOSED;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 4); /* a, b, ab, ac */
    crm_dataset_free(sets);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_example_thresholds)
{
    crm_dataset *tx = example(), *sets = NULL, *rules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = 0.6; /* count >= 3 */
    o.min_confidence = 0.8;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 5);  /* a b c ab ac */
    ck_assert_uint_eq(crm_dataset_nrows(rules), 1); /* c -> a */
    ck_assert_str_eq(text_at(rules, "antecedent", 0), "c");
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    o.min_support = 0.4;
    o.min_confidence = 0;
    o.min_lift = 1.1;
    o.max_len = 2;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &rules));
    ck_assert_uint_eq(crm_dataset_nrows(rules), 2); /* c -> a, a -> c */
    crm_dataset_free(rules);
    crm_dataset_free(tx);
}
END_TEST

/* The rules of rules[0..n) are, in order, want[2 i] -> want[2 i + 1]. */
static void assert_rules(const crm_dataset *rules, const char *const *want, size_t n)
{
    ck_assert_uint_eq(crm_dataset_nrows(rules), n);
    for (size_t r = 0; r < n; r++) {
        ck_assert_str_eq(text_at(rules, "antecedent", r), want[2 * r]);
        ck_assert_str_eq(text_at(rules, "consequent", r), want[2 * r + 1]);
    }
}

/* prune_redundant on the hand-checked example, min_count 2 (d is out): counts a 4, b 4,
 * c 3, ab 3, ac 3, bc 2, abc 2, N 5.
 * Step 1, the best rule of each itemset (smallest n(A) n(C), then smallest n(A)):
 *   ab: a->b and b->a both 4*4 and n(A) 4: the first by antecedent, a -> b (conf 3/4);
 *   ac: a->c, c->a both 4*3: c -> a has n(A) 3 (conf 1);
 *   bc: b->c, c->b both 4*3: c -> b (conf 2/3);
 *   abc: a->bc 4*2, b->ac 4*3, c->ab 3*3, ab->c 3*3, ac->b 3*4, bc->a 2*4: bc -> a
 *        (n(A) 2 < 4; conf 1).
 * Step 2: bc -> a has the subset rule c -> a (kept, same consequent) of confidence 1 >= 1:
 * dropped. (b -> a is not kept: the kept rule of ab is a -> b.)
 * Left, by lift: c -> a (1 / 0.8 = 1.25), a -> b (0.75 / 0.8 = 0.9375), c -> b (0.8333). */
START_TEST(test_prune_redundant_example)
{
    crm_dataset *tx = example(), *all = NULL, *rules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    ck_assert_int_eq(o.prune_redundant, 0);
    o.min_count = 2;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &all));
    ck_assert_uint_eq(crm_dataset_nrows(all), 12); /* 3 pairs x 2 + 6 splits of abc */
    o.prune_redundant = 1;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &rules));
    static const char *const want[] = {"c", "a", "a", "b", "c", "b"};
    assert_rules(rules, want, 3);
    assert_close(num_at(rules, "lift", 0), 1.25, "lift", 0);
    assert_close(num_at(rules, "confidence", 0), 1, "confidence", 0);
    assert_close(num_at(rules, "lift", 1), 0.9375, "lift", 1);
    assert_close(num_at(rules, "confidence", 1), 0.75, "confidence", 1);
    assert_close(num_at(rules, "lift", 2), (2.0 / 3) / 0.8, "lift", 2);
    assert_close(num_at(rules, "count", 2), 2, "count", 2);
    crm_dataset_free(rules);
    /* the thresholds apply first: with min_lift 1 the rules left are c -> a and a -> c
     * (lift 1.25; c -> a kept) and a -> bc, bc -> a (1.25), c -> ab, ab -> c (10/9) of abc
     * (bc -> a kept, then dominated by c -> a) */
    o.min_lift = 1;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &rules));
    assert_rules(rules, want, 1);
    crm_dataset_free(rules);
    /* an options struct of libcrm 1.0 (no prune_redundant field): every rule */
    crm_apriori_options_init(&o, offsetof(crm_apriori_options, prune_redundant));
    o.min_count = 2;
    o.prune_redundant = 1; /* beyond the size the caller declares: not read */
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &rules));
    ck_assert_uint_eq(crm_dataset_nrows(rules), 12);
    crm_dataset_free(rules);
    crm_dataset_free(all);
    crm_dataset_free(tx);
}
END_TEST

/* A longer antecedent that raises the confidence is kept. N 6:
 *   1: x y z   2: x y z   3: y   4: y   5: x   6: z
 * Counts x 3, y 4, z 3; xy 2, xz 2, yz 2, xyz 2.
 * Step 1: xy: x->y, y->x both 12, x -> y has n(A) 3; xz: x->z, z->x both 9 and n(A) 3: the
 * first by antecedent, x -> z; yz: z -> y (n(A) 3); xyz: x->yz, z->xy, xy->z, yz->x all 6,
 * n(A) 2 for xy -> z and yz -> x: the first by antecedent, xy -> z (confidence 1).
 * Step 2: xy -> z against x -> z (kept, confidence 2/3 < 1): kept; y -> z is not a kept rule
 * (yz keeps z -> y). Left, by lift: xy -> z (1 / 0.5 = 2), x -> z (4/3), then x -> y and
 * z -> y (lift 1, confidence 2/3, count 2: by antecedent). */
START_TEST(test_prune_redundant_kept)
{
    static const double tid[] = {1, 1, 1, 2, 2, 2, 3, 4, 5, 6};
    static const char *const item[] = {"x", "y", "z", "x", "y", "z", "y", "y", "x", "z"};
    crm_dataset *tx = make_tx(tid, item, 10), *rules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    o.prune_redundant = 1;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &rules));
    static const char *const want[] = {"x, y", "z", "x", "z", "x", "y", "z", "y"};
    assert_rules(rules, want, 4);
    assert_close(num_at(rules, "lift", 0), 2, "lift", 0);
    assert_close(num_at(rules, "confidence", 0), 1, "confidence", 0);
    assert_close(num_at(rules, "lift", 1), 4.0 / 3, "lift", 1);
    assert_close(num_at(rules, "lift", 2), 1, "lift", 2);
    assert_close(num_at(rules, "lift", 3), 1, "lift", 3);
    crm_dataset_free(rules);
    crm_dataset_free(tx);
}
END_TEST

/* Support exactly at the threshold is kept: 7 of 25 transactions reach 0.28
 * although 0.28 * 25 = 7.000000000000001. */
START_TEST(test_exact_boundary)
{
    double tid[32];
    const char *item[32];
    size_t n = 0;
    for (int t = 0; t < 25; t++) {
        tid[n] = t;
        item[n++] = "x";
        if (t < 7) {
            tid[n] = t;
            item[n++] = "y";
        }
    }
    crm_dataset *tx = make_tx(tid, item, n), *sets = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = 0.28;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 3);
    ck_assert_str_eq(text_at(sets, "items", 2), "x, y");
    crm_dataset_free(sets);
    o.min_support = 0.2800001;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 1);
    crm_dataset_free(sets);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_escaping)
{
    static const double tid[] = {1, 1, 2, 2};
    static const char *const item[] = {"HEART, RED", "back\\slash", "HEART, RED", "back\\slash"};
    crm_dataset *tx = make_tx(tid, item, 4), *sets = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 3);
    ck_assert_str_eq(text_at(sets, "items", 0), "HEART\\, RED");
    ck_assert_str_eq(text_at(sets, "items", 1), "back\\\\slash");
    ck_assert_str_eq(text_at(sets, "items", 2), "HEART\\, RED, back\\\\slash");
    crm_dataset_free(sets);
    o.separator = "|";
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_str_eq(text_at(sets, "items", 2), "HEART, RED|back\\\\slash");
    crm_dataset_free(sets);
    /* only the separator's first character is escaped */
    o.separator = " / ";
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_str_eq(text_at(sets, "items", 2), "HEART,\\ RED / back\\\\slash");
    crm_dataset_free(sets);
    crm_dataset_free(tx);
}
END_TEST

/* The transaction id may be a number, text or time column: same result. */
START_TEST(test_tid_types)
{
    static const char *const tids[] = {"t1", "t1", "t2", "t2", "t3", NULL};
    static const int64_t times[] = {10, 10, 20, 20, 30, CRM_TIME_MISSING};
    static const double nums[] = {-0.0, 0.0, 2.5, 2.5, 7, NAN};
    static const char *const item[] = {"p", "q", "p", "q", "p", "q"};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "ttext", tids, 6));
    ck_assert_ok(crm_dataset_add_time(ds, "ttime", times, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "tnum", nums, 6));
    ck_assert_ok(crm_dataset_add_text(ds, "item", item, 6));
    const char *cols[] = {"ttext", "ttime", "tnum"};
    for (int k = 0; k < 3; k++) {
        crm_dataset *sets = NULL;
        ck_assert_ok(crm_apriori(ds, cols[k], "item", NULL, &sets, NULL));
        ck_assert_uint_eq(crm_dataset_nrows(sets), 3);
        ck_assert_str_eq(text_at(sets, "items", 0), "p");
        ck_assert_double_eq(num_at(sets, "count", 0), 3);
        ck_assert_double_eq(num_at(sets, "support", 0), 1);
        ck_assert_double_eq(num_at(sets, "support", 2), 2.0 / 3);
        crm_dataset_free(sets);
    }
    crm_dataset_free(ds);
}
END_TEST

/* Many transactions in no order (the hash of transaction ids grows), then
 * in increasing order with one step back (the switch to hashing). */
START_TEST(test_many_transactions)
{
    enum { NT = 3000 };
    static double tid[2 * NT];
    static const char *item[2 * NT];
    size_t n = 0;
    for (int i = 0; i < NT; i++) {
        double t = (double)((i * 7919) % 3001); /* a permutation of 1..3000 and 0 */
        tid[n] = t;
        item[n++] = "x";
        if ((int)t % 2 == 0) {
            tid[n] = t;
            item[n++] = "y";
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) { /* sorted, then the first transaction again */
            n = 0;
            for (int t = 0; t < NT; t++) {
                tid[n] = t;
                item[n++] = "x";
                if (t % 2 == 0) {
                    tid[n] = t;
                    item[n++] = "y";
                }
            }
            tid[n] = 0;
            item[n++] = "x";
        }
        crm_dataset *tx = make_tx(tid, item, n), *sets = NULL;
        ck_assert_ok(crm_apriori(tx, "tid", "item", NULL, &sets, NULL));
        ck_assert_uint_eq(crm_dataset_nrows(sets), 3);
        ck_assert_str_eq(text_at(sets, "items", 0), "x");
        ck_assert_double_eq(num_at(sets, "count", 0), NT);
        ck_assert_double_eq(num_at(sets, "count", 2), NT / 2);
        ck_assert_double_eq(num_at(sets, "support", 2), 0.5);
        crm_dataset_free(sets);
        crm_dataset_free(tx);
    }
}
END_TEST

/* ---- brute force -------------------------------------------------------------------- */

enum { BF_ITEMS = 9, BF_SETS = 1 << BF_ITEMS };

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static int popc(unsigned m)
{
    int c = 0;
    for (; m; m &= m - 1)
        c++;
    return c;
}

/* Compare the item index lists of two masks of equal size. */
static int cmp_mask_seq(unsigned a, unsigned b)
{
    for (int i = 0; i < BF_ITEMS; i++) {
        int x = a >> i & 1, y = b >> i & 1;
        if (x != y) return x ? -1 : 1; /* the set holding the smaller item first */
    }
    return 0;
}

static int bf_count[BF_SETS];

static int cmp_bf_set(const void *pa, const void *pb)
{
    unsigned a = *(const unsigned *)pa, b = *(const unsigned *)pb;
    int sa = popc(a), sb = popc(b);
    if (sa != sb) return sa < sb ? -1 : 1;
    if (bf_count[a] != bf_count[b]) return bf_count[a] > bf_count[b] ? -1 : 1;
    return cmp_mask_seq(a, b);
}

typedef struct bf_rule {
    unsigned a, c;
    double lift, conf;
    int count;
} bf_rule;

static int cmp_seq_len(unsigned a, unsigned b)
{
    /* lexicographic on the ascending item lists (a prefix sorts first) */
    for (int i = 0; i < BF_ITEMS; i++) {
        int x = a >> i & 1, y = b >> i & 1;
        if (x != y) {
            /* the first difference: the list that has item i here has the smaller element,
             * unless the other list has ended */
            unsigned rest_a = a >> i, rest_b = b >> i;
            if (!rest_a) return -1;
            if (!rest_b) return 1;
            return x ? -1 : 1;
        }
    }
    return 0;
}

static int cmp_bf_rule(const void *pa, const void *pb)
{
    const bf_rule *a = pa, *b = pb;
    if (a->lift != b->lift) return a->lift > b->lift ? -1 : 1;
    if (a->conf != b->conf) return a->conf > b->conf ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    int c = cmp_seq_len(a->a, b->a);
    if (c) return c;
    return cmp_seq_len(a->c, b->c);
}

static void mask_text(unsigned m, char *buf)
{
    buf[0] = '\0';
    for (int i = 0; i < BF_ITEMS; i++)
        if (m >> i & 1) sprintf(buf + strlen(buf), "%si%d", buf[0] ? ", " : "", i);
}

/* Generate transactions, run crm_apriori and compare with brute force. */
static void brute_force_case(uint64_t seed, double minsup, int32_t max_len, int32_t target,
                             double minconf, double minlift)
{
    uint64_t s = seed;
    int ntx = 20 + (int)(lcg(&s) % 40);
    double prob[BF_ITEMS];
    for (int i = 0; i < BF_ITEMS; i++)
        prob[i] = 0.1 + 0.8 * (double)(lcg(&s) % 1000) / 1000;
    unsigned txm[64];
    double tid[64 * BF_ITEMS * 2];
    const char *item[64 * BF_ITEMS * 2];
    static const char *const names[BF_ITEMS] = {"i0", "i1", "i2", "i3", "i4",
                                                "i5", "i6", "i7", "i8"};
    size_t n = 0;
    for (int t = 0; t < ntx; t++) {
        txm[t] = 0;
        for (int i = 0; i < BF_ITEMS; i++) {
            if ((double)(lcg(&s) % 1000) / 1000 < prob[i]) {
                txm[t] |= 1u << i;
                int reps = lcg(&s) % 4 == 0 ? 2 : 1; /* duplicates count once */
                for (int r = 0; r < reps; r++) {
                    tid[n] = 100 + 7 * t;
                    item[n++] = names[i];
                }
            }
        }
    }
    /* shuffle the rows */
    for (size_t i = n; i > 1; i--) {
        size_t j = lcg(&s) % i;
        double td = tid[i - 1];
        tid[i - 1] = tid[j];
        tid[j] = td;
        const char *ti = item[i - 1];
        item[i - 1] = item[j];
        item[j] = ti;
    }
    /* transactions without items do not appear in the table: count the ones that do */
    int nt = 0;
    for (int t = 0; t < ntx; t++)
        nt += txm[t] != 0;
    for (unsigned m = 0; m < BF_SETS; m++) {
        bf_count[m] = 0;
        for (int t = 0; t < ntx; t++)
            bf_count[m] += txm[t] && (txm[t] & m) == m;
    }
    int maxl = max_len < 0 ? BF_ITEMS : max_len;
    static unsigned sets[BF_SETS];
    static unsigned char freq[BF_SETS];
    size_t nsets = 0;
    for (unsigned m = 1; m < BF_SETS; m++)
        freq[m] = (double)bf_count[m] / nt >= minsup;
    for (unsigned m = 1; m < BF_SETS; m++) {
        if (!freq[m] || popc(m) > maxl) continue;
        int keep = 1;
        if (target != CRM_APRIORI_ALL) {
            for (unsigned sup = 1; sup < BF_SETS && keep; sup++) {
                if (sup == m || (sup & m) != m || !freq[sup]) continue;
                if (target == CRM_APRIORI_MAXIMAL || bf_count[sup] == bf_count[m]) keep = 0;
            }
        }
        if (keep) sets[nsets++] = m;
    }
    qsort(sets, nsets, sizeof *sets, cmp_bf_set);
    static bf_rule rules[20000];
    size_t nrules = 0;
    for (unsigned m = 1; m < BF_SETS; m++) {
        if (!freq[m] || popc(m) < 2 || popc(m) > maxl) continue;
        for (unsigned a = (m - 1) & m; a; a = (a - 1) & m) {
            unsigned c = m ^ a;
            double conf = (double)bf_count[m] / bf_count[a];
            double lift = conf / ((double)bf_count[c] / nt);
            if (conf < minconf || lift < minlift) continue;
            ck_assert(nrules < 20000);
            rules[nrules].a = a;
            rules[nrules].c = c;
            rules[nrules].conf = conf;
            rules[nrules].lift = lift;
            rules[nrules].count = bf_count[m];
            nrules++;
        }
    }
    qsort(rules, nrules, sizeof *rules, cmp_bf_rule);

    crm_dataset *tx = make_tx(tid, item, n), *got = NULL, *grules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = minsup;
    o.max_len = max_len;
    o.target = target;
    o.min_confidence = minconf;
    o.min_lift = minlift;
    o.n_threads = (int32_t)(seed % 4); /* 0 = all cores: the result never depends on it */
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &got, &grules));
    ck_assert_msg(crm_dataset_nrows(got) == nsets, "seed %llu: %zu itemsets, want %zu",
                  (unsigned long long)seed, crm_dataset_nrows(got), nsets);
    char want[128];
    for (size_t r = 0; r < nsets; r++) {
        unsigned m = sets[r];
        mask_text(m, want);
        ck_assert_str_eq(text_at(got, "items", r), want);
        ck_assert_double_eq(num_at(got, "size", r), popc(m));
        ck_assert_double_eq(num_at(got, "count", r), bf_count[m]);
        assert_close(num_at(got, "support", r), (double)bf_count[m] / nt, "support", r);
    }
    ck_assert_msg(crm_dataset_nrows(grules) == nrules, "seed %llu: %zu rules, want %zu",
                  (unsigned long long)seed, crm_dataset_nrows(grules), nrules);
    for (size_t r = 0; r < nrules; r++) {
        const bf_rule *ru = &rules[r];
        mask_text(ru->a, want);
        ck_assert_str_eq(text_at(grules, "antecedent", r), want);
        mask_text(ru->c, want);
        ck_assert_str_eq(text_at(grules, "consequent", r), want);
        double sa = (double)bf_count[ru->a] / nt, sc = (double)bf_count[ru->c] / nt;
        double sup = (double)ru->count / nt;
        assert_close(num_at(grules, "antecedent_support", r), sa, "antecedent_support", r);
        assert_close(num_at(grules, "consequent_support", r), sc, "consequent_support", r);
        assert_close(num_at(grules, "support", r), sup, "support", r);
        assert_close(num_at(grules, "confidence", r), ru->conf, "confidence", r);
        assert_close(num_at(grules, "lift", r), ru->conf / sc, "lift", r);
        assert_close(num_at(grules, "leverage", r), sup - sa * sc, "leverage", r);
        assert_close(num_at(grules, "conviction", r),
                     ru->conf == 1 ? INFINITY : (1 - sc) / (1 - ru->conf), "conviction", r);
        ck_assert_double_eq(num_at(grules, "count", r), ru->count);
    }
    crm_dataset_free(got);
    crm_dataset_free(grules);
    crm_dataset_free(tx);
}

START_TEST(test_brute_force)
{
    static const double sups[] = {0.05, 0.15, 0.3, 0.5};
    static const int32_t lens[] = {-1, 1, 2, 3};
    for (uint64_t seed = 1; seed <= 12; seed++) {
        for (int k = 0; k < 4; k++) {
            brute_force_case(seed, sups[k], -1, CRM_APRIORI_ALL, 0, 0);
            brute_force_case(seed, sups[k], lens[(seed + (uint64_t)k) % 4], CRM_APRIORI_ALL, 0.4,
                             1.0);
        }
    }
}
END_TEST

START_TEST(test_brute_force_targets)
{
    static const double sups[] = {0.1, 0.25, 0.4};
    for (uint64_t seed = 20; seed < 30; seed++)
        for (int k = 0; k < 3; k++)
            for (int32_t target = CRM_APRIORI_CLOSED; target <= CRM_APRIORI_MAXIMAL; target++) {
                brute_force_case(seed, sups[k], -1, target, 0.5, 0);
                brute_force_case(seed, sups[k], 2, target, 0, 0);
                brute_force_case(seed, sups[k], 3, target, 0.2, 1.1);
            }
}
END_TEST

/* ---- progress and options ------------------------------------------------------------- */

typedef struct prog {
    int calls;
    int stop_at;
    double last;
    int monotone;
} prog;

static int on_progress(double f, void *user)
{
    prog *p = user;
    p->calls++;
    if (f < p->last || f < 0 || f > 1) p->monotone = 0;
    p->last = f;
    return p->stop_at && p->calls >= p->stop_at;
}

START_TEST(test_progress_cancel)
{
    crm_dataset *tx = example(), *sets = NULL, *rules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    o.n_threads = 1; /* progress comes from the calling thread's tasks: count them exactly */
    prog p = {0, 0, 0, 1};
    o.progress = on_progress;
    o.user = &p;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
    ck_assert_int_ge(p.calls, 2);
    ck_assert(p.monotone);
    ck_assert_double_eq(p.last, 1.0);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    sets = rules = tx; /* must be reset to NULL */
    p = (prog){0, 1, 0, 1};
    ck_assert_error(crm_apriori(tx, "tid", "item", &o, &sets, &rules), CRM_E_CANCELLED);
    ck_assert_ptr_null(sets);
    ck_assert_ptr_null(rules);
    int total = 0;
    {
        prog q = {0, 0, 0, 1};
        o.user = &q;
        ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
        crm_dataset_free(sets);
        crm_dataset_free(rules);
        total = q.calls;
        o.user = &p;
    }
    p = (prog){0, total, 0, 1}; /* cancel at the final call, after the tables exist */
    ck_assert_error(crm_apriori(tx, "tid", "item", &o, &sets, &rules), CRM_E_CANCELLED);
    ck_assert_ptr_null(sets);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_options_init)
{
    crm_apriori_options o;
    memset(&o, 0x5a, sizeof o);
    ck_assert_ok(crm_apriori_options_init(&o, sizeof o));
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_double_eq(o.min_support, 0.01);
    ck_assert_int_eq(o.min_count, 0);
    ck_assert_int_eq(o.max_len, -1);
    ck_assert_int_eq(o.target, CRM_APRIORI_ALL);
    ck_assert_double_eq(o.min_confidence, 0);
    ck_assert_double_eq(o.min_lift, 0);
    ck_assert_int_eq(o.n_threads, 0);
    ck_assert(o.progress == NULL);
    ck_assert_ptr_null(o.user);
    ck_assert_ptr_null(o.separator);
    ck_assert_error(crm_apriori_options_init(NULL, sizeof o), CRM_E_INVALID);
    ck_assert_error(crm_apriori_options_init(&o, 4), CRM_E_INVALID);
    /* a larger struct from a newer caller: unknown tail must be zero */
    struct {
        crm_apriori_options o;
        int64_t extra;
    } big;
    memset(&big, 0, sizeof big);
    ck_assert_ok(crm_apriori_options_init(&big.o, sizeof big));
    big.o.min_count = 2;
    crm_dataset *tx = example(), *sets = NULL;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &big.o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 7);
    crm_dataset_free(sets);
    big.extra = 1;
    ck_assert_error(crm_apriori(tx, "tid", "item", &big.o, &sets, NULL), CRM_E_FORMAT);
    ck_assert_ptr_null(sets);
    /* thread counts give identical results */
    crm_dataset *a = NULL, *b = NULL;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 1;
    o.n_threads = 1;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &a));
    o.n_threads = 4;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, NULL, &b));
    char *ca = NULL, *cb = NULL;
    ck_assert_ok(crm_dataset_to_csv_string(a, NULL, &ca));
    ck_assert_ok(crm_dataset_to_csv_string(b, NULL, &cb));
    ck_assert_str_eq(ca, cb);
    ck_assert_ptr_nonnull(strstr(ca, ",inf,")); /* conviction of a confidence-1 rule */
    crm_free(ca);
    crm_free(cb);
    crm_dataset_free(a);
    crm_dataset_free(b);
    crm_dataset_free(tx);
}
END_TEST

/* ---- limits ----------------------------------------------------------------------------- */

START_TEST(test_single_transaction)
{
    static const double tid[] = {9, 9, 9, 9};
    static const char *const item[] = {"c", "a", "b", "a"};
    crm_dataset *tx = make_tx(tid, item, 4), *sets = NULL, *rules = NULL;
    ck_assert_ok(crm_apriori(tx, "tid", "item", NULL, &sets, &rules));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 7);
    ck_assert_str_eq(text_at(sets, "items", 6), "a, b, c");
    ck_assert_double_eq(num_at(sets, "support", 6), 1);
    ck_assert_uint_eq(crm_dataset_nrows(rules), 12);
    /* every rule has confidence 1 and lift 1 */
    for (size_t r = 0; r < 12; r++) {
        ck_assert_double_eq(num_at(rules, "confidence", r), 1);
        ck_assert_double_eq(num_at(rules, "lift", r), 1);
        ck_assert(isinf(num_at(rules, "conviction", r)));
    }
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_nothing_frequent)
{
    crm_dataset *tx = example(), *sets = NULL, *rules = NULL;
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 6; /* more than the 5 transactions */
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, &rules));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 0);
    ck_assert_uint_eq(crm_dataset_ncols(sets), 4);
    ck_assert_uint_eq(crm_dataset_nrows(rules), 0);
    ck_assert_uint_eq(crm_dataset_ncols(rules), 10);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    /* items all missing: transactions exist, no items */
    static const double tid[] = {1, 2};
    static const char *const item[] = {NULL, NULL};
    crm_dataset *empty = make_tx(tid, item, 2);
    ck_assert_ok(crm_apriori(empty, "tid", "item", NULL, &sets, &rules));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 0);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    crm_dataset_free(empty);
    crm_dataset_free(tx);
}
END_TEST

static crm_status alloc_run(void)
{
    crm_dataset *tx = NULL, *sets = NULL, *rules = NULL;
    static const char *const tids[] = {"t1", "t1", "t1", "t2", "t2", "t3", "t3", "t3"};
    static const char *const items[] = {"a", "b", "c", "a", "b", "a", "b", "c"};
    crm_status st = crm_dataset_new(&tx);
    if (!st) st = crm_dataset_add_text(tx, "tid", tids, 8);
    if (!st) st = crm_dataset_add_text(tx, "item", items, 8);
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    o.target = CRM_APRIORI_CLOSED;
    o.n_threads = 1; /* the counting allocator is not thread-safe */
    if (!st) st = crm_apriori(tx, "tid", "item", &o, &sets, &rules);
    if (st) {
        if (sets || rules) return CRM_E_STATE; /* outputs must be NULL on failure */
    }
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    crm_dataset_free(tx);
    return st;
}

/* Number ids out of order (the hash path), rules with a 3-item antecedent. */
static crm_status alloc_run_numbers(void)
{
    crm_dataset *tx = NULL, *rules = NULL;
    static const double tids[] = {3, 1, 3, 2, 1, 2, 3, 1, 3, 2, 1, 3};
    static const char *const items[] = {"a", "b", "b", "a", "a", "b", "c", "c", "d", "c", "d", "a"};
    crm_status st = crm_dataset_new(&tx);
    if (!st) st = crm_dataset_add_number(tx, "tid", tids, 12);
    if (!st) st = crm_dataset_add_text(tx, "item", items, 12);
    crm_apriori_options o;
    crm_apriori_options_init(&o, sizeof o);
    o.min_count = 2;
    o.n_threads = 1;
    o.target = CRM_APRIORI_MAXIMAL;
    if (!st) st = crm_apriori(tx, "tid", "item", &o, NULL, &rules);
    if (st && rules) return CRM_E_STATE;
    crm_dataset_free(rules);
    crm_dataset_free(tx);
    return st;
}

START_TEST(test_alloc_failure)
{
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_run());
    CRM_TEST_EACH_ALLOC_FAILURE(alloc_run_numbers());
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------ */

START_TEST(test_bad_arguments)
{
    crm_dataset *tx = example(), *sets = tx, *rules = tx;
    ck_assert_error(crm_apriori(NULL, "tid", "item", NULL, &sets, &rules), CRM_E_INVALID);
    ck_assert_ptr_null(sets);
    ck_assert_ptr_null(rules);
    ck_assert_error(crm_apriori(tx, NULL, "item", NULL, &sets, &rules), CRM_E_INVALID);
    ck_assert_error(crm_apriori(tx, "tid", NULL, NULL, &sets, &rules), CRM_E_INVALID);
    ck_assert_error(crm_apriori(tx, "tid", "item", NULL, NULL, NULL), CRM_E_INVALID);
    ck_assert_error(crm_apriori(tx, "tid", "tid", NULL, &sets, NULL), CRM_E_INVALID);
    sets = tx;
    ck_assert_error(crm_apriori(tx, "order", "item", NULL, &sets, &rules), CRM_E_NOTFOUND);
    ck_assert_ptr_null(sets);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"order\""));
    ck_assert_error(crm_apriori(tx, "tid", "sku", NULL, &sets, &rules), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"sku\""));
    /* item column must be text */
    ck_assert_error(crm_apriori(tx, "item", "tid", NULL, &sets, &rules), CRM_E_TYPE);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"tid\""));
    /* the input is unchanged and usable */
    ck_assert_uint_eq(crm_dataset_nrows(tx), EX_N);
    ck_assert_uint_eq(crm_dataset_ncols(tx), 2);
    ck_assert_ok(crm_apriori(tx, "tid", "item", NULL, &sets, NULL));
    crm_dataset_free(sets);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_bad_options)
{
    crm_dataset *tx = example(), *sets = tx;
    crm_apriori_options o;
#define BAD(field, value, needle)                                                                  \
    do {                                                                                           \
        crm_apriori_options_init(&o, sizeof o);                                                    \
        o.field = value;                                                                           \
        sets = tx;                                                                                 \
        ck_assert_error(crm_apriori(tx, "tid", "item", &o, &sets, NULL), CRM_E_INVALID);           \
        ck_assert_ptr_null(sets);                                                                  \
        ck_assert_msg(strstr(crm_last_error(), needle), "message \"%s\" lacks \"%s\"",             \
                      crm_last_error(), needle);                                                   \
    } while (0)
    BAD(min_support, 0, "min_support");
    BAD(min_support, -0.1, "min_support");
    BAD(min_support, 1.5, "min_support");
    BAD(min_support, NAN, "min_support");
    BAD(min_count, -1, "min_count");
    BAD(max_len, 0, "max_len");
    BAD(max_len, -2, "max_len");
    BAD(min_confidence, 1.01, "min_confidence");
    BAD(min_confidence, -0.5, "min_confidence");
    BAD(min_lift, -1, "min_lift");
    BAD(min_lift, INFINITY, "min_lift");
    BAD(target, 0, "target");
    BAD(target, 4, "target");
    BAD(n_threads, -1, "n_threads");
    BAD(separator, "", "separator");
    BAD(separator, "\\|", "separator");
    BAD(prune_redundant, 2, "prune_redundant");
    BAD(prune_redundant, -1, "prune_redundant");
#undef BAD
    /* min_support is ignored when min_count is set */
    crm_apriori_options_init(&o, sizeof o);
    o.min_support = 0;
    o.min_count = 2;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 7);
    crm_dataset_free(sets);
    /* min_support exactly 1 is allowed */
    o.min_count = 0;
    o.min_support = 1;
    ck_assert_ok(crm_apriori(tx, "tid", "item", &o, &sets, NULL));
    ck_assert_uint_eq(crm_dataset_nrows(sets), 0);
    crm_dataset_free(sets);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_no_transactions)
{
    crm_dataset *tx = make_tx(NULL, NULL, 0), *sets = tx, *rules = tx;
    ck_assert_error(crm_apriori(tx, "tid", "item", NULL, &sets, &rules), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "no transactions"));
    ck_assert_ptr_null(sets);
    ck_assert_ptr_null(rules);
    crm_dataset_free(tx);
    /* every transaction id missing */
    static const double tid[] = {NAN, NAN};
    static const char *const item[] = {"a", "b"};
    tx = make_tx(tid, item, 2);
    ck_assert_error(crm_apriori(tx, "tid", "item", NULL, &sets, &rules), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "no transactions"));
    crm_dataset_free(tx);
}
END_TEST

Suite *crm_assoc_suite(void)
{
    Suite *s = suite_create("assoc");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_example_itemsets);
    tcase_add_test(core, test_example_targets);
    tcase_add_test(core, test_example_thresholds);
    tcase_add_test(core, test_prune_redundant_example);
    tcase_add_test(core, test_prune_redundant_kept);
    tcase_add_test(core, test_exact_boundary);
    tcase_add_test(core, test_escaping);
    tcase_add_test(core, test_tid_types);
    tcase_add_test(core, test_brute_force);
    tcase_add_test(core, test_brute_force_targets);
    tcase_add_test(core, test_progress_cancel);
    tcase_add_test(core, test_options_init);
    tcase_set_timeout(core, 120);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_single_transaction);
    tcase_add_test(limits, test_nothing_frequent);
    tcase_add_test(limits, test_many_transactions);
    tcase_add_test(limits, test_alloc_failure);
    tcase_set_timeout(limits, 120);
    suite_add_tcase(s, limits);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_bad_arguments);
    tcase_add_test(bad, test_bad_options);
    tcase_add_test(bad, test_no_transactions);
    suite_add_tcase(s, bad);
    return s;
}
