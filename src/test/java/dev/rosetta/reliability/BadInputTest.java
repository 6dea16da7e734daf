package dev.rosetta.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.DialectClient.Result;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad request bodies in every client dialect (issue 6): each gets a 400 in the client's dialect whose
 * message names the JSON path, before anything is sent upstream; large but valid requests work.
 * Requests are sent cross-dialect (so the body is decoded, not relayed) unless a case says otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.withProviders(upstream);
    private final DialectClient client = new DialectClient(gateway.url());

    @BeforeEach
    void answerNormally() {
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()),
                ProviderAnswers.tag(r.bodyText()))));
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    /** A model of another family than the client's, so the request is decoded. */
    static String crossModel(Dialect d) {
        return d == Dialect.ANTHROPIC ? "gpt-test" : "claude-test";
    }

    /** (dialect, case name, body with MODEL for the model, the JSON path the message must name) */
    static Stream<Arguments> wrongShapes() {
        List<Arguments> out = new ArrayList<>();
        for (Dialect d : Dialect.values()) {
            for (String[] c : shapes(d)) {
                out.add(Arguments.of(d, c[0], c[1], c[2]));
            }
        }
        return out.stream();
    }

    private static List<String[]> shapes(Dialect d) {
        String common = switch (d) {
            case OPENAI_CHAT, ANTHROPIC -> "\"model\":\"MODEL\",\"max_tokens\":16,";
            case OPENAI_RESPONSES -> "\"model\":\"MODEL\",";
            case GEMINI -> "";
        };
        return switch (d) {
            case OPENAI_CHAT -> List.of(
                    c("messages not a list", "{" + common + "\"messages\":{\"role\":\"user\"}}", "$.messages"),
                    c("content of an unknown type", "{" + common + "\"messages\":[{\"role\":\"user\",\"content\":"
                            + "[{\"type\":\"hologram\",\"x\":1}]}]}", "$.messages[0].content[0]"),
                    c("role missing", "{" + common + "\"messages\":[{\"content\":\"hi\"}]}", "$.messages[0]"),
                    c("tools malformed", "{" + common + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                            + "\"tools\":[{\"type\":\"function\",\"function\":\"nope\"}]}", "$.tools[0]"),
                    c("number as a string", "{\"model\":\"MODEL\",\"max_tokens\":\"16\",\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "$.max_tokens"),
                    c("null where an object goes", "{" + common + "\"messages\":[null]}", "$.messages[0]"));
            case OPENAI_RESPONSES -> List.of(
                    c("input not a list", "{" + common + "\"input\":{\"role\":\"user\"}}", "$.input"),
                    c("content of an unknown type", "{" + common + "\"input\":[{\"type\":\"message\",\"role\":\"user\","
                            + "\"content\":[{\"type\":\"hologram\"}]}]}", "$.input[0].content[0]"),
                    c("role missing", "{" + common + "\"input\":[{\"type\":\"message\",\"content\":\"hi\"}]}",
                            "$.input[0]"),
                    c("tools malformed", "{" + common + "\"input\":\"hi\",\"tools\":[{\"type\":\"function\",\"name\":7}]}",
                            "$.tools[0]"),
                    c("number as a string", "{" + common + "\"input\":\"hi\",\"max_output_tokens\":\"16\"}",
                            "$.max_output_tokens"),
                    c("null where an object goes", "{" + common + "\"input\":[null]}", "$.input[0]"));
            case ANTHROPIC -> List.of(
                    c("messages not a list", "{" + common + "\"messages\":\"hi\"}", "$.messages"),
                    c("content of an unknown type", "{" + common + "\"messages\":[{\"role\":\"user\",\"content\":"
                            + "[{\"type\":\"hologram\"}]}]}", "$.messages[0].content[0]"),
                    c("role missing", "{" + common + "\"messages\":[{\"content\":\"hi\"}]}", "$.messages[0]"),
                    c("tools malformed", "{" + common + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                            + "\"tools\":[{\"name\":7}]}", "$.tools[0]"),
                    c("number as a string", "{\"model\":\"MODEL\",\"max_tokens\":\"16\",\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "$.max_tokens"),
                    c("null where an object goes", "{" + common + "\"messages\":[null]}", "$.messages[0]"));
            case GEMINI -> List.of(
                    c("contents not a list", "{\"contents\":{\"role\":\"user\"}}", "$.contents"),
                    c("part of an unknown type", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"hologram\":{}}]}]}",
                            "$.contents[0].parts[0]"),
                    c("parts missing", "{\"contents\":[{\"role\":\"user\"}]}", "$.contents[0]"),
                    c("tools malformed", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
                            + "\"tools\":[{\"functionDeclarations\":\"nope\"}]}", "$.tools[0]"),
                    c("number as a string", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
                            + "\"generationConfig\":{\"maxOutputTokens\":\"sixteen\"}}", "$.generationConfig.maxOutputTokens"),
                    c("null where an object goes", "{\"contents\":[null]}", "$.contents[0]"));
        };
    }

    private static String[] c(String name, String body, String path) {
        return new String[] {name, body, path};
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("wrongShapes")
    void wrongShapeIsA400NamingThePath(Dialect d, String name, String body, String path) {
        String model = crossModel(d);
        Result r = client.send(d, DialectClient.path(d, model, false),
                body.replace("MODEL", model).getBytes(StandardCharsets.UTF_8));
        if (r.status() == 200) {
            // What the target can do without is dropped and reported, by design (README: x-rosetta-dropped).
            assertThat(r.headers().firstValue("x-rosetta-dropped")).as("%s", r).hasValueSatisfying(
                    h -> assertThat(h).contains(path));
            assertThat(name).contains("unknown type");
            return;
        }
        String message = DialectClient.assertDialectError(d, r, 400);
        assertThat(message).as("%s", r).contains(path);
        assertThat(upstream.pending()).as("nothing sent upstream").isZero();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void malformedJsonIsA400AtTheRoot(Dialect d) {
        for (String body : List.of("{\"model\":", "{\"model\":\"x\"} trailing", "[1,2]", "", "{\"model\":\"x\",}")) {
            Result r = client.send(d, DialectClient.path(d, crossModel(d), false), body.getBytes(StandardCharsets.UTF_8));
            assertThat(DialectClient.assertDialectError(d, r, 400)).as("%s for %s", r, body).contains("$");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void jsonNestedTenThousandLevelsIsA400NamingTheDepthLimit(Dialect d) {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String body = DialectClient.body(d, crossModel(d), false, "hi");
        body = body.substring(0, body.length() - 1) + ",\"metadata\":{\"deep\":" + deep + "}}";
        for (String model : List.of(crossModel(d), sameModel(d))) {
            Result r = client.send(d, DialectClient.path(d, model, false), body.replace(crossModel(d), model)
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(DialectClient.assertDialectError(d, r, 400)).as("%s", r).contains("depth").contains("512");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void invalidUtf8InAStringIsA400(Dialect d) {
        for (String model : List.of(crossModel(d), sameModel(d))) {
            byte[] body = DialectClient.body(d, model, false, "hi-XX-there").getBytes(StandardCharsets.UTF_8);
            String text = new String(body, StandardCharsets.ISO_8859_1);
            int at = text.indexOf("XX");
            body[at] = (byte) 0xC3;
            body[at + 1] = (byte) 0x28; // 0xC3 must be followed by a continuation byte
            Result r = client.send(d, DialectClient.path(d, model, false), body);
            assertThat(DialectClient.assertDialectError(d, r, 400)).as("%s", r).containsIgnoringCase("UTF-8");
        }
        assertThat(upstream.pending()).as("nothing sent upstream").isZero();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aHundredThousandMessagesAreConverted(Dialect d) {
        String model = crossModel(d);
        StringBuilder turns = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            String role = i % 2 == 0 ? "user" : (d == Dialect.GEMINI ? "model" : "assistant");
            if (i > 0) {
                turns.append(',');
            }
            turns.append(switch (d) {
                case OPENAI_CHAT, ANTHROPIC -> "{\"role\":\"" + role + "\",\"content\":\"m" + i + "\"}";
                case OPENAI_RESPONSES -> "{\"type\":\"message\",\"role\":\"" + role + "\",\"content\":\"m" + i + "\"}";
                case GEMINI -> "{\"role\":\"" + role + "\",\"parts\":[{\"text\":\"m" + i + "\"}]}";
            });
        }
        String body = switch (d) {
            case OPENAI_CHAT -> "{\"model\":\"" + model + "\",\"messages\":[" + turns + "]}";
            case OPENAI_RESPONSES -> "{\"model\":\"" + model + "\",\"input\":[" + turns + "]}";
            case ANTHROPIC -> "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[" + turns + "]}";
            case GEMINI -> "{\"contents\":[" + turns + "]}";
        };
        Result r = client.send(d, DialectClient.path(d, model, false), body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(upstream.take().bodyText()).contains("m99999");
        assertThat(r.millis()).as("%s", r).isLessThan(15_000);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void a31MiBBase64ImageIsConverted(Dialect d) {
        String model = crossModel(d);
        String data = "A".repeat(31 * 1024 * 1024 / 4 * 4 - 4) + "AA==";
        String image = switch (d) {
            case OPENAI_CHAT -> "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + data + "\"}}";
            case OPENAI_RESPONSES -> "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64," + data + "\"}";
            case ANTHROPIC -> "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\""
                    + data + "\"}}";
            case GEMINI -> "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + data + "\"}}";
        };
        String body = switch (d) {
            case OPENAI_CHAT -> "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":[" + image + "]}]}";
            case OPENAI_RESPONSES -> "{\"model\":\"" + model + "\",\"input\":[{\"role\":\"user\",\"content\":[" + image + "]}]}";
            case ANTHROPIC -> "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":["
                    + image + "]}]}";
            case GEMINI -> "{\"contents\":[{\"role\":\"user\",\"parts\":[" + image + "]}]}";
        };
        Result r = client.send(d, DialectClient.path(d, model, false), body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(upstream.take().body().length).isGreaterThan(31 * 1000 * 1000);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aJsonBodyOnAGetIsRefusedInTheDialect(Dialect d) {
        String path = DialectClient.path(d, crossModel(d), false);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .method("GET", HttpRequest.BodyPublishers.ofString(DialectClient.body(d, crossModel(d), false, "hi")))
                .header("content-type", "application/json");
        if (d == Dialect.ANTHROPIC) {
            b.header("anthropic-version", "2023-06-01");
        }
        Result r = client.send(b.build());
        assertThat(r.status()).as("%s", r).isBetween(400, 499);
        DialectClient.assertDialectError(d, r, r.status());
        assertThat(upstream.pending()).isZero();
    }

    private static String sameModel(Dialect d) {
        return switch (d.family()) {
            case OPENAI -> "gpt-test";
            case ANTHROPIC -> "claude-test";
            default -> "gemini-test";
        };
    }
}
