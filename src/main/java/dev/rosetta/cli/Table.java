package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Rows of JSON objects as a plain aligned table: one column per field, lists and objects inline. */
final class Table {

    private Table() {
    }

    static void print(PrintWriter out, List<String> columns, List<JsonNode> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(c -> c.toUpperCase(java.util.Locale.ROOT)).toArray(String[]::new));
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> cell(row.get(c))).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] r : cells) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(r[i]);
                if (i < r.length - 1) {
                    sb.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String cell(JsonNode v) {
        if (v == null || v.isNull()) {
            return "-";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(x.asText()));
            return String.join(",", parts);
        }
        if (v.isObject()) {
            return v.isEmpty() ? "-" : v.toString();
        }
        return v.asText();
    }
}
