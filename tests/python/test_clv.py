"""libcrm.clv_summary and libcrm.Clv through Python: the golden transactions'
summary table against the Python reference's, the fit against the scipy
reference (tests/reference/clv_reference.py), predict, save/load, errors."""

import csv
import datetime
import math
import os

import pytest

import libcrm
from libcrm import Dataset

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "golden")


def golden_fit():
    rows = {}
    with open(os.path.join(GOLDEN, "clv_fit.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] in ("bgnbd", "gg"):
                rows[parts[0]] = [float(v) for v in parts[1:]]
    return rows


def test_summary_matches_reference():
    tx = Dataset.read_csv(os.path.join(GOLDEN, "clv_tx.csv"))
    s = libcrm.clv_summary(tx, "customer", "date", "amount",
                           calibration_end=datetime.datetime(2021, 6, 30, 23, 59, 59,
                                                             tzinfo=datetime.timezone.utc),
                           observation_end=datetime.date(2021, 12, 31)).to_columns()
    with open(os.path.join(GOLDEN, "clv_tx_summary.csv")) as f:
        want = list(csv.DictReader(f))
    assert s["customer"] == [w["customer"] for w in want]
    for col in ("frequency", "recency", "T", "monetary", "frequency_holdout",
                "monetary_holdout", "duration_holdout"):
        for got, w in zip(s[col], want):
            assert got == pytest.approx(float(w[col]), rel=1e-13, abs=0)


def test_fit_predict_save_load(tmp_path):
    summary = Dataset.read_csv(os.path.join(GOLDEN, "clv_sim.csv"))
    m = libcrm.Clv(period="week").fit(summary)
    ref = golden_fit()
    p = m.params
    for k, want in zip(("r", "alpha", "a", "b"), ref["bgnbd"]):
        assert p[k] == pytest.approx(want, rel=1e-6)
    for k, want in zip(("p", "q", "v"), ref["gg"]):
        assert p[k] == pytest.approx(want, rel=1e-6)
    assert m.stat("loglik_bgnbd") == pytest.approx(ref["bgnbd"][4], rel=1e-11)
    assert m.stat("converged_bgnbd") == 1 and m.stat("converged_gamma_gamma") == 1
    assert m.stat("periods_per_month") == 4.345
    assert m.kind_name == "clv"
    terms = m.summary().to_columns()
    assert terms["term"] == ["r", "alpha", "a", "b", "p", "q", "v"]
    assert all(se > 0 for se in terms["std_error"])
    m.predict(summary)
    cols = summary.to_columns()
    assert {"clv", "p_alive", "expected_purchases", "expected_spend"} <= set(cols)
    assert all(0 <= v <= 1 for v in cols["p_alive"])
    path = str(tmp_path / "clv.json")
    m.save(path)
    again = libcrm.load_model(path)
    assert isinstance(again, libcrm.Clv)
    s2 = Dataset.read_csv(os.path.join(GOLDEN, "clv_sim.csv"))
    again.predict(s2, "value")
    assert s2.to_columns()["value"] == cols["clv"]


def test_errors():
    once = Dataset.from_columns({"frequency": [0.0, 0.0], "recency": [0.0, 0.0],
                                 "T": [5.0, 3.0], "monetary": [0.0, 0.0]})
    with pytest.raises(libcrm.InvalidError, match="no customer with repeat purchases"):
        libcrm.Clv().fit(once)
    bad = Dataset.from_columns({"frequency": [1.0, 2.0], "recency": [6.0, 1.0],
                                "T": [5.0, 3.0], "monetary": [2.0, 3.0]})
    with pytest.raises(libcrm.InvalidError, match="less than the recency"):
        libcrm.Clv().fit(bad)
    with pytest.raises(ValueError):
        libcrm.Clv(period="month").fit(bad)
    with pytest.raises(libcrm.InvalidError):
        libcrm.Clv(l2=-1.0).fit(bad)
    with pytest.raises(TypeError):
        libcrm.clv_summary([], "c", "d", "a")


def test_fixed_dropout_boundary_predictions_finite():
    # the reported defect: a small shop (synth 200 customers, 400 days, cleaned as the
    # demo does) fits a, b ~ 1e6-1e7; every expected_purchases used to be NaN
    tx = libcrm.synth(customers=200, days=400)
    tx = tx.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0"
                   " and not startswith(InvoiceNo, 'C')")
    tx.mutate("Amount", "Quantity * UnitPrice")
    tx.dedup()
    s = libcrm.clv_summary(tx, "CustomerID", "InvoiceDate", "Amount")
    m = libcrm.Clv().fit(s)
    a, b = m.params["a"], m.params["b"]
    assert math.isfinite(a) and math.isfinite(b) and a + b > 1e6
    assert m.stat("dropout_rate_fixed") == 1
    assert m.stat("dropout_rate") == pytest.approx(a / (a + b), rel=1e-15)
    m.predict(s)
    cols = s.to_columns()
    for c in ("clv", "p_alive", "expected_purchases", "expected_spend"):
        assert all(math.isfinite(v) and v >= 0 for v in cols[c]), c
