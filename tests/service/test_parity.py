"""The service's numbers against an independent computation: SQL over the same
SQLite file (the cleaning rules of analytics.py written as a query)."""

import datetime
import math
import sqlite3

import pytest

CLEAN = """
WITH sales AS (
  SELECT DISTINCT InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
                  CustomerID, Country
  FROM transactions
  WHERE CustomerID IS NOT NULL AND Quantity > 0 AND UnitPrice > 0
    AND substr(InvoiceNo, 1, 1) != 'C')
"""


def _all_customers(server):
    rows, page = [], 1
    while True:
        status, _, body = server.get("/api/customers?sort=id&order=asc&per_page=500&page=%d"
                                     % page)
        assert status == 200, body
        rows += body["customers"]
        if page >= body["pages"]:
            return body["generation"], rows
        page += 1


def test_every_customer_matches_sql(server):
    generation, rows = _all_customers(server)
    con = sqlite3.connect(server.db)
    ref = {str(cid): (orders, spent, first, last) for cid, orders, spent, first, last in
           con.execute(CLEAN + "SELECT CustomerID, count(DISTINCT InvoiceNo), "
                       "sum(Quantity * UnitPrice), min(InvoiceDate), max(InvoiceDate) "
                       "FROM sales GROUP BY CustomerID")}
    last_sale = con.execute(CLEAN + "SELECT max(InvoiceDate) FROM sales").fetchone()[0]
    con.close()
    status, _, summary = server.get("/api/summary")
    assert status == 200 and summary["generation"] == generation
    parse = lambda t: datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S")  # noqa: E731
    as_of = datetime.datetime.combine(parse(last_sale).date() + datetime.timedelta(days=1),
                                      datetime.time())
    assert summary["as_of"] == as_of.strftime("%Y-%m-%d")
    assert sorted(ref) == sorted(r["id"] for r in rows)
    for r in rows:
        orders, spent, first, last = ref[r["id"]]
        assert r["frequency"] == orders, r["id"]
        assert r["monetary"] == pytest.approx(spent, abs=0.006), r["id"]
        assert r["recency_days"] == math.floor((as_of - parse(last)).total_seconds() / 86400)
        assert r["tenure_days"] == math.floor((as_of - parse(first)).total_seconds() / 86400)
        assert r["last_purchase"] == (as_of - datetime.timedelta(days=r["recency_days"])) \
            .strftime("%Y-%m-%d")
        life = ("active" if r["recency_days"] < 90 else
                "inactive" if r["recency_days"] < 365 else "churned")
        assert r["lifecycle"] == life, r["id"]


def test_segment_revenue_matches_sql(server):
    status, _, body = server.get("/api/segments")
    assert status == 200
    con = sqlite3.connect(server.db)
    total = con.execute(CLEAN + "SELECT sum(Quantity * UnitPrice) FROM sales").fetchone()[0]
    con.close()
    assert sum(s["revenue"] for s in body["segments"]) == pytest.approx(total, abs=0.05)
