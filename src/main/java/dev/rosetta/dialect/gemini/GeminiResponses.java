package dev.rosetta.dialect.gemini;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Gemini generateContent response bodies, both ways. */
final class GeminiResponses {
    private GeminiResponses() {
    }

    static ChatResponse decode(byte[] json, ResponseContext ctx, DropLog dropped) {
        JsonIn root = JsonIn.parse(json);
        List<JsonIn> candidates = root.optArray("candidates");
        if (candidates.size() > 1) {
            dropped.add("$.candidates[1]");
        }
        List<ContentBlock> content = new ArrayList<>();
        StopReason stop;
        if (candidates.isEmpty()) {
            // A blocked prompt: HTTP 200, no candidates, promptFeedback.blockReason.
            stop = root.opt("promptFeedback").flatMap(f -> f.optString("blockReason")).isPresent()
                    ? StopReason.CONTENT_FILTER : StopReason.END_TURN;
        } else {
            JsonIn cand = candidates.get(0);
            int calls = 0;
            for (JsonIn p : cand.get("content").optArray("parts")) {
                String name = p.get("functionCall").isPresent()
                        ? p.get("functionCall").optString("name").orElse("") : "";
                Optional<ContentBlock> b = GeminiParts.decode(p, GeminiIds.synthesize(ctx.turnIndex(), calls, name),
                        dropped);
                if (b.isPresent() && b.get() instanceof ContentBlock.ToolCall) {
                    calls++;
                }
                b.ifPresent(content::add);
            }
            stop = cand.optString("finishReason").map(StopReason::fromGemini).orElse(StopReason.END_TURN);
            if (calls > 0 && stop == StopReason.END_TURN) {
                stop = StopReason.TOOL_USE;
            }
        }
        Usage usage = root.opt("usageMetadata").map(u -> Usage.fromGemini(u.longOr("promptTokenCount", 0),
                u.longOr("toolUsePromptTokenCount", 0), u.longOr("cachedContentTokenCount", 0),
                u.longOr("candidatesTokenCount", 0), u.longOr("thoughtsTokenCount", 0))).orElse(Usage.ZERO);
        return new ChatResponse(root.optString("responseId").orElse(ctx.fallbackId()),
                root.optString("modelVersion").orElse(""), ctx.created(), content, stop, Optional.empty(), usage);
    }

    static byte[] encode(ChatResponse resp, DropLog dropped) {
        ObjectNode root = JsonTrees.object();
        ObjectNode cand = root.putArray("candidates").addObject();
        ObjectNode content = cand.putObject("content").put("role", "model");
        ArrayNode parts = content.putArray("parts");
        Optional<String> carried = Optional.empty();
        for (ContentBlock b : resp.content()) {
            if (b instanceof ContentBlock.Thinking t && t.signature().filter(OpaqueState::isCarrier).isPresent()) {
                // Sealed state of an answer: on the signature of the text part that follows.
                carried = t.signature();
                continue;
            }
            if (b instanceof ContentBlock.Thinking t) {
                parts.addObject().put("text", t.text()).put("thought", true);
                continue;
            }
            if (b instanceof ContentBlock.ToolCall c) {
                ObjectNode part = parts.addObject();
                ObjectNode call = part.putObject("functionCall").put("id", c.id()).put("name", c.name());
                call.set("args", dev.rosetta.dialect.internal.ToolArgs.toObject(c.arguments()));
                c.thoughtSignature().ifPresent(s -> part.put("thoughtSignature", s));
                continue;
            }
            Optional<ObjectNode> part = GeminiParts.encode(b, "content", dropped);
            if (part.isPresent() && carried.isPresent() && part.get().has("text")) {
                part.get().put("thoughtSignature", carried.get());
                carried = Optional.empty();
            }
            part.ifPresent(parts::add);
        }
        carried.ifPresent(s -> parts.addObject().put("text", "").put("thoughtSignature", s));
        cand.put("finishReason", resp.stopReason().gemini());
        cand.put("index", 0);
        Usage u = resp.usage();
        ObjectNode usage = root.putObject("usageMetadata");
        usage.put("promptTokenCount", u.geminiPromptTokens());
        usage.put("candidatesTokenCount", u.geminiCandidatesTokens());
        if (u.reasoning() > 0) {
            usage.put("thoughtsTokenCount", u.reasoning());
        }
        if (u.cacheRead() > 0) {
            usage.put("cachedContentTokenCount", u.cacheRead());
        }
        usage.put("totalTokenCount", u.total());
        root.put("modelVersion", resp.model());
        root.put("responseId", resp.id());
        return JsonTrees.write(root);
    }
}
