<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Dataset;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Options;
use Libcrm\KMeans;
use PHPUnit\Framework\TestCase;

/** Options round trips: named arguments -> C struct -> read back. */
final class OptionsTest extends TestCase
{
    public function testDefaultsComeFromTheLibrary(): void
    {
        foreach (Capi::STRUCTS as $name => $meta) {
            $o = Options::build($name, [], 'test');
            $this->assertNull($o->ptr(), "$name: no options -> NULL (library defaults)");
            $values = $o->toArray();
            $this->assertSame(\FFI::sizeof($o->struct), $values['size'], $name);
            foreach ($meta['fields'] as $field => $f) {
                if (\array_key_exists('default', $f)) {
                    $this->assertEquals(self::defaultValue($f), $values[$field], "$name.$field default");
                }
            }
        }
        $k = Options::build('crm_kmeans_options', [], 'KMeans')->toArray();
        $this->assertSame(8, $k['k']);
        $this->assertSame(10, $k['n_init']);
        $this->assertSame(Capi::CRM_KMEANS_INIT_PLUSPLUS, $k['init']);
    }

    public function testRoundTrip(): void
    {
        $set = ['k' => 3, 'n_init' => 2, 'max_iter' => 50, 'tol' => 0.5, 'seed' => PHP_INT_MAX,
                'standardize' => true, 'n_threads' => 1, 'sample_weight' => 'w',
                'mutate' => ['a=log1p(a)', 'b=b*2']];
        $o = Options::build('crm_kmeans_options', $set, 'KMeans');
        $back = $o->toArray();
        foreach ($set as $k => $v) {
            $this->assertSame($k === 'standardize' ? 1 : $v, $back[$k], $k);
        }
        $this->assertSame(2, $back['n_mutate']);
        $csv = Dataset::csvOptions(['delimiter' => ';', 'quote' => null, 'header' => false,
            'na_values' => ['-', '?'], 'max_rows' => 10], 'csv')->toArray();
        $this->assertSame([\ord(';'), 0, 0, ['-', '?'], 2, 10],
            [$csv['delimiter'], $csv['quote'], $csv['header'], $csv['na_values'], $csv['n_na_values'],
             $csv['max_rows']]);
        $arima = Options::build('crm_arima_options', ['fixed' => [0.5, null], 'method' => 'css-ml',
            'ic' => 'BIC', 'freq' => 'CRM_ARIMA_QUARTER'], 'Arima')->toArray();
        $this->assertSame(0.5, $arima['fixed'][0]);
        $this->assertNan($arima['fixed'][1]);
        $this->assertSame(2, $arima['n_fixed']);
        $this->assertSame([Capi::CRM_ARIMA_CSS_ML, Capi::CRM_ARIMA_BIC, Capi::CRM_ARIMA_QUARTER],
            [$arima['method'], $arima['ic'], $arima['freq']]);
    }

    public function testEnumNamesInEveryForm(): void
    {
        foreach (['plusplus', 'PLUSPLUS', 'CRM_KMEANS_INIT_PLUSPLUS', 'k-means++'] as $name) {
            $km = new KMeans(init: $name);
            $this->assertSame(Capi::CRM_KMEANS_INIT_PLUSPLUS, self::built($km)['init'], $name);
        }
        $this->assertSame(Capi::CRM_KMEANS_HAMERLY, self::built(new KMeans(algorithm: 'hamerly'))['algorithm']);
        $this->assertSame(Capi::CRM_KMEANS_INIT_RANDOM, self::built(new KMeans(init: 2))['init']);
        $this->assertSame(Capi::CRM_TREE_CRITERION_AUTO,
            self::built(new \Libcrm\DecisionTree(criterion: 'auto'))['criterion']);
        $this->assertSame(Capi::CRM_TREE_ENTROPY,
            self::built(new \Libcrm\DecisionTree(criterion: 'entropy'))['criterion']);
        $this->assertSame(-1, self::built(new \Libcrm\DecisionTree(max_depth: null))['max_depth']);
        $this->assertSame(Capi::CRM_LOGREG_LBFGS,
            self::built(new \Libcrm\LogisticRegression(solver: 'lbfgs'))['solver']);
        $this->assertSame(Capi::CRM_APRIORI_MAXIMAL,
            Options::build('crm_apriori_options', ['target' => 'maximal'], 'apriori')->toArray()['target']);
    }

    public function testCamelCaseNamesAndInitCenters(): void
    {
        $km = new KMeans(nInit: 3, maxIter: 7, initCenters: [[0.0, 1.0], [2.0, 3.0]], k: 2);
        $b = self::built($km);
        $this->assertSame([3, 7, Capi::CRM_KMEANS_INIT_GIVEN], [$b['n_init'], $b['max_iter'], $b['init']]);
        $ds = Dataset::fromColumns(['x' => [0.0, 0.1, 2.0, 2.1], 'y' => [1.0, 1.1, 3.0, 3.1]]);
        $km->fit($ds, ['x', 'y']);
        $this->assertSame(2, $km->summary()->nrows());
    }

    /** The struct KMeans/DecisionTree/... would pass to C, read back. */
    private static function built(object $model): array
    {
        $m = new \ReflectionMethod($model, 'buildOptions');
        $m->setAccessible(true);
        return $m->invoke($model)->toArray();
    }

    /** The "default" of a field as the PHP value read back from the struct. */
    private static function defaultValue(array $f): mixed
    {
        $d = $f['default'];
        if ($f['kind'] === 'int' && \is_string($d)) {
            if (isset($f['enum'])) {
                return Options::enumValue($f['enum'], $d, 'default');
            }
            if (\defined(Capi::class . '::' . $d)) {
                return \constant(Capi::class . '::' . $d);
            }
            if (\strlen($d) === 1) {
                return \ord($d);
            }
        }
        if (\in_array($f['kind'], ['string_array', 'double_array', 'int_array'], true) && $d === []) {
            return null; // an empty list is a NULL pointer
        }
        return $d;
    }
}
