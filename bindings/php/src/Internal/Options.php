<?php

declare(strict_types=1);

namespace Libcrm\Internal;

use FFI;
use FFI\CData;
use Libcrm\CrmException;
use Libcrm\Generated\Capi;

/**
 * Named arguments -> a crm_X_options struct, from the generated field table
 * (Capi::STRUCTS). The struct starts from the library's defaults
 * (crm_X_options_init); each option is checked and converted:
 *
 * - integer fields take an int within the C type's range (\TypeError for a
 *   float or string, \ValueError outside the range); bool is taken as 0/1;
 *   enum fields also take a member name as a string, with or without the
 *   prefix, in any case ("plusplus", "CRM_KMEANS_INIT_PLUSPLUS");
 * - double fields take an int or a float;
 * - string fields take a string without NUL bytes, or null;
 * - list fields (a pointer with a count field) take a PHP list, and the count
 *   is set from it; string lists check each string for NUL;
 * - the progress callback takes a callable f(float $fraction): bool|int|null,
 *   where a true/non-zero result cancels. An exception thrown by it never
 *   crosses C: it is caught, the call is cancelled, and it is re-thrown when
 *   the call returns (see call()).
 *
 * An unknown option name throws \InvalidArgumentException listing the valid
 * ones; options given by position (not named) too. camelCase names are
 * accepted for the snake_case fields (nInit for n_init).
 *
 * @internal
 */
final class Options
{
    /** @var CData the struct */
    public CData $struct;

    /** @var array<int, mixed> C memory the struct points into */
    private array $keep = [];

    /** @var array<string, CData> callback type => holder of its one C trampoline */
    private static array $trampolines = [];

    /** @var list<self> the Options of the running call()s, innermost last */
    private static array $active = [];

    /** @var callable|null the user's progress callback */
    private $progress = null;

    /** The exception a progress callback threw, re-thrown after the call. */
    private ?\Throwable $callbackError = null;

    /** Whether any option was set (false: pass NULL for the library defaults). */
    public bool $touched = false;

    /** @var list<string> int fields that also take a 1-character string */
    private array $charFields = [];

    private function __construct(public readonly string $name, public readonly string $what)
    {
        $this->struct = Capi::ffi()->new($name);
        $init = Capi::STRUCTS[$name]['init'];
        Capi::$init(FFI::addr($this->struct), FFI::sizeof($this->struct));
    }

    /**
     * The struct $name filled from $options (name => value).
     *
     * @param array<string|int, mixed> $options
     * @param list<string> $charFields int fields that also take a 1-character string
     */
    public static function build(string $name, array $options, string $what,
                                 array $charFields = []): self
    {
        $o = new self($name, $what);
        $o->charFields = $charFields;
        foreach ($options as $key => $value) {
            $o->set($key, $value);
        }
        return $o;
    }

    /** The settable option names of struct $name (no size, counts or user pointer). */
    public static function names(string $name): array
    {
        $out = [];
        foreach (Capi::STRUCTS[$name]['fields'] as $field => $meta) {
            if (!\in_array($meta['kind'], ['size', 'length', 'user_data'], true)) {
                $out[] = $field;
            }
        }
        return $out;
    }

    /** The canonical field name of option $key, or throw \InvalidArgumentException. */
    public static function field(string $name, int|string $key, string $what): string
    {
        $fields = Capi::STRUCTS[$name]['fields'];
        if (\is_int($key)) {
            throw new \InvalidArgumentException($what . ': options must be named arguments '
                . '(valid: ' . \implode(', ', self::names($name)) . ')');
        }
        if (!isset($fields[$key]) && \preg_match('/[A-Z]/', $key)) {
            $key = \strtolower(\preg_replace('/(?<!^)[A-Z]/', '_$0', $key));
        }
        $meta = $fields[$key] ?? null;
        if ($meta === null || \in_array($meta['kind'], ['size', 'length', 'user_data'], true)) {
            throw new \InvalidArgumentException(\sprintf('%s: unknown option "%s" (valid: %s)',
                $what, $key, \implode(', ', self::names($name))));
        }
        return $key;
    }

