<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Clv;
use Libcrm\Crm;
use Libcrm\Dataset;
use Libcrm\Exception\CancelledException;
use Libcrm\Exception\InvalidException;
use Libcrm\Exception\IOException;
use Libcrm\Exception\NotFoundException;
use Libcrm\Exception\ParseException;
use Libcrm\Exception\StateException;
use Libcrm\KMeans;
use Libcrm\DecisionTree;
use Libcrm\Model;
use Libcrm\RandomForest;
use PHPUnit\Framework\TestCase;

/**
 * SQL (readSql/writeSql), CLV, the HTML report, Apriori prune_redundant and
 * KMeans::centersOriginal. Expected numbers are what the Python layer
 * (bindings/python) gives on the same generated data.
 */
final class FeaturesTest extends TestCase
{
    private string $dir;

    protected function setUp(): void
    {
        $this->dir = \sys_get_temp_dir() . '/crm-php-' . \bin2hex(\random_bytes(6));
        \mkdir($this->dir);
    }

    protected function tearDown(): void
    {
        foreach (\glob($this->dir . '/*') ?: [] as $f) {
            \unlink($f);
        }
        \rmdir($this->dir);
    }

    private function uri(): string
    {
        return 'sqlite:' . $this->dir . '/shop.db';
    }

    private static function sales(): Dataset
    {
        $tx = Crm::synth(customers: 300, seed: 7, dirt: 0);
        $tx->mutate('Amount', 'Quantity * UnitPrice');
        return $tx;
    }

    public function testSqlRoundTripBoundParametersUpsertReplace(): void
    {
        $u = $this->uri();
        $at = new \DateTimeImmutable('2024-03-01 00:00:00', new \DateTimeZone('UTC'));
        $scores = Dataset::fromColumns(['customer' => ['ann', 'bob'], 'score' => [0.5, 0.25],
            'at' => [$at, $at]]);
        $scores->writeSql($u, 'scores', key: 'customer');
        try {
            $scores->writeSql($u, 'scores');
            $this->fail('create over an existing table');
        } catch (StateException $e) {
            $this->assertStringContainsString('already exists', $e->getMessage());
        }
        $update = Dataset::fromColumns(['customer' => ['bob', 'cid'], 'score' => [0.75, 1.0],
            'at' => [null, $at->modify('+1 day')]]);
        $update->writeSql($u, 'scores', mode: 'upsert', key: ['customer']);
        $back = Dataset::readSql($u, 'SELECT customer, score, at FROM scores ORDER BY customer');
        $this->assertSame(['ann', 'bob', 'cid'], $back->column('customer'));
        $this->assertSame([0.5, 0.75, 1.0], $back->column('score'));
        $this->assertSame('time', $back->type('at'));
        $this->assertSame(['bob'], Dataset::readSql($u,
            'SELECT customer FROM scores WHERE score > ? AND customer <> ?', [0.6, 'cid'])->column('customer'));
        $this->assertSame(['cid'], Dataset::readSql($u,
            'SELECT customer FROM scores WHERE at >= ?', [$at->modify('+12 hours')])->column('customer'));
        $this->assertSame(['bob'], Dataset::readSql($u,
            'SELECT customer FROM scores WHERE at IS ?', [null])->column('customer'));
        foreach (["ann' OR '1'='1", '1; DROP TABLE scores; --'] as $evil) {
            $this->assertSame(0, Dataset::readSql($u, 'SELECT * FROM scores WHERE customer = ?', [$evil])->nrows());
        }
        $this->assertSame(2, Dataset::readSql($u, 'SELECT * FROM scores', [], max_rows: 2)->nrows());
        try {
            $update->writeSql($u, 'scores', mode: 'append');
            $this->fail('duplicate key appended');
        } catch (InvalidException $e) {
            $this->assertStringContainsString('UNIQUE constraint failed', $e->getMessage());
        }
        $update->writeSql($u, 'scores', mode: 'replace', column_types: ['score' => 'DOUBLE PRECISION']);
        $this->assertSame(['bob', 'cid'],
            Dataset::readSql($u, 'SELECT customer FROM scores ORDER BY 1')->column('customer'));
    }

