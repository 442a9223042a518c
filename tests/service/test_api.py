"""Every endpoint of the service with valid and malformed input, on gunicorn."""

import sqlite3

import pytest

SEGMENTS = ("Champions", "Loyal Customers", "Potential Loyalists", "New Customers", "Promising",
            "Need Attention", "About To Sleep", "At Risk", "Cannot Lose Them", "Hibernating",
            "Lost")


def _error(result, status):
    code, headers, body = result
    assert code == status, body
    assert headers["content-type"].startswith("application/json")
    assert isinstance(body, dict) and body["status"] == status and body["error"]
    return body["error"]


def _ok(result):
    code, headers, body = result
    assert code == 200, body
    assert headers["x-snapshot-generation"] == str(body["generation"])
    return body


def test_index_and_health(server):
    body = _ok(server.get("/api"))
    assert "POST /api/refresh" in body["endpoints"]
    assert _ok(server.get("/api/health"))["status"] == "ok"
    assert "unknown parameter" in _error(server.get("/api/health?x=1"), 400)


def test_summary_matches_the_database(server):
    s = _ok(server.get("/api/summary"))
    con = sqlite3.connect(server.db)
    rows, customers = con.execute(
        "SELECT count(*), count(DISTINCT CustomerID) FROM transactions").fetchone()
    con.close()
    assert s["data"]["rows"] == rows
    # Customers with at least one clean sale: all of them in a crm synth shop.
    assert s["data"]["customers"] <= customers and s["data"]["customers"] > 0.9 * customers
    assert 0.5 < s["churn"]["auc"] <= 1
    assert [d["term"] for d in s["churn"]["drivers"]] == ["recency_days", "frequency", "monetary",
                                                         "tenure_days"]
    # More days without a purchase, more churn.
    assert s["churn"]["drivers"][0]["odds_factor"] > 1
    assert s["clusters"]["k"] == 4 and len(s["clusters"]["profiles"]) == 4
    assert s["clv"]["model"] == "BG/NBD + Gamma-Gamma" and s["clv"]["horizon_months"] == 12
    assert set(s["clv"]["params"]) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert s["clv"]["total_clv"] > 0
    assert s["forecast_model"].startswith("ARIMA(")
    assert s["rules"] > 0


def test_segments_add_up(server):
    body = _ok(server.get("/api/segments"))
    segs = body["segments"]
    assert tuple(s["segment"] for s in segs) == SEGMENTS
    assert sum(s["customers"] for s in segs) == body["customers"]
    assert sum(s["revenue_share"] for s in segs) == pytest.approx(1.0, abs=1e-9)
    assert all(s["advice"] for s in segs)
    profiles = body["clusters"]["profiles"]
    assert sum(p["customers"] for p in profiles) == body["customers"]
    assert len({p["name"] for p in profiles}) == 4
    # Medians in original units: days and order counts are whole numbers here.
    for p in profiles:
        assert p["recency_days"] >= 0 and p["frequency"] >= 1 and p["monetary"] > 0


