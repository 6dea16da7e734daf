package dev.rosetta.limits;

import io.vertx.core.Future;
import java.util.List;

/**
 * Keeps limit counters: reserves what a request will take from every bucket that applies to it, all
 * or nothing, and settles the reservation when the request ends. Rate buckets are a generic cell
 * rate algorithm (GCRA, a token bucket kept as one "theoretical arrival time"): a bucket of
 * {@code limit} refills one unit every {@code period/limit}, so there is no window edge at which a
 * double burst could pass. A charge may leave a tokens bucket in debt when the real usage settles
 * above the estimate; the debt delays the next requests.
 *
 * <p>Time is the caller's ({@code nowMillis}, from its injected clock), never the counter store's,
 * so tests move time instead of sleeping and replicas agree as far as their clocks do.
 *
 * <p>Called on event loops: no method blocks. The futures complete on the caller's context. A budget
 * can keep its money in the same counters later: a bucket whose unit is money, reserved at the
 * estimated cost and settled with the real one.
 */
public interface Limiter {

    /**
     * Takes every charge, or none of them when one does not fit.
     *
     * @param lease unique per request, names its slot in concurrency buckets
     */
    Future<Decision> reserve(List<Charge> charges, String lease, long nowMillis);

    /**
     * Ends a reservation: tokens buckets are corrected by {@code actualTokens} minus the estimate
     * (up or down), concurrency slots are released. Requests buckets keep their charge. Never fails
     * the request: a counter that cannot be reached is logged.
     */
    Future<Void> settle(Reservation reservation, long actualTokens, long nowMillis);

    /**
     * Gives a reservation back whole, as if its request had never asked: for a request refused by
     * something checked beside the limits (its budget) after they had granted it. Every bucket gets its
     * charge back, requests buckets included; concurrency slots are released.
     */
    Future<Void> cancel(Reservation reservation, long nowMillis);

    /**
     * What is wrong with the counters right now, for {@code /ready}: empty while they answer. Never
     * blocks.
     */
    default java.util.Optional<String> trouble() {
        return java.util.Optional.empty();
    }

    /** Releases connections; in flight calls may fail. */
    default void close() {
    }
}
