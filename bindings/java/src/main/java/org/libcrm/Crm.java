package org.libcrm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.Constants;
import org.libcrm.capi.CrmAprioriOptions;
import org.libcrm.capi.CrmClvSummaryOptions;
import org.libcrm.capi.CrmLib;
import org.libcrm.capi.CrmMetricsOptions;
import org.libcrm.capi.CrmReportOptions;
import org.libcrm.capi.CrmRfmOptions;
import org.libcrm.capi.CrmSilhouetteOptions;
import org.libcrm.capi.CrmSynthOptions;

/** Library information and the analyses that are functions rather than models. */
public final class Crm {
    private Crm() {}

    /** Version of the headers this binding was generated from ("MAJOR.MINOR.PATCH"). */
    public static final String BINDING_VERSION = Constants.CRM_VERSION_STRING;

    /** Version of the loaded library (crm_version()). */
    public static String version() {
        return CApi.crm_version();
    }

    /** MAJOR * 10000 + MINOR * 100 + PATCH of the loaded library. */
    public static int versionNumber() {
        return CApi.crm_version_number();
    }

    /** Where the library was loaded from (libcrm.path, LIBCRM_PATH or "libcrm.so.1"). */
    public static String libraryPath() {
        return CrmLib.LIBRARY_PATH;
    }

