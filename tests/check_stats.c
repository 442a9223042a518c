/* Mergeable statistics (crm/stats.h): for every estimator, the rows split into 1, 2, 7 and 16
 * chunks (unequal sizes, one empty), computed per chunk, sent through bytes, merged in a
 * scrambled order and finalized, equal the one-machine result: bit-identical for RFM,
 * group-by and Apriori, to 1e-12 relative with identical labels for k-means and regression.
 * Then the byte format: round trip, version refusal, every truncation and corruption. */
#include "test_util.h"

#include "crm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const size_t nchunks[] = {1, 2, 7, 16};
enum { NSPLITS = 4 };

/* ---- helpers -------------------------------------------------------------------------- */

/* ds with a "rowid" column 0..n-1 added. */
static void add_rowid(crm_dataset *ds)
{
    size_t n = crm_dataset_nrows(ds);
    double *v = malloc((n + 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)i;
    ck_assert_ok(crm_dataset_add_number(ds, "rowid", v, n));
    free(v);
}

/* Cut points of k unequal chunks of n rows, chunk 1 empty when k >= 2: cut[0..k]. When
 * `key` is given, every cut is moved forward to a row where that text column changes. */
static void cuts(const crm_dataset *ds, size_t k, const char *key, size_t *cut)
{
    size_t n = crm_dataset_nrows(ds), tot = 0;
    for (size_t i = 0; i < k; i++)
        tot += (i == 1) ? 0 : (i % 3) + 1;
    cut[0] = 0;
    size_t acc = 0;
    for (size_t i = 0; i < k; i++) {
        acc += (i == 1) ? 0 : (i % 3) + 1;
        cut[i + 1] = i + 1 == k ? n : n * acc / tot;
    }
    if (!key) return;
    size_t col;
    ck_assert_ok(crm_dataset_column_index(ds, key, &col));
    for (size_t i = 1; i < k; i++) {
        size_t c = cut[i] < cut[i - 1] ? cut[i - 1] : cut[i];
        while (c > 0 && c < n) {
            const char *a, *b;
            ck_assert_ok(crm_dataset_get_text(ds, col, c - 1, &a));
            ck_assert_ok(crm_dataset_get_text(ds, col, c, &b));
            if (!a || !b || strcmp(a, b) != 0) break;
            c++;
        }
        cut[i] = c;
    }
}

static crm_dataset *chunk(const crm_dataset *ds, size_t a, size_t b)
{
    char expr[96];
    snprintf(expr, sizeof expr, "rowid >= %zu and rowid < %zu", a, b);
    crm_dataset *out = NULL;
    ck_assert_ok(crm_dataset_filter(ds, expr, &out));
    ck_assert_uint_eq(crm_dataset_nrows(out), b - a);
    return out;
}

/* s through bytes and back (the serialized form is stable: writing it again gives the same
 * bytes). Frees s. */
static crm_stats *through_bytes(crm_stats *s)
{
    size_t n = 0, n2 = 0;
    ck_assert_ok(crm_stats_serialized_size(s, &n));
    uint8_t *buf = malloc(n), *buf2 = NULL;
    ck_assert_ok(crm_stats_serialize(s, buf, n));
    crm_stats *back = NULL;
    ck_assert_ok(crm_stats_deserialize(buf, n, &back));
    ck_assert_ok(crm_stats_serialized_size(back, &n2));
    ck_assert_uint_eq(n, n2);
    buf2 = malloc(n2);
    ck_assert_ok(crm_stats_serialize(back, buf2, n2));
    ck_assert_mem_eq(buf, buf2, n);
    int64_t r1, r2;
    ck_assert_ok(crm_stats_rows(s, &r1));
    ck_assert_ok(crm_stats_rows(back, &r2));
    ck_assert_int_eq(r1, r2);
    free(buf);
    free(buf2);
    crm_stats_free(s);
    return back;
}

/* Merge parts[0..k) in a scrambled order (odd indices descending, then even ascending, as a
 * pairwise tree): the exact kinds must not care. Frees the parts; returns the total. */
static crm_stats *merge_all(crm_stats **parts, size_t k, int tree_in_order)
{
    if (tree_in_order) { /* partition order, pairwise: the reproducible order for doubles */
        for (size_t w = 1; w < k; w *= 2)
            for (size_t i = 0; i + w < k; i += 2 * w) {
                ck_assert_ok(crm_stats_merge(parts[i], parts[i + w]));
                crm_stats_free(parts[i + w]);
                parts[i + w] = NULL;
            }
        return parts[0];
    }
    size_t *ord = calloc(k, sizeof *ord), m = 0;
    for (size_t i = k; i-- > 0;)
        if (i % 2) ord[m++] = i;
    for (size_t i = 0; i < k; i += 2)
        ord[m++] = i;
    crm_stats *total = parts[ord[0]];
    for (size_t i = 1; i < k; i++) {
        ck_assert_ok(crm_stats_merge(total, parts[ord[i]]));
        crm_stats_free(parts[ord[i]]);
    }
    free(ord);
    return total;
}

/* Two datasets with the same columns (names, types) and the same bits. */
static void assert_same(const crm_dataset *a, const crm_dataset *b, const char *what)
{
    ck_assert_msg(crm_dataset_ncols(a) == crm_dataset_ncols(b), "%s: %zu vs %zu columns", what,
                  crm_dataset_ncols(a), crm_dataset_ncols(b));
    ck_assert_msg(crm_dataset_nrows(a) == crm_dataset_nrows(b), "%s: %zu vs %zu rows", what,
                  crm_dataset_nrows(a), crm_dataset_nrows(b));
    size_t n = crm_dataset_nrows(a);
    for (size_t c = 0; c < crm_dataset_ncols(a); c++) {
        const char *na, *nb;
        int32_t ta, tb;
        ck_assert_ok(crm_dataset_column_name(a, c, &na));
        ck_assert_ok(crm_dataset_column_name(b, c, &nb));
        ck_assert_str_eq(na, nb);
        ck_assert_ok(crm_dataset_column_type(a, c, &ta));
        ck_assert_ok(crm_dataset_column_type(b, c, &tb));
        ck_assert_msg(ta == tb, "%s: column %s types differ", what, na);
        for (size_t r = 0; r < n; r++) {
            if (ta == CRM_TYPE_TEXT) {
                const char *x, *y;
                ck_assert_ok(crm_dataset_get_text(a, c, r, &x));
                ck_assert_ok(crm_dataset_get_text(b, c, r, &y));
                ck_assert_msg((!x && !y) || (x && y && strcmp(x, y) == 0),
                              "%s: %s row %zu: \"%s\" vs \"%s\"", what, na, r, x ? x : "(missing)",
                              y ? y : "(missing)");
            } else if (ta == CRM_TYPE_TIME) {
                int64_t x, y;
                ck_assert_ok(crm_dataset_get_time(a, c, r, 1, &x));
                ck_assert_ok(crm_dataset_get_time(b, c, r, 1, &y));
                ck_assert_msg(x == y, "%s: %s row %zu differs", what, na, r);
            } else {
                double x, y;
                ck_assert_ok(crm_dataset_get_number(a, c, r, 1, &x));
                ck_assert_ok(crm_dataset_get_number(b, c, r, 1, &y));
                ck_assert_msg(memcmp(&x, &y, sizeof x) == 0 || (isnan(x) && isnan(y)),
                              "%s: %s row %zu: %.17g vs %.17g", what, na, r, x, y);
            }
        }
    }
}

/* Clean shop transactions with an amount column and row ids. */
static crm_dataset *shop(int64_t customers)
{
    crm_synth_options so;
    ck_assert_ok(crm_synth_options_init(&so, sizeof so));
    so.customers = customers;
    so.days = 365;
    so.seed = 11;
    so.dirt = 0;
    crm_dataset *raw = NULL, *tx = NULL;
    ck_assert_ok(crm_synth_transactions(&so, &raw));
    ck_assert_ok(crm_dataset_filter(
        raw, "CustomerID is not missing and Quantity > 0 and UnitPrice > 0", &tx));
    crm_dataset_free(raw);
    ck_assert_ok(crm_dataset_mutate(tx, "amount", "Quantity * UnitPrice"));
    add_rowid(tx);
    return tx;
}

/* ---- RFM ------------------------------------------------------------------------------ */

static void rfm_case(const crm_dataset *tx, const crm_rfm_options *o, const char *what)
{
    crm_dataset *one = NULL;
    ck_assert_ok(crm_rfm(tx, o, &one));
    for (int s = 0; s < NSPLITS; s++) {
        size_t k = nchunks[s], cut[17];
        cuts(tx, k, NULL, cut);
        crm_stats *parts[16];
        for (size_t i = 0; i < k; i++) {
            crm_dataset *c = chunk(tx, cut[i], cut[i + 1]);
            ck_assert_ok(crm_rfm_stats_compute(c, o, &parts[i]));
            parts[i] = through_bytes(parts[i]);
            crm_dataset_free(c);
        }
        crm_stats *total = merge_all(parts, k, 0);
        ck_assert_int_eq(crm_stats_get_kind(total), CRM_STATS_RFM);
        crm_dataset *dist = NULL;
        ck_assert_ok(crm_rfm_stats_finalize(total, o, &dist));
        char w[80];
        snprintf(w, sizeof w, "RFM %s, %zu chunks", what, k);
        assert_same(dist, one, w);
        crm_dataset_free(dist);
        crm_stats_free(total);
    }
    crm_dataset_free(one);
}

START_TEST(test_rfm_chunks)
{
    crm_dataset *tx = shop(150);
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.amount = "amount";
    o.invoice = "InvoiceNo"; /* invoices span chunk boundaries: the ids travel */
    rfm_case(tx, &o, "amount+invoice");
    o.invoice = NULL;
    o.amount = NULL;
    o.quantity = "Quantity";
    o.price = "UnitPrice";
    o.bins = 4;
    rfm_case(tx, &o, "quantity*price, lines");
    o.customer = "Country"; /* text customers */
    o.invoice = "InvoiceNo";
    rfm_case(tx, &o, "text customer");
    crm_dataset_free(tx);
}
END_TEST

/* ---- group-by ------------------------------------------------------------------------- */

START_TEST(test_group_chunks)
{
    crm_dataset *tx = shop(120);
    static const char *const keys2[] = {"Country", "CustomerID"};
    static const char *const aggs[] = {"sum(amount)",      "mean(amount)", "min(UnitPrice)",
                                       "max(Quantity)",    "count(amount)", "n=count()",
                                       "mean(Quantity)"};
    for (size_t nk = 1; nk <= 2; nk++) {
        crm_dataset *one = NULL;
        ck_assert_ok(crm_dataset_group(tx, keys2, nk, aggs, 7, &one));
        for (int s = 0; s < NSPLITS; s++) {
            size_t k = nchunks[s], cut[17];
            cuts(tx, k, NULL, cut);
            crm_stats *parts[16];
            for (size_t i = 0; i < k; i++) {
                crm_dataset *c = chunk(tx, cut[i], cut[i + 1]);
                ck_assert_ok(crm_group_stats_compute(c, keys2, nk, aggs, 7, &parts[i]));
                parts[i] = through_bytes(parts[i]);
                crm_dataset_free(c);
            }
            crm_stats *total = merge_all(parts, k, 0);
            crm_dataset *dist = NULL;
            ck_assert_ok(crm_group_stats_finalize(total, &dist));
            assert_same(dist, one, "group-by");
            crm_dataset_free(dist);
            crm_stats_free(total);
        }
        crm_dataset_free(one);
    }
    crm_dataset_free(tx);
}
END_TEST

/* var: the same bits for every split, and the two-pass value to 1e-13 relative. */
START_TEST(test_group_var)
{
    crm_dataset *tx = shop(60);
    static const char *const keys[] = {"Country"};
    static const char *const aggs[] = {"v=var(amount)", "c=count(amount)", "m=mean(amount)"};
    crm_dataset *ref = NULL;
    for (int s = 0; s < NSPLITS; s++) {
        size_t k = nchunks[s], cut[17];
        cuts(tx, k, NULL, cut);
        crm_stats *parts[16];
        for (size_t i = 0; i < k; i++) {
            crm_dataset *c = chunk(tx, cut[i], cut[i + 1]);
            ck_assert_ok(crm_group_stats_compute(c, keys, 1, aggs, 3, &parts[i]));
            crm_dataset_free(c);
        }
        crm_stats *total = merge_all(parts, k, 0);
        crm_dataset *dist = NULL;
        ck_assert_ok(crm_group_stats_finalize(total, &dist));
        if (!ref) ref = dist;
        else {
            assert_same(dist, ref, "group var");
            crm_dataset_free(dist);
        }
        crm_stats_free(total);
    }
    /* two-pass check of every group's variance */
    size_t ng = crm_dataset_nrows(ref), ca, cc;
    ck_assert_ok(crm_dataset_column_index(tx, "amount", &ca));
    ck_assert_ok(crm_dataset_column_index(tx, "Country", &cc));
    for (size_t g = 0; g < ng; g++) {
        const char *country;
        double v, m;
        ck_assert_ok(crm_dataset_get_text(ref, 0, g, &country));
        ck_assert_ok(crm_dataset_get_number(ref, 1, g, 1, &v));
        ck_assert_ok(crm_dataset_get_number(ref, 3, g, 1, &m));
        double ss = 0;
        size_t cnt = 0;
        for (size_t r = 0; r < crm_dataset_nrows(tx); r++) {
            const char *cr;
            double x;
            ck_assert_ok(crm_dataset_get_text(tx, cc, r, &cr));
            ck_assert_ok(crm_dataset_get_number(tx, ca, r, 1, &x));
            if (strcmp(cr, country) == 0) {
                ss += (x - m) * (x - m);
                cnt++;
            }
        }
        if (cnt < 2) {
            ck_assert(isnan(v));
            continue;
        }
        double want = ss / (double)(cnt - 1);
        ck_assert_msg(fabs(v - want) <= 1e-12 * want, "var of %s: %.17g vs two-pass %.17g",
                      country, v, want);
    }
    crm_dataset_free(ref);
    crm_dataset_free(tx);
}
END_TEST

/* ---- k-means -------------------------------------------------------------------------- */

/* Three blobs in 3-d, 600 rows, from a fixed LCG. */
static crm_dataset *blobs(void)
{
    enum { N = 600, D = 3 };
    static double x[D][N];
    uint64_t s = 12345;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) / 9007199254740992.0;
            x[j][i] = (double)(i % 3) * 4.0 * (j == i % 3 ? 1.0 : 0.3) + (u - 0.5) * 3.0;
        }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "a", x[0], N));
    ck_assert_ok(crm_dataset_add_number(ds, "b", x[1], N));
    ck_assert_ok(crm_dataset_add_number(ds, "c", x[2], N));
    add_rowid(ds);
    return ds;
}

