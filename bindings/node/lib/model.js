'use strict';
// Fitted models (crm_model): the shared Model class and one class per kind.
//
// A fitting class is constructed with its options (the crm_X_options field
// names, see capi.d.ts) and fit() returns the instance itself:
//
//   const km = new KMeans({ k: 4, seed: 42, standardize: true }).fit(ds, ['recency_days']);
//   km.predict(ds, 'cluster'); km.stats(); km.close();
//
// Every fitting class takes the option `mutate`: "NAME=EXPR" steps applied to a
// copy of the dataset before the fit and recorded in the model (predict()
// replays them), and most take `progress`: a function(fraction) returning a
// truthy value to cancel (CancelledError); an exception it throws cancels the
// fit and is rethrown from fit().
//
// A Model owns its C handle: close() (or Symbol.dispose) frees it now, a
// FinalizationRegistry frees forgotten ones; use after close() throws StateError.

const capi = require('./capi');
const { StateError } = require('./errors');
const { withOptions } = require('./options');
const { Dataset, checkNames, checkPath, takeString } = require('./dataset');

const registry = new FinalizationRegistry((ptr) => capi.raw.crm_model_free(ptr));
const KINDS = new Map();
const FREE = { free: (ptr) => capi.raw.crm_model_free(ptr) };
const M = capi.enums.crm_model_type.members;

function checkDataset(ds, what) {
    if (!(ds instanceof Dataset)) throw new TypeError(`${what} needs a Dataset`);
    return ds._handle;
}

function checkText(v, what) {
    if (typeof v !== 'string') throw new TypeError(`${what} must be a string, not ${typeof v}`);
    return v;
}

class Model {
    #ptr = null;

    /** @param options the crm_X_options fields of the subclass (none for Model). */
    constructor(options = {}) {
        if (options === null || typeof options !== 'object')
            throw new TypeError(`${new.target.name}: options must be an object`);
        this.options = { ...options };
    }

    /** @internal take ownership of a crm_model pointer. */
    _attach(ptr) {
        if (!ptr) throw new StateError('libcrm returned no model', null);
        this.close();
        this.#ptr = ptr;
        registry.register(this, ptr, this);
        return this;
    }