def test_customers_paged_sorted_filtered(server):
    segs = {s["segment"]: s["customers"] for s in _ok(server.get("/api/segments"))["segments"]}
    body = _ok(server.get("/api/customers?segment=Champions&sort=monetary&order=desc"
                          "&per_page=7&page=1"))
    assert body["total"] == segs["Champions"]
    assert body["pages"] == -(-segs["Champions"] // 7)
    rows = body["customers"]
    assert len(rows) == 7 and all(r["segment"] == "Champions" for r in rows)
    assert [r["monetary"] for r in rows] == sorted((r["monetary"] for r in rows), reverse=True)
    # Pages tile the list: page 2 starts where page 1 stopped.
    page2 = _ok(server.get("/api/customers?segment=Champions&sort=monetary&order=desc"
                           "&per_page=7&page=2"))["customers"]
    assert page2[0]["monetary"] <= rows[-1]["monetary"]
    assert not {r["id"] for r in rows} & {r["id"] for r in page2}
    everyone = _ok(server.get("/api/customers?per_page=500&sort=id&order=asc"))
    ids = [int(r["id"]) for r in everyone["customers"]]
    assert ids == sorted(ids)
    asc = _ok(server.get("/api/customers?sort=churn_probability&order=asc&per_page=50"))
    probs = [r["churn_probability"] for r in asc["customers"]]
    assert probs == sorted(probs) and all(0 <= p <= 1 for p in probs)
    churned = _ok(server.get("/api/customers?lifecycle=churned&cluster=0&per_page=500"))
    assert all(r["lifecycle"] == "churned" and r["cluster"] == 0 for r in churned["customers"])
    by_value = _ok(server.get("/api/customers?sort=clv&order=desc&per_page=500"))["customers"]
    values = [r["clv"] for r in by_value if r["clv"] is not None]
    assert values == sorted(values, reverse=True) and values[0] > 0
    everyone = _ok(server.get("/api/customers?per_page=500&page=1"))["customers"] + \
        _ok(server.get("/api/customers?per_page=500&page=2"))["customers"]
    total = _ok(server.get("/api/summary"))["clv"]["total_clv"]
    assert sum(r["clv"] for r in everyone if r["clv"] is not None) == pytest.approx(total, abs=1)
    assert all(0 <= r["p_alive"] <= 1 for r in everyone)
    nxt = _ok(server.get("/api/customers?sort=next_purchase&order=asc&per_page=500&page=2"))
    days = [r["next_purchase"]["days_until"] for r in nxt["customers"]]
    known = [d for d in days if d is not None]
    assert known == sorted(known)
    assert days == known + [None] * (len(days) - len(known))  # no estimate: last


@pytest.mark.parametrize("query, words", [
    ("page=0", "page: 0 is out of range"),
    ("page=abc", "page: 'abc' is not an integer"),
    ("page=1.5", "not an integer"),
    ("per_page=501", "per_page: 501 is out of range"),
    ("per_page=-1", "out of range"),
    ("sort=password", "sort: 'password' is not one of"),
    ("order=up", "order: 'up' is not one of"),
    ("segment=Nobody", "segment: 'Nobody' is not one of"),
    ("lifecycle=dead", "lifecycle"),
    ("cluster=4", "cluster: 4 is out of range 0..3"),
    ("cluster=", "not an integer"),
    ("segmnet=Champions", "unknown parameter(s): segmnet"),
    ("page=1&page=2", "page: given more than once"),
])
def test_customers_bad_parameters(server, query, words):
    assert words in _error(server.get("/api/customers?" + query), 400)


def test_customers_page_past_the_end(server):
    assert "there are" in _error(server.get("/api/customers?page=100000"), 404)


def test_one_customer(server):
    first = _ok(server.get("/api/customers?sort=monetary&order=desc&per_page=1"))["customers"][0]
    body = _ok(server.get("/api/customers/" + first["id"]))
    c = body["customer"]
    assert c == first
    for key in ("recency_days", "frequency", "monetary", "tenure_days", "r_score", "f_score",
                "m_score", "rfm_cell", "segment", "lifecycle", "cluster", "cluster_name",
                "churn_probability", "last_purchase", "next_purchase", "p_alive",
                "expected_purchases", "expected_spend", "clv"):
        assert key in c
    assert c["rfm_cell"] == "%d%d%d" % (c["r_score"], c["f_score"], c["m_score"])
    # The most valuable customer has several orders: a next-purchase estimate.
    np_ = c["next_purchase"]
    assert np_["method"] == "mean_gap" and np_["mean_gap_days"] > 0
    assert np_["mean_gap_days"] == pytest.approx(
        (c["tenure_days"] - c["recency_days"]) / (c["frequency"] - 1), abs=0.05)
    assert np_["days_until"] == pytest.approx(np_["mean_gap_days"] - c["recency_days"], abs=0.1)
    # Its values agree with the database: monetary = sum of its clean sales.
    con = sqlite3.connect(server.db)
    spent, orders = con.execute(
        "SELECT sum(q * p), count(DISTINCT inv) FROM (SELECT DISTINCT InvoiceNo inv, StockCode, "
        "Description, Quantity q, InvoiceDate, UnitPrice p, CustomerID, Country "
        "FROM transactions WHERE CustomerID = ? AND Quantity > 0 AND UnitPrice > 0 "
        "AND InvoiceNo NOT LIKE 'C%')", (int(c["id"]),)).fetchone()
    con.close()
    assert c["monetary"] == pytest.approx(spent, abs=0.01)
    assert c["frequency"] == orders


def test_one_customer_errors(server):
    assert "not found" in _error(server.get("/api/customers/0"), 404)
    assert "not found" in _error(server.get("/api/customers/abc%20def"), 404)
    assert "unknown parameter" in _error(server.get("/api/customers/12346?x=1"), 400)


def test_forecast(server):
    body = _ok(server.get("/api/forecast"))
    assert len(body["history"]) >= 24 and len(body["forecast"]) == 6
    months = [h["month"] for h in body["history"]] + [f["month"] for f in body["forecast"]]
    assert months == sorted(months) and len(set(months)) == len(months)
    for f in body["forecast"]:
        assert f["lower_95"] <= f["lower_80"] <= f["mean"] <= f["upper_80"] <= f["upper_95"]
    # The history is the monthly sum of the clean sales.
    con = sqlite3.connect(server.db)
    first_month = con.execute(
        "SELECT round(sum(q * p), 2) FROM (SELECT DISTINCT InvoiceNo inv, StockCode, Description,"
        " Quantity q, InvoiceDate d, UnitPrice p, CustomerID, Country FROM transactions"
        " WHERE CustomerID IS NOT NULL AND Quantity > 0 AND UnitPrice > 0"
        " AND InvoiceNo NOT LIKE 'C%') WHERE substr(d, 1, 7) = ?",
        (body["history"][0]["month"],)).fetchone()[0]
    con.close()
    assert body["history"][0]["sales"] == pytest.approx(first_month, abs=0.02)
    assert "unknown parameter" in _error(server.get("/api/forecast?bad=1"), 400)


def test_cross_sell(server):
    items = _ok(server.get("/api/items"))["items"]
    assert items
    body = _ok(server.post("/api/cross-sell", [items[0]]))
    assert body["basket"] == [items[0]] and body["unknown_items"] == []
    assert body["rules"]
    for r in body["rules"]:
        assert set(r["antecedent"]) <= {items[0]}
        assert not set(r["consequent"]) <= {items[0]}
        assert r["lift"] >= 2
    lifts = [r["lift"] for r in body["rules"]]
    assert lifts == sorted(lifts, reverse=True)
    # The object form with a limit, and an item nobody has heard of.
    body = _ok(server.post("/api/cross-sell", {"items": [items[0], "NO SUCH THING"], "limit": 1}))
    assert len(body["rules"]) == 1 and body["unknown_items"] == ["NO SUCH THING"]
    assert _ok(server.post("/api/cross-sell", ["NO SUCH THING"]))["rules"] == []


@pytest.mark.parametrize("body, raw, ctype, status, words", [
    (None, b"[not json", "application/json", 400, "not valid JSON"),
    (None, b'["x"]', "text/plain", 400, "Content-Type: application/json"),
    ([], None, None, 400, "non-empty JSON list"),
    ({"items": "x"}, None, None, 400, "non-empty JSON list"),
    ([1, 2], None, None, 400, "every item must be a non-empty string"),
    ([""], None, None, 400, "every item must be"),
    (["x"] * 101, None, None, 400, "at most 100 items"),
    ({"items": ["x"], "limit": 0}, None, None, 400, "limit"),
    ({"items": ["x"], "limit": True}, None, None, 400, "limit"),
    ({"items": ["x"], "colour": "red"}, None, None, 400, "unknown field(s): colour"),
    ("x", None, None, 400, "non-empty JSON list"),
    (None, b"[" + b'"x",' * 30000 + b'"x"]', "application/json", 413, "too large"),
], ids=["bad-json", "not-json-type", "empty-list", "items-not-list", "numbers", "empty-string",
        "101-items", "limit-0", "limit-bool", "unknown-field", "string", "120-kB-body"])
def test_cross_sell_bad_input(server, body, raw, ctype, status, words):
    headers = {"Content-Type": ctype} if ctype else None
    result = server.request("POST", "/api/cross-sell", body=body, raw=raw, headers=headers)
    assert words in _error(result, status)


def test_methods_and_paths(server):
    assert "not allowed" in _error(server.request("DELETE", "/api/customers"), 405)
    assert "not allowed" in _error(server.post("/api/customers", {}), 405)
    assert "not allowed" in _error(server.get("/api/refresh"), 405)
    assert "no such endpoint" in _error(server.get("/api/nothing"), 404)
    assert "no such endpoint" in _error(server.get("/etc/passwd"), 404)


def test_refresh_needs_the_token(server):
    before = _ok(server.get("/api/health"))["generation"]
    assert "Bearer" in _error(server.post("/api/refresh"), 401)
    assert "Bearer" in _error(server.post("/api/refresh", headers={
        "Authorization": "Bearer wrong"}), 401)
    assert "Bearer" in _error(server.post("/api/refresh", headers={
        "Authorization": "Basic dGVzdA=="}), 401)
    assert _ok(server.get("/api/health"))["generation"] == before
    body = _ok(server.refresh())
    assert body["generation"] == before + 1 and body["previous_generation"] >= before
    # Both workers answer with the new snapshot from now on.
    for _ in range(12):
        assert _ok(server.get("/api/health"))["generation"] == before + 1


def test_page_is_self_contained(server):
    code, headers, text = server.get("/")
    assert code == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text and "src=" not in text
    assert text.count("<link") == 1 and '<link rel="icon" href="data:,">' in text


def test_dev_server(dev_server):
    assert _ok(dev_server.get("/api/health"))["status"] == "ok"
    assert _ok(dev_server.get("/api/customers?per_page=3"))["total"] > 0
    before = _ok(dev_server.get("/api/health"))["generation"]
    assert _ok(dev_server.refresh())["generation"] == before + 1


def test_refresh_disabled_without_token(tmp_path):
    """No CRM_SERVICE_TOKEN: POST /api/refresh is 403 (in-process Flask client)."""
    from crmservice.api import create_app
    db = str(tmp_path / "shop.sqlite")
    app = create_app({"CRM_SERVICE_DB": "sqlite:" + db, "CRM_SERVICE_TOKEN": "",
                      "CRM_SERVICE_CUSTOMERS": "200", "CRM_SERVICE_DAYS": "400",
                      "CRM_SERVICE_STATE": str(tmp_path / "state")})
    client = app.test_client()
    resp = client.post("/api/refresh", headers={"Authorization": "Bearer "})
    assert resp.status_code == 403 and "disabled" in resp.get_json()["error"]
    assert client.get("/api/health").status_code == 200


def test_unreadable_snapshot_file(tmp_path):
    """A damaged snapshot.json: start computes a new generation; a running
    process keeps answering from the snapshot it has."""
    from crmservice.api import create_app
    state = tmp_path / "state"
    settings = {"CRM_SERVICE_DB": "sqlite:" + str(tmp_path / "shop.sqlite"),
                "CRM_SERVICE_CUSTOMERS": "200", "CRM_SERVICE_DAYS": "400",
                "CRM_SERVICE_STATE": str(state), "CRM_SERVICE_TOKEN": "t"}
    client = create_app(settings).test_client()
    assert client.get("/api/health").get_json()["generation"] == 1
    (state / "snapshot.json").write_text('{"generation": 7, "trunc')
    resp = client.get("/api/customers?per_page=1")
    assert resp.status_code == 200 and resp.get_json()["generation"] == 1
    again = create_app(settings).test_client()
    assert again.get("/api/health").get_json()["generation"] == 2


@pytest.mark.parametrize("path", ["/api", "/api/health", "/api/summary", "/api/segments",
                                  "/api/forecast", "/api/items", "/api/customers/12346"])
def test_unknown_parameters_refused_everywhere(server, path):
    assert "unknown parameter(s): limit" in _error(server.get(path + "?limit=5"), 400)


@pytest.mark.parametrize("path", ["/api/cross-sell", "/api/refresh"])
def test_post_endpoints_refuse_query_parameters(server, path):
    result = server.request("POST", path + "?x=1", body=["a"])
    assert "unknown parameter(s): x" in _error(result, 400)
