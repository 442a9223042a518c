"""Scale-out benchmark: libcrm.dask on a distributed.LocalCluster vs one machine
vs plain Dask/pandas (groupby RFM).

Order lines are generated inside the workers, partition by partition, from
(seed, partition index), so every side sees the same rows without reading a
file. Times are whole calls (generation of the partitions, conversion to libcrm
Datasets, statistics, merges, finalize); the one-machine side generates the
same partitions, concatenates them and runs libcrm.rfm / KMeans /
LogisticRegression in a child process whose peak RSS is measured. Peak memory
per worker is the VmHWM of the worker process (a fresh cluster, HWM reset, for
each algorithm). Results are asserted equal
(RFM bit for bit; k-means centers and logistic coefficients to 1e-12
relative).

    python3 bench/scale_out/bench.py --rows 20000000 --partitions 20 --workers 2
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

CENTERS = [[1.0, 5.0], [3.0, 20.0], [6.0, 60.0], [9.0, 150.0]]
FEATURES = ["quantity", "price"]


def generate(index, rows, seed=20):
    """Partition `index` of the order lines (rows of them)."""
    rng = np.random.default_rng([seed, index])
    customer = rng.integers(0, 1_000_000, rows).astype(np.float64)
    quantity = rng.integers(1, 11, rows).astype(np.float64)
    price = np.round(rng.gamma(2.0, 15.0, rows), 2) + 0.01  # never 0 (rfm refuses it)
    logit = -2.0 + 0.15 * quantity + 0.01 * price
    return pd.DataFrame({
        "customer": customer,
        "invoice": (index * rows + np.arange(rows) // 4).astype(np.float64),
        "date": (np.datetime64("2022-01-01T00:00:00", "s")
                 + rng.integers(0, 2 * 365 * 86400, rows).astype("timedelta64[s]")),
        "amount": np.round(quantity * price, 2),
        "quantity": quantity,
        "price": price,
        "y": (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float64),
    })


def sizes(rows, parts):
    return [rows // parts + (1 if i < rows % parts else 0) for i in range(parts)]


def one_machine(rows, parts, out):
    import libcrm
    res = {}
    t0 = time.perf_counter()
    pdf = pd.concat([generate(i, n) for i, n in enumerate(sizes(rows, parts))],
                    ignore_index=True)
    ds = libcrm.Dataset.from_columns({c: pdf[c] for c in pdf.columns})
    del pdf
    t_load = time.perf_counter() - t0
    t = time.perf_counter()
    table = libcrm.rfm(ds, "customer", "date", amount="amount", invoice="invoice")
    res["rfm_s"] = time.perf_counter() - t + t_load
    table.write_csv(out + ".rfm.csv")
    t = time.perf_counter()
    km = libcrm.KMeans(k=4, init="given", init_centers=CENTERS, tol=0, max_iter=10,
                       algorithm="lloyd", n_threads=1).fit(ds, FEATURES)
    res["kmeans_s"] = time.perf_counter() - t + t_load
    res["centers"] = [km.summary()[c] for c in FEATURES]
    t = time.perf_counter()
    lr = libcrm.LogisticRegression(solver="newton", tol=1e-12).fit(ds, "y", FEATURES)
    res["logreg_s"] = time.perf_counter() - t + t_load
    res["coef"] = [v["estimate"] for v in lr.coefficients().values()]
    res["load_s"] = t_load
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(out + ".json", "w") as f:
        json.dump(res, f)


def _reset_hwm():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM (peak RSS) of this process (Linux >= 4.0)


def _hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak(client):
    """Peak RSS (MiB) of the most loaded worker since the last reset."""
    return max(client.run(_hwm_mb).values())


def close(a, b, rel=1e-12):
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    return bool(np.all(np.abs(a - b) <= rel * np.abs(b)))


def distributed_side(args, tmp):
    import dask
    import dask.dataframe as dd
    import distributed
    import libcrm.dask as lcd

    meta = generate(0, 0)
    parts = sizes(args.rows, args.partitions)

    def ddf():
        return dd.from_delayed([dask.delayed(generate, pure=True)(i, n)
                                for i, n in enumerate(parts)], meta=meta, verify_meta=False)

    sample = generate(0, 100_000)

    def share_of(columns):
        return sum(sample[columns].memory_usage(deep=True, index=False)) / len(sample) \
            * args.rows / args.workers / 2**20

    res = {"partition_share_mb": share_of(list(sample.columns)),
           # the share of the columns each analysis reads
           "rfm_columns_share_mb": share_of(["customer", "invoice", "date", "amount"]),
           "kmeans_columns_share_mb": share_of(FEATURES),
           "logreg_columns_share_mb": share_of(["y"] + FEATURES)}

    def timed(name, fn):
        # a fresh cluster per algorithm: the workers' peak RSS is this algorithm's
        with distributed.LocalCluster(n_workers=args.workers, processes=True,
                                      threads_per_worker=1, dashboard_address=None,
                                      host="127.0.0.1", memory_limit=0) as cluster, \
                distributed.Client(cluster) as client:
            res["worker_baseline_mb"] = peak(client)
            client.run(_reset_hwm)
            t = time.perf_counter()
            value = fn()
            res[name + "_s"] = time.perf_counter() - t
            res[name + "_loadavg_after"] = os.getloadavg()
            res[name + "_peak_mb"] = peak(client)
        return value

    table = timed("rfm", lambda: lcd.rfm(ddf(), "customer", "date", amount="amount",
                                         invoice="invoice"))
    table.write_csv(tmp + ".dist.rfm.csv")
    km = timed("kmeans", lambda: lcd.KMeans(k=4, init_centers=CENTERS, tol=0, max_iter=10)
               .fit(ddf(), FEATURES))
    res["centers"] = [km.summary()[c] for c in FEATURES]
    lr = timed("logreg", lambda: lcd.LogisticRegression().fit(ddf(), "y", FEATURES))
    res["coef"] = [v["estimate"] for v in lr.coefficients().values()]

    def pandas_rfm():
        # plain Dask/pandas at its best: the four columns RFM reads, one groupby
        # aggregation (min/max date, sum amount; a tree reduction like libcrm's) and
        # the distinct invoices per customer in the same compute
        d = ddf()[["customer", "invoice", "date", "amount"]]
        g = d.groupby("customer")
        agg, frequency = dask.compute(g.agg({"date": ["min", "max"], "amount": "sum"}),
                                      g["invoice"].nunique())
        out = pd.DataFrame({"first": agg[("date", "min")], "last": agg[("date", "max")],
                            "monetary": agg[("amount", "sum")], "frequency": frequency})
        as_of = out["last"].max().normalize() + pd.Timedelta(days=1)
        out["recency_days"] = (as_of - out["last"]).dt.total_seconds() / 86400
        out["tenure_days"] = (as_of - out["first"]).dt.total_seconds() / 86400
        return out

    pd_table = timed("pandas_rfm", pandas_rfm)
    res["pandas_customers"] = len(pd_table)
    res["libcrm_customers"] = len(table)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--partitions", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tmp", default="/tmp/crm_scale_out")
    ap.add_argument("--one-machine", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_machine:
        one_machine(args.rows, args.partitions, args.tmp)
        return
    load = os.getloadavg()
    dist = distributed_side(args, args.tmp)
    subprocess.run([sys.executable, __file__, "--one-machine", "--rows", str(args.rows),
                    "--partitions", str(args.partitions), "--tmp", args.tmp], check=True)
    with open(args.tmp + ".json") as f:
        one = json.load(f)
    with open(args.tmp + ".rfm.csv", "rb") as a, open(args.tmp + ".dist.rfm.csv", "rb") as b:
        rfm_equal = a.read() == b.read()
    report = {"rows": args.rows, "partitions": args.partitions, "workers": args.workers,
              "loadavg_at_start": load, "distributed": dist, "one_machine": one,
              "rfm_bit_identical": rfm_equal,
              "kmeans_centers_1e-12": close(dist["centers"], one["centers"]),
              "logreg_coef_1e-12": close(dist["coef"], one["coef"])}
    print(json.dumps(report, indent=1))
    for p in (".json", ".rfm.csv", ".dist.rfm.csv"):
        os.unlink(args.tmp + p)
    ok = rfm_equal and report["kmeans_centers_1e-12"] and report["logreg_coef_1e-12"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
