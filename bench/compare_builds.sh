#!/bin/sh
# Before/after speed check of libcrm itself, for a change that should not change results
# (a refactoring, a faster loop): runs only libcrm's bench binaries of two release builds,
# no reference tool, for every bench/ entry (apriori arima csv group kmeans linear rfm tree).
#
# Usage: bench/compare_builds.sh BEFORE_BUILD AFTER_BUILD
#   BEFORE_BUILD, AFTER_BUILD: release build trees holding the bench_* binaries, e.g. the old
#   commit's tree in a git worktree and this one's:
#     git worktree add ../libcrm-before OLD_COMMIT
#     (cd ../libcrm-before && cmake --preset release &&
#      cmake --build build/release --target bench -j2)
#     cmake --preset release && cmake --build build/release --target bench -j2
#     bench/compare_builds.sh ../libcrm-before/build/release build/release
#
# Each entry runs the bench binary as its run_<name>.sh does (same arguments and thread
# settings, every configuration of it), at the sizes below. The two builds alternate, one
# configuration at a time, ROUNDS times (before first in odd rounds, after first in even
# ones), so machine noise hits both alike; each side keeps its fastest figure of the
# statistic the binary reports (min_s where it prints one: its fastest run; else the
# fastest-of-N figure: per_iter_ms, fit_s, fit_ms, total_s). Prints one line per entry:
#   entry, statistic, before, after, after/before, sizes
# where an entry with several configurations (1 and all threads, two supports...) adds up
# their fastest figures; DETAIL=1 also prints one line per configuration.
#
# Self-check: every figure a binary prints besides times and memory (keys ending in _s or
# _ms, peak_rss_kb) - row and itemset counts, inertia, coefficients, leaves, accuracies,
# checksums, arima's chosen orders - must be the same text in every run, on both builds.
# A difference prints CHECK FAILED and the script exits 1 (after all entries ran). Speed
# is reported, never asserted. Exit 2: bad arguments, a missing binary or input.
#
# Environment (defaults in brackets; smaller than the run_ scripts' so that the whole check
# takes 6-8 minutes on a shared 2-core machine at load 5-10, less when it is quiet;
# DETAIL=1 also shows how long each entry took):
#   ROUNDS [3]  ENTRIES ["apriori arima csv group kmeans linear rfm tree"]  DETAIL [0]
#   APRIORI_RUNS [5] APRIORI_SUPPORTS ["0.001 0.0005"]     (run_apriori.sh: RUNS=7)
#   ARIMA_REPS [20] ARIMA_SERIES [5]; 0 series skips the panel (run_arima.sh: 50, 1000)
#   CSV_RUNS [5]                                           (run_csv.sh: RUNS=5)
#   GROUP_ROWS [5000000] GROUP_KEYS [500000] GROUP_RUNS [3] (run_group.sh: 10M, 1M, 5)
#   KMEANS_ROWS [300000] KMEANS_ITERS [30]                 (run_kmeans.sh: 1M, 30)
#   LINEAR_ROWS [300000] LINEAR_COLS [50] LINEAR_REPS [2]  (run_linear.sh: 1M, 50, 5)
#   RFM_RUNS [3] RFM_SYNTH_ROWS [2000000] RFM_SYNTH_CUSTOMERS [200000]; 0 rows skips the
#     generated part                                       (run_rfm.sh: 5, 5M, 500k)
#   TREE_ROWS [250000] TREE_DEPTH [10] TREE_REPEAT [1]     (run_tree.sh: 1M, 10, 3)
# Inputs: csv, rfm, apriori, arima (AirPassengers) and linear (Telco) read ../shared/data
# relative to this tree's root, as their run scripts do; the decompressed CSV, the group-by
# file (bench_group --write of the after build) and the arima panel (bench/arima_panel.R,
# needs Rscript) go to a temporary directory removed at exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=$root/../shared/data
all_entries="apriori arima csv group kmeans linear rfm tree"

