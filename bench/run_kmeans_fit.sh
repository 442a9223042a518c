#!/bin/sh
# The whole k-means fit as a user times it: crm_kmeans_fit against scikit-learn's
# KMeans(n_clusters=K, n_init=N, random_state=0).fit(X), k-means++ seeding included, the
# default tol (1e-4) and algorithm on both sides, on generated blobs (bench/kmeans_fit.c):
# 200,000 and 1,000,000 rows x 16, k = 8 and 32, n_init = 1 and 10 (8 configurations),
# one thread against one thread (libcrm n_threads = 1; scikit-learn with OMP_NUM_THREADS=1
# OPENBLAS_NUM_THREADS=1 and threadpoolctl limits of 1) and two against two (libcrm
# n_threads = 2; scikit-learn's pools limited to 2). Each side reports the fastest of
# the same number of fits in its own process (wall clock; and the smallest process CPU
# time of a fit, the steadier figure on a loaded machine); for every configuration and
# thread setting the two sides run one after the other (interleaved), so load hits both
# alike. The load average is printed before and after.
#
# Self-check (exit 1 on failure): libcrm's inertia is at most scikit-learn's times
# (1 + 1e-9) (the seeds differ, so labels are not compared; on these blobs both reach the
# same optimum, equal to about 1e-13 relative), and both sides converged to a result.
#
# Usage: bench/run_kmeans_fit.sh [CONFIGS]   (BUILD_DIR=build/release by default)
#   CONFIGS: space-separated ROWS:K:N_INIT:FITS (default: the 8 configurations, 5 fits
#   each with n_init = 1, 3 with n_init = 10 at 200,000 rows and 2 at 1,000,000)
# Build first: cmake --preset release && cmake --build build/release --target bench_kmeans_fit
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
configs=${1:-"200000:8:1:5 200000:8:10:3 200000:32:1:5 200000:32:10:3 1000000:8:1:5 1000000:8:10:2 1000000:32:1:5 1000000:32:10:2"}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_kmeans_fit
if [ ! -x "$bench" ]; then
    echo "run_kmeans_fit.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench_kmeans_fit" >&2
    exit 2
fi
tol=1e-9
echo "load before: $(uptime)"
out=""
for cfg in $configs; do
    rows=${cfg%%:*}
    rest=${cfg#*:}
    k=${rest%%:*}
    rest=${rest#*:}
    ninit=${rest%%:*}
    reps=${rest#*:}
    for t in 1 2; do
        l=$(OPENBLAS_NUM_THREADS=1 "$bench" "$rows" "$k" "$ninit" "$t" "$reps")
        s=$(OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 "$here/kmeans_fit_sklearn.py" "$rows" "$k" "$ninit" "$t" "$reps")
        printf '%s\n%s\n' "$l" "$s"
        out="$out$l
$s
"
    done
done
echo "load after: $(uptime)"
printf '%s' "$out" | awk -v tol="$tol" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        bad = 0; worst = 1e300
        worstc = 1e300
        printf "%-8s %3s %6s %3s %5s %9s %9s %6s %9s %9s %6s  %-22s %-22s\n", "rows", "k", "n_init", "thr", "fits", "libcrm_s", "sklearn_s", "ratio", "lib_cpu", "skl_cpu", "cpu_r", "inertia libcrm", "inertia sklearn"
        for (r = 1; r < NR; r += 2) {
            l = v[r, "fit_s"]; s = v[r + 1, "fit_s"]; ratio = s / l
            cr = v[r + 1, "cpu_s"] / v[r, "cpu_s"]
            if (ratio < worst) worst = ratio
            if (cr < worstc) worstc = cr
            printf "%-8s %3s %6s %3s %5s %9.4f %9.4f %6.2f %9.4f %9.4f %6.2f  %-22s %-22s\n", v[r, "rows"], v[r, "k"], v[r, "n_init"], v[r, "threads"], v[r, "fits"], l, s, ratio, v[r, "cpu_s"], v[r + 1, "cpu_s"], cr, v[r, "inertia"], v[r + 1, "inertia"]
            if (v[r, "inertia"] > v[r + 1, "inertia"] * (1 + tol)) {
                printf "CHECK FAILED: rows=%s k=%s n_init=%s threads=%s: libcrm inertia %s above scikit-learn %s (tolerance %g relative)\n", v[r, "rows"], v[r, "k"], v[r, "n_init"], v[r, "threads"], v[r, "inertia"], v[r + 1, "inertia"], tol
                bad = 1
            }
        }
        printf "summary: smallest ratio scikit-learn / libcrm: wall %.2f (fastest fit on each side), CPU time %.2f (smallest per fit); check %s\n", worst, worstc, bad ? "FAILED" : "passed"
        exit bad
    }'
