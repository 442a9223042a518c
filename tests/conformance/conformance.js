'use strict';
// The conformance pipeline in Node.js (steps and output format:
// tests/conformance/SPEC.md; every language writes the same bytes).
//
// Usage: [LIBCRM_PATH=.../libcrm.so.1] node conformance.js DATA_DIR OUT_FILE
// It loads bindings/node of this repository, or the package named by
// $LIBCRM_NODE_PACKAGE (e.g. "libcrm" once installed with npm).

const fs = require('fs');
const os = require('os');
const path = require('path');

const crm = require(process.env.LIBCRM_NODE_PACKAGE
                    || path.join(__dirname, '..', '..', 'bindings', 'node'));

const HEAD = 5;
const TIME_MISSING = crm.Dataset.TIME_MISSING;

function jstr(s) {
    let out = '"';
    for (const ch of s) {
        const c = ch.codePointAt(0);
        if (ch === '"') out += '\\"';
        else if (ch === '\\') out += '\\\\';
        else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
        else out += ch;
    }
    return out + '"';
}

const view = new DataView(new ArrayBuffer(8));
function jnum(x) {
    if (Number.isNaN(x)) return '"nan"';
    view.setFloat64(0, x);
    return '"' + view.getBigUint64(0).toString(16).padStart(16, '0') + '"';
}

function isMissing(kind, v) {
    if (kind === 'number') return Number.isNaN(v);
    if (kind === 'time') return v === TIME_MISSING;
    return v === null;
}

function jval(kind, v) {
    if (isMissing(kind, v)) return 'null';
    if (kind === 'number') return jnum(v);
    if (kind === 'time') return v.toString();
    return jstr(v);
}

function columnBlock(ds, name) {
    const kind = ds.dtypes[name];
    const values = ds.column(name);
    const n = values.length;
    let missing = 0;
    for (const v of values) if (isMissing(kind, v)) missing++;
    const parts = ['"name":' + jstr(name), `"type":"${kind}"`, `"missing":${missing}`];
    if (kind === 'number') {
        let total = 0.0;
        for (const v of values) if (!Number.isNaN(v)) total += v;
        parts.push('"sum":' + jnum(total));
    } else if (kind === 'text') {
        const distinct = new Set();
        for (const v of values) if (v !== null) distinct.add(v);
        parts.push(`"distinct":${distinct.size}`);
    }
    const head = [];
    for (let i = 0; i < Math.min(HEAD, n); i++) head.push(jval(kind, values[i]));
    parts.push('"head":[' + head.join(',') + ']');
    parts.push('"last":' + (n ? jval(kind, values[n - 1]) : 'null'));
    return '{' + parts.join(',') + '}';
}

function datasetBlock(ds) {
    const cols = ds.columns.map((name) => columnBlock(ds, name)).join(',');
    return `{"rows":${ds.nrows},"columns":[${cols}]}`;
}

function statsBlock(model) {
    return '{' + Object.entries(model.stats()).map(([k, v]) => jstr(k) + ':' + jnum(v)).join(',') + '}';
}

function main() {
    const [data, outPath] = process.argv.slice(2);
    if (!data || !outPath) {
        process.stderr.write('usage: node conformance.js DATA_DIR OUT_FILE\n');
        process.exit(2);
    }
    const out = [];
    const member = (key, value) => out.push(jstr(key) + ':' + value);

    member('version', jstr(crm.libraryVersion));

    // 1. read
    const retail = crm.Dataset.readCsv(path.join(data, 'online_retail', 'online_retail.csv.gz'));
    member('retail', datasetBlock(retail));

    // 2. clean
    const sales = retail.filter('CustomerID is not missing and Quantity > 0 and UnitPrice > 0');
    sales.mutate('Amount', 'Quantity * UnitPrice');
    const removed = sales.dedup({ keep: 'first' });
    member('dedup_removed', String(removed));
    member('sales', datasetBlock(sales));

    // 3. RFM
    const scores = crm.rfm(sales, { customer: 'CustomerID', date: 'InvoiceDate', amount: 'Amount',
                                    invoice: 'InvoiceNo' });
    member('rfm', datasetBlock(scores));

    // 4. k-means on log RFM (steps recorded in the model)
    const cols = ['recency_days', 'frequency', 'monetary'];
    const km = new crm.KMeans({ k: 4, n_init: 10, seed: 42, standardize: true, n_threads: 1,
                                mutate: cols.map((c) => `${c}=log1p(${c})`) });
    km.fit(scores, cols);
    member('kmeans_stats', statsBlock(km));
    member('kmeans_summary', datasetBlock(km.summary()));
    const labelled = scores.clone();
    km.predict(labelled, 'cluster');
    member('kmeans_labels', columnBlock(labelled, 'cluster'));

    // 5. Telco logistic regression
    const telco = crm.Dataset.readCsv(
        path.join(data, 'telco_churn', 'WA_Fn-UseC_-Telco-Customer-Churn.csv'));
    const lr = new crm.LogisticRegression({ positive: 'Yes', missing: 'drop', n_threads: 1 });
    lr.fit(telco, 'Churn', ['tenure', 'MonthlyCharges', 'TotalCharges', 'SeniorCitizen',
                            'Contract', 'InternetService', 'PaymentMethod', 'PaperlessBilling']);
    member('logreg_stats', statsBlock(lr));
    member('logreg_summary', datasetBlock(lr.summary()));

    // 6. Apriori on FIMI retail
    const baskets = crm.Dataset.readBaskets(path.join(data, 'fimi_retail', 'retail.dat'));
    const { itemsets, rules } = crm.apriori(baskets, 'tid', 'item',
                                            { min_support: 0.01, min_confidence: 0.5,
                                              n_threads: 1 });
    member('itemsets', datasetBlock(itemsets));
    member('rules', datasetBlock(rules));

    // 7. auto-ARIMA on the monthly air passengers
    const air = crm.Dataset.readCsv(path.join(data, 'airpassengers', 'airpassengers.csv'));
    const arima = new crm.Arima({ auto_order: true, n_threads: 1 });
    arima.fitDataset(air, 'date', 'value', 'month');
    member('arima_stats', statsBlock(arima));
    member('arima_forecast', datasetBlock(arima.forecast(12, 95)));

    // 8. save, load, predict again
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-conformance-'));
    let loaded;
    try {
        const file = path.join(tmp, 'kmeans.json');
        km.save(file);
        loaded = crm.loadModel(file);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    member('loaded_kind', jstr(loaded.kindName));
    member('loaded_stats', statsBlock(loaded));
    const again = scores.clone();
    loaded.predict(again, 'cluster');
    member('loaded_labels', columnBlock(again, 'cluster'));

    fs.writeFileSync(outPath, Buffer.from('{\n' + out.join(',\n') + '\n}\n', 'utf8'));
}

main();
