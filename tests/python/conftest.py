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


@pytest.fixture
def shared_data():
    """Path of the shared data folder; cannot_run() without it."""
    return shared_path()


def pytest_sessionfinish(session, exitstatus):
    status = os.environ.get("CRM_PYTEST_SKIP_STATUS")
    if status and _parity_skips and exitstatus == 0:
        session.exitstatus = int(status)


def pytest_terminal_summary(terminalreporter):
    if _parity_skips:
        terminalreporter.write_line("%d parity test(s) skipped: %s" % (
            len(_parity_skips), "; ".join(sorted(set(_parity_skips)))))
