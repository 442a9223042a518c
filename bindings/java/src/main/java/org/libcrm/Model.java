package org.libcrm;

import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmModelType;

/**
 * A fitted libcrm model of any kind (C {@code crm_model}): predict, summary, statistics,
 * JSON save/load. The fitting classes ({@link KMeans}, {@link LogisticRegression},
 * {@link LinearRegression}, {@link DecisionTree}, {@link Arima}) take their options at
 * construction (a Map or {@link Options}; unknown names are an IllegalArgumentException)
 * and fit with {@code fit(...)}, which returns the model.
 *
 * <p>Release with {@link #close()} or try-with-resources (a Cleaner frees it otherwise);
 * use after close, or before fit, throws IllegalStateException.
 */
public class Model implements AutoCloseable {
    private Handle handle;
    /** The options given at construction. */
    protected final Map<String, Object> options;

    protected Model(Map<String, ?> options) {
        this.options = Options.copy(options);
    }

    static Model wrap(Pointer owned) {
        int kind;
        try {
            kind = CApi.crm_model_kind(owned);
        } catch (RuntimeException e) {
            CApi.crm_model_free(owned);
            throw e;
        }
        Model m;
        switch (kind) {
            case CrmModelType.CRM_MODEL_KMEANS: m = new KMeans(); break;
            case CrmModelType.CRM_MODEL_LOGREG: m = new LogisticRegression(); break;
            case CrmModelType.CRM_MODEL_LINREG: m = new LinearRegression(); break;
            case CrmModelType.CRM_MODEL_TREE: m = new DecisionTree(); break;
            case CrmModelType.CRM_MODEL_ARIMA: m = new Arima(); break;
            case CrmModelType.CRM_MODEL_CLV: m = new Clv(); break;
            case CrmModelType.CRM_MODEL_FOREST: m = new RandomForest(); break;
            default: m = new Model(null); break;
        }
        m.attach(owned);
        return m;
    }

    /** Take ownership of a fitted C model (frees a previous one). */
    protected final void attach(Pointer owned) {
        Handle old = handle;
        handle = Handle.model(this, owned);
        if (old != null) {
            old.close();
        }
    }

    protected final <R> R call(Function<Pointer, R> f) {
        if (closed) {
            throw new IllegalStateException("the model has been closed");
        }
        if (handle == null) {
            throw new IllegalStateException("the model is not fitted (call fit() or load())");
        }
        try {
            return f.apply(handle.get());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Whether the model holds a fitted C model (and is not closed). */
    public boolean isFitted() {
        return handle != null && !handle.closed();
    }

    /** Free the C model now; later calls throw IllegalStateException. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (handle != null) {
            handle.close();
        }
    }

    private boolean closed;

    /** Throws IllegalStateException once the model was closed (fit after close). */
    protected final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the model has been closed");
        }
    }

    /** The default prediction column name of the kind. */
    protected String defaultOutColumn() {
        return "prediction";
    }

    /** Add the prediction column(s) to `ds` in place (named by default); returns ds. */
    public Dataset predict(Dataset ds) {
        return predict(ds, defaultOutColumn());
    }

    /** Add the prediction column(s) to `ds` in place, named `outCol`; returns ds. */
    public Dataset predict(Dataset ds, String outCol) {
        if (ds == null) {
            throw new IllegalArgumentException("predict: the dataset must not be null");
        }
        try {
            call(p -> {
                CApi.crm_model_predict(p, ds.ptr(), Dataset.requireText(outCol, "predict(outCol)"));
                return null;
            });
        } finally {
            Reference.reachabilityFence(ds);
        }
        return ds;
    }

    /** The model as a table (k-means: one row per cluster; regressions: coefficients). */
    public Dataset summary() {
        return Dataset.wrap(call(CApi::crm_model_summary));
    }

    /** One statistic by name; CrmException.NotFound lists the valid names. */
    public double stat(String name) {
        return call(p -> CApi.crm_model_stat(p, Dataset.requireText(name, "stat(name)")));
    }

    /** Every statistic, in the library's order. */
    public LinkedHashMap<String, Double> stats() {
        return call(p -> {
            LinkedHashMap<String, Double> out = new LinkedHashMap<>();
            long n = CApi.crm_model_stat_count(p);
            for (long i = 0; i < n; i++) {
                String name = CApi.crm_model_stat_name(p, i);
                out.put(name, CApi.crm_model_stat(p, name));
            }
            return out;
        });
    }

    /** The kind as in the JSON "kind" member ("kmeans", "tree", "logreg", ...). */
    public String kindName() {
        return call(p -> {
            String name = CApi.crm_model_kind_name(CApi.crm_model_kind(p));
            return name != null ? name : "unknown";
        });
    }

    /** Class labels of a classifier fitted on a text target (else empty). */
    public List<String> classes() {
        return call(p -> {
            List<String> out = new ArrayList<>();
            long n = CApi.crm_model_class_count(p);
            for (long i = 0; i < n; i++) {
                out.add(CApi.crm_model_class(p, i));
            }
            return out;
        });
    }

    /** The transform steps recorded at the fit, as "NAME=EXPR" strings. */
    public List<String> mutateSteps() {
        return call(p -> {
            List<String> out = new ArrayList<>();
            long n = CApi.crm_model_mutate_count(p);
            for (long i = 0; i < n; i++) {
                String[] step = CApi.crm_model_mutate(p, i);
                out.add(step[0] + "=" + step[1]);
            }
            return out;
        });
    }

    /** The model as versioned JSON text. */
    public String toJson() {
        return call(CApi::crm_model_to_json);
    }

    /** Write the model as JSON to `path` (atomically). */
    public void save(String path) {
        call(p -> {
            CApi.crm_model_save(p, Dataset.requireText(path, "save(path)"));
            return null;
        });
    }

    /** A model from a file written by save(), as the class of its kind. */
    public static Model load(String path) {
        return wrap(CApi.crm_model_load(Dataset.requireText(path, "load(path)")));
    }

    /** A model from JSON text, as the class of its kind. */
    public static Model fromJson(String json) {
        return wrap(CApi.crm_model_from_json(Dataset.requireText(json, "fromJson(json)")));
    }

    static String[] names(String[] names, String what) {
        if (names == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return names;
    }

    @Override
    public String toString() {
        if (!isFitted()) {
            return getClass().getSimpleName() + "(not fitted)";
        }
        return getClass().getSimpleName() + stats();
    }
}
