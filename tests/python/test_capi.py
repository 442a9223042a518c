"""The generated low-level layer (_capi) and the generator itself."""

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

import libcrm
from libcrm import _capi, errors

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IR_PATH = os.path.join(REPO, "bindings", "crm-api.json")


@pytest.fixture(scope="module")
def ir():
    with open(IR_PATH, encoding="utf-8") as f:
        return json.load(f)


def test_every_function_has_argtypes_and_restype(ir):
    assert ir["functions"], "the IR lists no functions"
    for fn in ir["functions"]:
        func = getattr(_capi, fn["name"])
        assert func.argtypes is not None, fn["name"]
        assert len(func.argtypes) == len(fn["params"]), fn["name"]
        ret = fn["returns"]["type"]
        if ret == "void":
            assert func.restype is None, fn["name"]
        elif "*" in ret:
            # a pointer must never come back through ctypes' default c_int
            assert func.restype is not ctypes.c_int, fn["name"]
            assert ctypes.sizeof(func.restype) == ctypes.sizeof(ctypes.c_void_p), fn["name"]
        else:
            assert func.restype is not None, fn["name"]
    assert list(_capi.FUNCTIONS) == [fn["name"] for fn in ir["functions"]]


def test_library_exports_every_function():
    assert _capi.MISSING_FUNCTIONS == [], \
        "the loaded libcrm lacks functions declared in the headers"


def test_symbols_file_matches_ir(ir):
    with open(os.path.join(REPO, "lib", "libcrm.symbols"), encoding="utf-8") as f:
        symbols = f.read().split()
    assert symbols == sorted(fn["name"] for fn in ir["functions"])


def test_bindings_are_up_to_date():
    proc = subprocess.run([sys.executable, os.path.join(REPO, "bindings", "gen.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_status_has_its_own_error_class():
    for status in _capi.crm_status:
        if status == _capi.CRM_OK:
            continue
        cls = errors.class_for(status.name)
        assert cls is not libcrm.Error and issubclass(cls, libcrm.Error), status.name
        assert _capi.crm_status_str(status).decode() == status.name


def test_check_raises_with_status_and_message():
    with pytest.raises(libcrm.NotFoundError) as info:
        libcrm.Dataset.from_columns({"a": [1.0]})["missing column"]
    assert info.value.status == _capi.CRM_E_NOTFOUND
    assert info.value.status_name == "CRM_E_NOTFOUND"
    assert "missing column" in info.value.message
    assert isinstance(info.value, LookupError)
    _capi._check(_capi.CRM_OK)
    with pytest.raises(libcrm.StateError):
        _capi._check(_capi.CRM_E_STATE)
    with pytest.raises(libcrm.Error) as info:
        _capi._check(-999)  # a code from a newer library
    assert info.value.status == -999


def test_version_check(monkeypatch):
    number = _capi.CRM_VERSION_NUMBER
    assert _capi.LIBRARY_VERSION_NUMBER >= number
    assert libcrm.library_version_info >= libcrm.version_info
    assert libcrm.__version__ == _capi.CRM_VERSION_STRING
    monkeypatch.setattr(_capi, "crm_version_number", lambda: number - 1)
    with pytest.raises(ImportError, match="or newer"):
        _capi._check_version()
    monkeypatch.setattr(_capi, "crm_version_number", lambda: number + 10000)
    with pytest.raises(ImportError):
        _capi._check_version()
    monkeypatch.setattr(_capi, "crm_version_number", lambda: number + 1)
    assert _capi._check_version() == number + 1


def test_constants_and_enums(ir):
    for c in ir["constants"]:
        assert getattr(_capi, c["name"]) == c["value"]
    for e in ir["enums"]:
        cls = getattr(_capi, e["name"])
        assert [(m.name, int(m)) for m in cls] == [(m["name"], m["value"]) for m in e["members"]]
    assert _capi.CRM_TIME_MISSING == -2 ** 63


def test_options_defaults():
    o = _capi.crm_csv_options.defaults()
    assert o.size == ctypes.sizeof(_capi.crm_csv_options)
    assert o.header == 1 and o.strict == 1 and o.quote == ord('"')
    s = _capi.crm_synth_options.defaults()
    assert s.customers == 1000 and s.start == 1640995200


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler to compare struct layouts")
def test_struct_layouts_match_c(ir):
    """ctypes offsets and sizes equal the C compiler's for every struct."""
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "crm.h"', "int main(void) {"]
    for s in ir["structs"]:
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (s["name"], s["name"]))
        for f in s["fields"]:
            lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                         % (s["name"], f["name"], s["name"], f["name"]))
    lines += ["return 0;", "}"]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "layout.c")
        exe = os.path.join(tmp, "layout")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["cc", "-std=c11", "-I", os.path.join(REPO, "include"), src, "-o", exe],
                       check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    expected = {}
    for s in ir["structs"]:
        cls = getattr(_capi, s["name"])
        expected[s["name"]] = ctypes.sizeof(cls)
        for f in s["fields"]:
            expected["%s.%s" % (s["name"], f["name"])] = getattr(cls, f["name"]).offset
    measured = {k: int(v) for k, v in (line.split() for line in out.splitlines())}
    assert measured == expected
