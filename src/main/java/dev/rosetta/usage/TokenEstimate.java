package dev.rosetta.usage;

import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Json;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;

/**
 * A local estimate of a request's prompt tokens, for providers without a native counter. It errs on
 * the high side (about 3.5 characters a token plus 15%, per-turn overhead, a flat cost per image or
 * document) and callers always flag it as an estimate. It also stands in for the prompt count at the
 * start of a converted stream, so it reads lengths only: no serialising, cost linear in the number of
 * blocks and schema nodes, not in the text.
 */
public final class TokenEstimate {

    private static final double CHARS_PER_TOKEN = 3.5;
    private static final double MARGIN = 1.15;
    private static final int PER_TURN = 4;
    private static final int PER_MEDIA = 1600;

    private TokenEstimate() {
    }

    public static long of(ChatRequest request) {
        long chars = 0;
        long fixed = 3;
        for (ContentBlock.Text t : request.system()) {
            chars += t.text().length();
        }
        for (Turn turn : request.turns()) {
            fixed += PER_TURN;
            for (ContentBlock b : turn.content()) {
                chars += chars(b);
                fixed += fixed(b);
            }
        }
        for (ToolDefinition tool : request.tools()) {
            chars += tool.name().length();
            if (tool.description().isPresent()) {
                chars += tool.description().get().length();
            }
            if (tool.parameters().isPresent()) {
                chars += jsonChars(tool.parameters().get());
            }
            fixed += 8;
        }
        return fixed + (long) Math.ceil(chars / CHARS_PER_TOKEN * MARGIN);
    }

    /**
     * An upper estimate from the size of a request body alone, for a stage that must not decode it
     * (the limiter's admission of a relayed request): JSON punctuation and field names count as text.
     */
    public static long ofBodyBytes(long bytes) {
        return (long) Math.ceil(bytes / CHARS_PER_TOKEN * MARGIN);
    }

    /** About the characters of {@code json} written compactly: names, values and punctuation. */
    private static long jsonChars(Json json) {
        return switch (json) {
            case Json.Null n -> 4;
            case Json.Bool b -> 5;
            case Json.Num n -> n.value().precision() + 1;
            case Json.Str s -> s.value().length() + 2;
            case Json.Arr a -> {
                long chars = 2;
                for (Json item : a.items()) {
                    chars += jsonChars(item) + 1;
                }
                yield chars;
            }
            case Json.Obj o -> {
                // Keys and values apart: the unmodifiable map wraps every entry it iterates.
                long chars = 2;
                for (String key : o.fields().keySet()) {
                    chars += key.length() + 4;
                }
                for (Json value : o.fields().values()) {
                    chars += jsonChars(value);
                }
                yield chars;
            }
        };
    }

    /** Characters of text in one block. */
    private static long chars(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Text t -> t.text().length();
            case ContentBlock.Image i -> 0;
            case ContentBlock.Document d -> 0;
            case ContentBlock.Audio a -> 0;
            case ContentBlock.ToolCall c -> c.name().length() + c.arguments().length();
            case ContentBlock.ToolResult r -> {
                long chars = 0;
                for (ContentBlock inner : r.content()) {
                    chars += chars(inner);
                }
                yield chars;
            }
            case ContentBlock.Thinking t -> t.text().length();
            case ContentBlock.RedactedThinking r -> r.data().length() / 4;
            case ContentBlock.EncryptedReasoning r -> r.encryptedContent().length() / 4;
            case ContentBlock.Refusal r -> r.text().length();
        };
    }

    /** Tokens one block costs whatever its text: media, and the framing of calls and results. */
    private static long fixed(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Image i -> PER_MEDIA;
            case ContentBlock.Document d -> PER_MEDIA;
            case ContentBlock.Audio a -> PER_MEDIA;
            case ContentBlock.ToolCall c -> 8;
            case ContentBlock.ToolResult r -> {
                long fixed = 4;
                for (ContentBlock inner : r.content()) {
                    fixed += fixed(inner);
                }
                yield fixed;
            }
            case ContentBlock.Text t -> 0;
            case ContentBlock.Thinking t -> 0;
            case ContentBlock.RedactedThinking r -> 0;
            case ContentBlock.EncryptedReasoning r -> 0;
            case ContentBlock.Refusal r -> 0;
        };
    }
}
