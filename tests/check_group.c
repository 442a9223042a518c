/* Group and join: every aggregation and key type, missing keys, order, exact
 * sums and means, join kinds, suffixes, text keys across dictionaries, bad input. */
#include "test_util.h"

#include "core/internal.h"

#include <math.h>

/* ---- helpers -------------------------------------------------------------- */

static size_t col_of(const crm_dataset *ds, const char *name)
{
    size_t c = 0;
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    return c;
}

static void nums(const crm_dataset *ds, const char *name, double *out)
{
    ck_assert_ok(crm_dataset_get_number(ds, col_of(ds, name), 0, crm_dataset_nrows(ds), out));
}

static void times(const crm_dataset *ds, const char *name, int64_t *out)
{
    ck_assert_ok(crm_dataset_get_time(ds, col_of(ds, name), 0, crm_dataset_nrows(ds), out));
}

/* Number equality where NaN == NaN and the sign of zero matters. */
static void ck_num(double got, double want, const char *what, size_t i)
{
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s[%zu]: got %.17g, want NaN", what, i, got);
        return;
    }
    ck_assert_msg(got == want && signbit(got) == signbit(want), "%s[%zu]: got %.17g, want %.17g",
                  what, i, got, want);
}

static void ck_nums(const crm_dataset *ds, const char *name, const double *want, size_t n)
{
    ck_assert_uint_eq(crm_dataset_nrows(ds), n);
    double got[64];
    nums(ds, name, got);
    for (size_t i = 0; i < n; i++)
        ck_num(got[i], want[i], name, i);
}

static void ck_texts(const crm_dataset *ds, const char *name, const char *const *want, size_t n)
{
    ck_assert_uint_eq(crm_dataset_nrows(ds), n);
    size_t c = col_of(ds, name);
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(ds, c, &t));
    ck_assert_int_eq(t, CRM_TYPE_TEXT);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        ck_assert_ok(crm_dataset_get_text(ds, c, i, &s));
        if (!want[i])
            ck_assert_msg(s == NULL, "%s[%zu]: got \"%s\", want missing", name, i, s);
        else
            ck_assert_msg(s && strcmp(s, want[i]) == 0, "%s[%zu]: got \"%s\", want \"%s\"", name,
                          i, s ? s : "(missing)", want[i]);
    }
}

static void ck_times(const crm_dataset *ds, const char *name, const int64_t *want, size_t n)
{
    ck_assert_uint_eq(crm_dataset_nrows(ds), n);
    int64_t got[64];
    times(ds, name, got);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "%s[%zu]: got %lld, want %lld", name, i,
                      (long long)got[i], (long long)want[i]);
}

static void ck_names(const crm_dataset *ds, const char *const *want, size_t n)
{
    ck_assert_uint_eq(crm_dataset_ncols(ds), n);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        ck_assert_ok(crm_dataset_column_name(ds, i, &s));
        ck_assert_str_eq(s, want[i]);
    }
}

#define M CRM_TIME_MISSING

/* The small table:
 *   row key  name  amount  when  none
 *   0   "b"  "x"   1.5     100   NaN
 *   1   "a"  NULL  2       M     NaN
 *   2   "b"  "y"   NaN     50    NaN
 *   3   NULL "x"   4       10    7
 *   4   "a"  "z"   -1      200   NaN
 *   5   "b"  "x"   3       M     NaN
 *   6   NULL NULL  NaN     M     NaN          */
static crm_dataset *make_small(void)
{
    crm_dataset *ds = NULL;
    const char *key[] = {"b", "a", "b", NULL, "a", "b", NULL};
    const char *name[] = {"x", NULL, "y", "x", "z", "x", NULL};
    double amount[] = {1.5, 2, NAN, 4, -1, 3, NAN};
    int64_t when[] = {100, M, 50, 10, 200, M, M};
    double none[] = {NAN, NAN, NAN, 7, NAN, NAN, NAN};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "key", key, 7));
    ck_assert_ok(crm_dataset_add_text(ds, "name", name, 7));
    ck_assert_ok(crm_dataset_add_number(ds, "amount", amount, 7));
    ck_assert_ok(crm_dataset_add_time(ds, "when", when, 7));
    ck_assert_ok(crm_dataset_add_number(ds, "none", none, 7));
    return ds;
}

/* ---- group: core ----------------------------------------------------------- */

