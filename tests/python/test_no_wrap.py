"""Nothing is wrapped or truncated on the way to C.

Every integer argument and integer options field is checked against its C type
as the API description (bindings/crm-api.json) records it, and every
NUL-terminated string for an embedded NUL, before C sees it:

* out of range (also negative for size_t / uint64_t): OverflowError;
* not an integer (float, NaN, infinities, str, bool, numpy.bool_): TypeError;
* a NUL character inside a string: ValueError;
* numpy integers in range are accepted.

The parametrised tests walk the IR, so a new function parameter or options
field is covered as soon as it is in the headers.
"""

import ctypes
import json
import os
import shutil
import subprocess
import tempfile

import pytest

import libcrm
from libcrm import Dataset, _capi, _options

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(REPO, "bindings", "crm-api.json"), encoding="utf-8") as _f:
    IR = json.load(_f)

INTEGER_C_TYPES = {"int", "int8_t", "int16_t", "int32_t", "int64_t",
                   "uint8_t", "uint16_t", "uint32_t", "uint64_t", "size_t"}
ENUMS = {e["name"] for e in IR["enums"]}


def c_range(integer):
    """(min, max) of an IR "integer" entry, computed here from signedness and width."""
    bits = integer["bits"] if integer["bits"] is not None else 8 * ctypes.sizeof(ctypes.c_size_t)
    if integer["signed"]:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


# ---------------------------------------------------------------------------
# The reported cases, through the Pythonic layer
# ---------------------------------------------------------------------------

@pytest.fixture
def points():
    return Dataset.from_columns({"a": [1.0, 1.1, 0.9, 8.0, 8.2, 7.9, 4.0, 4.2],
                                 "b": [0.0, 0.2, 0.1, 5.0, 5.1, 4.9, 9.0, 9.1],
                                 "y": [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0]})


def test_kmeans_k_does_not_wrap(points):
    # k = 2**32 + 2 used to be fitted as k = 2
    with pytest.raises(OverflowError, match="k"):
        libcrm.KMeans(k=2 ** 32 + 2, seed=0).fit(points, ["a", "b"])
    with pytest.raises(OverflowError):
        libcrm.KMeans(k=-2 ** 31 - 1).fit(points, ["a", "b"])
    assert libcrm.KMeans(k=2, seed=0).fit(points, ["a", "b"]).summary().nrows == 2


def test_head_does_not_wrap(points):
    # head(2**64 + 3) used to give 3 rows
    with pytest.raises(OverflowError, match="head"):
        points.head(2 ** 64 + 3)
    size_max = 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1
    assert len(points.head(size_max)) == len(points) == 8  # the largest size_t is all rows
    with pytest.raises(OverflowError):
        points.head(size_max + 1)


def test_tree_max_depth_does_not_wrap(points):
    # max_depth = 2**40 used to give a single leaf (depth 0)
    with pytest.raises(OverflowError, match="max_depth"):
        libcrm.DecisionTree(max_depth=2 ** 40).fit(points, "y", ["a", "b"])
    tree = libcrm.DecisionTree(max_depth=2 ** 31 - 1, seed=2 ** 64 - 1).fit(points, "y", ["a"])
    assert tree.stat("depth") >= 1


def test_seed_does_not_wrap(points):
    # seed = 2**64 used to equal seed 0
    with pytest.raises(OverflowError, match="seed"):
        libcrm.synth(customers=20, days=30, seed=2 ** 64)
    with pytest.raises(OverflowError, match="seed"):
        libcrm.synth(customers=20, days=30, seed=-1)
    with pytest.raises(OverflowError, match="seed"):
        libcrm.KMeans(k=2, seed=2 ** 64).fit(points, ["a", "b"])
    with pytest.raises(OverflowError, match="seed"):
        libcrm.silhouette(points, ["a", "b"], "y", seed=-1)
    top = libcrm.synth(customers=20, days=30, seed=2 ** 64 - 1)
    assert len(top) > 0


