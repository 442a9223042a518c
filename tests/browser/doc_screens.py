"""The screenshots in docs/report.md: python3 tests/browser/doc_screens.py REPORT.html DIR

Writes DIR/report-overview.png, report-segments.png, report-clusters.png (dark),
report-churn.png, report-value.png, report-crosssell.png and report-forecast.png: one section each,
900 px wide (the report of the demo shop: scripts/ci_report.sh writes one).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cdp import Browser  # noqa: E402

SHOTS = [("#overview", "overview", False), ("#rfm figure", "segments", False),
         ("#clusters", "clusters", True), ("#churn figure", "churn", False), ("#clv", "value", False),
         ("#crosssell ul.rules", "crosssell", False), ("#forecast figure svg", "forecast", False)]


def main():
    page_path, out = sys.argv[1], pathlib.Path(sys.argv[2])
    with Browser(width=900, height=900) as b:
        page = b.open(page_path)
        # the numbers tables are open on screen; closed here to keep the images small
        page.eval("document.querySelectorAll('details').forEach(d => d.open = false)")
        for css, name, dark in SHOTS:
            page.emulate_media(dark=dark)
            page.screenshot_element(css, out / f"report-{name}.png")
            print(out / f"report-{name}.png")
        assert not page.console_errors, page.console_errors


if __name__ == "__main__":
    main()