    /** @internal the live handle; StateError when closed or not fitted. */
    get _handle() {
        if (this.#ptr === null) throw new StateError(`the ${this.constructor.name} is not fitted or has been closed`, null);
        return this.#ptr;
    }

    get fitted() { return this.#ptr !== null; }

    /** Free the C model now; every later use throws StateError. Idempotent. */
    close() {
        if (this.#ptr !== null) {
            registry.unregister(this);
            capi.raw.crm_model_free(this.#ptr);
            this.#ptr = null;
        }
    }

    /** The model kind as in its JSON "kind" member ("kmeans", "tree", ...). */
    get kindName() {
        return capi.crm_model_kind_name(capi.crm_model_kind(this._handle)) || 'unknown';
    }

    /** The transform steps recorded at the fit, as "NAME=EXPR" strings. */
    get mutate() {
        const n = [0];
        capi.crm_model_mutate_count(this._handle, n);
        const steps = [];
        const name = [null], expr = [null];
        for (let i = 0; i < Number(n[0]); i++) {
            capi.crm_model_mutate(this._handle, i, name, expr);
            steps.push(`${name[0]}=${expr[0]}`);
        }
        return steps;
    }

    /** The class labels of a classifier fitted on a text target (else empty). */
    get classes() {
        const n = [0];
        capi.crm_model_class_count(this._handle, n);
        const out = [];
        const label = [null];
        for (let i = 0; i < Number(n[0]); i++) {
            capi.crm_model_class(this._handle, i, label);
            out.push(label[0]);
        }
        return out;
    }

    /** Add the prediction column(s) to `ds` in place and return `ds`. */
    predict(ds, outCol = this.constructor.defaultOutCol) {
        const h = checkDataset(ds, 'predict()');
        capi.crm_model_predict(this._handle, h, checkText(outCol, 'predict(outCol)'));
        return ds;
    }

    /** The model as a Dataset (e.g. k-means: one row per cluster). */
    summary() {
        const out = [null];
        capi.crm_model_summary(this._handle, out);
        return Dataset._wrap(out[0]);
    }

    /** One named statistic (NotFoundError lists the valid names). */
    stat(name) {
        const out = [0];
        capi.crm_model_stat(this._handle, checkText(name, 'stat(name)'), out);
        return out[0];
    }

    /** The names of the statistics, in the library's order. */
    get statNames() {
        const n = [0];
        capi.crm_model_stat_count(this._handle, n);
        const names = [];
        const name = [null];
        for (let i = 0; i < Number(n[0]); i++) {
            capi.crm_model_stat_name(this._handle, i, name);
            names.push(name[0]);
        }
        return names;
    }

    /** Every statistic as an object {name: number}, in the library's order. */
    stats() {
        const out = {};
        for (const name of this.statNames) out[name] = this.stat(name);
        return out;
    }

    /** The model as versioned JSON text. */
    toJson() {
        const out = [null];
        capi.crm_model_to_json(this._handle, out);
        return takeString(out[0]);
    }

    /** Write the model as JSON to `path` (atomically). */
    save(path) {
        capi.crm_model_save(this._handle, checkPath(path, 'save(path)'));
        return this;
    }

    /** A model from JSON text, as an instance of its kind's class. */
    static fromJson(text) {
        const out = [null];
        capi.crm_model_from_json(checkText(text, 'fromJson(text)'), out);
        return wrapModel(out[0], this);
    }

    /** A model from a file written by save(). */
    static load(path) {
        const out = [null];
        capi.crm_model_load(checkPath(path, 'load(path)'), out);
        return wrapModel(out[0], this);
    }

    toString() {
        return this.fitted ? `${this.constructor.name} ${JSON.stringify(this.stats())}`
            : `${this.constructor.name} (not fitted)`;
    }
}
Model.defaultOutCol = 'prediction';

if (typeof Symbol.dispose === 'symbol')
    Model.prototype[Symbol.dispose] = function dispose() { this.close(); };

function wrapModel(ptr, cls) {
    const target = KINDS.get(capi.crm_model_kind(ptr)) || Model;
    if (cls !== Model && target !== cls) {
        capi.raw.crm_model_free(ptr);
        throw new TypeError(`the JSON holds a ${target.name} model, not ${cls.name}`);
    }
    return new target()._attach(ptr);
}

/** Load any saved model as an instance of its kind's class. */
function loadModel(path) {
    return Model.load(path);
}

/** k-means segmentation (crm_kmeans_fit); options: crm_kmeans_options fields. */
class KMeans extends Model {
    /** Fit on the number columns `columns` of `ds`; returns this. */
    fit(ds, columns) {
        const h = checkDataset(ds, 'fit()');
        const cols = checkNames(columns, 'fit(columns)');
        const settings = { ...this.options };
        if (settings.init_centers != null && settings.init === undefined) settings.init = 'given';
        const ptr = withOptions('crm_kmeans_options', settings, 'KMeans', (opts) => {
            const out = [null];
            capi.crm_kmeans_fit(h, cols, cols.length, opts, out);
            return out[0];
        }, FREE);
        this.columns = cols;
        return this._attach(ptr);
    }

    /** Inertia for every k in kMin..kMax (these options, k ignored), as a Dataset. */
    elbow(ds, columns, kMin, kMax) {
        const h = checkDataset(ds, 'elbow()');
        const cols = checkNames(columns, 'elbow(columns)');
        return withOptions('crm_kmeans_options', this.options, 'KMeans', (opts) => {
            const out = [null];
            capi.crm_kmeans_elbow(h, cols, cols.length, kMin, kMax, opts, out);
            return Dataset._wrap(out[0]);
        });
    }

    /**
     * The centers in the units of the input columns, as a Dataset (cluster, size, one column
     * per feature): standardization and the mutate steps log1p/log/sqrt/x*c+d undone.
     */
    centersOriginal() {
        const out = [null];
        capi.crm_kmeans_centers_original(this._handle, out);
        return Dataset._wrap(out[0]);
    }
}
KMeans.defaultOutCol = 'cluster';

class Regression extends Model {
    /** Fit `target` on the columns `features` of `ds`; returns this. */
    fit(ds, target, features) {
        const h = checkDataset(ds, 'fit()');
        checkText(target, 'fit(target)');
        const names = checkNames(features, 'fit(features)');
        const { struct, fn } = this.constructor.c;
        const ptr = withOptions(struct, this.options, this.constructor.name, (opts) => {
            const out = [null];
            capi[fn](h, target, names, names.length, opts, out);
            return out[0];
        }, FREE);
        this.target = target;
        this.features = names;
        return this._attach(ptr);
    }

    /** The coefficient table as {term: {estimate, std_error, ...}}. */
    coefficients() {
        const s = this.summary();
        try {
            const cols = s.toColumns();
            const terms = cols.term;
            delete cols.term;
            const out = {};
            terms.forEach((t, i) => {
                out[t] = {};
                for (const [k, v] of Object.entries(cols)) out[t][k] = v[i];
            });
            return out;
        } finally {
            s.close();
        }
    }
}

/** Binary logistic regression with inference (crm_logreg_fit). */
class LogisticRegression extends Regression {}
LogisticRegression.c = { struct: 'crm_logreg_options', fn: 'crm_logreg_fit' };

/** Linear least squares with inference (crm_linreg_fit). */
class LinearRegression extends Regression {}
LinearRegression.c = { struct: 'crm_linreg_options', fn: 'crm_linreg_fit' };

/** CART decision tree (crm_tree_fit); max_depth null = unlimited. */
class DecisionTree extends Model {
    #settings() {
        const s = { ...this.options };
        if (s.max_depth === null) s.max_depth = -1;
        if (s.max_leaf_nodes === null) s.max_leaf_nodes = 0;
        if (s.class_weight === null) s.class_weight = 'none';
        return s;
    }

    fit(ds, target, features) {
        const h = checkDataset(ds, 'fit()');
        checkText(target, 'fit(target)');
        const names = checkNames(features, 'fit(features)');
        const ptr = withOptions('crm_tree_options', this.#settings(), 'DecisionTree', (opts) => {
            const out = [null];
            capi.crm_tree_fit(h, target, names, names.length, opts, out);
            return out[0];
        }, FREE);
        this.target = target;
        this.features = names;
        return this._attach(ptr);
    }

    /** Indented if/then rules (flat: one "IF ... THEN ..." line per leaf). */
    rules(flat = false) {
        const out = [null];
        (flat ? capi.crm_tree_export_rules : capi.crm_tree_export_text)(this._handle, out);
        return takeString(out[0]);
    }

    /** The tree in Graphviz dot language. */
    dot() {
        const out = [null];
        capi.crm_tree_export_dot(this._handle, out);
        return takeString(out[0]);
    }

    /** {feature: importance}, normalised to sum 1. */
    get featureImportances() {
        const out = [null];
        capi.crm_tree_feature_importances(this._handle, out);
        const ds = Dataset._wrap(out[0]);
        try {
            const cols = ds.toColumns();
            const res = {};
            cols.feature.forEach((f, i) => { res[f] = cols.importance[i]; });
            return res;
        } finally {
            ds.close();
        }
    }
}

function arimaSettings(options) {
    const s = { ...options };
    if ('auto' in s) {
        s.auto_order = s.auto;
        delete s.auto;
    }
    return s;
}

/** (Seasonal) ARIMA, auto-ARIMA and forecasts (crm_arima_*); `auto` = auto_order. */
class Arima extends Model {
    /** Fit on a series (Float64Array or numbers, null = missing); returns this. */
    fit(values) {
        let y = values;
        if (!(values instanceof Float64Array)) {
            if (!Array.isArray(values)) throw new TypeError('fit(values) needs a Float64Array or an array');
            y = Float64Array.from(values, (v, i) => {
                if (v === null) return NaN;
                if (typeof v !== 'number') throw new TypeError(`fit(values)[${i}] must be a number or null`);
                return v;
            });
        }
        const ptr = withOptions('crm_arima_options', arimaSettings(this.options), 'Arima', (opts) => {
            const out = [null];
            capi.crm_arima_fit(y, y.length, opts, out);
            return out[0];
        }, FREE);
        return this._attach(ptr);
    }

