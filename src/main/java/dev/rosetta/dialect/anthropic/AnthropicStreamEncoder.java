package dev.rosetta.dialect.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.dialect.internal.StreamSupport;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Neutral events to an Anthropic Messages stream: {@code message_start} (with the upstream's exact input
 * usage, or the gateway's estimate of the prompt when the upstream has not said it yet), blocks numbered from 0 with one open at a time and every one stopped,
 * {@code message_delta} with the stop reason and usage, {@code message_stop}. The stop reason and
 * usage are held until the end, since usage may follow the finish; the final usage repeats the input
 * counts, so accumulators (which take them from {@code message_delta} when present) end with the
 * upstream's exact figures rather than the estimate. An error ends the stream with
 * {@code event: error} and no {@code message_stop}. Tool ids are sanitized as the non-streaming codec
 * does; reasoning from other providers is shown as a thinking block without signature.
 */
public final class AnthropicStreamEncoder implements StreamEncoder {

    private enum State {
        /** Nothing sent. */
        START,
        /** message_start sent, no block open. */
        MESSAGE,
        /** A block is open in the client stream. */
        BLOCK,
        /** The neutral block at {@code openIndex} is being dropped; no client block is open. */
        DROPPING,
        DONE
    }

    private enum Kind { TEXT, TOOL, THINKING, REDACTED }

    private State state = State.START;
    private Kind kind = Kind.TEXT;
    private int openIndex = -1;
    private int blocks;
    private boolean toolCalls;
    /** Until the upstream reports usage: the estimate, as uncached input. */
    private Usage usage;
    private Optional<StreamEvent.Finish> finish = Optional.empty();
    private long dropped;

    public AnthropicStreamEncoder() {
        this(0);
    }

    /** @param promptEstimate shown as the input tokens of {@code message_start} when the upstream gives none; 0 for none */
    public AnthropicStreamEncoder(long promptEstimate) {
        this.usage = new Usage(promptEstimate, 0, 0, 0, 0);
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public List<byte[]> onEvent(StreamEvent event) {
        return switch (state) {
            case DONE -> List.of();
            case START, MESSAGE, BLOCK, DROPPING -> {
                List<byte[]> out = new ArrayList<>(2);
                handle(event, out);
                yield out;
            }
        };
    }

    @Override
    public List<byte[]> finish() {
        return switch (state) {
            case DONE -> List.of();
            case START, MESSAGE, BLOCK, DROPPING -> {
                List<byte[]> out = new ArrayList<>(1);
                error(StreamSupport.unterminated(), out);
                yield out;
            }
        };
    }

    private void handle(StreamEvent event, List<byte[]> out) {
        switch (event) {
            case StreamEvent.MessageStart m -> {
                if (state == State.START) {
                    begin(m, out);
                }
            }
            case StreamEvent.BlockStart b -> blockStart(b, out);
            case StreamEvent.TextDelta d -> delta(d.index(), Kind.TEXT, "text_delta", "text", d.text(), out);
            case StreamEvent.ToolArgumentsDelta d ->
                    delta(d.index(), Kind.TOOL, "input_json_delta", "partial_json", d.fragment(), out);
            case StreamEvent.ThinkingDelta d ->
                    delta(d.index(), Kind.THINKING, "thinking_delta", "thinking", d.text(), out);
            case StreamEvent.SignatureDelta d ->
                    delta(d.index(), Kind.THINKING, "signature_delta", "signature", d.signature(), out);
            case StreamEvent.BlockStop s -> {
                if (s.index() == openIndex) {
                    close(out);
                }
            }
            case StreamEvent.UsageUpdate u -> usage = u.usage();
            case StreamEvent.Finish f -> {
                finish = Optional.of(f);
                close(out);
            }
            case StreamEvent.MessageStop m -> end(out);
            case StreamEvent.Error e -> error(e.error(), out);
        }
    }

    private void begin(StreamEvent.MessageStart m, List<byte[]> out) {
        if (m.usage().inputTotal() > 0) {
            usage = m.usage();
        }
        ObjectNode msg = JsonTrees.object().put("id", m.id()).put("type", "message").put("role", "assistant")
                .put("model", m.model());
        msg.putArray("content");
        msg.putNull("stop_reason");
        msg.putNull("stop_sequence");
        msg.set("usage", AnthropicResponses.usage(usage));
        ObjectNode e = JsonTrees.object().put("type", "message_start");
        e.set("message", msg);
        out.add(StreamSupport.sse("message_start", e));
        state = State.MESSAGE;
    }

    private void blockStart(StreamEvent.BlockStart b, List<byte[]> out) {
        if (state == State.START) {
            begin(new StreamEvent.MessageStart("", "", 0, Usage.ZERO), out);
        }
        close(out);
        openIndex = b.index();
        ObjectNode block = JsonTrees.object();
        String initialDelta = "";
        switch (b.initial()) {
            case ContentBlock.Text t -> {
                kind = Kind.TEXT;
                block.put("type", "text").put("text", "");
                initialDelta = t.text();
            }
            case ContentBlock.Refusal r -> {
                kind = Kind.TEXT;
                block.put("type", "text").put("text", "");
                initialDelta = r.text();
            }
            case ContentBlock.ToolCall c -> {
                kind = Kind.TOOL;
                toolCalls = true;
                block.put("type", "tool_use").put("id", AnthropicBlocks.toolId(c.id())).put("name", c.name());
                block.putObject("input");
                initialDelta = c.arguments();
            }
            case ContentBlock.Thinking t -> {
                kind = Kind.THINKING;
                block.put("type", "thinking").put("thinking", "").put("signature", "");
                initialDelta = t.text();
            }
            case ContentBlock.RedactedThinking r -> {
                kind = Kind.REDACTED;
                block.put("type", "redacted_thinking").put("data", r.data());
            }
            default -> {
                dropped++;
                state = State.DROPPING;
                return;
            }
        }
        ObjectNode e = JsonTrees.object().put("type", "content_block_start").put("index", blocks);
        e.set("content_block", block);
        out.add(StreamSupport.sse("content_block_start", e));
        state = State.BLOCK;
        if (!initialDelta.isEmpty()) {
            String[] names = deltaNames(kind);
            delta(openIndex, kind, names[0], names[1], initialDelta, out);
        }
        if (b.initial() instanceof ContentBlock.Thinking t && t.signature().isPresent()) {
            delta(openIndex, kind, "signature_delta", "signature", t.signature().get(), out);
        }
    }

    private static String[] deltaNames(Kind kind) {
        return switch (kind) {
            case TEXT -> new String[] {"text_delta", "text"};
            case TOOL -> new String[] {"input_json_delta", "partial_json"};
            case THINKING -> new String[] {"thinking_delta", "thinking"};
            case REDACTED -> new String[] {"", ""};
        };
    }

    private void delta(int index, Kind expected, String type, String field, String value, List<byte[]> out) {
        if (state != State.BLOCK || index != openIndex || kind != expected) {
            if (state != State.DROPPING || index != openIndex) {
                dropped++;
            }
            return;
        }
        if (value.isEmpty()) {
            return;
        }
        ObjectNode e = JsonTrees.object().put("type", "content_block_delta").put("index", blocks);
        e.putObject("delta").put("type", type).put(field, value);
        out.add(StreamSupport.sse("content_block_delta", e));
    }

    private void close(List<byte[]> out) {
        switch (state) {
            case BLOCK -> {
                out.add(StreamSupport.sse("content_block_stop",
                        JsonTrees.object().put("type", "content_block_stop").put("index", blocks++)));
                state = State.MESSAGE;
            }
            case DROPPING -> state = State.MESSAGE;
            case START, MESSAGE, DONE -> { }
        }
        openIndex = -1;
    }

    private void end(List<byte[]> out) {
        if (state == State.START) {
            begin(new StreamEvent.MessageStart("", "", 0, Usage.ZERO), out);
        }
        close(out);
        StopReason reason = finish.map(StreamEvent.Finish::stopReason).orElse(StopReason.END_TURN);
        StopReason stop = toolCalls && reason.overridableByToolCalls() ? StopReason.TOOL_USE : reason;
        ObjectNode e = JsonTrees.object().put("type", "message_delta");
        ObjectNode delta = e.putObject("delta").put("stop_reason", stop.anthropic());
        Optional<String> sequence = finish.flatMap(StreamEvent.Finish::stopSequence);
        if (stop == StopReason.STOP_SEQUENCE && sequence.isPresent()) {
            delta.put("stop_sequence", sequence.get());
        } else {
            delta.putNull("stop_sequence");
        }
        e.set("usage", AnthropicResponses.usage(usage));
        out.add(StreamSupport.sse("message_delta", e));
        out.add(StreamSupport.sse("message_stop", JsonTrees.object().put("type", "message_stop")));
        state = State.DONE;
    }

    private void error(GatewayError error, List<byte[]> out) {
        ObjectNode e = JsonTrees.object().put("type", "error");
        e.putObject("error").put("type", error.kind().anthropicType()).put("message", error.message());
        out.add(StreamSupport.sse("error", e));
        state = State.DONE;
    }
}
