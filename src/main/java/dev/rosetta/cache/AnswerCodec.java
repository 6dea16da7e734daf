package dev.rosetta.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cached answer as bytes (for Redis) and back, and its weight (for the in-process store). The format
 * is a small JSON document of the neutral response, versioned by its {@code v} field: an entry of
 * another version reads as a miss.
 */
final class AnswerCodec {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    private static final int VERSION = 1;

    private AnswerCodec() {
    }

    static byte[] write(CachedAnswer a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            ChatResponse r = a.response();
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeNumberField("stored", a.storedAt());
            g.writeNumberField("expires", a.expiresAt());
            g.writeStringField("id", r.id());
            g.writeStringField("model", r.model());
            g.writeNumberField("created", r.created());
            g.writeStringField("stop", r.stopReason().name());
            if (r.stopSequence().isPresent()) {
                g.writeStringField("stop_sequence", r.stopSequence().get());
            }
            Usage u = r.usage();
            g.writeArrayFieldStart("usage");
            for (long n : new long[] {u.inputUncached(), u.cacheRead(), u.cacheWrite(), u.output(), u.reasoning()}) {
                g.writeNumber(n);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("content");
            for (ContentBlock b : r.content()) {
                block(g, b);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void block(JsonGenerator g, ContentBlock b) throws IOException {
        g.writeStartObject();
        switch (b) {
            case ContentBlock.Text t -> {
                g.writeStringField("t", "text");
                g.writeStringField("text", t.text());
            }
            case ContentBlock.Refusal t -> {
                g.writeStringField("t", "refusal");
                g.writeStringField("text", t.text());
            }
            case ContentBlock.Thinking t -> {
                g.writeStringField("t", "thinking");
                g.writeStringField("text", t.text());
                opt(g, "signature", t.signature());
            }
            case ContentBlock.RedactedThinking t -> {
                g.writeStringField("t", "redacted_thinking");
                g.writeStringField("data", t.data());
            }
            case ContentBlock.EncryptedReasoning t -> {
                g.writeStringField("t", "encrypted_reasoning");
                g.writeStringField("id", t.id());
                g.writeStringField("data", t.encryptedContent());
                g.writeArrayFieldStart("summary");
                for (String s : t.summary()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            case ContentBlock.ToolCall c -> {
                g.writeStringField("t", "tool_call");
                g.writeStringField("id", c.id());
                g.writeStringField("name", c.name());
                g.writeStringField("arguments", c.arguments());
                opt(g, "signature", c.thoughtSignature());
            }
            case ContentBlock.Image i -> {
                g.writeStringField("t", "image");
                source(g, i.source());
                opt(g, "detail", i.detail());
            }
            case ContentBlock.Document d -> {
                g.writeStringField("t", "document");
                source(g, d.source());
                opt(g, "title", d.title());
            }
            case ContentBlock.Audio a -> {
                g.writeStringField("t", "audio");
                g.writeStringField("data", a.data());
                g.writeStringField("format", a.format());
            }
            case ContentBlock.ToolResult r -> {
                // never in an answer; kept as its text so that an odd one still round-trips readably
                g.writeStringField("t", "text");
                g.writeStringField("text", r.text());
            }
        }
        g.writeEndObject();
    }

    private static void source(JsonGenerator g, MediaSource s) throws IOException {
        switch (s) {
            case MediaSource.Base64 b -> {
                g.writeStringField("src", "base64");
                g.writeStringField("media_type", b.mediaType());
                g.writeStringField("data", b.data());
            }
            case MediaSource.Url u -> {
                g.writeStringField("src", "url");
                g.writeStringField("data", u.url());
                opt(g, "media_type", u.mediaType());
            }
            case MediaSource.FileId f -> {
                g.writeStringField("src", "file");
                g.writeStringField("data", f.fileId());
            }
            case MediaSource.PlainText p -> {
                g.writeStringField("src", "text");
                g.writeStringField("data", p.text());
            }
        }
    }

    private static void opt(JsonGenerator g, String name, Optional<String> v) throws IOException {
        if (v.isPresent()) {
            g.writeStringField(name, v.get());
        }
    }

    /** The answer in {@code bytes}, or empty when they are not an entry of this version. */
    static Optional<CachedAnswer> read(byte[] bytes) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || n.path("v").asInt() != VERSION) {
                return Optional.empty();
            }
            List<ContentBlock> content = new ArrayList<>();
            for (JsonNode b : n.path("content")) {
                content.add(block(b));
            }
            JsonNode u = n.path("usage");
            Usage usage = new Usage(u.path(0).asLong(), u.path(1).asLong(), u.path(2).asLong(), u.path(3).asLong(),
                    u.path(4).asLong());
            ChatResponse r = new ChatResponse(n.path("id").asText(), n.path("model").asText(), n.path("created").asLong(),
                    content, StopReason.valueOf(n.path("stop").asText()), opt(n, "stop_sequence"), usage);
            return Optional.of(new CachedAnswer(r, n.path("stored").asLong(), n.path("expires").asLong()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static ContentBlock block(JsonNode b) {
        String text = b.path("text").asText();
        return switch (b.path("t").asText()) {
            case "text" -> ContentBlock.Text.of(text);
            case "refusal" -> new ContentBlock.Refusal(text);
            case "thinking" -> new ContentBlock.Thinking(text, opt(b, "signature"));
            case "redacted_thinking" -> new ContentBlock.RedactedThinking(b.path("data").asText());
            case "encrypted_reasoning" -> {
                List<String> summary = new ArrayList<>();
                b.path("summary").forEach(s -> summary.add(s.asText()));
                yield new ContentBlock.EncryptedReasoning(b.path("id").asText(), b.path("data").asText(), summary);
            }
            case "tool_call" -> new ContentBlock.ToolCall(b.path("id").asText(), b.path("name").asText(),
                    b.path("arguments").asText(), opt(b, "signature"), Optional.empty());
            case "image" -> new ContentBlock.Image(source(b), opt(b, "detail"), Optional.empty());
            case "document" -> new ContentBlock.Document(source(b), opt(b, "title"), Optional.empty());
            case "audio" -> new ContentBlock.Audio(b.path("data").asText(), b.path("format").asText());
            default -> throw new IllegalArgumentException("unknown block " + b.path("t").asText());
        };
    }

    private static MediaSource source(JsonNode b) {
        String data = b.path("data").asText();
        return switch (b.path("src").asText()) {
            case "base64" -> new MediaSource.Base64(b.path("media_type").asText(), data);
            case "url" -> new MediaSource.Url(data, opt(b, "media_type"));
            case "file" -> new MediaSource.FileId(data);
            default -> new MediaSource.PlainText(data);
        };
    }

    private static Optional<String> opt(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    /**
     * About the heap an answer holds, for the in-process store's byte bound: two bytes a character
     * (strings may be UTF-16) plus a fixed cost per object. Computed once, when stored.
     */
    static int weight(CachedAnswer a) {
        ChatResponse r = a.response();
        long w = 160 + 2L * (r.id().length() + r.model().length());
        for (ContentBlock b : r.content()) {
            w += 64 + 2L * switch (b) {
                case ContentBlock.Text t -> t.text().length();
                case ContentBlock.Refusal t -> t.text().length();
                case ContentBlock.Thinking t -> t.text().length() + t.signature().map(String::length).orElse(0);
                case ContentBlock.RedactedThinking t -> t.data().length();
                case ContentBlock.EncryptedReasoning t -> t.id().length() + t.encryptedContent().length()
                        + t.summary().stream().mapToInt(String::length).sum();
                case ContentBlock.ToolCall c -> c.id().length() + c.name().length() + c.arguments().length()
                        + c.thoughtSignature().map(String::length).orElse(0);
                case ContentBlock.Image i -> sourceLength(i.source());
                case ContentBlock.Document d -> sourceLength(d.source());
                case ContentBlock.Audio au -> au.data().length();
                case ContentBlock.ToolResult tr -> tr.text().length();
            };
        }
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    private static int sourceLength(MediaSource s) {
        return switch (s) {
            case MediaSource.Base64 b -> b.data().length();
            case MediaSource.Url u -> u.url().length();
            case MediaSource.FileId f -> f.fileId().length();
            case MediaSource.PlainText p -> p.text().length();
        };
    }
}
