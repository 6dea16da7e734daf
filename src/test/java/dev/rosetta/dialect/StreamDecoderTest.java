package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.model.stream.StreamEvent.BlockStart;
import dev.rosetta.model.stream.StreamEvent.BlockStop;
import dev.rosetta.model.stream.StreamEvent.Finish;
import dev.rosetta.model.stream.StreamEvent.MessageStop;
import dev.rosetta.model.stream.StreamEvent.TextDelta;
import dev.rosetta.model.stream.StreamEvent.ToolArgumentsDelta;
import dev.rosetta.model.stream.StreamEvent.UsageUpdate;
import dev.rosetta.sse.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What providers actually send, normalised by the stream decoders. */
class StreamDecoderTest {
    private static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "fallback", 1);

    private static List<StreamEvent> decode(Dialect d, boolean finish, SseEvent... events) {
        StreamDecoder decoder = StreamDecoder.of(d, CONTEXT);
        List<StreamEvent> out = new ArrayList<>();
        for (SseEvent e : events) {
            out.addAll(decoder.onEvent(e));
        }
        if (finish) {
            out.addAll(decoder.finish());
        }
        return out;
    }

    private static SseEvent data(String json) {
        return SseEvent.of(json);
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"c1\",\"created\":5,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static Optional<StreamEvent.Error> error(List<StreamEvent> events) {
        return events.stream().filter(StreamEvent.Error.class::isInstance).map(StreamEvent.Error.class::cast).findFirst();
    }

    @Test
    void chatRoleOnlyChunkTextWithEmptyToolCallsTextAfterACallAndUsageOnlyChunk() {
        List<StreamEvent> events = decode(Dialect.OPENAI_CHAT, true,
                data(chunk("{\"role\":\"assistant\"}", null)),
                data(chunk("{\"content\":\"Hi\",\"tool_calls\":[]}", null)),
                data(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"f\",\"arguments\":\"{}\"}}]}", null)),
                data(chunk("{\"content\":\" after\"}", null)),
                data(chunk("{}", "tool_calls")),
                data("{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":3}}}"),
                data("[DONE]"));
        assertThat(events).containsExactly(
                new StreamEvent.MessageStart("c1", "m", 5, Usage.ZERO),
                new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "Hi"), new BlockStop(0),
                new BlockStart(1, ContentBlock.ToolCall.of("call_1", "f", "")), new ToolArgumentsDelta(1, "{}"),
                new BlockStop(1),
                new BlockStart(2, ContentBlock.Text.of("")), new TextDelta(2, " after"), new BlockStop(2),
                new UsageUpdate(new Usage(7, 3, 0, 4, 0)),
                new Finish(StopReason.TOOL_USE, Optional.empty()), new MessageStop());
    }

    @Test
    void chatSkipsAzuresPromptFilterChunkAndDecodesRefusals() {
        List<StreamEvent> events = decode(Dialect.OPENAI_CHAT, true,
                data("{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"prompt_filter_results\":[]}"),
                data(chunk("{\"role\":\"assistant\",\"refusal\":\"No.\"}", "stop")), data("[DONE]"));
        assertThat(events).containsExactly(new StreamEvent.MessageStart("c1", "m", 5, Usage.ZERO),
                new BlockStart(0, new ContentBlock.Refusal("")), new TextDelta(0, "No."), new BlockStop(0),
                new Finish(StopReason.END_TURN, Optional.empty()), new MessageStop());
    }

    @Test
    void chatFinishWithoutDoneEndsNormallyButNeitherIsACut() {
        List<StreamEvent> ok = decode(Dialect.OPENAI_CHAT, true, data(chunk("{\"content\":\"A\"}", "length")));
        assertThat(ok).endsWith(new Finish(StopReason.MAX_TOKENS, Optional.empty()), new MessageStop());
        List<StreamEvent> cut = decode(Dialect.OPENAI_CHAT, true, data(chunk("{\"content\":\"A\"}", null)));
        assertThat(cut.getLast()).isInstanceOf(StreamEvent.Error.class);
        assertThat(((StreamEvent.Error) cut.getLast()).error().kind()).isEqualTo(ErrorKind.BAD_GATEWAY);
        List<StreamEvent> doneOnly = decode(Dialect.OPENAI_CHAT, true, data(chunk("{\"content\":\"A\"}", null)),
                data("[DONE]"));
        assertThat(doneOnly).endsWith(new Finish(StopReason.END_TURN, Optional.empty()), new MessageStop());
    }

    @Test
    void chatSameIndexWithANewIdIsANewCallAndAMissingIdIsSynthesized() {
        List<StreamEvent> events = decode(Dialect.OPENAI_CHAT, false,
                data(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
                        + "{\"index\":0,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}", null)),
                data(chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"name\":\"h\",\"arguments\":\"\"}}]}", null)));
        assertThat(events).filteredOn(BlockStart.class::isInstance).extracting(e -> ((BlockStart) e).initial())
                .containsExactly(ContentBlock.ToolCall.of("a", "f", ""), ContentBlock.ToolCall.of("b", "g", ""),
                        ContentBlock.ToolCall.of("call_c1_2", "h", ""));
    }

    @Test
    void chatArgumentsForAClosedCallEndTheStreamWithAnError() {
        List<StreamEvent> events = decode(Dialect.OPENAI_CHAT, true,
                data(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}", null)),
                data(chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"\"}}]}", null)),
                data(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}", null)),
                data("[DONE]"));
        assertThat(events.getLast()).isInstanceOf(StreamEvent.Error.class);
        assertThat(events).filteredOn(StreamEvent.Error.class::isInstance).hasSize(1);
    }

    @Test
    void chatErrorChunkKeepsTheUpstreamKindAndMessage() {
        List<StreamEvent> events = decode(Dialect.OPENAI_CHAT, true, data(chunk("{\"content\":\"A\"}", null)),
                data("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}"));
        var e = error(events).orElseThrow().error();
        assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(e.message()).isEqualTo("slow down");
        assertThat(e.code()).contains("rate_limit_exceeded");
        assertThat(events.getLast()).isInstanceOf(StreamEvent.Error.class);
    }

    @Test
    void malformedDataIsAnErrorValueNotAnException() {
        for (Dialect d : Dialect.values()) {
            List<StreamEvent> events = decode(d, true, data("{not json"), data("{}"));
            assertThat(events).as("%s", d).hasSize(1);
            assertThat(error(events)).as("%s", d).isPresent();
        }
    }

    @Test
    void anthropicCutAfterMessageDeltaIsAnErrorWithoutFinish() {
        List<StreamEvent> events = decode(Dialect.ANTHROPIC, true,
                SseEvent.of("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg\",\"model\":\"c\","
                        + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}"),
                SseEvent.of("something_new", "{\"type\":\"something_new\"}"),
                SseEvent.of("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                        + "\"usage\":{\"output_tokens\":9}}"));
        assertThat(events).noneMatch(Finish.class::isInstance);
        assertThat(events.getLast()).isInstanceOf(StreamEvent.Error.class);
    }

    @Test
    void anthropicStopSequenceAndCumulativeUsage() {
        List<StreamEvent> events = decode(Dialect.ANTHROPIC, true,
                SseEvent.of("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg\",\"model\":\"c\","
                        + "\"usage\":{\"input_tokens\":3,\"cache_read_input_tokens\":100,\"output_tokens\":1}}}"),
                SseEvent.of("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\","
                        + "\"stop_sequence\":\"END\"},\"usage\":{\"output_tokens\":9}}"),
                SseEvent.of("message_stop", "{\"type\":\"message_stop\"}"));
        assertThat(events).endsWith(new UsageUpdate(new Usage(3, 100, 0, 9, 0)),
                new Finish(StopReason.STOP_SEQUENCE, Optional.of("END")), new MessageStop());
    }

    @Test
    void anthropicErrorEventKeepsItsKind() {
        List<StreamEvent> events = decode(Dialect.ANTHROPIC, true,
                SseEvent.of("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        assertThat(error(events).orElseThrow().error().kind()).isEqualTo(ErrorKind.OVERLOADED);
        assertThat(events).hasSize(1);
    }

    @Test
    void geminiSynthesizesTheSameCallIdsAsTheNonStreamingCodec() {
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\":1}}},"
                + "{\"functionCall\":{\"name\":\"g\",\"args\":{}}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],"
                + "\"responseId\":\"r\"}";
        ChatResponse whole = Codec.of(Dialect.GEMINI).decodeResponse(body.getBytes(StandardCharsets.UTF_8), CONTEXT);
        List<StreamEvent> events = decode(Dialect.GEMINI, true, data(body));
        List<ContentBlock> streamed = events.stream().filter(BlockStart.class::isInstance)
                .map(e -> ((BlockStart) e).initial()).toList();
        assertThat(streamed).extracting(b -> ((ContentBlock.ToolCall) b).id())
                .containsExactlyElementsOf(whole.content().stream().map(b -> ((ContentBlock.ToolCall) b).id()).toList());
        assertThat(events).contains(new ToolArgumentsDelta(0, "{\"a\":1}"), new ToolArgumentsDelta(1, "{}"))
                .contains(new Finish(StopReason.TOOL_USE, Optional.empty()));
    }

    @Test
    void geminiTakesTheLastUsageAndHandlesBlockedPromptsAndWrappedErrors() {
        List<StreamEvent> usage = decode(Dialect.GEMINI, true,
                data("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A\"}]}}],\"usageMetadata\":{\"promptTokenCount\":5}}"),
                data("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2,\"thoughtsTokenCount\":4}}"),
                data("{\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3,\"thoughtsTokenCount\":4}}"));
        assertThat(usage).filteredOn(UsageUpdate.class::isInstance).containsExactly(new UsageUpdate(new Usage(5, 0, 0, 7, 4)));
        List<StreamEvent> blocked = decode(Dialect.GEMINI, true, data("{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}"));
        assertThat(blocked).endsWith(new Finish(StopReason.CONTENT_FILTER, Optional.empty()), new MessageStop());
        List<StreamEvent> wrapped = decode(Dialect.GEMINI, true,
                data("[{\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}]"));
        assertThat(error(wrapped).orElseThrow().error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    }

    @Test
    void responsesFailedAndArgumentsOnlyInDone() {
        List<StreamEvent> failed = decode(Dialect.OPENAI_RESPONSES, true,
                SseEvent.of("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"model\":\"m\"}}"),
                SseEvent.of("response.failed", "{\"type\":\"response.failed\",\"response\":{\"status\":\"failed\","
                        + "\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"slow\"}}}"));
        assertThat(error(failed).orElseThrow().error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        List<StreamEvent> call = decode(Dialect.OPENAI_RESPONSES, true,
                SseEvent.of("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":0,"
                        + "\"item\":{\"type\":\"function_call\",\"id\":\"fc\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"\"}}"),
                SseEvent.of("response.function_call_arguments.done", "{\"type\":\"response.function_call_arguments.done\","
                        + "\"output_index\":0,\"arguments\":\"{\\\"a\\\":1}\"}"),
                SseEvent.of("response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":0}"),
                SseEvent.of("response.completed", "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}"));
        assertThat(call).contains(new ToolArgumentsDelta(0, "{\"a\":1}"), new BlockStop(0))
                .endsWith(new Finish(StopReason.TOOL_USE, Optional.empty()), new MessageStop());
        assertThat(decode(Dialect.OPENAI_RESPONSES, true,
                SseEvent.of("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"r\"}}")).getLast())
                .isInstanceOf(StreamEvent.Error.class);
    }

    @Test
    void inputAfterTheTerminalEventIsIgnored() {
        StreamDecoder decoder = StreamDecoder.of(Dialect.OPENAI_CHAT, CONTEXT);
        decoder.onEvent(data(chunk("{\"content\":\"A\"}", "stop")));
        assertThat(decoder.onEvent(data("[DONE]"))).endsWith(new MessageStop());
        assertThat(decoder.onEvent(data(chunk("{\"content\":\"B\"}", null)))).isEmpty();
        assertThat(decoder.finish()).isEmpty();
    }
}
