#!/bin/sh
# End-to-end tests of `crm tree`: a hand-checked step (summary, --rules with class counts and
# n per leaf, --json stats and node table, -o with prediction and prediction_proba, --model,
# --dot), a text feature split into a category subset, regression, --path, --test (held-out
# metrics by hand and equal to sklearn.metrics on the same predictions), usage and input
# errors, the pipeline crm synth -> crm clean -> crm rfm -> crm tree on a churn flag, and
# (with ../shared/data) the Telco rules.
# usage: test_tree.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1 when any
# check fails, 77 when the shared data is absent (a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init tree "$@"

# ---- hand-checked: x <= 4.5 -> no, else yes -----------------------------------------
printf 'id,x,seg,churn\n' >"$T/x.csv"
for i in 0 1 2 3 4 5 6 7 8 9; do
    if [ "$i" -ge 5 ]; then y=yes; else y=no; fi
    case $i in 0|2|5|7|9) s=a ;; *) s=b ;; esac
    echo "$i,$i,$s,$y" >>"$T/x.csv"
done
run tree "$T/x.csv" --target churn --features x --rules
check "summary exits 0" [ "$rc" -eq 0 ]
check "summary shows depth 1 and 2 leaves" sh -c "grep -q '^depth: *1$' '$T/out' && grep -q '^leaves: *2$' '$T/out'"
check "summary shows the training accuracy" has "^training accuracy: 1.0000$"
check "--rules: the test" has "^if x <= 4.5$"
check "--rules: leaf with p, n and class counts" has "^|   then no (p=1.000, n=5) \[no: 5, yes: 0\]$"
check "--rules: the other branch" has "^if x > 4.5$"
run tree "$T/x.csv" --target churn --features x --flat-rules
check "--flat-rules: one line per leaf" has "^IF x > 4.5 THEN yes (p=1.000, n=5) \[no: 0, yes: 5\]$"

run tree "$T/x.csv" --target churn --features x,seg --json -o "$T/out.csv" --model "$T/m.json" \
    --dot "$T/t.dot"
check "--json exits 0" [ "$rc" -eq 0 ]
check "--json has the stats" \
    json 'j["stats"]["depth"] == 1 and j["stats"]["leaves"] == 2 and j["stats"]["nodes"] == 3'
check "--json summary: the root splits x at 4.5" \
    json 'j["summary"][0]["feature"] == "x" and j["summary"][0]["threshold"] == 4.5 and j["summary"][0]["n"] == 10'
check "--json importances" json 'j["importances"] == [{"feature": "x", "importance": 1}, {"feature": "seg", "importance": 0}]'
check "-o appends prediction and prediction_proba" \
    sh -c "head -1 '$T/out.csv' | grep -qx 'id,x,seg,churn,prediction,prediction_proba'"
check "-o predictions equal the target" \
    sh -c "awk -F, 'NR>1 && \$4 != \$5 {bad=1} END{exit bad}' '$T/out.csv'"
check "--model writes a libcrm-model JSON" grep -q '"format":"libcrm-model","version":1,"kind":"tree"' "$T/m.json"
check "--dot writes a digraph" grep -q '^digraph tree {' "$T/t.dot"
check "--dot labels the edges" grep -q '0 -> 1 \[label="yes"\]' "$T/t.dot"

# ---- a text feature: {a} vs {b} in one split -----------------------------------------
printf 'seg,y\n' >"$T/c.csv"
for s in a b c a b c a b c d d d; do
    case $s in a|c) y=1 ;; *) y=0 ;; esac
    echo "$s,$y" >>"$T/c.csv"
done
run tree "$T/c.csv" --target y --features seg --rules --max-depth 1
check "text feature: exit 0" [ "$rc" -eq 0 ]
check "text feature: one subset split" has "^if seg in {b, d}$"
check "text feature: the other subset" has "^if seg in {a, c}$"

