/* BLAS and LAPACK opened on first use, on the caller's thread only (see blas.h). */
#define _GNU_SOURCE
#include "core/blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The library opened (CMake's CRM_BLAS_LIBRARY): the soname of OpenBLAS's
 * pthreads build, which Debian's libopenblas0-pthread provides. */
#ifndef CRM_BLAS_LIBRARY
#define CRM_BLAS_LIBRARY "libopenblas.so.0"
#endif

static const char *const blas_names[] = {
    "cblas_dgemm", "cblas_dgemv", "cblas_dsyrk", "cblas_ssyrk", "cblas_ddot",
    "cblas_daxpy", "cblas_dscal", "cblas_dnrm2", "dpotrf_",     "dpotrs_",
    "dpotri_",     "dtrtrs_",     "dgeqrf_",     "dormqr_",     "dgetrf_",
    "dgecon_",     "dgetrs_",     "dhseqr_",
};
#define BLAS_NFUNCS (sizeof blas_names / sizeof blas_names[0])

/* Fortran LAPACK takes every argument by address; gfortran appends the length of
 * each character argument (size_t, after the others), as LAPACKE passes them. */
typedef union blas_api {
    void *raw[BLAS_NFUNCS];
    struct {
        void (*dgemm)(int, int, int, blasint, blasint, blasint, double, const double *, blasint,
                      const double *, blasint, double, double *, blasint);
        void (*dgemv)(int, int, blasint, blasint, double, const double *, blasint, const double *,
                      blasint, double, double *, blasint);
        void (*dsyrk)(int, int, int, blasint, blasint, double, const double *, blasint, double,
                      double *, blasint);
        void (*ssyrk)(int, int, int, blasint, blasint, float, const float *, blasint, float,
                      float *, blasint);
        double (*ddot)(blasint, const double *, blasint, const double *, blasint);
        void (*daxpy)(blasint, double, const double *, blasint, double *, blasint);
        void (*dscal)(blasint, double, double *, blasint);
        double (*dnrm2)(blasint, const double *, blasint);
        void (*dpotrf)(const char *, const int *, double *, const int *, int *, size_t);
        void (*dpotrs)(const char *, const int *, const int *, const double *, const int *,
                       double *, const int *, int *, size_t);
        void (*dpotri)(const char *, const int *, double *, const int *, int *, size_t);
        void (*dtrtrs)(const char *, const char *, const char *, const int *, const int *,
                       const double *, const int *, double *, const int *, int *, size_t, size_t,
                       size_t);
        void (*dgeqrf)(const int *, const int *, double *, const int *, double *, double *,
                       const int *, int *);
        void (*dormqr)(const char *, const char *, const int *, const int *, const int *,
                       const double *, const int *, const double *, double *, const int *,
                       double *, const int *, int *, size_t, size_t);
        void (*dgetrf)(const int *, const int *, double *, const int *, int *, int *);
        void (*dgecon)(const char *, const int *, const double *, const int *, const double *,
                       double *, double *, int *, int *, size_t);
        void (*dgetrs)(const char *, const int *, const int *, const double *, const int *,
                       const int *, double *, const int *, int *, size_t);
        void (*dhseqr)(const char *, const char *, const int *, const int *, const int *, double *,
                       const int *, double *, double *, double *, const int *, double *,
                       const int *, int *, size_t, size_t);
    } f;
} blas_api;

_Static_assert(sizeof(((blas_api *)0)->f) == sizeof(((blas_api *)0)->raw),
               "blas_api: one pointer per name");

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static blas_api blas;
static const char *blas_why; /* NULL once loaded */
static const char *blas_lib = "";
static int blas_owned;

/* The library's own threads: one thread per call, and the server threads that its
 * constructor started stopped now (they spin in sched_yield for about 2^28 cycles
 * before they sleep). blas_thread_shutdown_ is what OpenBLAS's own fork handler
 * calls; with one thread no call starts them again. A serial build has neither
 * function's effect to undo (its set_num_threads is a no-op, it has no shutdown). */
static void blas_quiet(void *h)
{
    void *set = dlsym(h, "openblas_set_num_threads");
    void *stop = dlsym(h, "blas_thread_shutdown_");
    union {
        void *raw;
        void (*fn)(int);
    } s = {set};
    union {
        void *raw;
        int (*fn)(void);
    } t = {stop};
    if (s.raw) s.fn(1);
    if (t.raw) t.fn();
}