    public function testSqlProgressCancelAndBadInput(): void
    {
        $u = $this->uri();
        $rows = Dataset::fromColumns(['id' => \array_map('floatval', \range(0, 99))]);
        $seen = [];
        $rows->writeSql($u, 'ids', batch_rows: 10, progress: function (float $f) use (&$seen) {
            $seen[] = $f;
            return false;
        });
        $this->assertGreaterThanOrEqual(10, \count($seen));
        $this->assertSame(1.0, \end($seen));
        $calls = 0;
        try {
            $rows->writeSql($u, 'ids', mode: 'append', batch_rows: 10,
                progress: function () use (&$calls) { return ++$calls >= 2; });
            $this->fail('not cancelled');
        } catch (CancelledException) {
            $this->assertSame(2, $calls);
        }
        try {
            $rows->writeSql($u, 'ids', mode: 'append', batch_rows: 10,
                progress: fn () => throw new \DomainException('boom'));
            $this->fail('callback exception lost');
        } catch (\DomainException $e) {
            $this->assertSame('boom', $e->getMessage());
        }
        $this->assertSame(100, Dataset::readSql($u, 'SELECT * FROM ids')->nrows());
        $cases = [
            [fn () => Dataset::readSql($u, 'SELEC 1'), ParseException::class, 'near "SELEC": syntax error'],
            [fn () => Dataset::readSql($u, 'SELECT * FROM nope'), ParseException::class, 'no such table: nope'],
            [fn () => Dataset::readSql('sqlite:' . $this->dir . '/no/x.db', 'SELECT 1'), IOException::class, ''],
            [fn () => Dataset::readSql('oracle://x', 'SELECT 1'), InvalidException::class, 'unknown scheme'],
            [fn () => Dataset::readSql($u, 'SELECT 1', [], client_library: 'libsqlite3-not-installed.so.0'),
                \Libcrm\CrmException::class, 'install libsqlite3-0'],
            [fn () => Dataset::readSql($u, 'SELECT ?', []), InvalidException::class, 'placeholder'],
            [fn () => Dataset::readSql($u, 'SELECT ?', [new \stdClass()]), \TypeError::class, ''],
            [fn () => Dataset::readSql($u, 'SELECT 1', [], colour: 1), \InvalidArgumentException::class, 'colour'],
            [fn () => $rows->writeSql($u, 'ids', mode: 'merge'), \ValueError::class, 'merge'],
        ];
        foreach ($cases as [$call, $class, $text]) {
            try {
                $call();
                $this->fail("no $class");
            } catch (\Throwable $e) {
                $this->assertInstanceOf($class, $e, $e->getMessage());
                $this->assertStringContainsString($text, $e->getMessage());
            }
        }
        $rows->close();
        $this->expectException(StateException::class);
        $rows->writeSql($u, 'ids2');
    }

    public function testClvGivesThePythonParameters(): void
    {
        $tx = self::sales();
        $s = Crm::clvSummary($tx, 'CustomerID', 'InvoiceDate', 'Amount');
        $this->assertSame(['customer', 'frequency', 'recency', 'T', 'monetary'], $s->columns());
        $this->assertSame(300, $s->nrows());
        $m = (new Clv())->fit($s);
        $this->assertSame('clv', $m->kindName());
        $want = ['r' => 0.3626434111265205, 'alpha' => 16.27330338210772, 'a' => 8.384072550252876,
            'b' => 115.29483987109178, 'p' => 0.4221139800399, 'q' => 1.2086697333139507,
            'v' => 218.37645130702975];
        foreach ($m->params() as $k => $v) {
            $this->assertEqualsWithDelta($want[$k], $v, 1e-9 * \max(1, \abs($want[$k])), $k);
        }
        $m->predict($s);
        foreach ([221.2096562151518, 506.9642272791755, 574.4764644320077] as $i => $v) {
            $this->assertEqualsWithDelta($v, $s->column('clv')[$i], 1e-9 * $v);
        }
        foreach ([0.9131683407042812, 0.36551913621590976, 0.9008848739448346] as $i => $v) {
            $this->assertEqualsWithDelta($v, $s->column('p_alive')[$i], 1e-9);
        }
        $weekly = Crm::clvSummary($tx, 'CustomerID', 'InvoiceDate', 'Amount', period: 'week',
            calibration_end: new \DateTimeImmutable('2023-06-30', new \DateTimeZone('UTC')));
        $this->assertSame(235, $weekly->nrows());
        $this->assertSame(687.0, \array_sum($weekly->column('frequency')));
        $this->assertSame(308.0, \array_sum($weekly->column('frequency_holdout')));
        $this->assertEqualsWithDelta(20856.79333333333, \array_sum(\array_filter(
            $weekly->column('monetary_holdout'), fn ($v) => $v !== null)), 1e-6);
        $this->assertInstanceOf(Clv::class, Clv::fromJson($m->toJson()));
        $this->expectException(InvalidException::class);
        (new Clv(l2: -1.0))->fit($s);
    }

