#!/bin/sh
# Decision-tree benchmark: 1,000,000 x 20 generated rows (5 informative, 15 noise features,
# 0/1 target), max_depth 10. libcrm exact mode and histogram mode (255 bins) against
# scikit-learn DecisionTreeClassifier(max_depth=10, random_state=0), each in its own process
# so peak memory is measured separately, all in one run so the ratios compare like with like
# on a shared machine. Accuracy on the training rows and on 200,000 held-out rows.
#
# Usage: bench/run_tree.sh [ROWS [DEPTH]]     (BUILD_DIR=build/release by default)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=${1:-1000000}
depth=${2:-10}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_tree
if [ ! -x "$bench" ]; then
    echo "run_tree.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
e=$("$bench" "$rows" "$depth" exact 3)
h=$("$bench" "$rows" "$depth" hist 3)
s=$(/usr/bin/python3 "$here/tree_sklearn.py" "$rows" "$depth" 1)
printf '%s\n' "$e" "$h" "$s"
printf '%s\n' "$e" "$h" "$s" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        printf "summary: exact %.3f s (%.2fx faster than scikit-learn %.3f s), train accuracy %.6f vs %.6f, held-out %.6f vs %.6f, leaves %d vs %d\n", \
            v[1, "fit_s"], v[3, "fit_s"] / v[1, "fit_s"], v[3, "fit_s"], v[1, "train_acc"], v[3, "train_acc"], \
            v[1, "test_acc"], v[3, "test_acc"], v[1, "leaves"], v[3, "leaves"]
        printf "summary: histogram %.3f s (%.2fx faster), train accuracy %.6f (%+.2f points), held-out %.6f (%+.2f points), leaves %d\n", \
            v[2, "fit_s"], v[3, "fit_s"] / v[2, "fit_s"], v[2, "train_acc"], 100 * (v[2, "train_acc"] - v[3, "train_acc"]), \
            v[2, "test_acc"], 100 * (v[2, "test_acc"] - v[3, "test_acc"]), v[2, "leaves"]
        printf "summary: peak RSS exact %.1f MiB, histogram %.1f MiB, scikit-learn %.1f MiB (float64 data %.1f MiB)\n", \
            v[1, "peak_rss_kb"] / 1024, v[2, "peak_rss_kb"] / 1024, v[3, "peak_rss_kb"] / 1024, v[1, "data_kb"] / 1024
        printf "summary: prediction %.1f M rows/s (exact tree), scikit-learn %.1f M rows/s\n", \
            v[1, "predict_mrows_s"], v[3, "predict_mrows_s"]
    }'
