/* crm kmeans FILE --columns A,B.. --k K [--standardize] [--n-init N] [--seed S]
 *            [--max-iter N] [--tol T] [--log COLS] [--threads N] [-o OUT] [--model M.json]
 *            [--json] [--elbow KMIN:KMAX] [csv flags]:
 * k-means segmentation (crm_kmeans_fit) with a summary of the clusters. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"
#include "json_out.h"
#include "lists.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "values.h"

#include "crm/dataset.h"
#include "crm/kmeans.h"
#include "crm/model.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char km_usage[] =
    "crm kmeans FILE --columns A,B.. --k K [--standardize] [--n-init N] [--seed S] "
    "[--max-iter N] [--tol T] [--log COLS] [--weight COL] [--threads N] [-o OUT] [--model M.json] "
    "[--json] "
    "[--elbow KMIN:KMAX]";

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
           "  --log COLS            replace these feature columns by log(1 + x) before\n"
           "                        fitting (values must be > -1); --model then describes\n"
           "                        the transformed columns\n"
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

/* Feature table: the feature columns of ds, with log(1 + x) applied to those in logs. */
static int features(const crm_dataset *ds, char **cols, size_t ncols, char **logs, size_t nlogs,
                    const char *weight, crm_dataset **out)
{
    crm_dataset *f = NULL;
    size_t n = crm_dataset_nrows(ds);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v || crm_dataset_new(&f) != CRM_OK) {
        free(v);
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    for (size_t i = 0; i < nlogs; i++) {
        size_t j = 0;
        while (j < ncols && strcmp(cols[j], logs[i]) != 0)
            j++;
        if (j == ncols) {
            cli_error("--log: \"%s\" is not one of the --columns", logs[i]);
            goto fail;
        }
    }
    for (size_t j = 0; j < ncols; j++) {
        size_t ci;
        int32_t type = 0;
        if (crm_dataset_column_index(ds, cols[j], &ci) != CRM_OK ||
            crm_dataset_column_type(ds, ci, &type) != CRM_OK) {
            cli_lib_error("--columns");
            goto fail;
        }
        if (type != CRM_TYPE_NUMBER) {
            cli_error("--columns: column \"%s\" is not a number column", cols[j]);
            goto fail;
        }
        if (crm_dataset_get_number(ds, ci, 0, n, v) != CRM_OK) {
            cli_lib_error(NULL);
            goto fail;
        }
        int lg = 0;
        for (size_t i = 0; i < nlogs; i++)
            lg |= strcmp(cols[j], logs[i]) == 0;
        if (lg) {
            for (size_t r = 0; r < n; r++) {
                if (v[r] <= -1.0) {
                    cli_error("--log: column \"%s\" row %zu: %g is not > -1", cols[j], r, v[r]);
                    goto fail;
                }
                v[r] = log1p(v[r]);
            }
        }
        if (crm_dataset_add_number(f, cols[j], v, n) != CRM_OK) {
            cli_lib_error("--columns");
            goto fail;
        }
    }
    if (weight) {
        size_t ci, j = 0;
        while (j < ncols && strcmp(cols[j], weight) != 0)
            j++;
        if (j == ncols) { /* not a feature: copy it next to the features */
            if (crm_dataset_column_index(ds, weight, &ci) != CRM_OK ||
                crm_dataset_get_number(ds, ci, 0, n, v) != CRM_OK ||
                crm_dataset_add_number(f, weight, v, n) != CRM_OK) {
                cli_lib_error("--weight");
                goto fail;
            }
        }
    }
    free(v);
    *out = f;
    return 0;
fail:
    free(v);
    crm_dataset_free(f);
    return CLI_EXIT_INPUT;
}

