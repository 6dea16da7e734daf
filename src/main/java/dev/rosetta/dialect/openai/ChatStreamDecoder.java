package dev.rosetta.dialect.openai;

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
 * Chat Completions chunks to neutral events.
 *
 * <p>Implementation notes: only choice 0 is read. Text, reasoning ({@code reasoning_content}, the
 * de-facto extension) and tool calls become sequential blocks; a tool-call fragment for a new
 * {@code index} (or for the same index with a new {@code id}, as some compatible servers send)
 * closes the open block and opens a call. The finish and usage are held until {@code [DONE]}, since
 * the usage chunk ({@code choices: []}) follows the finish chunk. A stream that ends after a
 * {@code finish_reason} but without {@code [DONE]} still ends normally; one without either is cut.
 * Arguments for a call that was already closed (true interleaving, which OpenAI does not send) cannot
 * be placed in a sequential stream and end it with an error rather than corrupting a call.
 */
public final class ChatStreamDecoder implements StreamDecoder {
    private static final String DIALECT = "Chat Completions";

    private enum State {
        /** Nothing received yet. */
        START,
        /** Receiving content. */
        STREAMING,
        /** finish_reason seen; waiting for the usage chunk and [DONE]. */
        FINISHING,
        DONE
    }

    private enum Open { NONE, TEXT, REFUSAL, THINKING, TOOL }

    private final ResponseContext context;
    private State state = State.START;
    private Open open = Open.NONE;
    private int blocks;
    private int lastToolIndex = -1;
    private String lastToolId = "";
    private int toolCalls;
    private StopReason stop = StopReason.END_TURN;
    private Optional<Usage> usage = Optional.empty();

