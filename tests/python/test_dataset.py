"""Dataset: building, reading back, derived datasets and handle lifetimes."""

import datetime
import gc
import math

import pytest

import libcrm
from conftest import require
from libcrm import Dataset

UTC = datetime.timezone.utc


def test_from_columns_round_trip_all_types_with_missing():
    t0 = datetime.datetime(2011, 12, 9, 12, 50, tzinfo=UTC)
    columns = {
        "amount": [1.5, None, -3.0, 1e300, float("inf")],
        "name": ["Ann", None, "Bob", "", "Zoë ✓"],
        "when": [t0, None, datetime.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
                 datetime.datetime(1970, 1, 1, tzinfo=UTC), t0],
    }
    ds = Dataset.from_columns(columns)
    assert len(ds) == 5
    assert ds.columns == ["amount", "name", "when"]
    assert ds.dtypes == {"amount": "number", "name": "text", "when": "time"}
    assert ds.to_columns() == columns
    assert ds["name"] == columns["name"]
    assert ds.missing() == {"amount": 1, "name": 1, "when": 1}
    again = Dataset.from_columns(ds.to_columns())
    assert again.to_columns() == columns


def test_from_columns_conversions():
    ds = Dataset({
        "ints": [1, 2, True],
        "nan": [float("nan"), 2.0, None],
        "day": [datetime.date(2020, 2, 29), None, datetime.date(1970, 1, 2)],
        "naive": [datetime.datetime(2020, 1, 1, 10, 0, 0, 999999), None, None],
        "aware": [datetime.datetime(2020, 1, 1, 12, tzinfo=datetime.timezone(
            datetime.timedelta(hours=2))), None, None],
        "empty": [None, None, None],
    })
    cols = ds.to_columns()
    assert cols["ints"] == [1.0, 2.0, 1.0]
    assert cols["nan"] == [None, 2.0, None]
    assert cols["day"] == [datetime.datetime(2020, 2, 29, tzinfo=UTC), None,
                           datetime.datetime(1970, 1, 2, tzinfo=UTC)]
    assert cols["naive"][0] == datetime.datetime(2020, 1, 1, 10, tzinfo=UTC)
    assert cols["aware"][0] == datetime.datetime(2020, 1, 1, 10, tzinfo=UTC)
    assert ds.dtypes["empty"] == "number"


def test_from_columns_rejects_bad_input():
    with pytest.raises(TypeError, match="mixes"):
        Dataset.from_columns({"x": [1, "a"]})
    with pytest.raises(TypeError):
        Dataset.from_columns({"x": [object()]})
    with pytest.raises(libcrm.InvalidError):
        Dataset.from_columns({"a": [1, 2], "b": [1, 2, 3]})
    with pytest.raises(libcrm.InvalidError):
        Dataset.from_columns({"a": [1], "b": [1]}).add_column("a", [2])


def test_numpy_columns():
    np = require("numpy")  # a skip, or a failure under CI=true, without numpy
    values = np.array([1.0, np.nan, 3.5])
    times = np.array(["2020-01-01T00:00:01", "NaT", "1969-12-31T23:59:59"],
                     dtype="datetime64[s]")
    ds = Dataset.from_columns({"x": values, "n": np.arange(3), "t": times,
                               "s": np.array(["a", "b", "a"])})
    assert ds.dtypes == {"x": "number", "n": "number", "t": "time", "s": "text"}
    cols = ds.to_columns()
    assert cols["x"] == [1.0, None, 3.5]
    assert cols["n"] == [0.0, 1.0, 2.0]
    assert cols["t"][1] is None
    arrays = ds.to_columns(numpy=True)
    assert np.array_equal(arrays["x"], values, equal_nan=True)
    assert np.array_equal(arrays["t"], times, equal_nan=True)
    assert list(arrays["s"]) == ["a", "b", "a"]


