"""The binding generator on modified copies of the headers: errors, constants, drift."""

import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(shutil.which((os.environ.get("CC") or "cc").split()[0]) is None,
                                reason="the generator needs a C compiler (cc)")


@pytest.fixture
def tree(tmp_path):
    """A copy of the headers, the generator and its outputs."""
    shutil.copytree(os.path.join(REPO, "include"), tmp_path / "include")
    (tmp_path / "bindings" / "python" / "libcrm").mkdir(parents=True)
    (tmp_path / "lib").mkdir()
    for rel in ("bindings/gen.py", "bindings/crm-api.json", "bindings/python/libcrm/_capi.py",
                "lib/libcrm.symbols"):
        shutil.copy(os.path.join(REPO, rel), tmp_path / rel)
    return tmp_path


def gen(tree, *args):
    return subprocess.run([sys.executable, str(tree / "bindings" / "gen.py"), *args],
                          capture_output=True, text=True)


def add_declarations(tree, text):
    """Insert `text` into crm/synth.h just before CRM_END_DECL; return its first line."""
    path = tree / "include" / "crm" / "synth.h"
    source = path.read_text()
    head, tail = source.rsplit("CRM_END_DECL", 1)
    path.write_text(head + text + "\nCRM_END_DECL" + tail)
    return head.count("\n") + 1


@pytest.mark.parametrize("declaration, expected", [
    ("CRM_API crm_status crm_bad_long(const crm_dataset *ds, long n);", "'long'"),
    ("CRM_API crm_status crm_bad_varargs(const char *fmt, ...);", "variadic"),
    ("CRM_API crm_status crm_bad_byvalue(crm_csv_options opts);", "by value"),
    ("CRM_API crm_status crm_bad_array(const double values[4]);", "arrays"),
    ("CRM_API int32_t crm_bad_empty();", "(void)"),
    ("typedef enum crm_bad_enum { CRM_BAD_A = 1, CRM_BAD_B } crm_bad_enum;", "explicit value"),
    ("typedef struct crm_bad_options { int32_t k; } crm_bad_options;", "size_t size"),
    ("typedef struct crm_bad_handle crm_bad_handle;", "crm_bad_handle_free"),
    ("typedef union crm_bad_union { int32_t a; } crm_bad_union;", "union"),
    ("CRM_API unsigned crm_bad_unsigned(void);", "'unsigned'"),
    ("CRM_API crm_status crm_bad_unknown(FILE *f);", "unknown type 'FILE'"),
])
def test_outside_the_subset_stops_with_a_located_error(tree, declaration, expected):
    line = add_declarations(tree, declaration)
    proc = gen(tree, "--no-clang")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "include/crm/synth.h:%d:" % line in proc.stderr
    assert expected in proc.stderr
    name = declaration.split("crm_bad_")[1].split("(")[0].split(" ")[0]
    assert "crm_bad_" + name in proc.stderr


