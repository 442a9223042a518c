/* A dataset in use by a running call (one with a progress callback): the
 * callback, or another thread, may free it (the storage outlives the call) but
 * not change it (CRM_E_STATE); reads stay allowed. */
#include "test_util.h"
#include "core/dataset_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static const char *xy[] = {"x", "y"};

/* n rows of two number columns x, y in five blobs, and a 0/1 column "label"
 * (x > y, with one row in ten flipped so the classes overlap). */
static crm_dataset *make_blobs(size_t n)
{
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *lab = malloc(n * sizeof *lab);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_ptr_nonnull(lab);
    uint64_t s = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        double u[2];
        for (int j = 0; j < 2; j++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            u[j] = (double)(s >> 11) / 9007199254740992.0;
        }
        x[i] = (double)(i % 5) * 4.0 + u[0];
        y[i] = (double)((i * 3) % 5) * 4.0 + u[1];
        lab[i] = (x[i] > y[i]) != (i % 10 == 0);
    }
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, n));
    ck_assert_ok(crm_dataset_add_number(ds, "y", y, n));
    ck_assert_ok(crm_dataset_add_number(ds, "label", lab, n));
    free(x);
    free(y);
    free(lab);
    return ds;
}

static void kmeans_opts(crm_kmeans_options *o)
{
    ck_assert_ok(crm_kmeans_options_init(o, sizeof *o));
    o->k = 5;
    o->n_init = 3;
    o->tol = 0;
    o->n_threads = 2;
}

static char *kmeans_json(const crm_dataset *ds, const crm_kmeans_options *o)
{
    crm_model *m = NULL;
    char *js = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, xy, 2, o, &m));
    ck_assert_ok(crm_model_to_json(m, &js));
    crm_model_free(m);
    return js;
}

static char *logreg_json(const crm_dataset *ds, const crm_logreg_options *o)
{
    crm_model *m = NULL;
    char *js = NULL;
    ck_assert_ok(crm_logreg_fit(ds, "label", xy, 2, o, &m));
    ck_assert_ok(crm_model_to_json(m, &js));
    crm_model_free(m);
    return js;
}

/* ---- (a) the callback frees the dataset being fitted ---------------------- */

struct free_ctx {
    crm_dataset *ds; /* freed on the first call, then NULL */
    int calls;
};

static int32_t free_cb(double f, void *user)
{
    (void)f;
    struct free_ctx *c = user;
    c->calls++;
    if (c->ds) {
        crm_dataset_free(c->ds);
        c->ds = NULL;
    }
    return 0;
}

START_TEST(test_free_in_kmeans_callback)
{
    crm_dataset *ds = make_blobs(20000);
    crm_kmeans_options o;
    kmeans_opts(&o);
    char *want = kmeans_json(ds, &o);
    size_t live = crm__alloc_live();
    struct free_ctx c = {ds, 0};
    o.progress = free_cb;
    o.user = &c;
    char *got = kmeans_json(ds, &o);
    ck_assert_ptr_null(c.ds);
    ck_assert_int_gt(c.calls, 1); /* the fit went on after the free */
    ck_assert_str_eq(got, want);
    crm_free(got);
    /* the storage went when the fit returned: only `want` is left of before */
    ck_assert_uint_lt(crm__alloc_live(), live);
    crm_free(want);
}
END_TEST

START_TEST(test_free_in_logreg_callback)
{
    crm_dataset *ds = make_blobs(5000);
    crm_logreg_options o;
    ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
    char *want = logreg_json(ds, &o);
    struct free_ctx c = {ds, 0};
    o.progress = free_cb;
    o.user = &c;
    char *got = logreg_json(ds, &o);
    ck_assert_ptr_null(c.ds);
    ck_assert_int_ge(c.calls, 1);
    ck_assert_str_eq(got, want);
    crm_free(got);
    crm_free(want);
}
END_TEST

/* ---- (b) the callback tries to change it; reads stay allowed -------------- */

struct change_ctx {
    crm_dataset *ds;
    const crm_model *model; /* for crm_model_predict */
    int calls;
    crm_status mutate, drop, rename, add, impute, dedup, predict, nested_fit;
    char mutate_msg[256];
    size_t nrows, ncols;
};

