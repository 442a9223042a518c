#!/bin/sh
# End-to-end tests of the database flags every command shares (--sql URI --query SQL
# [--param V]..., -o URI --table NAME [--mode M] [--key COLS]) over SQLite: a synth shop
# written into a database and read back gives the same RFM table and k-means labels as
# the CSV, byte for byte; upsert and create modes; usage errors (a password on the command
# line, --sql with FILE, -o URI without --table).
# usage: test_sql.sh PATH/TO/crm [TMPDIR]
# Prints one line per check and a final "N passed, M failed, K skipped"; exits non-zero when any
# check fails. Needs no shared data (libsqlite3 is a dependency of the build machine).

. "$(dirname "$0")/harness.sh"
harness_init sql "$@"

DB="sqlite:$T/shop.db"
rm -f "$T/shop.db"
run synth -o "$T/shop.csv" --customers 150 --seed 3
run synth -o "$DB" --table orders --customers 150 --seed 3
check "synth -o URI --table writes the shop into a table" [ "$rc" -eq 0 ]
check "synth names the database" grep -q "sqlite:" "$T/err"

RFM="--customer CustomerID --date InvoiceDate --quantity Quantity --price UnitPrice --invoice InvoiceNo"
FILTER="CustomerID is not missing and Quantity > 0 and UnitPrice > 0"
run rfm "$T/shop.csv" $RFM --filter "$FILTER" -o "$T/rfm_csv.csv"
run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" -o "$T/rfm_sql.csv"
check "rfm --sql exits 0" [ "$rc" -eq 0 ]
check "rfm over the database equals rfm over the CSV, byte for byte" \
    cmp -s "$T/rfm_csv.csv" "$T/rfm_sql.csv"

run kmeans "$T/rfm_csv.csv" --columns recency_days,frequency,monetary --k 4 --seed 1 \
    --standardize -o "$T/km_csv.csv"
run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" -o "$DB" \
    --table scores --key customer
check "rfm -o URI --table --key creates the scores table (primary key customer)" [ "$rc" -eq 0 ]
run kmeans --sql "$DB" --query "SELECT * FROM scores" --columns recency_days,frequency,monetary \
    --k 4 --seed 1 --standardize -o "$T/km_sql.csv"
check "k-means on the scores read back equals k-means on the CSV" \
    cmp -s "$T/km_csv.csv" "$T/km_sql.csv"

run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" -o "$DB" \
    --table scores
check "--mode create (the default) refuses an existing table (exit 1)" [ "$rc" -eq 1 ]
check "... and says so" has "already exists" "$T/err"
run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" -o "$DB" \
    --table scores --mode upsert --key customer
check "--mode upsert --key customer exits 0" [ "$rc" -eq 0 ]
run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" -o "$DB" \
    --table nokey
run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" -o "$DB" \
    --table nokey --mode upsert --key customer
check "upsert into a table without a key constraint: SQLite's message, exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q 'ON CONFLICT clause does not match' '$T/err'"
ncust=$(($(wc -l <"$T/rfm_csv.csv") - 1))
run info --sql "$DB" --query "SELECT * FROM scores" --json
check "upsert left one row per customer ($ncust)" json "j['rows'] == $ncust"
run info --sql "$DB" --query "SELECT count(*) AS n FROM scores WHERE segment = ? AND r_score >= ?" \
    --param Champions --param 4
check "--param binds values to the placeholders" [ "$rc" -eq 0 ]
run info --sql "$DB" --query "SELECT * FROM scores WHERE segment = ?" \
    --param "x' OR '1'='1"
check "an injection attempt through --param is a value (0 rows)" has "rows: *0"
run info --sql "$DB" --query "SELEC 1"
check "a syntax error exits 1 with SQLite's message" \
    sh -c "[ $rc -eq 1 ] && grep -q 'near \"SELEC\": syntax error' '$T/err'"

run info --sql "postgresql://shop:secret@localhost/shop" --query "SELECT 1"
check "a password in --sql is a usage error (2)" [ "$rc" -eq 2 ]
run rfm --sql "$DB" --query "SELECT * FROM orders" $RFM --filter "$FILTER" \
    -o "mysql://shop:secret@localhost/shop" --table scores
check "a password in -o URI is a usage error (2)" [ "$rc" -eq 2 ]
run info "$T/shop.csv" --sql "$DB" --query "SELECT 1"
check "FILE and --sql together are a usage error (2)" [ "$rc" -eq 2 ]
run info --sql "$DB"
check "--sql without --query is a usage error (2)" [ "$rc" -eq 2 ]
run info "$T/shop.csv" --query "SELECT 1"
check "--query without --sql is a usage error (2)" [ "$rc" -eq 2 ]
run kmeans "$T/rfm_csv.csv" --columns recency_days --k 2 -o "$DB"
check "-o URI without --table is a usage error (2)" [ "$rc" -eq 2 ]
run kmeans "$T/rfm_csv.csv" --columns recency_days --k 2 -o "$T/x.csv" --table t
check "--table without -o URI is a usage error (2)" [ "$rc" -eq 2 ]
run kmeans "$T/rfm_csv.csv" --columns recency_days --k 2 -o "$DB" --table t --mode sideways
check "an unknown --mode is a usage error (2)" [ "$rc" -eq 2 ]
run predict "$T/none.json" --sql "$DB" --query "SELECT * FROM scores" -o "$T/p.csv"
check "predict takes --sql in place of FILE (the model file is missing: exit 1)" [ "$rc" -eq 1 ]

finish
