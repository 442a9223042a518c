#!/bin/sh
# What removing the redundant rules (crm apriori --dedup, crm_apriori_options.prune_redundant)
# costs a user: the whole command `crm apriori FILE --baskets --min-support S -o rules.csv`,
# with and without --dedup, on the FIMI retail.dat baskets (88,162 baskets), median of RUNS
# runs each, alternating, on all cores (the pruning itself runs on the calling thread).
# Prints the rules written and the medians; fails (exit 1) unless every --dedup rule is also
# a rule of the run without it, with the same measures (the pruning only drops rows).
#
# Usage: bench/run_apriori_dedup.sh [FILE]   (RUNS=7, SUPPORTS="0.002 0.001", BUILD_DIR=build/release)
# Build first: cmake --preset release && cmake --build --preset release
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${1:-$root/../shared/data/fimi_retail/retail.dat}
runs=${RUNS:-7}
supports=${SUPPORTS:-0.002 0.001}
crm=${BUILD_DIR:-$root/build/release}/crm
if [ ! -x "$crm" ]; then
    echo "run_apriori_dedup.sh: $crm not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build --preset release" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-apriori-dedup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat "$data" >/dev/null # warm the page cache

# wall FILE.times COMMAND...: append the wall time of one run in seconds
wall() {
    f=$1
    shift
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.4f\n", ns / 1e9 }' >>"$f"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-11s %10s %10s %12s %12s %8s\n' min_support rules dedup all_s dedup_s ratio
for s in $supports; do
    : >"$tmp/all.t"
    : >"$tmp/dedup.t"
    for _ in $(seq "$runs"); do
        wall "$tmp/all.t" "$crm" apriori "$data" --baskets --min-support "$s" -o "$tmp/all.csv"
        wall "$tmp/dedup.t" "$crm" apriori "$data" --baskets --min-support "$s" --dedup \
            -o "$tmp/dedup.csv"
    done
    n_all=$(($(wc -l <"$tmp/all.csv") - 1))
    n_dedup=$(($(wc -l <"$tmp/dedup.csv") - 1))
    # every --dedup row (rule and all its measures) is a row of the full table
    LC_ALL=C sort "$tmp/all.csv" >"$tmp/a.s"
    LC_ALL=C sort "$tmp/dedup.csv" >"$tmp/d.s"
    if [ -n "$(LC_ALL=C comm -13 "$tmp/a.s" "$tmp/d.s")" ]; then
        echo "run_apriori_dedup.sh: a --dedup rule is not a rule of the full table" >&2
        exit 1
    fi
    a=$(median "$tmp/all.t")
    d=$(median "$tmp/dedup.t")
    printf '%-11s %10d %10d %12s %12s %8s\n' "$s" "$n_all" "$n_dedup" "$a" "$d" \
        "$(awk -v a="$a" -v d="$d" 'BEGIN { printf "%.2fx", d / a }')"
done
