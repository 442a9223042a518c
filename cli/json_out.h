/* JSON output of the crm tool's --json: strings, numbers, lists, tables and
 * model statistics. */
#ifndef CRM_CLI_JSON_OUT_H
#define CRM_CLI_JSON_OUT_H

#include "crm/dataset.h"
#include "crm/model.h"

#include <stddef.h>
#include <stdio.h>

/* Write s as a JSON string literal (quotes, escapes; invalid UTF-8 bytes
 * become U+FFFD). */
void cli_json_string(FILE *f, const char *s);
/* cli_json_string(), or null when s is NULL (an option not given). */
void cli_json_string_or_null(FILE *f, const char *s);
/* Write the n strings of v as a JSON list ["a", "b"]. */
void cli_json_string_list(FILE *f, char *const *v, size_t n);
/* Write v as a JSON number that reads back exactly; null for NaN and infinities. */
void cli_json_number(FILE *f, double v);
/* Begin a supervised command's --json object on stdout: `{"file": PATH,
 * "rows": ROWS, "target": TARGET, "features": [...], "stats": {...}` with the
 * statistics of m (cli_stats_json); end it with cli_json_files_end(). */
void cli_json_model_start(const char *path, size_t rows, const char *target, char *const *feats,
                          size_t nfeats, const crm_model *m);
/* End a model command's --json object on stdout: `, "output": OUT, "model":
 * MODEL}` and a newline, each path as a string or null when not given. */
void cli_json_files_end(const char *out, const char *model_path);

/* Print a table on stdout as a JSON list of row objects keyed by column name:
 * numbers (null for missing), text (null for missing), times as "YYYY-MM-DD". */
void cli_table_json(const crm_dataset *t);

/* Print every statistic of m (crm_model_stat_count / _name / crm_model_stat) on
 * stdout as one JSON object {"name": value, ...}, in the model's order. */
void cli_stats_json(const crm_model *m);

#endif /* CRM_CLI_JSON_OUT_H */
