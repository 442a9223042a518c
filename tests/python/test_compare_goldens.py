"""tests/reference/compare_goldens.py, the differ of scripts/regen_goldens.sh: equal
files pass, differences within a file's stated tolerance pass, anything else fails."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, os.pardir, "reference", "compare_goldens.py")


def run(tmp_path, committed, regenerated):
    a, b = tmp_path / "committed", tmp_path / "regenerated"
    for d, files in ((a, committed), (b, regenerated)):
        d.mkdir()
        for name, text in files.items():
            (d / name).write_text(text)
    p = subprocess.run([sys.executable, COMPARE, str(a), str(b)], capture_output=True, text=True)
    return p.returncode, p.stdout


FIXED = "case\tap_111_ml\ncoef\t0.86104011347072085 -0.51765893067380386\nse\t0.10667088313304918\n"
AUTO = "auto\t39\t0 0 1 2 1 0 12 1\t410.20121687673918\n"


def test_equal_files_pass(tmp_path):
    rc, out = run(tmp_path, {"arima_fixed.tsv": FIXED, "x.tsv": "a\t1\n"},
                  {"arima_fixed.tsv": FIXED, "x.tsv": "a\t1\n"})
    assert rc == 0, out
    assert "2 of 2 golden files reproduced" in out


def test_within_the_stated_tolerance_passes(tmp_path):
    # coef 2e-12 relative (rtol 1e-8), se 1.4e-8 relative (rtol 1e-6), AICc 7e-13 (1.5e-8)
    fixed = FIXED.replace("0.86104011347072085", "0.86104011347241816").replace(
        "0.10667088313304918", "0.1066708846494787")
    auto = AUTO.replace("410.20121687673918", "410.20121687703784")
    rc, out = run(tmp_path, {"arima_fixed.tsv": FIXED, "arima_generated.tsv": AUTO},
                  {"arima_fixed.tsv": fixed, "arima_generated.tsv": auto})
    assert rc == 0, out
    assert "largest difference" in out


def test_beyond_the_tolerance_fails(tmp_path):
    fixed = FIXED.replace("0.86104011347072085", "0.86105")
    rc, out = run(tmp_path, {"arima_fixed.tsv": FIXED}, {"arima_fixed.tsv": fixed})
    assert rc == 1
    assert "FAIL arima_fixed.tsv line 2: token 2" in out


def test_an_order_is_compared_exactly(tmp_path):
    # the machine-dependent series 39: R's default search on a host where Gardner fails
    auto = "auto\t39\t2 0 0 2 1 0 12 1\t411.79764535547645\n"
    rc, out = run(tmp_path, {"arima_generated.tsv": AUTO}, {"arima_generated.tsv": auto})
    assert rc == 1
    assert "token 3: '0' vs '2'" in out


@pytest.mark.parametrize("line", ["mean\t1.0000000000000002\n", "# pandas 1.5.3\n"])
def test_a_file_without_tolerance_must_be_equal(tmp_path, line):
    other = line.replace("1.0000000000000002", "1.0").replace("1.5.3", "2.0.0")
    rc, out = run(tmp_path, {"csv_summary.tsv": line}, {"csv_summary.tsv": other})
    assert rc == 1
    assert "no tolerance for this line" in out


def test_a_golden_nobody_regenerates_fails(tmp_path):
    rc, out = run(tmp_path, {"a.tsv": "x\n", "orphan.tsv": "y\n"}, {"a.tsv": "x\n"})
    assert rc == 1
    assert "orphan.tsv: committed but not regenerated" in out


def test_a_new_file_that_is_not_committed_fails(tmp_path):
    rc, out = run(tmp_path, {"a.tsv": "x\n"}, {"a.tsv": "x\n", "new.tsv": "y\n"})
    assert rc == 1
    assert "new.tsv: regenerated but not committed" in out