START_TEST(test_group_number_aggs)
{
    crm_dataset *ds = make_small(), *g = NULL;
    const char *keys[] = {"key"};
    const char *aggs[] = {"sum(amount)",   "mean(amount)",  "min(amount)",
                          "max(amount)",   "count(amount)", "count_distinct(amount)",
                          "first(amount)", "last(amount)",  "median(amount)",
                          "count()"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 10, &g));
    const char *names[] = {"key",          "amount_sum",   "amount_mean",
                           "amount_min",   "amount_max",   "amount_count",
                           "amount_count_distinct",        "amount_first",
                           "amount_last",  "amount_median", "count"};
    ck_names(g, names, 11);
    /* groups: "a" (rows 1, 4), "b" (rows 0, 2, 5), missing (rows 3, 6) */
    const char *k[] = {"a", "b", NULL};
    ck_texts(g, "key", k, 3);
    ck_nums(g, "amount_sum", (double[]){1, 4.5, 4}, 3);
    ck_nums(g, "amount_mean", (double[]){0.5, 2.25, 4}, 3);
    ck_nums(g, "amount_min", (double[]){-1, 1.5, 4}, 3);
    ck_nums(g, "amount_max", (double[]){2, 3, 4}, 3);
    ck_nums(g, "amount_count", (double[]){2, 2, 1}, 3);
    ck_nums(g, "amount_count_distinct", (double[]){2, 2, 1}, 3);
    ck_nums(g, "amount_first", (double[]){2, 1.5, 4}, 3);
    ck_nums(g, "amount_last", (double[]){-1, 3, 4}, 3);
    ck_nums(g, "amount_median", (double[]){0.5, 2.25, 4}, 3);
    ck_nums(g, "count", (double[]){2, 3, 2}, 3);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_group_text_time_aggs)
{
    crm_dataset *ds = make_small(), *g = NULL;
    const char *keys[] = {"key"};
    const char *aggs[] = {"min(name)",  "max(name)",  "first(name)",         "last(name)",
                          "count(name)", "n=count_distinct(name)", "min(when)", "max(when)",
                          "first(when)", "last(when)", "count(when)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 11, &g));
    ck_texts(g, "name_min", (const char *[]){"z", "x", "x"}, 3);
    ck_texts(g, "name_max", (const char *[]){"z", "y", "x"}, 3);
    ck_texts(g, "name_first", (const char *[]){"z", "x", "x"}, 3);
    ck_texts(g, "name_last", (const char *[]){"z", "x", "x"}, 3);
    ck_nums(g, "name_count", (double[]){1, 3, 1}, 3);
    ck_nums(g, "n", (double[]){1, 2, 1}, 3);
    ck_times(g, "when_min", (int64_t[]){200, 50, 10}, 3);
    ck_times(g, "when_max", (int64_t[]){200, 100, 10}, 3);
    ck_times(g, "when_first", (int64_t[]){200, 100, 10}, 3);
    ck_times(g, "when_last", (int64_t[]){200, 50, 10}, 3);
    ck_nums(g, "when_count", (double[]){1, 2, 1}, 3);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_group_all_missing)
{
    /* column "none" is missing in every row of groups "a" and "b" */
    crm_dataset *ds = make_small(), *g = NULL;
    const char *keys[] = {"key"};
    const char *aggs[] = {"sum(none)",   "mean(none)",  "min(none)",   "max(none)",
                          "count(none)", "count_distinct(none)", "first(none)", "last(none)",
                          "median(none)", "first(name)", "min(when)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 11, &g));
    ck_nums(g, "none_sum", (double[]){0, 0, 7}, 3);
    ck_nums(g, "none_mean", (double[]){NAN, NAN, 7}, 3);
    ck_nums(g, "none_min", (double[]){NAN, NAN, 7}, 3);
    ck_nums(g, "none_max", (double[]){NAN, NAN, 7}, 3);
    ck_nums(g, "none_count", (double[]){0, 0, 1}, 3);
    ck_nums(g, "none_count_distinct", (double[]){0, 0, 1}, 3);
    ck_nums(g, "none_first", (double[]){NAN, NAN, 7}, 3);
    ck_nums(g, "none_last", (double[]){NAN, NAN, 7}, 3);
    ck_nums(g, "none_median", (double[]){NAN, NAN, 7}, 3);
    crm_dataset_free(g);
    /* a group whose text and time values are all missing */
    const char *k2[] = {"name"};
    const char *a2[] = {"first(key)", "min(when)", "max(key)"};
    ck_assert_ok(crm_dataset_group(ds, k2, 1, a2, 3, &g));
    /* groups x (0,3,5), y (2), z (4), missing (1,6) */
    ck_texts(g, "name", (const char *[]){"x", "y", "z", NULL}, 4);
    ck_texts(g, "key_first", (const char *[]){"b", "b", "a", "a"}, 4);
    ck_texts(g, "key_max", (const char *[]){"b", "b", "a", "a"}, 4);
    ck_times(g, "when_min", (int64_t[]){10, 50, 200, M}, 4);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_group_number_keys)
{
    /* -0.0 and 0.0 are one group, every NaN is one (missing) group, last */
    double k[] = {2, NAN, -0.0, INFINITY, 0.0, -1, -INFINITY, 2, NAN, -0.0};
    double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    crm_dataset *ds = NULL, *g = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "k", k, 10));
    ck_assert_ok(crm_dataset_add_number(ds, "v", v, 10));
    const char *keys[] = {"k"};
    const char *aggs[] = {"s=sum(v)", "count()"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 2, &g));
    ck_nums(g, "k", (double[]){-INFINITY, -1, -0.0, 2, INFINITY, NAN}, 6);
    ck_nums(g, "s", (double[]){7, 6, 18, 9, 4, 11}, 6);
    ck_nums(g, "count", (double[]){1, 1, 3, 2, 1, 2}, 6);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_group_multi_key)
{
    const char *a[] = {"u", "t", "u", "t", NULL, "u", "t", "u"};
    int64_t b[] = {5, 5, -3, 5, 5, M, -3, -3};
    double v[] = {1, 2, 3, 4, 5, 6, 7, 8};
    crm_dataset *ds = NULL, *g = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "a", a, 8));
    ck_assert_ok(crm_dataset_add_time(ds, "b", b, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "v", v, 8));
    const char *keys[] = {"a", "b"};
    const char *aggs[] = {"sum(v)", "count()"};
    ck_assert_ok(crm_dataset_group(ds, keys, 2, aggs, 2, &g));
    ck_names(g, (const char *[]){"a", "b", "v_sum", "count"}, 4);
    /* (t,-3) (t,5) (u,-3) (u,5) (u,M) (NULL,5) */
    ck_texts(g, "a", (const char *[]){"t", "t", "u", "u", "u", NULL}, 6);
    ck_times(g, "b", (int64_t[]){-3, 5, -3, 5, M, 5}, 6);
    ck_nums(g, "v_sum", (double[]){7, 6, 11, 1, 6, 5}, 6);
    ck_nums(g, "count", (double[]){1, 2, 2, 1, 1, 1}, 6);
    crm_dataset_free(g);
    /* no aggregations: the distinct key combinations */
    ck_assert_ok(crm_dataset_group(ds, keys, 2, NULL, 0, &g));
    ck_names(g, (const char *[]){"a", "b"}, 2);
    ck_assert_uint_eq(crm_dataset_nrows(g), 6);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_group_text_key_order)
{
    /* byte order of the strings, not the order of first appearance */
    const char *k[] = {"zeta", "Alpha", "beta", "alpha", "\xc3\xa9t\xc3\xa9", "beta"};
    double v[] = {1, 2, 3, 4, 5, 6};
    crm_dataset *ds = NULL, *g = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "k", k, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "v", v, 6));
    const char *keys[] = {"k"};
    const char *aggs[] = {"v_sum=sum(v)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 1, &g));
    ck_texts(g, "k", (const char *[]){"Alpha", "alpha", "beta", "zeta", "\xc3\xa9t\xc3\xa9"}, 5);
    ck_nums(g, "v_sum", (double[]){2, 4, 9, 1, 5}, 5);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_group_exact_sums)
{
    /* naive left-to-right summation gets every one of these wrong */
    double k[] = {1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
    double v[] = {1e100, 1, -1e100,                                   /* sum 1, mean 1/3 */
                  0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, /* sum 1, mean 0.1 */
                  1, 0x1p-53, 0x1p-53, -1};                         /* sum 2^-52 */
    crm_dataset *ds = NULL, *g = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "k", k, 17));
    ck_assert_ok(crm_dataset_add_number(ds, "v", v, 17));
    const char *keys[] = {"k"};
    const char *aggs[] = {"sum(v)", "mean(v)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 2, &g));
    ck_nums(g, "v_sum", (double[]){1, 1, 0x1p-52}, 3);
    ck_nums(g, "v_mean", (double[]){1.0 / 3.0, 0.1, 0x1p-54}, 3);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

/* 1 when q is the double nearest to S / n (ties to even), S the exact sum held
 * by f: checked with exact sign tests 2(S - qn) - n*gap_up <= 0 <= 2(S - qn) + n*gap_down. */
static int mean_is_exact(const crm__fsum *f, size_t cnt, double q)
{
    double n = (double)cnt;
    double up = nextafter(q, INFINITY), dn = nextafter(q, -INFINITY);
    double P = q * n, e = fma(q, n, -P);
    double side[2];
    for (int k = 0; k < 2; k++) {
        crm__fsum g;
        crm__fsum_init(&g);
        for (int i = 0; i < f->n; i++)
            crm__fsum_add(&g, 2.0 * f->p[i]);
        crm__fsum_add(&g, -2.0 * P);
        crm__fsum_add(&g, -2.0 * e);
        crm__fsum_add(&g, k == 0 ? -n * (up - q) : n * (q - dn));
        side[k] = crm__fsum_result(&g);
    }
    uint64_t bits;
    memcpy(&bits, &q, sizeof bits);
    int even = (bits & 1u) == 0;
    return (side[0] < 0 || (side[0] == 0 && even)) && (side[1] > 0 || (side[1] == 0 && even));
}

/* Random values in G groups: sums equal crm__fsum, means pass the exact test. */
static void check_random_sums(const double *k, const double *v, size_t N, size_t G)
{
    crm_dataset *ds = NULL, *g = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "k", k, N));
    ck_assert_ok(crm_dataset_add_number(ds, "v", v, N));
    const char *keys[] = {"k"};
    const char *aggs[] = {"sum(v)", "count(v)", "mean(v)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 3, &g));
    ck_assert_uint_eq(crm_dataset_nrows(g), G);
    double *got = malloc(G * sizeof *got), *cnt = malloc(G * sizeof *cnt);
    double *mean = malloc(G * sizeof *mean);
    ck_assert_ok(crm_dataset_get_number(g, col_of(g, "v_sum"), 0, G, got));
    ck_assert_ok(crm_dataset_get_number(g, col_of(g, "v_count"), 0, G, cnt));
    ck_assert_ok(crm_dataset_get_number(g, col_of(g, "v_mean"), 0, G, mean));
    crm__fsum *f = malloc(G * sizeof *f);
    size_t *c = calloc(G, sizeof *c);
    for (size_t gi = 0; gi < G; gi++)
        crm__fsum_init(&f[gi]);
    for (size_t i = 0; i < N; i++)
        if (!isnan(v[i])) {
            crm__fsum_add(&f[(size_t)k[i]], v[i]);
            c[(size_t)k[i]]++;
        }
    for (size_t gi = 0; gi < G; gi++) {
        ck_num(got[gi], crm__fsum_result(&f[gi]), "v_sum", gi);
        ck_num(cnt[gi], (double)c[gi], "v_count", gi);
        ck_assert_msg(mean_is_exact(&f[gi], c[gi], mean[gi]), "v_mean[%zu] = %a is not exact", gi,
                      mean[gi]);
    }
    free(f);
    free(c);
    free(got);
    free(cnt);
    free(mean);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}

