"""Logistic and linear regression (crm_logreg_fit, crm_linreg_fit) and the
classification / regression metrics (crm_metrics_*)."""

from ctypes import POINTER, byref

from . import _capi, _options
from ._models import _KINDS, Model, _calling, _progress_callback
from .dataset import Dataset, _names, _text

__all__ = ["LogisticRegression", "LinearRegression", "classification_metrics",
           "regression_metrics"]

_NAMED = {
    "missing": {"error": _capi.CRM_LINEAR_MISSING_ERROR, "drop": _capi.CRM_LINEAR_MISSING_DROP},
    "class_weight": {"none": _capi.CRM_LOGREG_CLASS_WEIGHT_NONE,
                     "balanced": _capi.CRM_LOGREG_CLASS_WEIGHT_BALANCED},
    "solver": {"auto": _capi.CRM_LOGREG_AUTO, "newton": _capi.CRM_LOGREG_NEWTON,
               "lbfgs": _capi.CRM_LOGREG_LBFGS},
}


class _Regression(Model):
    _struct = None
    _fit = None

    def __init__(self, **options):
        self.options = dict(options)

    def _build_options(self):
        settings = dict(self.options)
        progress = settings.pop("progress", None)
        if settings.get("class_weight") is None:
            settings.pop("class_weight", None)
        for field in ("fit_intercept", "standardize"):
            if isinstance(settings.get(field), bool):
                settings[field] = int(settings[field])
        for field, table in _NAMED.items():
            value = settings.get(field)
            if isinstance(value, str):
                if value.lower() not in table:
                    raise ValueError("%s(%s=%r): use one of %s"
                                     % (type(self).__name__, field, value, ", ".join(table)))
                settings[field] = table[value.lower()]
        opts, keep = _options.build(self._struct, settings, type(self).__name__)
        if progress is not None:
            if opts is None:
                opts = self._struct.defaults()
            keep.append(_progress_callback(opts, progress))
        return opts, keep

    def fit(self, ds, target, features):
        """Fit `target` on the columns `features` of `ds` (number columns as they
        are, text columns one-hot encoded against their first level); returns self."""
        if not isinstance(ds, Dataset):
            raise TypeError("fit() needs a Dataset, not %s" % type(ds).__name__)
        names, cnames = _names(features, "fit(features)")
        opts, keep = self._build_options()
        out = POINTER(_capi.crm_model)()
        with _calling(keep):
            type(self)._fit(ds._handle, _text(target, "fit(target)"), cnames, len(names),
                            None if opts is None else byref(opts), byref(out))
        del keep
        self._attach(out)
        self.target = target
        self.features = names
        return self

    def coefficients(self):
        """The coefficient table as a dict: term -> row dict (estimate, std_error, ...)."""
        cols = self.summary().to_columns()
        terms = cols.pop("term")
        return {t: {k: v[i] for k, v in cols.items()} for i, t in enumerate(terms)}


class LogisticRegression(_Regression):
    """Binary logistic regression with inference (crm_logreg_fit).

    Keyword arguments are the crm_logreg_options fields: ``l2`` (the L2 penalty
    lambda; scikit-learn's C is 1 / l2), ``fit_intercept``, ``standardize``,
    ``positive`` (positive class of a text target), ``class_weight`` ("none" or
    "balanced"), ``max_iter``, ``tol``, ``missing`` ("error" or "drop"),
    ``solver`` ("auto", "newton", "lbfgs"), ``sample_weight`` (a column name),
    ``progress`` (a callable ``f(fraction) -> bool``, True cancels), ``mutate``
    (a list of "NAME=EXPR" transform steps recorded in the model, see Model).

        m = libcrm.LogisticRegression(positive="Yes").fit(ds, "Churn", ["tenure", "Contract"])
        m.summary()   # term, estimate, std_error, z, p_value, odds_ratio, ci_low, ci_high, ...
        m.predict(ds, "churn")   # adds "churn" and "churn_proba"
    """

    kind = _capi.CRM_MODEL_LOGREG
    default_out_col = "prediction"
    _struct = _capi.crm_logreg_options
    _fit = staticmethod(_capi.crm_logreg_fit)


class LinearRegression(_Regression):
    """Linear least squares or ridge with inference (crm_linreg_fit).

    Keyword arguments are the crm_linreg_options fields: ``l2`` (ridge
    penalty), ``fit_intercept``, ``missing`` ("error" or "drop"),
    ``sample_weight`` (a column name), ``mutate`` (a list of "NAME=EXPR"
    transform steps recorded in the model, see Model).

        m = libcrm.LinearRegression().fit(ds, "spend", ["visits", "region"])
        m.stat("r2"); m.summary()   # term, estimate, std_error, t, p_value, ci_low, ci_high
    """

    kind = _capi.CRM_MODEL_LINREG
    default_out_col = "prediction"
    _struct = _capi.crm_linreg_options
    _fit = staticmethod(_capi.crm_linreg_fit)


def _metrics(fn, ds, truth, pred, settings, what):
    if not isinstance(ds, Dataset):
        raise TypeError("%s() needs a Dataset, not %s" % (what, type(ds).__name__))
    settings = {k: v for k, v in settings.items() if v is not None}
    opts, keep = _options.build(_capi.crm_metrics_options, settings, what)
    out = POINTER(_capi.crm_dataset)()
    fn(ds._handle, _text(truth, "truth"), _text(pred, "prediction"),
       None if opts is None else byref(opts), byref(out))
    del keep
    row = Dataset._wrap(out).to_columns()
    return {k: v[0] for k, v in row.items()}


def classification_metrics(ds, truth, score, positive=None, threshold=None, sample_weight=None):
    """AUC (exact, ties one half), log loss, accuracy, precision, recall, F1 and
    the confusion counts (tp, fp, tn, fn) at `threshold` (default 0.5) of the
    scores in column `score` against the 0/1 (or text, with `positive`) column
    `truth`, as a dict."""
    return _metrics(_capi.crm_metrics_classification, ds, truth, score,
                    {"positive": positive, "threshold": threshold,
                     "sample_weight": sample_weight}, "classification_metrics")


def regression_metrics(ds, truth, prediction, sample_weight=None):
    """RMSE, MSE, MAE, MAPE (a fraction) and R^2 of column `prediction`
    against column `truth`, as a dict."""
    return _metrics(_capi.crm_metrics_regression, ds, truth, prediction,
                    {"sample_weight": sample_weight}, "regression_metrics")


_KINDS[_capi.CRM_MODEL_LOGREG] = LogisticRegression
_KINDS[_capi.CRM_MODEL_LINREG] = LinearRegression
