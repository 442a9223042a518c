/* The public header must compile on its own under C11 -Wall -Wextra -Wpedantic -Werror. */
#include <crm.h>

int crm_headertest_c(void);
int crm_headertest_c(void)
{
    crm_csv_options o;
    return crm_csv_options_init(&o, sizeof o) == CRM_OK && CRM_VERSION_NUMBER > 0;
}