START_TEST(test_group_sums_random)
{
    /* mixed magnitudes and signs (many inexact roundings, cancellation) */
    enum { N = 40000, G = 2000 };
    static double k[N], v[N];
    uint64_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        k[i] = (double)((s >> 33) % G);
        double m = (double)((s >> 11) & 0xfffff) / 1048576.0 + 0.5;
        int e = (int)((s >> 40) % 80) - 40;
        v[i] = ldexp(m, e) * ((s >> 63) ? -1 : 1);
        if (i % 97 == 0)
            v[i] = NAN;
    }
    check_random_sums(k, v, N, G);
    /* large even integers plus small odd ones: sums need more than 53 bits and
     * means fall exactly half way between two doubles */
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        k[i] = (double)((s >> 33) % G);
        v[i] = (s >> 62) ? 0x1p53 + 2.0 * (double)((s >> 20) % 64)
                         : (double)(2 * ((s >> 24) % 4) + 1);
    }
    check_random_sums(k, v, N, G);
    /* prices with two decimals, as in shop data */
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        k[i] = (double)((s >> 33) % G);
        v[i] = (double)((s >> 20) % 100000) / 100.0;
    }
    check_random_sums(k, v, N, G);
}
END_TEST

START_TEST(test_group_names_and_spaces)
{
    crm_dataset *ds = make_small(), *g = NULL;
    const char *keys[] = {"key"};
    /* NAME= renames; spaces around the name and the function are ignored;
     * count() and count(col) are different columns */
    const char *aggs[] = {" total = sum(amount)", "rows=count()", "count(amount)",
                          "count ()"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 4, &g));
    ck_names(g, (const char *[]){"key", "total", "rows", "amount_count", "count"}, 5);
    ck_nums(g, "rows", (double[]){2, 3, 2}, 3);
    ck_nums(g, "count", (double[]){2, 3, 2}, 3);
    ck_nums(g, "amount_count", (double[]){2, 2, 1}, 3);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

