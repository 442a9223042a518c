"""CSV reading and writing through the binding."""

import datetime
import gzip

import pytest

import libcrm
from conftest import shared_path
from libcrm import Dataset

UTC = datetime.timezone.utc
SIMPLE = "id,name,when\n1,Ann,2011-12-09 12:50\n2,,2011-12-10\n3,Bob,\n"


def check_simple(ds):
    assert len(ds) == 3
    assert ds.columns == ["id", "name", "when"]
    assert ds.dtypes == {"id": "number", "name": "text", "when": "time"}
    assert ds.to_columns() == {
        "id": [1.0, 2.0, 3.0],
        "name": ["Ann", None, "Bob"],
        "when": [datetime.datetime(2011, 12, 9, 12, 50, tzinfo=UTC),
                 datetime.datetime(2011, 12, 10, tzinfo=UTC), None],
    }


def test_read_csv_file(tmp_path):
    path = tmp_path / "simple.csv"
    path.write_text(SIMPLE)
    check_simple(Dataset.read_csv(path))
    check_simple(Dataset.read_csv(str(path)))


def test_read_csv_string():
    check_simple(Dataset.read_csv_string(SIMPLE))
    check_simple(Dataset.read_csv_string(SIMPLE.encode()))


def test_read_gz(tmp_path):
    path = tmp_path / "simple.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write(SIMPLE)
    check_simple(Dataset.read_csv(path))
    check_simple(Dataset.read_csv_string(gzip.compress(SIMPLE.encode())))


def test_ragged_row_is_a_parse_error_with_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(libcrm.ParseError) as info:
        Dataset.read_csv(path)
    assert ":3:" in info.value.message
    assert "ragged.csv" in info.value.message
    assert info.value.status_name == "CRM_E_PARSE"
    with pytest.raises(libcrm.ParseError, match=":3:"):
        Dataset.read_csv_string("a,b\n1,2\n3,4,5\n")
    lenient = Dataset.read_csv(path, strict=False)
    assert lenient.to_columns() == {"a": [1.0, 3.0], "b": [2.0, 4.0]}


def test_max_bytes(tmp_path):
    assert len(Dataset.read_csv_string(SIMPLE, max_bytes=len(SIMPLE))) == 3
    with pytest.raises(libcrm.CrmIOError) as info:
        Dataset.read_csv_string(SIMPLE, max_bytes=len(SIMPLE) - 1)
    assert "longer than max_bytes (%d bytes)" % (len(SIMPLE) - 1) in info.value.message
    path = tmp_path / "simple.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write(SIMPLE)
    with pytest.raises(libcrm.CrmIOError, match="simple.csv.gz: the text is longer than"):
        Dataset.read_csv(path, max_bytes=10)
    assert len(Dataset.read_csv(path, max_bytes=10**9)) == 3
    with pytest.raises(libcrm.InvalidError, match="max_bytes is negative"):
        Dataset.read_csv(path, max_bytes=-1)


def test_gzip_bomb_is_refused(tmp_path):
    # 256 MiB of zero bytes in about 256 KB: past the default limit for gzip
    # input (100 times the compressed size, at least 64 MiB)
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        zeros = bytes(1 << 20)
        for _ in range(256):
            f.write(zeros)
    with pytest.raises(libcrm.CrmIOError, match="the default limit for gzip input"):
        Dataset.read_csv(path)


def test_missing_file_is_an_io_error(tmp_path):
    with pytest.raises(libcrm.CrmIOError) as info:
        Dataset.read_csv(tmp_path / "no-such-file.csv")
    assert "no-such-file.csv" in info.value.message
    assert isinstance(info.value, OSError)


