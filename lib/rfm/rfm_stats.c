/* RFM as mergeable statistics (crm/stats.h): per customer (kept in ascending customer order)
 * the first and last purchase, the line count, the sorted distinct invoice ids and the exact
 * expansion of the amounts; finalize scores and labels with crm_rfm's own code (rfm.c). */
#include "core/stats_internal.h"
#include "rfm/rfm_internal.h"

#include <math.h>
#include <string.h>

#define DAY 86400

typedef struct r_stats {
    int32_t has_inv;
    int64_t tmax;     /* latest date, CRM_TIME_MISSING when no rows */
    size_t n, capn;   /* customers */
    crm__kcol cust;   /* ascending */
    int64_t *first, *last, *lines;
    size_t *inv_off;  /* n + 1 offsets into inv (has_inv) */
    crm__kcol inv;    /* per customer: distinct ids, ascending */
    crm__xsums mon;
} r_stats;

static void r_free(void *sp)
{
    r_stats *s = sp;
    if (!s) return;
    crm__kcol_free(&s->cust);
    crm__kcol_free(&s->inv);
    crm__free(s->first);
    crm__free(s->last);
    crm__free(s->lines);
    crm__free(s->inv_off);
    crm__xsums_free(&s->mon);
    crm__free(s);
}

static r_stats *r_new(int32_t has_inv)
{
    r_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->has_inv = has_inv;
    s->tmax = CRM_TIME_MISSING;
    s->inv_off = crm__calloc(1, sizeof *s->inv_off);
    if (!s->inv_off) {
        crm__free(s);
        return NULL;
    }
    return s;
}

static crm_status r_reserve(r_stats *s)
{
    if (s->n < s->capn) return CRM_OK;
    size_t cap = s->capn ? 2 * s->capn : 16;
    int64_t *f = crm__realloc_array(s->first, cap, sizeof *f);
    if (!f) return crm__nomem();
    s->first = f;
    int64_t *l = crm__realloc_array(s->last, cap, sizeof *l);
    if (!l) return crm__nomem();
    s->last = l;
    int64_t *c = crm__realloc_array(s->lines, cap, sizeof *c);
    if (!c) return crm__nomem();
    s->lines = c;
    size_t *o = crm__realloc_array(s->inv_off, cap + 1, sizeof *o);
    if (!o) return crm__nomem();
    s->inv_off = o;
    s->capn = cap;
    return CRM_OK;
}

/* ---- compute ------------------------------------------------------------------------------- */

static int by_cust_inv(const void *ctx, size_t a, size_t b)
{
    const rfm_input *in = ctx;
    int c = crm__cell_cmp(in->cust, a, b);
    if (c || !in->inv) return c;
    return crm__cell_cmp(in->inv, a, b);
}

/* One customer: rows v[0..m) of in (sorted by invoice). */
static crm_status add_customer(r_stats *s, const rfm_input *in, const size_t *v, size_t m)
{
    crm_status st = r_reserve(s);
    if (st) return st;
    crm__fsum f;
    crm__fsum_init(&f);
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t i = 0; i < m && !st; i++) {
        size_t r = v[i];
        crm__fsum_add(&f, in->a ? in->a[r] : in->q[r] * in->pr[r]);
        if (in->date[r] < first) first = in->date[r];
        if (in->date[r] > last) last = in->date[r];
        if (in->inv && (i == 0 || crm__cell_cmp(in->inv, v[i - 1], r) != 0))
            st = crm__kcol_push_cell(&s->inv, in->inv, r);
    }
    if (!st) st = crm__xsums_push(&s->mon, &f);
    if (!st) st = crm__kcol_push_cell(&s->cust, in->cust, v[0]);
    if (st) return st;
    s->first[s->n] = first;
    s->last[s->n] = last;
    s->lines[s->n] = (int64_t)m;
    s->n++;
    s->inv_off[s->n] = s->inv.n;
    if (last > s->tmax || s->tmax == CRM_TIME_MISSING) s->tmax = last;
    return CRM_OK;
}

