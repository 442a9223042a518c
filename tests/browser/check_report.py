"""Render a `crm report` page in headless Chromium and check it against the CLI.

    python3 tests/browser/check_report.py --crm build/dev/crm --data SALES.csv \
        --work DIR --screens DIR --name NAME [--quantity-price] [--page PAGE.html]

Writes the report of SALES.csv (cleaned transactions with CustomerID, InvoiceDate,
InvoiceNo, Description, Quantity, UnitPrice, Amount), runs the crm commands that
docs/report.md lists as its equivalents, opens the page in Chromium (tests/browser/cdp.py)
and asserts:
  - no console error, no network request other than the page itself;
  - every chart (<figure> <svg>) draws marks with a non-zero bounding box;
  - every number marked data-check equals the CLI's JSON or CSV output; the customers
    behind each cross-sell rule equal an independent pandas count on SALES.csv.
Saves full-page screenshots (light, dark, narrow) under --screens. Exit 0 ok, 1 failure.
"""

import argparse
import csv
import datetime
import json
import math
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cdp import Browser  # noqa: E402

FEATURES = "recency_days,frequency,monetary,tenure_days"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd):
    res = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return res.stdout


def same(got, want, rel=0.0):
    if rel == 0.0:
        return got == want
    return math.isclose(got, want, rel_tol=rel, abs_tol=1e-300)


def compare(checks, key, want, rel=0.0):
    if key not in checks:
        fail(f"page has no data-check {key}")
        return
    got = checks.pop(key)
    if not same(got, float(want), rel):
        fail(f"{key}: page {got!r}, CLI {want!r}")


