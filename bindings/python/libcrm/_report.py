"""The HTML report (crm_report_write, crm_report_render)."""

import ctypes
import datetime
from ctypes import POINTER, byref, c_char

from . import _capi, _options
from .dataset import Dataset, _path, _seconds

__all__ = ["report", "report_html"]


def _report_options(customer, date, opts):
    settings = dict(opts, customer=customer, date=date)
    as_of = settings.get("as_of")
    if isinstance(as_of, (datetime.date, datetime.datetime)):
        settings["as_of"] = _seconds(as_of, "report(as_of)")
    settings = {k: v for k, v in settings.items() if v is not None}
    return _options.build(_capi.crm_report_options, settings, "report")


def report(tx, path, customer, date, **opts):
    """Write the HTML report of transaction table `tx` to `path` (atomically).

    Keyword arguments are the crm_report_options fields (include/crm/report.h):
    ``amount`` or ``quantity`` and ``price``, ``invoice``, ``item`` (cross-sell),
    ``filter``, ``title``, ``currency``, ``as_of`` (date/datetime or epoch
    seconds), ``bins``, ``active_days``, ``inactive_days``, ``k``, ``seed``,
    ``churn_days``, ``top_at_risk``, ``min_support``, ``min_lift``, ``max_rules``,
    ``horizon``, ``n_threads``. Example::

        libcrm.report(sales, "report.html", "CustomerID", "InvoiceDate",
                      amount="Amount", invoice="InvoiceNo", item="Description")
    """
    if not isinstance(tx, Dataset):
        raise TypeError("report() needs a Dataset, not %s" % type(tx).__name__)
    o, keep = _report_options(customer, date, opts)
    _capi.crm_report_write(tx._handle, None if o is None else byref(o),
                           _path(path, "report(path)"))
    del keep


def report_html(tx, customer, date, **opts):
    """The HTML report of `tx` as a str (the same page report() writes)."""
    if not isinstance(tx, Dataset):
        raise TypeError("report_html() needs a Dataset, not %s" % type(tx).__name__)
    o, keep = _report_options(customer, date, opts)
    out = POINTER(c_char)()
    _capi.crm_report_render(tx._handle, None if o is None else byref(o), byref(out))
    del keep
    try:
        return ctypes.string_at(out).decode("utf-8")
    finally:
        _capi.crm_free(out)
