#!/usr/bin/env python3
"""scikit-learn side of the k-means benchmark (see bench/kmeans.c for the data).

Usage: kmeans_sklearn.py ROWS ITERS ALGORITHM LABEL
  ALGORITHM: lloyd or elkan. Fits KMeans(n_clusters=8, init=<rows 0..7>, n_init=1, tol=0,
  max_iter=ITERS, algorithm=ALGORITHM) five times and prints the fastest fit (the statistic
  bench_kmeans reports for libcrm) in one line like bench_kmeans:
  bench=kmeans impl=LABEL rows=R cols=16 k=8 n_iter=N fit_s=S per_iter_ms=MS inertia=I
  peak_rss_kb=KB data_kb=KB
"""
import resource
import sys
import time

import numpy as np
from sklearn.cluster import KMeans

D, K = 16, 8


def splitmix64(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def data(rows):
    X = np.empty((rows, D), dtype=np.float64)
    r = np.arange(rows, dtype=np.uint64)
    for j in range(D):
        u = (splitmix64(r * np.uint64(D) + np.uint64(j)) >> np.uint64(11)).astype(np.float64)
        u *= 2.0 ** -53
        center = ((((r % np.uint64(K)) * np.uint64(D) + np.uint64(j)) * np.uint64(7919))
                  % np.uint64(23)).astype(np.float64) - 11.0
        X[:, j] = center + 40.0 * (u - 0.5)
    return X


def main():
    rows, iters, alg, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    X = data(rows)
    init = X[:K].copy()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        km = KMeans(n_clusters=K, init=init, n_init=1, tol=0.0, max_iter=iters,
                    algorithm=alg).fit(X)
        times.append(time.perf_counter() - t0)
    times.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=kmeans impl=%s rows=%d cols=%d k=%d n_iter=%d fit_s=%.4f per_iter_ms=%.3f "
          "inertia=%r peak_rss_kb=%d data_kb=%d" % (label, rows, D, K, km.n_iter_, times[0],
                                                    1000 * times[0] / km.n_iter_,
                                                    float(km.inertia_), peak, X.nbytes // 1024))


if __name__ == "__main__":
    main()
