/* All-or-nothing for every function that changes a dataset in place:
 * crm_clean_impute, crm_clean_convert, crm_clean_outliers, crm_clean_dedup,
 * crm_clean_drop_missing, crm_dataset_mutate, crm_dataset_add_number / _text /
 * _time, crm_dataset_drop_column, crm_dataset_rename_column and
 * crm_model_predict. After each failure - bad input, and allocation failure at
 * every allocation of a call that would succeed - the dataset is compared
 * cell by cell with a deep copy taken before the call: row and column counts,
 * column names and types, every value bit for bit, missing flags, text codes
 * and the text dictionaries (levels in code order, unused ones included). The
 * dataset its dictionaries are shared with is compared too: it never changes,
 * whether the call fails or succeeds. */
#include "test_util.h"

#include <math.h>

/* ---- a deep copy through the public accessors (plain malloc: not counted
 * by the failure-injecting allocator) ------------------------------------- */

typedef struct snap_col {
    char *name;
    int32_t type;
    uint64_t *bits; /* number and time cells, bit for bit */
    int32_t *codes; /* text cells */
    char **text;    /* text cells as strings (NULL = missing) */
    size_t nlev;    /* text: the dictionary, in code order */
    char **levels;
    size_t missing;
} snap_col;

typedef struct snap {
    size_t nrows, ncols;
    snap_col *c;
} snap;

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    ck_assert_ptr_nonnull(d);
    return d;
}

static snap *snap_take(const crm_dataset *ds)
{
    snap *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    s->nrows = crm_dataset_nrows(ds);
    s->ncols = crm_dataset_ncols(ds);
    s->c = calloc(s->ncols ? s->ncols : 1, sizeof *s->c);
    ck_assert_ptr_nonnull(s->c);
    size_t n = s->nrows;
    for (size_t j = 0; j < s->ncols; j++) {
        snap_col *c = &s->c[j];
        const char *name = NULL;
        ck_assert_ok(crm_dataset_column_name(ds, j, &name));
        c->name = dup_or_null(name);
        ck_assert_ok(crm_dataset_column_type(ds, j, &c->type));
        ck_assert_ok(crm_dataset_missing(ds, j, &c->missing));
        if (c->type == CRM_TYPE_TEXT) {
            c->codes = calloc(n ? n : 1, sizeof *c->codes);
            c->text = calloc(n ? n : 1, sizeof *c->text);
            ck_assert(c->codes && c->text);
            if (n) ck_assert_ok(crm_dataset_get_codes(ds, j, 0, n, c->codes));
            for (size_t r = 0; r < n; r++) {
                const char *t = NULL;
                crm_dataset_get_text(ds, j, r, &t);
                c->text[r] = dup_or_null(t);
            }
            ck_assert_ok(crm_dataset_text_levels(ds, j, &c->nlev));
            c->levels = calloc(c->nlev ? c->nlev : 1, sizeof *c->levels);
            ck_assert_ptr_nonnull(c->levels);
            for (size_t k = 0; k < c->nlev; k++) {
                const char *t = NULL;
                ck_assert_ok(crm_dataset_text_level(ds, j, k, &t));
                c->levels[k] = dup_or_null(t);
            }
        } else {
            c->bits = calloc(n ? n : 1, sizeof *c->bits);
            ck_assert_ptr_nonnull(c->bits);
            if (n && c->type == CRM_TYPE_NUMBER)
                ck_assert_ok(crm_dataset_get_number(ds, j, 0, n, (double *)(void *)c->bits));
            else if (n)
                ck_assert_ok(crm_dataset_get_time(ds, j, 0, n, (int64_t *)(void *)c->bits));
        }
    }
    return s;
}

