package dev.rosetta.dialect.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.internal.StreamSupport;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Responses API events to neutral events.
 *
 * <p>Implementation notes: a block is keyed by what addresses it upstream: a message's content part
 * ({@code output_index}, {@code content_index}), a reasoning summary part ({@code output_index},
 * {@code summary_index}) or a function call item ({@code output_index}). Blocks open on the
 * {@code *.added} event or on the first delta, whichever comes first, and close on the matching
 * {@code *.done} or when another block opens. Usage and the outcome come only with the terminal
 * {@code response.completed} / {@code response.incomplete}; {@code response.failed} and {@code error}
 * are errors; a stream without any of them was cut. A reasoning item's {@code encrypted_content}
 * comes with its {@code output_item.done}, which then adds one complete encrypted-reasoning block.
 */
public final class ResponsesStreamDecoder implements StreamDecoder {
    private static final String DIALECT = "Responses";

    private enum State {
        /** Waiting for response.created. */
        START,
        /** Between blocks. */
        RESPONSE,
        /** Inside the block keyed {@code openKey}. */
        BLOCK,
        DONE
    }

    private final ResponseContext context;
    private State state = State.START;
    private String openKey = "";
    private int blocks;
    private boolean toolCalls;
    private boolean argumentsSent;

    public ResponsesStreamDecoder(ResponseContext context) {
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
        String output = String.valueOf(e.path("output_index").asInt(-1));
        switch (type) {
            case "response.created" -> started(e.path("response"), out);
            case "response.output_item.added" -> {
                JsonNode item = e.path("item");
                if ("function_call".equals(StreamSupport.text(item, "type"))) {
                    open("call:" + output, ContentBlock.ToolCall.of(StreamSupport.text(item, "call_id"),
                            StreamSupport.text(item, "name"), ""), out);
                    toolCalls = true;
                    argumentsSent = false;
                    String args = StreamSupport.text(item, "arguments");
                    if (!args.isEmpty()) {
                        out.add(new StreamEvent.ToolArgumentsDelta(blocks, args));
                        argumentsSent = true;
                    }
                }
            }
            case "response.content_part.added" -> {
                JsonNode part = e.path("part");
                String key = "part:" + output + ":" + e.path("content_index").asInt();
                switch (StreamSupport.text(part, "type")) {
                    case "output_text" -> open(key, ContentBlock.Text.of(StreamSupport.text(part, "text")), out);
                    case "refusal" -> open(key, new ContentBlock.Refusal(StreamSupport.text(part, "refusal")), out);
                    case "reasoning_text" -> open(key, new ContentBlock.Thinking("", Optional.empty()), out);
                    default -> { }
                }
            }
            case "response.output_text.delta", "response.refusal.delta" -> {
                String key = "part:" + output + ":" + e.path("content_index").asInt();
                if (!openKey.equals(key)) {
                    open(key, type.endsWith("refusal.delta") ? new ContentBlock.Refusal("") : ContentBlock.Text.of(""),
                            out);
                }
                String delta = StreamSupport.text(e, "delta");
                if (!delta.isEmpty()) {
                    out.add(new StreamEvent.TextDelta(blocks, delta));
                }
            }
            case "response.reasoning_summary_part.added" ->
                    open("summary:" + output + ":" + e.path("summary_index").asInt(),
                            new ContentBlock.Thinking("", Optional.empty()), out);
            case "response.reasoning_summary_text.delta", "response.reasoning_text.delta" -> {
                String key = type.contains("summary")
                        ? "summary:" + output + ":" + e.path("summary_index").asInt()
                        : "part:" + output + ":" + e.path("content_index").asInt();
                if (!openKey.equals(key)) {
                    open(key, new ContentBlock.Thinking("", Optional.empty()), out);
                }
                String delta = StreamSupport.text(e, "delta");
                if (!delta.isEmpty()) {
                    out.add(new StreamEvent.ThinkingDelta(blocks, delta));
                }
            }
            case "response.function_call_arguments.delta" -> {
                String delta = StreamSupport.text(e, "delta");
                if (openKey.equals("call:" + output) && !delta.isEmpty()) {
                    out.add(new StreamEvent.ToolArgumentsDelta(blocks, delta));
                    argumentsSent = true;
                }
            }
            case "response.function_call_arguments.done" -> {
                // A server that streams no deltas still reports the whole arguments here.
                String args = StreamSupport.text(e, "arguments");
                if (openKey.equals("call:" + output) && !argumentsSent && !args.isEmpty()) {
                    out.add(new StreamEvent.ToolArgumentsDelta(blocks, args));
                    argumentsSent = true;
                }
            }
            case "response.content_part.done" -> closeIf("part:" + output + ":" + e.path("content_index").asInt(), out);
            case "response.reasoning_summary_part.done" ->
                    closeIf("summary:" + output + ":" + e.path("summary_index").asInt(), out);
            case "response.output_item.done" -> {
                if (openKey.equals("call:" + output) || openKey.startsWith("part:" + output + ":")
                        || openKey.startsWith("summary:" + output + ":")) {
                    close(out);
                }
                encryptedReasoning(e.path("item"), output, out);
            }
            case "response.completed", "response.incomplete" -> completed(e.path("response"), out);
            case "response.failed" -> {
                JsonNode error = e.path("response").path("error");
                return fail(new StreamEvent.Error(error.isObject() ? StreamSupport.upstreamError(error)
                        : GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream response failed")));
            }
            case "error" -> {
                JsonNode error = e.has("error") && e.get("error").isObject() ? e.get("error") : e;
                return fail(new StreamEvent.Error(StreamSupport.upstreamError(error)));
            }
            default -> { }
        }
        return out;
    }

    @Override
    public List<StreamEvent> finish() {
        return switch (state) {
            case DONE -> List.of();
            case START, RESPONSE, BLOCK -> fail(StreamSupport.cut(DIALECT, "response.completed"));
        };
    }

    private void started(JsonNode response, List<StreamEvent> out) {
        if (state == State.START) {
            out.add(new StreamEvent.MessageStart(StreamSupport.optText(response, "id").orElse(context.fallbackId()),
                    StreamSupport.text(response, "model"), response.path("created_at").canConvertToLong()
                    ? response.path("created_at").longValue() : context.created(), Usage.ZERO));
            state = State.RESPONSE;
        }
    }

    /** A finished reasoning item with encrypted content becomes one complete block after its summary. */
    private void encryptedReasoning(JsonNode item, String output, List<StreamEvent> out) {
        Optional<String> encrypted = StreamSupport.optText(item, "encrypted_content");
        if (!"reasoning".equals(StreamSupport.text(item, "type")) || encrypted.isEmpty()) {
            return;
        }
        List<String> summary = new ArrayList<>();
        item.path("summary").forEach(s -> summary.add(StreamSupport.text(s, "text")));
        open("reasoning:" + output, new ContentBlock.EncryptedReasoning(StreamSupport.text(item, "id"),
                encrypted.get(), summary), out);
        close(out);
    }

    private void open(String key, ContentBlock initial, List<StreamEvent> out) {
        started(MissingNode.getInstance(), out);
        close(out);
        out.add(new StreamEvent.BlockStart(blocks, initial));
        openKey = key;
        state = State.BLOCK;
    }

    private void closeIf(String key, List<StreamEvent> out) {
        if (openKey.equals(key)) {
            close(out);
        }
    }

    private void close(List<StreamEvent> out) {
        switch (state) {
            case BLOCK -> {
                out.add(new StreamEvent.BlockStop(blocks++));
                state = State.RESPONSE;
            }
            case START, RESPONSE, DONE -> { }
        }
        openKey = "";
    }

    private void completed(JsonNode response, List<StreamEvent> out) {
        started(response, out);
        close(out);
        JsonNode u = response.path("usage");
        if (u.isObject()) {
            out.add(new StreamEvent.UsageUpdate(Usage.fromOpenAi(StreamSupport.number(u, "input_tokens"),
                    StreamSupport.number(u.path("input_tokens_details"), "cached_tokens"), 0,
                    StreamSupport.number(u, "output_tokens"),
                    StreamSupport.number(u.path("output_tokens_details"), "reasoning_tokens"))));
        }
        StopReason stop = StopReason.fromResponses(StreamSupport.optText(response, "status").orElse("completed"),
                StreamSupport.optText(response.path("incomplete_details"), "reason"));
        if (toolCalls && stop == StopReason.END_TURN) {
            stop = StopReason.TOOL_USE;
        }
        out.add(new StreamEvent.Finish(stop, Optional.empty()));
        out.add(new StreamEvent.MessageStop());
        state = State.DONE;
    }

    private List<StreamEvent> fail(StreamEvent.Error error) {
        state = State.DONE;
        return List.of(error);
    }
}
