#!/usr/bin/env python3
"""Golden CART trees computed with scikit-learn.

Run with Debian's python3 (python3-sklearn 1.2, python3-numpy, python3-pandas)
from the repository root, with ../shared/data present:

    /usr/bin/python3 tests/reference/tree.py

Data: the Telco churn file (rows with missing TotalCharges dropped: 7,032
rows). It writes, under tests/reference/golden/:

- tree_telco_<criterion>_d<depth>_l<leaf>.tsv for criterion gini and entropy,
  max_depth 3, 5, 8 and min_samples_leaf 1, 20: DecisionTreeClassifier
  (random_state=0) predicting Churn from tenure, MonthlyCharges, TotalCharges,
  SeniorCitizen;
- tree_telco_balanced.tsv (gini, max_depth 5, class_weight "balanced"),
  tree_telco_leaves.tsv (entropy, max_depth 8, min_samples_leaf 5, best-first growth to
  max_leaf_nodes 20) and tree_telco_ccp.tsv (gini, max_depth 8, pruned with
  ccp_alpha 0.0004): the same data and features;
- tree_telco_reg.tsv: DecisionTreeRegressor (squared error, max_depth 6,
  min_samples_leaf 5, random_state=0) predicting MonthlyCharges from tenure,
  TotalCharges, SeniorCitizen;
- tree_telco_cv.tsv: 5-fold cross-validated accuracy (KFold without
  shuffling) of DecisionTreeClassifier on the numeric features plus the text
  features one-hot encoded, at max_depth 3, 4, 5, 6, with the mean number of
  leaves.

Each tree file holds lines "key<TAB>value...": the options, "seed" (the
31-bit state scikit-learn's splitter draws from random_state=0, which libcrm
takes as its seed), the features, then one "node" line per node in
scikit-learn's order (preorder, left first): left, right, feature index (-2
for leaves), threshold, n_node_samples, weighted_n_node_samples, impurity,
value (class counts or the mean); "leaves" (the leaf id of every row, in row
order: identical ids mean identical row partitions at every node),
"accuracy" (training accuracy; R^2 for regression), "n_leaves", "depth",
"predictions" (regression: the prediction of every row), "importances",
and "path_alpha"/"path_impurity" (cost_complexity_pruning_path). Floats are
written with repr (shortest round trip). The C suite tree_shared
(tests/check_tree_shared.c) compares libcrm with these files.
"""
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
# output folder: $CRM_GOLDEN_DIR (scripts/regen_goldens.sh), else the committed goldens
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(HERE, "golden")
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
TEXT = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines", "InternetService",
        "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV",
        "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod"]
SEED = int(np.random.RandomState(0).randint(0, 2**31 - 1))


def telco():
    df = pd.read_csv(os.path.join(DATA, "telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce")
    return df.dropna(subset=["TotalCharges"]).reset_index(drop=True)


def fmt(v):
    return repr(float(v))


def write_tree(name, est, X, y, features, opts, regression=False):
    t = est.tree_
    path = est.cost_complexity_pruning_path(X, y)
    with open(os.path.join(GOLDEN, name), "w") as f:
        for k, v in opts.items():
            f.write("%s\t%s\n" % (k, v))
        f.write("seed\t%d\n" % SEED)
        f.write("features\t%s\n" % "\t".join(features))
        for i in range(t.node_count):
            val = t.value[i][0]
            f.write("node\t%d\t%d\t%d\t%s\t%d\t%s\t%s\t%s\n" % (
                t.children_left[i], t.children_right[i], t.feature[i], fmt(t.threshold[i]),
                t.n_node_samples[i], fmt(t.weighted_n_node_samples[i]), fmt(t.impurity[i]),
                " ".join(fmt(v) for v in val)))
        f.write("leaves\t%s\n" % " ".join(str(int(v)) for v in est.apply(X)))
        f.write("accuracy\t%s\n" % fmt(est.score(X, y)))
        f.write("n_leaves\t%d\n" % est.get_n_leaves())
        f.write("depth\t%d\n" % est.get_depth())
        f.write("importances\t%s\n" % "\t".join(fmt(v) for v in est.feature_importances_))
        if regression:
            f.write("predictions\t%s\n" % " ".join(fmt(v) for v in est.predict(X)))
        f.write("path_alpha\t%s\n" % " ".join(fmt(v) for v in path.ccp_alphas))
        f.write("path_impurity\t%s\n" % " ".join(fmt(v) for v in path.impurities))


def main():
    df = telco()
    X = df[NUMERIC].to_numpy(dtype=np.float64)
    y = df["Churn"].to_numpy()
    for crit in ("gini", "entropy"):
        for depth in (3, 5, 8):
            for leaf in (1, 20):
                est = DecisionTreeClassifier(criterion=crit, max_depth=depth,
                                             min_samples_leaf=leaf, random_state=0).fit(X, y)
                write_tree("tree_telco_%s_d%d_l%d.tsv" % (crit, depth, leaf), est, X, y, NUMERIC,
                           {"criterion": crit, "max_depth": depth, "min_samples_leaf": leaf})
    extra = [("tree_telco_balanced.tsv", {"criterion": "gini", "max_depth": 5, "min_samples_leaf": 1,
                                          "class_weight": "balanced"}),
             ("tree_telco_leaves.tsv", {"criterion": "entropy", "max_depth": 8, "min_samples_leaf": 5,
                                        "max_leaf_nodes": 20}),
             ("tree_telco_ccp.tsv", {"criterion": "gini", "max_depth": 8, "min_samples_leaf": 1,
                                     "ccp_alpha": 0.0004})]
    for name, o in extra:
        est = DecisionTreeClassifier(random_state=0, **o).fit(X, y)
        write_tree(name, est, X, y, NUMERIC, o)
    rf = ["tenure", "TotalCharges", "SeniorCitizen"]
    Xr = df[rf].to_numpy(dtype=np.float64)
    yr = df["MonthlyCharges"].to_numpy(dtype=np.float64)
    est = DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=0).fit(Xr, yr)
    write_tree("tree_telco_reg.tsv", est, Xr, yr, rf,
               {"criterion": "mse", "max_depth": 6, "min_samples_leaf": 5}, regression=True)
    # cross-validated accuracy on one-hot text features
    Xo = pd.get_dummies(df[NUMERIC + TEXT], columns=TEXT).to_numpy(dtype=np.float64)
    with open(os.path.join(GOLDEN, "tree_telco_cv.tsv"), "w") as f:
        f.write("features\t%s\n" % "\t".join(NUMERIC + TEXT))
        for depth in (3, 4, 5, 6):
            accs, leaves = [], []
            for tr, te in KFold(n_splits=5).split(Xo):
                est = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(Xo[tr], y[tr])
                accs.append(est.score(Xo[te], y[te]))
                leaves.append(est.get_n_leaves())
            f.write("cv\t%d\t%s\t%s\n" % (depth, fmt(np.mean(accs)), fmt(np.mean(leaves))))


if __name__ == "__main__":
    main()