def test_options():
    text = "id;price;flag\n007;1,5;NA\n008;-;x\n"
    ds = Dataset.read_csv_string(text, delimiter=";", decimal_comma=True, na_values=["-"],
                                 types=["id:text"])
    assert ds.to_columns() == {"id": ["007", "008"], "price": [1.5, None], "flag": [None, "x"]}
    same = Dataset.read_csv_string(text, delimiter=ord(";"), decimal_comma=1, na_values="-",
                                   types={"id": "text"})
    assert same.to_columns() == ds.to_columns()
    replaced = Dataset.read_csv_string(text, delimiter=";", decimal_comma=True,
                                       na_values=["-"], keep_default_na=False)
    assert replaced["flag"] == ["NA", "x"]
    assert replaced["id"] == [7.0, 8.0]
    assert Dataset.read_csv_string("1,2\n3,4\n", header=False).columns == ["V1", "V2"]
    assert len(Dataset.read_csv_string("a\n1\n2\n3\n", max_rows=2)) == 2
    dated = Dataset.read_csv_string("d\n09.12.2011\n", date_format="%d.%m.%Y")
    assert dated["d"] == [datetime.datetime(2011, 12, 9, tzinfo=UTC)]
    with pytest.raises(TypeError, match="unexpected keyword"):
        Dataset.read_csv_string(text, delimeter=";")
    with pytest.raises(ValueError):
        Dataset.read_csv_string(text, delimiter=";;")
    with pytest.raises(libcrm.InvalidError):
        Dataset.read_csv_string(text, delimiter=";", types=["nope:text"])


def test_write_and_read_back(tmp_path):
    original = Dataset.read_csv_string(SIMPLE)
    path = tmp_path / "out.csv"
    original.write_csv(path)
    check_simple(Dataset.read_csv(path))
    gz = tmp_path / "out.csv.gz"
    original.write_csv(gz)
    with gzip.open(gz, "rt") as f:
        assert f.readline() == "id,name,when\n"
    check_simple(Dataset.read_csv(gz))
    text = original.to_csv_string(delimiter=";")
    assert text.splitlines()[0] == "id;name;when"
    check_simple(Dataset.read_csv_string(text, delimiter=";"))
    numbers = Dataset.from_columns({"x": [0.1, 1 / 3, 1e-300, None]})
    assert Dataset.read_csv_string(numbers.to_csv_string()).to_columns() == numbers.to_columns()


def test_read_baskets(tmp_path):
    path = tmp_path / "baskets.dat"
    path.write_text("1 2 3\n\n2 4 \n")
    ds = Dataset.read_baskets(path)
    assert ds.dtypes == {"tid": "number", "item": "text"}
    assert ds.to_columns() == {"tid": [1.0, 1.0, 1.0, 3.0, 3.0],
                               "item": ["1", "2", "3", "2", "4"]}


def test_online_retail():
    path = shared_path("online_retail", "online_retail.csv.gz")
    ds = Dataset.read_csv(path)
    assert len(ds) == 541909
    assert len(ds.columns) == 8
    assert ds.columns[0] == "InvoiceNo"


def test_usecols(tmp_path):
    path = tmp_path / "simple.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write(SIMPLE)
    ds = Dataset.read_csv(path, usecols=["when", "id"])
    assert ds.columns == ["id", "when"]
    assert ds.to_columns() == {k: v for k, v in Dataset.read_csv(path).to_columns().items()
                               if k != "name"}
    assert Dataset.read_csv_string(SIMPLE, usecols="name").columns == ["name"]
    # cells of a column that is not read are not converted
    assert len(Dataset.read_csv_string("a,b\n1,x\n", usecols=["a"], types=["b:number"])) == 1
    with pytest.raises(libcrm.NotFoundError, match='usecols: no column named "zz"'):
        Dataset.read_csv(path, usecols=["id", "zz"])
    with pytest.raises(libcrm.InvalidError, match='"id" twice'):
        Dataset.read_csv_string(SIMPLE, usecols=["id", "id"])
    with pytest.raises(ValueError, match="usecols is empty"):
        Dataset.read_csv_string(SIMPLE, usecols=[])
