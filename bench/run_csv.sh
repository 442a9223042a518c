#!/bin/sh
# CSV load benchmark: libcrm (bench_csv) against pandas.read_csv on the
# decompressed Online Retail file, each in its own process so that peak memory
# is measured separately. pandas is timed with its default threads and with
# OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1; the ratio is quoted against the
# faster of the two. Both sides: the median of RUNS loads, on one thread (neither parser
# uses more). Fails (exit 1) unless both read the same table: rows, columns, number
# columns, their missing cells and their minima and maxima (exact).
#
# Usage: bench/run_csv.sh [FILE.csv.gz]     (RUNS=5 and BUILD_DIR=build/release by default)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${1:-$root/../shared/data/online_retail/online_retail.csv.gz}
runs=${RUNS:-5}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_csv
if [ ! -x "$bench" ]; then
    echo "run_csv.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
tmp=$(mktemp /tmp/crm_bench_csv_XXXXXX)
trap 'rm -f "$tmp"' EXIT INT TERM
gzip -dc "$data" > "$tmp"
# warm the page cache so neither side pays for the first read from disk
cat "$tmp" > /dev/null

crm=$("$bench" "$tmp" "$runs")
pd=$(/usr/bin/python3 "$here/csv_pandas.py" "$tmp" "$runs" pandas)
pd1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/csv_pandas.py" "$tmp" "$runs" pandas-1thread)
echo "$crm"
echo "$pd"
echo "$pd1"
printf '%s\n%s\n%s\n' "$crm" "$pd" "$pd1" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; p = v[2, "median_s"]; p1 = v[3, "median_s"]
        best = p < p1 ? p : p1
        printf "summary: libcrm median %.4f s, peak RSS %.1f MiB\n", c, v[1, "peak_rss_kb"] / 1024
        printf "summary: pandas median %.4f s (1 thread: %.4f s), peak RSS %.1f MiB (1 thread: %.1f MiB)\n", \
            p, p1, v[2, "peak_rss_kb"] / 1024, v[3, "peak_rss_kb"] / 1024
        printf "ratio=%.2f (faster pandas median / libcrm median)\n", best / c
        # self-check: the same table on every side (exact values: no tolerance)
        bad = 0
        for (r = 2; r <= 3; r++)
            if (v[r, "rows"] != v[1, "rows"] || v[r, "cols"] != v[1, "cols"] || v[r, "numcols"] != v[1, "numcols"] || v[r, "missing"] != v[1, "missing"] || v[r, "minmax"] + 0 != v[1, "minmax"] + 0) {
                printf "CHECK FAILED: %s read %s x %s, %s number columns, %s missing, min+max %s; libcrm %s x %s, %s, %s, %s\n", v[r, "impl"], v[r, "rows"], v[r, "cols"], v[r, "numcols"], v[r, "missing"], v[r, "minmax"], v[1, "rows"], v[1, "cols"], v[1, "numcols"], v[1, "missing"], v[1, "minmax"]
                bad = 1
            }
        printf "check: %s rows x %s columns, %s number columns with %s missing cells and the same min and max on every side%s\n", v[1, "rows"], v[1, "cols"], v[1, "numcols"], v[1, "missing"], bad ? ": FAILED" : ""
        exit bad
    }'
