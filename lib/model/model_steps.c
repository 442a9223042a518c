/* Transform steps recorded in a model: the fit options' "NAME=EXPR" mutate
 * entries, applied to a working copy before the fit, kept in the model,
 * replayed by crm_model_predict() and saved in the model JSON ("mutate",
 * format version 2). */
#include "core/dataset_internal.h"
#include "core/model_internal.h"

#include <stdio.h>
#include <string.h>

/* Check one "NAME=EXPR" entry of the fit options. */
static crm_status check_entry(const char *s, size_t i, const char *what)
{
    if (!s) return crm__error(CRM_E_INVALID, "%s: mutate step %zu is NULL", what, i + 1);
    const char *eq = strchr(s, '=');
    if (!eq)
        return crm__error(CRM_E_INVALID, "%s: mutate step %zu \"%s\" has no '=' (want NAME=EXPR)",
                          what, i + 1, s);
    if (eq == s)
        return crm__error(CRM_E_INVALID, "%s: mutate step %zu \"%s\" has an empty column name",
                          what, i + 1, s);
    if (!crm__utf8_valid(s, strlen(s)))
        return crm__error(CRM_E_INVALID, "%s: mutate step %zu is not valid UTF-8", what, i + 1);
    return CRM_OK;
}

/* crm_dataset_mutate(ds, name, expr); a failure names `what` and the step. */
static crm_status apply_step(crm_dataset *ds, const char *name, const char *expr, size_t i,
                             const char *what, const char *label)
{
    crm_status st = crm_dataset_mutate(ds, name, expr);
    if (st == CRM_OK || st == CRM_E_NOMEM) return st;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s: %s %zu (%s=%s)", what, label, i + 1, name, expr);
    return crm__error_prefix(st, prefix);
}

crm_status crm__steps_apply(const crm_dataset *ds, const char *const *mutate, size_t n,
                            const char *what, const crm_dataset **work)
{
    *work = ds;
    if (n == 0) return CRM_OK;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", what);
    if (!mutate)
        return crm__error(CRM_E_INVALID, "%s: mutate is NULL but n_mutate is %zu", what, n);
    if (n > CRM__MAX_STEPS)
        return crm__error(CRM_E_INVALID, "%s: n_mutate is %zu; at most %d steps are allowed", what,
                          n, CRM__MAX_STEPS);
    for (size_t i = 0; i < n; i++) {
        crm_status st = check_entry(mutate[i], i, what);
        if (st != CRM_OK) return st;
    }
    crm_dataset *copy = NULL;
    crm_status st = crm_dataset_clone(ds, &copy);
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        const char *eq = strchr(mutate[i], '=');
        char *name = crm__strndup(mutate[i], (size_t)(eq - mutate[i]));
        if (!name) {
            st = crm__nomem();
            break;
        }
        st = apply_step(copy, name, eq + 1, i, what, "mutate step");
        crm__free(name);
        /* a malformed expression is a bad option value */
        if (st == CRM_E_PARSE) st = CRM_E_INVALID;
    }
    if (st != CRM_OK) {
        crm_dataset_free(copy);
        return st;
    }
    *work = copy;
    return CRM_OK;
}

void crm__steps_release(const crm_dataset *ds, const crm_dataset *work)
{
    if (work && work != ds) crm_dataset_free((crm_dataset *)work);
}

void crm__steps_free(crm__step *steps, size_t n)
{
    if (!steps) return;
    for (size_t i = 0; i < n; i++) {
        crm__free(steps[i].name);
        crm__free(steps[i].expr);
    }
    crm__free(steps);
}

/* Move the columns from..ncols-1 of src (new prediction columns) to the end
 * of ds; all or nothing. */