static void rel_close(double got, double want, double tol, const char *what, size_t i)
{
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1.0;
    ck_assert_msg(fabs(got - want) <= tol * scale, "%s %zu: %.17g vs %.17g (rel %.3g)", what, i,
                  got, want, fabs(got - want) / scale);
}

START_TEST(test_kmeans_chunks)
{
    crm_dataset *ds = blobs();
    static const char *const cols[] = {"a", "b", "c"};
    enum { K = 3, D = 3 };
    double init[K * D];
    for (size_t c = 0; c < K; c++) /* rows 0, 1, 2: one of each blob */
        for (size_t j = 0; j < D; j++)
            ck_assert_ok(crm_dataset_get_number(ds, j, c * 7, 1, &init[c * D + j]));
    crm_kmeans_options ko;
    ck_assert_ok(crm_kmeans_options_init(&ko, sizeof ko));
    ko.k = K;
    ko.init = CRM_KMEANS_INIT_GIVEN;
    ko.init_centers = init;
    ko.tol = 0;
    ko.max_iter = 300;
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, cols, D, &ko, &m));
    crm_dataset *sum = NULL, *lab = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    ck_assert_ok(crm_dataset_clone(ds, &lab));
    ck_assert_ok(crm_model_predict(m, lab, "cluster"));
    double inertia;
    ck_assert_ok(crm_model_stat(m, "inertia", &inertia));
    for (int s = 0; s < NSPLITS; s++) {
        size_t k = nchunks[s], cut[17];
        cuts(ds, k, NULL, cut);
        double C[K * D], next[K * D];
        memcpy(C, init, sizeof C);
        crm_stats *total = NULL;
        for (int it = 0; it < 300; it++) {
            crm_stats *parts[16];
            for (size_t i = 0; i < k; i++) {
                crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
                ck_assert_ok(crm_kmeans_stats_compute(c, cols, D, C, K * D, K, &parts[i]));
                parts[i] = through_bytes(parts[i]);
                crm_dataset_free(c);
            }
            crm_stats_free(total);
            total = merge_all(parts, k, 0);
            ck_assert_ok(crm_kmeans_stats_update(total, next, K * D));
            if (memcmp(next, C, sizeof C) == 0) break;
            memcpy(C, next, sizeof C);
        }
        /* centers (summary columns a, b, c in original units), sizes, inertia */
        double counts[K], in;
        ck_assert_ok(crm_stats_values(total, "counts", counts, K));
        ck_assert_ok(crm_stats_values(total, "inertia", &in, 1));
        for (size_t c = 0; c < K; c++) {
            double size;
            ck_assert_ok(crm_dataset_get_number(sum, 1, c, 1, &size));
            ck_assert_double_eq(size, counts[c]);
            for (size_t j = 0; j < D; j++) {
                double want;
                ck_assert_ok(crm_dataset_get_number(sum, 3 + j, c, 1, &want));
                rel_close(C[c * D + j], want, 1e-12, "center value", c * D + j);
            }
        }
        rel_close(in, inertia, 1e-12, "inertia", 0);
        /* identical labels: nearest final center per row vs the model's prediction */
        size_t lc;
        ck_assert_ok(crm_dataset_column_index(lab, "cluster", &lc));
        crm_kmeans_options po;
        ck_assert_ok(crm_kmeans_options_init(&po, sizeof po));
        for (size_t r = 0; r < crm_dataset_nrows(ds); r++) {
            double x[D], best = INFINITY, want;
            size_t arg = 0;
            for (size_t j = 0; j < D; j++)
                ck_assert_ok(crm_dataset_get_number(ds, j, r, 1, &x[j]));
            for (size_t c = 0; c < K; c++) {
                double d2 = 0;
                for (size_t j = 0; j < D; j++)
                    d2 += (x[j] - C[c * D + j]) * (x[j] - C[c * D + j]);
                if (d2 < best) best = d2, arg = c;
            }
            ck_assert_ok(crm_dataset_get_number(lab, lc, r, 1, &want));
            ck_assert_msg((double)arg == want, "row %zu: label %zu vs %g", r, arg, want);
        }
        crm_stats_free(total);
    }
    crm_dataset_free(sum);
    crm_dataset_free(lab);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* k-means||: the candidates depend on the rows, seed and chunk indices only. */
