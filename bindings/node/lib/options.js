'use strict';
// Options objects -> libcrm options structs.
//
// Every tunable C call takes a crm_X_options struct; the JS layer takes a plain
// object whose keys are the struct's field names (as in capi.d.ts's
// Crm...OptionsInput interfaces). build() starts from the library's defaults
// (crm_X_options_init) and sets each given field, converting and checking:
//
// * integer fields take a Number (safe integer) or BigInt within the C type's
//   range (RangeError outside, TypeError for other types); true/false are 1/0;
//   fields holding an enum take the member's name, full ("CRM_KMEANS_INIT_RANDOM")
//   or short ("random"), in any case (RangeError for an unknown name);
//   "character" fields (delimiter, quote) also take a 1-character string;
// * double fields take a Number;
// * string fields take a string without NUL, or null;
// * string-list fields take an array of strings; array fields a Float64Array or an
//   array of numbers (null = NaN), an empty one passes NULL; their count field is set
//   from the length;
// * callback fields take a function(fraction) -> truthy to cancel, or null.
//
// Unknown field names (and the size/count fields) are a TypeError.

const capi = require('./capi');
const { CancelledError } = require('./errors');

const HIDDEN_ROLES = new Set(['size', 'length', 'user_data']);

/** The value of enum `enumName` named by `value` (a member name, full or short). */
function enumValue(enumName, value, what) {
    if (typeof value !== 'string') return value;
    const e = capi.enums[enumName];
    const key = value.trim().toUpperCase().replace(/-/g, '_');
    if (Object.prototype.hasOwnProperty.call(e.members, key)) return e.members[key];
    const names = Object.keys(e.members);
    let found = names.filter((m) => e.short[m].toUpperCase() === key);
    if (found.length === 0) found = names.filter((m) => m.endsWith('_' + key));
    if (found.length === 1) return e.members[found[0]];
    const choices = names.map((m) => e.short[m]).join(', ');
    throw new RangeError(`${what}: unknown value '${value}' (expected one of ${choices})`);
}

function charValue(value, what) {
    if (value === null) return 0;
    if (typeof value === 'string') {
        if (value.length === 0) return 0;
        if (value.length !== 1 || value.charCodeAt(0) > 127)
            throw new RangeError(`${what} must be a single ASCII character, not '${value}'`);
        return value.charCodeAt(0);
    }
    return value;
}

function doubleArray(value, what) {
    if (value instanceof Float64Array) return value;
    if (!Array.isArray(value)) throw new TypeError(`${what} must be a Float64Array or an array`);
    const flat = value.flat();
    const out = new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i++) {
        const v = flat[i];
        if (v === null || v === undefined) out[i] = NaN;
        else if (typeof v === 'number') out[i] = v;
        else throw new TypeError(`${what}[${i}] must be a number, not ${typeof v}`);
    }
    return out;
}

/**
 * Build the struct `structName` from `settings` (an object, may be null).
 * Returns {opts, state, release}: opts is null when nothing is set (the C call
 * then uses its defaults); state.error holds an exception a callback threw;
 * release() unregisters the callbacks (call it once the C call returned).
 * `extra.charFields` lists integer fields taking a 1-character string.
 */
function build(structName, settings, what, extra = {}) {
    const meta = capi.options[structName];
    const state = { error: null };
    const callbacks = [];
    const release = () => {
        while (callbacks.length) capi.koffi.unregister(callbacks.pop());
    };
    if (settings !== null && settings !== undefined && typeof settings !== 'object')
        throw new TypeError(`${what}: options must be an object`);
    const entries = Object.entries(settings || {}).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return { opts: null, state, release };
    const fields = new Map(meta.fields.map((f) => [f.name, f]));
    const opts = {};
    capi[meta.init](opts, meta.size);
    const charFields = extra.charFields || [];
    try {
        for (const [name, value] of entries) {
            const f = fields.get(name);
            if (!f || HIDDEN_ROLES.has(f.role)) {
                const valid = meta.fields.filter((g) => !HIDDEN_ROLES.has(g.role))
                    .map((g) => g.name);
                throw new TypeError(`${what}: unknown option '${name}' (options: ${valid.join(', ')})`);
            }
            const label = `${what}(${name})`;
            opts[name] = fieldValue(f, value, label, charFields, state, callbacks);
            if (f.length) opts[f.length] = opts[name] === null ? 0 : opts[name].length;
        }
    } catch (err) {
        release();
        throw err;
    }
    return { opts, state, release };
}

function fieldValue(f, value, label, charFields, state, callbacks) {
    switch (f.role) {
    case 'value':
        if (f.integer) {
            const tag = f.enum;
            if (typeof value === 'boolean') value = value ? 1 : 0;
            else if (tag && typeof value === 'string') value = enumValue(tag, value, label);
            else if (charFields.includes(f.name)) value = charValue(value, label);
            return capi.checkInt(value, f.integer, label);
        }
        if (typeof value !== 'number') throw new TypeError(`${label} must be a number, not ${typeof value}`);
        return value;
    case 'string':
        return capi.checkString(value, label);
    case 'string_array':
        if (value === null) return null;
        if (typeof value === 'string') throw new TypeError(`${label} expects an array, not a string`);
        capi.checkStringArray(value, label);
        for (let i = 0; i < value.length; i++)
            if (typeof value[i] !== 'string') throw new TypeError(`${label}[${i}] must be a string`);
        return value;
    case 'array': {
        // An empty array passes NULL: a count of 0 with a pointer can mean "count not
        // given" to the library, which would then read past it.
        const arr = value === null ? null : doubleArray(value, label);
        return arr !== null && arr.length === 0 ? null : arr;
    }
    case 'callback': {
        if (value === null) return null;
        if (typeof value !== 'function') throw new TypeError(`${label} must be a function`);
        const fn = value;
        // An exception must not unwind through C: keep it, cancel, rethrow after the call.
        const cb = capi.koffi.register((fraction) => {
            if (state.error) return 1;
            try {
                return fn(fraction) ? 1 : 0;
            } catch (err) {
                state.error = err;
                return 1;
            }
        }, capi.koffi.pointer(capi.types[f.proto]));
        callbacks.push(cb);
        return cb;
    }
    default:
        throw new TypeError(`${label} cannot be set from JS`);
    }
}

/**
 * Run `call(opts)` with the struct built from `settings`, release the callbacks,
 * and rethrow an exception a callback threw (instead of the CancelledError it
 * caused). When such an exception wins over a successful call, the result is
 * closed (objects with close()) or freed with extra.free (raw pointers).
 */
function withOptions(structName, settings, what, call, extra = {}) {
    const built = build(structName, settings, what, extra);
    let result;
    try {
        result = call(built.opts);
    } catch (err) {
        if (built.state.error && err instanceof CancelledError) throw built.state.error;
        throw err;
    } finally {
        built.release();
    }
    if (built.state.error) {
        if (typeof result === 'bigint' && extra.free) extra.free(result);
        for (const r of Array.isArray(result) ? result : Object.values(result || {}))
            if (r && typeof r.close === 'function') r.close();
        if (result && typeof result.close === 'function') result.close();
        throw built.state.error;
    }
    return result;
}

module.exports = { build, withOptions, enumValue };
