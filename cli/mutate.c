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

int cli_mutate_list_init(cli_mutate_list *l, int argc)
{
    l->n = 0;
    l->v = calloc((size_t)(argc > 0 ? argc : 1), sizeof *l->v);
    if (l->v) return 0;
    return cli_out_of_memory();
}

void cli_mutate_list_free(cli_mutate_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int cli_mutate_option(cli_args *a, const cli_opt *o, void *dest)
{
    cli_mutate_list *l = dest;
    const char *v = NULL;
    if (cli_value(a, o, &v) || cli_check_mutate(a, v)) return -1;
    l->v[l->n++] = v;
    return 0;
}

int cli_csv_mutate_init(cli_csvflags *f, cli_mutate_list *mu, int argc)
{
    int rc = cli_csvflags_init(f, argc);
    if (rc) return rc;
    if ((rc = cli_mutate_list_init(mu, argc))) cli_csvflags_free(f);
    return rc;
}
