"""libcrm works without Dask; libcrm.dask says what to install (run in a child
interpreter where importing dask fails)."""

import subprocess
import sys

CHILD = r"""
import sys
sys.modules["dask"] = None          # import dask -> ImportError
sys.modules["distributed"] = None
import libcrm
assert "dask" not in libcrm.__all__
import libcrm.dask as lcd
try:
    lcd.rfm(object(), "customer", "date", amount="amount")
except ImportError as exc:
    print(exc)
else:
    raise SystemExit("no ImportError")
"""


def test_without_dask():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         check=True).stdout
    assert "install python3-dask python3-distributed" in out