/* ---- join: core ---------------------------------------------------------------- */

/* left:  id [1, 2, 2, 3, NaN]  lv [a b c d e]  v [10 20 30 40 50]
 * right: id [2, 1, 2, 4, NaN]  rv [p q r s t]  v [.1 .2 .3 .4 .5] */
static void make_lr(crm_dataset **l, crm_dataset **r)
{
    double lid[] = {1, 2, 2, 3, NAN}, lv2[] = {10, 20, 30, 40, 50};
    const char *lv[] = {"a", "b", "c", "d", "e"};
    double rid[] = {2, 1, 2, 4, NAN}, rv2[] = {.1, .2, .3, .4, .5};
    const char *rv[] = {"p", "q", "r", "s", "t"};
    ck_assert_ok(crm_dataset_new(l));
    ck_assert_ok(crm_dataset_add_number(*l, "id", lid, 5));
    ck_assert_ok(crm_dataset_add_text(*l, "lv", lv, 5));
    ck_assert_ok(crm_dataset_add_number(*l, "v", lv2, 5));
    ck_assert_ok(crm_dataset_new(r));
    ck_assert_ok(crm_dataset_add_number(*r, "id", rid, 5));
    ck_assert_ok(crm_dataset_add_text(*r, "rv", rv, 5));
    ck_assert_ok(crm_dataset_add_number(*r, "v", rv2, 5));
}

