'use strict';
// Misuse: use after close, wrong types, out-of-range integers, NUL in strings,
// unknown option names. Each throws a JS exception; nothing crashes.
const test = require('node:test');
const assert = require('node:assert/strict');
const crm = require('..');

const { Dataset } = crm;

test('use after close throws StateError, close is idempotent', () => {
    const ds = Dataset.fromColumns({ x: [1, 2, 3] });
    ds.close();
    ds.close();
    assert.ok(ds.closed);
    for (const use of [() => ds.nrows, () => ds.column('x'), () => ds.filter('x > 1'),
                       () => ds.clone(), () => ds.toColumns(), () => ds.writeCsv('/tmp/x.csv')])
        assert.throws(use, (e) => e instanceof crm.StateError && /closed/.test(e.message));
    const other = Dataset.fromColumns({ x: [1, 2, 3, 4, 5, 6] });
    const km = new crm.KMeans({ k: 2, seed: 1 }).fit(other, ['x']);
    km.close();
    assert.throws(() => km.stats(), crm.StateError);
    assert.throws(() => km.predict(other), crm.StateError);
    assert.throws(() => new crm.KMeans().stats(), crm.StateError, 'not fitted');
    assert.throws(() => km.fit(ds, ['x']), crm.StateError, 'closed dataset argument');
    other.close();
});

test('Symbol.dispose closes (using-style release)', { skip: typeof Symbol.dispose !== 'symbol' && 'no Symbol.dispose in this Node' }, () => {
    const ds = Dataset.fromColumns({ x: [1] });
    ds[Symbol.dispose]();
    assert.ok(ds.closed);
});

test('wrong types are TypeError, out-of-range integers RangeError', () => {
    const ds = Dataset.fromColumns({ x: [1, 2, 3, 4] });
    assert.throws(() => ds.head(1.5), TypeError);
    assert.throws(() => ds.head('2'), TypeError);
    assert.throws(() => ds.head(-1), RangeError);
    assert.throws(() => ds.head(2 ** 60), RangeError, 'not exact as a Number');
    assert.equal(ds.head(2n).nrows, 2, 'BigInt accepted');
    assert.throws(() => ds.filter(42), TypeError);
    assert.throws(() => ds.select([1]), TypeError);
    assert.throws(() => Dataset.fromColumns({ x: [1, 'a'] }), TypeError);
    assert.throws(() => Dataset.fromColumns({ x: [{}] }), TypeError);
    assert.throws(() => new crm.KMeans({ k: 1.5 }).fit(ds, ['x']), TypeError);
    assert.throws(() => new crm.KMeans({ k: 2 ** 31 }).fit(ds, ['x']), RangeError);
    assert.throws(() => new crm.KMeans({ seed: -1 }).fit(ds, ['x']), RangeError, 'uint64 seed');
    assert.throws(() => new crm.KMeans({ tol: '0.1' }).fit(ds, ['x']), TypeError);
    assert.throws(() => new crm.KMeans({ mutate: 'x=1' }).fit(ds, ['x']), TypeError);
    assert.throws(() => new crm.KMeans({ k: 2 }).fit('not a dataset', ['x']), TypeError);
    assert.throws(() => crm.capi.crm_dataset_nrows(12), TypeError, 'raw pointers are checked');
    const out = new Float64Array(2);
    assert.throws(() => crm.capi.crm_dataset_get_number(ds._handle, 0, 0, 4, out), RangeError,
                  'an output array shorter than n is refused before C writes past it');
    ds.close();
});

test('strings holding NUL are refused', () => {
    const ds = Dataset.fromColumns({ x: [1, 2] });
    assert.throws(() => ds.filter('x > 1\0'), (e) => e instanceof TypeError && /NUL/.test(e.message));
    assert.throws(() => ds.mutate('y\0', 'x'), TypeError);
    assert.throws(() => Dataset.fromColumns({ s: ['a\0b'] }), TypeError);
    assert.throws(() => Dataset.readCsv('a\0.csv'), TypeError);
    assert.throws(() => crm.rfm(ds, { customer: 'c\0', date: 'd' }), TypeError);
    ds.close();
});

test('unknown option names are TypeError naming the valid ones', () => {
    const ds = Dataset.fromColumns({ x: [1, 2, 3, 4] });
    assert.throws(() => new crm.KMeans({ kk: 2 }).fit(ds, ['x']),
                  (e) => e instanceof TypeError && /unknown option 'kk'/.test(e.message) && /n_init/.test(e.message));
    assert.throws(() => new crm.KMeans({ size: 8 }).fit(ds, ['x']), TypeError, 'size is not an option');
    assert.throws(() => new crm.KMeans({ n_mutate: 1 }).fit(ds, ['x']), TypeError, 'counts follow the arrays');
    assert.throws(() => Dataset.readCsv('x.csv', { delim: ';' }), TypeError);
    assert.throws(() => crm.synth({ customer: 3 }), TypeError);
    assert.throws(() => crm.apriori(ds, 'a', 'b', { support: 0.1 }), TypeError);
    assert.throws(() => new crm.KMeans({ init: 'nope' }).fit(ds, ['x']), RangeError);
    ds.close();
});
