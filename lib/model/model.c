/* The generic model handle: dispatch through the kind's vtable, JSON
 * envelope, save and load. */
#include "core/atomic_file.h"
#include "core/dataset_internal.h"
#include "core/model_internal.h"
#include "core/fileio.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Largest model file crm_model_load() reads (JSON text, after gzip
 * decompression); documented in crm/model.h. */
#define CRM__MODEL_MAX_BYTES ((int64_t)1 << 30)

/* Format version of files without transform steps (byte-for-byte as before
 * steps existed); files with steps are CRM_MODEL_FORMAT_VERSION (2). */
#define CRM__MODEL_FORMAT_PLAIN 1

static const crm__model_vtable *const registry[] = {
    &crm__kmeans_vtable,
    &crm__tree_vtable,
    &crm__logreg_vtable,
    &crm__linreg_vtable,
    &crm__arima_vtable,
    &crm__forest_vtable,
    &crm__clv_vtable,
};
#define NREG (sizeof registry / sizeof registry[0])

crm_status crm__model_new(const crm__model_vtable *vt, void *state, crm_model **out)
{
    crm_model *m = crm__malloc(sizeof *m);
    if (!m) {
        vt->free_state(state);
        return crm__nomem();
    }
    m->vt = vt;
    m->state = state;
    m->steps = NULL;
    m->nsteps = 0;
    *out = m;
    return CRM_OK;
}

crm_status crm__model_record_steps(crm_model **m, const char *const *mutate, size_t n)
{
    if (n == 0) return CRM_OK;
    crm__step *s = crm__calloc(n, sizeof *s);
    int ok = s != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        const char *eq = strchr(mutate[i], '=');
        s[i].name = crm__strndup(mutate[i], (size_t)(eq - mutate[i]));
        s[i].expr = crm__strdup(eq + 1);
        ok = s[i].name && s[i].expr;
    }
    if (!ok) {
        crm__steps_free(s, n);
        crm_model_free(*m);
        *m = NULL;
        return crm__nomem();
    }
    (*m)->steps = s;
    (*m)->nsteps = n;
    return CRM_OK;
}

crm_status crm__steps_fit(const crm_dataset *ds, const char *const *mutate, size_t n,
                          const char *what, crm__fit_fn fit, const crm__fit_args *a,
                          crm_model **out)
{
    const crm_dataset *work = NULL;
    crm_status st = crm__steps_apply(ds, mutate, n, what, &work);
    if (st != CRM_OK) return st;
    st = fit(work, a, out);
    crm__steps_release(ds, work);
    if (st == CRM_OK) st = crm__model_record_steps(out, mutate, n);
    return st;
}

int32_t crm_model_kind(const crm_model *m)
{
    return m ? m->vt->kind : 0;
}

const char *crm_model_kind_name(int32_t kind)
{
    for (size_t i = 0; i < NREG; i++)
        if (registry[i]->kind == kind) return registry[i]->json_kind;
    return NULL;
}

crm_status crm_model_mutate_count(const crm_model *m, size_t *out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_mutate_count: out is NULL");
    *out = 0;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_mutate_count: model is NULL");
    *out = m->nsteps;
    return CRM_OK;
}

crm_status crm_model_mutate(const crm_model *m, size_t i, const char **out_name,
                            const char **out_expr)
{
    if (out_name) *out_name = NULL;
    if (out_expr) *out_expr = NULL;
    if (!out_name || !out_expr)
        return crm__error(CRM_E_INVALID, "crm_model_mutate: %s is NULL",
                          out_name ? "out_expr" : "out_name");
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_mutate: model is NULL");
    if (i >= m->nsteps)
        return crm__error(CRM_E_INVALID, "crm_model_mutate: index %zu out of range (%zu steps)", i,
                          m->nsteps);
    *out_name = m->steps[i].name;
    *out_expr = m->steps[i].expr;
    return CRM_OK;
}

void crm_model_free(crm_model *m)
{
    if (!m) return;
    m->vt->free_state(m->state);
    crm__steps_free(m->steps, m->nsteps);
    crm__free(m);
}

crm_status crm_model_predict(const crm_model *m, crm_dataset *ds, const char *pred_col)
{
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_predict: model is NULL");
    if (!ds) return crm__error(CRM_E_INVALID, "crm_model_predict: dataset is NULL");
    if (!pred_col || !pred_col[0])
        return crm__error(CRM_E_INVALID, "crm_model_predict: pred_col is NULL or empty");
    crm_status st = crm__dataset_check_writable(ds, "crm_model_predict");
    if (st) return st;
    if (m->nsteps) return crm__model_predict_steps(m, ds, pred_col);
    return m->vt->predict(m->state, ds, pred_col);
}

