/* The model kinds "logreg" and "linreg": predict, coefficient table,
 * statistics, JSON. */
#include "linear/linear_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The statistics of the two kinds, in the order of their indices (linear_internal.h). */
const char *const crm__linreg_stat_names[] = {
    "n_rows", "n_terms",  "r2",       "adj_r2", "f_stat", "f_pvalue", "sigma", "sigma2", "rss",
    "tss",    "df_model", "df_resid", "loglik", "aic",    "bic",      "l2",    NULL};
const char *const crm__logreg_stat_names[] = {
    "n_rows",      "n_terms",     "n_iter", "iterations", "converged", "loglik",
    "loglik_null", "mcfadden_r2", "aic",    "bic",        "deviance",  "null_deviance",
    "df_model",    "df_resid",    "l2",     "objective",  "grad_norm", NULL};
_Static_assert(sizeof crm__linreg_stat_names / sizeof *crm__linreg_stat_names == NS_COUNT + 1,
               "a name per linreg statistic");
_Static_assert(sizeof crm__logreg_stat_names / sizeof *crm__logreg_stat_names == LS_COUNT + 1,
               "a name per logreg statistic");

#define Z975 1.959963984540054

static size_t nstats(const lin_model *m)
{
    const char *const *names = m->logistic ? crm__logreg_stat_names : crm__linreg_stat_names;
    size_t n = 0;
    while (names[n])
        n++;
    return n;
}

static double stat_of(const lin_model *m, const char *name)
{
    const char *const *names = m->logistic ? crm__logreg_stat_names : crm__linreg_stat_names;
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0) return m->stats[i];
    return NAN;
}

/* ---- predict ---------------------------------------------------------------- */

typedef struct pf {
    const crm__column *c;
    int32_t *map; /* text: dict code -> term, -1 reference, -2 unseen level */
    size_t term;  /* number: its term; text: first term */
} pf;

