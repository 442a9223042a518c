#!/bin/sh
# End-to-end tests of `crm clean`.
# usage: test_clean.sh PATH/TO/crm [TMPDIR]   (env CRM_SHARED_DATA_DIR: ../shared/data)
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1
# when any check fails, 77 when the shared data is absent (the Online Retail
# checks did not run; a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init clean "$@"
# line N of a file
line() { sed -n "$1p" "$2"; }

# ---- a small hand-made table -------------------------------------------------------
cat >"$T/in.csv" <<'CSV'
id,shop,qty,price,day
1,north,2,10,2011-01-01
2,south,,5,2011-01-02
1,north,2,10,2011-01-01
3,,4,,2011-01-03
4,south,100,7,
5,north,6,1,2011-01-05
CSV

run clean --help
check "clean --help exits 0 and lists the steps" sh -c "[ $rc -eq 0 ] && grep -q -- --impute '$T/out' && grep -q -- --outliers '$T/out'"

run clean "$T/in.csv" -o "$T/dedup.csv" --dedup
check "--dedup exits 0" test "$rc" -eq 0
check "--dedup removes the one exact duplicate" test "$(wc -l <"$T/dedup.csv")" -eq 6
check "--dedup prints rows before/after on stderr" has "dedup: 6 -> 5 rows (1 duplicates removed" "$T/err"

run clean "$T/in.csv" -o "$T/keys.csv" --dedup=shop --keep last
check "--dedup=shop --keep last keeps the last row of each shop (missing is one group)" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cut -d, -f1 '$T/keys.csv' | tr '\n' ' ')\" = 'id 3 4 5 ' ]"

run clean "$T/in.csv" -o "$T/drop.csv" --drop-missing shop,price
check "--drop-missing shop,price drops rows 4 (no shop, no price)" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cut -d, -f1 '$T/drop.csv' | tr '\n' ' ')\" = 'id 1 2 1 4 5 ' ]"
run clean "$T/in.csv" -o "$T/drop.csv" --drop-missing '*'
check "--drop-missing '*' keeps complete rows only" test "$(wc -l <"$T/drop.csv")" -eq 4

run clean "$T/in.csv" -o "$T/imp.csv" --impute qty:median --impute shop:unknown --impute price:0 --impute day:2011-01-31
check "--impute exits 0" test "$rc" -eq 0
check "median of 2 2 4 100 6 = 4 fills row 2" test "$(line 3 "$T/imp.csv")" = "2,south,4,5,2011-01-02"
check "text constant and number constant" test "$(line 5 "$T/imp.csv")" = "3,unknown,4,0,2011-01-03"
check "date constant for a time column" test "$(line 6 "$T/imp.csv")" = "4,south,100,7,2011-01-31"
check "impute summary counts cells" has "impute qty:median: 1 cells filled" "$T/err"

run clean "$T/in.csv" -o "$T/lin.csv" --impute qty:linear
check "--impute linear interpolates in row order" test "$(line 3 "$T/lin.csv")" = "2,south,2,5,2011-01-02"

run clean "$T/in.csv" -o "$T/out1.csv" --outliers qty:iqr
check "--outliers qty:iqr flags 100 in a qty_outlier column" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cut -d, -f6 '$T/out1.csv' | tr '\n' ' ')\" = 'qty_outlier 0  0 0 1 0 ' ]"
run clean "$T/in.csv" -o "$T/out2.csv" --outliers qty:iqr --outlier-action drop
check "--outlier-action drop removes the row" sh -c "[ $rc -eq 0 ] && ! grep -q '^4,' '$T/out2.csv' && [ \$(wc -l <'$T/out2.csv') -eq 6 ]"
run clean "$T/in.csv" -o "$T/out3.csv" --outliers qty:iqr:1 --outlier-action clip
check "--outlier-action clip with K=1 clips 100 to Q3 + IQR = 6 + 4 = 10" test "$(line 6 "$T/out3.csv")" = "4,south,10,7,"

run clean "$T/in.csv" -o "$T/j.csv" --dedup --impute qty:mean --json
check "--json exits 0" test "$rc" -eq 0
check "--json holds the steps in order with counts" \
    json 'j["rows_in"] == 6 and j["rows_out"] == 5 and [s["step"] for s in j["steps"]] == ["dedup", "impute"] and j["steps"][0]["removed"] == 1 and j["steps"][1]["filled"] == 1'
check "--json prints nothing on stderr" test ! -s "$T/err"

# steps run in the fixed order: dedup before impute whatever the command line says
run clean "$T/in.csv" -o "$T/order.csv" --impute qty:mean --dedup
check "dedup runs before impute (mean of 2 4 100 6 = 28)" test "$(line 3 "$T/order.csv")" = "2,south,28,5,2011-01-02"