@pytest.mark.parametrize("call", [
    lambda ds: ds["a\0b"],
    lambda ds: ds.select(["a", "b\0"]),
    lambda ds: ds.sort(["a\0zzz"]),
    lambda ds: ds.filter("a > 1\0 or this is never parsed"),
    lambda ds: ds.mutate("c\0d", "a + b"),
    lambda ds: ds.mutate("c", "a + b\0 + garbage"),
    lambda ds: ds.add_column("x\0y", [1.0] * 8),
    lambda ds: ds.add_column("t", ["ok"] * 7 + ["n\0"]),
    lambda ds: ds.rename_column("a\0", "z"),
    lambda ds: ds.rename_column("a", "z\0z"),
    lambda ds: ds.drop_column("a\0b"),
    lambda ds: ds.group(["y"], ["s=sum(a)\0"]),
    lambda ds: ds.dedup(["a\0"]),
    lambda ds: ds.impute("a\0", "mean"),
    lambda ds: ds.impute("a", "constant", constant="x\0"),
    lambda ds: ds.convert("a\0", "text"),
    lambda ds: libcrm.KMeans(k=2).fit(ds, ["a", "b\0c"]),
    lambda ds: libcrm.DecisionTree().fit(ds, "y\0", ["a"]),
    lambda ds: libcrm.LogisticRegression(sample_weight="a\0").fit(ds, "y", ["a"]),
    lambda ds: libcrm.LinearRegression().fit(ds, "y", ["a\0"]),
    lambda ds: libcrm.rfm(ds, "a\0", "b"),
    lambda ds: libcrm.apriori(ds, "a", "b", separator=",\0"),
    lambda ds: libcrm.nps(ds, "a\0"),
    lambda ds: ds.write_csv("out\0.csv"),
    lambda ds: Dataset.read_csv("in\0.csv"),
    lambda ds: Dataset.read_csv_string("a\n1\n", na_values=["N\0A"]),
    lambda ds: Dataset.read_csv_string("a\n1\n", types={"a\0": "text"}),
    lambda ds: Dataset.read_csv_string("a\n1\n", date_format="%Y\0"),
    lambda ds: libcrm.Model.load("model\0.json"),
])
def test_embedded_nul_is_an_error(points, call, tmp_path, monkeypatch):
    """Each of these used to run on the text before the NUL."""
    monkeypatch.chdir(tmp_path)  # paths cut at the NUL would be written here
    with pytest.raises(ValueError, match="NUL"):
        call(points)
    assert points.columns == ["a", "b", "y"] and len(points) == 8  # unchanged
    assert os.listdir(tmp_path) == []


def test_wrong_types_for_integers(points):
    for bad in (2.0, float("nan"), float("inf"), -float("inf"), "2", True, False):
        with pytest.raises(TypeError):
            libcrm.KMeans(k=bad).fit(points, ["a", "b"])
        with pytest.raises(TypeError):
            points.head(bad)
    m = libcrm.Arima(p=1).fit([1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0, 5.0, 7.0, 6.0, 8.0])
    with pytest.raises(TypeError):
        m.forecast(3.0)  # int(3.9) would have been 3
    with pytest.raises(OverflowError):
        m.forecast(2 ** 32 + 3)
    assert len(m.forecast(3)) == 3
    with pytest.raises(OverflowError):
        libcrm.KMeans(k=2).elbow(points, ["a", "b"], 1, 2 ** 32 + 3)
    with pytest.raises(TypeError):
        libcrm.KMeans(k=2).elbow(points, ["a", "b"], 1.0, 3)


