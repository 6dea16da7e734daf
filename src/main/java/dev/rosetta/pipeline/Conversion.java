package dev.rosetta.pipeline;

import dev.rosetta.config.OpenAiApi;
import dev.rosetta.config.StreamConfig;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.responses.ResponsesCodec;
import dev.rosetta.dialect.openai.ChatReasoning;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.Extensions;
import dev.rosetta.route.Route;
import dev.rosetta.error.GatewayException;
import dev.rosetta.upstream.MediaFetcher;
import dev.rosetta.config.Compat;
import dev.rosetta.upstream.PlatformBodies;
import dev.rosetta.upstream.compat.CompatBodies;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.usage.TokenEstimate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;
import java.util.Optional;

/**
 * Cross-dialect calls: the client's request is decoded into the neutral model, encoded in the
 * provider's dialect, and the provider's answer converted back the same way. Fields one side cannot
 * express are reported in {@code x-rosetta-dropped}. Provider state the client's dialect has no field
 * for travels sealed in the field the client echoes ({@link OpaqueState}): sealed into the answer, opened from the
 * next request.
 */
public final class Conversion {

    /** Bound on a non-streamed upstream answer held for conversion. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final Upstream upstream;
    private final Replies replies;
    private final boolean strict;
    private final MediaFetcher fetcher;
    private final StreamConfig streamConfig;
    private final OpaqueState opaque;

    /**
     * @param strict refuse (400) any conversion that would drop a request field
     * @param opaque seals provider state the client's dialect cannot carry where its clients echo it, and opens it
     * @param fetcher inlines media the provider cannot fetch by URL itself
     */
    public Conversion(Upstream upstream, Replies replies, OpaqueState opaque, boolean strict, MediaFetcher fetcher,
                      StreamConfig streamConfig) {
        this.upstream = upstream;
        this.replies = replies;
        this.strict = strict;
        this.fetcher = fetcher;
        this.streamConfig = streamConfig;
        this.opaque = opaque;
    }

    /** The dialect Rosetta speaks to a provider for a client of {@code client}'s dialect. */
    public static Dialect upstreamDialect(Route route, Dialect client) {
        return switch (route.family()) {
            case OPENAI -> route.api().map(api -> api == OpenAiApi.RESPONSES ? Dialect.OPENAI_RESPONSES : Dialect.OPENAI_CHAT)
                    // an OpenAI-compatible server (compat:) speaks Chat Completions unless api: says otherwise
                    .orElse(client == Dialect.OPENAI_RESPONSES && route.provider().platform().compat().isEmpty()
                            ? Dialect.OPENAI_RESPONSES : Dialect.OPENAI_CHAT);
            case ANTHROPIC -> Dialect.ANTHROPIC;
            case GEMINI -> Dialect.GEMINI;
            default -> client;
        };
    }

    /** @param geminiSse for Gemini clients: whether they asked {@code alt=sse} (else a JSON-array stream) */
    public void generate(Exchange ex, Route route, byte[] body, boolean geminiSse) {
        Dialect target = upstreamDialect(route, ex.dialect());
        ChatReasoning shown = chatReasoning(ex, route);
        Codec in = Codec.forClient(ex.dialect(), shown);
        Codec out = Codec.of(target);
        DropLog dropped = new DropLog();
        ChatRequest parsed = sameDialectDefaults(opaque.unseal(in.decodeRequest(body, dropped)), ex.dialect(), target);
        // Gemini says "stream" in the path, not the body.
        ChatRequest decoded = ex.stream() == parsed.stream() ? parsed : parsed.withStream(ex.stream());
        fetcher.inline(decoded, target).onComplete(ar -> {
            if (ar.failed()) {
                replies.error(ex, ar.cause() instanceof GatewayException g ? g.error()
                        : GatewayError.of(ErrorKind.INVALID_REQUEST, "could not fetch media for the provider"));
                return;
            }
            try {
                send(ex, route, target, in, out, ar.result(), dropped, geminiSse, shown);
            } catch (GatewayException e) {
                replies.error(ex, e.error());
            }
        });
    }

    /**
     * A same-dialect request converted only to open sealed state goes with the provider's own defaults
     * where the conversion would pick others: a Responses client that did not say {@code store} gets
     * OpenAI's default (stored), as it would relayed, so that its later {@code previous_response_id}
     * still finds this response.
     */
    private static ChatRequest sameDialectDefaults(ChatRequest request, Dialect client, Dialect target) {
        if (client != target || client != Dialect.OPENAI_RESPONSES) {
            return request;
        }
        return request.extensions().responses().filter(r -> r.store().isEmpty())
                .map(r -> request.withExtensions(request.extensions().withResponses(new Extensions.Responses(
                        r.previousResponseId(), Optional.of(true), r.include(), r.truncation(), r.serviceTier(),
                        r.reasoningSummary(), r.toolForms()))))
                .orElse(request);
    }

    /**
     * Whether a Chat Completions client is shown the model's reasoning: its {@value ChatReasoning#HEADER}
     * header if it sent one, else the model's {@code chat_reasoning}. A header naming no choice is refused
     * rather than ignored, so a typo does not silently hide the reasoning asked for.
     */
    public static ChatReasoning chatReasoning(Exchange ex, Route route) {
        String header = ex.request().getHeader(ChatReasoning.HEADER);
        if (header == null || ex.dialect() != Dialect.OPENAI_CHAT) {
            return route.model().chatReasoning();
        }
        return ChatReasoning.fromWireName(header.strip()).orElseThrow(() -> new GatewayError(
                ErrorKind.INVALID_REQUEST, "header " + ChatReasoning.HEADER + ": expected reasoning_content or none, got \""
                + (header.length() > 40 ? header.substring(0, 40) + "…" : header) + "\"",
                Optional.of(ChatReasoning.HEADER), Optional.empty(), Optional.empty()).toException());
    }

