#!/usr/bin/python3
"""Compare regenerated golden files with the committed ones, within stated tolerances.

usage: compare_goldens.py COMMITTED_DIR REGENERATED_DIR

scripts/regen_goldens.sh runs every reference script of tests/reference/ into
REGENERATED_DIR and then this program, which fails (exit 1) when

- a committed golden file was not regenerated (a golden without a generator,
  or a generator that no longer writes it), or a generator wrote a file that is
  not committed;
- a line differs beyond the tolerance of the first rule of TOLERANCES below
  that matches the file name and the line (default: the text must be equal).

Lines are compared token by token: tokens are separated by tabs, commas and
spaces; equal text is equal; two numbers (decimal, C99 hex float, nan, inf)
a and b agree when |a - b| <= atol + rtol * max(|a|, |b|). Comment lines
("# ...", which name the tool versions) are compared as text like the rest: a
new pandas, scikit-learn, statsmodels or R forecast is a change to review.

For every rule that allowed a difference, the largest difference seen is
printed (as a multiple of the rule's scale), so a run shows how much of each
tolerance the host used.
"""

import fnmatch
import math
import os
import re
import sys

# The tolerances, in one place: (file pattern, line pattern or None, rtol, atol,
# why). Everything not listed must be reproduced exactly: the pandas, pure Python
# and fixed-seed scikit-learn goldens are exact arithmetic (math.fsum, Fraction,
# integer counts), shortest-repr decimal text, or deterministic single-threaded
# code, and they are bit-identical between the reference machine and this one.
TOLERANCES = [
    ("csv_summary.tsv", r"\t(mean|std)_pandas\t", 1e-11, 0.0,
     "pandas' own Series.mean/std (recorded beside the exact values) sum with numpy's "
     "SIMD reductions, whose order follows the CPU's vector width: 1.7e-12 relative "
     "between two x86-64 hosts; the suite csv_parity_shared compares them to 1e-11"),
    ("linear_telco.tsv", r"^lbfgs_", 1e-9, 1e-9,
     "scikit-learn lbfgs at its default tol 1e-4 stops short of the optimum (by design: "
     "the suite only uses lbfgs_objective, as an upper bound): where it stops follows the "
     "BLAS rounding of its gradients; the coefficients moved by up to 1.3e-10 (absolute; "
     "3.6e-8 relative for the smallest, 3.8e-4) and the objective by 3.9e-14 relative "
     "between two hosts"),
    ("linear_telco.tsv", r"^(logit|ols|l2|reg|metric|trend)_", 1e-11, 1e-13,
     "statsmodels and scikit-learn solve with LAPACK/BLAS (OpenBLAS kernels differ by "
     "CPU): converged estimates differ by a few 1e-15 relative, p-values of |z| up to 118 "
     "and statistics near 0 by up to 1e-12 relative; atol covers the trend "
     "intercept 92 vs 91.9999999999999"),
    ("clv_fit.tsv", r"^(bgnbd|gg|pred)\t", 1e-9, 0.0,
     "scipy's BFGS and the Newton polish stop at |gradient| < 1e-13 (mean log-likelihood, "
     "in log-parameters); the point follows numpy's summation order (SIMD width), so the "
     "parameters and the predictions made at them may move in the last digits between hosts; "
     "check_clv compares the parameters to 1e-6 and the predictions at equal parameters to 1e-9"),
    ("clv_fit.tsv", r"^(bg_point|gg_point)\t", 1e-12, 0.0,
     "log-likelihood sums of 2,000 terms with numpy's pairwise, SIMD-width dependent order"),
    ("arima_fixed.tsv", r"^(coef|sigma2|loglik|aic|fc_mean|fc_se|resid|ljung_box)\t", 1e-8,
     1e-12,
     "R's optim (BFGS, reltol 1.49e-8) stops where the relative change of the objective "
     "falls below reltol; the path follows the host's floating point (libm, BLAS), so "
     "two hosts stop at points whose objective differs up to ~1.5e-8 relative"),
    ("arima_fixed.tsv", r"^se\t", 1e-6, 0.0,
     "standard errors come from optimHess's finite-difference Hessian at the optimum "
     "(step 1e-3): the point's last digits change it by up to 1e-7 relative"),
    ("arima_auto.tsv", r"^auto\t", 1.5e-8, 0.0,
     "orders exact; AICc from R's optim, see arima_fixed (reltol 1.49e-8)"),
    ("arima_generated.tsv", r"^auto\t", 1.5e-8, 0.0,
     "orders exact; AICc from R's optim, see arima_fixed (reltol 1.49e-8)"),
    ("arima_generated_notes.tsv", r"^auto_exact_init\t", 1.5e-8, 0.0,
     "orders exact; AICc from R's optim, see arima_fixed (reltol 1.49e-8)"),
    ("demo_forecast.tsv", r"^(aicc|coef|fc_mean)\t", 1e-8, 1e-12,
     "order exact; estimates, AICc and forecasts from R's optim, see arima_fixed"),
]

