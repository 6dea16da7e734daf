package dev.rosetta.pipeline;

import dev.rosetta.error.Redactor;
import dev.rosetta.model.Usage;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code rosetta.access} logger: no bodies, no credentials, only
 * what the gateway decided and measured.
 */
public final class AccessLog implements CompletionListener {

    private static final Logger LOG = LoggerFactory.getLogger("rosetta.access");

    private final boolean enabled;
    private final Redactor redactor;

    public AccessLog(boolean enabled, Redactor redactor) {
        this.enabled = enabled && LOG.isInfoEnabled();
        this.redactor = redactor;
    }

    @Override
    public void completed(Exchange ex) {
        record(ex);
    }

    public void record(Exchange ex) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        Usage u = ex.usage();
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"time\":\"");
        appendTime(sb, Instant.now());
        sb.append("\",\"request_id\":\"").append(ex.requestId())
                .append("\",\"dialect\":\"").append(DIALECT_NAMES[ex.dialect().ordinal()])
                .append("\",\"method\":\"").append(ex.request().method().name()).append("\",\"path\":");
        JsonStrings.append(sb, ex.request().path()).append(",\"model\":");
        JsonStrings.append(sb, ex.model()).append(",\"provider\":");
        JsonStrings.append(sb, ex.provider());
        if (!ex.principal().anonymous()) {
            // The key by id and name, never its secret.
            sb.append(",\"tenant\":");
            JsonStrings.append(sb, ex.principal().tenant()).append(",\"key_id\":");
            JsonStrings.append(sb, ex.principal().keyId()).append(",\"key_name\":");
            JsonStrings.append(sb, ex.principal().keyName());
        }
        sb.append(",\"status\":").append(ex.status())
                .append(",\"stream\":").append(ex.stream())
                .append(",\"latency_ms\":").append(millis(now - ex.startNanos()))
                .append(",\"ttfb_ms\":").append(ex.firstByteNanos() == 0 ? "null" : millis(ex.firstByteNanos() - ex.startNanos()))
                .append(",\"tokens_in\":").append(u.inputTotal())
                .append(",\"tokens_out\":").append(u.output())
                .append(",\"tokens_cached\":").append(u.cacheRead())
                .append(",\"tokens_reasoning\":").append(u.reasoning());
        if (ex.bytesIn() >= 0) {
            sb.append(",\"bytes_in\":").append(ex.bytesIn()).append(",\"bytes_out\":").append(Math.max(0, ex.bytesOut()));
        }
        if (!ex.attempts().isEmpty()) {
            sb.append(",\"attempts\":").append(ex.attempts().size()).append(",\"upstream_model\":");
            JsonStrings.append(sb, ex.upstreamModel());
        }
        if (!ex.outcome().isEmpty()) {
            sb.append(",\"outcome\":");
            JsonStrings.append(sb, redactor.redact(ex.outcome()));
        }
        sb.append('}');
        LOG.info(sb.toString());
    }

    /**
     * The time as {@link Instant#toString()} writes it (UTC, ISO-8601, the fraction in groups of three
     * digits without trailing zero groups), from a per-second prefix formatted once a second: the
     * JDK's formatter costs more than the rest of the line.
     */
    static StringBuilder appendTime(StringBuilder sb, Instant t) {
        Second s = second;
        if (s.epochSecond != t.getEpochSecond()) {
            String full = Instant.ofEpochSecond(t.getEpochSecond()).toString();
            s = new Second(t.getEpochSecond(), full.substring(0, full.length() - 1));
            second = s;
        }
        sb.append(s.prefix);
        int nanos = t.getNano();
        if (nanos != 0) {
            sb.append('.');
            int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
            String n = Integer.toString(1_000_000_000 + nanos);
            sb.append(n, 1, 1 + digits);
        }
        return sb.append('Z');
    }

    /** A second and its formatted prefix; immutable, so sharing it between event loops needs no lock. */
    private record Second(long epochSecond, String prefix) {
    }

    private static volatile Second second = new Second(Long.MIN_VALUE, "");

    private static final String[] DIALECT_NAMES = java.util.Arrays.stream(dev.rosetta.dialect.Dialect.values())
            .map(d -> d.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    private static String millis(long nanos) {
        return Long.toString(nanos / 1_000_000) + '.' + (char) ('0' + (nanos / 100_000) % 10)
                + (char) ('0' + (nanos / 10_000) % 10);
    }
}
