package dev.rosetta.ledger;

import java.util.List;
import java.util.Optional;

/**
 * A question to the ledger: a time range, filters, and for aggregates the dimensions to group by;
 * for records a page size and where the previous page ended.
 *
 * @param from epoch milliseconds, inclusive
 * @param to epoch milliseconds, exclusive
 * @param after the last record of the previous page (its time and request id), newest first
 */
public record UsageQuery(long from, long to, List<Dimension> groupBy, Optional<String> tenant, Optional<String> keyId,
                         Optional<String> model, Optional<String> provider, int limit, Optional<Cursor> after) {

    public UsageQuery {
        groupBy = List.copyOf(groupBy);
    }

    public enum Dimension {
        DAY("day"), TENANT("tenant"), KEY("key_id"), MODEL("model"), PROVIDER("provider");

        final String column;

        Dimension(String column) {
            this.column = column;
        }

        public String wireName() {
            return this == KEY ? "key" : column;
        }
    }

    public record Cursor(long at, String requestId) {
    }
}
