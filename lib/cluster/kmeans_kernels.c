/* k-means inner kernels: the argmin over the GEMM result and the per-cluster sums
 * of a chunk. Built with -O3 (see CMakeLists.txt) and cloned per instruction set
 * (AVX-512, AVX2, baseline) where the compiler supports it; the clones perform the
 * same floating-point operations in the same order (ISO C mode: no contraction into
 * FMA, no reassociation), so every clone gives bit-identical results. */
#include "cluster/kmeans_internal.h"

#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    !defined(CRM_NO_CLONES)
#define KM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KM_CLONES
#endif

KM_CLONES
size_t crm__km_argmin(const double *dots, const double *cnorm, size_t m, size_t k, double *bd,
                      int32_t *bj, int32_t *lab)
{
    /* dots holds -2 x.c (m x k, column-major); the distance up to ||x||^2 is
     * cnorm[j] + dots[j * m + i]. Cluster by cluster, vectorized over rows; the
     * first minimum wins (strict <). */
    for (size_t i = 0; i < m; i++) {
        bd[i] = cnorm[0] + dots[i];
        bj[i] = 0;
    }
    for (size_t j = 1; j < k; j++) {
        const double *dj = dots + j * m;
        double cj = cnorm[j];
        int32_t jj = (int32_t)j;
        for (size_t i = 0; i < m; i++) {
            double v = cj + dj[i];
            int lt = v < bd[i];
            bd[i] = lt ? v : bd[i];
            bj[i] = lt ? jj : bj[i];
        }
    }
    size_t changed = 0;
    for (size_t i = 0; i < m; i++) {
        changed += lab[i] != bj[i];
        lab[i] = bj[i];
    }
    return changed;
}
