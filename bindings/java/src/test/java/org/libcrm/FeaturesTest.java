package org.libcrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL (readSql/writeSql), CLV, the HTML report, Apriori prune_redundant and
 * KMeans.centersOriginal. Expected numbers are what the Python layer
 * (bindings/python) gives on the same generated data.
 */
class FeaturesTest {
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put((String) kv[i], kv[i + 1]);
        }
        return o;
    }

    static Dataset sales() {
        Dataset tx = Crm.synth(map("customers", 300, "seed", 7, "dirt", 0));
        return tx.mutate("Amount", "Quantity * UnitPrice");
    }

    static void near(double want, Object got, String what) {
        double g = (Double) got;
        assertTrue(Math.abs(g - want) <= 1e-9 * Math.max(1, Math.abs(want)), what + ": " + g + " != " + want);
    }

    @Test
    void sqlRoundTripBoundParametersUpsertReplace(@TempDir Path dir) {
        String u = "sqlite:" + dir.resolve("shop.db");
        Instant at = Instant.parse("2024-03-01T00:00:00Z");
        try (Dataset scores = Dataset.fromColumns(map("customer", List.of("ann", "bob"),
                 "score", List.of(0.5, 0.25), "at", List.of(at, at)));
             Dataset update = Dataset.fromColumns(map("customer", List.of("bob", "cid"),
                 "score", List.of(0.75, 1.0), "at", Arrays.asList(null, at.plusSeconds(86400))))) {
            assertSame(scores, scores.writeSql(u, "scores", map("key", "customer")));
            CrmException e = assertThrows(CrmException.State.class, () -> scores.writeSql(u, "scores"));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            update.writeSql(u, "scores", map("mode", "upsert", "key", List.of("customer")));
            try (Dataset back = Dataset.readSql(u, "SELECT customer, score, at FROM scores ORDER BY customer")) {
                assertEquals(List.of("ann", "bob", "cid"), back.column("customer"));
                assertEquals(List.of(0.5, 0.75, 1.0), back.column("score"));
                assertEquals("time", back.type("at"));
            }
            try (Dataset b = Dataset.readSql(u, "SELECT customer FROM scores WHERE score > ? AND customer <> ?",
                     List.of(0.6, "cid"))) {
                assertEquals(List.of("bob"), b.column("customer"));
            }
            try (Dataset b = Dataset.readSql(u, "SELECT customer FROM scores WHERE at >= ?",
                     List.of(at.plusSeconds(12 * 3600)))) {
                assertEquals(List.of("cid"), b.column("customer"));
            }
            try (Dataset b = Dataset.readSql(u, "SELECT customer FROM scores WHERE at IS ?",
                     Arrays.asList((Object) null))) {
                assertEquals(List.of("bob"), b.column("customer"));
            }
            for (String evil : new String[] {"ann' OR '1'='1", "1; DROP TABLE scores; --"}) {
                try (Dataset b = Dataset.readSql(u, "SELECT * FROM scores WHERE customer = ?", List.of(evil))) {
                    assertEquals(0, b.nrows());
                }
            }
            try (Dataset b = Dataset.readSql(u, "SELECT * FROM scores", null, map("max_rows", 2))) {
                assertEquals(2, b.nrows());
            }
            e = assertThrows(CrmException.Invalid.class, () -> update.writeSql(u, "scores", map("mode", "append")));
            assertTrue(e.getMessage().contains("UNIQUE constraint failed"), e.getMessage());
            update.writeSql(u, "scores", map("mode", "replace",
                "column_types", map("score", "DOUBLE PRECISION")));
            try (Dataset b = Dataset.readSql(u, "SELECT customer FROM scores ORDER BY 1")) {
                assertEquals(List.of("bob", "cid"), b.column("customer"));
            }
        }
    }

    @Test
    void sqlProgressCancelAndBadInput(@TempDir Path dir) {
        String u = "sqlite:" + dir.resolve("shop.db");
        double[] ids = new double[100];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Dataset rows = Dataset.fromColumns(map("id", ids));
        List<Double> seen = new ArrayList<>();
        rows.writeSql(u, "ids", map("batch_rows", 10, "progress", (Progress) f -> {
            seen.add(f);
            return false;
        }));
        assertTrue(seen.size() >= 10, seen.toString());
        assertEquals(1.0, seen.get(seen.size() - 1));
        int[] calls = {0};
        assertThrows(CrmException.Cancelled.class, () -> rows.writeSql(u, "ids", map("mode", "append",
            "batch_rows", 10, "progress", (Progress) f -> ++calls[0] >= 2)));
        assertEquals(2, calls[0]);
        IllegalStateException boom = assertThrows(IllegalStateException.class, () -> rows.writeSql(u, "ids",
            map("mode", "append", "batch_rows", 10, "progress", (Progress) f -> {
                throw new IllegalStateException("boom");
            })));
        assertEquals("boom", boom.getMessage());
        try (Dataset b = Dataset.readSql(u, "SELECT * FROM ids")) {
            assertEquals(100, b.nrows());
        }
        assertTrue(assertThrows(CrmException.Parse.class, () -> Dataset.readSql(u, "SELEC 1"))
            .getMessage().contains("near \"SELEC\": syntax error"));
        assertTrue(assertThrows(CrmException.Parse.class, () -> Dataset.readSql(u, "SELECT * FROM nope"))
            .getMessage().contains("no such table: nope"));
        assertThrows(CrmException.IO.class,
            () -> Dataset.readSql("sqlite:" + dir.resolve("no").resolve("x.db"), "SELECT 1"));
        assertThrows(CrmException.Invalid.class, () -> Dataset.readSql("oracle://x", "SELECT 1"));
        CrmException missing = assertThrows(CrmException.class, () -> Dataset.readSql(u, "SELECT 1", null,
            map("client_library", "libsqlite3-not-installed.so.0")));
        assertTrue(missing.getMessage().contains("install libsqlite3-0"), missing.getMessage());
        assertTrue(assertThrows(CrmException.Invalid.class, () -> Dataset.readSql(u, "SELECT ?"))
            .getMessage().contains("placeholder"));
        assertThrows(IllegalArgumentException.class, () -> Dataset.readSql(u, "SELECT ?", List.of(new Object())));
        assertThrows(IllegalArgumentException.class, () -> Dataset.readSql(u, "SELECT 1", null, map("colour", 1)));
        assertThrows(IllegalArgumentException.class, () -> rows.writeSql(u, "ids", map("mode", "merge")));
        assertThrows(IllegalArgumentException.class, () -> rows.writeSql(null, "ids"));
        rows.close();
        assertThrows(IllegalStateException.class, () -> rows.writeSql(u, "ids2"));
    }

    @Test
    void clvGivesThePythonParameters() {
        try (Dataset tx = sales();
             Dataset s = Crm.clvSummary(tx, "CustomerID", "InvoiceDate", "Amount", null);
             Clv m = new Clv().fit(s)) {
            assertEquals(List.of("customer", "frequency", "recency", "T", "monetary"), s.columns());
            assertEquals(300, s.nrows());
            assertEquals("clv", m.kindName());
            Map<String, Double> want = map("r", 0.3626434111265205, "alpha", 16.27330338210772,
                "a", 8.384072550252876, "b", 115.29483987109178, "p", 0.4221139800399,
                "q", 1.2086697333139507, "v", 218.37645130702975).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (Double) e.getValue()));
            Map<String, Double> got = m.params();
            assertEquals(want.keySet(), got.keySet());
            for (String k : want.keySet()) {
                near(want.get(k), got.get(k), k);
            }
            m.predict(s);
            double[] clv = {221.2096562151518, 506.9642272791755, 574.4764644320077};
            double[] alive = {0.9131683407042812, 0.36551913621590976, 0.9008848739448346};
            for (int i = 0; i < 3; i++) {
                near(clv[i], s.column("clv").get(i), "clv");
                near(alive[i], s.column("p_alive").get(i), "p_alive");
            }
            try (Dataset w = Crm.clvSummary(tx, "CustomerID", "InvoiceDate", "Amount", map("period", "week",
                     "calibration_end", Instant.parse("2023-06-30T00:00:00Z")))) {
                assertEquals(235, w.nrows());
                assertEquals(687.0, sum(w.column("frequency")));
                assertEquals(308.0, sum(w.column("frequency_holdout")));
                near(20856.79333333333, sum(w.column("monetary_holdout")), "monetary_holdout");
            }
            try (Model back = Model.fromJson(m.toJson())) {
                assertInstanceOf(Clv.class, back);
            }
            assertThrows(CrmException.Invalid.class, () -> new Clv(map("l2", -1.0)).fit(s));
            assertThrows(CrmException.NotFound.class, () -> new Clv().fit(tx));
            assertThrows(CrmException.NotFound.class, () -> Crm.clvSummary(tx, "Nope", "InvoiceDate", "Amount", null));
            assertThrows(IllegalArgumentException.class, () -> new Clv(map("colour", 1)));
            assertThrows(IllegalArgumentException.class,
                () -> Crm.clvSummary(tx, "CustomerID", "InvoiceDate", "Amount", map("period", "year")));
            assertThrows(IllegalStateException.class, () -> new Clv().params());
        }
    }

    static Double sum(List<Object> values) {
        double t = 0;
        for (Object v : values) {
            t += v == null ? 0 : (Double) v;
        }
        return t;
    }

    @Test
    void aprioriPruneRedundantAndCentersOriginal() {
        try (Dataset tx = sales()) {
            Crm.AprioriResult all = Crm.apriori(tx, "InvoiceNo", "Description",
                map("min_support", 0.01, "min_confidence", 0.1));
            Crm.AprioriResult pruned = Crm.apriori(tx, "InvoiceNo", "Description",
                map("min_support", 0.01, "min_confidence", 0.1, "prune_redundant", true));
            assertEquals(886, all.itemsets().nrows());
            assertEquals(7308, all.rules().nrows());
            assertEquals(672, pruned.rules().nrows());
            try (KMeans km = new KMeans(map("k", 3, "seed", 1, "standardize", true,
                     "mutate", List.of("lm=log1p(Amount)"))).fit(tx, "lm", "Quantity");
                 Dataset c = km.centersOriginal()) {
                assertEquals(List.of("cluster", "size", "lm", "Quantity"), c.columns());
                assertEquals(List.of(174.0, 5980.0, 3408.0), c.column("size"));
                double[] lm = {4.541729673251169, 1.6922479909083772, 3.8265826686835185};
                double[] q = {109.47126436781609, 4.047324414715718, 11.127934272300468};
                for (int i = 0; i < 3; i++) {
                    near(lm[i], c.column("lm").get(i), "lm");
                    near(q[i], c.column("Quantity").get(i), "Quantity");
                }
            }
            assertThrows(IllegalStateException.class, () -> new KMeans().centersOriginal());
        }
    }

    @Test
    void reportBytesEqualPython(@TempDir Path dir) throws Exception {
        try (Dataset shop = Crm.synth(map("customers", 300, "seed", 7));
             Dataset tx = shop.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0 "
                 + "and not startswith(InvoiceNo, 'C')")) {
            Map<String, Object> o = map("quantity", "Quantity", "price", "UnitPrice", "invoice", "InvoiceNo",
                "item", "Description", "title", "Shop <&> report", "currency", "€", "n_threads", 1);
            byte[] page = Crm.reportHtml(tx, "CustomerID", "InvoiceDate", o).getBytes(StandardCharsets.UTF_8);
            assertEquals(92625, page.length);
            assertEquals("fe822854590e1b5befab57112578d88a58d327524a0e7e6977374640f62cc586",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(page)));
            Path file = dir.resolve("r.html");
            Crm.report(tx, file.toString(), "CustomerID", "InvoiceDate", o);
            assertArrayEquals(page, Files.readAllBytes(file));
            assertThrows(CrmException.NotFound.class,
                () -> Crm.reportHtml(tx, "NoSuchColumn", "InvoiceDate", map("amount", "Quantity")));
            assertThrows(CrmException.Invalid.class,
                () -> Crm.reportHtml(tx, "CustomerID", "InvoiceDate", map("amount", "Quantity", "k", 0)));
            assertThrows(IllegalArgumentException.class,
                () -> Crm.reportHtml(tx, "CustomerID", "InvoiceDate", map("colour", "red")));
            assertThrows(CrmException.IO.class, () -> Crm.report(tx, dir.resolve("no").resolve("r.html").toString(),
                "CustomerID", "InvoiceDate", map("amount", "Quantity")));
        }
    }

    @Test
    void randomForestMatchesPython() {
        int n = 300;
        double[] x1 = new double[n];
        double[] x2 = new double[n];
        String[] label = new String[n];
        for (int i = 0; i < n; i++) {
            x1[i] = i % 17;
            x2[i] = (i * 7) % 13;
            label[i] = ((x1[i] + x2[i] > 14) != (i % 11 == 0)) ? "yes" : "no";
        }
        try (Dataset ds = Dataset.fromColumns(map("x1", x1, "x2", x2, "label", label));
             RandomForest f = new RandomForest(map("n_trees", 50, "seed", 3, "n_threads", 1,
                 "importance", "permutation")).fit(ds, "label", "x1", "x2")) {
            assertEquals("forest", f.kindName());
            assertEquals(50, f.nTrees());
            near(0.17666666666666667, f.stat("oob_error"), "oob_error");
            Map<String, Double> imp = f.featureImportances();
            near(0.6849053514423824, imp.get("x1"), "x1");
            near(0.3150946485576176, imp.get("x2"), "x2");
            Map<String, Double> perm = f.permutationImportances();
            near(0.210881740775075, perm.get("x1"), "perm x1");
            near(0.1336230554348413, perm.get("x2"), "perm x2");
            List<Integer> bag = f.bag(0);
            assertEquals(List.of(1, 1, 0, 1, 0, 1, 0, 1, 1, 0), bag.subList(0, 10));
            assertEquals(300, bag.stream().mapToInt(Integer::intValue).sum());
            f.predict(ds);
            assertEquals(List.of("no", "no", "no", "no", "no"), ds.column("prediction").subList(0, 5));
            double[] proba = {0.551, 1.0, 0.98};
            for (int i = 0; i < 3; i++) {
                near(proba[i], ds.column("prediction_proba").get(i), "proba");
            }
            try (DecisionTree t = f.tree(0)) {
                assertTrue(t.exportRules().length() > 0);
            }
            f.oobPredict(ds);
            assertTrue(ds.columns().contains("oob_prediction"));
            try (Model back = Model.fromJson(f.toJson())) {
                assertInstanceOf(RandomForest.class, back);
            }
            try (RandomForest r = new RandomForest(map("n_trees", 30, "seed", 3, "n_threads", 1))
                     .fit(ds, "x1", "x2")) {
                near(25.86318367120793, r.stat("oob_error"), "regression oob_error");
                assertEquals(null, r.permutationImportances());
            }
            assertThrows(CrmException.Invalid.class, () -> new RandomForest(map("n_trees", 0)).fit(ds, "label", "x1"));
            assertThrows(CrmException.NotFound.class, () -> new RandomForest().fit(ds, "label", "nope"));
            assertThrows(IllegalArgumentException.class, () -> new RandomForest(map("colour", 1)));
            assertThrows(IllegalStateException.class, () -> new RandomForest().featureImportances());
            assertThrows(CrmException.Cancelled.class, () -> new RandomForest(map("n_trees", 20,
                "progress", (Progress) x -> true)).fit(ds, "label", "x1"));
        }
    }
}
