package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gemini's thought signature reaches an OpenAI client sealed in the call id and goes back to Gemini on
 * the next turn, through the running gateway; each turn on its own connection, so on either event loop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SealedStateOverHttpTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SIGNATURE = "CiQBVKhc7oQq0ZyvZb7Mz+8H3uYJ0pHq3zRkS4dA1g2mYbC2x8kS";

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.withProviders(upstream);

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void theSignatureComesBackOnTheNextTurn() throws Exception {
        upstream.answer(Reply.json(200, """
                {"candidates": [{"content": {"role": "model", "parts": [
                  {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "%s"}]},
                 "finishReason": "STOP"}], "responseId": "r1", "modelVersion": "gemini-upstream"}
                """.formatted(SIGNATURE)));
        JsonNode turn1 = MAPPER.readTree(post("""
                {"model": "gemini-test", "messages": [{"role": "user", "content": "Weather in Paris?"}]}"""));
        upstream.take();
        String id = turn1.get("choices").get(0).get("message").get("tool_calls").get(0).get("id").asText();
        assertThat(id).matches("^[a-zA-Z0-9_-]+$").doesNotContain(SIGNATURE);

        String forged = id.substring(0, id.length() - 3) + (id.charAt(id.length() - 3) == 'A' ? 'B' : 'A')
                + id.substring(id.length() - 2);
        for (String echoed : new String[] {id, forged}) {
            upstream.answer(Reply.json(200, """
                    {"candidates": [{"content": {"role": "model", "parts": [{"text": "18 degrees."}]},
                     "finishReason": "STOP"}]}"""));
            post("""
                    {"model": "gemini-test", "messages": [{"role": "user", "content": "Weather in Paris?"},
                      {"role": "assistant", "tool_calls": [{"id": "%1$s", "type": "function",
                        "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                      {"role": "tool", "tool_call_id": "%1$s", "content": "18C"}]}""".formatted(echoed));
            JsonNode sent = MAPPER.readTree(upstream.take().body());
            JsonNode part = sent.get("contents").get(1).get("parts").get(0);
            if (echoed.equals(id)) {
                assertThat(part.get("thoughtSignature").asText()).isEqualTo(SIGNATURE);
            } else {
                assertThat(part.get("thoughtSignature").asText()).as("a forged id restores nothing")
                        .isNotEqualTo(SIGNATURE);
                assertThat(part.get("functionCall").get("id").asText()).isEqualTo(echoed);
            }
        }
    }

    /** A new client each time, so each turn opens its own connection. */
    private String post(String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(gateway.url()
                            + "/v1/chat/completions")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
            return resp.body();
        } finally {
            http.shutdownNow();
        }
    }
}
