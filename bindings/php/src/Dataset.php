<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use FFI\CData;
use Libcrm\Exception\StateException;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Native;
use Libcrm\Internal\Options;

/**
 * A table of typed columns (number, text, time), backed by a C crm_dataset.
 *
 * | C type | PHP value                               | missing |
 * |--------|-----------------------------------------|---------|
 * | number | float                                   | null    |
 * | text   | string (UTF-8)                          | null    |
 * | time   | \DateTimeImmutable in UTC (or int seconds since the epoch with $timestamps) | null |
 *
 * Columns go in and out in bulk: a number or time column is one memcpy of the
 * whole column, a text column its codes in one copy plus each distinct level.
 *
 * The C memory is released by close() (deterministic; any later use throws
 * Libcrm\Exception\StateException) or, as a fallback, when the last reference
 * goes (__destruct). Datasets derived from another one (filter, select, sort,
 * head, describe, clone) are independent of it. A dataset must not be used by
 * several threads at once.
 */
final class Dataset implements \Countable
{
    private const CSV_CHAR_FIELDS = ['delimiter', 'quote'];
    private const TYPE_NAMES = [
        Capi::CRM_TYPE_NUMBER => 'number',
        Capi::CRM_TYPE_TEXT => 'text',
        Capi::CRM_TYPE_TIME => 'time',
    ];

    private ?CData $ptr;