static int32_t change_cb(double f, void *user)
{
    (void)f;
    struct change_ctx *c = user;
    if (c->calls++)
        return 0;
    double v[1] = {0};
    c->mutate = crm_dataset_mutate(c->ds, "z", "x + y");
    snprintf(c->mutate_msg, sizeof c->mutate_msg, "%s", crm_last_error());
    c->drop = crm_dataset_drop_column(c->ds, "y");
    c->rename = crm_dataset_rename_column(c->ds, "x", "xx");
    c->add = crm_dataset_add_number(c->ds, "w", v, crm_dataset_nrows(c->ds) ? 1 : 0);
    c->impute = crm_clean_impute(c->ds, "x", CRM_IMPUTE_MEAN, NULL, NULL);
    c->dedup = crm_clean_dedup(c->ds, NULL, 0, CRM_KEEP_FIRST, NULL);
    c->predict = crm_model_predict(c->model, c->ds, "cluster");
    /* reads: the shape, and another fit on the same dataset */
    c->nrows = crm_dataset_nrows(c->ds);
    c->ncols = crm_dataset_ncols(c->ds);
    crm_kmeans_options o;
    crm_kmeans_options_init(&o, sizeof o);
    o.k = 2;
    o.n_init = 1;
    crm_model *m = NULL;
    c->nested_fit = crm_kmeans_fit(c->ds, xy, 2, &o, &m);
    crm_model_free(m);
    return 0;
}

START_TEST(test_change_in_callback)
{
    crm_dataset *ds = make_blobs(20000);
    crm_kmeans_options o;
    kmeans_opts(&o);
    char *want = kmeans_json(ds, &o);
    crm_model *small = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, xy, 2, &o, &small));
    struct change_ctx c;
    memset(&c, 0, sizeof c);
    c.ds = ds;
    c.model = small;
    o.progress = change_cb;
    o.user = &c;
    char *got = kmeans_json(ds, &o);
    ck_assert_int_gt(c.calls, 1);
    ck_assert_int_eq(c.mutate, CRM_E_STATE);
    ck_assert_str_eq(c.mutate_msg, "crm_dataset_mutate: the dataset is in use by a running call "
                                   "(a progress callback may not change it)");
    ck_assert_int_eq(c.drop, CRM_E_STATE);
    ck_assert_int_eq(c.rename, CRM_E_STATE);
    ck_assert_int_eq(c.add, CRM_E_STATE);
    ck_assert_int_eq(c.impute, CRM_E_STATE);
    ck_assert_int_eq(c.dedup, CRM_E_STATE);
    ck_assert_int_eq(c.predict, CRM_E_STATE);
    ck_assert_int_eq(c.nested_fit, CRM_OK);
    ck_assert_uint_eq(c.nrows, 20000);
    ck_assert_uint_eq(c.ncols, 3);
    ck_assert_str_eq(got, want); /* the fit saw the data unchanged */
    ck_assert_uint_eq(crm_dataset_ncols(ds), 3);

    /* (c) once the fit has returned the dataset can be changed again */
    ck_assert_ok(crm_dataset_mutate(ds, "z", "x + y"));
    ck_assert_ok(crm_dataset_drop_column(ds, "z"));
    ck_assert_ok(crm_model_predict(small, ds, "cluster"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 4);
    crm_model_free(small);
    crm_free(got);
    crm_free(want);
    crm_dataset_free(ds);
}
END_TEST

/* Every entry point with a progress callback holds its dataset: a change made
 * from the callback is refused. */
struct try_ctx {
    crm_dataset *ds;
    int calls;
    crm_status st;
};

static int32_t try_mutate_cb(double f, void *user)
{
    (void)f;
    struct try_ctx *c = user;
    if (c->calls++ == 0)
        c->st = crm_dataset_mutate(c->ds, "z", "1");
    return 0;
}

static crm_dataset *csv(const char *text)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(text, strlen(text), NULL, &ds));
    return ds;
}

