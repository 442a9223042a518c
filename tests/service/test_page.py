"""The page in headless Chromium (tests/browser/cdp.py): the list loads, the
segment filter works, the charts draw; no console error, no request outside
the service. Screenshots go to build/service-screens/."""

import os
import sys

import pytest

from conftest import ARTIFACTS

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "browser"))
import cdp  # noqa: E402


def _browser():
    if cdp.browser_path() is None:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("no Chromium (CI=true: the page test must run)")
        pytest.skip("no Chromium: install Debian's chromium")
    return cdp.Browser(width=1280, height=1000)


def test_page_list_filter_charts(server):
    _, _, segs = server.get("/api/segments")
    sizes = {s["segment"]: s["customers"] for s in segs["segments"]}
    target = max((s for s in sizes if s != "Champions"), key=sizes.get)
    with _browser() as b:
        page = b.open(server.url + "/")
        page.wait_for("document.body.dataset.ready === '1'", timeout=20)
        # The list loads: the first page of everyone, 25 rows, biggest spenders first.
        assert page.eval("document.querySelectorAll('#customers tbody tr').length") == 25
        assert int(page.eval("document.body.dataset.listTotal")) == segs["customers"]
        # The segment chart: one bar per segment, each as long as its count says.
        bars = page.eval("""Array.from(document.querySelectorAll('#svg-segments g')).map(g =>
            [g.dataset.segment, g.querySelector('rect').getBBox().width,
             g.querySelectorAll('text')[1].textContent])""")
        assert [b_[0] for b_ in bars] == list(sizes)
        assert all(str(sizes[name]) == label for name, _, label in bars)
        widest = max(sizes.values())
        for name, width, _ in bars:
            assert width == pytest.approx(330 * sizes[name] / widest, abs=0.6)
        # The sales chart: history and forecast lines and both bands have drawn extent.
        for cls in ("hist", "fc", "b95", "b80"):
            box = page.eval("(() => { const b = document.querySelector('#svg-forecast path.%s')"
                            ".getBBox(); return [b.width, b.height]; })()" % cls)
            assert box[0] > 10 and box[1] > 1, (cls, box)
        _, _, fc = server.get("/api/forecast")
        assert page.eval("document.querySelectorAll('#svg-forecast circle.pt-h').length") == \
            len(fc["history"])
        assert page.eval("document.querySelectorAll('#svg-forecast circle.pt-f').length") == \
            len(fc["forecast"])
        page.screenshot(os.path.join(ARTIFACTS, "page.png"))

        # The segment filter (the select): only that segment, the right total.
        page.eval("(() => { const s = document.getElementById('segment'); s.value = %r; "
                  "s.dispatchEvent(new Event('change')); })()" % target)
        page.wait_for("document.body.dataset.listTotal === '%d'" % sizes[target])
        segs_shown = page.eval("Array.from(document.querySelectorAll('#customers tbody tr'))"
                               ".map(r => r.dataset.segment)")
        assert segs_shown and set(segs_shown) == {target}
        assert len(segs_shown) == min(25, sizes[target])
        # Clicking a bar filters too, and the next page continues the list.
        page.click('#svg-segments g[data-segment="Champions"] rect')
        page.wait_for("document.body.dataset.listTotal === '%d'" % sizes["Champions"])
        assert page.eval("document.getElementById('segment').value") == "Champions"
        first = page.eval("Array.from(document.querySelectorAll('#customers tbody tr'))"
                          ".map(r => r.dataset.id)")
        if sizes["Champions"] > 25:
            page.click("#next")
            page.wait_for("document.getElementById('pageinfo').textContent.startsWith('page 2')")
            second = page.eval("Array.from(document.querySelectorAll('#customers tbody tr'))"
                               ".map(r => r.dataset.id)")
            assert second and not set(first) & set(second)
        page.screenshot(os.path.join(ARTIFACTS, "page-champions.png"))

        # A click on a row shows that customer's details from /api/customers/<id>.
        shown = page.eval("Array.from(document.querySelectorAll('#customers tbody tr'))"
                          ".map(r => r.dataset.id)")
        page.click("#customers tbody tr:nth-child(3)")
        page.wait_for("document.getElementById('detail').dataset.id === %r" % shown[2])
        _, _, detail = server.get("/api/customers/" + shown[2])
        text = page.eval("document.getElementById('detail').textContent")
        assert detail["customer"]["segment"] in text and detail["customer"]["lifecycle"] in text
        assert "%.1f %%" % (100 * detail["customer"]["churn_probability"]) in text

        # Cross-sell box.
        page.click("#suggest")
        page.wait_for("document.querySelectorAll('#rules li').length > 0")

        # Dark mode draws too.
        page.emulate_media(dark=True)
        page.screenshot(os.path.join(ARTIFACTS, "page-dark.png"))

        assert page.console_errors == []
        outside = [u for u in page.requests if not u.startswith(server.url + "/")
                   and not u.startswith("data:")]
        assert outside == []
        assert any(u.startswith(server.url + "/api/customers") for u in page.requests)
