<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\CrmException;
use Libcrm\Dataset;
use Libcrm\Exception;
use Libcrm\Generated\Capi;
use Libcrm\KMeans;
use PHPUnit\Framework\TestCase;

/** Bad input: every failed C call throws its status's class with the library's message. */
final class ErrorsTest extends TestCase
{
    public function testParseErrorCarriesPosition(): void
    {
        try {
            Dataset::readCsvString("a,b\n1,2\n3\n", strict: true);
            $this->fail('no exception');
        } catch (Exception\ParseException $e) {
            $this->assertSame(Capi::CRM_E_PARSE, $e->status);
            $this->assertSame('CRM_E_PARSE', $e->statusName);
            $this->assertMatchesRegularExpression('/<memory>:3:\d+/', $e->getMessage());
            $this->assertInstanceOf(CrmException::class, $e);
            $this->assertInstanceOf(\RuntimeException::class, $e);
        }
    }

    public function testIoErrorNamesTheFile(): void
    {
        $this->expectException(Exception\IOException::class);
        $this->expectExceptionMessageMatches('#/no/such/dir/x\.csv#');
        Dataset::readCsv('/no/such/dir/x.csv');
    }

    public function testExpressionErrors(): void
    {
        $ds = Dataset::fromColumns(['a' => [1, 2], 's' => ['x', 'y']]);
        try {
            $ds->filter('a >');
            $this->fail('no exception');
        } catch (Exception\ParseException $e) {
            $this->assertStringContainsString('expr', $e->getMessage());
        }
        $this->expectException(Exception\NotFoundException::class);
        $this->expectExceptionMessageMatches('/nope/');
        $ds->filter('nope > 1');
    }

    public function testTypeAndNumericErrors(): void
    {
        $ds = Dataset::fromColumns(['s' => ['x', 'y', 'z']]);
        try {
            (new KMeans(k: 2))->fit($ds, ['s']);
            $this->fail('no exception');
        } catch (Exception\TypeException $e) {
            $this->assertSame(Capi::CRM_E_TYPE, $e->status);
            $this->assertStringContainsString('s', $e->getMessage());
        }
        $this->expectException(Exception\InvalidException::class);
        (new KMeans(k: 5))->fit(Dataset::fromColumns(['x' => [1.0, 2.0]]), ['x']);
    }

    public function testModelJsonErrors(): void
    {
        $this->expectException(Exception\ParseException::class);
        \Libcrm\Model::fromJson('{"kind": ');
    }

    public function testEveryStatusHasItsClass(): void
    {
        $names = [];
        foreach (Capi::ENUMS['crm_status'] as $name => $value) {
            if ($value === 0) {
                continue;
            }
            $class = Capi::STATUS_EXCEPTIONS[$value];
            $this->assertTrue(\is_subclass_of($class, CrmException::class), $class);
            $names[] = (new \ReflectionClass($class))->getShortName();
        }
        $this->assertSame(['InvalidException', 'NoMemoryException', 'IOException', 'ParseException',
            'NotFoundException', 'TypeException', 'NumericException', 'StateException',
            'FormatException', 'CancelledException', 'UnsupportedException'], $names);
    }
}
