package dev.rosetta.dialect.gemini;

import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Effort;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
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
import java.util.Set;

/** Gemini generateContent request body → neutral request. The model and streaming live in the URL. */
final class GeminiRequestDecoder {
    private static final Set<String> KNOWN = Set.of("contents", "systemInstruction", "tools", "toolConfig",
            "generationConfig", "safetySettings", "cachedContent", "model");
    private static final Set<String> GENERATION_KNOWN = Set.of("maxOutputTokens", "temperature", "topP", "topK",
            "stopSequences", "seed", "candidateCount", "presencePenalty", "frequencyPenalty", "responseMimeType",
            "responseSchema", "responseJsonSchema", "thinkingConfig");

    private final DropLog dropped;

    private final SourcePaths.Builder paths = SourcePaths.builder();

    private GeminiRequestDecoder(DropLog dropped) {
        this.dropped = dropped;
    }

    static ChatRequest decode(byte[] json, DropLog dropped) {
        return new GeminiRequestDecoder(dropped).decode(JsonIn.parse(json));
    }

    private ChatRequest decode(JsonIn root) {
        root.dropUnknown(KNOWN, dropped);
        List<ContentBlock.Text> system = new ArrayList<>();
        root.opt("systemInstruction").ifPresent(s -> {
            for (JsonIn p : s.require("parts").array()) {
                if (!p.has("text")) {
                    dropped.add(p.path());
                    continue;
                }
                system.add(ContentBlock.Text.of(p.string("text")));
            }
        });
        List<Turn> turns = contents(root.require("contents").array());
        List<ToolDefinition> tools = new ArrayList<>();
        for (JsonIn t : root.optArray("tools")) {
            t.fields().forEach((k, v) -> {
                if (k.equals("functionDeclarations")) {
                    v.array().forEach(d -> tools.add(declaration(d)));
                } else {
                    dropped.add(v.path());
                }
            });
        }
        Optional<ToolChoice> choice = root.opt("toolConfig").flatMap(c -> c.opt("functionCallingConfig"))
                .map(c -> toolChoice(c, tools));
        JsonIn gen = root.get("generationConfig");
        gen.dropUnknown(GENERATION_KNOWN, dropped);
        gen.opt("candidateCount").ifPresent(n -> paths.setting("n", n.path()));
        Extensions ext = Extensions.none();
        if (root.has("safetySettings") || root.has("cachedContent")) {
            ext = ext.withGemini(new Extensions.Gemini(root.opt("safetySettings").map(JsonIn::toJson),
                    root.optString("cachedContent")));
        }
        return new ChatRequest(root.optString("model"), system, turns, tools, choice, Optional.empty(),
                generation(gen), gen.opt("thinkingConfig").map(GeminiRequestDecoder::reasoning), Optional.empty(),
                Map.of(), false, true, ext, paths.build());
    }

    private List<Turn> contents(List<JsonIn> contents) {
        List<Turn> turns = new ArrayList<>();
        List<ContentBlock.ToolCall> lastCalls = List.of();
        for (int t = 0; t < contents.size(); t++) {
            JsonIn c = contents.get(t);
            JsonIn roleNode = c.get("role");
            String role = roleNode.isPresent() ? roleNode.text() : "user";
            Role r = switch (role) {
                case "user", "function" -> Role.USER;
                case "model" -> Role.ASSISTANT;
                default -> throw roleNode.error("unsupported role '" + role + "'");
            };
            List<ContentBlock> blocks = new ArrayList<>();
            List<ContentBlock.ToolCall> calls = new ArrayList<>();
            List<ContentBlock.ToolCall> unanswered = new ArrayList<>(lastCalls);
            for (JsonIn p : c.require("parts").array()) {
                if (p.has("functionResponse")) {
                    JsonIn fr = p.get("functionResponse");
                    String id = fr.optString("id").orElseGet(() -> matchCall(fr.string("name"), unanswered));
                    unanswered.removeIf(call -> call.id().equals(id));
                    blocks.add(paths.at(p.path(), GeminiParts.result(id, fr.require("response"))));
                    continue;
                }
                String synthetic = GeminiIds.synthesize(t, calls.size(), p.get("functionCall").isPresent()
                        ? p.get("functionCall").optString("name").orElse("") : "");
                GeminiParts.decode(p, synthetic, dropped).ifPresent(b -> {
                    blocks.add(paths.at(p.path(), b));
                    if (b instanceof ContentBlock.ToolCall call) {
                        calls.add(call);
                    }
                });
                GeminiParts.textCarrier(p).ifPresent(b -> blocks.add(paths.at(p.path(), b)));
            }
            lastCalls = r == Role.ASSISTANT ? calls : List.of();
            turns.add(new Turn(r, blocks));
        }
        return turns;
    }

