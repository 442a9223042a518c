package org.libcrm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.libcrm.capi.CStrings;
import org.libcrm.capi.Checks;
import org.libcrm.capi.CrmProgressFn;
import org.libcrm.capi.EnumInfo;
import org.libcrm.capi.Enums;
import org.libcrm.capi.FieldInfo;
import org.libcrm.capi.OptionsStruct;

/**
 * Options of a libcrm call, named like the fields of its C options struct
 * ({@code crm_kmeans_options.n_init} is {@code "n_init"}): a builder,
 * {@code Options.of("k", 4).set("seed", 42)}, or any {@code Map<String, Object>}.
 *
 * <p>Values: integer fields take Integer/Long/Short/Byte/BigInteger within the C type's
 * range (Boolean as 1/0 for flag fields; fields holding enum values also take the member
 * name as a String, e.g. "plusplus" or "CRM_KMEANS_INIT_PLUSPLUS"); double fields take
 * any Number; string fields a String without NUL (or null); list fields a String[] /
 * double[] or a Collection; {@code progress} a {@link Progress}. Anything else, and an
 * unknown name, is an IllegalArgumentException (before any C call).
 */
public class Options {
    private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();

    public Options() {}

    public Options(Map<String, ?> values) {
        if (values != null) {
            this.values.putAll(values);
        }
    }

