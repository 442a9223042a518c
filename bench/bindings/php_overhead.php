<?php

/*
 * Overhead of the PHP binding over PHP's own FFI.
 *
 *   LIBCRM_PATH=build/release/libcrm.so.1 php bench/bindings/php_overhead.php [CALLS] [ROWS]
 *
 * 1. CALLS (default 1,000,000) calls of crm_version_number() through (a) the raw
 *    FFI object (Capi::ffi()->crm_version_number()), (b) the generated wrapper
 *    Capi::crm_version_number() and (c) the idiomatic Crm::versionNumber();
 *    ns/call and the ratio to (a). Goal: the wrapper within 2x raw FFI.
 * 2. A ROWS-row (default 1,000,000) number column in and out: raw FFI (pack +
 *    one memcpy into a double[] + crm_dataset_add_number, crm_dataset_get_number
 *    + one copy out + unpack) against Dataset::addColumn()/column(). Neither
 *    makes a C call per element.
 * Best of 5 runs each.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';

use Libcrm\Crm;
use Libcrm\Dataset;
use Libcrm\Generated\Capi;

$calls = (int) ($argv[1] ?? 1000000);
$rows = (int) ($argv[2] ?? 1000000);
$runs = 5;

function best(int $runs, callable $f): float
{
    $best = INF;
    for ($r = 0; $r < $runs; $r++) {
        $t = hrtime(true);
        $f();
        $best = min($best, (float) (hrtime(true) - $t));
    }
    return $best;
}

$ffi = Capi::ffi();
$sum = 0;
$raw = best($runs, function () use ($ffi, $calls, &$sum) {
    for ($i = 0; $i < $calls; $i++) {
        $sum += $ffi->crm_version_number();
    }
});
$wrapped = best($runs, function () use ($calls, &$sum) {
    for ($i = 0; $i < $calls; $i++) {
        $sum += Capi::crm_version_number();
    }
});
$idiomatic = best($runs, function () use ($calls, &$sum) {
    for ($i = 0; $i < $calls; $i++) {
        $sum += Crm::versionNumber();
    }
});
printf("PHP %s, FFI, libcrm %s, %d calls of crm_version_number (best of %d)\n",
    PHP_VERSION, Crm::version(), $calls, $runs);
printf("  raw FFI                       %7.1f ns/call\n", $raw / $calls);
printf("  Capi::crm_version_number()    %7.1f ns/call  (%.2fx raw)\n", $wrapped / $calls, $wrapped / $raw);
printf("  Crm::versionNumber()          %7.1f ns/call  (%.2fx raw)\n", $idiomatic / $calls, $idiomatic / $raw);

$values = [];
for ($i = 0; $i < $rows; $i++) {
    $values[] = $i * 0.5;
}
$rawIn = best($runs, function () use ($ffi, $values, $rows) {
    $slot = $ffi->new('crm_dataset*');
    $ffi->crm_dataset_new(FFI::addr($slot));
    $buf = FFI::new("double[$rows]");
    FFI::memcpy($buf, pack('d*', ...$values), 8 * $rows);
    $ffi->crm_dataset_add_number($slot, 'x', $buf, $rows);
    $ffi->crm_dataset_free($slot);
});
$ds = Dataset::fromColumns(['x' => $values]);
$slot = $ds->handle();
$rawOut = best($runs, function () use ($slot, $rows, $values) {
    $buf = FFI::new("double[$rows]");
    Capi::ffi()->crm_dataset_get_number($slot, 0, 0, $rows, $buf);
    $out = array_values(unpack('d*', FFI::string($buf, 8 * $rows)));
    if ($out !== $values) {
        throw new RuntimeException('raw out: values differ');
    }
});
$wrapIn = best($runs, function () use ($values) {
    (new Dataset())->addColumn('x', $values)->close();
});
$wrapOut = best($runs, function () use ($ds, $values) {
    if ($ds->column('x') !== $values) {
        throw new RuntimeException('column(): values differ');
    }
});
printf("%d-row number column (best of %d)\n", $rows, $runs);
printf("  in:  raw FFI %7.2f ms   Dataset::addColumn %7.2f ms  (%.2fx)  %.1f ns/row\n",
    $rawIn / 1e6, $wrapIn / 1e6, $wrapIn / $rawIn, $wrapIn / $rows);
printf("  out: raw FFI %7.2f ms   Dataset::column    %7.2f ms  (%.2fx)  %.1f ns/row\n",
    $rawOut / 1e6, $wrapOut / 1e6, $wrapOut / $rawOut, $wrapOut / $rows);
if ($sum === 0) {
    echo "unreachable\n";
}
