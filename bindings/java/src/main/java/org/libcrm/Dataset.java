package org.libcrm;

import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.libcrm.capi.CApi;
import org.libcrm.capi.Constants;
import org.libcrm.capi.CrmCsvOptions;
import org.libcrm.capi.CrmImputeMethod;
import org.libcrm.capi.CrmImputeOptions;
import org.libcrm.capi.CrmSqlOptions;
import org.libcrm.capi.CrmJoin;
import org.libcrm.capi.CrmKeep;
import org.libcrm.capi.CrmOutlierAction;
import org.libcrm.capi.CrmOutlierRule;
import org.libcrm.capi.CrmType;

/**
 * A table of typed columns (number, text, time), backed by a C {@code crm_dataset}.
 *
 * <p>Columns in Java: number columns as {@code double[]} (NaN = missing), time columns as
 * {@code long[]} of seconds since 1970-01-01 UTC ({@link #TIME_MISSING} = missing), text
 * columns as {@code String[]} (null = missing). Each column passes in or out with one bulk
 * copy (text: the codes in one copy plus one call per distinct value).
 *
 * <p>Release it with {@link #close()} or try-with-resources; a Cleaner frees it otherwise
 * once it is unreachable. Use after close throws IllegalStateException. Derived datasets
 * (filter, select, sort, head, copy, ...) are new, independent Datasets. A Dataset must not
 * be used by two threads at the same time.
 */
public final class Dataset implements AutoCloseable {
    /** The missing value of a time cell (INT64_MIN). */
    public static final long TIME_MISSING = Constants.CRM_TIME_MISSING;

    private final Handle handle;

    /** A new empty dataset. */
    public Dataset() {
        this.handle = Handle.dataset(this, CApi.crm_dataset_new());
    }

    private Dataset(Pointer owned) {
        this.handle = Handle.dataset(this, owned);
    }

    static Dataset wrap(Pointer owned) {
        return new Dataset(owned);
    }

    /** The C handle, for calls that take it (valid while this Dataset is reachable). */
    Pointer ptr() {
        return handle.get();
    }

