package org.libcrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.libcrm.capi.CStrings;
import org.libcrm.capi.CrmArimaOptions;
import org.libcrm.capi.CrmCsvOptions;
import org.libcrm.capi.CrmKmeansInit;
import org.libcrm.capi.CrmKmeansOptions;
import org.libcrm.capi.Enums;

class OptionsTest {
    @Test
    void defaultsComeFromTheLibrary() {
        CrmKmeansOptions o = new CrmKmeansOptions();
        assertEquals(o.size(), o.size);
        assertEquals(8, o.k);
        assertEquals(10, o.n_init);
        assertEquals(CrmKmeansInit.CRM_KMEANS_INIT_PLUSPLUS, o.init);
    }

    @Test
    void valuesRoundTripThroughTheStruct() {
        CrmKmeansOptions o = Options.build(CrmKmeansOptions::new, Options.of(
            "k", 5, "init", "random", "seed", new BigInteger("18446744073709551615"),
            "tol", 1e-3, "standardize", true, "mutate", List.of("a=1", "b=2"),
            "sample_weight", "w").asMap(), "test");
        o.write();
        o.read();
        assertEquals(5, o.k);
        assertEquals(CrmKmeansInit.CRM_KMEANS_INIT_RANDOM, o.init);
        assertEquals(-1L, o.seed);
        assertEquals(1e-3, o.tol);
        assertEquals(1, o.standardize);
        assertEquals(2L, o.n_mutate);
        assertEquals("a=1", CStrings.read(o.mutate.getPointer(0)));
        assertEquals("b=2", CStrings.read(o.mutate.getPointer(8)));
        assertEquals("w", CStrings.read(o.sample_weight));

        CrmCsvOptions c = Dataset.csvOptions(Map.of("delimiter", ';', "quote", "'",
            "na_values", "NA", "max_rows", 10L), "test");
        assertEquals(';', c.delimiter);
        assertEquals('\'', c.quote);
        assertEquals(1L, c.n_na_values);
        assertEquals(10L, c.max_rows);
        assertNull(Dataset.csvOptions(Map.of(), "test"));

        CrmArimaOptions a = Options.build(CrmArimaOptions::new,
            Map.of("freq", "CRM_ARIMA_MONTH", "ic", "bic", "method", "css-ml",
                "fixed", new double[] {Double.NaN, 0.5}), "test");
        assertEquals(3, a.freq);
        assertEquals(2, a.ic);
        assertEquals(0, a.method);
        assertEquals(2L, a.n_fixed);
    }

    @Test
    void generatedBuildersFillTheSameFields() {
        org.libcrm.options.KmeansOptions b = new org.libcrm.options.KmeansOptions()
            .k(4).nInit(2).init("random").seed(new BigInteger("18446744073709551615"))
            .standardize(true).tol(0.5).mutate("a=1").progress(f -> false);
        assertEquals(List.of("k", "n_init", "init", "seed", "standardize", "tol", "mutate",
            "progress"), List.copyOf(b.asMap().keySet()));
        CrmKmeansOptions o = Options.build(CrmKmeansOptions::new, b.asMap(), "test");
        assertEquals(4, o.k);
        assertEquals(2, o.n_init);
        assertEquals(CrmKmeansInit.CRM_KMEANS_INIT_RANDOM, o.init);
        assertEquals(-1L, o.seed);
        assertEquals(1, o.standardize);
        assertEquals(1L, o.n_mutate);
        org.junit.jupiter.api.Assertions.assertNotNull(o.progress);
        // a negative long for a uint64_t field is refused, not wrapped
        org.libcrm.options.SynthOptions bad = new org.libcrm.options.SynthOptions().seed(-1L);
        assertThrows(IllegalArgumentException.class, () -> Crm.synth(bad));
        try (Dataset tx = Crm.synth(new org.libcrm.options.SynthOptions().customers(20).seed(5L))) {
            assertEquals(true, tx.nrows() > 0);
        }
        try (KMeans km = new KMeans(new org.libcrm.options.KmeansOptions().k(2).seed(1L))) {
            assertEquals(false, km.isFitted());
        }
    }

    @Test
    void enumLookup() {
        assertEquals(1, CrmKmeansInit.valueOf("plusplus"));
        assertEquals(1, CrmKmeansInit.valueOf("CRM_KMEANS_INIT_PLUSPLUS"));
        assertEquals("CRM_KMEANS_INIT_RANDOM", CrmKmeansInit.nameOf(2));
        assertNull(CrmKmeansInit.nameOf(99));
        assertEquals(-10, Enums.byName("crm_status").valueOf("cancelled"));
        assertThrows(IllegalArgumentException.class, () -> CrmKmeansInit.valueOf("best"));
    }

    @Test
    void rangesAndTypesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Options.build(CrmKmeansOptions::new,
            Map.of("seed", new BigInteger("18446744073709551616")), "t"));
        assertThrows(IllegalArgumentException.class, () -> Options.build(CrmKmeansOptions::new,
            Map.of("n_init", Long.MAX_VALUE), "t"));
        assertThrows(IllegalArgumentException.class, () -> Options.build(CrmKmeansOptions::new,
            Map.of("init", true), "t"));
        assertThrows(IllegalArgumentException.class, () -> Options.build(CrmKmeansOptions::new,
            Map.of("mutate", List.of(1, 2)), "t"));
        assertThrows(IllegalArgumentException.class, () -> Options.of("k"));
    }
}