START_TEST(test_kmeans_candidates)
{
    crm_dataset *ds = blobs();
    static const char *const cols[] = {"a", "b", "c"};
    size_t cut[8];
    cuts(ds, 7, NULL, cut);
    double first[3];
    crm_stats *parts[7], *again[7];
    for (int round = 0; round < 2; round++) {
        crm_stats **p = round ? again : parts;
        for (size_t i = 0; i < 7; i++) {
            crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
            ck_assert_ok(crm_kmeans_stats_candidates(c, cols, 3, NULL, 0, 0, 2.0, 0, 99,
                                                     (int64_t)i, &p[i]));
            crm_dataset_free(c);
        }
    }
    crm_stats *a = merge_all(parts, 7, 0), *b = merge_all(again, 7, 1);
    size_t na, nb;
    ck_assert_ok(crm_stats_value_count(a, "candidates", &na));
    ck_assert_ok(crm_stats_value_count(b, "candidates", &nb));
    ck_assert_uint_eq(na, 6 * 3); /* one uniform row per non-empty chunk */
    ck_assert_uint_eq(na, nb);
    double *va = malloc(na * sizeof *va), *vb = malloc(nb * sizeof *vb);
    ck_assert_ok(crm_stats_values(a, "candidates", va, na));
    ck_assert_ok(crm_stats_values(b, "candidates", vb, nb));
    ck_assert_mem_eq(va, vb, na * sizeof *va);
    memcpy(first, va, sizeof first);
    /* a further round at one center: the cost and a scheduling-independent sample */
    crm_stats *r1[7];
    double cost = 0;
    for (size_t i = 0; i < 7; i++) {
        crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
        ck_assert_ok(crm_kmeans_stats_compute(c, cols, 3, first, 3, 1, &r1[i]));
        crm_dataset_free(c);
    }
    crm_stats *t = merge_all(r1, 7, 0);
    ck_assert_ok(crm_stats_values(t, "inertia", &cost, 1));
    ck_assert(cost > 0);
    crm_stats *c2[7];
    for (size_t i = 0; i < 7; i++) {
        crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
        ck_assert_ok(crm_kmeans_stats_candidates(c, cols, 3, first, 3, 1, 6.0, cost, 100,
                                                 (int64_t)i, &c2[i]));
        crm_dataset_free(c);
    }
    crm_stats *t2 = merge_all(c2, 7, 0);
    double got_cost;
    ck_assert_ok(crm_stats_values(t2, "cost", &got_cost, 1));
    ck_assert_double_eq(got_cost, cost); /* exact sums: same bits */
    size_t m;
    ck_assert_ok(crm_stats_value_count(t2, "weights", &m));
    ck_assert(m >= 1 && m <= 30);
    crm_stats_free(t2);
    crm_stats_free(t);
    free(va);
    free(vb);
    crm_stats_free(a);
    crm_stats_free(b);
    crm_dataset_free(ds);
}
END_TEST