crm_status crm_model_summary(const crm_model *m, crm_dataset **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_summary: out is NULL");
    *out = NULL;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_summary: model is NULL");
    return m->vt->summary(m->state, out);
}

static size_t stat_count(const crm_model *m)
{
    size_t n = 0;
    while (m->vt->stat_names[n])
        n++;
    return n;
}

crm_status crm_model_stat(const crm_model *m, const char *name, double *out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_stat: out is NULL");
    *out = NAN;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_stat: model is NULL");
    if (!name) return crm__error(CRM_E_INVALID, "crm_model_stat: name is NULL");
    size_t n = stat_count(m);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, m->vt->stat_names[i]) == 0) {
            *out = m->vt->stat(m->state, i);
            return CRM_OK;
        }
    }
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && len + 2 < sizeof list; i++) {
        int w =
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", m->vt->stat_names[i]);
        if (w < 0) break;
        len += (size_t)w;
    }
    return crm__error(CRM_E_NOTFOUND, "%s model has no statistic \"%s\" (valid: %s)",
                      m->vt->json_kind, name, list);
}

crm_status crm_model_stat_count(const crm_model *m, size_t *out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_stat_count: out is NULL");
    *out = 0;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_stat_count: model is NULL");
    *out = stat_count(m);
    return CRM_OK;
}

crm_status crm_model_stat_name(const crm_model *m, size_t i, const char **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_stat_name: out is NULL");
    *out = NULL;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_stat_name: model is NULL");
    size_t n = stat_count(m);
    if (i >= n)
        return crm__error(CRM_E_INVALID, "crm_model_stat_name: index %zu out of range (%zu stats)",
                          i, n);
    *out = m->vt->stat_names[i];
    return CRM_OK;
}

crm_status crm_model_class_count(const crm_model *m, size_t *out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_class_count: out is NULL");
    *out = 0;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_class_count: model is NULL");
    char *const *labels = NULL;
    if (m->vt->classes) *out = m->vt->classes(m->state, &labels);
    return CRM_OK;
}

crm_status crm_model_class(const crm_model *m, size_t i, const char **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_class: out is NULL");
    *out = NULL;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_class: model is NULL");
    char *const *labels = NULL;
    size_t n = m->vt->classes ? m->vt->classes(m->state, &labels) : 0;
    if (i >= n)
        return crm__error(CRM_E_INVALID, "crm_model_class: index %zu out of range (%zu classes)",
                          i, n);
    *out = labels[i];
    return CRM_OK;
}

/* The JSON text; with flush (crm_model_save() of a kind that writes in pieces), handed to
 * flush(ctx, b) piece by piece as it is written. */
static crm_status to_json_buf_flush(const crm_model *m, crm__buf *b,
                                    crm_status (*flush)(void *ctx, crm__buf *b), void *ctx)
{
    int version = m->nsteps ? CRM_MODEL_FORMAT_VERSION : CRM__MODEL_FORMAT_PLAIN;
    crm_status st =
        crm__buf_printf(b, "{\"format\":\"libcrm-model\",\"version\":%d,\"kind\":", version);
    if (st == CRM_OK) st = crm__json_write_string(b, m->vt->json_kind);
    if (st == CRM_OK) st = crm__buf_printf(b, ",\"libcrm\":\"%s\"", crm_version());
    if (st == CRM_OK && m->nsteps) st = crm__steps_to_json(m, b);
    if (st == CRM_OK && flush && m->vt->to_json_stream)
        st = m->vt->to_json_stream(m->state, b, flush, ctx);
    else if (st == CRM_OK)
        st = m->vt->to_json(m->state, b);
    if (st == CRM_OK) st = crm__buf_append(b, "}", 1);
    return st;
}

static crm_status to_json_buf(const crm_model *m, crm__buf *b)
{
    return to_json_buf_flush(m, b, NULL, NULL);
}

/* Write the buffered text to the file and empty the buffer. */
static crm_status flush_file(void *ctx, crm__buf *b)
{
    crm_status st = crm__afile_write(ctx, b->data, b->len);
    b->len = 0;
    return st;
}

crm_status crm_model_to_json(const crm_model *m, char **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_to_json: out is NULL");
    *out = NULL;
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_to_json: model is NULL");
    crm__buf b = {NULL, 0, 0};
    crm_status st = to_json_buf(m, &b);
    if (st == CRM_OK) st = crm__buf_reserve(&b, 0); /* make sure data is allocated and terminated */
    if (st != CRM_OK) {
        crm__buf_free(&b);
        return st;
    }
    b.data[b.len] = '\0';
    *out = b.data;
    return CRM_OK;
}

