/* crm kmeans FILE --columns A,B.. --k K [--standardize] [--n-init N] [--seed S]
 *            [--max-iter N] [--tol T] [--mutate NAME=EXPR].. [--log COLS] [--threads N]
 *            [-o OUT] [--model M.json] [--json] [--elbow KMIN:KMAX] [csv flags]:
 * k-means segmentation (crm_kmeans_fit) with a summary of the clusters. --mutate and
 * --log become the fit's transform steps, recorded in the model. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "lists.h"
#include "mutate.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "values.h"

#include "crm/dataset.h"

#include "crm/kmeans.h"
#include "crm/model.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

static const char km_usage[] =
    "crm kmeans FILE --columns A,B.. --k K [--standardize] [--n-init N] [--seed S] "
    "[--max-iter N] [--tol T] [--mutate NAME=EXPR].. [--log COLS] [--weight COL] [--threads N] "
    "[-o OUT] [--model M.json] [--json] [--elbow KMIN:KMAX]";

static void km_help(const void *ctx)
{
    (void)ctx;
    printf("usage: %s\n\n"
           "Group the rows of FILE into K clusters by k-means on the number columns\n"
           "given with --columns (k-means++ starts, Lloyd iterations; see crm/kmeans.h),\n"
           "and print each cluster's size, within-cluster sum of squares and center.\n\n"
           "Options:\n"
           "  --columns A,B..       feature columns (number columns; required)\n"
           "  --k K                 number of clusters (required unless --elbow)\n"
           "  --standardize         fit on z-scores; centers are printed in original units\n"
           "  --mutate NAME=EXPR    add or replace column NAME before fitting (expressions\n"
           "                        as in crm clean); repeatable, in order. The steps are\n"
           "                        recorded in the model: crm predict applies them to raw\n"
           "                        data by itself\n"
           "  --log COLS            replace these feature columns by log(1 + x) before\n"
           "                        fitting: a step \"C=log1p(C)\" per column, after the\n"
           "                        --mutate steps (values must be > -1, others become\n"
           "                        missing, an error); the centers are printed in log\n"
           "                        units and again in original units (expm1 undoes the\n"
           "                        step; crm_kmeans_centers_original)\n"
           "  --weight COL          number column of sample weights (>= 0; default: all 1)\n"
           "  --n-init N            restarts, the lowest inertia is kept (default 10)\n"
           "  --seed S              seed of the random starts (default 0)\n"
           "  --max-iter N          iterations per restart (default 300)\n"
           "  --tol T               relative tolerance on the center shift (default 1e-4;\n"
           "                        0 = until the assignment no longer changes)\n"
           "  --threads N           worker threads (default 0 = all cores); the result\n"
           "                        does not depend on it\n"
           "  -o, --output FILE     write the input rows with a \"cluster\" column (0-based\n"
           "                        cluster id) as CSV\n"
           "  --model FILE          save the fitted model as JSON (crm/model.h)\n"
           "  --elbow KMIN:KMAX     print the inertia for every k in KMIN..KMAX instead\n"
           "  --json                print one JSON object instead of the summary\n"
           "  -h, --help            show this help\n\n"
           "CSV flags:\n%s",
           km_usage, cli_csvflags_help);
}

/* A malloc'ed copy of s, or NULL. */
static char *copy_string(const char *s)
{
    size_t len = strlen(s) + 1;
    char *r = malloc(len);
    return r ? memcpy(r, s, len) : NULL;
}

/* 1 when the ASCII letters of s equal the lower-case word w, whatever their case. */
static int is_word(const char *s, const char *w)
{
    for (; *s && *w; s++, w++)
        if ((*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s) != *w) return 0;
    return *s == *w;
}

/* Expression text of a column reference: bare when the expression language
 * reads it as a name (ASCII letters, digits, _ and ., not starting with a digit,
 * not a keyword), else in double quotes with inner quotes doubled. */
static char *column_ref(const char *name)
{
    static const char *const keywords[] = {"and", "or", "not", "is", "missing", "true", "false"};
    int bare = !(name[0] >= '0' && name[0] <= '9');
    for (const char *p = name; *p && bare; p++)
        bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '_' || *p == '.';
    for (size_t i = 0; bare && i < sizeof keywords / sizeof keywords[0]; i++)
        bare = !is_word(name, keywords[i]);
    size_t len = strlen(name), quotes = 0;
    for (const char *p = name; *p; p++)
        quotes += *p == '"';
    char *r = malloc(len + quotes + 3), *q = r;
    if (!r) return NULL;
    if (!bare) *q++ = '"';
    for (const char *p = name; *p; p++) {
        if (!bare && *p == '"') *q++ = '"';
        *q++ = *p;
    }
    if (!bare) *q++ = '"';
    *q = '\0';
    return r;
}

