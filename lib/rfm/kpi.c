/* CRM KPIs: Net Promoter Score, satisfaction ratio, funnel conversion
 * (definitions in include/crm/rfm.h). */
#include "crm/rfm.h"
#include "core/dataset_internal.h"

#include <math.h>
#include <string.h>

static crm_status find_col(const crm_dataset *ds, const char *name, const char *fn,
                           const crm__column **out)
{
    size_t i;
    crm_status st = crm__dataset_find(ds, name, &i);
    if (st) return crm__error(st, "%s: column \"%s\" not found", fn, name);
    *out = &ds->cols[i];
    return CRM_OK;
}

crm_status crm_nps(const crm_dataset *ds, const char *col, double *out)
{
    if (out) *out = NAN; /* the value of a double output after a failure (crm/common.h) */
    if (!ds || !col || !out) return crm__error(CRM_E_INVALID, "crm_nps: NULL argument");
    const crm__column *c = NULL;
    crm_status st = find_col(ds, col, "crm_nps", &c);
    if (st) return st;
    if (c->type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "crm_nps: column \"%s\" is %s, not number", col,
                          crm__type_name(c->type));
    size_t n = 0, pro = 0, det = 0;
    for (size_t r = 0; r < ds->nrows; r++) {
        double v = c->v.num[r];
        if (isnan(v)) continue;
        if (!(v >= 0 && v <= 10) || v != floor(v))
            return crm__error(CRM_E_INVALID,
                              "crm_nps: column \"%s\", row %zu: rating %g is not a whole number "
                              "from 0 to 10",
                              col, r, v);
        n++;
        if (v >= 9)
            pro++;
        else if (v <= 6)
            det++;
    }
    if (n == 0)
        return crm__error(CRM_E_INVALID, "crm_nps: column \"%s\" has no ratings (all missing)",
                          col);
    *out = 100.0 * ((double)pro - (double)det) / (double)n;
    return CRM_OK;
}

crm_status crm_satisfaction(const crm_dataset *ds, const char *col, const char *const *positive,
                            size_t npositive, double *out)
{
    if (out) *out = NAN;
    if (!ds || !col || !out || (npositive && !positive))
        return crm__error(CRM_E_INVALID, "crm_satisfaction: NULL argument");
    const crm__column *c = NULL;
    crm_status st = find_col(ds, col, "crm_satisfaction", &c);
    if (st) return st;
    size_t n = 0, pos = 0;
    if (c->type == CRM_TYPE_NUMBER) {
        if (positive || npositive)
            return crm__error(CRM_E_INVALID,
                              "crm_satisfaction: column \"%s\" is a number column: pass no "
                              "positive labels (cells equal to 1 are positive)",
                              col);
        for (size_t r = 0; r < ds->nrows; r++) {
            double v = c->v.num[r];
            if (isnan(v)) continue;
            n++;
            pos += v == 1;
        }
    } else if (c->type == CRM_TYPE_TEXT) {
        if (!npositive)
            return crm__error(CRM_E_INVALID,
                              "crm_satisfaction: column \"%s\" is a text column: give at least "
                              "one positive label",
                              col);
        for (size_t k = 0; k < npositive; k++)
            if (!positive[k])
                return crm__error(CRM_E_INVALID, "crm_satisfaction: positive[%zu] is NULL", k);
        unsigned char *flag = crm__calloc(c->dict->n ? c->dict->n : 1, 1);
        if (!flag) return crm__nomem();
        for (size_t k = 0; k < npositive; k++) {
            int32_t code = crm__dict_find(c->dict, positive[k], strlen(positive[k]));
            if (code >= 0) flag[code] = 1;
        }
        for (size_t r = 0; r < ds->nrows; r++) {
            int32_t code = c->v.code[r];
            if (code < 0) continue;
            n++;
            pos += flag[code];
        }
        crm__free(flag);
    } else {
        return crm__error(CRM_E_TYPE, "crm_satisfaction: column \"%s\" is %s, not text or number",
                          col, crm__type_name(c->type));
    }
    if (n == 0)
        return crm__error(CRM_E_INVALID,
                          "crm_satisfaction: column \"%s\" has no values (all missing)", col);
    *out = (double)pos / (double)n;
    return CRM_OK;
}

