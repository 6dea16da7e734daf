package dev.rosetta.dialect.openai;

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

/**
 * Neutral events to a Chat Completions stream: a first chunk with {@code role:"assistant"}, content
 * and tool-call chunks (tool-call {@code index} counts calls from 0; a call's first fragment has its
 * id, type and name), one {@code finish_reason} chunk, the usage chunk ({@code choices: []}) when the
 * client asked for it, then {@code data: [DONE]}. An error ends the stream with
 * {@code data: {"error":{...}}} and nothing after it. Redacted reasoning and media are dropped: Chat
 * Completions has no field for them. Reasoning text is dropped too, unless the client is shown it
 * ({@link ChatReasoning#REASONING_CONTENT}): then it streams as {@code delta.reasoning_content}, thinking
 * blocks after the first opened by a blank line as in the non-streamed answer.
 */
public final class ChatStreamEncoder implements StreamEncoder {

    private enum State {
        /** Nothing sent. */
        START,
        /** The role chunk is sent; content may follow. */
        STREAMING,
        /** The finish_reason chunk is sent; waiting for usage and the end. */
        FINISHED,
        DONE
    }

    private enum Open { NONE, TEXT, REFUSAL, TOOL, THINKING, DROPPED }

    private final boolean includeUsage;
    private final ChatReasoning shown;
    private boolean reasoningSent;
    /** The open thinking block follows another: its first text goes out after a blank line. */
    private boolean separate;
    private State state = State.START;
    private Open open = Open.NONE;
    private int openIndex = -1;
    private int toolCalls;
    private String id = "";
    private String model = "";
    private long created;
    private Usage usage = Usage.ZERO;
    private long dropped;

    /**
     * @param includeUsage the client asked {@code stream_options.include_usage}
     * @param shown whether reasoning streams as {@code reasoning_content}, or is dropped
     */
    public ChatStreamEncoder(boolean includeUsage, ChatReasoning shown) {
        this.includeUsage = includeUsage;
        this.shown = shown;
    }