# Tokens that hold orders, ids and counts are integers and compare exactly
# whatever the rule says: a rule's tolerance applies to non-integer numbers only.
SPLIT = re.compile(r"[\t, ]")


def number(tok):
    try:
        if tok.lower().startswith(("0x", "-0x", "+0x")):
            return float.fromhex(tok)
        return float(tok)
    except ValueError:
        return None


def is_int(tok):
    return re.fullmatch(r"[+-]?[0-9]+", tok) is not None


def rule_for(name, line):
    for i, (fpat, lpat, rtol, atol, _why) in enumerate(TOLERANCES):
        if fnmatch.fnmatch(name, fpat) and (lpat is None or re.search(lpat, line)):
            return i, rtol, atol
    return None, 0.0, 0.0


def compare_file(name, want_path, got_path, worst, problems):
    with open(want_path, encoding="utf-8", newline="") as f:
        want = f.read().split("\n")
    with open(got_path, encoding="utf-8", newline="") as f:
        got = f.read().split("\n")
    if len(want) != len(got):
        problems.append("%s: %d lines committed, %d regenerated" % (name, len(want), len(got)))
        return
    bad = 0
    for ln, (w, g) in enumerate(zip(want, got), 1):
        if w == g:
            continue
        rule, rtol, atol = rule_for(name, w)
        tw, tg = SPLIT.split(w), SPLIT.split(g)
        why = None
        if rule is None:
            why = "differs (no tolerance for this line)"
        elif len(tw) != len(tg):
            why = "%d tokens committed, %d regenerated" % (len(tw), len(tg))
        else:
            for k, (a, b) in enumerate(zip(tw, tg)):
                if a == b:
                    continue
                x, y = number(a), number(b)
                if x is None or y is None or is_int(a) or is_int(b):
                    why = "token %d: %r vs %r" % (k + 1, a, b)
                    break
                if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
                    why = "token %d: %r vs %r" % (k + 1, a, b)
                    break
                d = abs(x - y)
                scale = atol + rtol * max(abs(x), abs(y))
                used = d / scale if scale > 0 else math.inf
                worst[rule] = max(worst.get(rule, 0.0), used)
                if used > 1:
                    why = "token %d: %r vs %r (difference %.3g, allowed %.3g)" % (
                        k + 1, a, b, d, scale)
                    break
        if why:
            bad += 1
            if bad <= 5:
                problems.append("%s line %d: %s" % (name, ln, why))
    if bad > 5:
        problems.append("%s: %d lines differ in all" % (name, bad))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    committed, regenerated = argv[1], argv[2]
    want = sorted(f for f in os.listdir(committed) if not f.startswith("."))
    got = sorted(f for f in os.listdir(regenerated) if not f.startswith("."))
    problems, worst = [], {}
    for name in want:
        if name not in got:
            problems.append("%s: committed but not regenerated (no generator wrote it)" % name)
    for name in got:
        if name not in want:
            problems.append("%s: regenerated but not committed" % name)
    same = 0
    for name in want:
        if name not in got:
            continue
        before = len(problems)
        compare_file(name, os.path.join(committed, name), os.path.join(regenerated, name),
                     worst, problems)
        same += len(problems) == before
    for rule in sorted(worst):
        fpat, lpat, rtol, atol, _why = TOLERANCES[rule]
        print("tolerance %s %s (rtol %g, atol %g): largest difference %.2g of the allowed" % (
            fpat, lpat or "", rtol, atol, worst[rule]))
    for p in problems:
        print("FAIL " + p)
    print("%d of %d golden files reproduced within tolerance" % (same, len(want)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
