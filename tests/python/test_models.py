"""KMeans, the shared Model interface, silhouette and apriori through Python."""

import math

import pytest

import libcrm
from libcrm import Dataset


def blobs():
    # two well separated groups of 3 points: centers (0.5, 0) and (10.5, 10)
    return Dataset.from_columns({
        "x": [0.0, 1.0, 0.5, 10.0, 11.0, 10.5],
        "y": [0.0, 0.0, 0.0, 10.0, 10.0, 10.0],
    })


def test_kmeans_fit_predict_stats_summary():
    ds = blobs()
    km = libcrm.KMeans(k=2, n_init=3, seed=1).fit(ds, ["x", "y"])
    assert km.stat("k") == 2
    # within-cluster squared distances: 2 * (0.25 + 0.25 + 0) = 1.0
    assert km.stat("inertia") == pytest.approx(1.0, rel=1e-12)
    assert km.stat("converged") == 1
    km.predict(ds, "segment")
    seg = ds["segment"]
    assert seg[0] == seg[1] == seg[2] != seg[3] == seg[4] == seg[5]
    summary = km.summary().to_columns()
    assert sorted(summary["size"]) == [3.0, 3.0]
    assert sorted(summary["x"]) == [0.5, 10.5]
    stats = km.stats()
    assert "inertia" in stats and "n_iter" in stats
    with pytest.raises(libcrm.NotFoundError):
        km.stat("nope")


def test_kmeans_given_centers_and_json_round_trip(tmp_path):
    ds = blobs()
    km = libcrm.KMeans(k=2, init_centers=[[0.0, 0.0], [10.0, 10.0]], tol=0).fit(ds, ["x", "y"])
    assert km.summary()["x"] == [0.5, 10.5]
    path = str(tmp_path / "km.json")
    km.save(path)
    again = libcrm.load_model(path)
    assert isinstance(again, libcrm.KMeans)
    a = km.predict(blobs(), "c")["c"]
    b = again.predict(blobs(), "c")["c"]
    assert a == b == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    assert libcrm.KMeans.from_json(km.to_json()).stat("inertia") == km.stat("inertia")


def test_kmeans_init_centers_length_is_checked():
    # init_centers travels with its count (n_init_centers): a list of the wrong length is
    # refused instead of being read past its end
    ds = Dataset.from_columns({"x": [0.0, 1.0, 2.0, 10.0, 11.0, 12.0], "y": [0.0] * 6})
    for centers in ([1.0], [0.0, 0.0, 1.0], [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], []):
        with pytest.raises(libcrm.InvalidError, match="init_centers"):
            libcrm.KMeans(k=2, init_centers=centers).fit(ds, ["x", "y"])
    with pytest.raises(libcrm.InvalidError, match="has 3 values but k \\* ncols = 2 \\* 2 = 4"):
        libcrm.KMeans(k=2, init_centers=[0.0, 0.0, 1.0]).fit(ds, ["x", "y"])
    # the right length: one pass from (0, 0) and (1, 0) moves them to (0, 0) and (7.2, 0)
    for centers in ([[0.0, 0.0], [1.0, 0.0]], [0.0, 0.0, 1.0, 0.0]):
        km = libcrm.KMeans(k=2, init_centers=centers, max_iter=1).fit(ds, ["x", "y"])
        assert km.stat("n_iter") == 1
        assert km.summary()["x"] == pytest.approx([0.0, 7.2], rel=1e-15)
        assert km.stat("inertia") == pytest.approx(5.0 + 2.8 ** 2 + 3.8 ** 2 + 4.8 ** 2,
                                                   rel=1e-12)


def test_kmeans_bad_input():
    ds = blobs()
    with pytest.raises(libcrm.InvalidError):
        libcrm.KMeans(k=0).fit(ds, ["x", "y"])
    with pytest.raises(libcrm.InvalidError):
        libcrm.KMeans(k=7).fit(ds, ["x", "y"])  # more clusters than distinct rows
    with pytest.raises(libcrm.NotFoundError):
        libcrm.KMeans(k=2).fit(ds, ["x", "nope"])
    text = Dataset.from_columns({"t": ["a", "b", "c"]})
    with pytest.raises(libcrm.CrmTypeError):
        libcrm.KMeans(k=2).fit(text, ["t"])
    with pytest.raises(ValueError):
        libcrm.KMeans(k=2, init="best").fit(ds, ["x", "y"])


def test_kmeans_progress_cancel():
    ds = blobs()
    with pytest.raises(libcrm.CancelledError):
        libcrm.KMeans(k=2, progress=lambda f: True).fit(ds, ["x", "y"])


