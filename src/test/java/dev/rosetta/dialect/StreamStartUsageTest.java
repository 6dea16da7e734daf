package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.model.stream.StreamEvent.BlockStart;
import dev.rosetta.model.stream.StreamEvent.BlockStop;
import dev.rosetta.model.stream.StreamEvent.Finish;
import dev.rosetta.model.stream.StreamEvent.MessageStart;
import dev.rosetta.model.stream.StreamEvent.MessageStop;
import dev.rosetta.model.stream.StreamEvent.TextDelta;
import dev.rosetta.model.stream.StreamEvent.UsageUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What each client dialect shows as the prompt count when its stream starts (issue 19): the upstream's
 * exact figure when its first event had one, else the gateway's estimate where the client's own
 * provider would have had a number there (Anthropic, Gemini), and nothing where it would not
 * (Responses: {@code usage: null}; Chat: no usage before the last chunk). The end always carries the
 * upstream's exact figures.
 */
class StreamStartUsageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ESTIMATE = 50;
    /** What Chat Completions and Responses upstreams start with: no usage yet. */
    private static final MessageStart NO_USAGE = new MessageStart("m1", "model-x", 1_750_000_000L, Usage.ZERO);
    /** What Anthropic and Gemini upstreams start with: the exact prompt, 30 of it cached. */
    private static final MessageStart EXACT = new MessageStart("m1", "model-x", 1_750_000_000L, new Usage(12, 30, 0, 0, 0));
    private static final Usage FINAL = new Usage(12, 30, 0, 7, 0);

    /** The frames' JSON payloads, for a stream of one text block whose usage arrives at the end. */
    private static List<JsonNode> stream(Dialect client, long estimate, MessageStart start) {
        StreamEncoder encoder = StreamEncoder.of(client, new StreamEncoder.Options(true, false, estimate, java.util.Map.of(), dev.rosetta.dialect.openai.ChatReasoning.NONE));
        List<StreamEvent> events = List.of(start, new BlockStart(0, ContentBlock.Text.of("")),
                new TextDelta(0, "Hello"), new TextDelta(0, " there"), new BlockStop(0), new UsageUpdate(FINAL),
                new Finish(StopReason.END_TURN, Optional.empty()), new MessageStop());
        List<JsonNode> out = new ArrayList<>();
        for (StreamEvent e : events) {
            encoder.onEvent(e).forEach(f -> data(f).ifPresent(out::add));
        }
        encoder.finish().forEach(f -> data(f).ifPresent(out::add));
        return out;
    }

    private static Optional<JsonNode> data(byte[] frame) {
        String s = new String(frame, StandardCharsets.UTF_8);
        int i = s.indexOf("data: ");
        if (i < 0 || s.startsWith("[DONE]", i + 6)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(s.substring(i + 6).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode first(List<JsonNode> frames, String type) {
        return frames.stream().filter(f -> f.path("type").asText().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void anthropicMessageStartShowsTheEstimateWhenTheUpstreamHasNotSaidAndMessageDeltaTheExactFigures() {
        List<JsonNode> frames = stream(Dialect.ANTHROPIC, ESTIMATE, NO_USAGE);

        JsonNode start = first(frames, "message_start").at("/message/usage");
        assertThat(start.path("input_tokens").asLong()).isEqualTo(ESTIMATE);
        assertThat(start.path("cache_read_input_tokens").asLong()).isZero();
        JsonNode end = first(frames, "message_delta").path("usage");
        assertThat(end.path("input_tokens").asLong()).isEqualTo(12);
        assertThat(end.path("cache_read_input_tokens").asLong()).isEqualTo(30);
        assertThat(end.path("output_tokens").asLong()).isEqualTo(7);
    }

    @Test
    void anthropicMessageStartShowsTheUpstreamsExactFigureOverTheEstimate() {
        JsonNode start = first(stream(Dialect.ANTHROPIC, ESTIMATE, EXACT), "message_start").at("/message/usage");

        assertThat(start.path("input_tokens").asLong()).isEqualTo(12);
        assertThat(start.path("cache_read_input_tokens").asLong()).isEqualTo(30);
    }

    @Test
    void anthropicStartSynthesizedForContentBeforeMessageStartShowsTheEstimate() {
        StreamEncoder encoder = StreamEncoder.of(Dialect.ANTHROPIC, new StreamEncoder.Options(true, false, ESTIMATE, java.util.Map.of(), dev.rosetta.dialect.openai.ChatReasoning.NONE));
        JsonNode start = data(encoder.onEvent(new BlockStart(0, ContentBlock.Text.of("Hi"))).get(0)).orElseThrow();

        assertThat(start.path("type").asText()).isEqualTo("message_start");
        assertThat(start.at("/message/usage/input_tokens").asLong()).isEqualTo(ESTIMATE);
    }

    @Test
    void geminiChunksCarryThePromptCountFromTheFirstAndTheLastTheExactUsage() {
        List<JsonNode> frames = stream(Dialect.GEMINI, ESTIMATE, NO_USAGE);

        assertThat(frames).hasSize(3);
        for (JsonNode chunk : frames.subList(0, 2)) {
            assertThat(chunk.at("/usageMetadata/promptTokenCount").asLong()).as("%s", chunk).isEqualTo(ESTIMATE);
            assertThat(chunk.at("/usageMetadata/totalTokenCount").asLong()).isEqualTo(ESTIMATE);
            assertThat(chunk.at("/usageMetadata").has("candidatesTokenCount")).isFalse();
        }
        JsonNode last = frames.get(2).path("usageMetadata");
        assertThat(last.path("promptTokenCount").asLong()).isEqualTo(42);
        assertThat(last.path("cachedContentTokenCount").asLong()).isEqualTo(30);
        assertThat(last.path("candidatesTokenCount").asLong()).isEqualTo(7);
        assertThat(last.path("totalTokenCount").asLong()).isEqualTo(49);
    }

    @Test
    void geminiChunksCarryTheUpstreamsExactPromptCountOverTheEstimate() {
        JsonNode u = stream(Dialect.GEMINI, ESTIMATE, EXACT).get(0).path("usageMetadata");

        assertThat(u.path("promptTokenCount").asLong()).isEqualTo(42);
        assertThat(u.path("cachedContentTokenCount").asLong()).isEqualTo(30);
        assertThat(u.path("totalTokenCount").asLong()).isEqualTo(42);
    }

    @Test
    void geminiChunksOmitUsageRatherThanShowAZeroWhenNothingIsKnown() {
        List<JsonNode> frames = stream(Dialect.GEMINI, 0, NO_USAGE);

        assertThat(frames.get(0).has("usageMetadata")).isFalse();
        assertThat(frames.get(2).at("/usageMetadata/promptTokenCount").asLong()).isEqualTo(42);
    }

    @Test
    void responsesStartsWithNullUsageAsOpenAiDoesAndCompletesWithTheExactFigures() {
        List<JsonNode> frames = stream(Dialect.OPENAI_RESPONSES, ESTIMATE, EXACT);

        assertThat(first(frames, "response.created").at("/response/usage").isNull()).isTrue();
        assertThat(first(frames, "response.in_progress").at("/response/usage").isNull()).isTrue();
        JsonNode usage = first(frames, "response.completed").at("/response/usage");
        assertThat(usage.path("input_tokens").asLong()).isEqualTo(42);
        assertThat(usage.at("/input_tokens_details/cached_tokens").asLong()).isEqualTo(30);
    }

    @Test
    void chatCarriesUsageOnlyInItsLastChunkAsOpenAiDoes() {
        List<JsonNode> frames = stream(Dialect.OPENAI_CHAT, ESTIMATE, EXACT);

        for (JsonNode chunk : frames.subList(0, frames.size() - 1)) {
            assertThat(chunk.path("usage").isMissingNode() || chunk.path("usage").isNull()).as("%s", chunk).isTrue();
        }
        assertThat(frames.get(frames.size() - 1).at("/usage/prompt_tokens").asLong()).isEqualTo(42);
    }
}
