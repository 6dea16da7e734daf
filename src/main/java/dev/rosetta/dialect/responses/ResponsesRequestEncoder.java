package dev.rosetta.dialect.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.DataUrl;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.ResponseFormat;
import dev.rosetta.model.Role;
import dev.rosetta.model.SourcePaths;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Neutral request → Responses API request body (stateless: {@code store} is false unless asked). */
final class ResponsesRequestEncoder {
    static final String ENCRYPTED_REASONING = "reasoning.encrypted_content";
    private final DropLog dropped;

    private ResponsesRequestEncoder(DropLog dropped) {
        this.dropped = dropped;
    }

    static byte[] encode(ChatRequest request, String model, DropLog dropped) {
        return JsonTrees.write(new ResponsesRequestEncoder(dropped).encode(request, model));
    }

    private ObjectNode encode(ChatRequest req, String model) {
        ObjectNode root = JsonTrees.object().put("model", model);
        if (!req.system().isEmpty()) {
            root.put("instructions", req.systemText());
        }
        ArrayNode input = root.putArray("input");
        for (int i = 0; i < req.turns().size(); i++) {
            turn(req.turns().get(i), req.sources(), "turns[" + i + "]", input);
        }
        GenerationSettings g = req.generation();
        g.maxTokens().ifPresent(m -> root.put("max_output_tokens", m));
        g.temperature().ifPresent(t -> root.put("temperature", t));
        g.topP().ifPresent(t -> root.put("top_p", t));
        g.topK().ifPresent(x -> dropped.add("top_k"));
        if (!g.stopSequences().isEmpty()) {
            dropped.add("stop");
        }
        g.seed().ifPresent(x -> dropped.add("seed"));
        g.n().filter(n -> n > 1).ifPresent(n -> {
            throw JsonIn.invalid("the Responses API generates one answer per request; n must be 1",
                    req.sources().setting("n", "$.n"));
        });
        g.presencePenalty().ifPresent(x -> dropped.add("presence_penalty"));
        g.frequencyPenalty().ifPresent(x -> dropped.add("frequency_penalty"));
        g.responseFormat().ifPresent(f -> root.putObject("text").set("format", format(f)));
        if (!req.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolDefinition t : req.tools()) {
                ObjectNode o = tools.addObject().put("type", "function").put("name", t.name());
                t.description().ifPresent(d -> o.put("description", d));
                t.parameters().ifPresent(p -> o.set("parameters", JsonTrees.toNode(p)));
                o.put("strict", t.strict().orElse(false));
            }
        }
        if (!req.tools().isEmpty()) {
            // Without tools both mean nothing, and OpenAI refuses them there.
            req.toolChoice().ifPresent(c -> root.set("tool_choice", switch (c) {
                case ToolChoice.Auto a -> JsonTrees.object().textNode("auto");
                case ToolChoice.None n -> JsonTrees.object().textNode("none");
                case ToolChoice.Required r -> JsonTrees.object().textNode("required");
                case ToolChoice.Tool t -> JsonTrees.object().put("type", "function").put("name", t.name());
            }));
            req.parallelToolCalls().ifPresent(p -> root.put("parallel_tool_calls", p));
        }
        req.reasoning().ifPresent(r -> {
            ObjectNode o = root.putObject("reasoning").put("effort", r.effectiveEffort().wireName());
            r.includeThoughts().filter(Boolean::booleanValue).ifPresent(x -> o.put("summary", "auto"));
        });
        req.user().ifPresent(u -> root.put("user", u));
        if (!req.metadata().isEmpty()) {
            ObjectNode meta = root.putObject("metadata");
            req.metadata().forEach(meta::put);
        }
        boolean store = req.extensions().responses().flatMap(r -> r.store()).orElse(false);
        root.put("store", store);
        // Only a Responses client has these; the Responses API takes them as they came.
        req.extensions().responses().ifPresent(r -> {
            r.previousResponseId().ifPresent(id -> root.put("previous_response_id", id));
            r.truncation().ifPresent(t -> root.put("truncation", t));
            r.serviceTier().ifPresent(t -> root.put("service_tier", t));
        });
        include(req, store, root);
        if (req.stream()) {
            root.put("stream", true);
        }
        return root;
    }

    /**
     * Without stored state, reasoning comes back on the next turn only as the items' encrypted content,
     * which must be asked for. Only when the request reasons or replays reasoning: models that do not
     * reason refuse the option ("Encrypted content is not supported with this model").
     */
    private static void include(ChatRequest req, boolean store, ObjectNode root) {
        Set<String> include = new LinkedHashSet<>(req.extensions().responses().map(r -> r.include()).orElse(List.of()));
        boolean reasons = req.reasoning().filter(r -> !r.disabled()).isPresent() || req.turns().stream()
                .flatMap(t -> t.content().stream()).anyMatch(b -> b instanceof ContentBlock.EncryptedReasoning);
        if (!store && reasons) {
            include.add(ENCRYPTED_REASONING);
        }
        if (!include.isEmpty()) {
            ArrayNode out = root.putArray("include");
            include.forEach(out::add);
        }
    }

    private static ObjectNode format(ResponseFormat f) {
        ObjectNode out = JsonTrees.object();
        switch (f) {
            case ResponseFormat.Text t -> out.put("type", "text");
            case ResponseFormat.JsonObject j -> out.put("type", "json_object");
            case ResponseFormat.JsonSchema s -> {
                out.put("type", "json_schema").put("name", s.name());
                s.description().ifPresent(d -> out.put("description", d));
                out.set("schema", JsonTrees.toNode(s.schema()));
                s.strict().ifPresent(x -> out.put("strict", x));
            }
        }
        return out;
    }

    private void turn(Turn turn, SourcePaths sources, String where, ArrayNode input) {
        ArrayNode content = null;
        for (ContentBlock b : turn.content()) {
            switch (b) {
                case ContentBlock.ToolCall c -> {
                    content = null;
                    input.addObject().put("type", "function_call").put("call_id", c.id()).put("name", c.name())
                            .put("arguments", c.arguments());
                    // Gemini's, which only Gemini reads.
                    c.thoughtSignature().ifPresent(s -> dropped.addLost("thoughtSignature"));
                }
                case ContentBlock.ToolResult r -> {
                    content = null;
                    input.addObject().put("type", "function_call_output").put("call_id", r.toolCallId())
                            .put("output", r.isError() ? "Error: " + r.text() : r.text());
                }
                // Without its item id and encrypted content, reasoning text cannot go back as a reasoning item.
                case ContentBlock.Thinking t -> dropped.add(sources.of(t).orElse("thinking"));
                case ContentBlock.RedactedThinking t -> dropped.add("redacted_thinking");
                case ContentBlock.EncryptedReasoning r -> {
                    content = null;
                    input.add(ResponsesResponses.reasoningItem(r));
                }
                default -> {
                    if (content == null) {
                        content = input.addObject().put("type", "message")
                                .put("role", switch (turn.role()) {
                                    case USER -> "user";
                                    case ASSISTANT -> "assistant";
                                    // Kept where it stands: Responses takes system messages anywhere in input.
                                    case SYSTEM -> "system";
                                }).putArray("content");
                    }
                    content.add(part(b, turn.role(), sources.of(b, where)));
                }
            }
        }
    }

    private static ObjectNode part(ContentBlock b, Role role, String where) {
        ObjectNode p = JsonTrees.object();
        switch (b) {
            case ContentBlock.Text t -> p.put("type", role == Role.ASSISTANT ? "output_text" : "input_text")
                    .put("text", t.text());
            case ContentBlock.Refusal r -> p.put("type", "refusal").put("refusal", r.text());
            case ContentBlock.Image i -> {
                p.put("type", "input_image");
                switch (i.source()) {
                    case MediaSource.Base64 b64 -> p.put("image_url", DataUrl.of(b64));
                    case MediaSource.Url u -> p.put("image_url", u.url());
                    case MediaSource.FileId f -> p.put("file_id", f.fileId());
                    case MediaSource.PlainText t -> throw JsonIn.invalid("text is not an image", where);
                }
                p.put("detail", i.detail().orElse("auto"));
            }
            case ContentBlock.Document d -> {
                p.put("type", "input_file");
                switch (d.source()) {
                    case MediaSource.Base64 b64 -> p.put("file_data", DataUrl.of(b64))
                            .put("filename", d.title().orElse("document.pdf"));
                    case MediaSource.Url u -> p.put("file_url", u.url());
                    case MediaSource.FileId f -> p.put("file_id", f.fileId());
                    case MediaSource.PlainText t -> p.put("type", "input_text").put("text", t.text());
                }
            }
            case ContentBlock.Audio a -> throw JsonIn.invalid("audio input cannot be sent to the Responses API", where);
            default -> throw JsonIn.invalid("unexpected " + b.getClass().getSimpleName(), where);
        }
        return p;
    }
}