    /** Options from name, value pairs. */
    public static Options of(Object... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("Options.of needs name, value pairs");
        }
        Options o = new Options();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!(pairs[i] instanceof String)) {
                throw new IllegalArgumentException("Options.of: option names are Strings");
            }
            o.set((String) pairs[i], pairs[i + 1]);
        }
        return o;
    }

    /** Set an option; returns this. */
    public Options set(String name, Object value) {
        values.put(name, value);
        return this;
    }

    /** The options as a read-only map, in the order they were set. */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    static Map<String, Object> copy(Map<String, ?> map) {
        return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    }

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /**
     * A struct holding the library's defaults with `values` applied.
     * @param what the Java call, for messages
     * @param charFields integer fields that also take a 1-character String or a Character
     */
    static <T extends OptionsStruct> T build(Supplier<T> make, Map<String, ?> values, String what,
                                             String... charFields) {
        T s = make.get();
        if (values == null) {
            return s;
        }
        for (Map.Entry<String, ?> e : values.entrySet()) {
            String name = e.getKey();
            FieldInfo f = s.fieldInfo(name);
            if (f == null || !f.settable()) {
                throw new IllegalArgumentException(what + ": unknown option '" + name
                    + "' (options: " + String.join(", ", settable(s)) + ")");
            }
            String label = what + "(" + name + ")";
            Object v = e.getValue();
            boolean isChar = false;
            for (String c : charFields) {
                isChar |= c.equals(name);
            }
            s.writeField(name, convert(s, f, v, label, isChar));
        }
        return s;
    }

    private static List<String> settable(OptionsStruct s) {
        List<String> names = new ArrayList<>();
        for (FieldInfo f : s.fieldInfo()) {
            if (f.settable()) {
                names.add(f.name);
            }
        }
        return names;
    }

    private static Object convert(OptionsStruct s, FieldInfo f, Object v, String label,
                                  boolean isChar) {
        switch (f.kind) {
            case INT32:
            case INT64:
            case SIZE_T:
            case UINT64: {
                long n = integer(f, v, label, f.enumName, isChar);
                return f.kind == FieldInfo.Kind.INT32 ? (Object) (int) n : (Object) n;
            }
            case DOUBLE:
                if (!(v instanceof Number)) {
                    throw new IllegalArgumentException(label + " must be a number, not "
                        + typeName(v));
                }
                return ((Number) v).doubleValue();
            case STRING: {
                if (v != null && !(v instanceof String)) {
                    throw new IllegalArgumentException(label + " must be a String, not "
                        + typeName(v));
                }
                byte[] c = Checks.cstring((String) v, label);
                if (c == null) {
                    return null;
                }
                Memory m = new Memory(c.length);
                m.write(0, c, 0, c.length);
                s.keep(m);
                return m;
            }
            case STRING_ARRAY: {
                String[] items = strings(v, label);
                Pointer p = CStrings.array(items, label);
                s.keep(p);
                setLength(s, f, items == null ? 0 : items.length);
                return p;
            }
            case DOUBLE_ARRAY: {
                double[] items = doubles(v, label);
                setLength(s, f, items == null ? 0 : items.length);
                if (items == null || items.length == 0) {
                    return null;
                }
                Memory m = new Memory(8L * items.length);
                m.write(0, items, 0, items.length);
                s.keep(m);
                return m;
            }
            case CALLBACK:
                return callback(s, v, label);
            default:
                throw new IllegalArgumentException(label + " cannot be set");
        }
    }

    private static void setLength(OptionsStruct s, FieldInfo f, int n) {
        if (f.lengthField != null) {
            FieldInfo lf = s.fieldInfo(f.lengthField);
            Object value = (long) n;
            try {
                if (s.getClass().getField(lf.name).getType() == int.class) {
                    value = n;
                }
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException(e);
            }
            s.writeField(lf.name, value);
        }
    }

    private static long integer(FieldInfo f, Object v, String label, String enumName,
                                boolean isChar) {
        if (enumName != null && v instanceof String) {
            EnumInfo info = Enums.byName(enumName);
            try {
                return info.valueOf((String) v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(label + ": " + e.getMessage());
            }
        }
        if (isChar && (v == null || v instanceof Character || v instanceof String)) {
            String text = v == null ? "" : v.toString();
            if (text.isEmpty()) {
                return 0;
            }
            if (text.length() != 1 || text.charAt(0) > 127) {
                throw new IllegalArgumentException(label + " must be one ASCII character, not '"
                    + text + "'");
            }
            return text.charAt(0);
        }
        if (v instanceof Boolean && enumName == null && f.kind == FieldInfo.Kind.INT32) {
            return ((Boolean) v) ? 1 : 0;
        }
        BigInteger b;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            b = BigInteger.valueOf(((Number) v).longValue());
        } else if (v instanceof BigInteger) {
            b = (BigInteger) v;
        } else {
            throw new IllegalArgumentException(label + " must be an integer"
                + (enumName != null ? " or a " + enumName + " name" : "") + ", not "
                + typeName(v));
        }
        BigInteger lo = BigInteger.valueOf(f.min);
        BigInteger hi = f.kind == FieldInfo.Kind.UINT64 ? UINT64_MAX : BigInteger.valueOf(f.max);
        if (b.compareTo(lo) < 0 || b.compareTo(hi) > 0) {
            throw new IllegalArgumentException(label + ": " + b + " is outside " + lo + ".." + hi);
        }
        return b.longValue();
    }

    private static String[] strings(Object v, String label) {
        if (v == null) {
            return null;
        }
        if (v instanceof String[]) {
            return ((String[]) v).clone();
        }
        if (v instanceof Collection) {
            List<String> out = new ArrayList<>();
            for (Object o : (Collection<?>) v) {
                if (!(o instanceof String)) {
                    throw new IllegalArgumentException(label + " must hold Strings, not "
                        + typeName(o));
                }
                out.add((String) o);
            }
            return out.toArray(new String[0]);
        }
        throw new IllegalArgumentException(label + " must be a String[] or a Collection of "
            + "Strings, not " + typeName(v));
    }

    private static double[] doubles(Object v, String label) {
        if (v == null) {
            return null;
        }
        if (v instanceof double[]) {
            return ((double[]) v).clone();
        }
        if (v instanceof double[][]) {
            List<Double> flat = new ArrayList<>();
            for (double[] row : (double[][]) v) {
                for (double d : row) {
                    flat.add(d);
                }
            }
            return flat.stream().mapToDouble(Double::doubleValue).toArray();
        }
        if (v instanceof Collection) {
            Collection<?> c = (Collection<?>) v;
            double[] out = new double[c.size()];
            int i = 0;
            for (Object o : c) {
                if (o != null && !(o instanceof Number)) {
                    throw new IllegalArgumentException(label + " must hold numbers, not "
                        + typeName(o));
                }
                out[i++] = o == null ? Double.NaN : ((Number) o).doubleValue();
            }
            return out;
        }
        throw new IllegalArgumentException(label + " must be a double[] or a Collection of "
            + "numbers, not " + typeName(v));
    }

    private static CrmProgressFn callback(OptionsStruct s, Object v, String label) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Progress)) {
            throw new IllegalArgumentException(label + " must be an org.libcrm.Progress, not "
                + typeName(v));
        }
        Progress p = (Progress) v;
        CrmProgressFn fn = (fraction, user) -> {
            try {
                return p.report(fraction) ? 1 : 0;
            } catch (Throwable t) { // never unwind through C: cancel, rethrow after the call
                s.callbackFailed(t);
                return 1;
            }
        };
        s.keep(fn);
        return fn;
    }

    static String typeName(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "Options" + values;
    }
}
