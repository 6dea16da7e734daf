package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoders never throw: every golden upstream stream, with values in its events swapped for values
 * of other types, still decodes to a well-formed neutral stream that ends in exactly one terminal
 * event, and the client encoders accept it.
 */
class StreamDecoderFuzzTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static List<String> cases() throws IOException {
        return GoldenStreamTest.cases().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mutatedEventsBecomeValuesNotExceptions(String name) throws IOException {
        byte[] upstream = Files.readAllBytes(Path.of("src/test/resources/golden-stream", name, "upstream.sse"));
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(1 << 20, events::add);
        parser.feed(upstream);
        parser.finish();
        String[] pair = name.substring(0, name.indexOf('/')).split("-from-");
        Dialect client = GoldenConversionTest.clientDialect(pair[0]);
        Dialect provider = GoldenConversionTest.upstreamDialect(client, pair[1]);
        Random random = new Random(name.hashCode());
        for (int round = 0; round < 40; round++) {
            StreamDecoder decoder = StreamDecoder.of(provider, GoldenStreamTest.CONTEXT);
            StreamEncoder encoder = StreamEncoder.of(client, StreamEncoder.Options.DEFAULT);
            List<StreamEvent> out = new ArrayList<>();
            assertThatCode(() -> {
                for (SseEvent e : events) {
                    out.addAll(decoder.onEvent(mutate(e, random)));
                }
                out.addAll(decoder.finish());
                out.forEach(encoder::onEvent);
                encoder.finish();
            }).as("round %d", round).doesNotThrowAnyException();
            long terminals = out.stream()
                    .filter(e -> e instanceof StreamEvent.MessageStop || e instanceof StreamEvent.Error).count();
            assertThat(terminals).as("round %d: %s", round, out).isEqualTo(1);
            assertThat(out.getLast()).isInstanceOfAny(StreamEvent.MessageStop.class, StreamEvent.Error.class);
        }
    }

    private static SseEvent mutate(SseEvent e, Random random) throws IOException {
        if (random.nextInt(4) != 0 || e.data().startsWith("[")) {
            return e;
        }
        JsonNode tree = MAPPER.readTree(e.data());
        return new SseEvent(e.event(), MAPPER.writeValueAsString(mutate(tree, random)), e.id());
    }

    private static JsonNode mutate(JsonNode node, Random random) {
        if (random.nextInt(6) == 0) {
            return switch (random.nextInt(5)) {
                case 0 -> NODES.nullNode();
                case 1 -> NODES.numberNode(random.nextInt(3) - 1);
                case 2 -> NODES.textNode("x");
                case 3 -> NODES.arrayNode();
                default -> NODES.objectNode();
            };
        }
        if (node instanceof ObjectNode obj) {
            ObjectNode copy = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (random.nextInt(10) != 0) {
                    copy.set(f.getKey(), mutate(f.getValue(), random));
                }
            }
            return copy;
        }
        if (node instanceof ArrayNode arr) {
            ArrayNode copy = NODES.arrayNode();
            arr.forEach(n -> copy.add(mutate(n, random)));
            return copy;
        }
        return node;
    }
}
