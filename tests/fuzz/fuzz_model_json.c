/* libFuzzer harness for crm_model_from_json() (see README.md in this folder).
 * Each input is taken as model JSON text of any kind (kmeans, tree, logreg,
 * linreg, arima). A failure must set *out to NULL and leave a message. A
 * model that loads must
 *   - serialise, read back to the same text, save to a file and load again
 *     to the same text;
 *   - give a summary and every statistic it lists;
 *   - predict on a small dataset holding the feature columns of the seed
 *     models (x, t, y numbers, c text), or fail there with a message leaving
 *     the dataset unchanged;
 *   - tree: export text, rules, dot and importances; arima: forecast.
 * Anything else aborts, and so does any sanitizer finding. */
#include "fuzz_util.h"

#include <math.h>

static crm_dataset *predict_data(void)
{
    static const double x[] = {0.5, -2, 1e6, 3}, t[] = {1, 2, 3, 4}, y[] = {0, 1, 0, 1};
    static const char *const c[] = {"a", "b", "zz", "c"};
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) != CRM_OK || crm_dataset_add_number(ds, "x", x, 4) != CRM_OK ||
        crm_dataset_add_number(ds, "t", t, 4) != CRM_OK ||
        crm_dataset_add_number(ds, "y", y, 4) != CRM_OK ||
        crm_dataset_add_text(ds, "c", c, 4) != CRM_OK)
        abort();
    return ds;
}

static void check_text(crm_status st, char *text, const char *what)
{
    if (st == CRM_OK)
        FUZZ_CHECK(text != NULL, "%s: no text", what);
    else
        FUZZ_CHECK(text == NULL && crm_last_error()[0] != '\0', "%s: failure %s without message",
                   what, crm_status_str(st));
    crm_free(text);
}

static void check_tree(const crm_model *m)
{
    char *text = NULL;
    check_text(crm_tree_export_text(m, &text), text, "export_text");
    text = NULL;
    check_text(crm_tree_export_rules(m, &text), text, "export_rules");
    text = NULL;
    check_text(crm_tree_export_dot(m, &text), text, "export_dot");
    crm_dataset *imp = NULL;
    crm_status st = crm_tree_feature_importances(m, &imp);
    FUZZ_CHECK(st == CRM_OK || (imp == NULL && crm_last_error()[0]), "importances");
    crm_dataset_free(imp);
}

static void check_arima(const crm_model *m)
{
    crm_dataset *fc = NULL;
    crm_status st = crm_arima_forecast(m, 3, 90, &fc);
    if (st == CRM_OK)
        FUZZ_CHECK(crm_dataset_nrows(fc) == 3, "forecast of 3 steps has %zu rows",
                   crm_dataset_nrows(fc));
    else
        FUZZ_CHECK(fc == NULL && crm_last_error()[0], "forecast failed without message");
    crm_dataset_free(fc);
    const double levels[] = {50, 99.9};
    fc = NULL;
    st = crm_arima_forecast_levels(m, 2, levels, 2, &fc);
    FUZZ_CHECK(st == CRM_OK || (fc == NULL && crm_last_error()[0]), "forecast_levels");
    crm_dataset_free(fc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    crm_model *m = (crm_model *)1;
    crm_status st = crm_model_from_json(text, &m);
    free(text);
    if (st != CRM_OK) {
        FUZZ_CHECK(m == NULL && crm_last_error()[0] != '\0', "failed load (%s): %s",
                   crm_status_str(st), m ? "model set" : "no message");
        return 0;
    }
    /* JSON round trip, in memory and through a file */
    char *a = NULL, *b = NULL, *c = NULL;
    crm_model *m2 = NULL, *m3 = NULL;
    FUZZ_CHECK(crm_model_to_json(m, &a) == CRM_OK, "to_json: %s", crm_last_error());
    FUZZ_CHECK(crm_model_from_json(a, &m2) == CRM_OK, "written JSON does not load: %s\n%s",
               crm_last_error(), a);
    FUZZ_CHECK(crm_model_to_json(m2, &b) == CRM_OK && strcmp(a, b) == 0,
               "JSON changes on a round trip:\n%s\n%s", a, b ? b : "");
    const char *path = fuzz_path("in.txt");
    FUZZ_CHECK(crm_model_save(m, path) == CRM_OK, "save: %s", crm_last_error());
    FUZZ_CHECK(crm_model_load(path, &m3) == CRM_OK, "load: %s", crm_last_error());
    FUZZ_CHECK(crm_model_to_json(m3, &c) == CRM_OK && strcmp(a, c) == 0,
               "JSON changes through a file");
    crm_free(a);
    crm_free(b);
    crm_free(c);
    crm_model_free(m2);
    crm_model_free(m3);

    crm_dataset *s = NULL;
    FUZZ_CHECK(crm_model_summary(m, &s) == CRM_OK, "summary: %s", crm_last_error());
    crm_dataset_free(s);
    size_t nstat = 0;
    FUZZ_CHECK(crm_model_stat_count(m, &nstat) == CRM_OK && nstat > 0, "stat_count");
    for (size_t i = 0; i < nstat; i++) {
        const char *name = NULL;
        double v = 0;
        FUZZ_CHECK(crm_model_stat_name(m, i, &name) == CRM_OK &&
                       crm_model_stat(m, name, &v) == CRM_OK,
                   "stat %zu", i);
    }

    crm_dataset *ds = predict_data();
    size_t before = crm_dataset_ncols(ds);
    st = crm_model_predict(m, ds, "pred");
    if (st == CRM_OK)
        FUZZ_CHECK(crm_dataset_ncols(ds) > before && crm_dataset_nrows(ds) == 4,
                   "predict added no column");
    else
        FUZZ_CHECK(crm_dataset_ncols(ds) == before && crm_last_error()[0] != '\0',
                   "failed predict (%s) changed the dataset or left no message",
                   crm_status_str(st));
    crm_dataset_free(ds);

    if (crm_model_kind(m) == CRM_MODEL_TREE) check_tree(m);
    if (crm_model_kind(m) == CRM_MODEL_ARIMA) check_arima(m);
    crm_model_free(m);
    return 0;
}
