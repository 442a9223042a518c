package org.libcrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    static Dataset small() {
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("id", new String[] {"a", "b", null, "a"});
        cols.put("x", new double[] {1.5, Double.NaN, -3.0, 1.5});
        cols.put("t", new long[] {0L, 86400L, Dataset.TIME_MISSING, 1700000000L});
        return Dataset.fromColumns(cols);
    }

    @Test
    void columnsRoundTripInBulk() {
        try (Dataset ds = small()) {
            assertEquals(4, ds.nrows());
            assertEquals(List.of("id", "x", "t"), ds.columns());
            assertEquals(Map.of("id", "text", "x", "number", "t", "time"), ds.dtypes());
            assertArrayEquals(new String[] {"a", "b", null, "a"}, ds.getTexts("id"));
            double[] x = ds.getNumbers("x");
            assertEquals(1.5, x[0]);
            assertTrue(Double.isNaN(x[1]));
            assertEquals(-3.0, x[2]);
            assertArrayEquals(new long[] {0L, 86400L, Dataset.TIME_MISSING, 1700000000L},
                ds.getTimes("t"));
            assertEquals(1, ds.missing("x"));
            assertEquals(1, ds.missing("id"));
            assertEquals(Arrays.asList(1.5, null, -3.0, 1.5), ds.column("x"));
            assertEquals(Instant.ofEpochSecond(86400L), ds.column("t").get(1));
        }
    }

    @Test
    void textKeepsUnicodeAndEveryBitOfNumbers() {
        double[] bits = {Double.MIN_VALUE, -0.0, 1e308, Math.PI, Double.longBitsToDouble(0x3ff0000000000001L)};
        try (Dataset ds = new Dataset().addTexts("s", new String[] {"Zoë", "日本", "a\"b\\c", ""})
                 .addNumbers("v", new double[] {bits[0], bits[1], bits[2], bits[3]})) {
            assertArrayEquals(new String[] {"Zoë", "日本", "a\"b\\c", ""}, ds.getTexts("s"));
            double[] back = ds.getNumbers("v");
            for (int i = 0; i < 4; i++) {
                assertEquals(Double.doubleToRawLongBits(bits[i]), Double.doubleToRawLongBits(back[i]));
            }
        }
    }

    @Test
    void fromListsInfersTypes() {
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("n", Arrays.asList(1, 2.5, null));
        cols.put("s", Arrays.asList("x", null, "y"));
        cols.put("d", Arrays.asList(LocalDate.of(1970, 1, 2), null, Instant.ofEpochSecond(5)));
        try (Dataset ds = Dataset.fromColumns(cols)) {
            assertEquals(Map.of("n", "number", "s", "text", "d", "time"), ds.dtypes());
            assertArrayEquals(new long[] {86400L, Dataset.TIME_MISSING, 5L}, ds.getTimes("d"));
        }
        Map<String, Object> mixed = Map.of("m", Arrays.asList(1, "x"));
        assertThrows(IllegalArgumentException.class, () -> Dataset.fromColumns(mixed));
        Map<String, Object> odd = Map.of("o", new Object[] {new Object()});
        assertThrows(IllegalArgumentException.class, () -> Dataset.fromColumns(odd));
    }

    @Test
    void derivedDatasetsAreIndependent() {
        try (Dataset ds = small();
             Dataset f = ds.filter("x > 0");
             Dataset sel = ds.select("x", "id");
             Dataset sorted = ds.sort(new String[] {"x"}, new boolean[] {true});
             Dataset h = ds.head(2);
             Dataset c = ds.copy()) {
            assertEquals(2, f.nrows());
            assertEquals(List.of("x", "id"), sel.columns());
            assertEquals(1.5, sorted.getNumbers("x")[0]);
            assertEquals(2, h.nrows());
            c.mutate("y", "x * 2");
            assertTrue(c.hasColumn("y"));
            assertFalse(ds.hasColumn("y"));
            assertEquals(1, c.dedup(new String[] {"id", "x"}, "first"));
            assertEquals(3, c.nrows());
        }
    }

    @Test
    void groupJoinDescribeAndCleaning() {
        try (Dataset ds = small();
             Dataset g = ds.group(new String[] {"id"}, new String[] {"total=sum(x)", "n=count()"});
             Dataset names = new Dataset().addTexts("id", new String[] {"a", "b"})
                 .addTexts("name", new String[] {"Ann", "Bob"});
             Dataset j = ds.join(names, new String[] {"id"}, "left");
             Dataset d = ds.describe()) {
            assertEquals(List.of("id", "total", "n"), g.columns());
            assertEquals(4, j.nrows());
            assertEquals("Ann", j.getTexts("name")[0]);
            assertEquals(3, d.nrows());
            try (Dataset c = ds.copy()) {
                assertEquals(1, c.impute("x", "constant", Map.of("constant", 7.0)));
                assertEquals(7.0, c.getNumbers("x")[1]);
                // Q1 0.375, Q3 2.875 (linear quantiles): 7.0 lies above Q3 + 1.5 IQR
                assertEquals(1, c.outliers("x", "iqr", 0, "flag"));
                c.convert("x", "text", null);
                assertEquals("text", c.type("x"));
                assertEquals(1, c.dropMissing("id", "t")); // row 3 misses both
                c.renameColumn("x", "y").dropColumn("t");
                assertEquals(List.of("id", "y", "x_outlier"), c.columns()); // flag column
                assertThrows(IllegalArgumentException.class, () -> c.impute("y", "guess", null));
                assertThrows(IllegalArgumentException.class,
                    () -> c.impute("y", "constant", Map.of("konstant", 1)));
            }
            assertThrows(IllegalArgumentException.class,
                () -> ds.join(names, new String[] {"id"}, "outer"));
        }
    }

    @Test
    void csvRoundTrip(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.csv");
        try (Dataset ds = small()) {
            ds.writeCsv(file.toString());
        }
        assertTrue(Files.size(file) > 0);
        try (Dataset back = Dataset.readCsv(file.toString(),
                 new CsvOptions().types(Map.of("id", "text")))) {
            assertEquals(4, back.nrows());
            assertArrayEquals(new String[] {"a", "b", null, "a"}, back.getTexts("id"));
        }
        try (Dataset semi = Dataset.readCsvString("a;b\n1;x\n2;y\n", Map.of("delimiter", ';'))) {
            assertEquals(List.of("a", "b"), semi.columns());
            assertEquals("a;b\n1;x\n2;y\n".length(), semi.toCsvString().replace(",", ";").length());
        }
    }

    @Test
    void badInputRaisesTheStatusException(@TempDir Path dir) {
        CrmException.IO io = assertThrows(CrmException.IO.class,
            () -> Dataset.readCsv(dir.resolve("missing.csv").toString()));
        assertTrue(io.getMessage().contains("missing.csv"), io.getMessage());
        assertEquals(-3, io.status);
        assertEquals("CRM_E_IO", io.statusName());

        CrmException.Parse parse = assertThrows(CrmException.Parse.class,
            () -> Dataset.readCsvString("a,b\n1,2\n3,4,5\n"));
        assertTrue(parse.getMessage().contains("<memory>:3:"), parse.getMessage());

        try (Dataset ds = small()) {
            assertThrows(CrmException.Parse.class, () -> ds.filter("x >"));
            CrmException.NotFound nf = assertThrows(CrmException.NotFound.class,
                () -> ds.getNumbers("nope"));
            assertTrue(nf.getMessage().contains("nope"), nf.getMessage());
            assertThrows(CrmException.Type.class, () -> ds.getNumbers("id"));
            assertThrows(CrmException.class, () -> ds.addNumbers("short", new double[] {1}));
        }
    }

    @Test
    void misuseIsAJavaException() {
        Dataset ds = small();
        ds.close();
        ds.close(); // idempotent
        assertTrue(ds.isClosed());
        assertThrows(IllegalStateException.class, ds::nrows);
        assertThrows(IllegalStateException.class, () -> ds.getNumbers("x"));
        assertThrows(IllegalStateException.class, () -> ds.filter("x > 0"));
        assertEquals("Dataset(closed)", ds.toString());

        try (Dataset open = small()) {
            assertThrows(IllegalArgumentException.class, () -> open.filter("x\0 > 0"));
            assertThrows(IllegalArgumentException.class, () -> open.head(-1));
            assertThrows(IllegalArgumentException.class, () -> open.getNumbers(null));
            assertThrows(IllegalArgumentException.class, () -> open.dedup(null, "sometimes"));
            assertThrows(IllegalArgumentException.class,
                () -> open.addTexts("bad", new String[] {"a\0b", "c", "d", "e"}));
            assertThrows(IllegalArgumentException.class,
                () -> open.sort(new String[] {"x"}, new boolean[] {true, false}));
            assertThrows(IllegalArgumentException.class,
                () -> org.libcrm.capi.CApi.crm_dataset_head(open.ptr(), -5));
        }
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.readCsvString("a\n1\n", Map.of("delimter", ",")));
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.readCsvString("a\n1\n", Map.of("max_rows", "ten")));
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.readCsvString("a\n1\n", Map.of("delimiter", "ab")));
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.readCsvString("a\n1\n", Map.of("header", 1.0)));
    }

    @Test
    void errorMessagesStayOnTheirThread() throws Exception {
        int threads = 4;
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String column = "missing_" + t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        try (Dataset ds = small()) {
                            ds.getNumbers(column);
                        } catch (CrmException.NotFound e) {
                            if (!e.getMessage().contains(column)) {
                                return e.getMessage();
                            }
                        }
                    }
                    return column;
                }));
            }
            for (int t = 0; t < threads; t++) {
                assertEquals("missing_" + t, results.get(t).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void finalizerFreesUnclosedDatasets() throws Exception {
        for (int i = 0; i < 2000; i++) {
            small(); // never closed: the Cleaner frees them
        }
        System.gc();
        Thread.sleep(50);
        try (Dataset ds = small()) {
            assertNull(ds.getTexts("id")[2]);
        }
    }
}