    public function testClvMisuse(): void
    {
        $tx = self::sales();
        try {
            Crm::clvSummary($tx, 'Nope', 'InvoiceDate', 'Amount');
            $this->fail('missing column');
        } catch (NotFoundException) {
            $this->addToAssertionCount(1);
        }
        try {
            new Clv(colour: 1);
            $this->fail('unknown option');
        } catch (\InvalidArgumentException) {
            $this->addToAssertionCount(1);
        }
        try {
            (new Clv())->fit($tx);
            $this->fail('not a summary');
        } catch (NotFoundException) {
            $this->addToAssertionCount(1);
        }
        $this->expectException(StateException::class);
        (new Clv())->params();
    }

    public function testAprioriPruneRedundantAndCentersOriginal(): void
    {
        $tx = self::sales();
        [$itemsets, $all] = Crm::apriori($tx, 'InvoiceNo', 'Description', min_support: 0.01,
            min_confidence: 0.1);
        [, $pruned] = Crm::apriori($tx, 'InvoiceNo', 'Description', min_support: 0.01,
            min_confidence: 0.1, prune_redundant: true);
        $this->assertSame(886, $itemsets->nrows());
        $this->assertSame(7308, $all->nrows());
        $this->assertSame(672, $pruned->nrows());
        $km = (new KMeans(k: 3, seed: 1, standardize: true, mutate: ['lm=log1p(Amount)']))
            ->fit($tx, ['lm', 'Quantity']);
        $c = $km->centersOriginal();
        $this->assertSame(['cluster', 'size', 'lm', 'Quantity'], $c->columns());
        $this->assertSame([174.0, 5980.0, 3408.0], $c->column('size'));
        foreach ([4.541729673251169, 1.6922479909083772, 3.8265826686835185] as $i => $v) {
            $this->assertEqualsWithDelta($v, $c->column('lm')[$i], 1e-9 * $v);
        }
        foreach ([109.47126436781609, 4.047324414715718, 11.127934272300468] as $i => $v) {
            $this->assertEqualsWithDelta($v, $c->column('Quantity')[$i], 1e-9 * $v);
        }
        $this->expectException(StateException::class);
        (new KMeans(k: 2))->centersOriginal();
    }

    public function testReportBytesEqualPython(): void
    {
        $tx = Crm::synth(customers: 300, seed: 7)->filter("CustomerID is not missing and Quantity > 0 "
            . "and UnitPrice > 0 and not startswith(InvoiceNo, 'C')");
        $opts = ['quantity' => 'Quantity', 'price' => 'UnitPrice', 'invoice' => 'InvoiceNo',
            'item' => 'Description', 'title' => 'Shop <&> report', 'currency' => '€', 'n_threads' => 1];
        $page = Crm::reportHtml($tx, 'CustomerID', 'InvoiceDate', ...$opts);
        $this->assertSame(92625, \strlen($page));
        $this->assertSame('fe822854590e1b5befab57112578d88a58d327524a0e7e6977374640f62cc586',
            \hash('sha256', $page));
        $file = $this->dir . '/r.html';
        Crm::report($tx, $file, 'CustomerID', 'InvoiceDate', ...$opts);
        $this->assertSame($page, \file_get_contents($file));
        $cases = [
            [fn () => Crm::reportHtml($tx, 'NoSuchColumn', 'InvoiceDate', amount: 'Quantity'), NotFoundException::class],
            [fn () => Crm::reportHtml($tx, 'CustomerID', 'InvoiceDate', amount: 'Quantity', k: 0), InvalidException::class],
            [fn () => Crm::reportHtml($tx, 'CustomerID', 'InvoiceDate', colour: 'red'), \InvalidArgumentException::class],
            [fn () => Crm::report($tx, $this->dir . '/no/r.html', 'CustomerID', 'InvoiceDate', amount: 'Quantity'),
                IOException::class],
        ];
        foreach ($cases as [$call, $class]) {
            try {
                $call();
                $this->fail("no $class");
            } catch (\Throwable $e) {
                $this->assertInstanceOf($class, $e, $e->getMessage());
            }
        }
    }

