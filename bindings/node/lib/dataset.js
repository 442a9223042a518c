'use strict';
// The Dataset class: a libcrm table of typed columns.
//
// Columns move in bulk, one C call per column (never per element for numbers
// and times):
//
//   C type   JS column                          missing
//   number   Float64Array                       NaN
//   time     BigInt64Array, seconds since 1970  Dataset.TIME_MISSING (INT64_MIN)
//            UTC
//   text     Array of string                    null
//
// fromColumns() also takes arrays of numbers (null = missing), of Date objects
// (whole seconds, UTC) and of bigint seconds. Text columns come out through
// their integer codes (one call) and their distinct levels.
//
// A Dataset owns its C handle: close() (or `using`, Symbol.dispose) frees it
// now; a FinalizationRegistry frees forgotten ones. Any use after close()
// throws a StateError. Derived datasets (filter, select, clone, ...) are
// independent of their source.

const capi = require('./capi');
const { StateError } = require('./errors');
const { withOptions } = require('./options');

const TIME_MISSING = capi.constants.CRM_TIME_MISSING;
const TYPE_NAMES = { 1: 'number', 2: 'text', 3: 'time' };
const CSV_CHARS = { charFields: ['delimiter', 'quote'] };

const WRAP = Symbol('wrap');
const registry = new FinalizationRegistry((ptr) => capi.raw.crm_dataset_free(ptr));

function checkNames(names, what) {
    if (typeof names === 'string') names = [names];
    if (!Array.isArray(names)) throw new TypeError(`${what} must be a column name or an array of names`);
    for (let i = 0; i < names.length; i++)
        if (typeof names[i] !== 'string') throw new TypeError(`${what}[${i}] must be a string`);
    return names;
}

function checkPath(path, what) {
    if (typeof path !== 'string') throw new TypeError(`${what} must be a string path, not ${typeof path}`);
    return capi.checkString(path, what);
}

function csvSettings(options) {
    if (!options) return options;
    const s = { ...options };
    if (s.types && !Array.isArray(s.types) && typeof s.types === 'object')
        s.types = Object.entries(s.types).map(([k, v]) => `${k}:${v}`);
    if (typeof s.na_values === 'string') s.na_values = [s.na_values];
    return s;
}

/** The kind of a JS column: "number", "time" or "text". */
function columnKind(name, values) {
    if (values instanceof Float64Array || values instanceof Float32Array) return 'number';
    if (values instanceof BigInt64Array) return 'time';
    if (ArrayBuffer.isView(values)) return 'number';
    if (!Array.isArray(values))
        throw new TypeError(`column '${name}' must be a typed array or an array`);
    let kind = null;
    for (const v of values) {
        if (v === null || v === undefined) continue;
        const k = typeof v === 'number' ? 'number' : typeof v === 'string' ? 'text'
            : (v instanceof Date || typeof v === 'bigint') ? 'time' : null;
        if (k === null) throw new TypeError(`column '${name}': cannot store a ${typeof v} value`);
        if (kind && kind !== k) throw new TypeError(`column '${name}' mixes ${kind} and ${k} values`);
        kind = k;
    }
    return kind || 'number';
}

function toSeconds(v, name) {
    if (v === null || v === undefined) return TIME_MISSING;
    if (typeof v === 'bigint') return v;
    const ms = v.getTime();
    if (Number.isNaN(ms)) return TIME_MISSING;
    return BigInt(Math.floor(ms / 1000));
}

function checkText(v, what) {
    if (typeof v !== 'string') throw new TypeError(`${what} must be a string, not ${typeof v}`);
    return v;
}

function pad(n, w = 2) {
    return String(n).padStart(w, '0');
}

