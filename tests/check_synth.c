/* crm_synth_transactions: schema, determinism, realism (seasonality, heavy
 * tails, co-purchase affinity), dirt proportions, options and limits. */
#include "core/internal.h"
#include "test_util.h"

#include <math.h>

/* Summary of crm_synth_transactions(NULL): rows, exact sum of Quantity, exact
 * sum of UnitPrice, last InvoiceDate. Must be the same on every platform. */
#define CRM_SYNTH_GOLDEN "35599 267680 522636.59999999998 1704043200"

/* ---- helpers ---------------------------------------------------------------- */

enum { C_INV, C_CODE, C_DESC, C_QTY, C_DATE, C_PRICE, C_CUST, C_COUNTRY, NCOL };

typedef struct tab {
    size_t n;
    const char **inv, **code, **desc, **country;
    int32_t *inv_id, *code_id; /* dictionary codes */
    size_t ncodes;
    double *qty, *price, *cust;
    int64_t *time;
} tab;

static void tab_load(const crm_dataset *ds, tab *t)
{
    memset(t, 0, sizeof *t);
    ck_assert_uint_eq(crm_dataset_ncols(ds), NCOL);
    size_t n = t->n = crm_dataset_nrows(ds);
    size_t m = n ? n : 1;
    t->inv = calloc(m, sizeof *t->inv);
    t->code = calloc(m, sizeof *t->code);
    t->desc = calloc(m, sizeof *t->desc);
    t->country = calloc(m, sizeof *t->country);
    t->inv_id = calloc(m, sizeof *t->inv_id);
    t->code_id = calloc(m, sizeof *t->code_id);
    t->qty = calloc(m, sizeof *t->qty);
    t->price = calloc(m, sizeof *t->price);
    t->cust = calloc(m, sizeof *t->cust);
    t->time = calloc(m, sizeof *t->time);
    ck_assert_ptr_nonnull(t->time);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ok(crm_dataset_get_text(ds, C_INV, i, &t->inv[i]));
        ck_assert_ok(crm_dataset_get_text(ds, C_CODE, i, &t->code[i]));
        ck_assert_ok(crm_dataset_get_text(ds, C_DESC, i, &t->desc[i]));
        ck_assert_ok(crm_dataset_get_text(ds, C_COUNTRY, i, &t->country[i]));
    }
    ck_assert_ok(crm_dataset_get_codes(ds, C_INV, 0, n, t->inv_id));
    ck_assert_ok(crm_dataset_get_codes(ds, C_CODE, 0, n, t->code_id));
    ck_assert_ok(crm_dataset_text_levels(ds, C_CODE, &t->ncodes));
    ck_assert_ok(crm_dataset_get_number(ds, C_QTY, 0, n, t->qty));
    ck_assert_ok(crm_dataset_get_time(ds, C_DATE, 0, n, t->time));
    ck_assert_ok(crm_dataset_get_number(ds, C_PRICE, 0, n, t->price));
    ck_assert_ok(crm_dataset_get_number(ds, C_CUST, 0, n, t->cust));
}

static void tab_free(tab *t)
{
    free(t->inv);
    free(t->code);
    free(t->desc);
    free(t->country);
    free(t->inv_id);
    free(t->code_id);
    free(t->qty);
    free(t->price);
    free(t->cust);
    free(t->time);
}

static crm_dataset *synth(int64_t customers, uint64_t seed, double dirt)
{
    crm_synth_options o;
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    o.customers = customers;
    o.seed = seed;
    o.dirt = dirt;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_synth_transactions(&o, &ds));
    ck_assert_ptr_nonnull(ds);
    return ds;
}

static int64_t day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* 0 = Monday ... 5 = Saturday, 6 = Sunday */
static int weekday_of(int64_t t)
{
    int64_t d = day_of(t);
    return (int)(((d % 7) + 7 + 3) % 7);
}

static int month_of(int64_t t)
{
    int64_t y, m, d;
    crm__civil_from_days(day_of(t), &y, &m, &d);
    return (int)m;
}

static int is_cancel(const char *inv)
{
    return inv[0] == 'C';
}

