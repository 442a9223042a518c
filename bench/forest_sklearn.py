#!/usr/bin/env python3
"""scikit-learn side of the random-forest benchmark (data as bench/tree.c and bench/forest.c).

Usage: forest_sklearn.py ROWS TREES DEPTH THREADS [DUMP_DIR]
  Fits RandomForestClassifier(n_estimators=TREES, max_features=4, max_depth=DEPTH,
  min_samples_leaf=1, bootstrap=True, random_state=0, n_jobs=THREADS) on the float64 data and
  prints one line like bench_forest:
  bench=forest impl=sklearn rows=R cols=20 trees=T depth=D threads=N fit_s=S fit_cpu_s=S train_acc=A
  test_acc=A test_auc=A peak_rss_kb=KB data_kb=KB
  With DUMP_DIR, first writes the training and test data there as raw little-endian float64
  (X_train.f64 row-major ROWS x 20, y_train.f64, X_test.f64, y_test.f64) for the R side, and
  exits without fitting.
"""
import os
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

D = 20


def splitmix64(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def u01(i):
    return (splitmix64(i) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def make(first, n):
    rows = np.arange(first, first + n, dtype=np.uint64)
    X = np.empty((n, D), dtype=np.float64)
    for j in range(D):
        X[:, j] = 100.0 * u01(rows * np.uint64(D) + np.uint64(j))
    score = np.zeros(n)
    score += X[:, 0]
    score += 0.5 * X[:, 1]
    score -= 0.8 * X[:, 2]
    score += np.where(X[:, 3] > 50, 30.0, 0.0)
    score += 0.004 * X[:, 4] * X[:, 4]
    e = u01(np.uint64(1 << 40) + rows)
    y = (score + 60.0 * (e - 0.5) > 70.0).astype(np.float64)
    return X, y


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    trees = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    X, y = make(0, rows)
    Xt, yt = make(rows, 200000)
    if len(sys.argv) > 5:
        out = sys.argv[5]
        for name, a in (("X_train", X), ("y_train", y), ("X_test", Xt), ("y_test", yt)):
            np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(out, name + ".f64"))
        return
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    est = RandomForestClassifier(n_estimators=trees, max_features=4, max_depth=depth,
                                 min_samples_leaf=1, bootstrap=True, random_state=0,
                                 n_jobs=threads).fit(X, y)
    fit = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    p = est.predict_proba(Xt)[:, 1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=forest impl=sklearn rows=%d cols=%d trees=%d depth=%d threads=%d fit_s=%.3f "
          "fit_cpu_s=%.3f train_acc=%.6f test_acc=%.6f test_auc=%.6f peak_rss_kb=%d data_kb=%d"
          % (rows, D, trees, depth, threads, fit, cpu, est.score(X, y), float(np.mean((p > 0.5) == yt)),
             roc_auc_score(yt, p), rss, (rows + 200000) * (D + 1) * 8 // 1024))


if __name__ == "__main__":
    main()
