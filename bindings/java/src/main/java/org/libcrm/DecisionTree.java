package org.libcrm;

import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmTreeOptions;

/**
 * CART decision tree (crm_tree_fit). Options (crm_tree_options): task ("auto",
 * "classification", "regression"), criterion ("auto", "gini", "entropy", "mse"), max_depth,
 * class_weight ("none", "balanced"), min_samples_split, min_samples_leaf,
 * min_impurity_decrease, max_leaf_nodes, ccp_alpha, positive, seed, max_bins, n_threads,
 * sample_weight, mutate, progress ({@link Progress}).
 */
public final class DecisionTree extends Model {
    public DecisionTree() {
        this((Map<String, ?>) null);
    }

    public DecisionTree(Map<String, ?> options) {
        super(options);
        build();
    }

    public DecisionTree(Options options) {
        this(options.asMap());
    }

    private CrmTreeOptions build() {
        return Options.build(CrmTreeOptions::new, options, "DecisionTree");
    }

    /** Fit `target` on the columns `features` of `ds`; returns this. */
    public DecisionTree fit(Dataset ds, String target, String... features) {
        checkOpen();
        CrmTreeOptions opts = build();
        try {
            attach(CApi.crm_tree_fit(ds.ptr(), Dataset.requireText(target, "fit(target)"),
                names(features, "fit(features)"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return this;
    }

    /** The cost-complexity pruning path (alpha, impurity, leaves) with these options. */
    public Dataset pruningPath(Dataset ds, String target, String... features) {
        CrmTreeOptions opts = build();
        try {
            return Dataset.wrap(CApi.crm_tree_pruning_path(ds.ptr(),
                Dataset.requireText(target, "pruningPath(target)"),
                names(features, "pruningPath(features)"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /** Feature importances as a table. */
    public Dataset featureImportances() {
        return Dataset.wrap(call(CApi::crm_tree_feature_importances));
    }

    /** The tree as indented text. */
    public String exportText() {
        return call(CApi::crm_tree_export_text);
    }

    /** The tree as if-then rules. */
    public String exportRules() {
        return call(CApi::crm_tree_export_rules);
    }

    /** The tree in Graphviz dot. */
    public String exportDot() {
        return call(CApi::crm_tree_export_dot);
    }
}
