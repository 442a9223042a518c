package org.libcrm;

import java.util.Map;

/**
 * A builder of CSV reader/writer options (the crm_csv_options fields), e.g.
 * {@code new CsvOptions().delimiter(';').types(Map.of("CustomerID", "text"))}.
 * Fields not set keep the library's defaults.
 */
public final class CsvOptions extends Options {
    public CsvOptions delimiter(char c) {
        set("delimiter", c);
        return this;
    }

    public CsvOptions quote(char c) {
        set("quote", c);
        return this;
    }

    public CsvOptions header(boolean header) {
        set("header", header);
        return this;
    }

    public CsvOptions decimalComma(boolean on) {
        set("decimal_comma", on);
        return this;
    }

    public CsvOptions strict(boolean on) {
        set("strict", on);
        return this;
    }

    public CsvOptions keepDefaultNa(boolean on) {
        set("keep_default_na", on);
        return this;
    }

    public CsvOptions naValues(String... values) {
        set("na_values", values);
        return this;
    }

    /** Column types: name -&gt; "number", "text" or "time". */
    public CsvOptions types(Map<String, String> types) {
        set("types", types);
        return this;
    }

    public CsvOptions dateFormat(String format) {
        set("date_format", format);
        return this;
    }

    public CsvOptions maxRows(long n) {
        set("max_rows", n);
        return this;
    }

    public CsvOptions maxBytes(long n) {
        set("max_bytes", n);
        return this;
    }
}
