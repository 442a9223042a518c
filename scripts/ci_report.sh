#!/bin/sh
# The HTML report in a real browser (issue 17, acceptance 1 and 2): renders the
# report of the demo shop (crm synth --customers 1000 --seed 42 + the demo's
# clean step) and of Online Retail (../shared/data/online_retail) with the dev
# build's `crm report`, opens each page in headless Chromium (Debian's
# chromium, driven by tests/browser/cdp.py over the DevTools pipe) and asserts:
# no console error, no network request but the page itself, every chart draws
# marks with a non-zero bounding box and has a numbers table and a CSV link,
# the page is at most 2 MB and fits a 390 px screen, and every number marked
# data-check equals the output of the crm rfm / kmeans / logreg / predict /
# apriori / arima commands that docs/report.md lists as its equivalents.
# Screenshots (full page light, viewport dark, narrow) and a print-to-PDF go
# to build/report-screens/ (CI artifacts).
#
# Usage (repository root, after the dev build): sh scripts/ci_report.sh
# Exit 0 ok, 1 failure, 77 skipped (no chromium, no dev build or no data;
# with CI=true those are failures). Takes about 20 s.
set -eu
cd "$(dirname "$0")/.."
crm=build/dev/crm
out=build/report-ci
screens=build/report-screens
data=${CRM_SHARED_DATA_DIR:-../shared/data}/online_retail/online_retail.csv.gz

skip() {
    echo "ci_report: $1" >&2
    if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then exit 1; fi
    exit 77
}
[ -x "$crm" ] || skip "no $crm (run the dev build first)"
python3 -c 'import sys; sys.path.insert(0, "tests/browser"); import cdp
sys.exit(0 if cdp.browser_path() else 1)' || skip "no chromium (apt-get install chromium)"
[ -r "$data" ] || skip "no $data"

rm -rf "$out" "$screens"
mkdir -p "$out" "$screens"
clean="CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')"

# the demo shop, cleaned as scripts/demo.sh does
"$crm" synth -o "$out/shop.csv" --customers 1000 --seed 42 >/dev/null
"$crm" clean "$out/shop.csv" -o "$out/shop_sales.csv" --filter "$clean" --dedup \
    --mutate "Amount=Quantity * UnitPrice" >/dev/null
# Online Retail, the same cleaning (quantity * price given to the report as two columns)
"$crm" clean "$data" -o "$out/retail_sales.csv" --filter "$clean" \
    --mutate "Amount=Quantity * UnitPrice" >/dev/null

rc=0
python3 tests/browser/selftest.py || rc=1
python3 tests/browser/check_report.py --crm "$crm" --data "$out/shop_sales.csv" \
    --work "$out/demo" --screens "$screens" --name demo-shop || rc=1
python3 tests/browser/check_report.py --crm "$crm" --data "$out/retail_sales.csv" \
    --work "$out/retail" --screens "$screens" --name online-retail --quantity-price || rc=1
ls -l "$screens"
exit $rc
