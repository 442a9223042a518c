#!/bin/sh
# End-to-end tests of the crm command-line tool.
# usage: test_cli.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits non-zero
# when any check fails.

. "$(dirname "$0")/harness.sh"
harness_init cli "$@"

# ---- version and help ---------------------------------------------------------
run --version
check "--version exits 0" test "$rc" -eq 0
check "--version prints 'crm X.Y.Z (libcrm X.Y.Z)'" \
    grep -Eqx 'crm [0-9]+\.[0-9]+\.[0-9]+ \(libcrm [0-9]+\.[0-9]+\.[0-9]+\)' "$T/out"
run --help
check "--help exits 0 and lists the commands" sh -c "[ $rc -eq 0 ] && grep -q synth '$T/out' && grep -q info '$T/out'"
run synth --help
check "synth --help exits 0" sh -c "[ $rc -eq 0 ] && grep -q -- --customers '$T/out'"
run
check "no command exits 2" test "$rc" -eq 2
run frobnicate
check "unknown command exits 2 and names it" sh -c "[ $rc -eq 2 ] && grep -q frobnicate '$T/err' && grep -q usage '$T/err'"

# ---- synth ---------------------------------------------------------------------
run synth -o "$T/a.csv" --customers 200 --seed 1
check "synth -o exits 0" test "$rc" -eq 0
check "synth -o prints a summary on stderr" has "rows" "$T/err"
run synth --output="$T/b.csv" --customers=200 --seed=1
check "synth with --long=value forms exits 0" test "$rc" -eq 0
check "same seed gives byte-identical files" cmp -s "$T/a.csv" "$T/b.csv"
run synth -o "$T/c.csv" --customers 200 --seed 2
check "another seed gives another file" sh -c "[ $rc -eq 0 ] && ! cmp -s '$T/a.csv' '$T/c.csv'"
"$CRM" synth --customers 200 --seed 1 >"$T/stdout.csv" 2>"$T/err"
check "synth without -o writes the same CSV to stdout" cmp -s "$T/a.csv" "$T/stdout.csv"
check "synth header is the Online Retail schema" \
    sh -c "head -n 1 '$T/a.csv' | grep -qx 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'"
rows=$(($(wc -l <"$T/a.csv") - 1))
check "synth wrote a plausible number of rows ($rows)" test "$rows" -gt 2000
run synth -o "$T/a.csv.gz" --customers 200 --seed 1
check "synth -o FILE.gz exits 0" test "$rc" -eq 0
check "FILE.gz is gzip data" sh -c "head -c 2 '$T/a.csv.gz' | od -An -tx1 | grep -q '1f 8b'"

# ---- info ---------------------------------------------------------------------
run info "$T/a.csv"
check "info exits 0" test "$rc" -eq 0
check "info prints the row count" grep -Eq "^rows: +$rows\$" "$T/out"
check "info prints the column count" grep -Eq '^columns: +8$' "$T/out"
check "info: InvoiceNo is text" grep -Eq '^InvoiceNo +text ' "$T/out"
check "info: Quantity is number" grep -Eq '^Quantity +number ' "$T/out"
check "info: InvoiceDate is time, shown as dates" grep -Eq '^InvoiceDate +time .* 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:00' "$T/out"
check "info: CustomerID is number" grep -Eq '^CustomerID +number ' "$T/out"
run info "$T/a.csv.gz"
check "info reads .gz with the same row count" grep -Eq "^rows: +$rows\$" "$T/out"

run info "$T/a.csv" --json
check "info --json exits 0" test "$rc" -eq 0
if [ -n "$PY" ]; then
    check "info --json is valid JSON" sh -c "'$PY' -c 'import json,sys; json.load(sys.stdin)' <'$T/out'"
    check "info --json has the right row count" json "j['rows'] == $rows"
    check "info --json lists 8 columns with types" \
        json "[c['type'] for c in j['columns']] == ['text','text','text','number','time','number','number','text']"
    check "info --json has the describe() statistics" \
        json "all(k in c for c in j['columns'] for k in ('name','type','missing','count','mean','std','min','q25','median','q75','max','distinct'))"
    check "info --json: NaN statistics are null" json "j['columns'][0]['mean'] is None and j['columns'][4]['std'] is None"
    check "info --json: missing + count = rows" json "all(c['missing'] + c['count'] == j['rows'] for c in j['columns'])"
    check "info --json: guest lines have no CustomerID" json "j['columns'][6]['missing'] > 0"
    check "info --json: file name" json "j['file'] == '$T/a.csv'"
