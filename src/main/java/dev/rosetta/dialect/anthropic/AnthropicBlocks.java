package dev.rosetta.dialect.anthropic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.dialect.internal.ToolArgs;
import dev.rosetta.model.CacheControl;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.SourcePaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Anthropic content blocks ↔ neutral blocks; shared by requests and responses. */
final class AnthropicBlocks {
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");
    private static final Pattern INVALID_ID_CHARS = Pattern.compile("[^a-zA-Z0-9_-]");

    private AnthropicBlocks() {
    }

    /** A tool-call id Anthropic accepts; applied identically to tool_use and tool_result. */
    static String toolId(String id) {
        return INVALID_ID_CHARS.matcher(id).replaceAll("_");
    }

    static Optional<CacheControl> cacheControl(JsonIn block) {
        return block.opt("cache_control").map(c -> new CacheControl(c.string("type"), c.optString("ttl")));
    }

    static List<ContentBlock> decodeContent(JsonIn content, DropLog dropped) {
        return decodeContent(content, dropped, SourcePaths.builder());
    }

    /** The blocks of {@code content}, each recorded in {@code paths} where it was read. */
    static List<ContentBlock> decodeContent(JsonIn content, DropLog dropped, SourcePaths.Builder paths) {
        if (content.isString()) {
            return List.of(paths.at(content.path(), ContentBlock.Text.of(content.text())));
        }
        List<ContentBlock> out = new ArrayList<>();
        for (JsonIn b : content.array()) {
            decode(b, dropped).ifPresent(block -> out.add(paths.at(b.path(), block)));
        }
        return out;
    }

    static Optional<ContentBlock> decode(JsonIn b, DropLog dropped) {
        JsonIn type = b.require("type");
        Optional<CacheControl> cache = cacheControl(b);
        return Optional.ofNullable(switch (type.text()) {
            case "text" -> new ContentBlock.Text(b.string("text"), cache);
            case "image" -> new ContentBlock.Image(source(b.require("source")), Optional.empty(), cache);
            case "document" -> new ContentBlock.Document(source(b.require("source")), b.optString("title"), cache);
            case "tool_use" -> new ContentBlock.ToolCall(b.string("id"), b.string("name"),
                    ToolArgs.toText(b.get("input")), Optional.empty(), cache);
            case "tool_result" -> new ContentBlock.ToolResult(b.string("tool_use_id"),
                    b.has("content") ? decodeContent(b.get("content"), dropped) : List.of(),
                    b.optBool("is_error").orElse(false), cache);
            // Rosetta shows another provider's reasoning with an empty signature: that is no signature.
            case "thinking" -> new ContentBlock.Thinking(b.string("thinking"),
                    b.optString("signature").filter(s -> !s.isEmpty()));
            case "redacted_thinking" -> new ContentBlock.RedactedThinking(b.string("data"));
            default -> {
                dropped.add(b.path());
                yield null;
            }
        });
    }

    private static MediaSource source(JsonIn s) {
        JsonIn type = s.require("type");
        return switch (type.text()) {
            case "base64" -> new MediaSource.Base64(s.string("media_type"), s.string("data"));
            case "url" -> new MediaSource.Url(s.string("url"), Optional.empty());
            case "text" -> new MediaSource.PlainText(s.string("data"));
            case "file" -> new MediaSource.FileId(s.string("file_id"));
            default -> throw type.error("unsupported source type '" + type.text() + "'");
        };
    }

