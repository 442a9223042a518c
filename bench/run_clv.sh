#!/bin/sh
# CLV benchmark: the whole crm_clv_fit (summary table -> BG/NBD and Gamma-Gamma by maximum
# likelihood, standard errors included) on CUSTOMERS (default 1,000,000) simulated
# customers in whole days (bench/clv.c), against the same maximum-likelihood fits in scipy
# (bench/clv_scipy.py: the independent likelihoods of tests/reference/clv_reference.py,
# BFGS + Newton to |gradient| < 1e-10) on the same table, read from the CSV bench_clv
# writes. No maintained CLV package is in Debian (lifetimes is not), so scipy is the
# reference: once with one likelihood term per customer (as lifetimes fits) and once on
# the distinct (x, t_x, T) / (x, m) rows with counts (libcrm's compression, np.unique
# timed too); the ratio is quoted against the faster. scipy runs with OMP_NUM_THREADS=1
# OPENBLAS_NUM_THREADS=1 as well (its element-wise numpy code has no threads; only the
# tiny 4x4 solves could use BLAS). libcrm: all cores and one thread (same bits). Every
# side reports the fastest of its runs (wall time, and process CPU time: on a shared
# machine the wall time includes waiting for the cores, the CPU time of a one-thread run
# does not); each runs in its own process (peak memory). Fails
# (exit 1) unless all fits agree on the seven parameters to 1e-6 relative.
#
# Usage: bench/run_clv.sh [CUSTOMERS]   (RUNS=3 scipy runs; BUILD_DIR=build/release)
# Build first: cmake --preset release && cmake --build build/release --target bench
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-1000000}
runs=${RUNS:-3}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_clv
if [ ! -x "$bench" ]; then
    echo "run_clv.sh: $bench not found; build it with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-bench-clv.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

crm=$("$bench" "$n" 0 "$tmp/summary.csv")
crm1=$("$bench" "$n" 1)
sp=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/clv_scipy.py" "$tmp/summary.csv" "$runs" unique)
spd=$(/usr/bin/python3 "$here/clv_scipy.py" "$tmp/summary.csv" "$runs" unique)
spc=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/clv_scipy.py" "$tmp/summary.csv" 1 per-customer)
printf '%s\n' "$crm" "$crm1" "$sp" "$spd" "$spc"

/usr/bin/python3 - "$crm" "$crm1" "$sp" "$spd" "$spc" <<'PY'
import sys
rows = [dict(kv.split("=", 1) for kv in line.split()) for line in sys.argv[1:]]
keys = ("r", "alpha", "a", "b", "p", "q", "v")
base = rows[0]
worst = 0.0
for row in rows[1:]:
    for k in keys:
        a, b = float(row[k]), float(base[k])
        worst = max(worst, abs(a - b) / abs(b))
if worst > 1e-6:
    print("run_clv.sh: FAIL: the fits differ by %.3g relative" % worst)
    sys.exit(1)
if any(row[k] != base[k] for k in keys for row in rows[1:2]):
    print("run_clv.sh: FAIL: libcrm's fits on all cores and on one thread differ")
    sys.exit(1)
crm = min(float(rows[0]["fit_s"]), float(rows[1]["fit_s"]))
ref = min(float(r["fit_s"]) for r in rows[2:])
crm1_cpu = float(rows[1]["cpu_s"])
ref_cpu = min(float(r["cpu_s"]) for r in rows[2:])
print("clv: %s customers, %s distinct (x, t_x, T); wall: libcrm %.3f s (all cores) / %.3f s "
      "(1 thread), scipy best %.3f s: %.1fx; CPU, one thread each: libcrm %.3f s, scipy best "
      "%.3f s: %.1fx; parameters agree to %.2g relative"
      % (base["customers"], base["distinct"], float(rows[0]["fit_s"]), float(rows[1]["fit_s"]),
         ref, ref / crm, crm1_cpu, ref_cpu, ref_cpu / crm1_cpu, worst))
PY
