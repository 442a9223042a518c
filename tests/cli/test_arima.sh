#!/bin/sh
# End-to-end tests of `crm arima`: a generated monthly transaction file (fixed
# order, --auto, --json stats and forecasts, -o CSV, --model reloaded, --by with
# one series per shop), usage and input errors, and, when ../shared/data is
# present, the AirPassengers auto model and AICc of forecast 8.20.
# usage: test_arima.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1 when
# any check fails, 77 when the shared data is absent (a failure under CI=true).

. "$(dirname "$0")/harness.sh"
harness_init arima "$@"

# ---- generated transactions: two shops, several sales a month, 2018-01 .. 2022-12 ----
awk 'BEGIN {
    srand(7); print "shop,date,amount";
    for (k = 0; k < 60; k++) {
        y = 2018 + int(k / 12); m = k % 12 + 1;
        for (j = 0; j < 3; j++) {
            d = 3 + 9 * j;
            printf "north,%d-%02d-%02d 10:00:00,%.2f\n", y, m, d, 30 + 10 * sin(6.2832 * m / 12) + 5 * rand();
            printf "south,%d-%02d-%02d 12:30:00,%.2f\n", y, m, d, 50 + k / 2 + 6 * rand();
        }
    }
}' >"$T/tx.csv"

run arima "$T/tx.csv" --time date --value amount --order 0,1,1 --seasonal 0,1,1,12 --horizon 6
check "fixed order exits 0" [ "$rc" -eq 0 ]
check "summary names the model" has "^model: *ARIMA(0,1,1)(0,1,1)\[12\]"
check "summary counts 60 months" has "^series: *60 periods of amount by date"
check "coefficient table has ma1 and sma1" sh -c "grep -q '^ma1 ' '$T/out' && grep -q '^sma1 ' '$T/out'"
check "forecasts start in January 2023" has "^2023-01-01 *1 "
check "forecasts end in June 2023" has "^2023-06-01 *6 "
check "default intervals 80 and 95" has "lower_80 *upper_80 *lower_95 *upper_95"

run arima "$T/tx.csv" --time date --value amount --auto --horizon 3 --level 90 --json \
    -o "$T/fc.csv" --model "$T/m.json"
check "--auto --json exits 0" [ "$rc" -eq 0 ]
if [ -n "$PY" ]; then
    check "--json stats: auto, 60 periods, converged" json 'j["stats"]["auto"] == 1 and j["stats"]["n"] == 60 and j["stats"]["converged"] == 1'
    check "--json forecasts: 3 rows with lower_90 < mean < upper_90" json 'len(j["forecasts"]) == 3 and all(r["lower_90"] < r["mean"] < r["upper_90"] for r in j["forecasts"])'
    check "--json forecast times are months" json '[r["time"] for r in j["forecasts"]] == ["2023-01-01", "2023-02-01", "2023-03-01"]'
fi
check "-o writes the forecast table" sh -c "head -1 '$T/fc.csv' | grep -qx 'time,step,mean,se,lower_90,upper_90'"
check "-o has 3 rows" sh -c "[ \$(wc -l <'$T/fc.csv') -eq 4 ]"
check "--model writes an arima model" grep -q '"format":"libcrm-model","version":1,"kind":"arima"' "$T/m.json"

run arima "$T/tx.csv" --time date --value amount --by shop --auto --horizon 4 -o "$T/many.csv" --threads 2
check "--by exits 0" [ "$rc" -eq 0 ]
check "--by lists two series" has "^series: *2 (by shop)"
check "--by row for north" has "^north "
check "--by row for south" has "^south "
check "--by forecasts: 8 rows plus header" sh -c "[ \$(wc -l <'$T/many.csv') -eq 9 ]"
check "--by forecast columns" sh -c "head -1 '$T/many.csv' | grep -qx 'shop,step,time,mean,se,lower,upper'"

run arima "$T/tx.csv" --time date --value amount --period quarter --order 1,0,0 --horizon 2
check "--period quarter: 20 quarters" has "^series: *20 periods"
check "--period quarter: next quarter 2023-01-01" has "^2023-01-01 *1 "

# ---- errors ---------------------------------------------------------------------------
run arima "$T/tx.csv" --time date --value amount
check "neither --order nor --auto: exit 2" [ "$rc" -eq 2 ]
run arima "$T/tx.csv" --time date --value amount --order 1,1 
check "--order with two numbers: exit 2" [ "$rc" -eq 2 ]
run arima "$T/tx.csv" --time date --value amount --order 1,0,0 --period fortnight
check "unknown --period: exit 2" [ "$rc" -eq 2 ]
run arima "$T/tx.csv" --time date --value amount --order 1,0,0 --method bayes
check "unknown --method: exit 2" [ "$rc" -eq 2 ]
run arima "$T/tx.csv" --time date --value nope --order 1,0,0
check "unknown column: exit 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
run arima "$T/tx.csv" --time shop --value amount --order 1,0,0
check "text time column: exit 1" [ "$rc" -eq 1 ]
run arima "$T/tx.csv" --time date --value amount --order 0,0,0 --seasonal 1,0,0,1
check "seasonal terms with period 1: exit 1" sh -c "[ $rc -eq 1 ] && grep -q period '$T/err'"
run arima "$T/tx.csv" --time date --value amount --order 5,1,5 --seasonal 2,1,2,12 --period year
check "series too short for the model: exit 1" sh -c "[ $rc -eq 1 ] && grep -q 'needs at least' '$T/err'"
run arima "$T/tx.csv" --time date --value amount --order 1,0,0 --drift
check "drift with d + D = 0: exit 1" [ "$rc" -eq 1 ]
run arima "$T/tx.csv" --time date --value amount --auto --level 100
check "--level 100: exit 2" [ "$rc" -eq 2 ]
run arima --help
check "--help exits 0" [ "$rc" -eq 0 ]

