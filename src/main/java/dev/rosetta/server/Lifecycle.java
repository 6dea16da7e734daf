package dev.rosetta.server;

import java.util.concurrent.atomic.AtomicInteger;

/** Whether the gateway is draining, and how many requests are still in flight. Shared by all event loops. */
final class Lifecycle {

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    /** The playground's requests on their way, which any event loop may serve. */
    final dev.rosetta.pipeline.WireCapture.Registry captures = new dev.rosetta.pipeline.WireCapture.Registry();

    void begin() {
        inFlight.incrementAndGet();
    }

    void end() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    boolean draining() {
        return draining;
    }

    void drain() {
        draining = true;
    }
}
