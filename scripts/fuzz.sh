#!/bin/sh
# Build the libFuzzer harnesses of tests/fuzz (clang, -fsanitize=fuzzer,address,
# undefined, no recovery) and run each for SECONDS from a fresh copy of its seed
# corpus tests/fuzz/corpus/<harness>/.
#
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]
#   SECONDS   run time of each harness (default 60)
#   HARNESS   fuzz_csv, fuzz_expr, fuzz_model_json, fuzz_baskets (default: all)
# Environment: FUZZ_JOBS (build jobs, default 2), FUZZ_ARGS (more libFuzzer flags).
#
# Prints one line per harness (executions, coverage, corpus) and exits non-zero
# when any harness found something (crash, sanitizer report, leak, timeout,
# out of memory) or did not run; the input that triggered it is kept in
# build/fuzz/run/<harness>/artifacts/ and the log in build/fuzz/run/<harness>/log.
# Replay one with: build/fuzz/tests/fuzz/<harness> <file>
# Needs clang and libclang-rt-dev (scripts/deps.sh fuzz).
set -eu
cd "$(dirname "$0")/.."

secs=${1:-60}
[ $# -gt 0 ] && shift
case "$secs" in
'' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number (got '$secs')" >&2; exit 2 ;;
esac
all=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/||; s|\.c$||')
harnesses=${*:-$all}
for h in $harnesses; do
    [ -f "tests/fuzz/$h.c" ] || { echo "fuzz.sh: no harness $h (have: $(echo $all))" >&2; exit 2; }
done

mkdir -p build/fuzz
cmake --preset fuzz >build/fuzz/configure.log 2>&1 || { tail -40 build/fuzz/configure.log >&2; exit 1; }
cmake --build --preset fuzz -j"${FUZZ_JOBS:-2}" >build/fuzz/build.log 2>&1 ||
    { tail -40 build/fuzz/build.log >&2; exit 1; }

max_len() {
    case "$1" in
    fuzz_expr) echo 512 ;;
    fuzz_model_json) echo 16384 ;;
    *) echo 4096 ;;
    esac
}

fail=0
for h in $harnesses; do
    run=build/fuzz/run/$h
    rm -rf "$run"
    mkdir -p "$run/corpus" "$run/artifacts"
    seeds=0
    if [ -d "tests/fuzz/corpus/$h" ]; then
        cp tests/fuzz/corpus/"$h"/* "$run/corpus/" 2>/dev/null || true
        seeds=$(ls "$run/corpus" | wc -l)
    fi
    rc=0
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        OPENBLAS_NUM_THREADS=1 \
        "build/fuzz/tests/fuzz/$h" "$run/corpus" -max_total_time="$secs" \
        -max_len="$(max_len "$h")" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$run/artifacts/" -print_final_stats=1 ${FUZZ_ARGS:-} \
        >"$run/log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$run/log" | tail -1 || true)
    cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(ls "$run/corpus" | wc -l)
    seed=$(sed -n 's/.*Seed: \([0-9]*\).*/\1/p' "$run/log" | head -1)
    found=$(ls "$run/artifacts" | wc -l)
    if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ] && [ -n "$execs" ]; then
        result=ok
    else
        result="FAILED (exit $rc, $found artifact(s) in $run/artifacts, log $run/log)"
        fail=1
    fi
    printf '%-16s %ss execs=%s cov=%s ft=%s corpus=%s (seeds %s) seed=%s %s\n' "$h" "$secs" \
        "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$seeds" "${seed:-?}" "$result"
    if [ "$result" != ok ]; then
        grep -E 'ERROR|runtime error|fuzz check failed|SUMMARY|Test unit written' "$run/log" |
            head -5 | sed 's/^/    /'
    fi
done
exit $fail
