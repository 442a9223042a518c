#!/bin/sh
# End-to-end tests of `crm forest`: summary with the OOB error and importances, --json stats
# (oob_error among them) and importances, -o with prediction and prediction_proba, --model then
# crm predict giving the same predictions, --threads 1 and 2 giving the same model file,
# --no-bootstrap (no OOB rows), --importance permutation, regression, --test (held-out metrics
# equal to sklearn.metrics on the same predictions), usage and input errors,
# and (with ../shared/data) Telco.
# usage: test_forest.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1 when any
# check fails, 77 when the shared data is absent (a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init forest "$@"

# x < 30 -> no, else yes; seg is noise; spend = 2 x
printf 'id,x,seg,churn,spend\n' >"$T/x.csv"
i=0
while [ $i -lt 60 ]; do
    if [ $i -ge 30 ]; then y=yes; else y=no; fi
    case $((i % 3)) in 0) s=a ;; 1) s=b ;; *) s=c ;; esac
    echo "$i,$i,$s,$y,$((2 * i))" >>"$T/x.csv"
    i=$((i + 1))
done
run forest "$T/x.csv" --target churn --features x,seg --trees 30
check "summary exits 0" [ "$rc" -eq 0 ]
check "summary shows the trees and mtry" has "^trees: *30 (mtry 1, "
check "summary shows the OOB error" has "^oob error: *0\.0[0-9]* (OOB accuracy "
check "summary lists the importances" has "^x  *0\.[0-9]*$"

run forest "$T/x.csv" --target churn --features x,seg --trees 30 --json -o "$T/out.csv" \
    --model "$T/m1.json" --threads 1
check "--json exits 0" [ "$rc" -eq 0 ]
check "--json stats hold oob_error and n_trees" \
    json 'j["stats"]["n_trees"] == 30 and 0 <= j["stats"]["oob_error"] <= 0.1'
check "--json importances" json 'j["importances"][0]["feature"] == "x" and j["importances"][0]["importance"] > 0.9'
check "-o appends prediction and prediction_proba" \
    sh -c "head -1 '$T/out.csv' | grep -qx 'id,x,seg,churn,spend,prediction,prediction_proba'"
run forest "$T/x.csv" --target churn --features x,seg --trees 30 --model "$T/m2.json" --threads 2
check "--threads 2 writes the same model as --threads 1" cmp -s "$T/m1.json" "$T/m2.json"
run predict "$T/m1.json" "$T/x.csv" -o "$T/pred.csv"
check "crm predict applies the forest" [ "$rc" -eq 0 ]
check "crm predict gives the fit's predictions" cmp -s "$T/out.csv" "$T/pred.csv"

run forest "$T/x.csv" --target churn --features x,seg --trees 5 --no-bootstrap --json
check "--no-bootstrap: no row out of bag" \
    json 'j["stats"]["oob_rows"] == 0 and j["stats"]["oob_error"] is None and j["stats"]["replace"] == 0'
run forest "$T/x.csv" --target churn --features x,seg --trees 20 --importance permutation
check "--importance permutation adds the column" has "^feature *importance *permutation$"
run forest "$T/x.csv" --target spend --features x,seg --trees 20 --histogram --mtry 2 --json
check "regression: OOB R^2 in oob_score" \
    json 'j["stats"]["regression"] == 1 and j["stats"]["oob_score"] > 0.9 and j["stats"]["max_bins"] == 255'

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
run forest "$T/train.csv" --target churn --features x,z,seg --trees 25 --max-depth 4 \
    --test "$T/test.csv" --model "$T/tm.json"
check "--test: summary prints the held-out accuracy and AUC" \
    sh -c "[ $rc -eq 0 ] && grep -q '^held-out rows (.*test.csv): 200$' '$T/out' && grep -q '^  accuracy 0\.[0-9]* *AUC 0\.[0-9]*' '$T/out'"
run forest "$T/train.csv" --target churn --features x,z,seg --trees 25 --max-depth 4 \
    --test "$T/test.csv" --model "$T/tm.json" --json
check "--test --json exits 0" [ "$rc" -eq 0 ]
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test (text target): accuracy, AUC, log loss, precision, recall, F1 = sklearn.metrics" sk churn yes
run forest "$T/train.csv" --target flag --features x,z,seg --trees 25 --histogram \
    --test "$T/test.csv" --model "$T/tm.json" --json
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test (0/1 target, histogram): metrics = sklearn.metrics" sk flag 1
run forest "$T/train.csv" --target churn --features x,z,seg --trees 25 --positive no \
    --test "$T/test.csv" --model "$T/tm.json" --json
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test --positive no: metrics of class no = sklearn.metrics" sk churn no
run forest "$T/train.csv" --target spend --features x,z,seg --trees 25 \
    --test "$T/test.csv" --model "$T/tm.json" --json
"$CRM" predict "$T/tm.json" "$T/test.csv" -o "$T/tpred.csv" >/dev/null 2>&1
check "--test (regression): RMSE, MAE, R^2 = sklearn.metrics" sk spend -
run forest "$T/train.csv" --target spend --features x,z,seg --trees 5 --test "$T/test.csv"
check "--test (regression): summary prints RMSE and R^2" has "^  RMSE [0-9.]* *MAE [0-9.]* *R^2 0\.[0-9]*$"
run forest "$T/train.csv" --target seg --features x,z --trees 5 --test "$T/test.csv"
check "--test with three classes: exit 1 naming the classes" \
    sh -c "[ $rc -eq 1 ] && grep -q 'seg has 3 classes' '$T/err'"
run forest "$T/train.csv" --target churn --features x,z --trees 5 --test "$T/nope.csv" -o "$T/none.csv"
check "--test FILE missing: exit 1 naming it, no output written" \
    sh -c "[ $rc -eq 1 ] && grep -q nope.csv '$T/err' && [ ! -e '$T/none.csv' ]"
cut -d, -f1,2,4,5 "$T/test.csv" >"$T/test_noz.csv"
run forest "$T/train.csv" --target churn --features x,z --trees 5 --test "$T/test_noz.csv"
check "--test without a feature column: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q z '$T/err'"

# ---- errors -------------------------------------------------------------------------
run forest "$T/x.csv" --features x
check "missing --target: usage error" [ "$rc" -eq 2 ]
run forest "$T/x.csv" --target churn --features x --importance gain
check "unknown importance: usage error" [ "$rc" -eq 2 ]
run forest "$T/x.csv" --target churn --features x --trees 0
check "--trees 0: usage error" [ "$rc" -eq 2 ]
run forest "$T/x.csv" --target churn --features x --mtry 3
check "mtry above the features: exit 1 naming mtry" sh -c "[ $rc -eq 1 ] && grep -q mtry '$T/err'"
run forest "$T/x.csv" --target churn --features nope
check "unknown column: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
run forest "$T/x.csv" --target churn --features x --no-bootstrap --sample-fraction 2
check "sample fraction 2 without replacement: exit 1" [ "$rc" -eq 1 ]
run forest "$T/x.csv" --help
check "--help exits 0" sh -c "[ $rc -eq 0 ] && grep -q 'usage: crm forest' '$T/out'"

# ---- Telco churn (when ../shared/data is present) --------------------------------------
telco=$SHARED/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
if shared_file "$telco"; then
    run forest "$telco" --target Churn --features Contract,tenure,MonthlyCharges,InternetService \
        --trees 50 --max-depth 6 --json
    check "Telco: exit 0" [ "$rc" -eq 0 ]
    check "Telco: OOB accuracy near 0.79" json '0.77 < j["stats"]["oob_score"] < 0.81'
fi

finish