# ---- the demo's forecast (scripts/demo.sh step 9) as forecast::auto.arima -----------------
# tests/reference/golden/demo_forecast.tsv (tests/reference/demo_forecast.R): R cleans the same
# crm synth shop as the demo, sums Amount per month and runs auto.arima. crm arima --auto must
# pick the same model and forecast the same 12 means (1e-6 relative: both optimisers stop
# within about 1e-8 of the optimum), whose peak is November.
GOLDEN_DEMO=$(dirname "$0")/../reference/golden/demo_forecast.tsv
run synth -o "$T/demo_shop.csv" --customers 5000 --days 1461 --seed 42
run clean "$T/demo_shop.csv" -o "$T/demo_sales.csv" \
    --filter "CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and not startswith(InvoiceNo, 'C')" \
    --dedup --mutate "Amount=Quantity * UnitPrice"
run arima "$T/demo_sales.csv" --time InvoiceDate --value Amount --period month --auto \
    --horizon 12 -o "$T/demo_fc.csv"
want=$(awk -F'\t' '$1 == "order" { split($2, o, " ");
    printf "ARIMA(%s,%s,%s)(%s,%s,%s)[%s]", o[1], o[2], o[3], o[4], o[5], o[6], o[7] }' "$GOLDEN_DEMO")
check "demo: --auto picks auto.arima's $want" has "^model: *$(echo "$want" | sed 's/[][]/\\&/g')$"
check "demo: the 12 forecast means equal auto.arima's within 1e-6" \
    awk -F'[,\t]' 'FNR == NR { if ($1 == "fc_mean") for (i = 2; i <= NF; i++) g[i - 1] = $i; next }
        FNR > 1 { n++; d = $3 - g[n]; if (d < 0) d = -d; if (d > 1e-6 * (g[n] < 0 ? -g[n] : g[n])) bad = 1 }
        END { exit bad || n != 12 }' "$GOLDEN_DEMO" "$T/demo_fc.csv"
# and forecast()'s 80 % and 95 % intervals (forecast's bias-adjusted sigma2, the default)
check "demo: the 80 % and 95 % intervals equal forecast()'s within 1e-6" \
    awk -F'[,\t]' 'FNR == NR { k = $1 == "lower80" ? 5 : $1 == "upper80" ? 6 : $1 == "lower95" ? 7 : $1 == "upper95" ? 8 : 0
            if (k) for (i = 2; i <= NF; i++) g[k, i - 1] = $i; next }
        FNR == 1 { if ($5 != "lower_80" || $6 != "upper_80" || $7 != "lower_95" || $8 != "upper_95") bad = 1; next }
        { n++; for (k = 5; k <= 8; k++) { d = $k - g[k, n]; if (d < 0) d = -d; w = g[k, n] < 0 ? -g[k, n] : g[k, n]
            if (d > 1e-6 * w) bad = 1 } }
        END { exit bad || n != 12 }' "$GOLDEN_DEMO" "$T/demo_fc.csv"
# --sigma2 stats: stats::arima's variance (the default run's sigma2_stats) instead of forecast's
run arima "$T/demo_sales.csv" --time InvoiceDate --value Amount --period month --auto --json
cp "$T/out" "$T/demo_default.json"
run arima "$T/demo_sales.csv" --time InvoiceDate --value Amount --period month --auto --json \
    --sigma2 stats
check "--sigma2 stats reports stats::arima's sigma2 (the default's sigma2_stats)" \
    [ "$(grep -o '"sigma2_stats": *[0-9.e+-]*' "$T/demo_default.json" | sed 's/.*: *//')" = \
      "$(grep -o '"sigma2": *[0-9.e+-]*' "$T/out" | sed 's/.*: *//')" ]
check "--sigma2 stats is smaller than forecast's bias-adjusted default" \
    awk -v a="$(grep -o '"sigma2": *[0-9.e+-]*' "$T/demo_default.json" | sed 's/.*: *//')" \
        -v b="$(grep -o '"sigma2": *[0-9.e+-]*' "$T/out" | sed 's/.*: *//')" 'BEGIN { exit !(b > 0 && b < a) }'
run arima "$T/demo_sales.csv" --time InvoiceDate --value Amount --auto --sigma2 ml
check "--sigma2 ml is a usage error" [ "$rc" -eq 2 ]
check "demo: the forecast peaks in November" \
    awk -F, 'NR > 1 && $3 > max { max = $3; t = $1 } END { exit substr(t, 6, 2) != "11" }' "$T/demo_fc.csv"

# ---- shared data: AirPassengers as forecast 8.20 ----------------------------------------
AP=$SHARED/airpassengers/airpassengers.csv
if shared_file "$AP"; then
    run arima "$AP" --time date --value value --auto --horizon 2
    check "AirPassengers: ARIMA(2,1,1)(0,1,0)[12] as auto.arima" has "^model: *ARIMA(2,1,1)(0,1,0)\[12\]$"
    check "AirPassengers: AICc 1018.17 as auto.arima" has "AICc: 1018.17"
fi

finish
