#!/usr/bin/env python3
"""Golden RFM table of Online Retail, computed with pandas.

Run with Debian's python3 (python3-pandas 1.5, python3-numpy 1.24) from the
repository root, with ../shared/data present:

    /usr/bin/python3 tests/reference/rfm.py

It writes tests/reference/golden/rfm_online_retail.csv: one row per customer,
in ascending CustomerID order, with the columns of crm_rfm() (crm/rfm.h)

    customer, recency_days, frequency, monetary, tenure_days, r_score,
    f_score, m_score, rfm_cell, rfm_score, segment, lifecycle

followed by one extra column, monetary_pandas (pandas' own groupby sum).
Numbers are written as Python's repr (the shortest text that reads back to
the same double), so monetary holds math.fsum's exactly rounded sum bit for
bit. The C suite rfm_shared (tests/check_rfm_shared.c) and the command-line
test tests/cli/test_rfm.sh compare libcrm's table with it.

The standard RFM preparation:
- rows with CustomerID present, Quantity > 0, UnitPrice > 0 and an InvoiceNo
  not starting with "C"; amount = Quantity * UnitPrice;
- as_of = the midnight after the last invoice date;
- recency_days = (as_of - last InvoiceDate).days,
  tenure_days = (as_of - first InvoiceDate).days;
- frequency = number of distinct InvoiceNo, monetary = math.fsum(amount).

Scores by the crm_rfm formula (not pd.qcut, which places a few boundary
customers differently): rank customers 1..n by the value ascending, ties by
customer id ascending (recency: by recency_days descending, ties by customer
id ascending), score = 1 + floor(bins * (rank - 1) / n) with bins = 5.
Segments from the (r, f) grid of crm/rfm.h; lifecycle "active" when
recency_days < 90, "inactive" when < 365, else "churned".
"""
import csv
import math
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
# output folder: $CRM_GOLDEN_DIR (scripts/regen_goldens.sh), else the committed goldens
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(HERE, "golden")
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
BINS = 5

# crm/rfm.h segment grid, GRID[r - 1][f - 1]
GRID = [
    ["Lost", "Lost", "At Risk", "At Risk", "Cannot Lose Them"],
    ["Hibernating", "Hibernating", "At Risk", "At Risk", "Cannot Lose Them"],
    ["About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
    ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers",
     "Loyal Customers"],
    ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"],
]


def scores(value, ids, bins=BINS):
    """1 + floor(bins * (rank - 1) / n), rank by (value, id) ascending."""
    n = len(value)
    order = np.lexsort((ids, value))  # last key is primary
    out = np.empty(n, dtype=np.int64)
    out[order] = 1 + (bins * np.arange(n, dtype=np.int64)) // n
    return out


def to5(s, bins=BINS):
    return 1 + (10 * s - 5) // (2 * bins)


def main():
    path = os.path.join(DATA, "online_retail", "online_retail.csv.gz")
    if not os.path.exists(path):
        print("rfm.py: %s not found; nothing written" % path, file=sys.stderr)
        return 1
    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str},
                     parse_dates=["InvoiceDate"], float_precision="round_trip")
    keep = (df["CustomerID"].notna() & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)
            & ~df["InvoiceNo"].str.startswith("C"))
    df = df[keep].copy()
    df["amount"] = df["Quantity"] * df["UnitPrice"]
    as_of = df["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    g = df.groupby("CustomerID", sort=True)
    t = pd.DataFrame({
        "recency_days": (as_of - g["InvoiceDate"].max()).dt.days,
        "frequency": g["InvoiceNo"].nunique(),
        "monetary": g["amount"].agg(lambda s: math.fsum(s.tolist())),
        "tenure_days": (as_of - g["InvoiceDate"].min()).dt.days,
        "monetary_pandas": g["amount"].sum(),
    })
    ids = t.index.to_numpy(dtype=float)
    r = scores(-t["recency_days"].to_numpy(dtype=float), ids)
    f = scores(t["frequency"].to_numpy(dtype=float), ids)
    m = scores(t["monetary"].to_numpy(dtype=float), ids)
    rec = t["recency_days"].to_numpy()
    os.makedirs(GOLDEN, exist_ok=True)
    out = os.path.join(GOLDEN, "rfm_online_retail.csv")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["customer", "recency_days", "frequency", "monetary", "tenure_days",
                    "r_score", "f_score", "m_score", "rfm_cell", "rfm_score", "segment",
                    "lifecycle", "monetary_pandas"])
        for i, cid in enumerate(t.index):
            life = "active" if rec[i] < 90 else "inactive" if rec[i] < 365 else "churned"
            w.writerow([repr(float(cid)), int(rec[i]), int(t["frequency"].iloc[i]),
                        repr(float(t["monetary"].iloc[i])), int(t["tenure_days"].iloc[i]),
                        int(r[i]), int(f[i]), int(m[i]), "%d%d%d" % (r[i], f[i], m[i]),
                        int(r[i] + f[i] + m[i]), GRID[to5(r[i]) - 1][to5(f[i]) - 1], life,
                        repr(float(t["monetary_pandas"].iloc[i]))])
    differ = int((t["monetary"] != t["monetary_pandas"]).sum())
    print("rfm.py: %d customers from %d rows, as_of %s; pandas' sum differs from the exact "
          "sum for %d customers; wrote %s" % (len(t), len(df), as_of, differ, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
