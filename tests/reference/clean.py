#!/usr/bin/env python3
"""Golden files of the cleaning module (crm/clean.h), computed with numpy and pandas.

Run with Debian's python3 (python3-pandas 1.5, python3-numpy 1.24) from the
repository root:

    /usr/bin/python3 tests/reference/clean.py

It writes, under tests/reference/golden/:

- clean_input.csv: a small generated table (deterministic, seed 20261122)
  whose number columns hold ties, missing values, outliers and a constant
  column; the values are written as Python's shortest repr, which libcrm
  reads back to the same doubles.
- clean_expected.tsv: what libcrm must compute on that table, one fact per
  line, tab-separated `COLUMN  WHAT  KEY  VALUE` (numbers as C99 hex floats,
  "nan" for missing, flags as a string of 0/1/- per row). The C suite `clean`
  (tests/check_clean.c) compares them bit for bit, except the *_ref lines,
  which hold the reference tool's own value where it rounds differently, and
  are compared with the tolerance written on the line.
- clean_online_retail.tsv: duplicate and missing-value counts of Online
  Retail by pandas (suite clean_shared), written only when ../shared/data is
  present.

Definitions (those of crm/clean.h):
- mean: math.fsum(x) / n (exactly rounded sum); scikit-learn's
  SimpleImputer(strategy="mean") is np.mean (pairwise sum), recorded as
  mean_ref with a tolerance of 1 ulp-scale (2e-16 relative).
- median: np.median (SimpleImputer(strategy="median") takes np.ma.median,
  the same mean of the two middle values).
- mode: most frequent value, ties to the smallest (SimpleImputer's
  most_frequent); texts compared as Python str (code point order).
- linear: pandas Series.interpolate(method="linear"); with an order column,
  np.interp over the non-missing cells sorted (stably) by position, leaving
  positions before the first one missing.
- zscore: |x - mean| / std > k, mean as above, std = sqrt(fsum((x - mean)^2)
  / (n - 1)); the flags are checked here to equal pandas'
  (s - s.mean()).abs() / s.std() > k.
- iqr: Q1, Q3 = np.quantile(x, [0.25, 0.75]) (linear); outside
  [Q1 - k IQR, Q3 + k IQR]; equal to pandas' s.quantile().
- mad: med = np.median(x), mad = np.median(|x - med|),
  |0.6745 (x - med) / mad| > k; bounds med -+ k mad / 0.6745.
  Zero spread (std, IQR or MAD = 0): nothing is an outlier.
sklearn itself is not needed: its imputation rules are the numpy calls above.
"""
import collections
import csv
import math
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
# output folder: $CRM_GOLDEN_DIR (scripts/regen_goldens.sh), else the committed goldens
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(HERE, "golden")
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
N = 240


def hexf(v):
    v = float(v)
    return "nan" if math.isnan(v) else v.hex()


def make_input():
    rng = np.random.RandomState(20261122)
    cols = {}
    cols["id"] = np.arange(N, dtype=float)
    a = np.round(rng.normal(50, 10, N), 2)
    a[rng.choice(N, 8, replace=False)] = [150.5, -40.25, 120.0, 95.75, 3.5, 99.0, 101.0, -20.0]
    a[rng.choice(N, 25, replace=False)] = np.nan
    a[0] = np.nan  # a leading missing value (stays missing under linear)
    a[N - 2:] = np.nan  # trailing ones (take the last value)
    cols["a"] = a
    b = rng.randint(0, 6, N).astype(float)  # few distinct values: ties for mode and median
    b[rng.choice(N, 31, replace=False)] = np.nan
    cols["b"] = b
    c = np.full(N, 5.0)  # constant column with gaps
    c[rng.choice(N, 12, replace=False)] = np.nan
    cols["c"] = c
    h = np.round(rng.standard_t(2, N) * 7 + 20, 3)  # heavy tails
    h[rng.choice(N, 10, replace=False)] = np.nan
    cols["heavy"] = h
    cols["pos"] = np.round(rng.uniform(0, 100, N), 1)  # order for linear (ties possible)
    t = rng.choice(["pear", "apple", "fig", "kiwi"], N, p=[0.3, 0.3, 0.2, 0.2]).astype(object)
    t[rng.choice(N, 20, replace=False)] = None
    cols["fruit"] = t
    return pd.DataFrame(cols)


