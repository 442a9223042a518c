<?php

declare(strict_types=1);

namespace Libcrm\Internal;

use FFI;
use FFI\CData;
use Libcrm\Generated\Capi;

/**
 * Helpers turning PHP values into C memory and back, in bulk: one FFI::memcpy
 * per array (pack/unpack on the PHP side), never one FFI access per element.
 * Every buffer is owned by PHP (freed with the CData); the caller keeps it
 * alive until the C call returns.
 *
 * @internal
 */
final class Native
{
    /** A new out-slot for a handle: `crm_dataset*` or `crm_model*` (pass FFI::addr of it). */
    public static function handleSlot(string $type): CData
    {
        return Capi::ffi()->new($type . '*');
    }

    /** A new C scalar (size_t, int64_t, double, const char *, ...) for an out parameter. */
    public static function scalar(string $type): CData
    {
        return Capi::ffi()->new($type);
    }

    /** A NUL-terminated copy of $s in C memory (PHP-owned char array). */
    public static function cstring(string $s): CData
    {
        $n = \strlen($s);
        $buf = FFI::new('char[' . ($n + 1) . ']');
        if ($n > 0) {
            FFI::memcpy($buf, $s, $n);
        }
        return $buf;
    }

    /** The address of a C buffer, as an int. */
    public static function address(CData $buf): int
    {
        return FFI::cast('uintptr_t', FFI::addr($buf))->cdata;
    }

    /**
     * A `const char *const *` array of the strings $values (null = NULL pointer):
     * [pointer array, blob]; keep both alive. Each distinct string is copied once
     * into one NUL-separated blob; the addresses go in with one memcpy.
     *
     * @param array<int, ?string> $values
     * @return array{0: ?CData, 1: ?CData}
     */
    public static function stringArray(array $values, string $what): array
    {
        $n = \count($values);
        if ($n === 0) {
            return [null, null];
        }
        $offsets = [];
        $parts = [];
        $size = 0;
        foreach ($values as $v) {
            if ($v === null || isset($offsets[$v])) {
                continue;
            }
            if (!\is_string($v)) {
                throw new \TypeError($what . ' must hold strings, not ' . \get_debug_type($v));
            }
            if (\str_contains($v, "\0")) {
                throw new \ValueError($what . ': a string must not contain a NUL byte');
            }
            $offsets[$v] = $size;
            $parts[] = $v;
            $size += \strlen($v) + 1;
        }
        $blob = null;
        $base = 0;
        if ($size > 0) {
            $data = \implode("\0", $parts) . "\0";
            $blob = FFI::new('char[' . $size . ']');
            FFI::memcpy($blob, $data, $size);
            $base = self::address($blob);
        }
        $addresses = [];
        foreach ($values as $v) {
            $addresses[] = $v === null ? 0 : $base + $offsets[$v];
        }
        $ptrs = Capi::ffi()->new('const char *[' . $n . ']');
        FFI::memcpy($ptrs, \pack('q*', ...$addresses), 8 * $n);
        return [$ptrs, $blob];
    }

    /**
     * A `double[n]` holding $values (null = NaN) with one memcpy; null for an empty list.
     *
     * @param array<int, int|float|bool|null> $values
     */
    public static function doubleArray(array $values, string $what): ?CData
    {
        $n = \count($values);
        if ($n === 0) {
            return null;
        }
        if (!\array_is_list($values)) {
            $values = \array_values($values);
        }
        foreach ($values as $i => $v) {
            if (!\is_float($v) && !\is_int($v)) {
                if ($v === null) {
                    $values[$i] = \NAN;
                } elseif (\is_bool($v)) {
                    $values[$i] = $v ? 1.0 : 0.0;
                } else {
                    throw new \TypeError($what . ' must hold numbers, not ' . \get_debug_type($v));
                }
            }
        }
        $buf = FFI::new('double[' . $n . ']');
        FFI::memcpy($buf, \pack('d*', ...$values), 8 * $n);
        return $buf;
    }

    /**
     * An integer C array (`int32_t` or `int64_t`) holding $values, each checked
     * against [$min, $max]; null for an empty list.
     *
     * @param array<int, int> $values
     */
    public static function intArray(array $values, string $ctype, int $min, int $max,
                                    string $what): ?CData
    {
        $n = \count($values);
        if ($n === 0) {
            return null;
        }
        foreach ($values as $v) {
            Capi::int($v, $min, $max, $what);
        }
        $code = match ($ctype) {
            'int32_t' => 'l*',
            'uint32_t' => 'L*',
            'int64_t', 'uint64_t', 'size_t' => 'q*',
            default => throw new \LogicException('no array of ' . $ctype),
        };
        $size = $code === 'q*' ? 8 : 4;
        $buf = Capi::ffi()->new($ctype . '[' . $n . ']');
        FFI::memcpy($buf, \pack($code, ...\array_values($values)), $size * $n);
        return $buf;
    }

    /** The $n doubles of a C buffer as a PHP list (one copy, then unpack). */
    public static function doublesOut(CData $buf, int $n): array
    {
        return $n === 0 ? [] : \array_values(\unpack('d*', FFI::string($buf, 8 * $n)));
    }

    /** The $n int64 values of a C buffer as a PHP list. */
    public static function int64Out(CData $buf, int $n): array
    {
        return $n === 0 ? [] : \array_values(\unpack('q*', FFI::string($buf, 8 * $n)));
    }

    /** The $n int32 values of a C buffer as a PHP list. */
    public static function int32Out(CData $buf, int $n): array
    {
        return $n === 0 ? [] : \array_values(\unpack('l*', FFI::string($buf, 4 * $n)));
    }

    /** Take a `char *` the library allocated: copy it to a PHP string and crm_free it. */
    public static function takeString(CData $slot): string
    {
        if (FFI::isNull($slot)) {
            return '';
        }
        try {
            return FFI::string($slot);
        } finally {
            Capi::crm_free($slot);
        }
    }

    /** Names given as one string or a list of strings, as a list. */
    public static function names(string|array|null $names, string $what): array
    {
        if ($names === null) {
            return [];
        }
        if (\is_string($names)) {
            return [$names];
        }
        $out = [];
        foreach ($names as $name) {
            if (!\is_string($name)) {
                throw new \TypeError($what . ' must be column names (strings), not '
                    . \get_debug_type($name));
            }
            $out[] = $name;
        }
        return $out;
    }
}