static int level_index(const lin_feature *f, const char *s)
{
    size_t lo = 0, hi = f->nlevels;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(f->levels[mid], s);
        if (c == 0) return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static crm_status lin_predict(const void *sp, crm_dataset *ds, const char *out_col)
{
    const lin_model *m = sp;
    const char *w = "crm_model_predict";
    char *pname = NULL;
    crm_status st = crm__dataset_prediction_names(ds, out_col, m->logistic, w, &pname);
    if (st != CRM_OK) return st;
    size_t n = ds->nrows, nf = m->nf;
    pf *f = crm__calloc(nf ? nf : 1, sizeof *f);
    double *eta = crm__malloc_array(n, sizeof *eta);
    double *lab = NULL;
    int32_t *codes = NULL;
    crm__dict *dict = NULL;
    if (!f || !eta) st = crm__nomem();
    size_t term = m->intercept ? 1 : 0;
    for (size_t j = 0; st == CRM_OK && j < nf; j++) {
        const lin_feature *lf = &m->feat[j];
        size_t idx;
        st = crm__dataset_find(ds, lf->name, &idx);
        if (st != CRM_OK) {
            st = crm__error(st, "%s: feature column \"%s\" not found", w, lf->name);
            break;
        }
        f[j].c = &ds->cols[idx];
        f[j].term = term;
        if (f[j].c->type != lf->type) {
            st = crm__error(CRM_E_TYPE, "%s: feature \"%s\" is a %s column; the model needs %s", w,
                            lf->name, crm__type_name(f[j].c->type), crm__type_name(lf->type));
            break;
        }
        if (lf->type == CRM_TYPE_NUMBER) {
            term++;
            continue;
        }
        size_t nd = f[j].c->dict->n;
        f[j].map = crm__malloc_array(nd ? nd : 1, sizeof *f[j].map);
        if (!f[j].map) {
            st = crm__nomem();
            break;
        }
        for (size_t c = 0; c < nd; c++) {
            int l = level_index(lf, crm__dict_str(f[j].c->dict, (int32_t)c));
            f[j].map[c] = l < 0 ? -2 : l == 0 ? -1 : (int32_t)(term + (size_t)l - 1);
        }
        term += lf->nlevels ? lf->nlevels - 1 : 0;
    }
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        double e = m->intercept ? m->coef[0] : 0.0;
        for (size_t j = 0; j < nf; j++) {
            const crm__column *c = f[j].c;
            if (c->type == CRM_TYPE_NUMBER) {
                double x = c->v.num[i];
                if (!isfinite(x)) {
                    st = crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: %s", w,
                                    m->feat[j].name, i,
                                    isnan(x) ? "missing value" : "value is not finite");
                    break;
                }
                e += m->coef[f[j].term] * x;
            } else {
                int32_t code = c->v.code[i];
                if (code < 0) {
                    st = crm__error(CRM_E_INVALID, "%s: column \"%s\" row %zu: missing value", w,
                                    m->feat[j].name, i);
                    break;
                }
                int32_t t = f[j].map[code];
                if (t == -2) {
                    st = crm__error(CRM_E_INVALID,
                                    "%s: column \"%s\" row %zu: level \"%s\" was not seen in the "
                                    "fit",
                                    w, m->feat[j].name, i, crm__dict_str(c->dict, code));
                    break;
                }
                if (t >= 0) e += m->coef[t];
            }
        }
        eta[i] = e;
    }
    if (st == CRM_OK && m->logistic) {
        /* eta becomes the probability; the label is > 0.5 */
        if (m->classes[0]) {
            codes = crm__malloc_array(n, sizeof *codes);
            if (!codes) st = crm__nomem();
            if (st == CRM_OK) st = crm__dict_new(&dict);
            int32_t c0 = 0, c1 = 0;
            if (st == CRM_OK)
                st = crm__dict_intern(dict, m->classes[0], strlen(m->classes[0]), &c0);
            if (st == CRM_OK)
                st = crm__dict_intern(dict, m->classes[1], strlen(m->classes[1]), &c1);
            for (size_t i = 0; st == CRM_OK && i < n; i++) {
                double e = eta[i];
                eta[i] = e >= 0 ? 1.0 / (1.0 + exp(-e)) : exp(e) / (1.0 + exp(e));
                codes[i] = eta[i] > 0.5 ? c1 : c0;
            }
        } else {
            lab = crm__malloc_array(n, sizeof *lab);
            if (!lab) st = crm__nomem();
            for (size_t i = 0; st == CRM_OK && i < n; i++) {
                double e = eta[i];
                eta[i] = e >= 0 ? 1.0 / (1.0 + exp(-e)) : exp(e) / (1.0 + exp(e));
                lab[i] = eta[i] > 0.5 ? 1.0 : 0.0;
            }
        }
        if (st == CRM_OK) {
            if (codes) {
                st = crm__dataset_add_owned(ds, out_col, CRM_TYPE_TEXT, codes, dict, n);
                if (st == CRM_OK) {
                    codes = NULL;
                    dict = NULL;
                }
            } else {
                st = crm__dataset_add_owned(ds, out_col, CRM_TYPE_NUMBER, lab, NULL, n);
                if (st == CRM_OK) lab = NULL;
            }
        }
        if (st == CRM_OK) {
            st = crm__dataset_add_owned(ds, pname, CRM_TYPE_NUMBER, eta, NULL, n);
            if (st == CRM_OK)
                eta = NULL;
            else
                crm_dataset_drop_column(ds, out_col);
        }
    } else if (st == CRM_OK) {
        st = crm__dataset_add_owned(ds, out_col, CRM_TYPE_NUMBER, eta, NULL, n);
        if (st == CRM_OK) eta = NULL;
    }
    for (size_t j = 0; f && j < nf; j++)
        crm__free(f[j].map);
    crm__free(f);
    crm__free(eta);
    crm__free(lab);
    crm__free(codes);
    if (dict) crm__dict_release(dict);
    crm__free(pname);
    return st;
}

/* ---- summary ------------------------------------------------------------------ */

static crm_status lin_summary(const void *sp, crm_dataset **out)
{
    const lin_model *m = sp;
    size_t p = m->p;
    int lg = m->logistic;
    double q = Z975;
    double dfr = stat_of(m, "df_resid");
    if (!lg) q = crm__t_quantile(0.975, dfr);
    double *v = crm__malloc_array(9 * p, sizeof *v);
    crm_dataset *t = NULL;
    crm_status st = v ? crm_dataset_new(&t) : crm__nomem();
    if (st != CRM_OK) {
        crm__free(v);
        return st;
    }
    double *est = v, *se = v + p, *zt = v + 2 * p, *pv = v + 3 * p, *orr = v + 4 * p,
           *lo = v + 5 * p, *hi = v + 6 * p, *olo = v + 7 * p, *ohi = v + 8 * p;
    for (size_t j = 0; j < p; j++) {
        est[j] = m->coef[j];
        se[j] = m->se[j];
        zt[j] = est[j] / se[j];
        pv[j] = lg ? crm__normal_p2(zt[j]) : crm__t_p2(zt[j], dfr);
        orr[j] = exp(est[j]);
        lo[j] = est[j] - q * se[j];
        hi[j] = est[j] + q * se[j];
        olo[j] = exp(lo[j]);
        ohi[j] = exp(hi[j]);
    }
    st = crm_dataset_add_text(t, "term", (const char *const *)m->terms, p);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "estimate", est, p);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "std_error", se, p);
    if (st == CRM_OK) st = crm_dataset_add_number(t, lg ? "z" : "t", zt, p);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "p_value", pv, p);
    if (st == CRM_OK && lg) st = crm_dataset_add_number(t, "odds_ratio", orr, p);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "ci_low", lo, p);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "ci_high", hi, p);
    if (st == CRM_OK && lg) st = crm_dataset_add_number(t, "or_ci_low", olo, p);
    if (st == CRM_OK && lg) st = crm_dataset_add_number(t, "or_ci_high", ohi, p);
    crm__free(v);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

