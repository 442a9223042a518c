package org.libcrm;

import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmLinregOptions;

/**
 * Linear least squares or ridge with inference (crm_linreg_fit). Options
 * (crm_linreg_options): l2, fit_intercept, missing ("error", "drop"), sample_weight, mutate.
 */
public final class LinearRegression extends Model {
    public LinearRegression() {
        this((Map<String, ?>) null);
    }

    public LinearRegression(Map<String, ?> options) {
        super(options);
        build();
    }

    public LinearRegression(Options options) {
        this(options.asMap());
    }

    private CrmLinregOptions build() {
        return Options.build(CrmLinregOptions::new, options, "LinearRegression");
    }

    /** Fit `target` on the columns `features` of `ds`; returns this. */
    public LinearRegression fit(Dataset ds, String target, String... features) {
        checkOpen();
        CrmLinregOptions opts = build();
        try {
            attach(CApi.crm_linreg_fit(ds.ptr(), Dataset.requireText(target, "fit(target)"),
                names(features, "fit(features)"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return this;
    }
}
