#!/usr/bin/env python3
"""Python side of the logistic regression benchmark (see bench/linear.c for the data).

Usage: linear_python.py IMPL telco PATH
       linear_python.py IMPL synth ROWS COLS
       linear_python.py IMPL bank ROWS
  IMPL: sklearn-lbfgs         LogisticRegression(penalty=None) with its defaults
                              (lbfgs, tol 1e-4, max_iter 100): the usual call
        sklearn-lbfgs-tight   the same with tol=1e-10, max_iter=10000 (to reach the optimum)
        sklearn-newton        solver="newton-cholesky", tol=1e-10
        statsmodels           statsmodels Logit(...).fit(method="newton") plus the
                              inference libcrm computes: bse, pvalues, conf_int, odds ratios
  bank: the bank-marketing-shaped data of bench/linear.c as a pandas DataFrame (6 number,
  8 text columns); the timed fit includes the design a user builds,
  pd.get_dummies(drop_first=True) of the text columns, as libcrm's includes its one-hot encoding.
  Fits REPS (environment, default 5, as bench_linear) times and prints the fastest fit
  in one line like bench_linear:
  bench=linear impl=IMPL data=D rows=R terms=P fit_s=S n_iter=N loglik=L peak_rss_kb=KB
  base_rss_kb=KB data_kb=KB
  then "coef=..." with every coefficient, intercept first. base_rss_kb is the peak
  before the first fit (interpreter, libraries and data); design_s is the part of fit_s
  spent building the design (bank only, else 0); cpu_s the smallest process CPU time of one
  fit (time.process_time).
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


BANK_JOB = ["admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired",
            "self-employed", "services", "student", "technician", "unemployed", "unknown"]
BANK_MAR = ["divorced", "married", "single"]
BANK_EDU = ["primary", "secondary", "tertiary", "unknown"]
BANK_CON = ["cellular", "telephone", "unknown"]
BANK_POUT = ["failure", "other", "success"]
BANK_TEXT = ["job", "marital", "education", "default", "housing", "loan", "contact", "poutcome"]


def bank(rows):
    """The bank-shaped data of bench/linear.c (same arithmetic, exact in both)."""
    import pandas as pd
    i = np.arange(rows, dtype=np.uint64)
    u = [unit(np.uint64(1 << 41) + np.uint64(16) * i + np.uint64(k)) for k in range(16)]
    age = 18 + np.floor(70 * u[0])
    bal = np.floor(20000 * u[1] * u[1]) - 2000
    dur = np.floor(3000 * u[2] * u[3])
    camp = 1 + np.floor(10 * u[4] * u[4])
    pd_ = np.where(u[5] < 0.8, -1.0, np.floor(400 * u[6]))
    prev = np.where(pd_ < 0, 0.0, 1 + np.floor(5 * u[7]))
    job = np.floor(12 * u[8]).astype(int)
    mar = np.floor(3 * u[9]).astype(int)
    edu = np.floor(4 * u[10]).astype(int)
    dflt, hou, loan = u[11] < 0.02, u[12] < 0.55, u[13] < 0.16
    con = np.floor(3 * u[14]).astype(int)
    pout = np.where(pd_ < 0, -1, np.floor(3 * u[15]).astype(int))
    eta = (-3 + 0.01 * (age - 40) + 2e-5 * bal + 0.004 * dur - 0.1 * camp
           + 0.1 * (job % 5 - 2) + 0.2 * (mar == 1) - 0.2 * (edu == 0) - 0.3 * dflt - 0.5 * hou
           - 0.4 * loan - 1.0 * (con == 2) + 2.0 * (pout == 2) - 0.3 * (pout == 0))
    y = unit(np.uint64(1 << 42) + i) < 1.0 / (1.0 + np.exp(-eta))
    yn = np.array(["no", "yes"], dtype=object)
    pout_s = np.array(BANK_POUT + ["unknown"], dtype=object)[np.where(pout < 0, 3, pout)]
    df = pd.DataFrame({"age": age, "balance": bal, "duration": dur, "campaign": camp,
                       "pdays": pd_, "previous": prev,
                       "job": np.array(BANK_JOB, dtype=object)[job],
                       "marital": np.array(BANK_MAR, dtype=object)[mar],
                       "education": np.array(BANK_EDU, dtype=object)[edu],
                       "default": yn[dflt.astype(int)], "housing": yn[hou.astype(int)],
                       "loan": yn[loan.astype(int)],
                       "contact": np.array(BANK_CON, dtype=object)[con], "poutcome": pout_s,
                       "y": yn[y.astype(int)]})
    return df


def bank_design(df):
    """The design a user builds: one-hot text columns (first level in byte order dropped, as
    libcrm and R do), float matrix, 0/1 target."""
    import pandas as pd
    X = pd.get_dummies(df.drop(columns="y"), columns=BANK_TEXT, drop_first=True, dtype=float)
    return X.to_numpy(dtype=np.float64), (df["y"] == "yes").to_numpy(dtype=np.float64)


def loglik(X, y, coef):
    z = coef[0] + X @ coef[1:]
    return float(np.sum(y * z - np.logaddexp(0, z)))


def main():
    impl, kind = sys.argv[1], sys.argv[2]
    df = None
    if kind == "telco":
        X, y = telco(sys.argv[3])
    elif kind == "bank":
        df = bank(int(sys.argv[3]))
        X = y = None  # built in the timed loop (one design alive at a time)
    else:
        X, y = synth(int(sys.argv[3]), int(sys.argv[4]))
    reps = int(os.environ.get("REPS", "5"))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best, coef, n_iter, design_s, best_cpu = 1e300, None, 0, 0.0, 1e300
    # imports outside the timed region (they would make the first fit the slowest)
    if impl.startswith("sklearn"):
        from sklearn.linear_model import LogisticRegression
    else:
        import statsmodels.api as sm
    r = m = Xc = None
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        if df is not None:
            X = y = r = m = Xc = None  # the previous fit's arrays go before the next design
            X, y = bank_design(df)
        td = time.perf_counter() - t0
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
            Xc = None
            Xc = sm.add_constant(X, has_constant="add")
            r = sm.Logit(y, Xc).fit(method="newton", disp=0)
            _ = (r.bse, r.pvalues, r.conf_int(), np.exp(r.params), np.exp(r.conf_int()))
            c = np.asarray(r.params)
            it = int(r.mle_retvals["iterations"])
        t, tc = time.perf_counter() - t0, time.process_time() - c0
        best_cpu = min(best_cpu, tc)
        if t < best:
            best, coef, n_iter, design_s = t, c, it, (td if df is not None else 0.0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=linear impl=%s data=%s rows=%d terms=%d fit_s=%.4f n_iter=%d loglik=%.10f "
          "peak_rss_kb=%d base_rss_kb=%d data_kb=%.0f design_s=%.4f cpu_s=%.4f"
          % (impl, kind, X.shape[0], X.shape[1] + 1, best, n_iter, loglik(X, y, coef), peak, base,
             X.nbytes / 1024, design_s, best_cpu))
    print("coef=" + ",".join(repr(float(v)) for v in coef))


if __name__ == "__main__":
    main()
