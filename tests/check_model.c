/* The generic model handle and the JSON reader/writer: round trips, a table of bad JSON,
 * envelope errors (format, version, kind), NULL handling, allocation failures. */
#include "test_util.h"

#include "core/json.h"
#include "crm/arima.h"
#include "crm/kmeans.h"
#include "crm/linear.h"
#include "crm/model.h"
#include "crm/tree.h"

#include <math.h>

START_TEST(test_json_values)
{
    crm__json *v = NULL;
    ck_assert_ok(crm__json_parse(
        " {\"a\": [1, -2.5e3, 0.1, true, false, null], \"s\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t"
        "\\u00e9\\ud83d\\ude00\", \"o\": {}, \"e\": []} ",
        &v));
    ck_assert_int_eq(v->type, CRM__JSON_OBJECT);
    ck_assert_uint_eq(v->len, 4);
    const crm__json *a = crm__json_get(v, "a");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->type, CRM__JSON_ARRAY);
    ck_assert_uint_eq(a->len, 6);
    ck_assert(a->items[0].num == 1.0);
    ck_assert(a->items[1].num == -2500.0);
    ck_assert(a->items[2].num == 0.1);
    ck_assert_int_eq(a->items[3].type, CRM__JSON_TRUE);
    ck_assert_int_eq(a->items[4].type, CRM__JSON_FALSE);
    ck_assert_int_eq(a->items[5].type, CRM__JSON_NULL);
    const crm__json *s = crm__json_get(v, "s");
    ck_assert_str_eq(s->str, "x\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    ck_assert_uint_eq(crm__json_get(v, "o")->len, 0);
    ck_assert_int_eq(crm__json_get(v, "e")->type, CRM__JSON_ARRAY);
    ck_assert_ptr_null(crm__json_get(v, "missing"));
    crm__json_free(v);
}
END_TEST

START_TEST(test_json_write_roundtrip)
{
    const double vals[] = {0.0,
                           -0.0,
                           1.0,
                           -1.5,
                           0.1,
                           1.0 / 3.0,
                           1e-300,
                           4.9e-324,
                           1.7976931348623157e308,
                           123456789012345678.0,
                           NAN,
                           INFINITY,
                           -INFINITY};
    size_t n = sizeof vals / sizeof vals[0];
    crm__buf b = {NULL, 0, 0};
    ck_assert_ok(crm__buf_append(&b, "{\"s\":", 5));
    ck_assert_ok(crm__json_write_string(&b, "a\"b\\c\n\x01\xc3\xa9"));
    ck_assert_ok(crm__buf_append(&b, ",\"v\":", 5));
    ck_assert_ok(crm__json_write_numbers(&b, vals, n));
    ck_assert_ok(crm__buf_append(&b, "}", 1));
    ck_assert(strstr(b.data, "\\u0001") != NULL);
    ck_assert(strstr(b.data, "\"nan\",\"inf\",\"-inf\"") != NULL);
    crm__json *v = NULL;
    ck_assert_ok(crm__json_parse(b.data, &v));
    ck_assert_str_eq(crm__json_get(v, "s")->str, "a\"b\\c\n\x01\xc3\xa9");
    const crm__json *a = crm__json_get(v, "v");
    ck_assert_uint_eq(a->len, n);
    for (size_t i = 0; i < n; i++) {
        double d = 0;
        ck_assert(crm__json_number(&a->items[i], &d));
        if (isnan(vals[i]))
            ck_assert(isnan(d));
        else
            ck_assert_msg(memcmp(&d, &vals[i], sizeof d) == 0, "value %zu: %.17g vs %.17g", i, d,
                          vals[i]);
    }
    crm__json_free(v);
    crm__buf_free(&b);
}
END_TEST

static const char *const bad_json[] = {
    "",
    "   ",
    "{",
    "[1, 2",
    "{\"a\": 1",
    "{\"a\" 1}",
    "{\"a\": 1,}",
    "[1,]",
    "[1 2]",
    "{1: 2}",
    "\"abc",
    "\"a\\x\"",
    "\"\\u12\"",
    "\"\\ud800\"",
    "\"\\udc00\"",
    "\"\\ud800\\u0041\"",
    "\"\\u0000\"",
    "\"tab\there\"",
    "\"\xff\"",
    "01",
    "1.",
    ".5",
    "1e",
    "-",
    "+1",
    "1e400",
    "-1e99999",
    "NaN",
    "tru",
    "nul",
    "{} x",
    "[] []",
    "{\"a\": 1} }",
};

