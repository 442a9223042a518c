#!/usr/bin/env python3
"""scikit-learn side of the decision-tree benchmark (see bench/tree.c for the data).

Usage: tree_sklearn.py ROWS DEPTH [REPEAT]
  Fits DecisionTreeClassifier(max_depth=DEPTH, random_state=0) on the float64 data
  (REPEAT times, default 1, fastest reported) and prints one line like bench_tree:
  bench=tree impl=sklearn rows=R cols=20 depth=D fit_s=S leaves=L train_acc=A test_acc=A
  predict_mrows_s=M peak_rss_kb=KB data_kb=KB
"""
import resource
import sys
import time

import numpy as np
from sklearn.tree import DecisionTreeClassifier

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
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    X, y = make(0, rows)
    Xt, yt = make(rows, 200000)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        est = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    pred = est.predict(Xt)
    psec = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=tree impl=sklearn rows=%d cols=%d depth=%d fit_s=%.3f leaves=%d train_acc=%.6f "
          "test_acc=%.6f predict_mrows_s=%.1f peak_rss_kb=%d data_kb=%d"
          % (rows, D, depth, best, est.get_n_leaves(), est.score(X, y),
             float(np.mean(pred == yt)), 0.2 / psec, rss, (rows + 200000) * (D + 1) * 8 // 1024))


if __name__ == "__main__":
    main()
