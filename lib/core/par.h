/* A tiny parallel-for over numbered tasks (pthreads). Never installed. */
#ifndef CRM_CORE_PAR_H
#define CRM_CORE_PAR_H

#include <stddef.h>

/* Worker count for a requested n_threads (0 = online cores), at most ntasks, >= 1. */
int crm__par_threads(int requested, size_t ntasks);

/* Run fn(ctx, task, worker) for task = 0..ntasks-1 on up to nthreads threads
 * (the calling thread is worker 0). Tasks are handed out in increasing order;
 * which worker runs which task varies, so fn must write only per-task output
 * (or per-worker scratch). When a thread cannot be started the remaining
 * workers (at least the caller) do all the tasks: this never fails. */
void crm__par_for(int nthreads, size_t ntasks, void (*fn)(void *ctx, size_t task, int worker),
                  void *ctx);

#endif /* CRM_CORE_PAR_H */
