/* RFM scoring, segments, lifecycle and the CRM KPIs (NPS, satisfaction, funnel). */
#include "test_util.h"

#include "crm/rfm.h"

#include <math.h>

#define DAY 86400
#define HOUR 3600

/* Eight transaction lines of five customers (hand-checked below):
 *   row customer day hour invoice qty price  amount
 *   0   b        10  8    i1      2   5      10
 *   1   b        10  9    i1      1   2.5    2.5
 *   2   a        1   12   i2      3   1      3
 *   3   d        19  23   i3      1   4      4
 *   4   a        15  6    i4      1   7      7
 *   5   c        5   0    i5      10  1      10
 *   6   b        18  12   i6      1   0.5    0.5
 *   7   e        19  1    i7      2   2      4
 * The last line is day 19 23:00, so the default as_of is day 20 00:00:
 *   customer recency tenure freq(inv) freq(rows) monetary
 *   a        4       18     2         2          10
 *   b        1       9      2         3          13
 *   c        15      15     1         1          10
 *   d        0       0      1         1          4
 *   e        0       0      1         1          4       */
static const char *const tx_cust[] = {"b", "b", "a", "d", "a", "c", "b", "e"};
static const int64_t tx_day[] = {10, 10, 1, 19, 15, 5, 18, 19};
static const int64_t tx_hour[] = {8, 9, 12, 23, 6, 0, 12, 1};
static const char *const tx_inv[] = {"i1", "i1", "i2", "i3", "i4", "i5", "i6", "i7"};
static const double tx_qty[] = {2, 1, 3, 1, 1, 10, 1, 2};
static const double tx_price[] = {5, 2.5, 1, 4, 7, 1, 0.5, 2};
enum { TX_N = 8 };

static crm_status build_tx(crm_dataset **out)
{
    crm_dataset *ds = NULL;
    int64_t when[TX_N];
    double amount[TX_N];
    for (int i = 0; i < TX_N; i++) {
        when[i] = tx_day[i] * DAY + tx_hour[i] * HOUR;
        amount[i] = tx_qty[i] * tx_price[i];
    }
    crm_status st = crm_dataset_new(&ds);
    if (!st) st = crm_dataset_add_text(ds, "cust", tx_cust, TX_N);
    if (!st) st = crm_dataset_add_time(ds, "when", when, TX_N);
    if (!st) st = crm_dataset_add_text(ds, "invoice", tx_inv, TX_N);
    if (!st) st = crm_dataset_add_number(ds, "qty", tx_qty, TX_N);
    if (!st) st = crm_dataset_add_number(ds, "price", tx_price, TX_N);
    if (!st) st = crm_dataset_add_number(ds, "amount", amount, TX_N);
    if (st) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

static crm_dataset *make_tx(void)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(build_tx(&ds));
    return ds;
}

static void opts_qp(crm_rfm_options *o)
{
    ck_assert_ok(crm_rfm_options_init(o, sizeof *o));
    o->customer = "cust";
    o->date = "when";
    o->quantity = "qty";
    o->price = "price";
    o->invoice = "invoice";
}

static void num_col(const crm_dataset *ds, const char *name, double *v)
{
    size_t c;
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    ck_assert_ok(crm_dataset_get_number(ds, c, 0, crm_dataset_nrows(ds), v));
}

static void check_num(const crm_dataset *ds, const char *name, const double *want, size_t n)
{
    double v[64];
    ck_assert_uint_eq(crm_dataset_nrows(ds), n);
    num_col(ds, name, v);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(v[i] == want[i], "%s[%zu] = %.17g, want %.17g", name, i, v[i], want[i]);
}

static void check_text(const crm_dataset *ds, const char *name, const char *const *want, size_t n)
{
    size_t c;
    ck_assert_uint_eq(crm_dataset_nrows(ds), n);
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    for (size_t i = 0; i < n; i++) {
        const char *s = NULL;
        ck_assert_ok(crm_dataset_get_text(ds, c, i, &s));
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(strcmp(s, want[i]) == 0, "%s[%zu] = \"%s\", want \"%s\"", name, i, s,
                      want[i]);
    }
}

/* ---- core ---------------------------------------------------------------- */

