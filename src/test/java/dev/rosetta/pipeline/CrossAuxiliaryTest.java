package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Token counting and embeddings when the client's dialect is not the provider's. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossAuxiliaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.withProviders(upstream);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void anthropicCountTokensUsesGeminisNativeCounter() throws Exception {
        upstream.answer(Reply.json(200, "{\"totalTokens\":42}"));
        HttpResponse<String> resp = post("/v1/messages/count_tokens",
                "{\"model\":\"gemini-test\",\"system\":\"be brief\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:countTokens");
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.at("/generateContentRequest/model").asText()).isEqualTo("models/gemini-upstream");
        assertThat(sent.at("/generateContentRequest/contents/0/parts/0/text").asText()).isEqualTo("hi");
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo("{\"input_tokens\":42}");
        assertThat(resp.headers().firstValue("x-rosetta-token-count")).isEmpty();
    }

    @Test
    void geminiCountTokensUsesAnthropicsNativeCounterWithoutMaxTokens() throws Exception {
        upstream.answer(Reply.json(200, "{\"input_tokens\":17}"));
        HttpResponse<String> resp = post("/v1beta/models/claude-test:countTokens",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello\"}]}]}");
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/messages/count_tokens");
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.has("max_tokens")).isFalse();
        assertThat(sent.path("model").asText()).isEqualTo("claude-upstream");
        assertThat(resp.body()).isEqualTo("{\"totalTokens\":17}");
    }

    @Test
    void withoutANativeCounterTheEstimateIsFlagged() throws Exception {
        upstream.answer(Reply.json(404, "{\"detail\":\"Not Found\"}"));
        HttpResponse<String> resp = post("/v1/messages/count_tokens",
                "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(100) + "\"}]}");
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("x-rosetta-token-count")).hasValue("estimated");
        long tokens = JSON.readTree(resp.body()).path("input_tokens").asLong();
        assertThat(tokens).isBetween(100L, 250L);
        assertThat(upstream.take().path()).isEqualTo("/v1/responses/input_tokens");
    }

    @Test
    void openAiEmbeddingsFromAGeminiModel() throws Exception {
        upstream.answer(Reply.json(200, "{\"embeddings\":[{\"values\":[0.5,-0.25]},{\"values\":[1.0,0.0]}]}"));
        HttpResponse<String> resp = post("/v1/embeddings",
                "{\"model\":\"gemini-test\",\"input\":[\"a\",\"b\"],\"dimensions\":2}");
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:batchEmbedContents");
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.at("/requests/1/content/parts/0/text").asText()).isEqualTo("b");
        assertThat(sent.at("/requests/0/outputDimensionality").asInt()).isEqualTo(2);
        JsonNode body = JSON.readTree(resp.body());
        assertThat(body.at("/data/0/embedding").toString()).isEqualTo("[0.5,-0.25]");
        assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
        assertThat(body.path("model").asText()).isEqualTo("gemini-test");

        upstream.answer(Reply.json(200, "{\"embeddings\":[{\"values\":[0.5,-0.25]}]}"));
        JsonNode b64 = JSON.readTree(post("/v1/embeddings",
                "{\"model\":\"gemini-test\",\"input\":\"a\",\"encoding_format\":\"base64\"}").body());
        ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(b64.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(floats.getFloat()).isEqualTo(0.5f);
        assertThat(floats.getFloat()).isEqualTo(-0.25f);
    }

    @Test
    void geminiEmbedContentFromAnOpenAiModel() throws Exception {
        upstream.answer(Reply.json(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[0.1,0.2]}],\"model\":\"gpt-upstream\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}"));
        HttpResponse<String> resp = post("/v1beta/models/gpt-test:embedContent",
                "{\"content\":{\"parts\":[{\"text\":\"hello\"},{\"text\":\" world\"}]},\"taskType\":\"RETRIEVAL_QUERY\","
                        + "\"outputDimensionality\":2}");
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/embeddings");
        assertThat(JSON.readTree(got.body()).toString())
                .isEqualTo("{\"model\":\"gpt-upstream\",\"input\":[\"hello world\"],\"dimensions\":2,\"encoding_format\":\"float\"}");
        assertThat(resp.body()).isEqualTo("{\"embedding\":{\"values\":[0.1,0.2]}}");
        assertThat(resp.headers().firstValue("x-rosetta-dropped")).hasValue("$.taskType");
    }

    @Test
    void embeddingsFromAProviderWithoutThemAreRefusedInTheClientsDialect() throws Exception {
        HttpResponse<String> resp = post("/v1/embeddings", "{\"model\":\"claude-test\",\"input\":\"a\"}");
        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).contains("has no embeddings", "\"type\":\"invalid_request_error\"");
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