if [ $# -ne 2 ]; then
    echo "usage: bench/compare_builds.sh BEFORE_BUILD AFTER_BUILD   (see the header)" >&2
    exit 2
fi
for d in "$1" "$2"; do
    if [ ! -d "$d" ]; then
        echo "compare_builds.sh: $d is not a directory" >&2
        exit 2
    fi
done
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
rounds=${ROUNDS:-3}
entries=${ENTRIES:-$all_entries}
detail=${DETAIL:-0}
case $rounds in
'' | *[!0-9]* | 0)
    echo "compare_builds.sh: ROUNDS must be a positive integer" >&2
    exit 2
    ;;
esac
for e in $entries; do
    case " $all_entries " in
    *" $e "*) ;;
    *)
        echo "compare_builds.sh: unknown entry '$e' (entries: $all_entries)" >&2
        exit 2
        ;;
    esac
    for d in "$before" "$after"; do
        if [ ! -x "$d/bench_$e" ]; then
            echo "compare_builds.sh: $d/bench_$e not found; build it with:" >&2
            echo "  cmake --preset release && cmake --build build/release --target bench" >&2
            exit 2
        fi
    done
done
# every "all cores" configuration runs on all cores, as in the run scripts
unset CRM_BENCH_THREADS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-compare-builds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
failed=0

need() {
    if [ ! -f "$1" ]; then
        echo "compare_builds.sh: input $1 not found" >&2
        exit 2
    fi
}

# fingerprint FILE: one line per printed figure that is not a time or a memory size.
fingerprint() {
    awk '{ for (i = 1; i <= NF; i++) { k = $i; sub(/=.*/, "", k)
               if (k ~ /_(s|ms)$/ || k == "peak_rss_kb") continue
               print $i } }' "$1"
    if [ -f "$1.extra" ]; then
        sed 's/^/file: /' "$1.extra"
    fi
}

# cfg NAME STAT [VAR=VALUE...] bench_PROG ARGS...
# One configuration of entry $e in round $round, on both builds in the order $order: runs
# the build's bench_PROG with ARGS (the word @extra becomes a file of this run, compared
# with the figures: arima's orders), keeps stdout under $tmp/run/$e/NAME/SIDE.ROUND and
# checks its figures against the before build's in round 1. STAT: the key to take the
# fastest of, KEY*FACTOR to scale it for the entry's sum.
cfg() {
    name=$1
    stat=$2
    shift 2
    dir_run=$tmp/run/$e/$name
    if [ "$round" -eq 1 ]; then
        mkdir -p "$dir_run"
        echo "$name $stat" >>"$tmp/run/$e/cfgs"
    fi
    for side in $order; do
        if [ "$side" = before ]; then bin=$before; else bin=$after; fi
        out=$dir_run/$side.$round
        rc=0
        (
            first=1
            for a do
                if [ "$first" = 1 ]; then
                    set --
                    first=0
                fi
                case $a in
                bench_*) set -- "$@" "$bin/$a" ;;
                @extra) set -- "$@" "$out.extra" ;;
                *) set -- "$@" "$a" ;;
                esac
            done
            exec env "$@"
        ) >"$out" 2>"$out.err" || rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "compare_builds.sh: $e $name: the $side build's bench failed (exit $rc):" >&2
            sed 's/^/  /' "$out.err" >&2
            exit 1
        fi
        fingerprint "$out" >"$out.res"
        if [ ! -f "$dir_run/ref" ]; then
            cp "$out.res" "$dir_run/ref"
        elif ! cmp -s "$dir_run/ref" "$out.res"; then
            failed=1
            # once per configuration and side
            [ ! -f "$dir_run/failed.$side" ] || continue
            : >"$dir_run/failed.$side"
            echo "CHECK FAILED: $e $name: the $side build (round $round) prints other figures than the before build in round 1:"
            awk 'NR == FNR { a[FNR] = $0; n = FNR; next }
                 { b[FNR] = $0; m = FNR }
                 END { if (m > n) n = m
                       for (i = 1; i <= n && shown < 8; i++)
                           if (a[i] != b[i]) { printf "  before: %s\n  %-6s: %s\n", a[i], side, b[i]; shown++ } }' \
                side="$side" "$dir_run/ref" "$out.res"
        fi
    done
}

