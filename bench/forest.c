/* Benchmark: random forest (crm_forest_fit), exact and histogram mode.
 *
 * Usage: bench_forest [ROWS [TREES [DEPTH [MODE [THREADS]]]]]
 *   ROWS (default 1000000) x 20 number columns f0..f19, target y (0/1); TREES (default 100);
 *   DEPTH (default 10; -1 unlimited); MODE exact | hist (255 bins) (default hist); THREADS
 *   (default 0 = all cores). mtry 4 (floor(sqrt(20))), min_samples_leaf 1, bootstrap (with
 *   replacement, sample fraction 1), seed 0: the settings of bench/forest_sklearn.py and
 *   bench/forest_ranger.R.
 * Data: as bench/tree.c (and bench/tree_sklearn.py, bench/forest_sklearn.py): u(i) =
 *   (splitmix64(i) >> 11) * 2^-53; f_j = 100 u(row * 20 + j); e = u(2^40 + row); y = 1 when
 *   f0 + 0.5 f1 - 0.8 f2 + 30 [f3 > 50] + 0.004 f4^2 + 60 (e - 0.5) > 70. Test rows: the
 *   200,000 rows after the training rows.
 * Prints one machine-readable line:
 *   bench=forest impl=libcrm-MODE rows=R cols=20 trees=T depth=D threads=N fit_s=S fit_cpu_s=S
 *   (CPU seconds of every thread: the machine may be shared) train_acc=A
 *   test_acc=A test_auc=A oob_error=E nodes=N predict_mrows_s=M model_mb=MB save_s=S load_s=S
 *   peak_rss_kb=KB data_kb=KB */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "tree_data.h"

/* P(y = 1) of every row (pred, pred_proba of the forest), and the accuracy. */
static double score(const crm_model *m, crm_dataset *ds, double *p, double *secs)
{
    size_t n = crm_dataset_nrows(ds), ci = 0, pi = 0, yi = 0;
    double t0 = now();
    if (crm_model_predict(m, ds, "pred") != CRM_OK) {
        fprintf(stderr, "bench_forest: %s\n", crm_last_error());
        exit(1);
    }
    *secs = now() - t0;
    double *c = malloc(n * sizeof *c), *y = malloc(n * sizeof *y);
    crm_dataset_column_index(ds, "pred", &ci);
    crm_dataset_column_index(ds, "pred_proba", &pi);
    crm_dataset_column_index(ds, "y", &yi);
    crm_dataset_get_number(ds, ci, 0, n, c);
    crm_dataset_get_number(ds, pi, 0, n, p);
    crm_dataset_get_number(ds, yi, 0, n, y);
    size_t good = 0;
    for (size_t i = 0; i < n; i++) {
        good += c[i] == y[i];
        if (c[i] != 1.0) p[i] = 1.0 - p[i];
    }
    free(c);
    free(y);
    crm_dataset_drop_column(ds, "pred");
    crm_dataset_drop_column(ds, "pred_proba");
    return (double)good / (double)n;
}

static int cmp_pair(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* ROC AUC (ties get the mean rank). */
static double auc(const crm_dataset *ds, const double *p)
{
    size_t n = crm_dataset_nrows(ds), yi = 0;
    double *pr = malloc(2 * n * sizeof *pr), *y = malloc(n * sizeof *y);
    crm_dataset_column_index(ds, "y", &yi);
    crm_dataset_get_number(ds, yi, 0, n, y);
    for (size_t i = 0; i < n; i++) {
        pr[2 * i] = p[i];
        pr[2 * i + 1] = y[i];
    }
    qsort(pr, n, 2 * sizeof *pr, cmp_pair);
    double s = 0, n1 = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && pr[2 * (j + 1)] == pr[2 * i])
            j++;
        double rank = (double)(i + j) / 2.0 + 1.0;
        for (size_t k = i; k <= j; k++)
            if (pr[2 * k + 1] == 1.0) {
                s += rank;
                n1 += 1;
            }
        i = j + 1;
    }
    free(pr);
    free(y);
    double n0 = (double)n - n1;
    return (s - n1 * (n1 + 1) / 2.0) / (n1 * n0);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int trees = argc > 2 ? atoi(argv[2]) : 100;
    int depth = argc > 3 ? atoi(argv[3]) : 10;
    const char *mode = argc > 4 ? argv[4] : "hist";
    int threads = argc > 5 ? atoi(argv[5]) : 0;
    crm_dataset *train = make(0, rows), *test = make(rows, 200000);
    const char *names[D];
    char buf[D][8];
    for (size_t j = 0; j < D; j++) {
        snprintf(buf[j], sizeof buf[j], "f%zu", j);
        names[j] = buf[j];
    }
    crm_forest_options o;
    crm_forest_options_init(&o, sizeof o);
    o.n_trees = trees;
    o.max_depth = depth;
    o.mtry = 4;
    o.task = CRM_TREE_CLASSIFICATION;
    o.max_bins = strcmp(mode, "hist") == 0 ? 255 : 0;
    o.n_threads = threads;
    crm_model *m = NULL;
    double c0 = cpu_now(), t0 = now();
    if (crm_forest_fit(train, "y", names, D, &o, &m) != CRM_OK) {
        fprintf(stderr, "bench_forest: %s\n", crm_last_error());
        return 1;
    }
    double fit = now() - t0, fit_cpu = cpu_now() - c0, psec = 0, nodes = 0, oob = 0;
    crm_model_stat(m, "nodes", &nodes);
    crm_model_stat(m, "oob_error", &oob);
    double *p = malloc(rows > 200000 ? rows * sizeof *p : 200000 * sizeof *p);
    double train_acc = score(m, train, p, &psec);
    double test_acc = score(m, test, p, &psec);
    double test_auc = auc(test, p);
    /* the model file: written tree by tree, read back */
    const char *path = "bench_forest_model.json";
    t0 = now();
    crm_model *back = NULL;
    if (crm_model_save(m, path) != CRM_OK) return 1;
    double save = now() - t0;
    t0 = now();
    if (crm_model_load(path, &back) != CRM_OK) return 1;
    double load = now() - t0;
    struct stat sb;
    double mb = stat(path, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;
    remove(path);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=forest impl=libcrm-%s rows=%zu cols=%d trees=%d depth=%d threads=%d fit_s=%.3f "
           "fit_cpu_s=%.3f "
           "train_acc=%.6f test_acc=%.6f test_auc=%.6f oob_error=%.6f nodes=%.0f "
           "predict_mrows_s=%.1f model_mb=%.1f save_s=%.2f load_s=%.2f peak_rss_kb=%ld "
           "data_kb=%zu\n",
           mode, rows, D, trees, depth, threads, fit, fit_cpu, train_acc, test_acc, test_auc, oob, nodes,
           0.2 / psec, mb, save, load, ru.ru_maxrss,
           (rows + 200000) * (D + 1) * sizeof(double) / 1024);
    free(p);
    crm_model_free(back);
    crm_model_free(m);
    crm_dataset_free(train);
    crm_dataset_free(test);
    return 0;
}
