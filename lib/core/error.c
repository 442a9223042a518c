/* Status names and the thread-local error message. */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

#define CRM__ERRMSG_SIZE 1024

static _Thread_local char errbuf[CRM__ERRMSG_SIZE];

const char *crm_status_str(crm_status status)
{
    switch (status) {
    case CRM_OK:
        return "CRM_OK";
    case CRM_E_INVALID:
        return "CRM_E_INVALID";
    case CRM_E_NOMEM:
        return "CRM_E_NOMEM";
    case CRM_E_IO:
        return "CRM_E_IO";
    case CRM_E_PARSE:
        return "CRM_E_PARSE";
    case CRM_E_NOTFOUND:
        return "CRM_E_NOTFOUND";
    case CRM_E_TYPE:
        return "CRM_E_TYPE";
    case CRM_E_NUMERIC:
        return "CRM_E_NUMERIC";
    case CRM_E_STATE:
        return "CRM_E_STATE";
    case CRM_E_FORMAT:
        return "CRM_E_FORMAT";
    case CRM_E_CANCELLED:
        return "CRM_E_CANCELLED";
    case CRM_E_UNSUPPORTED:
        return "CRM_E_UNSUPPORTED";
    }
    return "CRM_E_UNKNOWN";
}

const char *crm_last_error(void)
{
    return errbuf;
}

crm_status crm__verror(crm_status status, const char *fmt, va_list ap)
{
    void *loc = crm__c_locale_enter();
    int n = vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    crm__c_locale_leave(loc);
    if (n < 0)
        errbuf[0] = '\0';
    return status;
}

crm_status crm__error(crm_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crm__verror(status, fmt, ap);
    va_end(ap);
    return status;
}

crm_status crm__nomem(void)
{
    static const char msg[] = "out of memory";
    memcpy(errbuf, msg, sizeof msg);
    return CRM_E_NOMEM;
}

crm_status crm__error_prefix(crm_status status, const char *prefix)
{
    size_t plen = strlen(prefix);
    size_t mlen = strlen(errbuf);
    if (plen + 2 >= sizeof errbuf)
        plen = sizeof errbuf - 3;
    if (plen + 2 + mlen >= sizeof errbuf)
        mlen = sizeof errbuf - 1 - plen - 2;
    memmove(errbuf + plen + 2, errbuf, mlen);
    memcpy(errbuf, prefix, plen);
    errbuf[plen] = ':';
    errbuf[plen + 1] = ' ';
    errbuf[plen + 2 + mlen] = '\0';
    return status;
}

void crm__error_clear(void)
{
    errbuf[0] = '\0';
}
