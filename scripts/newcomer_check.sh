#!/bin/sh
# The newcomer's first hour, checked: installs the release build into a scratch
# prefix and runs the README's C link commands (dynamic and --static) and its
# Python, PHP, Node.js and Java snippets exactly as written, only /usr/local
# (PREFIX=/usr/local) replaced by the scratch prefix. The blocks are taken from README.md (the fenced blocks after
# the "newcomer-check" markers), so the README cannot drift from what works.
# Fails on any error. Needs scripts/deps.sh build static test (python3, php
# with FFI, node + npm and the npm registry for koffi, a JDK and JNA).
# Usage: sh scripts/newcomer_check.sh   (builds the release preset when needed)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-newcomer.XXXXXX")
trap '[ -n "${CRM_KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix

# the fenced block following the line "<!-- newcomer-check: NAME -->" of
# README.md, or "<!-- KIND: NAME -->" of FILE
block() { # NAME [FILE KIND]
    awk -v tag="<!-- ${3:-newcomer-check}: $1 -->" '
        $0 == tag { want = 1; next }
        want == 1 && /^```/ { want = 2; next }
        want == 2 && /^```/ { exit }
        want == 2 { print }' "${2:-README.md}"
}
for b in c python-setup python php node java; do
    block "$b" >"$tmp/$b.txt"
    [ -s "$tmp/$b.txt" ] || { echo "newcomer_check: README block '$b' not found" >&2; exit 1; }
done
grep -q '^PREFIX=/usr/local$' "$tmp/c.txt" || { echo "newcomer_check: no PREFIX=/usr/local in the C block" >&2; exit 1; }
grep -q '^PREFIX=/usr/local$' "$tmp/python-setup.txt" || { echo "newcomer_check: no PREFIX=/usr/local in the Python block" >&2; exit 1; }

echo "== release build and install into a scratch prefix"
cmake --preset release >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; exit 1; }
cmake --build --preset release -j "${CRM_JOBS:-2}" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
cmake --install build/release --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; exit 1; }
libdir=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --variable=libdir libcrm)
[ -f "$libdir/libcrm.so.1" ] || { echo "newcomer_check: no libcrm.so.1 under $libdir" >&2; exit 1; }

# a work folder that looks like the repository root (the blocks use
# examples/ and bindings/ relative to it) without writing into the repository
work=$tmp/work
mkdir "$work"
ln -s "$root/examples" "$work/examples"
ln -s "$root/bindings" "$work/bindings"
sed "s#^PREFIX=/usr/local\$#PREFIX=$prefix#" "$tmp/c.txt" >"$tmp/c.sh"
sed "s#^PREFIX=/usr/local\$#PREFIX=$prefix#" "$tmp/python-setup.txt" >"$tmp/python-setup.sh"

echo "== README C block (dynamic and static link)"
# the scratch prefix is not known to ldconfig: LD_LIBRARY_PATH stands in for it
(cd "$work" && env -u PKG_CONFIG_PATH LD_LIBRARY_PATH="$libdir" sh -eux "$tmp/c.sh") >"$tmp/c.log" 2>&1 ||
    { cat "$tmp/c.log" >&2; echo "newcomer_check: README C block failed" >&2; exit 1; }
grep -q 'rows, 8 columns' "$tmp/c.log" || { cat "$tmp/c.log" >&2; echo "newcomer_check: quickstart printed no table" >&2; exit 1; }
[ "$(grep -c 'rows, 8 columns' "$tmp/c.log")" -eq 2 ] ||
    { cat "$tmp/c.log" >&2; echo "newcomer_check: both programs must run" >&2; exit 1; }
if ldd "$work/quickstart-static" 2>&1 | grep -q 'libcrm'; then
    echo "newcomer_check: quickstart-static is linked dynamically against libcrm" >&2; exit 1
fi

echo "== README Python block"
# the setup block ends with "python3", which reads the Python block on stdin
(cd "$work" && env -u PYTHONPATH -u LIBCRM_PATH sh -eux "$tmp/python-setup.sh" <"$tmp/python.txt") >"$tmp/py.log" 2>&1 ||
    { cat "$tmp/py.log" >&2; echo "newcomer_check: README Python block failed" >&2; exit 1; }
