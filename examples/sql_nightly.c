/* The nightly job of a shop, in C over its database: read the order lines
 * with a query, score every customer (RFM segment, k-means cluster, churn
 * probability), and write the scores into the table crm_customer_scores, where
 * the shop's own screens and mailings read them; one transaction, upsert by
 * customer, so the table is never half-written.
 *
 *   ./sql_nightly                     # a generated shop in a temporary SQLite file
 *   ./sql_nightly sqlite:shop.db      # your database: table orders with the columns
 *   ./sql_nightly postgresql://shop@/shop?host=/run/postgresql   # of `crm synth`
 *   ./sql_nightly 'mysql://shop@localhost/shop?socket=/run/mysqld/mysqld.sock'
 *   ./sql_nightly URI TABLE           # the scores into TABLE instead
 * Passwords: PGPASSWORD or ~/.pgpass, MYSQL_PWD or ~/.my.cnf, never the URI.
 * Without an argument the program first writes a generated shop (crm synth) into
 * the table orders of a new SQLite database, and removes it at the end. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what, crm_status st)
{
    fprintf(stderr, "sql_nightly: %s failed (%s): %s\n", what, crm_status_str(st),
            crm_last_error());
    return 1;
}

/* The demo database: a generated shop in the table orders. */
static crm_status demo_shop(const char *uri)
{
    crm_synth_options so;
    crm_dataset *shop = NULL;
    crm_status st = crm_synth_options_init(&so, sizeof so);
    if (st == CRM_OK) {
        so.customers = 500;
        so.seed = 11;
        st = crm_synth_transactions(&so, &shop);
    }
    if (st == CRM_OK)
        st = crm_dataset_write_sql(shop, uri, "orders", NULL);
    crm_dataset_free(shop);
    return st;
}

/* The RFM table of tx; with churn_days > 0, the churn table at as_of (features from the
 * rows up to as_of, churned = no purchase in the churn_days days after it). */
static crm_status rfm_table(const crm_dataset *tx, int64_t as_of, int64_t churn_days,
                            crm_dataset **out)
{
    crm_rfm_options ro;
    crm_status st = crm_rfm_options_init(&ro, sizeof ro);
    if (st != CRM_OK)
        return st;
    ro.customer = "CustomerID";
    ro.date = "InvoiceDate";
    ro.quantity = "Quantity";
    ro.price = "UnitPrice";
    ro.invoice = "InvoiceNo"; /* frequency = distinct invoices */
    ro.as_of = as_of;
    ro.churn_days = churn_days;
    return crm_rfm(tx, &ro, out);
}

/* The last order time of tx. */
static crm_status last_order(const crm_dataset *tx, int64_t *out)
{
    size_t col = 0, n = crm_dataset_nrows(tx);
    crm_status st = crm_dataset_column_index(tx, "InvoiceDate", &col);
    *out = 0;
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        int64_t t = 0;
        st = crm_dataset_get_time(tx, col, i, 1, &t);
        if (t != CRM_TIME_MISSING && t > *out)
            *out = t;
    }
    return st;
}

/* Scores of every customer: the RFM table, a k-means cluster, and the churn
 * probability of a model fitted on who stopped buying in the last 90 days. */
static crm_status score(const crm_dataset *tx, crm_dataset **out)
{
    crm_kmeans_options ko;
    crm_model *km = NULL, *churn = NULL;
    crm_dataset *rfm = NULL, *history = NULL;
    const char *km_cols[] = {"recency_days", "frequency", "monetary"};
    const char *features[] = {"recency_days", "frequency", "monetary", "tenure_days"};
    int64_t last = 0;
    crm_status st = rfm_table(tx, CRM_TIME_MISSING, 0, &rfm);
    if (st == CRM_OK)
        st = crm_kmeans_options_init(&ko, sizeof ko);
    if (st == CRM_OK) {
        ko.k = 4;
        ko.seed = 1;
        ko.standardize = 1;
        st = crm_kmeans_fit(rfm, km_cols, 3, &ko, &km);
    }
    if (st == CRM_OK)
        st = crm_model_predict(km, rfm, "cluster");
    if (st == CRM_OK)
        st = last_order(tx, &last);
    if (st == CRM_OK) /* as the shop stood 90 days ago, and who bought since */
        st = rfm_table(tx, last - last % 86400 - 89 * 86400, 90, &history);
    if (st == CRM_OK)
        st = crm_logreg_fit(history, "churned", features, 4, NULL, &churn);
    if (st == CRM_OK) /* adds churn (0/1) and churn_proba */
        st = crm_model_predict(churn, rfm, "churn");
    crm_model_free(km);
    crm_model_free(churn);
    crm_dataset_free(history);
    if (st != CRM_OK) {
        crm_dataset_free(rfm);
        return st;
    }
    *out = rfm;
    return CRM_OK;
}

