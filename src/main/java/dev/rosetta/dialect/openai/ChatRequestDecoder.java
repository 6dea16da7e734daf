package dev.rosetta.dialect.openai;

import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.DataUrl;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Effort;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.Json;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.Reasoning;
import dev.rosetta.model.ResponseFormat;
import dev.rosetta.model.Role;
import dev.rosetta.model.SourcePaths;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Chat Completions request body → neutral request. */
final class ChatRequestDecoder {
    private static final Set<String> KNOWN = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
            "max_completion_tokens", "temperature", "top_p", "frequency_penalty", "presence_penalty", "seed", "stop",
            "n", "response_format", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort", "user",
            "metadata", "logprobs", "top_logprobs", "logit_bias", "service_tier", "store", "verbosity",
            "prompt_cache_key", "safety_identifier");

    private final DropLog dropped;
    private final ChatReasoning shown;
    private final List<ContentBlock.Text> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    private final SourcePaths.Builder paths = SourcePaths.builder();

    private ChatRequestDecoder(DropLog dropped, ChatReasoning shown) {
        this.dropped = dropped;
        this.shown = shown;
    }

    /** @param shown whether the client is shown reasoning: then a request that reasons asks for the thoughts */
    static ChatRequest decode(byte[] json, DropLog dropped, ChatReasoning shown) {
        return new ChatRequestDecoder(dropped, shown).decode(JsonIn.parse(json));
    }

    private ChatRequest decode(JsonIn root) {
        root.dropUnknown(KNOWN, dropped);
        for (JsonIn m : root.require("messages").array()) {
            message(m);
        }
        List<ToolDefinition> tools = new ArrayList<>();
        for (JsonIn t : root.optArray("tools")) {
            tool(t).ifPresent(tools::add);
        }
        Optional<ToolChoice> choice = root.opt("tool_choice").map(c -> toolChoice(c, tools));
        boolean stream = root.optBool("stream").orElse(false);
        boolean includeUsage = root.opt("stream_options").flatMap(o -> o.optBool("include_usage")).orElse(false);
        Optional<Reasoning> reasoning = root.opt("reasoning_effort").map(e -> {
            Effort effort = Effort.fromWireName(e.text()).orElseThrow(() -> e.error("unknown reasoning effort"));
            boolean thoughts = shown != ChatReasoning.NONE && effort != Effort.NONE;
            return new Reasoning(Optional.of(effort), Optional.empty(),
                    thoughts ? Optional.of(true) : Optional.empty());
        });
        Extensions ext = Extensions.none();
        Extensions.OpenAiChat chat = new Extensions.OpenAiChat(root.optBool("logprobs"), root.optInt("top_logprobs"),
                root.opt("logit_bias").map(JsonIn::toJson), root.optString("service_tier"), root.optBool("store"),
                root.optString("verbosity"), root.optString("prompt_cache_key"), root.optString("safety_identifier"));
        if (!chat.equals(new Extensions.OpenAiChat(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()))) {
            ext = ext.withOpenAiChat(chat);
        }
        return new ChatRequest(root.optString("model"), system, turns, tools, choice,
                root.optBool("parallel_tool_calls"), generation(root), reasoning, root.optString("user"),
                metadata(root), stream, includeUsage, ext, paths.build());
    }

    static Map<String, String> metadata(JsonIn root) {
        Map<String, String> out = new LinkedHashMap<>();
        root.opt("metadata").ifPresent(m -> m.fields().forEach((k, v) -> out.put(k, v.text())));
        return out;
    }

    private GenerationSettings generation(JsonIn root) {
        Optional<Integer> max = root.optInt("max_completion_tokens").or(() -> root.optInt("max_tokens"));
        List<String> stop = new ArrayList<>();
        root.opt("stop").ifPresent(s -> {
            if (s.isString()) {
                stop.add(s.text());
            } else {
                s.array().forEach(x -> stop.add(x.text()));
            }
        });
        Optional<Long> seed = root.optLong("seed");
        return new GenerationSettings(max, root.optDouble("temperature"), root.optDouble("top_p"), Optional.empty(),
                stop, seed, root.optInt("n"), root.optDouble("presence_penalty"), root.optDouble("frequency_penalty"),
                root.opt("response_format").map(ChatRequestDecoder::responseFormat));
    }

    static ResponseFormat responseFormat(JsonIn f) {
        String type = f.string("type");
        return switch (type) {
            case "text" -> new ResponseFormat.Text();
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> {
                JsonIn s = f.require("json_schema");
                yield new ResponseFormat.JsonSchema(s.string("name"), s.optString("description"),
                        s.opt("schema").map(JsonIn::toJson).orElse(Json.Obj.empty()), s.optBool("strict"));
            }
            default -> throw f.get("type").error("unknown response format type '" + type + "'");
        };
    }

    private void message(JsonIn m) {
        JsonIn roleNode = m.require("role");
        String role = roleNode.text();
        if (m.has("name")) {
            dropped.add(m.path() + ".name");
        }
        switch (role) {
            case "system", "developer" -> {
                List<ContentBlock.Text> text = textParts(m.require("content"));
                if (turns.isEmpty()) {
                    system.addAll(text);
                } else {
                    // After the conversation began: an instruction at that point, kept there where the target can.
                    turns.add(new Turn(Role.SYSTEM, List.copyOf(text)));
                }
            }
            case "user" -> turns.add(new Turn(Role.USER, userContent(m.require("content"))));
            case "assistant" -> turns.add(new Turn(Role.ASSISTANT, assistantContent(m)));
            case "tool" -> turns.add(Turn.of(Role.USER, paths.at(m.path(), new ContentBlock.ToolResult(
                    m.string("tool_call_id"), List.copyOf(textParts(m.require("content"))), false, Optional.empty()))));
            default -> throw roleNode.error("unsupported role '" + role + "'");
        }
    }

    private static List<ContentBlock.Text> textParts(JsonIn content) {
        if (content.isString()) {
            return List.of(ContentBlock.Text.of(content.text()));
        }
        List<ContentBlock.Text> out = new ArrayList<>();
        for (JsonIn p : content.array()) {
            String type = p.string("type");
            if (!type.equals("text")) {
                throw p.get("type").error("only text parts are allowed here");
            }
            out.add(ContentBlock.Text.of(p.string("text")));
        }
        return out;
    }

    private List<ContentBlock> userContent(JsonIn content) {
        if (content.isString()) {
            return List.of(paths.at(content.path(), ContentBlock.Text.of(content.text())));
        }
        List<ContentBlock> out = new ArrayList<>();
        for (JsonIn p : content.array()) {
            JsonIn typeNode = p.require("type");
            out.add(paths.at(p.path(), switch (typeNode.text()) {
                case "text" -> ContentBlock.Text.of(p.string("text"));
                case "image_url" -> {
                    JsonIn img = p.require("image_url");
                    JsonIn url = img.require("url");
                    MediaSource source = DataUrl.isDataUrl(url.text()) ? DataUrl.parse(url.text(), url.path())
                            : new MediaSource.Url(url.text(), Optional.empty());
                    yield new ContentBlock.Image(source, img.optString("detail"), Optional.empty());
                }
                case "input_audio" -> {
                    JsonIn audio = p.require("input_audio");
                    yield new ContentBlock.Audio(audio.string("data"), audio.string("format"));
                }
                case "file" -> file(p.require("file"));
                default -> throw typeNode.error("unsupported content part type '" + typeNode.text() + "'");
            }));
        }
        return out;
    }

    private static ContentBlock file(JsonIn file) {
        Optional<String> name = file.optString("filename");
        if (file.has("file_data")) {
            JsonIn data = file.get("file_data");
            MediaSource source = DataUrl.isDataUrl(data.text()) ? DataUrl.parse(data.text(), data.path())
                    : new MediaSource.Base64("application/pdf", data.text());
            return new ContentBlock.Document(source, name, Optional.empty());
        }
        return new ContentBlock.Document(new MediaSource.FileId(file.string("file_id")), name, Optional.empty());
    }

    private List<ContentBlock> assistantContent(JsonIn m) {
        List<ContentBlock> out = new ArrayList<>();
        // Unsigned: a target that cannot take reasoning without its own signature drops it, naming this path.
        m.optString("reasoning_content").filter(r -> !r.isEmpty()).ifPresent(r -> out.add(
                paths.at(m.path() + ".reasoning_content", new ContentBlock.Thinking(r, Optional.empty()))));
        JsonIn content = m.get("content");
        if (content.isPresent()) {
            if (content.isString()) {
                if (!content.text().isEmpty()) {
                    out.add(paths.at(content.path(), ContentBlock.Text.of(content.text())));
                }
            } else {
                for (JsonIn p : content.array()) {
                    JsonIn type = p.require("type");
                    out.add(paths.at(p.path(), switch (type.text()) {
                        case "text" -> ContentBlock.Text.of(p.string("text"));
                        case "refusal" -> new ContentBlock.Refusal(p.string("refusal"));
                        default -> throw type.error("unsupported assistant content part '" + type.text() + "'");
                    }));
                }
            }
        }
        m.optString("refusal").ifPresent(r -> out.add(new ContentBlock.Refusal(r)));
        for (JsonIn call : m.optArray("tool_calls")) {
            JsonIn fn = call.require("function");
            out.add(paths.at(call.path(), ContentBlock.ToolCall.of(call.string("id"), fn.string("name"),
                    fn.optString("arguments").orElse("{}"))));
        }
        if (m.has("function_call")) {
            throw m.get("function_call").error("legacy function_call is not supported; use tool_calls");
        }
        return out;
    }

    private Optional<ToolDefinition> tool(JsonIn t) {
        String type = t.string("type");
        if (!type.equals("function")) {
            dropped.add(t.path());
            return Optional.empty();
        }
        JsonIn fn = t.require("function");
        return Optional.of(new ToolDefinition(fn.string("name"), fn.optString("description"),
                fn.opt("parameters").map(JsonIn::toJson), fn.optBool("strict"), Optional.empty()));
    }

    private ToolChoice toolChoice(JsonIn c, List<ToolDefinition> tools) {
        if (c.isString()) {
            return switch (c.text()) {
                case "auto" -> new ToolChoice.Auto();
                case "none" -> new ToolChoice.None();
                case "required" -> new ToolChoice.Required();
                default -> throw c.error("unknown tool_choice '" + c.text() + "'");
            };
        }
        String type = c.string("type");
        return switch (type) {
            case "function" -> new ToolChoice.Tool(c.require("function").string("name"));
            case "allowed_tools" -> {
                JsonIn allowed = c.require("allowed_tools");
                List<String> names = new ArrayList<>();
                for (JsonIn t : allowed.require("tools").array()) {
                    names.add(t.require("function").string("name"));
                }
                tools.removeIf(t -> !names.contains(t.name()));
                yield "required".equals(allowed.optString("mode").orElse("auto"))
                        ? new ToolChoice.Required() : new ToolChoice.Auto();
            }
            default -> throw c.get("type").error("unknown tool_choice type '" + type + "'");
        };
    }
}
