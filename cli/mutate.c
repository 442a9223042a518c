/* --mutate NAME=EXPR (see mutate.h). */
#include "mutate.h"

#include "lists.h"

#include <stdlib.h>
#include <string.h>

int cli_check_mutate(const cli_args *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return cli_usage(a, "--mutate wants NAME=EXPR, got \"%s\"", arg);
    return 0;
}

crm_status cli_mutate(crm_dataset *ds, const char *arg)
{
    const char *expr = NULL;
    char *name = cli_split_at(arg, '=', &expr);
    if (!name) return CRM_E_NOMEM;
    crm_status st = crm_dataset_mutate(ds, name, expr);
    free(name);
    return st;
}
