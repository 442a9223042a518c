#!/bin/sh
# k-means benchmark: 1,000,000 x 16 generated rows, k = 8, the same initial centers (rows
# 0..7) and tol = 0 with a fixed iteration cap (ITERS, default 30) on both sides, so the
# time per iteration compares like for like. libcrm (bench_kmeans: the default AUTO, which
# moves from Lloyd to Hamerly once few labels change, and Lloyd and Hamerly alone)
# against scikit-learn KMeans(algorithm="lloyd") and (algorithm="elkan"), n_init = 1,
# each in its own process so peak memory is measured separately; scikit-learn also with
# OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1. Also reports libcrm's time per iteration
# against one plain sum over the same amount of data (the memory-bandwidth floor).
# Every side reports the fastest of 5 fits; the ratio is the fastest scikit-learn (either
# algorithm, default threads or one thread) over libcrm AUTO at its best, and thread for
# thread. The script fails (exit 1) unless every run did the same number of iterations,
# libcrm's runs reached the same inertia to the last bit and scikit-learn's is within
# 1e-12 relative of it.
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
# self-check tolerance: libcrm's inertia is the same bits for every algorithm and thread count;
# scikit-learn's sums in another order (its own one- and multi-thread runs differ by 2e-14)
tol=1e-12
a=$("$bench" "$rows" "$iters" auto)
c=$("$bench" "$rows" "$iters" lloyd)
h=$("$bench" "$rows" "$iters" hamerly)
c1=$("$bench" "$rows" "$iters" auto 1)
sl=$(/usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" lloyd sklearn-lloyd)
se=$(/usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" elkan sklearn-elkan)
sl1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" lloyd sklearn-lloyd-1thread)
se1=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/kmeans_sklearn.py" "$rows" "$iters" elkan sklearn-elkan-1thread)
printf '%s\n' "$a" "$c" "$h" "$c1" "$sl" "$se" "$sl1" "$se1"
printf '%s\n' "$a" "$c" "$h" "$c1" "$sl" "$se" "$sl1" "$se1" | awk -v tol="$tol" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        a = v[1, "per_iter_ms"]; c = v[2, "per_iter_ms"]; h = v[3, "per_iter_ms"]; a1 = v[4, "per_iter_ms"]
        l = v[5, "per_iter_ms"]; e = v[6, "per_iter_ms"]; l1 = v[7, "per_iter_ms"]; e1 = v[8, "per_iter_ms"]
        printf "summary: libcrm %.2f ms/iter (auto; lloyd %.2f; hamerly %.2f; auto on one thread %.2f), peak RSS %.1f MiB = %.2fx the %.1f MiB data (lloyd %.2fx, hamerly %.2fx)\n", \
            a, c, h, a1, v[1, "peak_rss_kb"] / 1024, v[1, "peak_rss_kb"] / v[1, "data_kb"], v[1, "data_kb"] / 1024, \
            v[2, "peak_rss_kb"] / v[2, "data_kb"], v[3, "peak_rss_kb"] / v[3, "data_kb"]
        printf "summary: scikit-learn lloyd %.2f ms/iter, elkan %.2f (one thread: %.2f, %.2f), peak RSS %.1f / %.1f MiB\n", \
            l, e, l1, e1, v[5, "peak_rss_kb"] / 1024, v[6, "peak_rss_kb"] / 1024
        # the reference at its best: the fastest of its two algorithms and two thread settings
        best = l; name = "lloyd, default threads"
        if (e < best) { best = e; name = "elkan, default threads" }
        if (l1 < best) { best = l1; name = "lloyd, one thread" }
        if (e1 < best) { best = e1; name = "elkan, one thread" }
        mine = a < a1 ? a : a1
        printf "ratio=%.2f (fastest scikit-learn, %s, / fastest libcrm auto, per iteration; fastest of 5 fits on each side); all cores %.2f, one thread %.2f\n", \
            best / mine, name, (l < e ? l : e) / a, (l1 < e1 ? l1 : e1) / a1
        printf "bandwidth: one plain sum over the data %.2f ms; libcrm iteration = %.1fx that pass\n", \
            v[1, "sum_pass_ms"], a / v[1, "sum_pass_ms"]
        # self-check: every run did the same iterations and reached the same inertia
        bad = 0
        for (r = 2; r <= 8; r++) if (v[r, "n_iter"] != v[1, "n_iter"]) { printf "CHECK FAILED: %s ran %d iterations, libcrm-auto %d\n", v[r, "impl"], v[r, "n_iter"], v[1, "n_iter"]; bad = 1 }
        for (r = 2; r <= 4; r++) if (v[r, "inertia"] != v[1, "inertia"]) { printf "CHECK FAILED: %s inertia %s differs from libcrm-auto %s (libcrm gives the same bits for every algorithm and thread count)\n", v[r, "impl"], v[r, "inertia"], v[1, "inertia"]; bad = 1 }
        worst = 0
        for (r = 5; r <= 8; r++) {
            d = v[r, "inertia"] - v[1, "inertia"]; if (d < 0) d = -d; d /= v[1, "inertia"]
            if (d > worst) worst = d
            if (d > tol) { printf "CHECK FAILED: %s inertia %s is %.2g relative from libcrm %s (tolerance %g)\n", v[r, "impl"], v[r, "inertia"], d, v[1, "inertia"], tol; bad = 1 }
        }
        printf "check: %d iterations everywhere; libcrm inertia identical for auto, lloyd, hamerly and one thread; scikit-learn within %.1e relative (tolerance %g)%s\n", \
            v[1, "n_iter"], worst, tol, bad ? ": FAILED" : ""
        exit bad
    }'
