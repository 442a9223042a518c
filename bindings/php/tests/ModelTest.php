<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Arima;
use Libcrm\Crm;
use Libcrm\Dataset;
use Libcrm\DecisionTree;
use Libcrm\Exception\InvalidException;
use Libcrm\KMeans;
use Libcrm\LinearRegression;
use Libcrm\LogisticRegression;
use Libcrm\Model;
use PHPUnit\Framework\TestCase;

final class ModelTest extends TestCase
{
    public function testKMeansFitPredictSaveLoad(): void
    {
        $ds = Dataset::fromColumns(['x' => [0.0, 0.2, 0.1, 10.0, 10.2, 10.1], 'y' => [1, 1, 1, 5, 5, 5]]);
        $km = (new KMeans(k: 2, seed: 42, n_threads: 1, mutate: ['x=x*2']))->fit($ds, ['x', 'y']);
        $this->assertSame('kmeans', $km->kindName());
        $this->assertSame(['x=x*2'], $km->mutateSteps());
        $stats = $km->stats();
        $this->assertArrayHasKey('inertia', $stats);
        // In x*2 units each cluster has x deviations -0.2, 0.2, 0: 2 x 0.04 per cluster.
        $this->assertEqualsWithDelta(0.16, $stats['inertia'], 1e-9);
        $labels = $km->predict($ds->clone())->column('cluster');
        $this->assertSame($labels[0], $labels[1]);
        $this->assertNotSame($labels[0], $labels[3]);
        $path = \tempnam(\sys_get_temp_dir(), 'crm');
        try {
            $km->save($path);
            $loaded = Crm::loadModel($path);
            $this->assertInstanceOf(KMeans::class, $loaded);
            $this->assertSame($stats, $loaded->stats());
            $this->assertSame($labels, $loaded->predict($ds->clone())->column('cluster'));
        } finally {
            @\unlink($path);
        }
        $again = KMeans::fromJson($km->toJson());
        $this->assertSame($labels, $again->predict($ds->clone(), 'c')->column('c'));
        $copy = clone $km;
        $km->close();
        $this->assertSame($stats, $copy->stats());
        $this->assertSame(2, $copy->summary()->nrows());
    }