def test_numpy_integers_are_accepted_in_range(points):
    np = pytest.importorskip("numpy")
    assert len(points.head(np.int64(3))) == 3
    assert len(points.head(np.uint8(2))) == 2
    km = libcrm.KMeans(k=np.int32(2), seed=np.uint64(2 ** 64 - 1)).fit(points, ["a", "b"])
    assert km.summary().nrows == 2
    with pytest.raises(OverflowError):
        libcrm.KMeans(k=np.int64(2 ** 32 + 2)).fit(points, ["a", "b"])
    with pytest.raises(OverflowError):
        libcrm.synth(customers=20, seed=np.int64(-1))
    with pytest.raises(TypeError):
        points.head(np.float64(2.0))
    with pytest.raises(TypeError):
        libcrm.KMeans(k=np.bool_(True)).fit(points, ["a", "b"])


def test_flags_take_bool(points):
    """The fields documented as 0/1 flags take True/False in the Pythonic layer."""
    ds = Dataset.read_csv_string("a;b\n1;2\n", delimiter=";", header=True, strict=False)
    assert ds.columns == ["a", "b"]
    km = libcrm.KMeans(k=2, seed=0, standardize=True).fit(points, ["a", "b"])
    assert km.summary().nrows == 2


# ---------------------------------------------------------------------------
# The description: every integer and string is described exactly
# ---------------------------------------------------------------------------

def _entries():
    """(where, entry) of every parameter, return value and struct field of the IR."""
    for fn in IR["functions"]:
        yield fn["name"] + "() returns", fn["returns"]
        for p in fn["params"]:
            yield "%s(%s)" % (fn["name"], p["name"]), p
    for s in IR["structs"]:
        for f in s["fields"]:
            yield "%s.%s" % (s["name"], f["name"]), f


def test_every_integer_and_string_is_described():
    seen = set()
    for where, e in _entries():
        t = e["type"]
        base = t.replace("const ", "").replace("*", "").strip()
        if "(" in t:
            continue  # function pointers
        if "*" not in t and (base in INTEGER_C_TYPES or base in ENUMS):
            integer = e.get("integer")
            assert integer is not None, where
            assert integer["c_type"] == base, where
            seen.add(base)
        else:
            assert "integer" not in e, where
        if base == "char" and "*" in t:
            assert e.get("nul_terminated") is (e["role"] != "buffer"), where
        else:
            assert "nul_terminated" not in e, where
        if t.count("*") == 1 and (base in INTEGER_C_TYPES or base in ENUMS):
            assert e["element"]["c_type"] == base, where
    assert {"int32_t", "int64_t", "uint64_t", "size_t"} <= seen


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler to measure the C types")
def test_described_widths_and_signedness_match_c():
    """bits/signed/min/max of every described C type agree with the C compiler."""
    types = {}
    for _where, e in _entries():
        for key in ("integer", "element"):
            if key in e:
                types[e[key]["c_type"]] = e[key]
    assert {"int32_t", "int64_t", "uint64_t", "size_t", "crm_status"} <= set(types)
    lines = ["#include <stdio.h>", "#include <stdint.h>", "#include <limits.h>",
             '#include "crm.h"', "int main(void) {"]
    for name, integer in sorted(types.items()):
        lines.append('printf("%s %%d %%d %%jd %%ju\\n", (int)(sizeof(%s) * CHAR_BIT), '
                     '(int)((%s)-1 < 0), (intmax_t)(%s), (uintmax_t)(%s));'
                     % (name, name, name, integer["min"], integer["max"]))
    lines += ["return 0;", "}"]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "types.c")
        exe = os.path.join(tmp, "types")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["cc", "-std=c11", "-I", os.path.join(REPO, "include"), src, "-o", exe],
                       check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        name, bits, signed, c_min, c_max = line.split()
        integer = types[name]
        expected_bits = integer["bits"] or 8 * ctypes.sizeof(ctypes.c_size_t)
        assert int(bits) == expected_bits, name
        assert bool(int(signed)) == integer["signed"], name
        assert (int(c_min), int(c_max)) == c_range(integer), name  # min/max name the limits
        t = _capi.INTEGER_TYPES[name]
        assert (t.min, t.max) == c_range(integer) and ctypes.sizeof(t.ctype) * 8 == int(bits)


