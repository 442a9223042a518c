/*
 * The conformance pipeline in C (the steps and the output format are in
 * tests/conformance/SPEC.md; every language prints the same bytes, and
 * conformance.py is the readable reference).
 *
 * Usage: crm_conformance DATA_DIR OUT_FILE
 *
 * Any failing libcrm call stops the program with exit status 1 and the
 * library's message on stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <crm.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { HEAD = 5 };

/* ---- output text --------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
} text;

static void die(const char *what)
{
    fprintf(stderr, "crm_conformance: %s\n", what);
    exit(1);
}

static void check(crm_status rc, const char *what)
{
    if (rc != CRM_OK) {
        fprintf(stderr, "crm_conformance: %s: %s: %s\n", what, crm_status_str(rc),
                crm_last_error());
        exit(1);
    }
}

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown)
            die("out of memory");
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void putf(text *t, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        die("formatted value too long");
    put(t, buf, (size_t)n);
}

/* A JSON string: '"' and '\\' escaped, bytes below 0x20 as \u00xx, nothing else. */
static void jstr(text *t, const char *s)
{
    puts_(t, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"')
            puts_(t, "\\\"");
        else if (*p == '\\')
            puts_(t, "\\\\");
        else if (*p < 0x20)
            putf(t, "\\u%04x", (unsigned)*p);
        else
            put(t, (const char *)p, 1);
    }
    puts_(t, "\"");
}

/* A double as the 16 hex digits of its IEEE-754 bits; any NaN is "nan". */
static void jnum(text *t, double x)
{
    if (x != x) {
        puts_(t, "\"nan\"");
        return;
    }
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    putf(t, "\"%016" PRIx64 "\"", bits);
}

/* ---- blocks -------------------------------------------------------------- */

static void number_block(text *t, const crm_dataset *ds, size_t col, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        die("out of memory");
    if (n)
        check(crm_dataset_get_number(ds, col, 0, n, v), "get_number");
    size_t missing = 0;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != v[i])
            missing++;
        else
            sum += v[i];
    }
    putf(t, ",\"type\":\"number\",\"missing\":%zu,\"sum\":", missing);
    jnum(t, sum);
    puts_(t, ",\"head\":[");
    for (size_t i = 0; i < n && i < HEAD; i++) {
        if (i)
            puts_(t, ",");
        if (v[i] != v[i])
            puts_(t, "null");
        else
            jnum(t, v[i]);
    }
    puts_(t, "],\"last\":");
    if (n && v[n - 1] == v[n - 1])
        jnum(t, v[n - 1]);
    else
        puts_(t, "null");
    free(v);
}

static void time_cell(text *t, int64_t s)
{
    if (s == CRM_TIME_MISSING)
        puts_(t, "null");
    else
        putf(t, "%" PRId64, s);
}