/* The transform steps of the fit: the --mutate arguments in order, then one
 * "C=log1p(C)" per --log column (each must be one of the --columns). The
 * strings of *out are new (the --mutate ones copied); free with cli_free_list. */
static int fit_steps(const cli_mutate_list *mu, char **cols, size_t ncols, char **logs,
                     size_t nlogs, char ***out, size_t *nout)
{
    for (size_t i = 0; i < nlogs; i++) {
        size_t j = 0;
        while (j < ncols && strcmp(cols[j], logs[i]) != 0)
            j++;
        if (j == ncols) {
            cli_error("--log: \"%s\" is not one of the --columns", logs[i]);
            return CLI_EXIT_INPUT;
        }
        if (strchr(logs[i], '=')) {
            cli_error("--log: column \"%s\": a name with '=' cannot be a transform step", logs[i]);
            return CLI_EXIT_INPUT;
        }
    }
    size_t n = mu->n + nlogs;
    char **v = calloc(n ? n : 1, sizeof *v);
    int ok = v != NULL;
    for (size_t i = 0; ok && i < mu->n; i++)
        ok = (v[i] = copy_string(mu->v[i])) != NULL;
    for (size_t i = 0; ok && i < nlogs; i++) {
        char *ref = column_ref(logs[i]);
        size_t len = strlen(logs[i]) + (ref ? strlen(ref) : 0) + 16;
        char *step = ref ? malloc(len) : NULL;
        if (step) snprintf(step, len, "%s=log1p(%s)", logs[i], ref);
        free(ref);
        ok = (v[mu->n + i] = step) != NULL;
    }
    if (!ok) {
        if (v) cli_free_list(v, n);
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    *out = v;
    *nout = n;
    return 0;
}

static int run_elbow(const crm_dataset *ds, const char *const *cols, size_t ncols,
                     const crm_kmeans_options *ko, const char *range, int json, cli_args *a)
{
    int64_t lo = 0, hi = 0;
    const char *colon = strchr(range, ':');
    char buf[64];
    if (!colon || (size_t)(colon - range) >= sizeof buf)
        return cli_usage(a, "--elbow wants KMIN:KMAX (got \"%s\")", range);
    memcpy(buf, range, (size_t)(colon - range));
    buf[colon - range] = '\0';
    if (cli_parse_int64(buf, &lo) || cli_parse_int64(colon + 1, &hi) || lo < 1 || hi < lo ||
        hi > 100000)
        return cli_usage(a, "--elbow wants KMIN:KMAX with 1 <= KMIN <= KMAX (got \"%s\")", range);
    crm_dataset *e = NULL;
    if (crm_kmeans_elbow(ds, cols, ncols, (int32_t)lo, (int32_t)hi, ko, &e) != CRM_OK)
        return cli_lib_error(NULL);
    size_t n = crm_dataset_nrows(e);
    double *k = malloc(n * sizeof *k), *in = malloc(n * sizeof *in);
    if (!k || !in) {
        free(k);
        free(in);
        crm_dataset_free(e);
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    crm_dataset_get_number(e, 0, 0, n, k);
    crm_dataset_get_number(e, 1, 0, n, in);
    if (json) {
        fputs("{\"elbow\": [", stdout);
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"k\": %d, \"inertia\": ", i ? ", " : "", (int)k[i]);
            cli_json_number(stdout, in[i]);
            fputs("}", stdout);
        }
        fputs("]}\n", stdout);
    } else {
        printf("%6s %20s\n", "k", "inertia");
        for (size_t i = 0; i < n; i++) {
            char b[48];
            cli_format_number(in[i], b, sizeof b);
            printf("%6d %20s\n", (int)k[i], b);
        }
    }
    free(k);
    free(in);
    crm_dataset_free(e);
    return 0;
}

/* --json: the run as one JSON object ("centers_original": the centers in the units of the
 * input columns, the transform steps undone). */
static void print_json(const char *path, const crm_dataset *ds, char **cols, size_t ncols,
                       const crm_model *m, const crm_dataset *sum, const crm_dataset *orig,
                       const char *out, const char *model_path)
{
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, path);
    printf(", \"rows\": %zu, \"columns\": [", crm_dataset_nrows(ds));
    for (size_t j = 0; j < ncols; j++) {
        fputs(j ? ", " : "", stdout);
        cli_json_string(stdout, cols[j]);
    }
    fputs("], \"stats\": ", stdout);
    cli_stats_json(m);
    fputs(", \"summary\": ", stdout);
    cli_table_json(sum);
    fputs(", \"centers_original\": ", stdout);
    cli_table_json(orig);
    cli_json_files_end(out, model_path);
}

