package dev.rosetta.pipeline;

import dev.rosetta.auth.Principal;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.model.Usage;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One client request and what became of it, for the access log. Lives on the request's event loop
 * only: no synchronisation.
 */
public final class Exchange {

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String requestId;
    private final long startNanos;
    private Dialect dialect = Dialect.OPENAI_CHAT;
    private Endpoint endpoint;
    private String model = "";
    private String provider = "";
    private String upstreamModel = "";
    private boolean usageEstimated;
    private boolean stream;
    private long firstByteNanos;
    private Usage usage = Usage.ZERO;
    private String outcome = "";
    private int status;
    private boolean logged;
    private Principal principal = Principal.ANONYMOUS;
    private long bytesIn = -1;
    private long bytesOut = -1;
    private java.util.List<CompletionListener> hooks;
    private boolean committed;
    private Attempts router;
    private UpstreamCall committer;
    private java.util.List<Attempt> attempts;
    private java.util.List<BilledAttempt> billed;
    private long bodyBytes = -1;
    private dev.rosetta.config.StreamConfig streams;
    private AnswerTap tap = AnswerTap.NONE;
    private String cache = "";
    private int[] signals;
    private Object traceSpan;
    private int upstreamCalls;
    private WireCapture capture;

    public Exchange(HttpServerRequest request, String requestId, long startNanos) {
        this.request = request;
        this.response = request.response();
        this.requestId = requestId;
        this.startNanos = startNanos;
    }

    public HttpServerRequest request() {
        return request;
    }

    public HttpServerResponse response() {
        return response;
    }

