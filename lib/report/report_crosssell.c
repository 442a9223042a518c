/* Cross-sell: association rules between products bought in the same order
 * (crm_apriori() with invoices as baskets), the redundant ones removed, in
 * words. */
#include "report/report_internal.h"

#include "crm/assoc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The library joins the items of a set with ", " and escapes a backslash
 * and a comma inside an item with a backslash (crm/assoc.h, "Item text"). */
typedef struct rule {
    const char *lhs, *rhs; /* escaped lists, borrowed from the rules table */
    double count, conf, lift;
} rule;

static crm_status read_rules(const crm_dataset *rules, rule *list, size_t n)
{
    size_t ca, cc, cn, cf, cl;
    crm_status st = crm_dataset_column_index(rules, "antecedent", &ca);
    if (!st) st = crm_dataset_column_index(rules, "consequent", &cc);
    if (!st) st = crm_dataset_column_index(rules, "count", &cn);
    if (!st) st = crm_dataset_column_index(rules, "confidence", &cf);
    if (!st) st = crm_dataset_column_index(rules, "lift", &cl);
    for (size_t i = 0; !st && i < n; i++) {
        const char *a = NULL, *c = NULL;
        st = crm_dataset_get_text(rules, ca, i, &a);
        if (!st) st = crm_dataset_get_text(rules, cc, i, &c);
        list[i].lhs = a;
        list[i].rhs = c;
        if (!st) st = crm_dataset_get_number(rules, cn, i, 1, &list[i].count);
        if (!st) st = crm_dataset_get_number(rules, cf, i, 1, &list[i].conf);
        if (!st) st = crm_dataset_get_number(rules, cl, i, 1, &list[i].lift);
    }
    return st;
}

/* Items of an escaped list as "A, B and C" (HTML-escaped), or plain with `plain`. */
static void items_text(rep_page *p, const char *s, char *plain, size_t cap)
{
    crm__buf item = {0};
    size_t nitems = 1, done = 0, o = 0;
    for (const char *q = s; *q; q++) {
        if (*q == '\\' && q[1]) q++;
        else if (q[0] == ',' && q[1] == ' ') nitems++;
    }
    crm_status st = CRM_OK;
    for (const char *q = s;; q++) {
        int end = *q == '\0' || (q[0] == ',' && q[1] == ' ');
        if (!end) {
            if (*q == '\\' && q[1]) q++;
            st = st ? st : crm__buf_append(&item, q, 1);
            continue;
        }
        done++;
        const char *joint = done == nitems ? "" : done + 1 == nitems ? " and " : ", ";
        if (!st && plain) {
            int n = snprintf(plain + o, cap - o, "%s%s", item.data ? item.data : "", joint);
            o = n < 0 ? o : o + (size_t)n < cap ? o + (size_t)n : cap - 1;
        } else if (!st) {
            rep_text(p, item.data ? item.data : "");
            rep_raw(p, joint);
        }
        item.len = 0;
        if (item.data) item.data[0] = '\0';
        if (*q == '\0') break;
        q++; /* the space of ", " */
    }
    crm__buf_free(&item);
    if (st && p->st == CRM_OK) p->st = st;
}

static void rule_item(rep_page *p, const rule *r, size_t i)
{
    char key[64];
    rep_raw(p, "<li data-antecedent=\"");
    rep_text(p, r->lhs);
    rep_raw(p, "\" data-consequent=\"");
    rep_text(p, r->rhs);
    rep_raw(p, "\">Customers who buy <b>");
    items_text(p, r->lhs, NULL, 0);
    rep_raw(p, "</b> also buy <b>");
    items_text(p, r->rhs, NULL, 0);
    snprintf(key, sizeof key, "apriori.rule.%zu.count", i);
    rep_raw(p, "</b> in the same order (<span");
    rep_check(p, key, r->count);
    rep_raw(p, ">");
    rep_int(p, r->count);
    rep_raw(p, "</span> orders, <span");
    snprintf(key, sizeof key, "apriori.rule.%zu.confidence", i);
    rep_check(p, key, r->conf);
    rep_raw(p, ">");
    rep_pct(p, r->conf);
    rep_raw(p, "</span> of the orders with the first; <span");
    snprintf(key, sizeof key, "apriori.rule.%zu.lift", i);
    rep_check(p, key, r->lift);
    rep_printf(p, ">%.1f&times;</span> more often than in an average order).</li>\n", r->lift);
}

