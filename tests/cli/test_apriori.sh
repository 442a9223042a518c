#!/bin/sh
# End-to-end tests of `crm apriori`: a hand-checked table (the same as
# tests/check_assoc.c), basket files, JSON, usage and input errors, then the
# shared data: Online Retail rules for one country in one call (--filter) and
# retail.dat itemsets per size against the golden counts of
# tests/reference/apriori.py.
# usage: test_apriori.sh PATH/TO/crm [TMPDIR]   (env CRM_SHARED_DATA_DIR: ../shared/data)
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1
# when any check fails, 77 when the shared data is absent (after the local
# checks; a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init apriori "$@"
HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN=$HERE/../reference/golden/apriori_retail_counts.tsv

# ---- a hand-checked table ---------------------------------------------------------
# 1: a b c   2: a b (b twice)   3: a c   4: b (and a missing item)   5: a b c d
cat >"$T/tx.csv" <<'EOF'
order,product
1,a
1,b
1,c
2,a
2,b
2,b
3,c
3,a
4,b
4,
5,d
5,c
5,b
5,a
EOF
cat >"$T/want_sets.csv" <<'EOF'
items,size,count,support
a,1,4,0.8
b,1,4,0.8
c,1,3,0.6
"a, b",2,3,0.6
"a, c",2,3,0.6
"b, c",2,2,0.4
"a, b, c",3,2,0.4
EOF
run apriori "$T/tx.csv" --tid order --item product --min-count 2 -o "$T/rules.csv" --itemsets "$T/sets.csv"
check "apriori on a small table exits 0" test "$rc" -eq 0
check "itemsets CSV equals the hand-checked table" cmp -s "$T/sets.csv" "$T/want_sets.csv"
check "summary: 5 transactions, 4 items, 7 itemsets by size, 12 rules" \
    sh -c "grep -q '^transactions: *5$' '$T/out' && grep -q '^items: *4$' '$T/out' &&
           grep -q '^itemsets: *7: 3 of size 1, 3 of size 2, 1 of size 3$' '$T/out' &&
           grep -q '^rules: *12$' '$T/out'"
check "rules CSV: header, 12 rules, c -> a first with conviction inf" \
    sh -c "head -1 '$T/rules.csv' | grep -qx 'antecedent,consequent,antecedent_support,consequent_support,support,confidence,lift,leverage,conviction,count' &&
           [ \$(wc -l < '$T/rules.csv') -eq 13 ] &&
           sed -n 2p '$T/rules.csv' | grep -qx 'c,a,0.6,0.8,0.6,1,1.25,0.12,inf,3'"
check "summary lists the top rule by lift" grep -q '1.25 .* {c} -> {a}' "$T/out"

# --dedup: one rule per itemset, no needless antecedent items (hand-checked in
# tests/check_assoc.c, test_prune_redundant_example): c -> a, a -> b, c -> b
run apriori "$T/tx.csv" --tid order --item product --min-count 2 --dedup -o "$T/rules_dedup.csv"
check "--dedup exits 0 and says so" sh -c "test $rc -eq 0 &&
    grep -q '^rules: *3 (redundant rules removed)$' '$T/out'"
check "--dedup rules CSV: c -> a, a -> b, c -> b" \
    sh -c "cut -d, -f1,2 '$T/rules_dedup.csv' | tr '\n' ' ' |
           grep -qx 'antecedent,consequent c,a a,b c,b '"
run apriori "$T/tx.csv" --tid order --item product --min-count 2 --dedup --json
check "--dedup --json: \"dedup\": true, 3 rules" \
    sh -c "test $rc -eq 0 && grep -q '\"rules\": 3, \"dedup\": true' '$T/out'"

run apriori "$T/tx.csv" --tid order --item product --min-support 0.6 --min-confidence 0.8 --json
check "--json exits 0" test "$rc" -eq 0
check "--json: transactions, itemsets by size, the one rule" \
    sh -c "grep -q '\"transactions\": 5' '$T/out' && grep -q '\"itemsets_by_size\": \[3, 2\]' '$T/out' &&
           grep -q '\"rules\": 1,' '$T/out' && grep -q '\"antecedent\": \"c\", \"consequent\": \"a\"' '$T/out' &&
           grep -q '\"conviction\": null' '$T/out'"
check "--json prints a single line" test "$(wc -l < "$T/out")" -eq 1

run apriori "$T/tx.csv" --tid order --item product --min-count 2 --target maximal --top 0
check "--target maximal: only {a, b, c}" \
    sh -c "[ $rc -eq 0 ] && grep -q '^itemsets: *1 (maximal): 0 of size 1, 0 of size 2, 1 of size 3$' '$T/out'"
run apriori "$T/tx.csv" --tid order --item product --min-count 2 --max-len 2 --filter "order != 5" --itemsets "$T/s2.csv"
check "--filter and --max-len" \
    sh -c "[ $rc -eq 0 ] && grep -q '(10 after --filter)' '$T/out' && grep -q '^transactions: *4$' '$T/out' &&
           grep -qx '\"a, b\",2,2,0.5' '$T/s2.csv'"