crm_status crm_funnel(const crm_dataset *ds, const char *stage_col, const char *const *stages,
                      size_t nstages, crm_dataset **out)
{
    if (out) *out = NULL;
    if (!ds || !stage_col || !stages || !out)
        return crm__error(CRM_E_INVALID, "crm_funnel: NULL argument");
    if (nstages == 0) return crm__error(CRM_E_INVALID, "crm_funnel: no stages given");
    for (size_t k = 0; k < nstages; k++) {
        if (!stages[k]) return crm__error(CRM_E_INVALID, "crm_funnel: stages[%zu] is NULL", k);
        for (size_t j = 0; j < k; j++)
            if (strcmp(stages[j], stages[k]) == 0)
                return crm__error(CRM_E_INVALID, "crm_funnel: stage \"%s\" is listed twice",
                                  stages[k]);
    }
    const crm__column *c = NULL;
    crm_status st = find_col(ds, stage_col, "crm_funnel", &c);
    if (st) return st;
    if (c->type != CRM_TYPE_TEXT)
        return crm__error(CRM_E_TYPE, "crm_funnel: column \"%s\" is %s, not text", stage_col,
                          crm__type_name(c->type));
    size_t nd = c->dict->n;
    size_t *stage_of = crm__malloc_array(nd ? nd : 1, sizeof *stage_of);
    double *count = crm__calloc(nstages, sizeof *count);
    double *conv = crm__malloc_array(nstages, sizeof *conv);
    double *overall = crm__malloc_array(nstages, sizeof *overall);
    size_t *reached = crm__calloc(nstages + 1, sizeof *reached);
    crm_dataset *res = NULL;
    if (!stage_of || !count || !conv || !overall || !reached) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < nd; i++)
        stage_of[i] = SIZE_MAX;
    for (size_t k = 0; k < nstages; k++) {
        int32_t code = crm__dict_find(c->dict, stages[k], strlen(stages[k]));
        if (code >= 0) stage_of[code] = k;
    }
    for (size_t r = 0; r < ds->nrows; r++) {
        int32_t code = c->v.code[r];
        if (code < 0) continue;
        size_t k = stage_of[code];
        if (k == SIZE_MAX) {
            st = crm__error(CRM_E_INVALID,
                            "crm_funnel: column \"%s\", row %zu: \"%s\" is not one of the %zu "
                            "stages",
                            stage_col, r, crm__dict_str(c->dict, code), nstages);
            goto done;
        }
        reached[k]++;
    }
    for (size_t k = nstages; k-- > 0;)
        reached[k] += reached[k + 1];
    for (size_t k = 0; k < nstages; k++) {
        count[k] = (double)reached[k];
        conv[k] = k == 0 || reached[k - 1] == 0 ? NAN : count[k] / (double)reached[k - 1];
        overall[k] = reached[0] == 0 ? NAN : count[k] / (double)reached[0];
    }
    if ((st = crm_dataset_new(&res)) ||
        (st = crm_dataset_add_text(res, "stage", stages, nstages)) ||
        (st = crm_dataset_add_number(res, "count", count, nstages)) ||
        (st = crm_dataset_add_number(res, "conversion", conv, nstages)) ||
        (st = crm_dataset_add_number(res, "overall", overall, nstages))) {
        crm_dataset_free(res);
        res = NULL;
        goto done;
    }
    *out = res;
done:
    crm__free(stage_of);
    crm__free(count);
    crm__free(conv);
    crm__free(overall);
    crm__free(reached);
    return st;
}
