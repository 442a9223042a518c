/* Classification and regression metrics: exact AUC (ties one half), log
 * loss, confusion counts; RMSE, MAE, MAPE, R^2. */
#include "core/dataset_internal.h"
#include "crm/metrics.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MT_OPTIONS_V1_SIZE (offsetof(crm_metrics_options, sample_weight) + sizeof(const char *))

static const crm_metrics_options mt_defaults = {
    sizeof(crm_metrics_options), /* size */
    NULL,                        /* positive */
    0.5,                         /* threshold */
    NULL,                        /* sample_weight */
};

crm_status crm_metrics_options_init(crm_metrics_options *opts, size_t size)
{
    return crm__options_init(opts, size, &mt_defaults, sizeof mt_defaults, MT_OPTIONS_V1_SIZE,
                             "crm_metrics_options");
}

/* ---- AUC --------------------------------------------------------------------------- */

/* Stable merge sort of row indices by score ascending. */
static void sort_idx(const double *s, size_t *v, size_t *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    sort_idx(s, v, tmp, h);
    sort_idx(s, v + h, tmp, n - h);
    if (s[v[h - 1]] <= s[v[h]]) return;
    size_t a = 0, b = h, k = 0;
    while (a < h && b < n)
        tmp[k++] = s[v[b]] < s[v[a]] ? v[b++] : v[a++];
    while (a < h)
        tmp[k++] = v[a++];
    while (b < n)
        tmp[k++] = v[b++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Exact weighted AUC with ties counted one half; y holds 0/1, w may be NULL.
 * NaN when a class has no weight. CRM_E_NOMEM only. */
static crm_status metrics_auc(const double *y, const double *s, const double *w, size_t n,
                              double *out)
{
    *out = NAN;
    size_t *idx = crm__malloc_array(n ? 2 * n : 1, sizeof *idx);
    if (!idx) return crm__nomem();
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_idx(s, idx, idx + n, n);
    /* sweep groups of equal score in ascending order; neg_below = negative
     * weight with a lower score */
    crm__fsum area;
    crm__fsum_init(&area);
    double neg_below = 0, wpos = 0, wneg = 0;
    crm__fsum negs;
    crm__fsum_init(&negs);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double gp = 0, gn = 0;
        while (j < n && s[idx[j]] == s[idx[i]]) {
            double wi = w ? w[idx[j]] : 1.0;
            if (y[idx[j]] == 1.0)
                gp += wi;
            else
                gn += wi;
            j++;
        }
        crm__fsum_add(&area, gp * neg_below);
        crm__fsum_add(&area, 0.5 * gp * gn);
        crm__fsum_add(&negs, gn);
        neg_below = crm__fsum_result(&negs);
        wpos += gp;
        wneg += gn;
        i = j;
    }
    crm__free(idx);
    if (wpos > 0 && wneg > 0) *out = crm__fsum_result(&area) / wpos / wneg;
    return CRM_OK;
}

/* ---- column access --------------------------------------------------------------- */

static crm_status num_col(const crm_dataset *ds, const char *name, const char *what,
                          const char *role, const crm__column **out)
{
    if (!name) return crm__error(CRM_E_INVALID, "%s: %s column name is NULL", what, role);
    size_t idx;
    crm_status st = crm__dataset_find(ds, name, &idx);
    if (st != CRM_OK) return crm__error(st, "%s: %s column \"%s\" not found", what, role, name);
    const crm__column *c = &ds->cols[idx];
    if (c->type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "%s: %s column \"%s\" is a %s column, not a number column",
                          what, role, name, crm__type_name(c->type));
    *out = c;
    return CRM_OK;
}

static crm_status finite_values(const crm__column *c, size_t n, const char *what, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(c->v.num[i]))
            return crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: %s", what, name, i,
                              isnan(c->v.num[i]) ? "missing value" : "value is not finite");
    return CRM_OK;
}

