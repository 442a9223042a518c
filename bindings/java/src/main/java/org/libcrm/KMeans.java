package org.libcrm;

import java.util.Map;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmKmeansOptions;

/**
 * k-means segmentation (crm_kmeans_fit). Options (crm_kmeans_options): k, n_init,
 * max_iter, tol, init ("plusplus", "random", "given"), init_centers (double[] row-major or
 * double[][]; sets init "given" unless init is given), seed, standardize (boolean),
 * n_threads, algorithm ("auto", "lloyd", "hamerly"), sample_weight, mutate (String[] of
 * "NAME=EXPR" steps recorded in the model), progress ({@link Progress}).
 *
 * <pre>{@code
 * try (KMeans km = new KMeans(Map.of("k", 4, "seed", 42)).fit(rfm, "recency_days", "monetary")) {
 *     km.predict(rfm, "cluster");
 * }
 * }</pre>
 */
public final class KMeans extends Model {
    public KMeans() {
        this((Map<String, ?>) null);
    }

    public KMeans(Map<String, ?> options) {
        super(options);
        build();
    }

    public KMeans(Options options) {
        this(options.asMap());
    }

    private CrmKmeansOptions build() {
        Map<String, Object> values = Options.copy(options);
        if (values.containsKey("init_centers") && !values.containsKey("init")) {
            values.put("init", "given");
        }
        return Options.build(CrmKmeansOptions::new, values, "KMeans");
    }

    @Override
    protected String defaultOutColumn() {
        return "cluster";
    }

    /** Fit on the number columns `columns` of `ds`; returns this. */
    public KMeans fit(Dataset ds, String... columns) {
        checkOpen();
        CrmKmeansOptions opts = build();
        try {
            attach(CApi.crm_kmeans_fit(ds.ptr(), names(columns, "fit(columns)"), opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
        return this;
    }

    /** Inertia for every k in kMin..kMax with these options (k ignored). */
    public Dataset elbow(Dataset ds, String[] columns, int kMin, int kMax) {
        CrmKmeansOptions opts = build();
        try {
            return Dataset.wrap(CApi.crm_kmeans_elbow(ds.ptr(), names(columns, "elbow(columns)"),
                kMin, kMax, opts));
        } finally {
            java.lang.ref.Reference.reachabilityFence(ds);
        }
    }

    /**
     * The centers in the units of the input columns (cluster, size, one column per feature):
     * standardization and the mutate steps log1p/log/sqrt/x*c+d undone.
     */
    public Dataset centersOriginal() {
        return Dataset.wrap(call(CApi::crm_kmeans_centers_original));
    }
}
