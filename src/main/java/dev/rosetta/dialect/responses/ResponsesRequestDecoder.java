package dev.rosetta.dialect.responses;

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

/** Responses API request body → neutral request. */
final class ResponsesRequestDecoder {
    private static final Set<String> KNOWN = Set.of("model", "input", "instructions", "stream", "max_output_tokens",
            "temperature", "top_p", "tools", "tool_choice", "parallel_tool_calls", "reasoning", "text", "store",
            "previous_response_id", "include", "metadata", "user", "safety_identifier", "truncation", "service_tier");

    private final DropLog dropped;
    private final List<ContentBlock.Text> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    private final SourcePaths.Builder paths = SourcePaths.builder();
    private ResponsesTools tools;

    private ResponsesRequestDecoder(DropLog dropped) {
        this.dropped = dropped;
    }

    static ChatRequest decode(byte[] json, DropLog dropped) {
        return new ResponsesRequestDecoder(dropped).decode(JsonIn.parse(json));
    }

    private ChatRequest decode(JsonIn root) {
        root.dropUnknown(KNOWN, dropped);
        root.optString("instructions").ifPresent(i -> system.add(ContentBlock.Text.of(i)));
        JsonIn input = root.require("input");
        List<List<JsonIn>> declared = new ArrayList<>();
        declared.add(root.optArray("tools"));
        if (input.isArray()) {
            // Codex declares its tools in an additional_tools input item, not in tools.
            input.array().stream().filter(i -> i.optString("type").filter("additional_tools"::equals).isPresent())
                    .forEach(i -> declared.add(i.optArray("tools")));
        }
        tools = ResponsesTools.decode(declared, dropped);
        if (input.isString()) {
            turns.add(Turn.of(Role.USER, paths.at(input.path(), ContentBlock.Text.of(input.text()))));
        } else {
            input.array().forEach(this::item);
        }
        Optional<JsonIn> reasoningNode = root.opt("reasoning");
        Optional<String> summary = reasoningNode.flatMap(r -> r.optString("summary"));
        Optional<Reasoning> reasoning = reasoningNode.filter(r -> r.has("effort") || r.has("summary")).map(r ->
                new Reasoning(r.opt("effort").map(e -> Effort.fromWireName(e.text())
                        .orElseThrow(() -> e.error("unknown reasoning effort"))), Optional.empty(),
                        summary.map(s -> !s.equals("none"))));
        Optional<ResponseFormat> format = root.opt("text").flatMap(t -> t.opt("format"))
                .map(ResponsesRequestDecoder::format);
        GenerationSettings gen = new GenerationSettings(root.optInt("max_output_tokens"), root.optDouble("temperature"),
                root.optDouble("top_p"), Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), format);
        List<String> include = new ArrayList<>();
        root.optArray("include").forEach(i -> include.add(i.text()));
        Extensions.Responses ext = new Extensions.Responses(root.optString("previous_response_id"),
                root.optBool("store"), include, root.optString("truncation"), root.optString("service_tier"), summary,
                tools.forms());
        Map<String, String> metadata = new LinkedHashMap<>();
        root.opt("metadata").ifPresent(m -> m.fields().forEach((k, v) -> metadata.put(k, v.text())));
        return new ChatRequest(root.optString("model"), system, turns, tools.definitions(),
                root.opt("tool_choice").map(this::toolChoice), root.optBool("parallel_tool_calls"),
                gen, reasoning, root.optString("user").or(() -> root.optString("safety_identifier")), metadata,
                root.optBool("stream").orElse(false), true, Extensions.none().withResponses(ext), paths.build());
    }

    private static ResponseFormat format(JsonIn f) {
        JsonIn type = f.require("type");
        return switch (type.text()) {
            case "text" -> new ResponseFormat.Text();
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> new ResponseFormat.JsonSchema(f.string("name"), f.optString("description"),
                    f.opt("schema").map(JsonIn::toJson).orElse(Json.Obj.empty()), f.optBool("strict"));
            default -> throw type.error("unknown text format '" + type.text() + "'");
        };
    }

    private ToolChoice toolChoice(JsonIn c) {
        if (c.isString()) {
            return switch (c.text()) {
                case "auto" -> new ToolChoice.Auto();
                case "none" -> new ToolChoice.None();
                case "required" -> new ToolChoice.Required();
                default -> throw c.error("unknown tool_choice '" + c.text() + "'");
            };
        }
        JsonIn type = c.require("type");
        if (!type.text().equals("function") && !type.text().equals("custom")) {
            throw type.error("unsupported tool_choice type '" + type.text() + "'");
        }
        return new ToolChoice.Tool(tools.neutralName(c.optString("namespace"), c.string("name")));
    }

    private void item(JsonIn item) {
        String type = item.optString("type").orElse("message");
        switch (type) {
            case "message" -> message(item);
            case "function_call" -> add(Role.ASSISTANT, paths.at(item.path(), ContentBlock.ToolCall.of(
                    item.string("call_id"), tools.neutralName(item.optString("namespace"), item.string("name")),
                    item.optString("arguments").orElse("{}"))));
            case "custom_tool_call" -> add(Role.ASSISTANT, paths.at(item.path(), ContentBlock.ToolCall.of(
                    item.string("call_id"), tools.neutralName(item.optString("namespace"), item.string("name")),
                    ResponsesTools.freeformArguments(item.string("input")))));
            case "additional_tools" -> { }
            case "function_call_output", "custom_tool_call_output" -> {
                JsonIn output = item.require("output");
                List<ContentBlock> content = output.isString() ? List.of(ContentBlock.Text.of(output.text()))
                        : parts(output);
                add(Role.USER, paths.at(item.path(),
                        new ContentBlock.ToolResult(item.string("call_id"), content, false, Optional.empty())));
            }
            case "reasoning" -> {
                // Only an item with its encrypted content can be replayed statelessly; the summary alone is shown text.
                Optional<String> encrypted = item.optString("encrypted_content");
                if (encrypted.isPresent()) {
                    List<String> summary = new ArrayList<>();
                    item.optArray("summary").forEach(s -> summary.add(s.string("text")));
                    add(Role.ASSISTANT, paths.at(item.path(),
                            new ContentBlock.EncryptedReasoning(item.string("id"), encrypted.get(), summary)));
                } else {
                    dropped.add(item.path());
                }
            }
            default -> dropped.add(item.path());
        }
    }

    private void add(Role role, ContentBlock block) {
        int last = turns.size() - 1;
        if (last >= 0 && turns.get(last).role() == role) {
            List<ContentBlock> blocks = new ArrayList<>(turns.get(last).content());
            blocks.add(block);
            turns.set(last, new Turn(role, blocks));
        } else {
            turns.add(Turn.of(role, block));
        }
    }

    private void message(JsonIn m) {
        JsonIn roleNode = m.require("role");
        JsonIn content = m.require("content");
        List<ContentBlock> blocks = content.isString()
                ? List.of(paths.at(content.path(), ContentBlock.Text.of(content.text()))) : parts(content);
        switch (roleNode.text()) {
            case "system", "developer" -> blocks.forEach(b -> {
                if (!(b instanceof ContentBlock.Text t)) {
                    dropped.add(m.path() + ".content");
                } else if (turns.isEmpty()) {
                    system.add(t);
                } else {
                    // After the conversation began: an instruction at that point, kept there where the target can.
                    add(Role.SYSTEM, t);
                }
            });
            case "user" -> blocks.forEach(b -> add(Role.USER, b));
            case "assistant" -> blocks.forEach(b -> add(Role.ASSISTANT, b));
            default -> throw roleNode.error("unsupported role '" + roleNode.text() + "'");
        }
    }

    private List<ContentBlock> parts(JsonIn content) {
        List<ContentBlock> out = new ArrayList<>();
        for (JsonIn p : content.array()) {
            JsonIn type = p.require("type");
            int before = out.size();
            switch (type.text()) {
                case "input_text", "output_text" -> out.add(ContentBlock.Text.of(p.string("text")));
                case "refusal" -> out.add(new ContentBlock.Refusal(p.string("refusal")));
                case "input_image" -> {
                    MediaSource source;
                    if (p.has("image_url")) {
                        JsonIn url = p.get("image_url");
                        source = DataUrl.isDataUrl(url.text()) ? DataUrl.parse(url.text(), url.path())
                                : new MediaSource.Url(url.text(), Optional.empty());
                    } else {
                        source = new MediaSource.FileId(p.string("file_id"));
                    }
                    out.add(new ContentBlock.Image(source, p.optString("detail"), Optional.empty()));
                }
                case "input_file" -> {
                    MediaSource source;
                    if (p.has("file_data")) {
                        JsonIn data = p.get("file_data");
                        source = DataUrl.isDataUrl(data.text()) ? DataUrl.parse(data.text(), data.path())
                                : new MediaSource.Base64("application/pdf", data.text());
                    } else if (p.has("file_url")) {
                        source = new MediaSource.Url(p.string("file_url"), Optional.empty());
                    } else {
                        source = new MediaSource.FileId(p.string("file_id"));
                    }
                    out.add(new ContentBlock.Document(source, p.optString("filename"), Optional.empty()));
                }
                default -> throw type.error("unsupported content part type '" + type.text() + "'");
            }
            out.subList(before, out.size()).forEach(b -> paths.at(p.path(), b));
        }
        return out;
    }
}
