"""libcrm over Dask partitions: the one-machine analyses on a ``dask.dataframe``.

Every function here splits an analysis into per-partition kernels and exact
merges (include/crm/stats.h): each partition is converted to a libcrm Dataset
inside the worker, the kernel's statistics come back to the client as
versioned bytes (never pickled C pointers), and the client merges them in
partition order, so the result does not depend on scheduling::

    import dask.dataframe as dd
    from distributed import Client
    import libcrm.dask as lcd

    client = Client("tcp://scheduler:8786")          # or a LocalCluster
    orders = dd.read_csv("orders-*.csv")
    table = lcd.rfm(orders, "customer", "date", amount="amount")   # a libcrm.Dataset
    km = lcd.KMeans(k=5, init_centers=c0).fit(ddf, ["recency_days", "monetary"])

Results are the objects of the one-machine API (Dataset, KMeans,
LogisticRegression, LinearRegression) and equal its results on the same rows:
bit for bit for rfm, group and apriori, to about 1e-12 relative for k-means
centers and regression coefficients. Dask is imported on first use; without it
every function raises ImportError naming the Debian packages to install.
See docs/scale-out.md.
"""

import ctypes
import json
import math
from ctypes import POINTER, byref, c_double, c_size_t

from . import _capi, _options
from .dataset import Dataset, _seconds, _text_pointers
from .errors import Error
from ._linear import LinearRegression as _LinearRegression
from ._linear import LogisticRegression as _LogisticRegression
from ._models import KMeans as _KMeans

__all__ = ["rfm", "group", "KMeans", "LogisticRegression", "LinearRegression", "apriori",
           "arima_many", "Stats"]

_INSTALL = ("libcrm.dask needs Dask and distributed: install python3-dask "
            "python3-distributed")


def _dask():
    """The dask and dask.dataframe modules, imported on first use."""
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL) from exc
    return dask


# -- statistics handles and bytes -----------------------------------------------------------

class Stats:
    """Mergeable statistics (a crm_stats handle) on the client or in a worker."""

    def __init__(self, ptr):
        self._ptr = ptr

    def __del__(self):
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            _capi.crm_stats_free(ptr)

    @classmethod
    def from_bytes(cls, data):
        """Statistics from crm_stats_serialize() bytes; FormatError for bytes of another
        library version, format, or a corrupted buffer (the message says which)."""
        data = bytes(data)
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        out = POINTER(_capi.crm_stats)()
        _capi.crm_stats_deserialize(buf, len(data), byref(out))
        return cls(out)

    def to_bytes(self):
        n = c_size_t()
        _capi.crm_stats_serialized_size(self._ptr, byref(n))
        buf = (ctypes.c_uint8 * n.value)()
        _capi.crm_stats_serialize(self._ptr, buf, n.value)
        return bytes(buf)

    def merge(self, other):
        _capi.crm_stats_merge(self._ptr, other._ptr)
        return self

    def values(self, name):
        n = c_size_t()
        cname = name.encode("ascii")
        _capi.crm_stats_value_count(self._ptr, cname, byref(n))
        out = (c_double * n.value)()
        _capi.crm_stats_values(self._ptr, cname, out, n.value)
        return list(out)

    @property
    def rows(self):
        n = ctypes.c_int64()
        _capi.crm_stats_rows(self._ptr, byref(n))
        return n.value


def _merge_bytes(blobs):
    """Merge serialized statistics in a balanced tree in their order: (0, 1), (2, 3), ...,
    then those results the same way. Merging copies the growing total (RFM, group-by:
    sorted merges), so a tree copies each entry O(log n) times where a left-to-right fold
    copies it O(n) times; the tree is fixed by n, so regression sums (whose last bits
    depend on the order) do not depend on the process that merges."""
    blobs = list(blobs)
    if not blobs:
        return None
    if len(blobs) == 1:
        return Stats.from_bytes(blobs[0])
    # one C call (crm_stats_merge_buffers) on the buffers laid back to back: one copy
    data = bytearray(sum(len(b) for b in blobs))
    lens, at = (ctypes.c_int64 * len(blobs))(), 0
    for i, blob in enumerate(blobs):
        data[at:at + len(blob)] = blob
        lens[i] = len(blob)
        at += len(blob)
    out = POINTER(_capi.crm_stats)()
    _capi.crm_stats_merge_buffers((ctypes.c_uint8 * len(data)).from_buffer(data), lens,
                                  len(blobs), byref(out))
    return Stats(out)


# -- worker side ----------------------------------------------------------------------------

