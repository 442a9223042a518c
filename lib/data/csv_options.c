/* crm_csv_options defaults and the size rule. */
#include "data/csv_internal.h"

#include <stddef.h>

const crm_csv_options crm__csv_defaults = {
    sizeof(crm_csv_options), /* size */
    0,                       /* delimiter: auto */
    '"',                     /* quote */
    1,                       /* header */
    0,                       /* decimal_comma */
    1,                       /* strict */
    1,                       /* keep_default_na */
    NULL,                    /* na_values */
    0,                       /* n_na_values */
    NULL,                    /* types */
    0,                       /* n_types */
    NULL,                    /* date_format */
    0,                       /* max_rows */
};

crm_status crm_csv_options_init(crm_csv_options *opts, size_t size)
{
    return crm__options_init(opts, size, &crm__csv_defaults, sizeof crm__csv_defaults,
                             CRM__CSV_OPTIONS_V1_SIZE, "crm_csv_options");
}

crm_status crm__csv_options_load(crm_csv_options *dst, const crm_csv_options *user)
{
    return crm__options_load(dst, user, &crm__csv_defaults, sizeof crm__csv_defaults,
                             CRM__CSV_OPTIONS_V1_SIZE, "crm_csv_options");
}
