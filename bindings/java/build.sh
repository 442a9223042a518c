#!/bin/sh
# Build the Java binding: OUT_DIR/libcrm.jar (default build/java), Java 17 over JNA.
#   bindings/java/build.sh [OUT_DIR]
# Needs javac/jar (Debian openjdk-17-jdk-headless) and JNA (Debian libjna-java:
# /usr/share/java/jna.jar; JNA_JAR overrides). With TESTS=1 it also compiles the JUnit
# tests into OUT_DIR/test-classes (JUNIT_JAR: the JUnit console standalone jar).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-build/java}
JNA_JAR=${JNA_JAR:-/usr/share/java/jna.jar}
JUNIT_JAR=${JUNIT_JAR:-/usr/share/java/junit-platform-console-standalone.jar}
mkdir -p "$OUT"
rm -rf "$OUT/classes" "$OUT/test-classes"
mkdir -p "$OUT/classes"
find "$HERE/src/main/java" -name '*.java' | LC_ALL=C sort > "$OUT/sources.txt"
javac --release 17 -encoding UTF-8 -Xlint:all,-serial,-processing -Werror \
    -cp "$JNA_JAR" -d "$OUT/classes" @"$OUT/sources.txt"
VERSION=$(sed -n 's/.*CRM_VERSION_STRING = "\(.*\)";/\1/p' \
    "$HERE/src/main/java/org/libcrm/capi/Constants.java")
printf 'Implementation-Title: libcrm\nImplementation-Version: %s\nAutomatic-Module-Name: org.libcrm\n' \
    "$VERSION" > "$OUT/MANIFEST.MF"
jar --create --file "$OUT/libcrm.jar.tmp" --manifest "$OUT/MANIFEST.MF" -C "$OUT/classes" .
mv "$OUT/libcrm.jar.tmp" "$OUT/libcrm.jar"
if [ "${TESTS:-0}" = 1 ]; then
    mkdir -p "$OUT/test-classes"
    find "$HERE/src/test/java" -name '*.java' | LC_ALL=C sort > "$OUT/test-sources.txt"
    javac --release 17 -encoding UTF-8 -cp "$OUT/libcrm.jar:$JNA_JAR:$JUNIT_JAR" \
        -d "$OUT/test-classes" @"$OUT/test-sources.txt"
fi
echo "$OUT/libcrm.jar"
