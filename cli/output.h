/* The files the crm tool writes, and standard output.
 *
 * Every file the tool writes (-o, --model, --itemsets, --dot) goes through
 * these, and so through the library's atomic writers (crm/common.h, "Files
 * written atomically"): a file is replaced whole once it is complete, and a
 * failed write leaves it as it was - no partial or new file. A command
 * computes everything before it writes its first file, so that a bad option,
 * bad input or a failed fit writes nothing. The path "-" is standard output,
 * written directly. Each returns 0, or reports the failure on stderr and
 * returns CLI_EXIT_INPUT. */
#ifndef CRM_CLI_OUTPUT_H
#define CRM_CLI_OUTPUT_H

#include "csvflags.h"

#include "crm/dataset.h"
#include "crm/model.h"

/* 1 when path is "-" (standard output). */
int cli_is_stdout(const char *path);
/* crm_dataset_write_csv(), or the CSV text on standard output for "-". A
 * database URI is refused (only -o writes tables: cli_write_table). */
int cli_write_csv(const crm_dataset *ds, const char *path, const crm_csv_options *opts);
/* The -o output of a command: a table when path is a database URI (with
 * f's --table, --mode, --key: crm_dataset_write_sql(), one transaction),
 * otherwise cli_write_csv(ds, path, csv). -o URI without --table, or --table
 * without -o URI, is a usage error (CLI_EXIT_USAGE); so is a password in
 * the URI. */
int cli_write_table(const crm_dataset *ds, const char *path, const crm_csv_options *csv,
                    const cli_csvflags *f);
/* crm_model_save(), or the model's JSON and a newline on standard output for "-". */
int cli_save_model(const crm_model *m, const char *path);
/* crm_file_write() of a NUL-terminated text, or the text on standard output for "-". */
int cli_write_text(const char *path, const char *text);

/* Flush standard output at the end of a command: 0, or "crm: cannot write to
 * standard output" and CLI_EXIT_INPUT when it failed (a full disk, a closed pipe). */
int cli_flush_stdout(void);

#endif /* CRM_CLI_OUTPUT_H */
