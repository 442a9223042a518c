"""The :class:`Dataset` class: a libcrm table of typed columns.

Column types and how they map to Python:

========  ==============================  ===========================
C type    Python value                    missing
========  ==============================  ===========================
number    ``float``                       ``None``
text      ``str``                         ``None``
time      ``datetime.datetime``, aware,   ``None``
          in UTC (``tzinfo=timezone.utc``)
========  ==============================  ===========================

:meth:`Dataset.to_columns` and ``dataset[name]`` give ``None`` for every
missing cell, whatever the type (the C library stores NaN, NULL and
``CRM_TIME_MISSING``). :meth:`Dataset.from_columns` accepts ``None`` (and
float NaN) as missing in every column. Times are whole seconds since the Unix
epoch in C: naive ``datetime`` values are taken as UTC, aware ones are
converted to UTC, ``datetime.date`` means midnight UTC, and fractions of a
second are dropped.

A Dataset owns its C handle and frees it when it is garbage collected (or on
:meth:`Dataset.close`). Datasets derived from another one (``select``,
``sort``, ``head``, ``describe``, ``clone``) are independent of it, so they
may be freed in any order. One dataset must not be used by several threads
at the same time; distinct datasets are independent.
"""

import array
import ctypes
import datetime
import math
import numbers
import os
import sys
import weakref
from ctypes import POINTER, byref, c_char, c_char_p, c_double, c_int32, c_int64, c_size_t

from . import _capi, _options
from .errors import StateError

__all__ = ["Dataset"]

_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE = datetime.datetime(1970, 1, 1)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_TIME_MISSING = _capi.CRM_TIME_MISSING
_TYPE_NAMES = {
    _capi.CRM_TYPE_NUMBER: "number",
    _capi.CRM_TYPE_TEXT: "text",
    _capi.CRM_TYPE_TIME: "time",
}
_CSV_CHAR_FIELDS = ("delimiter", "quote")
_INT32_CODE = "i" if array.array("i").itemsize == 4 else "l"
_POINTER_CODE = next(c for c in "LQ" if array.array(c).itemsize == ctypes.sizeof(ctypes.c_void_p))


def _numpy_array(values):
    """`values` as a numpy array when it is one (or a pandas Series), else None."""
    np = sys.modules.get("numpy")
    if np is None:
        return None
    if not isinstance(values, np.ndarray) and hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return values if isinstance(values, np.ndarray) else None


def _is_missing(value):
    if value is None:
        return True
    if isinstance(value, (str, bytes, int)):
        return False
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _seconds(value, name):
    """Seconds since the epoch (UTC) of a date, datetime or numpy datetime64."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            delta = value - _EPOCH_NAIVE
        else:
            delta = value - _EPOCH
        return delta.days * 86400 + delta.seconds
    if isinstance(value, datetime.date):
        return (value.toordinal() - _EPOCH_ORDINAL) * 86400
    if type(value).__name__ == "datetime64":
        return int(value.astype("datetime64[s]").astype("int64"))
    raise TypeError("column %r: %r is not a date or datetime" % (name, value))


def _kind_of(value):
    if isinstance(value, (str, bytes)):
        return "text"
    if isinstance(value, datetime.date) or type(value).__name__ == "datetime64":
        return "time"
    if isinstance(value, numbers.Real):
        return "number"
    return None


def _column_kind(name, values):
    """"number", "text" or "time" for a list of Python values (see from_columns)."""
    kinds = set()
    floats = False
    for vtype in set(map(type, values)):
        if vtype is type(None):
            continue
        if issubclass(vtype, float):
            floats = True  # numbers, or NaN meaning missing in any column
            continue
        # Values of one type have one kind; only missingness differs (NaT, ...).
        example = next((v for v in values if type(v) is vtype and not _is_missing(v)), None)
        if example is None:
            continue
        kind = _kind_of(example)
        if kind is None:
            raise TypeError("column %r: cannot store a %s value (%r)"
                            % (name, vtype.__name__, example))
        kinds.add(kind)
    if floats and (not kinds or any(isinstance(v, float) and v == v for v in values)):
        kinds.add("number")
    if len(kinds) > 1:
        raise TypeError("column %r mixes %s values" % (name, " and ".join(sorted(kinds))))
    return kinds.pop() if kinds else "number"


def _text_pointers(values):
    """C string pointers for a text column: ``(array of addresses, blob)``.

    Each distinct string is encoded once into one NUL-separated blob; the
    address array (NULL for missing) stays valid while the blob is alive.
    Much faster than filling a ``c_char_p`` array item by item.
    """
    offsets = {}
    parts = []
    size = 0
    for v in values:
        if v is None or v in offsets:
            continue
        if _is_missing(v):
            offsets[v] = None
            continue
        data = v.encode("utf-8") if isinstance(v, str) else bytes(v)
        if b"\0" in data:
            raise ValueError("text value %r contains a NUL character" % (v,))
        offsets[v] = size
        parts.append(data + b"\0")
        size += len(data) + 1
    blob = b"".join(parts)
    base = ctypes.cast(c_char_p(blob), ctypes.c_void_p).value or 0
    address = {v: (0 if off is None else base + off) for v, off in offsets.items()}
    address[None] = 0
    return array.array(_POINTER_CODE, [address[v] for v in values]), blob


def _text(value, what):
    """A str argument as UTF-8 bytes for C: TypeError unless str, ValueError with a NUL."""
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    return _capi.check_string(value, what)


def _path(path, what="path"):
    """A file path (str, bytes or os.PathLike) as bytes for C; ValueError with a NUL."""
    return _capi.check_string(os.fsencode(path), what)


def _check_count(n, what):
    """A row count: an integer (not bool, not float) >= 0; the C call checks its range."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError("%s must be an integer, not %s" % (what, type(n).__name__))
    if n < 0:
        raise ValueError("%s must not be negative" % what)
    return int(n)


