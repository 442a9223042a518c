#!/usr/bin/env bash
# The SQL databases against real servers (docs/databases.md, docs/testing.md):
# starts a throwaway PostgreSQL 15 (initdb + pg_ctl) and MariaDB 10.11
# (mariadb-install-db + mariadbd --skip-networking), each on a unix socket in a
# temporary directory, and
#  1. writes the same `crm synth` shop into each and into SQLite, runs RFM,
#     k-means and the churn model (logistic regression) from each database and
#     from the CSV: every output equal byte for byte; writes the scores back into
#     each database, reads them (and the shop) again: every cell equal;
#  2. runs tests/sql/sql_servers.c (build/dev/tests/sql/crm_sql_servers): the
#     type tables, NULLs, empty strings, Unicode, time zones, 1,000,000-row reads
#     with peak memory, empty results, server messages, wrong password, the
#     server killed mid-read and mid-write, duplicate keys, unwritable types,
#     injection, on all three backends;
#  3. runs the nightly-job examples: WooCommerce-style in PHP over MariaDB,
#     Odoo-style in Python over PostgreSQL, and the C one over SQLite.
# The servers are stopped by PID and removed at the end, also on failure.
#  4. MariaDB writes as LOAD DATA LOCAL INFILE, with ?local_infile=0 and against a
#     server with local_infile=OFF (the prepared-INSERT fallback): read back equal.
# Run time: about 1 to 2 minutes on 2 cores.
#
# Usage: scripts/ci_sql.sh   (from a clone after the dev build: build/dev exists)
# KEEP_TMP=1 keeps the outputs (the servers are removed either way).
# Exit 0: all passed; 1: a failure; 77: skipped (a server, PHP or the build is
# missing; with CI=true that is a failure).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-$root/build/dev}
crm=$build/crm
prog=$build/tests/sql/crm_sql_servers
py=/usr/bin/python3

skip() {
    case "${CI:-}" in
    true | TRUE | True | 1)
        echo "FAIL ci_sql: $* (CI=true: a missing tool is a failure)"
        exit 1
        ;;
    esac
    echo "SKIP ci_sql: $*"
    exit 77
}

. "$root/tests/sql/servers.sh"
[ -x "$crm" ] && [ -x "$prog" ] ||
    skip "$crm or $prog not built (cmake --preset dev && cmake --build --preset dev)"
missing=$(sql_servers_missing)
[ -z "$missing" ] || skip "missing:$missing (apt-get install postgresql mariadb-server)"
command -v php >/dev/null 2>&1 || skip "php not found (apt-get install php-cli)"
[ -x "$py" ] || skip "$py not found"

