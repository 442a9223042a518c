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

#endif /* CRM_CLUSTER_KMEANS_INTERNAL_H */