fi

run synth -o "$T/clean.csv" --customers 50 --dirt 0 --start 2010-12-01 --days 60
check "synth --dirt 0 --start --days exits 0" test "$rc" -eq 0
if [ -n "$PY" ]; then
    run info "$T/clean.csv" --json
    check "dirt 0: no missing CustomerID" json "j['columns'][6]['missing'] == 0"
    check "dirt 0: no cancellations (quantities > 0)" json "j['columns'][3]['min'] > 0"
    check "--start: dates begin on 2010-12-01" json "j['columns'][4]['min'].startswith('2010-12-0')"
    check "--days: dates end before 2011-01-30" json "j['columns'][4]['max'] < '2011-01-30'"
fi

# JSON string escaping: quotes, backslashes and control characters in names
printf '"a ""quoted"" \\\\ name",b\n1,x\n' >"$T/quote.csv"
run info "$T/quote.csv" --json
if [ -n "$PY" ]; then
    check "info --json escapes quotes and backslashes" json "j['columns'][0]['name'] == 'a \"quoted\" \\\\\\\\ name'"
fi

# ---- errors ---------------------------------------------------------------------
run info "$T/does-not-exist.csv"
check "missing file exits 1" test "$rc" -eq 1
check "missing file: message names the file" has "does-not-exist.csv" "$T/err"
check "missing file: message starts with 'crm: '" grep -q '^crm: ' "$T/err"
run info "$T/a.csv" --bogus
check "unknown flag exits 2" test "$rc" -eq 2
check "unknown flag: message names it" has "bogus" "$T/err"
run synth --bogus
check "synth: unknown flag exits 2" test "$rc" -eq 2
run synth --customers
check "missing option value exits 2" test "$rc" -eq 2
run synth --customers many
check "non-numeric --customers exits 2" test "$rc" -eq 2
run synth --start 2022-02-30
check "invalid --start date exits 2" test "$rc" -eq 2
run info
check "info without FILE exits 2" test "$rc" -eq 2
run info "$T/a.csv" --json=yes
check "value given to a flag exits 2" test "$rc" -eq 2
run synth --customers 0 -o "$T/zero.csv"
check "--customers 0 exits 1" test "$rc" -eq 1
check "--customers 0: message names customers" has "customers" "$T/err"
run synth --dirt -1
check "--dirt -1 exits 1 naming dirt" sh -c "[ $rc -eq 1 ] && grep -q dirt '$T/err'"
run synth -o "$T/no-such-dir/x.csv" --customers 5
check "unwritable output exits 1 naming the file" sh -c "[ $rc -eq 1 ] && grep -q 'no-such-dir' '$T/err'"

printf 'a,b,c\n1,2,3\n4,5\n' >"$T/ragged.csv"
run info "$T/ragged.csv"
check "ragged CSV exits 1" test "$rc" -eq 1
check "ragged CSV: message has file:line:column" grep -q 'ragged\.csv:3:[0-9]' "$T/err"
run info "$T/ragged.csv" --lenient
check "ragged CSV with --lenient exits 0" sh -c "[ $rc -eq 0 ] && grep -Eq '^rows: +2$' '$T/out'"

# ---- CSV flags ------------------------------------------------------------------
printf 'name;price;when\nx;1,5;2011-01-02\ny;2,25;2011-01-03\nz;-;2011-01-04\n' >"$T/semi.csv"
run info "$T/semi.csv" --delimiter ';' --decimal-comma --na - --json
check "--delimiter ';' --decimal-comma --na exits 0" test "$rc" -eq 0
if [ -n "$PY" ]; then
    check "--decimal-comma: price is a number, mean 1.875" \
        json "j['columns'][1]['type'] == 'number' and j['columns'][1]['mean'] == 1.875"
    check "--na -: one missing price" json "j['columns'][1]['missing'] == 1"
    check "--delimiter ';': three columns" json "len(j['columns']) == 3"
