package dev.rosetta.route;

import dev.rosetta.config.RoutingConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway knows of one target, shared by every event loop: its circuit breaker, requests
 * in flight, a decaying average of its time to first byte, and how long it asked to be left alone
 * (a 429's {@code retry-after}).
 *
 * <p>The breaker is Resilience4j's: its state machine is lock-free ({@code tryAcquirePermission},
 * {@code onSuccess}, {@code onError} never block) and counts time in the injected clock, so it fits an
 * event loop and tests move time instead of sleeping. It is never used to wrap a call (that API is
 * blocking or reactive); an attempt asks permission, then reports its outcome when it commits or fails.
 */
public final class TargetHealth {

    private static final double DECAY = 0.2;

    private final CircuitBreaker breaker;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Decaying average time to first byte in nanoseconds; 0 until the first success. */
    private final AtomicLong latency = new AtomicLong();
    private final AtomicLong restingUntil = new AtomicLong();

    TargetHealth(String id, RoutingConfig.Breaker config, Clock clock) {
        this.clock = clock;
        this.breaker = CircuitBreaker.of(id, CircuitBreakerConfig.custom()
                // lock-free window: an event loop never waits on another's update
                .slidingWindow(config.window(), config.minCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .failureRateThreshold(config.failureRate())
                .waitDurationInOpenState(config.cooldown())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build());
    }

    /** Whether an attempt may go to this target now: its breaker lets it (taking the half-open probe) and it is not resting. */
    boolean tryAcquire() {
        if (restingUntil.get() > clock.millis()) {
            return false;
        }
        return breaker.tryAcquirePermission();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        inFlight.decrementAndGet();
    }

    void succeeded(long nanos) {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        latency.getAndUpdate(old -> old == 0 ? nanos : (long) (old * (1 - DECAY) + nanos * DECAY));
    }

    void failed(long nanos) {
        breaker.onError(nanos, TimeUnit.NANOSECONDS, FAILURE);
    }

    /** The attempt ended without saying anything about the target (the client left first). */
    void released() {
        breaker.releasePermission();
    }

    /** Closes the breaker and forgets its window (the benchmark's always-failing target starts over with it). */
    void reset() {
        breaker.reset();
    }

    void rest(Duration d) {
        restingUntil.accumulateAndGet(clock.millis() + d.toMillis(), Math::max);
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long latencyNanos() {
        return latency.get();
    }

    /** Percent of failures in the breaker's window; -1 until it holds its minimum of calls. */
    public float errorRate() {
        return breaker.getMetrics().getFailureRate();
    }

    public int calls() {
        return breaker.getMetrics().getNumberOfBufferedCalls();
    }

    public long restingUntilMillis() {
        return restingUntil.get();
    }

    private static final Throwable FAILURE = new Throwable("attempt failed", null, false, false) {
    };
}
