#!/usr/bin/env python3
"""Load + clean + RFM benchmark, reference side: the same steps as bench_rfm in pandas.

Usage: /usr/bin/python3 bench/rfm_pandas.py FILE.csv.gz [RUNS [LABEL]]
       /usr/bin/python3 bench/rfm_pandas.py --synthetic ROWS CUSTOMERS [RUNS [LABEL]]

Each run: pd.read_csv(FILE, parse_dates=["InvoiceDate"]) (with RFM_USECOLS=1 in the
environment, usecols= the five columns the steps use); keep the rows with
CustomerID present, Quantity > 0, UnitPrice > 0 and InvoiceNo not starting
with "C"; amount = Quantity * UnitPrice; per customer (groupby, sorted) the
last and first InvoiceDate, distinct InvoiceNo and the sum of amount;
recency_days and tenure_days against the midnight after the last invoice;
r/f/m scores 1 + floor(5 (rank - 1) / n) with rank(method="first") over the
values sorted by customer (recency reversed); rfm_cell and rfm_score.
Prints one line in the format of bench_rfm:

  bench=rfm impl=LABEL file=NAME runs=N median_s=S min_s=S load_s=S clean_s=S rfm_s=S
  rows=R kept=K customers=C days=D scores=S monetary=M peak_rss_kb=KB base_rss_kb=B

days, scores and monetary are the checksums of bench_rfm (not timed): the sum of
recency_days, frequency and tenure_days, the sum of rfm_score, and the sum of
monetary in customer order.

peak_rss_kb is the process's peak resident set (getrusage ru_maxrss), which
includes the interpreter and pandas; base_rss_kb is the resident set after
importing pandas, before the first read.

--synthetic times the RFM step alone on the generated lines of
`bench_rfm --synthetic` (the same values: h = splitmix64 of the row number,
customer = h % CUSTOMERS, amount = 1 + (h >> 40) % 10000 / 100,
time = 2011-01-01 + (h >> 20) % (365 days), invoice = row // 4) and prints

  bench=rfm_synth impl=LABEL rows=R customers=C runs=N median_s=S min_s=S days=D scores=S
  monetary=M peak_rss_kb=KB
"""
import os
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd


# RFM_USECOLS=1: read only the columns the steps use (pandas' usecols), as crm rfm does
USECOLS = (["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]
           if os.environ.get("RFM_USECOLS") == "1" else None)


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def score(s, bins=5):
    n = len(s)
    rank = s.rank(method="first").to_numpy(dtype=np.int64)
    return 1 + (bins * (rank - 1)) // n


def rfm(df):
    as_of = df["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    g = df.groupby("CustomerID", sort=True).agg(
        last=("InvoiceDate", "max"), first=("InvoiceDate", "min"),
        frequency=("InvoiceNo", "nunique"), monetary=("amount", "sum"))
    t = pd.DataFrame(index=g.index)
    t["recency_days"] = (as_of - g["last"]).dt.days
    t["frequency"] = g["frequency"]
    t["monetary"] = g["monetary"]
    t["tenure_days"] = (as_of - g["first"]).dt.days
    t["r_score"] = score(-t["recency_days"])
    t["f_score"] = score(t["frequency"])
    t["m_score"] = score(t["monetary"])
    t["rfm_cell"] = (t["r_score"].astype(str) + t["f_score"].astype(str)
                     + t["m_score"].astype(str))
    t["rfm_score"] = t["r_score"] + t["f_score"] + t["m_score"]
    return t


def checksum(t):
    """The sums bench_rfm computes, in the same order (rows sorted by customer)."""
    days = scores = money = 0.0
    for col in ("recency_days", "frequency", "tenure_days"):
        for x in t[col].tolist():
            days += float(x)
    for x in t["rfm_score"].tolist():
        scores += float(x)
    for x in t["monetary"].tolist():
        money += float(x)
    return "days=%r scores=%r monetary=%r" % (days, scores, money)


def splitmix64(i):
    with np.errstate(over="ignore"):
        z = (i + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def synthetic(rows, customers, runs, label):
    i = np.arange(rows, dtype=np.uint64)
    h = splitmix64(i)
    df = pd.DataFrame({
        "CustomerID": (h % np.uint64(customers)).astype(np.float64),
        "amount": 1 + ((h >> np.uint64(40)) % np.uint64(10000)).astype(np.float64) / 100,
        "InvoiceDate": pd.to_datetime(
            1293840000 + ((h >> np.uint64(20)) % np.uint64(365 * 86400)).astype(np.int64),
            unit="s"),
        "InvoiceNo": (i // np.uint64(4)).astype(np.float64),
    })
    del i, h
    times = []
    n = 0
    check = ""
    for r in range(runs):
        t0 = time.perf_counter()
        t = rfm(df)
        times.append(time.perf_counter() - t0)
        n = len(t)
        if r == runs - 1:
            check = checksum(t)
        del t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=rfm_synth impl=%s rows=%d customers=%d runs=%d median_s=%.4f min_s=%.4f "
          "%s peak_rss_kb=%d" % (label, rows, n, runs, statistics.median(times), min(times), check,
                                 peak))
    return 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--synthetic":
        runs = max(1, int(sys.argv[4])) if len(sys.argv) > 4 else 5
        label = sys.argv[5] if len(sys.argv) > 5 else "pandas"
        return synthetic(int(sys.argv[2]), int(sys.argv[3]), runs, label)
    if len(sys.argv) < 2:
        sys.stderr.write("usage: rfm_pandas.py FILE.csv.gz [RUNS [LABEL]]\n")
        return 2
    path = sys.argv[1]
    runs = max(1, int(sys.argv[2])) if len(sys.argv) > 2 else 5
    label = sys.argv[3] if len(sys.argv) > 3 else "pandas"
    base = rss_kb()
    tot, tl, tc, tr = [], [], [], []
    rows = kept = customers = 0
    check = ""
    for r in range(runs):
        t0 = time.perf_counter()
        raw = pd.read_csv(path, parse_dates=["InvoiceDate"], usecols=USECOLS)
        t1 = time.perf_counter()
        keep = (raw["CustomerID"].notna() & (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)
                & ~raw["InvoiceNo"].astype(str).str.startswith("C"))
        df = raw[keep].copy()
        df["amount"] = df["Quantity"] * df["UnitPrice"]
        t2 = time.perf_counter()
        t = rfm(df)
        t3 = time.perf_counter()
        tot.append(t3 - t0)
        tl.append(t1 - t0)
        tc.append(t2 - t1)
        tr.append(t3 - t2)
        rows, kept, customers = len(raw), len(df), len(t)
        if r == runs - 1:
            check = checksum(t)
        del raw, df, t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=rfm impl=%s file=%s runs=%d median_s=%.4f min_s=%.4f load_s=%.4f clean_s=%.4f "
          "rfm_s=%.4f rows=%d kept=%d customers=%d %s peak_rss_kb=%d base_rss_kb=%d"
          % (label, os.path.basename(path), runs, statistics.median(tot), min(tot),
             statistics.median(tl), statistics.median(tc), statistics.median(tr), rows, kept,
             customers, check, peak, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
