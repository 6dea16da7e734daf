package dev.rosetta.mock;

import static dev.rosetta.dialect.Dialect.ANTHROPIC;
import static dev.rosetta.dialect.Dialect.GEMINI;
import static dev.rosetta.dialect.Dialect.OPENAI_CHAT;
import static dev.rosetta.dialect.Dialect.OPENAI_RESPONSES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.config.DefaultConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The mock answers a request for structured output with JSON that fits the schema (a coding agent's
 * router parses it), and refuses, as OpenAI and Anthropic do, a schema naming a type JSON Schema
 * does not have: the agents harness (bench/agents.sh) relies on both.
 */
@TestInstance(PER_CLASS)
class MockStructuredOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type":"object","properties":{"reasoning":{"type":"string"},"score":{"type":"integer","minimum":1},
             "level":{"type":"string","enum":["low","high"]},"tags":{"type":"array","items":{"type":"string"}},
             "ok":{"type":"boolean"}},"required":["reasoning","score"]}""";
    private static final String EXPECTED = "{\"reasoning\":\"mock\",\"score\":1,\"level\":\"low\",\"tags\":[],\"ok\":false}";

    private TestGateway gateway;
    private DialectClient client;

    @BeforeAll
    void start() {
        gateway = TestGateway.start(DefaultConfig.create(Map.<String, String>of()::get));
        client = new DialectClient(gateway.url());
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private DialectClient.Result send(Dialect d, String model, String body) {
        return client.send(d, DialectClient.path(d, model, false), body.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Dialect d, JsonNode answer) {
        return switch (d) {
            case OPENAI_CHAT -> answer.path("choices").get(0).path("message").path("content").asText();
            case OPENAI_RESPONSES -> answer.path("output").get(0).path("content").get(0).path("text").asText();
            case ANTHROPIC -> answer.path("content").get(0).path("text").asText();
            case GEMINI -> answer.path("candidates").get(0).path("content").path("parts").get(0).path("text").asText();
        };
    }

    @Test
    void aJsonSchemaIsAnsweredWithItsSimplestInstanceInEveryDialect() throws Exception {
        var chat = send(OPENAI_CHAT, "mock-gpt", """
                {"model":"mock-gpt","messages":[{"role":"user","content":"Rate this"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"r","schema":%s}}}""".formatted(SCHEMA));
        var responses = send(OPENAI_RESPONSES, "mock-gpt", """
                {"model":"mock-gpt","input":"Rate this","text":{"format":{"type":"json_schema","name":"r","schema":%s}}}"""
                .formatted(SCHEMA));
        var anthropic = send(ANTHROPIC, "mock-claude", """
                {"model":"mock-claude","max_tokens":64,"messages":[{"role":"user","content":"Rate this"}],
                 "output_config":{"format":{"type":"json_schema","schema":%s}}}""".formatted(SCHEMA));
        var gemini = send(GEMINI, "mock-gemini", """
                {"contents":[{"role":"user","parts":[{"text":"Rate this"}]}],
                 "generationConfig":{"responseMimeType":"application/json","responseJsonSchema":%s}}""".formatted(SCHEMA));

        assertThat(JSON.readTree(text(OPENAI_CHAT, chat.json()))).isEqualTo(JSON.readTree(EXPECTED));
        assertThat(JSON.readTree(text(OPENAI_RESPONSES, responses.json()))).isEqualTo(JSON.readTree(EXPECTED));
        assertThat(JSON.readTree(text(ANTHROPIC, anthropic.json()))).isEqualTo(JSON.readTree(EXPECTED));
        assertThat(JSON.readTree(text(GEMINI, gemini.json()))).isEqualTo(JSON.readTree(EXPECTED));
    }

    @Test
    void geminisUpperCaseResponseSchemaIsAnsweredToo() throws Exception {
        var gemini = send(GEMINI, "mock-gemini", """
                {"contents":[{"role":"user","parts":[{"text":"Rate this"}]}],
                 "generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT",
                  "properties":{"score":{"type":"INTEGER"},"why":{"type":"STRING"}}}}}""");

        assertThat(gemini.status()).isEqualTo(200);
        assertThat(JSON.readTree(text(GEMINI, gemini.json()))).isEqualTo(JSON.readTree("{\"score\":1,\"why\":\"mock\"}"));
    }

    @Test
    void jsonModeWithoutASchemaIsAnsweredWithAnEmptyObject() throws Exception {
        var chat = send(OPENAI_CHAT, "mock-gpt", """
                {"model":"mock-gpt","messages":[{"role":"user","content":"JSON please"}],
                 "response_format":{"type":"json_object"}}""");

        assertThat(text(OPENAI_CHAT, chat.json())).isEqualTo("{}");
    }

    @Test
    void aStreamedStructuredAnswerConcatenatesToTheSameJson() {
        var stream = client.send(OPENAI_CHAT, "/v1/chat/completions", """
                {"model":"mock-gpt","stream":true,"messages":[{"role":"user","content":"Rate this"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"r","schema":%s}}}"""
                .formatted(SCHEMA).getBytes(StandardCharsets.UTF_8));

        StringBuilder text = new StringBuilder();
        stream.body().lines().filter(l -> l.startsWith("data: {")).forEach(l -> {
            try {
                text.append(JSON.readTree(l.substring(6)).path("choices").path(0).path("delta").path("content").asText(""));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(text.toString()).isEqualTo(EXPECTED);
    }

    @Test
    void upperCaseTypesAreRefusedInOpenAiAndAnthropicSchemasAsThoseProvidersDo() {
        String upper = "{\"type\":\"OBJECT\",\"properties\":{\"score\":{\"type\":\"INTEGER\"}}}";
        var chat = send(OPENAI_CHAT, "mock-gpt", """
                {"model":"mock-gpt","messages":[{"role":"user","content":"Rate this"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"r","schema":%s}}}""".formatted(upper));
        var tool = send(ANTHROPIC, "mock-claude", """
                {"model":"mock-claude","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],
                 "tools":[{"name":"ok","input_schema":{"type":"object"}},
                          {"name":"rate","input_schema":{"type":"object","properties":{"n":{"type":"Number"}}}}]}""");
        var responses = send(OPENAI_RESPONSES, "mock-gpt", """
                {"model":"mock-gpt","input":"Hi","tools":[{"type":"function","name":"f",
                 "parameters":{"type":"object","properties":{"xs":{"type":"array","items":{"type":"STRING"}}}}}]}""");

        assertThat(DialectClient.assertDialectError(OPENAI_CHAT, chat, 400))
                .contains("$.response_format.json_schema.schema.type");
        assertThat(DialectClient.assertDialectError(ANTHROPIC, tool, 400))
                .contains("$.tools[1].input_schema.properties.n.type");
        assertThat(DialectClient.assertDialectError(OPENAI_RESPONSES, responses, 400))
                .contains("$.tools[0].parameters.properties.xs.items.type");
    }

    @Test
    void aPropertyNamedTypeIsNotMistakenForATypeKeyword() {
        var chat = send(OPENAI_CHAT, "mock-gpt", """
                {"model":"mock-gpt","messages":[{"role":"user","content":"Hi"}],
                 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object",
                  "properties":{"type":{"type":"string","enum":["A","B"]}}}}}]}""");

        assertThat(chat.status()).isEqualTo(200);
        assertThat(text(OPENAI_CHAT, chat.json())).startsWith("Hello from Rosetta's mock model mock-gpt.");
    }
}
