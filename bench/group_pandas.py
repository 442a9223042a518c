#!/usr/bin/env python3
"""Group-by benchmark, reference side: pandas on the same data as bench_group.

Usage: /usr/bin/python3 bench/group_pandas.py FILE [RUNS [LABEL]]

FILE is written by `bench_group --write FILE` (u64 row count, then the int64
keys, then the float64 values). Times

    df.groupby("key").agg(value_sum=("value", "sum"), value_mean=("value", "mean"),
                          value_count=("value", "count"))

RUNS times (default 5) and prints one line in the format of bench_group:

  bench=group impl=LABEL rows=R groups=G runs=N median_s=S min_s=S checksum=X peak_rss_kb=K

The checksum adds the same sample of result cells as bench_group (every
9973rd group of each aggregate column), so the two sides can be seen to
agree. peak_rss_kb is the process's peak resident set (getrusage
ru_maxrss), which includes the interpreter and pandas itself.
"""
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: group_pandas.py FILE [RUNS [LABEL]]\n")
        return 2
    path = sys.argv[1]
    runs = max(1, int(sys.argv[2])) if len(sys.argv) > 2 else 5
    label = sys.argv[3] if len(sys.argv) > 3 else "pandas"
    with open(path, "rb") as f:
        rows = int(np.fromfile(f, dtype="<u8", count=1)[0])
        key = np.fromfile(f, dtype="<i8", count=rows)
        value = np.fromfile(f, dtype="<f8", count=rows)
    df = pd.DataFrame({"key": key, "value": value})
    del key, value
    times = []
    groups = 0
    checksum = 0.0
    for _ in range(runs):
        t0 = time.perf_counter()
        g = df.groupby("key").agg(value_sum=("value", "sum"), value_mean=("value", "mean"),
                                  value_count=("value", "count"))
        times.append(time.perf_counter() - t0)
        groups = len(g)
        checksum = 0.0
        for col in ["value_sum", "value_mean", "value_count"]:
            for x in g[col].to_numpy()[::9973]:
                checksum += float(x)
        del g
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=group impl=%s rows=%d groups=%d runs=%d median_s=%.4f min_s=%.4f "
          "checksum=%.17g peak_rss_kb=%d"
          % (label, rows, groups, runs, statistics.median(times), min(times), checksum, peak))
    return 0


if __name__ == "__main__":
    sys.exit(main())