/* The chunk's customers: rows grouped by customer with crm_rfm's own hash ids, customer sort
 * and counting sort (a merge sort of all rows by (customer, invoice) cost 5x crm_rfm); each
 * customer's rows then ordered by invoice where they are not already. */
static crm_status r_fill(r_stats *s, const rfm_input *in)
{
    size_t *v = NULL, *start = NULL, *tmp = NULL, nc = 0;
    crm_status st = crm__rfm_customer_rows(in, &v, &start, &nc);
    if (!st && in->inv && !(tmp = crm__malloc_array(in->nrows + 1, sizeof *tmp)))
        st = crm__nomem();
    for (size_t c = 0; c < nc && !st; c++) {
        size_t *g = v + start[c], m = start[c + 1] - start[c];
        int sorted = 1;
        for (size_t j = 1; j < m && in->inv && sorted; j++)
            sorted = crm__cell_cmp(in->inv, g[j - 1], g[j]) <= 0;
        if (!sorted) crm__sort_rows(g, tmp, m, by_cust_inv, in);
        st = add_customer(s, in, g, m);
    }
    crm__free(v);
    crm__free(start);
    crm__free(tmp);
    return st;
}

static uint64_t r_fingerprint(const crm_rfm_options *o)
{
    uint64_t h = crm__fp_str(CRM__FP_INIT, o->customer);
    h = crm__fp_str(crm__fp_str(h, o->date), o->amount);
    h = crm__fp_str(crm__fp_str(h, o->quantity), o->price);
    return crm__fp_str(h, o->invoice);
}

crm_status crm_rfm_stats_compute(const crm_dataset *tx, const crm_rfm_options *opts,
                                 crm_stats **out)
{
    if (out) *out = NULL;
    if (!tx || !out) return crm__error(CRM_E_INVALID, "crm_rfm_stats_compute: NULL argument");
    crm_rfm_options o;
    rfm_input in = {0};
    crm_status st = crm__rfm_load_options(opts, &o);
    if (st || (st = crm__rfm_find_input(tx, &o, &in)) || (st = crm__rfm_validate_rows(&in, &o)))
        return st;
    r_stats *s = r_new(in.inv != NULL);
    if (!s) return crm__nomem();
    s->cust.type = in.cust->type;
    if (in.inv) s->inv.type = in.inv->type;
    if ((st = r_fill(s, &in))) {
        r_free(s);
        return st;
    }
    return crm__stats_wrap(&crm__stats_rfm_ops, r_fingerprint(&o), (int64_t)in.nrows, s, out);
}

/* ---- merge --------------------------------------------------------------------------------- */

/* Append customer i of a and/or j of b (NULL for absent) to t. */
static crm_status take_customer(r_stats *t, const r_stats *a, size_t i, const r_stats *b,
                                size_t j)
{
    if (a && b && b->lines[j] > CRM__MAX_COUNT - a->lines[i]) return crm__count_overflow();
    crm_status st = r_reserve(t);
    if (!st) st = crm__kcol_push(&t->cust, a ? &a->cust : &b->cust, a ? i : j);
    crm__fsum f;
    crm__fsum_init(&f);
    if (a) crm__xsums_add_to(&a->mon, i, &f);
    if (b) crm__xsums_add_to(&b->mon, j, &f);
    if (!st) st = crm__xsums_push(&t->mon, &f);
    /* invoices: union of two ascending lists */
    size_t x = a ? a->inv_off[i] : 0, xe = a ? a->inv_off[i + 1] : 0;
    size_t y = b ? b->inv_off[j] : 0, ye = b ? b->inv_off[j + 1] : 0;
    while (!st && (x < xe || y < ye)) {
        int c = x >= xe ? 1 : y >= ye ? -1 : crm__kcol_cmp(&a->inv, x, &b->inv, y);
        if (c <= 0)
            st = crm__kcol_push(&t->inv, &a->inv, x++);
        else
            st = crm__kcol_push(&t->inv, &b->inv, y++);
        if (c == 0) y++;
    }
    if (st) return st;
    size_t n = t->n;
    t->first[n] = a && b ? (a->first[i] < b->first[j] ? a->first[i] : b->first[j])
                         : (a ? a->first[i] : b->first[j]);
    t->last[n] = a && b ? (a->last[i] > b->last[j] ? a->last[i] : b->last[j])
                        : (a ? a->last[i] : b->last[j]);
    t->lines[n] = (a ? a->lines[i] : 0) + (b ? b->lines[j] : 0);
    t->n++;
    t->inv_off[t->n] = t->inv.n;
    return CRM_OK;
}