START_TEST(test_rfm_hand_checked)
{
    crm_dataset *tx = make_tx(), *r = NULL;
    crm_rfm_options o;
    opts_qp(&o);
    ck_assert_ok(crm_rfm(tx, &o, &r));
    static const char *const cols[] = {"customer",    "recency_days", "frequency", "monetary",
                                       "tenure_days", "r_score",      "f_score",   "m_score",
                                       "rfm_cell",    "rfm_score",    "segment",   "lifecycle"};
    ck_assert_uint_eq(crm_dataset_ncols(r), 12);
    for (size_t i = 0; i < 12; i++) {
        const char *name;
        ck_assert_ok(crm_dataset_column_name(r, i, &name));
        ck_assert_str_eq(name, cols[i]);
    }
    int32_t t;
    ck_assert_ok(crm_dataset_column_type(r, 0, &t));
    ck_assert_int_eq(t, CRM_TYPE_TEXT);
    check_text(r, "customer", (const char *const[]){"a", "b", "c", "d", "e"}, 5);
    check_num(r, "recency_days", (const double[]){4, 1, 15, 0, 0}, 5);
    check_num(r, "tenure_days", (const double[]){18, 9, 15, 0, 0}, 5);
    check_num(r, "frequency", (const double[]){2, 2, 1, 1, 1}, 5);
    check_num(r, "monetary", (const double[]){10, 13, 10, 4, 4}, 5);
    /* recency reversed, ties (d, e at 0 days) broken by customer id: d before e */
    check_num(r, "r_score", (const double[]){2, 3, 1, 4, 5}, 5);
    check_num(r, "f_score", (const double[]){4, 5, 1, 2, 3}, 5);
    check_num(r, "m_score", (const double[]){3, 5, 4, 1, 2}, 5);
    check_text(r, "rfm_cell", (const char *const[]){"243", "355", "114", "421", "532"}, 5);
    check_num(r, "rfm_score", (const double[]){9, 13, 6, 7, 10}, 5);
    check_text(r, "segment",
               (const char *const[]){"At Risk", "Loyal Customers", "Lost", "Potential Loyalists",
                                     "Potential Loyalists"},
               5);
    check_text(r, "lifecycle",
               (const char *const[]){"active", "active", "active", "active", "active"}, 5);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_rows_and_amount)
{
    crm_dataset *tx = make_tx(), *r = NULL;
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "cust";
    o.date = "when";
    o.amount = "amount"; /* no invoice: frequency counts rows */
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "frequency", (const double[]){2, 3, 1, 1, 1}, 5);
    check_num(r, "monetary", (const double[]){10, 13, 10, 4, 4}, 5);
    check_num(r, "f_score", (const double[]){4, 5, 1, 2, 3}, 5);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_bins3)
{
    crm_dataset *tx = make_tx(), *r = NULL;
    crm_rfm_options o;
    opts_qp(&o);
    o.bins = 3; /* score = 1 + floor(3 (rank - 1) / 5): ranks 1..5 -> 1 1 2 2 3 */
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "r_score", (const double[]){1, 2, 1, 2, 3}, 5);
    check_num(r, "f_score", (const double[]){2, 3, 1, 1, 2}, 5);
    check_num(r, "m_score", (const double[]){2, 3, 2, 1, 1}, 5);
    check_text(r, "rfm_cell", (const char *const[]){"122", "233", "112", "211", "321"}, 5);
    /* scores 1 2 3 map to 1 3 5 on the segment grid */
    check_text(r, "segment",
               (const char *const[]){"At Risk", "Loyal Customers", "Lost", "About To Sleep",
                                     "Potential Loyalists"},
               5);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_as_of_and_lifecycle)
{
    crm_dataset *tx = make_tx(), *r = NULL;
    crm_rfm_options o;
    opts_qp(&o);
    o.as_of = 30 * DAY;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "recency_days", (const double[]){14, 11, 25, 10, 10}, 5);
    check_num(r, "tenure_days", (const double[]){28, 19, 25, 10, 10}, 5);
    crm_dataset_free(r);

    /* a is 4.75 days before as_of: not "within 4 days", but within 5 */
    opts_qp(&o);
    o.active_days = 4;
    o.inactive_days = 15;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_text(r, "lifecycle",
               (const char *const[]){"inactive", "active", "churned", "active", "active"}, 5);
    crm_dataset_free(r);
    o.active_days = 5;
    o.inactive_days = 16;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_text(r, "lifecycle",
               (const char *const[]){"active", "active", "inactive", "active", "active"}, 5);
    crm_dataset_free(r);
    /* as_of exactly at the last purchase is allowed: recency 0 */
    opts_qp(&o);
    o.as_of = 19 * DAY + 23 * HOUR;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "recency_days", (const double[]){4, 1, 14, 0, 0}, 5);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

