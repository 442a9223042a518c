#!/bin/sh
# End-to-end tests of `crm clv`: the summary table of the golden transactions
# (tests/reference/golden/clv_tx.csv) against the Python reference's table, the
# --json statistics, the model file with crm predict, usage and input errors.
# usage: test_clv.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits 1
# when any check fails.

. "$(dirname "$0")/harness.sh"
harness_init clv "$@"
HERE=$(cd "$(dirname "$0")" && pwd)
G=$HERE/../reference/golden

run clv --help
check "clv --help exits 0 and lists --calibration-end" \
    sh -c "[ $rc -eq 0 ] && grep -q -- --calibration-end '$T/out'"
run clv "$G/clv_tx.csv" --customer customer --date date --amount amount \
    --calibration-end 2021-06-30 --observation-end 2021-12-31 -o "$T/clv.csv" --model "$T/clv.json"
check "clv on the golden transactions exits 0" test "$rc" -eq 0
check "the table lists the top customers" has '^customer  *frequency'
check "the per-customer table equals the reference summary (to 1e-12) and has the predictions" \
    "$PY" -c '
import csv, sys
got = list(csv.DictReader(open(sys.argv[1])))
want = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(want), (len(got), len(want))
for g, w in zip(got, want):
    assert g["customer"] == w["customer"]
    for k in w:
        if k != "customer":
            a, b = float(g[k]), float(w[k])
            assert abs(a - b) <= 1e-12 * max(abs(b), 1), (k, a, b)
    for k in ("p_alive", "expected_purchases", "expected_spend", "clv"):
        assert float(g[k]) >= 0, (k, g[k])
' "$T/clv.csv" "$G/clv_tx_summary.csv"
run clv "$G/clv_tx.csv" --customer customer --date date --amount amount --period week --json
check "--json holds r alpha a b, p q v and the log-likelihoods" \
    json 'all(k in j["stats"] for k in ("r","alpha","a","b","p","q","v","loglik_bgnbd","loglik_gamma_gamma")) and j["period"] == "week" and len(j["summary"]) == 7 and len(j["top"]) == 10'
"$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["frequency", "recency", "T", "monetary"])
    for r in rows:
        w.writerow([r["frequency"], r["recency"], r["T"], r["monetary"]])
' "$T/clv.csv" "$T/summary.csv"
run predict "$T/clv.json" "$T/summary.csv" -o "$T/pred.csv"
check "crm predict applies the saved model to a summary table (same clv)" \
    sh -c "[ $rc -eq 0 ] && \"$PY\" -c '
import csv, sys
a = [r[\"clv\"] for r in csv.DictReader(open(sys.argv[1]))]
b = [r[\"prediction\"] for r in csv.DictReader(open(sys.argv[2]))]
assert a == b
' '$T/clv.csv' '$T/pred.csv'"
run clv "$G/clv_tx.csv" --customer customer --date date
check "missing --amount: usage error (2)" test "$rc" -eq 2
run clv "$G/clv_tx.csv" --customer customer --date date --amount amount --period month
check "--period month: usage error (2)" test "$rc" -eq 2
run clv "$G/clv_tx.csv" --customer customer --date nope --amount amount
check "unknown column: bad input (1) naming it" sh -c "[ $rc -eq 1 ] && grep -q nope '$T/err'"
printf 'c,d,a\n1,2021-01-01,5\n1,2021-01-05,-3\n2,2021-01-02,4\n' >"$T/neg.csv"
run clv "$T/neg.csv" --customer c --date d --amount a -o "$T/neg_out.csv"
check "a negative repeat spend: bad input (1) naming the row, no file written" \
    sh -c "[ $rc -eq 1 ] && grep -q 'row 0' '$T/err' && [ ! -e '$T/neg_out.csv' ]"
printf 'c,d,a\n1,2021-01-01,5\n2,2021-01-05,3\n' >"$T/once.csv"
run clv "$T/once.csv" --customer c --date d --amount a
check "no repeat customers: bad input (1) saying so" \
    sh -c "[ $rc -eq 1 ] && grep -q 'no customer with repeat purchases' '$T/err'"

finish