crm_status crm_model_from_json(const char *json, crm_model **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_from_json: out is NULL");
    *out = NULL;
    if (!json) return crm__error(CRM_E_INVALID, "crm_model_from_json: json is NULL");
    crm__json *doc = NULL;
    crm_status st = crm__json_parse(json, &doc);
    if (st != CRM_OK) return st;
    const char *fmt, *kind;
    double ver;
    const crm__model_vtable *vt = NULL;
    if (doc->type != CRM__JSON_OBJECT) {
        st = crm__error(CRM_E_FORMAT, "model JSON: not an object");
        goto done;
    }
    st = crm__json_get_string(doc, "format", "model JSON", &fmt);
    if (st != CRM_OK) {
        st = crm__error(CRM_E_FORMAT, "model JSON: no \"format\": \"libcrm-model\" member");
        goto done;
    }
    if (strcmp(fmt, "libcrm-model") != 0) {
        st = crm__error(CRM_E_FORMAT, "model JSON: format \"%s\" is not \"libcrm-model\"", fmt);
        goto done;
    }
    st = crm__json_get_number(doc, "version", "model JSON", &ver);
    if (st != CRM_OK) goto done;
    if (ver != CRM__MODEL_FORMAT_PLAIN && ver != CRM_MODEL_FORMAT_VERSION) {
        st = crm__error(CRM_E_FORMAT,
                        "model JSON: format version %g is not supported (this library reads "
                        "versions %d and %d)",
                        ver, CRM__MODEL_FORMAT_PLAIN, CRM_MODEL_FORMAT_VERSION);
        goto done;
    }
    if (ver == CRM__MODEL_FORMAT_PLAIN && crm__json_get(doc, "mutate")) {
        st = crm__error(CRM_E_PARSE, "model JSON: a \"mutate\" member needs \"version\": %d",
                        CRM_MODEL_FORMAT_VERSION);
        goto done;
    }
    st = crm__json_get_string(doc, "kind", "model JSON", &kind);
    if (st != CRM_OK) goto done;
    for (size_t i = 0; i < NREG; i++)
        if (strcmp(registry[i]->json_kind, kind) == 0) vt = registry[i];
    if (!vt) {
        st = crm__error(CRM_E_FORMAT, "model JSON: unknown model kind \"%s\"", kind);
        goto done;
    }
    crm__step *steps = NULL;
    size_t nsteps = 0;
    st = crm__steps_from_json(doc, &steps, &nsteps);
    if (st != CRM_OK) goto done;
    void *state = NULL;
    st = vt->from_json(doc, &state);
    if (st == CRM_OK) st = crm__model_new(vt, state, out);
    if (st == CRM_OK) {
        (*out)->steps = steps;
        (*out)->nsteps = nsteps;
    } else {
        crm__steps_free(steps, nsteps);
    }
done:
    crm__json_free(doc);
    return st;
}

crm_status crm_model_save(const crm_model *m, const char *path)
{
    if (!m) return crm__error(CRM_E_INVALID, "crm_model_save: model is NULL");
    if (!path) return crm__error(CRM_E_INVALID, "crm_model_save: path is NULL");
    crm__buf b = {NULL, 0, 0};
    if (m->vt->to_json_stream) {
        /* written piece by piece (a forest: tree by tree), atomically all the same */
        crm__afile f;
        crm_status st = crm__afile_open(&f, path);
        if (st != CRM_OK) return st;
        st = to_json_buf_flush(m, &b, flush_file, &f);
        if (st == CRM_OK) st = crm__buf_append(&b, "\n", 1);
        if (st == CRM_OK) st = flush_file(&f, &b);
        crm__buf_free(&b);
        if (st != CRM_OK) {
            crm__afile_abort(&f);
            return st;
        }
        return crm__afile_commit(&f);
    }
    crm_status st = to_json_buf(m, &b);
    if (st == CRM_OK) st = crm__buf_append(&b, "\n", 1);
    if (st != CRM_OK) {
        crm__buf_free(&b);
        return st;
    }
    /* atomic (core/atomic_file.h): path is replaced whole or left as it was */
    st = crm__write_file(path, b.data, b.len);
    crm__buf_free(&b);
    return st;
}

crm_status crm_model_load(const char *path, crm_model **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_model_load: out is NULL");
    *out = NULL;
    if (!path) return crm__error(CRM_E_INVALID, "crm_model_load: path is NULL");
    char *text = NULL;
    size_t len = 0;
    crm_status st = crm__read_file(path, CRM__MODEL_MAX_BYTES, "model files", &text, &len);
    if (st != CRM_OK) return st;
    if (strlen(text) != len)
        st = crm__error(CRM_E_PARSE, "%s: NUL byte in model file", path);
    else {
        st = crm_model_from_json(text, out);
        if (st != CRM_OK && st != CRM_E_NOMEM) crm__error_prefix(st, path);
    }
    crm__free(text);
    return st;
}
