/* Shared helpers for the Check suites. */
#ifndef CRM_TEST_UTIL_H
#define CRM_TEST_UTIL_H

#include <check.h>
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* CI=true (or 1) in the environment: what would be a skip (no ../shared/data,
 * no reference tool) is a failure instead. */
static inline int crm_test_ci(void)
{
    const char *ci = getenv("CI");
    return ci && (strcasecmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}

/* The shared data folder: $CRM_SHARED_DATA_DIR when set (as for the command-line
 * tests), else ../shared/data beside the source tree. */
static inline const char *crm_test_data_dir(void)
{
    const char *dir = getenv("CRM_SHARED_DATA_DIR");
    return dir && *dir ? dir : CRM_SHARED_DATA_DIR;
}

/* Path of a file under ../shared/data (for the *_shared suites). */
static inline const char *crm_test_data(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", crm_test_data_dir(), rel);
    return buf;
}

/* Path of a file under tests/. */
static inline const char *crm_test_file(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", CRM_TEST_DIR, rel);
    return buf;
}

/* ---- parity with a reference tool ---------------------------------------- */
/* One compared quantity of a parity suite (say "logit estimate vs statsmodels"):
 * every value goes through crm_parity_check(), which asserts that the
 * difference from the reference is at most tol and records the largest one;
 * crm_parity_report() prints it, so a run shows how close the agreement is and
 * how much room the tolerance leaves, not only that it holds.
 * The difference is |got - want| / max(|want|, floor) (CRM_PARITY_REL: floor 0,
 * purely relative, so a want of 0 needs got == 0; CRM_PARITY_SCALED: relative
 * above |want| = floor, absolute below) or |got - want| (CRM_PARITY_ABS). A NaN
 * want needs a NaN got. tol = 0 asks for equal values. */
typedef struct crm_parity {
    const char *what; /* the quantity and the reference */
    double tol;
    double floor;     /* scale floor; < 0: absolute */
    double max;       /* largest difference seen */
    size_t n;         /* values compared */
} crm_parity;

#define CRM_PARITY_REL(what, tol) {(what), (tol), 0.0, 0.0, 0}
#define CRM_PARITY_SCALED(what, tol, floor) {(what), (tol), (floor), 0.0, 0}
#define CRM_PARITY_ABS(what, tol) {(what), (tol), -1.0, 0.0, 0}

static inline double crm_parity_diff(const crm_parity *p, double got, double want)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got) ? 0.0 : INFINITY;
    if (got == want)
        return 0.0;
    double scale = p->floor < 0 ? 1.0 : fmax(fabs(want), p->floor);
    return scale > 0 ? fabs(got - want) / scale : INFINITY;
}

static inline int crm_parity_note(crm_parity *p, double got, double want)
{
    double d = crm_parity_diff(p, got, want);
    p->n++;
    if (d > p->max)
        p->max = d;
    return d <= p->tol;
}

/* crm_parity_check(&p, got, want, "printf format naming the value", ...) */
#define crm_parity_check(p, got, want, ...)                                                        \
    do {                                                                                           \
        char name_[160];                                                                           \
        snprintf(name_, sizeof name_, __VA_ARGS__);                                                \
        double g_ = (got), w_ = (want);                                                            \
        ck_assert_msg(crm_parity_note((p), g_, w_),                                                \
                      "%s, %s: %.17g vs reference %.17g (difference %.3g, tolerance %.3g)",       \
                      (p)->what, name_, g_, w_, crm_parity_diff((p), g_, w_), (p)->tol);          \
    } while (0)

/* "parity: WHAT: N values, largest difference D (tolerance T, KIND)" on stderr. */
static inline void crm_parity_report(const crm_parity *p)
{
    ck_assert_msg(p->n > 0, "%s: nothing compared", p->what);
    char kind[64];
    if (p->floor < 0)
        snprintf(kind, sizeof kind, "absolute");
    else if (p->floor == 0)
        snprintf(kind, sizeof kind, "relative");
    else
        snprintf(kind, sizeof kind, "relative to max(|reference|, %g)", p->floor);
    fprintf(stderr, "parity: %s: %zu value%s, largest difference %.2g (tolerance %.2g, %s)\n",
            p->what, p->n, p->n == 1 ? "" : "s", p->max, p->tol, kind);
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

/* A k-means model (k = 2) fitted on six points: a small model to save and load. */
static inline crm_model *crm_test_small_model(void)
{
    const double x[] = {0, 0.1, 0.2, 5, 5.1, 5.2};
    const double y[] = {1, 1.1, 0.9, -3, -3.2, -2.9};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 6));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, 6));
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 2;
    o.n_threads = 1;
    crm_model *m = NULL;
    const char *cols[] = {"x", "y"};
    ck_assert_ok(crm_kmeans_fit(ds, cols, 2, &o, &m));
    crm_dataset_free(ds);
    return m;
}

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
