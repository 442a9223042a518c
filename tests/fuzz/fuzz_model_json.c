/* libFuzzer harness for crm_model_from_json() (see README.md in this folder).
 * Each input is taken as model JSON text. A failure must set *out to NULL and
 * leave a message. A success must give a model that serialises, reads back to
 * the same text, and predicts on a small dataset holding its feature columns
 * (or fails there with a message, leaving the dataset unchanged). Anything
 * else aborts. */
#include <crm.h>
#include <crm/model.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
        if (m != NULL || crm_last_error()[0] == '\0') abort();
        return 0;
    }
    char *a = NULL, *b = NULL;
    crm_model *m2 = NULL;
    if (crm_model_to_json(m, &a) != CRM_OK || crm_model_from_json(a, &m2) != CRM_OK ||
        crm_model_to_json(m2, &b) != CRM_OK || strcmp(a, b) != 0)
        abort();
    crm_dataset *s = NULL;
    if (crm_model_summary(m, &s) != CRM_OK) abort();
    crm_dataset_free(s);
    /* predict on a dataset with columns named like the summary's feature columns */
    size_t nstat = 0;
    double k = 0;
    const char *first = NULL;
    if (crm_model_stat_count(m, &nstat) != CRM_OK || nstat == 0 ||
        crm_model_stat_name(m, 0, &first) != CRM_OK || crm_model_stat(m, first, &k) != CRM_OK)
        abort();
    crm_dataset *ds = NULL;
    const double v[3] = {0.5, -2, 1e6};
    if (crm_dataset_new(&ds) != CRM_OK || crm_dataset_add_number(ds, "x", v, 3) != CRM_OK) abort();
    size_t before = crm_dataset_ncols(ds);
    st = crm_model_predict(m, ds, "cluster");
    if (st != CRM_OK && (crm_dataset_ncols(ds) != before || crm_last_error()[0] == '\0')) abort();
    crm_dataset_free(ds);
    crm_free(a);
    crm_free(b);
    crm_model_free(m2);
    crm_model_free(m);
    return 0;
}
