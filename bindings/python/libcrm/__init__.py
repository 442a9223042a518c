"""libcrm: customer analytics (cleaning, RFM, segmentation, churn models,
basket analysis, forecasting) for Python, on top of the libcrm C library.

The package has two layers:

* :mod:`libcrm._capi`, generated from the C headers by ``bindings/gen.py``:
  ctypes prototypes of every C function, enums, constants and options structs;
* the Pythonic layer: :class:`Dataset`, :func:`synth` and the exceptions.

Errors raise :class:`Error` subclasses carrying the C status and message::

    import libcrm
    ds = libcrm.Dataset.read_csv("orders.csv", delimiter=";", types={"CustomerID": "text"})
    print(ds.describe())

The shared library is found through the ``LIBCRM_PATH`` environment variable,
the path ``cmake --install`` recorded with the package, next to the package,
or by the system loader; a library with another major version, or older than
the headers the binding came from, is refused.

Datasets and models free their C handle on ``close()`` or at the end of a
``with`` block (the garbage collector does it otherwise); using them after
that raises :class:`StateError`. A ``progress`` callable given to a fitting
class is called with the fraction done and cancels the call
(:class:`CancelledError`) by returning True; an exception it raises cancels the
call too and is raised again when the call returns.
"""

from . import _capi
from .errors import (CancelledError, CrmIOError, CrmTypeError, Error, FormatError,
                     InvalidError, NoMemoryError, NotFoundError, NumericError, ParseError,
                     StateError, UnsupportedError)
from .dataset import Dataset
from ._synth import synth
from ._rfm import funnel, nps, rfm, rfm_default_as_of, rfm_segments, rfm_stages, satisfaction
from ._models import KMeans, Model, load_model, silhouette
from ._linear import (LinearRegression, LogisticRegression, classification_metrics,
                      regression_metrics)
from ._assoc import apriori, split_items
from ._tree import DecisionTree
from ._forest import RandomForest
from ._arima import Arima, arima_many
from ._clv import Clv, clv_summary
from ._report import report, report_html

__all__ = [
    "Dataset", "synth", "rfm", "rfm_default_as_of", "rfm_segments", "rfm_stages", "nps",
    "satisfaction", "funnel",
    "Model", "KMeans", "DecisionTree", "RandomForest", "load_model", "silhouette", "apriori",
    "split_items",
    "LogisticRegression", "LinearRegression", "classification_metrics", "regression_metrics",
    "Arima", "arima_many", "Clv", "clv_summary", "report", "report_html",
    "Error", "InvalidError", "NoMemoryError", "CrmIOError", "ParseError", "NotFoundError",
    "CrmTypeError", "NumericError", "StateError", "FormatError", "CancelledError",
    "UnsupportedError",
    "__version__", "version_info", "library_version", "library_version_info", "library_path",
]

#: Version of the headers this binding was generated from ("MAJOR.MINOR.PATCH").
__version__ = _capi.CRM_VERSION_STRING
#: The same as a tuple of ints.
version_info = (_capi.CRM_VERSION_MAJOR, _capi.CRM_VERSION_MINOR, _capi.CRM_VERSION_PATCH)
#: Version of the loaded shared library (crm_version()); never older than __version__.
library_version = _capi.crm_version().decode("ascii")
#: The same as a tuple of ints (from crm_version_number()).
library_version_info = (_capi.LIBRARY_VERSION_NUMBER // 10000,
                        _capi.LIBRARY_VERSION_NUMBER // 100 % 100,
                        _capi.LIBRARY_VERSION_NUMBER % 100)
#: Where the shared library was loaded from.
library_path = _capi.LIBRARY_PATH
