"""Settings of the service, from the environment (flags of ``python3 -m crmservice``
set the same variables).

=========================  ====================================================
CRM_SERVICE_DB             ``sqlite:PATH`` (or a plain path: SQLite), or a SQL
                           URI (``postgresql://...``, ``mysql://...``) for
                           libcrm's SQL layer; default
                           ``sqlite:crm-service.sqlite``
CRM_SERVICE_TABLE          the transaction table; default ``transactions``
CRM_SERVICE_STATE          directory of the published snapshot and its lock;
                           default ``PATH.state`` beside a SQLite file (required
                           for a server database)
CRM_SERVICE_TOKEN          bearer token of POST /api/refresh; unset: refresh
                           disabled (403), the service is read-only
CRM_SERVICE_CREATE         1 (default): create a missing SQLite file from
                           ``crm synth`` data; 0: refuse to start without it
CRM_SERVICE_CUSTOMERS      customers of the created shop; default 1000
CRM_SERVICE_SEED           its seed; default 42
CRM_SERVICE_DAYS           its length in days; default 1095 (three years)
=========================  ====================================================
"""

import os

from .source import Source, create_sqlite

__all__ = ["from_env", "create_database"]

DEFAULT_DB = "sqlite:crm-service.sqlite"


def _int(env, name, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError("%s=%r: not an integer" % (name, raw)) from None


def from_env(overrides=None, environ=None):
    """The settings dict from `environ` (default os.environ) with `overrides`
    (keys are the variable names, e.g. {"CRM_SERVICE_DB": "sqlite:x.db"})."""
    env = dict(os.environ if environ is None else environ)
    env.update(overrides or {})
    db = env.get("CRM_SERVICE_DB") or DEFAULT_DB
    source = Source(db, env.get("CRM_SERVICE_TABLE") or "transactions")
    state = env.get("CRM_SERVICE_STATE")
    if not state:
        if source.sqlite_path is None:
            raise ValueError("CRM_SERVICE_STATE: give a directory for the snapshot when the "
                             "data come from a database server")
        state = source.sqlite_path + ".state"
    return {
        "db": db,
        "table": source.table,
        "state_dir": state,
        "token": env.get("CRM_SERVICE_TOKEN") or None,
        "create": env.get("CRM_SERVICE_CREATE", "1") not in ("0", "false", "no"),
        "customers": _int(env, "CRM_SERVICE_CUSTOMERS", 1000),
        "seed": _int(env, "CRM_SERVICE_SEED", 42),
        "days": _int(env, "CRM_SERVICE_DAYS", 1095),
        "models": {},
    }


def create_database(cfg):
    """Create the SQLite file of `cfg` from crm synth data; returns the row count."""
    source = Source(cfg["db"], cfg["table"])
    if source.sqlite_path is None:
        raise ValueError("only a SQLite database can be created (%s)" % source.describe())
    return create_sqlite(source.sqlite_path, cfg["customers"], cfg["seed"], cfg["days"],
                         cfg["table"])
