# Shared harness of the crm command-line tests (tests/cli/test_*.sh), sourced
# after setting nothing: call `harness_init NAME "$@"` first.
# A test script takes PATH/TO/crm [TMPDIR], prints one line per check and a
# final "N passed, M failed", and exits non-zero when any check fails.

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
    PY=/usr/bin/python3
    [ -x "$PY" ] || PY=
    passed=0
    failed=0
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

# finish: remove a scratch directory made here, print the summary, set the status
finish() {
    if [ -n "$OWN_TMP" ]; then rm -rf "$T"; fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
