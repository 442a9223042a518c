/* libFuzzer harness for the expression language (see README.md in this
 * folder). Each input is taken as an expression and compiled against a small
 * dataset with number, text and time columns (with missing values) by
 * crm_dataset_filter() and by crm_dataset_mutate() on a copy. A failure must
 * set *out to NULL, leave a message and leave the dataset unchanged; a
 * success must give a consistent shape. Anything else aborts. */
#include <crm.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NROWS 1500 /* more than one evaluation block */

static crm_dataset *make_dataset(void)
{
    static double q[NROWS], p[NROWS];
    static const char *s[NROWS];
    static int64_t t[NROWS];
    static const char *words[] = {"C536379", "abc", NULL, "O'Brien", "", "United Kingdom", "é"};
    for (int i = 0; i < NROWS; i++) {
        q[i] = i % 7 == 3 ? NAN : (double)(i % 11) - 4;
        p[i] = i % 13 == 0 ? INFINITY : (double)i * 0.25;
        s[i] = words[i % 7];
        t[i] = i % 5 == 2 ? CRM_TIME_MISSING : 1291161600 + (int64_t)i * 86399;
    }
    crm_dataset *ds = NULL;
    if (crm_dataset_new(&ds) != CRM_OK || crm_dataset_add_number(ds, "q", q, NROWS) != CRM_OK ||
        crm_dataset_add_number(ds, "Unit Price", p, NROWS) != CRM_OK ||
        crm_dataset_add_text(ds, "s", s, NROWS) != CRM_OK ||
        crm_dataset_add_time(ds, "t", t, NROWS) != CRM_OK)
        abort();
    return ds;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static crm_dataset *ds = NULL;
    if (!ds)
        ds = make_dataset();
    char *expr = malloc(size + 1);
    if (!expr)
        return 0;
    memcpy(expr, data, size);
    expr[size] = '\0'; /* an embedded NUL simply ends the expression */

    crm_dataset *out = NULL;
    crm_status st = crm_dataset_filter(ds, expr, &out);
    if (st == CRM_OK) {
        if (!out || crm_dataset_ncols(out) != 4 || crm_dataset_nrows(out) > NROWS)
            abort();
        crm_dataset_free(out);
    } else if (out != NULL || crm_last_error()[0] == '\0' ||
               (st != CRM_E_PARSE && st != CRM_E_NOTFOUND && st != CRM_E_TYPE)) {
        abort();
    }

    crm_dataset *copy = NULL;
    if (crm_dataset_clone(ds, &copy) != CRM_OK)
        abort();
    st = crm_dataset_mutate(copy, "q", expr);
    if (st == CRM_OK) {
        if (crm_dataset_ncols(copy) != 4 || crm_dataset_nrows(copy) != NROWS)
            abort();
    } else if (crm_last_error()[0] == '\0' || crm_dataset_ncols(copy) != 4) {
        abort();
    }
    st = crm_dataset_mutate(copy, "new", expr);
    if (crm_dataset_ncols(copy) != (st == CRM_OK ? 5u : 4u))
        abort();
    crm_dataset_free(copy);
    free(expr);
    return 0;
}
