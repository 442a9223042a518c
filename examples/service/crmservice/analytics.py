"""Every model of the service, computed from one transaction table with libcrm.

``compute(tx, settings)`` returns plain JSON data (dicts, lists, numbers,
strings): the content of one snapshot. Requests never call into the C library;
they read this data, so any number of request threads can serve it at once.

The steps (the same as the README demo):

1. clean: known customers, positive quantity and price, no cancellations, no
   exact duplicates; Amount = Quantity * UnitPrice;
2. RFM scores, named segments and lifecycle as of the day after the last sale;
3. k-means (k = 4) on recency, log(1 + frequency), log(1 + monetary),
   standardized; cluster profiles are medians in original units (days,
   orders, money) and each cluster is named by where its medians stand among
   the clusters (recent/lapsed, frequent/occasional/one-time, big/mid/low
   spenders);
4. churn: logistic regression fitted on the customers as they stood
   ``churn_days`` before the end of the data, target "no purchase in the
   ``churn_days`` that followed"; then applied to today's RFM table, so each
   customer gets the probability of buying nothing in the next ``churn_days``;
5. next purchase: the customer's mean gap between orders
   ((last - first purchase) / (orders - 1)) added to the last purchase;
   customers with one order get none. Beside it the CLV model (libcrm.Clv,
   BG/NBD + Gamma-Gamma on daily purchase periods): P(alive), expected
   purchases in the next ``churn_days`` days, expected spend per purchase and
   the 12-month CLV (1 % monthly discount);
6. monthly sales forecast: automatic seasonal ARIMA, 6 months, 80/95 % bands;
7. cross-sell: Apriori rules on invoices x descriptions (support >= 1 %,
   lift >= 2), one rule kept per (antecedent, consequent) pair of item sets.
"""

import datetime
import statistics

import libcrm

__all__ = ["DEFAULTS", "compute"]

DEFAULTS = {
    "churn_days": 90,
    "k": 4,
    "seed": 0,
    "horizon": 6,
    "min_support": 0.01,
    "min_lift": 2.0,
    "clv_months": 12,
    "clv_discount": 0.01,
}

