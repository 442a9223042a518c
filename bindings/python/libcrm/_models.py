"""Fitted models (crm_model): the shared Model class and KMeans."""

import contextlib
import ctypes
import weakref
from ctypes import POINTER, byref, c_char, c_char_p, c_double, c_size_t

from . import _capi, _options
from .dataset import Dataset, _handle_of, _names, _path, _text
from .errors import CancelledError, StateError

__all__ = ["Model", "KMeans", "silhouette", "load_model"]

_KINDS = {}


class Model:
    """A fitted libcrm model (any kind): predict, summary, stats, save/load.

    Subclasses (KMeans, ...) add ``fit``. The C handle is freed by the garbage
    collector, in any order relative to the datasets it was fitted on.

    Every fitting class takes the option ``mutate``: a list of "NAME=EXPR"
    strings (expressions as Dataset.mutate), applied in order to a copy of the
    dataset before the fit and recorded in the model; predict() applies them to
    a copy of the dataset it is given and adds only the prediction column(s).
    ``mutate`` on a fitted model lists the recorded steps in the same form.
    """

    kind = None

    def _attach(self, ptr):
        old = getattr(self, "_finalizer", None)
        if old is not None:
            old()  # a model fitted again frees its previous handle now
        self._ptr = ptr
        self._closed = False
        self._finalizer = weakref.finalize(self, _capi.crm_model_free, ptr)
        return self

    @property
    def _handle(self):
        if getattr(self, "_ptr", None) is None:
            if getattr(self, "_closed", False):
                raise StateError("the model has been closed")
            raise ValueError("the model is not fitted (call fit() or load())")
        return self._ptr

    def close(self):
        """Free the C model now. Afterwards every method but ``fit`` raises
        :class:`libcrm.StateError`; closing twice is harmless."""
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()
        self._ptr = None
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def fitted(self):
        return getattr(self, "_ptr", None) is not None

    @property
    def mutate(self):
        """The transform steps recorded at the fit, as a list of "NAME=EXPR" strings
        (empty when there are none); predict() applies them by itself."""
        n = c_size_t()
        _capi.crm_model_mutate_count(self._handle, byref(n))
        steps = []
        for i in range(n.value):
            name, expr = c_char_p(), c_char_p()
            _capi.crm_model_mutate(self._handle, i, byref(name), byref(expr))
            steps.append("%s=%s" % (name.value.decode("utf-8"), expr.value.decode("utf-8")))
        return steps

    @property
    def classes(self):
        """The class labels of a classifier fitted on a text target, as a tuple (a tree:
        its classes in byte order; logistic regression: negative, positive); empty for
        every other model."""
        n = c_size_t()
        _capi.crm_model_class_count(self._handle, byref(n))
        labels = []
        for i in range(n.value):
            label = c_char_p()
            _capi.crm_model_class(self._handle, i, byref(label))
            labels.append(label.value.decode("utf-8"))
        return tuple(labels)

    @property
    def kind_name(self):
        """The model kind as in the JSON "kind" member ("kmeans", "tree", ...)."""
        name = _capi.crm_model_kind_name(_capi.crm_model_kind(self._handle))
        return name.decode("utf-8") if name is not None else "unknown"

    def predict(self, ds, out_col=None):
        """Add the prediction column(s) to `ds` in place and return `ds` (the
        recorded transform steps run on a copy: only the predictions are added)."""
        if not isinstance(ds, Dataset):
            raise TypeError("predict() needs a Dataset, not %s" % type(ds).__name__)
        name = out_col or self.default_out_col
        _capi.crm_model_predict(self._handle, ds._handle, _text(name, "predict(out_col)"))
        return ds

    def summary(self):
        """The model as a Dataset (e.g. k-means: one row per cluster)."""
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_model_summary(self._handle, byref(out))
        return Dataset._wrap(out)

    def stat(self, name):
        """One named statistic (e.g. "inertia"); NotFoundError lists the valid names."""
        v = c_double()
        _capi.crm_model_stat(self._handle, _text(name, "stat(name)"), byref(v))
        return v.value

    def stats(self):
        """Every statistic of the model as a dict."""
        n = c_size_t()
        _capi.crm_model_stat_count(self._handle, byref(n))
        result = {}
        for i in range(n.value):
            name = c_char_p()
            _capi.crm_model_stat_name(self._handle, i, byref(name))
            key = name.value.decode("utf-8")
            result[key] = self.stat(key)
        return result

    def to_json(self):
        """The model as versioned JSON text (see crm/model.h)."""
        out = POINTER(c_char)()
        _capi.crm_model_to_json(self._handle, byref(out))
        try:
            return ctypes.string_at(out).decode("utf-8")
        finally:
            _capi.crm_free(out)

    def save(self, path):
        """Write the model as JSON to `path`."""
        _capi.crm_model_save(self._handle, _path(path, "save(path)"))

    @classmethod
    def from_json(cls, text):
        """A model from JSON text; predicts bit-identically to the one saved."""
        out = POINTER(_capi.crm_model)()
        _capi.crm_model_from_json(_text(text, "from_json(text)"), byref(out))
        return _wrap_model(out, cls)

    @classmethod
    def load(cls, path):
        """A model from a JSON file written by save()."""
        out = POINTER(_capi.crm_model)()
        _capi.crm_model_load(_path(path, "load(path)"), byref(out))
        return _wrap_model(out, cls)

    def __repr__(self):
        if getattr(self, "_closed", False):
            return "<libcrm.%s (closed)>" % type(self).__name__
        if not self.fitted:
            return "<libcrm.%s (not fitted)>" % type(self).__name__
        return "<libcrm.%s %s>" % (type(self).__name__, self.stats())


