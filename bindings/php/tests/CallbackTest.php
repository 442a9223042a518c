<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Crm;
use Libcrm\Dataset;
use Libcrm\DecisionTree;
use Libcrm\Exception\CancelledException;
use Libcrm\Exception\StateException;
use Libcrm\KMeans;
use PHPUnit\Framework\TestCase;

/** Progress callbacks, cancellation, and exceptions thrown inside a callback. */
final class CallbackTest extends TestCase
{
    private static function data(): Dataset
    {
        \mt_srand(3);
        $x = [];
        $y = [];
        for ($i = 0; $i < 2000; $i++) {
            $x[] = \mt_rand(0, 1000) / 10;
            $y[] = \mt_rand(0, 1000) / 10;
        }
        return Dataset::fromColumns(['x' => $x, 'y' => $y]);
    }

    public function testProgressIsReported(): void
    {
        $seen = [];
        $km = new KMeans(k: 3, n_init: 2, seed: 1, n_threads: 1, progress: function (float $f) use (&$seen) {
            $seen[] = $f;
            return false;
        });
        $km->fit(self::data(), ['x', 'y']);
        $this->assertNotEmpty($seen);
        foreach ($seen as $f) {
            $this->assertGreaterThanOrEqual(0.0, $f);
            $this->assertLessThanOrEqual(1.0, $f);
        }
        $sorted = $seen;
        \sort($sorted);
        $this->assertSame($sorted, $seen, 'fractions never go back');
        $this->assertTrue($km->isFitted());
    }

    public function testReturningTrueCancels(): void
    {
        $calls = 0;
        $km = new KMeans(k: 3, seed: 1, progress: function (float $f) use (&$calls) {
            $calls++;
            return true;
        });
        try {
            $km->fit(self::data(), ['x', 'y']);
            $this->fail('no exception');
        } catch (CancelledException $e) {
            $this->assertSame(-10, $e->status);
            $this->assertStringContainsString('cancelled', $e->getMessage());
        }
        $this->assertSame(1, $calls);
        $this->assertFalse($km->isFitted());
    }

    public function testExceptionInsideTheCallbackIsRethrownAfterTheCall(): void
    {
        $thrown = new \DomainException('stop here');
        $tree = new DecisionTree(max_depth: 4, progress: function (float $f) use ($thrown) {
            throw $thrown;
        });
        $ds = self::data()->mutate('label', 'x > y');
        try {
            $tree->fit($ds, 'label', ['x', 'y']);
            $this->fail('no exception');
        } catch (\DomainException $e) {
            $this->assertSame($thrown, $e);
        }
        // The library and the interpreter are fine afterwards: the same options fit again.
        $ok = (new DecisionTree(max_depth: 4, progress: fn ($f) => null))->fit($ds, 'label', ['x', 'y']);
        $this->assertTrue($ok->isFitted());
    }

    public function testAprioriCallbackCancels(): void
    {
        $tx = Dataset::fromColumns(['t' => [1, 1, 2, 2, 3], 'i' => ['a', 'b', 'a', 'b', 'a']]);
        $this->expectException(\LogicException::class);
        Crm::apriori($tx, 't', 'i', min_support: 0.1, n_threads: 1,
            progress: function ($f) {
                throw new \LogicException('from apriori');
            });
    }

    public function testNestedCallsEachGetTheirOwnCallback(): void
    {
        $outer = [];
        $inner = [];
        $ds = self::data();
        $km = new KMeans(k: 2, seed: 1, n_threads: 1, progress: function (float $f) use (&$outer, &$inner, $ds) {
            if ($outer === []) {
                (new KMeans(k: 3, seed: 2, n_threads: 1, progress: function (float $g) use (&$inner) {
                    $inner[] = $g;
                }))->fit($ds, ['x']);
            }
            $outer[] = $f;
        });
        $km->fit($ds, ['x', 'y']);
        $this->assertNotEmpty($outer);
        $this->assertNotEmpty($inner);
        $this->assertTrue($km->isFitted());
        $this->assertSame(2, $km->summary()->nrows());
    }

    private static function bigBlobs(int $n): Dataset
    {
        $x = [];
        $y = [];
        for ($i = 0; $i < $n; $i++) {
            $x[] = ($i % 5) * 4.0 + ($i % 7) * 0.1;
            $y[] = ($i * 3 % 5) * 4.0 + ($i % 11) * 0.1;
        }
        return Dataset::fromColumns(['x' => $x, 'y' => $y]);
    }

    public function testClosingTheDatasetInsideTheCallback(): void
    {
        // The fit holds the dataset: closing it from the callback frees it when the fit returns.
        $x = self::bigBlobs(200000);
        $want = (new KMeans(k: 5, n_init: 3, seed: 1))->fit($x, ['x', 'y'])->toJson();
        $calls = 0;
        $km = new KMeans(k: 5, n_init: 3, seed: 1, progress: function (float $f) use (&$calls, $x) {
            $calls++;
            $x->close();
            return false;
        });
        $model = $km->fit($x, ['x', 'y']);
        $this->assertGreaterThan(1, $calls, 'the fit went on after the close');
        $this->assertSame($want, $model->toJson());
        try {
            $x->nrows();
            $this->fail('no exception');
        } catch (StateException $e) {
            $this->assertStringContainsString('closed', $e->getMessage());
        }
    }

    public function testChangingTheDatasetInsideTheCallbackThrowsStateException(): void
    {
        $x = self::bigBlobs(20000);
        $km = new KMeans(k: 5, n_init: 3, seed: 1, progress: fn (float $f) => $x->mutate('z', 'x + y'));
        try {
            $km->fit($x, ['x', 'y']);
            $this->fail('no exception');
        } catch (StateException $e) {
            $this->assertStringContainsString(
                'crm_dataset_mutate: the dataset is in use by a running call', $e->getMessage());
        }
        $km = new KMeans(k: 5, progress: fn (float $f) => $x->dropColumn('y'));
        try {
            $km->fit($x, ['x', 'y']);
            $this->fail('no exception');
        } catch (StateException $e) {
            $this->assertStringContainsString('crm_dataset_drop_column: the dataset is in use',
                $e->getMessage());
        }
        $this->assertSame(['x', 'y'], $x->columns());
        $x->mutate('z', 'x + y'); // free to change again after the fit
        $this->assertSame(3, $x->ncols());
    }
}
