"""Self-test of cdp.py: python3 tests/browser/selftest.py (exit 77 without Chromium, CI=true: 1)."""

import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cdp import Browser, CDPError, browser_path  # noqa: E402

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>cdp self-test</title></head>
<body><svg width="100" height="50"><rect id="r" x="1" y="1" width="40" height="20"/></svg>
<button id="b" onclick="document.body.dataset.clicked='yes'">x</button>
<script>console.error('expected error');</script></body></html>"""


def main():
    if not browser_path():
        print("cdp self-test: no Chromium")
        return 1 if os.environ.get("CI") in ("true", "1") else 77
    with tempfile.TemporaryDirectory() as tmp:
        html = pathlib.Path(tmp, "t.html")
        html.write_text(PAGE)
        with Browser() as b:
            page = b.open(html)
            assert page.eval("document.title") == "cdp self-test"
            assert page.eval("document.getElementById('r').getBBox().width") == 40
            page.click("#b")
            assert page.wait_for("document.body.dataset.clicked") == "yes"
            shot = page.screenshot(pathlib.Path(tmp, "t.png"))
            assert pathlib.Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert page.console_errors == ["expected error"], page.console_errors
            assert page.requests == [html.resolve().as_uri()], page.requests
            try:
                page.eval("nosuchname")
                raise AssertionError("a JavaScript error must raise")
            except CDPError:
                pass
            pid = b.proc.pid
        assert b.proc.poll() is not None, f"chromium {pid} still running"
    print("cdp self-test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
