/* Cross-sell: association rules between products bought in the same order
 * (crm_apriori() with invoices as baskets), the redundant ones removed, in
 * words, with the number of distinct customers behind each rule. */
#include "report/report_internal.h"

#include "crm/assoc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The library joins the items of a set with ", " and escapes a backslash
 * and a comma inside an item with a backslash (crm/assoc.h, "Item text"). */
typedef struct rule {
    const char *lhs, *rhs; /* escaped lists, borrowed from the rules table */
    double count, conf, lift;
    double customers; /* distinct customers with all the rule's items in one order */
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

/* ---- customers behind a rule --------------------------------------------------------
 * The rules are mined with invoices as baskets; the page also says how many distinct
 * customers bought all of a rule's items together in one order. One scan of the working
 * table keeps the rows whose item occurs in a shown rule (a few percent of the table),
 * sorted by (invoice, customer); per rule, the (invoice, customer) groups holding every
 * item of the rule give the customers, counted once each. */

typedef struct hit {
    char *inv, *cust; /* owned */
    int32_t item;     /* index into the union of the shown rules' items */
} hit;

typedef struct item_set {
    char **name; /* unescaped items of all shown rules, owned */
    size_t n, cap;
} item_set;

static int32_t item_find(const item_set *u, const char *s)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->name[i], s) == 0) return (int32_t)i;
    return -1;
}

/* Adds the items of an escaped list to u; idx (cap 64) gets their indices. */
static crm_status item_add_list(item_set *u, const char *s, int32_t *idx, size_t *nidx)
{
    crm__buf item = {0};
    crm_status st = CRM_OK;
    for (const char *q = s; !st; q++) {
        int end = *q == '\0' || (q[0] == ',' && q[1] == ' ');
        if (!end) {
            if (*q == '\\' && q[1]) q++;
            st = crm__buf_append(&item, q, 1);
            continue;
        }
        const char *name = item.data ? item.data : "";
        int32_t k = item_find(u, name);
        if (k < 0 && u->n == u->cap) {
            size_t nc = u->cap ? 2 * u->cap : 16;
            char **g = crm__realloc_array(u->name, nc, sizeof *g);
            if (!g) st = crm__nomem();
            else u->name = g, u->cap = nc;
        }
        if (!st && k < 0) {
            u->name[u->n] = crm__strdup(name);
            if (!u->name[u->n]) st = crm__nomem();
            else k = (int32_t)u->n++;
        }
        if (!st && *nidx < 64) idx[(*nidx)++] = k;
        item.len = 0;
        if (item.data) item.data[0] = '\0';
        if (*q == '\0') break;
        q++; /* the space of ", " */
    }
    crm__buf_free(&item);
    return st;
}