fi
run info "$T/semi.csv" --delimiter=';' --decimal-comma --type price:text --type when:text --json
check "--type COL:text exits 0" test "$rc" -eq 0
if [ -n "$PY" ]; then
    check "--type price:text makes price text" \
        json "j['columns'][1]['type'] == 'text' and j['columns'][2]['type'] == 'text'"
fi
run info "$T/semi.csv" --type price
check "--type without :TYPE exits 2" test "$rc" -eq 2
run info "$T/semi.csv" --delimiter ';' --type nosuch:text
check "--type on an unknown column exits 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q nosuch '$T/err'"
run info "$T/semi.csv" --delimiter ';;'
check "--delimiter with two characters exits 2" test "$rc" -eq 2

printf 'k\tv\n1\t2\n3\t4\n' >"$T/tab.tsv"
run info "$T/tab.tsv" --delimiter tab
check "--delimiter tab reads two columns" sh -c "[ $rc -eq 0 ] && grep -Eq '^columns: +2$' '$T/out'"
run info "$T/tab.tsv" --delimiter tab --no-header
check "--no-header counts the header line as data" sh -c "[ $rc -eq 0 ] && grep -Eq '^rows: +3$' '$T/out' && grep -Eq '^V1 ' '$T/out'"
run info "$T/a.csv" --max-rows 10
check "--max-rows 10 reads 10 rows" sh -c "[ $rc -eq 0 ] && grep -Eq '^rows: +10$' '$T/out'"
run info "$T/a.csv" --max-rows x
check "--max-rows x exits 2" test "$rc" -eq 2
size=$(wc -c <"$T/a.csv")
run info "$T/a.csv" --max-bytes "$size"
check "--max-bytes equal to the file's size reads it all ($size bytes)" \
    sh -c "[ $rc -eq 0 ] && grep -Eq '^rows: +$rows$' '$T/out'"
run info "$T/a.csv" --max-bytes $((size - 1))
check "--max-bytes one byte short exits 1 naming the file and the limit" \
    sh -c "[ $rc -eq 1 ] && grep -q 'a.csv: the text is longer than max_bytes ($((size - 1)) bytes)' '$T/err'"
run info "$T/a.csv.gz" --max-bytes 64K
check "--max-bytes 64K stops a larger .gz file" \
    sh -c "[ $rc -eq 1 ] && grep -q 'longer than max_bytes (65536 bytes)' '$T/err'"
run info "$T/a.csv.gz" --max-bytes 64K --max-rows 10
check "--max-rows ends the read before --max-bytes is reached" \
    sh -c "[ $rc -eq 0 ] && grep -Eq '^rows: +10$' '$T/out'"
run info "$T/a.csv" --max-bytes 1M
check "--max-bytes 1M reads the file" sh -c "[ $rc -eq 0 ] && grep -Eq '^rows: +$rows$' '$T/out'"
run info "$T/a.csv" --max-bytes 0
check "--max-bytes 0 exits 2 saying what it wants" \
    sh -c "[ $rc -eq 2 ] && head -n 1 '$T/err' | grep -qxF 'crm: --max-bytes wants a positive whole number of bytes, with an optional K, M or G suffix (got \"0\")'"
run info "$T/a.csv" --max-bytes 12X
check "--max-bytes with an unknown suffix exits 2" test "$rc" -eq 2
run info "$T/a.csv" --max-bytes 99999999999G
check "--max-bytes past 2^63 exits 2" test "$rc" -eq 2

printf 'd,v\n02/01/2011 08:26,1\n03/01/2011 09:00,2\n' >"$T/dates.csv"
run info "$T/dates.csv" --date-format '%d/%m/%Y %H:%M'
check "--date-format reads day-first dates" \
    sh -c "[ $rc -eq 0 ] && grep -Eq '^d +time .*2011-01-02 08:26:00' '$T/out'"

run synth --customers 20 --days 30 --delimiter ';' --decimal-comma -o "$T/semi-out.csv"
check "synth honours --delimiter ';' when writing" \
    sh -c "[ $rc -eq 0 ] && head -n 1 '$T/semi-out.csv' | grep -q '^InvoiceNo;StockCode;'"