/* The default as_of as crm_rfm uses it, and the segment and stage names of its columns. */
START_TEST(test_rfm_default_as_of_and_names)
{
    crm_dataset *tx = make_tx(), *r = NULL;
    int64_t as_of = 0;
    /* the last line is day 19 23:00: the next midnight is day 20 */
    ck_assert_ok(crm_rfm_default_as_of(tx, "when", &as_of));
    ck_assert_int_eq(as_of, 20 * DAY);
    /* crm_rfm with that as_of given explicitly gives the table of the default */
    crm_rfm_options o;
    opts_qp(&o);
    o.as_of = as_of;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "recency_days", (const double[]){4, 1, 15, 0, 0}, 5);
    crm_dataset_free(r);
    /* before 1970: day -2 00:00:01 -> day -1 00:00 */
    crm_dataset *old = NULL;
    const int64_t when[] = {-2 * DAY + 1, -3 * DAY};
    ck_assert_ok(crm_dataset_new(&old));
    ck_assert_ok(crm_dataset_add_time(old, "t", when, 2));
    ck_assert_ok(crm_rfm_default_as_of(old, "t", &as_of));
    ck_assert_int_eq(as_of, -DAY);
    crm_dataset_free(old);

    static const char *const segs[] = {"Champions",      "Loyal Customers", "Potential Loyalists",
                                       "New Customers",  "Promising",       "Need Attention",
                                       "About To Sleep", "At Risk",         "Cannot Lose Them",
                                       "Hibernating",    "Lost"};
    ck_assert_uint_eq(crm_rfm_segment_count(), 11);
    for (size_t i = 0; i < 11; i++)
        ck_assert_str_eq(crm_rfm_segment_name(i), segs[i]);
    ck_assert_ptr_null(crm_rfm_segment_name(11));
    ck_assert_ptr_null(crm_rfm_segment_name(SIZE_MAX));
    ck_assert_uint_eq(crm_rfm_stage_count(), 3);
    ck_assert_str_eq(crm_rfm_stage_name(0), "active");
    ck_assert_str_eq(crm_rfm_stage_name(1), "inactive");
    ck_assert_str_eq(crm_rfm_stage_name(2), "churned");
    ck_assert_ptr_null(crm_rfm_stage_name(3));
    ck_assert_ptr_null(crm_rfm_stage_name(SIZE_MAX));
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_number_customers)
{
    /* number ids sort numerically (3 < 20 < 100), -0 and 0 are one customer */
    crm_dataset *tx = NULL, *r = NULL;
    double id[] = {100, 20, 3, 20, -0.0, 0};
    int64_t when[] = {DAY, 2 * DAY, 3 * DAY, 4 * DAY + 1, 5 * DAY, 6 * DAY};
    double amount[] = {1, 2, 3, 4, 0.1, 0.2};
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_number(tx, "id", id, 6));
    ck_assert_ok(crm_dataset_add_time(tx, "t", when, 6));
    ck_assert_ok(crm_dataset_add_number(tx, "amt", amount, 6));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.amount = "amt";
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "customer", (const double[]){0, 3, 20, 100}, 4);
    /* as_of = day 7; 0.1 + 0.2 summed exactly rounded */
    check_num(r, "recency_days", (const double[]){1, 4, 2, 6}, 4);
    check_num(r, "frequency", (const double[]){2, 1, 2, 1}, 4);
    check_num(r, "monetary", (const double[]){0.30000000000000004, 3, 6, 1}, 4);
    /* n = 4, bins = 5: ranks 1..4 -> 1 2 3 4 */
    check_num(r, "r_score", (const double[]){4, 2, 3, 1}, 4);
    check_num(r, "m_score", (const double[]){1, 3, 4, 2}, 4);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_number_invoices)
{
    /* distinct number invoices in any order: x has 40 lines over 13 invoices
     * (shuffled), y 5 lines over 3, z the invoices 0 and -0 (one invoice) */
    enum { N = 47 };
    const char *id[N];
    double inv[N], a[N];
    int64_t t[N];
    for (int i = 0; i < N; i++) {
        id[i] = i < 40 ? "x" : i < 45 ? "y" : "z";
        inv[i] = i < 40 ? (double)((i * 7) % 13) : 0;
        a[i] = 1;
        t[i] = i;
    }
    const double yinv[5] = {3, 1, 3, 2, 1};
    for (int i = 0; i < 5; i++)
        inv[40 + i] = yinv[i];
    inv[45] = 0.0;
    inv[46] = -0.0;
    crm_dataset *tx = NULL, *r = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "id", id, N));
    ck_assert_ok(crm_dataset_add_number(tx, "inv", inv, N));
    ck_assert_ok(crm_dataset_add_number(tx, "a", a, N));
    ck_assert_ok(crm_dataset_add_time(tx, "t", t, N));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.amount = "a";
    o.invoice = "inv";
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "frequency", (const double[]){13, 3, 1}, 3);
    check_num(r, "monetary", (const double[]){40, 5, 2}, 3);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_time_customers)
{
    /* a time column as customer id keeps its type and sorts by time, negatives first */
    crm_dataset *tx = NULL, *r = NULL;
    int64_t id[] = {5, -3, 5, INT64_MAX};
    int64_t t[] = {0, DAY, 2 * DAY, 0};
    double a[] = {1, 2, 3, 4};
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_time(tx, "id", id, 4));
    ck_assert_ok(crm_dataset_add_time(tx, "t", t, 4));
    ck_assert_ok(crm_dataset_add_number(tx, "a", a, 4));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.amount = "a";
    ck_assert_ok(crm_rfm(tx, &o, &r));
    int32_t type;
    ck_assert_ok(crm_dataset_column_type(r, 0, &type));
    ck_assert_int_eq(type, CRM_TYPE_TIME);
    int64_t got[3];
    ck_assert_ok(crm_dataset_get_time(r, 0, 0, 3, got));
    ck_assert(got[0] == -3 && got[1] == 5 && got[2] == INT64_MAX);
    check_num(r, "monetary", (const double[]){2, 4, 4}, 3);
    check_num(r, "recency_days", (const double[]){2, 1, 3}, 3); /* as_of = day 3 */
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_exact_monetary)
{
    /* 1e16 + 1 + 1 + 1: naive summation stays at 1e16 (each +1 is a tie rounded to
     * even), the exactly rounded sum of 1e16 + 3 is 1e16 + 4 */
    crm_dataset *tx = NULL, *r = NULL;
    const char *id[] = {"x", "x", "x", "x", "y"};
    int64_t when[] = {0, 0, 0, 0, 0};
    double q[] = {1e16, 1, 1, 1, 1};
    double p[] = {1, 1, 1, 1, 1};
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "id", id, 5));
    ck_assert_ok(crm_dataset_add_time(tx, "t", when, 5));
    ck_assert_ok(crm_dataset_add_number(tx, "q", q, 5));
    ck_assert_ok(crm_dataset_add_number(tx, "p", p, 5));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.quantity = "q";
    o.price = "p";
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "monetary", (const double[]){1e16 + 4, 1}, 2);
    /* as_of is the midnight after the last day: a purchase at 00:00 is 1 day old */
    check_num(r, "recency_days", (const double[]){1, 1}, 2);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_many_customers)
{
    /* 1000 customers with distinct monetary values: exactly 200 per score;
     * equal frequencies: f_score follows the customer id order */
    enum { N = 1000 };
    static double id[N], amount[N];
    static int64_t when[N];
    for (int i = 0; i < N; i++) {
        id[i] = (double)(N - i);
        amount[i] = (double)((i * 7919) % N + 1);
        when[i] = (int64_t)(i % 400) * DAY;
    }
    crm_dataset *tx = NULL, *r = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_number(tx, "id", id, N));
    ck_assert_ok(crm_dataset_add_time(tx, "t", when, N));
    ck_assert_ok(crm_dataset_add_number(tx, "a", amount, N));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.amount = "a";
    ck_assert_ok(crm_rfm(tx, &o, &r));
    static double m[N], f[N], cust[N], rec[N], rs[N];
    num_col(r, "m_score", m);
    num_col(r, "f_score", f);
    num_col(r, "customer", cust);
    num_col(r, "recency_days", rec);
    num_col(r, "r_score", rs);
    int per[6] = {0};
    for (int i = 0; i < N; i++) {
        ck_assert(cust[i] == i + 1);
        per[(int)m[i]]++;
        ck_assert(f[i] == 1 + (5 * i) / N);
        /* recency reversed: a more recent customer never scores lower */
        for (int j = 0; j < i; j += 37)
            if (rec[j] < rec[i]) ck_assert(rs[j] >= rs[i]);
    }
    for (int s = 1; s <= 5; s++)
        ck_assert_int_eq(per[s], 200);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_churn_table)
{
    /* cutoff day 10, window (day 10, day 40]: customer 1 buys before and in the
     * window (0), 2 only before (1), 3 only after the cutoff (absent), 4 before and
     * only after the window (1); text ids */
    crm_dataset *tx = NULL, *r = NULL;
    const char *id[] = {"c1", "c2", "c1", "c3", "c4", "c4", "c1"};
    int64_t when[] = {DAY, 2 * DAY, 12 * DAY, 15 * DAY, 3 * DAY, 50 * DAY, 10 * DAY};
    double amount[] = {5, 7, 100, 9, 4, 8, 1};
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "who", id, 7));
    ck_assert_ok(crm_dataset_add_time(tx, "t", when, 7));
    ck_assert_ok(crm_dataset_add_number(tx, "amt", amount, 7));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "who";
    o.date = "t";
    o.amount = "amt";
    o.as_of = 10 * DAY;
    o.churn_days = 30;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    ck_assert_uint_eq(crm_dataset_nrows(r), 3);
    check_text(r, "customer", (const char *const[]){"c1", "c2", "c4"}, 3);
    /* features only from rows up to the cutoff (c1: days 1 and 10, monetary 6) */
    check_num(r, "monetary", (const double[]){6, 7, 4}, 3);
    check_num(r, "frequency", (const double[]){2, 1, 1}, 3);
    check_num(r, "recency_days", (const double[]){0, 8, 7}, 3);
    check_num(r, "churned", (const double[]){0, 1, 1}, 3);
    size_t nc = crm_dataset_ncols(r);
    const char *last = NULL;
    ck_assert_ok(crm_dataset_column_name(r, nc - 1, &last));
    ck_assert_str_eq(last, "churned");
    crm_dataset_free(r);
    /* churn_days needs as_of; negative refused */
    o.as_of = CRM_TIME_MISSING;
    ck_assert_error(crm_rfm(tx, &o, &r), CRM_E_INVALID);
    o.as_of = 10 * DAY;
    o.churn_days = -1;
    ck_assert_error(crm_rfm(tx, &o, &r), CRM_E_INVALID);
    o.churn_days = 30;
    o.as_of = 0;
    ck_assert_error(crm_rfm(tx, &o, &r), CRM_E_INVALID);
    ck_assert_ptr_null(r);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_options_init)
{
    crm_rfm_options o;
    memset(&o, 0xff, sizeof o);
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_ptr_null(o.customer);
    ck_assert_ptr_null(o.invoice);
    ck_assert(o.as_of == CRM_TIME_MISSING);
    ck_assert_int_eq(o.bins, 5);
    ck_assert(o.active_days == 90);
    ck_assert(o.inactive_days == 365);
    ck_assert(o.churn_days == 0);
    ck_assert_error(crm_rfm_options_init(NULL, sizeof o), CRM_E_INVALID);
    ck_assert_error(crm_rfm_options_init(&o, 4), CRM_E_INVALID);
}
END_TEST

