"""Exceptions raised by libcrm.

Every failing C call returns a ``crm_status`` code; the binding turns it into
an instance of the matching :class:`Error` subclass below. Each carries

* ``status``: the ``crm_status`` code (an ``IntEnum`` member such as
  ``crm_status.CRM_E_PARSE``),
* ``status_name``: its name, e.g. ``"CRM_E_PARSE"``,
* ``message``: the library's message for the failure, copied from
  ``crm_last_error()`` straight after the call. It names the argument, column,
  line or value at fault; CSV errors hold ``file:line:column``.

Where a built-in exception has the same meaning, the subclass also derives
from it, so ``except ValueError`` or ``except OSError`` keep working.
"""

__all__ = [
    "Error", "InvalidError", "NoMemoryError", "CrmIOError", "ParseError", "NotFoundError",
    "CrmTypeError", "NumericError", "StateError", "FormatError", "CancelledError",
    "UnsupportedError",
]


class Error(Exception):
    """Base class of every libcrm failure."""

    #: Name of the crm_status code this class stands for.
    status_name = "CRM_E_UNKNOWN"

    def __init__(self, message="", status=None):
        super().__init__(message)
        self.message = message
        #: The crm_status code (None when raised by Python code rather than the library).
        self.status = status

    def __str__(self):
        return self.message or self.status_name


class InvalidError(Error, ValueError):
    """CRM_E_INVALID: a bad argument (NULL, out of range, wrong length, bad option)."""
    status_name = "CRM_E_INVALID"


class NoMemoryError(Error, MemoryError):
    """CRM_E_NOMEM: an allocation failed."""
    status_name = "CRM_E_NOMEM"


class CrmIOError(Error, OSError):
    """CRM_E_IO: a file could not be opened, read or written."""
    status_name = "CRM_E_IO"


class ParseError(Error, ValueError):
    """CRM_E_PARSE: malformed input text (CSV, expression, JSON); the message
    holds the position, e.g. ``orders.csv:3:1``."""
    status_name = "CRM_E_PARSE"


class NotFoundError(Error, LookupError):
    """CRM_E_NOTFOUND: unknown column, statistic or key."""
    status_name = "CRM_E_NOTFOUND"


class CrmTypeError(Error, TypeError):
    """CRM_E_TYPE: wrong column type or model kind."""
    status_name = "CRM_E_TYPE"


class NumericError(Error, ArithmeticError):
    """CRM_E_NUMERIC: singular, non-finite or otherwise unfittable."""
    status_name = "CRM_E_NUMERIC"


class StateError(Error):
    """CRM_E_STATE: the call is not allowed in the current state."""
    status_name = "CRM_E_STATE"


class FormatError(Error, ValueError):
    """CRM_E_FORMAT: unsupported file, model or options version."""
    status_name = "CRM_E_FORMAT"


class CancelledError(Error):
    """CRM_E_CANCELLED: a progress callback asked to stop."""
    status_name = "CRM_E_CANCELLED"


class UnsupportedError(Error, OSError):
    """CRM_E_UNSUPPORTED: an optional component (a database client library that
    libcrm opens at run time) is not installed; the message names the package."""
    status_name = "CRM_E_UNSUPPORTED"


_BY_NAME = {cls.status_name: cls for cls in (
    InvalidError, NoMemoryError, CrmIOError, ParseError, NotFoundError, CrmTypeError,
    NumericError, StateError, FormatError, CancelledError, UnsupportedError)}


def class_for(status_name):
    """The Error subclass for a crm_status name (Error itself for unknown codes)."""
    return _BY_NAME.get(status_name, Error)


def from_status(status, status_name, message):
    """A new exception for a failed call: `status` code, its name and the message."""
    cls = class_for(status_name)
    err = cls(message or status_name, status)
    if cls is Error:
        err.status_name = status_name
    return err
