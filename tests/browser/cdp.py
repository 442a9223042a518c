"""A small driver for headless Chromium over the DevTools protocol (standard library only).

Chromium is started with --remote-debugging-pipe: the protocol runs over two pipes that the
browser expects as its file descriptors 3 (commands in) and 4 (replies and events out), each
message a JSON object terminated by a NUL byte. No port, no websocket, nothing listening.

    from cdp import Browser
    with Browser() as b:                       # temp profile; killed by PID on exit
        page = b.open("build/report.html")     # a path or a URL; waits for the load event
        page.eval("document.title")            # -> the value (JSON-serialisable)
        page.wait_for("document.querySelectorAll('svg').length > 3", timeout=10)
        page.click("a#next")
        page.screenshot("shot.png", full_page=True)
        page.screenshot_element("#chart", "chart.png")
        page.console_errors                    # console.error calls, exceptions, log errors
        page.requests                          # every URL the page asked the network for

The browser is found as $CHROMIUM, else chromium / chromium-browser / google-chrome on PATH.
browser_path() returns None when there is none (callers decide: skip or fail).
"""

import base64
import fcntl
import json
import os
import pathlib
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time

__all__ = ["Browser", "Page", "CDPError", "browser_path"]


class CDPError(RuntimeError):
    """A protocol error, a JavaScript exception, a timeout or a browser that went away."""


