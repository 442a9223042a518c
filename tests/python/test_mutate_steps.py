"""Transform steps recorded in models (the ``mutate`` option): a model fitted with
steps predicts on raw data exactly what it predicted at the fit, and what a model
fitted on data transformed by hand predicts there; the steps survive JSON."""

import math
import struct

import pytest

import libcrm
from libcrm import Dataset


def raw_columns():
    """Skewed a, b > 0, a text segment, a 0/1 target y and a text class cls."""
    segs = ["north", "south", "west"]
    cols = {"id": [], "a": [], "b": [], "seg": [], "y": [], "cls": []}
    for i in range(60):
        a = 1.5 + (i * 37 % 11) * 0.3 if i % 4 == 0 else 40.0 + (i * 37 % 11) * 9.0
        b = 2.0 + (i * 13 % 17) * (1.0 if i % 3 == 0 else 25.0)
        seg = segs[i * 7 % 3]
        score = math.log(a) - 3 + (0.8 if seg == "south" else 0) + ((i * 5 % 7) - 3) * 0.4
        cols["id"].append(float(i))
        cols["a"].append(a)
        cols["b"].append(b)
        cols["seg"].append(seg)
        cols["y"].append(1.0 if score > 0 else 0.0)
        cols["cls"].append("high" if b / a > 1 else ("mid" if i % 5 == 0 else "low"))
    return cols


def raw():
    return Dataset.from_columns(raw_columns())


def by_hand(steps):
    ds = raw()
    for s in steps:
        name, expr = s.split("=", 1)
        ds.mutate(name, expr)
    return ds


def bits(values):
    """Numbers as their exact bit patterns (text as it is), so == means bit-identical."""
    return [struct.pack("<d", v) if isinstance(v, float) else v for v in values]


def check_steps(model_cls, options, fit_args, steps, pred_cols):
    """Fit with steps on raw data: predict on raw data (a fresh copy, the fit's own
    rows and a reloaded model) equals the hand-transformed fit's predictions."""
    ds = raw()
    before = ds.to_columns()
    m = model_cls(mutate=steps, **options).fit(ds, *fit_args)
    assert ds.to_columns() == before  # the fit left the caller's rows alone
    assert m.mutate == steps
    fit_pred = m.predict(ds, "p").to_columns()
    assert list(fit_pred) == list(before) + pred_cols  # only the predictions are added
    plain = model_cls(**options).fit(by_hand(steps), *fit_args)
    assert plain.mutate == []
    hand_pred = plain.predict(by_hand(steps), "p").to_columns()
    fresh = m.predict(raw(), "p").to_columns()
    loaded = libcrm.Model.from_json(m.to_json())
    assert loaded.mutate == steps
    reloaded = loaded.predict(raw(), "p").to_columns()
    for col in pred_cols:
        assert bits(fresh[col]) == bits(fit_pred[col]) == bits(hand_pred[col]) == bits(reloaded[col])
    return m, fit_pred


def test_kmeans_log_standardize():
    steps = ["a=log(1 + a)", "b=log(1 + b)"]
    m, pred = check_steps(libcrm.KMeans, dict(k=3, seed=2, standardize=True, n_threads=1),
                          (["a", "b"],), steps, ["p"])
    assert len(set(pred["p"])) == 3
    assert m.kind_name == "kmeans"
    assert '"version":2' in m.to_json()
    assert '"mutate":[["a","log(1 + a)"],["b","log(1 + b)"]]' in m.to_json()


def test_logreg_text_feature():
    check_steps(libcrm.LogisticRegression, dict(l2=0.5), ("y", ["la", "seg"]), ["la=log(a)"],
                ["p", "p_proba"])


def test_linreg():
    check_steps(libcrm.LinearRegression, {}, ("b", ["la", "seg"]), ["la=log(1 + a)"], ["p"])


def test_tree():
    m, pred = check_steps(libcrm.DecisionTree, dict(max_depth=4),
                          ("cls", ["ratio", "south", "a"]),
                          ["ratio=b / a", "south=seg = 'south'"], ["p", "p_proba"])
    assert len(set(pred["p"])) >= 2


def test_model_without_steps_is_version_1(tmp_path):
    m = libcrm.KMeans(k=2, seed=1).fit(raw(), ["a", "b"])
    assert m.mutate == []
    assert m.to_json().startswith('{"format":"libcrm-model","version":1,')
    path = tmp_path / "m.json"
    m2 = libcrm.KMeans(k=2, seed=1, mutate=["a=log(1 + a)"]).fit(raw(), ["a", "b"])
    m2.save(str(path))
    assert libcrm.load_model(str(path)).mutate == ["a=log(1 + a)"]


def test_bad_steps():
    with pytest.raises(libcrm.InvalidError, match="has no '='"):
        libcrm.KMeans(k=2, mutate=["nonsense"]).fit(raw(), ["a", "b"])
    with pytest.raises(libcrm.InvalidError, match=r"mutate step 1 \(c=log\(\)"):
        libcrm.DecisionTree(mutate=["c=log("]).fit(raw(), "cls", ["a"])
    with pytest.raises(TypeError):
        libcrm.KMeans(k=2, mutate="a=log(1 + a)").fit(raw(), ["a", "b"])
    m = libcrm.LinearRegression(mutate=["s=a + b"]).fit(raw(), "id", ["s"])
    ds = Dataset.from_columns({"a": [1.0, 2.0]})
    with pytest.raises(libcrm.NotFoundError, match=r"recorded step 1 \(s=a \+ b\)"):
        m.predict(ds)
    assert ds.columns == ["a"]
