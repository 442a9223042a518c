/* The files the crm tool writes (see output.h). */
#include "output.h"

#include "errors.h"

#include "crm/common.h"
#include "crm/sql.h"

#include <stdio.h>
#include <string.h>

int cli_is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

int cli_flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_INPUT;
    }
    return 0;
}

/* len bytes to standard output, flushed. */
static int put_stdout(const char *data, size_t len)
{
    if (fwrite(data, 1, len, stdout) != len) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_INPUT;
    }
    return cli_flush_stdout();
}

int cli_write_csv(const crm_dataset *ds, const char *path, const crm_csv_options *opts)
{
    if (cli_is_sql_uri(path)) {
        cli_error("%s: only -o writes into a database (with --table NAME)", path);
        return CLI_EXIT_USAGE;
    }
    if (!cli_is_stdout(path))
        return crm_dataset_write_csv(ds, path, opts) == CRM_OK ? 0 : cli_lib_error(path);
    char *csv = NULL;
    if (crm_dataset_to_csv_string(ds, opts, &csv) != CRM_OK) return cli_lib_error(NULL);
    int rc = put_stdout(csv, strlen(csv));
    crm_free(csv);
    return rc;
}

int cli_save_model(const crm_model *m, const char *path)
{
    if (!cli_is_stdout(path))
        return crm_model_save(m, path) == CRM_OK ? 0 : cli_lib_error(path);
    char *js = NULL;
    if (crm_model_to_json(m, &js) != CRM_OK) return cli_lib_error(NULL);
    int rc = put_stdout(js, strlen(js));
    if (!rc) rc = put_stdout("\n", 1);
    crm_free(js);
    return rc;
}

int cli_write_text(const char *path, const char *text)
{
    if (cli_is_stdout(path)) return put_stdout(text, strlen(text));
    return crm_file_write(path, text, strlen(text)) == CRM_OK ? 0 : cli_lib_error(path);
}

int cli_write_table(const crm_dataset *ds, const char *path, const crm_csv_options *csv,
                    const cli_csvflags *f)
{
    if (!cli_is_sql_uri(path)) {
        if (f->table) {
            cli_error("--table needs -o URI (sqlite:PATH, postgresql://..., mysql://...)");
            return CLI_EXIT_USAGE;
        }
        return cli_write_csv(ds, path, csv);
    }
    if (!f->table) {
        cli_error("-o %s: writing into a database needs --table NAME", path);
        return CLI_EXIT_USAGE;
    }
    if (cli_uri_has_password(path)) {
        cli_error("-o: no password on the command line (other users can see it); use "
                  "PGPASSWORD or ~/.pgpass, ~/.my.cnf");
        return CLI_EXIT_USAGE;
    }
    crm_sql_options so;
    if (crm_sql_options_init(&so, sizeof so) != CRM_OK) return cli_lib_error(NULL);
    so.mode = f->mode;
    so.key_columns = (const char *const *)f->keys;
    so.n_key_columns = (int64_t)f->nkeys;
    if (crm_dataset_write_sql(ds, path, f->table, &so) != CRM_OK) return cli_lib_error(path);
    return 0;
}
