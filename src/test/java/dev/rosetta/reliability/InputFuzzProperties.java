package dev.rosetta.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.error.GatewayException;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.pipeline.RequestPeek;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing (issue 6) of what reads untrusted bytes: each dialect's request decoder (behind the
 * gateway's body check, {@link RequestPeek}, and followed by encoding for every other dialect, as a
 * conversion does) and the SSE parser. Request inputs are the golden client requests mutated at
 * random, in their JSON tree (values swapped for other types, fields dropped or wrapped, odd strings
 * and numbers) and then in their bytes (truncated, bytes flipped or inserted). Asserted: nothing
 * escapes but the gateway's own {@link GatewayException}, and no input takes longer than
 * {@value #BOUND_MS} ms. The SSE parser gets token soup split at random points and must produce the
 * same events as when fed whole, none over its size limit.
 *
 * <p>Bounded for CI by the number of tries in each {@code @Property} (a few seconds in all); jqwik
 * reports the seed of a failure, and a longer local run only needs larger {@code tries}.
 */
class InputFuzzProperties {

    private static final long BOUND_MS = 2_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Map<Dialect, List<JsonNode>> SEEDS = seeds();
    private static final String[] ODD_STRINGS = {"", "\u0000", "\uD800", "\uFFFF", "é\u202Eevil", "x".repeat(5000),
        "data:image/png;base64,!!!", "data:;base64,", "https://127.0.0.1/a.png", "call_rx" + "A".repeat(40), "null",
        "{\"nested\":\"json\"}", "-1", "1e400", "user", "assistant", "function", "tool", "model", "text", "image_url"};

    @Property(tries = 2000)
    void openAiChatRequests(@ForAll long seed) {
        fuzz(Dialect.OPENAI_CHAT, seed);
    }

    @Property(tries = 2000)
    void openAiResponsesRequests(@ForAll long seed) {
        fuzz(Dialect.OPENAI_RESPONSES, seed);
    }

    @Property(tries = 2000)
    void anthropicRequests(@ForAll long seed) {
        fuzz(Dialect.ANTHROPIC, seed);
    }

    @Property(tries = 2000)
    void geminiRequests(@ForAll long seed) {
        fuzz(Dialect.GEMINI, seed);
    }

    @Property(tries = 2000)
    void sseParserIsTotalAndSplitInvariant(@ForAll("sseSoup") String soup, @ForAll("splits") List<Integer> splits) {
        byte[] bytes = soup.getBytes(StandardCharsets.UTF_8);
        int limit = 256;
        List<SseEvent> whole = new ArrayList<>();
        long start = System.nanoTime();
        SseParser a = new SseParser(limit, whole::add);
        SseParser.Status fedWhole = a.feed(bytes);
        SseParser.Status endWhole = a.finish();
        List<SseEvent> split = new ArrayList<>();
        SseParser b = new SseParser(limit, split::add);
        int at = 0;
        SseParser.Status fedSplit = SseParser.Status.OK;
        for (int cut : splits) {
            int to = Math.min(bytes.length, at + cut);
            fedSplit = b.feed(bytes, at, to - at);
            at = to;
        }
        if (at < bytes.length) {
            fedSplit = b.feed(bytes, at, bytes.length - at);
        }
        SseParser.Status endSplit = b.finish();
        assertThat(split).isEqualTo(whole);
        assertThat(fedSplit).isEqualTo(fedWhole);
        assertThat(endSplit).isEqualTo(endWhole);
        for (SseEvent e : whole) {
            assertThat(e.data().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(limit);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(BOUND_MS);
    }

    @Provide
    Arbitrary<String> sseSoup() {
        return Arbitraries.oneOf(
                Arbitraries.of("data:", "data: ", "event: ", "id: ", "id:\u0000", "retry: 5", ":", ": ping", "\n", "\r",
                        "\r\n", "\n\n", "x", "{\"a\":1}", "é", "\uFEFF", "[DONE]", "data:" + "y".repeat(300)),
                Arbitraries.strings().ofMaxLength(8))
                .list().ofMaxSize(80).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<List<Integer>> splits() {
        return Arbitraries.integers().between(0, 40).list().ofMaxSize(30);
    }

    private static void fuzz(Dialect d, long seed) {
        Random random = new Random(seed);
        List<JsonNode> seeds = SEEDS.get(d);
        JsonNode tree = mutate(seeds.get(random.nextInt(seeds.size())), random, 0);
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (random.nextInt(4) == 0) {
            bytes = mutateBytes(bytes, random);
        }
        long start = System.nanoTime();
        try {
            RequestPeek.of(bytes);
            ChatRequest request = Codec.of(d).decodeRequest(bytes, new DropLog());
            for (Dialect target : Dialect.values()) {
                try {
                    Codec.of(target).encodeRequest(request, "m", new DropLog());
                } catch (GatewayException e) {
                    assertThat(e.error().message()).isNotBlank();
                }
            }
        } catch (GatewayException e) {
            assertThat(e.error().message()).isNotBlank();
            assertThat(e.error().status()).isBetween(400, 499);
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(d + " let " + e + " escape for input " + preview(bytes), e);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).as("%s took %d ms for %s", d, ms, preview(bytes)).isLessThan(BOUND_MS);
    }

    private static JsonNode mutate(JsonNode node, Random r, int depth) {
        if (r.nextInt(depth == 0 ? 40 : 12) == 0) {
            return switch (r.nextInt(9)) {
                case 0 -> NODES.nullNode();
                case 1 -> NODES.numberNode(r.nextInt(5) - 2);
                case 2 -> NODES.numberNode(new java.math.BigDecimal("1e" + (r.nextInt(800) - 400)));
                case 3 -> NODES.textNode(ODD_STRINGS[r.nextInt(ODD_STRINGS.length)]);
                case 4 -> NODES.booleanNode(r.nextBoolean());
                case 5 -> NODES.arrayNode();
                case 6 -> NODES.objectNode();
                case 7 -> NODES.arrayNode().add(node);
                default -> NODES.objectNode().set("type", NODES.textNode(ODD_STRINGS[r.nextInt(ODD_STRINGS.length)]));
            };
        }
        if (node instanceof ObjectNode obj) {
            ObjectNode copy = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (r.nextInt(12) != 0) {
                    copy.set(f.getKey(), mutate(f.getValue(), r, depth + 1));
                }
            }
            if (r.nextInt(20) == 0) {
                copy.set(ODD_STRINGS[r.nextInt(ODD_STRINGS.length)], NODES.textNode("extra"));
            }
            return copy;
        }
        if (node instanceof ArrayNode arr) {
            ArrayNode copy = NODES.arrayNode();
            arr.forEach(n -> copy.add(mutate(n, r, depth + 1)));
            if (r.nextInt(15) == 0 && !arr.isEmpty()) {
                copy.add(mutate(arr.get(r.nextInt(arr.size())), r, depth + 1));
            }
            return copy;
        }
        return node;
    }

    private static byte[] mutateBytes(byte[] in, Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> java.util.Arrays.copyOf(in, r.nextInt(in.length + 1));
            case 1 -> {
                byte[] out = in.clone();
                for (int i = 0, n = 1 + r.nextInt(4); i < n && out.length > 0; i++) {
                    out[r.nextInt(out.length)] = (byte) r.nextInt(256);
                }
                yield out;
            }
            default -> {
                int at = r.nextInt(in.length + 1);
                byte[] insert = new byte[1 + r.nextInt(8)];
                r.nextBytes(insert);
                byte[] out = new byte[in.length + insert.length];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(insert, 0, out, at, insert.length);
                System.arraycopy(in, at, out, at + insert.length, in.length - at);
                yield out;
            }
        };
    }

    private static String preview(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }

    private static Map<Dialect, List<JsonNode>> seeds() {
        Map<Dialect, List<JsonNode>> out = new EnumMap<>(Dialect.class);
        Path root = Path.of("src/test/resources/golden");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("client-request.json")).sorted().toList()) {
                String pair = root.relativize(f).getName(0).toString();
                Dialect d = switch (pair.substring(0, pair.indexOf("-to-"))) {
                    case "openai_chat" -> Dialect.OPENAI_CHAT;
                    case "openai_responses" -> Dialect.OPENAI_RESPONSES;
                    case "anthropic" -> Dialect.ANTHROPIC;
                    default -> Dialect.GEMINI;
                };
                out.computeIfAbsent(d, k -> new ArrayList<>()).add(MAPPER.readTree(f.toFile()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
