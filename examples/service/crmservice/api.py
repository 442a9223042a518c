"""The HTTP JSON API and the page (Flask).

``create_app()`` reads its settings from the environment (see config.py and
docs/service.md); gunicorn runs it as ``'crmservice.api:create_app()'``.

Every JSON answer carries ``generation``, the snapshot it was computed from
(also in the ``X-Snapshot-Generation`` header). Errors are JSON too:
``{"error": "...", "status": 400}`` with status 400 (bad parameter or body),
401 (refresh without the right token), 403 (refresh disabled), 404 (unknown
customer or path), 405, 413 (body over 64 KiB) or 500.
"""

import hmac
import importlib.resources
import time

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import config as config_mod
from .snapshot import SORT_KEYS, Store
from .source import Source

__all__ = ["create_app", "ApiError"]

MAX_PER_PAGE = 500
MAX_BASKET = 100
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'")


class ApiError(Exception):
    """An error answer: HTTP status and message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _int_arg(args, name, default, low, high):
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ApiError(400, "%s: %r is not an integer" % (name, raw)) from None
    if not low <= value <= high:
        raise ApiError(400, "%s: %d is out of range %d..%d" % (name, value, low, high))
    return value


def _choice_arg(args, name, choices, default=None):
    raw = args.get(name)
    if raw is None:
        return default
    if raw not in choices:
        raise ApiError(400, "%s: %r is not one of: %s" % (name, raw, ", ".join(map(str, choices))))
    return raw


def _check_args(allowed):
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiError(400, "unknown parameter(s): %s; this endpoint takes: %s"
                       % (", ".join(unknown), ", ".join(allowed) or "none"))
    for name in request.args:
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, "%s: given more than once" % name)


def _answer(snap, body, status=200):
    body = dict(body)
    body["generation"] = snap.generation
    resp = jsonify(body)
    resp.status_code = status
    return resp


def _customers(snap):
    _check_args(("segment", "cluster", "lifecycle", "sort", "order", "page", "per_page"))
    args = request.args
    segment = _choice_arg(args, "segment", snap.segment_names)
    lifecycle = _choice_arg(args, "lifecycle", snap.lifecycles)
    cluster = _int_arg(args, "cluster", None, 0, snap.n_clusters - 1)
    sort = _choice_arg(args, "sort", SORT_KEYS, "monetary")
    order = _choice_arg(args, "order", ("asc", "desc"), "desc")
    page = _int_arg(args, "page", 1, 1, 10 ** 9)
    per_page = _int_arg(args, "per_page", 50, 1, MAX_PER_PAGE)
    total, rows = snap.customers_page(segment, cluster, lifecycle, sort, order, page, per_page)
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise ApiError(404, "page %d: there are %d page(s) of %d" % (page, pages, per_page))
    return _answer(snap, {"total": total, "page": page, "per_page": per_page, "pages": pages,
                          "sort": sort, "order": order,
                          "filters": {"segment": segment, "cluster": cluster,
                                      "lifecycle": lifecycle},
                          "customers": rows})


def _basket():
    limit_bytes = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None or request.content_length > limit_bytes:
        # Werkzeug enforces the limit on forms only; a JSON body is checked here.
        raise ApiError(413 if request.content_length else 411,
                       "the body is too large (at most %d bytes)" % limit_bytes
                       if request.content_length else "give the body with a Content-Length")
    if not request.is_json:
        raise ApiError(400, "send the basket as JSON (Content-Type: application/json)")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "the body is not valid JSON")
    limit = 10
    if isinstance(body, dict):
        unknown = sorted(set(body) - {"items", "limit"})
        if unknown:
            raise ApiError(400, "unknown field(s): %s; give items and optionally limit"
                           % ", ".join(unknown))
        limit = body.get("limit", 10)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ApiError(400, "limit: give an integer 1..100")
        body = body.get("items")
    if not isinstance(body, list) or not body:
        raise ApiError(400, "give a non-empty JSON list of item names (or {\"items\": [...]})")
    if len(body) > MAX_BASKET:
        raise ApiError(400, "a basket holds at most %d items" % MAX_BASKET)
    if not all(isinstance(i, str) and 0 < len(i) <= 200 for i in body):
        raise ApiError(400, "every item must be a non-empty string of at most 200 characters")
    return body, limit


def _register_api(app, store, token):
    @app.get("/api")
    def api_index():
        snap = g.snap
        _check_args(())
        return _answer(snap, {"endpoints": [
            "GET /api/health", "GET /api/summary", "GET /api/segments",
            "GET /api/customers?segment=&cluster=&lifecycle=&sort=&order=&page=&per_page=",
            "GET /api/customers/<id>", "GET /api/forecast", "GET /api/items",
            "POST /api/cross-sell", "POST /api/refresh"]})

    @app.get("/api/health")
    def health():
        _check_args(())
        return _answer(g.snap, {"status": "ok", "computed_at": g.snap.data["computed_at"]})

    @app.get("/api/summary")
    def summary():
        _check_args(())
        d = g.snap.data
        return _answer(g.snap, {
            "source": d["source"], "as_of": d["as_of"], "computed_at": d["computed_at"],
            "compute_seconds": d["compute_seconds"], "data": d["data"], "churn": d["churn"],
            "clusters": d["clusters"], "clv": d["clv"], "forecast_model": d["forecast"]["model"],
            "rules": len(d["rules"]), "next_purchase_method": d["next_purchase_method"]})

    @app.get("/api/segments")
    def segments():
        _check_args(())
        d = g.snap.data
        return _answer(g.snap, {"as_of": d["as_of"], "customers": d["data"]["customers"],
                                "segments": d["segments"], "clusters": d["clusters"]})

    @app.get("/api/customers")
    def customers():
        return _customers(g.snap)

    @app.get("/api/customers/<cid>")
    def customer(cid):
        _check_args(())
        row = g.snap.by_id.get(cid)
        if row is None:
            raise ApiError(404, "customer %r not found" % cid)
        return _answer(g.snap, {"as_of": g.snap.data["as_of"], "customer": row})

    @app.get("/api/forecast")
    def forecast():
        _check_args(())
        return _answer(g.snap, g.snap.data["forecast"])

    @app.get("/api/items")
    def items():
        _check_args(())
        return _answer(g.snap, {"items": list(g.snap.items)})

    @app.post("/api/cross-sell")
    def cross_sell():
        _check_args(())
        basket, limit = _basket()
        rules = g.snap.cross_sell(basket, limit)
        known = set(g.snap.items)
        return _answer(g.snap, {"basket": basket, "rules": rules,
                                "unknown_items": [i for i in basket if i not in known]})

    @app.post("/api/refresh")
    def refresh():
        _check_args(())
        if not token:
            raise ApiError(403, "refresh is disabled: start the service with CRM_SERVICE_TOKEN")
        auth = request.headers.get("Authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                  token.encode()):
            resp = jsonify({"error": "refresh needs the header Authorization: Bearer <token>",
                            "status": 401})
            resp.status_code = 401
            resp.headers["WWW-Authenticate"] = 'Bearer realm="crm-service"'
            return resp
        old = g.snap.generation
        snap = store.refresh()
        g.snap = snap
        return _answer(snap, {"previous_generation": old,
                              "compute_seconds": snap.data["compute_seconds"]})


def _register_errors(app):
    @app.errorhandler(ApiError)
    def api_error(exc):
        resp = jsonify({"error": exc.message, "status": exc.status})
        resp.status_code = exc.status
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc):
        messages = {404: "no such endpoint: %s %s" % (request.method, request.path),
                    405: "%s is not allowed on %s" % (request.method, request.path),
                    413: "the body is too large (at most %d bytes)"
                         % (app.config["MAX_CONTENT_LENGTH"] or 0)}
        resp = jsonify({"error": messages.get(exc.code, exc.description), "status": exc.code})
        resp.status_code = exc.code
        if exc.code == 405 and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def internal_error(exc):
        app.logger.exception("internal error")
        resp = jsonify({"error": "internal error: %s" % type(exc).__name__, "status": 500})
        resp.status_code = 500
        return resp


def create_app(settings=None):
    """The Flask application. `settings` (a dict) overrides the environment
    (config.from_env()). Computes or loads the first snapshot before returning."""
    cfg = config_mod.from_env(settings)
    source = Source(cfg["db"], cfg["table"])
    if not source.exists():
        if not cfg["create"]:
            raise FileNotFoundError("%s does not exist" % source.describe())
        config_mod.create_database(cfg)
    store = Store(source, cfg["state_dir"], cfg["models"])
    store.start()
    page = importlib.resources.files(__package__).joinpath("page.html").read_bytes()

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.sort_keys = False
    app.extensions["crm_store"] = store

    @app.before_request
    def take_snapshot():
        g.started = time.perf_counter()
        g.snap = store.sync()

    @app.after_request
    def headers(resp):
        snap = getattr(g, "snap", None)
        if snap is not None:
            resp.headers["X-Snapshot-Generation"] = str(snap.generation)
        if hasattr(g, "started"):
            resp.headers["Server-Timing"] = "app;dur=%.2f" % (
                (time.perf_counter() - g.started) * 1000)
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    @app.get("/")
    def index():
        resp = Response(page, mimetype="text/html")
        resp.headers["Content-Security-Policy"] = PAGE_CSP
        return resp

    _register_api(app, store, cfg["token"])
    _register_errors(app)
    return app
