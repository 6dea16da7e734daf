package dev.rosetta.ledger;

import java.util.Map;

/**
 * One group of an aggregate: its dimension values (day as {@code YYYY-MM-DD} UTC) and the sums.
 *
 * @param unpriced requests whose model had no price, counted at 0
 */
public record UsageRow(Map<UsageQuery.Dimension, String> group, long requests, long errors, long input, long output,
                       long cacheRead, long cacheWrite, long reasoning, long costNanos, long unpriced) {
}