static int same_num(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Full-row order, used to count exact duplicates. */
static const tab *g_tab;
static int cmp_rows(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const tab *t = g_tab;
    int c;
    if ((c = strcmp(t->inv[a], t->inv[b]))) return c;
    if ((c = strcmp(t->code[a], t->code[b]))) return c;
    if ((c = strcmp(t->desc[a], t->desc[b]))) return c;
    if ((c = strcmp(t->country[a], t->country[b]))) return c;
    if (t->time[a] != t->time[b]) return t->time[a] < t->time[b] ? -1 : 1;
    const double *cols[3] = {t->qty, t->price, t->cust};
    for (int k = 0; k < 3; k++) {
        double x = cols[k][a], y = cols[k][b];
        if (same_num(x, y)) continue;
        if (isnan(x)) return 1;
        if (isnan(y)) return -1;
        return x < y ? -1 : 1;
    }
    return 0;
}

/* Number of rows that are exact copies of another row. */
static size_t count_duplicates(const tab *t)
{
    size_t *idx = malloc((t->n ? t->n : 1) * sizeof *idx);
    ck_assert_ptr_nonnull(idx);
    for (size_t i = 0; i < t->n; i++)
        idx[i] = i;
    g_tab = t;
    qsort(idx, t->n, sizeof *idx, cmp_rows);
    size_t dups = 0;
    for (size_t i = 1; i < t->n; i++)
        dups += cmp_rows(&idx[i - 1], &idx[i]) == 0;
    free(idx);
    return dups;
}

static size_t count_invoices(const tab *t, size_t *missing_id, size_t *cancels)
{
    size_t n = 0, miss = 0, canc = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (i > 0 && t->inv_id[i] == t->inv_id[i - 1]) continue;
        n++;
        miss += isnan(t->cust[i]) != 0;
        canc += is_cancel(t->inv[i]) != 0;
    }
    if (missing_id) *missing_id = miss;
    if (cancels) *cancels = canc;
    return n;
}

static int cmp_desc_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* ---- core ------------------------------------------------------------------- */

START_TEST(test_schema)
{
    crm_dataset *ds = synth(1000, 0, 1.0);
    static const char *names[NCOL] = {"InvoiceNo",   "StockCode", "Description", "Quantity",
                                      "InvoiceDate", "UnitPrice", "CustomerID",  "Country"};
    static const int32_t types[NCOL] = {CRM_TYPE_TEXT,   CRM_TYPE_TEXT, CRM_TYPE_TEXT,
                                        CRM_TYPE_NUMBER, CRM_TYPE_TIME, CRM_TYPE_NUMBER,
                                        CRM_TYPE_NUMBER, CRM_TYPE_TEXT};
    ck_assert_uint_eq(crm_dataset_ncols(ds), NCOL);
    for (size_t c = 0; c < NCOL; c++) {
        const char *name = NULL;
        int32_t type = 0;
        ck_assert_ok(crm_dataset_column_name(ds, c, &name));
        ck_assert_str_eq(name, names[c]);
        ck_assert_ok(crm_dataset_column_type(ds, c, &type));
        ck_assert_int_eq(type, types[c]);
    }
    /* A 1000-customer, two-year shop: tens of thousands of lines. */
    size_t n = crm_dataset_nrows(ds);
    ck_assert_msg(n >= 20000 && n <= 60000, "default size %zu lines", n);
    /* Only CustomerID has missing cells. */
    for (size_t c = 0; c < NCOL; c++) {
        size_t miss = 0;
        ck_assert_ok(crm_dataset_missing(ds, c, &miss));
        if (c == C_CUST)
            ck_assert_uint_gt(miss, 0);
        else
            ck_assert_uint_eq(miss, 0);
    }
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_null_options_are_defaults)
{
    crm_dataset *a = NULL, *b = synth(1000, 0, 1.0);
    ck_assert_ok(crm_synth_transactions(NULL, &a));
    tab ta, tb;
    tab_load(a, &ta);
    tab_load(b, &tb);
    ck_assert_uint_eq(ta.n, tb.n);
    for (size_t i = 0; i < ta.n; i++) {
        ck_assert_str_eq(ta.inv[i], tb.inv[i]);
        ck_assert(same_num(ta.price[i], tb.price[i]));
    }
    tab_free(&ta);
    tab_free(&tb);
    crm_dataset_free(a);
    crm_dataset_free(b);
}
END_TEST

