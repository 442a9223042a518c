#!/bin/sh
# End-to-end tests of `crm logreg`: a small generated churn table (human summary,
# --json stats and summary, -o with prediction and prediction_proba, --model), usage and
# input errors (separation, one class, unknown positive), and the Telco churn model when
# ../shared/data is present (coefficients as statsmodels prints them).
# usage: test_logreg.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1 when
# any check fails, 77 when the shared data is absent (a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init logreg "$@"

# ---- a small table: churn depends on tenure and plan ----------------------------------
{
    echo "id,tenure,plan,churn"
    i=0
    while [ $i -lt 60 ]; do
        t=$(( (i * 7) % 24 ))
        p=basic
        [ $((i % 3)) -eq 0 ] && p=premium
        c=No
        if [ $t -lt 8 ] && [ $((i % 4)) -ne 1 ]; then c=Yes; fi
        if [ $t -ge 8 ] && [ $((i % 5)) -eq 0 ]; then c=Yes; fi
        echo "$i,$t,$p,$c"
        i=$((i + 1))
    done
} >"$T/c.csv"

run logreg "$T/c.csv" --target churn --positive Yes --features tenure,plan
check "summary exits 0" [ "$rc" -eq 0 ]
check "summary names the model and convergence" has "logistic regression, 3 terms, converged"
check "summary lists the one-hot term plan=premium" has "^plan=premium "
check "summary has the odds ratio column" has "odds_ratio"

run logreg "$T/c.csv" --target churn --positive Yes --features tenure,plan --json \
    -o "$T/p.csv" --model "$T/m.json"
check "--json exits 0" [ "$rc" -eq 0 ]
if [ -n "$PY" ]; then
    check "--json stats hold every statistic" json 'set(j["stats"]) >= {"n_rows","n_terms","n_iter","converged","loglik","loglik_null","mcfadden_r2","aic","bic","l2"} and j["stats"]["n_rows"] == 60'
    check "--json summary rows keyed by column" json '[r["term"] for r in j["summary"]] == ["intercept","tenure","plan=premium"] and all(set(r) >= {"estimate","std_error","z","p_value","odds_ratio","ci_low","ci_high"} for r in j["summary"])'
    check "--json odds ratio = exp(estimate)" json 'all(abs(r["odds_ratio"] - __import__("math").exp(r["estimate"])) < 1e-12 * r["odds_ratio"] for r in j["summary"])'
    check "--json tenure lowers churn" json 'j["summary"][1]["estimate"] < 0'
fi
check "-o appends prediction and prediction_proba" \
    sh -c "head -1 '$T/p.csv' | grep -qx 'id,tenure,plan,churn,prediction,prediction_proba'"
check "-o predictions are the classes" sh -c "awk -F, 'NR>1{print \$5}' '$T/p.csv' | sort -u | tr '\n' ' ' | grep -qx 'No Yes '"
check "--model writes a logreg model" grep -q '"kind":"logreg"' "$T/m.json"

run logreg "$T/c.csv" --target churn --features tenure,plan --l2 1 --standardize --class-weight balanced
check "--l2 --standardize --class-weight exits 0" [ "$rc" -eq 0 ]
check "--l2 says no standard errors" has "no standard errors"

run logreg "$T/c.csv" --target churn --features tenure,plan --test "$T/c.csv"
check "--test prints the held-out AUC" has "AUC 0\.[0-9]"
check "summary lists the strongest factors" has "strongest factors"
if [ -n "$PY" ]; then
    run logreg "$T/c.csv" --target churn --positive Yes --features tenure,plan --test "$T/c.csv" --json
    yes=$(grep -c ',Yes$' "$T/c.csv")
    check "--test in --json: auc, log_loss and confusion counts" json "j['test'][0]['n'] == 60 and 0.5 < j['test'][0]['auc'] <= 1 and j['test'][0]['log_loss'] > 0 and j['test'][0]['tp'] + j['test'][0]['fn'] == $yes"
fi

# ---- errors ------------------------------------------------------------------------------
# a rare positive class: no row has a probability above 0.5, and --test without
# --positive still takes the model's positive class ("rare", second in byte order)
awk 'BEGIN { print "x,y"; for (i = 1; i <= 20; i++) print i "," ((i == 3 || i == 11) ? "rare" : "common") }' \
    >"$T/rare.csv"
run logreg "$T/rare.csv" --target y --features x --test "$T/rare.csv" --json
check "--test without --positive on a rare class exits 0" [ "$rc" -eq 0 ]
cp "$T/out" "$T/rare_default.json"
run logreg "$T/rare.csv" --target y --features x --test "$T/rare.csv" --json --positive rare
check "... the same metrics as with --positive rare" cmp -s "$T/out" "$T/rare_default.json"
printf 'x,y\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n' >"$T/sep.csv"
run logreg "$T/sep.csv" --target y --features x
check "perfect separation: exit 1" [ "$rc" -eq 1 ]
check "separation is named with the term" grep -q 'separation.*"x"' "$T/err"
run logreg "$T/c.csv" --target churn --positive Maybe --features tenure
check "unknown positive label: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q Maybe '$T/err'"
printf 'x,y\n1,a\n2,a\n3,a\n' >"$T/one.csv"
run logreg "$T/one.csv" --target y --features x
check "one class: exit 1" sh -c "[ $rc -eq 1 ] && grep -q '1 class' '$T/err'"
printf 'x,y\n1,0\n,1\n3,0\n4,1\n5,0\n' >"$T/na.csv"
run logreg "$T/na.csv" --target y --features x
check "missing value: exit 1 naming the row" sh -c "[ $rc -eq 1 ] && grep -q 'row 1' '$T/err'"
run logreg "$T/na.csv" --target y --features x --missing drop --json
check "--missing drop fits the other rows" sh -c "[ $rc -eq 0 ] && grep -q '\"n_rows\": 4' '$T/out'"
run logreg "$T/c.csv" --features tenure
check "missing --target: usage error 2" [ "$rc" -eq 2 ]
run logreg "$T/c.csv" --target churn --features tenure --l2 -1
check "negative --l2: usage error 2" [ "$rc" -eq 2 ]
run logreg "$T/c.csv" --target churn --features tenure --bogus
check "unknown option: usage error 2" [ "$rc" -eq 2 ]
run logreg --help
check "--help exits 0" sh -c "[ $rc -eq 0 ] && grep -q 'odds ratio' '$T/out'"

# ---- Telco churn (shared data) ----------------------------------------------------------
TELCO=$SHARED/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
if shared_file "$TELCO"; then
    run logreg "$TELCO" --target Churn --positive Yes --missing drop --json \
        --features tenure,MonthlyCharges,TotalCharges,SeniorCitizen,Contract,InternetService,PaymentMethod,PaperlessBilling
    check "Telco: exit 0" [ "$rc" -eq 0 ]
    if [ -n "$PY" ]; then
        # statsmodels (tests/reference/golden/linear_telco.tsv): measured 0 and 1.9e-15 relative
        check "Telco: log-likelihood as statsmodels (-2967.5727773154576, 1e-15 relative)" \
            json 'abs(j["stats"]["loglik"] + 2967.5727773154576) <= 1e-15 * 2967.5727773154576'
        check "Telco: Contract=Two year as statsmodels (-1.523560019345992, 1e-14 relative)" \
            json 'abs([r for r in j["summary"] if r["term"] == "Contract=Two year"][0]["estimate"] + 1.523560019345992) <= 1e-14 * 1.523560019345992'
    fi
fi

finish
