package dev.rosetta.dialect.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Responses API response objects, both ways. Output item ids are derived from the response id. */
final class ResponsesResponses {
    private ResponsesResponses() {
    }

    static ChatResponse decode(byte[] json, ResponseContext ctx, DropLog dropped) {
        JsonIn root = JsonIn.parse(json);
        List<ContentBlock> content = new ArrayList<>();
        for (JsonIn item : root.optArray("output")) {
            switch (item.string("type")) {
                case "message" -> {
                    for (JsonIn p : item.optArray("content")) {
                        switch (p.string("type")) {
                            case "output_text" -> content.add(ContentBlock.Text.of(p.string("text")));
                            case "refusal" -> content.add(new ContentBlock.Refusal(p.string("refusal")));
                            default -> dropped.add(p.path());
                        }
                    }
                }
                case "function_call" -> content.add(ContentBlock.ToolCall.of(item.string("call_id"),
                        item.string("name"), item.optString("arguments").orElse("{}")));
                case "reasoning" -> reasoning(item, content);
                default -> dropped.add(item.path());
            }
        }
        StopReason stop = StopReason.fromResponses(root.optString("status").orElse("completed"),
                root.opt("incomplete_details").flatMap(d -> d.optString("reason")));
        boolean calls = content.stream().anyMatch(b -> b instanceof ContentBlock.ToolCall);
        if (calls && stop == StopReason.END_TURN) {
            stop = StopReason.TOOL_USE;
        }
        Usage usage = root.opt("usage").map(u -> Usage.fromOpenAi(u.longOr("input_tokens", 0),
                u.get("input_tokens_details").longOr("cached_tokens", 0), 0, u.longOr("output_tokens", 0),
                u.get("output_tokens_details").longOr("reasoning_tokens", 0))).orElse(Usage.ZERO);
        return new ChatResponse(root.optString("id").orElse(ctx.fallbackId()), root.optString("model").orElse(""),
                root.optLong("created_at").orElse(ctx.created()), content, stop, Optional.empty(), usage);
    }

    /**
     * The summary parts as thinking, to show; then, when the item has {@code encrypted_content}, the
     * whole item, to replay on the next turn.
     */
    static void reasoning(JsonIn item, List<ContentBlock> content) {
        List<String> summary = new ArrayList<>();
        item.optArray("summary").forEach(s -> summary.add(s.string("text")));
        summary.forEach(s -> content.add(new ContentBlock.Thinking(s, Optional.empty())));
        item.optString("encrypted_content").ifPresent(e ->
                content.add(new ContentBlock.EncryptedReasoning(item.string("id"), e, summary)));
    }

    /** The item a reasoning block replays, exactly as the Responses API gave it. */
    static ObjectNode reasoningItem(ContentBlock.EncryptedReasoning r) {
        ObjectNode item = JsonTrees.object().put("type", "reasoning").put("id", r.id());
        ArrayNode summary = item.putArray("summary");
        r.summary().forEach(s -> summary.addObject().put("type", "summary_text").put("text", s));
        return item.put("encrypted_content", r.encryptedContent());
    }

    /**
     * Which blocks are thinking shown for the encrypted reasoning right after them, whose own item
     * carries the same summary: those are not given an item of their own.
     */
    static boolean[] coveredBySummary(List<ContentBlock> content) {
        boolean[] covered = new boolean[content.size()];
        for (int i = 0; i < content.size(); i++) {
            if (content.get(i) instanceof ContentBlock.EncryptedReasoning r) {
                int from = i - r.summary().size();
                boolean match = from >= 0;
                for (int j = 0; match && j < r.summary().size(); j++) {
                    match = content.get(from + j) instanceof ContentBlock.Thinking t && t.signature().isEmpty()
                            && t.text().equals(r.summary().get(j));
                }
                for (int j = from; match && j < i; j++) {
                    covered[j] = true;
                }
            }
        }
        return covered;
    }

    static byte[] encode(ChatResponse resp, Map<String, Extensions.ToolForm> toolForms, DropLog dropped) {
        ObjectNode root = JsonTrees.object();
        root.put("id", resp.id()).put("object", "response").put("created_at", resp.created());
        root.put("status", resp.stopReason().responsesStatus()).put("model", resp.model());
        ArrayNode output = root.putArray("output");
        ArrayNode message = null;
        int reasoning = 0;
        boolean[] covered = coveredBySummary(resp.content());
        for (int i = 0; i < resp.content().size(); i++) {
            ContentBlock b = resp.content().get(i);
            if (covered[i]) {
                continue;
            }
            switch (b) {
                case ContentBlock.Text t -> message = messageContent(output, message, resp)
                        .add(JsonTrees.object().put("type", "output_text").put("text", t.text())
                                .set("annotations", JsonTrees.array()));
                case ContentBlock.Refusal r -> message = messageContent(output, message, resp)
                        .add(JsonTrees.object().put("type", "refusal").put("refusal", r.text()));
                case ContentBlock.ToolCall c -> {
                    message = null;
                    output.add(ResponsesTools.callItem(c, toolForms, ResponsesTools.freeformInput(c.arguments()),
                            "completed"));
                }
                case ContentBlock.Thinking t -> {
                    message = null;
                    ObjectNode item = output.addObject().put("type", "reasoning")
                            .put("id", "rs_" + resp.id() + "_" + reasoning++);
                    item.putArray("summary").addObject().put("type", "summary_text").put("text", t.text());
                }
                case ContentBlock.EncryptedReasoning r -> {
                    message = null;
                    output.add(reasoningItem(r));
                }
                default -> dropped.add("content." + b.getClass().getSimpleName().toLowerCase());
            }
        }
        Optional<String> reason = resp.stopReason().responsesIncompleteReason();
        if (reason.isPresent()) {
            root.putObject("incomplete_details").put("reason", reason.get());
        } else {
            root.putNull("incomplete_details");
        }
        root.putNull("error");
        Usage u = resp.usage();
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", u.openAiPromptTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", u.cacheRead());
        usage.put("output_tokens", u.output());
        usage.putObject("output_tokens_details").put("reasoning_tokens", u.reasoning());
        usage.put("total_tokens", u.total());
        return JsonTrees.write(root);
    }

    /** The content array of the open message item, opening one when the last item is not a message. */
    private static ArrayNode messageContent(ArrayNode output, ArrayNode open, ChatResponse resp) {
        String responseId = resp.id();
        if (open != null) {
            return open;
        }
        long messages = 0;
        for (var item : output) {
            if (item.path("type").asText().equals("message")) {
                messages++;
            }
        }
        ObjectNode item = output.addObject().put("type", "message")
                .put("id", "msg_" + responseId + (messages == 0 ? "" : "_" + messages))
                .put("status", resp.stopReason().responsesStatus()).put("role", "assistant");
        return item.putArray("content");
    }
}