static crm_status r_merge(void *ip, const void *op)
{
    r_stats *a = ip;
    const r_stats *b = op;
    if (a->has_inv != b->has_inv)
        return crm__error(CRM_E_STATE, "crm_stats_merge: RFM statistics with and without an "
                                       "invoice column");
    crm_status st = crm__kcol_unify(&a->cust, &b->cust, "the customer column");
    if (!st && a->has_inv) st = crm__kcol_unify(&a->inv, &b->inv, "the invoice column");
    if (st) return st;
    r_stats *t = r_new(a->has_inv);
    if (!t) return crm__nomem();
    t->cust.type = a->cust.type;
    t->inv.type = a->inv.type;
    size_t i = 0, j = 0;
    while (!st && (i < a->n || j < b->n)) {
        int c = i >= a->n ? 1 : j >= b->n ? -1 : crm__kcol_cmp(&a->cust, i, &b->cust, j);
        if (c < 0)
            st = take_customer(t, a, i++, NULL, 0);
        else if (c > 0)
            st = take_customer(t, NULL, 0, b, j++);
        else
            st = take_customer(t, a, i++, b, j++);
    }
    if (st) {
        r_free(t);
        return st;
    }
    t->tmax = a->tmax == CRM_TIME_MISSING                             ? b->tmax
              : b->tmax == CRM_TIME_MISSING || a->tmax >= b->tmax ? a->tmax
                                                                      : b->tmax;
    r_stats tmp = *a;
    *a = *t;
    *t = tmp;
    r_free(t);
    return CRM_OK;
}

/* ---- bytes --------------------------------------------------------------------------------- */

static void r_write(crm__wbuf *w, const void *sp)
{
    const r_stats *s = sp;
    crm__w_u32(w, (uint32_t)s->has_inv);
    crm__w_i64(w, s->tmax);
    crm__w_u64(w, s->n);
    crm__kcol_write(w, &s->cust);
    for (size_t i = 0; i < s->n; i++) {
        crm__w_i64(w, s->first[i]);
        crm__w_i64(w, s->last[i]);
        crm__w_i64(w, s->lines[i]);
        crm__w_u64(w, s->inv_off[i + 1]);
    }
    crm__kcol_write(w, &s->inv);
    crm__xsums_write(w, &s->mon);
}

static crm_status r_read(crm__rbuf *r, void **out)
{
    uint32_t has_inv = crm__r_u32(r);
    int64_t tmax = crm__r_i64(r);
    size_t n = crm__r_count(r, 32);
    if (r->bad || has_inv > 1) {
        r->bad = 1;
        return CRM_OK;
    }
    r_stats *s = r_new((int32_t)has_inv);
    if (!s) return crm__nomem();
    *out = s;
    s->tmax = tmax;
    crm_status st = crm__kcol_read(r, &s->cust);
    while (!st && s->capn < n)
        s->n = s->capn, st = r_reserve(s);
    s->n = n;
    if (st || r->bad || s->cust.n != n) {
        r->bad |= !st;
        s->n = 0;
        return st;
    }
    for (size_t i = 0; i < n && !r->bad; i++) {
        s->first[i] = crm__r_i64(r);
        s->last[i] = crm__r_i64(r);
        s->lines[i] = crm__r_i64(r);
        s->inv_off[i + 1] = (size_t)crm__r_u64(r);
        if (s->first[i] > s->last[i] || s->lines[i] < 1 || s->lines[i] > CRM__MAX_COUNT ||
            s->inv_off[i + 1] < s->inv_off[i])
            r->bad = 1;
    }
    if (r->bad) return CRM_OK;
    if ((st = crm__kcol_read(r, &s->inv)) || (st = crm__xsums_read(r, &s->mon))) return st;
    if (s->inv.n != s->inv_off[n] || s->mon.n != n || (!has_inv && s->inv.n) ||
        (n && tmax == CRM_TIME_MISSING))
        r->bad = 1;
    return CRM_OK;
}

