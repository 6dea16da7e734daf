package dev.rosetta.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rosetta check} against fake providers that list their models only for the right key: a good
 * configuration passes, a wrong key shows auth not OK, an unreachable provider shows not reachable,
 * a model the provider does not list is a problem; each with the exit code and the key kept out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckTest {

    private static final String GOOD = "sk-good-SECRET-41d2";
    private static final String BAD = "sk-wrong-SECRET-77aa";

    private FakeUpstream fake;
    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        fake = new FakeUpstream().answer(r -> {
            String key = r.headers().get("authorization") != null ? r.headers().get("authorization").replace("Bearer ", "")
                    : r.headers().get("x-api-key") != null ? r.headers().get("x-api-key") : r.headers().get("x-goog-api-key");
            if (!GOOD.equals(key)) {
                return Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + key + "\"}}");
            }
            if (r.path().equals("/v1/models")) {
                return r.headers().get("anthropic-version") != null
                        ? Reply.json(200, "{\"data\":[{\"id\":\"claude-x\",\"type\":\"model\"}],\"has_more\":false}")
                        : Reply.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-x\"},{\"id\":\"gpt-y\"}]}");
            }
            if (r.path().equals("/v1beta/models")) {
                return Reply.json(200, "{\"models\":[{\"name\":\"models/gemini-x\"}]}");
            }
            return Reply.json(404, "{}");
        });
    }

    @AfterAll
    void stop() {
        fake.close();
    }

    private record Run(int code, String out, String err) {
    }

    private Run check(String yaml, String... more) throws IOException {
        Path file = dir.resolve("rosetta-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[3 + more.length];
        args[0] = "check";
        args[1] = "--config";
        args[2] = file.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        int code = RosettaCli.run(args, Map.of("GOOD", GOOD, "BAD", BAD), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private String config(String openaiKey, String anthropicUrl, String extraModel) {
        return """
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${%2$s}
                  - name: ant
                    type: anthropic
                    base_url: %3$s
                    api_key: ${GOOD}
                    connect_timeout: 2s
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: ${GOOD}
                  - name: mock
                    type: mock
                models:
                  - name: gpt-x
                    provider: oai
                  - name: claude
                    provider: ant
                    upstream_model: claude-x
                  - name: gemini-x
                    provider: gem
                  - name: gpt-*
                    provider: oai
                  - name: mock-gpt
                    provider: mock
                %4$s""".formatted(fake.baseUrl(), openaiKey, anthropicUrl, extraModel);
    }

    @Test
    void aGoodConfigurationPassesWithEveryProviderReachableAndItsModelsCounted() throws IOException {
        Run r = check(config("GOOD", fake.baseUrl(), ""), "--json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode o = AdminClient.JSON.readTree(r.out());
        assertThat(o.get("ok").asBoolean()).isTrue();
        assertThat(o.get("providers")).hasSize(4);
        JsonNode oai = o.get("providers").get(0);
        assertThat(oai.get("provider").asText()).isEqualTo("oai");
        assertThat(oai.get("reachable").asBoolean()).isTrue();
        assertThat(oai.get("auth_ok").asBoolean()).isTrue();
        assertThat(oai.get("models").asInt()).isEqualTo(2);
        assertThat(oai.get("latency_ms").isNumber()).isTrue();
        assertThat(o.get("providers").get(1).get("models").asInt()).isEqualTo(1);
        assertThat(o.get("providers").get(2).get("models").asInt()).isEqualTo(1);
        assertThat(o.get("providers").get(3).get("type").asText()).isEqualTo("mock");

        Run table = check(config("GOOD", fake.baseUrl(), ""));
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("PROVIDER", "REACHABLE", "AUTH_OK", "LATENCY_MS", "MODELS", "PROBLEMS")
                .contains("all providers answer");
    }

    @Test
    void aWrongKeyIsAuthNotOkAndExitsNonZeroWithoutPrintingTheKey() throws IOException {
        Run r = check(config("BAD", fake.baseUrl(), ""), "--json");
        assertThat(r.code()).isEqualTo(1);
        JsonNode oai = AdminClient.JSON.readTree(r.out()).get("providers").get(0);
        assertThat(oai.get("reachable").asBoolean()).isTrue();
        assertThat(oai.get("auth_ok").asBoolean()).isFalse();
        assertThat(oai.get("problems").get(0).asText()).contains("refused the key").contains("401");
        assertThat(r.out() + r.err()).doesNotContain(BAD).doesNotContain(GOOD);
        assertThat(AdminClient.JSON.readTree(r.out()).get("providers").get(1).get("auth_ok").asBoolean()).isTrue();
    }

    @Test
    void anUnreachableProviderIsNotReachableAndExitsNonZero() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run r = check(config("GOOD", "http://127.0.0.1:" + closed, ""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).containsPattern("ant\\s+anthropic\\s+false").contains("cannot reach").contains("problems found");
        assertThat(r.out()).containsPattern("oai\\s+openai\\s+true\\s+true");
    }

    @Test
    void aConfiguredModelTheProviderDoesNotListIsAProblem() throws IOException {
        Run r = check(config("GOOD", fake.baseUrl(), "  - name: gpt-gone\n    provider: oai\n"), "--json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("model \\\"gpt-gone\\\" is not in the provider's list");
    }

    @Test
    void anInvalidConfigurationIsReportedWithItsKeyPathAndExitsTwo() throws IOException {
        Run r = check("providers:\n  - name: x\n    type: claud\n");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("invalid configuration").contains("providers[0].type");
    }

    @Test
    void helpDescribesTheCommand() throws IOException {
        StringWriter out = new StringWriter();
        int code = RosettaCli.run(new String[] {"check", "--help"}, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertThat(code).isZero();
        assertThat(out.toString()).contains("--config").contains("--json").contains("models list");
    }
}
