"""libcrm.report / report_html: the HTML report through the Python layer."""

import re

import pytest

import libcrm


@pytest.fixture(scope="module")
def sales():
    shop = libcrm.synth(customers=300, seed=7)
    return shop.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                       "and not startswith(InvoiceNo, 'C')")


def checks(page):
    return {k: float(v) for k, v in
            re.findall(r'data-check="([^"]+)" data-value="([^"]+)"', page)}


def test_report_matches_rfm(sales, tmp_path):
    out = tmp_path / "r.html"
    libcrm.report(sales, out, "CustomerID", "InvoiceDate", quantity="Quantity",
                  price="UnitPrice", invoice="InvoiceNo", item="Description",
                  title="Shop <&> report", currency="€")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Shop &lt;&amp;&gt; report</title>" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    for section in ("overview", "rfm", "clusters", "churn", "clv", "crosssell", "forecast"):
        assert f'<section id="{section}">' in page
    got = checks(page)
    table = libcrm.rfm(sales, "CustomerID", "InvoiceDate", quantity="Quantity",
                       price="UnitPrice", invoice="InvoiceNo")
    assert got["rfm.customers"] == len(table)
    segments = table["segment"]
    for name in libcrm.rfm_segments():
        assert got["rfm.segment." + name] == segments.count(name)
    stages = table["lifecycle"]
    for name in libcrm.rfm_stages():
        assert got["rfm.lifecycle." + name] == stages.count(name)
    assert got["report.orders"] == sum(table["frequency"])
    # the same page in memory
    assert libcrm.report_html(sales, "CustomerID", "InvoiceDate", quantity="Quantity",
                              price="UnitPrice", invoice="InvoiceNo", item="Description",
                              title="Shop <&> report", currency="€") == page


def test_report_errors(sales, tmp_path):
    with pytest.raises(libcrm.NotFoundError):
        libcrm.report(sales, tmp_path / "x.html", "NoSuchColumn", "InvoiceDate",
                      amount="Quantity")
    with pytest.raises(libcrm.InvalidError):
        libcrm.report(sales, tmp_path / "x.html", "CustomerID", "InvoiceDate",
                      amount="Quantity", k=0)
    with pytest.raises(TypeError):
        libcrm.report(sales, tmp_path / "x.html", "CustomerID", "InvoiceDate", colour="red")
    with pytest.raises(libcrm.ParseError):
        libcrm.report(sales, tmp_path / "x.html", "CustomerID", "InvoiceDate",
                      amount="Quantity", filter="Quantity >")
    assert not (tmp_path / "x.html").exists()