/* ---- KPIs ------------------------------------------------------------------- */

START_TEST(test_nps)
{
    crm_dataset *ds = NULL;
    double r[] = {10, 9, 9, 8, 7, 6, 5, 0, 10, NAN};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "score", r, 10));
    double v = 0;
    ck_assert_ok(crm_nps(ds, "score", &v)); /* 4 promoters, 3 detractors of 9 */
    ck_assert_double_eq_tol(v, 100.0 / 9.0, 1e-12);
    crm_dataset_free(ds);

    /* 50 promoters, 30 passives, 20 detractors: NPS 30 */
    double big[100];
    for (int i = 0; i < 100; i++)
        big[i] = i < 50 ? 9 + i % 2 : i < 80 ? 7 + i % 2 : i % 7;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "s", big, 100));
    ck_assert_ok(crm_nps(ds, "s", &v));
    ck_assert_double_eq(v, 30);
    crm_dataset_free(ds);

    double all_det[] = {0, 3, 6};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "s", all_det, 3));
    ck_assert_ok(crm_nps(ds, "s", &v));
    ck_assert_double_eq(v, -100);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_satisfaction)
{
    const char *fb[110];
    double flag[100];
    for (int i = 0; i < 110; i++)
        fb[i] = i >= 100 ? NULL : i < 50 ? "good" : i < 80 ? "great" : i < 90 ? "bad" : "meh";
    for (int i = 0; i < 100; i++)
        flag[i] = i < 80 ? 1 : 0;
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "feedback", fb, 110));
    double v = 0;
    const char *pos[] = {"good", "great", "not present"};
    ck_assert_ok(crm_satisfaction(ds, "feedback", pos, 3, &v));
    ck_assert_double_eq(v, 0.8);
    ck_assert_ok(crm_satisfaction(ds, "feedback", pos, 1, &v));
    ck_assert_double_eq(v, 0.5);
    crm_dataset_free(ds);
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "happy", flag, 100));
    ck_assert_ok(crm_satisfaction(ds, "happy", NULL, 0, &v));
    ck_assert_double_eq(v, 0.8);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_funnel)
{
    const char *stage[101];
    for (int i = 0; i < 101; i++)
        stage[i] = i == 100 ? NULL
                   : i < 50 ? "visit"
                   : i < 70 ? "cart"
                   : i < 80 ? "checkout"
                            : "purchase";
    crm_dataset *ds = NULL, *f = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_text(ds, "furthest", stage, 101));
    const char *stages[] = {"visit", "cart", "checkout", "purchase"};
    ck_assert_ok(crm_funnel(ds, "furthest", stages, 4, &f));
    check_text(f, "stage", stages, 4);
    check_num(f, "count", (const double[]){100, 50, 30, 20}, 4);
    check_num(f, "overall", (const double[]){1, 0.5, 0.3, 0.2}, 4);
    double conv[5];
    num_col(f, "conversion", conv);
    ck_assert(isnan(conv[0]));
    ck_assert_double_eq(conv[1], 0.5);
    ck_assert_double_eq(conv[2], 0.6);
    ck_assert_double_eq(conv[3], 20.0 / 30.0);
    crm_dataset_free(f);
    /* a stage nobody reached: counts 0, conversion after it NaN */
    const char *stages5[] = {"visit", "cart", "checkout", "purchase", "repeat"};
    ck_assert_ok(crm_funnel(ds, "furthest", stages5, 5, &f));
    check_num(f, "count", (const double[]){100, 50, 30, 20, 0}, 5);
    num_col(f, "conversion", conv);
    ck_assert_double_eq(conv[3], 20.0 / 30.0);
    crm_dataset_free(f);
    crm_dataset_free(ds);
}
END_TEST