/* The cluster table: cluster, size, wcss and the center of each feature. */
static void print_clusters(const crm_dataset *sum)
{
    size_t nc = crm_dataset_ncols(sum), nr = crm_dataset_nrows(sum);
    printf("%7s %9s %14s", "cluster", "size", "wcss");
    for (size_t c = 3; c < nc; c++) {
        const char *name = NULL;
        crm_dataset_column_name(sum, c, &name);
        printf(" %14.14s", name);
    }
    printf("\n");
    for (size_t r = 0; r < nr; r++) {
        double cl = 0, sz = 0, w = 0;
        crm_dataset_get_number(sum, 0, r, 1, &cl);
        crm_dataset_get_number(sum, 1, r, 1, &sz);
        crm_dataset_get_number(sum, 2, r, 1, &w);
        printf("%7d %9.0f %14.6g", (int)cl, sz, w);
        for (size_t c = 3; c < nc; c++) {
            double cv = 0;
            crm_dataset_get_number(sum, c, r, 1, &cv);
            printf(" %14.6g", cv);
        }
        printf("\n");
    }
}

/* The table of crm_kmeans_centers_original(): cluster, size and the center of each feature. */
static void print_original(const crm_dataset *orig)
{
    size_t nc = crm_dataset_ncols(orig), nr = crm_dataset_nrows(orig);
    printf("%7s %9s", "cluster", "size");
    for (size_t c = 2; c < nc; c++) {
        const char *name = NULL;
        crm_dataset_column_name(orig, c, &name);
        printf(" %14.14s", name);
    }
    printf("\n");
    for (size_t r = 0; r < nr; r++) {
        double cl = 0, sz = 0;
        crm_dataset_get_number(orig, 0, r, 1, &cl);
        crm_dataset_get_number(orig, 1, r, 1, &sz);
        printf("%7d %9.0f", (int)cl, sz);
        for (size_t c = 2; c < nc; c++) {
            double cv = 0;
            crm_dataset_get_number(orig, c, r, 1, &cv);
            printf(" %14.6g", cv);
        }
        printf("\n");
    }
}

/* The human-readable summary of a fit. */
static void print_summary(const char *path, const crm_dataset *ds, char **cols, size_t ncols,
                          int logs, const crm_kmeans_options *ko, const crm_model *m,
                          const crm_dataset *sum, const crm_dataset *orig, const char *out,
                          const char *model_path)
{
    double inertia = 0, n_iter = 0, conv = 0;
    crm_model_stat(m, "inertia", &inertia);
    crm_model_stat(m, "n_iter", &n_iter);
    crm_model_stat(m, "converged", &conv);
    char b[48];
    printf("file:        %s\nrows:        %zu\ncolumns:     ", path, crm_dataset_nrows(ds));
    for (size_t j = 0; j < ncols; j++)
        printf("%s%s", j ? ", " : "", cols[j]);
    printf("%s%s\n", logs ? " (--log applied)" : "", ko->standardize ? " (standardized)" : "");
    size_t nsteps = 0;
    crm_model_mutate_count(m, &nsteps);
    for (size_t i = 0; i < nsteps; i++) {
        const char *name = NULL, *expr = NULL;
        crm_model_mutate(m, i, &name, &expr);
        printf("%s%s=%s%s", i ? ", " : "steps:       ", name, expr, i + 1 == nsteps ? "\n" : "");
    }
    cli_format_number(inertia, b, sizeof b);
    printf("k:           %d\ninertia:     %s\niterations:  %d (%s)\n", (int)ko->k, b, (int)n_iter,
           conv != 0 ? "converged" : "max-iter reached");
    if (out) printf("output:      %s\n", out);
    if (model_path) printf("model:       %s\n", model_path);
    printf("\n%s", nsteps ? "centers as fitted (after the steps):\n" : "");
    print_clusters(sum);
    if (nsteps) {
        printf("\ncenters in original units (the steps undone):\n");
        print_original(orig);
    }
}

