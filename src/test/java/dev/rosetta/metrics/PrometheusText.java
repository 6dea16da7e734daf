package dev.rosetta.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Prometheus text exposition format (0.0.4): every sample line as a name, its labels
 * and its value; {@code # HELP} and {@code # TYPE} lines are checked for shape and kept as types.
 * Strict: a line that does not parse fails the test.
 */
final class PrometheusText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2) {
                    throw new IllegalArgumentException("bad TYPE line: " + line);
                }
                p.types.put(parts[0], parts[1]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            p.samples.add(sample(line));
        }
        return p;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            throw new IllegalArgumentException("bad metric name: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq);
                if (!key.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                    throw new IllegalArgumentException("bad label name " + key + ": " + line);
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("unquoted label value: " + line);
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        v.append(n == 'n' ? '\n' : n);
                    } else {
                        v.append(c);
                    }
                }
                labels.put(key, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split(" ");
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name, labels, value);
    }

    /** The sum of the samples named {@code name} whose labels include all of {@code match} (key, value, ...). */
    double sum(String name, String... match) {
        return find(name, match).stream().mapToDouble(Sample::value).sum();
    }

    List<Sample> find(String name, String... match) {
        return samples.stream().filter(s -> s.name.equals(name)).filter(s -> {
            for (int k = 0; k < match.length; k += 2) {
                if (!match[k + 1].equals(s.labels.get(match[k]))) {
                    return false;
                }
            }
            return true;
        }).toList();
    }
}
