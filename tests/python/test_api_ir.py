"""bindings/crm-api.json against the built library: the defaults of every options field
(crm_x_options_init), the size, alignment and field offsets of every struct, enum tags and
the status codes each function documents.

The structs are rebuilt here from the IR alone (field types -> ctypes), so that a binding
generated from the IR gets exactly the library's layout and defaults; the generated
Python layer (libcrm._capi) is compared with them too.
"""

import ctypes
import json
import math
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

with open(os.path.join(REPO, "bindings", "crm-api.json"), encoding="utf-8") as fh:
    IR = json.load(fh)

STRUCTS = IR["structs"]
ENUMS = {e["name"]: {m["name"]: m["value"] for m in e["members"]} for e in IR["enums"]}
SCALARS = {"int32_t": ctypes.c_int32, "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64,
           "size_t": ctypes.c_size_t, "double": ctypes.c_double, "int": ctypes.c_int}


@pytest.fixture(scope="module")
def lib():
    return ctypes.CDLL(os.environ["LIBCRM_PATH"])


def ctype_of(field):
    """The ctypes type of an IR field: pointers and callbacks as void pointers."""
    if "*" in field["type"] or field["role"] == "callback":
        return ctypes.c_void_p
    return SCALARS[field["type"]]


def ir_struct(s):
    return type(s["name"], (ctypes.Structure,),
                {"_fields_": [(f["name"], ctype_of(f)) for f in s["fields"]]})


def test_the_ir_describes_every_struct_for_x86_64():
    assert IR["abi"] == "x86_64-linux-gnu" and IR["ir_version"] >= 3
    assert STRUCTS and all(s["options"] and s["init"] for s in STRUCTS)
    for s in STRUCTS:
        assert isinstance(s["size"], int) and isinstance(s["align"], int), s["name"]
        assert [f["name"] for f in s["fields"]][0] == "size"
        for f in s["fields"]:
            assert isinstance(f["offset"], int), (s["name"], f["name"])
            # every field but `size` (set to the size passed to init) has its default
            assert ("default" in f) == (f["role"] != "size"), (s["name"], f["name"])


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8 or os.uname().machine != "x86_64",
                    reason="the IR records the x86-64 layout")
@pytest.mark.parametrize("s", STRUCTS, ids=lambda s: s["name"])
def test_sizes_and_offsets_equal_the_compilers(s):
    from libcrm import _capi
    for cls in (ir_struct(s), getattr(_capi, s["name"])):
        assert ctypes.sizeof(cls) == s["size"], cls
        assert ctypes.alignment(cls) == s["align"], cls
        for f in s["fields"]:
            assert getattr(cls, f["name"]).offset == f["offset"], (cls, f["name"])
    # the IR offsets themselves are those of a C struct: increasing, aligned, no overlap
    ends = 0
    for f in s["fields"]:
        size = ctypes.sizeof(ctype_of(f))
        assert f["offset"] >= ends and f["offset"] % size == 0, f["name"]
        ends = f["offset"] + size
    assert s["size"] >= ends and s["size"] % s["align"] == 0


@pytest.mark.parametrize("s", STRUCTS, ids=lambda s: s["name"])
def test_init_writes_the_ir_defaults(lib, s):
    cls = ir_struct(s)
    opts = cls()
    ctypes.memset(ctypes.byref(opts), 0xA5, ctypes.sizeof(opts))  # no field is zero by luck
    init = getattr(lib, s["init"])
    init.restype = ctypes.c_int
    init.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    assert init(ctypes.byref(opts), ctypes.sizeof(opts)) == 0
    assert opts.size == ctypes.sizeof(opts)
    for f in s["fields"][1:]:
        got = getattr(opts, f["name"])
        want = f["default"]
        where = "%s.%s" % (s["name"], f["name"])
        if ctype_of(f) is ctypes.c_void_p:
            assert want is None and got is None, (where, got)  # NULL
        elif f["type"] == "double":
            assert isinstance(want, float), where
            assert got == want or (math.isnan(got) and math.isnan(want)), (where, got, want)
        else:
            assert isinstance(want, int) and not isinstance(want, bool), where
            assert got == want, (where, got, want)
        if "enum" in f:
            assert ENUMS[f["enum"]][f["default_name"]] == want, where
        elif "default_name" in f:  # a constant such as CRM_TIME_MISSING
            consts = {c["name"]: c["value"] for c in IR["constants"]}
            assert consts[f["default_name"]] == want, where


def test_the_python_layer_gets_the_same_defaults():
    from libcrm import _capi
    for s in STRUCTS:
        opts = getattr(_capi, s["name"]).defaults()
        for f in s["fields"][1:]:
            got = getattr(opts, f["name"])
            if f["default"] is None:
                assert not got, (s["name"], f["name"])
            else:
                assert got == f["default"], (s["name"], f["name"], got)