/* ---- regression ----------------------------------------------------------------------- */

static crm_dataset *reg_data(void)
{
    enum { N = 800 };
    static double x1[N], x2[N], y[N], yl[N];
    static const char *x3[N];
    static const char *const lv[] = {"north", "south", "west"};
    uint64_t s = 777;
    for (size_t i = 0; i < N; i++) {
        double u[4];
        for (int j = 0; j < 4; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[j] = (double)(s >> 11) / 9007199254740992.0;
        }
        x1[i] = u[0] * 4 - 2;
        x2[i] = u[1] * 10;
        x3[i] = lv[i % 3];
        double eta = -0.5 + 1.2 * x1[i] - 0.15 * x2[i] + (i % 3 == 1 ? 0.8 : i % 3 == 2 ? -0.4 : 0);
        y[i] = u[2] < 1.0 / (1.0 + exp(-eta)) ? 1.0 : 0.0;
        yl[i] = 3.0 + 2.0 * x1[i] - 0.7 * x2[i] + (i % 3 == 1 ? 1.5 : 0) + (u[3] - 0.5);
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x1", x1, N));
    ck_assert_ok(crm_dataset_add_number(ds, "x2", x2, N));
    ck_assert_ok(crm_dataset_add_text(ds, "x3", x3, N));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, N));
    ck_assert_ok(crm_dataset_add_number(ds, "yl", yl, N));
    add_rowid(ds);
    return ds;
}

