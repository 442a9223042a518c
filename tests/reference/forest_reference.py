#!/usr/bin/env python3
"""Golden 5-fold cross-validation of random forests computed with scikit-learn.

Run with Debian's python3 (python3-sklearn 1.2, python3-numpy, python3-pandas) from the
repository root, with ../shared/data present:

    /usr/bin/python3 tests/reference/forest_reference.py

It writes tests/reference/golden/forest_cv_sklearn.tsv: for each dataset the mean over the 5
folds of the held-out accuracy (threshold 0.5 on the probability of the positive class) and
of the ROC AUC of RandomForestClassifier(criterion="gini", bootstrap=True, max_depth=None,
min_samples_leaf=1, random_state=0) at the settings below. tests/reference/forest_ranger.R
writes the same for R ranger, and tests/python/test_forest.py fits libcrm's forest on the same
folds and asserts it is within 0.5 points of both.

Folds: row i is in fold i % 5 (rows in file order), the other four folds train.

Datasets (the same columns on every side):
- telco: the Telco churn file without the 11 rows of missing TotalCharges (7,032 rows), target
  Churn == "Yes"; features tenure, MonthlyCharges, TotalCharges, SeniorCitizen and the 15 text
  columns one-hot encoded (one 0/1 column per category, 41 of them); 300 trees, max_features 6.
- generated: 5,000 rows of 10 features from the Park-Miller generator (s <- 48271 s mod
  2147483647, starting at s = 12345; u = s / 2147483647; per row 10 feature draws x_j = 100 u
  then one noise draw e), y = 1 when x0 + 0.5 x1 - 0.8 x2 + 30 [x3 > 50] + 0.004 x4^2 +
  60 (e - 0.5) > 70 (x5..x9 are noise); 300 trees, max_features 3.
"""
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(HERE, "golden")
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
TEXT = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines", "InternetService",
        "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV",
        "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod"]
SETTINGS = {"telco": (300, 6), "generated": (300, 3)}


def telco():
    df = pd.read_csv(os.path.join(DATA, "telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce")
    df = df.dropna(subset=["TotalCharges"]).reset_index(drop=True)
    X = pd.get_dummies(df[NUMERIC + TEXT], columns=TEXT).to_numpy(dtype=np.float64)
    return X, (df["Churn"] == "Yes").to_numpy(dtype=np.float64)


def generated(n=5000, d=10):
    s = 12345
    X = np.empty((n, d))
    y = np.empty(n)
    for i in range(n):
        for j in range(d):
            s = 48271 * s % 2147483647
            X[i, j] = 100.0 * s / 2147483647
        s = 48271 * s % 2147483647
        e = s / 2147483647
        x = X[i]
        score = x[0] + 0.5 * x[1] - 0.8 * x[2] + (30.0 if x[3] > 50 else 0.0) + 0.004 * x[4] * x[4]
        y[i] = 1.0 if score + 60.0 * (e - 0.5) > 70.0 else 0.0
    return X, y


def cv(X, y, trees, mtry):
    fold = np.arange(len(y)) % 5
    acc, auc = [], []
    for k in range(5):
        tr, te = fold != k, fold == k
        est = RandomForestClassifier(n_estimators=trees, max_features=mtry, max_depth=None,
                                     min_samples_leaf=1, bootstrap=True, random_state=0,
                                     n_jobs=2).fit(X[tr], y[tr])
        p = est.predict_proba(X[te])[:, 1]
        acc.append(float(np.mean((p > 0.5) == y[te])))
        auc.append(float(roc_auc_score(y[te], p)))
    return float(np.mean(acc)), float(np.mean(auc))


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    with open(os.path.join(GOLDEN, "forest_cv_sklearn.tsv"), "w") as f:
        f.write("dataset\ttrees\tmtry\taccuracy\tauc\n")
        for name, load in (("telco", telco), ("generated", generated)):
            X, y = load()
            trees, mtry = SETTINGS[name]
            acc, auc = cv(X, y, trees, mtry)
            f.write("%s\t%d\t%d\t%.6f\t%.6f\n" % (name, trees, mtry, acc, auc))


if __name__ == "__main__":
    main()