    public function testKMeansInitCentersLengthIsChecked(): void
    {
        // init_centers travels with its count (n_init_centers): a list of the wrong length
        // is refused instead of being read past its end.
        $ds = Dataset::fromColumns(['x' => [0.0, 1.0, 2.0, 10.0, 11.0, 12.0], 'y' => [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]);
        foreach ([[1.0], [0.0, 0.0, 1.0], [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], []] as $centers) {
            try {
                (new KMeans(k: 2, init_centers: $centers))->fit($ds, ['x', 'y']);
                $this->fail('init_centers of ' . \json_encode($centers) . ' was accepted');
            } catch (InvalidException $e) {
                $this->assertStringContainsString('init_centers', $e->getMessage());
            }
        }
        // The right length: one pass from (0, 0) and (1, 0) moves them to (0, 0) and (7.2, 0).
        foreach ([[[0.0, 0.0], [1.0, 0.0]], [0.0, 0.0, 1.0, 0.0]] as $centers) {
            $km = (new KMeans(k: 2, init_centers: $centers, max_iter: 1))->fit($ds, ['x', 'y']);
            $this->assertSame(1.0, $km->stat('n_iter'));
            $x = $km->summary()->column('x');
            $this->assertSame(0.0, $x[0]);
            $this->assertEqualsWithDelta(7.2, $x[1], 1e-14);
            $this->assertEqualsWithDelta(5.0 + 2.8 ** 2 + 3.8 ** 2 + 4.8 ** 2, $km->stat('inertia'), 1e-12);
        }
    }

    public function testRegressions(): void
    {
        $x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        $ds = Dataset::fromColumns(['x' => $x, 'y' => \array_map(fn ($v) => 2 * $v + 1, $x),
            'c' => ['no', 'no', 'yes', 'no', 'yes', 'yes']]);
        $lin = (new LinearRegression())->fit($ds, 'y', ['x']);
        $coef = $lin->coefficients();
        $this->assertEqualsWithDelta(2.0, $coef['x']['estimate'], 1e-12);
        $this->assertEqualsWithDelta(1.0, $coef['(Intercept)']['estimate'] ?? $coef['intercept']['estimate'], 1e-12);
        $log = (new LogisticRegression(positive: 'yes', l2: 1.0))->fit($ds, 'c', ['x']);
        $this->assertSame('logreg', $log->kindName());
        $this->assertSame(['no', 'yes'], $log->classes());
        $pred = $log->predict($ds->clone(), 'p');
        $this->assertContains('p_proba', $pred->columns());
        $tree = (new DecisionTree(max_depth: 2, criterion: 'gini'))->fit($ds, 'c', ['x']);
        $this->assertStringContainsString('x', $tree->rules());
        $this->assertStringContainsString('digraph', $tree->dot());
        $this->assertEqualsWithDelta(1.0, \array_sum($tree->featureImportances()), 1e-12);
    }

    public function testArima(): void
    {
        $y = [];
        for ($i = 0; $i < 60; $i++) {
            $y[] = 100 + $i + 10 * \sin($i / 2);
        }
        $m = (new Arima(p: 1, d: 1, q: 0))->fit($y);
        $this->assertSame('arima', $m->kindName());
        $fc = $m->forecast(6, level: 90);
        $this->assertSame(6, $fc->nrows());
        $this->assertContains('lower', $fc->columns());
        $both = $m->forecast(3);
        $this->assertContains('upper_95', $both->columns());
        $ds = Dataset::fromColumns(['d' => \array_map(fn ($i) => new \DateTimeImmutable("@" . (86400 * 31 * $i)), \range(0, 47)),
            'v' => \array_slice($y, 0, 48)]);
        $auto = (new Arima(auto: true))->fitDataset($ds, 'd', 'v', 'month');
        $this->assertContains('time', $auto->forecast(2)->columns());
        // forecast's bias-adjusted variance by default, stats::arima's with sigma2: 'stats'
        // (59 differenced values, ar1 estimated: a factor 59 / 58; the first residual, from
        // the diffuse start, adds about y[0]^2 / kappa to the sum)
        $st = (new Arima(p: 1, d: 1, q: 0, sigma2: 'stats'))->fit($y);
        $this->assertSame($m->stat('sigma2_stats'), $st->stat('sigma2'));
        $this->assertEqualsWithDelta(59 / 58, $m->stat('sigma2') / $st->stat('sigma2'), 1e-3);
    }

    public function testRfmAndSynth(): void
    {
        $tx = Crm::synth(customers: 50, days: 200, seed: 3, start: new \DateTimeImmutable('2022-01-01'));
        $this->assertContains('InvoiceDate', $tx->columns());
        $sales = $tx->filter('CustomerID is not missing and Quantity > 0');
        $sales->mutate('Amount', 'Quantity * UnitPrice');
        $rfm = Crm::rfm($sales, customer: 'CustomerID', date: 'InvoiceDate', amount: 'Amount');
        $this->assertGreaterThan(0, $rfm->nrows());
        foreach ($rfm->column('segment') as $s) {
            $this->assertContains($s, Crm::rfmSegments());
        }
        $this->assertInstanceOf(\DateTimeImmutable::class, Crm::rfmDefaultAsOf($sales, 'InvoiceDate'));
        $this->assertSame(Crm::versionNumber(), \Libcrm\Generated\Capi::crm_version_number());
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+$/', Crm::version());
        $this->assertInstanceOf(Model::class, Model::fromJson((new KMeans(k: 1))->fit($rfm, 'monetary')->toJson()));
    }

    public function testKpis(): void
    {
        $d = Dataset::fromColumns(['r' => [10, 9, 3, 7], 's' => ['good', 'bad', 'good', 'ok'],
            'stage' => ['visit', 'cart', 'buy', 'visit']]);
        $this->assertSame(25.0, Crm::nps($d, 'r'));                         // (2 - 1) / 4 promoters
        $this->assertSame(0.75, Crm::satisfaction($d, 's', ['good', 'ok']));
        $f = Crm::funnel($d, 'stage', ['visit', 'cart', 'buy']);
        $this->assertSame([4.0, 2.0, 1.0], $f->column('count'));
        $this->assertSame([1.0, 0.5, 0.25], $f->column('overall'));
    }
}