int cli_cmd_kmeans(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "kmeans", km_usage);
    crm_kmeans_options ko;
    if (crm_kmeans_options_init(&ko, sizeof ko) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    cli_mutate_list mutates;
    int rc = cli_csv_mutate_init(&f, &mutates, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *model_path = NULL, *colarg = NULL, *logarg = NULL,
               *elbow = NULL;
    int32_t json = 0;
    int have_k = 0;
    char **cols = NULL, **logs = NULL, **steps = NULL;
    size_t ncols = 0, nlogs = 0, nsteps = 0;
    crm_dataset *ds = NULL, *sum = NULL, *orig = NULL;
    crm_model *m = NULL;
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"model", 0, CLI_FILE(&model_path)},
        {"columns", 0, CLI_STRING(&colarg)},
        {"log", 0, CLI_STRING(&logarg)},
        {"mutate", 0, CLI_CALL(cli_mutate_option, &mutates)},
        {"weight", 0, CLI_STRING(&ko.sample_weight)},
        {"elbow", 0, CLI_STRING(&elbow)},
        {"k", 'k', CLI_INT32(&ko.k), .min = 1, .max = 1000000, .flags = CLI_GOT_TEXT,
         .given = &have_k},
        {"n-init", 0, CLI_INT32(&ko.n_init), .min = 1, .max = 1000000, .flags = CLI_GOT_TEXT},
        {"max-iter", 0, CLI_INT32(&ko.max_iter), .min = 1, .max = 100000000, .flags = CLI_GOT_TEXT},
        {"threads", 0, CLI_INT32(&ko.n_threads), .min = 0, .max = 4096, .flags = CLI_GOT_TEXT},
        {"seed", 0, CLI_UINT64(&ko.seed)},
        {"tol", 0, CLI_NUMBER(&ko.tol), .min = 0, .max = DBL_MAX, .flags = CLI_GOT_TEXT,
         .wants = "a number >= 0"},
        {"standardize", 0, CLI_FLAG(&ko.standardize)},
        {"json", 0, CLI_FLAG(&json)},
    };
    const cli_spec spec = {.options = opts,
                           .noptions = sizeof opts / sizeof opts[0],
                           .csv = &f,
                           .file = &path,
                           .help = km_help};
    if (cli_parse_options(&a, &spec, &rc)) goto done;
    if (!colarg || !colarg[0]) {
        rc = cli_usage(&a, "--columns is required");
        goto done;
    }
    if (!have_k && !elbow) {
        rc = cli_usage(&a, "--k is required (or --elbow KMIN:KMAX)");
        goto done;
    }
    if (cli_split_list(colarg, &cols, &ncols) ||
        (logarg && cli_split_list(logarg, &logs, &nlogs))) {
        cli_error("out of memory");
        rc = CLI_EXIT_INPUT;
        goto done;
    }
    if ((rc = fit_steps(&mutates, cols, ncols, logs, nlogs, &steps, &nsteps))) goto done;
    ko.mutate = (const char *const *)steps;
    ko.n_mutate = nsteps;
    if (cli_read_table(path, &f, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (elbow) {
        rc = run_elbow(ds, (const char *const *)cols, ncols, &ko, elbow, json, &a);
        goto done;
    }
    cli_progress pr; /* percent of the restarts and iterations done */
    if (cli_progress_init(&pr, "kmeans", !json)) {
        ko.progress = cli_progress_show;
        ko.user = &pr;
    }
    crm_status fst = crm_kmeans_fit(ds, (const char *const *)cols, ncols, &ko, &m);
    cli_progress_clear(&pr);
    if (fst != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (crm_model_summary(m, &sum) != CRM_OK ||
        crm_kmeans_centers_original(m, &orig) != CRM_OK) {
        rc = cli_lib_error(NULL);
        goto done;
    }
    /* the model replays the steps on a copy: only "cluster" is added to the rows */
    if (out && crm_model_predict(m, ds, "cluster") != CRM_OK) {
        rc = cli_lib_error(out);
        goto done;
    }
    /* everything is computed: the files last, so that a failure writes none */
    if (out && (rc = cli_write_table(ds, out, &f.opts, &f))) goto done;
    if (model_path && (rc = cli_save_model(m, model_path))) goto done;
    if (json)
        print_json(path, ds, cols, ncols, m, sum, orig, out, model_path);
    else
        print_summary(path, ds, cols, ncols, logs != NULL, &ko, m, sum, orig, out, model_path);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        rc = CLI_EXIT_INPUT;
    }
done:
    crm_model_free(m);
    crm_dataset_free(sum);
    crm_dataset_free(orig);
    crm_dataset_free(ds);
    cli_free_list(cols, ncols);
    cli_free_list(logs, nlogs);
    cli_free_list(steps, nsteps);
    cli_mutate_list_free(&mutates);
    cli_csvflags_free(&f);
    return rc;
}
