/* Churn: a logistic regression trained on the customers as they stood
 * churn_days before as_of (churned = no purchase in the churn_days after),
 * applied to today's RFM table; the customers most at risk with the reason in
 * words, and the drivers as odds multipliers per natural step. */
#include "report/report_internal.h"

#include "crm/linear.h"
#include "crm/model.h"
#include "crm/rfm.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* The L2 penalty of the refit when the classes are separated. */
#define SEPARATION_L2 1.0

static const char *const feat[4] = {"recency_days", "frequency", "monetary", "tenure_days"};

typedef struct churn_fit {
    crm_model *m;
    double coef[4], pval[4], mean[4], intercept, l2;
    int64_t cutoff;
} churn_fit;

crm_status rep_cell_text(const crm_dataset *ds, size_t col, size_t row, char *buf, size_t cap)
{
    int32_t type;
    crm_status st = crm_dataset_column_type(ds, col, &type);
    if (st) return st;
    buf[0] = '\0';
    if (type == CRM_TYPE_NUMBER) {
        double v;
        char num[40];
        st = crm_dataset_get_number(ds, col, row, 1, &v);
        if (!st) {
            crm__format_number(v, '.', num);
            snprintf(buf, cap, "%s", num);
        }
    } else if (type == CRM_TYPE_TIME) {
        int64_t t;
        char d[40];
        st = crm_dataset_get_time(ds, col, row, 1, &t);
        if (!st) {
            crm__format_time(t, 0, d);
            snprintf(buf, cap, "%s", d);
        }
    } else {
        const char *s = NULL;
        st = crm_dataset_get_text(ds, col, row, &s);
        if (!st && s) snprintf(buf, cap, "%s", s);
    }
    return st;
}

static crm_status column_means(const crm_dataset *ds, double *mean)
{
    size_t n = crm_dataset_nrows(ds), c;
    double *v = crm__malloc_array(n ? n : 1, sizeof *v);
    if (!v) return crm__nomem();
    crm_status st = CRM_OK;
    for (int j = 0; j < 4 && !st; j++) {
        st = crm_dataset_column_index(ds, feat[j], &c);
        if (!st) st = crm_dataset_get_number(ds, c, 0, n, v);
        crm__fsum s;
        crm__fsum_init(&s);
        for (size_t i = 0; !st && i < n; i++) crm__fsum_add(&s, v[i]);
        mean[j] = n ? crm__fsum_result(&s) / (double)n : NAN;
    }
    crm__free(v);
    return st;
}

static crm_status read_coefs(churn_fit *f)
{
    crm_dataset *sum = NULL;
    crm_status st = crm_model_summary(f->m, &sum);
    size_t n = sum ? crm_dataset_nrows(sum) : 0, ct, ce, cp;
    if (!st) st = crm_dataset_column_index(sum, "term", &ct);
    if (!st) st = crm_dataset_column_index(sum, "estimate", &ce);
    if (!st) st = crm_dataset_column_index(sum, "p_value", &cp);
    for (size_t i = 0; !st && i < n; i++) {
        const char *term = NULL;
        double est, pv;
        st = crm_dataset_get_text(sum, ct, i, &term);
        if (!st) st = crm_dataset_get_number(sum, ce, i, 1, &est);
        if (!st) st = crm_dataset_get_number(sum, cp, i, 1, &pv);
        if (!st && strcmp(term, "intercept") == 0) f->intercept = est;
        for (int j = 0; !st && j < 4; j++)
            if (strcmp(term, feat[j]) == 0) f->coef[j] = est, f->pval[j] = pv;
    }
    crm_dataset_free(sum);
    return st;
}

static crm_status fit_churn(const crm_dataset *tx, const rep_rfm *r, const crm_report_options *o,
                            churn_fit *f)
{
    crm_rfm_options ro;
    crm_rfm_options_init(&ro, sizeof ro);
    ro.customer = o->customer;
    ro.date = o->date;
    ro.amount = o->amount;
    ro.quantity = o->quantity;
    ro.price = o->price;
    ro.invoice = o->invoice;
    ro.bins = o->bins;
    ro.active_days = o->active_days;
    ro.inactive_days = o->inactive_days;
    ro.churn_days = o->churn_days;
    f->cutoff = r->as_of - o->churn_days * 86400;
    ro.as_of = f->cutoff;
    crm_dataset *table = NULL;
    crm_status st = crm_rfm(tx, &ro, &table);
    crm_logreg_options lo;
    crm_logreg_options_init(&lo, sizeof lo);
    lo.n_threads = o->n_threads;
    if (!st) st = crm_logreg_fit(table, "churned", feat, 4, &lo, &f->m);
    if (st == CRM_E_NUMERIC) {
        /* (quasi-)complete separation, e.g. every frequent buyer stayed: a small ridge
         * penalty gives finite coefficients (and no p-values) */
        lo.l2 = f->l2 = SEPARATION_L2;
        st = crm_logreg_fit(table, "churned", feat, 4, &lo, &f->m);
    }
    if (!st) st = read_coefs(f);
    if (!st) st = column_means(table, f->mean);
    crm_dataset_free(table);
    return st;
}

