/* The CSV flags every crm command accepts, turned into a crm_csv_options:
 *   --delimiter C       field separator: one character, or "tab"
 *   --decimal-comma     ',' is the decimal separator
 *   --type COL:TYPE     column type override (number, text, time); repeatable
 *   --na STR            extra missing-value string (adds to the defaults); repeatable
 *   --date-format FMT   strptime-style format for time columns
 *   --lenient           ragged rows and invalid UTF-8 are repaired, not refused
 *   --no-header         the first line is data
 *   --max-rows N        read at most N data rows
 *   --max-bytes N       refuse text longer than N bytes (K, M, G suffixes)
 */
#ifndef CRM_CLI_CSVFLAGS_H
#define CRM_CLI_CSVFLAGS_H

#include "args.h"

#include "crm/dataset.h"

#include <stddef.h>

typedef struct cli_csvflags {
    crm_csv_options opts; /* ready to pass to the library after parsing */
    const char **na;      /* --na values (borrowed from argv) */
    size_t nna;
    const char **types; /* --type values (borrowed from argv) */
    size_t ntypes;
} cli_csvflags;

/* Help text of the CSV flags, one flag per line, indented by two spaces. */
extern const char cli_csvflags_help[];

/* Defaults. Returns 0, or prints an error and returns CLI_EXIT_INPUT. */
int cli_csvflags_init(cli_csvflags *f, int argc);

/* Handle o when it is a CSV flag. Returns 1 when consumed, 0 when o is not a
 * CSV flag, -1 after printing a usage error. */
int cli_csvflags_try(cli_csvflags *f, cli_args *a, const cli_opt *o);

void cli_csvflags_free(cli_csvflags *f);

#endif /* CRM_CLI_CSVFLAGS_H */
