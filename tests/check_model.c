/* The generic model handle and the JSON reader/writer: round trips, a table of bad JSON,
 * envelope errors (format, version, kind), NULL handling, allocation failures. */
#include "test_util.h"

#include "core/json.h"
#include "crm/kmeans.h"
#include "crm/model.h"

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

static crm_model *small_model(void)
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
    crm_model *m = small_model();
    char *js = NULL;
    ck_assert_ok(crm_model_to_json(m, &js));
    ck_assert(strncmp(js, "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"kmeans\",", 53) ==
              0);
    /* future version, unknown kind, other format */
    char *p = strstr(js, "\"version\":1");
    ck_assert_ptr_nonnull(p);
    p[10] = '2';
    expect_model_error(js, CRM_E_FORMAT, "version 2");
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
    crm_model *m = small_model();
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

START_TEST(test_model_save_load)
{
    crm_model *m = small_model();
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
    crm_model *m = small_model();
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

Suite *crm_model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_json_values);
    tcase_add_test(tc, test_json_write_roundtrip);
    tcase_add_test(tc, test_json_bad);
    tcase_add_test(tc, test_model_envelope);
    tcase_add_test(tc, test_model_null);
    tcase_add_test(tc, test_model_save_load);
    tcase_add_test(tc, test_model_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
