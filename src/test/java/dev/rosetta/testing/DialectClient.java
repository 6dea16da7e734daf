package dev.rosetta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Speaks each client dialect to a gateway over plain HTTP/1.1 the way its SDK would (path, headers,
 * body shape), and checks answers for the dialect's error shape. A transport failure is a result, not
 * an exception, so a test can assert that an answer was cut.
 */
public final class DialectClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bodies larger than this are counted, not kept. */
    private static final int KEEP = 1 << 20;

    /** What came back: status, headers and (up to 1 MiB of) body, or the failure; and how long it took. */
    public record Result(int status, HttpHeaders headers, String body, long bodyBytes, Optional<IOException> failure,
                         long millis) {
        public boolean cut() {
            return failure.isPresent();
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        @Override
        public String toString() {
            return "HTTP " + status + " in " + millis + "ms" + failure.map(f -> " cut: " + f).orElse("") + ": "
                    + (body.length() > 600 ? body.substring(0, 600) + "…" : body);
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public DialectClient(String base) {
        this.base = base;
    }

    /** A one-turn request saying {@code text}. */
    public static String body(Dialect d, String model, boolean stream, String text) {
        return switch (d) {
            case OPENAI_CHAT -> "{\"model\":\"" + model + "\",\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
            case OPENAI_RESPONSES -> "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"input\":\"" + text + "\"}";
            case ANTHROPIC -> "{\"model\":\"" + model + "\",\"max_tokens\":32,\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
            case GEMINI -> "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + text + "\"}]}]}";
        };
    }

    public static String path(Dialect d, String model, boolean stream) {
        return switch (d) {
            case OPENAI_CHAT -> "/v1/chat/completions";
            case OPENAI_RESPONSES -> "/v1/responses";
            case ANTHROPIC -> "/v1/messages";
            case GEMINI -> "/v1beta/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
        };
    }

    public Result send(Dialect d, String model, boolean stream, String text) {
        return send(d, path(d, model, stream), body(d, model, stream, text).getBytes(StandardCharsets.UTF_8));
    }

    public Result send(Dialect d, String path, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        switch (d) {
            case ANTHROPIC -> b.header("anthropic-version", "2023-06-01").header("x-api-key", "client-key");
            case GEMINI -> b.header("x-goog-api-key", "client-key");
            default -> b.header("authorization", "Bearer client-key");
        }
        return send(b.build());
    }

    public Result send(HttpRequest request) {
        long start = System.nanoTime();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Result(0, HttpHeaders.of(java.util.Map.of(), (x, y) -> true), "", 0, Optional.of(e), ms(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        long total = 0;
        Optional<IOException> failure = Optional.empty();
        try (InputStream in = resp.body()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (kept.size() < KEEP) {
                    kept.write(buf, 0, Math.min(n, KEEP - kept.size()));
                }
                total += n;
            }
        } catch (IOException e) {
            failure = Optional.of(e);
        }
        return new Result(resp.statusCode(), resp.headers(), kept.toString(StandardCharsets.UTF_8), total, failure,
                ms(start));
    }

    private static long ms(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The body is the dialect's error shape with {@code status}; returns the error message. */
    public static String assertDialectError(Dialect d, Result r, int status) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).as("content type of %s", r).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        JsonNode e = r.json();
        switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> {
                assertThat(e.path("error").path("message").isTextual()).as("%s", r).isTrue();
                assertThat(e.path("error").path("type").isTextual()).as("%s", r).isTrue();
            }
            case ANTHROPIC -> {
                assertThat(e.path("type").asText()).as("%s", r).isEqualTo("error");
                assertThat(e.path("error").path("type").isTextual()).as("%s", r).isTrue();
                assertThat(e.path("error").path("message").isTextual()).as("%s", r).isTrue();
            }
            case GEMINI -> {
                assertThat(e.path("error").path("code").asInt()).as("%s", r).isEqualTo(status);
                assertThat(e.path("error").path("status").isTextual()).as("%s", r).isTrue();
                assertThat(e.path("error").path("message").isTextual()).as("%s", r).isTrue();
            }
        }
        return e.path("error").path("message").asText();
    }

    /**
     * A 200 stream whose last frame is the dialect's error frame (what each SDK raises on): an
     * {@code error} event for Anthropic and Responses (for Responses the stream's own
     * {@code "type":"error"} event, not a Chat chunk), a {@code data} object with {@code error} otherwise.
     */
    public static void assertStreamEndsInError(Dialect d, Result r) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(200);
        assertThat(r.cut()).as("cut %s", r).isFalse();
        String[] frames = r.body().strip().split("\r?\n\r?\n");
        String last = frames[frames.length - 1];
        if (last.equals("data: [DONE]") && frames.length > 1) {
            last = frames[frames.length - 2];
        }
        assertThat(last).as("last frame of %s", r).contains("\"error\"");
        switch (d) {
            case ANTHROPIC -> assertThat(last).as("last frame of %s", r).startsWith("event: error");
            case OPENAI_RESPONSES -> assertThat(last).as("last frame of %s", r)
                    .startsWith("event: error\ndata: {\"type\":\"error\",\"sequence_number\":");
            case OPENAI_CHAT, GEMINI -> assertThat(last).as("last frame of %s", r).startsWith("data: {\"error\":");
        }
    }
}
