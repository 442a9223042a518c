/* Clusters: k-means on the RFM table (recency in days, log1p of frequency and
 * monetary, standardized), shown in original units and named by what sets
 * each cluster apart from the typical (median) customer. */
#include "report/report_internal.h"

#include "core/quantile.h"

#include "crm/kmeans.h"
#include "crm/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const feat[3] = {"recency_days", "frequency", "monetary"};
static const char *const steps[2] = {"frequency=log1p(frequency)", "monetary=log1p(monetary)"};

/* Sizes and centres in original units (crm_kmeans_centers_original: the log1p
 * steps undone), feature-major: ctr[j * k + i]. */
static crm_status centres_original(const crm_model *m, size_t k, double *size, double *ctr)
{
    crm_dataset *orig = NULL;
    size_t c;
    crm_status st = crm_kmeans_centers_original(m, &orig);
    if (!st && crm_dataset_nrows(orig) != k)
        st = crm__error(CRM_E_STATE, "report: %zu original centres for %zu clusters",
                        crm_dataset_nrows(orig), k);
    if (!st) st = crm_dataset_column_index(orig, "size", &c);
    if (!st) st = crm_dataset_get_number(orig, c, 0, k, size);
    for (int j = 0; !st && j < 3; j++) {
        st = crm_dataset_column_index(orig, feat[j], &c);
        if (!st) st = crm_dataset_get_number(orig, c, 0, k, ctr + (size_t)j * k);
    }
    crm_dataset_free(orig);
    return st;
}

/* Medians of the three features over the customers (original units). */
static crm_status medians(const crm_dataset *rfm, double med[3])
{
    size_t n = crm_dataset_nrows(rfm), c;
    double *v = crm__malloc_array(n ? n : 1, sizeof *v);
    if (!v) return crm__nomem();
    crm_status st = CRM_OK;
    for (int j = 0; j < 3 && !st; j++) {
        st = crm_dataset_column_index(rfm, feat[j], &c);
        if (!st) st = crm_dataset_get_number(rfm, c, 0, n, v);
        if (!st) med[j] = n ? crm__median_select(v, n) : NAN;
    }
    crm__free(v);
    return st;
}

/* "Recent frequent big spenders" from how a centre compares with the medians. */
static void cluster_name(char *out, size_t cap, const double *c, const double med[3])
{
    const char *rec = c[0] < 0.6 * med[0]   ? "Recent"
                      : c[0] > 1.6 * med[0] ? "Lapsed"
                                            : "Mid-recency";
    const char *frq = c[1] >= 1.5 * med[1] && c[1] >= med[1] + 1 ? " frequent"
                      : c[1] <= 1.05                                ? " one-time"
                      : c[1] < med[1]                               ? " occasional"
                                                                    : "";
    const char *mon = c[2] > 1.6 * med[2]   ? " big spenders"
                      : c[2] < 0.6 * med[2] ? " small spenders"
                                            : " average spenders";
    snprintf(out, cap, "%s%s%s", rec, frq, mon);
}

static void cluster_figure(rep_page *p, const crm_model *m, size_t k, const double *size,
                           const double *ctr, char (*name)[96])
{
    const char **lab = crm__calloc(k, sizeof *lab), **text = crm__calloc(k * 5, sizeof *text);
    const char **check = crm__calloc(k * 5, sizeof *check);
    double *num = crm__calloc(k * 5, sizeof *num);
    char(*keys)[48] = crm__calloc(k * 5, sizeof *keys);
    if (!lab || !text || !check || !num || !keys) {
        if (p->st == CRM_OK) p->st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        lab[i] = name[i];
        text[5 * i] = name[i];
        num[5 * i + 1] = size[i];
        snprintf(keys[5 * i + 1], 48, "kmeans.size.%zu", i);
        check[5 * i + 1] = keys[5 * i + 1];
        for (int j = 0; j < 3; j++) {
            num[5 * i + 2 + j] = ctr[(size_t)j * k + i];
            snprintf(keys[5 * i + 2 + j], 48, "kmeans.profile.%zu.%s", i, feat[j]);
            check[5 * i + 2 + j] = keys[5 * i + 2 + j];
        }
    }
    rep_figure_open(p, "Customers per cluster");
    rep_svg_bars(p, "Customers per cluster", lab, size, k, 0);
    const char *hdr[] = {"cluster", "customers", "days since last purchase", "orders",
                         "spend"};
    rep_table t = {k, 5, hdr, text, num, check, "clusters.csv", 0};
    rep_table_html(p, &t);
    double inertia = NAN;
    crm_model_stat(m, "inertia", &inertia);
    rep_raw(p, "<p class=\"muted\">Each row is the typical customer of the cluster: its k-means "
               "centre taken back from the log scale (crm_kmeans_centers_original), a "
               "geometric-type mean, less pulled by a few huge orders than the average. "
               "Within-cluster sum of "
               "squares (standardized units): <span");
    rep_check(p, "kmeans.inertia", inertia);
    rep_printf(p, ">%.1f</span>.</p>\n", inertia);
    rep_figure_close(p);
done:
    crm__free(lab);
    crm__free(text);
    crm__free(check);
    crm__free(num);
    crm__free(keys);
}

static crm_status fit(const rep_rfm *r, const crm_report_options *o, crm_model **m)
{
    crm_kmeans_options ko;
    crm_kmeans_options_init(&ko, sizeof ko);
    ko.k = o->k;
    ko.seed = o->seed;
    ko.standardize = 1;
    ko.n_threads = o->n_threads;
    ko.mutate = steps;
    ko.n_mutate = 2;
    return crm_kmeans_fit(r->table, feat, 3, &ko, m);
}

crm_status rep_section_clusters(rep_page *p, const rep_rfm *r)
{
    rep_raw(p, "<section id=\"clusters\"><h2>Customer clusters</h2>\n<p class=\"lead\">Groups "
               "of customers who look alike in how recently, how often and how much they buy "
               "(k-means on recency, log orders and log spend, each standardized).</p>\n");
    crm_model *m = NULL;
    crm_dataset *sum = NULL;
    crm_status st = fit(r, p->o, &m);
    if (rep_soft_error(st)) {
        rep_unavailable(p, "No clusters for these data");
        rep_raw(p, "</section>\n");
        return p->st;
    }
    if (!st) st = crm_model_summary(m, &sum);
    size_t k = sum ? crm_dataset_nrows(sum) : 0;
    double *size = crm__malloc_array(k ? k : 1, sizeof *size);
    double *ctr = crm__malloc_array(3 * (k ? k : 1), sizeof *ctr);
    char(*name)[96] = crm__calloc(k ? k : 1, sizeof *name);
    double med[3];
    if (!st && (!size || !ctr || !name)) st = crm__nomem();
    if (!st) st = centres_original(m, k, size, ctr);
    if (!st) st = medians(r->table, med);
    for (size_t i = 0; !st && i < k; i++) {
        double c[3] = {ctr[i], ctr[k + i], ctr[2 * k + i]};
        cluster_name(name[i], sizeof name[i], c, med);
        for (size_t j = 0; j < i; j++) /* the same words twice: number them */
            if (strncmp(name[j], name[i], strlen(name[i])) == 0) {
                size_t len = strlen(name[i]);
                snprintf(name[i] + len, sizeof name[i] - len, " (%zu)", i + 1);
                break;
            }
    }
    if (!st) {
        cluster_figure(p, m, k, size, ctr, name);
        rep_raw(p, "</section>\n");
        st = p->st;
    }
    crm__free(size);
    crm__free(ctr);
    crm__free(name);
    crm_dataset_free(sum);
    crm_model_free(m);
    return st;
}