printf '1 2 3\n1 2\n\n2 3 1 1\n4\n' >"$T/b.dat"
run apriori "$T/b.dat" --baskets --min-count 3 --json
check "--baskets: 4 transactions, {1, 2} in 3" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"transactions\": 4' '$T/out' && grep -q '\"itemsets_by_size\": \[2, 1\]' '$T/out'"

# ---- usage errors (2) and bad input (1) --------------------------------------------
run apriori --help
check "--help exits 0 and lists --min-support" sh -c "[ $rc -eq 0 ] && grep -q -- --min-support '$T/out'"
run apriori --tid order --item product --min-support 0.1
check "missing FILE is a usage error (2)" test "$rc" -eq 2
run apriori "$T/tx.csv" --item product --min-support 0.1
check "missing --tid is a usage error (2)" test "$rc" -eq 2
run apriori "$T/tx.csv" --tid order --item product
check "no --min-support or --min-count is a usage error (2)" test "$rc" -eq 2
run apriori "$T/tx.csv" --tid order --item product --min-support 0
check "--min-support 0 is a usage error (2)" sh -c "[ $rc -eq 2 ] && grep -q 'min-support' '$T/err'"
run apriori "$T/tx.csv" --tid order --item product --min-support 1.5
check "--min-support 1.5 is a usage error (2)" test "$rc" -eq 2
run apriori "$T/tx.csv" --tid order --item product --min-support 0.1 --max-len 0
check "--max-len 0 is a usage error (2)" sh -c "[ $rc -eq 2 ] && grep -q 'max-len' '$T/err'"
run apriori "$T/tx.csv" --tid order --item product --min-support 0.1 --target some
check "--target some is a usage error (2)" test "$rc" -eq 2
run apriori "$T/tx.csv" --tid order --item product --min-support 0.1 --frobnicate
check "an unknown option is a usage error (2)" test "$rc" -eq 2
run apriori "$T/tx.csv" --tid invoice --item product --min-support 0.1
check "an unknown column is bad input (1) naming it" sh -c "[ $rc -eq 1 ] && grep -q '\"invoice\"' '$T/err'"
run apriori "$T/tx.csv" --tid product --item order --min-support 0.1
check "a number item column is bad input (1)" sh -c "[ $rc -eq 1 ] && grep -q 'not text' '$T/err'"
run apriori "$T/tx.csv" --tid order --item product --min-support 0.1 --min-confidence 2
check "--min-confidence 2 is bad input (1)" sh -c "[ $rc -eq 1 ] && grep -q 'min_confidence' '$T/err'"
run apriori "$T/tx.csv" --tid order --item product --min-support 0.1 --filter "order > 99"
check "no transactions left is bad input (1)" sh -c "[ $rc -eq 1 ] && grep -q 'no transactions' '$T/err'"
run apriori "$T/nope.csv" --tid order --item product --min-support 0.1
check "a missing file is bad input (1)" test "$rc" -eq 1

# ---- shared data ----------------------------------------------------------------------
DATA=$SHARED/online_retail/online_retail.csv.gz
BASKETS=$SHARED/fimi_retail/retail.dat
if ! shared_file "$DATA" "$BASKETS"; then
    finish
    exit
fi
run apriori "$DATA" --tid InvoiceNo --item Description \
    --filter "Country = 'France' and Quantity > 0 and not startswith(InvoiceNo, 'C')" \
    --min-support 0.05 --min-confidence 0.5 --json -o "$T/france.csv"
check "Online Retail France: one call exits 0" test "$rc" -eq 0
check "Online Retail France: 392 invoices, rules found" \
    sh -c "grep -q '\"transactions\": 392' '$T/out' && ! grep -q '\"rules\": 0,' '$T/out'"
check "Online Retail France: every rule has confidence >= 0.5, the top lift > 5" \
    awk -F, 'NR > 1 { if ($(NF - 4) < 0.5) bad++; if (NR == 2 && $(NF - 3) <= 5) bad++ }
             END { exit (NR > 1 && !bad) ? 0 : 1 }' "$T/france.csv"
check "Online Retail France: the alarm clocks go together" \
    grep -q 'ALARM CLOCK BAKELIKE' "$T/france.csv"

run apriori "$BASKETS" --baskets --min-support 0.005 --json
check "retail.dat 0.5%: exits 0" test "$rc" -eq 0
want=$(awk -F'\t' '$1 == "0.005" { s = s (s == "" ? "" : ", ") $3 } END { print s }' "$GOLDEN")
check "retail.dat 0.5%: itemsets per size equal the golden counts ($want)" \
    grep -q "\"itemsets_by_size\": \[$want\]" "$T/out"
run apriori "$BASKETS" --baskets --min-support 0.001 --json --top 0
want=$(awk -F'\t' '$1 == "0.001" { s = s (s == "" ? "" : ", ") $3 } END { print s }' "$GOLDEN")
check "retail.dat 0.1%: itemsets per size equal the golden counts ($want)" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"itemsets_by_size\": \[$want\]' '$T/out' && grep -q '\"transactions\": 88162' '$T/out'"

finish