    /** Gemini matches responses to calls by name and order; the first unanswered call of that name wins. */
    private static String matchCall(String name, List<ContentBlock.ToolCall> unanswered) {
        for (ContentBlock.ToolCall call : unanswered) {
            if (call.name().equals(name)) {
                return call.id();
            }
        }
        return GeminiIds.synthesize(-1, 0, name);
    }

    private static ToolDefinition declaration(JsonIn d) {
        Optional<dev.rosetta.model.Json> params = d.opt("parametersJsonSchema").map(p -> GeminiSchemas.lowerTypes(p.toJson()))
                .or(() -> d.opt("parameters").map(p -> GeminiSchemas.toJsonSchema(p.toJson())));
        return new ToolDefinition(d.string("name"), d.optString("description"), params, Optional.empty(),
                Optional.empty());
    }

    private static ToolChoice toolChoice(JsonIn c, List<ToolDefinition> tools) {
        JsonIn mode = c.get("mode");
        List<String> allowed = new ArrayList<>();
        c.optArray("allowedFunctionNames").forEach(n -> allowed.add(n.text()));
        String m = mode.isPresent() ? mode.text() : "AUTO";
        return switch (m) {
            case "AUTO", "VALIDATED", "MODE_UNSPECIFIED" -> new ToolChoice.Auto();
            case "NONE" -> new ToolChoice.None();
            case "ANY" -> {
                if (allowed.size() == 1) {
                    yield new ToolChoice.Tool(allowed.get(0));
                }
                if (!allowed.isEmpty()) {
                    tools.removeIf(t -> !allowed.contains(t.name()));
                }
                yield new ToolChoice.Required();
            }
            default -> throw mode.error("unknown function calling mode '" + m + "'");
        };
    }

    private static GenerationSettings generation(JsonIn g) {
        List<String> stops = new ArrayList<>();
        g.optArray("stopSequences").forEach(s -> stops.add(s.text()));
        Optional<ResponseFormat> format = g.optString("responseMimeType")
                .filter(m -> m.equals("application/json"))
                .map(m -> g.opt("responseJsonSchema").map(s -> GeminiSchemas.lowerTypes(s.toJson()))
                        .or(() -> g.opt("responseSchema").map(s -> GeminiSchemas.toJsonSchema(s.toJson())))
                        .<ResponseFormat>map(s -> new ResponseFormat.JsonSchema("response", Optional.empty(), s,
                                Optional.empty()))
                        .orElse(new ResponseFormat.JsonObject()));
        return new GenerationSettings(g.optInt("maxOutputTokens"), g.optDouble("temperature"), g.optDouble("topP"),
                topK(g), stops, g.optLong("seed"), g.optInt("candidateCount"), g.optDouble("presencePenalty"),
                g.optDouble("frequencyPenalty"), format);
    }

    /** Google's own SDKs type topK as a float and send {@code 5.0}; any whole number is accepted. */
    private static Optional<Integer> topK(JsonIn g) {
        return g.optDouble("topK").map(k -> {
            if (k != Math.rint(k) || k < 0 || k > Integer.MAX_VALUE) {
                throw g.get("topK").error("expected a whole number");
            }
            return (int) Math.round(k);
        });
    }

    private static Reasoning reasoning(JsonIn t) {
        Optional<Boolean> include = t.optBool("includeThoughts");
        Optional<JsonIn> level = t.opt("thinkingLevel");
        if (level.isPresent()) {
            JsonIn l = level.get();
            Effort e = Effort.fromWireName(l.text()).orElseThrow(() -> l.error("unknown thinking level"));
            return new Reasoning(Optional.of(e), Optional.empty(), include);
        }
        Optional<Integer> budget = t.optInt("thinkingBudget");
        if (budget.isEmpty() || budget.get() < 0) {
            // -1 is "dynamic": no budget, the provider's default effort.
            return new Reasoning(Optional.empty(), Optional.empty(), include);
        }
        return budget.get() == 0 ? new Reasoning(Optional.of(Effort.NONE), Optional.empty(), include)
                : new Reasoning(Optional.empty(), budget, include);
    }
}
