#!/bin/sh
# CTest driver of the Node.js binding (registered by tests/bindings/node.cmake).
#
#   ctest.sh test                         node --test test/ in bindings/node
#   ctest.sh conformance DATA_DIR OUT_DIR conformance.js vs conformance.py, byte for byte
#
# Installs the npm dependencies (npm ci, from package-lock.json) when
# node_modules is missing. Without node/npm, the dependencies or DATA_DIR it
# exits 77 (a CTest skip), or 1 when CI=true: in CI nothing may be skipped.
# Environment: LIBCRM_PATH (the built library), PYTHON (for the reference output).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)

skip() {
    echo "node binding: $*" >&2
    if case "${CI:-}" in [Tt][Rr][Uu][Ee] | 1) true ;; *) false ;; esac; then
        echo "node binding: CI=true, so this is a failure, not a skip" >&2
        exit 1
    fi
    exit 77
}

command -v node >/dev/null 2>&1 || skip "node not found (Debian: apt-get install nodejs npm)"
if [ ! -d "$here/node_modules/koffi" ]; then
    command -v npm >/dev/null 2>&1 || skip "npm not found (Debian: apt-get install npm)"
    echo "node binding: installing dependencies (npm ci)" >&2
    (cd "$here" && npm ci --no-audit --no-fund >&2) || skip "npm ci failed (no registry access?)"
fi

case "${1:-}" in
test)
    cd "$here" && exec node --test test/
    ;;
conformance)
    data=${CRM_SHARED_DATA_DIR:-$2}
    out=$3
    [ -d "$data" ] || skip "no shared data at $data"
    mkdir -p "$out" || exit 1
    root=$(cd "$here/../.." && pwd)
    PYTHONPATH="$root/bindings/python" PYTHONDONTWRITEBYTECODE=1 "${PYTHON:-python3}" \
        "$root/tests/conformance/conformance.py" "$data" "$out/python.json" || exit 1
    node "$root/tests/conformance/conformance.js" "$data" "$out/node.json" || exit 1
    if cmp "$out/python.json" "$out/node.json"; then
        echo "node conformance: byte-identical to the Python output ($(wc -c < "$out/node.json") bytes)"
    else
        diff "$out/python.json" "$out/node.json" | head -20
        exit 1
    fi
    ;;
*)
    echo "usage: $0 test | conformance DATA_DIR OUT_DIR" >&2
    exit 2
    ;;
esac
