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
                long[] cost = block(b);
                chars += cost[0];
                fixed += cost[1];
            }
        }
        for (ToolDefinition tool : request.tools()) {
            chars += tool.name().length() + tool.description().map(String::length).orElse(0)
                    + tool.parameters().map(TokenEstimate::jsonChars).orElse(0L);
            fixed += 8;
        }
        return fixed + (long) Math.ceil(chars / CHARS_PER_TOKEN * MARGIN);
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
                long chars = 2;
                for (var field : o.fields().entrySet()) {
                    chars += field.getKey().length() + 4 + jsonChars(field.getValue());
                }
                yield chars;
            }
        };
    }

    /** Characters of text and fixed tokens of one block. */
    private static long[] block(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Text t -> new long[] {t.text().length(), 0};
            case ContentBlock.Image i -> new long[] {0, PER_MEDIA};
            case ContentBlock.Document d -> new long[] {0, PER_MEDIA};
            case ContentBlock.Audio a -> new long[] {0, PER_MEDIA};
            case ContentBlock.ToolCall c -> new long[] {c.name().length() + c.arguments().length(), 8};
            case ContentBlock.ToolResult r -> {
                long chars = 0;
                long fixed = 4;
                for (ContentBlock inner : r.content()) {
                    long[] c = block(inner);
                    chars += c[0];
                    fixed += c[1];
                }
                yield new long[] {chars, fixed};
            }
            case ContentBlock.Thinking t -> new long[] {t.text().length(), 0};
            case ContentBlock.RedactedThinking r -> new long[] {r.data().length() / 4, 0};
            case ContentBlock.EncryptedReasoning r -> new long[] {r.encryptedContent().length() / 4, 0};
            case ContentBlock.Refusal r -> new long[] {r.text().length(), 0};
        };
    }
}