/* ---- limits --------------------------------------------------------------- */

START_TEST(test_rfm_single_row)
{
    crm_dataset *tx = NULL, *r = NULL;
    const char *id[] = {"only"};
    int64_t when[] = {-DAY - 1}; /* before 1970: as_of = 1969-12-31 00:00 */
    double a[] = {5};
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "id", id, 1));
    ck_assert_ok(crm_dataset_add_time(tx, "t", when, 1));
    ck_assert_ok(crm_dataset_add_number(tx, "a", a, 1));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.amount = "a";
    o.bins = 9;
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_num(r, "recency_days", (const double[]){0}, 1);
    check_num(r, "r_score", (const double[]){1}, 1);
    check_text(r, "rfm_cell", (const char *const[]){"111"}, 1);
    check_text(r, "segment", (const char *const[]){"Lost"}, 1);
    crm_dataset_free(r);
    o.bins = 1; /* every score 1, mapped to 3 on the grid: Need Attention */
    ck_assert_ok(crm_rfm(tx, &o, &r));
    check_text(r, "segment", (const char *const[]){"Need Attention"}, 1);
    crm_dataset_free(r);
    crm_dataset_free(tx);
}
END_TEST

static crm_status rfm_alloc_body(void)
{
    crm_dataset *tx = NULL, *r = NULL;
    crm_status st = build_tx(&tx);
    if (st) return st;
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "cust";
    o.date = "when";
    o.quantity = "qty";
    o.price = "price";
    o.invoice = "invoice";
    st = crm_rfm(tx, &o, &r);
    if (!st && !r) st = CRM_E_STATE;
    crm_dataset_free(r);
    crm_dataset_free(tx);
    return st;
}

/* The churn table: RFM up to a cutoff, group + join of the window. */
static crm_status rfm_churn_alloc_body(void)
{
    crm_dataset *tx = NULL, *r = NULL;
    const char *id[] = {"c1", "c2", "c1", "c3", "c4", "c4"};
    int64_t when[] = {DAY, 2 * DAY, 12 * DAY, 15 * DAY, 3 * DAY, 50 * DAY};
    double amount[] = {5, 7, 100, 9, 4, 8};
    crm_status st = crm_dataset_new(&tx);
    if (!st) st = crm_dataset_add_text(tx, "who", id, 6);
    if (!st) st = crm_dataset_add_time(tx, "t", when, 6);
    if (!st) st = crm_dataset_add_number(tx, "amt", amount, 6);
    crm_rfm_options o;
    crm_rfm_options_init(&o, sizeof o);
    o.customer = "who";
    o.date = "t";
    o.amount = "amt";
    o.as_of = 10 * DAY;
    o.churn_days = 30;
    if (!st) st = crm_rfm(tx, &o, &r);
    crm_dataset_free(r);
    crm_dataset_free(tx);
    return st;
}

