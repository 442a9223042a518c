/*
 * BLAS and LAPACK for the model modules, loaded on first use. Never installed.
 *
 * The threading model: libcrm's pool (core/par.h, the n_threads options) decides
 * all parallelism; BLAS and LAPACK run on the thread that calls them, without
 * threads of their own. OpenBLAS is opened with dlopen (RTLD_LOCAL) on the first
 * call below, not linked: a process that never fits a model (crm apriori, crm rfm)
 * never loads it and never pays for its server threads. When libcrm opened it,
 * OpenBLAS is set to one thread and its idle server threads, which its load
 * started, are stopped at once (they would otherwise spin in sched_yield for
 * about 0.1 s after the load and after every threaded call). When the host had
 * already loaded OpenBLAS, libcrm uses that copy and leaves its settings alone.
 *
 * A module includes this header instead of <cblas.h> and <lapacke.h>: the names
 * below are the standard CBLAS / LAPACKE ones (same arguments, same results; the
 * LAPACKE wrappers keep LAPACKE's NaN checks and error numbers), mapped onto
 * libcrm's hidden wrappers. Only column-major storage is supported. A function
 * that is not declared here is not available: add it to blas.c.
 *
 * Thread-safety: every function may be called from several threads at once; the
 * first call loads the library (once). If no OpenBLAS can be loaded the process
 * is ended with a message naming the package (as the dynamic loader did when
 * libcrm was linked with it).
 */
#ifndef CRM_CORE_BLAS_H
#define CRM_CORE_BLAS_H

#include <stddef.h>

typedef int blasint;
typedef int lapack_int;

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };
enum CBLAS_UPLO { CblasUpper = 121, CblasLower = 122 };

#define LAPACK_ROW_MAJOR 101
#define LAPACK_COL_MAJOR 102

/* Load BLAS now (the first BLAS call does it too). Returns 0, or -1 when no OpenBLAS
 * could be opened (then *why, when not NULL, says why; the text is static). */
int crm__blas_load(const char **why);

/* Which library the calls go to ("" before the first call) and whether libcrm opened
 * it itself (1: one thread, server threads stopped) or found it loaded (0). */
const char *crm__blas_library(int *owned);

#define cblas_dgemm crm__cblas_dgemm
#define cblas_dgemv crm__cblas_dgemv
#define cblas_dsyrk crm__cblas_dsyrk
#define cblas_ssyrk crm__cblas_ssyrk
#define cblas_ddot crm__cblas_ddot
#define cblas_daxpy crm__cblas_daxpy
#define cblas_dscal crm__cblas_dscal
#define cblas_dnrm2 crm__cblas_dnrm2

void crm__cblas_dgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb,
                      blasint m, blasint n, blasint k, double alpha, const double *a, blasint lda,
                      const double *b, blasint ldb, double beta, double *c, blasint ldc);
void crm__cblas_dgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE t, blasint m, blasint n,
                      double alpha, const double *a, blasint lda, const double *x, blasint incx,
                      double beta, double *y, blasint incy);
void crm__cblas_dsyrk(enum CBLAS_ORDER order, enum CBLAS_UPLO uplo, enum CBLAS_TRANSPOSE t,
                      blasint n, blasint k, double alpha, const double *a, blasint lda,
                      double beta, double *c, blasint ldc);
void crm__cblas_ssyrk(enum CBLAS_ORDER order, enum CBLAS_UPLO uplo, enum CBLAS_TRANSPOSE t,
                      blasint n, blasint k, float alpha, const float *a, blasint lda, float beta,
                      float *c, blasint ldc);
double crm__cblas_ddot(blasint n, const double *x, blasint incx, const double *y, blasint incy);
void crm__cblas_daxpy(blasint n, double alpha, const double *x, blasint incx, double *y,
                      blasint incy);
void crm__cblas_dscal(blasint n, double alpha, double *x, blasint incx);
double crm__cblas_dnrm2(blasint n, const double *x, blasint incx);

#define LAPACKE_dpotrf crm__lapacke_dpotrf
#define LAPACKE_dpotrs crm__lapacke_dpotrs
#define LAPACKE_dpotri crm__lapacke_dpotri
#define LAPACKE_dtrtrs crm__lapacke_dtrtrs
#define LAPACKE_dgeqrf_work crm__lapacke_dgeqrf_work
#define LAPACKE_dormqr_work crm__lapacke_dormqr_work
#define LAPACKE_dgetrf_work crm__lapacke_dgetrf_work
#define LAPACKE_dgecon_work crm__lapacke_dgecon_work
#define LAPACKE_dgetrs_work crm__lapacke_dgetrs_work
#define LAPACKE_dhseqr_work crm__lapacke_dhseqr_work

lapack_int crm__lapacke_dpotrf(int layout, char uplo, lapack_int n, double *a, lapack_int lda);
lapack_int crm__lapacke_dpotrs(int layout, char uplo, lapack_int n, lapack_int nrhs,
                               const double *a, lapack_int lda, double *b, lapack_int ldb);
lapack_int crm__lapacke_dpotri(int layout, char uplo, lapack_int n, double *a, lapack_int lda);
lapack_int crm__lapacke_dtrtrs(int layout, char uplo, char trans, char diag, lapack_int n,
                               lapack_int nrhs, const double *a, lapack_int lda, double *b,
                               lapack_int ldb);
lapack_int crm__lapacke_dgeqrf_work(int layout, lapack_int m, lapack_int n, double *a,
                                    lapack_int lda, double *tau, double *work, lapack_int lwork);
lapack_int crm__lapacke_dormqr_work(int layout, char side, char trans, lapack_int m, lapack_int n,
                                    lapack_int k, const double *a, lapack_int lda,
                                    const double *tau, double *c, lapack_int ldc, double *work,
                                    lapack_int lwork);
lapack_int crm__lapacke_dgetrf_work(int layout, lapack_int m, lapack_int n, double *a,
                                    lapack_int lda, lapack_int *ipiv);
lapack_int crm__lapacke_dgecon_work(int layout, char norm, lapack_int n, const double *a,
                                    lapack_int lda, double anorm, double *rcond, double *work,
                                    lapack_int *iwork);
lapack_int crm__lapacke_dgetrs_work(int layout, char trans, lapack_int n, lapack_int nrhs,
                                    const double *a, lapack_int lda, const lapack_int *ipiv,
                                    double *b, lapack_int ldb);
lapack_int crm__lapacke_dhseqr_work(int layout, char job, char compz, lapack_int n,
                                    lapack_int ilo, lapack_int ihi, double *h, lapack_int ldh,
                                    double *wr, double *wi, double *z, lapack_int ldz,
                                    double *work, lapack_int lwork);

#endif /* CRM_CORE_BLAS_H */
