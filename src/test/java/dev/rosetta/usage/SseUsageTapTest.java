package dev.rosetta.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.Json;
import dev.rosetta.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The tap reads only the usage objects of each event; it must count what scanning every token counts. */
class SseUsageTapTest {

    /** What the tap did before it searched for the usage key: every token of every event with "sage" in it. */
    private static Usage everyToken(String sse, ProviderType format) {
        UsageScanner scanner = new UsageScanner();
        SseParser parser = new SseParser(1 << 20, event -> {
            if (event.data().indexOf("sage") < 0) {
                return;
            }
            scanner.reset();
            try (JsonParser p = Json.FACTORY.createParser(event.data())) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    scanner.accept(t, p);
                }
            } catch (IOException | RuntimeException e) {
                // as the old tap
            }
        });
        parser.feed(sse.getBytes(StandardCharsets.UTF_8));
        parser.finish();
        return scanner.usage(format);
    }

    private static Usage tap(String sse, ProviderType format) {
        SseUsageTap tap = new SseUsageTap(format);
        tap.feed(Buffer.buffer(sse));
        return tap.finish();
    }

    @Test
    void countsWhatEveryTokenCountsOnEveryGoldenStream() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources"))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".sse")).toList();
        }
        assertThat(files).hasSizeGreaterThan(20);
        for (Path f : files) {
            String sse = Files.readString(f);
            for (ProviderType format : ProviderType.values()) {
                assertThat(tap(sse, format)).as(f + " as " + format).isEqualTo(everyToken(sse, format));
            }
        }
    }

    @Test
    void countsWhatEveryTokenCountsOnAwkwardEvents() {
        String[] events = {
            "{\"usage\":null,\"x\":1}",
            "{\"usage\" : {\"prompt_tokens\" : 7, \"completion_tokens\":3}}",
            "{\"text\":\"say \\\"usage\\\":{\\\"prompt_tokens\\\":999}\",\"usage\":{\"prompt_tokens\":4}}",
            "{\"a\":\"x\\\\\",\"usage\":{\"prompt_tokens\":5,\"details\":{\"usage\":{\"prompt_tokens\":900}}}}",
            "{\"message\":{\"usage\":{\"input_tokens\":11,\"cache_read_input_tokens\":5}},\"usage\":{\"output_tokens\":7}}",
            "{\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":3,\"thoughtsTokenCount\":2}}",
            "{\"usage\":[{\"prompt_tokens\":1}],\"usage_x\":{\"prompt_tokens\":2},\"usages\":{\"prompt_tokens\":3}}",
            "{\"usage\":{\"prompt_tokens\":6,",
            "[DONE]",
            "{\"usage\":{\"prompt_tokens\":8}} trailing",
            "{\"response\":{\"usage\":{\"input_tokens\":12,\"output_tokens\":4,\"output_tokens_details\":{\"reasoning_tokens\":2},"
                    + "\"input_tokens_details\":{\"cached_tokens\":3}}}}",
        };
        for (String data : events) {
            String sse = "data: " + data + "\n\n";
            for (ProviderType format : ProviderType.values()) {
                assertThat(tap(sse, format)).as(data + " as " + format).isEqualTo(everyToken(sse, format));
            }
        }
        StringBuilder all = new StringBuilder();
        for (String data : events) {
            all.append("data: ").append(data).append("\r\n\r\n");
        }
        for (ProviderType format : ProviderType.values()) {
            assertThat(tap(all.toString(), format)).isEqualTo(everyToken(all.toString(), format));
        }
    }

    /**
     * On well-formed events. (On a malformed one the tap may count a usage object that comes after the
     * error, where a token-by-token read gave up: it is more lenient, never less.)
     */
    @Test
    void countsWhatEveryTokenCountsOnRandomUsageLikeEvents() {
        java.util.Random random = new java.util.Random(5);
        int wellFormed = 0;
        for (int round = 0; round < 6000; round++) {
            StringBuilder data = new StringBuilder();
            value(random, data, 0);
            if (!wellFormed(data.toString())) {
                continue;
            }
            wellFormed++;
            String sse = "data: " + data + "\n\n";
            for (ProviderType format : ProviderType.values()) {
                assertThat(tap(sse, format)).as(data + " as " + format).isEqualTo(everyToken(sse, format));
            }
        }
        assertThat(wellFormed).isGreaterThan(500);
    }

    private static boolean wellFormed(String json) {
        try (JsonParser p = Json.FACTORY.createParser(json)) {
            while (p.nextToken() != null) {
                p.getText();
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static final String[] NAMES = {"usage", "usageMetadata", "prompt_tokens", "completion_tokens",
        "cached_tokens", "input_tokens", "output_tokens", "cache_read_input_tokens", "promptTokenCount",
        "candidatesTokenCount", "thoughtsTokenCount", "text", "prompt_tokens_details", "x", "usag",
        "prompt\\u005ftokens", "input_tokens\\\"", "modality"};
    private static final String[] SCALARS = {"0", "7", "-3", "12345678901234", "99999999999999999999", "1.5", "2e3",
        "012", "true", "false", "null", "\"a \\\"usage\\\":{\\\"prompt_tokens\\\":9}\"", "\"\"", " 5 ", "x"};

    private static void value(java.util.Random r, StringBuilder sb, int depth) {
        int kind = depth > 4 ? 2 : r.nextInt(depth == 0 ? 2 : 4);
        switch (kind) {
            case 0 -> {
                sb.append('{');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        sb.append(r.nextInt(20) == 0 ? " , " : ",");
                    }
                    sb.append('"').append(NAMES[r.nextInt(NAMES.length)]).append('"').append(r.nextBoolean() ? ":" : " : ");
                    value(r, sb, depth + 1);
                }
                sb.append(r.nextInt(40) == 0 ? "" : "}");
            }
            case 1 -> {
                sb.append('[');
                int n = r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    value(r, sb, depth + 1);
                }
                sb.append(']');
            }
            default -> sb.append(SCALARS[r.nextInt(SCALARS.length)]);
        }
    }

    @Test
    void notesTheSequenceNumberOfTheLastCompleteResponsesEvent() {
        SseUsageTap tap = new SseUsageTap(ProviderType.OPENAI, true);
        assertThat(tap.nextSequence()).isZero();

        // As the OpenAI API writes it (keys in order, the number last), and as other servers do (first).
        tap.feed(Buffer.buffer("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0}\n\n"
                + "data: {\"content_index\":0,\"delta\":\"x\",\"sequence_number\" : 1}\n\n"
                + "data: {\"sequence_number\":2,\"delta\":\"say \\\"sequence_number\\\":99\"}\n\n"));
        assertThat(tap.nextSequence()).as("a key quoted inside a string is no key").isEqualTo(3);

        // An event without a number counts one past the last; half an event does not count yet.
        tap.feed(Buffer.buffer("data: {\"type\":\"keepalive\"}\n\ndata: {\"type\":\"x\",\"sequence_number\":7"));
        assertThat(tap.nextSequence()).isEqualTo(4);
        tap.feed(Buffer.buffer("}\n\n"));
        assertThat(tap.nextSequence()).isEqualTo(8);
    }

    @Test
    void aStreamOtherThanResponsesIsNotNumbered() {
        SseUsageTap tap = new SseUsageTap(ProviderType.OPENAI);
        tap.feed(Buffer.buffer("data: {\"sequence_number\":4}\n\n"));
        assertThat(tap.nextSequence()).isZero();
    }

    @Test
    void geminiToolUsePromptTokensCountAsInputWhenRelayedAsWhenConverted() {
        String sse = "data: {\"usageMetadata\":{\"promptTokenCount\":100,\"toolUsePromptTokenCount\":40,"
                + "\"cachedContentTokenCount\":30,\"candidatesTokenCount\":20,\"thoughtsTokenCount\":5}}\n\n";
        // the same numbers as the Gemini decoder reads them (GeminiResponses): 100 + 40 prompt, 30 of them cached
        assertThat(tap(sse, ProviderType.GEMINI)).isEqualTo(Usage.fromGemini(100, 40, 30, 20, 5))
                .isEqualTo(new Usage(110, 30, 0, 25, 5));
    }
}
