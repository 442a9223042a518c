/* libFuzzer harness for the CSV reader (see README.md in this folder).
 * Each input is read from memory twice, with the default options and in
 * lenient mode; a successful read is also written back to text and read
 * again, which must succeed with the same shape. */
#include <crm.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_roundtrip(const crm_dataset *ds)
{
    char *text = NULL;
    if (crm_dataset_to_csv_string(ds, NULL, &text) != CRM_OK)
        abort();
    if (crm_dataset_ncols(ds) > 0 && crm_dataset_nrows(ds) > 0) {
        crm_dataset *back = NULL;
        crm_csv_options o;
        crm_csv_options_init(&o, sizeof o);
        o.delimiter = ',';
        if (crm_dataset_read_csv_mem(text, strlen(text), &o, &back) != CRM_OK)
            abort();
        if (crm_dataset_nrows(back) != crm_dataset_nrows(ds) ||
            crm_dataset_ncols(back) != crm_dataset_ncols(ds))
            abort();
        crm_dataset_free(back);
    }
    crm_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_read_csv_mem((const char *)data, size, NULL, &ds);
    if (st == CRM_OK) {
        check_roundtrip(ds);
        crm_dataset_free(ds);
    } else if (ds != NULL || crm_last_error()[0] == '\0') {
        abort();
    }
    crm_csv_options o;
    crm_csv_options_init(&o, sizeof o);
    o.strict = 0;
    ds = NULL;
    st = crm_dataset_read_csv_mem((const char *)data, size, &o, &ds);
    if (st == CRM_OK) {
        check_roundtrip(ds);
        crm_dataset_free(ds);
    } else if (ds != NULL) {
        abort();
    }
    return 0;
}
