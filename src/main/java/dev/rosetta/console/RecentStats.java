package dev.rosetta.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.pipeline.Exchange;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The last hour of traffic, minute by minute, in memory: requests, errors, tokens, and latency and
 * time-to-first-byte histograms, in total and per model, provider and tenant. What the console's
 * Overview draws without asking the database. Model and provider names are the configured ones (else
 * {@code other}); at most {@link #MAX_TENANTS} tenants are told apart, the rest are {@code other}.
 *
 * <p>Each minute's slot has its own lock, held for a few additions: event loops recording at once
 * wait for each other only as long as that.
 */
final class RecentStats implements CompletionListener {

    static final int MINUTES = 60;
    static final int MAX_TENANTS = 50;
    /** Latency buckets: bucket i holds values up to 2^(i/4) ms, so each is ~19% wide; 80 reach ~18 minutes. */
    static final int BUCKETS = 80;

    private final Clock clock;
    private final Slot[] slots = new Slot[MINUTES];
    private final Set<String> models = new HashSet<>();
    private final Set<String> providers = new HashSet<>();
    private final Set<String> tenants = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * The keys of {@code byDimension} ("model\u0000gpt-5"...), made once per name: a request looks its three
     * up instead of building them (a new string hashes itself again on every lookup).
     */
    private final Map<String, String> modelKeys = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> providerKeys = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> tenantKeys = new java.util.concurrent.ConcurrentHashMap<>();

    RecentStats(GatewayConfig config, Clock clock) {
        this.clock = clock;
        config.models().forEach(m -> models.add(m.name()));
        config.providers().forEach(p -> providers.add(p.name()));
        for (int i = 0; i < MINUTES; i++) {
            slots[i] = new Slot();
        }
    }

    /** Sums for one minute, or one dimension value within it. */
    static final class Counts {
        long requests;
        long errors;
        long tokensIn;
        long tokensOut;
        final long[] latency = new long[BUCKETS];
        final long[] ttfb = new long[BUCKETS];

        /** @param ttfbBucket -1 when the request has no time to first byte */
        void add(int status, long in, long out, int latencyBucket, int ttfbBucket) {
            requests++;
            if (status >= 400) {
                errors++;
            }
            tokensIn += in;
            tokensOut += out;
            latency[latencyBucket]++;
            if (ttfbBucket >= 0) {
                ttfb[ttfbBucket]++;
            }
        }

        void addAll(Counts o) {
            requests += o.requests;
            errors += o.errors;
            tokensIn += o.tokensIn;
            tokensOut += o.tokensOut;
            for (int i = 0; i < BUCKETS; i++) {
                latency[i] += o.latency[i];
                ttfb[i] += o.ttfb[i];
            }
        }
    }

    private static final class Slot {
        long minute = -1;
        final Counts total = new Counts();
        final Map<String, Counts> byDimension = new HashMap<>();

        void reset(long m) {
            minute = m;
            total.requests = total.errors = total.tokensIn = total.tokensOut = 0;
            java.util.Arrays.fill(total.latency, 0);
            java.util.Arrays.fill(total.ttfb, 0);
            byDimension.clear();
        }
    }

    @Override
    public void completed(Exchange ex) {
        if (ex.endpoint() == null && ex.provider().isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        // the histogram buckets, found once for the request's four counters
        int latency = bucket((now - ex.startNanos()) / 1e6);
        int ttfb = ex.stream() && ex.firstByteNanos() != 0 ? bucket((ex.firstByteNanos() - ex.startNanos()) / 1e6) : -1;
        Usage u = ex.usage();
        String model = models.contains(ex.model()) ? ex.model() : "other";
        String provider = providers.contains(ex.provider()) ? ex.provider() : "other";
        String tenant = tenant(ex.principal().anonymous() ? "" : ex.principal().tenant());
        long minute = clock.millis() / 60_000;
        Slot s = slots[(int) (minute % MINUTES)];
        synchronized (s) {
            if (s.minute != minute) {
                s.reset(minute);
            }
            s.total.add(ex.status(), u.inputTotal(), u.output(), latency, ttfb);
            s.byDimension.computeIfAbsent(key(modelKeys, "model\u0000", model), k -> new Counts())
                    .add(ex.status(), u.inputTotal(), u.output(), latency, ttfb);
            s.byDimension.computeIfAbsent(key(providerKeys, "provider\u0000", provider), k -> new Counts())
                    .add(ex.status(), u.inputTotal(), u.output(), latency, ttfb);
            if (!tenant.isEmpty()) {
                s.byDimension.computeIfAbsent(key(tenantKeys, "tenant\u0000", tenant), k -> new Counts())
                        .add(ex.status(), u.inputTotal(), u.output(), latency, ttfb);
            }
        }
    }

    /**
     * The key of one dimension's name. Bounded: models and providers are the configured ones (and
     * {@code other}), tenants at most {@link #MAX_TENANTS}; each dimension has its own cache, since a model
     * and a tenant may share a name.
     */
    private static String key(Map<String, String> cache, String dimension, String name) {
        String k = cache.get(name);
        if (k == null) {
            k = dimension + name;
            cache.put(name, k);
        }
        return k;
    }

    private String tenant(String t) {
        if (t.isEmpty() || tenants.contains(t)) {
            return t;
        }
        if (tenants.size() >= MAX_TENANTS) {
            return "other";
        }
        tenants.add(t);
        return t;
    }

    /**
     * The last {@link #MINUTES} minutes as JSON: {@code minutes} (epoch seconds of each minute) with the
     * series aligned on them, and per model, provider and tenant the hour's totals.
     */
    ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        long current = clock.millis() / 60_000;
        ArrayNode minutes = o.putArray("minutes");
        ArrayNode requests = o.putArray("requests");
        ArrayNode errors = o.putArray("errors");
        ArrayNode tokensIn = o.putArray("tokens_in");
        ArrayNode tokensOut = o.putArray("tokens_out");
        ArrayNode p50 = o.putArray("latency_p50_ms");
        ArrayNode p99 = o.putArray("latency_p99_ms");
        ArrayNode ttfb50 = o.putArray("ttfb_p50_ms");
        Map<String, Counts> dims = new TreeMap<>();
        Map<String, long[]> perMinuteByModel = new TreeMap<>();
        Counts hour = new Counts();
        for (long m = current - MINUTES + 1; m <= current; m++) {
            Slot s = slots[(int) (Math.floorMod(m, MINUTES))];
            Counts c = new Counts();
            synchronized (s) {
                if (s.minute == m) {
                    c.addAll(s.total);
                    int index = (int) (m - (current - MINUTES + 1));
                    s.byDimension.forEach((k, v) -> {
                        dims.computeIfAbsent(k, x -> new Counts()).addAll(v);
                        if (k.startsWith("model\u0000")) {
                            perMinuteByModel.computeIfAbsent(k.substring(6), x -> new long[MINUTES])[index] = v.requests;
                        }
                    });
                }
            }
            hour.addAll(c);
            minutes.add(m * 60);
            requests.add(c.requests);
            errors.add(c.errors);
            tokensIn.add(c.tokensIn);
            tokensOut.add(c.tokensOut);
            nullable(p50, percentile(c.latency, 0.50));
            nullable(p99, percentile(c.latency, 0.99));
            nullable(ttfb50, percentile(c.ttfb, 0.50));
        }
        ObjectNode byModel = o.putObject("requests_by_model");
        perMinuteByModel.forEach((k, v) -> {
            ArrayNode a = byModel.putArray(k);
            for (long x : v) {
                a.add(x);
            }
        });
        o.set("hour", summary(f, hour));
        ObjectNode by = o.putObject("by");
        for (String dim : new String[] {"model", "provider", "tenant"}) {
            ArrayNode a = by.putArray(dim);
            dims.forEach((k, v) -> {
                if (k.startsWith(dim + "\u0000")) {
                    ObjectNode row = summary(f, v);
                    row.put("name", k.substring(dim.length() + 1));
                    a.add(row);
                }
            });
        }
        return o;
    }

    private static ObjectNode summary(JsonNodeFactory f, Counts c) {
        ObjectNode o = f.objectNode().put("requests", c.requests).put("errors", c.errors)
                .put("tokens_in", c.tokensIn).put("tokens_out", c.tokensOut);
        nullable(o, "latency_p50_ms", percentile(c.latency, 0.50));
        nullable(o, "latency_p99_ms", percentile(c.latency, 0.99));
        nullable(o, "ttfb_p50_ms", percentile(c.ttfb, 0.50));
        return o;
    }

    private static void nullable(ArrayNode a, double v) {
        if (v < 0) {
            a.addNull();
        } else {
            a.add(v);
        }
    }

    private static void nullable(ObjectNode o, String k, double v) {
        if (v < 0) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    static int bucket(double ms) {
        if (ms <= 1) {
            return 0;
        }
        int b = (int) Math.ceil(4 * Math.log(ms) / Math.log(2));
        return Math.min(BUCKETS - 1, Math.max(0, b));
    }

    /** The bucket's upper bound holding quantile {@code q}, in ms, rounded to 0.1; -1 when empty. */
    static double percentile(long[] histogram, double q) {
        long n = 0;
        for (long x : histogram) {
            n += x;
        }
        if (n == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return Math.round(Math.pow(2, i / 4.0) * 10) / 10.0;
            }
        }
        return -1;
    }
}
