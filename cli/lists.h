/* Comma-separated lists on the command line ("--features a,b,c"). */
#ifndef CRM_CLI_LISTS_H
#define CRM_CLI_LISTS_H

#include "args.h"

#include <stddef.h>

/* Split "a,b,c" into *n new strings (*out: a new array; free with
 * cli_free_list). Returns 0, or -1 when out of memory. */
int cli_split_list(const char *s, char ***out, size_t *n);
void cli_free_list(char **v, size_t n);

/* The text of s before its first sep as a new string (free), and in *rest
 * what follows the sep; s must hold a sep ("COL:mean", "NAME=EXPR" checked
 * before). NULL when out of memory. */
char *cli_split_at(const char *s, char sep, const char **rest);

/* The --target and --features of a supervised command (tree, logreg, linreg):
 * both are required and non-empty ("--target is required" as a usage error);
 * the features are split at commas into *feats / *n (free with cli_free_list).
 * Returns 0, the usage exit status, or CLI_EXIT_INPUT when out of memory. */
int cli_target_features(const cli_args *a, const char *target, const char *featarg, char ***feats,
                        size_t *n);

#endif /* CRM_CLI_LISTS_H */
