/* --mutate NAME=EXPR: a column added or replaced by an expression before a
 * command works on the rows (crm clean, crm predict). */
#ifndef CRM_CLI_MUTATE_H
#define CRM_CLI_MUTATE_H

#include "args.h"

#include "crm/dataset.h"

/* Check the syntax of a --mutate argument ("NAME=EXPR", both non-empty).
 * Returns 0, or prints a usage error and returns CLI_EXIT_USAGE. */
int cli_check_mutate(const cli_args *a, const char *arg);

/* Apply a checked --mutate argument to ds (crm_dataset_mutate). Returns CRM_OK,
 * the library's status (message in crm_last_error()), or CRM_E_NOMEM. */
crm_status cli_mutate(crm_dataset *ds, const char *arg);

#endif /* CRM_CLI_MUTATE_H */
