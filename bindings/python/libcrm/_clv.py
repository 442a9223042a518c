"""Customer lifetime value (crm/clv.h): clv_summary() and the Clv model (BG/NBD +
Gamma-Gamma)."""

import datetime
from ctypes import POINTER, byref

from . import _capi, _options
from ._models import _KINDS, Model
from .dataset import Dataset, _seconds

__all__ = ["Clv", "clv_summary"]


def _time(value, what):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return _seconds(value, what)
    return value


def clv_summary(tx, customer, date, amount, period=None, calibration_end=None,
                observation_end=None):
    """The per-customer summary table every CLV model starts from, as a new Dataset.

    Columns customer, frequency (repeat purchase periods), recency, T, monetary
    (mean value of the repeat periods), and with ``calibration_end`` (a
    date/datetime or epoch seconds, inclusive) frequency_holdout,
    monetary_holdout and duration_holdout from the purchases after it.
    ``period`` is "day" (default) or "week" (Monday to Sunday). See
    include/crm/clv.h for the exact definitions.

        s = libcrm.clv_summary(sales, "CustomerID", "InvoiceDate", "Amount", period="week")
    """
    if not isinstance(tx, Dataset):
        raise TypeError("clv_summary() needs a Dataset, not %s" % type(tx).__name__)
    settings = {"customer": customer, "date": date, "amount": amount, "period": period,
                "calibration_end": _time(calibration_end, "clv_summary(calibration_end)"),
                "observation_end": _time(observation_end, "clv_summary(observation_end)")}
    settings = {k: v for k, v in settings.items() if v is not None}
    opts, keep = _options.build(_capi.crm_clv_summary_options, settings, "clv_summary")
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_clv_summary(tx._handle, None if opts is None else byref(opts), byref(out))
    del keep
    return Dataset._wrap(out)


class Clv(Model):
    """BG/NBD purchases + Gamma-Gamma spend: P(alive), expected purchases,
    expected spend and discounted CLV per customer (crm_clv_fit).

    Keyword arguments are the crm_clv_options fields: ``frequency_col``,
    ``recency_col``, ``t_col``, ``monetary_col`` (the summary's column names),
    ``l2``, ``max_iter``, ``tol``, ``period`` ("day" or "week": the unit of the
    summary), ``horizon`` (months, default 12), ``discount`` (monthly, default
    0.01), ``periods_per_month`` (default 30 days or 4.345 weeks), ``t``
    (periods of expected_purchases; default horizon x periods_per_month),
    ``n_threads``.

        s = libcrm.clv_summary(sales, "CustomerID", "InvoiceDate", "Amount")
        m = libcrm.Clv(horizon=12).fit(s)
        m.stat("r"), m.stat("p_alive")    # parameters: r alpha a b p q v, se_*, loglik_*
        m.predict(s)                      # adds clv, p_alive, expected_purchases, expected_spend
    """

    kind = _capi.CRM_MODEL_CLV
    default_out_col = "clv"

    def __init__(self, **options):
        self.options = dict(options)

    def fit(self, summary):
        """Fit both models on a summary table (clv_summary() or the same columns); returns
        self."""
        if not isinstance(summary, Dataset):
            raise TypeError("fit() needs a Dataset, not %s" % type(summary).__name__)
        opts, keep = _options.build(_capi.crm_clv_options, dict(self.options), "Clv")
        out = POINTER(_capi.crm_model)()
        _capi.crm_clv_fit(summary._handle, None if opts is None else byref(opts), byref(out))
        del keep
        return self._attach(out)

    @property
    def params(self):
        """The fitted parameters as a dict: r, alpha, a, b (BG/NBD), p, q, v (Gamma-Gamma)."""
        return {k: self.stat(k) for k in ("r", "alpha", "a", "b", "p", "q", "v")}


_KINDS[_capi.CRM_MODEL_CLV] = Clv
