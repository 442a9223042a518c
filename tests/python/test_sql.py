"""Dataset.read_sql / Dataset.write_sql over SQLite (crm/sql.h).

The fixtures are written and checked with Python's own sqlite3 module, so
every value crosses the boundary between two independent SQLite clients.
"""

import datetime
import decimal
import math
import sqlite3

import pytest

import libcrm
from libcrm import Dataset

UTC = datetime.timezone.utc


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL,
                             ordered DATETIME, note);
        INSERT INTO orders VALUES (1, 'ann', 10.5, '2024-01-01 10:00:00', NULL),
                                  (2, 'bob', NULL, '2024-01-02T00:00:00+01:00', 'x'),
                                  (3, 'Zoë 東京', 2, NULL, 5),
                                  (4, '', 7.25, '2024-02-29', NULL);
    """)
    con.commit()
    con.close()
    return path


def uri(path):
    return "sqlite:%s" % path


def test_read_types_and_values(db):
    ds = Dataset.read_sql(uri(db), "SELECT * FROM orders ORDER BY id")
    assert ds.dtypes == {"id": "number", "customer": "text", "amount": "number",
                         "ordered": "time", "note": "text"}
    cols = ds.to_columns()
    assert cols["id"] == [1, 2, 3, 4]
    assert cols["customer"] == ["ann", "bob", "Zoë 東京", ""]
    assert cols["amount"][0] == 10.5 and cols["amount"][1] is None
    assert cols["ordered"] == [datetime.datetime(2024, 1, 1, 10, tzinfo=UTC),
                               datetime.datetime(2024, 1, 1, 23, tzinfo=UTC), None,
                               datetime.datetime(2024, 2, 29, tzinfo=UTC)]
    assert cols["note"] == [None, "x", "5", None]


def test_params_are_bound(db):
    u = uri(db)
    ds = Dataset.read_sql(u, "SELECT id FROM orders WHERE customer = ? AND amount > ?",
                          ["ann", 1])
    assert ds["id"] == [1]
    ds = Dataset.read_sql(u, "SELECT id FROM orders WHERE ordered >= ? ORDER BY id",
                          [datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)])
    assert ds["id"] == [2, 4]  # SQLite compares the stored text ("2024-01-02T...")
    ds = Dataset.read_sql(u, "SELECT id FROM orders WHERE ordered >= ? ORDER BY id",
                          [datetime.date(2024, 1, 1)])
    assert ds["id"] == [1, 2, 4]
    ds = Dataset.read_sql(u, "SELECT id FROM orders WHERE amount = ?", [decimal.Decimal("7.25")])
    assert ds["id"] == [4]
    ds = Dataset.read_sql(u, "SELECT id FROM orders WHERE amount IS ?", [None])
    assert ds["id"] == [2]
    ds = Dataset.read_sql(u, "SELECT id FROM orders ORDER BY id LIMIT ?", [2])
    assert ds["id"] == [1, 2]
    for evil in ["ann' OR '1'='1", "1; DROP TABLE orders; --"]:
        assert len(Dataset.read_sql(u, "SELECT * FROM orders WHERE customer = ?", [evil])) == 0
    assert len(Dataset.read_sql(u, "SELECT * FROM orders")) == 4
    with pytest.raises(TypeError):
        Dataset.read_sql(u, "SELECT ?", [object()])
    with pytest.raises(libcrm.InvalidError, match="placeholder"):
        Dataset.read_sql(u, "SELECT ?", [])


def test_errors_pass_the_message_through(db):
    u = uri(db)
    with pytest.raises(libcrm.ParseError, match='near "SELEC": syntax error'):
        Dataset.read_sql(u, "SELEC 1")
    with pytest.raises(libcrm.ParseError, match="no such table: nope"):
        Dataset.read_sql(u, "SELECT * FROM nope")
    with pytest.raises(libcrm.CrmIOError):
        Dataset.read_sql("sqlite:%s" % (db.parent / "absent.db"), "SELECT 1")
    with pytest.raises(libcrm.InvalidError, match="unknown scheme"):
        Dataset.read_sql("oracle://x", "SELECT 1")
    with pytest.raises(libcrm.UnsupportedError, match="install libsqlite3-0"):
        Dataset.read_sql(u, "SELECT 1", client_library="libsqlite3-not-installed.so.0")
    with pytest.raises(TypeError):
        Dataset.read_sql(u, "SELECT 1", no_such_option=1)


def test_write_modes(db):
    u = uri(db)
    scores = Dataset({"customer": ["ann", "bob"], "score": [0.5, 0.25],
                      "at": [datetime.datetime(2024, 3, 1, tzinfo=UTC)] * 2})
    scores.write_sql(u, "scores", key="customer")
    with pytest.raises(libcrm.StateError, match="already exists"):
        scores.write_sql(u, "scores")
    update = Dataset({"customer": ["bob", "cid"], "score": [0.75, 1.0],
                      "at": [None, datetime.datetime(2024, 3, 2, tzinfo=UTC)]})
    update.write_sql(u, "scores", mode="upsert", key=["customer"])
    con = sqlite3.connect(db)
    rows = con.execute("SELECT customer, score, at FROM scores ORDER BY customer").fetchall()
    assert rows == [("ann", 0.5, "2024-03-01 00:00:00"), ("bob", 0.75, None),
                    ("cid", 1, "2024-03-02 00:00:00")]
    pk = [r[1] for r in con.execute("PRAGMA table_info(scores)") if r[5]]
    assert pk == ["customer"]
    con.close()
    with pytest.raises(libcrm.InvalidError, match="UNIQUE constraint failed"):
        update.write_sql(u, "scores", mode="append")
    assert len(Dataset.read_sql(u, "SELECT * FROM scores")) == 3
    update.write_sql(u, "scores", mode="replace")
    back = Dataset.read_sql(u, "SELECT * FROM scores ORDER BY customer")
    assert back.to_columns() == update.to_columns()
    with pytest.raises(ValueError):
        update.write_sql(u, "scores", mode="merge")


def test_round_trip_every_cell(db):
    u = uri(db)
    cols = {
        "num": [0.1, 1e300, -5e-324, float("inf"), float("-inf"), None, 42.0, 2.0 ** 60],
        "text": ["", None, "Zoë", "東京 🛒", 'a"b', "it's", "x;DROP TABLE orders", "e\u0301"],
        "when": [datetime.datetime(1970, 1, 1, tzinfo=UTC), None,
                 datetime.datetime(1900, 5, 6, 7, 8, 9, tzinfo=UTC),
                 datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
                 datetime.datetime(2024, 2, 29, tzinfo=UTC),
                 datetime.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
                 datetime.datetime(2000, 1, 1, 12, tzinfo=UTC),
                 datetime.datetime(2024, 7, 1, tzinfo=UTC)],
    }
    ds = Dataset(cols)
    ds.write_sql(u, 'odd "name"; DROP TABLE orders; --', batch_rows=3)
    back = Dataset.read_sql(u, 'SELECT * FROM "odd ""name""; DROP TABLE orders; --"')
    assert back.dtypes == ds.dtypes
    assert back.to_columns() == cols
    assert len(Dataset.read_sql(u, "SELECT * FROM orders")) == 4


def test_failed_and_cancelled_writes_leave_the_table(db):
    u = uri(db)
    before = Dataset.read_sql(u, "SELECT * FROM orders ORDER BY id").to_columns()
    rows = Dataset({"id": [float(i) for i in range(100, 200)], "customer": ["z"] * 100})
    calls = []

    def stop_at_second(fraction):
        calls.append(fraction)
        return len(calls) >= 2

    with pytest.raises(libcrm.CancelledError):
        rows.write_sql(u, "orders", mode="replace", batch_rows=10, progress=stop_at_second)
    assert len(calls) == 2
    assert Dataset.read_sql(u, "SELECT * FROM orders ORDER BY id").to_columns() == before

    def boom(fraction):
        raise KeyError("from the callback")

    with pytest.raises(KeyError):
        rows.write_sql(u, "orders", mode="append", batch_rows=10, progress=boom)
    assert Dataset.read_sql(u, "SELECT * FROM orders ORDER BY id").to_columns() == before
    wrong = Dataset({"id": ["a"]})
    with pytest.raises(libcrm.CrmTypeError, match="INTEGER"):
        wrong.write_sql(u, "orders", mode="append")
    assert Dataset.read_sql(u, "SELECT * FROM orders ORDER BY id").to_columns() == before
