package dev.rosetta.ledger;

import java.util.Map;

/**
 * One group of an aggregate: its dimension values (day as {@code YYYY-MM-DD} UTC) and the sums.
 *
 * @param unpriced requests whose model had no price, counted at 0
 * @param cacheWrite1h the part of {@code cacheWrite} kept an hour (Anthropic), billed at its own rate
 */
public record UsageRow(Map<UsageQuery.Dimension, String> group, long requests, long errors, long input, long output,
                       long cacheRead, long cacheWrite, long reasoning, long costNanos, long unpriced,
                       long cacheWrite1h) {
}
