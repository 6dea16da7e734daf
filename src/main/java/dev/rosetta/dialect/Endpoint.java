package dev.rosetta.dialect;

import java.util.Optional;

/** The client-facing operations, each with the dialect it speaks. */
public enum Endpoint {
    CHAT_COMPLETIONS(Dialect.OPENAI_CHAT, Operation.GENERATE, "/chat/completions"),
    RESPONSES(Dialect.OPENAI_RESPONSES, Operation.GENERATE, "/responses"),
    EMBEDDINGS(Dialect.OPENAI_CHAT, Operation.EMBED, "/embeddings"),
    MESSAGES(Dialect.ANTHROPIC, Operation.GENERATE, "/v1/messages"),
    COUNT_TOKENS(Dialect.ANTHROPIC, Operation.COUNT_TOKENS, "/v1/messages/count_tokens"),
    GEMINI_GENERATE(Dialect.GEMINI, Operation.GENERATE, "generateContent"),
    GEMINI_STREAM(Dialect.GEMINI, Operation.GENERATE, "streamGenerateContent"),
    GEMINI_COUNT_TOKENS(Dialect.GEMINI, Operation.COUNT_TOKENS, "countTokens"),
    GEMINI_EMBED(Dialect.GEMINI, Operation.EMBED, "embedContent"),
    GEMINI_BATCH_EMBED(Dialect.GEMINI, Operation.EMBED, "batchEmbedContents");

    /** What an endpoint does, whatever its dialect. */
    public enum Operation { GENERATE, COUNT_TOKENS, EMBED }

    private final Dialect dialect;
    private final Operation operation;
    private final String upstreamPath;

    Endpoint(Dialect dialect, Operation operation, String upstreamPath) {
        this.dialect = dialect;
        this.operation = operation;
        this.upstreamPath = upstreamPath;
    }

    public Dialect dialect() {
        return dialect;
    }

    public Operation operation() {
        return operation;
    }

    /**
     * The path to append to the provider's base URL: for OpenAI and Anthropic a fixed path, for
     * Gemini the method name after {@code models/{model}:}.
     */
    public String upstreamPath() {
        return upstreamPath;
    }

    /** The Gemini endpoint for a method name such as {@code generateContent}, if there is one. */
    public static Optional<Endpoint> geminiMethod(String method) {
        return Optional.ofNullable(switch (method) {
            case "generateContent" -> GEMINI_GENERATE;
            case "streamGenerateContent" -> GEMINI_STREAM;
            case "countTokens" -> GEMINI_COUNT_TOKENS;
            case "embedContent" -> GEMINI_EMBED;
            case "batchEmbedContents" -> GEMINI_BATCH_EMBED;
            default -> null;
        });
    }
}
