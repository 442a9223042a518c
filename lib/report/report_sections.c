/* Sections from the RFM table: overview, RFM segments, clusters. */
#include "report/report_internal.h"

#include "core/quantile.h"

#include "crm/kmeans.h"
#include "crm/model.h"
#include "crm/rfm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Row i of text column `col` as the index of its value among name(0..n-1), or -1. */
static crm_status text_index(const crm_dataset *ds, const char *col,
                             const char *(*name)(size_t), size_t nnames, int32_t *idx)
{
    size_t c, levels, n = crm_dataset_nrows(ds);
    crm_status st = crm_dataset_column_index(ds, col, &c);
    if (!st) st = crm_dataset_text_levels(ds, c, &levels);
    if (!st) st = crm_dataset_get_codes(ds, c, 0, n, idx);
    if (st) return st;
    int32_t *map = crm__malloc_array(levels + 1, sizeof *map);
    if (!map) return crm__nomem();
    for (size_t l = 0; l < levels && !st; l++) {
        const char *s = NULL;
        st = crm_dataset_text_level(ds, c, l, &s);
        map[l] = -1;
        for (size_t k = 0; !st && k < nnames; k++)
            if (strcmp(s, name(k)) == 0) map[l] = (int32_t)k;
    }
    for (size_t i = 0; !st && i < n; i++) idx[i] = idx[i] >= 0 ? map[idx[i]] : -1;
    crm__free(map);
    return st;
}

static crm_status number_col(const crm_dataset *ds, const char *col, double *v)
{
    size_t c;
    crm_status st = crm_dataset_column_index(ds, col, &c);
    return st ? st : crm_dataset_get_number(ds, c, 0, crm_dataset_nrows(ds), v);
}

static void kpi(rep_page *p, const char *label, const char *key, double v, int money)
{
    rep_raw(p, "<div class=\"kpi\"");
    if (key) rep_check(p, key, v);
    rep_raw(p, "><b>");
    if (money) rep_money(p, v);
    else rep_int(p, v);
    rep_raw(p, "</b>");
    rep_text(p, label);
    rep_raw(p, "</div>\n");
}

crm_status rep_section_overview(rep_page *p, const crm_dataset *tx, rep_rfm *r)
{
    (void)tx;
    size_t n = crm_dataset_nrows(r->table), ns = crm_rfm_stage_count();
    int32_t *stage = crm__malloc_array(n ? n : 1, sizeof *stage);
    if (!stage) return crm__nomem();
    crm_status st = text_index(r->table, "lifecycle", crm_rfm_stage_name, ns, stage);
    double counts[8] = {0};
    for (size_t i = 0; !st && i < n; i++)
        if (stage[i] >= 0) counts[stage[i]] += 1;
    crm__free(stage);
    if (st) return st;
    char first[32], last[32], asof[32];
    rep_date(r->first, first);
    rep_date(r->last, last);
    rep_date(r->as_of, asof);
    rep_raw(p, "<section id=\"overview\"><h2>Overview</h2>\n<p class=\"lead\">Purchases from ");
    rep_printf(p, "%s to %s; customers are scored as of %s.</p>\n<div class=\"kpis\">\n", first,
               last, asof);
    kpi(p, "customers", "rfm.customers", (double)n, 0);
    kpi(p, "orders", "report.orders", r->orders, 0);
    kpi(p, "revenue", "report.revenue", r->revenue, 1);
    kpi(p, "average order", "report.average_order", r->orders > 0 ? r->revenue / r->orders : NAN,
        1);
    rep_raw(p, "</div>\n");
    const char *labels[3], *hdr[] = {"stage", "customers", "share"}, *text[9] = {0};
    const char *check[9] = {0};
    double num[9];
    static const char *keys[] = {"rfm.lifecycle.active", "rfm.lifecycle.inactive",
                                 "rfm.lifecycle.churned"};
    for (size_t s = 0; s < 3; s++) {
        labels[s] = crm_rfm_stage_name(s);
        text[3 * s] = labels[s];
        num[3 * s + 1] = counts[s];
        num[3 * s + 2] = n ? counts[s] / (double)n : 0;
        check[3 * s + 1] = keys[s];
    }
    rep_figure_open(p, "Customers by lifecycle stage");
    rep_svg_bars(p, "Customers by lifecycle stage", labels, counts, 3, REP_COUNT);
    rep_printf(p, "<p>Active: bought in the last %lld days. Inactive: last purchase %lld to "
                  "%lld days ago. Churned: nothing for %lld days or more.</p>\n",
               (long long)p->o->active_days, (long long)p->o->active_days,
               (long long)p->o->inactive_days - 1, (long long)p->o->inactive_days);
    rep_table rt = {3, 3, hdr, text, num, check, "lifecycle.csv", 1u << 2};
    rep_table_html(p, &rt);
    rep_figure_close(p);
    rep_raw(p, "</section>\n");
    return p->st;
}