int main(int argc, char **argv)
{
    char path[64] = "", uri[4096];
    const char *table = argc > 2 ? argv[2] : "crm_customer_scores";
    if (argc > 1) {
        snprintf(uri, sizeof uri, "%s", argv[1]);
    } else {
        snprintf(path, sizeof path, "/tmp/crm_nightly_XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            return 1;
        close(fd);
        unlink(path); /* a new, empty database file */
        snprintf(uri, sizeof uri, "sqlite:%s", path);
        crm_status st = demo_shop(uri);
        if (st != CRM_OK)
            return fail("writing the demo shop", st);
    }

    /* 1. the order lines that count: known customers, real sales; the cutoff is a
     * bound parameter, never pasted into the SQL */
    const char *since[] = {"2022-01-01"};
    const char *query = strncmp(uri, "postgres", 8) == 0
                            ? "SELECT * FROM orders WHERE \"CustomerID\" IS NOT NULL AND "
                              "\"Quantity\" > 0 AND \"UnitPrice\" > 0 AND \"InvoiceDate\" >= $1"
                        : strncmp(uri, "mysql", 5) == 0
                            ? "SELECT * FROM orders WHERE CustomerID IS NOT NULL AND "
                              "Quantity > 0 AND UnitPrice > 0 AND InvoiceDate >= ?"
                            : "SELECT * FROM orders WHERE CustomerID IS NOT NULL AND "
                              "Quantity > 0 AND UnitPrice > 0 AND InvoiceDate >= ?";
    crm_dataset *tx = NULL, *scores = NULL, *top = NULL;
    crm_status st = crm_dataset_read_sql(uri, query, since, 1, NULL, &tx);
    if (st != CRM_OK)
        return fail("reading the orders", st);
    printf("%zu order lines read\n", crm_dataset_nrows(tx));

    /* 2. score, 3. write: upsert by customer, one transaction */
    st = score(tx, &scores);
    crm_dataset_free(tx);
    if (st != CRM_OK)
        return fail("scoring", st);
    const char *key[] = {"customer"};
    crm_sql_options o;
    crm_sql_options_init(&o, sizeof o);
    o.mode = CRM_SQL_UPSERT;
    o.key_columns = key;
    o.n_key_columns = 1;
    st = crm_dataset_write_sql(scores, uri, table, &o);
    size_t n = crm_dataset_nrows(scores);
    crm_dataset_free(scores);
    if (st != CRM_OK)
        return fail("writing the scores", st);
    printf("%zu customers scored into %s\n", n, table);

    /* 4. what the shop's screens now read: the champions most at risk */
    const char *seg[] = {"Champions"};
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT customer, segment, cluster, churn_proba FROM %s WHERE segment = %s "
             "ORDER BY churn_proba DESC, customer LIMIT 5",
             table, strncmp(uri, "postgres", 8) == 0 ? "$1" : "?");
    st = crm_dataset_read_sql(uri, sql, seg, 1, NULL, &top);
    if (st != CRM_OK)
        return fail("reading the scores back", st);
    printf("champions most at risk:\n");
    for (size_t i = 0; i < crm_dataset_nrows(top); i++) {
        double v[3];
        crm_dataset_get_number(top, 0, i, 1, &v[0]);
        crm_dataset_get_number(top, 2, i, 1, &v[1]);
        crm_dataset_get_number(top, 3, i, 1, &v[2]);
        printf("  customer %.0f  cluster %.0f  churn probability %.3f\n", v[0], v[1], v[2]);
    }
    crm_dataset_free(top);
    if (path[0])
        unlink(path);
    return 0;
}
