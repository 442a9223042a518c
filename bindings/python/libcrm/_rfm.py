"""RFM scoring and CRM KPIs (crm_rfm, crm_rfm_default_as_of, the segment and stage names,
crm_nps, crm_satisfaction, crm_funnel)."""

import datetime
from ctypes import POINTER, byref, c_double, c_int64

from . import _capi, _options
from .dataset import _EPOCH, Dataset, _handle_of, _names, _seconds, _text

__all__ = ["rfm", "rfm_default_as_of", "rfm_segments", "rfm_stages", "nps", "satisfaction",
           "funnel"]


def rfm(tx, customer, date, amount=None, quantity=None, price=None, invoice=None, as_of=None,
        bins=None, active_days=None, inactive_days=None, churn_days=None):
    """Per-customer RFM table from transaction lines, as a new Dataset.

    Give either ``amount`` or ``quantity`` and ``price`` (amount = quantity x
    price). With ``invoice`` the frequency counts distinct invoices, else
    rows. ``as_of`` (a date/datetime or epoch seconds) defaults to the
    midnight after the last transaction. Columns: customer, recency_days,
    frequency, monetary, tenure_days, r_score, f_score, m_score, rfm_cell,
    rfm_score, segment, lifecycle (see include/crm/rfm.h for the score
    formula and the segment grid).

    With ``churn_days`` = N (and ``as_of``) it is a churn table for training:
    the features come from the transactions up to ``as_of`` only, and a 0/1
    column ``churned`` says whether the customer bought nothing in the N days
    after it.
    """
    if not isinstance(tx, Dataset):
        raise TypeError("rfm() needs a Dataset, not %s" % type(tx).__name__)
    settings = {"customer": customer, "date": date, "amount": amount, "quantity": quantity,
                "price": price, "invoice": invoice, "bins": bins, "active_days": active_days,
                "inactive_days": inactive_days, "churn_days": churn_days}
    if as_of is not None:
        settings["as_of"] = (_seconds(as_of, "rfm(as_of)")
                             if isinstance(as_of, (datetime.date, datetime.datetime)) else as_of)
    settings = {k: v for k, v in settings.items() if v is not None}
    opts, keep = _options.build(_capi.crm_rfm_options, settings, "rfm")
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_rfm(tx._handle, None if opts is None else byref(opts), byref(out))
    del keep
    return Dataset._wrap(out)


def rfm_default_as_of(tx, date):
    """The as_of rfm() uses when none is given: midnight UTC after the last date
    in column `date`, as a UTC datetime."""
    if not isinstance(tx, Dataset):
        raise TypeError("rfm_default_as_of() needs a Dataset, not %s" % type(tx).__name__)
    out = c_int64()
    _capi.crm_rfm_default_as_of(tx._handle, _text(date, "rfm_default_as_of(date)"), byref(out))
    return _EPOCH + datetime.timedelta(seconds=out.value)


def rfm_segments():
    """The segment names, best first: the exact strings of rfm()'s segment column."""
    return tuple(_capi.crm_rfm_segment_name(i).decode("utf-8")
                 for i in range(_capi.crm_rfm_segment_count()))


def rfm_stages():
    """The lifecycle stage names, most recent first: the exact strings of rfm()'s
    lifecycle column."""
    return tuple(_capi.crm_rfm_stage_name(i).decode("utf-8")
                 for i in range(_capi.crm_rfm_stage_count()))


def nps(ds, col):
    """Net Promoter Score of 0-10 ratings in column `col`: % promoters (9-10)
    minus % detractors (0-6), from -100 to 100; missing cells are ignored."""
    out = c_double()
    _capi.crm_nps(_handle_of(ds, "nps()"), _text(col, "nps(col)"), byref(out))
    return out.value


def satisfaction(ds, col, positive=None):
    """Share of non-missing cells of `col` that are positive: text cells equal
    to one of the labels in `positive`, or cells equal to 1 in a 0/1 number
    column when `positive` is None."""
    if positive is None:
        labels, clabels = [], None
    else:
        labels, clabels = _names(positive, "satisfaction(positive)")
    out = c_double()
    _capi.crm_satisfaction(_handle_of(ds, "satisfaction()"), _text(col, "satisfaction(col)"), clabels, len(labels),
                           byref(out))
    return out.value


def funnel(ds, stage_col, stages):
    """Funnel table from the furthest stage each entity reached: columns stage,
    count (reached at least this stage), conversion (from the previous stage)
    and overall (from the first stage)."""
    stages, cstages = _names(stages, "funnel(stages)")
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_funnel(_handle_of(ds, "funnel()"), _text(stage_col, "funnel(stage_col)"), cstages, len(stages),
                     byref(out))
    return Dataset._wrap(out)
