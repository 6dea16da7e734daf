package dev.rosetta.dialect.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code reasoning_content} for Chat clients, at the codec: the same text streamed and not, and only when asked. */
class ChatReasoningTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Interleaved thinking: two thinking blocks around a call. */
    private static final List<ContentBlock> ANSWER = List.of(
            new ContentBlock.Thinking("First look it up.", Optional.of("sig1")),
            ContentBlock.Text.of("Checking."),
            new ContentBlock.Thinking("Now answer.", Optional.empty()),
            new ContentBlock.Thinking("", Optional.empty()),
            new ContentBlock.RedactedThinking("opaque"),
            ContentBlock.Text.of(" Done."));

    @Test
    void thinkingBlocksAreJoinedTheSameWayStreamedAndNot() throws Exception {
        ChatResponse response = new ChatResponse("r", "m", 1, ANSWER, StopReason.END_TURN, Optional.empty(), Usage.ZERO);
        DropLog dropped = new DropLog();
        JsonNode message = JSON.readTree(OpenAiChatCodec.of(ChatReasoning.REASONING_CONTENT)
                .encodeResponse(response, dropped)).at("/choices/0/message");

        assertThat(message.path("reasoning_content").asText()).isEqualTo("First look it up.\n\nNow answer.");
        assertThat(message.path("content").asText()).isEqualTo("Checking. Done.");
        assertThat(dropped.paths()).containsExactly("redacted_thinking");

        List<JsonNode> deltas = streamDeltas(ChatReasoning.REASONING_CONTENT);
        assertThat(join(deltas, "reasoning_content")).isEqualTo(message.path("reasoning_content").asText());
        assertThat(join(deltas, "content")).isEqualTo("Checking. Done.");
    }

    @Test
    void withoutTheOptionReasoningIsLeftOutAndReportedAsBefore() throws Exception {
        ChatResponse response = new ChatResponse("r", "m", 1, ANSWER, StopReason.END_TURN, Optional.empty(), Usage.ZERO);
        DropLog dropped = new DropLog();
        JsonNode message = JSON.readTree(OpenAiChatCodec.INSTANCE.encodeResponse(response, dropped))
                .at("/choices/0/message");
        assertThat(message.has("reasoning_content")).isFalse();
        assertThat(dropped.paths()).containsExactly("thinking", "redacted_thinking");

        List<JsonNode> deltas = streamDeltas(ChatReasoning.NONE);
        assertThat(join(deltas, "reasoning_content")).isEmpty();
        assertThat(join(deltas, "content")).isEqualTo("Checking. Done.");
    }

    @Test
    void aRequestThatReasonsAsksForTheThoughtsOnlyWhenTheyWillBeShown() {
        byte[] body = "{\"model\":\"m\",\"reasoning_effort\":\"high\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        ChatRequest shown = OpenAiChatCodec.of(ChatReasoning.REASONING_CONTENT).decodeRequest(body);
        ChatRequest hidden = OpenAiChatCodec.INSTANCE.decodeRequest(body);
        assertThat(shown.reasoning().orElseThrow().includeThoughts()).contains(true);
        assertThat(hidden.reasoning().orElseThrow().includeThoughts()).isEmpty();

        byte[] off = "{\"model\":\"m\",\"reasoning_effort\":\"none\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(OpenAiChatCodec.of(ChatReasoning.REASONING_CONTENT).decodeRequest(off).reasoning().orElseThrow()
                .includeThoughts()).isEmpty();
    }

    /** The deltas of a stream carrying {@link #ANSWER}, thinking in deltas as providers stream it. */
    private static List<JsonNode> streamDeltas(ChatReasoning shown) throws Exception {
        ChatStreamEncoder encoder = new ChatStreamEncoder(false, shown);
        List<StreamEvent> events = List.of(
                new StreamEvent.MessageStart("r", "m", 1, Usage.ZERO),
                new StreamEvent.BlockStart(0, new ContentBlock.Thinking("", Optional.empty())),
                new StreamEvent.ThinkingDelta(0, "First look"),
                new StreamEvent.ThinkingDelta(0, " it up."),
                new StreamEvent.SignatureDelta(0, "sig1"),
                new StreamEvent.BlockStop(0),
                new StreamEvent.BlockStart(1, ContentBlock.Text.of("Checking.")),
                new StreamEvent.BlockStop(1),
                new StreamEvent.BlockStart(2, new ContentBlock.Thinking("", Optional.empty())),
                new StreamEvent.ThinkingDelta(2, "Now answer."),
                new StreamEvent.BlockStop(2),
                new StreamEvent.BlockStart(5, new ContentBlock.Thinking("", Optional.empty())),
                new StreamEvent.BlockStop(5),
                new StreamEvent.BlockStart(3, new ContentBlock.RedactedThinking("opaque")),
                new StreamEvent.BlockStop(3),
                new StreamEvent.BlockStart(4, ContentBlock.Text.of("")),
                new StreamEvent.TextDelta(4, " Done."),
                new StreamEvent.BlockStop(4),
                new StreamEvent.Finish(StopReason.END_TURN, Optional.empty()),
                new StreamEvent.MessageStop());
        List<JsonNode> deltas = new ArrayList<>();
        for (StreamEvent e : events) {
            for (byte[] frame : encoder.onEvent(e)) {
                String data = new String(frame, StandardCharsets.UTF_8).strip().substring("data: ".length());
                if (!data.equals("[DONE]")) {
                    deltas.add(JSON.readTree(data).at("/choices/0/delta"));
                }
            }
        }
        assertThat(encoder.dropped()).isEqualTo(shown == ChatReasoning.NONE ? 4 : 1);
        return deltas;
    }

    private static String join(List<JsonNode> deltas, String field) {
        StringBuilder sb = new StringBuilder();
        deltas.forEach(d -> sb.append(d.path(field).asText("")));
        return sb.toString();
    }
}