static crm_status r_values(const void *sp, const char *name, double *out, size_t *n)
{
    (void)sp;
    (void)out;
    (void)n;
    return crm__error(CRM_E_NOTFOUND, "crm_stats_values: RFM statistics have no \"%s\" (use "
                                      "crm_rfm_stats_finalize)",
                      name);
}

const crm__stats_ops crm__stats_rfm_ops = {CRM_STATS_RFM, "RFM", r_free, r_merge, 1, r_write,
                                           r_read, r_values};

/* ---- finalize ------------------------------------------------------------------------------ */

static crm_status r_figures(const r_stats *s, int64_t as_of, double *const *num)
{
    for (size_t i = 0; i < s->n; i++) {
        num[MON][i] = crm__xsums_result(&s->mon, i);
        num[FREQ][i] = (double)(s->has_inv ? s->inv_off[i + 1] - s->inv_off[i]
                                           : (size_t)s->lines[i]);
        num[REC][i] = (double)(((uint64_t)as_of - (uint64_t)s->last[i]) / DAY);
        num[TEN][i] = (double)(((uint64_t)as_of - (uint64_t)s->first[i]) / DAY);
    }
    return CRM_OK;
}

crm_status crm_rfm_stats_finalize(const crm_stats *stats, const crm_rfm_options *opts,
                                  crm_dataset **out)
{
    const char *fn = "crm_rfm_stats_finalize";
    if (out) *out = NULL;
    if (!out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    crm_status st;
    const r_stats *s = crm__stats_state(stats, CRM_STATS_RFM, fn, &st);
    if (!s) return st;
    crm_rfm_options o;
    if ((st = crm__rfm_load_options(opts, &o))) return st;
    if (o.churn_days != 0)
        return crm__error(CRM_E_INVALID, "%s: churn_days is not supported (must be 0)", fn);
    if (s->n == 0) return crm__error(CRM_E_INVALID, "%s: the transactions have no rows", fn);
    int64_t as_of = o.as_of;
    if (as_of == CRM_TIME_MISSING &&
        (st = crm__rfm_as_of_after(s->tmax, fn, o.date ? o.date : "date", &as_of)))
        return st;
    if (s->tmax > as_of)
        return crm__error(CRM_E_INVALID, "%s: a transaction is after as_of", fn);
    double *num[NNUM] = {0};
    crm_dataset *res = NULL;
    crm__kcol cust = {s->cust.type, 0, 0, NULL, NULL, NULL};
    for (int k = 0; k < NNUM; k++)
        if (!(num[k] = crm__malloc_array(s->n, sizeof(double)))) goto nomem;
    r_figures(s, as_of, num);
    if ((st = crm__rfm_scores(num, s->n, o.bins))) goto done;
    for (size_t i = 0; i < s->n && !st; i++)
        st = crm__kcol_push(&cust, &s->cust, i);
    if (!st) st = crm_dataset_new(&res);
    if (!st) st = crm__kcol_to_dataset(&cust, res, "customer");
    if (st) {
        crm_dataset_free(res);
        goto done;
    }
    st = crm__rfm_emit(res, s->n, num, &o, out);
    goto done;
nomem:
    st = crm__nomem();
done:
    for (int k = 0; k < NNUM; k++)
        crm__free(num[k]);
    crm__kcol_free(&cust);
    return st;
}
