#!/usr/bin/env python3
"""Check the "test" metrics of `crm tree/forest --test ... --json` against scikit-learn.

Usage: heldout_sklearn.py OUT.json PRED.csv TARGET POSITIVE|-
  OUT.json: the --json output; PRED.csv: `crm predict MODEL TEST.csv -o PRED.csv` (the test
  rows with prediction and prediction_proba). POSITIVE: the positive class of a classifier
  ("-" for regression). The positive class's probability is prediction_proba where the
  positive class is predicted, 1 - prediction_proba elsewhere (two classes); sklearn.metrics
  scores it (accuracy at > 0.5, AUC, log loss, precision, recall, F1) or the regression
  predictions (RMSE, MAE, R^2). Exits 1 (printing the differences) unless every metric equals
  scikit-learn's within 1e-12.
"""
import csv
import json
import math
import sys

from sklearn import metrics


def same(a, b):
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def main():
    out, pred, target, positive = sys.argv[1:5]
    t = json.load(open(out))["test"]
    t = t[0] if isinstance(t, list) else t
    rows = list(csv.DictReader(open(pred, newline="")))
    if positive == "-":
        y = [float(r[target]) for r in rows]
        p = [float(r["prediction"]) for r in rows]
        want = {"n": len(y), "rmse": math.sqrt(metrics.mean_squared_error(y, p)),
                "mae": metrics.mean_absolute_error(y, p), "r2": metrics.r2_score(y, p)}
    else:
        y = [1 if same(r[target], positive) else 0 for r in rows]
        p = [float(r["prediction_proba"]) if same(r["prediction"], positive)
             else 1 - float(r["prediction_proba"]) for r in rows]
        hard = [1 if v > 0.5 else 0 for v in p]
        want = {"n": len(y), "accuracy": metrics.accuracy_score(y, hard),
                "auc": metrics.roc_auc_score(y, p), "log_loss": metrics.log_loss(y, p),
                "precision": metrics.precision_score(y, hard, zero_division=0),
                "recall": metrics.recall_score(y, hard, zero_division=0),
                "f1": metrics.f1_score(y, hard, zero_division=0)}
    bad = [k for k, v in want.items() if not abs(t[k] - v) <= 1e-12]
    for k in bad:
        print("%s: crm %r, scikit-learn %r" % (k, t[k], want[k]))
    sys.exit(1 if bad else 0)


main()