def _wrap_model(ptr, cls):
    kind = _capi.crm_model_kind(ptr)
    target = _KINDS.get(kind, Model)
    if cls is not Model and target is not cls:
        _capi.crm_model_free(ptr)
        raise TypeError("the JSON holds a %s model, not %s" % (target.__name__, cls.__name__))
    m = target.__new__(target)
    return m._attach(ptr)


def load_model(path):
    """Load any saved model, returning an instance of the matching class."""
    return Model.load(path)


class KMeans(Model):
    """k-means segmentation (crm_kmeans_fit).

    Keyword arguments are the crm_kmeans_options fields: ``k``, ``n_init``,
    ``max_iter``, ``tol``, ``init`` ("plusplus", "random", "given" or the
    CRM_KMEANS_INIT_* value), ``init_centers`` (k x d values, row-major, as a
    flat list or a list of rows), ``seed``, ``standardize``, ``n_threads``,
    ``algorithm`` ("auto", "lloyd", "hamerly"), ``progress`` (a callable
    ``f(fraction) -> bool``, True cancels), ``mutate`` (a list of "NAME=EXPR"
    transform steps recorded in the model, see Model).

        km = libcrm.KMeans(k=5, seed=0, standardize=True).fit(rfm, ["recency_days", "monetary"])
        km.predict(rfm, "cluster"); km.stat("inertia"); km.summary()
        # log(1 + x) before the fit, replayed by predict on raw data:
        km = libcrm.KMeans(k=4, mutate=["monetary=log(1 + monetary)"]).fit(rfm, ["monetary"])
        km.centers_original()  # centers in money again (the log step undone)
    """

    kind = _capi.CRM_MODEL_KMEANS
    default_out_col = "cluster"

    def __init__(self, **options):
        self.options = dict(options)

    def _build_options(self):
        settings = dict(self.options)
        keep = []
        centers = settings.pop("init_centers", None)
        progress = settings.pop("progress", None)
        if isinstance(settings.get("standardize"), bool):
            settings["standardize"] = int(settings["standardize"])
        named = {"init": {"plusplus": _capi.CRM_KMEANS_INIT_PLUSPLUS, "k-means++": _capi.CRM_KMEANS_INIT_PLUSPLUS,
                          "random": _capi.CRM_KMEANS_INIT_RANDOM, "given": _capi.CRM_KMEANS_INIT_GIVEN},
                 "algorithm": {"auto": _capi.CRM_KMEANS_AUTO, "lloyd": _capi.CRM_KMEANS_LLOYD,
                               "hamerly": _capi.CRM_KMEANS_HAMERLY}}
        for field, table in named.items():
            value = settings.get(field)
            if isinstance(value, str):
                if value.lower() not in table:
                    raise ValueError("KMeans(%s=%r): use one of %s" % (field, value, ", ".join(table)))
                settings[field] = table[value.lower()]
        if centers is not None:
            # Rows are flattened here; the generic code sets init_centers and its count.
            settings["init_centers"] = [
                float(v) for row in centers for v in (row if hasattr(row, "__iter__") else [row])]
        opts, keep = _options.build(_capi.crm_kmeans_options, settings, "KMeans")
        if opts is None and progress is not None:
            opts = _capi.crm_kmeans_options.defaults()
        if centers is not None and "init" not in settings:
            opts.init = _capi.CRM_KMEANS_INIT_GIVEN
        if progress is not None:
            keep.append(_progress_callback(opts, progress))
        return opts, keep

    def fit(self, ds, columns):
        """Fit on the number columns `columns` of `ds`; returns self."""
        if not isinstance(ds, Dataset):
            raise TypeError("fit() needs a Dataset, not %s" % type(ds).__name__)
        cols, ccols = _names(columns, "fit(columns)")
        opts, keep = self._build_options()
        out = POINTER(_capi.crm_model)()
        with _calling(keep):
            _capi.crm_kmeans_fit(ds._handle, ccols, len(cols),
                                 None if opts is None else byref(opts), byref(out))
        del keep
        self._attach(out)
        self.columns = cols
        return self

    def centers_original(self):
        """The centers in the units of the input columns, as a Dataset.

        One row per cluster: ``cluster``, ``size`` and one column per feature.
        Unlike :meth:`summary` (standardization undone, but in the units the
        transform steps produce), the ``mutate`` steps of the forms log1p(f),
        log(1 + f), log(f) and exp(f) are undone too, so a center after
        "monetary=log1p(monetary)" reads in money (crm_kmeans_centers_original).
        """
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_kmeans_centers_original(self._handle, byref(out))
        return Dataset._wrap(out)

    def elbow(self, ds, columns, k_min, k_max):
        """Inertia for every k in k_min..k_max (these options, k ignored), as a Dataset."""
        cols, ccols = _names(columns, "elbow(columns)")
        opts, keep = self._build_options()
        out = POINTER(_capi.crm_dataset)()
        with _calling(keep):
            _capi.crm_kmeans_elbow(_handle_of(ds, "elbow()"), ccols, len(cols), k_min, k_max,
                                   None if opts is None else byref(opts), byref(out))
        del keep
        return Dataset._wrap(out)