    public ChatStreamEncoder(boolean includeUsage) {
        this(includeUsage, ChatReasoning.NONE);
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public List<byte[]> onEvent(StreamEvent event) {
        return switch (state) {
            case DONE -> List.of();
            case START, STREAMING, FINISHED -> {
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
            case START, STREAMING, FINISHED -> {
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
                    begin(m.id(), m.model(), m.created(), out);
                }
            }
            case StreamEvent.BlockStart b -> blockStart(b, out);
            case StreamEvent.TextDelta d -> {
                if (d.index() == openIndex && (open == Open.TEXT || open == Open.REFUSAL)) {
                    if (!d.text().isEmpty()) {
                        out.add(chunk(delta().put(open == Open.TEXT ? "content" : "refusal", d.text()), null));
                    }
                } else {
                    strayDelta(d.index());
                }
            }
            case StreamEvent.ToolArgumentsDelta d -> {
                if (d.index() == openIndex && open == Open.TOOL) {
                    if (!d.fragment().isEmpty()) {
                        ObjectNode delta = delta();
                        delta.putArray("tool_calls").addObject().put("index", toolCalls - 1)
                                .putObject("function").put("arguments", d.fragment());
                        out.add(chunk(delta, null));
                    }
                } else {
                    strayDelta(d.index());
                }
            }
            case StreamEvent.ThinkingDelta d -> {
                if (d.index() == openIndex && open == Open.THINKING) {
                    reasoning(d.text(), out);
                } else {
                    strayDelta(d.index());
                }
            }
            case StreamEvent.SignatureDelta d -> {
                // A signature is provider state, not reasoning to show: it travels sealed in the call id.
                if (d.index() != openIndex || open != Open.THINKING) {
                    strayDelta(d.index());
                }
            }
            case StreamEvent.BlockStop s -> {
                if (s.index() == openIndex) {
                    open = Open.NONE;
                    openIndex = -1;
                }
            }
            case StreamEvent.UsageUpdate u -> usage = u.usage();
            case StreamEvent.Finish f -> {
                if (state != State.FINISHED) {
                    finishChunk(f.stopReason(), out);
                }
            }
            case StreamEvent.MessageStop m -> {
                if (state != State.FINISHED) {
                    finishChunk(StopReason.END_TURN, out);
                }
                if (includeUsage) {
                    ObjectNode chunk = header();
                    chunk.putArray("choices");
                    chunk.set("usage", ChatResponses.usage(usage));
                    out.add(StreamSupport.sse(chunk));
                }
                out.add(StreamSupport.ascii("data: [DONE]\n\n"));
                state = State.DONE;
            }
            case StreamEvent.Error e -> error(e.error(), out);
        }
    }

    private void blockStart(StreamEvent.BlockStart b, List<byte[]> out) {
        if (state == State.START) {
            begin("", "", 0, out);
        }
        open = Open.NONE;
        openIndex = b.index();
        if (state == State.FINISHED) {
            // Content after the finish chunk cannot be placed in a Chat stream.
            open = Open.DROPPED;
            dropped++;
            return;
        }
        switch (b.initial()) {
            case ContentBlock.Text t -> {
                open = Open.TEXT;
                if (!t.text().isEmpty()) {
                    out.add(chunk(delta().put("content", t.text()), null));
                }
            }
            case ContentBlock.Refusal r -> {
                open = Open.REFUSAL;
                if (!r.text().isEmpty()) {
                    out.add(chunk(delta().put("refusal", r.text()), null));
                }
            }
            case ContentBlock.Thinking t when shown == ChatReasoning.REASONING_CONTENT -> {
                open = Open.THINKING;
                separate = reasoningSent;
                reasoning(t.text(), out);
            }
            case ContentBlock.ToolCall c -> {
                open = Open.TOOL;
                ObjectNode delta = delta();
                delta.putArray("tool_calls").addObject().put("index", toolCalls++).put("id", c.id())
                        .put("type", "function").putObject("function").put("name", c.name())
                        .put("arguments", c.arguments());
                out.add(chunk(delta, null));
            }
            default -> {
                open = Open.DROPPED;
                dropped++;
            }
        }
    }

    private void reasoning(String text, List<byte[]> out) {
        if (!text.isEmpty()) {
            out.add(chunk(delta().put("reasoning_content", separate ? ChatResponses.BETWEEN_THOUGHTS + text : text), null));
            reasoningSent = true;
            separate = false;
        }
    }

    /** A delta that does not belong to the open, carried block: part of a dropped block, or stray. */
    private void strayDelta(int index) {
        if (index != openIndex || open != Open.DROPPED) {
            dropped++;
        }
    }

    private void begin(String id, String model, long created, List<byte[]> out) {
        this.id = id;
        this.model = model;
        this.created = created;
        out.add(chunk(delta().put("role", "assistant").put("content", ""), null));
        state = State.STREAMING;
    }

    private void finishChunk(StopReason reason, List<byte[]> out) {
        if (state == State.START) {
            begin("", "", 0, out);
        }
        StopReason stop = toolCalls > 0 && reason.overridableByToolCalls() ? StopReason.TOOL_USE : reason;
        out.add(chunk(delta(), stop.openAi()));
        open = Open.NONE;
        openIndex = -1;
        state = State.FINISHED;
    }

    private void error(GatewayError error, List<byte[]> out) {
        ObjectNode body = JsonTrees.object();
        ObjectNode e = body.putObject("error").put("message", error.message()).put("type", error.kind().openAiType());
        if (error.param().isPresent()) {
            e.put("param", error.param().get());
        } else {
            e.putNull("param");
        }
        if (error.code().isPresent()) {
            e.put("code", error.code().get());
        } else {
            e.putNull("code");
        }
        out.add(StreamSupport.sse(body));
        state = State.DONE;
    }

    private static ObjectNode delta() {
        return JsonTrees.object();
    }

    private ObjectNode header() {
        return JsonTrees.object().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
    }

    private byte[] chunk(ObjectNode delta, String finishReason) {
        ObjectNode chunk = header();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return StreamSupport.sse(chunk);
    }
}