START_TEST(test_deterministic)
{
    crm_dataset *a = synth(1000, 42, 1.0), *b = synth(1000, 42, 1.0);
    tab ta, tb;
    tab_load(a, &ta);
    tab_load(b, &tb);
    ck_assert_uint_eq(ta.n, tb.n);
    for (size_t i = 0; i < ta.n; i++) {
        ck_assert_str_eq(ta.inv[i], tb.inv[i]);
        ck_assert_str_eq(ta.code[i], tb.code[i]);
        ck_assert_str_eq(ta.desc[i], tb.desc[i]);
        ck_assert_str_eq(ta.country[i], tb.country[i]);
        ck_assert_int_eq(ta.time[i], tb.time[i]);
        ck_assert_msg(memcmp(&ta.qty[i], &tb.qty[i], sizeof(double)) == 0, "qty row %zu", i);
        ck_assert_msg(memcmp(&ta.price[i], &tb.price[i], sizeof(double)) == 0, "price row %zu", i);
        ck_assert_msg(memcmp(&ta.cust[i], &tb.cust[i], sizeof(double)) == 0, "cust row %zu", i);
    }
    tab_free(&tb);
    crm_dataset_free(b);

    /* Another seed gives other data. */
    b = synth(1000, 43, 1.0);
    tab_load(b, &tb);
    size_t differ = ta.n != tb.n;
    for (size_t i = 0; i < ta.n && i < tb.n; i++)
        differ += strcmp(ta.code[i], tb.code[i]) != 0 || ta.time[i] != tb.time[i];
    ck_assert_uint_gt(differ, ta.n / 2);
    tab_free(&ta);
    tab_free(&tb);
    crm_dataset_free(a);
    crm_dataset_free(b);
}
END_TEST