/* The reason in words: the feature that pushes this customer's odds up most
 * compared with the average customer of the training table. */
static void reason(rep_page *p, const churn_fit *f, const double *x, char *buf, size_t cap)
{
    int best = -1;
    double top = 0;
    for (int j = 0; j < 4; j++) {
        double c = f->coef[j] * (x[j] - f->mean[j]);
        if (c > top) top = c, best = j;
    }
    void *old = crm__c_locale_enter();
    if (best == 0)
        snprintf(buf, cap, "no purchase for %.0f days (average customer: %.0f)", x[0], f->mean[0]);
    else if (best == 1)
        snprintf(buf, cap, "%s%.0f orders (average customer: %.1f)",
                 x[1] < f->mean[1] ? "only " : "", x[1], f->mean[1]);
    else if (best == 2)
        snprintf(buf, cap, "%s %s%.0f in total (average customer: %s%.0f)",
                 x[2] < f->mean[2] ? "spent only" : "spent", p->cur, x[2], p->cur, f->mean[2]);
    else if (best == 3)
        snprintf(buf, cap, "%s: first purchase %.0f days ago (average customer: %.0f)",
                 x[3] < f->mean[3] ? "a new customer" : "a long-standing customer", x[3],
                 f->mean[3]);
    else
        snprintf(buf, cap, "close to the average customer on every measure");
    crm__c_locale_leave(old);
}

typedef struct risk {
    size_t row;
    double proba;
} risk;