START_TEST(test_json_bad)
{
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        crm__json *v = (crm__json *)1;
        crm_status st = crm__json_parse(bad_json[i], &v);
        ck_assert_msg(st == CRM_E_PARSE, "case %zu (%s): %s", i, bad_json[i], crm_status_str(st));
        ck_assert_ptr_null(v);
        ck_assert(strstr(crm_last_error(), "offset") != NULL);
    }
    /* depth limit */
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    crm__json *v = NULL;
    ck_assert_error(crm__json_parse(deep, &v), CRM_E_PARSE);
    ck_assert(strstr(crm_last_error(), "deep") != NULL);
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = '\0';
    ck_assert_ok(crm__json_parse(deep, &v));
    crm__json_free(v);
    /* a huge (but finite) number and many digits parse exactly */
    ck_assert_ok(
        crm__json_parse("[1.7976931348623157e308, 0.1000000000000000055511151231257827]", &v));
    ck_assert(v->items[0].num == 1.7976931348623157e308);
    ck_assert(v->items[1].num == 0.1);
    crm__json_free(v);
}
END_TEST

static void expect_model_error(const char *json, crm_status want, const char *needle)
{
    crm_model *m = (crm_model *)1;
    crm_status st = crm_model_from_json(json, &m);
    ck_assert_msg(st == want, "%s: got %s (%s)", json, crm_status_str(st), crm_last_error());
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(crm_last_error(), needle) != NULL, "message \"%s\" lacks \"%s\"",
                  crm_last_error(), needle);
}

START_TEST(test_model_envelope)
{
    crm_model *m = crm_test_small_model();
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    ck_assert(strncmp(js, "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"kmeans\",", 53) ==
              0);
    /* future version (2 is the version of models with transform steps), unknown kind,
     * other format */
    char *p = strstr(js, "\"version\":1");
    ck_assert_ptr_nonnull(p);
    p[10] = '3';
    expect_model_error(js, CRM_E_FORMAT, "version 3");
    p[10] = '1';
    p = strstr(js, "\"kmeans\"");
    memcpy(p, "\"kmeanz\"", 8);
    expect_model_error(js, CRM_E_FORMAT, "kmeanz");
    memcpy(p, "\"kmeans\"", 8);
    p = strstr(js, "libcrm-model");
    p[0] = 'X';
    expect_model_error(js, CRM_E_FORMAT, "format");
    p[0] = 'l';
    crm_model *m2 = NULL;
    ck_assert_ok(crm_model_from_json(js, &m2));
    ck_assert_int_eq(crm_model_kind(m2), CRM_MODEL_KMEANS);
    crm_model_free(m2);
    expect_model_error("[1,2]", CRM_E_FORMAT, "not an object");
    expect_model_error("{\"version\":1}", CRM_E_FORMAT, "format");
    expect_model_error("{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"kmeans\"}",
                       CRM_E_PARSE, "features");
    expect_model_error("{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"kmeans\","
                       "\"features\":[\"x\"],\"k\":1,\"standardize\":false,\"centers\":[[1,2]]}",
                       CRM_E_PARSE, "centers");
    expect_model_error("{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"kmeans\","
                       "\"features\":[\"x\"],\"k\":1,\"standardize\":false,\"centers\":[[1]]}",
                       CRM_E_PARSE, "size");
    expect_model_error("{\"format\":\"libcrm-model\" \"version\":1}", CRM_E_PARSE, "offset 25");
    crm_free(js);
    crm_model_free(m);
}
END_TEST

