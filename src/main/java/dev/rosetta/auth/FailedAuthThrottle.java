package dev.rosetta.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down key guessing: each client address may fail authentication {@code burst} times, then
 * once per {@code refillMillis} (a token bucket per address). While an address has no failure left,
 * its requests are refused before any key is looked at, so a correct guess cannot be told from a
 * wrong one. IPv6 clients are grouped by their /64, the block one subscriber usually holds.
 *
 * <p>Bounded: at most {@code maxAddresses} are tracked. When the table is full, addresses whose
 * buckets have refilled are forgotten (at most one sweep a second); if it is still full, new
 * addresses go untracked until room is made. Until anything has failed the table is empty and a
 * request costs one {@code isEmpty} check.
 *
 * <p>Thread-safe; shared by every event loop. Time comes from the given clock, so tests move it.
 */
public final class FailedAuthThrottle {

    public static final int DEFAULT_BURST = 20;
    public static final long DEFAULT_REFILL_MILLIS = 2_000;
    public static final int DEFAULT_MAX_ADDRESSES = 10_000;

    /** Failures left (fractional while refilling) as of {@code atMillis}. */
    private record Bucket(double left, long atMillis) {
    }

    private final Clock clock;
    private final int burst;
    private final long refillMillis;
    private final int maxAddresses;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweep = Long.MIN_VALUE;

    public FailedAuthThrottle(Clock clock, int burst, long refillMillis, int maxAddresses) {
        if (burst < 1 || refillMillis < 1 || maxAddresses < 1) {
            throw new IllegalArgumentException("burst, refillMillis and maxAddresses must be positive");
        }
        this.clock = clock;
        this.burst = burst;
        this.refillMillis = refillMillis;
        this.maxAddresses = maxAddresses;
    }

    public FailedAuthThrottle(Clock clock) {
        this(clock, DEFAULT_BURST, DEFAULT_REFILL_MILLIS, DEFAULT_MAX_ADDRESSES);
    }

    /** Milliseconds until {@code address} may try again; 0 when it may now. */
    public long waitMillis(String address) {
        if (buckets.isEmpty()) {
            return 0;
        }
        Bucket b = buckets.get(group(address));
        if (b == null) {
            return 0;
        }
        double left = refilled(b, clock.millis());
        return left >= 1 ? 0 : (long) Math.ceil((1 - left) * refillMillis);
    }

    /** Counts one failed authentication from {@code address}. */
    public void failed(String address) {
        long now = clock.millis();
        String key = group(address);
        if (buckets.size() >= maxAddresses && !buckets.containsKey(key)) {
            sweep(now);
            if (buckets.size() >= maxAddresses) {
                return;
            }
        }
        buckets.compute(key, (k, b) -> new Bucket(Math.max(0, (b == null ? burst : refilled(b, now)) - 1), now));
    }

    /** Addresses currently tracked. */
    public int tracked() {
        return buckets.size();
    }

    private double refilled(Bucket b, long now) {
        return Math.min(burst, b.left() + (double) Math.max(0, now - b.atMillis()) / refillMillis);
    }

    private void sweep(long now) {
        if (lastSweep != Long.MIN_VALUE && now - lastSweep < 1_000) {
            return;
        }
        lastSweep = now;
        buckets.entrySet().removeIf(e -> refilled(e.getValue(), now) >= burst);
    }

    private static String group(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] b = InetAddress.getByName(address).getAddress();
            if (b.length != 16) {
                return address;
            }
            return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
        } catch (UnknownHostException e) {
            return address;
        }
    }
}
