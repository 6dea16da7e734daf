package dev.rosetta.pipeline;

/**
 * What routes an exchange across several targets: told when the exchange commits and when an attempt
 * fails before it did. Called on the request's event loop.
 */
public interface Attempts {

    /** An attempt's upstream call has begun (it may be cancelled through it, say when a hedge wins). */
    void started(Exchange ex, UpstreamCall call);

    /**
     * The first byte of the answer goes to the client now (once, before that byte is written), from
     * {@link Exchange#committer()}'s attempt when a call commits, else from the gateway's own reply.
     */
    void committed(Exchange ex);

    /**
     * An attempt failed before the exchange committed.
     *
     * @return true when another attempt takes the exchange over: the caller then writes nothing and
     *         lets its upstream go; false when the caller answers with this failure as it would unrouted
     */
    boolean failed(Exchange ex, UpstreamCall call, AttemptFailure failure);
}