START_TEST(test_join_inner_left)
{
    crm_dataset *l = NULL, *r = NULL, *j = NULL;
    make_lr(&l, &r);
    const char *keys[] = {"id"};
    ck_assert_ok(crm_dataset_join(l, r, keys, 1, CRM_JOIN_INNER, &j));
    ck_names(j, (const char *[]){"id", "lv", "v_x", "rv", "v_y"}, 5);
    ck_nums(j, "id", (double[]){1, 2, 2, 2, 2}, 5);
    ck_texts(j, "lv", (const char *[]){"a", "b", "b", "c", "c"}, 5);
    ck_texts(j, "rv", (const char *[]){"q", "p", "r", "p", "r"}, 5);
    ck_nums(j, "v_x", (double[]){10, 20, 20, 30, 30}, 5);
    ck_nums(j, "v_y", (double[]){.2, .1, .3, .1, .3}, 5);
    crm_dataset_free(j);
    ck_assert_ok(crm_dataset_join(l, r, keys, 1, CRM_JOIN_LEFT, &j));
    ck_nums(j, "id", (double[]){1, 2, 2, 2, 2, 3, NAN}, 7);
    ck_texts(j, "lv", (const char *[]){"a", "b", "b", "c", "c", "d", "e"}, 7);
    ck_texts(j, "rv", (const char *[]){"q", "p", "r", "p", "r", NULL, NULL}, 7);
    ck_nums(j, "v_y", (double[]){.2, .1, .3, .1, .3, NAN, NAN}, 7);
    crm_dataset_free(j);
    /* inputs unchanged */
    ck_assert_uint_eq(crm_dataset_ncols(l), 3);
    ck_assert_uint_eq(crm_dataset_nrows(r), 5);
    crm_dataset_free(l);
    crm_dataset_free(r);
}
END_TEST

START_TEST(test_join_text_multi_key)
{
    /* text keys in two datasets whose dictionaries hold the strings in other
     * orders (and strings absent from the other side); a time second key */
    const char *lk[] = {"x", "y", "z", "x", NULL};
    int64_t lt[] = {1, 1, 2, 2, 1};
    double lv[] = {1, 2, 3, 4, 5};
    const char *rk[] = {"q", "z", "x", "x", "y", NULL};
    int64_t rt[] = {1, 2, 2, 1, M, 1};
    const char *rv[] = {"q2", "z2", "x2", "x1", "yM", "N1"};
    crm_dataset *l = NULL, *r = NULL, *j = NULL;
    ck_assert_ok(crm_dataset_new(&l));
    ck_assert_ok(crm_dataset_add_text(l, "k", lk, 5));
    ck_assert_ok(crm_dataset_add_time(l, "t", lt, 5));
    ck_assert_ok(crm_dataset_add_number(l, "lv", lv, 5));
    ck_assert_ok(crm_dataset_new(&r));
    ck_assert_ok(crm_dataset_add_text(r, "k", rk, 6));
    ck_assert_ok(crm_dataset_add_time(r, "t", rt, 6));
    ck_assert_ok(crm_dataset_add_text(r, "rv", rv, 6));
    const char *keys[] = {"t", "k"};
    ck_assert_ok(crm_dataset_join(l, r, keys, 2, CRM_JOIN_LEFT, &j));
    ck_names(j, (const char *[]){"k", "t", "lv", "rv"}, 4);
    ck_texts(j, "k", (const char *[]){"x", "y", "z", "x", NULL}, 5);
    ck_texts(j, "rv", (const char *[]){"x1", NULL, "z2", "x2", NULL}, 5);
    crm_dataset_free(j);
    ck_assert_ok(crm_dataset_join(l, r, keys, 2, CRM_JOIN_INNER, &j));
    ck_nums(j, "lv", (double[]){1, 3, 4}, 3);
    ck_texts(j, "rv", (const char *[]){"x1", "z2", "x2"}, 3);
    crm_dataset_free(j);
    /* joining a dataset with itself (one shared dictionary) */
    const char *k1[] = {"k"};
    ck_assert_ok(crm_dataset_join(l, l, k1, 1, CRM_JOIN_INNER, &j));
    ck_names(j, (const char *[]){"k", "t_x", "lv_x", "t_y", "lv_y"}, 5);
    ck_nums(j, "lv_x", (double[]){1, 1, 2, 3, 4, 4}, 6);
    ck_nums(j, "lv_y", (double[]){1, 4, 2, 3, 1, 4}, 6);
    crm_dataset_free(j);
    crm_dataset_free(l);
    crm_dataset_free(r);
}
END_TEST

