package dev.rosetta.config;

import dev.rosetta.ledger.Price;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Prices and the usage ledger ({@code prices}, {@code ledger}, {@code ledger_retention}, {@code ledger_spool},
 * {@code ledger_spool_max}). The ledger is on whenever there is a store ({@code auth: keys}) unless
 * {@code ledger: false}.
 *
 * @param enabled {@code ledger}: false keeps no request records even with a store
 * @param prices entries replacing or adding to the shipped price table, by model name
 * @param retention how long request records are kept before they are folded into daily rollups
 * @param spool the local file records go to while the store is away
 * @param spoolMaxBytes beyond this, records are refused, counted and reported
 */
public record LedgerConfig(boolean enabled, List<Price> prices, Duration retention, Path spool, long spoolMaxBytes) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);
    public static final Path DEFAULT_SPOOL = Path.of("rosetta-ledger.spool");
    public static final long DEFAULT_SPOOL_MAX = 256L * 1024 * 1024;
    public static final LedgerConfig DEFAULT = new LedgerConfig(true, List.of(), DEFAULT_RETENTION, DEFAULT_SPOOL,
            DEFAULT_SPOOL_MAX);

    public LedgerConfig(List<Price> prices, Duration retention, Path spool, long spoolMaxBytes) {
        this(true, prices, retention, spool, spoolMaxBytes);
    }

    public LedgerConfig {
        prices = List.copyOf(prices);
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(spool, "spool");
    }
}