run clean "$T/in.csv" -o "$T/fm.csv" --filter "qty > 2" --mutate "amount=qty * price"
check "--filter and --mutate run first" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(sed -n 2p '$T/fm.csv')\" = '3,,4,,2011-01-03,' ] && [ \$(wc -l <'$T/fm.csv') -eq 4 ]"
check "--mutate adds the column" sh -c "head -n 1 '$T/fm.csv' | grep -qx 'id,shop,qty,price,day,amount'"

# ---- errors -----------------------------------------------------------------------
run clean "$T/in.csv"
check "missing -o exits 2" sh -c "[ $rc -eq 2 ] && grep -q -- '-o OUT' '$T/err'"
run clean -o "$T/x.csv"
check "missing FILE exits 2" test "$rc" -eq 2
run clean "$T/in.csv" -o "$T/x.csv" --frobnicate
check "unknown option exits 2" sh -c "[ $rc -eq 2 ] && grep -q frobnicate '$T/err'"
run clean "$T/in.csv" -o "$T/x.csv" --outliers qty:median
check "unknown outlier rule exits 2" test "$rc" -eq 2
run clean "$T/in.csv" -o "$T/x.csv" --outliers qty:iqr:-1
check "negative K exits 2" test "$rc" -eq 2
run clean "$T/in.csv" -o "$T/x.csv" --outlier-action hide
check "unknown outlier action exits 2" test "$rc" -eq 2
run clean "$T/in.csv" -o "$T/x.csv" --impute qty
check "--impute without METHOD exits 2" test "$rc" -eq 2
run clean "$T/in.csv" -o "$T/x.csv" --mutate qty
check "--mutate without = exits 2" test "$rc" -eq 2
run clean "$T/in.csv" -o "$T/x.csv" --impute nope:mean
check "unknown column exits 1 and names it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
run clean "$T/in.csv" -o "$T/x.csv" --impute shop:mean
check "mean of a text column exits 1 naming the column" sh -c "[ $rc -eq 1 ] && grep -q '\"shop\"' '$T/err'"
run clean "$T/in.csv" -o "$T/x.csv" --impute qty:medain
check "a typo in the method is reported (exit 1)" sh -c "[ $rc -eq 1 ] && grep -q medain '$T/err'"
run clean "$T/in.csv" -o "$T/x.csv" --outliers shop:iqr
check "outliers of a text column exits 1" test "$rc" -eq 1
run clean "$T/in.csv" -o "$T/x.csv" --filter "qty >"
check "malformed filter exits 1 with a position" sh -c "[ $rc -eq 1 ] && grep -q 'expr:' '$T/err'"
run clean "$T/nonexistent.csv" -o "$T/x.csv"
check "missing input file exits 1" test "$rc" -eq 1

# ---- output dialect: standard CSV by default, the input's with --keep-dialect ----------
printf 'id;shop;price\n1;north;2,5\n2;south, east;10,25\n1;north;2,5\n' >"$T/semi.csv"
printf 'id,shop,price\n1,north,2.5\n2,"south, east",10.25\n' >"$T/semi_std.expected"
printf 'id;shop;price\n1;north;2,5\n2;south, east;10,25\n' >"$T/semi_keep.expected"
run clean "$T/semi.csv" -o "$T/semi_std.csv" --delimiter ';' --decimal-comma --dedup
check "--delimiter ';' --decimal-comma writes standard CSV (',' and '.') by default" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$T/semi_std.csv' '$T/semi_std.expected'"
run clean "$T/semi.csv" -o "$T/semi_keep.csv" --delimiter ';' --decimal-comma --dedup --keep-dialect
check "--keep-dialect writes with the input's ';' and decimal comma" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$T/semi_keep.csv' '$T/semi_keep.expected'"
run clean --help
check "clean --help names --keep-dialect and the standard default" \
    sh -c "grep -q -- --keep-dialect '$T/out' && grep -q 'output is standard CSV' '$T/out'"

# ---- Online Retail ------------------------------------------------------------------
OR=$SHARED/online_retail/online_retail.csv.gz
if shared_file "$OR"; then
    run clean "$OR" -o "$T/or.csv.gz" --dedup --drop-missing CustomerID --json
    check "Online Retail: exit 0" test "$rc" -eq 0
    check "Online Retail: 5,268 exact duplicates, then 401,604 rows with a customer" \
        json 'j["steps"][0]["removed"] == 5268 and j["rows_out"] == 401604'
    run clean "$OR" -o "$T/or2.csv" --drop-missing CustomerID
    check "Online Retail: 406,829 rows with a CustomerID" has "541909 -> 406829 rows" "$T/err"
    check "Online Retail: the output reads back with 406,829 rows" \
        sh -c "[ \$(wc -l <'$T/or2.csv') -eq 406830 ]"
fi

finish
