package dev.rosetta.dialect.gemini;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.dialect.internal.StreamSupport;
import dev.rosetta.dialect.internal.ToolArgs;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Neutral events to a Gemini stream: one {@code GenerateContentResponse} chunk per text or thought
 * delta, a tool call as one whole {@code functionCall} part once its block stops (Gemini clients
 * never see partial arguments), and a last chunk with {@code finishReason} and the full
 * {@code usageMetadata}. As in Gemini's own streams, every chunk before the last carries the prompt
 * count ({@code promptTokenCount}, {@code totalTokenCount} the same): the upstream's exact figure when
 * its first event had one, else the gateway's estimate of the request. Framed as SSE ({@code alt=sse}) or, for clients that did not ask for it, as
 * the elements of one JSON array ({@code [}, {@code ,\r\n}, {@code ]}). An error ends the stream with
 * an {@code {"error":{code,message,status}}} element.
 *
 * <p>Implementation notes: the arguments of the one open call are the only thing buffered.
 * Anthropic thinking signatures are dropped (they are not Gemini thought signatures); a call's own
 * {@code thoughtSignature} is kept on its part. State Rosetta sealed for the client (a thinking block
 * whose signature {@link OpaqueState#isCarrier}) rides on the {@code thoughtSignature} of the next text
 * part, or of the last chunk's empty text part.
 */
public final class GeminiStreamEncoder implements StreamEncoder {

    private enum State {
        /** Nothing sent. */
        START,
        /** Chunks may follow; no call is being buffered. */
        STREAMING,
        /** Buffering the arguments of the call whose block is open. */
        CALL,
        DONE
    }

    private enum Open { NONE, TEXT, THINKING, DROPPED }

    private final boolean jsonArray;
    private State state = State.START;
    private Open open = Open.NONE;
    private int openIndex = -1;
    private boolean framed;
    private String id = "";
    private String model = "";
    private ContentBlock.ToolCall call = ContentBlock.ToolCall.of("", "", "");
    private final StringBuilder arguments = new StringBuilder();
    /** Until the upstream reports usage: the estimate, as uncached input. */
    private Usage usage;
    private StopReason stop = StopReason.END_TURN;
    private long dropped;
    /** Sealed state waiting for a text part to ride on; empty when none. */
    private String carried = "";
    private ObjectNode promptUsage = JsonTrees.object();
    /** The usage {@link #promptUsage} was built from. */
    private Usage promptUsageOf = Usage.ZERO;

    /** @param jsonArray frame the stream as one JSON array instead of SSE (the client did not ask {@code alt=sse}) */
    public GeminiStreamEncoder(boolean jsonArray) {
        this(jsonArray, 0);
    }

    /**
     * @param jsonArray frame the stream as one JSON array instead of SSE (the client did not ask {@code alt=sse})
     * @param promptEstimate the prompt count shown when the upstream gives none at its start; 0 for none
     */
    public GeminiStreamEncoder(boolean jsonArray, long promptEstimate) {
        this.jsonArray = jsonArray;
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
            case START, STREAMING, CALL -> {
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
            case START, STREAMING, CALL -> {
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
                    id = m.id();
                    model = m.model();
                    if (m.usage().inputTotal() > 0) {
                        usage = m.usage();
                    }
                    state = State.STREAMING;
                }
            }
            case StreamEvent.BlockStart b -> blockStart(b, out);
            case StreamEvent.TextDelta d -> {
                if (state == State.STREAMING && open == Open.TEXT && d.index() == openIndex) {
                    text(d.text(), false, out);
                } else {
                    stray(d.index());
                }
            }
            case StreamEvent.ThinkingDelta d -> {
                if (state == State.STREAMING && open == Open.THINKING && d.index() == openIndex) {
                    text(d.text(), true, out);
                } else {
                    stray(d.index());
                }
            }
            case StreamEvent.ToolArgumentsDelta d -> {
                if (state == State.CALL && d.index() == openIndex) {
                    arguments.append(d.fragment());
                } else {
                    stray(d.index());
                }
            }
            case StreamEvent.SignatureDelta d -> dropped++;
            case StreamEvent.BlockStop s -> {
                if (s.index() == openIndex) {
                    close(out);
                }
            }
            case StreamEvent.UsageUpdate u -> usage = u.usage();
            case StreamEvent.Finish f -> {
                stop = f.stopReason();
                close(out);
            }
            case StreamEvent.MessageStop m -> end(out);
            case StreamEvent.Error e -> error(e.error(), out);
        }
    }

    private void blockStart(StreamEvent.BlockStart b, List<byte[]> out) {
        close(out);
        state = State.STREAMING;
        openIndex = b.index();
        switch (b.initial()) {
            case ContentBlock.Text t -> {
                open = Open.TEXT;
                text(t.text(), false, out);
            }
            case ContentBlock.Refusal r -> {
                open = Open.TEXT;
                text(r.text(), false, out);
            }
            case ContentBlock.Thinking t when t.signature().filter(OpaqueState::isCarrier).isPresent() -> {
                // Sealed state of the answer: on the signature of the next text part, or of the last chunk's.
                carried = t.signature().get();
                open = Open.DROPPED;
            }
            case ContentBlock.Thinking t -> {
                open = Open.THINKING;
                text(t.text(), true, out);
            }
            case ContentBlock.ToolCall c -> {
                call = c;
                arguments.setLength(0);
                arguments.append(c.arguments());
                state = State.CALL;
            }
            default -> {
                open = Open.DROPPED;
                dropped++;
            }
        }
    }

    private void stray(int index) {
        if (index != openIndex || open != Open.DROPPED) {
            dropped++;
        }
    }

    private void text(String text, boolean thought, List<byte[]> out) {
        if (text.isEmpty()) {
            return;
        }
        ObjectNode part = JsonTrees.object().put("text", text);
        if (thought) {
            part.put("thought", true);
        } else if (!carried.isEmpty()) {
            part.put("thoughtSignature", carried);
            carried = "";
        }
        out.add(frame(chunk(part)));
    }

    private void close(List<byte[]> out) {
        if (state == State.CALL) {
            ObjectNode part = JsonTrees.object();
            ObjectNode fc = part.putObject("functionCall").put("id", call.id()).put("name", call.name());
            fc.set("args", ToolArgs.toObject(arguments.toString()));
            call.thoughtSignature().ifPresent(s -> part.put("thoughtSignature", s));
            out.add(frame(chunk(part)));
            arguments.setLength(0);
            state = State.STREAMING;
        }
        open = Open.NONE;
        openIndex = -1;
    }

    private void end(List<byte[]> out) {
        close(out);
        ObjectNode chunk = JsonTrees.object();
        ObjectNode cand = chunk.putArray("candidates").addObject();
        ObjectNode content = cand.putObject("content").put("role", "model");
        ObjectNode last = content.putArray("parts").addObject().put("text", "");
        if (!carried.isEmpty()) {
            last.put("thoughtSignature", carried);
        }
        cand.put("finishReason", stop.gemini());
        cand.put("index", 0);
        ObjectNode u = chunk.putObject("usageMetadata");
        u.put("promptTokenCount", usage.geminiPromptTokens());
        u.put("candidatesTokenCount", usage.geminiCandidatesTokens());
        if (usage.reasoning() > 0) {
            u.put("thoughtsTokenCount", usage.reasoning());
        }
        if (usage.cacheRead() > 0) {
            u.put("cachedContentTokenCount", usage.cacheRead());
        }
        u.put("totalTokenCount", usage.total());
        chunk.put("modelVersion", model).put("responseId", id);
        out.add(frame(chunk));
        closeArray(out);
        state = State.DONE;
    }

    private void error(GatewayError error, List<byte[]> out) {
        ObjectNode body = JsonTrees.object();
        // 529 is Anthropic's own; Google clients know overload as 503 UNAVAILABLE.
        int code = error.kind() == ErrorKind.OVERLOADED ? 503 : error.status();
        body.putObject("error").put("code", code).put("message", error.message())
                .put("status", error.kind().geminiStatus());
        out.add(frame(body));
        closeArray(out);
        state = State.DONE;
    }

    private ObjectNode chunk(ObjectNode part) {
        ObjectNode chunk = JsonTrees.object();
        ObjectNode cand = chunk.putArray("candidates").addObject();
        ArrayNode parts = cand.putObject("content").put("role", "model").putArray("parts");
        parts.add(part);
        cand.put("index", 0);
        if (usage.geminiPromptTokens() > 0) {
            chunk.set("usageMetadata", promptUsage());
        }
        chunk.put("modelVersion", model).put("responseId", id);
        return chunk;
    }

    /** The usage of a chunk before the last: built once per usage figure, shared by the chunks (only read). */
    private ObjectNode promptUsage() {
        if (promptUsageOf != usage) {
            long prompt = usage.geminiPromptTokens();
            promptUsage = JsonTrees.object().put("promptTokenCount", prompt);
            if (usage.cacheRead() > 0) {
                promptUsage.put("cachedContentTokenCount", usage.cacheRead());
            }
            promptUsage.put("totalTokenCount", prompt);
            promptUsageOf = usage;
        }
        return promptUsage;
    }

    private byte[] frame(ObjectNode json) {
        if (!jsonArray) {
            return StreamSupport.sse(json);
        }
        String prefix = framed ? ",\r\n" : "[";
        framed = true;
        return StreamSupport.ascii(prefix + JsonTrees.writeString(json));
    }

    private void closeArray(List<byte[]> out) {
        if (jsonArray) {
            out.add(StreamSupport.ascii(framed ? "]" : "[]"));
        }
    }
}