# ---------------------------------------------------------------------------
# Every options field, from the description
# ---------------------------------------------------------------------------

OPTION_INTEGERS = [(s["name"], f["name"], f["integer"]) for s in IR["structs"]
                   for f in s["fields"] if "integer" in f]
OPTION_STRINGS = [(s["name"], f["name"], f["role"]) for s in IR["structs"]
                  for f in s["fields"] if f.get("nul_terminated")]


def _settable(struct, field):
    """Whether keyword arguments set the field (not size, not the count of an array)."""
    cls = getattr(_capi, struct)
    return field != "size" and field not in cls._lengths_.values()


SETTABLE_INTEGERS = [entry for entry in OPTION_INTEGERS if _settable(entry[0], entry[1])]


@pytest.mark.parametrize("struct, field, integer", OPTION_INTEGERS,
                         ids=["%s.%s" % (s, f) for s, f, _ in OPTION_INTEGERS])
def test_options_integer_field(struct, field, integer):
    cls = getattr(_capi, struct)
    assert cls._integers_[field] == integer["c_type"]
    lo, hi = c_range(integer)
    opts = cls.defaults()
    for good in (lo, hi, 0):
        setattr(opts, field, good)
        assert getattr(opts, field) == good
    for bad in (hi + 1, lo - 1, 2 ** 64 + 1, -2 ** 64):
        with pytest.raises(OverflowError, match=field):
            setattr(opts, field, bad)
    for bad in (1.0, float("nan"), float("inf"), "1", True):
        with pytest.raises(TypeError, match=field):
            setattr(opts, field, bad)
    assert getattr(opts, field) == 0  # the refused values left the field alone
    if not _settable(struct, field):
        return
    for good in (lo, hi):
        built, _keep = _options.build(cls, {field: good}, "fit")
        assert getattr(built, field) == good
    for bad in (hi + 1, lo - 1):
        with pytest.raises(OverflowError, match=r"fit\(%s=" % field):
            _options.build(cls, {field: bad}, "fit")
    for bad in (1.5, float("nan"), True, False):
        with pytest.raises(TypeError, match=r"fit\(%s=" % field):
            _options.build(cls, {field: bad}, "fit")


@pytest.mark.parametrize("struct, field, integer", SETTABLE_INTEGERS,
                         ids=["%s.%s" % (s, f) for s, f, _ in SETTABLE_INTEGERS])
def test_options_integer_field_numpy(struct, field, integer):
    np = pytest.importorskip("numpy")
    cls = getattr(_capi, struct)
    lo, hi = c_range(integer)
    kind = np.uint64 if not integer["signed"] else np.int64
    for good in (lo, hi):
        built, _keep = _options.build(cls, {field: kind(good)}, "fit")
        assert getattr(built, field) == good
    with pytest.raises(TypeError):
        _options.build(cls, {field: np.float64(1.0)}, "fit")
    with pytest.raises(TypeError):
        _options.build(cls, {field: np.bool_(True)}, "fit")


@pytest.mark.parametrize("struct, field, role", OPTION_STRINGS,
                         ids=["%s.%s" % (s, f) for s, f, _ in OPTION_STRINGS])
def test_options_string_field(struct, field, role):
    cls = getattr(_capi, struct)
    if role == "string":
        assert field in cls._strings_
        opts = cls.defaults()
        for bad in (b"ab\0c", "ab\0c", "\0"):
            with pytest.raises(ValueError, match="NUL"):
                setattr(opts, field, bad)
        opts_built, keep = _options.build(cls, {field: "ä"}, "fit")
        assert getattr(opts_built, field) == "ä".encode()
        with pytest.raises(ValueError, match=r"fit\(%s=.*NUL" % field):
            _options.build(cls, {field: "x\0y"}, "fit")
        with pytest.raises(TypeError):
            _options.build(cls, {field: 5}, "fit")
    else:
        assert role == "string_array" and field in cls._string_arrays_
        opts_built, keep = _options.build(cls, {field: ["a", "b"]}, "fit")
        assert [getattr(opts_built, field)[i] for i in range(2)] == [b"a", b"b"]
        with pytest.raises(ValueError, match="NUL"):
            _options.build(cls, {field: ["a", "b\0"]}, "fit")