static void blas_open(void)
{
    int owned = 0;
    /* already in the process (the host uses OpenBLAS): share it, settings untouched */
    void *h = dlopen(CRM_BLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (!h) {
        h = dlopen(CRM_BLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        owned = 1;
    }
    if (!h) {
        blas_why = "cannot open " CRM_BLAS_LIBRARY " (Debian: install libopenblas0-pthread)";
        return;
    }
    for (size_t i = 0; i < BLAS_NFUNCS; i++) {
        blas.raw[i] = dlsym(h, blas_names[i]);
        if (!blas.raw[i]) {
            blas_why = CRM_BLAS_LIBRARY " lacks a BLAS or LAPACK function libcrm calls";
            return;
        }
    }
    if (owned) blas_quiet(h);
    blas_owned = owned;
    blas_lib = CRM_BLAS_LIBRARY;
}

int crm__blas_load(const char **why)
{
    pthread_once(&blas_once, blas_open);
    if (why) *why = blas_why;
    return blas_why ? -1 : 0;
}

const char *crm__blas_library(int *owned)
{
    if (owned) *owned = blas_owned;
    return blas_lib;
}

/* Every wrapper's first step. Without BLAS the model code cannot go on; the process
 * ends as it did when the dynamic loader could not find the linked library. */
static inline void blas_need(void)
{
    const char *why;
    if (__builtin_expect(crm__blas_load(&why) != 0, 0)) {
        fprintf(stderr, "libcrm: %s\n", why);
        abort();
    }
}

/* ---- BLAS ----------------------------------------------------------------- */

void crm__cblas_dgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb,
                      blasint m, blasint n, blasint k, double alpha, const double *a, blasint lda,
                      const double *b, blasint ldb, double beta, double *c, blasint ldc)
{
    blas_need();
    blas.f.dgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void crm__cblas_dgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE t, blasint m, blasint n,
                      double alpha, const double *a, blasint lda, const double *x, blasint incx,
                      double beta, double *y, blasint incy)
{
    blas_need();
    blas.f.dgemv(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void crm__cblas_dsyrk(enum CBLAS_ORDER order, enum CBLAS_UPLO uplo, enum CBLAS_TRANSPOSE t,
                      blasint n, blasint k, double alpha, const double *a, blasint lda,
                      double beta, double *c, blasint ldc)
{
    blas_need();
    blas.f.dsyrk(order, uplo, t, n, k, alpha, a, lda, beta, c, ldc);
}

void crm__cblas_ssyrk(enum CBLAS_ORDER order, enum CBLAS_UPLO uplo, enum CBLAS_TRANSPOSE t,
                      blasint n, blasint k, float alpha, const float *a, blasint lda, float beta,
                      float *c, blasint ldc)
{
    blas_need();
    blas.f.ssyrk(order, uplo, t, n, k, alpha, a, lda, beta, c, ldc);
}

double crm__cblas_ddot(blasint n, const double *x, blasint incx, const double *y, blasint incy)
{
    blas_need();
    return blas.f.ddot(n, x, incx, y, incy);
}

void crm__cblas_daxpy(blasint n, double alpha, const double *x, blasint incx, double *y,
                      blasint incy)
{
    blas_need();
    blas.f.daxpy(n, alpha, x, incx, y, incy);
}

void crm__cblas_dscal(blasint n, double alpha, double *x, blasint incx)
{
    blas_need();
    blas.f.dscal(n, alpha, x, incx);
}

double crm__cblas_dnrm2(blasint n, const double *x, blasint incx)
{
    blas_need();
    return blas.f.dnrm2(n, x, incx);
}

/* ---- LAPACKE's NaN checks (reference LAPACKE 3.11, column-major) ---------- */

static int lapack_is(char c, char upper) { return c == upper || c == upper + ('a' - 'A'); }

/* any NaN in the m x n matrix a */
static int nan_ge(lapack_int m, lapack_int n, const double *a, lapack_int lda)
{
    lapack_int rows = m < lda ? m : lda;
    for (lapack_int j = 0; j < n; j++)
        for (lapack_int i = 0; i < rows; i++)
            if (a[i + (size_t)j * (size_t)lda] != a[i + (size_t)j * (size_t)lda]) return 1;
    return 0;
}

/* any NaN in the uplo triangle of a (diagonal included unless diag is 'U') */
static int nan_tr(char uplo, char diag, lapack_int n, const double *a, lapack_int lda)
{
    lapack_int st = lapack_is(diag, 'U') ? 1 : 0;
    if (lapack_is(uplo, 'L')) {
        lapack_int rows = n < lda ? n : lda;
        for (lapack_int j = 0; j < n - st; j++)
            for (lapack_int i = j + st; i < rows; i++)
                if (a[i + (size_t)j * (size_t)lda] != a[i + (size_t)j * (size_t)lda]) return 1;
    } else {
        for (lapack_int j = st; j < n; j++) {
            lapack_int rows = j + 1 - st < lda ? j + 1 - st : lda;
            for (lapack_int i = 0; i < rows; i++)
                if (a[i + (size_t)j * (size_t)lda] != a[i + (size_t)j * (size_t)lda]) return 1;
        }
    }
    return 0;
}

/* LAPACKE numbers an argument error one further (the layout is argument 1) */
static lapack_int lapacke_info(int info) { return info < 0 ? info - 1 : info; }

/* ---- LAPACK (LAPACKE's interface; column-major only) ---------------------- */

lapack_int crm__lapacke_dpotrf(int layout, char uplo, lapack_int n, double *a, lapack_int lda)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    if (nan_tr(uplo, 'N', n, a, lda)) return -4;
    blas_need();
    int info = 0;
    blas.f.dpotrf(&uplo, &n, a, &lda, &info, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dpotrs(int layout, char uplo, lapack_int n, lapack_int nrhs,
                               const double *a, lapack_int lda, double *b, lapack_int ldb)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    if (nan_tr(uplo, 'N', n, a, lda)) return -5;
    if (nan_ge(n, nrhs, b, ldb)) return -7;
    blas_need();
    int info = 0;
    blas.f.dpotrs(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dpotri(int layout, char uplo, lapack_int n, double *a, lapack_int lda)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    if (nan_tr(uplo, 'N', n, a, lda)) return -4;
    blas_need();
    int info = 0;
    blas.f.dpotri(&uplo, &n, a, &lda, &info, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dtrtrs(int layout, char uplo, char trans, char diag, lapack_int n,
                               lapack_int nrhs, const double *a, lapack_int lda, double *b,
                               lapack_int ldb)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    if (nan_tr(uplo, diag, n, a, lda)) return -7;
    if (nan_ge(n, nrhs, b, ldb)) return -9;
    blas_need();
    int info = 0;
    blas.f.dtrtrs(&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &ldb, &info, 1, 1, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dgeqrf_work(int layout, lapack_int m, lapack_int n, double *a,
                                    lapack_int lda, double *tau, double *work, lapack_int lwork)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    blas_need();
    int info = 0;
    blas.f.dgeqrf(&m, &n, a, &lda, tau, work, &lwork, &info);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dormqr_work(int layout, char side, char trans, lapack_int m, lapack_int n,
                                    lapack_int k, const double *a, lapack_int lda,
                                    const double *tau, double *c, lapack_int ldc, double *work,
                                    lapack_int lwork)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    blas_need();
    int info = 0;
    blas.f.dormqr(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, work, &lwork, &info, 1, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dgetrf_work(int layout, lapack_int m, lapack_int n, double *a,
                                    lapack_int lda, lapack_int *ipiv)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    blas_need();
    int info = 0;
    blas.f.dgetrf(&m, &n, a, &lda, ipiv, &info);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dgecon_work(int layout, char norm, lapack_int n, const double *a,
                                    lapack_int lda, double anorm, double *rcond, double *work,
                                    lapack_int *iwork)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    blas_need();
    int info = 0;
    blas.f.dgecon(&norm, &n, a, &lda, &anorm, rcond, work, iwork, &info, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dgetrs_work(int layout, char trans, lapack_int n, lapack_int nrhs,
                                    const double *a, lapack_int lda, const lapack_int *ipiv,
                                    double *b, lapack_int ldb)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    blas_need();
    int info = 0;
    blas.f.dgetrs(&trans, &n, &nrhs, a, &lda, ipiv, b, &ldb, &info, 1);
    return lapacke_info(info);
}

lapack_int crm__lapacke_dhseqr_work(int layout, char job, char compz, lapack_int n,
                                    lapack_int ilo, lapack_int ihi, double *h, lapack_int ldh,
                                    double *wr, double *wi, double *z, lapack_int ldz,
                                    double *work, lapack_int lwork)
{
    if (layout != LAPACK_COL_MAJOR) return -1;
    blas_need();
    int info = 0;
    blas.f.dhseqr(&job, &compz, &n, &ilo, &ihi, h, &ldh, wr, wi, z, &ldz, work, &lwork, &info, 1,
                  1);
    return lapacke_info(info);
}
