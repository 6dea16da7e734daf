package dev.rosetta.route;

import dev.rosetta.config.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A provider's keys ({@code api_keys}): requests are spread over them in turn, and a key the provider
 * answered 429 for rests until its {@code retry-after} (or the pool's cooldown) has passed. Shared by
 * every event loop; lock-free.
 */
public final class KeyPool {

    private final List<Secret> keys;
    private final Clock clock;
    private final Duration cooldown;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray restingUntil;
    private final AtomicLongArray uses;

    public KeyPool(List<Secret> keys, Clock clock, Duration cooldown) {
        this.keys = List.copyOf(keys);
        this.clock = clock;
        this.cooldown = cooldown;
        this.restingUntil = new AtomicLongArray(keys.size());
        this.uses = new AtomicLongArray(keys.size());
    }

    /** The index of the next key that is not resting, if any. */
    public Optional<Integer> pick() {
        long now = clock.millis();
        int n = keys.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            int k = (start + i) % n;
            if (restingUntil.get(k) <= now) {
                uses.incrementAndGet(k);
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    boolean sameKeys(List<Secret> other) {
        return Health.same(keys, other);
    }

    public Secret key(int index) {
        return keys.get(index);
    }

    /** The provider answered 429 for key {@code index}: it rests for {@code retryAfter}, else the pool's cooldown. */
    public void rest(int index, Optional<Duration> retryAfter) {
        restingUntil.set(index, clock.millis() + retryAfter.orElse(cooldown).toMillis());
    }

    /** Each key by position (never the secret): whether it rests, until when, and how often it was used. */
    public List<KeyState> state() {
        long now = clock.millis();
        java.util.ArrayList<KeyState> out = new java.util.ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            long until = restingUntil.get(i);
            out.add(new KeyState(i, until > now, until > now ? Optional.of(java.time.Instant.ofEpochMilli(until))
                    : Optional.empty(), uses.get(i)));
        }
        return out;
    }

    public record KeyState(int index, boolean resting, Optional<java.time.Instant> until, long uses) {
    }
}
