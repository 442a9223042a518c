#!/bin/sh
# End-to-end tests of `crm rfm`: a hand-checked table, usage and input errors,
# and the Online Retail RFM table straight from the .csv.gz (one call with
# --filter and --quantity/--price) against the pandas golden file
# tests/reference/golden/rfm_online_retail.csv.
# usage: test_rfm.sh PATH/TO/crm [TMPDIR]   (env CRM_SHARED_DATA_DIR: ../shared/data)
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1
# when any check fails, 77 when the shared data is absent (after the local
# checks; a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init rfm "$@"
HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN=$HERE/../reference/golden/rfm_online_retail.csv

# ---- a hand-checked table (the same as tests/check_rfm.c) -----------------------
cat >"$T/tx.csv" <<'EOF'
cust,when,invoice,qty,price
b,1970-01-11 08:00:00,i1,2,5
b,1970-01-11 09:00:00,i1,1,2.5
a,1970-01-02 12:00:00,i2,3,1
d,1970-01-20 23:00:00,i3,1,4
a,1970-01-16 06:00:00,i4,1,7
c,1970-01-06 00:00:00,i5,10,1
b,1970-01-19 12:00:00,i6,1,0.5
e,1970-01-20 01:00:00,i7,2,2
EOF
cat >"$T/want.csv" <<'EOF'
customer,recency_days,frequency,monetary,tenure_days,r_score,f_score,m_score,rfm_cell,rfm_score,segment,lifecycle
a,4,2,10,18,2,4,3,243,9,At Risk,active
b,1,2,13,9,3,5,5,355,13,Loyal Customers,active
c,15,1,10,15,1,1,4,114,6,Lost,active
d,0,1,4,0,4,2,1,421,7,Potential Loyalists,active
e,0,1,4,0,5,3,2,532,10,Potential Loyalists,active
EOF
TX="$T/tx.csv --customer cust --date when --quantity qty --price price --invoice invoice"

run rfm --help
check "rfm --help exits 0 and lists --customer" sh -c "[ $rc -eq 0 ] && grep -q -- --customer '$T/out'"
# shellcheck disable=SC2086
run rfm $TX -o "$T/rfm.csv"
check "rfm on a small table exits 0" test "$rc" -eq 0
check "rfm writes the hand-checked table" cmp -s "$T/rfm.csv" "$T/want.csv"
check "summary counts customers and as_of" \
    sh -c "grep -q '^customers: *5$' '$T/out' && grep -q '^as_of: *1970-01-21$' '$T/out'"
check "summary counts segments" \
    sh -c "grep -q '^Potential Loyalists *2 ' '$T/out' && grep -q '^Lost *1 ' '$T/out'"
check "summary counts lifecycle stages" grep -q '^active *5 ' "$T/out"
# shellcheck disable=SC2086
run rfm $TX --json
check "--json prints one object" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"customers\": 5,' '$T/out' && grep -q '\"Potential Loyalists\": 2' '$T/out' && grep -q '\"output\": null' '$T/out'"
# shellcheck disable=SC2086
run rfm $TX --as-of 1970-01-31 --bins 3 --active-days 12 --inactive-days 15 -o "$T/rfm3.csv"
check "--as-of/--bins/--active-days/--inactive-days are used" \
    sh -c "[ $rc -eq 0 ] && grep -q '^a,14,2,10,28,1,2,2,122,5,At Risk,inactive$' '$T/rfm3.csv' && grep -q '^c,25,1,10,25,1,1,2,112,4,Lost,churned$' '$T/rfm3.csv' && grep -q '^d,10,1,4,10,2,1,1,211,4,About To Sleep,active$' '$T/rfm3.csv'"
run rfm "$T/tx.csv" --customer cust --date when --amount qty -o "$T/rows.csv"
check "--amount without --invoice counts rows" \
    sh -c "[ $rc -eq 0 ] && grep -q '^b,1,3,4,9,' '$T/rows.csv'"

