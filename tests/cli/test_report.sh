#!/bin/sh
# End-to-end tests of `crm report`: a page from a generated shop, --filter and
# --quantity/--price, usage errors (exit 2), input errors (exit 1, old file kept),
# --sql URI --query (the shared input path) giving the same page as the CSV.
# usage: test_report.sh PATH/TO/crm [TMPDIR]
. "$(dirname "$0")/harness.sh"
harness_init report "$@"

run report --help
check "report --help exits 0 and lists --item" sh -c "[ $rc -eq 0 ] && grep -q -- --item '$T/out'"
"$CRM" synth -o "$T/shop.csv" --customers 200 --seed 3 >/dev/null 2>&1
CLEAN="CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')"
COLS="--customer CustomerID --date InvoiceDate --invoice InvoiceNo --item Description"
# shellcheck disable=SC2086
run report "$T/shop.csv" -o "$T/r.html" $COLS --quantity Quantity --price UnitPrice \
    --filter "$CLEAN" --title "Shop & co" --horizon 3
check "report exits 0" test "$rc" -eq 0
check "the page has every section" sh -c "for s in overview rfm clusters churn clv crosssell forecast; do grep -q \"<section id=\\\"\$s\\\">\" '$T/r.html' || exit 1; done"
check "the title is escaped" grep -q "<title>Shop &amp; co</title>" "$T/r.html"
check "--horizon 3: three forecast months" sh -c "grep -q 'arima.forecast.3.mean' '$T/r.html' && ! grep -q 'arima.forecast.4.mean' '$T/r.html'"
check "no script, no external URL" sh -c "! grep -q -e '<script' -e 'https\\?://' '$T/r.html'"

# shellcheck disable=SC2086
run report "$T/shop.csv" $COLS --quantity Quantity --price UnitPrice
check "no -o: usage error (exit 2)" test "$rc" -eq 2
# shellcheck disable=SC2086
run report "$T/shop.csv" -o "$T/r.html" $COLS --amount Quantity --price UnitPrice
check "--amount with --price: usage error (exit 2)" test "$rc" -eq 2
run report "$T/shop.csv" -o "$T/r.html" --customer CustomerID --date InvoiceDate --amount Quantity --k 0
check "--k 0: usage error (exit 2)" test "$rc" -eq 2
cp "$T/r.html" "$T/before.html"
# shellcheck disable=SC2086
run report "$T/shop.csv" -o "$T/r.html" $COLS --quantity Quantity --price UnitPrice --filter "$CLEAN" --customer Nope
check "unknown column: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q Nope '$T/err'"
check "a failed run leaves the old page" cmp -s "$T/r.html" "$T/before.html"
# shellcheck disable=SC2086
run report "$T/shop.csv" -o "$T/r.html" $COLS --quantity Quantity --price UnitPrice
check "unclean rows (a cancellation): exit 1" test "$rc" -eq 1

# the shared input path: --sql URI --query gives the same page as the CSV file
"$CRM" clean "$T/shop.csv" -o "$T/clean.csv" --filter "$CLEAN" >/dev/null 2>&1
rm -f "$T/shop.db"
if "$CRM" clean "$T/clean.csv" -o "sqlite:$T/shop.db" --table sales >/dev/null 2>"$T/err"; then
    # shellcheck disable=SC2086
    "$CRM" report "$T/clean.csv" -o "$T/csv.html" $COLS --quantity Quantity --price UnitPrice 2>/dev/null
    # shellcheck disable=SC2086
    run report --sql "sqlite:$T/shop.db" --query "SELECT * FROM sales" -o "$T/sql.html" $COLS \
        --quantity Quantity --price UnitPrice
    check "report --sql: the same page as from the CSV" sh -c "[ $rc -eq 0 ] && cmp -s '$T/sql.html' '$T/csv.html'"
elif grep -q -i "libsqlite3" "$T/err"; then
    cannot_run "report --sql: no SQLite client library ($(head -1 "$T/err"))"
else
    not_ok "report --sql: writing the SQLite table failed: $(head -1 "$T/err")"
fi
finish
