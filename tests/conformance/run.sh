#!/bin/sh
# Run the conformance pipeline (SPEC.md) of every language libcrm speaks and
# write OUT_DIR/<lang>.json; compare.sh OUT_DIR then asserts they are
# byte-identical.
#
#   tests/conformance/run.sh OUT_DIR [LANG...]     (LANG: c python php node java)
#
# The library: $LIBCRM_PATH (the libcrm.so.1 file) when set, else
# $CRM_BUILD_DIR/libcrm.so.1 when CRM_BUILD_DIR (a CMake build folder) is set;
# both use the bindings of this checkout. With neither, everything runs
# against the installed library and packages (`cmake --install`, pip): the
# Python program imports the installed libcrm package and the C program is
# compiled against the installed headers (pkg-config libcrm).
#
# The C program: $CRM_CONFORMANCE_C, else BUILD/tests/crm_conformance, else it
# is compiled here with $CC (default cc). PHP needs php with FFI ($PHP,
# default php). Node.js needs bindings/node/node_modules (`npm ci` is run
# there when it is missing). Java needs the binding's jar: $CRM_JAVA_JAR, else
# BUILD/tests/java/libcrm.jar (built by the java_build test), else
# BUILD/bindings/java/libcrm.jar, /usr/local/share/java/libcrm.jar or
# /usr/share/java/libcrm.jar; and JNA ($CRM_JNA_JAR, default
# /usr/share/java/jna.jar).
#
# The data: $CRM_SHARED_DATA_DIR, default ../shared/data beside the checkout.
#
# A language whose program or toolchain is missing is reported and left out;
# with CI=true in the environment that is a failure, as is missing data (else
# exit 77). Exit status: 0 when every language run succeeded, 1 when one
# failed, 77 when none failed but one could not run (outside CI).
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ $# -lt 1 ]; then
    echo "usage: $0 OUT_DIR [LANG...]" >&2
    exit 2
fi
out=$1
shift
langs=${*:-c python php node java}

case "${CI:-}" in
    true | TRUE | True | 1) ci=1 ;;
    *) ci=0 ;;
esac

data=${CRM_SHARED_DATA_DIR:-$repo/../shared/data}
if [ ! -d "$data/online_retail" ]; then
    echo "run.sh: shared data not found: $data (clone it beside the checkout or set CRM_SHARED_DATA_DIR)" >&2
    if [ $ci = 1 ]; then
        echo "run.sh: CI=true: the conformance run must not be skipped" >&2
        exit 1
    fi
    exit 77
fi
data=$(cd "$data" && pwd)

mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/crm_conformance.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

build=${CRM_BUILD_DIR:-}
if [ -z "${LIBCRM_PATH:-}" ] && [ -n "$build" ]; then
    LIBCRM_PATH=$build/libcrm.so.1
fi
if [ -n "${LIBCRM_PATH:-}" ]; then
    if [ ! -f "$LIBCRM_PATH" ]; then
        echo "run.sh: LIBCRM_PATH=$LIBCRM_PATH: no such file" >&2
        exit 1
    fi
    # absolute, as every language's program runs from its own folder
    LIBCRM_PATH=$(cd "$(dirname "$LIBCRM_PATH")" && pwd)/$(basename "$LIBCRM_PATH")
    export LIBCRM_PATH
    [ -n "$build" ] || build=$(cd "$(dirname "$LIBCRM_PATH")" && pwd)
    mode=built
    echo "run.sh: library $LIBCRM_PATH (bindings of $repo)"
else
    mode=installed
    echo "run.sh: the installed library and packages"
fi

failed=""
missing=""

absent() { # LANG WHY
    echo "run.sh: $1: not run: $2" >&2
    missing="$missing $1"
}

run() { # LANG COMMAND...
    lang=$1
    shift
    rm -f "$out/$lang.json"
    start=$(date +%s)
    if "$@" "$data" "$out/$lang.json" >"$scratch/$lang.log" 2>&1 && [ -s "$out/$lang.json" ]; then
        echo "run.sh: $lang: ok ($(($(date +%s) - start)) s) -> $out/$lang.json"
    else
        echo "run.sh: $lang: FAILED; its output:" >&2
        sed 's/^/    /' "$scratch/$lang.log" >&2
        rm -f "$out/$lang.json"
        failed="$failed $lang"
    fi
}