# ---- the shared option parser (cli_parse_options) -----------------------------------
# first_err TEXT: the first line of stderr is exactly TEXT
first_err() { [ "$(head -n 1 "$T/err")" = "$1" ]; }
for c in apriori arima clean info kmeans linreg logreg predict rfm synth tree; do
    run "$c" --help
    check "$c --help exits 0 with its usage line" \
        sh -c "[ $rc -eq 0 ] && head -n 1 '$T/out' | grep -q '^usage: crm $c ' && [ ! -s '$T/err' ]"
    run "$c" -h --bogus
    check "$c -h stops before a later unknown option" test "$rc" -eq 0
    run "$c" --bogus --help
    check "$c: an unknown option before --help exits 2" \
        sh -c "[ $rc -eq 2 ] && [ ! -s '$T/out' ] && grep -qx 'crm: unknown option --bogus' '$T/err'"
done
run tree "$T/a.csv" --max-depth=abc
check "--max-depth=abc: exit 2 naming the option and the value" \
    sh -c "[ $rc -eq 2 ] && grep -qxF 'crm: --max-depth wants a whole number (got \"abc\")' '$T/err'"
check "... with the usage line and the hint" \
    sh -c "grep -q '^usage: crm tree ' '$T/err' && grep -qxF \"Try 'crm tree --help' for more information.\" '$T/err'"
run tree "$T/a.csv" --max-depth 100001
check "--max-depth out of range" first_err "crm: --max-depth wants a whole number from 0 to 100000"
run kmeans "$T/a.csv" -k 0
check "kmeans -k 0 names the range and the value" \
    first_err 'crm: --k wants a whole number from 1 to 1000000 (got "0")'
run kmeans "$T/a.csv" --k x
check "kmeans --k x is worded as the range" \
    first_err 'crm: --k wants a whole number from 1 to 1000000 (got "x")'
run apriori "$T/a.csv" --min-count -05
check "apriori --min-count -05 shows the value read" first_err 'crm: --min-count wants a whole number >= 1 (got -5)'
run apriori "$T/a.csv" --min-support 1.5
check "apriori --min-support 1.5" first_err 'crm: --min-support wants a number in (0, 1] (got 1.5)'
run logreg "$T/a.csv" --tol 0
check "logreg --tol 0 (open lower bound)" first_err 'crm: --tol wants a number > 0'
run tree "$T/a.csv" --criterion foo
check "a word outside a choice list lists the words" \
    first_err 'crm: --criterion wants gini, entropy or mse (got "foo")'
run clean "$T/a.csv" -o "$T/x.csv" --keep foo
check "clean --keep keeps its own wording" first_err 'crm: --keep must be first, last or none, got "foo"'
run tree "$T/a.csv" --rules=yes
check "a value given to a flag" first_err 'crm: option --rules takes no value'
run tree "$T/a.csv" --target
check "an option without its value" first_err 'crm: option --target needs a value'
run tree "$T/a.csv" --dot ''
check "an empty file name" first_err 'crm: --dot wants a file name'
run tree "$T/a.csv" -x
check "an unknown short option" first_err 'crm: unknown option -x'
run tree "$T/a.csv" "$T/b.csv"
check "a second FILE" first_err "crm: unexpected argument \"$T/b.csv\" (one FILE only)"
run synth extra
check "synth takes no FILE" first_err 'crm: unexpected argument "extra"'
run synth --seed -1
check "a seed below 0" first_err 'crm: --seed wants a whole number >= 0 (got "-1")'
run rfm "$T/a.csv" --as-of 2011-02-30
check "an impossible date" first_err 'crm: --as-of wants a date YYYY-MM-DD (got "2011-02-30")'
run linreg "$T/a.csv" --max-iter 5
check "a logreg-only option is unknown to linreg" first_err 'crm: unknown option --max-iter'
run info "$T/a.csv" --max-rows 0
check "CSV flags are read before the command's options" \
    first_err 'crm: --max-rows wants a positive whole number (got "0")'
run synth --customers 5 --days 30 --customers 20 -o "$T/twice.csv"
check "an option given twice: the last one counts" \
    sh -c "[ $rc -eq 0 ] && grep -q '(20 customers' '$T/err'"
run info -- -o
check "after --, an argument starting with - is the FILE" \
    sh -c "[ $rc -eq 1 ] && grep -q '^crm: -o: ' '$T/err'"

# ---- summary ----------------------------------------------------------------------
finish