static int run_elbow(const crm_dataset *f, const char *const *cols, size_t ncols,
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
    if (crm_kmeans_elbow(f, cols, ncols, (int32_t)lo, (int32_t)hi, ko, &e) != CRM_OK)
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

int cli_cmd_kmeans(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, "kmeans", km_usage);
    crm_kmeans_options ko;
    if (crm_kmeans_options_init(&ko, sizeof ko) != CRM_OK) return cli_lib_error(NULL);
    cli_csvflags f;
    int rc = cli_csvflags_init(&f, argc);
    if (rc) return rc;
    const char *path = NULL, *out = NULL, *model_path = NULL, *colarg = NULL, *logarg = NULL,
               *elbow = NULL;
    int32_t json = 0;
    int have_k = 0;
    char **cols = NULL, **logs = NULL;
    size_t ncols = 0, nlogs = 0;
    crm_dataset *ds = NULL, *feat = NULL, *sum = NULL;
    crm_model *m = NULL;
    const cli_option opts[] = {
        {"output", 'o', CLI_FILE(&out)},
        {"model", 0, CLI_FILE(&model_path)},
        {"columns", 0, CLI_STRING(&colarg)},
        {"log", 0, CLI_STRING(&logarg)},
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
    if (crm_dataset_read_csv(path, &f.opts, &ds) != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if ((rc = features(ds, cols, ncols, logs, nlogs, ko.sample_weight, &feat))) goto done;
    if (elbow) {
        rc = run_elbow(feat, (const char *const *)cols, ncols, &ko, elbow, json, &a);
        goto done;
    }
    cli_progress pr; /* percent of the restarts and iterations done */
    if (cli_progress_init(&pr, "kmeans", !json)) {
        ko.progress = cli_progress_show;
        ko.user = &pr;
    }
    crm_status fst = crm_kmeans_fit(feat, (const char *const *)cols, ncols, &ko, &m);
    cli_progress_clear(&pr);
    if (fst != CRM_OK) {
        rc = cli_lib_error(path);
        goto done;
    }
    if (crm_model_summary(m, &sum) != CRM_OK) {
        rc = cli_lib_error(NULL);
        goto done;
    }
    if (out) {
        size_t n = crm_dataset_nrows(feat), ci = 0;
        double *lab = malloc((n ? n : 1) * sizeof *lab);
        if (!lab) {
            cli_error("out of memory");
            rc = CLI_EXIT_INPUT;
            goto done;
        }
        if (crm_model_predict(m, feat, "__crm_cluster") != CRM_OK ||
            crm_dataset_column_index(feat, "__crm_cluster", &ci) != CRM_OK ||
            crm_dataset_get_number(feat, ci, 0, n, lab) != CRM_OK ||
            crm_dataset_add_number(ds, "cluster", lab, n) != CRM_OK) {
            free(lab);
            rc = cli_lib_error(out);
            goto done;
        }
        free(lab);
    }
    /* everything is computed: the files last, so that a failure writes none */
    if (out && (rc = cli_write_csv(ds, out, &f.opts))) goto done;
    if (model_path && (rc = cli_save_model(m, model_path))) goto done;
    if (json) {
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
        cli_json_files_end(out, model_path);
    } else {
        double inertia = 0, n_iter = 0, conv = 0;
        crm_model_stat(m, "inertia", &inertia);
        crm_model_stat(m, "n_iter", &n_iter);
        crm_model_stat(m, "converged", &conv);
        char b[48];
        printf("file:        %s\nrows:        %zu\ncolumns:     ", path, crm_dataset_nrows(ds));
        for (size_t j = 0; j < ncols; j++)
            printf("%s%s", j ? ", " : "", cols[j]);
        printf("%s%s\n", logs ? " (--log applied)" : "", ko.standardize ? " (standardized)" : "");
        cli_format_number(inertia, b, sizeof b);
        printf("k:           %d\ninertia:     %s\niterations:  %d (%s)\n", (int)ko.k, b,
               (int)n_iter, conv != 0 ? "converged" : "max-iter reached");
        if (out) printf("output:      %s\n", out);
        if (model_path) printf("model:       %s\n", model_path);
        size_t nc = crm_dataset_ncols(sum), nr = crm_dataset_nrows(sum);
        printf("\n%7s %9s %14s", "cluster", "size", "wcss");
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
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        rc = CLI_EXIT_INPUT;
    }
done:
    crm_model_free(m);
    crm_dataset_free(sum);
    crm_dataset_free(feat);
    crm_dataset_free(ds);
    cli_free_list(cols, ncols);
    cli_free_list(logs, nlogs);
    cli_csvflags_free(&f);
    return rc;
}
