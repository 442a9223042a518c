/* Shared pieces of the k-means module. Never installed. */
#ifndef CRM_CLUSTER_KMEANS_INTERNAL_H
#define CRM_CLUSTER_KMEANS_INTERNAL_H

#include "core/model_internal.h"
#include "crm/kmeans.h"
#include "data/dataset_internal.h"

/* Rows are processed in chunks of KM_CHUNK rows (one GEMM each) grouped into
 * reduction blocks whose boundaries depend only on n. */
#define KM_CHUNK 512

/* The feature matrix as columns of the dataset, optionally standardized on the fly. */
typedef struct km_data {
    size_t n, d;
    const double **cols; /* d column pointers */
    const double *mean;  /* d, or NULL */
    const double *scale; /* d, or NULL */
    const double *w;     /* n sample weights, or NULL (all 1) */
} km_data;

/* Resolve `cols` to number columns of ds (NOTFOUND/TYPE/INVALID errors naming
 * them) and check every value is finite (error naming column and row).
 * *ptrs gets a new array of ncols column pointers. */
crm_status crm__km_columns(const crm_dataset *ds, const char *const *cols, size_t ncols,
                           const char *what, const double ***ptrs);
/* Copy rows [r0, r0+m) into xb (m x d row-major), standardized when X says so. */
void crm__km_gather(const km_data *X, size_t r0, size_t m, double *xb);

/* Nearest center of each of m rows from the GEMM result dots (m x k column-major,
 * holding -2 x.c) and the squared center norms: bd (m) gets the minima, bj (m) the
 * winners (lowest index on ties); lab (m) is updated from bj. Returns how many
 * labels changed. (kmeans_kernels.c) */
size_t crm__km_argmin(const double *dots, const double *cnorm, size_t m, size_t k, double *bd,
                      int32_t *bj, int32_t *lab);

#endif /* CRM_CLUSTER_KMEANS_INTERNAL_H */