def test_silhouette_hand_checked():
    # 1-D: cluster A = {0, 1}, cluster B = {10}: sklearn gives 0.8444...
    ds = Dataset.from_columns({"x": [0.0, 1.0, 10.0], "c": [0.0, 0.0, 1.0]})
    # row 0: a = 1, b = 10 -> 0.9; row 1: a = 1, b = 9 -> 8/9; row 2: singleton -> 0
    assert libcrm.silhouette(ds, ["x"], "c") == pytest.approx((0.9 + 8 / 9 + 0) / 3, rel=1e-12)


def test_kmeans_centers_original():
    # log1p, then k-means: the centers in original units are the geometric means of x + 1,
    # less 1: (1 * 2 * 3)^(1/3) - 1 and (11 * 12 * 13)^(1/3) - 1
    ds = Dataset.from_columns({"x": [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]})
    km = libcrm.KMeans(k=2, seed=1, standardize=True, mutate=["x=log1p(x)"]).fit(ds, ["x"])
    orig = km.centers_original()
    assert orig.columns == ["cluster", "size", "x"]
    got = sorted(orig["x"])
    assert got[0] == pytest.approx(6 ** (1 / 3) - 1, rel=1e-12)
    assert got[1] == pytest.approx(1716 ** (1 / 3) - 1, rel=1e-12)
    assert sorted(km.summary()["x"]) == pytest.approx([math.log(6) / 3, math.log(1716) / 3],
                                                        rel=1e-12)


def test_apriori_small():
    ds = Dataset.from_columns({
        "tid": [1, 1, 1, 2, 2, 3, 3, 4],
        "item": ["bread", "milk", "eggs", "bread", "milk", "bread", "eggs", "milk"],
    })
    itemsets, rules = libcrm.apriori(ds, "tid", "item", min_support=0.5)
    got = {tuple(libcrm.split_items(s)): c
           for s, c in zip(itemsets["items"], itemsets["count"])}
    assert got == {("bread",): 3.0, ("milk",): 3.0, ("eggs",): 2.0, ("bread", "milk"): 2.0,
                   ("bread", "eggs"): 2.0}
    r = {(a, c): (conf, lift) for a, c, conf, lift in
         zip(rules["antecedent"], rules["consequent"], rules["confidence"], rules["lift"])}
    # eggs -> bread: 2 of 2 eggs baskets hold bread; lift = 1 / (3/4)
    assert r[("eggs", "bread")][0] == 1.0
    assert r[("eggs", "bread")][1] == pytest.approx(4 / 3, rel=1e-12)
    assert rules["conviction"][list(r).index(("eggs", "bread"))] == math.inf
    with pytest.raises(libcrm.InvalidError):
        libcrm.apriori(ds, "tid", "item", min_support=0)


def test_apriori_prune_redundant():
    ds = Dataset.from_columns({
        "tid": [1, 1, 1, 2, 2, 3, 3, 4],
        "item": ["bread", "milk", "eggs", "bread", "milk", "bread", "eggs", "milk"],
    })
    _, rules = libcrm.apriori(ds, "tid", "item", min_support=0.5)
    assert len(rules["antecedent"]) == 4
    # one rule per pair: bread/milk ties (3 x 3, n(A) 3): the first by antecedent, bread -> milk;
    # bread/eggs: eggs -> bread has the smaller n(A) (2), confidence 1
    _, rules = libcrm.apriori(ds, "tid", "item", min_support=0.5, prune_redundant=True)
    assert list(zip(rules["antecedent"], rules["consequent"])) == [("eggs", "bread"),
                                                                 ("bread", "milk")]
    assert rules["lift"][1] == pytest.approx((2 / 3) / (3 / 4), rel=1e-12)
    with pytest.raises(libcrm.InvalidError):
        libcrm.apriori(ds, "tid", "item", min_support=0.5, prune_redundant=2)


def test_split_items_escapes():
    assert libcrm.split_items("HEART\\, RED, MUG") == ["HEART, RED", "MUG"]
    assert libcrm.split_items("a\\\\b") == ["a\\b"]


def test_model_classes():
    ds = Dataset.from_columns({
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        "y": ["yes", "no", "no", "maybe", "no", "yes", "no", "maybe"],
        "yn": ["yes", "no", "no", "no", "no", "yes", "no", "no"],
    })
    # a tree on a text target: its classes in byte order
    assert libcrm.DecisionTree().fit(ds, "y", ["x"]).classes == ("maybe", "no", "yes")
    # logistic regression: negative, then positive
    assert libcrm.LogisticRegression().fit(ds, "yn", ["x"]).classes == ("no", "yes")
    assert libcrm.LogisticRegression(positive="no").fit(ds, "yn", ["x"]).classes == ("yes", "no")
    # no labels for k-means
    assert libcrm.KMeans(k=2).fit(ds, ["x"]).classes == ()
