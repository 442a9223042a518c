#!/bin/sh
# CTest driver of the Java binding (registered by tests/bindings/java.cmake).
#   ctest.sh build       OUT_DIR              build OUT_DIR/libcrm.jar and the compiled tests
#   ctest.sh junit       OUT_DIR              run the JUnit suite (console launcher)
#   ctest.sh conformance OUT_DIR DATA PYTHON  run Conformance.java and conformance.py on
#                                             DATA, cmp the outputs byte for byte
# LIBCRM_PATH names the library under test. A missing DATA folder is a skip (exit 77)
# unless CI=true, where it fails.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODE=$1
OUT=$2
JNA_JAR=${JNA_JAR:-/usr/share/java/jna.jar}
JUNIT_JAR=${JUNIT_JAR:-/usr/share/java/junit-platform-console-standalone.jar}
# Fixed, pre-touched heap: the memory test measures RSS, which must not follow heap growth.
JVM_OPTS=${JVM_OPTS:--Xms128m -Xmx128m -XX:+AlwaysPreTouch}

case "$MODE" in
build)
    TESTS=1 "$HERE/build.sh" "$OUT"
    ;;
junit)
    # --fail-if-no-tests: an empty run is a failure; the launcher exits 1 on any failure.
    # shellcheck disable=SC2086
    exec java $JVM_OPTS -jar "$JUNIT_JAR" \
        -cp "$OUT/libcrm.jar:$JNA_JAR:$OUT/test-classes" \
        --scan-classpath "$OUT/test-classes" --fail-if-no-tests \
        --disable-banner --details=tree
    ;;
conformance)
    DATA=$3
    PYTHON=$4
    if [ ! -d "$DATA" ]; then
        if case "${CI:-}" in [Tt][Rr][Uu][Ee] | 1) true ;; *) false ;; esac; then
            echo "FAIL: $DATA is missing (CI=true)"
            exit 1
        fi
        echo "SKIP: $DATA is missing"
        exit 77
    fi
    rm -f "$OUT/conformance-java.json" "$OUT/conformance-python.json"
    PYTHONPATH="$ROOT/bindings/python" PYTHONDONTWRITEBYTECODE=1 \
        "$PYTHON" "$ROOT/tests/conformance/conformance.py" "$DATA" "$OUT/conformance-python.json"
    java -cp "$OUT/libcrm.jar:$JNA_JAR" "$ROOT/tests/conformance/Conformance.java" \
        "$DATA" "$OUT/conformance-java.json"
    cmp "$OUT/conformance-python.json" "$OUT/conformance-java.json"
    echo "conformance: Java output identical to Python's ($(wc -c < "$OUT/conformance-java.json") bytes)"
    ;;
*)
    echo "usage: ctest.sh build|junit|conformance OUT_DIR [DATA PYTHON]" >&2
    exit 2
    ;;
esac
