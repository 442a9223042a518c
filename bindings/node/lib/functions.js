'use strict';
// Analyses that return datasets: rfm, apriori, synth (and splitItems).

const capi = require('./capi');
const { withOptions } = require('./options');
const { Dataset, checkNames, toSeconds } = require('./dataset');
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

module.exports = { rfm, apriori, synth, splitItems, silhouette };
