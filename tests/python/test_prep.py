"""Expressions (filter, mutate), group and join through the Python layer."""

import datetime

import pytest

import libcrm
from libcrm import Dataset

UTC = datetime.timezone.utc


def orders():
    return Dataset.from_columns({
        "InvoiceNo": ["1", "1", "C2", "3", "4", "4"],
        "Customer": ["a", "a", "b", None, "b", "c"],
        "Quantity": [2.0, 1.0, -1.0, 5.0, 3.0, None],
        "UnitPrice": [1.5, 4.0, 1.5, 2.0, 0.5, 9.0],
        "When": [datetime.datetime(2011, 1, 1, 10, tzinfo=UTC),
                 datetime.datetime(2011, 1, 1, 10, tzinfo=UTC),
                 datetime.datetime(2011, 1, 5, 9, tzinfo=UTC),
                 datetime.datetime(2011, 2, 1, 12, tzinfo=UTC),
                 datetime.datetime(2011, 3, 1, 8, tzinfo=UTC),
                 None],
    })


def test_filter_api_example():
    ds = orders()
    kept = ds.filter("Customer is not missing and Quantity > 0 and "
                     "not startswith(InvoiceNo, 'C') and When >= date('2011-01-01')")
    assert kept["InvoiceNo"] == ["1", "1", "4"]
    assert len(ds) == 6  # input unchanged


def test_filter_missing_is_false_and_empty_result():
    ds = orders()
    assert len(ds.filter("Quantity > 100")) == 0
    # row 6 has a missing Quantity: neither side of the comparison keeps it
    assert len(ds.filter("Quantity > 0")) + len(ds.filter("not (Quantity > 0)")) == 5


def test_mutate_adds_and_replaces():
    ds = orders()
    assert ds.mutate("amount", "Quantity * UnitPrice") is ds
    assert ds["amount"] == [3.0, 4.0, -1.5, 10.0, 1.5, None]
    ds.mutate("Quantity", "abs(Quantity)")
    assert ds.columns.index("Quantity") == 2
    assert ds["Quantity"] == [2.0, 1.0, 1.0, 5.0, 3.0, None]
    ds.mutate("month", "month(When)")
    assert ds["month"] == [1.0, 1.0, 1.0, 2.0, 3.0, None]


def test_expression_errors():
    ds = orders()
    with pytest.raises(libcrm.ParseError) as e:
        ds.filter("(Quantity > 1")
    assert "expr:" in str(e.value)
    with pytest.raises(libcrm.NotFoundError) as e:
        ds.filter("Nope > 1")
    assert "Nope" in str(e.value)
    with pytest.raises(libcrm.CrmTypeError):
        ds.mutate("x", "Customer + 1")
    assert "x" not in ds.columns


def test_group_aggregates():
    ds = orders().mutate("amount", "Quantity * UnitPrice")
    g = ds.group("Customer", ["n=count()", "sum(amount)", "count_distinct(InvoiceNo)",
                              "last=max(When)"])
    assert g.columns == ["Customer", "n", "amount_sum", "InvoiceNo_count_distinct", "last"]
    cols = g.to_columns()
    assert cols["Customer"] == ["a", "b", "c", None]  # sorted, missing key last
    assert cols["n"] == [2.0, 2.0, 1.0, 1.0]
    assert cols["amount_sum"] == [7.0, 0.0, 0.0, 10.0]  # sum of an all-missing group is 0
    assert cols["InvoiceNo_count_distinct"] == [1.0, 2.0, 1.0, 1.0]
    assert cols["last"][1] == datetime.datetime(2011, 3, 1, 8, tzinfo=UTC)
    assert ds.group("Customer", {"avg": "mean(Quantity)"})["avg"] == [1.5, 1.0, None, 5.0]


def test_group_errors():
    ds = orders()
    with pytest.raises(libcrm.ParseError):
        ds.group("Customer", ["sum(Quantity"])
    with pytest.raises(libcrm.CrmTypeError):
        ds.group("Customer", ["sum(Customer)"])
    with pytest.raises(libcrm.NotFoundError):
        ds.group("Nope", ["count()"])


def test_join_inner_left_and_suffixes():
    left = orders()
    right = Dataset.from_columns({"Customer": ["b", "a", "a", "z"],
                                  "Quantity": [10.0, 20.0, 30.0, 40.0]})
    inner = left.join(right, "Customer")
    assert inner.columns == ["InvoiceNo", "Customer", "Quantity_x", "UnitPrice", "When",
                             "Quantity_y"]
    assert inner["Customer"] == ["a", "a", "a", "a", "b", "b"]
    assert inner["Quantity_y"] == [20.0, 30.0, 20.0, 30.0, 10.0, 10.0]
    lj = left.join(right, ["Customer"], how="left")
    assert len(lj) == 8  # a x2 x2, b, None (no match), b, c (no match)
    assert lj["Quantity_y"][5:] == [None, 10.0, None]
    with pytest.raises(ValueError):
        left.join(right, "Customer", how="outer")