    /**
     * An empty dataset, or one built from $columns (as fromColumns()).
     *
     * @param array<string, array<int, mixed>>|null $columns
     */
    public function __construct(?array $columns = null)
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_new(FFI::addr($slot));
        $this->ptr = $slot;
        foreach ($columns ?? [] as $name => $values) {
            $this->addColumn((string) $name, $values);
        }
    }

    /** @internal a Dataset owning the crm_dataset* in $slot */
    public static function wrap(CData $slot): self
    {
        if (FFI::isNull($slot)) {
            throw new StateException('libcrm returned no dataset', Capi::CRM_E_STATE, 'CRM_E_STATE');
        }
        $ds = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $ds->ptr = $slot;
        return $ds;
    }

    /** @internal the crm_dataset*; throws StateException after close() */
    public function handle(): CData
    {
        return $this->ptr ?? throw new StateException('the dataset has been closed',
            Capi::CRM_E_STATE, 'CRM_E_STATE');
    }

    /** Free the C dataset now; any later use throws StateException. Idempotent. */
    public function close(): void
    {
        if ($this->ptr !== null) {
            $ptr = $this->ptr;
            $this->ptr = null;
            Capi::crm_dataset_free($ptr);
        }
    }

    public function isClosed(): bool
    {
        return $this->ptr === null;
    }

    public function __destruct()
    {
        $this->close();
    }

    /** `clone $ds` gives an independent deep copy (as clone()). */
    public function __clone()
    {
        if ($this->ptr !== null) {
            $slot = Native::handleSlot('crm_dataset');
            Capi::crm_dataset_clone($this->ptr, FFI::addr($slot));
            $this->ptr = $slot;
        }
    }

    /** An independent deep copy. */
    public function clone(): self
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_clone($this->handle(), FFI::addr($slot));
        return self::wrap($slot);
    }

    // -- readers --------------------------------------------------------------------

    /** @internal crm_csv_options from named arguments */
    public static function csvOptions(array $options, string $what): Options
    {
        if (isset($options['types']) && \is_array($options['types']) && !\array_is_list($options['types'])) {
            $types = [];
            foreach ($options['types'] as $k => $v) {
                $types[] = $k . ':' . $v;
            }
            $options['types'] = $types;
        }
        if (isset($options['na_values']) && \is_string($options['na_values'])) {
            $options['na_values'] = [$options['na_values']];
        }
        return Options::build('crm_csv_options', $options, $what, self::CSV_CHAR_FIELDS);
    }

    /**
     * Read a CSV file (.gz is decompressed). Options as named arguments, the
     * crm_csv_options fields: delimiter (1-character string; default detected
     * among , ; TAB |), quote ('"' by default; null disables quoting), header
     * (bool, default true), decimal_comma, strict (default true: ragged rows are
     * a ParseException), keep_default_na, na_values (list), types (list of
     * "NAME:number|text|time" or ['NAME' => 'text']), date_format, max_rows,
     * max_bytes.
     *
     *     $ds = Dataset::readCsv('orders.csv', delimiter: ';', types: ['CustomerID' => 'text']);
     *
     * @throws Exception\ParseException (message "path:line:column: ..."), IOException, InvalidException
     */
    public static function readCsv(string $path, mixed ...$options): self
    {
        $o = self::csvOptions($options, 'Dataset::readCsv');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_read_csv($path, $o->ptr(), FFI::addr($slot));
        return self::wrap($slot);
    }

    /** Read CSV text from a string (gzip data allowed); options as readCsv(). */
    public static function readCsvString(string $text, mixed ...$options): self
    {
        $o = self::csvOptions($options, 'Dataset::readCsvString');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_read_csv_mem($text, \strlen($text), $o->ptr(), FFI::addr($slot));
        return self::wrap($slot);
    }

    /**
     * Run $query on a database and read its rows (crm_dataset_read_sql). $uri:
     * "sqlite:shop.db", "postgresql://crm@/shop?host=/run/postgresql",
     * "mysql://crm@localhost/shop" (passwords from PGPASSWORD, ~/.pgpass, ~/.my.cnf).
     * $params: values for the query's placeholders (? ; $1... in PostgreSQL), bound by
     * the driver: null (NULL), int, float, bool, string, \DateTimeInterface (UTC).
     * Options (named arguments): batch_rows, max_rows, client_library, progress
     * (callable f(float $fraction): bool, true cancels).
     *
     *     $ds = Dataset::readSql('sqlite:shop.db', 'SELECT * FROM orders WHERE amount > ?', [10]);
     *
     * @throws Exception\ParseException the server refused the SQL (its message)
     * @throws Exception\IOException cannot connect
     * @throws Exception\UnsupportedException the client library is not installed
     */
    public static function readSql(string $uri, string $query, array $params = [],
                                   mixed ...$options): self
    {
        $texts = [];
        foreach (\array_values($params) as $i => $v) {
            $texts[] = self::sqlParam($v, $i);
        }
        $o = self::sqlOptions($options, 'Dataset::readSql');
        [$ptrs, $blob] = Native::stringArray($texts, 'readSql(params)');
        $slot = Native::handleSlot('crm_dataset');
        $o->call(fn () => Capi::crm_dataset_read_sql($uri, $query, $ptrs, \count($texts),
            $o->ptr(), FFI::addr($slot)));
        return self::wrap($slot);
    }

    /** One query parameter as the text the C library binds (null: SQL NULL). */
    private static function sqlParam(mixed $v, int $i): ?string
    {
        if ($v === null || \is_string($v)) {
            return $v;
        }
        if (\is_bool($v)) {
            return $v ? '1' : '0';
        }
        if (\is_int($v)) {
            return (string) $v;
        }
        if (\is_float($v)) {
            return \is_nan($v) ? null : \json_encode($v, JSON_PRESERVE_ZERO_FRACTION);
        }
        if ($v instanceof \DateTimeInterface) {
            return \DateTimeImmutable::createFromInterface($v)
                ->setTimezone(new \DateTimeZone('UTC'))->format('Y-m-d H:i:s');
        }
        throw new \TypeError(\sprintf('readSql(params[%d]): %s cannot be bound (use null, int, '
            . 'float, bool, string or DateTimeInterface)', $i, \get_debug_type($v)));
    }

    /** crm_sql_options from named arguments: mode by name, key, column_types as a map. */
    private static function sqlOptions(array $options, string $what): Options
    {
        if (\array_key_exists('key', $options)) {
            $options['key_columns'] = $options['key'];
            unset($options['key']);
        }
        if (\is_string($options['key_columns'] ?? null)) {
            $options['key_columns'] = [$options['key_columns']];
        }
        $types = $options['column_types'] ?? null;
        if (\is_array($types) && !\array_is_list($types)) {
            $list = [];
            foreach ($types as $col => $type) {
                $list[] = $col . ':' . $type;
            }
            $options['column_types'] = $list;
        }
        return Options::build('crm_sql_options', $options, $what);
    }

    /**
     * Read a FIMI basket file (one transaction per line, items separated by
     * spaces) into columns tid (number, 1-based line) and item (text).
     */
    public static function readBaskets(string $path): self
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_read_baskets($path, FFI::addr($slot));
        return self::wrap($slot);
    }

    /**
     * A dataset from ['name' => [values...], ...], in order. The type of a column
     * follows from its values: int/float (and bool) give number, string text,
     * \DateTimeInterface time; null (and NAN) are missing; a column of only
     * missing values is number. All columns must have the same length.
     *
     * @param array<string, array<int, mixed>> $columns
     */
    public static function fromColumns(array $columns): self
    {
        return new self($columns);
    }

    // -- columns in -----------------------------------------------------------------

    /**
     * Append a column; its type is inferred as in fromColumns(). Returns $this.
     *
     * @param array<int, mixed> $values
     * @param string|null $type "number", "text" or "time" to force the type
     */
    public function addColumn(string $name, array $values, ?string $type = null): self
    {
        $handle = $this->handle();
        $name = Capi::string($name, 'addColumn(name)');
        if (!\array_is_list($values)) {
            $values = \array_values($values);
        }
        $type ??= self::inferType($name, $values);
        $n = \count($values);
        switch ($type) {
            case 'number':
                $buf = Native::doubleArray($values, "column \"$name\" (number)") ?? FFI::new('double[1]');
                Capi::crm_dataset_add_number($handle, $name, $buf, $n);
                break;
            case 'time':
                $secs = [];
                foreach ($values as $v) {
                    $secs[] = match (true) {
                        $v === null => Capi::CRM_TIME_MISSING,
                        $v instanceof \DateTimeInterface => $v->getTimestamp(),
                        \is_int($v) => $v,
                        default => throw new \TypeError("column \"$name\" (time) mixes in a "
                            . \get_debug_type($v) . ' value'),
                    };
                }
                $buf = $n > 0 ? Native::intArray($secs, 'int64_t', PHP_INT_MIN, PHP_INT_MAX, $name)
                    : FFI::new('int64_t[1]');
                Capi::crm_dataset_add_time($handle, $name, $buf, $n);
                break;
            case 'text':
                foreach ($values as $v) {
                    if ($v !== null && !\is_string($v)) {
                        throw new \TypeError("column \"$name\" (text) mixes in a "
                            . \get_debug_type($v) . ' value');
                    }
                }
                [$ptrs, $blob] = Native::stringArray($values, "column \"$name\"");
                Capi::crm_dataset_add_text($handle, $name,
                    $ptrs ?? Capi::ffi()->new('const char *[1]'), $n);
                unset($blob);
                break;
            default:
                throw new \ValueError("addColumn(type): use number, text or time, not \"$type\"");
        }
        return $this;
    }

    /**
     * The column type of $values from its first non-missing value; the copy into
     * C memory then checks every value against it (\TypeError when they mix).
     */
    private static function inferType(string $name, array $values): string
    {
        foreach ($values as $v) {
            if ($v === null || (\is_float($v) && \is_nan($v))) {
                continue;
            }
            return match (true) {
                \is_int($v), \is_float($v), \is_bool($v) => 'number',
                \is_string($v) => 'text',
                $v instanceof \DateTimeInterface => 'time',
                default => throw new \TypeError("column \"$name\": cannot store a "
                    . \get_debug_type($v) . ' value'),
            };
        }
        return 'number';
    }

    /** Remove a column in place (NotFoundException when there is none); returns $this. */
    public function dropColumn(string $name): self
    {
        Capi::crm_dataset_drop_column($this->handle(), $name);
        return $this;
    }

    /** Rename a column in place; returns $this. */
    public function renameColumn(string $name, string $newName): self
    {
        Capi::crm_dataset_rename_column($this->handle(), $name, $newName);
        return $this;
    }

    // -- introspection -----------------------------------------------------------------

    public function nrows(): int
    {
        return Capi::crm_dataset_nrows($this->handle());
    }

    public function ncols(): int
    {
        return Capi::crm_dataset_ncols($this->handle());
    }

    /** Number of rows (Countable). */
    public function count(): int
    {
        return $this->nrows();
    }

    /** Column names, in order. */
    public function columns(): array
    {
        $out = [];
        for ($i = 0, $n = $this->ncols(); $i < $n; $i++) {
            $out[] = $this->nameAt($i);
        }
        return $out;
    }

    /** ['name' => 'number'|'text'|'time'], in column order. */
    public function dtypes(): array
    {
        $out = [];
        for ($i = 0, $n = $this->ncols(); $i < $n; $i++) {
            $out[$this->nameAt($i)] = $this->typeAt($i);
        }
        return $out;
    }

    /** ['name' => number of missing cells]. */
    public function missing(): array
    {
        $out = [];
        for ($i = 0, $n = $this->ncols(); $i < $n; $i++) {
            $out[$this->nameAt($i)] = $this->missingAt($i);
        }
        return $out;
    }

    public function hasColumn(string $name): bool
    {
        return \in_array($name, $this->columns(), true);
    }

    private function nameAt(int $col): string
    {
        $out = Native::scalar('const char *');
        Capi::crm_dataset_column_name($this->handle(), $col, FFI::addr($out));
        return FFI::string($out);
    }

    private function typeAt(int $col): string
    {
        $out = Native::scalar('int32_t');
        Capi::crm_dataset_column_type($this->handle(), $col, FFI::addr($out));
        return self::TYPE_NAMES[$out->cdata] ?? 'unknown';
    }

    private function missingAt(int $col): int
    {
        $out = Native::scalar('size_t');
        Capi::crm_dataset_missing($this->handle(), $col, FFI::addr($out));
        return $out->cdata;
    }

    private function indexOf(string $name): int
    {
        $out = Native::scalar('size_t');
        Capi::crm_dataset_column_index($this->handle(), $name, FFI::addr($out));
        return $out->cdata;
    }

    // -- columns out -------------------------------------------------------------------

    /**
     * The column $name as a list, null where missing: floats, strings, or
     * \DateTimeImmutable (UTC); with $timestamps, times as int seconds since
     * the epoch.
     */
    public function column(string $name, bool $timestamps = false): array
    {
        return $this->columnAt($this->indexOf($name), $timestamps);
    }

    /** The type of column $name: "number", "text" or "time". */
    public function type(string $name): string
    {
        return $this->typeAt($this->indexOf($name));
    }

    /** ['name' => list of values] for every column (see column()). */
    public function toColumns(bool $timestamps = false): array
    {
        $out = [];
        for ($i = 0, $n = $this->ncols(); $i < $n; $i++) {
            $out[$this->nameAt($i)] = $this->columnAt($i, $timestamps);
        }
        return $out;
    }

    /** The first $n rows (all by default) as a list of ['name' => value] arrays. */
    public function rows(?int $n = null, bool $timestamps = false): array
    {
        $src = $n === null ? $this : $this->head($n);
        $cols = $src->toColumns($timestamps);
        $rows = [];
        for ($r = 0, $m = $src->nrows(); $r < $m; $r++) {
            $row = [];
            foreach ($cols as $name => $values) {
                $row[$name] = $values[$r];
            }
            $rows[] = $row;
        }
        return $rows;
    }

    private function columnAt(int $col, bool $timestamps): array
    {
        $handle = $this->handle();
        $n = $this->nrows();
        $type = $this->typeAt($col);
        if ($n === 0) {
            return [];
        }
        if ($type === 'number') {
            $buf = FFI::new('double[' . $n . ']');
            Capi::crm_dataset_get_number($handle, $col, 0, $n, $buf);
            $values = Native::doublesOut($buf, $n);
            if ($this->missingAt($col) > 0) {
                foreach ($values as $i => $v) {
                    if (\is_nan($v)) {
                        $values[$i] = null;
                    }
                }
            }
            return $values;
        }
        if ($type === 'time') {
            $buf = FFI::new('int64_t[' . $n . ']');
            Capi::crm_dataset_get_time($handle, $col, 0, $n, $buf);
            $values = Native::int64Out($buf, $n);
            $utc = new \DateTimeZone('UTC');
            $cache = [];
            foreach ($values as $i => $s) {
                if ($s === Capi::CRM_TIME_MISSING) {
                    $values[$i] = null;
                } elseif (!$timestamps) {
                    $values[$i] = $cache[$s] ??= (new \DateTimeImmutable('@' . $s))->setTimezone($utc);
                }
            }
            return $values;
        }
        if ($type === 'text') {
            $count = Native::scalar('size_t');
            Capi::crm_dataset_text_levels($handle, $col, FFI::addr($count));
            $levels = [];
            $level = Native::scalar('const char *');
            for ($code = 0, $m = $count->cdata; $code < $m; $code++) {
                Capi::crm_dataset_text_level($handle, $col, $code, FFI::addr($level));
                $levels[$code] = FFI::string($level);
            }
            $levels[-1] = null;
            $buf = FFI::new('int32_t[' . $n . ']');
            Capi::crm_dataset_get_codes($handle, $col, 0, $n, $buf);
            $codes = Native::int32Out($buf, $n);
            foreach ($codes as $i => $c) {
                $codes[$i] = $levels[$c];
            }
            return $codes;
        }
        throw new StateException("column $col has an unknown type", Capi::CRM_E_STATE, 'CRM_E_STATE');
    }

    // -- derived datasets ----------------------------------------------------------------

    /** A new dataset with the named columns, in the order given. */
    public function select(string|array $names): self
    {
        $names = Native::names($names, 'select(names)');
        [$ptrs, $blob] = Native::stringArray($names, 'select(names)');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_select($this->handle(), $ptrs, \count($names), FFI::addr($slot));
        return self::wrap($slot);
    }

    /**
     * A new dataset sorted (stable) by $keys; missing values sort last.
     * $descending: false (all ascending), true (all descending) or one bool per key.
     */
    public function sort(string|array $keys, bool|array $descending = false): self
    {
        $keys = Native::names($keys, 'sort(keys)');
        if ($keys === []) {
            throw new \ValueError('sort() needs at least one key');
        }
        $flags = null;
        if ($descending !== false) {
            $list = $descending === true ? \array_fill(0, \count($keys), true) : \array_values($descending);
            if (\count($list) !== \count($keys)) {
                throw new \ValueError(\sprintf('sort(): %d keys but %d descending flags',
                    \count($keys), \count($list)));
            }
            $flags = Native::intArray(\array_map(static fn ($d) => $d ? 1 : 0, $list),
                'int32_t', 0, 1, 'sort(descending)');
        }
        [$ptrs, $blob] = Native::stringArray($keys, 'sort(keys)');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_sort($this->handle(), $ptrs, \count($keys), $flags, FFI::addr($slot));
        return self::wrap($slot);
    }

    /** A new dataset with the first $n rows. */
    public function head(int $n = 5): self
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_head($this->handle(), $n, FFI::addr($slot));
        return self::wrap($slot);
    }

    /** Per-column summary (column, type, count, missing, mean, std, min, q25, median, q75, max, distinct). */
    public function describe(): self
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_describe($this->handle(), FFI::addr($slot));
        return self::wrap($slot);
    }

    /**
     * A new dataset with the rows where $expr is true, e.g.
     * "CustomerID is not missing and Quantity > 0" (see docs/expressions.md).
     */
    public function filter(string $expr): self
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_filter($this->handle(), $expr, FFI::addr($slot));
        return self::wrap($slot);
    }

    /** Add (or replace) column $name computed by $expr, in place; returns $this. */
    public function mutate(string $name, string $expr): self
    {
        Capi::crm_dataset_mutate($this->handle(), $name, $expr);
        return $this;
    }

    /**
     * Group by $keys and aggregate: $aggs is a list of "[NAME=]FUNCTION(COLUMN)"
     * or ['NAME' => 'FUNCTION(COLUMN)'].
     */
    public function group(string|array $keys, array $aggs = []): self
    {
        $keys = Native::names($keys, 'group(keys)');
        $list = [];
        foreach ($aggs as $k => $v) {
            $list[] = \is_string($k) ? $k . '=' . $v : $v;
        }
        $list = Native::names($list, 'group(aggs)');
        [$kp, $kb] = Native::stringArray($keys, 'group(keys)');
        [$ap, $ab] = Native::stringArray($list, 'group(aggs)');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_group($this->handle(), $kp, \count($keys), $ap, \count($list),
            FFI::addr($slot));
        return self::wrap($slot);
    }

    /** Join with $right on the key column(s) $on; $how is "inner" or "left". */
    public function join(self $right, string|array $on, string $how = 'inner'): self
    {
        $keys = Native::names($on, 'join(on)');
        $kind = Options::enumValue('crm_join', $how, 'join(how)');
        [$kp, $kb] = Native::stringArray($keys, 'join(on)');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_dataset_join($this->handle(), $right->handle(), $kp, \count($keys), $kind,
            FFI::addr($slot));
        return self::wrap($slot);
    }

    // -- cleaning (in place) -------------------------------------------------------------

    /**
     * Drop duplicate rows in place; returns the number removed. $keys (null = all
     * columns) decide what a duplicate is; $keep is "first", "last" or "none".
     */
    public function dedup(string|array|null $keys = null, string $keep = 'first'): int
    {
        $keys = Native::names($keys, 'dedup(keys)');
        $mode = Options::enumValue('crm_keep', $keep, 'dedup(keep)');
        [$kp, $kb] = Native::stringArray($keys, 'dedup(keys)');
        $removed = Native::scalar('size_t');
        Capi::crm_clean_dedup($this->handle(), $kp, \count($keys), $mode, FFI::addr($removed));
        return $removed->cdata;
    }

    /** Drop rows missing any of $cols (null = any column) in place; returns the count. */
    public function dropMissing(string|array|null $cols = null): int
    {
        $cols = Native::names($cols, 'dropMissing(cols)');
        [$cp, $cb] = Native::stringArray($cols, 'dropMissing(cols)');
        $removed = Native::scalar('size_t');
        Capi::crm_clean_drop_missing($this->handle(), $cp, \count($cols), FFI::addr($removed));
        return $removed->cdata;
    }

    /**
     * Fill the missing cells of $col in place; returns the number filled.
     * $method: "mean", "median", "mode", "constant" (with $constant: a number, a
     * string or a \DateTimeInterface) or "linear" (ordered by $orderBy, or rows).
     */
    public function impute(string $col, string $method, int|float|string|\DateTimeInterface|null $constant = null,
                           ?string $orderBy = null): int
    {
        $m = Options::enumValue('crm_impute_method', $method, 'impute(method)');
        $settings = [];
        if (\is_string($constant)) {
            $settings['text_constant'] = $constant;
        } elseif ($constant instanceof \DateTimeInterface) {
            $settings['constant'] = (float) $constant->getTimestamp();
        } elseif ($constant !== null) {
            $settings['constant'] = (float) $constant;
        }
        if ($orderBy !== null) {
            $settings['order_by'] = $orderBy;
        }
        $o = Options::build('crm_impute_options', $settings, 'impute');
        $filled = Native::scalar('size_t');
        Capi::crm_clean_impute($this->handle(), $col, $m, $o->ptr(), FFI::addr($filled));
        return $filled->cdata;
    }

    /**
     * Find outliers of $col ($rule "zscore", "iqr" or "mad"; $k = 0 takes the
     * rule's default) and "flag", "drop" or "clip" them in place; returns the count.
     */
    public function outliers(string $col, string $rule = 'iqr', float $k = 0.0, string $action = 'flag'): int
    {
        $r = Options::enumValue('crm_outlier_rule', $rule, 'outliers(rule)');
        $a = Options::enumValue('crm_outlier_action', $action, 'outliers(action)');
        $affected = Native::scalar('size_t');
        Capi::crm_clean_outliers($this->handle(), $col, $r, $k, $a, FFI::addr($affected));
        return $affected->cdata;
    }

    /** Convert column $col in place to "number", "text" or "time" (optional strptime $format). */
    public function convert(string $col, string $to, ?string $format = null): self
    {
        $t = Options::enumValue('crm_type', $to, 'convert(to)');
        Capi::crm_clean_convert($this->handle(), $col, $t, $format);
        return $this;
    }

    // -- writing ------------------------------------------------------------------------

    /**
     * Write as CSV (gzip when $path ends in .gz), atomically. Options: delimiter,
     * quote, header, decimal_comma, date_format (as readCsv()).
     */
    public function writeCsv(string $path, mixed ...$options): void
    {
        $o = self::csvOptions($options, 'Dataset::writeCsv');
        Capi::crm_dataset_write_csv($this->handle(), $path, $o->ptr());
    }

    /**
     * Write the rows into table $table of a database (crm_dataset_write_sql), in one
     * transaction. $mode: "create" (the table must not exist), "replace", "append",
     * "upsert" (needs key: the key column(s)). Options: column_types (['col' => 'SQL TYPE']
     * or ['col:TYPE']), batch_rows, client_library, progress.
     *
     *     $scores->writeSql('sqlite:shop.db', 'scores', mode: 'upsert', key: 'customer');
     */
    public function writeSql(string $uri, string $table, string $mode = 'create',
                             string|array|null $key = null, mixed ...$options): void
    {
        $options['mode'] = $mode;
        if ($key !== null) {
            $options['key'] = $key;
        }
        $o = self::sqlOptions($options, 'Dataset::writeSql');
        $h = $this->handle();
        $o->call(fn () => Capi::crm_dataset_write_sql($h, $uri, $table, $o->ptr()));
    }

    /** The dataset as CSV text; options as writeCsv(). */
    public function toCsvString(mixed ...$options): string
    {
        $o = self::csvOptions($options, 'Dataset::toCsvString');
        $out = Native::scalar('char *');
        Capi::crm_dataset_to_csv_string($this->handle(), $o->ptr(), FFI::addr($out));
        return Native::takeString($out);
    }

    public function __toString(): string
    {
        if ($this->ptr === null) {
            return 'Libcrm\\Dataset (closed)';
        }
        return \sprintf("Libcrm\\Dataset: %d rows x %d columns\n%s", $this->nrows(), $this->ncols(),
            $this->head(5)->toCsvString());
    }
}