static double lin_stat(const void *sp, size_t i)
{
    return ((const lin_model *)sp)->stats[i];
}

/* ---- JSON ------------------------------------------------------------------------ */

static crm_status lin_to_json(const void *sp, crm__buf *b)
{
    const lin_model *m = sp;
    crm_status st = crm__buf_append(b, ",\"target\":", 10);
    if (st == CRM_OK) st = crm__json_write_string(b, m->target);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"features\":[", 13);
    for (size_t j = 0; st == CRM_OK && j < m->nf; j++) {
        const lin_feature *f = &m->feat[j];
        st = crm__buf_append(b, j ? ",{\"name\":" : "{\"name\":", j ? 9 : 8);
        if (st == CRM_OK) st = crm__json_write_string(b, f->name);
        if (st == CRM_OK)
            st = crm__buf_printf(b, ",\"type\":\"%s\"",
                                 f->type == CRM_TYPE_NUMBER ? "number" : "text");
        if (st == CRM_OK && f->type == CRM_TYPE_TEXT) {
            st = crm__buf_append(b, ",\"levels\":", 10);
            if (st == CRM_OK) st = crm__json_write_strings(b, f->levels, f->nlevels);
        }
        if (st == CRM_OK) st = crm__buf_append(b, "}", 1);
    }
    if (st == CRM_OK)
        st = crm__buf_printf(b, "],\"intercept\":%s,\"terms\":", m->intercept ? "true" : "false");
    if (st == CRM_OK) st = crm__json_write_strings(b, m->terms, m->p);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"coef\":", 8);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->coef, m->p);
    if (st == CRM_OK) st = crm__buf_append(b, ",\"std_error\":", 13);
    if (st == CRM_OK) st = crm__json_write_numbers(b, m->se, m->p);
    if (st == CRM_OK && m->logistic) {
        st = crm__buf_append(b, ",\"classes\":", 11);
        if (st == CRM_OK) {
            if (m->classes[0])
                st = crm__json_write_strings(b, (char *const *)m->classes, 2);
            else
                st = crm__buf_append(b, "null", 4);
        }
    }
    if (st == CRM_OK) st = crm__buf_append(b, ",\"stats\":{", 10);
    const char *const *names = m->logistic ? crm__logreg_stat_names : crm__linreg_stat_names;
    for (size_t i = 0; st == CRM_OK && names[i]; i++) {
        if (i) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_string(b, names[i]);
        if (st == CRM_OK) st = crm__buf_append(b, ":", 1);
        if (st == CRM_OK) st = crm__json_write_number(b, m->stats[i]);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "}", 1);
    return st;
}

static crm_status json_str(const crm__json *v, const char *what, const char *key, char **out)
{
    if (!v || v->type != CRM__JSON_STRING || v->len == 0)
        return crm__error(CRM_E_PARSE, "%s: \"%s\" must be a non-empty string", what, key);
    *out = crm__strdup(v->str);
    return *out ? CRM_OK : crm__nomem();
}

/* One statistic. NaN stands for a statistic the writer did not have (as an
 * absent member does; it is written back as "nan"). Otherwise the counts of
 * the fit are whole numbers consistent with the terms (n_terms = p,
 * df_model = p - intercept, df_resid = n_rows - p, read after n_rows as the
 * writer orders them); converged is 0/1; l2 a finite penalty >= 0; every
 * other statistic is any number (an exact fit has an infinite F statistic). */