static int by_risk(const void *a, const void *b)
{
    const risk *x = a, *y = b;
    if (x->proba != y->proba) return x->proba > y->proba ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Today's customers not yet churned, most at risk first (ties: table order). */
static crm_status at_risk(const rep_rfm *r, const churn_fit *f, crm_dataset **scored, risk **out,
                          size_t *nout)
{
    size_t n = crm_dataset_nrows(r->table), c, cl, levels;
    crm_status st = crm_dataset_clone(r->table, scored);
    if (!st) st = crm_model_predict(f->m, *scored, "churn");
    double *pr = crm__malloc_array(n ? n : 1, sizeof *pr);
    int32_t *code = crm__malloc_array(n ? n : 1, sizeof *code);
    risk *list = crm__malloc_array(n ? n : 1, sizeof *list);
    if (!st && (!pr || !code || !list)) st = crm__nomem();
    if (!st) st = crm_dataset_column_index(*scored, "churn_proba", &c);
    if (!st) st = crm_dataset_get_number(*scored, c, 0, n, pr);
    if (!st) st = crm_dataset_column_index(*scored, "lifecycle", &cl);
    if (!st) st = crm_dataset_get_codes(*scored, cl, 0, n, code);
    if (!st) st = crm_dataset_text_levels(*scored, cl, &levels);
    size_t k = 0;
    for (size_t i = 0; !st && i < n; i++) {
        const char *stage = NULL;
        if (code[i] >= 0) st = crm_dataset_text_level(*scored, cl, (size_t)code[i], &stage);
        if (!st && stage && strcmp(stage, crm_rfm_stage_name(2)) != 0)
            list[k].row = i, list[k++].proba = pr[i];
    }
    if (!st) qsort(list, k, sizeof *list, by_risk);
    crm__free(pr);
    crm__free(code);
    if (st) {
        crm__free(list);
        list = NULL;
        k = 0;
    }
    *out = list;
    *nout = k;
    return st;
}

static void risk_table(rep_page *p, const crm_dataset *scored, const churn_fit *f,
                       const risk *list, size_t k)
{
    const char *hdr[] = {"customer", "churn probability", "days since last purchase", "orders",
                         "spend", "why"};
    const char **text = crm__calloc(6 * k + 1, sizeof *text), **lab = crm__calloc(k + 1,
                                                                                 sizeof *lab);
    const char **check = crm__calloc(6 * k + 1, sizeof *check);
    double *num = crm__calloc(6 * k + 1, sizeof *num), *pr = crm__calloc(k + 1, sizeof *pr);
    char(*id)[64] = crm__calloc(k + 1, sizeof *id), (*key)[96] = crm__calloc(k + 1, sizeof *key);
    char(*why)[160] = crm__calloc(k + 1, sizeof *why);
    size_t cc = 0, cf[4];
    crm_status st = text && lab && check && num && pr && id && key && why ? CRM_OK : crm__nomem();
    if (!st) st = crm_dataset_column_index(scored, "customer", &cc);
    for (int j = 0; !st && j < 4; j++) st = crm_dataset_column_index(scored, feat[j], &cf[j]);
    for (size_t i = 0; !st && i < k; i++) {
        double x[4];
        for (int j = 0; !st && j < 4; j++)
            st = crm_dataset_get_number(scored, cf[j], list[i].row, 1, &x[j]);
        if (!st) st = rep_cell_text(scored, cc, list[i].row, id[i], sizeof id[i]);
        if (st) break;
        reason(p, f, x, why[i], sizeof why[i]);
        snprintf(key[i], sizeof key[i], "churn.proba.%s", id[i]);
        lab[i] = text[6 * i] = id[i];
        text[6 * i + 5] = why[i];
        pr[i] = num[6 * i + 1] = list[i].proba;
        check[6 * i + 1] = key[i];
        num[6 * i + 2] = x[0], num[6 * i + 3] = x[1], num[6 * i + 4] = x[2];
    }
    if (!st && k) {
        rep_figure_open(p, "Customers most at risk of churning (probability)");
        rep_svg_bars(p, "Churn probability of the customers most at risk", lab, pr, k,
                     REP_SHARE);
        rep_table t = {k, 6, hdr, text, num, check, "churn_risk.csv", 1u << 1};
        rep_table_html(p, &t);
        rep_figure_close(p);
    } else if (!st) {
        rep_raw(p, "<p>No customer is still active or inactive: nobody left to keep.</p>\n");
    }
    if (st && p->st == CRM_OK) p->st = st;
    crm__free(text), crm__free(lab), crm__free(check), crm__free(num), crm__free(pr);
    crm__free(id), crm__free(key), crm__free(why);
}

static void driver(rep_page *p, const churn_fit *f, int j, double step, const char *what)
{
    double mult = exp(step * f->coef[j]);
    rep_raw(p, "<li");
    rep_check(p, feat[j][0] == 'r'   ? "logreg.coef.recency_days"
                 : feat[j][0] == 'f' ? "logreg.coef.frequency"
                 : feat[j][0] == 'm' ? "logreg.coef.monetary"
                                     : "logreg.coef.tenure_days",
              f->coef[j]);
    rep_raw(p, ">");
    rep_text(p, what);
    rep_printf(p, " multiplies the odds of churning by <b>%.2f</b>", mult);
    if (f->pval[j] >= 0.05)
        rep_printf(p, " <span class=\"muted\">(not clearly different from no effect: "
                      "p = %.2f)</span>", f->pval[j]);
    rep_raw(p, ".</li>\n");
}

static void drivers(rep_page *p, const churn_fit *f)
{
    char cut[32], money[96];
    rep_date(f->cutoff, cut);
    rep_raw(p, "<h3>What drives churn</h3>\n<ul>\n");
    driver(p, f, 0, 30, "Each extra 30 days without a purchase");
    driver(p, f, 1, 1, "Each extra order");
    snprintf(money, sizeof money, "Each extra %s100 spent", p->cur);
    driver(p, f, 2, 100, money);
    driver(p, f, 3, 30, "Each extra 30 days since the first purchase");
    rep_printf(p, "</ul>\n<p class=\"muted\"><span");
    rep_check(p, "logreg.l2", f->l2);
    rep_printf(p, ">Logistic regression on the customers as they stood on %s, churned meaning "
                  "no purchase in the %lld days after; the probabilities above apply it to "
                  "every customer today.</span>",
               cut, (long long)p->o->churn_days);
    if (f->l2 > 0)
        rep_printf(p, " Some measure separates churned from staying customers almost perfectly "
                      "in these data, so the model is fitted with a small L2 penalty "
                      "(lambda = %g) to keep its coefficients finite.",
                   f->l2);
    rep_raw(p, "</p>\n");
}

crm_status rep_section_churn(rep_page *p, const crm_dataset *tx, const rep_rfm *r)
{
    rep_raw(p, "<section id=\"churn\"><h2>Churn risk</h2>\n");
    churn_fit f = {0};
    crm_status st = fit_churn(tx, r, p->o, &f);
    if (rep_soft_error(st)) {
        rep_unavailable(p, "No churn model for these data");
        rep_raw(p, "</section>\n");
        crm_model_free(f.m);
        return p->st;
    }
    crm_dataset *scored = NULL;
    risk *list = NULL;
    size_t k = 0;
    if (!st) st = at_risk(r, &f, &scored, &list, &k);
    if (!st) {
        rep_raw(p, "<p class=\"lead\">Customers who have not churned yet, most likely to "
                   "stop buying first, with the main reason.</p>\n");
        risk_table(p, scored, &f, list, k < (size_t)p->o->top_at_risk ? k
                                                                       : (size_t)p->o->top_at_risk);
        drivers(p, &f);
        rep_raw(p, "</section>\n");
        st = p->st;
    }
    crm__free(list);
    crm_dataset_free(scored);
    crm_model_free(f.m);
    return st;
}