def test_constants_and_new_declarations(tree):
    add_declarations(tree, "\n".join([
        "/** A float. */",
        "#define CRM_TEST_FLOAT 1e-4",
        '#define CRM_TEST_STRING "a\\x41\\n"',
        "#define CRM_TEST_EXPR (1 << 4 | CRM_VERSION_MAJOR)",
        "#define CRM_TEST_INIT { 0 }",
        "#define CRM_TEST_FN(x) (x)",
        "#define CRM_TEST_CHAR ';'",
        "/** Options. */",
        "typedef struct crm_thing_options {",
        "    size_t size;          /**< set by init */",
        "    int32_t init;         /**< @type[enum] crm_type; how to start; default",
        "                               CRM_TYPE_TEXT */",
        "    int32_t n_init;       /**< restarts (not a count of a pointer field); 3 (default) */",
        "    const double *w;      /**< weights, or NULL (default) */",
        "    int64_t n_w;          /**< number of weights; default 0 */",
        "    int (*progress)(double fraction, void *user); /**< callback; default NULL */",
        "    void *user;           /**< for progress; default NULL */",
        "    double tol;           /**< tolerance; default sqrt(DBL_EPSILON) */",
        "    int32_t sep;          /**< separator byte; default ';' */",
        "} crm_thing_options;",
        "/**",
        " * Init.",
        " * @return CRM_OK, CRM_E_INVALID (opts NULL)",
        " * Ownership: opts is the caller's.",
        " * Thread-safety: safe from any thread.",
        " */",
        "CRM_API crm_status crm_thing_options_init(crm_thing_options *opts, size_t size);",
        "/** A handle. */",
        "typedef struct crm_thing crm_thing;",
        "/**",
        " * Free it. @param[in] t thing",
        " * Ownership: t is released.",
        " * Thread-safety: no other thread may use t.",
        " */",
        "CRM_API void crm_thing_free(crm_thing *t);",
        "/**",
        " * Make things.",
        " * @param[in]  names  names",
        " * @param[in]  n      how many",
        " * @param[out] out_a  first",
        " * @param[out] out_b  second",
        " * @return CRM_OK; CRM_E_NOTFOUND (no such name); CRM_E_NOMEM;",
        " *         CRM_E_NOTFOUND again.",
        " * Ownership: the caller frees both with crm_thing_free().",
        " * Thread-safety: safe from any thread;",
        " *   names are only read.",
        " * @since 1.1",
        " */",
        "CRM_API crm_status crm_thing_pair(const char *const *names, size_t n, "
        "crm_thing **out_a, crm_thing **out_b);",
        "/**",
        " * Seeded.",
        " * @return the value (cannot fail). Ownership: nothing changes hands.",
        " * Thread-safety: safe.",
        " */",
        "CRM_API int64_t crm_thing_seeded(uint64_t seed, crm_type kind, const int32_t *flags, "
        "size_t nflags, const char *label, const char *data, size_t len);",
    ]))
    proc = gen(tree)
    assert proc.returncode == 0, proc.stderr
    ir = json.loads((tree / "bindings" / "crm-api.json").read_text())
    consts = {c["name"]: c["value"] for c in ir["constants"]}
    assert consts["CRM_TEST_FLOAT"] == 1e-4
    assert consts["CRM_TEST_STRING"] == "aA\n"
    assert consts["CRM_TEST_EXPR"] == 17
    assert "CRM_TEST_INIT" not in consts and "CRM_TEST_FN" not in consts
    assert consts["CRM_TEST_CHAR"] == ord(";")
    fields = {f["name"]: f for f in next(s for s in ir["structs"]
                                         if s["name"] == "crm_thing_options")["fields"]}
    assert fields["init"]["enum"] == "crm_type" and fields["n_init"]["role"] == "value"
    assert fields["w"]["length"] == "n_w" and fields["n_w"]["length_of"] == "w"
    assert fields["progress"]["type"] == "int (*)(double, void *)"
    assert fields["user"]["role"] == "user_data"
    # defaults from the docs, layout from the compiler (x86-64 LP64)
    assert [(f["name"], f.get("default"), f.get("default_name")) for f in fields.values()] == [
        ("size", None, None), ("init", 2, "CRM_TYPE_TEXT"), ("n_init", 3, None),
        ("w", None, None), ("n_w", 0, None), ("progress", None, None), ("user", None, None),
        ("tol", 2.0 ** -26, None), ("sep", ord(";"), None)]
    assert "default" not in fields["size"] and "default" in fields["w"]
    assert [f["offset"] for f in fields.values()] == [0, 8, 12, 16, 24, 32, 40, 48, 56]
    thing = next(s for s in ir["structs"] if s["name"] == "crm_thing_options")
    assert (thing["size"], thing["align"]) == (64, 8) and ir["abi"] == "x86_64-linux-gnu"
    # exact C types of integers and NUL-termination of strings, for every binding's checks
    assert fields["init"]["integer"] == {"c_type": "int32_t", "signed": True, "bits": 32,
                                         "min": "INT32_MIN", "max": "INT32_MAX"}
    assert fields["n_w"]["integer"] == {"c_type": "int64_t", "signed": True, "bits": 64,
                                        "min": "INT64_MIN", "max": "INT64_MAX"}
    assert fields["size"]["integer"] == {"c_type": "size_t", "signed": False, "bits": None,
                                         "min": "0", "max": "SIZE_MAX"}
    assert "integer" not in fields["w"] and "element" not in fields["w"]
    assert "integer" not in fields["progress"] and "nul_terminated" not in fields["user"]
    fn = next(f for f in ir["functions"] if f["name"] == "crm_thing_pair")
    assert fn["since"] == "1.1" and fn["kind"] == "constructor"
    assert fn["statuses"] == ["CRM_OK", "CRM_E_NOTFOUND", "CRM_E_NOMEM"]
    assert fn["ownership"] == "the caller frees both with crm_thing_free()."
    assert fn["thread_safety"] == "safe from any thread; names are only read."
    assert [(p["role"], p["direction"]) for p in fn["params"]] == [
        ("string_array", "in"), ("length", "in"), ("handle_out", "out"), ("handle_out", "out")]
    assert fn["params"][2]["free"] == "crm_thing_free"
    assert fn["params"][0]["nul_terminated"] is True
    assert fn["params"][1]["integer"]["c_type"] == "size_t"
    seeded = next(f for f in ir["functions"] if f["name"] == "crm_thing_seeded")
    params = {p["name"]: p for p in seeded["params"]}
    assert params["seed"]["integer"] == {"c_type": "uint64_t", "signed": False, "bits": 64,
                                         "min": "0", "max": "UINT64_MAX"}
    assert params["kind"]["integer"]["c_type"] == "crm_type"
    assert params["kind"]["enum"] == "crm_type"
    assert params["flags"]["element"]["c_type"] == "int32_t"
    assert params["label"]["nul_terminated"] is True
    assert params["data"]["nul_terminated"] is False and params["data"]["role"] == "buffer"
    assert seeded["returns"]["integer"]["c_type"] == "int64_t"
    assert seeded["statuses"] == [] and seeded["ownership"] is None
    assert seeded["returns"]["ownership"] == "nothing changes hands."
    symbols = (tree / "lib" / "libcrm.symbols").read_text().split()
    assert symbols == sorted(symbols) and "crm_thing_pair" in symbols
    capi = (tree / "bindings" / "python" / "libcrm" / "_capi.py").read_text()
    assert "POINTER(POINTER(crm_thing))" in capi and "CRM_TEST_STRING = 'aA\\n'" in capi
    assert "('progress', CFUNCTYPE(c_int, c_double, c_void_p))," in capi
    assert "_enums_ = {'init': crm_type}" in capi
    # the generated layer checks them: struct fields on assignment, arguments before the call
    assert ("_integers_ = {'size': 'size_t', 'init': 'int32_t', 'n_init': 'int32_t', "
            "'n_w': 'int64_t',\n                  'sep': 'int32_t'}") in capi
    assert "(1, 'n', 'size_t')," in capi and "(0, 'names', 'string_array')," in capi
    assert "(0, 'seed', 'uint64_t'),\n        (1, 'kind', 'crm_type'),\n" in capi
    assert "(2, 'flags', 'int32_t[]'),\n        (3, 'nflags', 'size_t'),\n" in capi
    assert "(4, 'label', 'string'),\n        (6, 'len', 'size_t'),\n    ]" in capi
    assert "'crm_type': IntegerType('crm_type', True, 32, c_int)," in capi


