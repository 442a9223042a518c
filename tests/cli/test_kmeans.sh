#!/bin/sh
# End-to-end tests of `crm kmeans`: a hand-checked 1-D case (summary, --json stats and
# summary, -o with the cluster column, --model reloaded), --elbow, usage and input errors,
# and the whole pipeline crm synth -> crm clean -> crm rfm -> crm kmeans on the RFM columns.
# usage: test_kmeans.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits non-zero when any
# check fails. Needs no shared data.

. "$(dirname "$0")/harness.sh"
harness_init kmeans "$@"

# ---- hand-checked: 0 1 2 | 10 11 12 -> centers 1 and 11, wcss 2 each ----------------
printf 'id,x,name\n1,0,a\n2,1,b\n3,2,c\n4,10,d\n5,11,e\n6,12,f\n' >"$T/x.csv"
run kmeans "$T/x.csv" --columns x --k 2 --n-init 3 --seed 1
check "summary exits 0" [ "$rc" -eq 0 ]
check "summary shows the inertia 4" has "inertia: *4$"
check "summary shows a cluster of 3 rows centered at 11" grep -Eq "^ +[01] +3 +2 +11$" "$T/out"
check "summary shows a cluster centered at 1" grep -Eq "^ +[01] +3 +2 +1$" "$T/out"

run kmeans "$T/x.csv" --columns x --k 2 --json -o "$T/out.csv" --model "$T/m.json"
check "--json exits 0" [ "$rc" -eq 0 ]
check "--json has every stat" has '"stats": {"k": 2, "n_features": 1, "n_rows": 6, "inertia": 4, "n_iter": [0-9]*, "iterations": [0-9]*, "converged": 1, "standardize": 0, "best_init": [0-9]*, "tol_abs": '
check "--json summary rows as objects" has '{"cluster": 0, "size": 3, "wcss": 2, "x": 1[1]*}'
check "-o keeps the input columns and appends cluster" \
    sh -c "head -1 '$T/out.csv' | grep -qx 'id,x,name,cluster'"
check "-o labels: first three rows together, last three together" \
    sh -c "awk -F, 'NR>1{print \$4}' '$T/out.csv' | uniq | wc -l | grep -qx 2"
check "--model writes a libcrm-model JSON" grep -q '"format":"libcrm-model","version":1,"kind":"kmeans"' "$T/m.json"

run kmeans "$T/x.csv" --columns x --elbow 1:3 --json
check "--elbow lists inertia per k" has '{"elbow": \[{"k": 1, "inertia": 154}, {"k": 2, "inertia": 4}, {"k": 3, "inertia": 2.5}'

run kmeans "$T/x.csv" --columns x --k 2 --standardize --log x
check "--standardize --log exits 0" [ "$rc" -eq 0 ]
check "--standardize noted in the summary" has "(--log applied) (standardized)"

# --log: the centers also in original units, expm1 of the mean log1p: 6^(1/3) - 1 = 0.817121
# and (11 * 12 * 13)^(1/3) - 1 = 10.9722 (geometric means of x + 1, less 1)
run kmeans "$T/x.csv" --columns x --k 2 --log x --seed 1
check "--log: the fitted centers in log units" has "^centers as fitted (after the steps):$"
check "--log: centers in original units printed" has "^centers in original units (the steps undone):$"
check "--log: original-unit centers 0.817121 and 10.9722" \
    sh -c "grep -Eq '^ +[01] +3 +0\.817121$' '$T/out' && grep -Eq '^ +[01] +3 +10\.9722$' '$T/out'"
run kmeans "$T/x.csv" --columns x --k 2 --log x --seed 1 --json
check "--log --json: centers_original next to summary" \
    has '"centers_original": \[{"cluster": [01], "size": 3, "x": [0-9.]*}, {"cluster": [01], "size": 3, "x": [0-9.]*}\]'
check "--log --json: the values" \
    sh -c "grep -q '\"x\": 0\.81712059283213[0-9]*}' '$T/out' && grep -q '\"x\": 10\.9721576725837[0-9]*}' '$T/out'"