def split_items(s):
    """Items of an escaped list of crm apriori ("A, B\\, C" -> ["A", "B, C"])."""
    items, cur, i = [], [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            cur.append(s[i + 1])
            i += 2
        elif s.startswith(", ", i):
            items.append("".join(cur))
            cur, i = [], i + 2
        else:
            cur.append(s[i])
            i += 1
    items.append("".join(cur))
    return items


def rule_customers(data, rules_shown):
    """Distinct customers who bought all items of each rule in one order, counted with
    pandas (the reference Python, $PYTHON or /usr/bin/python3, when this one has none)."""
    try:
        import pandas as pd
    except ImportError:
        py = os.environ.get("PYTHON", "/usr/bin/python3")
        res = subprocess.run([py, __file__, "--rule-customers", str(data)], check=True,
                             input=json.dumps(rules_shown), stdout=subprocess.PIPE, text=True)
        return json.loads(res.stdout)
    df = pd.read_csv(data, dtype=str, keep_default_na=False,
                     usecols=["InvoiceNo", "CustomerID", "Description"])
    df = df[(df.InvoiceNo != "") & (df.CustomerID != "") & (df.Description != "")]
    out = []
    for lhs, rhs in rules_shown:
        items = set(split_items(lhs)) | set(split_items(rhs))
        sub = df[df.Description.isin(items)]
        per = sub.groupby(["InvoiceNo", "CustomerID"]).Description.nunique()
        full = per[per == len(items)]
        out.append(int(full.index.get_level_values("CustomerID").nunique()))
    return out


def cli_outputs(crm, data, work, amount_args, l2):
    work.mkdir(parents=True, exist_ok=True)
    base = [crm]
    cols = ["--customer", "CustomerID", "--date", "InvoiceDate", "--invoice", "InvoiceNo"]
    out = {}
    out["rfm"] = json.loads(run(base + ["rfm", data, *cols, *amount_args, "--json",
                                        "-o", str(work / "rfm.csv")]))
    with open(work / "rfm.csv", newline="", encoding="utf-8") as f:
        out["rfm_rows"] = list(csv.DictReader(f))
    out["kmeans"] = json.loads(run(base + ["kmeans", str(work / "rfm.csv"), "--columns",
                                           "recency_days,frequency,monetary", "--log",
                                           "frequency,monetary", "--standardize", "--k", "4",
                                           "--seed", "0", "--json"]))
    as_of = datetime.date.fromisoformat(out["rfm"]["as_of"])
    cutoff = (as_of - datetime.timedelta(days=90)).isoformat()
    run(base + ["rfm", data, *cols, *amount_args, "--as-of", cutoff, "--churn-days", "90",
                "-o", str(work / "churn.csv")])
    out["logreg"] = json.loads(run(base + ["logreg", str(work / "churn.csv"), "--target",
                                           "churned", "--features", FEATURES, "--json",
                                           "--l2", repr(l2),
                                           "--model", str(work / "churn.json")]))
    run(base + ["predict", str(work / "churn.json"), str(work / "rfm.csv"),
                "-o", str(work / "pred.csv")])
    with open(work / "pred.csv", newline="", encoding="utf-8") as f:
        out["pred"] = {r["customer"]: float(r["prediction_proba"]) for r in csv.DictReader(f)}
    out["apriori"] = json.loads(run(base + ["apriori", data, "--tid", "InvoiceNo", "--item",
                                            "Description", "--min-support", "0.01",
                                            "--min-lift", "2", "--dedup", "--json",
                                            "-o", str(work / "rules.csv")]))
    with open(work / "rules.csv", newline="", encoding="utf-8") as f:
        out["rules"] = {(r["antecedent"], r["consequent"]): r for r in csv.DictReader(f)}
    run(base + ["clv", data, "--customer", "CustomerID", "--date", "InvoiceDate", "--amount",
                "Amount", "--json", "-o", str(work / "clv.csv")])
    with open(work / "clv.csv", newline="", encoding="utf-8") as f:
        out["clv"] = {r["customer"]: float(r["clv"]) for r in csv.DictReader(f)}
    out["arima"] = json.loads(run(base + ["arima", data, "--time", "InvoiceDate", "--value",
                                          "Amount", "--period", "month", "--auto",
                                          "--horizon", "6", "--level", "80", "--level", "95",
                                          "--json"]))
    return out


def check_numbers(checks, rules_shown, cli):
    rfm = cli["rfm"]
    compare(checks, "rfm.customers", rfm["customers"])
    for name, n in rfm["segments"].items():
        compare(checks, "rfm.segment." + name, n)
    for name, n in rfm["lifecycle"].items():
        compare(checks, "rfm.lifecycle." + name, n)
    rows = cli["rfm_rows"]
    compare(checks, "report.orders", math.fsum(float(r["frequency"]) for r in rows))
    revenue = math.fsum(float(r["monetary"]) for r in rows)
    compare(checks, "report.revenue", revenue, 1e-12)
    compare(checks, "report.average_order",
            revenue / math.fsum(float(r["frequency"]) for r in rows), 1e-12)
    grid = {}
    for r in rows:
        key = f"rfm.grid.r{r['r_score']}f{r['f_score']}"
        grid[key] = grid.get(key, 0) + 1
    for key in [k for k in checks if k.startswith("rfm.grid.")]:
        compare(checks, key, grid.get(key, 0))
    km = cli["kmeans"]
    compare(checks, "kmeans.inertia", km["stats"]["inertia"])
    for c in km["summary"]:
        i = c["cluster"]
        compare(checks, f"kmeans.size.{i}", c["size"])
    for c in km["centers_original"]:
        i = c["cluster"]
        for field in ("recency_days", "frequency", "monetary"):
            compare(checks, f"kmeans.profile.{i}.{field}", c[field])
    compare(checks, "logreg.l2", cli["logreg"]["stats"]["l2"])
    for term in cli["logreg"]["summary"]:
        if term["term"] != "intercept":
            compare(checks, "logreg.coef." + term["term"], term["estimate"])
    risk = [k for k in checks if k.startswith("churn.proba.")]
    if not risk:
        fail("no at-risk customers on the page")
    for key in risk:
        compare(checks, key, cli["pred"][key[len("churn.proba."):]])
    compare(checks, "apriori.rules", cli["apriori"]["rules"])
    for i, (lhs, rhs) in enumerate(rules_shown):
        rule = cli["rules"].get((lhs, rhs))
        if rule is None:
            fail(f"rule {lhs} -> {rhs} is not in crm apriori's rules")
            continue
        for field in ("count", "confidence", "lift"):
            compare(checks, f"apriori.rule.{i}.{field}", rule[field])
    for i, n in enumerate(cli["rule_customers"]):
        compare(checks, f"report.rule.{i}.customers", n)
    compare(checks, "clv.total", math.fsum(cli["clv"].values()), 1e-12)
    top = [k for k in checks if k.startswith("clv.value.")]
    if not top:
        fail("no customers in the customer value section")
    best = sorted(cli["clv"].values(), reverse=True)[:len(top)]
    shown = sorted((checks[k] for k in top), reverse=True)
    if shown != best:
        fail("the customers listed are not the highest CLVs of crm clv")
    for key in top:
        compare(checks, key, cli["clv"][key[len("clv.value."):]])
    ar = cli["arima"]
    if "arima.aicc" in checks:
        compare(checks, "arima.aicc", ar["stats"]["aicc"])
    for fc in ar["forecasts"]:
        for field in ("mean", "lower_80", "upper_80", "lower_95", "upper_95"):
            compare(checks, f"arima.forecast.{fc['step']}.{field}", fc[field])
    if checks:
        fail(f"data-check keys not compared: {sorted(checks)[:10]}")


MARKS_JS = """(() => Array.from(document.querySelectorAll('figure svg')).map(svg => {
  const marks = Array.from(svg.querySelectorAll('rect, circle, polyline, polygon, line'));
  const drawn = marks.filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  const r = svg.getBoundingClientRect();
  return {label: svg.getAttribute('aria-label'), marks: marks.length, drawn: drawn.length,
          width: r.width, height: r.height};
}))()"""

CHECKS_JS = """Array.from(document.querySelectorAll('[data-check]')).map(
  e => [e.dataset.check, e.dataset.value])"""

RULES_JS = """Array.from(document.querySelectorAll('ul.rules li')).map(
  e => [e.dataset.antecedent, e.dataset.consequent])"""


def check_page(page_path, screens, name, cli, get_cli):
    with Browser(width=1200, height=900) as b:
        page = b.open(page_path)
        charts = page.eval(MARKS_JS)
        if len(charts) < 9:
            fail(f"{name}: only {len(charts)} charts")
        for c in charts:
            if c["drawn"] == 0 or c["width"] <= 0 or c["height"] <= 0:
                fail(f"{name}: chart {c['label']!r} draws nothing ({c})")
        checks = {}
        for key, value in page.eval(CHECKS_JS):
            if key in checks:
                fail(f"{name}: data-check {key} twice")
            checks[key] = float(value)
        rules_shown = page.eval(RULES_JS)
        bare = page.eval("Array.from(document.querySelectorAll('figure')).filter(f => "
                         "f.querySelector('svg') && !(f.querySelector('table') && "
                         "f.querySelector('a.csv[href^=\"data:text/csv\"]'))).length")
        if bare:
            fail(f"{name}: {bare} chart figure(s) without a numbers table and a CSV link")
        page.screenshot(screens / f"{name}.png", full_page=True)
        page.emulate_media(dark=True)
        page.screenshot(screens / f"{name}-dark.png", full_page=False)
        page.emulate_media(dark=False)
        page.set_viewport(390, 844, mobile=True)
        overflow = page.eval("document.documentElement.scrollWidth")
        if overflow > 400:
            fail(f"{name}: page is {overflow}px wide on a 390px screen")
        page.screenshot(screens / f"{name}-narrow.png", full_page=False)
        page.emulate_media(media="print")
        page.pdf(screens / f"{name}.pdf")
        if page.console_errors:
            fail(f"{name}: console errors {page.console_errors}")
        url = pathlib.Path(page_path).resolve().as_uri()
        others = [u for u in page.requests if u != url]
        if others:
            fail(f"{name}: network requests {others[:5]}")
    print(f"{name}: {len(charts)} charts, {len(checks)} numbers checked, "
          f"{len(rules_shown)} rules")
    # the page says which L2 penalty the churn model needed (0 unless separated)
    cli.update(get_cli(checks.get("logreg.l2", 0.0)))
    cli["rule_customers"] = rule_customers(cli["data"], rules_shown)
    check_numbers(checks, rules_shown, cli)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crm", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True, type=pathlib.Path)
    ap.add_argument("--screens", required=True, type=pathlib.Path)
    ap.add_argument("--name", required=True)
    ap.add_argument("--quantity-price", action="store_true",
                    help="give the report and crm rfm --quantity/--price instead of --amount")
    a = ap.parse_args()
    amount_args = (["--quantity", "Quantity", "--price", "UnitPrice"] if a.quantity_price
                   else ["--amount", "Amount"])
    a.work.mkdir(parents=True, exist_ok=True)
    a.screens.mkdir(parents=True, exist_ok=True)
    page = a.work / f"{a.name}.html"
    run([a.crm, "report", a.data, "-o", str(page), "--customer", "CustomerID", "--date",
         "InvoiceDate", "--invoice", "InvoiceNo", "--item", "Description", *amount_args,
         "--title", f"Customer report: {a.name}"])
    size = os.path.getsize(page)
    print(f"{a.name}: report {size} bytes")
    if size > 2 * 1024 * 1024:
        fail(f"{a.name}: report is {size} bytes (> 2 MB)")
    cli = {"data": a.data}
    check_page(page, a.screens, a.name, cli, lambda l2: cli_outputs(a.crm, a.data, a.work,
                                                                     amount_args, l2))
    if failures:
        print(f"{a.name}: {len(failures)} failure(s)")
        return 1
    print(f"{a.name}: ok")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--rule-customers":
        print(json.dumps(rule_customers(sys.argv[2], json.load(sys.stdin))))
        sys.exit(0)
    sys.exit(main())
