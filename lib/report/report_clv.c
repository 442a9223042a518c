/* Customer lifetime value: the customers worth the most over the next months
 * (crm_clv_summary, crm_clv_fit: BG/NBD and Gamma-Gamma, crm_model_predict). */
#include "report/report_internal.h"

#include "crm/clv.h"
#include "crm/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cols[] = {"clv", "p_alive", "expected_purchases", "expected_spend"};

typedef struct ranked {
    size_t row;
    double clv;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->clv != y->clv) return x->clv > y->clv ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static crm_status predict(const crm_dataset *tx, const char *amount_col,
                          const crm_report_options *o, crm_dataset **table, double *horizon)
{
    crm_clv_summary_options so;
    crm_clv_summary_options_init(&so, sizeof so);
    so.customer = o->customer;
    so.date = o->date;
    so.amount = amount_col;
    crm_clv_options co;
    crm_clv_options_init(&co, sizeof co);
    co.n_threads = o->n_threads;
    *horizon = co.horizon;
    crm_model *m = NULL;
    crm_status st = crm_clv_summary(tx, &so, table);
    if (!st) st = crm_clv_fit(*table, &co, &m);
    if (!st) st = crm_model_predict(m, *table, "clv");
    crm_model_free(m);
    return st;
}

static void clv_table(rep_page *p, const crm_dataset *t, const ranked *top, size_t k,
                      const double *v, size_t n)
{
    const char *hdr[] = {"customer", "value", "chance still a customer", "expected orders",
                         "expected spend per order"};
    const char **text = crm__calloc(5 * k + 1, sizeof *text), **lab = crm__calloc(k + 1,
                                                                                 sizeof *lab);
    const char **check = crm__calloc(5 * k + 1, sizeof *check);
    double *num = crm__calloc(5 * k + 1, sizeof *num), *val = crm__calloc(k + 1, sizeof *val);
    char(*id)[64] = crm__calloc(k + 1, sizeof *id), (*key)[96] = crm__calloc(k + 1, sizeof *key);
    size_t cc;
    crm_status st = text && lab && check && num && val && id && key ? CRM_OK : crm__nomem();
    if (!st) st = crm_dataset_column_index(t, "customer", &cc);
    for (size_t i = 0; !st && i < k; i++) {
        st = rep_cell_text(t, cc, top[i].row, id[i], sizeof id[i]);
        snprintf(key[i], sizeof key[i], "clv.value.%s", id[i]);
        lab[i] = text[5 * i] = id[i];
        for (int j = 0; j < 4; j++) num[5 * i + 1 + j] = v[(size_t)j * n + top[i].row];
        val[i] = top[i].clv;
        check[5 * i + 1] = key[i];
    }
    if (!st) {
        rep_figure_open(p, "The customers worth the most");
        rep_svg_bars(p, "Expected value of the customers worth the most", lab, val, k,
                     REP_MONEY);
        rep_table tt = {k, 5, hdr, text, num, check, "customer_value.csv", 1u << 2};
        rep_table_html(p, &tt);
        rep_figure_close(p);
    }
    if (st && p->st == CRM_OK) p->st = st;
    crm__free(text), crm__free(lab), crm__free(check), crm__free(num), crm__free(val);
    crm__free(id), crm__free(key);
}

static crm_status show(rep_page *p, const crm_dataset *t, double horizon)
{
    size_t n = crm_dataset_nrows(t), c;
    double *v = crm__malloc_array(4 * (n ? n : 1), sizeof *v);
    ranked *r = crm__malloc_array(n ? n : 1, sizeof *r);
    crm_status st = v && r ? CRM_OK : crm__nomem();
    for (int j = 0; !st && j < 4; j++) {
        st = crm_dataset_column_index(t, cols[j], &c);
        if (!st) st = crm_dataset_get_number(t, c, 0, n, v + (size_t)j * n);
    }
    crm__fsum total;
    crm__fsum_init(&total);
    for (size_t i = 0; !st && i < n; i++) {
        r[i].row = i;
        r[i].clv = isnan(v[i]) ? -INFINITY : v[i];
        if (!isnan(v[i])) crm__fsum_add(&total, v[i]);
    }
    if (!st) {
        qsort(r, n, sizeof *r, by_value);
        size_t k = n < (size_t)p->o->top_clv ? n : (size_t)p->o->top_clv;
        rep_printf(p, "<p class=\"lead\">What each customer's purchases of the next %.0f months "
                      "are worth today (discounted 1&nbsp;%% a month): how often they buy and "
                      "whether they are still buying (BG/NBD), times what they spend per order "
                      "(Gamma-Gamma). All customers together: <b",
                   horizon);
        rep_check(p, "clv.total", crm__fsum_result(&total));
        rep_raw(p, ">");
        rep_money(p, crm__fsum_result(&total));
        rep_raw(p, "</b>.</p>\n");
        if (k) clv_table(p, t, r, k, v, n);
        st = p->st;
    }
    crm__free(v);
    crm__free(r);
    return st;
}

crm_status rep_section_clv(rep_page *p, const crm_dataset *tx, const char *amount_col)
{
    rep_raw(p, "<section id=\"clv\"><h2>Customer value</h2>\n");
    crm_dataset *t = NULL;
    double horizon = 12;
    crm_status st = predict(tx, amount_col, p->o, &t, &horizon);
    if (rep_soft_error(st)) {
        rep_unavailable(p, "No customer value model for these data");
        st = CRM_OK;
    } else if (!st) {
        st = show(p, t, horizon);
    }
    if (!st) rep_raw(p, "</section>\n");
    crm_dataset_free(t);
    return st ? st : p->st;
}
