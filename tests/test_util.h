/* Shared helpers for the Check suites. */
#ifndef CRM_TEST_UTIL_H
#define CRM_TEST_UTIL_H

#include <check.h>
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of a file under ../shared/data (for the *_shared suites). */
static inline const char *crm_test_data(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", CRM_SHARED_DATA_DIR, rel);
    return buf;
}

/* Path of a file under tests/. */
static inline const char *crm_test_file(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", CRM_TEST_DIR, rel);
    return buf;
}

/* A failed call must leave a message naming the problem. */
#define ck_assert_error(call, status)                                                              \
    do {                                                                                           \
        crm_status st_ = (call);                                                                   \
        ck_assert_msg(st_ == (status), "%s returned %s, expected %s (%s)", #call,                  \
                      crm_status_str(st_), crm_status_str(status), crm_last_error());              \
        ck_assert_msg(crm_last_error()[0] != '\0', "%s: empty crm_last_error()", #call);          \
    } while (0)

#define ck_assert_ok(call)                                                                         \
    do {                                                                                           \
        crm_status st_ = (call);                                                                   \
        ck_assert_msg(st_ == CRM_OK, "%s returned %s: %s", #call, crm_status_str(st_),            \
                      crm_last_error());                                                           \
    } while (0)

/* ---- allocation-failure injection -------------------------------------- */
/* Counting allocator: fails the fail_at-th allocation (1-based; 0 = never)
 * and tracks blocks alive, so a test can assert nothing leaked. */
typedef struct crm_test_alloc {
    long count;
    long fail_at;
    long live;
} crm_test_alloc;

static crm_test_alloc crm_test_alloc_state;

static inline void *crm_test_malloc(size_t n, void *user)
{
    crm_test_alloc *a = user;
    a->count++;
    if (a->fail_at && a->count == a->fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        a->live++;
    return p;
}

static inline void *crm_test_realloc(void *p, size_t n, void *user)
{
    crm_test_alloc *a = user;
    a->count++;
    if (a->fail_at && a->count == a->fail_at)
        return NULL;
    return realloc(p, n);
}

static inline void crm_test_free(void *p, void *user)
{
    crm_test_alloc *a = user;
    a->live--;
    free(p);
}

/* Install the counting allocator, failing allocation number fail_at. */
static inline void crm_test_alloc_install(long fail_at)
{
    crm_test_alloc_state.count = 0;
    crm_test_alloc_state.fail_at = fail_at;
    crm_test_alloc_state.live = 0;
    crm_status st =
        crm_set_allocator(crm_test_malloc, crm_test_realloc, crm_test_free, &crm_test_alloc_state);
    ck_assert_msg(st == CRM_OK, "crm_set_allocator: %s", crm_last_error());
}

static inline void crm_test_alloc_reset(void)
{
    crm_status st = crm_set_allocator(NULL, NULL, NULL, NULL);
    ck_assert_msg(st == CRM_OK, "crm_set_allocator reset: %s", crm_last_error());
}

/* Run `body` (an expression giving a crm_status, freeing what it made on
 * success) with the N-th allocation failing, for every N up to the number of
 * allocations a clean run makes. Every failing run must return CRM_E_NOMEM
 * and leave no block alive. */
#define CRM_TEST_EACH_ALLOC_FAILURE(body)                                                          \
    do {                                                                                           \
        crm_test_alloc_install(0);                                                                 \
        crm_status clean_ = (body);                                                                \
        long total_ = crm_test_alloc_state.count;                                                  \
        ck_assert_msg(clean_ == CRM_OK, "clean run failed: %s", crm_last_error());                \
        ck_assert_int_eq(crm_test_alloc_state.live, 0);                                            \
        crm_test_alloc_reset();                                                                    \
        ck_assert_msg(total_ > 0, "no allocation observed");                                       \
        for (long n_ = 1; n_ <= total_; n_++) {                                                    \
            crm_test_alloc_install(n_);                                                            \
            crm_status st_ = (body);                                                               \
            long live_ = crm_test_alloc_state.live;                                                \
            crm_test_alloc_reset();                                                                \
            ck_assert_msg(st_ == CRM_E_NOMEM, "allocation %ld of %ld failing: got %s (%s)", n_,   \
                          total_, crm_status_str(st_), crm_last_error());                         \
            ck_assert_msg(live_ == 0, "allocation %ld of %ld failing: %ld block(s) leaked", n_,   \
                          total_, live_);                                                          \
        }                                                                                          \
    } while (0)

#endif /* CRM_TEST_UTIL_H */
