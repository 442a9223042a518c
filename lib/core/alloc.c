/* The library allocator: every allocation of libcrm goes through here. */
#include "core/internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *std_malloc(size_t n, void *user)
{
    (void)user;
    return malloc(n);
}

static void *std_realloc(void *p, size_t n, void *user)
{
    (void)user;
    return realloc(p, n);
}

static void std_free(void *p, void *user)
{
    (void)user;
    free(p);
}

static crm_malloc_fn a_malloc = std_malloc;
static crm_realloc_fn a_realloc = std_realloc;
static crm_free_fn a_free = std_free;
static void *a_user = NULL;
static atomic_size_t live_blocks;

crm_status crm_set_allocator(crm_malloc_fn malloc_fn, crm_realloc_fn realloc_fn,
                             crm_free_fn free_fn, void *user)
{
    int nnull = (malloc_fn == NULL) + (realloc_fn == NULL) + (free_fn == NULL);
    if (nnull != 0 && nnull != 3)
        return crm__error(CRM_E_INVALID,
                          "crm_set_allocator: give all three functions or none (got %d NULL)",
                          nnull);
    size_t live = atomic_load(&live_blocks);
    if (live != 0)
        return crm__error(CRM_E_STATE,
                          "crm_set_allocator: %zu block(s) allocated by libcrm are still alive; "
                          "set the allocator before creating any handle",
                          live);
    if (nnull == 3) {
        a_malloc = std_malloc;
        a_realloc = std_realloc;
        a_free = std_free;
        a_user = NULL;
    } else {
        a_malloc = malloc_fn;
        a_realloc = realloc_fn;
        a_free = free_fn;
        a_user = user;
    }
    return CRM_OK;
}

size_t crm__alloc_live(void)
{
    return atomic_load(&live_blocks);
}

void *crm__malloc(size_t n)
{
    void *p = a_malloc(n ? n : 1, a_user);
    if (p)
        atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
    return p;
}

void *crm__calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t n = count * size;
    void *p = crm__malloc(n);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

void *crm__realloc(void *p, size_t n)
{
    if (!p)
        return crm__malloc(n);
    return a_realloc(p, n ? n : 1, a_user);
}

void *crm__malloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return crm__malloc(count * size);
}

void *crm__realloc_array(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return crm__realloc(p, count * size);
}

void crm__free(void *p)
{
    if (!p)
        return;
    atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
    a_free(p, a_user);
}

void crm_free(void *p)
{
    crm__free(p);
}

char *crm__strndup(const char *s, size_t n)
{
    char *d = crm__malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *crm__strdup(const char *s)
{
    return crm__strndup(s, strlen(s));
}

crm_status crm__buf_reserve(crm__buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return CRM_OK;
    if (extra > SIZE_MAX / 2 - b->len)
        return crm__nomem();
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = crm__realloc(b->data, cap);
    if (!d)
        return crm__nomem();
    b->data = d;
    b->cap = cap;
    return CRM_OK;
}

crm_status crm__buf_append(crm__buf *b, const char *s, size_t n)
{
    crm_status st = crm__buf_reserve(b, n);
    if (st)
        return st;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CRM_OK;
}

crm_status crm__buf_printf(crm__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    void *loc = crm__c_locale_enter();
    int n = vsnprintf(small, sizeof small, fmt, ap);
    crm__c_locale_leave(loc);
    va_end(ap);
    if (n < 0)
        return crm__error(CRM_E_INVALID, "formatting failed");
    if ((size_t)n < sizeof small)
        return crm__buf_append(b, small, (size_t)n);
    crm_status st = crm__buf_reserve(b, (size_t)n);
    if (st)
        return st;
    va_start(ap, fmt);
    loc = crm__c_locale_enter();
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    crm__c_locale_leave(loc);
    va_end(ap);
    b->len += (size_t)n;
    return CRM_OK;
}

void crm__buf_free(crm__buf *b)
{
    crm__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
