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
# removed at the end, also on failure. Best of RUNS (default 5) per side; the
# sides run interleaved (run 1 of every side, then run 2, ...), one process per
# run, so a change of the machine's load hits every side alike.
#
# pandas writes with method=None (the driver's executemany) except on
# PostgreSQL (method="multi": psycopg2 sends executemany row by row), once with
# chunksize=10000 and once with chunksize=None (all rows in one executemany);
# the ratio is quoted against the faster. MariaDB's write also runs with
# ?bulk=0 (LOAD DATA LOCAL INFILE instead of arrays of parameters) and
# ?bulk=0&local_infile=0 (prepared multi-row INSERTs) for comparison.
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

# best_s = the least, median_s = the median, peak_rss_kb = the largest of the
# one-run lines on stdin (one implementation); the other fields of the last line
merge() {
    awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2]; if (NR == 1) key[i] = kv[1] }
           nf = NF; t[NR] = v["best_s"] + 0; if (v["peak_rss_kb"] + 0 > pk) pk = v["peak_rss_kb"] + 0 }
         END {
           for (i = 2; i <= NR; i++) { x = t[i]; for (j = i - 1; j >= 1 && t[j] > x; j--) t[j + 1] = t[j]; t[j + 1] = x }
           v["runs"] = NR; v["best_s"] = sprintf("%.4f", t[1]); v["peak_rss_kb"] = pk
           v["median_s"] = sprintf("%.4f", NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2)
           for (i = 1; i <= nf; i++) printf "%s%s=%s", (i > 1 ? " " : ""), key[i], v[key[i]]
           printf "\n" }'
}

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
    echo "== read, $b (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    c="" pa="" pd=""
    for r in $(seq "$runs"); do
        c+=$("$bench" read "$uri" 1)$'\n'
        pa+=$("$py" "$here/sql_pandas.py" read "$b" "$uri" 1 pandas-sqlalchemy sqlalchemy)$'\n'
        # pandas warns that it only tests SQLAlchemy connections: the warning is dropped
        pd+=$("$py" -W ignore::UserWarning "$here/sql_pandas.py" read "$b" "$uri" 1 pandas-dbapi dbapi)$'\n'
    done
    c=$(printf '%s' "$c" | merge) pa=$(printf '%s' "$pa" | merge) pd=$(printf '%s' "$pd" | merge)
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
    echo "== write, $b (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    c="" pa="" pn="" cl="" ci=""
    for r in $(seq "$runs"); do
        c+=$("$bench" write "$uri" 1 "$tmp/scores.csv" "crm_scores_c${r}_")$'\n'
        pa+=$("$py" "$here/sql_pandas.py" write "$b" "$uri" 1 pandas-chunk10000 sqlalchemy "$tmp/scores.csv" "crm_scores_pd${r}_" 10000)$'\n'
        # PostgreSQL: method="multi" with chunksize=None would be one INSERT of 1.2 million
        # parameters; there only chunksize=10000 runs
        if [ "$b" != pg ]; then
            pn+=$("$py" "$here/sql_pandas.py" write "$b" "$uri" 1 pandas-chunkall sqlalchemy "$tmp/scores.csv" "crm_scores_pn${r}_" all)$'\n'
        fi
        if [ "$b" = my ]; then
            # the same write as LOAD DATA LOCAL INFILE, and as prepared multi-row INSERTs
            cl+=$("$bench" write "$uri&bulk=0" 1 "$tmp/scores.csv" "crm_scores_l${r}_" | sed 's/impl=libcrm/impl=libcrm-loaddata/')$'\n'
            ci+=$("$bench" write "$uri&bulk=0&local_infile=0" 1 "$tmp/scores.csv" "crm_scores_i${r}_" | sed 's/impl=libcrm/impl=libcrm-insert/')$'\n'
        fi
    done
    c=$(printf '%s' "$c" | merge) pa=$(printf '%s' "$pa" | merge)
    if [ -n "$pn" ]; then pn=$(printf '%s' "$pn" | merge); else pn=$pa; fi
    printf '%s\n%s\n%s\n' "$c" "$pa" "$pn"
    if [ "$b" = my ]; then
        cl=$(printf '%s' "$cl" | merge) ci=$(printf '%s' "$ci" | merge)
        printf '%s\n%s\n' "$cl" "$ci"
        summary+=("$(echo "$cl" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^best_s=/) print "write my, LOAD DATA LOCAL INFILE (?bulk=0): libcrm " substr($i, 8) " s" }')")
        summary+=("$(echo "$ci" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^best_s=/) print "write my, prepared INSERTs (?bulk=0&local_infile=0): libcrm " substr($i, 8) " s" }')")
    fi
    line=$(printf '%s\n%s\n%s\n' "$c" "$pa" "$pn" | awk -v b="$b" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
        END {
            bad = v[1, "rows"] != v[2, "rows"] || v[1, "rows"] != v[3, "rows"]
            p = v[2, "best_s"] < v[3, "best_s"] ? 2 : 3
            printf "write %s: libcrm %.3f s, pandas to_sql %.3f s (%s; %s %.3f s): %.1fx faster (%s rows each)%s\n", \
                b, v[1, "best_s"], v[p, "best_s"], v[p, "impl"], v[5 - p, "impl"], v[5 - p, "best_s"], \
                v[p, "best_s"] / v[1, "best_s"], v[1, "rows"], bad ? " CHECK FAILED: row counts differ" : ""
            exit bad
        }') || status=1
    summary+=("$line")
    echo "$line"
done
echo
echo "== summary (best of $runs, interleaved; one thread on each side; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${summary[@]}"
exit $status