static void snap_free(snap *s)
{
    for (size_t j = 0; j < s->ncols; j++) {
        snap_col *c = &s->c[j];
        free(c->name);
        free(c->bits);
        free(c->codes);
        if (c->text)
            for (size_t r = 0; r < s->nrows; r++)
                free(c->text[r]);
        free(c->text);
        for (size_t k = 0; k < c->nlev; k++)
            free(c->levels[k]);
        free(c->levels);
    }
    free(s->c);
    free(s);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ds equals the snapshot in every respect the API shows. */
static void snap_check(const snap *s, const crm_dataset *ds, const char *what)
{
    snap *now = snap_take(ds);
    ck_assert_msg(now->nrows == s->nrows && now->ncols == s->ncols,
                  "%s: %zu x %zu became %zu x %zu", what, s->nrows, s->ncols, now->nrows,
                  now->ncols);
    for (size_t j = 0; j < s->ncols; j++) {
        const snap_col *a = &s->c[j], *b = &now->c[j];
        ck_assert_msg(same_str(a->name, b->name), "%s: column %zu \"%s\" became \"%s\"", what, j,
                      a->name, b->name);
        ck_assert_msg(a->type == b->type, "%s: column \"%s\" changed type %d -> %d", what, a->name,
                      (int)a->type, (int)b->type);
        ck_assert_msg(a->missing == b->missing, "%s: column \"%s\": %zu missing became %zu", what,
                      a->name, a->missing, b->missing);
        for (size_t r = 0; r < s->nrows; r++) {
            if (a->type == CRM_TYPE_TEXT) {
                ck_assert_msg(a->codes[r] == b->codes[r] && same_str(a->text[r], b->text[r]),
                              "%s: column \"%s\" row %zu: \"%s\" (code %d) became \"%s\" (%d)",
                              what, a->name, r, a->text[r] ? a->text[r] : "(missing)",
                              (int)a->codes[r], b->text[r] ? b->text[r] : "(missing)",
                              (int)b->codes[r]);
            } else {
                ck_assert_msg(a->bits[r] == b->bits[r],
                              "%s: column \"%s\" row %zu: bits %016llx became %016llx", what,
                              a->name, r, (unsigned long long)a->bits[r],
                              (unsigned long long)b->bits[r]);
            }
        }
        ck_assert_msg(a->nlev == b->nlev, "%s: column \"%s\": %zu dictionary levels became %zu",
                      what, a->name, a->nlev, b->nlev);
        for (size_t k = 0; k < a->nlev; k++)
            ck_assert_msg(same_str(a->levels[k], b->levels[k]),
                          "%s: column \"%s\": level %zu \"%s\" became \"%s\"", what, a->name, k,
                          a->levels[k], b->levels[k]);
    }
    snap_free(now);
}

/* ---- the fixture ------------------------------------------------------------ */

#define NR 8
static const double X[NR + 1] = {1.5, NAN, -2, 1e300, NAN, 7, -0.0, 3, 100};
static const double N[NR + 1] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const double O[NR + 1] = {8, 7, NAN, 5, 4, 3, 2, 1, 0};
static const double M[NR + 1] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
static const char *const S[NR + 1] = {
    "a", NULL, "b", "a", "ccc", NULL, "\xc3\xa9", "b", "only in the source"};
static const char *const V[NR + 1] = {"a", "b", "a", "zzz", "b", "a", "b", "a", "a"};
static const char *const U[NR + 1] = {"1", "2.5", NULL, "x", "4", "5", "6", "7", "8"};
static const char *const W[NR + 1] = {"1", "2.5", NULL, "-4", "4", "5", "1e3", "7", "8"};
static const char *const D[NR + 1] = {"2011-01-01",       NULL,         "2011-01-02 10:00",
                                      "not a date",       "2011-01-05", "2011-01-06",
                                      "2011-01-07 23:59", "2011-01-08", "2011-01-09"};
static const char *const E[NR + 1] = {"2011-01-01",       NULL,         "2011-01-02 10:00",
                                      "2011-01-04",       "2011-01-05", "2011-01-06",
                                      "2011-01-07 23:59", "2011-01-08", "2011-01-09"};
static const char *const F[NR + 1] = {"01.01.2011", NULL,         "15.03.2012",
                                      "29.02.2012", "31.12.1999", "01.01.1970",
                                      "02.01.1970", NULL,         "03.03.2033"};
static const char *const SM[NR + 1] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
#define TM_ CRM_TIME_MISSING
static const int64_t TT[NR + 1] = {0, TM_, 86400, 1000000000, TM_, -86400, 172800, 3600, 0};
static const int64_t TA[NR + 1] = {TM_, TM_, TM_, TM_, TM_, TM_, TM_, TM_, TM_};

/* `src` has the columns with a 9th row; `ds` is its first 8 rows (crm_dataset_head),
 * so its text columns share src's dictionaries, which hold levels no row of ds
 * uses. x: number with missing cells, -0.0 and 1e300 (not a time); n: number;
 * o: number with a missing cell (a bad order_by); m: all missing; s: text with
 * missing cells; v: text; u: number-like text with "x"; w: number-like text;
 * d: date text with "not a date"; e: date text; f: dd.mm.yyyy date text; sm: text, all missing; t:
 * time with missing cells; tm: time, all missing; z_proba: a name predictions
 * into "z" would need; n_outlier: the name flagging outliers of n would need. */
static crm_status make_fixture(crm_dataset **ds, crm_dataset **src)
{
    *ds = NULL;
    crm_dataset *s = NULL;
    crm_status st = crm_dataset_new(&s);
    const size_t n = NR + 1;
    if (!st) st = crm_dataset_add_number(s, "x", X, n);
    if (!st) st = crm_dataset_add_number(s, "n", N, n);
    if (!st) st = crm_dataset_add_number(s, "o", O, n);
    if (!st) st = crm_dataset_add_number(s, "m", M, n);
    if (!st) st = crm_dataset_add_text(s, "s", S, n);
    if (!st) st = crm_dataset_add_text(s, "v", V, n);
    if (!st) st = crm_dataset_add_text(s, "u", U, n);
    if (!st) st = crm_dataset_add_text(s, "w", W, n);
    if (!st) st = crm_dataset_add_text(s, "d", D, n);
    if (!st) st = crm_dataset_add_text(s, "e", E, n);
    if (!st) st = crm_dataset_add_text(s, "f", F, n);
    if (!st) st = crm_dataset_add_text(s, "sm", SM, n);
    if (!st) st = crm_dataset_add_time(s, "t", TT, n);
    if (!st) st = crm_dataset_add_time(s, "tm", TA, n);
    if (!st) st = crm_dataset_add_number(s, "z_proba", N, n);
    if (!st) st = crm_dataset_add_number(s, "n_outlier", N, n);
    if (!st) st = crm_dataset_head(s, NR, ds);
    if (st) {
        crm_dataset_free(s);
        return st;
    }
    *src = s;
    return CRM_OK;
}

/* ---- models to predict with (fitted once, handed to the cases as JSON) ------- */

enum {
    M_NONE,
    M_KMEANS,
    M_TREE,
    M_LOGREG_N,
    M_LOGREG_X,
    M_LOGREG_NS,
    M_LOGREG_V,
    M_LINREG_N,
    M_LINREG_X,
    M_ARIMA,
    NMODELS
};
static char *model_json[NMODELS];

static void fit_models(void)
{
    const double fx[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const double fn[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const double fy[] = {0, 1, 0, 0, 1, 1, 0, 1, 1, 0};
    const char *fs[] = {"a", "b", "a", "b", "a", "b", "b", "a", "a", "b"};
    crm_dataset *f = NULL;
    ck_assert_ok(crm_dataset_new(&f));
    ck_assert_ok(crm_dataset_add_number(f, "x", fx, 10));
    ck_assert_ok(crm_dataset_add_number(f, "n", fn, 10));
    ck_assert_ok(crm_dataset_add_number(f, "y", fy, 10));
    ck_assert_ok(crm_dataset_add_text(f, "s", fs, 10));
    ck_assert_ok(crm_dataset_add_text(f, "v", fs, 10));
    crm_model *m[NMODELS] = {NULL};
    crm_kmeans_options ko;
    ck_assert_ok(crm_kmeans_options_init(&ko, sizeof ko));
    ko.k = 2;
    ko.n_threads = 1;
    const char *n1[] = {"n"}, *x1[] = {"x"}, *ns[] = {"n", "s"}, *v1[] = {"v"};
    ck_assert_ok(crm_kmeans_fit(f, n1, 1, &ko, &m[M_KMEANS]));
    crm_tree_options to;
    ck_assert_ok(crm_tree_options_init(&to, sizeof to));
    ck_assert_ok(crm_tree_fit(f, "y", ns, 2, &to, &m[M_TREE]));
    crm_logreg_options lo;
    ck_assert_ok(crm_logreg_options_init(&lo, sizeof lo));
    lo.l2 = 1;
    ck_assert_ok(crm_logreg_fit(f, "y", n1, 1, &lo, &m[M_LOGREG_N]));
    ck_assert_ok(crm_logreg_fit(f, "y", x1, 1, &lo, &m[M_LOGREG_X]));
    ck_assert_ok(crm_logreg_fit(f, "y", ns, 2, &lo, &m[M_LOGREG_NS]));
    ck_assert_ok(crm_logreg_fit(f, "y", v1, 1, &lo, &m[M_LOGREG_V]));
    crm_linreg_options no;
    ck_assert_ok(crm_linreg_options_init(&no, sizeof no));
    ck_assert_ok(crm_linreg_fit(f, "y", n1, 1, &no, &m[M_LINREG_N]));
    ck_assert_ok(crm_linreg_fit(f, "y", x1, 1, &no, &m[M_LINREG_X]));
    const double series[] = {1, 3, 2, 4, 3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10, 9, 11, 10, 12};
    crm_arima_options ao;
    ck_assert_ok(crm_arima_options_init(&ao, sizeof ao));
    ao.p = 1;
    ck_assert_ok(crm_arima_fit(series, 20, &ao, &m[M_ARIMA]));
    for (int i = M_KMEANS; i < NMODELS; i++) {
        char *js = NULL;
        ck_assert_ok(crm_model_to_json(m[i], &js));
        model_json[i] = strdup(js);
        ck_assert_ptr_nonnull(model_json[i]);
        crm_free(js);
        crm_model_free(m[i]);
    }
    crm_dataset_free(f);
}

static void free_models(void)
{
    for (int i = 0; i < NMODELS; i++) {
        free(model_json[i]);
        model_json[i] = NULL;
    }
}

/* ---- the calls ----------------------------------------------------------------- */

enum {
    K_IMPUTE = 1,
    K_CONVERT,
    K_MUTATE,
    K_OUTLIERS,
    K_DEDUP,
    K_DROP_MISSING,
    K_ADD_NUMBER,
    K_ADD_TEXT,
    K_ADD_TIME,
    K_DROP_COLUMN,
    K_RENAME,
    K_PREDICT
};

typedef struct op {
    const char *what; /* for messages */
    int kind;
    const char *col; /* the column (or new name) */
    int32_t a;       /* impute method, type, rule, keep */
    int32_t b;       /* outlier action */
    const char *s1;  /* expression, format, text constant, new name, out_col */
    const char *s2;  /* order_by */
    double num;      /* constant, k */
    const char *keys[3];
    size_t nkeys;
    int model;       /* M_* */
    int variant;     /* 1: a broken argument (see run_op) */
    crm_status want; /* bad input: the status expected */
} op;

static const double ADD_NUM[NR] = {1, 2, 3, 4, 5, 6, 7, 8};
static const int64_t ADD_TIME[NR] = {1, 2, 3, 4, 5, 6, 7, 8};
static const char *const ADD_TEXT[NR] = {"p", "q", NULL, "p", "new level", "q", "r", "s"};
static const char *const ADD_BAD_TEXT[NR] = {"p", "q", NULL, "p", "ok", "bad \xff utf-8", "r", "s"};

static crm_status run_op(crm_dataset *ds, const crm_model *m, const op *o)
{
    switch (o->kind) {
    case K_IMPUTE: {
        crm_impute_options io;
        crm_impute_options_init(&io, sizeof io);
        io.constant = o->num;
        io.text_constant = o->s1;
        io.order_by = o->s2;
        if (o->variant) io.size = 1; /* smaller than any published layout */
        size_t filled = 0;
        return crm_clean_impute(ds, o->col, o->a, &io, &filled);
    }
    case K_CONVERT:
        return crm_clean_convert(ds, o->col, o->a, o->s1);
    case K_MUTATE:
        return crm_dataset_mutate(ds, o->col, o->s1);
    case K_OUTLIERS: {
        size_t aff = 0;
        return crm_clean_outliers(ds, o->col, o->a, o->num, o->b, &aff);
    }
    case K_DEDUP: {
        size_t rm = 0;
        return crm_clean_dedup(ds, o->nkeys ? o->keys : NULL, o->nkeys, o->a, &rm);
    }
    case K_DROP_MISSING: {
        size_t rm = 0;
        return crm_clean_drop_missing(ds, o->nkeys ? o->keys : NULL, o->nkeys, &rm);
    }
    case K_ADD_NUMBER:
        return crm_dataset_add_number(ds, o->col, o->variant ? NULL : ADD_NUM,
                                      o->variant == 2 ? NR - 1 : NR);
    case K_ADD_TEXT:
        return crm_dataset_add_text(ds, o->col, o->variant ? ADD_BAD_TEXT : ADD_TEXT, NR);
    case K_ADD_TIME:
        return crm_dataset_add_time(ds, o->col, ADD_TIME, o->variant ? NR + 1 : NR);
    case K_DROP_COLUMN:
        return crm_dataset_drop_column(ds, o->col);
    case K_RENAME:
        return crm_dataset_rename_column(ds, o->col, o->s1);
    case K_PREDICT:
        return crm_model_predict(m, ds, o->s1);
    }
    return CRM_E_STATE;
}

/* 101 nested parentheses: deeper than expressions may go */
static char deep_expr[256];

static const char *deep(void)
{
    if (!deep_expr[0]) {
        size_t k = 0;
        for (int i = 0; i < 101; i++)
            deep_expr[k++] = '(';
        deep_expr[k++] = 'n';
        for (int i = 0; i < 101; i++)
            deep_expr[k++] = ')';
        deep_expr[k] = '\0';
    }
    return deep_expr;
}

#define IMP(c, m) .kind = K_IMPUTE, .col = (c), .a = (m)
#define CONV(c, t) .kind = K_CONVERT, .col = (c), .a = (t)
#define MUT(c, e) .kind = K_MUTATE, .col = (c), .s1 = (e)
#define OUTL(c, r, act) .kind = K_OUTLIERS, .col = (c), .a = (r), .b = (act)
#define PRED(mod, out) .kind = K_PREDICT, .model = (mod), .s1 = (out)

/* Calls that must fail, each with the status it must fail with. */
static op bad_ops[] = {
    /* crm_clean_impute */
    {"impute an unknown column", IMP("nope", CRM_IMPUTE_MEAN), .want = CRM_E_NOTFOUND},
    {"impute with method 0", IMP("x", 0), .want = CRM_E_INVALID},
    {"impute with method 99", IMP("x", 99), .want = CRM_E_INVALID},
    {"impute the mean of text", IMP("s", CRM_IMPUTE_MEAN), .want = CRM_E_TYPE},
    {"impute the median of time", IMP("t", CRM_IMPUTE_MEDIAN), .want = CRM_E_TYPE},
    {"impute a NaN constant", IMP("x", CRM_IMPUTE_CONSTANT), .num = NAN, .want = CRM_E_INVALID},
    {"impute a fractional time", IMP("t", CRM_IMPUTE_CONSTANT), .num = 1.5, .want = CRM_E_INVALID},
    {"impute text without text_constant", IMP("s", CRM_IMPUTE_CONSTANT), .want = CRM_E_INVALID},
    {"impute invalid UTF-8", IMP("s", CRM_IMPUTE_CONSTANT), .s1 = "\xff", .want = CRM_E_INVALID},
    {"impute, unknown order_by", IMP("x", CRM_IMPUTE_LINEAR), .s2 = "nope", .want = CRM_E_NOTFOUND},
    {"impute, order_by itself", IMP("x", CRM_IMPUTE_LINEAR), .s2 = "x", .want = CRM_E_INVALID},
    {"impute, text order_by", IMP("x", CRM_IMPUTE_LINEAR), .s2 = "s", .want = CRM_E_TYPE},
    {"impute, order_by with a missing cell", IMP("x", CRM_IMPUTE_LINEAR), .s2 = "o",
     .want = CRM_E_INVALID},
    {"impute, time order_by with a missing cell", IMP("x", CRM_IMPUTE_LINEAR), .s2 = "t",
     .want = CRM_E_INVALID},
    {"impute the mean of nothing", IMP("m", CRM_IMPUTE_MEAN), .want = CRM_E_NUMERIC},
    {"impute the median of nothing", IMP("m", CRM_IMPUTE_MEDIAN), .want = CRM_E_NUMERIC},
    {"impute the mode of no text", IMP("sm", CRM_IMPUTE_MODE), .want = CRM_E_NUMERIC},
    {"impute the mode of no time", IMP("tm", CRM_IMPUTE_MODE), .want = CRM_E_NUMERIC},
    {"impute with a too small options struct", IMP("x", CRM_IMPUTE_MEAN), .variant = 1,
     .want = CRM_E_INVALID},
    /* crm_clean_convert */
    {"convert an unknown column", CONV("nope", CRM_TYPE_NUMBER), .want = CRM_E_NOTFOUND},
    {"convert to type 0", CONV("x", 0), .want = CRM_E_INVALID},
    {"convert to type 9", CONV("x", 9), .want = CRM_E_INVALID},
    {"convert \"x\" to a number", CONV("u", CRM_TYPE_NUMBER), .want = CRM_E_PARSE},
    {"convert \"2.5\" with a decimal comma", CONV("u", CRM_TYPE_NUMBER), .s1 = ",",
     .want = CRM_E_PARSE},
    {"convert with decimal format \"x\"", CONV("w", CRM_TYPE_NUMBER), .s1 = "x",
     .want = CRM_E_INVALID},
    {"convert \"not a date\" to time", CONV("d", CRM_TYPE_TIME), .want = CRM_E_PARSE},
    {"convert dates with another format", CONV("e", CRM_TYPE_TIME), .s1 = "%d.%m.%Y",
     .want = CRM_E_PARSE},
    {"convert with an invalid time format", CONV("e", CRM_TYPE_TIME), .s1 = "%Q",
     .want = CRM_E_INVALID},
    {"convert 1e300 to time", CONV("x", CRM_TYPE_TIME), .want = CRM_E_NUMERIC},
    {"convert number to text with a format", CONV("x", CRM_TYPE_TEXT), .s1 = "%Y",
     .want = CRM_E_INVALID},
    {"convert time to number with a format", CONV("t", CRM_TYPE_NUMBER), .s1 = "%Y",
     .want = CRM_E_INVALID},
    /* crm_dataset_mutate */
    {"mutate: syntax error", MUT("new", "x +"), .want = CRM_E_PARSE},
    {"mutate: unknown column", MUT("new", "nope + 1"), .want = CRM_E_NOTFOUND},
    {"mutate: number + text", MUT("new", "x + s"), .want = CRM_E_TYPE},
    {"mutate: empty name", MUT("", "1"), .want = CRM_E_INVALID},
    {"mutate: invalid UTF-8 name", MUT("\xff", "1"), .want = CRM_E_INVALID},
    {"mutate: replace x, syntax error", MUT("x", "s +"), .want = CRM_E_PARSE},
    {"mutate: replace s, type error", MUT("s", "s * 2"), .want = CRM_E_TYPE},
    {"mutate: replace t, unknown function", MUT("t", "nope(t)"), .want = CRM_E_PARSE},
    {"mutate: nested too deep", MUT("x", NULL), .variant = 1, .want = CRM_E_PARSE},
    /* crm_clean_outliers */
    {"outliers of an unknown column", OUTL("nope", CRM_OUTLIER_IQR, CRM_OUTLIER_FLAG),
     .want = CRM_E_NOTFOUND},
    {"outliers of text", OUTL("s", CRM_OUTLIER_IQR, CRM_OUTLIER_CLIP), .want = CRM_E_TYPE},
    {"outliers, rule 0", OUTL("x", 0, CRM_OUTLIER_DROP), .want = CRM_E_INVALID},
    {"outliers, action 9", OUTL("x", CRM_OUTLIER_IQR, 9), .want = CRM_E_INVALID},
    {"outliers, k < 0", OUTL("x", CRM_OUTLIER_IQR, CRM_OUTLIER_CLIP), .num = -1,
     .want = CRM_E_INVALID},
    {"outliers, k NaN", OUTL("x", CRM_OUTLIER_ZSCORE, CRM_OUTLIER_DROP), .num = NAN,
     .want = CRM_E_INVALID},
    {"outliers, the flag column exists", OUTL("n", CRM_OUTLIER_IQR, CRM_OUTLIER_FLAG),
     .want = CRM_E_INVALID},
    /* crm_clean_dedup, crm_clean_drop_missing */
    {"dedup on an unknown key", .kind = K_DEDUP, .a = CRM_KEEP_FIRST, .keys = {"s", "nope"},
     .nkeys = 2, .want = CRM_E_NOTFOUND},
    {"dedup on a key twice", .kind = K_DEDUP, .a = CRM_KEEP_LAST, .keys = {"s", "x", "s"},
     .nkeys = 3, .want = CRM_E_INVALID},
    {"dedup on a NULL key", .kind = K_DEDUP, .a = CRM_KEEP_NONE, .keys = {"s", NULL}, .nkeys = 2,
     .want = CRM_E_INVALID},
    {"dedup keep 9", .kind = K_DEDUP, .a = 9, .want = CRM_E_INVALID},
    {"drop_missing, unknown column", .kind = K_DROP_MISSING, .keys = {"x", "nope"}, .nkeys = 2,
     .want = CRM_E_NOTFOUND},
    {"drop_missing, a column twice", .kind = K_DROP_MISSING, .keys = {"x", "x"}, .nkeys = 2,
     .want = CRM_E_INVALID},
    {"drop_missing, NULL name", .kind = K_DROP_MISSING, .keys = {NULL}, .nkeys = 1,
     .want = CRM_E_INVALID},
    /* building */
    {"add_number, name taken", .kind = K_ADD_NUMBER, .col = "x", .want = CRM_E_INVALID},
    {"add_number, empty name", .kind = K_ADD_NUMBER, .col = "", .want = CRM_E_INVALID},
    {"add_number, invalid UTF-8 name", .kind = K_ADD_NUMBER, .col = "a\xc3", .want = CRM_E_INVALID},
    {"add_number, NULL values", .kind = K_ADD_NUMBER, .col = "new", .variant = 1,
     .want = CRM_E_INVALID},
    {"add_number, wrong length", .kind = K_ADD_NUMBER, .col = "new", .variant = 2,
     .want = CRM_E_INVALID},
    {"add_text, invalid UTF-8 in row 5", .kind = K_ADD_TEXT, .col = "new", .variant = 1,
     .want = CRM_E_INVALID},
    {"add_text, name taken", .kind = K_ADD_TEXT, .col = "s", .want = CRM_E_INVALID},
    {"add_time, wrong length", .kind = K_ADD_TIME, .col = "new", .variant = 1,
     .want = CRM_E_INVALID},
    {"drop an unknown column", .kind = K_DROP_COLUMN, .col = "nope", .want = CRM_E_NOTFOUND},
    {"rename an unknown column", .kind = K_RENAME, .col = "nope", .s1 = "q",
     .want = CRM_E_NOTFOUND},
    {"rename onto a taken name", .kind = K_RENAME, .col = "x", .s1 = "s", .want = CRM_E_INVALID},
    {"rename to empty", .kind = K_RENAME, .col = "x", .s1 = "", .want = CRM_E_INVALID},
    {"rename to invalid UTF-8", .kind = K_RENAME, .col = "x", .s1 = "\xff", .want = CRM_E_INVALID},
    /* crm_model_predict */
    {"predict into a taken name", PRED(M_KMEANS, "x"), .want = CRM_E_INVALID},
    {"predict, the _proba name taken", PRED(M_TREE, "z"), .want = CRM_E_INVALID},
    {"predict, the _proba name taken (logreg)", PRED(M_LOGREG_N, "z"), .want = CRM_E_INVALID},
    {"predict, empty out_col", PRED(M_LINREG_N, ""), .want = CRM_E_INVALID},
    {"predict, missing feature value in row 1", PRED(M_LOGREG_X, "p"), .want = CRM_E_INVALID},
    {"predict, missing text feature in row 1", PRED(M_LOGREG_NS, "p"), .want = CRM_E_INVALID},
    {"predict, an unseen level in row 3", PRED(M_LOGREG_V, "p"), .want = CRM_E_INVALID},
    {"predict (linear), missing feature value", PRED(M_LINREG_X, "p"), .want = CRM_E_INVALID},
    {"predict with an ARIMA model", PRED(M_ARIMA, "p"), .want = CRM_E_TYPE},
};

/* Calls that succeed: allocation failure is injected at each of their
 * allocations. */
static op good_ops[] = {
    {"impute mean", IMP("x", CRM_IMPUTE_MEAN)},
    {"impute median", IMP("x", CRM_IMPUTE_MEDIAN)},
    {"impute mode", IMP("x", CRM_IMPUTE_MODE)},
    {"impute constant", IMP("x", CRM_IMPUTE_CONSTANT), .num = 42},
    {"impute linear", IMP("x", CRM_IMPUTE_LINEAR)},
    {"impute linear, order_by n", IMP("x", CRM_IMPUTE_LINEAR), .s2 = "n"},
    {"impute text mode", IMP("s", CRM_IMPUTE_MODE)},
    {"impute text constant, new level", IMP("s", CRM_IMPUTE_CONSTANT), .s1 = "filled"},
    {"impute text constant, a level of the source only", IMP("s", CRM_IMPUTE_CONSTANT),
     .s1 = "only in the source"},
    {"impute time mode", IMP("t", CRM_IMPUTE_MODE)},
    {"impute time constant", IMP("t", CRM_IMPUTE_CONSTANT), .num = 86400},
    {"convert text to number", CONV("w", CRM_TYPE_NUMBER)},
    {"convert text to time", CONV("e", CRM_TYPE_TIME)},
    {"convert text to time with a format", CONV("f", CRM_TYPE_TIME), .s1 = "%d.%m.%Y"},
    {"convert number to text", CONV("x", CRM_TYPE_TEXT)},
    {"convert number to time", CONV("n", CRM_TYPE_TIME)},
    {"convert time to number", CONV("t", CRM_TYPE_NUMBER)},
    {"convert time to text", CONV("t", CRM_TYPE_TEXT)},
    {"convert time to text with a format", CONV("t", CRM_TYPE_TEXT), .s1 = "%d.%m.%Y"},
    {"mutate a new number column", MUT("new", "round(x * 2 + n, 1)")},
    {"mutate a new text column", MUT("new", "s")},
    {"mutate a text literal", MUT("new", "'lit'")},
    {"mutate a condition", MUT("new", "s = 'a' or startswith(v, 'z')")},
    {"mutate: replace x", MUT("x", "n + 1")},
    {"mutate: replace s by another type", MUT("s", "year(t)")},
    {"mutate: replace t", MUT("t", "t + 60")},
    {"outliers flag", OUTL("x", CRM_OUTLIER_IQR, CRM_OUTLIER_FLAG)},
    {"outliers drop", OUTL("n", CRM_OUTLIER_ZSCORE, CRM_OUTLIER_DROP), .num = 1},
    {"outliers clip", OUTL("n", CRM_OUTLIER_MAD, CRM_OUTLIER_CLIP), .num = 1},
    {"dedup on s, keep first", .kind = K_DEDUP, .a = CRM_KEEP_FIRST, .keys = {"s"}, .nkeys = 1},
    {"dedup on v, keep none", .kind = K_DEDUP, .a = CRM_KEEP_NONE, .keys = {"v"}, .nkeys = 1},
    {"dedup on all columns", .kind = K_DEDUP, .a = CRM_KEEP_LAST},
    {"drop_missing on s", .kind = K_DROP_MISSING, .keys = {"s"}, .nkeys = 1},
    {"drop_missing on x and t", .kind = K_DROP_MISSING, .keys = {"x", "t"}, .nkeys = 2},
    {"add_number", .kind = K_ADD_NUMBER, .col = "new"},
    {"add_text", .kind = K_ADD_TEXT, .col = "new"},
    {"add_time", .kind = K_ADD_TIME, .col = "new"},
    {"drop a column", .kind = K_DROP_COLUMN, .col = "s"},
    {"rename a column", .kind = K_RENAME, .col = "s", .s1 = "renamed"},
    {"predict (k-means)", PRED(M_KMEANS, "p")},
    {"predict (tree)", PRED(M_TREE, "p")},
    {"predict (logistic)", PRED(M_LOGREG_N, "p")},
    {"predict (linear)", PRED(M_LINREG_N, "p")},
};

/* Fixture, deep copies, the call, the comparisons. A failed call must leave
 * ds as the copy; src, which shares ds's dictionaries, never changes. */
static crm_status run_case(const op *o)
{
    crm_dataset *ds = NULL, *src = NULL;
    crm_model *m = NULL;
    crm_status st = make_fixture(&ds, &src);
    if (!st && o->kind == K_PREDICT) st = crm_model_from_json(model_json[o->model], &m);
    if (st) {
        crm_dataset_free(ds);
        crm_dataset_free(src);
        return st;
    }
    snap *before = snap_take(ds), *src_before = snap_take(src);
    op call = *o;
    if (call.kind == K_MUTATE && call.variant == 1) call.s1 = deep();
    st = run_op(ds, m, &call);
    if (st != CRM_OK) {
        char what[256];
        snprintf(what, sizeof what, "%s (failed with %s)", o->what, crm_status_str(st));
        snap_check(before, ds, what);
    }
    snap_check(src_before, src, o->what);
    snap_free(before);
    snap_free(src_before);
    crm_model_free(m);
    crm_dataset_free(ds);
    crm_dataset_free(src);
    return st;
}

START_TEST(test_bad_input_changes_nothing)
{
    fit_models();
    for (size_t i = 0; i < sizeof bad_ops / sizeof bad_ops[0]; i++) {
        const op *o = &bad_ops[i];
        crm_status st = run_case(o);
        ck_assert_msg(st == o->want, "%s: got %s, expected %s (%s)", o->what, crm_status_str(st),
                      crm_status_str(o->want), crm_last_error());
        ck_assert_msg(crm_last_error()[0] != '\0', "%s: no message", o->what);
    }
    free_models();
}
END_TEST

START_TEST(test_good_calls_succeed)
{
    /* the calls of the allocation test work, and change what they should */
    fit_models();
    for (size_t i = 0; i < sizeof good_ops / sizeof good_ops[0]; i++) {
        crm_status st = run_case(&good_ops[i]);
        ck_assert_msg(st == CRM_OK, "%s: %s", good_ops[i].what, crm_last_error());
    }
    free_models();
}
END_TEST

static const op *alloc_op;

static crm_status alloc_body(void)
{
    return run_case(alloc_op);
}

START_TEST(test_alloc_failure_changes_nothing)
{
    fit_models();
    for (size_t i = 0; i < sizeof good_ops / sizeof good_ops[0]; i++) {
        alloc_op = &good_ops[i];
        CRM_TEST_EACH_ALLOC_FAILURE(alloc_body());
    }
    free_models();
}
END_TEST

Suite *crm_inplace_suite(void)
{
    Suite *s = suite_create("inplace");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bad_input_changes_nothing);
    tcase_add_test(tc, test_good_calls_succeed);
    tcase_add_test(tc, test_alloc_failure_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