/** One query parameter as the text the C library binds (null: SQL NULL). */
function sqlParamText(v, i) {
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return v ? '1' : '0';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return Number.isNaN(v) ? null : String(v);
    if (typeof v === 'string') return v;
    if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new RangeError(`readSql(params[${i}]): invalid Date`);
        return `${pad(v.getUTCFullYear(), 4)}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())} ` +
            `${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
    }
    throw new TypeError(`readSql(params[${i}]): ${typeof v} cannot be bound ` +
                        '(use null, a number, bigint, boolean, string or Date)');
}

/** crm_sql_options settings: mode by name, key (string or array), column_types (object). */
function sqlSettings(options, what) {
    if (options !== undefined && options !== null && typeof options !== 'object')
        throw new TypeError(`${what}: options must be an object`);
    const s = { ...options };
    if (s.key !== undefined) {
        s.key_columns = s.key;
        delete s.key;
    }
    if (typeof s.key_columns === 'string') s.key_columns = [s.key_columns];
    const types = s.column_types;
    if (types && typeof types === 'object' && !Array.isArray(types))
        s.column_types = Object.entries(types).map(([k, v]) => `${k}:${v}`);
    return s;
}

class Dataset {
    #ptr = null;

    /** An empty dataset (no columns, no rows). */
    constructor(token = undefined, ptr = undefined) {
        if (token === WRAP) {
            this.#attach(ptr);
            return;
        }
        const out = [null];
        capi.crm_dataset_new(out);
        this.#attach(out[0]);
    }

    #attach(ptr) {
        if (!ptr) throw new StateError('libcrm returned no dataset', null);
        this.#ptr = ptr;
        registry.register(this, ptr, this);
        return this;
    }

    /** @internal wrap an owned crm_dataset pointer. */
    static _wrap(ptr) {
        return new Dataset(WRAP, ptr);
    }

    /** @internal the live handle; StateError after close(). */
    get _handle() {
        if (this.#ptr === null) throw new StateError('the dataset has been closed', null);
        return this.#ptr;
    }

    /** Free the C dataset now; every later use throws StateError. Idempotent. */
    close() {
        if (this.#ptr !== null) {
            registry.unregister(this);
            capi.raw.crm_dataset_free(this.#ptr);
            this.#ptr = null;
        }
    }

    get closed() { return this.#ptr === null; }

    // -- constructors ----------------------------------------------------------
    /** Read a CSV file (.gz decompressed); options are the crm_csv_options fields. */
    static readCsv(path, options) {
        checkPath(path, 'readCsv(path)');
        return withOptions('crm_csv_options', csvSettings(options), 'readCsv', (opts) => {
            const out = [null];
            capi.crm_dataset_read_csv(path, opts, out);
            return Dataset._wrap(out[0]);
        }, CSV_CHARS);
    }

    /**
     * Run `query` on a database and read its rows (crm_dataset_read_sql). `uri`:
     * "sqlite:shop.db", "postgresql://crm@/shop?host=/run/postgresql", "mysql://crm@localhost/shop"
     * (passwords from PGPASSWORD, ~/.pgpass, ~/.my.cnf). `params`: values for the query's
     * placeholders (? ; $1... in PostgreSQL), bound by the driver: null (NULL), number, bigint,
     * boolean, string, Date (UTC). Options: batch_rows, max_rows, client_library, progress
     * (a function of the fraction done; true cancels). Throws ParseError (the server refused
     * the SQL), CrmIOError (cannot connect), CrmTypeError, UnsupportedError (no client library).
     */
    static readSql(uri, query, params = [], options = undefined) {
        checkText(uri, 'readSql(uri)');
        checkText(query, 'readSql(query)');
        if (params === null || params === undefined) params = [];
        if (!Array.isArray(params)) throw new TypeError('readSql(params) must be an array');
        const texts = params.map((v, i) => sqlParamText(v, i));
        return withOptions('crm_sql_options', sqlSettings(options, 'readSql'), 'readSql', (opts) => {
            const out = [null];
            capi.crm_dataset_read_sql(uri, query, texts.length ? texts : null, texts.length, opts,
                                      out);
            return Dataset._wrap(out[0]);
        });
    }

    /** Read CSV from a string (UTF-8) or a Buffer/Uint8Array (gzip allowed). */
    static readCsvString(text, options) {
        let buf;
        if (typeof text === 'string') buf = Buffer.from(text, 'utf8');
        else if (text instanceof Uint8Array) buf = text;
        else throw new TypeError('readCsvString(text) must be a string or a Uint8Array');
        return withOptions('crm_csv_options', csvSettings(options), 'readCsvString', (opts) => {
            const out = [null];
            capi.crm_dataset_read_csv_mem(buf, buf.length, opts, out);
            return Dataset._wrap(out[0]);
        }, CSV_CHARS);
    }

    /** Read a FIMI basket file (one transaction per line): columns tid, item. */
    static readBaskets(path) {
        checkPath(path, 'readBaskets(path)');
        const out = [null];
        capi.crm_dataset_read_baskets(path, out);
        return Dataset._wrap(out[0]);
    }

    /** A dataset from {name: column} (see the table at the top of this file). */
    static fromColumns(columns) {
        if (columns === null || typeof columns !== 'object')
            throw new TypeError('fromColumns() needs an object {name: values}');
        const ds = new Dataset();
        try {
            for (const [name, values] of Object.entries(columns)) ds.addColumn(name, values);
        } catch (err) {
            ds.close();
            throw err;
        }
        return ds;
    }

    /** Append one column (one bulk copy); every column must have the same length. */
    addColumn(name, values) {
        const h = this._handle;
        const kind = columnKind(name, values);
        if (kind === 'number') {
            let arr = values;
            if (!(values instanceof Float64Array)) {
                arr = new Float64Array(values.length);
                for (let i = 0; i < values.length; i++) {
                    const v = values[i];
                    arr[i] = v === null || v === undefined ? NaN : Number(v);
                }
            }
            capi.crm_dataset_add_number(h, name, arr, arr.length);
        } else if (kind === 'time') {
            let arr = values;
            if (!(values instanceof BigInt64Array)) {
                arr = new BigInt64Array(values.length);
                for (let i = 0; i < values.length; i++) arr[i] = toSeconds(values[i], name);
            }
            capi.crm_dataset_add_time(h, name, arr, arr.length);
        } else {
            const arr = values.map((v) => (v === undefined ? null : v));
            capi.crm_dataset_add_text(h, name, arr, arr.length);
        }
        return this;
    }

    // -- shape and columns -------------------------------------------------------
    get nrows() { return Number(capi.crm_dataset_nrows(this._handle)); }
    get length() { return this.nrows; }
    get ncols() { return Number(capi.crm_dataset_ncols(this._handle)); }

    /** The column names, in order. */
    get columns() {
        const n = this.ncols;
        const names = [];
        for (let i = 0; i < n; i++) names.push(this.#name(i));
        return names;
    }

    /** {name: "number" | "text" | "time"} in column order. */
    get dtypes() {
        const out = {};
        for (let i = 0, n = this.ncols; i < n; i++) out[this.#name(i)] = this.#type(i);
        return out;
    }

    #name(i) {
        const out = [null];
        capi.crm_dataset_column_name(this._handle, i, out);
        return out[0];
    }

    #type(i) {
        const out = [0];
        capi.crm_dataset_column_type(this._handle, i, out);
        return TYPE_NAMES[out[0]] || 'unknown';
    }

    #index(name) {
        if (typeof name !== 'string') throw new TypeError(`a column name must be a string, not ${typeof name}`);
        const out = [0];
        capi.crm_dataset_column_index(this._handle, name, out);
        return Number(out[0]);
    }

    /** The number of missing cells of column `name`. */
    missing(name) {
        const out = [0];
        capi.crm_dataset_missing(this._handle, this.#index(name), out);
        return Number(out[0]);
    }

    /** Column `name` as a Float64Array, BigInt64Array or array of strings (null missing). */
    column(name) {
        return this.#column(this.#index(name));
    }

    #column(col) {
        const h = this._handle;
        const n = this.nrows;
        const type = this.#type(col);
        if (type === 'number') {
            const out = new Float64Array(n);
            capi.crm_dataset_get_number(h, col, 0, n, out);
            return out;
        }
        if (type === 'time') {
            const out = new BigInt64Array(n);
            capi.crm_dataset_get_time(h, col, 0, n, out);
            return out;
        }
        if (type === 'text') {
            const codes = new Int32Array(n);
            capi.crm_dataset_get_codes(h, col, 0, n, codes);
            const count = [0];
            capi.crm_dataset_text_levels(h, col, count);
            const levels = new Array(Number(count[0]));
            const level = [null];
            for (let i = 0; i < levels.length; i++) {
                capi.crm_dataset_text_level(h, col, i, level);
                levels[i] = level[0];
            }
            const out = new Array(n);
            for (let i = 0; i < n; i++) out[i] = codes[i] < 0 ? null : levels[codes[i]];
            return out;
        }
        throw new StateError(`column ${col} has an unknown type`, null);
    }

    /** {name: column} for every column (see column()). */
    toColumns() {
        const out = {};
        for (let i = 0, n = this.ncols; i < n; i++) out[this.#name(i)] = this.#column(i);
        return out;
    }

    dropColumn(name) {
        capi.crm_dataset_drop_column(this._handle, name);
        return this;
    }

    renameColumn(name, newName) {
        capi.crm_dataset_rename_column(this._handle, name, newName);
        return this;
    }

    // -- derived datasets ----------------------------------------------------------
    #derive(fn, ...args) {
        const out = [null];
        fn(this._handle, ...args, out);
        return Dataset._wrap(out[0]);
    }

    /** An independent deep copy. */
    clone() { return this.#derive(capi.crm_dataset_clone); }

    /** The named columns, in the order given. */
    select(names) {
        names = checkNames(names, 'select(names)');
        return this.#derive(capi.crm_dataset_select, names, names.length);
    }

    /** Sorted by `keys` (stable, missing last); descending: a boolean or one per key. */
    sort(keys, descending = false) {
        keys = checkNames(keys, 'sort(keys)');
        const desc = new Int32Array(keys.length);
        if (Array.isArray(descending)) {
            if (descending.length !== keys.length)
                throw new RangeError('sort(descending) needs one boolean per key');
            descending.forEach((d, i) => { desc[i] = d ? 1 : 0; });
        } else {
            desc.fill(descending ? 1 : 0);
        }
        return this.#derive(capi.crm_dataset_sort, keys, keys.length, desc);
    }

    /** The first n rows. */
    head(n = 5) { return this.#derive(capi.crm_dataset_head, n); }

    /** Summary statistics per column. */
    describe() { return this.#derive(capi.crm_dataset_describe); }

    /** The rows where the expression `expr` holds (see crm/dataset.h for the language). */
    filter(expr) {
        if (typeof expr !== 'string') throw new TypeError('filter(expr) must be a string');
        return this.#derive(capi.crm_dataset_filter, expr);
    }

    /** Add or replace column `name` with the values of `expr`, in place; returns this. */
    mutate(name, expr) {
        if (typeof name !== 'string' || typeof expr !== 'string')
            throw new TypeError('mutate(name, expr) takes two strings');
        capi.crm_dataset_mutate(this._handle, name, expr);
        return this;
    }

    /** Group by `keys` with aggregations like "total=sum(Amount)". */
    group(keys, aggs) {
        keys = checkNames(keys, 'group(keys)');
        aggs = checkNames(aggs, 'group(aggs)');
        return this.#derive(capi.crm_dataset_group, keys, keys.length, aggs, aggs.length);
    }

    /** Join with `other` on `keys`; how is "inner" or "left". */
    join(other, keys, how = 'inner') {
        if (!(other instanceof Dataset)) throw new TypeError('join() needs a Dataset');
        keys = checkNames(keys, 'join(keys)');
        const { enumValue } = require('./options');
        const h = enumValue('crm_join', how, 'join(how)');
        const out = [null];
        capi.crm_dataset_join(this._handle, other._handle, keys, keys.length, h, out);
        return Dataset._wrap(out[0]);
    }

    // -- cleaning, in place ----------------------------------------------------------
    /** Drop duplicate rows in place (keys: null = all columns); returns the number removed. */
    dedup({ keys = null, keep = 'first' } = {}) {
        const names = keys === null ? [] : checkNames(keys, 'dedup(keys)');
        const { enumValue } = require('./options');
        const k = enumValue('crm_keep', keep === false ? 'none' : keep, 'dedup(keep)');
        const removed = [0];
        capi.crm_clean_dedup(this._handle, names, names.length, k, removed);
        return Number(removed[0]);
    }

    /** Drop rows missing any of `cols` (null = any column) in place; returns the count. */
    dropMissing(cols = null) {
        const names = cols === null ? [] : checkNames(cols, 'dropMissing(cols)');
        const removed = [0];
        capi.crm_clean_drop_missing(this._handle, names, names.length, removed);
        return Number(removed[0]);
    }

    /**
     * Fill the missing cells of `col` in place; returns the number filled. method:
     * "mean", "median", "mode", "constant" (constant: a number, a string for text
     * columns or a Date) or "linear" (orderBy: the column giving the order).
     */
    impute(col, method, { constant = undefined, orderBy = undefined } = {}) {
        const { enumValue } = require('./options');
        const m = enumValue('crm_impute_method', method, 'impute(method)');
        const settings = { order_by: orderBy };
        if (typeof constant === 'string') settings.text_constant = constant;
        else if (constant instanceof Date) settings.constant = Number(toSeconds(constant));
        else settings.constant = constant;
        return withOptions('crm_impute_options', settings, 'impute', (opts) => {
            const filled = [0];
            capi.crm_clean_impute(this._handle, col, m, opts, filled);
            return Number(filled[0]);
        });
    }

    /**
     * Find the outliers of `col` ("zscore", "iqr" or "mad"; k 0 = the rule's default)
     * and "flag" (adds <col>_outlier), "drop" or "clip" them in place; returns the count.
     */
    outliers(col, { rule = 'iqr', k = 0, action = 'flag' } = {}) {
        const { enumValue } = require('./options');
        const r = enumValue('crm_outlier_rule', rule, 'outliers(rule)');
        const a = enumValue('crm_outlier_action', action, 'outliers(action)');
        const affected = [0];
        capi.crm_clean_outliers(this._handle, col, r, k, a, affected);
        return Number(affected[0]);
    }

    /** Convert column `col` in place to "number", "text" or "time" (format: strptime-style). */
    convert(col, to, format = null) {
        const { enumValue } = require('./options');
        capi.crm_clean_convert(this._handle, col, enumValue('crm_type', to, 'convert(to)'), format);
        return this;
    }

    // -- output ------------------------------------------------------------------------
    /** Write as CSV (atomically); options as readCsv. */
    writeCsv(path, options) {
        checkPath(path, 'writeCsv(path)');
        withOptions('crm_csv_options', csvSettings(options), 'writeCsv', (opts) => {
            capi.crm_dataset_write_csv(this._handle, path, opts);
        }, CSV_CHARS);
        return this;
    }

    /**
     * Write the rows into table `table` of a database (crm_dataset_write_sql). Options: mode
     * "create" (default: the table must not exist) | "replace" | "append" | "upsert", key (the
     * key column(s) of "upsert"), column_types ({name: "SQL TYPE"} or ["name:TYPE"]),
     * batch_rows, client_library, progress. One transaction: on error nothing is written.
     */
    writeSql(uri, table, options = undefined) {
        checkText(uri, 'writeSql(uri)');
        checkText(table, 'writeSql(table)');
        const s = sqlSettings(options, 'writeSql');
        if (s.mode === undefined) s.mode = 'create';
        withOptions('crm_sql_options', s, 'writeSql', (opts) => {
            capi.crm_dataset_write_sql(this._handle, uri, table, opts);
        });
        return this;
    }

    /** The dataset as CSV text. */
    toCsvString(options) {
        return withOptions('crm_csv_options', csvSettings(options), 'toCsvString', (opts) => {
            const out = [null];
            capi.crm_dataset_to_csv_string(this._handle, opts, out);
            return takeString(out[0]);
        }, CSV_CHARS);
    }

    toString() {
        if (this.#ptr === null) return 'Dataset (closed)';
        return `Dataset (${this.nrows} rows: ${this.columns.join(', ')})`;
    }
}

if (typeof Symbol.dispose === 'symbol')
    Dataset.prototype[Symbol.dispose] = function dispose() { this.close(); };

Dataset.TIME_MISSING = TIME_MISSING;

/** Decode and free a string the library allocated. */
function takeString(ptr) {
    try {
        return capi.koffi.decode.string(ptr);
    } finally {
        capi.raw.crm_free(ptr);
    }
}

module.exports = { Dataset, checkNames, checkPath, takeString, toSeconds };
