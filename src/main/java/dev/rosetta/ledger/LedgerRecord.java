package dev.rosetta.ledger;

import dev.rosetta.model.Usage;

/**
 * One request as the ledger keeps it. Token kinds are disjoint, as in {@link Usage}: {@code input} is
 * the prompt tokens neither read from nor written to a cache, {@code output} includes
 * {@code reasoning}.
 *
 * @param at when the request ended, epoch milliseconds UTC
 * @param tenant empty without a principal ({@code auth: none})
 * @param errorClass empty for a success
 * @param ttfbMicros -1 when no byte reached the client
 * @param usageEstimated the usage is a local estimate or, for a cut stream, only what arrived before the cut
 * @param cache what the response cache did ({@code hit}, {@code miss}, {@code bypass}, {@code refresh}); empty without it
 * @param savedCostNanos for a hit (whose cost is zero): what the answer would have cost from the provider
 */
public record LedgerRecord(long at, String requestId, String tenant, String keyId, String dialect, String endpoint,
                           String model, String provider, String upstreamModel, boolean stream, int status,
                           String errorClass, Usage usage, Cost cost, long latencyMicros, long ttfbMicros,
                           boolean cancelled, boolean usageEstimated, String cache, long savedCostNanos) {

    /** A record of a request the response cache had no part in. */
    public LedgerRecord(long at, String requestId, String tenant, String keyId, String dialect, String endpoint,
                        String model, String provider, String upstreamModel, boolean stream, int status,
                        String errorClass, Usage usage, Cost cost, long latencyMicros, long ttfbMicros,
                        boolean cancelled, boolean usageEstimated) {
        this(at, requestId, tenant, keyId, dialect, endpoint, model, provider, upstreamModel, stream, status, errorClass,
                usage, cost, latencyMicros, ttfbMicros, cancelled, usageEstimated, "", 0);
    }

    /** The error class the ledger groups failures by, from the status the client got. */
    public static String errorClass(int status) {
        return switch (status) {
            case 400, 413, 422 -> "invalid_request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 429 -> "rate_limited";
            case 499 -> "client_cancelled";
            case 503 -> "unavailable";
            case 504 -> "timeout";
            default -> status >= 500 ? "upstream_error" : status >= 400 ? "client_error" : "";
        };
    }
}
