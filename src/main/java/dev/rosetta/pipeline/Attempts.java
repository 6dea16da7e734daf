package dev.rosetta.pipeline;

/**
 * What routes an exchange across several targets: told when the exchange commits and when an attempt
 * fails before it did. Called on the request's event loop.
 */
public interface Attempts {

    /** The first byte of the answer goes to the client now (once, before that byte is written). */
    void committed(Exchange ex);

    /**
     * An attempt failed before the exchange committed.
     *
     * @return true when another attempt takes the exchange over: the caller then writes nothing and
     *         lets its upstream go; false when the caller answers with this failure as it would unrouted
     */
    boolean failed(Exchange ex, AttemptFailure failure);
}
