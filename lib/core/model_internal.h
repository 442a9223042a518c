/*
 * Internal layout of crm_model: a kind tag, a vtable and the kind's own
 * state. Never installed.
 *
 * Adding a model kind: define a crm__model_vtable with every member set,
 * create models with crm__model_new(), and add the vtable to the registry in
 * lib/core/model.c so crm_model_from_json() can find its reader by kind name.
 */
#ifndef CRM_CORE_MODEL_INTERNAL_H
#define CRM_CORE_MODEL_INTERNAL_H

#include "core/internal.h"
#include "core/json.h"
#include "crm/model.h"

typedef struct crm__model_vtable {
    int32_t kind;          /* crm_model_type */
    const char *json_kind; /* "kind" member of the JSON form */
    /* Free the kind's state (never NULL). */
    void (*free_state)(void *state);
    /* Predict into ds; validation happens before ds is touched. */
    crm_status (*predict)(const void *state, crm_dataset *ds, const char *out_col);
    crm_status (*summary)(const void *state, crm_dataset **out);
    /* Statistic names, a static NULL-terminated list, in display order. */
    const char *const *stat_names;
    /* Value of stat_names[i]. */
    double (*stat)(const void *state, size_t i);
    /* Append the kind's members (",\"key\":value..." after the common header). */
    crm_status (*to_json)(const void *state, crm__buf *b);
    /* Build the state from the parsed document (common header already checked). */
    crm_status (*from_json)(const crm__json *doc, void **state);
} crm__model_vtable;

struct crm_model {
    const crm__model_vtable *vt;
    void *state;
};

/* Wrap `state` in a model. On failure the state is freed with vt->free_state. */
crm_status crm__model_new(const crm__model_vtable *vt, void *state, crm_model **out);

/* Vtables of the kinds (defined in their modules). */
extern const crm__model_vtable crm__kmeans_vtable;
extern const crm__model_vtable crm__tree_vtable;
extern const crm__model_vtable crm__logreg_vtable;
extern const crm__model_vtable crm__linreg_vtable;
extern const crm__model_vtable crm__arima_vtable;

#endif /* CRM_CORE_MODEL_INTERNAL_H */
