'use strict';
// SQL (readSql/writeSql), CLV, the HTML report, Apriori prune_redundant and
// KMeans.centersOriginal. The expected numbers are those the Python layer
// (bindings/python) prints on the same generated data.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crm = require('..');

function tempDb() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-sql-'));
    return { dir, uri: `sqlite:${path.join(dir, 'shop.db')}` };
}

function near(got, want, what) {
    assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: ${got} != ${want}`);
}

test('SQL: write, read back with bound parameters, upsert, replace', () => {
    const { dir, uri } = tempDb();
    const when = new Date(Date.UTC(2024, 2, 1));
    const scores = crm.Dataset.fromColumns({ customer: ['ann', 'bob'], score: [0.5, 0.25],
                                             at: [when, when] });
    assert.equal(scores.writeSql(uri, 'scores', { key: 'customer' }), scores);
    assert.throws(() => scores.writeSql(uri, 'scores'), /already exists/);
    const update = crm.Dataset.fromColumns({ customer: ['bob', 'cid'], score: [0.75, 1],
                                             at: [null, new Date(Date.UTC(2024, 2, 2))] });
    update.writeSql(uri, 'scores', { mode: 'upsert', key: ['customer'] });
    const back = crm.Dataset.readSql(uri, 'SELECT customer, score, at FROM scores ORDER BY customer');
    assert.deepEqual(back.column('customer'), ['ann', 'bob', 'cid']);
    assert.deepEqual(Array.from(back.column('score')), [0.5, 0.75, 1]);
    assert.equal(back.dtypes.at, 'time');
    const bound = crm.Dataset.readSql(uri, 'SELECT customer FROM scores WHERE score > ? AND customer <> ?',
                                      [0.6, 'cid']);
    assert.deepEqual(bound.column('customer'), ['bob']);
    const byDate = crm.Dataset.readSql(uri, 'SELECT customer FROM scores WHERE at >= ? ORDER BY customer',
                                       [new Date(Date.UTC(2024, 2, 1, 12))]);
    assert.deepEqual(byDate.column('customer'), ['cid']);
    for (const evil of ["ann' OR '1'='1", '1; DROP TABLE scores; --'])
        assert.equal(crm.Dataset.readSql(uri, 'SELECT * FROM scores WHERE customer = ?', [evil]).nrows, 0);
    assert.equal(crm.Dataset.readSql(uri, 'SELECT * FROM scores', [], { max_rows: 2 }).nrows, 2);
    assert.throws(() => update.writeSql(uri, 'scores', { mode: 'append' }),
                  (e) => e instanceof crm.InvalidError && /UNIQUE constraint failed/.test(e.message));
    update.writeSql(uri, 'scores', { mode: 'replace', column_types: { score: 'DOUBLE PRECISION' } });
    assert.deepEqual(crm.Dataset.readSql(uri, 'SELECT customer FROM scores ORDER BY 1').column('customer'),
                     ['bob', 'cid']);
    fs.rmSync(dir, { recursive: true });
});

test('SQL: progress, cancel, callback errors, bad input', () => {
    const { dir, uri } = tempDb();
    const rows = crm.Dataset.fromColumns({ id: Float64Array.from({ length: 100 }, (_, i) => i) });
    const seen = [];
    rows.writeSql(uri, 'ids', { batch_rows: 10, progress: (f) => { seen.push(f); return false; } });
    assert.ok(seen.length >= 10 && seen[seen.length - 1] === 1, `progress ${seen}`);
    let calls = 0;
    assert.throws(() => rows.writeSql(uri, 'ids', { mode: 'append', batch_rows: 10,
                                                      progress: () => ++calls >= 2 }),
                  crm.CancelledError);
    assert.equal(calls, 2);
    assert.throws(() => rows.writeSql(uri, 'ids', { mode: 'append', batch_rows: 10,
                                                      progress: () => { throw new SyntaxError('boom'); } }),
                  SyntaxError);
    assert.equal(crm.Dataset.readSql(uri, 'SELECT * FROM ids').nrows, 100);  // nothing half written
    assert.throws(() => crm.Dataset.readSql(uri, 'SELEC 1'),
                  (e) => e instanceof crm.ParseError && /near "SELEC": syntax error/.test(e.message));
    assert.throws(() => crm.Dataset.readSql(uri, 'SELECT * FROM nope'), /no such table: nope/);
    assert.throws(() => crm.Dataset.readSql(`sqlite:${path.join(dir, 'no', 'x.db')}`, 'SELECT 1'),
                  crm.CrmIOError);
    assert.throws(() => crm.Dataset.readSql('oracle://x', 'SELECT 1'), /unknown scheme/);
    assert.throws(() => crm.Dataset.readSql(uri, 'SELECT 1', [],
                                            { client_library: 'libsqlite3-not-installed.so.0' }),
                  /install libsqlite3-0/);
    assert.throws(() => crm.Dataset.readSql(uri, 'SELECT ?', [{}]), TypeError);
    assert.throws(() => crm.Dataset.readSql(uri, 'SELECT ?', 'x'), TypeError);
    assert.throws(() => crm.Dataset.readSql(uri, 'SELECT ?', []), /placeholder/);
    assert.throws(() => crm.Dataset.readSql(uri, 'SELECT 1', [], { colour: 1 }), TypeError);
    assert.throws(() => rows.writeSql(uri, 'ids', { mode: 'merge' }), RangeError);
    assert.throws(() => rows.writeSql(42, 'ids'), TypeError);
    rows.close();
    assert.throws(() => rows.writeSql(uri, 'ids2'), crm.StateError);
    fs.rmSync(dir, { recursive: true });
});

function sales() {
    const tx = crm.synth({ customers: 300, seed: 7, dirt: 0 });
    tx.mutate('Amount', 'Quantity * UnitPrice');
    return tx;
}

test('CLV: summary and fit give the Python parameters', () => {
    const tx = sales();
    const s = crm.clvSummary(tx, 'CustomerID', 'InvoiceDate', 'Amount');
    assert.deepEqual(s.columns, ['customer', 'frequency', 'recency', 'T', 'monetary']);
    assert.equal(s.nrows, 300);
    const m = new crm.Clv().fit(s);
    assert.equal(m.kindName, 'clv');
    const want = { r: 0.3626434111265205, alpha: 16.27330338210772, a: 8.384072550252876,
                   b: 115.29483987109178, p: 0.4221139800399, q: 1.2086697333139507,
                   v: 218.37645130702975 };
    const got = m.params;
    for (const k of Object.keys(want)) near(got[k], want[k], k);
    m.predict(s);
    [221.2096562151518, 506.9642272791755, 574.4764644320077].forEach((v, i) =>
        near(s.column('clv')[i], v, `clv[${i}]`));
    [0.9131683407042812, 0.36551913621590976, 0.9008848739448346].forEach((v, i) =>
        near(s.column('p_alive')[i], v, `p_alive[${i}]`));
    const weekly = crm.clvSummary(tx, 'CustomerID', 'InvoiceDate', 'Amount',
                                  { period: 'week', calibration_end: new Date(Date.UTC(2023, 5, 30)) });
    assert.equal(weekly.nrows, 235);
    const sum = (a) => a.reduce((x, y) => x + (y === null ? 0 : y), 0);
    assert.equal(sum(Array.from(weekly.column('frequency'))), 687);
    assert.equal(sum(Array.from(weekly.column('frequency_holdout'))), 308);
    near(sum(Array.from(weekly.column('monetary_holdout'))), 20856.79333333333, 'monetary_holdout');
    const back = crm.Model.fromJson(m.toJson());
    assert.ok(back instanceof crm.Clv);
    near(back.params.r, want.r, 'r after JSON');
    back.close();
    assert.throws(() => crm.clvSummary(tx, 'Nope', 'InvoiceDate', 'Amount'), crm.NotFoundError);
    assert.throws(() => crm.clvSummary(tx, 'CustomerID', 'InvoiceDate', 'Amount', { period: 'year' }),
                  RangeError);
    assert.throws(() => crm.clvSummary('tx', 'CustomerID', 'InvoiceDate', 'Amount'), TypeError);
    assert.throws(() => new crm.Clv({ l2: -1 }).fit(s), crm.InvalidError);
    assert.throws(() => new crm.Clv().params, crm.StateError);
    assert.throws(() => new crm.Clv().fit(tx), crm.NotFoundError);
    m.close();
});

test('Apriori prune_redundant and KMeans.centersOriginal match Python', () => {
    const tx = sales();
    const all = crm.apriori(tx, 'InvoiceNo', 'Description', { min_support: 0.01, min_confidence: 0.1 });
    const pruned = crm.apriori(tx, 'InvoiceNo', 'Description',
                               { min_support: 0.01, min_confidence: 0.1, prune_redundant: true });
    assert.equal(all.itemsets.nrows, 886);
    assert.equal(all.rules.nrows, 7308);
    assert.equal(pruned.rules.nrows, 672);
    assert.throws(() => crm.apriori(tx, 'InvoiceNo', 'Description', { prune_redundant: 'yes' }), TypeError);
    const km = new crm.KMeans({ k: 3, seed: 1, standardize: true, mutate: ['lm=log1p(Amount)'] })
        .fit(tx, ['lm', 'Quantity']);
    const c = km.centersOriginal();
    assert.deepEqual(c.columns, ['cluster', 'size', 'lm', 'Quantity']);
    assert.deepEqual(Array.from(c.column('size')), [174, 5980, 3408]);
    [4.541729673251169, 1.6922479909083772, 3.8265826686835185].forEach((v, i) =>
        near(c.column('lm')[i], v, `lm[${i}]`));
    [109.47126436781609, 4.047324414715718, 11.127934272300468].forEach((v, i) =>
        near(c.column('Quantity')[i], v, `Quantity[${i}]`));
    km.close();
    assert.throws(() => km.centersOriginal(), crm.StateError);
});

test('report: the page is byte for byte the Python layer\'s; file and string agree', () => {
    const shop = crm.synth({ customers: 300, seed: 7 });
    const tx = shop.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0 " +
                           "and not startswith(InvoiceNo, 'C')");
    const opts = { quantity: 'Quantity', price: 'UnitPrice', invoice: 'InvoiceNo', item: 'Description',
                   title: 'Shop <&> report', currency: '€', n_threads: 1 };
    const page = crm.reportHtml(tx, 'CustomerID', 'InvoiceDate', opts);
    const bytes = Buffer.from(page, 'utf8');
    assert.equal(bytes.length, 92625);
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'),
                 'fe822854590e1b5befab57112578d88a58d327524a0e7e6977374640f62cc586');
    assert.ok(page.includes('<title>Shop &lt;&amp;&gt; report</title>'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-report-'));
    const file = path.join(dir, 'r.html');
    crm.report(tx, file, 'CustomerID', 'InvoiceDate', opts);
    assert.ok(fs.readFileSync(file).equals(bytes));
    assert.throws(() => crm.reportHtml(tx, 'NoSuchColumn', 'InvoiceDate', { amount: 'Quantity' }),
                  crm.NotFoundError);
    assert.throws(() => crm.reportHtml(tx, 'CustomerID', 'InvoiceDate', { amount: 'Quantity', k: 0 }),
                  crm.InvalidError);
    assert.throws(() => crm.reportHtml(tx, 'CustomerID', 'InvoiceDate', { colour: 'red' }), TypeError);
    assert.throws(() => crm.report(tx, path.join(dir, 'no', 'r.html'), 'CustomerID', 'InvoiceDate',
                                   { amount: 'Quantity' }), crm.CrmIOError);
    assert.throws(() => crm.reportHtml(null, 'CustomerID', 'InvoiceDate'), TypeError);
    fs.rmSync(dir, { recursive: true });
});

function forestData() {
    const n = 300;
    const x1 = Float64Array.from({ length: n }, (_, i) => i % 17);
    const x2 = Float64Array.from({ length: n }, (_, i) => (i * 7) % 13);
    const label = Array.from(x1, (a, i) => (((a + x2[i] > 14) !== (i % 11 === 0)) ? 'yes' : 'no'));
    return crm.Dataset.fromColumns({ x1, x2, label });
}

test('RandomForest: OOB error, importances and bags equal Python\'s on the same seed', () => {
    const ds = forestData();
    const f = new crm.RandomForest({ n_trees: 50, seed: 3, n_threads: 1, importance: 'permutation' })
        .fit(ds, 'label', ['x1', 'x2']);
    assert.equal(f.kindName, 'forest');
    assert.equal(f.nTrees, 50);
    near(f.stat('oob_error'), 0.17666666666666667, 'oob_error');
    const imp = f.featureImportances;
    near(imp.x1, 0.6849053514423824, 'x1');
    near(imp.x2, 0.3150946485576176, 'x2');
    const perm = f.permutationImportances;
    near(perm.x1, 0.210881740775075, 'perm x1');
    near(perm.x2, 0.1336230554348413, 'perm x2');
    const bag = f.bag(0);
    assert.deepEqual(bag.slice(0, 10), [1, 1, 0, 1, 0, 1, 0, 1, 1, 0]);
    assert.equal(bag.reduce((a, b) => a + b, 0), 300);
    f.predict(ds);
    assert.deepEqual(ds.column('prediction').slice(0, 5), ['no', 'no', 'no', 'no', 'no']);
    [0.551, 1.0, 0.98].forEach((v, i) => near(ds.column('prediction_proba')[i], v, `proba[${i}]`));
    const tree = f.tree(0);
    assert.ok(tree instanceof crm.DecisionTree);
    assert.ok(tree.rules().length > 0);
    f.oobPredict(ds);
    assert.ok(ds.columns.includes('oob_prediction'));
    const back = crm.Model.fromJson(f.toJson());
    assert.ok(back instanceof crm.RandomForest);
    assert.equal(new crm.RandomForest({ n_trees: 50, seed: 3 }).fit(ds, 'label', ['x1', 'x2'])
        .featureImportances.x1, imp.x1);  // independent of the thread count
    const r = new crm.RandomForest({ n_trees: 30, seed: 3, n_threads: 1 }).fit(ds, 'x1', ['x2']);
    near(r.stat('oob_error'), 25.86318367120793, 'regression oob_error');
    assert.equal(r.permutationImportances, null);
    assert.throws(() => new crm.RandomForest({ n_trees: 0 }).fit(ds, 'label', ['x1']), crm.InvalidError);
    assert.throws(() => new crm.RandomForest().fit(ds, 'label', ['nope']), crm.NotFoundError);
    assert.throws(() => new crm.RandomForest({ colour: 1 }).fit(ds, 'label', ['x1']), TypeError);
    assert.throws(() => new crm.RandomForest({ mtry_rule: 'median' }).fit(ds, 'label', ['x1']), RangeError);
    assert.throws(() => new crm.RandomForest().featureImportances, crm.StateError);
    let calls = 0;
    assert.throws(() => new crm.RandomForest({ n_trees: 20, progress: () => ++calls >= 2 })
        .fit(ds, 'label', ['x1']), crm.CancelledError);
    f.close();
    assert.throws(() => f.bag(0), crm.StateError);
});
