'use strict';
// Progress callbacks: called, cancel with a truthy return, an exception inside
// is rethrown after the C call (never unwinds through C), slots are released.
const test = require('node:test');
const assert = require('node:assert/strict');
const crm = require('..');
const { build } = require('../lib/options');

function data() {
    const x = new Float64Array(400), y = new Float64Array(400);
    for (let i = 0; i < 400; i++) {
        x[i] = (i % 4) * 10 + Math.sin(i);
        y[i] = (i % 7) + Math.cos(i);
    }
    return crm.Dataset.fromColumns({ x, y, label: Array.from(x, (v) => (v > 15 ? 'hi' : 'lo')) });
}

test('progress is called with fractions in [0, 1]', () => {
    const ds = data();
    const seen = [];
    const km = new crm.KMeans({ k: 4, seed: 1, n_threads: 0, progress: (f) => { seen.push(f); } })
        .fit(ds, ['x', 'y']);
    assert.ok(seen.length > 0);
    assert.ok(seen.every((f) => f >= 0 && f <= 1));
    km.close();
    const tree = new crm.DecisionTree({ max_depth: 3, progress: (f) => { seen.push(f); return 0; } })
        .fit(ds, 'label', ['x', 'y']);
    assert.ok(tree.fitted);
    tree.close();
    ds.close();
});

test('a truthy return cancels: CancelledError', () => {
    const ds = data();
    let calls = 0;
    assert.throws(() => new crm.KMeans({ k: 4, progress: () => ++calls >= 2 }).fit(ds, ['x', 'y']),
                  (e) => e instanceof crm.CancelledError && e.code === 'CRM_E_CANCELLED'
                      && /progress/.test(e.message));
    assert.equal(calls, 2);
    assert.throws(() => new crm.LogisticRegression({ progress: () => true })
        .fit(ds, 'label', ['y']), crm.CancelledError);
    ds.close();
});

test('an exception thrown in the callback cancels and is rethrown as is', () => {
    const ds = data();
    const boom = new SyntaxError('from the callback');
    let calls = 0;
    assert.throws(() => new crm.KMeans({ k: 4, progress: () => { calls++; throw boom; } })
        .fit(ds, ['x', 'y']), (e) => e === boom);
    assert.equal(calls, 1, 'not called again after it threw');
    assert.throws(() => new crm.DecisionTree({ progress: () => { throw new RangeError('tree'); } })
        .fit(ds, 'label', ['x']), (e) => e instanceof RangeError && e.message === 'tree');
    // the dataset and the binding are still fine afterwards
    const km = new crm.KMeans({ k: 2, seed: 3 }).fit(ds, ['x']);
    assert.equal(km.stat('k'), 2);
    km.close();
    ds.close();
});

test('callback slots are released after every call (more calls than koffi has slots)', () => {
    for (let i = 0; i < 10000; i++) {
        const b = build('crm_kmeans_options', { progress: () => false }, 'KMeans');
        b.release();
    }
    const ds = data();
    for (let i = 0; i < 50; i++) {
        const km = new crm.KMeans({ k: 2, n_init: 1, progress: () => false }).fit(ds, ['x']);
        km.close();
    }
    assert.throws(() => new crm.KMeans({ progress: 'no' }).fit(ds, ['x']), TypeError);
    ds.close();
});

function bigBlobs(n) {
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
        x[i] = (i % 5) * 4 + (i % 7) * 0.1;
        y[i] = ((i * 3) % 5) * 4 + (i % 11) * 0.1;
    }
    return crm.Dataset.fromColumns({ x, y });
}

test('closing the dataset inside the callback: the fit finishes on it, then it is closed', () => {
    // the fit holds the dataset: closing it from the callback frees it when the fit returns
    const x = bigBlobs(200000);
    const ref = new crm.KMeans({ k: 5, n_init: 3, seed: 1 }).fit(x, ['x', 'y']);
    const want = ref.toJson();
    ref.close();
    let calls = 0;
    const km = new crm.KMeans({ k: 5, n_init: 3, seed: 1,
                                progress: () => { calls++; x.close(); return false; } })
        .fit(x, ['x', 'y']);
    assert.ok(calls > 1, 'the fit went on after the close');
    assert.equal(km.toJson(), want);
    km.close();
    assert.ok(x.closed);
    assert.throws(() => x.nrows, (e) => e instanceof crm.StateError && /closed/.test(e.message));
});

test('changing the dataset inside the callback: StateError from the fit', () => {
    const x = bigBlobs(20000);
    assert.throws(() => new crm.KMeans({ k: 5, n_init: 3, seed: 1,
                                         progress: () => { x.mutate('z', 'x + y'); } })
        .fit(x, ['x', 'y']),
                  (e) => e instanceof crm.StateError && e.code === 'CRM_E_STATE'
                      && /crm_dataset_mutate: the dataset is in use by a running call/
                          .test(e.message));
    assert.throws(() => new crm.KMeans({ k: 5, progress: () => { x.dropColumn('y'); } })
        .fit(x, ['x', 'y']),
                  (e) => e instanceof crm.StateError
                      && /crm_dataset_drop_column: the dataset is in use/.test(e.message));
    assert.deepEqual(x.columns, ['x', 'y']);
    x.mutate('z', 'x + y'); // free to change again after the fit
    assert.equal(x.ncols, 3);
    x.close();
});
