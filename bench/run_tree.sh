#!/bin/sh
# Decision-tree benchmark: 1,000,000 x 20 generated rows (5 informative, 15 noise features,
# 0/1 target), max_depth 10. libcrm exact mode and histogram mode (255 bins) against
# scikit-learn DecisionTreeClassifier(max_depth=10, random_state=0), each in its own process
# so peak memory is measured separately, all in one run so the ratios compare like with like
# on a shared machine. Accuracy on the training rows and on 200,000 held-out rows.
# scikit-learn builds one tree on one thread, so the ratios compare libcrm on one thread
# with it; libcrm on all cores is reported beside them. Every side: fastest of REPEAT fits
# (default 3). Fails (exit 1) unless the exact tree is scikit-learn's (same leaves, same
# training and held-out accuracy) on one thread and on all cores, the histogram tree is the
# same on both, and its accuracies are within 0.5 point of scikit-learn's.
#
# Usage: bench/run_tree.sh [ROWS [DEPTH]]     (REPEAT=3, BUILD_DIR=build/release by default)
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
repeat=${REPEAT:-3}
# scikit-learn fits one tree on one thread (it has no thread pool for a single tree): the
# ratios are quoted thread for thread (libcrm on one thread); libcrm on all cores is
# reported beside them. Every side reports the fastest of REPEAT fits.
e1=$("$bench" "$rows" "$depth" exact "$repeat" 1)
h1=$("$bench" "$rows" "$depth" hist "$repeat" 1)
e=$("$bench" "$rows" "$depth" exact "$repeat" 0)
h=$("$bench" "$rows" "$depth" hist "$repeat" 0)
s=$(/usr/bin/python3 "$here/tree_sklearn.py" "$rows" "$depth" "$repeat")
printf '%s\n' "$e1" "$h1" "$e" "$h" "$s"
printf '%s\n' "$e1" "$h1" "$e" "$h" "$s" | awk -v hist_tol=0.005 '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        sk = v[5, "fit_s"]
        printf "summary: exact, one thread %.3f s (%.2fx faster than scikit-learn %.3f s, one thread); all cores %.3f s (%.2fx)\n", \
            v[1, "fit_s"], sk / v[1, "fit_s"], sk, v[3, "fit_s"], sk / v[3, "fit_s"]
        printf "summary: exact tree: train accuracy %.6f vs %.6f, held-out %.6f vs %.6f, leaves %d vs %d\n", \
            v[1, "train_acc"], v[5, "train_acc"], v[1, "test_acc"], v[5, "test_acc"], v[1, "leaves"], v[5, "leaves"]
        printf "summary: histogram, one thread %.3f s (%.2fx faster); all cores %.3f s (%.2fx); train accuracy %.6f (%+.2f points), held-out %.6f (%+.2f points), leaves %d\n", \
            v[2, "fit_s"], sk / v[2, "fit_s"], v[4, "fit_s"], sk / v[4, "fit_s"], v[2, "train_acc"], 100 * (v[2, "train_acc"] - v[5, "train_acc"]), \
            v[2, "test_acc"], 100 * (v[2, "test_acc"] - v[5, "test_acc"]), v[2, "leaves"]
        printf "summary: peak RSS exact %.1f MiB, histogram %.1f MiB (one thread), scikit-learn %.1f MiB (float64 data %.1f MiB)\n", \
            v[1, "peak_rss_kb"] / 1024, v[2, "peak_rss_kb"] / 1024, v[5, "peak_rss_kb"] / 1024, v[1, "data_kb"] / 1024
        printf "summary: prediction %.1f M rows/s (exact tree, one thread), scikit-learn %.1f M rows/s\n", \
            v[1, "predict_mrows_s"], v[5, "predict_mrows_s"]
        # self-check: the exact tree is the scikit-learn tree (same seed, same splits) for any
        # thread count; the histogram tree is the same for any thread count and within
        # hist_tol (0.5 point, the goal) of the scikit-learn accuracy
        bad = 0
        for (r = 1; r <= 3; r += 2)
            if (v[r, "leaves"] != v[5, "leaves"] || v[r, "train_acc"] != v[5, "train_acc"] || v[r, "test_acc"] != v[5, "test_acc"]) {
                printf "CHECK FAILED: %s (threads %s) is not scikit-learn'"'"'s tree: leaves %s vs %s, accuracy %s / %s vs %s / %s\n", \
                    v[r, "impl"], v[r, "threads"], v[r, "leaves"], v[5, "leaves"], v[r, "train_acc"], v[r, "test_acc"], v[5, "train_acc"], v[5, "test_acc"]
                bad = 1
            }
        if (v[2, "leaves"] != v[4, "leaves"] || v[2, "train_acc"] != v[4, "train_acc"] || v[2, "test_acc"] != v[4, "test_acc"]) {
            printf "CHECK FAILED: the histogram tree differs between one thread and all cores\n"; bad = 1
        }
        dt = v[2, "train_acc"] - v[5, "train_acc"]; if (dt < 0) dt = -dt
        dh = v[2, "test_acc"] - v[5, "test_acc"]; if (dh < 0) dh = -dh
        if (dt > hist_tol || dh > hist_tol) {
            printf "CHECK FAILED: histogram accuracy %.2f / %.2f points from scikit-learn (tolerance %.1f)\n", 100 * dt, 100 * dh, 100 * hist_tol; bad = 1
        }
        printf "check: exact tree = scikit-learn'"'"'s (leaves, train and held-out accuracy) on one thread and all cores; histogram tree the same on both, %.2f / %.2f points from scikit-learn (tolerance %.1f)%s\n", \
            100 * dt, 100 * dh, 100 * hist_tol, bad ? ": FAILED" : ""
        exit bad
    }'
