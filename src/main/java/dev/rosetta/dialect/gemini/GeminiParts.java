package dev.rosetta.dialect.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.dialect.internal.ToolArgs;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.MediaSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Gemini parts ↔ neutral blocks, except function responses, which need the conversation (see the codecs). */
final class GeminiParts {
    private GeminiParts() {
    }

    /**
     * A part as a block, or empty when it carries nothing convertible. {@code callId} supplies the id
     * of a function call that has none.
     */
    static Optional<ContentBlock> decode(JsonIn p, String callId, DropLog dropped) {
        if (p.has("text")) {
            String text = p.string("text");
            if (p.optBool("thought").orElse(false)) {
                return Optional.of(new ContentBlock.Thinking(text, carried(p)));
            }
            return text.isEmpty() ? Optional.empty() : Optional.of(ContentBlock.Text.of(text));
        }
        if (p.has("inlineData")) {
            JsonIn d = p.get("inlineData");
            String mime = d.string("mimeType");
            String data = d.string("data");
            if (mime.startsWith("image/")) {
                return Optional.of(new ContentBlock.Image(new MediaSource.Base64(mime, data), Optional.empty(),
                        Optional.empty()));
            }
            if (mime.startsWith("audio/")) {
                return Optional.of(new ContentBlock.Audio(data, audioFormat(mime)));
            }
            return Optional.of(new ContentBlock.Document(new MediaSource.Base64(mime, data), Optional.empty(),
                    Optional.empty()));
        }
        if (p.has("fileData")) {
            JsonIn f = p.get("fileData");
            Optional<String> mime = f.optString("mimeType");
            MediaSource.Url url = new MediaSource.Url(f.string("fileUri"), mime);
            return Optional.of(mime.filter(m -> m.startsWith("image/")).isPresent()
                    ? new ContentBlock.Image(url, Optional.empty(), Optional.empty())
                    : new ContentBlock.Document(url, Optional.empty(), Optional.empty()));
        }
        if (p.has("functionCall")) {
            JsonIn c = p.get("functionCall");
            return Optional.of(new ContentBlock.ToolCall(c.optString("id").orElse(callId), c.string("name"),
                    ToolArgs.toText(c.get("args")), p.optString("thoughtSignature"), Optional.empty()));
        }
        dropped.add(p.path());
        return Optional.empty();
    }

    /**
     * State Rosetta sealed into the {@code thoughtSignature} of a text part (an answer without a call),
     * as the carrier block {@link OpaqueState} opens; a genuine Gemini signature on a text part has no
     * place in another provider's request and is not kept.
     */
    static Optional<ContentBlock> textCarrier(JsonIn p) {
        if (!p.has("text") || p.optBool("thought").orElse(false)) {
            return Optional.empty();
        }
        return carried(p).map(s -> new ContentBlock.Thinking("", Optional.of(s)));
    }

    private static Optional<String> carried(JsonIn p) {
        return p.optString("thoughtSignature").filter(OpaqueState::isCarrier);
    }

    private static String audioFormat(String mime) {
        String sub = mime.substring("audio/".length()).toLowerCase(Locale.ROOT);
        return switch (sub) {
            case "mpeg", "mp3" -> "mp3";
            case "wav", "x-wav", "wave" -> "wav";
            default -> sub;
        };
    }

