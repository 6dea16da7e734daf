package dev.rosetta.dialect.anthropic;

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

/** Anthropic Messages response bodies, both ways. */
final class AnthropicResponses {
    private AnthropicResponses() {
    }

    static ChatResponse decode(byte[] json, ResponseContext ctx, DropLog dropped) {
        JsonIn root = JsonIn.parse(json);
        List<ContentBlock> content = new ArrayList<>();
        for (JsonIn b : root.optArray("content")) {
            AnthropicBlocks.decode(b, dropped).ifPresent(content::add);
        }
        StopReason stop = root.optString("stop_reason").map(StopReason::fromAnthropic).orElse(StopReason.END_TURN);
        return new ChatResponse(root.optString("id").orElse(ctx.fallbackId()), root.optString("model").orElse(""),
                ctx.created(), content, stop, root.optString("stop_sequence"),
                root.opt("usage").map(AnthropicResponses::usage).orElse(Usage.ZERO));
    }

    static Usage usage(JsonIn u) {
        return Usage.fromAnthropic(u.longOr("input_tokens", 0), u.longOr("cache_read_input_tokens", 0),
                u.longOr("cache_creation_input_tokens", 0), u.longOr("output_tokens", 0),
                u.get("output_tokens_details").longOr("thinking_tokens", 0),
                u.get("cache_creation").longOr("ephemeral_1h_input_tokens", 0));
    }

    static byte[] encode(ChatResponse resp, DropLog dropped) {
        ObjectNode root = JsonTrees.object();
        root.put("id", resp.id()).put("type", "message").put("role", "assistant").put("model", resp.model());
        ArrayNode content = root.putArray("content");
        for (ContentBlock b : resp.content()) {
            if (b instanceof ContentBlock.Thinking t && t.signature().isEmpty()) {
                // Unsigned reasoning from another provider is still shown, with an empty signature.
                content.addObject().put("type", "thinking").put("thinking", t.text()).put("signature", "");
                continue;
            }
            AnthropicBlocks.encode(b, "content", dropped).ifPresent(content::add);
        }
        StopReason stop = resp.hasToolCalls() && resp.stopReason().overridableByToolCalls()
                ? StopReason.TOOL_USE : resp.stopReason();
        root.put("stop_reason", stop.anthropic());
        if (stop == StopReason.STOP_SEQUENCE && resp.stopSequence().isPresent()) {
            root.put("stop_sequence", resp.stopSequence().get());
        } else {
            root.putNull("stop_sequence");
        }
        root.set("usage", usage(resp.usage()));
        return JsonTrees.write(root);
    }

    static ObjectNode usage(Usage u) {
        ObjectNode out = JsonTrees.object();
        out.put("input_tokens", u.anthropicInputTokens());
        out.put("cache_creation_input_tokens", u.cacheWrite());
        out.put("cache_read_input_tokens", u.cacheRead());
        out.put("output_tokens", u.output());
        return out;
    }
}