# report LABEL: the entry's line (and with DETAIL=1 its configurations' lines).
report() {
    awk -v dir="$tmp/run/$e" -v rounds="$rounds" -v e="$e" -v label="$1" -v sizes="$sizes" \
        -v detail="$detail" '
        function ratio(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "-" }
        { name[NR] = $1; key[NR] = $2; f[NR] = 1
          if (split($2, p, "*") == 2) { key[NR] = p[1]; f[NR] = p[2] }
          for (s = 1; s <= 2; s++) {
              side = s == 1 ? "before" : "after"; best = ""
              for (r = 1; r <= rounds; r++) {
                  file = dir "/" $1 "/" side "." r; sum = 0; n = 0
                  while ((getline line < file) > 0) {
                      m = split(line, t, " ")
                      for (i = 1; i <= m; i++) {
                          eq = index(t[i], "=")
                          if (eq && substr(t[i], 1, eq - 1) == key[NR]) { sum += substr(t[i], eq + 1); n++ }
                      }
                  }
                  close(file)
                  if (!n) { printf "compare_builds.sh: %s %s: no %s= in the output\n", e, $1, key[NR] > "/dev/stderr"; bad = 1; continue }
                  if (best == "" || sum < best) best = sum
              }
              v[NR, s] = best; tot[s] += best * f[NR]
          }
          if (NR > 1 && key[NR] != key[1]) mixed = 1
        }
        END {
            if (bad) exit 1
            if (label == "") label = key[1] (NR > 1 ? " (sum of " NR ")" : "")
            printf "%-8s %-28s %11.4f %11.4f %12s   %s\n", e, label, tot[1], tot[2], ratio(tot[2], tot[1]), sizes
            if (detail == 1 && NR > 1)
                for (c = 1; c <= NR; c++)
                    printf "  %-10s %-24s %11.4f %11.4f %12s\n", name[c], key[c], v[c, 1], v[c, 2], ratio(v[c, 2], v[c, 1])
        }' "$tmp/run/$e/cfgs"
}

entry_apriori() {
    file=$data/fimi_retail/retail.dat
    need "$file"
    runs=${APRIORI_RUNS:-5}
    sups=${APRIORI_SUPPORTS:-0.001 0.0005}
    sizes="retail.dat min_support=$(printf '%s' "$sups" | tr -s ' ' ,) runs=$runs threads=1,all"
    cat "$file" >/dev/null # warm the page cache
    for s in $sups; do
        cfg "$s-1t" min_s bench_apriori "$file" "$s" "$runs" 1
        cfg "$s-all" min_s bench_apriori "$file" "$s" "$runs" 0
    done
}

entry_arima() {
    ap=$data/airpassengers/airpassengers.csv
    need "$ap"
    reps=${ARIMA_REPS:-20}
    ns=${ARIMA_SERIES:-5}
    sizes="airline CSS-ML,ML reps=$reps"
    cfg single 'fit_ms*0.001' bench_arima single "$ap" "$reps"
    [ "$ns" -gt 0 ] || return 0
    sizes="$sizes; panel series=$ns threads=1,2"
    panel=$tmp/arima_panel.csv
    if [ ! -f "$panel" ]; then
        if ! command -v Rscript >/dev/null; then
            echo "compare_builds.sh: the arima panel needs Rscript (ARIMA_SERIES=0 skips it)" >&2
            exit 2
        fi
        Rscript "$here/arima_panel.R" "$panel" "$ns"
    fi
    cfg auto-1t total_s bench_arima auto "$panel" 1 @extra
    cfg auto-2t total_s bench_arima auto "$panel" 2 @extra
}

entry_csv() {
    gz=$data/online_retail/online_retail.csv.gz
    need "$gz"
    runs=${CSV_RUNS:-5}
    sizes="online_retail.csv runs=$runs"
    csv=$tmp/online_retail.csv
    [ -f "$csv" ] || gzip -dc "$gz" >"$csv"
    cat "$csv" >/dev/null # warm the page cache
    cfg load min_s bench_csv "$csv" "$runs"
}

entry_group() {
    rows=${GROUP_ROWS:-5000000}
    keys=${GROUP_KEYS:-500000}
    runs=${GROUP_RUNS:-3}
    sizes="rows=$rows keys=$keys runs=$runs"
    file=$tmp/group.bin
    [ -f "$file" ] || "$after/bench_group" --write "$file" "$rows" "$keys"
    cfg group min_s bench_group "$file" "$runs"
}

