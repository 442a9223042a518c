#!/bin/sh
# ThreadSanitizer run of libcrm's multi-threaded code: builds the `tsan` preset
# (-fsanitize=thread -O1 -g; the Check runner only) and runs, under TSan, every
# Check suite whose code goes through the thread pool (lib/core/par.c):
#
#   kmeans   k-means (Lloyd, Hamerly, k-means++ seeding) and the silhouette
#   linear   logistic regression and the design-matrix scan
#   tree     decision trees (histograms, split search, partitioning)
#   assoc    Apriori (the subtrees of the single items)
#   arima    crm_arima_fit_many (one fit per group)
#   inuse    a dataset freed by another thread while a fit reads it (reference count)
#
# plus the *_shared suites of the first four (the same code on the real data
# sets in ../shared/data; skipped when it is absent). arima_shared is left out:
# its fit_many case runs the code check_arima's test_fit_many runs with 2
# threads, and the suite alone takes about a minute in the dev build and over
# 13 minutes under TSan (`scripts/tsan.sh arima_shared` runs it). Each of the
# suites has cases with n_threads >= 2 set explicitly (2, 3 or 4 workers
# whatever the number of cores), so the pool really runs several threads here.
#
# Any report fails the run: halt_on_error=1 ends the test that raced (Check
# then counts it as an error and the suite fails), and every report is also
# written under build/tsan/reports/, which must stay empty. libcrm's own code
# has no suppressions.
#
# OpenBLAS runs with one thread (OPENBLAS_NUM_THREADS=1). It is not built with
# TSan: TSan sees neither its memory accesses nor the way its worker threads
# synchronise (spin-waits on plain variables), so it cannot check OpenBLAS, and
# what it would say about memory handed between those workers and libcrm's
# threads (a buffer allocated on one, freed on the other) could be false. With
# one OpenBLAS thread every BLAS/LAPACK call runs on the libcrm thread that
# made it, so the run checks exactly libcrm's own threading, and libcrm's pool
# still runs 2+ threads (several of them calling BLAS at the same time). It
# also keeps spinning OpenBLAS workers from competing with libcrm's threads
# for the cores under TSan's 10-30x slowdown.
#
# Usage: scripts/tsan.sh [SUITE...]   (default: the suites above, arima_shared left out)
# About 5 minutes on 2 cores, building included (docs/notes.md).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$(nproc)" >/dev/null

suites=${*:-"kmeans linear tree assoc arima inuse kmeans_shared linear_shared tree_shared assoc_shared"}
reports=build/tsan/reports
rm -rf "$reports"
mkdir -p "$reports"
export OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 log_path=$PWD/$reports/tsan"
# TSan slows the tests 10-30x: give Check's per-test timeouts room.
export CK_TIMEOUT_MULTIPLIER=10

failed=""
for suite in $suites; do
    start=$(date +%s)
    set +e
    build/tsan/tests/crm_check "$suite" >"$reports/$suite.out" 2>&1
    rc=$?
    set -e
    took=$(($(date +%s) - start))
    case $rc in
    0) echo "tsan: $suite: ok (${took}s)" ;;
    77) echo "tsan: $suite: skipped (no ../shared/data)" ;;
    *) echo "tsan: $suite: FAILED (exit $rc, ${took}s)"; failed="$failed $suite"
       tail -n 5 "$reports/$suite.out" ;;
    esac
done

if ls "$reports"/tsan.* >/dev/null 2>&1; then
    echo "tsan: ThreadSanitizer reports:"
    for f in "$reports"/tsan.*; do
        cat "$f"
    done
    grep -h "^SUMMARY: ThreadSanitizer" "$reports"/tsan.* | sort | uniq -c
    exit 1
fi
if [ -n "$failed" ]; then
    echo "tsan: failed:$failed"
    exit 1
fi
echo "tsan: no ThreadSanitizer report"
