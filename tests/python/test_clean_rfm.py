"""Cleaning methods, RFM and KPIs through the Python layer."""

import csv
import datetime
import os

import pytest

import libcrm
from libcrm import Dataset

UTC = datetime.timezone.utc


def test_dedup_keep_rules():
    cols = {"a": [1.0, 1.0, 2.0, None, None, 1.0], "b": ["x", "x", "y", "z", "z", "w"]}
    ds = Dataset.from_columns(cols)
    assert ds.dedup() == 2  # rows 1 and 4 (NaN equals NaN)
    assert ds["b"] == ["x", "y", "z", "w"]
    ds = Dataset.from_columns(cols)
    assert ds.dedup(["a"], keep="last") == 3
    assert ds["b"] == ["y", "z", "w"]
    ds = Dataset.from_columns(cols)
    assert ds.dedup("a", keep="none") == 5
    assert ds["b"] == ["y"]


def test_drop_missing_and_impute():
    ds = Dataset.from_columns({"x": [1.0, None, 3.0, None, 10.0], "t": ["a", None, "a", "b", None]})
    assert ds.clone().drop_missing() == 3
    assert ds.clone().drop_missing(["t"]) == 2
    d = ds.clone()
    assert d.impute("x", "mean") == 2
    assert d["x"] == [1.0, 14.0 / 3.0, 3.0, 14.0 / 3.0, 10.0]
    d = ds.clone()
    d.impute("x", "median")
    assert d["x"][1] == 3.0
    d = ds.clone()
    d.impute("x", "linear")
    assert d["x"] == [1.0, 2.0, 3.0, 6.5, 10.0]
    d = ds.clone()
    d.impute("t", "mode")
    assert d["t"] == ["a", "a", "a", "b", "a"]
    d = ds.clone()
    d.impute("t", "constant", constant="?")
    assert d["t"][1] == "?"
    with pytest.raises(libcrm.CrmTypeError):
        ds.impute("t", "mean")
    with pytest.raises(ValueError):
        ds.impute("x", "average")


def test_outliers_iqr_flag_drop_clip():
    values = [1.0, 2.0, 3.0, 4.0, 100.0]  # numpy: Q1 2, Q3 4, IQR 2, fences -1 and 7
    ds = Dataset.from_columns({"v": values})
    assert ds.outliers("v", "iqr") == 1
    assert ds["v_outlier"] == [0.0, 0.0, 0.0, 0.0, 1.0]
    ds = Dataset.from_columns({"v": values})
    assert ds.outliers("v", "iqr", action="clip") == 1
    assert ds["v"] == [1.0, 2.0, 3.0, 4.0, 7.0]
    ds = Dataset.from_columns({"v": values})
    assert ds.outliers("v", "mad", action="drop") == 1
    assert len(ds) == 4


def test_convert():
    ds = Dataset.from_columns({"id": ["17850", "12346", None]})
    ds.convert("id", "number")
    assert ds.dtypes["id"] == "number"
    assert ds["id"] == [17850.0, 12346.0, None]
    ds.convert("id", "text")
    assert ds["id"] == ["17850", "12346", None]
    with pytest.raises(libcrm.ParseError):
        Dataset.from_columns({"x": ["1", "two"]}).convert("x", "number")


def transactions():
    d = datetime.datetime
    return Dataset.from_columns({
        "customer": ["a", "a", "b", "c", "c", "c"],
        "invoice": ["1", "2", "3", "4", "4", "5"],
        "when": [d(2024, 1, 1, tzinfo=UTC), d(2024, 3, 1, tzinfo=UTC), d(2024, 2, 1, tzinfo=UTC),
                 d(2024, 3, 10, tzinfo=UTC), d(2024, 3, 10, tzinfo=UTC),
                 d(2024, 3, 30, 15, tzinfo=UTC)],
        "qty": [1.0, 2.0, 10.0, 1.0, 1.0, 1.0],
        "price": [10.0, 10.0, 5.0, 1.0, 2.0, 3.0],
    })


def test_rfm_small():
    t = libcrm.rfm(transactions(), customer="customer", date="when", quantity="qty",
                   price="price", invoice="invoice", bins=3)
    assert t.columns == ["customer", "recency_days", "frequency", "monetary", "tenure_days",
                         "r_score", "f_score", "m_score", "rfm_cell", "rfm_score", "segment",
                         "lifecycle"]
    cols = t.to_columns()
    # as_of = 2024-03-31 00:00 (midnight after the last transaction)
    assert cols["customer"] == ["a", "b", "c"]
    assert cols["recency_days"] == [30.0, 59.0, 0.0]
    assert cols["frequency"] == [2.0, 1.0, 2.0]
    assert cols["monetary"] == [30.0, 50.0, 6.0]
    assert cols["tenure_days"] == [90.0, 59.0, 21.0]
    # 3 customers, 3 bins: score = 1 + floor(3 * (rank - 1) / 3) = rank
    assert cols["m_score"] == [2.0, 3.0, 1.0]
    assert cols["r_score"] == [2.0, 1.0, 3.0]
    assert cols["lifecycle"] == ["active", "active", "active"]
    with pytest.raises(libcrm.NotFoundError):
        libcrm.rfm(transactions(), customer="nope", date="when", amount="qty")