printf 'x,w\n0,2\n1,1\n10,1\n11,1\n1000,0\n' >"$T/w.csv"
run kmeans "$T/w.csv" --columns x --k 2 --weight w --json
check "--weight: weighted centers, weightless row kept out of the centers" \
    has '"wcss": 0.6666666666666667, "x": 0.3333333333333333}'
run kmeans "$T/w.csv" --columns x --k 2 --weight x,w
check "--weight with an unknown column: exit 1" [ "$rc" -eq 1 ]

# ---- errors -------------------------------------------------------------------------
run kmeans "$T/x.csv" --columns x --k 7
check "k larger than the distinct rows: exit 1" [ "$rc" -eq 1 ]
check "k error names the distinct rows" grep -q "distinct rows (6)" "$T/err"
run kmeans "$T/x.csv" --columns x,nope --k 2
check "unknown column: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
run kmeans "$T/x.csv" --columns name --k 2
check "text column: exit 1" sh -c "[ $rc -eq 1 ] && grep -q 'not a number column' '$T/err'"
printf 'x,y\n1,2\n2,\n3,4\n' >"$T/nan.csv"
run kmeans "$T/nan.csv" --columns x,y --k 2
check "missing value: exit 1 naming column and row" \
    sh -c "[ $rc -eq 1 ] && grep -q 'column \"y\" row 1: missing' '$T/err'"
printf 'x,c\n1,5\n2,5\n3,5\n' >"$T/const.csv"
run kmeans "$T/const.csv" --columns x,c --k 2 --standardize
check "constant column with --standardize: exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q '\"c\" is constant' '$T/err'"
run kmeans "$T/x.csv" --columns x
check "no --k: usage error" [ "$rc" -eq 2 ]
run kmeans "$T/x.csv" --columns x --k 0
check "--k 0: usage error" [ "$rc" -eq 2 ]
run kmeans "$T/x.csv" --columns x --k 2 --bogus
check "unknown flag: usage error" [ "$rc" -eq 2 ]
run kmeans "$T/x.csv" --columns x --elbow 3:1
check "bad --elbow: usage error" [ "$rc" -eq 2 ]

# ---- the pipeline: synth -> clean -> rfm -> kmeans ----------------------------------------
run synth -o "$T/shop.csv" --customers 300 --seed 7
check "synth" [ "$rc" -eq 0 ]
run clean "$T/shop.csv" -o "$T/sales.csv" \
    --filter "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')" \
    --dedup --mutate "Amount=Quantity * UnitPrice"
check "clean" [ "$rc" -eq 0 ]
run rfm "$T/sales.csv" -o "$T/rfm.csv" --customer CustomerID --date InvoiceDate --amount Amount \
    --invoice InvoiceNo
check "rfm" [ "$rc" -eq 0 ]
run kmeans "$T/rfm.csv" --columns recency_days,frequency,monetary --log recency_days,frequency,monetary \
    --standardize --k 4 --seed 1 -o "$T/seg.csv" --json
check "kmeans on the RFM columns exits 0" [ "$rc" -eq 0 ]
customers=$(($(wc -l <"$T/rfm.csv") - 1))
check "every customer gets a cluster 0..3" \
    sh -c "awk -F, 'NR==1{for(i=1;i<=NF;i++) if(\$i==\"cluster\") c=i} NR>1 && \$c !~ /^[0-3]\$/ {bad=1} END{exit bad}' '$T/seg.csv' && [ \$(($(wc -l <"$T/seg.csv") - 1)) -eq $customers ]"
check "cluster sizes add up to the customers" \
    sh -c "sed 's/\"centers_original\".*//' '$T/out' | grep -o '\"size\": [0-9]*' | awk '{s+=\$2} END{exit s!=$customers}'"
run kmeans "$T/rfm.csv" --columns recency_days,frequency,monetary --log recency_days,frequency,monetary \
    --standardize --k 4 --seed 1 --threads 1 -o "$T/seg1.csv" --json
check "same segments with one thread" cmp -s "$T/seg.csv" "$T/seg1.csv"

finish
