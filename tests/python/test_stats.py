"""libcrm.stats: the mergeable statistics from Python. Chunks computed separately, sent
through bytes (and pickle), merged and finalized equal the one-machine result (same CSV text,
which round-trips every number exactly); a buffer of another library version is refused."""

import pickle

import pytest

import libcrm
from libcrm import stats


@pytest.fixture(scope="module")
def shop():
    raw = libcrm.synth(customers=80, days=200, seed=5, dirt=0)
    tx = raw.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0")
    tx.mutate("amount", "Quantity * UnitPrice")
    tx.add_column("rowid", [float(i) for i in range(tx.nrows)])
    return tx


def chunks(ds, k):
    n = ds.nrows
    cuts = [0] + [n * (i + 1) * (i + 2) // (k * (k + 1)) for i in range(k)]
    cuts[1] = 0 if k > 1 else n  # an empty chunk
    cuts[-1] = n
    return [ds.filter("rowid >= %d and rowid < %d" % (cuts[i], cuts[i + 1])) for i in range(k)]


def travel(s):
    """Through pickle (which sends to_bytes) and back."""
    back = pickle.loads(pickle.dumps(s))
    assert back.to_bytes() == s.to_bytes()
    assert back.kind == s.kind and back.rows == s.rows
    return back


RFM = dict(customer="CustomerID", date="InvoiceDate", amount="amount", invoice="InvoiceNo")


@pytest.mark.parametrize("k", [1, 2, 7, 16])
def test_rfm_equals_one_machine(shop, k):
    parts = [travel(stats.rfm_stats(c, **RFM)) for c in chunks(shop, k)]
    got = stats.rfm_finalize(stats.merge(reversed(parts)), **RFM)
    assert got.to_csv_string() == libcrm.rfm(shop, **RFM).to_csv_string()


@pytest.mark.parametrize("k", [1, 2, 7, 16])
def test_merge_bytes_equals_one_machine(shop, k):
    blobs = [stats.rfm_stats(c, **RFM).to_bytes() for c in chunks(shop, k)]
    got = stats.rfm_finalize(stats.merge_bytes(blobs), **RFM)
    assert got.to_csv_string() == libcrm.rfm(shop, **RFM).to_csv_string()
    if k > 1:
        bad = list(blobs)
        bad[-1] = bad[-1][:-1] + bytes([bad[-1][-1] ^ 1])
        with pytest.raises(libcrm.FormatError, match="buffer %d" % (k - 1)):
            stats.merge_bytes(bad)


@pytest.mark.parametrize("k", [1, 7])
def test_group_equals_one_machine(shop, k):
    aggs = ["sum(amount)", "mean(amount)", "min(UnitPrice)", "max(Quantity)", "n=count()"]
    parts = [travel(stats.group_stats(c, ["Country"], aggs)) for c in chunks(shop, k)]
    got = stats.group_finalize(stats.merge(parts))
    assert got.to_csv_string() == shop.group(["Country"], aggs).to_csv_string()


def test_kmeans_lloyd(shop):
    cols = ["Quantity", "UnitPrice"]
    centers = [[1.0, 1.0], [10.0, 2.0], [30.0, 5.0]]
    parts = [travel(stats.kmeans_stats(c, cols, centers)) for c in chunks(shop, 7)]
    total = stats.merge(parts)
    assert total.kind == "kmeans" and total.rows == shop.nrows
    assert sum(total.values("counts")) == shop.nrows
    new = stats.kmeans_update(total)
    assert len(new) == 3 and all(len(c) == 2 for c in new)
    one = stats.kmeans_stats(shop, cols, centers)
    assert stats.kmeans_update(one) == new  # exact sums: the same bits
    assert one.values("inertia") == total.values("inertia")


def test_logreg_newton(shop):
    tx = shop.clone()
    tx.mutate("y", "Quantity > 6")
    feats = ["UnitPrice"]  # (text features: tests/check_stats.c; countries here separate)
    parts = chunks(tx, 7)
    levels = stats.merge([stats.levels_stats(c, feats) for c in parts])
    coef = [0.0] * stats.levels_terms(levels)
    for _ in range(30):
        total = stats.merge([travel(stats.logreg_stats(c, "y", feats, levels, coef))
                             for c in parts])
        new = stats.logreg_step(total)
        done = max(abs(a - b) for a, b in zip(new, coef)) < 1e-13
        coef = new
        if done:
            break
    model = libcrm.LogisticRegression().fit(tx, "y", feats)
    want = [row["estimate"] for row in model.coefficients().values()]
    assert coef == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_apriori_son(shop):
    # chunks cut where InvoiceNo changes: every transaction stays whole
    inv = shop.to_columns()["InvoiceNo"]
    cuts = [0] + [i for i in range(1, len(inv)) if inv[i] != inv[i - 1]][::40] + [len(inv)]
    cuts = sorted(set(cuts))
    parts = [shop.filter("rowid >= %d and rowid < %d" % (a, b)) for a, b in zip(cuts, cuts[1:])]
    opts = dict(min_support=0.05, max_len=2)
    cand = stats.merge([travel(stats.apriori_local(c, "InvoiceNo", "StockCode", **opts))
                        for c in parts])
    counts = stats.merge([travel(stats.apriori_count(c, "InvoiceNo", "StockCode", cand))
                          for c in parts])
    sets, rules = stats.apriori_finalize(counts, **opts)
    want_sets, want_rules = libcrm.apriori(shop, "InvoiceNo", "StockCode", **opts)
    assert sets.to_csv_string() == want_sets.to_csv_string()
    assert rules.to_csv_string() == want_rules.to_csv_string()
    assert len(parts) > 2


def test_version_refused(shop):
    b = bytearray(stats.group_stats(shop, ["Country"], ["count()"]).to_bytes())
    b[12] ^= 1
    with pytest.raises(libcrm.FormatError, match="same library version"):
        stats.Stats.from_bytes(bytes(b))
    with pytest.raises(libcrm.FormatError):
        stats.Stats.from_bytes(b"not statistics")


def test_merge_refuses_other_kind(shop):
    a = stats.group_stats(shop, ["Country"], ["count()"])
    b = stats.kmeans_stats(shop, ["Quantity"], [[1.0]])
    with pytest.raises(libcrm.CrmTypeError):
        a.merge(b)
    a.close()
    with pytest.raises(libcrm.StateError):
        a.to_bytes()
