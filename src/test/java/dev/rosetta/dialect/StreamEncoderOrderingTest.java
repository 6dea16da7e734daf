package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
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
import dev.rosetta.model.stream.StreamEvent.ThinkingDelta;
import dev.rosetta.model.stream.StreamEvent.ToolArgumentsDelta;
import dev.rosetta.model.stream.StreamEvent.UsageUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Encoders keep each client dialect's rules whatever order the neutral events come in. */
class StreamEncoderOrderingTest {
    private static final MessageStart START = new MessageStart("m1", "model-x", 1_750_000_000L, new Usage(7, 0, 0, 0, 0));
    private static final Finish END_TURN = new Finish(StopReason.END_TURN, Optional.empty());
    private static final Usage USAGE = new Usage(7, 0, 0, 5, 0);

    static String run(StreamEncoder encoder, StreamEvent... events) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            encoder.onEvent(e).forEach(b -> sb.append(new String(b, StandardCharsets.UTF_8)));
        }
        encoder.finish().forEach(b -> sb.append(new String(b, StandardCharsets.UTF_8)));
        return sb.toString();
    }

    static StreamEncoder encoder(Dialect d) {
        return StreamEncoder.of(d, new StreamEncoder.Options(true, false));
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** The frames that end a stream of this dialect, normally or with an error. */
    private static int terminals(Dialect d, String out) {
        return switch (d) {
            case OPENAI_CHAT -> count(out, "data: [DONE]") + count(out, "data: {\"error\"");
            case OPENAI_RESPONSES -> count(out, "event: response.completed") + count(out, "event: response.incomplete")
                    + count(out, "event: error");
            case ANTHROPIC -> count(out, "event: message_stop") + count(out, "event: error");
            case GEMINI -> count(out, "\"finishReason\"") + count(out, "data: {\"error\"");
        };
    }

    @Test
    void anthropicClosesTheOpenBlockWhenFinishComesBeforeBlockStop() {
        String out = run(new dev.rosetta.dialect.anthropic.AnthropicStreamEncoder(), START,
                new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "Hi"), END_TURN, new BlockStop(0),
                new UsageUpdate(USAGE), new MessageStop());
        assertThat(count(out, "event: content_block_start")).isEqualTo(1);
        assertThat(count(out, "event: content_block_stop")).isEqualTo(1);
        assertThat(out.indexOf("content_block_stop")).isLessThan(out.indexOf("message_delta"));
        assertThat(out).contains("\"usage\":{\"input_tokens\":7,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":5}");
        assertThat(out).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    @Test
    void anthropicOpensOneBlockAtATimeWithContiguousIndexes() {
        String out = run(new dev.rosetta.dialect.anthropic.AnthropicStreamEncoder(), START,
                new BlockStart(0, new ContentBlock.Thinking("", Optional.empty())), new ThinkingDelta(0, "hmm"),
                new BlockStart(1, ContentBlock.Text.of("")), new TextDelta(1, "A"),
                new BlockStart(2, new ContentBlock.Image(new dev.rosetta.model.MediaSource.Url("https://x/y.png",
                        Optional.empty()), Optional.empty(), Optional.empty())),
                new BlockStart(3, ContentBlock.ToolCall.of("call:1.x", "f", "")), new ToolArgumentsDelta(3, "{}"),
                new MessageStop());
        assertThat(blockIndexes(out, "content_block_start")).containsExactly(0, 1, 2);
        assertThat(blockIndexes(out, "content_block_stop")).containsExactly(0, 1, 2);
        assertThat(out).contains("\"id\":\"call_1_x\"").contains("\"stop_reason\":\"tool_use\"");
        assertBlocksNeverOverlap(out);
    }

    @Test
    void anthropicErrorBeforeAnythingIsTheOnlyFrame() {
        String out = run(new dev.rosetta.dialect.anthropic.AnthropicStreamEncoder(),
                new StreamEvent.Error(GatewayError.of(ErrorKind.OVERLOADED, "Overloaded")), new MessageStop());
        assertThat(out).isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}\n\n");
    }

    @Test
    void chatSendsUsageOnlyWhenAskedAndAfterTheFinishChunk() {
        StreamEvent[] events = {START, new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "Hi"), END_TURN,
            new UsageUpdate(USAGE), new MessageStop()};
        String with = run(new dev.rosetta.dialect.openai.ChatStreamEncoder(true), events);
        String without = run(new dev.rosetta.dialect.openai.ChatStreamEncoder(false), events);
        assertThat(with.indexOf("\"finish_reason\":\"stop\"")).isLessThan(with.indexOf("\"choices\":[],\"usage\""));
        assertThat(with).contains("\"completion_tokens\":5").endsWith("data: [DONE]\n\n");
        assertThat(without).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
        assertThat(count(without, "finish_reason\":\"")).isEqualTo(1);
    }

    @Test
    void chatNumbersToolCallsFromZeroAndDropsThinking() {
        var encoder = new dev.rosetta.dialect.openai.ChatStreamEncoder(false);
        String out = run(encoder, START,
                new BlockStart(0, new ContentBlock.Thinking("", Optional.empty())), new ThinkingDelta(0, "x"),
                new StreamEvent.SignatureDelta(0, "sig"), new BlockStop(0),
                new BlockStart(1, ContentBlock.Text.of("")), new TextDelta(1, "A"), new BlockStop(1),
                new BlockStart(2, ContentBlock.ToolCall.of("c1", "f", "")), new ToolArgumentsDelta(2, "{\"a\""),
                new ToolArgumentsDelta(2, ":1}"), new BlockStop(2),
                new BlockStart(3, ContentBlock.ToolCall.of("c2", "g", "")), new ToolArgumentsDelta(3, "{}"),
                new BlockStop(3), END_TURN, new MessageStop());
        assertThat(out).contains("{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"\"}}").contains("{\"index\":0,\"function\":{\"arguments\":\":1}\"}}")
                .contains("{\"index\":1,\"id\":\"c2\"").contains("\"finish_reason\":\"tool_calls\"")
                .doesNotContain("\"x\"");
        assertThat(out.indexOf("\"role\":\"assistant\"")).isLessThan(out.indexOf("\"content\":\"A\""));
        assertThat(encoder.dropped()).isEqualTo(1);
    }

    @Test
    void geminiBuffersACallUntilItsBlockStopsOrTheFinish() {
        var encoder = new dev.rosetta.dialect.gemini.GeminiStreamEncoder(false);
        List<String> frames = new ArrayList<>();
        for (StreamEvent e : List.of(START, new BlockStart(0, ContentBlock.ToolCall.of("c1", "f", "")),
                new ToolArgumentsDelta(0, "{\"a\""), new ToolArgumentsDelta(0, ":1}"))) {
            encoder.onEvent(e).forEach(b -> frames.add(new String(b, StandardCharsets.UTF_8)));
        }
        assertThat(frames).isEmpty();
        String rest = run(encoder, new Finish(StopReason.MAX_TOKENS, Optional.empty()), new BlockStop(0),
                new MessageStop());
        assertThat(rest).startsWith("data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":"
                + "{\"id\":\"c1\",\"name\":\"f\",\"args\":{\"a\":1}}}]}");
        assertThat(count(rest, "functionCall")).isEqualTo(1);
        assertThat(rest).contains("\"finishReason\":\"MAX_TOKENS\"");
    }

    @Test
    void geminiKeepsTruncatedArgumentsVerbatim() {
        String out = run(new dev.rosetta.dialect.gemini.GeminiStreamEncoder(false), START,
                new BlockStart(0, ContentBlock.ToolCall.of("c1", "f", "")), new ToolArgumentsDelta(0, "{\"a\":"),
                new BlockStop(0), new Finish(StopReason.MAX_TOKENS, Optional.empty()), new MessageStop());
        assertThat(out).contains("\"args\":{\"_raw\":\"{\\\"a\\\":\"}");
    }

    @Test
    void geminiJsonArrayFraming() throws Exception {
        String out = run(new dev.rosetta.dialect.gemini.GeminiStreamEncoder(true), START,
                new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "A"), new TextDelta(0, "B"),
                new BlockStop(0), END_TURN, new MessageStop());
        assertThat(out).startsWith("[{\"candidates\"").endsWith("}]");
        assertThat(count(out, ",\r\n")).isEqualTo(2);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out).size()).isEqualTo(3);
        String error = run(new dev.rosetta.dialect.gemini.GeminiStreamEncoder(true),
                new StreamEvent.Error(GatewayError.of(ErrorKind.OVERLOADED, "busy")));
        assertThat(error).isEqualTo("[{\"error\":{\"code\":503,\"message\":\"busy\",\"status\":\"UNAVAILABLE\"}}]");
        assertThat(run(new dev.rosetta.dialect.gemini.GeminiStreamEncoder(true))).startsWith("[{\"error\"").endsWith("}]");
    }

    @Test
    void responsesSequenceNumbersIncreaseByOneAndMessageStopWithoutFinishCompletes() {
        String out = run(new dev.rosetta.dialect.responses.ResponsesStreamEncoder(), START,
                new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "A"), new BlockStop(0),
                new BlockStart(1, ContentBlock.Text.of("")), new TextDelta(1, "B"),
                new BlockStart(2, ContentBlock.ToolCall.of("c1", "f", "")), new ToolArgumentsDelta(2, "{}"),
                new MessageStop());
        Matcher m = Pattern.compile("\"sequence_number\":(\\d+)").matcher(out);
        int expected = 0;
        while (m.find()) {
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(expected++);
        }
        assertThat(expected).isGreaterThan(10);
        // Two text blocks share one message item, as content parts 0 and 1.
        assertThat(count(out, "event: response.output_item.added")).isEqualTo(2);
        assertThat(out).contains("\"content_index\":1,\"delta\":\"B\"");
        assertThat(out).contains("\"status\":\"completed\"").contains("\"arguments\":\"{}\"");
        assertThat(terminals(Dialect.OPENAI_RESPONSES, out)).isEqualTo(1);
    }

    @Test
    void messageStopWithoutFinishReportsToolUseAfterACall() {
        StreamEvent[] events = {START, new BlockStart(0, ContentBlock.ToolCall.of("c1", "f", "")),
            new ToolArgumentsDelta(0, "{}"), new MessageStop()};
        assertThat(run(encoder(Dialect.OPENAI_CHAT), events)).contains("\"finish_reason\":\"tool_calls\"");
        assertThat(run(encoder(Dialect.ANTHROPIC), events)).contains("\"stop_reason\":\"tool_use\"");
        assertThat(run(encoder(Dialect.GEMINI), events)).contains("\"finishReason\":\"STOP\"");
        assertThat(run(encoder(Dialect.OPENAI_RESPONSES), events)).contains("event: response.completed");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void whatTheClientCannotCarryIsCounted(Dialect d) {
        StreamEncoder encoder = encoder(d);
        run(encoder, START, new BlockStart(0, new ContentBlock.Thinking("", Optional.empty())), new ThinkingDelta(0, "x"),
                new StreamEvent.SignatureDelta(0, "sig"), new BlockStop(0),
                new BlockStart(1, new ContentBlock.RedactedThinking("opaque")), new BlockStop(1), END_TURN,
                new MessageStop());
        long expected = switch (d) {
            case OPENAI_CHAT -> 2; // the thinking block and the redacted block
            case ANTHROPIC -> 0;
            case GEMINI, OPENAI_RESPONSES -> 2; // the signature and the redacted block
        };
        assertThat(encoder.dropped()).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void terminalIsSentOnceAndNothingFollowsIt(Dialect d) {
        String twice = run(encoder(d), START, new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "A"),
                END_TURN, new MessageStop(), new TextDelta(0, "late"), new MessageStop(),
                new StreamEvent.Error(GatewayError.of(ErrorKind.INTERNAL, "late")));
        assertThat(terminals(d, twice)).isEqualTo(1);
        assertThat(twice).doesNotContain("late");
        String cut = run(encoder(d), START, new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "A"));
        assertThat(terminals(d, cut)).isEqualTo(1);
        assertThat(cut).contains("ended unexpectedly");
        String empty = run(encoder(d));
        assertThat(terminals(d, empty)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void randomOrdersNeverBreakTheTerminalRule(Dialect d) {
        Random random = new Random(42 + d.ordinal());
        for (int round = 0; round < 300; round++) {
            List<StreamEvent> events = new ArrayList<>();
            int n = random.nextInt(14);
            for (int i = 0; i < n; i++) {
                events.add(randomEvent(random));
            }
            String out = run(encoder(d), events.toArray(StreamEvent[]::new));
            assertThat(terminals(d, out)).as("%s", events).isEqualTo(1);
            if (d == Dialect.ANTHROPIC) {
                assertBlocksNeverOverlap(out);
            }
        }
    }

    private static StreamEvent randomEvent(Random r) {
        int i = r.nextInt(3);
        return switch (r.nextInt(12)) {
            case 0 -> START;
            case 1 -> new BlockStart(i, ContentBlock.Text.of(""));
            case 2 -> new BlockStart(i, ContentBlock.ToolCall.of("c" + i, "f", ""));
            case 3 -> new BlockStart(i, new ContentBlock.Thinking("", Optional.empty()));
            case 4 -> new TextDelta(i, "t");
            case 5 -> new ToolArgumentsDelta(i, "{");
            case 6 -> new ThinkingDelta(i, "th");
            case 7 -> new BlockStop(i);
            case 8 -> new UsageUpdate(USAGE);
            case 9 -> END_TURN;
            case 10 -> new MessageStop();
            default -> r.nextInt(4) == 0 ? new StreamEvent.Error(GatewayError.of(ErrorKind.INTERNAL, "x"))
                    : new StreamEvent.SignatureDelta(i, "s");
        };
    }

    private static List<Integer> blockIndexes(String out, String type) {
        Matcher m = Pattern.compile("\"type\":\"" + type + "\",\"index\":(\\d+)").matcher(out);
        List<Integer> found = new ArrayList<>();
        while (m.find()) {
            found.add(Integer.parseInt(m.group(1)));
        }
        return found;
    }

    /** Starts and stops alternate, indexes count from 0, deltas only inside the open block, all stopped. */
    private static void assertBlocksNeverOverlap(String out) {
        Matcher m = Pattern.compile("\"type\":\"(content_block_start|content_block_delta|content_block_stop)\","
                + "\"index\":(\\d+)").matcher(out);
        int open = -1;
        int next = 0;
        while (m.find()) {
            int index = Integer.parseInt(m.group(2));
            switch (m.group(1)) {
                case "content_block_start" -> {
                    assertThat(open).as(out).isEqualTo(-1);
                    assertThat(index).as(out).isEqualTo(next++);
                    open = index;
                }
                case "content_block_delta" -> assertThat(index).as(out).isEqualTo(open);
                default -> {
                    assertThat(index).as(out).isEqualTo(open);
                    open = -1;
                }
            }
        }
        if (!out.contains("event: error")) {
            assertThat(open).as(out).isEqualTo(-1);
        }
    }
}
