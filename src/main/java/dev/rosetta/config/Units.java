package dev.rosetta.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Parses the human units used in the configuration: durations and byte sizes. */
public final class Units {

    private Units() {
    }

    /** {@code 30s}, {@code 1500ms}, {@code 10m}, {@code 1h}, {@code 90d}, or a bare number of seconds. */
    public static Optional<Duration> parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim())));
            }
            if (s.endsWith("s")) {
                return nonNegative(Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000)));
            }
            if (s.endsWith("m")) {
                return nonNegative(Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()) * 60));
            }
            if (s.endsWith("d")) {
                return nonNegative(Duration.ofDays(Long.parseLong(s.substring(0, s.length() - 1).trim())));
            }
            if (s.endsWith("h")) {
                return nonNegative(Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()) * 3600));
            }
            return nonNegative(Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code 32MiB}, {@code 512KiB}, {@code 1GiB}, {@code 10MB}, or a bare number of bytes. */
    static Optional<Long> parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long factor = 1;
        String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"kb", "1000"},
                {"mb", "1000000"}, {"gb", "1000000000"}, {"k", "1024"}, {"m", "1048576"}, {"g", "1073741824"},
                {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                factor = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(s);
            return n > 0 ? Optional.of(n * factor) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> nonNegative(Duration d) {
        return d.isNegative() ? Optional.empty() : Optional.of(d);
    }
}
