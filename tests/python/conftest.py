"""Test set-up for the Python binding.

CTest provides LIBCRM_PATH (the built libcrm.so) and PYTHONPATH
(bindings/python). When the tests are run by hand
(``python3 -m pytest tests/python`` after a build) this file fills both in:
the most recently built ``build/*/libcrm.so.1`` of this checkout, and the
package directory of this checkout.

Parity tests need ../shared/data (or $CRM_SHARED_DATA_DIR) and reference tools
(scikit-learn). Without them such a test is skipped (reported as a skip), and
with CI=true in the environment it fails instead: CI must run them. Under
CTest (CRM_PYTEST_SKIP_STATUS=77) a session that skipped a parity test and
failed none exits 77, which CTest reports as "Skipped", not "Passed".
"""

import glob
import importlib
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED_DATA = os.environ.get("CRM_SHARED_DATA_DIR") or os.path.join(
    HERE, os.pardir, os.pardir, os.pardir, "shared", "data")

if not os.environ.get("LIBCRM_PATH"):
    _built = glob.glob(os.path.join(REPO, "build", "*", "libcrm.so.1"))
    if _built:
        os.environ["LIBCRM_PATH"] = max(_built, key=os.path.getmtime)

_package_dir = os.path.join(REPO, "bindings", "python")
if _package_dir not in sys.path:
    sys.path.insert(0, _package_dir)

_parity_skips = []
_parity = {}


def in_ci():
    """CI=true (or 1) in the environment."""
    return os.environ.get("CI", "").lower() in ("true", "1")


def cannot_run(why):
    """A parity test cannot run: a failure under CI=true, a skip otherwise."""
    if in_ci():
        pytest.fail("%s (CI=true: parity tests must run)" % why, pytrace=False)
    _parity_skips.append(why)
    pytest.skip(why)


def shared_path(*parts):
    """Path of a file under the shared data; cannot_run() when it is absent."""
    path = os.path.normpath(os.path.join(SHARED_DATA, *parts))
    if not os.path.exists(path):
        cannot_run("shared test data not found: %s (clone it beside the repository or set "
                   "CRM_SHARED_DATA_DIR)" % path)
    return path


def require(module):
    """Import a reference tool's module; cannot_run() when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        cannot_run("reference module %s not importable (%s); Debian: scripts/deps.sh ci"
                   % (module, e))


def parity(what, got, want, rel_tol=0.0, abs_tol=0.0):
    """Assert |got - want| <= abs_tol + rel_tol * |want| for each value of a compared
    quantity of a parity test, and record the largest difference (relative when rel_tol
    is given, else absolute), printed at the end of the session as the C parity suites
    print theirs. Lists are compared element by element."""
    gots = list(got) if isinstance(got, (list, tuple)) else [got]
    wants = list(want) if isinstance(want, (list, tuple)) else [want]
    assert len(gots) == len(wants), "%s: %d values, reference %d" % (what, len(gots), len(wants))
    for g, w in zip(gots, wants):
        d = 0.0 if g == w else abs(g - w)
        used = d / abs(w) if rel_tol and w != 0 else d
        n, worst, _, _ = _parity.get(what, (0, 0.0, rel_tol, abs_tol))
        _parity[what] = (n + 1, max(worst, used), rel_tol, abs_tol)
        assert d <= abs_tol + rel_tol * abs(w), "%s: %r vs reference %r (difference %.3g)" % (
            what, g, w, d)


@pytest.fixture
def shared_data():
    """Path of the shared data folder; cannot_run() without it."""
    return shared_path()


def pytest_sessionfinish(session, exitstatus):
    status = os.environ.get("CRM_PYTEST_SKIP_STATUS")
    if status and _parity_skips and exitstatus == 0:
        session.exitstatus = int(status)


def pytest_terminal_summary(terminalreporter):
    for what in sorted(_parity):
        n, worst, rel_tol, abs_tol = _parity[what]
        terminalreporter.write_line(
            "parity: %s: %d value%s, largest difference %.2g (tolerance %s)" % (
                what, n, "" if n == 1 else "s", worst,
                "%g relative" % rel_tol if rel_tol else "%g absolute" % abs_tol))
    if _parity_skips:
        terminalreporter.write_line("%d parity test(s) skipped: %s" % (
            len(_parity_skips), "; ".join(sorted(set(_parity_skips)))))
