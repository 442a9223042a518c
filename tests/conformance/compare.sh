#!/bin/sh
# Assert that the conformance outputs written by run.sh are byte-identical.
#
#   tests/conformance/compare.sh OUT_DIR [LANG...]
#
# Compares every OUT_DIR/<lang>.json (or those of the languages named, which
# must then all be there) with python.json (the reference program's output;
# the first file when there is none) using cmp. For each file that differs it
# prints the first differing member (each member is one line) of both files.
# With CI=true in the environment and no LANG given, all five languages (c,
# python, php, node, java) must be there. Exit status 0 when every file is
# identical, 1 otherwise.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 OUT_DIR [LANG...]" >&2
    exit 2
fi
dir=$1
shift

case "${CI:-}" in
    true | TRUE | True | 1) ci=1 ;;
    *) ci=0 ;;
esac

status=0
if [ $# -gt 0 ]; then
    need=$*
elif [ $ci = 1 ]; then
    need="c python php node java"
else
    need=""
fi
for lang in $need; do
    if [ ! -f "$dir/$lang.json" ]; then
        echo "compare.sh: $dir/$lang.json is missing" >&2
        status=1
    fi
done

if [ $# -gt 0 ]; then
    files=""
    for lang in "$@"; do
        [ -f "$dir/$lang.json" ] && files="$files $dir/$lang.json"
    done
else
    files=$(ls "$dir"/*.json 2>/dev/null | sort)
fi
count=$(echo $files | wc -w)
if [ "$count" -lt 2 ]; then
    echo "compare.sh: fewer than two outputs in $dir: nothing to compare" >&2
    exit 1
fi

ref=""
for f in $files; do
    [ "$(basename "$f")" = python.json ] && ref=$f
done
[ -n "$ref" ] || ref=$(echo $files | cut -d' ' -f1)

# The member name ("name") of a line of an output file, and the line cut short.
member() {
    sed -n "${2}p" "$1" | sed 's/^\("[^"]*"\):.*/\1/'
}
excerpt() { # FILE LINE COLUMN: the line around the column
    from=$(($3 > 120 ? $3 - 120 : 1))
    sed -n "${2}p" "$1" | cut -b"$from-$(($3 + 120))"
}

for f in $files; do
    [ "$f" = "$ref" ] && continue
    if cmp -s "$ref" "$f"; then
        echo "compare.sh: $(basename "$f") = $(basename "$ref")"
        continue
    fi
    status=1
    at=$(cmp "$ref" "$f" 2>&1 | sed -n 's/.*differ: byte \([0-9]*\), line \([0-9]*\).*/\1 \2/p')
    byte=${at% *}
    line=${at#* }
    if [ -z "$at" ]; then
        # one file is a prefix of the other
        echo "compare.sh: $(basename "$f") differs from $(basename "$ref"): $(cmp "$ref" "$f" 2>&1)" >&2
        continue
    fi
    col=$((byte - $(head -n $((line - 1)) "$ref" | wc -c)))
    name=$(member "$ref" "$line")
    [ -n "$name" ] || name=$(member "$f" "$line")
    echo "compare.sh: $(basename "$f") differs from $(basename "$ref") at byte $byte," \
        "line $line, column $col: first differing member $name" >&2
    echo "  $(basename "$ref"): ...$(excerpt "$ref" "$line" "$col")..." >&2
    echo "  $(basename "$f"): ...$(excerpt "$f" "$line" "$col")..." >&2
done
exit $status
