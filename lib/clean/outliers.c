/* crm_clean_outliers: z-score, IQR and MAD rules; flag, drop or clip. */
#include "clean/clean_internal.h"
#include "core/quantile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The rule's statistics: a value is an outlier when out(x) holds; lo/hi are
 * the bounds used for clipping. */
typedef struct rule_stats {
    int32_t rule;
    double k;
    double center; /* mean or median */
    double scale;  /* std or MAD (z-score, MAD); 0 = nothing is an outlier */
    double lo, hi;
    int none; /* 1: nothing is an outlier */
} rule_stats;

static inline int is_outlier(const rule_stats *s, double x)
{
    if (s->none || isnan(x))
        return 0;
    switch (s->rule) {
    case CRM_OUTLIER_ZSCORE:
        return fabs(x - s->center) / s->scale > s->k;
    case CRM_OUTLIER_MAD:
        return fabs(0.6745 * (x - s->center) / s->scale) > s->k;
    default:
        return x < s->lo || x > s->hi;
    }
}

static crm_status compute_stats(const crm__column *c, size_t n, rule_stats *s)
{
    double *x;
    size_t m;
    crm_status st = crm__column_observed(c, n, &x, &m);
    if (st)
        return st;
    s->none = 0;
    if (s->rule == CRM_OUTLIER_ZSCORE) {
        if (m < 2) {
            s->none = 1;
        } else {
            crm__fsum f;
            crm__fsum_init(&f);
            for (size_t i = 0; i < m; i++)
                crm__fsum_add(&f, x[i]);
            double mean = crm__fsum_result(&f) / (double)m;
            crm__fsum_init(&f);
            for (size_t i = 0; i < m; i++)
                crm__fsum_add(&f, (x[i] - mean) * (x[i] - mean));
            double sd = sqrt(crm__fsum_result(&f) / (double)(m - 1));
            s->center = mean;
            s->scale = sd;
            s->none = !(sd > 0) || !isfinite(sd) || !isfinite(mean);
            s->lo = mean - s->k * sd;
            s->hi = mean + s->k * sd;
        }
    } else if (m == 0) {
        s->none = 1;
    } else if (s->rule == CRM_OUTLIER_IQR) {
        double q1, q3;
        crm__quantile_pair(x, m, 0.25, 0.75, &q1, &q3);
        double iqr = q3 - q1;
        s->lo = q1 - s->k * iqr;
        s->hi = q3 + s->k * iqr;
        s->none = !(iqr > 0);
    } else {
        double med = crm__median_select(x, m);
        for (size_t i = 0; i < m; i++)
            x[i] = fabs(x[i] - med);
        double mad = crm__median_select(x, m);
        s->center = med;
        s->scale = mad;
        s->none = !(mad > 0) || !isfinite(mad);
        s->lo = med - s->k * mad / 0.6745;
        s->hi = med + s->k * mad / 0.6745;
    }
    crm__free(x);
    return CRM_OK;
}

crm_status crm_clean_outliers(crm_dataset *ds, const char *col, int32_t rule, double k,
                              int32_t action, size_t *out_affected)
{
    if (out_affected)
        *out_affected = 0;
    if (!ds || !col)
        return crm__error(CRM_E_INVALID, "crm_clean_outliers: NULL argument");
    if (crm__dataset_check_writable(ds, "crm_clean_outliers"))
        return CRM_E_STATE;
    if (rule < CRM_OUTLIER_ZSCORE || rule > CRM_OUTLIER_MAD)
        return crm__error(CRM_E_INVALID, "crm_clean_outliers: unknown rule %d", (int)rule);
    if (action < CRM_OUTLIER_FLAG || action > CRM_OUTLIER_CLIP)
        return crm__error(CRM_E_INVALID, "crm_clean_outliers: unknown action %d", (int)action);
    if (!isfinite(k) || k < 0)
        return crm__error(CRM_E_INVALID,
                          "crm_clean_outliers: k must be positive, or 0 for the default (got %g)",
                          k);
    size_t ci;
    crm_status st = crm__dataset_find(ds, col, &ci);
    if (st)
        return st;
    const crm__column *c = &ds->cols[ci];
    if (c->type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "outliers of %s column \"%s\": needs a number column",
                          crm__type_name(c->type), col);
    char *flag_name = NULL;
    if (action == CRM_OUTLIER_FLAG) {
        size_t len = strlen(col) + sizeof "_outlier";
        flag_name = crm__malloc(len);
        if (!flag_name)
            return crm__nomem();
        snprintf(flag_name, len, "%s_outlier", col);
        if ((st = crm__dataset_check_new_name(ds, flag_name))) {
            crm__free(flag_name);
            return st;
        }
    }
    size_t n = ds->nrows;
    rule_stats s;
    memset(&s, 0, sizeof s);
    s.rule = rule;
    s.k = k > 0 ? k : rule == CRM_OUTLIER_ZSCORE ? 3.0 : rule == CRM_OUTLIER_IQR ? 1.5 : 3.5;
    if ((st = compute_stats(c, n, &s))) {
        crm__free(flag_name);
        return st;
    }
    size_t cnt = 0;
    if (action == CRM_OUTLIER_FLAG) {
        double *f = crm__malloc_array(n ? n : 1, sizeof *f);
        if (!f) {
            crm__free(flag_name);
            return crm__nomem();
        }
        for (size_t r = 0; r < n; r++) {
            double x = c->v.num[r];
            int o = is_outlier(&s, x);
            f[r] = isnan(x) ? (double)NAN : (double)o;
            cnt += (size_t)o;
        }
        st = crm__dataset_add_owned(ds, flag_name, CRM_TYPE_NUMBER, f, NULL, n);
        crm__free(flag_name);
        if (st) {
            crm__free(f);
            return st;
        }
    } else if (action == CRM_OUTLIER_DROP) {
        unsigned char *kp = crm__malloc(n);
        if (!kp)
            return crm__nomem();
        for (size_t r = 0; r < n; r++) {
            int o = is_outlier(&s, c->v.num[r]);
            kp[r] = (unsigned char)!o;
            cnt += (size_t)o;
        }
        size_t rm = 0;
        st = crm__clean_keep_rows(ds, kp, &rm);
        crm__free(kp);
        if (st)
            return st;
    } else {
        /* nothing can fail from here on: clip in place */
        double *v = ds->cols[ci].v.num;
        for (size_t r = 0; r < n; r++) {
            double x = v[r];
            if (is_outlier(&s, x)) {
                int high = s.rule == CRM_OUTLIER_IQR ? x > s.hi : x > s.center;
                v[r] = high ? s.hi : s.lo;
                cnt++;
            }
        }
    }
    if (out_affected)
        *out_affected = cnt;
    return CRM_OK;
}
