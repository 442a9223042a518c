#!/bin/sh
# k-means benchmark: 1,000,000 x 16 generated rows, k = 8, the same initial centers (rows
# 0..7) and tol = 0 with a fixed iteration cap (ITERS, default 30) on both sides, so the
# time per iteration compares like for like. libcrm (bench_kmeans, Lloyd and Hamerly)
# against scikit-learn KMeans(algorithm="lloyd") and (algorithm="elkan"), n_init = 1,
# each in its own process so peak memory is measured separately; scikit-learn also with
# OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1. Also reports libcrm's time per iteration
# against one plain sum over the same amount of data (the memory-bandwidth floor).
#
# Usage: bench/run_kmeans.sh [ROWS [ITERS]]     (BUILD_DIR=build/release by default)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=${1:-1000000}
iters=${2:-30}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_kmeans
if [ ! -x "$bench" ]; then
    echo "run_kmeans.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
c=$("$bench" "$rows" "$iters" lloyd)
h=$("$bench" "$rows" "$iters" hamerly)
c1=$("$bench" "$rows" "$iters" lloyd 1)
sl=$(/usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" lloyd sklearn-lloyd)
se=$(/usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" elkan sklearn-elkan)
sl1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" lloyd sklearn-lloyd-1thread)
se1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" elkan sklearn-elkan-1thread)
printf '%s\n' "$c" "$h" "$c1" "$sl" "$se" "$sl1" "$se1"
printf '%s\n' "$c" "$h" "$c1" "$sl" "$se" "$sl1" "$se1" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "per_iter_ms"]; h = v[2, "per_iter_ms"]; c1 = v[3, "per_iter_ms"]
        l = v[4, "per_iter_ms"]; e = v[5, "per_iter_ms"]
        best = l < e ? l : e; name = l < e ? "lloyd" : "elkan"
        mine = c < h ? c : h
        printf "summary: libcrm %.2f ms/iter (lloyd; hamerly %.2f; one thread %.2f), peak RSS %.1f MiB = %.2fx the %.1f MiB data\n", \
            c, h, c1, v[1, "peak_rss_kb"] / 1024, v[1, "peak_rss_kb"] / v[1, "data_kb"], v[1, "data_kb"] / 1024
        printf "summary: scikit-learn lloyd %.2f ms/iter, elkan %.2f (one thread: %.2f, %.2f), peak RSS %.1f / %.1f MiB\n", \
            l, e, v[6, "per_iter_ms"], v[7, "per_iter_ms"], v[4, "peak_rss_kb"] / 1024, v[5, "peak_rss_kb"] / 1024
        rel = v[1, "inertia"] - v[4, "inertia"]; if (rel < 0) rel = -rel; rel /= v[4, "inertia"]
        printf "ratio=%.2f (faster scikit-learn, %s, / faster libcrm per iteration); iterations %d vs %d; inertia relative difference %.1e\n", \
            best / mine, name, v[1, "n_iter"], v[4, "n_iter"], rel
        printf "bandwidth: one plain sum over the data %.2f ms; libcrm iteration = %.1fx that pass\n", \
            v[1, "sum_pass_ms"], c / v[1, "sum_pass_ms"]
    }'
