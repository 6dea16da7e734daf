package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.responses.ResponsesCodec;
import dev.rosetta.model.Extensions;
import dev.rosetta.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks {@code golden-stream/<client>-from-<provider>/<case>/}: {@code upstream.sse}, the provider's
 * wire stream, parsed by {@link SseParser}, decoded by the provider's {@link StreamDecoder} and
 * encoded by the client's {@link StreamEncoder}, must give exactly the bytes of {@code client.sse}.
 * An OpenAI provider streams Chat Completions, except to Responses clients. Each case is also replayed
 * byte by byte, at seeded random split points, and with CR and CRLF line endings: the output must not
 * change. A missing {@code client.sse} fails and writes what was produced under
 * {@code target/golden-stream-actual/} for review. A case may hold the client's {@code client-request.json}
 * when the answer depends on how the client declared its tools (Responses freeform and namespaced tools),
 * and {@code options.json}, the client's options ({@code {"chat_reasoning": "reasoning_content"}}).
 */
class GoldenStreamTest {
    private static final Path ROOT = Path.of("src/test/resources/golden-stream");
    private static final Path ACTUAL = Path.of("target/golden-stream-actual");
    /** Chunks carry no time (Anthropic, Gemini); the conversation has one user turn before the answer. */
    static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "resp_golden", 1);
    /**
     * The gateway's estimate of the request's prompt tokens (the pipeline takes it from
     * {@code TokenEstimate}): Anthropic and Gemini clients see it at the start of streams whose
     * upstream reports the prompt only at the end. Unlike every upstream's own count (9 and up), so a
     * golden shows which figure went where.
     */
    static final long PROMPT_ESTIMATE = 21;

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
        byte[] upstream = Files.readAllBytes(dir.resolve("upstream.sse"));
        String actual = convert(name, upstream, List.of(upstream.length));
        Path expectedFile = dir.resolve("client.sse");
        if (!Files.exists(expectedFile)) {
            Path out = ACTUAL.resolve(name).resolve("client.sse");
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual);
            assertThat(expectedFile).as("client.sse is missing; produced %s", out).exists();
        }
        assertThat(actual).isEqualTo(Files.readString(expectedFile));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputDoesNotDependOnSplitsOrLineEndings(String name) throws IOException {
        byte[] lf = Files.readAllBytes(ROOT.resolve(name).resolve("upstream.sse"));
        String whole = convert(name, lf, List.of(lf.length));
        assertThat(convert(name, lf, everyByte(lf.length))).as("byte by byte").isEqualTo(whole);
        Random random = new Random(name.hashCode());
        for (String ending : List.of("\n", "\r", "\r\n")) {
            byte[] input = new String(lf, StandardCharsets.UTF_8).replace("\n", ending).getBytes(StandardCharsets.UTF_8);
            assertThat(convert(name, input, List.of(input.length))).as("whole, ending %s", escape(ending))
                    .isEqualTo(whole);
            for (int round = 0; round < 5; round++) {
                List<Integer> splits = randomSplits(input.length, random);
                assertThat(convert(name, input, splits)).as("ending %s, chunks %s", escape(ending), splits)
                        .isEqualTo(whole);
            }
        }
    }

    /** Runs one stream through parser, decoder and encoder, fed in chunks of the given sizes. */
    static String convert(String name, byte[] upstream, List<Integer> chunkSizes) {
        String[] pair = name.substring(0, name.indexOf('/')).split("-from-");
        Dialect client = GoldenConversionTest.clientDialect(pair[0]);
        Dialect provider = GoldenConversionTest.upstreamDialect(client, pair[1]);
        StreamDecoder decoder = StreamDecoder.of(provider, CONTEXT);
        Path request = ROOT.resolve(name).resolve("client-request.json");
        StreamEncoder encoder;
        try {
            Map<String, Extensions.ToolForm> forms = Files.exists(request)
                    ? ResponsesCodec.toolForms(Codec.of(client).decodeRequest(read(request))) : Map.of();
            encoder = StreamEncoder.of(client, new StreamEncoder.Options(true, false, PROMPT_ESTIMATE, forms,
                    GoldenConversionTest.chatReasoning(ROOT.resolve(name))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        OpaqueState.Stream seal = GoldenConversionTest.OPAQUE.forStream(client);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseParser parser = new SseParser(1 << 20, event -> seal.onEvents(decoder.onEvent(event))
                .forEach(e -> encoder.onEvent(e).forEach(out::writeBytes)));
        int offset = 0;
        for (int size : chunkSizes) {
            parser.feed(upstream, offset, size);
            offset += size;
        }
        parser.finish();
        seal.onEvents(decoder.finish()).forEach(e -> encoder.onEvent(e).forEach(out::writeBytes));
        encoder.finish().forEach(out::writeBytes);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Integer> everyByte(int length) {
        List<Integer> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(1);
        }
        return out;
    }

    private static List<Integer> randomSplits(int length, Random random) {
        List<Integer> out = new ArrayList<>();
        int left = length;
        while (left > 0) {
            int size = Math.min(left, 1 + random.nextInt(64));
            out.add(size);
            left -= size;
        }
        return out;
    }

    private static String escape(String ending) {
        return ending.replace("\r", "CR").replace("\n", "LF");
    }
}
