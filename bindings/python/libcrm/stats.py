"""Mergeable statistics (crm/stats.h): per-chunk kernels, exact merges and update steps, so
that an engine that splits rows into partitions (Dask, a job queue, several machines) gets the
one-machine answer.

Every ``*_stats`` function reads one chunk (a Dataset, possibly empty) and returns a
:class:`Stats`; :meth:`Stats.merge` folds another in; :meth:`Stats.to_bytes` /
:meth:`Stats.from_bytes` (and pickle, which goes through them) move statistics between
processes as versioned bytes, never as C pointers. The ``*_finalize`` / ``*_update`` /
``*_step`` / ``*_solve`` functions turn merged statistics into the result::

    parts = [libcrm.stats.rfm_stats(chunk, customer="CustomerID", date="InvoiceDate",
                                    amount="amount", invoice="InvoiceNo") for chunk in chunks]
    table = libcrm.stats.rfm_finalize(libcrm.stats.merge(parts), customer="CustomerID",
                                      date="InvoiceDate", amount="amount", invoice="InvoiceNo")

Exactness and partitioning rules are those of include/crm/stats.h (Apriori: every row of a
transaction in the same chunk).
"""

import datetime
import weakref
from ctypes import POINTER, byref, c_double, c_size_t, c_uint8, c_int64

from . import _capi, _options
from .dataset import Dataset, _handle_of, _names, _seconds, _text
from .errors import StateError

__all__ = ["Stats", "merge", "merge_bytes", "group_stats", "group_finalize", "rfm_stats", "rfm_finalize",
           "kmeans_stats", "kmeans_update", "kmeans_candidates", "levels_stats", "levels_terms",
           "logreg_stats", "logreg_step", "linreg_stats", "linreg_solve", "apriori_local",
           "apriori_count", "apriori_finalize"]

_KINDS = {int(k): k.name[len("CRM_STATS_"):].lower() for k in _capi.crm_stats_kind}


