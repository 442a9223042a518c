#!/bin/sh
# A parity test that cannot run is never reported as a pass: without the shared
# data (CRM_SHARED_DATA_DIR pointing at a folder that does not exist) or without
# a reference tool, the Check runner, a CLI script and pytest exit 77 (ctest:
# Skipped), and with CI=true they fail (exit 1).
# usage: shared_absent.sh CRM_CHECK CRM PYTHON3 TMPDIR   (env: as the ctest "python" test)
# Prints one line per check and a final "N passed, M failed"; exits 1 when any fails.
set -u
CHECK=$1
CRM=$2
PY=$3
T=$4
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$T" || exit 2
passed=0
failed=0

# expect WANT DESCRIPTION COMMAND...: COMMAND exits with status WANT
expect() {
    want=$1
    desc=$2
    shift 2
    "$@" >"$T/out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        passed=$((passed + 1))
        echo "ok - $desc (exit $rc)"
    else
        failed=$((failed + 1))
        echo "FAIL - $desc: exit $rc, expected $want"
        tail -5 "$T/out" | sed 's/^/#   /'
    fi
}

NONE=$T/no-shared-data
rm -rf "$NONE"
export CRM_SHARED_DATA_DIR="$NONE"
export CRM_PYTEST_SKIP_STATUS=77
PYTEST="$PY -m pytest -q -p no:cacheprovider"

unset CI
expect 77 "crm_check linear_shared without shared data: skipped" "$CHECK" linear_shared
expect 77 "test_logreg.sh without shared data: skipped" sh "$HERE/cli/test_logreg.sh" "$CRM" "$T/cli"
expect 77 "pytest Telco logit without shared data: skipped" \
    $PYTEST "$HERE/python/test_linear.py" -k telco
CI=true
export CI
expect 1 "CI=true: crm_check linear_shared without shared data fails" "$CHECK" linear_shared
expect 1 "CI=true: test_logreg.sh without shared data fails" sh "$HERE/cli/test_logreg.sh" "$CRM" "$T/cli"
expect 1 "CI=true: pytest Telco logit without shared data fails" \
    $PYTEST "$HERE/python/test_linear.py" -k telco

# a reference tool that cannot be imported (test_tree.py asks for it first)
unset CI
mkdir -p "$T/broken/sklearn"
echo 'raise ImportError("scikit-learn hidden by shared_absent.sh")' >"$T/broken/sklearn/__init__.py"
PYTHONPATH="$T/broken${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
expect 77 "pytest tree vs scikit-learn without sklearn: skipped" \
    $PYTEST "$HERE/python/test_tree.py" -k sklearn
CI=true
export CI
expect 1 "CI=true: pytest tree vs scikit-learn without sklearn fails" \
    $PYTEST "$HERE/python/test_tree.py" -k sklearn

rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
