'use strict';
// Analyses that return datasets: rfm, apriori, synth (and splitItems).

const capi = require('./capi');
const { withOptions } = require('./options');
const { Dataset, checkNames, checkPath, takeString, toSeconds } = require('./dataset');
const { checkDataset, checkText } = require('./model');

function seconds(v) {
    return v instanceof Date ? toSeconds(v) : v;
}

/**
 * Per-customer RFM table from transaction lines. `options` are the crm_rfm_options
 * fields: customer, date, amount (or quantity and price), invoice, as_of (a Date or
 * epoch seconds), bins, active_days, inactive_days, churn_days.
 */
function rfm(tx, options) {
    const h = checkDataset(tx, 'rfm()');
    const s = { ...options };
    if (s.as_of !== undefined) s.as_of = seconds(s.as_of);
    return withOptions('crm_rfm_options', s, 'rfm', (opts) => {
        const out = [null];
        capi.crm_rfm(h, opts, out);
        return Dataset._wrap(out[0]);
    });
}

/**
 * Frequent itemsets and association rules of a long (transaction, item) table:
 * returns {itemsets, rules}. Options: crm_apriori_options fields (min_support,
 * min_count, max_len, target "all" | "closed" | "maximal", min_confidence, min_lift,
 * n_threads, progress, separator).
 */
function apriori(tx, tid, item, options) {
    const h = checkDataset(tx, 'apriori()');
    checkText(tid, 'apriori(tid)');
    checkText(item, 'apriori(item)');
    return withOptions('crm_apriori_options', options, 'apriori', (opts) => {
        const itemsets = [null], rules = [null];
        capi.crm_apriori(h, tid, item, opts, itemsets, rules);
        return { itemsets: Dataset._wrap(itemsets[0]), rules: Dataset._wrap(rules[0]) };
    });
}

/**
 * Synthetic transactions shaped like the UCI Online Retail data. Options:
 * crm_synth_options fields (customers, products, days, start (Date or seconds),
 * seed, dirt).
 */
function synth(options) {
    const s = { ...options };
    if (s.start !== undefined) s.start = seconds(s.start);
    return withOptions('crm_synth_options', s, 'synth', (opts) => {
        const out = [null];
        capi.crm_synth_transactions(opts, out);
        return Dataset._wrap(out[0]);
    });
}

/** The items of one items/antecedent/consequent cell (separator-joined, backslash escapes). */
function splitItems(text, separator = ', ') {
    if (text === null || text === undefined) return null;
    const items = [];
    let cur = '';
    for (let i = 0; i < text.length;) {
        if (text[i] === '\\' && i + 1 < text.length) {
            cur += text[i + 1];
            i += 2;
        } else if (text.startsWith(separator, i)) {
            items.push(cur);
            cur = '';
            i += separator.length;
        } else {
            cur += text[i++];
        }
    }
    items.push(cur);
    return items;
}

/** Mean silhouette coefficient of the clustering in column `labelCol`. */
function silhouette(ds, columns, labelCol, options) {
    const h = checkDataset(ds, 'silhouette()');
    const cols = checkNames(columns, 'silhouette(columns)');
    return withOptions('crm_silhouette_options', options, 'silhouette', (opts) => {
        const out = [0];
        capi.crm_silhouette(h, cols, cols.length, checkText(labelCol, 'silhouette(labelCol)'), opts, out);
        return out[0];
    });
}

/** The as_of rfm() takes by default: midnight UTC after the last date in column `date`. */
function rfmDefaultAsOf(tx, date) {
    const out = [0n];
    capi.crm_rfm_default_as_of(checkDataset(tx, 'rfmDefaultAsOf()'), checkText(date, 'rfmDefaultAsOf(date)'), out);
    return new Date(Number(out[0]) * 1000);
}

/** The segment names of rfm()'s segment column, best first. */
function rfmSegments() {
    const n = Number(capi.crm_rfm_segment_count());
    return Array.from({ length: n }, (_, i) => capi.crm_rfm_segment_name(i));
}

/** The lifecycle stage names of rfm()'s lifecycle column, most recent first. */
function rfmStages() {
    const n = Number(capi.crm_rfm_stage_count());
    return Array.from({ length: n }, (_, i) => capi.crm_rfm_stage_name(i));
}

/** Net Promoter Score of the 0-10 ratings in column `col` (-100..100). */
function nps(ds, col) {
    const out = [0];
    capi.crm_nps(checkDataset(ds, 'nps()'), checkText(col, 'nps(col)'), out);
    return out[0];
}

/**
 * Share of the non-missing cells of `col` that are positive: text cells equal to
 * one of `positive`, or cells equal to 1 of a 0/1 number column (positive null).
 */
function satisfaction(ds, col, positive = null) {
    const labels = positive === null ? [] : checkNames(positive, 'satisfaction(positive)');
    const out = [0];
    capi.crm_satisfaction(checkDataset(ds, 'satisfaction()'), checkText(col, 'satisfaction(col)'),
                          labels.length ? labels : null, labels.length, out);
    return out[0];
}

