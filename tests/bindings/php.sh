#!/bin/sh
# The PHP binding's CTest entries.
#   php.sh unit SRC_DIR                  phpunit suite of bindings/php
#   php.sh conformance SRC_DIR TMP_DIR   conformance.php vs. conformance.py, byte for byte
# Environment: LIBCRM_PATH (the built library); CRM_SHARED_DATA_DIR overrides
# SRC_DIR/../shared/data. A missing toolchain (php with FFI, phpunit) or missing
# shared data exits 77 (ctest: Skipped), and 1 with CI=true: never a silent pass.
# CRM_PYTHON3 is the interpreter of the reference program (default /usr/bin/python3).
set -u
MODE=$1
SRC=$2

unavailable() {
    echo "php.sh: $1" >&2
    case "${CI:-}" in
    true | TRUE | True | 1) exit 1 ;;
    esac
    exit 77
}

PHP=${PHP:-php}
command -v "$PHP" >/dev/null 2>&1 || unavailable "php not found (Debian: php-cli)"
"$PHP" -m 2>/dev/null | grep -qx FFI || unavailable "php has no FFI extension"

case "$MODE" in
unit)
    PHPUNIT=${PHPUNIT:-phpunit}
    command -v "$PHPUNIT" >/dev/null 2>&1 || unavailable "phpunit not found (Debian: phpunit)"
    exec "$PHPUNIT" -c "$SRC/bindings/php/phpunit.xml.dist"
    ;;
conformance)
    TMP=$3
    DATA=${CRM_SHARED_DATA_DIR:-$SRC/../shared/data}
    [ -d "$DATA/online_retail" ] || unavailable "shared data not found at $DATA"
    PY=${CRM_PYTHON3:-/usr/bin/python3}
    mkdir -p "$TMP" || exit 2
    rm -f "$TMP/python.json" "$TMP/php.json"
    PYTHONPATH="$SRC/bindings/python" PYTHONDONTWRITEBYTECODE=1 \
        "$PY" "$SRC/tests/conformance/conformance.py" "$DATA" "$TMP/python.json" || exit 1
    "$PHP" "$SRC/tests/conformance/conformance.php" "$DATA" "$TMP/php.json" || exit 1
    if cmp "$TMP/python.json" "$TMP/php.json"; then
        echo "conformance: php.json is byte-identical to python.json ($(wc -c <"$TMP/php.json") bytes)"
        exit 0
    fi
    diff "$TMP/python.json" "$TMP/php.json" | head -20
    exit 1
    ;;
*)
    echo "usage: php.sh unit|conformance SRC_DIR [TMP_DIR]" >&2
    exit 2
    ;;
esac
