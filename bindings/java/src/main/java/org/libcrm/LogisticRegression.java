package org.libcrm;

import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmLogregOptions;

/**
 * Binary logistic regression with inference (crm_logreg_fit). Options (crm_logreg_options):
 * l2, fit_intercept, standardize (booleans for the flags), positive (the positive class of a
 * text target), class_weight ("none", "balanced"), max_iter, tol, missing ("error",
 * "drop"), solver ("auto", "newton", "lbfgs"), sample_weight, n_threads, mutate,
 * progress ({@link Progress}). predict adds the class and "&lt;name&gt;_proba".
 */
public final class LogisticRegression extends Model {
    public LogisticRegression() {
        this((Map<String, ?>) null);
    }

    public LogisticRegression(Map<String, ?> options) {
        super(options);
        build();
    }

    public LogisticRegression(Options options) {
        this(options.asMap());
    }

    private CrmLogregOptions build() {
        return Options.build(CrmLogregOptions::new, options, "LogisticRegression");
    }

    /** Fit `target` on the columns `features` of `ds`; returns this. */
    public LogisticRegression fit(Dataset ds, String target, String... features) {
        checkOpen();
        CrmLogregOptions opts = build();
        try {
            attach(CApi.crm_logreg_fit(ds.ptr(), Dataset.requireText(target, "fit(target)"),
                names(features, "fit(features)"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return this;
    }
}