    /** The block in Anthropic form, or empty when it is left out. {@code where} names it in errors. */
    static Optional<ObjectNode> encode(ContentBlock block, String where, DropLog dropped) {
        ObjectNode out = JsonTrees.object();
        switch (block) {
            case ContentBlock.Text t -> {
                if (t.text().isEmpty()) {
                    return Optional.empty();
                }
                out.put("type", "text").put("text", t.text());
            }
            case ContentBlock.Refusal r -> out.put("type", "text").put("text", r.text());
            case ContentBlock.Image i -> {
                out.put("type", "image");
                if (i.source() instanceof MediaSource.Base64 b64 && !IMAGE_TYPES.contains(b64.mediaType())) {
                    throw JsonIn.invalid("Anthropic does not accept images of type " + b64.mediaType(), where);
                }
                out.set("source", source(i.source(), where));
                i.detail().ifPresent(d -> dropped.add("image.detail"));
            }
            case ContentBlock.Document d -> {
                out.put("type", "document").set("source", documentSource(d.source(), where));
                d.title().ifPresent(t -> out.put("title", t));
            }
            case ContentBlock.Audio a -> throw JsonIn.invalid("Anthropic does not accept audio input", where);
            case ContentBlock.ToolCall c -> {
                out.put("type", "tool_use").put("id", toolId(c.id())).put("name", c.name());
                out.set("input", ToolArgs.toObject(c.arguments()));
                // Gemini's, which only Gemini reads.
                c.thoughtSignature().ifPresent(s -> dropped.addLost("thoughtSignature"));
            }
            case ContentBlock.ToolResult r -> {
                out.put("type", "tool_result").put("tool_use_id", toolId(r.toolCallId()));
                if (r.content().stream().allMatch(c -> c instanceof ContentBlock.Text && c.cacheControl().isEmpty())) {
                    out.put("content", r.text());
                } else {
                    ArrayNode content = out.putArray("content");
                    for (ContentBlock c : r.content()) {
                        encode(c, where, dropped).ifPresent(content::add);
                    }
                }
                if (r.isError()) {
                    out.put("is_error", true);
                }
            }
            case ContentBlock.Thinking t -> {
                if (t.signature().isEmpty()) {
                    // Reasoning from another provider cannot be replayed without an Anthropic signature.
                    // Named by the client's path when it has one (a Chat client's reasoning_content).
                    dropped.add(where.startsWith("$") ? where : "thinking");
                    return Optional.empty();
                }
                out.put("type", "thinking").put("thinking", t.text()).put("signature", t.signature().get());
            }
            case ContentBlock.RedactedThinking r -> out.put("type", "redacted_thinking").put("data", r.data());
            case ContentBlock.EncryptedReasoning r -> {
                // OpenAI's to replay only; its summary travels as the Thinking blocks before it.
                dropped.add("reasoning.encrypted_content");
                return Optional.empty();
            }
        }
        block.cacheControl().ifPresent(c -> out.set("cache_control", cacheControl(c)));
        return Optional.of(out);
    }

    static ObjectNode cacheControl(CacheControl c) {
        ObjectNode out = JsonTrees.object().put("type", c.type());
        c.ttl().ifPresent(t -> out.put("ttl", t));
        return out;
    }

    private static ObjectNode source(MediaSource s, String where) {
        ObjectNode out = JsonTrees.object();
        switch (s) {
            case MediaSource.Base64 b -> out.put("type", "base64").put("media_type", b.mediaType()).put("data", b.data());
            case MediaSource.Url u -> out.put("type", "url").put("url", u.url());
            case MediaSource.FileId f -> out.put("type", "file").put("file_id", f.fileId());
            case MediaSource.PlainText t -> out.put("type", "text").put("media_type", "text/plain").put("data", t.text());
        }
        return out;
    }

    private static ObjectNode documentSource(MediaSource s, String where) {
        if (s instanceof MediaSource.Base64 b && !b.mediaType().equals("application/pdf")) {
            if (!b.mediaType().startsWith("text/")) {
                throw JsonIn.invalid("Anthropic does not accept documents of type " + b.mediaType(), where);
            }
            try {
                String text = new String(Base64.getDecoder().decode(b.data()), StandardCharsets.UTF_8);
                return source(new MediaSource.PlainText(text), where);
            } catch (IllegalArgumentException e) {
                throw JsonIn.invalid("document data is not valid base64", where);
            }
        }
        return source(s, where);
    }
}
