"""Test set-up of the customer service (examples/service): a real server.

The ``server`` fixture creates a SQLite shop from crm synth data in a scratch
directory, starts gunicorn (2 workers, 4 threads each, ``--preload``) on
127.0.0.1 at a port chosen at run time, waits for /api/health and stops it by
its PID (process group) at the end, also when a test fails. ``dev_server``
does the same with ``python3 -m crmservice serve`` (the Flask development
server).

Run by scripts/ci_service.sh (which checks the tools first); run by hand after
a dev build with ``python3 -m pytest tests/service``. LIBCRM_PATH defaults to
build/dev/libcrm.so.1 of this checkout. Artifacts (screenshots, latency
figures) go to build/service-screens/.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ARTIFACTS = os.path.join(REPO, "build", "service-screens")
TOKEN = "test-refresh-token"

pytest.importorskip("flask", reason="python3-flask is not installed")

# In-process tests import the app too.
os.environ.setdefault("LIBCRM_PATH", os.path.join(REPO, "build", "dev", "libcrm.so.1"))
for _path in (os.path.join(REPO, "bindings", "python"), os.path.join(REPO, "examples", "service")):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def _env(db, state):
    env = dict(os.environ)
    env.setdefault("LIBCRM_PATH", os.path.join(REPO, "build", "dev", "libcrm.so.1"))
    paths = [os.path.join(REPO, "bindings", "python"), os.path.join(REPO, "examples", "service")]
    env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [env.get("PYTHONPATH")] if p])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["CRM_SERVICE_DB"] = "sqlite:" + db
    env["CRM_SERVICE_STATE"] = state
    env["CRM_SERVICE_TOKEN"] = TOKEN
    return env


def free_port():
    """A loopback port that was free a moment ago (the caller retries on a clash)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A started service: base address, db path, and request helpers."""

    def __init__(self, proc, port, db, state, log):
        self.proc = proc
        self.port = port
        self.host = "127.0.0.1"
        self.url = "http://127.0.0.1:%d" % port
        self.db = db
        self.state = state
        self.log = log

    def request(self, method, path, body=None, headers=None, raw=None, timeout=30):
        """(status, headers dict, parsed JSON or text) of one request on a new connection."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            data = raw
            if body is not None:
                data = json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            hmap = {k.lower(): v for k, v in resp.getheaders()}
            if hmap.get("content-type", "").startswith("application/json"):
                return resp.status, hmap, json.loads(payload)
            return resp.status, hmap, payload.decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def refresh(self):
        return self.post("/api/refresh", headers={"Authorization": "Bearer " + TOKEN})


def _stop(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def _start(argv_for_port, workdir, name):
    """Create the database, start the server; returns a Server (tries 3 ports)."""
    db = os.path.join(workdir, "shop.sqlite")
    state = os.path.join(workdir, "state")
    env = _env(db, state)
    if not os.path.exists(db):
        subprocess.run([sys.executable, "-m", "crmservice", "init"], env=env, check=True,
                       cwd=workdir, stdout=subprocess.DEVNULL)
    last = None
    for _ in range(3):
        port = free_port()
        log = open(os.path.join(workdir, "%s-%d.log" % (name, port)), "w")
        proc = subprocess.Popen(argv_for_port(port), env=env, cwd=workdir, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        pidfile = os.environ.get("CRM_SERVICE_PIDFILE")
        if pidfile:  # scripts/ci_service.sh stops what an interrupted run leaves
            with open(pidfile, "a") as f:
                f.write("%d\n" % proc.pid)
        server = Server(proc, port, db, state, log.name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if server.get("/api/health", timeout=5)[0] == 200:
                    return server
            except OSError:
                time.sleep(0.1)
        _stop(proc)
        log.close()
        with open(log.name) as f:
            last = f.read()[-3000:]
    raise RuntimeError("the %s did not start; its log ends with:\n%s" % (name, last))


@pytest.fixture(scope="session")
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """gunicorn, 2 workers x 4 threads, the app created once in the master (--preload)."""
    workdir = str(tmp_path_factory.mktemp("gunicorn"))
    srv = _start(lambda port: [sys.executable, "-m", "gunicorn", "--preload", "--workers", "2",
                               "--threads", "4", "--worker-class", "gthread",
                               "--bind", "127.0.0.1:%d" % port, "--graceful-timeout", "5",
                               "crmservice.api:create_app()"], workdir, "gunicorn")
    try:
        yield srv
    finally:
        _stop(srv.proc)


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory):
    """The Flask development server of ``python3 -m crmservice serve``."""
    workdir = str(tmp_path_factory.mktemp("devserver"))
    srv = _start(lambda port: [sys.executable, "-m", "crmservice", "serve", "--port", str(port)],
                 workdir, "dev-server")
    try:
        yield srv
    finally:
        _stop(srv.proc)
