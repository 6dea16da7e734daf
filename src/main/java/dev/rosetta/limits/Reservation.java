package dev.rosetta.limits;

import java.util.List;

/**
 * What a granted request holds until it ends: the charges taken (tokens at their estimate) and, for
 * concurrency buckets, its lease. Settled exactly once through {@link Limiter#settle}.
 *
 * @param lease unique per request: names its slot in a concurrency bucket
 */
public record Reservation(List<Charge> charges, String lease) {

    /** Held by nothing: a request let through while the counters were unreachable. */
    public static final Reservation NONE = new Reservation(List.of(), "");

    public Reservation {
        charges = List.copyOf(charges);
    }

    public long reservedTokens() {
        for (Charge c : charges) {
            if (c.bucket().unit() == Bucket.Unit.TOKENS) {
                return c.cost();
            }
        }
        return 0;
    }
}