START_TEST(test_model_null)
{
    crm_model *m = crm_test_small_model();
    double v = 0;
    size_t n = 0;
    const char *name = NULL;
    char *js = NULL;
    crm_dataset *ds = NULL;
    crm_model *out = NULL;
    ck_assert_int_eq(crm_model_kind(NULL), 0);
    crm_model_free(NULL);
    ck_assert_error(crm_model_predict(NULL, NULL, "c"), CRM_E_INVALID);
    ck_assert_error(crm_model_summary(NULL, &ds), CRM_E_INVALID);
    ck_assert_error(crm_model_summary(m, NULL), CRM_E_INVALID);
    ck_assert_error(crm_model_stat(NULL, "k", &v), CRM_E_INVALID);
    ck_assert_error(crm_model_stat(m, NULL, &v), CRM_E_INVALID);
    ck_assert_error(crm_model_stat(m, "k", NULL), CRM_E_INVALID);
    ck_assert_error(crm_model_stat(m, "nope", &v), CRM_E_NOTFOUND);
    ck_assert(strstr(crm_last_error(), "inertia") != NULL);
    ck_assert(isnan(v));
    ck_assert_error(crm_model_stat_count(NULL, &n), CRM_E_INVALID);
    ck_assert_ok(crm_model_stat_count(m, &n));
    ck_assert_uint_eq(n, 10);
    ck_assert_ok(crm_model_stat_name(m, 3, &name));
    ck_assert_str_eq(name, "inertia");
    ck_assert_error(crm_model_stat_name(m, n, &name), CRM_E_INVALID);
    ck_assert_ptr_null(name);
    ck_assert_error(crm_model_to_json(NULL, &js), CRM_E_INVALID);
    ck_assert_error(crm_model_to_json(m, NULL), CRM_E_INVALID);
    ck_assert_error(crm_model_from_json(NULL, &out), CRM_E_INVALID);
    ck_assert_error(crm_model_from_json("{}", NULL), CRM_E_INVALID);
    ck_assert_error(crm_model_save(NULL, "x.json"), CRM_E_INVALID);
    ck_assert_error(crm_model_save(m, NULL), CRM_E_INVALID);
    ck_assert_error(crm_model_load(NULL, &out), CRM_E_INVALID);
    ck_assert_error(crm_model_load("/nonexistent/dir/model.json", &out), CRM_E_IO);
    ck_assert_ptr_null(out);
    ck_assert_error(crm_model_save(m, "/nonexistent/dir/model.json"), CRM_E_IO);
    crm_model_free(m);
}
END_TEST