def test_check_reports_drift_with_a_diff(tree):
    assert gen(tree, "--check", "--no-clang").returncode == 0
    path = tree / "include" / "crm" / "dataset.h"
    path.write_text(path.read_text().replace("Number of columns.", "How many columns."))
    proc = gen(tree, "--check", "--no-clang")
    assert proc.returncode == 1
    assert "+++ b/bindings/crm-api.json" in proc.stdout
    assert "+    How many columns." in proc.stdout  # the docstring in _capi.py
    assert gen(tree, "--no-clang").returncode == 0
    assert gen(tree, "--check", "--no-clang").returncode == 0


def test_output_is_reproducible(tree):
    before = {rel: (tree / rel).read_bytes() for rel in (
        "bindings/crm-api.json", "bindings/python/libcrm/_capi.py", "lib/libcrm.symbols")}
    (tree / "bindings" / "crm-api.json").unlink()
    assert gen(tree, "--no-clang").returncode == 0
    assert gen(tree, "--no-clang").returncode == 0
    for rel, data in before.items():
        assert (tree / rel).read_bytes() == data, rel


def test_param_direction_contradicting_the_type_is_an_error(tree):
    add_declarations(tree, "/** Bad. @param[out] ds dataset */\n"
                           "CRM_API crm_status crm_bad_dir(const crm_dataset *ds);")
    proc = gen(tree, "--no-clang")
    assert proc.returncode == 2 and "crm_bad_dir" in proc.stderr and "@param[out]" in proc.stderr