    public ChatStreamDecoder(ResponseContext context) {
        this.context = context;
    }

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        return switch (state) {
            case DONE -> List.of();
            case START, STREAMING, FINISHING -> {
                if (event.data().strip().equals("[DONE]")) {
                    yield end(new ArrayList<>());
                }
                Optional<ObjectNode> chunk = StreamSupport.object(event);
                if (chunk.isEmpty()) {
                    yield fail(StreamSupport.malformed(DIALECT, "an event is not a JSON object"));
                }
                yield chunk(chunk.get());
            }
        };
    }

    @Override
    public List<StreamEvent> finish() {
        return switch (state) {
            case DONE -> List.of();
            // Some compatible servers omit [DONE]; the finish_reason already said the answer is complete.
            case FINISHING -> end(new ArrayList<>());
            case START, STREAMING -> fail(StreamSupport.cut(DIALECT, "finish_reason or [DONE]"));
        };
    }

    private List<StreamEvent> chunk(ObjectNode c) {
        JsonNode error = c.get("error");
        if (error != null && error.isObject()) {
            return fail(new StreamEvent.Error(StreamSupport.upstreamError(error)));
        }
        JsonNode choices = c.get("choices");
        JsonNode u = c.get("usage");
        boolean hasChoices = choices != null && choices.isArray() && !choices.isEmpty();
        boolean hasUsage = u != null && u.isObject();
        if (state == State.START && !hasChoices && !hasUsage) {
            return List.of(); // Azure's prompt-filter chunk comes first, with an empty id and model
        }
        List<StreamEvent> out = new ArrayList<>();
        if (state == State.START) {
            out.add(new StreamEvent.MessageStart(StreamSupport.optText(c, "id").orElse(context.fallbackId()),
                    StreamSupport.text(c, "model"), c.path("created").canConvertToLong()
                    ? c.path("created").longValue() : context.created(), Usage.ZERO));
            state = State.STREAMING;
        }
        if (hasUsage) {
            usage = Optional.of(usage(u));
        }
        if (state == State.STREAMING && hasChoices) {
            choice(choices.get(0), StreamSupport.text(c, "id"), out);
        }
        return out;
    }

    /** The delta and finish of choice 0. */
    private void choice(JsonNode choice, String chunkId, List<StreamEvent> out) {
        JsonNode delta = choice.path("delta");
        String reasoning = StreamSupport.optText(delta, "reasoning_content")
                .orElse(StreamSupport.text(delta, "reasoning"));
        if (!reasoning.isEmpty()) {
            int i = openBlock(Open.THINKING, new ContentBlock.Thinking("", Optional.empty()), out);
            out.add(new StreamEvent.ThinkingDelta(i, reasoning));
        }
        String text = StreamSupport.text(delta, "content");
        if (!text.isEmpty()) {
            int i = openBlock(Open.TEXT, ContentBlock.Text.of(""), out);
            out.add(new StreamEvent.TextDelta(i, text));
        }
        String refusal = StreamSupport.text(delta, "refusal");
        if (!refusal.isEmpty()) {
            int i = openBlock(Open.REFUSAL, new ContentBlock.Refusal(""), out);
            out.add(new StreamEvent.TextDelta(i, refusal));
        }
        JsonNode calls = delta.get("tool_calls");
        if (calls != null && calls.isArray()) {
            for (JsonNode call : calls) {
                if (!toolFragment(call, chunkId, out)) {
                    out.add(StreamSupport.malformed(DIALECT, "arguments for tool call "
                            + call.path("index").asInt() + " arrived after a later block began"));
                    state = State.DONE;
                    return;
                }
            }
        }
        Optional<String> finish = StreamSupport.optText(choice, "finish_reason");
        if (finish.isPresent()) {
            stop = StopReason.fromOpenAi(finish.get());
            close(out);
            state = State.FINISHING;
        }
    }

    /** Handles one tool_calls entry; false when it continues a call that is already closed. */
    private boolean toolFragment(JsonNode call, String chunkId, List<StreamEvent> out) {
        int index = call.path("index").canConvertToInt() ? call.path("index").intValue() : Math.max(0, lastToolIndex);
        String id = StreamSupport.text(call, "id");
        JsonNode fn = call.path("function");
        String args = StreamSupport.text(fn, "arguments");
        boolean newCall = index > lastToolIndex || (!id.isEmpty() && !id.equals(lastToolId));
        if (newCall) {
            close(out);
            lastToolIndex = Math.max(index, lastToolIndex);
            lastToolId = id.isEmpty() ? "call_" + chunkId + "_" + toolCalls : id;
            toolCalls++;
            out.add(new StreamEvent.BlockStart(blocks, ContentBlock.ToolCall.of(lastToolId,
                    StreamSupport.text(fn, "name"), "")));
            open = Open.TOOL;
        } else if (open != Open.TOOL || index != lastToolIndex) {
            return args.isEmpty();
        }
        if (!args.isEmpty()) {
            out.add(new StreamEvent.ToolArgumentsDelta(blocks, args));
        }
        return true;
    }

    /** The index of an open block of {@code kind}, opening one (and closing another) if needed. */
    private int openBlock(Open kind, ContentBlock initial, List<StreamEvent> out) {
        if (open != kind) {
            close(out);
            out.add(new StreamEvent.BlockStart(blocks, initial));
            open = kind;
        }
        return blocks;
    }

    private void close(List<StreamEvent> out) {
        if (open != Open.NONE) {
            out.add(new StreamEvent.BlockStop(blocks++));
            open = Open.NONE;
        }
    }

    private List<StreamEvent> end(List<StreamEvent> out) {
        if (state == State.START) {
            out.add(new StreamEvent.MessageStart(context.fallbackId(), "", context.created(), Usage.ZERO));
        }
        close(out);
        usage.ifPresent(u -> out.add(new StreamEvent.UsageUpdate(u)));
        StopReason reason = toolCalls > 0 && stop.overridableByToolCalls() ? StopReason.TOOL_USE : stop;
        out.add(new StreamEvent.Finish(reason, Optional.empty()));
        out.add(new StreamEvent.MessageStop());
        state = State.DONE;
        return out;
    }

    private List<StreamEvent> fail(StreamEvent.Error error) {
        state = State.DONE;
        return List.of(error);
    }

    static Usage usage(JsonNode u) {
        JsonNode prompt = u.path("prompt_tokens_details");
        JsonNode completion = u.path("completion_tokens_details");
        return Usage.fromOpenAi(StreamSupport.number(u, "prompt_tokens"), StreamSupport.number(prompt, "cached_tokens"),
                StreamSupport.number(prompt, "cache_write_tokens"), StreamSupport.number(u, "completion_tokens"),
                StreamSupport.number(completion, "reasoning_tokens"));
    }
}
