package org.libcrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTest {
    static Dataset scores;
    static final String[] COLS = {"recency_days", "frequency", "monetary"};

    @BeforeAll
    static void data() {
        try (Dataset tx = Crm.synth(Map.of("customers", 300, "days", 200, "seed", 7, "dirt", 0))) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("customer", "CustomerID");
            o.put("date", "InvoiceDate");
            o.put("quantity", "Quantity");
            o.put("price", "UnitPrice");
            o.put("invoice", "InvoiceNo");
            try (Dataset clean = tx.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0")) {
                scores = Crm.rfm(clean, o);
            }
        }
    }

    @AfterAll
    static void free() {
        scores.close();
    }

    static Map<String, Object> km(Object... extra) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("k", 3);
        o.put("seed", 1);
        o.put("n_threads", 1);
        o.put("standardize", true);
        for (int i = 0; i < extra.length; i += 2) {
            o.put((String) extra[i], extra[i + 1]);
        }
        return o;
    }

    @Test
    void kmeansFitPredictStatsSaveLoad(@TempDir Path dir) {
        try (KMeans m = new KMeans(km("mutate", List.of("monetary=log1p(monetary)"))).fit(scores, COLS);
             Dataset summary = m.summary();
             Dataset labelled = scores.copy()) {
            assertEquals(3, summary.nrows());
            LinkedHashMap<String, Double> stats = m.stats();
            assertTrue(stats.containsKey("inertia"), stats.toString());
            assertEquals(stats.get("inertia"), m.stat("inertia"));
            assertEquals(List.of("monetary=log1p(monetary)"), m.mutateSteps());
            m.predict(labelled);
            double[] c = labelled.getNumbers("cluster");
            assertEquals(scores.nrows(), c.length);
            assertEquals("kmeans", m.kindName());
            assertThrows(CrmException.NotFound.class, () -> m.stat("no_such_stat"));

            String path = dir.resolve("m.json").toString();
            m.save(path);
            try (Model loaded = Model.load(path); Model fromJson = Model.fromJson(m.toJson());
                 Dataset again = scores.copy()) {
                assertInstanceOf(KMeans.class, loaded);
                assertEquals(stats, loaded.stats());
                assertEquals(stats, fromJson.stats());
                loaded.predict(again, "cluster");
                assertEquals(java.util.Arrays.toString(c),
                    java.util.Arrays.toString(again.getNumbers("cluster")));
            }
        }
    }

    @Test
    void regressionsAndTree() {
        try (Dataset ds = scores.copy()) {
            ds.mutate("loyal", "frequency > 2");
            try (LogisticRegression lr = new LogisticRegression(Map.of("missing", "drop", "solver", "newton"))
                     .fit(ds, "loyal", "recency_days", "monetary");
                 LinearRegression lin = new LinearRegression(Options.of("fit_intercept", true))
                     .fit(ds, "monetary", "frequency");
                 DecisionTree tree = new DecisionTree(Map.of("max_depth", 3, "task", "classification"))
                     .fit(ds, "loyal", "recency_days", "monetary")) {
                assertTrue(lr.stats().size() > 0);
                assertTrue(lin.stat("r2") >= 0);
                assertTrue(tree.exportText().length() > 0);
                lr.predict(ds, "p");
                assertTrue(ds.hasColumn("p"));
            }
        }
    }

    @Test
    void arimaForecasts() {
        double[] y = new double[48];
        for (int i = 0; i < y.length; i++) {
            y[i] = 100 + i + 10 * Math.sin(i * Math.PI / 6);
        }
        try (Arima m = new Arima(Map.of("p", 1, "d", 1, "q", 0)).fit(y); Dataset fc = m.forecast(6, 90)) {
            assertEquals(6, fc.nrows());
            assertTrue(fc.hasColumn("lower"));
            assertThrows(UnsupportedOperationException.class, () -> m.predict(fc));
        }
        // forecast's bias-adjusted variance by default, stats::arima's with sigma2 "stats"
        // (47 differenced values, ar1 estimated: a factor 47 / 46; the first residual, from
        // the diffuse start, adds about y[0]^2 / kappa to the sum)
        try (Arima a = new Arima(Map.of("p", 1, "d", 1, "q", 0)).fit(y);
             Arima b = new Arima(Map.of("p", 1, "d", 1, "q", 0, "sigma2", "stats")).fit(y)) {
            assertEquals(a.stat("sigma2_stats"), b.stat("sigma2"));
            assertEquals(47.0 / 46.0, a.stat("sigma2") / b.stat("sigma2"), 1e-3);
        }
    }

    @Test
    void kmeansInitCentersLengthIsChecked() {
        // init_centers travels with its count (n_init_centers): a list of the wrong length is
        // refused instead of being read past its end.
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("x", new double[] {0, 1, 2, 10, 11, 12});
        cols.put("y", new double[] {0, 0, 0, 0, 0, 0});
        try (Dataset ds = Dataset.fromColumns(cols)) {
            Object[] wrong = {new double[] {1}, new double[] {0, 0, 1}, new double[3][2],
                new double[0], List.of(0.0, 0.0, 1.0)};
            for (Object centers : wrong) {
                KMeans km = new KMeans(Map.of("k", 2, "init_centers", centers));
                CrmException.Invalid e = assertThrows(CrmException.Invalid.class,
                    () -> km.fit(ds, "x", "y"));
                assertTrue(e.getMessage().contains("init_centers"), e.getMessage());
                km.close();
            }
            // One pass from (0, 0) and (1, 0) moves them to (0, 0) and (7.2, 0).
            Object[] right = {new double[][] {{0, 0}, {1, 0}}, new double[] {0, 0, 1, 0},
                List.of(0.0, 0.0, 1.0, 0.0)};
            for (Object centers : right) {
                try (KMeans km = new KMeans(Map.of("k", 2, "init_centers", centers, "max_iter", 1))
                         .fit(ds, "x", "y");
                     Dataset summary = km.summary()) {
                    assertEquals(1.0, km.stat("n_iter"));
                    List<Object> x = summary.column("x");
                    assertEquals(0.0, (Double) x.get(0));
                    assertEquals(7.2, (Double) x.get(1), 1e-14);
                    assertEquals(5.0 + 2.8 * 2.8 + 3.8 * 3.8 + 4.8 * 4.8, km.stat("inertia"), 1e-12);
                }
            }
        }
    }

    @Test
    void misuse() {
        KMeans unfitted = new KMeans(km());
        assertThrows(IllegalStateException.class, unfitted::summary);
        KMeans m = new KMeans(km()).fit(scores, COLS);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, m::stats);
        assertThrows(IllegalStateException.class, () -> m.predict(scores));
        assertThrows(IllegalStateException.class, () -> m.fit(scores, COLS));
        // unknown option, wrong types, out of range: refused before any C call
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("kk", 3)));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("k", "three")));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("k", 3.0)));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("k", 1L << 40)));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("seed", -1)));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("init", "best")));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("tol", "small")));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("mutate", "x=1")));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("progress", 1)));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("user", 1)));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(Map.of("size", 1)));
        assertThrows(IllegalArgumentException.class,
            () -> new LogisticRegression(Map.of("positive", "Y\0es")));
        // the library's own checks
        assertThrows(CrmException.Invalid.class, () -> new KMeans(Map.of("k", 0)).fit(scores, COLS));
        assertThrows(CrmException.NotFound.class, () -> new KMeans(km()).fit(scores, "nope"));
    }

    @Test
    void progressCallbackAndCancel() {
        List<Double> seen = new ArrayList<>();
        try (KMeans m = new KMeans(km("progress", (Progress) f -> {
            seen.add(f);
            return false;
        })).fit(scores, COLS)) {
            assertTrue(m.isFitted());
        }
        assertTrue(seen.size() > 0);
        for (double f : seen) {
            assertTrue(f >= 0 && f <= 1, "fraction " + f);
        }
        CrmException.Cancelled c = assertThrows(CrmException.Cancelled.class,
            () -> new KMeans(km("progress", (Progress) f -> true)).fit(scores, COLS));
        assertEquals(-10, c.status);
    }

    static Dataset bigBlobs(int n) {
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 5) * 4.0 + (i % 7) * 0.1;
            y[i] = (i * 3 % 5) * 4.0 + (i % 11) * 0.1;
        }
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("x", x);
        cols.put("y", y);
        return Dataset.fromColumns(cols);
    }

    static Map<String, Object> km5(Object... extra) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("k", 5);
        o.put("n_init", 3);
        o.put("seed", 1);
        for (int i = 0; i < extra.length; i += 2) {
            o.put((String) extra[i], extra[i + 1]);
        }
        return o;
    }

    @Test
    void closingTheDatasetInsideTheCallback() {
        // the fit holds the dataset: closing it from the callback frees it when the fit returns
        Dataset x = bigBlobs(200000);
        String want;
        try (KMeans ref = new KMeans(km5()).fit(x, "x", "y")) {
            want = ref.toJson();
        }
        int[] calls = {0};
        try (KMeans m = new KMeans(km5("progress", (Progress) f -> {
            calls[0]++;
            x.close();
            return false;
        })).fit(x, "x", "y")) {
            assertTrue(calls[0] > 1, "the fit went on after the close");
            assertEquals(want, m.toJson());
        }
        assertTrue(x.isClosed());
        IllegalStateException closed = assertThrows(IllegalStateException.class, x::nrows);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void changingTheDatasetInsideTheCallbackThrowsState() {
        try (Dataset x = bigBlobs(20000)) {
            CrmException.State e = assertThrows(CrmException.State.class,
                () -> new KMeans(km5("progress", (Progress) f -> {
                    x.mutate("z", "x + y");
                    return false;
                })).fit(x, "x", "y"));
            assertTrue(e.getMessage().contains(
                "crm_dataset_mutate: the dataset is in use by a running call"), e.getMessage());
            e = assertThrows(CrmException.State.class,
                () -> new KMeans(Map.of("k", 5, "progress", (Progress) f -> {
                    x.dropColumn("y");
                    return false;
                })).fit(x, "x", "y"));
            assertTrue(e.getMessage().contains("crm_dataset_drop_column: the dataset is in use"),
                e.getMessage());
            assertEquals(List.of("x", "y"), x.columns());
            x.mutate("z", "x + y"); // free to change again after the fit
            assertEquals(3, x.ncols());
        }
    }

    @Test
    void exceptionInsideCallbackIsRethrownAfterTheCall() {
        IllegalStateException boom = new IllegalStateException("boom");
        KMeans m = new KMeans(km("progress", (Progress) f -> {
            throw boom;
        }));
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
            () -> m.fit(scores, COLS));
        assertSame(boom, thrown);
        assertTrue(!m.isFitted());
        // the binding still works afterwards
        try (KMeans ok = new KMeans(km()).fit(scores, COLS)) {
            assertTrue(ok.stat("inertia") > 0);
        }
    }

    @Test
    void functionsOverDatasets() {
        try (Dataset labelled = scores.copy()) {
            try (KMeans m = new KMeans(km()).fit(labelled, COLS)) {
                m.predict(labelled, "cluster");
            }
            double s = Crm.silhouette(labelled, COLS, "cluster", Map.of("n_threads", 1));
            assertTrue(s > -1 && s <= 1, "silhouette " + s);
            labelled.mutate("big", "monetary > 100");
            try (Dataset cm = Crm.classificationMetrics(labelled, "big", "big", null);
                 Dataset rm = Crm.regressionMetrics(labelled, "monetary", "monetary", null)) {
                assertTrue(cm.nrows() > 0);
                assertTrue(rm.nrows() > 0);
            }
            String[] segments = labelled.getTexts("segment");
            long champions = 0, loyal = 0, present = 0;
            for (String seg : segments) {
                if (seg == null) continue;
                present++;
                if (seg.equals("Champions")) champions++;
                if (seg.equals("Loyal Customers")) loyal++;
            }
            assertTrue(present > 0);
            assertEquals((double) champions / present,
                Crm.satisfaction(labelled, "segment", "Champions"));
            // several labels: one share (the output is one double whatever the label count)
            assertEquals((double) (champions + loyal) / present,
                Crm.satisfaction(labelled, "segment", "Champions", "Loyal Customers"));
        }
        assertTrue(Crm.rfmSegments().contains("Champions"));
        assertTrue(Crm.rfmStages().size() > 0);
        try (Dataset tx = Crm.synth(Map.of("customers", 30, "days", 120, "seed", 2, "dirt", 0));
             Dataset clean = tx.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0");
             Arima.ManyResult r = Arima.fitMany(clean.mutate("Amount", "Quantity * UnitPrice"),
                 "Country", "InvoiceDate", "Amount", 3, 95, Map.of("p", 1, "freq", "week"))) {
            assertTrue(r.fits().nrows() > 0);
            assertTrue(r.forecasts().nrows() > 0);
        }
    }

    @Test
    void aprioriAndSynth() {
        try (Dataset tx = Crm.synth(Map.of("customers", 200, "seed", 3));
             Crm.AprioriResult r = Crm.apriori(tx, "InvoiceNo", "StockCode",
                 Map.of("min_support", 0.001, "target", "all", "n_threads", 1))) {
            assertTrue(tx.nrows() > 0);
            assertTrue(r.itemsets().nrows() > 0);
            assertTrue(r.rules().columns().size() > 0);
        }
        List<Double> seen = new ArrayList<>();
        assertThrows(CrmException.Cancelled.class, () -> {
            try (Dataset tx = Crm.synth(Map.of("customers", 200, "seed", 3))) {
                Crm.apriori(tx, "InvoiceNo", "StockCode", Map.of("min_support", 0.001,
                    "progress", (Progress) f -> seen.add(f)));
            }
        });
        assertEquals(1, seen.size());
    }
}
