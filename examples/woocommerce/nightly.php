<?php
/**
 * Nightly customer scoring for a WooCommerce shop (MySQL / MariaDB).
 *
 * Reads the completed orders from WooCommerce's analytics tables
 * (wp_wc_order_stats joined with wp_wc_customer_lookup), scores every customer
 * with libcrm (RFM segment and lifecycle, a k-means cluster, the probability of
 * churning in the next 90 days) and upserts the scores into the table
 * crm_customer_scores, keyed by customer_id, in one transaction: a failure
 * leaves yesterday's scores as they were. A plugin, a mailing segment or a
 * report reads them from there. Run it from cron:
 *
 *   LIBCRM_PATH=/usr/lib/x86_64-linux-gnu/libcrm.so.1 \
 *       php examples/woocommerce/nightly.php 'mysql://wp@localhost/wordpress?socket=/run/mysqld/mysqld.sock'
 *
 * The password comes from MYSQL_PWD or the [client] group of ~/.my.cnf, never
 * the command line. --setup-demo URI first creates a demo shop there
 * (examples/woocommerce/demo_schema.sql, through the mariadb client) from
 * `crm synth` orders; scripts/ci_sql.sh runs it that way.
 *
 * The SQL calls go through the binding's generated layer (Libcrm\Generated\Capi:
 * crm_dataset_read_sql, crm_dataset_write_sql) in two small functions below;
 * everything else is the idiomatic Libcrm API.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';

use Libcrm\{Crm, Dataset, KMeans, LogisticRegression};
use Libcrm\Generated\Capi;
use Libcrm\Internal\{Native, Options};

/** Run $query with the $params bound to its ? placeholders (never pasted into the SQL). */
function read_sql(string $uri, string $query, array $params = []): Dataset
{
    [$ptrs, $blob] = Native::stringArray($params, 'read_sql(params)');
    $slot = Native::handleSlot('crm_dataset');
    Capi::crm_dataset_read_sql($uri, $query, $ptrs, count($params), null, FFI::addr($slot));
    unset($blob);
    return Dataset::wrap($slot);
}

/** Write $ds into $table in one transaction; options: the crm_sql_options fields. */
function write_sql(Dataset $ds, string $uri, string $table, mixed ...$options): void
{
    $o = Options::build('crm_sql_options', $options, 'write_sql');
    Capi::crm_dataset_write_sql($ds->handle(), $uri, $table, $o->ptr());
}

const ORDERS = <<<'SQL'
    SELECT o.order_id, o.customer_id, o.date_created_gmt, o.net_total
    FROM wp_wc_order_stats o
    JOIN wp_wc_customer_lookup c ON c.customer_id = o.customer_id
    WHERE o.status IN (?, ?) AND o.net_total > 0 AND o.date_created_gmt >= ?
    ORDER BY o.order_id
    SQL;

/** One row per customer: RFM, k-means cluster, churn probability. */
function score(Dataset $orders): Dataset
{
    $cols = ['customer' => 'customer_id', 'date' => 'date_created_gmt', 'amount' => 'net_total',
             'invoice' => 'order_id'];
    $rfm = Crm::rfm($orders, ...$cols);
    (new KMeans(k: 4, seed: 1, standardize: true))
        ->fit($rfm, ['recency_days', 'frequency', 'monetary'])
        ->predict($rfm, 'cluster');
    // who stopped buying: the customers as they stood 90 days ago, and whether they
    // ordered since; the model then scores everyone as they stand today
    $today = Crm::rfmDefaultAsOf($orders, 'date_created_gmt');
    $history = Crm::rfm($orders, ...$cols, as_of: $today->modify('-90 days'), churn_days: 90);
    (new LogisticRegression())
        ->fit($history, 'churned', ['recency_days', 'frequency', 'monetary', 'tenure_days'])
        ->predict($rfm, 'churn'); // adds churn (0/1) and churn_proba
    return $rfm->renameColumn('customer', 'customer_id');
}

/** A demo shop: `crm synth` order lines -> WooCommerce's tables (demo_schema.sql). */
function setup_demo(string $uri): void
{
    $crm = getenv('CRM_BIN') ?: 'crm';
    $cmd = escapeshellarg($crm) . ' synth -o ' . escapeshellarg($uri)
        . ' --table crm_demo_lines --customers 400 --seed 5 2>/dev/null';
    passthru($cmd, $rc);
    $p = parse_url($uri);
    parse_str($p['query'] ?? '', $q);
    $client = 'mariadb --no-defaults -u ' . escapeshellarg($p['user'] ?? '')
        . (isset($q['socket']) ? ' -S ' . escapeshellarg($q['socket']) : '')
        . ' ' . escapeshellarg(ltrim($p['path'] ?? '', '/'))
        . ' < ' . escapeshellarg(__DIR__ . '/demo_schema.sql');
    if ($rc === 0) {
        passthru($client, $rc);
    }
    if ($rc !== 0) {
        fwrite(STDERR, "setting up the demo shop failed\n");
        exit(1);
    }
}

$args = array_slice($argv, 1);
if (count($args) === 2 && $args[0] === '--setup-demo') {
    setup_demo($args[1]);
    $args = [$args[1]];
}
if (count($args) !== 1) {
    fwrite(STDERR, "usage: php nightly.php [--setup-demo] 'mysql://user@host/db?socket=...'\n");
    exit(2);
}
$uri = $args[0];

$orders = read_sql($uri, ORDERS, ['wc-completed', 'wc-processing', '2022-01-01 00:00:00']);
printf("%d completed orders read\n", count($orders));
$scores = score($orders);
write_sql($scores, $uri, 'crm_customer_scores', mode: 'upsert', key_columns: ['customer_id'],
          column_types: ['customer_id:BIGINT UNSIGNED']);
printf("%d customers scored into crm_customer_scores\n", count($scores));

$top = read_sql($uri, 'SELECT customer_id, segment, churn_proba FROM crm_customer_scores '
    . 'WHERE segment = ? ORDER BY churn_proba DESC, customer_id LIMIT 5', ['Champions']);
echo "champions most at risk:\n";
foreach ($top->rows() as $row) {
    printf("  customer %d  churn probability %.3f\n", $row['customer_id'], $row['churn_proba']);
}
