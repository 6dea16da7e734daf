package dev.rosetta.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.model.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shipped price table ({@code prices/prices.json}) with the configured {@code prices:} entries
 * over it, looked up by the model name sent upstream.
 *
 * <p>Matching, first hit wins: the name as sent; then lowercased without a path prefix
 * ({@code models/gemini-2.5-pro}, {@code openai/gpt-5}); then that without a trailing date
 * ({@code -2025-08-07}, {@code -20250514}, {@code @20250514}). Nothing looser: a name that matches
 * none of these has no price ({@link Cost#UNKNOWN}) rather than a neighbour's.
 */
public final class PriceTable {

    private static final Pattern DATE_SUFFIX = Pattern.compile("(-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8})$");

    /** Model names seen beyond the table (a client may send any name): a bound, not a cache policy. */
    private static final int LOOSE_MAX = 4096;

    private final Map<String, Price> prices;
    private final Map<String, Optional<Price>> loose = new java.util.concurrent.ConcurrentHashMap<>();

    private PriceTable(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** The shipped table, with {@code overrides} replacing or adding entries by model name. */
    public static PriceTable withOverrides(List<Price> overrides) {
        Map<String, Price> all = new HashMap<>();
        for (Price p : shipped()) {
            all.put(p.model(), p);
        }
        for (Price p : overrides) {
            all.put(p.model(), p);
        }
        return new PriceTable(all);
    }

    public static PriceTable shippedOnly() {
        return withOverrides(List.of());
    }

    /** The entries of {@code prices/prices.json}; a broken resource is a build error, so it throws. */
    public static List<Price> shipped() {
        try (InputStream in = PriceTable.class.getResourceAsStream("/prices/prices.json")) {
            if (in == null) {
                throw new IllegalStateException("prices/prices.json is missing from the classpath");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            List<Price> out = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int i = 0;
            for (JsonNode e : root.path("models")) {
                Price.parse(e.path("model").asText(), e, "prices.json models[" + i++ + "]", problems::add)
                        .ifPresent(out::add);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("prices/prices.json: " + problems);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Price> find(String upstreamModel) {
        Price p = prices.get(upstreamModel);
        if (p != null) {
            return Optional.of(p);
        }
        // Names that miss the exact lookup (dated, prefixed, unpriced) are remembered, so the lowercasing
        // and the date pattern run once per name and not on every request's completion.
        Optional<Price> known = loose.get(upstreamModel);
        if (known != null) {
            return known;
        }
        Optional<Price> found = findLoosely(upstreamModel);
        if (loose.size() < LOOSE_MAX) {
            loose.put(upstreamModel, found);
        }
        return found;
    }

    private Optional<Price> findLoosely(String upstreamModel) {
        Price p;
        String name = upstreamModel.toLowerCase(Locale.ROOT);
        name = name.substring(name.lastIndexOf('/') + 1);
        p = prices.get(name);
        if (p != null) {
            return Optional.of(p);
        }
        String undated = DATE_SUFFIX.matcher(name).replaceFirst("");
        return Optional.ofNullable(undated.equals(name) ? null : prices.get(undated));
    }

    /** The cost of a request to {@code upstreamModel}; {@link Cost#UNKNOWN} without a price. */
    public Cost cost(String upstreamModel, Usage usage) {
        return find(upstreamModel).map(p -> Cost.of(p, usage)).orElse(Cost.UNKNOWN);
    }

    public int size() {
        return prices.size();
    }
}
