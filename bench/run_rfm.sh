#!/bin/sh
# Load + clean + RFM benchmark on Online Retail: libcrm (bench_rfm) against the
# same steps in pandas (bench/rfm_pandas.py), both reading the .csv.gz, each in
# its own process so that peak memory is measured separately. pandas is timed
# with its default threads and with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1;
# the ratio is quoted against the faster of the two.
#
# Then the RFM step alone on generated lines (SYNTH_ROWS=5000000 lines of
# SYNTH_CUSTOMERS=500000 customers, identical on both sides; SYNTH_ROWS=0 skips it).
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
# warm the page cache so neither side pays for the first read from disk
cat "$data" > /dev/null

crm=$("$bench" "$data" "$runs")
pd=$(/usr/bin/python3 "$here/rfm_pandas.py" "$data" "$runs" pandas)
pd1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/rfm_pandas.py" "$data" "$runs" pandas-1thread)
echo "$crm"
echo "$pd"
echo "$pd1"
printf '%s\n%s\n%s\n' "$crm" "$pd" "$pd1" | awk '
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
printf '%s\n%s\n%s\n' "$crm" "$pd" "$pd1" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; p = v[2, "median_s"]; p1 = v[3, "median_s"]
        best = p < p1 ? p : p1
        printf "summary: synthetic RFM step, %s lines, %s customers: libcrm %.4f s (peak RSS %.1f MiB), pandas %.4f s (1 thread: %.4f s; peak RSS %.1f MiB)\n", \
            v[1, "rows"], v[1, "customers"], c, v[1, "peak_rss_kb"] / 1024, p, p1, v[2, "peak_rss_kb"] / 1024
        printf "ratio_synthetic=%.2f\n", best / c
    }'
