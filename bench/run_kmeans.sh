#!/bin/sh
# k-means benchmark: 1,000,000 x 16 generated rows, k = 8, the same initial centers (rows
# 0..7) and tol = 0 with a fixed iteration cap (ITERS, default 30) on both sides, so the
# time per iteration compares like for like. libcrm (bench_kmeans: the default AUTO, which
# moves from Lloyd to Hamerly once few labels change, and Lloyd and Hamerly alone)
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
a=$("$bench" "$rows" "$iters" auto)
c=$("$bench" "$rows" "$iters" lloyd)
h=$("$bench" "$rows" "$iters" hamerly)
c1=$("$bench" "$rows" "$iters" auto 1)
sl=$(/usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" lloyd sklearn-lloyd)
se=$(/usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" elkan sklearn-elkan)
sl1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" lloyd sklearn-lloyd-1thread)
se1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" elkan sklearn-elkan-1thread)
printf '%s\n' "$a" "$c" "$h" "$c1" "$sl" "$se" "$sl1" "$se1"
printf '%s\n' "$a" "$c" "$h" "$c1" "$sl" "$se" "$sl1" "$se1" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        a = v[1, "per_iter_ms"]; c = v[2, "per_iter_ms"]; h = v[3, "per_iter_ms"]; c1 = v[4, "per_iter_ms"]
        l = v[5, "per_iter_ms"]; e = v[6, "per_iter_ms"]
        best = l < e ? l : e; name = l < e ? "lloyd" : "elkan"
        printf "summary: libcrm %.2f ms/iter (auto; lloyd %.2f; hamerly %.2f; auto on one thread %.2f), peak RSS %.1f MiB = %.2fx the %.1f MiB data (lloyd %.2fx, hamerly %.2fx)\n", \
            a, c, h, c1, v[1, "peak_rss_kb"] / 1024, v[1, "peak_rss_kb"] / v[1, "data_kb"], v[1, "data_kb"] / 1024, \
            v[2, "peak_rss_kb"] / v[2, "data_kb"], v[3, "peak_rss_kb"] / v[3, "data_kb"]
        printf "summary: scikit-learn lloyd %.2f ms/iter, elkan %.2f (one thread: %.2f, %.2f), peak RSS %.1f / %.1f MiB\n", \
            l, e, v[7, "per_iter_ms"], v[8, "per_iter_ms"], v[5, "peak_rss_kb"] / 1024, v[6, "peak_rss_kb"] / 1024
        rel = v[1, "inertia"] - v[5, "inertia"]; if (rel < 0) rel = -rel; rel /= v[5, "inertia"]
        same = v[1, "inertia"] == v[2, "inertia"] && v[1, "inertia"] == v[3, "inertia"] ? "identical" : "DIFFERENT"
        printf "ratio=%.2f (faster scikit-learn, %s, / libcrm auto per iteration); iterations %d vs %d; inertia relative difference %.1e; libcrm auto/lloyd/hamerly inertia %s\n", \
            best / a, name, v[1, "n_iter"], v[5, "n_iter"], rel, same
        printf "bandwidth: one plain sum over the data %.2f ms; libcrm iteration = %.1fx that pass\n", \
            v[1, "sum_pass_ms"], a / v[1, "sum_pass_ms"]
    }'