    private <R> R call(Function<Pointer, R> f) {
        try {
            return f.apply(handle.get());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Free the C dataset now; later calls throw IllegalStateException. Idempotent. */
    @Override
    public void close() {
        handle.close();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return handle.closed();
    }

    // -- readers -------------------------------------------------------------------------

    /** Read a CSV file ({@code .gz} decompressed) with the library's default options. */
    public static Dataset readCsv(String path) {
        return readCsv(path, (Map<String, ?>) null);
    }

    /** Read a CSV file with options (see {@link CsvOptions}). */
    public static Dataset readCsv(String path, CsvOptions options) {
        return readCsv(path, options == null ? null : options.asMap());
    }

    /**
     * Read a CSV file with options named like the crm_csv_options fields: delimiter
     * (a character), quote, header, decimal_comma, strict, keep_default_na (booleans),
     * na_values (String[]), types (String[] "NAME:TYPE" or a Map name -&gt; type),
     * date_format, max_rows, max_bytes.
     * @throws CrmException.Parse with "path:line:column: ..." for malformed text
     * @throws CrmException.IO when the file cannot be read
     */
    public static Dataset readCsv(String path, Map<String, ?> options) {
        CrmCsvOptions opts = csvOptions(options, "readCsv");
        return wrap(CApi.crm_dataset_read_csv(requireText(path, "readCsv(path)"), opts));
    }

    /** Read CSV text (the readCsv options apply; messages name the file "&lt;memory&gt;"). */
    public static Dataset readCsvString(String text, Map<String, ?> options) {
        byte[] data = requireText(text, "readCsvString(text)")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return wrap(CApi.crm_dataset_read_csv_mem(data, csvOptions(options, "readCsvString")));
    }

    /** Read CSV text with the default options. */
    public static Dataset readCsvString(String text) {
        return readCsvString(text, null);
    }

    /**
     * Read a FIMI basket file (one transaction per line, items separated by spaces) into
     * columns tid (number, the 1-based line) and item (text).
     */
    public static Dataset readBaskets(String path) {
        return wrap(CApi.crm_dataset_read_baskets(requireText(path, "readBaskets(path)")));
    }

    static CrmCsvOptions csvOptions(Map<String, ?> options, String what) {
        if (options == null || options.isEmpty()) {
            return null;
        }
        Map<String, Object> values = Options.copy(options);
        Object types = values.get("types");
        if (types instanceof Map) {
            List<String> list = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) types).entrySet()) {
                list.add(e.getKey() + ":" + e.getValue());
            }
            values.put("types", list);
        }
        Object na = values.get("na_values");
        if (na instanceof String) {
            values.put("na_values", new String[] {(String) na});
        }
        return Options.build(CrmCsvOptions::new, values, what, "delimiter", "quote");
    }

    /**
     * A dataset from columns, in the map's order: double[] / float[] / int[] give number
     * columns, long[] time columns (seconds since the epoch, UTC), String[] text columns;
     * a List or Object[] is typed by its values (Number: number, String: text, Instant,
     * LocalDate or LocalDateTime (UTC): time; null is missing).
     */
    public static Dataset fromColumns(Map<String, ?> columns) {
        Dataset ds = new Dataset();
        try {
            for (Map.Entry<String, ?> e : columns.entrySet()) {
                ds.addColumn(e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }

    // -- columns in ----------------------------------------------------------------------

    /** Append a number column (NaN = missing), one bulk copy; returns this. */
    public Dataset addNumbers(String name, double[] values) {
        requireArray(values, name);
        call(p -> {
            CApi.crm_dataset_add_number(p, requireText(name, "column name"), values);
            return null;
        });
        return this;
    }

    /** Append a time column of seconds since the epoch, UTC (TIME_MISSING = missing). */
    public Dataset addTimes(String name, long[] seconds) {
        requireArray(seconds, name);
        call(p -> {
            CApi.crm_dataset_add_time(p, requireText(name, "column name"), seconds);
            return null;
        });
        return this;
    }

    /** Append a time column of Instants (null = missing), whole seconds. */
    public Dataset addTimes(String name, Instant[] values) {
        requireArray(values, name);
        long[] s = new long[values.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = values[i] == null ? TIME_MISSING : values[i].getEpochSecond();
        }
        return addTimes(name, s);
    }

    /** Append a text column (null = missing); returns this. */
    public Dataset addTexts(String name, String[] values) {
        requireArray(values, name);
        call(p -> {
            CApi.crm_dataset_add_text(p, requireText(name, "column name"), values);
            return null;
        });
        return this;
    }

    /** Append a column typed as in {@link #fromColumns}; returns this. */
    public Dataset addColumn(String name, Object values) {
        if (values instanceof double[]) {
            return addNumbers(name, (double[]) values);
        }
        if (values instanceof float[]) {
            float[] f = (float[]) values;
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return addNumbers(name, d);
        }
        if (values instanceof int[]) {
            return addNumbers(name, java.util.Arrays.stream((int[]) values).asDoubleStream()
                .toArray());
        }
        if (values instanceof long[]) {
            return addTimes(name, (long[]) values);
        }
        if (values instanceof String[]) {
            return addTexts(name, (String[]) values);
        }
        if (values instanceof Instant[]) {
            return addTimes(name, (Instant[]) values);
        }
        Object[] items;
        if (values instanceof Collection) {
            items = ((Collection<?>) values).toArray();
        } else if (values instanceof Object[]) {
            items = (Object[]) values;
        } else {
            throw new IllegalArgumentException("column '" + name + "': cannot store a "
                + Options.typeName(values));
        }
        String kind = null;
        for (Object v : items) {
            String k = v == null ? null : v instanceof Number ? "number"
                : v instanceof String ? "text"
                : (v instanceof Instant || v instanceof LocalDate || v instanceof LocalDateTime)
                ? "time" : "?";
            if ("?".equals(k)) {
                throw new IllegalArgumentException("column '" + name + "': cannot store a "
                    + Options.typeName(v) + " value");
            }
            if (k != null && kind != null && !k.equals(kind)) {
                throw new IllegalArgumentException("column '" + name + "' mixes " + kind
                    + " and " + k + " values");
            }
            kind = k != null ? k : kind;
        }
        if ("text".equals(kind)) {
            String[] s = new String[items.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = (String) items[i];
            }
            return addTexts(name, s);
        }
        if ("time".equals(kind)) {
            long[] s = new long[items.length];
            for (int i = 0; i < s.length; i++) {
                Object v = items[i];
                s[i] = v == null ? TIME_MISSING
                    : v instanceof Instant ? ((Instant) v).getEpochSecond()
                    : v instanceof LocalDate ? ((LocalDate) v).toEpochDay() * 86400L
                    : ((LocalDateTime) v).toEpochSecond(ZoneOffset.UTC);
            }
            return addTimes(name, s);
        }
        double[] d = new double[items.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = items[i] == null ? Double.NaN : ((Number) items[i]).doubleValue();
        }
        return addNumbers(name, d);
    }

    /** Remove a column (CrmException.NotFound when there is none); returns this. */
    public Dataset dropColumn(String name) {
        call(p -> {
            CApi.crm_dataset_drop_column(p, requireText(name, "dropColumn(name)"));
            return null;
        });
        return this;
    }

    /** Rename a column; returns this. */
    public Dataset renameColumn(String name, String newName) {
        call(p -> {
            CApi.crm_dataset_rename_column(p, requireText(name, "renameColumn(name)"),
                requireText(newName, "renameColumn(newName)"));
            return null;
        });
        return this;
    }

    // -- shape and columns out -----------------------------------------------------------

    /** Number of rows. */
    public long nrows() {
        return call(CApi::crm_dataset_nrows);
    }

    /** Number of columns. */
    public int ncols() {
        return (int) (long) call(CApi::crm_dataset_ncols);
    }

    /** The column names, in order. */
    public List<String> columns() {
        return call(p -> {
            long n = CApi.crm_dataset_ncols(p);
            List<String> out = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                out.add(CApi.crm_dataset_column_name(p, i));
            }
            return out;
        });
    }

    /** Whether there is a column of that name. */
    public boolean hasColumn(String name) {
        return columns().contains(name);
    }

    private long index(Pointer p, String name) {
        return CApi.crm_dataset_column_index(p, requireText(name, "column name"));
    }

    private static String typeName(int type) {
        switch (type) {
            case CrmType.CRM_TYPE_NUMBER: return "number";
            case CrmType.CRM_TYPE_TEXT: return "text";
            case CrmType.CRM_TYPE_TIME: return "time";
            default: return "unknown";
        }
    }

    /** The type of a column: "number", "text" or "time". */
    public String type(String name) {
        return call(p -> typeName(CApi.crm_dataset_column_type(p, index(p, name))));
    }

    /** Column name -&gt; type, in column order. */
    public LinkedHashMap<String, String> dtypes() {
        return call(p -> {
            LinkedHashMap<String, String> out = new LinkedHashMap<>();
            long n = CApi.crm_dataset_ncols(p);
            for (long i = 0; i < n; i++) {
                out.put(CApi.crm_dataset_column_name(p, i),
                    typeName(CApi.crm_dataset_column_type(p, i)));
            }
            return out;
        });
    }

    /** Number of missing cells of a column. */
    public long missing(String name) {
        return call(p -> CApi.crm_dataset_missing(p, index(p, name)));
    }

    /** A number column in one bulk copy (NaN = missing); CrmException.Type otherwise. */
    public double[] getNumbers(String name) {
        return call(p -> {
            long col = index(p, name);
            double[] out = new double[rowCount(p)];
            CApi.crm_dataset_get_number(p, col, 0, out);
            return out;
        });
    }

    /** A time column in one bulk copy: seconds since the epoch (TIME_MISSING = missing). */
    public long[] getTimes(String name) {
        return call(p -> {
            long col = index(p, name);
            long[] out = new long[rowCount(p)];
            CApi.crm_dataset_get_time(p, col, 0, out);
            return out;
        });
    }

    /**
     * A text column (null = missing): the codes in one bulk copy, then each distinct value
     * once (cell by cell instead when the column has 4 times more distinct values than rows).
     */
    public String[] getTexts(String name) {
        return call(p -> {
            long col = index(p, name);
            int n = rowCount(p);
            long levels = CApi.crm_dataset_text_levels(p, col);
            if (n * 4L < levels) { // few rows of a big dictionary: cell by cell
                String[] out = new String[n];
                for (int i = 0; i < n; i++) {
                    out[i] = CApi.crm_dataset_get_text(p, col, i);
                }
                return out;
            }
            int[] codes = new int[n];
            CApi.crm_dataset_get_codes(p, col, 0, codes);
            String[] names = new String[(int) levels];
            for (int i = 0; i < names.length; i++) {
                names[i] = CApi.crm_dataset_text_level(p, col, i);
            }
            String[] out = new String[n];
            for (int i = 0; i < n; i++) {
                out[i] = codes[i] < 0 ? null : names[codes[i]];
            }
            return out;
        });
    }

    /**
     * A column as a list of Java values, null where missing: Double (number), String
     * (text), Instant (time).
     */
    public List<Object> column(String name) {
        String type = type(name);
        List<Object> out = new ArrayList<>();
        if (type.equals("number")) {
            for (double d : getNumbers(name)) {
                out.add(Double.isNaN(d) ? null : d);
            }
        } else if (type.equals("time")) {
            for (long s : getTimes(name)) {
                out.add(s == TIME_MISSING ? null : Instant.ofEpochSecond(s));
            }
        } else {
            out.addAll(java.util.Arrays.asList(getTexts(name)));
        }
        return out;
    }

    private static int rowCount(Pointer p) {
        long n = CApi.crm_dataset_nrows(p);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the dataset has more rows than a Java array holds");
        }
        return (int) n;
    }

    // -- derived datasets ----------------------------------------------------------------

    /** An independent copy. */
    public Dataset copy() {
        return wrap(call(CApi::crm_dataset_clone));
    }

    /** The named columns, in that order. */
    public Dataset select(String... names) {
        return wrap(call(p -> CApi.crm_dataset_select(p, names)));
    }

    /** Sorted ascending by the keys (stable; missing last). */
    public Dataset sort(String... keys) {
        return sort(keys, null);
    }

    /** Sorted by the keys, descending where `descending` says so (null: all ascending). */
    public Dataset sort(String[] keys, boolean[] descending) {
        int[] flags = null;
        if (descending != null) {
            if (descending.length != keys.length) {
                throw new IllegalArgumentException("sort: " + keys.length + " keys but "
                    + descending.length + " descending flags");
            }
            flags = new int[keys.length];
            for (int i = 0; i < flags.length; i++) {
                flags[i] = descending[i] ? 1 : 0;
            }
        }
        int[] f = flags;
        return wrap(call(p -> CApi.crm_dataset_sort(p, keys, f)));
    }

    /** The first n rows. */
    public Dataset head(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("head(n): n must not be negative");
        }
        return wrap(call(p -> CApi.crm_dataset_head(p, n)));
    }

    /** Summary statistics, one row per column. */
    public Dataset describe() {
        return wrap(call(CApi::crm_dataset_describe));
    }

    /** The rows where `expr` holds, e.g. {@code "Quantity > 0 and Country == 'France'"}. */
    public Dataset filter(String expr) {
        return wrap(call(p -> CApi.crm_dataset_filter(p, requireText(expr, "filter(expr)"))));
    }

    /** Add or replace column `name` with the values of `expr`, in place; returns this. */
    public Dataset mutate(String name, String expr) {
        call(p -> {
            CApi.crm_dataset_mutate(p, requireText(name, "mutate(name)"),
                requireText(expr, "mutate(expr)"));
            return null;
        });
        return this;
    }

    /** Group by `keys` with aggregations such as {@code "total=sum(Amount)"}. */
    public Dataset group(String[] keys, String[] aggs) {
        return wrap(call(p -> CApi.crm_dataset_group(p, keys, aggs)));
    }

    /** Join with `right` on the key columns; how: "inner" or "left". */
    public Dataset join(Dataset right, String[] on, String how) {
        int kind = CrmJoin.valueOf(requireText(how, "join(how)"));
        try {
            return wrap(call(p -> CApi.crm_dataset_join(p, right.ptr(), on, kind)));
        } finally {
            Reference.reachabilityFence(right);
        }
    }

    // -- cleaning (in place) -------------------------------------------------------------

    /** Remove duplicate rows over all columns keeping the first; returns the count removed. */
    public long dedup() {
        return dedup(null, "first");
    }

    /** Remove duplicates over `keys` (null: all columns); keep: "first", "last", "none". */
    public long dedup(String[] keys, String keep) {
        int k = CrmKeep.valueOf(requireText(keep, "dedup(keep)"));
        return call(p -> CApi.crm_clean_dedup(p, keys, k));
    }

    /** Remove rows missing a value in any of `cols` (none given: any column). */
    public long dropMissing(String... cols) {
        return call(p -> CApi.crm_clean_drop_missing(p, cols));
    }

    /**
     * Fill the missing cells of `col`; method "mean", "median", "mode", "constant" or
     * "linear"; options: constant, text_constant, order_by. Returns the count filled.
     */
    public long impute(String col, String method, Map<String, ?> options) {
        int m = CrmImputeMethod.valueOf(requireText(method, "impute(method)"));
        CrmImputeOptions opts = Options.build(CrmImputeOptions::new, options, "impute");
        return call(p -> CApi.crm_clean_impute(p, requireText(col, "impute(col)"), m, opts));
    }

    /** Flag, drop or clip outliers of `col` (rule "zscore", "iqr", "mad"; k 0 = default). */
    public long outliers(String col, String rule, double k, String action) {
        int r = CrmOutlierRule.valueOf(requireText(rule, "outliers(rule)"));
        int a = CrmOutlierAction.valueOf(requireText(action, "outliers(action)"));
        return call(p -> CApi.crm_clean_outliers(p, requireText(col, "outliers(col)"), r, k, a));
    }

    /** Convert `col` to "number", "text" or "time" (format: a strptime format or null). */
    public Dataset convert(String col, String to, String format) {
        int t = CrmType.valueOf(requireText(to, "convert(to)"));
        call(p -> {
            CApi.crm_clean_convert(p, requireText(col, "convert(col)"), t, format);
            return null;
        });
        return this;
    }

    // -- output --------------------------------------------------------------------------

    /** Write as CSV (atomically) with default options. */
    public void writeCsv(String path) {
        writeCsv(path, null);
    }

    /** Write as CSV with the readCsv options that apply to writing (delimiter, ...). */
    public void writeCsv(String path, Map<String, ?> options) {
        CrmCsvOptions opts = csvOptions(options, "writeCsv");
        call(p -> {
            CApi.crm_dataset_write_csv(p, requireText(path, "writeCsv(path)"), opts);
            return null;
        });
    }

    /** The dataset as CSV text. */
    public String toCsvString() {
        return call(p -> CApi.crm_dataset_to_csv_string(p, null));
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "Dataset(closed)";
        }
        return "Dataset(" + nrows() + " rows, " + dtypes() + ")";
    }

    // -- argument checks -----------------------------------------------------------------

    // -- SQL -------------------------------------------------------------------------------

    /** Run `query` on a database and read its rows; see {@link #readSql(String, String, List, Map)}. */
    public static Dataset readSql(String uri, String query) {
        return readSql(uri, query, null, (Map<String, ?>) null);
    }

    /** Run `query` with its placeholders bound to `params`; see {@link #readSql(String, String, List, Map)}. */
    public static Dataset readSql(String uri, String query, List<?> params) {
        return readSql(uri, query, params, (Map<String, ?>) null);
    }

    /**
     * Run `query` on a database and read its rows (crm_dataset_read_sql). `uri`:
     * "sqlite:shop.db", "postgresql://crm@/shop?host=/run/postgresql",
     * "mysql://crm@localhost/shop" (passwords from PGPASSWORD, ~/.pgpass, ~/.my.cnf).
     * `params`: values for the query's placeholders (? ; $1... in PostgreSQL), bound by the
     * driver, never pasted into the SQL: null (NULL), Number, Boolean, String, Instant,
     * LocalDate, LocalDateTime (taken as UTC). Options (crm_sql_options): batch_rows, max_rows,
     * client_library, progress ({@link Progress}).
     *
     * @throws CrmException.Parse the server refused the SQL (its message)
     * @throws CrmException.IO cannot connect
     * @throws CrmException.Unsupported the client library is not installed
     */
    public static Dataset readSql(String uri, String query, List<?> params, Map<String, ?> options) {
        String[] texts = new String[params == null ? 0 : params.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = sqlParam(params.get(i), i);
        }
        CrmSqlOptions opts = sqlOptions(options, "readSql");
        return wrap(CApi.crm_dataset_read_sql(requireText(uri, "readSql(uri)"),
            requireText(query, "readSql(query)"), texts.length == 0 ? null : texts, opts));
    }

    /** readSql with an {@link Options} builder ({@code new SqlOptions().maxRows(100)}). */
    public static Dataset readSql(String uri, String query, List<?> params, Options options) {
        return readSql(uri, query, params, options.asMap());
    }

    /** Write the rows into a new table (mode "create"). */
    public Dataset writeSql(String uri, String table) {
        return writeSql(uri, table, (Map<String, ?>) null);
    }

    /**
     * Write the rows into table `table` of a database (crm_dataset_write_sql), in one
     * transaction (after a failure the table is as before). Options: mode ("create"
     * (default: the table must not exist), "replace", "append", "upsert"), key (the key
     * column(s) of "upsert": a String or Strings; also key_columns), column_types (a
     * Map column -&gt; SQL type, or "col:TYPE" Strings), batch_rows, client_library,
     * progress. Returns this.
     */
    public Dataset writeSql(String uri, String table, Map<String, ?> options) {
        Map<String, Object> o = Options.copy(options);
        o.putIfAbsent("mode", "create");
        CrmSqlOptions opts = sqlOptions(o, "writeSql");
        call(p -> {
            CApi.crm_dataset_write_sql(p, requireText(uri, "writeSql(uri)"),
                requireText(table, "writeSql(table)"), opts);
            return null;
        });
        return this;
    }

    /** writeSql with an {@link Options} builder ({@code new SqlOptions().mode("upsert")}). */
    public Dataset writeSql(String uri, String table, Options options) {
        return writeSql(uri, table, options.asMap());
    }

    private static CrmSqlOptions sqlOptions(Map<String, ?> options, String what) {
        Map<String, Object> o = Options.copy(options);
        if (o.containsKey("key")) {
            o.put("key_columns", o.remove("key"));
        }
        if (o.get("key_columns") instanceof String) {
            o.put("key_columns", new String[] {(String) o.get("key_columns")});
        }
        if (o.get("column_types") instanceof Map) {
            List<String> types = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o.get("column_types")).entrySet()) {
                types.add(e.getKey() + ":" + e.getValue());
            }
            o.put("column_types", types);
        }
        return Options.build(CrmSqlOptions::new, o, what);
    }

    private static final java.time.format.DateTimeFormatter SQL_TIME =
        java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    /** One query parameter as the text the C library binds (null: SQL NULL). */
    private static String sqlParam(Object v, int i) {
        if (v == null || v instanceof String) {
            return (String) v;
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "1" : "0";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) ? null : Double.toString(d);
        }
        if (v instanceof Number) {
            return v.toString();  // Integer, Long, BigInteger, BigDecimal: exact
        }
        if (v instanceof Instant) {
            return SQL_TIME.format(((Instant) v).atOffset(java.time.ZoneOffset.UTC));
        }
        if (v instanceof java.time.LocalDateTime) {
            return SQL_TIME.format((java.time.LocalDateTime) v);
        }
        if (v instanceof java.time.LocalDate) {
            return v.toString();
        }
        throw new IllegalArgumentException("readSql(params[" + i + "]): "
            + v.getClass().getSimpleName() + " cannot be bound (use null, a Number, Boolean, "
            + "String, Instant, LocalDate or LocalDateTime)");
    }

    static String requireText(String s, String what) {
        if (s == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return s;
    }

    private static void requireArray(Object a, String name) {
        if (a == null) {
            throw new IllegalArgumentException("column '" + name + "': values must not be null");
        }
    }
}
