<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Dataset;
use Libcrm\KMeans;
use PHPUnit\Framework\TestCase;

/**
 * 100,000 create/free cycles of a small Dataset: neither PHP's heap
 * (memory_get_usage) nor the process (VmRSS) may grow after warm-up.
 */
final class MemoryTest extends TestCase
{
    private const CYCLES = 100000;
    private const WARMUP = 5000;

    private static function rssKb(): int
    {
        $status = @\file_get_contents('/proc/self/status');
        if ($status === false || !\preg_match('/^VmRSS:\s+(\d+) kB/m', $status, $m)) {
            return -1;
        }
        return (int) $m[1];
    }

    /** @param callable(int): void $cycle */
    private function assertFlat(callable $cycle, string $what): void
    {
        for ($i = 0; $i < self::WARMUP; $i++) {
            $cycle($i);
        }
        \gc_collect_cycles();
        $heap0 = \memory_get_usage();
        $rss0 = self::rssKb();
        for ($i = 0; $i < self::CYCLES; $i++) {
            $cycle($i);
        }
        \gc_collect_cycles();
        $heapGrowth = \memory_get_usage() - $heap0;
        $this->assertLessThan(256 * 1024, $heapGrowth, "$what: PHP heap grew by $heapGrowth bytes");
        if ($rss0 >= 0) {
            $rssGrowth = self::rssKb() - $rss0;
            $this->assertLessThan(4096, $rssGrowth, "$what: VmRSS grew by $rssGrowth kB");
        }
    }

    public function testCreateAndCloseCycles(): void
    {
        $this->assertFlat(function (int $i): void {
            $ds = Dataset::fromColumns(['n' => [1.0, 2.0, (float) $i], 's' => ['a', 'b', 'c'],
                't' => [0, 86400, null]]);
            $ds->addColumn('m', [null, 1, 2]);
            $ds->close();
        }, 'close()');
    }

    public function testDestructorCycles(): void
    {
        // No close(): the last reference going frees the C dataset (__destruct).
        $this->assertFlat(function (int $i): void {
            $ds = Dataset::fromColumns(['n' => [1.0, 2.0, (float) $i], 's' => ['x', null, 'z']]);
            $copy = $ds->filter('n > 1');
            $copy->column('s');
        }, '__destruct');
    }

    public function testModelCycles(): void
    {
        $ds = Dataset::fromColumns(['x' => [0.0, 0.1, 5.0, 5.1]]);
        $json = (new KMeans(k: 2, seed: 1))->fit($ds, 'x')->toJson();
        $this->assertFlat(function (int $i) use ($json): void {
            if ($i % 10 === 0) {
                \Libcrm\Model::fromJson($json)->close();
            }
        }, 'model');
    }

    public function testProgressCallbackCycles(): void
    {
        // One C trampoline per callback type: fits with a PHP callback do not pile up
        // FFI callbacks (PHP's FFI keeps those until the end of the request).
        $ds = Dataset::fromColumns(['x' => [0.0, 0.1, 5.0, 5.1]]);
        $this->assertFlat(function (int $i) use ($ds): void {
            if ($i % 10 === 0) {
                (new KMeans(k: 2, max_iter: 3, progress: fn (float $f) => false))->fit($ds, 'x')->close();
            }
        }, 'progress callbacks');
    }

    public function testOptionsCycles(): void
    {
        // Options with strings and lists: their C copies go with the options struct.
        $this->assertFlat(function (int $i): void {
            Dataset::readCsvString("a;b\n1;x\n", delimiter: ';', na_values: ['-', '?'],
                types: ['b' => 'text'], date_format: '%Y-%m-%d')->close();
        }, 'options');
    }
}