# ---- regression and the pruning path -------------------------------------------------
printf 'x,v\n1,2\n2,2\n3,2\n4,7\n5,7\n6,7\n' >"$T/r.csv"
run tree "$T/r.csv" --target v --features x --rules --criterion mse
check "regression: exit 0" [ "$rc" -eq 0 ]
check "regression: leaf values" sh -c "grep -q 'then value=2 (n=3, mse=0)' '$T/out' && grep -q 'then value=7 (n=3, mse=0)' '$T/out'"
check "regression: R^2" has "^training R^2: 1.0000$"
run tree "$T/x.csv" --target churn --features x --path --json
check "--path lists alphas and impurities" json 'j["path"] == [{"ccp_alpha": 0, "impurity": 0}, {"ccp_alpha": 0.5, "impurity": 0.5}]'
run tree "$T/x.csv" --target churn --features x --ccp-alpha 0.6 --json
check "--ccp-alpha prunes to the root" json 'j["stats"]["leaves"] == 1'

# ---- --test: a hand-computed case, then held-out metrics = scikit-learn's -------------
# the tree of x.csv (x <= 4.5 -> no) on 4 rows, one of them (x = 3, yes) mispredicted:
# P(yes) = 0, 1, 0, 1 for truth no, yes, yes, yes: accuracy 3/4, AUC (1 + 0.5 + 1) / 3,
# precision 2/2, recall 2/3, F1 0.8
printf 'id,x,seg,churn\n1,1,a,no\n2,8,a,yes\n3,3,b,yes\n4,6,b,yes\n' >"$T/x_test.csv"
run tree "$T/x.csv" --target churn --features x --test "$T/x_test.csv" --json
check "--test by hand: accuracy 0.75, AUC 5/6, precision 1, recall 2/3, F1 0.8" \
    json '(t := j["test"][0])["n"] == 4 and t["accuracy"] == 0.75 and abs(t["auc"] - 5 / 6) < 1e-15 and t["precision"] == 1 and abs(t["recall"] - 2 / 3) < 1e-15 and abs(t["f1"] - 0.8) < 1e-15'
run tree "$T/x.csv" --target churn --features x --test "$T/x_test.csv"
check "--test by hand: the summary line" \
    has "^  accuracy 0.7500   AUC 0.8333   log loss [0-9.]*   precision 1.0000   recall 0.6667   F1 0.8000$"

# ---- --test: held-out metrics equal scikit-learn's on the same predictions ------------
# noisy rows (deterministic): churn = yes when x + noise > 50, noise in -20..20; spend = 3 x +
# noise; 300 training rows, 200 held-out rows
gen_rows() {
    awk -v first="$1" -v n="$2" 'BEGIN {
        print "id,x,z,seg,churn,flag,spend"
        for (i = first; i < first + n; i++) {
            x = (i * 37) % 100; z = (i * 53) % 17; e = (i * 71) % 41 - 20
            s = substr("abc", i % 3 + 1, 1)
            y = x + e > 50 ? "yes" : "no"
            printf "%d,%d,%d,%s,%s,%d,%d\n", i, x, z, s, y, y == "yes", 3 * x + e
        }
    }'
}
gen_rows 0 300 >"$T/train.csv"
gen_rows 300 200 >"$T/test.csv"
sk() { "$PY" "$(dirname "$0")/heldout_sklearn.py" "$T/out" "$T/tpred.csv" "$@"; }
run tree "$T/train.csv" --target churn --features x,z,seg --max-depth 4 --test "$T/test.csv" \
    --model "$T/tm.json" --json
check "--test --json exits 0" [ "$rc" -eq 0 ]
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test (text target): accuracy, AUC, log loss, precision, recall, F1 = sklearn.metrics" sk churn yes
run tree "$T/train.csv" --target flag --features x,z,seg --max-depth 3 --max-bins 16 \
    --test "$T/test.csv" --model "$T/tm.json" --json
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test (0/1 target, histogram): metrics = sklearn.metrics" sk flag 1
run tree "$T/train.csv" --target spend --features x,z,seg --max-depth 5 --test "$T/test.csv" \
    --model "$T/tm.json" --json
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test (regression): RMSE, MAE, R^2 = sklearn.metrics" sk spend -
run tree "$T/train.csv" --target churn --features x2 --mutate 'x2=x*2' --test "$T/test.csv" --json
check "--test applies the model's --mutate steps to the held-out rows" [ "$rc" -eq 0 ]
run tree "$T/train.csv" --target seg --features x,z --test "$T/test.csv"
check "--test with three classes: exit 1 naming the classes" \
    sh -c "[ $rc -eq 1 ] && grep -q 'seg has 3 classes' '$T/err'"