START_TEST(test_join_number_keys)
{
    /* -0.0 matches 0.0; NaN never matches */
    double lk[] = {0.0, NAN, -0.0, 7};
    double rk[] = {-0.0, NAN, 7, 0.0};
    double rv[] = {1, 2, 3, 4};
    crm_dataset *l = NULL, *r = NULL, *j = NULL;
    ck_assert_ok(crm_dataset_new(&l));
    ck_assert_ok(crm_dataset_add_number(l, "k", lk, 4));
    ck_assert_ok(crm_dataset_new(&r));
    ck_assert_ok(crm_dataset_add_number(r, "k", rk, 4));
    ck_assert_ok(crm_dataset_add_number(r, "rv", rv, 4));
    const char *keys[] = {"k"};
    ck_assert_ok(crm_dataset_join(l, r, keys, 1, CRM_JOIN_LEFT, &j));
    ck_nums(j, "k", (double[]){0.0, 0.0, NAN, -0.0, -0.0, 7}, 6);
    ck_nums(j, "rv", (double[]){1, 4, NAN, 1, 4, 3}, 6);
    crm_dataset_free(j);
    crm_dataset_free(l);
    crm_dataset_free(r);
}
END_TEST

/* ---- limits ---------------------------------------------------------------------- */

START_TEST(test_empty)
{
    crm_dataset *ds = NULL, *g = NULL, *j = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "k", NULL, 0));
    ck_assert_ok(crm_dataset_add_number(ds, "v", NULL, 0));
    ck_assert_ok(crm_dataset_add_time(ds, "t", NULL, 0));
    const char *keys[] = {"k"};
    const char *aggs[] = {"sum(v)", "first(t)", "count()", "median(v)", "count_distinct(k)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 5, &g));
    ck_assert_uint_eq(crm_dataset_nrows(g), 0);
    ck_names(g, (const char *[]){"k", "v_sum", "t_first", "count", "v_median",
                                 "k_count_distinct"},
             6);
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(g, 2, &t));
    ck_assert_int_eq(t, CRM_TYPE_TIME);
    ck_assert_ok(crm_dataset_join(ds, g, keys, 1, CRM_JOIN_LEFT, &j));
    ck_assert_uint_eq(crm_dataset_nrows(j), 0);
    ck_assert_uint_eq(crm_dataset_ncols(j), 8);
    crm_dataset_free(j);
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_many_groups)
{
    /* 30000 rows, 10000 keys in scrambled order: sorted output, sums and counts */
    enum { N = 30000, G = 10000 };
    static double k[N], v[N];
    for (size_t i = 0; i < N; i++) {
        k[i] = (double)((i * 7919) % G) - 5000;
        v[i] = (double)i;
    }
    crm_dataset *ds = NULL, *g = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "k", k, N));
    ck_assert_ok(crm_dataset_add_number(ds, "v", v, N));
    const char *keys[] = {"k"};
    const char *aggs[] = {"sum(v)", "count()", "first(v)"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, aggs, 3, &g));
    ck_assert_uint_eq(crm_dataset_nrows(g), G);
    static double gk[G], gs[G], gc[G], gf[G];
    nums(g, "k", gk);
    nums(g, "v_sum", gs);
    nums(g, "count", gc);
    nums(g, "v_first", gf);
    for (size_t i = 0; i < G; i++) {
        ck_assert(gk[i] == (double)i - 5000);
        ck_assert(gc[i] == 3);
        /* rows with (r * 7919) % G == i are r0, r0 + G, r0 + 2G */
        double r0 = gf[i];
        ck_assert(gs[i] == 3 * r0 + 3 * G);
        ck_assert(fmod(r0 * 7919, G) == (double)i);
    }
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

static crm_status group_join_body(void)
{
    crm_dataset *ds = NULL, *g = NULL, *j = NULL, *r = NULL;
    const char *key[] = {"b", "a", "b", NULL, "a", "b", "c"};
    double amount[] = {1e100, 2, 1, NAN, -1, -1e100, 3};
    int64_t when[] = {100, M, 50, 10, 200, M, 0};
    const char *rkey[] = {"c", "a", "q", "a"};
    double rv[] = {1, 2, 3, 4};
    const char *keys[] = {"key"};
    const char *aggs[] = {"sum(amount)",  "mean(amount)", "median(amount)", "min(key)",
                          "max(when)",    "first(when)",  "count_distinct(key)", "count()",
                          "count(amount)"};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_text(ds, "key", key, 7);
    if (!st)
        st = crm_dataset_add_number(ds, "amount", amount, 7);
    if (!st)
        st = crm_dataset_add_time(ds, "when", when, 7);
    if (!st)
        st = crm_dataset_group(ds, keys, 1, aggs, 9, &g);
    if (!st)
        st = crm_dataset_new(&r);
    if (!st)
        st = crm_dataset_add_text(r, "key", rkey, 4);
    if (!st)
        st = crm_dataset_add_number(r, "amount", rv, 4);
    if (!st)
        st = crm_dataset_join(ds, r, keys, 1, CRM_JOIN_LEFT, &j);
    crm_dataset_free(j);
    j = NULL;
    if (!st)
        st = crm_dataset_join(g, r, keys, 1, CRM_JOIN_INNER, &j);
    crm_dataset_free(j);
    crm_dataset_free(r);
    crm_dataset_free(g);
    crm_dataset_free(ds);
    return st;
}