def test_select_sort_head():
    ds = Dataset.from_columns({
        "k": ["b", "a", None, "a", "c"],
        "v": [2.0, 5.0, 1.0, None, 3.0],
    })
    sel = ds.select(["v", "k"])
    assert sel.columns == ["v", "k"]
    assert ds.select("k").columns == ["k"]
    assert ds[["v"]].columns == ["v"]
    with pytest.raises(libcrm.NotFoundError, match="nope"):
        ds.select(["nope"])

    by_v = ds.sort("v")
    assert by_v["v"] == [1.0, 2.0, 3.0, 5.0, None]  # missing last
    assert ds.sort("v", descending=True)["v"] == [5.0, 3.0, 2.0, 1.0, None]
    two = ds.sort(["k", "v"], descending=[False, True])
    assert two.to_columns() == {"k": ["a", "a", "b", "c", None],
                                "v": [5.0, None, 2.0, 3.0, 1.0]}
    assert ds["v"] == [2.0, 5.0, 1.0, None, 3.0]  # input unchanged
    with pytest.raises(ValueError):
        ds.sort(["k"], descending=[True, False])

    assert ds.head(2).to_columns() == {"k": ["b", "a"], "v": [2.0, 5.0]}
    assert len(ds.head()) == 5 and len(ds.head(0)) == 0 and len(ds.head(100)) == 5
    with pytest.raises(ValueError):
        ds.head(-1)
    assert ds.rows(2) == [("b", 2.0), ("a", 5.0)]


def test_describe_small_dataset():
    ds = Dataset.from_columns({
        "x": [1.0, 2.0, 3.0, 4.0, None],
        "s": ["a", "b", "a", None, "c"],
        "t": [datetime.date(2020, 1, 1), datetime.date(2020, 1, 3), None, None, None],
    })
    d = ds.describe()
    assert d.columns == ["column", "type", "count", "missing", "mean", "std", "min", "q25",
                         "median", "q75", "max", "distinct"]
    rows = {r[0]: dict(zip(d.columns, r)) for r in d.rows()}
    x = rows["x"]
    assert x["type"] == "number"
    assert (x["count"], x["missing"], x["distinct"]) == (4, 1, 4)
    assert x["mean"] == 2.5
    assert math.isclose(x["std"], math.sqrt(5.0 / 3.0), rel_tol=1e-15)
    assert (x["min"], x["q25"], x["median"], x["q75"], x["max"]) == (1.0, 1.75, 2.5, 3.25, 4.0)
    s = rows["s"]
    assert (s["type"], s["count"], s["missing"], s["distinct"]) == ("text", 4, 1, 3)
    assert s["mean"] is None and s["max"] is None
    t = rows["t"]
    assert t["type"] == "time"
    assert t["mean"] == datetime.datetime(2020, 1, 2, tzinfo=UTC).timestamp()
    assert t["std"] is None


def test_handles_free_in_any_order():
    parent = Dataset.from_columns({"k": ["x", "y", "x"], "v": [3.0, 1.0, 2.0]})
    child = parent.sort("v").select(["k"])
    copy = parent.clone()
    summary = parent.describe()
    del parent
    gc.collect()
    assert child["k"] == ["y", "x", "x"]
    assert copy.head(1)["v"] == [3.0]
    del copy
    gc.collect()
    assert len(summary) == 2
    assert child.to_columns() == {"k": ["y", "x", "x"]}


def test_close_and_context_manager():
    with Dataset.from_columns({"a": [1.0]}) as ds:
        assert len(ds) == 1
    with pytest.raises(libcrm.StateError):
        len(ds)
    ds.close()  # closing twice is harmless
    assert "closed" in repr(ds)


def test_column_editing_and_repr():
    ds = Dataset()
    assert repr(ds) == "<libcrm.Dataset: 0 rows x 0 columns>"
    ds.add_column("a", [1.0, 2.0])
    ds.add_column("b", ["x", "y"])
    ds.rename_column("a", "amount")
    ds.drop_column("b")
    assert ds.columns == ["amount"]
    assert "amount" in ds and "b" not in ds
    assert list(ds) == ["amount"]
    with pytest.raises(libcrm.NotFoundError):
        ds.drop_column("b")
    text = repr(Dataset.from_columns({"n": list(range(7)), "s": ["q"] * 7}))
    assert text.startswith("<libcrm.Dataset: 7 rows x 2 columns>")
    assert "number" in text and "text" in text and "(2 more rows)" in text


def test_errors_are_python_exceptions_too():
    assert issubclass(libcrm.ParseError, ValueError)
    assert issubclass(libcrm.CrmIOError, OSError)
    assert issubclass(libcrm.CrmTypeError, TypeError)
    assert issubclass(libcrm.InvalidError, ValueError)
    err = libcrm.ParseError("x.csv:3:1: bad")
    assert str(err) == "x.csv:3:1: bad" and err.message == "x.csv:3:1: bad"