/* What each segment (crm_rfm_segment_name order) means and what to do. */
static const char *const segment_advice[][2] = {
    {"Bought recently, buy often and spend the most.",
     "Reward them, ask for reviews, offer early access; they promote your brand."},
    {"Buy regularly and respond to promotions.", "Upsell higher-value products; loyalty perks."},
    {"Recent customers with a few orders.", "Offer membership or a loyalty programme."},
    {"Bought for the first time recently.",
     "Onboard them well; a welcome series builds the habit."},
    {"Recent shoppers who have not bought much yet.", "Build awareness; small free trials."},
    {"Average recency and frequency.",
     "Limited-time offers and recommendations from their history."},
    {"Below-average recency and frequency.", "Share popular products; reconnect before they go."},
    {"Used to buy often, but not for a while.", "Personal emails and offers to win them back."},
    {"Made big, frequent purchases long ago.", "Win them back with new products; talk to them."},
    {"Last purchase long ago, few orders.", "Offer other relevant products and special discounts."},
    {"Lowest recency and frequency.", "Revive interest with outreach, otherwise let them go."},
};

static void segment_table(rep_page *p, const double *cnt, const double *rev, size_t ns,
                          double n, double total)
{
    const char *hdr[] = {"segment", "customers", "share of customers", "revenue",
                         "share of revenue"};
    const char **text = crm__calloc(ns * 5, sizeof *text), **check = crm__calloc(ns * 5,
                                                                                  sizeof *check);
    double *num = crm__calloc(ns * 5, sizeof *num);
    char(*keys)[64] = crm__calloc(ns, sizeof *keys);
    if (!text || !check || !num || !keys) {
        if (p->st == CRM_OK) p->st = crm__nomem();
    } else {
        for (size_t s = 0; s < ns; s++) {
            text[5 * s] = crm_rfm_segment_name(s);
            num[5 * s + 1] = cnt[s];
            num[5 * s + 2] = n > 0 ? cnt[s] / n : 0;
            num[5 * s + 3] = rev[s];
            num[5 * s + 4] = total > 0 ? rev[s] / total : 0;
            snprintf(keys[s], sizeof keys[s], "rfm.segment.%s", crm_rfm_segment_name(s));
            check[5 * s + 1] = keys[s];
        }
        rep_table t = {ns, 5, hdr, text, num, check, "segments.csv", 1u << 2 | 1u << 4};
        rep_table_html(p, &t);
    }
    crm__free(text);
    crm__free(check);
    crm__free(num);
    crm__free(keys);
}

static void segment_advice_list(rep_page *p, const double *cnt, size_t ns)
{
    rep_raw(p, "<h3>What the segments mean and what to do</h3>\n<dl>\n");
    for (size_t s = 0; s < ns && s < sizeof segment_advice / sizeof *segment_advice; s++) {
        if (cnt[s] == 0) continue;
        rep_raw(p, "<dt><b>");
        rep_text(p, crm_rfm_segment_name(s));
        rep_raw(p, "</b> (");
        rep_int(p, cnt[s]);
        rep_raw(p, cnt[s] == 1 ? " customer)</dt><dd>" : " customers)</dt><dd>");
        rep_text(p, segment_advice[s][0]);
        rep_raw(p, " <i>What to do:</i> ");
        rep_text(p, segment_advice[s][1]);
        rep_raw(p, "</dd>\n");
    }
    rep_raw(p, "</dl>\n");
}

