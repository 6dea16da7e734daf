package dev.rosetta.budget;

import io.vertx.core.Future;
import java.util.List;

/**
 * Keeps budget counters, one per owner and period ({@link Hold#counter}): spent and reserved
 * nano-USD. A reservation takes every hold or none, atomically: a hard hold fits while the period's
 * spend plus what others hold plus its own cost stays within the budget (and nothing is left once the
 * spend has reached it, whatever the cost); a soft hold always fits. Settlement turns a hold's
 * reservation into the real cost, up or down.
 *
 * <p>Called on event loops: no method blocks; futures complete on the caller's context.
 */
public interface BudgetBook {

    Future<Verdict> reserve(List<Hold> holds, long nowMillis);

    /**
     * Ends the holds of one request: each gives back its reservation and adds {@code actualNanos} to
     * its counter's spend.
     *
     * @return each counter's spend after it (for alerts); a counter that could not be reached reports
     *     {@link Spend#ZERO}
     */
    Future<List<Spend>> settle(List<Hold> holds, long actualNanos, long nowMillis);

    /**
     * {@link #settle} when nobody waits for the spends (no alerts configured, a reservation given back):
     * a book may then skip keeping the request's answer.
     */
    default void settleQuietly(List<Hold> holds, long actualNanos, long nowMillis) {
        settle(holds, actualNanos, nowMillis);
    }

    /** A counter as it stands, for the admin API; {@link Spend#ZERO} if it has none yet. */
    Future<Spend> peek(Hold hold, long nowMillis);

    /** Whether an unreachable store refuses requests ({@code limits_on_redis_failure: deny}) rather than serving them. */
    default boolean failurePolicyDenies() {
        return false;
    }

    /** What is wrong with the counters right now, for {@code /ready}; empty while they answer. */
    default java.util.Optional<String> trouble() {
        return java.util.Optional.empty();
    }
}
