package dev.rosetta.dialect.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.DataUrl;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.ResponseFormat;
import dev.rosetta.model.Role;
import dev.rosetta.model.SourcePaths;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import java.util.ArrayList;
import java.util.List;

/** Neutral request → Chat Completions request body. */
final class ChatRequestEncoder {
    private final DropLog dropped;
    private SourcePaths sources = SourcePaths.none();

    private ChatRequestEncoder(DropLog dropped) {
        this.dropped = dropped;
    }

    static byte[] encode(ChatRequest request, String model, DropLog dropped) {
        return JsonTrees.write(new ChatRequestEncoder(dropped).encode(request, model));
    }

    private ObjectNode encode(ChatRequest req, String model) {
        sources = req.sources();
        ObjectNode root = JsonTrees.object();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        if (!req.system().isEmpty()) {
            if (req.system().stream().anyMatch(t -> t.cacheControl().isPresent())) {
                dropped.add("system.cache_control");
            }
            messages.addObject().put("role", "system").put("content", req.systemText());
        }
        for (int i = 0; i < req.turns().size(); i++) {
            Turn turn = req.turns().get(i);
            switch (turn.role()) {
                case USER -> userTurn(turn, i, messages);
                case ASSISTANT -> assistantTurn(turn, messages);
                // Chat takes system messages anywhere in the conversation: kept where it stands.
                case SYSTEM -> messages.addObject().put("role", "system").put("content", textOf(turn));
            }
        }
        generation(req.generation(), root);
        if (!req.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolDefinition t : req.tools()) {
                tools.add(tool(t));
            }
        }
        if (!req.tools().isEmpty()) {
            // OpenAI refuses both without tools ("only allowed when 'tools' are specified"); with none they mean nothing.
            req.toolChoice().ifPresent(c -> root.set("tool_choice", toolChoice(c)));
            req.parallelToolCalls().ifPresent(p -> root.put("parallel_tool_calls", p));
        }
        req.reasoning().ifPresent(r -> root.put("reasoning_effort", r.effectiveEffort().wireName()));
        req.user().ifPresent(u -> root.put("user", u));
        if (!req.metadata().isEmpty()) {
            ObjectNode meta = root.putObject("metadata");
            req.metadata().forEach(meta::put);
        }
        if (req.stream()) {
            root.put("stream", true);
            root.putObject("stream_options").put("include_usage", true);
        }
        extensions(req.extensions(), root);
        return root;
    }

    private void generation(GenerationSettings g, ObjectNode root) {
        g.maxTokens().ifPresent(m -> root.put("max_completion_tokens", m));
        g.temperature().ifPresent(t -> root.put("temperature", t));
        g.topP().ifPresent(t -> root.put("top_p", t));
        g.topK().ifPresent(k -> dropped.add("top_k"));
        if (!g.stopSequences().isEmpty()) {
            ArrayNode stop = root.putArray("stop");
            g.stopSequences().forEach(stop::add);
        }
        g.seed().ifPresent(s -> root.put("seed", s));
        g.n().ifPresent(n -> root.put("n", n));
        g.presencePenalty().ifPresent(p -> root.put("presence_penalty", p));
        g.frequencyPenalty().ifPresent(p -> root.put("frequency_penalty", p));
        g.responseFormat().ifPresent(f -> root.set("response_format", responseFormat(f)));
    }

    static ObjectNode responseFormat(ResponseFormat f) {
        ObjectNode out = JsonTrees.object();
        switch (f) {
            case ResponseFormat.Text t -> out.put("type", "text");
            case ResponseFormat.JsonObject j -> out.put("type", "json_object");
            case ResponseFormat.JsonSchema s -> {
                out.put("type", "json_schema");
                ObjectNode js = out.putObject("json_schema");
                js.put("name", s.name());
                s.description().ifPresent(d -> js.put("description", d));
                js.set("schema", JsonTrees.toNode(s.schema()));
                s.strict().ifPresent(st -> js.put("strict", st));
            }
        }
        return out;
    }

    private static String textOf(Turn turn) {
        List<String> parts = new ArrayList<>();
        for (ContentBlock b : turn.content()) {
            if (b instanceof ContentBlock.Text t) {
                parts.add(t.text());
            }
        }
        return String.join("\n\n", parts);
    }

    private void userTurn(Turn turn, int index, ArrayNode messages) {
        List<ContentBlock> rest = new ArrayList<>();
        for (ContentBlock b : turn.content()) {
            if (b instanceof ContentBlock.ToolResult r) {
                if (r.content().stream().anyMatch(c -> !(c instanceof ContentBlock.Text))) {
                    dropped.add("turns[" + index + "].tool_result.content");
                }
                String text = r.isError() ? "Error: " + r.text() : r.text();
                messages.addObject().put("role", "tool").put("tool_call_id", r.toolCallId()).put("content", text);
            } else {
                rest.add(b);
            }
        }
        if (rest.isEmpty()) {
            return;
        }
        ObjectNode msg = messages.addObject().put("role", "user");
        if (rest.size() == 1 && rest.get(0) instanceof ContentBlock.Text t) {
            noteCache(t);
            msg.put("content", t.text());
            return;
        }
        ArrayNode parts = msg.putArray("content");
        for (ContentBlock b : rest) {
            noteCache(b);
            parts.add(userPart(b, index));
        }
    }

    private void noteCache(ContentBlock b) {
        if (b.cacheControl().isPresent()) {
            dropped.add("cache_control");
        }
    }

    private ObjectNode userPart(ContentBlock b, int index) {
        ObjectNode p = JsonTrees.object();
        String where = sources.of(b, "turns[" + index + "]");
        switch (b) {
            case ContentBlock.Text t -> p.put("type", "text").put("text", t.text());
            case ContentBlock.Image i -> {
                ObjectNode img = p.put("type", "image_url").putObject("image_url");
                img.put("url", switch (i.source()) {
                    case MediaSource.Base64 b64 -> DataUrl.of(b64);
                    case MediaSource.Url u -> u.url();
                    case MediaSource.FileId f -> throw JsonIn.invalid("image file ids cannot be sent to OpenAI", where);
                    case MediaSource.PlainText t -> throw JsonIn.invalid("text is not an image", where);
                });
                i.detail().ifPresent(d -> img.put("detail", d));
            }
            case ContentBlock.Document d -> {
                switch (d.source()) {
                    case MediaSource.PlainText t -> p.put("type", "text").put("text", t.text());
                    case MediaSource.Base64 b64 -> {
                        ObjectNode f = p.put("type", "file").putObject("file");
                        f.put("filename", d.title().orElse("document.pdf"));
                        f.put("file_data", DataUrl.of(b64));
                    }
                    case MediaSource.FileId id -> p.put("type", "file").putObject("file").put("file_id", id.fileId());
                    case MediaSource.Url u -> throw JsonIn.invalid(
                            "documents by URL cannot be sent to OpenAI Chat Completions", where);
                }
            }
            case ContentBlock.Audio a -> p.put("type", "input_audio").putObject("input_audio")
                    .put("data", a.data()).put("format", a.format());
            default -> throw JsonIn.invalid("a user turn cannot hold " + b.getClass().getSimpleName(), where);
        }
        return p;
    }

    private void assistantTurn(Turn turn, ArrayNode messages) {
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        ArrayNode calls = JsonTrees.array();
        for (ContentBlock b : turn.content()) {
            switch (b) {
                case ContentBlock.Text t -> text.append(t.text());
                case ContentBlock.Refusal r -> refusal.append(r.text());
                case ContentBlock.ToolCall c -> {
                    ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                    // Gemini's, which only Gemini reads.
                    c.thoughtSignature().ifPresent(s -> dropped.addLost("thoughtSignature"));
                }
                case ContentBlock.Thinking t -> dropped.add("thinking");
                case ContentBlock.RedactedThinking t -> dropped.add("redacted_thinking");
                case ContentBlock.EncryptedReasoning r -> dropped.add("reasoning.encrypted_content");
                default -> dropped.add("assistant." + b.getClass().getSimpleName().toLowerCase());
            }
        }
        ObjectNode msg = messages.addObject().put("role", "assistant");
        if (!text.isEmpty() || calls.isEmpty()) {
            msg.put("content", text.toString());
        } else {
            msg.putNull("content");
        }
        if (!refusal.isEmpty()) {
            msg.put("refusal", refusal.toString());
        }
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
    }

    private ObjectNode tool(ToolDefinition t) {
        ObjectNode out = JsonTrees.object().put("type", "function");
        ObjectNode fn = out.putObject("function");
        fn.put("name", t.name());
        t.description().ifPresent(d -> fn.put("description", d));
        t.parameters().ifPresent(p -> fn.set("parameters", JsonTrees.toNode(p)));
        t.strict().ifPresent(s -> fn.put("strict", s));
        t.cacheControl().ifPresent(c -> dropped.add("tools.cache_control"));
        return out;
    }

    static com.fasterxml.jackson.databind.JsonNode toolChoice(ToolChoice c) {
        return switch (c) {
            case ToolChoice.Auto a -> JsonTrees.object().textNode("auto");
            case ToolChoice.None n -> JsonTrees.object().textNode("none");
            case ToolChoice.Required r -> JsonTrees.object().textNode("required");
            case ToolChoice.Tool t -> {
                ObjectNode o = JsonTrees.object().put("type", "function");
                o.putObject("function").put("name", t.name());
                yield o;
            }
        };
    }

    private void extensions(Extensions ext, ObjectNode root) {
        ext.openAiChat().ifPresent(o -> {
            o.logprobs().ifPresent(v -> root.put("logprobs", v));
            o.topLogprobs().ifPresent(v -> root.put("top_logprobs", v));
            o.logitBias().ifPresent(v -> root.set("logit_bias", JsonTrees.toNode(v)));
            o.serviceTier().ifPresent(v -> root.put("service_tier", v));
            o.store().ifPresent(v -> root.put("store", v));
            o.verbosity().ifPresent(v -> root.put("verbosity", v));
            o.promptCacheKey().ifPresent(v -> root.put("prompt_cache_key", v));
            o.safetyIdentifier().ifPresent(v -> root.put("safety_identifier", v));
        });
        ext.responses().ifPresent(r -> {
            if (r.previousResponseId().isPresent()) {
                throw JsonIn.invalid("previous_response_id needs the OpenAI Responses API upstream",
                        "$.previous_response_id");
            }
            r.store().ifPresent(v -> root.put("store", v));
            r.serviceTier().ifPresent(v -> root.put("service_tier", v));
            if (!r.include().isEmpty()) {
                dropped.add("include");
            }
            r.truncation().ifPresent(v -> dropped.add("truncation"));
        });
        ext.anthropic().ifPresent(a -> a.serviceTier().ifPresent(v -> dropped.add("service_tier")));
        ext.gemini().ifPresent(g -> {
            g.safetySettings().ifPresent(v -> dropped.add("safetySettings"));
            g.cachedContent().ifPresent(v -> dropped.add("cachedContent"));
        });
    }
}