# ---------------------------------------------------------------------------
# Every function parameter, from the description (the check runs before C)
# ---------------------------------------------------------------------------

PARAM_INTEGERS = [(fn["name"], k, p["name"], p["integer"]) for fn in IR["functions"]
                  for k, p in enumerate(fn["params"])
                  if "integer" in p and p["direction"] == "in"]
PARAM_STRINGS = [(fn["name"], k, p["name"], p["role"]) for fn in IR["functions"]
                 for k, p in enumerate(fn["params"])
                 if p.get("nul_terminated") and p["direction"] == "in"]
PARAM_ARRAYS = [(fn["name"], k, p["name"], p["element"]) for fn in IR["functions"]
                for k, p in enumerate(fn["params"])
                if "element" in p and p["role"] == "array"]


FUNCTIONS = {fn["name"]: fn for fn in IR["functions"]}


def _call(fn, index, value):
    """Call `fn` with `value` at `index`, 0 for the other integers and NULL (None)
    elsewhere: the checks must refuse `value` before the C function runs."""
    args = [0 if "integer" in p else None for p in FUNCTIONS[fn]["params"]]
    args[index] = value
    return getattr(_capi, fn)(*args)


@pytest.mark.parametrize("fn, index, name, integer", PARAM_INTEGERS,
                         ids=["%s(%s)" % (f, n) for f, _, n, _ in PARAM_INTEGERS])
def test_function_integer_parameter(fn, index, name, integer):
    lo, hi = c_range(integer)
    for bad in (hi + 1, lo - 1, 2 ** 64 + 2, -2 ** 63 - 1):
        with pytest.raises(OverflowError, match=r"%s\(%s\)" % (fn, name)):
            _call(fn, index, bad)
    for bad in (1.0, float("nan"), float("inf"), "1", b"1", True, False):
        with pytest.raises(TypeError, match=r"%s\(%s\)" % (fn, name)):
            _call(fn, index, bad)


@pytest.mark.parametrize("fn, index, name, role", PARAM_STRINGS,
                         ids=["%s(%s)" % (f, n) for f, _, n, _ in PARAM_STRINGS])
def test_function_string_parameter(fn, index, name, role):
    bad_values = [b"ab\0c", "ab\0c", b"\0"]
    if role == "string_array":
        bad_values = [[b"ok", b"ab\0c"], ("ok", "x\0")]
    for bad in bad_values:
        with pytest.raises(ValueError, match=r"%s\(%s\).*NUL" % (fn, name)):
            _call(fn, index, bad)


@pytest.mark.parametrize("fn, index, name, element", PARAM_ARRAYS,
                         ids=["%s(%s)" % (f, n) for f, _, n, _ in PARAM_ARRAYS])
def test_function_integer_array_parameter(fn, index, name, element):
    lo, hi = c_range(element)
    for bad in ([0, hi + 1], [lo - 1]):
        with pytest.raises(OverflowError, match=r"%s\(%s\)\[" % (fn, name)):
            _call(fn, index, bad)
    with pytest.raises(TypeError):
        _call(fn, index, [1.5])


def test_checked_functions_keep_the_ctypes_prototype():
    f = _capi.crm_dataset_head
    assert f.raw.argtypes == f.argtypes and f.restype is f.raw.restype
    assert f.__name__ == "crm_dataset_head" and "crm_dataset_head" in f.__doc__
    ds = Dataset.from_columns({"a": [1.0, 2.0, 3.0]})
    out = ctypes.POINTER(_capi.crm_dataset)()
    f(ds._handle, ctypes.c_size_t(2), ctypes.byref(out))  # a ctypes value passes as it is
    assert len(Dataset._wrap(out)) == 2