/* 131072 rows whose sampled rows (every other one) share one key while the
 * others are all distinct: the hash tables start small and must grow. */
static crm_status growth_body(void)
{
    enum { N = 131072 };
    static double k[N], v[N], k2[N];
    for (size_t i = 0; i < N; i++) {
        k[i] = i % 2 ? (double)i : 0.0;
        k2[i] = (double)(i % 3);
        v[i] = 1.0;
    }
    crm_dataset *ds = NULL, *g = NULL, *g2 = NULL;
    const char *keys[] = {"k"}, *keys2[] = {"k", "k2"};
    const char *aggs[] = {"sum(v)"};
    crm_status st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_number(ds, "k", k, N);
    if (!st)
        st = crm_dataset_add_number(ds, "k2", k2, N);
    if (!st)
        st = crm_dataset_add_number(ds, "v", v, N);
    if (!st)
        st = crm_dataset_group(ds, keys, 1, aggs, 1, &g);
    if (!st)
        st = crm_dataset_group(ds, keys2, 2, aggs, 1, &g2);
    if (!st) {
        /* key 0: N/2 rows; every odd key one row */
        ck_assert_uint_eq(crm_dataset_nrows(g), N / 2 + 1);
        double s0, s1, k0;
        ck_assert_ok(crm_dataset_get_number(g, 0, 0, 1, &k0));
        ck_assert_ok(crm_dataset_get_number(g, 1, 0, 1, &s0));
        ck_assert_ok(crm_dataset_get_number(g, 1, N / 2, 1, &s1));
        ck_assert(k0 == 0 && s0 == N / 2 && s1 == 1);
        /* (0, 0), (0, 1), (0, 2) and the N/2 odd keys */
        ck_assert_uint_eq(crm_dataset_nrows(g2), N / 2 + 3);
    }
    crm_dataset_free(g2);
    crm_dataset_free(g);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_table_growth)
{
    ck_assert_ok(growth_body());
    CRM_TEST_EACH_ALLOC_FAILURE(growth_body());
}
END_TEST

START_TEST(test_alloc_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(group_join_body());
}
END_TEST

/* ---- bad input ---------------------------------------------------------------------- */

static void ck_group_fails(crm_dataset *ds, const char *agg, crm_status want, const char *needle)
{
    const char *keys[] = {"key"};
    crm_dataset *g = (crm_dataset *)&g; /* must be set to NULL */
    ck_assert_error(crm_dataset_group(ds, keys, 1, &agg, 1, &g), want);
    ck_assert_ptr_null(g);
    ck_assert_msg(strstr(crm_last_error(), needle), "message \"%s\" lacks \"%s\"", crm_last_error(),
                  needle);
}

