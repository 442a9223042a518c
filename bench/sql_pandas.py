#!/usr/bin/env python3
"""SQL benchmark, reference side: pandas read_sql / to_sql on the database bench_sql uses.

Usage: /usr/bin/python3 bench/sql_pandas.py read DB QUERY RUNS LABEL [PARSE_DATES]
       /usr/bin/python3 bench/sql_pandas.py write DB ROWS RUNS LABEL

DB is an SQLAlchemy URL ("sqlite:////tmp/shop.db", "postgresql+psycopg2://...",
"mysql+pymysql://...") or "dbapi:sqlite:PATH" for Python's sqlite3 connection
(pandas' DB-API path). PARSE_DATES: comma-separated columns read as datetimes
(as libcrm reads a TIMESTAMP column as time). write: the score rows of bench_sql
into a new table bench_scores_<run> per run (to_sql, if_exists="fail", no index).
Prints one line in the format of bench_sql (numsum: the sum of every number cell,
column by column in row order; missing: missing cells of all columns).
"""
import math
import resource
import sqlite3
import statistics
import sys
import time

import pandas as pd


def connect(db):
    if db.startswith("dbapi:sqlite:"):
        return sqlite3.connect(db[len("dbapi:sqlite:"):])
    import sqlalchemy
    return sqlalchemy.create_engine(db)


def numsum(df):
    total = 0.0
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            for x in df[col].tolist():
                if x is not None and not (isinstance(x, float) and math.isnan(x)):
                    total += x
    return total


def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def read(db, query, runs, label, parse_dates):
    con = connect(db)
    times, df = [], None
    for _ in range(runs):
        df = None
        t0 = time.perf_counter()
        df = pd.read_sql_query(query, con, parse_dates=parse_dates or None)
        times.append(time.perf_counter() - t0)
    print("bench=sql_read impl=%s runs=%d median_s=%.6f min_s=%.6f rows=%d cols=%d "
          "numsum=%.17g missing=%d peak_rss_kb=%d"
          % (label, runs, statistics.median(times), min(times), len(df), len(df.columns),
             numsum(df), int(df.isna().sum().sum()), peak_kb()))


def scores(n):
    seg = ["Champions", "Loyal Customers", "At Risk", "Hibernating", "Lost", "New Customers",
           "Promising"]
    return pd.DataFrame({
        "customer": [float(100000 + i) for i in range(n)],
        "segment": [seg[i % 7] for i in range(n)],
        "score": [((i * 7919) % 10007) / 10007.0 for i in range(n)],
        "scored_at": pd.to_datetime([1735689600 + i % 86400 for i in range(n)], unit="s"),
    })


def write(db, n, runs, label):
    con = connect(db)
    df = scores(n)
    times = []
    for r in range(runs):
        t0 = time.perf_counter()
        df.to_sql("bench_scores_%d" % r, con, index=False, if_exists="fail")
        if isinstance(con, sqlite3.Connection):
            con.commit()
        times.append(time.perf_counter() - t0)
    print("bench=sql_write impl=%s runs=%d median_s=%.6f min_s=%.6f rows=%d numsum=%.17g "
          "peak_rss_kb=%d" % (label, runs, statistics.median(times), min(times), n,
                              numsum(df), peak_kb()))


def main():
    what = sys.argv[1]
    if what == "read":
        dates = sys.argv[6].split(",") if len(sys.argv) > 6 and sys.argv[6] else []
        read(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], dates)
    else:
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])


if __name__ == "__main__":
    main()
