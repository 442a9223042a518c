"""2,000 requests from 8 concurrent clients with a model refresh in the middle.

After a quarter of the requests, new sales are appended to the SQLite database (one day after
the last sale, so every recency, score and forecast changes) and
POST /api/refresh is sent. Checks:

* every request succeeds (200);
* no torn read: every answer names its snapshot generation, and all answers
  to the same request with the same generation are identical; across
  endpoints, a segment's list total equals that segment's size in
  /api/segments of the same generation;
Requests from number 1,500 on wait for the refresh to return, so at least
the last quarter runs after it (the middle half runs while it computes).

* the refresh is visible: two generations were served, they differ, and
  every request sent after the refresh returned got the new generation,
  from both gunicorn workers;
* p50 / p99 latency are printed and written to build/service-screens/load.json.
"""

import datetime
import json
import os
import sqlite3
import statistics
import threading
import time

from conftest import ARTIFACTS

CLIENTS = 8
REQUESTS = 2000


def _plan(server):
    """The mix of requests: (method, path, body) tuples."""
    status, _, segs = server.get("/api/segments")
    assert status == 200
    _, _, top = server.get("/api/customers?sort=monetary&order=desc&per_page=20")
    _, _, items = server.get("/api/items")
    plan = [("GET", "/api/summary", None), ("GET", "/api/segments", None),
            ("GET", "/api/forecast", None), ("GET", "/api/health", None)]
    for s in segs["segments"]:
        q = s["segment"].replace(" ", "%20")
        plan.append(("GET", "/api/customers?segment=%s&per_page=10&sort=churn_probability" % q,
                     None))
    plan += [("GET", "/api/customers/" + c["id"], None) for c in top["customers"][:8]]
    plan += [("POST", "/api/cross-sell", [i]) for i in items["items"][:4]]
    plan.append(("GET", "/api/customers?page=2&per_page=25", None))
    return plan


def _append_sales(db):
    """New sales one day after the last one: a new invoice for three customers."""
    con = sqlite3.connect(db)
    last = con.execute("SELECT max(InvoiceDate) FROM transactions").fetchone()[0]
    when = (datetime.datetime.strptime(last, "%Y-%m-%d %H:%M:%S")
            + datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    customers = [r[0] for r in con.execute(
        "SELECT DISTINCT CustomerID FROM transactions WHERE CustomerID IS NOT NULL "
        "ORDER BY CustomerID LIMIT 3")]
    rows = [("L9000%d" % i, "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 12, when, 2.55, c,
             "United Kingdom") for i, c in enumerate(customers)]
    con.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()


def test_concurrent_requests_with_refresh(server):
    plan = _plan(server)
    results = []           # (key, status, generation, body text, latency s, sent at)
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    quarter = threading.Event()
    refreshed = threading.Event()
    done = [0]
    refresh_info = {}

    def client():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            if i >= 3 * REQUESTS // 4:
                refreshed.wait(120)
            method, path, body = plan[i % len(plan)]
            sent = time.monotonic()
            try:
                status, headers, payload = server.request(method, path, body=body)
            except Exception as exc:  # noqa: BLE001 - recorded as a failure below
                status, headers, payload = -1, {}, repr(exc)
            latency = time.monotonic() - sent
            gen = payload.get("generation") if isinstance(payload, dict) else None
            with lock:
                results.append(((method, path, json.dumps(body)), status, gen,
                                json.dumps(payload, sort_keys=True), latency, sent))
                done[0] += 1
                if done[0] == REQUESTS // 4:
                    quarter.set()

    def refresher():
        quarter.wait(60)
        try:
            _append_sales(server.db)
            refresh_info["sent"] = time.monotonic()
            refresh_info["result"] = server.refresh()
            refresh_info["returned"] = time.monotonic()
        finally:
            refreshed.set()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    rt = threading.Thread(target=refresher)
    started = time.monotonic()
    for t in threads + [rt]:
        t.start()
    for t in threads + [rt]:
        t.join(120)
    wall = time.monotonic() - started

    assert len(results) == REQUESTS
    failures = [(k, s, p[:200]) for k, s, _, p, _, _ in results if s != 200]
    assert not failures, failures[:5]
    status, _, body = refresh_info["result"]
    assert status == 200, body
    new_gen = body["generation"]
    old_gen = body["previous_generation"]
    assert new_gen == old_gen + 1

    # No torn read: one answer per (request, generation).
    answers = {}
    for key, _, gen, text, _, _ in results:
        assert gen in (old_gen, new_gen), (key, gen)
        answers.setdefault((key, gen), set()).add(text)
    torn = {k: len(v) for k, v in answers.items() if len(v) > 1}
    assert not torn, torn
    # Both generations served, and they differ (the refresh changed the models).
    gens = {gen for _, _, gen, _, _, _ in results}
    assert gens == {old_gen, new_gen}
    summary = ("GET", "/api/summary", "null")
    if (summary, old_gen) in answers and (summary, new_gen) in answers:
        before = json.loads(next(iter(answers[(summary, old_gen)])))
        after = json.loads(next(iter(answers[(summary, new_gen)])))
        assert after["data"]["rows"] == before["data"]["rows"] + 3
        assert after["as_of"] > before["as_of"]
    # Across endpoints: list totals agree with the segment sizes of the same generation.
    sizes = {}
    for (key, gen), texts in answers.items():
        if key[1] == "/api/segments":
            sizes[gen] = {s["segment"]: s["customers"]
                          for s in json.loads(next(iter(texts)))["segments"]}
    checked = 0
    for (key, gen), texts in answers.items():
        if key[1].startswith("/api/customers?segment=") and gen in sizes:
            seg = key[1].split("=", 1)[1].split("&", 1)[0].replace("%20", " ")
            assert json.loads(next(iter(texts)))["total"] == sizes[gen][seg]
            checked += 1
    assert checked >= 11
    # Every request sent after the refresh returned saw the new generation.
    late = [gen for _, _, gen, _, _, sent in results if sent > refresh_info["returned"]]
    assert late and all(g == new_gen for g in late)

    latencies = sorted(r[4] for r in results)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    figures = {"requests": REQUESTS, "clients": CLIENTS, "server": "gunicorn 2 workers x 4 threads",
               "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
               "max_ms": round(latencies[-1] * 1000, 2),
               "wall_s": round(wall, 2), "requests_per_s": round(REQUESTS / wall, 1),
               "refresh_s": round(refresh_info["returned"] - refresh_info["sent"], 3),
               "generations": sorted(gens),
               "during_refresh": sum(1 for r in results
                                     if refresh_info["sent"] <= r[5] < refresh_info["returned"]),
               "answered_by_new_generation": sum(1 for r in results if r[2] == new_gen)}
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "load.json"), "w") as f:
        json.dump(figures, f, indent=1)
    print("\nload: %(requests)d requests, %(clients)d clients: p50 %(p50_ms).1f ms, "
          "p99 %(p99_ms).1f ms, %(requests_per_s).0f req/s, refresh %(refresh_s).2f s" % figures)
