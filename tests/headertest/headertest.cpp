// The public header must compile as C++ (extern "C", no C-only constructs).
#include <crm.h>

int crm_headertest_cxx();
int crm_headertest_cxx()
{
    crm_csv_options o;
    crm_dataset *ds = nullptr;
    int ok = crm_csv_options_init(&o, sizeof o) == CRM_OK;
    crm_dataset_free(ds);
    return ok;
}
