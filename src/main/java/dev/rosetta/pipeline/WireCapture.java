package dev.rosetta.pipeline;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What one playground request sent to its provider and got back: the upstream request body and the
 * upstream answer as raw bytes (a stream's event text as it came). Only a request the playground
 * started carries one ({@link Exchange#capture()}); every other request has none and pays nothing.
 *
 * <p>Written on the event loop serving the request, read by the playground on another once the
 * client's answer has ended: the methods are synchronized. Each body is kept up to {@link #LIMIT}
 * bytes, the rest counted and dropped.
 */
public final class WireCapture {

    /** The request header naming a registered capture. */
    public static final String HEADER = "x-rosetta-playground";
    static final int LIMIT = 1 << 20;

    private final ByteArrayOutputStream upstreamRequest = new ByteArrayOutputStream();
    private final ByteArrayOutputStream upstreamResponse = new ByteArrayOutputStream();
    private boolean called;
    private int upstreamStatus;
    private long dropped;
    private String target = "";

    synchronized void upstreamRequest(byte[] body) {
        called = true;
        upstreamRequest.reset();
        upstreamResponse.reset();
        keep(upstreamRequest, body, 0, body.length);
    }

    synchronized void upstreamStatus(int status) {
        upstreamStatus = status;
    }

    synchronized void upstreamChunk(byte[] bytes) {
        keep(upstreamResponse, bytes, 0, bytes.length);
    }

    /** Where the request went: {@code provider/upstream-model}. */
    public synchronized void target(String t) {
        target = t;
    }

    private void keep(ByteArrayOutputStream into, byte[] b, int off, int len) {
        int room = Math.max(0, LIMIT - into.size());
        into.write(b, off, Math.min(room, len));
        dropped += Math.max(0, len - room);
    }

    /** The body sent upstream; empty when no provider was called (the mock answers locally, or a refusal). */
    public synchronized Optional<String> upstreamRequest() {
        return called ? Optional.of(upstreamRequest.toString(StandardCharsets.UTF_8)) : Optional.empty();
    }

    public synchronized Optional<String> upstreamResponse() {
        return called ? Optional.of(upstreamResponse.toString(StandardCharsets.UTF_8)) : Optional.empty();
    }

    /** The provider's HTTP status; 0 when none answered. */
    public synchronized int upstreamStatus() {
        return upstreamStatus;
    }

    public synchronized String target() {
        return target;
    }

    /** Bytes beyond {@link #LIMIT} left out of a body. */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * The captures waiting for their request, by the random token the playground puts in
     * {@link #HEADER}. Shared by every event loop of a gateway; {@link #armed()} is one volatile read,
     * so the router looks at the header only while a playground request is on its way.
     */
    public static final class Registry {
        private final java.util.Map<String, WireCapture> waiting = new java.util.HashMap<>();
        private volatile boolean armed;

        public synchronized void register(String token, WireCapture capture) {
            waiting.put(token, capture);
            armed = true;
        }

        public boolean armed() {
            return armed;
        }

        /** The capture registered under {@code token}, taken once; empty for an unknown or used token. */
        public synchronized Optional<WireCapture> claim(String token) {
            if (token == null) {
                return Optional.empty();
            }
            WireCapture c = waiting.remove(token);
            armed = !waiting.isEmpty();
            return Optional.ofNullable(c);
        }

        /** Forgets a token whose request never arrived. */
        public void cancel(String token) {
            claim(token);
        }
    }
}
