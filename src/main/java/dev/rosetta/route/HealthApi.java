package dev.rosetta.route;

import dev.rosetta.config.Secret;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.JsonStrings;
import dev.rosetta.pipeline.Replies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /admin/v1/health}: every target's breaker state, recent error rate, time to first byte,
 * requests in flight and whether it rests, and each key pool's keys by position (never the keys).
 * {@code POST /admin/v1/reload}: reads the configuration file again ({@link RoutingState#reload}).
 * Behind the admin key.
 */
public final class HealthApi {

    public static final String PATH = "/admin/v1/health";
    public static final String RELOAD = "/admin/v1/reload";

    private final RoutingState state;
    private final Optional<byte[]> adminKey;
    private final Replies replies;

    public HealthApi(RoutingState state, Optional<Secret> adminKey, Replies replies) {
        this.state = state;
        this.adminKey = adminKey.map(k -> sha256(k.value()));
        this.replies = replies;
    }

    public void handle(Exchange ex) {
        String auth = ex.request().getHeader("authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : "";
        if (adminKey.isEmpty()) {
            replies.error(ex, GatewayError.of(ErrorKind.PERMISSION, "the admin API is off: set admin_key in the configuration"));
            return;
        }
        if (presented.isEmpty() || !MessageDigest.isEqual(sha256(presented), adminKey.get())) {
            replies.error(ex, GatewayError.of(ErrorKind.UNAUTHENTICATED, presented.isEmpty()
                    ? "missing admin key (Authorization: Bearer <admin_key>)" : "invalid admin key"));
            return;
        }
        if (ex.request().path().equals(RELOAD)) {
            reload(ex);
            return;
        }
        replies.json(ex, 200, render().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /admin/v1/reload}: 200 with what waits for a restart, or 422 with every problem and the old configuration kept. */
    private void reload(Exchange ex) {
        io.vertx.core.Vertx.currentContext().owner().executeBlocking(state::reload, false).onComplete(ar -> {
            if (ar.failed()) {
                replies.error(ex, GatewayError.of(ErrorKind.INTERNAL, "reload failed: " + ar.cause().getMessage()));
                return;
            }
            RoutingState.Reloaded r = ar.result();
            StringBuilder sb = new StringBuilder("{\"applied\":").append(r.applied()).append(",\"problems\":[");
            for (int i = 0; i < r.problems().size(); i++) {
                JsonStrings.append(sb.append(i == 0 ? "" : ","), r.problems().get(i));
            }
            sb.append("],\"waiting_for_restart\":[");
            for (int i = 0; i < r.waitingForRestart().size(); i++) {
                JsonStrings.append(sb.append(i == 0 ? "" : ","), r.waitingForRestart().get(i));
            }
            replies.json(ex, r.applied() ? 200 : 422, sb.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    String render() {
        Health h = state.health();
        long now = h.clock().millis();
        StringBuilder sb = new StringBuilder("{\"targets\":[");
        boolean first = true;
        java.util.Set<String> live = state.routing().targetIds();
        for (Map.Entry<String, TargetHealth> e : h.targets().entrySet()) {
            if (!live.contains(e.getKey())) {
                continue;
            }
            TargetHealth t = e.getValue();
            sb.append(first ? "" : ",").append("{\"target\":");
            first = false;
            JsonStrings.append(sb, e.getKey()).append(",\"breaker\":\"").append(t.state().name().toLowerCase(java.util.Locale.ROOT))
                    .append("\",\"error_rate\":").append(t.errorRate() < 0 ? "null" : Float.toString(t.errorRate() / 100f))
                    .append(",\"calls\":").append(t.calls())
                    .append(",\"ttfb_ms\":").append(t.latencyNanos() == 0 ? "null" : Long.toString(t.latencyNanos() / 1_000_000))
                    .append(",\"in_flight\":").append(t.inFlight())
                    .append(",\"resting_until\":").append(t.restingUntilMillis() > now
                            ? "\"" + Instant.ofEpochMilli(t.restingUntilMillis()) + "\"" : "null")
                    .append('}');
        }
        sb.append("],\"key_pools\":[");
        first = true;
        for (Map.Entry<String, KeyPool> e : h.pools().entrySet()) {
            sb.append(first ? "" : ",").append("{\"provider\":");
            first = false;
            JsonStrings.append(sb, e.getKey()).append(",\"keys\":[");
            boolean k1 = true;
            for (KeyPool.KeyState k : e.getValue().state()) {
                sb.append(k1 ? "" : ",").append("{\"index\":").append(k.index()).append(",\"resting\":").append(k.resting())
                        .append(",\"resting_until\":").append(k.until().map(u -> "\"" + u + "\"").orElse("null"))
                        .append(",\"uses\":").append(k.uses()).append('}');
                k1 = false;
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
