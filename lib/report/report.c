/* crm_report_render / crm_report_write: options, the working table (filter,
 * amount column), the RFM step shared by the sections, and the page order. */
#include "report/report_internal.h"

#include "core/atomic_file.h"

#include "crm/rfm.h"

#include <math.h>
#include <string.h>

#define AMOUNT_COL "report amount"

static const crm_report_options report_defaults = {
    .size = sizeof(crm_report_options),
    .as_of = CRM_TIME_MISSING,
    .bins = 5,
    .active_days = 90,
    .inactive_days = 365,
    .k = 4,
    .churn_days = 90,
    .top_at_risk = 20,
    .top_clv = 20,
    .min_support = 0.01,
    .min_lift = 2,
    .max_rules = 10,
    .horizon = 6,
};

crm_status crm_report_options_init(crm_report_options *opts, size_t size)
{
    return crm__options_init(opts, size, &report_defaults, sizeof report_defaults,
                             sizeof report_defaults, "crm_report_options");
}

static crm_status check_options(const crm_report_options *o)
{
    if (!o->customer || !o->date)
        return crm__error(CRM_E_INVALID, "report: the %s column is required",
                          !o->customer ? "customer" : "date");
    if (o->amount && (o->quantity || o->price))
        return crm__error(CRM_E_INVALID, "report: give amount or quantity and price, not both");
    if (!o->amount && (!o->quantity || !o->price))
        return crm__error(CRM_E_INVALID, "report: an amount column, or quantity and price "
                                         "columns, are required");
    if (o->k < 1 || o->k > 20)
        return crm__error(CRM_E_INVALID, "report: k must be 1..20 (got %d)", (int)o->k);
    if (o->churn_days < 1 || o->churn_days > 36500)
        return crm__error(CRM_E_INVALID, "report: churn_days must be 1..36500 (got %lld)",
                          (long long)o->churn_days);
    if (o->top_at_risk < 0 || o->top_at_risk > 1000)
        return crm__error(CRM_E_INVALID, "report: top_at_risk must be 0..1000 (got %d)",
                          (int)o->top_at_risk);
    if (o->top_clv < 0 || o->top_clv > 1000)
        return crm__error(CRM_E_INVALID, "report: top_clv must be 0..1000 (got %d)",
                          (int)o->top_clv);
    if (!(o->min_support > 0 && o->min_support <= 1))
        return crm__error(CRM_E_INVALID, "report: min_support must be in (0, 1] (got %g)",
                          o->min_support);
    if (!(o->min_lift >= 0) || !isfinite(o->min_lift))
        return crm__error(CRM_E_INVALID, "report: min_lift must be >= 0 (got %g)", o->min_lift);
    if (o->max_rules < 0 || o->max_rules > 1000)
        return crm__error(CRM_E_INVALID, "report: max_rules must be 0..1000 (got %d)",
                          (int)o->max_rules);
    if (o->horizon < 1 || o->horizon > 60)
        return crm__error(CRM_E_INVALID, "report: horizon must be 1..60 (got %d)",
                          (int)o->horizon);
    if (o->n_threads < 0)
        return crm__error(CRM_E_INVALID, "report: n_threads must be >= 0 (got %d)",
                          (int)o->n_threads);
    return CRM_OK;
}

/* The rows to analyse (filtered), with an amount column when the amount is
 * quantity * price (the same product, rounded once, that crm_rfm() uses). */
static crm_status working_table(const crm_dataset *tx, const crm_report_options *o,
                                crm_dataset **own, const crm_dataset **work)
{
    crm_status st;
    *own = NULL;
    *work = tx;
    if (o->filter) {
        st = crm_dataset_filter(tx, o->filter, own);
        if (st) return crm__error_prefix(st, "report: filter");
        *work = *own;
    }
    if (crm_dataset_nrows(*work) == 0)
        return crm__error(CRM_E_INVALID, "report: no rows to analyse%s",
                          o->filter ? " after the filter" : "");
    if (o->amount) return CRM_OK;
    size_t n = crm_dataset_nrows(*work), cq, cp;
    st = crm_dataset_column_index(*work, o->quantity, &cq);
    if (!st) st = crm_dataset_column_index(*work, o->price, &cp);
    if (st) return st;
    double *q = crm__malloc_array(n, sizeof *q), *pr = crm__malloc_array(n, sizeof *pr);
    if (!q || !pr) st = crm__nomem();
    if (!st) st = crm_dataset_get_number(*work, cq, 0, n, q);
    if (!st) st = crm_dataset_get_number(*work, cp, 0, n, pr);
    for (size_t i = 0; !st && i < n; i++) q[i] *= pr[i];
    if (!st && !*own) st = crm_dataset_clone(tx, own);
    if (!st) st = crm_dataset_add_number(*own, AMOUNT_COL, q, n);
    crm__free(q);
    crm__free(pr);
    if (!st) *work = *own;
    return st;
}

