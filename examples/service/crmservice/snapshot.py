"""Snapshots of the models and the store that swaps them.

A :class:`Snapshot` is immutable once built: the computed data (see
analytics.compute), its generation number and the indexes the API needs. A
request takes ``store.current`` once and reads only that object, so it never
mixes two generations; a refresh builds a whole new Snapshot and replaces the
reference (under a lock), never editing the old one.

Several processes (gunicorn workers) share one state directory:

* ``snapshot.json``: the latest published snapshot, written to a temporary
  file and renamed into place (readers see the old or the new file, never
  half of one);
* ``lock``: an flock held while a process computes and publishes, so two
  refreshes never interleave and generations go up by one;
* ``generation``: the last generation published, so numbers keep rising even
  if snapshot.json is lost or damaged.

Each request calls ``store.sync()``: one ``os.stat`` of snapshot.json; when
another worker has published a newer generation, this worker loads it (a
JSON parse, no model fit) before answering. So after a refresh returns, every
worker answers with the new generation from its next request on.
"""

import contextlib
import fcntl
import json
import logging
import os
import tempfile
import threading
import time

from . import analytics

__all__ = ["Snapshot", "Store", "SORT_KEYS"]

#: Customer fields the list can be sorted by.
SORT_KEYS = ("id", "recency_days", "frequency", "monetary", "tenure_days", "rfm_score",
             "churn_probability", "next_purchase", "p_alive", "clv")


def _value(key):
    """The value a customer is sorted by (None: sorted last, either way round)."""
    if key == "id":
        return lambda c: (0, int(c["id"])) if c["id"].isdigit() else (1, c["id"])
    if key == "rfm_score":
        return lambda c: (c["r_score"] + c["f_score"] + c["m_score"], c["id"])
    if key == "next_purchase":
        return lambda c: (None if c["next_purchase"]["days_until"] is None
                          else (c["next_purchase"]["days_until"], c["id"]))
    return lambda c: None if c[key] is None else (c[key], c["id"])


class Snapshot:
    """One generation of every model, read-only."""

    def __init__(self, data):
        self.data = data
        self.generation = data["generation"]
        self.customers = tuple(data["customers"])
        self.by_id = {c["id"]: c for c in self.customers}
        self.segment_names = tuple(s["segment"] for s in data["segments"])
        self.lifecycles = ("active", "inactive", "churned")
        self.n_clusters = data["clusters"]["k"]
        # One pre-sorted order per key: a list request filters, it never sorts.
        self.orders = {}
        for key in SORT_KEYS:
            value = _value(key)
            have = [c for c in self.customers if value(c) is not None]
            rest = [c for c in self.customers if value(c) is None]
            self.orders[key] = (sorted(have, key=value), rest)
        self.items = tuple(sorted({i for r in data["rules"] for i in r["antecedent"]}))

    def customers_page(self, segment=None, cluster=None, lifecycle=None, sort="monetary",
                       order="desc", page=1, per_page=50):
        """(total, rows of the page) for the filters; arguments already validated."""
        ranked, tail = self.orders[sort]
        if order == "desc":
            ranked = ranked[::-1]
        rows = [c for c in list(ranked) + tail
                if (segment is None or c["segment"] == segment)
                and (cluster is None or c["cluster"] == cluster)
                and (lifecycle is None or c["lifecycle"] == lifecycle)]
        start = (page - 1) * per_page
        return len(rows), rows[start:start + per_page]

    def cross_sell(self, basket, limit):
        """Rules whose antecedent is in the basket and whose consequent is not
        (wholly) in it, best lift first; one rule per recommended item set."""
        basket = set(basket)
        out = []
        seen = set()
        for rule in self.data["rules"]:
            if not set(rule["antecedent"]) <= basket or set(rule["consequent"]) <= basket:
                continue
            key = tuple(rule["consequent"])
            if key in seen:
                continue
            seen.add(key)
            out.append(rule)
            if len(out) == limit:
                break
        return out


