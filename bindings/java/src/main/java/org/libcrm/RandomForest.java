package org.libcrm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmForestOptions;

/**
 * Random forest of CART trees, classification or regression (crm_forest_fit). Options
 * (crm_forest_options): n_trees, mtry (null = the default), task, criterion, max_depth
 * (null = unlimited), min_samples_split, min_samples_leaf, sample_fraction, replace,
 * class_weight (null or "balanced"), max_bins, importance ("impurity", "permutation"),
 * mtry_rule ("nonconstant" as scikit-learn, "exact" as ranger), n_threads, seed, positive,
 * progress. The forest does not depend on n_threads.
 *
 * <pre>{@code
 * try (RandomForest f = new RandomForest(Map.of("n_trees", 200, "seed", 1))
 *          .fit(ds, "Churn", "tenure", "MonthlyCharges")) {
 *     f.stat("oob_error");
 *     f.predict(ds);   // adds prediction (and prediction_proba)
 * }
 * }</pre>
 */
public final class RandomForest extends Model {
    public RandomForest() {
        this((Map<String, ?>) null);
    }

    public RandomForest(Map<String, ?> options) {
        super(options);
        build();
    }

    public RandomForest(Options options) {
        this(options.asMap());
    }

    private CrmForestOptions build() {
        Map<String, Object> o = Options.copy(options);
        Object[][] none = {{"max_depth", -1}, {"mtry", 0}, {"class_weight", "none"}};
        for (Object[] n : none) {
            if (o.containsKey((String) n[0]) && o.get((String) n[0]) == null) {
                o.put((String) n[0], n[1]);
            }
        }
        if ("sklearn".equals(o.get("mtry_rule"))) {
            o.put("mtry_rule", "nonconstant");
        } else if ("ranger".equals(o.get("mtry_rule"))) {
            o.put("mtry_rule", "exact");
        }
        return Options.build(CrmForestOptions::new, o, "RandomForest");
    }

    @Override
    protected String defaultOutColumn() {
        return "prediction";
    }

    /** Fit predicting the column `target` from the columns `features`; returns this. */
    public RandomForest fit(Dataset ds, String target, String... features) {
        checkOpen();
        CrmForestOptions opts = build();
        try {
            attach(CApi.crm_forest_fit(ds.ptr(), Dataset.requireText(target, "fit(target)"),
                names(features, "fit(features)"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return this;
    }

    private Map<String, Double> importances(String column) {
        try (Dataset t = Dataset.wrap(call(CApi::crm_forest_feature_importances))) {
            List<Object> names = t.column("feature");
            List<Object> values = t.column(column);
            Map<String, Double> out = new LinkedHashMap<>();
            boolean any = false;
            for (int i = 0; i < names.size(); i++) {
                out.put((String) names.get(i), (Double) values.get(i));
                any |= values.get(i) != null;
            }
            return any ? out : null;
        }
    }

    /** {feature: importance} (mean impurity decrease of the trees, sums to 1). */
    public Map<String, Double> featureImportances() {
        return importances("importance");
    }

    /** {feature: out-of-bag permutation importance}, or null unless importance "permutation". */
    public Map<String, Double> permutationImportances() {
        return importances("permutation");
    }

    public int nTrees() {
        return (int) stat("n_trees");
    }

    /** Tree i as a DecisionTree (exportRules(), exportDot(), predict(), save()). */
    public DecisionTree tree(int i) {
        return (DecisionTree) Model.wrap(call(p -> CApi.crm_forest_tree(p, i)));
    }

    /** How many times tree i drew each training row (0: out of bag). */
    public List<Integer> bag(int i) {
        try (Dataset t = Dataset.wrap(call(p -> CApi.crm_forest_bag(p, i)))) {
            List<Integer> out = new ArrayList<>();
            for (double v : t.getNumbers("count")) {
                out.add((int) v);
            }
            return out;
        }
    }

    /** Add the out-of-bag predictions of the training rows `ds` as `outCol`; returns ds. */
    public Dataset oobPredict(Dataset ds, String outCol) {
        try {
            call(p -> {
                CApi.crm_forest_oob_predict(p, ds.ptr(), Dataset.requireText(outCol, "oobPredict(outCol)"));
                return null;
            });
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return ds;
    }

    /** oobPredict into "oob_prediction". */
    public Dataset oobPredict(Dataset ds) {
        return oobPredict(ds, "oob_prediction");
    }
}