static const char *const reg_feats[] = {"x1", "x2", "x3"};

/* merged levels of the chunks */
static crm_stats *levels_of(const crm_dataset *ds, const size_t *cut, size_t k)
{
    crm_stats *parts[16];
    for (size_t i = 0; i < k; i++) {
        crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
        ck_assert_ok(crm_levels_stats_compute(c, reg_feats, 3, &parts[i]));
        parts[i] = through_bytes(parts[i]);
        crm_dataset_free(c);
    }
    return merge_all(parts, k, 0);
}

static void estimates(const crm_model *m, double *out, size_t p)
{
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(m, &sum));
    ck_assert_uint_eq(crm_dataset_nrows(sum), p);
    size_t ce;
    ck_assert_ok(crm_dataset_column_index(sum, "estimate", &ce));
    ck_assert_ok(crm_dataset_get_number(sum, ce, 0, p, out));
    crm_dataset_free(sum);
}

START_TEST(test_logreg_chunks)
{
    crm_dataset *ds = reg_data();
    crm_model *m = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "y", reg_feats, 3, NULL, &m));
    double want[5];
    estimates(m, want, 5);
    for (int s = 0; s < NSPLITS; s++) {
        size_t k = nchunks[s], cut[17], p;
        cuts(ds, k, NULL, cut);
        crm_stats *lv = levels_of(ds, cut, k);
        ck_assert_ok(crm_levels_stats_terms(lv, 1, &p));
        ck_assert_uint_eq(p, 5);
        double b[5] = {0}, nb[5];
        for (int it = 0; it < 50; it++) {
            crm_stats *parts[16];
            for (size_t i = 0; i < k; i++) {
                crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
                ck_assert_ok(
                    crm_logreg_stats_compute(c, "y", reg_feats, 3, lv, NULL, b, 5, &parts[i]));
                parts[i] = through_bytes(parts[i]);
                crm_dataset_free(c);
            }
            crm_stats *total = merge_all(parts, k, 1);
            ck_assert_ok(crm_logreg_stats_step(total, NULL, nb, 5));
            crm_stats_free(total);
            int same = memcmp(b, nb, sizeof b) == 0;
            double ch = 0;
            for (int j = 0; j < 5; j++)
                ch = fmax(ch, fabs(nb[j] - b[j]) / fmax(fabs(nb[j]), 1e-3));
            memcpy(b, nb, sizeof b);
            if (same || (it > 3 && ch < 1e-15)) break;
        }
        for (size_t j = 0; j < 5; j++)
            rel_close(b[j], want[j], 1e-12, "logistic coefficient", j);
        crm_stats_free(lv);
    }
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_linreg_chunks)
{
    crm_dataset *ds = reg_data();
    crm_model *m = NULL;
    ck_assert_ok(crm_linreg_fit(ds, "yl", reg_feats, 3, NULL, &m));
    double want[5];
    estimates(m, want, 5);
    for (int s = 0; s < NSPLITS; s++) {
        size_t k = nchunks[s], cut[17];
        cuts(ds, k, NULL, cut);
        crm_stats *lv = levels_of(ds, cut, k), *parts[16];
        for (size_t i = 0; i < k; i++) {
            crm_dataset *c = chunk(ds, cut[i], cut[i + 1]);
            ck_assert_ok(crm_linreg_stats_compute(c, "yl", reg_feats, 3, lv, NULL, &parts[i]));
            parts[i] = through_bytes(parts[i]);
            crm_dataset_free(c);
        }
        crm_stats *total = merge_all(parts, k, 1);
        double b[5];
        ck_assert_ok(crm_linreg_stats_solve(total, NULL, b, 5));
        for (size_t j = 0; j < 5; j++)
            rel_close(b[j], want[j], 1e-12, "linear coefficient", j);
        crm_stats_free(total);
        crm_stats_free(lv);
    }
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

/* ---- Apriori (SON) -------------------------------------------------------------------- */

START_TEST(test_apriori_chunks)
{
    crm_dataset *tx = shop(200);
    crm_apriori_options o;
    ck_assert_ok(crm_apriori_options_init(&o, sizeof o));
    o.min_support = 0.02;
    o.min_confidence = 0.05;
    o.max_len = 3; /* a chunk of a few invoices makes every subset locally frequent */
    crm_dataset *want_sets = NULL, *want_rules = NULL;
    ck_assert_ok(crm_apriori(tx, "InvoiceNo", "Description", &o, &want_sets, &want_rules));
    ck_assert(crm_dataset_nrows(want_rules) > 0);
    for (int s = 0; s < NSPLITS; s++) {
        size_t k = nchunks[s], cut[17];
        cuts(tx, k, "InvoiceNo", cut); /* a transaction stays in one chunk */
        crm_stats *parts[16], *counts[16];
        for (size_t i = 0; i < k; i++) {
            crm_dataset *c = chunk(tx, cut[i], cut[i + 1]);
            ck_assert_ok(crm_apriori_stats_local(c, "InvoiceNo", "Description", &o, &parts[i]));
            parts[i] = through_bytes(parts[i]);
            crm_dataset_free(c);
        }
        crm_stats *cand = merge_all(parts, k, 0);
        for (size_t i = 0; i < k; i++) {
            crm_dataset *c = chunk(tx, cut[i], cut[i + 1]);
            ck_assert_ok(crm_apriori_stats_count(c, "InvoiceNo", "Description", cand, &counts[i]));
            counts[i] = through_bytes(counts[i]);
            crm_dataset_free(c);
        }
        crm_stats *total = merge_all(counts, k, 0);
        crm_dataset *sets = NULL, *rules = NULL;
        ck_assert_ok(crm_apriori_stats_finalize(total, &o, &sets, &rules));
        assert_same(sets, want_sets, "Apriori itemsets");
        assert_same(rules, want_rules, "Apriori rules");
        crm_dataset_free(sets);
        crm_dataset_free(rules);
        crm_stats_free(total);
        crm_stats_free(cand);
    }
    crm_dataset_free(want_sets);
    crm_dataset_free(want_rules);
    crm_dataset_free(tx);
}
END_TEST

/* ---- bytes and merge errors ------------------------------------------------------------ */

static crm_stats *small_kmeans(double shift)
{
    crm_dataset *ds = blobs();
    static const char *const cols[] = {"a", "b", "c"};
    double C[6] = {0, 0, 0, 4 + shift, 1, 1};
    crm_stats *s = NULL;
    ck_assert_ok(crm_kmeans_stats_compute(ds, cols, 3, C, 6, 2, &s));
    crm_dataset_free(ds);
    return s;
}

static uint8_t *bytes_of(const crm_stats *s, size_t *n)
{
    ck_assert_ok(crm_stats_serialized_size(s, n));
    uint8_t *b = malloc(*n);
    ck_assert_ok(crm_stats_serialize(s, b, *n));
    return b;
}

/* FNV-1a 64 of the bytes before the trailer, written into the trailer (what a forger with a
 * valid checksum would do: the parser must still stay inside the buffer). */
static void reseal(uint8_t *b, size_t n)
{
    /* the format-2 checksum: little-endian words, the last zero-padded, length mixed in */
    size_t m = n - 8;
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)m;
    for (size_t i = 0;; i += 8) {
        uint64_t w = 0;
        size_t k = m - i < 8 ? m - i : 8;
        for (size_t j = 0; j < k; j++)
            w |= (uint64_t)b[i + j] << (8 * j);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        if (k < 8) break;
    }
    for (int i = 0; i < 8; i++)
        b[n - 8 + i] = (uint8_t)(h >> (8 * i));
}