    public function testRandomForestMatchesPython(): void
    {
        $x1 = $x2 = $label = [];
        for ($i = 0; $i < 300; $i++) {
            $x1[] = (float) ($i % 17);
            $x2[] = (float) (($i * 7) % 13);
            $label[] = (($x1[$i] + $x2[$i] > 14) !== ($i % 11 === 0)) ? 'yes' : 'no';
        }
        $ds = Dataset::fromColumns(['x1' => $x1, 'x2' => $x2, 'label' => $label]);
        $f = (new RandomForest(n_trees: 50, seed: 3, n_threads: 1, importance: 'permutation'))
            ->fit($ds, 'label', ['x1', 'x2']);
        $this->assertSame('forest', $f->kindName());
        $this->assertSame(50, $f->nTrees());
        $this->assertEqualsWithDelta(0.17666666666666667, $f->stat('oob_error'), 1e-12);
        $imp = $f->featureImportances();
        $this->assertEqualsWithDelta(0.6849053514423824, $imp['x1'], 1e-12);
        $this->assertEqualsWithDelta(0.3150946485576176, $imp['x2'], 1e-12);
        $perm = $f->permutationImportances();
        $this->assertEqualsWithDelta(0.210881740775075, $perm['x1'], 1e-12);
        $this->assertEqualsWithDelta(0.1336230554348413, $perm['x2'], 1e-12);
        $bag = $f->bag(0);
        $this->assertSame([1, 1, 0, 1, 0, 1, 0, 1, 1, 0], \array_slice($bag, 0, 10));
        $this->assertSame(300, \array_sum($bag));
        $f->predict($ds);
        $this->assertSame(['no', 'no', 'no', 'no', 'no'], \array_slice($ds->column('prediction'), 0, 5));
        foreach ([0.551, 1.0, 0.98] as $i => $v) {
            $this->assertEqualsWithDelta($v, $ds->column('prediction_proba')[$i], 1e-12);
        }
        $tree = $f->tree(0);
        $this->assertInstanceOf(DecisionTree::class, $tree);
        $this->assertNotSame('', $tree->rules());
        $f->oobPredict($ds);
        $this->assertTrue($ds->hasColumn('oob_prediction'));
        $this->assertInstanceOf(RandomForest::class, Model::fromJson($f->toJson()));
        $r = (new RandomForest(n_trees: 30, seed: 3, n_threads: 1))->fit($ds, 'x1', ['x2']);
        $this->assertEqualsWithDelta(25.86318367120793, $r->stat('oob_error'), 1e-9);
        $this->assertNull($r->permutationImportances());
        $cases = [
            [fn () => (new RandomForest(n_trees: 0))->fit($ds, 'label', ['x1']), InvalidException::class],
            [fn () => (new RandomForest())->fit($ds, 'label', ['nope']), NotFoundException::class],
            [fn () => new RandomForest(colour: 1), \InvalidArgumentException::class],
            [fn () => (new RandomForest())->featureImportances(), StateException::class],
            [fn () => (new RandomForest(n_trees: 20, progress: fn () => true))->fit($ds, 'label', ['x1']),
                CancelledException::class],
        ];
        foreach ($cases as [$call, $class]) {
            try {
                $call();
                $this->fail("no $class");
            } catch (\Throwable $e) {
                $this->assertInstanceOf($class, $e, $e->getMessage());
            }
        }
    }
}
