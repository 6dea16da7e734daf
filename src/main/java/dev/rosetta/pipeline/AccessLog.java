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
public final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("rosetta.access");

    private final boolean enabled;
    private final Redactor redactor;

    public AccessLog(boolean enabled, Redactor redactor) {
        this.enabled = enabled && LOG.isInfoEnabled();
        this.redactor = redactor;
    }

    public void record(Exchange ex) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        Usage u = ex.usage();
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"time\":\"").append(Instant.now()).append("\",\"request_id\":\"").append(ex.requestId())
                .append("\",\"dialect\":\"").append(ex.dialect().name().toLowerCase(java.util.Locale.ROOT))
                .append("\",\"method\":\"").append(ex.request().method().name()).append("\",\"path\":");
        JsonStrings.append(sb, ex.request().path()).append(",\"model\":");
        JsonStrings.append(sb, ex.model()).append(",\"provider\":");
        JsonStrings.append(sb, ex.provider()).append(",\"status\":").append(ex.status())
                .append(",\"stream\":").append(ex.stream())
                .append(",\"latency_ms\":").append(millis(now - ex.startNanos()))
                .append(",\"ttfb_ms\":").append(ex.firstByteNanos() == 0 ? "null" : millis(ex.firstByteNanos() - ex.startNanos()))
                .append(",\"tokens_in\":").append(u.inputTotal())
                .append(",\"tokens_out\":").append(u.output())
                .append(",\"tokens_cached\":").append(u.cacheRead())
                .append(",\"tokens_reasoning\":").append(u.reasoning());
        if (!ex.outcome().isEmpty()) {
            sb.append(",\"outcome\":");
            JsonStrings.append(sb, redactor.redact(ex.outcome()));
        }
        sb.append('}');
        LOG.info(sb.toString());
    }

    private static String millis(long nanos) {
        return Long.toString(nanos / 1_000_000) + '.' + (char) ('0' + (nanos / 100_000) % 10)
                + (char) ('0' + (nanos / 10_000) % 10);
    }
}
