#!/usr/bin/env python3
"""Golden results of filter and mutate expressions on Online Retail, computed with pandas.

Run with Debian's pandas (python3-pandas) from the repository root:

    /usr/bin/python3 tests/reference/expr_summary.py > tests/reference/golden/expr_summary.tsv

The C suite `expr_shared` (tests/check_expr_shared.c) evaluates every
expression with crm_dataset_filter()/crm_dataset_mutate() and must reproduce
every line exactly. Never edit the golden file by hand: regenerate it.

Each expression of the libcrm language is paired here with the pandas code
that implements its documented meaning (docs/expressions.md): a comparison
with a missing value is missing and a filter drops the row, `not` of missing
is missing, round() halves away from zero, days_between() truncates toward
zero, log() of x <= 0 is missing.

One line per fact, tab-separated:
    KIND  FILTER  MUTATE  STAT  VALUE
- KIND "filter": FILTER is kept; MUTATE is "-"; STAT "rows" is the number of
  rows kept and STAT "rowsum" the sum of their 0-based row numbers in the
  file (so the kept rows themselves are checked, not only their count).
- KIND "sum": MUTATE is evaluated on the rows FILTER keeps; STAT "fsum" is the
  exactly rounded sum (math.fsum) of its non-missing values as a C99 hex
  float, STAT "missing" the number of missing values.
"""
import math
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
FILE = "online_retail/online_retail.csv.gz"


def load():
    df = pd.read_csv(os.path.join(DATA, FILE), parse_dates=["InvoiceDate"],
                     dtype={"InvoiceNo": str, "StockCode": str})
    return df


def ts(s):
    return pd.Timestamp(s)


def days_between(a, b):
    """Whole days from a to b, truncated toward zero (missing when either is)."""
    sec = (b - a).dt.total_seconds() if hasattr(b - a, "dt") else (b - a).total_seconds()
    return np.trunc(sec / 86400.0)


def round_half_away(x):
    """Round to a whole number, halves away from zero (exactly: |x| - floor(|x|) is exact)."""
    a = np.abs(x)
    r = np.floor(a)
    r = r + ((a - r) >= 0.5)
    return np.copysign(r, x)


