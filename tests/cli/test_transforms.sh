#!/bin/sh
# End-to-end tests of transform steps recorded in models: `crm kmeans --log/--mutate`,
# `crm logreg --mutate` and `crm tree --mutate` save models that `crm predict` applies to
# the raw file by itself - its output is byte for byte the fit command's own -o output
# (the raw rows with the same prediction columns); the model JSON is version 2 with the
# steps; --log and --mutate errors.
# usage: test_transforms.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits non-zero when any
# check fails. Needs no shared data.

. "$(dirname "$0")/harness.sh"
harness_init transforms "$@"

# 60 rows: a, b > 0 (skewed), seg text, y 0/1, cls text
awk 'BEGIN {
    print "id,a,b,seg,y,cls"
    split("north south west", s, " ")
    for (i = 0; i < 60; i++) {
        a = (i % 4 == 0 ? 1.5 + (i * 37 % 11) * 0.3 : 40 + (i * 37 % 11) * 9)
        b = 2 + (i * 13 % 17) * (i % 3 == 0 ? 1 : 25)
        g = s[(i * 7 % 3) + 1]
        score = log(a) - 3 + (g == "south" ? 0.8 : 0) + ((i * 5 % 7) - 3) * 0.4
        c = b / a > 1 ? "high" : (i % 5 == 0 ? "mid" : "low")
        printf "%d,%s,%s,%s,%d,%s\n", i, a, b, g, (score > 0 ? 1 : 0), c
    }
}' >"$T/raw.csv"

# ---- (a) k-means with --log and --standardize --------------------------------------
run kmeans "$T/raw.csv" --columns a,b --log a,b --standardize --k 3 --seed 2 -o "$T/km_fit.csv" \
    --model "$T/km.json"
check "kmeans --log --standardize exits 0" [ "$rc" -eq 0 ]
check "the summary lists the steps" has "steps: *a=log1p(a), b=log1p(b)"
check "the model is version 2 with the steps" \
    grep -q '"version":2,"kind":"kmeans","libcrm":"[^"]*","mutate":\[\["a","log1p(a)"\],\["b","log1p(b)"\]\]' \
    "$T/km.json"
run predict "$T/km.json" "$T/raw.csv" -o "$T/km_pred.csv"
check "predict on the raw file exits 0" [ "$rc" -eq 0 ]
check "kmeans: predict on the raw file = the fit's -o, byte for byte" \
    cmp -s "$T/km_fit.csv" "$T/km_pred.csv"
check "the labels are not all one cluster" \
    sh -c "[ \$(awk -F, 'NR>1{print \$NF}' '$T/km_pred.csv' | sort -u | wc -l) -eq 3 ]"
# the same fit without --log is another clustering: the steps matter
run kmeans "$T/raw.csv" --columns a,b --standardize --k 3 --seed 2 -o "$T/km_nolog.csv"
check "without --log the labels differ" sh -c "! cmp -s '$T/km_fit.csv' '$T/km_nolog.csv'"
# --log is --mutate "C=log1p(C)"
run kmeans "$T/raw.csv" --columns a,b --mutate "a=log1p(a)" --mutate "b=log1p(b)" \
    --standardize --k 3 --seed 2 -o "$T/km_mut.csv" --model "$T/km_mut.json"
check "--mutate gives the --log fit" cmp -s "$T/km_fit.csv" "$T/km_mut.csv"
# crm predict --mutate runs before the model's own steps
sed '1s/^id,a,/id,raw_a,/' "$T/raw.csv" >"$T/renamed.csv"
run predict "$T/km.json" "$T/renamed.csv" -o "$T/km_ren.csv" --mutate "a=raw_a"
check "predict --mutate comes before the recorded steps" \
    sh -c "[ \"\$(awk -F, '{print \$NF}' '$T/km_fit.csv' | tail -n +2)\" = \"\$(awk -F, '{print \$NF}' '$T/km_ren.csv' | tail -n +2)\" ]"
