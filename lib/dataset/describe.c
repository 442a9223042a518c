/* crm_dataset_describe: per-column summary statistics. */
#include "core/dataset_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ST_COUNT, ST_MISSING, ST_MEAN, ST_STD, ST_MIN, ST_Q25, ST_MEDIAN, ST_Q75, ST_MAX,
       ST_DISTINCT, ST_N };

static const char *const stat_names[ST_N] = {"count", "missing", "mean", "std",  "min",
                                              "q25",   "median",  "q75",  "max", "distinct"};

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* numpy's linear interpolation (method="linear", R type 7), including its
 * two-sided lerp so results agree bit for bit. */
static double quantile_sorted(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    double lo = floor(h);
    size_t i = (size_t)lo;
    double t = h - lo;
    if (i + 1 >= n)
        return x[n - 1];
    double a = x[i], b = x[i + 1];
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

/* Statistics of the sorted, non-missing values x[0..n). */
static void numeric_stats(const double *x, size_t n, int with_std, double *st)
{
    if (n == 0)
        return;
    crm__fsum s;
    crm__fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        crm__fsum_add(&s, x[i]);
    double mean = crm__fsum_result(&s) / (double)n;
    st[ST_MEAN] = mean;
    if (with_std && n >= 2) {
        crm__fsum_init(&s);
        for (size_t i = 0; i < n; i++)
            crm__fsum_add(&s, (x[i] - mean) * (x[i] - mean));
        st[ST_STD] = sqrt(crm__fsum_result(&s) / (double)(n - 1));
    }
    st[ST_MIN] = x[0];
    st[ST_Q25] = quantile_sorted(x, n, 0.25);
    st[ST_MEDIAN] = quantile_sorted(x, n, 0.5);
    st[ST_Q75] = quantile_sorted(x, n, 0.75);
    st[ST_MAX] = x[n - 1];
    size_t distinct = 1;
    for (size_t i = 1; i < n; i++)
        distinct += x[i] != x[i - 1];
    st[ST_DISTINCT] = (double)distinct;
}

static crm_status describe_column(const crm_dataset *ds, const crm__column *c, double *st)
{
    size_t n = ds->nrows;
    for (int k = 0; k < ST_N; k++)
        st[k] = NAN;
    size_t count = 0;
    if (c->type == CRM_TYPE_TEXT) {
        unsigned char *seen = crm__calloc(c->dict->n ? c->dict->n : 1, 1);
        if (!seen)
            return crm__nomem();
        size_t distinct = 0;
        for (size_t r = 0; r < n; r++) {
            int32_t code = c->v.code[r];
            if (code < 0)
                continue;
            count++;
            if (!seen[code]) {
                seen[code] = 1;
                distinct++;
            }
        }
        crm__free(seen);
        st[ST_DISTINCT] = (double)distinct;
    } else {
        double *x = crm__malloc_array(n, sizeof *x);
        if (!x)
            return crm__nomem();
        for (size_t r = 0; r < n; r++) {
            if (c->type == CRM_TYPE_NUMBER) {
                if (!isnan(c->v.num[r]))
                    x[count++] = c->v.num[r];
            } else if (c->v.time[r] != CRM_TIME_MISSING) {
                x[count++] = (double)c->v.time[r];
            }
        }
        qsort(x, count, sizeof *x, cmp_double);
        numeric_stats(x, count, c->type == CRM_TYPE_NUMBER, st);
        if (count == 0)
            st[ST_DISTINCT] = 0;
        crm__free(x);
    }
    st[ST_COUNT] = (double)count;
    st[ST_MISSING] = (double)(n - count);
    return CRM_OK;
}

crm_status crm_dataset_describe(const crm_dataset *ds, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_describe: NULL argument");
    size_t nc = ds->ncols;
    crm_status st = CRM_OK;
    crm_dataset *res = NULL;
    const char **names = crm__malloc_array(nc, sizeof *names);
    const char **types = crm__malloc_array(nc, sizeof *types);
    double *vals = crm__malloc_array(nc * ST_N, sizeof *vals);
    double *colv = crm__malloc_array(nc, sizeof *colv);
    if (!names || !types || !vals || !colv) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < nc; i++) {
        names[i] = ds->cols[i].name;
        types[i] = crm__type_name(ds->cols[i].type);
        if ((st = describe_column(ds, &ds->cols[i], vals + i * ST_N)))
            goto done;
    }
    if ((st = crm_dataset_new(&res)) || (st = crm_dataset_add_text(res, "column", names, nc)) ||
        (st = crm_dataset_add_text(res, "type", types, nc)))
        goto done;
    for (int k = 0; k < ST_N; k++) {
        for (size_t i = 0; i < nc; i++)
            colv[i] = vals[i * ST_N + (size_t)k];
        if ((st = crm_dataset_add_number(res, stat_names[k], colv, nc)))
            goto done;
    }
    *out = res;
    res = NULL;
done:
    crm_dataset_free(res);
    crm__free(names);
    crm__free(types);
    crm__free(vals);
    crm__free(colv);
    return st;
}
