# Shared harness of the crm command-line tests (tests/cli/test_*.sh), sourced
# after setting nothing: call `harness_init NAME "$@"` first.
# A test script takes PATH/TO/crm [TMPDIR], prints one line per check and a
# final "N passed, M failed, K skipped", and exits 1 when any check fails, 77
# (ctest: Skipped) when none failed but a part could not run (no ../shared/data,
# no /usr/bin/python3), 0 when everything ran and passed. With CI=true in the
# environment a part that cannot run is a failure, not a skip.

# is_ci: CI=true (or 1) in the environment
is_ci() {
    case "${CI:-}" in
    [Tt][Rr][Uu][Ee] | 1) return 0 ;;
    *) return 1 ;;
    esac
}

# harness_init NAME CRM [TMPDIR]: sets CRM, the scratch directory T and PY.
harness_init() {
    name=$1
    CRM=$2
    if [ -z "$CRM" ] || [ ! -x "$CRM" ]; then
        echo "usage: $0 PATH/TO/crm [TMPDIR]" >&2
        exit 2
    fi
    if [ -n "$3" ]; then
        T=$3
        mkdir -p "$T" || exit 2
        OWN_TMP=
    else
        T=$(mktemp -d "${TMPDIR:-/tmp}/crm-$name-test.XXXXXX") || exit 2
        OWN_TMP=1
    fi
    passed=0
    failed=0
    skipped=0
    # the shared data: $CRM_SHARED_DATA_DIR (set by ctest), else ../shared/data
    # beside the repository
    SHARED=${CRM_SHARED_DATA_DIR:-$(dirname "$0")/../../../shared/data}
    PY=/usr/bin/python3
    if [ ! -x "$PY" ]; then
        PY=
        cannot_run "the checks of --json output: /usr/bin/python3 not found"
    fi
}

# shared_file PATH...: every PATH exists; otherwise the shared-data part is
# reported with cannot_run and the caller skips it:
#   if shared_file "$F"; then ...checks...; fi
shared_file() {
    for f in "$@"; do
        if [ ! -f "$f" ]; then
            cannot_run "the shared-data checks: $f not found (CRM_SHARED_DATA_DIR=${CRM_SHARED_DATA_DIR:-unset})"
            return 1
        fi
    done
    return 0
}

# cannot_run WHAT: a part of the script cannot run. A failure under CI=true, a
# skip otherwise (the script then exits 77 unless a check failed).
cannot_run() {
    if is_ci; then
        failed=$((failed + 1))
        echo "FAIL - $1 (CI=true: it must run)"
    else
        skipped=$((skipped + 1))
        echo "skip - $1"
    fi
}

ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}

not_ok() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    if [ -s "$T/err" ]; then sed 's/^/#   stderr: /' "$T/err" | head -5; fi
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run crm ARGS...: stdout in $T/out, stderr in $T/err, exit status in $rc
run() {
    "$CRM" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

# has PATTERN [FILE]: FILE (default $T/out) has a line matching PATTERN
has() { grep -q -e "$1" "${2:-$T/out}"; }

# json EXPR: evaluate a Python expression over the JSON object j in $T/out
json() {
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1"
}

# finish: remove a scratch directory made here, print the summary, set the
# status (1 failed, 77 skipped, 0 passed)
finish() {
    if [ -n "$OWN_TMP" ]; then rm -rf "$T"; fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ] || return 1
    [ "$skipped" -eq 0 ] || return 77
    return 0
}