tmp=$(mktemp -d /tmp/crm_ci_sql_XXXXXX)
chmod 755 "$tmp" # the postgres user reaches its server directory below
cleanup() {
    sql_servers_stop
    if [ -n "${KEEP_TMP:-}" ]; then
        echo "ci_sql: outputs kept in $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t0=$SECONDS
sql_servers_start "$tmp/servers" || { echo "FAIL ci_sql: the servers did not start"; exit 1; }
echo "servers up ($((SECONDS - t0)) s): PostgreSQL at $CRM_TEST_PG_URL, MariaDB at $CRM_TEST_MY_URI"

passed=0
failed=0
check() {
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok: $what"
    else
        failed=$((failed + 1))
        echo "FAILED: $what"
    fi
}

# ---- 1. one shop, four sources, the same results -------------------------------------
declare -A uri=([sqlite]="sqlite:$tmp/shop.db" [pg]="$CRM_TEST_PG_URL" [my]="$CRM_TEST_MY_URI")
RFM=(--customer CustomerID --date InvoiceDate --quantity Quantity --price UnitPrice
    --invoice InvoiceNo --filter "CustomerID is not missing and Quantity > 0 and UnitPrice > 0")
KM=(--columns recency_days,frequency,monetary --k 4 --seed 1 --standardize)
CHURN=(--as-of 2023-07-01 --churn-days 90)
LOGREG=(--target churned --features recency_days,frequency,monetary,tenure_days)

# Runs the pipeline with input flags "$@" into $tmp/$tag.*; for a database also
# writes the scores and the churn table there and reads them back.
pipeline() {
    local tag=$1 db=${2:-}
    shift 2
    local out=$tmp/$tag
    "$crm" rfm "$@" "${RFM[@]}" -o "$out.rfm.csv" >"$out.log" 2>&1 || return 1
    "$crm" rfm "$@" "${RFM[@]}" "${CHURN[@]}" -o "$out.churn.csv" >>"$out.log" 2>&1 || return 1
    if [ -z "$db" ]; then
        "$crm" kmeans "$out.rfm.csv" "${KM[@]}" -o "$out.km.csv" >>"$out.log" 2>&1 &&
            "$crm" logreg "$out.churn.csv" "${LOGREG[@]}" --json --model "$out.model.json" \
                >"$out.logreg.json" 2>>"$out.log"
        return
    fi
    # the scores into the database (key: customer), the models from the tables there
    "$crm" rfm "$@" "${RFM[@]}" -o "$db" --table crm_scores --key customer >>"$out.log" 2>&1 &&
        "$crm" rfm "$@" "${RFM[@]}" "${CHURN[@]}" -o "$db" --table crm_churn --key customer \
            >>"$out.log" 2>&1 &&
        "$crm" kmeans --sql "$db" --query "SELECT * FROM crm_scores ORDER BY customer" \
            "${KM[@]}" -o "$out.km.csv" >>"$out.log" 2>&1 &&
        "$crm" logreg --sql "$db" --query "SELECT * FROM crm_churn ORDER BY customer" \
            "${LOGREG[@]}" --json --model "$out.model.json" >"$out.logreg.json" 2>>"$out.log" &&
        "$crm" clean --sql "$db" --query "SELECT * FROM crm_scores ORDER BY customer" \
            -o "$out.scores_back.csv" >>"$out.log" 2>&1 &&
        "$crm" clean --sql "$db" --query "SELECT * FROM orders ORDER BY line" \
            -o "$out.orders_back.csv" \
            >>"$out.log" 2>&1
}

t1=$SECONDS
# the shop with a line number: SQL returns rows in no particular order without
# ORDER BY (PostgreSQL puts short rows into earlier pages' free space)
"$crm" synth -o "$tmp/synth.csv" --customers 1000 --seed 42 2>/dev/null
awk '{ print (NR == 1 ? "line" : NR - 1) "," $0 }' "$tmp/synth.csv" >"$tmp/shop.csv"
check "csv: RFM, k-means, churn model" pipeline csv "" "$tmp/shop.csv"
for b in sqlite pg my; do
    check "$b: the shop written into table orders (crm clean -o URI --table)" \
        "$crm" clean "$tmp/shop.csv" -o "${uri[$b]}" --table orders
    if ! check "$b: RFM, k-means, churn model from the database, scores written back" \
        pipeline "$b" "${uri[$b]}" --sql "${uri[$b]}" --query "SELECT * FROM orders ORDER BY line"; then
        cat "$tmp/$b.log"
        continue
    fi
    for f in rfm.csv churn.csv km.csv model.json; do
        check "$b: $f equal to the CSV run, byte for byte" cmp "$tmp/csv.$f" "$tmp/$b.$f"
    done
    # the printed fit (--json) names its input ("file"): everything else equal
    check "$b: the churn fit's --json output equal to the CSV run's but for the input name" \
        "$py" -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("file"); b.pop("file"); a.pop("model", None); b.pop("model", None)
for k in a:
    if a[k] != b.get(k):
        print("differs:", k, str(a[k])[:200], "|", str(b.get(k))[:200])
sys.exit(a != b)' "$tmp/csv.logreg.json" "$tmp/$b.logreg.json"
    check "$b: the scores read back equal the RFM table, every cell" \
        cmp "$tmp/csv.rfm.csv" "$tmp/$b.scores_back.csv"
    check "$b: the shop read back equals the CSV, every cell" \
        cmp "$tmp/shop.csv" "$tmp/$b.orders_back.csv"
done
echo "(same results: $((SECONDS - t1)) s)"

# ---- MariaDB writes: LOAD DATA LOCAL INFILE and the prepared-INSERT fallback --------------
my_root() { env -u MYSQL_PWD mariadb --no-defaults -S "$SQL_DIR/my/sock" -uroot -N "$@"; }
com_load() { my_root -e "SHOW GLOBAL STATUS LIKE 'Com_load'" | cut -f2; }
# writes the shop into table $1 through URI $2, reads it back; $3: "load" if the
# write must have gone as LOAD DATA, "insert" if it must not, "refused" if the
# server refused the first one (counted in Com_load) and prepared INSERTs followed
my_write_back() {
    local n0 n1
    n0=$(com_load)
    "$crm" clean "$tmp/shop.csv" -o "$2" --table "$1" >>"$tmp/my_load.log" 2>&1 || return 1
    n1=$(com_load)
    if [ "$3" = load ] && [ "$n1" -le "$n0" ]; then echo "no LOAD DATA ran"; return 1; fi
    if [ "$3" = insert ] && [ "$n1" -ne "$n0" ]; then echo "LOAD DATA ran"; return 1; fi
    if [ "$3" = refused ] && [ "$n1" -ne $((n0 + 1)) ]; then
        echo "$((n1 - n0)) LOAD DATA statements, 1 expected"
        return 1
    fi
    "$crm" clean --sql "$2" --query "SELECT * FROM $1 ORDER BY line" -o "$tmp/$1.csv" \
        >>"$tmp/my_load.log" 2>&1 && cmp "$tmp/shop.csv" "$tmp/$1.csv"
}
check "my: the shop written as LOAD DATA LOCAL INFILE (the default), read back equal" \
    my_write_back orders_load "$CRM_TEST_MY_URI" load
check "my: ?local_infile=0: the shop written with prepared INSERTs, read back equal" \
    my_write_back orders_insert "$CRM_TEST_MY_URI&local_infile=0" insert
# a server with local_infile=OFF refuses LOAD DATA (error 4166): the write falls back
if my_root -e "SET GLOBAL local_infile = 0"; then
    check "my: server local_infile=OFF: falls back to prepared INSERTs, read back equal" \
        my_write_back orders_refused "$CRM_TEST_MY_URI" refused
    my_root -e "SET GLOBAL local_infile = 1" || check "my: local_infile set back to ON" false
else
    check "my: SET GLOBAL local_infile = 0 as root" false
fi

# ---- 2. per-backend tests --------------------------------------------------------------
t1=$SECONDS
check "tests/sql/sql_servers.c on SQLite, PostgreSQL and MariaDB" "$prog"
echo "(server tests: $((SECONDS - t1)) s)"

# ---- 3. the nightly-job examples -------------------------------------------------------
t1=$SECONDS
run_php() {
    CRM_BIN=$crm LIBCRM_PATH="$build/libcrm.so.1" php "$root/examples/woocommerce/nightly.php" \
        --setup-demo "$CRM_TEST_MY_URI" >"$tmp/woo.log" 2>&1
    local rc=$?
    cat "$tmp/woo.log"
    [ $rc -eq 0 ] && grep -q "customers scored into crm_customer_scores" "$tmp/woo.log"
}
run_odoo() {
    CRM_BIN=$crm LIBCRM_PATH="$build/libcrm.so.1" PYTHONPATH="$root/bindings/python" \
        PYTHONDONTWRITEBYTECODE=1 "$py" "$root/examples/odoo/nightly.py" \
        --setup-demo "$CRM_TEST_PG_URL" >"$tmp/odoo.log" 2>&1
    local rc=$?
    cat "$tmp/odoo.log"
    [ $rc -eq 0 ] && grep -q "customers scored into crm_customer_scores" "$tmp/odoo.log"
}
check "examples/woocommerce/nightly.php over MariaDB" run_php
check "examples/odoo/nightly.py over PostgreSQL" run_odoo
check "the PHP/MariaDB and Python/PostgreSQL jobs rank the same customers" \
    bash -c "diff <(grep -o '[0-9]*  churn probability.*' '$tmp/woo.log') <(grep -o '[0-9]*  churn probability.*' '$tmp/odoo.log')"
# the C job, built against the dev build as examples/Makefile builds it
if cc -std=c11 -O2 -Wall -Wextra -Werror -I"$root/include" "$root/examples/sql_nightly.c" \
    -o "$tmp/sql_nightly" -L"$build" -lcrm -Wl,-rpath,"$build" -lm; then
    check "examples/sql_nightly.c without arguments (a generated shop in SQLite)" \
        "$tmp/sql_nightly"
    for b in sqlite pg my; do
        check "examples/sql_nightly.c on the $b shop" \
            "$tmp/sql_nightly" "${uri[$b]}" crm_customer_scores_c
    done
else
    check "examples/sql_nightly.c compiles" false
fi
echo "(examples: $((SECONDS - t1)) s)"

echo
echo "ci_sql: $passed passed, $failed failed ($((SECONDS - t0)) s)"
[ "$failed" -eq 0 ]
