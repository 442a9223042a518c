/* crm_csv_options defaults and the size rule. */
#include "dataset/csv_internal.h"

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
    0,                       /* max_bytes: the default limits */
    NULL,                    /* usecols: every column */
    0,                       /* n_usecols */
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

crm_status crm__csv_options_check(const crm_csv_options *o, int32_t default_delimiter)
{
    if (o->delimiter < 0 || o->delimiter > 255 || o->delimiter == '\n' || o->delimiter == '\r')
        return crm__error(CRM_E_INVALID, "crm_csv_options: delimiter %d is not a usable byte",
                          (int)o->delimiter);
    if (o->quote < 0 || o->quote > 255 || o->quote == '\n' || o->quote == '\r')
        return crm__error(CRM_E_INVALID, "crm_csv_options: quote %d is not a usable byte",
                          (int)o->quote);
    if (o->quote && (o->delimiter ? o->delimiter : default_delimiter) == o->quote)
        return crm__error(CRM_E_INVALID, "crm_csv_options: delimiter and quote are the same byte");
    if (o->n_na_values < 0 || (o->n_na_values > 0 && !o->na_values))
        return crm__error(CRM_E_INVALID, "crm_csv_options: na_values is NULL or n_na_values < 0");
    for (int64_t i = 0; i < o->n_na_values; i++)
        if (!o->na_values[i])
            return crm__error(CRM_E_INVALID, "crm_csv_options: na_values[%lld] is NULL",
                              (long long)i);
    if (o->date_format)
        return crm__time_check_format(o->date_format, "date_format");
    return CRM_OK;
}
