#!/usr/bin/env python3
"""Python side of the logistic regression benchmark (see bench/linear.c for the data).

Usage: linear_python.py IMPL telco PATH
       linear_python.py IMPL synth ROWS COLS
  IMPL: sklearn-lbfgs         LogisticRegression(penalty=None) with its defaults
                              (lbfgs, tol 1e-4, max_iter 100): the usual call
        sklearn-lbfgs-tight   the same with tol=1e-10, max_iter=10000 (to reach the optimum)
        sklearn-newton        solver="newton-cholesky", tol=1e-10
        statsmodels           statsmodels Logit(...).fit(method="newton") plus the
                              inference libcrm computes: bse, pvalues, conf_int, odds ratios
  Fits REPS (environment, default 5, as bench_linear) times and prints the fastest fit
  in one line like bench_linear:
  bench=linear impl=IMPL data=D rows=R terms=P fit_s=S n_iter=N loglik=L peak_rss_kb=KB
  base_rss_kb=KB data_kb=KB
  then "coef=..." with every coefficient, intercept first. base_rss_kb is the peak
  before the first fit (interpreter, libraries and data).
"""
import os
import resource
import sys
import time

import warnings

import numpy as np

warnings.filterwarnings("ignore")


def splitmix64(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def unit(k):
    return (splitmix64(k) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def synth(rows, cols):
    X = np.empty((rows, cols), dtype=np.float64)
    i = np.arange(rows, dtype=np.uint64)
    eta = np.full(rows, -0.5)
    for j in range(cols):
        X[:, j] = 2.0 * unit(i * np.uint64(cols) + np.uint64(j)) - 1.0
        eta += 0.1 * (j % 7 - 3) * X[:, j]
    y = (unit(np.uint64(1 << 40) + i) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
    return X, y


def telco(path):
    import pandas as pd
    df = pd.read_csv(path)
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip().replace("", np.nan))
    df = df[df["TotalCharges"].notna()].reset_index(drop=True)
    cols = []
    for f in ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen", "Contract",
              "InternetService", "PaymentMethod", "PaperlessBilling"]:
        if df[f].dtype == object:
            levels = sorted(df[f].unique(), key=lambda s: s.encode("utf-8"))
            cols += [(df[f] == lev).astype(float).to_numpy() for lev in levels[1:]]
        else:
            cols.append(df[f].astype(float).to_numpy())
    return np.column_stack(cols), (df["Churn"] == "Yes").astype(float).to_numpy()


def loglik(X, y, coef):
    z = coef[0] + X @ coef[1:]
    return float(np.sum(y * z - np.logaddexp(0, z)))


def main():
    impl, kind = sys.argv[1], sys.argv[2]
    X, y = telco(sys.argv[3]) if kind == "telco" else synth(int(sys.argv[3]), int(sys.argv[4]))
    reps = int(os.environ.get("REPS", "5"))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best, coef, n_iter = 1e300, None, 0
    # imports outside the timed region (they would make the first fit the slowest)
    if impl.startswith("sklearn"):
        from sklearn.linear_model import LogisticRegression
    else:
        import statsmodels.api as sm
    for _ in range(reps):
        t0 = time.perf_counter()
        if impl.startswith("sklearn"):
            kw = {"penalty": None}
            if impl == "sklearn-lbfgs-tight":
                kw.update(tol=1e-10, max_iter=10000)
            elif impl == "sklearn-newton":
                kw.update(solver="newton-cholesky", tol=1e-10, max_iter=100)
            m = LogisticRegression(**kw).fit(X, y)
            c = np.concatenate([m.intercept_, m.coef_[0]])
            it = int(m.n_iter_[0])
        else:
            Xc = sm.add_constant(X, has_constant="add")
            r = sm.Logit(y, Xc).fit(method="newton", disp=0)
            _ = (r.bse, r.pvalues, r.conf_int(), np.exp(r.params), np.exp(r.conf_int()))
            c = np.asarray(r.params)
            it = int(r.mle_retvals["iterations"])
        t = time.perf_counter() - t0
        if t < best:
            best, coef, n_iter = t, c, it
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=linear impl=%s data=%s rows=%d terms=%d fit_s=%.4f n_iter=%d loglik=%.10f "
          "peak_rss_kb=%d base_rss_kb=%d data_kb=%.0f"
          % (impl, kind, X.shape[0], X.shape[1] + 1, best, n_iter, loglik(X, y, coef), peak, base,
             X.nbytes / 1024))
    print("coef=" + ",".join(repr(float(v)) for v in coef))


if __name__ == "__main__":
    main()