/* Golden values for the default options: same bits on every platform. */
START_TEST(test_golden_defaults)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_synth_transactions(NULL, &ds));
    tab t;
    tab_load(ds, &t);
    ck_assert_str_eq(t.inv[0], "536365");
    /* Exactly rounded sums of quantity and of price over all rows. */
    crm__fsum sq, sp;
    crm__fsum_init(&sq);
    crm__fsum_init(&sp);
    for (size_t i = 0; i < t.n; i++) {
        crm__fsum_add(&sq, t.qty[i]);
        crm__fsum_add(&sp, t.price[i]);
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%zu %.17g %.17g %lld", t.n, crm__fsum_result(&sq),
             crm__fsum_result(&sp), (long long)t.time[t.n - 1]);
    ck_assert_str_eq(buf, CRM_SYNTH_GOLDEN);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_clean_has_no_dirt)
{
    crm_dataset *ds = synth(1000, 7, 0.0);
    tab t;
    tab_load(ds, &t);
    ck_assert_uint_gt(t.n, 10000);
    ck_assert_uint_eq(count_duplicates(&t), 0);
    for (size_t i = 0; i < t.n; i++) {
        ck_assert_msg(!is_cancel(t.inv[i]), "row %zu: cancellation %s", i, t.inv[i]);
        ck_assert_msg(t.qty[i] >= 1 && t.qty[i] == floor(t.qty[i]), "row %zu: quantity %g", i,
                      t.qty[i]);
        ck_assert_msg(!isnan(t.cust[i]), "row %zu: missing CustomerID", i);
        ck_assert_msg(t.price[i] > 0, "row %zu: price %g", i, t.price[i]);
    }
    size_t miss = 0;
    ck_assert_ok(crm_dataset_missing(ds, C_CUST, &miss));
    ck_assert_uint_eq(miss, 0);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_dirt_proportions)
{
    crm_dataset *ds = synth(1000, 3, 1.0);
    tab t;
    tab_load(ds, &t);
    size_t n = t.n;

    /* ~1% exact duplicate lines */
    size_t dups = count_duplicates(&t);
    ck_assert_msg(dups * 1000 >= n * 4 && dups * 1000 <= n * 20, "%zu duplicates in %zu rows", dups,
                  n);

    /* ~20% of invoices are guest checkouts without CustomerID */
    size_t miss_inv = 0, cancel_inv = 0;
    size_t ninv = count_invoices(&t, &miss_inv, &cancel_inv);
    double guest = (double)miss_inv / (double)ninv;
    ck_assert_msg(guest > 0.12 && guest < 0.28, "guest share %g of %zu invoices", guest, ninv);
    ck_assert_uint_gt(cancel_inv, 0);

    /* ~1.5% cancellation lines: negative, with a customer, referencing an
     * earlier purchase of the same product by the same customer. */
    size_t canc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_cancel(t.inv[i])) {
            ck_assert_msg(t.qty[i] > 0, "row %zu: purchase quantity %g", i, t.qty[i]);
            continue;
        }
        canc++;
        ck_assert_msg(t.qty[i] < 0, "row %zu: cancellation quantity %g", i, t.qty[i]);
        ck_assert_msg(!isnan(t.cust[i]), "row %zu: cancellation without customer", i);
        ck_assert_uint_eq(strlen(t.inv[i]), 7);
        int found = 0;
        for (size_t j = 0; j < i && !found; j++)
            found = !is_cancel(t.inv[j]) && t.cust[j] == t.cust[i] &&
                    strcmp(t.code[j], t.code[i]) == 0 && t.time[j] < t.time[i] &&
                    t.qty[j] >= -t.qty[i] && strcmp(t.country[j], t.country[i]) == 0;
        ck_assert_msg(found, "row %zu: cancellation %s of %s has no earlier purchase", i, t.inv[i],
                      t.code[i]);
    }
    ck_assert_msg(canc * 1000 >= n * 7 && canc * 1000 <= n * 30, "%zu cancellation lines of %zu",
                  canc, n);

    /* Price outliers (>= 10x the product's usual price) and zero prices: a few. */
    double *minp = calloc(t.ncodes, sizeof *minp);
    ck_assert_ptr_nonnull(minp);
    for (size_t i = 0; i < n; i++) {
        double *m = &minp[t.code_id[i]];
        if (t.price[i] > 0 && (*m == 0 || t.price[i] < *m)) *m = t.price[i];
    }
    size_t outliers = 0, zeros = 0;
    for (size_t i = 0; i < n; i++) {
        if (t.price[i] == 0)
            zeros++;
        else if (t.price[i] >= 9.5 * minp[t.code_id[i]])
            outliers++;
        ck_assert_msg(t.price[i] >= 0, "row %zu: price %g", i, t.price[i]);
        /* prices are whole pence */
        double pence = t.price[i] * 100.0;
        ck_assert_msg(fabs(pence - floor(pence + 0.5)) < 1e-6, "row %zu: price %.17g", i,
                      t.price[i]);
    }
    free(minp);
    ck_assert_msg(outliers >= 3 && outliers * 1000 <= n * 5, "%zu price outliers", outliers);
    ck_assert_msg(zeros >= 3 && zeros * 1000 <= n * 5, "%zu zero prices", zeros);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_order_and_dates)
{
    crm_synth_options o;
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    o.start = 1291161600; /* 2010-12-01 */
    o.days = 400;
    o.seed = 11;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_synth_transactions(&o, &ds));
    tab t;
    tab_load(ds, &t);
    int64_t end = o.start + o.days * 86400;
    ck_assert_uint_gt(t.n, 1000);
    long prev_num = strtol(t.inv[0] + is_cancel(t.inv[0]), NULL, 10);
    for (size_t i = 0; i < t.n; i++) {
        ck_assert_msg(t.time[i] >= o.start && t.time[i] < end, "row %zu: time %lld", i,
                      (long long)t.time[i]);
        ck_assert_int_eq(t.time[i] % 60, 0);
        int64_t hour = (t.time[i] - day_of(t.time[i]) * 86400) / 3600;
        ck_assert_msg(hour >= 7 && hour < 20, "row %zu: hour %lld", i, (long long)hour);
        /* InvoiceNo: 6 digits, "C" + 6 digits for cancellations */
        const char *num = t.inv[i] + is_cancel(t.inv[i]);
        ck_assert_uint_eq(strlen(num), 6);
        ck_assert_uint_eq(strspn(num, "0123456789"), 6);
        if (i == 0) continue;
        /* ordered by InvoiceDate, then InvoiceNo */
        ck_assert_msg(t.time[i - 1] <= t.time[i], "row %zu: dates out of order", i);
        if (t.time[i - 1] == t.time[i])
            ck_assert_msg(strcmp(t.inv[i - 1], t.inv[i]) <= 0, "row %zu: %s after %s", i, t.inv[i],
                          t.inv[i - 1]);
        /* invoice numbers increase with time; an invoice's lines are contiguous */
        long cur = strtol(num, NULL, 10);
        if (t.inv_id[i] != t.inv_id[i - 1]) {
            ck_assert_msg(cur > prev_num, "row %zu: invoice %s not after %ld", i, t.inv[i],
                          prev_num);
            prev_num = cur;
        } else {
            ck_assert_int_eq(t.time[i], t.time[i - 1]);
        }
    }
    /* each invoice number appears in one block of rows */
    size_t levels = 0;
    ck_assert_ok(crm_dataset_text_levels(ds, C_INV, &levels));
    ck_assert_uint_eq(levels, count_invoices(&t, NULL, NULL));
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_seasonality_and_growth)
{
    crm_dataset *ds = synth(2000, 5, 0.0);
    tab t;
    tab_load(ds, &t);
    size_t sat = 0, by_month[13] = {0}, year1 = 0, year2 = 0;
    int64_t start = 1640995200;
    for (size_t i = 0; i < t.n; i++) {
        sat += weekday_of(t.time[i]) == 5;
        by_month[month_of(t.time[i])]++;
        if (t.time[i] < start + 365 * 86400)
            year1++;
        else
            year2++;
    }
    /* Saturday almost closed */
    ck_assert_msg(sat * 100 < t.n * 2, "Saturday share %zu of %zu", sat, t.n);
    /* November/December above mid-year */
    double novdec = (double)(by_month[11] + by_month[12]) / 61.0;
    double midyear = (double)(by_month[6] + by_month[7]) / 61.0;
    ck_assert_msg(novdec > 1.25 * midyear, "Nov/Dec %g lines/day vs Jun/Jul %g", novdec, midyear);
    /* and a quiet January */
    ck_assert_msg((double)by_month[1] / 31.0 < midyear, "January %zu", by_month[1]);
    /* mild growth: the second year sells more than the first, but not double */
    ck_assert_msg(year2 > year1 && year2 < 2 * year1, "year 1 %zu, year 2 %zu lines", year1, year2);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_heavy_tails)
{
    crm_dataset *ds = synth(1000, 9, 1.0);
    tab t;
    tab_load(ds, &t);
    /* revenue and invoice count per customer */
    double *rev = calloc(200000, sizeof *rev);
    int *ninv = calloc(200000, sizeof *ninv);
    ck_assert_ptr_nonnull(rev);
    ck_assert_ptr_nonnull(ninv);
    double total = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (isnan(t.cust[i])) continue;
        size_t id = (size_t)t.cust[i];
        ck_assert_msg(t.cust[i] >= 12346 && id < 200000, "CustomerID %g", t.cust[i]);
        double v = t.qty[i] * t.price[i];
        rev[id] += v;
        total += v;
        if (!is_cancel(t.inv[i]) && (i == 0 || t.inv_id[i] != t.inv_id[i - 1])) ninv[id]++;
    }
    size_t nc = 0;
    int *freq = calloc(200000, sizeof *freq);
    ck_assert_ptr_nonnull(freq);
    for (size_t id = 0; id < 200000; id++) {
        if (ninv[id] > 0) {
            freq[nc] = ninv[id];
            rev[nc++] = rev[id];
        }
    }
    ck_assert_msg(nc > 900 && nc <= 1000, "%zu customers bought", nc);
    qsort(rev, nc, sizeof *rev, cmp_desc_double);
    double top = 0;
    for (size_t i = 0; i < nc / 5; i++)
        top += rev[i];
    ck_assert_msg(top > 0.5 * total, "top 20%% of customers: %g of %g", top, total);
    /* visit frequency: many one-off buyers, a few very frequent ones */
    size_t once = 0;
    int maxf = 0;
    for (size_t i = 0; i < nc; i++) {
        once += freq[i] == 1;
        if (freq[i] > maxf) maxf = freq[i];
    }
    ck_assert_msg(once * 5 > nc && once * 2 < nc, "%zu of %zu customers bought once", once, nc);
    ck_assert_msg(maxf >= 30, "most frequent customer: %d invoices", maxf);
    free(rev);
    free(ninv);
    free(freq);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_copurchase_affinity)
{
    crm_dataset *ds = synth(1000, 0, 0.0);
    tab t;
    tab_load(ds, &t);
    size_t P = t.ncodes;
    ck_assert_uint_le(P, 300);
    ck_assert_uint_gt(P, 200);
    unsigned *pair = calloc(P * P, sizeof *pair);
    unsigned *single = calloc(P, sizeof *single);
    ck_assert_ptr_nonnull(pair);
    ck_assert_ptr_nonnull(single);
    size_t ninv = 0;
    for (size_t i = 0; i < t.n;) {
        size_t j = i;
        while (j < t.n && t.inv_id[j] == t.inv_id[i])
            j++;
        ninv++;
        for (size_t a = i; a < j; a++) {
            single[t.code_id[a]]++;
            for (size_t b = i; b < j; b++)
                if (t.code_id[a] < t.code_id[b])
                    pair[(size_t)t.code_id[a] * P + (size_t)t.code_id[b]]++;
        }
        i = j;
    }
    double best = 0;
    size_t strong = 0;
    for (size_t a = 0; a < P; a++)
        for (size_t b = a + 1; b < P; b++) {
            unsigned n_ab = pair[a * P + b];
            if (n_ab < 20) continue;
            double lift = (double)n_ab * (double)ninv / ((double)single[a] * (double)single[b]);
            if (lift > best) best = lift;
            strong += lift > 2.0;
        }
    ck_assert_msg(best > 2.0, "best lift %g", best);
    ck_assert_msg(strong >= 10, "%zu pairs with lift > 2 and >= 20 invoices", strong);
    free(pair);
    free(single);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_catalogue_and_countries)
{
    crm_dataset *ds = synth(1000, 1, 0.0);
    tab t;
    tab_load(ds, &t);
    const char **desc_of = calloc(t.ncodes, sizeof *desc_of);
    ck_assert_ptr_nonnull(desc_of);
    size_t uk_rows = 0;
    for (size_t i = 0; i < t.n; i++) {
        const char *c = t.code[i];
        size_t len = strlen(c);
        ck_assert_msg(strspn(c, "0123456789") == 5 &&
                          (len == 5 || (len == 6 && c[5] >= 'A' && c[5] <= 'Z')),
                      "StockCode \"%s\"", c);
        for (const char *p = t.desc[i]; *p; p++)
            ck_assert_msg(!(*p >= 'a' && *p <= 'z'), "Description \"%s\"", t.desc[i]);
        /* one description per stock code */
        const char **d = &desc_of[t.code_id[i]];
        if (!*d) *d = t.desc[i];
        ck_assert_str_eq(*d, t.desc[i]);
        uk_rows += strcmp(t.country[i], "United Kingdom") == 0;
    }
    free(desc_of);
    size_t ncountries = 0;
    ck_assert_ok(crm_dataset_text_levels(ds, C_COUNTRY, &ncountries));
    ck_assert_msg(ncountries >= 8, "%zu countries", ncountries);
    ck_assert_msg(uk_rows * 10 > t.n * 7 && uk_rows < t.n, "UK rows %zu of %zu", uk_rows, t.n);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_options_size_rule)
{
    crm_synth_options o;
    memset(&o, 0xAB, sizeof o);
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_int_eq(o.customers, 1000);
    ck_assert_int_eq(o.products, 300);
    ck_assert_int_eq(o.days, 730);
    ck_assert_int_eq(o.start, 1640995200);
    ck_assert_uint_eq(o.seed, 0);
    ck_assert(o.dirt == 1.0);
    ck_assert_error(crm_synth_options_init(NULL, sizeof o), CRM_E_INVALID);

    /* A size below the first published layout is refused and nothing is written. */
    unsigned char small[sizeof(crm_synth_options)];
    memset(small, 0xAB, sizeof small);
    size_t part = offsetof(crm_synth_options, dirt);
    ck_assert_error(crm_synth_options_init((crm_synth_options *)(void *)small, part),
                    CRM_E_INVALID);
    for (size_t i = 0; i < sizeof small; i++)
        ck_assert_uint_eq(small[i], 0xAB);
    crm_dataset *ds = NULL;
    o.size = part;
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);

    /* A newer caller's larger struct: init zeroes the tail; zero tail accepted ... */
    struct {
        crm_synth_options base;
        int64_t future;
    } big;
    memset(&big, 0xAB, sizeof big);
    ck_assert_ok(crm_synth_options_init(&big.base, sizeof big));
    ck_assert_uint_eq(big.base.size, sizeof big);
    ck_assert_int_eq(big.future, 0);
    big.base.customers = 20;
    big.base.days = 60;
    ck_assert_ok(crm_synth_transactions(&big.base, &ds));
    ck_assert_uint_gt(crm_dataset_nrows(ds), 0);
    crm_dataset_free(ds);
    ds = NULL;
    /* ... a set unknown field is refused with CRM_E_FORMAT. */
    big.future = 5;
    ck_assert_error(crm_synth_transactions(&big.base, &ds), CRM_E_FORMAT);
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "offset"));
}
END_TEST