def test_enum_tagged_fields_and_parameters_name_existing_enums():
    tagged = [(s["name"], f) for s in STRUCTS for f in s["fields"] if "enum" in f]
    tagged += [(fn["name"], p) for fn in IR["functions"] for p in fn["params"] + [fn["returns"]]
               if "enum" in p]
    assert len(tagged) > 20
    for owner, entry in tagged:
        assert entry["enum"] in ENUMS, (owner, entry)
    fields = {(s["name"], f["name"]): f.get("enum") for s in STRUCTS for f in s["fields"]}
    assert fields[("crm_kmeans_options", "init")] == "crm_kmeans_init"
    assert fields[("crm_tree_options", "criterion")] == "crm_tree_criterion"
    assert fields[("crm_logreg_options", "solver")] == "crm_logreg_solver"
    assert fields[("crm_linreg_options", "missing")] == "crm_linear_missing"


def test_every_list_field_of_an_options_struct_has_its_count():
    """A pointer to several values without a count cannot be checked by any binding (a
    short list would be read past its end), so every array field is paired with one."""
    pairs = {}
    for s in STRUCTS:
        fields = {f["name"]: f for f in s["fields"]}
        for f in s["fields"]:
            if f["role"] in ("array", "string_array"):
                assert f.get("length") in fields, (s["name"], f["name"])
                count = fields[f["length"]]
                assert count["role"] == "length" and count["length_of"] == f["name"]
                assert count["default"] == 0, (s["name"], count["name"])
                pairs[(s["name"], f["name"])] = f["length"]
    assert pairs[("crm_kmeans_options", "init_centers")] == "n_init_centers"
    assert pairs[("crm_kmeans_options", "mutate")] == "n_mutate"
    assert pairs[("crm_arima_options", "fixed")] == "n_fixed"
    kmeans = {f["name"]: f for f in next(s for s in STRUCTS
                                         if s["name"] == "crm_kmeans_options")["fields"]}
    assert kmeans["n_init"]["role"] == "value" and "length_of" not in kmeans["n_init"]
    # appended after the v1.0 fields: callers compiled before it keep working
    assert list(kmeans)[-1] == "n_init_centers"


def test_progress_fields_share_one_typedef():
    progress = [f for s in STRUCTS for f in s["fields"] if f["name"] == "progress"]
    assert len(progress) == 7  # kmeans, tree, forest, logreg, apriori, arima, sql
    for f in progress:
        assert f["role"] == "callback" and f["typedef"] == "crm_progress_fn"
        assert f["function_type"] == "int32_t (*)(double, void *)"
    typedef = next(t for t in IR["typedefs"] if t["name"] == "crm_progress_fn")
    assert typedef["type"] == "int32_t (*)(double, void *)"


OUTPUT_ROLES = ("handle_out", "string_out", "borrowed_string_out", "scalar_out", "array_out")


def test_every_function_with_outputs_is_checked_after_a_failure():
    """tests/check_outputs.c asserts the "Outputs after a failure" rule of crm/common.h for
    every function with an output parameter; a new one must be added there."""
    with open(os.path.join(REPO, "tests", "check_outputs.c"), encoding="utf-8") as fh:
        source = fh.read()
    with_outputs = [fn["name"] for fn in IR["functions"]
                    if any(p["role"] in OUTPUT_ROLES for p in fn["params"])]
    assert len(with_outputs) > 60
    missing = [name for name in with_outputs if name + "(" not in source]
    assert not missing, "not exercised by tests/check_outputs.c: %s" % missing


def test_output_parameters_follow_the_naming_rule():
    for fn in IR["functions"]:
        for p in fn["params"]:
            named = p["name"] == "out" or p["name"].startswith("out_")
            assert named == (p["role"] in OUTPUT_ROLES), (fn["name"], p["name"], p["role"])


def test_statuses_ownership_and_thread_safety_of_every_function():
    statuses = ENUMS["crm_status"]
    for fn in IR["functions"]:
        assert fn["thread_safety"], fn["name"]
        assert fn["ownership"] or any("ownership" in e for e in fn["params"] + [fn["returns"]]), \
            fn["name"]
        if fn["returns"]["role"] == "status":
            assert fn["statuses"][0] == "CRM_OK" and len(fn["statuses"]) >= 2, fn["name"]
            assert set(fn["statuses"]) <= set(statuses), fn["name"]
        else:
            assert fn["statuses"] == [], fn["name"]
    by_name = {fn["name"]: fn for fn in IR["functions"]}
    # every function taking a progress callback documents the cancellation
    for name in ("crm_kmeans_fit", "crm_tree_fit", "crm_logreg_fit", "crm_apriori",
                 "crm_arima_fit_many"):
        assert "CRM_E_CANCELLED" in by_name[name]["statuses"], name
    assert by_name["crm_dataset_read_csv"]["statuses"][:1] == ["CRM_OK"]
    assert {"CRM_E_IO", "CRM_E_PARSE"} <= set(by_name["crm_dataset_read_csv"]["statuses"])
    assert by_name["crm_dataset_new"]["params"][0]["ownership"].startswith("caller")