/* The class labels of classifiers on text targets, and none for the other kinds. */
START_TEST(test_model_classes)
{
    const char *y[8] = {"yes", "no", "no", "maybe", "no", "yes", "no", "maybe"};
    const char *yn[8] = {"yes", "no", "no", "no", "no", "yes", "no", "no"};
    double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 0, 0, 0, 0, 1, 0, 0};
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "x", x, 8));
    ck_assert_ok(crm_dataset_add_number(ds, "b", b, 8));
    ck_assert_ok(crm_dataset_add_text(ds, "y", y, 8));
    ck_assert_ok(crm_dataset_add_text(ds, "yn", yn, 8));
    const char *f[] = {"x"};
    crm_model *m = NULL;
    size_t n = 99;
    const char *label = NULL;
    /* a tree on a text target: its classes in byte order */
    ck_assert_ok(crm_tree_fit(ds, "y", f, 1, NULL, &m));
    ck_assert_ok(crm_model_class_count(m, &n));
    ck_assert_uint_eq(n, 3);
    const char *want[3] = {"maybe", "no", "yes"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_ok(crm_model_class(m, i, &label));
        ck_assert_str_eq(label, want[i]);
    }
    ck_assert_error(crm_model_class(m, 3, &label), CRM_E_INVALID);
    ck_assert_ptr_null(label);
    ck_assert(strstr(crm_last_error(), "3 classes") != NULL);
    crm_model_free(m);
    /* logistic regression on a text target: negative, then positive (the default
     * positive class is the second in byte order; --positive picks another) */
    ck_assert_ok(crm_logreg_fit(ds, "yn", f, 1, NULL, &m));
    ck_assert_ok(crm_model_class_count(m, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(crm_model_class(m, 0, &label));
    ck_assert_str_eq(label, "no");
    ck_assert_ok(crm_model_class(m, 1, &label));
    ck_assert_str_eq(label, "yes");
    crm_model_free(m);
    crm_logreg_options lo;
    ck_assert_ok(crm_logreg_options_init(&lo, sizeof lo));
    lo.positive = "no";
    ck_assert_ok(crm_logreg_fit(ds, "yn", f, 1, &lo, &m));
    ck_assert_ok(crm_model_class(m, 0, &label));
    ck_assert_str_eq(label, "yes");
    ck_assert_ok(crm_model_class(m, 1, &label));
    ck_assert_str_eq(label, "no");
    crm_model_free(m);
    /* no labels: a 0/1 number target, regression, k-means */
    ck_assert_ok(crm_logreg_fit(ds, "b", f, 1, NULL, &m));
    ck_assert_ok(crm_model_class_count(m, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_error(crm_model_class(m, 0, &label), CRM_E_INVALID);
    crm_model_free(m);
    ck_assert_ok(crm_linreg_fit(ds, "x", (const char *[]){"b"}, 1, NULL, &m));
    ck_assert_ok(crm_model_class_count(m, &n));
    ck_assert_uint_eq(n, 0);
    crm_model_free(m);
    m = crm_test_small_model();
    n = 99;
    ck_assert_ok(crm_model_class_count(m, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_error(crm_model_class_count(NULL, &n), CRM_E_INVALID);
    ck_assert_uint_eq(n, 0);
    ck_assert_error(crm_model_class_count(m, NULL), CRM_E_INVALID);
    ck_assert_error(crm_model_class(NULL, 0, &label), CRM_E_INVALID);
    ck_assert_error(crm_model_class(m, 0, NULL), CRM_E_INVALID);
    crm_model_free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_model_save_load)
{
    crm_model *m = crm_test_small_model();
    char path[] = "/tmp/crm_model_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_ok(crm_model_save(m, path));
    crm_model *m2 = NULL;
    ck_assert_ok(crm_model_load(path, &m2));
    char *a = NULL, *b = NULL;
    ck_assert_ok(crm_model_to_json(m, &a));
    ck_assert_ok(crm_model_to_json(m2, &b));
    ck_assert_str_eq(a, b);
    /* a corrupt file names the path */
    FILE *f = fopen(path, "w");
    fputs("{\"format\": ", f);
    fclose(f);
    crm_model *m3 = NULL;
    ck_assert_error(crm_model_load(path, &m3), CRM_E_PARSE);
    ck_assert(strstr(crm_last_error(), path) != NULL);
    remove(path);
    crm_free(a);
    crm_free(b);
    crm_model_free(m2);
    crm_model_free(m);
}
END_TEST

static char *alloc_json;

static crm_status from_json_body(void)
{
    crm_model *m = NULL;
    crm_status st = crm_model_from_json(alloc_json, &m);
    crm_model_free(m);
    return st;
}

static crm_status parse_body(void)
{
    crm__json *v = NULL;
    crm_status st =
        crm__json_parse("{\"a\":[1,2,{\"b\":\"c\\u00e9\"}],\"d\":\"e\",\"f\":[[],{}]}", &v);
    crm__json_free(v);
    return st;
}

START_TEST(test_model_alloc_failures)
{
    crm_model *m = crm_test_small_model();
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    alloc_json = strdup(js);
    crm_free(js);
    crm_model_free(m);
    CRM_TEST_EACH_ALLOC_FAILURE(from_json_body());
    CRM_TEST_EACH_ALLOC_FAILURE(parse_body());
    free(alloc_json);
    alloc_json = NULL;
}
END_TEST

/* ---- every numeric member of every kind is range-checked ------------------------------------ */

/* Copy of json (malloc) with the value of the first member "key" found after
 * the first occurrence of `anchor` (NULL: from the start) replaced by `value`. */
static char *with_member(const char *json, const char *anchor, const char *key, const char *value)
{
    const char *from = anchor ? strstr(json, anchor) : json;
    ck_assert_msg(from != NULL, "no \"%s\" in %s", anchor, json);
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *v = strstr(from, pat);
    ck_assert_msg(v != NULL, "no member %s in %s", pat, json);
    v += strlen(pat);
    const char *e = v;
    int depth = 0, in_str = 0;
    for (;; e++) {
        ck_assert(*e != '\0');
        if (in_str) {
            if (*e == '\\')
                e++;
            else if (*e == '"')
                in_str = 0;
            continue;
        }
        if (*e == '"') {
            in_str = 1;
        } else if (*e == '[' || *e == '{') {
            depth++;
        } else if (*e == ']' || *e == '}') {
            if (depth == 0) break;
            depth--;
        } else if (*e == ',' && depth == 0) {
            break;
        }
    }
    size_t a = (size_t)(v - json), n = strlen(value), rest = strlen(e);
    char *out = malloc(a + n + rest + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, json, a);
    memcpy(out + a, value, n);
    memcpy(out + a + n, e, rest + 1);
    return out;
}

static char *json_of(crm_model *m)
{
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    char *copy = strdup(js);
    crm_free(js);
    crm_model_free(m);
    return copy;
}

static crm_dataset *train_data(void)
{
    static const char text[] = "x,c,y,t\n"
                               "0.5,a,0,1.5\n1.5,b,0,2.9\n2.5,a,1,4.6\n3.5,c,0,5.1\n"
                               "4.5,b,1,7.2\n5.5,a,1,8.1\n6.5,c,0,9.9\n7.5,b,1,10.2\n"
                               "8.5,a,1,12.8\n9.5,c,1,13.1\n";
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv_mem(text, sizeof text - 1, NULL, &ds));
    return ds;
}

static char *kmeans_json(void)
{
    crm_dataset *ds = train_data();
    crm_kmeans_options o;
    ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
    o.k = 2;
    o.standardize = 1;
    o.n_threads = 1;
    const char *cols[] = {"x", "t"};
    crm_model *m = NULL;
    ck_assert_ok(crm_kmeans_fit(ds, cols, 2, &o, &m));
    crm_dataset_free(ds);
    return json_of(m);
}

static char *tree_json(int regression)
{
    crm_dataset *ds = train_data();
    crm_tree_options o;
    ck_assert_ok(crm_tree_options_init(&o, sizeof o));
    o.n_threads = 1;
    if (!regression) o.positive = "1";
    const char *feats[] = {"x", "c"};
    crm_model *m = NULL;
    ck_assert_ok(crm_tree_fit(ds, regression ? "t" : "y", feats, 2, &o, &m));
    crm_dataset_free(ds);
    return json_of(m);
}

static char *linear_json(int logistic)
{
    crm_dataset *ds = train_data();
    const char *feats[] = {"x", "c"};
    crm_model *m = NULL;
    if (logistic) {
        crm_logreg_options o;
        ck_assert_ok(crm_logreg_options_init(&o, sizeof o));
        o.l2 = 0.5; /* the data are separable */
        ck_assert_ok(crm_logreg_fit(ds, "y", feats, 2, &o, &m));
    } else {
        ck_assert_ok(crm_linreg_fit(ds, "t", feats, 2, NULL, &m));
    }
    crm_dataset_free(ds);
    return json_of(m);
}

static char *arima_json(int drift)
{
    double y[60];
    uint64_t s = 7;
    double prev = 0;
    for (int i = 0; i < 60; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double e = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        prev = 0.5 * prev + e;
        y[i] = 10 + (drift ? 0.3 * i : 0) + prev;
    }
    crm_arima_options o;
    ck_assert_ok(crm_arima_options_init(&o, sizeof o));
    o.p = 1;
    o.d = drift ? 1 : 0;
    o.include_drift = drift;
    crm_model *m = NULL;
    ck_assert_ok(crm_arima_fit(y, 60, &o, &m));
    return json_of(m);
}

typedef struct bad_member {
    int kind; /* 0 kmeans, 1 tree (classification), 2 tree (regression), 3 logreg,
                 4 linreg, 5 arima, 6 arima with drift */
    const char *anchor, *key, *value;
} bad_member;

/* Nonsense a loader used to accept, or converted before checking it (undefined
 * behaviour, which the sanitizer build turns into a failure). */
static const bad_member bad_members[] = {
    /* k-means metadata */
    {0, NULL, "n_rows", "-1"},
    {0, NULL, "n_rows", "1.5"},
    {0, NULL, "n_rows", "1"},  /* fewer rows than clusters */
    {0, NULL, "n_rows", "11"}, /* not the sum of the sizes */
    {0, NULL, "converged", "1e308"},
    {0, NULL, "converged", "\"nan\""},
    {0, NULL, "n_iter", "-3"},
    {0, NULL, "n_iter", "2.5"},
    {0, NULL, "best_init", "\"inf\""},
    {0, NULL, "size", "[-4,14]"},
    {0, NULL, "size", "[4.5,5.5]"},
    {0, NULL, "wcss", "[\"nan\",1]"},
    {0, NULL, "wcss", "[-1,1]"},
    {0, NULL, "inertia", "\"inf\""},
    {0, NULL, "inertia", "-2"},
    {0, NULL, "tol_abs", "-1e-9"},
    {0, NULL, "mean", "[\"inf\",0]"},
    {0, NULL, "scale", "[0,1]"},
    {0, NULL, "centers", "[[1,\"nan\"],[0,0]]"},
    {0, NULL, "k", "2.5"},
    {0, NULL, "standardize", "1"},
    /* trees */
    {1, NULL, "positive", "1e300"},
    {1, NULL, "positive", "\"nan\""},
    {1, NULL, "positive", "2"},
    {1, NULL, "positive", "0.5"},
    {2, NULL, "positive", "0"},
    {1, NULL, "target_text", "0"},
    {1, NULL, "n_rows", "-10"},
    {1, NULL, "n_rows", "\"inf\""},
    {1, NULL, "weighted_n", "\"nan\""},
    {1, NULL, "weighted_n", "0"},
    {1, NULL, "ccp_alpha", "-1"},
    {1, NULL, "max_bins", "1"},
    {1, NULL, "max_bins", "300"},
    {1, NULL, "max_bins", "2.5"},
    {1, NULL, "train_score", "1.5"},
    {1, NULL, "train_score", "\"nan\""},
    {2, NULL, "train_score", "\"-inf\""},
    {1, NULL, "importances", "[\"nan\",0]"},
    {1, "\"nodes\"", "left", "1e300"},
    {1, "\"nodes\"", "feature", "\"nan\""},
    {1, "\"nodes\"", "n", "-10"},
    {1, "\"nodes\"", "n", "2.5"},
    {1, "\"nodes\"", "weighted_n", "\"inf\""},
    {1, "\"nodes\"", "impurity", "\"nan\""},
    {1, "\"nodes\"", "value", "[-1,11]"},
    {1, "\"nodes\"", "value", "[\"inf\",1]"},
    {2, "\"nodes\"", "value", "[\"nan\"]"},
    {1, "\"nodes\"", "missing_left", "0"},
    /* logistic and linear regression */
    {3, NULL, "std_error", "[-1,0.5,0.5,0.5]"},
    {3, NULL, "std_error", "[\"-inf\",0.5,0.5,0.5]"},
    {3, NULL, "n_rows", "-3"},
    {3, NULL, "n_rows", "\"inf\""},
    {3, NULL, "n_terms", "3"},
    {3, NULL, "n_iter", "1e300"},
    {3, NULL, "converged", "7"},
    {3, NULL, "df_model", "2.5"},
    {3, NULL, "df_resid", "5"},
    {3, NULL, "l2", "-0.5"},
    {4, NULL, "n_rows", "0"},
    {4, NULL, "l2", "\"inf\""},
    {4, NULL, "df_resid", "\"-inf\""},
    /* ARIMA */
    {5, NULL, "ljung_box", "[3.2,0.5,1e300,8]"},
    {5, NULL, "ljung_box", "[3.2,0.5,\"nan\",8]"},
    {5, NULL, "ljung_box", "[3.2,0.5,10,2e9]"},
    {5, NULL, "ljung_box", "[3.2,1.5,10,9]"},
    {5, NULL, "ljung_box", "[-3.2,0.5,10,9]"},
    {5, NULL, "mask", "[0.5,1]"},
    {5, NULL, "mask", "[2,1]"},
    {5, NULL, "n_used", "61"},
    {5, NULL, "kappa", "-1"},
    {5, NULL, "kappa", "\"inf\""},
    {5, NULL, "sigma2", "-1"},
    {5, NULL, "sigma2", "\"nan\""},
    {5, NULL, "coef", "[\"inf\",10]"},
    {5, NULL, "phi", "[\"nan\"]"},
    {5, NULL, "state", "[\"inf\"]"},
    {5, NULL, "cov", "[\"nan\"]"},
    {5, NULL, "var", "[\"x\",0,0,0]"},
    {5, NULL, "order", "[1,0,0,0,0,0,1e300]"},
    {5, NULL, "order", "[\"nan\",0,0,0,0,0,1]"},
    {5, NULL, "transform", "0.5"},
    {5, NULL, "iterations", "-1"},
    {5, NULL, "n", "\"inf\""},
    {6, NULL, "aic", "\"x\""},
};

START_TEST(test_model_members_checked)
{
    char *base[7] = {kmeans_json(),  tree_json(0),  tree_json(1), linear_json(1),
                     linear_json(0), arima_json(0), arima_json(1)};
    for (int k = 0; k < 7; k++) {
        crm_model *m = NULL;
        ck_assert_msg(crm_model_from_json(base[k], &m) == CRM_OK, "kind %d: %s", k,
                      crm_last_error());
        crm_model_free(m);
    }
    for (size_t i = 0; i < sizeof bad_members / sizeof bad_members[0]; i++) {
        const bad_member *b = &bad_members[i];
        char *js = with_member(base[b->kind], b->anchor, b->key, b->value);
        crm_model *m = (crm_model *)1;
        crm_status st = crm_model_from_json(js, &m);
        ck_assert_msg(st == CRM_E_PARSE, "case %zu (kind %d, %s = %s): %s, %s", i, b->kind, b->key,
                      b->value, crm_status_str(st), crm_last_error());
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(crm_last_error(), b->key) != NULL,
                      "case %zu: message \"%s\" does not name \"%s\"", i, crm_last_error(), b->key);
        free(js);
    }
    for (int k = 0; k < 7; k++)
        free(base[k]);
}
END_TEST

/* Values a fitted model can hold are still read: NaN standard errors and
 * statistics of penalised fits, infinite split thresholds, criteria of CSS fits. */
START_TEST(test_model_members_admitted)
{
    char *lin = linear_json(1);
    char *js = with_member(lin, NULL, "std_error", "[\"nan\",\"nan\",\"nan\",\"nan\"]");
    /* a statistic the writer did not have: "nan", as when it is absent; written
     * back as "nan", it reads again */
    char *js2 = with_member(js, NULL, "df_model", "\"nan\"");
    crm_model *m = NULL;
    ck_assert_ok(crm_model_from_json(js2, &m));
    double v = 0;
    ck_assert_ok(crm_model_stat(m, "df_model", &v));
    ck_assert(isnan(v));
    ck_assert_ok(crm_model_stat(m, "df_resid", &v));
    ck_assert_double_eq(v, 6);
    char *back = NULL;
    ck_assert_ok(crm_model_to_json(m, &back));
    crm_model_free(m);
    ck_assert_ok(crm_model_from_json(back, &m));
    crm_model_free(m);
    crm_free(back);
    free(js2);
    free(js);
    free(lin);
    char *ar = arima_json(0);
    js = with_member(ar, NULL, "aic", "\"nan\"");
    js2 = with_member(js, NULL, "ljung_box", "[\"nan\",\"nan\",10,9]");
    ck_assert_ok(crm_model_from_json(js2, &m));
    ck_assert_ok(crm_model_stat(m, "ljung_box_lag", &v));
    ck_assert_double_eq(v, 10);
    ck_assert_ok(crm_model_stat(m, "ljung_box_df", &v));
    ck_assert_double_eq(v, 9);
    crm_model_free(m);
    free(js2);
    free(js);
    free(ar);
    char *tr = tree_json(0);
    js = with_member(tr, "\"nodes\"", "threshold", "\"inf\"");
    ck_assert_ok(crm_model_from_json(js, &m));
    crm_model_free(m);
    free(js);
    free(tr);
}
END_TEST

/* A drift model's forecast adds coef * (n + step): with n near INT32_MAX that
 * sum overflowed an int (undefined behaviour); it is formed in double now. */
/* A chain of `splits` text splits on a feature of `levels` levels: each split
 * sends level 0 left to a leaf and the rest right to the next split. */
static char *tree_chain_json(size_t splits, size_t levels)
{
    size_t cap = 512 + levels * 12 + splits * 2 * 256;
    char *b = malloc(cap);
    ck_assert_ptr_nonnull(b);
    size_t n = (size_t)snprintf(
        b, cap,
        "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"tree\",\"libcrm\":\"1.0.0\","
        "\"task\":\"regression\",\"criterion\":\"mse\",\"target\":\"t\",\"target_text\":false,"
        "\"positive\":-1,\"classes\":[],\"features\":[{\"name\":\"c\",\"text\":true}],"
        "\"levels\":[[");
    for (size_t l = 0; l < levels; l++)
        n += (size_t)snprintf(b + n, cap - n, "%s\"L%zu\"", l ? "," : "", l);
    size_t total = splits + 1;
    n += (size_t)snprintf(b + n, cap - n,
                          "]],\"importances\":[1],\"n_rows\":%zu,\"weighted_n\":%zu,"
                          "\"ccp_alpha\":0,\"max_bins\":0,\"train_score\":0,\"nodes\":[",
                          total, total);
    for (size_t i = 0; i < splits; i++) {
        size_t at = 2 * i, rows = total - i;
        size_t right = i + 1 < splits ? at + 2 : at + 2; /* next split, or the last leaf */
        n += (size_t)snprintf(
            b + n, cap - n,
            "%s{\"left\":%zu,\"right\":%zu,\"feature\":0,\"threshold\":\"nan\",\"categories\":[0],"
            "\"seen\":[0,1],\"missing_left\":false,\"unseen_left\":false,\"missing_seen\":false,"
            "\"n\":%zu,\"weighted_n\":%zu,\"impurity\":1,\"value\":[1]},"
            "{\"left\":-1,\"right\":-1,\"feature\":-1,\"threshold\":\"nan\",\"missing_left\":false,"
            "\"unseen_left\":false,\"missing_seen\":false,\"n\":1,\"weighted_n\":1,"
            "\"impurity\":0,\"value\":[1]}",
            i ? "," : "", at + 1, right, rows, rows);
    }
    n += (size_t)snprintf(b + n, cap - n,
                          ",{\"left\":-1,\"right\":-1,\"feature\":-1,\"threshold\":\"nan\","
                          "\"missing_left\":false,\"unseen_left\":false,\"missing_seen\":false,"
                          "\"n\":1,\"weighted_n\":1,\"impurity\":0,\"value\":[1]}]}");
    ck_assert_uint_lt(n, cap);
    return b;
}

/* A small file may not make the tree loader allocate gigabytes: the direction
 * tables of text splits (splits x levels bytes) are bounded (256 MiB). */
START_TEST(test_tree_dirs_bounded)
{
    crm_model *m = NULL;
    char *ok = tree_chain_json(5, 3);
    ck_assert_ok(crm_model_from_json(ok, &m));
    ck_assert_ptr_nonnull(m);
    crm_model_free(m);
    free(ok);
    /* 4,000 splits x 70,000 levels = 280 MB of tables from 2 MB of JSON */
    char *big = tree_chain_json(4000, 70000);
    ck_assert_uint_lt(strlen(big), 3u << 20);
    ck_assert_error(crm_model_from_json(big, &m), CRM_E_PARSE);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(crm_last_error(), "direction tables"));
    free(big);
}
END_TEST

START_TEST(test_arima_forecast_large_n)
{
    char *ar = arima_json(1);
    char *js = with_member(ar, NULL, "n", "2147483647");
    crm_model *m = NULL, *m0 = NULL;
    ck_assert_ok(crm_model_from_json(ar, &m0));
    ck_assert_ok(crm_model_from_json(js, &m));
    crm_dataset *fc = NULL, *fc0 = NULL;
    ck_assert_ok(crm_arima_forecast(m, 3, 95, &fc));
    ck_assert_ok(crm_arima_forecast(m0, 3, 95, &fc0));
    double mean[3], mean0[3];
    ck_assert_ok(crm_dataset_get_number(fc, 1, 0, 3, mean));
    ck_assert_ok(crm_dataset_get_number(fc0, 1, 0, 3, mean0));
    /* the drift coefficient is the last of "coef": the forecasts move by
     * drift * (2147483647 - 60) */
    const char *c = strstr(ar, "\"coef\":[");
    ck_assert_ptr_nonnull(c);
    const char *e = strchr(c, ']'), *last = e;
    while (last[-1] != ',' && last[-1] != '[')
        last--;
    double drift = strtod(last, NULL);
    ck_assert(drift > 0.2 && drift < 0.4);
    for (int l = 0; l < 3; l++) {
        double shift = mean[l] - mean0[l], want = drift * (2147483647.0 - 60.0);
        ck_assert_msg(fabs(shift - want) < 1e-6 * want, "step %d: %.17g vs %.17g", l, shift, want);
    }
    crm_dataset_free(fc);
    crm_dataset_free(fc0);
    crm_model_free(m);
    crm_model_free(m0);
    free(js);
    free(ar);
}
END_TEST

Suite *crm_model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_json_values);
    tcase_add_test(tc, test_json_write_roundtrip);
    tcase_add_test(tc, test_json_bad);
    tcase_add_test(tc, test_model_envelope);
    tcase_add_test(tc, test_model_null);
    tcase_add_test(tc, test_model_classes);
    tcase_add_test(tc, test_model_save_load);
    tcase_add_test(tc, test_model_alloc_failures);
    tcase_add_test(tc, test_model_members_checked);
    tcase_add_test(tc, test_model_members_admitted);
    tcase_add_test(tc, test_arima_forecast_large_n);
    tcase_add_test(tc, test_tree_dirs_bounded);
    suite_add_tcase(s, tc);
    return s;
}