/* ---- limits ------------------------------------------------------------------ */

START_TEST(test_tiny)
{
    crm_synth_options o;
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    o.customers = 1;
    o.products = 1;
    o.days = 1;
    o.start = 1641254400; /* 2022-01-04, a Tuesday */
    for (uint64_t seed = 0; seed < 20; seed++) {
        o.seed = seed;
        crm_dataset *ds = NULL;
        ck_assert_ok(crm_synth_transactions(&o, &ds));
        ck_assert_uint_eq(crm_dataset_ncols(ds), NCOL);
        tab t;
        tab_load(ds, &t);
        for (size_t i = 0; i < t.n; i++) {
            ck_assert_int_ge(t.time[i], o.start);
            ck_assert_int_lt(t.time[i], o.start + 86400);
            ck_assert_str_eq(t.code[i], t.code[0]);
        }
        tab_free(&t);
        crm_dataset_free(ds);
    }
    /* A period of one closed day (Christmas) has no rows, but has the columns. */
    o.start = 1671926400; /* 2022-12-25 */
    o.customers = 50;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_synth_transactions(&o, &ds));
    ck_assert_uint_eq(crm_dataset_nrows(ds), 0);
    ck_assert_uint_eq(crm_dataset_ncols(ds), NCOL);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_linear_in_customers)
{
    crm_dataset *a = synth(1000, 2, 1.0), *b = synth(4000, 2, 1.0);
    double ratio = (double)crm_dataset_nrows(b) / (double)crm_dataset_nrows(a);
    ck_assert_msg(ratio > 3.4 && ratio < 4.6, "rows(4000)/rows(1000) = %g", ratio);
    crm_dataset_free(a);
    crm_dataset_free(b);
}
END_TEST

