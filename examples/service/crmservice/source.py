"""Where the transactions come from: a SQL database.

The default is a SQLite file that ``create_sqlite()`` fills with a ``crm synth``
shop (libcrm.synth(), the same generator as the command). Any other source is a
SQL URI read through libcrm's SQL layer (``Dataset.read_sql``) when the binding
has it: ``sqlite:PATH``, ``postgresql://...``, ``mysql://...``.

The table has the columns of ``crm synth`` (the shape of the UCI Online Retail
export): InvoiceNo, StockCode, Description (text), Quantity (number),
InvoiceDate (time), UnitPrice (number), CustomerID (number, NULL for guests),
Country (text).
"""

import os
import sqlite3
import tempfile

import libcrm

__all__ = ["COLUMNS", "Source", "create_sqlite"]

#: The transaction table: column name -> declared SQL type.
COLUMNS = (("InvoiceNo", "TEXT"), ("StockCode", "TEXT"), ("Description", "TEXT"),
           ("Quantity", "REAL"), ("InvoiceDate", "TIMESTAMP"), ("UnitPrice", "REAL"),
           ("CustomerID", "INTEGER"), ("Country", "TEXT"))

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


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

    def load(self):
        """The whole transaction table as a libcrm Dataset."""
        query = "SELECT %s FROM %s" % (", ".join(name for name, _ in COLUMNS), self.table)
        read_sql = getattr(libcrm.Dataset, "read_sql", None)
        if read_sql is not None:
            uri = self.uri if self.sqlite_path is None else "sqlite:" + self.sqlite_path
            return read_sql(uri, query)
        if self.sqlite_path is None:
            raise RuntimeError("%s: this libcrm binding has no SQL layer (Dataset.read_sql); "
                               "only SQLite files can be read" % self.describe())
        return _read_sqlite(self.sqlite_path, query)


def _read_sqlite(path, query):
    """The stdlib fallback of Dataset.read_sql for SQLite: the query's rows as a
    Dataset, the TIMESTAMP text ('YYYY-MM-DD HH:MM:SS') parsed as UTC times."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        rows = con.execute(query).fetchall()
    finally:
        con.close()
    names = [name for name, _ in COLUMNS]
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    for name in ("Quantity", "UnitPrice", "CustomerID"):
        columns[name] = [None if v is None else float(v) for v in columns[name]]
    ds = libcrm.Dataset.from_columns(columns)
    ds.convert("InvoiceDate", "time")  # ISO 8601 text, parsed by libcrm (UTC)
    return ds


def create_sqlite(path, customers=1000, seed=42, days=1095, table="transactions"):
    """Write a ``crm synth`` shop (libcrm.synth) into a new SQLite file at `path`.

    Three years by default, so the monthly forecast sees the yearly season
    twice. The file is built under a temporary name in the same directory and
    renamed into place: a reader never sees half a database. Returns the
    number of rows written.
    """
    if os.path.exists(path):
        raise FileExistsError("%s exists: remove it or give another path" % path)
    ds = libcrm.synth(customers=customers, seed=seed, days=days)
    cols = ds.to_columns()
    n = len(ds)
    cols["InvoiceDate"] = [None if t is None else t.strftime(_TIME_FORMAT)
                           for t in cols["InvoiceDate"]]
    cols["CustomerID"] = [None if v is None else int(v) for v in cols["CustomerID"]]
    names = [name for name, _ in COLUMNS]
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".crm-service-", suffix=".tmp", dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("CREATE TABLE %s (%s)" % (
                table, ", ".join("%s %s" % col for col in COLUMNS)))
            con.executemany("INSERT INTO %s VALUES (%s)" % (table, ", ".join("?" * len(names))),
                            zip(*(cols[name] for name in names)))
            con.execute("CREATE INDEX %s_customer ON %s (CustomerID)" % (table, table))
            con.commit()
        finally:
            con.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return n
