'use strict';
// The fitting classes, save/load, apriori and rfm on small generated data.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crm = require('..');

test('linear regression recovers y = 2x + 1', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => i);
    const ds = crm.Dataset.fromColumns({ x, y: x.map((v) => 2 * v + 1) });
    const lr = new crm.LinearRegression().fit(ds, 'y', ['x']);
    const coef = lr.coefficients();
    assert.ok(Math.abs(coef.x.estimate - 2) < 1e-9);
    assert.ok(Math.abs(coef.intercept.estimate - 1) < 1e-9);
    assert.equal(lr.kindName, 'linreg');
    lr.predict(ds, 'p');
    assert.ok(Math.abs(ds.column('p')[10] - 21) < 1e-9);
    lr.close();
    ds.close();
});

test('decision tree: rules, dot, importances, predict', () => {
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, i) => i % 20);
    const label = Array.from(x, (v) => (v >= 10 ? 'high' : 'low'));
    const ds = crm.Dataset.fromColumns({ x, noise: x.map((v, i) => (i * 7) % 3), label });
    const tree = new crm.DecisionTree({ max_depth: null, criterion: 'gini' }).fit(ds, 'label', ['x', 'noise']);
    assert.deepEqual(tree.classes, ['high', 'low']);
    assert.match(tree.rules(), /x/);
    assert.match(tree.dot(), /digraph/);
    assert.equal(tree.featureImportances.x, 1);
    tree.predict(ds);
    assert.deepEqual(ds.column('prediction'), label);
    tree.close();
    ds.close();
});

test('arima fits a series and forecasts', () => {
    const y = Float64Array.from({ length: 60 }, (_, i) => 10 + 0.5 * i + Math.sin(i));
    const m = new crm.Arima({ p: 1, d: 1, q: 0 }).fit(y);
    const fc = m.forecast(6, 90);
    assert.equal(fc.nrows, 6);
    assert.deepEqual(fc.columns.slice(0, 3), ['step', 'mean', 'se']);
    const fc2 = m.forecast(3);
    assert.ok(fc2.columns.includes('lower_95'));
    assert.throws(() => m.predict(fc), TypeError);
    assert.throws(() => new crm.Arima({ p: 1 }).fit(['a']), TypeError);
    for (const o of [m, fc, fc2]) o.close();
});

test('arima sigma2: forecast\'s variance by default, stats::arima\'s with "stats"', () => {
    const y = Float64Array.from({ length: 60 }, (_, i) => 10 + 0.5 * i + Math.sin(i));
    const a = new crm.Arima({ p: 1, d: 1, q: 0 }).fit(y);
    const b = new crm.Arima({ p: 1, d: 1, q: 0, sigma2: 'stats' }).fit(y);
    assert.equal(b.stat('sigma2'), a.stat('sigma2_stats'));
    assert.ok(a.stat('sigma2') > b.stat('sigma2'));
    // 59 differenced values, ar1 estimated: 59 / (59 - 1) times the ML variance (the
    // first residual, from the diffuse start, adds about y[0]^2 / kappa to the sum)
    assert.ok(Math.abs(a.stat('sigma2') / b.stat('sigma2') / (59 / 58) - 1) < 1e-3);
    for (const o of [a, b]) o.close();
});

test('kmeans: init_centers of the wrong length is refused, the right one is the start', () => {
    // init_centers travels with its count (n_init_centers): a list of the wrong length is
    // refused instead of being read past its end.
    const ds = crm.Dataset.fromColumns({ x: [0, 1, 2, 10, 11, 12], y: [0, 0, 0, 0, 0, 0] });
    for (const centers of [[1], [0, 0, 1], [[0, 0], [1, 0], [2, 0]], [], new Float64Array(3)]) {
        assert.throws(() => new crm.KMeans({ k: 2, init_centers: centers }).fit(ds, ['x', 'y']),
                      (e) => e instanceof crm.InvalidError && /init_centers/.test(e.message));
    }
    // One pass from (0, 0) and (1, 0) moves them to (0, 0) and (7.2, 0).
    for (const centers of [[[0, 0], [1, 0]], [0, 0, 1, 0], Float64Array.of(0, 0, 1, 0)]) {
        const km = new crm.KMeans({ k: 2, init_centers: centers, max_iter: 1 }).fit(ds, ['x', 'y']);
        assert.equal(km.stat('n_iter'), 1);
        const s = km.summary();
        const x = s.column('x');
        assert.equal(x[0], 0);
        assert.ok(Math.abs(x[1] - 7.2) < 1e-14, String(x[1]));
        const want = 5 + 2.8 ** 2 + 3.8 ** 2 + 4.8 ** 2;
        assert.ok(Math.abs(km.stat('inertia') - want) < 1e-12, String(km.stat('inertia')));
        s.close();
        km.close();
    }
    ds.close();
});

