#!/bin/sh
# Frequent itemsets on the FIMI retail.dat baskets at min_support 0.1% and
# 0.05%, end to end (file read included), in one run:
#   libcrm      bench_apriori (crm_dataset_read_baskets + crm_apriori)
#   apriori     Christian Borgelt's apriori program, when CRM_BORGELT_APRIORI
#               names it (run as `apriori -sS FILE OUT`, S in percent)
#   fpgrowth    his fpgrowth program, when CRM_BORGELT_FPGROWTH names it
#   python      the exact pure-Python counting of tests/reference/apriori.py
# Each is timed as the median of RUNS runs (Python: PY_RUNS), each in its own
# process so that peak memory (ru_maxrss; GNU time for the external programs)
# is measured separately; the external programs' wall time is taken around the
# process (date +%s%N), so it includes starting it. Borgelt's programs are not part of libcrm; build them
# yourself from his published sources and point the variables at the binaries.
#
# Borgelt's programs and the Python counting run on one thread, so the ratios compare
# libcrm on one thread with them (thread for thread); libcrm on all cores is reported
# beside. The script fails (exit 1) unless every implementation finds the same number of
# itemsets (and, for libcrm and Python, the same number of each size).
#
# Usage: bench/run_apriori.sh [FILE]   (RUNS=7, PY_RUNS=3, BUILD_DIR=build/release)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${1:-$root/../shared/data/fimi_retail/retail.dat}
runs=${RUNS:-7}
pyruns=${PY_RUNS:-3}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_apriori
if [ ! -x "$bench" ]; then
    echo "run_apriori.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-apriori-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat "$data" > /dev/null # warm the page cache

# time_prog LABEL PROG ARGS...: median wall time and peak RSS of RUNS runs of an
# external program writing its itemsets to $tmp/out, plus the itemset count.
time_prog() {
    label=$1
    shift
    i=0
    : > "$tmp/times"
    while [ "$i" -lt "$runs" ]; do
        t0=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$tmp/t" "$@" > /dev/null 2>&1
        t1=$(date +%s%N)
        echo "$(( (t1 - t0) / 1000 )) $(cat "$tmp/t")" >> "$tmp/times"
        i=$((i + 1))
    done
    sort -n "$tmp/times" | awk -v label="$label" -v sets="$(wc -l < "$tmp/out")" -v s="$minsup" '
        { t[NR] = $1 / 1e6; if ($2 > m) m = $2 }
        END { med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
              printf "bench=apriori impl=%s min_support=%s runs=%d median_s=%.4f min_s=%.4f itemsets=%d peak_rss_kb=%d\n", \
                  label, s, NR, med, t[1], sets, m }'
}

for minsup in 0.001 0.0005; do
    pct=$(awk -v s="$minsup" 'BEGIN { printf "%g", s * 100 }')
    {
        "$bench" "$data" "$minsup" "$runs" 1 | sed 's/impl=libcrm/impl=libcrm-1thread/'
        "$bench" "$data" "$minsup" "$runs" 0
        if [ -n "${CRM_BORGELT_APRIORI:-}" ]; then
            time_prog borgelt-apriori "$CRM_BORGELT_APRIORI" "-s$pct" "$data" "$tmp/out"
        fi
        if [ -n "${CRM_BORGELT_FPGROWTH:-}" ]; then
            time_prog borgelt-fpgrowth "$CRM_BORGELT_FPGROWTH" "-s$pct" "$data" "$tmp/out"
        fi
        /usr/bin/python3 "$here/apriori_python.py" "$data" "$minsup" "$pyruns"
    } > "$tmp/res"
    cat "$tmp/res"
    awk -v s="$minsup" '
        { delete v; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          t[v["impl"]] = v["median_s"]; m[v["impl"]] = v["peak_rss_kb"]; n[v["impl"]] = v["itemsets"]; bs[v["impl"]] = v["by_size"] }
        END {
            c = t["libcrm-1thread"]
            printf "summary: min_support %s: libcrm %.4f s on one thread (all cores %.4f s; %d itemsets, peak RSS %.1f MiB)", s, c, t["libcrm"], n["libcrm"], m["libcrm"] / 1024
            if ("borgelt-apriori" in t) printf "; Borgelt apriori %.4f s (%.2fx, %d itemsets, %.1f MiB)", t["borgelt-apriori"], t["borgelt-apriori"] / c, n["borgelt-apriori"], m["borgelt-apriori"] / 1024
            if ("borgelt-fpgrowth" in t) printf "; Borgelt fpgrowth %.4f s (%.2fx, %d itemsets, %.1f MiB)", t["borgelt-fpgrowth"], t["borgelt-fpgrowth"] / c, n["borgelt-fpgrowth"], m["borgelt-fpgrowth"] / 1024
            printf "; Python %.3f s (%.0fx, %d itemsets, %.1f MiB)\n", t["python"], t["python"] / c, n["python"], m["python"] / 1024
            # self-check: every implementation finds the same itemsets (count; per size where printed)
            bad = 0
            for (k in n) if (n[k] != n["libcrm"]) { printf "CHECK FAILED: %s finds %s itemsets, libcrm %s\n", k, n[k], n["libcrm"]; bad = 1 }
            for (k in bs) if (bs[k] != "" && bs[k] != bs["libcrm"]) { printf "CHECK FAILED: %s itemsets by size %s, libcrm %s\n", k, bs[k], bs["libcrm"]; bad = 1 }
            printf "check: min_support %s: %d itemsets (by size %s) from every implementation%s\n", s, n["libcrm"], bs["libcrm"], bad ? ": FAILED" : ""
            exit bad
        }' "$tmp/res"
done
