'use strict';
// Dataset: columns in and out, derived datasets, CSV, and bad input.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crm = require('..');

const { Dataset } = crm;

function tmpdir() {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'crm-node-'));
}

test('fromColumns / toColumns round trip every type, missing included', () => {
    const ds = Dataset.fromColumns({
        x: new Float64Array([1.5, NaN, -0, 1e300]),
        n: [1, null, 3, 4],
        t: new BigInt64Array([0n, Dataset.TIME_MISSING, 86400n, -1n]),
        d: [new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), null, new Date(0), 5n],
        s: ['a', null, 'é "q"', ''],
    });
    try {
        assert.equal(ds.nrows, 4);
        assert.equal(ds.ncols, 5);
        assert.deepEqual(ds.columns, ['x', 'n', 't', 'd', 's']);
        assert.deepEqual(ds.dtypes, { x: 'number', n: 'number', t: 'time', d: 'time', s: 'text' });
        const cols = ds.toColumns();
        assert.ok(cols.x instanceof Float64Array);
        assert.deepEqual(Array.from(cols.x), [1.5, NaN, -0, 1e300]);
        assert.ok(Object.is(cols.x[2], -0));
        assert.deepEqual(Array.from(cols.n), [1, NaN, 3, 4]);
        assert.ok(cols.t instanceof BigInt64Array);
        assert.deepEqual(Array.from(cols.t), [0n, Dataset.TIME_MISSING, 86400n, -1n]);
        assert.deepEqual(Array.from(cols.d), [1704164645n, Dataset.TIME_MISSING, 0n, 5n]);
        assert.deepEqual(cols.s, ['a', null, 'é "q"', '']);
        assert.equal(ds.missing('x'), 1);
        assert.equal(ds.missing('s'), 1);
    } finally {
        ds.close();
    }
});

test('a 1,000,000-row number column passes in and out bit for bit', () => {
    const n = 1000000;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = i * 0.5 - 7;
    const ds = Dataset.fromColumns({ x });
    try {
        const back = ds.column('x');
        assert.equal(back.length, n);
        assert.deepEqual(Buffer.from(back.buffer), Buffer.from(x.buffer));
    } finally {
        ds.close();
    }
});

test('filter, mutate, sort, select, head, clone, dedup, dropMissing', () => {
    const ds = Dataset.fromColumns({ id: [3, 1, 2, 2, null], g: ['b', 'a', 'a', 'a', 'c'] });
    const f = ds.filter('id is not missing and id > 1');
    assert.deepEqual(Array.from(f.column('id')), [3, 2, 2]);
    f.mutate('twice', 'id * 2');
    assert.deepEqual(Array.from(f.column('twice')), [6, 4, 4]);
    assert.equal(f.dedup(), 1);
    assert.equal(f.nrows, 2);
    const s = ds.sort('id', true);
    assert.deepEqual(Array.from(s.column('id')).slice(0, 4), [3, 2, 2, 1]);
    assert.ok(Number.isNaN(s.column('id')[4]), 'missing sorts last');
    const sel = ds.select(['g']);
    assert.deepEqual(sel.columns, ['g']);
    assert.equal(ds.head(2).nrows, 2);
    const c = ds.clone();
    ds.close();
    assert.equal(c.nrows, 5, 'a clone outlives its source');
    assert.equal(c.dropMissing(['id']), 1);
    assert.equal(c.dedup({ keys: ['g'], keep: 'last' }), 2);
    assert.deepEqual(c.column('g'), ['b', 'a']);
    for (const d of [f, s, sel, c]) d.close();
});

test('CSV write and read back, options included', () => {
    const dir = tmpdir();
    try {
        const file = path.join(dir, 'out.csv');
        const ds = Dataset.fromColumns({ a: [1, 2.5], b: ['x', null] });
        ds.writeCsv(file, { delimiter: ';' });
        assert.equal(fs.readFileSync(file, 'utf8'), 'a;b\n1;x\n2.5;\n');
        const back = Dataset.readCsv(file, { delimiter: ';', types: { a: 'text' } });
        assert.deepEqual(back.dtypes, { a: 'text', b: 'text' });
        assert.deepEqual(back.column('a'), ['1', '2.5']);
        assert.equal(ds.toCsvString(), 'a,b\n1,x\n2.5,\n');
        const mem = Dataset.readCsvString('k,v\n1,2\n3,4\n');
        assert.deepEqual(Array.from(mem.column('v')), [2, 4]);
        for (const d of [ds, back, mem]) d.close();
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('bad input raises the status class with the library message', () => {
    const dir = tmpdir();
    try {
        assert.throws(() => Dataset.readCsv(path.join(dir, 'none.csv')),
                      (e) => e instanceof crm.CrmIOError && e instanceof crm.CrmError
                          && e.code === 'CRM_E_IO' && e.status === -3 && /none\.csv/.test(e.message));
        const bad = path.join(dir, 'bad.csv');
        fs.writeFileSync(bad, 'a,b\n1,2\n3,4,5\n');
        assert.throws(() => Dataset.readCsv(bad),
                      (e) => e instanceof crm.ParseError && e.message.includes('bad.csv:3:'));
        const ds = Dataset.fromColumns({ a: [1, 2] });
        assert.throws(() => ds.filter('a >'), crm.ParseError);
        assert.throws(() => ds.filter('nope > 1'), crm.NotFoundError);
        assert.throws(() => ds.column('nope'), (e) => e instanceof crm.NotFoundError && /nope/.test(e.message));
        assert.throws(() => ds.addColumn('short', [1]), crm.InvalidError);
        assert.throws(() => crm.Model.fromJson('{"format": 1'), crm.ParseError);
        ds.close();
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
