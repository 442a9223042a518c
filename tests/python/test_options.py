"""Keyword arguments -> options structs (libcrm._options), on a stand-in struct."""

import ctypes
import enum

import pytest

from libcrm import _options


class kind(enum.IntEnum):
    CRM_FAKE_INIT_PLUSPLUS = 1
    CRM_FAKE_INIT_RANDOM = 2


progress_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_double, ctypes.c_void_p)


class fake_options(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("k", ctypes.c_int32),
        ("init", ctypes.c_int32),
        ("sep", ctypes.c_int32),
        ("tol", ctypes.c_double),
        ("seed", ctypes.c_uint64),
        ("label", ctypes.c_char_p),
        ("names", ctypes.POINTER(ctypes.c_char_p)),
        ("n_names", ctypes.c_int64),
        ("weights", ctypes.POINTER(ctypes.c_double)),
        ("progress", progress_fn),
        ("user", ctypes.c_void_p),
    ]
    _lengths_ = {"names": "n_names"}
    _enums_ = {"init": kind}
    # what the generated structs carry from crm-api.json
    _integers_ = {"size": "size_t", "k": "int32_t", "init": "int32_t", "sep": "int32_t",
                  "seed": "uint64_t", "n_names": "int64_t"}
    _strings_ = ("label",)
    _string_arrays_ = ("names",)
    _integer_arrays_ = {}

    @classmethod
    def defaults(cls):
        o = cls()
        o.size = ctypes.sizeof(o)
        o.k = 8
        return o


def build(**kwargs):
    return _options.build(fake_options, kwargs, "fit", char_fields=("sep",))


def test_no_keywords_means_null():
    assert build() == (None, [])


def test_values_are_converted():
    o, keep = build(k=3, init="random", sep=";", tol=1, seed=2 ** 64 - 1, label="ä",
                    names=["a", "b"], weights=[0.5, 1.5])
    assert o.size == ctypes.sizeof(fake_options) and o.k == 3
    assert o.init == 2 and o.sep == ord(";") and o.tol == 1.0 and o.seed == 2 ** 64 - 1
    assert o.label == "ä".encode()
    assert o.n_names == 2 and [o.names[0], o.names[1]] == [b"a", b"b"]
    assert [o.weights[0], o.weights[1]] == [0.5, 1.5]
    assert keep
    assert build(init="CRM_FAKE_INIT_PLUSPLUS")[0].init == 1
    assert build(init=kind.CRM_FAKE_INIT_RANDOM)[0].init == 2
    assert build(k=-2 ** 31)[0].k == -2 ** 31 and build(k=2 ** 31 - 1)[0].k == 2 ** 31 - 1
    assert build(seed=0)[0].seed == 0


def test_bool_is_not_an_integer():
    """True/False are refused where an integer is meant (a count, a seed, an enum);
    the Pythonic classes map them to 1/0 for the fields they document as flags."""
    for field in ("k", "seed", "init", "sep"):
        with pytest.raises(TypeError, match="bool"):
            build(**{field: True})


def test_callbacks_are_wrapped():
    seen = []
    o, keep = build(progress=lambda f, user: seen.append(f) or 0)
    assert o.progress(0.5, None) == 0 and seen == [0.5]


def test_bad_keywords():
    with pytest.raises(TypeError, match="unexpected keyword argument 'kk'"):
        build(kk=1)
    for hidden in ("size", "n_names"):
        with pytest.raises(TypeError):
            build(**{hidden: 1})
    with pytest.raises(TypeError):
        build(k=1.5)
    with pytest.raises(ValueError, match="unknown value"):
        build(init="sideways")
    with pytest.raises(ValueError):
        build(sep="ab")
    with pytest.raises(TypeError, match="list"):
        build(names="abc")
