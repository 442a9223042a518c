#!/bin/sh
# SQL benchmark over SQLite: libcrm (bench_sql) against pandas, each side in its own
# process (peak memory measured separately), both on one thread (neither uses more):
#   read:  the order lines of a `crm synth` shop (about 1,000,000 rows, 8 columns),
#          SELECT * into a dataset vs pandas.read_sql_query(parse_dates=["InvoiceDate"])
#          through SQLAlchemy and through Python's sqlite3 (DB-API); the ratio is quoted
#          against the faster pandas path;
#   write: 100,000 score rows (4 columns) into a new table, one transaction, vs
#          DataFrame.to_sql (SQLAlchemy and DB-API).
# Fails (exit 1) unless every side read the same table (rows, columns, sum of the
# number cells, missing cells) and wrote the same rows.
# The PostgreSQL and MySQL runs use the same two programs with a server URI.
#
# Usage: bench/run_sql.sh   (RUNS=5, CUSTOMERS=25000, WRITE_ROWS=100000, BUILD_DIR=build/release)
# Build first: cmake --preset release && cmake --build build/release --target bench crm_cli
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-5}
customers=${CUSTOMERS:-25000}
wrows=${WRITE_ROWS:-100000}
build=${BUILD_DIR:-$root/build/release}
bench=$build/bench_sql
if [ ! -x "$bench" ] || [ ! -x "$build/crm" ]; then
    echo "run_sql.sh: $bench or $build/crm not found; build them with:" >&2
    echo "  cmake --preset release && cmake --build build/release --target bench crm_cli" >&2
    exit 2
fi
tmp=$(mktemp -d /tmp/crm_bench_sql_XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/shop.db
"$build/crm" synth -o "sqlite:$db" --table orders --customers "$customers" 2>/dev/null
cat "$db" > /dev/null
q="SELECT * FROM orders"
py=/usr/bin/python3

crm=$("$bench" read "sqlite:$db" "$q" "$runs")
pa=$("$py" "$here/sql_pandas.py" read "sqlite:///$db" "$q" "$runs" pandas-sqlalchemy InvoiceDate)
pd=$("$py" "$here/sql_pandas.py" read "dbapi:sqlite:$db" "$q" "$runs" pandas-dbapi InvoiceDate)
printf '%s\n%s\n%s\n' "$crm" "$pa" "$pd"
printf '%s\n%s\n%s\n' "$crm" "$pa" "$pd" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; best = v[2, "median_s"] < v[3, "median_s"] ? v[2, "median_s"] : v[3, "median_s"]
        bm = v[2, "peak_rss_kb"] < v[3, "peak_rss_kb"] ? v[2, "peak_rss_kb"] : v[3, "peak_rss_kb"]
        printf "summary: read %s rows x %s columns: libcrm %.3f s, %.1f MiB peak RSS; pandas %.3f s (SQLAlchemy) / %.3f s (DB-API), %.1f / %.1f MiB\n", \
            v[1, "rows"], v[1, "cols"], c, v[1, "peak_rss_kb"] / 1024, v[2, "median_s"], v[3, "median_s"], v[2, "peak_rss_kb"] / 1024, v[3, "peak_rss_kb"] / 1024
        printf "read_ratio=%.2f (faster pandas / libcrm) memory_ratio=%.2f (libcrm / leaner pandas)\n", best / c, v[1, "peak_rss_kb"] / bm
        bad = 0
        for (r = 2; r <= 3; r++)
            if (v[r, "rows"] != v[1, "rows"] || v[r, "cols"] != v[1, "cols"] || v[r, "missing"] != v[1, "missing"] || v[r, "numsum"] + 0 != v[1, "numsum"] + 0) {
                printf "CHECK FAILED: %s: %s x %s, numsum %s, missing %s; libcrm %s x %s, %s, %s\n", v[r, "impl"], v[r, "rows"], v[r, "cols"], v[r, "numsum"], v[r, "missing"], v[1, "rows"], v[1, "cols"], v[1, "numsum"], v[1, "missing"]
                bad = 1
            }
        printf "check: the same %s x %s table, number sum %s, %s missing cells on every side%s\n", v[1, "rows"], v[1, "cols"], v[1, "numsum"], v[1, "missing"], bad ? ": FAILED" : ""
        exit bad
    }'

for side in crm pa pd; do rm -f "$tmp/w_$side.db"; done
crm=$("$bench" write "sqlite:$tmp/w_crm.db" "$wrows" "$runs")
pa=$("$py" "$here/sql_pandas.py" write "sqlite:///$tmp/w_pa.db" "$wrows" "$runs" pandas-sqlalchemy)
pd=$("$py" "$here/sql_pandas.py" write "dbapi:sqlite:$tmp/w_pd.db" "$wrows" "$runs" pandas-dbapi)
printf '%s\n%s\n%s\n' "$crm" "$pa" "$pd"
counts=""
for side in crm pa pd; do
    counts="$counts $("$py" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM bench_scores_0").fetchone()[0])' \
        "$tmp/w_$side.db")"
done
printf '%s\n%s\n%s\n' "$crm" "$pa" "$pd" | awk -v counts="$counts" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
    END {
        c = v[1, "median_s"]; best = v[2, "median_s"] < v[3, "median_s"] ? v[2, "median_s"] : v[3, "median_s"]
        printf "summary: write %s rows: libcrm %.3f s; pandas to_sql %.3f s (SQLAlchemy) / %.3f s (DB-API)\n", v[1, "rows"], c, v[2, "median_s"], v[3, "median_s"]
        printf "write_ratio=%.2f (faster pandas / libcrm)\n", best / c
        bad = (v[2, "numsum"] + 0 != v[1, "numsum"] + 0 || v[3, "numsum"] + 0 != v[1, "numsum"] + 0)
        n = split(counts, cnt, " ")
        for (i = 1; i <= n; i++) if (cnt[i] + 0 != v[1, "rows"] + 0) bad = 1
        printf "check: %s rows in each table (%s), the same number sum on every side%s\n", v[1, "rows"], counts, bad ? ": FAILED" : ""
        exit bad
    }'
