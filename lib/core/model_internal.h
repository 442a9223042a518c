/*
 * Internal layout of crm_model: a kind tag, a vtable and the kind's own
 * state. Never installed. The interface between the model handle (lib/model:
 * predict, summary, save / load, transform steps) and the kinds (lib/kmeans,
 * lib/tree, ...), kept in core because every kind includes it.
 *
 * Adding a model kind: define a crm__model_vtable with every member set
 * (`classes` and `to_json_stream` may be NULL),
 * create models with crm__model_new(), and add the vtable to the registry in
 * lib/model/model.c so crm_model_from_json() can find its reader by kind name.
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
    /* Classifiers: the number of class labels, *labels pointing at them (owned
     * by the state). NULL for kinds whose predictions are no labels. */
    size_t (*classes)(const void *state, char *const **labels);
    /* Optional (NULL: crm_model_save() writes to_json's text whole): like to_json, but hands
     * the text written so far to flush(ctx, b) (which empties b) whenever a piece is done,
     * so that saving a large model (a forest) never holds its whole text. */
    crm_status (*to_json_stream)(const void *state, crm__buf *b,
                                 crm_status (*flush)(void *ctx, crm__buf *b), void *ctx);
} crm__model_vtable;

/* One recorded transform step: crm_dataset_mutate(ds, name, expr). */
typedef struct crm__step {
    char *name;
    char *expr;
} crm__step;

struct crm_model {
    const crm__model_vtable *vt;
    void *state;
    crm__step *steps; /* transforms applied before the fit, in order (lib/model/model_steps.c) */
    size_t nsteps;
};

/* Wrap `state` in a model (no steps). On failure the state is freed with vt->free_state. */
crm_status crm__model_new(const crm__model_vtable *vt, void *state, crm_model **out);

/* ---- transform steps of the fit options (lib/model/model_steps.c) ----------
 * A fit function whose options carry `mutate` / `n_mutate` ("NAME=EXPR"
 * entries) fits on crm__steps_apply()'s working copy and then records the
 * steps in the model with crm__model_record_steps(); crm_model_predict()
 * replays them. */

/* Most steps a model holds (fit options and model files alike). */
#define CRM__MAX_STEPS 4096

/* The working copy of ds for a fit: ds itself when n is 0, else a new clone
 * with the n "NAME=EXPR" steps applied in order (each checked first: no NULL,
 * an '=' after a non-empty name, valid UTF-8; CRM_E_INVALID naming `what` and
 * the step). Errors of a step name it and its 1-based number. ds is never
 * changed. Release with crm__steps_release(ds, *work). */
crm_status crm__steps_apply(const crm_dataset *ds, const char *const *mutate, size_t n,
                            const char *what, const crm_dataset **work);
/* Free a working copy made by crm__steps_apply() (nothing when it is ds). */
void crm__steps_release(const crm_dataset *ds, const crm_dataset *work);
/* The arguments of a fit function: target (NULL for k-means), feature columns,
 * and its options struct (the kind's own type). */
typedef struct crm__fit_args {
    const char *target;
    const char *const *features;
    size_t nf;
    const void *opts;
} crm__fit_args;
/* A kind's fit on the working copy, its options' steps cleared. */
typedef crm_status (*crm__fit_fn)(const crm_dataset *work, const crm__fit_args *a,
                                  crm_model **out);
/* A fit with transform steps: crm__steps_apply(), fit(work, a), release, then
 * crm__model_record_steps(). Errors: those of the three. */
crm_status crm__steps_fit(const crm_dataset *ds, const char *const *mutate, size_t n,
                          const char *what, crm__fit_fn fit, const crm__fit_args *a,
                          crm_model **out);
/* Record the n steps (already checked by crm__steps_apply()) in a model just
 * fitted. On failure (CRM_E_NOMEM) the model is freed and *m set to NULL. */
crm_status crm__model_record_steps(crm_model **m, const char *const *mutate, size_t n);
/* Free n steps and the array. */
void crm__steps_free(crm__step *steps, size_t n);
/* crm_model_predict() for a model with steps: predict into a copy with the
 * steps applied, then move the new column(s) into ds (ds unchanged on failure). */
crm_status crm__model_predict_steps(const crm_model *m, crm_dataset *ds, const char *out_col);
/* Append ,"mutate":[["NAME","EXPR"],...] (only called when m has steps). */
crm_status crm__steps_to_json(const crm_model *m, crm__buf *b);
/* Read the "mutate" member of a model document (absent: no steps). */
crm_status crm__steps_from_json(const crm__json *doc, crm__step **steps, size_t *n);

/* Vtables of the kinds (defined in their modules). */
extern const crm__model_vtable crm__kmeans_vtable;
extern const crm__model_vtable crm__tree_vtable;
extern const crm__model_vtable crm__logreg_vtable;
extern const crm__model_vtable crm__linreg_vtable;
extern const crm__model_vtable crm__arima_vtable;
extern const crm__model_vtable crm__forest_vtable;

extern const crm__model_vtable crm__clv_vtable;

#endif /* CRM_CORE_MODEL_INTERNAL_H */