run predict "$T/km.json" "$T/renamed.csv" -o "$T/km_bad.csv"
check "a column a step needs is missing: exit 1" [ "$rc" -eq 1 ]
check "... naming the step and the column" \
    sh -c "grep -q 'recorded step 1 (a=log1p(a))' '$T/err' && grep -q 'no column named \"a\"' '$T/err'"
check "... and writing no file" [ ! -e "$T/km_bad.csv" ]

# ---- (b) logistic regression with a text feature --------------------------------------
run logreg "$T/raw.csv" --target y --features la,seg --mutate "la=log(a)" --l2 0.5 \
    -o "$T/lr_fit.csv" --model "$T/lr.json"
check "logreg --mutate exits 0" [ "$rc" -eq 0 ]
check "the logreg model records the step" grep -q '"mutate":\[\["la","log(a)"\]\]' "$T/lr.json"
check "-o holds the raw columns and the predictions only" \
    sh -c "head -1 '$T/lr_fit.csv' | grep -qx 'id,a,b,seg,y,cls,prediction,prediction_proba'"
run predict "$T/lr.json" "$T/raw.csv" -o "$T/lr_pred.csv"
check "logreg: predict on the raw file = the fit's -o, byte for byte" \
    cmp -s "$T/lr_fit.csv" "$T/lr_pred.csv"
run logreg "$T/raw.csv" --target y --features la,seg --mutate "la=log(a)" --l2 0.5 \
    --test "$T/raw.csv" --json
check "logreg --test applies the steps to the held-out rows" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"test\"' '$T/out'"

# ---- (c) tree ---------------------------------------------------------------------------
run tree "$T/raw.csv" --target cls --features ratio,south,a --mutate "ratio=b / a" \
    --mutate "south=seg = 'south'" --max-depth 4 -o "$T/tr_fit.csv" --model "$T/tr.json"
check "tree --mutate exits 0" [ "$rc" -eq 0 ]
run predict "$T/tr.json" "$T/raw.csv" -o "$T/tr_pred.csv"
check "tree: predict on the raw file = the fit's -o, byte for byte" \
    cmp -s "$T/tr_fit.csv" "$T/tr_pred.csv"
check "tree: the classes are predicted from the ratio (not all one class)" \
    sh -c "[ \$(awk -F, 'NR>1{print \$(NF-1)}' '$T/tr_pred.csv' | sort -u | wc -l) -ge 2 ]"

# ---- linreg ----------------------------------------------------------------------------
run linreg "$T/raw.csv" --target b --features la --mutate "la=log(1 + a)" -o "$T/ln_fit.csv" \
    --model "$T/ln.json"
check "linreg --mutate exits 0" [ "$rc" -eq 0 ]
run predict "$T/ln.json" "$T/raw.csv" -o "$T/ln_pred.csv"
check "linreg: predict on the raw file = the fit's -o, byte for byte" \
    cmp -s "$T/ln_fit.csv" "$T/ln_pred.csv"

# ---- errors -------------------------------------------------------------------------------
run kmeans "$T/raw.csv" --columns a,b --log a,nope --k 2
check "--log with a column not among --columns: exit 1" [ "$rc" -eq 1 ]
check "... naming it" has '--log: "nope" is not one of the --columns' "$T/err"
run kmeans "$T/raw.csv" --columns a,b --mutate "nonsense" --k 2
check "--mutate without = is a usage error (2)" [ "$rc" -eq 2 ]
run tree "$T/raw.csv" --target cls --features a --mutate "x=log(" -o "$T/t_bad.csv"
check "a malformed step expression: exit 1" [ "$rc" -eq 1 ]
check "... naming the step" has "mutate step 1 (x=log()" "$T/err"
printf 'a,b\n0,1\n-1,2\n3,4\n' >"$T/neg.csv"
run kmeans "$T/neg.csv" --columns a,b --log a --k 2
check "--log on a value <= -1: exit 1 naming the column and row" \
    has 'column "a" row 1: missing value' "$T/err"

finish
