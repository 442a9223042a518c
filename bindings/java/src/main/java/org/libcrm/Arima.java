package org.libcrm;

import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmArimaOptions;

/**
 * (Seasonal) ARIMA with automatic orders (crm_arima_*). Options (crm_arima_options): p, d,
 * q, sp, sd, sq, period, include_mean, include_drift, method ("css_ml", "ml", "css"),
 * auto_order (alias "auto"; boolean), max_p, max_q, max_sp, max_sq, max_d, max_sd,
 * stepwise, ic ("aicc", "aic", "bic"), fixed (double[], NaN = estimate), freq ("day",
 * "week", "month", "quarter", "year"), n_threads, progress ({@link Progress}), sigma2
 * ("forecast", the default: forecast::Arima / auto.arima's bias-adjusted variance and
 * intervals; "stats": stats::arima's, as stats::predict) ...
 *
 * <pre>{@code
 * Arima m = new Arima(Map.of("auto", true)).fitDataset(ds, "date", "value", "month");
 * Dataset fc = m.forecast(12, 95);
 * }</pre>
 */
public final class Arima extends Model {
    public Arima() {
        this((Map<String, ?>) null);
    }

    public Arima(Map<String, ?> options) {
        super(options);
        build(null);
    }

    public Arima(Options options) {
        this(options.asMap());
    }

    private CrmArimaOptions build(String period) {
        Map<String, Object> values = Options.copy(options);
        if (values.containsKey("auto")) {
            values.put("auto_order", values.remove("auto"));
        }
        if (period != null) {
            values.put("freq", period);
        }
        return Options.build(CrmArimaOptions::new, values, "Arima");
    }

    /** Fit on a series in time order (NaN = missing); returns this. */
    public Arima fit(double[] values) {
        checkOpen();
        if (values == null) {
            throw new IllegalArgumentException("fit(values) must not be null");
        }
        attach(CApi.crm_arima_fit(values, build(null)));
        return this;
    }

    /**
     * Sum `valueCol` per calendar period of `timeCol` and fit; `period` ("day", "week",
     * "month", "quarter", "year") or null for the freq option. Returns this.
     */
    public Arima fitDataset(Dataset ds, String timeCol, String valueCol, String period) {
        checkOpen();
        CrmArimaOptions opts = build(period);
        try {
            attach(CApi.crm_arima_fit_dataset(ds.ptr(), Dataset.requireText(timeCol, "timeCol"),
                Dataset.requireText(valueCol, "valueCol"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return this;
    }

    /** Forecast h steps with 80 and 95 % intervals (lower_80, upper_80, lower_95, upper_95). */
    public Dataset forecast(int h) {
        return Dataset.wrap(call(p -> CApi.crm_arima_forecast_levels(p, h, null)));
    }

    /** Forecast h steps with one interval at `level` percent (columns lower, upper). */
    public Dataset forecast(int h, double level) {
        return Dataset.wrap(call(p -> CApi.crm_arima_forecast(p, h, level)));
    }

    /** Forecast h steps with an interval per level (lower_L, upper_L). */
    public Dataset forecast(int h, double[] levels) {
        return Dataset.wrap(call(p -> CApi.crm_arima_forecast_levels(p, h, levels)));
    }

    /** The fits (one row per group) and forecasts of {@link #fitMany}; close both. */
    public record ManyResult(Dataset fits, Dataset forecasts) implements AutoCloseable {
        @Override
        public void close() {
            fits.close();
            forecasts.close();
        }
    }

    /**
     * One model per group of `byCol` (crm_arima_fit_many), fitted in parallel, each
     * forecast h steps with an interval at `level` percent. Options as the constructor's.
     */
    public static ManyResult fitMany(Dataset ds, String byCol, String timeCol, String valueCol,
                                     int h, double level, Map<String, ?> options) {
        CrmArimaOptions opts = new Arima(options).build(null);
        try {
            com.sun.jna.Pointer[] out = CApi.crm_arima_fit_many(ds.ptr(),
                Dataset.requireText(byCol, "byCol"), Dataset.requireText(timeCol, "timeCol"),
                Dataset.requireText(valueCol, "valueCol"), h, level, opts);
            return new ManyResult(Dataset.wrap(out[0]), Dataset.wrap(out[1]));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /** ARIMA forecasts ahead of its series: use forecast(h). */
    @Override
    public Dataset predict(Dataset ds, String outCol) {
        throw new UnsupportedOperationException("Arima forecasts ahead of its series: use forecast(h)");
    }
}