START_TEST(test_high_dirt_is_capped)
{
    crm_dataset *ds = synth(300, 4, 10.0);
    tab t;
    tab_load(ds, &t);
    size_t miss = 0, canc = 0;
    size_t ninv = count_invoices(&t, &miss, &canc);
    /* guest checkouts are capped at one per customer purchase invoice */
    ck_assert_uint_eq(miss, ninv - miss - canc);
    ck_assert_uint_gt(canc, 0);
    size_t dups = count_duplicates(&t);
    ck_assert_msg(dups * 100 <= t.n * 25 && dups * 100 >= t.n * 5, "%zu duplicates of %zu", dups,
                  t.n);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

/* More than 463,634 invoices: the numbers no longer start at 536365 but keep
 * one width, so text order and time order still agree. */
START_TEST(test_many_invoices_keep_width)
{
    crm_synth_options o;
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    o.customers = 70000;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_synth_transactions(&o, &ds));
    size_t levels = 0;
    ck_assert_ok(crm_dataset_text_levels(ds, C_INV, &levels));
    ck_assert_msg(levels > 463634 && levels < 900000, "%zu invoices", levels);
    const char *first = NULL, *last = NULL, *prev = NULL;
    for (size_t c = 0; c < levels; c++) {
        const char *s = NULL;
        ck_assert_ok(crm_dataset_text_level(ds, C_INV, c, &s));
        const char *num = s + is_cancel(s);
        ck_assert_uint_eq(strlen(num), 6);
        if (prev) ck_assert_msg(strcmp(prev + is_cancel(prev), num) < 0, "%s then %s", prev, s);
        prev = s;
        if (!first) first = s;
        last = s;
    }
    ck_assert_str_eq(first, "100000");
    ck_assert_ptr_nonnull(last);
    crm_dataset_free(ds);
}
END_TEST

