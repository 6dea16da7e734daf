package dev.rosetta.dialect.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.ErrorRenderer;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.dialect.internal.StreamSupport;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Neutral events to a Responses API stream: {@code response.created}, {@code response.in_progress},
 * then per output item its {@code added}, part and delta events and {@code done} events, and
 * {@code response.completed} (or {@code response.incomplete}) with the whole response and usage;
 * {@code sequence_number} counts every event from 0. Consecutive text blocks share one message item
 * (one content part each); reasoning becomes a reasoning item with one summary part. An error ends
 * the stream with an {@code error} event ({@link ErrorRenderer#responsesErrorEvent}, which says why
 * not {@code response.failed}).
 *
 * <p>Implementation notes: unlike the other encoders this one keeps the answer so far, because the
 * protocol repeats it: each {@code *.done} event carries its whole text or arguments, and the
 * terminal event the whole response, which the SDKs' accumulators return as the final answer. Item
 * ids are derived from the response id as in the non-streaming codec.
 */
public final class ResponsesStreamEncoder implements StreamEncoder {

    private enum State {
        /** Nothing sent. */
        START,
        /** No output item open. */
        RESPONSE,
        /** A message item is open, none of its content parts. */
        MESSAGE,
        /** A content part of the open message item is open. */
        PART,
        /** A function call item is open. */
        CALL,
        /** A reasoning item (and its summary part) is open. */
        REASONING,
        DONE
    }

    private State state = State.START;
    private int sequence;
    private String id = "";
    private String model = "";
    private long created;
    private final ArrayNode output = JsonTrees.array();
    private int openIndex = -1;
    private int droppedIndex = -1;
    /** The open item: its JSON as {@code output_item.done} will show it, and its text or arguments. */
    private ObjectNode item = JsonTrees.object();
    private final StringBuilder text = new StringBuilder();
    private boolean refusal;
    private int messages;
    private int reasonings;
    private Usage usage = Usage.ZERO;
    private StopReason stop = StopReason.END_TURN;
    private boolean finished;
    private long dropped;
    private final Map<String, Extensions.ToolForm> toolForms;
    /**
     * The open call is to a freeform tool: the provider streams JSON arguments around its raw input, so they
     * are held and the input is sent whole, unwrapped, when the call ends.
     */
    private boolean freeform;

    /** @param toolForms how the client declared the tools the neutral request holds as functions */
    public ResponsesStreamEncoder(Map<String, Extensions.ToolForm> toolForms) {
        this.toolForms = Map.copyOf(toolForms);
    }

    public ResponsesStreamEncoder() {
        this(Map.of());
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public List<byte[]> onEvent(StreamEvent event) {
        return switch (state) {
            case DONE -> List.of();
            case START, RESPONSE, MESSAGE, PART, CALL, REASONING -> {
                List<byte[]> out = new ArrayList<>(3);
                handle(event, out);
                yield out;
            }
        };
    }

    @Override
    public List<byte[]> finish() {
        return switch (state) {
            case DONE -> List.of();
            case START, RESPONSE, MESSAGE, PART, CALL, REASONING -> {
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
                if (state == State.PART && d.index() == openIndex) {
                    textDelta(d.text(), out);
                } else {
                    stray(d.index());
                }
            }
            case StreamEvent.ToolArgumentsDelta d -> {
                if (state == State.CALL && d.index() == openIndex) {
                    argumentsDelta(d.fragment(), out);
                } else {
                    stray(d.index());
                }
            }
            case StreamEvent.ThinkingDelta d -> {
                if (state == State.REASONING && d.index() == openIndex) {
                    summaryDelta(d.text(), out);
                } else {
                    stray(d.index());
                }
            }
            case StreamEvent.SignatureDelta d -> dropped++;
            case StreamEvent.BlockStop s -> {
                if (s.index() == openIndex) {
                    if (state == State.PART) {
                        closePart(out);
                    } else {
                        closeItem(out);
                    }
                }
            }
            case StreamEvent.UsageUpdate u -> usage = u.usage();
            case StreamEvent.Finish f -> {
                stop = f.stopReason();
                finished = true;
                closeItem(out);
            }
            case StreamEvent.MessageStop m -> end(out);
            case StreamEvent.Error e -> error(e.error(), out);
        }
    }

    private void begin(String id, String model, long created, List<byte[]> out) {
        this.id = id;
        this.model = model;
        this.created = created;
        ObjectNode e = event("response.created");
        e.set("response", response("in_progress"));
        out.add(frame(e));
        e = event("response.in_progress");
        e.set("response", response("in_progress"));
        out.add(frame(e));
        state = State.RESPONSE;
    }

    private void blockStart(StreamEvent.BlockStart b, List<byte[]> out) {
        if (state == State.START) {
            begin("", "", 0, out);
        }
        closePart(out);
        switch (b.initial()) {
            case ContentBlock.Text t -> openPart(b.index(), false, t.text(), out);
            case ContentBlock.Refusal r -> openPart(b.index(), true, r.text(), out);
            case ContentBlock.ToolCall c -> {
                closeItem(out);
                freeform = ResponsesTools.isFreeform(c, toolForms);
                item = ResponsesTools.callItem(c, toolForms, "", "in_progress");
                if (!freeform) {
                    item.put("arguments", "");
                }
                addItem(out);
                state = State.CALL;
                openIndex = b.index();
                argumentsDelta(c.arguments(), out);
            }
            case ContentBlock.Thinking t -> {
                closeItem(out);
                item = JsonTrees.object().put("type", "reasoning").put("id", "rs_" + id + "_" + reasonings++);
                item.putArray("summary");
                addItem(out);
                ObjectNode e = itemEvent("response.reasoning_summary_part.added").put("summary_index", 0);
                e.putObject("part").put("type", "summary_text").put("text", "");
                out.add(frame(e));
                state = State.REASONING;
                openIndex = b.index();
                summaryDelta(t.text(), out);
            }
            case ContentBlock.EncryptedReasoning r -> {
                // Complete at its start; its summary was streamed already as the thinking before it.
                closeItem(out);
                item = ResponsesResponses.reasoningItem(r);
                addItem(out);
                ObjectNode e = event("response.output_item.done").put("output_index", output.size());
                e.set("item", item.deepCopy());
                out.add(frame(e));
                output.add(item);
                openIndex = -1;
                state = State.RESPONSE;
            }
            default -> {
                dropped++;
                droppedIndex = b.index();
                openIndex = -1;
            }
        }
    }

    private void openPart(int index, boolean isRefusal, String initial, List<byte[]> out) {
        if (state != State.MESSAGE) {
            closeItem(out);
            item = JsonTrees.object().put("type", "message")
                    .put("id", "msg_" + id + (messages == 0 ? "" : "_" + messages)).put("status", "in_progress")
                    .put("role", "assistant");
            item.putArray("content");
            messages++;
            addItem(out);
        }
        refusal = isRefusal;
        openIndex = index;
        ObjectNode e = itemEvent("response.content_part.added").put("content_index", contentIndex());
        e.set("part", part(""));
        out.add(frame(e));
        state = State.PART;
        textDelta(initial, out);
    }

    private void addItem(List<byte[]> out) {
        text.setLength(0);
        ObjectNode e = event("response.output_item.added").put("output_index", output.size());
        e.set("item", item.deepCopy());
        out.add(frame(e));
    }

    private void stray(int index) {
        if (index != droppedIndex) {
            dropped++;
        }
    }

    private void textDelta(String delta, List<byte[]> out) {
        if (delta.isEmpty()) {
            return;
        }
        text.append(delta);
        ObjectNode e = itemEvent(refusal ? "response.refusal.delta" : "response.output_text.delta")
                .put("content_index", contentIndex()).put("delta", delta);
        if (!refusal) {
            e.putArray("logprobs");
        }
        out.add(frame(e));
    }

    private void argumentsDelta(String delta, List<byte[]> out) {
        if (delta.isEmpty()) {
            return;
        }
        text.append(delta);
        if (!freeform) {
            out.add(frame(itemEvent("response.function_call_arguments.delta").put("delta", delta)));
        }
    }

    private void summaryDelta(String delta, List<byte[]> out) {
        if (delta.isEmpty()) {
            return;
        }
        text.append(delta);
        out.add(frame(itemEvent("response.reasoning_summary_text.delta").put("summary_index", 0).put("delta", delta)));
    }

    private void closePart(List<byte[]> out) {
        if (state != State.PART) {
            return;
        }
        String done = text.toString();
        ObjectNode e = itemEvent(refusal ? "response.refusal.done" : "response.output_text.done")
                .put("content_index", contentIndex()).put(refusal ? "refusal" : "text", done);
        if (!refusal) {
            e.putArray("logprobs");
        }
        out.add(frame(e));
        e = itemEvent("response.content_part.done").put("content_index", contentIndex());
        e.set("part", part(done));
        out.add(frame(e));
        ((ArrayNode) item.get("content")).add(part(done));
        text.setLength(0);
        openIndex = -1;
        state = State.MESSAGE;
    }

    /** Closes the open output item, if any, with its done events. */
    private void closeItem(List<byte[]> out) {
        closePart(out);
        String done = text.toString();
        switch (state) {
            case MESSAGE -> { }
            case CALL -> {
                if (freeform) {
                    String input = ResponsesTools.freeformInput(done);
                    if (!input.isEmpty()) {
                        out.add(frame(itemEvent("response.custom_tool_call_input.delta").put("delta", input)));
                    }
                    out.add(frame(itemEvent("response.custom_tool_call_input.done").put("input", input)));
                    item.put("input", input);
                } else {
                    out.add(frame(itemEvent("response.function_call_arguments.done")
                            .put("name", item.get("name").asText()).put("arguments", done)));
                    item.put("arguments", done);
                }
            }
            case REASONING -> {
                out.add(frame(itemEvent("response.reasoning_summary_text.done").put("summary_index", 0)
                        .put("text", done)));
                ObjectNode e = itemEvent("response.reasoning_summary_part.done").put("summary_index", 0);
                e.putObject("part").put("type", "summary_text").put("text", done);
                out.add(frame(e));
                ((ArrayNode) item.get("summary")).addObject().put("type", "summary_text").put("text", done);
            }
            case START, RESPONSE, PART, DONE -> {
                return;
            }
        }
        if (item.has("status")) {
            // A message cut by the token limit is incomplete, as the non-streaming codec reports it.
            boolean message = item.path("type").asText().equals("message");
            item.put("status", message && finished ? stop.responsesStatus() : "completed");
        }
        ObjectNode e = event("response.output_item.done").put("output_index", output.size());
        e.set("item", item.deepCopy());
        out.add(frame(e));
        output.add(item);
        text.setLength(0);
        openIndex = -1;
        state = State.RESPONSE;
    }

    private void end(List<byte[]> out) {
        if (state == State.START) {
            begin("", "", 0, out);
        }
        closeItem(out);
        boolean calls = false;
        for (var o : output) {
            calls |= o.path("type").asText().equals("function_call")
                    || o.path("type").asText().equals("custom_tool_call");
        }
        StopReason reason = calls && stop.overridableByToolCalls() ? StopReason.TOOL_USE : stop;
        for (var o : output) {
            if (o.path("type").asText().equals("message")) {
                ((ObjectNode) o).put("status", reason.responsesStatus());
            }
        }
        ObjectNode response = response(reason.responsesStatus());
        response.set("output", output);
        Optional<String> incomplete = reason.responsesIncompleteReason();
        if (incomplete.isPresent()) {
            response.putObject("incomplete_details").put("reason", incomplete.get());
        } else {
            response.putNull("incomplete_details");
        }
        response.putNull("error");
        ObjectNode u = response.putObject("usage");
        u.put("input_tokens", usage.openAiPromptTokens());
        u.putObject("input_tokens_details").put("cached_tokens", usage.cacheRead());
        u.put("output_tokens", usage.output());
        u.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoning());
        u.put("total_tokens", usage.total());
        ObjectNode e = event(incomplete.isPresent() ? "response.incomplete" : "response.completed");
        e.set("response", response);
        out.add(frame(e));
        state = State.DONE;
    }

    private void error(GatewayError error, List<byte[]> out) {
        if (state == State.START) {
            // The SDKs' stream helpers insist on response.created coming first, even before an error.
            begin("", "", 0, out);
        }
        out.add(ErrorRenderer.responsesErrorEvent(error, sequence++));
        state = State.DONE;
    }

    private int contentIndex() {
        return item.path("content").size();
    }

    private ObjectNode part(String value) {
        ObjectNode part = JsonTrees.object();
        if (refusal) {
            return part.put("type", "refusal").put("refusal", value);
        }
        part.put("type", "output_text").put("text", value);
        part.putArray("annotations");
        return part;
    }

    private ObjectNode response(String status) {
        ObjectNode r = JsonTrees.object().put("id", id).put("object", "response").put("created_at", created)
                .put("status", status).put("model", model);
        if (status.equals("in_progress")) {
            r.putArray("output");
            r.putNull("usage");
        }
        return r;
    }

    private ObjectNode event(String type) {
        return JsonTrees.object().put("type", type).put("sequence_number", sequence++);
    }

    /** An event about the open item: {@code item_id} and {@code output_index}. */
    private ObjectNode itemEvent(String type) {
        return event(type).put("item_id", item.path("id").asText()).put("output_index", output.size());
    }

    private static byte[] frame(ObjectNode event) {
        return StreamSupport.sse(event.get("type").asText(), event);
    }
}
