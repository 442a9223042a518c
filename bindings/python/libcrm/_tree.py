"""CART decision trees (crm_tree_fit): DecisionTree."""

import ctypes
from ctypes import POINTER, byref, c_char

from . import _capi, _options
from ._models import _KINDS, Model, _calling, _progress_callback
from .dataset import Dataset, _handle_of, _names, _text

__all__ = ["DecisionTree"]

_NAMED = {
    "task": {"auto": _capi.CRM_TREE_AUTO, "classification": _capi.CRM_TREE_CLASSIFICATION,
             "regression": _capi.CRM_TREE_REGRESSION},
    "criterion": {"auto": _capi.CRM_TREE_CRITERION_AUTO, "gini": _capi.CRM_TREE_GINI,
                  "entropy": _capi.CRM_TREE_ENTROPY, "mse": _capi.CRM_TREE_MSE,
                  "squared_error": _capi.CRM_TREE_MSE},
    "class_weight": {"none": _capi.CRM_TREE_WEIGHT_NONE,
                     "balanced": _capi.CRM_TREE_WEIGHT_BALANCED},
}


def _take_string(out):
    try:
        return ctypes.string_at(out).decode("utf-8")
    finally:
        _capi.crm_free(out)



def _named_options(struct, settings, named, owner, progress):
    """The options struct of a tree or forest fit: enum fields given by name (named: field ->
    {name: value}) replaced by their values, then the struct and the progress callback."""
    for field, table in named.items():
        value = settings.get(field)
        if isinstance(value, str):
            if value.lower() not in table:
                raise ValueError("%s(%s=%r): use one of %s"
                                 % (owner, field, value, ", ".join(table)))
            settings[field] = table[value.lower()]
    opts, keep = _options.build(struct, settings, owner)
    if opts is None and progress is not None:
        opts = struct.defaults()
    if progress is not None:
        keep.append(_progress_callback(opts, progress))
    return opts, keep

class DecisionTree(Model):
    """CART decision tree, classification or regression (crm_tree_fit).

    Keyword arguments are the crm_tree_options fields: ``task``
    ("classification", "regression"; default from the target), ``criterion``
    ("gini", "entropy", "mse"), ``max_depth`` (None = unlimited),
    ``min_samples_split``, ``min_samples_leaf``, ``min_impurity_decrease``,
    ``max_leaf_nodes`` (best-first growth), ``ccp_alpha``, ``class_weight``
    (None or "balanced"), ``positive``, ``seed``, ``max_bins`` (histogram
    mode), ``sample_weight`` (a column name), ``progress`` (a callable
    ``f(fraction) -> bool``, True cancels), ``mutate`` (a list of "NAME=EXPR"
    transform steps recorded in the model, see Model).

        tree = libcrm.DecisionTree(max_depth=3).fit(ds, "Churn", ["tenure", "Contract"])
        print(tree.rules())
        tree.predict(ds, "prediction")     # adds prediction and prediction_proba
    """

    kind = _capi.CRM_MODEL_TREE
    default_out_col = "prediction"

    def __init__(self, **options):
        self.options = dict(options)

    def _build_options(self):
        settings = dict(self.options)
        progress = settings.pop("progress", None)
        if settings.get("max_depth", 0) is None:
            settings["max_depth"] = -1
        if settings.get("max_leaf_nodes", 0) is None:
            settings["max_leaf_nodes"] = 0
        if "class_weight" in settings and settings["class_weight"] is None:
            settings["class_weight"] = "none"
        return _named_options(_capi.crm_tree_options, settings, _NAMED, "DecisionTree", progress)

    def fit(self, ds, target, features):
        """Fit predicting the column `target` from the columns `features`; returns self."""
        if not isinstance(ds, Dataset):
            raise TypeError("fit() needs a Dataset, not %s" % type(ds).__name__)
        feats, cfeats = _names(features, "fit(features)")
        opts, keep = self._build_options()
        out = POINTER(_capi.crm_model)()
        with _calling(keep):
            _capi.crm_tree_fit(ds._handle, _text(target, "fit(target)"), cfeats, len(feats),
                               None if opts is None else byref(opts), byref(out))
        del keep
        self._attach(out)
        self.target = target
        self.features = feats
        return self

    def pruning_path(self, ds, target, features):
        """Cost-complexity pruning path of these options (ccp_alpha ignored): a Dataset with
        columns ccp_alpha and impurity, as scikit-learn's cost_complexity_pruning_path."""
        feats, cfeats = _names(features, "pruning_path(features)")
        opts, keep = self._build_options()
        out = POINTER(_capi.crm_dataset)()
        with _calling(keep):
            _capi.crm_tree_pruning_path(_handle_of(ds, "pruning_path()"), _text(target, "pruning_path(target)"), cfeats,
                                        len(feats), None if opts is None else byref(opts),
                                        byref(out))
        del keep
        return Dataset._wrap(out)

    def rules(self, flat=False):
        """The tree as indented if/then rules with class counts and n per leaf; with
        ``flat=True`` one "IF ... AND ... THEN ..." line per leaf."""
        out = POINTER(c_char)()
        if flat:
            _capi.crm_tree_export_rules(self._handle, byref(out))
        else:
            _capi.crm_tree_export_text(self._handle, byref(out))
        return _take_string(out)

    def dot(self):
        """The tree in Graphviz dot language."""
        out = POINTER(c_char)()
        _capi.crm_tree_export_dot(self._handle, byref(out))
        return _take_string(out)

    @property
    def feature_importances(self):
        """{feature: importance} (impurity decrease, normalised to sum 1)."""
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_tree_feature_importances(self._handle, byref(out))
        cols = Dataset._wrap(out).to_columns()
        return dict(zip(cols["feature"], cols["importance"]))


_KINDS[_capi.CRM_MODEL_TREE] = DecisionTree
