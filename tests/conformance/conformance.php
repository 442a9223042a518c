<?php

/*
 * The conformance pipeline in PHP (steps and output format: SPEC.md; every
 * language writes the same bytes as conformance.py).
 *
 * Usage: php conformance.php DATA_DIR OUT_FILE
 * (LIBCRM_PATH=.../libcrm.so.1 when the library is not installed)
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';

use Libcrm\Arima;
use Libcrm\Crm;
use Libcrm\Dataset;
use Libcrm\KMeans;
use Libcrm\LogisticRegression;
use Libcrm\Model;

const HEAD = 5;

function jstr(string $s): string
{
    static $map = null;
    if ($map === null) {
        $map = ['"' => '\\"', '\\' => '\\\\'];
        for ($c = 0; $c < 0x20; $c++) {
            $map[chr($c)] = sprintf('\\u%04x', $c);
        }
    }
    return '"' . strtr($s, $map) . '"';
}

function jnum(float $x): string
{
    if (is_nan($x)) {
        return '"nan"';
    }
    return '"' . bin2hex(strrev(pack('e', $x))) . '"';
}

function jval(string $kind, mixed $v): string
{
    if ($v === null) {
        return 'null';
    }
    return match ($kind) {
        'number' => jnum($v),
        'time' => (string) $v,
        default => jstr($v),
    };
}

function column_block(Dataset $ds, string $name): string
{
    $kind = $ds->type($name);
    $values = $ds->column($name, timestamps: true);
    $n = count($values);
    $missing = 0;
    foreach ($values as $v) {
        if ($v === null) {
            $missing++;
        }
    }
    $parts = ['"name":' . jstr($name), '"type":"' . $kind . '"', '"missing":' . $missing];
    if ($kind === 'number') {
        $total = 0.0;
        foreach ($values as $v) {
            if ($v !== null) {
                $total += $v;
            }
        }
        $parts[] = '"sum":' . jnum($total);
    } elseif ($kind === 'text') {
        $seen = [];
        foreach ($values as $v) {
            if ($v !== null) {
                $seen[$v] = true;
            }
        }
        $parts[] = '"distinct":' . count($seen);
    }
    $head = array_map(fn ($v) => jval($kind, $v), array_slice($values, 0, HEAD));
    $parts[] = '"head":[' . implode(',', $head) . ']';
    $parts[] = '"last":' . ($n > 0 ? jval($kind, $values[$n - 1]) : 'null');
    return '{' . implode(',', $parts) . '}';
}

function dataset_block(Dataset $ds): string
{
    $cols = array_map(fn ($name) => column_block($ds, $name), $ds->columns());
    return '{"rows":' . $ds->nrows() . ',"columns":[' . implode(',', $cols) . ']}';
}

function stats_block(Model $m): string
{
    $parts = [];
    foreach ($m->stats() as $k => $v) {
        $parts[] = jstr($k) . ':' . jnum($v);
    }
    return '{' . implode(',', $parts) . '}';
}

function main(array $argv): int
{
    if (count($argv) !== 3) {
        fwrite(STDERR, "usage: php conformance.php DATA_DIR OUT_FILE\n");
        return 2;
    }
    [, $data, $outPath] = $argv;
    $out = [];
    $member = function (string $key, string $value) use (&$out): void {
        $out[] = jstr($key) . ':' . $value;
    };

    $member('version', jstr(Crm::version()));

    // 1. read
    $retail = Dataset::readCsv("$data/online_retail/online_retail.csv.gz");
    $member('retail', dataset_block($retail));

    // 2. clean
    $sales = $retail->filter('CustomerID is not missing and Quantity > 0 and UnitPrice > 0');
    $sales->mutate('Amount', 'Quantity * UnitPrice');
    $removed = $sales->dedup(keep: 'first');
    $member('dedup_removed', (string) $removed);
    $member('sales', dataset_block($sales));

    // 3. RFM
    $scores = Crm::rfm($sales, customer: 'CustomerID', date: 'InvoiceDate', amount: 'Amount',
        invoice: 'InvoiceNo');
    $member('rfm', dataset_block($scores));

    // 4. k-means on log RFM (steps recorded in the model)
    $cols = ['recency_days', 'frequency', 'monetary'];
    $km = new KMeans(k: 4, n_init: 10, seed: 42, standardize: true, n_threads: 1,
        mutate: array_map(fn ($c) => "$c=log1p($c)", $cols));
    $km->fit($scores, $cols);
    $member('kmeans_stats', stats_block($km));
    $member('kmeans_summary', dataset_block($km->summary()));
    $labelled = $scores->clone();
    $km->predict($labelled, 'cluster');
    $member('kmeans_labels', column_block($labelled, 'cluster'));

    // 5. Telco logistic regression
    $telco = Dataset::readCsv("$data/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv");
    $lr = new LogisticRegression(positive: 'Yes', missing: 'drop', n_threads: 1);
    $lr->fit($telco, 'Churn', ['tenure', 'MonthlyCharges', 'TotalCharges', 'SeniorCitizen',
        'Contract', 'InternetService', 'PaymentMethod', 'PaperlessBilling']);
    $member('logreg_stats', stats_block($lr));
    $member('logreg_summary', dataset_block($lr->summary()));

    // 6. Apriori on FIMI retail
    $baskets = Dataset::readBaskets("$data/fimi_retail/retail.dat");
    [$itemsets, $rules] = Crm::apriori($baskets, 'tid', 'item', min_support: 0.01,
        min_confidence: 0.5, n_threads: 1);
    $member('itemsets', dataset_block($itemsets));
    $member('rules', dataset_block($rules));

    // 7. auto-ARIMA on the monthly air passengers
    $air = Dataset::readCsv("$data/airpassengers/airpassengers.csv");
    $arima = new Arima(auto_order: true, n_threads: 1);
    $arima->fitDataset($air, 'date', 'value', 'month');
    $member('arima_stats', stats_block($arima));
    $member('arima_forecast', dataset_block($arima->forecast(12, level: 95)));

    // 8. save, load, predict again
    $tmp = sys_get_temp_dir() . '/crm-conformance-' . getmypid() . '-' . bin2hex(random_bytes(4));
    mkdir($tmp, 0700);
    $path = "$tmp/kmeans.json";
    try {
        $km->save($path);
        $loaded = Crm::loadModel($path);
    } finally {
        @unlink($path);
        @rmdir($tmp);
    }
    $member('loaded_kind', jstr($loaded->kindName()));
    $member('loaded_stats', stats_block($loaded));
    $again = $scores->clone();
    $loaded->predict($again, 'cluster');
    $member('loaded_labels', column_block($again, 'cluster'));

    $text = "{\n" . implode(",\n", $out) . "\n}\n";
    if (file_put_contents($outPath, $text) !== strlen($text)) {
        fwrite(STDERR, "conformance.php: cannot write $outPath\n");
        return 1;
    }
    return 0;
}

exit(main($argv));
