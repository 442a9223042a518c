/* Placeholder for the MySQL/MariaDB backend until lib/sql/mysql.c provides
 * crm__sql_backend_mysql (that change deletes this file): every connection is
 * refused with CRM_E_UNAVAILABLE. */
#include "sql/sql_internal.h"

static const char *stub_column_type(int32_t type, int32_t is_key)
{
    (void)type;
    (void)is_key;
    return "TEXT";
}

static crm_status stub_connect(const crm__sql_uri *uri, const char *client_library,
                               int32_t readonly, crm__sql_conn **out)
{
    (void)uri;
    (void)client_library;
    (void)readonly;
    *out = NULL;
    return crm__error(CRM_E_UNAVAILABLE,
                      "mysql: this libcrm was built without the MySQL/MariaDB backend");
}

const crm__sql_backend crm__sql_backend_mysql = {
    .name = "mysql",
    .ident_quote = '`',
    .placeholder = CRM__SQL_PH_QMARK,
    .upsert = CRM__SQL_UPSERT_ON_DUPLICATE,
    .column_type = stub_column_type,
    .connect = stub_connect,
};
