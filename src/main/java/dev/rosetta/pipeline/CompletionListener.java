package dev.rosetta.pipeline;

/**
 * Told once that a request has ended, however it ended: answered, refused, failed upstream, cut by
 * the client, timed out or abandoned at shutdown. By then the exchange's status, usage, outcome,
 * timings and principal are final. This is the one place later stages settle what they began
 * (a limiter's reservation, a ledger record, metrics): none of them re-reads the answer.
 *
 * <p>Called on the request's event loop: an implementation must not block (hand blocking work, such
 * as a database write, to its own worker) and should not throw; an exception is logged and the other
 * listeners are still told.
 */
@FunctionalInterface
public interface CompletionListener {

    void completed(Exchange ex);
}
