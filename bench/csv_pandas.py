#!/usr/bin/env python3
"""CSV load benchmark, reference side: pandas.read_csv on the same file as bench_csv.

Usage: /usr/bin/python3 bench/csv_pandas.py FILE [RUNS [LABEL]]

Times pandas.read_csv(FILE, parse_dates=["InvoiceDate"]) (the date column is
parsed only when the file has it) RUNS times (default 5) and prints one line in
the format of bench_csv:

  bench=csv impl=LABEL file=NAME runs=N median_s=S min_s=S rows=R cols=C numcols=M missing=X
  minmax=Y peak_rss_kb=K base_rss_kb=B

numcols, missing and minmax check that both sides read the same table (not timed):
the number of number columns, their missing cells and the sum over them, in
column order, of min + max, as bench_csv computes them.

peak_rss_kb is the process's peak resident set (getrusage ru_maxrss), which
includes the interpreter and pandas itself; base_rss_kb is the resident set
after importing pandas, before the first read.
"""
import os
import resource
import statistics
import sys
import time

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: csv_pandas.py FILE [RUNS [LABEL]]\n")
        return 2
    path = sys.argv[1]
    runs = max(1, int(sys.argv[2])) if len(sys.argv) > 2 else 5
    label = sys.argv[3] if len(sys.argv) > 3 else "pandas"
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline()
    kw = {"parse_dates": ["InvoiceDate"]} if "InvoiceDate" in header else {}
    base = rss_kb()
    times = []
    rows = cols = numcols = missing = 0
    minmax = 0.0
    for r in range(runs):
        t0 = time.perf_counter()
        df = pd.read_csv(path, **kw)
        times.append(time.perf_counter() - t0)
        rows, cols = df.shape
        if r == runs - 1:
            for c in df.columns:
                s = df[c]
                if not is_numeric_dtype(s) or is_datetime64_any_dtype(s):
                    continue
                numcols += 1
                missing += int(s.isna().sum())
                minmax += float(s.min()) + float(s.max())
        del df
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=csv impl=%s file=%s runs=%d median_s=%.4f min_s=%.4f rows=%d cols=%d "
          "numcols=%d missing=%d minmax=%r peak_rss_kb=%d base_rss_kb=%d"
          % (label, os.path.basename(path), runs, statistics.median(times), min(times), rows,
             cols, numcols, missing, minmax, peak, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
