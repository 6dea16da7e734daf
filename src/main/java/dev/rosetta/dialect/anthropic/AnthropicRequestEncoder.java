package dev.rosetta.dialect.anthropic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.ResponsesOptions;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Effort;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.Json;
import dev.rosetta.model.Reasoning;
import dev.rosetta.model.ResponseFormat;
import dev.rosetta.model.Role;
import dev.rosetta.model.SourcePaths;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Neutral request → Anthropic Messages request body. */
final class AnthropicRequestEncoder {
    /** Used when the client gave no limit, since Anthropic requires one. */
    static final int DEFAULT_MAX_TOKENS = 4096;
    static final int MIN_THINKING_BUDGET = 1024;
    /** Stands in for a missing first user turn, since Anthropic conversations start with the user. */
    static final String CONTINUE_PLACEHOLDER = "(continue)";

    private final DropLog dropped;

    private AnthropicRequestEncoder(DropLog dropped) {
        this.dropped = dropped;
    }

    static byte[] encode(ChatRequest request, String model, DropLog dropped) {
        return JsonTrees.write(new AnthropicRequestEncoder(dropped).encode(request.withSystemTurnsInSystem(), model));
    }

    private ObjectNode encode(ChatRequest req, String model) {
        ObjectNode root = JsonTrees.object();
        root.put("model", model);
        GenerationSettings g = req.generation();
        Optional<Integer> asked = thinkingBudget(req.reasoning());
        boolean lost = asked.isPresent() && lostThinking(req.mergedTurns());
        Optional<Integer> budget = lost ? Optional.empty() : asked;
        if (lost) {
            // The client dropped the thinking its last tool calls were made with, so Anthropic would refuse
            // the request with thinking on (400 "Expected `thinking` ... but found `tool_use`"); this
            // request goes without it and says so.
            dropped.addLost("thinking");
        }
        int max = g.maxTokens().orElse(DEFAULT_MAX_TOKENS);
        if (budget.isPresent() && max <= budget.get()) {
            // Anthropic requires max_tokens > budget_tokens; keep the client's limit for the answer itself.
            max = budget.get() + max;
        }
        root.put("max_tokens", max);
        system(req, root);
        root.set("messages", messages(req));
        if (!req.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            req.tools().forEach(t -> tools.add(tool(t)));
        }
        toolChoice(req, budget.isPresent(), root);
        generation(g, budget.isPresent(), req.sources(), root);
        req.reasoning().filter(r -> !lost).ifPresent(r -> {
            ObjectNode thinking = root.putObject("thinking");
            if (budget.isPresent()) {
                thinking.put("type", "enabled").put("budget_tokens", budget.get());
            } else {
                thinking.put("type", "disabled");
            }
        });
        req.user().ifPresent(u -> root.putObject("metadata").put("user_id", u));
        if (!req.metadata().isEmpty()) {
            dropped.add("metadata");
        }
        if (req.stream()) {
            root.put("stream", true);
        }
        extensions(req.extensions(), root);
        return root;
    }

