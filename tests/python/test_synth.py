"""libcrm.synth(): deterministic synthetic transactions."""

import datetime

import pytest

import libcrm


def test_same_seed_same_rows():
    a = libcrm.synth(customers=40, products=30, days=60, seed=7)
    b = libcrm.synth(customers=40, products=30, days=60, seed=7)
    assert len(a) > 0
    assert a.columns == ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                         "UnitPrice", "CustomerID", "Country"]
    assert a.dtypes["InvoiceDate"] == "time" and a.dtypes["Quantity"] == "number"
    assert a.to_columns() == b.to_columns()


def test_different_seed_different_rows():
    a = libcrm.synth(customers=40, products=30, days=60, seed=1)
    b = libcrm.synth(customers=40, products=30, days=60, seed=2)
    assert a.to_columns() != b.to_columns()


def test_start_and_dirt():
    start = datetime.date(2023, 3, 1)
    ds = libcrm.synth(customers=20, products=10, days=10, start=start, dirt=0)
    first = min(t for t in ds["InvoiceDate"] if t is not None)
    assert first.date() >= start
    assert all(not str(inv).startswith("C") for inv in ds["InvoiceNo"])
    seconds = libcrm.synth(customers=20, products=10, days=10, dirt=0,
                           start=int(datetime.datetime(2023, 3, 1, tzinfo=datetime.timezone.utc)
                                     .timestamp()))
    assert seconds.to_columns() == ds.to_columns()


def test_bad_options():
    with pytest.raises(libcrm.InvalidError):
        libcrm.synth(customers=0)
    with pytest.raises(TypeError):
        libcrm.synth(customers="many")
