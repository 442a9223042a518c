#!/usr/bin/env python3
"""Golden k-means results computed with scikit-learn.

Run with Debian's python3 (python3-sklearn 1.2, python3-numpy, python3-pandas)
from the repository root, with ../shared/data present:

    /usr/bin/python3 tests/reference/kmeans.py

It writes, under tests/reference/golden/:

- kmeans_blobs.csv: a generated 16-dimensional blob set (1,500 rows, 8
  overlapping blobs, sklearn.datasets.make_blobs with random_state=7,
  values rounded to 4 decimals so the text is exact);
- kmeans_telco.tsv, kmeans_telco_std.tsv, kmeans_blobs.tsv: Lloyd from given
  initial centers with tol = 0 (KMeans(algorithm="lloyd", n_init=1,
  init=centers, tol=0, max_iter=1000)) on the Telco churn numeric columns
  tenure, MonthlyCharges, TotalCharges (rows with missing TotalCharges
  dropped; raw, and standardized with StandardScaler) and on the blobs;
- kmeans_rfm.tsv: k-means++ with n_init = 10 (random_state=0) on the Online
  Retail RFM table (tests/reference/golden/rfm_online_retail.csv, which the
  rfm_shared suite checks against crm_rfm): columns log1p(recency_days),
  log1p(frequency), log1p(monetary), standardized.

Each .tsv holds lines "key<TAB>value...": k, the feature columns, the
initial centers (one "init" line per center, in the raw units of the data),
inertia, n_iter, labels (all labels on one line, in row order) and the
silhouette score (sklearn.metrics.silhouette_score, Euclidean) of those
labels on the data as fitted. Floats are written with repr (shortest
round trip). The C suite kmeans_shared (tests/check_kmeans_shared.c)
compares libcrm with these files.
"""
import math
import os

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
# output folder: $CRM_GOLDEN_DIR (scripts/regen_goldens.sh), else the committed goldens
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(HERE, "golden")
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))


def write(name, cols, k, init, km, X, extra=None):
    with open(os.path.join(GOLDEN, name), "w") as f:
        f.write("k\t%d\n" % k)
        f.write("columns\t%s\n" % "\t".join(cols))
        if init is not None:
            for c in init:
                f.write("init\t%s\n" % "\t".join(repr(float(v)) for v in c))
        f.write("inertia\t%r\n" % float(km.inertia_))
        f.write("n_iter\t%d\n" % km.n_iter_)
        f.write("labels\t%s\n" % " ".join(str(int(v)) for v in km.labels_))
        f.write("silhouette\t%r\n" % float(silhouette_score(X, km.labels_)))
        for key, val in (extra or {}).items():
            f.write("%s\t%s\n" % (key, val))


def lloyd_from(X, init):
    return KMeans(n_clusters=len(init), init=init, n_init=1, tol=0.0, max_iter=1000,
                  algorithm="lloyd").fit(X)


def telco():
    df = pd.read_csv(os.path.join(DATA, "telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce")
    cols = ["tenure", "MonthlyCharges", "TotalCharges"]
    X = df[cols].dropna().to_numpy(dtype=np.float64)
    k = 4
    rows = np.random.RandomState(3).choice(len(X), size=k, replace=False)
    init = X[rows].copy()
    write("kmeans_telco.tsv", cols, k, init, lloyd_from(X, init), X)
    sc = StandardScaler().fit(X)
    Z = sc.transform(X)
    k = 5
    rows = np.random.RandomState(4).choice(len(X), size=k, replace=False)
    init = X[rows].copy()
    write("kmeans_telco_std.tsv", cols, k, init, lloyd_from(Z, sc.transform(init)), Z)


def blobs():
    X, _ = make_blobs(n_samples=1500, n_features=16, centers=8, cluster_std=4.0,
                      center_box=(-10, 10), random_state=7)
    X = np.round(X, 4)
    cols = ["x%d" % j for j in range(16)]
    pd.DataFrame(X, columns=cols).to_csv(os.path.join(GOLDEN, "kmeans_blobs.csv"), index=False,
                                         float_format="%.4f")
    X = pd.read_csv(os.path.join(GOLDEN, "kmeans_blobs.csv")).to_numpy(dtype=np.float64)
    k = 8
    rows = np.random.RandomState(5).choice(len(X), size=k, replace=False)
    init = X[rows].copy()
    write("kmeans_blobs.tsv", cols, k, init, lloyd_from(X, init), X)


def rfm():
    # input: the committed RFM table (rfm.py writes it; rfm_shared checks it)
    df = pd.read_csv(os.path.join(HERE, "golden", "rfm_online_retail.csv"))
    cols = ["recency_days", "frequency", "monetary"]
    X = np.log1p(df[cols].to_numpy(dtype=np.float64))
    Z = StandardScaler().fit_transform(X)
    k = 4
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Z)
    write("kmeans_rfm.tsv", cols, k, None, km, Z)


def main():
    telco()
    blobs()
    rfm()


if __name__ == "__main__":
    main()
