#!/bin/sh
# Group-by benchmark: libcrm (bench_group) against pandas' groupby().agg() on
# the same generated rows (10,000,000 rows, 1,000,000 integer keys, a float
# value column with 1% missing; sum, mean and count per key), each in its own
# process so that peak memory is measured separately. pandas is timed with its
# default threads and with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1; the ratio
# is quoted against the faster of the two. Both sides: the median of RUNS runs, one thread
# (libcrm groups on one thread; pandas has no threads for a groupby). Fails (exit 1) unless
# every side finds the same number of groups and the same checksum to 1e-12 relative.
#
# Usage: bench/run_group.sh [ROWS [KEYS]]   (RUNS=5 and BUILD_DIR=build/release by default)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=${1:-10000000}
keys=${2:-1000000}
runs=${RUNS:-5}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_group
if [ ! -x "$bench" ]; then
    echo "run_group.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
tmp=$(mktemp /tmp/crm_bench_group_XXXXXX)
trap 'rm -f "$tmp"' EXIT INT TERM
"$bench" --write "$tmp" "$rows" "$keys"

crm=$("$bench" "$tmp" "$runs")
pd=$(/usr/bin/python3 "$here/group_pandas.py" "$tmp" "$runs" pandas)
pd1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/group_pandas.py" "$tmp" "$runs" pandas-1thread)
echo "$crm"
echo "$pd"
echo "$pd1"
# self-check: the same groups and the same checksum (a sample of result cells: every
# 9973rd group of sum, mean and count) on every side, to TOL relative: libcrm's sums and
# means are exactly rounded, pandas' use Kahan summation (a few ulps away)
printf '%s\n%s\n%s\n' "$crm" "$pd" "$pd1" | awk -v tol=1e-12 '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; p = v[2, "median_s"]; p1 = v[3, "median_s"]
        best = p < p1 ? p : p1
        printf "summary: libcrm median %.4f s, peak RSS %.1f MiB\n", c, v[1, "peak_rss_kb"] / 1024
        printf "summary: pandas median %.4f s (1 thread: %.4f s), peak RSS %.1f MiB (1 thread: %.1f MiB)\n", \
            p, p1, v[2, "peak_rss_kb"] / 1024, v[3, "peak_rss_kb"] / 1024
        printf "ratio=%.2f (faster pandas median / libcrm median)\n", best / c
        bad = 0; worst = 0
        for (r = 2; r <= 3; r++) {
            if (v[r, "groups"] != v[1, "groups"]) { printf "CHECK FAILED: %s has %s groups, libcrm %s\n", v[r, "impl"], v[r, "groups"], v[1, "groups"]; bad = 1 }
            d = v[r, "checksum"] - v[1, "checksum"]; if (d < 0) d = -d
            m = v[1, "checksum"]; if (m < 0) m = -m
            if (m > 0) d /= m
            if (d > worst) worst = d
            if (d > tol) { printf "CHECK FAILED: %s checksum %s, libcrm %s (%.2g relative, tolerance %g)\n", v[r, "impl"], v[r, "checksum"], v[1, "checksum"], d, tol; bad = 1 }
        }
        printf "check: %s groups on every side; checksums within %.1e relative (tolerance %g)%s\n", v[1, "groups"], worst, tol, bad ? ": FAILED" : ""
        exit bad
    }'
