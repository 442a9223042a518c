"""SQL databases: :meth:`Dataset.read_sql` and :meth:`Dataset.write_sql` (crm/sql.h).

Connection strings are those of the C library: ``sqlite:PATH``,
``postgresql://user@host/db`` (or a libpq ``key=value`` string),
``mysql://user@host/db?socket=...``; passwords come from the client's own
environment and files (PGPASSWORD, ~/.pgpass, ~/.my.cnf). The client libraries
are opened at run time; a missing one raises :class:`libcrm.UnsupportedError`
naming the Debian package.
"""

import datetime
import math
import numbers
from ctypes import POINTER, byref

from . import _capi, _options
from ._models import _calling, _progress_callback
from .dataset import Dataset, _handle_of, _text

_MODES = {"create": _capi.CRM_SQL_CREATE, "replace": _capi.CRM_SQL_REPLACE,
          "append": _capi.CRM_SQL_APPEND, "upsert": _capi.CRM_SQL_UPSERT}


def _param_text(value, i):
    """One query parameter as the text the C library binds (None: SQL NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        return None if math.isnan(value) else repr(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Number) or hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    raise TypeError("read_sql(params[%d]): %s cannot be bound (use None, a number, str, "
                    "date or datetime)" % (i, type(value).__name__))


def _sql_options(options, what):
    """crm_sql_options from keyword arguments, with the progress callback set."""
    settings = dict(options)
    progress = settings.pop("progress", None)
    mode = settings.get("mode")
    if isinstance(mode, str):
        if mode.lower() not in _MODES:
            raise ValueError("%s(mode=%r): use one of %s" % (what, mode, ", ".join(_MODES)))
        settings["mode"] = _MODES[mode.lower()]
    types = settings.get("column_types")
    if isinstance(types, dict):
        settings["column_types"] = ["%s:%s" % (k, v) for k, v in types.items()]
    keys = settings.get("key_columns")
    if isinstance(keys, str):
        settings["key_columns"] = [keys]
    opts, keep = _options.build(_capi.crm_sql_options, settings, what)
    if progress is not None:
        if opts is None:
            opts = _capi.crm_sql_options.defaults()
        keep.append(_progress_callback(opts, progress))
    return opts, keep


def read_sql(cls, uri, query, params=None, **options):
    params = [] if params is None else list(params)
    texts = [_param_text(v, i) for i, v in enumerate(params)]
    array = _capi.string_array(texts, "read_sql(params)") if texts else None
    opts, keep = _sql_options(options, "read_sql")
    out = POINTER(_capi.crm_dataset)()
    with _calling(keep):
        _capi.crm_dataset_read_sql(_text(uri, "read_sql(uri)"), _text(query, "read_sql(query)"),
                                   array, len(texts), None if opts is None else byref(opts),
                                   byref(out))
    del keep
    return cls._wrap(out)


def write_sql(ds, uri, table, mode="create", key=None, **options):
    settings = dict(options)
    settings["mode"] = mode
    if key is not None:
        settings["key_columns"] = key
    opts, keep = _sql_options(settings, "write_sql")
    with _calling(keep):
        _capi.crm_dataset_write_sql(_handle_of(ds, "write_sql()"), _text(uri, "write_sql(uri)"),
                                    _text(table, "write_sql(table)"), byref(opts))
    del keep
