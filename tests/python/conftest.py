"""Test set-up for the Python binding.

CTest provides LIBCRM_PATH (the built libcrm.so) and PYTHONPATH
(bindings/python). When the tests are run by hand
(``python3 -m pytest tests/python`` after a build) this file fills both in:
the most recently built ``build/*/libcrm.so.1`` of this checkout, and the
package directory of this checkout.
"""

import glob
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED_DATA = os.path.join(HERE, os.pardir, os.pardir, os.pardir, "shared", "data")

if not os.environ.get("LIBCRM_PATH"):
    _built = glob.glob(os.path.join(REPO, "build", "*", "libcrm.so.1"))
    if _built:
        os.environ["LIBCRM_PATH"] = max(_built, key=os.path.getmtime)

_package_dir = os.path.join(REPO, "bindings", "python")
if _package_dir not in sys.path:
    sys.path.insert(0, _package_dir)


@pytest.fixture
def shared_data():
    """Path of ../shared/data beside the repository; skips the test without it."""
    path = os.path.normpath(SHARED_DATA)
    if not os.path.isdir(path):
        pytest.skip("shared test data not found at %s (optional; clone it beside the repo)" % path)
    return path