    /**
     * Whether the assistant turn whose tool calls are being answered lacks the signed thinking Anthropic
     * requires at its start while thinking is on.
     */
    static boolean lostThinking(List<Turn> turns) {
        for (int i = turns.size() - 1; i >= 0; i--) {
            Turn t = turns.get(i);
            if (t.role() != Role.ASSISTANT) {
                continue;
            }
            boolean answered = i == turns.size() - 1 || turns.subList(i + 1, turns.size()).stream()
                    .flatMap(u -> u.content().stream()).anyMatch(b -> b instanceof ContentBlock.ToolResult);
            if (!answered || t.content().stream().noneMatch(b -> b instanceof ContentBlock.ToolCall)) {
                return false;
            }
            for (ContentBlock b : t.content()) {
                switch (b) {
                    case ContentBlock.Thinking k when k.signature().isPresent() -> {
                        return false;
                    }
                    case ContentBlock.RedactedThinking r -> {
                        return false;
                    }
                    // Not sent to Anthropic: they do not count as the turn's first block.
                    case ContentBlock.Thinking k -> {
                    }
                    case ContentBlock.EncryptedReasoning r -> {
                    }
                    default -> {
                        return true;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /** The thinking budget to send, or empty when thinking is off (not asked for, none or minimal). */
    private static Optional<Integer> thinkingBudget(Optional<Reasoning> reasoning) {
        return reasoning.filter(r -> !r.disabled())
                .filter(r -> r.budgetTokens().isPresent() || r.effectiveEffort() != Effort.MINIMAL)
                .map(r -> Math.max(MIN_THINKING_BUDGET, r.effectiveBudget()));
    }

    private void system(ChatRequest req, ObjectNode root) {
        if (req.system().isEmpty()) {
            return;
        }
        if (req.system().stream().noneMatch(t -> t.cacheControl().isPresent())) {
            root.put("system", req.systemText());
            return;
        }
        ArrayNode blocks = root.putArray("system");
        for (ContentBlock.Text t : req.system()) {
            AnthropicBlocks.encode(t, "system", dropped).ifPresent(blocks::add);
        }
    }

    private ArrayNode messages(ChatRequest req) {
        List<Turn> turns = new ArrayList<>(req.mergedTurns());
        if (!turns.isEmpty() && turns.get(0).role() == Role.ASSISTANT) {
            turns.add(0, Turn.of(Role.USER, ContentBlock.Text.of(CONTINUE_PLACEHOLDER)));
        }
        ArrayNode out = JsonTrees.array();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            List<ContentBlock> blocks = new ArrayList<>(turn.content());
            if (turn.role() == Role.USER) {
                // Anthropic wants the tool results at the start of the user message.
                List<ContentBlock> ordered = new ArrayList<>();
                blocks.stream().filter(b -> b instanceof ContentBlock.ToolResult).forEach(ordered::add);
                blocks.stream().filter(b -> !(b instanceof ContentBlock.ToolResult)).forEach(ordered::add);
                blocks = ordered;
            } else if (i == turns.size() - 1) {
                blocks = trimPrefill(blocks);
            }
            ArrayNode content = JsonTrees.array();
            for (ContentBlock b : blocks) {
                AnthropicBlocks.encode(b, req.sources().of(b, "turns[" + i + "]"), dropped).ifPresent(content::add);
            }
            if (content.isEmpty()) {
                continue;
            }
            ObjectNode msg = out.addObject().put("role", turn.role() == Role.USER ? "user" : "assistant");
            if (content.size() == 1 && content.get(0).get("type").asText().equals("text")
                    && !content.get(0).has("cache_control")) {
                msg.put("content", content.get(0).get("text").asText());
            } else {
                msg.set("content", content);
            }
        }
        return out;
    }

    /** Anthropic rejects a final assistant turn ending in whitespace. */
    private static List<ContentBlock> trimPrefill(List<ContentBlock> blocks) {
        int last = blocks.size() - 1;
        if (last >= 0 && blocks.get(last) instanceof ContentBlock.Text t) {
            List<ContentBlock> out = new ArrayList<>(blocks);
            out.set(last, new ContentBlock.Text(t.text().stripTrailing(), t.cacheControl()));
            return out;
        }
        return blocks;
    }

    private ObjectNode tool(ToolDefinition t) {
        ObjectNode out = JsonTrees.object().put("name", t.name());
        t.description().ifPresent(d -> out.put("description", d));
        Json schema = t.parameters().orElse(Json.Obj.empty());
        ObjectNode node = schema instanceof Json.Obj ? (ObjectNode) JsonTrees.toNode(schema) : JsonTrees.object();
        if (!node.has("type")) {
            node.put("type", "object");
        }
        if (node.path("type").asText().equals("object") && !node.has("properties")) {
            node.putObject("properties");
        }
        out.set("input_schema", node);
        t.strict().ifPresent(s -> out.put("strict", s));
        t.cacheControl().ifPresent(c -> out.set("cache_control", AnthropicBlocks.cacheControl(c)));
        return out;
    }

    private void toolChoice(ChatRequest req, boolean thinking, ObjectNode root) {
        if (req.tools().isEmpty() || req.toolChoice().isEmpty() && req.parallelToolCalls().orElse(true)) {
            // Without tools a choice means nothing, and the provider may refuse one.
            return;
        }
        ToolChoice choice = req.toolChoice().orElse(new ToolChoice.Auto());
        if (thinking && (choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Tool)) {
            // Anthropic rejects forced tool use while thinking; letting the model choose keeps the request valid.
            dropped.add("tool_choice");
            choice = new ToolChoice.Auto();
        }
        ObjectNode out = root.putObject("tool_choice");
        switch (choice) {
            case ToolChoice.Auto a -> out.put("type", "auto");
            case ToolChoice.None n -> out.put("type", "none");
            case ToolChoice.Required r -> out.put("type", "any");
            case ToolChoice.Tool t -> out.put("type", "tool").put("name", t.name());
        }
        if (!(choice instanceof ToolChoice.None) && !req.parallelToolCalls().orElse(true)) {
            out.put("disable_parallel_tool_use", true);
        }
    }

    private void generation(GenerationSettings g, boolean thinking, SourcePaths sources, ObjectNode root) {
        g.temperature().ifPresent(t -> {
            if (thinking) {
                dropped.add("temperature");
            } else {
                root.put("temperature", Math.min(1.0, t));
            }
        });
        g.topP().ifPresent(p -> root.put("top_p", thinking ? Math.max(0.95, p) : p));
        g.topK().ifPresent(k -> {
            if (thinking) {
                dropped.add("top_k");
            } else {
                root.put("top_k", k);
            }
        });
        List<String> stops = g.stopSequences().stream().filter(s -> !s.isBlank()).toList();
        if (!stops.isEmpty()) {
            ArrayNode arr = root.putArray("stop_sequences");
            stops.forEach(arr::add);
        }
        g.seed().ifPresent(s -> dropped.add("seed"));
        g.presencePenalty().ifPresent(s -> dropped.add("presence_penalty"));
        g.frequencyPenalty().ifPresent(s -> dropped.add("frequency_penalty"));
        g.n().ifPresent(n -> {
            if (n > 1) {
                throw JsonIn.invalid("Anthropic generates one choice per request; n must be 1",
                        sources.setting("n", "$.n"));
            }
        });
        g.responseFormat().ifPresent(f -> {
            switch (f) {
                case ResponseFormat.Text t -> { }
                case ResponseFormat.JsonObject j -> outputFormat(root, new Json.Obj(Map.of("type", Json.of("object"))));
                case ResponseFormat.JsonSchema s -> outputFormat(root, s.schema());
            }
        });
    }

    private static void outputFormat(ObjectNode root, Json schema) {
        ObjectNode format = root.putObject("output_config").putObject("format");
        format.put("type", "json_schema").set("schema", JsonTrees.toNode(schema));
    }

    private void extensions(Extensions ext, ObjectNode root) {
        ext.anthropic().flatMap(Extensions.Anthropic::serviceTier).ifPresent(t -> root.put("service_tier", t));
        ext.openAiChat().ifPresent(o -> dropped.add("openai_options"));
        ext.responses().ifPresent(r -> ResponsesOptions.leaveOut(r, dropped));
        ext.gemini().ifPresent(g -> {
            g.safetySettings().ifPresent(v -> dropped.add("safetySettings"));
            g.cachedContent().ifPresent(v -> dropped.add("cachedContent"));
        });
    }
}
