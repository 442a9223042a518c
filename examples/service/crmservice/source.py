"""Where the transactions come from: a SQL database.

The default is a SQLite file that ``create_sqlite()`` fills with a ``crm synth``
shop (libcrm.synth(), the same generator as the command). Any source is read
through libcrm's SQL layer (``Dataset.read_sql``): ``sqlite:PATH``,
``postgresql://...``, ``mysql://...``.

The table has the columns of ``crm synth`` (the shape of the UCI Online Retail
export): InvoiceNo, StockCode, Description (text), Quantity (number),
InvoiceDate (time), UnitPrice (number), CustomerID (number, NULL for guests),
Country (text).
"""

import os
import tempfile

import libcrm

__all__ = ["COLUMNS", "Source", "create_sqlite"]

#: The transaction table: column name -> declared SQL type.
COLUMNS = (("InvoiceNo", "TEXT"), ("StockCode", "TEXT"), ("Description", "TEXT"),
           ("Quantity", "REAL"), ("InvoiceDate", "TIMESTAMP"), ("UnitPrice", "REAL"),
           ("CustomerID", "INTEGER"), ("Country", "TEXT"))



def _sqlite_path(uri):
    """The file of a ``sqlite:PATH`` URI (or of a plain path), else None."""
    if uri.startswith("sqlite:"):
        return uri[len("sqlite:"):]
    if "://" in uri:
        return None
    return uri


class Source:
    """A transaction table in a SQL database, named by a URI.

    ``uri`` is ``sqlite:PATH`` (a plain path means the same), or a
    PostgreSQL / MySQL URI for the SQL layer; ``table`` is the table name
    (letters, digits and ``_`` only, as it is put into the query).
    """

    def __init__(self, uri, table="transactions"):
        if not table or not all(c.isalnum() or c == "_" for c in table):
            raise ValueError("table name %r: use letters, digits and _ only" % (table,))
        self.uri = uri
        self.table = table
        self.sqlite_path = _sqlite_path(uri)

    def describe(self):
        """The source for humans: the URI without a password."""
        if self.sqlite_path is not None:
            return "sqlite:%s (table %s)" % (self.sqlite_path, self.table)
        head, sep, tail = self.uri.partition("@")
        if sep and ":" in head.split("//", 1)[-1]:
            head = head.rsplit(":", 1)[0] + ":***"
        return "%s%s%s (table %s)" % (head, sep, tail, self.table)

    def fingerprint(self):
        """Something that changes when the data change: size and modification
        time of a SQLite file (with its -wal file); None for a server database
        (no cheap way to tell, so a snapshot is never reused for one)."""
        if self.sqlite_path is None:
            return None
        parts = []
        for path in (self.sqlite_path, self.sqlite_path + "-wal"):
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue
            parts.append("%d:%d" % (st.st_size, st.st_mtime_ns))
        return "/".join(parts) or None

    def exists(self):
        """False only for a SQLite file that is not there yet."""
        return self.sqlite_path is None or os.path.exists(self.sqlite_path)

    def sql_uri(self):
        """The URI for libcrm's SQL layer (a SQLite path with '%' and '?' escaped)."""
        if self.sqlite_path is None:
            return self.uri
        return "sqlite:" + self.sqlite_path.replace("%", "%25").replace("?", "%3F")

    def load(self):
        """The whole transaction table as a libcrm Dataset (Dataset.read_sql:
        types from the declared column types, times in UTC; SQLite is opened
        read-only)."""
        query = "SELECT %s FROM %s" % (", ".join(name for name, _ in COLUMNS), self.table)
        return libcrm.Dataset.read_sql(self.sql_uri(), query)


def create_sqlite(path, customers=1000, seed=42, days=1095, table="transactions"):
    """Write a ``crm synth`` shop (libcrm.synth) into a new SQLite file at `path`.

    Three years by default, so the monthly forecast sees the yearly season
    more than twice. Dataset.write_sql creates the table with the declared
    types of COLUMNS in one transaction, into a temporary file in the same
    directory that is then renamed into place: a reader never sees half a
    database. Returns the number of rows written.
    """
    if os.path.exists(path):
        raise FileExistsError("%s exists: remove it or give another path" % path)
    ds = libcrm.synth(customers=customers, seed=seed, days=days)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".crm-service-", suffix=".tmp", dir=directory)
    os.close(fd)
    os.unlink(tmp)  # write_sql creates the file
    try:
        ds.write_sql(Source(tmp).sql_uri(), table, mode="create",
                     column_types=dict(COLUMNS))
        os.chmod(tmp, 0o644)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return len(ds)
