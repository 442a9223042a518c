#!/usr/bin/env python3
"""Nightly customer scoring for an Odoo-style sales database (PostgreSQL).

Reads the confirmed sales orders (sale_order joined with res_partner), scores
every customer with libcrm (RFM segment and lifecycle, a k-means cluster, the
probability of churning in the next 90 days) and upserts the scores into the
table crm_customer_scores, keyed by the partner id, in one transaction: a
failure leaves yesterday's scores as they were. Odoo's own screens (a list
view on the table, a server action, a mailing filter) read them from there.

    LIBCRM_PATH=/usr/lib/x86_64-linux-gnu/libcrm.so.1 \\
        python3 examples/odoo/nightly.py "postgresql://odoo@/odoo?host=/run/postgresql"

The password comes from PGPASSWORD or ~/.pgpass, never the command line.
--setup-demo URI first creates a demo schema there (examples/odoo/demo_schema.sql,
through psql) from `crm synth` orders; scripts/ci_sql.sh runs it that way.
"""
import datetime
import os
import subprocess
import sys

import libcrm

ORDERS = """
SELECT so.name AS order_ref, so.partner_id AS customer, so.date_order AS ordered_at,
       so.amount_untaxed AS amount
FROM sale_order so
JOIN res_partner p ON p.id = so.partner_id
WHERE so.state IN ('sale', 'done') AND p.active AND so.date_order >= $1
ORDER BY so.id
"""


def setup_demo(uri, here):
    """A demo shop: `crm synth` order lines -> Odoo's tables (demo_schema.sql)."""
    crm = os.environ.get("CRM_BIN", "crm")
    subprocess.run([crm, "synth", "-o", uri, "--table", "crm_demo_lines", "--customers", "400",
                    "--seed", "5"], check=True, stderr=subprocess.DEVNULL)
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", uri, "-f",
                    os.path.join(here, "demo_schema.sql")], check=True)


def score(orders):
    """One row per customer: RFM, k-means cluster, churn probability."""
    rfm = libcrm.rfm(orders, customer="customer", date="ordered_at", amount="amount",
                     invoice="order_ref")
    libcrm.KMeans(k=4, seed=1, standardize=True).fit(
        rfm, ["recency_days", "frequency", "monetary"]).predict(rfm, "cluster")
    # who stopped buying: the customers as they stood 90 days ago, and whether
    # they ordered since; the model then scores everyone as they stand today
    today = libcrm.rfm_default_as_of(orders, "ordered_at")
    history = libcrm.rfm(orders, customer="customer", date="ordered_at", amount="amount",
                         invoice="order_ref", as_of=today - datetime.timedelta(days=90),
                         churn_days=90)
    churn = libcrm.LogisticRegression().fit(
        history, "churned", ["recency_days", "frequency", "monetary", "tenure_days"])
    churn.predict(rfm, "churn")  # adds churn (0/1) and churn_proba
    return rfm


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    if len(argv) == 3 and argv[1] == "--setup-demo":
        setup_demo(argv[2], here)
        argv = [argv[0], argv[2]]
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    uri = argv[1]
    since = datetime.datetime(2022, 1, 1)  # a bound parameter, never pasted into the SQL
    orders = libcrm.Dataset.read_sql(uri, ORDERS, [since])
    print("%d confirmed orders read" % len(orders))
    scores = score(orders)
    scores.write_sql(uri, "crm_customer_scores", mode="upsert", key="customer")
    print("%d customers scored into crm_customer_scores" % len(scores))
    top = libcrm.Dataset.read_sql(
        uri, "SELECT customer, segment, churn_proba FROM crm_customer_scores "
             "WHERE segment = $1 ORDER BY churn_proba DESC, customer LIMIT 5", ["Champions"])
    print("champions most at risk:")
    for partner, proba in zip(top["customer"], top["churn_proba"]):
        print("  partner %d  churn probability %.3f" % (partner, proba))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