    /** The part for a block, or empty when Gemini has no place for it. */
    static Optional<ObjectNode> encode(ContentBlock block, String where, DropLog dropped) {
        ObjectNode out = JsonTrees.object();
        if (block.cacheControl().isPresent()) {
            dropped.add("cache_control");
        }
        switch (block) {
            case ContentBlock.Text t -> {
                if (t.text().isEmpty()) {
                    return Optional.empty();
                }
                out.put("text", t.text());
            }
            case ContentBlock.Refusal r -> out.put("text", r.text());
            case ContentBlock.Image i -> media(i.source(), where, out);
            case ContentBlock.Document d -> {
                if (d.source() instanceof MediaSource.PlainText t) {
                    out.put("text", t.text());
                } else {
                    media(d.source(), where, out);
                }
            }
            case ContentBlock.Audio a -> out.putObject("inlineData")
                    .put("mimeType", "audio/" + a.format()).put("data", a.data());
            case ContentBlock.ToolCall c -> {
                ObjectNode call = out.putObject("functionCall");
                if (!GeminiIds.isSynthesized(c.id())) {
                    call.put("id", c.id());
                }
                call.put("name", c.name());
                call.set("args", ToolArgs.toObject(c.arguments()));
                c.thoughtSignature().ifPresent(s -> out.put("thoughtSignature", s));
            }
            case ContentBlock.Thinking t -> {
                // Reasoning cannot be replayed to Gemini without its own signature on the part.
                // Named by the client's path when it has one (a Chat client's reasoning_content).
                dropped.add(where.startsWith("$") ? where : "thinking");
                return Optional.empty();
            }
            case ContentBlock.RedactedThinking r -> {
                dropped.add("redacted_thinking");
                return Optional.empty();
            }
            case ContentBlock.EncryptedReasoning r -> {
                dropped.add("reasoning.encrypted_content");
                return Optional.empty();
            }
            case ContentBlock.ToolResult r -> throw JsonIn.invalid("tool results are encoded by the codec", where);
        }
        return Optional.of(out);
    }

    private static void media(MediaSource source, String where, ObjectNode out) {
        switch (source) {
            case MediaSource.Base64 b -> out.putObject("inlineData").put("mimeType", b.mediaType()).put("data", b.data());
            case MediaSource.Url u -> out.putObject("fileData")
                    .put("mimeType", u.mediaType().orElseGet(() -> guessMediaType(u.url())))
                    .put("fileUri", u.url());
            case MediaSource.FileId f -> throw JsonIn.invalid("provider file ids cannot be sent to Gemini", where);
            case MediaSource.PlainText t -> out.put("text", t.text());
        }
    }

    static String guessMediaType(String url) {
        String path = url.toLowerCase(Locale.ROOT);
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        for (List<String> e : List.of(List.of(".png", "image/png"), List.of(".gif", "image/gif"),
                List.of(".webp", "image/webp"), List.of(".pdf", "application/pdf"), List.of(".jpg", "image/jpeg"),
                List.of(".jpeg", "image/jpeg"))) {
            if (path.endsWith(e.get(0))) {
                return e.get(1);
            }
        }
        return "image/jpeg";
    }

    /** A function response payload as result content: {@code {"output": s}} unwraps to s, an error flags it. */
    static ContentBlock.ToolResult result(String id, JsonIn response) {
        JsonNode r = response.node();
        if (r.isObject() && r.size() == 1 && r.has("error")) {
            return new ContentBlock.ToolResult(id, List.of(ContentBlock.Text.of(asText(r.get("error")))), true,
                    Optional.empty());
        }
        JsonNode payload = r.isObject() && r.size() == 1 && r.has("output") ? r.get("output") : r;
        return new ContentBlock.ToolResult(id, List.of(ContentBlock.Text.of(asText(payload))), false,
                Optional.empty());
    }

    private static String asText(JsonNode n) {
        return n.isTextual() ? n.textValue() : JsonTrees.writeString(n);
    }

    /** Result text as a function response payload: a JSON object stays an object, anything else a string. */
    static ObjectNode response(ContentBlock.ToolResult r) {
        ObjectNode out = JsonTrees.object();
        String text = r.text();
        if (r.isError()) {
            out.put("error", text);
            return out;
        }
        JsonNode parsed = JsonTrees.tryParse(text).orElse(null);
        if (parsed != null && parsed.isObject()) {
            out.set("output", parsed);
        } else {
            out.put("output", text);
        }
        return out;
    }
}
