/* crm_kmeans_centers_original: the k-means centers mapped back through the model's
 * transform steps into the units of the input columns (contract in include/crm/kmeans.h).
 *
 * The centers of crm_model_summary() are already free of the standardization; what is
 * left are the recorded steps. Walking them from the last to the first, each step that
 * writes a feature column and has one of the invertible forms of that column (log1p(f),
 * log(1 + f), log(f + 1), log(f), exp(f)) is undone; the first step writing the column in
 * any other form ends the walk: the column is what that step defines, in its units. */
#include "kmeans/kmeans_internal.h"

#include <math.h>
#include <string.h>

/* How a step transformed its own column. */
enum { INV_NONE, INV_EXPM1, INV_EXP, INV_LOG };

/* s past spaces. */
static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

/* s past the case-insensitive ASCII word w, or NULL. */
static const char *match_word(const char *s, const char *w)
{
    for (; *w; s++, w++) {
        char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        if (c != *w) return NULL;
    }
    return s;
}

static int is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

/* s (spaces skipped) past a reference to the column `name` (bare, or in double quotes
 * with inner quotes doubled), then past spaces; NULL when it is not one. */
static const char *match_column(const char *s, const char *name)
{
    s = skip_spaces(s);
    if (*s == '"') {
        s++;
        for (const char *n = name; *n; n++) { /* an inner quote is written twice */
            if (*s++ != *n || (*n == '"' && *s++ != '"')) return NULL;
        }
        if (*s != '"' || s[1] == '"') return NULL;
        return skip_spaces(s + 1);
    }
    size_t len = strlen(name);
    if (len == 0 || strncmp(s, name, len) != 0 || is_ident_char(s[len])) return NULL;
    for (size_t i = 0; i < len; i++)
        if (!is_ident_char(name[i])) return NULL;
    return skip_spaces(s + len);
}

/* s (spaces skipped) past the character c and spaces, or NULL. */
static const char *match_char(const char *s, char c)
{
    s = skip_spaces(s);
    return *s == c ? skip_spaces(s + 1) : NULL;
}

/* s (spaces skipped) past the number literal 1 ("1", "1.0", ...) and spaces, or NULL. */
static const char *match_one(const char *s)
{
    s = skip_spaces(s);
    if (*s != '1') return NULL;
    s++;
    if (*s == '.') {
        s++;
        while (*s == '0')
            s++;
    }
    return is_ident_char(*s) ? NULL : skip_spaces(s);
}

/* The inverse that undoes the step `expr` on the column `name`, INV_NONE when the step is
 * none of the invertible forms of that column. */
static int step_inverse(const char *expr, const char *name)
{
    const char *s = skip_spaces(expr), *p, *q;
    if ((p = match_word(s, "log1p")) && (p = match_char(p, '(')) && (p = match_column(p, name)) &&
        (p = match_char(p, ')')) && !*p)
        return INV_EXPM1;
    if ((p = match_word(s, "exp")) && (p = match_char(p, '(')) && (p = match_column(p, name)) &&
        (p = match_char(p, ')')) && !*p)
        return INV_LOG;
    if (!(p = match_word(s, "log")) || !(p = match_char(p, '('))) return INV_NONE;
    if ((q = match_column(p, name)) && (q = match_char(q, ')')) && !*q) return INV_EXP;
    if ((q = match_one(p)) && (q = match_char(q, '+')) && (q = match_column(q, name)) &&
        (q = match_char(q, ')')) && !*q)
        return INV_EXPM1;
    if ((q = match_column(p, name)) && (q = match_char(q, '+')) && (q = match_one(q)) &&
        (q = match_char(q, ')')) && !*q)
        return INV_EXPM1;
    return INV_NONE;
}

/* The k values v of the feature `name` mapped back through the steps of m. */
static void undo_steps(const crm_model *m, const char *name, double *v, size_t k)
{
    for (size_t i = m->nsteps; i-- > 0;) {
        if (strcmp(m->steps[i].name, name) != 0) continue;
        int inv = step_inverse(m->steps[i].expr, name);
        if (inv == INV_NONE) return; /* the step defines the column: its units stay */
        for (size_t j = 0; j < k; j++)
            v[j] = inv == INV_EXPM1 ? expm1(v[j]) : inv == INV_EXP ? exp(v[j]) : log(v[j]);
    }
}

crm_status crm_kmeans_centers_original(const crm_model *m, crm_dataset **out)
{
    const char *w = "crm_kmeans_centers_original";
    if (out) *out = NULL;
    if (!m || !out) return crm__error(CRM_E_INVALID, "%s: NULL %s", w, !m ? "model" : "out");
    if (m->vt->kind != CRM_MODEL_KMEANS)
        return crm__error(CRM_E_TYPE, "%s: the model is a %s model, not k-means", w,
                          m->vt->json_kind);
    crm_dataset *sum = NULL, *t = NULL;
    double *v = NULL;
    crm_status st = m->vt->summary(m->state, &sum);
    if (st != CRM_OK) return st;
    size_t k = crm_dataset_nrows(sum), nc = crm_dataset_ncols(sum);
    if (!(v = crm__malloc_array(k ? k : 1, sizeof *v))) st = crm__nomem();
    if (st == CRM_OK) st = crm_dataset_new(&t);
    /* cluster and size as in the summary, then the features (columns 3.. of the summary,
     * in feature order); wcss (fitted units) is left out */
    size_t d = 0;
    const char *const *names = crm__km_feature_names(m->state, &d);
    for (size_t c = 0; st == CRM_OK && c < nc; c++) {
        const char *cname = NULL;
        if (c == 2) continue;
        st = crm_dataset_column_name(sum, c, &cname);
        if (st == CRM_OK) st = crm_dataset_get_number(sum, c, 0, k, v);
        if (st == CRM_OK && c >= 3 && c - 3 < d) undo_steps(m, names[c - 3], v, k);
        if (st == CRM_OK) st = crm_dataset_add_number(t, cname, v, k);
    }
    crm__free(v);
    crm_dataset_free(sum);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}