START_TEST(test_every_progress_entry_point_pins)
{
    crm_dataset *ds = make_blobs(3000);
    struct try_ctx c = {ds, 0, CRM_OK};
    crm_model *m = NULL;
    crm_dataset *out = NULL, *out2 = NULL;
#define EXPECT_PINNED(what, call)                                                                  \
    do {                                                                                           \
        c.calls = 0;                                                                               \
        c.st = CRM_OK;                                                                             \
        ck_assert_ok(call);                                                                        \
        ck_assert_msg(c.calls > 0, "%s: no progress call", what);                                  \
        ck_assert_msg(c.st == CRM_E_STATE, "%s: mutate from the callback gave %d", what, c.st);   \
        ck_assert_ok(crm_dataset_mutate(c.ds, "z", "2"));                                          \
        ck_assert_ok(crm_dataset_drop_column(c.ds, "z"));                                          \
        crm_model_free(m);                                                                         \
        crm_dataset_free(out);                                                                     \
        crm_dataset_free(out2);                                                                    \
        m = NULL;                                                                                  \
        out = out2 = NULL;                                                                         \
    } while (0)

    crm_kmeans_options ko;
    kmeans_opts(&ko);
    ko.progress = try_mutate_cb;
    ko.user = &c;
    EXPECT_PINNED("crm_kmeans_fit", crm_kmeans_fit(ds, xy, 2, &ko, &m));
    EXPECT_PINNED("crm_kmeans_elbow", crm_kmeans_elbow(ds, xy, 2, 1, 3, &ko, &out));
    crm_logreg_options lo;
    ck_assert_ok(crm_logreg_options_init(&lo, sizeof lo));
    lo.progress = try_mutate_cb;
    lo.user = &c;
    EXPECT_PINNED("crm_logreg_fit", crm_logreg_fit(ds, "label", xy, 2, &lo, &m));
    crm_tree_options to;
    ck_assert_ok(crm_tree_options_init(&to, sizeof to));
    to.progress = try_mutate_cb;
    to.user = &c;
    EXPECT_PINNED("crm_tree_fit", crm_tree_fit(ds, "label", xy, 2, &to, &m));
    EXPECT_PINNED("crm_tree_pruning_path", crm_tree_pruning_path(ds, "label", xy, 2, &to, &out));
    crm_dataset_free(ds);

    ds = c.ds = csv("tid,item\n1,a\n1,b\n1,c\n2,a\n2,b\n3,b\n3,c\n4,a\n4,c\n5,a\n5,b\n5,c\n"
                    "6,b\n7,a\n7,b\n");
    crm_apriori_options ao;
    ck_assert_ok(crm_apriori_options_init(&ao, sizeof ao));
    ao.min_support = 0.1;
    ao.n_threads = 1;
    ao.progress = try_mutate_cb;
    ao.user = &c;
    EXPECT_PINNED("crm_apriori", crm_apriori(ds, "tid", "item", &ao, &out, &out2));
    crm_dataset_free(ds);

    char text[4096] = "g,date,value\n";
    size_t len = strlen(text);
    for (int g = 0; g < 3; g++)
        for (int t = 0; t < 24; t++)
            len += (size_t)snprintf(text + len, sizeof text - len, "s%d,%04d-%02d-01,%d\n", g,
                                    2020 + t / 12, 1 + t % 12, 50 * (g + 1) + (t * 7) % 12 + t);
    ck_assert_uint_lt(len, sizeof text - 1);
    ds = c.ds = csv(text);
    crm_arima_options ro;
    ck_assert_ok(crm_arima_options_init(&ro, sizeof ro));
    ro.n_threads = 1;
    ro.progress = try_mutate_cb;
    ro.user = &c;
    EXPECT_PINNED("crm_arima_fit_many",
                  crm_arima_fit_many(ds, "g", "date", "value", 3, 0.95, &ro, &out, &out2));
#undef EXPECT_PINNED
    crm_dataset_free(ds);
}
END_TEST

/* A cancelled fit and a failing fit release their pin like a finished one. */
static int32_t stop_cb(double f, void *user)
{
    (void)f;
    (void)user;
    return 1;
}

