#!/bin/sh
# End-to-end tests of `crm linreg`: the textbook trend (slope 12, intercept 92),
# --json stats and summary, -o with the prediction column, --model, ridge, and errors
# (constant feature, more terms than rows, text target).
# usage: test_linreg.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits non-zero when any
# check fails. Needs no shared data.

. "$(dirname "$0")/harness.sh"
harness_init linreg "$@"

printf 'x,y,c,g\n1,100,3,a\n2,120,3,b\n3,130,3,a\n4,140,3,b\n5,150,3,a\n' >"$T/t.csv"
run linreg "$T/t.csv" --target y --features x
check "trend exits 0" [ "$rc" -eq 0 ]
check "trend intercept 92" has "^intercept  *92 "
check "trend slope 12" has "^x  *12 "
check "summary shows R^2" has "R^2: *0.972973"

run linreg "$T/t.csv" --target y --features x --json -o "$T/p.csv" --model "$T/m.json"
check "--json exits 0" [ "$rc" -eq 0 ]
if [ -n "$PY" ]; then
    check "--json stats hold r2, adj_r2, f_stat, sigma" json 'set(j["stats"]) >= {"r2","adj_r2","f_stat","f_pvalue","sigma","rss","df_resid","loglik","aic","bic"} and j["stats"]["df_resid"] == 3'
    check "--json summary: slope 12, se 1.1547" json 'abs(j["summary"][1]["estimate"] - 12) < 1e-12 and abs(j["summary"][1]["std_error"] - 1.1547005383792512) < 1e-12 and "t" in j["summary"][1]'
fi
check "-o appends prediction" sh -c "head -1 '$T/p.csv' | grep -qx 'x,y,c,g,prediction'"
check "-o prediction of x=3 is 128" sh -c "sed -n 4p '$T/p.csv' | grep -qx '3,130,3,a,128'"
check "--model writes a linreg model" grep -q '"kind":"linreg"' "$T/m.json"

run linreg "$T/t.csv" --target y --features x --test "$T/t.csv" --json
if [ -n "$PY" ]; then
    check "--test: held-out RMSE and R^2 of the training rows" json 'abs(j["test"][0]["r2"] - 0.972972972972973) < 1e-12 and j["test"][0]["n"] == 5 and j["test"][0]["rmse"] > 0'
fi
printf 'x,y,w
1,100,1
2,120,2
3,130,1
4,140,0
5,150,1
' >"$T/w.csv"
run linreg "$T/w.csv" --target y --features x --weight w --json
check "--weight: weighted fit exits 0" [ "$rc" -eq 0 ]

run linreg "$T/t.csv" --target y --features x,g --l2 2
check "ridge with a text feature exits 0" [ "$rc" -eq 0 ]
check "ridge lists g=b" has "^g=b "

run linreg "$T/t.csv" --target y --features x,c
check "constant feature: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q '\"c\"' '$T/err'"
printf 'x,y,g\n1,2,a\n2,3,b\n3,5,c\n' >"$T/s.csv"
run linreg "$T/s.csv" --target y --features x,g
check "more terms than rows: exit 1" [ "$rc" -eq 1 ]
run linreg "$T/t.csv" --target g --features x
check "text target: exit 1" [ "$rc" -eq 1 ]
run linreg "$T/t.csv" --target y
check "missing --features: usage error 2" [ "$rc" -eq 2 ]

finish
