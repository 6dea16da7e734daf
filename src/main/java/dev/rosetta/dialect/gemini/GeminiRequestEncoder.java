package dev.rosetta.dialect.gemini;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.ResponsesOptions;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.ResponseFormat;
import dev.rosetta.model.Role;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import java.util.ArrayList;
import java.util.List;

/** Neutral request → Gemini generateContent request body (the model goes in the URL, not here). */
final class GeminiRequestEncoder {
    static final int MAX_STOP_SEQUENCES = 5;
    /** Google's documented stand-in when a call replayed to Gemini 3 has no signature of its own. */
    static final String SKIP_SIGNATURE = "skip_thought_signature_validator";

    private final ChatRequest req;
    private final DropLog dropped;

    private GeminiRequestEncoder(ChatRequest req, DropLog dropped) {
        this.req = req;
        this.dropped = dropped;
    }

    static byte[] encode(ChatRequest request, DropLog dropped) {
        return JsonTrees.write(new GeminiRequestEncoder(request.withSystemTurnsInSystem(), dropped).encode());
    }

    private ObjectNode encode() {
        ObjectNode root = JsonTrees.object();
        root.set("contents", contents());
        if (!req.system().isEmpty()) {
            root.putObject("systemInstruction").putArray("parts").addObject().put("text", req.systemText());
            if (req.system().stream().anyMatch(t -> t.cacheControl().isPresent())) {
                dropped.add("system.cache_control");
            }
        }
        if (!req.tools().isEmpty()) {
            ArrayNode decls = root.putArray("tools").addObject().putArray("functionDeclarations");
            req.tools().forEach(t -> decls.add(declaration(t)));
        }
        req.toolChoice().ifPresent(c -> root.putObject("toolConfig").set("functionCallingConfig", toolChoice(c)));
        req.parallelToolCalls().ifPresent(p -> dropped.add("parallel_tool_calls"));
        ObjectNode gen = generation(req.generation());
        req.reasoning().ifPresent(r -> {
            ObjectNode thinking = gen.putObject("thinkingConfig");
            thinking.put("thinkingBudget", r.disabled() ? 0 : r.effectiveBudget());
            r.includeThoughts().filter(i -> !r.disabled()).ifPresent(i -> thinking.put("includeThoughts", i));
        });
        if (!gen.isEmpty()) {
            root.set("generationConfig", gen);
        }
        req.user().ifPresent(u -> dropped.add("user"));
        if (!req.metadata().isEmpty()) {
            dropped.add("metadata");
        }
        extensions(req.extensions(), root);
        return root;
    }

