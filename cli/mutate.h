/* --mutate NAME=EXPR: a column added or replaced by an expression before a
 * command works on the rows (crm clean, crm predict). */
#ifndef CRM_CLI_MUTATE_H
#define CRM_CLI_MUTATE_H

#include "args.h"
#include "csvflags.h"

#include "crm/dataset.h"

/* Check the syntax of a --mutate argument ("NAME=EXPR", both non-empty).
 * Returns 0, or prints a usage error and returns CLI_EXIT_USAGE. */
int cli_check_mutate(const cli_args *a, const char *arg);

/* Apply a checked --mutate argument to ds (crm_dataset_mutate). Returns CRM_OK,
 * the library's status (message in crm_last_error()), or CRM_E_NOMEM. */
crm_status cli_mutate(crm_dataset *ds, const char *arg);

/* The --mutate arguments of a command, in order (borrowed from argv). */
typedef struct cli_mutate_list {
    const char **v; /* room for one per command-line argument */
    size_t n;
} cli_mutate_list;

/* Make room for argc entries. Returns 0, or prints "out of memory" and
 * returns CLI_EXIT_INPUT. Free with cli_mutate_list_free(). */
int cli_mutate_list_init(cli_mutate_list *l, int argc);
void cli_mutate_list_free(cli_mutate_list *l);

/* The handler of a repeatable --mutate NAME=EXPR option (CLI_CALL; dest: a
 * cli_mutate_list): checks the syntax (cli_check_mutate) and appends it. */
int cli_mutate_option(cli_args *a, const cli_opt *o, void *dest);

/* The CSV flags and the --mutate list of a command that takes both (kmeans,
 * logreg, linreg, tree, predict). Returns 0, or an exit status after a message (nothing left to
 * free). Free each with cli_csvflags_free() and cli_mutate_list_free(). */
int cli_csv_mutate_init(cli_csvflags *f, cli_mutate_list *mu, int argc);

#endif /* CRM_CLI_MUTATE_H */