entry_kmeans() {
    rows=${KMEANS_ROWS:-300000}
    iters=${KMEANS_ITERS:-30}
    sizes="rows=$rows (x16, k=8) iters=$iters, fastest of 5 fits; auto,lloyd,hamerly all threads, auto 1"
    cfg auto per_iter_ms bench_kmeans "$rows" "$iters" auto
    cfg lloyd per_iter_ms bench_kmeans "$rows" "$iters" lloyd
    cfg hamerly per_iter_ms bench_kmeans "$rows" "$iters" hamerly
    cfg auto-1t per_iter_ms bench_kmeans "$rows" "$iters" auto 1
}

entry_linear() {
    telco=$data/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
    need "$telco"
    rows=${LINEAR_ROWS:-300000}
    cols=${LINEAR_COLS:-50}
    reps=${LINEAR_REPS:-2}
    sizes="telco; synth rows=$rows cols=$cols; reps=$reps threads=all,1"
    cfg telco fit_s REPS="$reps" bench_linear telco "$telco"
    cfg telco-1t fit_s REPS="$reps" CRM_BENCH_THREADS=1 bench_linear telco "$telco"
    cfg synth fit_s REPS="$reps" bench_linear synth "$rows" "$cols"
    cfg synth-1t fit_s REPS="$reps" CRM_BENCH_THREADS=1 bench_linear synth "$rows" "$cols"
}

entry_rfm() {
    gz=$data/online_retail/online_retail.csv.gz
    need "$gz"
    runs=${RFM_RUNS:-3}
    srows=${RFM_SYNTH_ROWS:-2000000}
    scust=${RFM_SYNTH_CUSTOMERS:-200000}
    sizes="online_retail.csv.gz runs=$runs"
    cat "$gz" >/dev/null # warm the page cache
    cfg file min_s bench_rfm "$gz" "$runs"
    [ "$srows" -gt 0 ] || return 0
    sizes="$sizes; synthetic rows=$srows customers=$scust"
    cfg synth min_s bench_rfm --synthetic "$srows" "$scust" "$runs"
}

entry_tree() {
    rows=${TREE_ROWS:-250000}
    depth=${TREE_DEPTH:-10}
    repeat=${TREE_REPEAT:-1}
    sizes="rows=$rows (x20) depth=$depth repeat=$repeat; exact,hist threads=1,all"
    cfg exact-1t fit_s bench_tree "$rows" "$depth" exact "$repeat" 1
    cfg hist-1t fit_s bench_tree "$rows" "$depth" hist "$repeat" 1
    cfg exact-all fit_s bench_tree "$rows" "$depth" exact "$repeat" 0
    cfg hist-all fit_s bench_tree "$rows" "$depth" hist "$repeat" 0
}

echo "compare_builds: before $before"
echo "compare_builds: after  $after"
echo "compare_builds: $rounds round(s), builds alternating; each side's fastest; figures other than times compared exactly"
printf "%-8s %-28s %11s %11s %12s   %s\n" entry statistic before after "after/before" sizes
for e in $entries; do
    mkdir -p "$tmp/run/$e"
    t0=$(date +%s)
    round=1
    while [ "$round" -le "$rounds" ]; do
        if [ $((round % 2)) -eq 1 ]; then order="before after"; else order="after before"; fi
        "entry_$e"
        round=$((round + 1))
    done
    label=
    if [ "$e" = arima ]; then
        label="s: fit_ms/1000"
        [ "${ARIMA_SERIES:-5}" -eq 0 ] || label="$label + total_s"
    fi
    report "$label"
    [ "$detail" != 1 ] || echo "  ($e took $(($(date +%s) - t0)) s)"
    rm -f "$tmp/online_retail.csv" "$tmp/group.bin" "$tmp/arima_panel.csv"
done
echo "compare_builds: total $(($(date +%s) - start)) s"
if [ "$failed" -ne 0 ]; then
    echo "compare_builds: FAILED: the builds print different figures (see CHECK FAILED above)"
    exit 1
fi
echo "compare_builds: check: the same figures from both builds in every run"