    /** Sum `valueCol` per calendar `period` ("day" ... "year") of `timeCol` and fit. */
    fitDataset(ds, timeCol, valueCol, period = undefined) {
        const h = checkDataset(ds, 'fitDataset()');
        const s = arimaSettings(this.options);
        if (period !== undefined) s.freq = period;
        const ptr = withOptions('crm_arima_options', s, 'Arima', (opts) => {
            const out = [null];
            capi.crm_arima_fit_dataset(h, checkText(timeCol, 'fitDataset(timeCol)'),
                                       checkText(valueCol, 'fitDataset(valueCol)'), opts, out);
            return out[0];
        }, FREE);
        return this._attach(ptr);
    }

    /** Forecast h steps; level: undefined (80 and 95), a number, or an array of levels. */
    forecast(h, level = undefined) {
        const out = [null];
        if (typeof level === 'number') {
            capi.crm_arima_forecast(this._handle, h, level, out);
        } else {
            const levels = Float64Array.from(level === undefined || level === null ? [] : level);
            capi.crm_arima_forecast_levels(this._handle, h, levels.length ? levels : null,
                                           levels.length, out);
        }
        return Dataset._wrap(out[0]);
    }

    predict() {
        throw new TypeError('Arima forecasts ahead of its series: use forecast(h)');
    }
}

/**
 * Customer lifetime value: BG/NBD purchases + Gamma-Gamma spend (crm_clv_fit). Options: the
 * crm_clv_options fields (frequency_col, recency_col, t_col, monetary_col, l2, max_iter, tol,
 * period "day" | "week", horizon, discount, periods_per_month, t, n_threads).
 *
 *   const s = crm.clvSummary(sales, 'CustomerID', 'InvoiceDate', 'Amount');
 *   const m = new crm.Clv({ horizon: 12 }).fit(s);
 *   m.params;       // { r, alpha, a, b, p, q, v }
 *   m.predict(s);   // adds clv, p_alive, expected_purchases, expected_spend
 */
class Clv extends Model {
    /** Fit both models on a summary table (clvSummary() or the same columns); returns this. */
    fit(summary) {
        const h = checkDataset(summary, 'fit()');
        const ptr = withOptions('crm_clv_options', this.options, 'Clv', (opts) => {
            const out = [null];
            capi.crm_clv_fit(h, opts, out);
            return out[0];
        }, FREE);
        return this._attach(ptr);
    }