static crm_status move_columns(crm_dataset *src, size_t from, crm_dataset *ds)
{
    for (size_t j = from; j < src->ncols; j++) {
        crm__column *c = &src->cols[j];
        crm_status st = crm__dataset_add_owned(ds, c->name, c->type, c->v.ptr, c->dict, src->nrows);
        if (st != CRM_OK) {
            /* give the columns moved so far up again: ds is as it was */
            for (size_t i = j; i-- > from;)
                crm_dataset_drop_column(ds, src->cols[i].name);
            return st;
        }
        c->v.ptr = NULL; /* ds owns the values (and the dictionary reference) now */
        c->dict = NULL;
    }
    return CRM_OK;
}

crm_status crm__model_predict_steps(const crm_model *m, crm_dataset *ds, const char *out_col)
{
    crm_dataset *copy = NULL;
    crm_status st = crm_dataset_clone(ds, &copy);
    for (size_t i = 0; st == CRM_OK && i < m->nsteps; i++)
        st = apply_step(copy, m->steps[i].name, m->steps[i].expr, i, "crm_model_predict",
                        "recorded step");
    size_t before = st == CRM_OK ? copy->ncols : 0;
    if (st == CRM_OK) st = m->vt->predict(m->state, copy, out_col);
    if (st == CRM_OK) st = move_columns(copy, before, ds);
    crm_dataset_free(copy);
    return st;
}

crm_status crm__steps_to_json(const crm_model *m, crm__buf *b)
{
    crm_status st = crm__buf_append(b, ",\"mutate\":[", 11);
    for (size_t i = 0; st == CRM_OK && i < m->nsteps; i++) {
        st = crm__buf_append(b, i ? ",[" : "[", i ? 2 : 1);
        if (st == CRM_OK) st = crm__json_write_string(b, m->steps[i].name);
        if (st == CRM_OK) st = crm__buf_append(b, ",", 1);
        if (st == CRM_OK) st = crm__json_write_string(b, m->steps[i].expr);
        if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    }
    if (st == CRM_OK) st = crm__buf_append(b, "]", 1);
    return st;
}

/* One ["NAME", "EXPR"] item of "mutate": two non-empty strings. */
static crm_status step_from_json(const crm__json *item, size_t i, crm__step *out)
{
    if (item->type != CRM__JSON_ARRAY || item->len != 2 ||
        item->items[0].type != CRM__JSON_STRING || item->items[1].type != CRM__JSON_STRING)
        return crm__error(CRM_E_PARSE,
                          "model JSON: \"mutate\" item %zu is not an array of two strings "
                          "[\"NAME\", \"EXPR\"]",
                          i);
    if (item->items[0].len == 0 || item->items[1].len == 0)
        return crm__error(CRM_E_PARSE, "model JSON: \"mutate\" item %zu has an empty %s", i,
                          item->items[0].len == 0 ? "column name" : "expression");
    out->name = crm__strdup(item->items[0].str);
    out->expr = crm__strdup(item->items[1].str);
    return out->name && out->expr ? CRM_OK : crm__nomem();
}

crm_status crm__steps_from_json(const crm__json *doc, crm__step **steps, size_t *n)
{
    *steps = NULL;
    *n = 0;
    const crm__json *arr = crm__json_get(doc, "mutate");
    if (!arr) return CRM_OK;
    if (arr->type != CRM__JSON_ARRAY)
        return crm__error(CRM_E_PARSE, "model JSON: \"mutate\" is not an array");
    if (arr->len > CRM__MAX_STEPS)
        return crm__error(CRM_E_PARSE, "model JSON: \"mutate\" has %zu steps (at most %d)",
                          arr->len, CRM__MAX_STEPS);
    if (arr->len == 0) return CRM_OK;
    crm__step *s = crm__calloc(arr->len, sizeof *s);
    if (!s) return crm__nomem();
    for (size_t i = 0; i < arr->len; i++) {
        crm_status st = step_from_json(&arr->items[i], i, &s[i]);
        if (st != CRM_OK) {
            crm__steps_free(s, arr->len);
            return st;
        }
    }
    *steps = s;
    *n = arr->len;
    return CRM_OK;
}