    public Dialect dialect() {
        return dialect;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public String requestId() {
        return requestId;
    }

    public boolean stream() {
        return stream;
    }

    public void stream(boolean s) {
        stream = s;
    }

    public void dialect(Dialect d) {
        dialect = d;
    }

    public void endpoint(Endpoint e) {
        endpoint = e;
        dialect = e.dialect();
    }

    public String model() {
        return model;
    }

    public void model(String m) {
        model = m;
    }

    public String provider() {
        return provider;
    }

    public void provider(String p) {
        provider = p;
    }

    /** The model name sent upstream; empty when none was (a request refused before routing). */
    public String upstreamModel() {
        return upstreamModel;
    }

    public void upstreamModel(String m) {
        upstreamModel = m;
    }

    /** True when the usage is a local estimate rather than what the provider reported. */
    public boolean usageEstimated() {
        return usageEstimated;
    }

    public void usageEstimated(boolean estimated) {
        usageEstimated = estimated;
    }

    public long startNanos() {
        return startNanos;
    }

    public long firstByteNanos() {
        return firstByteNanos;
    }

    public Usage usage() {
        return usage;
    }

    public String outcome() {
        return outcome;
    }

    /** The status the client got; 499 when it went away first. */
    public int status() {
        return status;
    }

    public void status(int s) {
        status = s;
    }

    public void markFirstByte() {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
    }

    /**
     * The commit point: the first byte of the answer goes to the client now. Before it an attempt may
     * still fail over, retry or be hedged; after it nothing is retried. Called once, before the head
     * is written, by whatever writes it; later calls do nothing.
     */
    public void commit() {
        commit(null);
    }

    /** As {@link #commit()}, by the upstream call whose answer it is (the one that wins, when attempts race). */
    public void commit(UpstreamCall by) {
        if (committed) {
            return;
        }
        committed = true;
        committer = by;
        markFirstByte();
        if (router != null) {
            router.committed(this);
        }
    }

    public boolean committed() {
        return committed;
    }

    /** Routes this exchange across targets from now on. */
    public void route(Attempts r) {
        router = r;
    }

    /**
     * An attempt failed before commit: true when another attempt has taken the exchange over (the
     * caller writes nothing more), false when the caller answers with the failure itself.
     */
    public boolean failOver(UpstreamCall call, AttemptFailure failure) {
        return router != null && !committed && router.failed(this, call, failure);
    }

    /** The call that committed the exchange, if a call did. */
    public java.util.Optional<UpstreamCall> committer() {
        return java.util.Optional.ofNullable(committer);
    }

    void started(UpstreamCall call) {
        if (router != null) {
            router.started(this, call);
        }
    }

    /** The attempts of a routed request, in order; empty for a request that was not routed. */
    public java.util.List<Attempt> attempts() {
        return attempts == null ? java.util.List.of() : attempts;
    }

    public void attempt(Attempt a) {
        if (attempts == null) {
            attempts = new java.util.ArrayList<>(2);
        }
        attempts.add(a);
    }

    /** Attempts billed beside the answer (hedges that lost after their request went out); usually empty. */
    public java.util.List<BilledAttempt> billedAttempts() {
        return billed == null ? java.util.List.of() : billed;
    }

    public void billed(BilledAttempt a) {
        if (billed == null) {
            billed = new java.util.ArrayList<>(1);
        }
        billed.add(a);
    }

    /** The request body's size in bytes, -1 before it was read. */
    public long bodyBytes() {
        return bodyBytes;
    }

    public void bodyBytes(long n) {
        bodyBytes = n;
    }

    /** The stream timeouts of this request: its model group's where it sets them, else {@code defaults}. */
    public dev.rosetta.config.StreamConfig streams(dev.rosetta.config.StreamConfig defaults) {
        return streams == null ? defaults : streams;
    }

    public void streamTimeouts(dev.rosetta.config.StreamConfig s) {
        streams = s;
    }

    public void usage(Usage u) {
        usage = u;
    }

    public void outcome(String o) {
        outcome = o;
    }

    /** Who the request is from; {@link Principal#ANONYMOUS} until (or without) the admit stage. */
    public Principal principal() {
        return principal;
    }

    public void principal(Principal p) {
        principal = p;
    }

    /** Request body bytes relayed upstream; counted for passed-through API requests only, else -1. */
    public long bytesIn() {
        return bytesIn;
    }

    /** Response body bytes relayed to the client; counted for passed-through API requests only, else -1. */
    public long bytesOut() {
        return bytesOut;
    }

    public void bytes(long in, long out) {
        bytesIn = in;
        bytesOut = out;
    }

    /**
     * Adds what a stage must settle when this request ends (a reservation to release, say): run once,
     * before the gateway-wide listeners, on this event loop. Costs nothing for a request without any.
     */
    public void whenComplete(CompletionListener hook) {
        if (hooks == null) {
            hooks = new java.util.ArrayList<>(2);
        }
        hooks.add(hook);
    }

    void runCompletionHooks() {
        if (hooks != null) {
            for (CompletionListener h : hooks) {
                Replies.tell(h, this);
            }
        }
    }

    /** What sees the provider's answer on its way to the client; {@link AnswerTap#NONE} by default. */
    public AnswerTap tap() {
        return tap;
    }

    public void tap(AnswerTap t) {
        tap = t;
    }

    /** What the response cache did: {@code hit}, {@code miss}, {@code bypass}, {@code refresh}; empty without it. */
    public String cache() {
        return cache;
    }

    public void cache(String status) {
        cache = status;
    }

    /**
     * Served from the response cache: no provider was called, so the request takes no tokens, no
     * budget and costs nothing (it still counts as a request).
     */
    public boolean cacheHit() {
        return "hit".equals(cache);
    }

    /** Counts that {@code s} happened to this request, for the metrics; allocates only on a request's first signal. */
    public void signal(dev.rosetta.metrics.Signal s) {
        if (signals == null) {
            signals = new int[dev.rosetta.metrics.Signal.values().length];
        }
        signals[s.ordinal()]++;
    }

    /** How often {@code s} was signalled on this request. */
    public int signals(dev.rosetta.metrics.Signal s) {
        return signals == null ? 0 : signals[s.ordinal()];
    }

    /** Whether any signal was set: a request without one costs the metrics nothing more. */
    public boolean signalled() {
        return signals != null;
    }

    /** The request's trace span (an OpenTelemetry {@code Span}, held by {@code trace/}); null when none was started. */
    public Object traceSpan() {
        return traceSpan;
    }

    public void traceSpan(Object span) {
        traceSpan = span;
    }

    /** Upstream calls made for this request so far (one per attempt). */
    public int upstreamCalls() {
        return upstreamCalls;
    }

    /** Counts one more upstream attempt; {@link UpstreamCall} calls it once per call. */
    public void attemptStarted() {
        upstreamCalls++;
    }

    /** What the playground records of this request; null for every request it did not start. */
    public WireCapture capture() {
        return capture;
    }

    public void capture(WireCapture c) {
        capture = c;
    }

    /** True the first time only, so a request is logged exactly once however it ended. */
    public boolean claimLog() {
        if (logged) {
            return false;
        }
        logged = true;
        return true;
    }
}