def _to_dataset(pdf, columns=None):
    """A pandas partition as a libcrm Dataset: numeric -> number, datetime64 -> time,
    anything else -> text (also when the partition is empty or all missing). With
    `columns`, only those (the ones the kernel reads), in the partition's order."""
    ds = Dataset()
    wanted = None if columns is None else set(columns)
    for name in pdf.columns:
        if wanted is not None and name not in wanted:
            continue
        col = pdf[name]
        kind = col.dtype.kind
        if kind in "fiubM":
            ds.add_column(str(name), col.to_numpy())
            continue
        values = [None if v is None or (isinstance(v, float) and v != v) else str(v)
                  for v in col.tolist()]
        pointers, blob = _text_pointers(values)
        n = len(values)
        _capi.crm_dataset_add_text(ds._handle, str(name).encode("utf-8"),
                                   (ctypes.c_char_p * n).from_buffer(pointers) if n else
                                   (ctypes.c_char_p * 1)(), n)
        del blob
    return ds


def _names_arg(names):
    arr = (ctypes.c_char_p * max(1, len(names)))(*[n.encode("utf-8") for n in names])
    return arr, len(names)


def _rfm_opts(settings):
    return _options.build(_capi.crm_rfm_options, settings, "rfm")


def _agg_column(agg):
    """The column of a group-by aggregation "name=func(col)" (None for count())."""
    inner = agg[agg.find("(") + 1:agg.rfind(")")] if "(" in agg else ""
    return inner or None


def _job_columns(job):
    """The columns a kernel reads (None: all of them)."""
    kind = job[0]
    if kind == "rfm":
        return [job[1][k] for k in ("customer", "date", "amount", "quantity", "price",
                                    "invoice") if k in job[1]]
    if kind == "group":
        cols = list(job[1]) + [_agg_column(a) for a in job[2]]
        return [c for c in cols if c is not None]
    if kind in ("kmeans", "levels"):
        return list(job[1])
    if kind in ("logreg", "linreg"):
        return [job[1]] + list(job[2])
    if kind in ("son_local", "son_count"):
        return [job[1], job[2]]
    return None


