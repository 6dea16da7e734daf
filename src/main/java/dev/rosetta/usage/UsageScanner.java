package dev.rosetta.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.model.Usage;
import java.io.IOException;

/**
 * Collects token counts from the {@code usage} / {@code usageMetadata} objects of any of the three
 * wire formats, wherever they sit in a document (top level, inside {@code message} or {@code response}
 * events, or in stream chunks). Counts are cumulative in every dialect, so the largest value seen wins.
 *
 * <p>Fed one token at a time, so it works with Jackson's blocking and non-blocking parsers alike.
 */
final class UsageScanner {

    private enum Field {
        PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS, REASONING_TOKENS,
        INPUT_TOKENS, OUTPUT_TOKENS, CACHE_READ_INPUT_TOKENS, CACHE_CREATION_INPUT_TOKENS,
        PROMPT_TOKEN_COUNT, CANDIDATES_TOKEN_COUNT, CACHED_CONTENT_TOKEN_COUNT, THOUGHTS_TOKEN_COUNT,
        TOOL_USE_PROMPT_TOKEN_COUNT, EPHEMERAL_1H_INPUT_TOKENS;

        static Field of(String name) {
            return switch (name) {
                case "prompt_tokens" -> PROMPT_TOKENS;
                case "completion_tokens" -> COMPLETION_TOKENS;
                case "cached_tokens" -> CACHED_TOKENS;
                case "reasoning_tokens" -> REASONING_TOKENS;
                case "input_tokens" -> INPUT_TOKENS;
                case "output_tokens" -> OUTPUT_TOKENS;
                case "cache_read_input_tokens" -> CACHE_READ_INPUT_TOKENS;
                case "cache_creation_input_tokens" -> CACHE_CREATION_INPUT_TOKENS;
                case "promptTokenCount" -> PROMPT_TOKEN_COUNT;
                case "candidatesTokenCount" -> CANDIDATES_TOKEN_COUNT;
                case "cachedContentTokenCount" -> CACHED_CONTENT_TOKEN_COUNT;
                case "thoughtsTokenCount" -> THOUGHTS_TOKEN_COUNT;
                case "toolUsePromptTokenCount" -> TOOL_USE_PROMPT_TOKEN_COUNT;
                // Anthropic: inside usage.cache_creation, the part of cache_creation_input_tokens kept an hour.
                case "ephemeral_1h_input_tokens" -> EPHEMERAL_1H_INPUT_TOKENS;
                default -> null;
            };
        }
    }

    private final long[] values = new long[Field.values().length];
    private int depth;
    private int usageDepth = -1;
    private String field = "";
    private boolean seen;

    void reset() {
        depth = 0;
        usageDepth = -1;
        field = "";
    }

    /** The next object is a usage object: for a parser started at the value of a {@code usage} key. */
    void enterUsage() {
        field = "usage";
    }

    void accept(JsonToken token, JsonParser parser) throws IOException {
        switch (token) {
            case FIELD_NAME -> fieldName(parser.currentName());
            case START_OBJECT -> startObject();
            case END_OBJECT -> endObject();
            case START_ARRAY -> startArray();
            case END_ARRAY -> endArray();
            case VALUE_NUMBER_INT -> {
                if (wantsInt()) {
                    intValue(parser.getLongValue());
                }
                scalar();
            }
            case VALUE_STRING, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL, VALUE_EMBEDDED_OBJECT -> scalar();
            default -> {
            }
        }
    }

    /**
     * A scalar value has been read: the field name it belonged to is spent, so a later object in the
     * same array ({@code [{"usage":null},{...}]}) is not taken for a usage object.
     */
    void scalar() {
        field = "";
    }

    // The same steps one token at a time, for a reader that tokenizes the text itself.

    void fieldName(String name) {
        field = name;
    }

    void startObject() {
        depth++;
        if (usageDepth < 0 && (field.equals("usage") || field.equals("usageMetadata"))) {
            usageDepth = depth;
            seen = true;
        }
        field = "";
    }

    void endObject() {
        if (depth == usageDepth) {
            usageDepth = -1;
        }
        depth--;
    }

    void startArray() {
        depth++;
    }

    void endArray() {
        depth--;
    }

    /** Whether an integer value here would be counted: inside a usage object, under a known field. */
    boolean wantsInt() {
        return usageDepth > 0 && Field.of(field) != null;
    }

    /** An integer value; only call when {@link #wantsInt()}. */
    void intValue(long value) {
        Field f = Field.of(field);
        values[f.ordinal()] = Math.max(values[f.ordinal()], value);
    }

    /** Every field name the scanner tells apart from any other; all others behave alike. */
    static final String[] KNOWN_NAMES = {"usage", "usageMetadata", "prompt_tokens", "completion_tokens",
        "cached_tokens", "reasoning_tokens", "input_tokens", "output_tokens", "cache_read_input_tokens",
        "cache_creation_input_tokens", "promptTokenCount", "candidatesTokenCount", "cachedContentTokenCount",
        "thoughtsTokenCount", "toolUsePromptTokenCount", "ephemeral_1h_input_tokens"};

    /** Stands for any field name not in {@link #KNOWN_NAMES}. */
    static final String OTHER_NAME = "\u0000other";

    boolean seen() {
        return seen;
    }

    /** The counts read so far, with the semantics of the wire format they came in. */
    Usage usage(ProviderType format) {
        return switch (format) {
            case ANTHROPIC -> Usage.fromAnthropic(v(Field.INPUT_TOKENS), v(Field.CACHE_READ_INPUT_TOKENS),
                    v(Field.CACHE_CREATION_INPUT_TOKENS), v(Field.OUTPUT_TOKENS), 0, v(Field.EPHEMERAL_1H_INPUT_TOKENS));
            // Tool-use prompt tokens (search results, code execution) are billed as input, as the decoder counts them.
            case GEMINI -> Usage.fromGemini(v(Field.PROMPT_TOKEN_COUNT), v(Field.TOOL_USE_PROMPT_TOKEN_COUNT),
                    v(Field.CACHED_CONTENT_TOKEN_COUNT),
                    v(Field.CANDIDATES_TOKEN_COUNT), v(Field.THOUGHTS_TOKEN_COUNT));
            default -> {
                // Chat Completions says prompt/completion, Responses says input/output; both include cached.
                long input = Math.max(v(Field.PROMPT_TOKENS), v(Field.INPUT_TOKENS));
                long output = Math.max(v(Field.COMPLETION_TOKENS), v(Field.OUTPUT_TOKENS));
                yield Usage.fromOpenAi(input, v(Field.CACHED_TOKENS), 0, output, v(Field.REASONING_TOKENS));
            }
        };
    }

    private long v(Field f) {
        return values[f.ordinal()];
    }
}
