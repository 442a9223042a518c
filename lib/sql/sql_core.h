/*
 * Shared by lib/sql/sql.c (reading) and lib/sql/sql_write.c (writing); the
 * backends use sql_internal.h only. Never installed.
 */
#ifndef CRM_SQL_CORE_H
#define CRM_SQL_CORE_H

#include "core/dataset_internal.h"
#include "sql/sql_internal.h"

#include <stdio.h>

/* One open connection of a public call. */
typedef struct crm__sql_session {
    crm__sql_uri uri;
    const crm__sql_backend *be;
    crm__sql_conn *conn;
} crm__sql_session;

/* Copy the caller's options over the defaults (size rule of crm/common.h) and
 * check them; messages start with fn. */
crm_status crm__sql_options_load(crm_sql_options *o, const crm_sql_options *user, const char *fn);
/* Parse uri, pick its backend and connect. On failure s holds nothing. */
crm_status crm__sql_open(const char *uri, const crm_sql_options *o, int32_t readonly,
                         crm__sql_session *s);
/* Disconnect and free; safe on a zeroed or failed session. */
void crm__sql_close(crm__sql_session *s);

#endif /* CRM_SQL_CORE_H */