static crm_status rfm_num_alloc_body(void)
{
    /* number customers and invoices: the hash paths, grown past 512 keys */
    enum { N = 1500 };
    static double id[N], inv[N], a[N];
    static int64_t t[N];
    for (int i = 0; i < N; i++) {
        id[i] = (double)(i % 700);
        inv[i] = (double)(i / 2);
        a[i] = 1 + i % 3;
        t[i] = i * 1000;
    }
    crm_dataset *tx = NULL, *r = NULL;
    crm_status st = crm_dataset_new(&tx);
    if (!st) st = crm_dataset_add_number(tx, "id", id, N);
    if (!st) st = crm_dataset_add_number(tx, "inv", inv, N);
    if (!st) st = crm_dataset_add_number(tx, "a", a, N);
    if (!st) st = crm_dataset_add_time(tx, "t", t, N);
    if (!st) {
        crm_rfm_options o;
        crm_rfm_options_init(&o, sizeof o);
        o.customer = "id";
        o.date = "t";
        o.amount = "a";
        o.invoice = "inv";
        st = crm_rfm(tx, &o, &r);
        if (!st && crm_dataset_nrows(r) != 700) st = CRM_E_STATE;
    }
    crm_dataset_free(r);
    crm_dataset_free(tx);
    return st;
}

static crm_status kpi_alloc_body(void)
{
    const char *s[] = {"visit", "cart", NULL, "buy", "cart"};
    crm_dataset *ds = NULL, *f = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (!st) st = crm_dataset_add_text(ds, "s", s, 5);
    if (!st) st = crm_funnel(ds, "s", (const char *const[]){"visit", "cart", "buy"}, 3, &f);
    double v;
    if (!st) st = crm_satisfaction(ds, "s", (const char *const[]){"buy"}, 1, &v);
    crm_dataset_free(f);
    crm_dataset_free(ds);
    return st;
}

START_TEST(test_alloc_failure)
{
    CRM_TEST_EACH_ALLOC_FAILURE(rfm_alloc_body());
    CRM_TEST_EACH_ALLOC_FAILURE(rfm_num_alloc_body());
    CRM_TEST_EACH_ALLOC_FAILURE(rfm_churn_alloc_body());
    CRM_TEST_EACH_ALLOC_FAILURE(kpi_alloc_body());
}
END_TEST

/* ---- bad input --------------------------------------------------------------- */

/* The call fails with `status`, a message containing `needle`, *out NULL and
 * tx unchanged. */
static void rfm_fails(const crm_dataset *tx, const crm_rfm_options *o, crm_status status,
                      const char *needle)
{
    crm_dataset *r = (crm_dataset *)1;
    size_t rows = crm_dataset_nrows(tx), cols = crm_dataset_ncols(tx);
    ck_assert_error(crm_rfm(tx, o, &r), status);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(crm_last_error(), needle), "message \"%s\" lacks \"%s\"", crm_last_error(),
                  needle);
    ck_assert_uint_eq(crm_dataset_nrows(tx), rows);
    ck_assert_uint_eq(crm_dataset_ncols(tx), cols);
}