static crm_status read_stat(const crm__json *v, const char *ws, const char *name,
                            const lin_model *m, double *out)
{
    double d;
    if (crm__json_number(v, &d) && isnan(d)) {
        *out = NAN;
        return CRM_OK;
    }
    int64_t p = (int64_t)m->p, lo = 0, hi = 0, iv = 0;
    double n_rows = stat_of(m, "n_rows");
    if (strcmp(name, "n_rows") == 0) {
        lo = 1;
        hi = CRM__JSON_INT_MAX;
    } else if (strcmp(name, "n_terms") == 0) {
        lo = hi = p;
    } else if (strcmp(name, "df_model") == 0) {
        lo = hi = p - (m->intercept ? 1 : 0);
    } else if (strcmp(name, "df_resid") == 0 && !isnan(n_rows)) {
        lo = hi = (int64_t)n_rows - p;
    } else if (strcmp(name, "df_resid") == 0) {
        lo = -p;
        hi = CRM__JSON_INT_MAX;
    } else if (strcmp(name, "n_iter") == 0 || strcmp(name, "iterations") == 0) {
        hi = INT32_MAX;
    } else if (strcmp(name, "converged") == 0) {
        hi = 1;
    } else if (strcmp(name, "l2") == 0) {
        return crm__json_real(v, ws, name, 0.0, DBL_MAX, 0, out);
    } else {
        return crm__json_real(v, ws, name, -INFINITY, INFINITY, 0, out);
    }
    crm_status st = crm__json_int(v, ws, name, lo, hi, &iv);
    if (st == CRM_OK) *out = (double)iv;
    return st;
}