static crm_status rfm_step(const crm_dataset *work, const crm_report_options *o, rep_rfm *r)
{
    crm_rfm_options ro;
    crm_rfm_options_init(&ro, sizeof ro);
    ro.customer = o->customer;
    ro.date = o->date;
    ro.amount = o->amount;
    ro.quantity = o->quantity;
    ro.price = o->price;
    ro.invoice = o->invoice;
    ro.as_of = o->as_of;
    ro.bins = o->bins;
    ro.active_days = o->active_days;
    ro.inactive_days = o->inactive_days;
    crm_status st = crm_rfm(work, &ro, &r->table);
    if (st) return crm__error_prefix(st, "report: rfm");
    r->as_of = o->as_of;
    if (r->as_of == CRM_TIME_MISSING) st = crm_rfm_default_as_of(work, o->date, &r->as_of);
    size_t n = crm_dataset_nrows(r->table), nt = crm_dataset_nrows(work), c;
    double *v = crm__malloc_array(n ? n : 1, sizeof *v);
    if (!v) return st ? st : crm__nomem();
    crm__fsum rev, ord;
    crm__fsum_init(&rev);
    crm__fsum_init(&ord);
    if (!st) st = crm_dataset_column_index(r->table, "monetary", &c);
    if (!st) st = crm_dataset_get_number(r->table, c, 0, n, v);
    for (size_t i = 0; !st && i < n; i++) crm__fsum_add(&rev, v[i]);
    if (!st) st = crm_dataset_column_index(r->table, "frequency", &c);
    if (!st) st = crm_dataset_get_number(r->table, c, 0, n, v);
    for (size_t i = 0; !st && i < n; i++) crm__fsum_add(&ord, v[i]);
    r->revenue = crm__fsum_result(&rev);
    r->orders = crm__fsum_result(&ord);
    int64_t *t = crm__malloc_array(nt, sizeof *t);
    if (!st && !t) st = crm__nomem();
    if (!st) st = crm_dataset_column_index(work, o->date, &c);
    if (!st) st = crm_dataset_get_time(work, c, 0, nt, t);
    r->first = INT64_MAX;
    r->last = INT64_MIN;
    for (size_t i = 0; !st && i < nt; i++) {
        if (t[i] == CRM_TIME_MISSING || (o->as_of != CRM_TIME_MISSING && t[i] > o->as_of))
            continue;
        if (t[i] < r->first) r->first = t[i];
        if (t[i] > r->last) r->last = t[i];
    }
    crm__free(t);
    crm__free(v);
    return st;
}

static crm_status render_page(const crm_dataset *tx, const crm_report_options *o, rep_page *p)
{
    crm_dataset *own = NULL;
    const crm_dataset *work = NULL;
    rep_rfm r = {0};
    crm_status st = working_table(tx, o, &own, &work);
    if (!st) st = rfm_step(work, o, &r);
    if (!st) {
        rep_head(p, o->title ? o->title : "Customer report");
        st = p->st;
    }
    if (!st) st = rep_section_overview(p, work, &r);
    if (!st) st = rep_section_rfm(p, &r);
    if (!st) st = rep_section_clusters(p, &r);
    if (!st) st = rep_section_churn(p, work, &r);
    if (!st) st = rep_section_clv(p, work, o->amount ? o->amount : AMOUNT_COL);
    if (!st) st = rep_section_crosssell(p, work);
    if (!st) st = rep_section_forecast(p, work, o->amount ? o->amount : AMOUNT_COL);
    if (!st) {
        rep_tail(p);
        st = p->st;
    }
    crm_dataset_free(r.table);
    crm_dataset_free(own);
    return st;
}

/* The page and its length (crm_report_write needs no strlen of megabytes). */
static crm_status render(const crm_dataset *tx, const crm_report_options *opts, char **out,
                         size_t *out_len)
{
    if (out) *out = NULL;
    *out_len = 0;
    if (!tx || !out) return crm__error(CRM_E_INVALID, "crm_report_render: %s is NULL",
                                       !tx ? "tx" : "out");
    crm_report_options o;
    crm_status st = crm__options_load(&o, opts, &report_defaults, sizeof o, sizeof o,
                                      "crm_report_options");
    if (!st) st = check_options(&o);
    if (st) return st;
    rep_page p = {.st = CRM_OK, .o = &o, .cur = o.currency ? o.currency : ""};
    st = render_page(tx, &o, &p);
    if (st) {
        crm__buf_free(&p.b);
        return st;
    }
    *out = p.b.data;
    *out_len = p.b.len;
    return CRM_OK;
}

crm_status crm_report_render(const crm_dataset *tx, const crm_report_options *opts, char **out)
{
    size_t len;
    return render(tx, opts, out, &len);
}

crm_status crm_report_write(const crm_dataset *tx, const crm_report_options *opts,
                            const char *path)
{
    if (!path) return crm__error(CRM_E_INVALID, "crm_report_write: path is NULL");
    char *html = NULL;
    size_t len = 0;
    crm_status st = render(tx, opts, &html, &len);
    if (st) return st;
    st = crm__write_file(path, html, len);
    crm__free(html);
    return st;
}
