package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.ledger.Price;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The {@code prices} and {@code ledger_*} sections, problems reported through the {@link ConfigLoader}. */
final class LedgerConfigReader {

    private final ConfigLoader loader;

    LedgerConfigReader(ConfigLoader loader) {
        this.loader = loader;
    }

    LedgerConfig read(JsonNode root) {
        List<Price> prices = new ArrayList<>();
        JsonNode p = root.get("prices");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                loader.problem("prices: expected a mapping of model name to {input, output, ...} in USD per million tokens");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    var e = it.next();
                    Price.parse(e.getKey(), e.getValue(), "prices." + e.getKey(), loader::problem).ifPresent(prices::add);
                }
            }
        }
        return new LedgerConfig(loader.bool(root, "ledger", "").orElse(true), prices,
                loader.duration(root, "ledger_retention", "").orElse(LedgerConfig.DEFAULT_RETENTION),
                loader.string(root, "ledger_spool", "").filter(s -> !s.isBlank()).map(Path::of)
                        .orElse(LedgerConfig.DEFAULT_SPOOL),
                loader.size(root, "ledger_spool_max", "").orElse(LedgerConfig.DEFAULT_SPOOL_MAX));
    }
}