class Stats:
    """Mergeable statistics of one estimator over some rows (a crm_stats handle).

    ``kind`` names what they hold ("group", "rfm", "kmeans", "kmeans_candidates", "levels",
    "linreg", "logreg", "itemsets", "item_counts"); ``rows`` is the number of input rows
    covered. Pickling sends the versioned bytes of :meth:`to_bytes`.
    """

    __slots__ = ("_ptr", "_finalizer", "__weakref__")

    @classmethod
    def _wrap(cls, ptr):
        if not ptr:
            raise StateError("libcrm returned no statistics")
        obj = cls.__new__(cls)
        obj._ptr = ptr
        obj._finalizer = weakref.finalize(obj, _capi.crm_stats_free, ptr)
        return obj

    @property
    def _handle(self):
        ptr = getattr(self, "_ptr", None)
        if ptr is None:
            raise StateError("the statistics have been closed")
        return ptr

    def close(self):
        """Free the C handle now (also done when the object is collected)."""
        if getattr(self, "_ptr", None) is not None:
            self._finalizer()
            self._ptr = None

    @property
    def kind(self):
        return _KINDS.get(_capi.crm_stats_get_kind(self._handle), "unknown")

    @property
    def rows(self):
        out = c_int64()
        _capi.crm_stats_rows(self._handle, byref(out))
        return out.value

    def to_bytes(self):
        """The statistics as a versioned byte buffer (magic, format and library version, kind,
        parameter fingerprint, payload, checksum)."""
        n = c_size_t()
        _capi.crm_stats_serialized_size(self._handle, byref(n))
        buf = (c_uint8 * max(n.value, 1))()
        _capi.crm_stats_serialize(self._handle, buf, n.value)
        return bytes(buf)[:n.value]

    @classmethod
    def from_bytes(cls, data):
        """Statistics from :meth:`to_bytes` output; FormatError for a buffer of another
        library or format version, another magic, or a corrupted one."""
        data = bytes(data)
        buf = (c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        out = POINTER(_capi.crm_stats)()
        _capi.crm_stats_deserialize(buf, len(data), byref(out))
        return cls._wrap(out)

    def __reduce__(self):
        return (Stats.from_bytes, (self.to_bytes(),))

    def copy(self):
        out = POINTER(_capi.crm_stats)()
        _capi.crm_stats_clone(self._handle, byref(out))
        return Stats._wrap(out)

    def merge(self, other):
        """Fold `other` into these statistics (same kind and parameters); returns self."""
        if not isinstance(other, Stats):
            raise TypeError("merge() needs Stats, not %s" % type(other).__name__)
        _capi.crm_stats_merge(self._handle, other._handle)
        return self

    def values(self, name):
        """A named array as a list of floats (see crm_stats_values() for the names)."""
        n = c_size_t()
        _capi.crm_stats_value_count(self._handle, _text(name, "values(name)"), byref(n))
        out = (c_double * max(n.value, 1))()
        _capi.crm_stats_values(self._handle, _text(name, "values(name)"), out, n.value)
        return list(out)[:n.value]

    def __repr__(self):
        if getattr(self, "_ptr", None) is None:
            return "<libcrm.stats.Stats (closed)>"
        return "<libcrm.stats.Stats %s, %d rows>" % (self.kind, self.rows)


def merge(parts):
    """The merge of an iterable of Stats, in the given order (a new Stats; the parts are
    left as they are)."""
    parts = list(parts)
    if not parts:
        raise ValueError("merge() needs at least one Stats")
    total = parts[0].copy()
    for p in parts[1:]:
        total.merge(p)
    return total


def merge_bytes(blobs):
    """The merge of serialized statistics (an iterable of :meth:`Stats.to_bytes` buffers, in
    partition order) in one C call (crm_stats_merge_buffers): a balanced tree in buffer order,
    each entry copied O(log n) times instead of O(n) for a left-to-right fold. FormatError
    naming the buffer for a bad one."""
    blobs = [bytes(b) for b in blobs]
    if not blobs:
        raise ValueError("merge_bytes() needs at least one buffer")
    data = b"".join(blobs)
    buf = (c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
    lens = (c_int64 * len(blobs))(*[len(b) for b in blobs])
    out = _new_stats()
    _capi.crm_stats_merge_buffers(buf, lens, len(blobs), byref(out))
    return Stats._wrap(out)


def _new_stats():
    return POINTER(_capi.crm_stats)()


def _doubles(values, what):
    values = [float(v) for v in values]
    return (c_double * max(len(values), 1))(*values), len(values)


def _flat(centers, what):
    rows = [list(c) if not isinstance(c, (int, float)) else [c] for c in centers]
    if not rows:
        return [], 0
    d = len(rows[0])
    if any(len(r) != d for r in rows):
        raise ValueError("%s: every center needs the same number of values" % what)
    return [v for r in rows for v in r], len(rows)


# ---- group-by --------------------------------------------------------------------------

def group_stats(ds, keys, aggs):
    """Group-by partials of a chunk: ``aggs`` as Dataset.group (sum, mean, min, max, count,
    var, count())."""
    keys, ckeys = _names(keys, "group_stats(keys)")
    aggs, caggs = _names(aggs, "group_stats(aggs)")
    out = _new_stats()
    _capi.crm_group_stats_compute(_handle_of(ds, "group_stats()"), ckeys, len(keys), caggs,
                                  len(aggs), byref(out))
    return Stats._wrap(out)


def group_finalize(stats):
    """The grouped Dataset of merged group-by statistics (Dataset.group's table)."""
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_group_stats_finalize(stats._handle, byref(out))
    return Dataset._wrap(out)


# ---- RFM -------------------------------------------------------------------------------

def _rfm_options(what, as_of=None, **settings):
    settings = {k: v for k, v in settings.items() if v is not None}
    if as_of is not None:
        settings["as_of"] = (_seconds(as_of, what + "(as_of)")
                             if isinstance(as_of, (datetime.date, datetime.datetime)) else as_of)
    return _options.build(_capi.crm_rfm_options, settings, what)


def rfm_stats(tx, customer, date, amount=None, quantity=None, price=None, invoice=None,
              as_of=None):
    """Per-customer RFM partials of a chunk of transaction lines (libcrm.rfm's columns)."""
    opts, keep = _rfm_options("rfm_stats", as_of, customer=customer, date=date, amount=amount,
                              quantity=quantity, price=price, invoice=invoice)
    out = _new_stats()
    _capi.crm_rfm_stats_compute(_handle_of(tx, "rfm_stats()"), byref(opts), byref(out))
    del keep
    return Stats._wrap(out)


def rfm_finalize(stats, customer, date, amount=None, quantity=None, price=None, invoice=None,
                 as_of=None, bins=None, active_days=None, inactive_days=None):
    """The RFM table of merged statistics: the same Dataset libcrm.rfm gives on all rows."""
    opts, keep = _rfm_options("rfm_finalize", as_of, customer=customer, date=date,
                              amount=amount, quantity=quantity, price=price, invoice=invoice,
                              bins=bins, active_days=active_days, inactive_days=inactive_days)
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_rfm_stats_finalize(stats._handle, byref(opts), byref(out))
    del keep
    return Dataset._wrap(out)


# ---- k-means ---------------------------------------------------------------------------

def kmeans_stats(ds, columns, centers):
    """One Lloyd step over a chunk at ``centers`` (k lists of d values)."""
    cols, ccols = _names(columns, "kmeans_stats(columns)")
    flat, k = _flat(centers, "kmeans_stats(centers)")
    arr, n = _doubles(flat, "kmeans_stats(centers)")
    out = _new_stats()
    _capi.crm_kmeans_stats_compute(_handle_of(ds, "kmeans_stats()"), ccols, len(cols), arr, n,
                                   k, byref(out))
    return Stats._wrap(out)


def kmeans_update(stats):
    """New centers (k lists of d values) from merged k-means statistics."""
    centers = stats.values("centers")
    k = len(stats.values("counts"))
    n = len(centers)
    out = (c_double * max(n, 1))()
    _capi.crm_kmeans_stats_update(stats._handle, out, n)
    d = n // k
    return [list(out[i * d:(i + 1) * d]) for i in range(k)]


def kmeans_candidates(ds, columns, centers, oversample, cost, seed, chunk):
    """The k-means|| candidate step over chunk number ``chunk`` (see crm/stats.h); with no
    centers, one uniformly drawn row per chunk, weighted by the chunk's rows."""
    cols, ccols = _names(columns, "kmeans_candidates(columns)")
    flat, k = _flat(centers, "kmeans_candidates(centers)")
    arr, n = _doubles(flat, "kmeans_candidates(centers)")
    out = _new_stats()
    _capi.crm_kmeans_stats_candidates(_handle_of(ds, "kmeans_candidates()"), ccols, len(cols),
                                      arr, n, k, float(oversample), float(cost), int(seed),
                                      int(chunk), byref(out))
    return Stats._wrap(out)


# ---- regression ------------------------------------------------------------------------

def levels_stats(ds, features):
    """The design schema of a chunk (the text features' levels; merged: their union)."""
    feats, cfeats = _names(features, "levels_stats(features)")
    out = _new_stats()
    _capi.crm_levels_stats_compute(_handle_of(ds, "levels_stats()"), cfeats, len(feats),
                                   byref(out))
    return Stats._wrap(out)


def levels_terms(levels, fit_intercept=True):
    """Number of coefficients of the design of merged levels."""
    out = c_size_t()
    _capi.crm_levels_stats_terms(levels._handle, 1 if fit_intercept else 0, byref(out))
    return out.value


def _opts(struct, what, settings):
    settings = {k: v for k, v in settings.items() if v is not None}
    opts, keep = _options.build(struct, settings, what)
    return (None if opts is None else byref(opts)), keep


def logreg_stats(ds, target, features, levels, coef, **options):
    """Gradient, Hessian and log-likelihood of a chunk at ``coef``."""
    feats, cfeats = _names(features, "logreg_stats(features)")
    arr, n = _doubles(coef, "logreg_stats(coef)")
    opts, keep = _opts(_capi.crm_logreg_options, "logreg_stats", options)
    out = _new_stats()
    _capi.crm_logreg_stats_compute(_handle_of(ds, "logreg_stats()"),
                                   _text(target, "logreg_stats(target)"), cfeats, len(feats),
                                   levels._handle, opts, arr, n, byref(out))
    del keep
    return Stats._wrap(out)


def logreg_step(stats, **options):
    """The Newton update from merged logistic statistics (new coefficients)."""
    n = len(stats.values("gradient"))
    opts, keep = _opts(_capi.crm_logreg_options, "logreg_step", options)
    out = (c_double * max(n, 1))()
    _capi.crm_logreg_stats_step(stats._handle, opts, out, n)
    del keep
    return list(out)[:n]


def linreg_stats(ds, target, features, levels, **options):
    """X'X, X'y and y'y of a chunk."""
    feats, cfeats = _names(features, "linreg_stats(features)")
    opts, keep = _opts(_capi.crm_linreg_options, "linreg_stats", options)
    out = _new_stats()
    _capi.crm_linreg_stats_compute(_handle_of(ds, "linreg_stats()"),
                                   _text(target, "linreg_stats(target)"), cfeats, len(feats),
                                   levels._handle, opts, byref(out))
    del keep
    return Stats._wrap(out)


def linreg_solve(stats, **options):
    """Least-squares (ridge with l2) coefficients from merged linear statistics."""
    n = len(stats.values("xty"))
    opts, keep = _opts(_capi.crm_linreg_options, "linreg_solve", options)
    out = (c_double * max(n, 1))()
    _capi.crm_linreg_stats_solve(stats._handle, opts, out, n)
    del keep
    return list(out)[:n]


# ---- Apriori (SON) ---------------------------------------------------------------------

def apriori_local(tx, tid, item, **options):
    """SON pass 1: the itemsets frequent within a chunk (every row of a transaction in it)."""
    opts, keep = _opts(_capi.crm_apriori_options, "apriori_local", options)
    out = _new_stats()
    _capi.crm_apriori_stats_local(_handle_of(tx, "apriori_local()"), _text(tid, "tid"),
                                  _text(item, "item"), opts, byref(out))
    del keep
    return Stats._wrap(out)


def apriori_count(tx, tid, item, candidates):
    """SON pass 2: exact counts of the merged candidates in a chunk."""
    out = _new_stats()
    _capi.crm_apriori_stats_count(_handle_of(tx, "apriori_count()"), _text(tid, "tid"),
                                  _text(item, "item"), candidates._handle, byref(out))
    return Stats._wrap(out)


def apriori_finalize(counts, **options):
    """``(itemsets, rules)`` Datasets of merged counts: libcrm.apriori's tables."""
    opts, keep = _opts(_capi.crm_apriori_options, "apriori_finalize", options)
    sets = POINTER(_capi.crm_dataset)()
    rules = POINTER(_capi.crm_dataset)()
    _capi.crm_apriori_stats_finalize(counts._handle, opts, byref(sets), byref(rules))
    del keep
    return Dataset._wrap(sets), Dataset._wrap(rules)
