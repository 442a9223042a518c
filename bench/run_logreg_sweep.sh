#!/bin/sh
# Logistic regression at ordinary sizes, the way a user times it: the whole fit from a
# dataset with text columns to the fitted model with its inference, on the bank-marketing-
# shaped data of bench/linear.c (6 number and 8 text features, 31 terms after one-hot
# encoding; generated identically on both sides) at each size of SIZES.
#   libcrm:        crm_logreg_fit (one-hot encoding inside) + crm_model_summary (standard
#                  errors, p-values, odds ratios with intervals); n_threads = 1.
#   statsmodels:   pd.get_dummies(drop_first=True) + Logit(...).fit(method="newton") + bse,
#                  p-values, conf_int, odds ratios.
#   scikit-learn:  pd.get_dummies(drop_first=True) + LogisticRegression(penalty=None,
#                  solver="newton-cholesky", tol=1e-10).
# Thread settings: one thread on every side (libcrm n_threads = 1; the Python processes
# with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1). Statistic: the fastest of ROUNDS x REPS
# fits on every side (each process fits REPS times; the three processes run in turn,
# ROUNDS times per size, so load hits every side alike), in wall time (the user's view;
# the goals) and in process CPU time (the smallest CPU time of one fit: what a loaded
# machine disturbs least). uptime is printed before and after each size.
#
# Self-check (exit 1 on failure): at every size statsmodels' and scikit-learn's
# coefficients equal libcrm's to COEF_TOL = 1e-8 of the largest |coefficient|, and neither
# reports a log-likelihood above libcrm's (relative 1e-10). Speed is reported, not asserted:
# the summary prints the ratios against the goals (>= 10x statsmodels, >= 5x scikit-learn).
#
# Usage: bench/run_logreg_sweep.sh      SIZES="10000 45211 100000 1000000" ROUNDS=2 REPS=5
#        SIZES=10000000 ROUNDS=1 REPS=1 PY_MEM_KB=12000000 bench/run_logreg_sweep.sh
#        (10M: the Python sides need about 10 GB or more; run it alone, limited)
# Build first: cmake --preset release && cmake --build build/release --target bench_linear
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_linear
if [ ! -x "$bench" ]; then
    echo "run_logreg_sweep.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench_linear" >&2
    exit 2
fi
SIZES=${SIZES:-"10000 45211 100000 1000000"}
ROUNDS=${ROUNDS:-2}
REPS=${REPS:-5}
export REPS
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for n in $SIZES; do
    echo "# size $n: $(uptime); available memory $(free -m | awk '/^Mem:/ {print $7}') MiB"
    r=0
    while [ "$r" -lt "$ROUNDS" ]; do
        CRM_BENCH_THREADS=1 "$bench" bank "$n" >>"$out"
        for impl in statsmodels sklearn-newton; do
            # PY_MEM_KB (optional): address-space limit of the Python processes, so that a
            # size that does not fit fails with MemoryError instead of pressing the machine
            if (if [ -n "${PY_MEM_KB:-}" ]; then ulimit -v "$PY_MEM_KB"; fi
                OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/linear_python.py" \
                    "$impl" bank "$n" >>"$out"); then :; else
                echo "# $impl at $n rows failed (exit $?; PY_MEM_KB=${PY_MEM_KB:-unset})"
            fi
        done
        r=$((r + 1))
    done
    echo "# size $n done: $(uptime)"
done
grep '^bench=' "$out"
/usr/bin/python3 - "$out" <<'PY'
import sys
COEF_TOL, LL_TOL = 1e-8, 1e-10
GOAL = {"statsmodels": 10.0, "sklearn-newton": 5.0}
runs, last = [], None
for line in open(sys.argv[1]):
    if line.startswith("bench="):
        last = dict(kv.split("=", 1) for kv in line.split())
        runs.append(last)
    elif line.startswith("coef="):
        last["coef"] = [float(v) for v in line[5:].split(",")]
bad = []
print("| rows | libcrm: wall / CPU | statsmodels: wall / CPU (design) | ratio wall / CPU | "
      "scikit-learn newton-cholesky: wall / CPU (design) | ratio wall / CPU | "
      "max coef diff / scale (sm, sk) | peak RSS libcrm / sm / sk (MiB) |")
print("|---|---|---|---|---|---|---|---|")
for n in sorted({int(r["rows"]) for r in runs}):
    rs = [r for r in runs if int(r["rows"]) == n]
    mine = [r for r in rs if r["impl"].startswith("libcrm")]
    if any(r["coef"] != mine[0]["coef"] for r in mine):
        bad.append("%d rows: libcrm coefficients differ between runs" % n)
    best = min(mine, key=lambda r: float(r["fit_s"]))
    c0, t0, ll0 = best["coef"], float(best["fit_s"]), float(best["loglik"])
    u0 = min(float(r["cpu_s"]) for r in mine)
    scale = max(abs(v) for v in c0)
    cells, diffs, rss = [], [], [int(best["peak_rss_kb"]) / 1024]
    for impl in ("statsmodels", "sklearn-newton"):
        cand = [r for r in rs if r["impl"] == impl]
        if not cand:
            cells += ["did not run", "-"]
            continue
        for x in cand:
            d = max(abs(a - b) for a, b in zip(x["coef"], c0)) / scale
            if d > COEF_TOL:
                bad.append("%d rows %s: coefficients %.1e from libcrm (tolerance %g)"
                           % (n, impl, d, COEF_TOL))
            if float(x["loglik"]) > ll0 + LL_TOL * abs(ll0):
                bad.append("%d rows %s: log-likelihood %s above libcrm's %s"
                           % (n, impl, x["loglik"], best["loglik"]))
        r = min(cand, key=lambda r: float(r["fit_s"]))
        t, u = float(r["fit_s"]), min(float(x["cpu_s"]) for x in cand)
        cells += ["%.4f / %.4f s (%.4f)" % (t, u, float(r.get("design_s", 0))),
                  "**%.1fx** / %.1fx%s" % (t / t0, u / u0, "" if t / t0 >= GOAL[impl]
                                           else " (goal %gx)" % GOAL[impl])]
        diffs.append("%.1e" % (max(abs(a - b) for a, b in zip(r["coef"], c0)) / scale))
        rss.append(int(r["peak_rss_kb"]) / 1024)
    print("| %d | %.4f / %.4f s | %s | %s | %s |" % (n, t0, u0, " | ".join(cells), ", ".join(diffs),
                                                     " / ".join("%.0f" % v for v in rss)))
for b in bad:
    print("CHECK FAILED: " + b)
print("check: statsmodels and scikit-learn coefficients within %g of libcrm's at every size, no "
      "log-likelihood above libcrm's, libcrm identical across runs%s"
      % (COEF_TOL, ": FAILED" if bad else ""))
sys.exit(1 if bad else 0)
PY
