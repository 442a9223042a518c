<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Dataset;
use Libcrm\Exception\NotFoundException;
use PHPUnit\Framework\TestCase;

final class DatasetTest extends TestCase
{
    public function testColumnsRoundTripEveryType(): void
    {
        $t0 = new \DateTimeImmutable('2011-12-09 12:50:00', new \DateTimeZone('UTC'));
        $ds = Dataset::fromColumns([
            'n' => [1, 2.5, null, -0.0, 1e300],
            's' => ['a', null, 'ünïcödé', '', 'a'],
            't' => [$t0, null, new \DateTimeImmutable('@0'), $t0, new \DateTimeImmutable('@-86400')],
        ]);
        $this->assertSame(5, $ds->nrows());
        $this->assertCount(5, $ds);
        $this->assertSame(['n' => 'number', 's' => 'text', 't' => 'time'], $ds->dtypes());
        $this->assertSame([1.0, 2.5, null, -0.0, 1e300], $ds->column('n'));
        $this->assertSame('8000000000000000', \bin2hex(\strrev(\pack('e', $ds->column('n')[3]))));
        // A non-missing empty string is kept in memory (only CSV cannot tell it from missing).
        $this->assertSame(['a', null, 'ünïcödé', '', 'a'], $ds->column('s'));
        $this->assertSame([1323435000, null, 0, 1323435000, -86400], $ds->column('t', timestamps: true));
        $times = $ds->column('t');
        $this->assertInstanceOf(\DateTimeImmutable::class, $times[0]);
        $this->assertSame('2011-12-09T12:50:00+00:00', $times[0]->format(DATE_ATOM));
        $this->assertSame(['n' => 1, 's' => 1, 't' => 1], $ds->missing());
        $cols = $ds->toColumns(timestamps: true);
        $this->assertSame(['n', 's', 't'], \array_keys($cols));
        $this->assertSame([1323435000, null, 0, 1323435000, -86400], $cols['t']);
    }

    public function testBulkColumnKeepsEveryBit(): void
    {
        \mt_srand(7);
        $values = [];
        for ($i = 0; $i < 200000; $i++) {
            $values[] = \mt_rand() / \mt_getrandmax() * 1e6 - 5e5;
        }
        $values[17] = \INF;
        $values[18] = -\INF;
        $values[19] = \PHP_FLOAT_MIN;
        $ds = Dataset::fromColumns(['x' => $values]);
        $this->assertSame($values, $ds->column('x'));
        $this->assertSame(0, $ds->missing()['x']);
        $ds->addColumn('y', \array_map(fn ($i) => $i % 3 === 0 ? null : "v$i", \range(0, 199999)));
        $y = $ds->column('y');
        $this->assertNull($y[0]);
        $this->assertSame('v1', $y[1]);
        $this->assertSame('v199999', $y[199999]);
    }

    public function testCsvReadWithNamedOptionsAndWriteRoundTrip(): void
    {
        $ds = Dataset::readCsvString("id;amount;when\n7;1,5;2020-01-02\n8;;2020-01-03\n",
            delimiter: ';', decimal_comma: true, types: ['id' => 'text']);
        $this->assertSame(['id' => 'text', 'amount' => 'number', 'when' => 'time'], $ds->dtypes());
        $this->assertSame([1.5, null], $ds->column('amount'));
        $path = \tempnam(\sys_get_temp_dir(), 'crm') . '.csv';
        try {
            $ds->writeCsv($path, delimiter: '|');
            $this->assertStringStartsWith("id|amount|when\n", \file_get_contents($path));
            $back = Dataset::readCsv($path, delimiter: '|', types: ['id:text']);
            $this->assertSame($ds->toColumns(true), $back->toColumns(true));
        } finally {
            @\unlink($path);
        }
    }

    public function testDerivedDatasetsAndCleaning(): void
    {
        $ds = Dataset::fromColumns([
            'k' => ['b', 'a', 'b', 'c', 'a'],
            'v' => [3, 1, 3, 5, 2],
        ]);
        $f = $ds->filter('v > 1')->mutate('w', 'v * 2');
        $this->assertSame([6.0, 6.0, 10.0, 4.0], $f->column('w'));
        $this->assertSame(1, $f->dedup(['k', 'v']));
        $this->assertSame(['b', 'c', 'a'], $f->column('k'));
        $sorted = $ds->sort(['k', 'v'], [false, true]);
        $this->assertSame(['a', 'a', 'b', 'b', 'c'], $sorted->column('k'));
        $this->assertSame([2.0, 1.0, 3.0, 3.0, 5.0], $sorted->column('v'));
        $this->assertSame(['v'], $ds->select('v')->columns());
        $this->assertSame(2, $ds->head(2)->nrows());
        $g = $ds->group('k', ['total' => 'sum(v)', 'n=count()']);
        $this->assertSame(['a', 'b', 'c'], $g->column('k'));
        $this->assertSame([3.0, 6.0, 5.0], $g->column('total'));
        $this->assertSame([2.0, 2.0, 1.0], $g->column('n'));
        $right = Dataset::fromColumns(['k' => ['a', 'c'], 'z' => [10, 30]]);
        $j = $ds->join($right, 'k', how: 'left');
        $this->assertSame([null, 10.0, null, 30.0, 10.0], $j->column('z'));
        $d = $ds->describe();
        $this->assertSame(['k', 'v'], $d->column('column'));
        $copy = $ds->clone();
        $copy->mutate('v', 'v + 1');
        $this->assertSame([3.0, 1.0, 3.0, 5.0, 2.0], $ds->column('v'));
        $php = clone $ds;
        $php->dropColumn('v');
        $this->assertSame(['k', 'v'], $ds->columns());
        $this->assertSame(['k'], $php->columns());
        $m = Dataset::fromColumns(['x' => [1.0, null, 3.0]]);
        $this->assertSame(1, $m->impute('x', 'mean'));
        $this->assertSame([1.0, 2.0, 3.0], $m->column('x'));
        $m->renameColumn('x', 'y');
        $this->assertSame(['y'], $m->columns());
        $this->expectException(NotFoundException::class);
        $m->column('x');
    }

    public function testBasketsFile(): void
    {
        $path = \tempnam(\sys_get_temp_dir(), 'crm');
        try {
            \file_put_contents($path, "1 2 3\n2 3\n1 3\n");
            $b = \Libcrm\Dataset::readBaskets($path);
            $this->assertSame(['tid', 'item'], $b->columns());
            $this->assertSame(7, $b->nrows());
            [$itemsets, $rules] = \Libcrm\Crm::apriori($b, 'tid', 'item', min_support: 0.5,
                min_confidence: 0.5, target: 'all');
            $this->assertGreaterThan(0, $itemsets->nrows());
            $this->assertContains('items', $itemsets->columns());
            $this->assertSame(['a', 'b, c'], \Libcrm\Crm::splitItems('a, b\\, c'));
        } finally {
            @\unlink($path);
        }
    }
}
