package dev.rosetta.dialect.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.internal.JsonTrees;
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
 * Gemini {@code streamGenerateContent?alt=sse} chunks to neutral events.
 *
 * <p>Implementation notes: only candidate 0 is read. Text and thought parts extend an open block of
 * their kind; a {@code functionCall} part arrives whole and becomes a block opened, filled and closed
 * at once, with the id the non-streaming codec would synthesize when it has none (same turn index,
 * same call ordinal). Gemini's stream has no end marker: the finish is held until end of input,
 * because {@code usageMetadata} (cumulative, the last one wins) may still change on a later chunk,
 * and a stream that ends without any {@code finishReason} (or prompt block) was cut.
 */
public final class GeminiStreamDecoder implements StreamDecoder {
    private static final String DIALECT = "Gemini";

    private enum State {
        /** No chunk yet. */
        START,
        /** Receiving parts. */
        STREAMING,
        /** A finishReason (or a blocked prompt) was seen; only usage may still change. */
        FINISHING,
        DONE
    }

    private enum Open { NONE, TEXT, THINKING }

    private final ResponseContext context;
    private State state = State.START;
    private Open open = Open.NONE;
    private int blocks;
    private int calls;
    private StopReason stop = StopReason.END_TURN;
    private Optional<Usage> usage = Optional.empty();

    public GeminiStreamDecoder(ResponseContext context) {
        this.context = context;
    }

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        return switch (state) {
            case DONE -> List.of();
            case START, STREAMING, FINISHING -> {
                JsonNode parsed = JsonTrees.tryParse(event.data()).orElse(null);
                if (parsed != null && parsed.isArray() && parsed.size() == 1) {
                    parsed = parsed.get(0); // some proxies wrap chunks (errors above all) in an array
                }
                if (!(parsed instanceof ObjectNode chunk)) {
                    yield fail(StreamSupport.malformed(DIALECT, "an event is not a JSON object"));
                }
                yield chunk(chunk);
            }
        };
    }

    @Override
    public List<StreamEvent> finish() {
        return switch (state) {
            case DONE -> List.of();
            case FINISHING -> {
                List<StreamEvent> out = new ArrayList<>(4);
                close(out);
                usage.ifPresent(u -> out.add(new StreamEvent.UsageUpdate(u)));
                out.add(new StreamEvent.Finish(calls > 0 && stop == StopReason.END_TURN ? StopReason.TOOL_USE : stop,
                        Optional.empty()));
                out.add(new StreamEvent.MessageStop());
                state = State.DONE;
                yield out;
            }
            case START, STREAMING -> fail(StreamSupport.cut(DIALECT, "a finishReason"));
        };
    }

    private List<StreamEvent> chunk(ObjectNode c) {
        JsonNode error = c.get("error");
        if (error != null && error.isObject()) {
            return fail(new StreamEvent.Error(StreamSupport.upstreamError(error)));
        }
        List<StreamEvent> out = new ArrayList<>();
        JsonNode u = c.get("usageMetadata");
        if (u != null && u.isObject()) {
            usage = Optional.of(Usage.fromGemini(StreamSupport.number(u, "promptTokenCount"),
                    StreamSupport.number(u, "toolUsePromptTokenCount"), StreamSupport.number(u, "cachedContentTokenCount"),
                    StreamSupport.number(u, "candidatesTokenCount"), StreamSupport.number(u, "thoughtsTokenCount")));
        }
        if (state == State.START) {
            out.add(new StreamEvent.MessageStart(StreamSupport.optText(c, "responseId").orElse(context.fallbackId()),
                    StreamSupport.text(c, "modelVersion"), context.created(), usage.map(GeminiStreamDecoder::inputOnly)
                    .orElse(Usage.ZERO)));
            state = State.STREAMING;
        }
        JsonNode candidates = c.get("candidates");
        if (candidates == null || !candidates.isArray() || candidates.isEmpty()) {
            if (c.path("promptFeedback").has("blockReason")) {
                stop = StopReason.CONTENT_FILTER;
                state = State.FINISHING;
            }
            return out;
        }
        JsonNode cand = candidates.get(0);
        if (state == State.STREAMING) {
            for (JsonNode part : cand.path("content").path("parts")) {
                part(part, out);
            }
        }
        Optional<String> finish = StreamSupport.optText(cand, "finishReason");
        if (finish.isPresent() && state == State.STREAMING) {
            stop = StopReason.fromGemini(finish.get());
            close(out);
            state = State.FINISHING;
        }
        return out;
    }

    private void part(JsonNode p, List<StreamEvent> out) {
        JsonNode call = p.get("functionCall");
        if (call != null && call.isObject()) {
            close(out);
            String name = StreamSupport.text(call, "name");
            String id = StreamSupport.optText(call, "id").filter(s -> !s.isEmpty())
                    .orElseGet(() -> GeminiIds.synthesize(context.turnIndex(), calls, name));
            calls++;
            JsonNode args = call.get("args");
            String json = args != null && args.isObject() ? JsonTrees.writeString(args) : "{}";
            out.add(new StreamEvent.BlockStart(blocks, new ContentBlock.ToolCall(id, name, "",
                    StreamSupport.optText(p, "thoughtSignature"), Optional.empty())));
            out.add(new StreamEvent.ToolArgumentsDelta(blocks, json));
            out.add(new StreamEvent.BlockStop(blocks++));
            return;
        }
        Optional<String> text = StreamSupport.optText(p, "text");
        if (text.isEmpty() || text.get().isEmpty()) {
            return; // other part kinds, or Gemini 3's empty part that only carries a signature
        }
        boolean thought = p.path("thought").asBoolean(false);
        Open kind = thought ? Open.THINKING : Open.TEXT;
        if (open != kind) {
            close(out);
            out.add(new StreamEvent.BlockStart(blocks, thought
                    ? new ContentBlock.Thinking("", Optional.empty()) : ContentBlock.Text.of("")));
            open = kind;
        }
        out.add(thought ? new StreamEvent.ThinkingDelta(blocks, text.get()) : new StreamEvent.TextDelta(blocks, text.get()));
    }

    /** What is known at the start: the prompt, not yet the output. */
    private static Usage inputOnly(Usage u) {
        return new Usage(u.inputUncached(), u.cacheRead(), u.cacheWrite(), 0, 0);
    }

    private void close(List<StreamEvent> out) {
        if (open != Open.NONE) {
            out.add(new StreamEvent.BlockStop(blocks++));
            open = Open.NONE;
        }
    }

    private List<StreamEvent> fail(StreamEvent.Error error) {
        state = State.DONE;
        return List.of(error);
    }
}