def browser_path():
    """The Chromium executable to use, or None."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _as_url(target):
    text = str(target)
    if "://" in text or text.startswith(("about:", "data:")):
        return text
    return pathlib.Path(text).resolve().as_uri()


class _Connection:
    """The pipe pair, a reader thread, replies matched to commands by id."""

    def __init__(self, wfd, rfd):
        self._w = wfd
        self._r = rfd
        self._next_id = 0
        self._lock = threading.Lock()
        self._pending = {}      # id -> [threading.Event, reply]
        self._listeners = {}    # sessionId ("" for the browser) -> callable(method, params)
        self.closed = False
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self):
        buf = b""
        try:
            while True:
                chunk = os.read(self._r, 1 << 16)
                if not chunk:
                    break
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    self._dispatch(json.loads(raw.decode("utf-8")))
        except OSError:
            pass
        self.closed = True
        with self._lock:
            for slot in self._pending.values():
                slot[1] = {"error": {"message": "browser closed the connection"}}
                slot[0].set()

    def _dispatch(self, msg):
        if "id" in msg:
            with self._lock:
                slot = self._pending.pop(msg["id"], None)
            if slot:
                slot[1] = msg
                slot[0].set()
            return
        listener = self._listeners.get(msg.get("sessionId", ""))
        if listener:
            listener(msg.get("method", ""), msg.get("params", {}))

    def listen(self, session_id, fn):
        self._listeners[session_id] = fn

    def send(self, method, params=None, session_id=None, timeout=30):
        if self.closed:
            raise CDPError("browser is not running")
        with self._lock:
            self._next_id += 1
            mid = self._next_id
            slot = [threading.Event(), None]
            self._pending[mid] = slot
        msg = {"id": mid, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        data = json.dumps(msg).encode("utf-8") + b"\0"
        try:
            while data:
                data = data[os.write(self._w, data):]
        except OSError as e:
            raise CDPError(f"{method}: cannot write to the browser: {e}") from None
        if not slot[0].wait(timeout):
            with self._lock:
                self._pending.pop(mid, None)
            raise CDPError(f"{method}: no reply within {timeout} s")
        reply = slot[1]
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message', reply['error'])}")
        return reply.get("result", {})


class Page:
    """One tab. Records console errors, exceptions and network requests from its creation."""

    def __init__(self, conn, target_id, session_id):
        self._conn = conn
        self.target_id = target_id
        self.session_id = session_id
        self.console_errors = []
        self.console_messages = []
        self.requests = []
        self.failed_requests = []
        self._events = queue.Queue()
        conn.listen(session_id, self._on_event)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")

    def send(self, method, params=None, timeout=30):
        """Send a raw protocol command to this tab and return its result."""
        return self._conn.send(method, params, self.session_id, timeout)

    def _on_event(self, method, params):
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", "")))
                            for a in params.get("args", []))
            self.console_messages.append((params.get("type"), text))
            if params.get("type") in ("error", "assert"):
                self.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            det = params.get("exceptionDetails", {})
            exc = det.get("exception", {})
            self.console_errors.append(exc.get("description") or det.get("text", "exception"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self.console_errors.append(f"{entry.get('source')}: {entry.get('text')} "
                                           f"{entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))
        elif method == "Network.loadingFailed":
            self.failed_requests.append(params.get("errorText", ""))
        self._events.put((method, params))

    def _wait_event(self, name, timeout):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise CDPError(f"no {name} within {timeout} s")
            try:
                method, params = self._events.get(timeout=left)
            except queue.Empty:
                continue
            if method == name:
                return params

    def goto(self, target, timeout=30):
        """Navigate to a path or URL and wait for the load event."""
        while not self._events.empty():
            self._events.get_nowait()
        res = self.send("Page.navigate", {"url": _as_url(target)}, timeout)
        if res.get("errorText"):
            raise CDPError(f"cannot open {target}: {res['errorText']}")
        self._wait_event("Page.loadEventFired", timeout)
        return self

    def eval(self, js, timeout=30):
        """Evaluate an expression (promises awaited) and return its value by JSON."""
        res = self.send("Runtime.evaluate", {"expression": js, "returnByValue": True,
                                             "awaitPromise": True}, timeout)
        if "exceptionDetails" in res:
            det = res["exceptionDetails"]
            desc = det.get("exception", {}).get("description") or det.get("text")
            raise CDPError(f"JavaScript error: {desc}")
        return res.get("result", {}).get("value")

    def wait_for(self, js_condition, timeout=10, interval=0.05):
        """Poll until the expression is truthy (in JavaScript's sense); return its value (a DOM
        node as True); CDPError on timeout."""
        end = time.monotonic() + timeout
        while True:
            res = self.eval(f"(() => {{ try {{ const v = ({js_condition}); "
                            f"return {{ok: !!v, v: (v instanceof Node) ? true : v}}; }} "
                            f"catch (e) {{ return {{ok: false}}; }} }})()")
            if res and res.get("ok"):
                return res.get("v")
            if time.monotonic() > end:
                raise CDPError(f"condition not met within {timeout} s: {js_condition}")
            time.sleep(interval)

    def click(self, css, timeout=10):
        """Scroll the first element matching css into view and click its centre."""
        sel = json.dumps(css)
        self.wait_for(f"document.querySelector({sel})", timeout)
        box = self.eval(f"(() => {{ const e = document.querySelector({sel}); "
                        f"e.scrollIntoView({{block: 'center'}}); "
                        f"const r = e.getBoundingClientRect(); "
                        f"return [r.left + r.width / 2, r.top + r.height / 2]; }})()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})
        return self

    def type_text(self, css, text):
        """Focus the element matching css and type text into it."""
        self.eval(f"document.querySelector({json.dumps(css)}).focus()")
        self.send("Input.insertText", {"text": text})
        return self

    def set_viewport(self, width, height, scale=1, mobile=False):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": int(width), "height": int(height), "deviceScaleFactor": scale,
                   "mobile": bool(mobile)})
        return self

    def emulate_media(self, media="", dark=None):
        """media: '' (screen) or 'print'; dark: True/False forces prefers-color-scheme."""
        features = []
        if dark is not None:
            features.append({"name": "prefers-color-scheme", "value": "dark" if dark else "light"})
        self.send("Emulation.setEmulatedMedia", {"media": media, "features": features})
        return self

    def screenshot(self, path, full_page=True):
        """Write a PNG of the viewport, or of the whole page with full_page."""
        params = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", params, timeout=60)["data"]
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(path).write_bytes(base64.b64decode(data))
        return path

    def screenshot_element(self, css, path):
        """Write a PNG of the first element matching css (its whole box)."""
        box = self.eval(f"(() => {{ const r = document.querySelector({json.dumps(css)})"
                        f".getBoundingClientRect(); return [r.left + window.scrollX, "
                        f"r.top + window.scrollY, r.width, r.height]; }})()")
        params = {"format": "png", "captureBeyondViewport": True,
                  "clip": {"x": box[0], "y": box[1], "width": box[2], "height": box[3],
                           "scale": 1}}
        data = self.send("Page.captureScreenshot", params, timeout=60)["data"]
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(path).write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path):
        """Print the page to PDF (print CSS applies)."""
        data = self.send("Page.printToPDF", {"printBackground": True}, timeout=60)["data"]
        pathlib.Path(path).write_bytes(base64.b64decode(data))
        return path

    def close(self):
        try:
            self._conn.send("Target.closeTarget", {"targetId": self.target_id}, timeout=5)
        except CDPError:
            pass


class Browser:
    """Headless Chromium with a throw-away profile. Use as a context manager."""

    def __init__(self, executable=None, width=1280, height=900, extra_args=()):
        self.executable = executable or browser_path()
        if not self.executable:
            raise CDPError("no Chromium found (install Debian's chromium or set CHROMIUM)")
        self.width = width
        self.height = height
        self.extra_args = list(extra_args)
        self.proc = None
        self.profile = None
        self._conn = None

    def start(self):
        self.profile = tempfile.mkdtemp(prefix="crm-chromium-")
        # parent writes cmd_w -> child fd 3; child fd 4 -> out_w -> parent reads out_r
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        args = [self.executable, "--headless=new", "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-breakpad", "--metrics-recording-only", "--mute-audio",
                "--hide-scrollbars", "--no-pings", "--disable-domain-reliability",
                f"--window-size={self.width},{self.height}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")
        args += self.extra_args + ["about:blank"]

        def child_fds():
            # move both out of the way first (either may already be 3 or 4), then place them;
            # dup2 makes 3 and 4 inheritable, every other descriptor Python opened is
            # close-on-exec (so close_fds is not needed, and would close 3 and 4 after this)
            a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.close(a)
            os.close(b)
            os.setpgid(0, 0)

        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, close_fds=False,
                                     preexec_fn=child_fds)
        os.close(cmd_r)
        os.close(out_w)
        self._conn = _Connection(cmd_w, out_r)
        self._wfd, self._rfd = cmd_w, out_r
        try:
            self._conn.send("Browser.getVersion", timeout=30)
        except CDPError:
            self.close()
            raise
        return self

    def version(self):
        return self._conn.send("Browser.getVersion")

    def new_page(self):
        target = self._conn.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._conn.send("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self._conn, target, session)
        page.set_viewport(self.width, self.height)
        return page

    def open(self, target, timeout=30):
        """A new tab showing target (a path or URL), after its load event."""
        return self.new_page().goto(target, timeout)

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self._conn.send("Browser.close", timeout=5)
            except CDPError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                # its own process group (setpgid above): the renderers go with it
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc and self.proc.poll() is not None:
            try:  # helpers left in the browser's own group, if any
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for fd in (getattr(self, "_wfd", None), getattr(self, "_rfd", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._wfd = self._rfd = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False
