"""Random forests (crm_forest_fit): RandomForest."""

from ctypes import POINTER, byref

from . import _capi
from ._models import _KINDS, Model, _calling, _wrap_model
from ._tree import _NAMED as _TREE_NAMED, _named_options
from .dataset import Dataset, _handle_of, _names, _text

__all__ = ["RandomForest"]

_NAMED = dict(_TREE_NAMED)
_NAMED["mtry_rule"] = {"nonconstant": _capi.CRM_FOREST_MTRY_NONCONSTANT,
                       "sklearn": _capi.CRM_FOREST_MTRY_NONCONSTANT,
                       "exact": _capi.CRM_FOREST_MTRY_EXACT, "ranger": _capi.CRM_FOREST_MTRY_EXACT}
_NAMED["importance"] = {"impurity": _capi.CRM_FOREST_IMPORTANCE_IMPURITY,
                        "permutation": _capi.CRM_FOREST_IMPORTANCE_PERMUTATION}


class RandomForest(Model):
    """Random forest of CART trees, classification or regression (crm_forest_fit).

    Keyword arguments are the crm_forest_options fields: ``n_trees`` (default 100),
    ``mtry`` (features drawn per node; None or 0 = sqrt(d) for classification, d/3 for
    regression), ``task`` ("classification", "regression"; default from the target),
    ``criterion`` ("gini", "entropy", "mse"), ``max_depth`` (None = unlimited),
    ``min_samples_split``, ``min_samples_leaf``, ``sample_fraction``, ``replace``
    (False: subsampling without replacement), ``class_weight`` (None or "balanced"),
    ``max_bins`` (histogram mode), ``importance`` ("impurity" or "permutation"),
    ``mtry_rule`` ("nonconstant" as scikit-learn, or "exact" as ranger),
    ``n_threads``, ``seed``, ``positive``, ``progress`` (a callable ``f(fraction) -> bool``,
    True cancels). The forest does not depend on ``n_threads``.

        forest = libcrm.RandomForest(n_trees=200, max_depth=8).fit(
            ds, "Churn", ["tenure", "Contract", "MonthlyCharges"])
        forest.stat("oob_error")
        forest.predict(ds)                 # adds prediction and prediction_proba
    """

    kind = _capi.CRM_MODEL_FOREST
    default_out_col = "prediction"

    def __init__(self, **options):
        self.options = dict(options)

    def _build_options(self):
        settings = dict(self.options)
        progress = settings.pop("progress", None)
        if settings.get("max_depth", 0) is None:
            settings["max_depth"] = -1
        if settings.get("mtry", 0) is None:
            settings["mtry"] = 0
        if "class_weight" in settings and settings["class_weight"] is None:
            settings["class_weight"] = "none"
        if isinstance(settings.get("replace"), bool):
            settings["replace"] = int(settings["replace"])
        return _named_options(_capi.crm_forest_options, settings, _NAMED, "RandomForest",
                              progress)

    def fit(self, ds, target, features):
        """Fit predicting the column `target` from the columns `features`; returns self."""
        if not isinstance(ds, Dataset):
            raise TypeError("fit() needs a Dataset, not %s" % type(ds).__name__)
        feats, cfeats = _names(features, "fit(features)")
        opts, keep = self._build_options()
        out = POINTER(_capi.crm_model)()
        with _calling(keep):
            _capi.crm_forest_fit(ds._handle, _text(target, "fit(target)"), cfeats, len(feats),
                                 None if opts is None else byref(opts), byref(out))
        del keep
        self._attach(out)
        self.target = target
        self.features = feats
        return self

    def _importances(self):
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_forest_feature_importances(self._handle, byref(out))
        return Dataset._wrap(out).to_columns()

    @property
    def feature_importances(self):
        """{feature: importance} (mean impurity decrease of the trees, sums to 1)."""
        cols = self._importances()
        return dict(zip(cols["feature"], cols["importance"]))

    @property
    def permutation_importances(self):
        """{feature: out-of-bag permutation importance}, or None unless fitted with
        ``importance="permutation"``."""
        cols = self._importances()
        if all(v is None for v in cols["permutation"]):
            return None
        return dict(zip(cols["feature"], cols["permutation"]))

    @property
    def n_trees(self):
        return int(self.stat("n_trees"))

    def tree(self, i):
        """Tree i as a DecisionTree (rules(), dot(), predict(), save())."""
        out = POINTER(_capi.crm_model)()
        _capi.crm_forest_tree(self._handle, i, byref(out))
        return _wrap_model(out, Model)

    def bag(self, i):
        """How many times tree i drew each training row (0: out of bag), as a list."""
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_forest_bag(self._handle, i, byref(out))
        return [int(v) for v in Dataset._wrap(out).to_columns()["count"]]

    def oob_predict(self, ds, out_col="oob_prediction"):
        """Add the out-of-bag predictions of the training rows `ds` (the rows of the fit, in
        order) as `out_col` (and `<out_col>_proba` for a classifier); returns ds."""
        _capi.crm_forest_oob_predict(self._handle, _handle_of(ds, "oob_predict()"),
                                     _text(out_col, "oob_predict(out_col)"))
        return ds


_KINDS[_capi.CRM_MODEL_FOREST] = RandomForest
