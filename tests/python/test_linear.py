"""LogisticRegression, LinearRegression and the metric functions through Python."""

import math

import pytest

import libcrm
from conftest import parity, shared_path
from libcrm import Dataset


def churn_table():
    tenure, plan, churn = [], [], []
    for i in range(60):
        t = (i * 7) % 24
        tenure.append(float(t))
        plan.append("premium" if i % 3 == 0 else "basic")
        c = (t < 8 and i % 4 != 1) or (t >= 8 and i % 5 == 0)
        churn.append("Yes" if c else "No")
    return Dataset.from_columns({"tenure": tenure, "plan": plan, "churn": churn})


def test_trend():
    ds = Dataset.from_columns({"x": [1.0, 2, 3, 4, 5], "y": [100.0, 120, 130, 140, 150]})
    m = libcrm.LinearRegression().fit(ds, "y", ["x"])
    coef = m.coefficients()
    assert coef["intercept"]["estimate"] == pytest.approx(92, abs=1e-12)
    assert coef["x"]["estimate"] == pytest.approx(12, abs=1e-12)
    assert coef["x"]["std_error"] == pytest.approx(1.1547005383792512, rel=1e-12)
    assert m.stat("r2") == pytest.approx(0.972972972972973, rel=1e-14)
    assert m.predict(ds)["prediction"][2] == pytest.approx(128, abs=1e-12)


def test_logistic_fit_predict_summary_json(tmp_path):
    ds = churn_table()
    m = libcrm.LogisticRegression(positive="Yes").fit(ds, "churn", ["tenure", "plan"])
    assert isinstance(m, libcrm.Model)
    s = m.summary()
    assert s.columns == ["term", "estimate", "std_error", "z", "p_value", "odds_ratio",
                         "ci_low", "ci_high", "or_ci_low", "or_ci_high"]
    assert s["term"] == ["intercept", "tenure", "plan=premium"]
    for est, orr in zip(s["estimate"], s["odds_ratio"]):
        assert orr == pytest.approx(math.exp(est), rel=1e-14)
    assert m.stat("converged") == 1
    assert m.stats()["n_rows"] == 60
    m.predict(ds, "p")
    assert set(ds["p"]) == {"Yes", "No"}
    proba = ds["p_proba"]
    assert all(0 < p < 1 for p in proba)
    assert [("Yes" if p > 0.5 else "No") for p in proba] == ds["p"]
    path = str(tmp_path / "m.json")
    m.save(path)
    again = libcrm.load_model(path)
    assert isinstance(again, libcrm.LogisticRegression)
    again.predict(ds, "q")
    assert ds["q_proba"] == proba  # bit-identical
    metrics = libcrm.classification_metrics(ds, "churn", "p_proba", positive="Yes")
    assert 0.5 < metrics["auc"] <= 1
    assert metrics["tp"] + metrics["fp"] + metrics["tn"] + metrics["fn"] == 60


def test_options_by_name():
    ds = churn_table()
    a = libcrm.LogisticRegression(positive="Yes", l2=1.0, class_weight="balanced",
                                  solver="newton", standardize=True).fit(ds, "churn", ["tenure", "plan"])
    b = libcrm.LogisticRegression(positive="Yes", l2=1.0, class_weight="balanced",
                                  solver="lbfgs", standardize=True, tol=1e-12).fit(ds, "churn", ["tenure", "plan"])
    for ea, eb in zip(a.summary()["estimate"], b.summary()["estimate"]):
        assert ea == pytest.approx(eb, abs=1e-6)
    assert a.summary()["std_error"][1] is None  # NaN (no standard error) reads as missing
    calls = []
    with pytest.raises(libcrm.CancelledError):
        libcrm.LogisticRegression(positive="Yes", progress=lambda f: calls.append(f) or True).fit(
            ds, "churn", ["tenure", "plan"])
    assert len(calls) == 1
    with pytest.raises(ValueError):
        libcrm.LogisticRegression(solver="sgd")._build_options()


def test_bad_input():
    ds = Dataset.from_columns({"x": [1.0, 2, 3, 4, 5, 6], "y": [0.0, 0, 0, 1, 1, 1],
                               "c": [2.0] * 6, "t": ["a", "b", "c", "a", "b", "c"]})
    with pytest.raises(libcrm.NumericError, match="separation"):
        libcrm.LogisticRegression().fit(ds, "y", ["x"])
    with pytest.raises(libcrm.NumericError, match='"c"'):
        libcrm.LinearRegression().fit(ds, "x", ["c"])
    with pytest.raises(libcrm.InvalidError, match="3 classes"):
        libcrm.LogisticRegression().fit(ds, "t", ["x"])
    with pytest.raises(libcrm.NotFoundError):
        libcrm.LogisticRegression().fit(ds, "y", ["nope"])
    with pytest.raises(libcrm.CrmTypeError):
        libcrm.LinearRegression().fit(ds, "t", ["x"])


def test_regression_metrics():
    ds = Dataset.from_columns({"y": [1.0, 2, 4], "p": [1.5, 2, 3]})
    r = libcrm.regression_metrics(ds, "y", "p")
    assert r["mae"] == pytest.approx(0.5, rel=1e-15)
    assert r["rmse"] == pytest.approx(math.sqrt(1.25 / 3), rel=1e-15)


def test_telco_statsmodels():
    telco = shared_path("telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv")
    ds = Dataset.read_csv(telco).filter("TotalCharges is not missing")
    m = libcrm.LogisticRegression(positive="Yes").fit(
        ds, "Churn", ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen", "Contract",
                      "InternetService", "PaymentMethod", "PaperlessBilling"])
    # statsmodels (tests/reference/golden/linear_telco.tsv); measured 0 and 1.9e-15
    parity("Telco logit loglik vs statsmodels", m.stat("loglik"), -2967.5727773154576,
           rel_tol=1e-15)
    parity("Telco logit Contract=Two year vs statsmodels",
           m.coefficients()["Contract=Two year"]["estimate"], -1.523560019345992, rel_tol=1e-14)
