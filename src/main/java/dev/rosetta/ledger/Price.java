package dev.rosetta.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What one model costs, in USD per million tokens, with where the figure came from.
 *
 * @param longContext the rates for a whole request whose prompt (cached or not) exceeds a threshold
 *                    (Gemini and Anthropic above 200k input tokens), if the provider has such a tier
 * @param asOf the date the price was checked; empty for a configured price
 * @param source the pricing page it was checked against; empty for a configured price
 */
public record Price(String model, Rates rates, Optional<LongContext> longContext, String asOf, String source) {

    /**
     * USD per million tokens for each kind. A kind without a price of its own bills at the input
     * price (cached reads, cache writes); a 1-hour cache write without one at the 5-minute price.
     */
    public record Rates(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite5m,
                        BigDecimal cacheWrite1h, long[] picoPerToken) {

        public Rates(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite5m,
                     BigDecimal cacheWrite1h) {
            this(input, output, cacheRead, cacheWrite5m, cacheWrite1h,
                    pico(input, cacheRead, cacheWrite5m, cacheWrite1h, output));
        }

        /**
         * The rates in pico-USD per token (USD per million tokens x 10^6), in the order input, cache read,
         * 5-minute cache write, 1-hour cache write, output; null when one is not a whole number of them (a
         * price with more than six decimals), and {@link Cost#of} then computes in BigDecimal.
         */
        private static long[] pico(BigDecimal... rates) {
            long[] out = new long[rates.length];
            for (int i = 0; i < rates.length; i++) {
                try {
                    out[i] = rates[i].movePointRight(6).longValueExact();
                } catch (ArithmeticException e) {
                    return null;
                }
                if (out[i] < 0) {
                    return null;
                }
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rates r && input.equals(r.input) && output.equals(r.output)
                    && cacheRead.equals(r.cacheRead) && cacheWrite5m.equals(r.cacheWrite5m)
                    && cacheWrite1h.equals(r.cacheWrite1h);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(input, output, cacheRead, cacheWrite5m, cacheWrite1h);
        }

        @Override
        public String toString() {
            return "Rates[input=" + input + ", output=" + output + ", cacheRead=" + cacheRead + ", cacheWrite5m="
                    + cacheWrite5m + ", cacheWrite1h=" + cacheWrite1h + "]";
        }
    }

    public record LongContext(long aboveInputTokens, Rates rates) {
    }

    private static final Set<String> RATE_KEYS = Set.of("input", "output", "cache_read", "cache_write_5m",
            "cache_write_1h");
    private static final Set<String> KEYS = Set.of("model", "provider", "input", "output", "cache_read",
            "cache_write_5m", "cache_write_1h", "long_context", "as_of", "source");

    /**
     * Reads one entry of the shipped table or of the {@code prices:} section. Every problem is
     * reported with its path; the result is empty when there was any.
     */
    public static Optional<Price> parse(String model, JsonNode node, String path, Consumer<String> problem) {
        if (node == null || !node.isObject()) {
            problem.accept(path + ": expected a mapping with input and output (USD per million tokens)");
            return Optional.empty();
        }
        boolean[] bad = {false};
        Consumer<String> p = s -> {
            bad[0] = true;
            problem.accept(s);
        };
        unknown(node, path, KEYS, p);
        Rates rates = rates(node, path, p);
        Optional<LongContext> lc = Optional.empty();
        JsonNode l = node.get("long_context");
        if (l != null) {
            String lp = path + ".long_context";
            if (!l.isObject() || !l.path("above_input_tokens").canConvertToLong() || l.path("above_input_tokens").asLong() <= 0) {
                p.accept(lp + ".above_input_tokens: expected a positive number of tokens");
            } else {
                Set<String> keys = new java.util.HashSet<>(RATE_KEYS);
                keys.add("above_input_tokens");
                unknown(l, lp, keys, p);
                lc = Optional.of(new LongContext(l.get("above_input_tokens").asLong(), rates(l, lp, p)));
            }
        }
        if (bad[0]) {
            return Optional.empty();
        }
        return Optional.of(new Price(model, rates, lc, node.path("as_of").asText(""), node.path("source").asText("")));
    }

    private static Rates rates(JsonNode node, String path, Consumer<String> problem) {
        BigDecimal input = rate(node, "input", path, problem).orElse(BigDecimal.ZERO);
        BigDecimal output = rate(node, "output", path, problem).orElse(BigDecimal.ZERO);
        if (!node.has("input") || !node.has("output")) {
            problem.accept(path + ": input and output are required (USD per million tokens; 0 for a free model)");
        }
        BigDecimal write5m = rate(node, "cache_write_5m", path, problem).orElse(input);
        return new Rates(input, output, rate(node, "cache_read", path, problem).orElse(input), write5m,
                rate(node, "cache_write_1h", path, problem).orElse(write5m));
    }

    private static Optional<BigDecimal> rate(JsonNode node, String key, String path, Consumer<String> problem) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isNumber() || v.decimalValue().signum() < 0) {
            problem.accept(path + "." + key + ": expected a price in USD per million tokens, 0 or more");
            return Optional.empty();
        }
        return Optional.of(v.decimalValue().stripTrailingZeros());
    }

    private static void unknown(JsonNode node, String path, Set<String> known, Consumer<String> problem) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                problem.accept(path + "." + k + ": unknown key (expected one of " + known.stream().sorted().toList() + ")");
            }
        }
    }
}