c_program() {
    if [ -n "${CRM_CONFORMANCE_C:-}" ]; then
        echo "$CRM_CONFORMANCE_C"
        return
    fi
    if [ $mode = built ] && [ -x "$build/tests/crm_conformance" ]; then
        echo "$build/tests/crm_conformance"
        return
    fi
    cc=${CC:-cc}
    src=$here/conformance.c
    exe=$scratch/crm_conformance
    if [ $mode = built ]; then
        libdir=$(dirname "$LIBCRM_PATH")
        $cc -std=c11 -O2 -I"$repo/include" -o "$exe" "$src" "$LIBCRM_PATH" \
            -Wl,-rpath,"$libdir" >"$scratch/cc.log" 2>&1 || { cat "$scratch/cc.log" >&2; return 1; }
    else
        flags=$(pkg-config --cflags --libs libcrm 2>"$scratch/cc.log") || {
            cat "$scratch/cc.log" >&2
            return 1
        }
        # shellcheck disable=SC2086
        $cc -std=c11 -O2 -o "$exe" "$src" $flags >"$scratch/cc.log" 2>&1 || {
            cat "$scratch/cc.log" >&2
            return 1
        }
    fi
    echo "$exe"
}

java_jar() {
    for jar in ${CRM_JAVA_JAR:-} "$build/tests/java/libcrm.jar" "$build/bindings/java/libcrm.jar" \
        /usr/local/share/java/libcrm.jar /usr/share/java/libcrm.jar; do
        [ -n "$jar" ] && [ -f "$jar" ] && { echo "$jar"; return; }
    done
    return 1
}

for lang in $langs; do
    case $lang in
        c)
            if exe=$(c_program); then
                run c "$exe"
            else
                absent c "cannot build tests/conformance/conformance.c"
            fi
            ;;
        python)
            py=${CRM_PYTHON3:-/usr/bin/python3}
            if [ ! -x "$py" ]; then
                absent python "$py not found"
            elif [ $mode = built ]; then
                run python env PYTHONPATH="$repo/bindings/python" PYTHONDONTWRITEBYTECODE=1 \
                    "$py" "$here/conformance.py"
            else
                run python env PYTHONDONTWRITEBYTECODE=1 "$py" "$here/conformance.py"
            fi
            ;;
        php)
            if [ ! -f "$here/conformance.php" ]; then
                absent php "tests/conformance/conformance.php not found"
            elif ! command -v "${PHP:-php}" >/dev/null 2>&1; then
                absent php "php not found (Debian: php8.2-cli)"
            elif ! "${PHP:-php}" -m 2>/dev/null | grep -qx FFI; then
                absent php "php has no FFI extension"
            else
                run php "${PHP:-php}" "$here/conformance.php"
            fi
            ;;
        node)
            if [ ! -f "$here/conformance.js" ]; then
                absent node "tests/conformance/conformance.js not found"
            elif ! command -v node >/dev/null 2>&1; then
                absent node "node not found (Debian: nodejs)"
            elif [ ! -d "$repo/bindings/node/node_modules/koffi" ] &&
                ! (cd "$repo/bindings/node" && npm ci --no-audit --no-fund >"$scratch/npm.log" 2>&1); then
                absent node "bindings/node/node_modules is missing and npm ci failed ($(tail -n 1 "$scratch/npm.log"))"
            else
                run node node "$here/conformance.js"
            fi
            ;;
        java)
            jna=${CRM_JNA_JAR:-/usr/share/java/jna.jar}
            if [ ! -f "$here/Conformance.java" ]; then
                absent java "tests/conformance/Conformance.java not found"
            elif ! command -v java >/dev/null 2>&1; then
                absent java "java not found (Debian: openjdk-17-jdk-headless)"
            elif [ ! -f "$jna" ]; then
                absent java "$jna not found (Debian: libjna-java)"
            elif ! jar=$(java_jar); then
                absent java "the libcrm jar was not found (build it, or set CRM_JAVA_JAR)"
            else
                run java java -cp "$jar:$jna" "$here/Conformance.java"
            fi
            ;;
        *)
            echo "run.sh: unknown language $lang (c python php node java)" >&2
            failed="$failed $lang"
            ;;
    esac
done

status=0
if [ -n "$failed" ]; then
    echo "run.sh: failed:$failed" >&2
    status=1
fi
if [ -n "$missing" ]; then
    if [ $ci = 1 ]; then
        echo "run.sh: CI=true: every language must run; not run:$missing" >&2
        status=1
    else
        echo "run.sh: not run:$missing" >&2
        [ $status = 0 ] && status=77  # a skip, not a pass (CTest: SKIP_RETURN_CODE 77)
    fi
fi
exit $status