static int hit_cmp(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    int c = strcmp(x->inv, y->inv);
    return c ? c : strcmp(x->cust, y->cust);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows of tx whose item is in u, sorted by (invoice, customer); rows with a
 * missing invoice, customer or item are left out as crm_apriori() leaves them out. */
static crm_status collect_hits(const crm_dataset *tx, const crm_report_options *o,
                               const item_set *u, hit **out, size_t *out_n)
{
    size_t ci, cc, ct, n = crm_dataset_nrows(tx), nh = 0, cap = 0;
    hit *h = NULL;
    crm_status st = crm_dataset_column_index(tx, o->invoice, &ci);
    if (!st) st = crm_dataset_column_index(tx, o->customer, &cc);
    if (!st) st = crm_dataset_column_index(tx, o->item, &ct);
    for (size_t r = 0; !st && r < n; r++) {
        const char *it = NULL;
        char inv[256], cust[256];
        st = crm_dataset_get_text(tx, ct, r, &it);
        int32_t k = !st && it ? item_find(u, it) : -1;
        if (k < 0) continue;
        st = rep_cell_text(tx, ci, r, inv, sizeof inv);
        if (!st) st = rep_cell_text(tx, cc, r, cust, sizeof cust);
        if (st || !inv[0] || !cust[0]) continue;
        if (nh == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            hit *g = crm__realloc_array(h, nc, sizeof *g);
            if (!g) {
                st = crm__nomem();
                break;
            }
            h = g, cap = nc;
        }
        h[nh].inv = crm__strdup(inv);
        h[nh].cust = crm__strdup(cust);
        h[nh].item = k;
        if (!h[nh].inv || !h[nh].cust) st = crm__nomem();
        nh++;
    }
    if (!st && nh) qsort(h, nh, sizeof *h, hit_cmp);
    *out = h;
    *out_n = nh;
    return st;
}

/* Distinct customers of the (invoice, customer) groups of h holding all nidx items. */
static crm_status rule_customers(const hit *h, size_t nh, const int32_t *idx, size_t nidx,
                                 double *out)
{
    const char **who = crm__malloc_array(nh ? nh : 1, sizeof *who);
    if (!who) return crm__nomem();
    uint64_t full = nidx >= 64 ? UINT64_MAX : ((uint64_t)1 << nidx) - 1;
    size_t nw = 0;
    for (size_t g = 0; g < nh;) {
        size_t e = g;
        uint64_t have = 0;
        while (e < nh && hit_cmp(&h[g], &h[e]) == 0) {
            for (size_t j = 0; j < nidx; j++)
                if (h[e].item == idx[j]) have |= (uint64_t)1 << j;
            e++;
        }
        if (have == full) who[nw++] = h[g].cust;
        g = e;
    }
    qsort(who, nw, sizeof *who, str_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < nw; i++)
        if (i == 0 || strcmp(who[i], who[i - 1]) != 0) distinct++;
    crm__free(who);
    *out = (double)distinct;
    return CRM_OK;
}

static crm_status count_customers(const crm_dataset *tx, const crm_report_options *o,
                                  rule *list, size_t n)
{
    item_set u = {0};
    int32_t(*idx)[64] = crm__malloc_array(n ? n : 1, sizeof *idx);
    size_t *nidx = crm__calloc(n ? n : 1, sizeof *nidx), nh = 0;
    hit *h = NULL;
    crm_status st = idx && nidx ? CRM_OK : crm__nomem();
    for (size_t i = 0; !st && i < n; i++) {
        st = item_add_list(&u, list[i].lhs, idx[i], &nidx[i]);
        if (!st) st = item_add_list(&u, list[i].rhs, idx[i], &nidx[i]);
    }
    if (!st) st = collect_hits(tx, o, &u, &h, &nh);
    for (size_t i = 0; !st && i < n; i++)
        st = rule_customers(h, nh, idx[i], nidx[i], &list[i].customers);
    for (size_t i = 0; h && i < nh; i++) crm__free(h[i].inv), crm__free(h[i].cust);
    for (size_t i = 0; i < u.n; i++) crm__free(u.name[i]);
    crm__free(u.name), crm__free(h), crm__free(idx), crm__free(nidx);
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
    snprintf(key, sizeof key, "report.rule.%zu.customers", i);
    rep_raw(p, "</b> in the same order: <span");
    rep_check(p, key, r->customers);
    rep_raw(p, ">");
    rep_int(p, r->customers);
    rep_raw(p, r->customers == 1 ? "</span> customer did, in <span"
                                 : "</span> customers did, in <span");
    snprintf(key, sizeof key, "apriori.rule.%zu.count", i);
    rep_check(p, key, r->count);
    rep_raw(p, ">");
    rep_int(p, r->count);
    rep_raw(p, r->count == 1 ? "</span> order (<span" : "</span> orders (<span");
    snprintf(key, sizeof key, "apriori.rule.%zu.confidence", i);
    rep_check(p, key, r->conf);
    rep_raw(p, ">");
    rep_pct(p, r->conf);
    rep_raw(p, "</span> of the orders with the first), <span");
    snprintf(key, sizeof key, "apriori.rule.%zu.lift", i);
    rep_check(p, key, r->lift);
    rep_printf(p, ">%.1f&times;</span> more often than chance.</li>\n", r->lift);
}

static void rules_figure(rep_page *p, const rule *kept, size_t nk)
{
    const char **lab = crm__calloc(nk + 1, sizeof *lab), **text = crm__calloc(5 * nk + 1,
                                                                            sizeof *text);
    double *lift = crm__calloc(nk + 1, sizeof *lift), *num = crm__calloc(5 * nk + 1, sizeof *num);
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
        text[5 * i] = names[i];
        num[5 * i + 1] = kept[i].customers, num[5 * i + 2] = kept[i].count;
        num[5 * i + 3] = kept[i].conf, num[5 * i + 4] = kept[i].lift;
    }
    if (!st) {
        rep_figure_open(p, "How much more often the products sell together (lift)");
        rep_svg_bars(p, "Lift of the cross-sell rules", lab, lift, nk, REP_COUNT);
        const char *hdr[] = {"rule", "customers", "orders", "confidence", "lift"};
        rep_table t = {nk, 5, hdr, text, num, NULL, "cross_sell.csv", 1u << 3};
        rep_table_html(p, &t);
        rep_figure_close(p);
    }
    if (st && p->st == CRM_OK) p->st = st;
    for (size_t i = 0; names && i < nk; i++) crm__free(names[i]);
    crm__free(names), crm__free(lab), crm__free(text), crm__free(lift), crm__free(num);
}

/* The rules come pruned (prune_redundant) and ordered by lift: the first
 * max_rules are shown. n_all: the rules before pruning. */
static crm_status show_rules(rep_page *p, const crm_dataset *tx, const crm_dataset *rules,
                             double n_all)
{
    size_t n = crm_dataset_nrows(rules);
    size_t nk = n < (size_t)p->o->max_rules ? n : (size_t)p->o->max_rules;
    rule *kept = crm__malloc_array(nk ? nk : 1, sizeof *kept);
    crm_status st = kept ? read_rules(rules, kept, nk) : crm__nomem();
    if (!st) st = count_customers(tx, p->o, kept, nk);
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
        st = show_rules(p, tx, rules, (double)crm_dataset_nrows(all));
    }
    crm_dataset_free(all);
    crm_dataset_free(sets);
    crm_dataset_free(rules);
    if (!st) rep_raw(p, "</section>\n");
    return st ? st : p->st;
}