START_TEST(test_version_refused)
{
    crm_stats *s = small_kmeans(0), *back = NULL;
    size_t n;
    uint8_t *b = bytes_of(s, &n);
    b[12] ^= 1; /* library version number */
    reseal(b, n);
    ck_assert_error(crm_stats_deserialize(b, n, &back), CRM_E_FORMAT);
    ck_assert_ptr_null(back);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "same library version"));
    b[12] ^= 1;
    b[8] = 1; /* format version 1 (before the word checksum): refused */
    reseal(b, n);
    ck_assert_error(crm_stats_deserialize(b, n, &back), CRM_E_FORMAT);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "format version 1, this library reads 2"));
    b[8] = 3;
    reseal(b, n);
    ck_assert_error(crm_stats_deserialize(b, n, &back), CRM_E_FORMAT);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "format version 3"));
    b[8] = CRM_STATS_FORMAT_VERSION;
    b[16] = 77; /* kind */
    reseal(b, n);
    ck_assert_error(crm_stats_deserialize(b, n, &back), CRM_E_FORMAT);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "kind"));
    b[16] = CRM_STATS_KMEANS;
    b[0] = 'X';
    ck_assert_error(crm_stats_deserialize(b, n, &back), CRM_E_FORMAT);
    free(b);
    crm_stats_free(s);
}
END_TEST

