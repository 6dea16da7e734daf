package dev.rosetta.dialect.anthropic;

import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
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

/** Anthropic Messages request body → neutral request. */
final class AnthropicRequestDecoder {
    private static final Set<String> KNOWN = Set.of("model", "max_tokens", "messages", "system", "stream",
            "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "thinking", "output_config",
            "metadata", "service_tier");
    private static final Set<String> TOOL_KNOWN = Set.of("name", "description", "input_schema", "strict",
            "cache_control", "type");

    private AnthropicRequestDecoder() {
    }

    static ChatRequest decode(byte[] json, DropLog dropped) {
        JsonIn root = JsonIn.parse(json);
        root.dropUnknown(KNOWN, dropped);
        List<ContentBlock.Text> system = new ArrayList<>();
        root.opt("system").ifPresent(s -> {
            for (ContentBlock b : AnthropicBlocks.decodeContent(s, dropped)) {
                if (!(b instanceof ContentBlock.Text t)) {
                    throw s.error("system blocks must be text");
                }
                system.add(t);
            }
        });
        List<Turn> turns = new ArrayList<>();
        SourcePaths.Builder paths = SourcePaths.builder();
        List<JsonIn> messages = root.require("messages").array();
        for (int i = 0; i < messages.size(); i++) {
            JsonIn m = messages.get(i);
            JsonIn role = m.require("role");
            Role r = switch (role.text()) {
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                case "system" -> Role.SYSTEM;
                default -> throw anthropicError("messages." + i + ": Unexpected role \"" + role.text()
                        + "\". Allowed roles are \"user\", \"assistant\" or \"system\"", role.path());
            };
            List<ContentBlock> content = AnthropicBlocks.decodeContent(m.require("content"), dropped, paths);
            if (r == Role.SYSTEM) {
                systemMessage(i, m, content, system, turns, dropped);
            } else {
                turns.add(new Turn(r, content));
            }
        }
        List<ToolDefinition> tools = new ArrayList<>();
        for (JsonIn t : root.optArray("tools")) {
            if (t.has("type") && !t.string("type").equals("custom")) {
                dropped.add(t.path());
                continue;
            }
            t.dropUnknown(TOOL_KNOWN, dropped);
            tools.add(new ToolDefinition(t.string("name"), t.optString("description"),
                    Optional.of(t.require("input_schema").toJson()), t.optBool("strict"),
                    AnthropicBlocks.cacheControl(t)));
        }
        Optional<ToolChoice> choice = Optional.empty();
        Optional<Boolean> parallel = Optional.empty();
        if (root.has("tool_choice")) {
            JsonIn c = root.get("tool_choice");
            JsonIn type = c.require("type");
            choice = Optional.of(switch (type.text()) {
                case "auto" -> new ToolChoice.Auto();
                case "any" -> new ToolChoice.Required();
                case "none" -> new ToolChoice.None();
                case "tool" -> new ToolChoice.Tool(c.string("name"));
                default -> throw type.error("unknown tool_choice type '" + type.text() + "'");
            });
            parallel = c.optBool("disable_parallel_tool_use").map(d -> !d);
        }
        Optional<JsonIn> output = root.opt("output_config");
        Optional<ResponseFormat> format = output.flatMap(o -> o.opt("format")).map(f -> {
            JsonIn type = f.require("type");
            if (!type.text().equals("json_schema")) {
                throw type.error("unsupported output format '" + type.text() + "'");
            }
            return new ResponseFormat.JsonSchema("response", Optional.empty(), f.require("schema").toJson(),
                    Optional.empty());
        });
        Optional<Effort> effort = output.flatMap(o -> o.opt("effort")).map(e ->
                Effort.fromWireName(e.text()).orElseThrow(() -> e.error("unknown effort")));
        List<String> stops = new ArrayList<>();
        root.optArray("stop_sequences").forEach(s -> stops.add(s.text()));
        GenerationSettings gen = new GenerationSettings(root.optInt("max_tokens"), root.optDouble("temperature"),
                root.optDouble("top_p"), root.optInt("top_k"), stops, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), format);
        Optional<String> user = root.opt("metadata").flatMap(m -> m.optString("user_id"));
        Extensions ext = root.optString("service_tier")
                .map(t -> Extensions.none().withAnthropic(new Extensions.Anthropic(Optional.of(t))))
                .orElse(Extensions.none());
        return new ChatRequest(root.optString("model"), system, turns, tools, choice, parallel, gen,
                reasoning(root, effort), user, Map.of(), root.optBool("stream").orElse(false), true, ext, paths.build());
    }

    /**
     * A mid-conversation {@code system} message (Claude Code and the Agent SDK send them). Before any turn it can
     * only be more system prompt; after, it is an instruction at that point of the
     * conversation. Its blocks must be text. The directive-only form (empty content, the instruction in other
     * fields such as {@code output_config}) has nothing another provider can act on and is dropped.
     */
    private static void systemMessage(int index, JsonIn m, List<ContentBlock> content, List<ContentBlock.Text> system,
                                      List<Turn> turns, DropLog dropped) {
        List<ContentBlock.Text> text = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            if (!(content.get(j) instanceof ContentBlock.Text t)) {
                // Worded as Anthropic words it: Claude Code falls back to user/assistant-only messages on
                // a 400 saying that a role "system" message is not supported.
                throw anthropicError("messages." + index + ".content." + j + ": role \"system\" messages are "
                        + "not supported with non-text content", m.path() + ".content[" + j + "]");
            }
            text.add(t);
        }
        if (text.isEmpty()) {
            dropped.add(m.path());
        } else if (turns.isEmpty()) {
            system.addAll(text);
        } else {
            turns.add(new Turn(Role.SYSTEM, List.copyOf(text)));
        }
    }

    /** An invalid_request_error whose message is Anthropic's own wording, not ours with a path appended. */
    private static GatewayException anthropicError(String message, String path) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, message, Optional.of(path), Optional.empty(),
                Optional.empty()).toException();
    }

    private static Optional<Reasoning> reasoning(JsonIn root, Optional<Effort> effort) {
        if (!root.has("thinking")) {
            return effort.map(e -> new Reasoning(Optional.of(e), Optional.empty(), Optional.empty()));
        }
        JsonIn t = root.get("thinking");
        JsonIn type = t.require("type");
        Optional<Boolean> show = t.optString("display").map(d -> !d.equals("omitted"));
        return Optional.of(switch (type.text()) {
            case "enabled" -> {
                t.require("budget_tokens");
                yield new Reasoning(effort, t.optInt("budget_tokens"), show);
            }
            case "disabled" -> new Reasoning(Optional.of(Effort.NONE), Optional.empty(), Optional.empty());
            case "adaptive" -> new Reasoning(effort, Optional.empty(), show);
            default -> throw type.error("unknown thinking type '" + type.text() + "'");
        });
    }
}
