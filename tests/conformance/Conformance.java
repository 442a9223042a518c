// The conformance pipeline in Java (steps and output format: tests/conformance/SPEC.md;
// every language writes the same bytes). Single-file program (JEP 330):
//   java -cp libcrm.jar:/usr/share/java/jna.jar tests/conformance/Conformance.java DATA_DIR OUT_FILE
// with LIBCRM_PATH naming libcrm.so.1 unless it is installed.

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.libcrm.Arima;
import org.libcrm.Crm;
import org.libcrm.Dataset;
import org.libcrm.KMeans;
import org.libcrm.LogisticRegression;
import org.libcrm.Model;

public final class Conformance {
    private static final int HEAD = 5;

    static String jstr(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                b.append("\\\"");
            } else if (c == '\\') {
                b.append("\\\\");
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String jnum(double x) {
        if (Double.isNaN(x)) {
            return "\"nan\"";
        }
        return "\"" + String.format("%016x", Double.doubleToRawLongBits(x)) + "\"";
    }

    static String columnBlock(Dataset ds, String name) {
        String kind = ds.type(name);
        List<String> cells = new ArrayList<>();
        long missing = 0;
        String extra;
        if (kind.equals("number")) {
            double total = 0.0;
            for (double v : ds.getNumbers(name)) {
                if (Double.isNaN(v)) {
                    missing++;
                    cells.add("null");
                } else {
                    total += v;
                    cells.add(jnum(v));
                }
            }
            extra = "\"sum\":" + jnum(total);
        } else if (kind.equals("time")) {
            for (long v : ds.getTimes(name)) {
                if (v == Dataset.TIME_MISSING) {
                    missing++;
                    cells.add("null");
                } else {
                    cells.add(Long.toString(v));
                }
            }
            extra = null;
        } else {
            HashSet<String> distinct = new HashSet<>();
            for (String v : ds.getTexts(name)) {
                if (v == null) {
                    missing++;
                    cells.add("null");
                } else {
                    distinct.add(v);
                    cells.add(jstr(v));
                }
            }
            extra = "\"distinct\":" + distinct.size();
        }
        StringBuilder b = new StringBuilder("{\"name\":").append(jstr(name))
            .append(",\"type\":\"").append(kind).append("\",\"missing\":").append(missing);
        if (extra != null) {
            b.append(',').append(extra);
        }
        b.append(",\"head\":[").append(String.join(",", cells.subList(0, Math.min(HEAD, cells.size()))))
            .append("],\"last\":").append(cells.isEmpty() ? "null" : cells.get(cells.size() - 1))
            .append('}');
        return b.toString();
    }

    static String datasetBlock(Dataset ds) {
        List<String> cols = new ArrayList<>();
        for (String name : ds.columns()) {
            cols.add(columnBlock(ds, name));
        }
        return "{\"rows\":" + ds.nrows() + ",\"columns\":[" + String.join(",", cols) + "]}";
    }

    static String statsBlock(Model m) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> e : m.stats().entrySet()) {
            parts.add(jstr(e.getKey()) + ":" + jnum(e.getValue()));
        }
        return "{" + String.join(",", parts) + "}";
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Conformance DATA_DIR OUT_FILE");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        Path outPath = Path.of(args[1]);
        List<String> out = new ArrayList<>();

        out.add(jstr("version") + ":" + jstr(Crm.version()));

