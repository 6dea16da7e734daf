package dev.rosetta.dialect.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Chat Completions response bodies, both ways. */
final class ChatResponses {
    /** Between two thinking blocks of one answer in {@code reasoning_content}, streamed or not. */
    static final String BETWEEN_THOUGHTS = "\n\n";

    private ChatResponses() {
    }

    static ChatResponse decode(byte[] json, ResponseContext ctx, DropLog dropped) {
        JsonIn root = JsonIn.parse(json);
        List<JsonIn> choices = root.require("choices").array();
        if (choices.size() > 1) {
            dropped.add("$.choices[1]");
        }
        List<ContentBlock> content = new ArrayList<>();
        StopReason stop = StopReason.END_TURN;
        if (!choices.isEmpty()) {
            JsonIn choice = choices.get(0);
            JsonIn msg = choice.require("message");
            msg.optString("reasoning_content").ifPresent(r -> content.add(new ContentBlock.Thinking(r, Optional.empty())));
            msg.optString("content").filter(s -> !s.isEmpty()).ifPresent(s -> content.add(ContentBlock.Text.of(s)));
            msg.optString("refusal").ifPresent(r -> content.add(new ContentBlock.Refusal(r)));
            for (JsonIn call : msg.optArray("tool_calls")) {
                JsonIn fn = call.require("function");
                content.add(ContentBlock.ToolCall.of(call.string("id"), fn.string("name"),
                        fn.optString("arguments").orElse("{}")));
            }
            stop = choice.optString("finish_reason").map(StopReason::fromOpenAi).orElse(StopReason.END_TURN);
        }
        ChatResponse provisional = new ChatResponse(root.optString("id").orElse(ctx.fallbackId()),
                root.optString("model").orElse(""), root.optLong("created").orElse(ctx.created()), content, stop,
                Optional.empty(), root.opt("usage").map(ChatResponses::usage).orElse(Usage.ZERO));
        if (provisional.hasToolCalls() && stop.overridableByToolCalls()) {
            return new ChatResponse(provisional.id(), provisional.model(), provisional.created(), content,
                    StopReason.TOOL_USE, Optional.empty(), provisional.usage());
        }
        return provisional;
    }

    static Usage usage(JsonIn u) {
        JsonIn prompt = u.get("prompt_tokens_details");
        JsonIn completion = u.get("completion_tokens_details");
        return Usage.fromOpenAi(u.longOr("prompt_tokens", 0), prompt.longOr("cached_tokens", 0),
                prompt.longOr("cache_write_tokens", 0), u.longOr("completion_tokens", 0),
                completion.longOr("reasoning_tokens", 0));
    }

    /** @param shown whether thinking text goes in {@code message.reasoning_content}, or is left out */
    static byte[] encode(ChatResponse resp, DropLog dropped, ChatReasoning shown) {
        ObjectNode root = JsonTrees.object();
        root.put("id", resp.id()).put("object", "chat.completion").put("created", resp.created())
                .put("model", resp.model());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        ObjectNode msg = choice.putObject("message").put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = JsonTrees.array();
        for (ContentBlock b : resp.content()) {
            switch (b) {
                case ContentBlock.Text t -> text.append(t.text());
                case ContentBlock.Refusal r -> refusal.append(r.text());
                case ContentBlock.ToolCall c -> {
                    ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                }
                case ContentBlock.Thinking t -> {
                    switch (shown) {
                        case NONE -> dropped.add("thinking");
                        case REASONING_CONTENT -> {
                            if (!t.text().isEmpty()) {
                                reasoning.append(reasoning.isEmpty() ? "" : BETWEEN_THOUGHTS).append(t.text());
                            }
                        }
                    }
                }
                case ContentBlock.RedactedThinking r -> dropped.add("redacted_thinking");
                case ContentBlock.EncryptedReasoning r -> dropped.add("reasoning.encrypted_content");
                default -> dropped.add("content." + b.getClass().getSimpleName().toLowerCase());
            }
        }
        if (text.isEmpty() && (!calls.isEmpty() || !refusal.isEmpty())) {
            msg.putNull("content");
        } else {
            msg.put("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            msg.put("reasoning_content", reasoning.toString());
        }
        if (refusal.isEmpty()) {
            msg.putNull("refusal");
        } else {
            msg.put("refusal", refusal.toString());
        }
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
        StopReason stop = resp.hasToolCalls() && resp.stopReason().overridableByToolCalls()
                ? StopReason.TOOL_USE : resp.stopReason();
        choice.putNull("logprobs");
        choice.put("finish_reason", stop.openAi());
        root.set("usage", usage(resp.usage()));
        return JsonTrees.write(root);
    }

    static ObjectNode usage(Usage u) {
        ObjectNode out = JsonTrees.object();
        out.put("prompt_tokens", u.openAiPromptTokens());
        out.put("completion_tokens", u.output());
        out.put("total_tokens", u.total());
        out.putObject("prompt_tokens_details").put("cached_tokens", u.cacheRead());
        out.putObject("completion_tokens_details").put("reasoning_tokens", u.reasoning());
        return out;
    }
}
