package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.opaque.StateSealer;
import dev.rosetta.dialect.openai.ChatReasoning;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks {@code golden/<client>-to-<provider>/<case>/}: the client request must convert to the upstream
 * request, and the upstream response to the client response, as JSON values (key order and number
 * spelling ignored). Opaque provider state is sealed and unsealed around the codecs as a
 * cross-dialect call does ({@link OpaqueState}), so a case may echo a sealed id from an earlier
 * case's client response. A missing expected file fails and writes what was produced under
 * {@code target/golden-actual/} for review. A case may hold {@code options.json}, the client's options
 * ({@code {"chat_reasoning": "reasoning_content"}}), and {@code dropped.json}, the paths the conversion
 * must report as dropped, in order.
 */
class GoldenConversionTest {
    private static final Path ROOT = Path.of("src/test/resources/golden");
    private static final Path ACTUAL = Path.of("target/golden-actual");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "resp_golden", 0);
    /** As {@code Conversion} applies it, with a fixed key so that sealed ids in the files are stable. */
    static final OpaqueState OPAQUE = new OpaqueState(StateSealer.withSecret("golden-test-secret-0123456789"));

    static Stream<String> cases() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> pairs = Files.list(ROOT)) {
            for (Path pair : pairs.sorted().toList()) {
                try (Stream<Path> cases = Files.list(pair)) {
                    cases.filter(Files::isDirectory).sorted()
                            .forEach(c -> out.add(pair.getFileName() + "/" + c.getFileName()));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void converts(String name) throws IOException {
        Path dir = ROOT.resolve(name);
        String[] pair = name.substring(0, name.indexOf('/')).split("-to-");
        Dialect client = clientDialect(pair[0]);
        Dialect upstream = upstreamDialect(client, pair[1]);
        Codec clientCodec = Codec.forClient(client, chatReasoning(dir));
        Codec upstreamCodec = Codec.of(upstream);

        DropLog dropped = new DropLog();
        ChatRequest request = OPAQUE.unseal(clientCodec.decodeRequest(read(dir.resolve("client-request.json")), dropped));
        JsonNode expectedUpstream = readTree(dir.resolve("upstream-request.json"));
        String model = expectedUpstream != null && expectedUpstream.has("model")
                ? expectedUpstream.get("model").asText() : defaultModel(pair[1]);
        byte[] upstreamBody = upstreamCodec.encodeRequest(request, model, dropped);
        String upstreamOk = check(name, "upstream-request.json", expectedUpstream, upstreamBody);

        ResponseContext context = new ResponseContext(CONTEXT.created(), CONTEXT.fallbackId(),
                request.mergedTurns().size());
        ChatResponse response = upstreamCodec.decodeResponse(read(dir.resolve("upstream-response.json")), context,
                dropped);
        byte[] clientBody = clientCodec.encodeResponse(OPAQUE.seal(response, client), request, dropped);
        String clientOk = check(name, "client-response.json", readTree(dir.resolve("client-response.json")), clientBody);
        assertThat(upstreamOk).as("%s upstream request", name).isEmpty();
        assertThat(clientOk).as("%s client response", name).isEmpty();
        JsonNode expectedDrops = readTree(dir.resolve("dropped.json"));
        if (expectedDrops != null) {
            List<String> want = new ArrayList<>();
            expectedDrops.forEach(p -> want.add(p.asText()));
            assertThat(dropped.paths()).as("%s dropped", name).isEqualTo(want);
        }
    }

    /** The case's {@code chat_reasoning} option, {@code none} unless its {@code options.json} says. */
    static ChatReasoning chatReasoning(Path dir) throws IOException {
        JsonNode options = readTree(dir.resolve("options.json"));
        return options == null ? ChatReasoning.NONE
                : ChatReasoning.fromWireName(options.path("chat_reasoning").asText("none")).orElseThrow();
    }

    private static String defaultModel(String provider) {
        return switch (provider) {
            case "openai", "openai_responses" -> "gpt-4.1";
            case "anthropic" -> "claude-sonnet-4-5";
            default -> "gemini-2.5-flash";
        };
    }

    static Dialect clientDialect(String name) {
        return switch (name) {
            case "openai_chat" -> Dialect.OPENAI_CHAT;
            case "openai_responses" -> Dialect.OPENAI_RESPONSES;
            case "anthropic" -> Dialect.ANTHROPIC;
            case "gemini" -> Dialect.GEMINI;
            default -> throw new IllegalArgumentException("unknown client dialect " + name);
        };
    }

    /**
     * OpenAI providers are called with Chat Completions, except by Responses clients; {@code openai_responses}
     * is an OpenAI provider configured with {@code api: responses}.
     */
    static Dialect upstreamDialect(Dialect client, String provider) {
        return switch (provider) {
            case "openai" -> client == Dialect.OPENAI_RESPONSES ? Dialect.OPENAI_RESPONSES : Dialect.OPENAI_CHAT;
            case "openai_responses" -> Dialect.OPENAI_RESPONSES;
            case "anthropic" -> Dialect.ANTHROPIC;
            case "gemini" -> Dialect.GEMINI;
            default -> throw new IllegalArgumentException("unknown provider " + provider);
        };
    }

    /** Empty when {@code actual} matches, else a description of the difference. */
    private static String check(String name, String file, JsonNode expected, byte[] actualBytes) throws IOException {
        JsonNode actual = MAPPER.readTree(actualBytes);
        Path out = ACTUAL.resolve(name).resolve(file);
        Files.createDirectories(out.getParent());
        Files.writeString(out, MAPPER.writeValueAsString(actual) + "\n");
        if (expected == null) {
            return file + " is missing; produced " + out;
        }
        String want = canonical(expected);
        String got = canonical(actual);
        return want.equals(got) ? "" : file + " differs\n--- expected\n" + want + "\n--- actual\n" + got;
    }

    /** Pretty JSON with sorted keys and normalized numbers, so a mismatch shows as a readable diff. */
    static String canonical(JsonNode node) throws IOException {
        return MAPPER.writeValueAsString(normalize(node));
    }

    private static JsonNode normalize(JsonNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), normalize(e.getValue()));
            }
            ObjectNode out = f.objectNode();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = f.arrayNode();
            node.forEach(n -> out.add(normalize(n)));
            return out;
        }
        if (node.isNumber()) {
            return f.textNode("#" + node.decimalValue().stripTrailingZeros().toPlainString());
        }
        return node;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readTree(Path p) throws IOException {
        return Files.exists(p) ? MAPPER.readTree(p.toFile()) : null;
    }
}