static crm_status synth_small(void)
{
    crm_synth_options o;
    crm_status st = crm_synth_options_init(&o, sizeof o);
    if (st) return st;
    o.customers = 20;
    o.products = 15;
    o.days = 30;
    o.start = 1667260800; /* 2022-11-01 */
    crm_dataset *ds = NULL;
    st = crm_synth_transactions(&o, &ds);
    if (st == CRM_OK && crm_dataset_nrows(ds) == 0)
        st = CRM_E_STATE;                     /* the config must exercise the whole generator */
    if (st != CRM_OK && ds) st = CRM_E_STATE; /* *out must be NULL on failure */
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_allocation_failures)
{
    CRM_TEST_EACH_ALLOC_FAILURE(synth_small());
}
END_TEST

START_TEST(test_upper_limits)
{
    crm_synth_options o;
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    crm_dataset *ds = NULL;
    o.customers = 1000001;
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "customers"));
    o.customers = 1000000;
    o.days = 730; /* 730 million customer-days */
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "customers x days"));
    o.customers = 1000;
    o.products = 100001;
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "products"));
    o.products = 300;
    o.days = 36601;
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "days"));
    o.days = 730;
    o.dirt = 10.5;
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "dirt"));
    /* the period must end by 9999-12-31 */
    o.dirt = 1;
    o.start = 253402214400; /* 9999-12-31 */
    o.days = 2;
    ck_assert_error(crm_synth_transactions(&o, &ds), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "start"));
    o.days = 1;
    o.customers = 5;
    ck_assert_ok(crm_synth_transactions(&o, &ds));
    crm_dataset_free(ds);
    ds = NULL;
    ck_assert_ptr_null(ds);
}
END_TEST

