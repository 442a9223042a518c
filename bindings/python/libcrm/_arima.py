"""ARIMA forecasting (crm/arima.h): the Arima model and arima_many()."""

from ctypes import POINTER, byref, c_double

from . import _capi, _options
from ._models import _KINDS, Model, _calling, _progress_callback
from .dataset import Dataset, _text

__all__ = ["Arima", "arima_many"]

_FLAGS = ("include_mean", "include_drift", "stepwise", "transform", "aggregate", "allow_missing")


def _build(options, what):
    """crm_arima_options from keyword arguments (API.md's names; ``auto`` is
    the C field ``auto_order``, True/False accepted for the 0/1 fields)."""
    settings = dict(options)
    if "auto" in settings:
        settings["auto_order"] = settings.pop("auto")
    for name in _FLAGS + ("auto_order",):
        if isinstance(settings.get(name), bool):
            settings[name] = int(settings[name])
    fixed = settings.get("fixed")
    if fixed is not None:
        settings["fixed"] = [float("nan") if v is None else float(v) for v in fixed]
    progress = settings.pop("progress", None)
    opts, keep = _options.build(_capi.crm_arima_options, settings, what)
    if opts is None and progress is not None:
        opts = _capi.crm_arima_options.defaults()
    if progress is not None:
        keep.append(_progress_callback(opts, progress))
    return opts, keep


def _values(values):
    """A C array of doubles from a list, tuple or numpy array (None = NaN)."""
    try:
        import numpy as np  # optional
        if isinstance(values, np.ndarray):
            arr = np.ascontiguousarray(values, dtype=np.float64)
            return arr.ctypes.data_as(POINTER(c_double)), len(arr), arr
    except ImportError:
        pass
    vals = [float("nan") if v is None else float(v) for v in values]
    arr = (c_double * len(vals))(*vals)
    return arr, len(vals), arr


class Arima(Model):
    """(Seasonal) ARIMA with exact likelihood as R's stats::arima, automatic
    orders as forecast::auto.arima, and forecasts with prediction intervals.

    Keyword arguments are the crm_arima_options fields: ``p, d, q, sp, sd, sq,
    period, include_mean, include_drift, method`` ("css-ml", "ml", "css"),
    ``auto`` (True: choose the order), ``max_p, max_q, max_sp, max_sq, max_d,
    max_sd, stepwise, ic`` ("aicc", "aic", "bic"), ``fixed`` (one value per
    coefficient, None = estimate), ``freq`` / the period argument of
    fit_dataset ("day", "week", "month", "quarter", "year"), ``n_threads``,
    ``sigma2`` ("forecast", the default: forecast::Arima/auto.arima's
    bias-adjusted variance and intervals; "stats": stats::arima's, as
    stats::predict) ...

        m = libcrm.Arima(p=0, d=1, q=1, sp=0, sd=1, sq=1, period=12).fit(values)
        m = libcrm.Arima(auto=True).fit_dataset(ds, "date", "value", "month")
        m.forecast(12)            # step, mean, se, lower_80, upper_80, lower_95, upper_95
        m.forecast(6, level=90)   # step, mean, se, lower, upper
        m.stat("aicc"); m.summary()
    """

    kind = _capi.CRM_MODEL_ARIMA
    default_out_col = None

    def __init__(self, **options):
        self.options = dict(options)

    def fit(self, values):
        """Fit on a series of values in time order; returns self."""
        ptr, n, keep_values = _values(values)
        opts, keep = _build(self.options, "Arima")
        out = POINTER(_capi.crm_model)()
        with _calling(keep):
            _capi.crm_arima_fit(ptr, n, None if opts is None else byref(opts), byref(out))
        del keep, keep_values
        return self._attach(out)

    def fit_dataset(self, ds, time_col, value_col, period=None):
        """Sum `value_col` per calendar `period` of `time_col` (empty periods
        0) and fit; forecasts then carry a ``time`` column. Returns self."""
        if not isinstance(ds, Dataset):
            raise TypeError("fit_dataset() needs a Dataset, not %s" % type(ds).__name__)
        options = dict(self.options)
        if period is not None:
            options["freq"] = period
        opts, keep = _build(options, "Arima")
        if opts is None:
            opts = _capi.crm_arima_options.defaults()
        out = POINTER(_capi.crm_model)()
        with _calling(keep):
            _capi.crm_arima_fit_dataset(ds._handle, _text(time_col, "time_col"),
                                        _text(value_col, "value_col"), byref(opts), byref(out))
        del keep
        return self._attach(out)

    def forecast(self, h, level=None):
        """Forecast `h` steps: a Dataset with step, mean, se and intervals.

        `level` None gives 80 and 95 % intervals (lower_80, upper_80, lower_95,
        upper_95); a number gives one interval as ``lower``/``upper``; a list
        gives lower_<L>/upper_<L> for each level."""
        out = POINTER(_capi.crm_dataset)()
        if level is not None and not isinstance(level, (list, tuple)):
            _capi.crm_arima_forecast(self._handle, h, float(level), byref(out))
        else:
            levels = [] if level is None else [float(v) for v in level]
            arr = (c_double * len(levels))(*levels) if levels else None
            _capi.crm_arima_forecast_levels(self._handle, h, arr, len(levels), byref(out))
        return Dataset._wrap(out)

    def predict(self, ds, out_col=None):
        raise TypeError("Arima forecasts ahead of its series: use forecast(h)")


def arima_many(ds, by, time_col, value_col, h=12, level=95, **options):
    """One model per group of `by` (crm_arima_fit_many), fitted in parallel;
    returns ``(fits, forecasts)`` Datasets. Keyword arguments as Arima's."""
    if not isinstance(ds, Dataset):
        raise TypeError("arima_many() needs a Dataset, not %s" % type(ds).__name__)
    opts, keep = _build(options, "arima_many")
    fits = POINTER(_capi.crm_dataset)()
    fcs = POINTER(_capi.crm_dataset)()
    with _calling(keep):
        _capi.crm_arima_fit_many(ds._handle, _text(by, "by"), _text(time_col, "time_col"),
                                 _text(value_col, "value_col"), h, float(level),
                                 None if opts is None else byref(opts), byref(fits), byref(fcs))
    del keep
    return Dataset._wrap(fits), Dataset._wrap(fcs)


_KINDS[_capi.CRM_MODEL_ARIMA] = Arima