START_TEST(test_rfm_bad_options)
{
    crm_dataset *tx = make_tx(), *r = (crm_dataset *)1;
    crm_rfm_options o;
    opts_qp(&o);
    ck_assert_error(crm_rfm(NULL, &o, &r), CRM_E_INVALID);
    ck_assert_ptr_null(r);
    ck_assert_error(crm_rfm(tx, &o, NULL), CRM_E_INVALID);
    rfm_fails(tx, NULL, CRM_E_INVALID, "customer and date are required");
    o.customer = "nope";
    rfm_fails(tx, &o, CRM_E_NOTFOUND, "\"nope\"");
    opts_qp(&o);
    o.date = "qty";
    rfm_fails(tx, &o, CRM_E_TYPE, "date column \"qty\" is number");
    opts_qp(&o);
    o.price = "invoice";
    rfm_fails(tx, &o, CRM_E_TYPE, "price column \"invoice\" is text");
    opts_qp(&o);
    o.amount = "amount";
    rfm_fails(tx, &o, CRM_E_INVALID, "not both");
    opts_qp(&o);
    o.price = NULL;
    rfm_fails(tx, &o, CRM_E_INVALID, "quantity and price");
    opts_qp(&o);
    o.invoice = "inv";
    rfm_fails(tx, &o, CRM_E_NOTFOUND, "\"inv\"");
    opts_qp(&o);
    o.bins = 0;
    rfm_fails(tx, &o, CRM_E_INVALID, "bins");
    o.bins = 10;
    rfm_fails(tx, &o, CRM_E_INVALID, "bins");
    opts_qp(&o);
    o.active_days = -1;
    rfm_fails(tx, &o, CRM_E_INVALID, "active_days");
    opts_qp(&o);
    o.inactive_days = 30;
    rfm_fails(tx, &o, CRM_E_INVALID, "inactive_days");
    opts_qp(&o);
    o.as_of = 19 * DAY + 12 * HOUR; /* row 3 is at 23:00 that day */
    rfm_fails(tx, &o, CRM_E_INVALID, "row 3");
    /* options from a newer library with an unknown field set */
    struct {
        crm_rfm_options o;
        int64_t extra;
    } big;
    memset(&big, 0, sizeof big);
    ck_assert_ok(crm_rfm_options_init(&big.o, sizeof big));
    big.o.customer = "cust";
    big.o.date = "when";
    big.o.amount = "amount";
    ck_assert_ok(crm_rfm(tx, &big.o, &r));
    crm_dataset_free(r);
    big.extra = 1;
    rfm_fails(tx, &big.o, CRM_E_FORMAT, "offset");
    opts_qp(&o);
    o.size = 8;
    rfm_fails(tx, &o, CRM_E_INVALID, "crm_rfm_options");
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_default_as_of_bad)
{
    crm_dataset *tx = make_tx(), *empty = NULL, *gap = NULL;
    int64_t as_of = 7;
    ck_assert_error(crm_rfm_default_as_of(NULL, "when", &as_of), CRM_E_INVALID);
    ck_assert_error(crm_rfm_default_as_of(tx, NULL, &as_of), CRM_E_INVALID);
    ck_assert_error(crm_rfm_default_as_of(tx, "when", NULL), CRM_E_INVALID);
    ck_assert_error(crm_rfm_default_as_of(tx, "nope", &as_of), CRM_E_NOTFOUND);
    ck_assert_msg(strstr(crm_last_error(), "\"nope\""), "%s", crm_last_error());
    ck_assert_error(crm_rfm_default_as_of(tx, "qty", &as_of), CRM_E_TYPE);
    ck_assert_msg(strstr(crm_last_error(), "date column \"qty\" is number"), "%s",
                  crm_last_error());
    ck_assert_ok(crm_dataset_new(&empty));
    ck_assert_ok(crm_dataset_add_time(empty, "t", NULL, 0));
    ck_assert_error(crm_rfm_default_as_of(empty, "t", &as_of), CRM_E_INVALID);
    ck_assert_msg(strstr(crm_last_error(), "no rows"), "%s", crm_last_error());
    const int64_t when[] = {DAY, CRM_TIME_MISSING};
    ck_assert_ok(crm_dataset_new(&gap));
    ck_assert_ok(crm_dataset_add_time(gap, "t", when, 2));
    ck_assert_error(crm_rfm_default_as_of(gap, "t", &as_of), CRM_E_INVALID);
    ck_assert_msg(strstr(crm_last_error(), "row 1: missing value"), "%s", crm_last_error());
    ck_assert_int_eq(as_of, 0); /* a number output is 0 after a failure (crm/common.h) */
    crm_dataset_free(gap);
    crm_dataset_free(empty);
    crm_dataset_free(tx);
}
END_TEST

START_TEST(test_rfm_bad_rows)
{
    const char *id[] = {"a", "b", NULL};
    const char *inv[] = {"1", NULL, "3"};
    int64_t when[] = {0, CRM_TIME_MISSING, 0};
    double q[] = {1, 2, -3};
    double p[] = {1, NAN, 0};
    double a[] = {1, 0, INFINITY};
    crm_dataset *tx = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_text(tx, "id", id, 1));
    ck_assert_ok(crm_dataset_add_time(tx, "t", when, 1));
    ck_assert_ok(crm_dataset_add_number(tx, "a", a, 1));
    crm_rfm_options o;
    ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
    o.customer = "id";
    o.date = "t";
    o.amount = "a";
    crm_dataset *h = NULL;
    ck_assert_ok(crm_dataset_head(tx, 0, &h));
    rfm_fails(h, &o, CRM_E_INVALID, "no rows");
    crm_dataset_free(h);
    crm_dataset_free(tx);

    /* each bad cell alone, named with its column and row */
    struct {
        int which;
        const char *needle;
    } cases[] = {{0, "customer column \"id\", row 2: missing"},
                 {1, "date column \"t\", row 1: missing"},
                 {2, "amount column \"a\", row 1: amount 0 is not"},
                 {3, "row 2: quantity \"q\" -3 * price \"p\" 0"},
                 {4, "price column \"p\", row 1: missing"},
                 {5, "invoice column \"inv\", row 1: missing"},
                 {6, "amount column \"a\", row 2: amount inf"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *ids[3] = {"a", "b", "c"};
        const char *invs[3] = {"1", "2", "3"};
        int64_t ts[3] = {0, 0, 0};
        double qs[3] = {1, 1, 1}, ps[3] = {1, 1, 1}, as[3] = {1, 1, 1};
        ck_assert_ok(crm_rfm_options_init(&o, sizeof o));
        o.customer = "id";
        o.date = "t";
        switch (cases[k].which) {
        case 0:
            ids[2] = id[2];
            o.amount = "a";
            break;
        case 1:
            ts[1] = when[1];
            o.amount = "a";
            break;
        case 2:
            as[1] = a[1];
            o.amount = "a";
            break;
        case 3:
            qs[2] = q[2];
            ps[2] = p[2];
            o.quantity = "q";
            o.price = "p";
            break;
        case 4:
            ps[1] = p[1];
            o.quantity = "q";
            o.price = "p";
            break;
        case 5:
            invs[1] = inv[1];
            o.amount = "a";
            o.invoice = "inv";
            break;
        default:
            as[2] = a[2];
            o.amount = "a";
            break;
        }
        ck_assert_ok(crm_dataset_new(&tx));
        ck_assert_ok(crm_dataset_add_text(tx, "id", ids, 3));
        ck_assert_ok(crm_dataset_add_text(tx, "inv", invs, 3));
        ck_assert_ok(crm_dataset_add_time(tx, "t", ts, 3));
        ck_assert_ok(crm_dataset_add_number(tx, "q", qs, 3));
        ck_assert_ok(crm_dataset_add_number(tx, "p", ps, 3));
        ck_assert_ok(crm_dataset_add_number(tx, "a", as, 3));
        rfm_fails(tx, &o, CRM_E_INVALID, cases[k].needle);
        crm_dataset_free(tx);
    }
}
END_TEST

