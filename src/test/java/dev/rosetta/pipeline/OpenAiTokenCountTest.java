package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.StrictInputTokens;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Token counts for models served by OpenAI-type providers: OpenAI's own counter
 * ({@code /v1/responses/input_tokens}, played strictly), the flagged estimate for a server without
 * one (learnt once, for every event loop), and upstream errors that are the client's, not remembered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiTokenCountTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ESTIMATED = "x-rosetta-token-count";

    private final FakeUpstream upstream = new FakeUpstream();
    private final StrictInputTokens openAi = new StrictInputTokens();
    /** What the provider "flaky" answers, switched per test. */
    private final AtomicReference<Reply> flaky = new AtomicReference<>();
    // Two event loops; Vert.x hands the connections of one shared server to its instances in turn.
    private final TestGateway gateway = TestGateway.start("""
            providers:
              - name: oai
                type: openai
                base_url: %1$s/v1
                api_key: ${OPENAI_API_KEY}
              - name: compat
                type: openai
                base_url: %1$s/compat/v1
                api_key: ${OPENAI_API_KEY}
              - name: flaky
                type: openai
                base_url: %1$s/flaky/v1
                api_key: ${OPENAI_API_KEY}
              - name: lmstudio
                type: openai
                base_url: %1$s/lmstudio/v1
                api_key: ${OPENAI_API_KEY}
            models:
              - name: gpt-chat
                provider: oai
                upstream_model: gpt-upstream
                api: chat
              - name: gpt-resp
                provider: oai
                upstream_model: gpt-resp-upstream
                api: responses
              - name: local
                provider: compat
              - name: flaky-model
                provider: flaky
              - name: lmstudio-model
                provider: lmstudio
            """.formatted(upstream.baseUrl()), 2);

    @BeforeEach
    void script() {
        upstream.answer(r -> {
            if (r.path().startsWith("/compat/")) {
                return new Reply(404, Map.of("content-type", "text/plain"), java.util.List.of(
                        new FakeUpstream.Step.Write("404 page not found".getBytes())), true);
            }
            if (r.path().startsWith("/lmstudio/")) {
                // LM Studio answers an endpoint it does not have with 200 and an error body.
                return Reply.json(200, "{\"error\":\"Unexpected endpoint or method. (POST " + r.path() + ")\"}");
            }
            if (r.path().startsWith("/flaky/")) {
                return flaky.get();
            }
            return openAi.apply(r);
        });
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void theStrictFakeRefusesWhatOpenAiRefuses() throws Exception {
        for (String field : new String[] {"\"stream\":false", "\"max_output_tokens\":5", "\"store\":false",
                "\"include\":[]", "\"temperature\":1"}) {
            HttpResponse<String> r = send(HttpClient.newHttpClient(), upstream.baseUrl() + StrictInputTokens.PATH,
                    "{\"model\":\"m\",\"input\":\"hi\"," + field + "}");
            assertThat(r.statusCode()).as(field).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("unknown_parameter");
        }
        assertThat(send(HttpClient.newHttpClient(), upstream.baseUrl() + StrictInputTokens.PATH,
                "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\","
                        + "\"cache_control\":{}}]}]}").body()).contains("input[0].content[0].cache_control");
    }

    @Test
    void anthropicCountOnAChatModelAsksOpenAisCounter() throws Exception {
        HttpResponse<String> resp = post("/v1/messages/count_tokens", """
                {"model":"gpt-chat","system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
                 "thinking":{"type":"enabled","budget_tokens":2048},
                 "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object",
                   "properties":{"city":{"type":"string"}}}}],
                 "messages":[{"role":"user","content":"Weather in Paris?"},
                   {"role":"assistant","content":[{"type":"thinking","thinking":"look it up","signature":"sig"},
                     {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"}]}]}""");
        Recorded got = upstream.take();

        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        assertThat(got.path()).isEqualTo(StrictInputTokens.PATH);
        assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.path("model").asText()).isEqualTo("gpt-upstream");
        assertThat(sent.path("instructions").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/input/1/type").asText()).isEqualTo("function_call");
        assertThat(sent.at("/input/2/output").asText()).isEqualTo("18C");
        assertThat(sent.at("/reasoning/effort").asText()).isNotEmpty();
        assertThat(resp.body()).isEqualTo("{\"input_tokens\":" + openAi.lastCount() + "}");
        assertThat(resp.headers().firstValue(ESTIMATED)).isEmpty();
    }

    @Test
    void geminiCountOnAResponsesModelLeavesOutWhatTheCounterRefuses() throws Exception {
        HttpResponse<String> resp = post("/v1beta/models/gpt-resp:countTokens", """
                {"generateContentRequest":{"model":"models/gpt-resp",
                 "systemInstruction":{"parts":[{"text":"You are terse."}]},
                 "contents":[{"role":"user","parts":[{"text":"Count these words, please."}]}],
                 "generationConfig":{"maxOutputTokens":100,"temperature":0.2,"stopSequences":["x"],
                   "responseMimeType":"application/json"}}}""");
        Recorded got = upstream.take();

        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.path("model").asText()).isEqualTo("gpt-resp-upstream");
        assertThat(sent.at("/text/format/type").asText()).isEqualTo("json_object");
        assertThat(sent.has("max_output_tokens") || sent.has("temperature") || sent.has("store")).isFalse();
        assertThat(JSON.readTree(resp.body()).path("totalTokens").asLong()).isEqualTo(openAi.lastCount());
        assertThat(resp.headers().firstValue(ESTIMATED)).isEmpty();
    }

    @Test
    void aServerWithoutACounterIsAskedOnceThenEstimatedOnEveryEventLoop() throws Exception {
        String body = "{\"model\":\"local\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(100) + "\"}]}";
        for (int i = 0; i < 6; i++) {
            // A client of its own each time: a new connection, so the requests spread over both event loops.
            HttpResponse<String> resp = send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                    gateway.url() + "/v1/messages/count_tokens", body);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.headers().firstValue(ESTIMATED)).hasValue("estimated");
            assertThat(JSON.readTree(resp.body()).path("input_tokens").asLong()).isBetween(100L, 250L);
        }
        assertThat(upstream.take().path()).isEqualTo("/compat/v1/responses/input_tokens");
        assertThat(upstream.pending()).isZero();

        // A success without a count says the same.
        String other = body.replace("local", "lmstudio-model");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> resp = post("/v1/messages/count_tokens", other);
            assertThat(resp.headers().firstValue(ESTIMATED)).hasValue("estimated");
        }
        assertThat(upstream.take().path()).isEqualTo("/lmstudio/v1/responses/input_tokens");
        assertThat(upstream.pending()).isZero();

        // What one provider answered says nothing about another.
        post("/v1/messages/count_tokens", body.replace("local", "gpt-chat"));
        assertThat(upstream.take().path()).isEqualTo(StrictInputTokens.PATH);
    }

    @Test
    void whichAnswersSayTheEndpointIsMissing() {
        byte[] plain = "404 page not found".getBytes();
        assertThat(CountTokens.noSuchEndpoint(404, plain)).as("Ollama, llama.cpp").isTrue();
        assertThat(CountTokens.noSuchEndpoint(404, "{\"detail\":\"Not Found\"}".getBytes())).as("FastAPI").isTrue();
        assertThat(CountTokens.noSuchEndpoint(405, "{\"detail\":\"Method Not Allowed\"}".getBytes()))
                .as("vLLM: POST on its GET /v1/responses/{id}").isTrue();
        assertThat(CountTokens.noSuchEndpoint(501, plain)).isTrue();
        assertThat(CountTokens.noSuchEndpoint(404, ("{\"error\":{\"message\":\"The model `x` does not exist\","
                + "\"code\":\"model_not_found\"}}").getBytes())).as("OpenAI, unknown model").isFalse();
        for (int status : new int[] {400, 401, 403, 429, 500, 502, 503}) {
            assertThat(CountTokens.noSuchEndpoint(status, plain)).as("%d", status).isFalse();
        }
    }

    @Test
    void errorsThatAreNotAMissingEndpointReachTheClientAndAreNotRemembered() throws Exception {
        String body = "{\"model\":\"flaky-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        flaky.set(Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}", Map.of("retry-after", "7")));
        HttpResponse<String> limited = post("/v1/messages/count_tokens", body);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).hasValue("7");
        assertThat(limited.body()).contains("\"type\":\"error\"", "rate_limit_error", "Rate limit reached");

        flaky.set(Reply.json(404, "{\"error\":{\"message\":\"The model `flaky-model` does not exist\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}"));
        HttpResponse<String> noModel = post("/v1/messages/count_tokens", body);
        assertThat(noModel.statusCode()).isEqualTo(404);
        assertThat(noModel.body()).contains("does not exist");

        flaky.set(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"invalid_api_key\"}}"));
        assertThat(post("/v1beta/models/flaky-model:countTokens",
                "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}").statusCode()).isEqualTo(401);

        flaky.set(Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"));
        HttpResponse<String> down = post("/v1/messages/count_tokens", body);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue(ESTIMATED)).isEmpty();

        for (int i = 0; i < 4; i++) {
            assertThat(upstream.take().path()).isEqualTo("/flaky/v1/responses/input_tokens");
        }
        flaky.set(Reply.json(200, "{\"object\":\"response.input_tokens\",\"input_tokens\":9}"));
        HttpResponse<String> ok = post("/v1/messages/count_tokens", body);
        assertThat(ok.body()).isEqualTo("{\"input_tokens\":9}");
        assertThat(ok.headers().firstValue(ESTIMATED)).isEmpty();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), gateway.url() + path, body);
    }

    private static HttpResponse<String> send(HttpClient http, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
