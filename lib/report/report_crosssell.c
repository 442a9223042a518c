/* Cross-sell: association rules between products bought in the same order
 * (crm_apriori() with invoices as baskets), the redundant ones removed, in
 * words. */
#include "report/report_internal.h"

#include "crm/assoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Items are joined with this separator inside the library call so that names
 * holding ", " still split back into the right items. */
#define SEP "\x1f"

typedef struct rule {
    size_t row;
    char *lhs, *rhs; /* SEP-joined, borrowed from the rules table */
    double count, conf, lift, lhs_support;
} rule;

static int by_lift(const void *a, const void *b)
{
    const rule *x = a, *y = b;
    if (x->lift != y->lift) return x->lift > y->lift ? -1 : 1;
    if (x->conf != y->conf) return x->conf > y->conf ? -1 : 1;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int has_item(const char *list, const char *item, size_t len)
{
    for (const char *q = list; *q;) {
        size_t l2 = strcspn(q, SEP);
        if (l2 == len && memcmp(item, q, len) == 0) return 1;
        q += l2 + (q[l2] != '\0');
    }
    return 0;
}

/* Whether every item of SEP-list a is in SEP-list b or in SEP-list c. */
static int subset2(const char *a, const char *b, const char *c)
{
    while (*a) {
        size_t len = strcspn(a, SEP);
        if (!has_item(b, a, len) && !has_item(c, a, len)) return 0;
        a += len + (a[len] != '\0');
    }
    return 1;
}

static int subset(const char *a, const char *b)
{
    return subset2(a, b, "");
}

/* a1 u a2 == b1 u b2 */
static int same_set(const char *a1, const char *a2, const char *b1, const char *b2)
{
    return subset2(a1, b1, b2) && subset2(a2, b1, b2) && subset2(b1, a1, a2) &&
           subset2(b2, a1, a2);
}

/* A rule is redundant when a kept (better) rule covers the same basket, or
 * predicts the same products from fewer items at least as reliably. */
static int redundant(const rule *r, const rule *kept, size_t nk)
{
    for (size_t i = 0; i < nk; i++) {
        const rule *k = &kept[i];
        if (same_set(r->lhs, r->rhs, k->lhs, k->rhs)) return 1;
        if (strcmp(r->rhs, k->rhs) == 0 && subset(k->lhs, r->lhs) && k->conf >= r->conf)
            return 1;
        if (subset(r->lhs, k->lhs) && subset(k->lhs, r->lhs) && subset(r->rhs, k->rhs))
            return 1; /* same antecedent, a subset of a better consequent */
    }
    return 0;
}

static crm_status read_rules(const crm_dataset *rules, rule *list, size_t n)
{
    size_t ca, cc, cn, cf, cl, cs;
    crm_status st = crm_dataset_column_index(rules, "antecedent", &ca);
    if (!st) st = crm_dataset_column_index(rules, "consequent", &cc);
    if (!st) st = crm_dataset_column_index(rules, "count", &cn);
    if (!st) st = crm_dataset_column_index(rules, "confidence", &cf);
    if (!st) st = crm_dataset_column_index(rules, "lift", &cl);
    if (!st) st = crm_dataset_column_index(rules, "antecedent_support", &cs);
    for (size_t i = 0; !st && i < n; i++) {
        const char *a = NULL, *c = NULL;
        list[i].row = i;
        st = crm_dataset_get_text(rules, ca, i, &a);
        if (!st) st = crm_dataset_get_text(rules, cc, i, &c);
        list[i].lhs = (char *)a;
        list[i].rhs = (char *)c;
        if (!st) st = crm_dataset_get_number(rules, cn, i, 1, &list[i].count);
        if (!st) st = crm_dataset_get_number(rules, cf, i, 1, &list[i].conf);
        if (!st) st = crm_dataset_get_number(rules, cl, i, 1, &list[i].lift);
        if (!st) st = crm_dataset_get_number(rules, cs, i, 1, &list[i].lhs_support);
    }
    return st;
}

/* Items of a SEP-list as "A, B and C", escaped. */
static void items_text(rep_page *p, const char *s, const char *attr_sep)
{
    while (*s) {
        size_t len = strcspn(s, SEP);
        char *item = crm__strndup(s, len);
        if (!item) {
            if (p->st == CRM_OK) p->st = crm__nomem();
            return;
        }
        rep_text(p, item);
        crm__free(item);
        s += len + (s[len] != '\0');
        if (*s) rep_raw(p, attr_sep ? attr_sep : (strchr(s, SEP[0]) ? ", " : " and "));
    }
}

static void rule_item(rep_page *p, const rule *r, size_t i, double ntx)
{
    char key[64];
    rep_raw(p, "<li data-antecedent=\"");
    items_text(p, r->lhs, ", ");
    rep_raw(p, "\" data-consequent=\"");
    items_text(p, r->rhs, ", ");
    rep_raw(p, "\">Customers who buy <b>");
    items_text(p, r->lhs, NULL);
    rep_raw(p, "</b> also buy <b>");
    items_text(p, r->rhs, NULL);
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
    (void)ntx;
}

static void rules_figure(rep_page *p, const rule *kept, size_t nk)
{
    const char **lab = crm__calloc(nk + 1, sizeof *lab), **text = crm__calloc(4 * nk + 1,
                                                                            sizeof *text);
    double *lift = crm__calloc(nk + 1, sizeof *lift), *num = crm__calloc(4 * nk + 1, sizeof *num);
    char **names = crm__calloc(2 * nk + 1, sizeof *names);
    crm_status st = lab && text && lift && num && names ? CRM_OK : crm__nomem();
    for (size_t i = 0; !st && i < nk; i++) {
        size_t la = strlen(kept[i].lhs), lc = strlen(kept[i].rhs);
        names[2 * i] = crm__malloc(la + lc + 8);
        names[2 * i + 1] = crm__strdup(kept[i].rhs);
        if (!names[2 * i] || !names[2 * i + 1]) {
            st = crm__nomem();
            break;
        }
        snprintf(names[2 * i], la + lc + 8, "%s \xe2\x86\x92 %s", kept[i].lhs, kept[i].rhs);
        for (char *c = names[2 * i]; *c; c++) *c = *c == SEP[0] ? '+' : *c;
        for (char *c = names[2 * i + 1]; *c; c++) *c = *c == SEP[0] ? '+' : *c;
        lab[i] = names[2 * i];
        lift[i] = kept[i].lift;
        text[4 * i] = names[2 * i];
        num[4 * i + 1] = kept[i].count, num[4 * i + 2] = kept[i].conf;
        num[4 * i + 3] = kept[i].lift;
    }
    if (!st) {
        rep_figure_open(p, "How much more often the products sell together (lift)");
        rep_svg_bars(p, "Lift of the cross-sell rules", lab, lift, nk, REP_COUNT);
        const char *hdr[] = {"rule", "orders", "confidence", "lift"};
        rep_table t = {nk, 4, hdr, text, num, NULL, "cross_sell.csv"};
        rep_table_html(p, &t);
        rep_figure_close(p);
    }
    if (st && p->st == CRM_OK) p->st = st;
    for (size_t i = 0; names && i < 2 * nk; i++) crm__free(names[i]);
    crm__free(names), crm__free(lab), crm__free(text), crm__free(lift), crm__free(num);
}

static crm_status show_rules(rep_page *p, const crm_dataset *rules, double ntx)
{
    size_t n = crm_dataset_nrows(rules), nk = 0;
    rule *list = crm__malloc_array(n ? n : 1, sizeof *list);
    rule *kept = crm__malloc_array(n ? n : 1, sizeof *kept);
    crm_status st = list && kept ? read_rules(rules, list, n) : crm__nomem();
    if (!st) qsort(list, n, sizeof *list, by_lift);
    for (size_t i = 0; !st && i < n && nk < (size_t)p->o->max_rules; i++)
        if (!redundant(&list[i], kept, nk)) kept[nk++] = list[i];
    if (!st) {
        rep_raw(p, "<p");
        rep_check(p, "apriori.rules", (double)n);
        rep_printf(p, " class=\"lead\">%zu rules found; the %zu strongest that say something "
                      "new (permutations of the same basket and rules a shorter one already "
                      "explains are left out):</p>\n<ul class=\"rules\">\n", n, nk);
        for (size_t i = 0; i < nk; i++) rule_item(p, &kept[i], i, ntx);
        rep_raw(p, "</ul>\n");
        if (nk) rules_figure(p, kept, nk);
        st = p->st;
    }
    crm__free(list);
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
    ao.separator = SEP;
    crm_dataset *sets = NULL, *rules = NULL;
    crm_status st = crm_apriori(tx, o->invoice, o->item, &ao, &sets, &rules);
    if (rep_soft_error(st)) {
        rep_unavailable(p, "No cross-sell rules for these data");
    } else if (!st) {
        st = show_rules(p, rules, 0);
    }
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    if (!st) rep_raw(p, "</section>\n");
    return st ? st : p->st;
}
