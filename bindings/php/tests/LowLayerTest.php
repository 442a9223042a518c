<?php

declare(strict_types=1);

namespace Libcrm\Tests;

use Libcrm\Generated\Capi;
use PHPUnit\Framework\TestCase;

/** The generated layer agrees with the loaded library and with itself. */
final class LowLayerTest extends TestCase
{
    public function testEveryFunctionHasAWrapperAndASymbol(): void
    {
        $ffi = Capi::ffi();
        foreach (Capi::FUNCTIONS as $name => $meta) {
            $this->assertTrue(\method_exists(Capi::class, $name), $name);
            $this->assertSame(\count($meta['params']),
                (new \ReflectionMethod(Capi::class, $name))->getNumberOfParameters(), $name);
        }
        $this->assertSame(Capi::CRM_VERSION_MAJOR, \intdiv($ffi->crm_version_number(), 10000));
        $this->assertGreaterThanOrEqual(Capi::CRM_VERSION_NUMBER, Capi::crm_version_number());
    }

    public function testStructLayoutMatchesTheHeaders(): void
    {
        $ffi = Capi::ffi();
        foreach (Capi::STRUCTS as $name => $meta) {
            $struct = $ffi->new($name);
            if (isset($meta['size'])) {
                $this->assertSame($meta['size'], \FFI::sizeof($struct), "sizeof $name");
            }
            if (isset($meta['align'])) {
                $this->assertSame($meta['align'], \FFI::alignof($struct), "alignof $name");
            }
            $base = \FFI::cast('uintptr_t', \FFI::addr($struct))->cdata;
            foreach ($meta['fields'] as $field => $f) {
                if (isset($f['offset'])) {
                    $at = \FFI::cast('uintptr_t', \FFI::addr($struct->$field))->cdata - $base;
                    $this->assertSame($f['offset'], $at, "offsetof $name.$field");
                }
            }
            // crm_X_options_init accepts the struct FFI lays out (its size rule).
            $init = $meta['init'];
            Capi::$init(\FFI::addr($struct), \FFI::sizeof($struct));
            $this->assertSame(\FFI::sizeof($struct), $struct->size, $name);
        }
    }

    public function testConstantsAndEnums(): void
    {
        $this->assertSame(PHP_INT_MIN, Capi::CRM_TIME_MISSING);
        $this->assertSame(0, Capi::CRM_OK);
        foreach (Capi::ENUMS as $enum => $members) {
            foreach ($members as $name => $value) {
                $this->assertSame($value, \constant(Capi::class . '::' . $name), "$enum::$name");
            }
        }
        foreach (Capi::STATUS_NAMES as $value => $name) {
            if ($value !== 0) {
                $this->assertSame($name, Capi::crm_status_str($value));
            }
        }
    }

    public function testStatusIsThrownWithTheLastErrorMessage(): void
    {
        $out = Capi::ffi()->new('size_t');
        $ds = Capi::ffi()->new('crm_dataset*');
        Capi::crm_dataset_new(\FFI::addr($ds));
        try {
            Capi::crm_dataset_column_index($ds, 'missing_column', \FFI::addr($out));
            $this->fail('no exception');
        } catch (\Libcrm\Exception\NotFoundException $e) {
            $this->assertStringContainsString('missing_column', $e->getMessage());
            $this->assertSame('CRM_E_NOTFOUND', $e->statusName);
        } finally {
            Capi::crm_dataset_free($ds);
        }
    }
}
