#!/usr/bin/python3
"""Frequent-itemset benchmark, reference side: the exact pure-Python counting of
tests/reference/apriori.py (bit-set Eclat on Python integers, standard library
only) on a FIMI basket file, file read included.

Usage: /usr/bin/python3 bench/apriori_python.py FILE MIN_SUPPORT [RUNS]

Prints one line in the format of bench_apriori:

  bench=apriori impl=python file=NAME min_support=S runs=N median_s=S min_s=S
  itemsets=K by_size=a,b,c,... peak_rss_kb=KB
"""
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
import apriori  # noqa: E402  (tests/reference/apriori.py)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    path, minsup = argv[1], float(argv[2])
    runs = int(argv[3]) if len(argv) > 3 else 3
    times = []
    sets = {}
    for _ in range(runs):
        t0 = time.perf_counter()
        tx = apriori.read_baskets(path)
        sets, _ = apriori.frequent_itemsets(tx, minsup)
        times.append(time.perf_counter() - t0)
    by = {}
    for s in sets:
        by[len(s)] = by.get(len(s), 0) + 1
    print("bench=apriori impl=python file=%s min_support=%g runs=%d median_s=%.4f min_s=%.4f "
          "itemsets=%d by_size=%s peak_rss_kb=%d"
          % (os.path.basename(path), minsup, runs, statistics.median(times), min(times),
             len(sets), ",".join(str(by[k]) for k in sorted(by)),
             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