static void rules_figure(rep_page *p, const rule *kept, size_t nk)
{
    const char **lab = crm__calloc(nk + 1, sizeof *lab), **text = crm__calloc(4 * nk + 1,
                                                                            sizeof *text);
    double *lift = crm__calloc(nk + 1, sizeof *lift), *num = crm__calloc(4 * nk + 1, sizeof *num);
    char **names = crm__calloc(nk + 1, sizeof *names);
    crm_status st = lab && text && lift && num && names ? CRM_OK : crm__nomem();
    for (size_t i = 0; !st && i < nk; i++) {
        char a[200], c[200];
        items_text(p, kept[i].lhs, a, sizeof a);
        items_text(p, kept[i].rhs, c, sizeof c);
        size_t len = strlen(a) + strlen(c) + 8;
        names[i] = crm__malloc(len);
        if (!names[i]) {
            st = crm__nomem();
            break;
        }
        snprintf(names[i], len, "%s \xe2\x86\x92 %s", a, c);
        lab[i] = names[i];
        lift[i] = kept[i].lift;
        text[4 * i] = names[i];
        num[4 * i + 1] = kept[i].count, num[4 * i + 2] = kept[i].conf;
        num[4 * i + 3] = kept[i].lift;
    }
    if (!st) {
        rep_figure_open(p, "How much more often the products sell together (lift)");
        rep_svg_bars(p, "Lift of the cross-sell rules", lab, lift, nk, REP_COUNT);
        const char *hdr[] = {"rule", "orders", "confidence", "lift"};
        rep_table t = {nk, 4, hdr, text, num, NULL, "cross_sell.csv", 1u << 2};
        rep_table_html(p, &t);
        rep_figure_close(p);
    }
    if (st && p->st == CRM_OK) p->st = st;
    for (size_t i = 0; names && i < nk; i++) crm__free(names[i]);
    crm__free(names), crm__free(lab), crm__free(text), crm__free(lift), crm__free(num);
}

/* The rules come pruned (prune_redundant) and ordered by lift: the first
 * max_rules are shown. n_all: the rules before pruning. */
static crm_status show_rules(rep_page *p, const crm_dataset *rules, double n_all)
{
    size_t n = crm_dataset_nrows(rules);
    size_t nk = n < (size_t)p->o->max_rules ? n : (size_t)p->o->max_rules;
    rule *kept = crm__malloc_array(nk ? nk : 1, sizeof *kept);
    crm_status st = kept ? read_rules(rules, kept, nk) : crm__nomem();
    if (!st) {
        rep_raw(p, "<p");
        rep_check(p, "apriori.rules", (double)n);
        rep_raw(p, " class=\"lead\">");
        rep_int(p, n_all);
        rep_raw(p, " rules found, ");
        rep_int(p, (double)n);
        rep_printf(p, " once permutations of the same basket and rules that a shorter one "
                      "already explains are left out; the %zu strongest:</p>\n"
                      "<ul class=\"rules\">\n", nk);
        for (size_t i = 0; i < nk; i++) rule_item(p, &kept[i], i);
        rep_raw(p, "</ul>\n");
        if (nk) rules_figure(p, kept, nk);
        st = p->st;
    }
    crm__free(kept);
    return st;
}

crm_status rep_section_crosssell(rep_page *p, const crm_dataset *tx)
{
    const crm_report_options *o = p->o;
    rep_raw(p, "<section id=\"crosssell\"><h2>Cross-sell</h2>\n");
    if (!o->invoice || !o->item) {
        rep_raw(p, "<p class=\"muted\">No cross-sell analysis: it needs an invoice column and "
                   "an item column (crm report --invoice COL --item COL).</p>\n</section>\n");
        return p->st;
    }
    crm_apriori_options ao;
    crm_apriori_options_init(&ao, sizeof ao);
    ao.min_support = o->min_support;
    ao.min_lift = o->min_lift;
    ao.n_threads = o->n_threads;
    ao.prune_redundant = 0;
    crm_dataset *sets = NULL, *rules = NULL, *all = NULL;
    crm_status st = crm_apriori(tx, o->invoice, o->item, &ao, &sets, &all);
    crm_dataset_free(sets);
    sets = NULL;
    if (!st) {
        ao.prune_redundant = 1;
        st = crm_apriori(tx, o->invoice, o->item, &ao, &sets, &rules);
    }
    if (rep_soft_error(st)) {
        rep_unavailable(p, "No cross-sell rules for these data");
    } else if (!st) {
        st = show_rules(p, rules, (double)crm_dataset_nrows(all));
    }
    crm_dataset_free(all);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    if (!st) rep_raw(p, "</section>\n");
    return st ? st : p->st;
}
