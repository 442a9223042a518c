/* The options-struct size rule (see crm/common.h). */
#include "core/internal.h"

#include <string.h>

crm_status crm__options_init(void *opts, size_t size, const void *defaults, size_t lib_size,
                             size_t min_size, const char *what)
{
    if (!opts)
        return crm__error(CRM_E_INVALID, "%s_init: opts is NULL", what);
    if (size < min_size)
        return crm__error(CRM_E_INVALID,
                          "%s_init: size %zu is smaller than the first published layout (%zu "
                          "bytes); pass sizeof of your struct",
                          what, size, min_size);
    if (size > lib_size) {
        /* A newer caller: zero its unknown tail so the struct can be passed back. */
        memset((char *)opts + lib_size, 0, size - lib_size);
        memcpy(opts, defaults, lib_size);
    } else {
        memcpy(opts, defaults, size);
    }
    memcpy(opts, &size, sizeof size);
    return CRM_OK;
}

crm_status crm__options_load(void *dst, const void *user, const void *defaults, size_t lib_size,
                             size_t min_size, const char *what)
{
    memcpy(dst, defaults, lib_size);
    if (!user)
        return CRM_OK;
    size_t size;
    memcpy(&size, user, sizeof size);
    if (size < min_size)
        return crm__error(CRM_E_INVALID,
                          "%s: opts->size is %zu, smaller than the first published layout (%zu "
                          "bytes); initialise with %s_init(&o, sizeof o)",
                          what, size, min_size, what);
    if (size > lib_size) {
        const unsigned char *tail = (const unsigned char *)user;
        for (size_t i = lib_size; i < size; i++) {
            if (tail[i] != 0)
                return crm__error(CRM_E_FORMAT,
                                  "%s: option field at offset %zu is not supported by libcrm %s",
                                  what, i, CRM_VERSION_STRING);
        }
        memcpy(dst, user, lib_size);
    } else {
        memcpy(dst, user, size);
    }
    memcpy(dst, &lib_size, sizeof lib_size);
    return CRM_OK;
}