grep -q 'Champions' "$tmp/py.log" || { cat "$tmp/py.log" >&2; echo "newcomer_check: no RFM segments printed" >&2; exit 1; }
# PHP, Node.js and Java: each block is a program run in the folder holding the
# orders.csv.gz the Python setup made; each prints the RFM segment counts.
# LD_LIBRARY_PATH stands in for ldconfig, as above.
# run_snippet NAME FILE COMMAND...: the block $tmp/NAME.txt (/usr/local replaced by
# the prefix) saved as $work/FILE and run there by COMMAND; output in $tmp/NAME.log
run_snippet() {
    name=$1 file=$2
    shift 2
    sed "s#/usr/local#$prefix#g" "$tmp/$name.txt" >"$work/$file"
    (cd "$work" && env -u LIBCRM_PATH -u PYTHONPATH LD_LIBRARY_PATH="$libdir" "$@") >"$tmp/$name.log" 2>&1 ||
        { cat "$tmp/$name.log" >&2; echo "newcomer_check: block $name failed" >&2; exit 1; }
}
run_lang() { # NAME FILE COMMAND...: a README block, which prints segments and inertia
    run_snippet "$@"
    grep -q 'Champions' "$tmp/$1.log" ||
        { cat "$tmp/$1.log" >&2; echo "newcomer_check: $1 printed no RFM segments" >&2; exit 1; }
    grep -q 'inertia' "$tmp/$1.log" ||
        { cat "$tmp/$1.log" >&2; echo "newcomer_check: $1 printed no inertia" >&2; exit 1; }
}
echo "== README PHP block"
run_lang php example.php php example.php
echo "== PHP package through Composer (a path repository, as docs/bindings.md shows)"
mkdir "$work/composer"
printf '{\n    "repositories": [{"packagist.org": false}, {"type": "path", "url": "%s/bindings/php"}],\n    "require": {"libcrm/libcrm": "*"}\n}\n' \
    "$root" >"$work/composer/composer.json"
sed "s#require '/usr/local/share/php/libcrm/autoload.php';#require __DIR__ . '/vendor/autoload.php';#" \
    "$tmp/php.txt" >"$work/composer/example.php"
grep -q "vendor/autoload.php" "$work/composer/example.php" ||
    { echo "newcomer_check: the README PHP block has no require line to replace" >&2; exit 1; }
(cd "$work/composer" && COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_HOME="$tmp/composer-home" \
    composer install --no-interaction --no-progress && cp ../orders.csv.gz . &&
    env -u LIBCRM_PATH LD_LIBRARY_PATH="$libdir" php example.php) >"$tmp/composer.log" 2>&1 ||
    { cat "$tmp/composer.log" >&2; echo "newcomer_check: Composer install of bindings/php failed" >&2; exit 1; }
grep -q 'Champions' "$tmp/composer.log" ||
    { cat "$tmp/composer.log" >&2; echo "newcomer_check: the Composer-installed package printed no segments" >&2; exit 1; }
echo "== README Node.js block (npm install --install-links ./bindings/node)"
(cd "$work" && npm install --install-links --no-audit --no-fund ./bindings/node) >"$tmp/npm.log" 2>&1 ||
    { cat "$tmp/npm.log" >&2; echo "newcomer_check: npm install of bindings/node failed" >&2; exit 1; }
run_lang node example.js node example.js
echo "== README Java block"
jar=$(find "$prefix" -name libcrm.jar | head -1)
[ -n "$jar" ] || { echo "newcomer_check: cmake --install put no libcrm.jar under the prefix" >&2; exit 1; }
run_lang java Example.java java -cp "$jar:/usr/share/java/jna.jar" Example.java
# docs/bindings.md: the same example in Python, PHP, Node.js and Java; each
# prints the same three lines
echo "== docs/bindings.md examples"
for b in python php node java; do
    block "$b" docs/bindings.md bindings-check >"$tmp/doc-$b.txt"
    [ -s "$tmp/doc-$b.txt" ] || { echo "newcomer_check: docs/bindings.md block '$b' not found" >&2; exit 1; }
done
pysite=$(dirname "$(dirname "$(find "$prefix" -path '*/libcrm/__init__.py' | head -1)")")
run_snippet doc-python doc_example.py env PYTHONPATH="$pysite" python3 doc_example.py
run_snippet doc-php doc_example.php php doc_example.php
run_snippet doc-node doc_example.js node doc_example.js
mkdir -p "$work/docjava"
run_snippet doc-java docjava/Example.java java -cp "$jar:/usr/share/java/jna.jar" docjava/Example.java
for b in php node java; do
    cmp -s "$tmp/doc-python.log" "$tmp/doc-$b.log" ||
        { diff "$tmp/doc-python.log" "$tmp/doc-$b.log" >&2;
          echo "newcomer_check: docs/bindings.md $b example prints other lines than Python's" >&2; exit 1; }
done
grep -q '^parse error: <memory>:3:3' "$tmp/doc-python.log" && grep -q '^cancelled: ' "$tmp/doc-python.log" &&
    grep -q '^inertia [0-9]' "$tmp/doc-python.log" ||
    { cat "$tmp/doc-python.log" >&2; echo "newcomer_check: docs/bindings.md examples print the wrong lines" >&2; exit 1; }

# the four languages print the same inertia
inertias=$(grep -ho 'inertia [0-9.]*' "$tmp/php.log" "$tmp/node.log" "$tmp/java.log" | sort -u | wc -l)
[ "$inertias" -eq 1 ] || { grep -h inertia "$tmp/php.log" "$tmp/node.log" "$tmp/java.log" >&2;
    echo "newcomer_check: PHP, Node.js and Java disagree" >&2; exit 1; }
echo "newcomer_check: ok"