START_TEST(test_group_bad_input)
{
    crm_dataset *ds = make_small(), *g = NULL;
    ck_group_fails(ds, "sum(nope)", CRM_E_NOTFOUND, "nope");
    ck_group_fails(ds, "sum(name)", CRM_E_TYPE, "name");
    ck_group_fails(ds, "mean(when)", CRM_E_TYPE, "when");
    ck_group_fails(ds, "median(key)", CRM_E_TYPE, "key");
    ck_group_fails(ds, "sum(", CRM_E_PARSE, "sum(");
    ck_group_fails(ds, "sum", CRM_E_PARSE, "sum");
    ck_group_fails(ds, "sum()", CRM_E_PARSE, "sum()");
    ck_group_fails(ds, "(amount)", CRM_E_PARSE, "(amount)");
    ck_group_fails(ds, "=sum(amount)", CRM_E_PARSE, "=sum(amount)");
    ck_group_fails(ds, "total(amount)", CRM_E_NOTFOUND, "total");
    ck_group_fails(ds, "key=sum(amount)", CRM_E_INVALID, "key");
    const char *keys[] = {"key"}, *two[] = {"key", "key"}, *bad[] = {"nokey"};
    const char *dup[] = {"sum(amount)", "amount_sum=max(amount)"};
    ck_assert_error(crm_dataset_group(ds, keys, 1, dup, 2, &g), CRM_E_INVALID);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "amount_sum"));
    ck_assert_error(crm_dataset_group(ds, two, 2, NULL, 0, &g), CRM_E_INVALID);
    ck_assert_error(crm_dataset_group(ds, bad, 1, NULL, 0, &g), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "nokey"));
    ck_assert_error(crm_dataset_group(ds, keys, 0, NULL, 0, &g), CRM_E_INVALID);
    ck_assert_error(crm_dataset_group(NULL, keys, 1, NULL, 0, &g), CRM_E_INVALID);
    ck_assert_error(crm_dataset_group(ds, NULL, 1, NULL, 0, &g), CRM_E_INVALID);
    ck_assert_error(crm_dataset_group(ds, keys, 1, NULL, 1, &g), CRM_E_INVALID);
    ck_assert_error(crm_dataset_group(ds, keys, 1, NULL, 0, NULL), CRM_E_INVALID);
    ck_assert_ptr_null(g);
    /* the input is unchanged and usable */
    ck_assert_uint_eq(crm_dataset_ncols(ds), 5);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 7);
    const char *ok[] = {"count()"};
    ck_assert_ok(crm_dataset_group(ds, keys, 1, ok, 1, &g));
    crm_dataset_free(g);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_join_bad_input)
{
    crm_dataset *l = NULL, *r = NULL, *j = (crm_dataset *)&j;
    make_lr(&l, &r);
    const char *keys[] = {"id"}, *lv[] = {"lv"}, *rv[] = {"rv"}, *two[] = {"id", "id"};
    ck_assert_error(crm_dataset_join(l, r, lv, 1, CRM_JOIN_INNER, &j), CRM_E_NOTFOUND);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "right"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "lv"));
    ck_assert_error(crm_dataset_join(l, r, rv, 1, CRM_JOIN_INNER, &j), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "left"));
    ck_assert_error(crm_dataset_join(l, r, keys, 1, 3, &j), CRM_E_INVALID);
    ck_assert_error(crm_dataset_join(l, r, keys, 0, CRM_JOIN_INNER, &j), CRM_E_INVALID);
    ck_assert_error(crm_dataset_join(l, r, two, 2, CRM_JOIN_INNER, &j), CRM_E_INVALID);
    ck_assert_error(crm_dataset_join(NULL, r, keys, 1, CRM_JOIN_INNER, &j), CRM_E_INVALID);
    ck_assert_error(crm_dataset_join(l, r, keys, 1, CRM_JOIN_INNER, NULL), CRM_E_INVALID);
    /* key type mismatch: id as text on the right */
    crm_dataset *r2 = NULL;
    const char *tid[] = {"1", "2"};
    ck_assert_ok(crm_dataset_new(&r2));
    ck_assert_ok(crm_dataset_add_text(r2, "id", tid, 2));
    ck_assert_error(crm_dataset_join(l, r2, keys, 1, CRM_JOIN_LEFT, &j), CRM_E_TYPE);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "id"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "number"));
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "text"));
    /* a suffixed name that already exists */
    ck_assert_ok(crm_dataset_add_number(r2, "v", (double[]){1, 2}, 2));
    crm_dataset *l2 = NULL;
    ck_assert_ok(crm_dataset_new(&l2));
    ck_assert_ok(crm_dataset_add_text(l2, "id", tid, 2));
    ck_assert_ok(crm_dataset_add_number(l2, "v", (double[]){1, 2}, 2));
    ck_assert_ok(crm_dataset_add_number(l2, "v_y", (double[]){1, 2}, 2));
    ck_assert_error(crm_dataset_join(l2, r2, keys, 1, CRM_JOIN_LEFT, &j), CRM_E_INVALID);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "v_y"));
    /* inputs unchanged */
    ck_assert_uint_eq(crm_dataset_ncols(l), 3);
    ck_assert_uint_eq(crm_dataset_ncols(r), 3);
    crm_dataset_free(l2);
    crm_dataset_free(r2);
    crm_dataset_free(l);
    crm_dataset_free(r);
}
END_TEST

Suite *crm_group_suite(void)
{
    Suite *s = suite_create("group");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_group_number_aggs);
    tcase_add_test(core, test_group_text_time_aggs);
    tcase_add_test(core, test_group_all_missing);
    tcase_add_test(core, test_group_number_keys);
    tcase_add_test(core, test_group_multi_key);
    tcase_add_test(core, test_group_text_key_order);
    tcase_add_test(core, test_group_exact_sums);
    tcase_add_test(core, test_group_sums_random);
    tcase_add_test(core, test_group_names_and_spaces);
    tcase_add_test(core, test_join_inner_left);
    tcase_add_test(core, test_join_text_multi_key);
    tcase_add_test(core, test_join_number_keys);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("limits");
    tcase_add_test(lim, test_empty);
    tcase_add_test(lim, test_many_groups);
    tcase_add_test(lim, test_alloc_failures);
    tcase_add_test(lim, test_table_growth);
    tcase_set_timeout(lim, 60);
    suite_add_tcase(s, lim);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_group_bad_input);
    tcase_add_test(bad, test_join_bad_input);
    suite_add_tcase(s, bad);
    return s;
}