@pytest.mark.parametrize("declaration, expected", [
    # an integer holding an enum value must carry the tag, so bindings can map member names
    ("typedef struct crm_bad_options {\n    size_t size; /**< set by init */\n"
     "    int32_t kind; /**< a crm_type; default CRM_TYPE_TEXT */\n} crm_bad_options;\n"
     "/** Init. */\n"
     "CRM_API crm_status crm_bad_options_init(crm_bad_options *opts, size_t size);",
     "lacks the tag; write '@type[enum] crm_type'"),
    ("/** Kind. @param[in] kind a crm_type value */\n"
     "CRM_API crm_status crm_bad_param(int32_t kind);",
     "parameter kind is int32_t and its doc names the enum crm_type"),
    # every options field documents its default, and the default fits the field
    ("typedef struct crm_bad_options {\n    size_t size; /**< set by init */\n"
     "    int32_t k; /**< clusters */\n} crm_bad_options;\n/** Init. */\n"
     "CRM_API crm_status crm_bad_options_init(crm_bad_options *opts, size_t size);",
     "field k has no default in its doc"),
    ("typedef struct crm_bad_options {\n    size_t size; /**< set by init */\n"
     "    int32_t k; /**< clusters; default 2.5 */\n} crm_bad_options;\n/** Init. */\n"
     "CRM_API crm_status crm_bad_options_init(crm_bad_options *opts, size_t size);",
     "default 2.5 is not an integer"),
    ("typedef struct crm_bad_options {\n    size_t size; /**< set by init */\n"
     "    int32_t kind; /**< @type[enum] crm_type; default CRM_JOIN_LEFT */\n"
     "} crm_bad_options;\n/** Init. */\n"
     "CRM_API crm_status crm_bad_options_init(crm_bad_options *opts, size_t size);",
     "is not a member of crm_type"),
    ("typedef struct crm_bad_options {\n    size_t size; /**< set by init */\n"
     "    const char *name; /**< a column; default 0 */\n} crm_bad_options;\n/** Init. */\n"
     "CRM_API crm_status crm_bad_options_init(crm_bad_options *opts, size_t size);",
     "does not fit the pointer type"),
])
def test_untagged_enums_and_missing_defaults_are_located_errors(tree, declaration, expected):
    line = add_declarations(tree, declaration)
    proc = gen(tree, "--no-clang")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr
    lines = range(line, line + declaration.count("\n") + 1)  # the field's or @param's line
    assert any("include/crm/synth.h:%d:" % k in proc.stderr for k in lines), proc.stderr
    assert "in the declaration of crm_bad_" in proc.stderr


@pytest.mark.parametrize("declaration, expected", [
    ("/** Count. @param[in] ds data @param[out] rows number of rows */\n"
     "CRM_API crm_status crm_bad_count(const crm_dataset *ds, size_t *rows);",
     "output parameter rows (scalar_out) must be named out or out_<what>, e.g. out_rows"),
    ("/** Copy. @param[in] ds data @param[out] copy the copy */\n"
     "CRM_API crm_status crm_bad_copy(const crm_dataset *ds, crm_dataset **copy);",
     "output parameter copy (handle_out) must be named out"),
    ("/** Name. @param[in] ds data @param[in] out_name a name */\n"
     "CRM_API crm_status crm_bad_name(const crm_dataset *ds, const char *out_name);",
     "parameter out_name is named as an output but is string"),
])
def test_output_parameters_follow_the_naming_rule(tree, declaration, expected):
    line = add_declarations(tree, declaration)
    proc = gen(tree, "--no-clang")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "include/crm/synth.h:%d:" % line in proc.stderr and expected in proc.stderr


@pytest.mark.parametrize("doc, expected", [
    ("/**\n * Count.\n * @return the count\n * Ownership: none.\n * Thread-safety: safe.\n */",
     "@return must list the statuses"),
    ("/**\n * Count.\n * @return CRM_OK; CRM_E_WRONG (x)\n * Ownership: none.\n"
     " * Thread-safety: safe.\n */", "CRM_E_WRONG, which is not a crm_status value"),
    ("/**\n * Count.\n * @return CRM_OK\n * Ownership: none.\n */",
     "no 'Thread-safety: ...' paragraph"),
    ("/**\n * Count.\n * @return CRM_OK\n * Thread-safety: safe.\n */",
     "says nothing about ownership"),
])
def test_statuses_ownership_and_thread_safety_are_documented(tree, doc, expected):
    add_declarations(tree, doc + "\nCRM_API crm_status crm_bad_doc(const crm_dataset *ds);")
    proc = gen(tree, "--no-clang")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "crm_bad_doc" in proc.stderr and expected in proc.stderr


def test_check_reports_and_run_removes_files_no_emitter_writes(tree):
    """A file that says it is generated but that no emitter writes any more (the class
    of a removed struct, say) is stale: --check fails naming it, a run removes it;
    hand-written files beside it are left alone."""
    orphan = tree / "bindings" / "java" / "src" / "CrmGone.java"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("// Generated by bindings/gen.py (bindings/java/emit.py) from "
                      "bindings/crm-api.json.\nclass CrmGone {}\n")
    hand = tree / "bindings" / "java" / "src" / "Hand.java"
    hand.write_text("// Written by hand; bindings/gen.py does not touch it.\nclass Hand {}\n")
    checked = gen(tree, "--check", "--no-clang")
    assert checked.returncode == 1
    assert "bindings/java/src/CrmGone.java" in checked.stdout + checked.stderr
    ran = gen(tree, "--no-clang")
    assert ran.returncode == 0, ran.stderr
    assert not orphan.exists()
    assert hand.exists()
    assert gen(tree, "--check", "--no-clang").returncode == 0