    /**
     * RFM scores per customer (crm_rfm). Options (crm_rfm_options): customer, date,
     * amount, quantity, price, invoice (column names), as_of (epoch seconds), bins,
     * active_days, inactive_days, churn_days.
     */
    public static Dataset rfm(Dataset tx, Map<String, ?> options) {
        CrmRfmOptions opts = Options.build(CrmRfmOptions::new, options, "rfm");
        try {
            return Dataset.wrap(CApi.crm_rfm(tx.ptr(), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(tx);
        }
    }

    /** rfm with an {@link Options} builder, e.g. {@code new RfmOptions().customer("id")}. */
    public static Dataset rfm(Dataset tx, Options options) {
        return rfm(tx, options.asMap());
    }

    /** The default as_of of rfm: the midnight after the last date, epoch seconds. */
    public static long rfmDefaultAsOf(Dataset tx, String dateCol) {
        try {
            return CApi.crm_rfm_default_as_of(tx.ptr(), Dataset.requireText(dateCol, "dateCol"));
        } finally {
            java.lang.ref.Reference.reachabilityFence(tx);
        }
    }

    /** The RFM segment names. */
    public static List<String> rfmSegments() {
        List<String> out = new ArrayList<>();
        for (long i = 0, n = CApi.crm_rfm_segment_count(); i < n; i++) {
            out.add(CApi.crm_rfm_segment_name(i));
        }
        return out;
    }

    /** The customer lifecycle stage names. */
    public static List<String> rfmStages() {
        List<String> out = new ArrayList<>();
        for (long i = 0, n = CApi.crm_rfm_stage_count(); i < n; i++) {
            out.add(CApi.crm_rfm_stage_name(i));
        }
        return out;
    }

    /** Net promoter score of a 0..10 rating column. */
    public static double nps(Dataset ds, String col) {
        try {
            return CApi.crm_nps(ds.ptr(), Dataset.requireText(col, "nps(col)"));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /**
     * Share of the non-missing cells of `col` that are positive: text cells equal to one of
     * `positive`, or cells equal to 1 of a 0/1 number column (no labels given).
     */
    public static double satisfaction(Dataset ds, String col, String... positive) {
        try {
            return CApi.crm_satisfaction(ds.ptr(), Dataset.requireText(col, "satisfaction(col)"),
                positive);
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /** Conversion funnel over the ordered `stages` of `stageCol`. */
    public static Dataset funnel(Dataset ds, String stageCol, String... stages) {
        try {
            return Dataset.wrap(CApi.crm_funnel(ds.ptr(),
                Dataset.requireText(stageCol, "funnel(stageCol)"), stages));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /**
     * Mean silhouette coefficient of the clustering in `labelCol` over the number
     * columns `cols`. Options (crm_silhouette_options): sample_size, seed, n_threads.
     */
    public static double silhouette(Dataset ds, String[] cols, String labelCol,
                                    Map<String, ?> options) {
        CrmSilhouetteOptions opts = Options.build(CrmSilhouetteOptions::new, options,
            "silhouette");
        try {
            return CApi.crm_silhouette(ds.ptr(), cols,
                Dataset.requireText(labelCol, "silhouette(labelCol)"), opts);
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /**
     * Classification metrics of a score or label column against `truth`. Options
     * (crm_metrics_options): positive, threshold, sample_weight.
     */
    public static Dataset classificationMetrics(Dataset ds, String truth, String score,
                                                Map<String, ?> options) {
        CrmMetricsOptions opts = Options.build(CrmMetricsOptions::new, options,
            "classificationMetrics");
        try {
            return Dataset.wrap(CApi.crm_metrics_classification(ds.ptr(),
                Dataset.requireText(truth, "truth"), Dataset.requireText(score, "score"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /** Regression metrics of `prediction` against `truth` (options: sample_weight). */
    public static Dataset regressionMetrics(Dataset ds, String truth, String prediction,
                                            Map<String, ?> options) {
        CrmMetricsOptions opts = Options.build(CrmMetricsOptions::new, options,
            "regressionMetrics");
        try {
            return Dataset.wrap(CApi.crm_metrics_regression(ds.ptr(),
                Dataset.requireText(truth, "truth"),
                Dataset.requireText(prediction, "prediction"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /** Frequent itemsets and association rules, both Datasets (close both). */
    public record AprioriResult(Dataset itemsets, Dataset rules) implements AutoCloseable {
        @Override
        public void close() {
            itemsets.close();
            rules.close();
        }
    }

    /**
     * Apriori on a long table of (transaction, item) rows. Options (crm_apriori_options):
     * min_support, min_count, max_len, target ("all", "closed", "maximal"),
     * min_confidence, min_lift, n_threads, separator, progress ({@link Progress}).
     */
    public static AprioriResult apriori(Dataset tx, String tid, String item,
                                        Map<String, ?> options) {
        CrmAprioriOptions opts = Options.build(CrmAprioriOptions::new, options, "apriori");
        try {
            com.sun.jna.Pointer[] out = CApi.crm_apriori(tx.ptr(),
                Dataset.requireText(tid, "tid"), Dataset.requireText(item, "item"), opts);
            return new AprioriResult(Dataset.wrap(out[0]), Dataset.wrap(out[1]));
        } finally {
            java.lang.ref.Reference.reachabilityFence(tx);
        }
    }

    /** apriori with an {@link Options} builder ({@code new AprioriOptions().minSupport(0.01)}). */
    public static AprioriResult apriori(Dataset tx, String tid, String item, Options options) {
        return apriori(tx, tid, item, options.asMap());
    }

    /**
     * The per-customer summary table every CLV model starts from (crm_clv_summary): customer,
     * frequency, recency, T, monetary, and with calibration_end (epoch seconds or an Instant,
     * inclusive) frequency_holdout, monetary_holdout, duration_holdout. Options: period
     * ("day", "week"), calibration_end, observation_end; may be null.
     */
    public static Dataset clvSummary(Dataset tx, String customer, String date, String amount,
                                     Map<String, ?> options) {
        Map<String, Object> o = instants(options, "calibration_end", "observation_end");
        o.put("customer", customer);
        o.put("date", date);
        o.put("amount", amount);
        CrmClvSummaryOptions opts = Options.build(CrmClvSummaryOptions::new, o, "clvSummary");
        try {
            return Dataset.wrap(CApi.crm_clv_summary(tx.ptr(), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(tx);
        }
    }

    /**
     * Write the HTML report of transaction table `tx` to `path` (atomically;
     * crm_report_write). Options (crm_report_options): amount (or quantity and price),
     * invoice, item, filter, title, currency, as_of (epoch seconds or an Instant), bins,
     * active_days, inactive_days, k, seed, churn_days, top_at_risk, top_clv, min_support,
     * min_lift, max_rules, horizon, n_threads; may be null.
     */
    public static void report(Dataset tx, String path, String customer, String date,
                              Map<String, ?> options) {
        CrmReportOptions opts = reportOptions(customer, date, options, "report");
        try {
            CApi.crm_report_write(tx.ptr(), opts, Dataset.requireText(path, "report(path)"));
        } finally {
            java.lang.ref.Reference.reachabilityFence(tx);
        }
    }

    /** The HTML report of `tx` as a String (the page report() writes). */
    public static String reportHtml(Dataset tx, String customer, String date,
                                    Map<String, ?> options) {
        CrmReportOptions opts = reportOptions(customer, date, options, "reportHtml");
        try {
            return CApi.crm_report_render(tx.ptr(), opts);
        } finally {
            java.lang.ref.Reference.reachabilityFence(tx);
        }
    }

    private static CrmReportOptions reportOptions(String customer, String date,
                                                  Map<String, ?> options, String what) {
        Map<String, Object> o = instants(options, "as_of");
        o.values().removeIf(v -> v == null);
        o.put("customer", customer);
        o.put("date", date);
        return Options.build(CrmReportOptions::new, o, what);
    }

    private static Map<String, Object> instants(Map<String, ?> options, String... keys) {
        Map<String, Object> o = Options.copy(options);
        for (String k : keys) {
            if (o.get(k) instanceof java.time.Instant) {
                o.put(k, ((java.time.Instant) o.get(k)).getEpochSecond());
            }
        }
        return o;
    }

    /**
     * Synthetic transactions (crm_synth_transactions). Options (crm_synth_options):
     * customers, products, days, start (epoch seconds), seed, dirt.
     */
    public static Dataset synth(Map<String, ?> options) {
        CrmSynthOptions opts = Options.build(CrmSynthOptions::new, options, "synth");
        return Dataset.wrap(CApi.crm_synth_transactions(opts));
    }

    /** synth with an {@link Options} builder ({@code new SynthOptions().customers(100)}). */
    public static Dataset synth(Options options) {
        return synth(options.asMap());
    }

    /** A saved model of any kind. */
    public static Model loadModel(String path) {
        return Model.load(path);
    }
}