def main():
    df = load()
    q, p, c = df["Quantity"], df["UnitPrice"], df["CustomerID"]
    inv, desc, country, stock = df["InvoiceNo"], df["Description"], df["Country"], df["StockCode"]
    when = df["InvoiceDate"]
    amount = q * p
    rfm = c.notna() & (q > 0) & (p > 0) & ~inv.str.startswith("C")
    rfm_expr = ("CustomerID is not missing and Quantity > 0 and UnitPrice > 0 and "
                "not startswith(InvoiceNo, 'C')")
    day_end = ts("2011-12-10")

    # (expression, boolean mask where the condition is true)
    filters = [
        ("CustomerID is not missing", c.notna()),
        ("CustomerID is missing", c.isna()),
        ("Quantity * UnitPrice > 100", amount > 100),
        (rfm_expr, rfm),
        ("CustomerID is not missing and Quantity > 0 and not startswith(InvoiceNo, 'C') and "
         "InvoiceDate >= date('2011-01-01')",
         c.notna() & (q > 0) & ~inv.str.startswith("C") & (when >= ts("2011-01-01"))),
        ("year(InvoiceDate) = 2010", when.dt.year == 2010),
        ("year(InvoiceDate) = 2011", when.dt.year == 2011),
        ("year(InvoiceDate) = 2011 and month(InvoiceDate) = 12",
         (when.dt.year == 2011) & (when.dt.month == 12)),
        ("day(InvoiceDate) = 1 or day(InvoiceDate) >= 30", (when.dt.day == 1) | (when.dt.day >= 30)),
        ("InvoiceDate >= date('2011-06-01') and InvoiceDate < date('2011-07-01 00:00')",
         (when >= ts("2011-06-01")) & (when < ts("2011-07-01"))),
        ("days_between(InvoiceDate, date('2011-12-10')) <= 90",
         days_between(when, day_end) <= 90),
        ("Country = 'United Kingdom'", country == "United Kingdom"),
        ("Country != 'United Kingdom' and Country != 'EIRE'",
         (country != "United Kingdom") & (country != "EIRE")),
        ("\"Country\" > 'M'", country > "M"),
        ("StockCode < '2'", stock < "2"),
        ("contains(Description, 'HEART')", desc.str.contains("HEART", regex=False, na=False)),
        # not of missing is missing: rows without a Description are dropped
        ("not contains(Description, 'HEART')",
         desc.notna() & ~desc.str.contains("HEART", regex=False, na=True)),
        ("Description is missing", desc.isna()),
        ("startswith(InvoiceNo, 'C') or Quantity < 0", inv.str.startswith("C") | (q < 0)),
        ("not (Quantity > 0)", ~(q > 0)),
        ("round(UnitPrice) = 2", round_half_away(p) == 2),
        ("abs(Quantity) >= 12 and UnitPrice * 2 < 1", (q.abs() >= 12) & (p * 2 < 1)),
        ("UnitPrice / (Quantity - 1) > 1", (p / (q - 1)).where(q != 1) > 1),
        ("log(UnitPrice) > 1", p.map(lambda v: math.log(v) if v > 0 else float("nan")) > 1),
        ("CustomerID > 15000 or CustomerID is missing", (c > 15000) | c.isna()),
        ("false", pd.Series(False, index=df.index)),
    ]

    # (filter, filter mask, mutate expression, values)
    def logs(s):
        return s.map(lambda v: math.log(v) if v > 0 else float("nan"))

    sums = [
        ("true", None, "Quantity * UnitPrice", amount),
        (rfm_expr, rfm, "Quantity * UnitPrice", amount),
        (rfm_expr, rfm, "days_between(InvoiceDate, date('2011-12-10'))",
         days_between(when, day_end)),
        ("year(InvoiceDate) = 2011", when.dt.year == 2011, "Quantity * UnitPrice", amount),
        ("year(InvoiceDate) = 2010", when.dt.year == 2010, "Quantity * UnitPrice", amount),
        ("true", None, "year(InvoiceDate) * 100 + month(InvoiceDate)",
         when.dt.year * 100 + when.dt.month),
        ("true", None, "log(UnitPrice)", logs(p)),
        ("true", None, "round(UnitPrice * 1.5, 1)",
         round_half_away(p * 1.5 * 10) / 10),
        ("true", None, "UnitPrice / (Quantity - 1)", (p / (q - 1)).where(q != 1)),
        ("true", None, "(InvoiceDate - date('2010-12-01')) / 3600",
         (when - ts("2010-12-01")).dt.total_seconds() / 3600),
        ("true", None, "-Quantity * (CustomerID is missing)", -q * c.isna()),
    ]

    out = sys.stdout
    out.write("# generated by tests/reference/expr_summary.py with pandas %s, numpy %s; "
              "do not edit\n" % (pd.__version__, np.__version__))
    rows = np.arange(len(df), dtype=np.int64)
    for expr, mask in filters:
        mask = mask.fillna(False).astype(bool).to_numpy()
        out.write("filter\t%s\t-\trows\t%d\n" % (expr, int(mask.sum())))
        out.write("filter\t%s\t-\trowsum\t%d\n" % (expr, int(rows[mask].sum())))
    for fexpr, mask, mexpr, values in sums:
        v = values.astype("float64")
        if mask is not None:
            v = v[mask.fillna(False).astype(bool)]
        x = v.to_numpy()
        ok = ~np.isnan(x)
        out.write("sum\t%s\t%s\tfsum\t%s\n" % (fexpr, mexpr, math.fsum(x[ok].tolist()).hex()))
        out.write("sum\t%s\t%s\tmissing\t%d\n" % (fexpr, mexpr, int((~ok).sum())))


if __name__ == "__main__":
    main()