test('save / load / fromJson give the same model, of the right class', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-node-'));
    try {
        const ds = crm.Dataset.fromColumns({ a: [1, 2, 3, 10, 11, 12], b: [0, 1, 0, 1, 0, 1] });
        const km = new crm.KMeans({ k: 2, seed: 4, mutate: ['a=log1p(a)'] }).fit(ds, ['a', 'b']);
        const file = path.join(dir, 'km.json');
        km.save(file);
        const loaded = crm.loadModel(file);
        assert.ok(loaded instanceof crm.KMeans);
        assert.deepEqual(loaded.stats(), km.stats());
        assert.deepEqual(loaded.mutate, ['a=log1p(a)']);
        assert.throws(() => crm.LinearRegression.fromJson(km.toJson()), TypeError);
        assert.throws(() => crm.loadModel(path.join(dir, 'none.json')), crm.CrmIOError);
        for (const o of [ds, km, loaded]) o.close();
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('synth -> rfm -> apriori', () => {
    const tx = crm.synth({ customers: 100, seed: 3, dirt: 0, start: new Date(Date.UTC(2023, 0, 1)) });
    const scores = crm.rfm(tx, { customer: 'CustomerID', date: 'InvoiceDate', quantity: 'Quantity',
                                 price: 'UnitPrice', invoice: 'InvoiceNo' });
    assert.ok(scores.nrows > 0 && scores.nrows <= 100);
    assert.ok(scores.columns.includes('segment'));
    const { itemsets, rules } = crm.apriori(tx, 'InvoiceNo', 'StockCode',
                                            { min_support: 0.02, target: 'all', n_threads: 1 });
    assert.ok(itemsets.nrows > 0);
    assert.ok(rules.columns.includes('antecedent'));
    assert.deepEqual(crm.splitItems('a, b\\, c'), ['a', 'b, c']);
    for (const o of [tx, scores, itemsets, rules]) o.close();
});

test('cleaning in place, KPIs and metrics', () => {
    const ds = crm.Dataset.fromColumns({
        v: [1, null, 3, 100, 2, 2, 3, 1, 2, 3],
        rating: [10, 9, 0, 5, 10, 7, 8, 9, 10, 3],
        happy: ['yes', 'no', 'yes', 'yes', null, 'no', 'yes', 'yes', 'no', 'yes'],
        truth: [1, 0, 1, 1, 0, 0, 1, 1, 0, 1],
        score: [0.9, 0.2, 0.8, 0.7, 0.4, 0.1, 0.6, 0.9, 0.3, 0.2],
        when: ['2024-01-02', '2024-01-03', null, '2024-01-05', '2024-01-05', '2024-01-06',
               '2024-01-07', '2024-01-08', '2024-01-09', '2024-01-10'],
    });
    assert.equal(ds.impute('v', 'median'), 1);
    assert.equal(ds.column('v')[1], 2);
    assert.equal(ds.outliers('v', { rule: 'iqr', action: 'flag' }), 1);
    assert.deepEqual(Array.from(ds.column('v_outlier')), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    ds.convert('when', 'time', '%Y-%m-%d');
    assert.equal(ds.dtypes.when, 'time');
    assert.equal(ds.column('when')[0], 1704153600n);
    assert.equal(crm.nps(ds, 'rating'), 20);
    assert.equal(crm.satisfaction(ds, 'happy', ['yes']), 6 / 9);
    assert.equal(crm.satisfaction(ds, 'happy', ['yes', 'no']), 9 / 9);
    const m = crm.classificationMetrics(ds, 'truth', 'score');
    assert.equal(m.tp + m.fn, 6);
    assert.ok(m.auc > 0.8 && m.auc <= 1);
    const r = crm.regressionMetrics(ds, 'truth', 'score');
    assert.ok(r.rmse > 0);
    assert.ok(crm.rfmSegments().length > 3);
    assert.ok(crm.rfmStages().length > 1);
    assert.throws(() => ds.impute('v', 'bogus'), RangeError);
    ds.close();
});