/* ---- bad input ----------------------------------------------------------------- */

static void expect_invalid(const crm_synth_options *o, const char *field)
{
    crm_dataset *ds = (crm_dataset *)(void *)&ds; /* must be reset to NULL */
    ck_assert_error(crm_synth_transactions(o, &ds), CRM_E_INVALID);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(crm_last_error(), field) != NULL, "message \"%s\" does not name %s",
                  crm_last_error(), field);
}

START_TEST(test_bad_options)
{
    crm_synth_options o;
    ck_assert_ok(crm_synth_options_init(&o, sizeof o));
    ck_assert_error(crm_synth_transactions(&o, NULL), CRM_E_INVALID);

    crm_synth_options b = o;
    b.customers = 0;
    expect_invalid(&b, "customers");
    b.customers = -5;
    expect_invalid(&b, "customers");
    b = o;
    b.products = 0;
    expect_invalid(&b, "products");
    b = o;
    b.days = 0;
    expect_invalid(&b, "days");
    b.days = -1;
    expect_invalid(&b, "days");
    b = o;
    b.dirt = -0.5;
    expect_invalid(&b, "dirt");
    b.dirt = NAN;
    expect_invalid(&b, "dirt");
    b.dirt = INFINITY;
    expect_invalid(&b, "dirt");
    b = o;
    b.start = o.start + 3600;
    expect_invalid(&b, "start");
    b.start = -1;
    expect_invalid(&b, "start");
    b.start = -2208988800LL - 86400; /* 1899-12-31 */
    expect_invalid(&b, "start");
    b.start = -2208988800LL; /* 1900-01-01 is allowed */
    b.customers = 10;
    b.days = 30;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_synth_transactions(&b, &ds));
    tab t;
    tab_load(ds, &t);
    ck_assert_uint_gt(t.n, 0);
    ck_assert_int_ge(t.time[0], b.start);
    tab_free(&t);
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_synth_suite(void);
Suite *crm_synth_suite(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_schema);
    tcase_add_test(tc, test_null_options_are_defaults);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_golden_defaults);
    tcase_add_test(tc, test_clean_has_no_dirt);
    tcase_add_test(tc, test_dirt_proportions);
    tcase_add_test(tc, test_order_and_dates);
    tcase_add_test(tc, test_seasonality_and_growth);
    tcase_add_test(tc, test_heavy_tails);
    tcase_add_test(tc, test_copurchase_affinity);
    tcase_add_test(tc, test_catalogue_and_countries);
    tcase_add_test(tc, test_options_size_rule);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tiny);
    tcase_add_test(tc, test_linear_in_customers);
    tcase_add_test(tc, test_high_dirt_is_capped);
    tcase_add_test(tc, test_many_invoices_keep_width);
    tcase_add_test(tc, test_allocation_failures);
    tcase_add_test(tc, test_upper_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad_input");
    tcase_add_test(tc, test_bad_options);
    suite_add_tcase(s, tc);
    return s;
}
