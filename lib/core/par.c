/* A tiny parallel-for over numbered tasks (see par.h). */
#define _POSIX_C_SOURCE 200809L
#include "core/par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define PAR_MAX_THREADS 256

int crm__par_threads(int requested, size_t ntasks)
{
    long n = requested;
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1) n = 1;
    }
    if (n > PAR_MAX_THREADS) n = PAR_MAX_THREADS;
    if ((size_t)n > ntasks) n = ntasks ? (long)ntasks : 1;
    return (int)n;
}

typedef struct par_job {
    void (*fn)(void *ctx, size_t task, int worker);
    void *ctx;
    size_t ntasks;
    atomic_size_t next;
} par_job;

typedef struct par_arg {
    par_job *job;
    int worker;
} par_arg;

static void *par_run(void *p)
{
    par_arg *a = p;
    for (;;) {
        size_t t = atomic_fetch_add(&a->job->next, 1);
        if (t >= a->job->ntasks) break;
        a->job->fn(a->job->ctx, t, a->worker);
    }
    return NULL;
}

void crm__par_for(int nthreads, size_t ntasks, void (*fn)(void *ctx, size_t task, int worker),
                  void *ctx)
{
    par_job job;
    job.fn = fn;
    job.ctx = ctx;
    job.ntasks = ntasks;
    atomic_init(&job.next, 0);
    if (nthreads > PAR_MAX_THREADS) nthreads = PAR_MAX_THREADS;
    pthread_t tid[PAR_MAX_THREADS];
    par_arg args[PAR_MAX_THREADS];
    int started = 0;
    for (int w = 1; w < nthreads; w++) {
        args[w].job = &job;
        args[w].worker = w;
        if (pthread_create(&tid[w], NULL, par_run, &args[w]) != 0) break;
        started = w;
    }
    args[0].job = &job;
    args[0].worker = 0;
    par_run(&args[0]);
    for (int w = 1; w <= started; w++)
        pthread_join(tid[w], NULL);
}
