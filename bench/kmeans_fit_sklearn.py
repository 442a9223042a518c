#!/usr/bin/env python3
"""scikit-learn side of the whole-fit k-means benchmark (see bench/kmeans_fit.c for the data).

Usage: kmeans_fit_sklearn.py ROWS K N_INIT THREADS [REPEATS]
  Times KMeans(n_clusters=K, n_init=N_INIT, random_state=0).fit(X) (k-means++ seeding,
  the default tol = 1e-4 and algorithm "lloyd") and prints the fastest of REPEATS (default
  3) fits (and the smallest process CPU time of a fit, all threads) in one line like
  bench_kmeans_fit. THREADS: 0 leaves the thread pools at their
  defaults (all cores); otherwise threadpoolctl limits OpenMP and BLAS to THREADS (run it
  with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set as well).
"""
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

D = 16


def splitmix64(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def unit(i):
    return (splitmix64(i) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def data(rows, k):
    b = np.arange(k * D, dtype=np.uint64)
    center = (20.0 * (unit(np.uint64(1 << 40) + b) - 0.5)).reshape(k, D)
    X = np.empty((rows, D), dtype=np.float64)
    r = np.arange(rows, dtype=np.uint64)
    blob = (r % np.uint64(k)).astype(np.int64)
    for j in range(D):
        X[:, j] = center[blob, j] + 2.0 * (unit(r * np.uint64(D) + np.uint64(j)) - 0.5)
    return X


def main():
    rows, k, n_init, threads = (int(a) for a in sys.argv[1:5])
    reps = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    X = data(rows, k)
    best = best_cpu = float("inf")
    with threadpool_limits(limits=threads if threads > 0 else None):
        for _ in range(reps):
            c0, t0 = time.process_time(), time.perf_counter()
            km = KMeans(n_clusters=k, n_init=n_init, random_state=0).fit(X)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
    print("bench=kmeans_fit impl=sklearn rows=%d cols=%d k=%d n_init=%d threads=%d n_iter=%d "
          "fit_s=%.4f cpu_s=%.4f fits=%d inertia=%r" % (rows, D, k, n_init, threads, km.n_iter_,
                                                        best, best_cpu, reps,
                                                        float(km.inertia_)))


if __name__ == "__main__":
    main()
