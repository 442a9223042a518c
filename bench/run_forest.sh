#!/bin/sh
# Random-forest benchmark (issue 18): 1,000,000 x 20 generated rows (data of bench/tree.c),
# 200,000 held-out rows, 100 trees, the same forest on every side: mtry 4, max depth 10,
# min leaf size 1, bootstrap with replacement (sample fraction 1), Gini, probabilities averaged
# over the trees. libcrm in histogram mode (255 bins, bench/forest.c) against scikit-learn
# RandomForestClassifier (bench/forest_sklearn.py) and R ranger (bench/forest_ranger.R), each
# on THREADS threads (default 2: n_threads=2, n_jobs=2, num.threads=2, the best setting on a
# 2-core machine), one after the other, one fit each (best of 1). Per side: fit wall seconds,
# fit CPU seconds (all threads), peak RSS, held-out accuracy and AUC; the load average
# (/proc/loadavg) is sampled every 5 s while each side runs and reported (min/mean/max of the
# 1-minute figure) because wall times on a shared machine depend on it. With ONE_THREAD=1 the
# three sides are also run on one thread.
# Fails (exit 1) when libcrm's held-out accuracy or AUC differs from scikit-learn's or
# ranger's by more than TOL (default 0.005), or a side fails.
#
# Usage: bench/run_forest.sh [ROWS [TREES [DEPTH]]]   (THREADS=2, TOL=0.005, ONE_THREAD=0,
#        BUILD_DIR=build/release by default)
# Build first: cmake --preset release && cmake --build build/release --target bench
# Needs /usr/bin/python3 with numpy + scikit-learn and Rscript with ranger.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=${1:-1000000}
trees=${2:-100}
depth=${3:-10}
threads=${THREADS:-2}
tol=${TOL:-0.005}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_forest
if [ ! -x "$bench" ]; then
    echo "run_forest.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
tmp=$(mktemp -d)
sampler=
cleanup() {
    if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_side NAME CMD...: runs one side with the load sampler on, appends its result line with
# load_min/load_mean/load_max to $tmp/results
run_side() {
    name=$1
    shift
    : > "$tmp/load"
    (while :; do cut -d' ' -f1 /proc/loadavg >> "$tmp/load"; sleep 5; done) &
    sampler=$!
    out=$("$@") || { echo "run_forest.sh: $name failed" >&2; exit 1; }
    # only the result line: ranger also prints its progress to standard output
    line=$(printf '%s\n' "$out" | grep '^bench=' | tail -n 1)
    [ -n "$line" ] || { echo "run_forest.sh: $name printed no result line" >&2; exit 1; }
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    sampler=
    cut -d' ' -f1 /proc/loadavg >> "$tmp/load"
    load=$(awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } { s += $1 }
                END { printf "load_min=%.2f load_mean=%.2f load_max=%.2f", lo, s / NR, hi }' \
        "$tmp/load")
    echo "$line $load" | tee -a "$tmp/results"
}

echo "run_forest.sh: $rows x 20 rows, $trees trees, depth $depth, $threads threads," \
    "best of 1; started $(date -u +%FT%TZ)"
/usr/bin/python3 "$here/forest_sklearn.py" "$rows" "$trees" "$depth" "$threads" "$tmp"
run_side libcrm "$bench" "$rows" "$trees" "$depth" hist "$threads"
run_side ranger Rscript "$here/forest_ranger.R" "$tmp" "$rows" "$trees" "$depth" "$threads"
run_side sklearn /usr/bin/python3 "$here/forest_sklearn.py" "$rows" "$trees" "$depth" "$threads"
if [ "${ONE_THREAD:-0}" = 1 ] && [ "$threads" != 1 ]; then
    run_side libcrm "$bench" "$rows" "$trees" "$depth" hist 1
    run_side ranger Rscript "$here/forest_ranger.R" "$tmp" "$rows" "$trees" "$depth" 1
    run_side sklearn /usr/bin/python3 "$here/forest_sklearn.py" "$rows" "$trees" "$depth" 1
fi
echo "run_forest.sh: finished $(date -u +%FT%TZ)"

# lines 1-3: the THREADS runs (libcrm, ranger, scikit-learn); 4-6 the one-thread runs if any
awk -v tol="$tol" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    function d(a, b) { return a > b ? a - b : b - a }
    END {
        bad = 0
        for (base = 0; base < NR; base += 3) {
            l = base + 1; r = base + 2; s = base + 3
            for (k = base + 1; k <= base + 3; k++)
                printf "summary: %-12s threads %s: fit %.1f s wall, %.1f s CPU; " \
                    "peak RSS %.1f MiB; held-out accuracy %.6f, AUC %.6f; load %s-%s (mean %s)\n", \
                    v[k, "impl"], v[k, "threads"], v[k, "fit_s"], v[k, "fit_cpu_s"], \
                    v[k, "peak_rss_kb"] / 1024, v[k, "test_acc"], v[k, "test_auc"], \
                    v[k, "load_min"], v[k, "load_max"], v[k, "load_mean"]
            printf "summary: libcrm vs scikit-learn %.2fx wall, %.2fx CPU; " \
                "vs ranger %.2fx wall, %.2fx CPU\n", \
                v[s, "fit_s"] / v[l, "fit_s"], v[s, "fit_cpu_s"] / v[l, "fit_cpu_s"], \
                v[r, "fit_s"] / v[l, "fit_s"], v[r, "fit_cpu_s"] / v[l, "fit_cpu_s"]
            for (k = r; k <= s; k++)
                if (d(v[l, "test_acc"], v[k, "test_acc"]) > tol ||
                    d(v[l, "test_auc"], v[k, "test_auc"]) > tol) {
                    printf "CHECK FAILED: libcrm held-out accuracy %s / AUC %s " \
                        "vs %s %s / %s (tolerance %s)\n", v[l, "test_acc"], v[l, "test_auc"], \
                        v[k, "impl"], v[k, "test_acc"], v[k, "test_auc"], tol
                    bad = 1
                }
        }
        printf "check: held-out accuracy and AUC of libcrm within %s " \
            "of scikit-learn and ranger%s\n", \
            tol, bad ? ": FAILED" : ""
        exit bad
    }' "$tmp/results"
