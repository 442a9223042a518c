#!/bin/sh
# The plain builds packagers do (no preset), with GCC and with clang, at
# CMAKE_BUILD_TYPE=Release (-O3), each into a temporary folder. CRM_WERROR=ON
# so that any compiler warning fails the check.
# Usage: sh scripts/build_check.sh [gcc|clang ...]   (default: gcc clang)
# Needs scripts/deps.sh build and clang (scripts/deps.sh ci).
set -eu
cd "$(dirname "$0")/.."
compilers=${*:-gcc clang}
jobs=${CRM_JOBS:-2}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-build-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
for cc in $compilers; do
    command -v "$cc" >/dev/null 2>&1 || { echo "build_check: $cc not found" >&2; exit 1; }
    echo "== plain Release build with $cc ($("$cc" --version | head -n 1))"
    CC=$cc cmake -S . -B "$tmp/$cc" -DCMAKE_BUILD_TYPE=Release -DCRM_WERROR=ON >"$tmp/$cc.configure.log" 2>&1 ||
        { cat "$tmp/$cc.configure.log" >&2; echo "build_check: configure with $cc failed" >&2; exit 1; }
    if ! cmake --build "$tmp/$cc" -j "$jobs" >"$tmp/$cc.build.log" 2>&1; then
        cat "$tmp/$cc.build.log" >&2
        echo "build_check: build with $cc failed" >&2
        exit 1
    fi
    # belt and braces: no warning text at all in the log
    if grep -n "warning:" "$tmp/$cc.build.log" >&2; then
        echo "build_check: warnings with $cc" >&2
        exit 1
    fi
    echo "   ok"
done
