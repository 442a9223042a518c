"""The conformance pipeline in Python (the steps and the output format are in
tests/conformance/SPEC.md; every language prints the same bytes).

Usage: python3 conformance.py DATA_DIR OUT_FILE
"""
import datetime
import os
import struct
import sys
import tempfile

import libcrm

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
HEAD = 5


def jstr(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def jnum(x):
    if x != x:
        return '"nan"'
    return '"%016x"' % struct.unpack("<Q", struct.pack("<d", x))[0]


def jval(kind, v):
    if v is None:
        return "null"
    if kind == "number":
        return jnum(v)
    if kind == "time":
        return str(int((v - EPOCH).total_seconds()))
    return jstr(v)


def column_block(ds, name):
    kind = ds.dtypes[name]
    values = ds[name]
    n = len(values)
    missing = sum(1 for v in values if v is None)
    parts = ['"name":' + jstr(name), '"type":"%s"' % kind, '"missing":%d' % missing]
    if kind == "number":
        total = 0.0
        for v in values:
            if v is not None:
                total += v
        parts.append('"sum":' + jnum(total))
    elif kind == "text":
        parts.append('"distinct":%d' % len({v for v in values if v is not None}))
    parts.append('"head":[' + ",".join(jval(kind, v) for v in values[:HEAD]) + "]")
    parts.append('"last":' + (jval(kind, values[-1]) if n else "null"))
    return "{" + ",".join(parts) + "}"


def dataset_block(ds):
    cols = ",".join(column_block(ds, name) for name in ds.columns)
    return '{"rows":%d,"columns":[%s]}' % (len(ds), cols)


def stats_block(model):
    return "{" + ",".join(jstr(k) + ":" + jnum(v) for k, v in model.stats().items()) + "}"


def main():
    data, out_path = sys.argv[1], sys.argv[2]
    out = []

    def member(key, value):
        out.append(jstr(key) + ":" + value)

    member("version", jstr(libcrm.library_version))

    # 1. read
    retail = libcrm.Dataset.read_csv(os.path.join(data, "online_retail", "online_retail.csv.gz"))
    member("retail", dataset_block(retail))

    # 2. clean
    sales = retail.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0")
    sales.mutate("Amount", "Quantity * UnitPrice")
    removed = sales.dedup(keep="first")
    member("dedup_removed", str(removed))
    member("sales", dataset_block(sales))

    # 3. RFM
    scores = libcrm.rfm(sales, customer="CustomerID", date="InvoiceDate", amount="Amount",
                        invoice="InvoiceNo")
    member("rfm", dataset_block(scores))

    # 4. k-means on log RFM (steps recorded in the model)
    cols = ["recency_days", "frequency", "monetary"]
    km = libcrm.KMeans(k=4, n_init=10, seed=42, standardize=True, n_threads=1,
                       mutate=["%s=log1p(%s)" % (c, c) for c in cols])
    km.fit(scores, cols)
    member("kmeans_stats", stats_block(km))
    member("kmeans_summary", dataset_block(km.summary()))
    labelled = scores.clone()
    km.predict(labelled, "cluster")
    member("kmeans_labels", column_block(labelled, "cluster"))

    # 5. Telco logistic regression
    telco = libcrm.Dataset.read_csv(
        os.path.join(data, "telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    lr = libcrm.LogisticRegression(positive="Yes", missing="drop", n_threads=1)
    lr.fit(telco, "Churn", ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen",
                            "Contract", "InternetService", "PaymentMethod",
                            "PaperlessBilling"])
    member("logreg_stats", stats_block(lr))
    member("logreg_summary", dataset_block(lr.summary()))

    # 6. Apriori on FIMI retail
    baskets = libcrm.Dataset.read_baskets(os.path.join(data, "fimi_retail", "retail.dat"))
    itemsets, rules = libcrm.apriori(baskets, "tid", "item", min_support=0.01,
                                     min_confidence=0.5, n_threads=1)
    member("itemsets", dataset_block(itemsets))
    member("rules", dataset_block(rules))

    # 7. auto-ARIMA on the monthly air passengers
    air = libcrm.Dataset.read_csv(os.path.join(data, "airpassengers", "airpassengers.csv"))
    arima = libcrm.Arima(auto_order=True, n_threads=1)
    arima.fit_dataset(air, "date", "value", period="month")
    member("arima_stats", stats_block(arima))
    member("arima_forecast", dataset_block(arima.forecast(12, level=95)))

    # 8. save, load, predict again
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kmeans.json")
        km.save(path)
        loaded = libcrm.load_model(path)
    member("loaded_kind", jstr(loaded.kind_name))
    member("loaded_stats", stats_block(loaded))
    again = scores.clone()
    loaded.predict(again, "cluster")
    member("loaded_labels", column_block(again, "cluster"))

    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("{\n" + ",\n".join(out) + "\n}\n")


if __name__ == "__main__":
    main()