static crm_status weights(const crm_dataset *ds, const crm_metrics_options *o, const char *what,
                          const double **w)
{
    *w = NULL;
    if (!o->sample_weight) return CRM_OK;
    const crm__column *c;
    crm_status st = num_col(ds, o->sample_weight, what, "sample_weight", &c);
    if (st != CRM_OK) return st;
    for (size_t i = 0; i < ds->nrows; i++)
        if (!(c->v.num[i] >= 0) || !isfinite(c->v.num[i]))
            return crm__error(CRM_E_INVALID,
                              "%s: sample_weight \"%s\" row %zu: %g is not a finite number >= 0",
                              what, o->sample_weight, i, c->v.num[i]);
    *w = c->v.num;
    return CRM_OK;
}

static crm_status one_row(const char *const *names, const double *vals, size_t k, crm_dataset **out)
{
    crm_dataset *t = NULL;
    crm_status st = crm_dataset_new(&t);
    for (size_t i = 0; st == CRM_OK && i < k; i++)
        st = crm_dataset_add_number(t, names[i], &vals[i], 1);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

static crm_status prologue(const crm_dataset *ds, const crm_metrics_options *opts,
                           crm_dataset **out, const char *what, crm_metrics_options *o)
{
    if (!out) return crm__error(CRM_E_INVALID, "%s: out is NULL", what);
    *out = NULL;
    crm_status st = crm__options_load(o, opts, &mt_defaults, sizeof mt_defaults, MT_OPTIONS_V1_SIZE,
                                      "crm_metrics_options");
    if (st != CRM_OK) return st;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", what);
    if (ds->nrows == 0) return crm__error(CRM_E_INVALID, "%s: the dataset has no rows", what);
    return CRM_OK;
}

crm_status crm_metrics_classification(const crm_dataset *ds, const char *truth, const char *score,
                                      const crm_metrics_options *opts, crm_dataset **out)
{
    const char *what = "crm_metrics_classification";
    crm_metrics_options o;
    crm_status st = prologue(ds, opts, out, what, &o);
    if (st != CRM_OK) return st;
    if (isnan(o.threshold)) return crm__error(CRM_E_INVALID, "%s: threshold is NaN", what);
    if (!truth) return crm__error(CRM_E_INVALID, "%s: truth column name is NULL", what);
    const crm__column *sc, *tc;
    size_t idx;
    st = crm__dataset_find(ds, truth, &idx);
    if (st != CRM_OK) return crm__error(st, "%s: truth column \"%s\" not found", what, truth);
    tc = &ds->cols[idx];
    if (tc->type == CRM_TYPE_TIME)
        return crm__error(CRM_E_TYPE, "%s: truth column \"%s\" is a time column", what, truth);
    if (tc->type == CRM_TYPE_TEXT && !o.positive)
        return crm__error(CRM_E_INVALID,
                          "%s: truth column \"%s\" is text: set positive to the positive class",
                          what, truth);
    st = num_col(ds, score, what, "score", &sc);
    if (st == CRM_OK) st = finite_values(sc, ds->nrows, what, score);
    const double *w = NULL;
    if (st == CRM_OK) st = weights(ds, &o, what, &w);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows;
    double *y = crm__malloc_array(n, sizeof *y);
    if (!y) return crm__nomem();
    int32_t pos = -1;
    if (tc->type == CRM_TYPE_TEXT) {
        pos = crm__dict_find(tc->dict, o.positive, strlen(o.positive));
    }
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        if (tc->type == CRM_TYPE_TEXT) {
            if (tc->v.code[i] < 0)
                st = crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: missing value", what,
                                truth, i);
            y[i] = tc->v.code[i] == pos ? 1.0 : 0.0;
        } else {
            double v = tc->v.num[i];
            if (v != 0.0 && v != 1.0)
                st = crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: %g is not 0 or 1", what,
                                truth, i, v);
            y[i] = v;
        }
    }
    double auc = NAN;
    if (st == CRM_OK) st = metrics_auc(y, sc->v.num, w, n, &auc);
    if (st != CRM_OK) {
        crm__free(y);
        return st;
    }
    crm__fsum ll, tw, tp, fp, tn, fn;
    crm__fsum_init(&ll);
    crm__fsum_init(&tw);
    crm__fsum_init(&tp);
    crm__fsum_init(&fp);
    crm__fsum_init(&tn);
    crm__fsum_init(&fn);
    int in01 = 1;
    const double eps = DBL_EPSILON;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, s = sc->v.num[i];
        crm__fsum_add(&tw, wi);
        if (s < 0 || s > 1) in01 = 0;
        double pc = s < eps ? eps : s > 1 - eps ? 1 - eps : s;
        crm__fsum_add(&ll, -wi * (y[i] == 1.0 ? log(pc) : log1p(-pc)));
        int pred = s > o.threshold;
        if (y[i] == 1.0)
            crm__fsum_add(pred ? &tp : &fn, wi);
        else
            crm__fsum_add(pred ? &fp : &tn, wi);
    }
    crm__free(y);
    double W = crm__fsum_result(&tw), TP = crm__fsum_result(&tp), FP = crm__fsum_result(&fp),
           TN = crm__fsum_result(&tn), FN = crm__fsum_result(&fn);
    double prec = TP + FP > 0 ? TP / (TP + FP) : 0.0;
    double rec = TP + FN > 0 ? TP / (TP + FN) : 0.0;
    double f1 = prec + rec > 0 ? 2.0 * prec * rec / (prec + rec) : 0.0;
    static const char *const names[] = {"n",         "weight", "auc",      "log_loss", "accuracy",
                                        "precision", "recall", "f1",       "tp",       "fp",
                                        "tn",        "fn",     "threshold"};
    double vals[13] = {(double)n,
                       W,
                       auc,
                       in01 && W > 0 ? crm__fsum_result(&ll) / W : NAN,
                       W > 0 ? (TP + TN) / W : NAN,
                       prec,
                       rec,
                       f1,
                       TP,
                       FP,
                       TN,
                       FN,
                       o.threshold};
    return one_row(names, vals, 13, out);
}

