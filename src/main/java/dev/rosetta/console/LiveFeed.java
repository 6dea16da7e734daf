package dev.rosetta.console;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.JsonStrings;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The console's live tail: every completed model request as one small event (dialect pair, model,
 * status, latency, tokens; never a body or a key), kept in a bounded ring and pushed to the console's
 * server-sent-event subscribers. The request path only stores one record in the ring and, when someone
 * watches, schedules a write on each watcher's own event loop; a watcher whose connection cannot keep
 * up misses events instead of holding anything back.
 */
final class LiveFeed implements CompletionListener {

    static final int RING = 128;
    /** Each dialect's name as events show it, made once. */
    private static final String[] DIALECTS = java.util.Arrays.stream(dev.rosetta.dialect.Dialect.values())
            .map(d -> d.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
    static final int MAX_WATCHERS = 32;

    record Event(long seq, long epochMillis, String requestId, String dialect, String upstream, String model,
                 String provider, String tenant, int status, boolean stream, double latencyMs, double ttfbMs,
                 long tokensIn, long tokensOut) {

        String json() {
            StringBuilder sb = new StringBuilder(256).append("{\"seq\":").append(seq).append(",\"time\":\"")
                    .append(Instant.ofEpochMilli(epochMillis)).append("\",\"request_id\":");
            JsonStrings.append(sb, requestId).append(",\"dialect\":");
            JsonStrings.append(sb, dialect).append(",\"upstream\":");
            JsonStrings.append(sb, upstream).append(",\"model\":");
            JsonStrings.append(sb, model).append(",\"provider\":");
            JsonStrings.append(sb, provider).append(",\"tenant\":");
            JsonStrings.append(sb, tenant).append(",\"status\":").append(status).append(",\"stream\":").append(stream)
                    .append(",\"latency_ms\":").append(Math.round(latencyMs * 10) / 10.0).append(",\"ttfb_ms\":")
                    .append(ttfbMs < 0 ? "null" : Double.toString(Math.round(ttfbMs * 10) / 10.0))
                    .append(",\"tokens_in\":").append(tokensIn).append(",\"tokens_out\":").append(tokensOut).append('}');
            return sb.toString();
        }
    }

    private record Watcher(Context context, HttpServerResponse response) {
    }

    private final AtomicReferenceArray<Event> ring = new AtomicReferenceArray<>(RING);
    private final AtomicLong seq = new AtomicLong();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final Map<String, String> upstreamOf = new HashMap<>();

    LiveFeed(GatewayConfig config) {
        for (ProviderConfig p : config.providers()) {
            upstreamOf.put(p.name(), p.type().wireName());
        }
    }

    @Override
    public void completed(Exchange ex) {
        if (ex.endpoint() == null && ex.provider().isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        Usage u = ex.usage();
        long n = seq.incrementAndGet();
        Event e = new Event(n, System.currentTimeMillis(), ex.requestId(), DIALECTS[ex.dialect().ordinal()],
                upstreamOf.getOrDefault(ex.provider(), ""), ex.model().length() > 128 ? ex.model().substring(0, 128) : ex.model(),
                ex.provider(), ex.principal().tenant(), ex.status(), ex.stream(), (now - ex.startNanos()) / 1e6,
                ex.firstByteNanos() == 0 ? -1 : (ex.firstByteNanos() - ex.startNanos()) / 1e6, u.inputTotal(), u.output());
        ring.set((int) (n % RING), e);
        for (Watcher w : watchers) {
            w.context.runOnContext(v -> send(w, e));
        }
    }

    /** The latest events, oldest first. */
    List<Event> recent() {
        List<Event> out = new ArrayList<>(RING);
        long last = seq.get();
        for (long i = Math.max(1, last - RING + 1); i <= last; i++) {
            Event e = ring.get((int) (i % RING));
            if (e != null && e.seq() == i) {
                out.add(e);
            }
        }
        return out;
    }

    /** Streams events to {@code response} (already set up as {@code text/event-stream}) until it closes. */
    boolean watch(Context context, HttpServerResponse response) {
        if (watchers.size() >= MAX_WATCHERS) {
            return false;
        }
        Watcher w = new Watcher(context, response);
        watchers.add(w);
        long ping = context.owner().setPeriodic(15_000, id -> {
            if (!response.writeQueueFull()) {
                response.write(": keep-alive\n\n");
            }
        });
        response.closeHandler(v -> {
            watchers.remove(w);
            context.owner().cancelTimer(ping);
        });
        return true;
    }

    private static void send(Watcher w, Event e) {
        HttpServerResponse r = w.response;
        if (r.closed() || r.ended() || r.writeQueueFull()) {
            return;
        }
        r.write("id: " + e.seq() + "\nevent: request\ndata: " + e.json() + "\n\n");
    }
}