    private void send(Exchange ex, Route route, Dialect target, Codec in, Codec out, ChatRequest fetched,
                      DropLog dropped, boolean geminiSse, ChatReasoning shown) {
        ChatRequest request = fetched;
        if (target == Dialect.ANTHROPIC && request.generation().maxTokens().isEmpty()
                && route.model().maxTokens().isPresent()) {
            request = request.withGeneration(request.generation().withMaxTokens(route.model().maxTokens().get()));
        }
        byte[] encodedBody = out.encodeRequest(request, route.upstreamModel(), dropped);
        // A same-dialect request is converted only to open sealed state; what it drops is state this
        // provider cannot take, which strict mode refusing would turn into a conversation that cannot go on.
        if (strict && target != ex.dialect() && !dropped.refusable().isEmpty()) {
            throw new GatewayError(ErrorKind.INVALID_REQUEST, "strict mode: converting for a "
                    + route.provider().type().wireName() + " provider would drop "
                    + String.join(", ", dropped.refusable()),
                    Optional.of(dropped.refusable().get(0)), Optional.empty(), Optional.empty()).toException();
        }
        boolean stream = request.stream();
        Endpoint endpoint = switch (target) {
            case OPENAI_CHAT -> Endpoint.CHAT_COMPLETIONS;
            case OPENAI_RESPONSES -> Endpoint.RESPONSES;
            case ANTHROPIC -> Endpoint.MESSAGES;
            case GEMINI -> stream ? Endpoint.GEMINI_STREAM : Endpoint.GEMINI_GENERATE;
        };
        String url = ProviderRequests.url(route, endpoint, "v1beta", stream, stream);
        if (route.provider().platform().compat().filter(c -> c == Compat.DEEPSEEK).isPresent()
                && target == Dialect.OPENAI_CHAT) {
            encodedBody = CompatBodies.withReasoning(request, encodedBody);
        }
        byte[] upstreamBody = PlatformBodies.adapt(route, endpoint, encodedBody, ex.request().headers());
        int turnIndex = request.turns().size();
        if (stream) {
            ResponseContext context = new ResponseContext(System.currentTimeMillis() / 1000, ex.requestId(), turnIndex);
            StreamEncoder.Options options = new StreamEncoder.Options(request.includeUsage(),
                    ex.dialect() == Dialect.GEMINI && !geminiSse, promptEstimate(ex.dialect(), request),
                    ResponsesCodec.toolForms(request), shown);
            List<String> droppedFields = dropped.paths();
            upstream.call(ex, route, url, upstreamBody, (call, resp) ->
                    new StreamConversion(call, ex.streams(streamConfig), target, context, options, droppedFields,
                            opaque.forStream(ex.dialect())).start(resp))
                    .watchFirstByte(ex.streams(streamConfig).firstByteTimeout());
            return;
        }
        ChatRequest sent = request;
        upstream.call(ex, route, url, upstreamBody, (call, resp) -> collect(call, resp, in, out, sent, dropped,
                turnIndex));
    }

    /**
     * What an Anthropic or Gemini client is shown as its prompt count at the start of the stream until
     * the upstream says (Chat Completions and Responses report usage only at the end). The other clients'
     * streams report no usage at their start, so nothing is estimated for them.
     */
    private static long promptEstimate(Dialect client, ChatRequest request) {
        return client == Dialect.ANTHROPIC || client == Dialect.GEMINI ? TokenEstimate.of(request) : 0;
    }

    private void collect(UpstreamCall call, HttpClientResponse resp, Codec client, Codec provider, ChatRequest request,
                         DropLog dropped, int turnIndex) {
        Buffer body = Buffer.buffer();
        resp.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_RESPONSE_BYTES) {
                call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + call.route().provider().name()
                        + " answered with more than " + MAX_RESPONSE_BYTES + " bytes"));
                return;
            }
            body.appendBuffer(chunk);
        });
        resp.endHandler(v -> {
            if (call.done()) {
                return;
            }
            Exchange ex = call.exchange();
            if (resp.statusCode() >= 400) {
                call.fail(UpstreamErrors.parse(call.route().provider().name(), resp.statusCode(), body.getBytes(),
                        Optional.ofNullable(resp.getHeader("retry-after"))));
                return;
            }
            byte[] converted;
            try {
                ResponseContext context = new ResponseContext(System.currentTimeMillis() / 1000,
                        ex.requestId(), turnIndex);
                ChatResponse answer = provider.decodeResponse(body.getBytes(), context, dropped);
                ex.usage(answer.usage());
                ex.tap().answer(answer);
                converted = client.encodeResponse(opaque.seal(answer, client.dialect()), request, dropped);
            } catch (dev.rosetta.error.GatewayException e) {
                call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + call.route().provider().name()
                        + " sent an answer Rosetta could not read: " + e.error().message()));
                return;
            }
            if (!dropped.isEmpty()) {
                ex.response().putHeader("x-rosetta-dropped", String.join(",", dropped.paths()));
            }
            String requestId = resp.getHeader("x-request-id") != null ? resp.getHeader("x-request-id") : resp.getHeader("request-id");
            if (requestId != null) {
                ex.response().putHeader("x-upstream-request-id", requestId);
            }
            replies.json(ex, 200, converted);
            call.complete(200);
        });
    }
}