def _names(names, what):
    """``(list of str, c_char_p array)`` of column names (str, without NUL)."""
    if isinstance(names, (str, bytes)):
        names = [names]
    names = list(names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError("%s must be column names (str), not %s" % (what, type(name).__name__))
    return names, _capi.string_array(names, what)


def _csv_options(kwargs, what):
    """crm_csv_options from keyword arguments (None when there are none)."""
    kwargs = dict(kwargs)
    types = kwargs.get("types")
    if isinstance(types, dict):
        kwargs["types"] = ["%s:%s" % (k, v) for k, v in types.items()]
    na_values = kwargs.get("na_values")
    if isinstance(na_values, str):
        kwargs["na_values"] = [na_values]
    for flag in ("header", "decimal_comma", "strict", "keep_default_na"):
        if flag in kwargs and isinstance(kwargs[flag], bool):
            kwargs[flag] = int(kwargs[flag])
    return _options.build(_capi.crm_csv_options, kwargs, what, char_fields=_CSV_CHAR_FIELDS)


def _handle_of(ds, what):
    """The C handle of the Dataset `ds`: TypeError for anything else,
    StateError when it has been closed."""
    if not isinstance(ds, Dataset):
        raise TypeError("%s needs a Dataset, not %s" % (what, type(ds).__name__))
    return ds._handle


def _opts_arg(opts):
    return None if opts is None else byref(opts)


class Dataset:
    """A table of typed columns (number, text, time), backed by a crm_dataset.

    ``Dataset()`` is empty; ``Dataset({"a": [1, 2]})`` is the same as
    :meth:`from_columns`. Readers (:meth:`read_csv`, :meth:`read_csv_string`,
    :meth:`read_baskets`) and :func:`libcrm.synth` create datasets too.

    Operations that derive a dataset (``select``, ``sort``, ``head``,
    ``describe``, ``clone``) return a new, independent Dataset and leave this
    one unchanged. ``len(ds)`` is the number of rows; iterating yields column
    names; ``ds[name]`` is a column as a list (``None`` where missing).
    """

    __slots__ = ("_ptr", "_finalizer", "__weakref__")

    def __init__(self, columns=None):
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_new(byref(out))
        self._attach(out)
        if columns is not None:
            for name, values in dict(columns).items():
                self.add_column(name, values)

    # -- handle ownership ---------------------------------------------------------
    def _attach(self, ptr):
        if not ptr:
            raise StateError("libcrm returned no dataset")
        self._ptr = ptr
        self._finalizer = weakref.finalize(self, _capi.crm_dataset_free, ptr)

    @classmethod
    def _wrap(cls, ptr):
        """A Dataset owning the crm_dataset* `ptr` (freed with crm_dataset_free)."""
        obj = cls.__new__(cls)
        obj._attach(ptr)
        return obj

    @property
    def _handle(self):
        ptr = getattr(self, "_ptr", None)
        if ptr is None:
            raise StateError("the dataset has been closed")
        return ptr

    def close(self):
        """Free the C dataset now; the Dataset cannot be used afterwards."""
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()
        self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- constructors ---------------------------------------------------------------
    @classmethod
    def read_csv(cls, path, **options):
        """Read a CSV file (``.gz`` files are decompressed).

        Keyword arguments are the ``crm_csv_options`` fields:
        ``delimiter`` (1-character str or byte value; default: detected among
        ``, ; TAB |``), ``quote`` (default ``'"'``; ``None`` disables quoting),
        ``header`` (default True), ``decimal_comma`` (default False),
        ``strict`` (default True: ragged rows are a ParseError),
        ``keep_default_na`` (default True), ``na_values`` (list of str),
        ``types`` (list of ``"NAME:number|text|time"``, or a dict
        ``{name: type}``), ``date_format`` (strptime-style), ``max_rows`` and
        ``max_bytes`` (refuse text longer than this many bytes after
        decompression; by default gzip data may expand to 100 times its
        compressed size, at least 64 MiB, and plain text is not limited).

        Raises :class:`libcrm.ParseError` (message ``path:line:column: ...``),
        :class:`libcrm.CrmIOError`, :class:`libcrm.InvalidError`.
        """
        opts, keep = _csv_options(options, "read_csv")
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_read_csv(_path(path, "read_csv(path)"), _opts_arg(opts), byref(out))
        del keep
        return cls._wrap(out)

    @classmethod
    def read_csv_string(cls, text, **options):
        """Read CSV from a str (encoded as UTF-8) or bytes (gzip data allowed).

        Takes the keyword arguments of :meth:`read_csv`; error messages use
        ``<memory>`` as the file name.
        """
        if isinstance(text, str):
            data = text.encode("utf-8")
        elif isinstance(text, (bytes, bytearray, memoryview)):
            data = bytes(text)
        else:
            raise TypeError("read_csv_string() takes str or bytes, not %s" % type(text).__name__)
        opts, keep = _csv_options(options, "read_csv_string")
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_read_csv_mem(data, len(data), _opts_arg(opts), byref(out))
        del keep
        return cls._wrap(out)

    @classmethod
    def read_sql(cls, uri, query, params=None, **options):
        """Run `query` on a database and read its rows (``crm_dataset_read_sql``).

        `uri`: ``"sqlite:shop.db"``, ``"postgresql://crm@/shop?host=/run/postgresql"``
        (or a libpq ``"dbname=shop"`` string), ``"mysql://crm@localhost/shop"``;
        no password needed in it (PGPASSWORD, ~/.pgpass, ~/.my.cnf). `params`: a
        list of values for the query's placeholders (``?``; ``$1``... in
        PostgreSQL), bound by the driver, never pasted into the SQL: ``None``
        (NULL), int, float, str, ``datetime.date``/``datetime`` (an aware
        datetime is converted to UTC), Decimal. Keyword arguments are the
        ``crm_sql_options`` fields ``batch_rows``, ``max_rows``,
        ``client_library`` and ``progress`` (a callable; True cancels).
        Column types follow the declared SQL types (docs/databases.md); times
        are UTC.

        Raises :class:`libcrm.ParseError` (the server refused the SQL: its
        message), :class:`libcrm.CrmIOError` (cannot connect),
        :class:`libcrm.CrmTypeError` (a value that cannot be mapped),
        :class:`libcrm.UnsupportedError` (client library not installed).
        """
        from ._sql import read_sql
        return read_sql(cls, uri, query, params, **options)

    @classmethod
    def read_baskets(cls, path):
        """Read a FIMI-style basket file (one transaction per line, items separated
        by spaces) into a long table with columns ``tid`` (number: 1-based line)
        and ``item`` (text)."""
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_read_baskets(_path(path, "read_baskets(path)"), byref(out))
        return cls._wrap(out)

    @classmethod
    def from_columns(cls, columns):
        """Build a dataset from a mapping ``{name: values}``, in the mapping's order.

        The type of each column follows from its values: numbers (int, float,
        bool) give a number column, str a text column, ``datetime.datetime``
        or ``datetime.date`` a time column. ``None`` and NaN are missing; a
        column with only missing values is a number column. numpy arrays
        are taken directly: numeric dtypes as numbers (float64 arrays without
        a copy), ``datetime64`` as times (NaT missing), others element-wise;
        so are numeric ``array.array`` columns (typecode "d" without a copy).
        All columns must have the same length.
        """
        ds = cls()
        for name, values in dict(columns).items():
            ds.add_column(name, values)
        return ds

    # -- building ---------------------------------------------------------------
    def add_column(self, name, values):
        """Append a column (type inferred as in :meth:`from_columns`); in place."""
        cname = _text(name, "column name")
        handle = self._handle
        arr = _numpy_array(values)
        if arr is not None:
            np = sys.modules["numpy"]
            if arr.ndim != 1:
                raise ValueError("column %r: expected a 1-dimensional array" % name)
            if arr.dtype.kind in "fiub":
                data = np.ascontiguousarray(arr, dtype=np.float64)
                _capi.crm_dataset_add_number(handle, cname, data.ctypes.data_as(POINTER(c_double)),
                                             len(data))
                return
            if arr.dtype.kind == "M":
                data = np.ascontiguousarray(arr.astype("datetime64[s]").view(np.int64))
                _capi.crm_dataset_add_time(handle, cname, data.ctypes.data_as(POINTER(c_int64)),
                                           len(data))
                return
            values = arr.tolist()
        if isinstance(values, array.array) and values.typecode in "bBhHiIlLqQfd":
            # numbers in one buffer: passed as they are (typecode "d") or converted in one go
            data = values if values.typecode == "d" else array.array("d", values)
            n = len(data)
            _capi.crm_dataset_add_number(handle, cname, (c_double * n).from_buffer(data), n)
            return
        if isinstance(values, (str, bytes)):
            raise TypeError("column %r: expected a sequence of values, not a single %s"
                            % (name, type(values).__name__))
        values = values if isinstance(values, list) else list(values)
        kind = _column_kind(name, values)
        n = len(values)
        if kind == "text":
            pointers, blob = _text_pointers(values)
            _capi.crm_dataset_add_text(handle, cname, (c_char_p * n).from_buffer(pointers), n)
            del blob
        elif kind == "time":
            cache = {}
            secs = array.array("q", bytes(8 * n))
            for k, v in enumerate(values):
                s = cache.get(v) if v is not None else _TIME_MISSING
                if s is None:
                    s = _TIME_MISSING if _is_missing(v) else _seconds(v, name)
                    cache[v] = s
                secs[k] = s
            _capi.crm_dataset_add_time(handle, cname, (c_int64 * n).from_buffer(secs), n)
        else:
            nums = array.array("d", [math.nan if v is None else v for v in values])
            _capi.crm_dataset_add_number(handle, cname, (c_double * n).from_buffer(nums), n)

    def drop_column(self, name):
        """Remove a column, in place (NotFoundError when there is none)."""
        _capi.crm_dataset_drop_column(self._handle, _text(name, "drop_column(name)"))

    def rename_column(self, name, new_name):
        """Rename a column, in place."""
        _capi.crm_dataset_rename_column(self._handle, _text(name, "rename_column(name)"),
                                        _text(new_name, "rename_column(new_name)"))

    # -- introspection ----------------------------------------------------------------
    def __len__(self):
        return int(_capi.crm_dataset_nrows(self._handle))

    @property
    def nrows(self):
        """Number of rows."""
        return len(self)

    @property
    def ncols(self):
        """Number of columns."""
        return int(_capi.crm_dataset_ncols(self._handle))

    @property
    def shape(self):
        """``(rows, columns)``."""
        return (len(self), self.ncols)

    def _name(self, col):
        out = c_char_p()
        _capi.crm_dataset_column_name(self._handle, col, byref(out))
        return out.value.decode("utf-8")

    def _type(self, col):
        out = c_int32()
        _capi.crm_dataset_column_type(self._handle, col, byref(out))
        return _TYPE_NAMES.get(out.value, "unknown")

    def _index(self, name):
        out = c_size_t()
        _capi.crm_dataset_column_index(self._handle, _text(name, "column name"), byref(out))
        return out.value

    @property
    def columns(self):
        """Column names, in order."""
        return [self._name(i) for i in range(self.ncols)]

    @property
    def dtypes(self):
        """``{name: "number" | "text" | "time"}``, in column order."""
        return {self._name(i): self._type(i) for i in range(self.ncols)}

    def __iter__(self):
        return iter(self.columns)

    def __contains__(self, name):
        return isinstance(name, str) and name in self.columns

    def missing(self):
        """``{name: number of missing cells}``."""
        out = {}
        count = c_size_t()
        for i in range(self.ncols):
            _capi.crm_dataset_missing(self._handle, i, byref(count))
            out[self._name(i)] = count.value
        return out

    # -- reading values ---------------------------------------------------------------
    def _column(self, col, row0=0, n=None, numpy=False):
        """Values of rows [row0, row0 + n) of column index `col`."""
        handle = self._handle
        if n is None:
            n = len(self) - row0
        kind = self._type(col)
        np = sys.modules.get("numpy") if numpy else None
        if numpy and np is None:
            import numpy as np  # noqa: F811 (only when asked for)
        if kind == "number":
            if numpy:  # one copy, straight into the array
                result = np.empty(n, dtype=np.float64)
                if n:
                    _capi.crm_dataset_get_number(handle, col, row0, n,
                                                 result.ctypes.data_as(POINTER(c_double)))
                return result
            buf = array.array("d", bytes(8 * n))
            if n:
                _capi.crm_dataset_get_number(handle, col, row0, n, (c_double * n).from_buffer(buf))
            values = buf.tolist()
            missing = c_size_t()
            _capi.crm_dataset_missing(handle, col, byref(missing))
            if missing.value == 0:
                return values
            return [None if v != v else v for v in values]
        if kind == "time":
            if numpy:
                result = np.empty(n, dtype=np.int64)
                if n:
                    _capi.crm_dataset_get_time(handle, col, row0, n,
                                               result.ctypes.data_as(POINTER(c_int64)))
                return result.view("datetime64[s]")
            buf = array.array("q", bytes(8 * n))
            if n:
                _capi.crm_dataset_get_time(handle, col, row0, n, (c_int64 * n).from_buffer(buf))
            cache = {_TIME_MISSING: None}
            out = []
            for s in buf.tolist():
                value = cache.get(s, cache)
                if value is cache:
                    try:
                        value = _EPOCH + datetime.timedelta(seconds=s)
                    except OverflowError:
                        raise ValueError("time value %d is outside the range of datetime" % s) \
                            from None
                    cache[s] = value
                out.append(value)
            return out
        if kind == "text":
            levels = c_size_t()
            _capi.crm_dataset_text_levels(handle, col, byref(levels))
            if n * 4 < levels.value:  # few rows of a big dictionary: cell by cell
                out, cell = [], c_char_p()
                for row in range(row0, row0 + n):
                    _capi.crm_dataset_get_text(handle, col, row, byref(cell))
                    out.append(None if cell.value is None else cell.value.decode("utf-8"))
            else:
                codes = array.array(_INT32_CODE, bytes(4 * n))
                if n:
                    _capi.crm_dataset_get_codes(handle, col, row0, n,
                                                (c_int32 * n).from_buffer(codes))
                names, level = [], c_char_p()
                for code in range(levels.value):
                    _capi.crm_dataset_text_level(handle, col, code, byref(level))
                    names.append(level.value.decode("utf-8"))
                names.append(None)  # code -1 (missing) picks this last entry
                out = [names[c] for c in codes.tolist()]
            if numpy:
                result = np.empty(len(out), dtype=object)
                result[:] = out
                return result
            return out
        raise StateError("column %d has an unknown type" % col)

    def __getitem__(self, name):
        """The column `name` as a list (``None`` where missing); a list of
        names gives :meth:`select`."""
        if isinstance(name, (list, tuple)):
            return self.select(name)
        return self._column(self._index(name))

    def to_columns(self, numpy=False):
        """``{name: list of values}`` for every column, ``None`` where missing.

        Numbers are ``float``, text ``str`` and times aware ``datetime``
        objects in UTC. With ``numpy=True`` the values are numpy arrays
        instead: float64 (NaN missing), ``datetime64[s]`` (NaT missing) and
        object arrays of str (None missing).
        """
        return {self._name(i): self._column(i, numpy=numpy) for i in range(self.ncols)}

    def rows(self, n=None):
        """The first `n` rows (all by default) as a list of tuples."""
        n = len(self) if n is None else min(_check_count(n, "n"), len(self))
        cols = [self._column(i, 0, n) for i in range(self.ncols)]
        return list(zip(*cols)) if cols else [() for _ in range(n)]

    # -- derived datasets ---------------------------------------------------------------
    def clone(self):
        """An independent deep copy."""
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_clone(self._handle, byref(out))
        return Dataset._wrap(out)

    __copy__ = clone

    def __deepcopy__(self, memo):
        return self.clone()

    def select(self, names):
        """A new dataset with the named columns, in the order given."""
        names, cnames = _names(names, "select()")
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_select(self._handle, cnames, len(names), byref(out))
        return Dataset._wrap(out)

    def sort(self, keys, descending=None):
        """A new dataset sorted by `keys` (a name or a list of names).

        The sort is stable; missing values sort last. `descending` is None or
        False (all ascending), True (all descending) or one bool per key.
        """
        keys, ckeys = _names(keys, "sort()")
        if not keys:
            raise ValueError("sort() needs at least one key")
        flags = None
        if descending is not None and descending is not False:
            if descending is True:
                descending = [True] * len(keys)
            descending = list(descending)
            if len(descending) != len(keys):
                raise ValueError("sort(): %d keys but %d descending flags"
                                 % (len(keys), len(descending)))
            flags = (c_int32 * len(keys))(*[1 if d else 0 for d in descending])
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_sort(self._handle, ckeys, len(keys), flags, byref(out))
        return Dataset._wrap(out)

    def head(self, n=5):
        """A new dataset with the first `n` rows."""
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_head(self._handle, _check_count(n, "head(n)"), byref(out))
        return Dataset._wrap(out)

    def describe(self):
        """Per-column summary as a new dataset, one row per column.

        Columns: ``column``, ``type``, ``count``, ``missing``, ``mean``,
        ``std`` (sample), ``min``, ``q25``, ``median``, ``q75``, ``max``,
        ``distinct``. Quantiles interpolate linearly (numpy's default). Text
        columns only have count, missing and distinct; time columns hold
        seconds since the epoch.
        """
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_describe(self._handle, byref(out))
        return Dataset._wrap(out)

    # -- expressions, group and join ---------------------------------------------------
    def filter(self, expr):
        """A new dataset with the rows where the expression `expr` is true.

        The expression language (see docs/expressions.md) has column names,
        literals, arithmetic, comparisons, ``and/or/not``, ``is [not]
        missing``, ``date('2011-12-09')`` and functions such as
        ``startswith(s, 'C')``; a comparison with a missing value is false.
        Errors name the position: ``ParseError("expr:14: expected ')'")``.
        """
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_filter(self._handle, _text(expr, "filter(expr)"), byref(out))
        return Dataset._wrap(out)

    def mutate(self, name, expr):
        """Add (or replace in place) column `name` computed by `expr`; returns self.

        ``ds.mutate("amount", "Quantity * UnitPrice")``. On failure the
        dataset is unchanged.
        """
        _capi.crm_dataset_mutate(self._handle, _text(name, "mutate(name)"),
                                 _text(expr, "mutate(expr)"))
        return self

    def group(self, keys, aggs=()):
        """Group by `keys` and aggregate; a new dataset, one row per group.

        `aggs` is a list of ``"[NAME=]FUNCTION(COLUMN)"`` strings (functions
        sum, mean, min, max, count, count_distinct, first, last, median;
        ``count()`` counts rows) or a dict ``{NAME: "FUNCTION(COLUMN)"}``.
        Groups come sorted by the keys, missing keys last.
        """
        keys, ckeys = _names(keys, "group(keys)")
        if isinstance(aggs, dict):
            aggs = ["%s=%s" % (k, v) for k, v in aggs.items()]
        elif isinstance(aggs, str):
            aggs = [aggs]
        aggs, caggs = _names(aggs, "group(aggs)")
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_group(self._handle, ckeys, len(keys), caggs, len(aggs), byref(out))
        return Dataset._wrap(out)

    def join(self, right, on, how="inner"):
        """Join with `right` on the key column(s) `on`; ``how`` is "inner" or "left".

        Left rows keep their order, each followed by its matches in right
        order; clashing non-key names get the suffixes ``_x`` and ``_y``.
        Missing keys never match.
        """
        if not isinstance(right, Dataset):
            raise TypeError("join() needs a Dataset, not %s" % type(right).__name__)
        kinds = {"inner": _capi.CRM_JOIN_INNER, "left": _capi.CRM_JOIN_LEFT}
        if how not in kinds:
            raise ValueError("join(how=%r): use 'inner' or 'left'" % (how,))
        keys, ckeys = _names(on, "join(on)")
        out = POINTER(_capi.crm_dataset)()
        _capi.crm_dataset_join(self._handle, right._handle, ckeys, len(keys), kinds[how],
                               byref(out))
        return Dataset._wrap(out)

    # -- cleaning (in place) ---------------------------------------------------------
    def dedup(self, keys=None, keep="first"):
        """Drop duplicate rows in place; returns the number removed.

        `keys` (a name or list; None = all columns) decide what a duplicate
        is; `keep` is "first", "last" or "none" (pandas' keep=False). Kept rows
        stay in their order; NaN equals NaN.
        """
        kinds = {"first": _capi.CRM_KEEP_FIRST, "last": _capi.CRM_KEEP_LAST,
                 "none": _capi.CRM_KEEP_NONE, False: _capi.CRM_KEEP_NONE}
        if keep not in kinds:
            raise ValueError("dedup(keep=%r): use 'first', 'last' or 'none'" % (keep,))
        keys, ckeys = _names(keys or [], "dedup(keys)")
        removed = c_size_t()
        _capi.crm_clean_dedup(self._handle, ckeys, len(keys), kinds[keep], byref(removed))
        return removed.value

    def drop_missing(self, cols=None):
        """Drop rows missing any of `cols` (None = any column) in place; returns the count."""
        cols, ccols = _names(cols or [], "drop_missing(cols)")
        removed = c_size_t()
        _capi.crm_clean_drop_missing(self._handle, ccols, len(cols), byref(removed))
        return removed.value

    def impute(self, col, method, constant=None, order_by=None):
        """Fill the missing cells of `col` in place; returns the number filled.

        `method` is "mean", "median", "mode", "constant" or "linear".
        ``constant`` is the fill value for "constant" (a number, a str for
        text columns, or a datetime for time columns); ``order_by`` names the
        column giving the order for "linear" (row order when None).
        """
        methods = {"mean": _capi.CRM_IMPUTE_MEAN, "median": _capi.CRM_IMPUTE_MEDIAN,
                   "mode": _capi.CRM_IMPUTE_MODE, "constant": _capi.CRM_IMPUTE_CONSTANT,
                   "linear": _capi.CRM_IMPUTE_LINEAR}
        if method not in methods:
            raise ValueError("impute(method=%r): use one of %s" % (method, ", ".join(methods)))
        settings = {}
        if constant is not None:
            if isinstance(constant, str):
                settings["text_constant"] = constant
            elif isinstance(constant, (datetime.date, datetime.datetime)):
                settings["constant"] = float(_seconds(constant, "impute(constant)"))
            else:
                settings["constant"] = float(constant)
        if order_by is not None:
            settings["order_by"] = order_by
        opts, keep = _options.build(_capi.crm_impute_options, settings, "impute")
        filled = c_size_t()
        _capi.crm_clean_impute(self._handle, _text(col, "impute(col)"), methods[method],
                               _opts_arg(opts), byref(filled))
        del keep
        return filled.value

    def outliers(self, col, rule="iqr", k=0.0, action="flag"):
        """Find outliers of `col` and flag, drop or clip them in place; returns the count.

        `rule`: "zscore" (|z| > k, default 3), "iqr" (outside the Tukey fences,
        default k 1.5) or "mad" (|modified z| > k, default 3.5); k = 0 takes the
        default. `action`: "flag" (adds column ``<col>_outlier`` with 0/1),
        "drop" or "clip".
        """
        rules = {"zscore": _capi.CRM_OUTLIER_ZSCORE, "iqr": _capi.CRM_OUTLIER_IQR,
                 "mad": _capi.CRM_OUTLIER_MAD}
        actions = {"flag": _capi.CRM_OUTLIER_FLAG, "drop": _capi.CRM_OUTLIER_DROP,
                   "clip": _capi.CRM_OUTLIER_CLIP}
        if rule not in rules:
            raise ValueError("outliers(rule=%r): use 'zscore', 'iqr' or 'mad'" % (rule,))
        if action not in actions:
            raise ValueError("outliers(action=%r): use 'flag', 'drop' or 'clip'" % (action,))
        affected = c_size_t()
        _capi.crm_clean_outliers(self._handle, _text(col, "outliers(col)"), rules[rule],
                                 float(k), actions[action], byref(affected))
        return affected.value

    def convert(self, col, to, format=None):
        """Convert column `col` in place to type `to` ("number", "text" or "time").

        `format` is an optional strptime-style format for text <-> time.
        """
        types = {"number": _capi.CRM_TYPE_NUMBER, "text": _capi.CRM_TYPE_TEXT,
                 "time": _capi.CRM_TYPE_TIME}
        if to not in types:
            raise ValueError("convert(to=%r): use 'number', 'text' or 'time'" % (to,))
        _capi.crm_clean_convert(self._handle, _text(col, "convert(col)"), types[to],
                                None if format is None else _text(format, "convert(format)"))
        return self

    # -- writing ----------------------------------------------------------------------
    def write_csv(self, path, **options):
        """Write the dataset as CSV (gzip-compressed when `path` ends in ``.gz``).

        Options: ``delimiter``, ``quote``, ``header``, ``decimal_comma`` and
        ``date_format``, as for :meth:`read_csv`. Numbers are written in the
        shortest form that reads back exactly; missing cells are empty.
        """
        opts, keep = _csv_options(options, "write_csv")
        _capi.crm_dataset_write_csv(self._handle, _path(path, "write_csv(path)"), _opts_arg(opts))
        del keep

    def write_sql(self, uri, table, mode="create", key=None, **options):
        """Write the dataset into table `table` ("name" or "schema.name") of a
        database, in one transaction (``crm_dataset_write_sql``).

        `mode`: ``"create"`` (default; the table must not exist), ``"replace"``
        (its rows), ``"append"`` or ``"upsert"`` (insert or update by `key`).
        `key`: a column name or a list of them: the upsert key, and the
        PRIMARY KEY of a created table. Keyword arguments: ``column_types``
        (``{"customer": "VARCHAR(64)"}``), ``batch_rows``, ``client_library``,
        ``progress`` (a callable; True cancels and rolls back). After any
        failure the table is exactly as before.
        """
        from ._sql import write_sql
        write_sql(self, uri, table, mode, key, **options)

    def to_csv_string(self, **options):
        """The dataset as CSV text (a str); options as for :meth:`write_csv`."""
        opts, keep = _csv_options(options, "to_csv_string")
        out = POINTER(c_char)()
        _capi.crm_dataset_to_csv_string(self._handle, _opts_arg(opts), byref(out))
        try:
            return ctypes.string_at(out).decode("utf-8")
        finally:
            _capi.crm_free(out)
            del keep

    # -- display ----------------------------------------------------------------------
    def __repr__(self):
        if getattr(self, "_ptr", None) is None:
            return "<libcrm.Dataset (closed)>"
        nrows, ncols = self.shape
        head = "<libcrm.Dataset: %d row%s x %d column%s>" % (
            nrows, "" if nrows == 1 else "s", ncols, "" if ncols == 1 else "s")
        if ncols == 0:
            return head
        shown_rows = min(nrows, 5)
        shown_cols = list(range(ncols)) if ncols <= 8 else list(range(7))
        table = [["", *(self._name(c) for c in shown_cols)],
                 ["", *(self._type(c) for c in shown_cols)]]
        columns = [self._column(c, 0, shown_rows) for c in shown_cols]
        for r in range(shown_rows):
            table.append([str(r), *(_format_cell(col[r]) for col in columns)])
        if ncols > len(shown_cols):
            for k, row in enumerate(table):
                row.append("..." if k != 1 else "")
        widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
        lines = [head]
        for row in table:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if nrows > shown_rows:
            lines.append("... (%d more rows)" % (nrows - shown_rows))
        return "\n".join(lines)


def _format_cell(value, width=24):
    if value is None:
        text = "None"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    else:
        text = repr(value) if value == "" else str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[:width - 3] + "..."
