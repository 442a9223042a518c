#!/bin/sh
# CTest driver of the Node.js binding (registered by tests/bindings/node.cmake).
#
#   ctest.sh test    node --test test/ in bindings/node
# (The conformance program runs through tests/conformance/run.sh.)
#
# Installs the npm dependencies (npm ci, from package-lock.json) when
# node_modules is missing. Without node/npm or the dependencies it exits 77
# (a CTest skip), or 1 when CI=true: in CI nothing may be skipped.
# Environment: LIBCRM_PATH (the built library).
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
*)
    echo "usage: $0 test" >&2
    exit 2
    ;;
esac
