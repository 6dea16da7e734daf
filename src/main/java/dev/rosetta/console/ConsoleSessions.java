package dev.rosetta.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sign-ins, in memory (a restart signs everyone out): a random session token for the
 * {@code HttpOnly} cookie and a second random token the page must echo in a header on every call
 * (so a cross-site form or image cannot act, even without {@code SameSite}). A session ends after
 * {@link #IDLE} without use or {@link #LIFETIME} after sign-in, whichever comes first. Thread-safe.
 */
final class ConsoleSessions {

    static final Duration IDLE = Duration.ofHours(1);
    static final Duration LIFETIME = Duration.ofHours(12);
    static final int MAX_SESSIONS = 256;
    /** Failed sign-ins from one address within {@link #FAILURE_WINDOW} before it must wait. */
    static final int MAX_FAILURES = 10;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

    record Session(String csrf, long createdMillis, long lastUsedMillis) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /** A new session: its cookie token and CSRF token. */
    Map.Entry<String, String> create() {
        long now = clock.millis();
        sweep(now);
        String token = token();
        String csrf = token();
        sessions.put(token, new Session(csrf, now, now));
        return Map.entry(token, csrf);
    }

    /** The live session of {@code token}, touched; empty if unknown or expired. */
    Optional<Session> find(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        long now = clock.millis();
        Session s = sessions.get(token);
        if (s == null) {
            return Optional.empty();
        }
        if (expired(s, now)) {
            sessions.remove(token);
            return Optional.empty();
        }
        Session touched = new Session(s.csrf(), s.createdMillis(), now);
        sessions.replace(token, s, touched);
        return Optional.of(touched);
    }

    /** The session of {@code token} if {@code csrf} is its CSRF token (compared in constant time). */
    Optional<Session> verify(String token, String csrf) {
        return find(token).filter(s -> csrf != null
                && MessageDigest.isEqual(s.csrf().getBytes(), csrf.getBytes()));
    }

    void end(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }

    /** Whether {@code address} has failed to sign in too often lately. */
    boolean throttled(String address) {
        long[] f = failures.get(address);
        return f != null && f[0] >= MAX_FAILURES && clock.millis() - f[1] < FAILURE_WINDOW.toMillis();
    }

    void failed(String address) {
        long now = clock.millis();
        if (failures.size() > 10_000) {
            failures.clear();
        }
        failures.compute(address, (a, f) -> f == null || now - f[1] >= FAILURE_WINDOW.toMillis()
                ? new long[] {1, now} : new long[] {f[0] + 1, f[1]});
    }

    int size() {
        return sessions.size();
    }

    private boolean expired(Session s, long now) {
        return now - s.lastUsedMillis() > IDLE.toMillis() || now - s.createdMillis() > LIFETIME.toMillis();
    }

    /** Drops expired sessions, then the oldest ones beyond {@link #MAX_SESSIONS}. */
    private void sweep(long now) {
        sessions.entrySet().removeIf(e -> expired(e.getValue(), now));
        while (sessions.size() >= MAX_SESSIONS) {
            Iterator<Map.Entry<String, Session>> it = sessions.entrySet().stream()
                    .sorted(java.util.Comparator.comparingLong(e -> e.getValue().createdMillis())).iterator();
            if (!it.hasNext()) {
                break;
            }
            sessions.remove(it.next().getKey());
        }
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
