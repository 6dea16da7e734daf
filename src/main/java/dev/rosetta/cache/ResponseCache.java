package dev.rosetta.cache;

import dev.rosetta.auth.Principal;
import dev.rosetta.config.CacheConfig;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.openai.ChatReasoning;
import dev.rosetta.dialect.responses.ResponsesCodec;
import dev.rosetta.error.GatewayException;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.pipeline.Conversion;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Replies;
import dev.rosetta.route.Route;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The cache stage: between police and call, a generation request whose answer is stored is answered
 * here, in the client's dialect, streamed if it asked for a stream, and the provider is not called;
 * otherwise the call goes on with a {@link Filler} on the exchange that stores the answer once the
 * request has ended well.
 *
 * <p>The key is {@link RequestKey} of the request decoded into the neutral model, in a scope (the
 * tenant, or everyone): a stored answer serves every dialect. The value is the neutral answer, encoded
 * for each hit by the client dialect's codec (non-streaming) or stream encoder (streaming: the event
 * sequence a live stream would have), with provider state sealed for the client as a live answer's
 * would be. Identical requests arriving while the first is in flight wait for it ({@link Flights}):
 * non-streaming ones when {@code coalesce} is on, streaming ones (which then wait for the leader's end
 * and replay it) when {@code coalesce_streams} is.
 *
 * <p>Not cached: requests with {@code n > 1} or asking for logprobs (one answer without them is kept),
 * a request the client marks {@code no-store}, and anything that did not end well (see {@link Filler}).
 * The response says what happened in {@code x-rosetta-cache} ({@code hit}, {@code miss},
 * {@code bypass}, {@code refresh}), with {@code age} on a hit. A store that fails is a miss.
 *
 * <p>In the chain only when some model, tenant or key has the cache on ({@link #needed}). Runs on the
 * request's event loop; never blocks.
 */
public final class ResponseCache {

    public static final String HEADER = "x-rosetta-cache";

    private final CacheConfig config;
    private final AnswerStore store;
    private final Flights flights;
    private final OpaqueState opaque;
    private final Replies replies;
    private final Clock clock;

    /** What the stages of every event loop share: the store, and the requests in flight to fill it. */
    public static final class Shared {
        private final AnswerStore store;
        private final Flights flights = new Flights();

        public Shared(AnswerStore store) {
            this.store = store;
        }

        public AnswerStore store() {
            return store;
        }

        /** Requests waiting behind an identical one in flight, now. */
        public int waiting() {
            return flights.waiting();
        }

        /**
         * The store {@code config} asks for: in Redis through {@code redis} (the gateway's link, present
         * when {@code redis:} is set; bounded by {@code redis_timeout}), shared by replicas; else in this process.
         */
        public static Shared open(dev.rosetta.redis.RedisLink redis, GatewayConfig config, Clock clock) {
            CacheConfig c = config.cache();
            if (redis == null) {
                return new Shared(new CaffeineStore(c.maxSize(), c.maxEntrySize(), clock));
            }
            return new Shared(new RedisStore(redis, c.redisPrefix(), c.maxEntrySize(), clock));
        }
    }

    public ResponseCache(CacheConfig config, Shared shared, OpaqueState opaque, Replies replies, Clock clock) {
        this.config = config;
        this.store = shared.store;
        this.flights = shared.flights;
        this.opaque = opaque;
        this.replies = replies;
        this.clock = clock;
    }

    public static boolean needed(GatewayConfig config) {
        return config.cache().anyEnabled();
    }

    /**
     * Answers {@code ex} from the cache, or runs {@code next} (the call) with the answer kept for the
     * cache. A refusal in {@code next} after an asynchronous lookup is answered here.
     */
    public void serve(Exchange ex, Route route, byte[] body, boolean geminiSse, Runnable next) {
        if (ex.endpoint().operation() != Endpoint.Operation.GENERATE) {
            next.run();
            return;
        }
        Optional<Duration> ttl = ttl(ex.principal(), ex.model());
        if (ttl.isEmpty()) {
            next.run();
            return;
        }
        Directives d = Directives.of(ex.request().headers());
        if (d.noStore()) {
            status(ex, "bypass");
            next.run();
            return;
        }
        ChatReasoning shown = Conversion.chatReasoning(ex, route);
        ChatRequest request;
        try {
            request = Codec.forClient(ex.dialect(), shown).decodeRequest(body, new DropLog());
        } catch (GatewayException e) {
            next.run(); // the call path reports what is wrong with it, in its own words
            return;
        }
        if (request.generation().n().orElse(1) != 1 || wantsLogprobs(request)) {
            status(ex, "bypass");
            next.run();
            return;
        }
        String target = ex.model() + "|" + route.provider().name() + "|" + route.upstreamModel();
        CacheKey key = new CacheKey(scope(ex.principal()), target, RequestKey.of(target, request), request);
        long ttlMillis = d.ttl().filter(t -> t.compareTo(ttl.get()) < 0).orElse(ttl.get()).toMillis();
        Hit hit = new Hit(ex, request, shown, geminiSse);
        if (d.noCache()) {
            status(ex, "refresh");
            fill(ex, key, request, geminiSse, ttlMillis, Optional.empty());
            next.run();
            return;
        }
        Future<Optional<CachedAnswer>> found = store.get(key);
        if (found.isComplete()) {
            found(ex, key, found.result(), d, hit, ttlMillis, next);
            return;
        }
        found.onComplete(ar -> {
            try {
                found(ex, key, ar.succeeded() ? ar.result() : Optional.empty(), d, hit, ttlMillis, next);
            } catch (GatewayException e) {
                replies.error(ex, e.error());
            }
        });
    }

    private record Hit(Exchange ex, ChatRequest request, ChatReasoning shown, boolean geminiSse) {
    }

    private void found(Exchange ex, CacheKey key, Optional<CachedAnswer> entry, Directives d, Hit hit, long ttlMillis,
                       Runnable next) {
        if (ex.response().closed()) {
            replies.finish(ex, 499);
            return;
        }
        long now = clock.millis();
        if (entry.isPresent() && (d.maxAgeSeconds() < 0 || entry.get().ageSeconds(now) <= d.maxAgeSeconds())) {
            answer(hit, entry.get().response(), entry.get().ageSeconds(now));
            return;
        }
        boolean coalesce = ex.stream() ? config.coalesceStreams() : config.coalesce();
        if (coalesce && flights.follow(key.id(), answer -> followed(hit, key, answer, ttlMillis, next))) {
            return;
        }
        status(ex, "miss");
        fill(ex, key, hit.request(), hit.geminiSse(), ttlMillis,
                coalesce ? flights.lead(key.id()) : Optional.empty());
        next.run();
    }

    /** The leader's request has ended: its answer, or a call of our own if it stored none. */
    private void followed(Hit hit, CacheKey key, Optional<ChatResponse> answer, long ttlMillis, Runnable next) {
        Exchange ex = hit.ex();
        if (ex.response().closed()) {
            replies.finish(ex, 499);
            return;
        }
        try {
            if (answer.isPresent()) {
                answer(hit, answer.get(), 0);
                return;
            }
            status(ex, "miss");
            fill(ex, key, hit.request(), hit.geminiSse(), ttlMillis, Optional.empty());
            next.run();
        } catch (GatewayException e) {
            replies.error(ex, e.error());
        }
    }

    private void fill(Exchange ex, CacheKey key, ChatRequest request, boolean geminiSse, long ttlMillis,
                      Optional<Flights.Flight> flight) {
        long asked = clock.millis(); // an answer's age counts from when it was asked for, as HTTP's does
        Filler filler = new Filler(ex.dialect(), ex.stream(), ex.dialect() == Dialect.GEMINI && ex.stream() && !geminiSse,
                request.turns().size(), config.maxEntrySize(), answer -> {
                    if (answer.isPresent()) {
                        store.put(key, new CachedAnswer(answer.get(), asked, asked + ttlMillis));
                    }
                    flight.ifPresent(f -> f.land(answer));
                });
        ex.tap(filler);
        ex.whenComplete(filler);
    }

    /** A hit, in the client's dialect: its JSON body, or its stream in one write. */
    private void answer(Hit hit, ChatResponse stored, long ageSeconds) {
        Exchange ex = hit.ex();
        Dialect dialect = ex.dialect();
        status(ex, "hit");
        ex.response().putHeader("age", Long.toString(ageSeconds));
        ex.usage(stored.usage());
        if (!ex.stream()) {
            byte[] body = Codec.forClient(dialect, hit.shown()).encodeResponse(opaque.seal(stored, dialect),
                    hit.request(), new DropLog());
            replies.json(ex, 200, body);
            return;
        }
        boolean jsonArray = dialect == Dialect.GEMINI && !hit.geminiSse();
        StreamEncoder encoder = StreamEncoder.of(dialect, new StreamEncoder.Options(hit.request().includeUsage(),
                jsonArray, 0, ResponsesCodec.toolForms(hit.request()), hit.shown()));
        Buffer out = Buffer.buffer(512);
        for (StreamEvent e : opaque.forStream(dialect).onEvents(Replay.events(stored))) {
            for (byte[] frame : encoder.onEvent(e)) {
                out.appendBytes(frame);
            }
        }
        for (byte[] frame : encoder.finish()) {
            out.appendBytes(frame);
        }
        HttpServerResponse r = ex.response();
        r.setStatusCode(200).putHeader("content-type", jsonArray ? "application/json" : "text/event-stream")
                .putHeader("cache-control", "no-cache").putHeader("x-rosetta-request-id", ex.requestId());
        ex.status(200);
        ex.markFirstByte();
        r.end(out);
        replies.finish(ex, 200);
    }

    private static void status(Exchange ex, String status) {
        ex.cache(status);
        ex.response().putHeader(HEADER, status);
        if (status.equals("hit")) {
            ex.signal(dev.rosetta.metrics.Signal.CACHE_HIT);
        } else if (status.equals("miss") || status.equals("refresh")) {
            ex.signal(dev.rosetta.metrics.Signal.CACHE_MISS);
        }
    }

    private String scope(Principal p) {
        if (config.scope() == CacheConfig.Scope.GLOBAL) {
            return "*";
        }
        return p.anonymous() ? "-" : "t=" + p.tenant();
    }

    /** The entry lifetime for this caller and model, or empty when the cache is off for them: key, tenant, model, global. */
    private Optional<Duration> ttl(Principal p, String model) {
        boolean enabled = config.enabled();
        Duration ttl = config.ttl();
        for (CacheConfig.Override o : new CacheConfig.Override[] {config.models().get(model),
                p.anonymous() ? null : config.tenants().get(p.tenant()),
                p.anonymous() ? null : config.keys().get(p.keyName())}) {
            if (o != null) {
                enabled = o.enabled().orElse(enabled);
                ttl = o.ttl().orElse(ttl);
            }
        }
        return enabled ? Optional.of(ttl) : Optional.empty();
    }

    private static boolean wantsLogprobs(ChatRequest r) {
        return r.extensions().openAiChat().flatMap(Extensions.OpenAiChat::logprobs).orElse(false)
                || r.extensions().responses().map(x -> x.include().stream()
                        .anyMatch(i -> i.contains("logprobs"))).orElse(false);
    }
}