    /** Set option $key to $value (checked and converted). */
    public function set(int|string $key, mixed $value): void
    {
        $charFields = $this->charFields;
        $field = self::field($this->name, $key, $this->what);
        $meta = Capi::STRUCTS[$this->name]['fields'][$field];
        $what = $this->what . '(' . $field . ')';
        $this->touched = true;
        switch ($meta['kind']) {
            case 'int':
                $enum = $meta['enum'] ?? null;
                if (\is_string($value) && $enum !== null) {
                    $value = self::enumValue($enum, $value, $what);
                } elseif (\in_array($field, $charFields, true) && (\is_string($value) || $value === null)) {
                    $value = self::charValue($value, $what);
                } elseif (\is_bool($value)) {
                    $value = (int) $value;
                }
                $this->struct->$field = Capi::int($value, $meta['min'], $meta['max'], $what);
                return;
            case 'double':
                $this->struct->$field = Capi::double($value, $what);
                return;
            case 'string':
                $value = Capi::string($value, $what);
                if ($value === null) {
                    $this->struct->$field = null;
                    return;
                }
                $buf = Native::cstring($value);
                $this->keep[] = $buf;
                $this->struct->$field = FFI::cast('char *', FFI::addr($buf));
                return;
            case 'string_array':
            case 'double_array':
            case 'int_array':
                $this->setArray($field, $meta, $value, $what);
                return;
            case 'callback':
                $this->setCallback($field, $value, $what);
                return;
        }
        throw new \InvalidArgumentException($what . ' cannot be set from PHP');
    }

    private function setArray(string $field, array $meta, mixed $value, string $what): void
    {
        $count = $meta['length'] ?? null;
        if ($value === null) {
            $this->struct->$field = null;
            if ($count !== null) {
                $this->struct->$count = 0;
            }
            return;
        }
        if (!\is_array($value)) {
            throw new \TypeError($what . ' must be an array, not ' . \get_debug_type($value));
        }
        $value = \array_values($value);
        if ($meta['kind'] === 'string_array') {
            foreach ($value as $v) {
                if (!\is_string($v)) {
                    throw new \TypeError($what . ' must hold strings, not ' . \get_debug_type($v));
                }
            }
            [$arr, $blob] = Native::stringArray($value, $what);
            $this->keep[] = $blob;
        } elseif ($meta['kind'] === 'double_array') {
            $arr = Native::doubleArray($value, $what);
        } else {
            $ctype = \trim(\str_replace(['const', '*'], '', $meta['type']));
            $arr = Native::intArray($value, $ctype, PHP_INT_MIN, PHP_INT_MAX, $what);
        }
        $this->keep[] = $arr;
        $ptrType = \str_replace('const ', '', $meta['type']);
        $this->struct->$field = $arr === null ? null : FFI::cast($ptrType, $arr);
        if ($count !== null) {
            $cmeta = Capi::STRUCTS[$this->name]['fields'][$count];
            $this->struct->$count = Capi::int(\count($value), $cmeta['min'] ?? 0,
                $cmeta['max'] ?? PHP_INT_MAX, $what);
        }
    }

    private function setCallback(string $field, mixed $value, string $what): void
    {
        if ($value === null) {
            $this->struct->$field = null;
            $this->progress = null;
            return;
        }
        if (!\is_callable($value)) {
            throw new \TypeError($what . ' must be callable, not ' . \get_debug_type($value));
        }
        $this->progress = $value;
        $type = Capi::STRUCTS[$this->name]['fields'][$field]['type'];
        $this->struct->$field = self::trampoline($type);
    }

    /**
     * The C function pointer of type $type that calls the progress callback of
     * the innermost running call().
     *
     * PHP's FFI keeps every PHP closure turned into a C function pointer until
     * the end of the request, so one per options struct would leak (about
     * 3.6 kB per fit). Instead there is one per callback type for the process,
     * and it dispatches to the Options of the innermost call() running on this
     * thread (library callbacks run synchronously, on the calling thread).
     */
    private static function trampoline(string $type): CData
    {
        if (!isset(self::$trampolines[$type])) {
            $decl = \str_contains($type, '(*)') ? \str_replace('(*)', '(*f)', $type) : $type . ' f';
            $holder = Capi::ffi()->new('struct { ' . $decl . '; }', false);
            $holder->f = static function (float $fraction, mixed $user): int {
                $top = \end(self::$active);
                return $top === false ? 0 : $top->progress($fraction);
            };
            self::$trampolines[$type] = $holder;
        }
        return self::$trampolines[$type]->f;
    }

