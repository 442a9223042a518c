"""Command line of the service.

    python3 -m crmservice init  [--db PATH] [--customers N] [--seed S] [--days D]
    python3 -m crmservice serve [--db URI] [--host 127.0.0.1] [--port 8080]
    python3 -m crmservice refresh [--db URI]      # recompute and publish, no server

Flags set the CRM_SERVICE_* variables of config.py; the refresh token comes
only from the environment (CRM_SERVICE_TOKEN), never from a flag, so it does
not show in the process list.
"""

import argparse
import os
import sys

from . import config


def _parser():
    p = argparse.ArgumentParser(prog="python3 -m crmservice",
                                description="libcrm customer service (JSON API and page)")
    sub = p.add_subparsers(dest="command", required=True)
    for name, text in (("init", "create the SQLite shop database from crm synth data"),
                       ("serve", "run the Flask development server (threaded)"),
                       ("refresh", "recompute every model and publish a new snapshot")):
        s = sub.add_parser(name, help=text, description=text)
        s.add_argument("--db", help="sqlite:PATH or a SQL URI (CRM_SERVICE_DB)")
        s.add_argument("--table", help="transaction table (CRM_SERVICE_TABLE)")
        s.add_argument("--state", help="snapshot directory (CRM_SERVICE_STATE)")
        if name == "init":
            s.add_argument("--customers", type=int, help="customers (default 1000)")
            s.add_argument("--seed", type=int, help="seed (default 42)")
            s.add_argument("--days", type=int, help="days of history (default 1095)")
        if name == "serve":
            s.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
            s.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    overrides = {}
    for flag, var in (("db", "CRM_SERVICE_DB"), ("table", "CRM_SERVICE_TABLE"),
                      ("state", "CRM_SERVICE_STATE"), ("customers", "CRM_SERVICE_CUSTOMERS"),
                      ("seed", "CRM_SERVICE_SEED"), ("days", "CRM_SERVICE_DAYS")):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[var] = str(value)
    os.environ.update(overrides)
    cfg = config.from_env()
    if args.command == "init":
        n = config.create_database(cfg)
        print("wrote %d transaction rows to %s" % (n, cfg["db"]))
        return 0
    if args.command == "refresh":
        from .snapshot import Store
        from .source import Source
        store = Store(Source(cfg["db"], cfg["table"]), cfg["state_dir"], cfg["models"])
        snap = store.refresh()
        print("published generation %d (%.2f s)" % (snap.generation,
                                                    snap.data["compute_seconds"]))
        return 0
    from .api import create_app
    app = create_app()
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
