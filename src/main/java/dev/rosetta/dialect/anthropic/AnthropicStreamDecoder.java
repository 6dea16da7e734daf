package dev.rosetta.dialect.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.internal.StreamSupport;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Anthropic Messages events to neutral events.
 *
 * <p>Implementation notes: the event type is read from the JSON {@code type} (the {@code event:} line
 * repeats it). Upstream block indexes are renumbered, since blocks of kinds the model has no place
 * for (server tool results) are skipped. {@code message_delta} only records the stop reason and the
 * cumulative usage; the finish is emitted at {@code message_stop}, so a stream cut between the two is
 * an error, not a finished answer. {@code ping} and unknown events are ignored, as Anthropic's
 * versioning policy asks.
 */
public final class AnthropicStreamDecoder implements StreamDecoder {
    private static final String DIALECT = "Anthropic";

    private enum State {
        /** Waiting for message_start. */
        START,
        /** Between blocks. */
        MESSAGE,
        /** Inside a block that is forwarded. */
        BLOCK,
        /** Inside a block that is skipped. */
        SKIPPED_BLOCK,
        DONE
    }

    private final ResponseContext context;
    private State state = State.START;
    private int blocks;
    private int upstreamIndex = -1;
    private Usage usage = Usage.ZERO;
    private StopReason stop = StopReason.END_TURN;
    private Optional<String> stopSequence = Optional.empty();