    /** The user's progress callback for $fraction: 1 cancels; exceptions are kept, not thrown. */
    private function progress(float $fraction): int
    {
        if ($this->progress === null) {
            return 0;
        }
        if ($this->callbackError !== null) {
            return 1;
        }
        try {
            $r = ($this->progress)($fraction);
            return ($r === null || $r === false || $r === 0) ? 0 : 1;
        } catch (\Throwable $e) {
            // Never let it unwind through C: cancel, re-throw after the call.
            $this->callbackError = $e;
            return 1;
        }
    }

    /** The value of enum member $value (a name, with or without prefix, any case). */
    public static function enumValue(string $enum, string $value, string $what): int
    {
        $members = Capi::ENUMS[$enum];
        $key = \strtoupper(\str_replace(['-', ' '], '_', \trim($value)));
        if (isset($members[$key])) {
            return $members[$key];
        }
        $prefixes = [];
        foreach ($members as $name => $v) {
            $prefixes[\substr($name, 0, \strrpos($name, '_') + 1)] = true;
        }
        foreach ($members as $name => $v) {
            foreach ($prefixes as $prefix => $unused) {
                if ($name === $prefix . $key) {
                    return $v;
                }
            }
        }
        throw new \ValueError(\sprintf('%s: unknown value "%s" (expected one of %s)', $what, $value,
            \implode(', ', \array_keys($members))));
    }

    private static function charValue(?string $value, string $what): int
    {
        if ($value === null || $value === '') {
            return 0;
        }
        if (\strlen($value) !== 1 || \ord($value) > 127) {
            throw new \ValueError($what . ' must be a single ASCII character');
        }
        return \ord($value);
    }

    /** The struct's address for the C call, or null (library defaults) when nothing was set. */
    public function ptr(): ?CData
    {
        return $this->touched ? FFI::addr($this->struct) : null;
    }

    /** The struct's address, always (for calls whose caller set fields directly). */
    public function addr(): CData
    {
        return FFI::addr($this->struct);
    }

    /**
     * Run $call (the C call using this struct); when the progress callback threw,
     * re-throw its exception (the call itself failed with CRM_E_CANCELLED).
     *
     * @template T
     * @param callable(): T $call
     * @return T
     */
    public function call(callable $call): mixed
    {
        self::$active[] = $this;
        try {
            $result = $call();
        } catch (CrmException $e) {
            $this->rethrow();
            throw $e;
        } finally {
            \array_pop(self::$active);
        }
        $this->rethrow();
        return $result;
    }

    private function rethrow(): void
    {
        if ($this->callbackError !== null) {
            $e = $this->callbackError;
            $this->callbackError = null;
            throw $e;
        }
    }

    /** Current field values (for inspection and tests): name => PHP value. */
    public function toArray(): array
    {
        $out = [];
        foreach (Capi::STRUCTS[$this->name]['fields'] as $field => $meta) {
            $v = $this->struct->$field;
            if ($meta['kind'] === 'string') {
                $v = $v instanceof CData ? FFI::string($v) : $v;
            } elseif (\in_array($meta['kind'], ['string_array', 'double_array', 'int_array'], true)) {
                $n = isset($meta['length']) ? $this->struct->{$meta['length']} : 0;
                $list = [];
                for ($i = 0; $v !== null && $i < $n; $i++) {
                    $item = $v[$i];
                    $list[] = $item instanceof CData ? FFI::string($item) : $item;
                }
                $v = $v === null ? null : $list;
            } elseif ($meta['kind'] === 'callback' || $meta['kind'] === 'user_data') {
                $v = $v === null ? null : 'set';
            }
            $out[$field] = $v;
        }
        return $out;
    }
}
