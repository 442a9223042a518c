#!/bin/sh
# Short commands the way a user runs them: `crm` started cold for each run (a shop
# calling crm per request, a cron job), timed whole from outside (GNU time: wall,
# user and system time of the process and all its threads). Two builds side by side,
# interleaved run by run so that the machine's load hits both alike:
#   A  BASE_DIR  (e.g. a release build of the commit before a change)
#   B  BUILD_DIR (default build/release)
# Commands (shared data under ../shared/data; each skipped when its file is absent):
#   apriori  retail.dat, --baskets --min-support 0.001 --itemsets OUT.csv
#   logreg   the Telco churn CSV (7,043 rows), 11 features (8 text), unpenalised, with
#            inference (the bank-marketing file of issue 19 is not in ../shared/data)
#   rfm      Online Retail .csv.gz, quantity x price, per invoice (rows with a customer
#            and positive quantity and price)
# bench/short_time.py runs them (fork + exec, wall clock around it, user and system
# time from wait4, microseconds) alternating A and B run by run. For each command and
# build: the lowest wall time of RUNS (default 7) with that run's user and system
# time, and the lowest user+system of the RUNS. Both builds must print the same
# standard output and write the same file (the script fails otherwise). Both run with
# their default threads (n_threads 0 = all cores) and no OPENBLAS_* variables.
#
# Last, the idle-CPU figure: tests/idle_cpu.c compiled against each build's libcrm.so
# (a fresh process: logistic and linear regression, k-means, auto-ARIMA, apriori and
# RFM, CPU time over 1 s of sleep after each call; the test's limit is 2 ms).
#
# Usage: BASE_DIR=/path/to/old/build bench/run_short.sh   (RUNS=7, BUILD_DIR=build/release)
# Build first: cmake --preset release && cmake --build build/release --target crm_cli
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=$root/../shared/data
runs=${RUNS:-7}
b_dir=${BUILD_DIR:-$root/build/release}
a_dir=${BASE_DIR:?BASE_DIR: the build to compare with (a directory with crm and libcrm.so.1)}
for d in "$a_dir" "$b_dir"; do
    if [ ! -x "$d/crm" ]; then
        echo "run_short.sh: $d/crm not found (cmake --build DIR --target crm_cli)" >&2
        exit 2
    fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-short-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

retail=$data/fimi_retail/retail.dat
telco=$data/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
online=$data/online_retail/online_retail.csv.gz
feats=SeniorCitizen,tenure,MonthlyCharges,Contract,InternetService,PaymentMethod
feats=$feats,PaperlessBilling,gender,Partner,Dependents,PhoneService

# cmd_args NAME OUTDIR: the arguments of command NAME, writing its file into OUTDIR
cmd_args() {
    case "$1" in
    apriori) echo "apriori $retail --baskets --min-support 0.001 --itemsets $2/out.csv" ;;
    logreg) echo "logreg $telco --target Churn --features $feats --model $2/out.json" ;;
    rfm) echo "rfm $online --customer CustomerID --date InvoiceDate --quantity Quantity" \
        "--price UnitPrice --invoice InvoiceNo -o $2/out.csv --filter" \
        "CustomerID_is_not_missing_and_Quantity_>_0_and_UnitPrice_>_0" ;;
    esac
}
cmd_file() {
    case "$1" in
    apriori) echo "$retail" ;; logreg) echo "$telco" ;; rfm) echo "$online" ;;
    esac
}

echo "# uptime before: $(uptime)"
status=0
for name in apriori logreg rfm; do
    f=$(cmd_file "$name")
    if [ ! -f "$f" ]; then
        echo "# $name: $f not found: skipped" >&2
        continue
    fi
    cat "$f" >/dev/null # page cache
    mkdir -p "$tmp/a" "$tmp/b"
    # shellcheck disable=SC2046
    /usr/bin/python3 "$here/short_time.py" "$runs" "$name" "$tmp" "$a_dir/crm" "$b_dir/crm" \
        $(cmd_args "$name" OUTDIR) || status=1
done
echo "# uptime after: $(uptime)"

# idle CPU after each call, in a fresh process, against each build's shared library
cc=${CC:-cc}
for side in a b; do
    if [ $side = a ]; then dir=$a_dir; label=A; else dir=$b_dir; label=B; fi
    $cc -O2 -o "$tmp/idle_$side" "$root/tests/idle_cpu.c" -I"$root/include" -L"$dir" \
        -l:libcrm.so.1 -Wl,-rpath,"$dir" -lm
    echo "# idle CPU, build $label ($dir)"
    "$tmp/idle_$side" || true
done
exit $status
