package org.libcrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MemoryTest {
    static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static void cycles(int n) {
        double[] x = {1, 2, 3, 4};
        String[] s = {"a", "b", "a", null};
        for (int i = 0; i < n; i++) {
            try (Dataset ds = new Dataset().addNumbers("x", x).addTexts("s", s)) {
                if (ds.nrows() != 4) {
                    throw new AssertionError("rows");
                }
            }
        }
    }

    @Test
    void createFreeCyclesKeepRssFlat() throws Exception {
        cycles(20_000); // warm-up: JIT, heap sizing, malloc arenas
        System.gc();
        long before = rssKb();
        cycles(100_000);
        System.gc();
        long after = rssKb();
        long grownKb = after - before;
        System.out.println("MemoryTest: VmRSS " + before + " kB -> " + after + " kB over 100,000 cycles");
        assertTrue(grownKb < 4096, "RSS grew by " + grownKb + " kB over 100,000 cycles");
        assertEquals(4, new Dataset().addNumbers("x", new double[4]).nrows());
    }
}