    /** The fitted parameters: r, alpha, a, b (BG/NBD), p, q, v (Gamma-Gamma). */
    get params() {
        const out = {};
        for (const k of ['r', 'alpha', 'a', 'b', 'p', 'q', 'v']) out[k] = this.stat(k);
        return out;
    }
}
Clv.defaultOutCol = 'clv';

/**
 * Random forest of CART trees, classification or regression (crm_forest_fit). Options: the
 * crm_forest_options fields (n_trees, mtry (null = the default), task, criterion, max_depth
 * (null = unlimited), min_samples_split, min_samples_leaf, sample_fraction, replace,
 * class_weight (null or "balanced"), max_bins, importance ("impurity" | "permutation"),
 * mtry_rule ("nonconstant" as scikit-learn, "exact" as ranger), n_threads, seed, positive,
 * progress). The forest does not depend on n_threads.
 *
 *   const f = new crm.RandomForest({ n_trees: 200, seed: 1 }).fit(ds, 'Churn', ['tenure']);
 *   f.stat('oob_error'); f.featureImportances; f.predict(ds);
 */
class RandomForest extends Model {
    #settings() {
        const s = { ...this.options };
        if (s.max_depth === null) s.max_depth = -1;
        if (s.mtry === null) s.mtry = 0;
        if (s.class_weight === null) s.class_weight = 'none';
        if (s.mtry_rule === 'sklearn') s.mtry_rule = 'nonconstant';
        if (s.mtry_rule === 'ranger') s.mtry_rule = 'exact';
        return s;
    }

