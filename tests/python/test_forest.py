"""RandomForest through Python: fit, predict, OOB error, importances, trees and bags, options
by name, JSON round trip, errors; and 5-fold cross-validated accuracy and AUC on Telco and a
generated dataset against scikit-learn and R ranger (goldens from tests/reference/
forest_reference.py and forest_ranger.R)."""

import csv
import math
import os

import pytest

import libcrm
from conftest import parity, shared_path
from libcrm import Dataset

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "reference",
                      "golden")
NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
TEXT = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines", "InternetService",
        "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV",
        "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod"]


def small():
    xs = [float(i) for i in range(60)]
    return Dataset.from_columns({
        "x": xs,
        "seg": ["a", "b", "c"] * 20,
        "churn": ["yes" if x >= 30 else "no" for x in xs],
        "spend": [2.0 * x for x in xs],
    })


def test_fit_predict_oob():
    ds = small()
    f = libcrm.RandomForest(n_trees=25, seed=3).fit(ds, "churn", ["x", "seg"])
    assert isinstance(f, libcrm.RandomForest)
    assert f.n_trees == 25
    assert f.stat("mtry") == 1
    assert f.stat("oob_error") <= 0.05
    f.predict(ds)
    assert ds["prediction"] == ds["churn"]
    assert f.feature_importances["x"] > 0.9
    assert f.permutation_importances is None
    f.oob_predict(ds, "oob")
    assert sum(p != y for p, y in zip(ds["oob"], ds["churn"]) if p is not None) == round(
        f.stat("oob_error") * f.stat("oob_rows"))
    tree = f.tree(0)
    assert isinstance(tree, libcrm.DecisionTree)
    assert tree.rules().startswith("if ")
    bag = f.bag(0)
    assert len(bag) == 60 and sum(bag) == 60
    summary = f.summary().to_columns()
    assert summary["tree"] == [float(t) for t in range(25)]
    g = libcrm.Model.from_json(f.to_json())
    assert isinstance(g, libcrm.RandomForest)
    assert g.to_json() == f.to_json()


def test_regression_options_errors():
    ds = small()
    f = libcrm.RandomForest(n_trees=20, mtry=None, max_depth=None, replace=False,
                            sample_fraction=0.7, importance="permutation",
                            n_threads=2).fit(ds, "spend", ["x", "seg"])
    assert f.stat("regression") == 1
    assert f.stat("oob_score") > 0.95
    assert f.permutation_importances["x"] > f.permutation_importances["seg"]
    with pytest.raises(ValueError):
        libcrm.RandomForest(importance="gain")._build_options()
    with pytest.raises(libcrm.InvalidError):
        libcrm.RandomForest(n_trees=0).fit(ds, "churn", ["x"])
    with pytest.raises(libcrm.NotFoundError):
        libcrm.RandomForest().fit(ds, "nope", ["x"])
    calls = []

    def cancel(frac):
        calls.append(frac)
        return True
    with pytest.raises(libcrm.CancelledError):
        libcrm.RandomForest(n_trees=50, n_threads=1, progress=cancel).fit(ds, "churn", ["x"])
    assert calls


def golden(name):
    with open(os.path.join(GOLDEN, name)) as f:
        return {r["dataset"]: r for r in csv.DictReader(f, delimiter="\t")}


def auc(y, p):
    pairs = sorted(zip(p, y))
    ranks = [0.0] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2.0 + 1.0
        i = j + 1
    n1 = sum(1 for _, yy in pairs if yy == 1)
    n0 = len(pairs) - n1
    s = sum(r for r, (_, yy) in zip(ranks, pairs) if yy == 1)
    return (s - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def telco_columns():
    ds = Dataset.read_csv(shared_path("telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    cols = ds.to_columns()
    keep = [i for i, v in enumerate(cols["TotalCharges"]) if v is not None and not math.isnan(v)]
    out = {}
    for c in NUMERIC:
        out[c] = [float(cols[c][i]) for i in keep]
    for c in TEXT:  # one 0/1 column per category, as pandas.get_dummies
        for lev in sorted(set(cols[c][i] for i in keep)):
            out["%s_%s" % (c, lev)] = [1.0 if cols[c][i] == lev else 0.0 for i in keep]
    y = [1.0 if cols["Churn"][i] == "Yes" else 0.0 for i in keep]
    return out, y


def generated_columns(n=5000, d=10):
    s = 12345
    out = {"x%d" % j: [] for j in range(d)}
    y = []
    for _ in range(n):
        x = []
        for j in range(d):
            s = 48271 * s % 2147483647
            x.append(100.0 * s / 2147483647)
            out["x%d" % j].append(x[-1])
        s = 48271 * s % 2147483647
        e = s / 2147483647
        score = x[0] + 0.5 * x[1] - 0.8 * x[2] + (30.0 if x[3] > 50 else 0.0) + 0.004 * x[4] * x[4]
        y.append(1.0 if score + 60.0 * (e - 0.5) > 70.0 else 0.0)
    return out, y


def cv(cols, y, trees, mtry, rule):
    """libcrm's 5-fold CV on the folds of the goldens (row i in fold i % 5)."""
    feats = list(cols)
    n = len(y)
    accs, aucs = [], []
    for k in range(5):
        tr = [i for i in range(n) if i % 5 != k]
        te = [i for i in range(n) if i % 5 == k]
        dtr = Dataset.from_columns(dict({c: [cols[c][i] for i in tr] for c in feats},
                                        y=[y[i] for i in tr]))
        dte = Dataset.from_columns({c: [cols[c][i] for i in te] for c in feats})
        f = libcrm.RandomForest(n_trees=trees, mtry=mtry, mtry_rule=rule, seed=0).fit(
            dtr, "y", feats)
        f.predict(dte)
        p = [q if c == 1.0 else 1.0 - q for c, q in zip(dte["prediction"],
                                                     dte["prediction_proba"])]
        yt = [y[i] for i in te]
        accs.append(sum((pp > 0.5) == (yy == 1.0) for pp, yy in zip(p, yt)) / len(te))
        aucs.append(auc(yt, p))
    return sum(accs) / 5, sum(aucs) / 5


@pytest.mark.parametrize("name", ["telco", "generated"])
def test_cv_parity(name):
    """Within 0.5 points of scikit-learn with its rule of drawing mtry features (draw on while
    every feature drawn is constant in the node), and of ranger with ranger's (exactly mtry):
    on Telco's 41 one-hot columns the two rules give forests 0.7 point of accuracy apart."""
    sk = golden("forest_cv_sklearn.tsv")[name]
    rg = golden("forest_cv_ranger.tsv")[name]
    cols, y = telco_columns() if name == "telco" else generated_columns()
    for ref, tool, rule in ((sk, "scikit-learn", "nonconstant"), (rg, "ranger", "exact")):
        acc, au = cv(cols, y, int(ref["trees"]), int(ref["mtry"]), rule)
        print("forest cv %s, mtry_rule %s: libcrm accuracy %.6f auc %.6f; %s %s %s"
              % (name, rule, acc, au, tool, ref["accuracy"], ref["auc"]))
        parity("forest %s CV accuracy vs %s" % (name, tool), acc, float(ref["accuracy"]),
               abs_tol=0.005)
        parity("forest %s CV AUC vs %s" % (name, tool), au, float(ref["auc"]), abs_tol=0.005)