def _write_atomic(path, text):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=directory)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class Store:
    """The current snapshot of this process, and the shared state directory.

    `source` is a source.Source; `settings` go to analytics.compute.
    """

    def __init__(self, source, state_dir, settings=None):
        self.source = source
        self.state_dir = state_dir
        self.settings = dict(settings or {})
        self.path = os.path.join(state_dir, "snapshot.json")
        self._lock_path = os.path.join(state_dir, "lock")
        self._counter_path = os.path.join(state_dir, "generation")
        self._swap = threading.Lock()
        self._load = threading.Lock()
        self._stat = None
        self.current = None
        self.last_refresh_seconds = None
        os.makedirs(state_dir, exist_ok=True)

    @contextlib.contextmanager
    def _exclusive(self):
        """The flock of the state directory (one publisher at a time)."""
        with open(self._lock_path, "a") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def _counter(self):
        """The last generation published here (kept apart from snapshot.json, so
        generations keep rising even after that file was lost or damaged)."""
        try:
            with open(self._counter_path, encoding="ascii") as f:
                return int(f.read().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _file_id(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read_published(self):
        """(file id, Snapshot) of snapshot.json; (None, None) when absent,
        (file id, None) when it is not a snapshot this code can read (then
        start() computes a new one and sync() keeps the current one)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                st = os.fstat(f.fileno())
                file_id = (st.st_ino, st.st_mtime_ns, st.st_size)
                data = json.load(f)
            return file_id, Snapshot(data)
        except FileNotFoundError:
            return None, None
        except (ValueError, KeyError, TypeError) as exc:
            logging.getLogger(__name__).error("%s: not a usable snapshot (%s)", self.path, exc)
            return file_id, None

    def _install(self, file_id, snap):
        with self._swap:
            if self.current is None or snap.generation >= self.current.generation:
                self.current = snap
            self._stat = file_id

    def start(self, reuse=True):
        """Load the published snapshot when it was computed from the same data
        (`reuse`), else compute and publish a new generation."""
        with self._exclusive():
            file_id, snap = self._read_published()
            if (reuse and snap is not None and snap.data.get("source") == self.source.describe()
                    and snap.data.get("fingerprint") is not None
                    and snap.data.get("fingerprint") == self.source.fingerprint()):
                self._install(file_id, snap)
                return self.current
            return self._publish(snap)

    def refresh(self):
        """Recompute every model from the source and publish generation + 1;
        returns the new Snapshot. Readers keep the old one until the swap."""
        with self._exclusive():
            _, published = self._read_published()
            return self._publish(published)

    def _publish(self, published):
        started = time.monotonic()
        fingerprint = self.source.fingerprint()
        data = analytics.compute(self.source.load(), self.settings)
        last = max(published.generation if published else 0,
                   self.current.generation if self.current else 0, self._counter())
        data["generation"] = last + 1
        data["source"] = self.source.describe()
        data["fingerprint"] = fingerprint
        data["computed_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        data["compute_seconds"] = round(time.monotonic() - started, 3)
        snap = Snapshot(data)
        _write_atomic(self.path, json.dumps(data, separators=(",", ":")))
        _write_atomic(self._counter_path, "%d\n" % snap.generation)
        self._install(self._file_id(), snap)
        self.last_refresh_seconds = data["compute_seconds"]
        return snap

    def sync(self):
        """The snapshot to answer a request with: the current one, after
        loading a newer one another process published."""
        file_id = self._file_id()
        if file_id is not None and file_id != self._stat:
            with self._load:  # one thread parses; the others wait and find it done
                if self._file_id() != self._stat:
                    new_id, snap = self._read_published()
                    if snap is not None:
                        self._install(new_id, snap)
                    else:
                        self._stat = new_id  # unreadable: keep serving the current one
        return self.current
