/* crm_clean_impute: mean, median, mode, constant and linear imputation. */
#include "clean/clean_internal.h"
#include "core/quantile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Size of crm_impute_options as published in libcrm 1.0 (the smallest accepted). */
#define CRM__IMPUTE_OPTIONS_V1_SIZE (offsetof(crm_impute_options, order_by) + sizeof(const char *))

static const crm_impute_options impute_defaults = {
    sizeof(crm_impute_options), /* size */
    0.0,                        /* constant */
    NULL,                       /* text_constant */
    NULL,                       /* order_by */
};

crm_status crm_impute_options_init(crm_impute_options *opts, size_t size)
{
    return crm__options_init(opts, size, &impute_defaults, sizeof impute_defaults,
                             CRM__IMPUTE_OPTIONS_V1_SIZE, "crm_impute_options");
}

static const char *method_name(int32_t m)
{
    static const char *const names[] = {"mean", "median", "mode", "constant", "linear"};
    return m >= 1 && m <= 5 ? names[m - 1] : "?";
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static int cmp_int64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* Most frequent value of the sorted x[0..n) (n > 0), ties to the smallest. */
#define MODE_OF_SORTED(x, n, best)                                                                 \
    do {                                                                                           \
        size_t bestc_ = 0;                                                                         \
        for (size_t i_ = 0; i_ < (n);) {                                                           \
            size_t j_ = i_ + 1;                                                                    \
            while (j_ < (n) && (x)[j_] == (x)[i_])                                                 \
                j_++;                                                                              \
            if (j_ - i_ > bestc_) {                                                                \
                bestc_ = j_ - i_;                                                                  \
                (best) = (x)[i_];                                                                  \
            }                                                                                      \
            i_ = j_;                                                                               \
        }                                                                                          \
    } while (0)

/* Fill value of a number column for MEAN, MEDIAN, MODE. */
static crm_status number_fill(const crm__column *c, size_t n, int32_t method, double *out)
{
    double *x;
    size_t m;
    crm_status st = crm__column_observed(c, n, &x, &m);
    if (st)
        return st;
    if (m == 0) {
        crm__free(x);
        return crm__error(CRM_E_NUMERIC, "column \"%s\" has no value to take the %s of", c->name,
                          method_name(method));
    }
    if (method == CRM_IMPUTE_MEAN) {
        crm__fsum s;
        crm__fsum_init(&s);
        for (size_t i = 0; i < m; i++)
            crm__fsum_add(&s, x[i]);
        *out = crm__fsum_result(&s) / (double)m;
    } else if (method == CRM_IMPUTE_MEDIAN) {
        *out = crm__median_select(x, m);
    } else {
        qsort(x, m, sizeof *x, cmp_double);
        double best = x[0];
        MODE_OF_SORTED(x, m, best);
        *out = best;
    }
    crm__free(x);
    return CRM_OK;
}

static crm_status time_mode(const crm__column *c, size_t n, int64_t *out)
{
    int64_t *x = crm__malloc_array(n ? n : 1, sizeof *x);
    if (!x)
        return crm__nomem();
    size_t m = 0;
    for (size_t r = 0; r < n; r++)
        if (c->v.time[r] != CRM_TIME_MISSING)
            x[m++] = c->v.time[r];
    if (m == 0) {
        crm__free(x);
        return crm__error(CRM_E_NUMERIC, "column \"%s\" has no value to take the mode of",
                          c->name);
    }
    qsort(x, m, sizeof *x, cmp_int64);
    int64_t best = x[0];
    MODE_OF_SORTED(x, m, best);
    *out = best;
    crm__free(x);
    return CRM_OK;
}

static crm_status text_mode(const crm__column *c, size_t n, int32_t *out)
{
    size_t nd = c->dict->n;
    size_t *cnt = crm__calloc(nd ? nd : 1, sizeof *cnt);
    if (!cnt)
        return crm__nomem();
    for (size_t r = 0; r < n; r++)
        if (c->v.code[r] >= 0)
            cnt[c->v.code[r]]++;
    int32_t best = -1;
    for (size_t k = 0; k < nd; k++) {
        if (!cnt[k])
            continue;
        if (best < 0 || cnt[k] > cnt[best] ||
            (cnt[k] == cnt[best] &&
             strcmp(crm__dict_str(c->dict, (int32_t)k), crm__dict_str(c->dict, best)) < 0))
            best = (int32_t)k;
    }
    crm__free(cnt);
    if (best < 0)
        return crm__error(CRM_E_NUMERIC, "column \"%s\" has no value to take the mode of",
                          c->name);
    *out = best;
    return CRM_OK;
}

/* numpy.interp's value at x between (x0, y0) and (x1, y1), x0 < x < x1. */
static double interp(double x, double x0, double y0, double x1, double y1)
{
    double slope = (y1 - y0) / (x1 - x0);
    double v = slope * (x - x0) + y0;
    if (isnan(v)) {
        v = slope * (x - x1) + y1;
        if (isnan(v) && y0 == y1)
            v = y0;
    }
    return v;
}

/* Linear interpolation in row order into v (a copy of the column). */
static size_t linear_rows(double *v, size_t n)
{
    size_t filled = 0, prev = SIZE_MAX;
    for (size_t r = 0; r < n; r++) {
        if (isnan(v[r]))
            continue;
        if (prev != SIZE_MAX && r > prev + 1) {
            for (size_t i = prev + 1; i < r; i++)
                v[i] = interp((double)i, (double)prev, v[prev], (double)r, v[r]);
            filled += r - prev - 1;
        }
        prev = r;
    }
    if (prev != SIZE_MAX) {
        for (size_t i = prev + 1; i < n; i++)
            v[i] = v[prev];
        filled += n - prev - 1;
    }
    return filled;
}

typedef struct pos_row {
    double pos;
    size_t row;
} pos_row;

static int cmp_pos_row(const void *pa, const void *pb)
{
    const pos_row *a = pa, *b = pb;
    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Linear interpolation against the positions of column `oc` into v. */
static crm_status linear_ordered(const crm__column *c, const crm__column *oc, double *v, size_t n,
                                 size_t *filled)
{
    size_t nv = 0, nm = 0;
    for (size_t r = 0; r < n; r++)
        nv += !isnan(v[r]);
    nm = n - nv;
    *filled = 0;
    if (nv == 0 || nm == 0)
        return CRM_OK;
    pos_row *pts = crm__malloc_array(nv, sizeof *pts);
    if (!pts)
        return crm__nomem();
    for (size_t r = 0, j = 0; r < n; r++) {
        double p;
        if (oc->type == CRM_TYPE_NUMBER) {
            p = oc->v.num[r];
        } else {
            int64_t t = oc->v.time[r];
            p = t == CRM_TIME_MISSING ? NAN : (double)t;
        }
        if (isnan(p)) {
            crm__free(pts);
            return crm__error(CRM_E_INVALID,
                              "order_by column \"%s\" is missing at row %zu (needed to "
                              "interpolate \"%s\")",
                              oc->name, r, c->name);
        }
        if (!isnan(v[r]))
            pts[j++] = (pos_row){p, r};
    }
    qsort(pts, nv, sizeof *pts, cmp_pos_row);
    size_t cnt = 0;
    for (size_t r = 0; r < n; r++) {
        if (!isnan(c->v.num[r]))
            continue;
        double x = oc->type == CRM_TYPE_NUMBER ? oc->v.num[r] : (double)oc->v.time[r];
        if (x < pts[0].pos)
            continue; /* before the first value: stays missing */
        /* j = last point with pos <= x */
        size_t lo = 0, hi = nv; /* pts[lo].pos <= x < pts[hi].pos (hi = nv: +inf) */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (pts[mid].pos <= x)
                lo = mid;
            else
                hi = mid;
        }
        double y;
        if (lo == nv - 1 || pts[lo].pos == x)
            y = c->v.num[pts[lo].row];
        else
            y = interp(x, pts[lo].pos, c->v.num[pts[lo].row], pts[lo + 1].pos,
                       c->v.num[pts[lo + 1].row]);
        v[r] = y;
        cnt++;
    }
    crm__free(pts);
    *filled = cnt;
    return CRM_OK;
}

crm_status crm_clean_impute(crm_dataset *ds, const char *col, int32_t method,
                            const crm_impute_options *opts, size_t *out_filled)
{
    if (out_filled)
        *out_filled = 0;
    if (!ds || !col)
        return crm__error(CRM_E_INVALID, "crm_clean_impute: NULL argument");
    if (crm__dataset_check_writable(ds, "crm_clean_impute"))
        return CRM_E_STATE;
    if (method < CRM_IMPUTE_MEAN || method > CRM_IMPUTE_LINEAR)
        return crm__error(CRM_E_INVALID, "crm_clean_impute: unknown method %d", (int)method);
    crm_impute_options o;
    crm_status st = crm__options_load(&o, opts, &impute_defaults, sizeof impute_defaults,
                                      CRM__IMPUTE_OPTIONS_V1_SIZE, "crm_impute_options");
    if (st)
        return st;
    size_t ci;
    if ((st = crm__dataset_find(ds, col, &ci)))
        return st;
    crm__column *c = &ds->cols[ci];
    size_t n = ds->nrows;
    if (c->type != CRM_TYPE_NUMBER && method != CRM_IMPUTE_MODE && method != CRM_IMPUTE_CONSTANT)
        return crm__error(CRM_E_TYPE, "cannot impute the %s of %s column \"%s\" (needs a number)",
                          method_name(method), crm__type_name(c->type), col);
    const crm__column *oc = NULL;
    if (method == CRM_IMPUTE_LINEAR && o.order_by) {
        size_t oi;
        if ((st = crm__dataset_find(ds, o.order_by, &oi)))
            return crm__error(st, "order_by: no column named \"%s\"", o.order_by);
        if (oi == ci)
            return crm__error(CRM_E_INVALID, "order_by \"%s\" is the column being imputed",
                              o.order_by);
        oc = &ds->cols[oi];
        if (oc->type == CRM_TYPE_TEXT)
            return crm__error(CRM_E_TYPE, "order_by column \"%s\" is text (needs number or time)",
                              o.order_by);
    }
    if (method == CRM_IMPUTE_CONSTANT) {
        if (c->type == CRM_TYPE_NUMBER && isnan(o.constant))
            return crm__error(CRM_E_INVALID, "constant for column \"%s\" is NaN", col);
        if (c->type == CRM_TYPE_TIME &&
            !(o.constant == floor(o.constant) && fabs(o.constant) < 9.2e18))
            return crm__error(CRM_E_INVALID,
                              "constant %g for time column \"%s\" is not a whole number of "
                              "seconds in range",
                              o.constant, col);
        if (c->type == CRM_TYPE_TEXT) {
            if (!o.text_constant)
                return crm__error(CRM_E_INVALID,
                                  "text_constant is NULL (needed for text column \"%s\")", col);
            if (!crm__utf8_valid(o.text_constant, strlen(o.text_constant)))
                return crm__error(CRM_E_INVALID, "text_constant is not valid UTF-8");
        }
    }
    size_t nmiss = 0;
    for (size_t r = 0; r < n; r++)
        nmiss += crm__cell_missing(c, r);

    if (c->type == CRM_TYPE_TEXT) {
        int32_t code = -1;
        crm__dict *nd = NULL;
        if (nmiss == 0)
            return CRM_OK;
        if (method == CRM_IMPUTE_MODE && (st = text_mode(c, n, &code)))
            return st;
        if (method == CRM_IMPUTE_CONSTANT) {
            /* a private dictionary with the constant added (the old one may be shared) */
            code = crm__dict_find(c->dict, o.text_constant, strlen(o.text_constant));
            if (code < 0) {
                if ((st = crm__dict_new(&nd)) ||
                    (st = crm__dict_reserve(nd, c->dict->n + 1,
                                            c->dict->arena_len + strlen(o.text_constant) + 1))) {
                    crm__dict_release(nd);
                    return st;
                }
                for (size_t k = 0; k < c->dict->n && !st; k++) {
                    const char *s = crm__dict_str(c->dict, (int32_t)k);
                    int32_t kk;
                    st = crm__dict_intern(nd, s, strlen(s), &kk);
                }
                if (!st)
                    st = crm__dict_intern(nd, o.text_constant, strlen(o.text_constant), &code);
                if (st) {
                    crm__dict_release(nd);
                    return st;
                }
            }
        }
        /* nothing can fail from here on: fill in place (column data is never shared) */
        for (size_t r = 0; r < n; r++)
            if (c->v.code[r] < 0)
                c->v.code[r] = code;
        if (nd) {
            crm__dict_release(c->dict);
            c->dict = nd;
        }
        if (out_filled)
            *out_filled = nmiss;
        return CRM_OK;
    }

    if (c->type == CRM_TYPE_TIME) {
        int64_t fill = (int64_t)o.constant;
        if (nmiss == 0)
            return CRM_OK;
        if (method == CRM_IMPUTE_MODE && (st = time_mode(c, n, &fill)))
            return st;
        for (size_t r = 0; r < n; r++)
            if (c->v.time[r] == CRM_TIME_MISSING)
                c->v.time[r] = fill;
        if (out_filled)
            *out_filled = nmiss;
        return CRM_OK;
    }

    /* number column */
    double fill = o.constant;
    if (nmiss == 0)
        return CRM_OK;
    if (method == CRM_IMPUTE_MEAN || method == CRM_IMPUTE_MEDIAN || method == CRM_IMPUTE_MODE) {
        if ((st = number_fill(c, n, method, &fill)))
            return st;
    }
    /* The failures are all behind: the missing cells are filled in place (the
     * non-missing ones, which interpolation reads, are never written). */
    double *v = c->v.num;
    size_t cnt = nmiss;
    if (method == CRM_IMPUTE_LINEAR) {
        if (oc) {
            if ((st = linear_ordered(c, oc, v, n, &cnt)))
                return st;
        } else {
            cnt = nmiss == n ? 0 : linear_rows(v, n);
        }
    } else {
        for (size_t r = 0; r < n; r++)
            if (isnan(v[r]))
                v[r] = fill;
    }
    if (out_filled)
        *out_filled = cnt;
    return CRM_OK;
}