# ---- usage and input errors ---------------------------------------------------------
run rfm "$T/tx.csv" --date when --amount qty
check "missing --customer is a usage error (2)" sh -c "[ $rc -eq 2 ] && grep -q -- --customer '$T/err'"
run rfm "$T/tx.csv" --customer cust --date when --amount qty --price price
check "--amount with --price is a usage error (2)" test "$rc" -eq 2
run rfm "$T/tx.csv" --customer cust --date when --amount qty --bins 12
check "--bins 12 is a usage error (2)" test "$rc" -eq 2
run rfm "$T/tx.csv" --customer cust --date when --amount qty --frobnicate
check "an unknown option is a usage error (2)" test "$rc" -eq 2
run rfm "$T/tx.csv" --customer nope --date when --amount qty
check "an unknown column is bad input (1) naming it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
run rfm "$T/tx.csv" --customer cust --date qty --amount qty
check "a date column that is not a time is bad input (1)" sh -c "[ $rc -eq 1 ] && grep -q 'qty' '$T/err'"
# shellcheck disable=SC2086
run rfm $TX --as-of 1970-01-15
check "transactions after --as-of are refused naming the row" sh -c "[ $rc -eq 1 ] && grep -q 'row ' '$T/err'"
printf 'c,t,a\nx,2020-01-01,5\ny,2020-01-02,-1\n' >"$T/neg.csv"
run rfm "$T/neg.csv" --customer c --date t --amount a
check "a non-positive amount is refused naming the row" sh -c "[ $rc -eq 1 ] && grep -q 'row 1' '$T/err'"
run rfm "$T/neg.csv" --customer c --date t --amount a --filter "a > 0"
check "--filter removes the bad row" sh -c "[ $rc -eq 0 ] && grep -q '^customers: *1$' '$T/out'"
run rfm "$T/neg.csv" --customer c --date t --amount a --filter "a >"
check "a malformed --filter is bad input (1)" sh -c "[ $rc -eq 1 ] && grep -q 'expr' '$T/err'"
run rfm "$T/missing.csv" --customer c --date t --amount a
check "a missing file is bad input (1)" test "$rc" -eq 1

# ---- Online Retail against the pandas golden table --------------------------------------
DATA=$SHARED/online_retail/online_retail.csv.gz
if ! shared_file "$DATA"; then
    finish
    exit
fi
run rfm "$DATA" --filter "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')" \
    --customer CustomerID --date InvoiceDate --quantity Quantity --price UnitPrice --invoice InvoiceNo \
    -o "$T/retail.csv"
check "Online Retail: crm rfm --filter ... exits 0" test "$rc" -eq 0
check "Online Retail: 397884 rows kept, 4338 customers, as_of 2011-12-10" \
    sh -c "grep -q '(397884 after --filter)' '$T/out' && grep -q '^customers: *4338$' '$T/out' && grep -q '^as_of: *2011-12-10$' '$T/out'"
# Every customer and column: numbers compared as numbers (the golden file writes
# 12346.0 where libcrm writes 12346; both are shortest round-trip text, so
# monetary, math.fsum's exactly rounded sum, reads back to the same double), texts
# as strings.
cmp_golden() {
    awk -F, '
        NR == FNR { if (FNR > 1) { for (i = 1; i <= 12; i++) g[FNR, i] = $i }; ng = FNR; next }
        FNR == 1 { if ($0 != "customer,recency_days,frequency,monetary,tenure_days,r_score,f_score,m_score,rfm_cell,rfm_score,segment,lifecycle") { print "header: " $0; bad++ }; next }
        {
            n++
            for (i = 1; i <= 12; i++) {
                a = $i; b = g[FNR, i]
                if (i == 9 || i == 11 || i == 12) same = (a == b)
                else same = (a + 0 == b + 0)
                if (!same) { if (bad < 5) print "row " FNR " column " i ": " a " vs " b; bad++ }
            }
        }
        END { if (n != ng - 1) { print "rows: " n " vs " ng - 1; bad++ }; exit bad ? 1 : 0 }
    ' "$GOLDEN" "$T/retail.csv" >"$T/err"
}
check "Online Retail: every customer equals the pandas golden table" cmp_golden
run rfm "$DATA" --customer CustomerID --date InvoiceDate --quantity Quantity --price UnitPrice
check "Online Retail without --filter: refused (1) naming the row" \
    sh -c "[ $rc -eq 1 ] && grep -q 'row ' '$T/err'"

finish
