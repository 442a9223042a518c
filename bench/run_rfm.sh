#!/bin/sh
# Load + clean + RFM benchmark on Online Retail: libcrm (bench_rfm) against the
# same steps in pandas (bench/rfm_pandas.py), both reading the .csv.gz, each in
# its own process so that peak memory is measured separately. pandas is timed
# with its default threads and with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1;
# the ratio is quoted against the faster of the two.
#
# Then the RFM step alone on generated lines (SYNTH_ROWS=5000000 lines of
# SYNTH_CUSTOMERS=500000 customers, identical on both sides; SYNTH_ROWS=0 skips it).
# Both sides: medians of RUNS runs, one thread (libcrm reads, filters and scores on one
# thread; pandas has no threads for these steps). Fails (exit 1) unless both sides give
# the same RFM table (see the checks below).
#
# Usage: bench/run_rfm.sh [FILE.csv.gz]     (RUNS=5 and BUILD_DIR=build/release by default)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${1:-$root/../shared/data/online_retail/online_retail.csv.gz}
runs=${RUNS:-5}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_rfm
if [ ! -x "$bench" ]; then
    echo "run_rfm.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
# self-check: the same rows kept and customers, the same sums of recency, frequency and
# tenure days and of rfm_score (integers) on every side, and the sum of monetary to TOL
# relative (libcrm's per-customer sums are exactly rounded, pandas' are not: 174 Online
# Retail customers one ulp away)
tol=1e-12
# warm the page cache so neither side pays for the first read from disk
cat "$data" > /dev/null

crm=$("$bench" "$data" "$runs")
pd=$(/usr/bin/python3 "$here/rfm_pandas.py" "$data" "$runs" pandas)
pd1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/rfm_pandas.py" "$data" "$runs" pandas-1thread)
echo "$crm"
echo "$pd"
echo "$pd1"
printf '%s\n%s\n%s\n' "$crm" "$pd" "$pd1" | awk -v tol="$tol" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; p = v[2, "median_s"]; p1 = v[3, "median_s"]
        best = p < p1 ? p : p1
        printf "summary: libcrm median %.4f s (load %.4f, clean %.4f, rfm %.4f), peak RSS %.1f MiB\n", \
            c, v[1, "load_s"], v[1, "clean_s"], v[1, "rfm_s"], v[1, "peak_rss_kb"] / 1024
        printf "summary: pandas median %.4f s (load %.4f, clean %.4f, rfm %.4f; 1 thread: %.4f s), peak RSS %.1f MiB (1 thread: %.1f MiB)\n", \
            p, v[2, "load_s"], v[2, "clean_s"], v[2, "rfm_s"], p1, v[2, "peak_rss_kb"] / 1024, v[3, "peak_rss_kb"] / 1024
        printf "ratio=%.2f (faster pandas median / libcrm median); rfm step alone %.1fx\n", best / c, \
            (v[2, "rfm_s"] < v[3, "rfm_s"] ? v[2, "rfm_s"] : v[3, "rfm_s"]) / v[1, "rfm_s"]
        bad = 0; worst = 0
        for (r = 2; r <= 3; r++) {
            if (v[r, "rows"] != v[1, "rows"] || v[r, "kept"] != v[1, "kept"] || v[r, "customers"] != v[1, "customers"] || v[r, "days"] + 0 != v[1, "days"] + 0 || v[r, "scores"] + 0 != v[1, "scores"] + 0) { printf "CHECK FAILED: %s: rows %s kept %s customers %s days %s scores %s; libcrm %s %s %s %s %s\n", v[r, "impl"], v[r, "rows"], v[r, "kept"], v[r, "customers"], v[r, "days"], v[r, "scores"], v[1, "rows"], v[1, "kept"], v[1, "customers"], v[1, "days"], v[1, "scores"]; bad = 1 }
            d = v[r, "monetary"] - v[1, "monetary"]; if (d < 0) d = -d; d /= v[1, "monetary"]
            if (d > worst) worst = d
            if (d > tol) { printf "CHECK FAILED: %s monetary sum %s, libcrm %s (%.2g relative, tolerance %g)\n", v[r, "impl"], v[r, "monetary"], v[1, "monetary"], d, tol; bad = 1 }
        }
        printf "check: %s customers, the same day and score sums on every side, monetary within %.1e relative (tolerance %g)%s\n", v[1, "customers"], worst, tol, bad ? ": FAILED" : ""
        exit bad
    }'

rows=${SYNTH_ROWS:-5000000}
customers=${SYNTH_CUSTOMERS:-500000}
[ "$rows" -gt 0 ] || exit 0
crm=$("$bench" --synthetic "$rows" "$customers" "$runs")
pd=$(/usr/bin/python3 "$here/rfm_pandas.py" --synthetic "$rows" "$customers" "$runs" pandas)
pd1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/rfm_pandas.py" --synthetic "$rows" "$customers" "$runs" pandas-1thread)
echo "$crm"
echo "$pd"
echo "$pd1"
printf '%s\n%s\n%s\n' "$crm" "$pd" "$pd1" | awk -v tol="$tol" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; p = v[2, "median_s"]; p1 = v[3, "median_s"]
        best = p < p1 ? p : p1
        printf "summary: synthetic RFM step, %s lines, %s customers: libcrm %.4f s (peak RSS %.1f MiB), pandas %.4f s (1 thread: %.4f s; peak RSS %.1f MiB)\n", \
            v[1, "rows"], v[1, "customers"], c, v[1, "peak_rss_kb"] / 1024, p, p1, v[2, "peak_rss_kb"] / 1024
        printf "ratio_synthetic=%.2f\n", best / c
        bad = 0; worst = 0
        for (r = 2; r <= 3; r++) {
            if (v[r, "customers"] != v[1, "customers"] || v[r, "days"] + 0 != v[1, "days"] + 0 || v[r, "scores"] + 0 != v[1, "scores"] + 0) { printf "CHECK FAILED: %s: rows %s kept %s customers %s days %s scores %s; libcrm %s %s %s %s %s\n", v[r, "impl"], v[r, "rows"], v[r, "kept"], v[r, "customers"], v[r, "days"], v[r, "scores"], v[1, "rows"], v[1, "kept"], v[1, "customers"], v[1, "days"], v[1, "scores"]; bad = 1 }
            d = v[r, "monetary"] - v[1, "monetary"]; if (d < 0) d = -d; d /= v[1, "monetary"]
            if (d > worst) worst = d
            if (d > tol) { printf "CHECK FAILED: %s monetary sum %s, libcrm %s (%.2g relative, tolerance %g)\n", v[r, "impl"], v[r, "monetary"], v[1, "monetary"], d, tol; bad = 1 }
        }
        printf "check: %s customers, the same day and score sums on every side, monetary within %.1e relative (tolerance %g)%s\n", v[1, "customers"], worst, tol, bad ? ": FAILED" : ""
        exit bad
    }'
