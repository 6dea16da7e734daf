package dev.rosetta.trace;

import dev.rosetta.config.ObservabilityConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.route.Route;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry traces: one {@code SERVER} span per request and one {@code CLIENT} span per upstream
 * attempt under it, with the GenAI semantic conventions' attributes. A client's W3C
 * {@code traceparent} is the request span's parent; each attempt sends its own upstream.
 *
 * <p>The request span is started lazily, at the first attempt or at completion, with the time the
 * request arrived: a request the gateway answers itself costs one span at its end and nothing before.
 * Spans are batched and exported off the event loop (OTLP/HTTP with the JDK client). No prompt or
 * answer text is recorded unless {@code traces.capture_content: true}.
 */
public final class Tracing implements CompletionListener, AutoCloseable {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> DIALECT = AttributeKey.stringKey("rosetta.client.dialect");
    static final AttributeKey<String> UPSTREAM_DIALECT = AttributeKey.stringKey("rosetta.upstream.dialect");
    static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("rosetta.provider");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("rosetta.tenant");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("rosetta.request_id");
    static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("rosetta.stream");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("rosetta.attempt");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("rosetta.outcome");

    /** The most of a request body recorded with {@code capture_content}. */
    static final int MAX_CONTENT_CHARS = 16 * 1024;

    private static final TextMapGetter<MultiMap> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final TextMapSetter<MultiMap> SETTER = (carrier, key, value) -> carrier.set(key, value);

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final boolean captureContent;
    private final W3CTraceContextPropagator propagator = W3CTraceContextPropagator.getInstance();

