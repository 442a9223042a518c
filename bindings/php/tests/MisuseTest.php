<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Crm;
use Libcrm\Dataset;
use Libcrm\DecisionTree;
use Libcrm\Exception\StateException;
use Libcrm\Exception\TypeException;
use Libcrm\Generated\Capi;
use Libcrm\KMeans;
use Libcrm\LogisticRegression;
use PHPUnit\Framework\TestCase;

/** Misuse throws a PHP exception before C sees it; never a crash. */
final class MisuseTest extends TestCase
{
    public function testDatasetUseAfterClose(): void
    {
        $ds = Dataset::fromColumns(['a' => [1, 2]]);
        $ds->close();
        $ds->close(); // idempotent
        $this->assertTrue($ds->isClosed());
        foreach ([fn () => $ds->nrows(), fn () => $ds->column('a'), fn () => $ds->filter('a > 1'),
                  fn () => $ds->clone(), fn () => $ds->writeCsv('/tmp/never.csv'),
                  fn () => (new KMeans(k: 1))->fit($ds, ['a'])] as $call) {
            try {
                $call();
                $this->fail('no exception');
            } catch (StateException $e) {
                $this->assertSame('the dataset has been closed', $e->getMessage());
            }
        }
        $this->assertSame('Libcrm\\Dataset (closed)', (string) $ds);
    }

    public function testModelUseAfterCloseAndUnfitted(): void
    {
        $km = new KMeans(k: 1);
        $this->assertFalse($km->isFitted());
        try {
            $km->stats();
            $this->fail('no exception');
        } catch (StateException $e) {
            $this->assertStringContainsString('not fitted', $e->getMessage());
        }
        $km->fit(Dataset::fromColumns(['x' => [1.0, 2.0, 3.0]]), 'x');
        $this->assertTrue($km->isFitted());
        $km->close();
        $this->expectException(StateException::class);
        $km->predict(Dataset::fromColumns(['x' => [1.0]]));
    }

    public function testWrongTypesAndRanges(): void
    {
        $cases = [
            [\TypeError::class, fn () => new KMeans(k: 2.0)],
            [\TypeError::class, fn () => new KMeans(k: '2')],
            [\TypeError::class, fn () => new KMeans(tol: 'small')],
            [\ValueError::class, fn () => new KMeans(k: 1 << 40)],
            [\ValueError::class, fn () => new KMeans(seed: -1)],
            [\ValueError::class, fn () => new KMeans(init: 'sideways')],
            [\TypeError::class, fn () => new KMeans(mutate: 'x=1')],
            [\TypeError::class, fn () => new KMeans(mutate: [1])],
            [\ValueError::class, fn () => new KMeans(mutate: ["x=\0"])],
            [\TypeError::class, fn () => new KMeans(progress: 'not a function')],
            [\ValueError::class, fn () => Dataset::readCsvString('a', delimiter: ';;')],
            [\ValueError::class, fn () => Dataset::fromColumns(['a' => [1]])->filter("a > 1\0 or 1")],
            [\ValueError::class, fn () => Dataset::readCsv("x\0.csv")],
            [\TypeError::class, fn () => Dataset::fromColumns(['a' => [1, 'x']])],
            [\TypeError::class, fn () => Dataset::fromColumns(['a' => [new \stdClass()]])],
            [\ValueError::class, fn () => Dataset::fromColumns(['a' => [1]])->dedup(keep: 'middle')],
            [\ValueError::class, fn () => Capi::crm_dataset_head(null, -1, null)],
            [\TypeError::class, fn () => Capi::crm_dataset_head(null, 1.5, null)],
            [\TypeError::class, fn () => Capi::crm_rfm_segment_name(true)],
            [\TypeError::class, fn () => Capi::crm_dataset_filter(null, 42, null)],
            [\ValueError::class, fn () => Capi::crm_arima_forecast(null, 1 << 31, 95.0, null)],
            [\TypeError::class, fn () => Capi::crm_arima_forecast(null, 1, '95', null)],
            // A C array shorter than the count given would let C run past its end.
            [\ValueError::class, fn () => Capi::crm_dataset_get_number(null, 0, 0, 3, \FFI::new('double[2]'))],
            [\ValueError::class, fn () => Capi::crm_dataset_add_number(null, 'x', \FFI::new('double[1]'), 2)],
            [\ValueError::class, fn () => Capi::crm_dataset_read_csv_mem('a,b', 10, null, null)],
        ];
        foreach ($cases as $i => [$class, $call]) {
            try {
                $call();
                $this->fail("case $i: no exception");
            } catch (\Throwable $e) {
                $this->assertInstanceOf($class, $e, "case $i: " . $e->getMessage());
            }
        }
    }

    public function testUnknownOptionNames(): void
    {
        foreach ([fn () => new KMeans(kk: 3), fn () => new LogisticRegression(penalty: 1.0),
                  fn () => new DecisionTree(depth: 3), fn () => Dataset::readCsv('x.csv', sep: ';'),
                  fn () => Crm::synth(customer: 3), fn () => new KMeans(3),
                  fn () => new KMeans(n_mutate: 2), fn () => new KMeans(user: null)] as $i => $call) {
            try {
                $call();
                $this->fail("case $i: no exception");
            } catch (\InvalidArgumentException $e) {
                $this->assertMatchesRegularExpression('/unknown option|named arguments/', $e->getMessage());
            }
        }
    }

    public function testLoadingAModelOfAnotherKind(): void
    {
        $km = (new KMeans(k: 1))->fit(Dataset::fromColumns(['x' => [1.0, 2.0]]), 'x');
        $this->expectException(TypeException::class);
        DecisionTree::fromJson($km->toJson());
    }

    public function testNullHandlesAreRefusedByTheLibrary(): void
    {
        $this->expectException(\Libcrm\Exception\InvalidException::class);
        $slot = Capi::ffi()->new('crm_dataset*');
        Capi::crm_dataset_filter(null, 'a > 1', \FFI::addr($slot));
    }
}