def write_input(df, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(df.columns)
        for row in df.itertuples(index=False):
            out = []
            for v in row:
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    out.append("")
                elif isinstance(v, float):
                    out.append(repr(v))
                else:
                    out.append(str(v))
            w.writerow(out)


def exact_mean(x):
    return math.fsum(x) / len(x)


def exact_std(x, mean):
    return math.sqrt(math.fsum((v - mean) * (v - mean) for v in x) / (len(x) - 1))


def mode_of(values):
    cnt = collections.Counter(values)
    top = max(cnt.values())
    return min(v for v, c in cnt.items() if c == top)


def interp_rows(s):
    return s.interpolate(method="linear").to_numpy()


def interp_by(y, pos):
    y = np.asarray(y, dtype=float)
    valid = ~np.isnan(y)
    order = np.argsort(pos[valid], kind="stable")
    xp = pos[valid][order]
    fp = y[valid][order]
    out = y.copy()
    miss = np.isnan(y)
    vals = np.interp(pos[miss], xp, fp)
    vals[pos[miss] < xp[0]] = np.nan
    out[miss] = vals
    return out


def flags_str(flags, x):
    return "".join("-" if math.isnan(v) else ("1" if f else "0") for f, v in zip(flags, x))


def outliers(name, s, rule, k, lines):
    x = s.dropna().to_numpy()
    vals = s.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if rule == "zscore":
            m = exact_mean(x)
            sd = exact_std(x, m)
            flags = np.abs(vals - m) / sd > k
            pflags = ((s - s.mean()).abs() / s.std() > k).to_numpy()
            assert (flags == pflags).all(), (name, "zscore flags differ from pandas")
            lo, hi = m - k * sd, m + k * sd
            if not sd > 0:
                flags[:] = False
        elif rule == "iqr":
            q1, q3 = np.quantile(x, [0.25, 0.75])
            pq1, pq3 = s.quantile([0.25, 0.75]).to_numpy()
            assert q1 == pq1 and q3 == pq3
            iqr = q3 - q1
            lo, hi = q1 - k * iqr, q3 + k * iqr
            flags = (vals < lo) | (vals > hi)
            if not iqr > 0:
                flags[:] = False
        else:
            med = np.median(x)
            assert med == s.median()
            mad = np.median(np.abs(x - med))
            flags = np.abs(0.6745 * (vals - med) / mad) > k
            lo, hi = med - k * mad / 0.6745, med + k * mad / 0.6745
            if not mad > 0:
                flags[:] = False
    flags = np.where(np.isnan(vals), False, flags)
    key = "%s:%s" % (rule, repr(float(k)))
    lines.append((name, "outliers", key + ":flags", flags_str(flags, vals)))
    lines.append((name, "outliers", key + ":count", str(int(flags.sum()))))
    lines.append((name, "outliers", key + ":lo", hexf(lo)))
    lines.append((name, "outliers", key + ":hi", hexf(hi)))


def expected(df):
    lines = []
    for name in ["a", "b", "c", "heavy"]:
        s = df[name]
        x = s.dropna().to_numpy()
        lines.append((name, "impute", "missing", str(int(s.isna().sum()))))
        lines.append((name, "impute", "mean", hexf(exact_mean(x))))
        lines.append((name, "impute", "mean_ref:2e-16", hexf(np.mean(x))))
        lines.append((name, "impute", "median", hexf(np.median(x))))
        lines.append((name, "impute", "mode", hexf(mode_of(x.tolist()))))
        lin = interp_rows(s)
        lines.append((name, "impute", "linear", ",".join(hexf(v) for v in lin)))
        linp = interp_by(s.to_numpy(), df["pos"].to_numpy())
        lines.append((name, "impute", "linear_by_pos", ",".join(hexf(v) for v in linp)))
        for rule, k in [("zscore", 3.0), ("zscore", 2.0), ("iqr", 1.5), ("iqr", 3.0),
                        ("mad", 3.5), ("mad", 2.0)]:
            outliers(name, s, rule, k, lines)
    fr = df["fruit"].dropna().tolist()
    lines.append(("fruit", "impute", "mode", mode_of(fr)))
    lines.append(("fruit", "impute", "missing", str(int(df["fruit"].isna().sum()))))
    return lines


def online_retail():
    path = os.path.join(DATA, "online_retail", "online_retail.csv.gz")
    if not os.path.exists(path):
        return None
    df = pd.read_csv(path, parse_dates=["InvoiceDate"])
    out = [("rows", len(df)),
           ("duplicated_all", int(df.duplicated().sum())),
           ("duplicated_all_keep_none", int(df.duplicated(keep=False).sum())),
           ("duplicated_invoice_stock_keep_last",
            int(df.duplicated(["InvoiceNo", "StockCode"], keep="last").sum())),
           ("rows_with_customer", int(df["CustomerID"].notna().sum())),
           ("rows_without_any_missing", int(len(df.dropna()))),
           ("rows_dedup_then_customer", int(df.drop_duplicates()["CustomerID"].notna().sum()))]
    kept = df.drop_duplicates(["InvoiceNo", "StockCode"], keep="last")
    out.append(("dedup_invoice_stock_keep_last_quantity_fsum", math.fsum(kept["Quantity"])))
    return out


def main():
    df = make_input()
    write_input(df, os.path.join(GOLDEN, "clean_input.csv"))
    back = pd.read_csv(os.path.join(GOLDEN, "clean_input.csv"))
    for col in ["a", "b", "c", "heavy", "pos"]:
        assert np.array_equal(back[col].to_numpy(), df[col].to_numpy(), equal_nan=True)
    with open(os.path.join(GOLDEN, "clean_expected.tsv"), "w") as f:
        for line in expected(df):
            f.write("\t".join(line) + "\n")
    orr = online_retail()
    if orr is not None:
        with open(os.path.join(GOLDEN, "clean_online_retail.tsv"), "w") as f:
            for k, v in orr:
                f.write("%s\t%s\n" % (k, v.hex() if isinstance(v, float) else v))
    else:
        print("shared data absent: clean_online_retail.tsv not regenerated", file=sys.stderr)


if __name__ == "__main__":
    main()
