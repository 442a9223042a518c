#!/bin/sh
# The files the crm tool writes (-o, --model, --itemsets, --dot) are written
# atomically, by every subcommand that has them: after a failed command (bad
# option, bad input, a failed fit, a failed write) no output file appears and
# an existing one keeps its bytes and mode; a symbolic link stays a link and
# its target is replaced; FIFOs and devices are written in place and never
# removed; "-" is standard output.
# usage: test_outputs.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed"; exits non-zero
# when any check fails. The /dev/full check needs root (the only user who could
# remove the device node); for other users it is skipped with a note. Needs no
# shared data.

. "$(dirname "$0")/harness.sh"
harness_init outputs "$@"
case $CRM in /*) ;; *) CRM=$PWD/$CRM ;; esac # the checks below change directory

O="$T/o" # the output directory of every command below
fresh() {
    rm -rf "$O"
    mkdir -p "$O"
}
# the names in $O, sorted, on one line
listing() { ls -A "$O" | sort | tr '\n' ' ' | sed 's/ $//'; }
mode_of() { stat -c %a "$1"; }

# fails_cleanly DESC "OUT..." ARGS...: `crm ARGS` fails (exit 1 or 2), and writes
# nothing: into an empty $O nothing appears; over existing OUT files (names in
# $O, mode 640) they keep their bytes and mode, and nothing else appears.
fails_cleanly() {
    what=$1
    outs=$2
    shift 2
    fresh
    run "$@"
    check "$what: fails" test "$rc" -eq 1 -o "$rc" -eq 2
    check "$what: no output file appears" test -z "$(listing)"
    fresh
    for f in $outs; do
        printf 'old %s\n' "$f" >"$O/$f"
        printf 'old %s\n' "$f" >"$T/ref.$f"
        chmod 640 "$O/$f"
    done
    want=$(listing)
    run "$@"
    kept=yes
    for f in $outs; do
        cmp -s "$O/$f" "$T/ref.$f" && [ "$(mode_of "$O/$f")" = 640 ] || kept=no
    done
    check "$what: existing outputs keep their bytes and mode" test "$kept" = yes
    check "$what: nothing else appears" test "$(listing)" = "$want"
}

cat >"$T/in.csv" <<'CSV'
id,a,b,y,g,t,amt
1,0,1,0,u,2011-01-01,5
2,0.5,1.2,0,v,2011-01-02,6
3,1,0.8,1,u,2011-01-03,7
4,5,5,1,v,2011-01-04,2
5,5.5,4.8,0,u,2011-01-05,3
6,6,5.2,1,v,2011-01-06,9
7,2,2,1,u,2011-01-07,4
8,3,1,0,v,2011-01-08,1
CSV
printf 'a,b\n"1,2\n' >"$T/unbalanced.csv"
NOPE="$T/no-such-file.csv"
"$CRM" kmeans "$T/in.csv" --columns a,b --k 2 --seed 1 --model "$T/km.json" >/dev/null 2>&1
printf '{"format": "libcrm-model", "version": ' >"$T/corrupt.json"

# ---- every subcommand with output files, every kind of failure -------------------------

fails_cleanly "synth: unknown option" "s.csv" synth --bogus -o "$O/s.csv"
fails_cleanly "synth: --customers out of range" "s.csv" synth --customers 0 -o "$O/s.csv"

fails_cleanly "clean: unknown option" "c.csv" clean "$T/in.csv" --bogus -o "$O/c.csv"
fails_cleanly "clean: missing input" "c.csv" clean "$NOPE" -o "$O/c.csv"
fails_cleanly "clean: malformed CSV" "c.csv" clean "$T/unbalanced.csv" -o "$O/c.csv"
fails_cleanly "clean: bad --filter" "c.csv" clean "$T/in.csv" --filter 'a >' -o "$O/c.csv"
fails_cleanly "clean: --impute of an unknown column" "c.csv" \
    clean "$T/in.csv" --impute nope:mean -o "$O/c.csv"

fails_cleanly "rfm: unknown option" "r.csv" \
    rfm "$T/in.csv" --customer g --date t --amount amt --bogus -o "$O/r.csv"
fails_cleanly "rfm: missing input" "r.csv" \
    rfm "$NOPE" --customer g --date t --amount amt -o "$O/r.csv"
fails_cleanly "rfm: unknown column" "r.csv" \
    rfm "$T/in.csv" --customer nope --date t --amount amt -o "$O/r.csv"
fails_cleanly "rfm: an amount of 0" "r.csv" \
    rfm "$T/in.csv" --customer g --date t --amount a -o "$O/r.csv"

K="k.csv k.json"
fails_cleanly "kmeans: unknown option" "$K" \
    kmeans "$T/in.csv" --columns a,b --k 2 --bogus -o "$O/k.csv" --model "$O/k.json"
fails_cleanly "kmeans: missing input" "$K" \
    kmeans "$NOPE" --columns a,b --k 2 -o "$O/k.csv" --model "$O/k.json"
fails_cleanly "kmeans: unknown column" "$K" \
    kmeans "$T/in.csv" --columns a,nope --k 2 -o "$O/k.csv" --model "$O/k.json"
fails_cleanly "kmeans: failed fit (k > rows)" "$K" \
    kmeans "$T/in.csv" --columns a,b --k 20 -o "$O/k.csv" --model "$O/k.json"

L="l.csv l.json"
fails_cleanly "logreg: unknown option" "$L" \
    logreg "$T/in.csv" --target y --features a,b --bogus -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "logreg: missing input" "$L" \
    logreg "$NOPE" --target y --features a,b -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "logreg: unknown feature" "$L" \
    logreg "$T/in.csv" --target y --features a,nope -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "logreg: failed fit (a feature twice)" "$L" \
    logreg "$T/in.csv" --target y --features a,a -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "logreg: missing --test file (read after the fit)" "$L" \
    logreg "$T/in.csv" --target y --features a,b --test "$NOPE" -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "linreg: unknown option" "$L" \
    linreg "$T/in.csv" --target a --features b --bogus -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "linreg: missing input" "$L" \
    linreg "$NOPE" --target a --features b -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "linreg: failed fit (text target)" "$L" \
    linreg "$T/in.csv" --target g --features b -o "$O/l.csv" --model "$O/l.json"
fails_cleanly "linreg: missing --test file (read after the fit)" "$L" \
    linreg "$T/in.csv" --target a --features b --test "$NOPE" -o "$O/l.csv" --model "$O/l.json"

TR="t.csv t.json t.dot"
fails_cleanly "tree: unknown option" "$TR" \
    tree "$T/in.csv" --target g --features a --bogus -o "$O/t.csv" --model "$O/t.json" --dot "$O/t.dot"
fails_cleanly "tree: missing input" "$TR" \
    tree "$NOPE" --target g --features a -o "$O/t.csv" --model "$O/t.json" --dot "$O/t.dot"
fails_cleanly "tree: unknown feature" "$TR" \
    tree "$T/in.csv" --target g --features nope -o "$O/t.csv" --model "$O/t.json" --dot "$O/t.dot"
fails_cleanly "tree: failed fit (regression on a text target)" "$TR" \
    tree "$T/in.csv" --target g --features a --task regression \
    -o "$O/t.csv" --model "$O/t.json" --dot "$O/t.dot"

A="rules.csv sets.csv"
fails_cleanly "apriori: unknown option" "$A" \
    apriori "$T/in.csv" --tid id --item g --min-support 0.1 --bogus \
    -o "$O/rules.csv" --itemsets "$O/sets.csv"
fails_cleanly "apriori: --min-support out of range" "$A" \
    apriori "$T/in.csv" --tid id --item g --min-support 1.5 -o "$O/rules.csv" --itemsets "$O/sets.csv"
fails_cleanly "apriori: missing input" "$A" \
    apriori "$NOPE" --tid id --item g --min-support 0.1 -o "$O/rules.csv" --itemsets "$O/sets.csv"
fails_cleanly "apriori: unknown column" "$A" \
    apriori "$T/in.csv" --tid id --item nope --min-support 0.1 \
    -o "$O/rules.csv" --itemsets "$O/sets.csv"
fails_cleanly "apriori: bad --filter" "$A" \
    apriori "$T/in.csv" --tid id --item g --min-support 0.1 --filter 'a >' \
    -o "$O/rules.csv" --itemsets "$O/sets.csv"

F="f.csv f.json"
fails_cleanly "arima: unknown option" "$F" \
    arima "$T/in.csv" --time t --value amt --period day --order 1,0,0 --bogus \
    -o "$O/f.csv" --model "$O/f.json"
fails_cleanly "arima: missing input" "$F" \
    arima "$NOPE" --time t --value amt --period day --order 1,0,0 -o "$O/f.csv" --model "$O/f.json"
fails_cleanly "arima: unknown column" "$F" \
    arima "$T/in.csv" --time t --value nope --period day --order 1,0,0 \
    -o "$O/f.csv" --model "$O/f.json"
fails_cleanly "arima: failed fit (series too short)" "$F" \
    arima "$T/in.csv" --time t --value amt --period day --order 5,1,5 \
    -o "$O/f.csv" --model "$O/f.json"

fails_cleanly "predict: unknown option" "p.csv" predict "$T/km.json" "$T/in.csv" --bogus -o "$O/p.csv"
fails_cleanly "predict: missing model" "p.csv" predict "$T/no.json" "$T/in.csv" -o "$O/p.csv"
fails_cleanly "predict: corrupt model" "p.csv" predict "$T/corrupt.json" "$T/in.csv" -o "$O/p.csv"
fails_cleanly "predict: missing input" "p.csv" predict "$T/km.json" "$NOPE" -o "$O/p.csv"
fails_cleanly "predict: input without the model's columns" "p.csv" \
    predict "$T/km.json" "$T/unbalanced.csv" -o "$O/p.csv"

# ---- a write that fails part-way ---------------------------------------------------------
# A file-size limit of one block (512 or 1024 bytes) makes writing a larger file
# fail with EFBIG, as on a full disk (SIGXFSZ ignored); stdout goes to /dev/null.
"$CRM" synth --customers 20 --days 20 --seed 3 -o "$T/big.csv" 2>/dev/null
run_limited() {
    sh -c 'trap "" XFSZ; ulimit -f 1 || exit 99; exec "$@"' sh "$CRM" "$@" >/dev/null 2>"$T/err"
    rc=$?
}
for out in c.csv c.csv.gz; do
    fresh
    printf 'old\n' >"$O/$out"
    chmod 604 "$O/$out"
    run_limited clean "$T/big.csv" -o "$O/$out"
    check "clean -o $out past the file-size limit fails (1)" test "$rc" -eq 1
    check "... saying why" has "File too large" "$T/err"
    check "... and $out keeps its bytes and mode" \
        sh -c "[ \"\$(cat '$O/$out')\" = old ] && [ \$(stat -c %a '$O/$out') = 604 ]"
    check "... and leaves nothing else" test "$(listing)" = "$out"
    rm -f "$O/$out"
    run_limited clean "$T/big.csv" -o "$O/$out"
    check "clean -o new $out past the limit: no file appears" test -z "$(listing)"
done
fresh
run_limited synth --customers 20 --days 20 -o "$O/s.csv"
check "synth -o past the limit fails, no file appears" sh -c "[ $rc -eq 1 ] && [ -z \"$(listing)\" ]"
fresh
printf 'old\n' >"$O/k.csv"
run_limited kmeans "$T/big.csv" --columns Quantity,UnitPrice --k 3 -o "$O/k.csv" --model "$O/k.json"
check "kmeans -o past the limit fails (1)" test "$rc" -eq 1
check "... -o keeps its bytes, --model is not written" \
    sh -c "[ \"\$(cat '$O/k.csv')\" = old ] && [ \"$(listing)\" = k.csv ]"

# ---- symbolic links --------------------------------------------------------------------------
fresh
"$CRM" clean "$T/in.csv" -o "$T/clean.csv" 2>/dev/null
printf 'old\n' >"$O/real.csv"
chmod 640 "$O/real.csv"
ln -s real.csv "$O/link.csv"
run clean "$T/in.csv" -o "$O/link.csv"
check "-o through a symbolic link exits 0" test "$rc" -eq 0
check "... the link stays a link to the same name" \
    sh -c "[ -L '$O/link.csv' ] && [ \"\$(readlink '$O/link.csv')\" = real.csv ]"
check "... its target gets the output, keeping its mode" \
    sh -c "cmp -s '$O/real.csv' '$T/clean.csv' && [ \$(stat -c %a '$O/real.csv') = 640 ]"
check "... nothing else appears" test "$(listing)" = "link.csv real.csv"
printf 'old\n' >"$O/real.csv"
run_limited clean "$T/big.csv" -o "$O/link.csv"
check "a failed write through the link fails (1)" test "$rc" -eq 1
check "... and leaves link and target as they were" \
    sh -c "[ -L '$O/link.csv' ] && [ \"\$(cat '$O/real.csv')\" = old ] && [ \"$(listing)\" = 'link.csv real.csv' ]"
ln -s /dev/full "$O/full.csv"
run clean "$T/in.csv" -o "$O/full.csv"
check "-o through a link to /dev/full fails (1), saying why" \
    sh -c "[ $rc -eq 1 ] && grep -q 'No space left on device' '$T/err'"
check "... and the link stays" sh -c "[ -L '$O/full.csv' ] && [ -c /dev/full ]"

# ---- special files ---------------------------------------------------------------------------
run clean "$T/in.csv" -o /dev/null
check "-o /dev/null exits 0 and /dev/null stays a device" sh -c "[ $rc -eq 0 ] && [ -c /dev/null ]"
if [ "$(id -u)" -eq 0 ]; then
    for cmd in "clean $T/in.csv -o /dev/full" \
        "kmeans $T/in.csv --columns a,b --k 2 --model /dev/full" \
        "tree $T/in.csv --target g --features a,b --dot /dev/full"; do
        # shellcheck disable=SC2086
        run $cmd
        check "as root, crm $cmd fails (1) with ENOSPC" \
            sh -c "[ $rc -eq 1 ] && grep -q 'No space left on device' '$T/err'"
        check "... and /dev/full is still the device" \
            sh -c "[ -c /dev/full ] && [ \"\$(stat -c %t:%T /dev/full)\" = 1:7 ]"
    done
else
    echo "# skipped: writing to /dev/full as root (running as uid $(id -u); only root could remove it)"
fi
fresh
mkfifo "$O/pipe.csv"
cat "$O/pipe.csv" >"$T/from-pipe.csv" &
reader=$!
run clean "$T/in.csv" -o "$O/pipe.csv"
wait "$reader"
check "-o to a FIFO exits 0 and writes through it" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$T/from-pipe.csv' '$T/clean.csv'"
check "... the FIFO stays, nothing else appears" \
    sh -c "[ -p '$O/pipe.csv' ] && [ \"$(listing)\" = pipe.csv ]"

# ---- "-" is standard output ---------------------------------------------------------------------
fresh
(cd "$O" && "$CRM" clean "$T/in.csv" -o - >"$T/stdout.csv" 2>"$T/err")
check "clean -o - writes the CSV to standard output" cmp -s "$T/stdout.csv" "$T/clean.csv"
check "... and no file named -" test -z "$(listing)"
"$CRM" synth --customers 20 --days 20 --seed 3 >"$T/synth1.csv" 2>/dev/null
(cd "$O" && "$CRM" synth --customers 20 --days 20 --seed 3 -o - >"$T/synth2.csv" 2>/dev/null)
check "synth -o - equals synth without -o" cmp -s "$T/synth1.csv" "$T/synth2.csv"
(cd "$O" && "$CRM" tree "$T/in.csv" --target g --features a,b --dot - >"$T/dot.txt" 2>/dev/null)
check "tree --dot - prints the Graphviz text first" sh -c "head -1 '$T/dot.txt' | grep -q '^digraph'"
(cd "$O" && "$CRM" kmeans "$T/in.csv" --columns a,b --k 2 --seed 1 --model - >"$T/km-out.txt" 2>/dev/null)
check "kmeans --model - prints the model's JSON line first" \
    sh -c "head -1 '$T/km-out.txt' | cmp -s - '$T/km.json'"
check "... and no file named -" test -z "$(listing)"

finish