def _compute(ds, job):
    """Run one kernel on a Dataset; returns a crm_stats pointer."""
    kind = job[0]
    out = POINTER(_capi.crm_stats)()
    if kind == "rfm":
        opts, keep = _rfm_opts(job[1])
        _capi.crm_rfm_stats_compute(ds._handle, None if opts is None else byref(opts),
                                    byref(out))
        del keep
    elif kind == "group":
        keys, nk = _names_arg(job[1])
        aggs, na = _names_arg(job[2])
        _capi.crm_group_stats_compute(ds._handle, keys, nk, aggs, na, byref(out))
    elif kind == "kmeans":
        cols, d = _names_arg(job[1])
        centers = (c_double * len(job[2]))(*job[2])
        _capi.crm_kmeans_stats_compute(ds._handle, cols, d, centers, len(job[2]),
                                       len(job[2]) // d, byref(out))
    elif kind == "levels":
        cols, d = _names_arg(job[1])
        _capi.crm_levels_stats_compute(ds._handle, cols, d, byref(out))
    elif kind in ("logreg", "linreg"):
        _, target, features, levels_blob, settings, coef = job
        cols, d = _names_arg(features)
        levels = Stats.from_bytes(levels_blob)
        if kind == "logreg":
            opts, keep = _options.build(_capi.crm_logreg_options, settings, "LogisticRegression")
            c = (c_double * len(coef))(*coef)
            _capi.crm_logreg_stats_compute(ds._handle, target.encode("utf-8"), cols, d,
                                           levels._ptr, None if opts is None else byref(opts),
                                           c, len(coef), byref(out))
        else:
            opts, keep = _options.build(_capi.crm_linreg_options, settings, "LinearRegression")
            _capi.crm_linreg_stats_compute(ds._handle, target.encode("utf-8"), cols, d,
                                           levels._ptr, None if opts is None else byref(opts),
                                           byref(out))
        del keep
    elif kind == "son_local":
        opts, keep = _options.build(_capi.crm_apriori_options, job[3], "apriori")
        _capi.crm_apriori_stats_local(ds._handle, job[1].encode("utf-8"),
                                      job[2].encode("utf-8"),
                                      None if opts is None else byref(opts), byref(out))
        del keep
    elif kind == "son_count":
        cand = Stats.from_bytes(job[3])
        _capi.crm_apriori_stats_count(ds._handle, job[1].encode("utf-8"),
                                      job[2].encode("utf-8"), cand._ptr, byref(out))
    else:
        raise ValueError("unknown kernel %r" % (kind,))
    return out


def _partition_stats(pdf, index, job):
    """Worker task: partition `index` -> serialized statistics (bytes). A libcrm
    error is raised again with the partition index in front of the C message
    (which names the 0-based row within the partition)."""
    try:
        columns = _job_columns(job)
        if columns is not None and not set(columns) <= set(pdf.columns):
            columns = None  # a missing column: the kernel names it
        ds = _to_dataset(pdf, columns)
        s = Stats(_compute(ds, job))
        del ds
        extra = None
        if job[0] == "levels":
            extra = {f: sorted({str(v) for v in pdf[f].dropna().tolist()},
                               key=lambda t: t.encode("utf-8"))
                     for f in job[1] if pdf[f].dtype.kind not in "fiub"}
        data = s.to_bytes()
    except Error as exc:
        raise type(exc)("partition %d: %s" % (index, exc), getattr(exc, "status", None)) \
            from None
    return data if extra is None else (data, extra)


# -- client side ----------------------------------------------------------------------------

def _partitions(ddf):
    dask = _dask()
    if not isinstance(ddf, dask.dataframe.DataFrame):
        raise TypeError("libcrm.dask needs a dask.dataframe.DataFrame, not %s"
                        % type(ddf).__name__)
    return ddf.to_delayed()


def _run(parts, job):
    """Run one kernel on every partition; results in partition order."""
    dask = _dask()
    task = dask.delayed(_partition_stats, pure=True)
    return list(dask.compute(*[task(p, i, job) for i, p in enumerate(parts)]))


SPLIT_EVERY = 8


def _merge_task(*blobs):
    """Worker task: merge serialized statistics (in the given order) into one."""
    return _merge_bytes(blobs).to_bytes()


def _tree(parts, job, split_every=None):
    """Kernel per partition, then a merge tree on the workers: consecutive groups of
    `split_every` serialized results merged in partition order, level after level,
    so the client receives one result. The tree is fixed by the partition count,
    so sums whose last bits depend on the order (regression) are reproducible."""
    dask = _dask()
    split_every = max(2, int(split_every or SPLIT_EVERY))
    task = dask.delayed(_partition_stats, pure=True)
    merge = dask.delayed(_merge_task, pure=True)
    level = [task(p, i, job) for i, p in enumerate(parts)]
    while len(level) > 1:
        level = [merge(*level[i:i + split_every]) if len(level[i:i + split_every]) > 1
                 else level[i] for i in range(0, len(level), split_every)]
    return Stats.from_bytes(dask.compute(level[0])[0])


def _stats(parts, job):
    return _tree(parts, job)


def _rfm_settings(customer, date, amount, quantity, price, invoice, as_of, bins,
                  active_days, inactive_days):
    settings = {"customer": customer, "date": date, "amount": amount, "quantity": quantity,
                "price": price, "invoice": invoice, "bins": bins, "active_days": active_days,
                "inactive_days": inactive_days}
    if as_of is not None:
        settings["as_of"] = (as_of if isinstance(as_of, (int, float))
                             else _seconds(as_of, "rfm(as_of)"))
    return {k: v for k, v in settings.items() if v is not None}


def rfm(ddf, customer, date, amount=None, quantity=None, price=None, invoice=None, as_of=None,
        bins=None, active_days=None, inactive_days=None, split_every=None):
    """libcrm.rfm() over the partitions of `ddf`: the same table, bit for bit.

    Each worker computes per-customer partials (first/last purchase, distinct
    invoices, exact amount sums) of its partition; the workers merge them in a
    tree (`split_every` results per merge task, default 8), the client receives
    the one merged result and scores (scores need the global distribution).
    Rows may be split anywhere.
    """
    settings = _rfm_settings(customer, date, amount, quantity, price, invoice, as_of, bins,
                             active_days, inactive_days)
    merged = _tree(_partitions(ddf), ("rfm", settings), split_every)
    opts, keep = _rfm_opts(settings)
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_rfm_stats_finalize(merged._ptr, None if opts is None else byref(opts), byref(out))
    del keep
    return Dataset._wrap(out)


def group(ddf, keys, aggs=(), split_every=None):
    """Dataset.group() over the partitions of `ddf`: the same table, bit for bit
    (aggregations sum, mean, min, max, count, var, count()); merged in a tree on
    the workers as rfm()."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    aggs = [aggs] if isinstance(aggs, str) else list(aggs)
    merged = _tree(_partitions(ddf), ("group", keys, aggs), split_every)
    out = POINTER(_capi.crm_dataset)()
    _capi.crm_group_stats_finalize(merged._ptr, byref(out))
    return Dataset._wrap(out)


def _persist(ddf, columns):
    """Keep the partitions of `ddf` in worker memory for iterative fits, only the
    `columns` the fit reads (the other columns are dropped as each partition is
    made, so a worker never holds the whole frame of more than one partition)."""
    dask = _dask()
    _partitions(ddf)  # the type check
    columns = list(dict.fromkeys(columns))
    missing = [c for c in columns if c not in ddf.columns]
    if missing:
        raise KeyError("libcrm.dask: column(s) %s not in the DataFrame" % ", ".join(missing))
    return list(dask.persist(*_partitions(ddf[columns])))


class KMeans(_KMeans):
    """k-means (Lloyd) over the partitions of a dask DataFrame; ``fit`` returns a
    :class:`libcrm.KMeans` model, as the one-machine fit would.

    Options: ``k``, ``init_centers`` (k x d; given, as ``init="given"`` one
    machine), or ``init="kmeans||"`` with ``seed`` and ``oversample`` (k-means||
    seeding from crm_kmeans_stats_candidates), ``max_iter`` (300), ``tol``
    (relative as the one-machine fit; 0 stops only when the centers no longer
    move). Each iteration sends the k x d centers to every partition and gets
    back k x d sums and k counts (exact expansions) per partition.
    """

    def __init__(self, k=8, init_centers=None, init=None, max_iter=300, tol=1e-4, seed=0,
                 oversample=None, rounds=5, on_iteration=None):
        self.k = int(k)
        self.init_centers = init_centers
        self.init = init or ("given" if init_centers is not None else "kmeans||")
        self.max_iter = int(max_iter)
        self.tol = float(tol)
        self.seed = int(seed)
        self.oversample = oversample
        self.rounds = int(rounds)
        self.on_iteration = on_iteration

    def _initial(self, parts, cols):
        if self.init == "given":
            flat = [float(v) for row in self.init_centers
                    for v in (row if isinstance(row, (list, tuple)) else [row])]
            if len(flat) != self.k * len(cols):
                raise ValueError("KMeans(init_centers): need k x d = %d values, got %d"
                                 % (self.k * len(cols), len(flat)))
            return flat
        if self.init != "kmeans||":
            raise ValueError("KMeans(init=%r): use 'given' or 'kmeans||'" % (self.init,))
        return _kmeans_parallel_init(parts, cols, self.k, self.seed,
                                     self.oversample or 2.0 * self.k, self.rounds)

    def fit(self, ddf, features):
        """Fit on the columns `features` of `ddf`; returns self (a fitted KMeans)."""
        dask = _dask()
        cols = [features] if isinstance(features, str) else list(features)
        parts = _persist(ddf, cols)
        centers = self._initial(parts, cols)
        d = len(cols)
        tol_abs = 0.0
        if self.tol > 0:
            var = dask.compute(ddf[cols].var(ddof=0))[0]
            tol_abs = self.tol * float(sum(var)) / d
        n_iter, converged = 0, 0
        for it in range(self.max_iter):
            merged = _stats(parts, ("kmeans", cols, centers))
            buf = (c_double * len(centers))()
            _capi.crm_kmeans_stats_update(merged._ptr, buf, len(centers))
            new = list(buf)
            n_iter = it + 1
            shift = sum((a - b) ** 2 for a, b in zip(new, centers))
            same = new == centers
            centers = new
            if self.on_iteration is not None:
                self.on_iteration(n_iter)
            if same or shift <= tol_abs:
                converged = 1
                break
        final = _stats(parts, ("kmeans", cols, centers))
        self._finish(cols, centers, final, n_iter, converged, tol_abs)
        return self

    def _finish(self, cols, centers, final, n_iter, converged, tol_abs):
        d = len(cols)
        counts = final.values("counts")
        doc = {"format": "libcrm-model", "version": 1, "kind": "kmeans",
               "libcrm": _capi.crm_version().decode("ascii"), "features": cols, "k": self.k,
               "standardize": False,
               "centers": [centers[i * d:(i + 1) * d] for i in range(self.k)],
               "size": [int(c) for c in counts], "wcss": final.values("wcss"),
               "inertia": final.values("inertia")[0], "n_iter": n_iter,
               "converged": converged, "n_rows": final.rows, "best_init": 0,
               "tol_abs": tol_abs}
        out = POINTER(_capi.crm_model)()
        _capi.crm_model_from_json(json.dumps(doc).encode("utf-8"), byref(out))
        self._attach(out)


def _kmeans_parallel_init(parts, cols, k, seed, oversample, rounds):
    """k-means|| seeding: a first row drawn from one partition, `rounds` candidate
    rounds, then the candidates reduced to k centers by a weighted k-means on the
    client (one-machine libcrm.KMeans with k-means++ on the candidate rows)."""
    dask = _dask()
    d = len(cols)

    def candidates(centers, cost, rnd):
        task = dask.delayed(_candidate_task, pure=True)
        blobs = dask.compute(*[task(p, i, cols, centers, oversample, cost, seed + rnd)
                               for i, p in enumerate(parts)])
        return _merge_bytes(blobs)

    first = candidates([], 1.0, 0)
    rows = first.values("candidates")
    centers = rows[:d]
    for rnd in range(1, rounds + 1):
        cost = _stats(parts, ("kmeans", cols, centers)).values("inertia")[0]
        if cost <= 0:
            break
        cand = candidates(centers, cost, rnd).values("candidates")
        centers = centers + cand
    m = len(centers) // d
    if m <= k:
        raise ValueError("KMeans(init='kmeans||'): only %d distinct candidates for k = %d"
                         % (m, k))
    cand = Dataset.from_columns({c: [centers[i * d + j] for i in range(m)]
                                 for j, c in enumerate(cols)})
    local = _KMeans(k=k, seed=seed, n_init=1).fit(cand, cols)
    out = []
    for row in local.summary().select(cols).rows():
        out.extend(float(v) for v in (row.values() if isinstance(row, dict) else row))
    return out


def _candidate_task(pdf, index, cols, centers, oversample, cost, seed):
    try:
        ds = _to_dataset(pdf, cols)
        names, d = _names_arg(cols)
        c = (c_double * max(1, len(centers)))(*centers)
        out = POINTER(_capi.crm_stats)()
        _capi.crm_kmeans_stats_candidates(ds._handle, names, d, c, len(centers),
                                          len(centers) // d, float(oversample), float(cost),
                                          seed, index, byref(out))
        return Stats(out).to_bytes()
    except Error as exc:
        raise type(exc)("partition %d: %s" % (index, exc), getattr(exc, "status", None)) \
            from None


# -- regression ----------------------------------------------------------------------------

def _levels(parts, features):
    results = _run(parts, ("levels", features))
    blob = _merge_bytes([r[0] for r in results]).to_bytes()
    levels = {}
    for _, extra in results:
        for f, vals in extra.items():
            levels.setdefault(f, set()).update(vals)
    return blob, {f: sorted(v, key=lambda t: t.encode("utf-8")) for f, v in levels.items()}


def _design(features, levels, intercept):
    terms = ["intercept"] if intercept else []
    feats = []
    for f in features:
        if f in levels:
            feats.append({"name": f, "type": "text", "levels": levels[f]})
            terms.extend("%s=%s" % (f, lv) for lv in levels[f][1:])
        else:
            feats.append({"name": f, "type": "number"})
            terms.append(f)
    return feats, terms


_ROWS_PER_BLOCK = 65536


def _design_block(pdf, features, levels, intercept):
    """The design matrix of some rows (intercept, numbers, one-hot text levels after
    the first, in the order of _design's terms), as a numpy array."""
    np = __import__("numpy")
    n = len(pdf)
    cols = [np.ones(n)] if intercept else []
    for f in features:
        if f in levels:
            text = pdf[f].astype(str).to_numpy()
            cols.extend((text == lv).astype(np.float64) for lv in levels[f][1:])
        else:
            cols.append(pdf[f].to_numpy(dtype=np.float64))
    return np.column_stack(cols) if cols else np.zeros((n, 0))


def _residual_task(pdf, index, target, features, levels, intercept, coef, ybar, drop):
    """Worker task: X'r, the residual sum of squares and the centred total sum of
    squares at the coefficients `coef` (r = y - X coef), computed from the rows in
    blocks so the design matrix of a whole partition never exists. Returns a numpy
    vector [X'r (p values), rss, tss]."""
    np = __import__("numpy")
    used = [target] + list(features)
    if drop:
        pdf = pdf[used].dropna()
    b = np.asarray(coef, dtype=np.float64)
    out = np.zeros(len(b) + 2)
    for start in range(0, len(pdf), _ROWS_PER_BLOCK):
        block = pdf.iloc[start:start + _ROWS_PER_BLOCK]
        x = _design_block(block, features, levels, intercept)
        y = block[target].to_numpy(dtype=np.float64)
        r = y - x @ b
        out[:-2] += x.T @ r
        out[-2] += r @ r
        out[-1] += (y - ybar) @ (y - ybar)
    return out


def _sum_task(*arrays):
    """Worker task: the sum of numpy vectors, pairwise in their order (a fixed tree)."""
    level = list(arrays)
    while len(level) > 1:
        level = [level[i] + level[i + 1] if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0]


def _residuals(parts, *args):
    """_residual_task over the partitions, summed in a fixed tree on the workers."""
    dask = _dask()
    task = dask.delayed(_residual_task, pure=True)
    level = [task(p, i, *args) for i, p in enumerate(parts)]
    add = dask.delayed(_sum_task, pure=True)
    while len(level) > 1:
        level = [add(*level[i:i + SPLIT_EVERY]) for i in range(0, len(level), SPLIT_EVERY)]
    return dask.compute(level[0])[0]


def _solve(a, b):
    np = __import__("numpy")
    return np.linalg.solve(np.array(a), np.array(b))


def _reg_settings(options, allowed):
    settings = {k: v for k, v in options.items() if v is not None}
    bad = sorted(set(settings) - set(allowed))
    if bad:
        raise ValueError("libcrm.dask regression: option(s) %s are not supported over "
                         "partitions (supported: %s)" % (", ".join(bad), ", ".join(allowed)))
    if isinstance(settings.get("fit_intercept"), bool):
        settings["fit_intercept"] = int(settings["fit_intercept"])
    if isinstance(settings.get("missing"), str):
        settings["missing"] = {"error": _capi.CRM_LINEAR_MISSING_ERROR,
                               "drop": _capi.CRM_LINEAR_MISSING_DROP}[settings["missing"]]
    return settings


class LogisticRegression(_LogisticRegression):
    """Logistic regression by Newton's method over partitions; ``fit`` returns a
    :class:`libcrm.LogisticRegression` model. Options: ``l2``, ``fit_intercept``,
    ``positive``, ``missing``, ``max_iter`` (100), ``tol`` (1e-10, on the largest
    relative coefficient step). Each iteration moves p coefficients out and a
    p + p x p gradient and Hessian back per partition."""

    def fit(self, ddf, target, features):
        np = __import__("numpy")
        opts = dict(self.options)
        max_iter = int(opts.pop("max_iter", 100))
        tol = float(opts.pop("tol", 1e-10))
        settings = _reg_settings(opts, ("l2", "fit_intercept", "positive", "missing"))
        features = [features] if isinstance(features, str) else list(features)
        parts = _persist(ddf, [target] + features)
        blob, levels = _levels(parts, features)
        intercept = bool(settings.get("fit_intercept", 1))
        feats, terms = _design(features, levels, intercept)
        p = len(terms)
        copts, keep = _options.build(_capi.crm_logreg_options, settings, "LogisticRegression")
        coef = [0.0] * p
        job = lambda c: ("logreg", target, features, blob, settings, c)  # noqa: E731
        s = _stats(parts, job(coef))
        ll = s.values("loglik")[0]
        # at coef = 0 the intercept's gradient is sum(w (y - 1/2)): the weight of class 1
        w1 = s.values("gradient")[0] + 0.5 * s.values("weight")[0] if intercept else None
        n_iter, converged, step = 0, 0, float("nan")
        for it in range(max_iter):
            buf = (c_double * p)()
            _capi.crm_logreg_stats_step(s._ptr, None if copts is None else byref(copts), buf, p)
            new = list(buf)
            for _half in range(30):
                s_new = _stats(parts, job(new))
                ll_new = s_new.values("loglik")[0]
                if ll_new >= ll - 1e-12 * abs(ll) or not math.isfinite(ll):
                    break
                new = [(a + b) / 2 for a, b in zip(coef, new)]
            step = max(abs(a - b) / (1.0 + abs(b)) for a, b in zip(new, coef))
            coef, s, ll = new, s_new, ll_new
            n_iter = it + 1
            if step <= tol:
                converged = 1
                break
        del keep
        l2 = float(settings.get("l2", 0.0))
        h = np.array(s.values("hessian")).reshape(p, p)
        if l2 > 0:
            h = h + l2 * np.diag([0.0 if (intercept and i == 0) else 1.0 for i in range(p)])
        se = np.sqrt(np.diag(np.linalg.inv(h))).tolist()
        n = s.rows
        g0 = s.values("weight")[0]
        if intercept:
            ybar = w1 / g0
            ll0 = w1 * math.log(ybar) + (g0 - w1) * math.log1p(-ybar)
        else:
            ll0 = g0 * math.log(0.5)
        pen_ss = sum(c * c for i, c in enumerate(coef) if not (intercept and i == 0))
        stats = {"n_rows": n, "n_terms": p, "n_iter": n_iter, "iterations": n_iter,
                 "converged": converged, "loglik": ll, "aic": 2 * p - 2 * ll,
                 "bic": p * math.log(g0) - 2 * ll, "deviance": -2 * ll,
                 "loglik_null": ll0, "mcfadden_r2": 1.0 - ll / ll0, "null_deviance": -2 * ll0,
                 "objective": -ll + 0.5 * l2 * pen_ss, "grad_norm": step,
                 "df_model": p - (1 if intercept else 0), "df_resid": g0 - p, "l2": l2}
        doc = {"format": "libcrm-model", "version": 1, "kind": "logreg",
               "libcrm": _capi.crm_version().decode("ascii"), "target": target,
               "features": feats, "intercept": intercept, "terms": terms, "coef": coef,
               "std_error": se, "classes": None, "stats": stats}
        out = POINTER(_capi.crm_model)()
        _capi.crm_model_from_json(json.dumps(doc).encode("utf-8"), byref(out))
        self._attach(out)
        self.target, self.features = target, features
        return self


class LinearRegression(_LinearRegression):
    """Least squares / ridge from X'X and X'y merged over partitions; ``fit``
    returns a :class:`libcrm.LinearRegression` model. Options: ``l2``,
    ``fit_intercept``, ``missing``. One pass: p x p + p + 2 values per partition."""

    def fit(self, ddf, target, features):
        np = __import__("numpy")
        settings = _reg_settings(dict(self.options), ("l2", "fit_intercept", "missing"))
        features = [features] if isinstance(features, str) else list(features)
        parts = _persist(ddf, [target] + features)
        blob, levels = _levels(parts, features)
        intercept = bool(settings.get("fit_intercept", 1))
        feats, terms = _design(features, levels, intercept)
        p = len(terms)
        s = _stats(parts, ("linreg", target, features, blob, settings, []))
        copts, keep = _options.build(_capi.crm_linreg_options, settings, "LinearRegression")
        buf = (c_double * p)()
        _capi.crm_linreg_stats_solve(s._ptr, None if copts is None else byref(copts), buf, p)
        del keep
        b = np.array(list(buf))
        xtx = np.array(s.values("xtx")).reshape(p, p)
        xty = np.array(s.values("xty"))
        n = s.values("weight")[0]
        l2 = float(settings.get("l2", 0.0))
        pen = np.diag([0.0 if (intercept and i == 0) else l2 for i in range(p)])
        # The normal equations lose accuracy as cond(X)^2; one step of iterative
        # refinement with the residuals computed from the rows (X'r in a pass over the
        # partitions) brings the coefficients to the least-squares (QR) answer, and a
        # second pass gives rss and tss from the rows, not by cancellation from X'X.
        ybar = float(xty[0] / n) if intercept else 0.0
        args = (target, features, levels, intercept)
        drop = settings.get("missing") == _capi.CRM_LINEAR_MISSING_DROP
        res = _residuals(parts, *args, b.tolist(), ybar, drop)
        b = b + np.linalg.solve(xtx + pen, res[:p] - pen @ b)
        res = _residuals(parts, *args, b.tolist(), ybar, drop)
        rss, tss = float(res[p]), float(res[p + 1])  # tss about 0 without an intercept
        df_resid = n - p
        sigma2 = rss / df_resid if df_resid > 0 else float("nan")
        se = np.sqrt(sigma2 * np.diag(np.linalg.inv(xtx + pen))).tolist()
        if l2 > 0:
            se = [float("nan")] * p  # as the one-machine ridge fit
        r2 = 1 - rss / tss if tss > 0 else float("nan")
        kc = 1.0 if intercept else 0.0
        dfm = p - kc
        loglik = -0.5 * n * (math.log(2.0 * math.pi) + math.log(rss / n) + 1.0)
        stats = {"n_rows": n, "n_terms": p, "r2": r2, "rss": rss, "tss": tss,
                 "adj_r2": 1.0 - (n - kc) / df_resid * (rss / tss),
                 "loglik": loglik, "aic": -2.0 * loglik + 2.0 * p,
                 "bic": -2.0 * loglik + p * math.log(n),
                 "df_model": dfm, "df_resid": df_resid, "l2": l2}
        if l2 == 0:
            stats.update({"sigma2": sigma2,
                          "sigma": math.sqrt(sigma2) if sigma2 == sigma2 else sigma2})
            if dfm > 0:
                stats["f_stat"] = ((tss - rss) / dfm) / sigma2
        doc = {"format": "libcrm-model", "version": 1, "kind": "linreg",
               "libcrm": _capi.crm_version().decode("ascii"), "target": target,
               "features": feats, "intercept": intercept, "terms": terms, "coef": b.tolist(),
               "std_error": se, "stats": stats}
        out = POINTER(_capi.crm_model)()
        _capi.crm_model_from_json(json.dumps(doc).encode("utf-8"), byref(out))
        self._attach(out)
        self.target, self.features = target, features
        return self


# -- Apriori (SON) ---------------------------------------------------------------------------

def apriori(ddf, tid, item, **options):
    """libcrm.apriori() by the SON algorithm: pass 1 finds the itemsets frequent
    within each partition, pass 2 counts the union exactly in every partition.
    Every row of a transaction must be in one partition (partition by `tid`).
    Returns ``(itemsets, rules)`` with the same rows and counts as one machine.
    Options: min_support, max_len, min_confidence, min_lift, separator."""
    parts = _partitions(ddf)
    settings = {k: v for k, v in options.items() if v is not None}
    local = _stats(parts, ("son_local", tid, item, settings)).to_bytes()
    counts = _stats(parts, ("son_count", tid, item, local))
    opts, keep = _options.build(_capi.crm_apriori_options, settings, "apriori")
    itemsets = POINTER(_capi.crm_dataset)()
    rules = POINTER(_capi.crm_dataset)()
    _capi.crm_apriori_stats_finalize(counts._ptr, None if opts is None else byref(opts),
                                     byref(itemsets), byref(rules))
    del keep
    return Dataset._wrap(itemsets), Dataset._wrap(rules)


# -- ARIMA: one model per group, no merge ------------------------------------------------------

def _arima_task(pdf, index, by, time_col, value_col, h, level, options):
    from ._arima import arima_many as one_machine
    pdf = pdf.sort_values("__row", kind="stable").drop(columns="__row")
    if len(pdf) == 0:
        return None
    try:
        fits, fcs = one_machine(_to_dataset(pdf), by, time_col, value_col, h, level, **options)
    except Error as exc:
        raise type(exc)("partition %d: %s" % (index, exc), getattr(exc, "status", None)) \
            from None
    return fits.to_columns(), fcs.to_columns()


def arima_many(ddf, by, time_col, value_col, h=12, level=95, **options):
    """libcrm.arima_many() with the groups spread over the workers (a shuffle by
    `by`; each group's series stays whole, in its original row order). Returns
    ``(fits, forecasts)`` Datasets with the groups in order of first appearance,
    as one machine."""
    dask = _dask()
    parts = _partitions(ddf)
    lengths = dask.compute(*[dask.delayed(len)(p) for p in parts])
    offsets, total = [], 0
    for n in lengths:
        offsets.append(total)
        total += n
    firsts = dask.compute(*[dask.delayed(lambda df: df[by].drop_duplicates().tolist())(p)
                            for p in parts])
    order = {}
    for keys in firsts:
        for key in keys:
            order.setdefault(key, len(order))
    numbered = ddf.map_partitions(_number_rows, offsets=offsets, meta=_with_row(ddf._meta))
    shuffled = numbered.shuffle(by, npartitions=ddf.npartitions)
    task = dask.delayed(_arima_task, pure=True)
    results = dask.compute(*[task(p, i, by, time_col, value_col, h, level, options)
                             for i, p in enumerate(shuffled.to_delayed())])
    return _concat_groups([r[0] for r in results if r], by, order), \
        _concat_groups([r[1] for r in results if r], by, order)


def _with_row(meta):
    meta = meta.copy()
    meta["__row"] = meta.index.to_series().astype("int64") if len(meta) else []
    meta["__row"] = meta["__row"].astype("int64")
    return meta


def _number_rows(pdf, offsets=None, partition_info=None):
    pdf = pdf.copy()
    start = offsets[partition_info["number"]] if partition_info else 0
    pdf["__row"] = range(start, start + len(pdf))
    pdf["__row"] = pdf["__row"].astype("int64")
    return pdf


def _concat_groups(tables, by, order):
    rows = []
    names = None
    for t in tables:
        names = list(t)
        n = len(t[names[0]]) if names else 0
        rows.extend(tuple(t[c][i] for c in names) for i in range(n))
    if names is None:
        return Dataset.from_columns({})
    key = names.index(by)
    rows.sort(key=lambda r: order.get(r[key], len(order)))  # stable: row order kept per group
    return Dataset.from_columns({c: [r[j] for r in rows] for j, c in enumerate(names)})
