#!/usr/bin/python3
"""The reference side of bench/run_clv.sh: the same maximum-likelihood fits of
BG/NBD and Gamma-Gamma with scipy (the likelihoods and gradients of
tests/reference/clv_reference.py, scipy BFGS on log-parameters then Newton
steps, to |gradient| < 1e-10), on the summary table bench_clv wrote.

usage: clv_scipy.py SUMMARY.csv RUNS MODE
  MODE per-customer: one likelihood term per customer (as lifetimes does);
       unique: customers compressed into distinct (x, t_x, T) / (x, m) rows
       with counts (what libcrm does), np.unique included in the time.
Prints one line: bench=clv impl=scipy-MODE customers=N fit_s=S cpu_s=C (fastest wall
and process CPU time of RUNS, reading the CSV excluded) r=.. alpha=.. a=.. b=.. p=.. q=.. v=.. peak_rss_kb=KB
"""

import os
import resource
import sys
import time

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import clv_reference as ref  # noqa: E402


def wfit(ll, grad, start, args, w):
    """Weighted maximum likelihood, as clv_reference.fit (which has weights 1)."""
    n = w.sum()

    def f(phi):
        return -(w * ll(np.exp(phi), *args)).sum() / n

    def g(phi):
        th = np.exp(phi)
        return -grad(th, *args, w=w) * th / n

    res = minimize(f, np.log(start), jac=g, method="BFGS", options={"gtol": 1e-12, "maxiter": 5000})
    phi = res.x
    for _ in range(20):
        gg = g(phi)
        if np.max(np.abs(gg)) < 1e-10:
            break
        h = 1e-6
        H = np.array([(g(phi + h * e) - g(phi - h * e)) / (2 * h) for e in np.eye(len(phi))])
        phi = phi - np.linalg.solve(0.5 * (H + H.T), gg)
    return np.exp(phi)


def fit_all(x, tx, T, m, unique):
    rep = x > 0
    if unique:
        tri, w = np.unique(np.stack([x, tx, T], axis=1), axis=0, return_counts=True)
        bg = wfit(ref.bg_ll, ref.bg_grad, np.array([1.0, T.mean(), 1.0, 1.0]),
                  (tri[:, 0], tri[:, 1], tri[:, 2]), w.astype(float))
        pairs, w2 = np.unique(np.stack([x[rep], m[rep]], axis=1), axis=0, return_counts=True)
        gg = wfit(ref.gg_ll, ref.gg_grad, np.array([1.0, 2.0, m[rep].mean()]),
                  (pairs[:, 0], pairs[:, 1]), w2.astype(float))
    else:
        bg = wfit(ref.bg_ll, ref.bg_grad, np.array([1.0, T.mean(), 1.0, 1.0]), (x, tx, T),
                  np.ones(len(x)))
        gg = wfit(ref.gg_ll, ref.gg_grad, np.array([1.0, 2.0, m[rep].mean()]), (x[rep], m[rep]),
                  np.ones(int(rep.sum())))
    return bg, gg


def main(argv):
    path, runs, mode = argv[1], int(argv[2]), argv[3]
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    x, tx, T, m = d[:, 0], d[:, 1], d[:, 2], d[:, 3]
    best = best_cpu = float("inf")
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        bg, gg = fit_all(x, tx, T, m, mode == "unique")
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    vals = " ".join("%s=%.17g" % (k, v) for k, v in zip(("r", "alpha", "a", "b", "p", "q", "v"),
                                                       list(bg) + list(gg)))
    print("bench=clv impl=scipy-%s customers=%d fit_s=%.4f cpu_s=%.4f %s peak_rss_kb=%d"
          % (mode, len(x), best, best_cpu, vals, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
