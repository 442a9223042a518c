#!/bin/sh
# CTest driver of the Java binding (registered by tests/bindings/java.cmake).
#   ctest.sh build       OUT_DIR              build OUT_DIR/libcrm.jar and the compiled tests
#   ctest.sh junit       OUT_DIR              run the JUnit suite (console launcher)
# (The conformance program runs through tests/conformance/run.sh.)
# LIBCRM_PATH names the library under test.
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
*)
    echo "usage: ctest.sh build|junit OUT_DIR" >&2
    exit 2
    ;;
esac
