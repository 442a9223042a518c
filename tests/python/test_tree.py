"""DecisionTree through Python: fit, predict with probabilities, rules, dot, importances,
pruning path, options by name, JSON round trip, errors, and Telco against scikit-learn."""


import pytest

import libcrm
from conftest import parity, require, shared_path
from libcrm import Dataset


def step():
    return Dataset.from_columns({
        "x": [float(i) for i in range(10)],
        "seg": ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"],
        "churn": ["no"] * 5 + ["yes"] * 5,
    })


def test_fit_predict_rules():
    ds = step()
    tree = libcrm.DecisionTree(max_depth=3).fit(ds, "churn", ["x", "seg"])
    assert tree.stat("leaves") == 2
    assert tree.stat("depth") == 1
    assert tree.stat("train_accuracy") == 1.0
    tree.predict(ds)
    assert ds["prediction"] == ds["churn"]
    assert ds["prediction_proba"] == [1.0] * 10
    rules = tree.rules()
    assert rules.splitlines()[0] == "if x <= 4.5"
    assert "|   then no (p=1.000, n=5) [no: 5, yes: 0]" in rules
    assert tree.rules(flat=True).splitlines()[1] == "IF x > 4.5 THEN yes (p=1.000, n=5) [no: 0, yes: 5]"
    assert tree.dot().startswith("digraph tree {")
    assert tree.feature_importances == {"x": 1.0, "seg": 0.0}
    summary = tree.summary().to_columns()
    assert summary["threshold"][0] == 4.5
    assert summary["n"] == [10.0, 5.0, 5.0]
    assert isinstance(libcrm.Model.from_json(tree.to_json()), libcrm.DecisionTree)


def test_options_by_name_and_pruning_path():
    ds = step()
    tree = libcrm.DecisionTree(criterion="entropy", class_weight="balanced", max_depth=None,
                               positive="yes").fit(ds, "churn", ["x"])
    assert "p(yes)=" in tree.rules()
    path = libcrm.DecisionTree().pruning_path(ds, "churn", ["x"]).to_columns()
    assert path["ccp_alpha"] == [0.0, 0.5]
    assert path["impurity"] == [0.0, 0.5]
    pruned = libcrm.DecisionTree(ccp_alpha=0.6).fit(ds, "churn", ["x"])
    assert pruned.stat("leaves") == 1
    with pytest.raises(ValueError):
        libcrm.DecisionTree(criterion="gain").fit(ds, "churn", ["x"])


def test_regression_and_missing_values(tmp_path):
    ds = Dataset.from_columns({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, float("nan"), float("nan")],
                               "y": [2.0, 2.0, 2.0, 7.0, 7.0, 7.0, 7.0, 7.0]})
    tree = libcrm.DecisionTree(max_depth=1).fit(ds, "y", ["x"])
    assert tree.stat("regression") == 1
    new = Dataset.from_columns({"x": [float("nan"), 0.0, 100.0]})
    tree.predict(new, "v")
    assert new["v"] == [7.0, 2.0, 7.0]  # missing values learned to go with the 7s
    path = str(tmp_path / "t.json")
    tree.save(path)
    again = libcrm.load_model(path)
    assert again.predict(Dataset.from_columns({"x": [float("nan"), 0.0, 100.0]}), "v")["v"] == new["v"]


def test_errors():
    ds = step()
    with pytest.raises(libcrm.InvalidError):
        libcrm.DecisionTree(min_samples_leaf=0).fit(ds, "churn", ["x"])
    with pytest.raises(libcrm.NotFoundError):
        libcrm.DecisionTree().fit(ds, "churn", ["nope"])
    with pytest.raises(libcrm.InvalidError):
        libcrm.DecisionTree(criterion="mse").fit(ds, "churn", ["x"])
    with pytest.raises(ValueError):
        libcrm.DecisionTree().rules()


def test_telco_matches_sklearn():
    sklearn_tree = require("sklearn.tree")
    np = require("numpy")
    path = shared_path("telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv")
    ds = Dataset.read_csv(path).filter("TotalCharges is not missing")
    feats = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
    cols = ds.to_columns()
    X = np.array([cols[f] for f in feats]).T
    y = np.array(cols["Churn"])
    seed = int(np.random.RandomState(0).randint(0, 2**31 - 1))
    for depth in (4, 6):
        ref = sklearn_tree.DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
        tree = libcrm.DecisionTree(max_depth=depth, seed=seed).fit(ds, "Churn", feats)
        assert tree.stat("leaves") == ref.get_n_leaves()
        parity("Telco tree training accuracy vs scikit-learn", tree.stat("train_accuracy"),
               ref.score(X, y), abs_tol=1e-15)
        mine = tree.summary().to_columns()
        t = ref.tree_
        assert [f if f is not None else "" for f in mine["feature"]] == \
            [feats[i] if i >= 0 else "" for i in t.feature]
        for a, b, left in zip(mine["threshold"], t.threshold, t.children_left):
            if left >= 0:
                assert a == b  # bit for bit, as tests/check_tree_shared.c
        out = tree.predict(Dataset.read_csv(path).filter("TotalCharges is not missing"))
        assert out["prediction"] == list(ref.predict(X))
