#!/bin/sh
# Regenerate every golden file of tests/reference/golden/ from scratch with the
# reference scripts of tests/reference/ (pandas, scikit-learn, statsmodels, pure
# Python, R forecast) into a temporary folder, and compare each with the
# committed one (tests/reference/compare_goldens.py: equal text, or equal within
# the per-file tolerances written and justified there). Fails on a difference
# beyond tolerance, on a committed golden that no generator wrote, on a new file
# that is not committed, and on a reference script this list does not run.
#
# usage: scripts/regen_goldens.sh [--keep DIR]
#   --keep DIR   write the regenerated files to DIR (kept) instead of a temporary folder
# env: CRM_R_CORES  processes for the 200 auto.arima fits (default 2)
#      CRM          the crm binary that generates the demo shop for demo_forecast.R
#                   (default build/dev/crm; only its synth output is used)
#      CI=true      a missing tool or ../shared/data is a failure (exit 1), not a skip (77)
# needs (scripts/deps.sh goldens): /usr/bin/python3 with numpy, scipy, mpmath, pandas,
# scikit-learn and statsmodels; Rscript with forecast; ../shared/data beside the
# repository. Run from anywhere; it works in the repository root.
set -eu
cd "$(dirname "$0")/.."

keep=
if [ "${1:-}" = "--keep" ] && [ -n "${2:-}" ]; then
    keep=$2
elif [ $# -gt 0 ]; then
    echo "usage: scripts/regen_goldens.sh [--keep DIR]" >&2
    exit 2
fi

PY=/usr/bin/python3
DATA=../shared/data
GOLDEN=tests/reference/golden

is_ci() {
    case "${CI:-}" in
    [Tt][Rr][Uu][Ee] | 1) return 0 ;;
    *) return 1 ;;
    esac
}

# cannot_run WHY: exit 77 (skipped), or 1 under CI=true
cannot_run() {
    if is_ci; then
        echo "regen_goldens: FAIL: $1 (CI=true: the goldens must be regenerated)" >&2
        exit 1
    fi
    echo "regen_goldens: SKIP: $1" >&2
    exit 77
}

[ -x "$PY" ] || cannot_run "$PY not found"
"$PY" -c 'import numpy, scipy, pandas, sklearn, statsmodels, mpmath' 2>/dev/null ||
    cannot_run "$PY cannot import numpy, scipy, pandas, sklearn, statsmodels and mpmath (scripts/deps.sh goldens)"
command -v Rscript >/dev/null 2>&1 || cannot_run "Rscript not found (scripts/deps.sh goldens)"
Rscript -e 'suppressPackageStartupMessages(library(forecast))' >/dev/null 2>&1 ||
    cannot_run "R package forecast not installed (scripts/deps.sh goldens)"
Rscript -e 'suppressPackageStartupMessages(library(ranger))' >/dev/null 2>&1 ||
    cannot_run "R package ranger not installed (Debian r-cran-ranger)"
[ -d "$DATA" ] || cannot_run "the shared data folder $DATA is not present"
CRM=${CRM:-build/dev/crm}
[ -x "$CRM" ] || cannot_run "$CRM not found (the dev build makes it; demo_forecast.R needs its synth data)"

# The generators: every script of tests/reference/ but the comparer must be here.
generators="apriori.py arima.R clean.py csv_summary.py expr_summary.py group_join.py kmeans.py
linear.py rfm.py tree.py forest_reference.py forest_ranger.R demo_forecast.R clv_reference.py"
for f in tests/reference/*.py tests/reference/*.R; do
    b=$(basename "$f")
    [ "$b" = compare_goldens.py ] && continue
    case " $(echo $generators) " in
    *" $b "*) ;;
    *)
        echo "regen_goldens: FAIL: $f is a reference script that scripts/regen_goldens.sh does not run" >&2
        exit 1
        ;;
    esac
done

if [ -n "$keep" ]; then
    OUT=$keep
    mkdir -p "$OUT"
    if [ -n "$(ls -A "$OUT")" ]; then
        echo "regen_goldens: $OUT is not empty" >&2
        exit 2
    fi
else
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/crm-goldens.XXXXXX")
    trap 'rm -rf "$OUT"' EXIT
    trap 'exit 130' INT TERM
fi
export CRM_GOLDEN_DIR="$OUT"
export PYTHONDONTWRITEBYTECODE=1
: "${CRM_R_CORES:=2}"
export CRM_R_CORES

start=$(date +%s)
# step NAME COMMAND...: run a generator, print its wall time; stdout to $OUT/NAME when NAME
# ends in .tsv (the scripts that print their golden)
step() {
    name=$1
    shift
    t0=$(date +%s)
    case "$name" in
    *.tsv) "$@" >"$OUT/$name" ;;
    *) "$@" >"$OUT/.log-$name" ;;
    esac
    echo "regen_goldens: $name: $(($(date +%s) - t0)) s"
}

step csv_summary.tsv "$PY" tests/reference/csv_summary.py
step expr_summary.tsv "$PY" tests/reference/expr_summary.py
step group_join.tsv "$PY" tests/reference/group_join.py
step apriori "$PY" tests/reference/apriori.py golden "$DATA/fimi_retail/retail.dat" "$OUT"
step clean "$PY" tests/reference/clean.py
step rfm "$PY" tests/reference/rfm.py
step kmeans "$PY" tests/reference/kmeans.py
step linear "$PY" tests/reference/linear.py
step tree "$PY" tests/reference/tree.py
step forest-sklearn "$PY" tests/reference/forest_reference.py
step forest-ranger Rscript tests/reference/forest_ranger.R
step clv "$PY" tests/reference/clv_reference.py
step arima Rscript tests/reference/arima.R
step arima-generated Rscript tests/reference/arima.R generated
# the demo's shop (scripts/demo.sh step 1) from crm synth; R does the rest
step demo_forecast.tsv sh -c '"$1" synth -o "$2" --customers 5000 --days 1461 --seed 42 2>/dev/null &&
    Rscript tests/reference/demo_forecast.R "$2"; rc=$?; rm -f "$2"; exit $rc' sh "$CRM" "$OUT/.demo_shop.csv"
echo "regen_goldens: every generator ran in $(($(date +%s) - start)) s (CRM_R_CORES=$CRM_R_CORES)"
rm -f "$OUT"/.log-*

"$PY" tests/reference/compare_goldens.py "$GOLDEN" "$OUT"