START_TEST(test_kpi_bad_input)
{
    crm_dataset *ds = NULL, *f = (crm_dataset *)1;
    double r[] = {10, 7.5, 3};
    double r2[] = {10, 11, 3};
    double none[] = {NAN, NAN, NAN};
    const char *s[] = {"visit", "cart", "lost"};
    int64_t t[] = {0, 1, 2};
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "r", r, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "r2", r2, 3));
    ck_assert_ok(crm_dataset_add_number(ds, "none", none, 3));
    ck_assert_ok(crm_dataset_add_text(ds, "s", s, 3));
    ck_assert_ok(crm_dataset_add_time(ds, "t", t, 3));
    double v = 42;
    ck_assert_error(crm_nps(NULL, "r", &v), CRM_E_INVALID);
    ck_assert_error(crm_nps(ds, "r", &v), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 1: rating 7.5"));
    ck_assert_error(crm_nps(ds, "r2", &v), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 1: rating 11"));
    ck_assert_error(crm_nps(ds, "none", &v), CRM_E_INVALID);
    ck_assert_error(crm_nps(ds, "s", &v), CRM_E_TYPE);
    ck_assert_error(crm_nps(ds, "zz", &v), CRM_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "\"zz\""));
    ck_assert(isnan(v)); /* a double output is NaN after a failure (crm/common.h) */
    v = 42;

    const char *pos[] = {"cart"};
    ck_assert_error(crm_satisfaction(ds, "s", NULL, 0, &v), CRM_E_INVALID);
    ck_assert_error(crm_satisfaction(ds, "s", (const char *const[]){NULL}, 1, &v), CRM_E_INVALID);
    ck_assert_error(crm_satisfaction(ds, "r", pos, 1, &v), CRM_E_INVALID);
    ck_assert_error(crm_satisfaction(ds, "none", NULL, 0, &v), CRM_E_INVALID);
    ck_assert_error(crm_satisfaction(ds, "t", NULL, 0, &v), CRM_E_TYPE);
    ck_assert_error(crm_satisfaction(ds, "zz", pos, 1, &v), CRM_E_NOTFOUND);
    ck_assert_error(crm_satisfaction(NULL, "s", pos, 1, &v), CRM_E_INVALID);
    ck_assert(isnan(v));

    const char *st[] = {"visit", "cart"};
    ck_assert_error(crm_funnel(ds, "s", st, 2, &f), CRM_E_INVALID);
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "row 2: \"lost\" is not one of"));
    f = (crm_dataset *)1;
    ck_assert_error(crm_funnel(ds, "s", st, 0, &f), CRM_E_INVALID);
    ck_assert_ptr_null(f);
    ck_assert_error(crm_funnel(ds, "s", (const char *const[]){"a", "a"}, 2, &f), CRM_E_INVALID);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "listed twice"));
    ck_assert_error(crm_funnel(ds, "s", (const char *const[]){"a", NULL}, 2, &f), CRM_E_INVALID);
    ck_assert_error(crm_funnel(ds, "r", st, 2, &f), CRM_E_TYPE);
    ck_assert_error(crm_funnel(ds, "zz", st, 2, &f), CRM_E_NOTFOUND);
    ck_assert_error(crm_funnel(NULL, "s", st, 2, &f), CRM_E_INVALID);
    ck_assert_error(crm_funnel(ds, "s", st, 2, NULL), CRM_E_INVALID);
    ck_assert_ptr_null(f);
    ck_assert_uint_eq(crm_dataset_nrows(ds), 3);
    ck_assert_uint_eq(crm_dataset_ncols(ds), 5);
    crm_dataset_free(ds);
}
END_TEST

Suite *crm_rfm_suite(void)
{
    Suite *s = suite_create("rfm");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_rfm_hand_checked);
    tcase_add_test(core, test_rfm_rows_and_amount);
    tcase_add_test(core, test_rfm_bins3);
    tcase_add_test(core, test_rfm_as_of_and_lifecycle);
    tcase_add_test(core, test_rfm_default_as_of_and_names);
    tcase_add_test(core, test_rfm_number_customers);
    tcase_add_test(core, test_rfm_number_invoices);
    tcase_add_test(core, test_rfm_time_customers);
    tcase_add_test(core, test_rfm_exact_monetary);
    tcase_add_test(core, test_rfm_many_customers);
    tcase_add_test(core, test_options_init);
    tcase_add_test(core, test_rfm_churn_table);
    tcase_add_test(core, test_nps);
    tcase_add_test(core, test_satisfaction);
    tcase_add_test(core, test_funnel);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_rfm_single_row);
    tcase_add_test(limits, test_alloc_failure);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_rfm_bad_options);
    tcase_add_test(bad, test_rfm_bad_rows);
    tcase_add_test(bad, test_rfm_default_as_of_bad);
    tcase_add_test(bad, test_kpi_bad_input);
    suite_add_tcase(s, bad);
    return s;
}