/** Funnel table (stage, count, conversion, overall) of the furthest stage reached. */
function funnel(ds, stageCol, stages) {
    const names = checkNames(stages, 'funnel(stages)');
    const out = [null];
    capi.crm_funnel(checkDataset(ds, 'funnel()'), checkText(stageCol, 'funnel(stageCol)'), names,
                    names.length, out);
    return Dataset._wrap(out[0]);
}

function metrics(fn, ds, truth, pred, settings, what) {
    const h = checkDataset(ds, `${what}()`);
    checkText(truth, `${what}(truth)`);
    checkText(pred, `${what}(prediction)`);
    const row = withOptions('crm_metrics_options', settings, what, (opts) => {
        const out = [null];
        fn(h, truth, pred, opts, out);
        return Dataset._wrap(out[0]);
    });
    try {
        const res = {};
        for (const [k, v] of Object.entries(row.toColumns())) res[k] = v[0];
        return res;
    } finally {
        row.close();
    }
}

/**
 * AUC, log loss, accuracy, precision, recall, F1 and the confusion counts of the
 * scores in `score` against `truth`. Options: positive, threshold, sample_weight.
 */
function classificationMetrics(ds, truth, score, options) {
    return metrics(capi.crm_metrics_classification, ds, truth, score, options,
                   'classificationMetrics');
}

/** RMSE, MSE, MAE, MAPE and R^2 of `prediction` against `truth`. Options: sample_weight. */
function regressionMetrics(ds, truth, prediction, options) {
    return metrics(capi.crm_metrics_regression, ds, truth, prediction, options,
                   'regressionMetrics');
}

/**
 * One ARIMA per group of column `by` (crm_arima_fit_many): returns {fits, forecasts}.
 * Options as Arima's (`auto` = auto_order).
 */
function arimaMany(ds, by, timeCol, valueCol, { h = 12, level = 95, ...options } = {}) {
    const hd = checkDataset(ds, 'arimaMany()');
    const s = { ...options };
    if ('auto' in s) {
        s.auto_order = s.auto;
        delete s.auto;
    }
    return withOptions('crm_arima_options', s, 'arimaMany', (opts) => {
        const fits = [null], fcs = [null];
        capi.crm_arima_fit_many(hd, checkText(by, 'arimaMany(by)'), checkText(timeCol, 'arimaMany(timeCol)'),
                                checkText(valueCol, 'arimaMany(valueCol)'), h, level, opts, fits, fcs);
        return { fits: Dataset._wrap(fits[0]), forecasts: Dataset._wrap(fcs[0]) };
    });
}

/**
 * The per-customer summary table every CLV model starts from (crm_clv_summary): customer,
 * frequency, recency, T, monetary, and with calibration_end (Date or epoch seconds, inclusive)
 * frequency_holdout, monetary_holdout, duration_holdout. Options: period ("day" | "week"),
 * calibration_end, observation_end.
 */
function clvSummary(tx, customer, date, amount, options) {
    const h = checkDataset(tx, 'clvSummary()');
    const s = { ...options, customer, date, amount };
    for (const k of ['calibration_end', 'observation_end'])
        if (s[k] !== undefined) s[k] = seconds(s[k]);
    return withOptions('crm_clv_summary_options', s, 'clvSummary', (opts) => {
        const out = [null];
        capi.crm_clv_summary(h, opts, out);
        return Dataset._wrap(out[0]);
    });
}

function reportSettings(customer, date, options) {
    const s = { ...options, customer, date };
    if (s.as_of !== undefined) s.as_of = seconds(s.as_of);
    for (const k of Object.keys(s)) if (s[k] === null) delete s[k];
    return s;
}

/**
 * Write the HTML report of transaction table `tx` to `path` (atomically; crm_report_write).
 * Options: the crm_report_options fields (amount or quantity and price, invoice, item, filter,
 * title, currency, as_of (Date or seconds), bins, active_days, inactive_days, k, seed,
 * churn_days, top_at_risk, top_clv, min_support, min_lift, max_rules, horizon, n_threads).
 */
function report(tx, path, customer, date, options) {
    const h = checkDataset(tx, 'report()');
    checkPath(path, 'report(path)');
    withOptions('crm_report_options', reportSettings(customer, date, options), 'report',
                (opts) => capi.crm_report_write(h, opts, path));
}

/** The HTML report of `tx` as a string (the page report() writes). */
function reportHtml(tx, customer, date, options) {
    const h = checkDataset(tx, 'reportHtml()');
    return withOptions('crm_report_options', reportSettings(customer, date, options), 'reportHtml',
                       (opts) => {
                           const out = [null];
                           capi.crm_report_render(h, opts, out);
                           return takeString(out[0]);
                       });
}

module.exports = {
    clvSummary, report, reportHtml,
    rfm, apriori, synth, splitItems, silhouette, rfmDefaultAsOf, rfmSegments, rfmStages, nps,
    satisfaction, funnel, classificationMetrics, regressionMetrics, arimaMany,
};
