// Overhead of the Java binding: the cost of crossing into C through the idiomatic layer
// compared with a bare JNA declaration, and a 1,000,000-row number column in and out.
//
// Run (after building the library and the jar):
//   bindings/java/build.sh build/java
//   LIBCRM_PATH=$PWD/build/dev/libcrm.so.1 java -cp build/java/libcrm.jar:/usr/share/java/jna.jar \
//       bench/bindings/java_overhead.java
//
// Prints ns/call of crm_version_number() 1,000,000 times through
//   (a) raw FFI: a bare JNA direct-mapped declaration (Native.register), and a bare JNA
//       interface-mapped declaration (Library interface) for reference;
//   (b) the binding: Crm.versionNumber() (idiomatic) -> CApi -> CrmLib (generated);
// the ratio wrapper / raw direct mapping (goal <= 2), and the time to pass a 1,000,000-row
// number column in (Dataset.addNumbers) and out (Dataset.getNumbers), each one bulk copy,
// next to the raw natives with the same arrays. Each figure is the best of 7 runs after 10
// warm-up runs.

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.libcrm.Crm;
import org.libcrm.Dataset;
import org.libcrm.capi.CApi;
import org.libcrm.capi.CrmLib;

public final class JavaOverhead {
    /** Bare direct mapping of the one function, as a JNA user would write it. */
    static final class Raw {
        static {
            Native.register(Raw.class, NativeLibrary.getInstance(CrmLib.LIBRARY_PATH));
        }

        static native int crm_version_number();
    }

    /** Bare interface mapping, JNA's other style. */
    interface RawLib extends Library {
        int crm_version_number();
    }

    static final int CALLS = 1_000_000;
    static final int ROWS = 1_000_000;
    static final int RUNS = 7;
    static volatile long sink;

    interface Body {
        void run();
    }

    /** Best time of RUNS runs after a warm-up, in ns. */
    static long best(Body body) {
        for (int i = 0; i < 10; i++) {
            body.run();
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < RUNS; r++) {
            long t0 = System.nanoTime();
            body.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best;
    }

    public static void main(String[] args) {
        RawLib iface = Native.load(CrmLib.LIBRARY_PATH, RawLib.class);
        long direct = best(() -> {
            long s = 0;
            for (int i = 0; i < CALLS; i++) {
                s += Raw.crm_version_number();
            }
            sink = s;
        });
        long mapped = best(() -> {
            long s = 0;
            for (int i = 0; i < CALLS; i++) {
                s += iface.crm_version_number();
            }
            sink = s;
        });
        long wrapper = best(() -> {
            long s = 0;
            for (int i = 0; i < CALLS; i++) {
                s += Crm.versionNumber();
            }
            sink = s;
        });
        System.out.printf("crm_version_number x %,d (best of %d)%n", CALLS, RUNS);
        System.out.printf("  raw JNA direct mapping     %8.1f ns/call%n", direct / (double) CALLS);
        System.out.printf("  raw JNA interface mapping  %8.1f ns/call%n", mapped / (double) CALLS);
        System.out.printf("  binding Crm.versionNumber  %8.1f ns/call%n", wrapper / (double) CALLS);
        System.out.printf("  ratio binding / raw direct %8.2f (goal <= 2)%n", wrapper / (double) direct);

        double[] column = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            column[i] = i * 0.5;
        }
        // each column figure is measured in two rounds (the first one sizes the heap for
        // 8 MB arrays); the second round is reported
        for (int round = 0; round < 2; round++) {
            column(column, round == 1);
        }
    }

    static void column(double[] column, boolean report) {
        long in = best(() -> {
            try (Dataset ds = new Dataset()) {
                ds.addNumbers("x", column);
            }
        });
        long rawIn = best(() -> {
            Pointer ds = CApi.crm_dataset_new();
            try {
                CrmLib.crm_dataset_add_number(ds, new byte[] {'x', 0}, column, ROWS);
            } finally {
                CrmLib.crm_dataset_free(ds);
            }
        });
        try (Dataset ds = new Dataset().addNumbers("x", column)) {
            long out = best(() -> sink = (long) ds.getNumbers("x")[ROWS - 1]);
            Pointer p = CApi.crm_dataset_new();
            CApi.crm_dataset_add_number(p, "x", column);
            long rawOut = best(() -> {
                double[] buf = new double[ROWS];
                CrmLib.crm_dataset_get_number(p, 0, 0, ROWS, buf);
                sink = (long) buf[ROWS - 1];
            });
            CApi.crm_dataset_free(p);
            double[] back = ds.getNumbers("x");
            if (back[ROWS - 1] != column[ROWS - 1]) {
                throw new AssertionError("column did not round-trip");
            }
            if (!report) {
                return;
            }
            System.out.printf("number column of %,d rows (best of %d)%n", ROWS, RUNS);
            System.out.printf("  in:  Dataset.addNumbers %7.2f ms   raw native %7.2f ms  (incl. create/free)%n",
                in / 1e6, rawIn / 1e6);
            System.out.printf("  out: Dataset.getNumbers %7.2f ms   raw native %7.2f ms%n",
                out / 1e6, rawOut / 1e6);
        }
    }
}