        // 1. read
        try (Dataset retail = Dataset.readCsv(data.resolve("online_retail/online_retail.csv.gz").toString());
             // 2. clean
             Dataset sales = retail.filter("CustomerID is not missing and Quantity > 0 and UnitPrice > 0")) {
            out.add(jstr("retail") + ":" + datasetBlock(retail));
            sales.mutate("Amount", "Quantity * UnitPrice");
            long removed = sales.dedup(null, "first");
            out.add(jstr("dedup_removed") + ":" + removed);
            out.add(jstr("sales") + ":" + datasetBlock(sales));

            // 3. RFM
            Map<String, Object> rfmOptions = new LinkedHashMap<>();
            rfmOptions.put("customer", "CustomerID");
            rfmOptions.put("date", "InvoiceDate");
            rfmOptions.put("amount", "Amount");
            rfmOptions.put("invoice", "InvoiceNo");
            try (Dataset scores = Crm.rfm(sales, rfmOptions)) {
                out.add(jstr("rfm") + ":" + datasetBlock(scores));

                // 4. k-means on log RFM (steps recorded in the model)
                String[] cols = {"recency_days", "frequency", "monetary"};
                String[] steps = new String[cols.length];
                for (int i = 0; i < cols.length; i++) {
                    steps[i] = cols[i] + "=log1p(" + cols[i] + ")";
                }
                Map<String, Object> kmOptions = new LinkedHashMap<>();
                kmOptions.put("k", 4);
                kmOptions.put("n_init", 10);
                kmOptions.put("seed", 42);
                kmOptions.put("standardize", true);
                kmOptions.put("n_threads", 1);
                kmOptions.put("mutate", steps);
                try (KMeans km = new KMeans(kmOptions).fit(scores, cols)) {
                    out.add(jstr("kmeans_stats") + ":" + statsBlock(km));
                    try (Dataset summary = km.summary()) {
                        out.add(jstr("kmeans_summary") + ":" + datasetBlock(summary));
                    }
                    try (Dataset labelled = scores.copy()) {
                        km.predict(labelled, "cluster");
                        out.add(jstr("kmeans_labels") + ":" + columnBlock(labelled, "cluster"));
                    }

                    // 5. Telco logistic regression
                    try (Dataset telco = Dataset.readCsv(
                             data.resolve("telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv").toString());
                         LogisticRegression lr = new LogisticRegression(
                             Map.of("positive", "Yes", "missing", "drop", "n_threads", 1))) {
                        lr.fit(telco, "Churn", "tenure", "MonthlyCharges", "TotalCharges",
                            "SeniorCitizen", "Contract", "InternetService", "PaymentMethod",
                            "PaperlessBilling");
                        out.add(jstr("logreg_stats") + ":" + statsBlock(lr));
                        try (Dataset summary = lr.summary()) {
                            out.add(jstr("logreg_summary") + ":" + datasetBlock(summary));
                        }
                    }

                    // 6. Apriori on FIMI retail
                    try (Dataset baskets = Dataset.readBaskets(data.resolve("fimi_retail/retail.dat").toString());
                         Crm.AprioriResult ar = Crm.apriori(baskets, "tid", "item",
                             Map.of("min_support", 0.01, "min_confidence", 0.5, "n_threads", 1))) {
                        out.add(jstr("itemsets") + ":" + datasetBlock(ar.itemsets()));
                        out.add(jstr("rules") + ":" + datasetBlock(ar.rules()));
                    }

                    // 7. auto-ARIMA on the monthly air passengers
                    try (Dataset air = Dataset.readCsv(data.resolve("airpassengers/airpassengers.csv").toString());
                         Arima arima = new Arima(Map.of("auto_order", true, "n_threads", 1))
                             .fitDataset(air, "date", "value", "month");
                         Dataset fc = arima.forecast(12, 95)) {
                        out.add(jstr("arima_stats") + ":" + statsBlock(arima));
                        out.add(jstr("arima_forecast") + ":" + datasetBlock(fc));
                    }

                    // 8. save, load, predict again
                    Path tmp = Files.createTempDirectory("crm-conformance");
                    Path file = tmp.resolve("kmeans.json");
                    Model loaded;
                    try {
                        km.save(file.toString());
                        loaded = Model.load(file.toString());
                    } finally {
                        Files.deleteIfExists(file);
                        Files.deleteIfExists(tmp);
                    }
                    try (Model m = loaded; Dataset again = scores.copy()) {
                        out.add(jstr("loaded_kind") + ":" + jstr(m.kindName()));
                        out.add(jstr("loaded_stats") + ":" + statsBlock(m));
                        m.predict(again, "cluster");
                        out.add(jstr("loaded_labels") + ":" + columnBlock(again, "cluster"));
                    }
                }
            }
        }

        byte[] bytes = ("{\n" + String.join(",\n", out) + "\n}\n").getBytes(StandardCharsets.UTF_8);
        Path partial = outPath.resolveSibling(outPath.getFileName() + ".tmp");
        Files.write(partial, bytes);
        Files.move(partial, outPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