crm_status crm_metrics_regression(const crm_dataset *ds, const char *truth, const char *prediction,
                                  const crm_metrics_options *opts, crm_dataset **out)
{
    const char *what = "crm_metrics_regression";
    crm_metrics_options o;
    crm_status st = prologue(ds, opts, out, what, &o);
    if (st != CRM_OK) return st;
    const crm__column *tc, *pc;
    st = num_col(ds, truth, what, "truth", &tc);
    if (st == CRM_OK) st = num_col(ds, prediction, what, "prediction", &pc);
    if (st == CRM_OK) st = finite_values(tc, ds->nrows, what, truth);
    if (st == CRM_OK) st = finite_values(pc, ds->nrows, what, prediction);
    const double *w = NULL;
    if (st == CRM_OK) st = weights(ds, &o, what, &w);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows;
    crm__fsum tw, sy, se, ae, ape;
    crm__fsum_init(&tw);
    crm__fsum_init(&sy);
    crm__fsum_init(&se);
    crm__fsum_init(&ae);
    crm__fsum_init(&ape);
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, y = tc->v.num[i], e = y - pc->v.num[i];
        crm__fsum_add(&tw, wi);
        crm__fsum_add(&sy, wi * y);
        crm__fsum_add(&se, wi * e * e);
        crm__fsum_add(&ae, wi * fabs(e));
        double ay = fabs(y);
        crm__fsum_add(&ape, wi * fabs(e) / (ay > DBL_EPSILON ? ay : DBL_EPSILON));
    }
    double W = crm__fsum_result(&tw);
    double mean = crm__fsum_result(&sy) / W;
    crm__fsum ss;
    crm__fsum_init(&ss);
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, dy = tc->v.num[i] - mean;
        crm__fsum_add(&ss, wi * dy * dy);
    }
    double sst = crm__fsum_result(&ss), sse = crm__fsum_result(&se);
    double mse = sse / W;
    static const char *const names[] = {"n", "weight", "rmse", "mse", "mae", "mape", "r2"};
    double vals[7] = {(double)n,
                      W,
                      sqrt(mse),
                      mse,
                      crm__fsum_result(&ae) / W,
                      crm__fsum_result(&ape) / W,
                      sst > 0 ? 1.0 - sse / sst : NAN};
    if (!(W > 0)) return crm__error(CRM_E_INVALID, "%s: the weights sum to 0", what);
    return one_row(names, vals, 7, out);
}
