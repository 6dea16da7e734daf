package dev.rosetta.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.error.Redactor;
import dev.rosetta.pipeline.WireCapture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * {@code POST /admin/v1/playground}: one request in a client dialect through the gateway's real
 * pipeline, with the four bodies of its trip. The request is sent over loopback to this gateway as
 * a client of that dialect would send it, carrying a one-time token ({@link WireCapture#HEADER}) that
 * makes that one request record what it sent upstream and what came back; it is admitted without a
 * client key (the caller holds the admin key) and otherwise runs the pipeline as any other request.
 *
 * <p>Answer: {@code {client_request, upstream_request, upstream_response, client_response, status,
 * target}}: bodies as text (a stream's raw event text), {@code null} upstream bodies when no provider
 * was called (the mock, or a refusal), the client's HTTP status and {@code provider/upstream_model}.
 * Every text is redacted of the gateway's secrets.
 */
public final class Playground {

    /** The dialects a playground request can be sent in. */
    public static final Map<String, String> DIALECTS = Map.of("openai", "OpenAI Chat Completions",
            "responses", "OpenAI Responses", "anthropic", "Anthropic Messages", "gemini", "Gemini generateContent");

    private final Vertx vertx;
    private final WireCapture.Registry captures;
    private final String host;
    private final IntSupplier port;
    private final Redactor redactor;
    private final SecureRandom random = new SecureRandom();
    private final boolean tls;
    private HttpClient client;

    /**
     * @param host the address the gateway listens on ({@code 0.0.0.0} and {@code ::} mean loopback here)
     * @param port the gateway's port, once it listens
     */
    public Playground(Vertx vertx, WireCapture.Registry captures, String host, IntSupplier port, Redactor redactor) {
        this(vertx, captures, host, port, redactor, false);
    }

    /**
     * @param tls whether the gateway's listener speaks TLS: the playground then calls its own port over TLS,
     *            trusting the certificate it is served (the peer is this very process, on the address it listens on)
     */
    public Playground(Vertx vertx, WireCapture.Registry captures, String host, IntSupplier port, Redactor redactor,
                      boolean tls) {
        this.tls = tls;
        this.vertx = vertx;
        this.captures = captures;
        this.host = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
        this.port = port;
        this.redactor = redactor;
    }

    /** A client request in one dialect: where it goes and its body. */
    public record ClientRequest(String path, Map<String, String> headers, String body) {
    }

    /** The request a client of {@code dialect} sends for one user turn: the CLI's {@code try} sends the same. */
    public static ClientRequest clientRequest(String dialect, String model, String prompt, boolean stream) {
        ObjectNode b = AdminJson.JSON.createObjectNode();
        return switch (dialect) {
            case "openai" -> {
                b.put("model", model).putArray("messages").addObject().put("role", "user").put("content", prompt);
                if (stream) {
                    b.put("stream", true).putObject("stream_options").put("include_usage", true);
                }
                yield new ClientRequest("/v1/chat/completions", Map.of(), b.toString());
            }
            case "responses" -> {
                b.put("model", model).put("input", prompt);
                if (stream) {
                    b.put("stream", true);
                }
                yield new ClientRequest("/v1/responses", Map.of(), b.toString());
            }
            case "anthropic" -> {
                b.put("model", model).put("max_tokens", 1024).putArray("messages").addObject().put("role", "user")
                        .put("content", prompt);
                if (stream) {
                    b.put("stream", true);
                }
                yield new ClientRequest("/v1/messages", Map.of("anthropic-version", "2023-06-01"), b.toString());
            }
            case "gemini" -> {
                b.putArray("contents").addObject().put("role", "user").putArray("parts").addObject().put("text", prompt);
                String m = URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20");
                yield new ClientRequest("/v1beta/models/" + m + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"),
                        Map.of(), b.toString());
            }
            default -> throw AdminError.invalid("dialect: expected one of " + new java.util.TreeSet<>(DIALECTS.keySet()));
        };
    }

    /** Runs the request the body describes; completes on the caller's event loop context's terms (any thread). */
    CompletableFuture<JsonNode> run(ObjectNode body) {
        AdminJson.onlyFields(body, "dialect", "model", "prompt", "stream");
        String dialect = AdminJson.string(body, "dialect").orElse("openai");
        String model = AdminJson.string(body, "model").filter(s -> !s.isBlank())
                .orElseThrow(() -> AdminError.invalid("model: required"));
        String prompt = AdminJson.string(body, "prompt").orElseThrow(() -> AdminError.invalid("prompt: required"));
        boolean stream = AdminJson.bool(body, "stream").orElse(false);
        ClientRequest request = clientRequest(dialect, model, prompt, stream);
        byte[] token = new byte[16];
        random.nextBytes(token);
        String id = HexFormat.of().formatHex(token);
        WireCapture capture = new WireCapture();
        captures.register(id, capture);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port.getAsInt())
                .setURI(request.path()).putHeader("content-type", "application/json")
                .putHeader(WireCapture.HEADER, id).setIdleTimeout(600_000);
        request.headers().forEach(options::putHeader);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        client().request(options)
                .compose(req -> req.send(request.body()))
                .compose(resp -> resp.body().map(b -> {
                    ObjectNode o = AdminJson.JSON.createObjectNode();
                    o.put("client_request", redactor.redact(request.body()));
                    o.put("upstream_request", capture.upstreamRequest().map(redactor::redact).orElse(null));
                    o.put("upstream_response", capture.upstreamResponse().map(redactor::redact).orElse(null));
                    o.put("client_response", redactor.redact(b.toString(StandardCharsets.UTF_8)));
                    o.put("status", resp.statusCode());
                    o.put("target", capture.target());
                    return (JsonNode) o;
                }))
                .onComplete(r -> {
                    captures.cancel(id);
                    if (r.succeeded()) {
                        answer.complete(r.result());
                    } else {
                        answer.completeExceptionally(AdminError.unavailable("the playground request failed: "
                                + redactor.redact(String.valueOf(r.cause().getMessage()))));
                    }
                });
        return answer;
    }

    private HttpClient client() {
        if (client == null) {
            HttpClientOptions options = new HttpClientOptions().setKeepAlive(true);
            if (tls) {
                options.setSsl(true).setTrustAll(true).setVerifyHost(false);
            }
            client = vertx.createHttpClient(options);
        }
        return client;
    }
}