    /** The exporter from the configuration (OTLP/HTTP). */
    public static Tracing open(ObservabilityConfig.Traces config) {
        SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.endpoint().orElseThrow()).build();
        return new Tracing(config, BatchSpanProcessor.builder(exporter).build());
    }

    /** With a span processor of the caller's choosing (tests: a simple processor on an in-memory exporter). */
    public Tracing(ObservabilityConfig.Traces config, io.opentelemetry.sdk.trace.SpanProcessor processor) {
        this.captureContent = config.captureContent();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), config.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampling())))
                .addSpanProcessor(processor)
                .build();
        this.tracer = OpenTelemetrySdk.builder().setTracerProvider(provider).build().getTracer("dev.rosetta");
    }

    /**
     * Starts the span of one upstream attempt and writes its {@code traceparent} into {@code headers}
     * (the upstream request's). Every attempt, whichever stage makes it (a retry, a failover), comes
     * through here: {@link dev.rosetta.pipeline.UpstreamCall} calls it once per call.
     *
     * @param body the request body as sent, recorded only with {@code capture_content}; may be null
     */
    public Attempt attempt(Exchange ex, Route route, MultiMap headers, byte[] body) {
        Span parent = requestSpan(ex);
        ProviderConfig p = route.provider();
        var b = tracer.spanBuilder(operation(ex.endpoint()) + " " + route.upstreamModel())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.root().with(parent))
                .setAttribute(OPERATION, operation(ex.endpoint()))
                .setAttribute(PROVIDER, semconvProvider(p.type().wireName()))
                .setAttribute(PROVIDER_NAME, p.name())
                .setAttribute(REQUEST_MODEL, route.upstreamModel())
                .setAttribute(SERVER_ADDRESS, host(p.baseUrl()))
                .setAttribute(ATTEMPT, (long) ex.upstreamCalls());
        Span span = b.startSpan();
        RequestTrace trace = (RequestTrace) ex.traceSpan();
        if (trace.open != null) {
            trace.open.end(0, "superseded"); // an attempt the caller abandoned for the next one
        }
        if (captureContent && body != null && span.isRecording()) {
            span.setAttribute(INPUT_MESSAGES, truncate(new String(body, StandardCharsets.UTF_8)));
        }
        propagator.inject(Context.root().with(span), headers, SETTER);
        trace.open = new Attempt(span);
        return trace.open;
    }

    /** The request span, started now (back-dated to the request's arrival) if it has not been. */
    private Span requestSpan(Exchange ex) {
        Object existing = ex.traceSpan();
        if (existing instanceof RequestTrace t) {
            return t.span;
        }
        Context parent = propagator.extract(Context.root(), ex.request().headers(), GETTER);
        long startEpochNanos = epochNanosOf(ex.startNanos());
        Span span = tracer.spanBuilder(ex.request().method().name() + " " + route(ex))
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
                .setAttribute(OPERATION, operation(ex.endpoint()))
                .setAttribute(DIALECT, ex.dialect().name().toLowerCase(Locale.ROOT))
                .setAttribute(REQUEST_ID, ex.requestId())
                .startSpan();
        ex.traceSpan(new RequestTrace(span));
        return span;
    }

    @Override
    public void completed(Exchange ex) {
        if (ex.endpoint() == null && ex.provider().isEmpty() && ex.traceSpan() == null) {
            return; // health, readiness, admin, console
        }
        Span span = requestSpan(ex);
        Attempt open = ((RequestTrace) ex.traceSpan()).open;
        if (open != null && !open.ended) {
            open.usage(ex.usage(), ex.upstreamModel());
            open.end(0, ex.status() == 499 ? "cancelled" : null);
        }
        if (!span.isRecording()) {
            span.end();
            return;
        }
        Usage u = ex.usage();
        span.setAttribute(REQUEST_MODEL, ex.model());
        if (!ex.upstreamModel().isEmpty()) {
            span.setAttribute(RESPONSE_MODEL, ex.upstreamModel());
        }
        if (!ex.provider().isEmpty()) {
            span.setAttribute(PROVIDER_NAME, ex.provider());
        }
        if (!ex.principal().anonymous()) {
            span.setAttribute(TENANT, ex.principal().tenant());
        }
        span.setAttribute(STREAM, ex.stream());
        span.setAttribute(INPUT_TOKENS, u.inputTotal());
        span.setAttribute(OUTPUT_TOKENS, u.output());
        span.setAttribute(STATUS, (long) ex.status());
        if (ex.status() >= 400 || ex.status() == 0) {
            span.setAttribute(ERROR_TYPE, Integer.toString(ex.status()));
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** What one request's trace holds between its first attempt and its completion. */
    private static final class RequestTrace {
        final Span span;
        Attempt open;

        RequestTrace(Span span) {
            this.span = span;
        }
    }

    /** The span of one upstream attempt; ended once, by the call or at the request's completion. */
    public static final class Attempt {
        private final Span span;
        private boolean ended;
        private int status;

        Attempt(Span span) {
            this.span = span;
        }

        /** The upstream's answer began with this status. */
        public void status(int status) {
            this.status = status;
            span.setAttribute(STATUS, (long) status);
        }

        /** @param error the failure's kind when the attempt failed, or null */
        public void end(int status, String error) {
            if (ended) {
                return;
            }
            ended = true;
            if (status > 0) {
                this.status = status;
                span.setAttribute(STATUS, (long) status);
            }
            status = this.status;
            if (error != null) {
                span.setAttribute(ERROR_TYPE, error);
                span.setStatus(StatusCode.ERROR);
            } else if (status >= 400) {
                span.setAttribute(ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }

        /** The usage the attempt's answer reported. */
        public void usage(Usage u, String responseModel) {
            if (span.isRecording()) {
                span.setAttribute(INPUT_TOKENS, u.inputTotal());
                span.setAttribute(OUTPUT_TOKENS, u.output());
                if (!responseModel.isEmpty()) {
                    span.setAttribute(RESPONSE_MODEL, responseModel);
                }
            }
        }
    }

    private static String route(Exchange ex) {
        Endpoint e = ex.endpoint();
        if (e == null) {
            return ex.request().path().length() > 64 ? "api" : ex.request().path();
        }
        return switch (e.dialect()) {
            case GEMINI -> "/v1beta/models/{model}:" + e.upstreamPath();
            default -> "/v1" + (e.upstreamPath().startsWith("/v1") ? e.upstreamPath().substring(3) : e.upstreamPath());
        };
    }

    static String operation(Endpoint e) {
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

    static String semconvProvider(String type) {
        return "gemini".equals(type) ? "gcp.gemini" : type;
    }

    private static String host(String baseUrl) {
        try {
            return java.net.URI.create(baseUrl).getHost();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String truncate(String s) {
        return s.length() <= MAX_CONTENT_CHARS ? s : s.substring(0, MAX_CONTENT_CHARS);
    }

    private static long epochNanosOf(long monotonicNanos) {
        long ago = System.nanoTime() - monotonicNanos;
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - ago;
    }

    /** Flushes what is batched and stops the exporter. */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
