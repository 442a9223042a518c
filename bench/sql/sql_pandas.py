#!/usr/bin/env python3
"""SQL benchmark, reference side: pandas read_sql / to_sql against the same
database as bench_sql_servers.

Usage:
  /usr/bin/python3 bench/sql/sql_pandas.py read  BACKEND URI RUNS LABEL DRIVER
  /usr/bin/python3 bench/sql/sql_pandas.py write BACKEND URI RUNS LABEL DRIVER SCORES.csv

BACKEND is pg, my or sqlite; URI is libcrm's URI of the same database (a libpq
keyword string "host=DIR user=U dbname=D", "mysql://U@localhost/D?socket=PATH"
or "sqlite:PATH"); passwords come from PGPASSWORD / MYSQL_PWD as for libcrm.
DRIVER is "sqlalchemy" (pandas through an SQLAlchemy engine: psycopg2, MySQLdb,
pysqlite) or "dbapi" (the DB-API connection handed to pandas directly).

read:  RUNS times pandas.read_sql("SELECT * FROM order_lines", con); prints
  bench=sql_read impl=LABEL backend=B runs=N best_s=S median_s=S rows=R qty=Q cents=C
  cust=U cust_missing=M epoch=E desc_bytes=D peak_rss_kb=K base_rss_kb=K
  (the check values, computed outside the timing, are exact integers: sums of
  Quantity, of UnitPrice in cents, of CustomerID, missing CustomerIDs, of the
  InvoiceDate seconds since the epoch, of the UTF-8 bytes of Description).
write: RUNS times DataFrame.to_sql("crm_scores_pd<run>", con, if_exists="fail" (a new
  table each run, as bench_sql_servers creates one),
  index=False, chunksize=10000, method="multi" for PostgreSQL: psycopg2 sends
  executemany() row by row; MySQLdb already batches it) of the scores
  table read from SCORES.csv (read once, not timed); prints
  bench=sql_write impl=LABEL backend=B runs=N best_s=S median_s=S rows=R peak_rss_kb=K
"""
import os
import resource
import statistics
import sys
import time

import pandas as pd


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def conninfo(uri):
    """libpq keyword string -> dict."""
    out = {}
    for part in uri.split():
        k, _, v = part.partition("=")
        out[k] = v
    return out


def mysql_parts(uri):
    # mysql://USER@localhost/DB?socket=PATH
    rest = uri[len("mysql://"):]
    user, _, rest = rest.partition("@")
    host, _, rest = rest.partition("/")
    db, _, q = rest.partition("?")
    sock = q.partition("socket=")[2]
    return user, host, db, sock


def connect(backend, uri, driver):
    if backend == "pg":
        ci = conninfo(uri)
        if driver == "sqlalchemy":
            import sqlalchemy
            return sqlalchemy.create_engine(
                "postgresql+psycopg2://%s@/%s?host=%s" % (ci["user"], ci["dbname"], ci["host"]))
        import psycopg2
        return psycopg2.connect(uri)
    if backend == "my":
        user, host, db, sock = mysql_parts(uri)
        pw = os.environ.get("MYSQL_PWD", "")
        if driver == "sqlalchemy":
            import sqlalchemy
            return sqlalchemy.create_engine(
                "mysql+mysqldb://%s:%s@%s/%s?unix_socket=%s&charset=utf8mb4"
                % (user, pw, host, db, sock))
        import MySQLdb
        return MySQLdb.connect(user=user, passwd=pw, db=db, unix_socket=sock, charset="utf8mb4")
    path = uri[len("sqlite:"):]
    if driver == "sqlalchemy":
        import sqlalchemy
        return sqlalchemy.create_engine("sqlite:///" + os.path.abspath(path))
    import sqlite3
    return sqlite3.connect(path)


def check_values(df):
    # naive (DATETIME, timestamp) or aware (timestamptz) values, both UTC
    dates = pd.to_datetime(df["InvoiceDate"], utc=True).dt.tz_localize(None)
    cust = df["CustomerID"].astype("float64")
    return {
        "rows": len(df),
        "qty": int(df["Quantity"].astype("float64").sum()),
        "cents": int((df["UnitPrice"].astype("float64") * 100).round().astype("int64").sum()),
        "cust": int(cust.sum()),
        "cust_missing": int(cust.isna().sum()),
        "epoch": int((dates.astype("int64") // 10**9).sum()),
        "desc_bytes": int(df["Description"].fillna("").map(lambda s: len(s.encode())).sum()),
    }


def bench_read(backend, uri, runs, label, driver):
    base = rss_kb()
    times = []
    con = connect(backend, uri, driver)
    chk = None
    for r in range(runs):
        t0 = time.perf_counter()
        df = pd.read_sql("SELECT * FROM order_lines", con)
        times.append(time.perf_counter() - t0)
        if r == runs - 1:
            chk = check_values(df)
        del df
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=sql_read impl=%s backend=%s runs=%d best_s=%.4f median_s=%.4f %s "
          "peak_rss_kb=%d base_rss_kb=%d"
          % (label, backend, runs, min(times), statistics.median(times),
             " ".join("%s=%d" % kv for kv in chk.items()), peak, base))


def bench_write(backend, uri, runs, label, driver, scores):
    df = pd.read_csv(scores)
    base = rss_kb()
    con = connect(backend, uri, driver)
    # psycopg2 sends executemany() row by row, multi-row INSERTs are its faster
    # path; MySQLdb already rewrites executemany() into multi-row INSERTs
    method = "multi" if backend == "pg" else None
    times = []
    for r in range(runs):
        t0 = time.perf_counter()
        df.to_sql("crm_scores_pd%d" % r, con, if_exists="fail", index=False, chunksize=10000,
                  method=method)
        if driver == "dbapi":
            con.commit()
        times.append(time.perf_counter() - t0)
    back = pd.read_sql("SELECT COUNT(*) AS n FROM crm_scores_pd%d" % (runs - 1), con)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("bench=sql_write impl=%s backend=%s runs=%d best_s=%.4f median_s=%.4f rows=%d "
          "peak_rss_kb=%d base_rss_kb=%d"
          % (label, backend, runs, min(times), statistics.median(times), int(back["n"][0]),
             peak, base))


def main():
    if len(sys.argv) < 7:
        sys.stderr.write(__doc__)
        return 2
    what, backend, uri, runs, label, driver = sys.argv[1:7]
    runs = max(1, int(runs))
    if what == "read":
        bench_read(backend, uri, runs, label, driver)
    else:
        bench_write(backend, uri, runs, label, driver, sys.argv[7])
    return 0


if __name__ == "__main__":
    sys.exit(main())