    public AnthropicStreamDecoder(ResponseContext context) {
        this.context = context;
    }

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        if (state == State.DONE) {
            return List.of();
        }
        Optional<ObjectNode> parsed = StreamSupport.object(event);
        if (parsed.isEmpty()) {
            return fail(StreamSupport.malformed(DIALECT, "an event is not a JSON object"));
        }
        ObjectNode e = parsed.get();
        String type = StreamSupport.optText(e, "type").orElse(event.event());
        List<StreamEvent> out = new ArrayList<>(3);
        switch (type) {
            case "message_start" -> messageStart(e.path("message"), out);
            case "content_block_start" -> blockStart(e, out);
            case "content_block_delta" -> blockDelta(e, out);
            case "content_block_stop" -> blockStop(e, out);
            case "message_delta" -> messageDelta(e);
            case "message_stop" -> messageStop(out);
            case "error" -> {
                return fail(new StreamEvent.Error(StreamSupport.upstreamError(e.path("error"))));
            }
            default -> { }
        }
        return out;
    }

    @Override
    public List<StreamEvent> finish() {
        return switch (state) {
            case DONE -> List.of();
            case START, MESSAGE, BLOCK, SKIPPED_BLOCK -> fail(StreamSupport.cut(DIALECT, "message_stop"));
        };
    }

    private void messageStart(JsonNode m, List<StreamEvent> out) {
        if (state != State.START) {
            return;
        }
        usage = usage(m.path("usage"), Usage.ZERO);
        out.add(new StreamEvent.MessageStart(StreamSupport.optText(m, "id").orElse(context.fallbackId()),
                StreamSupport.text(m, "model"), context.created(), usage));
        state = State.MESSAGE;
    }

    private void blockStart(ObjectNode e, List<StreamEvent> out) {
        started(out);
        close(out);
        upstreamIndex = e.path("index").asInt(-1);
        JsonNode b = e.path("content_block");
        Optional<ContentBlock> initial = switch (StreamSupport.text(b, "type")) {
            case "text" -> Optional.of(ContentBlock.Text.of(StreamSupport.text(b, "text")));
            case "tool_use" -> Optional.of(ContentBlock.ToolCall.of(StreamSupport.text(b, "id"),
                    StreamSupport.text(b, "name"), ""));
            case "thinking" -> Optional.of(new ContentBlock.Thinking(StreamSupport.text(b, "thinking"),
                    StreamSupport.optText(b, "signature").filter(s -> !s.isEmpty())));
            case "redacted_thinking" -> Optional.of(new ContentBlock.RedactedThinking(StreamSupport.text(b, "data")));
            default -> Optional.empty();
        };
        if (initial.isEmpty()) {
            state = State.SKIPPED_BLOCK;
            return;
        }
        out.add(new StreamEvent.BlockStart(blocks, initial.get()));
        state = State.BLOCK;
    }

    private void blockDelta(ObjectNode e, List<StreamEvent> out) {
        if (state != State.BLOCK || e.path("index").asInt(-1) != upstreamIndex) {
            return;
        }
        JsonNode d = e.path("delta");
        switch (StreamSupport.text(d, "type")) {
            case "text_delta" -> addIfNotEmpty(new StreamEvent.TextDelta(blocks, StreamSupport.text(d, "text")), out);
            case "input_json_delta" -> addIfNotEmpty(
                    new StreamEvent.ToolArgumentsDelta(blocks, StreamSupport.text(d, "partial_json")), out);
            case "thinking_delta" -> addIfNotEmpty(
                    new StreamEvent.ThinkingDelta(blocks, StreamSupport.text(d, "thinking")), out);
            case "signature_delta" -> addIfNotEmpty(
                    new StreamEvent.SignatureDelta(blocks, StreamSupport.text(d, "signature")), out);
            default -> { }
        }
    }

    private static void addIfNotEmpty(StreamEvent event, List<StreamEvent> out) {
        boolean empty = switch (event) {
            case StreamEvent.TextDelta d -> d.text().isEmpty();
            case StreamEvent.ToolArgumentsDelta d -> d.fragment().isEmpty();
            case StreamEvent.ThinkingDelta d -> d.text().isEmpty();
            case StreamEvent.SignatureDelta d -> d.signature().isEmpty();
            default -> false;
        };
        if (!empty) {
            out.add(event);
        }
    }

    private void blockStop(ObjectNode e, List<StreamEvent> out) {
        if (e.path("index").asInt(-1) == upstreamIndex) {
            close(out);
        }
    }

    private void messageDelta(ObjectNode e) {
        JsonNode d = e.path("delta");
        StreamSupport.optText(d, "stop_reason").ifPresent(r -> stop = StopReason.fromAnthropic(r));
        stopSequence = StreamSupport.optText(d, "stop_sequence");
        usage = usage(e.path("usage"), usage);
    }

    private void messageStop(List<StreamEvent> out) {
        started(out);
        close(out);
        out.add(new StreamEvent.UsageUpdate(usage));
        out.add(new StreamEvent.Finish(stop, stop == StopReason.STOP_SEQUENCE ? stopSequence : Optional.empty()));
        out.add(new StreamEvent.MessageStop());
        state = State.DONE;
    }

    private void started(List<StreamEvent> out) {
        if (state == State.START) {
            out.add(new StreamEvent.MessageStart(context.fallbackId(), "", context.created(), Usage.ZERO));
            state = State.MESSAGE;
        }
    }

    private void close(List<StreamEvent> out) {
        switch (state) {
            case BLOCK -> out.add(new StreamEvent.BlockStop(blocks++));
            case START, MESSAGE, SKIPPED_BLOCK, DONE -> { }
        }
        if (state == State.BLOCK || state == State.SKIPPED_BLOCK) {
            state = State.MESSAGE;
        }
        upstreamIndex = -1;
    }

    /** Usage fields present in {@code u} replace those of {@code before} (the stream's counts are cumulative). */
    private static Usage usage(JsonNode u, Usage before) {
        if (!u.isObject()) {
            return before;
        }
        return Usage.fromAnthropic(field(u, "input_tokens", before.inputUncached()),
                field(u, "cache_read_input_tokens", before.cacheRead()),
                field(u, "cache_creation_input_tokens", before.cacheWrite()),
                field(u, "output_tokens", before.output()),
                field(u.path("output_tokens_details"), "thinking_tokens", before.reasoning()),
                field(u.path("cache_creation"), "ephemeral_1h_input_tokens", before.cacheWrite1h()));
    }

    private static long field(JsonNode node, String name, long fallback) {
        JsonNode v = node.get(name);
        return v != null && v.canConvertToLong() ? v.longValue() : fallback;
    }

    private List<StreamEvent> fail(StreamEvent.Error error) {
        state = State.DONE;
        return List.of(error);
    }
}
