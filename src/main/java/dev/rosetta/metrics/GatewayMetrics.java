package dev.rosetta.metrics;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.pipeline.Exchange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The gateway's metrics: one Prometheus registry per gateway, fed by the one completion of every
 * request ({@link #completed}) plus gauges read at scrape time. Shared by every event loop; meters
 * are thread-safe and the per-request path only looks up pre-built series in a map.
 *
 * <p>Cardinality is bounded by construction: the {@code model} and {@code provider} labels carry
 * configured names only (anything else is {@code other}), {@code tenant} appears only with
 * {@code metrics.tenant_labels: true}, and no label ever carries a key, a request id or anything the
 * client wrote.
 *
 * <p>For other stages: signal per-request events on the exchange ({@link Signal}); for state that is
 * not per request (a breaker, a pool, a cache size) register a gauge on {@link #registry()}; for a
 * counter of your own use {@link #counter(String, String, String...)}, which also bounds its labels.
 */
public final class GatewayMetrics implements CompletionListener, AutoCloseable {

    /** The OpenTelemetry GenAI semantic conventions' advised buckets, in seconds and tokens. */
    private static final double[] DURATION_BUCKETS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
            10.24, 20.48, 40.96, 81.92};
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0};
    private static final double[] TPOT_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
            1.0, 2.5};
    private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
            4194304, 16777216, 67108864};

    public static final String OTHER = "other";

    private final PrometheusMeterRegistry registry;
    private final boolean tenantLabels;
    private final Map<String, String> models = new HashMap<>();
    private final Map<String, String> providerTypes = new HashMap<>();
    private final ConcurrentHashMap<Key, Series> series = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** @param inFlight requests accepted and not yet answered in full */
    public GatewayMetrics(GatewayConfig config, IntSupplier inFlight) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.tenantLabels = config.observability().metrics().tenantLabels();
        for (ModelConfig m : config.models()) {
            models.put(m.name(), m.name());
        }
        for (ProviderConfig p : config.providers()) {
            providerTypes.put(p.name(), semconvProvider(p.type().wireName()));
        }
        // Micrometer holds a gauge's object weakly: a method reference nobody else keeps would be
        // collected, and the gauge would read NaN.
        Gauge.builder("rosetta.requests.in_flight", inFlight, IntSupplier::getAsInt).strongReference(true)
                .description("Requests accepted and not yet answered in full").register(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Adds the ledger's queue, spool and loss counts, read at scrape time. */
    public GatewayMetrics ledger(Ledger ledger) {
        Gauge.builder("rosetta.ledger.queue.depth", ledger, Ledger::queued).strongReference(true)
                .description("Request records waiting for the ledger writer").register(registry);
        Gauge.builder("rosetta.ledger.spool.records", ledger, Ledger::spooled).strongReference(true)
                .description("Request records spooled to the local file while the store is away").register(registry);
        FunctionCounter.builder("rosetta.ledger.records.dropped", ledger, Ledger::lost)
                .description("Request records lost to a full queue or a full spool").register(registry);
        FunctionCounter.builder("rosetta.ledger.records.written", ledger, Ledger::written)
                .description("Request records stored").register(registry);
        return this;
    }

    /** For gauges and meters of other stages. Label values must come from configuration, never from requests. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A counter named {@code name} (dots, Prometheus adds {@code _total}); {@code labels} alternate key and
     * value. Cache it: the lookup is for set-up, not the request path.
     */
    public Counter counter(String name, String description, String... labels) {
        return Counter.builder(name).description(description).tags(labels).register(registry);
    }

    /** The configured model name, or {@value #OTHER}. */
    public String modelLabel(String model) {
        return models.getOrDefault(model, OTHER);
    }

    /** The configured provider name, or {@value #OTHER}. */
    public String providerLabel(String provider) {
        return providerTypes.containsKey(provider) ? provider : OTHER;
    }

    /** Unhooks the JVM listeners (garbage collection notifications). */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** The text {@code GET /metrics} answers (Prometheus text format 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void completed(Exchange ex) {
        Endpoint endpoint = ex.endpoint();
        if (endpoint == null && ex.provider().isEmpty()) {
            return; // health, readiness, admin, console: not model traffic
        }
        int status = ex.status();
        Key key = new Key(ex.dialect(), endpoint, ex.provider(), ex.model(), statusClass(status),
                outcome(ex, status), ex.stream(), tenantLabels ? ex.principal().tenant() : "");
        Series s = series.get(key);
        if (s == null) {
            s = series.computeIfAbsent(key, this::series);
        }
        s.requests.increment();
        long end = System.nanoTime();
        long total = end - ex.startNanos();
        s.duration.record(total, java.util.concurrent.TimeUnit.NANOSECONDS);
        Usage u = ex.usage();
        long in = u.inputTotal();
        long out = u.output();
        if (in > 0) {
            s.inputTokens.record(in);
            s.tokensInput.increment(in);
        }
        if (out > 0) {
            s.outputTokens.record(out);
            s.tokensOutput.increment(out);
        }
        if (u.cacheRead() > 0) {
            s.tokensCached.increment(u.cacheRead());
        }
        if (u.reasoning() > 0) {
            s.tokensReasoning.increment(u.reasoning());
        }
        long first = ex.firstByteNanos();
        if (ex.stream() && first != 0 && status < 400) {
            s.ttft.record(first - ex.startNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (out > 1) {
                s.tpot.record((end - first) / (out - 1), java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
        if (ex.signalled()) {
            for (Signal sig : Signal.values()) {
                int n = ex.signals(sig);
                if (n > 0) {
                    s.signal(sig).increment(n);
                }
            }
        }
    }

    private Series series(Key k) {
        String model = modelLabel(k.model);
        String provider = providerLabel(k.provider);
        String operation = operation(k.endpoint);
        String providerType = providerTypes.getOrDefault(k.provider, OTHER);
        String dialect = k.dialect.name().toLowerCase(Locale.ROOT);
        Tags base = Tags.of("dialect", dialect, "provider", provider, "model", model, "status_class", k.statusClass,
                "outcome", k.outcome, "stream", Boolean.toString(k.stream));
        Tags genai = Tags.of("gen_ai.operation.name", operation, "gen_ai.provider.name", providerType,
                "gen_ai.request.model", model, "outcome", k.outcome);
        Tags tokens = Tags.of("provider", provider, "model", model);
        if (tenantLabels) {
            String tenant = k.tenant.isEmpty() ? "anonymous" : k.tenant;
            base = base.and("tenant", tenant);
            genai = genai.and("tenant", tenant);
            tokens = tokens.and("tenant", tenant);
        }
        return new Series(this, base,
                Counter.builder("rosetta.requests").description("Requests by client dialect, provider, model and result")
                        .tags(base).register(registry),
                Timer.builder("gen_ai.client.operation.duration").description("GenAI operation duration")
                        .serviceLevelObjectives(seconds(DURATION_BUCKETS)).tags(genai).register(registry),
                Timer.builder("gen_ai.server.time_to_first_token").description("Time to the first byte of a streamed answer")
                        .serviceLevelObjectives(seconds(TTFT_BUCKETS)).tags(genai).register(registry),
                Timer.builder("gen_ai.server.time_per_output_token").description("Time per output token after the first")
                        .serviceLevelObjectives(seconds(TPOT_BUCKETS)).tags(genai).register(registry),
                DistributionSummary.builder("gen_ai.client.token.usage").description("Tokens per request by type")
                        .serviceLevelObjectives(TOKEN_BUCKETS).tags(genai.and("gen_ai.token.type", "input")).register(registry),
                DistributionSummary.builder("gen_ai.client.token.usage").description("Tokens per request by type")
                        .serviceLevelObjectives(TOKEN_BUCKETS).tags(genai.and("gen_ai.token.type", "output")).register(registry),
                tokens(tokens, "input"), tokens(tokens, "output"), tokens(tokens, "cached_input"),
                tokens(tokens, "reasoning"));
    }

    private Counter tokens(Tags tags, String type) {
        return Counter.builder("rosetta.tokens").description("Tokens by type, as the provider reported them (or estimated)")
                .tags(tags.and("type", type)).register(registry);
    }

    private static Duration[] seconds(double[] s) {
        Duration[] d = new Duration[s.length];
        for (int i = 0; i < s.length; i++) {
            d[i] = Duration.ofNanos((long) (s[i] * 1e9));
        }
        return d;
    }

    /** The semantic conventions' {@code gen_ai.operation.name}. */
    private static String operation(Endpoint e) {
        if (e == null) {
            return "api";
        }
        return switch (e) {
            case CHAT_COMPLETIONS, RESPONSES, MESSAGES -> "chat";
            case GEMINI_GENERATE, GEMINI_STREAM -> "generate_content";
            case EMBEDDINGS, GEMINI_EMBED, GEMINI_BATCH_EMBED -> "embeddings";
            case COUNT_TOKENS, GEMINI_COUNT_TOKENS -> "count_tokens";
        };
    }

    /** The semantic conventions' {@code gen_ai.provider.name} for a provider type. */
    static String semconvProvider(String type) {
        return switch (type) {
            case "gemini" -> "gcp.gemini";
            default -> type;
        };
    }

    static String statusClass(int status) {
        return switch (status / 100) {
            case 1, 2, 3 -> "2xx";
            case 4 -> status == 499 ? "499" : "4xx";
            case 5 -> "5xx";
            default -> "other";
        };
    }

    /** A small fixed set: success, rate_limited, budget_exhausted, cancelled, timeout, client_error, error. */
    static String outcome(Exchange ex, int status) {
        if (status > 0 && status < 400) {
            return "success";
        }
        if (ex.signals(Signal.RATE_LIMITED) > 0) {
            return "rate_limited";
        }
        if (ex.signals(Signal.BUDGET_EXHAUSTED) > 0) {
            return "budget_exhausted";
        }
        if (status == 499) {
            return "cancelled";
        }
        if (status == 408 || status == 504) {
            return "timeout";
        }
        return status >= 400 && status < 500 ? "client_error" : "error";
    }

    private record Key(Dialect dialect, Endpoint endpoint, String provider, String model, String statusClass,
                       String outcome, boolean stream, String tenant) {
    }

    /** The meters of one label combination, built once. */
    private static final class Series {
        final GatewayMetrics owner;
        final Tags tags;
        final Counter requests;
        final Timer duration;
        final Timer ttft;
        final Timer tpot;
        final DistributionSummary inputTokens;
        final DistributionSummary outputTokens;
        final Counter tokensInput;
        final Counter tokensOutput;
        final Counter tokensCached;
        final Counter tokensReasoning;
        private final Counter[] signals = new Counter[Signal.values().length];

        Series(GatewayMetrics owner, Tags tags, Counter requests, Timer duration, Timer ttft, Timer tpot,
               DistributionSummary inputTokens, DistributionSummary outputTokens, Counter tokensInput,
               Counter tokensOutput, Counter tokensCached, Counter tokensReasoning) {
            this.owner = owner;
            this.tags = tags;
            this.requests = requests;
            this.duration = duration;
            this.ttft = ttft;
            this.tpot = tpot;
            this.inputTokens = inputTokens;
            this.outputTokens = outputTokens;
            this.tokensInput = tokensInput;
            this.tokensOutput = tokensOutput;
            this.tokensCached = tokensCached;
            this.tokensReasoning = tokensReasoning;
        }

        Counter signal(Signal s) {
            Counter c = signals[s.ordinal()];
            if (c == null) {
                // registering an existing id returns the same counter, so a race only repeats a lookup
                c = Counter.builder("rosetta.signals").description("Per-request events stages signalled: "
                                + "rate-limit and budget refusals, cache hits and misses, retries, failovers, open breakers")
                        .tags(tags.and("signal", s.wireName())).register(owner.registry);
                signals[s.ordinal()] = c;
            }
            return c;
        }
    }
}
