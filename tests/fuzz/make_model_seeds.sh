#!/bin/sh
# Write the seed corpus of fuzz_model_json: one small saved model of each kind
# and variant (k-means plain and standardized, classification and regression
# trees with a text feature, logistic and linear regression with a text
# feature, ARIMA with a mean, with a drift, seasonal, and fitted on calendar
# months), fitted by the crm command on small inline data.
# Usage: tests/fuzz/make_model_seeds.sh CRM_BINARY [OUT_DIR]
#   (default OUT_DIR: tests/fuzz/corpus/fuzz_model_json)
set -eu
crm=$1
out=${2:-$(dirname "$0")/corpus/fuzz_model_json}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/train.csv" <<'CSV'
x,c,t,y
0.5,a,1.5,0
1.5,b,2.9,0
2.5,a,4.6,1
3.5,c,5.1,0
4.5,b,7.2,1
5.5,a,8.1,1
6.5,c,9.9,0
7.5,b,10.2,1
8.5,a,12.8,1
9.5,c,13.1,1
CSV
awk 'BEGIN { srand(3); print "date,v"; v = 0;
             for (i = 0; i < 48; i++) { v = 0.6 * v + rand() - 0.5;
                 printf "%04d-%02d-01,%.4f\n", 2018 + int(i / 12), i % 12 + 1, 10 + 0.2 * i + v + 3 * (i % 12 == 11) } }' \
    >"$tmp/series.csv"
q() { "$crm" "$@" >/dev/null; }
q kmeans "$tmp/train.csv" --columns x,t --k 2 --model "$out/kmeans.json"
q kmeans "$tmp/train.csv" --columns x,t,y --k 3 --standardize --model "$out/kmeans_std.json"
q tree "$tmp/train.csv" --target y --features x,c --positive 1 --model "$out/tree_class.json"
q tree "$tmp/train.csv" --target t --features x,c --max-depth 2 --model "$out/tree_reg.json"
q logreg "$tmp/train.csv" --target y --features x,c --l2 0.5 --model "$out/logreg.json"
q linreg "$tmp/train.csv" --target t --features x,c --model "$out/linreg.json"
q arima "$tmp/series.csv" --time date --value v --order 1,0,1 --model "$out/arima_mean.json"
q arima "$tmp/series.csv" --time date --value v --order 1,1,0 --drift --model "$out/arima_drift.json"
q arima "$tmp/series.csv" --time date --value v --order 0,1,1 --seasonal 0,1,0,12 \
    --model "$out/arima_seasonal.json"
q arima "$tmp/series.csv" --time date --value v --order 1,0,0 --period quarter --method css \
    --model "$out/arima_css_quarter.json"
