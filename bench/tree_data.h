/* The generated data of the tree and forest benchmarks (bench/tree.c, bench/forest.c; the
 * same rows as bench/tree_sklearn.py and bench/forest_sklearn.py): the timer, the
 * splitmix64 uniform numbers and the dataset of ROWS x 20 features with its 0/1 target.
 * Included by exactly those two programs (every C file of bench/ is one executable). */
#ifndef CRM_BENCH_TREE_DATA_H
#define CRM_BENCH_TREE_DATA_H

#include <crm.h>

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "bench_util.h"

#define D 20

/* rows first..first+n-1 as a dataset */
static crm_dataset *make(size_t first, size_t n)
{
    crm_dataset *ds = NULL;
    double *v = malloc(n * sizeof *v), *score = calloc(n, sizeof *score);
    if (!v || !score || crm_dataset_new(&ds) != CRM_OK) exit(1);
    for (size_t j = 0; j < D; j++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t row = first + i;
            double x = 100.0 * unit01(row * D + j);
            v[i] = x;
            switch (j) {
            case 0:
                score[i] += x;
                break;
            case 1:
                score[i] += 0.5 * x;
                break;
            case 2:
                score[i] -= 0.8 * x;
                break;
            case 3:
                score[i] += x > 50 ? 30.0 : 0.0;
                break;
            case 4:
                score[i] += 0.004 * x * x;
                break;
            default:
                break;
            }
        }
        char name[16];
        snprintf(name, sizeof name, "f%zu", j);
        if (crm_dataset_add_number(ds, name, v, n) != CRM_OK) exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        double e = unit01((1ULL << 40) + first + i);
        v[i] = score[i] + 60.0 * (e - 0.5) > 70.0 ? 1.0 : 0.0;
    }
    if (crm_dataset_add_number(ds, "y", v, n) != CRM_OK) exit(1);
    free(v);
    free(score);
    return ds;
}

#endif /* CRM_BENCH_TREE_DATA_H */
