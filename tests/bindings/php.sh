#!/bin/sh
# The PHP binding's CTest entries.
#   php.sh unit SRC_DIR    phpunit suite of bindings/php
# (The conformance program runs through tests/conformance/run.sh.)
# Environment: LIBCRM_PATH (the built library). A missing toolchain (php with
# FFI, phpunit) exits 77 (ctest: Skipped), and 1 with CI=true: never a silent pass.
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
*)
    echo "usage: php.sh unit SRC_DIR" >&2
    exit 2
    ;;
esac
