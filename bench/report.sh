#!/bin/sh
# `crm report` on Online Retail, the whole command from a cold process (new
# process each run, page cache warm): read the 541,909-line .csv.gz, filter
# (the usual cleaning: known customer, Quantity > 0, UnitPrice > 0, no
# cancellation), RFM, k-means, churn model, Apriori, ARIMA, HTML, atomic write.
# Best and median of RUNS runs, with all cores (--threads 0) and one thread
# (--threads 1); the two pages must be byte-identical (the report does not
# depend on the thread count) and at most 2 MB. For scale, the same analyses
# as the nine crm commands that docs/report.md lists as the report's
# equivalents (each reads the data again, as a shell pipeline would), run
# once each, summed.
#
# Usage: bench/report.sh [FILE.csv.gz]   (RUNS=7, BUILD_DIR=build/release)
# Build first: cmake --preset release && cmake --build --preset release --target crm_cli
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${1:-$root/../shared/data/online_retail/online_retail.csv.gz}
runs=${RUNS:-7}
crm=${BUILD_DIR:-$root/build/release}/crm
[ -x "$crm" ] || { echo "report.sh: $crm not found (build the release preset)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$data" >/dev/null
clean="CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')"
cols="--customer CustomerID --date InvoiceDate --invoice InvoiceNo"

now() { date +%s.%N; }
report() { # $1 threads, $2 output
    "$crm" report "$data" -o "$2" $cols --quantity Quantity --price UnitPrice \
        --item Description --filter "$clean" --threads "$1" 2>/dev/null
}
timed() { # prints best and median seconds of RUNS runs of report $1
    i=0
    while [ $i -lt "$runs" ]; do
        t0=$(now)
        report "$1" "$tmp/r$1.html"
        t1=$(now)
        echo "$t0 $t1" | awk '{printf "%.4f\n", $2 - $1}'
        i=$((i + 1))
    done | sort -n | awk '{v[NR] = $1} END {printf "best %.3f s, median %.3f s", v[1], v[int((NR + 1) / 2)]}'
}

echo "crm report, $(basename "$data"), $runs runs each, $(nproc) cores"
echo "  all cores (--threads 0): $(timed 0)"
echo "  one thread (--threads 1): $(timed 1)"
cmp "$tmp/r0.html" "$tmp/r1.html" || { echo "report.sh: pages differ by thread count" >&2; exit 1; }
size=$(wc -c <"$tmp/r0.html")
echo "  page: $size bytes (limit 2,097,152)"
[ "$size" -le 2097152 ] || { echo "report.sh: page over 2 MB" >&2; exit 1; }
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M %U %S" -o "$tmp/rss" "$crm" report "$data" -o "$tmp/m.html" $cols \
        --quantity Quantity --price UnitPrice --item Description --filter "$clean" 2>/dev/null
    tail -1 "$tmp/rss" | awk '{printf "  peak memory: %d KiB; CPU time of one run: %.2f s user + %.2f s system\n", $1, $2, $3}'
    echo "  load average while measured: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

# the equivalent commands (docs/report.md), once each
t0=$(now)
"$crm" clean "$data" -o "$tmp/s.csv" --filter "$clean" --mutate "Amount=Quantity * UnitPrice" >/dev/null 2>&1
"$crm" rfm "$tmp/s.csv" -o "$tmp/rfm.csv" $cols --amount Amount --json >"$tmp/rfm.json"
asof=$(sed 's/.*"as_of": "\([0-9-]*\)".*/\1/' "$tmp/rfm.json")
cut=$(date -u -d "$asof - 90 days" +%Y-%m-%d)
"$crm" kmeans "$tmp/rfm.csv" --columns recency_days,frequency,monetary --log frequency,monetary \
    --standardize --k 4 --seed 0 --json >/dev/null
"$crm" rfm "$tmp/s.csv" -o "$tmp/churn.csv" $cols --amount Amount --as-of "$cut" --churn-days 90 >/dev/null
"$crm" logreg "$tmp/churn.csv" --target churned --features recency_days,frequency,monetary,tenure_days \
    --l2 1 --model "$tmp/churn.json" --json >/dev/null
"$crm" predict "$tmp/churn.json" "$tmp/rfm.csv" -o "$tmp/pred.csv" >/dev/null
"$crm" apriori "$tmp/s.csv" --tid InvoiceNo --item Description --min-support 0.01 --min-lift 2 \
    --dedup --json >/dev/null
"$crm" clv "$tmp/s.csv" --customer CustomerID --date InvoiceDate --amount Amount --json >/dev/null
"$crm" arima "$tmp/s.csv" --time InvoiceDate --value Amount --period month --auto --horizon 6 \
    --level 80 --level 95 --json >/dev/null
t1=$(now)
echo "  the equivalent crm commands, in sequence: $(echo "$t0 $t1" | awk '{printf "%.3f s", $2 - $1}')"
