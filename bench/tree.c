/* Benchmark: CART classification tree (crm_tree_fit), exact and histogram mode.
 *
 * Usage: bench_tree [ROWS [DEPTH [MODE [REPEAT [THREADS]]]]]
 *   ROWS (default 1000000) x 20 number columns f0..f19, target y (0/1); DEPTH (default 10);
 *   MODE exact | hist (histogram mode, 255 bins) (default exact); REPEAT fits (default 1),
 *   the fastest is reported (the machine may be shared); THREADS (default 0 = all cores).
 * Data (identical in bench/tree_sklearn.py): u(i) = (splitmix64(i) >> 11) * 2^-53;
 *   f_j = 100 u(row * 20 + j) for j = 0..19 (continuous values in [0, 100));
 *   e = u(2^40 + row); score = f0 + 0.5 f1 - 0.8 f2 + 30 [f3 > 50] + 0.004 f4^2 + 60 (e - 0.5);
 *   y = 1 when score > 70, else 0. f0..f4 are informative, f5..f19 noise. Test rows: the
 *   200,000 rows after the training rows.
 * The seed is scikit-learn's splitter state for random_state=0, so the exact tree is
 * scikit-learn's tree (see crm/tree.h).
 * Prints one machine-readable line:
 *   bench=tree impl=libcrm-MODE rows=R cols=20 depth=D threads=T fit_s=S leaves=L train_acc=A
 *   test_acc=A predict_mrows_s=M peak_rss_kb=KB data_kb=KB */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tree_data.h"

static double accuracy(const crm_model *m, crm_dataset *ds, double *secs)
{
    size_t n = crm_dataset_nrows(ds), ci = 0, yi = 0;
    double t0 = now();
    if (crm_model_predict(m, ds, "pred") != CRM_OK) {
        fprintf(stderr, "bench_tree: %s\n", crm_last_error());
        exit(1);
    }
    *secs = now() - t0;
    double *p = malloc(n * sizeof *p), *y = malloc(n * sizeof *y);
    crm_dataset_column_index(ds, "pred", &ci);
    crm_dataset_column_index(ds, "y", &yi);
    crm_dataset_get_number(ds, ci, 0, n, p);
    crm_dataset_get_number(ds, yi, 0, n, y);
    size_t good = 0;
    for (size_t i = 0; i < n; i++)
        good += p[i] == y[i];
    free(p);
    free(y);
    crm_dataset_drop_column(ds, "pred");
    crm_dataset_drop_column(ds, "pred_proba");
    return (double)good / (double)n;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int depth = argc > 2 ? atoi(argv[2]) : 10;
    const char *mode = argc > 3 ? argv[3] : "exact";
    int repeat = argc > 4 ? atoi(argv[4]) : 1;
    int threads = argc > 5 ? atoi(argv[5]) : 0;
    int hist = strcmp(mode, "hist") == 0;
    crm_dataset *train = make(0, rows), *test = make(rows, 200000);
    const char *names[D];
    char buf[D][8];
    for (size_t j = 0; j < D; j++) {
        snprintf(buf[j], sizeof buf[j], "f%zu", j);
        names[j] = buf[j];
    }
    crm_tree_options o;
    crm_tree_options_init(&o, sizeof o);
    o.max_depth = depth;
    o.task = CRM_TREE_CLASSIFICATION;
    o.seed = 209652396; /* numpy.random.RandomState(0).randint(0, 2**31 - 1) */
    o.max_bins = hist ? 255 : 0;
    o.n_threads = threads;
    double best = 1e300;
    crm_model *m = NULL;
    for (int r = 0; r < repeat; r++) {
        crm_model_free(m);
        m = NULL;
        double t0 = now();
        if (crm_tree_fit(train, "y", names, D, &o, &m) != CRM_OK) {
            fprintf(stderr, "bench_tree: %s\n", crm_last_error());
            return 1;
        }
        double t = now() - t0;
        if (t < best) best = t;
    }
    double leaves = 0, tacc = 0, psec = 0;
    crm_model_stat(m, "leaves", &leaves);
    crm_model_stat(m, "train_accuracy", &tacc);
    double test_acc = accuracy(m, test, &psec);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=tree impl=libcrm-%s rows=%zu cols=%d depth=%d threads=%d fit_s=%.3f leaves=%.0f "
           "train_acc=%.6f test_acc=%.6f predict_mrows_s=%.1f peak_rss_kb=%ld data_kb=%zu\n",
           mode, rows, D, depth, threads, best, leaves, tacc, test_acc, 0.2 / psec, ru.ru_maxrss,
           (rows + 200000) * (D + 1) * sizeof(double) / 1024);
    crm_model_free(m);
    crm_dataset_free(train);
    crm_dataset_free(test);
    return 0;
}
