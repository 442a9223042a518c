/* Version of the loaded library. */
#include "core/internal.h"

const char *crm_version(void)
{
    return CRM_VERSION_STRING;
}

int32_t crm_version_number(void)
{
    return CRM_VERSION_NUMBER;
}
