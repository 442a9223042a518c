#!/usr/bin/env bash
# SQL benchmark: libcrm (bench_sql_servers) against pandas on the same databases, in
# the same run, each side in its own processes (peak memory = getrusage
# ru_maxrss of that process).
#  - read: 1,000,000 order lines (crm synth, 30,000 customers, first 1,000,000
#    lines; 8 columns: 5 text/time, 3 numbers) with SELECT * FROM order_lines
#    from PostgreSQL 15, MariaDB 10.11 and SQLite: crm_dataset_read_sql vs
#    pandas.read_sql through SQLAlchemy and through the DB-API connection
#    (psycopg2, MySQLdb, sqlite3); the ratio is quoted against the faster
#    pandas. Fails unless every side read the same table (rows and exact
#    integer checksums of every column).
#  - write: 100,000 RFM score rows (12 columns) into a new table: crm_dataset_write_sql
#    (mode CREATE: one transaction) vs DataFrame.to_sql through SQLAlchemy.
# Servers: throwaway ones on unix sockets (tests/sql/servers.sh), stopped and
# removed at the end, also on failure. Best of RUNS (default 5) per side.
#
# MariaDB's write also runs with ?local_infile=0 (prepared INSERTs instead of
# LOAD DATA LOCAL INFILE) for comparison.
# Usage: bench/sql/run.sh        (RUNS=5, BUILD_DIR=build/release, BACKENDS="pg my sqlite";
#                                  SKIP_READ=1 measures the writes only)
# Build first: cmake --preset release && cmake --build build/release --target bench crm_cli
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-5}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_sql_servers
crm=$build/crm
py=/usr/bin/python3
for f in "$bench" "$crm"; do
    if [ ! -x "$f" ]; then
        echo "run.sh: $f not found; build it with:" >&2
        echo "  cmake --preset release && cmake --build build/release --target bench crm_cli" >&2
        exit 2
    fi
done
. "$root/tests/sql/servers.sh"
missing=$(sql_servers_missing)
if [ -n "$missing" ]; then
    echo "run.sh: missing:$missing" >&2
    exit 2
fi
tmp=$(mktemp -d /tmp/crm_bench_sql_XXXXXX)
chmod 755 "$tmp" # the postgres user reaches its server directory below
cleanup() {
    sql_servers_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
sql_servers_start "$tmp/servers"
sqlite="sqlite:$tmp/bench.db"

echo "== data: 1,000,000 order lines, 100,000 RFM score rows"
"$crm" synth -o "$tmp/shop.csv" --customers 30000 --seed 7 >/dev/null
head -n 1000001 "$tmp/shop.csv" > "$tmp/order_lines.csv"
"$crm" synth -o "$tmp/big.csv" --customers 101500 --days 365 --seed 3 >/dev/null
"$crm" rfm "$tmp/big.csv" -o "$tmp/rfm.csv" --customer CustomerID --date InvoiceDate \
    --quantity Quantity --price UnitPrice --invoice InvoiceNo \
    --filter "CustomerID is not missing and Quantity > 0 and UnitPrice > 0" >/dev/null
head -n 100001 "$tmp/rfm.csv" > "$tmp/scores.csv"
rm -f "$tmp/shop.csv" "$tmp/big.csv" "$tmp/rfm.csv"
echo "scores: $(($(wc -l < "$tmp/scores.csv") - 1)) rows, $(head -1 "$tmp/scores.csv")"

status=0
summary=()
for b in ${BACKENDS:-pg my sqlite}; do
    case $b in
    pg) uri=$CRM_TEST_PG_URI ;;
    my) uri=$CRM_TEST_MY_URI ;;
    sqlite) uri=$sqlite ;;
    esac
    if [ -n "${SKIP_READ:-}" ]; then
        echo "(SKIP_READ: the read is not measured)"
    else
    "$bench" load "$uri" order_lines "$tmp/order_lines.csv"
    echo
    echo "== read, $b"
    c=$("$bench" read "$uri" "$runs")
    pa=$("$py" "$here/sql_pandas.py" read "$b" "$uri" "$runs" pandas-sqlalchemy sqlalchemy)
    # pandas warns that it only tests SQLAlchemy connections: the warning is dropped
    pd=$("$py" -W ignore::UserWarning "$here/sql_pandas.py" read "$b" "$uri" "$runs" pandas-dbapi dbapi)
    printf '%s\n%s\n%s\n' "$c" "$pa" "$pd"
    line=$(printf '%s\n%s\n%s\n' "$c" "$pa" "$pd" | awk -v b="$b" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
        END {
            bad = 0
            split("rows qty cents cust cust_missing epoch desc_bytes", keys, " ")
            for (r = 2; r <= 3; r++) for (k in keys) if (v[r, keys[k]] != v[1, keys[k]]) {
                printf "CHECK FAILED: %s %s=%s, libcrm %s\n", v[r, "impl"], keys[k], v[r, keys[k]], v[1, keys[k]] > "/dev/stderr"
                bad = 1
            }
            c = v[1, "best_s"]; best = v[2, "best_s"] < v[3, "best_s"] ? 2 : 3
            printf "read %s: libcrm %.3f s, %.0f MiB; %s %.3f s, %.0f MiB (%s %.3f s, %.0f MiB): %.1fx faster, %.2f of the memory%s\n", \
                b, c, v[1, "peak_rss_kb"] / 1024, v[best, "impl"], v[best, "best_s"], v[best, "peak_rss_kb"] / 1024, \
                v[5 - best, "impl"], v[5 - best, "best_s"], v[5 - best, "peak_rss_kb"] / 1024, \
                v[best, "best_s"] / c, v[1, "peak_rss_kb"] / v[best, "peak_rss_kb"], bad ? " CHECK FAILED" : ""
            exit bad
        }') || status=1
    summary+=("$line")
    echo "$line"
    fi

    echo
    echo "== write, $b"
    c=$("$bench" write "$uri" "$runs" "$tmp/scores.csv")
    pa=$("$py" "$here/sql_pandas.py" write "$b" "$uri" "$runs" pandas-sqlalchemy sqlalchemy "$tmp/scores.csv")
    printf '%s\n%s\n' "$c" "$pa"
    if [ "$b" = my ]; then
        # the same write without LOAD DATA LOCAL INFILE (prepared multi-row INSERTs)
        ci=$("$bench" write "$uri&local_infile=0" "$runs" "$tmp/scores.csv" crm_scores_i)
        echo "$ci" | sed 's/impl=libcrm/impl=libcrm-insert/'
        summary+=("$(echo "$ci" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^best_s=/) print "write my, prepared INSERTs (?local_infile=0): libcrm " substr($i, 8) " s" }')")
    fi
    line=$(printf '%s\n%s\n' "$c" "$pa" | awk -v b="$b" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
        END {
            bad = v[1, "rows"] != v[2, "rows"]
            printf "write %s: libcrm %.3f s, pandas to_sql %.3f s: %.1fx faster (%s rows each)%s\n", \
                b, v[1, "best_s"], v[2, "best_s"], v[2, "best_s"] / v[1, "best_s"], v[1, "rows"], bad ? " CHECK FAILED: row counts differ" : ""
            exit bad
        }') || status=1
    summary+=("$line")
    echo "$line"
done
echo
echo "== summary (best of $runs; one thread on each side; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
printf '%s\n' "${summary[@]}"
exit $status
