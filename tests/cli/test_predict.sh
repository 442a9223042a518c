#!/bin/sh
# End-to-end tests of `crm predict`: a k-means model saved by `crm kmeans --model`
# applied to another file gives the labels `crm kmeans -o` wrote; --column, the --log
# transform recorded in the model replayed, --mutate, --json; usage and input errors.
# usage: test_predict.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits non-zero when any
# check fails. Needs no shared data.

. "$(dirname "$0")/harness.sh"
harness_init predict "$@"

printf 'id,x,name\n1,0,a\n2,1,b\n3,2,c\n4,10,d\n5,11,e\n6,12,f\n' >"$T/x.csv"
run kmeans "$T/x.csv" --columns x --k 2 --n-init 3 --seed 1 -o "$T/fit.csv" --model "$T/m.json"
check "kmeans --model exits 0" [ "$rc" -eq 0 ]

# the same rows in another order, with another column in front
printf 'other,x\nq,11\nr,0\ns,12\nt,1\n' >"$T/new.csv"
run predict "$T/m.json" "$T/new.csv" -o "$T/pred.csv"
check "predict exits 0" [ "$rc" -eq 0 ]
check "predict says what it did" has "kmeans model .* applied to 4 rows"
check "predict keeps the columns and appends cluster" \
    sh -c "head -1 '$T/pred.csv' | grep -qx 'other,x,cluster'"
# labels must equal those of the fit for the same x values
low=$(awk -F, 'NR>1 && $2==0 {print $4}' "$T/fit.csv")
high=$(awk -F, 'NR>1 && $2==11 {print $4}' "$T/fit.csv")
check "x = 11 and 12 get the cluster of 10..12 in the fit" \
    sh -c "awk -F, 'NR>1 && (\$2==11 || \$2==12) {print \$3}' '$T/pred.csv' | sort -u | grep -qx '$high'"
check "x = 0 and 1 get the cluster of 0..2 in the fit" \
    sh -c "awk -F, 'NR>1 && (\$2==0 || \$2==1) {print \$3}' '$T/pred.csv' | sort -u | grep -qx '$low'"

run predict "$T/m.json" "$T/new.csv" -o "$T/pred2.csv" --column segment --json
check "--json describes the run" \
    has '{"model": ".*m.json", "kind": "kmeans", "file": ".*new.csv", "rows": 4, "column": "segment", "output": ".*pred2.csv"}'
check "--column names the prediction column" \
    sh -c "head -1 '$T/pred2.csv' | grep -qx 'other,x,segment'"

# a model fitted on log(1 + x) (--log x) replays the transform on raw rows by itself
run kmeans "$T/x.csv" --columns x --k 2 --seed 1 --log x -o "$T/logfit.csv" --model "$T/lm.json"
run predict "$T/lm.json" "$T/x.csv" -o "$T/logpred.csv"
check "predict with a recorded --log step exits 0" [ "$rc" -eq 0 ]
check "the recorded --log step is replayed: the labels equal the fit's" \
    sh -c "[ \"\$(awk -F, 'NR>1{print \$4}' '$T/logfit.csv')\" = \"\$(awk -F, 'NR>1{print \$4}' '$T/logpred.csv')\" ]"
# --mutate prepares FILE before the model's own steps run
sed '1s/^id,x,/id,raw,/' "$T/x.csv" >"$T/xr.csv"
run predict "$T/lm.json" "$T/xr.csv" -o "$T/logpred2.csv" --mutate "x=raw"
check "--mutate exits 0" [ "$rc" -eq 0 ]
check "--mutate runs before the recorded steps: the labels equal the fit's" \
    sh -c "[ \"\$(awk -F, 'NR>1{print \$4}' '$T/logfit.csv')\" = \"\$(awk -F, 'NR>1{print \$5}' '$T/logpred2.csv')\" ]"

run predict "$T/m.json"
check "missing FILE is a usage error (2)" [ "$rc" -eq 2 ]
run predict "$T/m.json" "$T/new.csv"
check "missing -o is a usage error (2)" [ "$rc" -eq 2 ]
run predict "$T/m.json" "$T/new.csv" -o "$T/p.csv" --mutate "nonsense"
check "--mutate without = is a usage error (2)" [ "$rc" -eq 2 ]
run predict "$T/nope.json" "$T/new.csv" -o "$T/p.csv"
check "a missing model file is bad input (1)" [ "$rc" -eq 1 ]
check "... naming the file" has "nope.json" "$T/err"
printf 'y\n1\n' >"$T/y.csv"
run predict "$T/m.json" "$T/y.csv" -o "$T/p.csv"
check "a file without the model's column is bad input (1)" [ "$rc" -eq 1 ]
check "... naming the column" has 'no column named "x"' "$T/err"
printf '{"format":"libcrm-model","version":9,"kind":"kmeans"}' >"$T/bad.json"
run predict "$T/bad.json" "$T/new.csv" -o "$T/p.csv"
check "a model file of another format version is bad input (1)" [ "$rc" -eq 1 ]

finish