START_TEST(test_pin_released_on_every_exit)
{
    crm_dataset *ds = make_blobs(2000);
    crm_kmeans_options o;
    kmeans_opts(&o);
    o.progress = stop_cb;
    crm_model *m = NULL;
    ck_assert_error(crm_kmeans_fit(ds, xy, 2, &o, &m), CRM_E_CANCELLED);
    ck_assert_ok(crm_dataset_rename_column(ds, "label", "lab"));
    const char *bad[] = {"x", "nope"};
    ck_assert_error(crm_kmeans_fit(ds, bad, 2, &o, &m), CRM_E_NOTFOUND);
    crm_tree_options to;
    ck_assert_ok(crm_tree_options_init(&to, sizeof to));
    ck_assert_error(crm_tree_fit(ds, "nope", xy, 2, &to, &m), CRM_E_NOTFOUND);
    ck_assert_ok(crm_dataset_drop_column(ds, "lab"));
    ck_assert_uint_eq(crm_dataset_ncols(ds), 2);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_pin_internal)
{
    crm_dataset *ds = make_blobs(10);
    double v[10] = {0};
    crm__dataset_pin(ds);
    crm__dataset_pin(ds);
    ck_assert_error(crm_dataset_add_number(ds, "v", v, 10), CRM_E_STATE);
    ck_assert_error(crm_clean_convert(ds, "x", CRM_TYPE_TEXT, NULL), CRM_E_STATE);
    ck_assert_error(crm_clean_drop_missing(ds, NULL, 0, NULL), CRM_E_STATE);
    ck_assert_error(crm_clean_outliers(ds, "x", CRM_OUTLIER_IQR, 0, CRM_OUTLIER_CLIP, NULL),
                    CRM_E_STATE);
    ck_assert(strstr(crm_last_error(), "crm_clean_outliers: the dataset is in use") != NULL);
    crm__dataset_unpin(ds);
    ck_assert_error(crm_dataset_add_number(ds, "v", v, 10), CRM_E_STATE);
    crm_dataset_free(ds); /* the owner's reference: the last pin now frees */
    crm__dataset_unpin(ds);
    crm__dataset_pin(NULL);
    crm__dataset_unpin(NULL);
}
END_TEST

/* ---- another thread frees the dataset while a fit reads it ---------------- */

struct thread_ctx {
    crm_dataset *ds;
    crm_kmeans_options o;
    char *json;
    atomic_int started, freed;
    int waited_ok;
};

static int32_t wait_for_free_cb(double f, void *user)
{
    (void)f;
    struct thread_ctx *c = user;
    if (atomic_exchange(&c->started, 1))
        return 0;
    /* the first call waits (at most 30 s) until the other thread has freed ds */
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < 30000 && !atomic_load(&c->freed); i++)
        nanosleep(&ms, NULL);
    c->waited_ok = atomic_load(&c->freed);
    return 0;
}

static void *fit_thread(void *arg)
{
    struct thread_ctx *c = arg;
    crm_model *m = NULL;
    if (crm_kmeans_fit(c->ds, xy, 2, &c->o, &m) == CRM_OK &&
        crm_model_to_json(m, &c->json) != CRM_OK)
        c->json = NULL;
    crm_model_free(m);
    return NULL;
}

START_TEST(test_free_from_other_thread)
{
    struct thread_ctx *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    c->ds = make_blobs(20000);
    kmeans_opts(&c->o);
    char *want = kmeans_json(c->ds, &c->o);
    c->o.progress = wait_for_free_cb;
    c->o.user = c;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, fit_thread, c), 0);
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < 30000 && !atomic_load(&c->started); i++)
        nanosleep(&ms, NULL);
    ck_assert_int_eq(atomic_load(&c->started), 1);
    crm_dataset_free(c->ds); /* while the fit holds it */
    atomic_store(&c->freed, 1);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_int_eq(c->waited_ok, 1);
    ck_assert_ptr_nonnull(c->json);
    ck_assert_str_eq(c->json, want);
    crm_free(c->json);
    crm_free(want);
    free(c);
}
END_TEST

Suite *crm_inuse_suite(void)
{
    Suite *s = suite_create("inuse");
    TCase *tc = tcase_create("callback");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_free_in_kmeans_callback);
    tcase_add_test(tc, test_free_in_logreg_callback);
    tcase_add_test(tc, test_change_in_callback);
    tcase_add_test(tc, test_every_progress_entry_point_pins);
    tcase_add_test(tc, test_pin_released_on_every_exit);
    tcase_add_test(tc, test_pin_internal);
    suite_add_tcase(s, tc);
    TCase *th = tcase_create("threads");
    tcase_set_timeout(th, 120);
    tcase_add_test(th, test_free_from_other_thread);
    suite_add_tcase(s, th);
    return s;
}