static void rf_grid(rep_page *p, const double *r, const double *f, size_t n, int bins)
{
    double grid[81] = {0};
    int rl[9], cl[9];
    for (size_t i = 0; i < n; i++) {
        int ri = (int)r[i], fi = (int)f[i];
        if (ri >= 1 && ri <= bins && fi >= 1 && fi <= bins) grid[(bins - ri) * bins + fi - 1]++;
    }
    for (int i = 0; i < bins; i++) rl[i] = bins - i, cl[i] = i + 1;
    rep_figure_open(p, "Customers by recency score (rows) and frequency score (columns)");
    rep_svg_heatmap(p, "Heatmap of customers by recency and frequency score", grid, bins, bins,
                    "recency score", "frequency score", rl, cl);
    rep_raw(p, "<p>Top rows bought most recently, right columns buy most often. "
               "The darker the cell, the more customers.</p>\n");
    const char *hdr[] = {"r_score", "f_score", "customers"};
    double num[243];
    const char *check[243] = {0};
    char keys[81][48]; /* "rfm.grid.r%df%d" with two ints: at most 33 bytes */
    size_t k = 0;
    for (int ri = bins; ri >= 1; ri--) {
        for (int fi = 1; fi <= bins; fi++, k++) {
            num[3 * k] = ri;
            num[3 * k + 1] = fi;
            num[3 * k + 2] = grid[(bins - ri) * bins + fi - 1];
            snprintf(keys[k], sizeof keys[k], "rfm.grid.r%df%d", ri, fi);
            check[3 * k + 2] = keys[k];
        }
    }
    rep_table t = {k, 3, hdr, NULL, num, check, "rf_grid.csv", 0};
    rep_table_html(p, &t);
    rep_figure_close(p);
}

crm_status rep_section_rfm(rep_page *p, const rep_rfm *r)
{
    size_t n = crm_dataset_nrows(r->table), ns = crm_rfm_segment_count();
    int32_t *seg = crm__malloc_array(n ? n : 1, sizeof *seg);
    double *m = crm__malloc_array(n ? n : 1, sizeof *m);
    double *rs = crm__malloc_array(n ? n : 1, sizeof *rs), *fs = crm__malloc_array(n ? n : 1,
                                                                                  sizeof *fs);
    double cnt[16] = {0}, rev[16] = {0};
    crm_status st = seg && m && rs && fs ? CRM_OK : crm__nomem();
    if (!st) st = text_index(r->table, "segment", crm_rfm_segment_name, ns, seg);
    if (!st) st = number_col(r->table, "monetary", m);
    if (!st) st = number_col(r->table, "r_score", rs);
    if (!st) st = number_col(r->table, "f_score", fs);
    for (size_t i = 0; !st && i < n; i++) {
        if (seg[i] < 0) continue;
        cnt[seg[i]] += 1;
        rev[seg[i]] += m[i];
    }
    if (!st) {
        const char *labels[16];
        for (size_t s = 0; s < ns; s++) labels[s] = crm_rfm_segment_name(s);
        rep_printf(p, "<section id=\"rfm\"><h2>Customer segments (RFM)</h2>\n<p class=\"lead\">"
                      "Every customer gets a score from 1 to %d for how recently they bought "
                      "(R), how often (F) and how much they spent (M); the segment follows from "
                      "R and F.</p>\n",
                   (int)p->o->bins);
        rep_figure_open(p, "Customers per segment, and the revenue they bring");
        rep_svg_bars(p, "Customers per segment", labels, cnt, ns, REP_COUNT);
        rep_svg_bars(p, "Revenue per segment", labels, rev, ns, REP_MONEY);
        segment_table(p, cnt, rev, ns, (double)n, r->revenue);
        rep_figure_close(p);
        rf_grid(p, rs, fs, n, p->o->bins);
        segment_advice_list(p, cnt, ns);
        rep_raw(p, "</section>\n");
        st = p->st;
    }
    crm__free(seg);
    crm__free(m);
    crm__free(rs);
    crm__free(fs);
    return st;
}
