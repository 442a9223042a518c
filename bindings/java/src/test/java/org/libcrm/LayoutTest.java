package org.libcrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.libcrm.capi.FieldInfo;
import org.libcrm.capi.OptionsStruct;
import org.libcrm.capi.Structs;

/** The JNA layout of every options struct matches the C one. */
class LayoutTest {
    @Test
    void structsMatchTheApiDescription() {
        assertTrue(Structs.ALL.size() >= 12);
        for (Supplier<OptionsStruct> make : Structs.ALL) {
            OptionsStruct s = make.get();
            String name = s.getClass().getSimpleName();
            // crm_X_options_init accepted our size and wrote it into the size field
            assertEquals((long) s.size(), ((Number) s.readField("size")).longValue(), name);
            if (s.cSize() >= 0) {
                assertEquals(s.cSize(), s.size(), name + " size");
            }
            long last = -1;
            for (FieldInfo f : s.fieldInfo()) {
                long at = s.offsetOf(f.name);
                assertTrue(at > last, name + "." + f.name + " offset order");
                last = at;
                if (f.offset >= 0) {
                    assertEquals(f.offset, at, name + "." + f.name + " offset");
                }
            }
        }
    }
}