class _Progress:
    """The C progress callback of one call, calling ``progress(fraction)``; a
    true result cancels the call (CRM_E_CANCELLED).

    An exception raised by ``progress`` must not unwind through C: the
    callback keeps it, returns 1 to cancel, and :func:`_calling` raises it
    again once the C call has returned.
    """

    def __init__(self, ctype, progress):
        self.error = None

        def call(fraction, user):
            if self.error is not None:
                return 1
            try:
                return 1 if progress(fraction) else 0
            except BaseException as exc:  # KeyboardInterrupt too: raised after the call
                self.error = exc
                return 1

        self.cfunc = ctype(call)


def _progress_callback(opts, progress):
    """Set opts.progress to a C callback calling progress(fraction) (True/non-zero
    cancels); returns the _Progress object, to keep alive during the call and
    to pass to _calling()."""
    if not callable(progress):
        raise TypeError("progress must be callable, not %s" % type(progress).__name__)
    ctype = dict(type(opts)._fields_)["progress"]
    p = _Progress(ctype, progress)
    opts.progress = p.cfunc
    return p


@contextlib.contextmanager
def _calling(keep):
    """Around a C call whose options may hold a progress callback (a _Progress in
    `keep`): an exception the callback caught is raised again after the call."""
    try:
        yield
    except CancelledError as cancelled:
        for item in keep:
            if isinstance(item, _Progress) and item.error is not None:
                raise item.error from cancelled
        raise
    for item in keep:
        if isinstance(item, _Progress) and item.error is not None:
            raise item.error


def silhouette(ds, columns, label_col, sample_size=None, seed=None, n_threads=None):
    """Mean silhouette coefficient of the clustering in `label_col` (as
    sklearn.metrics.silhouette_score): exact up to `sample_size` rows
    (default 10,000), a seeded sample above."""
    cols, ccols = _names(columns, "silhouette(columns)")
    settings = {k: v for k, v in {"sample_size": sample_size, "seed": seed,
                                  "n_threads": n_threads}.items() if v is not None}
    opts, keep = _options.build(_capi.crm_silhouette_options, settings, "silhouette")
    out = c_double()
    _capi.crm_silhouette(_handle_of(ds, "silhouette()"), ccols, len(cols), _text(label_col, "label_col"),
                         None if opts is None else byref(opts), byref(out))
    del keep
    return out.value


_KINDS[_capi.CRM_MODEL_KMEANS] = KMeans