static void time_block(text *t, const crm_dataset *ds, size_t col, size_t n)
{
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        die("out of memory");
    if (n)
        check(crm_dataset_get_time(ds, col, 0, n, v), "get_time");
    size_t missing = 0;
    for (size_t i = 0; i < n; i++)
        missing += v[i] == CRM_TIME_MISSING;
    putf(t, ",\"type\":\"time\",\"missing\":%zu,\"head\":[", missing);
    for (size_t i = 0; i < n && i < HEAD; i++) {
        if (i)
            puts_(t, ",");
        time_cell(t, v[i]);
    }
    puts_(t, "],\"last\":");
    if (n)
        time_cell(t, v[n - 1]);
    else
        puts_(t, "null");
    free(v);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void text_cell(text *t, const char *const *levels, int32_t code)
{
    if (code < 0)
        puts_(t, "null");
    else
        jstr(t, levels[code]);
}

static void text_block(text *t, const crm_dataset *ds, size_t col, size_t n)
{
    size_t nlevels;
    check(crm_dataset_text_levels(ds, col, &nlevels), "text_levels");
    int32_t *codes = malloc((n ? n : 1) * sizeof *codes);
    const char **levels = malloc((nlevels ? nlevels : 1) * sizeof *levels);
    const char **used = malloc((nlevels ? nlevels : 1) * sizeof *used);
    unsigned char *seen = calloc(nlevels ? nlevels : 1, 1);
    if (!codes || !levels || !used || !seen)
        die("out of memory");
    if (n)
        check(crm_dataset_get_codes(ds, col, 0, n, codes), "get_codes");
    for (size_t k = 0; k < nlevels; k++)
        check(crm_dataset_text_level(ds, col, k, &levels[k]), "text_level");
    /* distinct non-missing values: the strings of the codes in use, counted once each */
    size_t missing = 0, nused = 0;
    for (size_t i = 0; i < n; i++) {
        if (codes[i] < 0) {
            missing++;
        } else if (!seen[codes[i]]) {
            seen[codes[i]] = 1;
            used[nused++] = levels[codes[i]];
        }
    }
    qsort(used, nused, sizeof *used, compare_strings);
    size_t distinct = 0;
    for (size_t k = 0; k < nused; k++)
        distinct += k == 0 || strcmp(used[k - 1], used[k]) != 0;
    putf(t, ",\"type\":\"text\",\"missing\":%zu,\"distinct\":%zu,\"head\":[", missing, distinct);
    for (size_t i = 0; i < n && i < HEAD; i++) {
        if (i)
            puts_(t, ",");
        text_cell(t, levels, codes[i]);
    }
    puts_(t, "],\"last\":");
    if (n)
        text_cell(t, levels, codes[n - 1]);
    else
        puts_(t, "null");
    free(seen);
    free(used);
    free(levels);
    free(codes);
}

static void column_block(text *t, const crm_dataset *ds, size_t col)
{
    const char *name;
    int32_t type;
    size_t n = crm_dataset_nrows(ds);
    check(crm_dataset_column_name(ds, col, &name), "column_name");
    check(crm_dataset_column_type(ds, col, &type), "column_type");
    puts_(t, "{\"name\":");
    jstr(t, name);
    if (type == CRM_TYPE_NUMBER)
        number_block(t, ds, col, n);
    else if (type == CRM_TYPE_TIME)
        time_block(t, ds, col, n);
    else if (type == CRM_TYPE_TEXT)
        text_block(t, ds, col, n);
    else
        die("column of an unknown type");
    puts_(t, "}");
}

static void named_column_block(text *t, const crm_dataset *ds, const char *name)
{
    size_t col;
    check(crm_dataset_column_index(ds, name, &col), name);
    column_block(t, ds, col);
}

static void dataset_block(text *t, const crm_dataset *ds)
{
    size_t ncols = crm_dataset_ncols(ds);
    putf(t, "{\"rows\":%zu,\"columns\":[", crm_dataset_nrows(ds));
    for (size_t c = 0; c < ncols; c++) {
        if (c)
            puts_(t, ",");
        column_block(t, ds, c);
    }
    puts_(t, "]}");
}

static void stats_block(text *t, const crm_model *m)
{
    size_t n;
    check(crm_model_stat_count(m, &n), "stat_count");
    puts_(t, "{");
    for (size_t i = 0; i < n; i++) {
        const char *name;
        double v;
        check(crm_model_stat_name(m, i, &name), "stat_name");
        check(crm_model_stat(m, name, &v), name);
        if (i)
            puts_(t, ",");
        jstr(t, name);
        puts_(t, ":");
        jnum(t, v);
    }
    puts_(t, "}");
}

/* "name": then the caller's value; members are separated by ",\n". */
static void member(text *t, const char *name)
{
    if (t->len > 2)
        puts_(t, ",\n");
    jstr(t, name);
    puts_(t, ":");
}

static void summary_member(text *t, const char *name, const crm_model *m)
{
    crm_dataset *summary;
    check(crm_model_summary(m, &summary), "model_summary");
    member(t, name);
    dataset_block(t, summary);
    crm_dataset_free(summary);
}

/* The column `cluster` that `m` predicts on a fresh clone of `ds`. */
static void labels_member(text *t, const char *name, const crm_model *m, const crm_dataset *ds)
{
    crm_dataset *copy;
    check(crm_dataset_clone(ds, &copy), "clone");
    check(crm_model_predict(m, copy, "cluster"), "model_predict");
    member(t, name);
    named_column_block(t, copy, "cluster");
    crm_dataset_free(copy);
}

static char *data_path(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        die("out of memory");
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static crm_dataset *read_csv(const char *dir, const char *rel)
{
    char *path = data_path(dir, rel);
    crm_dataset *ds;
    check(crm_dataset_read_csv(path, NULL, &ds), path);
    free(path);
    return ds;
}

/* ---- the steps ----------------------------------------------------------- */

/* 1-3: read, clean, RFM; returns the RFM table. */
static crm_dataset *retail_steps(text *t, const char *data)
{
    crm_dataset *retail = read_csv(data, "online_retail/online_retail.csv.gz");
    member(t, "retail");
    dataset_block(t, retail);

    crm_dataset *sales;
    size_t removed;
    check(crm_dataset_filter(retail, "CustomerID is not missing and Quantity > 0 and UnitPrice > 0",
                             &sales),
          "filter");
    crm_dataset_free(retail);
    check(crm_dataset_mutate(sales, "Amount", "Quantity * UnitPrice"), "mutate");
    check(crm_clean_dedup(sales, NULL, 0, CRM_KEEP_FIRST, &removed), "dedup");
    member(t, "dedup_removed");
    putf(t, "%zu", removed);
    member(t, "sales");
    dataset_block(t, sales);

    crm_rfm_options ro;
    check(crm_rfm_options_init(&ro, sizeof ro), "rfm_options_init");
    ro.customer = "CustomerID";
    ro.date = "InvoiceDate";
    ro.amount = "Amount";
    ro.invoice = "InvoiceNo";
    crm_dataset *scores;
    check(crm_rfm(sales, &ro, &scores), "rfm");
    crm_dataset_free(sales);
    member(t, "rfm");
    dataset_block(t, scores);
    return scores;
}

/* 4: k-means on log RFM (steps recorded in the model); returns the model. */
static crm_model *kmeans_steps(text *t, const crm_dataset *scores)
{
    static const char *const cols[] = {"recency_days", "frequency", "monetary"};
    static const char *const steps[] = {"recency_days=log1p(recency_days)",
                                        "frequency=log1p(frequency)", "monetary=log1p(monetary)"};
    crm_kmeans_options ko;
    check(crm_kmeans_options_init(&ko, sizeof ko), "kmeans_options_init");
    ko.k = 4;
    ko.n_init = 10;
    ko.seed = 42;
    ko.standardize = 1;
    ko.n_threads = 1;
    ko.mutate = steps;
    ko.n_mutate = 3;
    crm_model *km;
    check(crm_kmeans_fit(scores, cols, 3, &ko, &km), "kmeans_fit");
    member(t, "kmeans_stats");
    stats_block(t, km);
    summary_member(t, "kmeans_summary", km);
    labels_member(t, "kmeans_labels", km, scores);
    return km;
}

/* 5: Telco logistic regression. */
static void logreg_steps(text *t, const char *data)
{
    static const char *const features[] = {"tenure",          "MonthlyCharges", "TotalCharges",
                                           "SeniorCitizen",   "Contract",       "InternetService",
                                           "PaymentMethod",   "PaperlessBilling"};
    crm_dataset *telco = read_csv(data, "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv");
    crm_logreg_options lo;
    check(crm_logreg_options_init(&lo, sizeof lo), "logreg_options_init");
    lo.positive = "Yes";
    lo.missing = CRM_LINEAR_MISSING_DROP;
    lo.n_threads = 1;
    crm_model *lr;
    check(crm_logreg_fit(telco, "Churn", features, 8, &lo, &lr), "logreg_fit");
    member(t, "logreg_stats");
    stats_block(t, lr);
    summary_member(t, "logreg_summary", lr);
    crm_model_free(lr);
    crm_dataset_free(telco);
}

/* 6: Apriori on FIMI retail. */
static void apriori_steps(text *t, const char *data)
{
    char *path = data_path(data, "fimi_retail/retail.dat");
    crm_dataset *baskets, *itemsets, *rules;
    check(crm_dataset_read_baskets(path, &baskets), path);
    free(path);
    crm_apriori_options ao;
    check(crm_apriori_options_init(&ao, sizeof ao), "apriori_options_init");
    ao.min_support = 0.01;
    ao.min_confidence = 0.5;
    ao.n_threads = 1;
    check(crm_apriori(baskets, "tid", "item", &ao, &itemsets, &rules), "apriori");
    member(t, "itemsets");
    dataset_block(t, itemsets);
    member(t, "rules");
    dataset_block(t, rules);
    crm_dataset_free(rules);
    crm_dataset_free(itemsets);
    crm_dataset_free(baskets);
}

/* 7: auto-ARIMA on the monthly air passengers. */
static void arima_steps(text *t, const char *data)
{
    crm_dataset *air = read_csv(data, "airpassengers/airpassengers.csv");
    crm_arima_options ao;
    check(crm_arima_options_init(&ao, sizeof ao), "arima_options_init");
    ao.auto_order = 1;
    ao.freq = CRM_ARIMA_MONTH;
    ao.n_threads = 1;
    crm_model *arima;
    crm_dataset *forecast;
    check(crm_arima_fit_dataset(air, "date", "value", &ao, &arima), "arima_fit_dataset");
    member(t, "arima_stats");
    stats_block(t, arima);
    check(crm_arima_forecast(arima, 12, 95.0, &forecast), "arima_forecast");
    member(t, "arima_forecast");
    dataset_block(t, forecast);
    crm_dataset_free(forecast);
    crm_model_free(arima);
    crm_dataset_free(air);
}

/* 8: save, load, predict again. */
static void reload_steps(text *t, const crm_model *km, const crm_dataset *scores)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = data_path(tmp && *tmp ? tmp : "/tmp", "crm_conformance.XXXXXX");
    if (!mkdtemp(dir))
        die("cannot create a temporary directory");
    char *path = data_path(dir, "kmeans.json");
    crm_model *loaded;
    check(crm_model_save(km, path), "model_save");
    check(crm_model_load(path, &loaded), "model_load");
    remove(path);
    rmdir(dir);
    free(path);
    free(dir);
    member(t, "loaded_kind");
    const char *kind = crm_model_kind_name(crm_model_kind(loaded));
    jstr(t, kind ? kind : "unknown");
    member(t, "loaded_stats");
    stats_block(t, loaded);
    labels_member(t, "loaded_labels", loaded, scores);
    crm_model_free(loaded);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA_DIR OUT_FILE\n", argv[0]);
        return 2;
    }
    const char *data = argv[1];
    text t = {0};
    puts_(&t, "{\n");
    member(&t, "version");
    jstr(&t, crm_version());

    crm_dataset *scores = retail_steps(&t, data);
    crm_model *km = kmeans_steps(&t, scores);
    logreg_steps(&t, data);
    apriori_steps(&t, data);
    arima_steps(&t, data);
    reload_steps(&t, km, scores);
    crm_model_free(km);
    crm_dataset_free(scores);

    puts_(&t, "\n}\n");
    check(crm_file_write(argv[2], t.data, t.len), argv[2]);
    free(t.data);
    return 0;
}