    private ArrayNode contents() {
        ArrayNode out = JsonTrees.array();
        List<ContentBlock.ToolCall> lastCalls = List.of();
        List<Turn> turns = req.mergedTurns();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            String where = "turns[" + i + "]";
            ArrayNode parts = JsonTrees.array();
            List<ContentBlock.ToolCall> calls = new ArrayList<>();
            if (turn.role() == Role.USER) {
                functionResponses(turn, lastCalls, where, parts);
            }
            for (ContentBlock b : turn.content()) {
                if (b instanceof ContentBlock.ToolResult) {
                    continue;
                }
                if (b instanceof ContentBlock.ToolCall c) {
                    if (calls.isEmpty() && c.thoughtSignature().isEmpty()) {
                        // Lost, or never had one (another model's call): Gemini 3 refuses the call without it.
                        dropped.addLost("thoughtSignature");
                        b = new ContentBlock.ToolCall(c.id(), c.name(), c.arguments(),
                                java.util.Optional.of(SKIP_SIGNATURE), c.cacheControl());
                    }
                    calls.add(c);
                }
                GeminiParts.encode(b, req.sources().of(b, where), dropped).ifPresent(parts::add);
            }
            lastCalls = turn.role() == Role.ASSISTANT ? calls : List.of();
            if (parts.isEmpty()) {
                continue;
            }
            ObjectNode content = out.addObject().put("role", turn.role() == Role.USER ? "user" : "model");
            content.set("parts", parts);
        }
        return out;
    }

    /**
     * Gemini pairs responses with calls by order and count, so the responses follow the order of the
     * preceding calls, a missing one is filled in, and results for no known call go last.
     */
    private void functionResponses(Turn turn, List<ContentBlock.ToolCall> calls, String where, ArrayNode parts) {
        List<ContentBlock.ToolResult> results = new ArrayList<>();
        turn.content().forEach(b -> {
            if (b instanceof ContentBlock.ToolResult r) {
                results.add(r);
            }
        });
        if (results.isEmpty()) {
            return;
        }
        for (ContentBlock.ToolCall call : calls) {
            ContentBlock.ToolResult match = results.stream().filter(r -> r.toolCallId().equals(call.id()))
                    .findFirst().orElse(null);
            if (match == null) {
                ObjectNode fr = parts.addObject().putObject("functionResponse");
                putId(fr, call.id());
                fr.put("name", call.name()).putObject("response").put("error", "no result provided");
            } else {
                results.remove(match);
                parts.add(functionResponse(match, call.name()));
            }
        }
        for (ContentBlock.ToolResult r : results) {
            String name = req.findToolCall(r.toolCallId()).map(ContentBlock.ToolCall::name).orElseThrow(() ->
                    JsonIn.invalid("no tool call with id '" + r.toolCallId() + "' precedes this tool result",
                            req.sources().of(r, where)));
            parts.add(functionResponse(r, name));
        }
    }

    private ObjectNode functionResponse(ContentBlock.ToolResult r, String name) {
        if (r.content().stream().anyMatch(c -> !(c instanceof ContentBlock.Text))) {
            dropped.add("tool_result.content");
        }
        ObjectNode part = JsonTrees.object();
        ObjectNode fr = part.putObject("functionResponse");
        putId(fr, r.toolCallId());
        fr.put("name", name);
        fr.set("response", GeminiParts.response(r));
        return part;
    }

    private static void putId(ObjectNode fr, String id) {
        if (!GeminiIds.isSynthesized(id)) {
            fr.put("id", id);
        }
    }

    private ObjectNode declaration(ToolDefinition t) {
        ObjectNode d = JsonTrees.object().put("name", t.name());
        t.description().ifPresent(x -> d.put("description", x));
        t.parameters().filter(p -> !GeminiSchemas.isEmptyObject(p))
                .ifPresent(p -> d.set("parameters", JsonTrees.toNode(GeminiSchemas.sanitize(p))));
        t.strict().ifPresent(s -> dropped.add("tools.strict"));
        t.cacheControl().ifPresent(c -> dropped.add("tools.cache_control"));
        return d;
    }

    private static ObjectNode toolChoice(ToolChoice c) {
        ObjectNode out = JsonTrees.object();
        switch (c) {
            case ToolChoice.Auto a -> out.put("mode", "AUTO");
            case ToolChoice.None n -> out.put("mode", "NONE");
            case ToolChoice.Required r -> out.put("mode", "ANY");
            case ToolChoice.Tool t -> {
                out.put("mode", "ANY");
                out.putArray("allowedFunctionNames").add(t.name());
            }
        }
        return out;
    }

    private ObjectNode generation(GenerationSettings g) {
        ObjectNode out = JsonTrees.object();
        g.maxTokens().ifPresent(m -> out.put("maxOutputTokens", m));
        g.temperature().ifPresent(t -> out.put("temperature", t));
        g.topP().ifPresent(t -> out.put("topP", t));
        g.topK().ifPresent(k -> out.put("topK", k));
        if (!g.stopSequences().isEmpty()) {
            ArrayNode stops = out.putArray("stopSequences");
            g.stopSequences().stream().limit(MAX_STOP_SEQUENCES).forEach(stops::add);
            if (g.stopSequences().size() > MAX_STOP_SEQUENCES) {
                dropped.add("stop[" + MAX_STOP_SEQUENCES + "]");
            }
        }
        g.seed().ifPresent(s -> out.put("seed", s));
        g.n().ifPresent(n -> out.put("candidateCount", n));
        g.presencePenalty().ifPresent(p -> out.put("presencePenalty", p));
        g.frequencyPenalty().ifPresent(p -> out.put("frequencyPenalty", p));
        g.responseFormat().ifPresent(f -> {
            switch (f) {
                case ResponseFormat.Text t -> out.put("responseMimeType", "text/plain");
                case ResponseFormat.JsonObject j -> out.put("responseMimeType", "application/json");
                case ResponseFormat.JsonSchema s -> {
                    out.put("responseMimeType", "application/json");
                    out.set("responseSchema", JsonTrees.toNode(GeminiSchemas.sanitize(s.schema())));
                    s.strict().ifPresent(x -> dropped.add("response_format.strict"));
                }
            }
        });
        return out;
    }

    private void extensions(Extensions ext, ObjectNode root) {
        ext.gemini().ifPresent(g -> {
            g.safetySettings().ifPresent(s -> root.set("safetySettings", JsonTrees.toNode(s)));
            g.cachedContent().ifPresent(c -> root.put("cachedContent", c));
        });
        ext.openAiChat().ifPresent(o -> dropped.add("openai_options"));
        ext.anthropic().ifPresent(a -> dropped.add("service_tier"));
        ext.responses().ifPresent(r -> ResponsesOptions.leaveOut(r, dropped));
    }
}