def test_rfm_facts_from_the_library():
    # the as_of rfm() takes by default: midnight UTC after the last date (2024-03-30 15:00)
    assert libcrm.rfm_default_as_of(transactions(), "when") == \
        datetime.datetime(2024, 3, 31, tzinfo=UTC)
    segments = libcrm.rfm_segments()
    assert segments == ("Champions", "Loyal Customers", "Potential Loyalists", "New Customers",
                        "Promising", "Need Attention", "About To Sleep", "At Risk",
                        "Cannot Lose Them", "Hibernating", "Lost")
    assert libcrm.rfm_stages() == ("active", "inactive", "churned")
    # the exact strings of the table's columns
    cols = libcrm.rfm(transactions(), customer="customer", date="when", amount="qty").to_columns()
    assert set(cols["segment"]) <= set(segments)
    assert set(cols["lifecycle"]) <= set(libcrm.rfm_stages())
    with pytest.raises(libcrm.NotFoundError):
        libcrm.rfm_default_as_of(transactions(), "nope")


def test_rfm_churn_table():
    # cutoff 2024-02-15, window of 30 days: a bought before and on 2024-03-01 (kept),
    # b only before (churned), c only after the cutoff (no history: not in the table)
    t = libcrm.rfm(transactions(), customer="customer", date="when", quantity="qty",
                   price="price", invoice="invoice", as_of=datetime.date(2024, 2, 15),
                   churn_days=30)
    cols = t.to_columns()
    assert cols["customer"] == ["a", "b"]
    assert cols["recency_days"] == [45.0, 14.0]
    assert cols["monetary"] == [10.0, 50.0]
    assert cols["churned"] == [0.0, 1.0]
    with pytest.raises(libcrm.InvalidError):
        libcrm.rfm(transactions(), customer="customer", date="when", amount="qty",
                   churn_days=30)   # needs as_of


def test_rfm_online_retail_matches_reference(shared_data):
    ds = Dataset.read_csv(os.path.join(shared_data, "online_retail", "online_retail.csv.gz"))
    ds = ds.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                   "and not startswith(InvoiceNo, 'C')")
    t = libcrm.rfm(ds, customer="CustomerID", date="InvoiceDate", quantity="Quantity",
                   price="UnitPrice", invoice="InvoiceNo")
    golden = os.path.join(os.path.dirname(__file__), os.pardir, "reference", "golden",
                          "rfm_online_retail.csv")
    with open(golden, newline="") as f:
        want = list(csv.DictReader(f))
    assert len(t) == len(want) == 4338
    got = t.to_columns()
    for i in (0, 1, 2000, 4337):
        assert got["customer"][i] == float(want[i]["customer"])
        assert got["recency_days"][i] == float(want[i]["recency_days"])
        assert got["frequency"][i] == float(want[i]["frequency"])
        assert got["monetary"][i] == float(want[i]["monetary"])
        assert got["segment"][i] == want[i]["segment"]


def test_kpis():
    fb = Dataset.from_columns({"fb": ["good"] * 80 + ["bad"] * 20})
    assert libcrm.satisfaction(fb, "fb", ["good"]) == 0.8
    flags = Dataset.from_columns({"ok": [1.0, 0.0, 1.0, 1.0, None]})
    assert libcrm.satisfaction(flags, "ok") == 0.75
    # 5 promoters, 3 passives, 2 detractors of 10: NPS = 50 - 20 = 30
    ratings = Dataset.from_columns({"r": [10.0, 9, 9, 10, 9, 8, 7, 8, 3, 6]})
    assert libcrm.nps(ratings, "r") == 30.0
    with pytest.raises(libcrm.InvalidError):
        libcrm.nps(Dataset.from_columns({"r": [11.0]}), "r")
    stages = Dataset.from_columns({"s": ["visit"] * 5 + ["cart"] * 3 + ["buy"] * 2})
    f = libcrm.funnel(stages, "s", ["visit", "cart", "buy"]).to_columns()
    assert f["stage"] == ["visit", "cart", "buy"]
    assert f["count"] == [10.0, 5.0, 2.0]
    assert f["conversion"][1:] == [0.5, 0.4]
    assert f["overall"] == [1.0, 0.5, 0.2]
