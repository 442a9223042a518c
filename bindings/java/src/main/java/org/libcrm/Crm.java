package org.libcrm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.Constants;
import org.libcrm.capi.CrmAprioriOptions;
import org.libcrm.capi.CrmLib;
import org.libcrm.capi.CrmRfmOptions;
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