CLEAN_FILTER = ("CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                "and not startswith(InvoiceNo, 'C')")
FEATURES = ["recency_days", "frequency", "monetary", "tenure_days"]

SEGMENT_ADVICE = {
    "Champions": "Bought recently, buy often. Reward them; ask for reviews; early access.",
    "Loyal Customers": "Buy regularly. Offer loyalty perks and upsell higher-value products.",
    "Potential Loyalists": "Recent, a few orders. A membership or bundle can make them loyal.",
    "New Customers": "First order just now. Welcome them and help with the second order.",
    "Promising": "Recent but rare buyers. Make the brand known; a small first-repeat offer.",
    "Need Attention": "Average recency and frequency. Limited-time offers, recommendations.",
    "About To Sleep": "Fading. Reconnect with popular products and a discount before they go.",
    "At Risk": "Used to buy often, not lately. Personal emails, win-back offers.",
    "Cannot Lose Them": "Were among the best, now silent. Win them back; ask what went wrong.",
    "Hibernating": "Long gone, few orders. Offer relevant products; don't overspend.",
    "Lost": "Lowest recency and frequency. Revive only with a cheap campaign, else let go.",
}


def _day(ts):
    return ts.strftime("%Y-%m-%d")


def _clean(tx):
    sales = tx.filter(CLEAN_FILTER)
    sales.dedup()
    sales.mutate("Amount", "Quantity * UnitPrice")
    return sales


def _clv(sales, settings):
    """{customer id: (p_alive, expected purchases, expected spend, clv)} and the model info."""
    summary = libcrm.clv_summary(sales, "CustomerID", "InvoiceDate", "Amount", period="day")
    model = libcrm.Clv(horizon=settings["clv_months"], discount=settings["clv_discount"],
                       t=settings["churn_days"]).fit(summary)
    model.predict(summary)
    cols = summary.to_columns()
    per = {_customer_id(c): (cols["p_alive"][i], cols["expected_purchases"][i],
                             cols["expected_spend"][i], cols["clv"][i])
           for i, c in enumerate(cols["customer"])}
    info = {"model": "BG/NBD + Gamma-Gamma", "period": "day",
            "horizon_months": settings["clv_months"],
            "monthly_discount": settings["clv_discount"],
            "expected_purchases_days": settings["churn_days"], "params": model.params,
            "total_clv": _round(sum(v[3] for v in per.values() if v[3] is not None)
                                if any(v[3] is not None for v in per.values()) else None, 2)}
    return per, info


def _round(value, digits):
    """round(), keeping None (a model value that does not exist: NaN in libcrm)."""
    return None if value is None else round(value, digits)


def _customer_id(value):
    """Customer ids as strings: integral numbers without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _churn_model(sales, as_of, churn_days):
    """The churn classifier, fitted on the table as of `as_of` - `churn_days`."""
    cutoff = as_of - datetime.timedelta(days=churn_days)
    table = libcrm.rfm(sales, "CustomerID", "InvoiceDate", amount="Amount", invoice="InvoiceNo",
                       as_of=cutoff, churn_days=churn_days)
    model = libcrm.LogisticRegression(standardize=True).fit(table, "churned", FEATURES)
    scored = table.clone()
    model.predict(scored, "p")
    auc = libcrm.classification_metrics(scored, "churned", "p_proba")["auc"]
    coefs = model.coefficients()
    drivers = []
    for term in FEATURES:
        c = coefs[term]
        per = {"recency_days": 30, "tenure_days": 30, "frequency": 1, "monetary": 100}[term]
        drivers.append({"term": term, "estimate": c["estimate"], "p_value": c["p_value"],
                        "per": per, "odds_factor": c["odds_ratio"] ** per})
    info = {"cutoff": _day(cutoff), "churn_days": churn_days, "trained_on": len(table),
            "churn_rate": sum(table["churned"]) / len(table), "auc": auc,
            "features": FEATURES, "drivers": drivers}
    return model, info


def _cluster_names(profiles):
    """A plain name per cluster from its medians relative to the other clusters."""
    def rank(key, reverse=False):
        order = sorted(profiles, key=lambda p: p[key], reverse=reverse)
        return {p["cluster"]: i for i, p in enumerate(order)}
    recent = rank("recency_days")            # 0 = most recent
    often = rank("frequency", reverse=True)  # 0 = most orders
    spend = rank("monetary", reverse=True)   # 0 = biggest spenders
    n = len(profiles)
    for p in profiles:
        when = "recent" if recent[p["cluster"]] < n / 2 else "lapsed"
        how = ("one-time" if p["frequency"] <= 1 else
               "frequent" if often[p["cluster"]] == 0 else "occasional")
        size = ("big spenders" if spend[p["cluster"]] == 0 else
                "low spenders" if spend[p["cluster"]] == n - 1 else "mid spenders")
        p["name"] = "%s %s %s" % (when, how, size)
    seen = {}
    for p in sorted(profiles, key=lambda p: p["cluster"]):
        seen[p["name"]] = seen.get(p["name"], 0) + 1
        if seen[p["name"]] > 1:
            p["name"] += " (%d)" % seen[p["name"]]


def _clusters(table, settings):
    """k-means on the RFM table; adds "cluster" to it; returns the profiles."""
    km = libcrm.KMeans(k=settings["k"], seed=settings["seed"], standardize=True,
                       mutate=["frequency=log(1 + frequency)", "monetary=log(1 + monetary)"])
    km.fit(table, ["recency_days", "frequency", "monetary"])
    km.predict(table, "cluster")
    cols = table.to_columns()
    profiles = []
    for c in range(settings["k"]):
        rows = [i for i, v in enumerate(cols["cluster"]) if v == c]
        profiles.append({
            "cluster": c, "customers": len(rows),
            "recency_days": statistics.median(cols["recency_days"][i] for i in rows),
            "frequency": statistics.median(cols["frequency"][i] for i in rows),
            "monetary": statistics.median(cols["monetary"][i] for i in rows),
            "revenue": sum(cols["monetary"][i] for i in rows)})
    _cluster_names(profiles)
    return profiles, km.stat("inertia")


def _next_purchase(recency, frequency, tenure, as_of):
    if frequency < 2:
        return {"method": "mean_gap", "mean_gap_days": None, "expected_date": None,
                "days_until": None}
    gap = (tenure - recency) / (frequency - 1)
    last = as_of - datetime.timedelta(days=recency)
    return {"method": "mean_gap", "mean_gap_days": round(gap, 1),
            "expected_date": _day(last + datetime.timedelta(days=gap)),
            "days_until": round(gap - recency, 1)}


def _customers(table, as_of, cluster_names, clv):
    cols = table.to_columns()
    out = []
    for i in range(len(table)):
        rec, freq, ten = cols["recency_days"][i], cols["frequency"][i], cols["tenure_days"][i]
        cluster = int(cols["cluster"][i])
        cid = _customer_id(cols["customer"][i])
        p_alive, purchases, spend, value = clv[cid]
        out.append({
            "id": cid,
            "recency_days": rec, "frequency": freq, "monetary": round(cols["monetary"][i], 2),
            "tenure_days": ten,
            "r_score": int(cols["r_score"][i]), "f_score": int(cols["f_score"][i]),
            "m_score": int(cols["m_score"][i]), "rfm_cell": cols["rfm_cell"][i],
            "segment": cols["segment"][i], "lifecycle": cols["lifecycle"][i],
            "cluster": cluster, "cluster_name": cluster_names[cluster],
            "churn_probability": round(cols["churn_proba"][i], 6),
            "last_purchase": _day(as_of - datetime.timedelta(days=rec)),
            "next_purchase": _next_purchase(rec, freq, ten, as_of),
            "p_alive": _round(p_alive, 6), "expected_purchases": _round(purchases, 4),
            "expected_spend": _round(spend, 2), "clv": _round(value, 2)})
    return out


def _segments(customers):
    total = sum(c["monetary"] for c in customers)
    out = []
    for name in libcrm.rfm_segments():
        members = [c for c in customers if c["segment"] == name]
        revenue = sum(c["monetary"] for c in members)
        row = {"segment": name, "customers": len(members), "revenue": round(revenue, 2),
               "revenue_share": revenue / total if total else 0.0,
               "advice": SEGMENT_ADVICE.get(name, "")}
        row["clv"] = round(sum(c["clv"] for c in members if c["clv"] is not None), 2)
        for key in ("recency_days", "frequency", "monetary", "churn_probability", "p_alive"):
            row["mean_" + key] = (sum(c[key] for c in members) / len(members)) if members else None
        out.append(row)
    return out


def _forecast(sales, horizon):
    model = libcrm.Arima(auto=True).fit_dataset(sales, "InvoiceDate", "Amount", "month")
    stats = model.stats()
    order = "ARIMA(%d,%d,%d)" % (stats["p"], stats["d"], stats["q"])
    if stats["period"] > 1 and stats["sp"] + stats["sd"] + stats["sq"] > 0:
        order += "(%d,%d,%d)[%d]" % (stats["sp"], stats["sd"], stats["sq"], stats["period"])
    monthly = sales.clone()
    monthly.mutate("month", "year(InvoiceDate) * 100 + month(InvoiceDate)")
    hist = monthly.group(["month"], ["sales=sum(Amount)"]).to_columns()
    fc = model.forecast(horizon).to_columns()
    history = [{"month": "%04d-%02d" % divmod(int(m), 100), "sales": round(s, 2)}
               for m, s in zip(hist["month"], hist["sales"])]
    forecast = [{"month": fc["time"][i].strftime("%Y-%m"), "mean": round(fc["mean"][i], 2),
                 "lower_80": round(fc["lower_80"][i], 2), "upper_80": round(fc["upper_80"][i], 2),
                 "lower_95": round(fc["lower_95"][i], 2), "upper_95": round(fc["upper_95"][i], 2)}
                for i in range(len(fc["step"]))]
    return {"model": order, "aicc": stats["aicc"], "history": history, "forecast": forecast,
            "explained": "%s chosen automatically by AICc (as R's auto.arima) on monthly "
                         "sales; bands are 80 %% and 95 %% prediction intervals." % order}


def _rules(sales, settings):
    _, rules = libcrm.apriori(sales, "InvoiceNo", "Description",
                              min_support=settings["min_support"], min_lift=settings["min_lift"])
    cols = rules.to_columns()
    out = []
    seen = set()
    for i in range(len(rules)):
        ante = libcrm.split_items(cols["antecedent"][i])
        cons = libcrm.split_items(cols["consequent"][i])
        key = (frozenset(ante), frozenset(cons))
        if key in seen:
            continue
        seen.add(key)
        out.append({"antecedent": ante, "consequent": cons, "count": int(cols["count"][i]),
                    "support": cols["support"][i], "confidence": cols["confidence"][i],
                    "lift": cols["lift"][i]})
    out.sort(key=lambda r: (-r["lift"], -r["confidence"], r["antecedent"], r["consequent"]))
    return out


def compute(tx, settings=None):
    """All models from the raw transaction Dataset `tx`, as JSON-ready data."""
    settings = dict(DEFAULTS, **(settings or {}))
    sales = _clean(tx)
    if len(sales) == 0:
        raise ValueError("no sales left after cleaning (%s)" % CLEAN_FILTER)
    as_of = libcrm.rfm_default_as_of(sales, "InvoiceDate")
    table = libcrm.rfm(sales, "CustomerID", "InvoiceDate", amount="Amount", invoice="InvoiceNo")
    churn, churn_info = _churn_model(sales, as_of, settings["churn_days"])
    churn.predict(table, "churn")
    profiles, inertia = _clusters(table, settings)
    clv, clv_info = _clv(sales, settings)
    customers = _customers(table, as_of, {p["cluster"]: p["name"] for p in profiles}, clv)
    cols = sales.select(["InvoiceNo", "InvoiceDate", "Amount"]).to_columns()
    revenue = sum(cols["Amount"])
    return {
        "as_of": _day(as_of),
        "data": {"rows": len(tx), "sales_rows": len(sales),
                 "orders": len(set(cols["InvoiceNo"])), "customers": len(customers),
                 "revenue": round(revenue, 2), "first_sale": _day(min(cols["InvoiceDate"])),
                 "last_sale": _day(max(cols["InvoiceDate"]))},
        "customers": customers,
        "segments": _segments(customers),
        "clusters": {"k": settings["k"], "inertia": inertia, "profiles": profiles},
        "churn": churn_info,
        "clv": clv_info,
        "forecast": _forecast(sales, settings["horizon"]),
        "rules": _rules(sales, settings),
        "next_purchase_method": "mean gap between the customer's orders added to the last "
                                "purchase; none for one-order customers",
    }
