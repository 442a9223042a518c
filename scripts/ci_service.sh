#!/bin/sh
# Tests of the customer service example (examples/service, docs/service.md):
# tests/service with pytest. They start gunicorn and the Flask development
# server on 127.0.0.1 at ports chosen at run time, exercise every endpoint
# with valid and malformed input, send 2,000 requests from 8 clients with a
# model refresh in the middle, and drive the page in headless Chromium.
# Screenshots and the latency figures go to build/service-screens/.
#
# Run from a checkout after the dev build (build/dev exists); about 20 s.
# Needs python3-flask, gunicorn, python3-pytest and chromium. A missing one is
# a skip (exit 77) unless CI=true, where it is a failure. LIBCRM_PATH may name
# another build of the library (default build/dev/libcrm.so.1).
set -eu
cd "$(dirname "$0")/.."
py=${PYTHON:-/usr/bin/python3}
out=build/service-screens

in_ci() { case "${CI:-}" in true | 1) return 0 ;; esac; return 1; }
cannot_run() {
    if in_ci; then
        echo "ci_service: $1 (CI=true: the service tests must run)" >&2
        exit 1
    fi
    echo "ci_service: skipped: $1" >&2
    exit 77
}

lib=${LIBCRM_PATH:-build/dev/libcrm.so.1}
[ -f "$lib" ] || cannot_run "no $lib: build first (cmake --preset dev; cmake --build --preset dev)"
for mod in flask gunicorn pytest; do
    "$py" -c "import $mod" 2>/dev/null \
        || cannot_run "python module $mod missing (Debian: python3-flask gunicorn python3-pytest)"
done
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1; then
    cannot_run "no chromium (apt-get install chromium)"
fi

LIBCRM_PATH=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
export LIBCRM_PATH
mkdir -p "$out"
# The servers run in their own process groups; the fixtures stop them, and
# this trap stops any left behind by an interrupted run (by the recorded PIDs).
CRM_SERVICE_PIDFILE=$(mktemp "${TMPDIR:-/tmp}/crm-service-pids.XXXXXX")
export CRM_SERVICE_PIDFILE
log=$out/pytest.log
cleanup() {
    while read -r pid; do
        kill -TERM "-$pid" 2>/dev/null || true
    done <"$CRM_SERVICE_PIDFILE"
    rm -f "$CRM_SERVICE_PIDFILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rc=0
PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q -s -p no:cacheprovider -rs tests/service \
    >"$log" 2>&1 || rc=$?
cat "$log"
[ "$rc" -eq 0 ] || exit 1
if grep -q " skipped" "$log"; then
    cannot_run "some service tests were skipped (see above)"
fi
echo "ci_service: passed; screenshots and load.json in $out/"
