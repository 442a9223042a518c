'use strict';
// Options: defaults from crm_X_options_init, every settable field through C
// memory and back, enum names, the struct layout against the API description.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const crm = require('..');
const { build } = require('../lib/options');

const { capi } = crm;
const { koffi } = capi;
const IR = require(path.join(__dirname, '..', '..', 'crm-api.json'));

/** A value for each settable field of an options struct, distinct from its default. */
function sample(f) {
    if (f.role === 'string') return `v_${f.name}`;
    if (f.role === 'string_array') return [`${f.name}_1`, `${f.name}_2`];
    if (f.role === 'array') return [1.5, -2];
    if (f.role === 'callback') return () => false;
    if (f.type === 'double') return 0.25;
    if (f.integer) return f.integer[0] === 'uint64_t' ? 2n ** 63n + 5n : 3;
    return undefined;
}

/** The IR's "default" of a value field as a Number (undefined when it records none). */
function irDefault(f) {
    const d = f.default;
    if (d === undefined || d === null || f.role !== 'value') return undefined;
    if (typeof d === 'number' || typeof d === 'boolean') return Number(d);
    if (typeof d === 'string') {
        for (const e of Object.values(capi.enums))
            if (Object.prototype.hasOwnProperty.call(e.members, d)) return e.members[d];
        if (d in capi.constants) return Number(capi.constants[d]);
        if (d in capi.LIMITS) return Number(capi.LIMITS[d]);
        if (!Number.isNaN(Number(d))) return Number(d);
        if (/^'.'$/.test(d)) return d.charCodeAt(1);
    }
    assert.fail(`${f.name}: unrecognised default ${JSON.stringify(d)}`);
}

for (const [name, meta] of Object.entries(capi.options)) {
    test(`${name}: every field survives C memory`, () => {
        const settings = {};
        for (const f of meta.fields) {
            if (['size', 'length', 'user_data'].includes(f.role)) continue;
            settings[f.name] = sample(f);
        }
        const built = build(name, settings, name);
        try {
            const type = capi.types[name];
            const mem = koffi.alloc(type, 1);
            try {
                koffi.encode(mem, type, built.opts);
                const back = koffi.decode(mem, type);
                assert.equal(back.size, meta.size);
                for (const f of meta.fields) {
                    const v = settings[f.name];
                    if (v === undefined) continue;
                    if (f.role === 'string') {
                        assert.equal(back[f.name], v, f.name);
                    } else if (f.role === 'string_array' || f.role === 'array') {
                        assert.equal(Number(back[f.length] ?? v.length), v.length, f.name);
                        const ctype = f.role === 'array' ? 'double' : 'const char *';
                        assert.deepEqual(Array.from(koffi.decode(back[f.name], ctype, v.length)), v, f.name);
                    } else if (f.role === 'callback') {
                        assert.equal(typeof back[f.name], 'bigint', f.name);
                    } else if (f.type === 'double') {
                        assert.equal(back[f.name], v, f.name);
                    } else {
                        assert.equal(BigInt(back[f.name]), BigInt(v), f.name);
                    }
                }
            } finally {
                koffi.free(mem);
            }
        } finally {
            built.release();
        }
    });
}

test('options not given keep the library defaults (and the IR ones where recorded)', () => {
    for (const [name, meta] of Object.entries(capi.options)) {
        const built = build(name, { [meta.fields[1].name]: sample(meta.fields[1]) }, name);
        const opts = built.opts;
        built.release();
        const fresh = {};
        capi[meta.init](fresh, meta.size);
        for (const f of meta.fields.slice(2)) {
            assert.deepEqual(opts[f.name], fresh[f.name], `${name}.${f.name}`);
            const expected = irDefault(f);
            if (expected !== undefined)
                assert.equal(Number(fresh[f.name]), expected, `${name}.${f.name} IR default`);
        }
    }
});

test('struct sizes and offsets agree with the API description where it records them', () => {
    for (const s of IR.structs) {
        const type = capi.types[s.name];
        if (s.size !== undefined) assert.equal(koffi.sizeof(type), s.size, s.name);
        for (const f of s.fields)
            if (f.offset !== undefined) assert.equal(koffi.offsetof(type, f.name), f.offset, `${s.name}.${f.name}`);
    }
});

test('enum fields take full and short member names, in any case', () => {
    const km = (v) => build('crm_kmeans_options', { init: v }, 'KMeans').opts.init;
    const E = capi.enums.crm_kmeans_init.members;
    assert.equal(km('random'), E.CRM_KMEANS_INIT_RANDOM);
    assert.equal(km('CRM_KMEANS_INIT_GIVEN'), E.CRM_KMEANS_INIT_GIVEN);
    assert.equal(km('PlusPlus'), E.CRM_KMEANS_INIT_PLUSPLUS);
    assert.equal(km(2), 2);
    const ar = (v) => build('crm_arima_options', { method: v }, 'Arima').opts.method;
    assert.equal(ar('css-ml'), capi.enums.crm_arima_method.members.CRM_ARIMA_CSS_ML);
    assert.equal(ar('ml'), capi.enums.crm_arima_method.members.CRM_ARIMA_ML);
    const tree = build('crm_tree_options', { criterion: 'auto' }, 'DecisionTree').opts;
    assert.equal(tree.criterion, capi.enums.crm_tree_criterion.members.CRM_TREE_CRITERION_AUTO);
    assert.throws(() => km('kmeans'), RangeError);
    const csv = build('crm_csv_options', { delimiter: ';', quote: null, header: false }, 'csv',
                      { charFields: ['delimiter', 'quote'] }).opts;
    assert.deepEqual([csv.delimiter, csv.quote, csv.header], [59, 0, 0]);
});

test('options reach the fit (k-means stats echo them)', () => {
    const ds = crm.Dataset.fromColumns({ x: [1, 2, 3, 10, 11, 12, 20, 21, 22] });
    const km = new crm.KMeans({ k: 3, standardize: true, seed: 7, n_init: 2 }).fit(ds, ['x']);
    assert.equal(km.stat('k'), 3);
    assert.equal(km.stat('standardize'), 1);
    const json = JSON.parse(km.toJson());
    assert.equal(json.kind, 'kmeans');
    const again = crm.Model.fromJson(km.toJson());
    assert.ok(again instanceof crm.KMeans);
    assert.deepEqual(again.stats(), km.stats());
    const a = ds.clone(), b = ds.clone();
    km.predict(a, 'c');
    again.predict(b, 'c');
    assert.deepEqual(a.column('c'), b.column('c'));
    for (const o of [ds, km, again, a, b]) o.close();
});