/* Every truncation and every single-byte change, with and without a valid checksum: refused
 * or read, never a read outside the buffer (ASan/valgrind runs catch that). */
START_TEST(test_corrupt_buffers)
{
    crm_stats *all[3] = {small_kmeans(0), NULL, NULL};
    crm_dataset *tx = shop(8);
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.amount = "amount";
    o.invoice = "InvoiceNo";
    ck_assert_ok(crm_rfm_stats_compute(tx, &o, &all[1]));
    static const char *const keys[] = {"Country"};
    static const char *const aggs[] = {"var(amount)", "count()"};
    ck_assert_ok(crm_group_stats_compute(tx, keys, 1, aggs, 2, &all[2]));
    for (int w = 0; w < 3; w++) {
        size_t n;
        uint8_t *b = bytes_of(all[w], &n);
        crm_stats *back = NULL;
        for (size_t len = 0; len < n; len++) {
            uint8_t *cp = malloc(len ? len : 1);
            memcpy(cp, b, len);
            ck_assert_error(crm_stats_deserialize(cp, len, &back), CRM_E_FORMAT);
            free(cp);
        }
        size_t step = n > 4000 ? n / 2000 : 1;
        for (size_t i = 0; i < n; i += step) {
            uint8_t *cp = malloc(n);
            memcpy(cp, b, n);
            cp[i] ^= 0x5a;
            ck_assert_error(crm_stats_deserialize(cp, n, &back), CRM_E_FORMAT);
            if (i >= 44 && i + 8 < n) { /* payload byte under a valid checksum */
                reseal(cp, n);
                crm_status st = crm_stats_deserialize(cp, n, &back);
                ck_assert(st == CRM_OK || st == CRM_E_FORMAT || st == CRM_E_NOMEM);
                crm_stats_free(back);
                back = NULL;
            }
            free(cp);
        }
        free(b);
        crm_stats_free(all[w]);
    }
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_merge_errors)
{
    crm_stats *a = small_kmeans(0), *b = small_kmeans(1), *c = NULL;
    ck_assert_error(crm_stats_merge(a, b), CRM_E_STATE); /* other centers */
    ck_assert_error(crm_stats_merge(a, a), CRM_E_INVALID);
    ck_assert_error(crm_stats_merge(a, NULL), CRM_E_INVALID);
    crm_dataset *ds = blobs();
    static const char *const f[] = {"a"};
    ck_assert_ok(crm_levels_stats_compute(ds, f, 1, &c));
    ck_assert_error(crm_stats_merge(a, c), CRM_E_TYPE);
    /* a failed merge leaves `into` as it was */
    double before[2], after[2];
    ck_assert_ok(crm_stats_values(a, "counts", before, 2));
    ck_assert_ok(crm_stats_values(a, "counts", after, 2));
    ck_assert_mem_eq(before, after, sizeof before);
    double out[6];
    ck_assert_error(crm_kmeans_stats_update(c, out, 6), CRM_E_TYPE);
    ck_assert_error(crm_kmeans_stats_update(a, out, 5), CRM_E_INVALID);
    ck_assert_error(crm_stats_values(a, "nope", out, 1), CRM_E_NOTFOUND);
    crm_dataset *res = NULL;
    ck_assert_error(crm_group_stats_finalize(a, &res), CRM_E_TYPE);
    ck_assert_ptr_null(res);
    ck_assert_int_eq(crm_stats_get_kind(NULL), 0);
    crm_stats_free(NULL);
    crm_stats_free(a);
    crm_stats_free(b);
    crm_stats_free(c);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_rows_named)
{
    crm_dataset *ds = blobs();
    double nan_row[600];
    ck_assert_ok(crm_dataset_get_number(ds, 0, 0, 600, nan_row));
    nan_row[17] = NAN;
    ck_assert_ok(crm_dataset_add_number(ds, "an", nan_row, 600));
    static const char *const cols[] = {"an", "b"};
    double C[2] = {0, 0};
    crm_stats *s = NULL;
    ck_assert_error(crm_kmeans_stats_compute(ds, cols, 2, C, 2, 1, &s), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 17"));
    crm_dataset *tx = shop(5);
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.amount = "Quantity";
    ck_assert_ok(crm_dataset_mutate(tx, "Quantity", "Quantity - 3"));
    ck_assert_error(crm_rfm_stats_compute(tx, &o, &s), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row "));
    crm_dataset_free(tx);
    crm_dataset_free(ds);
}
END_TEST

/* crm_stats_merge_buffers: the partitions' buffers back to back, merged in one call (a tree
 * in buffer order), give crm_rfm's table bit for bit; a bad buffer is named. */
START_TEST(test_merge_buffers)
{
    crm_dataset *tx = shop(150), *one = NULL;
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.amount = "amount";
    o.invoice = "InvoiceNo";
    ck_assert_ok(crm_rfm(tx, &o, &one));
    for (int sp = 0; sp < NSPLITS; sp++) {
        size_t k = nchunks[sp], cut[17], total_n = 0;
        cuts(tx, k, NULL, cut);
        uint8_t *all = NULL;
        int64_t lens[16];
        for (size_t i = 0; i < k; i++) {
            crm_dataset *c = chunk(tx, cut[i], cut[i + 1]);
            crm_stats *st = NULL;
            size_t n = 0;
            ck_assert_ok(crm_rfm_stats_compute(c, &o, &st));
            ck_assert_ok(crm_stats_serialized_size(st, &n));
            all = realloc(all, total_n + n);
            ck_assert_ok(crm_stats_serialize(st, all + total_n, n));
            lens[i] = (int64_t)n;
            total_n += n;
            crm_stats_free(st);
            crm_dataset_free(c);
        }
        crm_stats *total = NULL;
        ck_assert_ok(crm_stats_merge_buffers(all, lens, k, &total));
        crm_dataset *dist = NULL;
        ck_assert_ok(crm_rfm_stats_finalize(total, &o, &dist));
        assert_same(dist, one, "RFM through crm_stats_merge_buffers");
        crm_dataset_free(dist);
        crm_stats_free(total);
        if (k >= 2) { /* a corrupted second buffer: refused, named */
            all[lens[0] + 30] ^= 0x40;
            ck_assert_error(crm_stats_merge_buffers(all, lens, k, &total), CRM_E_FORMAT);
            ck_assert_ptr_null(total);
            ck_assert_ptr_nonnull(strstr(crm_last_error(), "buffer 1"));
        }
        ck_assert_error(crm_stats_merge_buffers(all, lens, 0, &total), CRM_E_INVALID);
        free(all);
    }
    crm_dataset_free(one);
    crm_dataset_free(tx);
}
END_TEST

Suite *crm_stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 300);
    tcase_add_test(core, test_rfm_chunks);
    tcase_add_test(core, test_group_chunks);
    tcase_add_test(core, test_group_var);
    tcase_add_test(core, test_kmeans_chunks);
    tcase_add_test(core, test_kmeans_candidates);
    tcase_add_test(core, test_logreg_chunks);
    tcase_add_test(core, test_linreg_chunks);
    tcase_add_test(core, test_apriori_chunks);
    tcase_add_test(core, test_merge_buffers);
    suite_add_tcase(s, core);
    TCase *bad = tcase_create("bad");
    tcase_set_timeout(bad, 300);
    tcase_add_test(bad, test_version_refused);
    tcase_add_test(bad, test_corrupt_buffers);
    tcase_add_test(bad, test_merge_errors);
    tcase_add_test(bad, test_bad_rows_named);
    suite_add_tcase(s, bad);
    return s;
}