static crm_status lin_from_json(const crm__json *doc, void **state, int logistic)
{
    const char *w = logistic ? "logreg model JSON" : "linreg model JSON";
    const crm__json *feat = crm__json_get(doc, "features");
    if (!feat || feat->type != CRM__JSON_ARRAY)
        return crm__error(CRM_E_PARSE, "%s: \"features\" must be an array", w);
    const crm__json *ic = crm__json_get(doc, "intercept");
    if (!ic || (ic->type != CRM__JSON_TRUE && ic->type != CRM__JSON_FALSE))
        return crm__error(CRM_E_PARSE, "%s: \"intercept\" must be true or false", w);
    lin_model *m = NULL;
    crm_status st = crm__lin_model_alloc(feat->len, &m);
    if (st != CRM_OK) return st;
    m->logistic = logistic;
    m->intercept = ic->type == CRM__JSON_TRUE;
    st = json_str(crm__json_get(doc, "target"), w, "target", &m->target);
    size_t p = m->intercept ? 1 : 0;
    for (size_t j = 0; st == CRM_OK && j < feat->len; j++) {
        const crm__json *fo = &feat->items[j];
        lin_feature *f = &m->feat[j];
        if (fo->type != CRM__JSON_OBJECT) {
            st = crm__error(CRM_E_PARSE, "%s: \"features\"[%zu] is not an object", w, j);
            break;
        }
        st = json_str(crm__json_get(fo, "name"), w, "name", &f->name);
        const char *type = NULL;
        if (st == CRM_OK) st = crm__json_get_string(fo, "type", w, &type);
        if (st != CRM_OK) break;
        for (size_t q = 0; q < j; q++)
            if (strcmp(m->feat[q].name, f->name) == 0)
                st = crm__error(CRM_E_PARSE, "%s: feature \"%s\" is listed twice", w, f->name);
        if (st != CRM_OK) break;
        if (strcmp(type, "number") == 0) {
            f->type = CRM_TYPE_NUMBER;
            p++;
        } else if (strcmp(type, "text") == 0) {
            f->type = CRM_TYPE_TEXT;
            const crm__json *lv = crm__json_get(fo, "levels");
            if (!lv || lv->type != CRM__JSON_ARRAY || lv->len == 0) {
                st = crm__error(CRM_E_PARSE,
                                "%s: feature \"%s\": \"levels\" must be a non-empty "
                                "array",
                                w, f->name);
                break;
            }
            f->levels = crm__calloc(lv->len, sizeof *f->levels);
            if (!f->levels) st = crm__nomem();
            for (size_t l = 0; st == CRM_OK && l < lv->len; l++) {
                const crm__json *s = &lv->items[l];
                if (s->type != CRM__JSON_STRING ||
                    (l > 0 && strcmp(f->levels[l - 1], s->str) >= 0)) {
                    st = crm__error(CRM_E_PARSE,
                                    "%s: feature \"%s\": levels must be distinct strings in byte "
                                    "order",
                                    w, f->name);
                    break;
                }
                f->levels[l] = crm__strdup(s->str);
                if (!f->levels[l])
                    st = crm__nomem();
                else
                    f->nlevels = l + 1;
            }
            p += lv->len - 1;
        } else {
            st = crm__error(CRM_E_PARSE, "%s: feature \"%s\" has unknown type \"%s\"", w, f->name,
                            type);
        }
    }
    const crm__json *a = NULL;
    if (st == CRM_OK && p == 0) st = crm__error(CRM_E_PARSE, "%s: the model has no terms", w);
    if (st == CRM_OK) st = crm__json_get_array(doc, "terms", w, p, &a);
    if (st == CRM_OK) {
        m->p = p;
        m->terms = crm__calloc(p, sizeof *m->terms);
        m->coef = crm__malloc_array(p, sizeof *m->coef);
        m->se = crm__malloc_array(p, sizeof *m->se);
        if (!m->terms || !m->coef || !m->se) st = crm__nomem();
    }
    for (size_t j = 0; st == CRM_OK && j < p; j++)
        st = json_str(&a->items[j], w, "terms", &m->terms[j]);
    if (st == CRM_OK) st = crm__json_get_reals(doc, "coef", w, p, -DBL_MAX, DBL_MAX, 0, m->coef);
    /* (NaN for penalised fits; +inf where a term's variance is unbounded) */
    if (st == CRM_OK)
        st = crm__json_get_reals(doc, "std_error", w, p, 0.0, INFINITY, CRM__JSON_NAN_OK, m->se);
    if (st == CRM_OK && logistic) {
        const crm__json *c = crm__json_get(doc, "classes");
        if (!c) {
            st = crm__error(CRM_E_PARSE, "%s: missing member \"classes\"", w);
        } else if (c->type != CRM__JSON_NULL) {
            if (c->type != CRM__JSON_ARRAY || c->len != 2)
                st = crm__error(CRM_E_PARSE, "%s: \"classes\" must be null or two strings", w);
            for (size_t i = 0; st == CRM_OK && i < 2; i++)
                st = json_str(&c->items[i], w, "classes", &m->classes[i]);
            if (st == CRM_OK && strcmp(m->classes[0], m->classes[1]) == 0)
                st = crm__error(CRM_E_PARSE, "%s: the two classes are equal", w);
        }
    }
    const crm__json *so = st == CRM_OK ? crm__json_get(doc, "stats") : NULL;
    if (st == CRM_OK && (!so || so->type != CRM__JSON_OBJECT))
        st = crm__error(CRM_E_PARSE, "%s: \"stats\" must be an object", w);
    size_t ns = st == CRM_OK ? nstats(m) : 0;
    const char *const *names = logistic ? crm__logreg_stat_names : crm__linreg_stat_names;
    char ws[64];
    snprintf(ws, sizeof ws, "%s: stats", w);
    for (size_t i = 0; st == CRM_OK && i < ns; i++) {
        /* a statistic this library does not write stays NaN */
        const crm__json *v = crm__json_get(so, names[i]);
        if (v) st = read_stat(v, ws, names[i], m, &m->stats[i]);
    }
    if (st != CRM_OK) {
        crm__lin_model_free(m);
        return st;
    }
    *state = m;
    return CRM_OK;
}

static crm_status logreg_from_json(const crm__json *doc, void **state)
{
    return lin_from_json(doc, state, 1);
}

static crm_status linreg_from_json(const crm__json *doc, void **state)
{
    return lin_from_json(doc, state, 0);
}

/* A logistic model's classes: negative and positive of a text target (none for a
 * 0/1 number target). */
static size_t lin_classes(const void *sp, char *const **labels)
{
    const lin_model *m = sp;
    *labels = m->classes;
    return m->classes[0] ? 2 : 0;
}

const crm__model_vtable crm__logreg_vtable = {
    CRM_MODEL_LOGREG,       "logreg", crm__lin_model_free, lin_predict,      lin_summary,
    crm__logreg_stat_names, lin_stat, lin_to_json,         logreg_from_json, lin_classes,
    NULL, /* to_json_stream: written whole */
};

const crm__model_vtable crm__linreg_vtable = {
    CRM_MODEL_LINREG,       "linreg", crm__lin_model_free, lin_predict,      lin_summary,
    crm__linreg_stat_names, lin_stat, lin_to_json,         linreg_from_json, NULL,
    NULL, /* to_json_stream: written whole */
};