run tree "$T/train.csv" --target churn --features x --test "$T/nope.csv" -o "$T/none.csv"
check "--test FILE missing: exit 1 naming it, no output written" \
    sh -c "[ $rc -eq 1 ] && grep -q nope.csv '$T/err' && [ ! -e '$T/none.csv' ]"

# ---- errors -------------------------------------------------------------------------
run tree "$T/x.csv" --features x
check "missing --target: usage error" [ "$rc" -eq 2 ]
run tree "$T/x.csv" --target churn
check "missing --features: usage error" [ "$rc" -eq 2 ]
run tree "$T/x.csv" --target churn --features x --criterion foo
check "unknown criterion: usage error" [ "$rc" -eq 2 ]
run tree "$T/x.csv" --target churn --features x --bogus
check "unknown option: usage error" [ "$rc" -eq 2 ]
run tree "$T/x.csv" --target churn --features nope
check "unknown column: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
run tree "$T/x.csv" --target churn --features x --criterion mse
check "mse on a text target: exit 1" [ "$rc" -eq 1 ]
printf 'x,y\n1,0\n2,\n3,1\n' >"$T/nan.csv"
run tree "$T/nan.csv" --target y --features x
check "missing target: exit 1 naming the row" \
    sh -c "[ $rc -eq 1 ] && grep -q 'row 1: missing' '$T/err'"
run tree "$T/x.csv" --target churn --features x --min-samples-leaf 0
check "min-samples-leaf 0: exit 1" [ "$rc" -eq 1 ]
run tree "$T/x.csv" --help
check "--help exits 0" sh -c "[ $rc -eq 0 ] && grep -q 'usage: crm tree' '$T/out'"

# ---- the pipeline: synth -> clean -> rfm -> tree ---------------------------------------
run synth -o "$T/shop.csv" --customers 300 --seed 7
check "synth" [ "$rc" -eq 0 ]
run clean "$T/shop.csv" -o "$T/sales.csv" \
    --filter "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')" \
    --dedup --mutate "Amount=Quantity * UnitPrice"
check "clean" [ "$rc" -eq 0 ]
run rfm "$T/sales.csv" -o "$T/rfm.csv" --customer CustomerID --date InvoiceDate --amount Amount \
    --invoice InvoiceNo
check "rfm" [ "$rc" -eq 0 ]
run clean "$T/rfm.csv" -o "$T/churn.csv" --mutate "churned=recency_days > 120"
check "churn flag" [ "$rc" -eq 0 ]
run tree "$T/churn.csv" --target churned --features frequency,monetary,tenure_days \
    --max-depth 3 --min-samples-leaf 10 --rules -o "$T/pred.csv"
check "tree on the RFM table exits 0" [ "$rc" -eq 0 ]
check "rules end in leaves with n" has "then [01] (p=[0-9.]*, n=[0-9]*) \[0: "
customers=$(($(wc -l <"$T/rfm.csv") - 1))
check "every customer gets a prediction" \
    sh -c "[ \$((\$(wc -l <'$T/pred.csv') - 1)) -eq $customers ]"

# ---- Telco churn (when ../shared/data is present): the issue's kind of rule -------------
telco=$SHARED/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
if shared_file "$telco"; then
    run tree "$telco" --target Churn --features Contract,tenure --max-depth 2 --positive Yes --rules
    check "Telco: exit 0" [ "$rc" -eq 0 ]
    check "Telco: month-to-month contracts split off natively" has "^if Contract in {Month-to-month}$"
    check "Telco: month-to-month and tenure under 6 months -> 56% churn" \
        has "^|   |   then Yes (p(Yes)=0.561, n=1318) \[No: 578, Yes: 740\]$"
fi

finish
