package org.libcrm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmClvOptions;

/**
 * Customer lifetime value: BG/NBD purchases + Gamma-Gamma spend (crm_clv_fit). Options
 * (crm_clv_options): frequency_col, recency_col, t_col, monetary_col, l2, max_iter, tol,
 * period ("day", "week"), horizon (months), discount (monthly), periods_per_month, t,
 * n_threads.
 *
 * <pre>{@code
 * try (Dataset s = Crm.clvSummary(sales, "CustomerID", "InvoiceDate", "Amount", null);
 *      Clv m = new Clv(Map.of("horizon", 12)).fit(s)) {
 *     m.params();     // r, alpha, a, b, p, q, v
 *     m.predict(s);   // adds clv, p_alive, expected_purchases, expected_spend
 * }
 * }</pre>
 */
public final class Clv extends Model {
    public Clv() {
        this((Map<String, ?>) null);
    }

    public Clv(Map<String, ?> options) {
        super(options);
        build();
    }

    public Clv(Options options) {
        this(options.asMap());
    }

    private CrmClvOptions build() {
        return Options.build(CrmClvOptions::new, options, "Clv");
    }

    @Override
    protected String defaultOutColumn() {
        return "clv";
    }

    /** Fit both models on a summary table (Crm.clvSummary or the same columns); returns this. */
    public Clv fit(Dataset summary) {
        checkOpen();
        CrmClvOptions opts = build();
        try {
            attach(CApi.crm_clv_fit(summary.ptr(), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(summary);
        }
        return this;
    }

    /** The fitted parameters: r, alpha, a, b (BG/NBD), p, q, v (Gamma-Gamma). */
    public Map<String, Double> params() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String k : new String[] {"r", "alpha", "a", "b", "p", "q", "v"}) {
            out.put(k, stat(k));
        }
        return out;
    }
}
