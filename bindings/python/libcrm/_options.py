"""Keyword arguments -> libcrm options structs.

Every tunable C call takes a ``crm_X_options`` struct; the Python layer takes
the same settings as keyword arguments named like the struct's fields. This
module fills a struct, initialised with the library's defaults, from such
keyword arguments, converting Python values:

* integer fields take ``int`` (or a numpy integer) within the range of the
  field's C type, as the API description gives it (the struct's
  ``_integers_``, from crm-api.json): outside it OverflowError, and a
  ``bool``, ``float`` or ``str`` is a TypeError (the Pythonic classes turn
  True/False into 1/0 for the fields they document as flags); fields tagged
  ``@type[enum]`` also take the enum member's name, with or without its
  prefix, in any case;
* "character" fields (for example ``delimiter``) also take a 1-character
  ``str``;
* ``double`` fields take a real number (not a ``str``);
* ``const char *`` fields take ``str`` (UTF-8 encoded), ``bytes`` or ``None``,
  without NUL characters (ValueError);
* pointer fields with an ``n_<name>`` count take a list (of ``str`` for
  string lists, each checked for NUL; of integers for integer arrays, each
  checked against the C type); the count is set from it; an empty number
  list passes NULL;
* function-pointer fields take a Python callable.

The memory the struct points into (encoded strings, arrays, callbacks) is
returned as a keep-alive list that the caller must hold until the C call
returns.
"""

import ctypes
import enum

from . import _capi

__all__ = ["build"]


def _is_float_type(ctype):
    return issubclass(ctype, ctypes._SimpleCData) and ctype._type_ in "fd"


def _float_value(value, what):
    if isinstance(value, (str, bytes, bytearray)):
        raise TypeError("%s must be a number, not %s" % (what, type(value).__name__))
    return float(value)


def _enum_value(enum_cls, value, what):
    if isinstance(value, str):
        key = value.strip().upper().replace("-", "_")
        prefixes = [""] + sorted({m.name[:m.name.rfind("_") + 1] for m in enum_cls}, key=len)
        for member in enum_cls:
            if any(member.name == p + key for p in prefixes):
                return int(member)
        choices = ", ".join(m.name for m in enum_cls)
        raise ValueError("%s: unknown value %r (expected one of %s)" % (what, value, choices))
    if isinstance(value, enum.Enum):
        return int(value)
    return value


def _char_value(value, what):
    if value is None:
        return 0
    if isinstance(value, (str, bytes)):
        if len(value) == 0:
            return 0
        if len(value) != 1 or ord(value) > 127:
            raise ValueError("%s must be a single ASCII character, not %r" % (what, value))
        return ord(value)
    return value


def build(struct_cls, kwargs, what, char_fields=(), fixed=None):
    """Return ``(options, keepalive)`` for the keyword arguments `kwargs`.

    `options` is None when `kwargs` is empty and `fixed` is empty (the C call
    then uses its defaults). `what` names the Python function in error
    messages; `char_fields` lists integer fields that take a 1-character str;
    `fixed` holds field values set by the caller itself (not user options).
    """
    if not kwargs and not fixed:
        return None, []
    fields = dict(struct_cls._fields_)
    integers = struct_cls._integers_
    strings = struct_cls._strings_
    string_arrays = struct_cls._string_arrays_
    counts = set(struct_cls._lengths_.values())
    settable = [name for name in fields if name != "size" and name not in counts]
    opts = struct_cls.defaults()
    keep = []
    items = list((fixed or {}).items()) + list(kwargs.items())
    for name, value in items:
        if name not in settable:
            raise TypeError("%s() got an unexpected keyword argument %r (options: %s)"
                            % (what, name, ", ".join(settable)))
        ctype = fields[name]
        label = "%s(%s=...)" % (what, name)
        if name in integers:
            if name in struct_cls._enums_:
                value = _enum_value(struct_cls._enums_[name], value, label)
            elif name in char_fields:
                value = _char_value(value, label)
            setattr(opts, name, _capi.check_int(value, integers[name], label))
        elif _is_float_type(ctype):
            setattr(opts, name, _float_value(value, label))
        elif name in strings:
            encoded = _capi.check_string(value, label)
            keep.append(encoded)
            setattr(opts, name, encoded)
        elif issubclass(ctype, ctypes._CFuncPtr):
            callback = None if value is None else ctype(value)
            keep.append(callback)
            setattr(opts, name, callback)
        elif issubclass(ctype, ctypes._Pointer):
            count = struct_cls._lengths_.get(name)
            if value is None:
                setattr(opts, name, None)
                if count:
                    setattr(opts, count, 0)
                continue
            if isinstance(value, (str, bytes)):
                raise TypeError("%s expects a list, not a single %s"
                                % (label, type(value).__name__))
            item_type = ctype._type_
            values = list(value)
            if name in string_arrays:
                array = _capi.string_array(values, label)
            elif name in struct_cls._integer_arrays_:
                array = _capi.integer_array(values, struct_cls._integer_arrays_[name], label)
            else:
                array = (item_type * len(values))(*values)
            keep.append(array)
            # An empty number list passes NULL (a count of 0 with a pointer can mean "count
            # not given" to the library, which would then read past the empty array).
            empty = not values and name not in string_arrays
            setattr(opts, name, None if empty else ctypes.cast(array, ctype))
            if count:
                setattr(opts, count, len(values))
        else:
            raise TypeError("%s cannot be set from Python" % label)
    return opts, keep