    /** Fit predicting column `target` from the columns `features`; returns this. */
    fit(ds, target, features) {
        const h = checkDataset(ds, 'fit()');
        checkText(target, 'fit(target)');
        const names = checkNames(features, 'fit(features)');
        const ptr = withOptions('crm_forest_options', this.#settings(), 'RandomForest', (opts) => {
            const out = [null];
            capi.crm_forest_fit(h, target, names, names.length, opts, out);
            return out[0];
        }, FREE);
        this.target = target;
        this.features = names;
        return this._attach(ptr);
    }

    #importances() {
        const out = [null];
        capi.crm_forest_feature_importances(this._handle, out);
        const ds = Dataset._wrap(out[0]);
        try {
            return { feature: ds.column('feature'), importance: ds.column('importance'),
                     permutation: ds.column('permutation') };
        } finally {
            ds.close();
        }
    }

    /** {feature: importance} (mean impurity decrease of the trees, sums to 1). */
    get featureImportances() {
        const c = this.#importances();
        return Object.fromEntries(c.feature.map((f, i) => [f, c.importance[i]]));
    }

    /** {feature: out-of-bag permutation importance}, or null unless importance "permutation". */
    get permutationImportances() {
        const c = this.#importances();
        if (Array.from(c.permutation).every((v) => Number.isNaN(v))) return null;
        return Object.fromEntries(c.feature.map((f, i) => [f, c.permutation[i]]));
    }

    get nTrees() { return this.stat('n_trees'); }

    /** Tree i as a DecisionTree (rules(), dot(), predict(), save()). */
    tree(i) {
        const out = [null];
        capi.crm_forest_tree(this._handle, i, out);
        return wrapModel(out[0], Model);
    }

    /** How many times tree i drew each training row (0: out of bag), as an array. */
    bag(i) {
        const out = [null];
        capi.crm_forest_bag(this._handle, i, out);
        const ds = Dataset._wrap(out[0]);
        try {
            return Array.from(ds.column('count'));
        } finally {
            ds.close();
        }
    }

    /** Add the out-of-bag predictions of the training rows `ds` as `outCol`; returns ds. */
    oobPredict(ds, outCol = 'oob_prediction') {
        capi.crm_forest_oob_predict(this._handle, checkDataset(ds, 'oobPredict()'),
                                    checkText(outCol, 'oobPredict(outCol)'));
        return ds;
    }
}
RandomForest.defaultOutCol = 'prediction';

KINDS.set(M.CRM_MODEL_KMEANS, KMeans);
KINDS.set(M.CRM_MODEL_FOREST, RandomForest);
KINDS.set(M.CRM_MODEL_CLV, Clv);
KINDS.set(M.CRM_MODEL_TREE, DecisionTree);
KINDS.set(M.CRM_MODEL_LOGREG, LogisticRegression);
KINDS.set(M.CRM_MODEL_LINREG, LinearRegression);
KINDS.set(M.CRM_MODEL_ARIMA, Arima);

module.exports = {
    Model, KMeans, LogisticRegression, LinearRegression, DecisionTree, Arima, Clv, RandomForest, loadModel,
    checkDataset, checkText,
};
