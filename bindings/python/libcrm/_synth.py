"""Synthetic shop transactions (crm_synth_transactions)."""

import datetime
from ctypes import POINTER, byref

from . import _capi, _options
from .dataset import Dataset, _seconds

__all__ = ["synth"]


def synth(customers=None, products=None, days=None, start=None, seed=None, dirt=None):
    """Generate realistic, deterministic online-shop transactions as a Dataset.

    Columns: InvoiceNo, StockCode, Description (text), Quantity (number),
    InvoiceDate (time), UnitPrice (number), CustomerID (number, missing for
    guest lines) and Country (text), ordered by InvoiceDate then InvoiceNo,
    shaped like the UCI Online Retail data (heavy-tailed customers, bundles,
    seasonality, churn, and the usual dirt).

    Every argument left as None keeps the library default:

    * ``customers``: number of customers (default 1000)
    * ``products``: catalogue size (default 300)
    * ``days``: length of the period in days (default 730)
    * ``start``: first day, as a ``datetime.date``/``datetime`` or seconds
      since the epoch (default 2022-01-01)
    * ``seed``: random seed (default 0); the same options and seed give the
      same rows on every platform
    * ``dirt``: scale of the dirt (duplicates, cancellations, missing
      customer ids, outliers): 0 is clean, 1 the default rates
    """
    settings = {"customers": customers, "products": products, "days": days, "start": start,
                "seed": seed, "dirt": dirt}
    settings = {k: v for k, v in settings.items() if v is not None}
    if isinstance(settings.get("start"), datetime.date):
        settings["start"] = _seconds(settings["start"], "start")
    opts, keep = _options.build(_capi.crm_synth_options, settings, "synth")
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_synth_transactions(None if opts is None else byref(opts), byref(out))
    del keep
    return Dataset._wrap(out)
